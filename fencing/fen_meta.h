/*
 * fen_meta.h - a fence agent's metadata, and checking a device against it.
 *
 * Every fence agent prints an XML description of itself for action=metadata:
 * its parameters (name, required, deprecated/obsoletes, type, short
 * description) and the actions it supports.  `vigil configure verify` uses it,
 * when the agents are installed, to catch typos and missing parameters in a
 * device's instance attributes before the device is needed at 3 a.m.
 *
 * The XML is parsed hardened: no network, no entity substitution, no DTD
 * loading, and a document carrying a DOCTYPE is refused outright (agents never
 * need one; a DOCTYPE is where entity tricks live).
 *
 * Ownership: *ret_meta is the caller's (fen_meta_free(), NULL fine), set only
 * on success; it holds copies, nothing points into the input.
 */
#ifndef VIGIL_FEN_META_H
#define VIGIL_FEN_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cib.h"
#include "diag.h"

struct fen_meta_param {
	char *name;
	bool required;
	bool deprecated;
	char *obsoletes;        /* the older name this one replaces; NULL if none */
	char *type;             /* content type: string, boolean, integer, select, ...; may be NULL */
	char *default_value;    /* may be NULL */
	char *shortdesc;        /* may be NULL */
};

struct fen_meta {
	char *agent;            /* resource-agent name attribute */
	char *shortdesc;
	struct fen_meta_param *params;
	size_t n_params;
	char **actions;         /* action names, document order */
	size_t n_actions;
};

/** Parses an agent's metadata.  0, -EINVAL (not metadata; a diagnostic says
 *  why), -EFBIG (over 1 MiB) or -ENOMEM. */
int fen_meta_parse(const char *xml, size_t len, struct fen_meta **ret_meta,
		   struct vg_diags *diags);

void fen_meta_free(struct fen_meta *meta);

/** The parameter named @name, or NULL. */
const struct fen_meta_param *fen_meta_param(const struct fen_meta *meta, const char *name);

/** Whether the agent says it supports @action (e.g. "list", "status"). */
bool fen_meta_has_action(const struct fen_meta *meta, const char *action);

/** Checks a device's instance attributes against its agent's metadata:
 *  an attribute the agent does not know is a warning (the agent would ignore
 *  it: likely a typo), a deprecated one is a warning naming its replacement, a
 *  required parameter given neither directly nor by the name it obsoletes (or
 *  that obsoletes it) is an error.  pcmk_* attributes are ours and skipped,
 *  and so are the parameters the fencer supplies itself (action, port, plug,
 *  nodename and the device's pcmk_host_argument).
 *  0, or -EINVAL when an error was reported. */
int fen_meta_validate(const struct fen_meta *meta, const struct vg_resource *dev,
		      struct vg_diags *diags);

/** Runs @agent's metadata action and parses it - synchronously, on a private
 *  qb_loop: for `vigil`, not for the daemon's main loop.  @agent_dirs as in
 *  struct fen_runner_opts (NULL: the default).  0, -ENOENT (no such agent),
 *  -ETIMEDOUT, -EIO (the agent failed; a diagnostic has its message), or what
 *  fen_meta_parse() returns. */
int fen_meta_load(const char *const *agent_dirs, const char *agent, uint64_t timeout_ms,
		  struct fen_meta **ret_meta, struct vg_diags *diags);

#endif /* VIGIL_FEN_META_H */
