/* cmd_fence.c - fencing verbs:
 *   vigil node fence NODE [--action reboot|off] [--wait [--timeout S]]
 *   vigil node confirm NODE [--yes]
 *   vigil fence history [NODE] [--output-as text|json]
 *   vigil fence list NODE [--output-as text|json]
 * Fencing itself is the DC's (doc/fencing.md); these ask the local vigild,
 * which passes the request through the group.  `fence list` reads the
 * configuration and runs the same planner as vigild (fencing/fen_plan.h). */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cib_xml.h"
#include "cli.h"
#include "fen_plan.h"

#define FENCE_TIMEOUT_MS 15000
#define DEFAULT_WAIT_S 300

static const char *str_of(json_object *o, const char *k, const char *dflt)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return dflt;
	return json_object_get_string(v);
}

static long long int_of(json_object *o, const char *k)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, k, &v))
		return 0;
	return (long long)json_object_get_int64(v);
}

/* "2026-11-27 12:37:47.640" in local time, or "-" for 0. */
static const char *when(long long ms, char buf[40])
{
	if (ms <= 0)
		return "-";
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	size_t n = strftime(buf, 40, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, 40 - n, ".%03lld", ms % 1000);
	return buf;
}

static void print_record(json_object *r)
{
	char b1[40], b2[40];
	printf("%s  %s %s: %s (requested %s by %s, executor %s, finished %s)\n",
	       str_of(r, "id", "?"), str_of(r, "action", "?"), str_of(r, "target", "?"),
	       str_of(r, "state", "?"), when(int_of(r, "requested_ms"), b1),
	       str_of(r, "origin", "?"), str_of(r, "executor", "-"),
	       when(int_of(r, "finished_ms"), b2));
	if (str_of(r, "reason", NULL))
		printf("    reason: %s\n", str_of(r, "reason", ""));
	json_object *att;
	if (!json_object_object_get_ex(r, "attempts", &att) ||
	    !json_object_is_type(att, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(att); i++) {
		json_object *a = json_object_array_get_idx(att, i);
		printf("    attempt %lld: %s %s -> %s%s%s\n", int_of(a, "attempt"),
		       str_of(a, "device", "?"), str_of(a, "action", "?"), str_of(a, "result", "?"),
		       str_of(a, "message", NULL) ? ": " : "", str_of(a, "message", ""));
	}
}

static int parse_output(const char *verb, int *out)
{
	*out = cli_output_parse(optarg);
	if (*out < 0 || *out == CLI_OUTPUT_XML) {
		fprintf(stderr, "vigil %s: --output-as takes text or json\n", verb);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int fence_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output-as", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int out = CLI_OUTPUT_TEXT, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1)
		if (c != 'o' || parse_output("fence history", &out))
			return CLI_EXIT_USAGE;
	if (argc - optind > 1) {
		fprintf(stderr, "vigil fence history: one NODE at most\n");
		return CLI_EXIT_USAGE;
	}
	json_object *req = cli_new_request("fence-history");
	if (optind < argc)
		json_object_object_add(req, "node", json_object_new_string(argv[optind]));
	json_object *rep = NULL;
	int rc = cli_request(req, FENCE_TIMEOUT_MS, NULL, &rep);
	if (rc)
		return rc;
	json_object *h = NULL;
	if (!json_object_object_get_ex(rep, "history", &h) ||
	    !json_object_is_type(h, json_type_array)) {
		json_object_put(rep);
		fprintf(stderr, "vigil: vigild gave an answer we do not understand\n");
		return CLI_EXIT_FAILED;
	}
	if (out == CLI_OUTPUT_JSON) {
		printf("%s\n", json_object_to_json_string_ext(h, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_SPACED));
	} else if (!json_object_array_length(h)) {
		printf("no fencing recorded%s%s\n", optind < argc ? " for " : "",
		       optind < argc ? argv[optind] : "");
	} else {
		for (size_t i = 0; i < json_object_array_length(h); i++)
			print_record(json_object_array_get_idx(h, i));
	}
	json_object_put(rep);
	return CLI_EXIT_OK;
}

static const char *check_text(enum fen_check c)
{
	switch (c) {
	case FEN_CHECK_STATIC_LIST: return "listed";
	case FEN_CHECK_DYNAMIC_LIST: return "if its list names it (asked at fencing time)";
	case FEN_CHECK_STATUS: return "if its status knows it (asked at fencing time)";
	case FEN_CHECK_NONE: return "any node";
	}
	return "?";
}

static int fence_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output-as", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int out = CLI_OUTPUT_TEXT, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1)
		if (c != 'o' || parse_output("fence list", &out))
			return CLI_EXIT_USAGE;
	if (argc - optind != 1) {
		fprintf(stderr, "Usage: vigil fence list NODE [--output-as text|json]\n");
		return CLI_EXIT_USAGE;
	}
	const char *node = argv[optind];
	json_object *rep = NULL;
	int rc = cli_request(cli_new_request("config-show"), FENCE_TIMEOUT_MS, NULL, &rep);
	if (rc)
		return rc;
	const char *xml = str_of(rep, "xml", "");
	struct vg_diags d = { 0 };
	struct vg_cib *cib = NULL;
	struct fen_plan *plan = NULL;
	struct fen_cluster_opts fo;
	if (vg_cib_read_memory(xml, strlen(xml), &cib, &d) ||
	    fen_cluster_opts_read(cib, &fo, &d) < -1 ||
	    fen_plan_build(cib, node, fo.action, &fo, &plan, &d)) {
		fprintf(stderr, "vigil fence list: %s\n", d.n ? d.v[0].message : "cannot plan");
		rc = CLI_EXIT_FAILED;
		goto out;
	}
	if (out == CLI_OUTPUT_JSON) {
		json_object *o = json_object_new_object(), *lv = json_object_new_array();
		json_object_object_add(o, "node", json_object_new_string(node));
		json_object_object_add(o, "action", json_object_new_string(plan->action));
		json_object_object_add(o, "stonith_enabled", json_object_new_boolean(fo.enabled));
		json_object_object_add(o, "topology", json_object_new_boolean(plan->from_topology));
		for (size_t l = 0; l < plan->n_levels; l++) {
			const struct fen_level *L = &plan->levels[l];
			json_object *lo = json_object_new_object(), *dv = json_object_new_array();
			json_object_object_add(lo, "index", json_object_new_int(L->index));
			for (size_t k = 0; k < L->n_devices; k++) {
				const struct fen_device *D = &L->devices[k];
				json_object *x = json_object_new_object();
				json_object_object_add(x, "id", json_object_new_string(D->id));
				json_object_object_add(x, "agent", json_object_new_string(D->agent));
				json_object_object_add(x, "action", json_object_new_string(D->action));
				json_object_object_add(x, "port", json_object_new_string(D->port ? D->port : ""));
				json_object_object_add(x, "check", json_object_new_string(
					fen_check_name(D->check)));
				json_object_array_add(dv, x);
			}
			json_object_object_add(lo, "devices", dv);
			json_object_array_add(lv, lo);
		}
		json_object_object_add(o, "levels", lv);
		json_object *dg = json_object_new_array();
		for (size_t i = 0; i < d.n; i++)
			json_object_array_add(dg, json_object_new_string(d.v[i].message));
		json_object_object_add(o, "diagnostics", dg);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_SPACED));
		json_object_put(o);
	} else {
		if (!fo.enabled)
			printf("note: fencing is disabled (stonith-enabled=false)\n");
		if (!plan->n_levels)
			printf("no fence device can fence %s\n", node);
		for (size_t l = 0; l < plan->n_levels; l++) {
			const struct fen_level *L = &plan->levels[l];
			if (plan->from_topology)
				printf("level %d%s:\n", L->index,
				       L->n_devices > 1 ? " (all devices must succeed)" : "");
			else
				printf("%s:\n", l ? "else" : "first");
			for (size_t k = 0; k < L->n_devices; k++) {
				const struct fen_device *D = &L->devices[k];
				printf("  %s (%s): %s %s=%s, %s\n", D->id, D->agent, D->action,
				       D->host_arg ? D->host_arg : "-", D->port ? D->port : "-",
				       check_text(D->check));
			}
		}
		for (size_t i = 0; i < d.n; i++)
			printf("note: %s\n", d.v[i].message);
	}
	rc = CLI_EXIT_OK;
out:
	fen_plan_free(plan);
	vg_cib_free(cib);
	vg_diags_clear(&d);
	json_object_put(rep);
	return rc;
}

int cli_cmd_fence(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: vigil fence VERB\n"
			"  history [NODE] [--output-as text|json]  fencing operations, oldest first\n"
			"  list NODE [--output-as text|json]       the devices that may fence NODE\n");
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "history"))
		return fence_history(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return fence_list(argc - 1, argv + 1);
	fprintf(stderr, "vigil fence: unknown verb '%s' (see 'vigil fence --help')\n", argv[1]);
	return CLI_EXIT_USAGE;
}

static const char *who_am_i(void)
{
	const char *u = getenv("SUDO_USER");
	if (!u)
		u = getenv("USER");
	return u ? u : "?";
}

int cli_node_fence(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "action", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool wait = false;
	int timeout_s = DEFAULT_WAIT_S, c;
	const char *action = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "wt:a:", opts, NULL)) != -1) {
		switch (c) {
		case 'w': wait = true; break;
		case 't': timeout_s = atoi(optarg); if (timeout_s > 0) break; /* fallthrough */
		default:
			fprintf(stderr, "Usage: vigil node fence NODE [--action reboot|off] "
				"[--wait [--timeout S]]\n");
			return CLI_EXIT_USAGE;
		case 'a': action = optarg; break;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "Usage: vigil node fence NODE [--action reboot|off] "
			"[--wait [--timeout S]]\n");
		return CLI_EXIT_USAGE;
	}
	json_object *req = cli_new_request("fence");
	json_object_object_add(req, "node", json_object_new_string(argv[optind]));
	json_object_object_add(req, "wait", json_object_new_boolean(wait));
	json_object_object_add(req, "origin", json_object_new_string(who_am_i()));
	if (action)
		json_object_object_add(req, "action", json_object_new_string(action));
	json_object *rep = NULL;
	int rc = cli_request(req, wait ? timeout_s * 1000 : FENCE_TIMEOUT_MS, NULL, &rep);
	if (rc)
		return rc;
	printf("%s\n", str_of(rep, "message", "fencing requested"));
	json_object_put(rep);
	return CLI_EXIT_OK;
}

int cli_node_confirm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "force", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	bool yes = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "y", opts, NULL)) != -1) {
		if (c != 'y') {
			fprintf(stderr, "Usage: vigil node confirm NODE [--yes]\n");
			return CLI_EXIT_USAGE;
		}
		yes = true;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "Usage: vigil node confirm NODE [--yes]\n");
		return CLI_EXIT_USAGE;
	}
	const char *node = argv[optind];
	if (!yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "vigil node confirm: asks on a terminal; give --yes to confirm "
				"without one\n");
			return CLI_EXIT_USAGE;
		}
		fprintf(stderr, "You confirm that %s is powered off (or cut from its storage and "
			"network) and runs nothing.\nThe cluster will start its VMs elsewhere: if it "
			"still runs them, they run twice.\nType 'yes' to confirm: ", node);
		char line[32];
		if (!fgets(line, sizeof(line), stdin) || strcmp(line, "yes\n")) {
			fprintf(stderr, "not confirmed\n");
			return CLI_EXIT_FAILED;
		}
	}
	json_object *req = cli_new_request("fence-confirm");
	json_object_object_add(req, "node", json_object_new_string(node));
	json_object_object_add(req, "origin", json_object_new_string(who_am_i()));
	json_object *rep = NULL;
	int rc = cli_request(req, FENCE_TIMEOUT_MS, NULL, &rep);
	if (rc)
		return rc;
	printf("%s confirmed down; its resources may start elsewhere\n", node);
	json_object_put(rep);
	return CLI_EXIT_OK;
}
