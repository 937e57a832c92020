/*
 * core_rsc.h - the resource table every member keeps (core_rsc.c) and the
 * DC's transition engine reads (core_transition.c).  Private to crmd/core*.c.
 */
#ifndef VIGIL_CRMD_CORE_RSC_H
#define VIGIL_CRMD_CORE_RSC_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "crmd_core.h"

/* What one node's hypervisor does with one domain (= resource). */
struct rsc_entry {
	uint32_t nodeid;
	char *rsc;
	char *state;            /* exec's state name */
	char *op;               /* last thing heard: probe, start, stop, migrate_to, event, monitor */
	int rc;                 /* its result: 0, -errno, or 7 (not running) */
	char *message;
	uint64_t call;          /* table order: newer is larger */
	int64_t changed;        /* seconds (the core's clock) */
	/* The last failure and the count since the last cleanup. */
	char *fail_op;
	char *fail_msg;         /* what the failure said (NULL: nothing) */
	int fail_rc;
	uint64_t fail_call;
	int fail_count;
	int64_t last_failure;
	/* When it was last seen running here (table order, seconds): a failure
	 * after it is a failed running resource, recovered in place. */
	uint64_t run_call;
	int64_t run_changed;
	/* The DC stopped it here as the first half of a recovery in place
	 * (Pacemaker's Recover): the start goes here too, if the node still
	 * may run it.  Set by the DC's "do", cleared by the next start. */
	bool restart_here;
	/* This node's recurring monitor of it (local entries only). */
	uint64_t mon_due_ms;
	bool mon_inflight;
	bool seen;              /* scratch for probes */
};

/* An action the DC sent and nobody has reported back yet. */
struct rsc_flight {
	uint64_t call;
	uint32_t nodeid;
	char *rsc;
	char *op;
	uint64_t deadline_ms;
	uint32_t to_nodeid;     /* migrate_to: the destination (0: unknown) */
};

/* A hypervisor call this node submitted. */
struct rsc_local {
	uint64_t call;
	enum crmd_hv_op op;
	bool probe;
	char *rsc;
	/* A Recover's stop: the start that follows it here (call 0: none). */
	uint64_t then_call;
	char *then_cfg;
	uint32_t then_tmo;
};

struct crmd_rsc {
	struct rsc_entry *entries;
	size_t n_entries;
	struct rsc_flight *flights;
	size_t n_flights;
	struct rsc_local *local;
	size_t n_local;
	uint64_t local_seq;     /* call ids of probes: kept apart from the DC's */
	bool probe_inflight;
	int last_probe_rc;      /* this node's last probe: 0, or -errno (hypervisor down) */
	uint64_t probe_retry_ms; /* a failed probe is tried again then (0: not) */
	uint32_t probe_backoff_ms;
	/* Nodes that reported a probe, by whom and for which DC: a probe counts
	 * for the DC it names (the prober's DC candidate when it sent it), so a
	 * probe that arrives before the DC learned its quorum still counts. */
	struct rsc_probed { uint32_t nodeid; struct vg_member by, dc; } *probed;
	size_t n_probed;
	uint64_t call_seq;      /* table order */
	uint64_t call_seq_dc;   /* highest action call id seen */
	/* What the last kick saw. */
	struct vg_cfg_version seen_ver;
	size_t seen_members;
	uint64_t seen_ring;
	/* DC. */
	bool tr_armed;
	uint64_t kick_ms;       /* when the armed computation was asked for */
	bool actions_armed;
	uint64_t pe_seq;
	bool waiting_logged;
	int64_t recheck_at;     /* seconds: when the recheck timer fires (0: not armed) */
	/* Node side: the monitor tick is armed. */
	bool mon_armed;
};

struct rsc_entry *rsc_entry(struct crmd_core *c, uint32_t nodeid, const char *rsc, bool create);
struct rsc_flight *rsc_flight(struct crmd_core *c, const char *rsc);
bool rsc_node_probed(const struct crmd_core *c, uint32_t nodeid);
/* Runs @op on this node's hypervisor on its own initiative (a probe, or a
 * stop of the no-quorum policy or of a shutdown), not as a DC's action: the
 * result goes to the group as an update without a DC call id.  0 or -errno. */
int rsc_local_call(struct crmd_core *c, enum crmd_hv_op op, const char *rsc, uint32_t timeout_ms);
/* A call of this node for @rsc (NULL: a probe) has not completed yet. */
bool rsc_local_busy(const struct crmd_core *c, const char *rsc);
/* Multicasts @o (consumed). */
int rsc_send(struct crmd_core *c, json_object *o);

#endif /* VIGIL_CRMD_CORE_RSC_H */
