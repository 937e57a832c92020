/*
 * cfgdoc.h - the configuration document as the core handles it: canonical XML
 * text in, canonical XML text out.
 *
 * The core keeps the configuration as text because that is what it replicates,
 * stores and checksums: every member turns the same input into the same bytes.
 * Edits (replace, update by id, set a property) and version stamping work on
 * the XML tree; checking and the canonical form are the cluster document
 * library's (lib/cib_xml.h), so vigild accepts exactly what
 * `vigil configure verify` accepts.  The <status> section is never part of the
 * replicated configuration: the DC keeps it (crmd_doc_status_*).
 *
 * Pure functions: no I/O, no logging, no globals (libxml2 aside).  Problems go
 * into the caller's diagnostics.  Returned buffers are malloc'ed,
 * NUL-terminated, the caller's; *ret_len excludes the NUL.  0 or -errno
 * (-EINVAL with diagnostics for a bad document).
 */
#ifndef VIGIL_CRMD_CFGDOC_H
#define VIGIL_CRMD_CFGDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "wire.h"

/** A minimal valid configuration, version 0:0:0. */
int crmd_doc_empty(char **ret_xml, size_t *ret_len);

/** Reads the version attributes of a <cib> document (missing ones are 0). */
int crmd_doc_version(const char *xml, size_t len, struct vg_cfg_version *ret_ver,
		     struct vg_diags *diags);

/** Checks @xml and writes it canonically without its <status>; when @ver is
 *  not NULL, stamps that version first.  This is the only way a document
 *  enters the core. */
int crmd_doc_normalize(const char *xml, size_t len, const struct vg_cfg_version *ver,
		       char **ret_xml, size_t *ret_len, struct vg_diags *diags);

/** Merges @upd into @cur: every element with an id in a configuration section
 *  of @upd replaces the element of the same name and id in @cur, or is added
 *  at the end of that section; nvpairs of property and defaults sets are
 *  merged by name.  @upd is a <cib> or a <configuration> document.  The
 *  result is checked, stamped with @ver (when not NULL) and canonical, as
 *  from crmd_doc_normalize(). */
int crmd_doc_update(const char *cur, size_t cur_len, const char *upd, size_t upd_len,
		    const struct vg_cfg_version *ver, char **ret_xml, size_t *ret_len,
		    struct vg_diags *diags);

/** Sets cluster property @name to @value in crm_config (the set
 *  "cib-bootstrap-options", else the first set, else a new one).  Result as
 *  for crmd_doc_update(). */
int crmd_doc_set_property(const char *cur, size_t cur_len, const char *name, const char *value,
			  const struct vg_cfg_version *ver, char **ret_xml, size_t *ret_len,
			  struct vg_diags *diags);

/* What the status output needs from a configuration. */
struct crmd_doc_node {
	char *id;
	char *uname;
	bool standby;
	bool maintenance;
};

struct crmd_doc_resource {
	char *id;
	char *agent;            /* "ocf:heartbeat:VirtualDomain", "stonith:fence_x" */
	char *target_role;      /* NULL when not set */
	bool unmanaged;         /* meta is-managed=false */
	bool maintenance;       /* meta maintenance=true */
	uint64_t monitor_ms;    /* interval of its recurring monitor op (0: none) */
	uint64_t monitor_timeout_ms; /* that op's timeout (0: not given) */
};

struct crmd_doc_summary {
	struct crmd_doc_node *nodes;
	size_t n_nodes;
	struct crmd_doc_resource *resources;   /* primitives, in document order */
	size_t n_resources;
	bool maintenance_mode;
};

int crmd_doc_summarize(const char *xml, size_t len, struct crmd_doc_summary **ret_summary);
void crmd_doc_summary_free(struct crmd_doc_summary *s);

/* A node_state of the status section, as the DC keeps it. */
struct crmd_node_state {
	uint32_t nodeid;
	char *uname;
	bool in_ccm;            /* in Corosync's membership */
	bool crmd;              /* its vigild is in the group */
	char *join;             /* "member", "pending", "down" */
	char *expected;         /* "member", "down" */
};

/** <status> with one node_state per entry, in the given order. */
int crmd_doc_status_build(const struct crmd_node_state *states, size_t n, char **ret_xml,
			  size_t *ret_len);
/** Parses what crmd_doc_status_build() wrote (as received from the DC). */
int crmd_doc_status_parse(const char *xml, size_t len, struct crmd_node_state **ret_states,
			  size_t *ret_n, struct vg_diags *diags);
void crmd_node_states_free(struct crmd_node_state *states, size_t n);

#endif /* VIGIL_CRMD_CFGDOC_H */
