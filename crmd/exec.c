/*
 * exec.c - the executor: jobs, worker threads, the hypervisor link, events.
 *
 * Threads.  The loop thread owns the API, job timers and every callback.
 * Workers take jobs from a queue, run them in libvirt (exec_ops.c), put them on
 * a done list and wake the loop through an eventfd; the loop reports them.  A
 * job's timer may fire first: the caller hears -ETIMEDOUT at once, a queued job
 * is dropped, a running one is abandoned to its worker (whose late result is
 * thrown away) and a spare worker replaces it, so a hung libvirt call costs one
 * thread, never the loop or the other actions.
 *
 * The link.  One libvirt connection per executor, shared by the workers (libvirt
 * connections are thread-safe; each worker holds a reference while it uses it).
 * Opening it, and dropping a lost one, are jobs too (they block).  The close
 * callback (EOF, keepalive timeout) may run on any thread: it only records the
 * loss and wakes the loop, which reports HYPERVISOR_DOWN and arms a reconnect
 * timer with exponential back-off.  While down, actions fail fast.
 *
 * Events.  The lifecycle callback runs on the loop thread (libvirt dispatches
 * events from a timer of its event state, i.e. from our qb_loop), is reported to
 * the caller at once, and wakes workers waiting for a domain to stop.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "exec_int.h"

uint64_t crmd_exec_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const char *crmd_exec_op_name(enum crmd_exec_op op)
{
	switch (op) {
	case CRMD_EXEC_START: return "start";
	case CRMD_EXEC_STOP: return "stop";
	case CRMD_EXEC_MIGRATE: return "migrate";
	case CRMD_EXEC_MONITOR: return "monitor";
	case CRMD_EXEC_PROBE: return "probe";
	}
	return "unknown";
}

const char *crmd_exec_state_name(enum crmd_exec_state state)
{
	switch (state) {
	case CRMD_EXEC_STATE_UNKNOWN: return "unknown";
	case CRMD_EXEC_STATE_ABSENT: return "absent";
	case CRMD_EXEC_STATE_STOPPED: return "stopped";
	case CRMD_EXEC_STATE_RUNNING: return "running";
	case CRMD_EXEC_STATE_PAUSED: return "paused";
	case CRMD_EXEC_STATE_MIGRATING: return "migrating";
	case CRMD_EXEC_STATE_STARTING: return "starting";
	case CRMD_EXEC_STATE_CRASHED: return "crashed";
	}
	return "unknown";
}

/* ---- jobs ---- */

static void job_free(struct crmd_exec_job *job)
{
	if (!job)
		return;
	free(job->rsc_id);
	free(job->config);
	free(job->migrate_to);
	free(job->migrate_data);
	free(job->message);
	for (size_t i = 0; i < job->n_domains; i++)
		free((char *)job->domains[i].name);
	free(job->domains);
	free(job);
}

static bool list_remove(struct crmd_exec_job **head, struct crmd_exec_job **tail,
			struct crmd_exec_job *job)
{
	struct crmd_exec_job *prev = NULL;
	for (struct crmd_exec_job *j = *head; j; prev = j, j = j->next) {
		if (j != job)
			continue;
		if (prev)
			prev->next = j->next;
		else
			*head = j->next;
		if (*tail == j)
			*tail = prev;
		j->next = NULL;
		return true;
	}
	return false;
}

static void list_append(struct crmd_exec_job **head, struct crmd_exec_job **tail,
			struct crmd_exec_job *job)
{
	job->next = NULL;
	if (*tail)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

/* Wakes the loop thread; lock held. */
static void wake_loop(struct crmd_exec *ex)
{
	if (ex->wake_armed)
		return;
	uint64_t one = 1;
	if (write(ex->wake_fd, &one, sizeof(one)) == sizeof(one))
		ex->wake_armed = true;
}

/* Hands a finished job to the loop; lock held. */
static void job_finish_locked(struct crmd_exec *ex, struct crmd_exec_job *job)
{
	job->phase = JOB_DONE;
	list_append(&ex->done_head, &ex->done_tail, job);
	wake_loop(ex);
}

/* ---- workers ---- */

static void run_connect(struct crmd_exec_job *job);
static void run_disconnect(struct crmd_exec_job *job);
static void free_orphaned(struct crmd_exec *ex);

static void *worker_main(void *arg)
{
	struct crmd_exec *ex = arg;

	pthread_mutex_lock(&ex->lock);
	for (;;) {
		while (!ex->stopping && !ex->queue)
			pthread_cond_wait(&ex->work_cond, &ex->lock);
		if (ex->stopping)
			break;
		struct crmd_exec_job *job = ex->queue;
		list_remove(&ex->queue, &ex->queue_tail, job);
		list_append(&ex->running, &ex->running_tail, job);
		job->phase = JOB_RUNNING;
		virConnectPtr conn = ex->conn;
		if (conn && (job->op < CRMD_EXEC_OP_CONNECT || job->op == CRMD_EXEC_OP_ABORT))
			virConnectRef(conn);
		else
			conn = NULL;
		pthread_mutex_unlock(&ex->lock);

		if (job->op == CRMD_EXEC_OP_CONNECT)
			run_connect(job);
		else if (job->op == CRMD_EXEC_OP_DISCONNECT)
			run_disconnect(job);
		else
			crmd_exec_ops_run(job, conn);
		if (conn)
			virConnectClose(conn);
		virResetLastError();

		pthread_mutex_lock(&ex->lock);
		if (job->abandoned)
			ex->n_abandoned--;
		list_remove(&ex->running, &ex->running_tail, job);
		job_finish_locked(ex, job);
	}
	bool last_orphan = ex->n_orphans > 0 && --ex->n_orphans == 0;
	pthread_mutex_unlock(&ex->lock);
	if (last_orphan)
		free_orphaned(ex);
	return NULL;
}

static int spawn_worker(struct crmd_exec *ex)
{
	if (ex->n_threads >= CRMD_EXEC_MAX_WORKERS)
		return -EAGAIN;
	int rc = pthread_create(&ex->threads[ex->n_threads], NULL, worker_main, ex);
	if (rc != 0)
		return -rc;
	ex->n_threads++;
	return 0;
}

bool crmd_exec_wait_change(struct crmd_exec *ex, uint64_t until_ns)
{
	struct timespec ts;
	/* condvars wait on CLOCK_REALTIME by default: convert the deadline */
	uint64_t now = crmd_exec_now_ns();
	uint64_t left = until_ns > now ? until_ns - now : 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t abs_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec + left;
	ts.tv_sec = (time_t)(abs_ns / 1000000000ULL);
	ts.tv_nsec = (long)(abs_ns % 1000000000ULL);

	pthread_mutex_lock(&ex->lock);
	uint64_t seq = ex->change_seq;
	while (!ex->stopping && ex->change_seq == seq) {
		if (pthread_cond_timedwait(&ex->change_cond, &ex->lock, &ts) == ETIMEDOUT)
			break;
	}
	bool go_on = !ex->stopping;
	pthread_mutex_unlock(&ex->lock);
	return go_on;
}

/* ---- the link ---- */

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct crmd_exec *ex = opaque;
	pthread_mutex_lock(&ex->lock);
	if (!ex->lost_conn) {
		ex->lost_conn = conn;
		ex->lost_reason = reason;
		wake_loop(ex);
	}
	pthread_mutex_unlock(&ex->lock);
}

static struct crmd_exec_seen *seen_find(struct crmd_exec *ex, const char *domain, bool add)
{
	for (size_t i = 0; i < ex->n_seen; i++)
		if (strcmp(ex->seen[i].domain, domain) == 0)
			return &ex->seen[i];
	if (!add)
		return NULL;
	if (ex->n_seen == ex->cap_seen) {
		size_t cap = ex->cap_seen ? ex->cap_seen * 2 : 16;
		struct crmd_exec_seen *v = realloc(ex->seen, cap * sizeof(*v));
		if (!v)
			return NULL;
		ex->seen = v;
		ex->cap_seen = cap;
	}
	char *name = strdup(domain);
	if (!name)
		return NULL;
	ex->seen[ex->n_seen] = (struct crmd_exec_seen){ name, CRMD_EXEC_STATE_UNKNOWN };
	return &ex->seen[ex->n_seen++];
}

/*
 * Events alone cannot tell a crash from the end of an incoming migration that
 * failed or was aborted: both are "stopped(failed)".  The first is a failure of
 * the VM, the second is not (the VM still runs on the source).  So the last
 * state each domain's events implied is kept, and "stopped(failed)" right after
 * "started(migrated)" means STOPPED, not CRASHED.
 */
static void refine_event_state(struct crmd_exec *ex, int event, struct crmd_exec_event *e)
{
	if (!e->domain)
		return;
	if (event == VIR_DOMAIN_EVENT_UNDEFINED) {
		struct crmd_exec_seen *s = seen_find(ex, e->domain, false);
		if (s) {
			free(s->domain);
			*s = ex->seen[--ex->n_seen];
		}
		return;
	}
	struct crmd_exec_seen *s = seen_find(ex, e->domain, true);
	if (!s)
		return;
	if (s->state == CRMD_EXEC_STATE_MIGRATING && e->state == CRMD_EXEC_STATE_CRASHED &&
	    event == VIR_DOMAIN_EVENT_STOPPED)
		e->state = CRMD_EXEC_STATE_STOPPED;
	if (e->state != CRMD_EXEC_STATE_UNKNOWN)
		s->state = e->state;
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
			void *opaque)
{
	struct crmd_exec *ex = opaque;
	struct crmd_exec_event e = {
		.type = CRMD_EXEC_EV_DOMAIN,
		.time_ms = crmd_exec_now_ns() / 1000000ULL,
		.domain = virDomainGetName(dom),
	};
	crmd_exec_event_names(event, detail, &e.event, &e.detail, &e.state);
	refine_event_state(ex, event, &e);

	pthread_mutex_lock(&ex->lock);
	bool stopping = ex->stopping;
	ex->change_seq++;
	pthread_cond_broadcast(&ex->change_cond);
	pthread_mutex_unlock(&ex->lock);

	if (!stopping && ex->event_fn && e.domain)
		ex->event_fn(&e, ex->event_data);
	return 0;
}

static void run_connect(struct crmd_exec_job *job)
{
	struct crmd_exec *ex = job->ex;
	virConnectPtr conn = virConnectOpen(ex->uri);
	if (!conn) {
		crmd_exec_job_fail_virt(job, "cannot connect to %s", ex->uri);
		return;
	}
	/* Events first: a domain that dies right after we connect is not missed. */
	int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
						  VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), ex,
						  NULL);
	if (id < 0) {
		crmd_exec_job_fail_virt(job, "cannot subscribe to the events of %s", ex->uri);
		goto close_conn;
	}
	if (virConnectRegisterCloseCallback(conn, on_close, ex, NULL) < 0) {
		crmd_exec_job_fail_virt(job, "cannot watch the connection to %s", ex->uri);
		goto deregister;
	}
	/* Only remote connections have keepalive; local drivers (test:///) say
	 * "not supported", which is fine: they cannot hang on a dead peer. */
	if (virConnectSetKeepAlive(conn, (int)ex->opts.keepalive_interval_s,
				   ex->opts.keepalive_count) < 0 &&
	    virGetLastErrorCode() != VIR_ERR_NO_SUPPORT) {
		crmd_exec_job_fail_virt(job, "cannot enable keepalive on %s", ex->uri);
		goto unregister;
	}
	job->conn = conn;
	job->lifecycle_id = id;
	crmd_exec_job_note(job, "connected to %s", ex->uri);
	return;

unregister:
	virConnectUnregisterCloseCallback(conn, on_close);
deregister:
	virConnectDomainEventDeregisterAny(conn, id);
close_conn:
	virConnectClose(conn);
}

static void release_conn(virConnectPtr conn, int lifecycle_id)
{
	if (!conn)
		return;
	/* Both fail harmlessly on a dead connection; they drop libvirt's
	 * references so the close below really closes. */
	virConnectDomainEventDeregisterAny(conn, lifecycle_id);
	virConnectUnregisterCloseCallback(conn, on_close);
	virConnectClose(conn);
	virResetLastError();
}

static void run_disconnect(struct crmd_exec_job *job)
{
	release_conn(job->conn, job->lifecycle_id);
	job->conn = NULL;
}

static void emit_link(struct crmd_exec *ex, enum crmd_exec_event_type type, const char *why)
{
	if (!ex->event_fn)
		return;
	struct crmd_exec_event e = {
		.type = type,
		.state = CRMD_EXEC_STATE_UNKNOWN,
		.message = why,
		.time_ms = crmd_exec_now_ns() / 1000000ULL,
	};
	ex->event_fn(&e, ex->event_data);
}

static struct crmd_exec_job *job_new(struct crmd_exec *ex, int op)
{
	struct crmd_exec_job *job = calloc(1, sizeof(*job));
	if (!job)
		return NULL;
	job->ex = ex;
	job->op = op;
	job->submit_ns = crmd_exec_now_ns();
	job->state = CRMD_EXEC_STATE_UNKNOWN;
	job->reason = "";
	return job;
}

static void enqueue(struct crmd_exec *ex, struct crmd_exec_job *job)
{
	pthread_mutex_lock(&ex->lock);
	job->phase = JOB_QUEUED;
	list_append(&ex->queue, &ex->queue_tail, job);
	pthread_cond_signal(&ex->work_cond);
	pthread_mutex_unlock(&ex->lock);
}

static void start_connect(struct crmd_exec *ex)
{
	if (ex->connect_inflight)
		return;
	struct crmd_exec_job *job = job_new(ex, CRMD_EXEC_OP_CONNECT);
	if (!job) {
		/* try again later, from the reconnect timer */
		return;
	}
	ex->connect_inflight = true;
	enqueue(ex, job);
}

static void on_reconnect_timer(void *data)
{
	struct crmd_exec *ex = data;
	ex->reconnect_armed = false;
	start_connect(ex);
}

static void arm_reconnect(struct crmd_exec *ex)
{
	if (ex->reconnect_armed)
		return;
	uint32_t ms = ex->backoff_ms;
	if (qb_loop_timer_add(ex->loop, QB_LOOP_MED, (uint64_t)ms * 1000000ULL, ex,
			      on_reconnect_timer, &ex->reconnect_timer) == 0)
		ex->reconnect_armed = true;
	ex->backoff_ms = ms * 2 > ex->opts.reconnect_max_ms ? ex->opts.reconnect_max_ms : ms * 2;
}

/* Fails a parked or refused job with -ENOTCONN through the done list. */
static void fail_notconn_locked(struct crmd_exec *ex, struct crmd_exec_job *job, const char *why)
{
	crmd_exec_job_fail(job, -ENOTCONN, "hypervisor %s is down%s%s", ex->uri,
			   why ? ": " : "", why ? why : "");
	job_finish_locked(ex, job);
}

static void connect_done(struct crmd_exec *ex, struct crmd_exec_job *job)
{
	ex->connect_inflight = false;
	if (job->conn) {
		pthread_mutex_lock(&ex->lock);
		ex->conn = job->conn;
		ex->conn_state = CONN_UP;
		if (ex->lost_conn != job->conn)
			ex->lost_conn = NULL;   /* a stale loss of an older link */
		/* parked actions go to the workers now */
		while (ex->parked) {
			struct crmd_exec_job *p = ex->parked;
			list_remove(&ex->parked, &ex->parked_tail, p);
			p->phase = JOB_QUEUED;
			list_append(&ex->queue, &ex->queue_tail, p);
		}
		pthread_cond_broadcast(&ex->work_cond);
		pthread_mutex_unlock(&ex->lock);
		ex->lifecycle_id = job->lifecycle_id;
		job->conn = NULL;
		ex->backoff_ms = ex->opts.reconnect_min_ms;
		/* events were missed while down: what they implied is stale */
		for (size_t i = 0; i < ex->n_seen; i++)
			free(ex->seen[i].domain);
		ex->n_seen = 0;
		emit_link(ex, CRMD_EXEC_EV_HYPERVISOR_UP, job->message);
		return;
	}

	bool first = ex->conn_state == CONN_CONNECTING;
	pthread_mutex_lock(&ex->lock);
	ex->conn_state = CONN_DOWN;
	while (ex->parked) {
		struct crmd_exec_job *p = ex->parked;
		list_remove(&ex->parked, &ex->parked_tail, p);
		fail_notconn_locked(ex, p, job->message);
	}
	pthread_mutex_unlock(&ex->lock);
	/* Reported once per loss, not once per failed retry. */
	if (first)
		emit_link(ex, CRMD_EXEC_EV_HYPERVISOR_DOWN, job->message);
	arm_reconnect(ex);
}

static const char *close_reason(int reason)
{
	switch (reason) {
	case VIR_CONNECT_CLOSE_REASON_ERROR: return "connection error";
	case VIR_CONNECT_CLOSE_REASON_EOF: return "connection closed by the hypervisor";
	case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: return "keepalive timeout";
	case VIR_CONNECT_CLOSE_REASON_CLIENT: return "closed by us";
	}
	return "unknown reason";
}

/* The close callback saw the link die: drop it and start over. */
static void handle_loss(struct crmd_exec *ex, int reason)
{
	pthread_mutex_lock(&ex->lock);
	virConnectPtr old = ex->conn;
	ex->conn = NULL;
	ex->conn_state = CONN_DOWN;
	pthread_mutex_unlock(&ex->lock);

	struct crmd_exec_job *job = job_new(ex, CRMD_EXEC_OP_DISCONNECT);
	if (job) {
		job->conn = old;
		job->lifecycle_id = ex->lifecycle_id;
		enqueue(ex, job);
	}
	/* else: leak the dead connection rather than block the loop closing it */

	char why[256];
	snprintf(why, sizeof(why), "lost %s: %s", ex->uri, close_reason(reason));
	emit_link(ex, CRMD_EXEC_EV_HYPERVISOR_DOWN, why);
	ex->backoff_ms = ex->opts.reconnect_min_ms;
	arm_reconnect(ex);
}

/* ---- reporting, on the loop ---- */

/* Calls the caller back.  @r's fields other than op, rsc_id and elapsed come
 * from the caller of this function. */
static void report_result(struct crmd_exec *ex, struct crmd_exec_job *job,
			  struct crmd_exec_result *r)
{
	if (job->timer_armed) {
		qb_loop_timer_del(ex->loop, job->timer);
		job->timer_armed = false;
	}
	job->reported = true;
	r->op = (enum crmd_exec_op)job->op;
	r->rsc_id = job->rsc_id;
	r->elapsed_us = (crmd_exec_now_ns() - job->submit_ns) / 1000ULL;
	job->done(r, job->done_data);
}

/* Reports a job a worker finished (or that never reached one). */
static void report(struct crmd_exec *ex, struct crmd_exec_job *job)
{
	struct crmd_exec_result r = {
		.rc = job->rc,
		.message = job->message ? job->message : (job->rc ? "failed" : "done"),
		.state = job->state,
		.state_reason = job->reason ? job->reason : "",
		.libvirt_us = job->libvirt_ns / 1000ULL,
		.domains = job->domains,
		.n_domains = job->n_domains,
	};
	report_result(ex, job, &r);
}

static int32_t on_wake(int32_t fd, int32_t revents, void *data)
{
	struct crmd_exec *ex = data;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;

	pthread_mutex_lock(&ex->lock);
	ex->wake_armed = false;
	struct crmd_exec_job *done = ex->done_head;
	ex->done_head = ex->done_tail = NULL;
	pthread_mutex_unlock(&ex->lock);

	while (done) {
		struct crmd_exec_job *job = done;
		done = job->next;
		job->next = NULL;
		if (job->op == CRMD_EXEC_OP_CONNECT)
			connect_done(ex, job);
		else if (job->op < CRMD_EXEC_OP_CONNECT && !job->reported)
			report(ex, job);
		job_free(job);
	}
	/* After the done list: a connection may have died before its connect
	 * job was even reported. */
	pthread_mutex_lock(&ex->lock);
	bool lost = ex->lost_conn && ex->lost_conn == ex->conn;
	int lost_reason = ex->lost_reason;
	if (lost)
		ex->lost_conn = NULL;
	pthread_mutex_unlock(&ex->lock);
	if (lost)
		handle_loss(ex, lost_reason);
	return 0;
}

static void on_job_timeout(void *data)
{
	struct crmd_exec_job *job = data;
	struct crmd_exec *ex = job->ex;
	job->timer_armed = false;

	pthread_mutex_lock(&ex->lock);
	enum crmd_exec_job_phase phase = job->phase;
	if (phase == JOB_DONE) {
		/* finished meanwhile: on_wake reports the real outcome */
		pthread_mutex_unlock(&ex->lock);
		return;
	}
	bool own = false;
	if (phase == JOB_QUEUED)
		own = list_remove(&ex->queue, &ex->queue_tail, job);
	else if (phase == JOB_PARKED)
		own = list_remove(&ex->parked, &ex->parked_tail, job);
	else if (phase == JOB_RUNNING) {
		job->abandoned = true;
		ex->n_abandoned++;
	}
	unsigned busy_lost = ex->n_abandoned;
	pthread_mutex_unlock(&ex->lock);

	/* A running job's result fields belong to its worker until it is done:
	 * the timeout is reported from local storage only. */
	bool abort_mig = phase == JOB_RUNNING && job->op == CRMD_EXEC_MIGRATE;
	char msg[512];
	snprintf(msg, sizeof(msg), "%s of '%s' timed out after %" PRIu32 " ms%s",
		 crmd_exec_op_name((enum crmd_exec_op)job->op),
		 job->rsc_id ? job->rsc_id : "(all)", job->timeout_ms,
		 abort_mig ? " (aborting the migration; the domain stays here)" :
		 phase == JOB_RUNNING ? " (still in libvirt)" :
		 phase == JOB_PARKED ? " (waiting for the hypervisor)" :
		 " (waiting for a worker)");
	struct crmd_exec_result r = {
		.rc = -ETIMEDOUT,
		.message = msg,
		.state = CRMD_EXEC_STATE_UNKNOWN,
		.state_reason = "",
	};
	report_result(ex, job, &r);
	if (own) {
		job_free(job);
		return;
	}
	/* A worker is stuck with it: replace that worker. */
	if (phase == JOB_RUNNING && ex->n_threads < ex->opts.n_workers + busy_lost)
		spawn_worker(ex);
	if (abort_mig) {
		struct crmd_exec_job *ab = job_new(ex, CRMD_EXEC_OP_ABORT);
		if (ab && !(ab->rsc_id = strdup(job->rsc_id))) {
			job_free(ab);
			ab = NULL;
		}
		if (ab)
			enqueue(ex, ab);
	}
}

/* ---- API ---- */

int crmd_exec_new(qb_loop_t *loop, const char *uri, const struct crmd_exec_options *opts,
		  crmd_exec_event_fn event_fn, void *event_data, struct crmd_exec **ret_exec)
{
	int rc;
	if (!loop || !ret_exec)
		return -EINVAL;
	struct crmd_exec *ex = calloc(1, sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	ex->loop = loop;
	ex->event_fn = event_fn;
	ex->event_data = event_data;
	ex->wake_fd = -1;
	if (opts)
		ex->opts = *opts;
	if (!ex->opts.n_workers)
		ex->opts.n_workers = 4;
	if (ex->opts.n_workers > CRMD_EXEC_MAX_WORKERS / 2)
		ex->opts.n_workers = CRMD_EXEC_MAX_WORKERS / 2;
	if (!ex->opts.keepalive_interval_s)
		ex->opts.keepalive_interval_s = 3;
	if (!ex->opts.keepalive_count)
		ex->opts.keepalive_count = 3;
	if (!ex->opts.free_grace_ms)
		ex->opts.free_grace_ms = 10000;
	if (!ex->opts.reconnect_min_ms)
		ex->opts.reconnect_min_ms = 250;
	if (!ex->opts.reconnect_max_ms)
		ex->opts.reconnect_max_ms = 10000;
	if (ex->opts.reconnect_max_ms < ex->opts.reconnect_min_ms)
		ex->opts.reconnect_max_ms = ex->opts.reconnect_min_ms;
	ex->backoff_ms = ex->opts.reconnect_min_ms;
	ex->conn_state = CONN_CONNECTING;

	ex->uri = strdup(uri ? uri : CRMD_EXEC_DEFAULT_URI);
	if (!ex->uri) {
		rc = -ENOMEM;
		goto free_ex;
	}
	if (virInitialize() < 0) {
		rc = -EIO;
		goto free_uri;
	}
	rc = crmd_exec_event_bind(loop);
	if (rc < 0)
		goto free_uri;
	pthread_mutex_init(&ex->lock, NULL);
	pthread_cond_init(&ex->work_cond, NULL);
	pthread_cond_init(&ex->change_cond, NULL);
	ex->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ex->wake_fd < 0) {
		rc = -errno;
		goto destroy_sync;
	}
	rc = qb_loop_poll_add(loop, QB_LOOP_HIGH, ex->wake_fd, POLLIN, ex, on_wake);
	if (rc < 0) {
		qb_loop_poll_del(loop, ex->wake_fd);
		goto close_wake;
	}
	for (unsigned i = 0; i < ex->opts.n_workers; i++) {
		rc = spawn_worker(ex);
		if (rc < 0)
			goto stop_workers;
	}
	start_connect(ex);
	if (!ex->connect_inflight) {
		rc = -ENOMEM;
		goto stop_workers;
	}
	*ret_exec = ex;
	return 0;

stop_workers:
	pthread_mutex_lock(&ex->lock);
	ex->stopping = true;
	pthread_cond_broadcast(&ex->work_cond);
	pthread_mutex_unlock(&ex->lock);
	for (unsigned i = 0; i < ex->n_threads; i++)
		pthread_join(ex->threads[i], NULL);
	qb_loop_poll_del(loop, ex->wake_fd);
close_wake:
	close(ex->wake_fd);
destroy_sync:
	pthread_cond_destroy(&ex->change_cond);
	pthread_cond_destroy(&ex->work_cond);
	pthread_mutex_destroy(&ex->lock);
	crmd_exec_event_unbind(loop);
free_uri:
	free(ex->uri);
free_ex:
	free(ex);
	return rc;
}

static void drop_list(struct crmd_exec *ex, struct crmd_exec_job *j)
{
	while (j) {
		struct crmd_exec_job *next = j->next;
		if (j->timer_armed)
			qb_loop_timer_del(ex->loop, j->timer);
		if (j->op == CRMD_EXEC_OP_CONNECT || j->op == CRMD_EXEC_OP_DISCONNECT)
			release_conn(j->conn, j->lifecycle_id);
		job_free(j);
		j = next;
	}
}

/* The rest of an executor whose last worker outlived crmd_exec_free(): runs on
 * that worker, so it touches nothing of the loop (all removed already). */
static void free_orphaned(struct crmd_exec *ex)
{
	struct crmd_exec_job *lists[] = { ex->done_head, ex->queue, ex->parked };
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (struct crmd_exec_job *j = lists[l]; j;) {
			struct crmd_exec_job *next = j->next;
			if (j->op == CRMD_EXEC_OP_CONNECT || j->op == CRMD_EXEC_OP_DISCONNECT)
				release_conn(j->conn, j->lifecycle_id);
			job_free(j);
			j = next;
		}
	}
	release_conn(ex->conn, ex->lifecycle_id);
	close(ex->wake_fd);
	for (size_t i = 0; i < ex->n_seen; i++)
		free(ex->seen[i].domain);
	free(ex->seen);
	pthread_cond_destroy(&ex->change_cond);
	pthread_cond_destroy(&ex->work_cond);
	pthread_mutex_destroy(&ex->lock);
	free(ex->uri);
	free(ex);
}

void crmd_exec_free(struct crmd_exec *ex)
{
	if (!ex)
		return;
	pthread_mutex_lock(&ex->lock);
	ex->stopping = true;
	pthread_cond_broadcast(&ex->work_cond);
	pthread_cond_broadcast(&ex->change_cond);
	pthread_mutex_unlock(&ex->lock);

	/* A worker returns when its libvirt call does; keepalive bounds that on
	 * an established remote link, but not while the first open hangs.  A
	 * daemon must still be able to exit: past the grace, the stuck workers
	 * are let go and the executor is left to them (a bounded leak, at exit),
	 * minus what belongs to the loop. */
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	uint64_t ns = (uint64_t)deadline.tv_nsec + (uint64_t)ex->opts.free_grace_ms * 1000000ULL;
	deadline.tv_sec += (time_t)(ns / 1000000000ULL);
	deadline.tv_nsec = (long)(ns % 1000000000ULL);
	unsigned stuck = 0;
	bool stuck_at[CRMD_EXEC_MAX_WORKERS] = { false };
	for (unsigned i = 0; i < ex->n_threads; i++) {
		if (pthread_timedjoin_np(ex->threads[i], NULL, &deadline) != 0) {
			stuck_at[i] = true;
			stuck++;
		}
	}
	if (stuck) {
		/* Everything of the loop goes now; the rest is the orphans'. */
		pthread_mutex_lock(&ex->lock);
		struct crmd_exec_job *lists[] = { ex->done_head, ex->queue, ex->parked,
						  ex->running };
		for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
			for (struct crmd_exec_job *j = lists[l]; j; j = j->next) {
				if (j->timer_armed)
					qb_loop_timer_del(ex->loop, j->timer);
				j->timer_armed = false;
			}
		}
		if (ex->reconnect_armed)
			qb_loop_timer_del(ex->loop, ex->reconnect_timer);
		ex->reconnect_armed = false;
		qb_loop_poll_del(ex->loop, ex->wake_fd);
		ex->n_orphans = stuck;
		/* Those that finished meanwhile are joined; the others detached. */
		for (unsigned i = 0; i < ex->n_threads; i++) {
			if (!stuck_at[i])
				continue;
			if (pthread_tryjoin_np(ex->threads[i], NULL) == 0)
				ex->n_orphans--;
			else
				pthread_detach(ex->threads[i]);
		}
		bool gone = ex->n_orphans == 0;
		qb_loop_t *loop = ex->loop;
		pthread_mutex_unlock(&ex->lock);
		/* libvirt may still use the event loop for a stuck call: then it
		 * stays bound (one user more) until the process ends. */
		if (gone) {
			free_orphaned(ex);
			crmd_exec_event_unbind(loop);
		}
		return;
	}

	/* Workers are gone: everything left is ours, no lock needed. */
	drop_list(ex, ex->parked);
	drop_list(ex, ex->queue);
	drop_list(ex, ex->done_head);
	if (ex->reconnect_armed)
		qb_loop_timer_del(ex->loop, ex->reconnect_timer);
	qb_loop_poll_del(ex->loop, ex->wake_fd);
	close(ex->wake_fd);
	release_conn(ex->conn, ex->lifecycle_id);
	ex->conn = NULL;
	/* Abandoned jobs were freed by their workers via the done list above;
	 * the connection's own watches and timers go with the unbind. */
	crmd_exec_event_unbind(ex->loop);
	for (size_t i = 0; i < ex->n_seen; i++)
		free(ex->seen[i].domain);
	free(ex->seen);
	pthread_cond_destroy(&ex->change_cond);
	pthread_cond_destroy(&ex->work_cond);
	pthread_mutex_destroy(&ex->lock);
	free(ex->uri);
	free(ex);
}

int crmd_exec_submit(struct crmd_exec *ex, const struct crmd_exec_action *a,
		     crmd_exec_done_fn done, void *done_data)
{
	if (!ex || !a || !done || a->timeout_ms == 0)
		return -EINVAL;
	switch (a->op) {
	case CRMD_EXEC_START:
		if (!a->rsc_id || !a->config)
			return -EINVAL;
		break;
	case CRMD_EXEC_MIGRATE:
		if (!a->rsc_id || !a->migrate_to)
			return -EINVAL;
		break;
	case CRMD_EXEC_STOP:
	case CRMD_EXEC_MONITOR:
		if (!a->rsc_id)
			return -EINVAL;
		break;
	case CRMD_EXEC_PROBE:
		break;
	default:
		return -EINVAL;
	}
	if (a->rsc_id && a->rsc_id[0] == '\0')
		return -EINVAL;

	struct crmd_exec_job *job = job_new(ex, a->op);
	if (!job)
		return -ENOMEM;
	job->timeout_ms = a->timeout_ms;
	job->shutdown_timeout_ms = a->shutdown_timeout_ms;
	job->done = done;
	job->done_data = done_data;
	if ((a->rsc_id && !(job->rsc_id = strdup(a->rsc_id))) ||
	    (a->config && !(job->config = strdup(a->config))) ||
	    (a->migrate_to && !(job->migrate_to = strdup(a->migrate_to))) ||
	    (a->migrate_data && !(job->migrate_data = strdup(a->migrate_data)))) {
		job_free(job);
		return -ENOMEM;
	}
	int rc = qb_loop_timer_add(ex->loop, QB_LOOP_HIGH, (uint64_t)a->timeout_ms * 1000000ULL,
				   job, on_job_timeout, &job->timer);
	if (rc < 0) {
		job_free(job);
		return rc;
	}
	job->timer_armed = true;

	pthread_mutex_lock(&ex->lock);
	switch (ex->conn_state) {
	case CONN_UP:
		job->phase = JOB_QUEUED;
		list_append(&ex->queue, &ex->queue_tail, job);
		pthread_cond_signal(&ex->work_cond);
		break;
	case CONN_CONNECTING:
		job->phase = JOB_PARKED;
		list_append(&ex->parked, &ex->parked_tail, job);
		break;
	case CONN_DOWN:
		fail_notconn_locked(ex, job, NULL);
		break;
	}
	pthread_mutex_unlock(&ex->lock);
	return 0;
}

bool crmd_exec_is_up(const struct crmd_exec *ex)
{
	return ex && ex->conn_state == CONN_UP;
}

const char *crmd_exec_uri(const struct crmd_exec *ex)
{
	return ex ? ex->uri : NULL;
}
