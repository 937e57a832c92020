/*
 * test_core_rsc.c - the cores of three nodes with simulated hypervisors
 * (core_harness.c): probes at start, the DC's transitions start the VMs once
 * each, status shows them, a crash is recovered (stop, then start), a
 * restarted vigild takes its running VM back without any action.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core_harness.h"

struct sub {
	int node;
	struct crmd_hv_action a;
	char rsc[32];
	bool answered;
};

struct world {
	struct sub subs[256];
	size_t n;
	/* What each node's hypervisor runs: "vm1", "vm2" or "". */
	char runs[4][2][8];
	/* A resource whose domain XML is missing: every start of it fails. */
	char bad[8];
	/* A resource whose stops fail. */
	char stuck[8];
};

static struct world W;

static int hv(void *data, int node, const struct crmd_hv_action *a)
{
	struct world *w = data;
	assert_true(w->n < 256);
	struct sub *s = &w->subs[w->n++];
	s->node = node;
	s->a = *a;
	snprintf(s->rsc, sizeof(s->rsc), "%s", a->rsc_id ? a->rsc_id : "");
	s->a.rsc_id = s->rsc;
	s->a.config = NULL;
	s->a.migrate_to = NULL;
	return 0;
}

static void set_runs(int node, const char *rsc, bool on)
{
	for (int i = 0; i < 2; i++)
		if (on ? !W.runs[node][i][0] : !strcmp(W.runs[node][i], rsc)) {
			snprintf(W.runs[node][i], sizeof(W.runs[node][i]), "%s", on ? rsc : "");
			return;
		}
}

/* Answers every action not answered yet, as a well-behaved hypervisor. */
static void answer_all(struct harness *h)
{
	for (size_t i = 0; i < W.n; i++) {
		struct sub *s = &W.subs[i];
		if (s->answered)
			continue;
		s->answered = true;
		struct crmd_event ev = { .type = CRMD_EV_HV_DONE };
		ev.hv_done.call_id = s->a.call_id;
		ev.hv_done.message = "ok";
		struct crmd_hv_domain doms[2];
		size_t nd = 0;
		switch (s->a.op) {
		case CRMD_HV_PROBE:
			for (int k = 0; k < 2; k++)
				if (W.runs[s->node][k][0])
					doms[nd++] = (struct crmd_hv_domain){ W.runs[s->node][k], "running" };
			ev.hv_done.domains = doms;
			ev.hv_done.n_domains = nd;
			ev.hv_done.state = "unknown";
			break;
		case CRMD_HV_START:
			if (!strcmp(s->rsc, W.bad)) {
				ev.hv_done.rc = -ENOENT;
				ev.hv_done.state = "absent";
				ev.hv_done.message = "cannot read /x/bad.xml: No such file or directory";
				break;
			}
			set_runs(s->node, s->rsc, true);
			ev.hv_done.state = "running";
			break;
		case CRMD_HV_STOP:
			if (!strcmp(s->rsc, W.stuck)) {
				ev.hv_done.rc = -EIO;
				ev.hv_done.state = "unknown";
				ev.hv_done.message = "stop failed";
				break;
			}
			set_runs(s->node, s->rsc, false);
			ev.hv_done.state = "stopped";
			break;
		case CRMD_HV_MONITOR:
			ev.hv_done.state = "absent";
			for (int k = 0; k < 2; k++)
				if (!strcmp(W.runs[s->node][k], s->rsc))
					ev.hv_done.state = "running";
			break;
		default:
			ev.hv_done.state = "unknown";
			break;
		}
		h_handle(h, s->node, &ev);
	}
}

static void settle(struct harness *h)
{
	for (int i = 0; i < 30; i++) {
		h_run(h, 200);
		answer_all(h);
	}
	h_run(h, 500);
}

/* Lets @ms of simulated time pass (timers fire), answering every action. */
static void pass_ms(struct harness *h, uint64_t ms)
{
	uint64_t end = h_now(h) + ms;
	while (h_now(h) < end) {
		uint64_t t = h_now(h);
		h_run(h, 1000);
		answer_all(h);
		if (h_now(h) == t) {    /* no timer within a second: jump */
			h_run(h, end - t);
			answer_all(h);
			if (h_now(h) == t)
				break;  /* none at all before the end */
		}
	}
	settle(h);
}

static size_t count(enum crmd_hv_op op, const char *rsc)
{
	size_t n = 0;
	for (size_t i = 0; i < W.n; i++)
		n += W.subs[i].a.op == op && !strcmp(W.subs[i].rsc, rsc);
	return n;
}

static int runs_on(const char *rsc)
{
	int on = 0;
	for (int n = 1; n <= 3; n++)
		for (int k = 0; k < 2; k++)
			if (!strcmp(W.runs[n][k], rsc)) {
				assert_int_equal(on, 0); /* never twice */
				on = n;
			}
	return on;
}

/* The node of the last submission of @op for @rsc (0: none). */
static int last_node(enum crmd_hv_op op, const char *rsc)
{
	int node = 0;
	for (size_t i = 0; i < W.n; i++)
		if (W.subs[i].a.op == op && !strcmp(W.subs[i].rsc, rsc))
			node = W.subs[i].node;
	return node;
}

/* @rsc's QEMU dies on @node: its hypervisor says so by a lifecycle event. */
static void crash(struct harness *h, int node, const char *rsc)
{
	set_runs(node, rsc, false);
	struct crmd_event ev = { .type = CRMD_EV_HV_EVENT };
	ev.hv_event.kind = CRMD_HV_EV_DOMAIN;
	ev.hv_event.domain = rsc;
	ev.hv_event.state = "crashed";
	ev.hv_event.detail = "crashed";
	h_handle(h, node, &ev);
}

static const char *CIB =
	"<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">"
	"<configuration><crm_config><cluster_property_set id=\"o\">"
	"<nvpair id=\"o-s\" name=\"stonith-enabled\" value=\"false\"/>"
	"</cluster_property_set></crm_config>"
	"<rsc_defaults><meta_attributes id=\"d\">"
	"<nvpair id=\"d-s\" name=\"resource-stickiness\" value=\"100\"/>"
	"</meta_attributes></rsc_defaults>"
	"<nodes><node id=\"1\" uname=\"n1\"/><node id=\"2\" uname=\"n2\"/>"
	"<node id=\"3\" uname=\"n3\"/></nodes><resources>"
	"<primitive id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
	"<instance_attributes id=\"vm1-i\"><nvpair id=\"vm1-c\" name=\"config\" value=\"/x/vm1.xml\"/>"
	"</instance_attributes><meta_attributes id=\"vm1-m\">"
	"<nvpair id=\"vm1-mt\" name=\"migration-threshold\" value=\"2\"/>"
	"</meta_attributes><operations>"
	"<op id=\"vm1-mon\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>"
	"</operations></primitive>"
	"<primitive id=\"vm2\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
	"<instance_attributes id=\"vm2-i\"><nvpair id=\"vm2-c\" name=\"config\" value=\"/x/vm2.xml\"/>"
	"</instance_attributes></primitive>"
	"</resources><constraints/></configuration><status/></cib>";

static void load_config(struct harness *h)
{
	json_object *req = json_object_new_object();
	json_object_object_add(req, "version", json_object_new_int(1));
	json_object_object_add(req, "op", json_object_new_string("config-replace"));
	json_object_object_add(req, "xml", json_object_new_string(CIB));
	uint64_t id = h_request(h, 1, json_object_to_json_string(req));
	json_object_put(req);
	for (int i = 0; i < 1000 && !h_reply(h, 1, id); i++)
		h_step(h, 1);
	assert_non_null(h_reply(h, 1, id));
	json_object *rep = json_tokener_parse(h_reply(h, 1, id)), *rc;
	assert_true(json_object_object_get_ex(rep, "rc", &rc));
	if (json_object_get_int(rc) != 0)
		fail_msg("config-replace: %s", h_reply(h, 1, id));
	json_object_put(rep);
}

static void check_status(struct harness *h, const char *rsc, int node)
{
	static const char *names[] = { "", "n1", "n2", "n3" };
	for (int n = 1; n <= 3; n++) {
		const char *where = NULL;
		const char *st = crmd_core_rsc_state(h_core(h, n), rsc, &where);
		assert_string_equal(st, "running");
		assert_non_null(where);
		assert_string_equal(where, names[node]);
	}
}

static void test_start_crash_restart(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	struct harness *h = h_new(3);
	h_set_hv(h, hv, &W);
	for (int n = 1; n <= 3; n++)
		h_boot(h, n);
	settle(h);
	/* Every node probed its hypervisor. */
	size_t probes = 0;
	for (size_t i = 0; i < W.n; i++)
		probes += W.subs[i].a.op == CRMD_HV_PROBE;
	assert_true(probes >= 3);

	load_config(h);
	settle(h);
	/* Each VM started exactly once, somewhere, and everybody agrees. */
	assert_int_equal(count(CRMD_HV_START, "vm1"), 1);
	assert_int_equal(count(CRMD_HV_START, "vm2"), 1);
	int n1 = runs_on("vm1"), n2 = runs_on("vm2");
	assert_true(n1 && n2);
	assert_int_not_equal(n1, n2); /* spread */
	check_status(h, "vm1", n1);
	check_status(h, "vm2", n2);

	/* vm1 crashes: the node reports it, the DC recovers it in place (stop,
	 * then start on the same node), as Pacemaker does below
	 * migration-threshold (2 here). */
	crash(h, n1, "vm1");
	settle(h);
	assert_int_equal(count(CRMD_HV_STOP, "vm1"), 1);
	assert_int_equal(count(CRMD_HV_START, "vm1"), 2);
	assert_int_equal(last_node(CRMD_HV_STOP, "vm1"), n1);
	assert_int_equal(last_node(CRMD_HV_START, "vm1"), n1);
	assert_int_equal(runs_on("vm1"), n1);
	check_status(h, "vm1", n1);
	/* The start went with the stop: the node ran it once the stop was done. */
	assert_int_equal(h_log_count(h, n1, "the second half of its recovery in place"), 1);

	/* The second crash reaches migration-threshold: it moves. */
	crash(h, n1, "vm1");
	settle(h);
	assert_int_equal(count(CRMD_HV_STOP, "vm1"), 2);
	assert_int_equal(count(CRMD_HV_START, "vm1"), 3);
	int again = runs_on("vm1");
	assert_true(again);
	assert_int_not_equal(again, n1);
	check_status(h, "vm1", again);

	/* vigild restarted on vm2's node: it probes, finds vm2, nothing is done. */
	size_t before = W.n;
	h_daemon_kill(h, n2);
	h_run(h, 2000);
	h_daemon_start(h, n2);
	settle(h);
	for (size_t i = before; i < W.n; i++)
		if (W.subs[i].a.op != CRMD_HV_MONITOR)
			assert_int_equal(W.subs[i].a.op, CRMD_HV_PROBE);
	check_status(h, "vm2", n2);
	assert_int_equal(runs_on("vm2"), n2);
	h_free(h);
}

/* A status request's answer, parsed (caller puts it). */
static json_object *status_of(struct harness *h, int node)
{
	uint64_t id = h_request(h, node, "{\"version\":1,\"op\":\"status\"}");
	for (int i = 0; i < 100 && !h_reply(h, node, id); i++)
		h_step(h, 1);
	assert_non_null(h_reply(h, node, id));
	json_object *o = json_tokener_parse(h_reply(h, node, id));
	assert_non_null(o);
	return o;
}

/* @rsc's fail count on node @on as @node's status shows it (0: none). */
static int status_failcount(struct harness *h, int node, const char *rsc, int on)
{
	char name[8];
	snprintf(name, sizeof(name), "n%d", on);
	json_object *st = status_of(h, node), *rs, *v, *f;
	int fc = 0;
	assert_true(json_object_object_get_ex(st, "resources", &rs));
	for (size_t i = 0; i < json_object_array_length(rs); i++) {
		json_object *r = json_object_array_get_idx(rs, i);
		if (!json_object_object_get_ex(r, "id", &v) || strcmp(json_object_get_string(v), rsc))
			continue;
		assert_true(json_object_object_get_ex(r, "failures", &f));
		for (size_t k = 0; k < json_object_array_length(f); k++) {
			json_object *e = json_object_array_get_idx(f, k);
			assert_true(json_object_object_get_ex(e, "node", &v));
			if (strcmp(json_object_get_string(v), name))
				continue;
			assert_true(json_object_object_get_ex(e, "fail_count", &v));
			fc = json_object_is_type(v, json_type_string) &&
					     !strcmp(json_object_get_string(v), "INFINITY") ?
				     1000000 : json_object_get_int(v);
		}
	}
	json_object_put(st);
	return fc;
}

/* Fail counts live in every member's table, and the DC's history reaches
 * members that were not there when the failure happened: after every vigild
 * was restarted one by one (the DC last, so the new DC is one that only
 * heard of the failure from the history), the second crash still counts as
 * the second and reaches migration-threshold. */
static void test_history_survives_dc_change(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	struct harness *h = h_new(3);
	h_set_hv(h, hv, &W);
	for (int n = 1; n <= 3; n++)
		h_boot(h, n);
	settle(h);
	load_config(h);
	settle(h);
	int a = runs_on("vm1");
	assert_true(a);
	crash(h, a, "vm1");
	settle(h);
	assert_int_equal(runs_on("vm1"), a);
	for (int n = 1; n <= 3; n++)
		assert_int_equal(status_failcount(h, n, "vm1", a), 1);

	int dc = (int)crmd_core_dc(h_core(h, 1));
	assert_true(dc >= 1 && dc <= 3);
	for (int k = 0; k < 3; k++) {
		int n = k < 2 ? (dc + 1 + k - 1) % 3 + 1 : dc;
		h_daemon_kill(h, n);
		h_run(h, 2000);
		h_daemon_start(h, n);
		settle(h);
		for (int m = 1; m <= 3; m++)
			assert_int_equal(status_failcount(h, m, "vm1", a), 1);
	}
	int dc2 = (int)crmd_core_dc(h_core(h, 1));
	assert_true(dc2 && dc2 != dc);
	assert_int_equal(runs_on("vm1"), a);

	crash(h, a, "vm1");
	settle(h);
	int b = runs_on("vm1");
	assert_true(b);
	assert_int_not_equal(b, a);
	assert_int_equal(status_failcount(h, dc2, "vm1", a), 2);

	/* cleanup forgets it everywhere. */
	uint64_t id = h_request(h, 1, "{\"version\":1,\"op\":\"rsc-cleanup\",\"rsc\":\"vm1\"}");
	settle(h);
	assert_non_null(h_reply(h, 1, id));
	assert_non_null(strstr(h_reply(h, 1, id), "\"rc\":0"));
	for (int m = 1; m <= 3; m++)
		assert_int_equal(status_failcount(h, m, "vm1", a), 0);
	assert_int_equal(runs_on("vm1"), b);
	h_free(h);
}

/* Sends a client request to node 1 and checks that it succeeded. */
static void request_ok(struct harness *h, const char *json)
{
	uint64_t id = h_request(h, 1, json);
	for (int i = 0; i < 1000 && !h_reply(h, 1, id); i++)
		h_step(h, 1);
	assert_non_null(h_reply(h, 1, id));
	if (!strstr(h_reply(h, 1, id), "\"rc\":0"))
		fail_msg("%s: %s", json, h_reply(h, 1, id));
}

/* Replaces vm1 by one with meta attributes @name=@value (and @name2=@value2). */
static void set_vm1_meta2(struct harness *h, const char *name, const char *value,
			  const char *name2, const char *value2)
{
	char xml[1024], *req = NULL;
	snprintf(xml, sizeof(xml),
		 "<configuration><resources><primitive id=\"vm1\" class=\"ocf\" "
		 "provider=\"heartbeat\" type=\"VirtualDomain\"><instance_attributes id=\"vm1-i\">"
		 "<nvpair id=\"vm1-c\" name=\"config\" value=\"/x/vm1.xml\"/>"
		 "</instance_attributes><meta_attributes id=\"vm1-m\">"
		 "<nvpair id=\"vm1-x\" name=\"%s\" value=\"%s\"/>"
		 "<nvpair id=\"vm1-y\" name=\"%s\" value=\"%s\"/>"
		 "</meta_attributes><operations>"
		 "<op id=\"vm1-mon\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>"
		 "</operations></primitive></resources></configuration>", name, value,
		 name2 ? name2 : "description", value2 ? value2 : "-");
	json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "op", json_object_new_string("config-update"));
	json_object_object_add(o, "xml", json_object_new_string(xml));
	req = strdup(json_object_to_json_string(o));
	json_object_put(o);
	request_ok(h, req);
	free(req);
}

static void set_vm1_meta(struct harness *h, const char *name, const char *value)
{
	set_vm1_meta2(h, name, value, NULL, NULL);
}

/* failure-timeout: with migration-threshold=1 a crash on each node leaves
 * vm1 nowhere to run; when the failures expire the DC runs the policy again
 * by itself (no event needed) and vm1 starts. */
static void test_failure_timeout(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	struct harness *h = h_new(3);
	h_set_hv(h, hv, &W);
	for (int n = 1; n <= 3; n++)
		h_boot(h, n);
	settle(h);
	load_config(h);
	settle(h);
	set_vm1_meta2(h, "migration-threshold", "1", "failure-timeout", "60s");
	settle(h);
	pass_ms(h, 5000);       /* (a last failure at 0 s would read as "never") */
	int seen = 0;
	for (int k = 0; k < 3; k++) {
		int a = runs_on("vm1");
		assert_true(a);
		assert_false(seen & (1 << a));
		seen |= 1 << a;
		crash(h, a, "vm1");
		settle(h);
	}
	assert_int_equal(runs_on("vm1"), 0);    /* banned everywhere for now */
	size_t starts = count(CRMD_HV_START, "vm1");
	uint64_t t0 = h_now(h);
	/* (Simulated time moves from timer to timer: the next one is the
	 * DC's recheck, when the failures expire.) */
	pass_ms(h, 90000);
	assert_true(runs_on("vm1"));
	assert_int_equal(count(CRMD_HV_START, "vm1"), starts + 1);
	assert_true(h_now(h) >= t0 + 60000);
	h_free(h);
}

/* The recurring monitor: a VM gone without any lifecycle event (the events
 * were lost) is found at the monitor's interval and recovered in place;
 * while all is well, monitors run and nothing is reported. */
static void test_monitor_safety_net(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	struct harness *h = h_new(3);
	h_set_hv(h, hv, &W);
	for (int n = 1; n <= 3; n++)
		h_boot(h, n);
	settle(h);
	load_config(h);
	settle(h);
	pass_ms(h, 25000);
	int a = runs_on("vm1");
	assert_true(a);
	assert_true(count(CRMD_HV_MONITOR, "vm1") >= 2);
	assert_int_equal(count(CRMD_HV_MONITOR, "vm2"), 0); /* no monitor op */
	assert_int_equal(status_failcount(h, 1, "vm1", a), 0);
	assert_int_equal(count(CRMD_HV_START, "vm1"), 1);

	set_runs(a, "vm1", false);      /* gone, and nobody said so */
	pass_ms(h, 12000);
	assert_int_equal(h_log_count(h, a, "found by the monitor"), 1);
	assert_int_equal(count(CRMD_HV_START, "vm1"), 2);
	assert_int_equal(last_node(CRMD_HV_START, "vm1"), a);
	assert_int_equal(runs_on("vm1"), a);
	assert_int_equal(status_failcount(h, 1, "vm1", a), 1);
	h_free(h);
}

/* is-managed=false: a crash is recorded (fail count) but nothing is done;
 * managed again, the cluster recovers it.  Bad cleanup requests are refused. */
static void test_unmanaged(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	struct harness *h = h_new(3);
	h_set_hv(h, hv, &W);
	for (int n = 1; n <= 3; n++)
		h_boot(h, n);
	settle(h);
	load_config(h);
	settle(h);
	int a = runs_on("vm1");
	assert_true(a);
	set_vm1_meta(h, "is-managed", "false");
	settle(h);
	crash(h, a, "vm1");
	settle(h);
	assert_int_equal(count(CRMD_HV_STOP, "vm1"), 0);
	assert_int_equal(count(CRMD_HV_START, "vm1"), 1);
	assert_int_equal(runs_on("vm1"), 0);
	assert_int_equal(status_failcount(h, 2, "vm1", a), 1);

	set_vm1_meta(h, "is-managed", "true");
	settle(h);
	assert_int_equal(count(CRMD_HV_START, "vm1"), 2);
	assert_true(runs_on("vm1"));

	static const char *bad[] = {
		"{\"version\":1,\"op\":\"rsc-cleanup\",\"rsc\":\"nosuch\"}",
		"{\"version\":1,\"op\":\"rsc-cleanup\",\"rsc\":\"vm1\",\"node\":\"n9\"}",
	};
	for (size_t i = 0; i < 2; i++) {
		size_t before = W.n;
		uint64_t id = h_request(h, 1, bad[i]);
		settle(h);
		assert_non_null(h_reply(h, 1, id));
		assert_non_null(strstr(h_reply(h, 1, id), "\"error\":\"bad-request\""));
		assert_int_equal(status_failcount(h, 3, "vm1", a), 1);
		for (size_t k = before; k < W.n; k++)
			assert_int_not_equal(W.subs[k].a.op, CRMD_HV_PROBE);
	}
	h_free(h);
}

/* A VM whose domain XML is missing: its start fails on every node, each
 * failure with the reason, fail count INFINITY there (start-failure-is-fatal),
 * then it stays stopped; nobody crashes and the other VM runs on. */
static void test_missing_domain_xml(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	snprintf(W.bad, sizeof(W.bad), "vm2");
	struct harness *h = h_new(3);
	h_set_hv(h, hv, &W);
	for (int n = 1; n <= 3; n++)
		h_boot(h, n);
	settle(h);
	load_config(h);
	settle(h);
	settle(h);
	assert_true(runs_on("vm1"));
	assert_int_equal(runs_on("vm2"), 0);
	assert_int_equal(count(CRMD_HV_START, "vm2"), 3); /* once per node, then no more */
	for (int on = 1; on <= 3; on++)
		assert_int_equal(status_failcount(h, 1, "vm2", on), 1000000);
	json_object *st = status_of(h, 2);
	const char *txt = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(txt, "No such file or directory"));
	assert_non_null(strstr(txt, "\"fail_count\":\"INFINITY\""));
	json_object_put(st);
	for (int n = 1; n <= 3; n++) {
		const char *where = NULL;
		assert_string_equal(crmd_core_rsc_state(h_core(h, n), "vm2", &where), "stopped");
	}
	/* Fixed and cleaned up: it starts. */
	W.bad[0] = '\0';
	request_ok(h, "{\"version\":1,\"op\":\"rsc-cleanup\",\"rsc\":\"vm2\"}");
	settle(h);
	assert_true(runs_on("vm2"));
	assert_int_equal(status_failcount(h, 1, "vm2", runs_on("vm2")), 0);
	h_free(h);
}

/* The start chained to a Recover's stop does not run when the stop fails,
 * and counts as no failure of its own. */
static void test_recover_stop_fails(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	struct harness *h = h_new(3);
	h_set_hv(h, hv, &W);
	for (int n = 1; n <= 3; n++)
		h_boot(h, n);
	settle(h);
	load_config(h);
	settle(h);
	int a = runs_on("vm1");
	assert_true(a);
	snprintf(W.stuck, sizeof(W.stuck), "vm1");
	crash(h, a, "vm1");
	settle(h);
	assert_true(count(CRMD_HV_STOP, "vm1") >= 1);
	/* The chained start was cancelled, not run (what the policy does after
	 * the failed stop is its own business). */
	assert_int_equal(h_log_count(h, a, "the second half of its recovery in place"), 0);
	json_object *st = status_of(h, 1);
	const char *txt = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN);
	assert_null(strstr(txt, "\"op\":\"start\""));
	json_object_put(st);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_crash_restart),
		cmocka_unit_test(test_history_survives_dc_change),
		cmocka_unit_test(test_monitor_safety_net),
		cmocka_unit_test(test_unmanaged),
		cmocka_unit_test(test_missing_domain_xml),
		cmocka_unit_test(test_failure_timeout),
		cmocka_unit_test(test_recover_stop_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
