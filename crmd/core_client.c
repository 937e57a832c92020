/*
 * core_client.c - client requests and their JSON answers.
 *
 * A request is one JSON object with "version" (VG_CLIENT_PROTOCOL, 1) and
 * "op"; every answer has "version", "rc" (0 or -errno) and, on failure,
 * "error" (a stable code: bad-request, no-quorum, conflict, invalid, busy,
 * timeout, io, failed) and "message" for people, plus "diagnostics" when a
 * document was refused.  doc/daemon.md lists the operations.
 *
 * Requests are untrusted input: every field is checked for presence and type.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>

#include "core_int.h"

#define CLIENT_PROTOCOL 1

static void reply_json(struct crmd_core *c, uint64_t client_id, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	c->env.reply(c->env.ctx, client_id, s ? s : "{\"version\":1,\"rc\":-12}");
	json_object_put(o);
}

static json_object *new_reply(int rc)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(CLIENT_PROTOCOL));
	json_object_object_add(o, "rc", json_object_new_int(rc));
	return o;
}

void client_reply_error(struct crmd_core *c, uint64_t client_id, int rc, const char *code,
			const struct vg_diags *diags, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	json_object *o = new_reply(rc);
	json_object_object_add(o, "error", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(msg ? msg : code));
	if (diags && diags->n) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < diags->n; i++) {
			const struct vg_diag *g = &diags->v[i];
			json_object *e = json_object_new_object();
			json_object_object_add(e, "severity", json_object_new_string(
				g->severity == VG_DIAG_ERROR ? "error" : "warning"));
			json_object_object_add(e, "line", json_object_new_int(g->line));
			if (g->where)
				json_object_object_add(e, "where", json_object_new_string(g->where));
			json_object_object_add(e, "message", json_object_new_string(g->message));
			json_object_array_add(arr, e);
		}
		json_object_object_add(o, "diagnostics", arr);
	}
	free(msg);
	reply_json(c, client_id, o);
}

void client_reply_ok(struct crmd_core *c, uint64_t client_id, const char *message)
{
	json_object *o = new_reply(0);
	if (message)
		json_object_object_add(o, "message", json_object_new_string(message));
	char v[48];
	snprintf(v, sizeof(v), "%" PRIu32 ":%" PRIu32 ":%" PRIu32, c->cfg_ver.admin_epoch,
		 c->cfg_ver.epoch, c->cfg_ver.num_updates);
	json_object_object_add(o, "config_version", json_object_new_string(v));
	reply_json(c, client_id, o);
}

/* ---- status ---- */

static const char *display_state(const struct crmd_node_state *ns, bool standby, bool maintenance)
{
	if (ns->crmd && ns->join && !strcmp(ns->join, "member"))
		return maintenance ? "maintenance" : standby ? "standby" : "online";
	if (ns->crmd)
		return "pending";
	if (!ns->in_ccm && ns->expected && !strcmp(ns->expected, "member"))
		return "unclean";
	return "offline";
}

static const struct crmd_doc_node *config_node(const struct crmd_doc_summary *s, uint32_t nodeid,
					       const char *uname)
{
	for (size_t i = 0; s && i < s->n_nodes; i++) {
		const struct crmd_doc_node *n = &s->nodes[i];
		char *end = NULL;
		unsigned long id = n->id ? strtoul(n->id, &end, 10) : 0;
		if ((end && !*end && id == nodeid) || (uname && n->uname && !strcmp(uname, n->uname)))
			return n;
	}
	return NULL;
}

static void add_node(json_object *arr, const struct crmd_node_state *ns,
		     const struct crmd_doc_summary *sum, uint32_t dc)
{
	const struct crmd_doc_node *cn = config_node(sum, ns->nodeid, ns->uname);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(ns->uname ? ns->uname : ""));
	json_object_object_add(o, "id", json_object_new_int64(ns->nodeid));
	json_object_object_add(o, "state", json_object_new_string(
		display_state(ns, cn && cn->standby, cn && cn->maintenance)));
	json_object_object_add(o, "dc", json_object_new_boolean(dc && dc == ns->nodeid));
	json_object_object_add(o, "in_ccm", json_object_new_boolean(ns->in_ccm));
	json_object_object_add(o, "crmd", json_object_new_string(ns->crmd ? "online" : "offline"));
	json_object_object_add(o, "join", json_object_new_string(ns->join ? ns->join : "down"));
	json_object_object_add(o, "expected",
			       json_object_new_string(ns->expected ? ns->expected : "down"));
	json_object_array_add(arr, o);
}

static void reply_status(struct crmd_core *c, uint64_t client_id)
{
	/* Parsing a large configuration for every status request would cost more
	 * than everything else here: the summary lives as long as the document. */
	if (!c->summary && c->cfg)
		crmd_doc_summarize(c->cfg, c->cfg_len, &c->summary);
	const struct crmd_doc_summary *sum = c->summary;
	uint32_t dc = crmd_core_dc(c);

	/* The DC's status section when there is an acting DC that sent one; this
	 * member's own view otherwise (a partition without quorum has no DC). */
	struct crmd_node_state *local = NULL;
	size_t n_local = 0;
	core_node_states(c, &local, &n_local);
	const struct crmd_node_state *st = local;
	size_t n = n_local;
	if (dc && c->dc_status && c->dc_status_from == dc) {
		st = c->dc_status;
		n = c->n_dc_status;
	}

	json_object *o = new_reply(0);
	json_object_object_add(o, "cluster_name", json_object_new_string(c->cluster_name));
	json_object *self = json_object_new_object();
	json_object_object_add(self, "name", json_object_new_string(c->local_name));
	json_object_object_add(self, "id", json_object_new_int64(c->local_nodeid));
	json_object_object_add(o, "local_node", self);
	json_object_object_add(o, "quorate", json_object_new_boolean(crmd_core_quorate(c)));
	json_object_object_add(o, "may_change",
			       json_object_new_boolean(core_may_change(c, NULL, 0) && !c->round_active));
	const char *dcname = dc ? core_node_name(c, dc) : NULL;
	json_object_object_add(o, "dc", dc ? json_object_new_string(dcname ? dcname : "?") : NULL);
	json_object_object_add(o, "dc_id", dc ? json_object_new_int64(dc) : NULL);
	json_object_object_add(o, "synced", json_object_new_boolean(crmd_core_synced(c)));
	char v[48];
	snprintf(v, sizeof(v), "%" PRIu32 ":%" PRIu32 ":%" PRIu32, c->cfg_ver.admin_epoch,
		 c->cfg_ver.epoch, dc && c->dc_status_from == dc ? c->num_updates : 0);
	json_object_object_add(o, "config_version", json_object_new_string(v));

	json_object *nodes = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		add_node(nodes, &st[i], sum, dc);
	/* Nodes only the configuration knows. */
	for (size_t i = 0; sum && i < sum->n_nodes; i++) {
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = config_node(sum, st[k].nodeid, st[k].uname) == &sum->nodes[i];
		if (seen)
			continue;
		char *end = NULL;
		unsigned long id = sum->nodes[i].id ? strtoul(sum->nodes[i].id, &end, 10) : 0;
		struct crmd_node_state extra = {
			.nodeid = end && !*end ? (uint32_t)id : 0,
			.uname = sum->nodes[i].uname ? sum->nodes[i].uname : sum->nodes[i].id,
		};
		add_node(nodes, &extra, sum, dc);
	}
	json_object_object_add(o, "nodes", nodes);

	json_object *rscs = json_object_new_array();
	for (size_t i = 0; sum && i < sum->n_resources; i++) {
		const struct crmd_doc_resource *r = &sum->resources[i];
		json_object *ro = json_object_new_object();
		json_object_object_add(ro, "id", json_object_new_string(r->id ? r->id : ""));
		json_object_object_add(ro, "agent", json_object_new_string(r->agent ? r->agent : ""));
		const char *where = NULL;
		const char *state = crmd_core_rsc_state(c, r->id ? r->id : "", &where);
		json_object_object_add(ro, "state", json_object_new_string(state));
		json_object_object_add(ro, "node", where ? json_object_new_string(where) : NULL);
		if (r->target_role)
			json_object_object_add(ro, "target_role",
					       json_object_new_string(r->target_role));
		json_object_object_add(ro, "managed", json_object_new_boolean(!r->unmanaged &&
									       !r->maintenance));
		json_object_object_add(ro, "maintenance", json_object_new_boolean(r->maintenance));
		json_object_object_add(ro, "failures", rsc_failures_json(c, r->id ? r->id : ""));
		json_object_array_add(rscs, ro);
	}
	json_object_object_add(o, "resources", rscs);
	json_object_object_add(o, "maintenance_mode",
			       json_object_new_boolean(sum && sum->maintenance_mode));
	json_object_object_add(o, "dropped_messages", json_object_new_int64((int64_t)c->dropped));
	fence_status_annotate(c, o);
	crmd_node_states_free(local, n_local);
	reply_json(c, client_id, o);
}

static void reply_show(struct crmd_core *c, uint64_t client_id)
{
	json_object *o = new_reply(0);
	char v[48];
	snprintf(v, sizeof(v), "%" PRIu32 ":%" PRIu32 ":%" PRIu32, c->cfg_ver.admin_epoch,
		 c->cfg_ver.epoch, c->cfg_ver.num_updates);
	json_object_object_add(o, "config_version", json_object_new_string(v));
	json_object_object_add(o, "synced", json_object_new_boolean(crmd_core_synced(c)));
	json_object_object_add(o, "xml", json_object_new_string_len(c->cfg ? c->cfg : "",
								    (int)c->cfg_len));
	reply_json(c, client_id, o);
}

/* ---- changes ---- */

static const char *get_string(json_object *req, const char *key, size_t *ret_len)
{
	json_object *v;
	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	if (ret_len)
		*ret_len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

static void submit_change(struct crmd_core *c, uint64_t client_id, json_object *req,
			  uint32_t op)
{
	struct vg_msg_config_change m = { .op = op };
	struct vg_diags d = { 0 };
	if (op == VG_CHANGE_PROPERTY) {
		const char *name = get_string(req, "name", NULL);
		const char *value = get_string(req, "value", NULL);
		if (!name || !value || !*name) {
			client_reply_error(c, client_id, -EINVAL, "bad-request", NULL,
					   "a property change needs \"name\" and \"value\"");
			return;
		}
		m.name = strdup(name);
		m.value = strdup(value);
	} else {
		size_t len = 0;
		const char *xml = get_string(req, "xml", &len);
		if (!xml || !len || memchr(xml, '\0', len)) {
			client_reply_error(c, client_id, -EINVAL, "bad-request", NULL,
					   "a document change needs \"xml\"");
			return;
		}
		m.xml = malloc(len + 1);
		if (m.xml) {
			memcpy(m.xml, xml, len);
			m.xml[len] = '\0';
		}
		m.xml_len = len;
	}
	if ((op == VG_CHANGE_PROPERTY && (!m.name || !m.value)) ||
	    (op != VG_CHANGE_PROPERTY && !m.xml)) {
		vg_msg_config_change_clear(&m);
		client_reply_error(c, client_id, -ENOMEM, "failed", NULL, "out of memory");
		return;
	}

	/* Refuse early what would be refused anyway in a partition known to be
	 * without quorum.  Everything else is decided on delivery, by every member
	 * alike, with the same diagnostics: checking the document here too would
	 * only double the work for large configurations. */
	char why[96];
	if (core_quorum_known(c) && !c->round_active && !core_may_change(c, why, sizeof(why))) {
		vg_msg_config_change_clear(&m);
		client_reply_error(c, client_id, -EAGAIN, "no-quorum", NULL,
				   "%s: this partition may not change the configuration", why);
		return;
	}
	int rc;
	if (op == VG_CHANGE_REPLACE) {
		struct vg_cfg_version f;
		if (!crmd_doc_version(m.xml, m.xml_len, &f, &d)) {
			m.flags |= VG_CHANGE_HAS_BASE;
			m.base = f;
		}
		vg_diags_clear(&d);
	}
	rc = config_submit(c, client_id, &m);
	if (rc) {
		vg_msg_config_change_clear(&m);
		client_reply_error(c, client_id, rc, "failed", NULL, "cannot send the change: %s",
				   strerror(-rc));
	}
}

/* Node name -> id, from what the core knows of the cluster's nodes. */
static uint32_t node_id_by_name(const struct crmd_core *c, const char *name)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].name && !strcmp(c->nodes[i].name, name))
			return c->nodes[i].nodeid;
	return 0;
}

/* {"op": "rsc-cleanup", "rsc": R (optional), "node": N (optional),
 *  "probe": bool (default true)}: forget failures (and re-probe). */
static void rsc_cleanup_request(struct crmd_core *c, uint64_t client_id, json_object *req)
{
	const char *rsc = get_string(req, "rsc", NULL);
	const char *node = get_string(req, "node", NULL);
	json_object *v;
	bool probe = !json_object_object_get_ex(req, "probe", &v) || json_object_get_boolean(v);
	if (!c->summary && c->cfg)
		crmd_doc_summarize(c->cfg, c->cfg_len, &c->summary);
	if (rsc && *rsc) {
		bool known = false;
		for (size_t i = 0; c->summary && i < c->summary->n_resources && !known; i++)
			known = c->summary->resources[i].id &&
				!strcmp(c->summary->resources[i].id, rsc);
		if (!known) {
			client_reply_error(c, client_id, -ENOENT, "bad-request", NULL,
					   "no resource '%s'", rsc);
			return;
		}
	}
	uint32_t nodeid = 0;
	if (node && *node && !(nodeid = node_id_by_name(c, node))) {
		client_reply_error(c, client_id, -ENOENT, "bad-request", NULL, "no node '%s'", node);
		return;
	}
	if (!crmd_core_dc(c) || !c->synced) {
		client_reply_error(c, client_id, -EAGAIN, "no-quorum", NULL,
				   "no DC: failures cannot be cleaned up now");
		return;
	}
	int rc = rsc_cleanup(c, rsc, nodeid, probe);
	if (rc) {
		client_reply_error(c, client_id, rc, "failed", NULL, "cannot send the cleanup: %s",
				   strerror(-rc));
		return;
	}
	char msg[300];
	snprintf(msg, sizeof(msg), "%s of %s on %s %s", probe ? "failures" : "fail count",
		 rsc && *rsc ? rsc : "every resource", node && *node ? node : "every node",
		 probe ? "cleaned up (probing again)" : "deleted");
	client_reply_ok(c, client_id, msg);
}

void client_on_request(struct crmd_core *c, uint64_t client_id, const char *json, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *req = tok && len <= INT32_MAX ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
	bool complete = tok && json_tokener_get_error(tok) == json_tokener_success;
	json_tokener_free(tok);
	if (!req || !complete || !json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		client_reply_error(c, client_id, -EINVAL, "bad-request", NULL,
				   "the request is not a JSON object");
		return;
	}
	json_object *v;
	if (!json_object_object_get_ex(req, "version", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int(v) != CLIENT_PROTOCOL) {
		json_object_put(req);
		client_reply_error(c, client_id, -EPROTO, "bad-request", NULL,
				   "unsupported protocol version (this vigild speaks %d)",
				   CLIENT_PROTOCOL);
		return;
	}
	const char *op = get_string(req, "op", NULL);
	if (!op)
		client_reply_error(c, client_id, -EINVAL, "bad-request", NULL, "no \"op\"");
	else if (!strcmp(op, "status"))
		reply_status(c, client_id);
	else if (!strcmp(op, "config-show"))
		reply_show(c, client_id);
	else if (!strcmp(op, "config-replace"))
		submit_change(c, client_id, req, VG_CHANGE_REPLACE);
	else if (!strcmp(op, "config-update"))
		submit_change(c, client_id, req, VG_CHANGE_UPDATE);
	else if (!strcmp(op, "property"))
		submit_change(c, client_id, req, VG_CHANGE_PROPERTY);
	else if (!strcmp(op, "rsc-cleanup"))
		rsc_cleanup_request(c, client_id, req);
	else if (fence_client_request(c, client_id, op, req))
		;
	else
		client_reply_error(c, client_id, -EOPNOTSUPP, "bad-request", NULL,
				   "unknown operation '%s'", op);
	json_object_put(req);
}
