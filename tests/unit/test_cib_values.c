/* test_cib_values.c - the value parsers (scores, durations, booleans), score
 * arithmetic, name/value set look-ups and the string hash table. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cib.h"
#include "strmap.h"

#define INF VG_SCORE_INFINITY

static void score_ok(const char *s, vg_score_t want)
{
	vg_score_t v = 12345;
	if (vg_score_parse(s, &v) != 0) {
		print_error("score '%s' refused\n", s);
		fail();
	}
	if (v != want) {
		print_error("score '%s' read as %d, want %d\n", s, v, want);
		fail();
	}
}

static void score_bad(const char *s)
{
	vg_score_t v = 12345;
	if (vg_score_parse(s, &v) != -EINVAL) {
		print_error("score '%s' accepted\n", s);
		fail();
	}
	assert_int_equal(v, 12345); /* out-param untouched on failure */
}

static void test_score_parse(void **state)
{
	score_ok("0", 0);
	score_ok("100", 100);
	score_ok("-100", -100);
	score_ok("+5", 5);
	score_ok("INFINITY", INF);
	score_ok("+INFINITY", INF);
	score_ok("-INFINITY", -INF);
	score_ok("infinity", INF);
	score_ok("-Infinity", -INF);
	score_ok("1000000", INF);
	score_ok("999999", 999999);
	score_ok("5000000", INF);
	score_ok("-5000000", -INF);
	score_ok("99999999999999999999999999", INF);
	score_ok("-99999999999999999999999999", -INF);
	score_bad(NULL);
	score_bad("");
	score_bad("abc");
	score_bad("10x");
	score_bad("1.0");
	score_bad(" 10");
	score_bad("10 ");
	score_bad("inf");
	score_bad("red");
	score_bad("-");
	score_bad("+");
	score_bad("++1");
}

static void test_score_add(void **state)
{
	assert_int_equal(vg_score_add(1, 2), 3);
	assert_int_equal(vg_score_add(-5, 2), -3);
	assert_int_equal(vg_score_add(INF, 5), INF);
	assert_int_equal(vg_score_add(5, INF), INF);
	assert_int_equal(vg_score_add(-INF, 5), -INF);
	assert_int_equal(vg_score_add(INF, -INF), -INF); /* -INFINITY wins */
	assert_int_equal(vg_score_add(-INF, INF), -INF);
	assert_int_equal(vg_score_add(INF, INF), INF);
	assert_int_equal(vg_score_add(-INF, -INF), -INF);
	assert_int_equal(vg_score_add(999999, 999999), INF); /* saturates */
	assert_int_equal(vg_score_add(-999999, -999999), -INF);
	assert_int_equal(vg_score_add(600000, 399999), 999999);
	assert_int_equal(vg_score_add(600000, 400000), INF);
}

static void dur_ok(const char *s, uint64_t want)
{
	uint64_t v = 12345;
	int r = vg_duration_parse(s, &v);
	if (r != 0) {
		print_error("duration '%s' refused (%d)\n", s, r);
		fail();
	}
	if (v != want) {
		print_error("duration '%s' read as %llu ms, want %llu\n", s, (unsigned long long)v,
			    (unsigned long long)want);
		fail();
	}
}

static void dur_bad(const char *s, int want)
{
	uint64_t v = 12345;
	int r = vg_duration_parse(s, &v);
	if (r != want) {
		print_error("duration '%s': got %d, want %d\n", s, r, want);
		fail();
	}
	assert_int_equal(v, 12345);
}

static void test_duration_parse(void **state)
{
	dur_ok("0", 0);
	dur_ok("10", 10000);
	dur_ok("10s", 10000);
	dur_ok("10S", 10000);
	dur_ok("10sec", 10000);
	dur_ok("500ms", 500);
	dur_ok("500msec", 500);
	dur_ok("1500us", 1);
	dur_ok("999usec", 0);
	dur_ok("2m", 120000);
	dur_ok("2min", 120000);
	dur_ok("1h", 3600000);
	dur_ok("1hr", 3600000);
	dur_ok("10 s", 10000);
	dur_ok(" 10s", 10000);
	dur_ok("PT1M30S", 90000);
	dur_ok("PT1H", 3600000);
	dur_ok("P1D", 86400000);
	dur_ok("P1W", 7 * 86400000ull);
	dur_ok("P1DT2H", 93600000);
	dur_ok("P40S", 40000); /* Pacemaker is lax about the T; so are we */
	dur_ok("PT0S", 0);
	dur_bad(NULL, -EINVAL);
	dur_bad("", -EINVAL);
	dur_bad("s", -EINVAL);
	dur_bad("bad", -EINVAL);
	dur_bad("1d", -EINVAL); /* Pacemaker has no 'd' unit */
	dur_bad("1.5s", -EINVAL);
	dur_bad("-5s", -EINVAL);
	dur_bad("10x", -EINVAL);
	dur_bad("10ss", -EINVAL);
	dur_bad("P", -EINVAL);
	dur_bad("PT", -EINVAL);
	dur_bad("P1M", -EINVAL); /* months: calendar-dependent */
	dur_bad("P1Y", -EINVAL);
	dur_bad("PT1.5S", -EINVAL);
	dur_bad("PTT1S", -EINVAL);
	dur_bad("PT1", -EINVAL);
	dur_bad("99999999999999999999999", -ERANGE);
	dur_bad("18446744073709551615h", -ERANGE);
	dur_bad("PT18446744073709551615H", -ERANGE);
	dur_bad("P9999999999999999W", -ERANGE);
}

static void test_bool_parse(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "on", "On", "yes", "y", "Y", "1" };
	static const char *const no[] = { "false", "False", "off", "no", "n", "N", "0" };
	static const char *const bad[] = { "", "2", "truee", "enabled", " true", "-1" };
	bool b;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		b = false;
		assert_int_equal(vg_bool_parse(yes[i], &b), 0);
		assert_true(b);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++) {
		b = true;
		assert_int_equal(vg_bool_parse(no[i], &b), 0);
		assert_false(b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(vg_bool_parse(bad[i], &b), -EINVAL);
	assert_int_equal(vg_bool_parse(NULL, &b), -EINVAL);
}

#define S(lit) ((char *)(lit))

static void test_nvsets_get(void **state)
{
	struct vg_nvpair a[] = { { .id = S("a1"), .name = S("x"), .value = S("from-a") },
				 { .id = S("a2"), .name = S("only-a"), .value = S("A") },
				 { .id = S("a3"), .name = S("novalue"), .value = NULL } };
	struct vg_nvpair b[] = { { .id = S("b1"), .name = S("x"), .value = S("from-b") },
				 { .id = S("b2"), .name = S("novalue"), .value = S("B") } };
	struct vg_nvset sets[] = { { .id = S("a"), .pairs = a, .n_pairs = 3 },
				   { .id = S("b"), .pairs = b, .n_pairs = 2 } };
	struct vg_nvsets ns = { sets, 2 };
	/* Without scores the first set wins. */
	assert_string_equal(vg_nvsets_get(&ns, "x"), "from-a");
	assert_string_equal(vg_nvsets_get(&ns, "only-a"), "A");
	/* A pair without a value does not hide a later one. */
	assert_string_equal(vg_nvsets_get(&ns, "novalue"), "B");
	assert_null(vg_nvsets_get(&ns, "absent"));
	/* A higher score wins over document order; equal scores keep it. */
	sets[1].has_score = true;
	sets[1].score = 10;
	assert_string_equal(vg_nvsets_get(&ns, "x"), "from-b");
	sets[0].has_score = true;
	sets[0].score = 10;
	assert_string_equal(vg_nvsets_get(&ns, "x"), "from-a");
	sets[0].score = -5;
	sets[1].has_score = false;
	assert_string_equal(vg_nvsets_get(&ns, "x"), "from-b");
	struct vg_nvsets empty = { 0 };
	assert_null(vg_nvsets_get(&empty, "x"));

	struct vg_attr at[] = { { S("op-digest"), S("abc") }, { S("exec-time"), S("3") } };
	struct vg_attrs attrs = { at, 2 };
	assert_string_equal(vg_attrs_get(&attrs, "exec-time"), "3");
	assert_null(vg_attrs_get(&attrs, "queue-time"));
}

static void test_strmap(void **state)
{
	struct vg_strmap m = { 0 };
	assert_null(vg_strmap_get(&m, "nothing"));
	assert_false(vg_strmap_has(&m, "nothing"));
	enum { N = 20000 };
	static char keys[N][16];
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_int_equal(vg_strmap_add(&m, keys[i], &keys[i], NULL), 0);
	}
	assert_int_equal(m.n, N);
	for (int i = 0; i < N; i++)
		assert_ptr_equal(vg_strmap_get(&m, keys[i]), &keys[i]);
	void *old = NULL;
	char again[] = "k77";
	assert_int_equal(vg_strmap_add(&m, again, NULL, &old), -EEXIST);
	assert_ptr_equal(old, &keys[77]);
	assert_int_equal(vg_strmap_set(&m, again, keys[0]), 0);
	assert_ptr_equal(vg_strmap_get(&m, "k77"), keys[0]);
	assert_int_equal(m.n, N);
	assert_null(vg_strmap_get(&m, "k20000"));
	vg_strmap_reset(&m);
	assert_int_equal(m.n, 0);
	assert_false(vg_strmap_has(&m, "k1"));
	assert_int_equal(vg_strmap_add(&m, "k1", keys[1], NULL), 0);
	assert_true(vg_strmap_has(&m, "k1"));
	vg_strmap_clear(&m);
	assert_int_equal(m.cap, 0);
	vg_strmap_clear(&m); /* twice is fine */

	assert_int_equal(vg_strmap_init(&m, 1000), 0);
	assert_true(m.cap >= 2000);
	vg_strmap_clear(&m);
}

static void test_free_null(void **state)
{
	vg_cib_free(NULL);
	assert_true(vg_cib_equal(NULL, NULL));
	struct vg_cib empty = { 0 };
	assert_false(vg_cib_equal(&empty, NULL));
	struct vg_cib *copy = NULL;
	assert_int_equal(vg_cib_dup(&empty, &copy), 0);
	assert_true(vg_cib_equal(&empty, copy));
	vg_cib_free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_parse),  cmocka_unit_test(test_score_add),
		cmocka_unit_test(test_duration_parse), cmocka_unit_test(test_bool_parse),
		cmocka_unit_test(test_nvsets_get),   cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_free_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
