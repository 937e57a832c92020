/*
 * sim_hv.c - simulated hypervisors and fence devices, and the check that no VM
 * ever runs on two nodes.
 *
 * The core does not run VMs yet (VM execution and fencing are later issues),
 * so nothing in crmd issues these operations today.  What is here is the
 * world side, ready for when the core grows those effects:
 *  - a hypervisor per node: VMs start, stop and crash; every call can succeed
 *    after a latency, fail, or hang (never answer); a node that loses power
 *    loses its VMs, a node that is only cut off keeps running them;
 *  - a fence device per node: fencing succeeds (the node is powered off),
 *    fails, or hangs;
 *  - the "never running twice" check, over every powered node, including
 *    nodes cut off and not yet fenced;
 *  - a stand-in recovery driver, so the model and the check are exercised
 *    now: the node whose core is the acting DC (the core's own choice) fences
 *    a node that left its partition and, once fencing succeeded, starts that
 *    node's VMs on its own side.  It is test scaffolding, not the product's
 *    logic: when the core issues VM actions, the core replaces it and these
 *    checks stay.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

enum { HV_OK = 0, HV_FAIL = 1, HV_HANG = 2, HV_SLOW = 3 };
enum { OP_START = 1, OP_FENCE = 2, OP_STOP = 3, OP_MIGRATE = 4 };

struct hv_world {
	int n_vms;
	uint32_t running[SIM_MAX_VMS + 1];     /* per VM: bitmask of nodes it runs on */
	int placed[SIM_MAX_VMS + 1];           /* where the driver believes it runs; 0 none */
	bool op_pending[SIM_MAX_VMS + 1];
	bool fence_pending[SIM_MAX_NODES + 1];
	int fence_mode[SIM_MAX_NODES + 1];
	int hv_mode[SIM_MAX_NODES + 1];
	uint64_t generation;                   /* abandons hung operations */
	bool placed_initially;
	bool stopped[SIM_MAX_VMS + 1];         /* stopped on purpose: not restarted */
};

struct hv_world *hv_new(struct sim_world *w, int n_vms)
{
	(void)w;
	struct hv_world *hv = calloc(1, sizeof(*hv));
	if (!hv)
		abort();
	hv->n_vms = n_vms > SIM_MAX_VMS ? SIM_MAX_VMS : n_vms;
	return hv;
}

void hv_free(struct hv_world *hv)
{
	free(hv);
}

static int popcount(uint32_t x)
{
	return __builtin_popcount(x);
}

int hv_vm_node(struct sim_world *w, int vm)
{
	struct hv_world *hv = w->hv;
	if (vm < 1 || vm > hv->n_vms || !hv->running[vm])
		return 0;
	return __builtin_ctz(hv->running[vm]);
}

void hv_node_off(struct sim_world *w, int node)
{
	struct hv_world *hv = w->hv;
	for (int v = 1; v <= hv->n_vms; v++)
		if (hv->running[v] & (1u << node)) {
			hv->running[v] &= ~(1u << node);
			w_trace(w, node, "hv: vm%d is gone with the node", v);
		}
}

/* The node whose core is the acting DC, settled; 0 when none. */
static int acting_dc(struct sim_world *w)
{
	for (int i = 1; i <= w->n; i++) {
		struct daemon *d = w->nodes[i].d;
		if (d && w_settled(w, d) && crmd_core_dc(d->core) == (uint32_t)i)
			return i;
	}
	return 0;
}

static void start_op(struct sim_world *w, int kind, int vm, int target, int mode)
{
	struct hv_world *hv = w->hv;
	uint64_t lat = kind == OP_FENCE ? sim_rng_range(&w->rng, 500, 3000) :
		       kind == OP_MIGRATE ? sim_rng_range(&w->rng, 1000, 8000) :
					    sim_rng_range(&w->rng, 100, 2000);
	if (mode == HV_HANG) {
		/* The call never answers; the caller's timeout (stonith-timeout,
		 * the operation's timeout: 60 s) gives up on it as a failure. */
		w_trace(w, target, "%s hangs", kind == OP_FENCE ? "fence" : "hv: a call");
		lat = 60000;
		mode = HV_FAIL;
	}
	if (mode == HV_SLOW)
		lat += 20000;
	struct ev *e = w_new_ev(w, EV_HV, target, lat);
	e->hv_op = kind;
	e->vm = vm;
	e->target = target;
	e->token = hv->generation;
	e->write_id = mode == HV_FAIL;
	e->incarnation = w->nodes[target].incarnation;
	w_enqueue(w, e);
}

/* The stand-in recovery driver (see the top of the file). */
static void drive(struct sim_world *w)
{
	struct hv_world *hv = w->hv;
	if (!hv->n_vms)
		return;
	int dc = acting_dc(w);
	if (!dc)
		return;
	int part = w->nodes[dc].cs_part;
	for (int v = 1; v <= hv->n_vms; v++) {
		int at = hv->placed[v];
		if (at && w->nodes[at].powered && w->nodes[at].cs_part == part &&
		    !(hv->running[v] & (1u << at)) && !hv->op_pending[v]) {
			hv->placed[v] = 0; /* its node (on our side) reports it stopped */
			continue;
		}
		if (!at || (w->nodes[at].powered && w->nodes[at].cs_part == part))
			continue;
		if (w->o.bug == SIM_BUG_NO_FENCE_WAIT) {
			/* Planted bug: recover at once. */
			hv->placed[v] = 0;
			continue;
		}
		/* Even a node that is off is fenced first: from the DC's side an off
		 * node and a cut-off node look the same. */
		if (!hv->fence_pending[at]) {
			hv->fence_pending[at] = true;
			w_trace(w, dc, "driver: fences %s (vm%d ran there)", w->nodes[at].name, v);
			start_op(w, OP_FENCE, 0, at, hv->fence_mode[at]);
		}
	}
	/* Start what runs nowhere, on the DC's side. */
	int cand[SIM_MAX_NODES], nc = 0;
	for (int i = 1; i <= w->n; i++)
		if (w->nodes[i].powered && w->nodes[i].cs_part == part && w->nodes[i].d)
			cand[nc++] = i;
	for (int v = 1; v <= hv->n_vms && nc; v++) {
		if (hv->placed[v] || hv->op_pending[v] || hv->stopped[v])
			continue;
		int target = cand[v % nc];
		hv->op_pending[v] = true;
		hv->placed[v] = target;
		w_trace(w, dc, "driver: starts vm%d on %s", v, w->nodes[target].name);
		start_op(w, OP_START, v, target, hv->hv_mode[target]);
	}
}

void hv_membership(struct sim_world *w)
{
	struct hv_world *hv = w->hv;
	if (hv->n_vms && !hv->placed_initially) {
		/* Initial placement: VMs already running when the cluster forms. */
		int cand[SIM_MAX_NODES], nc = 0;
		for (int i = 1; i <= w->n; i++)
			if (w->nodes[i].powered)
				cand[nc++] = i;
		if (!nc)
			return;
		hv->placed_initially = true;
		for (int v = 1; v <= hv->n_vms; v++) {
			hv->placed[v] = cand[v % nc];
			hv->running[v] = 1u << cand[v % nc];
		}
	}
	drive(w);
}

void hv_on_event(struct sim_world *w, struct ev *e)
{
	struct hv_world *hv = w->hv;
	if (e->token != hv->generation)
		return; /* abandoned */
	bool failed = e->write_id;
	if (e->hv_op == OP_FENCE) {
		hv->fence_pending[e->target] = false;
		if (failed) {
			w_trace(w, e->target, "fence failed");
			w->res->failures_injected++;
		} else {
			w_trace(w, e->target, "fenced");
			w_power_off(w, e->target);
			for (int v = 1; v <= hv->n_vms; v++)
				if (hv->placed[v] == e->target)
					hv->placed[v] = 0;
		}
	} else if (e->hv_op == OP_STOP) {
		int v = e->vm;
		hv->op_pending[v] = false;
		bool alive = w->nodes[e->target].powered &&
			     w->nodes[e->target].incarnation == e->incarnation;
		if (failed && alive) {
			/* A stop that failed leaves the VM where it was. */
			w_trace(w, e->target, "hv: stop of vm%d failed", v);
			hv->stopped[v] = false;
		} else {
			hv->running[v] &= ~(1u << e->target);
			if (hv->placed[v] == e->target)
				hv->placed[v] = 0;
			w_trace(w, e->target, "hv: vm%d stopped", v);
		}
	} else if (e->hv_op == OP_MIGRATE) {
		/* Live migration: the domain runs on the source until the switch-over,
		 * which is atomic; failed part way, it keeps running on the source and
		 * the paused copy on the target is discarded.  Never both. */
		int v = e->vm, src = (int)e->mem_len;
		hv->op_pending[v] = false;
		bool src_ok = w->nodes[src].powered && (hv->running[v] & (1u << src));
		bool dst_ok = w->nodes[e->target].powered &&
			      w->nodes[e->target].incarnation == e->incarnation;
		if (!failed && src_ok && dst_ok) {
			hv->running[v] = (hv->running[v] & ~(1u << src)) | (1u << e->target);
			hv->placed[v] = e->target;
			w_trace(w, e->target, "hv: vm%d migrated from %s", v, w->nodes[src].name);
		} else {
			w_trace(w, e->target, "hv: migration of vm%d from %s failed", v,
				w->nodes[src].name);
		}
	} else if (e->hv_op == OP_START) {
		int v = e->vm;
		hv->op_pending[v] = false;
		if (failed || !w->nodes[e->target].powered ||
		    w->nodes[e->target].incarnation != e->incarnation) {
			/* A call to a node that lost power meanwhile never completes. */
			w_trace(w, e->target, "hv: start of vm%d failed", v);
			if (hv->placed[v] == e->target)
				hv->placed[v] = 0;
		} else {
			hv->running[v] |= 1u << e->target;
			w_trace(w, e->target, "hv: vm%d running", v);
		}
	}
	drive(w);
}

void hv_cmd(struct sim_world *w, const struct sim_cmd *c)
{
	struct hv_world *hv = w->hv;
	if (!c) {
		/* Faults stop: devices work again, hung calls are abandoned. */
		memset(hv->fence_mode, 0, sizeof(hv->fence_mode));
		memset(hv->hv_mode, 0, sizeof(hv->hv_mode));
		memset(hv->fence_pending, 0, sizeof(hv->fence_pending));
		for (int v = 1; v <= hv->n_vms; v++)
			if (hv->op_pending[v]) {
				hv->op_pending[v] = false;
				if (!hv->running[v])
					hv->placed[v] = 0;
			}
		hv->generation++;
		drive(w);
		return;
	}
	switch (c->kind) {
	case CMD_VM_CRASH: {
		int v = (int)c->n;
		if (v < 1 || v > hv->n_vms || !hv->running[v])
			return;
		w_trace(w, 0, "hv: vm%d crashes", v);
		hv->running[v] = 0;
		/* libvirt's lifecycle event tells its node at once; the driver sees
		 * it when that node is on its side. */
		int dc = acting_dc(w);
		int at = hv->placed[v];
		if (dc && at && w->nodes[at].cs_part == w->nodes[dc].cs_part)
			hv->placed[v] = 0;
		break;
	}
	case CMD_VM_STOP: {
		int v = (int)c->n;
		int at = hv_vm_node(w, v);
		if (v < 1 || v > hv->n_vms || !at || hv->op_pending[v])
			return;
		hv->stopped[v] = true;
		hv->op_pending[v] = true;
		w_trace(w, at, "hv: stopping vm%d", v);
		start_op(w, OP_STOP, v, at, hv->hv_mode[at]);
		break;
	}
	case CMD_VM_MIGRATE: {
		int v = (int)c->n;
		int at = hv_vm_node(w, v);
		if (v < 1 || v > hv->n_vms || !at || at == c->node || hv->op_pending[v] ||
		    !w->nodes[c->node].powered)
			return;
		hv->op_pending[v] = true;
		w_trace(w, at, "hv: migrating vm%d to %s", v, w->nodes[c->node].name);
		start_op(w, OP_MIGRATE, v, c->node, hv->hv_mode[at]);
		/* The source rides along in the event (mem_len: no memory there). */
		for (struct ev *e = w->queue; e; e = e->next)
			if (e->kind == EV_HV && e->hv_op == OP_MIGRATE && e->vm == v && !e->mem_len)
				e->mem_len = (size_t)at;
		break;
	}
	case CMD_FENCE_MODE:
		hv->fence_mode[c->node] = c->mode;
		break;
	case CMD_HV_MODE:
		hv->hv_mode[c->node] = c->mode;
		break;
	default:
		break;
	}
	drive(w);
}

void hv_check(struct sim_world *w)
{
	struct hv_world *hv = w->hv;
	if (!hv->n_vms)
		return;
	for (int v = 1; v <= hv->n_vms; v++)
		if (popcount(hv->running[v]) > 1) {
			char nodes[64] = "";
			for (int i = 1; i <= w->n; i++)
				if (hv->running[v] & (1u << i))
					snprintf(nodes + strlen(nodes), sizeof(nodes) - strlen(nodes), " %s",
						 w->nodes[i].name);
			w_violation(w, "vm%d runs on two nodes at once:%s", v, nodes);
			hv->running[v] = 1u << __builtin_ctz(hv->running[v]); /* report once */
		}
	drive(w);
}

int hv_converged(struct sim_world *w)
{
	struct hv_world *hv = w->hv;
	int bad = 0;
	for (int v = 1; v <= hv->n_vms; v++)
		if (popcount(hv->running[v]) != (hv->stopped[v] ? 0 : 1)) {
			w_violation(w, "liveness: vm%d runs on %d nodes after faults stopped", v,
				    popcount(hv->running[v]));
			bad++;
		}
	return bad;
}
