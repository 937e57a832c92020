/* store.c - see store.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfgdoc.h"
#include "store.h"
#include "wire.h"

#define FILE_NAME "cib.xml"
/* The trailer written now: the CRC covers the document and the trailer's own
 * text before " crc32=", so the term (and the length) cannot change unnoticed. */
#define TRAILER_HEAD_FMT "<!-- vigil-cib2 term=%" PRIu64 " length=%zu"
#define TRAILER_TAIL_FMT " crc32=%08" PRIx32 " -->\n"
/* Read only (files of earlier versions): the CRC covers the document alone;
 * without term= the term is 0, with it the term is not covered. */
#define TRAILER_V0_FMT "<!-- vigil-cib crc32=%08" PRIx32 " length=%zu -->\n"
#define TRAILER_V1_FMT "<!-- vigil-cib crc32=%08" PRIx32 " length=%zu term=%" PRIu64 " -->\n"

/* CRC of the document followed by the trailer's head. */
static uint32_t trailer_crc(const char *doc, size_t len, const char *head, size_t head_len)
{
	return vg_crc32(vg_crc32(0, doc, len), head, head_len);
}

struct crmd_store {
	qb_loop_t *loop;
	char *dir;
	crmd_store_done_fn done;
	void *ctx;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	bool busy;              /* a job is queued or running */
	bool have_job;
	uint64_t job_id;
	char *job_buf;
	size_t job_len;
	int pipe_r, pipe_w;     /* completions: the thread writes, the loop reads */
};

struct completion {
	uint64_t id;
	int rc;
};

int crmd_store_format(const char *xml, size_t len, uint64_t term, char **ret_buf,
		      size_t *ret_len)
{
	/* The trailer starts on a line of its own. */
	bool nl = len && xml[len - 1] == '\n';
	char trailer[160];
	size_t off = nl ? 0 : 1;
	trailer[0] = '\n';
	int h = snprintf(trailer + off, sizeof(trailer) - off, TRAILER_HEAD_FMT, term, len);
	if (h < 0 || (size_t)h >= sizeof(trailer) - off)
		return -EINVAL;
	uint32_t crc = trailer_crc(xml, len, trailer + off, (size_t)h);
	int tl = snprintf(trailer + off + (size_t)h, sizeof(trailer) - off - (size_t)h,
			  TRAILER_TAIL_FMT, crc);
	if (tl < 0 || (size_t)tl >= sizeof(trailer) - off - (size_t)h)
		return -EINVAL;
	int t = (int)(off + (size_t)h + (size_t)tl);
	char *buf = malloc(len + (size_t)t + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, xml, len);
	memcpy(buf + len, trailer, (size_t)t);
	buf[len + (size_t)t] = '\0';
	*ret_buf = buf;
	*ret_len = len + (size_t)t;
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The worker's job: temporary file, fsync, rename, fsync of the folder. */
static int write_file(const char *dir, const char *buf, size_t len)
{
	char *tmp = NULL, *final = NULL;
	int rc = -ENOMEM;
	if (asprintf(&tmp, "%s/" FILE_NAME ".tmp", dir) < 0) {
		tmp = NULL;
		goto out;
	}
	if (asprintf(&final, "%s/" FILE_NAME, dir) < 0) {
		final = NULL;
		goto out;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = write_all(fd, buf, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc)
		goto out_unlink;
	if (rename(tmp, final) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
		goto out;
	}
	if (fsync(dfd) < 0)
		rc = -errno;
	close(dfd);
	goto out;

out_unlink:
	unlink(tmp);
out:
	free(tmp);
	free(final);
	return rc;
}

static void *worker(void *arg)
{
	struct crmd_store *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->have_job && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (!s->have_job)
			break;
		char *buf = s->job_buf;
		size_t len = s->job_len;
		uint64_t id = s->job_id;
		s->job_buf = NULL;
		s->have_job = false;
		pthread_mutex_unlock(&s->lock);

		struct completion c = { .id = id, .rc = write_file(s->dir, buf, len) };
		free(buf);
		/* A pipe write of this size is atomic; the loop is its only reader. */
		while (write(s->pipe_w, &c, sizeof(c)) < 0 && errno == EINTR)
			;
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int32_t completion_cb(int32_t fd, int32_t revents, void *data)
{
	struct crmd_store *s = data;
	struct completion c;
	ssize_t n = read(fd, &c, sizeof(c));
	if (n != (ssize_t)sizeof(c))
		return 0;
	pthread_mutex_lock(&s->lock);
	s->busy = false;
	pthread_mutex_unlock(&s->lock);
	s->done(s->ctx, c.id, c.rc);
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int rc = 0;
	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	return rc;
}

int crmd_store_new(qb_loop_t *loop, const char *dir, crmd_store_done_fn done, void *ctx,
		   struct crmd_store **ret_store)
{
	int rc = mkdir_p(dir, 0750);
	if (rc)
		return rc;
	struct crmd_store *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->done = done;
	s->ctx = ctx;
	s->dir = strdup(dir);
	if (!s->dir) {
		rc = -ENOMEM;
		goto err_free;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		rc = -errno;
		goto err_free;
	}
	s->pipe_r = fds[0];
	s->pipe_w = fds[1];
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if ((rc = qb_loop_poll_add(loop, QB_LOOP_HIGH, s->pipe_r, POLLIN, s, completion_cb)))
		goto err_pipe;
	if ((rc = -pthread_create(&s->thread, NULL, worker, s)))
		goto err_poll;
	*ret_store = s;
	return 0;

err_poll:
	qb_loop_poll_del(loop, s->pipe_r);
err_pipe:
	close(s->pipe_r);
	close(s->pipe_w);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
err_free:
	free(s->dir);
	free(s);
	return rc;
}

void crmd_store_free(struct crmd_store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	qb_loop_poll_del(s->loop, s->pipe_r);
	close(s->pipe_r);
	close(s->pipe_w);
	free(s->job_buf);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->dir);
	free(s);
}

int crmd_store_write(struct crmd_store *s, uint64_t write_id, const char *xml, size_t len,
		     uint64_t term)
{
	char *buf;
	size_t blen;
	int rc = crmd_store_format(xml, len, term, &buf, &blen);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	if (s->busy) {
		pthread_mutex_unlock(&s->lock);
		free(buf);
		return -EBUSY;
	}
	s->busy = true;
	s->have_job = true;
	s->job_id = write_id;
	s->job_buf = buf;
	s->job_len = blen;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* ---- loading ---- */

static int read_file(const char *path, char **ret_buf, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size > VG_WIRE_MAX_BYTES) {
		close(fd);
		return -EFBIG;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int rc = -errno;
			free(buf);
			close(fd);
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len + 1 == cap)
			break;
	}
	close(fd);
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* What is wrong with the file contents, or NULL.  On success the document
 * part is at *ret_doc. */
static const char *check_contents(const char *buf, size_t len, const char **ret_doc,
				  size_t *ret_doc_len, uint64_t *ret_term, char *why,
				  size_t why_len)
{
	/* The trailer is the last line. */
	if (len < 2 || buf[len - 1] != '\n')
		return "no vigil trailer line (the file is truncated?)";
	const char *line = buf + len - 1;
	while (line > buf && line[-1] != '\n')
		line--;
	uint32_t crc = 0;
	size_t dlen = 0;
	uint64_t term = 0;
	char expect[160];
	int elen, hlen = 0;
	uint32_t crc2;
	size_t dlen2;
	if (sscanf(line, "<!-- vigil-cib2 term=%" SCNu64 " length=%zu crc32=%8" SCNx32, &term, &dlen,
		   &crc) == 3) {
		/* Current format: the CRC covers the head of the line too. */
		hlen = snprintf(expect, sizeof(expect), TRAILER_HEAD_FMT, term, dlen);
		elen = hlen < 0 || (size_t)hlen >= sizeof(expect) ? -1 :
		       snprintf(expect + hlen, sizeof(expect) - (size_t)hlen, TRAILER_TAIL_FMT, crc);
		if (elen >= 0)
			elen += hlen;
	} else if (sscanf(line, "<!-- vigil-cib crc32=%8" SCNx32 " length=%zu", &crc, &dlen) == 2) {
		/* Written before the term was covered (or existed). */
		if (sscanf(line, "<!-- vigil-cib crc32=%8" SCNx32 " length=%zu term=%" SCNu64, &crc2,
			   &dlen2, &term) == 3)
			elen = snprintf(expect, sizeof(expect), TRAILER_V1_FMT, crc, dlen, term);
		else
			elen = snprintf(expect, sizeof(expect), TRAILER_V0_FMT, crc, dlen);
	} else {
		return "no vigil trailer line (the file is truncated or was edited)";
	}
	if (elen < 0 || (size_t)elen != (size_t)(buf + len - line) ||
	    memcmp(expect, line, (size_t)elen))
		return "bad vigil trailer line";
	/* The document is followed by the trailer, after a newline we may have
	 * added. */
	size_t have = (size_t)(line - buf);
	if (have != dlen && !(have == dlen + 1 && dlen && buf[dlen] == '\n' && buf[dlen - 1] != '\n')) {
		snprintf(why, why_len, "the document has %zu bytes, the trailer says %zu", have, dlen);
		return why;
	}
	const char *doc = buf;
	if ((hlen ? trailer_crc(doc, dlen, expect, (size_t)hlen) : vg_crc32(0, doc, dlen)) != crc)
		return "checksum mismatch";
	struct vg_diags d = { 0 };
	char *norm = NULL;
	size_t nlen = 0;
	int rc = crmd_doc_normalize(doc, dlen, NULL, &norm, &nlen, &d);
	free(norm);
	if (rc) {
		snprintf(why, why_len, "not a valid document: %s", d.n ? d.v[0].message : "invalid");
		vg_diags_clear(&d);
		return why;
	}
	vg_diags_clear(&d);
	*ret_doc = doc;
	*ret_doc_len = dlen;
	*ret_term = term;
	return NULL;
}

int crmd_store_load(const char *dir, char **ret_xml, size_t *ret_len, uint64_t *ret_term,
		    char **ret_problem)
{
	char *path = NULL;
	if (asprintf(&path, "%s/" FILE_NAME, dir) < 0)
		return -ENOMEM;
	char *buf = NULL;
	size_t len = 0;
	int rc = read_file(path, &buf, &len);
	if (rc == -ENOENT) {
		free(path);
		return -ENOENT;
	}
	char why[256];
	const char *problem = rc ? strerror(-rc) : NULL;
	const char *doc = NULL;
	size_t dlen = 0;
	uint64_t term = 0;
	if (!problem)
		problem = check_contents(buf, len, &doc, &dlen, &term, why, sizeof(why));
	if (!problem) {
		char *xml = malloc(dlen + 1);
		if (!xml) {
			free(buf);
			free(path);
			return -ENOMEM;
		}
		memcpy(xml, doc, dlen);
		xml[dlen] = '\0';
		free(buf);
		free(path);
		*ret_xml = xml;
		*ret_len = dlen;
		*ret_term = term;
		return 0;
	}
	/* Keep the bad copy for inspection, out of the way of the next write. */
	char *aside = NULL;
	long long now = (long long)time(NULL);
	for (int i = 0; i < 100; i++) {
		free(aside);
		int n = i ? asprintf(&aside, "%s.corrupt-%lld.%d", path, now, i) :
			    asprintf(&aside, "%s.corrupt-%lld", path, now);
		if (n < 0) {
			aside = NULL;
			break;
		}
		if (access(aside, F_OK) < 0)
			break; /* a name not taken by an earlier bad copy */
	}
	char *msg = NULL;
	if (aside && rename(path, aside) == 0) {
		if (asprintf(&msg, "%s: %s; kept as %s", path, problem, aside) < 0)
			msg = NULL;
	} else if (asprintf(&msg, "%s: %s; could not move it aside: %s", path, problem,
			    strerror(errno)) < 0) {
		msg = NULL;
	}
	free(aside);
	free(buf);
	free(path);
	*ret_problem = msg;
	return -EBADMSG;
}
