/*
 * policy.h - the scheduler: a pure function (cluster document, now) -> transition.
 *
 * pol_compute() reads the configuration and the status section of a struct
 * vg_cib and decides where every resource should run and what has to happen to
 * get there: which nodes to fence, which resources to stop, start, restart in
 * place or live-migrate, and in which order.  It explains every decision (a
 * reason per action, a reason per resource left stopped) as data, so that
 * `vigil simulate`, `vigil status` and the daemon's logs can say why.
 *
 * Purity: the engine has no globals, reads no clock (the caller passes `now`),
 * does no I/O, never logs, uses no randomness and iterates in document order or
 * in explicitly sorted order only, never in hash order.  The same document and
 * the same `now` give the same transition, byte for byte, on every machine.
 * tests/policy-purity.sh checks the libc symbols the objects import.
 *
 * The engine does not care which agent a primitive runs (VirtualDomain, a
 * fence agent, Pacemaker's Dummy): only the live daemon insists on
 * VirtualDomain.  This is what lets it run Pacemaker's own regression cases.
 *
 * Ownership: a struct pol_transition owns every string and array reachable
 * from it (names are copied, so the document may be freed first) and is
 * released with pol_transition_free().  Nothing returned points into the cib.
 *
 * Errors: 0 or -errno, as everywhere in Vigil.  -EINVAL comes with diagnostics
 * saying why; -ENOMEM without.
 *
 * doc/policy.md describes the pipeline and the rules, and why each is there.
 */
#ifndef VIGIL_POLICY_H
#define VIGIL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cib.h"
#include "diag.h"

/* What the caller may ask for beyond the transition itself.  A zeroed struct
 * (or NULL) means the defaults. */
struct pol_options {
	/* Fill pol_transition.scores (resource x node allocation scores), for
	 * `vigil simulate --show-scores`.  Costs one int per pair. */
	bool want_scores;
};

/* ---- the transition ---- */

enum pol_op {
	POL_OP_FENCE,           /* node: reboot it; its resources count as stopped after */
	POL_OP_STOP,            /* resource on node */
	POL_OP_START,           /* resource on node */
	POL_OP_MIGRATE,         /* resource live from `from` to `to` (migrate_to, migrate_from, stop) */
	POL_OP_RESTART,         /* resource stop + start in place (recovery on the same node) */
};

struct pol_action {
	unsigned id;            /* 1, 2, ... in the order of pol_transition.actions */
	enum pol_op op;
	const char *resource;   /* NULL for POL_OP_FENCE */
	const char *node;       /* fence, stop, start, restart; NULL for migrate */
	const char *from;       /* migrate only, else NULL */
	const char *to;         /* migrate only, else NULL */
	const unsigned *after;  /* ids this action waits for, ascending */
	size_t n_after;
	const char *reason;     /* why, for people: "peer is no longer part of the cluster",
	                         * "vm1 failed there", "node n1 is in standby", ... */
};

/* What happens to a resource, as crm_simulate's "Transition Summary" names it. */
enum pol_change {
	POL_CHANGE_NONE,        /* stays as it is (running or stopped) */
	POL_CHANGE_START,       /* stopped -> node */
	POL_CHANGE_STOP,        /* node -> stopped */
	POL_CHANGE_MOVE,        /* stop on one node, start on another */
	POL_CHANGE_MIGRATE,     /* live migration */
	POL_CHANGE_RECOVER,     /* failed: stop (or fence) and start, here or elsewhere */
	POL_CHANGE_RESTART,     /* healthy but restarted in place (a mandatory order forces it) */
};

struct pol_placement {
	const char *resource;
	const char *node;       /* where it runs once the transition is done, or NULL */
	const char *current;    /* where it runs now (first active node), or NULL */
	const char **active;    /* every node it is active on now, node order */
	size_t n_active;        /* how many (>1: multiple-active) */
	bool failed;            /* a failure in its history needs recovery */
	bool managed;           /* false: unmanaged, maintenance or blocked: left alone */
	bool blocked;           /* something should happen but cannot (no quorum, freeze,
	                         * failed stop without fencing, unrunnable order) */
	enum pol_change change;
	/* Why it ends stopped ("no node fits", "banned everywhere", "over capacity",
	 * "waiting for fencing of n3", "target-role=Stopped", "unmanaged",
	 * "no quorum", ...), why it moves, or why it is blocked.  NULL when there is
	 * nothing to explain. */
	const char *reason;
};

enum pol_node_state {
	POL_NODE_ONLINE,
	POL_NODE_OFFLINE,       /* left cleanly, or never seen with nothing to fear */
	POL_NODE_UNCLEAN,       /* may still run resources: must be fenced first */
	POL_NODE_STANDBY,       /* online, runs nothing */
	POL_NODE_MAINTENANCE,   /* online, its resources are left alone */
	POL_NODE_PENDING,       /* joining: runs nothing yet */
};

struct pol_node {
	const char *name;       /* uname */
	const char *id;
	enum pol_node_state state;
	bool online;            /* in the membership and its daemon is up */
	bool fenced;            /* this transition fences it */
	const char *unclean_reason;     /* NULL unless state == POL_NODE_UNCLEAN */
};

struct pol_transition {
	struct pol_action *actions;
	size_t n_actions;
	struct pol_placement *placement;        /* one per primitive, document order */
	size_t n_placement;
	const char **orphans;   /* resources still active somewhere but no longer configured:
	                         * this transition stops them */
	size_t n_orphans;
	struct pol_node *nodes;                 /* one per configured node, document order */
	size_t n_nodes;
	const char **warnings;  /* "fencing is disabled: recovering without fencing", ... */
	size_t n_warnings;
	bool have_quorum;
	/* With pol_options.want_scores: scores[r * n_nodes + n] is resource r's
	 * final allocation score on node n (placement and nodes order); NULL
	 * otherwise. */
	int *scores;

	void *arena_;           /* private: the memory everything above lives in */
};

/** Computes the transition for @cib at time @now (seconds since the epoch;
 *  the engine never reads a clock: failure-timeout expiry and everything else
 *  time-dependent is judged against @now).  @opt may be NULL.  On success sets
 *  *ret_tr (caller frees with pol_transition_free()).  Problems that do not
 *  stop the computation (an unknown resource in a constraint, say) go into
 *  @diags as warnings; a document the engine cannot decide on gives -EINVAL
 *  with errors.  -ENOMEM when memory runs out. */
int pol_compute(const struct vg_cib *cib, int64_t now, const struct pol_options *opt,
		struct pol_transition **ret_tr, struct vg_diags *diags);

/** Frees a transition.  NULL is fine. */
void pol_transition_free(struct pol_transition *tr);

/** Pretends every action of @tr succeeded: rewrites the status section of
 *  @cib_copy (a copy the caller owns, usually from vg_cib_dup() of the document
 *  @tr was computed from) the way crm_simulate --run does.  A fenced node
 *  becomes offline and clean and loses its operation history; a stop records a
 *  successful stop, a start a successful start, a migrate a migrate_to on the
 *  source, a migrate_from on the target and a stop on the source; a restart a
 *  stop and a start.  Operations are stamped with call ids after the node's
 *  last and with @now as last-rc-change.  0 or -ENOMEM (the copy is then
 *  partly updated and should be discarded). */
int pol_transition_apply(const struct pol_transition *tr, struct vg_cib *cib_copy, int64_t now);

/** Human names, for output: "fence", "stop", "start", "migrate", "restart". */
const char *pol_op_name(enum pol_op op);
/** "online", "offline", "unclean", "standby", "maintenance", "pending". */
const char *pol_node_state_name(enum pol_node_state state);
/** "none", "start", "stop", "move", "migrate", "recover", "restart". */
const char *pol_change_name(enum pol_change change);

#endif /* VIGIL_POLICY_H */
