/*
 * policy.c - pol_compute(): the pipeline, one named step after another.
 *
 * Each step reads what the steps before it wrote into struct pol_ctx and
 * nothing else; the order is the design (doc/policy.md explains each):
 *
 *   1. unpack_properties   cluster options and their defaults
 *   2. unpack_nodes        configured nodes, attributes, capacities
 *   3. unpack_resources    primitives, meta attributes, utilization
 *   4. unpack_constraints  colocations and orders resolved to indices
 *   5. unpack_status       node states, then every resource's history
 *   6. apply_locations     health, locations, stickiness, failure bans
 *   7. assign_all          a node (or none) for every resource
 *   8. create_actions      fencing, stops, starts, migrations, restarts,
 *                          and their order
 *   9. build_transition    number the actions, copy out the result
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pol_int.h"

void pol_scores_init(struct pol_ctx *c);

static void ctx_fini(struct pol_ctx *c)
{
	for (size_t n = 0; n < c->n_nodes; n++) {
		free(c->nodes[n].cap);
		free(c->nodes[n].used);
		free(c->nodes[n].fc);
	}
	free(c->nodes);
	pol_map_fini(&c->node_by_name);
	for (size_t r = 0; r < c->n_rscs; r++)
		free(c->rscs[r].util);
	free(c->rscs);
	free(c->orphan_cfgs);
	pol_map_fini(&c->rsc_by_id);
	free(c->dims);
	free(c->hist);
	free(c->active_store);
	free(c->colocs);
	free(c->coloc_store);
	free(c->ords);
	free(c->score);
	free(c->why);
	free(c->bmax);
	free(c->bsum);
	free(c->order);
	for (size_t i = 0; i < c->n_acts; i++)
		free(c->acts[i].after);
	free(c->acts);
	free(c->warnings);
	pol_arena_free(c->arena);
}

static int alloc_scores(struct pol_ctx *c)
{
	size_t cells = c->n_rscs * c->n_nodes;

	c->score = malloc((cells + 1) * sizeof(*c->score));
	c->why = calloc(cells + 1, sizeof(*c->why));
	if (!c->score || !c->why)
		return -ENOMEM;
	for (size_t r = 0; r < c->n_rscs; r++)
		c->rscs[r].score = c->score + r * c->n_nodes;
	pol_scores_init(c);
	return 0;
}

int pol_compute(const struct vg_cib *cib, int64_t now, const struct pol_options *opt,
		struct pol_transition **ret_tr, struct vg_diags *diags)
{
	struct pol_ctx c = { .cib = cib, .now = now, .diags = diags };
	int r;

	if (!cib || !ret_tr || !diags)
		return -EINVAL;
	r = pol_arena_new(&c.arena);
	if (r < 0)
		return r;

	if ((r = pol_unpack_properties(&c)) < 0 ||
	    (r = pol_unpack_nodes(&c)) < 0 ||
	    (r = pol_unpack_resources(&c)) < 0 ||
	    (r = alloc_scores(&c)) < 0 ||
	    (r = pol_unpack_constraints(&c)) < 0 ||
	    (r = pol_unpack_status(&c)) < 0 ||
	    (r = pol_apply_locations(&c)) < 0 ||
	    (r = pol_assign_all(&c)) < 0 ||
	    (r = pol_create_actions(&c)) < 0 ||
	    (r = pol_build_transition(&c, opt, ret_tr)) < 0)
		goto out;
	r = 0;
out:
	ctx_fini(&c);
	return r;
}

void pol_transition_free(struct pol_transition *tr)
{
	if (!tr)
		return;
	/* the transition itself lives in its arena */
	pol_arena_free(tr->arena_);
}

const char *pol_op_name(enum pol_op op)
{
	switch (op) {
	case POL_OP_FENCE: return "fence";
	case POL_OP_STOP: return "stop";
	case POL_OP_START: return "start";
	case POL_OP_MIGRATE: return "migrate";
	case POL_OP_RESTART: return "restart";
	}
	return "?";
}

const char *pol_node_state_name(enum pol_node_state state)
{
	switch (state) {
	case POL_NODE_ONLINE: return "online";
	case POL_NODE_OFFLINE: return "offline";
	case POL_NODE_UNCLEAN: return "unclean";
	case POL_NODE_STANDBY: return "standby";
	case POL_NODE_MAINTENANCE: return "maintenance";
	case POL_NODE_PENDING: return "pending";
	}
	return "?";
}

const char *pol_change_name(enum pol_change change)
{
	switch (change) {
	case POL_CHANGE_NONE: return "none";
	case POL_CHANGE_START: return "start";
	case POL_CHANGE_STOP: return "stop";
	case POL_CHANGE_MOVE: return "move";
	case POL_CHANGE_MIGRATE: return "migrate";
	case POL_CHANGE_RECOVER: return "recover";
	case POL_CHANGE_RESTART: return "restart";
	}
	return "?";
}
