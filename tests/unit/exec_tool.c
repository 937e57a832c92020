/* exec_tool.c - drives the executor against a real hypervisor for exec-qemu.sh.
 *
 *   exec_tool URI probe
 *   exec_tool URI start|stop|monitor RSC [XML]
 *   exec_tool URI migrate RSC DEST_URI [DATA_URI]
 *   exec_tool URI scenario RSC XML QEMU_PIDFILE LIBVIRTD_PIDFILE RESTART_CMD
 *   exec_tool SRC_URI migrate-scenario RSC XML DST_URI MIGRATE_TO MIGRATE_BACK SERIAL_LOG
 *
 * The scenario runs in one process so that it sees every event: start, crash by
 * kill -9 of QEMU (detection latency), start again, hypervisor killed and
 * restarted under a running VM (down, up, the VM untouched), hypervisor hung
 * by SIGSTOP (action timeout, keepalive, back on SIGCONT), stop (graceful,
 * or destroy after the shutdown timeout), probe.  The migration scenario starts
 * a guest on one hypervisor, live-migrates it to the other while monitoring
 * both every 20 ms (never running twice), and checks that its heartbeat went
 * on counting; then a migration back with a too short timeout must be aborted
 * and leave the VM where it was.  Each step prints one line;
 * "FAIL:" lines make the exit status 1. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qb/qbloop.h>

#include "exec.h"

static qb_loop_t *loop;
static int failures;

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			printf("FAIL: " __VA_ARGS__);      \
			printf("\n");                      \
			failures++;                        \
		}                                          \
	} while (0)

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

static void deadline_fn(void *data)
{
	*(bool *)data = true;
	qb_loop_stop(loop);
}

static bool run_until(bool *flag, unsigned ms)
{
	bool expired = false;
	qb_loop_timer_handle th;
	if (qb_loop_timer_add(loop, QB_LOOP_LOW, (uint64_t)ms * 1000000ULL, &expired,
			      deadline_fn, &th) != 0)
		return false;
	while (!*flag && !expired)
		qb_loop_run(loop);
	if (!expired)
		qb_loop_timer_del(loop, th);
	return *flag;
}

/* ---- events ---- */

struct seen {
	const char *label;
	struct seen *peer;            /* the other side of a migration */
	enum crmd_exec_state ev_state; /* as implied by the last domain event */
	bool up, down, wake;
	uint64_t up_ms, down_ms;
	char want_domain[64], want_event[32];
	bool got;
	uint64_t got_ms;
	char got_detail[32];
	enum crmd_exec_state got_state;
};

static void on_event(const struct crmd_exec_event *e, void *data)
{
	struct seen *s = data;
	switch (e->type) {
	case CRMD_EXEC_EV_HYPERVISOR_UP:
		printf("event%s: hypervisor up (%s)\n", s->label, e->message ? e->message : "");
		s->up = true;
		s->up_ms = e->time_ms;
		break;
	case CRMD_EXEC_EV_HYPERVISOR_DOWN:
		printf("event%s: hypervisor down (%s)\n", s->label, e->message ? e->message : "");
		s->down = true;
		s->down_ms = e->time_ms;
		break;
	case CRMD_EXEC_EV_DOMAIN:
		printf("event%s: %s %s(%s) -> %s\n", s->label, e->domain, e->event, e->detail,
		       crmd_exec_state_name(e->state));
		if (e->state != CRMD_EXEC_STATE_UNKNOWN)
			s->ev_state = e->state;
		if (s->peer && s->ev_state == CRMD_EXEC_STATE_RUNNING &&
		    s->peer->ev_state == CRMD_EXEC_STATE_RUNNING) {
			printf("FAIL: by the events, '%s' runs on both hypervisors\n", e->domain);
			failures++;
		}
		if (!s->got && strcmp(e->domain, s->want_domain) == 0 &&
		    strcmp(e->event, s->want_event) == 0) {
			s->got = true;
			s->got_ms = e->time_ms;
			snprintf(s->got_detail, sizeof(s->got_detail), "%s", e->detail);
			s->got_state = e->state;
		}
		break;
	}
	fflush(stdout);
	s->wake = true;
	qb_loop_stop(loop);
}

static void expect_event(struct seen *s, const char *domain, const char *event)
{
	snprintf(s->want_domain, sizeof(s->want_domain), "%s", domain);
	snprintf(s->want_event, sizeof(s->want_event), "%s", event);
	s->got = false;
}

/* ---- actions ---- */

struct outcome {
	bool done;
	int rc;
	enum crmd_exec_state state;
	char message[512];
	uint64_t elapsed_us, libvirt_us;
};

static void on_done(const struct crmd_exec_result *r, void *data)
{
	struct outcome *o = data;
	o->done = true;
	o->rc = r->rc;
	o->state = r->state;
	o->elapsed_us = r->elapsed_us;
	o->libvirt_us = r->libvirt_us;
	snprintf(o->message, sizeof(o->message), "%s", r->message);
	printf("%s %s: rc=%d state=%s(%s) elapsed=%.1f ms libvirt=%.1f ms overhead=%.2f ms: %s\n",
	       crmd_exec_op_name(r->op), r->rsc_id ? r->rsc_id : "-", r->rc,
	       crmd_exec_state_name(r->state), r->state_reason, r->elapsed_us / 1000.0,
	       r->libvirt_us / 1000.0, (double)(r->elapsed_us - r->libvirt_us) / 1000.0,
	       r->message);
	for (size_t i = 0; i < r->n_domains; i++)
		printf("domain: %s %s %s%s\n", r->domains[i].name,
		       crmd_exec_state_name(r->domains[i].state), r->domains[i].reason,
		       r->domains[i].persistent ? "" : " transient");
	fflush(stdout);
	qb_loop_stop(loop);
}

static struct outcome act(struct crmd_exec *ex, struct crmd_exec_action *a)
{
	struct outcome o = { 0 };
	if (crmd_exec_submit(ex, a, on_done, &o) < 0) {
		o.rc = -EINVAL;
		return o;
	}
	run_until(&o.done, a->timeout_ms + 5000);
	return o;
}

static long read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = -1;
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return pid;
}

static long file_size(const char *path)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	long n = 0;
	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fclose(f);
	}
	return n;
}

/* Waits (running the loop) until @text appears in @path past @offset. */
static bool wait_text(const char *path, const char *text, long offset, unsigned ms)
{
	uint64_t until = now_ms() + ms;
	char buf[65536];
	while (now_ms() < until) {
		FILE *f = fopen(path, "r");
		if (f) {
			fseek(f, offset, SEEK_SET);
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = '\0';
			if (strstr(buf, text))
				return true;
		}
		bool never = false;
		run_until(&never, 200);
	}
	return false;
}

static int scenario(struct crmd_exec *ex, struct seen *s, const char *rsc, const char *xml,
		    const char *qemu_pidfile, const char *libvirtd_pidfile, const char *restart)
{
	struct crmd_exec_action start = { .op = CRMD_EXEC_START, .rsc_id = rsc, .config = xml,
					  .timeout_ms = 60000 };
	struct crmd_exec_action mon = { .op = CRMD_EXEC_MONITOR, .rsc_id = rsc,
					.timeout_ms = 10000 };

	/* 1. start; the executor's own cost beyond libvirt's calls */
	struct outcome o = act(ex, &start);
	CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_RUNNING, "start: %s", o.message);
	printf("bench: start took %.1f ms, libvirt %.1f ms, executor overhead %.2f ms (goal < 20)\n",
	       o.elapsed_us / 1000.0, o.libvirt_us / 1000.0,
	       (double)(o.elapsed_us - o.libvirt_us) / 1000.0);

	/* 2. crash: kill -9 of QEMU is known within milliseconds */
	long pid = read_pid(qemu_pidfile);
	CHECK(pid > 1, "no QEMU pid in %s", qemu_pidfile);
	if (pid > 1) {
		expect_event(s, rsc, "stopped");
		uint64_t t0 = now_ms();
		kill((pid_t)pid, SIGKILL);
		uint64_t until = t0 + 10000;
		while (!s->got && now_ms() < until) {
			s->wake = false;
			run_until(&s->wake, (unsigned)(until - now_ms()) + 1);
		}
		CHECK(s->got, "no stopped event within 10 s of kill -9");
		if (s->got) {
			printf("bench: crash (kill -9 of QEMU) -> event stopped(%s) in %llu ms\n",
			       s->got_detail, (unsigned long long)(s->got_ms - t0));
			CHECK(s->got_state == CRMD_EXEC_STATE_CRASHED, "event state %s, not crashed",
			      crmd_exec_state_name(s->got_state));
		}
		o = act(ex, &mon);
		CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_CRASHED, "monitor after crash: %s",
		      crmd_exec_state_name(o.state));
	}

	/* 3. start again (it was defined: start redefines from the same file) */
	const char *wait_file = getenv("EXEC_WAIT_FILE");
	long boot_offset = file_size(wait_file);
	o = act(ex, &start);
	CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_RUNNING, "restart: %s", o.message);

	/* 4. the hypervisor dies and comes back: reported, VM untouched */
	long lpid = read_pid(libvirtd_pidfile);
	CHECK(lpid > 1, "no libvirtd pid in %s", libvirtd_pidfile);
	if (lpid > 1) {
		s->down = s->up = false;
		uint64_t t0 = now_ms();
		kill((pid_t)lpid, SIGKILL);
		run_until(&s->down, 20000);
		CHECK(s->down, "no hypervisor-down event within 20 s");
		if (s->down)
			printf("bench: libvirtd killed -> hypervisor down reported in %llu ms\n",
			       (unsigned long long)(s->down_ms - t0));
		o = act(ex, &mon);
		CHECK(o.rc == -ENOTCONN && o.elapsed_us < 100000,
		      "monitor while down: rc=%d after %llu us (want -ENOTCONN, fast)", o.rc,
		      (unsigned long long)o.elapsed_us);
		t0 = now_ms();
		CHECK(system(restart) == 0, "restart command failed: %s", restart);
		run_until(&s->up, 30000);
		CHECK(s->up, "no hypervisor-up event within 30 s of the restart");
		if (s->up)
			printf("bench: libvirtd restarted -> hypervisor up reported in %llu ms\n",
			       (unsigned long long)(s->up_ms - t0));
		o = act(ex, &mon);
		CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_RUNNING,
		      "the VM did not survive the libvirtd restart: %s %s",
		      crmd_exec_state_name(o.state), o.message);
	}

	/* 4b. the hypervisor hangs (SIGSTOP): an action times out on time without
	 * blocking anything, keepalive declares the link dead, and once the
	 * daemon runs again the link comes back by itself */
	lpid = read_pid(libvirtd_pidfile);
	if (lpid > 1) {
		s->down = s->up = false;
		uint64_t t0 = now_ms();
		kill((pid_t)lpid, SIGSTOP);
		struct crmd_exec_action quick = mon;
		quick.timeout_ms = 1000;
		o = act(ex, &quick);
		CHECK(o.rc == -ETIMEDOUT || o.rc == -ENOTCONN,
		      "monitor on a hung hypervisor: rc=%d %s", o.rc, o.message);
		CHECK(o.elapsed_us < 1500000, "monitor on a hung hypervisor took %llu ms",
		      (unsigned long long)o.elapsed_us / 1000);
		run_until(&s->down, 30000);
		CHECK(s->down, "keepalive did not declare the hung hypervisor down within 30 s");
		if (s->down)
			printf("bench: libvirtd stopped (SIGSTOP) -> hypervisor down reported in %llu ms "
			       "(keepalive 2 s x 2)\n", (unsigned long long)(s->down_ms - t0));
		t0 = now_ms();
		kill((pid_t)lpid, SIGCONT);
		run_until(&s->up, 30000);
		CHECK(s->up, "no hypervisor-up event within 30 s of SIGCONT");
		if (s->up)
			printf("bench: libvirtd resumed -> hypervisor up reported in %llu ms\n",
			       (unsigned long long)(s->up_ms - t0));
		o = act(ex, &mon);
		CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_RUNNING,
		      "the VM did not survive the hung libvirtd: %s %s",
		      crmd_exec_state_name(o.state), o.message);
	}

	/* A guest that can shut down gracefully must have booted and started its ACPI
	 * daemon first (the tiny guest prints its heartbeat after that). */
	const char *wait = getenv("EXEC_WAIT"), *wait_for = getenv("EXEC_WAIT_TEXT");
	if (wait && strcmp(wait, "yes") == 0 && wait_file && wait_for) {
		uint64_t t0 = now_ms();
		bool booted = wait_text(wait_file, wait_for, boot_offset, 60000);
		CHECK(booted, "the guest did not print '%s' within 60 s", wait_for);
		printf("guest booted (%llu ms after the libvirtd restart step)\n",
		       (unsigned long long)(now_ms() - t0));
	}

	/* 5. stop: graceful shutdown, or destroy once the shutdown timeout passed */
	const char *grace = getenv("EXEC_SHUTDOWN_MS");
	struct crmd_exec_action stop = { .op = CRMD_EXEC_STOP, .rsc_id = rsc, .timeout_ms = 60000,
					 .shutdown_timeout_ms = grace ? (uint32_t)atoi(grace) : 8000 };
	const char *how = getenv("EXEC_EXPECT_STOP");   /* "graceful" or "destroy" */
	o = act(ex, &stop);
	CHECK(o.rc == 0 && (o.state == CRMD_EXEC_STATE_STOPPED || o.state == CRMD_EXEC_STATE_ABSENT),
	      "stop: %s", o.message);
	if (how && strcmp(how, "graceful") == 0)
		CHECK(strstr(o.message, "shut down in") != NULL, "not graceful: %s", o.message);
	if (how && strcmp(how, "destroy") == 0)
		CHECK(strstr(o.message, "destroyed") != NULL, "not destroyed: %s", o.message);

	/* 6. what runs here now */
	struct crmd_exec_action probe = { .op = CRMD_EXEC_PROBE, .timeout_ms = 10000 };
	o = act(ex, &probe);
	CHECK(o.rc == 0, "probe: %s", o.message);
	return failures ? 1 : 0;
}

/* ---- live migration: watched from both sides ---- */

struct poller {
	struct crmd_exec *src, *dst;
	const char *rsc;
	int pending;
	enum crmd_exec_state s_src, s_dst, last_src, last_dst;
	char r_src[32], r_dst[32];
	int rounds, both_running, one_migrating;
	bool stop;
	qb_loop_timer_handle th;
};

static void poll_timer(void *data);

static void poll_round_done(struct poller *p)
{
	p->rounds++;
	if (p->rounds == 1 || p->s_src != p->last_src || p->s_dst != p->last_dst)
		printf("watch: source %s(%s), destination %s(%s)\n",
		       crmd_exec_state_name(p->s_src), p->r_src, crmd_exec_state_name(p->s_dst),
		       p->r_dst);
	p->last_src = p->s_src;
	p->last_dst = p->s_dst;
	if (p->s_src == CRMD_EXEC_STATE_RUNNING && p->s_dst == CRMD_EXEC_STATE_RUNNING) {
		p->both_running++;
		printf("FAIL: '%s' runs on both hypervisors at once\n", p->rsc);
		failures++;
	}
	if (p->s_src == CRMD_EXEC_STATE_MIGRATING && p->s_dst == CRMD_EXEC_STATE_RUNNING)
		p->one_migrating++;
	if (!p->stop)
		qb_loop_timer_add(loop, QB_LOOP_MED, 20 * 1000000ULL, p, poll_timer, &p->th);
}

static void poll_src_done(const struct crmd_exec_result *r, void *data)
{
	struct poller *p = data;
	p->s_src = r->state;
	snprintf(p->r_src, sizeof(p->r_src), "%s", r->state_reason);
	if (--p->pending == 0)
		poll_round_done(p);
}

static void poll_dst_done(const struct crmd_exec_result *r, void *data)
{
	struct poller *p = data;
	p->s_dst = r->state;
	snprintf(p->r_dst, sizeof(p->r_dst), "%s", r->state_reason);
	if (--p->pending == 0)
		poll_round_done(p);
}

static void poll_timer(void *data)
{
	struct poller *p = data;
	struct crmd_exec_action a = { .op = CRMD_EXEC_MONITOR, .rsc_id = p->rsc,
				      .timeout_ms = 10000 };
	p->pending = 2;
	if (crmd_exec_submit(p->src, &a, poll_src_done, p) < 0)
		p->pending--;
	if (crmd_exec_submit(p->dst, &a, poll_dst_done, p) < 0)
		p->pending--;
	if (p->pending == 0)
		poll_round_done(p);
}

/* The last heartbeat counter in the guest's serial log, and whether it booted
 * after @offset. */
static long last_heartbeat(const char *path, long offset, bool *ret_booted)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long n = -1;
	*ret_booted = false;
	if (!f)
		return -1;
	fseek(f, offset, SEEK_SET);
	while (fgets(line, sizeof(line), f)) {
		const char *h = strstr(line, "VIGIL-GUEST HEARTBEAT");
		const char *k = h ? strstr(h, " n=") : NULL;
		if (k)
			n = strtol(k + 3, NULL, 10);
		if (strstr(line, "VIGIL-GUEST BOOTED"))
			*ret_booted = true;
	}
	fclose(f);
	return n;
}

static int migrate_scenario(struct crmd_exec *src, struct crmd_exec *dst, const char *rsc,
			    const char *xml, const char *migrate_to, const char *migrate_back,
			    const char *serial, struct seen *src_seen)
{
	struct crmd_exec_action start = { .op = CRMD_EXEC_START, .rsc_id = rsc, .config = xml,
					  .timeout_ms = 60000 };
	struct outcome o = act(src, &start);
	CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_RUNNING, "start: %s", o.message);
	CHECK(wait_text(serial, "VIGIL-GUEST HEARTBEAT", 0, 60000), "no heartbeat from the guest");
	bool booted;
	long n_before = last_heartbeat(serial, 0, &booted);
	long offset = file_size(serial);

	struct poller p = { .src = src, .dst = dst, .rsc = rsc };
	poll_timer(&p);
	struct crmd_exec_action mig = { .op = CRMD_EXEC_MIGRATE, .rsc_id = rsc,
					.migrate_to = migrate_to, .timeout_ms = 120000 };
	o = act(src, &mig);
	CHECK(o.rc == 0, "migrate: %s", o.message);
	printf("bench: migration took %.1f ms, libvirt %.1f ms, executor overhead %.2f ms (goal < 20)\n",
	       o.elapsed_us / 1000.0, o.libvirt_us / 1000.0,
	       (double)(o.elapsed_us - o.libvirt_us) / 1000.0);
	/* the source's "stopped(migrated)" comes a moment after the call returns */
	bool never = false;
	run_until(&never, 2500);
	p.stop = true;
	while (p.pending)
		run_until(&never, 50);
	qb_loop_timer_del(loop, p.th);
	printf("watch: %d rounds of monitors on both sides; %d saw source migrating while the "
	       "destination ran; %d saw it running twice\n", p.rounds, p.one_migrating,
	       p.both_running);
	CHECK(p.rounds > 10, "too few monitor rounds (%d)", p.rounds);

	struct crmd_exec_action mon = { .op = CRMD_EXEC_MONITOR, .rsc_id = rsc, .timeout_ms = 10000 };
	o = act(src, &mon);
	CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_ABSENT, "source after migration: %s",
	      crmd_exec_state_name(o.state));
	o = act(dst, &mon);
	CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_RUNNING, "destination after migration: %s",
	      crmd_exec_state_name(o.state));

	/* live: the heartbeat goes on counting, no reboot */
	CHECK(wait_text(serial, "VIGIL-GUEST HEARTBEAT", file_size(serial), 30000),
	      "no heartbeat after the migration");
	long n_after = last_heartbeat(serial, offset, &booted);
	printf("heartbeat: n=%ld before, n=%ld after the migration%s\n", n_before, n_after,
	       booted ? " (REBOOTED)" : "");
	CHECK(!booted && n_after > n_before, "the guest did not keep running through the migration");

	/* A migration back that times out is aborted: the VM stays where it is,
	 * and never ends up on both sides. */
	p.stop = false;
	poll_timer(&p);
	struct crmd_exec_action back = { .op = CRMD_EXEC_MIGRATE, .rsc_id = rsc,
					 .migrate_to = migrate_back, .timeout_ms = 500 };
	o = act(dst, &back);
	CHECK(o.rc == -ETIMEDOUT, "migration back with a 500 ms timeout: rc=%d %s", o.rc,
	      o.message);
	run_until(&never, 8000);
	p.stop = true;
	while (p.pending)
		run_until(&never, 50);
	qb_loop_timer_del(loop, p.th);
	/* the side that was to receive it saw started(migrated), stopped(failed):
	 * not a crash of the VM */
	CHECK(src_seen->ev_state == CRMD_EXEC_STATE_STOPPED,
	      "the aborted incoming migration left the state %s by the events (want stopped)",
	      crmd_exec_state_name(src_seen->ev_state));
	o = act(dst, &mon);
	CHECK(o.rc == 0 && o.state == CRMD_EXEC_STATE_RUNNING,
	      "after the aborted migration the destination has it %s, not running",
	      crmd_exec_state_name(o.state));
	o = act(src, &mon);
	CHECK(o.rc == 0 && o.state != CRMD_EXEC_STATE_RUNNING,
	      "after the aborted migration the source runs it too");

	struct crmd_exec_action stop = { .op = CRMD_EXEC_STOP, .rsc_id = rsc, .timeout_ms = 20000 };
	o = act(dst, &stop);
	CHECK(o.rc == 0, "stop on the destination: %s", o.message);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: exec_tool URI probe|start|stop|monitor|migrate|scenario ...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	loop = qb_loop_create();
	struct seen s = { .label = "" };
	struct crmd_exec *ex = NULL;
	struct crmd_exec_options opts = { .keepalive_interval_s = 2, .keepalive_count = 2 };
	int rc = crmd_exec_new(loop, argv[1], &opts, on_event, &s, &ex);
	if (rc < 0) {
		fprintf(stderr, "exec_tool: cannot create the executor: %s\n", strerror(-rc));
		return 1;
	}
	run_until(&s.up, 30000);
	if (!s.up) {
		fprintf(stderr, "exec_tool: %s did not come up\n", argv[1]);
		crmd_exec_free(ex);
		qb_loop_destroy(loop);
		return 1;
	}

	const char *cmd = argv[2];
	struct crmd_exec_action a = { .timeout_ms = 60000 };
	int status = 2;
	if (strcmp(cmd, "scenario") == 0 && argc == 8) {
		status = scenario(ex, &s, argv[3], argv[4], argv[5], argv[6], argv[7]);
	} else if (strcmp(cmd, "migrate-scenario") == 0 && argc == 9) {
		/* exec_tool SRC_URI migrate-scenario RSC XML DST_URI MIGRATE_TO
		 *           MIGRATE_BACK SERIAL_LOG */
		struct seen s2 = { .label = "[dst]" };
		struct crmd_exec *ex2 = NULL;
		s.label = "[src]";
		s.peer = &s2;
		s2.peer = &s;
		if (crmd_exec_new(loop, argv[5], &opts, on_event, &s2, &ex2) == 0 &&
		    run_until(&s2.up, 30000))
			status = migrate_scenario(ex, ex2, argv[3], argv[4], argv[6], argv[7],
						  argv[8], &s);
		else
			status = 1;
		crmd_exec_free(ex2);
	} else if (strcmp(cmd, "probe") == 0) {
		a.op = CRMD_EXEC_PROBE;
		status = act(ex, &a).rc ? 1 : 0;
	} else if (argc >= 4) {
		a.rsc_id = argv[3];
		if (strcmp(cmd, "start") == 0 && argc == 5) {
			a.op = CRMD_EXEC_START;
			a.config = argv[4];
		} else if (strcmp(cmd, "stop") == 0) {
			a.op = CRMD_EXEC_STOP;
		} else if (strcmp(cmd, "monitor") == 0) {
			a.op = CRMD_EXEC_MONITOR;
		} else if (strcmp(cmd, "migrate") == 0 && argc >= 5) {
			a.op = CRMD_EXEC_MIGRATE;
			a.migrate_to = argv[4];
			a.migrate_data = argc >= 6 ? argv[5] : NULL;
		} else {
			a.op = (enum crmd_exec_op)-1;
		}
		if ((int)a.op >= 0)
			status = act(ex, &a).rc ? 1 : 0;
	}
	if (status == 2)
		fprintf(stderr, "exec_tool: bad arguments\n");
	crmd_exec_free(ex);
	qb_loop_destroy(loop);
	return status;
}
