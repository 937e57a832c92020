/*
 * policy_fixture.h - building cluster documents in C for the policy tests.
 *
 * The tests describe a cluster with a few calls (nodes, resources, their
 * state) instead of XML, so they do not depend on the reader and say exactly
 * what they test.  Every allocation goes through a fixture-owned pool that
 * fx_free() releases, so the tests need nothing from lib/ but diagnostics.
 *
 * Header-only on purpose: each test program includes it once.
 */
#ifndef VIGIL_POLICY_FIXTURE_H
#define VIGIL_POLICY_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cib.h"
#include "policy.h"

/* Each test program uses a different subset of the helpers. */
#define FX_UNUSED __attribute__((unused))

struct fx {
	struct vg_cib cib;
	void **pool;
	size_t n_pool, cap_pool;
	size_t cap_nodes, cap_rscs, cap_states, cap_locs, cap_colocs, cap_orders;
};

static FX_UNUSED void *fx_keep(struct fx *f, void *p)
{
	if (!p)
		abort();
	if (f->n_pool == f->cap_pool) {
		f->cap_pool = f->cap_pool ? f->cap_pool * 2 : 256;
		f->pool = realloc(f->pool, f->cap_pool * sizeof(*f->pool));
		if (!f->pool)
			abort();
	}
	f->pool[f->n_pool++] = p;
	return p;
}

static FX_UNUSED char *fx_str(struct fx *f, const char *s)
{
	return s ? fx_keep(f, strdup(s)) : NULL;
}

static FX_UNUSED __attribute__((format(printf, 2, 3))) char *fx_fmt(struct fx *f, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return fx_str(f, buf);
}

/* Arrays grow by realloc; the pool tracks the latest pointer. */
static FX_UNUSED void *fx_grow(struct fx *f, void *arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = calloc(ncap, size);

	if (!p)
		abort();
	if (arr)
		memcpy(p, arr, n * size);
	*cap = ncap;
	return fx_keep(f, p);
}

static FX_UNUSED void fx_free(struct fx *f)
{
	for (size_t i = 0; i < f->n_pool; i++)
		free(f->pool[i]);
	free(f->pool);
	memset(f, 0, sizeof(*f));
}

static FX_UNUSED void fx_nvset_add(struct fx *f, struct vg_nvsets *sets, const char *name, const char *value)
{
	if (sets->n == 0) {
		sets->v = fx_keep(f, calloc(1, sizeof(*sets->v)));
		sets->v[0].id = fx_str(f, "set");
		sets->v[0].pairs = fx_keep(f, calloc(64, sizeof(struct vg_nvpair)));
		sets->n = 1;
	}
	struct vg_nvset *set = &sets->v[0];

	if (set->n_pairs >= 64)
		abort();
	set->pairs[set->n_pairs].id = fx_fmt(f, "nv-%s", name);
	set->pairs[set->n_pairs].name = fx_str(f, name);
	set->pairs[set->n_pairs].value = fx_str(f, value);
	set->n_pairs++;
}

static FX_UNUSED void fx_prop(struct fx *f, const char *name, const char *value)
{
	fx_nvset_add(f, &f->cib.crm_config, name, value);
}

static FX_UNUSED void fx_rsc_default(struct fx *f, const char *name, const char *value)
{
	fx_nvset_add(f, &f->cib.rsc_defaults, name, value);
}

static FX_UNUSED void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->cib.have_quorum = fx_str(f, "1");
	fx_prop(f, "stonith-enabled", "true");
}

static FX_UNUSED struct vg_node *fx_node(struct fx *f, const char *name)
{
	f->cib.nodes = fx_grow(f, f->cib.nodes, &f->cap_nodes, f->cib.n_nodes, sizeof(struct vg_node));
	struct vg_node *n = &f->cib.nodes[f->cib.n_nodes++];

	n->id = fx_str(f, name);
	n->uname = fx_str(f, name);
	return n;
}

static FX_UNUSED struct vg_node *fx_find_node(struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->cib.n_nodes; i++)
		if (!strcmp(f->cib.nodes[i].uname, name))
			return &f->cib.nodes[i];
	abort();
}

static FX_UNUSED void fx_node_attr(struct fx *f, const char *node, const char *name, const char *value)
{
	fx_nvset_add(f, &fx_find_node(f, node)->attrs, name, value);
}

static FX_UNUSED void fx_node_util(struct fx *f, const char *node, const char *name, const char *value)
{
	fx_nvset_add(f, &fx_find_node(f, node)->utilization, name, value);
}

static FX_UNUSED struct vg_resource *fx_rsc(struct fx *f, const char *id)
{
	f->cib.resources = fx_grow(f, f->cib.resources, &f->cap_rscs, f->cib.n_resources,
				   sizeof(struct vg_resource));
	struct vg_resource *r = &f->cib.resources[f->cib.n_resources++];

	r->id = fx_str(f, id);
	r->cls = fx_str(f, "ocf");
	r->provider = fx_str(f, "heartbeat");
	r->type = fx_str(f, "VirtualDomain");
	return r;
}

static FX_UNUSED struct vg_resource *fx_stonith(struct fx *f, const char *id)
{
	struct vg_resource *r = fx_rsc(f, id);

	r->cls = fx_str(f, "stonith");
	r->provider = NULL;
	r->type = fx_str(f, "fence_dummy");
	return r;
}

static FX_UNUSED struct vg_resource *fx_find_rsc(struct fx *f, const char *id)
{
	for (size_t i = 0; i < f->cib.n_resources; i++)
		if (!strcmp(f->cib.resources[i].id, id))
			return &f->cib.resources[i];
	abort();
}

static FX_UNUSED void fx_meta(struct fx *f, const char *rsc, const char *name, const char *value)
{
	fx_nvset_add(f, &fx_find_rsc(f, rsc)->meta, name, value);
}

static FX_UNUSED void fx_util(struct fx *f, const char *rsc, const char *name, const char *value)
{
	fx_nvset_add(f, &fx_find_rsc(f, rsc)->utilization, name, value);
}

static FX_UNUSED void fx_location(struct fx *f, const char *rsc, const char *node, int score)
{
	f->cib.locations = fx_grow(f, f->cib.locations, &f->cap_locs, f->cib.n_locations,
				   sizeof(struct vg_location));
	struct vg_location *l = &f->cib.locations[f->cib.n_locations++];

	l->id = fx_fmt(f, "loc-%s-%s", rsc, node);
	l->rsc = fx_str(f, rsc);
	l->node = fx_str(f, node);
	l->has_score = true;
	l->score = score;
}

static FX_UNUSED struct vg_location *fx_location_rule(struct fx *f, const char *rsc, int score,
					    const char *attr, enum vg_expr_op op, const char *value)
{
	f->cib.locations = fx_grow(f, f->cib.locations, &f->cap_locs, f->cib.n_locations,
				   sizeof(struct vg_location));
	struct vg_location *l = &f->cib.locations[f->cib.n_locations++];

	l->id = fx_fmt(f, "loc-%s-rule", rsc);
	l->rsc = fx_str(f, rsc);
	l->rules = fx_keep(f, calloc(1, sizeof(*l->rules)));
	l->n_rules = 1;
	l->rules[0].id = fx_fmt(f, "%s-rule", l->id);
	l->rules[0].has_score = true;
	l->rules[0].score = score;
	l->rules[0].exprs = fx_keep(f, calloc(1, sizeof(struct vg_expr)));
	l->rules[0].n_exprs = 1;
	l->rules[0].exprs[0].id = fx_fmt(f, "%s-expr", l->id);
	l->rules[0].exprs[0].attribute = fx_str(f, attr);
	l->rules[0].exprs[0].op = op;
	l->rules[0].exprs[0].value = fx_str(f, value);
	return l;
}

static FX_UNUSED void fx_colocation(struct fx *f, const char *rsc, const char *with, int score)
{
	f->cib.colocations = fx_grow(f, f->cib.colocations, &f->cap_colocs, f->cib.n_colocations,
				     sizeof(struct vg_colocation));
	struct vg_colocation *c = &f->cib.colocations[f->cib.n_colocations++];

	c->id = fx_fmt(f, "col-%s-%s", rsc, with);
	c->rsc = fx_str(f, rsc);
	c->with_rsc = fx_str(f, with);
	c->score = score;
}

static FX_UNUSED void fx_order(struct fx *f, const char *first, const char *then, enum vg_order_kind kind)
{
	f->cib.orders = fx_grow(f, f->cib.orders, &f->cap_orders, f->cib.n_orders,
				sizeof(struct vg_order));
	struct vg_order *o = &f->cib.orders[f->cib.n_orders++];

	o->id = fx_fmt(f, "ord-%s-%s", first, then);
	o->first = fx_str(f, first);
	o->then = fx_str(f, then);
	o->kind = kind;
}

/* Node state: "online" (member), "lost" (left without a clean shutdown),
 * "down" (left cleanly), "crmd-down" (in membership, daemon gone). */
static FX_UNUSED struct vg_node_state *fx_state(struct fx *f, const char *node, const char *how)
{
	struct vg_node_state *st = NULL;

	for (size_t i = 0; i < f->cib.n_node_states; i++)
		if (!strcmp(f->cib.node_states[i].uname, node))
			st = &f->cib.node_states[i];
	if (!st) {
		f->cib.node_states = fx_grow(f, f->cib.node_states, &f->cap_states,
					     f->cib.n_node_states, sizeof(struct vg_node_state));
		st = &f->cib.node_states[f->cib.n_node_states++];
		st->id = fx_str(f, node);
		st->uname = fx_str(f, node);
		st->has_lrm = true;
		st->lrm = fx_keep(f, calloc(64, sizeof(struct vg_lrm_resource)));
	}
	if (!strcmp(how, "online")) {
		st->in_ccm = fx_str(f, "true");
		st->crmd = fx_str(f, "online");
		st->join = fx_str(f, "member");
		st->expected = fx_str(f, "member");
	} else if (!strcmp(how, "lost")) {
		st->in_ccm = fx_str(f, "false");
		st->crmd = fx_str(f, "offline");
		st->join = fx_str(f, "member");
		st->expected = fx_str(f, "member");
	} else if (!strcmp(how, "crmd-down")) {
		st->in_ccm = fx_str(f, "true");
		st->crmd = fx_str(f, "offline");
		st->join = fx_str(f, "member");
		st->expected = fx_str(f, "member");
	} else {
		st->in_ccm = fx_str(f, "false");
		st->crmd = fx_str(f, "offline");
		st->join = fx_str(f, "down");
		st->expected = fx_str(f, "down");
	}
	return st;
}

static FX_UNUSED void fx_transient(struct fx *f, const char *node, const char *name, const char *value)
{
	struct vg_node_state *st = fx_state(f, node, "online");

	fx_nvset_add(f, &st->transient, name, value);
}

/* Appends an operation to @rsc's history on @node (whose state must exist). */
static FX_UNUSED struct vg_lrm_op *fx_op(struct fx *f, const char *node, const char *rsc, const char *task,
			       unsigned interval_ms, int rc, int call_id)
{
	struct vg_node_state *st = NULL;

	for (size_t i = 0; i < f->cib.n_node_states; i++)
		if (!strcmp(f->cib.node_states[i].uname, node))
			st = &f->cib.node_states[i];
	if (!st)
		abort();
	struct vg_lrm_resource *lr = NULL;

	for (size_t i = 0; i < st->n_lrm; i++)
		if (!strcmp(st->lrm[i].id, rsc))
			lr = &st->lrm[i];
	if (!lr) {
		if (st->n_lrm >= 64)
			abort();
		lr = &st->lrm[st->n_lrm++];
		lr->id = fx_str(f, rsc);
		lr->ops = fx_keep(f, calloc(16, sizeof(struct vg_lrm_op)));
	}
	if (lr->n_ops >= 16)
		abort();
	struct vg_lrm_op *op = &lr->ops[lr->n_ops++];
	bool probe = !strcmp(task, "monitor") && interval_ms == 0;

	op->id = fx_fmt(f, "%s_%s_%u", rsc, task, interval_ms);
	op->operation = fx_str(f, task);
	op->interval_ms = interval_ms;
	op->rc_code = rc;
	op->op_status = 0;
	op->call_id = call_id;
	op->transition_key = fx_fmt(f, "1:1:%d:00000000-0000-0000-0000-000000000000", probe ? 7 : 0);
	op->on_node = fx_str(f, node);
	op->has_last_rc_change = true;
	op->last_rc_change = 1000 + call_id;
	return op;
}

/* A migrate_to / migrate_from record from @src to @tgt. */
static FX_UNUSED struct vg_lrm_op *fx_migrate_op(struct fx *f, const char *node, const char *rsc,
				       const char *task, const char *src, const char *tgt,
				       int rc, int call_id)
{
	struct vg_lrm_op *op = fx_op(f, node, rsc, task, 0, rc, call_id);

	op->migrate_source = fx_str(f, src);
	op->migrate_target = fx_str(f, tgt);
	return op;
}

/* A resource running on @node: a successful start. */
static FX_UNUSED void fx_running(struct fx *f, const char *node, const char *rsc)
{
	fx_op(f, node, rsc, "start", 0, 0, 10);
}

static FX_UNUSED struct pol_transition *fx_compute_at(struct fx *f, int64_t now)
{
	struct vg_diags d = { 0 };
	struct pol_transition *tr = NULL;
	struct pol_options opt = { .want_scores = true };
	int r = pol_compute(&f->cib, now, &opt, &tr, &d);

	if (r < 0) {
		vg_diags_print(&d, "fixture", stderr);
		abort();
	}
	vg_diags_clear(&d);
	return tr;
}

static FX_UNUSED struct pol_transition *fx_compute(struct fx *f)
{
	return fx_compute_at(f, 100000);
}

static FX_UNUSED const char *fx_placed(const struct pol_transition *tr, const char *rsc)
{
	for (size_t i = 0; i < tr->n_placement; i++)
		if (!strcmp(tr->placement[i].resource, rsc))
			return tr->placement[i].node;
	abort();
}

static FX_UNUSED const struct pol_placement *fx_placement(const struct pol_transition *tr, const char *rsc)
{
	for (size_t i = 0; i < tr->n_placement; i++)
		if (!strcmp(tr->placement[i].resource, rsc))
			return &tr->placement[i];
	abort();
}

/* The transition's actions as one line each, "1 fence n3", "2 start vm1 n2 after 1",
 * "3 migrate vm2 n1>n2", joined by "; ", for readable assertions. */
static FX_UNUSED char *fx_actions(const struct pol_transition *tr)
{
	static char buf[8192];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < tr->n_actions; i++) {
		const struct pol_action *a = &tr->actions[i];

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%u %s", i ? "; " : "",
					a->id, pol_op_name(a->op));
		if (a->resource)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s", a->resource);
		if (a->op == POL_OP_MIGRATE)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s>%s", a->from, a->to);
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s", a->node);
		for (size_t j = 0; j < a->n_after; j++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%u",
						j ? "," : " after ", a->after[j]);
	}
	return buf;
}

#endif /* VIGIL_POLICY_FIXTURE_H */
