/* test_fen_op.c - fencing operations end to end with the test agent: topology
 * (a level fails, the next succeeds), retries and back-off, deadline, delays
 * with an injected RNG, dynamic-list and status checks, cancel; the history
 * record and its JSON form.  No zombies, no leaked descriptors. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fen_cib_build.h"
#include "fen_op.h"
#include "fen_test_util.h"

struct ctx {
	qb_loop_t *loop;
	struct fen_runner *runner;
	int fds_before;
	char tmpdir[64];
	char state[128];
};

static int setup(void **state)
{
	static const char *const dirs[] = { FEN_TEST_AGENT_DIR, NULL };
	struct ctx *c = calloc(1, sizeof(*c));
	c->fds_before = fen_test_count_fds();
	c->loop = qb_loop_create();
	struct fen_runner_opts o = { .agent_dirs = dirs, .kill_grace_ms = 1000 };
	assert_int_equal(fen_runner_new(c->loop, &o, &c->runner), 0);
	strcpy(c->tmpdir, "/tmp/vg-fen-op.XXXXXX");
	assert_non_null(mkdtemp(c->tmpdir));
	snprintf(c->state, sizeof(c->state), "%s/state", c->tmpdir);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	fen_runner_free(c->runner);
	qb_loop_destroy(c->loop);
	unlink(c->state);
	rmdir(c->tmpdir);
	assert_int_equal(fen_test_count_fds(), c->fds_before);
	assert_true(fen_test_no_children());
	free(c);
	return 0;
}

struct outcome {
	bool done;
	struct fen_record *rec;
};

static void on_done(const struct fen_record *rec, void *data)
{
	struct outcome *o = data;
	o->done = true;
	assert_int_equal(fen_record_dup(rec, &o->rec), 0);
}

static bool is_done(void *p)
{
	return ((struct outcome *)p)->done;
}

static uint64_t mono_ms(void *data)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t fixed_random(void *data)
{
	return *(uint64_t *)data;
}

static bool none_running(void *p)
{
	return fen_runner_n_running(p) == 0;
}

static bool some_running(void *p)
{
	return fen_runner_n_running(p) > 0;
}

static const struct fen_cluster_opts copts = {
	.enabled = true, .action = "reboot", .timeout_ms = 10000, .max_attempts = 3,
};

static struct fen_record *fence(struct ctx *c, const struct vg_cib *cib, const char *target,
				struct fen_op_opts *oo)
{
	struct vg_diags d = { 0 };
	struct fen_plan *plan = NULL;
	assert_int_equal(fen_plan_build(cib, target, "reboot", &copts, &plan, &d), 0);
	vg_diags_clear(&d);
	struct fen_op_opts defaults = { .id = "op-1", .origin = "test", .executor = "self",
					.max_attempts = 1, .now_ms = mono_ms };
	if (!oo)
		oo = &defaults;
	struct outcome o = { 0 };
	assert_int_equal(fen_op_start(c->runner, plan, oo, on_done, &o, NULL), 0);
	assert_false(o.done);
	fen_test_run_until(c->loop, is_done, &o);
	/* Whatever the op cancelled is reaped too. */
	fen_test_run_until(c->loop, none_running, c->runner);
	return o.rec;
}

#define DEV(id_, ...) STONITH(id_, "fence_vgtest", NV("pcmk_host_check", "none"), __VA_ARGS__)

static void test_topology_second_level(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = {
		DEV("ipmi", NV("mode", "ok")),
		DEV("broken", NV("mode", "fail")),
		DEV("pdu_a", NV("mode", "ok")),
		DEV("pdu_b", NV("mode", "ok")),
	};
	/* Level 1: ipmi succeeds but broken fails, so the level fails. */
	struct vg_fencing_level lv[] = {
		LEVEL_T("l2", 2, "n1", "pdu_a,pdu_b"),
		LEVEL_T("l1", 1, "n1", "ipmi,broken"),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res),
			      .has_fencing_topology = true, .fencing_levels = lv,
			      .n_fencing_levels = ARRAY_N(lv) };
	struct fen_record *rec = fence(c, &cib, "n1", NULL);
	assert_int_equal(rec->state, FEN_STATE_DONE);
	assert_null(rec->reason);
	assert_string_equal(rec->target, "n1");
	assert_string_equal(rec->action, "reboot");
	assert_string_equal(rec->origin, "test");
	assert_string_equal(rec->executor, "self");
	/* Both levels have two devices: reboot runs as all off, then all on. */
	assert_int_equal(rec->n_attempts, 6);
	static const char *const devs[] = { "ipmi", "broken", "pdu_a", "pdu_b", "pdu_a", "pdu_b" };
	static const char *const actions[] = { "off", "off", "off", "off", "on", "on" };
	static const enum fen_result results[] = { FEN_RESULT_OK, FEN_RESULT_FAILED, FEN_RESULT_OK,
						   FEN_RESULT_OK, FEN_RESULT_OK, FEN_RESULT_OK };
	static const int levels[] = { 1, 1, 2, 2, 2, 2 };
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(rec->attempts[i].device, devs[i]);
		assert_string_equal(rec->attempts[i].action, actions[i]);
		assert_int_equal(rec->attempts[i].result, results[i]);
		assert_int_equal(rec->attempts[i].level, levels[i]);
		assert_int_equal(rec->attempts[i].attempt, 1);
		assert_true(rec->attempts[i].finished_ms >= rec->attempts[i].started_ms);
		assert_true(rec->attempts[i].started_ms >= rec->requested_ms);
	}
	/* The second off started after the first finished: never both at once. */
	assert_true(rec->attempts[3].started_ms >= rec->attempts[2].finished_ms);
	assert_string_equal(rec->attempts[1].message, "fence_vgtest: refusing to off n1");
	assert_int_equal(rec->attempts[1].exit_code, 1);
	assert_true(rec->finished_ms >= rec->attempts[5].finished_ms);

	/* The record survives JSON unchanged. */
	char *json = NULL, *again = NULL;
	struct fen_record *back = NULL;
	assert_int_equal(fen_record_to_json(rec, &json), 0);
	assert_int_equal(fen_record_from_json(json, &back), 0);
	assert_int_equal(fen_record_to_json(back, &again), 0);
	assert_string_equal(json, again);
	assert_int_equal(back->n_attempts, 6);
	assert_string_equal(back->attempts[1].message, rec->attempts[1].message);
	assert_int_equal(back->attempts[3].finished_ms, rec->attempts[3].finished_ms);
	assert_non_null(strstr(json, "\"result\":\"failed\""));
	free(json);
	free(again);
	fen_record_free(back);
	fen_record_free(rec);
}

/* A single-device level reboots; a failed on after all offs is recorded but
 * the target was fenced. */
static void test_remapped_reboot_on_fails(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = {
		DEV("single", NV("mode", "fail")),
		DEV("psu1", NV("mode", "ok")),
		DEV("psu2", NV("mode", "ok"), NV("on_fails", "1")),
	};
	struct vg_fencing_level lv[] = {
		LEVEL_T("l1", 1, "n1", "single"),
		LEVEL_T("l2", 2, "n1", "psu1,psu2"),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res),
			      .has_fencing_topology = true, .fencing_levels = lv,
			      .n_fencing_levels = ARRAY_N(lv) };
	struct fen_record *rec = fence(c, &cib, "n1", NULL);
	assert_int_equal(rec->state, FEN_STATE_DONE);
	assert_null(rec->reason);
	assert_int_equal(rec->n_attempts, 5);
	assert_string_equal(rec->attempts[0].action, "reboot");
	assert_int_equal(rec->attempts[0].result, FEN_RESULT_FAILED);
	assert_string_equal(rec->attempts[3].device, "psu1");
	assert_string_equal(rec->attempts[3].action, "on");
	assert_int_equal(rec->attempts[3].result, FEN_RESULT_OK);
	assert_string_equal(rec->attempts[4].device, "psu2");
	assert_string_equal(rec->attempts[4].action, "on");
	assert_int_equal(rec->attempts[4].result, FEN_RESULT_FAILED);
	assert_string_equal(rec->attempts[4].message, "fence_vgtest: cannot power n1 on");
	fen_record_free(rec);
}

static void test_all_levels_fail(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = {
		DEV("a", NV("mode", "fail")),
		DEV("b", NV("mode", "fail")),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct fen_record *rec = fence(c, &cib, "n1", NULL);
	assert_int_equal(rec->state, FEN_STATE_FAILED);
	assert_int_equal(rec->n_attempts, 2);
	assert_string_equal(rec->reason,
			    "all 1 attempts failed; last: b reboot: failed: fence_vgtest: refusing to reboot n1");
	fen_record_free(rec);
}

static void test_retries_then_success(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = {
		DEV("flaky", NV("mode", "flaky"), NV("fail_times", "2"), NV("state", c->state)),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct fen_op_opts oo = { .id = "op-2", .max_attempts = 5, .first_backoff_ms = 50,
				  .max_backoff_ms = 80, .now_ms = mono_ms };
	struct fen_record *rec = fence(c, &cib, "n1", &oo);
	assert_int_equal(rec->state, FEN_STATE_DONE);
	assert_int_equal(rec->n_attempts, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(rec->attempts[i].attempt, i + 1);
	assert_int_equal(rec->attempts[0].result, FEN_RESULT_FAILED);
	assert_int_equal(rec->attempts[1].result, FEN_RESULT_FAILED);
	assert_int_equal(rec->attempts[2].result, FEN_RESULT_OK);
	assert_string_equal(rec->attempts[1].message, "fence_vgtest: flaky failure 2");
	/* Back-off: 50 ms, then 80 (doubled to 100, capped). */
	assert_true(rec->attempts[1].started_ms - rec->attempts[0].finished_ms >= 50);
	assert_true(rec->attempts[2].started_ms - rec->attempts[1].finished_ms >= 80);
	assert_true(rec->attempts[2].started_ms - rec->attempts[1].finished_ms < 100 + 2000);
	fen_record_free(rec);
}

static void test_retries_exhausted(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = {
		DEV("flaky", NV("mode", "flaky"), NV("fail_times", "5"), NV("state", c->state)),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct fen_op_opts oo = { .id = "op-3", .max_attempts = 3, .first_backoff_ms = 10,
				  .max_backoff_ms = 10, .now_ms = mono_ms };
	struct fen_record *rec = fence(c, &cib, "n1", &oo);
	assert_int_equal(rec->state, FEN_STATE_FAILED);
	assert_int_equal(rec->n_attempts, 3);
	assert_string_equal(rec->reason,
			    "all 3 attempts failed; last: flaky reboot: failed: fence_vgtest: flaky failure 3");
	fen_record_free(rec);
}

static void test_deadline(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = { DEV("slow", NV("mode", "stubborn")) };
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct fen_op_opts oo = { .id = "op-4", .max_attempts = 10, .deadline_ms = 300,
				  .now_ms = mono_ms };
	uint64_t t0 = mono_ms(NULL);
	struct fen_record *rec = fence(c, &cib, "n1", &oo);
	assert_true(mono_ms(NULL) - t0 < 3000);
	assert_int_equal(rec->state, FEN_STATE_FAILED);
	assert_int_equal(rec->n_attempts, 1);
	assert_int_equal(rec->attempts[0].result, FEN_RESULT_CANCELLED);
	assert_non_null(strstr(rec->reason, "deadline of 300 ms passed"));
	assert_true(rec->finished_ms - rec->requested_ms >= 300);
	fen_record_free(rec);
}

static void test_device_timeout(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = {
		DEV("slow", NV("mode", "hang"), NV("pcmk_reboot_timeout", "200ms")),
		DEV("ok", NV("mode", "ok")),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct fen_record *rec = fence(c, &cib, "n1", NULL);
	assert_int_equal(rec->state, FEN_STATE_DONE);
	assert_int_equal(rec->n_attempts, 2);
	assert_int_equal(rec->attempts[0].result, FEN_RESULT_TIMEOUT);
	assert_int_equal(rec->attempts[0].signal, SIGTERM);
	assert_int_equal(rec->attempts[1].result, FEN_RESULT_OK);
	fen_record_free(rec);
}

static void test_delays_injected(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = {
		DEV("d", NV("mode", "fail"), NV("pcmk_delay_base", "100ms"), NV("pcmk_delay_max", "300ms")),
		DEV("e", NV("mode", "ok"), NV("pcmk_delay_base", "50ms")),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	uint64_t rnd = 150;   /* 100 + 150 % 200 = 250 ms */
	struct fen_op_opts oo = { .id = "op-5", .max_attempts = 1, .priority_delay_ms = 100,
				  .random = fixed_random, .random_data = &rnd, .now_ms = mono_ms };
	struct fen_record *rec = fence(c, &cib, "n1", &oo);
	assert_int_equal(rec->state, FEN_STATE_DONE);
	assert_int_equal(rec->n_attempts, 2);
	/* started_ms of an attempt is when its agent started, after its delay. */
	uint64_t first = rec->attempts[0].started_ms - rec->requested_ms;
	assert_true(first >= 350);
	assert_true(first < 350 + 1500);
	/* The second device: its own base only; priority delay was used once. */
	uint64_t second = rec->attempts[1].started_ms - rec->attempts[0].finished_ms;
	assert_true(second >= 50);
	assert_true(second < 50 + 1500);
	fen_record_free(rec);

	/* A hand-made plan with an empty level is refused, not crashed on. */
	struct fen_plan *hand = calloc(1, sizeof(*hand));
	hand->target = strdup("n1");
	hand->action = strdup("off");
	hand->levels = calloc(1, sizeof(*hand->levels));
	hand->n_levels = 1;
	struct fen_op_opts ho = { .id = "op-x", .max_attempts = 1 };
	assert_int_equal(fen_op_start(c->runner, hand, &ho, on_done, NULL, NULL), -EINVAL);
	assert_int_equal(fen_op_start(c->runner, NULL, &ho, on_done, NULL, NULL), -EINVAL);

	/* A random delay without an RNG is refused; the plan is freed anyway. */
	struct vg_diags d = { 0 };
	struct fen_plan *plan = NULL;
	assert_int_equal(fen_plan_build(&cib, "n1", "reboot", &copts, &plan, &d), 0);
	oo.random = NULL;
	assert_int_equal(fen_op_start(c->runner, plan, &oo, on_done, NULL, NULL), -EINVAL);
}

static void test_dynamic_list_and_status(void **state)
{
	struct ctx *c = *state;
	char log[128];
	snprintf(log, sizeof(log), "%s/log", c->tmpdir);
	struct vg_resource res[] = {
		STONITH("dyn", "fence_vgtest", NV("hosts", "n1 p2"), NV("pcmk_host_map", "n2:p2"),
			NV("pcmk_host_check", "dynamic-list"), NV("log", log)),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };

	struct fen_record *rec = fence(c, &cib, "n1", NULL);
	assert_int_equal(rec->state, FEN_STATE_DONE);
	assert_int_equal(rec->n_attempts, 1);   /* a list that answers yes is not history */
	fen_record_free(rec);
	/* Through the host map: n2 is plug p2, which the list names. */
	rec = fence(c, &cib, "n2", NULL);
	assert_int_equal(rec->state, FEN_STATE_DONE);
	fen_record_free(rec);
	rec = fence(c, &cib, "n3", NULL);
	assert_int_equal(rec->state, FEN_STATE_FAILED);
	assert_int_equal(rec->n_attempts, 1);
	assert_string_equal(rec->attempts[0].action, "list");
	assert_int_equal(rec->attempts[0].result, FEN_RESULT_NOT_CAPABLE);
	fen_record_free(rec);

	/* list gets no port; the fence action gets port and nodename. */
	FILE *f = fopen(log, "r");
	assert_non_null(f);
	char line[256];
	int lists = 0, reboots = 0;
	bool list_port = false;
	bool in_list = false;
	while (fgets(line, sizeof(line), f)) {
		if (strcmp(line, "action=list\n") == 0) {
			lists++;
			in_list = true;
		} else if (strcmp(line, "action=reboot\n") == 0) {
			reboots++;
			in_list = false;
		} else if (strncmp(line, "port=", 5) == 0 && in_list) {
			list_port = true;
		} else if (strcmp(line, "--end--\n") == 0) {
			in_list = false;
		}
	}
	fclose(f);
	assert_int_equal(lists, 3);
	assert_int_equal(reboots, 2);
	assert_false(list_port);

	/* Default check without lists: list fails, status decides. */
	struct vg_resource res2[] = {
		STONITH("nolist", "fence_vgtest", NV("list_fails", "1")),
	};
	struct vg_cib cib2 = { .resources = res2, .n_resources = ARRAY_N(res2) };
	rec = fence(c, &cib2, "n9", NULL);
	assert_int_equal(rec->state, FEN_STATE_DONE);
	fen_record_free(rec);
	/* The same, explicitly dynamic-list: no fall-back. */
	struct vg_resource res3[] = {
		STONITH("nolist", "fence_vgtest", NV("list_fails", "1"),
			NV("pcmk_host_check", "dynamic-list")),
	};
	struct vg_cib cib3 = { .resources = res3, .n_resources = ARRAY_N(res3) };
	rec = fence(c, &cib3, "n9", NULL);
	assert_int_equal(rec->state, FEN_STATE_FAILED);
	assert_string_equal(rec->attempts[0].action, "list");
	assert_int_equal(rec->attempts[0].result, FEN_RESULT_FAILED);
	assert_string_equal(rec->attempts[0].message, "fence_vgtest: no list here");
	fen_record_free(rec);
}

static void test_no_device_and_missing_agent(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = {
		STONITH("ghost", "fence_missing", NV("pcmk_host_check", "none")),
	};
	struct vg_cib empty = { 0 };
	struct fen_record *rec = fence(c, &empty, "n1", NULL);
	assert_int_equal(rec->state, FEN_STATE_FAILED);
	assert_string_equal(rec->reason, "no fence device can fence 'n1'");
	assert_int_equal(rec->n_attempts, 0);
	fen_record_free(rec);

	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	rec = fence(c, &cib, "n1", NULL);
	assert_int_equal(rec->state, FEN_STATE_FAILED);
	assert_int_equal(rec->attempts[0].result, FEN_RESULT_ERROR);
	assert_string_equal(rec->attempts[0].message,
			    "cannot run agent 'fence_missing': No such file or directory");
	fen_record_free(rec);
}

static void test_cancel(void **state)
{
	struct ctx *c = *state;
	struct vg_resource res[] = { DEV("slow", NV("mode", "stubborn")) };
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct vg_diags d = { 0 };
	struct fen_plan *plan = NULL;
	assert_int_equal(fen_plan_build(&cib, "n1", "off", &copts, &plan, &d), 0);
	struct fen_op_opts oo = { .id = "op-6", .max_attempts = 1 };
	struct outcome o = { 0 };
	struct fen_op *op = NULL;
	assert_int_equal(fen_op_start(c->runner, plan, &oo, on_done, &o, &op), 0);
	assert_int_equal(fen_op_record(op)->state, FEN_STATE_PENDING);
	assert_string_equal(fen_op_record(op)->action, "off");
	/* Let the agent start, then abandon the operation. */
	fen_test_run_until(c->loop, some_running, c->runner);
	fen_op_cancel(op);
	fen_test_run_until(c->loop, none_running, c->runner);
	assert_false(o.done);
	fen_op_cancel(NULL);
}

static void test_json_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"target\":\"n1\",\"action\":\"off\",\"state\":\"done\"}",
		"{\"id\":\"x\",\"target\":\"n1\",\"action\":\"off\",\"state\":\"exploded\"}",
		"{\"id\":\"x\",\"target\":1,\"action\":\"off\",\"state\":\"done\"}",
		"{\"id\":\"x\",\"target\":\"n1\",\"action\":\"off\",\"state\":\"done\"} trailing",
		"{\"id\":\"x\",\"target\":\"n1\",\"action\":\"off\",\"state\":\"done\",\"requested_ms\":-5}",
		"{\"id\":\"x\",\"target\":\"n1\",\"action\":\"off\",\"state\":\"done\",\"attempts\":{}}",
		"{\"id\":\"x\",\"target\":\"n1\",\"action\":\"off\",\"state\":\"done\","
		"\"attempts\":[{\"device\":\"d\",\"action\":\"off\",\"result\":\"meh\"}]}",
		"{\"id\":\"x\",\"target\":\"n1\",\"action\":\"off\",\"state\":\"done\","
		"\"attempts\":[{\"action\":\"off\",\"result\":\"ok\"}]}",
	};
	for (size_t i = 0; i < ARRAY_N(bad); i++) {
		struct fen_record *rec = NULL;
		assert_int_equal(fen_record_from_json(bad[i], &rec), -EINVAL);
		assert_null(rec);
	}
	struct fen_record *rec = NULL;
	assert_int_equal(fen_record_from_json("{\"id\":\"x\",\"target\":\"n1\",\"action\":\"off\","
					      "\"state\":\"pending\",\"future_field\":[1,2],"
					      "\"requested_ms\":1790000000000}", &rec), 0);
	assert_int_equal(rec->state, FEN_STATE_PENDING);
	assert_int_equal(rec->requested_ms, 1790000000000ull);
	assert_int_equal(rec->n_attempts, 0);
	assert_null(rec->origin);
	char *json = NULL;
	assert_int_equal(fen_record_to_json(rec, &json), 0);
	assert_string_equal(json, "{\"attempts\":[],\"id\":\"x\",\"target\":\"n1\",\"action\":\"off\","
				  "\"state\":\"pending\",\"requested_ms\":1790000000000,\"finished_ms\":0}");
	free(json);
	fen_record_free(rec);
	fen_record_free(NULL);

	assert_string_equal(fen_state_name(FEN_STATE_FAILED), "failed");
	assert_string_equal(fen_result_name(FEN_RESULT_NOT_CAPABLE), "not-capable");
	assert_string_equal(fen_result_name((enum fen_result)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_topology_second_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remapped_reboot_on_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_levels_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_then_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delays_injected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dynamic_list_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_device_and_missing_agent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test(test_json_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
