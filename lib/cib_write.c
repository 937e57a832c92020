/*
 * cib_write.c - the cluster document as canonical XML.
 *
 * Canonical means: one output for one set of structs.  Elements come in a
 * fixed order (configuration: crm_config, nodes, resources, constraints,
 * fencing-topology, rsc_defaults, op_defaults; constraints: locations, then
 * colocations, then orders), each array in its own order; attributes in the
 * order of lib/cib_spec.c, which is the order Pacemaker writes them; two
 * spaces of indentation per level, one element per line, a final newline,
 * no XML declaration (Pacemaker writes none).  Because the reader keeps every
 * value as written, read -> write is a fixed point after one round.
 *
 * The writer does not use libxml2: building a tree for a 20 MB status section
 * only to serialise it would double the memory and the time.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cib_spec.h"
#include "cib_xml.h"

struct wr {
	char *buf;
	size_t len, cap;
	int err;                /* first failure, sticky */
};

static void put(struct wr *w, const char *s, size_t n)
{
	if (w->err)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		while (w->len + n + 1 > cap)
			cap *= 2;
		char *b = realloc(w->buf, cap);
		if (!b) {
			w->err = -ENOMEM;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct wr *w, const char *s)
{
	put(w, s, strlen(s));
}

static void indent(struct wr *w, int depth)
{
	static const char spaces[] = "                                                ";
	size_t n = (size_t)depth * 2;
	while (n > sizeof(spaces) - 1) {
		put(w, spaces, sizeof(spaces) - 1);
		n -= sizeof(spaces) - 1;
	}
	put(w, spaces, n);
}

/* Length of the UTF-8 sequence at @s, 0 when it is not valid UTF-8 (overlong
 * forms, surrogates and values past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min, cp;
	if ((c & 0xe0) == 0xc0) {
		n = 2, min = 0x80, cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, min = 0x800, cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, min = 0x10000, cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* An attribute value, escaped so that the reader gives back the same bytes
 * (tabs and newlines as character references: attribute-value normalisation
 * would turn raw ones into spaces). */
static void put_escaped(struct wr *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;
	while (*p) {
		const char *rep = NULL;
		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\t': rep = "&#9;"; break;
		case '\n': rep = "&#10;"; break;
		case '\r': rep = "&#13;"; break;
		default: break;
		}
		if (rep) {
			put(w, (const char *)run, (size_t)(p - run));
			puts_(w, rep);
			run = ++p;
			continue;
		}
		if (*p < 0x20) {
			/* Not representable in XML 1.0, even escaped. */
			if (!w->err)
				w->err = -EINVAL;
			return;
		}
		size_t n = utf8_len(p);
		if (!n) {
			if (!w->err)
				w->err = -EINVAL;
			return;
		}
		p += n;
	}
	put(w, (const char *)run, (size_t)(p - run));
}

static void attr(struct wr *w, const char *name, const char *value)
{
	if (!value)
		return;
	put(w, " ", 1);
	puts_(w, name);
	put(w, "=\"", 2);
	put_escaped(w, value);
	put(w, "\"", 1);
}

static void open_tag(struct wr *w, int depth, const char *name)
{
	indent(w, depth);
	put(w, "<", 1);
	puts_(w, name);
}

/* Ends the start tag: "/>" when the element has no children. */
static void end_open(struct wr *w, bool has_children)
{
	if (has_children)
		put(w, ">\n", 2);
	else
		put(w, "/>\n", 3);
}

static void close_tag(struct wr *w, int depth, const char *name)
{
	indent(w, depth);
	put(w, "</", 2);
	puts_(w, name);
	put(w, ">\n", 2);
}

/* Emits the attributes of @spec in its order: fields from @vals, extras from
 * @extra; then extras the spec does not know (built in memory), as stored. */
static void spec_attrs(struct wr *w, const struct vg_spec *spec, const char *const *vals,
		       const struct vg_attrs *extra)
{
	for (size_t i = 0; i < spec->n_attrs; i++) {
		const char *v = spec->attrs[i].extra ? (extra ? vg_attrs_get(extra, spec->attrs[i].name)
							      : NULL)
						     : vals[i];
		attr(w, spec->attrs[i].name, v);
	}
	if (!extra)
		return;
	for (size_t i = 0; i < extra->n; i++) {
		size_t j = 0;
		while (j < spec->n_attrs && strcmp(spec->attrs[j].name, extra->v[i].name))
			j++;
		if (j == spec->n_attrs)
			attr(w, extra->v[i].name, extra->v[i].value);
	}
}

struct num {
	char s[24];
};

static const char *fmt_ll(struct num *n, long long v)
{
	snprintf(n->s, sizeof(n->s), "%lld", v);
	return n->s;
}

static const char *fmt_score(struct num *n, vg_score_t v)
{
	if (v >= VG_SCORE_INFINITY)
		return "INFINITY";
	if (v <= -VG_SCORE_INFINITY)
		return "-INFINITY";
	return fmt_ll(n, v);
}

/* ---- configuration ---- */

static void write_nvset(struct wr *w, int depth, const char *elem, const struct vg_nvset *s)
{
	struct num sc;
	const char *vals[2] = { s->id, s->has_score ? fmt_score(&sc, s->score) : NULL };
	open_tag(w, depth, elem);
	spec_attrs(w, &vg_spec_nvset, vals, NULL);
	end_open(w, s->n_pairs > 0);
	for (size_t i = 0; i < s->n_pairs; i++) {
		const struct vg_nvpair *p = &s->pairs[i];
		const char *pv[3] = { p->id, p->name, p->value };
		open_tag(w, depth + 1, "nvpair");
		spec_attrs(w, &vg_spec_nvpair, pv, NULL);
		end_open(w, false);
	}
	if (s->n_pairs)
		close_tag(w, depth, elem);
}

static void write_nvsets(struct wr *w, int depth, const char *elem, const struct vg_nvsets *sets)
{
	for (size_t i = 0; i < sets->n; i++)
		write_nvset(w, depth, elem, &sets->v[i]);
}

/* A section element holding only nvsets (crm_config, rsc_defaults, ...). */
static void write_section(struct wr *w, int depth, const char *elem, const char *set_elem,
			  const struct vg_nvsets *sets)
{
	open_tag(w, depth, elem);
	end_open(w, sets->n > 0);
	write_nvsets(w, depth + 1, set_elem, sets);
	if (sets->n)
		close_tag(w, depth, elem);
}

static void write_node(struct wr *w, int depth, const struct vg_node *n)
{
	const char *vals[4] = { n->id, n->uname, n->type, n->description };
	bool kids = n->attrs.n || n->utilization.n;
	open_tag(w, depth, "node");
	spec_attrs(w, &vg_spec_node, vals, NULL);
	end_open(w, kids);
	write_nvsets(w, depth + 1, "instance_attributes", &n->attrs);
	write_nvsets(w, depth + 1, "utilization", &n->utilization);
	if (kids)
		close_tag(w, depth, "node");
}

static void write_op(struct wr *w, int depth, const struct vg_op *op)
{
	struct num iv;
	const char *interval = op->interval ? op->interval
					    : fmt_ll(&iv, (long long)(op->interval_ms / 1000));
	struct num tv;
	const char *timeout = op->timeout ? op->timeout
			      : op->timeout_ms ? (snprintf(tv.s, sizeof(tv.s), "%" PRIu64 "ms",
							   op->timeout_ms),
						  tv.s)
					       : NULL;
	if (!op->interval && op->interval_ms % 1000) {
		snprintf(iv.s, sizeof(iv.s), "%" PRIu64 "ms", op->interval_ms);
		interval = iv.s;
	}
	const char *vals[9] = { op->id,	     op->name,	  interval,	    timeout,
				op->role,    op->on_fail, op->enabled,	    op->start_delay,
				op->description };
	bool kids = op->meta.n || op->instance.n;
	open_tag(w, depth, "op");
	spec_attrs(w, &vg_spec_op, vals, NULL);
	end_open(w, kids);
	write_nvsets(w, depth + 1, "meta_attributes", &op->meta);
	write_nvsets(w, depth + 1, "instance_attributes", &op->instance);
	if (kids)
		close_tag(w, depth, "op");
}

static void write_primitive(struct wr *w, int depth, const struct vg_resource *r)
{
	const char *vals[5] = { r->id, r->cls, r->provider, r->type, r->description };
	bool has_ops = r->n_ops || r->ops_id;
	bool kids = r->instance.n || r->meta.n || r->utilization.n || has_ops;
	open_tag(w, depth, "primitive");
	spec_attrs(w, &vg_spec_primitive, vals, NULL);
	end_open(w, kids);
	write_nvsets(w, depth + 1, "instance_attributes", &r->instance);
	write_nvsets(w, depth + 1, "meta_attributes", &r->meta);
	write_nvsets(w, depth + 1, "utilization", &r->utilization);
	if (has_ops) {
		const char *ov[1] = { r->ops_id };
		open_tag(w, depth + 1, "operations");
		spec_attrs(w, &vg_spec_id_only, ov, NULL);
		end_open(w, r->n_ops > 0);
		for (size_t i = 0; i < r->n_ops; i++)
			write_op(w, depth + 2, &r->ops[i]);
		if (r->n_ops)
			close_tag(w, depth + 1, "operations");
	}
	if (kids)
		close_tag(w, depth, "primitive");
}

static const char *expr_op_name(enum vg_expr_op op)
{
	switch (op) {
	case VG_EXPR_EQ: return "eq";
	case VG_EXPR_NE: return "ne";
	case VG_EXPR_LT: return "lt";
	case VG_EXPR_GT: return "gt";
	case VG_EXPR_LTE: return "lte";
	case VG_EXPR_GTE: return "gte";
	case VG_EXPR_DEFINED: return "defined";
	case VG_EXPR_NOT_DEFINED: return "not_defined";
	}
	return "eq";
}

static const char *expr_type_name(enum vg_expr_type t)
{
	switch (t) {
	case VG_EXPR_TYPE_DEFAULT: return NULL;
	case VG_EXPR_TYPE_STRING: return "string";
	case VG_EXPR_TYPE_INTEGER: return "integer";
	case VG_EXPR_TYPE_NUMBER: return "number";
	case VG_EXPR_TYPE_VERSION: return "version";
	}
	return NULL;
}

static void write_rule(struct wr *w, int depth, const struct vg_rule *r)
{
	struct num sc;
	const char *vals[5] = { r->id, r->has_score ? fmt_score(&sc, r->score) : NULL,
				r->score_attribute, r->boolean_or ? "or" : NULL, r->role };
	bool kids = r->n_exprs || r->n_rules;
	open_tag(w, depth, "rule");
	spec_attrs(w, &vg_spec_rule, vals, NULL);
	end_open(w, kids);
	for (size_t i = 0; i < r->n_exprs; i++) {
		const struct vg_expr *e = &r->exprs[i];
		const char *ev[5] = { e->id, e->attribute, expr_op_name(e->op), e->value,
				      expr_type_name(e->type) };
		open_tag(w, depth + 1, "expression");
		spec_attrs(w, &vg_spec_expression, ev, NULL);
		end_open(w, false);
	}
	for (size_t i = 0; i < r->n_rules; i++)
		write_rule(w, depth + 1, &r->rules[i]);
	if (kids)
		close_tag(w, depth, "rule");
}

static void write_location(struct wr *w, int depth, const struct vg_location *l)
{
	struct num sc;
	const char *vals[6] = { l->id,	 l->rsc,
				l->role, l->node,
				l->has_score ? fmt_score(&sc, l->score) : NULL,
				l->resource_discovery };
	open_tag(w, depth, "rsc_location");
	spec_attrs(w, &vg_spec_location, vals, NULL);
	end_open(w, l->n_rules > 0);
	for (size_t i = 0; i < l->n_rules; i++)
		write_rule(w, depth + 1, &l->rules[i]);
	if (l->n_rules)
		close_tag(w, depth, "rsc_location");
}

static void write_colocation(struct wr *w, int depth, const struct vg_colocation *c)
{
	struct num sc;
	const char *vals[7] = { c->id,		 c->rsc,	    c->rsc_role,
				c->with_rsc,	 c->with_rsc_role, c->node_attribute,
				fmt_score(&sc, c->score) };
	open_tag(w, depth, "rsc_colocation");
	spec_attrs(w, &vg_spec_colocation, vals, NULL);
	end_open(w, false);
}

static const char *order_kind_name(enum vg_order_kind k)
{
	switch (k) {
	case VG_ORDER_UNSET: return NULL;
	case VG_ORDER_MANDATORY: return "Mandatory";
	case VG_ORDER_OPTIONAL: return "Optional";
	case VG_ORDER_SERIALIZE: return "Serialize";
	}
	return NULL;
}

static void write_order(struct wr *w, int depth, const struct vg_order *o)
{
	struct num sc;
	const char *vals[8] = { o->id,
				o->first,
				o->first_action,
				o->then,
				o->then_action,
				order_kind_name(o->kind),
				o->has_score ? fmt_score(&sc, o->score) : NULL,
				o->symmetrical };
	open_tag(w, depth, "rsc_order");
	spec_attrs(w, &vg_spec_order, vals, NULL);
	end_open(w, false);
}

static void write_level(struct wr *w, int depth, const struct vg_fencing_level *l)
{
	struct num ix;
	const char *vals[7] = { l->id,		     l->target,	      l->target_pattern,
				l->target_attribute, l->target_value, fmt_ll(&ix, l->index),
				l->devices };
	open_tag(w, depth, "fencing-level");
	spec_attrs(w, &vg_spec_level, vals, NULL);
	end_open(w, false);
}

static void write_configuration(struct wr *w, int depth, const struct vg_cib *cib)
{
	open_tag(w, depth, "configuration");
	end_open(w, true);
	int d = depth + 1;
	write_section(w, d, "crm_config", "cluster_property_set", &cib->crm_config);

	open_tag(w, d, "nodes");
	end_open(w, cib->n_nodes > 0);
	for (size_t i = 0; i < cib->n_nodes; i++)
		write_node(w, d + 1, &cib->nodes[i]);
	if (cib->n_nodes)
		close_tag(w, d, "nodes");

	open_tag(w, d, "resources");
	end_open(w, cib->n_resources > 0);
	for (size_t i = 0; i < cib->n_resources; i++)
		write_primitive(w, d + 1, &cib->resources[i]);
	if (cib->n_resources)
		close_tag(w, d, "resources");

	bool cons = cib->n_locations || cib->n_colocations || cib->n_orders;
	open_tag(w, d, "constraints");
	end_open(w, cons);
	for (size_t i = 0; i < cib->n_locations; i++)
		write_location(w, d + 1, &cib->locations[i]);
	for (size_t i = 0; i < cib->n_colocations; i++)
		write_colocation(w, d + 1, &cib->colocations[i]);
	for (size_t i = 0; i < cib->n_orders; i++)
		write_order(w, d + 1, &cib->orders[i]);
	if (cons)
		close_tag(w, d, "constraints");

	if (cib->has_fencing_topology || cib->n_fencing_levels) {
		open_tag(w, d, "fencing-topology");
		end_open(w, cib->n_fencing_levels > 0);
		for (size_t i = 0; i < cib->n_fencing_levels; i++)
			write_level(w, d + 1, &cib->fencing_levels[i]);
		if (cib->n_fencing_levels)
			close_tag(w, d, "fencing-topology");
	}
	if (cib->rsc_defaults.n)
		write_section(w, d, "rsc_defaults", "meta_attributes", &cib->rsc_defaults);
	if (cib->op_defaults.n)
		write_section(w, d, "op_defaults", "meta_attributes", &cib->op_defaults);
	close_tag(w, depth, "configuration");
}

/* ---- status ---- */

static void write_lrm_op(struct wr *w, int depth, const struct vg_lrm_op *o)
{
	struct num call, rc, st, iv, run, chg;
	const char *vals[VG_SPEC_MAX_ATTRS] = { 0 };
	vals[LO_ID] = o->id;
	vals[LO_OPERATION_KEY] = o->operation_key;
	vals[LO_OPERATION] = o->operation;
	vals[LO_TRANSITION_KEY] = o->transition_key;
	vals[LO_TRANSITION_MAGIC] = o->transition_magic;
	vals[LO_ON_NODE] = o->on_node;
	vals[LO_CALL_ID] = fmt_ll(&call, o->call_id);
	vals[LO_RC_CODE] = fmt_ll(&rc, o->rc_code);
	vals[LO_OP_STATUS] = fmt_ll(&st, o->op_status);
	vals[LO_INTERVAL] = fmt_ll(&iv, (long long)o->interval_ms);
	vals[LO_LAST_RUN] = o->has_last_run ? fmt_ll(&run, o->last_run) : NULL;
	vals[LO_LAST_RC_CHANGE] = o->has_last_rc_change ? fmt_ll(&chg, o->last_rc_change) : NULL;
	vals[LO_MIGRATE_SOURCE] = o->migrate_source;
	vals[LO_MIGRATE_TARGET] = o->migrate_target;
	open_tag(w, depth, "lrm_rsc_op");
	spec_attrs(w, &vg_spec_lrm_rsc_op, vals, &o->extra);
	end_open(w, false);
}

static void write_node_state(struct wr *w, int depth, const struct vg_node_state *ns)
{
	const char *vals[VG_SPEC_MAX_ATTRS] = { 0 };
	vals[NS_ID] = ns->id;
	vals[NS_UNAME] = ns->uname;
	vals[NS_IN_CCM] = ns->in_ccm;
	vals[NS_CRMD] = ns->crmd;
	vals[NS_JOIN] = ns->join;
	vals[NS_EXPECTED] = ns->expected;
	bool has_ta = ns->transient_id || ns->transient.n;
	bool kids = has_ta || ns->has_lrm;
	open_tag(w, depth, "node_state");
	spec_attrs(w, &vg_spec_node_state, vals, &ns->extra);
	end_open(w, kids);
	int d = depth + 1;
	if (has_ta) {
		const char *tv[1] = { ns->transient_id };
		open_tag(w, d, "transient_attributes");
		spec_attrs(w, &vg_spec_id_only, tv, NULL);
		end_open(w, ns->transient.n > 0);
		write_nvsets(w, d + 1, "instance_attributes", &ns->transient);
		if (ns->transient.n)
			close_tag(w, d, "transient_attributes");
	}
	if (ns->has_lrm) {
		const char *lv[2] = { ns->lrm_id, NULL };
		open_tag(w, d, "lrm");
		spec_attrs(w, &vg_spec_lrm, lv, &ns->lrm_extra);
		end_open(w, true);
		const char *rv[1] = { ns->lrm_resources_id };
		open_tag(w, d + 1, "lrm_resources");
		spec_attrs(w, &vg_spec_id_only, rv, NULL);
		end_open(w, ns->n_lrm > 0);
		for (size_t i = 0; i < ns->n_lrm; i++) {
			const struct vg_lrm_resource *r = &ns->lrm[i];
			const char *vr[5] = { r->id, r->type, r->cls, r->provider, NULL };
			open_tag(w, d + 2, "lrm_resource");
			spec_attrs(w, &vg_spec_lrm_resource, vr, &r->extra);
			end_open(w, r->n_ops > 0);
			for (size_t j = 0; j < r->n_ops; j++)
				write_lrm_op(w, d + 3, &r->ops[j]);
			if (r->n_ops)
				close_tag(w, d + 2, "lrm_resource");
		}
		if (ns->n_lrm)
			close_tag(w, d + 1, "lrm_resources");
		close_tag(w, d, "lrm");
	}
	if (kids)
		close_tag(w, depth, "node_state");
}

int vg_cib_write(const struct vg_cib *cib, char **ret_buf, size_t *ret_len)
{
	struct wr w = { 0 };
	struct num e1, e2, e3;
	const char *vals[VG_SPEC_MAX_ATTRS] = { 0 };
	vals[CIB_FEATURE_SET] = cib->crm_feature_set;
	vals[CIB_VALIDATE_WITH] = cib->validate_with;
	vals[CIB_EPOCH] = fmt_ll(&e1, cib->epoch);
	vals[CIB_NUM_UPDATES] = fmt_ll(&e2, cib->num_updates);
	vals[CIB_ADMIN_EPOCH] = fmt_ll(&e3, cib->admin_epoch);
	vals[CIB_HAVE_QUORUM] = cib->have_quorum;
	vals[CIB_DC_UUID] = cib->dc_uuid;
	open_tag(&w, 0, "cib");
	spec_attrs(&w, &vg_spec_cib, vals, &cib->extra);
	end_open(&w, true);
	write_configuration(&w, 1, cib);
	open_tag(&w, 1, "status");
	end_open(&w, cib->n_node_states > 0);
	for (size_t i = 0; i < cib->n_node_states; i++)
		write_node_state(&w, 2, &cib->node_states[i]);
	if (cib->n_node_states)
		close_tag(&w, 1, "status");
	close_tag(&w, 0, "cib");
	if (w.err) {
		free(w.buf);
		return w.err;
	}
	*ret_buf = w.buf;
	*ret_len = w.len;
	return 0;
}
