/* cmd_verify.c - `vigil configure verify [-x] FILE`: check a cluster document
 * offline (XML, schema, meaning) and print "valid" or every problem. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cib_xml.h"
#include "cli.h"
#include "fen_meta.h"
#include "fen_run.h"

#define MAX_AGENT_DIRS 8
#define METADATA_TIMEOUT_MS 10000

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil configure verify [-x] FILE\n"
		"Checks a cluster document (XML, schema, meaning) without a daemon.\n"
		"  -x, --xml-file FILE   the document to check ('-' reads standard input)\n"
		"  --agent-dir DIR       look for fence agents in DIR (before /usr/sbin;\n"
		"                        up to %d times)\n"
		"  --no-agents           do not run the fence agents for their metadata\n"
		"  -h, --help            this text\n"
		"Each fence device's parameters are checked against its agent's metadata\n"
		"(`AGENT -o metadata`); an agent not installed here is a warning.\n"
		"Prints 'valid' and exits 0, or prints each problem as\n"
		"FILE:LINE: error: WHERE: MESSAGE and exits %d.\n",
		MAX_AGENT_DIRS, CLI_EXIT_INVALID);
}

/* Every fence device against its agent's metadata (each agent run once).
 * The document itself cannot say whether a parameter exists: only the agent
 * knows, and a typo there would surface only when a node must be fenced. */
static void check_agents(const struct vg_cib *cib, const char *const *dirs, struct vg_diags *d)
{
	for (size_t i = 0; i < cib->n_resources; i++) {
		const struct vg_resource *dev = &cib->resources[i];
		if (!dev->cls || strcmp(dev->cls, "stonith") || !dev->type)
			continue;
		/* An agent already asked about, for an earlier device, is not run
		 * again: its devices are all checked then. */
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = cib->resources[k].cls && !strcmp(cib->resources[k].cls, "stonith") &&
			       cib->resources[k].type && !strcmp(cib->resources[k].type, dev->type);
		if (seen)
			continue;
		struct vg_diags ld = { 0 };
		struct fen_meta *meta = NULL;
		int r = fen_meta_load(dirs, dev->type, METADATA_TIMEOUT_MS, &meta, &ld);
		if (r)
			vg_diags_add(d, VG_DIAG_WARNING, dev->line, dev->id,
				     "fence agent %s: %s; its parameters are not checked", dev->type,
				     r == -ENOENT ? "not installed here" :
				     ld.n ? ld.v[0].message : strerror(-r));
		vg_diags_clear(&ld);
		for (size_t k = i; !r && k < cib->n_resources; k++) {
			const struct vg_resource *o = &cib->resources[k];
			if (o->cls && !strcmp(o->cls, "stonith") && o->type &&
			    !strcmp(o->type, dev->type))
				fen_meta_validate(meta, o, d);
		}
		fen_meta_free(meta);
	}
}

int cli_configure_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "xml-file", required_argument, NULL, 'x' },
		{ "agent-dir", required_argument, NULL, 'a' },
		{ "no-agents", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = NULL;
	const char *dirs[MAX_AGENT_DIRS + 2];
	size_t n_dirs = 0;
	bool agents = true;
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
		case 'a':
			if (n_dirs >= MAX_AGENT_DIRS || optarg[0] != '/') {
				fprintf(stderr, "vigil configure verify: --agent-dir takes an absolute "
					"path, at most %d times\n", MAX_AGENT_DIRS);
				return CLI_EXIT_USAGE;
			}
			dirs[n_dirs++] = optarg;
			break;
		case 'N':
			agents = false;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			if (optopt == 'x' || optopt == 'a')
				fprintf(stderr, "vigil configure verify: %s needs an argument\n",
					argv[optind - 1]);
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
	if (r == 0 && agents) {
		dirs[n_dirs++] = FEN_AGENT_DIR_DEFAULT;
		dirs[n_dirs] = NULL;
		check_agents(cib, dirs, &diags);
		if (diags.n_errors)
			r = -EINVAL;
	}
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
