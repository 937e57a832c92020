/*
 * cmd_resource.c - `vigil resource VERB` and `vigil node standby|online`.
 *
 * Every verb is a configuration change, as in crmsh: start/stop set the
 * target-role meta attribute, move/migrate add the location constraint
 * cli-prefer-RSC (score INFINITY on NODE), clear removes it, standby sets the
 * node attribute standby.  The change is made on the document vigild shows
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
};

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
		"  clear RSC            remove cli-prefer-RSC\n"
		"--wait waits (default %d s, --timeout S) until the status shows the outcome.\n",
		DEFAULT_WAIT_S);
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
	if (!strcmp(verb, "clear") && o.argc == 1) {
		rc = change_rsc(o.argv[0], NULL, NULL, true);
		if (!rc)
			printf("%s: cli-prefer-%s removed\n", o.argv[0], o.argv[0]);
		return rc;
	}
	resource_usage(stderr);
	return CLI_EXIT_USAGE;
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
	if (o.argc == 1) {
		snprintf(node, sizeof(node), "%s", o.argv[0]);
	} else {
		json_object *st = NULL, *v;
		rc = cli_status_fetch(&st);
		if (rc)
			return rc;
		snprintf(node, sizeof(node), "%s", json_object_object_get_ex(st, "local_node", &v) ?
			 json_object_get_string(v) : "");
		json_object_put(st);
	}
	xmlDocPtr doc = NULL;
	rc = doc_fetch(&doc);
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
	set_nvpair(n, "instance_attributes", nid, "standby", on ? "on" : NULL);
	rc = doc_send(doc);
	xmlFreeDoc(doc);
	if (rc)
		return rc;
	printf("%s: %s\n", node, on ? "standby" : "online");
	if (!o.wait || !on)
		return CLI_EXIT_OK;
	char what[300];
	snprintf(what, sizeof(what), "no resource runs on %s", node);
	return wait_for(check_drained, node, NULL, NULL, o.timeout_s, what);
}
