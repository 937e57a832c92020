/* fen_meta.c - see fen_meta.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fen_int.h"
#include "fen_meta.h"
#include "fen_run.h"

#define META_MAX_BYTES (1024u * 1024u)

static void param_clear(struct fen_meta_param *p)
{
	free(p->name);
	free(p->obsoletes);
	free(p->type);
	free(p->default_value);
	free(p->shortdesc);
}

void fen_meta_free(struct fen_meta *meta)
{
	if (!meta)
		return;
	for (size_t i = 0; i < meta->n_params; i++)
		param_clear(&meta->params[i]);
	free(meta->params);
	for (size_t i = 0; i < meta->n_actions; i++)
		free(meta->actions[i]);
	free(meta->actions);
	free(meta->agent);
	free(meta->shortdesc);
	free(meta);
}

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

/* A malloc()ed copy of attribute @name, or NULL (absent or out of memory:
 * *ok says which). */
static char *attr_dup(xmlNode *n, const char *name, bool *ok)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = strdup((const char *)v);
	xmlFree(v);
	if (!s)
		*ok = false;
	return s;
}

static bool attr_true(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	bool t = false;
	if (v) {
		t = xmlStrcmp(v, (const xmlChar *)"1") == 0 || xmlStrcasecmp(v, (const xmlChar *)"true") == 0;
		xmlFree(v);
	}
	return t;
}

/* The text of the first <shortdesc> child, preferring lang="en" or no lang. */
static char *shortdesc_dup(xmlNode *parent, bool *ok)
{
	char *found = NULL;
	for (xmlNode *c = parent->children; c; c = c->next) {
		if (!is_elem(c, "shortdesc"))
			continue;
		xmlChar *lang = xmlGetProp(c, (const xmlChar *)"lang");
		bool en = !lang || xmlStrcmp(lang, (const xmlChar *)"en") == 0;
		xmlFree(lang);
		if (!en && found)
			continue;
		xmlChar *text = xmlNodeGetContent(c);
		if (!text)
			continue;
		free(found);
		found = strdup((const char *)text);
		xmlFree(text);
		if (!found)
			*ok = false;
		if (en)
			break;
	}
	return found;
}

static int parse_params(xmlNode *params, struct fen_meta *m)
{
	size_t n = 0;
	for (xmlNode *c = params->children; c; c = c->next)
		if (is_elem(c, "parameter"))
			n++;
	if (n && !(m->params = calloc(n, sizeof(*m->params))))
		return -ENOMEM;
	bool ok = true;
	for (xmlNode *c = params->children; c && ok; c = c->next) {
		if (!is_elem(c, "parameter"))
			continue;
		struct fen_meta_param *p = &m->params[m->n_params];
		p->name = attr_dup(c, "name", &ok);
		if (!p->name) {
			param_clear(p);
			*p = (struct fen_meta_param){ 0 };
			continue;   /* nameless: nothing to check against */
		}
		m->n_params++;
		p->required = attr_true(c, "required");
		p->deprecated = attr_true(c, "deprecated");
		p->obsoletes = attr_dup(c, "obsoletes", &ok);
		p->shortdesc = shortdesc_dup(c, &ok);
		for (xmlNode *k = c->children; k; k = k->next) {
			if (is_elem(k, "content")) {
				p->type = attr_dup(k, "type", &ok);
				p->default_value = attr_dup(k, "default", &ok);
				break;
			}
		}
	}
	return ok ? 0 : -ENOMEM;
}

static int parse_actions(xmlNode *actions, struct fen_meta *m)
{
	size_t n = 0;
	for (xmlNode *c = actions->children; c; c = c->next)
		if (is_elem(c, "action"))
			n++;
	if (n && !(m->actions = calloc(n, sizeof(*m->actions))))
		return -ENOMEM;
	bool ok = true;
	for (xmlNode *c = actions->children; c && ok; c = c->next) {
		if (!is_elem(c, "action"))
			continue;
		char *name = attr_dup(c, "name", &ok);
		if (name)
			m->actions[m->n_actions++] = name;
	}
	return ok ? 0 : -ENOMEM;
}

int fen_meta_parse(const char *xml, size_t len, struct fen_meta **ret_meta,
		   struct vg_diags *diags)
{
	if (!xml)
		return -EINVAL;
	if (len > META_MAX_BYTES)
		return -EFBIG;

	int r = -ENOMEM;
	struct fen_meta *m = NULL;
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return -ENOMEM;
	/* No network, no entity substitution (XML_PARSE_NOENT unset), no DTD
	 * loading or validation, and libxml2 prints nothing. */
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "metadata.xml", NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					  XML_PARSE_NOCDATA);
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		vg_diags_add(diags, VG_DIAG_ERROR, e ? e->line : 0, NULL,
			     "agent metadata is not well-formed XML: %s",
			     e && e->message ? e->message : "parse error");
		r = -EINVAL;
		goto out_ctxt;
	}
	if (doc->intSubset || doc->extSubset) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, NULL, "agent metadata carries a DOCTYPE; refused");
		r = -EINVAL;
		goto out_doc;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || !is_elem(root, "resource-agent")) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, NULL,
			     "agent metadata's root element is not <resource-agent>");
		r = -EINVAL;
		goto out_doc;
	}
	if (!(m = calloc(1, sizeof(*m))))
		goto out_doc;
	bool ok = true;
	m->agent = attr_dup(root, "name", &ok);
	m->shortdesc = attr_dup(root, "shortdesc", &ok);
	if (!ok)
		goto out_doc;
	for (xmlNode *c = root->children; c; c = c->next) {
		if (is_elem(c, "parameters") && (r = parse_params(c, m)) < 0)
			goto out_doc;
		if (is_elem(c, "actions") && (r = parse_actions(c, m)) < 0)
			goto out_doc;
	}
	*ret_meta = m;
	m = NULL;
	r = 0;
out_doc:
	xmlFreeDoc(doc);
out_ctxt:
	xmlFreeParserCtxt(ctxt);
	fen_meta_free(m);
	return r;
}

const struct fen_meta_param *fen_meta_param(const struct fen_meta *meta, const char *name)
{
	for (size_t i = 0; i < meta->n_params; i++)
		if (strcmp(meta->params[i].name, name) == 0)
			return &meta->params[i];
	return NULL;
}

bool fen_meta_has_action(const struct fen_meta *meta, const char *action)
{
	for (size_t i = 0; i < meta->n_actions; i++)
		if (strcmp(meta->actions[i], action) == 0)
			return true;
	return false;
}

static bool supplied_by_fencer(const struct vg_resource *dev, const char *name)
{
	const char *host_arg = fen_nvsets_get(&dev->instance, "pcmk_host_argument");
	return strcmp(name, "action") == 0 || strcmp(name, "port") == 0 ||
	       strcmp(name, "plug") == 0 || strcmp(name, "nodename") == 0 ||
	       (host_arg && strcmp(name, host_arg) == 0);
}

/* The parameter that replaces @name (its "obsoletes" names @name), or NULL. */
static const struct fen_meta_param *replacement_of(const struct fen_meta *meta, const char *name)
{
	for (size_t i = 0; i < meta->n_params; i++)
		if (meta->params[i].obsoletes && strcmp(meta->params[i].obsoletes, name) == 0)
			return &meta->params[i];
	return NULL;
}

int fen_meta_validate(const struct fen_meta *meta, const struct vg_resource *dev,
		      struct vg_diags *diags)
{
	char where[256];
	snprintf(where, sizeof(where), "primitive[@id='%s']", dev->id ? dev->id : "");
	const char *agent = dev->type ? dev->type : "?";
	size_t errors_before = diags->n_errors;

	for (size_t i = 0; i < dev->instance.n; i++) {
		const struct vg_nvset *set = &dev->instance.v[i];
		for (size_t j = 0; j < set->n_pairs; j++) {
			const struct vg_nvpair *nv = &set->pairs[j];
			if (!nv->name || strncmp(nv->name, "pcmk_", 5) == 0)
				continue;
			int line = nv->line ? nv->line : dev->line;
			const struct fen_meta_param *p = fen_meta_param(meta, nv->name);
			if (!p) {
				vg_diags_add(diags, VG_DIAG_WARNING, line, where,
					     "%s has no parameter '%s'; the agent will ignore it",
					     agent, nv->name);
			} else if (p->deprecated) {
				const struct fen_meta_param *repl = replacement_of(meta, nv->name);
				vg_diags_add(diags, VG_DIAG_WARNING, line, where,
					     "%s parameter '%s' is deprecated%s%s%s", agent, nv->name,
					     repl ? "; use '" : "", repl ? repl->name : "", repl ? "'" : "");
			}
		}
	}

	for (size_t i = 0; i < meta->n_params; i++) {
		const struct fen_meta_param *p = &meta->params[i];
		if (!p->required || supplied_by_fencer(dev, p->name))
			continue;
		if (fen_nvsets_get(&dev->instance, p->name))
			continue;
		/* Either name of a renamed parameter satisfies the requirement. */
		if (p->obsoletes && fen_nvsets_get(&dev->instance, p->obsoletes))
			continue;
		const struct fen_meta_param *repl = replacement_of(meta, p->name);
		if (repl && fen_nvsets_get(&dev->instance, repl->name))
			continue;
		if (p->deprecated && repl)
			continue;   /* reported under its replacement's name */
		vg_diags_add(diags, VG_DIAG_ERROR, dev->line, where,
			     "%s requires parameter '%s'%s%s", agent, p->name,
			     p->shortdesc ? ": " : "", p->shortdesc ? p->shortdesc : "");
	}
	return diags->n_errors > errors_before ? -EINVAL : 0;
}

/* ---- synchronous load for the command-line tool ---- */

struct meta_wait {
	qb_loop_t *loop;
	bool done;
	int r;
	struct fen_meta *meta;
	struct vg_diags *diags;
	const char *agent;
};

static void meta_done(const struct fen_run_result *res, void *data)
{
	struct meta_wait *w = data;
	w->done = true;
	qb_loop_stop(w->loop);
	if (res->timed_out) {
		vg_diags_add(w->diags, VG_DIAG_ERROR, 0, NULL, "%s metadata timed out", w->agent);
		w->r = -ETIMEDOUT;
		return;
	}
	if (!fen_run_result_ok(res)) {
		vg_diags_add(w->diags, VG_DIAG_ERROR, 0, NULL, "%s metadata failed (exit %d, signal %d)%s%s",
			     w->agent, res->exit_code, res->signal, res->err_len ? ": " : "",
			     res->err_len ? res->err : "");
		w->r = -EIO;
		return;
	}
	if (res->out_truncated) {
		w->r = -EFBIG;
		return;
	}
	w->r = fen_meta_parse(res->out, res->out_len, &w->meta, w->diags);
}

int fen_meta_load(const char *const *agent_dirs, const char *agent, uint64_t timeout_ms,
		  struct fen_meta **ret_meta, struct vg_diags *diags)
{
	qb_loop_t *loop = qb_loop_create();
	if (!loop)
		return -ENOMEM;
	struct fen_runner *runner = NULL;
	struct fen_runner_opts o = { .agent_dirs = agent_dirs, .output_max = META_MAX_BYTES + 1,
				     .kill_grace_ms = 1000 };
	int r = fen_runner_new(loop, &o, &runner);
	if (r < 0)
		goto out_loop;
	struct meta_wait w = { .loop = loop, .diags = diags, .agent = agent };
	struct fen_run_request req = { .agent = agent, .action = "metadata",
				       .timeout_ms = timeout_ms ? timeout_ms : 10000 };
	if ((r = fen_run_start(runner, &req, meta_done, &w, NULL)) < 0)
		goto out_runner;
	qb_loop_run(loop);
	r = w.done ? w.r : -EIO;
	if (r == 0)
		*ret_meta = w.meta;
out_runner:
	fen_runner_free(runner);
out_loop:
	qb_loop_destroy(loop);
	return r;
}
