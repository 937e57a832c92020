/* cmd_node.c - `vigil node VERB`: list here; standby, online and maintenance
 * are configuration changes, in cmd_resource.c with the resource verbs. */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: vigil node VERB\n"
		     "  list [--output-as text|json]   every node: name, id, state\n"
		     "  standby [NODE] [--wait [--timeout S]]  move resources away (default: this node)\n"
		     "  online [NODE]                  take resources again\n"
		     "  maintenance on|off [NODE] [--wait [--timeout S]]  leave its resources alone\n"
		     "  fence NODE [--action reboot|off] [--wait [--timeout S]]  fence it through the DC\n"
		     "  confirm NODE [--yes]           an administrator says NODE is off\n");
}

static int node_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output-as", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int out = CLI_OUTPUT_TEXT, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c != 'o' || (out = cli_output_parse(optarg)) < 0 || out == CLI_OUTPUT_XML) {
			fprintf(stderr, "vigil node list: --output-as takes text or json\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigil node list: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	json_object *st = NULL;
	int rc = cli_status_fetch(&st);
	if (rc)
		return rc;
	json_object *nodes = NULL;
	if (!json_object_object_get_ex(st, "nodes", &nodes) ||
	    !json_object_is_type(nodes, json_type_array)) {
		json_object_put(st);
		fprintf(stderr, "vigil: vigild gave an answer we do not understand\n");
		return CLI_EXIT_FAILED;
	}
	if (out == CLI_OUTPUT_JSON) {
		printf("%s\n", json_object_to_json_string_ext(nodes, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_SPACED));
	} else {
		for (size_t i = 0; i < json_object_array_length(nodes); i++) {
			json_object *n = json_object_array_get_idx(nodes, i), *v;
			const char *name = json_object_object_get_ex(n, "name", &v) ?
						   json_object_get_string(v) : "?";
			long long id = json_object_object_get_ex(n, "id", &v) ?
					       (long long)json_object_get_int64(v) : 0;
			const char *state = json_object_object_get_ex(n, "state", &v) ?
						    json_object_get_string(v) : "?";
			bool dc = json_object_object_get_ex(n, "dc", &v) && json_object_get_boolean(v);
			printf("%s(%lld): %s%s\n", name, id, state, dc ? " (DC)" : "");
		}
	}
	json_object_put(st);
	return CLI_EXIT_OK;
}

int cli_cmd_node(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "list"))
		return node_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fence"))
		return cli_node_fence(argc - 1, argv + 1);
	if (!strcmp(argv[1], "confirm"))
		return cli_node_confirm(argc - 1, argv + 1);
	if (!strcmp(argv[1], "standby") || !strcmp(argv[1], "online"))
		return cli_node_standby(argc - 1, argv + 1, !strcmp(argv[1], "standby"));
	if (!strcmp(argv[1], "maintenance"))
		return cli_node_maintenance(argc - 1, argv + 1);
	fprintf(stderr, "vigil node: unknown verb '%s' (see 'vigil node --help')\n", argv[1]);
	return CLI_EXIT_USAGE;
}
