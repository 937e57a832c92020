/*
 * core_fence.h - fencing in the core (core_fence.c): whom the DC fences, when
 * it tries again, and the fencing history every member keeps.  Private to
 * crmd/core*.c; doc/fencing.md ("In the daemon") says why it is built so.
 */
#ifndef VIGIL_CRMD_CORE_FENCE_H
#define VIGIL_CRMD_CORE_FENCE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "crmd_core.h"

/* Back-off between attempts on one target: first, doubling, capped.  Past
 * stonith-max-attempts the DC keeps trying at the cap: fencing that fails
 * leaves the node's VMs down, and a device that works again must end it. */
#define FENCE_BACKOFF_FIRST_MS 1000u
#define FENCE_BACKOFF_MAX_MS 30000u

struct crmd_core;
struct member;
struct vg_cib;
struct vg_msg_fence;
struct pol_transition;
struct crmd_node_state;

int fence_init(struct crmd_core *c);
void fence_free(struct crmd_core *c);

/* The DC's policy computed @tr on @cib (configuration + status of @st): the
 * fence actions in it are the targets to fence from now on. */
void fence_from_transition(struct crmd_core *c, const struct vg_cib *cib,
			   const struct pol_transition *tr, const struct crmd_node_state *st,
			   size_t n);
/* A VG_MSG_FENCE delivered (every member).  -EBADMSG: malformed, the caller
 * ignores the sender from then on; a well-formed message that is not for us
 * (stray) is dropped here and counted. */
int fence_on_message(struct crmd_core *c, struct member *from, const struct vg_msg_fence *m);
void fence_on_done(struct crmd_core *c, const struct crmd_event *ev);
void fence_on_timer(struct crmd_core *c);
/* After every event: the DC role may have come or gone. */
void fence_after_event(struct crmd_core *c);
/* A sync round closed: the DC sends its history to the joiners. */
void fence_round_closed(struct crmd_core *c);
/* Client operations "fence", "fence-confirm", "fence-history"; false when
 * @op is none of them. */
bool fence_client_request(struct crmd_core *c, uint64_t client_id, const char *op,
			  json_object *req);
void fence_client_gone(struct crmd_core *c, uint64_t client_id);
/* Adds fencing to a status answer: node states "fencing" / "fencing failed"
 * with the reason, each node's last fencing, stonith_enabled, warnings. */
void fence_status_annotate(struct crmd_core *c, json_object *status);

#endif /* VIGIL_CRMD_CORE_FENCE_H */
