/*
 * cts_compare.c - compares what Pacemaker decided on one scheduler case (its
 * crm_simulate summary) with what `vigil simulate --output-as json` decided.
 *
 *   cts_compare SUMMARY JSON     exit 0 when they agree, 1 when they differ
 *                                (each difference printed), 2 on bad input
 *   cts_compare --summary FILE   prints Pacemaker's outcome, normalized
 *   cts_compare --json FILE      prints Vigil's outcome, normalized
 *   cts_compare                  (no argument, as `make check` runs it) tests
 *                                its own reading and normalization
 *
 * The normalization is in outcome.h and doc/testing.md.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"

static int read_summary(const char *path, struct outcome *o)
{
	char err[512] = "";
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return -1;
	}
	int r = outcome_from_summary(f, o, err, sizeof(err));
	fclose(f);
	if (r < 0)
		fprintf(stderr, "%s: %s\n", path, err);
	return r;
}

static int read_json(const char *path, struct outcome *o)
{
	char err[512] = "";
	int r = outcome_from_vigil_json(path, o, err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "%s\n", err);
	return r;
}

/* ---- self-test ---- */

/* A summary in crm_simulate's layout exercising every rule of the reader. */
static const char sample_summary[] =
	"Current cluster status:\n"
	"  * Node List:\n"
	"    * Node n1: UNCLEAN (offline)\n"
	"    * Online: [ n2 n3 ]\n"
	"\n"
	"Transition Summary:\n"
	"  * Fence (reboot) n1 'peer is no longer part of the cluster'\n"
	"  * Fence (on) n3 'required by fence_scsi monitor'\n"
	"  * Start      fence1     (          n2 )\n"
	"  * Move       vm1        ( n1 -> n2 )\n"
	"  * Migrate    vm2        ( n2 -> n3 )\n"
	"  * Recover    vm3        ( n3 )\n"
	"  * Restart    vm4        ( n2 )  due to resource definition change\n"
	"  * Stop       vm5        ( n3 )  due to node availability\n"
	"  * Start      vm6        ( n2 )  due to unrunnable vm9 start (blocked)\n"
	"  * Stop       vm7        ( n2 )  blocked\n"
	"  * Move       vm8        ( Promoted n2 -> Started n3 )\n"
	"\n"
	"  * Restart    vm11       ( n2 )\n"
	"\n"
	"Executing Cluster Transition:\n"
	"  * Resource action: vm1             monitor on n2\n"
	"  * Fencing n1 (reboot)\n"
	"  * Fencing n3 (on)\n"
	"  * Resource action: fence1          start on n2\n"
	"  * Pseudo action:   vm1_stop_0\n"
	"  * Resource action: vm1             start on n2\n"
	"  * Resource action: vm2             migrate_to on n2\n"
	"  * Resource action: vm2             migrate_from on n3\n"
	"  * Resource action: vm2             stop on n2\n"
	"  * Pseudo action:   vm2_start_0\n"
	"  * Resource action: vm3             stop on n3\n"
	"  * Resource action: vm3             start on n3\n"
	"  * Resource action: vm3             monitor=10000 on n3\n"
	"  * Resource action: vm4             stop on n2\n"
	"  * Resource action: vm4             start on n2\n"
	"  * Resource action: vm5             stop on n3\n"
	"  * Resource action: vm8             demote on n2\n"
	"  * Resource action: vm8             stop on n2\n"
	"  * Resource action: vm8             start on n3\n"
	"  * Resource action: vm11            stop on n3\n"
	"  * Resource action: vm11            stop on n2\n"
	"  * Resource action: vm11            start on n2\n"
	"  * Cluster action:  clear_failcount for vm3 on n3\n"
	"\n"
	"Revised Cluster Status:\n"
	"  * Node List:\n"
	"    * Online: [ n2 n3 ]\n"
	"    * OFFLINE: [ n1 ]\n"
	"\n"
	"  * Full List of Resources:\n"
	"    * fence1\t(stonith:fence_xvm):\t Started n2\n"
	"    * vm1\t(ocf:heartbeat:VirtualDomain):\t Started n2\n"
	"    * vm2\t(ocf:heartbeat:VirtualDomain):\t Started n3\n"
	"    * vm3\t(ocf:heartbeat:VirtualDomain):\t Started n3\n"
	"    * vm4\t(ocf:heartbeat:VirtualDomain):\t Started n2 (failure ignored)\n"
	"    * vm5\t(ocf:heartbeat:VirtualDomain):\t Stopped\n"
	"    * vm6\t(ocf:heartbeat:VirtualDomain):\t Stopped (disabled)\n"
	"    * vm7\t(ocf:heartbeat:VirtualDomain):\t FAILED n2 (blocked)\n"
	"    * vm8\t(ocf:heartbeat:VirtualDomain):\t Started n3\n"
	"    * vm9\t(ocf:heartbeat:VirtualDomain):\t Started (blocked) [ n3 n2 ]\n"
	"    * vm10\t(ocf:heartbeat:VirtualDomain):\t Stopped n1 (LOCKED)\n"
	"    * vm11\t(ocf:heartbeat:VirtualDomain):\t Started n2\n"
	"    * old\t(ocf:heartbeat:VirtualDomain):\t ORPHANED Started n3 (unmanaged)\n";

static const char *const sample_expected[] = {
	"action: fence n1",
	"action: migrate vm2 n2 n3",
	"action: restart vm11 n2",
	"action: restart vm3 n3",
	"action: restart vm4 n2",
	"action: start fence1 n2",
	"action: start vm1 n2",
	"action: start vm8 n3",
	"action: stop vm11 n3",
	"action: stop vm5 n3",
	"action: stop vm8 n2",
	"placement: fence1 n2",
	"placement: vm1 n2",
	"placement: vm10 -",
	"placement: vm11 n2",
	"placement: vm2 n3",
	"placement: vm3 n3",
	"placement: vm4 n2",
	"placement: vm5 -",
	"placement: vm6 -",
	"placement: vm7 n2",
	"placement: vm8 n3",
	"placement: vm9 n2 n3",
	NULL,
};

/* The same decisions as Vigil would write them: no stop on the fenced node, a
 * restart spelled as stop + start, a list for a resource left on two nodes. */
static const char sample_json[] =
	"{\"actions\": ["
	" {\"id\": 1, \"op\": \"fence\", \"node\": \"n1\", \"after\": []},"
	" {\"id\": 2, \"op\": \"start\", \"resource\": \"fence1\", \"node\": \"n2\", \"after\": []},"
	" {\"id\": 3, \"op\": \"start\", \"resource\": \"vm1\", \"node\": \"n2\", \"after\": [1]},"
	" {\"id\": 4, \"op\": \"migrate\", \"resource\": \"vm2\", \"from\": \"n2\", \"to\": \"n3\"},"
	" {\"id\": 5, \"op\": \"stop\", \"resource\": \"vm3\", \"node\": \"n3\"},"
	" {\"id\": 6, \"op\": \"start\", \"resource\": \"vm3\", \"node\": \"n3\", \"after\": [5]},"
	" {\"id\": 7, \"op\": \"restart\", \"resource\": \"vm4\", \"node\": \"n2\"},"
	" {\"id\": 8, \"op\": \"stop\", \"resource\": \"vm5\", \"node\": \"n3\"},"
	" {\"id\": 9, \"op\": \"stop\", \"resource\": \"vm8\", \"node\": \"n2\"},"
	" {\"id\": 10, \"op\": \"start\", \"resource\": \"vm8\", \"node\": \"n3\", \"after\": [9]},"
	" {\"id\": 11, \"op\": \"stop\", \"resource\": \"vm11\", \"node\": \"n3\"},"
	" {\"id\": 12, \"op\": \"restart\", \"resource\": \"vm11\", \"node\": \"n2\"}"
	"], \"placement\": {\"fence1\": \"n2\", \"vm1\": \"n2\", \"vm2\": \"n3\", \"vm3\": \"n3\","
	" \"vm4\": \"n2\", \"vm5\": null, \"vm6\": null, \"vm7\": \"n2\", \"vm8\": \"n3\","
	" \"vm9\": [\"n3\", \"n2\"], \"vm10\": null, \"vm11\": \"n2\"}}";

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "FAIL: %s\n", what);
		failures++;
	}
}

static void selftest(void)
{
	struct outcome pcmk = { 0 }, vigil = { 0 }, other = { 0 };
	char err[512], *text = NULL;
	size_t len = 0;

	FILE *in = fmemopen((void *)sample_summary, sizeof(sample_summary) - 1, "r");
	check(in && outcome_from_summary(in, &pcmk, err, sizeof(err)) == 0, "reads the sample summary");
	if (in)
		fclose(in);
	FILE *out = open_memstream(&text, &len);
	outcome_print(&pcmk, out);
	fclose(out);
	char *line = text;
	for (size_t i = 0; sample_expected[i]; i++) {
		size_t n = strlen(sample_expected[i]);
		int ok = line && !strncmp(line, sample_expected[i], n) && line[n] == '\n';
		check(ok, sample_expected[i]);
		if (!ok)
			fprintf(stderr, "  got: %.*s\n", line ? (int)strcspn(line, "\n") : 0, line ? line : "");
		line = line && strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
	}
	check(line && *line == '\0', "nothing more in the normalized summary");
	free(text);
	check(pcmk.n_ignored == 3, "blocked actions and unfencing are left out");
	check(pcmk.n_fenced == 1 && !strcmp(pcmk.fenced[0], "n1"), "lists the fenced node");

	check(outcome_from_vigil_json_text(sample_json, &vigil, err, sizeof(err)) == 0,
	      "reads the sample JSON");
	check(outcome_compare(&pcmk, &vigil, "pacemaker", "vigil", stderr),
	      "the same decisions compare equal");

	/* A migration where Pacemaker stops and starts is a difference. */
	const char *moved = strstr(sample_json, "{\"id\": 9");
	char *variant = NULL;
	check(asprintf(&variant, "%.*s{\"id\": 9, \"op\": \"migrate\", \"resource\": \"vm8\", "
		       "\"from\": \"n2\", \"to\": \"n3\"}%s", (int)(moved - sample_json), sample_json,
		       strstr(moved, "], \"placement\"")) > 0, "builds the variant");
	check(outcome_from_vigil_json_text(variant, &other, err, sizeof(err)) == 0, "reads the variant");
	check(!outcome_compare(&pcmk, &other, "pacemaker", "vigil", NULL), "migrate is not a move");
	outcome_free(&other);
	free(variant);

	/* A missing resource in the placement is a difference. */
	check(outcome_from_vigil_json_text("{\"actions\": [], \"placement\": {\"vm1\": \"n2\"}}",
					   &other, err, sizeof(err)) == 0, "reads a small JSON");
	check(!outcome_compare(&pcmk, &other, "pacemaker", "vigil", NULL), "absent resources differ");
	outcome_free(&other);

	/* Bad input is refused, not half read. */
	check(outcome_from_vigil_json_text("{\"placement\": {}}", &other, err, sizeof(err)) < 0,
	      "JSON without actions");
	check(outcome_from_vigil_json_text("{\"actions\": [{\"op\": \"start\", \"node\": \"n1\"}],"
					   " \"placement\": {}}", &other, err, sizeof(err)) < 0,
	      "start without a resource");
	check(outcome_from_vigil_json_text("{\"actions\": [], \"placement\": {\"vm1\": 3}}",
					   &other, err, sizeof(err)) < 0, "placement not a node");
	static const char no_revised[] = "Transition Summary:\n  * Start vm1 ( n1 )\n\n"
					 "Executing Cluster Transition:\n";
	in = fmemopen((void *)no_revised, sizeof(no_revised) - 1, "r");
	check(outcome_from_summary(in, &other, err, sizeof(err)) < 0, "summary without revised status");
	fclose(in);
	static const char bad_verb[] = "Transition Summary:\n  * Frobnicate vm1 ( n1 )\n\n"
				       "Executing Cluster Transition:\n\nRevised Cluster Status:\n";
	in = fmemopen((void *)bad_verb, sizeof(bad_verb) - 1, "r");
	check(outcome_from_summary(in, &other, err, sizeof(err)) < 0, "unknown verb");
	fclose(in);

	outcome_free(&pcmk);
	outcome_free(&vigil);
}

int main(int argc, char **argv)
{
	struct outcome pcmk = { 0 }, vigil = { 0 };
	int rc = 2;

	if (argc == 1) {
		selftest();
		printf("cts_compare self-test: %s\n", failures ? "FAILED" : "ok");
		return failures ? 1 : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--summary")) {
		if (read_summary(argv[2], &pcmk) < 0)
			return 2;
		outcome_print(&pcmk, stdout);
		for (size_t i = 0; i < pcmk.n_ignored; i++)
			printf("ignored: %s\n", pcmk.ignored[i]);
		outcome_free(&pcmk);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--json")) {
		if (read_json(argv[2], &vigil) < 0)
			return 2;
		outcome_print(&vigil, stdout);
		outcome_free(&vigil);
		return 0;
	}
	if (argc != 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: cts_compare SUMMARY JSON | --summary FILE | --json FILE\n");
		return 2;
	}
	if (read_summary(argv[1], &pcmk) < 0 || read_json(argv[2], &vigil) < 0)
		goto out;
	rc = outcome_compare(&pcmk, &vigil, "pacemaker", "vigil", stdout) ? 0 : 1;
out:
	outcome_free(&pcmk);
	outcome_free(&vigil);
	return rc;
}
