/*
 * vigild_exec.h - binds the core's hypervisor interface (crmd_core.h:
 * hv_submit, CRMD_EV_HV_*) to the libvirt executor (exec.h) on vigild's loop.
 * Owned by vigild.c; results and events are handed to @deliver on the loop
 * thread, never from inside vigild_exec_submit().
 */
#ifndef VIGIL_VIGILD_EXEC_H
#define VIGIL_VIGILD_EXEC_H

#include <qb/qbloop.h>

#include "crmd_core.h"

struct vigild_exec;

typedef void (*vigild_exec_deliver_fn)(void *ctx, const struct crmd_event *ev);

/** 0, -ENOMEM, or exec's errors.  @uri NULL: qemu:///system. */
int vigild_exec_new(qb_loop_t *loop, const char *uri, vigild_exec_deliver_fn deliver, void *ctx,
		    struct vigild_exec **ret_x);
/** Never stops a VM.  NULL is fine. */
void vigild_exec_free(struct vigild_exec *x);
/** The core's hv_submit. */
int vigild_exec_submit(struct vigild_exec *x, const struct crmd_hv_action *a);

#endif /* VIGIL_VIGILD_EXEC_H */
