/* test_fen_history.c - the bounded, mergeable fencing history and its JSON. */
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

#include "fen_history.h"

static struct fen_record *rec(const char *id, const char *target, enum fen_state state,
			      uint64_t requested_ms, uint64_t finished_ms, size_t n_attempts)
{
	struct fen_record *r = calloc(1, sizeof(*r));
	r->id = strdup(id);
	r->target = strdup(target);
	r->action = strdup("reboot");
	r->origin = strdup("vigild@n1");
	r->state = state;
	r->requested_ms = requested_ms;
	r->finished_ms = finished_ms;
	if (n_attempts) {
		r->attempts = calloc(n_attempts, sizeof(*r->attempts));
		for (size_t i = 0; i < n_attempts; i++) {
			r->attempts[i] = (struct fen_attempt){
				.attempt = (unsigned)i + 1, .level = 1, .device = strdup("ipmi"),
				.action = strdup("reboot"), .result = FEN_RESULT_FAILED, .exit_code = 1,
				.started_ms = requested_ms + i, .finished_ms = requested_ms + i + 1,
				.message = strdup("no route to host"),
			};
		}
		r->n_attempts = n_attempts;
	}
	if (state == FEN_STATE_FAILED)
		r->reason = strdup("all attempts failed");
	return r;
}

static void test_put_order_and_supersede(void **state)
{
	struct fen_history h = { 0 };
	assert_int_equal(fen_history_put(&h, rec("b", "n2", FEN_STATE_DONE, 200, 250, 1)), 0);
	assert_int_equal(fen_history_put(&h, rec("a", "n3", FEN_STATE_PENDING, 100, 0, 0)), 0);
	assert_int_equal(fen_history_put(&h, rec("c", "n3", FEN_STATE_FAILED, 300, 390, 2)), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.v[0]->id, "a");
	assert_string_equal(h.v[1]->id, "b");
	assert_string_equal(h.v[2]->id, "c");

	/* A pending record does not replace a final one... */
	assert_int_equal(fen_history_put(&h, rec("b", "n2", FEN_STATE_PENDING, 200, 0, 3)), 0);
	assert_int_equal(fen_history_get(&h, "b")->state, FEN_STATE_DONE);
	/* ...a pending one with more attempts replaces a pending one... */
	assert_int_equal(fen_history_put(&h, rec("a", "n3", FEN_STATE_PENDING, 100, 0, 2)), 0);
	assert_int_equal(fen_history_get(&h, "a")->n_attempts, 2);
	/* ...a final one replaces a pending one, and a later final one an earlier. */
	assert_int_equal(fen_history_put(&h, rec("a", "n3", FEN_STATE_FAILED, 100, 180, 3)), 0);
	assert_int_equal(fen_history_get(&h, "a")->state, FEN_STATE_FAILED);
	assert_int_equal(fen_history_put(&h, rec("a", "n3", FEN_STATE_DONE, 100, 190, 4)), 0);
	assert_int_equal(fen_history_get(&h, "a")->state, FEN_STATE_DONE);
	assert_int_equal(fen_history_put(&h, rec("a", "n3", FEN_STATE_FAILED, 100, 190, 4)), 0);
	assert_int_equal(fen_history_get(&h, "a")->state, FEN_STATE_DONE);   /* tie: kept */
	assert_int_equal(h.n, 3);
	assert_string_equal(h.v[0]->id, "a");

	assert_string_equal(fen_history_last_for(&h, "n3")->id, "c");
	assert_string_equal(fen_history_last_for(&h, "n2")->id, "b");
	assert_null(fen_history_last_for(&h, "n9"));
	assert_null(fen_history_get(&h, "zz"));

	struct fen_record *bad = rec("x", "n1", FEN_STATE_DONE, 1, 2, 0);
	free(bad->id);
	bad->id = NULL;
	assert_int_equal(fen_history_put(&h, bad), -EINVAL);
	fen_history_clear(&h);
	assert_int_equal(h.n, 0);
	assert_null(h.v);
}

static void test_bound_keeps_pending(void **state)
{
	struct fen_history h = { .max_records = 3 };
	assert_int_equal(fen_history_put(&h, rec("p", "n1", FEN_STATE_PENDING, 1, 0, 0)), 0);
	for (int i = 0; i < 5; i++) {
		char id[8];
		snprintf(id, sizeof(id), "r%d", i);
		assert_int_equal(fen_history_put(&h, rec(id, "n2", FEN_STATE_DONE, 10 + (uint64_t)i, 20, 0)), 0);
	}
	assert_int_equal(h.n, 3);
	assert_string_equal(h.v[0]->id, "p");
	assert_string_equal(h.v[1]->id, "r3");
	assert_string_equal(h.v[2]->id, "r4");
	assert_int_equal(h.max_records, 3);
	fen_history_clear(&h);
	assert_int_equal(h.max_records, 3);
}

static void test_json_and_merge(void **state)
{
	struct fen_history a = { 0 }, b = { 0 };
	assert_int_equal(fen_history_put(&a, rec("1", "n2", FEN_STATE_FAILED, 100, 150, 2)), 0);
	assert_int_equal(fen_history_put(&a, rec("2", "n2", FEN_STATE_PENDING, 200, 0, 1)), 0);
	char *json = NULL, *again = NULL;
	assert_int_equal(fen_history_to_json(&a, &json), 0);
	assert_int_equal(fen_history_from_json(&b, json), 0);
	assert_int_equal(fen_history_to_json(&b, &again), 0);
	assert_string_equal(json, again);
	free(again);

	/* Applying the same history twice, or merging, changes nothing more. */
	assert_int_equal(fen_history_from_json(&b, json), 0);
	assert_int_equal(fen_history_merge(&b, &a), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(fen_history_to_json(&b, &again), 0);
	assert_string_equal(json, again);
	free(again);

	/* The pending record finishes elsewhere; the merge takes the final one. */
	struct fen_history c = { 0 };
	assert_int_equal(fen_history_put(&c, rec("2", "n2", FEN_STATE_DONE, 200, 260, 2)), 0);
	assert_int_equal(fen_history_merge(&b, &c), 0);
	assert_int_equal(fen_history_get(&b, "2")->state, FEN_STATE_DONE);
	assert_int_equal(fen_history_get(&b, "2")->finished_ms, 260);

	/* Bad input puts nothing. */
	static const char *const bad[] = {
		"{}", "[1]", "[{\"id\":\"9\",\"target\":\"n1\",\"action\":\"off\",\"state\":\"done\"},{}]",
		"[", "", "[] []",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(fen_history_from_json(&b, bad[i]), -EINVAL);
	assert_int_equal(b.n, 2);
	assert_null(fen_history_get(&b, "9"));

	struct fen_history empty = { 0 };
	char *ej = NULL;
	assert_int_equal(fen_history_to_json(&empty, &ej), 0);
	assert_string_equal(ej, "[]");
	free(ej);
	free(json);
	fen_history_clear(&a);
	fen_history_clear(&b);
	fen_history_clear(&c);
}

static void test_manual_confirmation(void **state)
{
	struct fen_record *r = NULL;
	assert_int_equal(fen_record_manual("c1", "n3", "vigil node confirm by root", 1234, &r), 0);
	assert_int_equal(r->state, FEN_STATE_DONE);
	assert_string_equal(r->action, "off");
	assert_int_equal(r->finished_ms, 1234);
	assert_int_equal(r->n_attempts, 1);
	assert_string_equal(r->attempts[0].device, FEN_DEVICE_MANUAL);
	assert_int_equal(r->attempts[0].result, FEN_RESULT_OK);
	/* It supersedes a pending or failed operation for the same id. */
	struct fen_history h = { 0 };
	assert_int_equal(fen_history_put(&h, rec("c1", "n3", FEN_STATE_FAILED, 100, 200, 1)), 0);
	assert_int_equal(fen_history_put(&h, r), 0);
	assert_string_equal(fen_history_last_for(&h, "n3")->origin, "vigil node confirm by root");
	fen_history_clear(&h);
	assert_int_equal(fen_record_manual("c1", "", "root", 1, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_order_and_supersede),
		cmocka_unit_test(test_bound_keeps_pending),
		cmocka_unit_test(test_json_and_merge),
		cmocka_unit_test(test_manual_confirmation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
