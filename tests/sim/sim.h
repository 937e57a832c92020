/*
 * sim.h - vigil-sim: N nodes' real crmd cores (libvigil_crmd.a, the objects
 * vigild links) in one process, on a simulated world driven by one seed.
 *
 * Pieces (doc/simulator.md has the design):
 *   sim_world.c  the world: clock and event queue, Corosync model (rings,
 *                views, total order, quorum, token timeout), disks, clients,
 *                the crmd_env binding, the trace;
 *   sim_check.c  the checks run after every step (safety) and at the end
 *                (liveness);
 *   sim_hv.c     simulated hypervisors and fence devices, and the "never
 *                running twice" check;
 *   sim_scn.c    scenario commands: parsing files, drawing random schedules;
 *   sim_main.c   the command line (run, random, selftest).
 *
 * Ownership: the world owns everything reachable from it; sim_world_free()
 * releases it.  Nothing here is thread-safe: one world, one thread.
 */
#ifndef VIGIL_SIM_H
#define VIGIL_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crmd_core.h"

#define SIM_MAX_NODES 16
#define SIM_MAX_VMS 64
#define SIM_ANY_NODE 99   /* "expect vm-running vmK any" */

/* ---- the one source of randomness: splitmix64 seeding xoshiro256** ---- */

struct sim_rng {
	uint64_t s[4];
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *r);
/** Uniform in [0, n) (n > 0). */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);
/** Uniform in [lo, hi]. */
uint64_t sim_rng_range(struct sim_rng *r, uint64_t lo, uint64_t hi);
/** True with probability pct/100. */
bool sim_rng_pct(struct sim_rng *r, unsigned pct);

/* ---- planted bugs (selftest): simulator-only misbehaviour of the world ---- */

enum sim_bug {
	SIM_BUG_NONE = 0,
	/* The disk binding reports a write done before it is durable (as a store
	 * that answers before fsync would): a change can be acknowledged before
	 * it is on disk. */
	SIM_BUG_EARLY_PERSIST,
	/* The quorum binding repeats the last answer it gave instead of asking
	 * for the new ring: a node cut off into a minority keeps believing it is
	 * quorate, keeps its DC and accepts changes. */
	SIM_BUG_STALE_QUORUM,
	/* Recovery without waiting for fencing: the cluster runs with fencing
	 * switched off (stonith-enabled=false in the configuration every disk
	 * starts with and in every property change a client makes), so the
	 * cores' own policy recovers a lost node's VMs at once, as Pacemaker
	 * does when told not to fence. */
	SIM_BUG_NO_FENCE_WAIT,
	/* A fence device that reports success without cutting the power: the
	 * core recovers the VMs of a node that still runs them.  Found only once
	 * the core drives env.fence_submit. */
	SIM_BUG_FAKE_FENCE,
	SIM_BUG_COUNT,
};

const char *sim_bug_name(enum sim_bug b);

/* ---- scenario commands (files and random schedules share them) ---- */

enum sim_cmd_kind {
	CMD_UP,            /* power on nodes and start their daemons */
	CMD_CRASH,         /* power off (unclean) */
	CMD_BOOT,          /* power on */
	CMD_SHUTDOWN,      /* clean daemon stop, then power off */
	CMD_DAEMON_KILL,
	CMD_DAEMON_STOP,
	CMD_DAEMON_START,
	CMD_PARTITION,     /* arg: group label per node */
	CMD_HEAL,
	CMD_CLIENT,        /* a client request on a node */
	CMD_INJECT,        /* a garbled group message from an intruder process */
	CMD_DISK_FAIL,     /* the node's next write fails (EIO) */
	CMD_DISK_SLOW,     /* the node's writes take `ms` for a while */
	CMD_DISK_CORRUPT,  /* the node's stored copy is damaged (while it is down) */
	CMD_QUORUM_SLOW,   /* the node's quorum notices come `ms` late for a while */
	CMD_TOKEN,         /* token timeout in ms */
	CMD_EXPECT,
	CMD_VM_CRASH,      /* a VM dies on its hypervisor */
	CMD_FENCE_MODE,    /* the node's fence device: ok | fail | hang */
	CMD_HV_MODE,       /* the node's hypervisor: ok | fail | hang | slow calls, or
			    * its connection goes down | up */
	CMD_VM_STOP,       /* the guest shuts itself down (behind the cluster's back) */
	CMD_VM_MIGRATE,    /* an admin moves a VM to `node` (client move on that node) */
};

enum sim_client_op {
	COP_PROPERTY,      /* valid property change */
	COP_PROPERTY_BAD,  /* a value the document library refuses */
	COP_STANDBY,       /* config-update of a node attribute (admin: standby) */
	COP_MAINTENANCE,   /* property maintenance-mode (admin: maintenance) */
	COP_SHOW,          /* config-show: the client keeps the document */
	COP_REPLACE,       /* versioned replace with the document last shown */
	COP_REPLACE_UNVERSIONED,
	COP_BAD_XML,       /* replace with a broken document */
	COP_BAD_JSON,      /* not a request at all */
	COP_STATUS,
	COP_MOVE,          /* `vigil resource move`: a location constraint (config-update) */
};

enum sim_expect_kind {
	EXP_EPOCH,         /* config epoch of nodes == n */
	EXP_DISK_EPOCH,    /* epoch on disk of nodes == n */
	EXP_DC,            /* DC seen by nodes == node (0: none) */
	EXP_QUORATE,       /* quorate of nodes == n */
	EXP_SAME_CONFIG,   /* every listed node holds the same document */
	EXP_CONVERGED,     /* the liveness check, now */
	EXP_ACKED,         /* number of acknowledged changes so far == n */
	EXP_PROPERTY,      /* nodes' document has name=value (value "" : absent) */
	EXP_VM_RUNNING,    /* vm runs on node (0: nowhere; SIM_ANY_NODE: on exactly one) */
	EXP_POWERED,       /* nodes are powered == n */
};

struct sim_cmd {
	uint64_t at_ms;
	enum sim_cmd_kind kind;
	int node;                       /* 0: none */
	uint32_t nodes;                 /* bitmask of nodes (1 << n); for "all" every node */
	bool all;
	int part[SIM_MAX_NODES + 1];    /* PARTITION: label per node */
	enum sim_client_op op;
	char name[64], value[64];
	char expect[32];                /* CLIENT: expected outcome; "" none */
	enum sim_expect_kind exp;
	long n;                         /* numbers: epoch, ms, vm index, node */
	int mode;                       /* FENCE_MODE/HV_MODE; INJECT kind */
	int line;                       /* in the scenario file */
};

struct sim_schedule {
	struct sim_cmd *v;
	size_t n, cap;
	int n_nodes;
	int n_vms;
	char known_bug[64];             /* "known-bug NAME": the scenario reproduces it */
	uint64_t seed;                  /* "seed S": the world's PRNG (default 1) */
	bool finally_converge;          /* "finally converge": random mode's ending */
	bool tie_daemons;               /* "tie-daemons": as the option */
};

void sim_schedule_add(struct sim_schedule *s, const struct sim_cmd *c);
void sim_schedule_clear(struct sim_schedule *s);
/** Parses a scenario file.  0 or -EINVAL (the message printed to @err). */
int sim_schedule_parse(const char *path, struct sim_schedule *ret, FILE *err);
/* What random schedules leave out of the fault menu. */
enum {
	SIM_MENU_TIE_DAEMONS = 1,       /* no daemon-only faults (--tie-daemons) */
	SIM_MENU_NO_HV_FAULTS = 2,      /* no failing, hanging, slow or disconnected
					 * hypervisors (--no-hv-faults) */
};

/** Draws a random schedule for @seed: faults for about @fault_ms, then quiet.
 *  @menu: SIM_MENU_* flags. */
void sim_schedule_random(struct sim_schedule *s, uint64_t seed, int n_nodes, int n_vms,
			 uint64_t fault_ms, unsigned menu);
/** Writes a schedule as a scenario file (a failing seed can be kept as one). */
void sim_schedule_print(const struct sim_schedule *s, FILE *f);
/** One command as scenario text, into @buf. */
void sim_cmd_format(const struct sim_cmd *c, char *buf, size_t len);

/* ---- the world ---- */

struct sim_world;

struct sim_opts {
	int n_nodes;
	int n_vms;
	uint64_t seed;
	enum sim_bug bug;
	FILE *trace;                    /* NULL: no trace */
	bool verbose;                   /* core logs in the trace too */
	/* Daemons live and die with their nodes: no daemon-only faults, and a
	 * booting node's daemon joins in the ring change that brings the node.
	 * Excludes the fault class of the known bug K1 (doc/simulator.md). */
	bool tie_daemons;
	/* selftest: without the "core's belief about its disk" check, to show the
	 * acknowledgement checks catch a lying disk on their own. */
	bool no_belief_check;
};

struct sim_result {
	uint64_t violations;
	uint64_t failures_injected;     /* node crashes, daemon crashes, partitions, ... */
	uint64_t node_failures;         /* crashes and cuts of nodes (throughput unit) */
	uint64_t events;
	uint64_t acked;
	uint64_t expect_failed;
	uint64_t hv_calls;              /* hypervisor calls the cores submitted */
	uint64_t fence_calls;           /* fencing attempts the cores submitted */
	uint64_t policy_inputs;         /* policy computations (env.save_input) */
	char first_violation[512];
};

struct sim_world *sim_world_new(const struct sim_opts *o);
void sim_world_free(struct sim_world *w);
/** Runs a whole schedule, checking after every step; at the end (when
 *  @final_liveness) heals everything and checks liveness. */
void sim_world_run(struct sim_world *w, const struct sim_schedule *s, bool final_liveness,
		   struct sim_result *ret);

#endif /* VIGIL_SIM_H */
