/*
 * pol_assign.c - deciding where every resource runs.
 *
 *   apply_locations  node health, rsc_location (plain and rules), stickiness
 *                    on the current node, migration-threshold bans
 *   assign_all       resources one by one in a fixed order (priority first;
 *                    with a placement strategy, also by their scores), each
 *                    on its best node: highest score, then by the placement
 *                    strategy, then fewest resources, then its current node,
 *                    then the node name
 *
 * Scores live in one int matrix (resource x node).  Colocation first assigns
 * the primary, then adjusts the dependent's row; a primary also takes its
 * dependents' preferences into account (scaled by score/INFINITY) so a group
 * of colocated resources lands where all of them may run.  Capacity is
 * checked against what has been assigned so far in this run, which is what
 * makes higher-priority resources win when capacity is short.
 *
 * Cost: O(R x N) for the scores plus O(R x N x D) for the capacity checks
 * (D utilization dimensions); colocation adds O(N) per constraint edge.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pol_int.h"

/* A node missing from an asymmetric cluster's allowed set.  It sorts like
 * -INFINITY but a location constraint replaces it instead of adding to it. */
#define POL_ABSENT INT_MIN

static int eff(int s)
{
	return s == POL_ABSENT ? -POL_INF : s;
}

static void add_location(int *row, int n, int score)
{
	if (row[n] == POL_ABSENT)
		row[n] = score;
	else
		row[n] = pol_score_add(row[n], score);
}

int pol_apply_locations(struct pol_ctx *c)
{
	const struct vg_cib *cib = c->cib;

	/* node health acts as a location score on every resource */
	for (size_t n = 0; n < c->n_nodes; n++) {
		if (!c->nodes[n].health)
			continue;
		for (size_t r = 0; r < c->n_rscs; r++)
			add_location(pol_score_row(c, (int)r), (int)n, c->nodes[n].health);
	}

	for (size_t i = 0; i < cib->n_locations; i++) {
		const struct vg_location *loc = &cib->locations[i];
		int r = pol_map_get(&c->rsc_by_id, loc->rsc);

		if (r < 0) {
			vg_diags_add(c->diags, VG_DIAG_WARNING, loc->line, loc->id,
				     "location refers to unknown resource '%s'; ignored",
				     loc->rsc ? loc->rsc : "");
			continue;
		}
		if (loc->role && !pol_streq_i(loc->role, "Started"))
			continue;
		int *row = pol_score_row(c, r);

		if (loc->node) {
			int n = pol_map_get(&c->node_by_name, loc->node);

			if (n < 0)
				continue;       /* a node not (yet) in the cluster */
			add_location(row, n, loc->has_score ? loc->score : 0);
			continue;
		}
		for (size_t k = 0; k < loc->n_rules; k++) {
			const struct vg_rule *rule = &loc->rules[k];

			if (rule->role && !pol_streq_i(rule->role, "Started"))
				continue;
			for (size_t n = 0; n < c->n_nodes; n++) {
				int score;

				if (pol_rule_eval(c, rule, (int)n, &score))
					add_location(row, (int)n, score);
			}
		}
	}

	/* what is out of the question so far is so by location (or by the
	 * cluster being asymmetric, or by node health) */
	for (size_t r = 0; r < c->n_rscs; r++) {
		const int *row = pol_score_row(c, (int)r);

		for (size_t n = 0; n < c->n_nodes; n++) {
			if (row[n] == POL_ABSENT)
				pol_note_ban(c, (int)r, (int)n, POL_WHY_ABSENT);
			else if (row[n] <= -POL_INF)
				pol_note_ban(c, (int)r, (int)n, c->nodes[n].health <= -POL_INF ?
					     POL_WHY_HEALTH : POL_WHY_LOCATION);
		}
	}

	for (size_t r = 0; r < c->n_rscs; r++) {
		struct pol_rs *rs = &c->rscs[r];
		int *row = pol_score_row(c, (int)r);

		/* stickiness: only a managed resource active on exactly one node,
		 * and in an asymmetric cluster only where it is still allowed */
		if (rs->managed && rs->stickiness > 0 && rs->n_active == 1 &&
		    row[rs->active[0]] != POL_ABSENT)
			row[rs->active[0]] = pol_score_add(row[rs->active[0]], rs->stickiness);

		/* migration-threshold: enough failures ban the node */
		if (rs->migration_threshold > 0 && !rs->failure_ignored) {
			for (size_t k = 0; k < rs->n_hist; k++) {
				struct pol_hist *h = &rs->hist[k];

				if (h->fail_count > 0 && h->fail_count >= rs->migration_threshold) {
					add_location(row, h->node, -POL_INF);
					pol_note_ban(c, (int)r, h->node, POL_WHY_FAILURE);
				}
			}
		}
	}
	return 0;
}

/* ---- capacity ---- */

static bool node_fits(const struct pol_ctx *c, const struct pol_nd *nd, const long long *need)
{
	for (size_t d = 0; d < c->n_dims; d++)
		if (need[d] > 0 && need[d] > nd->cap[d] - nd->used[d])
			return false;
	return true;
}

/* Pacemaker's balanced comparison: in how many dimensions a has more room
 * than b, minus the other way round.  <0: a is roomier. */
static int compare_capacity(const struct pol_ctx *c, const struct pol_nd *a,
			    const struct pol_nd *b)
{
	int result = 0;

	for (size_t d = 0; d < c->n_dims; d++) {
		long long ra = a->cap[d] - a->used[d], rb = b->cap[d] - b->used[d];

		if (ra > rb)
			result--;
		else if (ra < rb)
			result++;
	}
	return result;
}

/* Vigil's balanced measure: the load of the most loaded dimension of @nd once
 * @need is placed there, in parts per million of its capacity, and the sum
 * over dimensions.  Integer arithmetic keeps it exact and portable. */
static void balanced_load(const struct pol_ctx *c, const struct pol_nd *nd, const long long *need,
			  long long *ret_max, long long *ret_sum)
{
	long long mx = 0, sum = 0;

	for (size_t d = 0; d < c->n_dims; d++) {
		long long load = nd->used[d] + (need ? need[d] : 0);
		long long ppm;

		if (nd->cap[d] <= 0) {
			if (load <= 0)
				continue;
			ppm = 1000000000LL;     /* asked for what is not there */
		} else {
			ppm = (load * 1000000LL) / nd->cap[d];
		}
		if (ppm > mx)
			mx = ppm;
		sum += ppm;
	}
	*ret_max = mx;
	*ret_sum = sum;
}

/* ---- choosing a node ---- */

struct choose {
	struct pol_ctx *c;
	const int *row;
	const long long *bmax, *bsum;   /* balanced: each node's load once placed */
	int prefer;
};

static int avail_score(const struct pol_ctx *c, const int *row, int n)
{
	return pol_node_usable(&c->nodes[n]) ? eff(row[n]) : -POL_INF;
}


/* <0: node a is the better choice. */
static int compare_nodes(const struct choose *ch, int a, int b)
{
	struct pol_ctx *c = ch->c;
	const struct pol_nd *na = &c->nodes[a], *nb = &c->nodes[b];
	int sa = avail_score(c, ch->row, a), sb = avail_score(c, ch->row, b);

	if (sa != sb)
		return sa > sb ? -1 : 1;
	if (c->strategy == POL_PLACE_MINIMAL)
		goto by_name;
	if (ch->bmax) {
		if (ch->bmax[a] != ch->bmax[b])
			return ch->bmax[a] < ch->bmax[b] ? -1 : 1;
		if (ch->bsum[a] != ch->bsum[b])
			return ch->bsum[a] < ch->bsum[b] ? -1 : 1;
	}
	if (na->n_assigned != nb->n_assigned)
		return na->n_assigned < nb->n_assigned ? -1 : 1;
	if (ch->prefer >= 0) {
		if (a == ch->prefer)
			return -1;
		if (b == ch->prefer)
			return 1;
	}
by_name:
	/* the names' sort order, computed once (strcmp) */
	return na->name_rank < nb->name_rank ? -1 : (na->name_rank > nb->name_rank);
}

static bool any_available(const struct pol_ctx *c, const int *row)
{
	for (size_t n = 0; n < c->n_nodes; n++)
		if (pol_node_usable(&c->nodes[n]) && eff(row[n]) >= 0)
			return true;
	return false;
}

/* ---- colocation ---- */

static bool same_attr(struct pol_ctx *c, const char *attr, int a, int b)
{
	if (!attr || !strcmp(attr, "#uname"))
		return a == b;
	const char *va = pol_node_attr(c, a, attr), *vb = pol_node_attr(c, b, attr);

	return va && vb && pol_streq_i(va, vb);
}

/* The dependent's row once its primary has a node. */
static int apply_colocation(struct pol_ctx *c, const struct pol_coloc *k, int *tmp)
{
	struct pol_rs *dep = &c->rscs[k->dep];
	struct pol_rs *pri = &c->rscs[k->pri];
	int *row = pol_score_row(c, k->dep);

	if (pri->provisional)
		return 0;       /* a colocation loop: the primary is not decided yet */
	if (pri->assigned < 0 && k->score < 0)
		return 0;       /* apart from something that is not running: nothing to do */
	memcpy(tmp, row, c->n_nodes * sizeof(*tmp));
	for (size_t n = 0; n < c->n_nodes; n++) {
		if (tmp[n] == POL_ABSENT)
			continue;
		if (pri->assigned < 0) {
			tmp[n] = -POL_INF;
		} else if (same_attr(c, k->node_attribute, (int)n, pri->assigned)) {
			/* a mandatory colocation is a requirement, not a preference */
			if (k->score < POL_INF)
				tmp[n] = pol_score_add(k->score, tmp[n]);
		} else if (k->score >= POL_INF) {
			tmp[n] = -POL_INF;
		}
	}
	if (k->score <= -POL_INF || k->score >= POL_INF || any_available(c, tmp)) {
		for (size_t n = 0; n < c->n_nodes; n++)
			if (tmp[n] <= -POL_INF && row[n] > -POL_INF)
				pol_note_ban(c, k->dep, (int)n, POL_WHY_COLOC);
		memcpy(row, tmp, c->n_nodes * sizeof(*tmp));
		if (pri->assigned < 0 && k->score >= POL_INF && !dep->unassigned_reason)
			dep->unassigned_reason = pol_arena_printf(c->arena,
				"must run with %s, which is not running", pri->id);
	}
	return 0;
}

/* Adds resource @d's preferences, scaled by @factor, to @work, following
 * further colocations (towards dependents while assigning a primary; towards
 * primaries for the assignment order); rolls back when nothing would remain
 * available. */
static int merge_scores(struct pol_ctx *c, int d, int *work, const char *attr, float factor,
			bool toward_primaries)
{
	struct pol_rs *dep = &c->rscs[d];
	const int *drow = pol_score_row(c, d);
	int r = 0;

	if (dep->merging)
		return 0;
	dep->merging = true;
	int *tmp = malloc(c->n_nodes * sizeof(*tmp) * 2);

	if (!tmp) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(tmp, work, c->n_nodes * sizeof(*tmp));
	for (size_t n = 0; n < c->n_nodes; n++) {
		if (tmp[n] == POL_ABSENT)
			continue;
		/* the other resource's best score on a usable node like this
		 * one (by default: this very node) */
		int best = -POL_INF;

		if (!attr || !strcmp(attr, "#uname")) {
			if (drow[n] != POL_ABSENT && pol_node_usable(&c->nodes[n]))
				best = drow[n];
		} else {
			for (size_t m = 0; m < c->n_nodes; m++) {
				if (drow[m] == POL_ABSENT || !pol_node_usable(&c->nodes[m]))
					continue;
				if (drow[m] > best && same_attr(c, attr, (int)m, (int)n))
					best = drow[m];
			}
		}
		if (factor < 0 && best < 0)
			continue;       /* a double negative is not a preference */
		float wf = factor * (float)best;
		int w = (int)(wf < 0 ? wf - 0.5f : wf + 0.5f);

		if (w == 0 && best != 0)
			w = factor > 0 ? 1 : -1;
		tmp[n] = pol_score_add(w, tmp[n]);
	}
	if (!any_available(c, tmp))
		goto out;       /* roll back */
	if (toward_primaries) {
		for (size_t i = 0; i < dep->n_this_with && r == 0; i++) {
			const struct pol_coloc *k = &c->colocs[dep->this_with[i]];

			r = merge_scores(c, k->pri, tmp, k->node_attribute,
					 factor * (float)k->score / (float)POL_INF, true);
		}
	} else {
		for (size_t i = 0; i < dep->n_with_this && r == 0; i++) {
			const struct pol_coloc *k = &c->colocs[dep->with_this[i]];

			if (!c->rscs[k->dep].critical && dep->n_active)
				continue;
			r = merge_scores(c, k->dep, tmp, k->node_attribute,
					 factor * (float)k->score / (float)POL_INF, false);
		}
	}
	if (r < 0)
		goto out;
	memcpy(work, tmp, c->n_nodes * sizeof(*tmp));
out:
	free(tmp);
	dep->merging = false;
	return r;
}

/* ---- assignment ---- */

static void consume(struct pol_ctx *c, struct pol_rs *rs, int n)
{
	struct pol_nd *nd = &c->nodes[n];

	nd->n_assigned++;
	for (size_t d = 0; d < c->n_dims; d++)
		nd->used[d] += rs->util[d];
}

/* Sum of the utilization of @rs and the not yet assigned resources tied to it
 * by mandatory colocations, which will have to fit on the same node. */
static void group_need(struct pol_ctx *c, struct pol_rs *rs, long long *need, bool *seen)
{
	if (seen[rs->idx])
		return;
	seen[rs->idx] = true;
	if (rs->provisional)
		for (size_t d = 0; d < c->n_dims; d++)
			need[d] += rs->util[d];
	for (size_t i = 0; i < rs->n_this_with; i++) {
		const struct pol_coloc *k = &c->colocs[rs->this_with[i]];

		if (k->score >= POL_INF)
			group_need(c, &c->rscs[k->pri], need, seen);
	}
	for (size_t i = 0; i < rs->n_with_this; i++) {
		const struct pol_coloc *k = &c->colocs[rs->with_this[i]];

		if (k->score >= POL_INF)
			group_need(c, &c->rscs[k->dep], need, seen);
	}
}

/* Bans nodes without room (for the whole colocated group if some node has
 * room for it, else for this resource alone).  Returns the roomiest node
 * when nothing fits the group, as a preference, else -1. */
static int ban_insufficient_capacity(struct pol_ctx *c, struct pol_rs *rs, long long *need)
{
	int *row = pol_score_row(c, rs->idx);
	bool any = false;
	int roomiest = -1;
	bool *seen;

	memset(need, 0, c->n_dims * sizeof(*need));
	if (c->strategy == POL_PLACE_DEFAULT || !c->n_dims)
		return -1;
	if (rs->n_this_with || rs->n_with_this) {
		seen = calloc(c->n_rscs, sizeof(*seen));
		if (!seen)
			return -1;
		group_need(c, rs, need, seen);
		free(seen);
	} else {
		memcpy(need, rs->util, c->n_dims * sizeof(*need));
	}
	for (size_t n = 0; n < c->n_nodes; n++) {
		if (!pol_node_usable(&c->nodes[n]) || eff(row[n]) < 0)
			continue;
		if (node_fits(c, &c->nodes[n], need))
			any = true;
		if (roomiest < 0 || compare_capacity(c, &c->nodes[n], &c->nodes[roomiest]) < 0)
			roomiest = (int)n;
	}
	const long long *check = any ? need : rs->util;

	for (size_t n = 0; n < c->n_nodes; n++) {
		if (!pol_node_usable(&c->nodes[n]) || eff(row[n]) < 0)
			continue;
		if (!node_fits(c, &c->nodes[n], check)) {
			add_location(row, (int)n, -POL_INF);
			pol_note_ban(c, rs->idx, (int)n, POL_WHY_CAPACITY);
			rs->capacity_limited = true;
		}
	}
	if (!any)
		memcpy(need, rs->util, c->n_dims * sizeof(*need));
	return any ? -1 : roomiest;
}

static int choose_node(struct pol_ctx *c, struct pol_rs *rs)
{
	int *row = pol_score_row(c, rs->idx);
	long long need_small[8];
	long long *need = c->n_dims <= 8 ? need_small : malloc(c->n_dims * sizeof(*need));

	if (!need)
		return -ENOMEM;
	int prefer = ban_insufficient_capacity(c, rs, need);
	/* ties go to the node it runs on (after fewest resources) */
	struct choose ch = { .c = c, .row = row, .prefer = rs->n_active ? rs->active[0] : -1 };
	int best = -1;

	if (c->strategy == POL_PLACE_BALANCED && c->n_dims) {
		for (size_t n = 0; n < c->n_nodes; n++)
			if (pol_node_usable(&c->nodes[n]) && eff(row[n]) > -POL_INF)
				balanced_load(c, &c->nodes[n], need, &c->bmax[n], &c->bsum[n]);
		ch.bmax = c->bmax;
		ch.bsum = c->bsum;
	}

	for (size_t n = 0; n < c->n_nodes; n++)
		if (best < 0 || compare_nodes(&ch, (int)n, best) < 0)
			best = (int)n;

	int chosen = -1;

	if (prefer >= 0 && best >= 0) {
		if (eff(row[prefer]) >= eff(row[best]) && pol_node_usable(&c->nodes[prefer]) &&
		    eff(row[prefer]) >= 0)
			chosen = prefer;
	}
	if (chosen < 0 && best >= 0) {
		chosen = best;
		/* stay where it runs when that is just as good (never for a
		 * score of 0: without stickiness resources spread out) */
		if (eff(row[chosen]) > 0 && pol_node_usable(&c->nodes[chosen]) && rs->n_active) {
			int cur = rs->active[0];

			if (pol_node_usable(&c->nodes[cur]) && eff(row[cur]) >= 0 &&
			    eff(row[cur]) == eff(row[chosen]))
				chosen = cur;
		}
	}
	if (chosen >= 0 && (eff(row[chosen]) < 0 || !pol_node_usable(&c->nodes[chosen])))
		chosen = -1;
	if (need != need_small)
		free(need);
	return chosen;
}

/* ---- why a resource ends up nowhere ---- */

struct text {
	char buf[768];
	size_t len;
};

static void __attribute__((format(printf, 2, 3))) text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= sizeof(t->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < sizeof(t->buf) - t->len ? (size_t)n : sizeof(t->buf) - t->len - 1;
}

static const char *node_unusable_why(const struct pol_ctx *c, const struct pol_nd *nd)
{
	if (nd->unclean)
		return pol_can_fence(c, nd) ? "is being fenced" : "is unclean and cannot be fenced";
	if (!nd->online)
		return "is offline";
	if (nd->pending)
		return "is joining";
	if (nd->shutdown)
		return "is shutting down";
	if (nd->maintenance)
		return "is in maintenance";
	if (nd->standby)
		return "is in standby";
	return "cannot run resources";
}

static const char *ban_text(enum pol_why w)
{
	switch (w) {
	case POL_WHY_FAILURE: return "failed there";
	case POL_WHY_COLOC: return "excluded by a colocation";
	case POL_WHY_CAPACITY: return "lacks capacity";
	case POL_WHY_ABSENT: return "not allowed by any location";
	case POL_WHY_HEALTH: return "unhealthy";
	case POL_WHY_LOCATION: return "banned by a location";
	default: return "has a negative score";
	}
}

static void capacity_text(struct pol_ctx *c, struct pol_rs *rs, struct text *t)
{
	const int *row = pol_score_row(c, rs->idx);
	const unsigned char *why = c->why + (size_t)rs->idx * c->n_nodes;
	bool first = true;

	text_add(t, "over capacity: needs");
	for (size_t d = 0; d < c->n_dims; d++) {
		long long most = -1;

		if (rs->util[d] <= 0)
			continue;
		for (size_t n = 0; n < c->n_nodes; n++) {
			const struct pol_nd *nd = &c->nodes[n];

			if (!pol_node_usable(nd) || (eff(row[n]) < 0 && why[n] != POL_WHY_CAPACITY))
				continue;
			if (nd->cap[d] - nd->used[d] > most)
				most = nd->cap[d] - nd->used[d];
		}
		if (most >= rs->util[d])
			continue;
		text_add(t, "%s %s %lld, at most %lld free on any node", first ? "" : ";",
			 c->dims[d], rs->util[d], most < 0 ? 0 : most);
		first = false;
	}
	if (first)
		text_add(t, " more than any node has free");
}

static void coloc_text(struct pol_ctx *c, struct pol_rs *rs, struct text *t)
{
	bool first = true;

	for (size_t i = 0; i < rs->n_this_with; i++) {
		const struct pol_coloc *k = &c->colocs[rs->this_with[i]];
		const struct pol_rs *pri = &c->rscs[k->pri];

		if (k->score > -POL_INF || pri->assigned < 0)
			continue;
		text_add(t, "%s%s (%s)", first ? "must not run with " : " or ", pri->id,
			 c->nodes[pri->assigned].name);
		first = false;
	}
	for (size_t i = 0; i < rs->n_this_with; i++) {
		const struct pol_coloc *k = &c->colocs[rs->this_with[i]];
		const struct pol_rs *pri = &c->rscs[k->pri];

		if (k->score < POL_INF || pri->assigned < 0)
			continue;
		text_add(t, "%smust run with %s, on %s, where it may not run", first ? "" : "; ",
			 pri->id, c->nodes[pri->assigned].name);
		first = false;
	}
	if (first)
		text_add(t, "excluded everywhere by colocations");
}

/* A reason for people: what keeps every node out.  One cause for all nodes
 * says that cause precisely; a mix names each node's. */
static const char *why_nowhere(struct pol_ctx *c, struct pol_rs *rs)
{
	const int *row = pol_score_row(c, rs->idx);
	const unsigned char *why = c->why + (size_t)rs->idx * c->n_nodes;
	struct text t = { .len = 0 };
	size_t n_usable = 0, n_same = 0;
	enum pol_why common = POL_WHY_NONE;
	bool mixed = false;

	if (rs->unassigned_reason)
		return rs->unassigned_reason;
	for (size_t n = 0; n < c->n_nodes; n++) {
		if (!pol_node_usable(&c->nodes[n]))
			continue;
		enum pol_why w = eff(row[n]) >= 0 ? POL_WHY_NONE : (enum pol_why)why[n];

		if (!n_usable++)
			common = w;
		else if (w != common)
			mixed = true;
		n_same += w == common;
	}
	if (!n_usable) {
		/* say which nodes it could have used, and what they are up to */
		size_t shown = 0;

		for (size_t n = 0; n < c->n_nodes; n++) {
			const struct pol_nd *nd = &c->nodes[n];

			if (eff(row[n]) < 0 && why[n] != POL_WHY_NONE)
				continue;
			text_add(&t, "%s%s %s", shown++ ? ", " : "", nd->name, node_unusable_why(c, nd));
		}
		if (!shown)
			return "no node can run resources";
		if (shown == 1)
			return pol_arena_printf(c->arena, "its only allowed node %s", t.buf);
		return pol_arena_printf(c->arena, "no node can run it: %s", t.buf);
	}
	/* nodes it could use but that are down (say, being fenced) explain
	 * more than the bans on the others */
	if (!mixed && (common == POL_WHY_LOCATION || common == POL_WHY_ABSENT)) {
		size_t shown = 0;

		for (size_t n = 0; n < c->n_nodes; n++) {
			const struct pol_nd *nd = &c->nodes[n];

			if (pol_node_usable(nd) || eff(row[n]) < 0)
				continue;
			text_add(&t, "%s%s %s", shown++ ? ", " : "", nd->name, node_unusable_why(c, nd));
		}
		if (shown == 1)
			return pol_arena_printf(c->arena, "its only allowed node %s", t.buf);
		if (shown)
			return pol_arena_printf(c->arena, "the nodes it may run on cannot: %s", t.buf);
	}
	if (!mixed) {
		switch (common) {
		case POL_WHY_FAILURE: {
			size_t shown = 0;

			text_add(&t, "failed on");
			for (size_t n = 0; n < c->n_nodes; n++)
				if (pol_node_usable(&c->nodes[n]))
					text_add(&t, "%s %s", shown++ ? "," : "", c->nodes[n].name);
			text_add(&t, " (clean up its failures to allow it again)");
			return pol_arena_strdup(c->arena, t.buf);
		}
		case POL_WHY_CAPACITY:
			capacity_text(c, rs, &t);
			return pol_arena_strdup(c->arena, t.buf);
		case POL_WHY_COLOC:
			coloc_text(c, rs, &t);
			return pol_arena_strdup(c->arena, t.buf);
		case POL_WHY_ABSENT:
			return "no location allows any node (symmetric-cluster=false)";
		case POL_WHY_HEALTH:
			return "node health rules out every node";
		case POL_WHY_LOCATION:
			return "banned everywhere";
		default:
			return "no node fits: every node scores below 0";
		}
	}
	text_add(&t, "no node fits:");
	for (size_t n = 0, shown = 0; n < c->n_nodes; n++) {
		const struct pol_nd *nd = &c->nodes[n];

		if (!pol_node_usable(nd))
			text_add(&t, "%s %s %s", shown++ ? "," : "", nd->name, node_unusable_why(c, nd));
		else
			text_add(&t, "%s %s %s", shown++ ? "," : "", nd->name,
				 ban_text(eff(row[n]) >= 0 ? POL_WHY_NONE : (enum pol_why)why[n]));
	}
	return pol_arena_strdup(c->arena, t.buf);
}

static int assign(struct pol_ctx *c, struct pol_rs *rs);

static int assign(struct pol_ctx *c, struct pol_rs *rs)
{
	int *row = pol_score_row(c, rs->idx);
	int r = 0;

	if (!rs->provisional || rs->assigning)
		return 0;       /* done, or a colocation loop: break it here */
	rs->assigning = true;

	int *tmp = NULL;

	if (rs->n_this_with) {
		tmp = malloc(c->n_nodes * sizeof(*tmp) + 1);
		if (!tmp)
			return -ENOMEM;
	}
	for (size_t i = 0; i < rs->n_this_with; i++) {
		const struct pol_coloc *k = &c->colocs[rs->this_with[i]];

		r = assign(c, &c->rscs[k->pri]);
		if (r < 0)
			goto out;
		r = apply_colocation(c, k, tmp);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < rs->n_with_this; i++) {
		const struct pol_coloc *k = &c->colocs[rs->with_this[i]];

		if (!c->rscs[k->dep].critical && rs->n_active)
			continue;
		r = merge_scores(c, k->dep, row, k->node_attribute,
				 (float)k->score / (float)POL_INF, false);
		if (r < 0)
			goto out;
	}

	if (rs->orphan)
		rs->stop_reason = "no longer in the configuration";
	if (rs->target_stopped || rs->fatal || rs->stop_reason) {
		for (size_t n = 0; n < c->n_nodes; n++)
			row[n] = -POL_INF;
		rs->unassigned_reason = rs->target_stopped ? "target-role=Stopped" :
			rs->fatal ? "not configured correctly (the agent says so): banned everywhere" :
			rs->stop_reason;
	}

	int chosen;

	if (!rs->managed || rs->blocked) {
		/* left alone where it is (blocked: until an admin steps in) */
		chosen = rs->n_active ? rs->active[0] : -1;
		if (chosen < 0)
			rs->unassigned_reason = rs->maintenance || c->maintenance_mode ?
				"in maintenance" : "unmanaged";
	} else if (c->stop_all) {
		chosen = -1;
		rs->unassigned_reason = "stop-all-resources is set";
	} else {
		chosen = choose_node(c, rs);
		if (chosen < 0 && !rs->unassigned_reason)
			rs->unassigned_reason = why_nowhere(c, rs);
	}
	rs->assigned = chosen;
	rs->provisional = false;
	if (chosen >= 0)
		consume(c, rs, chosen);
out:
	free(tmp);
	rs->assigning = false;
	return r;
}

/* ---- assignment order ---- */

struct order_key {
	struct pol_ctx *c;
	const int *node_order;
	int **rows;             /* per resource: its row merged with its primaries', or NULL */
};

static int cmp_priority(const void *a, const void *b, void *arg)
{
	struct order_key *k = arg;
	const struct pol_rs *x = &k->c->rscs[*(const int *)a], *y = &k->c->rscs[*(const int *)b];

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (k->node_order) {
		/* with a placement strategy: the higher score on the current
		 * node first, then the higher score on any node, counting the
		 * preferences of what each must run with */
		const int *rx = k->rows[x->idx] ? k->rows[x->idx] : pol_score_row(k->c, x->idx);
		const int *ry = k->rows[y->idx] ? k->rows[y->idx] : pol_score_row(k->c, y->idx);
		int sx = x->n_active ? eff(rx[x->active[0]]) : -POL_INF;
		int sy = y->n_active ? eff(ry[y->active[0]]) : -POL_INF;

		if (sx != sy)
			return sx > sy ? -1 : 1;
		for (size_t i = 0; i < k->c->n_nodes; i++) {
			int n = k->node_order[i];

			if (eff(rx[n]) != eff(ry[n]))
				return eff(rx[n]) > eff(ry[n]) ? -1 : 1;
		}
	}
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* qsort_r is a GNU extension with a stable enough contract; the index
 * tie-break above makes the result independent of the sort's stability. */
static void sort_ints(int *v, size_t n, struct order_key *k)
{
	qsort_r(v, n, sizeof(*v), cmp_priority, k);
}

static int cmp_nodes_for_order(const void *a, const void *b, void *arg)
{
	struct pol_ctx *c = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int sx = pol_node_usable(&c->nodes[x]) ? 0 : -POL_INF;
	int sy = pol_node_usable(&c->nodes[y]) ? 0 : -POL_INF;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	if (c->strategy == POL_PLACE_BALANCED && c->n_dims) {
		int cc = compare_capacity(c, &c->nodes[x], &c->nodes[y]);

		if (cc)
			return cc;
	}
	return strcmp(c->nodes[x].name, c->nodes[y].name);
}

int pol_assign_all(struct pol_ctx *c)
{
	int *order = malloc((c->n_rscs + 1) * sizeof(*order));
	int *node_order = NULL;
	int r = 0;

	c->bmax = calloc(c->n_nodes + 1, sizeof(*c->bmax));
	c->bsum = calloc(c->n_nodes + 1, sizeof(*c->bsum));
	if (!c->bmax || !c->bsum) {
		free(order);
		return -ENOMEM;
	}

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_rscs; i++)
		order[i] = (int)i;
	struct order_key key = { .c = c, .node_order = NULL };

	if (c->strategy != POL_PLACE_DEFAULT) {
		node_order = malloc((c->n_nodes + 1) * sizeof(*node_order));
		if (!node_order) {
			free(order);
			return -ENOMEM;
		}
		for (size_t i = 0; i < c->n_nodes; i++)
			node_order[i] = (int)i;
		qsort_r(node_order, c->n_nodes, sizeof(*node_order), cmp_nodes_for_order, c);
		key.node_order = node_order;
		key.rows = calloc(c->n_rscs + 1, sizeof(*key.rows));
		if (!key.rows) {
			r = -ENOMEM;
			goto sorted;
		}
		for (size_t i = 0; i < c->n_rscs && r == 0; i++) {
			struct pol_rs *rs = &c->rscs[i];

			if (!rs->n_this_with)
				continue;
			key.rows[i] = malloc(c->n_nodes * sizeof(int) + 1);
			if (!key.rows[i]) {
				r = -ENOMEM;
				break;
			}
			memcpy(key.rows[i], pol_score_row(c, (int)i), c->n_nodes * sizeof(int));
			rs->merging = true;
			for (size_t j = 0; j < rs->n_this_with && r == 0; j++) {
				const struct pol_coloc *k = &c->colocs[rs->this_with[j]];

				r = merge_scores(c, k->pri, key.rows[i], k->node_attribute,
						 (float)k->score / (float)POL_INF, true);
			}
			rs->merging = false;
		}
	}
	if (r == 0)
		sort_ints(order, c->n_rscs, &key);
sorted:
	if (key.rows)
		for (size_t i = 0; i < c->n_rscs; i++)
			free(key.rows[i]);
	free(key.rows);
	if (r < 0) {
		free(node_order);
		c->order = order;
		return r;
	}
	c->order = order;

	for (size_t i = 0; i < c->n_rscs; i++) {
		r = assign(c, &c->rscs[order[i]]);
		if (r < 0)
			break;
	}
	free(node_order);
	/* ABSENT is an internal marker: report it as -INFINITY */
	for (size_t i = 0; i < c->n_rscs * c->n_nodes; i++)
		if (c->score[i] == POL_ABSENT)
			c->score[i] = -POL_INF;
	return r;
}

void pol_scores_init(struct pol_ctx *c);

void pol_scores_init(struct pol_ctx *c)
{
	int init = c->symmetric ? 0 : POL_ABSENT;

	for (size_t i = 0; i < c->n_rscs * c->n_nodes; i++)
		c->score[i] = init;
}
