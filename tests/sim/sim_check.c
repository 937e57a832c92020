/*
 * sim_check.c - what must hold after every step, and at the end.
 *
 * The checks compare what the cores believe and do with the world's truth,
 * which the cores cannot see: which partition really has quorum, what really
 * is on each disk, which changes a client was told are acknowledged.
 *
 * Lineage.  Configurations are identified by a hash of their bytes.  A core
 * that comes to hold bytes nobody held before applied a change: the new
 * configuration is built on the one it held (an edge child -> parent).  A
 * configuration obtained by state transfer or read from disk is one some core
 * built before, so no edge is added.  "Change X is not lost" then reads: every
 * configuration a settled quorate member holds later descends from X.
 *
 * "Settled": the daemon has received every group event the world queued for
 * it, its last ring is its partition's current ring, its quorum for it
 * arrived, and Corosync is not forming a new ring.  Before that, a member cut
 * off from the majority may legitimately still believe the old ring's quorum
 * (Corosync has not told it yet); the checks that compare beliefs with the
 * truth only look at settled members.  Actions (applying a change) are
 * checked at once against the ring they happened in.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

/* ---- lineage ---- */

static long lin_find(struct sim_world *w, uint64_t h)
{
	for (size_t i = w->n_lin; i-- > 0;)
		if (w->lin[i].h == h)
			return (long)i;
	return -1;
}

bool lin_known(struct sim_world *w, uint64_t h)
{
	return lin_find(w, h) >= 0;
}

void lin_add(struct sim_world *w, uint64_t h, uint64_t parent)
{
	if (lin_known(w, h))
		return;
	if (w->n_lin == w->cap_lin) {
		w->cap_lin = w->cap_lin ? w->cap_lin * 2 : 64;
		w->lin = realloc(w->lin, w->cap_lin * sizeof(*w->lin));
		if (!w->lin)
			abort();
	}
	w->lin[w->n_lin].h = h;
	w->lin[w->n_lin].parent = parent;
	w->n_lin++;
}

bool lin_descends(struct sim_world *w, uint64_t h, uint64_t ancestor)
{
	for (size_t guard = 0; h && guard <= w->n_lin; guard++) {
		if (h == ancestor)
			return true;
		long i = lin_find(w, h);
		if (i < 0)
			return false;
		h = w->lin[i].parent;
	}
	return false;
}

/* ---- after each core event ---- */

void check_config_installed(struct sim_world *w, struct daemon *d, uint64_t before)
{
	struct node *n = &w->nodes[d->node];
	uint64_t after = d->hash;
	if (after == before)
		return;
	if (!before) {
		lin_add(w, after, 0); /* read from disk, or the empty one */
		return;
	}
	if (lin_known(w, after))
		return; /* state transfer, or a change somebody applied first */
	/* New bytes: this core applied a change, built on what it held. */
	struct vg_cfg_version v = crmd_core_config_version(d->core);
	lin_add(w, after, before);
	/* The ring the core applied it in: the one its change was delivered in,
	 * which lags the last ring delivered while the change waited for that
	 * ring's quorum. */
	uint64_t ring = crmd_core_ring_seq(d->core);
	if (!w_ring_quorate(w, ring))
		w_violation(w, "%s applied a change (now %" PRIu32 ":%" PRIu32 ":%" PRIu32
			    ") in ring %" PRIu64 ", which has no quorum", n->name, v.admin_epoch,
			    v.epoch, v.num_updates, ring);
}

void check_after_core_event(struct sim_world *w, struct daemon *d, uint64_t before,
			    const struct crmd_event *ev, bool from_intruder)
{
	struct node *n = &w->nodes[d->node];
	(void)ev;
	if (from_intruder && d->hash != before)
		w_violation(w, "%s: a garbled group message changed the configuration", n->name);
	/* Rule 3's premise: what the core believes is on its disk is there. */
	struct vg_cfg_version wr = crmd_core_written_version(d->core);
	if (!w->o.no_belief_check && (wr.admin_epoch || wr.epoch || wr.num_updates) &&
	    vg_cfg_version_cmp(&wr, &n->disk_ver))
		w_violation(w, "%s believes %" PRIu32 ":%" PRIu32 ":%" PRIu32 " is on its disk, "
			    "the disk holds %" PRIu32 ":%" PRIu32 ":%" PRIu32, n->name,
			    wr.admin_epoch, wr.epoch, wr.num_updates, n->disk_ver.admin_epoch,
			    n->disk_ver.epoch, n->disk_ver.num_updates);
}

/* ---- acknowledgements ---- */

void check_ack(struct sim_world *w, struct client *c, const struct vg_cfg_version *t)
{
	struct node *n = &w->nodes[c->node];
	struct daemon *d = n->d;
	uint64_t h = 0;
	for (unsigned k = 0; k < 64 && !h; k++) {
		unsigned i = (n->hist_next + 63 - k) % 64;
		if (n->hist[i].h && !vg_cfg_version_cmp(&n->hist[i].v, t))
			h = n->hist[i].h;
	}
	if (!h && d && !vg_cfg_version_cmp(&(struct vg_cfg_version){ 0 }, t))
		h = d->hash;
	if (!h) {
		w_violation(w, "%s acknowledged %" PRIu32 ":%" PRIu32 ":%" PRIu32
			    ", a version it never held", n->name, t->admin_epoch, t->epoch,
			    t->num_updates);
		return;
	}
	if (w->n_acks == w->cap_acks) {
		w->cap_acks = w->cap_acks ? w->cap_acks * 2 : 32;
		w->acks = realloc(w->acks, w->cap_acks * sizeof(*w->acks));
		if (!w->acks)
			abort();
	}
	w->acks[w->n_acks++] = (struct ack){ h, *t, w->now, c->node, c->id };
	w_trace(w, c->node, "ACK client %" PRIu64 ": configuration %" PRIu32 ":%" PRIu32 ":%" PRIu32
		" acknowledged", c->id, t->admin_epoch, t->epoch, t->num_updates);
	/* Rule 3: on disk on every member, the requester first of all. */
	if (!lin_descends(w, n->disk_hash, h))
		w_violation(w, "%s acknowledged %" PRIu32 ":%" PRIu32 ":%" PRIu32 " to client %" PRIu64
			    " but its disk holds %" PRIu32 ":%" PRIu32 ":%" PRIu32, n->name,
			    t->admin_epoch, t->epoch, t->num_updates, c->id, n->disk_ver.admin_epoch,
			    n->disk_ver.epoch, n->disk_ver.num_updates);
	for (int i = 1; i <= w->n; i++) {
		struct daemon *o = w->nodes[i].d;
		if (!o || !d || w->nodes[i].cs_part != n->cs_part || !w_settled(w, o) ||
		    !crmd_core_synced(o->core))
			continue;
		if (lin_descends(w, o->hash, h) && !lin_descends(w, w->nodes[i].disk_hash, h) &&
		    vg_cfg_version_cmp(&w->nodes[i].disk_ver, t) >= 0)
			w_violation(w, "%s holds a newer document than acknowledged %" PRIu32 ":%" PRIu32
				    " on disk that does not contain it", w->nodes[i].name, t->admin_epoch,
				    t->epoch);
	}
}

/* ---- every step ---- */

void check_step(struct sim_world *w)
{
	uint32_t dc_of_part[SIM_MAX_NODES + 2] = { 0 };
	int acting_parts = 0;
	for (int i = 1; i <= w->n; i++) {
		struct daemon *d = w->nodes[i].d;
		if (!d || !w_settled(w, d))
			continue;
		int p = w->nodes[i].cs_part;
		uint32_t dc = crmd_core_dc(d->core);
		if (!dc)
			continue;
		if (!w_partition_quorate(w, p))
			w_violation(w, "%s has an acting DC (n%" PRIu32 ") in a partition without quorum",
				    w->nodes[i].name, dc);
		if (!dc_of_part[p]) {
			dc_of_part[p] = dc;
			acting_parts++;
		} else if (dc_of_part[p] != dc) {
			w_violation(w, "members of one partition disagree on the DC: n%" PRIu32
				    " and n%" PRIu32, dc_of_part[p], dc);
		}
		struct daemon *dcd = dc <= (uint32_t)w->n ? w->nodes[dc].d : NULL;
		if (!dcd || w->nodes[dc].cs_part != p)
			w_violation(w, "%s's DC n%" PRIu32 " is not a running member of its partition",
				    w->nodes[i].name, dc);
		/* No acknowledged change lost: the configuration of a settled,
		 * synced member of the acting partition contains every one. */
		if (!crmd_core_synced(d->core))
			continue;
		if (d->checked_hash != d->hash) {
			d->checked_hash = d->hash;
			d->checked_acks = 0;
		}
		for (; d->checked_acks < w->n_acks; d->checked_acks++) {
			const struct ack *a = &w->acks[d->checked_acks];
			if (!lin_descends(w, d->hash, a->hash)) {
				struct vg_cfg_version v = crmd_core_config_version(d->core);
				w_violation(w, "acknowledged change lost: %s (quorate, DC n%" PRIu32
					    ") holds %" PRIu32 ":%" PRIu32 ":%" PRIu32 ", which does not "
					    "contain %" PRIu32 ":%" PRIu32 ":%" PRIu32 " acknowledged by "
					    "%s at %" PRIu64 " ms", w->nodes[i].name, dc, v.admin_epoch,
					    v.epoch, v.num_updates, a->ver.admin_epoch, a->ver.epoch,
					    a->ver.num_updates, w->nodes[a->node].name, a->at);
				d->checked_acks = w->n_acks;
				break;
			}
		}
	}
	if (acting_parts > 1)
		w_violation(w, "%d partitions have an acting DC at once", acting_parts);
	hv_check(w);
}

/* ---- liveness ---- */

int check_converged(struct sim_world *w, const char *why)
{
	uint64_t before = w->res->violations;
	uint64_t hash = 0;
	uint32_t dc = 0;
	int first = 0;
	for (int i = 1; i <= w->n; i++) {
		struct node *n = &w->nodes[i];
		struct daemon *d = n->d;
		if (!n->powered)
			continue;
		if (!d) {
			w_violation(w, "liveness (%s): %s has no vigild", why, n->name);
			continue;
		}
		if (!w_settled(w, d) || !crmd_core_synced(d->core)) {
			w_violation(w, "liveness (%s): %s is not synchronized", why, n->name);
			continue;
		}
		uint32_t x = crmd_core_dc(d->core);
		if (!x)
			w_violation(w, "liveness (%s): %s has no DC", why, n->name);
		if (!first) {
			first = i;
			hash = d->hash;
			dc = x;
			continue;
		}
		if (x != dc)
			w_violation(w, "liveness (%s): %s sees DC n%" PRIu32 ", %s sees n%" PRIu32, why,
				    n->name, x, w->nodes[first].name, dc);
		if (d->hash != hash)
			w_violation(w, "liveness (%s): %s and %s hold different configurations", why,
				    n->name, w->nodes[first].name);
	}
	for (int i = 1; i <= w->n; i++) {
		struct daemon *d = w->nodes[i].d;
		if (d && crmd_core_synced(d->core) && w->nodes[i].disk_hash != d->hash)
			w_violation(w, "liveness (%s): %s's disk does not hold its configuration", why,
				    w->nodes[i].name);
		for (size_t k = 0; d && k < w->n_acks; k++)
			if (!lin_descends(w, d->hash, w->acks[k].hash)) {
				w_violation(w, "acknowledged change %" PRIu32 ":%" PRIu32 ":%" PRIu32
					    " (client %" PRIu64 " on %s) lost: %s does not contain it",
					    w->acks[k].ver.admin_epoch, w->acks[k].ver.epoch,
					    w->acks[k].ver.num_updates, w->acks[k].client,
					    w->nodes[w->acks[k].node].name, w->nodes[i].name);
				break;
			}
	}
	return (int)(w->res->violations - before);
}
