/*
 * core_rsc.c - resources: what each node's hypervisor runs, and executing the
 * DC's actions on this node.
 *
 * Every member keeps the same table of (node, resource) entries, built from
 * VG_MSG_RSC messages only (group messages, so every member applies them in
 * the same order): probe reports (everything a node's hypervisor runs),
 * updates (an action's result, a lifecycle event) and the DC's actions ("do",
 * which also puts the action in flight for everybody, so a new DC inherits
 * what is in flight).  The DC turns the table into the status section the
 * policy reads (core_transition.c).
 *
 * Node side: a report is due after each sync round and when the DC changes:
 * the node probes its hypervisor and reports.  Probing never stops anything,
 * so a restarted vigild takes its running VMs back.  A lifecycle event that
 * says a domain crashed (or stopped while no action of the cluster was in
 * flight for it) is reported at once as a failure.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>

#include "core_int.h"
#include "core_rsc.h"

static struct crmd_rsc *R(const struct crmd_core *c)
{
	return c->rsc;
}

int rsc_init(struct crmd_core *c)
{
	c->rsc = calloc(1, sizeof(*c->rsc));
	return c->rsc ? 0 : -ENOMEM;
}

static void entry_clear(struct rsc_entry *e)
{
	free(e->rsc);
	free(e->state);
	free(e->op);
	free(e->fail_op);
	free(e->fail_msg);
	free(e->message);
}

static void flight_clear(struct rsc_flight *f)
{
	free(f->rsc);
	free(f->op);
}

void rsc_free(struct crmd_core *c)
{
	struct crmd_rsc *r = R(c);
	if (!r)
		return;
	for (size_t i = 0; i < r->n_entries; i++)
		entry_clear(&r->entries[i]);
	free(r->entries);
	for (size_t i = 0; i < r->n_flights; i++)
		flight_clear(&r->flights[i]);
	free(r->flights);
	for (size_t i = 0; i < r->n_local; i++) {
		free(r->local[i].rsc);
		free(r->local[i].then_cfg);
	}
	free(r->local);
	free(r->probed);
	free(r);
	c->rsc = NULL;
}

struct rsc_entry *rsc_entry(struct crmd_core *c, uint32_t nodeid, const char *rsc, bool create)
{
	struct crmd_rsc *r = R(c);
	for (size_t i = 0; i < r->n_entries; i++)
		if (r->entries[i].nodeid == nodeid && !strcmp(r->entries[i].rsc, rsc))
			return &r->entries[i];
	if (!create)
		return NULL;
	struct rsc_entry *v = realloc(r->entries, (r->n_entries + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->entries = v;
	struct rsc_entry *e = &v[r->n_entries];
	memset(e, 0, sizeof(*e));
	e->nodeid = nodeid;
	e->rsc = strdup(rsc);
	e->state = strdup("absent");
	if (!e->rsc || !e->state) {
		entry_clear(e);
		return NULL;
	}
	r->n_entries++;
	return e;
}

static void set_str(char **dst, const char *v)
{
	char *n = v ? strdup(v) : NULL;
	if (v && !n)
		return;
	free(*dst);
	*dst = n;
}

struct rsc_flight *rsc_flight(struct crmd_core *c, const char *rsc)
{
	struct crmd_rsc *r = R(c);
	for (size_t i = 0; i < r->n_flights; i++)
		if (!strcmp(r->flights[i].rsc, rsc))
			return &r->flights[i];
	return NULL;
}

static void flight_drop_at(struct crmd_rsc *r, size_t i)
{
	flight_clear(&r->flights[i]);
	r->flights[i] = r->flights[--r->n_flights];
}

static void flight_done(struct crmd_core *c, uint64_t call)
{
	struct crmd_rsc *r = R(c);
	for (size_t i = 0; i < r->n_flights; i++)
		if (r->flights[i].call == call) {
			flight_drop_at(r, i);
			return;
		}
}

static bool node_probed(const struct crmd_rsc *r, uint32_t nodeid)
{
	for (size_t i = 0; i < r->n_probed; i++)
		if (r->probed[i] == nodeid)
			return true;
	return false;
}

bool rsc_node_probed(const struct crmd_core *c, uint32_t nodeid)
{
	return node_probed(R(c), nodeid);
}

static void mark_probed(struct crmd_rsc *r, uint32_t nodeid)
{
	if (node_probed(r, nodeid))
		return;
	uint32_t *v = realloc(r->probed, (r->n_probed + 1) * sizeof(*v));
	if (!v)
		return;
	r->probed = v;
	v[r->n_probed++] = nodeid;
}

/* ---- sending ---- */

int rsc_send(struct crmd_core *c, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	struct vg_msg_rsc m = { .json = (char *)s, .json_len = strlen(s) };
	void *buf;
	size_t len;
	int rc = vg_msg_rsc_encode(&m, c->local_nodeid, ++c->send_seq, &buf, &len);
	json_object_put(o);
	if (rc)
		return rc;
	return core_send(c, buf, len);
}

/* ---- node side ---- */

static int submit(struct crmd_core *c, const struct crmd_hv_action *a, const char *rsc, bool probe)
{
	struct crmd_rsc *r = R(c);
	if (!c->env.hv_submit)
		return -EOPNOTSUPP;
	struct rsc_local *v = realloc(r->local, (r->n_local + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->local = v;
	struct rsc_local *l = &v[r->n_local];
	memset(l, 0, sizeof(*l));
	l->call = a->call_id;
	l->op = a->op;
	l->probe = probe;
	l->rsc = rsc ? strdup(rsc) : NULL;
	int rc = c->env.hv_submit(c->env.ctx, a);
	if (rc) {
		free(l->rsc);
		return rc;
	}
	r->n_local++;
	return 0;
}

/* Tells everybody that the start chained to a Recover's stop will not run
 * (the stop failed, or it could not be submitted): its flight ends, and it
 * is no failure of the start (the policy decides again from the stop's). */
static void send_cancelled(struct crmd_core *c, const char *rsc, uint64_t call, const char *why)
{
	json_object *u = json_object_new_object();
	json_object_object_add(u, "k", json_object_new_string("upd"));
	json_object_object_add(u, "r", json_object_new_string(rsc));
	json_object_object_add(u, "call", json_object_new_int64((int64_t)call));
	json_object_object_add(u, "op", json_object_new_string("start"));
	json_object_object_add(u, "rc", json_object_new_int(-ECANCELED));
	json_object_object_add(u, "s", json_object_new_string("unknown"));
	json_object_object_add(u, "cancel", json_object_new_boolean(true));
	json_object_object_add(u, "msg", json_object_new_string(why));
	rsc_send(c, u);
}

/* The second half of a Recover, on this node, once its stop succeeded:
 * the start goes out at once instead of after another round trip through
 * the DC (Pacemaker's transition holds both; so does the "do" here). */
static void run_then(struct crmd_core *c, const struct rsc_local *l, int stop_rc)
{
	if (!l->then_call || !l->rsc)
		return;
	if (stop_rc) {
		send_cancelled(c, l->rsc, l->then_call, "the stop before it failed");
		return;
	}
	if (nq_node_drained(c, c->local_nodeid)) {
		send_cancelled(c, l->rsc, l->then_call, "this node is drained and leaving");
		return;
	}
	struct crmd_hv_action a = { .call_id = l->then_call, .op = CRMD_HV_START, .rsc_id = l->rsc,
				    .config = l->then_cfg, .timeout_ms = l->then_tmo };
	core_log(c, LOG_NOTICE, "executing start %s (call %" PRIu64 ") at %" PRIu64 " ms: "
		 "the second half of its recovery in place", l->rsc, l->then_call,
		 c->env.now_ms(c->env.ctx));
	int rc = submit(c, &a, l->rsc, false);
	if (rc)
		send_cancelled(c, l->rsc, l->then_call, "the start could not be submitted");
}

/* The DC's failure history for every member (after a round, which may have
 * brought members that never saw it, and when the DC changes): each
 * (node, resource) with a fail count, its last failure as an age (every
 * member keeps times on its own monotonic clock), and whether the failure is
 * the latest thing that happened to it there.  Members replace their own
 * failure history with it, so all agree and a later DC has it. */
static void send_history(struct crmd_core *c)
{
	struct crmd_rsc *r = R(c);
	int64_t now = (int64_t)(c->env.now_ms(c->env.ctx) / 1000u);
	json_object *o = json_object_new_object();
	json_object *a = json_object_new_array();
	json_object_object_add(o, "k", json_object_new_string("hist"));
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct rsc_entry *e = &r->entries[i];
		if (!e->fail_count && !e->restart_here)
			continue;
		json_object *h = json_object_new_object();
		json_object_object_add(h, "n", json_object_new_int64(e->nodeid));
		json_object_object_add(h, "r", json_object_new_string(e->rsc));
		json_object_object_add(h, "fc", json_object_new_int(e->fail_count));
		json_object_object_add(h, "op", json_object_new_string(e->fail_op ? e->fail_op : ""));
		json_object_object_add(h, "rc", json_object_new_int(e->fail_rc));
		json_object_object_add(h, "age", json_object_new_int64(now - e->last_failure));
		json_object_object_add(h, "last", json_object_new_boolean(e->fail_call &&
									   e->call <= e->fail_call));
		json_object_object_add(h, "ran", json_object_new_boolean(e->run_call &&
									  e->run_call < e->fail_call));
		json_object_object_add(h, "re", json_object_new_boolean(e->restart_here));
		if (e->fail_msg)
			json_object_object_add(h, "msg", json_object_new_string(e->fail_msg));
		json_object_array_add(a, h);
	}
	json_object_object_add(o, "h", a);
	rsc_send(c, o);
}

void rsc_report_due(struct crmd_core *c, bool reset)
{
	struct crmd_rsc *r = R(c);
	if (reset)
		r->n_probed = 0; /* everybody reports again: a new DC rebuilds */
	if (!crmd_core_dc(c) || !c->synced || c->round_active)
		return;
	if (core_is_self(c, &c->dc))
		send_history(c);
	if (!c->env.hv_submit)
		return;
	rsc_local_call(c, CRMD_HV_PROBE, NULL, 30000);
}

int rsc_local_call(struct crmd_core *c, enum crmd_hv_op op, const char *rsc, uint32_t timeout_ms)
{
	struct crmd_rsc *r = R(c);
	bool probe = op == CRMD_HV_PROBE;
	if (probe && r->probe_inflight)
		return 0;
	struct crmd_hv_action a = { .call_id = (1ull << 62) + ++r->local_seq, .op = op,
				    .rsc_id = rsc, .timeout_ms = timeout_ms };
	int rc = submit(c, &a, rsc, probe);
	if (!rc && probe)
		r->probe_inflight = true;
	else if (probe)
		r->last_probe_rc = rc;
	return rc;
}

bool rsc_local_busy(const struct crmd_core *c, const char *rsc)
{
	const struct crmd_rsc *r = R(c);
	for (size_t i = 0; i < r->n_local; i++)
		if (rsc ? r->local[i].rsc && !strcmp(r->local[i].rsc, rsc) : r->local[i].probe)
			return true;
	return false;
}

static const char *op_name(enum crmd_hv_op op)
{
	switch (op) {
	case CRMD_HV_START: return "start";
	case CRMD_HV_STOP: return "stop";
	case CRMD_HV_MIGRATE: return "migrate_to";
	case CRMD_HV_MONITOR: return "monitor";
	case CRMD_HV_PROBE: return "probe";
	}
	return "unknown";
}

/* ---- node side: the recurring monitor ---- */

#define MONITOR_TICK_MS 1000u
#define MONITOR_DEFAULT_TIMEOUT_MS 20000u

static bool running_state(const char *st)
{
	return !strcmp(st, "running") || !strcmp(st, "paused");
}

static const struct crmd_doc_resource *summary_rsc(struct crmd_core *c, const char *id)
{
	if (!c->summary && c->cfg)
		crmd_doc_summarize(c->cfg, c->cfg_len, &c->summary);
	for (size_t i = 0; c->summary && i < c->summary->n_resources; i++)
		if (c->summary->resources[i].id && !strcmp(c->summary->resources[i].id, id))
			return &c->summary->resources[i];
	return NULL;
}

static uint64_t monitor_ms(struct crmd_core *c, const char *rsc)
{
	const struct crmd_doc_resource *d = summary_rsc(c, rsc);
	return d ? d->monitor_ms : 0;
}

/* Arms the tick while this node runs a VM that has a recurring monitor, or
 * a failed probe waits to be tried again. */
static void mon_schedule(struct crmd_core *c)
{
	struct crmd_rsc *r = R(c);
	if (r->mon_armed || !c->env.hv_submit || !c->synced)
		return;
	if (r->probe_retry_ms) {
		r->mon_armed = true;
		c->env.timer_arm(c->env.ctx, CRMD_TIMER_MONITOR, MONITOR_TICK_MS);
		return;
	}
	for (size_t i = 0; i < r->n_entries; i++) {
		struct rsc_entry *e = &r->entries[i];
		if (e->nodeid != c->local_nodeid || !running_state(e->state) ||
		    !monitor_ms(c, e->rsc))
			continue;
		r->mon_armed = true;
		c->env.timer_arm(c->env.ctx, CRMD_TIMER_MONITOR, MONITOR_TICK_MS);
		return;
	}
}

/* The safety net behind the lifecycle events: each running VM of this node
 * with a monitor op is asked for at that op's interval.  Results that agree
 * with the table are not sent anywhere (no group traffic while all is well). */
void rsc_on_monitor_timer(struct crmd_core *c)
{
	struct crmd_rsc *r = R(c);
	r->mon_armed = false;
	if (!c->env.hv_submit)
		return;
	uint64_t now = c->env.now_ms(c->env.ctx);
	if (r->probe_retry_ms && now >= r->probe_retry_ms && !r->probe_inflight) {
		r->probe_retry_ms = 0;
		if (crmd_core_dc(c) && c->synced && !c->round_active)
			rsc_local_call(c, CRMD_HV_PROBE, NULL, 30000);
	}
	for (size_t i = 0; i < r->n_entries; i++) {
		struct rsc_entry *e = &r->entries[i];
		if (e->nodeid != c->local_nodeid)
			continue;
		uint64_t ms = running_state(e->state) ? monitor_ms(c, e->rsc) : 0;
		if (!ms) {
			e->mon_due_ms = 0;
			continue;
		}
		if (e->mon_inflight || rsc_flight(c, e->rsc))
			continue;
		if (!e->mon_due_ms) {
			e->mon_due_ms = now + ms;
			continue;
		}
		if (e->mon_due_ms > now)
			continue;
		const struct crmd_doc_resource *d = summary_rsc(c, e->rsc);
		struct crmd_hv_action a = { .call_id = (1ull << 62) + ++r->local_seq,
					    .op = CRMD_HV_MONITOR, .rsc_id = e->rsc,
					    .timeout_ms = d && d->monitor_timeout_ms ?
							  (uint32_t)d->monitor_timeout_ms :
							  MONITOR_DEFAULT_TIMEOUT_MS };
		if (!submit(c, &a, e->rsc, false))
			e->mon_inflight = true;
	}
	mon_schedule(c);
}

static void on_monitor_done(struct crmd_core *c, const char *rsc, const struct crmd_event *ev)
{
	if (!rsc)
		return;
	struct rsc_entry *e = rsc_entry(c, c->local_nodeid, rsc, false);
	if (!e)
		return;
	uint64_t now = c->env.now_ms(c->env.ctx);
	uint64_t ms = monitor_ms(c, rsc);
	e->mon_inflight = false;
	e->mon_due_ms = ms ? now + ms : 0;
	const char *st = ev->hv_done.state ? ev->hv_done.state : "unknown";
	if (ev->hv_done.rc) {
		/* The hypervisor could not say (down, timed out): not evidence
		 * that the VM is gone; a lost connection is handled as such. */
		core_log(c, LOG_WARNING, "monitor of %s: rc %d (%s)", rsc, ev->hv_done.rc,
			 ev->hv_done.message ? ev->hv_done.message : "");
		return;
	}
	bool gone = !strcmp(st, "absent") || !strcmp(st, "stopped") || !strcmp(st, "crashed");
	if (!gone || !running_state(e->state) || rsc_flight(c, rsc))
		return;
	core_log(c, LOG_WARNING, "%s failed here (%s, found by the monitor): detected at %" PRIu64
		 " ms", rsc, st, now);
	char msg[200];
	snprintf(msg, sizeof(msg), "monitor: the domain is %s (no lifecycle event)", st);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "k", json_object_new_string("upd"));
	json_object_object_add(o, "r", json_object_new_string(rsc));
	json_object_object_add(o, "op", json_object_new_string("monitor"));
	json_object_object_add(o, "rc", json_object_new_int(7));
	json_object_object_add(o, "s", json_object_new_string(st));
	json_object_object_add(o, "fail", json_object_new_boolean(true));
	json_object_object_add(o, "msg", json_object_new_string(msg));
	rsc_send(c, o);
}

void rsc_on_hv_done(struct crmd_core *c, const struct crmd_event *ev)
{
	struct crmd_rsc *r = R(c);
	size_t i;
	for (i = 0; i < r->n_local; i++)
		if (r->local[i].call == ev->hv_done.call_id)
			break;
	if (i == r->n_local)
		return;
	struct rsc_local l = r->local[i];
	r->local[i] = r->local[--r->n_local];
	if (!l.probe && l.op == CRMD_HV_MONITOR) {
		on_monitor_done(c, l.rsc, ev);
		free(l.rsc);
		return;
	}
	json_object *o = json_object_new_object();
	if (l.probe) {
		r->probe_inflight = false;
		r->last_probe_rc = ev->hv_done.rc;
		/* A failed probe tells the DC nothing and it waits for this
		 * node: try again, backing off (V2: it waited until the next DC
		 * change or round, even once the hypervisor worked again). */
		if (ev->hv_done.rc) {
			r->probe_backoff_ms = r->probe_backoff_ms ? r->probe_backoff_ms * 2 : 1000;
			if (r->probe_backoff_ms > 30000)
				r->probe_backoff_ms = 30000;
			r->probe_retry_ms = c->env.now_ms(c->env.ctx) + r->probe_backoff_ms;
			core_log(c, LOG_WARNING, "probe failed (rc %d): trying again in %" PRIu32
				 " ms", ev->hv_done.rc, r->probe_backoff_ms);
		} else {
			r->probe_backoff_ms = 0;
			r->probe_retry_ms = 0;
		}
		json_object_object_add(o, "k", json_object_new_string("probe"));
		json_object_object_add(o, "rc", json_object_new_int(ev->hv_done.rc));
		json_object *d = json_object_new_array();
		for (size_t k = 0; k < ev->hv_done.n_domains; k++) {
			json_object *p = json_object_new_array();
			json_object_array_add(p, json_object_new_string(ev->hv_done.domains[k].name));
			json_object_array_add(p, json_object_new_string(ev->hv_done.domains[k].state));
			json_object_array_add(d, p);
		}
		json_object_object_add(o, "d", d);
		core_log(c, LOG_INFO, "probe: %zu domains (rc %d)", ev->hv_done.n_domains,
			 ev->hv_done.rc);
	} else {
		json_object_object_add(o, "k", json_object_new_string("upd"));
		json_object_object_add(o, "r", json_object_new_string(l.rsc ? l.rsc : ""));
		json_object_object_add(o, "call", json_object_new_int64((int64_t)l.call));
		json_object_object_add(o, "op", json_object_new_string(op_name(l.op)));
		json_object_object_add(o, "rc", json_object_new_int(ev->hv_done.rc));
		json_object_object_add(o, "s", json_object_new_string(ev->hv_done.state ?
								       ev->hv_done.state : "unknown"));
		json_object_object_add(o, "msg", json_object_new_string(ev->hv_done.message ?
									ev->hv_done.message : ""));
		core_log(c, ev->hv_done.rc ? LOG_WARNING : LOG_NOTICE, "%s %s: rc %d, %s (%s)",
			 op_name(l.op), l.rsc ? l.rsc : "", ev->hv_done.rc,
			 ev->hv_done.state ? ev->hv_done.state : "", ev->hv_done.message ?
			 ev->hv_done.message : "");
	}
	rsc_send(c, o);
	if (!l.probe && l.op == CRMD_HV_STOP)
		run_then(c, &l, ev->hv_done.rc);
	free(l.rsc);
	free(l.then_cfg);
}

void rsc_on_hv_event(struct crmd_core *c, const struct crmd_event *ev)
{
	switch (ev->hv_event.kind) {
	case CRMD_HV_EV_UP:
		core_log(c, LOG_NOTICE, "hypervisor up: probing");
		rsc_report_due(c, true);
		return;
	case CRMD_HV_EV_DOWN:
		core_log(c, LOG_WARNING, "hypervisor down: this node cannot run VMs meanwhile");
		return;
	case CRMD_HV_EV_DOMAIN:
		break;
	}
	const char *st = ev->hv_event.state;
	const char *dom = ev->hv_event.domain;
	if (!st || !dom || !strcmp(st, "unknown"))
		return;
	struct rsc_entry *e = rsc_entry(c, c->local_nodeid, dom, false);
	if (e && !strcmp(e->state, st))
		return;
	bool failure = !strcmp(st, "crashed");
	/* Stopped behind the cluster's back: no action of ours in flight for it
	 * (the DC's, or this node's own stop: no-quorum policy, shutdown) and
	 * it was running here. */
	if (!strcmp(st, "stopped") && !rsc_flight(c, dom) && !rsc_local_busy(c, dom) && e &&
	    !strcmp(e->state, "running") &&
	    !(ev->hv_event.detail && !strcmp(ev->hv_event.detail, "migrated")))
		failure = true;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "k", json_object_new_string("upd"));
	json_object_object_add(o, "r", json_object_new_string(dom));
	json_object_object_add(o, "op", json_object_new_string(failure ? "monitor" : "event"));
	json_object_object_add(o, "rc", json_object_new_int(failure ? 7 : 0));
	json_object_object_add(o, "s", json_object_new_string(st));
	json_object_object_add(o, "fail", json_object_new_boolean(failure));
	if (failure) {
		char msg[200];
		snprintf(msg, sizeof(msg), "%s (%s) without an action of the cluster", st,
			 ev->hv_event.detail ? ev->hv_event.detail : "lifecycle event");
		json_object_object_add(o, "msg", json_object_new_string(msg));
	}
	if (failure)
		core_log(c, LOG_WARNING, "%s failed here (%s, %s): detected at %" PRIu64 " ms",
			 dom, st, ev->hv_event.detail ? ev->hv_event.detail : "",
			 c->env.now_ms(c->env.ctx));
	rsc_send(c, o);
}

/* ---- every member: applying messages ---- */

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t jint(json_object *o, const char *k, int64_t dflt)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
		return dflt;
	return json_object_get_int64(v);
}

static bool member_has_node(const struct crmd_core *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_members; i++)
		if (c->members[i].id.nodeid == nodeid && !c->members[i].bad)
			return true;
	return false;
}

static void note_running(struct rsc_entry *e)
{
	if (!strcmp(e->state, "running") || !strcmp(e->state, "paused")) {
		e->run_call = e->call;
		e->run_changed = e->changed;
	}
}

static void apply_probe(struct crmd_core *c, uint32_t nodeid, json_object *o)
{
	struct crmd_rsc *r = R(c);
	json_object *d;
	if (jint(o, "rc", 0) != 0 || !json_object_object_get_ex(o, "d", &d) ||
	    !json_object_is_type(d, json_type_array))
		return;         /* a failed probe tells nothing: keep what we had */
	int64_t now = (int64_t)(c->env.now_ms(c->env.ctx) / 1000u);
	/* Everything this node had and no longer reports is absent now. */
	for (size_t i = 0; i < r->n_entries; i++)
		if (r->entries[i].nodeid == nodeid)
			r->entries[i].seen = false;
	size_t n = json_object_array_length(d);
	for (size_t k = 0; k < n; k++) {
		json_object *p = json_object_array_get_idx(d, k);
		if (!json_object_is_type(p, json_type_array) || json_object_array_length(p) != 2)
			continue;
		const char *name = json_object_get_string(json_object_array_get_idx(p, 0));
		const char *st = json_object_get_string(json_object_array_get_idx(p, 1));
		struct rsc_entry *e = rsc_entry(c, nodeid, name, true);
		if (!e)
			continue;
		e->seen = true;
		if (strcmp(e->state, st) || !e->op) {
			set_str(&e->state, st);
			set_str(&e->op, "probe");
			e->rc = 0;
			e->call = ++r->call_seq;
			e->changed = now;
			note_running(e);
		}
	}
	for (size_t i = 0; i < r->n_entries; i++) {
		struct rsc_entry *e = &r->entries[i];
		if (e->nodeid == nodeid && !e->seen && strcmp(e->state, "absent")) {
			set_str(&e->state, "absent");
			set_str(&e->op, "probe");
			e->call = ++r->call_seq;
			e->changed = now;
		}
	}
	mark_probed(r, nodeid);
}

static void apply_update(struct crmd_core *c, uint32_t nodeid, json_object *o)
{
	struct crmd_rsc *r = R(c);
	const char *rsc = jstr(o, "r"), *st = jstr(o, "s"), *op = jstr(o, "op");
	if (!rsc || !rsc[0] || !st || !op)
		return;
	struct rsc_entry *e = rsc_entry(c, nodeid, rsc, true);
	if (!e)
		return;
	int64_t now = (int64_t)(c->env.now_ms(c->env.ctx) / 1000u);
	int rc = (int)jint(o, "rc", 0);
	json_object *fv;
	bool fail = json_object_object_get_ex(o, "fail", &fv) && json_object_get_boolean(fv);
	uint64_t call = (uint64_t)jint(o, "call", 0);
	uint32_t migrated_to = 0;
	for (size_t i = 0; call && i < r->n_flights; i++)
		if (r->flights[i].call == call && !strcmp(op, "migrate_to") && rc == 0)
			migrated_to = r->flights[i].to_nodeid;
	if (call)
		flight_done(c, call);
	json_object *cv;
	if (json_object_object_get_ex(o, "cancel", &cv) && json_object_get_boolean(cv))
		return;         /* a chained start that did not run: nothing happened */
	if (!strcmp(op, "start"))
		for (size_t i = 0; i < r->n_entries; i++)
			if (!strcmp(r->entries[i].rsc, rsc))
				r->entries[i].restart_here = false;
	if (call && core_is_self(c, &c->dc))
		core_log(c, LOG_INFO, "result of call %" PRIu64 " (%s %s on node %" PRIu32 ": rc %d) "
			 "in at %" PRIu64 " ms", call, op, rsc, nodeid, rc, c->env.now_ms(c->env.ctx));
	if (strcmp(op, "event") && rc && strcmp(op, "stop") && strcmp(op, "migrate_to"))
		fail = true;    /* a failed start (or monitor) */
	/* A stop that failed without the domain being known stopped (the
	 * hypervisor unreachable, a timeout: state "unknown") may have left the
	 * VM running: Pacemaker's failed stop (fail count INFINITY there; the
	 * policy fences the node, or blocks the resource without fencing),
	 * never "stopped" (V1: it was started elsewhere meanwhile). */
	bool stop_failed = !strcmp(op, "stop") && rc && strcmp(st, "stopped") && strcmp(st, "absent");
	if (stop_failed)
		fail = true;
	/* The monitor and a lifecycle event may both report one crash: a
	 * failure of a resource that has not run here since its last failure
	 * is the same one. */
	if (fail && !strcmp(op, "monitor") && e->fail_call && e->call <= e->fail_call &&
	    !running_state(e->state))
		return;
	set_str(&e->state, st);
	set_str(&e->op, op);
	set_str(&e->message, jstr(o, "msg"));
	e->rc = rc;
	e->call = ++r->call_seq;
	e->changed = now;
	note_running(e);
	/* A live migration that succeeded (PERSIST_DEST|UNDEFINE_SOURCE: the
	 * VM runs on the destination now) may be reported by the source before
	 * the destination's own word: the VM is running there from this moment,
	 * or for a while it would look as running nowhere and be started again
	 * (V5). */
	if (migrated_to && migrated_to != nodeid) {
		struct rsc_entry *d = rsc_entry(c, migrated_to, rsc, true);
		if (d && !running_state(d->state)) {
			set_str(&d->state, "running");
			set_str(&d->op, "migrate_from");
			d->rc = 0;
			d->call = ++r->call_seq;
			d->changed = now;
			note_running(d);
		}
		e = rsc_entry(c, nodeid, rsc, false);   /* d may have moved the table */
		if (!e)
			return;
	}
	if (fail) {
		set_str(&e->fail_op, op);
		set_str(&e->fail_msg, jstr(o, "msg"));
		e->fail_rc = rc ? rc : 1;
		e->fail_call = e->call;
		e->fail_count += !strcmp(op, "start") || stop_failed ? 1000000 : 1;
		if (e->fail_count > 1000000)
			e->fail_count = 1000000;
		e->last_failure = now;
	}
}

/* Puts an action in flight unless it is already (the DC puts its own in
 * flight when it sends them).  False when memory ran out. */
static bool flight_add(struct crmd_core *c, uint64_t call, uint32_t node, const char *rsc,
		       const char *op, uint32_t tmo)
{
	struct crmd_rsc *r = R(c);
	for (size_t i = 0; i < r->n_flights; i++)
		if (r->flights[i].call == call)
			return true;
	struct rsc_flight *v = realloc(r->flights, (r->n_flights + 1) * sizeof(*v));
	if (!v)
		return false;
	r->flights = v;
	struct rsc_flight *f = &v[r->n_flights];
	memset(f, 0, sizeof(*f));
	f->call = call;
	f->nodeid = node;
	f->rsc = strdup(rsc);
	f->op = strdup(op);
	if (!f->rsc || !f->op) {
		flight_clear(f);
		return false;
	}
	f->deadline_ms = c->env.now_ms(c->env.ctx) + tmo + 15000u;
	r->n_flights++;
	return true;
}

static void apply_do(struct crmd_core *c, struct member *from, json_object *o)
{
	struct crmd_rsc *r = R(c);
	if (c->dc.nodeid != from->id.nodeid || c->dc.pid != from->id.pid)
		return;         /* only the DC sends actions */
	uint32_t node = (uint32_t)jint(o, "n", 0);
	uint64_t call = (uint64_t)jint(o, "call", 0);
	const char *rsc = jstr(o, "r"), *op = jstr(o, "op");
	if (!node || !call || !rsc || !op)
		return;
	uint32_t tmo = (uint32_t)jint(o, "tmo", 60000);
	/* A DC's computation from before a node's shutdown was delivered may
	 * still send it a start (or a VM): the node is drained and leaving, so
	 * everybody drops it alike. */
	uint32_t into = !strcmp(op, "start") ? node : (uint32_t)jint(o, "tn", 0);
	if (into && nq_node_drained(c, into)) {
		core_log(c, LOG_WARNING, "%s %s (call %" PRIu64 ") dropped: node %" PRIu32
			 " is drained and leaving", op, rsc, call, into);
		flight_done(c, call);   /* the DC's own, put in flight when sent */
		return;
	}
	/* A Recover's stop carries the start that follows it here. */
	uint64_t then = !strcmp(op, "stop") ? (uint64_t)jint(o, "then", 0) : 0;
	uint32_t then_tmo = (uint32_t)jint(o, "ttmo", 60000);
	if (!flight_add(c, call, node, rsc, op, tmo))
		return;
	if (!strcmp(op, "migrate_to"))
		for (size_t i = 0; i < r->n_flights; i++)
			if (r->flights[i].call == call)
				r->flights[i].to_nodeid = (uint32_t)jint(o, "tn", 0);
	if (then && !flight_add(c, then, node, rsc, "start", tmo + then_tmo))
		return;
	if (call > r->call_seq_dc)
		r->call_seq_dc = call;
	if (then > r->call_seq_dc)
		r->call_seq_dc = then;
	/* A start ends any recovery in place of this resource; a stop that is
	 * the first half of one says where the start goes. */
	if (!strcmp(op, "start") || !strcmp(op, "stop"))
		for (size_t i = 0; i < r->n_entries; i++)
			if (!strcmp(r->entries[i].rsc, rsc))
				r->entries[i].restart_here = false;
	if (!strcmp(op, "stop") && jint(o, "re", 0)) {
		struct rsc_entry *e = rsc_entry(c, node, rsc, true);
		if (e)
			e->restart_here = true;
	}
	if (node != c->local_nodeid)
		return;
	struct crmd_hv_action a = { .call_id = call, .rsc_id = rsc, .config = jstr(o, "cfg"),
				    .migrate_to = jstr(o, "to"), .timeout_ms = tmo };
	if (!strcmp(op, "start"))
		a.op = CRMD_HV_START;
	else if (!strcmp(op, "stop"))
		a.op = CRMD_HV_STOP;
	else if (!strcmp(op, "migrate_to"))
		a.op = CRMD_HV_MIGRATE;
	else
		return;
	core_log(c, LOG_NOTICE, "executing %s %s (call %" PRIu64 ") at %" PRIu64 " ms", op, rsc,
		 call, c->env.now_ms(c->env.ctx));
	int rc = submit(c, &a, rsc, false);
	if (!rc && then) {
		struct rsc_local *l = &r->local[r->n_local - 1];
		l->then_call = then;
		l->then_tmo = then_tmo;
		l->then_cfg = a.config ? strdup(a.config) : NULL;
	}
	if (rc && then)
		send_cancelled(c, rsc, then, "the stop before it could not be submitted");
	if (rc) {
		json_object *u = json_object_new_object();
		json_object_object_add(u, "k", json_object_new_string("upd"));
		json_object_object_add(u, "r", json_object_new_string(rsc));
		json_object_object_add(u, "call", json_object_new_int64((int64_t)call));
		json_object_object_add(u, "op", json_object_new_string(op));
		json_object_object_add(u, "rc", json_object_new_int(rc));
		json_object_object_add(u, "s", json_object_new_string("unknown"));
		rsc_send(c, u);
	}
}

static void entry_forget_failure(struct rsc_entry *e)
{
	free(e->fail_op);
	e->fail_op = NULL;
	free(e->fail_msg);
	e->fail_msg = NULL;
	e->fail_rc = 0;
	e->fail_call = 0;
	e->fail_count = 0;
	e->last_failure = 0;
}

/* The DC's failure history replaces ours (send_history()). */
static void apply_history(struct crmd_core *c, struct member *from, json_object *o)
{
	struct crmd_rsc *r = R(c);
	json_object *a;
	if (c->dc.nodeid != from->id.nodeid || c->dc.pid != from->id.pid ||
	    !json_object_object_get_ex(o, "h", &a) || !json_object_is_type(a, json_type_array))
		return;
	int64_t now = (int64_t)(c->env.now_ms(c->env.ctx) / 1000u);
	size_t n = json_object_array_length(a);
	for (size_t i = 0; i < r->n_entries; i++)
		r->entries[i].seen = false;
	for (size_t k = 0; k < n; k++) {
		json_object *h = json_object_array_get_idx(a, k), *v;
		const char *rsc = jstr(h, "r"), *op = jstr(h, "op");
		uint32_t node = (uint32_t)jint(h, "n", 0);
		int fc = (int)jint(h, "fc", 0);
		if (!rsc || !rsc[0] || !op || !node || fc < 0)
			continue;
		struct rsc_entry *e = rsc_entry(c, node, rsc, true);
		if (!e)
			continue;
		e->seen = true;
		bool last = json_object_object_get_ex(h, "last", &v) && json_object_get_boolean(v);
		bool ran = json_object_object_get_ex(h, "ran", &v) && json_object_get_boolean(v);
		e->restart_here = json_object_object_get_ex(h, "re", &v) && json_object_get_boolean(v);
		bool had = e->fail_call && e->fail_count == fc && e->fail_op && !strcmp(e->fail_op, op) &&
			   (e->call <= e->fail_call) == last;
		if (had || !fc) {
			if (!fc)
				entry_forget_failure(e);
			continue;
		}
		/* New to this member: rebuild the order of events the DC knows. */
		set_str(&e->fail_op, op[0] ? op : "monitor");
		set_str(&e->fail_msg, jstr(h, "msg"));
		e->fail_rc = (int)jint(h, "rc", 1);
		e->fail_count = fc;
		e->last_failure = now - jint(h, "age", 0);
		if (last) {
			if (ran)
				e->run_call = ++r->call_seq;
			e->fail_call = ++r->call_seq;
			e->call = e->fail_call;
		} else {
			e->fail_call = ++r->call_seq;
			e->call = ++r->call_seq;
		}
	}
	for (size_t i = 0; i < r->n_entries; i++)
		if (!r->entries[i].seen) {
			entry_forget_failure(&r->entries[i]);
			r->entries[i].restart_here = false;
		}
}

/* A cleanup: forget the failures of @rsc ("" = every resource) on @node (0 =
 * every node), and (@probe) let those nodes look again, like Pacemaker's
 * crm_resource --cleanup (which deletes the history and re-probes). */
static void apply_clean(struct crmd_core *c, json_object *o)
{
	struct crmd_rsc *r = R(c);
	const char *rsc = jstr(o, "r");
	uint32_t node = (uint32_t)jint(o, "n", 0);
	json_object *v;
	bool probe = !json_object_object_get_ex(o, "probe", &v) || json_object_get_boolean(v);
	if (!rsc)
		return;
	for (size_t i = 0; i < r->n_entries; i++) {
		struct rsc_entry *e = &r->entries[i];
		if ((rsc[0] && strcmp(e->rsc, rsc)) || (node && e->nodeid != node))
			continue;
		entry_forget_failure(e);
		e->restart_here = false;
	}
	if (!probe || (node && node != c->local_nodeid) || !c->env.hv_submit || r->probe_inflight)
		return;
	struct crmd_hv_action a = { .call_id = (1ull << 62) + ++r->local_seq,
				    .op = CRMD_HV_PROBE,
				    .timeout_ms = 30000 };
	if (!submit(c, &a, NULL, true))
		r->probe_inflight = true;
}

void rsc_forget_node_failures(struct crmd_core *c, uint32_t nodeid)
{
	struct crmd_rsc *r = R(c);
	for (size_t i = 0; r && i < r->n_entries; i++)
		if (r->entries[i].nodeid == nodeid) {
			entry_forget_failure(&r->entries[i]);
			r->entries[i].restart_here = false;
		}
}

int rsc_cleanup(struct crmd_core *c, const char *rsc, uint32_t nodeid, bool probe)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "k", json_object_new_string("clean"));
	json_object_object_add(o, "r", json_object_new_string(rsc ? rsc : ""));
	json_object_object_add(o, "n", json_object_new_int64(nodeid));
	json_object_object_add(o, "probe", json_object_new_boolean(probe));
	return rsc_send(c, o);
}

json_object *rsc_failures_json(const struct crmd_core *c, const char *rsc)
{
	const struct crmd_rsc *r = R(c);
	json_object *a = json_object_new_array();
	int64_t now = (int64_t)(c->env.now_ms(c->env.ctx) / 1000u);
	for (size_t i = 0; r && i < r->n_entries; i++) {
		const struct rsc_entry *e = &r->entries[i];
		if (strcmp(e->rsc, rsc) || !e->fail_count)
			continue;
		const char *node = core_node_name(c, e->nodeid);
		json_object *f = json_object_new_object();
		json_object_object_add(f, "node", json_object_new_string(node ? node : "?"));
		json_object_object_add(f, "node_id", json_object_new_int64(e->nodeid));
		json_object_object_add(f, "fail_count", e->fail_count >= 1000000 ?
				       json_object_new_string("INFINITY") :
				       json_object_new_int(e->fail_count));
		json_object_object_add(f, "op", json_object_new_string(e->fail_op &&
					strcmp(e->fail_op, "event") ? e->fail_op : "monitor"));
		json_object_object_add(f, "rc", json_object_new_int(e->fail_rc));
		json_object_object_add(f, "message", json_object_new_string(e->fail_msg ?
									      e->fail_msg : ""));
		json_object_object_add(f, "age_s", json_object_new_int64(now - e->last_failure));
		json_object_array_add(a, f);
	}
	return a;
}

void rsc_on_message(struct crmd_core *c, struct member *from, const char *json, size_t len)
{
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return;
	json_object *o = json_tokener_parse_ex(tok, json, (int)len);
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		core_log(c, LOG_WARNING, "ignored a resource message from node %" PRIu32
			 " that is not a JSON object", from->id.nodeid);
		return;
	}
	const char *k = jstr(o, "k");
	if (!k)
		;
	else if (!strcmp(k, "probe"))
		apply_probe(c, from->id.nodeid, o);
	else if (!strcmp(k, "upd"))
		apply_update(c, from->id.nodeid, o);
	else if (!strcmp(k, "do"))
		apply_do(c, from, o);
	else if (!strcmp(k, "shutdown") || !strcmp(k, "drained"))
		nq_on_message(c, from, k);
	else if (!strcmp(k, "hist"))
		apply_history(c, from, o);
	else if (!strcmp(k, "clean"))
		apply_clean(c, o);
	json_object_put(o);
	tr_kick(c);
}

void rsc_after_event(struct crmd_core *c)
{
	struct crmd_rsc *r = R(c);
	if (!r)
		return;
	mon_schedule(c);
	/* Actions of nodes whose vigild left can no longer complete. */
	for (size_t i = 0; i < r->n_flights;) {
		if (!member_has_node(c, r->flights[i].nodeid)) {
			core_log(c, LOG_WARNING, "%s of %s: node %" PRIu32 " left; forgotten",
				 r->flights[i].op, r->flights[i].rsc, r->flights[i].nodeid);
			flight_drop_at(r, i);
			continue;
		}
		i++;
	}
	if (c->cfg_ver.epoch != r->seen_ver.epoch || c->cfg_ver.admin_epoch != r->seen_ver.admin_epoch ||
	    c->cfg_ver.num_updates != r->seen_ver.num_updates || c->n_members != r->seen_members ||
	    c->ring_seq != r->seen_ring) {
		r->seen_ver = c->cfg_ver;
		r->seen_members = c->n_members;
		r->seen_ring = c->ring_seq;
		tr_kick(c);
	}
}

/* ---- views ---- */

const char *crmd_core_rsc_state(const struct crmd_core *c, const char *rsc, const char **ret_node)
{
	const struct crmd_rsc *r = R(c);
	const char *state = "stopped";
	*ret_node = NULL;
	if (!r)
		return state;
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct rsc_entry *e = &r->entries[i];
		if (strcmp(e->rsc, rsc))
			continue;
		if (!strcmp(e->state, "running") || !strcmp(e->state, "paused")) {
			*ret_node = core_node_name(c, e->nodeid);
			return "running";
		}
		if (!strcmp(e->state, "migrating") || !strcmp(e->state, "starting")) {
			*ret_node = core_node_name(c, e->nodeid);
			state = "migrating";
		} else if ((!strcmp(e->state, "crashed") || (e->fail_op && !strcmp(e->fail_op, "stop") &&
			    e->call <= e->fail_call)) && !*ret_node) {
			state = "failed";
			*ret_node = core_node_name(c, e->nodeid);
		}
	}
	return state;
}
