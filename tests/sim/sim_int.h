/*
 * sim_int.h - the world's state, shared by sim_world.c, sim_check.c and
 * sim_hv.c.  Nothing outside tests/sim includes it.
 */
#ifndef VIGIL_SIM_INT_H
#define VIGIL_SIM_INT_H

#include "sim.h"
#include "wire.h"

/* What is queued in simulated time. */
enum ev_kind {
	EV_GROUP,          /* ring, view or message for one daemon (Corosync's stream) */
	EV_QUORUM,         /* quorum notification for one daemon */
	EV_TIMER,          /* a core timer */
	EV_WRITE_DONE,     /* a write finished: data durable, then PERSISTED */
	EV_DISK_LAND,      /* planted bug: the data lands after PERSISTED was reported */
	EV_RECONFIG,       /* Corosync forms new rings from the physical state */
	EV_DAEMON_START,
	EV_CMD,            /* a schedule command */
	EV_HV,             /* a hypervisor or fence operation completes */
	EV_INTRUDER_LEAVE, /* the injecting process leaves the group */
};

struct ev {
	struct ev *next;
	uint64_t at, seq;
	enum ev_kind kind;
	int node;
	uint32_t pid;          /* the daemon it is for: dropped when that one is gone */
	uint64_t token;        /* timers: arming generation */
	struct crmd_event ev;  /* pointers into mem */
	void *mem;
	size_t mem_len;
	uint64_t mem_term;      /* a write's commit term */
	uint64_t write_id;
	const struct sim_cmd *cmd;
	int hv_op;             /* sim_hv.c */
	int vm;
	int target;
	unsigned incarnation;  /* sim_hv.c: of the target node when the call was made */
	bool intruder;         /* a message from a non-vigild process */
	uint32_t rmask;        /* group messages: every receiver (node) of this broadcast */
};

/* A buffered send while Corosync forms a new ring. */
struct pending_send {
	struct pending_send *next;
	int node;
	uint32_t pid;
	void *buf;
	size_t len;
	bool intruder;
};

/* A message in flight at a cut, waiting for the new rings. */
struct limbo {
	struct limbo *next;
	uint64_t bid;          /* broadcast id */
	int from_node;
	uint32_t from_pid;
	bool intruder;
	void *buf;
	size_t len;
	uint32_t held_mask;    /* receivers (nodes) whose delivery waits */
	uint32_t held_pid[SIM_MAX_NODES + 1];
	uint32_t delivered_mask; /* receivers that delivered it before the cut */
};

struct client {
	struct client *next;
	uint64_t id;
	int node;
	uint32_t pid;
	const struct sim_cmd *cmd;
	enum sim_client_op op;
	uint64_t at;
	bool answered;
	int rc;
	char error[32];
	bool change;           /* asks for a configuration change */
	bool must_fail;        /* bad input: may never be acknowledged */
};

struct ack {
	uint64_t hash;
	struct vg_cfg_version ver;
	uint64_t at;
	int node;
	uint64_t client;
};

struct daemon;

struct node {
	int idx;
	char name[8];
	bool powered;
	int label;             /* physical partition (cable) */
	int cs_part;           /* Corosync's partition as last formed; 0: in none */
	unsigned incarnation;  /* power cycles */
	unsigned ring_incarnation; /* as of the last ring formed */
	struct daemon *d;      /* NULL: vigild not running */
	/* Disk: only what completed is there. */
	char *disk;
	size_t disk_len;
	uint64_t disk_term;    /* the commit term stored beside it */
	uint64_t disk_hash;
	struct vg_cfg_version disk_ver;
	bool disk_fail_next;
	uint64_t disk_slow_until;
	uint64_t disk_slow_ms;
	uint64_t quorum_slow_until;
	uint64_t quorum_slow_ms;
	/* Last version history of the core on this node: version -> hash. */
	struct { struct vg_cfg_version v; uint64_t h; } hist[64];
	unsigned hist_next;
	/* The client's last shown document (COP_SHOW). */
	char *shown;
};

struct daemon {
	struct sim_world *w;
	int node;
	uint32_t pid;
	struct crmd_core *core;
	bool announced;                        /* the group knows it */
	bool leaving_clean;
	struct vg_member told[SIM_MAX_NODES * 2]; /* last view given to it */
	size_t n_told;
	uint64_t ring_seq;                     /* last ring delivered */
	uint64_t timer_token[CRMD_TIMER_COUNT];
	unsigned pending_group;                /* group events queued for it */
	unsigned pending_quorum;
	uint64_t hash;                         /* of the core's configuration */
	uint64_t checked_hash;                 /* lineage checked for this hash */
	size_t checked_acks;                   /* ... against this many acks */
};

struct ring_info {
	uint64_t seq;
	bool quorate;
};

struct sim_world {
	struct sim_opts o;
	int n;
	struct sim_rng rng;
	uint64_t now;
	uint64_t seq;
	uint64_t group_at;     /* group events are delivered in this order */
	struct ev *queue;
	struct node nodes[SIM_MAX_NODES + 1];
	uint32_t next_pid;
	uint64_t next_client;
	uint64_t token_ms;
	uint64_t join_ms;
	/* Corosync: partitions as formed, their rings. */
	uint64_t ring_seq;
	uint64_t part_ring[SIM_MAX_NODES + 2];
	bool reconfig_pending;
	uint64_t reconfig_at;
	struct pending_send *sends, **sends_tail;
	struct limbo *limbo;
	/* Processes that joined the group to inject garbage (vigil-inject). */
	struct { int node; uint32_t pid; bool active; } intruders[8];
	struct ring_info rings[256];           /* quorum truth per ring */
	bool stale_quorum[SIM_MAX_NODES + 1];  /* planted bug: last answer given */
	/* Clients and acknowledgements. */
	struct client *clients;
	struct ack *acks;
	size_t n_acks, cap_acks;
	/* Lineage: configuration hash -> hash it was built on. */
	struct { uint64_t h, parent; } *lin;
	size_t n_lin, cap_lin;
	uint64_t intruder_pid;
	struct sim_result *res;
	struct hv_world *hv;
	enum crmd_reason *gone;                /* pid -> why it left */
	size_t n_gone;
};

/* sim_world.c */
void w_trace(struct sim_world *w, int node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void w_violation(struct sim_world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t w_hash(const void *buf, size_t len);
bool w_ring_quorate(struct sim_world *w, uint64_t seq);
bool w_settled(struct sim_world *w, const struct daemon *d);
bool w_partition_quorate(struct sim_world *w, int part);
struct ev *w_new_ev(struct sim_world *w, enum ev_kind k, int node, uint64_t delay);
void w_enqueue(struct sim_world *w, struct ev *e);
/** Powers a node off (also what a successful fence does). */
void w_power_off(struct sim_world *w, int node);

/* sim_check.c */
bool lin_known(struct sim_world *w, uint64_t h);
void lin_add(struct sim_world *w, uint64_t h, uint64_t parent);
bool lin_descends(struct sim_world *w, uint64_t h, uint64_t ancestor);
/** A core now holds a different configuration (d->hash); @before is the old. */
void check_config_installed(struct sim_world *w, struct daemon *d, uint64_t before);
/** After a core handled an event: @before is its configuration hash before. */
void check_after_core_event(struct sim_world *w, struct daemon *d, uint64_t before,
			    const struct crmd_event *ev, bool from_intruder);
/** After every step of the world. */
void check_step(struct sim_world *w);
/** An acknowledgement reached a client. */
void check_ack(struct sim_world *w, struct client *c, const struct vg_cfg_version *target);
/** Liveness after faults stopped; @why names the moment.  Returns violations found. */
int check_converged(struct sim_world *w, const char *why);

/* sim_hv.c */
struct hv_world;
struct hv_world *hv_new(struct sim_world *w, int n_vms);
void hv_free(struct hv_world *hv);
/** The node lost power: its VMs are gone. */
void hv_node_off(struct sim_world *w, int node);
/** Membership formed anew (a node left the quorate partition, came back). */
void hv_membership(struct sim_world *w);
void hv_on_event(struct sim_world *w, struct ev *e);
void hv_cmd(struct sim_world *w, const struct sim_cmd *c);
void hv_check(struct sim_world *w);
int hv_vm_node(struct sim_world *w, int vm);
/** Liveness: every VM that should run runs (only with --vms). */
int hv_converged(struct sim_world *w);

#endif /* VIGIL_SIM_INT_H */
