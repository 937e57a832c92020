/* cfg_text.c - the configuration as crmsh-like text, for `vigil configure show`.
 *
 * One object per paragraph, continuation lines with " \", in document order:
 * nodes, primitives, constraints, fencing topology, properties, defaults.  An
 * element this printer does not know is shown as a comment naming it, so
 * nothing is silently hidden (`--xml` always shows everything). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cli.h"

static const char *prop(xmlNodePtr n, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	if (!v)
		return NULL;
	snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
	return buf;
}

static bool is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

/* Values with spaces or quotes are quoted, as crmsh does. */
static void put_value(FILE *out, const char *v)
{
	if (*v && !strpbrk(v, " \t\"'\\")) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

/* " \\\n\t<kw> name=value ..." for every set named @set under @parent. */
static void put_sets(FILE *out, xmlNodePtr parent, const char *set, const char *kw)
{
	for (xmlNodePtr s = parent->children; s; s = s->next) {
		if (!is(s, set))
			continue;
		bool first = true;
		for (xmlNodePtr p = s->children; p; p = p->next) {
			char name[256], value[4096];
			if (!is(p, "nvpair") || !prop(p, "name", name, sizeof(name)))
				continue;
			if (first)
				fprintf(out, " \\\n\t%s%s%s=", kw, *kw ? " " : "", name);
			else
				fprintf(out, " %s=", name);
			first = false;
			put_value(out, prop(p, "value", value, sizeof(value)) ? value : "");
		}
	}
}

static void put_attrs(FILE *out, xmlNodePtr n, const char *const *skip)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		bool skipped = false;
		for (size_t i = 0; skip[i]; i++)
			skipped |= !xmlStrcmp(a->name, BAD_CAST skip[i]);
		if (skipped)
			continue;
		xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
		fprintf(out, " %s=", (const char *)a->name);
		put_value(out, v ? (const char *)v : "");
		xmlFree(v);
	}
}

static void put_node(FILE *out, xmlNodePtr n)
{
	char id[256], uname[256];
	fprintf(out, "node %s: %s", prop(n, "id", id, sizeof(id)) ? id : "?",
		prop(n, "uname", uname, sizeof(uname)) ? uname : "?");
	put_sets(out, n, "instance_attributes", "attributes");
	put_sets(out, n, "utilization", "utilization");
	fputc('\n', out);
}

static void put_primitive(FILE *out, xmlNodePtr r)
{
	char id[256], cls[64], prov[64], type[128];
	const char *c = prop(r, "class", cls, sizeof(cls));
	const char *p = prop(r, "provider", prov, sizeof(prov));
	fprintf(out, "primitive %s %s%s%s:%s", prop(r, "id", id, sizeof(id)) ? id : "?",
		c ? c : "?", p ? ":" : "", p ? p : "",
		prop(r, "type", type, sizeof(type)) ? type : "?");
	put_sets(out, r, "instance_attributes", "params");
	put_sets(out, r, "meta_attributes", "meta");
	put_sets(out, r, "utilization", "utilization");
	for (xmlNodePtr ops = r->children; ops; ops = ops->next) {
		if (!is(ops, "operations"))
			continue;
		for (xmlNodePtr op = ops->children; op; op = op->next) {
			char name[64];
			if (!is(op, "op"))
				continue;
			static const char *const skip[] = { "id", "name", NULL };
			fprintf(out, " \\\n\top %s", prop(op, "name", name, sizeof(name)) ? name : "?");
			put_attrs(out, op, skip);
		}
	}
	fputc('\n', out);
}

static void put_rule(FILE *out, xmlNodePtr rule)
{
	char score[64], bop[8];
	const char *s = prop(rule, "score", score, sizeof(score));
	if (!s)
		s = prop(rule, "score-attribute", score, sizeof(score));
	const char *op = prop(rule, "boolean-op", bop, sizeof(bop)) ? bop : "and";
	fprintf(out, " \\\n\trule %s:", s ? s : "0");
	bool first = true;
	for (xmlNodePtr e = rule->children; e; e = e->next) {
		char attr[256], oper[32], value[256];
		if (!is(e, "expression"))
			continue;
		if (!first)
			fprintf(out, " %s", op);
		first = false;
		const char *v = prop(e, "value", value, sizeof(value));
		fprintf(out, " %s %s", prop(e, "attribute", attr, sizeof(attr)) ? attr : "?",
			prop(e, "operation", oper, sizeof(oper)) ? oper : "?");
		if (v) {
			fputc(' ', out);
			put_value(out, v);
		}
	}
}

static void put_constraint(FILE *out, xmlNodePtr c)
{
	char id[256], a[256], b[256], score[64], ra[32], rb[32];
	prop(c, "id", id, sizeof(id));
	if (is(c, "rsc_location")) {
		fprintf(out, "location %s %s", id, prop(c, "rsc", a, sizeof(a)) ? a : "?");
		if (prop(c, "node", b, sizeof(b)))
			fprintf(out, " %s: %s", prop(c, "score", score, sizeof(score)) ? score : "0", b);
		for (xmlNodePtr r = c->children; r; r = r->next)
			if (is(r, "rule"))
				put_rule(out, r);
	} else if (is(c, "rsc_colocation")) {
		const char *x = prop(c, "rsc-role", ra, sizeof(ra));
		const char *y = prop(c, "with-rsc-role", rb, sizeof(rb));
		fprintf(out, "colocation %s %s: %s%s%s", id,
			prop(c, "score", score, sizeof(score)) ? score : "INFINITY",
			prop(c, "rsc", a, sizeof(a)) ? a : "?", x ? ":" : "", x ? x : "");
		fprintf(out, " %s%s%s", prop(c, "with-rsc", b, sizeof(b)) ? b : "?", y ? ":" : "",
			y ? y : "");
	} else if (is(c, "rsc_order")) {
		const char *x = prop(c, "first-action", ra, sizeof(ra));
		const char *y = prop(c, "then-action", rb, sizeof(rb));
		char kind[32];
		const char *k = prop(c, "kind", kind, sizeof(kind));
		if (k)
			fprintf(out, "order %s %s: ", id, k);
		else
			fprintf(out, "order %s %s: ", id,
				prop(c, "score", score, sizeof(score)) ? score : "Mandatory");
		fprintf(out, "%s%s%s", prop(c, "first", a, sizeof(a)) ? a : "?", x ? ":" : "",
			x ? x : "");
		fprintf(out, " %s%s%s", prop(c, "then", b, sizeof(b)) ? b : "?", y ? ":" : "",
			y ? y : "");
	} else {
		fprintf(out, "# %s %s (shown with --xml)", (const char *)c->name, id);
	}
	fputc('\n', out);
}

int cli_config_text(const char *xml, size_t len, FILE *out)
{
	if (len > INT_MAX)
		return -EFBIG;
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, NULL, NULL,
				      XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
				      XML_PARSE_NOWARNING | XML_PARSE_HUGE);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		xmlFreeDoc(doc);
		return -EINVAL;
	}
	xmlNodePtr conf = NULL;
	for (xmlNodePtr c = root->children; c; c = c->next)
		if (is(c, "configuration"))
			conf = c;
	for (xmlNodePtr sec = conf ? conf->children : NULL; sec; sec = sec->next) {
		if (sec->type != XML_ELEMENT_NODE)
			continue;
		for (xmlNodePtr o = sec->children; o; o = o->next) {
			char id[256];
			if (o->type != XML_ELEMENT_NODE)
				continue;
			if (is(sec, "nodes") && is(o, "node")) {
				put_node(out, o);
			} else if (is(sec, "resources") && is(o, "primitive")) {
				put_primitive(out, o);
			} else if (is(sec, "constraints")) {
				put_constraint(out, o);
			} else if (is(sec, "crm_config") && is(o, "cluster_property_set")) {
				fprintf(out, "property %s:", prop(o, "id", id, sizeof(id)) ? id : "?");
				xmlNodePtr wrap = xmlNewNode(NULL, BAD_CAST "wrap");
				xmlNodePtr copy = xmlCopyNode(o, 1);
				xmlAddChild(wrap, copy);
				put_sets(out, wrap, "cluster_property_set", "");
				xmlFreeNode(wrap);
				fputc('\n', out);
			} else if ((is(sec, "rsc_defaults") || is(sec, "op_defaults")) &&
				   is(o, "meta_attributes")) {
				fprintf(out, "%s %s:", (const char *)sec->name,
					prop(o, "id", id, sizeof(id)) ? id : "?");
				xmlNodePtr wrap = xmlNewNode(NULL, BAD_CAST "wrap");
				xmlAddChild(wrap, xmlCopyNode(o, 1));
				put_sets(out, wrap, "meta_attributes", "");
				xmlFreeNode(wrap);
				fputc('\n', out);
			} else if (is(sec, "fencing-topology") && is(o, "fencing-level")) {
				char t[256], idx[16], dev[1024];
				fprintf(out, "fencing_topology %s: level %s: %s\n",
					prop(o, "target", t, sizeof(t)) ? t : "?",
					prop(o, "index", idx, sizeof(idx)) ? idx : "?",
					prop(o, "devices", dev, sizeof(dev)) ? dev : "?");
			} else {
				fprintf(out, "# %s %s (shown with --xml)\n", (const char *)o->name,
					prop(o, "id", id, sizeof(id)) ? id : "");
			}
		}
	}
	xmlFreeDoc(doc);
	return 0;
}
