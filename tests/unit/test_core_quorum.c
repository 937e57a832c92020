/*
 * test_core_quorum.c - what nodes do by themselves (crmd/core_quorum.c), on
 * simulated hypervisors (core_harness.c):
 *  - no-quorum-policy stop / freeze / ignore when a node's partition loses
 *    quorum, and regaining it;
 *  - the isolated node of a 1 + 2 cut stops its VMs while the majority
 *    recovers them (stonith disabled, so nothing waits for a fence);
 *  - a clean shutdown drains the node by live migration, leaves cleanly, is
 *    not unclean and does not hold the DC's transitions; without quorum it
 *    stops its VMs itself; a drain that cannot finish ends at its timeout;
 *  - two-node clusters: the survivor acts, a vigild that starts alone does
 *    not, and a cut with fencing enabled starts nothing twice.
 */
#include "config.h"

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

#define MAXN 4
#define NVM 3

struct sub {
	int node;
	struct crmd_hv_action a;
	char rsc[32];
	char to[64];
	uint64_t at;
	bool answered;
};

struct world {
	struct sub subs[512];
	size_t n;
	char runs[MAXN + 1][NVM][8];   /* what each node's hypervisor runs */
	bool hold_stops;                /* stops never complete */
};

static struct world W;
static struct harness *H;

static int hv(void *data, int node, const struct crmd_hv_action *a)
{
	struct world *w = data;
	if (w->n >= 512) {
		h_dump_logs(H);
		for (size_t i = 500; i < 512; i++)
			fprintf(stderr, "sub n%d op %d %s at %llu\n", w->subs[i].node,
				(int)w->subs[i].a.op, w->subs[i].rsc, (unsigned long long)w->subs[i].at);
	}
	assert_true(w->n < 512);
	struct sub *s = &w->subs[w->n++];
	memset(s, 0, sizeof(*s));
	s->node = node;
	s->a = *a;
	s->at = h_now(H);
	snprintf(s->rsc, sizeof(s->rsc), "%s", a->rsc_id ? a->rsc_id : "");
	snprintf(s->to, sizeof(s->to), "%s", a->migrate_to ? a->migrate_to : "");
	s->a.rsc_id = s->rsc;
	s->a.config = NULL;
	s->a.migrate_to = s->to;
	return 0;
}

static bool runs_here(int node, const char *rsc)
{
	for (int i = 0; i < NVM; i++)
		if (!strcmp(W.runs[node][i], rsc))
			return true;
	return false;
}

static void set_runs(int node, const char *rsc, bool on)
{
	if (on == runs_here(node, rsc))
		return;
	for (int i = 0; i < NVM; i++)
		if (on ? !W.runs[node][i][0] : !strcmp(W.runs[node][i], rsc)) {
			snprintf(W.runs[node][i], sizeof(W.runs[node][i]), "%s", on ? rsc : "");
			return;
		}
}

/* The node a migration goes to: qemu+tcp://nN/system. */
static int uri_node(const char *uri)
{
	const char *p = strstr(uri, "//n");
	return p ? atoi(p + 3) : 0;
}

static void answer_all(struct harness *h)
{
	for (size_t i = 0; i < W.n; i++) {
		struct sub *s = &W.subs[i];
		if (s->answered || !h_powered(h, s->node))
			continue;
		if (s->a.op == CRMD_HV_STOP && W.hold_stops)
			continue;
		s->answered = true;
		struct crmd_event ev = { .type = CRMD_EV_HV_DONE };
		ev.hv_done.call_id = s->a.call_id;
		ev.hv_done.message = "ok";
		struct crmd_hv_domain doms[NVM];
		size_t nd = 0;
		int dest = 0;
		switch (s->a.op) {
		case CRMD_HV_PROBE:
			for (int k = 0; k < NVM; k++)
				if (W.runs[s->node][k][0])
					doms[nd++] = (struct crmd_hv_domain){ W.runs[s->node][k], "running" };
			ev.hv_done.domains = doms;
			ev.hv_done.n_domains = nd;
			ev.hv_done.state = "unknown";
			break;
		case CRMD_HV_START:
			set_runs(s->node, s->rsc, true);
			ev.hv_done.state = "running";
			break;
		case CRMD_HV_STOP:
			set_runs(s->node, s->rsc, false);
			ev.hv_done.state = "stopped";
			break;
		case CRMD_HV_MIGRATE:
			dest = uri_node(s->to);
			assert_true(dest >= 1 && dest <= MAXN);
			set_runs(s->node, s->rsc, false);
			set_runs(dest, s->rsc, true);
			ev.hv_done.state = "absent";
			break;
		default:
			ev.hv_done.state = "unknown";
			break;
		}
		if (dest) {     /* the destination's libvirt tells its vigild first */
			struct crmd_event le = { .type = CRMD_EV_HV_EVENT };
			le.hv_event.kind = CRMD_HV_EV_DOMAIN;
			le.hv_event.domain = s->rsc;
			le.hv_event.state = "running";
			le.hv_event.detail = "migrated";
			h_handle(h, dest, &le);
		}
		h_handle(h, s->node, &ev);
	}
}

static void settle(struct harness *h)
{
	for (int i = 0; i < 40; i++) {
		h_run(h, 200);
		answer_all(h);
	}
	h_run(h, 500);
}

static size_t count_op(enum crmd_hv_op op, const char *rsc, size_t from)
{
	size_t n = 0;
	for (size_t i = from; i < W.n; i++)
		n += W.subs[i].a.op == op && (!rsc || !strcmp(W.subs[i].rsc, rsc));
	return n;
}

/* Where a VM runs (0: nowhere); fails if it runs twice. */
static int runs_on(int nodes, const char *rsc)
{
	int on = 0;
	for (int n = 1; n <= nodes; n++)
		if (runs_here(n, rsc)) {
			if (on)
				fail_msg("%s runs on n%d and n%d", rsc, on, n);
			on = n;
		}
	return on;
}

static int n_running(int node)
{
	int k = 0;
	for (int i = 0; i < NVM; i++)
		k += W.runs[node][i][0] != 0;
	return k;
}

static char *cib_text(int nodes, const char *props, bool migrate, bool fence_device)
{
	char nodes_xml[512] = "", rscs[4096] = "";
	for (int i = 1; i <= nodes; i++) {
		size_t l = strlen(nodes_xml);
		snprintf(nodes_xml + l, sizeof(nodes_xml) - l, "<node id=\"%d\" uname=\"n%d\"/>", i, i);
	}
	if (fence_device)
		snprintf(rscs, sizeof(rscs), "<primitive id=\"fence\" class=\"stonith\" "
			 "type=\"fence_vigil_lab\"/>");
	for (int v = 1; v <= NVM; v++) {
		size_t l = strlen(rscs);
		snprintf(rscs + l, sizeof(rscs) - l,
			 "<primitive id=\"vm%d\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
			 "<instance_attributes id=\"vm%d-i\"><nvpair id=\"vm%d-c\" name=\"config\" "
			 "value=\"/x/vm%d.xml\"/></instance_attributes>"
			 "<meta_attributes id=\"vm%d-m\"><nvpair id=\"vm%d-am\" name=\"allow-migrate\" "
			 "value=\"%s\"/></meta_attributes>"
			 "<operations><op id=\"vm%d-stop\" name=\"stop\" interval=\"0s\" timeout=\"45s\"/>"
			 "</operations></primitive>",
			 v, v, v, v, v, v, migrate ? "true" : "false", v);
	}
	char *x = NULL;
	if (asprintf(&x, "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" "
		     "validate-with=\"pacemaker-3.9\"><configuration><crm_config>"
		     "<cluster_property_set id=\"o\">%s</cluster_property_set></crm_config>"
		     "<rsc_defaults><meta_attributes id=\"d\"><nvpair id=\"d-s\" "
		     "name=\"resource-stickiness\" value=\"100\"/></meta_attributes></rsc_defaults>"
		     "<nodes>%s</nodes><resources>%s</resources><constraints/></configuration>"
		     "<status/></cib>", props, nodes_xml, rscs) < 0)
		abort();
	return x;
}

static void load_config(struct harness *h, int node, const char *cib)
{
	json_object *req = json_object_new_object();
	json_object_object_add(req, "version", json_object_new_int(1));
	json_object_object_add(req, "op", json_object_new_string("config-replace"));
	json_object_object_add(req, "xml", json_object_new_string(cib));
	uint64_t id = h_request(h, node, json_object_to_json_string(req));
	json_object_put(req);
	for (int i = 0; i < 2000 && !h_reply(h, node, id); i++)
		h_step(h, 1);
	assert_non_null(h_reply(h, node, id));
	json_object *rep = json_tokener_parse(h_reply(h, node, id)), *rc;
	assert_true(json_object_object_get_ex(rep, "rc", &rc));
	if (json_object_get_int(rc) != 0)
		fail_msg("config-replace: %s", h_reply(h, node, id));
	json_object_put(rep);
}

/* A node's state as `vigil status` on @asker shows it. */
static char *node_state(struct harness *h, int asker, const char *name)
{
	uint64_t id = h_request(h, asker, "{\"version\":1,\"op\":\"status\"}");
	const char *r = h_reply(h, asker, id);
	assert_non_null(r);
	json_object *o = json_tokener_parse(r), *nodes;
	assert_true(json_object_object_get_ex(o, "nodes", &nodes));
	char *st = NULL;
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		json_object *n = json_object_array_get_idx(nodes, i), *v, *s;
		if (json_object_object_get_ex(n, "name", &v) &&
		    !strcmp(json_object_get_string(v), name) &&
		    json_object_object_get_ex(n, "state", &s))
			st = strdup(json_object_get_string(s));
	}
	json_object_put(o);
	assert_non_null(st);
	return st;
}

static struct harness *cluster(int nodes, const char *props, bool migrate, bool fence_device)
{
	memset(&W, 0, sizeof(W));
	struct harness *h = h_new(nodes);
	H = h;
	h_set_hv(h, hv, &W);
	if (nodes == 2)
		h_set_two_node(h);
	for (int n = 1; n <= nodes; n++)
		h_boot(h, n);
	settle(h);
	char *cib = cib_text(nodes, props, migrate, fence_device);
	load_config(h, 1, cib);
	free(cib);
	settle(h);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		assert_true(runs_on(nodes, r));
	}
	return h;
}

static int busiest(int nodes)
{
	int best = 1;
	for (int n = 2; n <= nodes; n++)
		if (n_running(n) > n_running(best))
			best = n;
	return best;
}

#define NO_STONITH "<nvpair id=\"o-s\" name=\"stonith-enabled\" value=\"false\"/>"

/* 1 + 2 cut: the isolated node stops its VMs as soon as it learns it has no
 * quorum; the majority (no fencing configured) starts them again; after the
 * heal every VM runs once. */
static void test_stop_isolated(void **state)
{
	(void)state;
	struct harness *h = cluster(3, NO_STONITH, true, false);
	int iso = busiest(3);
	assert_true(n_running(iso) >= 1);
	size_t before = W.n;
	int lost0 = h_log_count(h, iso, "quorum lost");
	int part[4] = { 0, 1, 1, 1 };
	part[iso] = 2;
	h_partition(h, part);
	/* Deliver the cut's views, rings and quorum notifications only. */
	h_run(h, 0);
	uint64_t lost = h_now(h);
	assert_int_equal(h_log_count(h, iso, "quorum lost"), lost0 + 1);
	size_t stops = 0;
	for (size_t i = before; i < W.n; i++)
		if (W.subs[i].node == iso && W.subs[i].a.op == CRMD_HV_STOP) {
			stops++;
			assert_true(W.subs[i].at == lost);      /* at once */
			assert_int_equal(W.subs[i].a.timeout_ms, 45000); /* the stop timeout */
		}
	assert_int_equal(stops, (size_t)n_running(iso));
	settle(h);
	assert_int_equal(n_running(iso), 0);
	for (size_t i = before; i < W.n; i++)   /* nothing starts on the isolated side */
		assert_false(W.subs[i].node == iso && W.subs[i].a.op == CRMD_HV_START);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		int on = runs_on(3, r);
		assert_true(on && on != iso);
	}
	/* Heal: quorum back, nothing runs twice, nothing is started again. */
	before = W.n;
	int back0 = h_log_count(h, iso, "quorum regained");
	int all[4] = { 0, 1, 1, 1 };
	h_partition(h, all);
	settle(h);
	assert_int_equal(h_log_count(h, iso, "quorum regained"), back0 + 1);
	assert_int_equal(count_op(CRMD_HV_START, NULL, before), 0);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		assert_true(runs_on(3, r));
	}
	h_free(h);
}

/* Every node alone (1 + 1 + 1): nobody has quorum.  stop stops everything;
 * freeze and ignore keep everything; regaining quorum resumes: stopped VMs
 * start again, frozen ones stay where they are. */
static void three_way(const char *props, bool expect_stop, const char *log_word)
{
	struct harness *h = cluster(3, props, true, false);
	int where[NVM + 1];
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		where[v] = runs_on(3, r);
	}
	size_t before = W.n;
	int lost0[4], word0[4];
	for (int n = 1; n <= 3; n++) {
		lost0[n] = h_log_count(h, n, "quorum lost");
		word0[n] = h_log_count(h, n, log_word);
	}
	int part[4] = { 0, 1, 2, 3 };
	h_partition(h, part);
	settle(h);
	for (int n = 1; n <= 3; n++) {
		assert_int_equal(h_log_count(h, n, "quorum lost"), lost0[n] + 1);
		assert_int_equal(h_log_count(h, n, log_word), word0[n] + 1);
		assert_int_equal(crmd_core_dc(h_core(h, n)), 0);
	}
	assert_int_equal(count_op(CRMD_HV_START, NULL, before), 0);
	assert_int_equal(count_op(CRMD_HV_MIGRATE, NULL, before), 0);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		assert_int_equal(runs_on(3, r), expect_stop ? 0 : where[v]);
	}
	assert_int_equal(count_op(CRMD_HV_STOP, NULL, before), expect_stop ? NVM : 0);
	before = W.n;
	int all[4] = { 0, 1, 1, 1 };
	h_partition(h, all);
	settle(h);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		int on = runs_on(3, r);
		assert_true(on);
		if (!expect_stop)
			assert_int_equal(on, where[v]);
	}
	if (count_op(CRMD_HV_START, NULL, before) != (expect_stop ? NVM : 0))
		h_dump_logs(h);
	assert_int_equal(count_op(CRMD_HV_START, NULL, before), expect_stop ? NVM : 0);
	h_free(h);
}

static void test_policy_stop(void **state)
{
	(void)state;
	three_way(NO_STONITH, true, "no-quorum-policy=stop: stopping");
}

static void test_policy_freeze(void **state)
{
	(void)state;
	three_way(NO_STONITH "<nvpair id=\"o-q\" name=\"no-quorum-policy\" value=\"freeze\"/>", false,
		  "no-quorum-policy=freeze: VMs keep running");
}

static void test_policy_ignore(void **state)
{
	(void)state;
	three_way(NO_STONITH "<nvpair id=\"o-q\" name=\"no-quorum-policy\" value=\"ignore\"/>", false,
		  "no-quorum-policy=ignore: treated as freeze");
}

static bool shut(struct harness *h, int node)
{
	for (int i = 0; i < 40 && !crmd_core_shutdown_done(h_core(h, node)); i++) {
		h_run(h, 200);
		answer_all(h);
	}
	return crmd_core_shutdown_done(h_core(h, node));
}

/* A clean shutdown of the busiest node: its VMs migrate live (no stop, no
 * start), it leaves cleanly, it is offline (not unclean), and the DC's
 * transitions go on without it. */
static void test_shutdown_drains(void **state)
{
	(void)state;
	struct harness *h = cluster(3, NO_STONITH, true, false);
	int x = busiest(3);
	int had = n_running(x);
	assert_true(had >= 1);
	size_t before = W.n;
	h_shutdown(h, x, 60000);
	assert_true(shut(h, x));
	assert_int_equal(n_running(x), 0);
	if (count_op(CRMD_HV_MIGRATE, NULL, before) != (size_t)had)
		h_dump_logs(h);
	assert_int_equal(count_op(CRMD_HV_MIGRATE, NULL, before), (size_t)had);
	assert_int_equal(count_op(CRMD_HV_STOP, NULL, before), 0);
	assert_int_equal(count_op(CRMD_HV_START, NULL, before), 0);
	h_daemon_stop(h, x);
	settle(h);
	int other = x == 1 ? 2 : 1;
	char *st = node_state(h, other, x == 1 ? "n1" : x == 2 ? "n2" : "n3");
	assert_string_equal(st, "offline");
	free(st);
	for (int n = 1; n <= 3; n++)
		if (n != x)
			assert_int_equal(h_log_count(h, n, "is up but its vigild is not"), 0);
	/* Transitions still run: a crash is recovered. */
	int y = runs_on(3, "vm1");
	assert_true(y && y != x);
	set_runs(y, "vm1", false);
	struct crmd_event ev = { .type = CRMD_EV_HV_EVENT };
	ev.hv_event.kind = CRMD_HV_EV_DOMAIN;
	ev.hv_event.domain = "vm1";
	ev.hv_event.state = "crashed";
	h_handle(h, y, &ev);
	settle(h);
	int z = runs_on(3, "vm1");
	assert_true(z && z != x);
	/* It comes back: a member again, it may run VMs. */
	h_daemon_start(h, x);
	settle(h);
	st = node_state(h, other, x == 1 ? "n1" : x == 2 ? "n2" : "n3");
	assert_string_equal(st, "online");
	free(st);
	h_free(h);
}

/* Without migration the drain stops the VMs (the DC starts them elsewhere). */
static void test_shutdown_no_migrate(void **state)
{
	(void)state;
	struct harness *h = cluster(3, NO_STONITH, false, false);
	int x = busiest(3);
	int had = n_running(x);
	size_t before = W.n;
	h_shutdown(h, x, 60000);
	assert_true(shut(h, x));
	assert_int_equal(count_op(CRMD_HV_STOP, NULL, before), (size_t)had);
	assert_int_equal(count_op(CRMD_HV_MIGRATE, NULL, before), 0);
	h_daemon_stop(h, x);
	settle(h);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		int on = runs_on(3, r);
		assert_true(on && on != x);
	}
	h_free(h);
}

/* Shutdown with no DC that may act: the node stops its VMs itself. */
static void test_shutdown_without_quorum(void **state)
{
	(void)state;
	struct harness *h = cluster(3, NO_STONITH "<nvpair id=\"o-q\" name=\"no-quorum-policy\" "
				    "value=\"freeze\"/>", true, false);
	int x = busiest(3);
	int part[4] = { 0, 1, 2, 3 };
	h_partition(h, part);
	settle(h);
	assert_true(n_running(x) >= 1);        /* frozen */
	size_t before = W.n;
	h_shutdown(h, x, 60000);
	assert_true(shut(h, x));
	assert_int_equal(n_running(x), 0);
	assert_true(count_op(CRMD_HV_STOP, NULL, before) >= 1);
	assert_int_equal(h_log_count(h, x, "shutdown: no DC may act"), 1);
	h_free(h);
}

/* A drain that cannot finish (the stops hang) ends at the timeout, and the
 * cluster keeps waiting for that node rather than assume its VMs are gone. */
static void test_shutdown_timeout(void **state)
{
	(void)state;
	struct harness *h = cluster(3, NO_STONITH, false, false);
	int x = busiest(3);
	W.hold_stops = true;
	uint64_t t0 = h_now(h);
	h_shutdown(h, x, 10000);
	settle(h);
	assert_false(crmd_core_shutdown_done(h_core(h, x)));
	h_run(h, 11000);
	assert_true(shut(h, x));
	assert_true(h_now(h) - t0 >= 10000);
	assert_int_equal(h_log_count(h, x, "not drained after"), 1);
	assert_true(n_running(x) >= 1);
	h_daemon_stop(h, x);
	settle(h);
	int other = x == 1 ? 2 : 1;
	assert_true(h_log_count(h, other, "is up but its vigild is not") +
		    h_log_count(h, x == 3 ? 2 : 3, "is up but its vigild is not") >= 1);
	h_free(h);
}

/* Two nodes, two_node quorum: when one node dies the survivor acts (no
 * fencing configured: it recovers at once); a vigild that starts alone does
 * not act until it has seen the other one. */
static void test_two_node_survivor(void **state)
{
	(void)state;
	struct harness *h = cluster(2, NO_STONITH, true, false);
	int x = busiest(2), y = 3 - x;
	h_power_off(h, x);
	memset(W.runs[x], 0, sizeof(W.runs[x]));
	settle(h);
	assert_int_equal(crmd_core_dc(h_core(h, y)), (uint32_t)y);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		assert_int_equal(runs_on(2, r), y);
	}
	/* vigild restarts on the survivor: alone since it started, it cannot
	 * know whether the other had newer acknowledged changes. */
	h_daemon_stop(h, y);
	h_run(h, 100);
	h_daemon_start(h, y);
	settle(h);
	assert_true(crmd_core_quorate(h_core(h, y)));
	assert_int_equal(crmd_core_dc(h_core(h, y)), 0);
	uint64_t id = h_request(h, y, "{\"version\":1,\"op\":\"property\",\"name\":\"x\","
				   "\"value\":\"1\"}");
	settle(h);
	assert_non_null(h_reply(h, y, id));
	assert_non_null(strstr(h_reply(h, y, id), "no-quorum"));
	/* The other comes back: both synchronize, then either may act alone. */
	h_boot(h, x);
	settle(h);
	assert_int_not_equal(crmd_core_dc(h_core(h, y)), 0);
	h_power_off(h, x);
	settle(h);
	assert_int_equal(crmd_core_dc(h_core(h, y)), (uint32_t)y);
	h_free(h);
}

/* Two nodes, fencing enabled, the link cut: both sides keep quorum
 * (two_node), so fencing must decide; until a fence is confirmed neither side
 * starts the other's VMs, and neither stops its own. */
static void test_two_node_cut(void **state)
{
	(void)state;
	struct harness *h = cluster(2, "", true, true);
	size_t before = W.n;
	int part[3] = { 0, 1, 2 };
	h_partition(h, part);
	settle(h);
	assert_int_equal(count_op(CRMD_HV_START, NULL, before), 0);
	assert_int_equal(count_op(CRMD_HV_STOP, NULL, before), 0);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		assert_true(runs_on(2, r));
	}
	h_free(h);
}

/* The new DC learns its quorum last: the others' reports and probes for it
 * arrive before it acts.  They must count (they used to be forgotten when the
 * DC started to act, and it then waited for them forever). */
static void test_late_quorum_new_dc(void **state)
{
	(void)state;
	struct harness *h = cluster(3, NO_STONITH, true, false);
	uint32_t dc = crmd_core_dc(h_core(h, 1));
	assert_int_equal(dc, 1);
	int had = n_running(1);
	assert_true(had >= 1);
	h_set_node_quorum_delay(h, 2, 50);      /* n2 becomes DC, and hears last */
	h_power_off(h, 1);
	memset(W.runs[1], 0, sizeof(W.runs[1]));
	settle(h);
	assert_int_equal(crmd_core_dc(h_core(h, 2)), 2);
	for (int v = 1; v <= NVM; v++) {
		char r[8];
		snprintf(r, sizeof(r), "vm%d", v);
		int on = runs_on(3, r);
		if (!on)
			h_dump_logs(h);
		assert_true(on == 2 || on == 3);
	}
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_isolated),
		cmocka_unit_test(test_policy_stop),
		cmocka_unit_test(test_policy_freeze),
		cmocka_unit_test(test_policy_ignore),
		cmocka_unit_test(test_shutdown_drains),
		cmocka_unit_test(test_shutdown_no_migrate),
		cmocka_unit_test(test_shutdown_without_quorum),
		cmocka_unit_test(test_shutdown_timeout),
		cmocka_unit_test(test_two_node_survivor),
		cmocka_unit_test(test_two_node_cut),
		cmocka_unit_test(test_late_quorum_new_dc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
