/*
 * diff_check.c - the differential check of Vigil against Pacemaker on one
 * generated cluster (tests/policy-differential.sh).
 *
 *   diff_check CIB VIGIL_JSON CRM_XML
 *
 * CIB is the input, VIGIL_JSON what `vigil simulate --output-as json` decided,
 * CRM_XML what `crm_simulate -x CIB -R -Q --output-as=xml` decided (or -S).  Each
 * outcome is checked against the hard rules of the input, then the two are
 * compared:
 *   - hard rules (each engine on its own): no resource ends on a node that is
 *     offline, fenced, in standby or pending; +/-INFINITY locations (node or
 *     rule) and colocations hold; no node's capacity is exceeded when
 *     placement-strategy is not "default"; target-role=Stopped stays stopped;
 *   - both fence the same nodes;
 *   - when capacity allows (the VMs' total demand fits the eligible nodes in
 *     every dimension), both place the same number of resources and recover
 *     the same VMs (those active on a fenced node that end up running).
 * Prints one line per problem and a summary line; exit 0 when all holds, 1
 * when not, 2 on unreadable input.  Without arguments it tests itself.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "outcome.h"

#define INF_SCORE 1000000

/* ---- the input, as far as the rules need it ---- */

struct kv {
	char *name;
	char *value;
};

struct cnode {
	char *name;
	struct kv *attrs;       /* instance attributes, plus #uname */
	size_t n_attrs;
	struct kv *cap;         /* utilization */
	size_t n_cap;
	bool online, standby, pending;
};

struct crsc {
	char *id;
	struct kv *use;
	size_t n_use;
	bool stopped_role;
	char **active;          /* nodes where the status says it runs */
	size_t n_active;
};

struct cons {
	enum { LOC, COLOC } kind;
	char *rsc, *with;       /* with: colocation only */
	int score;
	xmlNodePtr rule;        /* location by rule, or NULL */
	char *node;             /* location by node */
};

struct input {
	xmlDocPtr doc;
	bool strategy_default;
	struct cnode *nodes;
	size_t n_nodes;
	struct crsc *rscs;
	size_t n_rscs;
	struct cons *cons;
	size_t n_cons;
};

static char *xstr(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static bool is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

static int parse_score(const char *s)
{
	if (!s)
		return 0;
	if (!strcmp(s, "INFINITY") || !strcmp(s, "+INFINITY"))
		return INF_SCORE;
	if (!strcmp(s, "-INFINITY"))
		return -INF_SCORE;
	return atoi(s);
}

static void kv_add(struct kv **v, size_t *n, const char *name, const char *value)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	(*v)[*n].name = strdup(name);
	(*v)[*n].value = strdup(value ? value : "");
	(*n)++;
}

static const char *kv_get(const struct kv *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].value;
	return NULL;
}

/* The nvpairs of every @set child of @n, first one wins. */
static void read_sets(xmlNodePtr n, const char *set, struct kv **v, size_t *nv)
{
	for (xmlNodePtr s = n ? n->children : NULL; s; s = s->next) {
		if (!is(s, set))
			continue;
		for (xmlNodePtr p = s->children; p; p = p->next) {
			if (!is(p, "nvpair"))
				continue;
			char *name = xstr(p, "name"), *value = xstr(p, "value");
			if (name && !kv_get(*v, *nv, name))
				kv_add(v, nv, name, value);
			xmlFree(name);
			xmlFree(value);
		}
	}
}

static struct cnode *find_node(struct input *in, const char *name)
{
	for (size_t i = 0; i < in->n_nodes; i++)
		if (!strcmp(in->nodes[i].name, name))
			return &in->nodes[i];
	return NULL;
}

static struct crsc *find_rsc(struct input *in, const char *id)
{
	for (size_t i = 0; i < in->n_rscs; i++)
		if (!strcmp(in->rscs[i].id, id))
			return &in->rscs[i];
	return NULL;
}

/* Is @rsc active on the node whose <lrm_resource> this is?  The operation with
 * the highest call-id decides. */
static bool lrm_active(xmlNodePtr lrm_rsc)
{
	int best = -1;
	bool active = false;

	for (xmlNodePtr op = lrm_rsc->children; op; op = op->next) {
		if (!is(op, "lrm_rsc_op"))
			continue;
		char *call = xstr(op, "call-id"), *task = xstr(op, "operation"), *rc = xstr(op, "rc-code");
		int c = call ? atoi(call) : -1, r = rc ? atoi(rc) : -1;
		if (c > best && task) {
			best = c;
			if (!strcmp(task, "stop") || !strcmp(task, "migrate_to"))
				active = r != 0;
			else if (!strcmp(task, "start") || !strcmp(task, "migrate_from") ||
				 !strcmp(task, "monitor"))
				active = r == 0 || r == 8;
			/* other operations (notify, ...) do not change the state */
		}
		xmlFree(call);
		xmlFree(task);
		xmlFree(rc);
	}
	return active;
}

static int read_input(const char *path, struct input *in)
{
	in->doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!in->doc) {
		fprintf(stderr, "diff_check: %s: not XML\n", path);
		return -EINVAL;
	}
	xmlNodePtr cib = xmlDocGetRootElement(in->doc), conf = child(cib, "configuration");
	xmlNodePtr status = child(cib, "status");
	if (!conf) {
		fprintf(stderr, "diff_check: %s: no configuration\n", path);
		return -EINVAL;
	}

	struct kv *props = NULL;
	size_t n_props = 0;
	read_sets(child(conf, "crm_config"), "cluster_property_set", &props, &n_props);
	const char *strategy = kv_get(props, n_props, "placement-strategy");
	in->strategy_default = !strategy || !strcmp(strategy, "default");

	for (xmlNodePtr n = child(child(conf, "nodes"), "node"); n; n = n->next) {
		if (!is(n, "node"))
			continue;
		in->nodes = realloc(in->nodes, (in->n_nodes + 1) * sizeof(*in->nodes));
		struct cnode *cn = &in->nodes[in->n_nodes++];
		memset(cn, 0, sizeof(*cn));
		char *uname = xstr(n, "uname");
		cn->name = strdup(uname ? uname : "?");
		xmlFree(uname);
		kv_add(&cn->attrs, &cn->n_attrs, "#uname", cn->name);
		read_sets(n, "instance_attributes", &cn->attrs, &cn->n_attrs);
		read_sets(n, "utilization", &cn->cap, &cn->n_cap);
		const char *sb = kv_get(cn->attrs, cn->n_attrs, "standby");
		cn->standby = sb && (!strcmp(sb, "on") || !strcmp(sb, "true") || !strcmp(sb, "yes") ||
				     !strcmp(sb, "1"));
	}

	for (xmlNodePtr p = child(child(conf, "resources"), "primitive"); p; p = p->next) {
		if (!is(p, "primitive"))
			continue;
		in->rscs = realloc(in->rscs, (in->n_rscs + 1) * sizeof(*in->rscs));
		struct crsc *r = &in->rscs[in->n_rscs++];
		memset(r, 0, sizeof(*r));
		char *id = xstr(p, "id");
		r->id = strdup(id ? id : "?");
		xmlFree(id);
		read_sets(p, "utilization", &r->use, &r->n_use);
		struct kv *meta = NULL;
		size_t n_meta = 0;
		read_sets(p, "meta_attributes", &meta, &n_meta);
		const char *role = kv_get(meta, n_meta, "target-role");
		r->stopped_role = role && !strcmp(role, "Stopped");
		for (size_t i = 0; i < n_meta; i++) {
			free(meta[i].name);
			free(meta[i].value);
		}
		free(meta);
	}

	for (xmlNodePtr c = child(conf, "constraints") ? child(conf, "constraints")->children : NULL;
	     c; c = c->next) {
		struct cons k = { 0 };
		if (is(c, "rsc_location")) {
			k.kind = LOC;
			k.rsc = xstr(c, "rsc");
			k.node = xstr(c, "node");
			char *score = xstr(c, "score");
			k.score = parse_score(score);
			xmlFree(score);
			k.rule = child(c, "rule");
			if (k.rule) {
				score = xstr(k.rule, "score");
				k.score = parse_score(score);
				xmlFree(score);
			}
		} else if (is(c, "rsc_colocation")) {
			k.kind = COLOC;
			k.rsc = xstr(c, "rsc");
			k.with = xstr(c, "with-rsc");
			char *score = xstr(c, "score");
			k.score = parse_score(score);
			xmlFree(score);
		} else {
			continue;
		}
		if (k.score != INF_SCORE && k.score != -INF_SCORE) {
			xmlFree(k.rsc);
			xmlFree(k.with);
			xmlFree(k.node);
			continue;       /* only hard constraints are checked */
		}
		in->cons = realloc(in->cons, (in->n_cons + 1) * sizeof(*in->cons));
		in->cons[in->n_cons++] = k;
	}

	for (xmlNodePtr ns = status ? status->children : NULL; ns; ns = ns->next) {
		if (!is(ns, "node_state"))
			continue;
		char *uname = xstr(ns, "uname"), *ccm = xstr(ns, "in_ccm"), *crmd = xstr(ns, "crmd");
		char *join = xstr(ns, "join");
		struct cnode *cn = uname ? find_node(in, uname) : NULL;
		if (cn) {
			cn->online = ccm && strcmp(ccm, "false") && crmd && strcmp(crmd, "offline") &&
				     join && !strcmp(join, "member");
			cn->pending = join && !strcmp(join, "pending");
			xmlNodePtr lrms = child(child(ns, "lrm"), "lrm_resources");
			for (xmlNodePtr lr = lrms ? lrms->children : NULL; lr; lr = lr->next) {
				if (!is(lr, "lrm_resource") || !lrm_active(lr))
					continue;
				char *id = xstr(lr, "id");
				struct crsc *r = id ? find_rsc(in, id) : NULL;
				if (r) {
					r->active = realloc(r->active, (r->n_active + 1) * sizeof(char *));
					r->active[r->n_active++] = strdup(cn->name);
				}
				xmlFree(id);
			}
		}
		xmlFree(uname);
		xmlFree(ccm);
		xmlFree(crmd);
		xmlFree(join);
	}
	for (size_t i = 0; i < n_props; i++) {
		free(props[i].name);
		free(props[i].value);
	}
	free(props);
	return 0;
}

static void free_input(struct input *in)
{
	for (size_t i = 0; i < in->n_nodes; i++) {
		for (size_t j = 0; j < in->nodes[i].n_attrs; j++) {
			free(in->nodes[i].attrs[j].name);
			free(in->nodes[i].attrs[j].value);
		}
		for (size_t j = 0; j < in->nodes[i].n_cap; j++) {
			free(in->nodes[i].cap[j].name);
			free(in->nodes[i].cap[j].value);
		}
		free(in->nodes[i].attrs);
		free(in->nodes[i].cap);
		free(in->nodes[i].name);
	}
	for (size_t i = 0; i < in->n_rscs; i++) {
		for (size_t j = 0; j < in->rscs[i].n_use; j++) {
			free(in->rscs[i].use[j].name);
			free(in->rscs[i].use[j].value);
		}
		for (size_t j = 0; j < in->rscs[i].n_active; j++)
			free(in->rscs[i].active[j]);
		free(in->rscs[i].use);
		free(in->rscs[i].active);
		free(in->rscs[i].id);
	}
	for (size_t i = 0; i < in->n_cons; i++) {
		xmlFree(in->cons[i].rsc);
		xmlFree(in->cons[i].with);
		xmlFree(in->cons[i].node);
	}
	free(in->nodes);
	free(in->rscs);
	free(in->cons);
	xmlFreeDoc(in->doc);
}

/* ---- rules ---- */

static bool expr_true(xmlNodePtr e, const struct cnode *n)
{
	char *attr = xstr(e, "attribute"), *op = xstr(e, "operation"), *value = xstr(e, "value");
	char *type = xstr(e, "type");
	const char *have = attr ? kv_get(n->attrs, n->n_attrs, attr) : NULL;
	bool res = false;

	if (!op) {
		res = false;
	} else if (!strcmp(op, "defined")) {
		res = have != NULL;
	} else if (!strcmp(op, "not_defined")) {
		res = have == NULL;
	} else if (have && value) {
		int cmp;
		bool numeric = type && (!strcmp(type, "integer") || !strcmp(type, "number"));
		if (numeric) {
			double a = strtod(have, NULL), b = strtod(value, NULL);
			cmp = a < b ? -1 : a > b;
		} else {
			cmp = strcmp(have, value);
		}
		res = (!strcmp(op, "eq") && cmp == 0) || (!strcmp(op, "ne") && cmp != 0) ||
		      (!strcmp(op, "lt") && cmp < 0) || (!strcmp(op, "gt") && cmp > 0) ||
		      (!strcmp(op, "lte") && cmp <= 0) || (!strcmp(op, "gte") && cmp >= 0);
	} else if (!have && !strcmp(op, "ne")) {
		res = true;
	}
	xmlFree(attr);
	xmlFree(op);
	xmlFree(value);
	xmlFree(type);
	return res;
}

static bool rule_true(xmlNodePtr rule, const struct cnode *n)
{
	char *bop = xstr(rule, "boolean-op");
	bool is_or = bop && !strcmp(bop, "or");
	bool res = !is_or, any = false;

	xmlFree(bop);
	for (xmlNodePtr c = rule->children; c; c = c->next) {
		bool v;
		if (is(c, "expression"))
			v = expr_true(c, n);
		else if (is(c, "rule"))
			v = rule_true(c, n);
		else
			continue;
		any = true;
		res = is_or ? (res || v) : (res && v);
	}
	return any && res;
}

/* ---- checking one outcome ---- */

static bool placed_on(const char *where, const char *node)
{
	size_t n = strlen(node);
	for (const char *p = where; (p = strstr(p, node)); p += n)
		if ((p == where || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static bool fenced(const struct outcome *o, const char *node)
{
	for (size_t i = 0; i < o->n_fenced; i++)
		if (!strcmp(o->fenced[i], node))
			return true;
	return false;
}

static double num(const char *s)
{
	return s ? strtod(s, NULL) : 0;
}

/* Prints each broken hard rule; returns how many. */
static int check_rules(struct input *in, const struct outcome *o, const char *who)
{
	int bad = 0;

	for (size_t i = 0; i < in->n_rscs; i++) {
		struct crsc *r = &in->rscs[i];
		const char *where = outcome_where(o, r->id);
		if (!where) {
			printf("%s: %s has no placement\n", who, r->id);
			bad++;
			continue;
		}
		if (r->stopped_role && where[0]) {
			printf("%s: %s has target-role=Stopped but runs on %s\n", who, r->id, where);
			bad++;
		}
		for (size_t k = 0; k < in->n_nodes; k++) {
			struct cnode *n = &in->nodes[k];
			if (!placed_on(where, n->name))
				continue;
			if (!n->online || fenced(o, n->name) || n->standby || n->pending) {
				printf("%s: %s ends on %s, which is %s\n", who, r->id, n->name,
				       fenced(o, n->name) ? "fenced" : !n->online ? "not online" :
				       n->standby ? "in standby" : "pending");
				bad++;
			}
		}
	}
	for (size_t c = 0; c < in->n_cons; c++) {
		struct cons *k = &in->cons[c];
		const char *where = k->rsc ? outcome_where(o, k->rsc) : NULL;
		if (!where || !where[0])
			continue;
		if (k->kind == LOC) {
			for (size_t j = 0; j < in->n_nodes; j++) {
				struct cnode *n = &in->nodes[j];
				bool applies = k->rule ? rule_true(k->rule, n) : k->node && !strcmp(k->node, n->name);
				if (applies && k->score < 0 && placed_on(where, n->name)) {
					printf("%s: %s runs on %s, banned there (-INFINITY)\n", who, k->rsc, n->name);
					bad++;
				}
			}
			if (k->score > 0 && !k->rule && k->node) {
				/* +INFINITY on an eligible node: it must be there. */
				struct cnode *n = find_node(in, k->node);
				if (n && n->online && !n->standby && !fenced(o, n->name) &&
				    !placed_on(where, n->name)) {
					printf("%s: %s runs on %s, not on %s (+INFINITY)\n", who, k->rsc, where,
					       k->node);
					bad++;
				}
			}
		} else {
			const char *w2 = k->with ? outcome_where(o, k->with) : NULL;
			if (k->score > 0 && (!w2 || strcmp(w2, where))) {
				printf("%s: %s runs on %s but must run with %s (on %s)\n", who, k->rsc, where,
				       k->with, w2 && w2[0] ? w2 : "nothing");
				bad++;
			} else if (k->score < 0 && w2 && !strcmp(w2, where)) {
				printf("%s: %s and %s both run on %s (-INFINITY)\n", who, k->rsc, k->with, where);
				bad++;
			}
		}
	}
	if (!in->strategy_default) {
		for (size_t j = 0; j < in->n_nodes; j++) {
			struct cnode *n = &in->nodes[j];
			/* Every dimension any placed resource uses on this node. */
			for (size_t i = 0; i < in->n_rscs; i++) {
				const char *where = outcome_where(o, in->rscs[i].id);
				if (!where || !placed_on(where, n->name))
					continue;
				for (size_t u = 0; u < in->rscs[i].n_use; u++) {
					const char *dim = in->rscs[i].use[u].name;
					double used = 0;
					bool first = true;
					for (size_t q = 0; q < i && first; q++)
						for (size_t v = 0; v < in->rscs[q].n_use; v++)
							if (!strcmp(in->rscs[q].use[v].name, dim) &&
							    (where = outcome_where(o, in->rscs[q].id)) &&
							    placed_on(where, n->name))
								first = false;
					if (!first)
						continue;       /* counted with an earlier resource */
					for (size_t q = 0; q < in->n_rscs; q++) {
						const char *w = outcome_where(o, in->rscs[q].id);
						if (w && placed_on(w, n->name))
							used += num(kv_get(in->rscs[q].use, in->rscs[q].n_use, dim));
					}
					double cap = num(kv_get(n->cap, n->n_cap, dim));
					if (used > cap) {
						printf("%s: %s on %s: %g used, capacity %g\n", who, dim, n->name,
						       used, cap);
						bad++;
					}
				}
			}
		}
	}
	return bad;
}

/* Capacity allows when every dimension's total demand fits the nodes that can
 * take resources (online, not standby, not fenced by either engine). */
static bool capacity_allows(struct input *in, const struct outcome *a, const struct outcome *b)
{
	if (in->strategy_default)
		return true;
	for (size_t i = 0; i < in->n_rscs; i++)
		for (size_t u = 0; u < in->rscs[i].n_use; u++) {
			const char *dim = in->rscs[i].use[u].name;
			double need = 0, have = 0;
			for (size_t q = 0; q < in->n_rscs; q++)
				if (!in->rscs[q].stopped_role)
					need += num(kv_get(in->rscs[q].use, in->rscs[q].n_use, dim));
			for (size_t j = 0; j < in->n_nodes; j++) {
				struct cnode *n = &in->nodes[j];
				if (n->online && !n->standby && !n->pending && !fenced(a, n->name) &&
				    !fenced(b, n->name))
					have += num(kv_get(n->cap, n->n_cap, dim));
			}
			/* Bin packing wastes some room: ask for a margin of one
			 * resource's worth per node before calling it roomy. */
			if (need > have * 0.9)
				return false;
		}
	return true;
}

static size_t n_placed(struct input *in, const struct outcome *o)
{
	size_t n = 0;
	for (size_t i = 0; i < in->n_rscs; i++) {
		const char *w = outcome_where(o, in->rscs[i].id);
		n += w && w[0];
	}
	return n;
}

/* The VMs active on a node @o fences that @o runs again. */
static void recovered(struct input *in, const struct outcome *o, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < in->n_rscs; i++) {
		struct crsc *r = &in->rscs[i];
		bool on_fenced = false;
		for (size_t k = 0; k < r->n_active; k++)
			on_fenced |= fenced(o, r->active[k]);
		const char *w = outcome_where(o, r->id);
		if (on_fenced && w && w[0]) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? " " : "", r->id);
		}
	}
}

static size_t words(const char *s)
{
	size_t k = 0;
	for (const char *p = s; *p; p++)
		k += *p == ' ';
	return s[0] ? k + 1 : 0;
}

/* ---- crm_simulate --output-as=xml ---- */

/* Where each resource is: name -> space-separated nodes. */
struct where {
	char *rsc;
	char nodes[1024];
};

static struct where *where_of(struct where **v, size_t *n, const char *rsc)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].rsc, rsc))
			return &(*v)[i];
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	(*v)[*n].rsc = strdup(rsc);
	(*v)[*n].nodes[0] = '\0';
	return &(*v)[(*n)++];
}

static void where_del(struct where *w, const char *node)
{
	char out[sizeof(w->nodes)] = "", *save = NULL;
	for (char *t = strtok_r(w->nodes, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (strcmp(t, node))
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? " " : "", t);
	snprintf(w->nodes, sizeof(w->nodes), "%s", out);
}

static void where_add(struct where *w, const char *node)
{
	if (placed_on(w->nodes, node))
		return;
	size_t used = strlen(w->nodes);
	snprintf(w->nodes + used, sizeof(w->nodes) - used, "%s%s", used ? " " : "", node);
}

/* Reads either `crm_simulate -S` output (the revised status says where
 * everything ends) or `-R` output (the current status plus the decided
 * actions: start, stop, move, migrate, recover, restart; blocked ones are not
 * done; whatever stays on a fenced node is stopped by the fencing). */
static int pcmk_outcome(const char *path, struct outcome *o)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	struct where *ws = NULL;
	size_t n_ws = 0;
	char *text = NULL;
	size_t len = 0;

	if (!doc) {
		fprintf(stderr, "diff_check: %s: not XML\n", path);
		return -EINVAL;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNodePtr revised = child(root, "revised_cluster_status");
	xmlNodePtr status = revised ? revised : child(root, "cluster_status");
	for (xmlNodePtr r = child(child(status, "resources"), "resource"); r; r = r->next) {
		if (!is(r, "resource"))
			continue;
		char *id = xstr(r, "id"), *orphan = xstr(r, "orphaned"), *role = xstr(r, "role");
		if (id && !(orphan && !strcmp(orphan, "true"))) {
			struct where *w = where_of(&ws, &n_ws, id);
			for (xmlNodePtr n = r->children; n && role && strcmp(role, "Stopped"); n = n->next) {
				char *name = is(n, "node") ? xstr(n, "name") : NULL;
				if (name)
					where_add(w, name);
				xmlFree(name);
			}
		}
		xmlFree(id);
		xmlFree(orphan);
		xmlFree(role);
	}

	/* Build the JSON vocabulary and reuse its reader: one normalization. */
	FILE *out = open_memstream(&text, &len);
	fprintf(out, "{\"actions\": [");
	bool first = true;
	xmlNodePtr actions = child(root, "actions");
	for (xmlNodePtr a = actions ? actions->children : NULL; a; a = a->next) {
		char *blocked = xstr(a, "blocked");
		bool done = !(blocked && !strcmp(blocked, "true"));
		xmlFree(blocked);
		if (is(a, "node_action")) {
			char *task = xstr(a, "task"), *node = xstr(a, "node");
			if (done && task && node && !strncmp(task, "Fence", 5) && !strstr(task, "(on)")) {
				fprintf(out, "%s{\"op\": \"fence\", \"node\": \"%s\"}", first ? "" : ",", node);
				first = false;
			}
			xmlFree(task);
			xmlFree(node);
		} else if (is(a, "rsc_action") && done && !revised) {
			char *act = xstr(a, "action"), *rsc = xstr(a, "resource"), *node = xstr(a, "node");
			char *src = xstr(a, "source"), *dest = xstr(a, "dest");
			if (act && rsc) {
				struct where *w = where_of(&ws, &n_ws, rsc);
				if (!strcmp(act, "start") && node)
					where_add(w, node);
				else if (!strcmp(act, "stop") && node)
					where_del(w, node);
				else if (src && dest) {
					where_del(w, src);
					where_add(w, dest);
				}
			}
			xmlFree(act);
			xmlFree(rsc);
			xmlFree(node);
			xmlFree(src);
			xmlFree(dest);
		}
	}
	fprintf(out, "], \"placement\": {");
	fclose(out);
	char *head = text;
	text = NULL;
	/* The fenced nodes are known only now: what stays on them is stopped. */
	struct outcome fences = { 0 };
	char err[512];
	size_t flen = strlen(head);
	char *ftext = malloc(flen + 3);
	if (!ftext)
		abort();
	snprintf(ftext, flen + 3, "%s}}", head);
	int r = outcome_from_vigil_json_text(ftext, &fences, err, sizeof(err));
	free(ftext);
	out = open_memstream(&text, &len);
	fputs(head, out);
	free(head);
	for (size_t i = 0; i < n_ws; i++) {
		for (size_t f = 0; !revised && r == 0 && f < fences.n_fenced; f++)
			where_del(&ws[i], fences.fenced[f]);
		fprintf(out, "%s\"%s\": [", i ? "," : "", ws[i].rsc);
		char *save = NULL, *names = strdup(ws[i].nodes);
		bool f2 = true;
		for (char *t = strtok_r(names, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			fprintf(out, "%s\"%s\"", f2 ? "" : ",", t);
			f2 = false;
		}
		free(names);
		fprintf(out, "]");
		free(ws[i].rsc);
	}
	fprintf(out, "}}");
	fclose(out);
	free(ws);
	outcome_free(&fences);
	xmlFreeDoc(doc);

	if (r == 0)
		r = outcome_from_vigil_json_text(text, o, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "diff_check: %s: %s\n", path, err);
	free(text);
	return r;
}

static int run(const char *cib, const char *json, const char *crm)
{
	struct input in = { 0 };
	struct outcome vg = { 0 }, pc = { 0 };
	char err[512];
	int bad = 0, rc = 2;

	if (read_input(cib, &in) < 0)
		goto out;
	if (outcome_from_vigil_json(json, &vg, err, sizeof(err)) < 0) {
		fprintf(stderr, "diff_check: %s\n", err);
		goto out;
	}
	if (pcmk_outcome(crm, &pc) < 0)
		goto out;

	bad += check_rules(&in, &vg, "vigil");
	bad += check_rules(&in, &pc, "pacemaker");

	bool same_fence = vg.n_fenced == pc.n_fenced;
	for (size_t i = 0; same_fence && i < vg.n_fenced; i++)
		same_fence = !strcmp(vg.fenced[i], pc.fenced[i]);
	if (!same_fence) {
		printf("fenced differ: vigil [");
		for (size_t i = 0; i < vg.n_fenced; i++)
			printf(" %s", vg.fenced[i]);
		printf(" ], pacemaker [");
		for (size_t i = 0; i < pc.n_fenced; i++)
			printf(" %s", pc.fenced[i]);
		printf(" ]\n");
		bad++;
	}

	bool roomy = capacity_allows(&in, &vg, &pc);
	size_t nv = n_placed(&in, &vg), np = n_placed(&in, &pc);
	char rv[65536], rp[65536];
	recovered(&in, &vg, rv, sizeof(rv));
	recovered(&in, &pc, rp, sizeof(rp));
	if (roomy && nv != np) {
		printf("placed differ: vigil %zu, pacemaker %zu (capacity allows all)\n", nv, np);
		bad++;
	}
	if (roomy && strcmp(rv, rp)) {
		printf("recovered differ: vigil [%s], pacemaker [%s]\n", rv, rp);
		bad++;
	}
	printf("%s: placed vigil %zu pacemaker %zu of %zu%s, fenced %zu, recovered vigil %zu "
	       "pacemaker %zu, %zu hard constraints, %d problem%s\n", bad ? "DIFFER" : "ok", nv, np,
	       in.n_rscs, roomy ? "" : " (capacity short)", vg.n_fenced, words(rv), words(rp),
	       in.n_cons, bad, bad == 1 ? "" : "s");
	rc = bad ? 1 : 0;
out:
	free_input(&in);
	outcome_free(&vg);
	outcome_free(&pc);
	return rc;
}

/* ---- self-test ---- */

static const char test_cib[] =
	"<cib><configuration><crm_config><cluster_property_set id=\"o\">"
	"<nvpair id=\"o1\" name=\"placement-strategy\" value=\"utilization\"/>"
	"</cluster_property_set></crm_config><nodes>"
	"<node id=\"1\" uname=\"n1\"><instance_attributes id=\"a1\">"
	"<nvpair id=\"a1r\" name=\"rack\" value=\"a\"/></instance_attributes>"
	"<utilization id=\"u1\"><nvpair id=\"u1c\" name=\"cpu\" value=\"4\"/></utilization></node>"
	"<node id=\"2\" uname=\"n2\"><instance_attributes id=\"a2\">"
	"<nvpair id=\"a2r\" name=\"rack\" value=\"b\"/></instance_attributes>"
	"<utilization id=\"u2\"><nvpair id=\"u2c\" name=\"cpu\" value=\"4\"/></utilization></node>"
	"<node id=\"3\" uname=\"n3\"><utilization id=\"u3\">"
	"<nvpair id=\"u3c\" name=\"cpu\" value=\"4\"/></utilization></node>"
	"</nodes><resources>"
	"<primitive id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
	"<utilization id=\"v1\"><nvpair id=\"v1c\" name=\"cpu\" value=\"3\"/></utilization></primitive>"
	"<primitive id=\"vm2\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
	"<utilization id=\"v2\"><nvpair id=\"v2c\" name=\"cpu\" value=\"3\"/></utilization></primitive>"
	"</resources><constraints>"
	"<rsc_location id=\"l1\" rsc=\"vm1\"><rule id=\"r1\" score=\"-INFINITY\">"
	"<expression id=\"e1\" attribute=\"rack\" operation=\"ne\" value=\"a\"/></rule></rsc_location>"
	"<rsc_colocation id=\"c1\" rsc=\"vm2\" with-rsc=\"vm1\" score=\"-INFINITY\"/>"
	"</constraints></configuration><status>"
	"<node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\"/>"
	"<node_state id=\"2\" uname=\"n2\" in_ccm=\"true\" crmd=\"online\" join=\"member\"/>"
	"<node_state id=\"3\" uname=\"n3\" in_ccm=\"false\" crmd=\"offline\" join=\"member\">"
	"<lrm id=\"3\"><lrm_resources><lrm_resource id=\"vm2\">"
	"<lrm_rsc_op id=\"x\" operation=\"start\" call-id=\"2\" rc-code=\"0\"/>"
	"</lrm_resource></lrm_resources></lrm></node_state></status></cib>";

/* crm_simulate -R: the current status and the decisions (a blocked one is not done). */
static const char test_crm[] =
	"<pacemaker-result><cluster_status><resources>"
	"<resource id=\"vm1\" role=\"Stopped\"/>"
	"<resource id=\"vm2\" role=\"Started\"><node name=\"n3\"/></resource>"
	"<resource id=\"old\" role=\"Started\" orphaned=\"true\"><node name=\"n1\"/></resource>"
	"</resources></cluster_status><actions>"
	"<node_action task=\"Fence (reboot)\" node=\"n3\"/>"
	"<rsc_action action=\"start\" resource=\"vm1\" node=\"n1\"/>"
	"<rsc_action action=\"move\" resource=\"vm2\" source=\"n3\" dest=\"n2\"/>"
	"<rsc_action action=\"stop\" resource=\"vm1\" node=\"n1\" blocked=\"true\"/>"
	"</actions></pacemaker-result>";

struct probe {
	const char *json;
	int want;
	const char *what;
};

static const struct probe probes[] = {
	{ "{\"actions\": [{\"id\": 1, \"op\": \"fence\", \"node\": \"n3\"},"
	  " {\"id\": 2, \"op\": \"start\", \"resource\": \"vm2\", \"node\": \"n2\", \"after\": [1]}],"
	  " \"placement\": {\"vm1\": \"n1\", \"vm2\": \"n2\"}}", 0, "the same decisions" },
	{ "{\"actions\": [{\"id\": 1, \"op\": \"fence\", \"node\": \"n3\"}],"
	  " \"placement\": {\"vm1\": \"n2\", \"vm2\": \"n1\"}}", 1, "a -INFINITY rule broken" },
	{ "{\"actions\": [{\"id\": 1, \"op\": \"fence\", \"node\": \"n3\"}],"
	  " \"placement\": {\"vm1\": \"n1\", \"vm2\": \"n1\"}}", 1, "colocation apart and capacity broken" },
	{ "{\"actions\": [], \"placement\": {\"vm1\": \"n1\", \"vm2\": \"n3\"}}", 1,
	  "left on a lost node, not fenced" },
	{ "{\"actions\": [{\"id\": 1, \"op\": \"fence\", \"node\": \"n3\"}],"
	  " \"placement\": {\"vm1\": \"n1\", \"vm2\": null}}", 1, "vm2 not recovered" },
	{ NULL, 0, NULL },
};

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static int selftest(void)
{
	char dir[] = "/tmp/diff_check.XXXXXX", cib[64], json[64], crm[64];
	int failures = 0;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cib, sizeof(cib), "%s/cib.xml", dir);
	snprintf(json, sizeof(json), "%s/v.json", dir);
	snprintf(crm, sizeof(crm), "%s/crm.xml", dir);
	if (write_file(cib, test_cib) < 0 || write_file(crm, test_crm) < 0) {
		perror("write");
		return 1;
	}
	for (const struct probe *p = probes; p->json; p++) {
		printf("-- %s\n", p->what);
		if (write_file(json, p->json) < 0 || run(cib, json, crm) != p->want) {
			printf("FAIL: %s: expected exit %d\n", p->what, p->want);
			failures++;
		}
	}
	unlink(cib);
	unlink(json);
	unlink(crm);
	rmdir(dir);
	printf("diff_check self-test: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return selftest();
	if (argc == 4)
		return run(argv[1], argv[2], argv[3]);
	fprintf(stderr, "usage: diff_check CIB VIGIL_JSON CRM_SIMULATE_XML\n");
	return 2;
}
