/*
 * vigild_fence.h - binds the core's fencing interface (crmd_core.h:
 * fence_submit, CRMD_EV_FENCE_DONE) to fencing/ on vigild's loop: the plan
 * (devices, topology) from the configuration the core hands over, one pass
 * over it with fen_op (the core does the retries), agents as child processes.
 * Owned by vigild.c; results are handed to @deliver from the loop, never from
 * inside vigild_fence_submit().
 */
#ifndef VIGIL_VIGILD_FENCE_H
#define VIGIL_VIGILD_FENCE_H

#include <qb/qbloop.h>

#include "crmd_core.h"

struct vigild_fence;

typedef void (*vigild_fence_deliver_fn)(void *ctx, const struct crmd_event *ev);

/** @agent_dirs: NULL-terminated folders searched for agents, in order (NULL:
 *  /usr/sbin); copied.  @node_name: this node, for the records (copied).
 *  0, -EINVAL or -ENOMEM. */
int vigild_fence_new(qb_loop_t *loop, const char *const *agent_dirs, const char *node_name,
		     vigild_fence_deliver_fn deliver, void *ctx, struct vigild_fence **ret_f);
/** Kills and reaps agents still running (no results).  NULL is fine. */
void vigild_fence_free(struct vigild_fence *f);
/** The core's fence_submit. */
int vigild_fence_submit(struct vigild_fence *f, const struct crmd_fence_action *a);

#endif /* VIGIL_VIGILD_FENCE_H */
