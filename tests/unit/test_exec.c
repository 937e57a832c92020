/* test_exec.c - the libvirt executor against libvirt's in-memory test driver.
 *
 * test:///default needs no daemon; it is shared by every connection of this
 * process and reset when the last one closes, so each test starts clean.  It
 * starts and stops instantly and cannot migrate.  A hung hypervisor is played
 * by a unix socket that accepts connections and never answers. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <qb/qbloop.h>

#include "exec.h"
#include "exec_int.h"

#define TEST_URI "test:///default"

static qb_loop_t *loop;
static char tmpdir[] = "/tmp/vigil-test-exec.XXXXXX";

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

/* ---- running the loop until something happened ---- */

static void deadline_fn(void *data)
{
	*(bool *)data = true;
	qb_loop_stop(loop);
}

/* Runs the loop until *flag or @ms pass; returns *flag. */
static bool run_until(bool *flag, unsigned ms)
{
	bool expired = false;
	qb_loop_timer_handle th;
	assert_int_equal(qb_loop_timer_add(loop, QB_LOOP_LOW, (uint64_t)ms * 1000000ULL,
					   &expired, deadline_fn, &th), 0);
	while (!*flag && !expired)
		qb_loop_run(loop);
	if (!expired)
		qb_loop_timer_del(loop, th);
	return *flag;
}

static void run_for(unsigned ms)
{
	bool never = false;
	run_until(&never, ms);
}

/* ---- recording events and results ---- */

#define MAX_EVENTS 64
struct rec_event {
	enum crmd_exec_event_type type;
	char domain[64], event[32], detail[32], message[256];
	enum crmd_exec_state state;
	uint64_t time_ms;
};

struct recorder {
	struct rec_event ev[MAX_EVENTS];
	size_t n;
	bool up, down;
	bool wake;   /* set by any event: run_until() target */
};

static void on_event(const struct crmd_exec_event *e, void *data)
{
	struct recorder *r = data;
	if (r->n < MAX_EVENTS) {
		struct rec_event *x = &r->ev[r->n++];
		x->type = e->type;
		snprintf(x->domain, sizeof(x->domain), "%s", e->domain ? e->domain : "");
		snprintf(x->event, sizeof(x->event), "%s", e->event ? e->event : "");
		snprintf(x->detail, sizeof(x->detail), "%s", e->detail ? e->detail : "");
		snprintf(x->message, sizeof(x->message), "%s", e->message ? e->message : "");
		x->state = e->state;
		x->time_ms = e->time_ms;
	}
	if (e->type == CRMD_EXEC_EV_HYPERVISOR_UP)
		r->up = true;
	if (e->type == CRMD_EXEC_EV_HYPERVISOR_DOWN)
		r->down = true;
	r->wake = true;
	qb_loop_stop(loop);
}

static const struct rec_event *find_event(const struct recorder *r, const char *domain,
					  const char *event, const char *detail)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct rec_event *x = &r->ev[i];
		if (x->type == CRMD_EXEC_EV_DOMAIN && strcmp(x->domain, domain) == 0 &&
		    strcmp(x->event, event) == 0 && (!detail || strcmp(x->detail, detail) == 0))
			return x;
	}
	return NULL;
}

/* Copies the first matching event; false when there is none. */
static bool get_event(const struct recorder *r, const char *domain, const char *event,
		      const char *detail, struct rec_event *ret)
{
	const struct rec_event *x = find_event(r, domain, event, detail);
	if (x)
		*ret = *x;
	return x != NULL;
}

static bool wait_event(struct recorder *r, const char *domain, const char *event,
		       const char *detail, unsigned ms)
{
	uint64_t until = now_ms() + ms;
	while (!find_event(r, domain, event, detail) && now_ms() < until) {
		r->wake = false;
		run_until(&r->wake, (unsigned)(until - now_ms()) + 1);
	}
	return find_event(r, domain, event, detail) != NULL;
}

struct outcome {
	bool done;
	int calls;
	int rc;
	char message[512];
	enum crmd_exec_state state;
	char reason[32];
	uint64_t elapsed_us, libvirt_us;
	size_t n_domains;
	char names[8][32];
	enum crmd_exec_state states[8];
	char reasons[8][32];
};

static void on_done(const struct crmd_exec_result *res, void *data)
{
	struct outcome *o = data;
	o->done = true;
	o->calls++;
	o->rc = res->rc;
	assert_non_null(res->message);
	assert_non_null(res->state_reason);
	snprintf(o->message, sizeof(o->message), "%s", res->message);
	o->state = res->state;
	snprintf(o->reason, sizeof(o->reason), "%s", res->state_reason);
	o->elapsed_us = res->elapsed_us;
	o->libvirt_us = res->libvirt_us;
	o->n_domains = res->n_domains;
	for (size_t i = 0; i < res->n_domains && i < 8; i++) {
		snprintf(o->names[i], sizeof(o->names[i]), "%s", res->domains[i].name);
		o->states[i] = res->domains[i].state;
		snprintf(o->reasons[i], sizeof(o->reasons[i]), "%s", res->domains[i].reason);
	}
	qb_loop_stop(loop);
}

/* Submits and waits for the outcome; the callback must come exactly once. */
static struct outcome act(struct crmd_exec *ex, enum crmd_exec_op op, const char *rsc,
			  const char *config, uint32_t timeout_ms)
{
	struct outcome o = { 0 };
	struct crmd_exec_action a = {
		.op = op, .rsc_id = rsc, .config = config, .timeout_ms = timeout_ms,
	};
	if (op == CRMD_EXEC_MIGRATE)
		a.migrate_to = "test:///default";
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o), 0);
	assert_false(o.done);   /* never from inside submit */
	assert_true(run_until(&o.done, timeout_ms + 2000));
	run_for(1);
	assert_int_equal(o.calls, 1);
	printf("# %s %s: rc=%d state=%s(%s) %s\n", crmd_exec_op_name(op), rsc ? rsc : "-",
	       o.rc, crmd_exec_state_name(o.state), o.reason, o.message);
	return o;
}

static struct crmd_exec *new_exec(struct recorder *r, const char *uri,
				  const struct crmd_exec_options *opts)
{
	struct crmd_exec *ex = NULL;
	assert_int_equal(crmd_exec_new(loop, uri, opts, on_event, r, &ex), 0);
	assert_non_null(ex);
	return ex;
}

static struct crmd_exec *new_up(struct recorder *r)
{
	struct crmd_exec *ex = new_exec(r, TEST_URI, NULL);
	assert_true(run_until(&r->up, 5000));
	assert_true(crmd_exec_is_up(ex));
	return ex;
}

static char *write_file(const char *name, const char *text)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static char *domain_xml(const char *file, const char *name)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "<domain type='test'>\n  <name>%s</name>\n  <memory>65536</memory>\n"
		 "  <os><type>hvm</type></os>\n</domain>\n", name);
	return write_file(file, text);
}

/* ---- libvirt's event loop on qb_loop ---- */

struct tick {
	int fired;
	bool freed;
	int id;
	int remove_after;   /* remove itself after this many firings (0 = never) */
};

static void tick_cb(int timer, void *opaque)
{
	struct tick *t = opaque;
	t->fired++;
	if (t->remove_after && t->fired == t->remove_after) {
		assert_int_equal(virEventRemoveTimeout(timer), 0);
		/* the free callback must not run from inside the remove call */
		assert_false(t->freed);
	}
}

static void tick_free(void *opaque)
{
	((struct tick *)opaque)->freed = true;
}

static void test_event_timeouts(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);   /* binds the event implementation */

	struct tick off = { 0 }, every = { 0 }, period = { 0 }, once = { .remove_after = 1 };
	off.id = virEventAddTimeout(-1, tick_cb, &off, tick_free);
	every.id = virEventAddTimeout(0, tick_cb, &every, tick_free);
	period.id = virEventAddTimeout(50, tick_cb, &period, tick_free);
	once.id = virEventAddTimeout(10, tick_cb, &once, tick_free);
	assert_true(off.id > 0 && every.id > 0 && period.id > 0 && once.id > 0);

	run_for(330);
	assert_int_equal(off.fired, 0);            /* -1: disabled */
	assert_true(every.fired > 20);             /* 0: every iteration */
	assert_in_range(period.fired, 3, 7);       /* 50 ms: about 6 in 330 ms */
	assert_int_equal(once.fired, 1);           /* removed from its own callback */
	assert_true(once.freed);                   /* ... and freed later */

	/* enable the disabled one, disable the others */
	virEventUpdateTimeout(off.id, 20);
	virEventUpdateTimeout(every.id, -1);
	virEventUpdateTimeout(period.id, -1);
	int every_then = every.fired, period_then = period.fired;
	run_for(110);
	assert_true(off.fired >= 3);
	assert_int_equal(every.fired, every_then);
	assert_int_equal(period.fired, period_then);

	assert_int_equal(virEventRemoveTimeout(off.id), 0);
	assert_false(off.freed);                   /* deferred */
	assert_int_equal(virEventRemoveTimeout(off.id), -1);
	int off_then = off.fired;
	run_for(60);
	assert_true(off.freed);
	assert_int_equal(off.fired, off_then);
	assert_int_equal(virEventRemoveTimeout(every.id), 0);
	assert_int_equal(virEventRemoveTimeout(period.id), 0);
	run_for(5);
	assert_true(every.freed && period.freed);
	crmd_exec_free(ex);
}

struct pipe_watch {
	int fired;
	int last_events;
	bool freed;
};

static void pipe_cb(int watch, int fd, int events, void *opaque)
{
	struct pipe_watch *p = opaque;
	char buf[16];
	p->fired++;
	p->last_events = events;
	if (events & VIR_EVENT_HANDLE_READABLE)
		assert_true(read(fd, buf, sizeof(buf)) > 0);
}

static void pipe_free(void *opaque)
{
	((struct pipe_watch *)opaque)->freed = true;
}

static void test_event_handles(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);
	int fds[2];
	assert_int_equal(pipe(fds), 0);

	struct pipe_watch p = { 0 };
	int w = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, pipe_cb, &p, pipe_free);
	assert_true(w > 0);
	run_for(20);
	assert_int_equal(p.fired, 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	run_for(20);
	assert_int_equal(p.fired, 1);
	assert_true(p.last_events & VIR_EVENT_HANDLE_READABLE);

	/* events 0: no callback while disabled, back when enabled */
	virEventUpdateHandle(w, 0);
	run_for(10);
	assert_int_equal(write(fds[1], "y", 1), 1);
	run_for(30);
	assert_int_equal(p.fired, 1);
	virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
	run_for(30);
	assert_int_equal(p.fired, 2);

	/* a hang-up is reported even though only readable was asked for */
	close(fds[1]);
	run_for(30);
	assert_true(p.fired >= 3);
	assert_true(p.last_events & VIR_EVENT_HANDLE_HANGUP);

	assert_int_equal(virEventRemoveHandle(w), 0);
	assert_false(p.freed);
	assert_int_equal(virEventRemoveHandle(w), -1);
	run_for(10);
	assert_true(p.freed);
	close(fds[0]);
	crmd_exec_free(ex);
}

/* ---- actions ---- */

static void test_probe(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);
	struct outcome o = act(ex, CRMD_EXEC_PROBE, NULL, NULL, 5000);
	assert_int_equal(o.rc, 0);
	/* the test driver's default domain */
	assert_int_equal(o.n_domains, 1);
	assert_string_equal(o.names[0], "test");
	assert_int_equal(o.states[0], CRMD_EXEC_STATE_RUNNING);
	crmd_exec_free(ex);
}

static void test_start_stop_monitor(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);
	char *xml = domain_xml("vm1.xml", "vm1");

	struct outcome o = act(ex, CRMD_EXEC_MONITOR, "vm1", NULL, 5000);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.state, CRMD_EXEC_STATE_ABSENT);

	o = act(ex, CRMD_EXEC_START, "vm1", xml, 5000);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.state, CRMD_EXEC_STATE_RUNNING);
	assert_string_equal(o.reason, "booted");
	assert_true(o.libvirt_us <= o.elapsed_us);
	assert_true(wait_event(&r, "vm1", "started", "booted", 2000));
	struct rec_event e = { 0 };
	assert_true(get_event(&r, "vm1", "started", NULL, &e));
	assert_int_equal(e.state, CRMD_EXEC_STATE_RUNNING);

	/* starting a running domain succeeds and changes nothing */
	o = act(ex, CRMD_EXEC_START, "vm1", xml, 5000);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.state, CRMD_EXEC_STATE_RUNNING);
	assert_non_null(strstr(o.message, "already running"));

	o = act(ex, CRMD_EXEC_MONITOR, "vm1", NULL, 5000);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.state, CRMD_EXEC_STATE_RUNNING);

	o = act(ex, CRMD_EXEC_PROBE, NULL, NULL, 5000);
	assert_int_equal(o.n_domains, 2);
	assert_string_equal(o.names[0], "test");   /* sorted */
	assert_string_equal(o.names[1], "vm1");

	o = act(ex, CRMD_EXEC_STOP, "vm1", NULL, 5000);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.state, CRMD_EXEC_STATE_STOPPED);
	assert_true(wait_event(&r, "vm1", "stopped", NULL, 2000));

	/* stopping a stopped domain, and one that does not exist, succeeds */
	o = act(ex, CRMD_EXEC_STOP, "vm1", NULL, 5000);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.state, CRMD_EXEC_STATE_STOPPED);
	o = act(ex, CRMD_EXEC_STOP, "nosuchvm", NULL, 5000);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.state, CRMD_EXEC_STATE_ABSENT);

	/* defined and shut off: probe says so */
	o = act(ex, CRMD_EXEC_PROBE, NULL, NULL, 5000);
	assert_int_equal(o.n_domains, 2);
	assert_int_equal(o.states[1], CRMD_EXEC_STATE_STOPPED);

	free(xml);
	crmd_exec_free(ex);
}

static void test_start_bad_config(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);

	/* missing file */
	struct outcome o = act(ex, CRMD_EXEC_START, "vm2", "/nonexistent/vm2.xml", 5000);
	assert_int_equal(o.rc, -ENOENT);
	assert_non_null(strstr(o.message, "/nonexistent/vm2.xml"));
	assert_int_equal(o.state, CRMD_EXEC_STATE_UNKNOWN);

	/* not XML */
	char *broken = write_file("broken.xml", "<domain type='test'><name>vm2</name>");
	o = act(ex, CRMD_EXEC_START, "vm2", broken, 5000);
	assert_int_equal(o.rc, -EINVAL);
	assert_non_null(strstr(o.message, "not well-formed"));
	assert_non_null(strstr(o.message, broken));

	/* another domain's XML: refused, and nothing gets defined */
	char *other = domain_xml("other.xml", "other");
	o = act(ex, CRMD_EXEC_START, "vm2", other, 5000);
	assert_int_equal(o.rc, -EINVAL);
	assert_non_null(strstr(o.message, "'other'"));
	assert_non_null(strstr(o.message, "'vm2'"));
	o = act(ex, CRMD_EXEC_MONITOR, "other", NULL, 5000);
	assert_int_equal(o.state, CRMD_EXEC_STATE_ABSENT);

	/* well-formed but libvirt refuses it: libvirt's own words come back */
	char *bad = write_file("bad.xml", "<domain type='nosuchtype'><name>vm2</name>"
					  "<memory>65536</memory><os><type>hvm</type></os>"
					  "</domain>");
	o = act(ex, CRMD_EXEC_START, "vm2", bad, 5000);
	assert_true(o.rc < 0);
	assert_non_null(strstr(o.message, "cannot define 'vm2'"));
	assert_non_null(strstr(o.message, "nosuchtype"));

	/* the others are unaffected */
	char *good = domain_xml("vm3.xml", "vm3");
	o = act(ex, CRMD_EXEC_START, "vm3", good, 5000);
	assert_int_equal(o.rc, 0);

	free(broken);
	free(other);
	free(bad);
	free(good);
	crmd_exec_free(ex);
}

static void test_migrate_unsupported(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);
	struct outcome o = act(ex, CRMD_EXEC_MIGRATE, "nosuchvm", NULL, 5000);
	assert_int_equal(o.rc, -ENOENT);
	/* the test driver cannot migrate: a clean error, the domain stays */
	o = act(ex, CRMD_EXEC_MIGRATE, "test", NULL, 5000);
	assert_true(o.rc == -EOPNOTSUPP || o.rc == -EINVAL);
	assert_non_null(strstr(o.message, "cannot migrate 'test'"));
	assert_int_equal(o.state, CRMD_EXEC_STATE_RUNNING);
	crmd_exec_free(ex);
}

static void test_submit_invalid(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);
	struct outcome o = { 0 };
	struct crmd_exec_action a = { .op = CRMD_EXEC_START, .rsc_id = "vm1", .timeout_ms = 100 };
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o), -EINVAL);  /* no config */
	a = (struct crmd_exec_action){ .op = CRMD_EXEC_MIGRATE, .rsc_id = "vm1", .timeout_ms = 1 };
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o), -EINVAL);  /* no destination */
	a = (struct crmd_exec_action){ .op = CRMD_EXEC_MONITOR, .rsc_id = "vm1" };
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o), -EINVAL);  /* no timeout */
	a = (struct crmd_exec_action){ .op = CRMD_EXEC_STOP, .timeout_ms = 100 };
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o), -EINVAL);  /* no resource */
	run_for(20);
	assert_int_equal(o.calls, 0);
	crmd_exec_free(ex);
}

/* A VM that stops behind the cluster's back is known at once. */
static void test_events_behind_our_back(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);
	char *xml = domain_xml("vm4.xml", "vm4");
	struct outcome o = act(ex, CRMD_EXEC_START, "vm4", xml, 5000);
	assert_int_equal(o.rc, 0);

	/* someone else, on their own connection */
	virConnectPtr other = virConnectOpen(TEST_URI);
	assert_non_null(other);
	virDomainPtr dom = virDomainLookupByName(other, "vm4");
	assert_non_null(dom);

	assert_int_equal(virDomainSuspend(dom), 0);
	assert_true(wait_event(&r, "vm4", "suspended", "paused", 2000));
	struct rec_event e = { 0 };
	assert_true(get_event(&r, "vm4", "suspended", NULL, &e));
	assert_int_equal(e.state, CRMD_EXEC_STATE_PAUSED);
	o = act(ex, CRMD_EXEC_MONITOR, "vm4", NULL, 5000);
	assert_int_equal(o.state, CRMD_EXEC_STATE_PAUSED);
	assert_string_equal(o.reason, "user");
	assert_int_equal(virDomainResume(dom), 0);
	assert_true(wait_event(&r, "vm4", "resumed", NULL, 2000));

	uint64_t t0 = now_ms();
	assert_int_equal(virDomainDestroy(dom), 0);
	assert_true(wait_event(&r, "vm4", "stopped", "destroyed", 2000));
	assert_true(get_event(&r, "vm4", "stopped", "destroyed", &e));
	assert_int_equal(e.state, CRMD_EXEC_STATE_STOPPED);
	printf("# event latency (destroy behind our back -> event): %llu ms\n",
	       (unsigned long long)(e.time_ms - t0));
	assert_true(e.time_ms - t0 < 1000);

	virDomainFree(dom);
	virConnectClose(other);
	free(xml);
	crmd_exec_free(ex);
}

/* ---- a hung hypervisor: it accepts the connection and never answers ---- */

static int hung_listen(const char *path)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 8), 0);
	return s;
}

static int32_t hung_accept(int32_t fd, int32_t revents, void *data)
{
	int *peer = data;
	int c = accept(fd, NULL, NULL);
	if (c >= 0) {
		if (*peer >= 0)
			close(*peer);
		*peer = c;    /* kept open, never read */
	}
	return 0;
}

static void test_timeouts_hung_hypervisor(void **state)
{
	char path[128], uri[256];
	snprintf(path, sizeof(path), "%s/hung.sock", tmpdir);
	snprintf(uri, sizeof(uri), "test+unix:///default?socket=%s", path);
	int lsock = hung_listen(path);
	int peer = -1;
	assert_int_equal(qb_loop_poll_add(loop, QB_LOOP_HIGH, lsock, POLLIN, &peer,
					  hung_accept), 0);

	struct recorder r = { 0 };
	struct crmd_exec_options opts = { .n_workers = 2, .reconnect_min_ms = 50 };
	struct crmd_exec *ex = new_exec(&r, uri, &opts);

	/* The action waits for the first connection, which never comes: it must
	 * time out on time, and the loop keeps running meanwhile. */
	struct outcome o = { 0 };
	struct crmd_exec_action a = { .op = CRMD_EXEC_MONITOR, .rsc_id = "vm1",
				      .timeout_ms = 300 };
	uint64_t t0 = now_ms();
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o), 0);
	bool tick = false;
	qb_loop_timer_handle th;
	assert_int_equal(qb_loop_timer_add(loop, QB_LOOP_HIGH, 100 * 1000000ULL, &tick,
					   deadline_fn, &th), 0);
	assert_true(run_until(&tick, 1000));
	uint64_t t_tick = now_ms() - t0;
	assert_true(run_until(&o.done, 3000));
	uint64_t t_done = now_ms() - t0;
	assert_int_equal(o.rc, -ETIMEDOUT);
	assert_non_null(strstr(o.message, "timed out after 300 ms"));
	assert_int_equal(o.state, CRMD_EXEC_STATE_UNKNOWN);
	printf("# hung hypervisor: loop timer at %llu ms, timeout reported at %llu ms\n",
	       (unsigned long long)t_tick, (unsigned long long)t_done);
	assert_in_range(t_tick, 90, 250);
	assert_in_range(t_done, 295, 800);
	assert_false(r.up);

	/* The hypervisor goes away: the connect fails, we hear "down", and
	 * actions fail fast from then on. */
	qb_loop_poll_del(loop, lsock);
	close(lsock);
	unlink(path);
	if (peer >= 0)
		close(peer);
	assert_true(run_until(&r.down, 5000));
	bool saw_down = false;
	for (size_t i = 0; i < r.n; i++) {
		if (r.ev[i].type == CRMD_EXEC_EV_HYPERVISOR_DOWN) {
			saw_down = true;
			assert_non_null(strstr(r.ev[i].message, path));
		}
	}
	assert_true(saw_down);
	assert_false(crmd_exec_is_up(ex));

	o = (struct outcome){ 0 };
	a.timeout_ms = 5000;
	t0 = now_ms();
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o), 0);
	assert_true(run_until(&o.done, 1000));
	assert_int_equal(o.rc, -ENOTCONN);
	assert_true(now_ms() - t0 < 100);

	/* reconnect attempts keep failing quietly: one "down", no "up" */
	run_for(300);
	size_t downs = 0;
	for (size_t i = 0; i < r.n; i++)
		downs += r.ev[i].type == CRMD_EXEC_EV_HYPERVISOR_DOWN;
	assert_int_equal(downs, 1);
	assert_false(r.up);
	crmd_exec_free(ex);
}

/* The executor's own cost on a start, beyond libvirt's calls (goal < 20 ms). */
static void test_bench_overhead(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_up(&r);
	char *xml = domain_xml("bench.xml", "bench");
	uint64_t sum = 0, max = 0, lv = 0;
	const int n = 20;
	for (int i = 0; i < n; i++) {
		struct outcome o = act(ex, CRMD_EXEC_START, "bench", xml, 5000);
		assert_int_equal(o.rc, 0);
		uint64_t over = o.elapsed_us - o.libvirt_us;
		sum += over;
		lv += o.libvirt_us;
		if (over > max)
			max = over;
		o = act(ex, CRMD_EXEC_STOP, "bench", NULL, 5000);
		assert_int_equal(o.rc, 0);
	}
	printf("# executor overhead on start (test driver, %d runs): mean %.3f ms, "
	       "max %.3f ms; libvirt calls mean %.3f ms\n", n, (double)sum / n / 1000.0,
	       (double)max / 1000.0, (double)lv / n / 1000.0);
	/* a loose sanity bound: the goal is 20 ms, sanitizers and load cost some */
	assert_true(sum / n < 20000);
	free(xml);
	crmd_exec_free(ex);
}

/* A hypervisor that hangs while we connect must not hang our exit. */
static void test_free_while_stuck(void **state)
{
	char path[128], uri[256];
	snprintf(path, sizeof(path), "%s/stuck.sock", tmpdir);
	snprintf(uri, sizeof(uri), "test+unix:///default?socket=%s", path);
	int lsock = hung_listen(path);
	int peer = -1;
	assert_int_equal(qb_loop_poll_add(loop, QB_LOOP_HIGH, lsock, POLLIN, &peer,
					  hung_accept), 0);
	struct recorder r = { 0 };
	struct crmd_exec_options opts = { .n_workers = 1, .free_grace_ms = 200 };
	struct crmd_exec *ex = new_exec(&r, uri, &opts);
	struct outcome o = { 0 };
	struct crmd_exec_action a = { .op = CRMD_EXEC_PROBE, .timeout_ms = 10000 };
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o), 0);
	run_for(100);           /* the connect job is now inside libvirt */
	uint64_t t0 = now_ms();
	crmd_exec_free(ex);
	uint64_t took = now_ms() - t0;
	printf("# free with a worker stuck in connect returned after %llu ms\n",
	       (unsigned long long)took);
	assert_in_range(took, 150, 1500);
	run_for(20);
	assert_int_equal(o.calls, 0);
	/* the hypervisor goes away: the stuck worker returns and exits quietly */
	qb_loop_poll_del(loop, lsock);
	close(lsock);
	unlink(path);
	if (peer >= 0)
		close(peer);
	run_for(300);
}

/* Actions submitted before the first connection wait for it, then run. */
static void test_submit_before_up(void **state)
{
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_exec(&r, TEST_URI, NULL);
	assert_false(crmd_exec_is_up(ex));
	assert_string_equal(crmd_exec_uri(ex), TEST_URI);
	struct outcome o = act(ex, CRMD_EXEC_MONITOR, "test", NULL, 5000);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.state, CRMD_EXEC_STATE_RUNNING);
	assert_true(r.up);
	crmd_exec_free(ex);
}

static void test_free_with_pending(void **state)
{
	/* Freed right away, with actions parked and queued: no callback, no leak. */
	struct recorder r = { 0 };
	struct crmd_exec *ex = new_exec(&r, TEST_URI, NULL);
	struct outcome o1 = { 0 }, o2 = { 0 };
	struct crmd_exec_action a = { .op = CRMD_EXEC_PROBE, .timeout_ms = 5000 };
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o1), 0);
	assert_int_equal(crmd_exec_submit(ex, &a, on_done, &o2), 0);
	crmd_exec_free(ex);
	run_for(20);
	assert_int_equal(o1.calls + o2.calls, 0);
	crmd_exec_free(NULL);
}

/* The reconciliation rule lives in these two mappings. */
static void test_state_mapping(void **state)
{
	const char *r, *e, *d;
	enum crmd_exec_state st;
	assert_int_equal(crmd_exec_state_from_virt(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION,
						   &r), CRMD_EXEC_STATE_MIGRATING);
	assert_string_equal(r, "migration");
	assert_int_equal(crmd_exec_state_from_virt(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY,
						   &r), CRMD_EXEC_STATE_MIGRATING);
	assert_int_equal(crmd_exec_state_from_virt(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, &r),
			 CRMD_EXEC_STATE_PAUSED);
	assert_int_equal(crmd_exec_state_from_virt(VIR_DOMAIN_PAUSED,
						   VIR_DOMAIN_PAUSED_STARTING_UP, &r),
			 CRMD_EXEC_STATE_STARTING);
	assert_int_equal(crmd_exec_state_from_virt(VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED,
						   &r), CRMD_EXEC_STATE_CRASHED);
	assert_int_equal(crmd_exec_state_from_virt(VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_MIGRATED,
						   &r), CRMD_EXEC_STATE_STOPPED);
	assert_string_equal(r, "migrated");
	assert_int_equal(crmd_exec_state_from_virt(VIR_DOMAIN_SHUTDOWN, 0, &r),
			 CRMD_EXEC_STATE_RUNNING);
	assert_int_equal(crmd_exec_state_from_virt(VIR_DOMAIN_CRASHED, 0, &r),
			 CRMD_EXEC_STATE_CRASHED);

	/* a migration seen through events: never two RUNNING sides */
	crmd_exec_event_names(VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_MIGRATED,
			      &e, &d, &st);
	assert_int_equal(st, CRMD_EXEC_STATE_MIGRATING);   /* destination, not yet running */
	crmd_exec_event_names(VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED,
			      &e, &d, &st);
	assert_int_equal(st, CRMD_EXEC_STATE_MIGRATING);   /* source, paused for the copy */
	assert_string_equal(e, "suspended");
	assert_string_equal(d, "migrated");
	crmd_exec_event_names(VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED,
			      &e, &d, &st);
	assert_int_equal(st, CRMD_EXEC_STATE_RUNNING);     /* destination takes over */
	crmd_exec_event_names(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_MIGRATED,
			      &e, &d, &st);
	assert_int_equal(st, CRMD_EXEC_STATE_STOPPED);
	/* kill -9 of QEMU */
	crmd_exec_event_names(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED,
			      &e, &d, &st);
	assert_int_equal(st, CRMD_EXEC_STATE_CRASHED);
	assert_string_equal(d, "failed");
	crmd_exec_event_names(VIR_DOMAIN_EVENT_DEFINED, 0, &e, &d, &st);
	assert_int_equal(st, CRMD_EXEC_STATE_UNKNOWN);
	crmd_exec_event_names(999, 0, &e, &d, &st);
	assert_string_equal(e, "unknown");
}

static void test_names(void **state)
{
	assert_string_equal(crmd_exec_op_name(CRMD_EXEC_MIGRATE), "migrate");
	assert_string_equal(crmd_exec_state_name(CRMD_EXEC_STATE_MIGRATING), "migrating");
	assert_string_equal(crmd_exec_state_name(CRMD_EXEC_STATE_CRASHED), "crashed");
	assert_string_equal(crmd_exec_state_name(CRMD_EXEC_STATE_STARTING), "starting");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_state_mapping),
		cmocka_unit_test(test_event_timeouts),
		cmocka_unit_test(test_event_handles),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_start_stop_monitor),
		cmocka_unit_test(test_start_bad_config),
		cmocka_unit_test(test_migrate_unsupported),
		cmocka_unit_test(test_submit_invalid),
		cmocka_unit_test(test_events_behind_our_back),
		cmocka_unit_test(test_timeouts_hung_hypervisor),
		cmocka_unit_test(test_submit_before_up),
		cmocka_unit_test(test_free_with_pending),
		cmocka_unit_test(test_free_while_stuck),
		cmocka_unit_test(test_bench_overhead),
	};
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	loop = qb_loop_create();
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	qb_loop_destroy(loop);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
