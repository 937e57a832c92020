/* cib.c - the cluster document's plain-data helpers: free, copy, compare,
 * look-ups, and the value parsers every other module shares (scores,
 * durations, booleans).  See cib.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cib.h"

/* ---- free ---- */

static void attrs_free(struct vg_attrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].value);
	}
	free(a->v);
}

static void nvsets_free(struct vg_nvsets *sets)
{
	for (size_t i = 0; i < sets->n; i++) {
		struct vg_nvset *s = &sets->v[i];
		for (size_t j = 0; j < s->n_pairs; j++) {
			free(s->pairs[j].id);
			free(s->pairs[j].name);
			free(s->pairs[j].value);
		}
		free(s->pairs);
		free(s->id);
	}
	free(sets->v);
}

static void rule_free(struct vg_rule *r)
{
	free(r->id);
	free(r->score_attribute);
	free(r->role);
	for (size_t i = 0; i < r->n_exprs; i++) {
		free(r->exprs[i].id);
		free(r->exprs[i].attribute);
		free(r->exprs[i].value);
	}
	free(r->exprs);
	for (size_t i = 0; i < r->n_rules; i++)
		rule_free(&r->rules[i]);
	free(r->rules);
}

static void op_free(struct vg_op *o)
{
	free(o->id);
	free(o->name);
	free(o->interval);
	free(o->timeout);
	free(o->role);
	free(o->on_fail);
	free(o->enabled);
	free(o->start_delay);
	free(o->description);
	nvsets_free(&o->meta);
	nvsets_free(&o->instance);
}

static void resource_free(struct vg_resource *r)
{
	free(r->id);
	free(r->cls);
	free(r->provider);
	free(r->type);
	free(r->description);
	nvsets_free(&r->instance);
	nvsets_free(&r->meta);
	nvsets_free(&r->utilization);
	free(r->ops_id);
	for (size_t i = 0; i < r->n_ops; i++)
		op_free(&r->ops[i]);
	free(r->ops);
}

static void lrm_op_free(struct vg_lrm_op *o)
{
	free(o->id);
	free(o->operation_key);
	free(o->operation);
	free(o->transition_key);
	free(o->transition_magic);
	free(o->on_node);
	free(o->migrate_source);
	free(o->migrate_target);
	attrs_free(&o->extra);
}

static void node_state_free(struct vg_node_state *ns)
{
	free(ns->id);
	free(ns->uname);
	free(ns->in_ccm);
	free(ns->crmd);
	free(ns->join);
	free(ns->expected);
	attrs_free(&ns->extra);
	nvsets_free(&ns->transient);
	free(ns->transient_id);
	free(ns->lrm_id);
	attrs_free(&ns->lrm_extra);
	free(ns->lrm_resources_id);
	for (size_t i = 0; i < ns->n_lrm; i++) {
		struct vg_lrm_resource *lr = &ns->lrm[i];
		free(lr->id);
		free(lr->cls);
		free(lr->provider);
		free(lr->type);
		attrs_free(&lr->extra);
		for (size_t j = 0; j < lr->n_ops; j++)
			lrm_op_free(&lr->ops[j]);
		free(lr->ops);
	}
	free(ns->lrm);
}

void vg_cib_free(struct vg_cib *cib)
{
	if (!cib)
		return;
	free(cib->validate_with);
	free(cib->crm_feature_set);
	free(cib->dc_uuid);
	free(cib->have_quorum);
	attrs_free(&cib->extra);
	nvsets_free(&cib->crm_config);
	for (size_t i = 0; i < cib->n_nodes; i++) {
		struct vg_node *n = &cib->nodes[i];
		free(n->id);
		free(n->uname);
		free(n->type);
		free(n->description);
		nvsets_free(&n->attrs);
		nvsets_free(&n->utilization);
	}
	free(cib->nodes);
	for (size_t i = 0; i < cib->n_resources; i++)
		resource_free(&cib->resources[i]);
	free(cib->resources);
	for (size_t i = 0; i < cib->n_locations; i++) {
		struct vg_location *l = &cib->locations[i];
		free(l->id);
		free(l->rsc);
		free(l->node);
		free(l->role);
		free(l->resource_discovery);
		for (size_t j = 0; j < l->n_rules; j++)
			rule_free(&l->rules[j]);
		free(l->rules);
	}
	free(cib->locations);
	for (size_t i = 0; i < cib->n_colocations; i++) {
		struct vg_colocation *c = &cib->colocations[i];
		free(c->id);
		free(c->rsc);
		free(c->with_rsc);
		free(c->rsc_role);
		free(c->with_rsc_role);
		free(c->node_attribute);
	}
	free(cib->colocations);
	for (size_t i = 0; i < cib->n_orders; i++) {
		struct vg_order *o = &cib->orders[i];
		free(o->id);
		free(o->first);
		free(o->then);
		free(o->first_action);
		free(o->then_action);
		free(o->symmetrical);
	}
	free(cib->orders);
	for (size_t i = 0; i < cib->n_fencing_levels; i++) {
		struct vg_fencing_level *f = &cib->fencing_levels[i];
		free(f->id);
		free(f->target);
		free(f->target_pattern);
		free(f->target_attribute);
		free(f->target_value);
		free(f->devices);
	}
	free(cib->fencing_levels);
	nvsets_free(&cib->rsc_defaults);
	nvsets_free(&cib->op_defaults);
	for (size_t i = 0; i < cib->n_node_states; i++)
		node_state_free(&cib->node_states[i]);
	free(cib->node_states);
	free(cib);
}

/* ---- copy ----
 * Each *_dup() fills a zeroed destination field by field, so that when it
 * fails half way the caller can release the partial copy with the ordinary
 * free functions. */

static int sdup(char **dst, const char *src)
{
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

#define S(field)                                             \
	do {                                                 \
		if (sdup(&d->field, s->field) < 0)           \
			return -ENOMEM;                      \
	} while (0)

/* Copies array s->arr[s->cnt] with fn(dst_elem, src_elem); d->cnt counts the
 * elements started, so a partial copy frees cleanly. */
#define A(arr, cnt, fn)                                                       \
	do {                                                                  \
		if (s->cnt) {                                                 \
			d->arr = calloc(s->cnt, sizeof(*d->arr));             \
			if (!d->arr)                                          \
				return -ENOMEM;                               \
			for (size_t i_ = 0; i_ < s->cnt; i_++) {              \
				d->cnt = i_ + 1;                              \
				if (fn(&d->arr[i_], &s->arr[i_]) < 0)         \
					return -ENOMEM;                       \
			}                                                     \
		}                                                             \
	} while (0)

static int attr_dup(struct vg_attr *d, const struct vg_attr *s)
{
	S(name);
	S(value);
	return 0;
}

static int attrs_dup(struct vg_attrs *d, const struct vg_attrs *s)
{
	A(v, n, attr_dup);
	return 0;
}

static int nvpair_dup(struct vg_nvpair *d, const struct vg_nvpair *s)
{
	d->line = s->line;
	S(id);
	S(name);
	S(value);
	return 0;
}

static int nvset_dup(struct vg_nvset *d, const struct vg_nvset *s)
{
	d->has_score = s->has_score;
	d->score = s->score;
	d->line = s->line;
	S(id);
	A(pairs, n_pairs, nvpair_dup);
	return 0;
}

static int nvsets_dup(struct vg_nvsets *d, const struct vg_nvsets *s)
{
	A(v, n, nvset_dup);
	return 0;
}

static int expr_dup(struct vg_expr *d, const struct vg_expr *s)
{
	d->op = s->op;
	d->type = s->type;
	d->line = s->line;
	S(id);
	S(attribute);
	S(value);
	return 0;
}

static int rule_dup(struct vg_rule *d, const struct vg_rule *s)
{
	d->has_score = s->has_score;
	d->score = s->score;
	d->boolean_or = s->boolean_or;
	d->line = s->line;
	S(id);
	S(score_attribute);
	S(role);
	A(exprs, n_exprs, expr_dup);
	A(rules, n_rules, rule_dup);
	return 0;
}

static int node_dup(struct vg_node *d, const struct vg_node *s)
{
	d->line = s->line;
	S(id);
	S(uname);
	S(type);
	S(description);
	if (nvsets_dup(&d->attrs, &s->attrs) < 0 ||
	    nvsets_dup(&d->utilization, &s->utilization) < 0)
		return -ENOMEM;
	return 0;
}

static int op_dup(struct vg_op *d, const struct vg_op *s)
{
	d->interval_ms = s->interval_ms;
	d->timeout_ms = s->timeout_ms;
	d->line = s->line;
	S(id);
	S(name);
	S(interval);
	S(timeout);
	S(role);
	S(on_fail);
	S(enabled);
	S(start_delay);
	S(description);
	if (nvsets_dup(&d->meta, &s->meta) < 0 || nvsets_dup(&d->instance, &s->instance) < 0)
		return -ENOMEM;
	return 0;
}

static int resource_dup(struct vg_resource *d, const struct vg_resource *s)
{
	d->line = s->line;
	S(id);
	S(cls);
	S(provider);
	S(type);
	S(description);
	S(ops_id);
	if (nvsets_dup(&d->instance, &s->instance) < 0 || nvsets_dup(&d->meta, &s->meta) < 0 ||
	    nvsets_dup(&d->utilization, &s->utilization) < 0)
		return -ENOMEM;
	A(ops, n_ops, op_dup);
	return 0;
}

static int location_dup(struct vg_location *d, const struct vg_location *s)
{
	d->has_score = s->has_score;
	d->score = s->score;
	d->line = s->line;
	S(id);
	S(rsc);
	S(node);
	S(role);
	S(resource_discovery);
	A(rules, n_rules, rule_dup);
	return 0;
}

static int colocation_dup(struct vg_colocation *d, const struct vg_colocation *s)
{
	d->score = s->score;
	d->line = s->line;
	S(id);
	S(rsc);
	S(with_rsc);
	S(rsc_role);
	S(with_rsc_role);
	S(node_attribute);
	return 0;
}

static int order_dup(struct vg_order *d, const struct vg_order *s)
{
	d->kind = s->kind;
	d->has_score = s->has_score;
	d->score = s->score;
	d->line = s->line;
	S(id);
	S(first);
	S(then);
	S(first_action);
	S(then_action);
	S(symmetrical);
	return 0;
}

static int level_dup(struct vg_fencing_level *d, const struct vg_fencing_level *s)
{
	d->index = s->index;
	d->line = s->line;
	S(id);
	S(target);
	S(target_pattern);
	S(target_attribute);
	S(target_value);
	S(devices);
	return 0;
}

static int lrm_op_dup(struct vg_lrm_op *d, const struct vg_lrm_op *s)
{
	d->call_id = s->call_id;
	d->rc_code = s->rc_code;
	d->op_status = s->op_status;
	d->interval_ms = s->interval_ms;
	d->has_last_rc_change = s->has_last_rc_change;
	d->last_rc_change = s->last_rc_change;
	d->has_last_run = s->has_last_run;
	d->last_run = s->last_run;
	d->line = s->line;
	S(id);
	S(operation_key);
	S(operation);
	S(transition_key);
	S(transition_magic);
	S(on_node);
	S(migrate_source);
	S(migrate_target);
	return attrs_dup(&d->extra, &s->extra);
}

static int lrm_resource_dup(struct vg_lrm_resource *d, const struct vg_lrm_resource *s)
{
	d->line = s->line;
	S(id);
	S(cls);
	S(provider);
	S(type);
	if (attrs_dup(&d->extra, &s->extra) < 0)
		return -ENOMEM;
	A(ops, n_ops, lrm_op_dup);
	return 0;
}

static int node_state_dup(struct vg_node_state *d, const struct vg_node_state *s)
{
	d->has_lrm = s->has_lrm;
	d->line = s->line;
	S(id);
	S(uname);
	S(in_ccm);
	S(crmd);
	S(join);
	S(expected);
	S(transient_id);
	S(lrm_id);
	S(lrm_resources_id);
	if (attrs_dup(&d->extra, &s->extra) < 0 || nvsets_dup(&d->transient, &s->transient) < 0 ||
	    attrs_dup(&d->lrm_extra, &s->lrm_extra) < 0)
		return -ENOMEM;
	A(lrm, n_lrm, lrm_resource_dup);
	return 0;
}

static int cib_dup(struct vg_cib *d, const struct vg_cib *s)
{
	d->admin_epoch = s->admin_epoch;
	d->epoch = s->epoch;
	d->num_updates = s->num_updates;
	d->has_fencing_topology = s->has_fencing_topology;
	S(validate_with);
	S(crm_feature_set);
	S(dc_uuid);
	S(have_quorum);
	if (attrs_dup(&d->extra, &s->extra) < 0 || nvsets_dup(&d->crm_config, &s->crm_config) < 0 ||
	    nvsets_dup(&d->rsc_defaults, &s->rsc_defaults) < 0 ||
	    nvsets_dup(&d->op_defaults, &s->op_defaults) < 0)
		return -ENOMEM;
	A(nodes, n_nodes, node_dup);
	A(resources, n_resources, resource_dup);
	A(locations, n_locations, location_dup);
	A(colocations, n_colocations, colocation_dup);
	A(orders, n_orders, order_dup);
	A(fencing_levels, n_fencing_levels, level_dup);
	A(node_states, n_node_states, node_state_dup);
	return 0;
}

#undef S
#undef A

int vg_cib_dup(const struct vg_cib *cib, struct vg_cib **ret_copy)
{
	struct vg_cib *copy = calloc(1, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	int r = cib_dup(copy, cib);
	if (r < 0) {
		vg_cib_free(copy);
		return r;
	}
	*ret_copy = copy;
	return 0;
}

/* ---- compare ---- */

static bool seq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

#define S(field)                             \
	do {                                 \
		if (!seq(a->field, b->field)) \
			return false;        \
	} while (0)
#define V(field)                             \
	do {                                 \
		if (a->field != b->field)    \
			return false;        \
	} while (0)
#define A(arr, cnt, fn)                                           \
	do {                                                      \
		if (a->cnt != b->cnt)                             \
			return false;                             \
		for (size_t i_ = 0; i_ < a->cnt; i_++)            \
			if (!fn(&a->arr[i_], &b->arr[i_]))        \
				return false;                     \
	} while (0)

/* Bookkeeping attributes compare as a set: their order is Pacemaker's
 * business, and the writer puts them in its canonical order. */
static bool attrs_eq(const struct vg_attrs *a, const struct vg_attrs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const char *v = vg_attrs_get(b, a->v[i].name);
		if (!v || !seq(v, a->v[i].value))
			return false;
	}
	return true;
}

static bool nvpair_eq(const struct vg_nvpair *a, const struct vg_nvpair *b)
{
	S(id);
	S(name);
	S(value);
	return true;
}

static bool nvset_eq(const struct vg_nvset *a, const struct vg_nvset *b)
{
	S(id);
	V(has_score);
	if (a->has_score)
		V(score);
	A(pairs, n_pairs, nvpair_eq);
	return true;
}

static bool nvsets_eq(const struct vg_nvsets *a, const struct vg_nvsets *b)
{
	A(v, n, nvset_eq);
	return true;
}

static bool expr_eq(const struct vg_expr *a, const struct vg_expr *b)
{
	S(id);
	S(attribute);
	V(op);
	S(value);
	V(type);
	return true;
}

static bool rule_eq(const struct vg_rule *a, const struct vg_rule *b)
{
	S(id);
	V(has_score);
	if (a->has_score)
		V(score);
	S(score_attribute);
	V(boolean_or);
	S(role);
	A(exprs, n_exprs, expr_eq);
	A(rules, n_rules, rule_eq);
	return true;
}

static bool node_eq(const struct vg_node *a, const struct vg_node *b)
{
	S(id);
	S(uname);
	S(type);
	S(description);
	return nvsets_eq(&a->attrs, &b->attrs) && nvsets_eq(&a->utilization, &b->utilization);
}

static bool op_eq(const struct vg_op *a, const struct vg_op *b)
{
	S(id);
	S(name);
	S(interval);
	V(interval_ms);
	S(timeout);
	V(timeout_ms);
	S(role);
	S(on_fail);
	S(enabled);
	S(start_delay);
	S(description);
	return nvsets_eq(&a->meta, &b->meta) && nvsets_eq(&a->instance, &b->instance);
}

static bool resource_eq(const struct vg_resource *a, const struct vg_resource *b)
{
	S(id);
	S(cls);
	S(provider);
	S(type);
	S(description);
	S(ops_id);
	if (!nvsets_eq(&a->instance, &b->instance) || !nvsets_eq(&a->meta, &b->meta) ||
	    !nvsets_eq(&a->utilization, &b->utilization))
		return false;
	A(ops, n_ops, op_eq);
	return true;
}

static bool location_eq(const struct vg_location *a, const struct vg_location *b)
{
	S(id);
	S(rsc);
	S(node);
	V(has_score);
	if (a->has_score)
		V(score);
	S(role);
	S(resource_discovery);
	A(rules, n_rules, rule_eq);
	return true;
}

static bool colocation_eq(const struct vg_colocation *a, const struct vg_colocation *b)
{
	S(id);
	S(rsc);
	S(with_rsc);
	V(score);
	S(rsc_role);
	S(with_rsc_role);
	S(node_attribute);
	return true;
}

static bool order_eq(const struct vg_order *a, const struct vg_order *b)
{
	S(id);
	S(first);
	S(then);
	S(first_action);
	S(then_action);
	V(kind);
	V(has_score);
	if (a->has_score)
		V(score);
	S(symmetrical);
	return true;
}

static bool level_eq(const struct vg_fencing_level *a, const struct vg_fencing_level *b)
{
	S(id);
	S(target);
	S(target_pattern);
	S(target_attribute);
	S(target_value);
	V(index);
	S(devices);
	return true;
}

static bool lrm_op_eq(const struct vg_lrm_op *a, const struct vg_lrm_op *b)
{
	S(id);
	S(operation_key);
	S(operation);
	S(transition_key);
	S(transition_magic);
	V(call_id);
	V(rc_code);
	V(op_status);
	V(interval_ms);
	V(has_last_rc_change);
	if (a->has_last_rc_change)
		V(last_rc_change);
	V(has_last_run);
	if (a->has_last_run)
		V(last_run);
	S(on_node);
	S(migrate_source);
	S(migrate_target);
	return attrs_eq(&a->extra, &b->extra);
}

static bool lrm_resource_eq(const struct vg_lrm_resource *a, const struct vg_lrm_resource *b)
{
	S(id);
	S(cls);
	S(provider);
	S(type);
	if (!attrs_eq(&a->extra, &b->extra))
		return false;
	A(ops, n_ops, lrm_op_eq);
	return true;
}

static bool node_state_eq(const struct vg_node_state *a, const struct vg_node_state *b)
{
	S(id);
	S(uname);
	S(in_ccm);
	S(crmd);
	S(join);
	S(expected);
	if (!attrs_eq(&a->extra, &b->extra) || !nvsets_eq(&a->transient, &b->transient))
		return false;
	S(transient_id);
	V(has_lrm);
	S(lrm_id);
	if (!attrs_eq(&a->lrm_extra, &b->lrm_extra))
		return false;
	S(lrm_resources_id);
	A(lrm, n_lrm, lrm_resource_eq);
	return true;
}

bool vg_cib_equal(const struct vg_cib *a, const struct vg_cib *b)
{
	if (!a || !b)
		return a == b;
	V(admin_epoch);
	V(epoch);
	V(num_updates);
	S(validate_with);
	S(crm_feature_set);
	S(dc_uuid);
	S(have_quorum);
	if (!attrs_eq(&a->extra, &b->extra) || !nvsets_eq(&a->crm_config, &b->crm_config))
		return false;
	A(nodes, n_nodes, node_eq);
	A(resources, n_resources, resource_eq);
	A(locations, n_locations, location_eq);
	A(colocations, n_colocations, colocation_eq);
	A(orders, n_orders, order_eq);
	V(has_fencing_topology);
	A(fencing_levels, n_fencing_levels, level_eq);
	if (!nvsets_eq(&a->rsc_defaults, &b->rsc_defaults) ||
	    !nvsets_eq(&a->op_defaults, &b->op_defaults))
		return false;
	A(node_states, n_node_states, node_state_eq);
	return true;
}

#undef S
#undef V
#undef A

/* ---- look-ups ---- */

const char *vg_nvsets_get(const struct vg_nvsets *sets, const char *name)
{
	const char *best = NULL;
	vg_score_t best_score = 0;
	for (size_t i = 0; i < sets->n; i++) {
		const struct vg_nvset *s = &sets->v[i];
		vg_score_t score = s->has_score ? s->score : 0;
		if (best && score <= best_score)
			continue;
		for (size_t j = 0; j < s->n_pairs; j++) {
			const struct vg_nvpair *p = &s->pairs[j];
			if (p->value && p->name && !strcmp(p->name, name)) {
				best = p->value;
				best_score = score;
				break;
			}
		}
	}
	return best;
}

const char *vg_attrs_get(const struct vg_attrs *attrs, const char *name)
{
	for (size_t i = 0; i < attrs->n; i++)
		if (!strcmp(attrs->v[i].name, name))
			return attrs->v[i].value;
	return NULL;
}

/* ---- value parsers ---- */

int vg_score_parse(const char *s, vg_score_t *ret_score)
{
	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "INFINITY") || !strcasecmp(s, "+INFINITY")) {
		*ret_score = VG_SCORE_INFINITY;
		return 0;
	}
	if (!strcasecmp(s, "-INFINITY")) {
		*ret_score = -VG_SCORE_INFINITY;
		return 0;
	}
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return -EINVAL;
	/* Digits only from here: clamp however long the number is. */
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (v > VG_SCORE_INFINITY || (errno == ERANGE && v > 0))
		v = VG_SCORE_INFINITY;
	else if (v < -VG_SCORE_INFINITY)
		v = -VG_SCORE_INFINITY;
	*ret_score = (vg_score_t)v;
	return 0;
}

vg_score_t vg_score_add(vg_score_t a, vg_score_t b)
{
	if (a <= -VG_SCORE_INFINITY || b <= -VG_SCORE_INFINITY)
		return -VG_SCORE_INFINITY;
	if (a >= VG_SCORE_INFINITY || b >= VG_SCORE_INFINITY)
		return VG_SCORE_INFINITY;
	/* Both strictly inside +/-INFINITY: the sum fits an int (1e6 << 2^31). */
	int sum = a + b;
	if (sum >= VG_SCORE_INFINITY)
		return VG_SCORE_INFINITY;
	if (sum <= -VG_SCORE_INFINITY)
		return -VG_SCORE_INFINITY;
	return sum;
}

/* Reads decimal digits at *p into *ret; -EINVAL when there are none, -ERANGE
 * when they overflow. */
static int scan_u64(const char **p, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*p = s;
	*ret = v;
	return 0;
}

static int mul_add(uint64_t *acc, uint64_t n, uint64_t unit_ms)
{
	if (n && unit_ms > UINT64_MAX / n)
		return -ERANGE;
	if (*acc > UINT64_MAX - n * unit_ms)
		return -ERANGE;
	*acc += n * unit_ms;
	return 0;
}

/* ISO 8601 duration, read the way Pacemaker's crm_time_parse_duration() does:
 * a number then a unit, repeated, units in any order, 'T' switching 'M' from
 * months to minutes.  Months and years are refused (their length depends on
 * the calendar). */
static int iso_duration_parse(const char *s, uint64_t *ret_ms)
{
	uint64_t ms = 0;
	bool is_time = false, any = false;
	for (const char *p = s + 1; *p;) {
		if (*p == 'T') {
			if (is_time)
				return -EINVAL;
			is_time = true;
			p++;
			continue;
		}
		uint64_t n;
		int r = scan_u64(&p, &n);
		if (r < 0)
			return r;
		uint64_t unit;
		switch (*p) {
		case 'W':
			unit = 7ull * 86400000ull;
			break;
		case 'D':
			unit = 86400000ull;
			break;
		case 'H':
			unit = 3600000ull;
			break;
		case 'M':
			if (!is_time)
				return -EINVAL; /* months */
			unit = 60000ull;
			break;
		case 'S':
			unit = 1000ull;
			break;
		default:
			return -EINVAL; /* years, fractions, no unit */
		}
		p++;
		r = mul_add(&ms, n, unit);
		if (r < 0)
			return r;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*ret_ms = ms;
	return 0;
}

int vg_duration_parse(const char *s, uint64_t *ret_ms)
{
	if (!s)
		return -EINVAL;
	if (s[0] == 'P')
		return iso_duration_parse(s, ret_ms);

	const char *p = s;
	while (*p == ' ' || *p == '\t')
		p++;
	uint64_t n;
	int r = scan_u64(&p, &n);
	if (r < 0)
		return r;
	while (*p == ' ' || *p == '\t')
		p++;

	static const struct {
		const char *name;
		uint64_t mul, div;
	} units[] = {
		{ "", 1000, 1 },     { "ms", 1, 1 },      { "msec", 1, 1 },
		{ "us", 1, 1000 },   { "usec", 1, 1000 }, { "s", 1000, 1 },
		{ "sec", 1000, 1 },  { "m", 60000, 1 },   { "min", 60000, 1 },
		{ "h", 3600000, 1 }, { "hr", 3600000, 1 },
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(p, units[i].name))
			continue;
		uint64_t ms = 0;
		r = mul_add(&ms, n / units[i].div, units[i].mul);
		if (r < 0)
			return r;
		*ret_ms = ms;
		return 0;
	}
	return -EINVAL;
}

int vg_bool_parse(const char *s, bool *ret_value)
{
	static const char *const yes[] = { "true", "on", "yes", "y", "1" };
	static const char *const no[] = { "false", "off", "no", "n", "0" };
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*ret_value = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*ret_value = false;
			return 0;
		}
	}
	return -EINVAL;
}
