/* fen_run.c - see fen_run.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fen_int.h"
#include "fen_run.h"

/* The only environment an agent sees: a fixed PATH for the helpers it runs
 * (ipmitool, ssh) and the C locale so its messages are parseable. */
static char *const agent_env[] = {
	(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	(char *)"LC_ALL=C",
	NULL,
};

struct fen_runner {
	qb_loop_t *loop;
	char **dirs;
	size_t n_dirs;
	size_t output_max;
	uint64_t grace_ms;
	struct fen_run *runs;   /* doubly linked, newest first */
	size_t n_runs;
};

struct fen_buf {
	char *data;
	size_t len;
	bool truncated;
};

struct fen_run {
	struct fen_runner *runner;
	qb_loop_t *loop;        /* the runner's: a callback may free the runner */
	struct fen_run *prev, *next;
	pid_t pid;
	int pidfd, in_fd, out_fd, err_fd;
	char *in_buf;
	size_t in_len, in_off;
	struct fen_buf out, err;
	qb_loop_timer_handle t_timeout, t_kill;
	bool timeout_armed, kill_armed;
	bool timed_out, killed, cancelled;
	uint64_t start_ms;
	fen_run_done_fn done;
	void *data;
};

bool fen_run_result_ok(const struct fen_run_result *res)
{
	return res->exit_code == 0 && res->signal == 0 && !res->timed_out;
}

int fen_runner_new(qb_loop_t *loop, const struct fen_runner_opts *opts,
		   struct fen_runner **ret_runner)
{
	static const char *const default_dirs[] = { FEN_AGENT_DIR_DEFAULT, NULL };
	if (!loop)
		return -EINVAL;
	const char *const *dirs = opts && opts->agent_dirs ? opts->agent_dirs : default_dirs;

	struct fen_runner *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->loop = loop;
	r->output_max = opts && opts->output_max ? opts->output_max : FEN_OUTPUT_MAX_DEFAULT;
	r->grace_ms = opts && opts->kill_grace_ms ? opts->kill_grace_ms : FEN_KILL_GRACE_MS_DEFAULT;
	size_t n = 0;
	while (dirs[n])
		n++;
	if (!(r->dirs = calloc(n + 1, sizeof(*r->dirs))))
		goto out_nomem;
	for (r->n_dirs = 0; r->n_dirs < n; r->n_dirs++)
		if (!(r->dirs[r->n_dirs] = strdup(dirs[r->n_dirs])))
			goto out_nomem;
	*ret_runner = r;
	return 0;

out_nomem:
	fen_runner_free(r);
	return -ENOMEM;
}

qb_loop_t *fen_runner_loop(const struct fen_runner *runner)
{
	return runner->loop;
}

size_t fen_runner_n_running(const struct fen_runner *runner)
{
	return runner->n_runs;
}

int fen_runner_find_agent(const struct fen_runner *runner, const char *agent, char **ret_path)
{
	/* The agent name comes from the cluster document: it must not be able to
	 * name a program outside the agent directories. */
	if (!agent || !*agent || strchr(agent, '/') || agent[0] == '.')
		return -EINVAL;
	for (size_t i = 0; i < runner->n_dirs; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", runner->dirs[i], agent) < 0)
			return -ENOMEM;
		if (access(path, X_OK) == 0) {
			*ret_path = path;
			return 0;
		}
		free(path);
	}
	return -ENOENT;
}

/* ---- teardown ---- */

static void fd_drop(struct fen_run *run, int *fd)
{
	if (*fd < 0)
		return;
	qb_loop_poll_del(run->loop, *fd);
	close(*fd);
	*fd = -1;
}

static void run_unlink(struct fen_run *run)
{
	struct fen_runner *r = run->runner;
	if (run->prev)
		run->prev->next = run->next;
	else
		r->runs = run->next;
	if (run->next)
		run->next->prev = run->prev;
	r->n_runs--;
}

static void run_free(struct fen_run *run)
{
	qb_loop_t *loop = run->loop;
	fd_drop(run, &run->in_fd);
	fd_drop(run, &run->out_fd);
	fd_drop(run, &run->err_fd);
	fd_drop(run, &run->pidfd);
	if (run->timeout_armed)
		qb_loop_timer_del(loop, run->t_timeout);
	if (run->kill_armed)
		qb_loop_timer_del(loop, run->t_kill);
	free(run->in_buf);
	free(run->out.data);
	free(run->err.data);
	free(run);
}

void fen_runner_free(struct fen_runner *runner)
{
	if (!runner)
		return;
	while (runner->runs) {
		struct fen_run *run = runner->runs;
		/* Shutdown: the group is killed, so the wait is short and bounded. */
		kill(-run->pid, SIGKILL);
		siginfo_t si;
		while (waitid(P_PID, (id_t)run->pid, &si, WEXITED) < 0 && errno == EINTR)
			;
		run_unlink(run);
		run_free(run);
	}
	for (size_t i = 0; i < runner->n_dirs; i++)
		free(runner->dirs[i]);
	free(runner->dirs);
	free(runner);
}

/* ---- output ---- */

/* Reads what @fd has now into @b; returns false at EOF or on error. */
static bool buf_read(struct fen_run *run, int fd, struct fen_buf *b)
{
	size_t max = run->runner->output_max;
	for (int rounds = 0; rounds < 64; rounds++) {
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		if (n == 0)
			return false;
		size_t keep = (size_t)n;
		if (b->len + keep > max) {
			keep = max - b->len;
			b->truncated = true;   /* the rest is read and dropped: the child never blocks */
		}
		if (keep) {
			char *grown = realloc(b->data, b->len + keep + 1);
			if (!grown) {
				b->truncated = true;
				continue;
			}
			b->data = grown;
			memcpy(b->data + b->len, chunk, keep);
			b->len += keep;
			b->data[b->len] = '\0';
		}
	}
	return true;
}

static int32_t on_out(int32_t fd, int32_t revents, void *data)
{
	struct fen_run *run = data;
	int *slot = fd == run->out_fd ? &run->out_fd : &run->err_fd;
	struct fen_buf *b = fd == run->out_fd ? &run->out : &run->err;
	if (!buf_read(run, fd, b) || (revents & (POLLERR | POLLNVAL)))
		fd_drop(run, slot);
	return 0;
}

/* ---- stdin ---- */

static int32_t on_in(int32_t fd, int32_t revents, void *data);

/* Writes what the socket takes; 1 when done (or the agent stopped reading),
 * 0 when more is to come. */
static int in_write(struct fen_run *run)
{
	while (run->in_off < run->in_len) {
		/* A socket, not a pipe, so MSG_NOSIGNAL spares the daemon a SIGPIPE
		 * when an agent exits without reading. */
		ssize_t n = send(run->in_fd, run->in_buf + run->in_off, run->in_len - run->in_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return 1;
		run->in_off += (size_t)n;
	}
	return 1;
}

static int32_t on_in(int32_t fd, int32_t revents, void *data)
{
	struct fen_run *run = data;
	if ((revents & (POLLERR | POLLHUP | POLLNVAL)) || in_write(run))
		fd_drop(run, &run->in_fd);
	return 0;
}

/* ---- timeout and exit ---- */

static void on_kill_timer(void *data)
{
	struct fen_run *run = data;
	run->kill_armed = false;
	run->killed = true;
	kill(-run->pid, SIGKILL);
}

static void on_timeout(void *data)
{
	struct fen_run *run = data;
	run->timeout_armed = false;
	run->timed_out = true;
	kill(-run->pid, SIGTERM);
	if (qb_loop_timer_add(run->loop, QB_LOOP_HIGH, run->runner->grace_ms * 1000000u,
			      run, on_kill_timer, &run->t_kill) == 0)
		run->kill_armed = true;
	else
		on_kill_timer(run);
}

static int32_t on_exit_ready(int32_t fd, int32_t revents, void *data)
{
	struct fen_run *run = data;
	siginfo_t si = { 0 };

	/* Until reaped the leader keeps its pid as our group's id, so killing the
	 * group cannot reach anyone else.  A timed-out or cancelled run takes its
	 * helpers with it. */
	if (run->timed_out || run->cancelled)
		kill(-run->pid, SIGKILL);
	if (waitid(P_PID, (id_t)run->pid, &si, WEXITED | WNOHANG) < 0) {
		if (errno == EINTR)
			return 0;
		/* ECHILD: someone else reaped it (SIGCHLD ignored?); report it as
		 * killed rather than spin. */
		si.si_code = CLD_KILLED;
		si.si_status = SIGKILL;
	} else if (si.si_pid == 0) {
		return 0;
	}

	struct fen_run_result res = {
		.pid = run->pid,
		.timed_out = run->timed_out,
		.killed = run->killed,
		.elapsed_ms = fen_mono_ms() - run->start_ms,
	};
	if (si.si_code == CLD_EXITED) {
		res.exit_code = si.si_status;
	} else {
		res.exit_code = -1;
		res.signal = si.si_status;
	}
	/* What the agent wrote before exiting is in the pipes: take it now. */
	if (run->out_fd >= 0)
		buf_read(run, run->out_fd, &run->out);
	if (run->err_fd >= 0)
		buf_read(run, run->err_fd, &run->err);
	res.out = run->out.data ? run->out.data : "";
	res.out_len = run->out.len;
	res.out_truncated = run->out.truncated;
	res.err = run->err.data ? run->err.data : "";
	res.err_len = run->err.len;
	res.err_truncated = run->err.truncated;

	qb_loop_t *loop = run->loop;
	fd_drop(run, &run->in_fd);
	fd_drop(run, &run->out_fd);
	fd_drop(run, &run->err_fd);
	fd_drop(run, &run->pidfd);
	if (run->timeout_armed)
		qb_loop_timer_del(loop, run->t_timeout);
	if (run->kill_armed)
		qb_loop_timer_del(loop, run->t_kill);
	run->timeout_armed = run->kill_armed = false;
	run_unlink(run);
	if (!run->cancelled && run->done)
		run->done(&res, run->data);
	run_free(run);
	return 0;
}

void fen_run_cancel(struct fen_run *run)
{
	if (!run || run->cancelled)
		return;
	run->cancelled = true;
	run->done = NULL;
	kill(-run->pid, SIGKILL);
}

/* ---- start ---- */

static bool line_safe(const char *s, bool is_name)
{
	if (!s)
		return false;
	if (strchr(s, '\n') || strchr(s, '\r'))
		return false;
	return !is_name || (*s && !strchr(s, '='));
}

static int append_line(char **buf, size_t *len, const char *key, const char *value)
{
	char *line = NULL;
	int n = asprintf(&line, "%s=%s\n", key, value);
	if (n < 0)
		return -ENOMEM;
	char *grown = realloc(*buf, *len + (size_t)n + 1);
	if (!grown) {
		free(line);
		return -ENOMEM;
	}
	memcpy(grown + *len, line, (size_t)n + 1);
	*buf = grown;
	*len += (size_t)n;
	free(line);
	return 0;
}

static bool is_ours(const struct fen_run_request *req, const char *name)
{
	return strcmp(name, "action") == 0 || strcmp(name, "nodename") == 0 ||
	       (req->host_arg && strcmp(name, req->host_arg) == 0);
}

/* The agent's standard input: the device's parameters, then ours, so that
 * ours are what an agent reading "last one wins" sees too. */
static int build_stdin(const struct fen_run_request *req, char **ret_buf, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	int r = 0;
	for (size_t i = 0; i < req->n_params && r == 0; i++)
		if (!is_ours(req, req->params[i].name))
			r = append_line(&buf, &len, req->params[i].name, req->params[i].value);
	if (r == 0)
		r = append_line(&buf, &len, "action", req->action);
	if (r == 0 && req->host_arg && req->port)
		r = append_line(&buf, &len, req->host_arg, req->port);
	if (r == 0 && req->nodename)
		r = append_line(&buf, &len, "nodename", req->nodename);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

static int validate(const struct fen_run_request *req)
{
	if (!req || !req->agent || !line_safe(req->action, false) || !*req->action ||
	    req->timeout_ms == 0)
		return -EINVAL;
	if (req->nodename && !line_safe(req->nodename, false))
		return -EINVAL;
	if (req->host_arg && (!line_safe(req->host_arg, true) || (req->port && !line_safe(req->port, false))))
		return -EINVAL;
	for (size_t i = 0; i < req->n_params; i++)
		if (!line_safe(req->params[i].name, true) || !line_safe(req->params[i].value, false))
			return -EINVAL;
	return 0;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int fen_run_start(struct fen_runner *runner, const struct fen_run_request *req,
		  fen_run_done_fn done, void *data, struct fen_run **ret_run)
{
	int r = validate(req);
	if (r < 0)
		return r;

	char *path = NULL;
	if ((r = fen_runner_find_agent(runner, req->agent, &path)) < 0)
		return r;

	struct fen_run *run = calloc(1, sizeof(*run));
	if (!run) {
		r = -ENOMEM;
		goto out_path;
	}
	run->runner = runner;
	run->loop = runner->loop;
	run->pidfd = run->in_fd = run->out_fd = run->err_fd = -1;
	run->done = done;
	run->data = data;
	if ((r = build_stdin(req, &run->in_buf, &run->in_len)) < 0)
		goto out_run;

	int sv[2], outp[2], errp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		goto out_run;
	}
	if (pipe2(outp, O_CLOEXEC) < 0) {
		r = -errno;
		goto out_sv;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		goto out_outp;
	}

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	if ((r = -posix_spawn_file_actions_init(&fa)) < 0)
		goto out_errp;
	if ((r = -posix_spawnattr_init(&attr)) < 0)
		goto out_fa;
	/* dup2 clears close-on-exec on 0/1/2; closefrom(3) drops anything the
	 * daemon opened without O_CLOEXEC; the group is the agent's own. */
	if ((r = -posix_spawn_file_actions_adddup2(&fa, sv[1], 0)) < 0 ||
	    (r = -posix_spawn_file_actions_adddup2(&fa, outp[1], 1)) < 0 ||
	    (r = -posix_spawn_file_actions_adddup2(&fa, errp[1], 2)) < 0 ||
	    (r = -posix_spawn_file_actions_addclosefrom_np(&fa, 3)) < 0 ||
	    (r = -posix_spawn_file_actions_addchdir_np(&fa, "/")) < 0 ||
	    (r = -posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					   POSIX_SPAWN_SETSIGDEF)) < 0 ||
	    (r = -posix_spawnattr_setpgroup(&attr, 0)) < 0 ||
	    (r = -posix_spawnattr_setsigmask(&attr, &none)) < 0 ||
	    (r = -posix_spawnattr_setsigdefault(&attr, &all)) < 0)
		goto out_attr;

	char *argv[] = { (char *)req->agent, NULL };
	run->start_ms = fen_mono_ms();
	if ((r = -posix_spawn(&run->pid, path, &fa, &attr, argv, agent_env)) < 0)
		goto out_attr;

	/* From here on there is a child: every failure path must reap it. */
	run->pidfd = pidfd_open(run->pid, 0);
	if (run->pidfd < 0) {
		r = -errno;
		goto out_child;
	}
	run->in_fd = sv[0];
	run->out_fd = outp[0];
	run->err_fd = errp[0];
	sv[0] = outp[0] = errp[0] = -1;
	if ((r = set_nonblock(run->in_fd)) < 0 || (r = set_nonblock(run->out_fd)) < 0 ||
	    (r = set_nonblock(run->err_fd)) < 0)
		goto out_child;

	qb_loop_t *loop = runner->loop;
	if ((r = qb_loop_poll_add(loop, QB_LOOP_MED, run->pidfd, POLLIN, run, on_exit_ready)) < 0)
		goto out_child;
	if ((r = qb_loop_poll_add(loop, QB_LOOP_MED, run->out_fd, POLLIN, run, on_out)) < 0)
		goto out_child;
	if ((r = qb_loop_poll_add(loop, QB_LOOP_MED, run->err_fd, POLLIN, run, on_out)) < 0)
		goto out_child;
	if (in_write(run))
		fd_drop(run, &run->in_fd);
	else if ((r = qb_loop_poll_add(loop, QB_LOOP_MED, run->in_fd, POLLOUT, run, on_in)) < 0)
		goto out_child;
	if ((r = qb_loop_timer_add(loop, QB_LOOP_HIGH, req->timeout_ms * 1000000u, run, on_timeout,
				   &run->t_timeout)) < 0)
		goto out_child;
	run->timeout_armed = true;

	run->next = runner->runs;
	if (runner->runs)
		runner->runs->prev = run;
	runner->runs = run;
	runner->n_runs++;
	r = 0;
	if (ret_run)
		*ret_run = run;
	run = NULL;
	goto out_attr;

out_child:
	kill(-run->pid, SIGKILL);
	{
		siginfo_t si;
		while (waitid(P_PID, (id_t)run->pid, &si, WEXITED) < 0 && errno == EINTR)
			;
	}
out_attr:
	posix_spawnattr_destroy(&attr);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
out_errp:
	if (errp[0] >= 0)
		close(errp[0]);
	close(errp[1]);
out_outp:
	if (outp[0] >= 0)
		close(outp[0]);
	close(outp[1]);
out_sv:
	if (sv[0] >= 0)
		close(sv[0]);
	close(sv[1]);
out_run:
	if (run)
		run_free(run);
out_path:
	free(path);
	return r;
}
