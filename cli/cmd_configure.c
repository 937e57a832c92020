/* cmd_configure.c - `vigil configure VERB ...`: dispatch to the offline verbs
 * (verify) and the ones that talk to the daemon (show, load, property). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil configure VERB [ARGS]...\n"
		"  verify -x FILE          check a configuration file (offline, no daemon)\n");
}

int cli_cmd_configure(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(verb, "verify"))
		return cli_configure_verify(argc - 1, argv + 1);
	fprintf(stderr, "vigil configure: unknown verb '%s' (see 'vigil configure --help')\n", verb);
	return CLI_EXIT_USAGE;
}
