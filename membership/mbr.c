/* mbr.c - see mbr.h.  The only file that speaks libcpg, libquorum and libcmap;
 * cs_error_t is converted at every call (remember: CS_OK is 1). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <corosync/cmap.h>
#include <corosync/corotypes.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>
#include <qb/qblog.h>

#include "mbr.h"
#include "wire.h"

/* A retry after CS_ERR_TRY_AGAIN: short, so a throttled send costs little
 * latency, long enough for corosync to drain (CPG-FACTS: 1-10 ms). */
#define RETRY_NS (5u * 1000u * 1000u)
/* The send queue's bound: beyond it we refuse rather than pile up a backlog
 * that would delay everybody's membership callbacks. */
#define QUEUE_MAX_BYTES (64u * 1024u * 1024u + VG_WIRE_MAX_BYTES)

struct out_frame {
	struct out_frame *next;
	size_t len;
	uint8_t data[];
};

struct reasm_slot {
	struct mbr_member member;
	struct vg_reasm r;
};

struct mbr {
	qb_loop_t *loop;
	struct mbr_callbacks cb;
	void *ctx;
	struct cpg_name group;
	cpg_handle_t cpg;
	quorum_handle_t quorum;
	bool have_cpg, have_quorum, joined;
	int cpg_fd, quorum_fd;
	bool dead;
	bool no_provider_pending;
	uint32_t local_nodeid;

	struct out_frame *q_head, *q_tail;
	size_t q_bytes;
	qb_loop_timer_handle retry_timer;
	bool retry_armed;
	uint64_t xfer_id;

	struct reasm_slot *slots;
	size_t n_slots;
};

static int cs_to_errno(cs_error_t e)
{
	switch (e) {
	case CS_OK: return 0;
	case CS_ERR_TRY_AGAIN: return -EAGAIN;
	case CS_ERR_NO_MEMORY: return -ENOMEM;
	case CS_ERR_INVALID_PARAM: return -EINVAL;
	case CS_ERR_ACCESS:
	case CS_ERR_SECURITY: return -EACCES;
	case CS_ERR_NOT_EXIST:
	case CS_ERR_NAME_NOT_FOUND: return -ENOENT;
	case CS_ERR_EXIST: return -EEXIST;
	case CS_ERR_TOO_BIG: return -EMSGSIZE;
	case CS_ERR_TIMEOUT: return -ETIMEDOUT;
	case CS_ERR_BUSY: return -EBUSY;
	case CS_ERR_NO_RESOURCES:
	case CS_ERR_QUEUE_FULL: return -ENOBUFS;
	case CS_ERR_LIBRARY:
	case CS_ERR_BAD_HANDLE:
	case CS_ERR_INIT: return -ENOTCONN;
	default: return -EIO;
	}
}

const char *mbr_reason_name(enum mbr_reason r)
{
	switch (r) {
	case MBR_REASON_JOIN: return "join";
	case MBR_REASON_LEAVE: return "leave";
	case MBR_REASON_NODEDOWN: return "node down";
	case MBR_REASON_NODEUP: return "node up";
	case MBR_REASON_PROCDOWN: return "process down";
	case MBR_REASON_UNKNOWN: break;
	}
	return "unknown";
}

static enum mbr_reason reason_from_cpg(uint32_t r)
{
	switch (r) {
	case CPG_REASON_JOIN: return MBR_REASON_JOIN;
	case CPG_REASON_LEAVE: return MBR_REASON_LEAVE;
	case CPG_REASON_NODEDOWN: return MBR_REASON_NODEDOWN;
	case CPG_REASON_NODEUP: return MBR_REASON_NODEUP;
	case CPG_REASON_PROCDOWN: return MBR_REASON_PROCDOWN;
	}
	return MBR_REASON_UNKNOWN;
}

/* After "lost" nothing of Corosync's is touched again: fds leave the loop. */
static void go_dead(struct mbr *m, const char *why)
{
	if (m->dead)
		return;
	m->dead = true;
	if (m->have_cpg)
		qb_loop_poll_del(m->loop, m->cpg_fd);
	if (m->have_quorum)
		qb_loop_poll_del(m->loop, m->quorum_fd);
	if (m->retry_armed) {
		qb_loop_timer_del(m->loop, m->retry_timer);
		m->retry_armed = false;
	}
	if (m->cb.lost)
		m->cb.lost(m->ctx, why);
}

/* ---- receiving ---- */

static struct reasm_slot *slot_for(struct mbr *m, uint32_t nodeid, uint32_t pid, bool create)
{
	for (size_t i = 0; i < m->n_slots; i++)
		if (m->slots[i].member.nodeid == nodeid && m->slots[i].member.pid == pid)
			return &m->slots[i];
	if (!create)
		return NULL;
	struct reasm_slot *grown = realloc(m->slots, (m->n_slots + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	m->slots = grown;
	struct reasm_slot *s = &m->slots[m->n_slots++];
	*s = (struct reasm_slot){ .member = { nodeid, pid } };
	return s;
}

static void slot_drop(struct mbr *m, uint32_t nodeid, uint32_t pid)
{
	for (size_t i = 0; i < m->n_slots; i++) {
		if (m->slots[i].member.nodeid != nodeid || m->slots[i].member.pid != pid)
			continue;
		if (m->slots[i].r.active)
			qb_log(LOG_NOTICE, "dropping an unfinished transfer from node %" PRIu32
			       " (pid %" PRIu32 "): it left", nodeid, pid);
		vg_reasm_clear(&m->slots[i].r);
		m->slots[i] = m->slots[--m->n_slots];
		return;
	}
}

static void log_diags(const char *what, uint32_t nodeid, struct vg_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		qb_log(LOG_WARNING, "%s from node %" PRIu32 ": %s: %s", what, nodeid,
		       d->v[i].where ? d->v[i].where : "-", d->v[i].message);
	vg_diags_clear(d);
}

static void cpg_deliver_cb(cpg_handle_t handle, const struct cpg_name *group, uint32_t nodeid,
			   uint32_t pid, void *msg, size_t msg_len)
{
	struct mbr *m = NULL;
	if (cpg_context_get(handle, (void **)&m) != CS_OK || !m || m->dead)
		return;

	/* Fragments are ours to put together; anything else, valid or not, goes up
	 * as it came (the core validates and decides what to do with garbage). */
	struct vg_diags d = { 0 };
	struct vg_wire_hdr h;
	const void *payload;
	if (vg_wire_decode(msg, msg_len, &h, &payload, &d) || h.type != VG_MSG_FRAGMENT) {
		vg_diags_clear(&d);
		m->cb.deliver(m->ctx, nodeid, pid, msg, msg_len);
		return;
	}
	struct vg_msg_fragment f;
	struct reasm_slot *s = NULL;
	if (vg_msg_fragment_decode(payload, h.length, &f, &d) ||
	    !(s = slot_for(m, nodeid, pid, true))) {
		log_diags("bad fragment", nodeid, &d);
		m->cb.deliver(m->ctx, nodeid, pid, msg, msg_len);
		return;
	}
	void *whole = NULL;
	size_t whole_len = 0;
	int rc = vg_reasm_feed(&s->r, &f, &whole, &whole_len, &d);
	if (rc < 0) {
		log_diags("bad fragment", nodeid, &d);
		/* The core sees a stray fragment, refuses it and marks the sender, the
		 * same way on every member. */
		m->cb.deliver(m->ctx, nodeid, pid, msg, msg_len);
		return;
	}
	if (rc == 1) {
		m->cb.deliver(m->ctx, nodeid, pid, whole, whole_len);
		free(whole);
	}
}

static void cpg_confchg_cb(cpg_handle_t handle, const struct cpg_name *group,
			   const struct cpg_address *members, size_t n_members,
			   const struct cpg_address *left, size_t n_left,
			   const struct cpg_address *joined, size_t n_joined)
{
	struct mbr *m = NULL;
	if (cpg_context_get(handle, (void **)&m) != CS_OK || !m || m->dead)
		return;
	struct mbr_member *mm = calloc(n_members ? n_members : 1, sizeof(*mm));
	struct mbr_change *ml = calloc(n_left ? n_left : 1, sizeof(*ml));
	struct mbr_change *mj = calloc(n_joined ? n_joined : 1, sizeof(*mj));
	if (!mm || !ml || !mj) {
		free(mm);
		free(ml);
		free(mj);
		go_dead(m, "out of memory in a membership change");
		return;
	}
	for (size_t i = 0; i < n_members; i++)
		mm[i] = (struct mbr_member){ members[i].nodeid, members[i].pid };
	for (size_t i = 0; i < n_left; i++) {
		ml[i] = (struct mbr_change){ { left[i].nodeid, left[i].pid },
					     reason_from_cpg(left[i].reason) };
		slot_drop(m, left[i].nodeid, left[i].pid);
	}
	for (size_t i = 0; i < n_joined; i++)
		mj[i] = (struct mbr_change){ { joined[i].nodeid, joined[i].pid },
					     reason_from_cpg(joined[i].reason) };
	m->cb.view(m->ctx, mm, n_members, ml, n_left, mj, n_joined);
	free(mm);
	free(ml);
	free(mj);
}

static void cpg_totem_cb(cpg_handle_t handle, struct cpg_ring_id ring_id, uint32_t n,
			 const uint32_t *nodeids)
{
	struct mbr *m = NULL;
	if (cpg_context_get(handle, (void **)&m) != CS_OK || !m || m->dead)
		return;
	m->cb.ring(m->ctx, ring_id.seq, nodeids, n);
}

static void quorum_cb(quorum_handle_t handle, uint32_t quorate, uint64_t ring_seq,
		      uint32_t n, uint32_t *nodeids)
{
	struct mbr *m = NULL;
	if (quorum_context_get(handle, (const void **)&m) != CS_OK || !m || m->dead)
		return;
	m->cb.quorum(m->ctx, ring_seq, quorate != 0);
}

static int32_t cpg_fd_cb(int32_t fd, int32_t revents, void *data)
{
	struct mbr *m = data;
	cs_error_t e = cpg_dispatch(m->cpg, CS_DISPATCH_ALL);
	if (e != CS_OK && e != CS_ERR_TRY_AGAIN && !m->dead) {
		char why[96];
		snprintf(why, sizeof(why), "CPG dispatch failed (%s)", strerror(-cs_to_errno(e)));
		go_dead(m, why);
	}
	return 0;
}

static int32_t quorum_fd_cb(int32_t fd, int32_t revents, void *data)
{
	struct mbr *m = data;
	cs_error_t e = quorum_dispatch(m->quorum, CS_DISPATCH_ALL);
	if (e != CS_OK && e != CS_ERR_TRY_AGAIN && !m->dead) {
		char why[96];
		snprintf(why, sizeof(why), "quorum dispatch failed (%s)", strerror(-cs_to_errno(e)));
		go_dead(m, why);
	}
	return 0;
}

/* ---- sending ---- */

static void flush(struct mbr *m);

static void retry_cb(void *data)
{
	struct mbr *m = data;
	m->retry_armed = false;
	flush(m);
}

static void flush(struct mbr *m)
{
	while (m->q_head && !m->dead) {
		struct out_frame *f = m->q_head;
		struct iovec iov = { .iov_base = f->data, .iov_len = f->len };
		cs_error_t e = cpg_mcast_joined(m->cpg, CPG_TYPE_AGREED, &iov, 1);
		if (e == CS_ERR_TRY_AGAIN) {
			/* Corosync pushes back: wait for the timer, keep dispatching. */
			if (!m->retry_armed &&
			    qb_loop_timer_add(m->loop, QB_LOOP_HIGH, RETRY_NS, m, retry_cb,
					      &m->retry_timer) == 0)
				m->retry_armed = true;
			return;
		}
		if (e != CS_OK) {
			char why[96];
			snprintf(why, sizeof(why), "CPG send failed (%s)", strerror(-cs_to_errno(e)));
			go_dead(m, why);
			return;
		}
		m->q_head = f->next;
		if (!m->q_head)
			m->q_tail = NULL;
		m->q_bytes -= f->len;
		free(f);
	}
}

static int enqueue(struct mbr *m, const void *frame, size_t len)
{
	struct out_frame *f = malloc(sizeof(*f) + len);
	if (!f)
		return -ENOMEM;
	f->next = NULL;
	f->len = len;
	memcpy(f->data, frame, len);
	if (m->q_tail)
		m->q_tail->next = f;
	else
		m->q_head = f;
	m->q_tail = f;
	m->q_bytes += len;
	return 0;
}

int mbr_send(struct mbr *m, const void *frame, size_t len)
{
	if (m->dead)
		return -ENOTCONN;
	if (len > VG_WIRE_MAX_BYTES || m->q_bytes + len > QUEUE_MAX_BYTES)
		return -ENOBUFS;
	int rc = 0;
	if (len <= VG_WIRE_FRAGMENT_BYTES) {
		rc = enqueue(m, frame, len);
	} else {
		/* The fragments carry the frame's own sequence number. */
		struct vg_wire_hdr h;
		const void *payload;
		struct vg_diags d = { 0 };
		rc = vg_wire_decode(frame, len, &h, &payload, &d);
		vg_diags_clear(&d);
		if (rc)
			return -EINVAL;
		void **frames;
		size_t *lens, n;
		rc = vg_wire_fragment(frame, len, m->local_nodeid, h.seq, ++m->xfer_id, &frames, &lens,
				      &n);
		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++) {
			if (!rc)
				rc = enqueue(m, frames[i], lens[i]);
			free(frames[i]);
		}
		free(frames);
		free(lens);
	}
	if (rc)
		return rc;
	if (!m->retry_armed)
		flush(m);
	return m->dead ? -ENOTCONN : 0;
}

size_t mbr_queued_bytes(const struct mbr *m)
{
	return m->q_bytes;
}

uint32_t mbr_local_nodeid(const struct mbr *m)
{
	return m->local_nodeid;
}

/* ---- life ---- */

/* Without a quorum provider no notification ever comes: say "quorate" once,
 * from the loop like every other callback. */
static void no_provider_job(void *data)
{
	struct mbr *m = data;
	m->no_provider_pending = false;
	if (!m->dead)
		m->cb.quorum(m->ctx, 0, true);
}

int mbr_new(qb_loop_t *loop, const char *group, const struct mbr_callbacks *cb, void *ctx,
	    struct mbr **ret_mbr)
{
	size_t glen = strlen(group);
	if (!glen || glen >= CPG_MAX_NAME_LENGTH)
		return -EINVAL;
	struct mbr *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->loop = loop;
	m->cb = *cb;
	m->ctx = ctx;
	memcpy(m->group.value, group, glen);
	m->group.length = (uint32_t)glen;

	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = cpg_deliver_cb,
		.cpg_confchg_fn = cpg_confchg_cb,
		.cpg_totem_confchg_fn = cpg_totem_cb,
		.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF,
	};
	int rc = cs_to_errno(cpg_model_initialize(&m->cpg, CPG_MODEL_V1,
						  (cpg_model_data_t *)&model, NULL));
	if (rc) {
		if (rc == -EIO || rc == -ENOENT)
			rc = -ENOTCONN;
		goto err_free;
	}
	m->have_cpg = true;
	cpg_context_set(m->cpg, m);
	unsigned int local = 0;
	if ((rc = cs_to_errno(cpg_local_get(m->cpg, &local))))
		goto err_cpg;
	m->local_nodeid = local;

	quorum_callbacks_t qcb = { .quorum_notify_fn = quorum_cb };
	uint32_t quorum_type = 0;
	if ((rc = cs_to_errno(quorum_initialize(&m->quorum, &qcb, &quorum_type)))) {
		if (rc == -EIO || rc == -ENOENT)
			rc = -ENOTCONN;
		goto err_cpg;
	}
	m->have_quorum = true;
	quorum_context_set(m->quorum, m);

	int fd;
	if ((rc = cs_to_errno(cpg_fd_get(m->cpg, &fd))))
		goto err_quorum;
	m->cpg_fd = fd;
	if ((rc = cs_to_errno(quorum_fd_get(m->quorum, &fd))))
		goto err_quorum;
	m->quorum_fd = fd;

	if ((rc = qb_loop_poll_add(loop, QB_LOOP_HIGH, m->cpg_fd, POLLIN, m, cpg_fd_cb)))
		goto err_quorum;
	if ((rc = qb_loop_poll_add(loop, QB_LOOP_HIGH, m->quorum_fd, POLLIN, m, quorum_fd_cb)))
		goto err_poll_cpg;

	if (quorum_type == 0) {
		/* No quorum provider: Corosync itself considers every partition
		 * quorate.  Say so once; no notification will come. */
		qb_log(LOG_NOTICE, "corosync has no quorum provider: every partition counts as quorate");
		if ((rc = qb_loop_job_add(loop, QB_LOOP_HIGH, m, no_provider_job)))
			goto err_poll_quorum;
		m->no_provider_pending = true;
	} else if ((rc = cs_to_errno(quorum_trackstart(m->quorum,
							 CS_TRACK_CURRENT | CS_TRACK_CHANGES)))) {
		goto err_poll_quorum;
	}
	if ((rc = cs_to_errno(cpg_join(m->cpg, &m->group))))
		goto err_poll_quorum;
	m->joined = true;
	*ret_mbr = m;
	return 0;

err_poll_quorum:
	if (m->no_provider_pending)
		qb_loop_job_del(loop, QB_LOOP_HIGH, m, no_provider_job);
	qb_loop_poll_del(loop, m->quorum_fd);
err_poll_cpg:
	qb_loop_poll_del(loop, m->cpg_fd);
err_quorum:
	quorum_finalize(m->quorum);
err_cpg:
	cpg_finalize(m->cpg);
err_free:
	free(m);
	return rc < 0 ? rc : -EIO;
}

void mbr_free(struct mbr *m)
{
	if (!m)
		return;
	if (m->no_provider_pending)
		qb_loop_job_del(m->loop, QB_LOOP_HIGH, m, no_provider_job);
	if (!m->dead) {
		qb_loop_poll_del(m->loop, m->cpg_fd);
		qb_loop_poll_del(m->loop, m->quorum_fd);
		if (m->retry_armed)
			qb_loop_timer_del(m->loop, m->retry_timer);
		if (m->joined)
			cpg_leave(m->cpg, &m->group);
	}
	cpg_finalize(m->cpg);
	quorum_finalize(m->quorum);
	while (m->q_head) {
		struct out_frame *f = m->q_head;
		m->q_head = f->next;
		free(f);
	}
	for (size_t i = 0; i < m->n_slots; i++)
		vg_reasm_clear(&m->slots[i].r);
	free(m->slots);
	free(m);
}

/* ---- cmap ---- */

void mbr_nodes_free(struct mbr_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(nodes[i].name);
	free(nodes);
}

int mbr_read_nodelist(struct mbr_node **ret_nodes, size_t *ret_n, char **ret_cluster_name)
{
	cmap_handle_t h;
	int rc = cs_to_errno(cmap_initialize(&h));
	if (rc)
		return rc == -EIO || rc == -ENOENT ? -ENOTCONN : rc;
	struct mbr_node *nodes = NULL;
	size_t n = 0;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	for (unsigned i = 0; i < VG_WIRE_MAX_MEMBERS; i++) {
		uint32_t id;
		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", i);
		if (cmap_get_uint32(h, key, &id) != CS_OK)
			break;
		char *name = NULL;
		snprintf(key, sizeof(key), "nodelist.node.%u.name", i);
		if (cmap_get_string(h, key, &name) != CS_OK) {
			snprintf(key, sizeof(key), "nodelist.node.%u.ring0_addr", i);
			if (cmap_get_string(h, key, &name) != CS_OK)
				name = NULL;
		}
		struct mbr_node *grown = realloc(nodes, (n + 1) * sizeof(*nodes));
		if (!grown) {
			free(name);
			rc = -ENOMEM;
			goto err;
		}
		nodes = grown;
		nodes[n].nodeid = id;
		nodes[n].name = name;
		if (!name && asprintf(&nodes[n].name, "node%" PRIu32, id) < 0) {
			nodes[n].name = NULL;
			rc = -ENOMEM;
			goto err;
		}
		n++;
	}
	char *cluster = NULL;
	if (cmap_get_string(h, "totem.cluster_name", &cluster) != CS_OK)
		cluster = NULL;
	cmap_finalize(h);
	*ret_nodes = nodes;
	*ret_n = n;
	*ret_cluster_name = cluster;
	return 0;

err:
	cmap_finalize(h);
	mbr_nodes_free(nodes, n);
	return rc;
}
