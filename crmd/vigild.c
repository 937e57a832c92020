/*
 * vigild.c - the Vigil daemon: one per host.
 *
 * This file binds the core's environment (crmd_core.h) to the real world: the
 * clock and timers of one qb_loop, Corosync through membership/, the disk
 * through store.c, clients through ipcs.c, logs through qb_log.  It holds no
 * decision of its own; everything that matters is the core's, so that the
 * simulator runs exactly the same logic.
 *
 * One thread runs the loop and the core.  The only other thread is the store's
 * writer (fsync must not stall the loop).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbdefs.h>
#include <qb/qblog.h>
#include <qb/qbloop.h>

#include "crmd_core.h"
#include "ipcs.h"
#include "mbr.h"
#include "store.h"
#include "vigild_exec.h"
#include "vigild_fence.h"

#define GROUP_NAME "vigil"
#define IPC_NAME "vigil"

struct options {
	const char *state_dir;
	const char *run_dir;
	const char *log_file;
	const char *cluster_name;
	const char *node_name;
	bool foreground;
	int verbose;
	unsigned shutdown_timeout_s;    /* drain limit on SIGTERM; 0: leave at once */
	/* Fence agent folders (--fence-agent-dir), searched before /usr/sbin. */
	const char *agent_dirs[10];     /* + /usr/sbin + NULL */
	size_t n_agent_dirs;
};

struct vigild {
	struct options opt;
	qb_loop_t *loop;
	struct crmd_core *core;
	struct mbr *mbr;
	struct crmd_store *store;
	struct crmd_ipcs *ipcs;
	struct vigild_exec *hv;         /* NULL when the executor could not start */
	struct vigild_fence *fence;     /* NULL: this node cannot fence */
	qb_loop_timer_handle timers[CRMD_TIMER_COUNT];
	bool timer_armed[CRMD_TIMER_COUNT];
	int exit_code;
	bool stopping;
	bool loop_stopped;

	/* DC failover measurement: from the membership callback to the new DC. */
	bool measuring;
	uint64_t view_us;
	uint32_t dc_before_view;
	uint32_t last_dc;
};

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the environment ---- */

static uint64_t env_now_ms(void *ctx)
{
	return mono_us() / 1000u;
}

struct timer_arg {
	struct vigild *d;
	enum crmd_timer t;
};

static struct timer_arg timer_args[CRMD_TIMER_COUNT];

static void handle(struct vigild *d, const struct crmd_event *ev);

static void timer_cb(void *data)
{
	struct timer_arg *a = data;
	a->d->timer_armed[a->t] = false;
	struct crmd_event ev = { .type = CRMD_EV_TIMER };
	ev.timer.timer = a->t;
	handle(a->d, &ev);
}

static void env_timer_cancel(void *ctx, enum crmd_timer t)
{
	struct vigild *d = ctx;
	if (d->timer_armed[t])
		qb_loop_timer_del(d->loop, d->timers[t]);
	d->timer_armed[t] = false;
}

static void env_timer_arm(void *ctx, enum crmd_timer t, uint64_t delay_ms)
{
	struct vigild *d = ctx;
	env_timer_cancel(ctx, t);
	timer_args[t] = (struct timer_arg){ d, t };
	if (qb_loop_timer_add(d->loop, QB_LOOP_MED, delay_ms * QB_TIME_NS_IN_MSEC, &timer_args[t],
			      timer_cb, &d->timers[t]) == 0)
		d->timer_armed[t] = true;
	else
		qb_log(LOG_ERR, "cannot arm timer %d", (int)t);
}

static int env_send(void *ctx, const void *frame, size_t len)
{
	struct vigild *d = ctx;
	return d->mbr ? mbr_send(d->mbr, frame, len) : -ENOTCONN;
}

/* A failed write is reported back as an event, like a completed one: never
 * into the core while it is calling us. */
struct failed_write {
	struct vigild *d;
	uint64_t id;
	int rc;
};

static void failed_write_job(void *data)
{
	struct failed_write *f = data;
	struct crmd_event ev = { .type = CRMD_EV_PERSISTED };
	ev.persisted.write_id = f->id;
	ev.persisted.rc = f->rc;
	handle(f->d, &ev);
	free(f);
}

static void env_persist(void *ctx, uint64_t write_id, const char *xml, size_t len,
			uint64_t term)
{
	struct vigild *d = ctx;
	int rc = crmd_store_write(d->store, write_id, xml, len, term);
	if (!rc)
		return;
	struct failed_write *f = malloc(sizeof(*f));
	if (!f) {
		qb_log(LOG_CRIT, "out of memory reporting a failed write");
		return;
	}
	*f = (struct failed_write){ d, write_id, rc };
	qb_loop_job_add(d->loop, QB_LOOP_HIGH, f, failed_write_job);
}

static void env_reply(void *ctx, uint64_t client_id, const char *json)
{
	struct vigild *d = ctx;
	if (d->ipcs)
		crmd_ipcs_reply(d->ipcs, client_id, json);
}

static void env_log(void *ctx, int level, const char *msg)
{
	qb_log(level, "%s", msg);
}

static int env_hv_submit(void *ctx, const struct crmd_hv_action *a)
{
	struct vigild *d = ctx;
	return d->hv ? vigild_exec_submit(d->hv, a) : -ENOTCONN;
}

static int env_fence_submit(void *ctx, const struct crmd_fence_action *a)
{
	struct vigild *d = ctx;
	return d->fence ? vigild_fence_submit(d->fence, a) : -ENOTCONN;
}

static uint64_t env_wall_ms(void *ctx)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Policy inputs: STATE_DIR/pe-input-N.xml, the newest PE_INPUTS_KEPT kept.
 * Small documents, no fsync: losing the last one in a crash costs nothing. */
#define PE_INPUTS_KEPT 100u

static void env_save_input(void *ctx, uint64_t seq, const char *xml, size_t len)
{
	struct vigild *d = ctx;
	char path[4096];
	snprintf(path, sizeof(path), "%s/pe-input-%" PRIu64 ".xml", d->opt.state_dir, seq);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(xml, 1, len, f) != len)
		qb_log(LOG_WARNING, "cannot save %s", path);
	else
		qb_log(LOG_DEBUG, "saved %s", path);
	if (f)
		fclose(f);
	if (seq > PE_INPUTS_KEPT) {
		snprintf(path, sizeof(path), "%s/pe-input-%" PRIu64 ".xml", d->opt.state_dir,
			 seq - PE_INPUTS_KEPT);
		unlink(path);
	}
}

/* ---- events into the core ---- */

/* After every event: did the DC change since the last membership change?
 * The time from Corosync's callback to the new DC is what failover costs us
 * on top of Corosync's own detection. */
static void watch_dc(struct vigild *d)
{
	uint32_t dc = crmd_core_dc(d->core);
	if (dc == d->last_dc)
		return;
	d->last_dc = dc;
	if (!d->measuring || !dc || dc == d->dc_before_view)
		return;
	if (!d->dc_before_view) {
		/* Joining, or quorum regained: not a failover. */
		d->measuring = false;
		return;
	}
	d->measuring = false;
	uint64_t us = mono_us() - d->view_us;
	qb_log(LOG_NOTICE, "new DC node %" PRIu32 " agreed %" PRIu64 ".%03" PRIu64
	       " ms after the membership change", dc, us / 1000u, us % 1000u);
}

static void handle(struct vigild *d, const struct crmd_event *ev)
{
	if (!d->core)
		return;
	crmd_core_handle(d->core, ev);
	watch_dc(d);
	/* A clean stop waits for the core's drain (doc/daemon.md). */
	if (d->stopping && !d->loop_stopped && crmd_core_shutdown_done(d->core)) {
		d->loop_stopped = true;
		qb_loop_stop(d->loop);
	}
}

static void hv_deliver(void *ctx, const struct crmd_event *ev)
{
	handle(ctx, ev);
}

static void fence_deliver(void *ctx, const struct crmd_event *ev)
{
	handle(ctx, ev);
}

static void on_ring(void *ctx, uint64_t ring_seq, const uint32_t *nodeids, size_t n)
{
	struct crmd_event ev = { .type = CRMD_EV_RING };
	ev.ring.seq = ring_seq;
	ev.ring.nodeids = nodeids;
	ev.ring.n = n;
	handle(ctx, &ev);
}

static enum crmd_reason reason(enum mbr_reason r)
{
	switch (r) {
	case MBR_REASON_JOIN: return CRMD_REASON_JOIN;
	case MBR_REASON_LEAVE: return CRMD_REASON_LEAVE;
	case MBR_REASON_NODEDOWN: return CRMD_REASON_NODEDOWN;
	case MBR_REASON_NODEUP: return CRMD_REASON_NODEUP;
	case MBR_REASON_PROCDOWN: return CRMD_REASON_PROCDOWN;
	case MBR_REASON_UNKNOWN: break;
	}
	return CRMD_REASON_UNKNOWN;
}

static void on_view(void *ctx, const struct mbr_member *members, size_t n,
		    const struct mbr_change *left, size_t n_left, const struct mbr_change *joined,
		    size_t n_joined)
{
	struct vigild *d = ctx;
	uint64_t t0 = mono_us();
	struct vg_member *m = calloc(n ? n : 1, sizeof(*m));
	struct crmd_change *l = calloc(n_left ? n_left : 1, sizeof(*l));
	struct crmd_change *j = calloc(n_joined ? n_joined : 1, sizeof(*j));
	if (!m || !l || !j) {
		qb_log(LOG_CRIT, "out of memory in a membership change: exiting");
		d->exit_code = 1;
		qb_loop_stop(d->loop);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		m[i] = (struct vg_member){ members[i].nodeid, members[i].pid };
	for (size_t i = 0; i < n_left; i++)
		l[i] = (struct crmd_change){ { left[i].member.nodeid, left[i].member.pid },
					     reason(left[i].reason) };
	for (size_t i = 0; i < n_joined; i++)
		j[i] = (struct crmd_change){ { joined[i].member.nodeid, joined[i].member.pid },
					     reason(joined[i].reason) };
	d->measuring = true;
	d->view_us = t0;
	d->dc_before_view = crmd_core_dc(d->core);
	struct crmd_event ev = { .type = CRMD_EV_VIEW };
	ev.view.members = m;
	ev.view.n = n;
	ev.view.left = l;
	ev.view.n_left = n_left;
	ev.view.joined = j;
	ev.view.n_joined = n_joined;
	handle(d, &ev);
	uint32_t cand = crmd_core_dc_candidate(d->core);
	if (cand && d->dc_before_view && cand != d->dc_before_view) {
		uint64_t us = mono_us() - t0;
		qb_log(LOG_INFO, "DC candidate node %" PRIu32 " chosen %" PRIu64 ".%03" PRIu64
		       " ms after the membership change", cand, us / 1000u, us % 1000u);
	}
out:
	free(m);
	free(l);
	free(j);
}

static void on_quorum(void *ctx, uint64_t ring_seq, bool quorate)
{
	struct crmd_event ev = { .type = CRMD_EV_QUORUM };
	ev.quorum.ring_seq = ring_seq;
	ev.quorum.quorate = quorate;
	ev.quorum.no_provider = ring_seq == 0;
	handle(ctx, &ev);
}

static void on_deliver(void *ctx, uint32_t nodeid, uint32_t pid, const void *msg, size_t len)
{
	struct crmd_event ev = { .type = CRMD_EV_MESSAGE };
	ev.message.nodeid = nodeid;
	ev.message.pid = pid;
	ev.message.buf = msg;
	ev.message.len = len;
	handle(ctx, &ev);
}

static void on_lost(void *ctx, const char *why)
{
	struct vigild *d = ctx;
	qb_log(LOG_CRIT, "lost the connection to corosync (%s): exiting; the service manager "
	       "restarts vigild, which rejoins and takes the cluster's configuration", why);
	d->exit_code = 1;
	qb_loop_stop(d->loop);
}

static void on_written(void *ctx, uint64_t write_id, int rc)
{
	struct crmd_event ev = { .type = CRMD_EV_PERSISTED };
	ev.persisted.write_id = write_id;
	ev.persisted.rc = rc;
	handle(ctx, &ev);
}

static void on_request(void *ctx, uint64_t client_id, const char *json, size_t len)
{
	struct crmd_event ev = { .type = CRMD_EV_REQUEST };
	ev.request.client_id = client_id;
	ev.request.json = json;
	ev.request.len = len;
	handle(ctx, &ev);
}

static void on_client_gone(void *ctx, uint64_t client_id)
{
	struct crmd_event ev = { .type = CRMD_EV_CLIENT_GONE };
	ev.client_gone.client_id = client_id;
	handle(ctx, &ev);
}

/* The first SIGTERM/SIGINT drains the node (its VMs move away, bounded by
 * --shutdown-timeout), then leaves the group; a second one leaves at once. */
static int32_t on_signal(int32_t sig, void *data)
{
	struct vigild *d = data;
	if (d->stopping || !d->core || !d->opt.shutdown_timeout_s) {
		qb_log(LOG_NOTICE, "signal %d: stopping%s", sig,
		       d->stopping ? " now, without waiting for the drain" : "");
		d->stopping = true;
		d->loop_stopped = true;
		qb_loop_stop(d->loop);
		return 0;
	}
	qb_log(LOG_NOTICE, "signal %d: draining this node before stopping (at most %u s; "
	       "signal again to stop at once)", sig, d->opt.shutdown_timeout_s);
	d->stopping = true;
	struct crmd_event ev = { .type = CRMD_EV_SHUTDOWN };
	ev.shutdown.timeout_ms = (uint64_t)d->opt.shutdown_timeout_s * 1000u;
	handle(d, &ev);
	return 0;
}

/* ---- start-up ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigild [OPTION]...\n"
		"The Vigil cluster daemon: keeps this host's share of the cluster's VMs running.\n"
		"It joins the Corosync process group \"" GROUP_NAME "\" and serves `vigil` over\n"
		"libqb IPC (\"" IPC_NAME "\"; root and group haclient only).\n"
		"\n"
		"  -s, --state-dir DIR    configuration store (default /var/lib/vigil)\n"
		"  -r, --run-dir DIR      runtime files: pid file and lock (default /run/vigil)\n"
		"  -l, --log-file FILE    also log to FILE\n"
		"  -f, --foreground       stay in the foreground and log to standard error\n"
		"  -c, --cluster-name N   name shown for the cluster (default: corosync's\n"
		"                         totem.cluster_name)\n"
		"  -n, --node-name N      this node's name (default: from corosync's nodelist)\n"
		"  -t, --shutdown-timeout S  on SIGTERM, drain this node (its VMs move away)\n"
		"                         for at most S seconds before leaving (default 120;\n"
		"                         0: leave at once, VMs untouched)\n"
		"  -a, --fence-agent-dir DIR  look for fence agents in DIR before /usr/sbin\n"
		"                         (may be given up to 8 times)\n"
		"  -v, --verbose          log debug messages too\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Exit status: 0 after a clean stop (SIGTERM, SIGINT); 1 when it cannot start or\n"
		"loses Corosync (it does not hang: run it under a service manager that restarts\n"
		"it); 2 on a bad command line.\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "cluster-name", required_argument, NULL, 'c' },
		{ "node-name", required_argument, NULL, 'n' },
		{ "shutdown-timeout", required_argument, NULL, 't' },
		{ "fence-agent-dir", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct options){ .state_dir = "/var/lib/vigil", .run_dir = "/run/vigil",
			       .shutdown_timeout_s = 120 };
	int c;
	char *end;
	unsigned long ul;
	while ((c = getopt_long(argc, argv, "s:r:l:fc:n:t:a:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->state_dir = optarg; break;
		case 'r': o->run_dir = optarg; break;
		case 'l': o->log_file = optarg; break;
		case 'f': o->foreground = true; break;
		case 'c': o->cluster_name = optarg; break;
		case 'n': o->node_name = optarg; break;
		case 't':
			errno = 0;
			ul = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || ul > 86400 || optarg[0] == '-') {
				fprintf(stderr, "vigild: --shutdown-timeout takes seconds (0-86400)\n");
				return 2;
			}
			o->shutdown_timeout_s = (unsigned)ul;
			break;
		case 'a':
			if (o->n_agent_dirs >= 8 || optarg[0] != '/') {
				fprintf(stderr, "vigild: --fence-agent-dir takes an absolute path, at "
					"most 8 times\n");
				return 2;
			}
			o->agent_dirs[o->n_agent_dirs++] = optarg;
			break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("vigild %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigild: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o->state_dir[0] != '/' || o->run_dir[0] != '/' || (o->log_file && o->log_file[0] != '/')) {
		fprintf(stderr, "vigild: --state-dir, --run-dir and --log-file take absolute paths\n");
		return 2;
	}
	return -1;
}

static int setup_logging(const struct options *o)
{
	qb_log_init("vigild", LOG_DAEMON, o->verbose ? LOG_DEBUG : LOG_INFO);
	int prio = o->verbose ? LOG_DEBUG : LOG_INFO;
	qb_log_format_set(QB_LOG_SYSLOG, "%b");
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, o->foreground ? QB_FALSE : QB_TRUE);
	if (!o->foreground)
		qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", prio);
	if (o->foreground) {
		qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", prio);
		qb_log_format_set(QB_LOG_STDERR, "%T %N[%P] %p: %b");
		qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
	}
	if (o->log_file) {
		int t = qb_log_file_open(o->log_file);
		if (t < 0) {
			fprintf(stderr, "vigild: cannot open log file %s: %s\n", o->log_file,
				strerror(-t));
			return -1;
		}
		qb_log_filter_ctl(t, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", prio);
		qb_log_format_set(t, "%T %N[%P] %p: %b");
		/* No fsync per line: it made a membership change cost tens of ms. */
		qb_log_ctl(t, QB_LOG_CONF_ENABLED, QB_TRUE);
	}
	return 0;
}

/* One vigild per run folder: the pid file is locked for the daemon's life. */
static int lock_run_dir(const char *dir)
{
	char path[4096];
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		qb_log(LOG_ERR, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/vigild.pid", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		qb_log(LOG_ERR, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		qb_log(LOG_ERR, "another vigild is running (%s is locked)", path);
		close(fd);
		return -1;
	}
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n)
		qb_log(LOG_WARNING, "cannot write %s: %s", path, strerror(errno));
	return fd; /* kept open: the lock lives as long as we do */
}

static int daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct vigild d = { .exit_code = 1 };
	int prc = parse_options(argc, argv, &d.opt);
	if (prc >= 0)
		return prc;
	if (setup_logging(&d.opt))
		return 1;
	if (!d.opt.foreground) {
		if (daemonize()) {
			qb_log(LOG_ERR, "cannot daemonize: %s", strerror(errno));
			return 1;
		}
		/* libqb remembers the PID it was initialized with: log as the child. */
		qb_log_fini();
		if (setup_logging(&d.opt))
			return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	int lock_fd = lock_run_dir(d.opt.run_dir);
	if (lock_fd < 0)
		goto out_log;
	qb_log(LOG_NOTICE, "vigild %s starting (state %s, run %s)", PACKAGE_VERSION,
	       d.opt.state_dir, d.opt.run_dir);

	d.loop = qb_loop_create();
	if (!d.loop) {
		qb_log(LOG_ERR, "cannot create the main loop");
		goto out_lock;
	}
	qb_loop_signal_handle sh;
	qb_loop_signal_add(d.loop, QB_LOOP_HIGH, SIGTERM, &d, on_signal, &sh);
	qb_loop_signal_add(d.loop, QB_LOOP_HIGH, SIGINT, &d, on_signal, &sh);

	int rc = crmd_store_new(d.loop, d.opt.state_dir, on_written, &d, &d.store);
	if (rc) {
		qb_log(LOG_ERR, "cannot use state folder %s: %s", d.opt.state_dir, strerror(-rc));
		goto out_loop;
	}
	char *stored = NULL, *problem = NULL;
	size_t stored_len = 0;
	uint64_t stored_term = 0;
	rc = crmd_store_load(d.opt.state_dir, &stored, &stored_len, &stored_term, &problem);
	if (rc == -EBADMSG) {
		qb_log(LOG_ERR, "the stored configuration is damaged: %s; taking the cluster's",
		       problem ? problem : "?");
	} else if (rc == -ENOENT) {
		qb_log(LOG_NOTICE, "no stored configuration in %s: taking the cluster's",
		       d.opt.state_dir);
	} else if (rc) {
		qb_log(LOG_ERR, "cannot read the stored configuration: %s", strerror(-rc));
	}
	free(problem);

	/* Corosync: names first (cmap), then the group. */
	struct mbr_node *nodes = NULL;
	size_t n_nodes = 0;
	char *cmap_cluster = NULL;
	rc = mbr_read_nodelist(&nodes, &n_nodes, &cmap_cluster);
	if (rc) {
		qb_log(LOG_ERR, "cannot read corosync's configuration (%s): is corosync running?",
		       strerror(-rc));
		goto out_stored;
	}
	struct mbr_callbacks mcb = {
		.ring = on_ring, .view = on_view, .quorum = on_quorum, .deliver = on_deliver,
		.lost = on_lost,
	};
	rc = mbr_new(d.loop, GROUP_NAME, &mcb, &d, &d.mbr);
	if (rc) {
		qb_log(LOG_ERR, "cannot join corosync's process group (%s): is corosync running?",
		       strerror(-rc));
		goto out_nodes;
	}

	struct crmd_node_name *names = calloc(n_nodes ? n_nodes : 1, sizeof(*names));
	if (!names)
		goto out_mbr;
	for (size_t i = 0; i < n_nodes; i++)
		names[i] = (struct crmd_node_name){ nodes[i].nodeid, nodes[i].name };
	/* The hypervisor: events and results come back through the loop (none
	 * reach the core before it exists).  Without an executor the core is
	 * told this node runs no VMs (no hv_submit). */
	rc = vigild_exec_new(d.loop, NULL, hv_deliver, &d, &d.hv);
	if (rc)
		qb_log(LOG_WARNING, "no hypervisor executor (%s): this node runs no VMs",
		       strerror(-rc));
	struct crmd_env env = {
		.ctx = &d, .now_ms = env_now_ms, .timer_arm = env_timer_arm,
		.timer_cancel = env_timer_cancel, .group_send = env_send, .persist = env_persist,
		.reply = env_reply, .log = env_log, .hv_submit = d.hv ? env_hv_submit : NULL,
		.save_input = env_save_input, .fence_submit = env_fence_submit,
		.wall_ms = env_wall_ms,
	};
	struct crmd_core_config cfg = {
		.local_nodeid = mbr_local_nodeid(d.mbr),
		.local_pid = (uint32_t)getpid(),
		.local_name = d.opt.node_name,
		.cluster_name = d.opt.cluster_name ? d.opt.cluster_name : cmap_cluster,
		.nodes = names,
		.n_nodes = n_nodes,
	};
	rc = crmd_core_new(&env, &cfg, &d.core);
	free(names);
	if (rc) {
		qb_log(LOG_ERR, "cannot create the core: %s", strerror(-rc));
		vigild_exec_free(d.hv);
		d.hv = NULL;
		goto out_mbr;
	}
	/* Fencing: agents run as children of this loop. */
	d.opt.agent_dirs[d.opt.n_agent_dirs] = "/usr/sbin";
	const char *self_name = d.opt.node_name;
	for (size_t i = 0; !self_name && i < n_nodes; i++)
		if (nodes[i].nodeid == mbr_local_nodeid(d.mbr))
			self_name = nodes[i].name;
	rc = vigild_fence_new(d.loop, d.opt.agent_dirs, self_name, fence_deliver, &d, &d.fence);
	if (rc)
		qb_log(LOG_WARNING, "cannot run fence agents (%s): this node cannot fence",
		       strerror(-rc));
	for (size_t i = 0; i <= d.opt.n_agent_dirs; i++)
		qb_log(LOG_INFO, "fence agents are looked for in %s", d.opt.agent_dirs[i]);
	struct crmd_event start = { .type = CRMD_EV_START };
	start.start.xml = stored;
	start.start.len = stored_len;
	start.start.term = stored_term;
	crmd_core_handle(d.core, &start);

	struct crmd_ipcs_callbacks icb = { .request = on_request, .gone = on_client_gone,
					   .log = env_log };
	rc = crmd_ipcs_new(d.loop, IPC_NAME, &icb, &d, &d.ipcs);
	if (rc) {
		qb_log(LOG_ERR, "cannot serve IPC \"%s\": %s", IPC_NAME, strerror(-rc));
		goto out_core;
	}
	qb_log(LOG_NOTICE, "node %" PRIu32 " (pid %ld) joined group \"%s\"; serving IPC \"%s\"",
	       mbr_local_nodeid(d.mbr), (long)getpid(), GROUP_NAME, IPC_NAME);

	qb_loop_run(d.loop);
	if (d.stopping)
		d.exit_code = 0;

	crmd_ipcs_free(d.ipcs);
	d.ipcs = NULL;
out_core:
	/* Leave the group first: the others see a clean leave at once. */
	mbr_free(d.mbr);
	d.mbr = NULL;
	/* Never touches running VMs. */
	vigild_exec_free(d.hv);
	d.hv = NULL;
	/* Agents still running are killed: their results would have no DC. */
	vigild_fence_free(d.fence);
	d.fence = NULL;
	crmd_core_free(d.core);
	d.core = NULL;
	goto out_nodes;
out_mbr:
	mbr_free(d.mbr);
	d.mbr = NULL;
out_nodes:
	mbr_nodes_free(nodes, n_nodes);
	free(cmap_cluster);
out_stored:
	free(stored);
	for (int t = 0; t < CRMD_TIMER_COUNT; t++)
		if (d.timer_armed[t])
			qb_loop_timer_del(d.loop, d.timers[t]);
	crmd_store_free(d.store); /* waits for a write in progress */
out_loop:
	qb_loop_destroy(d.loop);
out_lock:
	close(lock_fd);
out_log:
	qb_log(LOG_NOTICE, "vigild exits with status %d", d.exit_code);
	qb_log_fini();
	return d.exit_code;
}
