/*
 * cib_read.c - the cluster document from XML: hardened parsing, then one pass
 * that refuses what we do not support and fills the structs, then our RelaxNG
 * schema, then vg_cib_check().  See cib_xml.h and doc/cib.md.
 *
 * Why one pass does both "unsupported" and "fill": libxml2's RelaxNG messages
 * ("Element primitive failed to validate content") do not say what is wrong,
 * and the structs need every value parsed anyway.  So the pass below names the
 * unsupported element or attribute, the missing attribute or the bad value
 * itself.  The schema still has the last word: a document that passes the pass
 * but not the schema is refused with the schema's messages.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "cib_schema.h"
#include "cib_spec.h"
#include "cib_xml.h"

/* Diagnostics from one document stop after this many: past it, the rest is
 * noise and a hostile input could make us build a huge list. */
#define MAX_DIAGS 100

struct rd {
	struct vg_diags *diags;
	size_t n_reported;
	bool oom;
	bool doctype;           /* a <!DOCTYPE> was seen and parsing stopped */
	int doctype_line;
	const xmlNode *bad_attrs;   /* last element with an unsupported attribute */
	bool in_status;             /* status ids are free text, others NCNames */
	int rule_depth;             /* nesting of the rule being read */
};

/* Rules are the only recursive part of the document (reader, writer, checks
 * and the policy all recurse on them): this bounds every one of them. */
#define RULE_MAX_DEPTH 16

/* ---- where: element paths and lines ---- */

/* The reader stores each element's start line in node->_private (libxml2
 * keeps only 16 bits in node->line). */
static int line_of(const xmlNode *n)
{
	if (!n)
		return 0;
	if (n->type == XML_ATTRIBUTE_NODE)
		n = n->parent;
	return n ? (int)(intptr_t)n->_private : 0;
}

static const char *prop(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (strcmp((const char *)a->name, name))
			continue;
		if (!a->children)
			return "";
		return a->children->content ? (const char *)a->children->content : "";
	}
	return NULL;
}

static bool in_status(const xmlNode *n)
{
	for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
		if (!strcmp((const char *)n->name, "status"))
			return true;
	return false;
}

/* "primitive[@id='vm1']", "primitive[@id='vm1']/operations", "/cib/configuration";
 * in status, from the node_state down, since status ids repeat across nodes. */
static void where_append(FILE *f, const xmlNode *n, bool status)
{
	if (!n || n->type != XML_ELEMENT_NODE) {
		return;
	}
	const char *id = prop(n, "id");
	const char *name = (const char *)n->name;
	if (!id && status && !strcmp(name, "node_state") && prop(n, "uname")) {
		/* Old CIBs name some node_states by uname only. */
		fprintf(f, "%s[@uname='%s']", name, prop(n, "uname"));
		return;
	}
	bool stop = id && (!status || !strcmp(name, "node_state"));
	if (!stop) {
		if (n->parent && n->parent->type == XML_ELEMENT_NODE)
			where_append(f, n->parent, status);
		fputc('/', f);
	}
	if (id)
		fprintf(f, "%s[@id='%s']", name, id);
	else
		fputs(name, f);
}

static char *where_of(const xmlNode *n)
{
	if (n && n->type == XML_ATTRIBUTE_NODE)
		n = n->parent;
	if (!n || n->type != XML_ELEMENT_NODE)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	where_append(f, n, in_status(n));
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void __attribute__((format(printf, 3, 4)))
fail(struct rd *rd, const xmlNode *n, const char *fmt, ...)
{
	if (rd->n_reported++ >= MAX_DIAGS) {
		rd->diags->n_errors++;
		return;
	}
	char *where = where_of(n);
	va_list ap;
	va_start(ap, fmt);
	vg_diags_vadd(rd->diags, VG_DIAG_ERROR, line_of(n), where, fmt, ap);
	va_end(ap);
	free(where);
}

/* ---- libxml2 hooks ---- */

static void on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
			     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
			     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
			      nb_attributes, nb_defaulted, attributes);
	if (ctxt->node && ctxt->input)
		ctxt->node->_private = (void *)(intptr_t)ctxt->input->line;
}

/* A DOCTYPE is where entity declarations (billion laughs) and external
 * entities (XXE) live: a CIB never has one, so we stop at the first sign. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
		       const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct rd *rd = ctxt->_private;
	rd->doctype = true;
	rd->doctype_line = ctxt->input ? ctxt->input->line : 0;
	xmlStopParser(ctxt);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			   const xmlChar *system_id, xmlChar *content)
{
	on_doctype(ctx, name, public_id, system_id);
}

/* Copies libxml2's message without its trailing newline and without the
 * detail lines it appends ("Bytes: 0xFF ..."). */
static void first_line(char *dst, size_t size, const char *msg)
{
	size_t n = msg ? strcspn(msg, "\n") : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, msg, n);
	dst[n] = '\0';
	while (n && (dst[n - 1] == ' ' || dst[n - 1] == ','))
		dst[--n] = '\0';
}

static void on_parse_error(void *data, xmlErrorPtr err)
{
	struct rd *rd = data;
	if (!err || err->level < XML_ERR_ERROR)
		return;
	if (rd->doctype || err->code == XML_ERR_USER_STOP)
		return;
	char msg[256];
	first_line(msg, sizeof(msg), err->message);
	if (rd->n_reported++ >= MAX_DIAGS) {
		rd->diags->n_errors++;
		return;
	}
	vg_diags_add(rd->diags, VG_DIAG_ERROR, err->line, NULL, "not well-formed XML: %s", msg);
}

static void on_generic_error(void *ctx, const char *msg, ...)
{
}

/* ---- small fill helpers ----
 * They never fail: out of memory sets rd->oom, checked once at the end. */

static char *sdup(struct rd *rd, const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		rd->oom = true;
	return d;
}

static void *zalloc(struct rd *rd, size_t n, size_t size)
{
	if (!n)
		return NULL;
	void *p = calloc(n, size);
	if (!p)
		rd->oom = true;
	return p;
}

static bool named(const xmlNode *c, const char *name)
{
	return c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name);
}

static size_t count_named(const xmlNode *n, const char *name)
{
	size_t k = 0;
	for (const xmlNode *c = n->children; c; c = c->next)
		k += named(c, name);
	return k;
}

/* Reads the attributes of @n against @spec: vals[i] gets the value of
 * spec->attrs[i] (NULL when absent).  Anything not in the spec is refused.
 * Extras go to @extra in the spec's (canonical) order. */
static void scan_attrs(struct rd *rd, const xmlNode *n, const struct vg_spec *spec,
		       const char **vals, struct vg_attrs *extra)
{
	for (size_t i = 0; i < spec->n_attrs; i++)
		vals[i] = NULL;
	size_t n_extra = 0;
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		const char *name = (const char *)a->name;
		size_t i = 0;
		while (i < spec->n_attrs && strcmp(spec->attrs[i].name, name))
			i++;
		if (i == spec->n_attrs || a->ns) {
			rd->bad_attrs = n;
			fail(rd, n, "attribute '%s%s%s' of %s is not supported",
			     a->ns && a->ns->prefix ? (const char *)a->ns->prefix : "",
			     a->ns && a->ns->prefix ? ":" : "", name, (const char *)n->name);
			continue;
		}
		vals[i] = a->children && a->children->content ? (const char *)a->children->content
							      : "";
		n_extra += spec->attrs[i].extra;
	}
	if (!n_extra)
		return;
	if (!extra) {
		rd->oom = true; /* a spec with extras always comes with a list */
		return;
	}
	extra->v = zalloc(rd, n_extra, sizeof(*extra->v));
	if (!extra->v)
		return;
	for (size_t i = 0; i < spec->n_attrs; i++) {
		if (!spec->attrs[i].extra || !vals[i])
			continue;
		struct vg_attr *x = &extra->v[extra->n++];
		x->name = sdup(rd, spec->attrs[i].name);
		x->value = sdup(rd, vals[i]);
	}
}

static const char *need(struct rd *rd, const xmlNode *n, const struct vg_spec *spec,
			const char **vals, size_t idx)
{
	/* After "attribute 'id-ref' is not supported", a missing 'id' is noise. */
	if (!vals[idx] && rd->bad_attrs != n)
		fail(rd, n, "attribute '%s' is required", spec->attrs[idx].name);
	return vals[idx];
}

/* XML's NCName, which Pacemaker's schema requires of configuration ids (ASCII
 * rules; any non-ASCII byte passes here and is left to the schema). */
static bool ncname(const char *s)
{
	unsigned char c = (unsigned char)*s;
	if (!(c >= 0x80 || c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
		return false;
	for (s++; *s; s++) {
		c = (unsigned char)*s;
		if (!(c >= 0x80 || c == '_' || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
		      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return false;
	}
	return true;
}

/* A required id: in the configuration, also an NCName. */
static const char *need_id(struct rd *rd, const xmlNode *n, const struct vg_spec *spec,
			   const char **vals, size_t idx)
{
	const char *id = need(rd, n, spec, vals, idx);
	if (id && !rd->in_status && !ncname(id))
		fail(rd, n, "'%s' is not a valid id (it must start with a letter or '_', then "
			    "letters, digits, '-', '_' or '.')", id);
	return id;
}

/* Element children we do not know, text where only elements belong. */
static void refuse_child(struct rd *rd, const xmlNode *parent, const xmlNode *c)
{
	const char *name = (const char *)c->name;
	if (vg_spec_known_element(name))
		fail(rd, c, "element '%s' is not supported in '%s'", name,
		     (const char *)parent->name);
	else
		fail(rd, c, "element '%s' is not supported", name);
}

/* Returns true for the nodes a fill loop should look at (elements); refuses
 * text that is not blank; comments and processing instructions pass. */
static bool child_elem(struct rd *rd, const xmlNode *parent, const xmlNode *c)
{
	if (c->type == XML_ELEMENT_NODE) {
		/* The CIB has no namespaces: <xi:include> is not our <include>,
		 * and <foo:primitive> is not a primitive. */
		if (!c->ns)
			return true;
		fail(rd, c, "element '%s%s%s' is not supported", c->ns->prefix ? (const char *)c->ns->prefix : "",
		     c->ns->prefix ? ":" : "", (const char *)c->name);
		return false;
	}
	if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
		const char *t = (const char *)c->content;
		if (t && t[strspn(t, " \t\r\n")])
			fail(rd, parent, "unexpected text in element '%s'",
			     (const char *)parent->name);
	} else if (c->type == XML_ENTITY_REF_NODE) {
		fail(rd, parent, "entity references are not allowed");
	}
	return false;
}

static void parse_score(struct rd *rd, const xmlNode *n, const char *attr, const char *s,
			vg_score_t *ret)
{
	if (vg_score_parse(s, ret) < 0)
		fail(rd, n, "attribute '%s' is not a score: '%s' (expected an integer, "
			    "INFINITY or -INFINITY)", attr, s);
}

static bool parse_ll(const char *s, long long min, long long max, long long *ret)
{
	if (!s || !*s)
		return false;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

static void parse_int(struct rd *rd, const xmlNode *n, const char *attr, const char *s,
		      long long min, long long max, long long *ret)
{
	if (!s)
		return;
	if (!parse_ll(s, min, max, ret))
		fail(rd, n, "attribute '%s' must be an integer from %lld to %lld, not '%s'", attr,
		     min, max, s);
}

/* Values of an enumerated attribute, for the message. */
static bool one_of(struct rd *rd, const xmlNode *n, const char *attr, const char *s,
		   const char *const *allowed, size_t n_allowed, size_t *ret_idx)
{
	for (size_t i = 0; i < n_allowed; i++) {
		if (!strcmp(s, allowed[i])) {
			if (ret_idx)
				*ret_idx = i;
			return true;
		}
	}
	char list[256] = "";
	size_t off = 0;
	for (size_t i = 0; i < n_allowed && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					i == 0 ? "" : i + 1 == n_allowed ? " or " : ", ",
					allowed[i]);
	fail(rd, n, "attribute '%s' has bad value '%s' (expected %s)", attr, s, list);
	return false;
}

#define ONE_OF(rd, n, attr, s, idx, ...)                                               \
	({                                                                             \
		static const char *const allowed_[] = { __VA_ARGS__ };                 \
		one_of(rd, n, attr, s, allowed_, sizeof(allowed_) / sizeof(*allowed_), \
		       idx);                                                           \
	})

/* Only one of these may appear in its parent. */
static bool once(struct rd *rd, const xmlNode *c, bool *seen)
{
	if (*seen) {
		fail(rd, c, "element '%s' may appear only once in '%s'", (const char *)c->name,
		     (const char *)c->parent->name);
		return false;
	}
	*seen = true;
	return true;
}

static void no_attrs(struct rd *rd, const xmlNode *n)
{
	const char *vals[1];
	scan_attrs(rd, n, &vg_spec_noattr, vals, NULL);
}

static const char *const roles[] = { "Stopped", "Started", "Unpromoted",
				     "Promoted", "Slave",   "Master" };

static void check_role(struct rd *rd, const xmlNode *n, const char *attr, const char *v)
{
	if (v)
		one_of(rd, n, attr, v, roles, sizeof(roles) / sizeof(*roles), NULL);
}

/* ---- nvsets ---- */

static void fill_nvpair(struct rd *rd, const xmlNode *n, struct vg_nvpair *p)
{
	const char *v[3];
	scan_attrs(rd, n, &vg_spec_nvpair, v, NULL);
	p->line = line_of(n);
	p->id = sdup(rd, need_id(rd, n, &vg_spec_nvpair, v, NVPAIR_ID));
	p->name = sdup(rd, need(rd, n, &vg_spec_nvpair, v, NVPAIR_NAME));
	p->value = sdup(rd, v[NVPAIR_VALUE]);
	for (const xmlNode *c = n->children; c; c = c->next)
		if (child_elem(rd, n, c))
			refuse_child(rd, n, c);
}

static void fill_nvset(struct rd *rd, const xmlNode *n, struct vg_nvset *s)
{
	const char *v[2];
	scan_attrs(rd, n, &vg_spec_nvset, v, NULL);
	s->line = line_of(n);
	s->id = sdup(rd, need_id(rd, n, &vg_spec_nvset, v, NVSET_ID));
	if (v[NVSET_SCORE]) {
		s->has_score = true;
		parse_score(rd, n, "score", v[NVSET_SCORE], &s->score);
	}
	s->pairs = zalloc(rd, count_named(n, "nvpair"), sizeof(*s->pairs));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (named(c, "nvpair") && s->pairs)
			fill_nvpair(rd, c, &s->pairs[s->n_pairs++]);
		else if (!named(c, "nvpair"))
			refuse_child(rd, n, c);
	}
}

/* Fills @sets from the children of @n named @name; the caller has already
 * accepted those names. */
static void fill_nvsets(struct rd *rd, const xmlNode *n, const char *name, struct vg_nvsets *sets)
{
	sets->v = zalloc(rd, count_named(n, name), sizeof(*sets->v));
	if (!sets->v)
		return;
	for (const xmlNode *c = n->children; c; c = c->next)
		if (named(c, name))
			fill_nvset(rd, c, &sets->v[sets->n++]);
}

/* A parent whose only children are nvsets named one of @names. */
static void check_nvset_children(struct rd *rd, const xmlNode *n, const char *const *names,
				 size_t n_names)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		size_t i = 0;
		while (i < n_names && !named(c, names[i]))
			i++;
		if (i == n_names)
			refuse_child(rd, n, c);
	}
}

/* ---- configuration ---- */

static void fill_crm_config(struct rd *rd, const xmlNode *n, struct vg_cib *cib)
{
	static const char *const names[] = { "cluster_property_set" };
	no_attrs(rd, n);
	check_nvset_children(rd, n, names, 1);
	fill_nvsets(rd, n, "cluster_property_set", &cib->crm_config);
}

static void fill_node(struct rd *rd, const xmlNode *n, struct vg_node *node)
{
	static const char *const names[] = { "instance_attributes", "utilization" };
	const char *v[4];
	scan_attrs(rd, n, &vg_spec_node, v, NULL);
	node->line = line_of(n);
	node->id = sdup(rd, need(rd, n, &vg_spec_node, v, NODE_ID));
	node->uname = sdup(rd, need(rd, n, &vg_spec_node, v, NODE_UNAME));
	if (v[NODE_TYPE])
		ONE_OF(rd, n, "type", v[NODE_TYPE], NULL, "member", "normal");
	node->type = sdup(rd, v[NODE_TYPE]);
	node->description = sdup(rd, v[NODE_DESCRIPTION]);
	check_nvset_children(rd, n, names, 2);
	fill_nvsets(rd, n, "instance_attributes", &node->attrs);
	fill_nvsets(rd, n, "utilization", &node->utilization);
}

static void fill_nodes(struct rd *rd, const xmlNode *n, struct vg_cib *cib)
{
	no_attrs(rd, n);
	cib->nodes = zalloc(rd, count_named(n, "node"), sizeof(*cib->nodes));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (!named(c, "node"))
			refuse_child(rd, n, c);
		else if (cib->nodes)
			fill_node(rd, c, &cib->nodes[cib->n_nodes++]);
	}
}

static void fill_op(struct rd *rd, const xmlNode *n, struct vg_op *op)
{
	static const char *const names[] = { "meta_attributes", "instance_attributes" };
	const char *v[9];
	scan_attrs(rd, n, &vg_spec_op, v, NULL);
	op->line = line_of(n);
	op->id = sdup(rd, need_id(rd, n, &vg_spec_op, v, OP_ID));
	op->name = sdup(rd, need(rd, n, &vg_spec_op, v, OP_NAME));
	op->interval = sdup(rd, need(rd, n, &vg_spec_op, v, OP_INTERVAL));
	op->timeout = sdup(rd, v[OP_TIMEOUT]);
	/* Bad durations are reported by vg_cib_check(), which sees the text. */
	if (v[OP_INTERVAL])
		(void)vg_duration_parse(v[OP_INTERVAL], &op->interval_ms);
	if (v[OP_TIMEOUT])
		(void)vg_duration_parse(v[OP_TIMEOUT], &op->timeout_ms);
	check_role(rd, n, "role", v[OP_ROLE]);
	op->role = sdup(rd, v[OP_ROLE]);
	if (v[OP_ON_FAIL])
		ONE_OF(rd, n, "on-fail", v[OP_ON_FAIL], NULL, "ignore", "block", "stop",
		       "restart", "standby", "fence", "restart-container", "demote");
	op->on_fail = sdup(rd, v[OP_ON_FAIL]);
	op->enabled = sdup(rd, v[OP_ENABLED]);
	op->start_delay = sdup(rd, v[OP_START_DELAY]);
	op->description = sdup(rd, v[OP_DESCRIPTION]);
	check_nvset_children(rd, n, names, 2);
	fill_nvsets(rd, n, "meta_attributes", &op->meta);
	fill_nvsets(rd, n, "instance_attributes", &op->instance);
}

static void fill_primitive(struct rd *rd, const xmlNode *n, struct vg_resource *r)
{
	const char *v[5];
	scan_attrs(rd, n, &vg_spec_primitive, v, NULL);
	r->line = line_of(n);
	r->id = sdup(rd, need_id(rd, n, &vg_spec_primitive, v, PRIM_ID));
	const char *cls = need(rd, n, &vg_spec_primitive, v, PRIM_CLASS);
	r->type = sdup(rd, need(rd, n, &vg_spec_primitive, v, PRIM_TYPE));
	size_t ci = 0;
	if (cls && ONE_OF(rd, n, "class", cls, &ci, "ocf", "stonith", "lsb", "systemd",
			  "service")) {
		if (ci == 0 && !v[PRIM_PROVIDER])
			fail(rd, n, "attribute 'provider' is required for class 'ocf'");
		else if (ci != 0 && v[PRIM_PROVIDER])
			fail(rd, n, "attribute 'provider' is only allowed for class 'ocf'");
	}
	r->cls = sdup(rd, cls);
	r->provider = sdup(rd, v[PRIM_PROVIDER]);
	r->description = sdup(rd, v[PRIM_DESCRIPTION]);

	bool seen_ops = false;
	const xmlNode *ops = NULL;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (named(c, "operations")) {
			if (once(rd, c, &seen_ops))
				ops = c;
		} else if (!named(c, "instance_attributes") && !named(c, "meta_attributes") &&
			   !named(c, "utilization")) {
			refuse_child(rd, n, c);
		}
	}
	fill_nvsets(rd, n, "instance_attributes", &r->instance);
	fill_nvsets(rd, n, "meta_attributes", &r->meta);
	fill_nvsets(rd, n, "utilization", &r->utilization);
	if (!ops)
		return;
	const char *ov[1];
	scan_attrs(rd, ops, &vg_spec_id_only, ov, NULL);
	if (ov[ID_ID] && !ncname(ov[ID_ID]))
		fail(rd, ops, "'%s' is not a valid id (it must start with a letter or '_', then "
			      "letters, digits, '-', '_' or '.')", ov[ID_ID]);
	r->ops_id = sdup(rd, ov[ID_ID]);
	r->ops = zalloc(rd, count_named(ops, "op"), sizeof(*r->ops));
	for (const xmlNode *c = ops->children; c; c = c->next) {
		if (!child_elem(rd, ops, c))
			continue;
		if (!named(c, "op"))
			refuse_child(rd, ops, c);
		else if (r->ops)
			fill_op(rd, c, &r->ops[r->n_ops++]);
	}
}

static void fill_resources(struct rd *rd, const xmlNode *n, struct vg_cib *cib)
{
	no_attrs(rd, n);
	cib->resources = zalloc(rd, count_named(n, "primitive"), sizeof(*cib->resources));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (!named(c, "primitive"))
			refuse_child(rd, n, c);
		else if (cib->resources)
			fill_primitive(rd, c, &cib->resources[cib->n_resources++]);
	}
}

static void fill_expr(struct rd *rd, const xmlNode *n, struct vg_expr *e)
{
	const char *v[5];
	scan_attrs(rd, n, &vg_spec_expression, v, NULL);
	e->line = line_of(n);
	e->id = sdup(rd, need_id(rd, n, &vg_spec_expression, v, EXPR_ID));
	e->attribute = sdup(rd, need(rd, n, &vg_spec_expression, v, EXPR_ATTRIBUTE));
	const char *op = need(rd, n, &vg_spec_expression, v, EXPR_OPERATION);
	size_t i = 0;
	if (op && ONE_OF(rd, n, "operation", op, &i, "eq", "ne", "lt", "gt", "lte", "gte",
			 "defined", "not_defined")) {
		static const enum vg_expr_op ops[] = { VG_EXPR_EQ,  VG_EXPR_NE,  VG_EXPR_LT,
						       VG_EXPR_GT,  VG_EXPR_LTE, VG_EXPR_GTE,
						       VG_EXPR_DEFINED, VG_EXPR_NOT_DEFINED };
		e->op = ops[i];
		bool unary = e->op == VG_EXPR_DEFINED || e->op == VG_EXPR_NOT_DEFINED;
		if (!unary && !v[EXPR_VALUE])
			fail(rd, n, "attribute 'value' is required for operation '%s'", op);
		else if (unary && v[EXPR_VALUE])
			fail(rd, n, "attribute 'value' is not allowed with operation '%s'", op);
	}
	e->value = sdup(rd, v[EXPR_VALUE]);
	e->type = VG_EXPR_TYPE_DEFAULT;
	if (v[EXPR_TYPE] && ONE_OF(rd, n, "type", v[EXPR_TYPE], &i, "string", "integer",
				   "number", "version")) {
		static const enum vg_expr_type types[] = { VG_EXPR_TYPE_STRING,
							   VG_EXPR_TYPE_INTEGER,
							   VG_EXPR_TYPE_NUMBER,
							   VG_EXPR_TYPE_VERSION };
		e->type = types[i];
	}
	for (const xmlNode *c = n->children; c; c = c->next)
		if (child_elem(rd, n, c))
			refuse_child(rd, n, c);
}

static void fill_rule(struct rd *rd, const xmlNode *n, struct vg_rule *r)
{
	const char *v[5];
	scan_attrs(rd, n, &vg_spec_rule, v, NULL);
	r->line = line_of(n);
	r->id = sdup(rd, need_id(rd, n, &vg_spec_rule, v, RULE_ID));
	if (v[RULE_SCORE] && v[RULE_SCORE_ATTRIBUTE])
		fail(rd, n, "attributes 'score' and 'score-attribute' exclude each other");
	if (v[RULE_SCORE]) {
		r->has_score = true;
		parse_score(rd, n, "score", v[RULE_SCORE], &r->score);
	}
	r->score_attribute = sdup(rd, v[RULE_SCORE_ATTRIBUTE]);
	size_t i = 0;
	if (v[RULE_BOOLEAN_OP] && ONE_OF(rd, n, "boolean-op", v[RULE_BOOLEAN_OP], &i, "and", "or"))
		r->boolean_or = i == 1;
	check_role(rd, n, "role", v[RULE_ROLE]);
	r->role = sdup(rd, v[RULE_ROLE]);

	if (rd->rule_depth >= RULE_MAX_DEPTH) {
		fail(rd, n, "rules nest deeper than %d levels", RULE_MAX_DEPTH);
		return;
	}
	rd->rule_depth++;
	r->exprs = zalloc(rd, count_named(n, "expression"), sizeof(*r->exprs));
	r->rules = zalloc(rd, count_named(n, "rule"), sizeof(*r->rules));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (named(c, "expression") && r->exprs)
			fill_expr(rd, c, &r->exprs[r->n_exprs++]);
		else if (named(c, "rule") && r->rules)
			fill_rule(rd, c, &r->rules[r->n_rules++]);
		else if (!named(c, "expression") && !named(c, "rule"))
			refuse_child(rd, n, c);
	}
	if (!r->n_exprs && !r->n_rules && !count_named(n, "expression") && !count_named(n, "rule"))
		fail(rd, n, "a rule needs at least one expression or rule");
	rd->rule_depth--;
}

static void fill_location(struct rd *rd, const xmlNode *n, struct vg_location *l)
{
	const char *v[6];
	scan_attrs(rd, n, &vg_spec_location, v, NULL);
	l->line = line_of(n);
	l->id = sdup(rd, need_id(rd, n, &vg_spec_location, v, LOC_ID));
	l->rsc = sdup(rd, need(rd, n, &vg_spec_location, v, LOC_RSC));
	check_role(rd, n, "role", v[LOC_ROLE]);
	l->role = sdup(rd, v[LOC_ROLE]);
	if (v[LOC_RESOURCE_DISCOVERY])
		ONE_OF(rd, n, "resource-discovery", v[LOC_RESOURCE_DISCOVERY], NULL, "always",
		       "never", "exclusive");
	l->resource_discovery = sdup(rd, v[LOC_RESOURCE_DISCOVERY]);
	l->node = sdup(rd, v[LOC_NODE]);
	if (v[LOC_SCORE]) {
		l->has_score = true;
		parse_score(rd, n, "score", v[LOC_SCORE], &l->score);
	}
	size_t n_rules = count_named(n, "rule");
	if (v[LOC_NODE] && n_rules)
		fail(rd, n, "attribute 'node' and rules exclude each other");
	else if (v[LOC_NODE] && !v[LOC_SCORE])
		fail(rd, n, "attribute 'score' is required with 'node'");
	else if (!v[LOC_NODE] && v[LOC_SCORE] && !n_rules)
		fail(rd, n, "attribute 'node' is required with 'score'");
	else if (!v[LOC_NODE] && !n_rules)
		fail(rd, n, "needs either 'node' and 'score', or rules");
	else if (n_rules && v[LOC_SCORE])
		fail(rd, n, "attribute 'score' goes on the rules, not on a location with rules");
	l->rules = zalloc(rd, n_rules, sizeof(*l->rules));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (!named(c, "rule"))
			refuse_child(rd, n, c);
		else if (l->rules)
			fill_rule(rd, c, &l->rules[l->n_rules++]);
	}
}

static void no_children(struct rd *rd, const xmlNode *n)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (child_elem(rd, n, c))
			refuse_child(rd, n, c);
}

static void fill_colocation(struct rd *rd, const xmlNode *n, struct vg_colocation *co)
{
	const char *v[7];
	scan_attrs(rd, n, &vg_spec_colocation, v, NULL);
	co->line = line_of(n);
	co->id = sdup(rd, need_id(rd, n, &vg_spec_colocation, v, COLO_ID));
	co->rsc = sdup(rd, need(rd, n, &vg_spec_colocation, v, COLO_RSC));
	co->with_rsc = sdup(rd, need(rd, n, &vg_spec_colocation, v, COLO_WITH_RSC));
	if (need(rd, n, &vg_spec_colocation, v, COLO_SCORE))
		parse_score(rd, n, "score", v[COLO_SCORE], &co->score);
	check_role(rd, n, "rsc-role", v[COLO_RSC_ROLE]);
	check_role(rd, n, "with-rsc-role", v[COLO_WITH_RSC_ROLE]);
	co->rsc_role = sdup(rd, v[COLO_RSC_ROLE]);
	co->with_rsc_role = sdup(rd, v[COLO_WITH_RSC_ROLE]);
	co->node_attribute = sdup(rd, v[COLO_NODE_ATTRIBUTE]);
	no_children(rd, n);
}

static void fill_order(struct rd *rd, const xmlNode *n, struct vg_order *o)
{
	const char *v[8];
	scan_attrs(rd, n, &vg_spec_order, v, NULL);
	o->line = line_of(n);
	o->id = sdup(rd, need_id(rd, n, &vg_spec_order, v, ORD_ID));
	o->first = sdup(rd, need(rd, n, &vg_spec_order, v, ORD_FIRST));
	o->then = sdup(rd, need(rd, n, &vg_spec_order, v, ORD_THEN));
	if (v[ORD_FIRST_ACTION])
		ONE_OF(rd, n, "first-action", v[ORD_FIRST_ACTION], NULL, "start", "stop",
		       "promote", "demote");
	if (v[ORD_THEN_ACTION])
		ONE_OF(rd, n, "then-action", v[ORD_THEN_ACTION], NULL, "start", "stop",
		       "promote", "demote");
	o->first_action = sdup(rd, v[ORD_FIRST_ACTION]);
	o->then_action = sdup(rd, v[ORD_THEN_ACTION]);
	size_t k = 0;
	o->kind = VG_ORDER_UNSET;
	if (v[ORD_KIND] && ONE_OF(rd, n, "kind", v[ORD_KIND], &k, "Mandatory", "Optional",
				  "Serialize"))
		o->kind = (enum vg_order_kind)(VG_ORDER_MANDATORY + (int)k);
	if (v[ORD_SCORE]) {
		o->has_score = true;
		parse_score(rd, n, "score", v[ORD_SCORE], &o->score);
	}
	o->symmetrical = sdup(rd, v[ORD_SYMMETRICAL]);
	no_children(rd, n);
}

static void fill_constraints(struct rd *rd, const xmlNode *n, struct vg_cib *cib)
{
	no_attrs(rd, n);
	cib->locations = zalloc(rd, count_named(n, "rsc_location"), sizeof(*cib->locations));
	cib->colocations = zalloc(rd, count_named(n, "rsc_colocation"), sizeof(*cib->colocations));
	cib->orders = zalloc(rd, count_named(n, "rsc_order"), sizeof(*cib->orders));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (named(c, "rsc_location")) {
			if (cib->locations)
				fill_location(rd, c, &cib->locations[cib->n_locations++]);
		} else if (named(c, "rsc_colocation")) {
			if (cib->colocations)
				fill_colocation(rd, c, &cib->colocations[cib->n_colocations++]);
		} else if (named(c, "rsc_order")) {
			if (cib->orders)
				fill_order(rd, c, &cib->orders[cib->n_orders++]);
		} else {
			refuse_child(rd, n, c);
		}
	}
}

static void fill_level(struct rd *rd, const xmlNode *n, struct vg_fencing_level *l)
{
	const char *v[7];
	scan_attrs(rd, n, &vg_spec_level, v, NULL);
	l->line = line_of(n);
	l->id = sdup(rd, need_id(rd, n, &vg_spec_level, v, LVL_ID));
	l->target = sdup(rd, v[LVL_TARGET]);
	l->target_pattern = sdup(rd, v[LVL_TARGET_PATTERN]);
	l->target_attribute = sdup(rd, v[LVL_TARGET_ATTRIBUTE]);
	l->target_value = sdup(rd, v[LVL_TARGET_VALUE]);
	int kinds = !!v[LVL_TARGET] + !!v[LVL_TARGET_PATTERN] + !!v[LVL_TARGET_ATTRIBUTE];
	if (kinds != 1)
		fail(rd, n, "needs exactly one of 'target', 'target-pattern' and "
			    "'target-attribute'");
	else if (!!v[LVL_TARGET_ATTRIBUTE] != !!v[LVL_TARGET_VALUE])
		fail(rd, n, "attributes 'target-attribute' and 'target-value' go together");
	long long idx = 0;
	if (need(rd, n, &vg_spec_level, v, LVL_INDEX))
		parse_int(rd, n, "index", v[LVL_INDEX], 1, 9, &idx);
	l->index = (int)idx;
	l->devices = sdup(rd, need(rd, n, &vg_spec_level, v, LVL_DEVICES));
	no_children(rd, n);
}

static void fill_topology(struct rd *rd, const xmlNode *n, struct vg_cib *cib)
{
	no_attrs(rd, n);
	cib->has_fencing_topology = true;
	cib->fencing_levels = zalloc(rd, count_named(n, "fencing-level"),
				     sizeof(*cib->fencing_levels));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (!named(c, "fencing-level"))
			refuse_child(rd, n, c);
		else if (cib->fencing_levels)
			fill_level(rd, c, &cib->fencing_levels[cib->n_fencing_levels++]);
	}
}

static void fill_defaults(struct rd *rd, const xmlNode *n, struct vg_nvsets *sets)
{
	static const char *const names[] = { "meta_attributes" };
	no_attrs(rd, n);
	check_nvset_children(rd, n, names, 1);
	fill_nvsets(rd, n, "meta_attributes", sets);
}

/* <acls/>, <tags/>, <alerts/>: Pacemaker's tools leave them empty; empty they
 * configure nothing, anything inside is a feature we do not have. */
static void fill_empty_section(struct rd *rd, const xmlNode *n)
{
	no_attrs(rd, n);
	for (const xmlNode *c = n->children; c; c = c->next)
		if (child_elem(rd, n, c))
			fail(rd, c, "element '%s' is not supported", (const char *)c->name);
}

static void fill_configuration(struct rd *rd, const xmlNode *n, struct vg_cib *cib)
{
	static const char *const sections[] = { "crm_config",    "nodes",        "resources",
						"constraints",   "fencing-topology",
						"rsc_defaults",  "op_defaults",  "acls",
						"tags",          "alerts" };
	bool seen[sizeof(sections) / sizeof(*sections)] = { false };
	no_attrs(rd, n);
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		size_t i = 0;
		while (i < sizeof(sections) / sizeof(*sections) && !named(c, sections[i]))
			i++;
		if (i == sizeof(sections) / sizeof(*sections)) {
			refuse_child(rd, n, c);
			continue;
		}
		if (!once(rd, c, &seen[i]))
			continue;
		switch (i) {
		case 0: fill_crm_config(rd, c, cib); break;
		case 1: fill_nodes(rd, c, cib); break;
		case 2: fill_resources(rd, c, cib); break;
		case 3: fill_constraints(rd, c, cib); break;
		case 4: fill_topology(rd, c, cib); break;
		case 5: fill_defaults(rd, c, &cib->rsc_defaults); break;
		case 6: fill_defaults(rd, c, &cib->op_defaults); break;
		default: fill_empty_section(rd, c); break;
		}
	}
	for (size_t i = 0; i < 4; i++)
		if (!seen[i])
			fail(rd, n, "element '%s' is required in 'configuration'", sections[i]);
}

/* ---- status ---- */

static void fill_lrm_op(struct rd *rd, const xmlNode *n, struct vg_lrm_op *o)
{
	const char *v[VG_SPEC_MAX_ATTRS];
	const struct vg_spec *sp = &vg_spec_lrm_rsc_op;
	scan_attrs(rd, n, sp, v, &o->extra);
	o->line = line_of(n);
	o->id = sdup(rd, need(rd, n, sp, v, LO_ID));
	o->operation_key = sdup(rd, v[LO_OPERATION_KEY]);
	o->operation = sdup(rd, need(rd, n, sp, v, LO_OPERATION));
	o->transition_key = sdup(rd, v[LO_TRANSITION_KEY]);
	o->transition_magic = sdup(rd, v[LO_TRANSITION_MAGIC]);
	o->on_node = sdup(rd, v[LO_ON_NODE]);
	o->migrate_source = sdup(rd, v[LO_MIGRATE_SOURCE]);
	o->migrate_target = sdup(rd, v[LO_MIGRATE_TARGET]);
	long long x = 0;
	if (need(rd, n, sp, v, LO_CALL_ID))
		parse_int(rd, n, "call-id", v[LO_CALL_ID], INT_MIN, INT_MAX, &x);
	o->call_id = (int)x;
	x = 0;
	if (need(rd, n, sp, v, LO_RC_CODE))
		parse_int(rd, n, "rc-code", v[LO_RC_CODE], INT_MIN, INT_MAX, &x);
	o->rc_code = (int)x;
	x = 0;
	if (need(rd, n, sp, v, LO_OP_STATUS))
		parse_int(rd, n, "op-status", v[LO_OP_STATUS], INT_MIN, INT_MAX, &x);
	o->op_status = (int)x;
	x = 0;
	if (need(rd, n, sp, v, LO_INTERVAL))
		parse_int(rd, n, "interval", v[LO_INTERVAL], 0, LLONG_MAX, &x);
	o->interval_ms = (uint64_t)x;
	if (v[LO_LAST_RUN]) {
		o->has_last_run = true;
		parse_int(rd, n, "last-run", v[LO_LAST_RUN], LLONG_MIN, LLONG_MAX, &x);
		o->last_run = x;
	}
	if (v[LO_LAST_RC_CHANGE]) {
		o->has_last_rc_change = true;
		parse_int(rd, n, "last-rc-change", v[LO_LAST_RC_CHANGE], LLONG_MIN, LLONG_MAX, &x);
		o->last_rc_change = x;
	}
	no_children(rd, n);
}

static void fill_lrm_resource(struct rd *rd, const xmlNode *n, struct vg_lrm_resource *r)
{
	const char *v[5];
	scan_attrs(rd, n, &vg_spec_lrm_resource, v, &r->extra);
	r->line = line_of(n);
	r->id = sdup(rd, need(rd, n, &vg_spec_lrm_resource, v, LR_ID));
	r->type = sdup(rd, need(rd, n, &vg_spec_lrm_resource, v, LR_TYPE));
	r->cls = sdup(rd, need(rd, n, &vg_spec_lrm_resource, v, LR_CLASS));
	r->provider = sdup(rd, v[LR_PROVIDER]);
	long long x;
	if (v[LR_SHUTDOWN_LOCK])
		parse_int(rd, n, "shutdown-lock", v[LR_SHUTDOWN_LOCK], LLONG_MIN, LLONG_MAX, &x);
	r->ops = zalloc(rd, count_named(n, "lrm_rsc_op"), sizeof(*r->ops));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (!named(c, "lrm_rsc_op"))
			refuse_child(rd, n, c);
		else if (r->ops)
			fill_lrm_op(rd, c, &r->ops[r->n_ops++]);
	}
}

static void fill_lrm(struct rd *rd, const xmlNode *n, struct vg_node_state *ns)
{
	const char *v[2];
	scan_attrs(rd, n, &vg_spec_lrm, v, &ns->lrm_extra);
	ns->has_lrm = true;
	ns->lrm_id = sdup(rd, need(rd, n, &vg_spec_lrm, v, LRM_ID));
	bool seen = false;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (!named(c, "lrm_resources")) {
			refuse_child(rd, n, c);
			continue;
		}
		if (!once(rd, c, &seen))
			continue;
		const char *rv[1];
		scan_attrs(rd, c, &vg_spec_id_only, rv, NULL);
		ns->lrm_resources_id = sdup(rd, rv[ID_ID]);
		ns->lrm = zalloc(rd, count_named(c, "lrm_resource"), sizeof(*ns->lrm));
		for (const xmlNode *r = c->children; r; r = r->next) {
			if (!child_elem(rd, c, r))
				continue;
			if (!named(r, "lrm_resource"))
				refuse_child(rd, c, r);
			else if (ns->lrm)
				fill_lrm_resource(rd, r, &ns->lrm[ns->n_lrm++]);
		}
	}
	if (!seen)
		fail(rd, n, "element 'lrm_resources' is required in 'lrm'");
}

static void fill_node_state(struct rd *rd, const xmlNode *n, struct vg_node_state *ns)
{
	const char *v[VG_SPEC_MAX_ATTRS];
	const struct vg_spec *sp = &vg_spec_node_state;
	scan_attrs(rd, n, sp, v, &ns->extra);
	ns->line = line_of(n);
	ns->id = sdup(rd, v[NS_ID]);
	ns->uname = sdup(rd, v[NS_UNAME]);
	if (!v[NS_ID] && !v[NS_UNAME])
		fail(rd, n, "attribute 'id' or 'uname' is required");
	ns->in_ccm = sdup(rd, v[NS_IN_CCM]);
	ns->crmd = sdup(rd, v[NS_CRMD]);
	ns->join = sdup(rd, v[NS_JOIN]);
	ns->expected = sdup(rd, v[NS_EXPECTED]);
	bool seen_ta = false, seen_lrm = false;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (named(c, "transient_attributes")) {
			if (!once(rd, c, &seen_ta))
				continue;
			static const char *const names[] = { "instance_attributes" };
			const char *tv[1];
			scan_attrs(rd, c, &vg_spec_id_only, tv, NULL);
			ns->transient_id = sdup(rd, need(rd, c, &vg_spec_id_only, tv, ID_ID));
			check_nvset_children(rd, c, names, 1);
			fill_nvsets(rd, c, "instance_attributes", &ns->transient);
		} else if (named(c, "lrm")) {
			if (once(rd, c, &seen_lrm))
				fill_lrm(rd, c, ns);
		} else {
			refuse_child(rd, n, c);
		}
	}
}

static void fill_status(struct rd *rd, const xmlNode *n, struct vg_cib *cib)
{
	rd->in_status = true;
	no_attrs(rd, n);
	cib->node_states = zalloc(rd, count_named(n, "node_state"), sizeof(*cib->node_states));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (!named(c, "node_state"))
			refuse_child(rd, n, c);
		else if (cib->node_states)
			fill_node_state(rd, c, &cib->node_states[cib->n_node_states++]);
	}
	rd->in_status = false;
}

/* validate-with: the Pacemaker schema families whose syntax for our subset is
 * what we read ("none" means Pacemaker does not validate; we still do). */
static bool validate_with_ok(const char *s)
{
	if (!strcmp(s, "none"))
		return true;
	if (strncmp(s, "pacemaker-", 10))
		return false;
	const char *p = s + 10;
	if (*p < '1' || *p > '3' || p[1] != '.')
		return false;
	p += 2;
	if (!*p || strspn(p, "0123456789") != strlen(p))
		return false;
	return true;
}

static void fill_cib(struct rd *rd, const xmlNode *n, struct vg_cib *cib)
{
	const char *v[VG_SPEC_MAX_ATTRS];
	const struct vg_spec *sp = &vg_spec_cib;
	scan_attrs(rd, n, sp, v, &cib->extra);
	const char *vw = need(rd, n, sp, v, CIB_VALIDATE_WITH);
	if (vw && !validate_with_ok(vw))
		fail(rd, n, "validate-with '%s' is not supported (expected pacemaker-1.x to "
			    "pacemaker-3.x, or none)", vw);
	cib->validate_with = sdup(rd, vw);
	long long x = 0;
	if (need(rd, n, sp, v, CIB_ADMIN_EPOCH))
		parse_int(rd, n, "admin_epoch", v[CIB_ADMIN_EPOCH], 0, INT_MAX, &x);
	cib->admin_epoch = (int)x;
	x = 0;
	if (need(rd, n, sp, v, CIB_EPOCH))
		parse_int(rd, n, "epoch", v[CIB_EPOCH], 0, INT_MAX, &x);
	cib->epoch = (int)x;
	x = 0;
	if (need(rd, n, sp, v, CIB_NUM_UPDATES))
		parse_int(rd, n, "num_updates", v[CIB_NUM_UPDATES], 0, INT_MAX, &x);
	cib->num_updates = (int)x;
	cib->crm_feature_set = sdup(rd, v[CIB_FEATURE_SET]);
	cib->dc_uuid = sdup(rd, v[CIB_DC_UUID]);
	cib->have_quorum = sdup(rd, v[CIB_HAVE_QUORUM]);

	bool seen_conf = false, seen_status = false;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!child_elem(rd, n, c))
			continue;
		if (named(c, "configuration")) {
			if (once(rd, c, &seen_conf))
				fill_configuration(rd, c, cib);
		} else if (named(c, "status")) {
			if (once(rd, c, &seen_status))
				fill_status(rd, c, cib);
		} else {
			refuse_child(rd, n, c);
		}
	}
	if (!seen_conf)
		fail(rd, n, "element 'configuration' is required in 'cib'");
}

/* ---- schema ---- */

struct rng_err {
	struct rd *rd;
	size_t n;
};

static void on_rng_error(void *data, xmlErrorPtr err)
{
	struct rng_err *re = data;
	if (!err || err->level < XML_ERR_ERROR)
		return;
	/* libxml2's RelaxNG reports a cascade for one fault, later entries
	 * often pinned to the wrong element: the first is the one to read. */
	if (re->n++)
		return;
	char msg[256];
	first_line(msg, sizeof(msg), err->message);
	const xmlNode *node = err->node;
	if (node && node->type == XML_ELEMENT_NODE)
		fail(re->rd, node, "schema: %s", msg);
	else
		vg_diags_add(re->rd->diags, VG_DIAG_ERROR, err->line, NULL, "schema: %s", msg);
}

static void on_rng_parse_error(void *data, xmlErrorPtr err)
{
	struct rng_err *re = data;
	if (!err || err->level < XML_ERR_ERROR)
		return;
	char msg[256];
	first_line(msg, sizeof(msg), err->message);
	re->n++;
	vg_diags_add(re->rd->diags, VG_DIAG_ERROR, 0, NULL,
		     "internal error: schema/vigil.rng line %d: %s", err->line, msg);
}

/* 0, -EINVAL (invalid: diagnostics added), -ENOMEM. */
static int validate_schema(struct rd *rd, xmlDocPtr doc)
{
	struct rng_err re = { .rd = rd };
	int r = -ENOMEM;
	xmlRelaxNGParserCtxtPtr pctxt =
		xmlRelaxNGNewMemParserCtxt((const char *)vg_cib_schema_rng, (int)vg_cib_schema_rng_len);
	if (!pctxt)
		return -ENOMEM;
	xmlRelaxNGSetParserStructuredErrors(pctxt, on_rng_parse_error, &re);
	xmlRelaxNGPtr schema = xmlRelaxNGParse(pctxt);
	if (!schema) {
		if (!re.n)
			goto out_pctxt; /* no message: out of memory */
		r = -EINVAL;
		goto out_pctxt;
	}
	xmlRelaxNGValidCtxtPtr vctxt = xmlRelaxNGNewValidCtxt(schema);
	if (!vctxt)
		goto out_schema;
	xmlRelaxNGSetValidStructuredErrors(vctxt, on_rng_error, &re);
	int v = xmlRelaxNGValidateDoc(vctxt, doc);
	if (v == 0)
		r = 0;
	else if (v > 0 || re.n)
		r = -EINVAL;
	if (r == -EINVAL && !re.n)
		vg_diags_add(rd->diags, VG_DIAG_ERROR, 0, NULL, "schema: document is not valid");
	xmlRelaxNGFreeValidCtxt(vctxt);
out_schema:
	xmlRelaxNGFree(schema);
out_pctxt:
	xmlRelaxNGFreeParserCtxt(pctxt);
	return r;
}

/* ---- entry points ---- */

static bool blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
			return false;
	return true;
}

/* libxml2 would say "Input is not proper UTF-8, indicate encoding !" or, for
 * a UTF-16 byte order mark, "Start tag expected": say it plainly, with the
 * line.  Also refuses NUL bytes, which end libxml2's view of the input. */
static bool utf8_valid(const char *buf, size_t len, int *ret_line)
{
	const unsigned char *p = (const unsigned char *)buf, *end = p + len;
	int line = 1;
	while (p < end) {
		unsigned c = *p;
		if (c < 0x80) {
			if (!c)
				goto bad;
			line += c == '\n';
			p++;
			continue;
		}
		size_t n;
		unsigned cp, min;
		if ((c & 0xe0) == 0xc0)
			n = 2, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			n = 3, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			n = 4, cp = c & 0x07, min = 0x10000;
		else
			goto bad;
		if ((size_t)(end - p) < n)
			goto bad;
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		p += n;
	}
	return true;
bad:
	*ret_line = line;
	return false;
}

/* What libxml2 may parse: no network, and explicitly none of NOENT (entity
 * substitution), DTDLOAD, DTDATTR, DTDVALID or XINCLUDE.  HUGE is needed
 * because libxml2 2.9 refuses to look more than 10 MB into a memory buffer
 * ("Huge input lookup"), and a 32-node x 5000-VM document is 11 MB; what HUGE
 * lifts besides is bounded here instead: the whole input by VG_CIB_MAX_BYTES,
 * entities cannot exist (any DOCTYPE stops the parse), and the only recursion
 * of our own, rules, by RULE_MAX_DEPTH.  BIG_LINES: line numbers past 65535
 * for libxml2's own messages.  NOBLANKS and COMPACT: no nodes for
 * indentation, fewer allocations (our lines come from on_start_element). */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT)

int vg_cib_read_memory(const char *buf, size_t len, struct vg_cib **ret_cib,
		       struct vg_diags *diags)
{
	struct rd rd = { .diags = diags };
	if (len > VG_CIB_MAX_BYTES) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, NULL,
			     "document is %zu bytes, more than the limit of %u bytes", len,
			     VG_CIB_MAX_BYTES);
		return -EFBIG;
	}
	if (!buf || blank(buf, len)) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, NULL, "empty document");
		return -EINVAL;
	}
	int bad_line = 0;
	if (!utf8_valid(buf, len, &bad_line)) {
		vg_diags_add(diags, VG_DIAG_ERROR, bad_line, NULL,
			     "document is not valid UTF-8 (the only encoding we read)");
		return -EINVAL;
	}

	/* libxml2 reports through thread-local handlers: ours for the duration
	 * of this call, so nothing reaches stderr, then the caller's again. */
	xmlStructuredErrorFunc saved_serror = xmlStructuredError;
	void *saved_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc saved_gerror = xmlGenericError;
	void *saved_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&rd, on_parse_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);

	int r = -ENOMEM;
	struct vg_cib *cib = NULL;
	xmlDocPtr doc = NULL;
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt)
		goto out_handlers;
	ctxt->_private = &rd;
	ctxt->sax->startElementNs = on_start_element;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->externalSubset = on_doctype;
	ctxt->sax->entityDecl = on_entity_decl;
	/* Input is UTF-8, whatever the declaration says: no iconv behind us. */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, "UTF-8", PARSE_OPTIONS);
	if (rd.doctype) {
		vg_diags_add(diags, VG_DIAG_ERROR, rd.doctype_line, NULL,
			     "DOCTYPE and entity declarations are not allowed");
		r = -EINVAL;
		goto out_doc;
	}
	if (!doc || !ctxt->wellFormed) {
		if (!diags->n_errors)
			vg_diags_add(diags, VG_DIAG_ERROR, 0, NULL, "not well-formed XML");
		r = -EINVAL;
		goto out_doc;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "cib") || root->ns) {
		vg_diags_add(diags, VG_DIAG_ERROR, line_of(root), NULL,
			     "the root element must be 'cib', not '%s'",
			     root ? (const char *)root->name : "");
		r = -EINVAL;
		goto out_doc;
	}

	cib = calloc(1, sizeof(*cib));
	if (!cib)
		goto out_doc;
	size_t errors_before = diags->n_errors;
	fill_cib(&rd, root, cib);
	if (rd.oom)
		goto out_cib;
	if (diags->n_errors > errors_before) {
		r = -EINVAL;
		goto out_cib;
	}
	/* The status section has been read and checked element by element and
	 * attribute by attribute by fill_status(), against the same rules as
	 * the schema's (tests/unit/test_cib_read.c holds them to it).  Pacemaker
	 * does not validate it at all.  It is most of a large document, and
	 * libxml2's RelaxNG validator costs about a microsecond per node, so
	 * the schema checks the rest. */
	for (xmlNodePtr c = root->children; c; c = c->next) {
		if (named(c, "status")) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
			break;
		}
	}
	r = validate_schema(&rd, doc);
	if (r < 0)
		goto out_cib;
	/* The document is no longer needed; free it before the checks so a
	 * large one does not sit in memory twice. */
	xmlFreeDoc(doc);
	doc = NULL;
	r = vg_cib_check(cib, diags);
	if (r < 0)
		goto out_cib;
	*ret_cib = cib;
	cib = NULL;
	r = 0;
out_cib:
	vg_cib_free(cib);
out_doc:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
out_handlers:
	xmlSetStructuredErrorFunc(saved_sctx, saved_serror);
	xmlSetGenericErrorFunc(saved_gctx, saved_gerror);
	return r;
}

/* Reads at most VG_CIB_MAX_BYTES + 1 bytes, so an oversized input is noticed
 * without reading all of it. */
static int slurp(int fd, char **ret_buf, size_t *ret_len)
{
	size_t cap = 64 * 1024, len = 0;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((uint64_t)st.st_size > VG_CIB_MAX_BYTES)
			return -EFBIG;
		cap = (size_t)st.st_size + 1;
	}
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > VG_CIB_MAX_BYTES) {
				free(buf);
				return -EFBIG;
			}
			size_t ncap = cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t k = read(fd, buf + len, cap - len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			free(buf);
			return e;
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (len > VG_CIB_MAX_BYTES) {
			free(buf);
			return -EFBIG;
		}
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int vg_cib_read_file(const char *path, struct vg_cib **ret_cib, struct vg_diags *diags)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char *buf = NULL;
	size_t len = 0;
	int r = slurp(fd, &buf, &len);
	if (!is_stdin)
		close(fd);
	if (r == -EFBIG)
		vg_diags_add(diags, VG_DIAG_ERROR, 0, NULL,
			     "document is larger than the limit of %u bytes", VG_CIB_MAX_BYTES);
	if (r < 0)
		return r;
	r = vg_cib_read_memory(buf, len, ret_cib, diags);
	free(buf);
	return r;
}
