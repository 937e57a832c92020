/* cmd_verify.c - `vigil configure verify [-x] FILE`: check a cluster document
 * offline (XML, schema, meaning) and print "valid" or every problem. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cib_xml.h"
#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil configure verify [-x] FILE\n"
		"Checks a cluster document (XML, schema, meaning) without a daemon.\n"
		"  -x, --xml-file FILE   the document to check ('-' reads standard input)\n"
		"  -h, --help            this text\n"
		"Prints 'valid' and exits 0, or prints each problem as\n"
		"FILE:LINE: error: WHERE: MESSAGE and exits %d.\n",
		CLI_EXIT_INVALID);
}

int cli_configure_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "xml-file", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+x:h", opts, NULL)) != -1) {
		switch (c) {
		case 'x':
			if (file) {
				fprintf(stderr, "vigil configure verify: only one file, please\n");
				return CLI_EXIT_USAGE;
			}
			file = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			if (optopt == 'x')
				fprintf(stderr, "vigil configure verify: -x needs a file\n");
			else
				fprintf(stderr, "vigil configure verify: unknown option '%s'\n",
					argv[optind - 1]);
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		if (file || optind + 1 < argc) {
			fprintf(stderr, "vigil configure verify: only one file, please\n");
			return CLI_EXIT_USAGE;
		}
		file = argv[optind];
	}
	if (!file) {
		fprintf(stderr, "vigil configure verify: which file? (-x FILE)\n");
		usage(stderr);
		return CLI_EXIT_USAGE;
	}

	const char *source = strcmp(file, "-") ? file : "<stdin>";
	struct vg_diags diags = { 0 };
	struct vg_cib *cib = NULL;
	int r = vg_cib_read_file(file, &cib, &diags);
	int ret;
	if (r == 0) {
		vg_diags_print(&diags, source, stdout); /* warnings */
		printf("valid\n");
		ret = CLI_EXIT_OK;
	} else if (r == -EINVAL || r == -EFBIG || diags.n_errors) {
		vg_diags_print(&diags, source, stdout);
		ret = CLI_EXIT_INVALID;
	} else {
		fprintf(stderr, "vigil configure verify: cannot read %s: %s\n", source,
			strerror(-r));
		ret = CLI_EXIT_FAILED;
	}
	vg_cib_free(cib);
	vg_diags_clear(&diags);
	return ret;
}
