/* cmd_status.c - `vigil status [--output-as text|json|xml]`: the cluster as this
 * host's vigild sees it.  JSON is the daemon's answer, pretty-printed, with at
 * least {"quorate", "dc", "nodes": [{"name","id","state"}],
 * "resources": [{"id","state","node"}]}; XML carries the same. */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <libxml/tree.h>

#include "cli.h"

#define STATUS_TIMEOUT_MS 10000

static const char *str_of(json_object *o, const char *key, const char *dflt)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return dflt;
	return json_object_get_string(v);
}

static bool bool_of(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static json_object *array_of(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

static void print_text(json_object *st)
{
	json_object *nodes = array_of(st, "nodes"), *rscs = array_of(st, "resources");
	json_object *warn = array_of(st, "warnings");
	for (size_t i = 0; warn && i < json_object_array_length(warn); i++)
		printf("WARNING: %s\n", json_object_get_string(json_object_array_get_idx(warn, i)));
	printf("Cluster name: %s\n", str_of(st, "cluster_name", "?"));
	printf("Quorum: %s\n", bool_of(st, "quorate") ? "yes" : "no (changes are refused)");
	printf("DC: %s\n", str_of(st, "dc", "none"));
	printf("Configuration version: %s%s\n", str_of(st, "config_version", "?"),
	       bool_of(st, "synced") ? "" : " (not yet synchronized)");
	size_t nn = nodes ? json_object_array_length(nodes) : 0;
	printf("\nNodes (%zu):\n", nn);
	for (size_t i = 0; i < nn; i++) {
		json_object *n = json_object_array_get_idx(nodes, i), *id;
		long long nid = json_object_object_get_ex(n, "id", &id) ? json_object_get_int64(id) : 0;
		printf("  %-16s %4lld  %s%s%s%s\n", str_of(n, "name", "?"), nid, str_of(n, "state", "?"),
		       bool_of(n, "dc") ? " (DC)" : "", str_of(n, "fencing_reason", NULL) ? ": " : "",
		       str_of(n, "fencing_reason", ""));
	}
	bool fencing_title = false;
	for (size_t i = 0; i < nn; i++) {
		json_object *n = json_object_array_get_idx(nodes, i), *l;
		if (!json_object_object_get_ex(n, "last_fencing", &l))
			continue;
		if (!fencing_title)
			printf("\nLast fencing:\n");
		fencing_title = true;
		json_object *v;
		long long ms = json_object_object_get_ex(l, "finished_ms", &v) ?
				       (long long)json_object_get_int64(v) : 0;
		if (!ms)
			ms = json_object_object_get_ex(l, "requested_ms", &v) ?
				     (long long)json_object_get_int64(v) : 0;
		time_t t = (time_t)(ms / 1000);
		struct tm tm;
		char when[32] = "?";
		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("  %-16s %s %s at %s by %s (%s)%s%s\n", str_of(n, "name", "?"),
		       str_of(l, "action", "?"), str_of(l, "state", "?"), when,
		       str_of(l, "executor", "?"), str_of(l, "device", "-"),
		       str_of(l, "reason", NULL) ? ": " : "", str_of(l, "reason", ""));
	}
	size_t nr = rscs ? json_object_array_length(rscs) : 0;
	printf("\nResources (%zu):\n", nr);
	for (size_t i = 0; i < nr; i++) {
		json_object *r = json_object_array_get_idx(rscs, i);
		json_object *m;
		bool unmanaged = json_object_object_get_ex(r, "managed", &m) && !json_object_get_boolean(m);
		printf("  %-16s %-32s %s%s%s%s\n", str_of(r, "id", "?"), str_of(r, "agent", ""),
		       str_of(r, "state", "?"), str_of(r, "node", NULL) ? " on " : "",
		       str_of(r, "node", ""), unmanaged ? bool_of(r, "maintenance") ?
		       " (maintenance)" : " (unmanaged)" : "");
	}
	/* Like crm_mon's "Failed Resource Actions": what failed, where, why. */
	size_t shown = 0;
	for (size_t i = 0; rscs && i < json_object_array_length(rscs); i++) {
		json_object *r = json_object_array_get_idx(rscs, i);
		json_object *f = array_of(r, "failures");
		for (size_t k = 0; f && k < json_object_array_length(f); k++) {
			json_object *e = json_object_array_get_idx(f, k), *x;
			if (!shown++)
				printf("\nFailed resource actions:\n");
			const char *msg = str_of(e, "message", "");
			printf("  %s %s on %s: rc %d%s%s%s, fail-count %s, %lld s ago\n",
			       str_of(r, "id", "?"), str_of(e, "op", "?"), str_of(e, "node", "?"),
			       json_object_object_get_ex(e, "rc", &x) ? json_object_get_int(x) : 0,
			       msg[0] ? " '" : "", msg, msg[0] ? "'" : "",
			       json_object_object_get_ex(e, "fail_count", &x) ?
			       json_object_get_string(x) : "?",
			       json_object_object_get_ex(e, "age_s", &x) ?
			       (long long)json_object_get_int64(x) : 0);
		}
	}
}

static void print_xml(json_object *st)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "vigil-status");
	xmlDocSetRootElement(doc, root);
	xmlSetProp(root, BAD_CAST "version", BAD_CAST "1");
	xmlNodePtr cl = xmlNewChild(root, NULL, BAD_CAST "cluster", NULL);
	xmlSetProp(cl, BAD_CAST "name", BAD_CAST str_of(st, "cluster_name", ""));
	xmlSetProp(cl, BAD_CAST "quorate", BAD_CAST(bool_of(st, "quorate") ? "true" : "false"));
	if (str_of(st, "dc", NULL))
		xmlSetProp(cl, BAD_CAST "dc", BAD_CAST str_of(st, "dc", ""));
	xmlSetProp(cl, BAD_CAST "config-version", BAD_CAST str_of(st, "config_version", ""));
	xmlNodePtr xn = xmlNewChild(root, NULL, BAD_CAST "nodes", NULL);
	json_object *nodes = array_of(st, "nodes");
	for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
		json_object *n = json_object_array_get_idx(nodes, i), *id;
		xmlNodePtr e = xmlNewChild(xn, NULL, BAD_CAST "node", NULL);
		char buf[24];
		snprintf(buf, sizeof(buf), "%lld",
			 json_object_object_get_ex(n, "id", &id) ? (long long)json_object_get_int64(id) : 0);
		xmlSetProp(e, BAD_CAST "name", BAD_CAST str_of(n, "name", ""));
		xmlSetProp(e, BAD_CAST "id", BAD_CAST buf);
		xmlSetProp(e, BAD_CAST "state", BAD_CAST str_of(n, "state", ""));
		xmlSetProp(e, BAD_CAST "dc", BAD_CAST(bool_of(n, "dc") ? "true" : "false"));
		if (str_of(n, "fencing_reason", NULL))
			xmlSetProp(e, BAD_CAST "fencing-reason", BAD_CAST str_of(n, "fencing_reason", ""));
		json_object *l;
		if (json_object_object_get_ex(n, "last_fencing", &l)) {
			xmlNodePtr f = xmlNewChild(e, NULL, BAD_CAST "last-fencing", NULL);
			xmlSetProp(f, BAD_CAST "id", BAD_CAST str_of(l, "id", ""));
			xmlSetProp(f, BAD_CAST "action", BAD_CAST str_of(l, "action", ""));
			xmlSetProp(f, BAD_CAST "state", BAD_CAST str_of(l, "state", ""));
			if (str_of(l, "device", NULL))
				xmlSetProp(f, BAD_CAST "device", BAD_CAST str_of(l, "device", ""));
			if (str_of(l, "executor", NULL))
				xmlSetProp(f, BAD_CAST "executor", BAD_CAST str_of(l, "executor", ""));
			if (str_of(l, "reason", NULL))
				xmlSetProp(f, BAD_CAST "reason", BAD_CAST str_of(l, "reason", ""));
		}
	}
	json_object *warn = array_of(st, "warnings");
	for (size_t i = 0; warn && i < json_object_array_length(warn); i++)
		xmlNewTextChild(root, NULL, BAD_CAST "warning",
				BAD_CAST json_object_get_string(json_object_array_get_idx(warn, i)));
	xmlNodePtr xr = xmlNewChild(root, NULL, BAD_CAST "resources", NULL);
	json_object *rscs = array_of(st, "resources");
	for (size_t i = 0; rscs && i < json_object_array_length(rscs); i++) {
		json_object *r = json_object_array_get_idx(rscs, i);
		xmlNodePtr e = xmlNewChild(xr, NULL, BAD_CAST "resource", NULL);
		xmlSetProp(e, BAD_CAST "id", BAD_CAST str_of(r, "id", ""));
		xmlSetProp(e, BAD_CAST "agent", BAD_CAST str_of(r, "agent", ""));
		xmlSetProp(e, BAD_CAST "state", BAD_CAST str_of(r, "state", ""));
		if (str_of(r, "node", NULL))
			xmlSetProp(e, BAD_CAST "node", BAD_CAST str_of(r, "node", ""));
		json_object *m;
		if (json_object_object_get_ex(r, "managed", &m))
			xmlSetProp(e, BAD_CAST "managed",
				   BAD_CAST(json_object_get_boolean(m) ? "true" : "false"));
		json_object *f = array_of(r, "failures");
		for (size_t k = 0; f && k < json_object_array_length(f); k++) {
			json_object *fo = json_object_array_get_idx(f, k), *x;
			xmlNodePtr fe = xmlNewChild(e, NULL, BAD_CAST "failure", NULL);
			xmlSetProp(fe, BAD_CAST "node", BAD_CAST str_of(fo, "node", ""));
			xmlSetProp(fe, BAD_CAST "op", BAD_CAST str_of(fo, "op", ""));
			xmlSetProp(fe, BAD_CAST "fail-count", BAD_CAST(
				json_object_object_get_ex(fo, "fail_count", &x) ?
				json_object_get_string(x) : ""));
			char rcb[16];
			snprintf(rcb, sizeof(rcb), "%d", json_object_object_get_ex(fo, "rc", &x) ?
				 json_object_get_int(x) : 0);
			xmlSetProp(fe, BAD_CAST "rc", BAD_CAST rcb);
			xmlSetProp(fe, BAD_CAST "message", BAD_CAST str_of(fo, "message", ""));
		}
	}
	xmlChar *out = NULL;
	int len = 0;
	xmlDocDumpFormatMemoryEnc(doc, &out, &len, "UTF-8", 1);
	if (out)
		fwrite(out, 1, (size_t)len, stdout);
	xmlFree(out);
	xmlFreeDoc(doc);
}

int cli_status_fetch(json_object **ret_status)
{
	return cli_request(cli_new_request("status"), STATUS_TIMEOUT_MS, NULL, ret_status);
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: vigil status [--output-as text|json|xml]\n"
		     "Show the cluster as this host's vigild sees it: quorum, DC, configuration\n"
		     "version, nodes and their state, resources and where they run.\n");
}

int cli_cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output-as", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int out = CLI_OUTPUT_TEXT, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = cli_output_parse(optarg);
			if (out < 0) {
				fprintf(stderr, "vigil status: --output-as takes text, json or xml\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigil status: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	json_object *st = NULL;
	int rc = cli_status_fetch(&st);
	if (rc)
		return rc;
	if (out == CLI_OUTPUT_JSON)
		printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED));
	else if (out == CLI_OUTPUT_XML)
		print_xml(st);
	else
		print_text(st);
	json_object_put(st);
	return CLI_EXIT_OK;
}
