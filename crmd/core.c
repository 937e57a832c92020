/*
 * core.c - membership, sync rounds, the DC and the status section.
 *
 * Every member sees the same group stream (views, rings, messages) in the same
 * order, so every decision taken from the stream alone is the same everywhere:
 * that is how the DC is chosen without an election and why changes apply
 * identically.  Local inputs (quorum notifications, timers, disk) only decide
 * *when* a held stream event may be processed, never *what* it does.
 * doc/daemon.md has the protocol and the state table.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "core_int.h"

/* Quorum of a new ring normally follows its view within a few ms; this long
 * without it is worth a warning (held changes wait for it). */
#define QUORUM_OVERDUE_MS 5000
/* The DC coalesces status changes for this long before it broadcasts. */
#define STATUS_DELAY_MS 10

void core_log(struct crmd_core *c, int level, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	c->env.log(c->env.ctx, level, msg);
	free(msg);
}

int core_send(struct crmd_core *c, void *frame, size_t len)
{
	int rc = c->env.group_send(c->env.ctx, frame, len);
	if (rc)
		core_log(c, LOG_ERR, "cannot send to the group: %s", strerror(-rc));
	free(frame);
	return rc;
}

bool core_is_self(const struct crmd_core *c, const struct vg_member *m)
{
	return m->nodeid == c->local_nodeid && m->pid == c->local_pid;
}

struct member *core_member(struct crmd_core *c, uint32_t nodeid, uint32_t pid)
{
	for (size_t i = 0; i < c->n_members; i++)
		if (c->members[i].id.nodeid == nodeid && c->members[i].id.pid == pid)
			return &c->members[i];
	return NULL;
}

static int member_cmp(const void *a, const void *b)
{
	const struct vg_member *x = a, *y = b;
	if (x->nodeid != y->nodeid)
		return x->nodeid < y->nodeid ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return 0;
}

/* ---- quorum ---- */

static bool qmap_get(const struct crmd_core *c, uint64_t seq, bool *ret_quorate)
{
	for (size_t i = 0; i < sizeof(c->qmap) / sizeof(c->qmap[0]); i++)
		if (c->qmap[i].seq == seq && seq) {
			*ret_quorate = c->qmap[i].quorate;
			return true;
		}
	return false;
}

/* Quorum is per ring: every member of a ring gets the same answer for it, so
 * decisions keyed to the ring agree even though the notifications arrive at
 * slightly different moments. */
bool core_quorum_known(const struct crmd_core *c)
{
	if (c->no_quorum_provider)
		return true;
	bool q;
	return c->have_ring && !c->ring_pending && qmap_get(c, c->ring_seq, &q);
}

bool core_quorate_now(const struct crmd_core *c)
{
	if (c->no_quorum_provider)
		return true;
	bool q = false;
	return core_quorum_known(c) && qmap_get(c, c->ring_seq, &q) && q;
}

/* Nodes of the cluster, and nodes with a vigild in the view. */
static size_t cluster_nodes(const struct crmd_core *c)
{
	return c->n_cluster_nodes ? c->n_cluster_nodes : c->n_ring_nodes;
}

size_t core_daemon_nodes(const struct crmd_core *c)
{
	size_t daemons = 0;
	for (size_t i = 0; i < c->n_members; i++) {
		if (c->members[i].bad)
			continue;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !c->members[k].bad && c->members[k].id.nodeid == c->members[i].id.nodeid;
		daemons += !seen;
	}
	return daemons;
}

/*
 * Changes need more than Corosync's quorum: a majority of the cluster's nodes
 * must run a vigild in this view.  Corosync counts nodes whose vigild is down;
 * a change confirmed by every vigild of such a view could then live on a
 * minority of the disks, and a later group of other vigilds, with older copies
 * and Corosync's quorum too, would never see it.  With a majority of vigilds,
 * every acknowledged change is on a majority of disks, and every group that
 * may change the configuration includes one of them.
 *
 * A two-node cluster (Corosync's two_node) has no majority of one: a vigild
 * alone may act only as the survivor, when this process synchronized with the
 * other node's vigild since it started (pair_synced, update_primary()).  A
 * vigild that starts alone cannot know whether the other acknowledged changes
 * while it was away (a stale lone vigild must not act; like Corosync's
 * wait_for_all, one level up).
 */
bool core_may_change(const struct crmd_core *c, char *why, size_t why_len)
{
	if (!core_quorate_now(c)) {
		if (why)
			snprintf(why, why_len, "no quorum");
		return false;
	}
	size_t total = cluster_nodes(c), daemons = core_daemon_nodes(c);
	if (daemons * 2 > total || (total == 2 && daemons == 1 && c->pair_synced))
		return true;
	if (why && total == 2 && daemons == 1)
		snprintf(why, why_len, "no quorum of vigild: alone of two, not synced with the "
			 "other since it started");
	else if (why)
		snprintf(why, why_len, "no quorum of vigild: only %zu of %zu nodes run it", daemons,
			 total);
	return false;
}

/* `primary`: this member's configuration is that of a partition that may
 * change it.  It breaks ties between SYNCs and orders seniority when
 * partitions merge, so it is frozen while a round runs. */
static void update_primary(struct crmd_core *c)
{
	if (!c->round_active && c->synced && core_quorum_known(c)) {
		if (cluster_nodes(c) == 2 && core_daemon_nodes(c) == 2 && core_quorate_now(c))
			c->pair_synced = true;
		c->primary = core_may_change(c, NULL, 0);
	}
}

/* ---- names and node bookkeeping ---- */

static struct node_info *node_info(struct crmd_core *c, uint32_t nodeid, bool create)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].nodeid == nodeid)
			return &c->nodes[i];
	if (!create)
		return NULL;
	struct node_info *grown = realloc(c->nodes, (c->n_nodes + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	c->nodes = grown;
	struct node_info *n = &c->nodes[c->n_nodes++];
	*n = (struct node_info){ .nodeid = nodeid };
	/* Keep them sorted by id: output and status sections in a stable order. */
	for (size_t i = c->n_nodes - 1; i > 0 && c->nodes[i - 1].nodeid > nodeid; i--) {
		struct node_info t = c->nodes[i - 1];
		c->nodes[i - 1] = c->nodes[i];
		c->nodes[i] = t;
		n = &c->nodes[i - 1];
	}
	return n;
}

const char *core_node_name(const struct crmd_core *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].nodeid == nodeid && c->nodes[i].name)
			return c->nodes[i].name;
	return NULL;
}

static void set_node_name(struct crmd_core *c, uint32_t nodeid, const char *name)
{
	struct node_info *n = node_info(c, nodeid, true);
	if (!n || !name || (n->name && !strcmp(n->name, name)))
		return;
	char *dup = strdup(name);
	if (!dup)
		return;
	free(n->name);
	n->name = dup;
}

/* "n2" or "node 2" for logs. */
static const char *who(const struct crmd_core *c, uint32_t nodeid, char buf[32])
{
	const char *n = core_node_name(c, nodeid);
	if (n)
		return n;
	snprintf(buf, 32, "node %" PRIu32, nodeid);
	return buf;
}

/* ---- DC ---- */

static bool member_usable(struct crmd_core *c, const struct vg_member *m)
{
	struct member *x = core_member(c, m->nodeid, m->pid);
	return x && !x->bad;
}

/* The DC is the oldest member of the seniority list still present.  The list
 * only ever loses members (leaves) between rounds, so a DC keeps its role while
 * it stays, and the survivors of a DC's departure all move to the same next. */
bool core_node_seen(const struct crmd_core *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].nodeid == nodeid)
			return c->nodes[i].seen;
	return false;
}

static void choose_dc(struct crmd_core *c)
{
	c->dc = (struct vg_member){ 0 };
	if (c->round_active && !c->round_primary)
		return; /* a joiner, or the minority side of a heal: wait for the round */
	if (!c->synced && !c->round_active)
		return;
	for (size_t i = 0; i < c->n_seniority; i++)
		if (member_usable(c, &c->seniority[i])) {
			c->dc = c->seniority[i];
			return;
		}
}

/* Reports and probes are collected for one DC and forgotten when it changes
 * (report_to_dc()), never on a local event (V4, scenario 27). */
static void compute_dc(struct crmd_core *c)
{
	choose_dc(c);
}

uint32_t crmd_core_dc_candidate(const struct crmd_core *c)
{
	return c->dc.nodeid;
}

/* The DC acts only where the configuration may change: Corosync's quorum and
 * a majority of vigilds in the view.  A vigild alone (or a minority of them) in
 * a Corosync-quorate ring may hold a stale copy that lacks an acknowledged
 * change; deciding on it would undo that change (K1). */
uint32_t crmd_core_dc(const struct crmd_core *c)
{
	/* Nor during a sync round: the sides of a heal still hold their own
	 * DCs until the round decides the seniority (and the configuration). */
	if (c->round_active)
		return 0;
	return core_may_change(c, NULL, 0) ? c->dc.nodeid : 0;
}

static bool self_is_dc(const struct crmd_core *c)
{
	return crmd_core_dc(c) && core_is_self(c, &c->dc);
}

/* Reports this node to the DC, which rebuilds its status from reports.
 *
 * What was collected (reports, probes) is thrown away only when the DC
 * candidate changed or a round closed (report_dc cleared): those happen at
 * the same place of the group stream on every member, so no report sent after
 * them can arrive before.  The DC's ability to act also flips with quorum, a
 * local event: resetting then would lose the reports of members whose quorum
 * came first (their report delivered before the DC's own quorum notice), and
 * those members would stay "pending" for ever. */
static void report_to_dc(struct crmd_core *c)
{
	bool reset = member_cmp(&c->dc, &c->report_dc) != 0;
	c->report_dc = c->dc;
	if (reset)
		for (size_t i = 0; i < c->n_members; i++)
			c->members[i].reported = false;
	if (!crmd_core_dc(c) || !c->synced || c->round_active) {
		if (reset)
			rsc_report_due(c, true); /* forgets the probes; probes nothing now */
		return;
	}
	struct vg_msg_status_report r = { .name = c->local_name };
	void *buf;
	size_t len;
	if (!vg_msg_status_report_encode(&r, c->local_nodeid, ++c->send_seq, &buf, &len))
		core_send(c, buf, len);
	rsc_report_due(c, reset);
}

static void note_dc(struct crmd_core *c)
{
	uint32_t dc = crmd_core_dc(c);
	if (dc == c->dc_logged)
		return;
	char b[32];
	if (dc)
		core_log(c, LOG_NOTICE, "DC is %s%s", who(c, dc, b),
			 core_is_self(c, &c->dc) ? " (this node)" : "");
	else
		core_log(c, LOG_NOTICE, "no DC may act now (%s)",
			 !core_quorum_known(c) ? "quorum not yet known" :
			 !core_quorate_now(c) ? "no quorum" :
			 !core_may_change(c, NULL, 0) ? "no quorum of vigild" : "synchronizing");
	c->dc_logged = dc;
	report_to_dc(c);
	core_status_changed(c);
}

/* ---- sync rounds ---- */

static void send_sync(struct crmd_core *c)
{
	struct vg_member *view = calloc(c->n_members ? c->n_members : 1, sizeof(*view));
	if (!view)
		return;
	for (size_t i = 0; i < c->n_members; i++)
		view[i] = c->members[i].id;
	struct vg_msg_sync s = {
		.flags = (c->synced ? VG_SYNC_SYNCED : 0) | (c->have_config ? VG_SYNC_HAVE_CONFIG : 0) |
			 (c->round_primary ? VG_SYNC_WAS_QUORATE : 0),
		.version = c->cfg_ver,
		.config_crc = c->cfg_crc,
		.term = c->cfg_term,
		.view = view,
		.n_view = c->n_members,
		.seniority = c->synced ? c->seniority : NULL,
		.n_seniority = c->synced ? c->n_seniority : 0,
	};
	void *buf;
	size_t len;
	if (!vg_msg_sync_encode(&s, c->local_nodeid, ++c->send_seq, &buf, &len))
		core_send(c, buf, len);
	free(view);
}

static void start_round(struct crmd_core *c, const char *why)
{
	if (!c->round_active)
		c->round_primary = c->primary && c->synced;
	c->round_active = true;
	c->round_waiting_full = false;
	for (size_t i = 0; i < c->n_members; i++) {
		c->members[i].sync_got = false;
		vg_msg_sync_clear(&c->members[i].sync);
	}
	core_log(c, LOG_INFO, "synchronizing with %zu members (%s)", c->n_members, why);
	send_sync(c);
}

/* Which configuration to keep: a valid one, then the highest commit term, then
 * the newest version, then - at equal versions - the one of a partition that
 * could change it, then the lowest id.  The same on every member: all have the
 * same SYNCs.
 *
 * The commit term is the ring seq of the quorate ring in which the document's
 * last change was applied (like Raft's term of the last log entry).  A change
 * is acknowledged only once every vigild of a view with a majority of vigilds
 * stored it (core_may_change()), so any later group that may change the
 * configuration contains a disk holding it or a descendant.  A member being cut
 * off can deliver its own changes alone in the old ring (Corosync orders
 * "agreed", not "safe"): never acknowledged, they carry the old ring's term and
 * may be several versions ahead.  Anything the majority committed afterwards
 * was applied in a later quorate ring (a higher seq: Corosync numbers a ring
 * above every ring its members saw, and two quorate rings share a node), so the
 * term puts it first whatever the versions.  Within one term the changes are
 * one totally ordered chain, so the newest version holds the others. */
static bool config_better(const struct member *a, const struct member *b)
{
	uint32_t fa = a->sync.flags, fb = b->sync.flags;
	if ((fa & VG_SYNC_HAVE_CONFIG) != (fb & VG_SYNC_HAVE_CONFIG))
		return fa & VG_SYNC_HAVE_CONFIG;
	if (a->sync.term != b->sync.term)
		return a->sync.term > b->sync.term;
	int v = vg_cfg_version_cmp(&a->sync.version, &b->sync.version);
	if (v)
		return v > 0;
	if ((fa & VG_SYNC_WAS_QUORATE) != (fb & VG_SYNC_WAS_QUORATE))
		return fa & VG_SYNC_WAS_QUORATE;
	return member_cmp(&a->id, &b->id) < 0;
}

/* Whose seniority counts first: the side that could act (its DC stays DC),
 * then members that were synced, then the lowest id. */
static bool seniority_better(const struct member *a, const struct member *b)
{
	uint32_t fa = a->sync.flags, fb = b->sync.flags;
	if ((fa & VG_SYNC_WAS_QUORATE) != (fb & VG_SYNC_WAS_QUORATE))
		return fa & VG_SYNC_WAS_QUORATE;
	if ((fa & VG_SYNC_SYNCED) != (fb & VG_SYNC_SYNCED))
		return fa & VG_SYNC_SYNCED;
	return member_cmp(&a->id, &b->id) < 0;
}

static void rank(struct member **v, size_t n, bool (*better)(const struct member *,
							      const struct member *))
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && better(v[j], v[j - 1]); j--) {
			struct member *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static bool seniority_has(const struct vg_member *list, size_t n, const struct vg_member *m)
{
	for (size_t i = 0; i < n; i++)
		if (!member_cmp(&list[i], m))
			return true;
	return false;
}

static void close_round(struct crmd_core *c)
{
	c->round_active = false;
	c->round_waiting_full = false;
	c->synced = true;
	for (size_t i = 0; i < c->n_members; i++)
		vg_msg_sync_clear(&c->members[i].sync);
	update_primary(c);
	compute_dc(c);
	char b[32];
	core_log(c, LOG_NOTICE, "synchronized: %zu members, configuration %" PRIu32 ":%" PRIu32
		 ":%" PRIu32 ", DC candidate %s", c->n_members, c->cfg_ver.admin_epoch,
		 c->cfg_ver.epoch, c->cfg_ver.num_updates,
		 c->dc.nodeid ? who(c, c->dc.nodeid, b) : "none");
	config_restamp(c);
	config_persist_latest(c);
	config_round_closed(c);
	fence_round_closed(c);
	c->report_dc = (struct vg_member){ 0 }; /* joiners: everybody reports afresh */
	if (crmd_core_dc(c) == c->dc_logged)
		report_to_dc(c); /* same DC: it still needs to hear from joiners */
	note_dc(c);
}

static void complete_round(struct crmd_core *c)
{
	/* Order the members that answered, best first. */
	size_t n = 0;
	struct member **ranked = calloc(c->n_members ? c->n_members : 1, sizeof(*ranked));
	if (!ranked)
		return;
	for (size_t i = 0; i < c->n_members; i++)
		if (!c->members[i].bad && c->members[i].sync_got)
			ranked[n++] = &c->members[i];
	if (!n) {
		free(ranked);
		return;
	}
	rank(ranked, n, config_better);
	struct member *win = ranked[0];
	c->winner = win->id;
	c->winner_version = win->sync.version;
	c->winner_crc = win->sync.config_crc;
	c->winner_term = win->sync.term;

	/* Seniority: the lists of the side that could act first, then the
	 * others', then those without one, by id.  A DC that stays stays first. */
	rank(ranked, n, seniority_better);
	struct vg_member *sen = calloc(n, sizeof(*sen));
	size_t ns = 0;
	if (!sen) {
		free(ranked);
		return;
	}
	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < ranked[r]->sync.n_seniority; i++) {
			const struct vg_member *m = &ranked[r]->sync.seniority[i];
			struct member *x = core_member(c, m->nodeid, m->pid);
			if (x && !x->bad && x->sync_got && !seniority_has(sen, ns, m))
				sen[ns++] = *m;
		}
	struct vg_member *rest = calloc(n, sizeof(*rest));
	size_t nr = 0;
	for (size_t r = 0; rest && r < n; r++)
		if (!seniority_has(sen, ns, &ranked[r]->id))
			rest[nr++] = ranked[r]->id;
	if (rest)
		qsort(rest, nr, sizeof(*rest), member_cmp);
	for (size_t i = 0; i < nr; i++)
		sen[ns++] = rest[i];
	free(rest);
	free(c->seniority);
	c->seniority = sen;
	c->n_seniority = ns;

	/* Does anybody need the winner's configuration? */
	bool need_full = false;
	for (size_t r = 0; r < n; r++)
		if (vg_cfg_version_cmp(&ranked[r]->sync.version, &win->sync.version) ||
		    ranked[r]->sync.config_crc != win->sync.config_crc ||
		    ranked[r]->sync.term != win->sync.term)
			need_full = true;
	char b[32];
	core_log(c, LOG_INFO, "sync: %s has the configuration to keep (%" PRIu32 ":%" PRIu32
		 ":%" PRIu32 "%s)%s", who(c, win->id.nodeid, b), win->sync.version.admin_epoch,
		 win->sync.version.epoch, win->sync.version.num_updates,
		 win->sync.flags & VG_SYNC_WAS_QUORATE ? ", from a quorate partition" : "",
		 need_full ? "; sending it to the others" : "; everybody has it");
	free(ranked);

	if (!need_full) {
		close_round(c);
		return;
	}
	c->round_waiting_full = true;
	if (core_is_self(c, &c->winner)) {
		struct vg_member *view = calloc(c->n_members, sizeof(*view));
		if (!view)
			return;
		for (size_t i = 0; i < c->n_members; i++)
			view[i] = c->members[i].id;
		struct vg_msg_config_full f = {
			.version = c->cfg_ver, .view = view, .n_view = c->n_members,
			.xml = c->cfg, .xml_len = c->cfg_len,
		};
		void *buf;
		size_t len;
		if (!vg_msg_config_full_encode(&f, c->local_nodeid, ++c->send_seq, &buf, &len))
			core_send(c, buf, len);
		free(view);
	}
}

static void maybe_complete_round(struct crmd_core *c)
{
	if (!c->round_active || c->round_waiting_full)
		return;
	for (size_t i = 0; i < c->n_members; i++)
		if (!c->members[i].bad && !c->members[i].sync_got)
			return;
	complete_round(c);
}

/* Does a message's view name the current view? (As sets: a SYNC or FULL meant
 * for an earlier view is stale.) */
static bool view_is_current(struct crmd_core *c, const struct vg_member *v, size_t n)
{
	if (n != c->n_members)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!core_member(c, v[i].nodeid, v[i].pid))
			return false;
	return true;
}

static void mark_bad(struct crmd_core *c, struct member *m, const char *why)
{
	c->dropped++;
	if (!m || m->bad)
		return;
	m->bad = true;
	core_log(c, LOG_WARNING, "ignoring process %" PRIu32 " of node %" PRIu32
		 " from now on: %s", m->id.pid, m->id.nodeid, why);
	if (c->round_active && c->round_waiting_full && !member_cmp(&m->id, &c->winner)) {
		start_round(c, "the sender of the configuration misbehaved");
		return;
	}
	maybe_complete_round(c);
	compute_dc(c);
	note_dc(c);
	config_check_requests(c);
}

static void on_sync(struct crmd_core *c, struct member *from, struct vg_msg_sync *s)
{
	/* A member of this very view is synchronizing while we are not: it
	 * joined in a view with a process we had already excluded (its bad
	 * message was delivered before it joined), and that process left, so
	 * its round restarted alone.  Join it, or it waits forever.  Every
	 * synced member sees this SYNC at the same point and joins alike. */
	if (!c->round_active && c->synced && view_is_current(c, s->view, s->n_view))
		start_round(c, "a member is synchronizing");
	if (!c->round_active || c->round_waiting_full || !view_is_current(c, s->view, s->n_view)) {
		core_log(c, LOG_DEBUG, "stale sync from node %" PRIu32 " ignored", from->id.nodeid);
		vg_msg_sync_clear(s);
		return;
	}
	vg_msg_sync_clear(&from->sync);
	from->sync = *s;
	*s = (struct vg_msg_sync){ 0 };
	from->sync_got = true;
	maybe_complete_round(c);
}

static void on_full(struct crmd_core *c, struct member *from, struct vg_msg_config_full *f)
{
	if (!c->round_active || !c->round_waiting_full || !view_is_current(c, f->view, f->n_view) ||
	    member_cmp(&from->id, &c->winner)) {
		core_log(c, LOG_DEBUG, "stale configuration from node %" PRIu32 " ignored",
			 from->id.nodeid);
		return;
	}
	/* Every member checks it, installing or not, so that all agree on whether
	 * the sender misbehaved. */
	struct vg_diags d = { 0 };
	char *norm = NULL;
	size_t norm_len = 0;
	int rc = crmd_doc_normalize(f->xml, f->xml_len, &f->version, &norm, &norm_len, &d);
	if (rc || vg_crc32(0, norm, norm_len) != c->winner_crc) {
		char why[160];
		snprintf(why, sizeof(why), "its configuration %s",
			 rc ? (d.n ? d.v[0].message : "is invalid") : "does not match its checksum");
		vg_diags_clear(&d);
		free(norm);
		mark_bad(c, from, why);
		return;
	}
	vg_diags_clear(&d);
	if (vg_cfg_version_cmp(&c->cfg_ver, &f->version) || c->cfg_crc != c->winner_crc) {
		char b[32];
		core_log(c, LOG_NOTICE, "taking configuration %" PRIu32 ":%" PRIu32 ":%" PRIu32
			 " from %s (had %" PRIu32 ":%" PRIu32 ":%" PRIu32 ")", f->version.admin_epoch,
			 f->version.epoch, f->version.num_updates, who(c, from->id.nodeid, b),
			 c->cfg_ver.admin_epoch, c->cfg_ver.epoch, c->cfg_ver.num_updates);
		config_install(c, norm, norm_len, "state transfer");
		config_transferred(c);
	}
	c->cfg_term = c->winner_term;
	free(norm);
	close_round(c);
}

/* ---- status ---- */

void core_status_changed(struct crmd_core *c)
{
	if (!self_is_dc(c) || c->status_timer_armed)
		return;
	c->status_timer_armed = true;
	c->env.timer_arm(c->env.ctx, CRMD_TIMER_STATUS, STATUS_DELAY_MS);
}

static bool in_ring(const struct crmd_core *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_ring_nodes; i++)
		if (c->ring_nodes[i] == nodeid)
			return true;
	return false;
}

int core_node_states(struct crmd_core *c, struct crmd_node_state **ret, size_t *ret_n)
{
	struct crmd_node_state *v = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_nodes; i++) {
		const struct node_info *ni = &c->nodes[i];
		bool crmd = false, joined = false;
		for (size_t k = 0; k < c->n_members; k++) {
			const struct member *m = &c->members[k];
			if (m->id.nodeid != ni->nodeid || m->bad)
				continue;
			crmd = true;
			joined |= m->reported;
		}
		char idbuf[16];
		snprintf(idbuf, sizeof(idbuf), "node%" PRIu32, ni->nodeid);
		v[i].nodeid = ni->nodeid;
		v[i].uname = strdup(ni->name ? ni->name : idbuf);
		v[i].in_ccm = in_ring(c, ni->nodeid);
		v[i].crmd = crmd;
		v[i].join = strdup(crmd ? (joined ? "member" : "pending") : "down");
		v[i].expected = strdup(ni->expected_up ? "member" : "down");
		if (!v[i].uname || !v[i].join || !v[i].expected) {
			crmd_node_states_free(v, i + 1);
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_n = c->n_nodes;
	return 0;
}

static void status_broadcast(struct crmd_core *c)
{
	c->status_timer_armed = false;
	if (!self_is_dc(c))
		return;
	struct crmd_node_state *st;
	size_t n;
	if (core_node_states(c, &st, &n))
		return;
	char *xml = NULL;
	size_t len = 0;
	int rc = crmd_doc_status_build(st, n, &xml, &len);
	crmd_node_states_free(st, n);
	if (rc)
		return;
	if (c->last_status_sent && !strcmp(c->last_status_sent, xml)) {
		free(xml);
		return;
	}
	struct vg_msg_status_section s = { .num_updates = c->num_updates + 1, .xml = xml,
					   .xml_len = len };
	void *buf;
	size_t blen;
	if (!vg_msg_status_section_encode(&s, c->local_nodeid, ++c->send_seq, &buf, &blen) &&
	    !core_send(c, buf, blen)) {
		free(c->last_status_sent);
		c->last_status_sent = xml;
		return;
	}
	free(xml);
}

static void on_status_section(struct crmd_core *c, struct member *from,
			      struct vg_msg_status_section *s)
{
	if (member_cmp(&from->id, &c->dc)) {
		core_log(c, LOG_DEBUG, "status section from node %" PRIu32 ", not the DC: ignored",
			 from->id.nodeid);
		return;
	}
	struct vg_diags d = { 0 };
	struct crmd_node_state *st;
	size_t n;
	if (crmd_doc_status_parse(s->xml, s->xml_len, &st, &n, &d)) {
		mark_bad(c, from, d.n ? d.v[0].message : "bad status section");
		vg_diags_clear(&d);
		return;
	}
	crmd_node_states_free(c->dc_status, c->n_dc_status);
	c->dc_status = st;
	c->n_dc_status = n;
	c->dc_status_from = from->id.nodeid;
	c->num_updates = s->num_updates;
	/* A member that joined late learns who is expected from the DC. */
	for (size_t i = 0; i < n; i++) {
		struct node_info *ni = node_info(c, st[i].nodeid, true);
		if (!ni)
			continue;
		if (!ni->name && st[i].uname && st[i].uname[0])
			set_node_name(c, st[i].nodeid, st[i].uname);
		bool member = false;
		for (size_t k = 0; k < c->n_members; k++)
			member |= c->members[k].id.nodeid == st[i].nodeid;
		if (!member)
			ni->expected_up = st[i].expected && !strcmp(st[i].expected, "member");
		if (st[i].crmd || (st[i].expected && !strcmp(st[i].expected, "member")))
			ni->seen = true;
	}
}

static void on_report(struct crmd_core *c, struct member *from, struct vg_msg_status_report *r)
{
	from->reported = true;
	if (!from->name || strcmp(from->name, r->name)) {
		free(from->name);
		from->name = strdup(r->name);
	}
	if (!core_node_name(c, from->id.nodeid))
		set_node_name(c, from->id.nodeid, r->name);
	core_status_changed(c);
}

/* ---- the stream ---- */

static void on_message(struct crmd_core *c, uint32_t nodeid, uint32_t pid, const void *buf,
		       size_t len)
{
	struct member *from = core_member(c, nodeid, pid);
	if (!from) {
		c->dropped++;
		core_log(c, LOG_WARNING, "dropped a message from node %" PRIu32 " pid %" PRIu32
			 ", which is not in the group", nodeid, pid);
		return;
	}
	if (from->bad) {
		c->dropped++;
		return;
	}
	struct vg_diags d = { 0 };
	struct vg_wire_hdr h;
	const void *payload;
	int rc = vg_wire_decode(buf, len, &h, &payload, &d);
	if (!rc && h.sender != nodeid) {
		vg_diags_add(&d, VG_DIAG_ERROR, 0, "header", "claims to be from node %" PRIu32,
			     h.sender);
		rc = -EBADMSG;
	}
	union {
		struct vg_msg_sync sync;
		struct vg_msg_config_full full;
		struct vg_msg_config_change change;
		struct vg_msg_config_confirm confirm;
		struct vg_msg_status_report report;
		struct vg_msg_status_section section;
		struct vg_msg_rsc rsc;
		struct vg_msg_fence fence;
	} m;
	memset(&m, 0, sizeof(m));
	if (!rc) {
		switch (h.type) {
		case VG_MSG_SYNC: rc = vg_msg_sync_decode(payload, h.length, &m.sync, &d); break;
		case VG_MSG_CONFIG_FULL:
			rc = vg_msg_config_full_decode(payload, h.length, &m.full, &d);
			break;
		case VG_MSG_CONFIG_CHANGE:
			rc = vg_msg_config_change_decode(payload, h.length, &m.change, &d);
			break;
		case VG_MSG_CONFIG_CONFIRM:
			rc = vg_msg_config_confirm_decode(payload, h.length, &m.confirm, &d);
			break;
		case VG_MSG_STATUS_REPORT:
			rc = vg_msg_status_report_decode(payload, h.length, &m.report, &d);
			break;
		case VG_MSG_STATUS_SECTION:
			rc = vg_msg_status_section_decode(payload, h.length, &m.section, &d);
			break;
		case VG_MSG_RSC:
			rc = vg_msg_rsc_decode(payload, h.length, &m.rsc, &d);
			break;
		case VG_MSG_FENCE:
			rc = vg_msg_fence_decode(payload, h.length, &m.fence, &d);
			break;
		default:
			/* Fragments are the transport's; one up here is a broken transfer. */
			vg_diags_add(&d, VG_DIAG_ERROR, 0, "header", "unexpected %s message",
				     vg_msg_type_name(h.type));
			rc = -EBADMSG;
		}
	}
	if (rc) {
		char why[256];
		snprintf(why, sizeof(why), "%s: %s", d.n && d.v[0].where ? d.v[0].where : "message",
			 d.n ? d.v[0].message : strerror(-rc));
		core_log(c, LOG_WARNING, "dropped a malformed group message from node %" PRIu32
			 " pid %" PRIu32 " (%zu bytes): %s", nodeid, pid, len, why);
		vg_diags_clear(&d);
		mark_bad(c, from, "it sent a malformed message");
		return;
	}
	vg_diags_clear(&d);
	switch (h.type) {
	case VG_MSG_SYNC:
		on_sync(c, from, &m.sync);
		vg_msg_sync_clear(&m.sync);
		break;
	case VG_MSG_CONFIG_FULL:
		on_full(c, from, &m.full);
		vg_msg_config_full_clear(&m.full);
		break;
	case VG_MSG_CONFIG_CHANGE:
		config_on_change(c, from, &m.change);
		vg_msg_config_change_clear(&m.change);
		break;
	case VG_MSG_CONFIG_CONFIRM:
		config_on_confirm(c, from, &m.confirm);
		break;
	case VG_MSG_STATUS_REPORT:
		on_report(c, from, &m.report);
		vg_msg_status_report_clear(&m.report);
		break;
	case VG_MSG_STATUS_SECTION:
		on_status_section(c, from, &m.section);
		vg_msg_status_section_clear(&m.section);
		break;
	case VG_MSG_RSC:
		rsc_on_message(c, from, m.rsc.json, m.rsc.json_len);
		vg_msg_rsc_clear(&m.rsc);
		break;
	case VG_MSG_FENCE:
		rc = fence_on_message(c, from, &m.fence);
		vg_msg_fence_clear(&m.fence);
		if (rc) {
			core_log(c, LOG_WARNING, "dropped a malformed fencing message from node %"
				 PRIu32 " pid %" PRIu32, nodeid, pid);
			mark_bad(c, from, "it sent a malformed fencing message");
		}
		break;
	}
}

static void on_ring(struct crmd_core *c, uint64_t seq, const uint32_t *nodeids, size_t n)
{
	uint32_t *copy = calloc(n ? n : 1, sizeof(*copy));
	if (!copy)
		return;
	if (n)
		memcpy(copy, nodeids, n * sizeof(*copy));
	free(c->ring_nodes);
	c->ring_nodes = copy;
	c->n_ring_nodes = n;
	c->ring_seq = seq;
	c->have_ring = true;
	c->ring_pending = false;
	for (size_t i = 0; i < n; i++)
		node_info(c, nodeids[i], true);
	core_log(c, LOG_INFO, "ring %" PRIu64 " with %zu nodes", seq, n);
	bool q;
	if (!c->no_quorum_provider && !qmap_get(c, seq, &q) && !c->quorum_timer_armed) {
		c->quorum_timer_armed = true;
		c->env.timer_arm(c->env.ctx, CRMD_TIMER_QUORUM, QUORUM_OVERDUE_MS);
	}
	update_primary(c);
	config_restamp(c);
	note_dc(c);
	core_status_changed(c);
}

static const char *reason_name(enum crmd_reason r)
{
	switch (r) {
	case CRMD_REASON_JOIN: return "joined";
	case CRMD_REASON_LEAVE: return "left cleanly";
	case CRMD_REASON_NODEDOWN: return "node down";
	case CRMD_REASON_NODEUP: return "node back";
	case CRMD_REASON_PROCDOWN: return "process died";
	case CRMD_REASON_UNKNOWN: break;
	}
	return "unknown reason";
}

static void on_view(struct crmd_core *c, const struct crmd_event *ev)
{
	/* New member table in Corosync's order, keeping what we know of those who
	 * stay. */
	struct member *next = calloc(ev->view.n ? ev->view.n : 1, sizeof(*next));
	if (!next)
		return;
	for (size_t i = 0; i < ev->view.n; i++) {
		const struct vg_member *id = &ev->view.members[i];
		struct member *old = core_member(c, id->nodeid, id->pid);
		if (old) {
			next[i] = *old;
			*old = (struct member){ 0 }; /* moved */
		} else {
			next[i] = (struct member){ .id = *id };
		}
	}
	for (size_t i = 0; i < c->n_members; i++) {
		vg_msg_sync_clear(&c->members[i].sync);
		free(c->members[i].name);
	}
	free(c->members);
	c->members = next;
	c->n_members = ev->view.n;

	bool ring_changes = false;
	char b[32];
	for (size_t i = 0; i < ev->view.n_left; i++) {
		const struct crmd_change *l = &ev->view.left[i];
		core_log(c, LOG_NOTICE, "%s left the group (pid %" PRIu32 ", %s)",
			 who(c, l->member.nodeid, b), l->member.pid, reason_name(l->reason));
		ring_changes |= l->reason == CRMD_REASON_NODEDOWN || l->reason == CRMD_REASON_NODEUP;
		bool still = false;
		for (size_t k = 0; k < c->n_members; k++)
			still |= c->members[k].id.nodeid == l->member.nodeid;
		struct node_info *ni = node_info(c, l->member.nodeid, true);
		if (ni && !still && l->reason == CRMD_REASON_LEAVE)
			ni->expected_up = false;
		/* The seniority list only ever loses members between rounds. */
		for (size_t k = 0; k < c->n_seniority; k++)
			if (!member_cmp(&c->seniority[k], &l->member)) {
				memmove(&c->seniority[k], &c->seniority[k + 1],
					(c->n_seniority - k - 1) * sizeof(*c->seniority));
				c->n_seniority--;
				break;
			}
	}
	for (size_t i = 0; i < ev->view.n_joined; i++) {
		const struct crmd_change *j = &ev->view.joined[i];
		core_log(c, LOG_NOTICE, "%s joined the group (pid %" PRIu32 "%s)",
			 who(c, j->member.nodeid, b), j->member.pid,
			 j->reason == CRMD_REASON_NODEUP ? ", its node came back" : "");
		ring_changes |= j->reason == CRMD_REASON_NODEDOWN || j->reason == CRMD_REASON_NODEUP;
		struct node_info *ni = node_info(c, j->member.nodeid, true);
		if (ni)
			ni->expected_up = true;
	}
	/* Every member of the view is up, whether we saw it join or it was there
	 * before us: a node that had joined before this member would otherwise
	 * not count as expected up here, and its loss would look clean to us
	 * (a DC we replace must be fenced like anybody else). */
	for (size_t i = 0; i < c->n_members; i++) {
		struct node_info *ni = node_info(c, c->members[i].id.nodeid, true);
		if (ni)
			ni->expected_up = ni->seen = true;
	}
	/* Corosync announces the new ring right after a view caused by a ring
	 * change; until then, quorum is unknown. */
	if (ring_changes)
		c->ring_pending = true;
	if (ev->view.n_joined || c->round_active || !c->synced)
		start_round(c, ev->view.n_joined ? "members joined" : "membership changed during sync");
	compute_dc(c);
	note_dc(c);
	config_check_requests(c);
	core_status_changed(c);
	nq_on_view(c, ev);
}

static void on_quorum(struct crmd_core *c, uint64_t seq, bool quorate, bool no_provider)
{
	if (no_provider) {
		c->no_quorum_provider = true;
		c->last_quorate = true;
	} else {
		bool known;
		if (qmap_get(c, seq, &known)) {
			for (size_t i = 0; i < sizeof(c->qmap) / sizeof(c->qmap[0]); i++)
				if (c->qmap[i].seq == seq)
					c->qmap[i].quorate = quorate;
		} else {
			c->qmap[c->qmap_next].seq = seq;
			c->qmap[c->qmap_next].quorate = quorate;
			c->qmap_next = (c->qmap_next + 1) % (sizeof(c->qmap) / sizeof(c->qmap[0]));
		}
		if (!c->have_ring || seq == c->ring_seq)
			c->last_quorate = quorate;
	}
	core_log(c, LOG_INFO, "quorum of ring %" PRIu64 ": %s", seq, quorate ? "yes" : "no");
	if (core_quorum_known(c) && c->quorum_timer_armed) {
		c->quorum_timer_armed = false;
		c->env.timer_cancel(c->env.ctx, CRMD_TIMER_QUORUM);
	}
	update_primary(c);
	config_restamp(c);
	note_dc(c);
	config_check_requests(c);
}

/* ---- holding group events in order ---- */

/* A change is decided with the quorum of the ring it was delivered in; when
 * that is not known yet the change, and everything after it, waits. */
static bool must_wait(struct crmd_core *c, const struct crmd_event *ev)
{
	if (ev->type != CRMD_EV_MESSAGE || core_quorum_known(c))
		return false;
	struct vg_wire_hdr h;
	const void *p;
	struct vg_diags d = { 0 };
	int rc = vg_wire_decode(ev->message.buf, ev->message.len, &h, &p, &d);
	vg_diags_clear(&d);
	return !rc && h.type == VG_MSG_CONFIG_CHANGE;
}

static void process(struct crmd_core *c, const struct crmd_event *ev)
{
	switch (ev->type) {
	case CRMD_EV_RING: on_ring(c, ev->ring.seq, ev->ring.nodeids, ev->ring.n); break;
	case CRMD_EV_VIEW: on_view(c, ev); break;
	case CRMD_EV_MESSAGE:
		on_message(c, ev->message.nodeid, ev->message.pid, ev->message.buf, ev->message.len);
		break;
	default: break;
	}
}

static void held_free(struct held *h)
{
	free(h->mem);
	free(h);
}

/* Copies a group event with everything it points to. */
static struct held *held_new(const struct crmd_event *ev)
{
	struct held *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->ev = *ev;
	size_t a = 0, b = 0, cc = 0;
	switch (ev->type) {
	case CRMD_EV_RING: a = ev->ring.n * sizeof(uint32_t); break;
	case CRMD_EV_VIEW:
		a = ev->view.n * sizeof(struct vg_member);
		b = ev->view.n_left * sizeof(struct crmd_change);
		cc = ev->view.n_joined * sizeof(struct crmd_change);
		break;
	case CRMD_EV_MESSAGE: a = ev->message.len; break;
	default: break;
	}
	uint8_t *mem = malloc(a + b + cc + 1);
	if (!mem) {
		free(h);
		return NULL;
	}
	h->mem = mem;
	switch (ev->type) {
	case CRMD_EV_RING:
		if (a)
			memcpy(mem, ev->ring.nodeids, a);
		h->ev.ring.nodeids = (const uint32_t *)(void *)mem;
		break;
	case CRMD_EV_VIEW:
		if (a)
			memcpy(mem, ev->view.members, a);
		if (b)
			memcpy(mem + a, ev->view.left, b);
		if (cc)
			memcpy(mem + a + b, ev->view.joined, cc);
		h->ev.view.members = (const struct vg_member *)(void *)mem;
		h->ev.view.left = (const struct crmd_change *)(void *)(mem + a);
		h->ev.view.joined = (const struct crmd_change *)(void *)(mem + a + b);
		break;
	case CRMD_EV_MESSAGE:
		if (a)
			memcpy(mem, ev->message.buf, a);
		h->ev.message.buf = mem;
		break;
	default: break;
	}
	return h;
}

static void pump(struct crmd_core *c)
{
	while (c->held_head && !must_wait(c, &c->held_head->ev)) {
		struct held *h = c->held_head;
		c->held_head = h->next;
		if (!c->held_head)
			c->held_tail = NULL;
		process(c, &h->ev);
		held_free(h);
	}
}

static void on_group_event(struct crmd_core *c, const struct crmd_event *ev)
{
	if (!c->held_head && !must_wait(c, ev)) {
		process(c, ev);
		return;
	}
	struct held *h = held_new(ev);
	if (!h) {
		core_log(c, LOG_CRIT, "out of memory holding a group event: processing it now");
		process(c, ev);
		return;
	}
	if (c->held_tail)
		c->held_tail->next = h;
	else
		c->held_head = h;
	c->held_tail = h;
	pump(c);
}

/* ---- entry points ---- */

static void on_start(struct crmd_core *c, const char *xml, size_t len, uint64_t term)
{
	c->started = true;
	struct vg_diags d = { 0 };
	char *norm = NULL;
	size_t norm_len = 0;
	if (xml && !crmd_doc_normalize(xml, len, NULL, &norm, &norm_len, &d)) {
		config_install(c, norm, norm_len, "read from disk");
		c->cfg_term = term;
		c->have_config = true;
		/* What we read is what is on disk. */
		c->has_written = true;
		c->written = c->cfg_ver;
		c->written_crc = c->cfg_crc;
		c->written_term = term;
	} else {
		if (xml)
			core_log(c, LOG_ERR, "the stored configuration is unusable (%s): starting "
				 "without one", d.n ? d.v[0].message : "invalid");
		char *empty;
		size_t elen;
		if (!crmd_doc_empty(&empty, &elen)) {
			config_install(c, empty, elen, "no stored configuration");
			free(empty);
		}
		c->have_config = false;
	}
	free(norm);
	vg_diags_clear(&d);
}

void crmd_core_handle(struct crmd_core *c, const struct crmd_event *ev)
{
	switch (ev->type) {
	case CRMD_EV_START:
		on_start(c, ev->start.xml, ev->start.len, ev->start.term);
		break;
	case CRMD_EV_RING:
	case CRMD_EV_VIEW:
	case CRMD_EV_MESSAGE:
		on_group_event(c, ev);
		break;
	case CRMD_EV_QUORUM:
		on_quorum(c, ev->quorum.ring_seq, ev->quorum.quorate, ev->quorum.no_provider);
		pump(c);
		break;
	case CRMD_EV_TIMER:
		switch (ev->timer.timer) {
		case CRMD_TIMER_REQUESTS: config_on_timer(c); break;
		case CRMD_TIMER_STATUS: status_broadcast(c); break;
		case CRMD_TIMER_QUORUM:
			c->quorum_timer_armed = false;
			if (!core_quorum_known(c))
				core_log(c, LOG_WARNING, "quorum of ring %" PRIu64 " is still unknown after "
					 "%d ms: configuration changes wait for it", c->ring_seq,
					 QUORUM_OVERDUE_MS);
			break;
		case CRMD_TIMER_TRANSITION: tr_on_timer(c); break;
		case CRMD_TIMER_ACTIONS: tr_on_actions_timer(c); break;
		case CRMD_TIMER_MONITOR: rsc_on_monitor_timer(c); break;
		case CRMD_TIMER_RECHECK: tr_on_recheck_timer(c); break;
		case CRMD_TIMER_SHUTDOWN: nq_on_timer(c); break;
		case CRMD_TIMER_FENCE: fence_on_timer(c); break;
		case CRMD_TIMER_COUNT: break;
		}
		break;
	case CRMD_EV_PERSISTED:
		config_on_persisted(c, ev->persisted.write_id, ev->persisted.rc);
		break;
	case CRMD_EV_REQUEST:
		client_on_request(c, ev->request.client_id, ev->request.json, ev->request.len);
		break;
	case CRMD_EV_CLIENT_GONE:
		config_client_gone(c, ev->client_gone.client_id);
		fence_client_gone(c, ev->client_gone.client_id);
		break;
	case CRMD_EV_HV_DONE:
		rsc_on_hv_done(c, ev);
		break;
	case CRMD_EV_HV_EVENT:
		rsc_on_hv_event(c, ev);
		break;
	case CRMD_EV_FENCE_DONE:
		fence_on_done(c, ev);
		break;
	case CRMD_EV_SHUTDOWN:
		nq_on_shutdown(c, ev->shutdown.timeout_ms);
		break;
	}
	rsc_after_event(c);
	fence_after_event(c);
	nq_after_event(c);
}

int crmd_core_new(const struct crmd_env *env, const struct crmd_core_config *cfg,
		  struct crmd_core **ret_core)
{
	if (!env->now_ms || !env->timer_arm || !env->timer_cancel || !env->group_send ||
	    !env->persist || !env->reply || !env->log || !cfg->local_nodeid)
		return -EINVAL;
	struct crmd_core *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->env = *env;
	c->local_nodeid = cfg->local_nodeid;
	c->local_pid = cfg->local_pid;
	c->request_timeout_ms = cfg->request_timeout_ms ? cfg->request_timeout_ms : 60000;
	c->n_cluster_nodes = cfg->n_nodes;
	for (size_t i = 0; i < cfg->n_nodes; i++)
		set_node_name(c, cfg->nodes[i].nodeid, cfg->nodes[i].name);
	const char *self = cfg->local_name ? cfg->local_name : core_node_name(c, c->local_nodeid);
	if (self)
		c->local_name = strdup(self);
	else if (asprintf(&c->local_name, "node%" PRIu32, c->local_nodeid) < 0)
		c->local_name = NULL;
	c->cluster_name = strdup(cfg->cluster_name ? cfg->cluster_name : "(unnamed)");
	if (!c->local_name || !c->cluster_name) {
		crmd_core_free(c);
		return -ENOMEM;
	}
	set_node_name(c, c->local_nodeid, c->local_name);
	if (rsc_init(c) || nq_init(c) || fence_init(c)) {
		crmd_core_free(c);
		return -ENOMEM;
	}
	*ret_core = c;
	return 0;
}

void crmd_core_free(struct crmd_core *c)
{
	if (!c)
		return;
	fence_free(c);
	rsc_free(c);
	nq_free(c);
	for (size_t i = 0; i < c->n_members; i++) {
		vg_msg_sync_clear(&c->members[i].sync);
		free(c->members[i].name);
	}
	free(c->members);
	free(c->seniority);
	free(c->ring_nodes);
	for (size_t i = 0; i < c->n_nodes; i++)
		free(c->nodes[i].name);
	free(c->nodes);
	while (c->held_head) {
		struct held *h = c->held_head;
		c->held_head = h->next;
		held_free(h);
	}
	while (c->requests) {
		struct request *r = c->requests;
		c->requests = r->next;
		request_free(r);
	}
	crmd_node_states_free(c->dc_status, c->n_dc_status);
	free(c->last_status_sent);
	crmd_doc_summary_free(c->summary);
	free(c->cfg);
	free(c->local_name);
	free(c->cluster_name);
	free(c);
}

bool crmd_core_quorate(const struct crmd_core *c)
{
	return core_quorum_known(c) ? core_quorate_now(c) : c->last_quorate;
}

bool crmd_core_synced(const struct crmd_core *c)
{
	return c->synced && !c->round_active;
}

const char *crmd_core_config_xml(const struct crmd_core *c, size_t *ret_len)
{
	if (ret_len)
		*ret_len = c->cfg_len;
	return c->cfg;
}

struct vg_cfg_version crmd_core_config_version(const struct crmd_core *c)
{
	return c->cfg_ver;
}

struct vg_cfg_version crmd_core_written_version(const struct crmd_core *c)
{
	return c->has_written ? c->written : (struct vg_cfg_version){ 0 };
}

uint64_t crmd_core_dropped(const struct crmd_core *c)
{
	return c->dropped;
}

uint64_t crmd_core_ring_seq(const struct crmd_core *c)
{
	return c->ring_seq;
}

uint64_t crmd_core_config_term(const struct crmd_core *c)
{
	return c->cfg_term;
}
