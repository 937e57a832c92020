/*
 * pol_apply.c - pol_transition_apply(): pretend every action succeeded.
 *
 * This is what `vigil simulate --run` shows as the revised status, and what
 * the seeded simulator uses to move a cluster forward.  It writes the status
 * section the way Pacemaker's crm_simulate --run does, so the result can be
 * fed to pol_compute() again (a second run on a settled cluster must plan
 * nothing) or to Pacemaker's tools.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pol_int.h"

static void free_attrs(struct vg_attrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].value);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static void free_op(struct vg_lrm_op *op)
{
	free(op->id);
	free(op->operation_key);
	free(op->operation);
	free(op->transition_key);
	free(op->transition_magic);
	free(op->on_node);
	free(op->migrate_source);
	free(op->migrate_target);
	free_attrs(&op->extra);
	memset(op, 0, sizeof(*op));
}

static void free_lrm_resource(struct vg_lrm_resource *lr)
{
	for (size_t i = 0; i < lr->n_ops; i++)
		free_op(&lr->ops[i]);
	free(lr->ops);
	free(lr->id);
	free(lr->cls);
	free(lr->provider);
	free(lr->type);
	memset(lr, 0, sizeof(*lr));
}

static void free_nvsets(struct vg_nvsets *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct vg_nvset *set = &s->v[i];

		for (size_t j = 0; j < set->n_pairs; j++) {
			free(set->pairs[j].id);
			free(set->pairs[j].name);
			free(set->pairs[j].value);
		}
		free(set->pairs);
		free(set->id);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int set_str(char **dst, const char *value)
{
	char *s = value ? strdup(value) : NULL;

	if (value && !s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static struct vg_node_state *node_state(struct vg_cib *cib, const struct pol_node *pn)
{
	for (size_t i = 0; i < cib->n_node_states; i++) {
		struct vg_node_state *st = &cib->node_states[i];

		if ((st->id && pn->id && !strcmp(st->id, pn->id)) ||
		    (st->uname && !strcmp(st->uname, pn->name)))
			return st;
	}
	struct vg_node_state *v = realloc(cib->node_states,
					  (cib->n_node_states + 1) * sizeof(*v));

	if (!v)
		return NULL;
	cib->node_states = v;
	struct vg_node_state *st = &v[cib->n_node_states];

	memset(st, 0, sizeof(*st));
	st->id = strdup(pn->id ? pn->id : pn->name);
	st->uname = strdup(pn->name);
	if (!st->id || !st->uname) {
		free(st->id);
		free(st->uname);
		return NULL;
	}
	cib->n_node_states++;
	return st;
}

static const struct pol_node *find_node(const struct pol_transition *tr, const char *name)
{
	for (size_t i = 0; i < tr->n_nodes; i++)
		if (!strcmp(tr->nodes[i].name, name))
			return &tr->nodes[i];
	return NULL;
}

static int next_call_id(const struct vg_node_state *st)
{
	int mx = 0;

	for (size_t l = 0; l < st->n_lrm; l++)
		for (size_t o = 0; o < st->lrm[l].n_ops; o++)
			if (st->lrm[l].ops[o].call_id > mx)
				mx = st->lrm[l].ops[o].call_id;
	return mx + 1;
}

static int record_op(struct vg_cib *cib, const struct pol_transition *tr, const char *rsc,
		     const char *node, const char *task, const char *src, const char *tgt,
		     int64_t now)
{
	const struct pol_node *pn = find_node(tr, node);
	struct vg_node_state *st;
	struct vg_lrm_resource *lr = NULL;
	const struct vg_resource *res = NULL;
	char id[512];

	if (!pn)
		return 0;
	st = node_state(cib, pn);
	if (!st)
		return -ENOMEM;
	for (size_t i = 0; i < cib->n_resources; i++)
		if (!strcmp(cib->resources[i].id, rsc))
			res = &cib->resources[i];
	if (!st->has_lrm) {
		st->has_lrm = true;
		if (set_str(&st->lrm_id, st->id) < 0)
			return -ENOMEM;
	}
	int call_id = next_call_id(st);

	for (size_t l = 0; l < st->n_lrm; l++)
		if (st->lrm[l].id && !strcmp(st->lrm[l].id, rsc))
			lr = &st->lrm[l];
	if (!lr) {
		struct vg_lrm_resource *v = realloc(st->lrm, (st->n_lrm + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->lrm = v;
		lr = &v[st->n_lrm];
		memset(lr, 0, sizeof(*lr));
		st->n_lrm++;
		if (set_str(&lr->id, rsc) < 0 ||
		    (res && (set_str(&lr->cls, res->cls) < 0 ||
			     set_str(&lr->provider, res->provider) < 0 ||
			     set_str(&lr->type, res->type) < 0)))
			return -ENOMEM;
	}
	/* what was in flight there has finished by now: forget it, or it
	 * would still count as the newest operation */
	for (size_t o = 0; o < lr->n_ops;) {
		if (lr->ops[o].call_id < 0 || lr->ops[o].op_status == -1) {
			free_op(&lr->ops[o]);
			memmove(&lr->ops[o], &lr->ops[o + 1], (lr->n_ops - o - 1) * sizeof(*lr->ops));
			lr->n_ops--;
		} else {
			o++;
		}
	}
	snprintf(id, sizeof(id), "%s_%s_0", rsc, task);
	struct vg_lrm_op *op = NULL;

	for (size_t o = 0; o < lr->n_ops; o++)
		if (lr->ops[o].id && !strcmp(lr->ops[o].id, id))
			op = &lr->ops[o];
	if (op) {
		free_op(op);
	} else {
		struct vg_lrm_op *v = realloc(lr->ops, (lr->n_ops + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		lr->ops = v;
		op = &v[lr->n_ops++];
		memset(op, 0, sizeof(*op));
	}
	op->call_id = call_id;
	op->rc_code = 0;
	op->op_status = 0;
	op->interval_ms = 0;
	op->has_last_rc_change = true;
	op->last_rc_change = now;
	op->has_last_run = true;
	op->last_run = now;
	if (set_str(&op->id, id) < 0 || set_str(&op->operation_key, id) < 0 ||
	    set_str(&op->operation, task) < 0 ||
	    set_str(&op->transition_key, "0:0:0:00000000-0000-0000-0000-000000000000") < 0 ||
	    set_str(&op->transition_magic, "0:0;0:0:0:00000000-0000-0000-0000-000000000000") < 0 ||
	    set_str(&op->on_node, node) < 0 ||
	    (src && set_str(&op->migrate_source, src) < 0) ||
	    (tgt && set_str(&op->migrate_target, tgt) < 0))
		return -ENOMEM;
	return 0;
}

static int fence(struct vg_cib *cib, const struct pol_transition *tr, const char *node)
{
	const struct pol_node *pn = find_node(tr, node);
	struct vg_node_state *st;

	if (!pn)
		return 0;
	st = node_state(cib, pn);
	if (!st)
		return -ENOMEM;
	/* a fenced node is down and clean, and forgets everything it ran */
	if (set_str(&st->in_ccm, "false") < 0 || set_str(&st->crmd, "offline") < 0 ||
	    set_str(&st->join, "down") < 0 || set_str(&st->expected, "down") < 0)
		return -ENOMEM;
	for (size_t l = 0; l < st->n_lrm; l++)
		free_lrm_resource(&st->lrm[l]);
	free(st->lrm);
	st->lrm = NULL;
	st->n_lrm = 0;
	free_nvsets(&st->transient);
	free(st->transient_id);
	st->transient_id = NULL;
	return 0;
}

int pol_transition_apply(const struct pol_transition *tr, struct vg_cib *cib, int64_t now)
{
	int r = 0;

	if (!tr || !cib)
		return -EINVAL;
	for (size_t i = 0; i < tr->n_actions && r == 0; i++) {
		const struct pol_action *a = &tr->actions[i];

		switch (a->op) {
		case POL_OP_FENCE:
			r = fence(cib, tr, a->node);
			break;
		case POL_OP_STOP:
			r = record_op(cib, tr, a->resource, a->node, "stop", NULL, NULL, now);
			break;
		case POL_OP_START:
			r = record_op(cib, tr, a->resource, a->node, "start", NULL, NULL, now);
			break;
		case POL_OP_RESTART:
			r = record_op(cib, tr, a->resource, a->node, "stop", NULL, NULL, now);
			if (r == 0)
				r = record_op(cib, tr, a->resource, a->node, "start", NULL, NULL, now);
			break;
		case POL_OP_MIGRATE:
			r = record_op(cib, tr, a->resource, a->from, "migrate_to", a->from, a->to, now);
			if (r == 0)
				r = record_op(cib, tr, a->resource, a->to, "migrate_from", a->from,
					      a->to, now);
			if (r == 0)
				r = record_op(cib, tr, a->resource, a->from, "stop", NULL, NULL, now);
			break;
		}
	}
	return r;
}
