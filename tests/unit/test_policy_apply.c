/* test_policy_apply.c - pol_transition_apply(): pretending a transition
 * succeeded leaves a cluster on which the engine plans nothing more, and the
 * status says what the transition did (fenced nodes down and clean, VMs where
 * the placement put them). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cib.h"
#include "cib_xml.h"
#include "policy.h"

static struct vg_cib *load(const char *name)
{
	char path[1024];
	struct vg_diags d = { 0 };
	struct vg_cib *cib = NULL;

	snprintf(path, sizeof(path), "%s/tests/data/valid/%s", VG_SRCDIR, name);
	if (vg_cib_read_file(path, &cib, &d) < 0) {
		vg_diags_print(&d, path, stderr);
		fail();
	}
	vg_diags_clear(&d);
	return cib;
}

static struct pol_transition *compute(struct vg_cib *cib, int64_t now)
{
	struct vg_diags d = { 0 };
	struct pol_transition *tr = NULL;

	assert_int_equal(pol_compute(cib, now, NULL, &tr, &d), 0);
	vg_diags_clear(&d);
	return tr;
}

/* compute, apply, compute again: nothing left to do, same placement */
static void settles(const char *name)
{
	struct vg_cib *cib = load(name);
	struct pol_transition *a = compute(cib, 2000000000);

	assert_int_equal(pol_transition_apply(a, cib, 2000000000), 0);
	struct pol_transition *b = compute(cib, 2000000000);

	assert_int_equal(b->n_actions, 0);
	assert_int_equal(a->n_placement, b->n_placement);
	for (size_t i = 0; i < a->n_placement; i++) {
		const char *want = a->placement[i].node, *got = b->placement[i].current;

		if (a->placement[i].blocked || !a->placement[i].managed)
			continue;
		if (want)
			assert_non_null(got);
		if (want && got)
			assert_string_equal(want, got);
		if (!want)
			assert_null(got);
	}
	for (size_t n = 0; n < a->n_nodes; n++)
		if (a->nodes[n].fenced)
			assert_int_equal(b->nodes[n].state, POL_NODE_OFFLINE);
	pol_transition_free(a);
	pol_transition_free(b);
	vg_cib_free(cib);
}

static void test_three_node(void **state)
{
	settles("three-node.xml");
}

static void test_maintenance_standby(void **state)
{
	settles("maintenance-standby.xml");
}

static void test_sixteen_node(void **state)
{
	settles("sixteen-node.xml");
}

static void test_two_node(void **state)
{
	settles("two-node.xml");
}

/* a node lost with its VMs: fence, recover, and the fenced node forgets them */
static void test_fenced_node_forgets(void **state)
{
	struct vg_cib *cib = load("three-node.xml");
	struct vg_node_state *lost = NULL;

	/* take the last node with something running out of the membership */
	for (size_t i = 0; i < cib->n_node_states; i++)
		if (cib->node_states[i].n_lrm)
			lost = &cib->node_states[i];
	assert_non_null(lost);
	if (!lost)
		return;         /* not reached; tells the compiler so */
	free(lost->in_ccm);
	lost->in_ccm = strdup("false");
	free(lost->crmd);
	lost->crmd = strdup("offline");
	struct pol_transition *a = compute(cib, 2000000000);
	bool fenced = false;

	for (size_t i = 0; i < a->n_actions; i++)
		if (a->actions[i].op == POL_OP_FENCE && !strcmp(a->actions[i].node, lost->uname))
			fenced = true;
	assert_true(fenced);
	assert_int_equal(pol_transition_apply(a, cib, 2000000000), 0);
	assert_int_equal(lost->n_lrm, 0);
	assert_string_equal(lost->in_ccm, "false");
	struct pol_transition *b = compute(cib, 2000000000);

	assert_int_equal(b->n_actions, 0);
	pol_transition_free(a);
	pol_transition_free(b);
	vg_cib_free(cib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_node),
		cmocka_unit_test(test_maintenance_standby),
		cmocka_unit_test(test_sixteen_node),
		cmocka_unit_test(test_two_node),
		cmocka_unit_test(test_fenced_node_forgets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
