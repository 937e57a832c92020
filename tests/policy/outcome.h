/*
 * outcome.h - what a scheduler decided, reduced to what two schedulers can be
 * compared on: the set of real actions and the final placement.
 *
 * Used by the policy tests only (cts_compare, diff_check).  An outcome is read
 * either from a Pacemaker `crm_simulate -S` text summary (the files under
 * ../shared/pacemaker-cts-2.1.5/summary/) or from `vigil simulate --output-as
 * json`.  Both are turned into the same vocabulary (doc/testing.md, "CTS
 * normalization"):
 *
 *   fence NODE | start RSC NODE | stop RSC NODE | restart RSC NODE |
 *   migrate RSC FROM TO | reload RSC NODE
 *
 * Placement maps each configured resource to the node(s) it runs on once the
 * transition is done: "" when stopped, "n1" or, for a resource left active on
 * several nodes, the sorted names joined by one space ("n1 n2").
 *
 * Ownership: an outcome owns all its strings; outcome_free() releases them.
 * A zeroed struct is an empty outcome.
 */
#ifndef VIGIL_TEST_OUTCOME_H
#define VIGIL_TEST_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct outcome_place {
	char *rsc;
	char *where;            /* "" when stopped */
};

struct outcome {
	char **actions;         /* canonical action strings, sorted, unique */
	size_t n_actions;
	struct outcome_place *place;    /* sorted by resource */
	size_t n_place;
	char **fenced;          /* nodes fenced, sorted */
	size_t n_fenced;
	char **ignored;         /* summary lines left out on purpose (blocked, unfencing), for -v */
	size_t n_ignored;
};

void outcome_free(struct outcome *o);

/** Reads a crm_simulate text summary (Transition Summary + Revised Cluster
 *  Status).  0, or -EINVAL with a message in @err (size @errlen). */
int outcome_from_summary(FILE *in, struct outcome *ret, char *err, size_t errlen);

/** Reads `vigil simulate --output-as json` from @path.  0 or -EINVAL (+ @err). */
int outcome_from_vigil_json(const char *path, struct outcome *ret, char *err, size_t errlen);

/** The same from a string in memory (the tests' own samples). */
int outcome_from_vigil_json_text(const char *text, struct outcome *ret, char *err, size_t errlen);

/** Drops a "stop R N" when N is fenced in the same transition (the fence
 *  stops it), rewrites "stop R N" + "start R N" as "restart R N", sorts and
 *  removes duplicates, and lists the fenced nodes.  Both readers call it. */
int outcome_canonicalize(struct outcome *o);

/** The placement of @rsc, or NULL when the outcome does not mention it. */
const char *outcome_where(const struct outcome *o, const char *rsc);

/** True when @a and @b hold the same actions and the same placement.  When they
 *  differ and @out is not NULL, prints one line per difference, labelled with
 *  @name_a / @name_b. */
bool outcome_compare(const struct outcome *a, const struct outcome *b, const char *name_a,
		     const char *name_b, FILE *out);

/** Prints the outcome in its normalized form: "action: ..." lines, then
 *  "placement: RSC WHERE" lines ("-" for stopped). */
void outcome_print(const struct outcome *o, FILE *out);

#endif /* VIGIL_TEST_OUTCOME_H */
