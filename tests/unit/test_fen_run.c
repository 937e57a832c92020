/* test_fen_run.c - the agent runner: protocol on stdin, no shell, clean
 * environment, output bounds, timeout with SIGTERM then SIGKILL, concurrent
 * runs, cancel, and neither zombies nor leaked descriptors. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fen_run.h"
#include "fen_test_util.h"

struct ctx {
	qb_loop_t *loop;
	struct fen_runner *runner;
	int fds_before;
	char tmpdir[64];
};

struct outcome {
	bool done;
	struct fen_run_result res;  /* out/err below are our copies */
	char *out, *err;
};

static void on_done(const struct fen_run_result *res, void *data)
{
	struct outcome *o = data;
	o->done = true;
	o->res = *res;
	o->out = strdup(res->out);
	o->err = strdup(res->err);
	o->res.out = o->out;
	o->res.err = o->err;
}

static void outcome_clear(struct outcome *o)
{
	free(o->out);
	free(o->err);
	*o = (struct outcome){ 0 };
}

static bool is_done(void *p)
{
	return ((struct outcome *)p)->done;
}

static int setup(void **state)
{
	static const char *const dirs[] = { "/nonexistent", FEN_TEST_AGENT_DIR, NULL };
	struct ctx *c = calloc(1, sizeof(*c));
	c->fds_before = fen_test_count_fds();
	c->loop = qb_loop_create();
	struct fen_runner_opts o = { .agent_dirs = dirs, .kill_grace_ms = 1000, .output_max = 4096 };
	assert_int_equal(fen_runner_new(c->loop, &o, &c->runner), 0);
	strcpy(c->tmpdir, "/tmp/vg-fen-run.XXXXXX");
	assert_non_null(mkdtemp(c->tmpdir));
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	fen_runner_free(c->runner);
	qb_loop_destroy(c->loop);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->tmpdir);
	assert_int_equal(system(cmd), 0);
	/* Every descriptor the loop, the runner and the runs opened is closed. */
	assert_int_equal(fen_test_count_fds(), c->fds_before);
	assert_true(fen_test_no_children());
	free(c);
	return 0;
}

static void run_sync(struct ctx *c, const struct fen_run_request *req, struct outcome *o)
{
	*o = (struct outcome){ 0 };
	assert_int_equal(fen_run_start(c->runner, req, on_done, o, NULL), 0);
	assert_false(o->done);   /* never called from inside start */
	fen_test_run_until(c->loop, is_done, o);
	/* Reaped before the callback: no zombie, and the group is gone. */
	assert_int_equal(waitpid(o->res.pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(fen_runner_n_running(c->runner), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_ok_and_fail(void **state)
{
	struct ctx *c = *state;
	struct fen_param ok[] = { { (char *)"mode", (char *)"ok" } };
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .host_arg = "port", .port = "p1", .nodename = "n1",
				       .params = ok, .n_params = 1, .timeout_ms = 10000 };
	struct outcome o;
	run_sync(c, &req, &o);
	assert_true(fen_run_result_ok(&o.res));
	assert_int_equal(o.res.exit_code, 0);
	assert_false(o.res.timed_out);
	outcome_clear(&o);

	struct fen_param fail[] = { { (char *)"mode", (char *)"fail" } };
	req.params = fail;
	req.action = "off";
	run_sync(c, &req, &o);
	assert_false(fen_run_result_ok(&o.res));
	assert_int_equal(o.res.exit_code, 1);
	assert_int_equal(o.res.signal, 0);
	assert_string_equal(o.res.err, "fence_vgtest: refusing to off p1\n");
	outcome_clear(&o);
}

static void test_stdin_no_shell_clean_env(void **state)
{
	struct ctx *c = *state;
	char log[128], marker[128], evil[512];
	snprintf(log, sizeof(log), "%s/log", c->tmpdir);
	snprintf(marker, sizeof(marker), "%s/pwned", c->tmpdir);
	snprintf(evil, sizeof(evil), "$(touch %s) `touch %s`; touch %s | x & 'q\" *", marker, marker,
		 marker);
	setenv("VG_SECRET_SHOULD_NOT_LEAK", "1", 1);
	struct fen_param params[] = {
		{ (char *)"mode", (char *)"ok" },
		{ (char *)"log", log },
		{ (char *)"evil", evil },
		{ (char *)"action", (char *)"off" },    /* ours wins: dropped */
		{ (char *)"empty", (char *)"" },
	};
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .host_arg = "plug", .port = "rack 1:7", .nodename = "node-1",
				       .params = params, .n_params = 5, .timeout_ms = 10000 };
	struct outcome o;
	run_sync(c, &req, &o);
	assert_int_equal(o.res.exit_code, 0);
	outcome_clear(&o);
	unsetenv("VG_SECRET_SHOULD_NOT_LEAK");

	char *got = slurp(log);
	char *want = NULL;
	assert_true(asprintf(&want,
			     "argc=0\n"
			     "mode=ok\n"
			     "log=%s\n"
			     "evil=%s\n"
			     "empty=\n"
			     "action=reboot\n"
			     "plug=rack 1:7\n"
			     "nodename=node-1\n"
			     "--env--\n"
			     "LC_ALL=C\n"
			     "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
			     "PWD=/\n"
			     "--end--\n", log, evil) > 0);
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* Nothing evaluated the value: no shell between us and the agent. */
	assert_int_equal(access(marker, F_OK), -1);
}

/* More parameters than the socket buffer holds: the rest goes out as the
 * agent reads, from the loop. */
static void test_big_stdin(void **state)
{
	struct ctx *c = *state;
	char log[128];
	snprintf(log, sizeof(log), "%s/log", c->tmpdir);
	size_t big_len = 600 * 1024;
	char *big = malloc(big_len + 1);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)('a' + i % 26);
	big[big_len] = '\0';
	struct fen_param params[] = {
		{ (char *)"log", log },
		{ (char *)"big", big },
	};
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .params = params, .n_params = 2, .timeout_ms = 60000 };
	struct outcome o;
	run_sync(c, &req, &o);
	assert_int_equal(o.res.exit_code, 0);
	outcome_clear(&o);
	FILE *f = fopen(log, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	while (getline(&line, &cap, f) > 0)
		if (strncmp(line, "big=", 4) == 0)
			found = strlen(line) == big_len + 5 && memcmp(line + 4, big, big_len) == 0;
	free(line);
	fclose(f);
	free(big);
	assert_true(found);
}

static void test_refused_requests(void **state)
{
	struct ctx *c = *state;
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot", .timeout_ms = 1000 };
	struct fen_param smuggle[] = { { (char *)"ip", (char *)"1.2.3.4\naction=off" } };
	struct fen_param bad_name[] = { { (char *)"a=b", (char *)"1" } };

	req.params = smuggle;
	req.n_params = 1;
	assert_int_equal(fen_run_start(c->runner, &req, on_done, NULL, NULL), -EINVAL);
	req.params = bad_name;
	assert_int_equal(fen_run_start(c->runner, &req, on_done, NULL, NULL), -EINVAL);
	req.n_params = 0;
	req.port = "p\n1";
	req.host_arg = "port";
	assert_int_equal(fen_run_start(c->runner, &req, on_done, NULL, NULL), -EINVAL);
	req.port = "p1";
	req.timeout_ms = 0;
	assert_int_equal(fen_run_start(c->runner, &req, on_done, NULL, NULL), -EINVAL);
	req.timeout_ms = 1000;
	req.agent = "fence_nonexistent";
	assert_int_equal(fen_run_start(c->runner, &req, on_done, NULL, NULL), -ENOENT);
	req.agent = "../agents/fence_vgtest";
	assert_int_equal(fen_run_start(c->runner, &req, on_done, NULL, NULL), -EINVAL);
	req.agent = ".hidden";
	assert_int_equal(fen_run_start(c->runner, &req, on_done, NULL, NULL), -EINVAL);

	assert_ptr_equal(fen_runner_loop(c->runner), c->loop);
	char *path = NULL;
	assert_int_equal(fen_runner_find_agent(c->runner, "fence_vgtest", &path), 0);
	assert_string_equal(path, FEN_TEST_AGENT_DIR "/fence_vgtest");
	free(path);
	assert_int_equal(fen_runner_n_running(c->runner), 0);
}

static void test_timeout_sigterm(void **state)
{
	struct ctx *c = *state;
	struct fen_param p[] = { { (char *)"mode", (char *)"hang" } };
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .params = p, .n_params = 1, .timeout_ms = 200 };
	struct outcome o;
	run_sync(c, &req, &o);
	assert_true(o.res.timed_out);
	assert_false(o.res.killed);
	assert_int_equal(o.res.exit_code, -1);
	assert_int_equal(o.res.signal, SIGTERM);
	assert_false(fen_run_result_ok(&o.res));
	assert_true(o.res.elapsed_ms >= 200);
	assert_true(o.res.elapsed_ms < 200 + 1000);   /* before the SIGKILL grace ran out */
	assert_int_equal(kill(-o.res.pid, 0), -1);
	outcome_clear(&o);
}

static void test_timeout_sigkill_escalation(void **state)
{
	struct ctx *c = *state;
	struct fen_param p[] = { { (char *)"mode", (char *)"stubborn" } };
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .params = p, .n_params = 1, .timeout_ms = 200 };
	struct outcome o;
	run_sync(c, &req, &o);
	assert_true(o.res.timed_out);
	assert_true(o.res.killed);
	assert_int_equal(o.res.signal, SIGKILL);
	assert_true(o.res.elapsed_ms >= 200 + 1000);
	assert_true(o.res.elapsed_ms < 10000);
	assert_int_equal(kill(-o.res.pid, 0), -1);
	outcome_clear(&o);
}

static void test_output_bounded(void **state)
{
	struct ctx *c = *state;
	struct fen_param p[] = { { (char *)"mode", (char *)"noisy" } };
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .params = p, .n_params = 1, .timeout_ms = 20000 };
	struct outcome o;
	run_sync(c, &req, &o);
	assert_int_equal(o.res.exit_code, 0);   /* it never blocked on a full pipe */
	assert_int_equal(o.res.out_len, 4096);
	assert_true(o.res.out_truncated);
	assert_int_equal(strlen(o.out), 4096);
	assert_memory_equal(o.out, "0000", 4);
	outcome_clear(&o);
}

struct many {
	struct outcome o[4];
};

static bool all_done(void *p)
{
	struct many *m = p;
	for (int i = 0; i < 4; i++)
		if (!m->o[i].done)
			return false;
	return true;
}

static void test_concurrent(void **state)
{
	struct ctx *c = *state;
	static const char *const modes[] = { "hang", "ok", "fail", "ok" };
	struct many m = { 0 };
	for (int i = 0; i < 4; i++) {
		struct fen_param p[] = { { (char *)"mode", (char *)modes[i] } };
		struct fen_run_request req = { .agent = "fence_vgtest", .action = "off",
					       .host_arg = "port", .port = modes[i],
					       .params = p, .n_params = 1, .timeout_ms = 300 };
		assert_int_equal(fen_run_start(c->runner, &req, on_done, &m.o[i], NULL), 0);
	}
	assert_int_equal(fen_runner_n_running(c->runner), 4);
	fen_test_run_until(c->loop, all_done, &m);
	assert_true(m.o[0].res.timed_out);
	assert_int_equal(m.o[1].res.exit_code, 0);
	assert_int_equal(m.o[2].res.exit_code, 1);
	assert_string_equal(m.o[2].err, "fence_vgtest: refusing to off fail\n");
	assert_int_equal(m.o[3].res.exit_code, 0);
	for (int i = 0; i < 4; i++)
		outcome_clear(&m.o[i]);
	assert_int_equal(fen_runner_n_running(c->runner), 0);
}

static bool none_running(void *p)
{
	return fen_runner_n_running(p) == 0;
}

static void test_cancel(void **state)
{
	struct ctx *c = *state;
	struct fen_param p[] = { { (char *)"mode", (char *)"stubborn" } };
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .params = p, .n_params = 1, .timeout_ms = 60000 };
	struct outcome o = { 0 };
	struct fen_run *run = NULL;
	assert_int_equal(fen_run_start(c->runner, &req, on_done, &o, &run), 0);
	assert_non_null(run);
	fen_run_cancel(run);
	fen_test_run_until(c->loop, none_running, c->runner);
	assert_false(o.done);
	assert_true(fen_test_no_children());
	fen_run_cancel(NULL);
}

static void test_free_with_live_runs(void **state)
{
	struct ctx *c = *state;
	struct fen_param p[] = { { (char *)"mode", (char *)"stubborn" } };
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .params = p, .n_params = 1, .timeout_ms = 60000 };
	struct outcome o = { 0 };
	assert_int_equal(fen_run_start(c->runner, &req, on_done, &o, NULL), 0);
	assert_int_equal(fen_run_start(c->runner, &req, on_done, &o, NULL), 0);
	/* teardown frees the runner: both are killed and reaped, no callback. */
	assert_int_equal(fen_runner_n_running(c->runner), 2);
	fen_runner_free(c->runner);
	c->runner = NULL;
	assert_false(o.done);
	assert_true(fen_test_no_children());
}

static bool flag_set(void *p)
{
	return *(bool *)p;
}

struct free_in_cb {
	struct ctx *c;
	bool done;
};

static void free_runner_cb(const struct fen_run_result *res, void *data)
{
	struct free_in_cb *f = data;
	f->done = true;
	fen_runner_free(f->c->runner);
	f->c->runner = NULL;
}

static void test_free_from_callback(void **state)
{
	struct ctx *c = *state;
	struct fen_param stubborn[] = { { (char *)"mode", (char *)"stubborn" } };
	struct fen_run_request req = { .agent = "fence_vgtest", .action = "reboot",
				       .params = stubborn, .n_params = 1, .timeout_ms = 60000 };
	struct outcome o = { 0 };
	assert_int_equal(fen_run_start(c->runner, &req, on_done, &o, NULL), 0);
	struct free_in_cb f = { .c = c };
	req.n_params = 0;
	assert_int_equal(fen_run_start(c->runner, &req, free_runner_cb, &f, NULL), 0);
	fen_test_run_until(c->loop, flag_set, &f.done);
	assert_true(f.done);
	assert_false(o.done);
	assert_null(c->runner);
	assert_true(fen_test_no_children());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ok_and_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdin_no_shell_clean_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_sigterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_sigkill_escalation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_live_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_from_callback, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
