/*
 * cib_spec.h - the attributes each element of the cluster document may carry,
 * in the order Pacemaker writes them (internal to lib/).
 *
 * The reader and the writer share these tables, so what one accepts the other
 * emits, in one canonical order.  An attribute is either a "field" (it has a
 * member in the structs of cib.h) or an "extra" (Pacemaker bookkeeping kept
 * verbatim in a struct vg_attrs).  Anything not listed is refused by the
 * reader, naming it.
 *
 * Each table's entries are indexed by the enum next to it.
 */
#ifndef VIGIL_CIB_SPEC_H
#define VIGIL_CIB_SPEC_H

#include <stdbool.h>
#include <stddef.h>

struct vg_spec_attr {
	const char *name;
	bool extra;
};

struct vg_spec {
	const char *element;
	const struct vg_spec_attr *attrs;
	size_t n_attrs;
};

/* The most attributes any element has (lrm_rsc_op). */
#define VG_SPEC_MAX_ATTRS 32

enum { CIB_FEATURE_SET, CIB_VALIDATE_WITH, CIB_EPOCH, CIB_NUM_UPDATES, CIB_ADMIN_EPOCH,
       CIB_LAST_WRITTEN, CIB_UPDATE_ORIGIN, CIB_UPDATE_CLIENT, CIB_UPDATE_USER,
       CIB_HAVE_QUORUM, CIB_DC_UUID, CIB_EXECUTION_DATE, CIB_NO_QUORUM_PANIC,
       CIB_REMOTE_TLS_PORT, CIB_REMOTE_CLEAR_PORT };
extern const struct vg_spec vg_spec_cib;

enum { NOATTR_NONE };
extern const struct vg_spec vg_spec_noattr; /* configuration, nodes, status, ... */

enum { ID_ID };
extern const struct vg_spec vg_spec_id_only; /* operations, transient_attributes, lrm_resources */

enum { NVSET_ID, NVSET_SCORE };
extern const struct vg_spec vg_spec_nvset;

enum { NVPAIR_ID, NVPAIR_NAME, NVPAIR_VALUE };
extern const struct vg_spec vg_spec_nvpair;

enum { NODE_ID, NODE_UNAME, NODE_TYPE, NODE_DESCRIPTION };
extern const struct vg_spec vg_spec_node;

enum { PRIM_ID, PRIM_CLASS, PRIM_PROVIDER, PRIM_TYPE, PRIM_DESCRIPTION };
extern const struct vg_spec vg_spec_primitive;

enum { OP_ID, OP_NAME, OP_INTERVAL, OP_TIMEOUT, OP_ROLE, OP_ON_FAIL, OP_ENABLED,
       OP_START_DELAY, OP_DESCRIPTION };
extern const struct vg_spec vg_spec_op;

enum { LOC_ID, LOC_RSC, LOC_ROLE, LOC_NODE, LOC_SCORE, LOC_RESOURCE_DISCOVERY };
extern const struct vg_spec vg_spec_location;

enum { RULE_ID, RULE_SCORE, RULE_SCORE_ATTRIBUTE, RULE_BOOLEAN_OP, RULE_ROLE };
extern const struct vg_spec vg_spec_rule;

enum { EXPR_ID, EXPR_ATTRIBUTE, EXPR_OPERATION, EXPR_VALUE, EXPR_TYPE };
extern const struct vg_spec vg_spec_expression;

enum { COLO_ID, COLO_RSC, COLO_RSC_ROLE, COLO_WITH_RSC, COLO_WITH_RSC_ROLE,
       COLO_NODE_ATTRIBUTE, COLO_SCORE };
extern const struct vg_spec vg_spec_colocation;

enum { ORD_ID, ORD_FIRST, ORD_FIRST_ACTION, ORD_THEN, ORD_THEN_ACTION, ORD_KIND, ORD_SCORE,
       ORD_SYMMETRICAL };
extern const struct vg_spec vg_spec_order;

enum { LVL_ID, LVL_TARGET, LVL_TARGET_PATTERN, LVL_TARGET_ATTRIBUTE, LVL_TARGET_VALUE,
       LVL_INDEX, LVL_DEVICES };
extern const struct vg_spec vg_spec_level;

enum { NS_ID, NS_UNAME, NS_IN_CCM, NS_CRMD, NS_DEBUG_ORIGIN, NS_JOIN, NS_EXPECTED,
       NS_SHUTDOWN, NS_HA, NS_CLEAR_STATE };
extern const struct vg_spec vg_spec_node_state;

enum { LRM_ID, LRM_UNAME };
extern const struct vg_spec vg_spec_lrm;

enum { LR_ID, LR_TYPE, LR_CLASS, LR_PROVIDER, LR_SHUTDOWN_LOCK };
extern const struct vg_spec vg_spec_lrm_resource;

enum { LO_ID, LO_OPERATION_KEY, LO_OPERATION, LO_DEBUG_ORIGIN, LO_FEATURE_SET,
       LO_TRANSITION_KEY, LO_TRANSITION_MAGIC, LO_EXIT_REASON, LO_ON_NODE, LO_CALL_ID,
       LO_RC_CODE, LO_OP_STATUS, LO_INTERVAL, LO_LAST_RUN, LO_LAST_RC_CHANGE, LO_EXEC_TIME,
       LO_QUEUE_TIME, LO_OP_DIGEST, LO_OP_FORCE_RESTART, LO_OP_RESTART_DIGEST,
       LO_OP_SECURE_PARAMS, LO_OP_SECURE_DIGEST, LO_MIGRATE_SOURCE, LO_MIGRATE_TARGET,
       LO_MIGRATE_FROM };
extern const struct vg_spec vg_spec_lrm_rsc_op;

/** Whether @name is an element of the document we know (anywhere). */
bool vg_spec_known_element(const char *name);

#endif /* VIGIL_CIB_SPEC_H */
