/* test_policy_rules.c - the engine's rules that keep VMs safe: orphans,
 * joining nodes, half-done live migrations, quorum, fencing without a
 * device, orders that restart, capacity during a transition. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy_fixture.h"

static void three_nodes(struct fx *f)
{
	fx_init(f);
	fx_node(f, "n1");
	fx_node(f, "n2");
	fx_node(f, "n3");
	fx_stonith(f, "fence");
	fx_state(f, "n1", "online");
	fx_state(f, "n2", "online");
	fx_state(f, "n3", "online");
	fx_running(f, "n1", "fence");
	fx_rsc_default(f, "resource-stickiness", "100");
}

static bool has_action(const struct pol_transition *tr, enum pol_op op, const char *rsc,
		       const char *node)
{
	for (size_t i = 0; i < tr->n_actions; i++) {
		const struct pol_action *a = &tr->actions[i];

		if (a->op == op && (!rsc || (a->resource && !strcmp(a->resource, rsc))) &&
		    (!node || (a->node && !strcmp(a->node, node))))
			return true;
	}
	return false;
}

static void test_orphan_is_stopped(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_running(&f, "n2", "vm1");
	fx_running(&f, "n2", "vm-old");         /* in the history only */
	struct pol_transition *tr = fx_compute(&f);

	assert_string_equal(fx_actions(tr), "1 stop vm-old n2");
	assert_int_equal(tr->n_orphans, 1);
	assert_string_equal(tr->orphans[0], "vm-old");
	assert_int_equal(tr->n_placement, 2);   /* configured resources only */
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_joining_node_holds_starts(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_rsc(&f, "vm2");
	fx_running(&f, "n2", "vm2");
	/* n3 is in the membership but still joining: what it runs is unknown */
	struct vg_node_state *st = fx_state(&f, "n3", "online");

	st->join = fx_str(&f, "pending");
	struct pol_transition *tr = fx_compute(&f);
	const struct pol_placement *p = fx_placement(tr, "vm1");

	assert_false(has_action(tr, POL_OP_START, "vm1", NULL));
	assert_true(p->blocked);
	assert_non_null(strstr(p->reason, "waiting for n3 to join"));
	/* a VM that runs and stays is not disturbed */
	assert_string_equal(fx_placed(tr, "vm2"), "n2");
	assert_int_equal(tr->nodes[2].state, POL_NODE_PENDING);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_partial_migration_is_finished(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "allow-migrate", "true");
	fx_location(&f, "vm1", "n3", 500);
	fx_running(&f, "n2", "vm1");
	fx_migrate_op(&f, "n2", "vm1", "migrate_to", "n2", "n3", 0, 11);
	struct pol_transition *tr = fx_compute(&f);

	/* the migration got half way and n3 is still where vm1 should go */
	assert_string_equal(fx_actions(tr), "1 migrate vm1 n2>n3");
	assert_string_equal(fx_placed(tr, "vm1"), "n3");
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_partial_migration_undone(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "allow-migrate", "true");
	fx_location(&f, "vm1", "n3", -VG_SCORE_INFINITY);
	fx_location(&f, "vm1", "n2", -VG_SCORE_INFINITY);
	fx_running(&f, "n2", "vm1");
	fx_migrate_op(&f, "n2", "vm1", "migrate_to", "n2", "n3", 0, 11);
	struct pol_transition *tr = fx_compute(&f);

	/* vm1 may run on n2 and on n3: stop both before starting on n1 */
	assert_string_equal(fx_actions(tr), "1 stop vm1 n2; 2 stop vm1 n3; 3 start vm1 n1 after 1,2");
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_dangling_migration_stops_source(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "allow-migrate", "true");
	fx_running(&f, "n2", "vm1");
	fx_migrate_op(&f, "n2", "vm1", "migrate_to", "n2", "n3", 0, 11);
	fx_migrate_op(&f, "n3", "vm1", "migrate_from", "n2", "n3", 0, 12);
	struct pol_transition *tr = fx_compute(&f);

	/* it runs on n3 already; only the stop on the source is missing */
	assert_string_equal(fx_actions(tr), "1 stop vm1 n2");
	assert_string_equal(fx_placed(tr, "vm1"), "n3");
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_failed_migrate_from_recovers_both(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "allow-migrate", "true");
	fx_running(&f, "n2", "vm1");
	fx_migrate_op(&f, "n2", "vm1", "migrate_to", "n2", "n3", 0, 11);
	fx_migrate_op(&f, "n3", "vm1", "migrate_from", "n2", "n3", 1, 12);
	struct pol_transition *tr = fx_compute(&f);

	/* it may run on both: both are stopped, never a migration */
	assert_true(has_action(tr, POL_OP_STOP, "vm1", "n2") ||
		    has_action(tr, POL_OP_RESTART, "vm1", "n2"));
	assert_true(has_action(tr, POL_OP_STOP, "vm1", "n3") ||
		    has_action(tr, POL_OP_RESTART, "vm1", "n3"));
	assert_false(has_action(tr, POL_OP_MIGRATE, "vm1", NULL));
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_no_quorum_stop_and_freeze(void **state)
{
	struct fx f;

	three_nodes(&f);
	f.cib.have_quorum = fx_str(&f, "0");
	fx_rsc(&f, "vm1");
	fx_rsc(&f, "vm2");
	fx_running(&f, "n2", "vm1");
	struct pol_transition *tr = fx_compute(&f);

	/* the default policy stops what runs and starts nothing */
	assert_true(has_action(tr, POL_OP_STOP, "vm1", "n2"));
	assert_false(has_action(tr, POL_OP_START, NULL, NULL));
	assert_string_equal(fx_placement(tr, "vm1")->reason, "no quorum");
	pol_transition_free(tr);

	fx_prop(&f, "no-quorum-policy", "freeze");
	tr = fx_compute(&f);
	/* freeze: what runs keeps running, nothing new starts */
	assert_int_equal(tr->n_actions, 0);
	assert_string_equal(fx_placed(tr, "vm1"), "n2");
	assert_null(fx_placed(tr, "vm2"));
	assert_true(fx_placement(tr, "vm2")->blocked);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_no_fence_device(void **state)
{
	struct fx f;

	fx_init(&f);
	fx_node(&f, "n1");
	fx_node(&f, "n2");
	fx_state(&f, "n1", "online");
	fx_state(&f, "n2", "lost");
	fx_rsc(&f, "vm1");
	fx_running(&f, "n2", "vm1");
	struct pol_transition *tr = fx_compute(&f);

	/* fencing is on but there is nothing to fence with: vm1 stays frozen
	 * on n2, and the transition says why */
	assert_int_equal(tr->n_actions, 0);
	assert_true(fx_placement(tr, "vm1")->blocked);
	bool warned = false;

	for (size_t i = 0; i < tr->n_warnings; i++)
		if (strstr(tr->warnings[i], "no fence device"))
			warned = true;
	assert_true(warned);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_order_restart_is_split(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_rsc(&f, "vm2");
	fx_running(&f, "n1", "vm1");
	fx_running(&f, "n2", "vm2");
	fx_op(&f, "n1", "vm1", "monitor", 10000, 7, 11);
	fx_order(&f, "vm1", "vm2", VG_ORDER_MANDATORY);
	struct pol_transition *tr = fx_compute(&f);

	/* vm1 recovers in place; vm2 must be down before vm1 stops and start
	 * after vm1 is back: stop vm2, restart vm1, start vm2 */
	assert_string_equal(fx_actions(tr), "1 stop vm2 n2; 2 restart vm1 n1 after 1; 3 start vm2 n2 after 1,2");
	assert_int_equal(fx_placement(tr, "vm2")->change, POL_CHANGE_RESTART);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_capacity_freed_before_start(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_prop(&f, "placement-strategy", "utilization");
	fx_node_util(&f, "n1", "cpu", "4");
	fx_node_util(&f, "n2", "cpu", "4");
	fx_node_util(&f, "n3", "cpu", "4");
	fx_rsc(&f, "vm-low");
	fx_util(&f, "vm-low", "cpu", "4");
	fx_rsc(&f, "vm-high");
	fx_util(&f, "vm-high", "cpu", "4");
	fx_meta(&f, "vm-high", "priority", "10");
	fx_location(&f, "vm-high", "n2", 50);
	fx_location(&f, "vm-high", "n1", -VG_SCORE_INFINITY);
	fx_location(&f, "vm-high", "n3", -VG_SCORE_INFINITY);
	fx_running(&f, "n2", "vm-low");
	struct pol_transition *tr = fx_compute(&f);

	/* vm-high takes n2; vm-low must leave it first, and finds n1 or n3 */
	assert_string_equal(fx_placed(tr, "vm-high"), "n2");
	assert_non_null(fx_placed(tr, "vm-low"));
	for (size_t i = 0; i < tr->n_actions; i++) {
		const struct pol_action *a = &tr->actions[i];

		if (a->op == POL_OP_START && !strcmp(a->resource, "vm-high")) {
			assert_int_equal(a->n_after, 1);
			assert_int_equal(tr->actions[a->after[0] - 1].op, POL_OP_STOP);
			assert_string_equal(tr->actions[a->after[0] - 1].resource, "vm-low");
		}
	}
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_blocked_failure_never_expires(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "failure-timeout", "60s");
	struct vg_resource *r = fx_find_rsc(&f, "vm1");

	r->ops = fx_keep(&f, calloc(1, sizeof(*r->ops)));
	r->n_ops = 1;
	r->ops[0].id = fx_str(&f, "vm1-stop");
	r->ops[0].name = fx_str(&f, "stop");
	r->ops[0].on_fail = fx_str(&f, "block");
	fx_running(&f, "n2", "vm1");
	fx_op(&f, "n2", "vm1", "stop", 0, 1, 11);
	fx_transient(&f, "n2", "fail-count-vm1#stop_0", "1");
	fx_transient(&f, "n2", "last-failure-vm1#stop_0", "1011");
	/* long after the timeout, the stop failure still waits for an admin */
	struct pol_transition *tr = fx_compute_at(&f, 999999);

	assert_int_equal(tr->n_actions, 0);
	assert_string_equal(fx_placed(tr, "vm1"), "n2");
	assert_true(fx_placement(tr, "vm1")->blocked);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_health_strategy(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_prop(&f, "node-health-strategy", "migrate-on-red");
	fx_rsc(&f, "vm1");
	fx_running(&f, "n2", "vm1");
	fx_transient(&f, "n2", "#health-disk", "red");
	struct pol_transition *tr = fx_compute(&f);

	assert_true(has_action(tr, POL_OP_STOP, "vm1", "n2"));
	assert_string_not_equal(fx_placed(tr, "vm1"), "n2");
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_failed_start_is_fatal(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_op(&f, "n2", "vm1", "start", 0, 1, 11);     /* no fail count recorded yet */
	struct pol_transition *tr = fx_compute(&f);

	/* start-failure-is-fatal (the default): n2 is out, recover elsewhere */
	assert_true(has_action(tr, POL_OP_STOP, "vm1", "n2"));
	assert_non_null(fx_placed(tr, "vm1"));
	assert_string_not_equal(fx_placed(tr, "vm1"), "n2");
	assert_int_equal(fx_placement(tr, "vm1")->change, POL_CHANGE_RECOVER);
	pol_transition_free(tr);

	/* with it off, the start is retried in place */
	fx_prop(&f, "start-failure-is-fatal", "false");
	tr = fx_compute(&f);
	assert_string_equal(fx_actions(tr), "1 restart vm1 n2");
	pol_transition_free(tr);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orphan_is_stopped),
		cmocka_unit_test(test_joining_node_holds_starts),
		cmocka_unit_test(test_partial_migration_is_finished),
		cmocka_unit_test(test_partial_migration_undone),
		cmocka_unit_test(test_dangling_migration_stops_source),
		cmocka_unit_test(test_failed_migrate_from_recovers_both),
		cmocka_unit_test(test_no_quorum_stop_and_freeze),
		cmocka_unit_test(test_no_fence_device),
		cmocka_unit_test(test_order_restart_is_split),
		cmocka_unit_test(test_capacity_freed_before_start),
		cmocka_unit_test(test_blocked_failure_never_expires),
		cmocka_unit_test(test_health_strategy),
		cmocka_unit_test(test_failed_start_is_fatal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
