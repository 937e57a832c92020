/* test_policy_basic.c - the policy engine on small clusters built in C:
 * allocation, fencing, failures, migration, utilization, reasons. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy_fixture.h"

/* Three healthy nodes with a fence device running on n1. */
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
}

static void test_fresh_start_spreads(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_rsc(&f, "vm2");
	fx_rsc(&f, "vm3");
	struct pol_transition *tr = fx_compute(&f);

	/* without stickiness every node scores 0: fewest resources first,
	 * then the node name; the fence device was placed first, on n1 */
	assert_string_equal(fx_actions(tr), "1 start vm1 n2; 2 start vm2 n3; 3 start vm3 n1");
	assert_string_equal(fx_placed(tr, "vm1"), "n2");
	assert_string_equal(fx_placed(tr, "fence"), "n1");
	assert_int_equal(fx_placement(tr, "vm2")->change, POL_CHANGE_START);
	assert_int_equal(tr->n_warnings, 0);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_steady_state_does_nothing(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc_default(&f, "resource-stickiness", "100");
	fx_rsc(&f, "vm1");
	fx_rsc(&f, "vm2");
	fx_running(&f, "n3", "vm1");
	fx_running(&f, "n3", "vm2");
	struct pol_transition *tr = fx_compute(&f);

	assert_int_equal(tr->n_actions, 0);
	assert_string_equal(fx_placed(tr, "vm1"), "n3");
	assert_string_equal(fx_placed(tr, "vm2"), "n3");
	assert_int_equal(fx_placement(tr, "vm1")->change, POL_CHANGE_NONE);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_lost_node_is_fenced_before_recovery(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc_default(&f, "resource-stickiness", "100");
	fx_rsc(&f, "vm1");
	fx_rsc(&f, "vm2");
	fx_running(&f, "n2", "vm1");
	fx_running(&f, "n3", "vm2");
	fx_state(&f, "n3", "lost");
	struct pol_transition *tr = fx_compute(&f);

	assert_string_equal(fx_actions(tr), "1 fence n3; 2 start vm2 n1 after 1");
	assert_string_equal(tr->actions[0].reason, "peer is no longer part of the cluster");
	assert_string_equal(fx_placed(tr, "vm2"), "n1");
	assert_int_equal(tr->nodes[2].state, POL_NODE_UNCLEAN);
	assert_true(tr->nodes[2].fenced);
	assert_int_equal(fx_placement(tr, "vm2")->change, POL_CHANGE_MOVE);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_no_fencing_recovers_and_warns(void **state)
{
	struct fx f;

	three_nodes(&f);
	f.cib.crm_config.v[0].pairs[0].value = fx_str(&f, "false");
	fx_rsc(&f, "vm1");
	fx_running(&f, "n3", "vm1");
	fx_state(&f, "n3", "lost");
	struct pol_transition *tr = fx_compute(&f);

	/* n3's history is gone with it: vm1 simply starts elsewhere */
	assert_int_equal(tr->n_actions, 1);
	assert_int_equal(tr->actions[0].op, POL_OP_START);
	assert_true(tr->n_warnings >= 1);
	assert_non_null(strstr(tr->warnings[0], "fencing is disabled"));
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_unclean_without_quorum_blocks(void **state)
{
	struct fx f;

	three_nodes(&f);
	f.cib.have_quorum = fx_str(&f, "0");
	fx_prop(&f, "no-quorum-policy", "stop");
	fx_rsc(&f, "vm1");
	fx_running(&f, "n3", "vm1");
	fx_state(&f, "n3", "lost");
	struct pol_transition *tr = fx_compute(&f);
	const struct pol_placement *p = fx_placement(tr, "vm1");

	/* n3 cannot be fenced without quorum, so vm1 may still run there:
	 * starting it elsewhere could run it twice */
	for (size_t i = 0; i < tr->n_actions; i++)
		assert_false(tr->actions[i].resource && !strcmp(tr->actions[i].resource, "vm1"));
	assert_true(p->blocked);
	assert_non_null(strstr(p->reason, "waiting for fencing of n3"));
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_standby_migrates(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "allow-migrate", "true");
	fx_rsc(&f, "vm2");
	fx_running(&f, "n2", "vm1");
	fx_running(&f, "n2", "vm2");
	fx_node_attr(&f, "n2", "standby", "on");
	fx_location(&f, "vm1", "n3", 50);
	fx_location(&f, "vm2", "n3", 50);
	struct pol_transition *tr = fx_compute(&f);

	assert_string_equal(fx_actions(tr), "1 stop vm2 n2; 2 migrate vm1 n2>n3; 3 start vm2 n3 after 1");
	assert_int_equal(fx_placement(tr, "vm1")->change, POL_CHANGE_MIGRATE);
	assert_int_equal(fx_placement(tr, "vm2")->change, POL_CHANGE_MOVE);
	assert_int_equal(tr->nodes[1].state, POL_NODE_STANDBY);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_failed_monitor_restarts_in_place(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc_default(&f, "resource-stickiness", "100");
	fx_rsc(&f, "vm1");
	fx_running(&f, "n2", "vm1");
	fx_op(&f, "n2", "vm1", "monitor", 10000, 7, 11);
	fx_transient(&f, "n2", "fail-count-vm1#monitor_10000", "1");
	struct pol_transition *tr = fx_compute(&f);

	assert_string_equal(fx_actions(tr), "1 restart vm1 n2");
	assert_int_equal(fx_placement(tr, "vm1")->change, POL_CHANGE_RECOVER);
	assert_true(fx_placement(tr, "vm1")->failed);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_migration_threshold_moves(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc_default(&f, "resource-stickiness", "100");
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "migration-threshold", "3");
	fx_meta(&f, "vm1", "allow-migrate", "true");
	fx_running(&f, "n2", "vm1");
	fx_op(&f, "n2", "vm1", "monitor", 10000, 7, 11);
	fx_transient(&f, "n2", "fail-count-vm1#monitor_10000", "3");
	struct pol_transition *tr = fx_compute(&f);

	/* a failed VM is never live-migrated: stop, then start elsewhere */
	assert_string_equal(fx_actions(tr), "1 stop vm1 n2; 2 start vm1 n3 after 1");
	assert_int_equal(fx_placement(tr, "vm1")->change, POL_CHANGE_RECOVER);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_failure_timeout_expires(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc_default(&f, "resource-stickiness", "100");
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "migration-threshold", "1");
	fx_meta(&f, "vm1", "failure-timeout", "60s");
	fx_running(&f, "n2", "vm1");
	fx_op(&f, "n2", "vm1", "monitor", 10000, 7, 11);
	fx_op(&f, "n2", "vm1", "stop", 0, 0, 12);
	fx_op(&f, "n2", "vm1", "start", 0, 0, 13);
	fx_transient(&f, "n2", "fail-count-vm1#monitor_10000", "1");
	fx_transient(&f, "n2", "last-failure-vm1#monitor_10000", "1011");

	/* within the timeout n2 is banned and vm1 leaves */
	struct pol_transition *tr = fx_compute_at(&f, 1030);

	assert_string_not_equal(fx_placed(tr, "vm1"), "n2");
	pol_transition_free(tr);
	/* a minute later the failure is forgotten and vm1 stays */
	tr = fx_compute_at(&f, 1080);
	assert_string_equal(fx_placed(tr, "vm1"), "n2");
	assert_int_equal(tr->n_actions, 0);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_target_role_stopped(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "target-role", "Stopped");
	fx_running(&f, "n2", "vm1");
	fx_rsc(&f, "vm2");
	fx_meta(&f, "vm2", "target-role", "Stopped");
	struct pol_transition *tr = fx_compute(&f);

	assert_string_equal(fx_actions(tr), "1 stop vm1 n2");
	assert_null(fx_placed(tr, "vm1"));
	assert_null(fx_placed(tr, "vm2"));
	assert_string_equal(fx_placement(tr, "vm2")->reason, "target-role=Stopped");
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_banned_everywhere(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_location(&f, "vm1", "n1", -VG_SCORE_INFINITY);
	fx_location(&f, "vm1", "n2", -VG_SCORE_INFINITY);
	fx_location(&f, "vm1", "n3", -VG_SCORE_INFINITY);
	struct pol_transition *tr = fx_compute(&f);

	assert_int_equal(tr->n_actions, 0);
	assert_null(fx_placed(tr, "vm1"));
	assert_string_equal(fx_placement(tr, "vm1")->reason, "banned everywhere");
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_utilization_priority_wins(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_prop(&f, "placement-strategy", "utilization");
	for (int i = 1; i <= 3; i++) {
		char n[8];

		snprintf(n, sizeof(n), "n%d", i);
		fx_node_util(&f, n, "memory", "1024");
	}
	fx_rsc(&f, "small");
	fx_util(&f, "small", "memory", "512");
	fx_rsc(&f, "big1");
	fx_util(&f, "big1", "memory", "1024");
	fx_meta(&f, "big1", "priority", "10");
	fx_rsc(&f, "big2");
	fx_util(&f, "big2", "memory", "1024");
	fx_meta(&f, "big2", "priority", "10");
	fx_rsc(&f, "big3");
	fx_util(&f, "big3", "memory", "1024");
	fx_meta(&f, "big3", "priority", "10");
	struct pol_transition *tr = fx_compute(&f);

	/* the three high-priority VMs fill the nodes; the small one does not fit */
	assert_non_null(fx_placed(tr, "big1"));
	assert_non_null(fx_placed(tr, "big2"));
	assert_non_null(fx_placed(tr, "big3"));
	assert_null(fx_placed(tr, "small"));
	assert_non_null(strstr(fx_placement(tr, "small")->reason, "over capacity"));
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_balanced_all_dimensions(void **state)
{
	struct fx f;

	/* n1 has lots of cpu but little memory, n2 the other way round.
	 * Pacemaker's balanced counts the dimensions where a node has more
	 * room (1:1 here) and falls back to the name; Vigil looks at the
	 * load each placement would cause and picks the lower maximum. */
	fx_init(&f);
	fx_prop(&f, "placement-strategy", "balanced");
	fx_node(&f, "n1");
	fx_node(&f, "n2");
	fx_stonith(&f, "fence");
	fx_state(&f, "n1", "online");
	fx_state(&f, "n2", "online");
	fx_node_util(&f, "n1", "cpu", "16");
	fx_node_util(&f, "n1", "memory", "2048");
	fx_node_util(&f, "n2", "cpu", "8");
	fx_node_util(&f, "n2", "memory", "8192");
	fx_rsc(&f, "vm1");
	fx_util(&f, "vm1", "cpu", "2");
	fx_util(&f, "vm1", "memory", "1536");
	struct pol_transition *tr = fx_compute(&f);

	/* on n1 memory would be 75% full, on n2 at most 25% of anything */
	assert_string_equal(fx_placed(tr, "vm1"), "n2");
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_colocation_and_order(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "db");
	fx_rsc(&f, "app");
	fx_location(&f, "db", "n3", 100);
	fx_colocation(&f, "app", "db", VG_SCORE_INFINITY);
	fx_order(&f, "db", "app", VG_ORDER_MANDATORY);
	struct pol_transition *tr = fx_compute(&f);

	assert_string_equal(fx_placed(tr, "db"), "n3");
	assert_string_equal(fx_placed(tr, "app"), "n3");
	assert_string_equal(fx_actions(tr), "1 start db n3; 2 start app n3 after 1");
	pol_transition_free(tr);

	/* db may not run: app must not start either */
	fx_meta(&f, "db", "target-role", "Stopped");
	tr = fx_compute(&f);
	assert_null(fx_placed(tr, "db"));
	assert_null(fx_placed(tr, "app"));
	assert_int_equal(tr->n_actions, 0);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_rule_on_node_attribute(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_node_attr(&f, "n1", "rack", "a");
	fx_node_attr(&f, "n2", "rack", "b");
	fx_node_attr(&f, "n3", "rack", "b");
	fx_rsc(&f, "vm1");
	fx_location_rule(&f, "vm1", -VG_SCORE_INFINITY, "rack", VG_EXPR_EQ, "b");
	struct pol_transition *tr = fx_compute(&f);

	assert_string_equal(fx_placed(tr, "vm1"), "n1");
	assert_int_equal(tr->scores[1 * 3 + 1], -VG_SCORE_INFINITY);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_unmanaged_and_maintenance(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_meta(&f, "vm1", "is-managed", "false");
	fx_meta(&f, "vm1", "target-role", "Stopped");
	fx_running(&f, "n2", "vm1");
	fx_rsc(&f, "vm2");
	fx_meta(&f, "vm2", "maintenance", "true");
	struct pol_transition *tr = fx_compute(&f);

	/* left alone: neither stopped nor started */
	assert_int_equal(tr->n_actions, 0);
	assert_string_equal(fx_placed(tr, "vm1"), "n2");
	assert_false(fx_placement(tr, "vm1")->managed);
	assert_null(fx_placed(tr, "vm2"));
	assert_string_equal(fx_placement(tr, "vm2")->reason, "in maintenance");
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_multiple_active_stops_extra(void **state)
{
	struct fx f;

	three_nodes(&f);
	fx_rsc(&f, "vm1");
	fx_running(&f, "n2", "vm1");
	fx_running(&f, "n3", "vm1");
	struct pol_transition *tr = fx_compute(&f);

	/* multiple-active=stop_start: stopped everywhere, started once */
	assert_int_equal(fx_placement(tr, "vm1")->n_active, 2);
	assert_non_null(fx_placed(tr, "vm1"));
	size_t stops = 0, starts = 0;

	for (size_t i = 0; i < tr->n_actions; i++) {
		stops += tr->actions[i].op == POL_OP_STOP;
		starts += tr->actions[i].op == POL_OP_START;
	}
	assert_true(stops >= 1);
	assert_true(stops + starts >= 2);
	pol_transition_free(tr);
	fx_free(&f);
}

static void test_deterministic(void **state)
{
	struct fx f;

	three_nodes(&f);
	for (int i = 0; i < 40; i++) {
		char id[16];

		snprintf(id, sizeof(id), "vm%d", i);
		fx_rsc(&f, id);
		if (i % 3 == 0)
			fx_running(&f, "n3", id);
	}
	fx_state(&f, "n3", "lost");
	struct pol_transition *a = fx_compute(&f);
	char *first = strdup(fx_actions(a));
	struct pol_transition *b = fx_compute(&f);

	assert_string_equal(first, fx_actions(b));
	for (size_t i = 0; i < a->n_placement; i++) {
		if (a->placement[i].node)
			assert_string_equal(a->placement[i].node, b->placement[i].node);
		else
			assert_null(b->placement[i].node);
	}
	free(first);
	pol_transition_free(a);
	pol_transition_free(b);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_start_spreads),
		cmocka_unit_test(test_steady_state_does_nothing),
		cmocka_unit_test(test_lost_node_is_fenced_before_recovery),
		cmocka_unit_test(test_no_fencing_recovers_and_warns),
		cmocka_unit_test(test_unclean_without_quorum_blocks),
		cmocka_unit_test(test_standby_migrates),
		cmocka_unit_test(test_failed_monitor_restarts_in_place),
		cmocka_unit_test(test_migration_threshold_moves),
		cmocka_unit_test(test_failure_timeout_expires),
		cmocka_unit_test(test_target_role_stopped),
		cmocka_unit_test(test_banned_everywhere),
		cmocka_unit_test(test_utilization_priority_wins),
		cmocka_unit_test(test_balanced_all_dimensions),
		cmocka_unit_test(test_colocation_and_order),
		cmocka_unit_test(test_rule_on_node_attribute),
		cmocka_unit_test(test_unmanaged_and_maintenance),
		cmocka_unit_test(test_multiple_active_stops_extra),
		cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
