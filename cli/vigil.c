/* vigil.c - the admin client: crmsh-like verbs over the daemon's IPC, and offline tools. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct verb verbs[] = {
	{ "status", cli_cmd_status, "the cluster: quorum, DC, nodes, resources" },
	{ "node", cli_cmd_node, "list the nodes, standby and online, fence and confirm" },
	{ "fence", cli_cmd_fence, "fencing history, and the devices that may fence a node" },
	{ "resource", cli_cmd_resource, "start, stop, move, migrate, clear, locate resources" },
	{ "configure", cli_cmd_configure, "verify, show and change the cluster configuration" },
	{ "simulate", cli_cmd_simulate, "compute what the cluster would do with a document (offline)" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: vigil [--version] [--help] VERB [ARGS]...\n\nVerbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out, "\n'vigil VERB --help' describes a verb.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *verb = argv[1];
	if (!strcmp(verb, "--version") || !strcmp(verb, "-V")) {
		printf("vigil %s\n", PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verb, verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "vigil: unknown verb '%s' (see 'vigil --help')\n", verb);
	return CLI_EXIT_USAGE;
}
