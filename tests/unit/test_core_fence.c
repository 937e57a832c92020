/*
 * test_core_fence.c - fencing in the core, five nodes on the harness with
 * simulated hypervisors and simulated fence devices: a lost node is fenced
 * once, its VMs start elsewhere only after the fencing succeeded and exactly
 * once; failures back off, reach stonith-max-attempts ("fencing failed", with
 * the reason) and keep being retried; a DC that dies while fencing is replaced
 * by one that finishes the job; stray and garbled fencing messages change
 * nothing; stonith-enabled=false and `vigil node confirm` recover without a
 * device; every member keeps the same history.
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
#include "fen_history.h"
#include "wire.h"

#define N 5
#define NVM 3

struct hvsub {
	int node;
	struct crmd_hv_action a;
	char rsc[32];
	bool answered;
	uint64_t at;
};

struct fsub {
	int node;               /* who runs it (the DC) */
	uint64_t call_id;
	char target[16];
	char action[16];
	uint32_t delay_ms, timeout_ms;
	uint64_t at;
	bool answered;
};

enum fmode { F_MANUAL, F_OK, F_FAIL };

struct world {
	struct hvsub hv[1024];
	size_t n_hv;
	struct fsub fs[256];
	size_t n_fs;
	enum fmode mode;
	char runs[N + 1][NVM][8];       /* what each node's hypervisor runs */
	bool fenced[N + 1];             /* a fence of this node succeeded */
	bool unsafe;                    /* stonith-enabled=false: no guarantee */
	uint64_t fenced_at[N + 1];
};

static struct world W;
static struct harness *H;

static int hv(void *data, int node, const struct crmd_hv_action *a)
{
	struct world *w = data;
	assert_true(w->n_hv < 1024);
	struct hvsub *s = &w->hv[w->n_hv++];
	s->node = node;
	s->a = *a;
	snprintf(s->rsc, sizeof(s->rsc), "%s", a->rsc_id ? a->rsc_id : "");
	s->a.rsc_id = s->rsc;
	s->a.config = NULL;
	s->a.migrate_to = NULL;
	s->at = h_now(H);
	return 0;
}

static int fence(void *data, int node, const struct crmd_fence_action *a)
{
	struct world *w = data;
	assert_true(w->n_fs < 256);
	struct fsub *s = &w->fs[w->n_fs++];
	s->node = node;
	s->call_id = a->call_id;
	snprintf(s->target, sizeof(s->target), "%s", a->target);
	snprintf(s->action, sizeof(s->action), "%s", a->action);
	s->delay_ms = a->delay_ms;
	s->timeout_ms = a->timeout_ms;
	s->at = h_now(H);
	/* The configuration the devices come from is the cluster's. */
	assert_non_null(a->config);
	assert_non_null(strstr(a->config, "fence-sim"));
	/* One attempt in flight per target. */
	for (size_t i = 0; i + 1 < w->n_fs; i++)
		if (!w->fs[i].answered && h_powered(H, w->fs[i].node))
			assert_string_not_equal(w->fs[i].target, a->target);
	return 0;
}

static int node_of(const char *name)
{
	return atoi(name + 1);
}

static void set_runs(int node, const char *rsc, bool on)
{
	for (int i = 0; i < NVM; i++)
		if (on ? !W.runs[node][i][0] : !strcmp(W.runs[node][i], rsc)) {
			snprintf(W.runs[node][i], sizeof(W.runs[node][i]), "%s", on ? rsc : "");
			return;
		}
}

static void answer_hv(void)
{
	for (size_t i = 0; i < W.n_hv; i++) {
		struct hvsub *s = &W.hv[i];
		if (s->answered)
			continue;
		s->answered = true;
		if (!h_powered(H, s->node))
			continue;
		struct crmd_event ev = { .type = CRMD_EV_HV_DONE };
		ev.hv_done.call_id = s->a.call_id;
		ev.hv_done.message = "ok";
		struct crmd_hv_domain doms[NVM];
		size_t nd = 0;
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
			/* Never twice: a VM starts only where nobody runs it, or
			 * where it ran on a node that is fenced (off). */
			for (int n = 1; n <= N; n++)
				for (int k = 0; k < NVM; k++)
					if (!strcmp(W.runs[n][k], s->rsc) && !W.fenced[n] &&
					    !W.unsafe)
						fail_msg("%s started on n%d while n%d may run it", s->rsc,
							 s->node, n);
			set_runs(s->node, s->rsc, true);
			ev.hv_done.state = "running";
			break;
		case CRMD_HV_STOP:
			set_runs(s->node, s->rsc, false);
			ev.hv_done.state = "stopped";
			break;
		default:
			ev.hv_done.state = "unknown";
			break;
		}
		h_handle(H, s->node, &ev);
	}
}

static void answer_fence(struct fsub *s, int rc, const char *msg)
{
	s->answered = true;
	if (!rc) {
		int t = node_of(s->target);
		W.fenced[t] = true;
		W.fenced_at[t] = h_now(H);
		memset(W.runs[t], 0, sizeof(W.runs[t]));
		if (h_powered(H, t))
			h_power_off(H, t);      /* what a fence device does */
	}
	if (!h_powered(H, s->node))
		return;
	struct crmd_event ev = { .type = CRMD_EV_FENCE_DONE };
	ev.fence_done.call_id = s->call_id;
	ev.fence_done.rc = rc;
	ev.fence_done.device = "fence-sim";
	ev.fence_done.message = msg;
	h_handle(H, s->node, &ev);
}

static void answer_fences(void)
{
	for (size_t i = 0; i < W.n_fs; i++) {
		struct fsub *s = &W.fs[i];
		if (s->answered || W.mode == F_MANUAL)
			continue;
		if (W.mode == F_OK)
			answer_fence(s, 0, "Success: Powered OFF");
		else
			answer_fence(s, -EIO, "fence_sim: refusing (test)");
	}
}

static void settle_ms(uint64_t ms)
{
	uint64_t end = h_now(H) + ms;
	while (h_now(H) < end) {
		h_run_for(H, 100);
		answer_hv();
		answer_fences();
	}
}

static void settle(void)
{
	settle_ms(3000);
}

#define CIB_FMT \
	"<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">" \
	"<configuration><crm_config><cluster_property_set id=\"o\">" \
	"<nvpair id=\"o-s\" name=\"stonith-enabled\" value=\"%s\"/>" \
	"<nvpair id=\"o-t\" name=\"stonith-timeout\" value=\"20s\"/>" \
	"<nvpair id=\"o-m\" name=\"stonith-max-attempts\" value=\"4\"/>" \
	"</cluster_property_set></crm_config>" \
	"<nodes><node id=\"1\" uname=\"n1\"/><node id=\"2\" uname=\"n2\"/>" \
	"<node id=\"3\" uname=\"n3\"/><node id=\"4\" uname=\"n4\"/><node id=\"5\" uname=\"n5\"/>" \
	"</nodes><resources>%s" \
	"<primitive id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">" \
	"<instance_attributes id=\"vm1-i\"><nvpair id=\"vm1-c\" name=\"config\" value=\"/x/vm1.xml\"/>" \
	"</instance_attributes></primitive>" \
	"<primitive id=\"vm2\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">" \
	"<instance_attributes id=\"vm2-i\"><nvpair id=\"vm2-c\" name=\"config\" value=\"/x/vm2.xml\"/>" \
	"</instance_attributes></primitive>" \
	"<primitive id=\"vm3\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">" \
	"<instance_attributes id=\"vm3-i\"><nvpair id=\"vm3-c\" name=\"config\" value=\"/x/vm3.xml\"/>" \
	"</instance_attributes></primitive>" \
	"</resources><constraints>" \
	"<rsc_location id=\"l1\" rsc=\"vm1\" node=\"n1\" score=\"-INFINITY\"/>" \
	"<rsc_location id=\"l2\" rsc=\"vm2\" node=\"n1\" score=\"-INFINITY\"/>" \
	"<rsc_location id=\"l3\" rsc=\"vm3\" node=\"n1\" score=\"-INFINITY\"/>" \
	"</constraints></configuration><status/></cib>"

static const char *DEVICE =
	"<primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_sim\">"
	"<instance_attributes id=\"fs-i\"><nvpair id=\"fs-l\" name=\"pcmk_host_list\" "
	"value=\"n1 n2 n3 n4 n5\"/></instance_attributes></primitive>";

static json_object *request(int node, json_object *req)
{
	json_object_object_add(req, "version", json_object_new_int(1));
	uint64_t id = h_request(H, node, json_object_to_json_string(req));
	json_object_put(req);
	for (int i = 0; i < 200 && !h_reply(H, node, id); i++) {
		h_run_for(H, 100);
		answer_hv();
		answer_fences();
	}
	const char *r = h_reply(H, node, id);
	if (!r)
		return NULL;
	return json_tokener_parse(r);
}

static int rc_of(json_object *rep)
{
	json_object *rc;
	assert_non_null(rep);
	assert_true(json_object_object_get_ex(rep, "rc", &rc));
	return json_object_get_int(rc);
}

static void load(bool stonith, bool device)
{
	char *xml = NULL;
	assert_true(asprintf(&xml, CIB_FMT, stonith ? "true" : "false", device ? DEVICE : "") > 0);
	json_object *req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("config-replace"));
	json_object_object_add(req, "xml", json_object_new_string(xml));
	free(xml);
	json_object *rep = request(1, req);
	assert_int_equal(rc_of(rep), 0);
	json_object_put(rep);
}

static size_t starts_of(const char *rsc)
{
	size_t n = 0;
	for (size_t i = 0; i < W.n_hv; i++)
		n += W.hv[i].a.op == CRMD_HV_START && !strcmp(W.hv[i].rsc, rsc);
	return n;
}

static int runs_on(const char *rsc)
{
	int on = 0;
	for (int n = 1; n <= N; n++)
		for (int k = 0; k < NVM; k++)
			if (!strcmp(W.runs[n][k], rsc) && h_powered(H, n)) {
				assert_int_equal(on, 0);
				on = n;
			}
	return on;
}

static size_t fences_of(const char *target)
{
	size_t n = 0;
	for (size_t i = 0; i < W.n_fs; i++)
		n += !strcmp(W.fs[i].target, target);
	return n;
}

/* The last fencing attempt submitted against @target; a test that expects one
 * and finds none fails here (never NULL, so callers read it directly). */
static struct fsub *last_fence(const char *target)
{
	static struct fsub none;
	struct fsub *s = NULL;
	for (size_t i = 0; i < W.n_fs; i++)
		if (!strcmp(W.fs[i].target, target))
			s = &W.fs[i];
	if (!s) {
		fail_msg("no fencing of %s was submitted", target);
		return &none;
	}
	return s;
}

/* Boots the cluster with the VMs placed; returns a node running a VM. */
static int setup(bool stonith, bool device)
{
	memset(&W, 0, sizeof(W));
	H = h_new(N);
	h_set_hv(H, hv, &W);
	h_set_fence(H, fence, &W);
	for (int n = 1; n <= N; n++)
		h_boot(H, n);
	settle();
	W.mode = F_MANUAL;
	load(stonith, device);
	settle();
	for (int v = 1; v <= NVM; v++) {
		char name[8];
		snprintf(name, sizeof(name), "vm%d", v);
		assert_int_equal(starts_of(name), 1);
	}
	assert_int_equal(crmd_core_dc(h_core(H, 2)), 1);
	int victim = runs_on("vm1");
	assert_true(victim > 1);
	return victim;
}

static const struct fen_record *last_record(int node, const char *target)
{
	return fen_history_last_for(crmd_core_fence_history(h_core(H, node)), target);
}

static void teardown(void)
{
	h_free(H);
	H = NULL;
}

/* After a failed test too (its log is printed with HARNESS_DUMP=1). */
static int td(void **state)
{
	(void)state;
	teardown();
	return 0;
}

/* Every running member has the same history (ids and states). */
static void same_history(void)
{
	const struct fen_history *ref = NULL;
	for (int n = 1; n <= N; n++) {
		if (!h_core(H, n))
			continue;
		const struct fen_history *h = crmd_core_fence_history(h_core(H, n));
		if (!ref) {
			ref = h;
			continue;
		}
		assert_int_equal(h->n, ref->n);
		for (size_t i = 0; i < h->n; i++) {
			assert_string_equal(h->v[i]->id, ref->v[i]->id);
			assert_int_equal(h->v[i]->state, ref->v[i]->state);
			assert_int_equal(h->v[i]->n_attempts, ref->v[i]->n_attempts);
		}
	}
}

static void test_fenced_once_then_recovered(void **state)
{
	(void)state;
	int victim = setup(true, true);
	char vname[8];
	snprintf(vname, sizeof(vname), "n%d", victim);
	h_power_off(H, victim);
	settle_ms(5000);
	/* One attempt, in flight, on the DC; nothing started meanwhile. */
	assert_int_equal(fences_of(vname), 1);
	struct fsub *s = last_fence(vname);
	assert_int_equal(s->node, 1);
	assert_string_equal(s->action, "reboot");
	assert_int_equal(s->timeout_ms, 20000);
	assert_int_equal(starts_of("vm1"), 1);
	assert_int_equal(runs_on("vm1"), 0);
	for (int n = 1; n <= N; n++)
		if (n != victim) {
			assert_string_equal(crmd_core_node_fencing(h_core(H, n), vname, NULL),
					    "fencing");
			const struct fen_record *r = last_record(n, vname);
			assert_non_null(r);
			assert_int_equal(r->state, FEN_STATE_PENDING);
		}
	answer_fence(s, 0, "Success: Powered OFF");
	settle();
	assert_int_equal(fences_of(vname), 1);
	/* The VM runs again, once, on a survivor, started after the fencing. */
	assert_int_equal(starts_of("vm1"), 2);
	int now_on = runs_on("vm1");
	assert_true(now_on && now_on != victim);
	for (size_t i = 0; i < W.n_hv; i++)
		if (W.hv[i].a.op == CRMD_HV_START && !strcmp(W.hv[i].rsc, "vm1") &&
		    W.hv[i].node != victim)
			assert_true(W.hv[i].at >= W.fenced_at[victim]);
	for (int n = 1; n <= N; n++) {
		if (n == victim)
			continue;
		assert_null(crmd_core_node_fencing(h_core(H, n), vname, NULL));
		const struct fen_record *r = last_record(n, vname);
		assert_non_null(r);
		assert_int_equal(r->state, FEN_STATE_DONE);
		assert_int_equal(r->n_attempts, 1);
		assert_string_equal(r->attempts[0].device, "fence-sim");
		assert_string_equal(r->executor, "n1");
		const char *where = NULL;
		assert_string_equal(crmd_core_rsc_state(h_core(H, n), "vm1", &where), "running");
		assert_int_equal(node_of(where), now_on);
	}
	same_history();
	/* Status shows it. */
	json_object *req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("status"));
	json_object *st = request(3 == victim ? 4 : 3, req);
	assert_int_equal(rc_of(st), 0);
	const char *txt = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(txt, "\"last_fencing\""));
	assert_non_null(strstr(txt, "\"stonith_enabled\":true"));
	json_object_put(st);
	/* Settling longer changes nothing. */
	settle_ms(60000);
	assert_int_equal(fences_of(vname), 1);
	assert_int_equal(starts_of("vm1"), 2);
	/* The fenced node comes back: it learns the history in the sync round,
	 * is a member again (not unclean), and nothing is fenced or started. */
	h_boot(H, victim);
	settle();
	const struct fen_record *r = last_record(victim, vname);
	assert_non_null(r);
	assert_int_equal(r->state, FEN_STATE_DONE);
	same_history();
	for (int n = 1; n <= N; n++)
		assert_null(crmd_core_node_fencing(h_core(H, n), vname, NULL));
	assert_int_equal(fences_of(vname), 1);
	assert_int_equal(starts_of("vm1"), 2);
	teardown();
}

static void test_retries_backoff_max_attempts(void **state)
{
	(void)state;
	int victim = setup(true, true);
	char vname[8];
	snprintf(vname, sizeof(vname), "n%d", victim);
	W.mode = F_FAIL;
	h_power_off(H, victim);
	/* 4 attempts (stonith-max-attempts): back-off 1, 2, 4 s between them. */
	settle_ms(12000);
	assert_true(fences_of(vname) >= 4);
	uint64_t at[16];
	size_t k = 0;
	for (size_t i = 0; i < W.n_fs && k < 16; i++)
		if (!strcmp(W.fs[i].target, vname))
			at[k++] = W.fs[i].at;
	assert_true(at[1] - at[0] >= 1000 && at[1] - at[0] < 1300);
	assert_true(at[2] - at[1] >= 2000 && at[2] - at[1] < 2300);
	assert_true(at[3] - at[2] >= 4000 && at[3] - at[2] < 4300);
	for (int n = 1; n <= N; n++) {
		if (n == victim)
			continue;
		const char *why = NULL;
		assert_string_equal(crmd_core_node_fencing(h_core(H, n), vname, &why),
				    "fencing failed");
		assert_non_null(why);
		assert_non_null(strstr(why, "refusing"));
	}
	same_history();
	/* The VM stays down; the retries go on, at most every 30 s. */
	assert_int_equal(runs_on("vm1"), 0);
	assert_int_equal(starts_of("vm1"), 1);
	size_t before = fences_of(vname);
	settle_ms(95000);
	size_t more = fences_of(vname) - before;
	assert_true(more >= 2 && more <= 4);
	assert_int_equal(starts_of("vm1"), 1);
	json_object *req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("status"));
	json_object *st = request(victim == 2 ? 3 : 2, req);
	assert_non_null(strstr(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN), "fencing failed"));
	json_object_put(st);
	/* The device works again: recovery completes. */
	W.mode = F_OK;
	settle_ms(35000);
	assert_int_equal(starts_of("vm1"), 2);
	assert_true(runs_on("vm1") > 0);
	for (int n = 1; n <= N; n++)
		if (n != victim)
			assert_null(crmd_core_node_fencing(h_core(H, n), vname, NULL));
	same_history();
	teardown();
}

static void test_dc_dies_while_fencing(void **state)
{
	(void)state;
	int victim = setup(true, true);
	char vname[8];
	snprintf(vname, sizeof(vname), "n%d", victim);
	h_power_off(H, victim);
	settle_ms(3000);
	assert_int_equal(fences_of(vname), 1);
	assert_int_equal(last_fence(vname)->node, 1);
	/* The DC dies with its agent still running. */
	h_power_off(H, 1);
	settle_ms(3000);
	int dc = (int)crmd_core_dc(h_core(H, victim == 2 ? 3 : 2));
	assert_true(dc > 1 && dc != victim);
	/* The new DC fences both the first victim (its fencing never finished)
	 * and the old DC. */
	assert_int_equal(fences_of(vname), 2);
	assert_int_equal(last_fence(vname)->node, dc);
	assert_int_equal(fences_of("n1"), 1);
	assert_int_equal(starts_of("vm1"), 1);
	/* The old DC's agent succeeding now changes nothing: its DC is gone. */
	answer_fence(&W.fs[0], 0, "late");
	W.mode = F_OK;
	settle();
	assert_int_equal(starts_of("vm1"), 2);
	assert_true(runs_on("vm1") > 1);
	for (int v = 1; v <= NVM; v++) {
		char name[8];
		snprintf(name, sizeof(name), "vm%d", v);
		assert_true(runs_on(name) > 0);
	}
	for (int n = 1; n <= N; n++) {
		if (!h_core(H, n))
			continue;
		assert_null(crmd_core_node_fencing(h_core(H, n), vname, NULL));
		assert_null(crmd_core_node_fencing(h_core(H, n), "n1", NULL));
		/* The old DC's pending operation was closed. */
		const struct fen_history *hh = crmd_core_fence_history(h_core(H, n));
		for (size_t i = 0; i < hh->n; i++)
			assert_int_not_equal(hh->v[i]->state, FEN_STATE_PENDING);
	}
	same_history();
	settle_ms(40000);
	assert_int_equal(starts_of("vm1"), 2);
	teardown();
}

static void test_dc_fenced_result_delivered_then_dies(void **state)
{
	(void)state;
	int victim = setup(true, true);
	char vname[8];
	snprintf(vname, sizeof(vname), "n%d", victim);
	h_power_off(H, victim);
	settle_ms(2000);
	/* The DC's success reaches the group, then the DC dies before starting
	 * anything: the new DC must not fence the victim again, and starts the
	 * VM once. */
	answer_fence(last_fence(vname), 0, "ok");
	h_step(H, 1);
	h_power_off(H, 1);
	W.mode = F_OK;
	settle();
	assert_int_equal(fences_of(vname), 1);
	assert_int_equal(starts_of("vm1"), 2);
	assert_true(runs_on("vm1") > 1);
	teardown();
}

static void inject_fence(int node, uint32_t kind, const char *target, const char *json)
{
	struct vg_msg_fence m = { .kind = kind, .target = (char *)target, .json = (char *)json,
				  .json_len = strlen(json) };
	void *buf;
	size_t len;
	assert_int_equal(vg_msg_fence_encode(&m, (uint32_t)node, 999, &buf, &len), 0);
	h_inject(H, node, buf, len);
	free(buf);
}

static void test_stray_and_garbled(void **state)
{
	(void)state;
	int victim = setup(true, true);
	char vname[8];
	snprintf(vname, sizeof(vname), "n%d", victim);
	uint64_t dropped = crmd_core_dropped(h_core(H, 3));
	/* A success claimed by a non-DC for a node that is not a node. */
	struct fen_record *r = NULL;
	assert_int_equal(fen_record_manual("x-1", "nosuch", "test", 1, &r), 0);
	char *json = NULL;
	assert_int_equal(fen_record_to_json(r, &json), 0);
	fen_record_free(r);
	inject_fence(4, VG_FENCE_RECORD, "nosuch", json);
	free(json);
	/* A pending record from a member that is not the DC. */
	assert_int_equal(fen_record_manual("x-2", vname, "test", 1, &r), 0);
	r->state = FEN_STATE_PENDING;
	assert_int_equal(fen_record_to_json(r, &json), 0);
	fen_record_free(r);
	inject_fence(4, VG_FENCE_RECORD, vname, json);
	free(json);
	/* A result nobody asked for. */
	struct crmd_event ev = { .type = CRMD_EV_FENCE_DONE };
	ev.fence_done.call_id = 4242;
	h_handle(H, 1, &ev);
	settle();
	for (int n = 1; n <= N; n++) {
		assert_int_equal(crmd_core_fence_history(h_core(H, n))->n, 0);
		assert_null(crmd_core_node_fencing(h_core(H, n), vname, NULL));
	}
	assert_int_equal(crmd_core_dropped(h_core(H, 3)), dropped + 2);
	/* Garbage JSON: the sender is ignored from then on. */
	inject_fence(5, VG_FENCE_RECORD, vname, "{\"id\": 17");
	settle();
	assert_int_equal(crmd_core_dropped(h_core(H, 3)), dropped + 3);
	assert_int_equal(h_log_count(H, 3, "dropped a malformed fencing message"), 1);
	/* A success naming another target than the message's: malformed. */
	assert_int_equal(fen_record_manual("x-3", "n5", "test", 1, &r), 0);
	assert_int_equal(fen_record_to_json(r, &json), 0);
	fen_record_free(r);
	inject_fence(4, VG_FENCE_CONFIRM, "n3", json);
	free(json);
	settle();
	assert_int_equal(crmd_core_dropped(h_core(H, 3)), dropped + 4);
	/* Nothing of it made anything happen. */
	assert_int_equal(W.n_fs, 0);
	assert_int_equal(starts_of("vm1"), 1);
	for (int n = 1; n <= N; n++)
		assert_int_equal(crmd_core_fence_history(h_core(H, n))->n, 0);
	/* Wire level: an unknown kind and a missing target are refused. */
	char tn2[] = "n2", tnone[] = "", tj[] = "{}";
	struct vg_msg_fence m = { .kind = 77, .target = tn2, .json = tj, .json_len = 2 };
	void *buf;
	size_t len;
	assert_int_equal(vg_msg_fence_encode(&m, 2, 1, &buf, &len), 0);
	struct vg_wire_hdr hdr;
	const void *p;
	struct vg_diags d = { 0 };
	assert_int_equal(vg_wire_decode(buf, len, &hdr, &p, &d), 0);
	struct vg_msg_fence out;
	assert_int_equal(vg_msg_fence_decode(p, hdr.length, &out, &d), -EBADMSG);
	free(buf);
	m.kind = VG_FENCE_RECORD;
	m.target = tnone;
	assert_int_equal(vg_msg_fence_encode(&m, 2, 1, &buf, &len), 0);
	assert_int_equal(vg_wire_decode(buf, len, &hdr, &p, &d), 0);
	assert_int_equal(vg_msg_fence_decode(p, hdr.length, &out, &d), -EBADMSG);
	free(buf);
	vg_diags_clear(&d);
	teardown();
}

static void test_stonith_disabled(void **state)
{
	(void)state;
	int victim = setup(false, true);
	char vname[8];
	snprintf(vname, sizeof(vname), "n%d", victim);
	W.unsafe = true;
	h_power_off(H, victim);
	settle();
	assert_int_equal(W.n_fs, 0);
	assert_int_equal(starts_of("vm1"), 2);
	assert_true(runs_on("vm1") > 0);
	json_object *req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("status"));
	json_object *st = request(victim == 2 ? 3 : 2, req);
	const char *txt = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(txt, "stonith-enabled=false"));
	assert_non_null(strstr(txt, "\"stonith_enabled\":false"));
	/* The lost node shows offline (treated as down), not unclean. */
	json_object *nodes, *v;
	assert_true(json_object_object_get_ex(st, "nodes", &nodes));
	json_object *vn = json_object_array_get_idx(nodes, (size_t)victim - 1);
	assert_true(json_object_object_get_ex(vn, "state", &v));
	assert_string_equal(json_object_get_string(v), "offline");
	json_object_put(st);
	/* Everybody agrees where vm1 runs now. */
	for (int n = 1; n <= N; n++) {
		if (n == victim)
			continue;
		const char *where = NULL;
		assert_string_equal(crmd_core_rsc_state(h_core(H, n), "vm1", &where), "running");
		assert_int_equal(node_of(where), runs_on("vm1"));
	}
	teardown();
}

static void test_confirm_without_device(void **state)
{
	(void)state;
	int victim = setup(true, false);
	char vname[8];
	snprintf(vname, sizeof(vname), "n%d", victim);
	h_power_off(H, victim);
	settle_ms(10000);
	/* Nothing can fence it: it stays unclean, its VM down. */
	assert_int_equal(W.n_fs, 0);
	assert_int_equal(starts_of("vm1"), 1);
	assert_int_equal(runs_on("vm1"), 0);
	assert_string_equal(crmd_core_node_fencing(h_core(H, 2 == victim ? 3 : 2), vname, NULL),
			    "unclean");
	/* Confirming a node that is up is refused. */
	json_object *req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("fence-confirm"));
	json_object_object_add(req, "node", json_object_new_string("n1"));
	json_object *rep = request(4 == victim ? 5 : 4, req);
	assert_int_not_equal(rc_of(rep), 0);
	json_object_put(rep);
	/* The admin confirms the victim is off. */
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("fence-confirm"));
	json_object_object_add(req, "node", json_object_new_string(vname));
	json_object_object_add(req, "origin", json_object_new_string("root"));
	W.fenced[victim] = true;        /* the admin powered it off */
	rep = request(4 == victim ? 5 : 4, req);
	assert_int_equal(rc_of(rep), 0);
	json_object_put(rep);
	settle();
	assert_int_equal(starts_of("vm1"), 2);
	assert_true(runs_on("vm1") > 0);
	for (int n = 1; n <= N; n++) {
		if (n == victim)
			continue;
		const struct fen_record *r = last_record(n, vname);
		assert_non_null(r);
		assert_int_equal(r->state, FEN_STATE_DONE);
		assert_string_equal(r->attempts[0].device, FEN_DEVICE_MANUAL);
		assert_non_null(strstr(r->origin, "root"));
	}
	same_history();
	/* History over the client interface. */
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("fence-history"));
	json_object_object_add(req, "node", json_object_new_string(vname));
	rep = request(1, req);
	json_object *arr;
	assert_true(json_object_object_get_ex(rep, "history", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	json_object_put(rep);
	teardown();
}

static void test_manual_fence_request(void **state)
{
	(void)state;
	(void)setup(true, true);
	W.mode = F_OK;
	/* `vigil node fence n5 --wait` from n3: the DC (n1) fences it. */
	json_object *req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("fence"));
	json_object_object_add(req, "node", json_object_new_string("n5"));
	json_object_object_add(req, "wait", json_object_new_boolean(true));
	json_object *rep = request(3, req);
	assert_int_equal(rc_of(rep), 0);
	json_object_put(rep);
	assert_int_equal(fences_of("n5"), 1);
	assert_int_equal(last_fence("n5")->node, 1);
	const struct fen_record *r = last_record(2, "n5");
	assert_non_null(r);
	assert_int_equal(r->state, FEN_STATE_DONE);
	assert_non_null(strstr(r->origin, "vigil node fence"));
	/* An unknown node is refused at once. */
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("fence"));
	json_object_object_add(req, "node", json_object_new_string("n9"));
	rep = request(3, req);
	assert_int_not_equal(rc_of(rep), 0);
	json_object_put(rep);
	/* A failing manual fence answers with the reason after max attempts,
	 * and is not retried for ever (nobody wants n4 fenced otherwise). */
	W.mode = F_FAIL;
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("fence"));
	json_object_object_add(req, "node", json_object_new_string("n4"));
	json_object_object_add(req, "wait", json_object_new_boolean(true));
	rep = request(3, req);
	assert_int_not_equal(rc_of(rep), 0);
	assert_non_null(strstr(json_object_to_json_string(rep), "refusing"));
	json_object_put(rep);
	assert_int_equal(fences_of("n4"), 4);
	settle_ms(60000);
	assert_int_equal(fences_of("n4"), 4);
	teardown();
}

/* The DC learns the quorum of the new ring after the others: their reports
 * (sent when their own quorum came) reach it before its DC role comes back.
 * They must still count: the survivors are members, not "pending", and the
 * lost node's VM is recovered. */
static void test_reports_before_dc_quorum(void **state)
{
	(void)state;
	int victim = setup(true, true);
	char vname[8];
	snprintf(vname, sizeof(vname), "n%d", victim);
	W.mode = F_OK;
	h_set_node_quorum_delay(H, 1, 50);
	h_power_off(H, victim);
	settle();
	json_object *req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("status"));
	json_object *st = request(1, req);
	json_object *nodes, *v;
	assert_true(json_object_object_get_ex(st, "nodes", &nodes));
	for (int n = 1; n <= N; n++) {
		json_object *no = json_object_array_get_idx(nodes, (size_t)n - 1);
		assert_true(json_object_object_get_ex(no, "state", &v));
		assert_string_equal(json_object_get_string(v), n == victim ? "offline" : "online");
	}
	json_object_put(st);
	assert_int_equal(starts_of("vm1"), 2);
	assert_true(runs_on("vm1") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fenced_once_then_recovered, td),
		cmocka_unit_test_teardown(test_retries_backoff_max_attempts, td),
		cmocka_unit_test_teardown(test_dc_dies_while_fencing, td),
		cmocka_unit_test_teardown(test_dc_fenced_result_delivered_then_dies, td),
		cmocka_unit_test_teardown(test_stray_and_garbled, td),
		cmocka_unit_test_teardown(test_stonith_disabled, td),
		cmocka_unit_test_teardown(test_confirm_without_device, td),
		cmocka_unit_test_teardown(test_manual_fence_request, td),
		cmocka_unit_test_teardown(test_reports_before_dc_quorum, td),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
