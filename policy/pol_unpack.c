/*
 * pol_unpack.c - the first steps of the pipeline: turn the document into the
 * engine's model.
 *
 *   unpack_properties   cluster options and their defaults
 *   unpack_nodes        configured nodes, their attributes and capacities
 *   unpack_resources    primitives with their meta attributes (rsc_defaults
 *                       fill the gaps) and utilization
 *   unpack_constraints  colocations and orders resolved to indices (locations
 *                       are applied later, pol_assign.c)
 *   unpack_status       node states (online/offline/unclean/standby/...), then
 *                       each resource's operation history per node: where it
 *                       runs, where it failed, fail counts, migrations
 *
 * The rules follow Pacemaker 2.1.5, so that its regression cases decide the
 * same; doc/policy.md lists them with the reasons.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pol_int.h"

#define RC_OK 0
#define RC_ERROR 1
#define RC_INVALID_PARAM 2
#define RC_UNIMPLEMENTED 3
#define RC_INSUFFICIENT_PRIV 4
#define RC_NOT_INSTALLED 5
#define RC_NOT_CONFIGURED 6
#define RC_NOT_RUNNING 7
#define RC_PROMOTED 8
#define RC_FAILED_PROMOTED 9
#define RC_DEGRADED 190
#define RC_DEGRADED_PROMOTED 191

#define EXEC_PENDING (-1)
#define EXEC_DONE 0
#define EXEC_CANCELLED 1
#define EXEC_TIMEOUT 2
#define EXEC_NOT_SUPPORTED 3
#define EXEC_ERROR 4
#define EXEC_ERROR_HARD 5
#define EXEC_ERROR_FATAL 6
#define EXEC_NOT_INSTALLED 7

int pol_warn(struct pol_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < c->n_warnings; i++)
		if (!strcmp(c->warnings[i], buf))
			return 0;
	if (c->n_warnings == c->cap_warnings) {
		size_t cap = c->cap_warnings ? c->cap_warnings * 2 : 8;
		const char **v = realloc(c->warnings, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->warnings = v;
		c->cap_warnings = cap;
	}
	const char *s = pol_arena_strdup(c->arena, buf);

	if (!s)
		return -ENOMEM;
	c->warnings[c->n_warnings++] = s;
	return 0;
}

static const char *prop(const struct pol_ctx *c, const char *name)
{
	return pol_nvsets_get(&c->cib->crm_config, name);
}

static int prop_score(const struct pol_ctx *c, const char *name, int dflt)
{
	int v;

	if (pol_score_parse(prop(c, name), &v) < 0)
		return dflt;
	return v;
}

int pol_unpack_properties(struct pol_ctx *c)
{
	const char *v;

	c->stonith_enabled = pol_bool(prop(c, "stonith-enabled"), true);
	c->symmetric = pol_bool(prop(c, "symmetric-cluster"), true);
	c->maintenance_mode = pol_bool(prop(c, "maintenance-mode"), false);
	c->stop_all = pol_bool(prop(c, "stop-all-resources"), false);
	c->start_failure_fatal = pol_bool(prop(c, "start-failure-is-fatal"), true);
	c->startup_fencing = pol_bool(prop(c, "startup-fencing"), true);
	c->have_quorum = pol_bool(c->cib->have_quorum, false);

	v = prop(c, "no-quorum-policy");
	c->nqp = POL_NQP_STOP;
	if (pol_streq_i(v, "freeze"))
		c->nqp = POL_NQP_FREEZE;
	else if (pol_streq_i(v, "ignore"))
		c->nqp = POL_NQP_IGNORE;
	else if (pol_streq_i(v, "suicide"))
		c->nqp = POL_NQP_SUICIDE;
	else if (pol_streq_i(v, "demote"))
		c->nqp = POL_NQP_DEMOTE;
	/* suicide without fencing cannot be honoured: Pacemaker falls back to stop */
	if (c->nqp == POL_NQP_SUICIDE && !c->stonith_enabled)
		c->nqp = POL_NQP_STOP;

	v = prop(c, "placement-strategy");
	c->strategy = POL_PLACE_DEFAULT;
	if (pol_streq_i(v, "utilization"))
		c->strategy = POL_PLACE_UTILIZATION;
	else if (pol_streq_i(v, "minimal"))
		c->strategy = POL_PLACE_MINIMAL;
	else if (pol_streq_i(v, "balanced"))
		c->strategy = POL_PLACE_BALANCED;

	v = prop(c, "node-health-strategy");
	c->health_strategy = 0;
	c->health_red = c->health_yellow = c->health_green = 0;
	if (pol_streq_i(v, "migrate-on-red")) {
		c->health_strategy = 1;
		c->health_red = -POL_INF;
	} else if (pol_streq_i(v, "only-green")) {
		c->health_strategy = 2;
		c->health_red = -POL_INF;
		c->health_yellow = -POL_INF;
	} else if (pol_streq_i(v, "progressive") || pol_streq_i(v, "custom")) {
		c->health_strategy = pol_streq_i(v, "progressive") ? 3 : 4;
		c->health_red = prop_score(c, "node-health-red", 0);
		c->health_yellow = prop_score(c, "node-health-yellow", 0);
		c->health_green = prop_score(c, "node-health-green", 0);
		c->health_base = prop_score(c, "node-health-base", 0);
	}

	if (!c->stonith_enabled)
		pol_warn(c, "fencing is disabled (stonith-enabled=false): nodes that fail are "
			    "recovered without fencing, data integrity is not guaranteed");
	return 0;
}

/* ---- nodes ---- */

const char *pol_node_attr(struct pol_ctx *c, int n, const char *name)
{
	const struct pol_nd *nd = &c->nodes[n];
	const char *v;

	if (name[0] == '#') {
		if (!strcmp(name, "#uname"))
			return nd->name;
		if (!strcmp(name, "#id"))
			return nd->id;
		if (!strcmp(name, "#kind"))
			return "cluster";
		if (!strcmp(name, "#is_dc"))
			return (c->cib->dc_uuid && !strcmp(c->cib->dc_uuid, nd->id)) ? "true" : "false";
	}
	/* the status section's transient attributes override the configured ones */
	if (nd->st) {
		v = pol_nvsets_get(&nd->st->transient, name);
		if (v)
			return v;
	}
	return nd->cfg ? pol_nvsets_get(&nd->cfg->attrs, name) : NULL;
}

int pol_unpack_nodes(struct pol_ctx *c)
{
	const struct vg_cib *cib = c->cib;
	int r;

	c->n_nodes = cib->n_nodes;
	c->nodes = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*c->nodes));
	if (!c->nodes)
		return -ENOMEM;
	r = pol_map_init(&c->node_by_name, c->n_nodes * 2);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_nodes; i++) {
		struct pol_nd *nd = &c->nodes[i];

		nd->cfg = &cib->nodes[i];
		nd->id = nd->cfg->id ? nd->cfg->id : nd->cfg->uname;
		nd->name = nd->cfg->uname ? nd->cfg->uname : nd->id;
		if (!nd->name) {
			vg_diags_add(c->diags, VG_DIAG_ERROR, nd->cfg->line, "node",
				     "node without id or uname");
			return -EINVAL;
		}
		r = pol_map_put(&c->node_by_name, nd->name, (int)i);
		if (r == 0 && nd->id)
			r = pol_map_put(&c->node_by_name, nd->id, (int)i);
		if (r < 0)
			return r;
		/* the rank of the name among all names: ties between nodes go
		 * by name, compared as ints in the inner loops */
		nd->name_rank = 0;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(c->nodes[j].name, nd->name) < 0)
				nd->name_rank++;
			else
				c->nodes[j].name_rank++;
		}
		/* Until the status says otherwise a node is offline, and unclean
		 * when startup-fencing wants every unseen node fenced. */
		nd->unseen = true;
		nd->unclean = c->startup_fencing && c->stonith_enabled;
		nd->unclean_reason = NULL;
	}
	return 0;
}

/* ---- resources ---- */

static const char *meta(const struct pol_ctx *c, const struct vg_resource *res, const char *name)
{
	const char *v = pol_nvsets_get(&res->meta, name);

	return v ? v : pol_nvsets_get(&c->cib->rsc_defaults, name);
}

static int dim_index(struct pol_ctx *c, const char *name, bool add)
{
	for (size_t i = 0; i < c->n_dims; i++)
		if (!strcmp(c->dims[i], name))
			return (int)i;
	if (!add)
		return -1;
	const char **v = realloc(c->dims, (c->n_dims + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	c->dims = v;
	c->dims[c->n_dims] = name;
	return (int)c->n_dims++;
}

static long long util_value(const char *s)
{
	long long v;

	if (pol_int_parse(s, &v) < 0)
		return 0;
	return v;
}

/* Resources the history knows but the configuration does not: stop-orphan-
 * resources (default true) stops them wherever they still run. */
static int find_orphans(struct pol_ctx *c, struct pol_map *seen)
{
	const struct vg_cib *cib = c->cib;
	size_t n = 0, cap = 0;
	int r;

	if (!pol_bool(prop(c, "stop-orphan-resources"), true))
		return 0;
	for (size_t i = 0; i < cib->n_node_states; i++) {
		const struct vg_node_state *st = &cib->node_states[i];

		for (size_t l = 0; l < st->n_lrm; l++) {
			const struct vg_lrm_resource *lrm = &st->lrm[l];

			if (!lrm->id || pol_map_get(&c->rsc_by_id, lrm->id) >= 0 ||
			    pol_map_get(seen, lrm->id) >= 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				struct vg_resource *v = realloc(c->orphan_cfgs, cap * sizeof(*v));

				if (!v)
					return -ENOMEM;
				c->orphan_cfgs = v;
			}
			struct vg_resource *res = &c->orphan_cfgs[n];

			memset(res, 0, sizeof(*res));
			res->id = lrm->id;
			res->cls = lrm->cls;
			res->provider = lrm->provider;
			res->type = lrm->type;
			r = pol_map_put(seen, lrm->id, (int)n);
			if (r < 0)
				return r;
			n++;
		}
	}
	return (int)n;
}

int pol_unpack_resources(struct pol_ctx *c)
{
	const struct vg_cib *cib = c->cib;
	struct pol_map seen = { 0 };
	int r;

	c->n_cfg_rscs = cib->n_resources;
	r = pol_map_init(&c->rsc_by_id, c->n_cfg_rscs);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_cfg_rscs; i++) {
		const char *id = cib->resources[i].id;

		if (!id) {
			vg_diags_add(c->diags, VG_DIAG_ERROR, cib->resources[i].line, "primitive",
				     "primitive without id");
			return -EINVAL;
		}
		if (pol_map_get(&c->rsc_by_id, id) >= 0) {
			vg_diags_add(c->diags, VG_DIAG_ERROR, cib->resources[i].line, id,
				     "duplicate resource id '%s'", id);
			return -EINVAL;
		}
		r = pol_map_put(&c->rsc_by_id, id, (int)i);
		if (r < 0)
			return r;
	}
	r = pol_map_init(&seen, 16);
	if (r == 0)
		r = find_orphans(c, &seen);
	pol_map_fini(&seen);
	if (r < 0)
		return r;
	c->n_rscs = c->n_cfg_rscs + (size_t)r;
	for (size_t i = c->n_cfg_rscs; i < c->n_rscs; i++) {
		r = pol_map_put(&c->rsc_by_id, c->orphan_cfgs[i - c->n_cfg_rscs].id, (int)i);
		if (r < 0)
			return r;
	}
	c->rscs = calloc(c->n_rscs ? c->n_rscs : 1, sizeof(*c->rscs));
	if (!c->rscs)
		return -ENOMEM;

	/* utilization dimensions: every name some resource asks for, first
	 * appearance order (a handful, so the linear search is fine) */
	for (size_t i = 0; i < c->n_cfg_rscs; i++) {
		const struct vg_nvsets *u = &cib->resources[i].utilization;

		for (size_t s = 0; s < u->n; s++)
			for (size_t p = 0; p < u->v[s].n_pairs; p++)
				if (u->v[s].pairs[p].name &&
				    dim_index(c, u->v[s].pairs[p].name, true) < 0)
					return -ENOMEM;
	}

	bool stonith_possible = false;
	for (size_t i = 0; i < c->n_cfg_rscs; i++)
		if (cib->resources[i].cls && !strcmp(cib->resources[i].cls, "stonith"))
			stonith_possible = true;
	c->have_stonith_rsc = stonith_possible;

	for (size_t i = 0; i < c->n_rscs; i++) {
		struct pol_rs *rs = &c->rscs[i];
		bool orphan = i >= c->n_cfg_rscs;
		const struct vg_resource *res = orphan ? &c->orphan_cfgs[i - c->n_cfg_rscs] :
					       &cib->resources[i];
		const char *v;
		int score;

		rs->cfg = res;
		rs->id = res->id;
		rs->idx = (int)i;
		rs->orphan = orphan;
		rs->assigned = -1;
		rs->partial_src = rs->partial_tgt = -1;
		rs->mig_tgt_active = rs->dangling = -1;
		rs->provisional = true;

		rs->is_stonith = res->cls && !strcmp(res->cls, "stonith");
		rs->priority = 0;
		if (pol_score_parse(meta(c, res, "priority"), &score) == 0)
			rs->priority = score;
		rs->stickiness = 0;
		if (pol_score_parse(meta(c, res, "resource-stickiness"), &score) == 0)
			rs->stickiness = score;
		rs->migration_threshold = POL_INF;
		if (pol_score_parse(meta(c, res, "migration-threshold"), &score) == 0)
			rs->migration_threshold = score < 0 ? 0 : score;
		rs->failure_timeout_ms = 0;
		v = meta(c, res, "failure-timeout");
		if (v && pol_duration_ms(v, &rs->failure_timeout_ms) < 0)
			rs->failure_timeout_ms = 0;
		rs->managed = pol_bool(meta(c, res, "is-managed"), true);
		rs->maintenance = pol_bool(meta(c, res, "maintenance"), false);
		if (c->maintenance_mode || rs->maintenance)
			rs->managed = false;
		rs->allow_migrate = pol_bool(meta(c, res, "allow-migrate"), false);
		for (size_t o = 0; o < res->n_ops; o++)
			if (pol_streq_i(res->ops[o].on_fail, "block"))
				rs->blocks_on_failure = true;
		rs->critical = pol_bool(meta(c, res, "critical"), true);
		v = meta(c, res, "target-role");
		rs->target_stopped = pol_streq_i(v, "Stopped");
		v = meta(c, res, "multiple-active");
		rs->multiple_active = POL_MULTI_STOP_START;
		if (pol_streq_i(v, "stop_only"))
			rs->multiple_active = POL_MULTI_STOP_ONLY;
		else if (pol_streq_i(v, "block"))
			rs->multiple_active = POL_MULTI_BLOCK;
		else if (pol_streq_i(v, "stop_unexpected"))
			rs->multiple_active = POL_MULTI_STOP_UNEXPECTED;
		/* requires: fence devices need only quorum; everything else waits
		 * for fencing when fencing is on */
		v = meta(c, res, "requires");
		if (pol_streq_i(v, "nothing")) {
			rs->requires_quorum = false;
			rs->requires_fencing = false;
		} else if (pol_streq_i(v, "quorum") || rs->is_stonith || !c->stonith_enabled) {
			rs->requires_quorum = true;
			rs->requires_fencing = false;
		} else {
			rs->requires_quorum = true;
			rs->requires_fencing = true;
		}

		if (c->n_dims) {
			rs->util = calloc(c->n_dims, sizeof(*rs->util));
			if (!rs->util)
				return -ENOMEM;
			for (size_t d = 0; d < c->n_dims; d++) {
				v = pol_nvsets_get(&res->utilization, c->dims[d]);
				rs->util[d] = util_value(v);
				if (rs->util[d] > 0)
					rs->has_util = true;
			}
		}
	}

	for (size_t i = 0; i < c->n_nodes; i++) {
		struct pol_nd *nd = &c->nodes[i];

		if (!c->n_dims)
			continue;
		nd->cap = calloc(c->n_dims, sizeof(*nd->cap));
		nd->used = calloc(c->n_dims, sizeof(*nd->used));
		if (!nd->cap || !nd->used)
			return -ENOMEM;
		for (size_t d = 0; d < c->n_dims; d++)
			nd->cap[d] = util_value(pol_nvsets_get(&nd->cfg->utilization, c->dims[d]));
	}
	return 0;
}

/* ---- constraints ---- */

static bool role_is_started(const char *role)
{
	return !role || pol_streq_i(role, "Started");
}

static int action_kind(const char *a)
{
	if (!a || pol_streq_i(a, "start") || pol_streq_i(a, "promote"))
		return POL_OP_START;
	if (pol_streq_i(a, "stop") || pol_streq_i(a, "demote"))
		return POL_OP_STOP;
	return -1;
}

int pol_unpack_constraints(struct pol_ctx *c)
{
	const struct vg_cib *cib = c->cib;

	c->colocs = calloc(cib->n_colocations ? cib->n_colocations : 1, sizeof(*c->colocs));
	c->ords = calloc(cib->n_orders ? cib->n_orders : 1, sizeof(*c->ords));
	if (!c->colocs || !c->ords)
		return -ENOMEM;

	for (size_t i = 0; i < cib->n_colocations; i++) {
		const struct vg_colocation *co = &cib->colocations[i];
		int dep = pol_map_get(&c->rsc_by_id, co->rsc);
		int pri = pol_map_get(&c->rsc_by_id, co->with_rsc);

		if (dep < 0 || pri < 0) {
			vg_diags_add(c->diags, VG_DIAG_WARNING, co->line, co->id,
				     "colocation refers to an unknown resource; ignored");
			continue;
		}
		if (dep == pri || co->score == 0)
			continue;
		if (!role_is_started(co->rsc_role) || !role_is_started(co->with_rsc_role)) {
			vg_diags_add(c->diags, VG_DIAG_WARNING, co->line, co->id,
				     "colocation with a role other than Started; ignored");
			continue;
		}
		struct pol_coloc *k = &c->colocs[c->n_colocs++];

		k->dep = dep;
		k->pri = pri;
		k->score = co->score;
		k->node_attribute = co->node_attribute;
		k->id = co->id;
		c->rscs[dep].n_this_with++;
		c->rscs[pri].n_with_this++;
	}
	/* per-resource lists of colocation indices, in document order */
	c->coloc_store = calloc(c->n_colocs * 2 + 1, sizeof(int));
	if (!c->coloc_store)
		return -ENOMEM;
	int *p = c->coloc_store;

	for (size_t r = 0; r < c->n_rscs; r++) {
		struct pol_rs *rs = &c->rscs[r];

		rs->this_with = p;
		p += rs->n_this_with;
		rs->with_this = p;
		p += rs->n_with_this;
		rs->n_this_with = rs->n_with_this = 0;
	}
	for (size_t i = 0; i < c->n_colocs; i++) {
		struct pol_rs *dep = &c->rscs[c->colocs[i].dep];
		struct pol_rs *pri = &c->rscs[c->colocs[i].pri];

		dep->this_with[dep->n_this_with++] = (int)i;
		pri->with_this[pri->n_with_this++] = (int)i;
	}

	for (size_t i = 0; i < cib->n_orders; i++) {
		const struct vg_order *o = &cib->orders[i];
		int first = pol_map_get(&c->rsc_by_id, o->first);
		int then = pol_map_get(&c->rsc_by_id, o->then);

		if (first < 0 || then < 0) {
			vg_diags_add(c->diags, VG_DIAG_WARNING, o->line, o->id,
				     "order refers to an unknown resource; ignored");
			continue;
		}
		int fa = action_kind(o->first_action);
		int ta = action_kind(o->then_action ? o->then_action : o->first_action);

		if (fa < 0 || ta < 0 || first == then)
			continue;
		struct pol_ord *k = &c->ords[c->n_ords++];

		k->first = first;
		k->then = then;
		k->first_act = fa;
		k->then_act = ta;
		k->id = o->id;
		switch (o->kind) {
		case VG_ORDER_OPTIONAL:
		case VG_ORDER_SERIALIZE:
			k->mandatory = false;
			break;
		case VG_ORDER_MANDATORY:
			k->mandatory = true;
			break;
		case VG_ORDER_UNSET:
		default:
			k->mandatory = !o->has_score || o->score > 0;
			break;
		}
		k->symmetrical = o->kind != VG_ORDER_SERIALIZE && pol_bool(o->symmetrical, true);
	}
	return 0;
}

/* ---- status: nodes ---- */

bool pol_can_fence(const struct pol_ctx *c, const struct pol_nd *nd)
{
	if (!c->stonith_enabled || !c->have_stonith_rsc)
		return false;
	if (c->have_quorum || c->nqp == POL_NQP_IGNORE)
		return true;
	return nd->online;      /* a member of our partition may be fenced without quorum */
}

static bool attr_true(const char *v)
{
	return pol_bool(v, false);
}

static void fence_node(struct pol_ctx *c, struct pol_nd *nd, const char *reason)
{
	if (nd->unclean && nd->unclean_reason)
		return;         /* the first reason is the one people need */
	nd->unclean = true;
	nd->unclean_reason = reason;
}

static void node_state_fencing(struct pol_ctx *c, struct pol_nd *nd)
{
	const struct vg_node_state *st = nd->st;
	const char *term = pol_node_attr(c, (int)(nd - c->nodes), "terminate");
	bool do_terminate = attr_true(term) || (term && term[0] >= '1' && term[0] <= '9');
	bool in_cluster = attr_true(st->in_ccm);
	bool crmd_online = pol_streq_i(st->crmd, "online");
	const char *exp = st->expected ? st->expected : "down";

	nd->online = in_cluster;
	if (nd->shutdown) {
		/* a clean shutdown in progress: only the daemon's state counts */
		nd->online = crmd_online;
	} else if (!st->in_ccm) {
		fence_node(c, nd, "peer has not been seen by the cluster");
	} else if (pol_streq_i(st->join, "banned")) {
		fence_node(c, nd, "peer failed Pacemaker membership criteria");
	} else if (!do_terminate && pol_streq_i(exp, "down")) {
		if (in_cluster || crmd_online) {
			nd->standby = true;
			nd->pending = true;
		}
	} else if (do_terminate && pol_streq_i(st->join, "down") && !in_cluster && !crmd_online) {
		nd->online = false;     /* was just shot */
	} else if (!in_cluster) {
		fence_node(c, nd, "peer is no longer part of the cluster");
	} else if (!crmd_online) {
		fence_node(c, nd, "peer process is no longer available");
	} else if (do_terminate) {
		fence_node(c, nd, "termination was requested");
	} else if (pol_streq_i(st->join, "member")) {
		/* active */
	} else if (pol_streq_i(st->join, "pending") || pol_streq_i(st->join, "down")) {
		nd->standby = true;
		nd->pending = true;
	} else {
		fence_node(c, nd, "peer was in an unknown state");
	}
}

static void node_state_no_fencing(struct pol_ctx *c, struct pol_nd *nd)
{
	const struct vg_node_state *st = nd->st;
	bool in_cluster = attr_true(st->in_ccm);

	nd->online = false;
	if (!in_cluster) {
		/* down */
	} else if (pol_streq_i(st->crmd, "online")) {
		if (pol_streq_i(st->join, "member"))
			nd->online = true;
		/* else not ready to run resources */
	} else if (!nd->expected_up) {
		/* the daemon is down, as expected */
	} else {
		fence_node(c, nd, "peer is unexpectedly down");
	}
}

static int health_value(struct pol_ctx *c, const char *v)
{
	int s;

	if (pol_streq_i(v, "red"))
		return c->health_red;
	if (pol_streq_i(v, "yellow"))
		return c->health_yellow;
	if (pol_streq_i(v, "green"))
		return c->health_green;
	if (pol_score_parse(v, &s) == 0)
		return s;
	return 0;
}

static void node_health(struct pol_ctx *c, struct pol_nd *nd)
{
	int sum = c->health_strategy == 3 ? c->health_base : 0;

	if (!c->health_strategy || !nd->st)
		return;
	for (size_t s = 0; s < nd->st->transient.n; s++) {
		const struct vg_nvset *set = &nd->st->transient.v[s];

		for (size_t p = 0; p < set->n_pairs; p++) {
			const char *name = set->pairs[p].name;

			if (name && !strncmp(name, "#health", 7))
				sum = pol_score_add(sum, health_value(c, set->pairs[p].value));
		}
	}
	nd->health = sum;
}

static int unpack_node_states(struct pol_ctx *c)
{
	const struct vg_cib *cib = c->cib;

	for (size_t i = 0; i < cib->n_node_states; i++) {
		const struct vg_node_state *st = &cib->node_states[i];
		int n = pol_map_get(&c->node_by_name, st->id);

		if (n < 0)
			n = pol_map_get(&c->node_by_name, st->uname);
		if (n < 0)
			continue;       /* status of a node no longer configured */
		struct pol_nd *nd = &c->nodes[n];

		if (nd->st)
			continue;       /* the first entry counts */
		nd->st = st;
		nd->unseen = false;
		nd->unclean = false;
		nd->unclean_reason = NULL;
		nd->standby = attr_true(pol_node_attr(c, n, "standby"));
		nd->maintenance = attr_true(pol_node_attr(c, n, "maintenance"));
		const char *sd = pol_node_attr(c, n, "shutdown");

		nd->shutdown = sd && strcmp(sd, "0") && sd[0];
		nd->expected_up = !nd->shutdown && pol_streq_i(st->expected, "member");
		if (c->stonith_enabled)
			node_state_fencing(c, nd);
		else
			node_state_no_fencing(c, nd);
		/* suicide: a partition that lost the quorum it had (the daemon
		 * records that as no-quorum-panic) fences its own members */
		if (!c->have_quorum && nd->online && c->nqp == POL_NQP_SUICIDE &&
		    pol_bool(pol_attrs_get(&c->cib->extra, "no-quorum-panic"), false))
			fence_node(c, nd, "cluster does not have quorum");
		node_health(c, nd);
		if (nd->online && nd->pending && !nd->unclean)
			c->any_pending = true;
	}
	for (size_t i = 0; i < c->n_nodes; i++) {
		struct pol_nd *nd = &c->nodes[i];

		if (nd->unseen) {
			/* config standby still shows in the status display */
			nd->standby = attr_true(pol_node_attr(c, (int)i, "standby"));
			nd->maintenance = attr_true(pol_node_attr(c, (int)i, "maintenance"));
			if (nd->unclean && !nd->unclean_reason)
				nd->unclean_reason = "node is unclean";
		}
	}
	return 0;
}

/* ---- status: operation history ---- */

struct op_view {
	const struct vg_lrm_op *op;
	int call_id;
};

static int cmp_ops(const void *a, const void *b)
{
	const struct op_view *x = a, *y = b;

	/* pending operations (call id -1) are the newest */
	int cx = x->call_id < 0 ? 0x7fffffff : x->call_id;
	int cy = y->call_id < 0 ? 0x7fffffff : y->call_id;

	if (cx != cy)
		return cx < cy ? -1 : 1;
	if (x->op->has_last_rc_change && y->op->has_last_rc_change &&
	    x->op->last_rc_change != y->op->last_rc_change)
		return x->op->last_rc_change < y->op->last_rc_change ? -1 : 1;
	return x < y ? -1 : (x > y);
}

/* The expected rc is the third field of the transition key
 * ("action:transition:target-rc:uuid"). */
static int target_rc(const struct vg_lrm_op *op, bool probe)
{
	const char *k = op->transition_key;
	int field = 0;

	if (k) {
		for (const char *p = k; *p; p++) {
			if (*p == ':' && ++field == 2) {
				long long v;
				char buf[16];
				size_t len = 0;

				for (p++; *p && *p != ':' && len < sizeof(buf) - 1; p++)
					buf[len++] = *p;
				buf[len] = '\0';
				if (pol_int_parse(buf, &v) == 0)
					return (int)v;
				break;
			}
		}
	}
	return probe ? RC_NOT_RUNNING : RC_OK;
}

static const struct vg_op *config_op(const struct vg_resource *res, const char *name,
				     uint64_t interval_ms)
{
	for (size_t i = 0; i < res->n_ops; i++)
		if (res->ops[i].name && !strcmp(res->ops[i].name, name) &&
		    res->ops[i].interval_ms == interval_ms)
			return &res->ops[i];
	return NULL;
}

static enum pol_on_fail on_fail_of(struct pol_ctx *c, const struct vg_resource *res,
				   const char *task, uint64_t interval_ms, bool *ret_enabled)
{
	const struct vg_op *op = config_op(res, task, interval_ms);
	const char *v = op ? op->on_fail : NULL;

	*ret_enabled = !op || !op->enabled || pol_bool(op->enabled, true);
	if (!v && op)
		v = pol_nvsets_get(&op->meta, "on-fail");
	if (!v)
		v = pol_nvsets_get(&c->cib->op_defaults, "on-fail");
	if (pol_streq_i(v, "ignore"))
		return POL_ONFAIL_IGNORE;
	if (pol_streq_i(v, "block"))
		return POL_ONFAIL_BLOCK;
	if (pol_streq_i(v, "stop"))
		return POL_ONFAIL_STOP;
	if (pol_streq_i(v, "standby"))
		return POL_ONFAIL_STANDBY;
	if (pol_streq_i(v, "fence"))
		return c->stonith_enabled ? POL_ONFAIL_FENCE : POL_ONFAIL_BLOCK;
	if (pol_streq_i(v, "restart"))
		return POL_ONFAIL_RESTART;
	/* defaults: a failed stop leaves the resource in an unknown state, so
	 * only fencing (or an admin, when fencing is off) can make it safe */
	if (!strcmp(task, "stop"))
		return c->stonith_enabled ? POL_ONFAIL_FENCE : POL_ONFAIL_BLOCK;
	return POL_ONFAIL_RESTART;
}

/* Fail counts live in each node's transient attributes:
 * fail-count-RSC#OP_INTERVAL (summed per resource) or the legacy
 * fail-count-RSC, with last-failure-RSC* next to them.  They are read once
 * per node into a short list, so each history record costs a lookup in a
 * handful of entries instead of a scan of every attribute. */
struct pol_fc {
	int rsc;
	int count;
	int64_t last;
};

static int fc_rsc(struct pol_ctx *c, const char *rest)
{
	size_t len = strcspn(rest, "#");

	return pol_map_getn(&c->rsc_by_id, rest, len);
}

static int unpack_fail_counts(struct pol_ctx *c)
{
	for (size_t n = 0; n < c->n_nodes; n++) {
		struct pol_nd *nd = &c->nodes[n];

		if (!nd->st)
			continue;
		for (size_t s = 0; s < nd->st->transient.n; s++) {
			const struct vg_nvset *set = &nd->st->transient.v[s];

			for (size_t p = 0; p < set->n_pairs; p++) {
				const char *name = set->pairs[p].name;
				const char *value = set->pairs[p].value;
				bool is_count;
				int r;

				if (!name || !value)
					continue;
				if (!strncmp(name, "fail-count-", 11)) {
					name += 11;
					is_count = true;
				} else if (!strncmp(name, "last-failure-", 13)) {
					name += 13;
					is_count = false;
				} else {
					continue;
				}
				r = fc_rsc(c, name);
				if (r < 0)
					continue;
				struct pol_fc *fc = NULL;

				for (size_t k = 0; k < nd->n_fc; k++)
					if (nd->fc[k].rsc == r)
						fc = &nd->fc[k];
				if (!fc) {
					struct pol_fc *v = realloc(nd->fc, (nd->n_fc + 1) * sizeof(*v));

					if (!v)
						return -ENOMEM;
					nd->fc = v;
					fc = &v[nd->n_fc++];
					memset(fc, 0, sizeof(*fc));
					fc->rsc = r;
				}
				if (is_count) {
					int v;

					if (pol_score_parse(value, &v) == 0 && v > 0)
						fc->count = pol_score_add(fc->count, v);
				} else {
					long long v;

					if (pol_int_parse(value, &v) == 0 && v > fc->last)
						fc->last = v;
				}
			}
		}
	}
	return 0;
}

/* Did a failure here come from an operation with on-fail=block?  Such a
 * failure waits for an admin: failure-timeout does not clear it. */
static bool failure_blocks(const struct pol_rs *rs, const struct pol_hist *h)
{
	for (size_t i = 0; i < h->lrm->n_ops; i++) {
		const struct vg_lrm_op *op = &h->lrm->ops[i];
		bool probe = op->operation && !strcmp(op->operation, "monitor") && !op->interval_ms;
		const struct vg_op *cfg;

		if (!op->operation || (op->op_status == 0 && op->rc_code == target_rc(op, probe)))
			continue;
		cfg = config_op(rs->cfg, op->operation, op->interval_ms);
		if (cfg && pol_streq_i(cfg->on_fail, "block"))
			return true;
	}
	return false;
}

/* Effective fail count of @rs on node @n: expired by failure-timeout against
 * the newest last failure, unless an operation of the resource blocks on
 * failure (then only an admin may clear it). */
static void fail_count(struct pol_ctx *c, struct pol_rs *rs, int n, struct pol_hist *h)
{
	const struct pol_nd *nd = &c->nodes[n];
	int count = 0;
	int64_t last = 0;

	for (size_t k = 0; k < nd->n_fc; k++)
		if (nd->fc[k].rsc == rs->idx) {
			count = nd->fc[k].count;
			last = nd->fc[k].last;
		}
	h->last_failure = last;
	if (count > 0 && rs->failure_timeout_ms && last > 0 &&
	    c->now >= last + (int64_t)(rs->failure_timeout_ms / 1000) &&
	    !(rs->blocks_on_failure && failure_blocks(rs, h)))
		count = 0;      /* expired */
	h->fail_count = count;
}

static bool op_expired(struct pol_ctx *c, const struct pol_rs *rs, const struct vg_lrm_op *op)
{
	if (!rs->failure_timeout_ms || !op->has_last_rc_change)
		return false;
	return c->now >= op->last_rc_change + (int64_t)(rs->failure_timeout_ms / 1000);
}

enum task {
	T_OTHER,
	T_IGNORED,              /* notify, meta-data, reload: say nothing about state */
	T_MONITOR,
	T_START,
	T_STOP,
	T_MIGRATE_TO,
	T_MIGRATE_FROM,
	T_PROMOTE,
	T_DEMOTE,
};

/* One string comparison per operation (the first letter picks the
 * candidate): histories hold nodes x resources records. */
static enum task classify(const char *t)
{
	if (!t)
		return T_OTHER;
	switch (t[0]) {
	case 'm':
		if (!strcmp(t, "monitor"))
			return T_MONITOR;
		if (!strcmp(t, "migrate_to"))
			return T_MIGRATE_TO;
		if (!strcmp(t, "migrate_from"))
			return T_MIGRATE_FROM;
		return !strcmp(t, "meta-data") ? T_IGNORED : T_OTHER;
	case 's':
		if (!strcmp(t, "start"))
			return T_START;
		return !strcmp(t, "stop") ? T_STOP : T_OTHER;
	case 'p':
		return !strcmp(t, "promote") ? T_PROMOTE : T_OTHER;
	case 'd':
		return !strcmp(t, "demote") ? T_DEMOTE : T_OTHER;
	case 'n':
		return !strcmp(t, "notify") ? T_IGNORED : T_OTHER;
	case 'r':
		return !strcmp(t, "reload") || !strcmp(t, "reload-agent") ? T_IGNORED : T_OTHER;
	default:
		return T_OTHER;
	}
}

/* Replays one resource's operations on one node in call order. */
static int replay_history(struct pol_ctx *c, struct pol_rs *rs, int n, struct pol_hist *h,
			  struct op_view *ops, size_t n_ops)
{
	struct pol_nd *nd = &c->nodes[n];
	enum { UNKNOWN, STOPPED, STARTED } role = UNKNOWN;
	/* On a node already known to be unclean, failures change nothing:
	 * fencing will make the resource stopped there whatever happened. */
	bool was_unclean = nd->unclean;
	int recorded_fc = -1;   /* the fail count before a failed start made it INFINITY */

	for (size_t i = 0; i < n_ops; i++) {
		const struct vg_lrm_op *op = ops[i].op;
		const char *task = op->operation ? op->operation : "";
		enum task tk = classify(op->operation);
		bool probe = tk == T_MONITOR && op->interval_ms == 0;

		if (tk == T_MIGRATE_TO)
			h->has_migrate_to = true;
		int rc = op->rc_code;
		int status = op->op_status;
		int expect = target_rc(op, probe);
		bool failed = false;

		/* OCF's "degraded" codes mean running (or promoted), just not well */
		if (rc == RC_DEGRADED)
			rc = RC_OK;
		else if (rc == RC_DEGRADED_PROMOTED)
			rc = RC_PROMOTED;
		/* an "error" status from old executors only says rc was not 0:
		 * what it means is decided from rc, like a completed operation */
		if (status == EXEC_ERROR)
			status = EXEC_DONE;

		h->last_call_id = op->call_id;
		if (tk == T_IGNORED)
			continue;
		if (status == EXEC_CANCELLED)
			continue;
		if (status == EXEC_PENDING || op->call_id < 0) {
			/* in flight: a start, migration or stop may have done
			 * anything yet, so treat the resource as active */
			if (tk == T_START || tk == T_MIGRATE_TO || tk == T_MIGRATE_FROM ||
			    tk == T_STOP || tk == T_PROMOTE || tk == T_DEMOTE)
				role = STARTED;
			h->pending = true;
			h->known = true;
			continue;
		}

		/* did it do what was expected? */
		if (status == EXEC_DONE) {
			if (rc == expect) {
				failed = false;
			} else if (rc == RC_NOT_RUNNING && probe) {
				failed = false;
			} else if ((rc == RC_OK || rc == RC_PROMOTED) && probe) {
				failed = false;
			} else {
				failed = true;
			}
		} else {
			failed = true;
		}

		if (!failed) {
			h->known = true;
			if (tk == T_STOP) {
				role = STOPPED;
				h->failed = false;
				h->failed_stop = false;
				h->migrating_from = false;
			} else if (tk == T_START || tk == T_MIGRATE_FROM || tk == T_PROMOTE ||
				   tk == T_DEMOTE) {
				role = STARTED;
				/* it started after all: a start failure before it no
				 * longer bans the node by itself */
				if (recorded_fc >= 0) {
					h->fail_count = recorded_fc;
					recorded_fc = -1;
				}
				/* a successful start supersedes older failures of
				 * recurring monitors */
				h->failed = false;
			} else if (tk == T_MIGRATE_TO) {
				/* resolved against the target's history later */
				role = STARTED;
				h->migrating_from = true;
			} else if (tk == T_MONITOR) {
				if (rc == RC_NOT_RUNNING) {
					role = STOPPED;
					h->failed = false;
				} else {
					role = STARTED;
				}
			}
			continue;
		}

		/* "not running" from a resource nobody manages is news, not a
		 * failure: it is stopped there.  (On a node in maintenance it
		 * stays a failure there: the node is left alone, and so is what
		 * it says about the VM.) */
		if (rc == RC_NOT_RUNNING && status == EXEC_DONE && !rs->managed) {
			role = STOPPED;
			h->known = true;
			h->failed = false;
			continue;
		}

		/* a failure */
		if (op_expired(c, rs, op) && h->fail_count == 0) {
			/* expired failures are forgotten; a recurring monitor
			 * that expired leaves the resource's state unknown, so
			 * it is treated as running and probed again */
			continue;
		}
		bool enabled = true;
		enum pol_on_fail of = on_fail_of(c, rs->cfg, probe ? "monitor" : task,
						 op->interval_ms, &enabled);

		/* An agent missing on the node (executor status "not installed")
		 * bans the node and cannot be ignored; hard errors the agent
		 * reports (not installed, bad parameters, ...) ban the node unless
		 * on-fail=ignore; "not configured" bans it everywhere. */
		if (status == EXEC_NOT_INSTALLED) {
			rs->score[n] = -POL_INF;
			pol_note_ban(c, rs->idx, n, POL_WHY_FAILURE);
			if (probe) {
				h->known = true;
				role = STOPPED;
				continue;
			}
		} else if (of != POL_ONFAIL_IGNORE) {
			if (rc == RC_NOT_CONFIGURED || status == EXEC_ERROR_FATAL) {
				rs->fatal = true;
			} else if (rc == RC_NOT_INSTALLED || rc == RC_INVALID_PARAM ||
				   rc == RC_UNIMPLEMENTED || rc == RC_INSUFFICIENT_PRIV ||
				   status == EXEC_ERROR_HARD) {
				rs->score[n] = -POL_INF;
				pol_note_ban(c, rs->idx, n, POL_WHY_FAILURE);
				if (probe && rc == RC_NOT_INSTALLED) {
					h->known = true;
					role = STOPPED;
					continue;
				}
			}
		} else {
			/* the failure is recorded but changes nothing, not even
			 * the migration-threshold count */
			rs->failure_ignored = true;
			if (tk == T_STOP)
				role = STOPPED;
			else
				role = STARTED;
			h->known = true;
			continue;
		}
		h->known = true;
		h->failed = true;
		h->failed_op = task;
		/* start-failure-is-fatal: a node where a start failed is done for,
		 * whether or not the fail count has been recorded yet */
		if (tk == T_START && c->start_failure_fatal && h->fail_count < POL_INF) {
			recorded_fc = h->fail_count;
			h->fail_count = POL_INF;
		}
		if (tk == T_STOP) {
			h->failed_stop = true;
			rs->score[n] = -POL_INF;
			pol_note_ban(c, rs->idx, n, POL_WHY_FAILURE);
		}
		role = STARTED;
		if (probe && rc == RC_NOT_RUNNING)
			role = STOPPED;
		switch (of) {
		case POL_ONFAIL_BLOCK:
			h->blocked = true;
			break;
		case POL_ONFAIL_STOP:
			h->stopped_by_failure = true;
			break;
		case POL_ONFAIL_STANDBY:
			nd->standby = true;
			break;
		case POL_ONFAIL_FENCE:
			if (nd->online || !nd->unclean)
				fence_node(c, nd, pol_arena_printf(c->arena, "%s failed there", rs->id));
			break;
		default:
			break;
		}
		if (tk == T_MIGRATE_TO) {
			h->migrating_from = false;
		}
	}
	h->active = role == STARTED;
	if (was_unclean) {
		h->failed = false;
		h->blocked = false;
		h->stopped_by_failure = false;
	}
	return 0;
}

/* Groups the history records by resource, nodes in node order: two stable
 * counting sorts, O(records), where a comparison sort of 32 x 5000 records
 * would cost more than all the deciding. */
static int sort_hist(struct pol_ctx *c)
{
	size_t n = c->n_hist;
	struct pol_hist *tmp = malloc((n + 1) * sizeof(*tmp));
	size_t keys = (c->n_nodes > c->n_rscs ? c->n_nodes : c->n_rscs) + 2;
	size_t *pos = calloc(keys, sizeof(*pos));

	if (!tmp || !pos) {
		free(tmp);
		free(pos);
		return -ENOMEM;
	}
	for (int pass = 0; pass < 2; pass++) {
		struct pol_hist *from = pass == 0 ? c->hist : tmp;
		struct pol_hist *to = pass == 0 ? tmp : c->hist;

		memset(pos, 0, keys * sizeof(*pos));
		for (size_t i = 0; i < n; i++)
			pos[(pass == 0 ? from[i].node : from[i].rsc) + 1]++;
		for (size_t k = 1; k < keys; k++)
			pos[k] += pos[k - 1];
		for (size_t i = 0; i < n; i++)
			to[pos[pass == 0 ? from[i].node : from[i].rsc]++] = from[i];
	}
	free(tmp);
	free(pos);
	return 0;
}

static struct pol_hist *find_hist(struct pol_rs *rs, int n)
{
	for (size_t i = 0; i < rs->n_hist; i++)
		if (rs->hist[i].node == n)
			return &rs->hist[i];
	return NULL;
}

static const struct vg_lrm_op *last_op_of(const struct vg_lrm_resource *lrm, const char *task)
{
	const struct vg_lrm_op *best = NULL;

	if (!lrm)
		return NULL;
	for (size_t i = 0; i < lrm->n_ops; i++) {
		const struct vg_lrm_op *op = &lrm->ops[i];

		if (op->operation && !strcmp(op->operation, task) &&
		    (!best || op->call_id > best->call_id))
			best = op;
	}
	return best;
}

static const struct vg_lrm_op *newest_op(const struct vg_lrm_resource *lrm)
{
	const struct vg_lrm_op *best = NULL;

	if (!lrm)
		return NULL;
	for (size_t i = 0; i < lrm->n_ops; i++)
		if (lrm->ops[i].call_id >= 0 && (!best || lrm->ops[i].call_id > best->call_id))
			best = &lrm->ops[i];
	return best;
}

/* Is @a newer than @b, which ran on another node?  Call ids count per node,
 * so only the change times compare; without them, fall back on call ids as
 * old Pacemaker did. */
static bool newer_elsewhere(const struct vg_lrm_op *a, const struct vg_lrm_op *b)
{
	if (a->has_last_rc_change && b->has_last_rc_change)
		return a->last_rc_change > b->last_rc_change;
	return a->call_id > b->call_id;
}

/* A live migration runs migrate_to on the source, migrate_from on the
 * target, then stop on the source.  History can stop anywhere in between;
 * what matters is that a VM is never believed stopped where it may run:
 *
 *  - both succeeded but the source was not stopped ("dangling"): it runs on
 *    the target; the source only needs its stop;
 *  - migrate_from failed: it may run on both: recover;
 *  - no migrate_from, and nothing newer on the target: it may run on the
 *    target too ("partial"); the migration can be finished if the target is
 *    still where it should go, else it is stopped on both;
 *  - the target is gone: stop and recover, no migration.
 *
 * A newer operation on the source and newer news from the target make an
 * old migrate_to irrelevant. */
static void resolve_migrations(struct pol_ctx *c, struct pol_rs *rs)
{
	for (size_t i = 0; i < rs->n_hist; i++) {
		struct pol_hist *src = &rs->hist[i];

		if (!src->has_migrate_to)
			continue;
		const struct vg_lrm_op *mt = last_op_of(src->lrm, "migrate_to");

		if (!mt || mt->call_id < 0 || mt->op_status == EXEC_PENDING)
			continue;
		int tgt = pol_map_get(&c->node_by_name, mt->migrate_target);

		if (tgt < 0 || tgt == src->node)
			continue;
		bool ok = mt->rc_code == RC_OK && (mt->op_status == EXEC_DONE ||
						   mt->op_status == EXEC_ERROR);
		bool source_newer = false;

		for (size_t o = 0; o < src->lrm->n_ops; o++) {
			const struct vg_lrm_op *op = &src->lrm->ops[o];

			if (op->call_id > mt->call_id && op->operation &&
			    strcmp(op->operation, "monitor"))
				source_newer = true;
		}
		struct pol_hist *th = find_hist(rs, tgt);
		const struct vg_lrm_op *mf = th ? last_op_of(th->lrm, "migrate_from") : NULL;
		const struct vg_lrm_op *tlast = th ? newest_op(th->lrm) : NULL;

		if (mf && source_newer)
			continue;
		bool target_newer = false;

		if (tlast && mf)
			target_newer = tlast->call_id > mf->call_id;
		else if (tlast)
			target_newer = newer_elsewhere(tlast, mt);
		if (source_newer && target_newer)
			continue;
		struct pol_nd *tn = &c->nodes[tgt];

		if (!ok) {
			/* a failed migrate_to: it may have reached the target */
			if (!mf && !target_newer && !source_newer && tn->online) {
				rs->mig_tgt_active = tgt;
				rs->no_migrate = true;
			}
			continue;
		}
		if (mf && mf->rc_code == RC_OK &&
		    (mf->op_status == EXEC_DONE || mf->op_status == EXEC_ERROR)) {
			if (!source_newer && src->active)
				src->dangling = true;
		} else if (mf) {
			/* migrate_from failed: the target's own history says failed */
		} else if (tn->online && !target_newer) {
			rs->mig_tgt_active = tgt;
			if (!source_newer && src->active) {
				rs->partial_src = src->node;
				rs->partial_tgt = tgt;
			} else {
				/* only maybe there: stop it rather than move it live */
				rs->no_migrate = true;
			}
		} else if (!source_newer && src->active) {
			src->failed = true;
			rs->no_migrate = true;
		}
	}
}

int pol_unpack_status(struct pol_ctx *c)
{
	const struct vg_cib *cib = c->cib;
	size_t total = 0;
	int r;

	r = unpack_node_states(c);
	if (r < 0)
		return r;

	for (size_t i = 0; i < cib->n_node_states; i++)
		total += cib->node_states[i].n_lrm;
	c->hist = calloc(total ? total : 1, sizeof(*c->hist));
	if (!c->hist)
		return -ENOMEM;

	struct op_view *ops = NULL;
	size_t cap_ops = 0;

	for (size_t i = 0; i < cib->n_node_states; i++) {
		const struct vg_node_state *st = &cib->node_states[i];
		int n = pol_map_get(&c->node_by_name, st->id);

		if (n < 0)
			n = pol_map_get(&c->node_by_name, st->uname);
		if (n < 0 || c->nodes[n].st != st)
			continue;
		struct pol_nd *nd = &c->nodes[n];

		/* Without fencing, what an offline node ran is gone with it; with
		 * fencing, it counts until the node is fenced. */
		if (!nd->online && !c->stonith_enabled)
			continue;
		for (size_t l = 0; l < st->n_lrm; l++) {
			const struct vg_lrm_resource *lrm = &st->lrm[l];
			int rr = pol_map_get(&c->rsc_by_id, lrm->id);

			if (rr < 0)
				continue;       /* orphan, but stop-orphan-resources=false */
			struct pol_hist *h = &c->hist[c->n_hist++];

			h->rsc = rr;
			h->node = n;
			h->lrm = lrm;
		}
	}
	r = unpack_fail_counts(c);
	if (r < 0)
		goto out;

	/* Replay every history in document order (node by node, as Pacemaker
	 * does, which matters when a failure makes a node unclean for the
	 * records after it), reading the document front to back. */
	for (size_t i = 0; i < c->n_hist; i++) {
		struct pol_hist *h = &c->hist[i];
		const struct vg_lrm_resource *lrm = h->lrm;

		if (lrm->n_ops > cap_ops) {
			struct op_view *v = realloc(ops, lrm->n_ops * sizeof(*v));

			if (!v) {
				r = -ENOMEM;
				goto out;
			}
			ops = v;
			cap_ops = lrm->n_ops;
		}
		for (size_t o = 0; o < lrm->n_ops; o++) {
			ops[o].op = &lrm->ops[o];
			ops[o].call_id = lrm->ops[o].call_id;
		}
		if (lrm->n_ops > 1)
			qsort(ops, lrm->n_ops, sizeof(*ops), cmp_ops);
		fail_count(c, &c->rscs[h->rsc], h->node, h);
		r = replay_history(c, &c->rscs[h->rsc], h->node, h, ops, lrm->n_ops);
		if (r < 0)
			goto out;
	}

	r = sort_hist(c);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < c->n_hist;) {
		struct pol_rs *rs = &c->rscs[c->hist[i].rsc];
		size_t j = i;

		while (j < c->n_hist && c->hist[j].rsc == rs->idx)
			j++;
		rs->hist = &c->hist[i];
		rs->n_hist = j - i;
		i = j;
	}

	c->active_store = calloc(c->n_hist + c->n_rscs + 1, sizeof(int));
	if (!c->active_store) {
		r = -ENOMEM;
		goto out;
	}
	int *store = c->active_store;

	for (size_t r_i = 0; r_i < c->n_rscs; r_i++) {
		struct pol_rs *rs = &c->rscs[r_i];

		rs->active = store;
		resolve_migrations(c, rs);
		for (size_t k = 0; k < rs->n_hist; k++) {
			struct pol_hist *h = &rs->hist[k];
			struct pol_nd *nd = &c->nodes[h->node];

			/* on-fail=stop outlives the stop it caused: only cleaning up
			 * the failure lets the resource start again */
			if (h->stopped_by_failure)
				rs->stop_reason = pol_arena_printf(c->arena,
					"its %s failed on %s (on-fail=stop)",
					h->failed_op ? h->failed_op : "operation", nd->name);
			if (!h->active)
				continue;
			/* Active on a node that is offline but not yet known to be
			 * unclean: with fencing, it has to be fenced to be sure. */
			if (!nd->online && !nd->unclean && rs->managed && !nd->maintenance) {
				if (c->stonith_enabled)
					fence_node(c, nd, pol_arena_printf(c->arena,
						"%s is thought to be active there", rs->id));
				else
					continue;
			}
			/* a node in maintenance keeps what it runs, untouched */
			if (nd->maintenance)
				rs->managed = false;
			if (h->failed)
				rs->failed = true;
			/* a failure that waits for an admin (on-fail=block, or a
			 * failed stop that fencing will not resolve) pins it */
			if (h->blocked || (h->failed_stop && !(nd->unclean && pol_can_fence(c, nd))))
				rs->blocked = true;
			/* a completed migration's source: not running there any
			 * more, it only needs the stop that was never done */
			if (h->dangling) {
				rs->dangling = h->node;
				continue;
			}
			rs->active[rs->n_active++] = h->node;
		}
		/* the target of a migration that may have got there */
		if (rs->mig_tgt_active >= 0) {
			bool listed = false;

			for (size_t k = 0; k < rs->n_active; k++)
				if (rs->active[k] == rs->mig_tgt_active)
					listed = true;
			if (!listed) {
				size_t k = rs->n_active++;

				while (k > 0 && rs->active[k - 1] > rs->mig_tgt_active) {
					rs->active[k] = rs->active[k - 1];
					k--;
				}
				rs->active[k] = rs->mig_tgt_active;
			}
		}
		store += rs->n_active;
	}
	r = 0;
out:
	free(ops);
	return r;
}
