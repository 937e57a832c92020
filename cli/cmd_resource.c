/*
 * cmd_resource.c - `vigil resource VERB` and `vigil node standby|online`.
 *
 * Most verbs are configuration changes, as in crmsh: start/stop/restart set
 * the target-role meta attribute, move/migrate add the location constraint
 * cli-prefer-RSC (score INFINITY on NODE), ban adds cli-ban-RSC-on-NODE
 * (-INFINITY), clear removes both, manage/unmanage set is-managed,
 * maintenance sets the maintenance meta attribute, and standby/maintenance of
 * a node set node attributes.  cleanup and failcount delete are not: failures
 * live in the status the DC keeps, so they go to vigild as `rsc-cleanup`.  The change is made on the document vigild shows
 * (config-show) and sent back whole (config-replace): the document carries its
 * version, so a change made meanwhile by someone else is refused as a conflict
 * instead of being overwritten.  The DC's transition engine then does the
 * work; --wait polls `status` until it shows the outcome.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cli.h"

#define CHANGE_TIMEOUT_MS 60000
#define DEFAULT_WAIT_S 120

/* ---- the document ---- */

static int doc_fetch(xmlDocPtr *ret_doc)
{
	json_object *reply = NULL, *v;
	int rc = cli_request(cli_new_request("config-show"), CHANGE_TIMEOUT_MS, NULL, &reply);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(reply, "xml", &v) || !json_object_is_type(v, json_type_string)) {
		json_object_put(reply);
		fprintf(stderr, "vigil: vigild has no configuration yet\n");
		return CLI_EXIT_FAILED;
	}
	const char *xml = json_object_get_string(v);
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "cib.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_HUGE);
	json_object_put(reply);
	if (!doc) {
		fprintf(stderr, "vigil: vigild's configuration does not parse\n");
		return CLI_EXIT_FAILED;
	}
	*ret_doc = doc;
	return CLI_EXIT_OK;
}

static int doc_send(xmlDocPtr doc)
{
	xmlChar *buf = NULL;
	int len = 0;
	xmlDocDumpMemory(doc, &buf, &len);
	if (!buf)
		return CLI_EXIT_FAILED;
	json_object *req = cli_new_request("config-replace");
	json_object_object_add(req, "xml", json_object_new_string_len((const char *)buf, len));
	xmlFree(buf);
	json_object *reply = NULL;
	int rc = cli_request(req, CHANGE_TIMEOUT_MS, NULL, &reply);
	json_object_put(reply);
	return rc;
}

static bool is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, (const xmlChar *)name);
}

static bool attr_is(xmlNodePtr n, const char *attr, const char *value)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	bool r = v && !xmlStrcmp(v, (const xmlChar *)value);
	xmlFree(v);
	return r;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
		if (is(n, name))
			return n;
	return NULL;
}

static xmlNodePtr section(xmlDocPtr doc, const char *name)
{
	xmlNodePtr cfg = child(xmlDocGetRootElement(doc), "configuration");
	xmlNodePtr s = child(cfg, name);
	if (!s && cfg)
		s = xmlNewChild(cfg, NULL, (const xmlChar *)name, NULL);
	return s;
}

/* Any element with id @id, depth first. */
static xmlNodePtr find_id(xmlNodePtr n, const char *id)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (attr_is(n, "id", id))
			return n;
		xmlNodePtr f = find_id(n->children, id);
		if (f)
			return f;
	}
	return NULL;
}

/* Sets (or with @value NULL removes) nvpair @name in the @set_name child of
 * @owner, creating the set with id OWNERID-@set_name. */
static void set_nvpair(xmlNodePtr owner, const char *set_name, const char *owner_id,
		       const char *name, const char *value)
{
	xmlNodePtr set = child(owner, set_name);
	for (xmlNodePtr s = set; s; s = s->next) {
		if (!is(s, set_name))
			continue;
		for (xmlNodePtr p = s->children; p; p = p->next) {
			if (!is(p, "nvpair") || !attr_is(p, "name", name))
				continue;
			if (value) {
				xmlSetProp(p, (const xmlChar *)"value", (const xmlChar *)value);
			} else {
				xmlUnlinkNode(p);
				xmlFreeNode(p);
			}
			return;
		}
	}
	if (!value)
		return;
	char id[512];
	if (!set) {
		set = xmlNewChild(owner, NULL, (const xmlChar *)set_name, NULL);
		snprintf(id, sizeof(id), "%s-%s", owner_id, set_name);
		xmlSetProp(set, (const xmlChar *)"id", (const xmlChar *)id);
		/* Sets come before <operations> in a primitive. */
		xmlNodePtr ops = child(owner, "operations");
		if (ops) {
			xmlUnlinkNode(set);
			xmlAddPrevSibling(ops, set);
		}
	}
	xmlChar *sid = xmlGetProp(set, (const xmlChar *)"id");
	snprintf(id, sizeof(id), "%s-%s", sid ? (const char *)sid : owner_id, name);
	xmlFree(sid);
	xmlNodePtr p = xmlNewChild(set, NULL, (const xmlChar *)"nvpair", NULL);
	xmlSetProp(p, (const xmlChar *)"id", (const xmlChar *)id);
	xmlSetProp(p, (const xmlChar *)"name", (const xmlChar *)name);
	xmlSetProp(p, (const xmlChar *)"value", (const xmlChar *)value);
}

static xmlNodePtr find_primitive(xmlDocPtr doc, const char *rsc)
{
	xmlNodePtr n = find_id(section(doc, "resources"), rsc);
	if (!n || (!is(n, "primitive") && !is(n, "group") && !is(n, "clone"))) {
		fprintf(stderr, "vigil: no resource '%s'\n", rsc);
		return NULL;
	}
	return n;
}

static xmlNodePtr find_node(xmlDocPtr doc, const char *uname)
{
	for (xmlNodePtr n = section(doc, "nodes")->children; n; n = n->next)
		if (is(n, "node") && attr_is(n, "uname", uname))
			return n;
	fprintf(stderr, "vigil: no node '%s'\n", uname);
	return NULL;
}

/* ---- waiting ---- */

struct rsc_view {
	char state[32];
	char node[128];
	bool managed;
	size_t n_failures;      /* nodes with a fail count (on @fnode when given) */
};

static const char *fnode_filter;  /* rsc_now counts failures on this node only */

static int rsc_now(const char *rsc, struct rsc_view *ret)
{
	json_object *st = NULL, *rs, *v;
	int rc = cli_status_fetch(&st);
	if (rc)
		return rc;
	rc = CLI_EXIT_FAILED;
	if (json_object_object_get_ex(st, "resources", &rs) && json_object_is_type(rs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(rs); i++) {
			json_object *r = json_object_array_get_idx(rs, i);
			if (!json_object_object_get_ex(r, "id", &v) ||
			    strcmp(json_object_get_string(v), rsc))
				continue;
			snprintf(ret->state, sizeof(ret->state), "%s",
				 json_object_object_get_ex(r, "state", &v) ?
				 json_object_get_string(v) : "?");
			snprintf(ret->node, sizeof(ret->node), "%s",
				 json_object_object_get_ex(r, "node", &v) && v ?
				 json_object_get_string(v) : "");
			ret->managed = !json_object_object_get_ex(r, "managed", &v) ||
				       json_object_get_boolean(v);
			ret->n_failures = 0;
			json_object *f;
			if (json_object_object_get_ex(r, "failures", &f) &&
			    json_object_is_type(f, json_type_array))
				for (size_t k = 0; k < json_object_array_length(f); k++) {
					json_object *e = json_object_array_get_idx(f, k), *fn;
					if (fnode_filter && (!json_object_object_get_ex(e, "node", &fn) ||
							     strcmp(json_object_get_string(fn),
								    fnode_filter)))
						continue;
					ret->n_failures++;
				}
			rc = CLI_EXIT_OK;
		}
	json_object_put(st);
	return rc;
}

/* Does the outcome hold?  @want_state "running"/"stopped"; @node "" = any. */
static bool rsc_matches(const char *rsc, const char *want_state, const char *node)
{
	struct rsc_view v;
	if (rsc_now(rsc, &v))
		return false;
	if (strcmp(v.state, want_state))
		return false;
	return !node || !node[0] || !strcmp(v.node, node);
}

/* No resource runs on @node. */
static bool node_drained(const char *node)
{
	json_object *st = NULL, *rs, *v;
	if (cli_status_fetch(&st))
		return false;
	bool drained = true;
	if (json_object_object_get_ex(st, "resources", &rs) && json_object_is_type(rs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(rs); i++) {
			json_object *r = json_object_array_get_idx(rs, i);
			if (json_object_object_get_ex(r, "node", &v) && v &&
			    !strcmp(json_object_get_string(v), node))
				drained = false;
		}
	json_object_put(st);
	return drained;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Polls @check every 200 ms for @timeout_s. */
static int wait_for(bool (*check)(const char *, const char *, const char *), const char *a,
		    const char *b, const char *c, int timeout_s, const char *what)
{
	double t0 = mono_s();
	for (;;) {
		if (check(a, b, c)) {
			printf("%s after %.1f s\n", what, mono_s() - t0);
			return CLI_EXIT_OK;
		}
		if (mono_s() - t0 > timeout_s) {
			fprintf(stderr, "vigil: timed out after %d s waiting until %s\n", timeout_s,
				what);
			return CLI_EXIT_TIMEOUT;
		}
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static bool check_rsc(const char *rsc, const char *state, const char *node)
{
	return rsc_matches(rsc, state, node);
}

static bool check_drained(const char *node, const char *unused1, const char *unused2)
{
	(void)unused1;
	(void)unused2;
	return node_drained(node);
}

/* Settled: running, or stopped in two looks 1 s apart (a stop before a
 * start elsewhere is stopped for a moment). */
static bool settled(const char *rsc, struct rsc_view *v)
{
	if (rsc_now(rsc, v))
		return false;
	if (!strcmp(v->state, "running"))
		return true;
	if (strcmp(v->state, "stopped"))
		return false;
	struct timespec ts = { 1, 0 };
	nanosleep(&ts, NULL);
	return !rsc_now(rsc, v) && !strcmp(v->state, "stopped");
}

/* ban: not on @node any more, and settled. */
static bool check_not_on(const char *rsc, const char *node, const char *unused)
{
	(void)unused;
	struct rsc_view v;
	return settled(rsc, &v) && strcmp(v.node, node);
}

/* cleanup / failcount delete: no failures left (on @node when given), settled. */
static bool check_clean(const char *rsc, const char *node, const char *unused)
{
	(void)unused;
	struct rsc_view v;
	fnode_filter = node && node[0] ? node : NULL;
	bool ok = settled(rsc, &v) && v.n_failures == 0;
	fnode_filter = NULL;
	return ok;
}

/* manage/unmanage/maintenance: the status shows it managed ("1") or not. */
static bool check_managed(const char *rsc, const char *want, const char *unused)
{
	(void)unused;
	struct rsc_view v;
	return !rsc_now(rsc, &v) && v.managed == (want[0] == '1');
}

/* What a resource does now, for people: "running on n2", "stopped". */
static void say_state(const char *rsc, const char *prefix)
{
	struct rsc_view v;
	if (rsc_now(rsc, &v))
		return;
	printf("%s%s is %s%s%s%s\n", prefix, rsc, v.state, v.node[0] ? " on " : "", v.node,
	       v.managed ? "" : " (not managed: the cluster neither starts nor stops it)");
}

/* ---- verbs ---- */

struct opts {
	bool wait;
	int timeout_s;
	int argc;               /* positional arguments left */
	char **argv;
};

static int parse(int argc, char **argv, struct opts *o, const char *usage_line)
{
	static const struct option lo[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct opts){ .timeout_s = DEFAULT_WAIT_S };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "wt:", lo, NULL)) != -1) {
		switch (c) {
		case 'w': o->wait = true; break;
		case 't': o->timeout_s = atoi(optarg); if (o->timeout_s > 0) break; /* fallthrough */
		default:
			fprintf(stderr, "Usage: %s\n", usage_line);
			return CLI_EXIT_USAGE;
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	return CLI_EXIT_OK;
}

static int change_rsc(const char *rsc, const char *role, const char *prefer_node, bool clear)
{
	xmlDocPtr doc = NULL;
	int rc = doc_fetch(&doc);
	if (rc)
		return rc;
	xmlNodePtr p = find_primitive(doc, rsc);
	if (!p) {
		xmlFreeDoc(doc);
		return CLI_EXIT_FAILED;
	}
	if (role)
		set_nvpair(p, "meta_attributes", rsc, "target-role", role);
	char cid[300];
	snprintf(cid, sizeof(cid), "cli-prefer-%s", rsc);
	xmlNodePtr cons = section(doc, "constraints");
	if (clear || prefer_node) {
		xmlNodePtr old = find_id(cons->children, cid);
		if (old) {
			xmlUnlinkNode(old);
			xmlFreeNode(old);
		}
	}
	if (prefer_node) {
		if (!find_node(doc, prefer_node)) {
			xmlFreeDoc(doc);
			return CLI_EXIT_FAILED;
		}
		xmlNodePtr l = xmlNewChild(cons, NULL, (const xmlChar *)"rsc_location", NULL);
		xmlSetProp(l, (const xmlChar *)"id", (const xmlChar *)cid);
		xmlSetProp(l, (const xmlChar *)"rsc", (const xmlChar *)rsc);
		xmlSetProp(l, (const xmlChar *)"role", (const xmlChar *)"Started");
		xmlSetProp(l, (const xmlChar *)"node", (const xmlChar *)prefer_node);
		xmlSetProp(l, (const xmlChar *)"score", (const xmlChar *)"INFINITY");
	}
	rc = doc_send(doc);
	xmlFreeDoc(doc);
	return rc;
}

/* Sets (NULL: removes) meta attribute @name of @rsc. */
static int set_rsc_meta(const char *rsc, const char *name, const char *value)
{
	xmlDocPtr doc = NULL;
	int rc = doc_fetch(&doc);
	if (rc)
		return rc;
	xmlNodePtr p = find_primitive(doc, rsc);
	if (!p) {
		xmlFreeDoc(doc);
		return CLI_EXIT_FAILED;
	}
	set_nvpair(p, "meta_attributes", rsc, name, value);
	rc = doc_send(doc);
	xmlFreeDoc(doc);
	return rc;
}

/* crmsh's ban: rsc_location cli-ban-RSC-on-NODE, -INFINITY for role Started. */
static int ban_rsc(const char *rsc, const char *node)
{
	xmlDocPtr doc = NULL;
	int rc = doc_fetch(&doc);
	if (rc)
		return rc;
	if (!find_primitive(doc, rsc) || !find_node(doc, node)) {
		xmlFreeDoc(doc);
		return CLI_EXIT_FAILED;
	}
	char cid[600];
	snprintf(cid, sizeof(cid), "cli-ban-%s-on-%s", rsc, node);
	xmlNodePtr cons = section(doc, "constraints");
	xmlNodePtr old = find_id(cons->children, cid);
	if (old) {
		xmlUnlinkNode(old);
		xmlFreeNode(old);
	}
	xmlNodePtr l = xmlNewChild(cons, NULL, (const xmlChar *)"rsc_location", NULL);
	xmlSetProp(l, (const xmlChar *)"id", (const xmlChar *)cid);
	xmlSetProp(l, (const xmlChar *)"rsc", (const xmlChar *)rsc);
	xmlSetProp(l, (const xmlChar *)"role", (const xmlChar *)"Started");
	xmlSetProp(l, (const xmlChar *)"node", (const xmlChar *)node);
	xmlSetProp(l, (const xmlChar *)"score", (const xmlChar *)"-INFINITY");
	rc = doc_send(doc);
	xmlFreeDoc(doc);
	return rc;
}

/* clear: removes cli-prefer-RSC and every cli-ban-RSC-on-NODE; says which. */
static int clear_rsc(const char *rsc)
{
	xmlDocPtr doc = NULL;
	int rc = doc_fetch(&doc);
	if (rc)
		return rc;
	if (!find_primitive(doc, rsc)) {
		xmlFreeDoc(doc);
		return CLI_EXIT_FAILED;
	}
	char prefer[300], ban[300];
	snprintf(prefer, sizeof(prefer), "cli-prefer-%s", rsc);
	snprintf(ban, sizeof(ban), "cli-ban-%s-on-", rsc);
	xmlNodePtr cons = section(doc, "constraints");
	size_t removed = 0;
	for (xmlNodePtr n = cons->children, next; n; n = next) {
		next = n->next;
		if (!is(n, "rsc_location") || !attr_is(n, "rsc", rsc))
			continue;
		xmlChar *id = xmlGetProp(n, (const xmlChar *)"id");
		bool ours = id && (!xmlStrcmp(id, (const xmlChar *)prefer) ||
				   !xmlStrncmp(id, (const xmlChar *)ban, (int)strlen(ban)));
		if (ours)
			printf("%s: removing %s\n", rsc, (const char *)id);
		xmlFree(id);
		if (!ours)
			continue;
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		removed++;
	}
	if (!removed) {
		printf("%s: no cli-prefer or cli-ban constraint to remove\n", rsc);
		xmlFreeDoc(doc);
		return CLI_EXIT_OK;
	}
	rc = doc_send(doc);
	xmlFreeDoc(doc);
	return rc;
}

/* cleanup (@probe) or failcount delete: vigild's rsc-cleanup. */
static int cleanup_rsc(const char *rsc, const char *node, bool probe)
{
	json_object *req = cli_new_request("rsc-cleanup");
	json_object_object_add(req, "rsc", json_object_new_string(rsc));
	if (node)
		json_object_object_add(req, "node", json_object_new_string(node));
	json_object_object_add(req, "probe", json_object_new_boolean(probe));
	json_object *reply = NULL, *v;
	int rc = cli_request(req, CHANGE_TIMEOUT_MS, NULL, &reply);
	if (!rc && json_object_object_get_ex(reply, "message", &v))
		printf("%s\n", json_object_get_string(v));
	json_object_put(reply);
	return rc;
}

/* failcount show: one line per node with a fail count, crmsh-like. */
static int failcount_show(const char *rsc, const char *node)
{
	json_object *st = NULL, *rs, *v;
	int rc = cli_status_fetch(&st);
	if (rc)
		return rc;
	bool found = false;
	size_t shown = 0;
	if (json_object_object_get_ex(st, "resources", &rs) && json_object_is_type(rs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(rs); i++) {
			json_object *r = json_object_array_get_idx(rs, i), *f;
			if (!json_object_object_get_ex(r, "id", &v) || strcmp(json_object_get_string(v), rsc))
				continue;
			found = true;
			if (!json_object_object_get_ex(r, "failures", &f) ||
			    !json_object_is_type(f, json_type_array))
				continue;
			for (size_t k = 0; k < json_object_array_length(f); k++) {
				json_object *e = json_object_array_get_idx(f, k), *x;
				const char *on = json_object_object_get_ex(e, "node", &x) ?
							 json_object_get_string(x) : "?";
				if (node && strcmp(on, node))
					continue;
				const char *fc = json_object_object_get_ex(e, "fail_count", &x) ?
							 json_object_get_string(x) : "?";
				const char *op = json_object_object_get_ex(e, "op", &x) ?
							 json_object_get_string(x) : "?";
				int frc = json_object_object_get_ex(e, "rc", &x) ? json_object_get_int(x) : 0;
				const char *msg = json_object_object_get_ex(e, "message", &x) ?
							  json_object_get_string(x) : "";
				long long age = json_object_object_get_ex(e, "age_s", &x) ?
							(long long)json_object_get_int64(x) : 0;
				printf("scope=status name=fail-count-%s value=%s node=%s "
				       "(last failure: %s rc %d%s%s%s, %lld s ago)\n", rsc, fc, on, op, frc,
				       msg[0] ? " \"" : "", msg, msg[0] ? "\"" : "", age);
				shown++;
			}
		}
	json_object_put(st);
	if (!found) {
		fprintf(stderr, "vigil: no resource '%s'\n", rsc);
		return CLI_EXIT_FAILED;
	}
	if (!shown)
		printf("scope=status name=fail-count-%s value=0%s%s\n", rsc, node ? " node=" : "",
		       node ? node : "");
	return CLI_EXIT_OK;
}

/* Is @node a node of the cluster (per status)?  Says so when not. */
static bool known_node(const char *node)
{
	json_object *st = NULL, *ns, *v;
	if (cli_status_fetch(&st))
		return false;
	bool found = false;
	if (json_object_object_get_ex(st, "nodes", &ns) && json_object_is_type(ns, json_type_array))
		for (size_t i = 0; i < json_object_array_length(ns) && !found; i++)
			found = json_object_object_get_ex(json_object_array_get_idx(ns, i), "name", &v) &&
				!strcmp(json_object_get_string(v), node);
	json_object_put(st);
	if (!found)
		fprintf(stderr, "vigil: no node '%s'\n", node);
	return found;
}

static bool known_rsc(const char *rsc)
{
	struct rsc_view v;
	if (!rsc_now(rsc, &v))
		return true;
	fprintf(stderr, "vigil: no resource '%s'\n", rsc);
	return false;
}

static int resource_list(bool locate_only, const char *rsc)
{
	json_object *st = NULL, *rs, *v;
	int rc = cli_status_fetch(&st);
	if (rc)
		return rc;
	bool found = false;
	if (json_object_object_get_ex(st, "resources", &rs) && json_object_is_type(rs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(rs); i++) {
			json_object *r = json_object_array_get_idx(rs, i);
			const char *id = json_object_object_get_ex(r, "id", &v) ?
						 json_object_get_string(v) : "?";
			if (rsc && strcmp(rsc, id))
				continue;
			found = true;
			const char *state = json_object_object_get_ex(r, "state", &v) ?
						    json_object_get_string(v) : "?";
			const char *node = json_object_object_get_ex(r, "node", &v) && v ?
						   json_object_get_string(v) : NULL;
			const char *agent = json_object_object_get_ex(r, "agent", &v) ?
						    json_object_get_string(v) : "";
			if (locate_only) {
				if (node && !strcmp(state, "running"))
					printf("resource %s is running on: %s\n", id, node);
				else
					printf("resource %s is NOT running%s%s (%s)\n", id,
					       node ? ": " : "", node ? node : "", state);
			} else {
				printf("  * %-16s (%s):\t %s%s%s\n", id, agent, state,
				       node ? " on " : "", node ? node : "");
			}
		}
	json_object_put(st);
	if (rsc && !found) {
		fprintf(stderr, "vigil: no resource '%s'\n", rsc);
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

static void resource_usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil resource VERB [ARGS] [--wait [--timeout S]]\n"
		"  list                 every resource, its state and node\n"
		"  locate RSC           where RSC runs\n"
		"  start RSC            target-role=Started\n"
		"  stop RSC             target-role=Stopped\n"
		"  move RSC NODE        prefer NODE (constraint cli-prefer-RSC, INFINITY)\n"
		"  migrate RSC NODE     the same; live migration when allow-migrate=true\n"
		"  restart RSC          stop, wait until stopped, start\n"
		"  ban RSC NODE         keep RSC off NODE (cli-ban-RSC-on-NODE, -INFINITY)\n"
		"  clear RSC            remove cli-prefer-RSC and cli-ban-RSC-on-*\n"
		"  cleanup RSC [NODE]   forget RSC's failures (on NODE) and probe again\n"
		"  manage RSC           is-managed=true\n"
		"  unmanage RSC         is-managed=false: neither started nor stopped\n"
		"  maintenance RSC on|off  maintenance=true|false (left alone, like unmanaged)\n"
		"  failcount [show|delete] RSC [NODE]  show or delete fail counts\n"
		"--wait waits (default %d s, --timeout S) until the status shows the outcome.\n",
		DEFAULT_WAIT_S);
}

/* crmsh's restart: stop, wait until stopped, start (with --wait: until
 * running).  The stop is always waited for: starting before it is done
 * would change nothing. */
static int restart_rsc(const char *rsc, const struct opts *o)
{
	int rc = change_rsc(rsc, "Stopped", NULL, false);
	if (rc)
		return rc;
	printf("%s: target-role=Stopped\n", rsc);
	char what[300];
	snprintf(what, sizeof(what), "%s is stopped", rsc);
	rc = wait_for(check_rsc, rsc, "stopped", "", o->timeout_s, what);
	if (rc) {
		fprintf(stderr, "vigil: %s left with target-role=Stopped; 'vigil resource start %s' "
			"starts it again\n", rsc, rsc);
		return rc;
	}
	rc = change_rsc(rsc, "Started", NULL, false);
	if (rc)
		return rc;
	printf("%s: target-role=Started\n", rsc);
	if (!o->wait)
		return CLI_EXIT_OK;
	snprintf(what, sizeof(what), "%s is running", rsc);
	rc = wait_for(check_rsc, rsc, "running", "", o->timeout_s, what);
	say_state(rsc, "");
	return rc;
}

static int cleanup_verb(const char *rsc, const char *node, bool probe, const struct opts *o)
{
	int rc = cleanup_rsc(rsc, node, probe);
	if (rc || !o->wait)
		return rc;
	char what[300];
	snprintf(what, sizeof(what), "%s has no failures%s%s and is settled", rsc,
		 node ? " on " : "", node ? node : "");
	rc = wait_for(check_clean, rsc, node ? node : "", NULL, o->timeout_s, what);
	say_state(rsc, "");
	return rc;
}

/* manage/unmanage (is-managed) and maintenance on|off (maintenance). */
static int managed_verb(const char *rsc, const char *attr, const char *value, bool managed,
			const struct opts *o)
{
	int rc = set_rsc_meta(rsc, attr, value);
	if (rc)
		return rc;
	printf("%s: %s=%s\n", rsc, attr, value);
	if (!o->wait)
		return CLI_EXIT_OK;
	char what[300];
	snprintf(what, sizeof(what), "%s is %s", rsc, managed ? "managed" : "not managed");
	rc = wait_for(check_managed, rsc, managed ? "1" : "0", NULL, o->timeout_s, what);
	say_state(rsc, "");
	return rc;
}

int cli_cmd_resource(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		resource_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	const char *verb = argv[1];
	struct opts o;
	int rc = parse(argc - 1, argv + 1, &o, "vigil resource VERB [ARGS] [--wait [--timeout S]]");
	if (rc)
		return rc;
	if (!strcmp(verb, "list") && o.argc == 0)
		return resource_list(false, NULL);
	if (!strcmp(verb, "locate") && o.argc == 1)
		return resource_list(true, o.argv[0]);
	if ((!strcmp(verb, "start") || !strcmp(verb, "stop")) && o.argc == 1) {
		bool start = !strcmp(verb, "start");
		rc = change_rsc(o.argv[0], start ? "Started" : "Stopped", NULL, false);
		if (rc)
			return rc;
		printf("%s: target-role=%s\n", o.argv[0], start ? "Started" : "Stopped");
		if (!o.wait)
			return CLI_EXIT_OK;
		char what[300];
		snprintf(what, sizeof(what), "%s is %s", o.argv[0], start ? "running" : "stopped");
		return wait_for(check_rsc, o.argv[0], start ? "running" : "stopped", "", o.timeout_s,
				what);
	}
	if ((!strcmp(verb, "move") || !strcmp(verb, "migrate")) && o.argc == 2) {
		rc = change_rsc(o.argv[0], NULL, o.argv[1], false);
		if (rc)
			return rc;
		printf("%s: prefers %s (constraint cli-prefer-%s; 'vigil resource clear %s' "
		       "removes it)\n", o.argv[0], o.argv[1], o.argv[0], o.argv[0]);
		if (!o.wait)
			return CLI_EXIT_OK;
		char what[300];
		snprintf(what, sizeof(what), "%s runs on %s", o.argv[0], o.argv[1]);
		return wait_for(check_rsc, o.argv[0], "running", o.argv[1], o.timeout_s, what);
	}
	if (!strcmp(verb, "clear") && o.argc == 1)
		return clear_rsc(o.argv[0]);
	if (!strcmp(verb, "restart") && o.argc == 1)
		return restart_rsc(o.argv[0], &o);
	if (!strcmp(verb, "ban") && o.argc == 2) {
		rc = ban_rsc(o.argv[0], o.argv[1]);
		if (rc)
			return rc;
		printf("%s: banned from %s (constraint cli-ban-%s-on-%s; 'vigil resource clear %s' "
		       "removes it)\n", o.argv[0], o.argv[1], o.argv[0], o.argv[1], o.argv[0]);
		if (!o.wait)
			return CLI_EXIT_OK;
		char what[300];
		snprintf(what, sizeof(what), "%s is off %s", o.argv[0], o.argv[1]);
		rc = wait_for(check_not_on, o.argv[0], o.argv[1], NULL, o.timeout_s, what);
		say_state(o.argv[0], "");
		return rc;
	}
	if (!strcmp(verb, "cleanup") && (o.argc == 1 || o.argc == 2))
		return cleanup_verb(o.argv[0], o.argc == 2 ? o.argv[1] : NULL, true, &o);
	if ((!strcmp(verb, "manage") || !strcmp(verb, "unmanage")) && o.argc == 1)
		return managed_verb(o.argv[0], "is-managed", !strcmp(verb, "manage") ? "true" :
				    "false", !strcmp(verb, "manage"), &o);
	if (!strcmp(verb, "maintenance") && o.argc == 2 &&
	    (!strcmp(o.argv[1], "on") || !strcmp(o.argv[1], "off")))
		return managed_verb(o.argv[0], "maintenance", !strcmp(o.argv[1], "on") ? "true" :
				    "false", !strcmp(o.argv[1], "off"), &o);
	if (!strcmp(verb, "failcount") && o.argc >= 1 && o.argc <= 3) {
		/* failcount [show|delete] RSC [NODE], or crmsh's RSC show|delete NODE */
		const char *sub = "show", *rsc = o.argv[0], *node = NULL;
		if (!strcmp(o.argv[0], "show") || !strcmp(o.argv[0], "delete")) {
			sub = o.argv[0];
			rsc = o.argc >= 2 ? o.argv[1] : NULL;
			node = o.argc == 3 ? o.argv[2] : NULL;
		} else if (o.argc >= 2 && (!strcmp(o.argv[1], "show") || !strcmp(o.argv[1], "delete"))) {
			sub = o.argv[1];
			node = o.argc == 3 ? o.argv[2] : NULL;
		} else if (o.argc == 2) {
			node = o.argv[1];
		} else if (o.argc == 3) {
			rsc = NULL;
		}
		if (rsc) {
			if (!known_rsc(rsc) || (node && !known_node(node)))
				return CLI_EXIT_FAILED;
			if (!strcmp(sub, "show"))
				return failcount_show(rsc, node);
			return cleanup_verb(rsc, node, false, &o);
		}
	}
	resource_usage(stderr);
	return CLI_EXIT_USAGE;
}

/* The node a node verb is about: @arg, else this host's (status local_node). */
static int node_arg(const char *arg, char *node, size_t len)
{
	if (arg) {
		snprintf(node, len, "%s", arg);
		return CLI_EXIT_OK;
	}
	json_object *st = NULL, *self, *v;
	int rc = cli_status_fetch(&st);
	if (rc)
		return rc;
	rc = CLI_EXIT_FAILED;
	if (json_object_object_get_ex(st, "local_node", &self) &&
	    json_object_object_get_ex(self, "name", &v) && json_object_is_type(v, json_type_string)) {
		snprintf(node, len, "%s", json_object_get_string(v));
		rc = CLI_EXIT_OK;
	} else {
		fprintf(stderr, "vigil: vigild did not say which node this is\n");
	}
	json_object_put(st);
	return rc;
}

/* Sets (NULL: removes) node attribute @attr of @node. */
static int set_node_attr(const char *node, const char *attr, const char *value)
{
	xmlDocPtr doc = NULL;
	int rc = doc_fetch(&doc);
	if (rc)
		return rc;
	xmlNodePtr n = find_node(doc, node);
	if (!n) {
		xmlFreeDoc(doc);
		return CLI_EXIT_FAILED;
	}
	xmlChar *id = xmlGetProp(n, (const xmlChar *)"id");
	char nid[300];
	snprintf(nid, sizeof(nid), "nodes-%s", id ? (const char *)id : node);
	xmlFree(id);
	set_nvpair(n, "instance_attributes", nid, attr, value);
	rc = doc_send(doc);
	xmlFreeDoc(doc);
	return rc;
}

/* The node's state in status is @want ("!S": neither S nor pending). */
static bool check_node_state(const char *node, const char *want, const char *unused)
{
	(void)unused;
	json_object *st = NULL, *ns, *v;
	if (cli_status_fetch(&st))
		return false;
	bool ok = false;
	if (json_object_object_get_ex(st, "nodes", &ns) && json_object_is_type(ns, json_type_array))
		for (size_t i = 0; i < json_object_array_length(ns); i++) {
			json_object *n = json_object_array_get_idx(ns, i);
			if (json_object_object_get_ex(n, "name", &v) &&
			    !strcmp(json_object_get_string(v), node) &&
			    json_object_object_get_ex(n, "state", &v))
				ok = want[0] == '!' ? strcmp(json_object_get_string(v), want + 1) &&
						      strcmp(json_object_get_string(v), "pending")
						    : !strcmp(json_object_get_string(v), want);
		}
	json_object_put(st);
	return ok;
}

int cli_node_standby(int argc, char **argv, bool on)
{
	struct opts o;
	int rc = parse(argc, argv, &o, on ? "vigil node standby [NODE] [--wait [--timeout S]]" :
					    "vigil node online [NODE] [--wait [--timeout S]]");
	if (rc)
		return rc;
	if (o.argc > 1) {
		fprintf(stderr, "vigil node: one node at most\n");
		return CLI_EXIT_USAGE;
	}
	char node[256];
	rc = node_arg(o.argc == 1 ? o.argv[0] : NULL, node, sizeof(node));
	if (rc)
		return rc;
	rc = set_node_attr(node, "standby", on ? "on" : NULL);
	if (rc)
		return rc;
	printf("%s: %s\n", node, on ? "standby" : "online");
	if (!o.wait || !on)
		return CLI_EXIT_OK;
	char what[300];
	snprintf(what, sizeof(what), "no resource runs on %s", node);
	return wait_for(check_drained, node, NULL, NULL, o.timeout_s, what);
}

int cli_node_maintenance(int argc, char **argv)
{
	static const char *usage = "vigil node maintenance on|off [NODE] [--wait [--timeout S]]";
	struct opts o;
	int rc = parse(argc, argv, &o, usage);
	if (rc)
		return rc;
	if (o.argc < 1 || o.argc > 2 || (strcmp(o.argv[0], "on") && strcmp(o.argv[0], "off"))) {
		fprintf(stderr, "Usage: %s\n", usage);
		return CLI_EXIT_USAGE;
	}
	bool on = !strcmp(o.argv[0], "on");
	char node[256];
	rc = node_arg(o.argc == 2 ? o.argv[1] : NULL, node, sizeof(node));
	if (rc)
		return rc;
	/* crmsh: `node maintenance` sets maintenance=on, `node ready` removes it. */
	rc = set_node_attr(node, "maintenance", on ? "on" : NULL);
	if (rc)
		return rc;
	printf("%s: maintenance %s%s\n", node, on ? "on" : "off",
	       on ? " (its resources are left alone: neither started nor stopped)" : "");
	if (!o.wait)
		return CLI_EXIT_OK;
	char what[300];
	snprintf(what, sizeof(what), "%s is %s", node, on ? "in maintenance" : "out of maintenance");
	return wait_for(check_node_state, node, on ? "maintenance" : "!maintenance", NULL,
			o.timeout_s, what);
}
