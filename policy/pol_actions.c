/*
 * pol_actions.c - from placements to actions, their order, and the result.
 *
 *   create_actions   fence unclean nodes that can be fenced; per resource,
 *                    compare where it runs with where it should run: start,
 *                    stop, restart in place (recovery), live-migrate or move
 *                    (stop then start); quorum and blocked stops hold starts
 *   order_actions    stop before start, fencing before anything that needs
 *                    its node's resources to be gone, rsc_order constraints
 *                    (mandatory ones also block and force restarts)
 *   number_actions   a stable topological order: fences, stops, migrations,
 *                    restarts, starts, each in document order, dependencies
 *                    first; ids from 1
 *   build_transition copy everything the caller sees into the arena
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pol_int.h"

enum { GROUP_FENCE, GROUP_STOP, GROUP_MIGRATE, GROUP_RESTART, GROUP_START };

static int new_act(struct pol_ctx *c, enum pol_op op, int rsc, int node, int from,
		   const char *reason)
{
	if (c->n_acts == c->cap_acts) {
		size_t cap = c->cap_acts ? c->cap_acts * 2 : 64;
		struct pol_act *v = realloc(c->acts, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->acts = v;
		c->cap_acts = cap;
	}
	struct pol_act *a = &c->acts[c->n_acts];

	memset(a, 0, sizeof(*a));
	a->op = op;
	a->rsc = rsc;
	a->node = node;
	a->from = from;
	a->reason = reason;
	a->seq = (int)c->n_acts;
	switch (op) {
	case POL_OP_FENCE: a->group = GROUP_FENCE; break;
	case POL_OP_STOP: a->group = GROUP_STOP; break;
	case POL_OP_MIGRATE: a->group = GROUP_MIGRATE; break;
	case POL_OP_RESTART: a->group = GROUP_RESTART; break;
	case POL_OP_START: a->group = GROUP_START; break;
	}
	return (int)c->n_acts++;
}

static int add_after(struct pol_ctx *c, int act, int before)
{
	if (act < 0 || before < 0 || act == before)
		return 0;
	struct pol_act *a = &c->acts[act];

	for (size_t i = 0; i < a->n_after; i++)
		if (a->after[i] == before)
			return 0;
	if (a->n_after == a->cap_after) {
		size_t cap = a->cap_after ? a->cap_after * 2 : 4;
		int *v = realloc(a->after, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->after = v;
		a->cap_after = cap;
	}
	a->after[a->n_after++] = before;
	return 0;
}

/* Starts are refused without quorum (policy stop), and also new starts under
 * freeze; ignore (and having quorum) allows everything. */
static const char *quorum_blocks_start(const struct pol_ctx *c, const struct pol_rs *rs)
{
	if (c->have_quorum || !rs->requires_quorum)
		return NULL;
	switch (c->nqp) {
	case POL_NQP_IGNORE:
		return NULL;
	case POL_NQP_FREEZE:
		return rs->n_active ? NULL : "quorum freeze";
	default:
		return "no quorum";
	}
}

struct rsc_plan {
	int start;              /* start, restart or migrate: the act that makes it run */
	int *stops;             /* acts that stop it (stop, restart, migrate) */
	size_t n_stops;
	bool moving;            /* stop somewhere and start elsewhere (not a migration) */
};

static int fence_act_of(struct pol_ctx *c, const int *fence_act, int n)
{
	return c->nodes[n].fence ? fence_act[n] : -1;
}

#define NEW_ACT(var, ...) do { \
		(var) = new_act(__VA_ARGS__); \
		if ((var) < 0) \
			return -ENOMEM; \
	} while (0)

/* Compares where one resource runs with where it should run and creates its
 * actions.  Stops on a node being fenced are implied by the fencing (the
 * fence action stands in for them); on an unclean node that cannot be
 * fenced, or after a stop failed without fencing, they cannot happen at all,
 * and then nothing may move. */
static int plan_resource(struct pol_ctx *c, struct pol_rs *rs, struct rsc_plan *p, int **sp,
			 int *live, const int *fence_act)
{
	int i = rs->idx;
	int next = rs->assigned;
	size_t n_live = 0;
	const char *blocked = NULL;
	bool live_failed = false;

	/* room for a stop per active node, the target of an unfinished
	 * migration, and a stop added later by an order */
	p->start = -1;
	p->stops = *sp;
	*sp += rs->n_active + 2;
	if (!rs->managed) {
		rs->change = POL_CHANGE_NONE;
		return 0;
	}
	for (size_t k = 0; k < rs->n_active; k++) {
		int n = rs->active[k];
		struct pol_nd *nd = &c->nodes[n];

		if (nd->fence) {
			p->stops[p->n_stops++] = fence_act[n];
			continue;
		}
		if (nd->unclean)
			blocked = pol_arena_printf(c->arena, "waiting for fencing of %s", nd->name);
		if (n == rs->dangling)
			continue;       /* only needs its stop, below */
		live[n_live++] = n;
	}
	for (size_t k = 0; k < rs->n_hist; k++) {
		const struct pol_hist *h = &rs->hist[k];

		if (!h->active || c->nodes[h->node].fence)
			continue;
		if (h->failed_stop)
			blocked = pol_arena_printf(c->arena,
				"its stop failed on %s and fencing cannot make it safe",
				c->nodes[h->node].name);
		else if (h->blocked && !blocked)
			blocked = pol_arena_printf(c->arena,
				"it failed on %s with on-fail=block", c->nodes[h->node].name);
		if (h->failed)
			live_failed = true;
	}
	if (blocked) {
		/* it stays where it is, as it is */
		rs->assigned = n_live ? live[0] : (rs->n_active ? rs->active[0] : -1);
		rs->start_unrunnable = true;
		rs->block_reason = blocked;
		rs->change = POL_CHANGE_NONE;
		p->n_stops = 0;
		return 0;
	}

	bool stays = n_live == 1 && live[0] == next;
	const char *qblock = next >= 0 && !stays ? quorum_blocks_start(c, rs) : NULL;

	/* A node that is joining has not told us what it runs: starting a
	 * resource whose state there is unknown could run it twice. */
	if (next >= 0 && !stays && c->any_pending) {
		for (size_t n = 0; n < c->n_nodes && next >= 0; n++) {
			const struct pol_nd *nd = &c->nodes[n];
			bool known = false;

			if (!nd->online || !nd->pending || nd->unclean)
				continue;
			for (size_t k = 0; k < rs->n_hist; k++)
				if (rs->hist[k].node == (int)n && rs->hist[k].known)
					known = true;
			if (known)
				continue;
			rs->start_unrunnable = true;
			rs->block_reason = pol_arena_printf(c->arena,
				"waiting for %s to join (its state there is unknown)", nd->name);
			rs->unassigned_reason = rs->block_reason;
			next = -1;
			rs->assigned = -1;
		}
	}

	/* without quorum, policy stop (and demote, for primitives) stops
	 * everything that needs quorum, running or not */
	if (!c->have_quorum && rs->requires_quorum &&
	    (c->nqp == POL_NQP_STOP || c->nqp == POL_NQP_DEMOTE) && next >= 0 && stays) {
		next = -1;
		rs->assigned = -1;
		rs->unassigned_reason = "no quorum";
	}

	if (qblock) {
		rs->start_unrunnable = true;
		rs->block_reason = qblock;
		rs->unassigned_reason = qblock;
		next = -1;
		rs->assigned = -1;
	}

	/* Active on several nodes: multiple-active says what to do.  The default
	 * stops it everywhere and starts it once; stop_only leaves it stopped;
	 * block leaves everything as it is; stop_unexpected keeps the instance
	 * where it should run. */
	bool keep_chosen = false;

	bool partial = rs->partial_src >= 0 && n_live == 2 &&
		((live[0] == rs->partial_src && live[1] == rs->partial_tgt) ||
		 (live[1] == rs->partial_src && live[0] == rs->partial_tgt));

	/* a migration that got half way: finish it if the target is still
	 * where it should go, else stop it on both (below) */
	if (partial && next == rs->partial_tgt && !live_failed && !rs->no_migrate &&
	    c->nodes[rs->partial_src].online && pol_node_usable(&c->nodes[next])) {
		NEW_ACT(p->start, c, POL_OP_MIGRATE, i, next, rs->partial_src,
			"finishing a live migration");
		p->stops[p->n_stops++] = p->start;
		rs->change = POL_CHANGE_MIGRATE;
		goto dangling;
	}
	if (n_live > 1 && !partial) {
		switch (rs->multiple_active) {
		case POL_MULTI_BLOCK:
			rs->assigned = live[0];
			rs->start_unrunnable = true;
			rs->block_reason = "active on more than one node (multiple-active=block)";
			rs->change = POL_CHANGE_NONE;
			p->n_stops = 0;
			return 0;
		case POL_MULTI_STOP_ONLY:
			next = -1;
			rs->assigned = -1;
			rs->unassigned_reason = "active on more than one node (multiple-active=stop_only)";
			break;
		case POL_MULTI_STOP_UNEXPECTED:
			keep_chosen = !live_failed;
			break;
		default:
			break;
		}
	}

	if (n_live == 1) {
		int cur = live[0];
		struct pol_nd *cn = &c->nodes[cur];

		if (next == cur) {
			if (live_failed) {
				NEW_ACT(p->start, c, POL_OP_RESTART, i, cur, -1,
					pol_arena_printf(c->arena, "%s failed on %s", rs->id, cn->name));
				p->stops[p->n_stops++] = p->start;
				rs->change = POL_CHANGE_RECOVER;
			} else {
				rs->change = POL_CHANGE_NONE;
			}
			goto done;
		}
		if (next >= 0 && !live_failed && !rs->failed && rs->allow_migrate && cn->online &&
		    !cn->pending && pol_node_usable(&c->nodes[next]) && !rs->no_migrate) {
			NEW_ACT(p->start, c, POL_OP_MIGRATE, i, next, cur,
				pol_arena_printf(c->arena, "%s cannot stay on %s", rs->id, cn->name));
			p->stops[p->n_stops++] = p->start;
			rs->change = POL_CHANGE_MIGRATE;
			goto done;
		}
	}

	/* stop everywhere it runs (but where it stays), then start */
	bool keeps = false;

	for (size_t k = 0; k < n_live; k++) {
		int n = live[k];
		const char *why;

		if (n == next && keep_chosen) {
			keeps = true;
			continue;
		}
		if (next < 0)
			why = rs->unassigned_reason ? rs->unassigned_reason : "cannot run anywhere";
		else if (rs->failed)
			why = pol_arena_printf(c->arena, "recovering %s", rs->id);
		else if (n_live > 1)
			why = "active on more than one node";
		else
			why = pol_arena_printf(c->arena, "moving to %s", c->nodes[next].name);
		NEW_ACT(p->stops[p->n_stops], c, POL_OP_STOP, i, n, -1, why);
		p->n_stops++;
	}
	if (next >= 0 && !keeps) {
		const char *why = rs->failed ? pol_arena_printf(c->arena, "recovering %s", rs->id) :
			rs->n_active ? pol_arena_printf(c->arena, "moving from %s",
							c->nodes[rs->active[0]].name) :
			"not running";

		NEW_ACT(p->start, c, POL_OP_START, i, next, -1, why);
	}
	bool next_was_live = false;

	for (size_t k = 0; k < n_live; k++)
		if (live[k] == next)
			next_was_live = true;
	if (next < 0)
		rs->change = rs->n_active ? POL_CHANGE_STOP : POL_CHANGE_NONE;
	else if (keeps)
		rs->change = POL_CHANGE_STOP;
	else if (next_was_live && !rs->failed)
		rs->change = POL_CHANGE_RESTART;        /* multiple-active: stopped, started once */
	else if (!rs->n_active)
		rs->change = POL_CHANGE_START;
	else if (rs->failed)
		rs->change = POL_CHANGE_RECOVER;
	else
		rs->change = POL_CHANGE_MOVE;
	p->moving = p->start >= 0 && p->n_stops > 0;
done:
dangling:
	/* a migration that completed but left its source to be stopped */
	if (rs->dangling >= 0 && !c->nodes[rs->dangling].fence) {
		int sa;

		NEW_ACT(sa, c, POL_OP_STOP, i, rs->dangling, -1,
			"the end of a live migration: stop on the source");
		p->stops[p->n_stops++] = sa;
		if (rs->change == POL_CHANGE_NONE)
			rs->change = POL_CHANGE_STOP;
	}
	return 0;
}

/* "then" of a mandatory order whose "first" will not run: it may not run
 * either.  Its start is dropped; where it runs, it is stopped. */
static int keep_then_stopped(struct pol_ctx *c, struct pol_rs *then, struct rsc_plan *pt,
			     const struct pol_rs *first)
{
	const char *why = pol_arena_printf(c->arena, "must start after %s, which cannot start",
					   first->id);

	if (pt->start >= 0) {
		int st = pt->start;

		c->acts[st].group = -1;         /* dropped */
		pt->start = -1;
		/* a migration or restart also stopped it: keep that stop */
		if (c->acts[st].op == POL_OP_MIGRATE || c->acts[st].op == POL_OP_RESTART) {
			int node = c->acts[st].op == POL_OP_MIGRATE ? c->acts[st].from : c->acts[st].node;
			int sa = new_act(c, POL_OP_STOP, then->idx, node, -1, why);

			if (sa < 0)
				return -ENOMEM;
			for (size_t k = 0; k < pt->n_stops; k++)
				if (pt->stops[k] == st)
					pt->stops[k] = sa;
		}
	} else if (then->n_active && pt->n_stops == 0) {
		/* running and meant to stay: stop it */
		for (size_t k = 0; k < then->n_active; k++) {
			int n = then->active[k];
			int sa;

			if (c->nodes[n].fence)
				continue;
			sa = new_act(c, POL_OP_STOP, then->idx, n, -1, why);
			if (sa < 0)
				return -ENOMEM;
			pt->stops[pt->n_stops++] = sa;
		}
	}
	then->assigned = -1;
	then->unassigned_reason = why;
	if (then->n_active) {
		then->change = POL_CHANGE_STOP;
	} else {
		then->change = POL_CHANGE_NONE;
		then->start_unrunnable = true;
		then->block_reason = why;
	}
	return 0;
}

int pol_create_actions(struct pol_ctx *c)
{
	int r = 0;
	int *fence_act = calloc(c->n_nodes + 1, sizeof(int));
	struct rsc_plan *plan = calloc(c->n_rscs + 1, sizeof(*plan));
	size_t n_stop_slots = 1;

	for (size_t i = 0; i < c->n_rscs; i++)
		n_stop_slots += c->rscs[i].n_active + 2;
	int *stop_store = calloc(n_stop_slots, sizeof(int));
	int *fences = calloc(c->n_nodes + 1, sizeof(int));
	size_t n_fences = 0;

	if (!fence_act || !plan || !stop_store || !fences) {
		r = -ENOMEM;
		goto out;
	}

	/* fencing */
	bool integrity_warned = false;

	for (size_t n = 0; n < c->n_nodes; n++) {
		struct pol_nd *nd = &c->nodes[n];

		fence_act[n] = -1;
		if (!nd->unclean)
			continue;
		if (pol_can_fence(c, nd)) {
			nd->fence = true;
			fence_act[n] = new_act(c, POL_OP_FENCE, -1, (int)n, -1,
					       nd->unclean_reason ? nd->unclean_reason :
					       "node is unclean");
			if (fence_act[n] < 0) {
				r = -ENOMEM;
				goto out;
			}
			fences[n_fences++] = fence_act[n];
		} else if (!integrity_warned) {
			integrity_warned = true;
			if (!c->stonith_enabled)
				pol_warn(c, "node %s is unclean but fencing is disabled: "
					    "recovering without fencing", nd->name);
			else if (!c->have_stonith_rsc)
				pol_warn(c, "node %s is unclean but no fence device is configured: "
					    "its resources cannot be recovered", nd->name);
			else
				pol_warn(c, "node %s is unclean but cannot be fenced without quorum",
					 nd->name);
		}
	}

	/* resources */
	int *sp = stop_store;
	int *live = calloc(c->n_nodes + 1, sizeof(int));

	if (!live) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n_rscs && r == 0; i++)
		r = plan_resource(c, &c->rscs[i], &plan[i], &sp, live, fence_act);
	free(live);
	if (r < 0)
		goto out;

	/* ordering: a start waits for the stops of the same resource and, when
	 * the resource needs fencing, for every fence of this transition */
	for (size_t i = 0; i < c->n_rscs; i++) {
		struct pol_rs *rs = &c->rscs[i];
		struct rsc_plan *p = &plan[i];

		if (p->start < 0)
			continue;
		for (size_t k = 0; k < p->n_stops; k++)
			if (p->stops[k] != p->start)
				r = add_after(c, p->start, p->stops[k]);
		if (rs->requires_fencing) {
			for (size_t k = 0; k < n_fences; k++)
				r = r ? r : add_after(c, p->start, fences[k]);
		} else {
			/* only quorum: wait for the fencing of nodes where it may
			 * be running, i.e. where it is active or its state is unknown */
			for (size_t n = 0; n < c->n_nodes; n++) {
				int fa = fence_act_of(c, fence_act, (int)n);
				bool known = false, active = false;

				if (fa < 0)
					continue;
				for (size_t k = 0; k < rs->n_hist; k++)
					if (rs->hist[k].node == (int)n) {
						known = rs->hist[k].known;
						active = rs->hist[k].active;
					}
				if (active || !known)
					r = r ? r : add_after(c, p->start, fa);
			}
		}
		if (r < 0)
			goto out;
	}

	/* rsc_order: a mandatory order keeps "then" stopped while "first"
	 * cannot run (stopping it if it runs), restarts it when "first"
	 * (re)starts, and orders actions both ways when symmetrical; optional
	 * orders only order what happens anyway.  Blocking propagates along
	 * chains, hence the rounds. */
	bool changed = true;

	for (int round = 0; changed && round < 16; round++) {
		changed = false;
		for (size_t i = 0; i < c->n_ords; i++) {
			const struct pol_ord *o = &c->ords[i];
			struct pol_rs *first = &c->rscs[o->first], *then = &c->rscs[o->then];

			if (!o->mandatory || o->first_act != POL_OP_START || o->then_act != POL_OP_START)
				continue;
			if (!then->managed || then->assigned < 0 || then->start_unrunnable)
				continue;
			if (first->assigned >= 0 && !first->start_unrunnable)
				continue;
			/* an asymmetrical order only holds back a real start */
			if (!o->symmetrical && plan[o->then].start < 0)
				continue;
			r = keep_then_stopped(c, then, &plan[o->then], first);
			if (r < 0)
				goto out;
			changed = true;
		}
	}

	for (size_t i = 0; i < c->n_ords; i++) {
		const struct pol_ord *o = &c->ords[i];
		struct pol_rs *then = &c->rscs[o->then];
		struct rsc_plan *pf = &plan[o->first], *pt = &plan[o->then];

		/* a healthy "then" restarts when a mandatory "first" starts (fresh
		 * or again; a live migration of "first" does not count): it stops
		 * before "first" stops and starts after "first" starts */
		if (o->mandatory && o->first_act == POL_OP_START && o->then_act == POL_OP_START &&
		    then->managed && pt->start < 0 && pt->n_stops == 0 && then->n_active == 1 &&
		    then->assigned == then->active[0] && pf->start >= 0 &&
		    c->acts[pf->start].op != POL_OP_MIGRATE) {
			const char *why = pol_arena_printf(c->arena,
				"%s restarts and %s must start after it", c->rscs[o->first].id, then->id);
			int sa = new_act(c, POL_OP_STOP, o->then, then->assigned, -1, why);
			int st = sa < 0 ? -1 : new_act(c, POL_OP_START, o->then, then->assigned, -1, why);

			if (st < 0 || add_after(c, st, sa) < 0) {
				r = -ENOMEM;
				goto out;
			}
			pt->stops[pt->n_stops++] = sa;
			pt->start = st;
			then->change = POL_CHANGE_RESTART;
			then->restart_forced = true;
		}
	}

	/* Symmetrical orders stop "then" before "first": when "then" cannot
	 * stop (blocked, unmanaged), "first" may not stop either. */
	for (size_t i = 0; i < c->n_ords; i++) {
		const struct pol_ord *o = &c->ords[i];
		int stuck_i, waiting_i;

		if (!o->mandatory)
			continue;
		if (o->first_act == POL_OP_START && o->then_act == POL_OP_START && o->symmetrical) {
			stuck_i = o->then;      /* then stops first */
			waiting_i = o->first;
		} else if (o->first_act == POL_OP_STOP && o->then_act == POL_OP_STOP) {
			stuck_i = o->first;
			waiting_i = o->then;
		} else {
			continue;
		}
		struct pol_rs *first = &c->rscs[waiting_i], *then = &c->rscs[stuck_i];
		struct rsc_plan *pf = &plan[waiting_i];
		bool then_stuck = then->n_active &&
			(!then->managed || (then->start_unrunnable && then->block_reason &&
					    plan[stuck_i].n_stops == 0));

		if (!then_stuck || !first->managed)
			continue;
		bool dropped = false;

		for (size_t k = 0; k < pf->n_stops; k++) {
			int sa = pf->stops[k];

			if (sa >= 0 && c->acts[sa].op == POL_OP_STOP) {
				c->acts[sa].group = -1;
				dropped = true;
			}
		}
		if (!dropped)
			continue;
		if (pf->start >= 0)
			c->acts[pf->start].group = -1;
		pf->start = -1;
		pf->n_stops = 0;
		first->assigned = first->n_active ? first->active[0] : -1;
		first->change = POL_CHANGE_NONE;
		first->start_unrunnable = true;
		first->block_reason = pol_arena_printf(c->arena,
			"must stop after %s, which cannot stop", then->id);
	}

	/* A live migration of "then" stops it on its source only after it runs
	 * on the target; when "first" really stops (not migrating itself),
	 * "then" must be gone first, which a migration cannot do: move it. */
	for (size_t i = 0; i < c->n_ords; i++) {
		const struct pol_ord *o = &c->ords[i];
		struct rsc_plan *pf = &plan[o->first], *pt = &plan[o->then];
		bool first_stops = false;

		if (!o->symmetrical || pt->start < 0 || c->acts[pt->start].op != POL_OP_MIGRATE)
			continue;
		for (size_t k = 0; k < pf->n_stops; k++)
			if (pf->stops[k] >= 0 && (c->acts[pf->stops[k]].op == POL_OP_STOP ||
						  c->acts[pf->stops[k]].op == POL_OP_RESTART))
				first_stops = true;
		if (!first_stops)
			continue;
		int ma = pt->start;
		int st = new_act(c, POL_OP_START, o->then, c->acts[ma].node, -1,
				 pol_arena_printf(c->arena, "%s cannot migrate while %s stops",
						  c->rscs[o->then].id, c->rscs[o->first].id));

		if (st < 0) {
			r = -ENOMEM;
			goto out;
		}
		c->acts[ma].op = POL_OP_STOP;
		c->acts[ma].group = GROUP_STOP;
		c->acts[ma].node = c->acts[ma].from;
		c->acts[ma].from = -1;
		for (size_t k = 0; k < c->acts[ma].n_after && r == 0; k++)
			r = add_after(c, st, c->acts[ma].after[k]);
		if (r == 0)
			r = add_after(c, st, ma);
		if (r < 0)
			goto out;
		pt->start = st;
		c->rscs[o->then].change = POL_CHANGE_MOVE;
	}

	/* A restart is one action for stop and start.  When "then" must stop
	 * before "first" stops and start after it starts, a restart of "then"
	 * cannot say so: split it. */
	for (size_t i = 0; i < c->n_ords; i++) {
		const struct pol_ord *o = &c->ords[i];
		struct rsc_plan *pf = &plan[o->first], *pt = &plan[o->then];
		bool first_stops = false;

		if (!o->symmetrical || pt->start < 0 || c->acts[pt->start].op != POL_OP_RESTART)
			continue;
		for (size_t k = 0; k < pf->n_stops; k++)
			if (pf->stops[k] >= 0 && c->acts[pf->stops[k]].op != POL_OP_FENCE)
				first_stops = true;
		if (!first_stops)
			continue;
		int ra = pt->start;
		int st = new_act(c, POL_OP_START, o->then, c->acts[ra].node, -1, c->acts[ra].reason);

		if (st < 0) {
			r = -ENOMEM;
			goto out;
		}
		c->acts[ra].op = POL_OP_STOP;
		c->acts[ra].group = GROUP_STOP;
		for (size_t k = 0; k < c->acts[ra].n_after && r == 0; k++)
			r = add_after(c, st, c->acts[ra].after[k]);
		if (r == 0)
			r = add_after(c, st, ra);
		if (r < 0)
			goto out;
		pt->start = st;
	}

	for (size_t i = 0; i < c->n_ords; i++) {
		const struct pol_ord *o = &c->ords[i];
		struct rsc_plan *pf = &plan[o->first], *pt = &plan[o->then];

		/* first.X before then.Y */
		const int *fa = o->first_act == POL_OP_START ? &pf->start : pf->stops;
		size_t nfa = o->first_act == POL_OP_START ? (pf->start >= 0) : pf->n_stops;
		const int *ta = o->then_act == POL_OP_START ? &pt->start : pt->stops;
		size_t nta = o->then_act == POL_OP_START ? (pt->start >= 0) : pt->n_stops;

		for (size_t x = 0; x < nta; x++)
			for (size_t y = 0; y < nfa; y++)
				if (ta[x] >= 0 && fa[y] >= 0 && c->acts[fa[y]].op != POL_OP_FENCE &&
				    c->acts[ta[x]].op != POL_OP_FENCE && ta[x] != fa[y])
					if ((r = add_after(c, ta[x], fa[y])) < 0)
						goto out;
		if (!o->symmetrical)
			continue;
		/* the reverse: first's opposite action after then's opposite one.
		 * Only then's plain stops count there: a migration or restart of
		 * "then" already comes after "first" and cannot also precede it. */
		const int *rfa = o->then_act == POL_OP_START ? pt->stops : &pt->start;
		size_t nrfa = o->then_act == POL_OP_START ? pt->n_stops : (pt->start >= 0);
		const int *rta = o->first_act == POL_OP_START ? pf->stops : &pf->start;
		size_t nrta = o->first_act == POL_OP_START ? pf->n_stops : (pf->start >= 0);

		for (size_t x = 0; x < nrta; x++)
			for (size_t y = 0; y < nrfa; y++)
				if (rta[x] >= 0 && rfa[y] >= 0 && rta[x] != rfa[y] &&
				    c->acts[rta[x]].op != POL_OP_FENCE &&
				    c->acts[rfa[y]].op == POL_OP_STOP)
					if ((r = add_after(c, rta[x], rfa[y])) < 0)
						goto out;
	}
	/* With a placement strategy, capacity is promised only once what
	 * leaves a node is gone: a start or a migration onto a node waits for
	 * the stops on it. */
	if (c->strategy != POL_PLACE_DEFAULT) {
		/* the stops of each node, bucketed once (counting sort) */
		int *first_stop = calloc(c->n_nodes + 2, sizeof(int));
		int *stops_by_node = calloc(c->n_acts + 1, sizeof(int));
		int *fill = calloc(c->n_nodes + 1, sizeof(int));

		if (!first_stop || !stops_by_node || !fill) {
			free(first_stop);
			free(stops_by_node);
			free(fill);
			r = -ENOMEM;
			goto out;
		}
		for (size_t b = 0; b < c->n_acts; b++)
			if (c->acts[b].group >= 0 && c->acts[b].op == POL_OP_STOP)
				first_stop[c->acts[b].node + 1]++;
		for (size_t n = 0; n < c->n_nodes; n++)
			first_stop[n + 1] += first_stop[n];
		for (size_t b = 0; b < c->n_acts; b++)
			if (c->acts[b].group >= 0 && c->acts[b].op == POL_OP_STOP) {
				int n = c->acts[b].node;

				stops_by_node[first_stop[n] + fill[n]++] = (int)b;
			}
		for (size_t a = 0; a < c->n_acts && r == 0; a++) {
			const struct pol_act *in = &c->acts[a];

			if (in->group < 0 || (in->op != POL_OP_START && in->op != POL_OP_MIGRATE))
				continue;
			for (int k = first_stop[in->node]; k < first_stop[in->node + 1] && r == 0; k++)
				if (c->acts[stops_by_node[k]].rsc != in->rsc)
					r = add_after(c, (int)a, stops_by_node[k]);
		}
		free(first_stop);
		free(stops_by_node);
		free(fill);
		if (r < 0)
			goto out;
	}
out:
	free(fence_act);
	free(plan);
	free(stop_store);
	free(fences);
	return r;
}

/* ---- numbering and the result ---- */

static int cmp_act(const struct pol_act *a, const struct pol_act *b)
{
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->rsc != b->rsc)
		return a->rsc < b->rsc ? -1 : 1;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* Kahn's algorithm with a heap, always taking the smallest ready action, so
 * that ids read as fences, stops, migrations, restarts, starts in document
 * order while every action still comes after what it waits for.  A cycle
 * (only contradictory orders make one) is broken at the smallest action.
 * O(A log A + E). */
struct heap {
	int *v;
	size_t n;
	const struct pol_act *acts;
};

static bool heap_less(const struct heap *h, int a, int b)
{
	return cmp_act(&h->acts[a], &h->acts[b]) < 0;
}

static void heap_push(struct heap *h, int x)
{
	size_t i = h->n++;

	h->v[i] = x;
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!heap_less(h, h->v[i], h->v[p]))
			break;
		int t = h->v[i];
		h->v[i] = h->v[p];
		h->v[p] = t;
		i = p;
	}
}

static int heap_pop(struct heap *h)
{
	int top = h->v[0];
	size_t i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && heap_less(h, h->v[l], h->v[m]))
			m = l;
		if (r < h->n && heap_less(h, h->v[r], h->v[m]))
			m = r;
		if (m == i)
			break;
		int t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
	return top;
}

static int number_actions(struct pol_ctx *c, int **ret_order, size_t *ret_n)
{
	size_t n = c->n_acts, n_edges = 0, k = 0;
	int *order = malloc((n + 1) * sizeof(int));
	int *indeg = calloc(n + 1, sizeof(int));
	int *first = calloc(n + 2, sizeof(int));
	bool *done = calloc(n + 1, sizeof(bool));
	int *succ = NULL;
	struct heap h = { .acts = c->acts };
	int r = -ENOMEM;

	h.v = malloc((n + 1) * sizeof(int));
	if (!order || !indeg || !first || !done || !h.v)
		goto out;
	/* successor lists in one array (counting sort by predecessor) */
	for (size_t i = 0; i < n; i++) {
		if (c->acts[i].group < 0) {
			done[i] = true;         /* dropped */
			continue;
		}
		for (size_t j = 0; j < c->acts[i].n_after; j++) {
			int b = c->acts[i].after[j];

			if (c->acts[b].group < 0)
				continue;
			first[b + 1]++;
			indeg[i]++;
			n_edges++;
		}
	}
	for (size_t i = 0; i < n; i++)
		first[i + 1] += first[i];
	succ = malloc((n_edges + 1) * sizeof(int));
	int *fill = calloc(n + 1, sizeof(int));

	if (!succ || !fill) {
		free(fill);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		for (size_t j = 0; j < c->acts[i].n_after; j++) {
			int b = c->acts[i].after[j];

			if (c->acts[b].group < 0)
				continue;
			succ[first[b] + fill[b]++] = (int)i;
		}
	}
	free(fill);
	for (size_t i = 0; i < n; i++)
		if (!done[i] && indeg[i] == 0)
			heap_push(&h, (int)i);
	for (;;) {
		int best;

		if (h.n) {
			best = heap_pop(&h);
			if (done[best])
				continue;
		} else {
			best = -1;      /* a cycle: take the smallest left */
			for (size_t i = 0; i < n; i++)
				if (!done[i] && (best < 0 || cmp_act(&c->acts[i], &c->acts[best]) < 0))
					best = (int)i;
			if (best < 0)
				break;
		}
		done[best] = true;
		order[k++] = best;
		c->acts[best].id = (unsigned)k;
		for (int e = first[best]; e < first[best + 1]; e++) {
			int s = succ[e];

			if (!done[s] && --indeg[s] == 0)
				heap_push(&h, s);
		}
	}
	*ret_order = order;
	*ret_n = k;
	order = NULL;
	r = 0;
out:
	free(order);
	free(indeg);
	free(first);
	free(done);
	free(succ);
	free(h.v);
	return r;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : (x > y);
}

int pol_build_transition(struct pol_ctx *c, const struct pol_options *opt,
			 struct pol_transition **ret_tr)
{
	struct pol_arena *a = c->arena;
	struct pol_transition *tr = pol_arena_alloc(a, sizeof(*tr));
	int *order = NULL;
	size_t n_order = 0;
	int r;

	if (!tr)
		return -ENOMEM;
	r = number_actions(c, &order, &n_order);
	if (r < 0)
		return r;

	/* names, once each */
	const char **nname = pol_arena_alloc(a, (c->n_nodes + 1) * sizeof(*nname));
	const char **rname = pol_arena_alloc(a, (c->n_rscs + 1) * sizeof(*rname));

	if (!nname || !rname)
		goto nomem;
	for (size_t n = 0; n < c->n_nodes; n++)
		if (!(nname[n] = pol_arena_strdup(a, c->nodes[n].name)))
			goto nomem;
	for (size_t i = 0; i < c->n_rscs; i++)
		if (!(rname[i] = pol_arena_strdup(a, c->rscs[i].id)))
			goto nomem;

	tr->actions = pol_arena_alloc(a, (n_order + 1) * sizeof(*tr->actions));
	if (!tr->actions)
		goto nomem;
	tr->n_actions = n_order;
	for (size_t k = 0; k < n_order; k++) {
		const struct pol_act *pa = &c->acts[order[k]];
		struct pol_action *out = &tr->actions[k];
		unsigned *after = pol_arena_alloc(a, (pa->n_after + 1) * sizeof(*after));
		size_t na = 0;

		if (!after)
			goto nomem;
		out->id = pa->id;
		out->op = pa->op;
		out->resource = pa->rsc >= 0 ? rname[pa->rsc] : NULL;
		if (pa->op == POL_OP_MIGRATE) {
			out->from = nname[pa->from];
			out->to = nname[pa->node];
		} else {
			out->node = nname[pa->node];
		}
		for (size_t j = 0; j < pa->n_after; j++) {
			const struct pol_act *b = &c->acts[pa->after[j]];

			if (b->group >= 0 && b->id)
				after[na++] = b->id;
		}
		qsort(after, na, sizeof(*after), cmp_uint);
		out->after = after;
		out->n_after = na;
		out->reason = pol_arena_strdup(a, pa->reason);
	}

	tr->orphans = pol_arena_alloc(a, (c->n_rscs - c->n_cfg_rscs + 1) * sizeof(*tr->orphans));
	if (!tr->orphans)
		goto nomem;
	for (size_t i = c->n_cfg_rscs; i < c->n_rscs; i++)
		if (c->rscs[i].n_active)
			tr->orphans[tr->n_orphans++] = rname[i];

	tr->placement = pol_arena_alloc(a, (c->n_cfg_rscs + 1) * sizeof(*tr->placement));
	if (!tr->placement)
		goto nomem;
	tr->n_placement = c->n_cfg_rscs;
	for (size_t i = 0; i < c->n_cfg_rscs; i++) {
		const struct pol_rs *rs = &c->rscs[i];
		struct pol_placement *pl = &tr->placement[i];

		pl->resource = rname[i];
		pl->node = rs->assigned >= 0 ? nname[rs->assigned] : NULL;
		pl->current = rs->n_active ? nname[rs->active[0]] : NULL;
		pl->n_active = rs->n_active;
		pl->active = pol_arena_alloc(a, (rs->n_active + 1) * sizeof(*pl->active));
		if (!pl->active)
			goto nomem;
		for (size_t k = 0; k < rs->n_active; k++)
			pl->active[k] = nname[rs->active[k]];
		pl->failed = rs->failed;
		pl->managed = rs->managed;
		pl->blocked = rs->start_unrunnable && rs->block_reason;
		pl->change = rs->change;
		if (!rs->managed)
			pl->reason = rs->maintenance || c->maintenance_mode ? "in maintenance" :
				     "unmanaged";
		else if (rs->block_reason)
			pl->reason = pol_arena_strdup(a, rs->block_reason);
		else if (rs->assigned < 0)
			pl->reason = pol_arena_strdup(a, rs->unassigned_reason ?
						      rs->unassigned_reason : "no node fits");
		else if (rs->change == POL_CHANGE_MOVE || rs->change == POL_CHANGE_MIGRATE)
			pl->reason = pol_arena_printf(a, "%s cannot stay on %s",
						      rs->id, c->nodes[rs->active[0]].name);
		else if (rs->change == POL_CHANGE_RECOVER)
			pl->reason = "failed";
	}

	tr->nodes = pol_arena_alloc(a, (c->n_nodes + 1) * sizeof(*tr->nodes));
	if (!tr->nodes)
		goto nomem;
	tr->n_nodes = c->n_nodes;
	for (size_t n = 0; n < c->n_nodes; n++) {
		const struct pol_nd *nd = &c->nodes[n];
		struct pol_node *out = &tr->nodes[n];

		out->name = nname[n];
		out->id = pol_arena_strdup(a, nd->id);
		out->online = nd->online && !nd->unclean;
		out->fenced = nd->fence;
		if (nd->unclean) {
			out->state = POL_NODE_UNCLEAN;
			out->unclean_reason = pol_arena_strdup(a, nd->unclean_reason ?
							       nd->unclean_reason : "node is unclean");
		} else if (!nd->online) {
			out->state = POL_NODE_OFFLINE;
		} else if (nd->pending) {
			out->state = POL_NODE_PENDING;
		} else if (nd->maintenance) {
			out->state = POL_NODE_MAINTENANCE;
		} else if (nd->standby) {
			out->state = POL_NODE_STANDBY;
		} else {
			out->state = POL_NODE_ONLINE;
		}
	}

	tr->warnings = pol_arena_alloc(a, (c->n_warnings + 1) * sizeof(*tr->warnings));
	if (!tr->warnings)
		goto nomem;
	for (size_t i = 0; i < c->n_warnings; i++)
		tr->warnings[i] = c->warnings[i];       /* already in the arena */
	tr->n_warnings = c->n_warnings;
	tr->have_quorum = c->have_quorum;

	if (opt && opt->want_scores) {
		tr->scores = pol_arena_alloc(a, (c->n_cfg_rscs * c->n_nodes + 1) * sizeof(int));
		if (!tr->scores)
			goto nomem;
		memcpy(tr->scores, c->score, c->n_cfg_rscs * c->n_nodes * sizeof(int));
	}
	free(order);
	tr->arena_ = a;
	c->arena = NULL;        /* the transition owns it now */
	*ret_tr = tr;
	return 0;
nomem:
	free(order);
	return -ENOMEM;
}
