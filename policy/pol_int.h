/*
 * pol_int.h - the policy engine's private model and the steps of its pipeline.
 *
 * pol_compute() unpacks the document once into this model, where nodes and
 * resources are small integers: every string id is hashed to its index up
 * front (struct pol_map) and the inner loops work on int arrays (scores are
 * one n_rscs x n_nodes matrix).  The steps run in the order of policy.c and
 * each reads only what earlier steps wrote.
 *
 * Ownership: struct pol_ctx and everything it points to live for one
 * pol_compute() call; strings point into the caller's struct vg_cib, or into
 * the transition's arena when they end up in the result.
 */
#ifndef VIGIL_POL_INT_H
#define VIGIL_POL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cib.h"
#include "diag.h"
#include "policy.h"

#define POL_INF VG_SCORE_INFINITY

/* ---- small utilities (pol_util.c) ---- */

/* A bump allocator: the transition's strings and arrays, freed all at once. */
struct pol_arena;
int pol_arena_new(struct pol_arena **ret);
void pol_arena_free(struct pol_arena *a);
void *pol_arena_alloc(struct pol_arena *a, size_t size);          /* zeroed; NULL: no memory */
char *pol_arena_strdup(struct pol_arena *a, const char *s);       /* NULL in, NULL out */
char *pol_arena_printf(struct pol_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* String -> index, open addressing.  Only ever looked up, never iterated, so
 * hash order cannot leak into decisions. */
struct pol_map {
	const char **keys;
	int *vals;
	size_t cap;             /* power of two */
	size_t n;
};
int pol_map_init(struct pol_map *m, size_t expected);
void pol_map_fini(struct pol_map *m);
/* Adds @key (not copied; must outlive the map).  An existing key keeps its
 * first value (document order wins).  0 or -ENOMEM. */
int pol_map_put(struct pol_map *m, const char *key, int val);
int pol_map_get(const struct pol_map *m, const char *key);       /* -1 if absent */
int pol_map_getn(const struct pol_map *m, const char *key, size_t len);

const char *pol_nvsets_get(const struct vg_nvsets *sets, const char *name);
const char *pol_attrs_get(const struct vg_attrs *attrs, const char *name);
int pol_score_parse(const char *s, int *ret);
int pol_score_add(int a, int b);
bool pol_bool(const char *s, bool dflt);
/* A duration in milliseconds ("10", "10s", "2min", "500ms", "PT1M"); -EINVAL. */
int pol_duration_ms(const char *s, uint64_t *ret_ms);
/* A plain integer, saturating at +/-INFINITY for "INFINITY"; -EINVAL. */
int pol_int_parse(const char *s, long long *ret);
bool pol_streq_i(const char *a, const char *b);

/* ---- the model ---- */

enum pol_nqp {                  /* no-quorum-policy */
	POL_NQP_STOP,
	POL_NQP_FREEZE,
	POL_NQP_IGNORE,
	POL_NQP_SUICIDE,
	POL_NQP_DEMOTE,
};

enum pol_strategy {
	POL_PLACE_DEFAULT,
	POL_PLACE_UTILIZATION,
	POL_PLACE_MINIMAL,
	POL_PLACE_BALANCED,
};

struct pol_nd {
	const struct vg_node *cfg;
	const struct vg_node_state *st;         /* NULL: never seen */
	const char *name;                       /* uname, else id */
	const char *id;
	bool online;
	bool unclean;
	bool standby;
	bool maintenance;
	bool pending;
	bool shutdown;
	bool expected_up;
	bool unseen;
	bool fence;                             /* a fence action is scheduled */
	bool stonith_failed_stop;               /* "RSC failed there" */
	const char *unclean_reason;             /* first reason wins */
	int health;                             /* node-health score, 0 without */
	long long *cap;                         /* [n_dims] capacity (0 when absent) */
	long long *used;                        /* [n_dims] assigned so far */
	int n_assigned;                         /* resources assigned so far */
	int name_rank;                          /* position of name in sorted order */
	struct pol_fc *fc;                      /* fail counts recorded on this node */
	size_t n_fc;
};

enum pol_on_fail {
	POL_ONFAIL_DEFAULT,
	POL_ONFAIL_IGNORE,
	POL_ONFAIL_RESTART,
	POL_ONFAIL_BLOCK,
	POL_ONFAIL_STOP,
	POL_ONFAIL_STANDBY,
	POL_ONFAIL_FENCE,
};

enum pol_multi {                /* multiple-active */
	POL_MULTI_STOP_START,
	POL_MULTI_STOP_ONLY,
	POL_MULTI_BLOCK,
	POL_MULTI_STOP_UNEXPECTED,
};

/* What the history says about one resource on one node. */
struct pol_hist {
	int rsc;
	int node;
	const struct vg_lrm_resource *lrm;
	bool active;            /* running (or maybe running) there */
	bool failed;            /* a failure there needs recovery */
	bool failed_stop;       /* a stop failed: only fencing makes it safe */
	bool known;             /* some op tells us the state (probe or later) */
	bool migrating_from;    /* a migrate_to succeeded here, the target took over or may */
	bool dangling;          /* migrated away completely, only the stop here is missing */
	bool has_migrate_to;    /* some migrate_to in this history */
	bool pending;
	bool blocked;           /* on-fail=block hit */
	bool stopped_by_failure;        /* on-fail=stop */
	int fail_count;         /* effective (failure-timeout applied) */
	int64_t last_failure;
	const char *failed_op;  /* name of the failed operation, for reasons */
	int last_call_id;
};

struct pol_coloc {
	int dep;                /* dependent: rsc */
	int pri;                /* primary: with-rsc */
	int score;
	const char *node_attribute;     /* NULL: #uname */
	const char *id;
};

struct pol_ord {
	int first, then;
	int first_act, then_act;        /* POL_OP_START / POL_OP_STOP */
	bool mandatory;
	bool symmetrical;
	const char *id;
};

struct pol_rs {
	const struct vg_resource *cfg;
	const char *id;
	int idx;

	/* meta */
	int priority;
	int stickiness;
	int migration_threshold;        /* 0: never forced away */
	uint64_t failure_timeout_ms;    /* 0: failures never expire */
	bool managed;
	bool maintenance;
	bool allow_migrate;
	bool critical;
	bool is_stonith;
	bool orphan;                    /* in the history only: no longer configured */
	bool target_stopped;            /* target-role=Stopped */
	bool requires_fencing;          /* starts wait for fencing (requires=fencing) */
	bool requires_quorum;
	enum pol_multi multiple_active;
	long long *util;                /* [n_dims] */
	bool has_util;

	/* status */
	struct pol_hist *hist;          /* this resource's history records */
	size_t n_hist;
	int *active;                    /* node indices where active, node order */
	size_t n_active;
	bool failed;                    /* some failure needs recovery */
	bool blocked;                   /* on-fail=block, or a failed stop that cannot be fenced */
	bool fatal;                     /* not-configured: may run nowhere */
	bool failure_ignored;           /* on-fail=ignore hid a failure: no threshold */
	bool blocks_on_failure;         /* an op has on-fail=block: fail counts never expire */
	int partial_src, partial_tgt;   /* an unfinished live migration, -1 if none */
	int mig_tgt_active;             /* a migration may have left it running there, or -1 */
	int dangling;                   /* a completed migration still to stop there, or -1 */
	bool no_migrate;                /* a migration went wrong: stop and start only */
	const char *stop_reason;        /* why it must be stopped everywhere */

	/* colocations, as indices into ctx->colocs */
	int *this_with;                 /* where this is the dependent */
	size_t n_this_with;
	int *with_this;                 /* where this is the primary */
	size_t n_with_this;

	/* assignment */
	int *score;                     /* row of ctx->score */
	int assigned;                   /* node index or -1 */
	bool provisional;
	bool assigning;
	bool merging;
	const char *unassigned_reason;
	bool banned_all;                /* every node -INFINITY by constraints */
	bool capacity_limited;          /* some node dropped for capacity */

	/* actions */
	int stop_action[2];             /* unused slots are 0 */
	int start_action;
	int migrate_action;
	int restart_action;
	int *stop_ids;                  /* action ids of stops, one per active node */
	size_t n_stop_ids;
	bool start_unrunnable;          /* blocked start */
	const char *block_reason;
	enum pol_change change;
	const char *change_reason;
	bool restart_forced;            /* a mandatory order restarts it */
};

/* One action being built; turned into struct pol_action at the end. */
struct pol_act {
	enum pol_op op;
	int rsc;                        /* -1 for fence */
	int node;                       /* fence/start/stop/restart; migrate: target */
	int from;                       /* migrate source, else -1 */
	const char *reason;
	int *after;                     /* indices into ctx->acts */
	size_t n_after, cap_after;
	unsigned id;
	int group;                      /* sort class */
	int seq;                        /* creation order */
};

struct pol_ctx {
	const struct vg_cib *cib;
	int64_t now;
	struct vg_diags *diags;
	struct pol_arena *arena;

	/* properties */
	bool stonith_enabled;
	bool have_stonith_rsc;
	bool symmetric;
	bool maintenance_mode;
	bool stop_all;
	bool start_failure_fatal;
	bool startup_fencing;
	bool have_quorum;
	enum pol_nqp nqp;
	enum pol_strategy strategy;
	int health_strategy;            /* 0 none, 1 migrate-on-red, 2 only-green, 3 progressive, 4 custom */
	int health_red, health_yellow, health_green, health_base;

	/* nodes */
	struct pol_nd *nodes;
	size_t n_nodes;
	struct pol_map node_by_name;    /* uname and id -> index */
	bool any_pending;               /* some online node is still joining */

	/* utilization dimensions: the names any resource asks for */
	const char **dims;
	size_t n_dims;

	/* resources: the configured ones, then the orphans (found in the
	 * history but no longer configured), which are only ever stopped */
	struct pol_rs *rscs;
	size_t n_rscs;
	size_t n_cfg_rscs;
	struct vg_resource *orphan_cfgs;
	struct pol_map rsc_by_id;
	struct pol_hist *hist;          /* all records, grouped by resource */
	size_t n_hist;
	int *active_store;

	struct pol_coloc *colocs;
	size_t n_colocs;
	int *coloc_store;
	struct pol_ord *ords;
	size_t n_ords;

	int *score;                     /* n_rscs x n_nodes */
	unsigned char *why;             /* n_rscs x n_nodes: enum pol_why of a -INFINITY */
	long long *bmax, *bsum;         /* scratch for the balanced strategy, per node */
	int *order;                     /* assignment order of resources */

	/* actions */
	struct pol_act *acts;
	size_t n_acts, cap_acts;

	const char **warnings;
	size_t n_warnings, cap_warnings;
};

/* Why a node is out of the question for a resource, for the reasons the
 * transition gives (the first cause recorded wins). */
enum pol_why {
	POL_WHY_NONE,
	POL_WHY_LOCATION,       /* a location constraint or rule */
	POL_WHY_FAILURE,        /* failed there (threshold, failed stop, hard error) */
	POL_WHY_COLOC,          /* a colocation */
	POL_WHY_CAPACITY,       /* not enough free utilization */
	POL_WHY_ABSENT,         /* asymmetric cluster, no location allows it */
	POL_WHY_HEALTH,         /* node health */
};

static inline void pol_note_ban(struct pol_ctx *c, int r, int n, enum pol_why why);

static inline int *pol_score_row(struct pol_ctx *c, int r)
{
	return c->score + (size_t)r * c->n_nodes;
}

static inline void pol_note_ban(struct pol_ctx *c, int r, int n, enum pol_why why)
{
	unsigned char *w = &c->why[(size_t)r * c->n_nodes + (size_t)n];

	if (*w == POL_WHY_NONE)
		*w = (unsigned char)why;
}

/* A node that may run resources at all (online, clean, not standby,
 * maintenance, pending or shutting down). */
static inline bool pol_node_usable(const struct pol_nd *n)
{
	return n->online && !n->unclean && !n->standby && !n->maintenance && !n->pending &&
	       !n->shutdown;
}

int pol_warn(struct pol_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fencing is on, a device exists, and quorum (or policy) allows fencing @nd. */
bool pol_can_fence(const struct pol_ctx *c, const struct pol_nd *nd);

/* ---- pipeline steps ---- */

/* pol_unpack.c */
int pol_unpack_properties(struct pol_ctx *c);
int pol_unpack_nodes(struct pol_ctx *c);
int pol_unpack_resources(struct pol_ctx *c);
int pol_unpack_constraints(struct pol_ctx *c);
int pol_unpack_status(struct pol_ctx *c);

/* pol_rule.c: does @rule hold on node @n?  *ret_score gets its score. */
bool pol_rule_eval(struct pol_ctx *c, const struct vg_rule *rule, int n, int *ret_score);
const char *pol_node_attr(struct pol_ctx *c, int n, const char *name);

/* pol_assign.c */
int pol_apply_locations(struct pol_ctx *c);
int pol_assign_all(struct pol_ctx *c);

/* pol_actions.c */
int pol_create_actions(struct pol_ctx *c);
int pol_build_transition(struct pol_ctx *c, const struct pol_options *opt,
			 struct pol_transition **ret_tr);

#endif /* VIGIL_POL_INT_H */
