/*
 * core_transition.c - the DC's transition engine.
 *
 * Whenever something relevant changes (a resource message, the configuration,
 * the membership) tr_kick() arms a 0 ms timer: a burst of events costs one
 * computation.  The computation builds the whole document (configuration +
 * a Pacemaker-form status section from the resource table), saves it as a
 * policy input (env.save_input, for `vigil simulate -x`), runs pol_compute()
 * and sends every action without unmet dependencies whose resource has no
 * action in flight to its node.  Actions with dependencies wait: their
 * dependencies' results change the world, which triggers a recomputation in
 * which they have none.  So a running transition is never "aborted": the
 * next computation starts from what is true now plus what is in flight.
 *
 * The DC does not act before every node of the ring runs a vigild that has
 * reported a probe since the last reset (a new DC, a round): a node whose
 * vigild is down may still run VMs, and starting them elsewhere would run
 * them twice.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cib_xml.h"
#include "core_int.h"
#include "core_rsc.h"
#include "policy.h"

#define ACTIONS_TICK_MS 1000u
#define DEFAULT_TIMEOUT_MS 60000u

static bool acting_dc(struct crmd_core *c)
{
	return crmd_core_dc(c) && core_is_self(c, &c->dc) && c->synced && !c->round_active &&
	       c->have_config;
}

void tr_kick(struct crmd_core *c)
{
	struct crmd_rsc *r = c->rsc;
	if (!r || r->tr_armed || !acting_dc(c))
		return;
	r->tr_armed = true;
	r->kick_ms = c->env.now_ms(c->env.ctx);
	c->env.timer_arm(c->env.ctx, CRMD_TIMER_TRANSITION, 0);
}

/* ---- a growing string ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/* Resource ids and node names are checked names (no markup); messages are
 * not, so they are left out of the document. */
static void sb_op(struct sbuf *b, const char *rsc, const char *suffix, const char *op,
		  uint64_t interval_ms, int rc, uint64_t call, int64_t when, const char *node)
{
	sb_printf(b, "<lrm_rsc_op id=\"%s_%s\" operation_key=\"%s_%s_%" PRIu64 "\" "
		  "operation=\"%s\" crm-debug-origin=\"vigild\" "
		  "transition-key=\"0:0:0:vigil\" transition-magic=\"0:%d;0:0:0:vigil\" "
		  "call-id=\"%" PRIu64 "\" rc-code=\"%d\" op-status=\"0\" interval=\"%" PRIu64 "\" "
		  "last-rc-change=\"%" PRId64 "\" exec-time=\"0\" queue-time=\"0\" on_node=\"%s\"/>",
		  rsc, suffix, rsc, op, interval_ms, op, rc, call, rc, interval_ms, when, node);
}

static const struct crmd_doc_resource *sum_rsc(const struct crmd_doc_summary *sum, const char *id)
{
	for (size_t i = 0; sum && i < sum->n_resources; i++)
		if (sum->resources[i].id && !strcmp(sum->resources[i].id, id))
			return &sum->resources[i];
	return NULL;
}

static bool rsc_in_config(const struct crmd_doc_summary *sum, const char *id)
{
	return sum_rsc(sum, id) != NULL;
}

/* The interval of @rsc's recurring monitor (0: none configured). */
static uint64_t monitor_interval_ms(const struct crmd_doc_summary *sum, const char *id)
{
	const struct crmd_doc_resource *r = sum_rsc(sum, id);
	return r ? r->monitor_ms : 0;
}

/* The key Pacemaker gives a failure: the failed operation and its interval
 * (a failure seen between monitors, by a lifecycle event, counts as the
 * recurring monitor's, as it would have found it). */
static uint64_t fail_interval_ms(const struct crmd_doc_summary *sum, const struct rsc_entry *e)
{
	if (e->fail_op && strcmp(e->fail_op, "monitor") && strcmp(e->fail_op, "event"))
		return 0;
	uint64_t ms = monitor_interval_ms(sum, e->rsc);
	return ms ? ms : 10000;
}

static const char *fail_op_name(const struct rsc_entry *e)
{
	return e->fail_op && strcmp(e->fail_op, "event") ? e->fail_op : "monitor";
}

/* One (node, resource) history in call order, as Pacemaker's executor would
 * have recorded it.  A failure of a running VM (a crash, a monitor that found
 * it gone) follows the start that made it run: Pacemaker's scheduler then
 * sees a failed *running* resource and recovers it in place (stickiness
 * holds) until migration-threshold, instead of a stopped one to place
 * anywhere. */
static void entry_ops(struct sbuf *b, const struct crmd_doc_summary *sum,
		      const struct rsc_entry *e, const char *node)
{
	bool running = !strcmp(e->state, "running") || !strcmp(e->state, "paused");
	if (e->fail_call) {
		const char *fop = fail_op_name(e);
		uint64_t ivl = fail_interval_ms(sum, e);
		bool fail_last = e->call <= e->fail_call;
		if (fail_last && !strcmp(fop, "monitor") && e->run_call &&
		    e->run_call < e->fail_call)
			sb_op(b, e->rsc, "last_0", "start", 0, 0, e->run_call, e->run_changed, node);
		sb_op(b, e->rsc, "last_failure_0", fop, ivl, !strcmp(fop, "monitor") ? 7 : 1,
		      e->fail_call, e->last_failure, node);
		if (fail_last)
			return;
	}
	if (running)
		sb_op(b, e->rsc, "last_0", "start", 0, 0, e->call, e->changed, node);
	else if (e->fail_call)
		sb_op(b, e->rsc, "last_0", "stop", 0, 0, e->call, e->changed, node);
	else
		sb_op(b, e->rsc, "last_0", "monitor", 0, 7, e->call, e->changed, node);
}

/* The status section from the resource table, for the nodes of Corosync's list. */
static void build_status(struct crmd_core *c, const struct crmd_doc_summary *cfg, struct sbuf *b,
			 const struct crmd_node_state *st, size_t n)
{
	struct crmd_rsc *r = c->rsc;
	sb_printf(b, "<status>");
	for (size_t i = 0; i < n; i++) {
		const char *u = st[i].uname;
		/* A node nobody here ever saw (all of us started after it went
		 * away) gets no node_state: the policy's startup-fencing treats
		 * it as unclean, since it may still run VMs (found by vigil-sim:
		 * written as cleanly down, its VMs were started a second time). */
		if (!core_node_seen(c, st[i].nodeid))
			continue;
		sb_printf(b, "<node_state id=\"%" PRIu32 "\" uname=\"%s\" in_ccm=\"%s\" crmd=\"%s\" "
			  "crm-debug-origin=\"vigild\" join=\"%s\" expected=\"%s\">",
			  st[i].nodeid, u, st[i].in_ccm ? "true" : "false",
			  st[i].crmd ? "online" : "offline", st[i].join, st[i].expected);
		sb_printf(b, "<transient_attributes id=\"%" PRIu32 "\"><instance_attributes "
			  "id=\"status-%" PRIu32 "\">", st[i].nodeid, st[i].nodeid);
		/* Its vigild is draining it (core_quorum.c): Pacemaker's attribute
		 * for a shutdown in progress moves its resources away. */
		if (nq_node_shutting_down(c, st[i].nodeid))
			sb_printf(b, "<nvpair id=\"status-%" PRIu32 "-shutdown\" name=\"shutdown\" "
				  "value=\"%" PRIu64 "\"/>", st[i].nodeid,
				  c->env.now_ms(c->env.ctx) / 1000u + 1);
		for (size_t k = 0; k < r->n_entries; k++) {
			const struct rsc_entry *e = &r->entries[k];
			if (e->nodeid != st[i].nodeid || !e->fail_count || !rsc_in_config(cfg, e->rsc))
				continue;
			char v[32];
			if (e->fail_count >= 1000000)
				snprintf(v, sizeof(v), "INFINITY");
			else
				snprintf(v, sizeof(v), "%d", e->fail_count);
			const char *fop = fail_op_name(e);
			uint64_t ivl = fail_interval_ms(cfg, e);
			sb_printf(b, "<nvpair id=\"status-%" PRIu32 "-fail-count-%s\" "
				  "name=\"fail-count-%s#%s_%" PRIu64 "\" value=\"%s\"/>"
				  "<nvpair id=\"status-%" PRIu32 "-last-failure-%s\" "
				  "name=\"last-failure-%s#%s_%" PRIu64 "\" value=\"%" PRId64 "\"/>",
				  st[i].nodeid, e->rsc, e->rsc, fop, ivl, v, st[i].nodeid, e->rsc,
				  e->rsc, fop, ivl, e->last_failure);
		}
		sb_printf(b, "</instance_attributes></transient_attributes>");
		sb_printf(b, "<lrm id=\"%" PRIu32 "\"><lrm_resources>", st[i].nodeid);
		for (size_t k = 0; k < r->n_entries; k++) {
			const struct rsc_entry *e = &r->entries[k];
			if (e->nodeid != st[i].nodeid || !rsc_in_config(cfg, e->rsc))
				continue;
			sb_printf(b, "<lrm_resource id=\"%s\" class=\"ocf\" provider=\"heartbeat\" "
				  "type=\"VirtualDomain\">", e->rsc);
			entry_ops(b, cfg, e, u);
			sb_printf(b, "</lrm_resource>");
		}
		sb_printf(b, "</lrm_resources></lrm></node_state>");
	}
	sb_printf(b, "</status>");
}

static const struct vg_resource *find_rsc(const struct vg_cib *cib, const char *id)
{
	for (size_t i = 0; i < cib->n_resources; i++)
		if (cib->resources[i].id && !strcmp(cib->resources[i].id, id))
			return &cib->resources[i];
	return NULL;
}

static bool is_vm(const struct vg_cib *cib, const char *id)
{
	const struct vg_resource *r = find_rsc(cib, id);
	return r && r->type && !strcmp(r->type, "VirtualDomain");
}

static uint32_t op_timeout_ms(const struct vg_resource *res, const char *op)
{
	for (size_t i = 0; res && i < res->n_ops; i++)
		if (res->ops[i].name && !strcmp(res->ops[i].name, op) && res->ops[i].timeout_ms)
			return (uint32_t)res->ops[i].timeout_ms;
	return DEFAULT_TIMEOUT_MS;
}

static uint32_t node_id_of(const struct crmd_node_state *st, size_t n, const char *uname)
{
	for (size_t i = 0; uname && i < n; i++)
		if (st[i].uname && !strcmp(st[i].uname, uname))
			return st[i].nodeid;
	return 0;
}

static void send_do(struct crmd_core *c, const struct vg_cib *cib, uint32_t nodeid,
		    const char *op, const char *rsc, const char *to_node, bool restart,
		    const char *reason)
{
	struct crmd_rsc *r = c->rsc;
	const struct vg_resource *res = find_rsc(cib, rsc);
	uint32_t tmo = op_timeout_ms(res, op);
	uint64_t call = ++r->call_seq_dc;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "k", json_object_new_string("do"));
	json_object_object_add(o, "n", json_object_new_int64(nodeid));
	json_object_object_add(o, "call", json_object_new_int64((int64_t)call));
	json_object_object_add(o, "op", json_object_new_string(op));
	json_object_object_add(o, "r", json_object_new_string(rsc));
	json_object_object_add(o, "tmo", json_object_new_int64(tmo));
	uint64_t then = 0;
	uint32_t then_tmo = 0;
	if (restart) {
		/* The start of the Recover travels with its stop: the node runs
		 * it as soon as the stop succeeded (core_rsc.c, run_then()). */
		json_object_object_add(o, "re", json_object_new_int(1));
		then = ++r->call_seq_dc;
		then_tmo = op_timeout_ms(res, "start");
		json_object_object_add(o, "then", json_object_new_int64((int64_t)then));
		json_object_object_add(o, "ttmo", json_object_new_int64(then_tmo));
	}
	const char *cfg = res ? vg_nvsets_get(&res->instance, "config") : NULL;
	if (cfg)
		json_object_object_add(o, "cfg", json_object_new_string(cfg));
	char uri[300];
	uint32_t to_id = 0;
	if (to_node) {
		const char *mu = NULL;
		for (size_t i = 0; i < cib->n_nodes; i++)
			if (cib->nodes[i].uname && !strcmp(cib->nodes[i].uname, to_node))
				mu = vg_nvsets_get(&cib->nodes[i].attrs, "migration-uri");
		if (!mu) {
			snprintf(uri, sizeof(uri), "qemu+tcp://%s/system", to_node);
			mu = uri;
		}
		json_object_object_add(o, "to", json_object_new_string(mu));
		for (size_t i = 0; i < c->n_nodes; i++)
			if (c->nodes[i].name && !strcmp(c->nodes[i].name, to_node)) {
				json_object_object_add(o, "tn", json_object_new_int64(c->nodes[i].nodeid));
				to_id = c->nodes[i].nodeid;
			}
	}
	/* In flight from now on here, so the next computation cannot issue it
	 * again before the message comes back. */
	struct rsc_flight *v = realloc(r->flights, (r->n_flights + 1) * sizeof(*v));
	if (!v) {
		json_object_put(o);
		return;
	}
	r->flights = v;
	struct rsc_flight *f = &v[r->n_flights];
	memset(f, 0, sizeof(*f));
	f->call = call;
	f->nodeid = nodeid;
	f->rsc = strdup(rsc);
	f->op = strdup(op);
	if (!f->rsc || !f->op) {
		free(f->rsc);
		free(f->op);
		json_object_put(o);
		return;
	}
	f->deadline_ms = c->env.now_ms(c->env.ctx) + tmo + 15000u;
	f->to_nodeid = to_id;
	r->n_flights++;
	if (then) {
		v = realloc(r->flights, (r->n_flights + 1) * sizeof(*v));
		if (v) {
			r->flights = v;
			f = &v[r->n_flights];
			memset(f, 0, sizeof(*f));
			f->call = then;
			f->nodeid = nodeid;
			f->rsc = strdup(rsc);
			f->op = strdup("start");
			f->deadline_ms = c->env.now_ms(c->env.ctx) + tmo + then_tmo + 15000u;
			if (f->rsc && f->op) {
				r->n_flights++;
			} else {
				free(f->rsc);
				free(f->op);
			}
		}
	}
	core_log(c, LOG_NOTICE, "issuing %s %s on %s%s%s (call %" PRIu64 ") at %" PRIu64
		 " ms: %s%s", op, rsc, core_node_name(c, nodeid) ? core_node_name(c, nodeid) : "?",
		 to_node ? " to " : "", to_node ? to_node : "", call, c->env.now_ms(c->env.ctx),
		 reason ? reason : "", restart ? " (recovery in place: the start follows here)" : "");
	if (then)
		core_log(c, LOG_NOTICE, "issuing start %s on %s (call %" PRIu64 ") at %" PRIu64
			 " ms: recovery in place, run by the node once the stop (call %" PRIu64
			 ") succeeded", rsc, core_node_name(c, nodeid) ? core_node_name(c, nodeid) : "?",
			 then, c->env.now_ms(c->env.ctx), call);
	rsc_send(c, o);
	if (!r->actions_armed) {
		r->actions_armed = true;
		c->env.timer_arm(c->env.ctx, CRMD_TIMER_ACTIONS, ACTIONS_TICK_MS);
	}
}

/* The start half of a recovery in place (Pacemaker's Recover is stop + start
 * on the same node in one transition; here the stop's result comes first and
 * the next computation, seeing the resource stopped, would place it afresh,
 * without the stickiness it had there).  The start goes where the stop was
 * as long as that node may run it and scores at least as well as the node
 * the policy chose (a constraint added since, such as a move, wins).
 * Returns the node name or NULL. */
static const char *restart_node(struct crmd_core *c, const struct pol_transition *tr,
				const char *rsc, const char *chosen)
{
	struct crmd_rsc *r = c->rsc;
	const char *node = NULL;
	for (size_t i = 0; i < r->n_entries && !node; i++)
		if (r->entries[i].restart_here && !strcmp(r->entries[i].rsc, rsc))
			node = core_node_name(c, r->entries[i].nodeid);
	if (!node || !tr->scores)
		return NULL;
	for (size_t p = 0; p < tr->n_placement; p++) {
		if (strcmp(tr->placement[p].resource, rsc))
			continue;
		const int *row = &tr->scores[p * tr->n_nodes];
		int here = -VG_SCORE_INFINITY, there = -VG_SCORE_INFINITY;
		const char *name = NULL;
		for (size_t k = 0; k < tr->n_nodes; k++) {
			if (!strcmp(tr->nodes[k].name, node) &&
			    tr->nodes[k].state == POL_NODE_ONLINE) {
				here = row[k];
				name = tr->nodes[k].name;
			}
			if (chosen && !strcmp(tr->nodes[k].name, chosen))
				there = row[k];
		}
		if (name && here > -VG_SCORE_INFINITY && here >= there)
			return name;
	}
	return NULL;
}

/* The next moment a failure expires (failure-timeout), in seconds of the
 * core's clock, after @now; 0 when none will.  The policy only forgets a
 * failure when it runs, so the DC runs it again then. */
static int64_t next_expiry(struct crmd_core *c, const struct vg_cib *cib, int64_t now)
{
	struct crmd_rsc *r = c->rsc;
	int64_t next = 0;
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct rsc_entry *e = &r->entries[i];
		const struct vg_resource *res = NULL;
		if (!e->fail_count)
			continue;
		for (size_t k = 0; k < cib->n_resources && !res; k++)
			if (cib->resources[k].id && !strcmp(cib->resources[k].id, e->rsc))
				res = &cib->resources[k];
		if (!res)
			continue;
		const char *ft = vg_nvsets_get(&res->meta, "failure-timeout");
		if (!ft)
			ft = vg_nvsets_get(&cib->rsc_defaults, "failure-timeout");
		uint64_t ms = 0;
		if (!ft || vg_duration_parse(ft, &ms) || !ms)
			continue;
		int64_t at = e->last_failure + (int64_t)((ms + 999) / 1000);
		if (at > now && (!next || at < next))
			next = at;
	}
	return next;
}

static bool nodes_ready(struct crmd_core *c, const struct crmd_node_state *st, size_t n,
			char *why, size_t why_len)
{
	for (size_t i = 0; i < n; i++) {
		if (!st[i].in_ccm)
			continue;
		/* Its vigild left cleanly after the cluster saw it drained. */
		if (!st[i].crmd && nq_node_drained(c, st[i].nodeid))
			continue;
		if (!st[i].crmd) {
			snprintf(why, why_len, "node %s is up but its vigild is not", st[i].uname);
			return false;
		}
		/* Its resources count only once it joined (reported). */
		if (strcmp(st[i].join, "member")) {
			snprintf(why, why_len, "waiting for node %s to report", st[i].uname);
			return false;
		}
		if (!rsc_node_probed(c, st[i].nodeid)) {
			snprintf(why, why_len, "waiting for the probe of node %s", st[i].uname);
			return false;
		}
	}
	return true;
}

void tr_on_timer(struct crmd_core *c)
{
	struct crmd_rsc *r = c->rsc;
	r->tr_armed = false;
	if (!acting_dc(c) || !c->env.hv_submit)
		return;
	struct crmd_node_state *st = NULL;
	size_t n = 0;
	if (core_node_states(c, &st, &n))
		return;
	char why[200];
	if (!nodes_ready(c, st, n, why, sizeof(why))) {
		if (!r->waiting_logged)
			core_log(c, LOG_INFO, "transitions wait: %s", why);
		r->waiting_logged = true;
		goto free_states;
	}
	r->waiting_logged = false;

	struct vg_diags d = { 0 };
	/* What the status needs of the configuration (ids, monitor intervals)
	 * comes from the summary kept with it: reading the document with its
	 * schema costs ~10 ms, and the policy input is read once below anyway. */
	if (!c->summary && c->cfg)
		crmd_doc_summarize(c->cfg, c->cfg_len, &c->summary);
	const struct crmd_doc_summary *cfg = c->summary;
	if (!cfg)
		goto free_diags;
	/* The configuration ends with "</cib>", maybe after an empty status. */
	const char *end = NULL;
	for (const char *p = c->cfg; (p = strstr(p, "</cib>")); p++)
		end = p;
	if (!end)
		goto free_cfg;
	const char *stat = NULL;
	for (const char *p = c->cfg; (p = strstr(p, "<status")) && p < end; p++)
		stat = p;
	if (stat)
		end = stat;
	/* The DC's facts on the root: quorum (we only act with it) and who is DC. */
	struct sbuf b = { 0 };
	const char *root = strstr(c->cfg, "<cib");
	const char *root_end = root ? strchr(root, '>') : NULL;
	if (!root || !root_end || root_end > end)
		goto free_cfg;
	root += 4;
	sb_printf(&b, "%.*s", (int)(root - c->cfg), c->cfg);
	size_t rl = (size_t)(root_end - root);
	if (!memmem(root, rl, "have-quorum=", 12))
		sb_printf(&b, " have-quorum=\"1\"");
	if (!memmem(root, rl, "dc-uuid=", 8))
		sb_printf(&b, " dc-uuid=\"%" PRIu32 "\"", c->local_nodeid);
	/* The time the policy judges failure-timeout by (the core's clock, in
	 * which the history's times are too): `vigil simulate -x` replays the
	 * saved input at this time, as crm_simulate does Pacemaker's. */
	int64_t now = (int64_t)(c->env.now_ms(c->env.ctx) / 1000u);
	if (!memmem(root, rl, "execution-date=", 15))
		sb_printf(&b, " execution-date=\"%" PRId64 "\"", now);
	sb_printf(&b, "%.*s", (int)(end - root), root);
	build_status(c, cfg, &b, st, n);
	sb_printf(&b, "</cib>\n");
	if (b.oom)
		goto free_buf;
	r->pe_seq++;
	if (c->env.save_input)
		c->env.save_input(c->env.ctx, r->pe_seq, b.p, b.len);

	struct vg_cib *cib = NULL;
	if (vg_cib_read_memory(b.p, b.len, &cib, &d)) {
		core_log(c, LOG_ERR, "policy input %" PRIu64 " does not read back: %s", r->pe_seq,
			 d.n ? d.v[0].message : "?");
		goto free_buf;
	}
	struct pol_transition *tr = NULL;
	struct pol_options popt = { .want_scores = true };
	int rc = pol_compute(cib, now, &popt, &tr, &d);
	if (rc) {
		core_log(c, LOG_ERR, "policy failed on input %" PRIu64 ": %s", r->pe_seq,
			 d.n ? d.v[0].message : strerror(-rc));
		goto free_cib;
	}
	if (tr->n_actions)
		core_log(c, LOG_INFO, "policy input %" PRIu64 ": %zu actions (kicked at %" PRIu64
			 " ms, computed at %" PRIu64 " ms)", r->pe_seq, tr->n_actions, r->kick_ms,
			 c->env.now_ms(c->env.ctx));
	int64_t expiry = next_expiry(c, cib, now);
	if (expiry && expiry != r->recheck_at) {
		core_log(c, LOG_INFO, "a failure expires in %" PRId64 " s (failure-timeout): "
			 "the policy runs again then", expiry - now);
		c->env.timer_arm(c->env.ctx, CRMD_TIMER_RECHECK, (uint64_t)(expiry - now + 1) * 1000u);
	}
	r->recheck_at = expiry;
	for (size_t i = 0; i < tr->n_actions; i++) {
		const struct pol_action *a = &tr->actions[i];
		if (a->n_after || (a->resource && rsc_flight(c, a->resource)))
			continue;
		if (a->resource && !is_vm(cib, a->resource)) {
			core_log(c, LOG_DEBUG, "%s %s: not a VirtualDomain, vigild does not run it",
				 pol_op_name(a->op), a->resource);
			continue;
		}
		switch (a->op) {
		case POL_OP_FENCE:
			break;  /* fence_from_transition() below */
		case POL_OP_START: {
			const char *here = restart_node(c, tr, a->resource, a->node);
			if (here && strcmp(here, a->node))
				core_log(c, LOG_INFO, "start %s on %s, not %s: the second half of "
					 "its recovery in place", a->resource, here, a->node);
			send_do(c, cib, node_id_of(st, n, here ? here : a->node), "start",
				a->resource, NULL, false, here ? "recovery in place" : a->reason);
			break;
		}
		case POL_OP_STOP:
			send_do(c, cib, node_id_of(st, n, a->node), "stop", a->resource, NULL, false,
				a->reason);
			break;
		case POL_OP_RESTART:
			/* A restart is a stop that says the start follows on the
			 * same node (restart_node()). */
			send_do(c, cib, node_id_of(st, n, a->node), "stop", a->resource, NULL, true,
				a->reason);
			break;
		case POL_OP_MIGRATE:
			send_do(c, cib, node_id_of(st, n, a->from), "migrate_to", a->resource, a->to,
				false, a->reason);
			break;
		}
	}
	/* Fencing has its own pace (one attempt in flight per target, back-off):
	 * it takes the whole list of targets, not single actions. */
	fence_from_transition(c, cib, tr, st, n);
	pol_transition_free(tr);
free_cib:
	vg_cib_free(cib);
free_buf:
	free(b.p);
free_cfg:
free_diags:
	vg_diags_clear(&d);
free_states:
	crmd_node_states_free(st, n);
}

void tr_on_recheck_timer(struct crmd_core *c)
{
	c->rsc->recheck_at = 0;
	tr_kick(c);
}

void tr_on_actions_timer(struct crmd_core *c)
{
	struct crmd_rsc *r = c->rsc;
	r->actions_armed = false;
	uint64_t now = c->env.now_ms(c->env.ctx);
	bool changed = false;
	for (size_t i = 0; i < r->n_flights;) {
		struct rsc_flight *f = &r->flights[i];
		if (f->deadline_ms <= now) {
			core_log(c, LOG_WARNING, "%s of %s on node %" PRIu32 " (call %" PRIu64
				 ") timed out without a result", f->op, f->rsc, f->nodeid, f->call);
			free(f->rsc);
			free(f->op);
			r->flights[i] = r->flights[--r->n_flights];
			changed = true;
			continue;
		}
		i++;
	}
	if (r->n_flights) {
		r->actions_armed = true;
		c->env.timer_arm(c->env.ctx, CRMD_TIMER_ACTIONS, ACTIONS_TICK_MS);
	}
	if (changed)
		tr_kick(c);
}
