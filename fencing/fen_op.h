/*
 * fen_op.h - one fencing operation: a plan carried out to the end.
 *
 * The plan's levels are tried in order; within a level its devices run in
 * order and all must succeed; the first level whose devices all succeed fences
 * the target.  When every level failed, that pass failed: after a back-off
 * (first_backoff_ms, doubling, capped at max_backoff_ms) the whole plan is tried
 * again, up to max_attempts passes (stonith-max-attempts).  A deadline bounds
 * the whole operation.  After the last failure the record says FAILED and why:
 * the node is never assumed down, the caller decides when to try again.
 *
 * A remapped reboot level (fen_level.remapped_reboot) runs every device's off
 * action in order - all must succeed, and then the target is fenced - and then
 * every device's on action; a failed on is recorded but does not undo the
 * fencing.
 *
 * Before a device's fence action: a device whose host check is dynamic-list
 * runs its agent's `list` (when that fails and the check was only Pacemaker's
 * default, `status` on the port), a device with check status runs `status`;
 * a device that cannot reach the target fails its level.  Then the device's
 * delay, drawn from [pcmk_delay_base, pcmk_delay_max) with the caller's RNG,
 * plus priority-fencing-delay for the very first device of the operation.
 * Each agent run is bounded by the device's timeout and by what is left of the
 * deadline.
 *
 * Injected for tests and the simulator: the random source, the wall clock for
 * the record's timestamps.  Timers and runs use the runner's qb_loop.
 *
 * Ownership: fen_op_start() takes @plan (freed with the operation, also when
 * starting fails).  The op belongs to the library: the handle is valid until
 * the done callback returns or fen_op_cancel() is called.  The record passed to
 * the callback (and fen_op_record()'s) belongs to the op: fen_record_dup() it
 * to keep it.  The runner must outlive the op: cancel the ops still going
 * before freeing it.  The done callback must not cancel its own op (it is
 * freed when the callback returns).
 */
#ifndef VIGIL_FEN_OP_H
#define VIGIL_FEN_OP_H

#include <stdint.h>

#include "fen_history.h"
#include "fen_plan.h"
#include "fen_run.h"

struct fen_op_opts {
	const char *id;                 /* record id (required); copied */
	const char *origin;             /* who asked; copied; may be NULL */
	const char *executor;           /* this node's name; copied; may be NULL */
	unsigned max_attempts;          /* passes over the plan, >= 1 */
	uint64_t first_backoff_ms;      /* wait before the second pass */
	uint64_t max_backoff_ms;        /* cap of the doubling */
	uint64_t deadline_ms;           /* whole operation; 0: none */
	uint64_t priority_delay_ms;     /* fen_priority_delay_ms() for this target */
	/* Random numbers for pcmk_delay_max; required when a device has
	 * delay_max > delay_base. */
	uint64_t (*random)(void *data);
	void *random_data;
	/* Wall clock (ms since the epoch) for the record; NULL: CLOCK_REALTIME. */
	uint64_t (*now_ms)(void *data);
	void *now_data;
};

struct fen_op;

typedef void (*fen_op_done_fn)(const struct fen_record *rec, void *data);

/** Starts fencing as @plan says; @done is called once, from the loop, with the
 *  final record (DONE or FAILED) - never from inside this call.  A plan without
 *  levels ends FAILED at once ("no device can fence").  0, -EINVAL or -ENOMEM. */
int fen_op_start(struct fen_runner *runner, struct fen_plan *plan, const struct fen_op_opts *opts,
		 fen_op_done_fn done, void *data, struct fen_op **ret_op);

/** The record as it stands (PENDING while running): for status and replication. */
const struct fen_record *fen_op_record(const struct fen_op *op);

/** Abandons the operation: a running agent is killed (and reaped by the runner
 *  later), timers are removed, no callback.  NULL is fine. */
void fen_op_cancel(struct fen_op *op);

#endif /* VIGIL_FEN_OP_H */
