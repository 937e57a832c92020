/* ipcs.c - see ipcs.h. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <qb/qbipc_common.h>
#include <qb/qbipcs.h>

#include "ipcs.h"

#define ADMIN_GROUP "haclient"

struct conn_ctx {
	uint64_t client_id;
	uid_t uid;
};

struct crmd_ipcs {
	qb_loop_t *loop;
	qb_ipcs_service_t *svc;
	struct crmd_ipcs_callbacks cb;
	void *ctx;
	uint64_t next_client;
};

/* libqb's poll handlers carry no context: one server per process. */
static struct crmd_ipcs *the_server;
static qb_loop_t *the_loop;

static void logf_(struct crmd_ipcs *s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void logf_(struct crmd_ipcs *s, int level, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && s->cb.log)
		s->cb.log(s->ctx, level, msg);
	free(msg);
}

/* ---- who may connect ---- */

static bool user_in_group(uid_t uid, gid_t primary, gid_t group)
{
	if (primary == group)
		return true;
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) || !res)
		return false;
	int n = 64;
	gid_t *groups = NULL;
	for (int tries = 0; tries < 4; tries++) {
		gid_t *grown = realloc(groups, (size_t)n * sizeof(*groups));
		if (!grown)
			break;
		groups = grown;
		int want = n;
		if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &want) >= 0) {
			for (int i = 0; i < want; i++)
				if (groups[i] == group) {
					free(groups);
					return true;
				}
			break;
		}
		n = want > n ? want : n * 2;
	}
	free(groups);
	return false;
}

static int32_t on_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
	struct crmd_ipcs *s = the_server;
	if (!s)
		return -ESHUTDOWN;
	struct group gr, *res = NULL;
	char buf[4096];
	bool have_group = !getgrnam_r(ADMIN_GROUP, &gr, buf, sizeof(buf), &res) && res;
	gid_t admin = have_group ? gr.gr_gid : 0;
	if (uid != 0 && !(have_group && user_in_group(uid, gid, admin))) {
		logf_(s, LOG_WARNING, "refused a client with uid %u gid %u: only root%s may connect",
		      (unsigned)uid, (unsigned)gid, have_group ? " and " ADMIN_GROUP : "");
		return -EACCES;
	}
	struct conn_ctx *cc = calloc(1, sizeof(*cc));
	if (!cc)
		return -ENOMEM;
	cc->client_id = ++s->next_client;
	cc->uid = uid;
	qb_ipcs_context_set(c, cc);
	/* Let the admin group open the shared-memory files of its connection. */
	if (have_group)
		qb_ipcs_connection_auth_set(c, -1, admin, 0660);
	return 0;
}

static int32_t on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
	struct crmd_ipcs *s = the_server;
	struct conn_ctx *cc = qb_ipcs_context_get(c);
	const struct qb_ipc_request_header *h = data;
	if (!s)
		return 0;
	if (!cc || size < sizeof(*h) || (size_t)h->size != size) {
		logf_(s, LOG_WARNING, "dropped a malformed IPC request");
		return 0;
	}
	s->cb.request(s->ctx, cc->client_id, (const char *)data + sizeof(*h), size - sizeof(*h));
	return 0;
}

static int32_t on_closed(qb_ipcs_connection_t *c)
{
	return 0;
}

static void on_destroyed(qb_ipcs_connection_t *c)
{
	struct crmd_ipcs *s = the_server;
	struct conn_ctx *cc = qb_ipcs_context_get(c);
	if (!cc)
		return;
	qb_ipcs_context_set(c, NULL);
	if (s)
		s->cb.gone(s->ctx, cc->client_id);
	free(cc);
}

/* ---- binding to qb_loop ---- */

static int32_t dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
			    qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_add(the_loop, p, fd, events, data, fn);
}

static int32_t dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
			    qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_mod(the_loop, p, fd, events, data, fn);
}

static int32_t dispatch_del(int32_t fd)
{
	return qb_loop_poll_del(the_loop, fd);
}

static int32_t job_add(enum qb_loop_priority p, void *data, qb_loop_job_dispatch_fn fn)
{
	return qb_loop_job_add(the_loop, p, data, fn);
}

int crmd_ipcs_new(qb_loop_t *loop, const char *name, const struct crmd_ipcs_callbacks *cb,
		  void *ctx, struct crmd_ipcs **ret_ipcs)
{
	if (the_server)
		return -EBUSY;
	struct crmd_ipcs *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->cb = *cb;
	s->ctx = ctx;
	struct qb_ipcs_service_handlers handlers = {
		.connection_accept = on_accept,
		.msg_process = on_msg,
		.connection_closed = on_closed,
		.connection_destroyed = on_destroyed,
	};
	struct qb_ipcs_poll_handlers poll = {
		.job_add = job_add,
		.dispatch_add = dispatch_add,
		.dispatch_mod = dispatch_mod,
		.dispatch_del = dispatch_del,
	};
	s->svc = qb_ipcs_create(name, 0, QB_IPC_NATIVE, &handlers);
	if (!s->svc) {
		free(s);
		return -ENOMEM;
	}
	the_server = s;
	the_loop = loop;
	qb_ipcs_poll_handlers_set(s->svc, &poll);
	qb_ipcs_enforce_buffer_size(s->svc, CRMD_IPC_MAX_BYTES);
	int rc = qb_ipcs_run(s->svc);
	if (rc) {
		qb_ipcs_destroy(s->svc);
		the_server = NULL;
		free(s);
		return rc < 0 ? rc : -EIO;
	}
	*ret_ipcs = s;
	return 0;
}

void crmd_ipcs_free(struct crmd_ipcs *s)
{
	if (!s)
		return;
	/* Connections are torn down inside: their destroy callbacks must not reach
	 * a caller that is going away. */
	the_server = NULL;
	qb_ipcs_destroy(s->svc);
	the_loop = NULL;
	free(s);
}

int crmd_ipcs_reply(struct crmd_ipcs *s, uint64_t client_id, const char *json)
{
	for (qb_ipcs_connection_t *c = qb_ipcs_connection_first_get(s->svc); c;) {
		struct conn_ctx *cc = qb_ipcs_context_get(c);
		if (cc && cc->client_id == client_id) {
			size_t len = strlen(json) + 1;
			struct qb_ipc_response_header h = {
				.size = (int32_t)(sizeof(h) + len), .id = 0, .error = 0,
			};
			struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)json, len } };
			ssize_t rc = qb_ipcs_response_sendv(c, iov, 2);
			qb_ipcs_connection_unref(c);
			if (rc < 0) {
				logf_(s, LOG_WARNING, "could not answer client %" PRIu64 ": %s", client_id,
				      strerror((int)-rc));
				return (int)rc;
			}
			return 0;
		}
		qb_ipcs_connection_t *next = qb_ipcs_connection_next_get(s->svc, c);
		qb_ipcs_connection_unref(c);
		c = next;
	}
	return -ENOTCONN;
}
