/*
 * sim_world.c - the simulated world the cores run in.
 *
 * One event queue ordered by (time, sequence) holds everything that happens;
 * the clock jumps to the next event.  The only randomness is the world's
 * PRNG, seeded from the schedule's seed, so a run is a pure function of
 * (seed, schedule, options).
 *
 * Corosync model (what the core may rely on, and nothing more):
 *  - total order: group events (views, rings, messages) of a partition are
 *    queued for all its members with one delivery time and consecutive
 *    sequence numbers, and delivery times of group events never go back, so
 *    every member sees the same stream in the same order;
 *  - virtual synchrony: a view is queued behind everything already queued, so
 *    members that move together from one view to the next delivered the same
 *    messages before it;
 *  - a cut (partition, power off) is noticed after the token timeout: until
 *    then nothing new is delivered (sends are held and delivered in the new
 *    ring, to the sender's new partition); a message in flight at the cut is,
 *    per message, either delivered to the whole old view or only to the
 *    sender's side ("agreed", not "safe", order);
 *  - a daemon that dies or leaves is seen at once (its node stays in the
 *    ring); quorum is per ring (votequorum, one vote per node, expected votes
 *    = nodes), told to each member on its own a few ms after the ring.
 * Disks: a write completes after a latency; only then is it on the disk, and a
 * crash (power or daemon) before that loses it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>

#include "cfgdoc.h"
#include "sim_int.h"

/* ---- PRNG: xoshiro256**, seeded with splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	return n ? sim_rng_next(r) % n : 0;
}

uint64_t sim_rng_range(struct sim_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + sim_rng_below(r, hi - lo + 1);
}

bool sim_rng_pct(struct sim_rng *r, unsigned pct)
{
	return sim_rng_below(r, 100) < pct;
}

const char *sim_bug_name(enum sim_bug b)
{
	switch (b) {
	case SIM_BUG_NONE: return "none";
	case SIM_BUG_EARLY_PERSIST: return "early-persist";
	case SIM_BUG_STALE_QUORUM: return "stale-quorum";
	case SIM_BUG_NO_FENCE_WAIT: return "no-fence-wait";
	case SIM_BUG_FAKE_FENCE: return "fake-fence";
	case SIM_BUG_COUNT: break;
	}
	return "?";
}

/* ---- trace and violations ---- */

void w_trace(struct sim_world *w, int node, const char *fmt, ...)
{
	if (!w->o.trace)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(w->o.trace, "%8" PRIu64 ".%03" PRIu64 "s %-4s ", w->now / 1000, w->now % 1000,
		node ? w->nodes[node].name : "--");
	vfprintf(w->o.trace, fmt, ap);
	fputc('\n', w->o.trace);
	va_end(ap);
}

void w_violation(struct sim_world *w, const char *fmt, ...)
{
	char msg[448];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!w->res->violations)
		snprintf(w->res->first_violation, sizeof(w->res->first_violation),
			 "t=%" PRIu64 "ms: %s", w->now, msg);
	w->res->violations++;
	w_trace(w, 0, "VIOLATION: %s", msg);
}

uint64_t w_hash(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* ---- the queue ---- */

struct ev *w_new_ev(struct sim_world *w, enum ev_kind k, int node, uint64_t delay)
{
	struct ev *e = calloc(1, sizeof(*e));
	if (!e)
		abort();
	e->kind = k;
	e->node = node;
	e->at = w->now + delay;
	if (node && w->nodes[node].d)
		e->pid = w->nodes[node].d->pid;
	return e;
}

void w_enqueue(struct sim_world *w, struct ev *e)
{
	e->seq = ++w->seq;
	struct ev **p = &w->queue;
	while (*p && ((*p)->at < e->at || ((*p)->at == e->at && (*p)->seq < e->seq)))
		p = &(*p)->next;
	e->next = *p;
	*p = e;
}

static void ev_free(struct ev *e)
{
	free(e->mem);
	free(e);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

/* ---- describing frames for the trace ---- */

static void describe_frame(const void *buf, size_t len, char *out, size_t olen)
{
	struct vg_wire_hdr h;
	const void *pl;
	struct vg_diags d = { 0 };
	if (vg_wire_decode(buf, len, &h, &pl, &d)) {
		snprintf(out, olen, "garbage (%zu bytes: %s)", len, d.n ? d.v[0].message : "bad");
		vg_diags_clear(&d);
		return;
	}
	vg_diags_clear(&d);
	switch (h.type) {
	case VG_MSG_CONFIG_CHANGE: {
		struct vg_msg_config_change m;
		if (vg_msg_config_change_decode(pl, h.length, &m, &d)) {
			snprintf(out, olen, "CONFIG_CHANGE (undecodable)");
			break;
		}
		if (m.op == VG_CHANGE_PROPERTY)
			snprintf(out, olen, "CONFIG_CHANGE req %" PRIu64 " property %s=%s", m.req_id,
				 m.name, m.value);
		else
			snprintf(out, olen, "CONFIG_CHANGE req %" PRIu64 " %s (%zu bytes)%s", m.req_id,
				 m.op == VG_CHANGE_REPLACE ? "replace" : "update", m.xml_len,
				 m.flags & VG_CHANGE_HAS_BASE ? " versioned" : "");
		vg_msg_config_change_clear(&m);
		break;
	}
	case VG_MSG_CONFIG_CONFIRM: {
		struct vg_msg_config_confirm m;
		if (!vg_msg_config_confirm_decode(pl, h.length, &m, &d))
			snprintf(out, olen, "CONFIG_CONFIRM %" PRIu32 ":%" PRIu32 ":%" PRIu32
				 " crc=%08" PRIx32 " term=%" PRIu64 " rc=%d", m.version.admin_epoch,
				 m.version.epoch, m.version.num_updates, m.config_crc, m.term,
				 (int)m.rc);
		else
			snprintf(out, olen, "CONFIG_CONFIRM (undecodable)");
		break;
	}
	case VG_MSG_SYNC: {
		struct vg_msg_sync m;
		if (!vg_msg_sync_decode(pl, h.length, &m, &d)) {
			snprintf(out, olen, "SYNC flags=%s%s%s version %" PRIu32 ":%" PRIu32 ":%" PRIu32
				 " view of %zu", m.flags & VG_SYNC_SYNCED ? "S" : "-",
				 m.flags & VG_SYNC_HAVE_CONFIG ? "C" : "-",
				 m.flags & VG_SYNC_WAS_QUORATE ? "Q" : "-", m.version.admin_epoch,
				 m.version.epoch, m.version.num_updates, m.n_view);
			vg_msg_sync_clear(&m);
		} else {
			snprintf(out, olen, "SYNC (undecodable)");
		}
		break;
	}
	case VG_MSG_CONFIG_FULL: {
		struct vg_msg_config_full m;
		if (!vg_msg_config_full_decode(pl, h.length, &m, &d)) {
			snprintf(out, olen, "CONFIG_FULL %" PRIu32 ":%" PRIu32 ":%" PRIu32,
				 m.version.admin_epoch, m.version.epoch, m.version.num_updates);
			vg_msg_config_full_clear(&m);
		} else {
			snprintf(out, olen, "CONFIG_FULL (undecodable)");
		}
		break;
	}
	default:
		snprintf(out, olen, "%s", vg_msg_type_name(h.type));
	}
	vg_diags_clear(&d);
}

/* ---- Corosync: group events ---- */

static uint64_t group_time(struct sim_world *w)
{
	uint64_t t = w->now + sim_rng_below(&w->rng, 3);
	if (t < w->group_at)
		t = w->group_at;
	w->group_at = t;
	return t;
}

static struct ev *group_ev(struct sim_world *w, struct daemon *d, uint64_t at)
{
	struct ev *e = w_new_ev(w, EV_GROUP, d->node, 0);
	e->at = at;
	e->pid = d->pid;
	d->pending_group++;
	return e;
}

static void deliver_msg(struct sim_world *w, struct daemon *to, int from_node, uint32_t from_pid,
			const void *buf, size_t len, uint64_t at, uint64_t bid, bool intruder,
			uint32_t rmask)
{
	struct ev *e = group_ev(w, to, at);
	e->rmask = rmask;
	e->mem = xmalloc(len);
	memcpy(e->mem, buf, len);
	e->mem_len = len;
	e->token = bid;
	e->intruder = intruder;
	e->target = from_node;
	e->ev.type = CRMD_EV_MESSAGE;
	e->ev.message.nodeid = (uint32_t)from_node;
	e->ev.message.pid = from_pid;
	e->ev.message.buf = e->mem;
	e->ev.message.len = len;
	w_enqueue(w, e);
}

/* Total-order multicast to the announced daemons of the sender's partition. */
static void group_multicast(struct sim_world *w, int node, uint32_t pid, const void *buf,
			    size_t len, bool intruder)
{
	struct daemon *sender = w->nodes[node].d;
	/* Held while Corosync forms a ring, and while the sender has not joined
	 * yet (as libcpg queues what it cannot send yet). */
	if (w->reconfig_pending || (!intruder && sender && sender->pid == pid && !sender->announced)) {
		struct pending_send *s = calloc(1, sizeof(*s));
		if (!s)
			abort();
		s->node = node;
		s->pid = pid;
		s->buf = xmalloc(len);
		memcpy(s->buf, buf, len);
		s->len = len;
		s->intruder = intruder;
		*w->sends_tail = s;
		w->sends_tail = &s->next;
		return;
	}
	int part = w->nodes[node].cs_part;
	if (!part)
		return;
	uint64_t at = group_time(w);
	uint64_t bid = ++w->seq;
	uint32_t rmask = 0;
	for (int i = 1; i <= w->n; i++) {
		struct daemon *d = w->nodes[i].d;
		if (d && d->announced && w->nodes[i].cs_part == part)
			rmask |= 1u << i;
	}
	for (int i = 1; i <= w->n; i++)
		if (rmask & (1u << i))
			deliver_msg(w, w->nodes[i].d, node, pid, buf, len, at, bid, intruder, rmask);
}

static int member_cmp(const void *a, const void *b)
{
	const struct vg_member *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->nodeid < y->nodeid ? -1 : x->nodeid > y->nodeid;
}

/* pid -> why it left (for views' reasons). */
static void set_gone(struct sim_world *w, uint32_t pid, enum crmd_reason r)
{
	if (pid >= w->n_gone) {
		size_t n = pid + 64;
		enum crmd_reason *g = realloc(w->gone, n * sizeof(*g));
		if (!g)
			abort();
		memset(g + w->n_gone, 0, (n - w->n_gone) * sizeof(*g));
		w->gone = g;
		w->n_gone = n;
	}
	w->gone[pid] = r;
}

static enum crmd_reason get_gone(struct sim_world *w, uint32_t pid)
{
	return pid < w->n_gone ? w->gone[pid] : CRMD_REASON_UNKNOWN;
}

static void trace_view(struct sim_world *w, struct daemon *d, const struct vg_member *m, size_t n,
		       const struct crmd_change *l, size_t nl, const struct crmd_change *j,
		       size_t nj)
{
	if (!w->o.trace)
		return;
	char buf[512];
	size_t o = 0;
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "view {");
	for (size_t i = 0; i < n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%sn%" PRIu32 "/%" PRIu32,
				      i ? " " : "", m[i].nodeid, m[i].pid);
	for (size_t i = 0; i < nl && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s n%" PRIu32 "/%" PRIu32 " (%s)",
				      i ? "," : "} left", l[i].member.nodeid, l[i].member.pid,
				      l[i].reason == CRMD_REASON_LEAVE ? "left cleanly" :
				      l[i].reason == CRMD_REASON_PROCDOWN ? "process died" :
				      "node down");
	for (size_t i = 0; i < nj && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s n%" PRIu32 "/%" PRIu32 "%s",
				      i ? "," : (nl ? "; joined" : "} joined"), j[i].member.nodeid,
				      j[i].member.pid,
				      j[i].reason == CRMD_REASON_NODEUP ? " (node back)" : "");
	w_trace(w, d->node, "%s", buf);
}

/* Gives every announced daemon the view of its partition, when it differs
 * from the last one it was told (left and joined with reasons). */
static void announce_views(struct sim_world *w)
{
	uint64_t at = 0;
	bool have_at = false;
	struct daemon *fresh[SIM_MAX_NODES + 1];
	size_t n_fresh = 0;
	/* A process that was never in a view joins (JOIN); one that was, and
	 * comes back with its node, is NODEUP.  Decided before anyone is told. */
	bool was_told[SIM_MAX_NODES + 1] = { false };
	for (int i = 1; i <= w->n; i++)
		was_told[i] = w->nodes[i].d && w->nodes[i].d->n_told;
	for (int i = 1; i <= w->n; i++) {
		struct daemon *d = w->nodes[i].d;
		if (!d || !d->announced)
			continue;
		int part = w->nodes[i].cs_part;
		struct vg_member mem[SIM_MAX_NODES];
		size_t n = 0;
		for (int k = 1; k <= w->n; k++) {
			struct daemon *o = w->nodes[k].d;
			if (o && o->announced && w->nodes[k].cs_part == part)
				mem[n++] = (struct vg_member){ (uint32_t)k, o->pid };
		}
		for (size_t k = 0; k < sizeof(w->intruders) / sizeof(w->intruders[0]); k++)
			if (w->intruders[k].active && w->nodes[w->intruders[k].node].cs_part == part &&
			    n < SIM_MAX_NODES)
				mem[n++] = (struct vg_member){ (uint32_t)w->intruders[k].node,
							       w->intruders[k].pid };
		qsort(mem, n, sizeof(*mem), member_cmp);
		struct crmd_change left[SIM_MAX_NODES * 2], joined[SIM_MAX_NODES];
		size_t nl = 0, nj = 0;
		bool is_fresh = d->n_told == 0;
		for (size_t t = 0; t < d->n_told; t++) {
			bool stays = false;
			for (size_t k = 0; k < n; k++)
				stays |= !member_cmp(&d->told[t], &mem[k]);
			if (stays)
				continue;
			enum crmd_reason r = get_gone(w, d->told[t].pid);
			if (r == CRMD_REASON_UNKNOWN)
				r = CRMD_REASON_NODEDOWN; /* alive, on the far side of a cut */
			left[nl++] = (struct crmd_change){ d->told[t], r };
		}
		for (size_t k = 0; k < n; k++) {
			bool was = false;
			for (size_t t = 0; t < d->n_told; t++)
				was |= !member_cmp(&d->told[t], &mem[k]);
			if (was)
				continue;
			if (is_fresh && mem[k].pid != d->pid)
				continue; /* a new process is told only of its own join */
			struct daemon *jd = w->nodes[mem[k].nodeid].d;
			bool is_daemon = jd && jd->pid == mem[k].pid;
			joined[nj++] = (struct crmd_change){
				mem[k], is_daemon && was_told[mem[k].nodeid] ? CRMD_REASON_NODEUP
									     : CRMD_REASON_JOIN };
		}
		if (!nl && !nj)
			continue;
		if (!have_at) {
			at = group_time(w);
			have_at = true;
		}
		if (is_fresh) {
			/* As Corosync does it for a new process: quorum first
			 * (trackstart), the view, then the current ring. */
			struct ev *q = w_new_ev(w, EV_QUORUM, i, 0);
			q->at = at;
			q->pid = d->pid;
			q->ev.type = CRMD_EV_QUORUM;
			q->ev.quorum.ring_seq = w->part_ring[part];
			q->ev.quorum.quorate = w_ring_quorate(w, w->part_ring[part]);
			d->pending_quorum++;
			w_enqueue(w, q);
			fresh[n_fresh++] = d;
		}
		trace_view(w, d, mem, n, left, nl, joined, nj);
		struct ev *e = group_ev(w, d, at);
		size_t a = n * sizeof(*mem), b = nl * sizeof(*left), c = nj * sizeof(*joined);
		uint8_t *m = xmalloc(a + b + c);
		memcpy(m, mem, a);
		if (b)
			memcpy(m + a, left, b);
		if (c)
			memcpy(m + a + b, joined, c);
		e->mem = m;
		e->ev.type = CRMD_EV_VIEW;
		e->ev.view.members = (const struct vg_member *)(void *)m;
		e->ev.view.n = n;
		e->ev.view.left = (const struct crmd_change *)(void *)(m + a);
		e->ev.view.n_left = nl;
		e->ev.view.joined = (const struct crmd_change *)(void *)(m + a + b);
		e->ev.view.n_joined = nj;
		w_enqueue(w, e);
		memcpy(d->told, mem, a);
		d->n_told = n;
	}
	/* The fresh ones get the current ring after their view. */
	for (size_t f = 0; f < n_fresh; f++) {
		struct daemon *d = fresh[f];
		int part = w->nodes[d->node].cs_part;
		struct ev *e = group_ev(w, d, at);
		uint32_t *ids = xmalloc(sizeof(uint32_t) * SIM_MAX_NODES);
		size_t n = 0;
		for (int k = 1; k <= w->n; k++)
			if (w->nodes[k].cs_part == part)
				ids[n++] = (uint32_t)k;
		e->mem = ids;
		e->ev.type = CRMD_EV_RING;
		e->ev.ring.seq = w->part_ring[part];
		e->ev.ring.nodeids = ids;
		e->ev.ring.n = n;
		w_enqueue(w, e);
	}
}

bool w_partition_quorate(struct sim_world *w, int part)
{
	int c = 0;
	for (int i = 1; i <= w->n; i++)
		c += w->nodes[i].powered && w->nodes[i].cs_part == part;
	return part && c * 2 > w->n;
}

bool w_ring_quorate(struct sim_world *w, uint64_t seq)
{
	for (size_t i = 0; i < sizeof(w->rings) / sizeof(w->rings[0]); i++)
		if (w->rings[i].seq == seq)
			return w->rings[i].quorate;
	return false;
}

static void note_ring(struct sim_world *w, uint64_t seq, bool quorate)
{
	struct ring_info *r = &w->rings[(seq / 4) % (sizeof(w->rings) / sizeof(w->rings[0]))];
	r->seq = seq;
	r->quorate = quorate;
}

static void flush_sends(struct sim_world *w);
static void settle_limbo(struct sim_world *w);

/* Corosync formed new rings from the physical state (after a token timeout
 * or a join). */
static void reconfigure(struct sim_world *w)
{
	w->reconfig_pending = false;
	uint32_t oldset[SIM_MAX_NODES + 1] = { 0 }, newset[SIM_MAX_NODES + 1] = { 0 };
	int oldpart[SIM_MAX_NODES + 1];
	for (int i = 1; i <= w->n; i++) {
		oldpart[i] = w->nodes[i].cs_part;
		for (int k = 1; k <= w->n; k++)
			if (oldpart[i] && w->nodes[k].cs_part == oldpart[i])
				oldset[i] |= 1u << k;
	}
	for (int i = 1; i <= w->n; i++)
		w->nodes[i].cs_part = w->nodes[i].powered ? w->nodes[i].label : 0;
	for (int i = 1; i <= w->n; i++)
		for (int k = 1; k <= w->n; k++)
			if (w->nodes[i].cs_part && w->nodes[k].cs_part == w->nodes[i].cs_part)
				newset[i] |= 1u << k;
	/* A partition whose node set changed, or with a node that was power
	 * cycled since the last ring (its totem is a new instance), gets a new
	 * ring. */
	bool changed[SIM_MAX_NODES + 2] = { false };
	for (int i = 1; i <= w->n; i++) {
		if (w->nodes[i].cs_part && (oldset[i] != newset[i] || oldpart[i] != w->nodes[i].cs_part ||
					    w->nodes[i].ring_incarnation != w->nodes[i].incarnation))
			changed[w->nodes[i].cs_part] = true;
		w->nodes[i].ring_incarnation = w->nodes[i].incarnation;
	}
	for (int p = 1; p <= SIM_MAX_NODES + 1; p++) {
		if (!changed[p])
			continue;
		w->ring_seq += 4;
		w->part_ring[p] = w->ring_seq;
		bool q = w_partition_quorate(w, p);
		note_ring(w, w->ring_seq, q);
		char nodes[128] = "";
		for (int i = 1; i <= w->n; i++)
			if (w->nodes[i].cs_part == p)
				snprintf(nodes + strlen(nodes), sizeof(nodes) - strlen(nodes), " n%d", i);
		w_trace(w, 0, "corosync: ring %" PRIu64 " {%s } %s", w->ring_seq, nodes,
			q ? "quorate" : "NOT quorate");
	}
	settle_limbo(w);
	/* A message still queued for a daemon now on the far side of a cut from
	 * its sender cannot arrive any more. */
	for (struct ev **p = &w->queue; *p;) {
		struct ev *e = *p;
		if (e->kind == EV_GROUP && e->ev.type == CRMD_EV_MESSAGE &&
		    w->nodes[e->node].cs_part != w->nodes[e->target].cs_part) {
			*p = e->next;
			struct daemon *d = w->nodes[e->node].d;
			if (d && d->pid == e->pid)
				d->pending_group--;
			ev_free(e);
		} else {
			p = &e->next;
		}
	}
	/* --tie-daemons: a daemon that started with its node joins the group in
	 * the membership change that brings its node (no window in which the
	 * node votes and its daemon is not there yet). */
	bool fresh_now[SIM_MAX_NODES + 1] = { false };
	for (int i = 1; w->o.tie_daemons && i <= w->n; i++) {
		struct daemon *d = w->nodes[i].d;
		if (d && !d->announced && w->nodes[i].cs_part) {
			d->announced = true;
			fresh_now[i] = true;
		}
	}
	announce_views(w);
	uint64_t at = w->group_at;
	for (int i = 1; i <= w->n; i++) {
		struct daemon *d = w->nodes[i].d;
		int p = w->nodes[i].cs_part;
		if (!d || !d->announced || !p || !changed[p] || fresh_now[i])
			continue;
		struct ev *e = group_ev(w, d, at);
		uint32_t *ids = xmalloc(sizeof(uint32_t) * SIM_MAX_NODES);
		size_t n = 0;
		for (int k = 1; k <= w->n; k++)
			if (w->nodes[k].cs_part == p)
				ids[n++] = (uint32_t)k;
		e->mem = ids;
		e->ev.type = CRMD_EV_RING;
		e->ev.ring.seq = w->part_ring[p];
		e->ev.ring.nodeids = ids;
		e->ev.ring.n = n;
		w_enqueue(w, e);
		struct ev *q = w_new_ev(w, EV_QUORUM, i, 0);
		q->at = at + sim_rng_below(&w->rng, 5);
		if (w->nodes[i].quorum_slow_until > w->now)
			q->at += w->nodes[i].quorum_slow_ms;
		q->pid = d->pid;
		q->ev.type = CRMD_EV_QUORUM;
		q->ev.quorum.ring_seq = w->part_ring[p];
		bool truth = w_ring_quorate(w, w->part_ring[p]);
		/* Planted bug: the binding repeats its last answer. */
		q->ev.quorum.quorate = w->o.bug == SIM_BUG_STALE_QUORUM && w->stale_quorum[i] ? true
										       : truth;
		w->stale_quorum[i] = q->ev.quorum.quorate;
		d->pending_quorum++;
		w_enqueue(w, q);
	}
	flush_sends(w);
	hv_membership(w);
}

/* Sends held while the ring formed go to the sender's new partition. */
static void flush_sends(struct sim_world *w)
{
	struct pending_send *s = w->sends;
	w->sends = NULL;
	w->sends_tail = &w->sends;
	while (s) {
		struct pending_send *next = s->next;
		struct daemon *d = w->nodes[s->node].d;
		if (s->intruder || (d && d->pid == s->pid))
			group_multicast(w, s->node, s->pid, s->buf, s->len, s->intruder);
		free(s->buf);
		free(s);
		s = next;
	}
}

static void schedule_reconfig(struct sim_world *w, uint64_t delay)
{
	uint64_t at = w->now + delay;
	if (w->reconfig_pending && w->reconfig_at >= at)
		return;
	w->reconfig_pending = true;
	w->reconfig_at = at;
	struct ev *e = w_new_ev(w, EV_RECONFIG, 0, delay);
	e->token = at;
	w_enqueue(w, e);
}

/* A cut happened now.  A message in flight across it cannot arrive before
 * Corosync forms the new rings: it waits in limbo (its receivers stay
 * unsettled).  The whole broadcast waits, the copies for the sender's side
 * included: Totem delivers a message only once the token went round, so
 * nobody delivers it while the ring is broken.  (Delivering it at once on the
 * sender's side made the two sides of a cut that healed before the token
 * timeout deliver the same ring's messages in different orders, which Corosync
 * never does; that was "K6".)  At the reconfiguration, per new partition, it
 * is delivered to all of that partition's receivers or to none (virtual
 * synchrony: members moving together delivered the same messages), in the
 * order of the old ring; see settle_limbo(). */
static struct limbo *limbo_find(struct sim_world *w, uint64_t bid)
{
	for (struct limbo *l = w->limbo; l; l = l->next)
		if (l->bid == bid)
			return l;
	return NULL;
}

static bool crosses_cut(struct sim_world *w, const struct ev *e)
{
	int to = e->node, from = e->target;
	return to != from && (!w->nodes[to].powered || !w->nodes[from].powered ||
			      w->nodes[to].label != w->nodes[from].label);
}

static void cut_in_flight(struct sim_world *w)
{
	/* Which broadcasts cross the cut (for any of their receivers)? */
	uint64_t *bids = NULL;
	size_t n_bids = 0;
	for (struct ev *e = w->queue; e; e = e->next) {
		if (e->kind != EV_GROUP || e->ev.type != CRMD_EV_MESSAGE || !crosses_cut(w, e))
			continue;
		bool seen = false;
		for (size_t i = 0; i < n_bids && !seen; i++)
			seen = bids[i] == e->token;
		if (seen)
			continue;
		uint64_t *grown = realloc(bids, (n_bids + 1) * sizeof(*bids));
		if (!grown)
			abort();
		bids = grown;
		bids[n_bids++] = e->token;
	}
	for (struct ev **p = &w->queue; *p;) {
		struct ev *e = *p;
		bool moves = false;
		for (size_t i = 0; i < n_bids && !moves && e->kind == EV_GROUP &&
				   e->ev.type == CRMD_EV_MESSAGE; i++)
			moves = bids[i] == e->token;
		if (!moves) {
			p = &e->next;
			continue;
		}
		*p = e->next;
		int to = e->node, from = e->target;
		struct limbo *l = limbo_find(w, e->token);
		if (!l) {
			l = calloc(1, sizeof(*l));
			if (!l)
				abort();
			l->bid = e->token;
			l->from_node = from;
			l->from_pid = e->ev.message.pid;
			l->intruder = e->intruder;
			l->buf = e->mem;
			l->len = e->mem_len;
			e->mem = NULL;
			/* Receivers with no copy left in the queue delivered it
			 * before the cut. */
			l->delivered_mask = e->rmask;
			l->next = w->limbo;
			w->limbo = l;
		}
		l->delivered_mask &= ~(1u << to);
		l->held_mask |= 1u << to;
		l->held_pid[to] = e->pid;
		ev_free(e);
	}
	free(bids);
}

static int limbo_cmp(const void *a, const void *b)
{
	const struct limbo *x = *(struct limbo *const *)a, *y = *(struct limbo *const *)b;
	return x->bid < y->bid ? -1 : x->bid > y->bid;
}

/* At a reconfiguration: deliver or drop what waited in limbo, before the new
 * views, in the old ring's order (broadcast ids grow with it).  A partition
 * gets a message when one of its members already delivered it, or when its
 * sender is in it; otherwise the seed decides, for the whole partition at
 * once.  So every partition delivers a subsequence of the old ring's order:
 * members never disagree on the order of two messages they both delivered. */
static void settle_limbo(struct sim_world *w)
{
	uint64_t nonce = sim_rng_next(&w->rng);
	uint64_t at = 0;
	size_t n = 0;
	for (struct limbo *l = w->limbo; l; l = l->next)
		n++;
	struct limbo **v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		abort();
	n = 0;
	for (struct limbo *l = w->limbo; l; l = l->next)
		v[n++] = l;
	w->limbo = NULL;
	qsort(v, n, sizeof(*v), limbo_cmp);
	for (size_t i = 0; i < n; i++) {
		struct limbo *l = v[i];
		uint32_t rmask = l->delivered_mask;
		bool deliver[SIM_MAX_NODES + 1] = { false };
		for (int r = 1; r <= w->n; r++) {
			if (!(l->held_mask & (1u << r)))
				continue;
			struct daemon *d = w->nodes[r].d;
			if (!d || d->pid != l->held_pid[r])
				continue;
			int part = w->nodes[r].cs_part;
			for (int k = 1; k <= w->n && part; k++)
				deliver[r] |= (l->delivered_mask & (1u << k)) &&
					      w->nodes[k].cs_part == part;
			if (part && w->nodes[l->from_node].cs_part == part)
				deliver[r] = true;
			if (part && !deliver[r]) {
				uint64_t x = l->bid ^ nonce ^ ((uint64_t)part << 40);
				deliver[r] = splitmix64(&x) & 1;
			}
			d->pending_group--;
			if (!deliver[r]) {
				w_trace(w, r, "a message of n%d in flight at the cut is lost here",
					l->from_node);
				continue;
			}
			rmask |= 1u << r;
		}
		for (int r = 1; r <= w->n; r++) {
			if (!deliver[r])
				continue;
			if (!at)
				at = group_time(w);
			deliver_msg(w, w->nodes[r].d, l->from_node, l->from_pid, l->buf, l->len, at,
				    l->bid, l->intruder, rmask);
		}
		free(l->buf);
		free(l);
	}
	free(v);
}

/* ---- environment of one daemon ---- */

static uint64_t env_now(void *ctx)
{
	struct daemon *d = ctx;
	return d->w->now;
}

static void env_timer_arm(void *ctx, enum crmd_timer t, uint64_t delay_ms)
{
	struct daemon *d = ctx;
	struct sim_world *w = d->w;
	struct ev *e = w_new_ev(w, EV_TIMER, d->node, delay_ms);
	e->pid = d->pid;
	e->token = d->timer_token[t] = ++w->seq;
	e->ev.type = CRMD_EV_TIMER;
	e->ev.timer.timer = t;
	w_enqueue(w, e);
}

static void env_timer_cancel(void *ctx, enum crmd_timer t)
{
	struct daemon *d = ctx;
	d->timer_token[t] = 0;
}

static int env_send(void *ctx, const void *frame, size_t len)
{
	struct daemon *d = ctx;
	struct sim_world *w = d->w;
	if (w->o.trace) {
		char desc[256];
		describe_frame(frame, len, desc, sizeof(desc));
		w_trace(w, d->node, "sends %s", desc);
	}
	group_multicast(w, d->node, d->pid, frame, len, false);
	return 0;
}

static void env_persist(void *ctx, uint64_t write_id, const char *xml, size_t len,
			uint64_t term)
{
	struct daemon *d = ctx;
	struct sim_world *w = d->w;
	struct node *n = &w->nodes[d->node];
	uint64_t lat = sim_rng_range(&w->rng, 1, 12);
	if (n->disk_slow_until > w->now)
		lat += n->disk_slow_ms;
	struct ev *e = w_new_ev(w, EV_WRITE_DONE, d->node, lat);
	e->pid = d->pid;
	e->write_id = write_id;
	e->mem = xmalloc(len + 1);
	memcpy(e->mem, xml, len);
	((char *)e->mem)[len] = '\0';
	e->mem_len = len;
	e->mem_term = term;
	e->ev.type = CRMD_EV_PERSISTED;
	e->ev.persisted.write_id = write_id;
	e->ev.persisted.rc = 0;
	if (n->disk_fail_next) {
		n->disk_fail_next = false;
		e->ev.persisted.rc = -EIO;
	}
	if (w->o.bug == SIM_BUG_EARLY_PERSIST && !e->ev.persisted.rc) {
		/* Planted bug: "done" now, the data lands later. */
		e->kind = EV_DISK_LAND;
		w_enqueue(w, e);
		struct ev *done = w_new_ev(w, EV_WRITE_DONE, d->node, 0);
		done->pid = d->pid;
		done->write_id = write_id;
		done->ev.type = CRMD_EV_PERSISTED;
		done->ev.persisted.write_id = write_id;
		w_enqueue(w, done);
	} else {
		w_enqueue(w, e);
	}
	w_trace(w, d->node, "disk: write %" PRIu64 " started (%zu bytes, %" PRIu64 " ms%s)",
		write_id, len, lat, n->disk_fail_next || e->ev.persisted.rc ? ", will fail" : "");
}

static struct client *find_client(struct sim_world *w, uint64_t id)
{
	for (struct client *c = w->clients; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void env_reply(void *ctx, uint64_t client_id, const char *json)
{
	struct daemon *d = ctx;
	struct sim_world *w = d->w;
	struct client *c = find_client(w, client_id);
	if (!c)
		return;
	json_object *o = json_tokener_parse(json);
	json_object *v;
	int rc = -999;
	const char *err = "", *msg = "";
	if (o && json_object_object_get_ex(o, "rc", &v))
		rc = json_object_get_int(v);
	if (o && json_object_object_get_ex(o, "error", &v))
		err = json_object_get_string(v);
	if (o && json_object_object_get_ex(o, "message", &v))
		msg = json_object_get_string(v);
	if (c->answered)
		w_violation(w, "client %" PRIu64 " on %s answered twice", c->id, w->nodes[c->node].name);
	c->answered = true;
	c->rc = rc;
	snprintf(c->error, sizeof(c->error), "%s", rc ? err : "ok");
	const char *diag = "";
	if (o && json_object_object_get_ex(o, "diagnostics", &v) &&
	    json_object_array_length(v) > 0) {
		json_object *m0;
		if (json_object_object_get_ex(json_object_array_get_idx(v, 0), "message", &m0))
			diag = json_object_get_string(m0);
	}
	if (c->change || rc)
		w_trace(w, d->node, "client %" PRIu64 " answered: %s%s%s%s%s", c->id, c->error,
			*msg ? ": " : "", msg, *diag ? " -- " : "", diag);
	if (c->op == COP_SHOW && !rc && o && json_object_object_get_ex(o, "xml", &v)) {
		free(w->nodes[c->node].shown);
		w->nodes[c->node].shown = strdup(json_object_get_string(v));
	}
	if (c->must_fail && !rc)
		w_violation(w, "bad input from client %" PRIu64 " (%s) was accepted", c->id,
			    w->nodes[c->node].name);
	if (c->change && !rc) {
		struct vg_cfg_version t = { 0 };
		const char *p = strstr(msg, "configuration ");
		if (!p || sscanf(p, "configuration %" SCNu32 ":%" SCNu32 ":%" SCNu32, &t.admin_epoch,
				 &t.epoch, &t.num_updates) != 3)
			w_violation(w, "acknowledgement without a version: %s", json);
		else
			check_ack(w, c, &t);
	}
	if (c->cmd && c->cmd->expect[0] && strcmp(c->cmd->expect, "any") &&
	    strcmp(c->cmd->expect, c->error)) {
		w->res->expect_failed++;
		w_trace(w, c->node, "EXPECTATION FAILED (line %d): client expected %s, got %s",
			c->cmd->line, c->cmd->expect, c->error);
		fprintf(stderr, "line %d: client on %s expected %s, got %s (%s)\n", c->cmd->line,
			w->nodes[c->node].name, c->cmd->expect, c->error, msg);
	}
	json_object_put(o);
}

static void node_record_hist(struct sim_world *w, struct daemon *d);
static uint64_t core_hash(struct daemon *d);

static void env_log(void *ctx, int level, const char *msg)
{
	struct daemon *d = ctx;
	if (d->w->o.verbose || level <= LOG_WARNING)
		w_trace(d->w, d->node, "log: %s", msg);
	/* Every configuration the core installs, even several within one event
	 * (held changes applied together): read-only accessors, no re-entry.
	 * See /work/notes/sim-requests.md: a proper hook is requested. */
	if (!strncmp(msg, "configuration is now ", 21)) {
		uint64_t before = d->hash;
		d->hash = core_hash(d);
		check_config_installed(d->w, d, before);
		node_record_hist(d->w, d);
	}
}

/* ---- daemons ---- */

static void node_record_hist(struct sim_world *w, struct daemon *d)
{
	struct node *n = &w->nodes[d->node];
	struct vg_cfg_version v = crmd_core_config_version(d->core);
	unsigned last = (n->hist_next + 63) % 64;
	if (n->hist[last].h == d->hash && !vg_cfg_version_cmp(&n->hist[last].v, &v))
		return;
	n->hist[n->hist_next].v = v;
	n->hist[n->hist_next].h = d->hash;
	n->hist_next = (n->hist_next + 1) % 64;
}

static uint64_t core_hash(struct daemon *d)
{
	size_t len = 0;
	const char *x = crmd_core_config_xml(d->core, &len);
	return x ? w_hash(x, len) : 0;
}

static void core_event(struct sim_world *w, struct daemon *d, const struct crmd_event *ev,
		       bool intruder)
{
	uint64_t before = d->hash;
	crmd_core_handle(d->core, ev);
	if (!w->nodes[d->node].d || w->nodes[d->node].d != d)
		return;
	uint64_t after = core_hash(d);
	if (after != d->hash) {
		/* Installed without the log line: still account for it. */
		uint64_t prev = d->hash;
		d->hash = after;
		check_config_installed(w, d, prev);
		node_record_hist(w, d);
	}
	check_after_core_event(w, d, before, ev, intruder);
}

static void daemon_start(struct sim_world *w, int node)
{
	struct node *n = &w->nodes[node];
	if (n->d || !n->powered)
		return;
	struct daemon *d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->w = w;
	d->node = node;
	d->pid = ++w->next_pid;
	struct crmd_node_name nl[SIM_MAX_NODES];
	for (int i = 1; i <= w->n; i++)
		nl[i - 1] = (struct crmd_node_name){ (uint32_t)i, w->nodes[i].name };
	struct crmd_env env = {
		.ctx = d, .now_ms = env_now, .timer_arm = env_timer_arm,
		.timer_cancel = env_timer_cancel, .group_send = env_send, .persist = env_persist,
		.reply = env_reply, .log = env_log,
	};
	if (w->o.n_vms) {
		/* The node runs VMs: its hypervisor and fence devices are the
		 * simulated ones (sim_hv.c). */
		env.hv_submit = hv_env_submit;
		env.save_input = hv_env_save_input;
		env.fence_submit = hv_env_fence;
	}
	struct crmd_core_config cfg = {
		.local_nodeid = (uint32_t)node, .local_pid = d->pid, .cluster_name = "sim",
		.nodes = nl, .n_nodes = (size_t)w->n,
	};
	if (crmd_core_new(&env, &cfg, &d->core)) {
		fprintf(stderr, "vigil-sim: crmd_core_new failed\n");
		abort();
	}
	n->d = d;
	w_trace(w, node, "vigild starts (pid %" PRIu32 "), disk has %" PRIu32 ":%" PRIu32 ":%" PRIu32,
		d->pid, n->disk_ver.admin_epoch, n->disk_ver.epoch, n->disk_ver.num_updates);
	struct crmd_event start = { .type = CRMD_EV_START };
	start.start.xml = n->disk;
	start.start.len = n->disk ? n->disk_len : 0;
	start.start.term = n->disk ? n->disk_term : 0;
	core_event(w, d, &start, false);
	hv_daemon_started(w, d);
	/* Join the group when Corosync has a ring for this node. */
	struct ev *e = w_new_ev(w, EV_DAEMON_START, node, 0);
	e->pid = d->pid;
	w_enqueue(w, e);
}

static void daemon_join(struct sim_world *w, struct daemon *d)
{
	if (d->announced)
		return;
	if (w->reconfig_pending || !w->nodes[d->node].cs_part) {
		struct ev *e = w_new_ev(w, EV_DAEMON_START, d->node, 0);
		e->at = (w->reconfig_pending ? w->reconfig_at : w->now) + 1;
		if (e->at <= w->now)
			e->at = w->now + 1;
		e->pid = d->pid;
		w_enqueue(w, e);
		return;
	}
	d->announced = true;
	announce_views(w);
	flush_sends(w);
}

static void daemon_gone(struct sim_world *w, int node, enum crmd_reason why)
{
	struct node *n = &w->nodes[node];
	struct daemon *d = n->d;
	if (!d)
		return;
	w_trace(w, node, "vigild %s (pid %" PRIu32 ")", why == CRMD_REASON_LEAVE ? "stops cleanly" :
		why == CRMD_REASON_PROCDOWN ? "is killed" : "dies with its node", d->pid);
	set_gone(w, d->pid, why);
	crmd_core_free(d->core);
	n->d = NULL;
	bool announced = d->announced;
	free(d);
	if (announced && !w->reconfig_pending && why != CRMD_REASON_NODEDOWN)
		announce_views(w);
}

static void power_off(struct sim_world *w, int node, uint64_t notice_ms);

void w_power_off(struct sim_world *w, int node)
{
	power_off(w, node, w->token_ms);
}

/* Power off; Corosync notices after @notice_ms (the token timeout, or quickly
 * when the node left cleanly). */
static void power_off(struct sim_world *w, int node, uint64_t notice_ms)
{
	struct node *n = &w->nodes[node];
	if (!n->powered)
		return;
	w_trace(w, node, "power off");
	daemon_gone(w, node, CRMD_REASON_NODEDOWN);
	n->powered = false;
	n->d = NULL;
	n->incarnation++;
	for (size_t k = 0; k < sizeof(w->intruders) / sizeof(w->intruders[0]); k++)
		if (w->intruders[k].active && w->intruders[k].node == node)
			w->intruders[k].active = false;
	hv_node_off(w, node);
	cut_in_flight(w);
	schedule_reconfig(w, notice_ms);
	w->res->node_failures++;
}

static void power_on(struct sim_world *w, int node, bool start_daemon);

void w_power_on(struct sim_world *w, int node)
{
	power_on(w, node, true);
}

void w_core_event(struct sim_world *w, struct daemon *d, const struct crmd_event *ev)
{
	core_event(w, d, ev, false);
}

static void power_on(struct sim_world *w, int node, bool start_daemon)
{
	struct node *n = &w->nodes[node];
	if (!n->powered) {
		w_trace(w, node, "power on");
		n->powered = true;
		schedule_reconfig(w, w->join_ms);
	}
	if (start_daemon)
		daemon_start(w, node);
}

/* ---- client requests ---- */

static char *json_req(const char *op, const char *k1, const char *v1, const char *k2,
		      const char *v2)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "op", json_object_new_string(op));
	if (k1)
		json_object_object_add(o, k1, json_object_new_string(v1));
	if (k2)
		json_object_object_add(o, k2, json_object_new_string(v2));
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static const char EMPTY_DOC[] =
	"<cib admin_epoch=\"0\" epoch=\"0\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">"
	"<configuration><crm_config/><nodes/>"
	"<resources/><constraints/></configuration></cib>";

static void client_request(struct sim_world *w, const struct sim_cmd *cmd)
{
	struct node *n = &w->nodes[cmd->node];
	struct client *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->id = ++w->next_client;
	c->node = cmd->node;
	c->cmd = cmd;
	c->op = cmd->op;
	c->at = w->now;
	c->next = w->clients;
	w->clients = c;
	char *req = NULL;
	char buf[512];
	switch (cmd->op) {
	case COP_PROPERTY:
	case COP_PROPERTY_BAD:
	case COP_MAINTENANCE:
		c->change = true;
		c->must_fail = cmd->op == COP_PROPERTY_BAD;
		/* Planted bug no-fence-wait: fencing stays off whatever clients set. */
		req = json_req("property", "name", cmd->name, "value",
			       w->o.bug == SIM_BUG_NO_FENCE_WAIT && cmd->op == COP_PROPERTY &&
			       !strcmp(cmd->name, "stonith-enabled") ? "false" : cmd->value);
		break;
	case COP_STANDBY:
		c->change = true;
		snprintf(buf, sizeof(buf),
			 "<configuration><nodes><node id=\"%ld\" uname=\"n%ld\">"
			 "<instance_attributes id=\"n%ld-attrs\"><nvpair id=\"n%ld-standby\" "
			 "name=\"standby\" value=\"%s\"/></instance_attributes></node></nodes>"
			 "</configuration>", cmd->n, cmd->n, cmd->n, cmd->n, cmd->value);
		req = json_req("config-update", "xml", buf, NULL, NULL);
		break;
	case COP_SHOW:
		req = json_req("config-show", NULL, NULL, NULL, NULL);
		break;
	case COP_STATUS:
		req = json_req("status", NULL, NULL, NULL, NULL);
		break;
	case COP_MOVE:
		/* `vigil resource move vmK NODE`: a location constraint. */
		c->change = true;
		snprintf(buf, sizeof(buf),
			 "<configuration><constraints><rsc_location id=\"cli-prefer-vm%ld\" "
			 "rsc=\"vm%ld\" node=\"n%d\" score=\"INFINITY\"/></constraints>"
			 "</configuration>", cmd->n, cmd->n, cmd->node);
		req = json_req("config-update", "xml", buf, NULL, NULL);
		break;
	case COP_REPLACE:
		c->change = true;
		req = json_req("config-replace", "xml", n->shown ? n->shown : EMPTY_DOC, NULL, NULL);
		break;
	case COP_REPLACE_UNVERSIONED:
		c->change = true;
		req = json_req("config-replace", "xml", EMPTY_DOC, NULL, NULL);
		break;
	case COP_BAD_XML:
		c->change = true;
		c->must_fail = true;
		req = json_req("config-replace", "xml", "<cib><configuration><nodes>", NULL, NULL);
		break;
	case COP_BAD_JSON:
		c->must_fail = true;
		req = strdup("{\"version\":1,\"op\":[\"property\"");
		break;
	}
	char line[160];
	sim_cmd_format(cmd, line, sizeof(line));
	if (!n->d) {
		w_trace(w, cmd->node, "client %" PRIu64 ": %s -> vigild is not running", c->id, line);
		c->answered = true;
		c->rc = -ENOTCONN;
		snprintf(c->error, sizeof(c->error), "not-running");
		if (cmd->expect[0] && strcmp(cmd->expect, "not-running") && strcmp(cmd->expect, "any")) {
			w->res->expect_failed++;
			fprintf(stderr, "line %d: client on %s expected %s, vigild is not running\n",
				cmd->line, n->name, cmd->expect);
		}
		free(req);
		return;
	}
	c->pid = n->d->pid;
	w_trace(w, cmd->node, "client %" PRIu64 ": %s", c->id, line);
	struct crmd_event ev = { .type = CRMD_EV_REQUEST };
	ev.request.client_id = c->id;
	ev.request.json = req;
	ev.request.len = strlen(req);
	core_event(w, n->d, &ev, false);
	free(req);
}

/* ---- intruders: garbled group messages ---- */

static void inject(struct sim_world *w, const struct sim_cmd *cmd)
{
	int node = cmd->node;
	if (!w->nodes[node].powered || !w->nodes[node].cs_part)
		return;
	uint8_t buf[256];
	size_t len = 0;
	void *frame = NULL;
	size_t flen = 0;
	struct vg_msg_config_confirm m = { .version = { 0, 99999, 0 }, .rc = 0 };
	vg_msg_config_confirm_encode(&m, (uint32_t)node, 1, &frame, &flen);
	switch (cmd->mode) {
	case 0: /* random bytes */
		len = sim_rng_range(&w->rng, 1, sizeof(buf));
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)sim_rng_next(&w->rng);
		break;
	case 1: /* a valid frame with one bit flipped */
		len = flen < sizeof(buf) ? flen : sizeof(buf);
		memcpy(buf, frame, len);
		buf[sim_rng_below(&w->rng, len)] ^= (uint8_t)(1u << sim_rng_below(&w->rng, 8));
		break;
	case 2: /* truncated */
		len = flen < sizeof(buf) ? flen : sizeof(buf);
		memcpy(buf, frame, len);
		len = sim_rng_below(&w->rng, len);
		break;
	default: { /* well-formed, checksum right, claiming another node as sender */
		void *other = NULL;
		size_t olen = 0;
		vg_msg_config_confirm_encode(&m, (uint32_t)(node % w->n + 1 == node ? node + 1
										: node % w->n + 1),
					     1, &other, &olen);
		len = olen < sizeof(buf) ? olen : sizeof(buf);
		if (other)
			memcpy(buf, other, len);
		free(other);
		break;
	}
	}
	free(frame);
	/* As tests/tools/vigil-inject: a process that is not a vigild sends it
	 * (it is not a group member the cores know: dropped and counted). */
	uint32_t pid = ++w->next_pid;
	size_t slot = 0, ns = sizeof(w->intruders) / sizeof(w->intruders[0]);
	while (slot < ns && w->intruders[slot].active)
		slot++;
	if (slot < ns && !w->reconfig_pending) {
		/* It joins the group first, so its frames reach the decoders (a
		 * non-member's are dropped before), and leaves 50 ms later. */
		w->intruders[slot].node = node;
		w->intruders[slot].pid = pid;
		w->intruders[slot].active = true;
		w_trace(w, node, "intruder pid %" PRIu32 " joins the group", pid);
		announce_views(w);
		struct ev *e = w_new_ev(w, EV_INTRUDER_LEAVE, node, 50);
		e->token = pid;
		w_enqueue(w, e);
	}
	w_trace(w, node, "intruder pid %" PRIu32 " sends %zu garbled bytes (kind %d)", pid, len,
		cmd->mode);
	group_multicast(w, node, pid, buf, len, true);
	w->res->failures_injected++;
}

/* ---- expectations ---- */

static bool node_in(const struct sim_cmd *c, int i)
{
	return c->all || (c->nodes & (1u << i));
}

static void expect_fail(struct sim_world *w, const struct sim_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void expect_fail(struct sim_world *w, const struct sim_cmd *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->res->expect_failed++;
	w_trace(w, 0, "EXPECTATION FAILED (line %d): %s", c->line, msg);
	fprintf(stderr, "line %d: %s\n", c->line, msg);
}

static bool doc_property(const char *xml, const char *name, char *ret, size_t len)
{
	char pat[96];
	snprintf(pat, sizeof(pat), "name=\"%s\" value=\"", name);
	const char *p = xml ? strstr(xml, pat) : NULL;
	if (!p)
		return false;
	p += strlen(pat);
	const char *e = strchr(p, '"');
	snprintf(ret, len, "%.*s", (int)(e ? e - p : 0), p);
	return true;
}

static void expect(struct sim_world *w, const struct sim_cmd *c)
{
	if (c->exp == EXP_CONVERGED) {
		if (check_converged(w, "expectation"))
			expect_fail(w, c, "the cluster did not converge");
		return;
	}
	if (c->exp == EXP_ACKED) {
		if ((long)w->n_acks != c->n)
			expect_fail(w, c, "%zu changes acknowledged, expected %ld", w->n_acks, c->n);
		return;
	}
	if (c->exp == EXP_VM_RUNNING) {
		int at = hv_vm_node(w, (int)c->n);
		int copies = hv_vm_copies(w, (int)c->n);
		if (c->node == SIM_ANY_NODE ? copies != 1 : at != c->node)
			expect_fail(w, c, "vm%ld runs on %s (%d nodes), expected %s", c->n,
				    at ? w->nodes[at].name : "none", copies,
				    c->node == SIM_ANY_NODE ? "one node" :
				    c->node ? w->nodes[c->node].name : "none");
		return;
	}
	if (c->exp == EXP_POWERED) {
		for (int i = 1; i <= w->n; i++)
			if (node_in(c, i) && w->nodes[i].powered != (c->n != 0))
				expect_fail(w, c, "%s is %s", w->nodes[i].name,
					    w->nodes[i].powered ? "powered" : "off");
		return;
	}
	uint64_t first_hash = 0;
	for (int i = 1; i <= w->n; i++) {
		if (!node_in(c, i))
			continue;
		struct daemon *d = w->nodes[i].d;
		const char *nm = w->nodes[i].name;
		if (c->exp == EXP_DISK_EPOCH) {
			if ((long)w->nodes[i].disk_ver.epoch != c->n)
				expect_fail(w, c, "%s has epoch %" PRIu32 " on disk, expected %ld", nm,
					    w->nodes[i].disk_ver.epoch, c->n);
			continue;
		}
		if (!d) {
			expect_fail(w, c, "%s: vigild is not running", nm);
			continue;
		}
		switch (c->exp) {
		case EXP_EPOCH: {
			struct vg_cfg_version v = crmd_core_config_version(d->core);
			if ((long)v.epoch != c->n)
				expect_fail(w, c, "%s is at epoch %" PRIu32 ", expected %ld", nm, v.epoch,
					    c->n);
			break;
		}
		case EXP_DC: {
			uint32_t dc = crmd_core_dc(d->core);
			if ((long)dc != c->n)
				expect_fail(w, c, "%s sees DC %" PRIu32 ", expected %ld", nm, dc, c->n);
			break;
		}
		case EXP_QUORATE:
			if (crmd_core_quorate(d->core) != (c->n != 0))
				expect_fail(w, c, "%s quorate=%d, expected %ld", nm,
					    crmd_core_quorate(d->core), c->n);
			break;
		case EXP_SAME_CONFIG:
			if (!first_hash)
				first_hash = d->hash;
			else if (first_hash != d->hash)
				expect_fail(w, c, "%s holds a different configuration", nm);
			break;
		case EXP_PROPERTY: {
			char v[64];
			bool has = doc_property(crmd_core_config_xml(d->core, NULL), c->name, v,
						sizeof(v));
			if (c->value[0] ? !has || strcmp(v, c->value) : has)
				expect_fail(w, c, "%s has %s=%s, expected %s", nm, c->name,
					    has ? v : "(absent)", c->value[0] ? c->value : "(absent)");
			break;
		}
		default:
			break;
		}
	}
}

/* ---- commands ---- */

static void exec_cmd(struct sim_world *w, const struct sim_cmd *c)
{
	char line[200];
	sim_cmd_format(c, line, sizeof(line));
	if (c->kind != CMD_CLIENT)
		w_trace(w, 0, "== %s", line);
	hv_note_cmd(w, c);
	switch (c->kind) {
	case CMD_UP:
		for (int i = 1; i <= w->n; i++)
			if (node_in(c, i))
				power_on(w, i, true);
		break;
	case CMD_BOOT:
		power_on(w, c->node, true);
		break;
	case CMD_CRASH:
		w_power_off(w, c->node);
		w->res->failures_injected++;
		break;
	case CMD_SHUTDOWN:
		daemon_gone(w, c->node, CRMD_REASON_LEAVE);
		power_off(w, c->node, w->join_ms);
		break;
	case CMD_DAEMON_KILL:
		daemon_gone(w, c->node, CRMD_REASON_PROCDOWN);
		w->res->failures_injected++;
		break;
	case CMD_DAEMON_STOP:
		daemon_gone(w, c->node, CRMD_REASON_LEAVE);
		break;
	case CMD_DAEMON_START:
		daemon_start(w, c->node);
		break;
	case CMD_PARTITION: {
		bool changed = false;
		for (int i = 1; i <= w->n; i++) {
			changed |= w->nodes[i].label != c->part[i];
			w->nodes[i].label = c->part[i];
		}
		if (changed) {
			cut_in_flight(w);
			schedule_reconfig(w, w->token_ms);
			w->res->failures_injected++;
			for (int i = 1; i <= w->n; i++)
				w->res->node_failures += w->nodes[i].powered &&
							 c->part[i] != c->part[1];
		}
		break;
	}
	case CMD_HEAL: {
		bool changed = false;
		for (int i = 1; i <= w->n; i++) {
			changed |= w->nodes[i].label != 1;
			w->nodes[i].label = 1;
		}
		if (changed)
			schedule_reconfig(w, w->join_ms);
		break;
	}
	case CMD_CLIENT:
		client_request(w, c);
		break;
	case CMD_INJECT:
		inject(w, c);
		break;
	case CMD_DISK_FAIL:
		w->nodes[c->node].disk_fail_next = true;
		w->res->failures_injected++;
		break;
	case CMD_DISK_SLOW:
		w->nodes[c->node].disk_slow_until = w->now + 5000;
		w->nodes[c->node].disk_slow_ms = (uint64_t)c->n;
		break;
	case CMD_DISK_CORRUPT: {
		/* What vigild's store does with a copy that fails its checks: keeps it
		 * aside and starts without one.  The sim hands the damaged text to the
		 * core instead, which must refuse it too. */
		struct node *n = &w->nodes[c->node];
		if (n->disk && n->disk_len > 10) {
			n->disk_len /= 2;
			n->disk[n->disk_len] = '\0';
			n->disk_hash = w_hash(n->disk, n->disk_len);
			n->disk_ver = (struct vg_cfg_version){ 0 };
			w->res->failures_injected++;
		}
		break;
	}
	case CMD_QUORUM_SLOW:
		w->nodes[c->node].quorum_slow_until = w->now + 10000;
		w->nodes[c->node].quorum_slow_ms = (uint64_t)c->n;
		break;
	case CMD_TOKEN:
		w->token_ms = (uint64_t)c->n;
		break;
	case CMD_EXPECT:
		expect(w, c);
		break;
	case CMD_VM_MIGRATE:
		/* An admin moves the VM: `vigil resource move` on the destination. */
		client_request(w, c);
		break;
	case CMD_VM_CRASH:
	case CMD_FENCE_MODE:
	case CMD_HV_MODE:
	case CMD_VM_STOP:
		hv_cmd(w, c);
		w->res->failures_injected += c->kind == CMD_VM_CRASH || c->kind == CMD_VM_STOP ||
					     (c->kind != CMD_VM_CRASH && c->mode != 0 && c->mode != 5);
		break;
	}
}

/* ---- running ---- */

static void write_done(struct sim_world *w, struct ev *e, bool land_only)
{
	struct node *n = &w->nodes[e->node];
	struct daemon *d = n->d;
	if (!d || d->pid != e->pid || !n->powered)
		return; /* the writer died with its process: nothing reached the disk */
	if ((land_only || !e->ev.persisted.rc) && e->mem) {
		free(n->disk);
		n->disk = e->mem;
		n->disk_len = e->mem_len;
		n->disk_term = e->mem_term;
		e->mem = NULL;
		n->disk_hash = w_hash(n->disk, n->disk_len);
		struct vg_diags dg = { 0 };
		struct vg_cfg_version v = { 0 };
		crmd_doc_version(n->disk, n->disk_len, &v, &dg);
		vg_diags_clear(&dg);
		n->disk_ver = v;
		w_trace(w, e->node, "disk: now holds %" PRIu32 ":%" PRIu32 ":%" PRIu32, v.admin_epoch,
			v.epoch, v.num_updates);
	} else if (e->ev.persisted.rc) {
		w_trace(w, e->node, "disk: write %" PRIu64 " failed", e->write_id);
	}
	if (!land_only)
		core_event(w, d, &e->ev, false);
}

static void dispatch(struct sim_world *w, struct ev *e)
{
	struct node *n = e->node ? &w->nodes[e->node] : NULL;
	struct daemon *d = n ? n->d : NULL;
	bool mine = d && d->pid == e->pid;
	switch (e->kind) {
	case EV_GROUP:
		if (!mine)
			break;
		d->pending_group--;
		if (e->ev.type == CRMD_EV_RING)
			d->ring_seq = e->ev.ring.seq;
		if (e->ev.type == CRMD_EV_MESSAGE && w->limbo) {
			struct limbo *l = limbo_find(w, e->token);
			if (l)
				l->delivered_mask |= 1u << e->node;
		}
		if (e->ev.type == CRMD_EV_MESSAGE && w->o.trace && w->o.verbose) {
			char desc[256];
			describe_frame(e->mem, e->mem_len, desc, sizeof(desc));
			w_trace(w, e->node, "delivered from n%d: %s", e->target, desc);
		}
		core_event(w, d, &e->ev, e->intruder);
		break;
	case EV_QUORUM:
		if (!mine)
			break;
		d->pending_quorum--;
		core_event(w, d, &e->ev, false);
		break;
	case EV_TIMER:
		if (mine && d->timer_token[e->ev.timer.timer] == e->token) {
			d->timer_token[e->ev.timer.timer] = 0;
			core_event(w, d, &e->ev, false);
		}
		break;
	case EV_WRITE_DONE:
		write_done(w, e, false);
		break;
	case EV_DISK_LAND:
		write_done(w, e, true);
		break;
	case EV_RECONFIG:
		if (w->reconfig_pending && e->token == w->reconfig_at)
			reconfigure(w);
		break;
	case EV_DAEMON_START:
		if (mine)
			daemon_join(w, d);
		break;
	case EV_CMD:
		exec_cmd(w, e->cmd);
		break;
	case EV_HV:
		hv_on_event(w, e);
		break;
	case EV_INTRUDER_LEAVE:
		for (size_t k = 0; k < sizeof(w->intruders) / sizeof(w->intruders[0]); k++)
			if (w->intruders[k].active && w->intruders[k].pid == e->token) {
				w->intruders[k].active = false;
				set_gone(w, (uint32_t)e->token, CRMD_REASON_LEAVE);
				w_trace(w, e->node, "intruder pid %" PRIu64 " leaves", e->token);
				if (!w->reconfig_pending)
					announce_views(w);
			}
		break;
	}
}

/* With VMs, every disk starts with the configuration of an installed
 * cluster: one fence device per node and the VMs (odd ones live-migrate,
 * even ones move by stop and start; each with a 10 s recurring monitor). */
static char *initial_config(const struct sim_opts *o, size_t *ret_len)
{
	size_t cap = 4096 + (size_t)(o->n_nodes + o->n_vms) * 640, len = 0;
	char *x = xmalloc(cap);
#define ADD(...) (len += (size_t)snprintf(x + len, cap - len, __VA_ARGS__))
	ADD("<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">"
	    "<configuration><crm_config><cluster_property_set id=\"cib-bootstrap-options\">"
	    "<nvpair id=\"opt-stonith-enabled\" name=\"stonith-enabled\" value=\"%s\"/>"
	    "</cluster_property_set></crm_config><nodes>",
	    o->bug == SIM_BUG_NO_FENCE_WAIT ? "false" : "true");
	for (int i = 1; i <= o->n_nodes; i++)
		ADD("<node id=\"%d\" uname=\"n%d\"/>", i, i);
	ADD("</nodes><resources>");
	for (int i = 1; i <= o->n_nodes; i++)
		ADD("<primitive id=\"fence-n%d\" class=\"stonith\" type=\"fence_sim\">"
		    "<instance_attributes id=\"fence-n%d-ia\"><nvpair id=\"fence-n%d-hosts\" "
		    "name=\"pcmk_host_list\" value=\"n%d\"/></instance_attributes></primitive>",
		    i, i, i, i);
	for (int v = 1; v <= o->n_vms; v++)
		ADD("<primitive id=\"vm%d\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
		    "<instance_attributes id=\"vm%d-ia\"><nvpair id=\"vm%d-config\" name=\"config\" "
		    "value=\"/etc/vigil/vm%d.xml\"/></instance_attributes>"
		    "<meta_attributes id=\"vm%d-meta\"><nvpair id=\"vm%d-allow-migrate\" "
		    "name=\"allow-migrate\" value=\"%s\"/></meta_attributes>"
		    "<operations><op id=\"vm%d-monitor\" name=\"monitor\" interval=\"10s\" "
		    "timeout=\"30s\"/></operations></primitive>",
		    v, v, v, v, v, v, v % 2 ? "true" : "false", v);
	ADD("</resources><constraints/></configuration></cib>");
#undef ADD
	struct vg_diags d = { 0 };
	char *out = NULL;
	size_t olen = 0;
	if (crmd_doc_normalize(x, len, NULL, &out, &olen, &d)) {
		fprintf(stderr, "vigil-sim: the initial configuration does not check: %s\n",
			d.n ? d.v[0].message : "?");
		abort();
	}
	vg_diags_clear(&d);
	free(x);
	*ret_len = olen;
	return out;
}

struct sim_world *sim_world_new(const struct sim_opts *o)
{
	struct sim_world *w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	w->o = *o;
	w->n = o->n_nodes;
	sim_rng_seed(&w->rng, o->seed ^ 0x5157u);
	w->next_pid = 1000;
	w->ring_seq = 8;
	w->token_ms = 1000;
	w->join_ms = 200;
	w->sends_tail = &w->sends;
	for (int i = 1; i <= w->n; i++) {
		w->nodes[i].idx = i;
		snprintf(w->nodes[i].name, sizeof(w->nodes[i].name), "n%d", i);
		w->nodes[i].label = 1;
	}
	w->hv = hv_new(w, o->n_vms);
	if (o->n_vms) {
		for (int i = 1; i <= w->n; i++) {
			struct node *n = &w->nodes[i];
			n->disk = initial_config(o, &n->disk_len);
			n->disk_hash = w_hash(n->disk, n->disk_len);
			n->disk_ver = (struct vg_cfg_version){ 0, 1, 0 };
		}
	}
	return w;
}

void sim_world_free(struct sim_world *w)
{
	if (!w)
		return;
	while (w->queue) {
		struct ev *e = w->queue;
		w->queue = e->next;
		ev_free(e);
	}
	while (w->limbo) {
		struct limbo *l = w->limbo;
		w->limbo = l->next;
		free(l->buf);
		free(l);
	}
	while (w->sends) {
		struct pending_send *s = w->sends;
		w->sends = s->next;
		free(s->buf);
		free(s);
	}
	for (int i = 1; i <= w->n; i++) {
		struct node *n = &w->nodes[i];
		if (n->d) {
			crmd_core_free(n->d->core);
			free(n->d);
		}
		free(n->disk);
		free(n->shown);
	}
	while (w->clients) {
		struct client *c = w->clients;
		w->clients = c->next;
		free(c);
	}
	free(w->acks);
	free(w->lin);
	hv_free(w->hv);
	free(w->gone);
	free(w);
}

bool w_settled(struct sim_world *w, const struct daemon *d)
{
	int p = w->nodes[d->node].cs_part;
	return d->announced && !w->reconfig_pending && !d->pending_group && !d->pending_quorum &&
	       p && d->ring_seq == w->part_ring[p];
}

static void run_until(struct sim_world *w, uint64_t until)
{
	while (w->queue && w->queue->at <= until) {
		struct ev *e = w->queue;
		w->queue = e->next;
		if (e->at > w->now)
			w->now = e->at;
		dispatch(w, e);
		ev_free(e);
		w->res->events++;
		check_step(w);
	}
	if (w->now < until)
		w->now = until;
}

/* Clients that expected an answer and got none (their daemon kept running). */
static void unanswered(struct sim_world *w)
{
	for (struct client *c = w->clients; c; c = c->next) {
		struct daemon *d = w->nodes[c->node].d;
		if (c->answered)
			continue;
		if (c->cmd && c->cmd->expect[0] && strcmp(c->cmd->expect, "none") &&
		    strcmp(c->cmd->expect, "any")) {
			w->res->expect_failed++;
			fprintf(stderr, "line %d: client on %s expected %s, got no answer\n",
				c->cmd->line, w->nodes[c->node].name, c->cmd->expect);
		}
		if (d && d->pid == c->pid && w->now - c->at > 90000)
			w_violation(w, "client %" PRIu64 " on %s never answered (asked at %" PRIu64
				    " ms)", c->id, w->nodes[c->node].name, c->at);
	}
}

void sim_world_run(struct sim_world *w, const struct sim_schedule *s, bool final_liveness,
		   struct sim_result *ret)
{
	*ret = (struct sim_result){ 0 };
	w->res = ret;
	uint64_t last = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct ev *e = w_new_ev(w, EV_CMD, 0, s->v[i].at_ms);
		e->cmd = &s->v[i];
		w_enqueue(w, e);
		if (s->v[i].at_ms > last)
			last = s->v[i].at_ms;
	}
	run_until(w, last);
	if (final_liveness) {
		/* Faults stop: heal every cut, power every node, start every daemon. */
		w_trace(w, 0, "== faults stop: heal, boot and start everything");
		for (int i = 1; i <= w->n; i++)
			w->nodes[i].label = 1;
		schedule_reconfig(w, w->join_ms);
		for (int i = 1; i <= w->n; i++)
			power_on(w, i, true);
		hv_cmd(w, NULL);
		/* Long enough for token timeouts, rounds, and every client's timeout. */
		run_until(w, w->now + 70000);
		check_converged(w, "after faults stopped");
		hv_converged(w);
	} else {
		run_until(w, last + 1);
	}
	unanswered(w);
	ret->acked = w->n_acks;
}
