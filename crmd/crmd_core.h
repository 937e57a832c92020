/*
 * crmd_core.h - the core of vigild: a state machine driven by events, acting
 * only through an environment.
 *
 * The core owns membership bookkeeping, the choice of the coordinator (DC),
 * the replicated configuration and the status section.  It never calls
 * Corosync, libqb, the clock or the disk: every input is an event handed to
 * crmd_core_handle(), every effect goes through struct crmd_env.  vigild binds
 * the environment to the real world (crmd/vigild.c); tests and the simulator
 * bind it to a simulated one and run several cores in one process.  The same
 * inputs in the same order give the same effects in the same order: the core
 * has no other source of time, randomness or I/O.
 *
 * Events come in two kinds.  Group events (ring, view, message) are Corosync's
 * totally ordered stream; every member sees them in the same order and so
 * computes the same DC and applies the same changes.  Local events (quorum,
 * timers, write completions, client requests) are this node's own.
 * doc/daemon.md describes the protocol and the state table.
 *
 * Ownership: the core copies whatever it keeps from an event; pointers in an
 * event are the caller's.  Strings handed to the environment are valid during
 * the call only.  Callbacks may not call back into the core (no re-entry):
 * an environment that completes something at once queues the completion and
 * hands it over as a later event.
 */
#ifndef VIGIL_CRMD_CORE_H
#define VIGIL_CRMD_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Log levels are syslog's (LOG_ERR 3 .. LOG_DEBUG 7). */

enum crmd_timer {
	CRMD_TIMER_REQUESTS = 0, /* a client request reached its deadline */
	CRMD_TIMER_STATUS,       /* the DC's coalesced status broadcast */
	CRMD_TIMER_QUORUM,       /* quorum of the current ring is overdue */
	CRMD_TIMER_TRANSITION,   /* the DC's coalesced policy run (core_transition.c) */
	CRMD_TIMER_ACTIONS,      /* deadlines of actions in flight */
	CRMD_TIMER_MONITOR,      /* this node's recurring monitors (core_rsc.c) */
	CRMD_TIMER_RECHECK,      /* the DC: a failure expires (failure-timeout) */
	CRMD_TIMER_SHUTDOWN,     /* a shutdown's drain reached its limit */
	CRMD_TIMER_FENCE,        /* the DC's next fencing attempt (core_fence.c) */
	CRMD_TIMER_COUNT,
};

/* The hypervisor, as the core sees it (vigild binds it to crmd/exec.h).
 * States are exec's names: "running", "stopped", "absent", "crashed",
 * "migrating", "starting", "paused", "unknown". */
enum crmd_hv_op {
	CRMD_HV_START,
	CRMD_HV_STOP,
	CRMD_HV_MIGRATE,
	CRMD_HV_MONITOR,
	CRMD_HV_PROBE,
};

struct crmd_hv_action {
	uint64_t call_id;       /* comes back in CRMD_EV_HV_DONE */
	enum crmd_hv_op op;
	const char *rsc_id;     /* NULL for PROBE */
	const char *config;     /* START: domain XML path */
	const char *migrate_to; /* MIGRATE: destination hypervisor URI */
	uint32_t timeout_ms;
};

struct crmd_hv_domain {
	const char *name;
	const char *state;
};

/* Fencing, as the core sees it.  The core decides whom to fence and when,
 * counts attempts, backs off, and replicates every result through the group;
 * the environment carries out one attempt: it picks the devices for @target
 * from @config (pcmk_host_list/map/check, fencing-topology levels tried in
 * order, all devices of a level), runs the agents, and reports one result.
 * vigild binds it to fencing/ (fen_plan + fen_run); the simulator to its
 * simulated fence devices. */
struct crmd_fence_action {
	uint64_t call_id;       /* comes back in CRMD_EV_FENCE_DONE */
	const char *target;     /* node name */
	const char *action;     /* "reboot", "off" or "on" (stonith-action) */
	const char *config;     /* the configuration (XML) the devices come from */
	size_t config_len;
	uint32_t delay_ms;      /* wait this long before the first agent runs */
	uint32_t timeout_ms;    /* the whole attempt (stonith-timeout) */
};

enum crmd_hv_event_kind {
	CRMD_HV_EV_DOMAIN,      /* a lifecycle event of one domain */
	CRMD_HV_EV_UP,          /* connected (again): probe */
	CRMD_HV_EV_DOWN,        /* connection lost */
};

/* The environment.  Every function must be set, except the hypervisor's
 * (hv_submit, save_input): NULL means this node runs no resources (tests of
 * the membership logic) or keeps no policy inputs. */
struct crmd_env {
	void *ctx;
	/* Monotonic milliseconds. */
	uint64_t (*now_ms)(void *ctx);
	/* One-shot timer @t in @delay_ms; arming an armed timer moves it. */
	void (*timer_arm)(void *ctx, enum crmd_timer t, uint64_t delay_ms);
	void (*timer_cancel)(void *ctx, enum crmd_timer t);
	/* Total-order multicast of one frame to the group, this member included.
	 * Returns 0 when queued, -errno otherwise (the core logs and carries on:
	 * a member that cannot send is about to lose its connection). */
	int (*group_send)(void *ctx, const void *frame, size_t len);
	/* Durably store the configuration (write a temporary file, fsync, rename,
	 * fsync the folder).  Completion comes back as CRMD_EV_PERSISTED with the
	 * same @write_id.  The core has one write in flight at a time.  @term
	 * (the document's commit term, see doc/daemon.md) must be stored with
	 * the document and given back in CRMD_EV_START. */
	void (*persist)(void *ctx, uint64_t write_id, const char *xml, size_t len, uint64_t term);
	/* Answer a client request: a JSON text (see doc/daemon.md). */
	void (*reply)(void *ctx, uint64_t client_id, const char *json);
	/* One log line, without a trailing newline. */
	void (*log)(void *ctx, int level, const char *msg);
	/* Runs an action on this node's hypervisor; its result comes back as
	 * CRMD_EV_HV_DONE with the same call_id (never from inside the call).
	 * 0 when submitted, -errno otherwise (no event then). */
	int (*hv_submit)(void *ctx, const struct crmd_hv_action *action);
	/* Keeps one policy input (the whole document, status included), numbered
	 * @seq, for `vigil simulate -x`; the environment rotates old ones. */
	void (*save_input)(void *ctx, uint64_t seq, const char *xml, size_t len);
	/* Runs one fencing attempt; its result comes back as CRMD_EV_FENCE_DONE
	 * with the same call_id (never from inside the call).  0 when submitted,
	 * -errno otherwise (no event then).  NULL: this node cannot fence (a DC
	 * without it leaves unclean nodes unclean and says so). */
	int (*fence_submit)(void *ctx, const struct crmd_fence_action *action);
	/* Wall clock (milliseconds since the epoch) for the fencing history,
	 * which people read and compare across nodes.  NULL: now_ms stands in
	 * (the simulator's clock). */
	uint64_t (*wall_ms)(void *ctx);
};

/* A node of Corosync's nodelist. */
struct crmd_node_name {
	uint32_t nodeid;
	const char *name;
};

struct crmd_core_config {
	uint32_t local_nodeid;
	uint32_t local_pid;             /* as Corosync sees this process */
	const char *local_name;         /* NULL: from the nodelist, else "node<id>" */
	const char *cluster_name;       /* NULL: "(unnamed)" */
	/* Corosync's nodelist: names, and the number of nodes a majority of vigilds
	 * is counted against before the configuration may change. */
	const struct crmd_node_name *nodes;
	size_t n_nodes;
	uint64_t request_timeout_ms;    /* 0: 60 s */
};

/* Why a member left or joined (Corosync's reasons). */
enum crmd_reason {
	CRMD_REASON_UNKNOWN = 0,
	CRMD_REASON_JOIN = 1,
	CRMD_REASON_LEAVE = 2,          /* clean stop */
	CRMD_REASON_NODEDOWN = 3,       /* the node left the ring */
	CRMD_REASON_NODEUP = 4,         /* the node came back into the ring */
	CRMD_REASON_PROCDOWN = 5,       /* the process died */
};

struct crmd_change {
	struct vg_member member;
	enum crmd_reason reason;
};

enum crmd_event_type {
	CRMD_EV_START = 1,      /* once, first: what was read from disk */
	CRMD_EV_RING,           /* group: a new totem ring */
	CRMD_EV_VIEW,           /* group: a new view of the group */
	CRMD_EV_MESSAGE,        /* group: a message, not yet validated */
	CRMD_EV_QUORUM,         /* local: quorum of a ring */
	CRMD_EV_TIMER,          /* local: a timer fired */
	CRMD_EV_PERSISTED,      /* local: a write completed */
	CRMD_EV_REQUEST,        /* local: a client request (JSON) */
	CRMD_EV_CLIENT_GONE,    /* local: a client disconnected */
	CRMD_EV_HV_DONE,        /* local: a hypervisor action finished */
	CRMD_EV_HV_EVENT,       /* local: a lifecycle or connection event */
	CRMD_EV_FENCE_DONE,     /* local: a fencing attempt finished */
	CRMD_EV_SHUTDOWN,       /* local: this vigild is asked to stop (drain first) */
};

struct crmd_event {
	enum crmd_event_type type;
	union {
		struct {
			/* The stored configuration, already checked (checksum and
			 * XML); NULL when there was none or it was unusable. */
			const char *xml;
			size_t len;
			uint64_t term;  /* stored with it (0: none) */
		} start;
		struct {
			uint64_t seq;
			const uint32_t *nodeids;
			size_t n;
		} ring;
		struct {
			const struct vg_member *members; /* Corosync's order */
			size_t n;
			const struct crmd_change *left;
			size_t n_left;
			const struct crmd_change *joined;
			size_t n_joined;
		} view;
		struct {
			uint32_t nodeid;
			uint32_t pid;
			const void *buf;
			size_t len;
		} message;
		struct {
			uint64_t ring_seq;
			bool quorate;
			bool no_provider;       /* every ring is quorate */
		} quorum;
		struct {
			enum crmd_timer timer;
		} timer;
		struct {
			uint64_t write_id;
			int rc;                 /* 0 or -errno */
		} persisted;
		struct {
			uint64_t client_id;
			const char *json;
			size_t len;
		} request;
		struct {
			uint64_t client_id;
		} client_gone;
		struct {
			uint64_t call_id;
			int rc;                 /* 0 or -errno (exec.h's codes) */
			const char *state;      /* afterwards */
			const char *message;
			const struct crmd_hv_domain *domains; /* PROBE */
			size_t n_domains;
		} hv_done;
		struct {
			enum crmd_hv_event_kind kind;
			const char *domain;     /* DOMAIN */
			const char *state;      /* DOMAIN: implied state or "unknown" */
			const char *detail;     /* DOMAIN: libvirt's detail, e.g. "migrated" */
		} hv_event;
		struct {
			uint64_t call_id;
			/* 0: the target is off (every device of one level
			 * succeeded); -ENODEV: no device may fence it;
			 * -ETIMEDOUT: the attempt ran out of time; -EIO: an
			 * agent failed on every level. */
			int rc;
			const char *device;     /* the level's devices, or NULL */
			const char *message;    /* why, for the history and logs */
		} fence_done;
		struct {
			/* Give up draining after this long (0: 120 s) and
			 * leave with what still runs here. */
			uint64_t timeout_ms;
		} shutdown;
	};
};

struct crmd_core;

/** A core for one node.  @env is copied.  0 or -ENOMEM/-EINVAL. */
int crmd_core_new(const struct crmd_env *env, const struct crmd_core_config *cfg,
		  struct crmd_core **ret_core);
/** NULL is fine.  Pending clients are not answered (they are going away too). */
void crmd_core_free(struct crmd_core *core);

/** Feeds one event. */
void crmd_core_handle(struct crmd_core *core, const struct crmd_event *ev);

/* ---- read-only views, for vigild's logs, tests and the simulator ---- */

/** The DC's node id, or 0 when there is none that may act (no quorum, fewer
 *  than a majority of vigilds in the view, not yet agreed). */
uint32_t crmd_core_dc(const struct crmd_core *core);
/** The DC this member currently believes in, quorum or not (0: unknown). */
uint32_t crmd_core_dc_candidate(const struct crmd_core *core);
/** Quorum of the current ring as last known. */
bool crmd_core_quorate(const struct crmd_core *core);
/** True when this member holds the group's configuration (not just its own
 *  copy from disk) and no state transfer is running. */
bool crmd_core_synced(const struct crmd_core *core);
/** The configuration in memory and its version; NULL before one is known. */
const char *crmd_core_config_xml(const struct crmd_core *core, size_t *ret_len);
struct vg_cfg_version crmd_core_config_version(const struct crmd_core *core);
/** Newest version known to be on this node's disk. */
struct vg_cfg_version crmd_core_written_version(const struct crmd_core *core);
/** Where resource @rsc runs as this member knows it: its node name (NULL when
 *  nowhere) and state ("running", "failed", "stopped", "migrating"). */
const char *crmd_core_rsc_state(const struct crmd_core *core, const char *rsc,
				const char **ret_node);
/** Count of group messages refused as malformed or unexpected. */
uint64_t crmd_core_dropped(const struct crmd_core *core);
/** The ring the core is processing group events in (it lags the last ring
 *  delivered while events are held for quorum), and the commit term of its
 *  configuration (doc/daemon.md). */
uint64_t crmd_core_ring_seq(const struct crmd_core *core);
uint64_t crmd_core_config_term(const struct crmd_core *core);
/** After CRMD_EV_SHUTDOWN: true once the node is drained (the cluster knows
 *  it runs none of the cluster's VMs) or the drain timed out.  The process
 *  may then leave the group (a clean CPG leave) and exit. */
bool crmd_core_shutdown_done(const struct crmd_core *core);
/** Fencing of @node as this member knows it: NULL when the node is not
 *  waiting for fencing, else "unclean" (nobody fences it: no device, no DC,
 *  fencing disabled), "fencing" (an operation runs or waits for its next
 *  attempt) or "fencing failed" (stonith-max-attempts attempts failed since
 *  it was last fenced; retries go on).  *ret_reason (may be NULL) gets the
 *  last failure's text, or NULL. */
const char *crmd_core_node_fencing(const struct crmd_core *core, const char *node,
				   const char **ret_reason);
/** The replicated fencing history (fencing/fen_history.h), borrowed. */
struct fen_history;
const struct fen_history *crmd_core_fence_history(const struct crmd_core *core);

#endif /* VIGIL_CRMD_CORE_H */
