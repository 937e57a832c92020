/*
 * core_config.c - the replicated configuration: changes applied in delivery
 * order on every member, written on every member, and acknowledged to the
 * client only when every member of the (quorate) view confirmed its write.
 *
 * Why the requester waits for every member's CONFIRM and not just for its own
 * delivery: a member cut off at the wrong moment may deliver a message that the
 * others never see (Corosync delivers in "agreed", not "safe", order).  A change
 * is acknowledged when every member of the current view, which may change the
 * configuration, confirmed a document that contains it, stored with the
 * current ring's commit term.  Then it is on a majority of the disks with the
 * highest term any partition can have had so far, and every later sync round
 * that may change the configuration ranks it (or a descendant) first (core.c,
 * config_better()).
 *
 * Why the current ring's term and not the term the change was applied in
 * (K6): both sides of a cut can apply their own in-flight changes in the old
 * ring R, so two different documents carry term R.  The majority's, confirmed
 * later in its new ring, would lose a merge against a minority's that is a
 * version ahead.  So a partition that may change the configuration first gives
 * its document the term of its own ring (config_restamp(), like the no-op
 * entry a new Raft leader commits), and a confirm counts only with that term
 * and only for the exact document (its CRC), not for any of the same version.
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
/* How long the requester waits for every member's confirm once the change
 * applied (a write takes milliseconds; a ring change adds a re-stamp).  A
 * member silent for longer (a stuck disk, a frozen process) is named to the
 * client, which gets "timeout": the change is applied but not acknowledged.
 * The member is not dropped from the count: see doc/daemon.md, "A silent
 * member". */
#define CONFIRM_TIMEOUT_MS 10000

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
	free(r->lineage);
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

/*
 * The configuration belongs to this ring now.  Called when this member may
 * have become able to change the configuration (quorum of a new ring known,
 * a sync round closed): it is synced, no round runs, and the view may change
 * the configuration, exactly when a change could apply.  Every member of the
 * partition holds the same document at that point (they delivered the same
 * stream, and a round leaves them all with its winner), so this is a change
 * that changes nothing but the term, as a new Raft leader's no-op entry.  The
 * document is written again with the new term and confirmed: requests in
 * flight are acknowledged only once every member did that (see above).
 */
void config_restamp(struct crmd_core *c)
{
	if (!c->synced || c->round_active || !c->cfg || !c->have_ring ||
	    c->cfg_term >= c->ring_seq || !core_quorum_known(c) || !core_may_change(c, NULL, 0))
		return;
	core_log(c, LOG_INFO, "configuration %" PRIu32 ":%" PRIu32 ":%" PRIu32 " now has the term "
		 "of ring %" PRIu64 " (was %" PRIu64 ")", c->cfg_ver.admin_epoch, c->cfg_ver.epoch,
		 c->cfg_ver.num_updates, c->ring_seq, c->cfg_term);
	c->cfg_term = c->ring_seq;
	config_persist_latest(c);
}

/* ---- requests ---- */

static bool in_lineage(const struct request *r, uint32_t crc)
{
	for (size_t i = 0; i < r->n_lineage; i++)
		if (r->lineage[i] == crc)
			return true;
	return false;
}

static void lineage_add(struct request *r, uint32_t crc)
{
	if (in_lineage(r, crc))
		return;
	uint32_t *grown = realloc(r->lineage, (r->n_lineage + 1) * sizeof(*grown));
	if (!grown)
		return; /* it then waits for a document it knows, or times out */
	r->lineage = grown;
	r->lineage[r->n_lineage++] = crc;
}

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
	/* Requesters count confirms of the current view's members: one whose
	 * disk already holds the round's document (a daemon that restarted)
	 * writes nothing, so it says so. */
	if (!c->write_inflight && c->has_written && !vg_cfg_version_cmp(&c->written, &c->cfg_ver) &&
	    c->written_crc == c->cfg_crc && c->written_term == c->cfg_term)
		send_confirm(c, &c->written, c->written_crc, c->written_term, 0);
	config_check_requests(c);
}

void config_transferred(struct crmd_core *c)
{
	struct request *r = c->requests;
	while (r) {
		struct request *next = r->next;
		if (r->state == REQ_CONFIRMING && !in_lineage(r, c->cfg_crc)) {
			client_reply_error(c, r->client_id, -EAGAIN, "no-quorum", NULL,
					   "configuration %" PRIu32 ":%" PRIu32 ":%" PRIu32 " was applied "
					   "here, but the cluster kept another partition's configuration "
					   "(%" PRIu32 ":%" PRIu32 ":%" PRIu32 "); the change may be lost",
					   r->target.admin_epoch, r->target.epoch, r->target.num_updates,
					   c->cfg_ver.admin_epoch, c->cfg_ver.epoch, c->cfg_ver.num_updates);
			request_done(c, r);
		}
		r = next;
	}
}

/* Complete what can be completed: every member of the current view confirmed a
 * document containing the change, with this ring's term. */
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
		if (c->round_active) {
			r = next; /* the round may replace the document */
			continue;
		}
		bool waiting = false;
		const struct member *failed = NULL;
		size_t stored = 0;
		for (size_t i = 0; i < c->n_members; i++) {
			const struct member *m = &c->members[i];
			if (m->bad)
				continue;
			if (!m->has_confirmed || m->confirmed_term != c->ring_seq ||
			    !in_lineage(r, m->confirmed_crc)) {
				waiting = true;
				continue;
			}
			if (m->confirm_rc)
				failed = m;
			stored++;
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
				 stored);
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
		if (r->deadline_ms <= now && r->state == REQ_CONFIRMING) {
			char silent[160] = "";
			size_t o = 0;
			for (size_t i = 0; i < c->n_members && o < sizeof(silent); i++) {
				const struct member *m = &c->members[i];
				if (m->bad || (m->has_confirmed && m->confirmed_term == c->ring_seq &&
					       in_lineage(r, m->confirmed_crc)))
					continue;
				const char *n = core_node_name(c, m->id.nodeid);
				int k = n ? snprintf(silent + o, sizeof(silent) - o, "%s%s", o ? ", " : "", n)
					  : snprintf(silent + o, sizeof(silent) - o, "%snode %" PRIu32,
						     o ? ", " : "", m->id.nodeid);
				o += k > 0 ? (size_t)k : 0;
			}
			core_log(c, LOG_WARNING, "change %" PRIu64 " (configuration %" PRIu32 ":%" PRIu32
				 ":%" PRIu32 ") not confirmed in time by: %s", r->id,
				 r->target.admin_epoch, r->target.epoch, r->target.num_updates,
				 o ? silent : "(view changing)");
			client_reply_error(c, r->client_id, -ETIMEDOUT, "timeout", NULL,
					   "configuration %" PRIu32 ":%" PRIu32 ":%" PRIu32 " is applied "
					   "but not acknowledged: not confirmed on disk in time by %s; "
					   "it may be lost", r->target.admin_epoch, r->target.epoch,
					   r->target.num_updates, o ? silent : "the members");
			request_unlink(c, r);
			request_free(r);
		} else if (r->deadline_ms <= now) {
			client_reply_error(c, r->client_id, -ETIMEDOUT, "timeout", NULL,
					   "the change did not complete in time (%s); it may still "
					   "apply", r->state == REQ_BUSY ? "the cluster is synchronizing" :
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
		if (!config_install(c, xml, len, what)) {
			c->cfg_term = c->ring_seq;
			for (struct request *q = c->requests; q; q = q->next)
				if (q->state == REQ_CONFIRMING)
					lineage_add(q, c->cfg_crc);
		}
		free(xml);
		config_persist_latest(c);
		core_status_changed(c);
		if (r) {
			r->state = REQ_CONFIRMING;
			r->target = c->cfg_ver;
			uint64_t bound = c->env.now_ms(c->env.ctx) + CONFIRM_TIMEOUT_MS;
			if (bound < r->deadline_ms) {
				r->deadline_ms = bound;
				arm_request_timer(c);
			}
			free(r->lineage);
			r->lineage = NULL;
			r->n_lineage = 0;
			lineage_add(r, c->cfg_crc);
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
	from->confirmed_crc = m->config_crc;
	from->confirmed_term = m->term;
	from->confirm_rc = m->rc;
	config_check_requests(c);
}
