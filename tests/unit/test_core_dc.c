/* test_core_dc.c - the coordinator: every member agrees on one DC; it keeps its
 * role while it stays; when it leaves the survivors agree on the next at once;
 * a partition without quorum has none that may act. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core_harness.h"

static struct harness *boot_cluster(int n)
{
	struct harness *h = h_new(n);
	for (int i = 1; i <= n; i++) {
		h_boot(h, i);
		h_run(h, 100);
	}
	return h;
}

/* Every live core names the same DC (and it is live); returns it. */
static uint32_t agreed_dc(struct harness *h, int n)
{
	uint32_t dc = 0;
	for (int i = 1; i <= n; i++) {
		struct crmd_core *c = h_core(h, i);
		if (!c)
			continue;
		uint32_t d = crmd_core_dc(c);
		if (!dc)
			dc = d;
		if (d != dc || !d) {
			h_dump_logs(h);
			fail_msg("n%d says DC %u, others %u", i, d, dc);
		}
	}
	assert_non_null(h_core(h, (int)dc));
	return dc;
}

static void test_agreement_3_and_5(void **state)
{
	for (int n = 3; n <= 5; n += 2) {
		struct harness *h = boot_cluster(n);
		uint32_t dc = agreed_dc(h, n);
		/* The first member to start is the oldest: it is the DC. */
		assert_int_equal(dc, 1);
		for (int i = 1; i <= n; i++)
			assert_true(crmd_core_synced(h_core(h, i)));
		h_free(h);
	}
}

static void test_started_together(void **state)
{
	/* All daemons start before anything is delivered: still one DC. */
	struct harness *h = h_new(3);
	for (int i = 1; i <= 3; i++)
		h_boot(h, i);
	h_run(h, 100);
	assert_int_equal(agreed_dc(h, 3), 1);
	h_free(h);
}

static void test_dc_change_on_leave(void **state)
{
	struct harness *h = boot_cluster(3);
	assert_int_equal(agreed_dc(h, 3), 1);
	/* The DC's node dies: n2 and n3 move to the next oldest, n2, at once:
	 * processing the view, the ring and its quorum is all it takes. */
	h_power_off(h, 1);
	h_step(h, 6); /* view, ring, quorum at n2 and n3 */
	assert_int_equal(crmd_core_dc(h_core(h, 2)), 2);
	assert_int_equal(crmd_core_dc(h_core(h, 3)), 2);
	h_run(h, 100);
	assert_int_equal(agreed_dc(h, 3), 2);

	/* A DC keeps its role when an older node comes back. */
	h_boot(h, 1);
	h_run(h, 100);
	assert_int_equal(agreed_dc(h, 3), 2);

	/* A killed daemon (host up) is a departure too. */
	h_daemon_kill(h, 2);
	h_run(h, 100);
	assert_int_equal(agreed_dc(h, 3), 3);
	h_daemon_start(h, 2);
	h_run(h, 100);
	assert_int_equal(agreed_dc(h, 3), 3);
	h_free(h);
}

static void test_minority_has_no_dc(void **state)
{
	struct harness *h = boot_cluster(3);
	assert_int_equal(agreed_dc(h, 3), 1);
	/* Cut n1, the DC, off. */
	int part[4] = { 0, 2, 1, 1 };
	h_partition(h, part);
	h_run(h, 100);
	assert_int_equal(crmd_core_dc(h_core(h, 1)), 0);
	assert_false(crmd_core_quorate(h_core(h, 1)));
	assert_int_equal(crmd_core_dc(h_core(h, 2)), 2);
	assert_int_equal(crmd_core_dc(h_core(h, 3)), 2);

	/* Heal: the quorate side's DC stays, the old DC does not come back. */
	int healed[4] = { 0, 1, 1, 1 };
	h_partition(h, healed);
	h_run(h, 100);
	assert_int_equal(agreed_dc(h, 3), 2);
	h_free(h);
}

static void test_no_dc_before_quorum_known(void **state)
{
	struct harness *h = boot_cluster(3);
	h_set_quorum_delay(h, 50);
	h_power_off(h, 1);
	h_run(h, 10);
	/* The view and the ring arrived; quorum of the new ring did not: nobody
	 * may act yet, but the candidate is already agreed. */
	assert_int_equal(crmd_core_dc(h_core(h, 2)), 0);
	assert_int_equal(crmd_core_dc_candidate(h_core(h, 2)), 2);
	assert_int_equal(crmd_core_dc_candidate(h_core(h, 3)), 2);
	h_run(h, 100);
	assert_int_equal(agreed_dc(h, 3), 2);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agreement_3_and_5),
		cmocka_unit_test(test_started_together),
		cmocka_unit_test(test_dc_change_on_leave),
		cmocka_unit_test(test_minority_has_no_dc),
		cmocka_unit_test(test_no_dc_before_quorum_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
