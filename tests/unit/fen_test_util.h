/*
 * fen_test_util.h - shared by the fencing tests that run agents: a qb_loop
 * driven until a condition holds, descriptor counting, the test agent dir.
 */
#ifndef VIGIL_FEN_TEST_UTIL_H
#define VIGIL_FEN_TEST_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/wait.h>

#include <qb/qbloop.h>

#define FEN_TEST_AGENT_DIR VG_SRCDIR "/tests/agents"

/* Open descriptors of this process (the directory's own one excluded). */
static inline int fen_test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3;   /* ".", ".." and the DIR's own descriptor */
}

/* True when this process has no child left at all, zombie or alive. */
static inline bool fen_test_no_children(void)
{
	siginfo_t si = { 0 };
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

struct fen_test_wait {
	qb_loop_t *loop;
	bool (*cond)(void *data);
	void *data;
	qb_loop_timer_handle th;
};

static inline void fen_test_tick(void *p)
{
	struct fen_test_wait *w = p;
	if (w->cond(w->data)) {
		qb_loop_stop(w->loop);
		return;
	}
	qb_loop_timer_add(w->loop, QB_LOOP_LOW, 5 * 1000000ull, w, fen_test_tick, &w->th);
}

/* Runs @loop until @cond holds (checked every 5 ms). */
static inline void fen_test_run_until(qb_loop_t *loop, bool (*cond)(void *), void *data)
{
	struct fen_test_wait w = { .loop = loop, .cond = cond, .data = data };
	if (cond(data))
		return;
	qb_loop_timer_add(loop, QB_LOOP_LOW, 5 * 1000000ull, &w, fen_test_tick, &w.th);
	qb_loop_run(loop);
}

#endif
