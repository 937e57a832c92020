/*
 * cib.h - the cluster document as plain C structs.
 *
 * The document is a strict subset of Pacemaker's CIB: configuration (properties,
 * nodes, resources, constraints, fencing topology, defaults) and status (node
 * states and each resource's operation history).  Everything here is plain data:
 * no libxml2 types leak out, so the policy engine and the tests can build a
 * document by hand.
 *
 * Ownership: a struct vg_cib owns every string and array reachable from it; all
 * of it is released by vg_cib_free().  Strings are NUL-terminated, allocated with
 * malloc(); an absent optional attribute is NULL.  Arrays come as (pointer, count)
 * pairs; a count of 0 may go with a NULL pointer.
 *
 * Order: every array keeps document order.  The writer emits document order, so
 * read -> write -> read gives equal structs (vg_cib_equal()).
 *
 * Line numbers (`line`) are where the element started in the source, 0 for a
 * document built in memory; they are for diagnostics only and vg_cib_equal()
 * ignores them.
 *
 * Errors: functions return 0 or -errno, as everywhere in Vigil.
 */
#ifndef VIGIL_CIB_H
#define VIGIL_CIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pacemaker's scores: INFINITY is 1,000,000 and every sum saturates there. */
#define VG_SCORE_INFINITY 1000000
typedef int vg_score_t;

/* A name/value attribute we do not interpret but must carry through (Pacemaker's
 * bookkeeping such as cib-last-written, op-digest, crm-debug-origin). */
struct vg_attr {
	char *name;
	char *value;
};

struct vg_attrs {
	struct vg_attr *v;
	size_t n;
};

/* <nvpair id name value/>.  Pacemaker's schema lets value be absent; such a
 * pair is kept (value NULL) and written back, but vg_nvsets_get() skips it,
 * as Pacemaker does when it unpacks the set. */
struct vg_nvpair {
	char *id;
	char *name;
	char *value;            /* may be NULL */
	int line;
};

/* One <instance_attributes>, <meta_attributes>, <utilization>,
 * <cluster_property_set> element.  For a name present in several sets, the set
 * with the highest score wins, and among equal scores the first in document
 * order (Pacemaker's rule; a set without a score counts as 0). */
struct vg_nvset {
	char *id;
	bool has_score;         /* legacy score="..." on the set */
	vg_score_t score;
	struct vg_nvpair *pairs;
	size_t n_pairs;
	int line;
};

struct vg_nvsets {
	struct vg_nvset *v;
	size_t n;
};

/* ---- rules (rsc_location only) ---- */

enum vg_expr_op {
	VG_EXPR_EQ,
	VG_EXPR_NE,
	VG_EXPR_LT,
	VG_EXPR_GT,
	VG_EXPR_LTE,
	VG_EXPR_GTE,
	VG_EXPR_DEFINED,
	VG_EXPR_NOT_DEFINED,
};

enum vg_expr_type {
	VG_EXPR_TYPE_DEFAULT, /* attribute absent: string, or number if value looks numeric */
	VG_EXPR_TYPE_STRING,
	VG_EXPR_TYPE_INTEGER,
	VG_EXPR_TYPE_NUMBER,
	VG_EXPR_TYPE_VERSION,
};

/* <expression attribute="#uname" operation="eq" value="n1"/> */
struct vg_expr {
	char *id;
	char *attribute;
	enum vg_expr_op op;
	char *value;            /* NULL for defined / not_defined */
	enum vg_expr_type type;
	int line;
};

/* <rule score="..." | score-attribute="..." boolean-op="and|or"> */
struct vg_rule {
	char *id;
	bool has_score;
	vg_score_t score;
	char *score_attribute;  /* NULL unless given */
	bool boolean_or;        /* false: "and" (the default) */
	char *role;             /* NULL unless given */
	struct vg_expr *exprs;
	size_t n_exprs;
	struct vg_rule *rules;  /* nested rules, combined with the expressions */
	size_t n_rules;
	int line;
};

/* ---- configuration ---- */

struct vg_node {
	char *id;
	char *uname;
	char *type;             /* "member" or NULL (same) */
	char *description;
	struct vg_nvsets attrs;        /* instance_attributes: standby, maintenance, ... */
	struct vg_nvsets utilization;  /* cpu, memory, ... */
	int line;
};

struct vg_op {
	char *id;
	char *name;             /* monitor, start, stop, migrate_to, migrate_from, ... */
	char *interval;         /* as written (e.g. "10s"); NULL means 0 */
	uint64_t interval_ms;
	char *timeout;          /* as written; NULL when absent */
	uint64_t timeout_ms;    /* 0 when absent */
	char *role;
	char *on_fail;
	char *enabled;          /* as written; NULL when absent (enabled) */
	char *start_delay;      /* legacy start-delay, as written; NULL when absent */
	char *description;
	struct vg_nvsets meta;
	struct vg_nvsets instance;
	int line;
};

struct vg_resource {
	char *id;
	char *cls;              /* "ocf", "stonith", ... */
	char *provider;         /* NULL for stonith */
	char *type;             /* "VirtualDomain", the fence agent, ... */
	char *description;
	struct vg_nvsets instance;     /* config, hypervisor, pcmk_host_list, ... */
	struct vg_nvsets meta;         /* target-role, allow-migrate, ... */
	struct vg_nvsets utilization;
	char *ops_id;           /* id of <operations>, rarely given; NULL if absent */
	struct vg_op *ops;
	size_t n_ops;
	int line;
};

struct vg_location {
	char *id;
	char *rsc;
	char *node;             /* NULL when rules are used */
	bool has_score;
	vg_score_t score;
	char *role;
	char *resource_discovery;
	struct vg_rule *rules;
	size_t n_rules;
	int line;
};

struct vg_colocation {
	char *id;
	char *rsc;
	char *with_rsc;
	vg_score_t score;
	char *rsc_role;
	char *with_rsc_role;
	char *node_attribute;
	int line;
};

enum vg_order_kind {
	VG_ORDER_UNSET,         /* neither kind nor score: mandatory */
	VG_ORDER_MANDATORY,
	VG_ORDER_OPTIONAL,
	VG_ORDER_SERIALIZE,
};

struct vg_order {
	char *id;
	char *first;
	char *then;
	char *first_action;     /* NULL: start */
	char *then_action;      /* NULL: first_action */
	enum vg_order_kind kind;
	bool has_score;         /* legacy score="": 0 means optional, > 0 mandatory */
	vg_score_t score;
	char *symmetrical;      /* as written; NULL when absent */
	int line;
};

struct vg_fencing_level {
	char *id;
	char *target;           /* exactly one of target, target_pattern, */
	char *target_pattern;   /* target_attribute (+ target_value) is set */
	char *target_attribute;
	char *target_value;
	int index;              /* 1..9 */
	char *devices;          /* as written: comma-separated device ids */
	int line;
};

/* ---- status ---- */

struct vg_lrm_op {
	char *id;
	char *operation_key;
	char *operation;        /* start, stop, monitor, migrate_to, migrate_from, ... */
	char *transition_key;
	char *transition_magic;
	int call_id;
	int rc_code;
	int op_status;
	uint64_t interval_ms;
	bool has_last_rc_change;
	int64_t last_rc_change; /* seconds since the epoch */
	bool has_last_run;
	int64_t last_run;
	char *on_node;
	char *migrate_source;   /* migrate_to / migrate_from only */
	char *migrate_target;
	struct vg_attrs extra;  /* other Pacemaker bookkeeping, carried verbatim */
	int line;
};

struct vg_lrm_resource {
	char *id;
	char *cls;
	char *provider;
	char *type;
	struct vg_attrs extra;  /* shutdown-lock, carried verbatim */
	struct vg_lrm_op *ops;
	size_t n_ops;
	int line;
};

struct vg_node_state {
	char *id;               /* NULL only in old CIBs that give just the uname */
	char *uname;
	char *in_ccm;           /* "true" / "false" (or a timestamp in newer CIBs) */
	char *crmd;             /* "online" / "offline" (or a timestamp) */
	char *join;             /* member, down, pending, banned */
	char *expected;         /* member, down */
	struct vg_attrs extra;
	struct vg_nvsets transient;     /* transient_attributes: fail-count-*, ... */
	char *transient_id;             /* id of <transient_attributes>, NULL if absent */
	bool has_lrm;
	char *lrm_id;
	struct vg_attrs lrm_extra;      /* old bookkeeping on <lrm> (uname), verbatim */
	char *lrm_resources_id;         /* id of <lrm_resources>, rarely given */
	struct vg_lrm_resource *lrm;
	size_t n_lrm;
	int line;
};

struct vg_cib {
	/* <cib> */
	int admin_epoch;
	int epoch;
	int num_updates;
	char *validate_with;
	char *crm_feature_set;
	char *dc_uuid;
	char *have_quorum;      /* as written: "1"/"0"/"true"/"false"; NULL when absent */
	struct vg_attrs extra;  /* cib-last-written, update-origin, ... */

	/* <configuration> */
	struct vg_nvsets crm_config;
	struct vg_node *nodes;
	size_t n_nodes;
	struct vg_resource *resources;
	size_t n_resources;
	struct vg_location *locations;
	size_t n_locations;
	struct vg_colocation *colocations;
	size_t n_colocations;
	struct vg_order *orders;
	size_t n_orders;
	bool has_fencing_topology;
	struct vg_fencing_level *fencing_levels;
	size_t n_fencing_levels;
	struct vg_nvsets rsc_defaults;  /* meta_attributes sets */
	struct vg_nvsets op_defaults;

	/* <status> */
	struct vg_node_state *node_states;
	size_t n_node_states;
};

/** Frees the document and everything it owns.  NULL is fine. */
void vg_cib_free(struct vg_cib *cib);

/** Deep-copies @cib into *ret_copy (caller frees).  0 or -ENOMEM. */
int vg_cib_dup(const struct vg_cib *cib, struct vg_cib **ret_copy);

/** True when both documents hold the same data (line numbers ignored). */
bool vg_cib_equal(const struct vg_cib *a, const struct vg_cib *b);

/** The value of @name in the first set of @sets that has it, or NULL.
 *  The string belongs to the sets. */
const char *vg_nvsets_get(const struct vg_nvsets *sets, const char *name);

/** The value of @name in @attrs, or NULL. */
const char *vg_attrs_get(const struct vg_attrs *attrs, const char *name);

/** Parses a Pacemaker score: an integer, "INFINITY", "+INFINITY", "-INFINITY"
 *  (any case, as Pacemaker 2.1 compares them).  Integers beyond +/-INFINITY are
 *  clamped to it.  Anything else (Pacemaker's health colours red/yellow/green,
 *  trailing text, an empty string) is -EINVAL: Pacemaker would quietly read
 *  those as 0, which is never what the author meant.  0 or -EINVAL. */
int vg_score_parse(const char *s, vg_score_t *ret_score);

/** Adds two scores the way Pacemaker does: -INFINITY wins over +INFINITY, and
 *  the sum saturates at +/-INFINITY. */
vg_score_t vg_score_add(vg_score_t a, vg_score_t b);

/** Parses a duration into milliseconds, as Pacemaker's crm_get_msec() and its
 *  ISO 8601 reader do: a bare integer is seconds ("10"); units, any case, with
 *  optional blanks before them: ms/msec, us/usec (rounded down to ms), s/sec,
 *  m/min, h/hr ("500ms", "10s", "2min", "1h"); or ISO 8601 "P[nW][nD][T[nH][nM][nS]]"
 *  ("PT1M30S", "P1D"; like Pacemaker, "P40S" is read as 40 seconds).  There is
 *  no "d" unit (Pacemaker has none: write "24h" or "P1D"), and no fractions,
 *  months or years (Pacemaker truncates or guesses them).
 *  0, -EINVAL (not a duration) or -ERANGE (overflow). */
int vg_duration_parse(const char *s, uint64_t *ret_ms);

/** Pacemaker's boolean: true/on/yes/y/1 and false/off/no/n/0, any case.
 *  0 or -EINVAL. */
int vg_bool_parse(const char *s, bool *ret_value);

#endif /* VIGIL_CIB_H */
