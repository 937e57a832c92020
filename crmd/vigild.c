/* vigild.c - the Vigil daemon: one per host. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigild [OPTION]...\n"
		"The Vigil cluster daemon: keeps this host's share of the cluster's VMs running.\n"
		"\n"
		"  -h, --help       show this help and exit\n"
		"  -V, --version    show the version and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("vigild %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	fprintf(stderr, "vigild: the daemon is not implemented yet\n");
	return 1;
}
