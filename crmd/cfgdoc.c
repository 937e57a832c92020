/* cfgdoc.c - see cfgdoc.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cfgdoc.h"
#include "cib_xml.h"

/* Sections of <configuration> that hold objects with ids, in canonical order. */
static const char *const sections[] = {
	"crm_config", "nodes", "resources", "constraints", "fencing-topology",
	"rsc_defaults", "op_defaults",
};

/* Untrusted input: no network, no entity expansion (libxml2 expands none
 * without XML_PARSE_NOENT), no DTD.  XML_PARSE_HUGE lifts libxml2's 10 MB
 * look-ahead, as the document library does: sizes are bounded before we get
 * here (IPC 16 MB, group messages 256 MB), depth stays bounded (2048). */
#define PARSE_OPTS (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | \
		    XML_PARSE_NOWARNING | XML_PARSE_HUGE)

static xmlDocPtr parse(const char *xml, size_t len, const char *what, struct vg_diags *diags)
{
	if (len > INT_MAX) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, what, "document too large");
		return NULL;
	}
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, NULL, NULL,
				      PARSE_OPTS);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		vg_diags_add(diags, VG_DIAG_ERROR, e ? e->line : 0, what, "not well-formed XML: %s",
			     e && e->message ? e->message : "parse error");
		return NULL;
	}
	if (doc->intSubset || doc->extSubset) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, what, "a document type declaration is not allowed");
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST "cib")) {
		vg_diags_add(diags, VG_DIAG_ERROR, root ? (int)root->line : 0, what,
			     "the root element must be <cib>");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST name))
			return c;
	return NULL;
}

static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	if (!v)
		return NULL;
	char *s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static bool attr_eq(xmlNodePtr n, const char *name, const char *value)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	bool eq = v && value && !strcmp((const char *)v, value);
	xmlFree(v);
	return eq;
}

static int dump(xmlDocPtr doc, char **ret_xml, size_t *ret_len)
{
	xmlChar *buf = NULL;
	int n = 0;
	xmlDocDumpFormatMemoryEnc(doc, &buf, &n, "UTF-8", 1);
	if (!buf || n < 0)
		return -ENOMEM;
	char *s = malloc((size_t)n + 1);
	if (!s) {
		xmlFree(buf);
		return -ENOMEM;
	}
	memcpy(s, buf, (size_t)n);
	s[n] = '\0';
	xmlFree(buf);
	*ret_xml = s;
	*ret_len = (size_t)n;
	return 0;
}

static int read_u32_attr(xmlNodePtr n, const char *name, uint32_t *ret, struct vg_diags *diags)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	if (!v) {
		*ret = 0;
		return 0;
	}
	char *end = NULL;
	errno = 0;
	unsigned long long x = strtoull((const char *)v, &end, 10);
	bool ok = end && end != (const char *)v && !*end && !errno && x <= UINT32_MAX &&
		  ((const char *)v)[0] != '-';
	if (!ok)
		vg_diags_add(diags, VG_DIAG_ERROR, (int)n->line, "cib", "%s='%s' is not a count", name,
			     (const char *)v);
	xmlFree(v);
	if (!ok)
		return -EINVAL;
	*ret = (uint32_t)x;
	return 0;
}

static int doc_version(xmlDocPtr doc, struct vg_cfg_version *ver, struct vg_diags *diags)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	int rc = read_u32_attr(root, "admin_epoch", &ver->admin_epoch, diags);
	if (!rc)
		rc = read_u32_attr(root, "epoch", &ver->epoch, diags);
	if (!rc)
		rc = read_u32_attr(root, "num_updates", &ver->num_updates, diags);
	return rc;
}

static void set_u32_attr(xmlNodePtr n, const char *name, uint32_t v)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%" PRIu32, v);
	xmlSetProp(n, BAD_CAST name, BAD_CAST buf);
}

int crmd_doc_empty(char **ret_xml, size_t *ret_len)
{
	static const char empty[] =
		"<cib admin_epoch=\"0\" epoch=\"0\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">"
		"<configuration><crm_config/><nodes/><resources/><constraints/></configuration>"
		"<status/></cib>";
	struct vg_diags d = { 0 };
	int rc = crmd_doc_normalize(empty, sizeof(empty) - 1, NULL, ret_xml, ret_len, &d);
	vg_diags_clear(&d);
	return rc;
}

int crmd_doc_version(const char *xml, size_t len, struct vg_cfg_version *ret_ver,
		     struct vg_diags *diags)
{
	xmlDocPtr doc = parse(xml, len, "cib", diags);
	if (!doc)
		return -EINVAL;
	struct vg_cfg_version v;
	int rc = doc_version(doc, &v, diags);
	xmlFreeDoc(doc);
	if (rc)
		return rc;
	*ret_ver = v;
	return 0;
}

/*
 * Checks a document and writes it in canonical form: the cluster document
 * library reads it (XML, schema, meaning: exactly what `vigil configure verify`
 * accepts) and writes it back canonically, so every member turns the same input
 * into the same bytes.
 */
static int check_and_write(xmlDocPtr doc, char **ret_xml, size_t *ret_len, struct vg_diags *diags)
{
	char *text = NULL;
	size_t len = 0;
	int rc = dump(doc, &text, &len);
	if (rc)
		return rc;
	struct vg_cib *cib = NULL;
	rc = vg_cib_read_memory(text, len, &cib, diags);
	free(text);
	if (rc)
		return rc;
	rc = vg_cib_write(cib, ret_xml, ret_len);
	vg_cib_free(cib);
	return rc;
}

/* Strips <status>, stamps @ver (when given), checks and writes canonically. */
static int finish(xmlDocPtr doc, const struct vg_cfg_version *ver, char **ret_xml,
		  size_t *ret_len, struct vg_diags *diags)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	struct vg_cfg_version have;
	int rc = doc_version(doc, &have, diags);
	if (rc)
		return rc;
	/* The status belongs to the DC, never to the replicated configuration. */
	xmlNodePtr st;
	while ((st = child(root, "status"))) {
		xmlUnlinkNode(st);
		xmlFreeNode(st);
	}
	xmlNewChild(root, NULL, BAD_CAST "status", NULL);
	if (ver) {
		set_u32_attr(root, "admin_epoch", ver->admin_epoch);
		set_u32_attr(root, "epoch", ver->epoch);
		set_u32_attr(root, "num_updates", ver->num_updates);
	}
	return check_and_write(doc, ret_xml, ret_len, diags);
}

int crmd_doc_normalize(const char *xml, size_t len, const struct vg_cfg_version *ver,
		       char **ret_xml, size_t *ret_len, struct vg_diags *diags)
{
	/* The document as given first, so that what is wrong is reported with
	 * the line numbers of the user's own text. */
	struct vg_cib *as_given = NULL;
	int rc = vg_cib_read_memory(xml, len, &as_given, diags);
	vg_cib_free(as_given);
	if (rc)
		return rc;
	xmlDocPtr doc = parse(xml, len, "cib", diags);
	if (!doc)
		return -EINVAL;
	rc = finish(doc, ver, ret_xml, ret_len, diags);
	xmlFreeDoc(doc);
	return rc;
}

static xmlNodePtr configuration_of(xmlDocPtr doc, bool create)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNodePtr conf = child(root, "configuration");
	if (!conf && create)
		conf = xmlNewChild(root, NULL, BAD_CAST "configuration", NULL);
	return conf;
}

/* An index of a section's children by (element name, id): an update of
 * thousands of objects must not scan the section once per object. */
struct id_index {
	struct id_slot { char *key; xmlNodePtr node; } *slots;
	size_t cap, n;
};

static char *index_key(const xmlChar *name, const xmlChar *id)
{
	char *k = NULL;
	if (asprintf(&k, "%s\x1f%s", (const char *)name, (const char *)id) < 0)
		return NULL;
	return k;
}

static size_t key_hash(const char *k)
{
	size_t h = 1469598103934665603u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211u;
	return h;
}

static void index_free(struct id_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->slots[i].key);
	free(ix->slots);
	*ix = (struct id_index){ 0 };
}

static struct id_slot *index_slot(struct id_index *ix, const char *key)
{
	size_t i = key_hash(key) & (ix->cap - 1);
	while (ix->slots[i].key && strcmp(ix->slots[i].key, key))
		i = (i + 1) & (ix->cap - 1);
	return &ix->slots[i];
}

/* Takes ownership of @key. */
static int index_put(struct id_index *ix, char *key, xmlNodePtr node)
{
	if (!key)
		return -ENOMEM;
	if ((ix->n + 1) * 2 > ix->cap) {
		struct id_index bigger = { .cap = ix->cap ? ix->cap * 2 : 64 };
		bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
		if (!bigger.slots) {
			free(key);
			return -ENOMEM;
		}
		for (size_t i = 0; i < ix->cap; i++)
			if (ix->slots[i].key)
				*index_slot(&bigger, ix->slots[i].key) = ix->slots[i];
		bigger.n = ix->n;
		free(ix->slots);
		*ix = bigger;
	}
	struct id_slot *sl = index_slot(ix, key);
	if (sl->key) {
		free(key);
	} else {
		sl->key = key;
		ix->n++;
	}
	sl->node = node;
	return 0;
}

static xmlNodePtr index_get(struct id_index *ix, const xmlChar *name, const xmlChar *id)
{
	if (!ix->cap)
		return NULL;
	char *k = index_key(name, id);
	if (!k)
		return NULL;
	struct id_slot *sl = index_slot(ix, k);
	free(k);
	return sl->key ? sl->node : NULL;
}

static int index_section(struct id_index *ix, xmlNodePtr sec)
{
	for (xmlNodePtr c = sec->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *id = xmlGetProp(c, BAD_CAST "id");
		int rc = id ? index_put(ix, index_key(c->name, id), c) : 0;
		xmlFree(id);
		if (rc)
			return rc;
	}
	return 0;
}

static xmlNodePtr child_with_id(xmlNodePtr parent, const xmlChar *name, const xmlChar *id)
{
	for (xmlNodePtr c = parent->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, name))
			continue;
		xmlChar *cid = xmlGetProp(c, BAD_CAST "id");
		bool eq = cid && !xmlStrcmp(cid, id);
		xmlFree(cid);
		if (eq)
			return c;
	}
	return NULL;
}

/* Property and defaults sets merge pair by pair: "update" of one property must
 * not drop the others. */
static bool merges_by_name(const char *section, xmlNodePtr set)
{
	if (!strcmp(section, "crm_config"))
		return !xmlStrcmp(set->name, BAD_CAST "cluster_property_set");
	if (!strcmp(section, "rsc_defaults") || !strcmp(section, "op_defaults"))
		return !xmlStrcmp(set->name, BAD_CAST "meta_attributes");
	return false;
}

static void merge_pairs(xmlNodePtr into, xmlNodePtr from)
{
	for (xmlNodePtr p = from->children; p; p = p->next) {
		if (p->type != XML_ELEMENT_NODE || xmlStrcmp(p->name, BAD_CAST "nvpair"))
			continue;
		xmlChar *name = xmlGetProp(p, BAD_CAST "name");
		xmlNodePtr old = NULL;
		for (xmlNodePtr q = into->children; q && name; q = q->next)
			if (q->type == XML_ELEMENT_NODE && !xmlStrcmp(q->name, BAD_CAST "nvpair") &&
			    attr_eq(q, "name", (const char *)name)) {
				old = q;
				break;
			}
		xmlFree(name);
		xmlNodePtr copy = xmlCopyNode(p, 1);
		if (old) {
			xmlReplaceNode(old, copy);
			xmlFreeNode(old);
		} else {
			xmlAddChild(into, copy);
		}
	}
}

int crmd_doc_update(const char *cur, size_t cur_len, const char *upd, size_t upd_len,
		    const struct vg_cfg_version *ver, char **ret_xml, size_t *ret_len,
		    struct vg_diags *diags)
{
	int rc = -EINVAL;
	xmlDocPtr base = parse(cur, cur_len, "current configuration", diags);
	if (!base)
		return -EINVAL;
	xmlDocPtr u = xmlReadMemory(upd, upd_len > INT_MAX ? 0 : (int)upd_len, NULL, NULL,
				    PARSE_OPTS);
	if (!u || u->intSubset || u->extSubset) {
		const xmlError *e = xmlGetLastError();
		vg_diags_add(diags, VG_DIAG_ERROR, e ? e->line : 0, "update",
			     "not well-formed XML or has a document type: %s",
			     e && e->message ? e->message : "parse error");
		goto out_base;
	}
	xmlNodePtr uroot = xmlDocGetRootElement(u);
	xmlNodePtr uconf = NULL;
	if (uroot && !xmlStrcmp(uroot->name, BAD_CAST "cib"))
		uconf = child(uroot, "configuration");
	else if (uroot && !xmlStrcmp(uroot->name, BAD_CAST "configuration"))
		uconf = uroot;
	if (!uconf) {
		vg_diags_add(diags, VG_DIAG_ERROR, uroot ? (int)uroot->line : 0, "update",
			     "expected <cib> with <configuration>, or <configuration>");
		goto out_u;
	}
	xmlNodePtr conf = configuration_of(base, true);
	rc = 0;
	for (xmlNodePtr us = uconf->children; us; us = us->next) {
		if (us->type != XML_ELEMENT_NODE)
			continue;
		const char *sname = (const char *)us->name;
		bool known = false;
		for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
			known |= !strcmp(sname, sections[i]);
		if (!known) {
			vg_diags_add(diags, VG_DIAG_ERROR, (int)us->line, "update",
				     "unknown configuration section <%s>", sname);
			rc = -EINVAL;
			continue;
		}
		xmlNodePtr sec = child(conf, sname);
		if (!sec)
			sec = xmlNewChild(conf, NULL, us->name, NULL);
		struct id_index ix = { 0 };
		if (index_section(&ix, sec)) {
			index_free(&ix);
			rc = -ENOMEM;
			goto out_u;
		}
		for (xmlNodePtr o = us->children; o; o = o->next) {
			if (o->type != XML_ELEMENT_NODE)
				continue;
			xmlChar *id = xmlGetProp(o, BAD_CAST "id");
			if (!id || !*id) {
				vg_diags_add(diags, VG_DIAG_ERROR, (int)o->line, sname,
					     "<%s> has no id: update cannot tell what it replaces",
					     (const char *)o->name);
				xmlFree(id);
				rc = -EINVAL;
				continue;
			}
			xmlNodePtr old = index_get(&ix, o->name, id);
			if (old && merges_by_name(sname, o)) {
				xmlFree(id);
				merge_pairs(old, o);
				continue;
			}
			xmlNodePtr copy = xmlCopyNode(o, 1);
			if (!copy || index_put(&ix, index_key(o->name, id), copy)) {
				xmlFree(id);
				xmlFreeNode(copy);
				index_free(&ix);
				rc = -ENOMEM;
				goto out_u;
			}
			xmlFree(id);
			if (old) {
				xmlReplaceNode(old, copy);
				xmlFreeNode(old);
			} else {
				xmlAddChild(sec, copy);
			}
		}
		index_free(&ix);
	}
	if (!rc)
		rc = finish(base, ver, ret_xml, ret_len, diags);
out_u:
	xmlFreeDoc(u);
out_base:
	xmlFreeDoc(base);
	return rc;
}

int crmd_doc_set_property(const char *cur, size_t cur_len, const char *name, const char *value,
			  const struct vg_cfg_version *ver, char **ret_xml, size_t *ret_len,
			  struct vg_diags *diags)
{
	if (!name || !*name || strpbrk(name, " \t\n=<>&\"'")) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "property", "'%s' is not a property name",
			     name ? name : "");
		return -EINVAL;
	}
	xmlDocPtr doc = parse(cur, cur_len, "current configuration", diags);
	if (!doc)
		return -EINVAL;
	xmlNodePtr conf = configuration_of(doc, true);
	xmlNodePtr cc = child(conf, "crm_config");
	if (!cc)
		cc = xmlNewChild(conf, NULL, BAD_CAST "crm_config", NULL);
	xmlNodePtr set = child_with_id(cc, BAD_CAST "cluster_property_set",
				       BAD_CAST "cib-bootstrap-options");
	if (!set)
		set = child(cc, "cluster_property_set");
	if (!set) {
		set = xmlNewChild(cc, NULL, BAD_CAST "cluster_property_set", NULL);
		xmlSetProp(set, BAD_CAST "id", BAD_CAST "cib-bootstrap-options");
	}
	xmlNodePtr pair = NULL;
	for (xmlNodePtr p = set->children; p; p = p->next)
		if (p->type == XML_ELEMENT_NODE && !xmlStrcmp(p->name, BAD_CAST "nvpair") &&
		    attr_eq(p, "name", name)) {
			pair = p;
			break;
		}
	if (!pair) {
		pair = xmlNewChild(set, NULL, BAD_CAST "nvpair", NULL);
		xmlChar *setid = xmlGetProp(set, BAD_CAST "id");
		char *id = NULL;
		if (asprintf(&id, "%s-%s", setid ? (const char *)setid : "cib-bootstrap-options",
			     name) < 0)
			id = NULL;
		xmlFree(setid);
		if (!id) {
			xmlFreeDoc(doc);
			return -ENOMEM;
		}
		xmlSetProp(pair, BAD_CAST "id", BAD_CAST id);
		xmlSetProp(pair, BAD_CAST "name", BAD_CAST name);
		free(id);
	}
	xmlSetProp(pair, BAD_CAST "value", BAD_CAST(value ? value : ""));
	int rc = finish(doc, ver, ret_xml, ret_len, diags);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- summary ---- */

static bool nvsets_true(xmlNodePtr parent, const char *set_name, const char *name)
{
	for (xmlNodePtr s = parent->children; s; s = s->next) {
		if (s->type != XML_ELEMENT_NODE || xmlStrcmp(s->name, BAD_CAST set_name))
			continue;
		for (xmlNodePtr p = s->children; p; p = p->next) {
			if (p->type != XML_ELEMENT_NODE || !attr_eq(p, "name", name))
				continue;
			xmlChar *v = xmlGetProp(p, BAD_CAST "value");
			bool t = v && (!xmlStrcasecmp(v, BAD_CAST "true") ||
				       !xmlStrcasecmp(v, BAD_CAST "on") ||
				       !xmlStrcasecmp(v, BAD_CAST "yes") ||
				       !xmlStrcasecmp(v, BAD_CAST "y") || !xmlStrcmp(v, BAD_CAST "1"));
			xmlFree(v);
			return t;
		}
	}
	return false;
}

static char *nvsets_get(xmlNodePtr parent, const char *set_name, const char *name)
{
	for (xmlNodePtr s = parent->children; s; s = s->next) {
		if (s->type != XML_ELEMENT_NODE || xmlStrcmp(s->name, BAD_CAST set_name))
			continue;
		for (xmlNodePtr p = s->children; p; p = p->next)
			if (p->type == XML_ELEMENT_NODE && attr_eq(p, "name", name))
				return attr(p, "value");
	}
	return NULL;
}

void crmd_doc_summary_free(struct crmd_doc_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_nodes; i++) {
		free(s->nodes[i].id);
		free(s->nodes[i].uname);
	}
	for (size_t i = 0; i < s->n_resources; i++) {
		free(s->resources[i].id);
		free(s->resources[i].agent);
		free(s->resources[i].target_role);
	}
	free(s->nodes);
	free(s->resources);
	free(s);
}

static void add_primitive(struct crmd_doc_summary *s, xmlNodePtr p)
{
	struct crmd_doc_resource *grown =
		realloc(s->resources, (s->n_resources + 1) * sizeof(*grown));
	if (!grown)
		return;
	s->resources = grown;
	struct crmd_doc_resource *r = &s->resources[s->n_resources++];
	*r = (struct crmd_doc_resource){ .id = attr(p, "id") };
	char *cls = attr(p, "class"), *prov = attr(p, "provider"), *type = attr(p, "type");
	if (asprintf(&r->agent, "%s%s%s:%s", cls ? cls : "?", prov ? ":" : "", prov ? prov : "",
		     type ? type : "?") < 0)
		r->agent = NULL;
	free(cls);
	free(prov);
	free(type);
	r->target_role = nvsets_get(p, "meta_attributes", "target-role");
	char *managed = nvsets_get(p, "meta_attributes", "is-managed");
	r->unmanaged = managed && (!strcasecmp(managed, "false") || !strcasecmp(managed, "off") ||
				   !strcasecmp(managed, "no") || !strcasecmp(managed, "n") ||
				   !strcmp(managed, "0"));
	free(managed);
	r->maintenance = nvsets_true(p, "meta_attributes", "maintenance");
	/* The first enabled recurring monitor (the safety net vigild runs). */
	for (xmlNodePtr ops = p->children; ops; ops = ops->next) {
		if (ops->type != XML_ELEMENT_NODE || xmlStrcmp(ops->name, BAD_CAST "operations"))
			continue;
		for (xmlNodePtr op = ops->children; op && !r->monitor_ms; op = op->next) {
			if (op->type != XML_ELEMENT_NODE || xmlStrcmp(op->name, BAD_CAST "op") ||
			    !attr_eq(op, "name", "monitor"))
				continue;
			char *ivl = attr(op, "interval"), *tmo = attr(op, "timeout");
			char *en = attr(op, "enabled");
			uint64_t ms = 0, t = 0;
			bool off = en && (!strcasecmp(en, "false") || !strcasecmp(en, "no") ||
					  !strcasecmp(en, "off") || !strcmp(en, "0"));
			if (!off && ivl && !vg_duration_parse(ivl, &ms) && ms) {
				r->monitor_ms = ms;
				if (tmo && !vg_duration_parse(tmo, &t))
					r->monitor_timeout_ms = t;
			}
			free(ivl);
			free(tmo);
			free(en);
		}
	}
}

int crmd_doc_summarize(const char *xml, size_t len, struct crmd_doc_summary **ret_summary)
{
	struct vg_diags d = { 0 };
	xmlDocPtr doc = parse(xml, len, "cib", &d);
	vg_diags_clear(&d);
	if (!doc)
		return -EINVAL;
	struct crmd_doc_summary *s = calloc(1, sizeof(*s));
	if (!s) {
		xmlFreeDoc(doc);
		return -ENOMEM;
	}
	xmlNodePtr conf = configuration_of(doc, false);
	xmlNodePtr nodes = child(conf, "nodes");
	for (xmlNodePtr n = nodes ? nodes->children : NULL; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, BAD_CAST "node"))
			continue;
		struct crmd_doc_node *grown = realloc(s->nodes, (s->n_nodes + 1) * sizeof(*grown));
		if (!grown)
			break;
		s->nodes = grown;
		s->nodes[s->n_nodes++] = (struct crmd_doc_node){
			.id = attr(n, "id"),
			.uname = attr(n, "uname"),
			.standby = nvsets_true(n, "instance_attributes", "standby"),
			.maintenance = nvsets_true(n, "instance_attributes", "maintenance"),
		};
	}
	xmlNodePtr rscs = child(conf, "resources");
	for (xmlNodePtr r = rscs ? rscs->children : NULL; r; r = r->next) {
		if (r->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(r->name, BAD_CAST "primitive"))
			add_primitive(s, r);
	}
	xmlNodePtr cc = child(conf, "crm_config");
	if (cc)
		s->maintenance_mode = nvsets_true(cc, "cluster_property_set", "maintenance-mode");
	xmlFreeDoc(doc);
	*ret_summary = s;
	return 0;
}

/* ---- status section ---- */

void crmd_node_states_free(struct crmd_node_state *states, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(states[i].uname);
		free(states[i].join);
		free(states[i].expected);
	}
	free(states);
}

int crmd_doc_status_build(const struct crmd_node_state *states, size_t n, char **ret_xml,
			  size_t *ret_len)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	if (!doc)
		return -ENOMEM;
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "status");
	xmlDocSetRootElement(doc, root);
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr ns = xmlNewChild(root, NULL, BAD_CAST "node_state", NULL);
		set_u32_attr(ns, "id", states[i].nodeid);
		xmlSetProp(ns, BAD_CAST "uname", BAD_CAST(states[i].uname ? states[i].uname : ""));
		xmlSetProp(ns, BAD_CAST "in_ccm", BAD_CAST(states[i].in_ccm ? "true" : "false"));
		xmlSetProp(ns, BAD_CAST "crmd", BAD_CAST(states[i].crmd ? "online" : "offline"));
		xmlSetProp(ns, BAD_CAST "join", BAD_CAST(states[i].join ? states[i].join : "down"));
		xmlSetProp(ns, BAD_CAST "expected",
			   BAD_CAST(states[i].expected ? states[i].expected : "down"));
	}
	int rc = dump(doc, ret_xml, ret_len);
	xmlFreeDoc(doc);
	return rc;
}

int crmd_doc_status_parse(const char *xml, size_t len, struct crmd_node_state **ret_states,
			  size_t *ret_n, struct vg_diags *diags)
{
	if (len > INT_MAX)
		return -EINVAL;
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, NULL, NULL,
				      PARSE_OPTS);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || doc->intSubset || xmlStrcmp(root->name, BAD_CAST "status")) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "status", "not a <status> section");
		xmlFreeDoc(doc);
		return -EINVAL;
	}
	struct crmd_node_state *v = NULL;
	size_t n = 0;
	int rc = 0;
	for (xmlNodePtr c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		uint32_t id = 0;
		if (xmlStrcmp(c->name, BAD_CAST "node_state") || read_u32_attr(c, "id", &id, diags) ||
		    !id || n >= VG_WIRE_MAX_MEMBERS) {
			vg_diags_add(diags, VG_DIAG_ERROR, (int)c->line, "status", "bad <%s>",
				     (const char *)c->name);
			rc = -EINVAL;
			break;
		}
		struct crmd_node_state *grown = realloc(v, (n + 1) * sizeof(*v));
		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		v = grown;
		v[n++] = (struct crmd_node_state){
			.nodeid = id,
			.uname = attr(c, "uname"),
			.in_ccm = attr_eq(c, "in_ccm", "true"),
			.crmd = attr_eq(c, "crmd", "online"),
			.join = attr(c, "join"),
			.expected = attr(c, "expected"),
		};
	}
	xmlFreeDoc(doc);
	if (rc) {
		crmd_node_states_free(v, n);
		return rc;
	}
	*ret_states = v;
	*ret_n = n;
	return 0;
}
