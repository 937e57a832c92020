/* cib_spec.c - attribute tables shared by the reader and the writer; see
 * cib_spec.h.  The order of each table is the order the writer emits. */
#include "config.h"

#include <string.h>

#include "cib_spec.h"

#define SPEC(var, elem, ...)                                                      \
	static const struct vg_spec_attr var##_attrs[] = { __VA_ARGS__ };         \
	const struct vg_spec var = { elem, var##_attrs,                           \
				     sizeof(var##_attrs) / sizeof(var##_attrs[0]) }
#define F(n) { n, false }
#define X(n) { n, true }

SPEC(vg_spec_cib, "cib", F("crm_feature_set"), F("validate-with"), F("epoch"),
     F("num_updates"), F("admin_epoch"), X("cib-last-written"), X("update-origin"),
     X("update-client"), X("update-user"), F("have-quorum"), F("dc-uuid"),
     X("execution-date"), X("no-quorum-panic"), X("remote-tls-port"),
     X("remote-clear-port"));
const struct vg_spec vg_spec_noattr = { "", NULL, 0 };
SPEC(vg_spec_id_only, "", F("id"));
SPEC(vg_spec_nvset, "", F("id"), F("score"));
SPEC(vg_spec_nvpair, "nvpair", F("id"), F("name"), F("value"));
SPEC(vg_spec_node, "node", F("id"), F("uname"), F("type"), F("description"));
SPEC(vg_spec_primitive, "primitive", F("id"), F("class"), F("provider"), F("type"),
     F("description"));
SPEC(vg_spec_op, "op", F("id"), F("name"), F("interval"), F("timeout"), F("role"),
     F("on-fail"), F("enabled"), F("start-delay"), F("description"));
SPEC(vg_spec_location, "rsc_location", F("id"), F("rsc"), F("role"), F("node"), F("score"),
     F("resource-discovery"));
SPEC(vg_spec_rule, "rule", F("id"), F("score"), F("score-attribute"), F("boolean-op"),
     F("role"));
SPEC(vg_spec_expression, "expression", F("id"), F("attribute"), F("operation"), F("value"),
     F("type"));
SPEC(vg_spec_colocation, "rsc_colocation", F("id"), F("rsc"), F("rsc-role"), F("with-rsc"),
     F("with-rsc-role"), F("node-attribute"), F("score"));
SPEC(vg_spec_order, "rsc_order", F("id"), F("first"), F("first-action"), F("then"),
     F("then-action"), F("kind"), F("score"), F("symmetrical"));
SPEC(vg_spec_level, "fencing-level", F("id"), F("target"), F("target-pattern"),
     F("target-attribute"), F("target-value"), F("index"), F("devices"));
SPEC(vg_spec_node_state, "node_state", F("id"), F("uname"), F("in_ccm"), F("crmd"),
     X("crm-debug-origin"), F("join"), F("expected"), X("shutdown"), X("ha"),
     X("clear_state"));
SPEC(vg_spec_lrm, "lrm", F("id"), X("uname"));
SPEC(vg_spec_lrm_resource, "lrm_resource", F("id"), F("type"), F("class"), F("provider"),
     X("shutdown-lock"));
SPEC(vg_spec_lrm_rsc_op, "lrm_rsc_op", F("id"), F("operation_key"), F("operation"),
     X("crm-debug-origin"), X("crm_feature_set"), F("transition-key"),
     F("transition-magic"), X("exit-reason"), F("on_node"), F("call-id"), F("rc-code"),
     F("op-status"), F("interval"), F("last-run"), F("last-rc-change"), X("exec-time"),
     X("queue-time"), X("op-digest"), X("op-force-restart"), X("op-restart-digest"),
     X("op-secure-params"), X("op-secure-digest"), F("migrate_source"),
     F("migrate_target"), X("migrate_from"));

bool vg_spec_known_element(const char *name)
{
	static const char *const known[] = {
		"cib", "configuration", "crm_config", "cluster_property_set", "nvpair",
		"nodes", "node", "instance_attributes", "meta_attributes", "utilization",
		"resources", "primitive", "operations", "op", "constraints", "rsc_location",
		"rule", "expression", "rsc_colocation", "rsc_order", "fencing-topology",
		"fencing-level", "rsc_defaults", "op_defaults", "acls", "tags", "alerts",
		"status", "node_state", "transient_attributes", "lrm", "lrm_resources",
		"lrm_resource", "lrm_rsc_op",
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i], name))
			return true;
	return false;
}
