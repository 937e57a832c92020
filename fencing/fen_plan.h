/*
 * fen_plan.h - which fence devices can fence a node, and in what order.
 *
 * The planner is pure: from a cluster document (lib/cib.h) and a target node it
 * computes an ordered list of levels, each an ordered list of devices with
 * everything needed to run their agent (agent name, action, port, parameters,
 * timeout, delays).  It does no I/O, reads no clock and draws no random
 * numbers, so it is unit-tested with hand-built documents and the daemon, the
 * simulator and `vigil` get the same answer from the same document.
 *
 * Semantics (doc/fencing.md says why):
 *  - A device is a `primitive class="stonith"`; its `type` names the agent.
 *    Devices whose meta attribute target-role is Stopped are not used.
 *  - pcmk_host_check: static-list (pcmk_host_list / pcmk_host_map decide),
 *    dynamic-list (the agent's `list` output decides, at run time), status (the
 *    agent's `status` on the port decides, at run time), none (any node).  When
 *    unset: static-list if pcmk_host_list or pcmk_host_map is set, else
 *    dynamic-list with a fall-back to status if `list` fails (Pacemaker's
 *    default, minus the metadata lookup a pure function cannot do).
 *  - pcmk_host_map "node:port;node2=port2 node3:port3": pairs end at ';', space,
 *    tab or newline; name and port are split by ':' or '='; a backslash escapes
 *    the next character.  The port given to the agent is the one the device
 *    sets itself under its host argument (unless "dynamic"), else the mapped
 *    one, else the node's name.  pcmk_host_list items are separated by
 *    spaces, tabs, commas or semicolons.  Host lists, maps and list output
 *    match names without regard to case, as Pacemaker does.
 *  - fencing-topology: exactly one target specification applies to a node: an
 *    exact `target` if any level has one, else the first (document order)
 *    `target-pattern` (POSIX extended regex, unanchored, as Pacemaker) or
 *    `target-attribute`=`target-value` (the node's attribute) that matches.  Its
 *    levels run by ascending index; all devices of a level must succeed, else
 *    the next level is tried.  A reboot through a level of several devices is
 *    remapped to "all off, then all on" (Pacemaker does the same): rebooting
 *    two power supplies one after the other would never cut the power.  A level naming an unknown device, or a device
 *    that statically cannot fence the target, can never succeed: it is left out
 *    with a diagnostic.  No matching topology: every capable device forms its
 *    own one-device level, higher meta `priority` first, then document order.
 *
 * Ownership: *ret_plan belongs to the caller (fen_plan_free()); every string in
 * it is its own copy, nothing points into the document.
 */
#ifndef VIGIL_FEN_PLAN_H
#define VIGIL_FEN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cib.h"
#include "diag.h"

/* Pacemaker's defaults for the cluster properties we read. */
#define FEN_DEFAULT_TIMEOUT_MS 60000u
#define FEN_DEFAULT_MAX_ATTEMPTS 10u

/** Cluster-wide fencing properties (crm_config). */
struct fen_cluster_opts {
	bool enabled;                  /* stonith-enabled, default true */
	const char *action;            /* stonith-action: "reboot" (default) or "off"; static string */
	uint64_t timeout_ms;           /* stonith-timeout, default 60 s */
	unsigned max_attempts;         /* stonith-max-attempts, default 10 */
	uint64_t priority_delay_ms;    /* priority-fencing-delay, default 0 (off) */
};

/** Reads the fencing properties of @cib into *ret_opts, defaults where unset.
 *  A bad value is an error diagnostic and keeps the default: 0 or -EINVAL. */
int fen_cluster_opts_read(const struct vg_cib *cib, struct fen_cluster_opts *ret_opts,
			  struct vg_diags *diags);

enum fen_check {
	FEN_CHECK_STATIC_LIST,  /* decided by the planner */
	FEN_CHECK_DYNAMIC_LIST, /* run `list` and look for the port or the node */
	FEN_CHECK_STATUS,       /* run `status` on the port: exit 0 or 2 means it knows it */
	FEN_CHECK_NONE,         /* the device can fence any node */
};

/** Name of a check mode as Pacemaker spells it ("static-list", ...). */
const char *fen_check_name(enum fen_check check);

struct fen_param {
	char *name;
	char *value;
};

/** One device as a plan runs it. */
struct fen_device {
	char *id;               /* the primitive's id */
	char *agent;            /* its type: the agent's program name */
	char *action;           /* agent action: the requested one, or pcmk_<action>_action;
				 * "off" (pcmk_off_action) in a remapped reboot */
	char *on_action;        /* remapped reboot only: "on" or pcmk_on_action; else NULL */
	char *host_arg;         /* parameter carrying the port ("port" unless pcmk_host_argument
				 * says otherwise); NULL when pcmk_host_argument=none */
	char *port;             /* explicit, else mapped through pcmk_host_map, else the target */
	enum fen_check check;   /* what still has to be asked of the agent at run time */
	bool check_defaulted;   /* pcmk_host_check unset: dynamic-list may fall back to status */
	struct fen_param *params;  /* instance attributes minus pcmk_*, document order */
	size_t n_params;
	uint64_t timeout_ms;    /* pcmk_<action>_timeout, else stonith-timeout */
	uint64_t delay_base_ms; /* pcmk_delay_base (for this target, if it is a map) */
	uint64_t delay_max_ms;  /* pcmk_delay_max; a delay is drawn in [base, max) */
	int priority;           /* meta priority; orders devices without topology */
};

struct fen_level {
	int index;              /* topology index; 0 for a level made of one capable device */
	/* A reboot through a level of several devices: every device runs its
	 * off action (all must succeed: then the target is fenced), then every
	 * device its on_action (failures there are recorded, not fatal). */
	bool remapped_reboot;
	char *id;               /* the fencing-level's id; NULL without topology */
	struct fen_device *devices;
	size_t n_devices;
};

struct fen_plan {
	char *target;
	char *action;           /* requested action: "reboot", "off" or "on" */
	bool from_topology;
	struct fen_level *levels;
	size_t n_levels;
};

/** Computes the plan to run @action ("reboot", "off", "on") against @target.
 *  A plan with no levels is valid: nothing can fence the target, and the
 *  diagnostics say why.  0, -EINVAL (bad arguments) or -ENOMEM. */
int fen_plan_build(const struct vg_cib *cib, const char *target, const char *action,
		   const struct fen_cluster_opts *opts, struct fen_plan **ret_plan,
		   struct vg_diags *diags);

void fen_plan_free(struct fen_plan *plan);

/** Whether @dev can fence @target judging by pcmk_host_list / pcmk_host_map
 *  alone (what static-list decides).  Exposed for `vigil fence list`. */
bool fen_device_lists_target(const struct vg_resource *dev, const char *target);

/** The port @target has in a pcmk_host_map value, as a new string in *ret_port.
 *  0, -ENOENT (not in the map) or -ENOMEM. */
int fen_host_map_lookup(const char *map, const char *target, char **ret_port);

/** Whether the output of an agent's `list` action names @port or @target: each
 *  line is "plug[,alias]" (fence-agents) or a bare name. */
bool fen_list_output_has(const char *out, const char *port, const char *target);

/** The delay to wait before running a device, from pcmk_delay_base and
 *  pcmk_delay_max: base + (@random mod (max - base)) when max > base, else base.
 *  @random comes from the caller's RNG so tests choose it. */
uint64_t fen_delay_pick_ms(uint64_t base_ms, uint64_t max_ms, uint64_t random);

/** A cluster node as priority-fencing-delay sees it. */
struct fen_prio_node {
	const char *name;
	bool member;            /* a full cluster node (not remote/guest) */
	bool online;            /* in our partition */
};

/** A resource instance's priority where it runs (meta `priority`; a promoted
 *  instance counts its priority + 1, the caller adds that). */
struct fen_prio_rsc {
	const char *node;
	int priority;
};

/** priority-fencing-delay for fencing @target (Pacemaker's rule): @delay_ms
 *  when the target is a member outside our partition, our partition holds at
 *  most half of the members, node priorities (sums of their resources') are
 *  not all equal and the target's is the highest; else 0.  The delay applies
 *  to the first device of the first level only; the device's own
 *  pcmk_delay_base/max add to it. */
uint64_t fen_priority_delay_ms(const struct fen_prio_node *nodes, size_t n_nodes,
			       const struct fen_prio_rsc *rscs, size_t n_rscs,
			       const char *target, uint64_t delay_ms);

#endif /* VIGIL_FEN_PLAN_H */
