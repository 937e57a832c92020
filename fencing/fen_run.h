/*
 * fen_run.h - running fence agents as child processes on a qb_loop.
 *
 * An agent is a program (Debian's fence-agents, or anything speaking their
 * protocol) found by name in a list of directories.  It is started with
 * posix_spawn() - never through a shell - with a clean environment (PATH and
 * LC_ALL only), "/" as working directory, default signal dispositions, an empty
 * signal mask, no file descriptors but 0, 1 and 2, and in a process group of its
 * own so that a timeout can reach the helpers it started (ssh, ipmitool).  Its
 * parameters go to its standard input as "key=value" lines; stdout and stderr
 * are collected up to a bound.
 *
 * Event loop: the runner lives on the caller's qb_loop.  It watches a pidfd
 * (readable when the child exits: no SIGCHLD handler, so it coexists with any
 * the daemon has - but SIGCHLD must not be set to SIG_IGN, which would reap
 * children behind our back), the stdout/stderr pipes and, while parameters are
 * still being written, the stdin socket.  Nothing ever blocks: writes and reads
 * are non-blocking, timeouts are qb_loop timers.
 *
 * Timeout: when a run outlives its timeout, its process group gets SIGTERM, and
 * SIGKILL kill_grace_ms later if it is still there.  Whatever happens the child
 * is reaped (no zombie) and every descriptor closed before the callback runs.
 *
 * Ownership and lifetime:
 *  - struct fen_runner is the caller's (fen_runner_new / fen_runner_free).  It
 *    must outlive its runs: fen_runner_free() kills (SIGKILL) and reaps the runs
 *    still going - the one place that waits, for processes already killed - and
 *    calls no callback.
 *    A done callback may free the runner (the other runs die without
 *    callbacks).
 *  - struct fen_run belongs to the runner.  The caller's handle stays valid
 *    until the done callback returns or fen_run_cancel() is called, whichever is
 *    first; then the runner frees it.
 *  - The result handed to the callback, and its strings, belong to the runner
 *    and live until the callback returns: copy what you keep.
 *  - The request is copied by fen_run_start(); the caller may free it at once.
 */
#ifndef VIGIL_FEN_RUN_H
#define VIGIL_FEN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <qb/qbloop.h>

#include "fen_plan.h"

#define FEN_AGENT_DIR_DEFAULT "/usr/sbin"
#define FEN_OUTPUT_MAX_DEFAULT (64u * 1024u)
#define FEN_KILL_GRACE_MS_DEFAULT 5000u

struct fen_runner_opts {
	/* Directories searched in order for agents; NULL-terminated.  NULL means
	 * { FEN_AGENT_DIR_DEFAULT }.  Copied. */
	const char *const *agent_dirs;
	size_t output_max;      /* bytes kept per stream; 0: FEN_OUTPUT_MAX_DEFAULT */
	uint64_t kill_grace_ms; /* SIGTERM -> SIGKILL; 0: FEN_KILL_GRACE_MS_DEFAULT */
};

struct fen_runner;
struct fen_run;

/** Creates a runner on @loop (borrowed: it must outlive the runner).  @opts may
 *  be NULL.  0, -EINVAL or -ENOMEM. */
int fen_runner_new(qb_loop_t *loop, const struct fen_runner_opts *opts,
		   struct fen_runner **ret_runner);

/** Kills and reaps every run still going (no callbacks), frees the runner. */
void fen_runner_free(struct fen_runner *runner);

/** The loop the runner lives on (borrowed). */
qb_loop_t *fen_runner_loop(const struct fen_runner *runner);

/** Runs not finished yet (cancelled ones still being reaped included). */
size_t fen_runner_n_running(const struct fen_runner *runner);

/** The path of agent @agent: the first of the runner's directories holding an
 *  executable of that name.  A name with '/' or starting with '.' is refused.
 *  0, -EINVAL, -ENOENT or -ENOMEM; *ret_path is the caller's. */
int fen_runner_find_agent(const struct fen_runner *runner, const char *agent, char **ret_path);

struct fen_run_request {
	const char *agent;      /* program name, looked up in the agent dirs */
	const char *action;     /* "reboot", "off", "on", "status", "monitor", "list", "metadata" */
	const char *nodename;   /* the target node, sent as nodename=; may be NULL */
	const char *host_arg;   /* "port", "plug", ...: carries @port; NULL: not sent */
	const char *port;
	const struct fen_param *params;  /* device parameters, sent in order */
	size_t n_params;
	uint64_t timeout_ms;    /* > 0 */
};

struct fen_run_result {
	pid_t pid;              /* the agent's pid (already reaped) */
	int exit_code;          /* -1 when killed by a signal */
	int signal;             /* the signal that ended it, else 0 */
	bool timed_out;         /* the timeout struck (SIGTERM was sent) */
	bool killed;            /* SIGKILL was needed after the grace period */
	const char *out;        /* stdout, NUL-terminated, at most output_max bytes */
	size_t out_len;
	bool out_truncated;
	const char *err;        /* stderr, likewise */
	size_t err_len;
	bool err_truncated;
	uint64_t elapsed_ms;    /* spawn to reap, monotonic */
};

/** True when the run means success: exit code 0 in time. */
bool fen_run_result_ok(const struct fen_run_result *res);

typedef void (*fen_run_done_fn)(const struct fen_run_result *res, void *data);

/** Starts the agent; @done is called from the loop once it has ended and been
 *  reaped - never from inside this call.  A parameter name or value containing
 *  a newline (or a name containing '=') is refused: it could smuggle another
 *  line such as action=off to the agent.  0, -EINVAL, -ENOENT (no such agent),
 *  -ENOMEM or another -errno from spawning.  *ret_run (may be NULL) is a
 *  borrowed handle, see the lifetime rules above. */
int fen_run_start(struct fen_runner *runner, const struct fen_run_request *req,
		  fen_run_done_fn done, void *data, struct fen_run **ret_run);

/** Stops caring about a run: its callback will not be called.  The process
 *  group gets SIGKILL and is reaped from the loop later.  NULL is fine. */
void fen_run_cancel(struct fen_run *run);

#endif /* VIGIL_FEN_RUN_H */
