/*
 * core_quorum.c - what a node does by itself: the no-quorum policy, the drain
 * of a clean shutdown, and the rule that lets one vigild act in a two-node
 * cluster.
 *
 * Without quorum there is no DC that may act (safety rule 2: only a quorate
 * partition starts VMs or changes the configuration), so each node of an
 * inquorate partition applies `no-quorum-policy` to its own VMs, from its own
 * quorum notification (CRMD_EV_QUORUM) and the configuration it holds:
 *
 *   stop (default)  stop every VM of the configuration running here at once
 *                   (the executor's stop: graceful, then destroy at the stop
 *                   timeout).  The quorate side will fence this node and start
 *                   them again; stopping first keeps the overlap short when
 *                   fencing is slow or disabled.
 *   freeze          keep them running, start nothing.
 *   ignore          Pacemaker lets an inquorate DC go on as if quorate.  We
 *                   keep rule 2, so ignore means freeze here (logged): starting
 *                   anything without quorum could run it twice.
 *   suicide, demote treated as stop (no self-fencing, no promotable VMs).
 *
 * Regaining quorum ends it; the DC then works from the nodes' reports.
 *
 * A clean shutdown (CRMD_EV_SHUTDOWN) drains the node: it announces
 * "shutdown" to the group; the DC gives the node the policy's `shutdown`
 * attribute, which moves its VMs away (live migration when allowed, else
 * stop).  When the replicated table shows nothing of the configuration
 * running or moving on the node, it announces "drained"; every member checks
 * that claim against the same table at the same point of the stream, so all
 * agree.  When its own accepted "drained" comes back, the node is done and
 * leaves the group (a CPG LEAVE): the others record it as down cleanly, not
 * unclean, and the DC no longer waits for its vigild.  With no DC that may act
 * (no quorum, no majority of vigilds) the node stops its VMs itself.  After
 * the timeout it leaves with what still runs there; the cluster then sees a
 * node whose vigild is gone with VMs on it and holds its transitions (safe,
 * and said in the logs).
 *
 * Everything "every member" decides here is a function of group events only
 * (messages, views), as in core.c; quorum and timers only decide this node's
 * own actions.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>

#include "cib_xml.h"
#include "core_int.h"
#include "core_rsc.h"

#define SHUTDOWN_TIMEOUT_MS 120000u
#define DEFAULT_STOP_TIMEOUT_MS 60000u

enum nq_policy {
	NQ_STOP,
	NQ_FREEZE,
	NQ_IGNORE,
};

/* A vigild that announced its shutdown (group-derived). */
struct nq_down {
	struct vg_member id;
	bool drained;
};

struct crmd_nq {
	/* Every member alike, from the group stream. */
	struct nq_down *down;
	size_t n_down;
	uint32_t *gone;         /* nodes whose vigild left cleanly, drained */
	size_t n_gone;
	uint64_t views;

	/* This node. */
	bool peer_seen;         /* two-node: said that we met the other vigild (the rule is core.c's pair_synced) */
	bool alone_logged;
	struct vg_cfg_version cfg_ver;
	uint32_t cfg_crc;
	bool cfg_known;
	struct vg_cib *cib;     /* parsed configuration (NULL: none usable) */
	enum nq_policy policy;
	const char *policy_name;

	/* Own stops issued, by resource and the table entry they answered: a
	 * stop that completed is not issued again before its report comes back
	 * through the group and changes the entry. */
	struct nq_stop { char *rsc; uint64_t entry_call; } *stops;
	size_t n_stops;

	bool inquorate;         /* applying the no-quorum policy */
	uint64_t lost_at_ms;
	bool probe_sent;        /* since quorum was lost / the drain began */

	bool shutdown;
	bool shutdown_done;
	bool drained_sent;
	uint64_t announced_views; /* views when "shutdown" was last sent (+1) */
	uint64_t shutdown_at_ms;
	bool self_stopping_logged;
};

static struct crmd_nq *Q(const struct crmd_core *c)
{
	return c->nq;
}

int nq_init(struct crmd_core *c)
{
	c->nq = calloc(1, sizeof(*c->nq));
	if (!c->nq)
		return -ENOMEM;
	c->nq->policy_name = "stop";
	return 0;
}

void nq_free(struct crmd_core *c)
{
	struct crmd_nq *q = Q(c);
	if (!q)
		return;
	free(q->down);
	free(q->gone);
	for (size_t i = 0; i < q->n_stops; i++)
		free(q->stops[i].rsc);
	free(q->stops);
	vg_cib_free(q->cib);
	free(q);
	c->nq = NULL;
}

/* ---- the configuration ---- */

static void refresh_config(struct crmd_core *c)
{
	struct crmd_nq *q = Q(c);
	if (q->cfg_known && !vg_cfg_version_cmp(&q->cfg_ver, &c->cfg_ver) && q->cfg_crc == c->cfg_crc)
		return;
	q->cfg_known = true;
	q->cfg_ver = c->cfg_ver;
	q->cfg_crc = c->cfg_crc;
	vg_cib_free(q->cib);
	q->cib = NULL;
	q->policy = NQ_STOP;
	q->policy_name = "stop";
	if (!c->cfg || !c->have_config)
		return;
	struct vg_diags d = { 0 };
	if (vg_cib_read_memory(c->cfg, c->cfg_len, &q->cib, &d))
		q->cib = NULL;
	vg_diags_clear(&d);
	const char *v = q->cib ? vg_nvsets_get(&q->cib->crm_config, "no-quorum-policy") : NULL;
	if (v && !strcasecmp(v, "freeze")) {
		q->policy = NQ_FREEZE;
		q->policy_name = "freeze";
	} else if (v && !strcasecmp(v, "ignore")) {
		q->policy = NQ_IGNORE;
		q->policy_name = "ignore";
	} else if (v && (!strcasecmp(v, "suicide") || !strcasecmp(v, "demote"))) {
		q->policy_name = !strcasecmp(v, "suicide") ? "suicide (as stop)" : "demote (as stop)";
	}
}

static const struct vg_resource *vm_of(const struct crmd_nq *q, const char *id)
{
	for (size_t i = 0; q->cib && i < q->cib->n_resources; i++) {
		const struct vg_resource *r = &q->cib->resources[i];
		if (r->id && !strcmp(r->id, id))
			return r->type && !strcmp(r->type, "VirtualDomain") ? r : NULL;
	}
	return NULL;
}

static uint32_t stop_timeout_ms(const struct vg_resource *res)
{
	for (size_t i = 0; i < res->n_ops; i++)
		if (res->ops[i].name && !strcmp(res->ops[i].name, "stop") && res->ops[i].timeout_ms)
			return (uint32_t)res->ops[i].timeout_ms;
	return DEFAULT_STOP_TIMEOUT_MS;
}

static bool state_runs(const char *st)
{
	return !strcmp(st, "running") || !strcmp(st, "paused");
}

static bool state_busy(const char *st)
{
	return state_runs(st) || !strcmp(st, "migrating") || !strcmp(st, "starting");
}

/* ---- group-derived bookkeeping ---- */

static struct nq_down *down_of(const struct crmd_nq *q, const struct vg_member *m)
{
	for (size_t i = 0; i < q->n_down; i++)
		if (q->down[i].id.nodeid == m->nodeid && q->down[i].id.pid == m->pid)
			return &q->down[i];
	return NULL;
}

static void drop_gone(struct crmd_nq *q, uint32_t nodeid)
{
	for (size_t i = 0; i < q->n_gone; i++)
		if (q->gone[i] == nodeid) {
			q->gone[i] = q->gone[--q->n_gone];
			return;
		}
}

bool nq_node_shutting_down(const struct crmd_core *c, uint32_t nodeid)
{
	const struct crmd_nq *q = Q(c);
	for (size_t i = 0; q && i < q->n_down; i++)
		if (q->down[i].id.nodeid == nodeid)
			return true;
	return false;
}

bool nq_node_drained(const struct crmd_core *c, uint32_t nodeid)
{
	const struct crmd_nq *q = Q(c);
	for (size_t i = 0; q && i < q->n_gone; i++)
		if (q->gone[i] == nodeid)
			return true;
	for (size_t i = 0; q && i < q->n_down; i++)
		if (q->down[i].id.nodeid == nodeid && q->down[i].drained)
			return true;
	return false;
}

/* Does the replicated table show anything of the configuration on @nodeid,
 * or an action of the DC for it?  The same answer on every member at the same
 * point of the stream. */
static const char *node_busy(struct crmd_core *c, uint32_t nodeid)
{
	struct crmd_rsc *r = c->rsc;
	struct crmd_nq *q = Q(c);
	for (size_t i = 0; i < r->n_flights; i++)
		if (r->flights[i].nodeid == nodeid)
			return r->flights[i].rsc;
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct rsc_entry *e = &r->entries[i];
		if (e->nodeid == nodeid && state_busy(e->state) && vm_of(q, e->rsc))
			return e->rsc;
	}
	return NULL;
}

static void send_kind(struct crmd_core *c, const char *kind)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "k", json_object_new_string(kind));
	rsc_send(c, o);
}

void nq_on_message(struct crmd_core *c, struct member *from, const char *kind)
{
	struct crmd_nq *q = Q(c);
	refresh_config(c);
	const char *name = core_node_name(c, from->id.nodeid);
	bool self = core_is_self(c, &from->id);
	struct nq_down *d = down_of(q, &from->id);
	if (!strcmp(kind, "shutdown")) {
		if (d)
			return;
		struct nq_down *v = realloc(q->down, (q->n_down + 1) * sizeof(*v));
		if (!v)
			return;
		q->down = v;
		q->down[q->n_down++] = (struct nq_down){ .id = from->id };
		core_log(c, LOG_NOTICE, "%s is shutting down: its VMs move away", name ? name : "?");
		tr_kick(c);
		return;
	}
	/* "drained": checked against the table, which every member has alike. */
	const char *busy = node_busy(c, from->id.nodeid);
	if (!d || busy) {
		core_log(c, LOG_INFO, "%s says it is drained, but %s: not yet", name ? name : "?",
			 !d ? "it did not announce a shutdown" : busy);
		if (self)
			q->drained_sent = false;
		return;
	}
	d->drained = true;
	core_log(c, LOG_NOTICE, "%s is drained: it runs none of the cluster's VMs", name ? name : "?");
	if (self && q->shutdown && !q->shutdown_done) {
		q->shutdown_done = true;
		c->env.timer_cancel(c->env.ctx, CRMD_TIMER_SHUTDOWN);
		core_log(c, LOG_NOTICE, "shutdown: drained after %" PRIu64 " ms; leaving the group",
			 c->env.now_ms(c->env.ctx) - q->shutdown_at_ms);
	}
}

void nq_on_view(struct crmd_core *c, const struct crmd_event *ev)
{
	struct crmd_nq *q = Q(c);
	q->views++;
	for (size_t i = 0; i < ev->view.n_left; i++) {
		const struct crmd_change *l = &ev->view.left[i];
		struct nq_down *d = down_of(q, &l->member);
		if (!d)
			continue;
		if (d->drained && l->reason == CRMD_REASON_LEAVE) {
			bool known = false;
			for (size_t k = 0; k < q->n_gone; k++)
				known |= q->gone[k] == l->member.nodeid;
			uint32_t *v = known ? q->gone : realloc(q->gone, (q->n_gone + 1) * sizeof(*v));
			if (v && !known) {
				q->gone = v;
				q->gone[q->n_gone++] = l->member.nodeid;
			}
		}
		*d = q->down[--q->n_down];
	}
	for (size_t i = 0; i < ev->view.n_joined; i++)
		drop_gone(q, ev->view.joined[i].member.nodeid);
}

/* ---- this node ---- */

void nq_on_shutdown(struct crmd_core *c, uint64_t timeout_ms)
{
	struct crmd_nq *q = Q(c);
	if (q->shutdown)
		return;
	q->shutdown = true;
	q->probe_sent = false;
	q->shutdown_at_ms = c->env.now_ms(c->env.ctx);
	if (!timeout_ms)
		timeout_ms = SHUTDOWN_TIMEOUT_MS;
	core_log(c, LOG_NOTICE, "shutdown requested at %" PRIu64 " ms: draining this node "
		 "(at most %" PRIu64 " ms)", q->shutdown_at_ms, timeout_ms);
	c->env.timer_arm(c->env.ctx, CRMD_TIMER_SHUTDOWN, timeout_ms);
}

void nq_on_timer(struct crmd_core *c)
{
	struct crmd_nq *q = Q(c);
	if (!q->shutdown || q->shutdown_done)
		return;
	q->shutdown_done = true;
	const char *busy = node_busy(c, c->local_nodeid);
	core_log(c, LOG_ERR, "shutdown: not drained after %" PRIu64 " ms (%s still here): leaving "
		 "anyway; the cluster holds its transitions until this node's vigild is back or "
		 "the node is fenced", c->env.now_ms(c->env.ctx) - q->shutdown_at_ms,
		 busy ? busy : "a probe or an action");
}

bool crmd_core_shutdown_done(const struct crmd_core *c)
{
	return Q(c) && Q(c)->shutdown_done;
}

/* Stops every VM of the configuration this node runs by itself (no DC may
 * act).  The table's entries of this node are its own reports; a probe since
 * the trouble began catches anything they lack. */
static void stop_own_vms(struct crmd_core *c, const char *why)
{
	struct crmd_nq *q = Q(c);
	struct crmd_rsc *r = c->rsc;
	if (!c->env.hv_submit)
		return;
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct rsc_entry *e = &r->entries[i];
		if (e->nodeid != c->local_nodeid || !state_runs(e->state))
			continue;
		const struct vg_resource *res = vm_of(q, e->rsc);
		if (!res || rsc_local_busy(c, e->rsc))
			continue;
		struct nq_stop *done = NULL;
		for (size_t k = 0; k < q->n_stops && !done; k++)
			if (!strcmp(q->stops[k].rsc, e->rsc))
				done = &q->stops[k];
		if (done && done->entry_call == e->call)
			continue;       /* its result is on its way to the table */
		if (!done) {
			struct nq_stop *v = realloc(q->stops, (q->n_stops + 1) * sizeof(*v));
			char *name = strdup(e->rsc);
			if (!v || !name) {
				free(name);
				if (v)
					q->stops = v;
				continue;
			}
			q->stops = v;
			done = &v[q->n_stops++];
			done->rsc = name;
		}
		done->entry_call = e->call;
		uint32_t tmo = stop_timeout_ms(res);
		int rc = rsc_local_call(c, CRMD_HV_STOP, done->rsc, tmo);
		core_log(c, rc ? LOG_ERR : LOG_NOTICE, "stopping %s here at %" PRIu64 " ms (%s)%s%s",
			 done->rsc, c->env.now_ms(c->env.ctx), why, rc ? ": " : "",
			 rc ? strerror(-rc) : "");
	}
	/* After the stops: they are what must be prompt. */
	if (!q->probe_sent && !rsc_local_busy(c, NULL)) {
		if (!rsc_local_call(c, CRMD_HV_PROBE, NULL, 30000))
			q->probe_sent = true;
	}
}

static bool self_in_group(const struct crmd_core *c)
{
	for (size_t i = 0; i < c->n_members; i++)
		if (core_is_self(c, &c->members[i].id))
			return true;
	return false;
}

static void shutdown_step(struct crmd_core *c)
{
	struct crmd_nq *q = Q(c);
	if (!q->shutdown || q->shutdown_done)
		return;
	bool grouped = self_in_group(c) && c->synced && !c->round_active;
	if (grouped && q->announced_views != q->views + 1) {
		/* Again after every membership change: a joiner (a future DC)
		 * learns it too. */
		q->announced_views = q->views + 1;
		q->drained_sent = false;
		send_kind(c, "shutdown");
	}
	/* No DC may act: nobody else will move our VMs. */
	bool known = core_quorum_known(c);
	if (known && (!core_quorate_now(c) || (!c->round_active && !core_may_change(c, NULL, 0)))) {
		if (!q->self_stopping_logged)
			core_log(c, LOG_WARNING, "shutdown: no DC may act (%s): stopping this node's "
				 "VMs here", !core_quorate_now(c) ? "no quorum" : "no quorum of vigild");
		q->self_stopping_logged = true;
		stop_own_vms(c, "shutdown without a DC");
	}
	/* What runs here must be known: a probe since the drain began, unless
	 * the hypervisor does not answer (then the others' tables, which hold
	 * this node's earlier reports, judge the "drained" claim). */
	bool probed = !c->env.hv_submit || rsc_node_probed(c, c->local_nodeid);
	if (!probed && !q->probe_sent && !rsc_local_busy(c, NULL)) {
		q->probe_sent = true;
		rsc_local_call(c, CRMD_HV_PROBE, NULL, 30000);
	}
	if (!probed && q->probe_sent && !rsc_local_busy(c, NULL) && c->rsc->last_probe_rc)
		probed = true;
	bool idle = probed && !node_busy(c, c->local_nodeid) && !c->rsc->n_local;
	if (!idle)
		return;
	if (!grouped && !self_in_group(c)) {
		/* Alone, not in the group: nobody to tell. */
		q->shutdown_done = true;
		c->env.timer_cancel(c->env.ctx, CRMD_TIMER_SHUTDOWN);
		core_log(c, LOG_NOTICE, "shutdown: nothing runs here; leaving");
		return;
	}
	if (grouped && !q->drained_sent) {
		q->drained_sent = true;
		send_kind(c, "drained");
	}
}

static void quorum_step(struct crmd_core *c)
{
	struct crmd_nq *q = Q(c);
	bool lost = c->have_ring && core_quorum_known(c) && !core_quorate_now(c);
	uint64_t now = c->env.now_ms(c->env.ctx);
	if (lost && !q->inquorate) {
		q->inquorate = true;
		q->lost_at_ms = now;
		q->probe_sent = false;
		core_log(c, LOG_WARNING, "quorum lost (ring %" PRIu64 ") at %" PRIu64 " ms: "
			 "no-quorum-policy=%s: %s", c->ring_seq, now, q->policy_name,
			 q->policy == NQ_STOP ? "stopping this node's VMs" :
			 q->policy == NQ_FREEZE ? "VMs keep running, nothing starts" :
			 "treated as freeze (only a quorate partition starts VMs)");
	} else if (!lost && q->inquorate && core_quorum_known(c)) {
		q->inquorate = false;
		core_log(c, LOG_NOTICE, "quorum regained (ring %" PRIu64 ") at %" PRIu64 " ms after "
			 "%" PRIu64 " ms without: normal work resumes", c->ring_seq, now,
			 now - q->lost_at_ms);
	}
	if (q->inquorate && q->policy == NQ_STOP)
		stop_own_vms(c, "no quorum, no-quorum-policy=stop");
}

void nq_after_event(struct crmd_core *c)
{
	struct crmd_nq *q = Q(c);
	if (!q || !c->started)
		return;
	refresh_config(c);
	if (c->n_cluster_nodes == 2 && !q->peer_seen && c->synced && !c->round_active) {
		if (core_daemon_nodes(c) == 2) {
			q->peer_seen = true;
			core_log(c, LOG_INFO, "two-node cluster: synchronized with the other node's "
				 "vigild; this one may act alone from now on");
		} else if (!q->alone_logged && core_quorate_now(c)) {
			q->alone_logged = true;
			core_log(c, LOG_WARNING, "two-node cluster: this vigild started without the "
				 "other node's; it does not act before they meet (the other may hold "
				 "newer changes)");
		}
	}
	quorum_step(c);
	shutdown_step(c);
}
