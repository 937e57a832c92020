/*
 * core_config.c - the replicated configuration: changes applied in delivery
 * order on every member, written on every member, and acknowledged to the
 * client only when every member of the (quorate) view confirmed its write.
 *
 * Why the requester waits for every member's CONFIRM and not just for its own
 * delivery: a member cut off at the wrong moment may deliver a message that the
 * others never see (Corosync delivers in "agreed", not "safe", order).  A change
 * that every member of a quorate view confirmed in that view is on disk on every
 * member of the quorate partition, so no later merge can lose it: the merge
 * keeps the configuration of the quorate side (core.c, sync_better()).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "core_int.h"

/* How often a change refused during a sync round is sent again. */
#define MAX_RESENDS 20

static const char *op_name(uint32_t op)
{
	switch (op) {
	case VG_CHANGE_REPLACE: return "replace";
	case VG_CHANGE_UPDATE: return "update";
	case VG_CHANGE_PROPERTY: return "property";
	}
	return "?";
}

void request_free(struct request *r)
{
	if (!r)
		return;
	vg_msg_config_change_clear(&r->change);
	free(r->need);
	free(r);
}

static void request_unlink(struct crmd_core *c, struct request *r)
{
	for (struct request **p = &c->requests; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			return;
		}
}

static void arm_request_timer(struct crmd_core *c)
{
	uint64_t first = 0;
	for (struct request *r = c->requests; r; r = r->next)
		if (!first || r->deadline_ms < first)
			first = r->deadline_ms;
	if (!first) {
		c->env.timer_cancel(c->env.ctx, CRMD_TIMER_REQUESTS);
		return;
	}
	uint64_t now = c->env.now_ms(c->env.ctx);
	c->env.timer_arm(c->env.ctx, CRMD_TIMER_REQUESTS, first > now ? first - now : 0);
}

static void request_done(struct crmd_core *c, struct request *r)
{
	request_unlink(c, r);
	request_free(r);
	arm_request_timer(c);
}

/* ---- persistence ---- */

int config_install(struct crmd_core *c, const char *xml, size_t len, const char *why)
{
	struct vg_diags d = { 0 };
	struct vg_cfg_version v;
	int rc = crmd_doc_version(xml, len, &v, &d);
	vg_diags_clear(&d);
	if (rc)
		return rc;
	char *copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, xml, len);
	copy[len] = '\0';
	free(c->cfg);
	c->cfg = copy;
	crmd_doc_summary_free(c->summary);
	c->summary = NULL;
	c->cfg_len = len;
	c->cfg_ver = v;
	c->cfg_crc = vg_crc32(0, xml, len);
	c->have_config = true;
	core_log(c, LOG_INFO, "configuration is now %" PRIu32 ":%" PRIu32 ":%" PRIu32 " (%s)",
		 v.admin_epoch, v.epoch, v.num_updates, why);
	return 0;
}

/* One write at a time, always of the newest configuration: versions that were
 * superseded while a write ran are never written (only the latest matters). */
void config_persist_latest(struct crmd_core *c)
{
	if (c->write_inflight || !c->cfg || !c->synced)
		return;
	if (c->has_written && !vg_cfg_version_cmp(&c->written, &c->cfg_ver) &&
	    c->written_crc == c->cfg_crc && c->written_term == c->cfg_term)
		return;
	c->write_inflight = true;
	c->writing = c->cfg_ver;
	c->writing_crc = c->cfg_crc;
	c->writing_term = c->cfg_term;
	c->env.persist(c->env.ctx, ++c->write_id, c->cfg, c->cfg_len, c->cfg_term);
}

static void send_confirm(struct crmd_core *c, const struct vg_cfg_version *v, uint32_t crc,
			 uint64_t term, int rc)
{
	struct vg_msg_config_confirm m = { .version = *v, .config_crc = crc, .term = term,
					   .rc = rc };
	void *buf;
	size_t len;
	if (!vg_msg_config_confirm_encode(&m, c->local_nodeid, ++c->send_seq, &buf, &len))
		core_send(c, buf, len);
}

void config_on_persisted(struct crmd_core *c, uint64_t write_id, int rc)
{
	if (!c->write_inflight || write_id != c->write_id)
		return;
	c->write_inflight = false;
	if (rc) {
		core_log(c, LOG_ERR, "could not store configuration %" PRIu32 ":%" PRIu32 ":%" PRIu32
			 ": %s", c->writing.admin_epoch, c->writing.epoch, c->writing.num_updates,
			 strerror(-rc));
	} else {
		c->has_written = true;
		c->written = c->writing;
		c->written_crc = c->writing_crc;
		c->written_term = c->writing_term;
		core_log(c, LOG_DEBUG, "configuration %" PRIu32 ":%" PRIu32 ":%" PRIu32 " is on disk",
			 c->written.admin_epoch, c->written.epoch, c->written.num_updates);
	}
	send_confirm(c, &c->writing, c->writing_crc, c->writing_term, rc);
	config_persist_latest(c);
}

/* ---- requests ---- */

static int send_change(struct crmd_core *c, struct request *r)
{
	void *buf;
	size_t len;
	r->change.req_id = r->id;
	int rc = vg_msg_config_change_encode(&r->change, c->local_nodeid, ++c->send_seq, &buf, &len);
	if (rc)
		return rc;
	r->state = REQ_SENT;
	return core_send(c, buf, len);
}

int config_submit(struct crmd_core *c, uint64_t client_id, struct vg_msg_config_change *change)
{
	struct request *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->id = ++c->next_req_id;
	r->client_id = client_id;
	r->change = *change;
	*change = (struct vg_msg_config_change){ 0 };
	r->deadline_ms = c->env.now_ms(c->env.ctx) + c->request_timeout_ms;
	int rc = send_change(c, r);
	if (rc) {
		request_free(r);
		return rc;
	}
	r->next = c->requests;
	c->requests = r;
	arm_request_timer(c);
	return 0;
}

static struct request *find_request(struct crmd_core *c, uint64_t id)
{
	for (struct request *r = c->requests; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

void config_round_closed(struct crmd_core *c)
{
	for (struct request *r = c->requests; r; r = r->next) {
		if (r->state != REQ_BUSY)
			continue;
		if (send_change(c, r))
			r->state = REQ_BUSY; /* the timer answers it */
	}
}

/* Complete what can be completed: every member of the view that was there
 * when the change applied (and is still there) confirmed it on disk. */
void config_check_requests(struct crmd_core *c)
{
	struct request *r = c->requests;
	while (r) {
		struct request *next = r->next;
		if (r->state != REQ_CONFIRMING || !core_quorum_known(c)) {
			r = next;
			continue;
		}
		char ver[48];
		snprintf(ver, sizeof(ver), "%" PRIu32 ":%" PRIu32 ":%" PRIu32, r->target.admin_epoch,
			 r->target.epoch, r->target.num_updates);
		char why[96];
		if (!core_may_change(c, why, sizeof(why))) {
			client_reply_error(c, r->client_id, -EAGAIN, "no-quorum", NULL,
					   "%s: configuration %s was applied here but not "
					   "confirmed by a quorate partition; it may be lost", why, ver);
			request_done(c, r);
			r = next;
			continue;
		}
		bool waiting = false;
		const struct member *failed = NULL;
		for (size_t i = 0; i < r->n_need; i++) {
			const struct member *m = core_member(c, r->need[i].nodeid, r->need[i].pid);
			if (!m || m->bad)
				continue; /* left: the view no longer includes it */
			if (!m->has_confirmed || vg_cfg_version_cmp(&m->confirmed, &r->target) < 0) {
				waiting = true;
				continue;
			}
			if (m->confirm_rc)
				failed = m;
		}
		if (failed) {
			const char *n = core_node_name(c, failed->id.nodeid);
			client_reply_error(c, r->client_id, -EIO, "io", NULL,
					   "configuration %s could not be stored on %s: %s", ver,
					   n ? n : "a member", strerror(-failed->confirm_rc));
			request_done(c, r);
		} else if (!waiting) {
			char msg[96];
			snprintf(msg, sizeof(msg), "configuration %s stored on %zu members", ver,
				 r->n_need);
			core_log(c, LOG_NOTICE, "change %" PRIu64 " acknowledged: %s", r->id, msg);
			client_reply_ok(c, r->client_id, msg);
			request_done(c, r);
		}
		r = next;
	}
}

void config_on_timer(struct crmd_core *c)
{
	uint64_t now = c->env.now_ms(c->env.ctx);
	struct request *r = c->requests;
	while (r) {
		struct request *next = r->next;
		if (r->deadline_ms <= now) {
			client_reply_error(c, r->client_id, -ETIMEDOUT, "timeout", NULL,
					   "the change did not complete in time (%s); it may still "
					   "apply", r->state == REQ_CONFIRMING ?
					   "waiting for members to store it" :
					   r->state == REQ_BUSY ? "the cluster is synchronizing" :
					   "waiting for the group");
			request_unlink(c, r);
			request_free(r);
		}
		r = next;
	}
	arm_request_timer(c);
}

void config_client_gone(struct crmd_core *c, uint64_t client_id)
{
	struct request *r = c->requests;
	while (r) {
		struct request *next = r->next;
		if (r->client_id == client_id) {
			request_unlink(c, r);
			request_free(r);
		}
		r = next;
	}
	arm_request_timer(c);
}

/* ---- applying a change (every member, in delivery order) ---- */

enum outcome { APPLIED, BUSY, NO_QUORUM, CONFLICT, INVALID, FAILED };

static enum outcome compute(struct crmd_core *c, const struct vg_msg_config_change *m,
			    char **ret_xml, size_t *ret_len, struct vg_diags *d, char *why,
			    size_t why_len)
{
	if (c->round_active) {
		snprintf(why, why_len, "the cluster is synchronizing");
		return BUSY;
	}
	if (!core_may_change(c, why, why_len))
		return NO_QUORUM;
	struct vg_cfg_version cur = c->cfg_ver;
	struct vg_cfg_version next = { cur.admin_epoch, cur.epoch + 1, 0 };
	int rc = 0;
	switch (m->op) {
	case VG_CHANGE_REPLACE: {
		/* A document must be based on the current configuration or newer: an
		 * older one means somebody changed it in between.  Every document
		 * carries its version (admin_epoch is required), 0:0 included: the
		 * output of `show` on a new cluster is based on 0:0 like any other
		 * (K2: treating 0:0 as "unversioned" lost updates). */
		struct vg_cfg_version f;
		if (crmd_doc_version(m->xml, m->xml_len, &f, d)) {
			snprintf(why, why_len, "the document is invalid");
			return INVALID;
		}
		if (f.admin_epoch < cur.admin_epoch ||
		    (f.admin_epoch == cur.admin_epoch && f.epoch < cur.epoch)) {
			snprintf(why, why_len,
				 "conflict: the document is based on configuration %" PRIu32 ":%" PRIu32
				 " but the cluster is at %" PRIu32 ":%" PRIu32 "; somebody changed it "
				 "since: show it again and redo the change", f.admin_epoch, f.epoch,
				 cur.admin_epoch, cur.epoch);
			return CONFLICT;
		}
		if (f.admin_epoch > next.admin_epoch)
			next.admin_epoch = f.admin_epoch;
		if (f.epoch >= next.epoch)
			next.epoch = f.epoch + 1;
		rc = crmd_doc_normalize(m->xml, m->xml_len, &next, ret_xml, ret_len, d);
		break;
	}
	case VG_CHANGE_UPDATE:
		rc = crmd_doc_update(c->cfg, c->cfg_len, m->xml, m->xml_len, &next, ret_xml, ret_len,
				     d);
		break;
	case VG_CHANGE_PROPERTY:
		rc = crmd_doc_set_property(c->cfg, c->cfg_len, m->name, m->value, &next, ret_xml,
					   ret_len, d);
		break;
	default:
		rc = -EINVAL;
	}
	if (rc == -EINVAL) {
		snprintf(why, why_len, "the resulting configuration is invalid");
		return INVALID;
	}
	if (rc) {
		snprintf(why, why_len, "%s", strerror(-rc));
		return FAILED;
	}
	return APPLIED;
}

void config_on_change(struct crmd_core *c, struct member *from,
		      const struct vg_msg_config_change *m)
{
	struct vg_diags d = { 0 };
	char why[320];
	char *xml = NULL;
	size_t len = 0;
	enum outcome o = compute(c, m, &xml, &len, &d, why, sizeof(why));
	bool mine = core_is_self(c, &from->id);
	struct request *r = mine ? find_request(c, m->req_id) : NULL;
	const char *sender = core_node_name(c, from->id.nodeid);
	char sbuf[24];
	if (!sender) {
		snprintf(sbuf, sizeof(sbuf), "node %" PRIu32, from->id.nodeid);
		sender = sbuf;
	}

	if (o == APPLIED) {
		char what[64];
		snprintf(what, sizeof(what), "%s from %s", op_name(m->op), sender);
		/* The commit term: this change was applied in the ring it was
		 * delivered in (held events keep ring_seq in step), which is
		 * quorate with a majority of vigilds, or it would be refused. */
		if (!config_install(c, xml, len, what))
			c->cfg_term = c->ring_seq;
		free(xml);
		config_persist_latest(c);
		core_status_changed(c);
		if (r) {
			r->state = REQ_CONFIRMING;
			r->target = c->cfg_ver;
			free(r->need);
			r->n_need = 0;
			r->need = calloc(c->n_members ? c->n_members : 1, sizeof(*r->need));
			for (size_t i = 0; r->need && i < c->n_members; i++)
				if (!c->members[i].bad)
					r->need[r->n_need++] = c->members[i].id;
			config_check_requests(c);
		}
		vg_diags_clear(&d);
		return;
	}
	free(xml);
	core_log(c, o == BUSY ? LOG_INFO : LOG_NOTICE, "%s change from %s refused: %s",
		 op_name(m->op), sender, why);
	if (r) {
		switch (o) {
		case BUSY:
			if (++r->resends > MAX_RESENDS) {
				client_reply_error(c, r->client_id, -EBUSY, "busy", NULL,
						   "the cluster kept synchronizing; try again");
				request_done(c, r);
			} else {
				r->state = REQ_BUSY;
			}
			break;
		case NO_QUORUM:
			client_reply_error(c, r->client_id, -EAGAIN, "no-quorum", NULL,
					   "%s: this partition may not change the configuration", why);
			request_done(c, r);
			break;
		case CONFLICT:
			client_reply_error(c, r->client_id, -ESTALE, "conflict", NULL, "%s", why);
			request_done(c, r);
			break;
		case INVALID:
			client_reply_error(c, r->client_id, -EINVAL, "invalid", &d, "%s", why);
			request_done(c, r);
			break;
		default:
			client_reply_error(c, r->client_id, -EIO, "failed", &d, "%s", why);
			request_done(c, r);
			break;
		}
	}
	vg_diags_clear(&d);
}

void config_on_confirm(struct crmd_core *c, struct member *from,
		       const struct vg_msg_config_confirm *m)
{
	from->has_confirmed = true;
	from->confirmed = m->version;
	from->confirm_rc = m->rc;
	config_check_requests(c);
}
