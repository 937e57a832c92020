/*
 * core_int.h - the core's private state, shared by core.c (membership, sync
 * rounds, DC, status), core_config.c (changes and persistence) and
 * core_client.c (client requests).  Nothing outside crmd/core*.c includes it.
 */
#ifndef VIGIL_CRMD_CORE_INT_H
#define VIGIL_CRMD_CORE_INT_H

#include <stdarg.h>

#include "cfgdoc.h"
#include "crmd_core.h"

/* What the core knows about one process of the current view. */
struct member {
	struct vg_member id;
	bool bad;               /* sent something malformed: ignored from then on */
	bool sync_got;          /* its SYNC for the running round arrived */
	struct vg_msg_sync sync; /* that SYNC */
	bool reported;          /* sent a status report since the DC last changed */
	char *name;             /* from its report */
	bool has_confirmed;
	struct vg_cfg_version confirmed; /* last document it confirmed on disk: */
	uint32_t confirmed_crc; /* its version, CRC and commit term */
	uint64_t confirmed_term;
	int confirm_rc;         /* result of that write */
};

/* Per node id: what outlives a process (for the status section). */
struct node_info {
	uint32_t nodeid;
	char *name;             /* best name known */
	bool expected_up;       /* joined and has not left cleanly since */
	/* Its vigild was in a view of this process, or a DC's status had it up:
	 * we know what it runs.  A node whose vigild nobody here ever heard of
	 * (in the ring without one counts too) has no node_state in the policy
	 * input, so that startup-fencing applies: it may run VMs we know
	 * nothing of. */
	bool seen;
};

/* A group event held back until it can be processed in order. */
struct held {
	struct held *next;
	struct crmd_event ev;   /* pointers into mem */
	void *mem;
};

enum req_state {
	REQ_SENT,               /* the change is on its way through the group */
	REQ_BUSY,               /* refused during a sync round: resend when it ends */
	REQ_CONFIRMING,         /* applied: waiting for every member's write */
};

struct request {
	struct request *next;
	uint64_t id;
	uint64_t client_id;
	enum req_state state;
	uint64_t deadline_ms;
	struct vg_msg_config_change change; /* owns xml, name, value */
	struct vg_cfg_version target;
	/* CRCs of the documents that contain the change: the one it made and
	 * those this member applied on top of it since (the same on every member
	 * of the view: one stream).  A confirm counts when it names one of them. */
	uint32_t *lineage;
	size_t n_lineage;
	unsigned resends;
};

struct crmd_core {
	struct crmd_env env;
	uint32_t local_nodeid;
	uint32_t local_pid;
	char *local_name;
	char *cluster_name;
	uint64_t request_timeout_ms;
	size_t n_cluster_nodes; /* Corosync's nodelist; 0 when it has none */
	uint64_t send_seq;
	uint64_t dropped;
	bool started;

	/* Ring and quorum. */
	bool have_ring;
	bool ring_pending;      /* a view said the ring changes; its RING is next */
	uint64_t ring_seq;
	uint32_t *ring_nodes;
	size_t n_ring_nodes;
	struct { uint64_t seq; bool quorate; } qmap[16];
	size_t qmap_next;
	bool no_quorum_provider;
	bool last_quorate;      /* for display while the current ring's is unknown */
	bool quorum_timer_armed;

	/* The group view, in Corosync's order. */
	struct member *members;
	size_t n_members;
	struct vg_member *seniority; /* oldest first; meaningful when synced */
	size_t n_seniority;
	bool synced;            /* holds the group's configuration */
	bool primary;           /* was synced in a quorate ring (frozen in rounds) */
	/* Two-node clusters: this process was synced together with the other
	 * node's vigild (in a quorate ring), so alone it is the survivor and may
	 * act; a vigild that starts alone waits for its peer (core_may_change()). */
	bool pair_synced;
	struct vg_member dc;    /* DC candidate; nodeid 0: none */
	struct vg_member report_dc; /* the DC the reports and probes were collected for */
	uint32_t dc_logged;     /* last DC logged as acting */

	/* Sync round. */
	bool round_active;
	bool round_waiting_full;
	bool round_primary;     /* primary when the round began */
	struct vg_member winner;
	struct vg_cfg_version winner_version;
	uint32_t winner_crc;
	uint64_t winner_term;

	/* Configuration. */
	char *cfg;
	size_t cfg_len;
	struct vg_cfg_version cfg_ver;
	uint32_t cfg_crc;
	/* The commit term of cfg: the ring seq of the quorate ring in which its
	 * last change was applied (0: never changed through the group).  Kept on
	 * disk beside the document; the sync merge ranks by it first. */
	uint64_t cfg_term;
	bool have_config;       /* valid, from disk or from the group */
	struct crmd_doc_summary *summary; /* of cfg, built when first needed */

	/* Persistence. */
	uint64_t write_id;
	bool write_inflight;
	bool has_written;
	struct vg_cfg_version written, writing;
	uint32_t written_crc, writing_crc;
	uint64_t written_term, writing_term;

	/* Group events held in order. */
	struct held *held_head, *held_tail;

	/* Client change requests in flight. */
	struct request *requests;
	uint64_t next_req_id;

	/* Status. */
	struct node_info *nodes;
	size_t n_nodes;
	struct crmd_node_state *dc_status; /* last section from the DC */
	size_t n_dc_status;
	uint32_t dc_status_from;
	uint32_t num_updates;
	char *last_status_sent;
	bool status_timer_armed;

	/* Resources: node-side execution and the DC's transitions (core_rsc.c,
	 * core_transition.c). */
	struct crmd_rsc *rsc;
	/* No-quorum policy, clean shutdown, two-node rule (core_quorum.c). */
	struct crmd_nq *nq;

	/* Fencing: the DC's operations, the replicated history (core_fence.c). */
	struct crmd_fence *fence;
};

#include "core_fence.h"

/* core.c */
/* Nodes with a vigild in the current view (each node once). */
size_t core_daemon_nodes(const struct crmd_core *c);
void core_log(struct crmd_core *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct member *core_member(struct crmd_core *c, uint32_t nodeid, uint32_t pid);
bool core_is_self(const struct crmd_core *c, const struct vg_member *m);
bool core_quorum_known(const struct crmd_core *c);
bool core_quorate_now(const struct crmd_core *c);
/* The configuration may change: quorate ring and a majority of vigilds. */
bool core_may_change(const struct crmd_core *c, char *why, size_t why_len);
int core_send(struct crmd_core *c, void *frame, size_t len); /* frees frame */
const char *core_node_name(const struct crmd_core *c, uint32_t nodeid);
bool core_node_seen(const struct crmd_core *c, uint32_t nodeid);
/* Node states as this member computes them (the DC's are the ones kept). */
int core_node_states(struct crmd_core *c, struct crmd_node_state **ret, size_t *ret_n);
void core_status_changed(struct crmd_core *c);

/* core_config.c */
void config_on_change(struct crmd_core *c, struct member *from,
		      const struct vg_msg_config_change *m);
void config_on_confirm(struct crmd_core *c, struct member *from,
		       const struct vg_msg_config_confirm *m);
void config_on_persisted(struct crmd_core *c, uint64_t write_id, int rc);
void config_persist_latest(struct crmd_core *c);
/* Installs a configuration (normalized text) as the current one. */
int config_install(struct crmd_core *c, const char *xml, size_t len, const char *why);
void config_round_closed(struct crmd_core *c);
/* A state transfer replaced the configuration (a sync round's winner). */
void config_transferred(struct crmd_core *c);
/* Gives the configuration the current ring's term when this partition may
 * change it (see core_config.c); called whenever that may have become true. */
void config_restamp(struct crmd_core *c);
void config_check_requests(struct crmd_core *c);
void config_on_timer(struct crmd_core *c);
void config_client_gone(struct crmd_core *c, uint64_t client_id);
int config_submit(struct crmd_core *c, uint64_t client_id, struct vg_msg_config_change *change);
void request_free(struct request *r);

/* core_client.c */
void client_on_request(struct crmd_core *c, uint64_t client_id, const char *json, size_t len);
void client_reply_error(struct crmd_core *c, uint64_t client_id, int rc, const char *code,
			const struct vg_diags *diags, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void client_reply_ok(struct crmd_core *c, uint64_t client_id, const char *message);

/* core_rsc.c */
int rsc_init(struct crmd_core *c);
void rsc_free(struct crmd_core *c);
/* This node's report is due (DC changed, round closed): probe and report.
 * @reset: forget every node's probe (a new DC, a round), not only this one's. */
void rsc_report_due(struct crmd_core *c, bool reset);
void rsc_on_message(struct crmd_core *c, struct member *from, const char *json, size_t len);
void rsc_on_hv_done(struct crmd_core *c, const struct crmd_event *ev);
void rsc_on_hv_event(struct crmd_core *c, const struct crmd_event *ev);
/* After any event: membership or configuration may have changed. */
void rsc_after_event(struct crmd_core *c);
/* Multicasts a cleanup: every member forgets the failures of @rsc (NULL or
 * "": all) on @nodeid (0: all nodes); with @probe those nodes probe again. */
/* @nodeid was fenced: like Pacemaker, which erases a fenced node's resource
 * history, its failures (a failed stop above all) are forgotten, or the
 * policy would fence it again and again. */
void rsc_forget_node_failures(struct crmd_core *c, uint32_t nodeid);
int rsc_cleanup(struct crmd_core *c, const char *rsc, uint32_t nodeid, bool probe);
/* The recurring monitors of this node's running VMs are due. */
void rsc_on_monitor_timer(struct crmd_core *c);
/* @rsc's failures as a JSON array for status (new reference). */
struct json_object *rsc_failures_json(const struct crmd_core *c, const char *rsc);

/* core_quorum.c: what this node does on its own when its partition has no
 * quorum (no-quorum-policy), the drain of a clean shutdown, and the rule that
 * lets one vigild act in a two-node cluster. */
int nq_init(struct crmd_core *c);
void nq_free(struct crmd_core *c);
void nq_on_view(struct crmd_core *c, const struct crmd_event *ev);
void nq_on_message(struct crmd_core *c, struct member *from, const char *kind);
void nq_on_shutdown(struct crmd_core *c, uint64_t timeout_ms);
void nq_on_timer(struct crmd_core *c);
void nq_after_event(struct crmd_core *c);
/* The node's vigild announced a clean shutdown: the DC moves its VMs away
 * (the policy's "shutdown" node attribute). */
bool nq_node_shutting_down(const struct crmd_core *c, uint32_t nodeid);
/* The node's vigild left cleanly after the cluster saw it run none of its
 * VMs: transitions need not wait for it. */
bool nq_node_drained(const struct crmd_core *c, uint32_t nodeid);

/* core_transition.c */
void tr_kick(struct crmd_core *c);
void tr_on_timer(struct crmd_core *c);
void tr_on_actions_timer(struct crmd_core *c);
void tr_on_recheck_timer(struct crmd_core *c);

#endif /* VIGIL_CRMD_CORE_INT_H */
