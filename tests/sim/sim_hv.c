/*
 * sim_hv.c - simulated hypervisors and fence devices, bound to the cores'
 * environment (env.hv_submit, env.fence_submit, env.save_input), and the
 * checks on VMs.
 *
 * Every VM action in the simulation comes from a core: the DC's transition
 * engine (crmd/core_transition.c) decides, the node's core (core_rsc.c)
 * submits the call here, and the result comes back as CRMD_EV_HV_DONE, never
 * from inside the call.  What libvirt would tell the node on its own comes as
 * CRMD_EV_HV_EVENT: lifecycle events (started, migrated, stopped, crashed)
 * and the connection going down or coming up.
 *
 * The hypervisor of each node:
 *  - VMs (transient domains) run, are paused as the source of a live
 *    migration, or are arriving as its destination; a powered-off node loses
 *    them, a node that is only cut off keeps running them;
 *  - calls succeed after a latency, fail, hang (the executor's timeout turns
 *    them into -ETIMEDOUT, and a start or stop that hung may still take
 *    effect later, as libvirt may finish it), or are slow; with the connection
 *    down they fail at once with -ENOTCONN and events are lost;
 *  - a live migration prepares the destination, switches over atomically (the
 *    source paused, the destination running), then removes the source; failed
 *    or timed out part way it leaves the VM on its source.
 *
 * Fence devices: one per node ("fence-nX", pcmk_host_list=nX, in the
 * configuration the disks start with).  Which devices an attempt runs, and in
 * which order, is fencing/fen_plan.h's answer for the document the core
 * hands over: the same planner vigild uses.  A device succeeds (the target
 * loses power; "reboot" boots it again some seconds later), fails or hangs.
 *
 * Checks: never running on two nodes (over every powered node, cut off or
 * not; paused or arriving copies do not count); a VM is started or migrated
 * only on the order of a DC in a quorate ring; a daemon crash never stops a
 * VM (watched while nothing but daemon faults happen); liveness at the end.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfgdoc.h"
#include "cib_xml.h"
#include "fen_plan.h"
#include "sim_int.h"

enum { HV_OK = 0, HV_FAIL = 1, HV_HANG = 2, HV_SLOW = 3, HV_DOWN = 4, HV_UP = 5 };

/* VS_STARTING: a start that timed out in the executor and is still going on
 * in libvirt; it may finish (running) or fail later, and a stop destroys it. */
enum vm_state { VS_NONE = 0, VS_RUNNING, VS_OUTGOING, VS_INCOMING, VS_STARTING };

/* What an EV_HV event is. */
enum {
	HVE_DONE = 1,       /* CRMD_EV_HV_DONE to the daemon that submitted */
	HVE_LIFECYCLE,      /* CRMD_EV_HV_EVENT (domain) to the node's daemon */
	HVE_CONN,           /* CRMD_EV_HV_EVENT up/down */
	HVE_START,          /* a start takes effect (and reports when e->report) */
	HVE_STOP,
	HVE_MIG_PREPARE,    /* the destination gets the incoming domain */
	HVE_MIG_SWITCH,     /* switch-over: source paused, destination runs */
	HVE_MIG_FINISH,     /* the source's paused copy goes away: done */
	HVE_MIG_ABORT,      /* timed out: the destination's copy is discarded */
	HVE_FENCE_DONE,     /* CRMD_EV_FENCE_DONE */
	HVE_FENCE_POWER,    /* a device cut the target's power */
	HVE_REBOOT,         /* a fenced node boots again */
};

struct hv_world {
	int n_vms;
	uint8_t st[SIM_MAX_VMS + 1][SIM_MAX_NODES + 1];
	int hv_mode[SIM_MAX_NODES + 1];
	bool hv_down[SIM_MAX_NODES + 1];
	int fence_mode[SIM_MAX_NODES + 1];     /* of the device that fences node i */
	bool placed_initially;
	/* Liveness bookkeeping: what the cores were told failed (a failed start
	 * bans the node until a cleanup; a failed stop needs fencing). */
	uint32_t start_failed[SIM_MAX_VMS + 1];
	uint32_t stop_failed[SIM_MAX_VMS + 1];
	/* Rule 4: VMs that ran on a node when its vigild was killed, while
	 * nothing but daemon faults happened since. */
	int watch[SIM_MAX_VMS + 1];
	uint64_t last_activity;                /* last hypervisor call or ring */
};

struct hv_world *hv_new(struct sim_world *w, int n_vms)
{
	(void)w;
	struct hv_world *hv = calloc(1, sizeof(*hv));
	if (!hv)
		abort();
	hv->n_vms = n_vms > SIM_MAX_VMS ? SIM_MAX_VMS : n_vms;
	return hv;
}

void hv_free(struct hv_world *hv)
{
	free(hv);
}

static uint32_t running_mask(const struct hv_world *hv, int v)
{
	uint32_t m = 0;
	for (int i = 1; i <= SIM_MAX_NODES; i++)
		if (hv->st[v][i] == VS_RUNNING)
			m |= 1u << i;
	return m;
}

int hv_vm_node(struct sim_world *w, int vm)
{
	struct hv_world *hv = w->hv;
	if (vm < 1 || vm > hv->n_vms)
		return 0;
	uint32_t m = running_mask(hv, vm);
	return m ? __builtin_ctz(m) : 0;
}

int hv_vm_copies(struct sim_world *w, int vm)
{
	return vm < 1 || vm > w->hv->n_vms ? 0 : __builtin_popcount(running_mask(w->hv, vm));
}

static int vm_index(const struct hv_world *hv, const char *name)
{
	if (!name || strncmp(name, "vm", 2))
		return 0;
	char *end;
	long v = strtol(name + 2, &end, 10);
	return *end || v < 1 || v > hv->n_vms ? 0 : (int)v;
}

static int node_index(struct sim_world *w, const char *name)
{
	for (int i = 1; name && i <= w->n; i++)
		if (!strcmp(w->nodes[i].name, name))
			return i;
	return 0;
}

static const char *state_name(uint8_t s)
{
	switch (s) {
	case VS_RUNNING: return "running";
	case VS_OUTGOING: return "migrating";
	case VS_INCOMING: return "starting";
	case VS_STARTING: return "starting";
	default: return "absent";
	}
}

static bool node_alive(struct sim_world *w, int node, unsigned incarnation)
{
	return w->nodes[node].powered && w->nodes[node].incarnation == incarnation;
}

static struct ev *hv_ev(struct sim_world *w, int kind, int node, uint64_t delay)
{
	struct ev *e = w_new_ev(w, EV_HV, node, delay);
	e->hv_op = kind;
	e->incarnation = w->nodes[node].incarnation;
	return e;
}

/* libvirt tells the node's vigild (if it is connected) a few ms later. */
static void lifecycle(struct sim_world *w, int node, int v, const char *state, const char *detail)
{
	struct daemon *d = w->nodes[node].d;
	w_trace(w, node, "hv: vm%d %s (%s)", v, state, detail);
	if (!d || w->hv->hv_down[node])
		return;
	struct ev *e = hv_ev(w, HVE_LIFECYCLE, node, sim_rng_range(&w->rng, 1, 30));
	e->pid = d->pid;
	e->vm = v;
	snprintf(e->str, sizeof(e->str), "%s", state);
	snprintf(e->detail, sizeof(e->detail), "%s", detail);
	w_enqueue(w, e);
}

static void report(struct sim_world *w, const struct ev *by, uint64_t delay, int rc,
		   const char *state)
{
	struct ev *e = hv_ev(w, HVE_DONE, by->node, delay);
	e->pid = by->pid;
	e->call_id = by->call_id;
	e->vm = by->vm;
	e->rc = rc;
	e->mode = by->mode;
	e->target = by->target; /* the op: CRMD_HV_* */
	snprintf(e->str, sizeof(e->str), "%s", state);
	w_enqueue(w, e);
}

void hv_node_off(struct sim_world *w, int node)
{
	struct hv_world *hv = w->hv;
	for (int v = 1; v <= hv->n_vms; v++)
		if (hv->st[v][node]) {
			if (hv->st[v][node] == VS_RUNNING)
				w_trace(w, node, "hv: vm%d is gone with the node", v);
			hv->st[v][node] = VS_NONE;
		}
}

void hv_membership(struct sim_world *w)
{
	struct hv_world *hv = w->hv;
	/* Rings formed anew: what follows is the cluster's reaction to a
	 * membership change, not to a daemon crash. */
	memset(hv->watch, 0, sizeof(hv->watch));
	hv->last_activity = w->now;
	if (!hv->n_vms || hv->placed_initially)
		return;
	/* VMs already running when the cluster forms (the cores find them by
	 * probing and take them over). */
	int cand[SIM_MAX_NODES], nc = 0;
	for (int i = 1; i <= w->n; i++)
		if (w->nodes[i].powered)
			cand[nc++] = i;
	if (!nc)
		return;
	hv->placed_initially = true;
	for (int v = 1; v <= hv->n_vms; v++)
		hv->st[v][cand[v % nc]] = VS_RUNNING;
}

/* ---- the environment: hypervisor calls ---- */

static const char *op_word(enum crmd_hv_op op)
{
	switch (op) {
	case CRMD_HV_START: return "start";
	case CRMD_HV_STOP: return "stop";
	case CRMD_HV_MIGRATE: return "migrate";
	case CRMD_HV_MONITOR: return "monitor";
	case CRMD_HV_PROBE: return "probe";
	}
	return "?";
}

static const char *const MODE_WORD[] = { "ok", "fail", "hang", "slow", "down", "up" };

/* Rule 2: the core that executes a start (or a migration, which starts the VM
 * on its destination) processed the DC's order in a quorate ring. */
static void check_order_ring(struct sim_world *w, struct daemon *d, int v, const char *what)
{
	uint64_t ring = crmd_core_ring_seq(d->core);
	if (!w_ring_quorate(w, ring))
		w_violation(w, "%s %s vm%d on an order processed in ring %" PRIu64
			    ", which has no quorum", w->nodes[d->node].name, what, v, ring);
}

/* Rule 4: a watched VM (its node's vigild was killed, nothing else happened
 * since) is stopped or moved away. */
static void check_watch(struct sim_world *w, int node, int v, const char *what)
{
	struct hv_world *hv = w->hv;
	if (v && hv->watch[v] == node)
		w_violation(w, "vigild's crash on %s stops vm%d: %s issued with nothing but "
			    "daemon faults since", w->nodes[node].name, v, what);
}

int hv_env_submit(void *ctx, const struct crmd_hv_action *a)
{
	struct daemon *d = ctx;
	struct sim_world *w = d->w;
	struct hv_world *hv = w->hv;
	int node = d->node;
	w->res->hv_calls++;
	int v = a->op == CRMD_HV_PROBE ? 0 : vm_index(hv, a->rsc_id);
	if (a->op != CRMD_HV_PROBE && !v) {
		w_violation(w, "%s: hypervisor call %s for an unknown domain %s", w->nodes[node].name,
			    op_word(a->op), a->rsc_id ? a->rsc_id : "(null)");
		return -EINVAL;
	}
	int mode = hv->hv_down[node] ? HV_DOWN : hv->hv_mode[node];
	if (a->op != CRMD_HV_PROBE && a->op != CRMD_HV_MONITOR)
		hv->last_activity = w->now;
	uint64_t tmo = a->timeout_ms ? a->timeout_ms : 60000;
	w_trace(w, node, "hv: %s%s%s%s%s (call %" PRIu64 ", %s)", op_word(a->op), v ? " vm" : "",
		v ? a->rsc_id + 2 : "", a->migrate_to ? " to " : "",
		a->migrate_to ? a->migrate_to : "", a->call_id, MODE_WORD[mode]);
	/* The call as an event template. */
	struct ev t = { .node = node, .pid = d->pid, .call_id = a->call_id, .vm = v,
			.target = (int)a->op, .mode = mode };
	if (mode == HV_DOWN) {
		report(w, &t, 1, -ENOTCONN, "unknown");
		return 0;
	}
	if (a->op == CRMD_HV_START || a->op == CRMD_HV_MIGRATE)
		check_order_ring(w, d, v, a->op == CRMD_HV_START ? "starts" : "migrates");
	if (a->op == CRMD_HV_STOP || a->op == CRMD_HV_MIGRATE)
		check_watch(w, node, v, op_word(a->op));
	uint64_t lat = a->op == CRMD_HV_PROBE || a->op == CRMD_HV_MONITOR ?
		       sim_rng_range(&w->rng, 5, 60) : sim_rng_range(&w->rng, 100, 2000);
	if (mode == HV_SLOW)
		lat += sim_rng_range(&w->rng, 10000, 40000);
	switch (a->op) {
	case CRMD_HV_PROBE:
	case CRMD_HV_MONITOR:
		if (mode == HV_HANG || lat >= tmo)
			report(w, &t, tmo, -ETIMEDOUT, "unknown");
		else
			report(w, &t, lat, mode == HV_FAIL ? -EIO : 0, "");
		return 0;
	case CRMD_HV_START:
	case CRMD_HV_STOP: {
		int kind = a->op == CRMD_HV_START ? HVE_START : HVE_STOP;
		if (mode == HV_FAIL) {
			report(w, &t, lat, -EIO, state_name(hv->st[v][node]));
			return 0;
		}
		if (mode == HV_HANG || lat >= tmo) {
			/* The executor gives up; libvirt may still finish it.  A
			 * start in progress is a starting domain meanwhile (a stop
			 * destroys it); it ends running or failed. */
			report(w, &t, tmo, -ETIMEDOUT, "unknown");
			bool late = sim_rng_pct(&w->rng, 50);
			if (kind == HVE_START && hv->st[v][node] == VS_NONE) {
				hv->st[v][node] = VS_STARTING;
				late = true;
			}
			if (late) {
				struct ev *e = hv_ev(w, kind, node, tmo + sim_rng_range(&w->rng, 0, 20000));
				e->vm = v;
				e->rc = kind == HVE_START && sim_rng_pct(&w->rng, 50) ? -EIO : 0;
				w_enqueue(w, e);
			}
			return 0;
		}
		struct ev *e = hv_ev(w, kind, node, lat);
		e->pid = d->pid;
		e->call_id = a->call_id;
		e->vm = v;
		e->target = (int)a->op;
		e->report = true;
		w_enqueue(w, e);
		return 0;
	}
	case CRMD_HV_MIGRATE: {
		const char *to = a->migrate_to ? a->migrate_to : "";
		const char *p = strstr(to, "://");
		char name[16] = "";
		if (p)
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(p + 3, "/:"), p + 3);
		int dst = node_index(w, name);
		if (!dst || dst == node) {
			report(w, &t, 1, -EINVAL, state_name(hv->st[v][node]));
			return 0;
		}
		if (hv->st[v][node] != VS_RUNNING) {
			report(w, &t, 5, -ENOENT, state_name(hv->st[v][node]));
			return 0;
		}
		struct ev *e = hv_ev(w, HVE_MIG_PREPARE, node, sim_rng_range(&w->rng, 50, 400));
		e->pid = d->pid;
		e->call_id = a->call_id;
		e->vm = v;
		e->src = node;
		e->mode = mode;
		e->target = dst;
		e->incarnation2 = w->nodes[dst].incarnation;
		/* When the switch-over comes (or the timeout aborts it). */
		uint64_t total = sim_rng_range(&w->rng, 1000, 8000) + (mode == HV_SLOW ? lat : 0);
		e->write_id = mode == HV_HANG || total >= tmo ? tmo : total;
		e->report = !(mode == HV_HANG || total >= tmo);
		w_enqueue(w, e);
		return 0;
	}
	}
	return -EINVAL;
}

/* The connection to a migration's destination: same cable, both powered. */
static bool can_reach(struct sim_world *w, int a, int b)
{
	return w->nodes[a].powered && w->nodes[b].powered && w->nodes[a].label == w->nodes[b].label &&
	       !w->hv->hv_down[b];
}

static void migration_event(struct sim_world *w, struct ev *e)
{
	struct hv_world *hv = w->hv;
	int v = e->vm, src = e->src, dst = e->target;
	bool src_ok = node_alive(w, src, e->incarnation);
	bool dst_ok = node_alive(w, dst, e->incarnation2);
	/* The report goes to the source's daemon, as the call's result. */
	struct ev by = { .node = src, .pid = e->pid, .call_id = e->call_id, .vm = v,
			 .target = CRMD_HV_MIGRATE };
	switch (e->hv_op) {
	case HVE_MIG_PREPARE: {
		if (!src_ok)
			return; /* the caller went down with its node */
		if (hv->st[v][src] != VS_RUNNING || !can_reach(w, src, dst) || !dst_ok ||
		    hv->st[v][dst] != VS_NONE) {
			w_trace(w, src, "hv: migration of vm%d to %s cannot start", v, w->nodes[dst].name);
			report(w, &by, 1, -EIO, state_name(hv->st[v][src]));
			return;
		}
		hv->st[v][dst] = VS_INCOMING;
		lifecycle(w, dst, v, "migrating", "migrated");
		struct ev *n = hv_ev(w, e->report ? HVE_MIG_SWITCH : HVE_MIG_ABORT, src,
				     e->write_id > 400 ? e->write_id - 400 : 1);
		n->incarnation = e->incarnation;
		n->incarnation2 = e->incarnation2;
		n->pid = e->pid;
		n->call_id = e->call_id;
		n->vm = v;
		n->src = src;
		n->target = dst;
		n->mode = e->mode;
		n->rc = e->report ? 0 : -ETIMEDOUT;
		w_enqueue(w, n);
		return;
	}
	case HVE_MIG_SWITCH:
		if (src_ok && dst_ok && hv->st[v][src] == VS_RUNNING && hv->st[v][dst] == VS_INCOMING &&
		    can_reach(w, src, dst) && e->mode != HV_FAIL) {
			hv->st[v][src] = VS_OUTGOING;
			lifecycle(w, src, v, "migrating", "migrated");
			hv->st[v][dst] = VS_RUNNING;
			lifecycle(w, dst, v, "running", "migrated");
			struct ev *f = hv_ev(w, HVE_MIG_FINISH, src, sim_rng_range(&w->rng, 5, 50));
			f->incarnation = e->incarnation;
			f->pid = e->pid;
			f->call_id = e->call_id;
			f->vm = v;
			f->src = src;
			f->target = dst;
			w_enqueue(w, f);
			return;
		}
		/* Failed part way: the arriving copy is discarded. */
		if (dst_ok && hv->st[v][dst] == VS_INCOMING) {
			hv->st[v][dst] = VS_NONE;
			lifecycle(w, dst, v, "stopped", "failed");
		}
		w_trace(w, src, "hv: migration of vm%d to %s failed part way", v, w->nodes[dst].name);
		if (src_ok)
			report(w, &by, 1, -EIO, state_name(hv->st[v][src]));
		return;
	case HVE_MIG_ABORT:
		if (dst_ok && hv->st[v][dst] == VS_INCOMING) {
			hv->st[v][dst] = VS_NONE;
			lifecycle(w, dst, v, "stopped", "failed");
		}
		if (src_ok)
			report(w, &by, 1, -ETIMEDOUT, state_name(hv->st[v][src]));
		return;
	case HVE_MIG_FINISH:
		if (!src_ok)
			return;
		if (hv->st[v][src] == VS_OUTGOING) {
			hv->st[v][src] = VS_NONE;
			lifecycle(w, src, v, "stopped", "migrated");
		}
		report(w, &by, 1, 0, state_name(hv->st[v][src]));
		return;
	}
}

static void start_stop_event(struct sim_world *w, struct ev *e)
{
	struct hv_world *hv = w->hv;
	int v = e->vm, node = e->node;
	if (!node_alive(w, node, e->incarnation))
		return; /* a call to a node that lost power never completes */
	uint8_t *s = &hv->st[v][node];
	int rc = 0;
	if (e->hv_op == HVE_START && !e->report) {
		/* The late end of a start that timed out, unless a stop
		 * destroyed the starting domain meanwhile. */
		if (*s != VS_STARTING)
			return;
		*s = e->rc ? VS_NONE : VS_RUNNING;
		lifecycle(w, node, v, e->rc ? "stopped" : "running", e->rc ? "failed" : "booted");
		return;
	}
	if (e->hv_op == HVE_START) {
		if (*s == VS_NONE) {
			*s = VS_RUNNING;
			lifecycle(w, node, v, "running", "booted");
		} else if (*s != VS_RUNNING) {
			rc = -EIO; /* busy: a migration, or a start still going on */
		}
	} else {
		if (*s == VS_RUNNING || *s == VS_OUTGOING || *s == VS_STARTING) {
			*s = VS_NONE;
			lifecycle(w, node, v, "stopped", "destroyed");
		} else if (*s == VS_INCOMING) {
			rc = -EIO;
		}
	}
	if (e->report)
		report(w, e, 1, rc, state_name(*s));
}

static void deliver_done(struct sim_world *w, struct ev *e)
{
	struct hv_world *hv = w->hv;
	struct daemon *d = w->nodes[e->node].d;
	if (!d || d->pid != e->pid || !node_alive(w, e->node, e->incarnation))
		return;
	struct crmd_hv_domain doms[SIM_MAX_VMS];
	size_t n = 0;
	const char *state = e->str;
	if (e->target == CRMD_HV_PROBE && !e->rc) {
		for (int v = 1; v <= hv->n_vms; v++)
			if (hv->st[v][e->node]) {
				static char names[SIM_MAX_VMS + 1][8];
				snprintf(names[v], sizeof(names[v]), "vm%d", v);
				doms[n].name = names[v];
				doms[n].state = state_name(hv->st[v][e->node]);
				n++;
			}
	} else if (e->target == CRMD_HV_MONITOR && !e->rc) {
		state = state_name(hv->st[e->vm][e->node]);
	}
	if (e->rc && e->vm && (e->target == CRMD_HV_START || e->target == CRMD_HV_STOP)) {
		if (e->target == CRMD_HV_START)
			hv->start_failed[e->vm] |= 1u << e->node;
		else
			hv->stop_failed[e->vm] |= 1u << e->node;
	}
	char msg[64];
	snprintf(msg, sizeof(msg), "%s", e->rc == -ETIMEDOUT ? "timed out" :
		 e->rc == -ENOTCONN ? "hypervisor not connected" : e->rc ? "simulated failure" : "done");
	char vm[16] = "";
	if (e->vm)
		snprintf(vm, sizeof(vm), " vm%d", e->vm);
	w_trace(w, e->node, "hv: %s%s call %" PRIu64 " -> rc %d %s%s",
		op_word((enum crmd_hv_op)e->target), vm, e->call_id, e->rc, state,
		e->target == CRMD_HV_PROBE && !e->rc ? "(domains)" : "");
	struct crmd_event ev = { .type = CRMD_EV_HV_DONE };
	ev.hv_done.call_id = e->call_id;
	ev.hv_done.rc = e->rc;
	ev.hv_done.state = state[0] ? state : "unknown";
	ev.hv_done.message = msg;
	ev.hv_done.domains = n ? doms : NULL;
	ev.hv_done.n_domains = n;
	w_core_event(w, d, &ev);
}

void hv_daemon_started(struct sim_world *w, struct daemon *d)
{
	if (!w->hv->n_vms)
		return;
	/* vigild connects to libvirt at start: up (or down) comes a moment later. */
	struct ev *e = hv_ev(w, HVE_CONN, d->node, sim_rng_range(&w->rng, 1, 20));
	e->pid = d->pid;
	e->rc = w->hv->hv_down[d->node] ? CRMD_HV_EV_DOWN : CRMD_HV_EV_UP;
	w_enqueue(w, e);
}

void hv_env_save_input(void *ctx, uint64_t seq, const char *xml, size_t len)
{
	struct daemon *d = ctx;
	d->w->res->policy_inputs++;
	/* For a developer replaying a seed: VIGIL_SIM_PE_DIR=DIR keeps every
	 * policy input as DIR/pe-NODE-PID-SEQ.xml (`vigil simulate -x` reads it). */
	const char *dir = getenv("VIGIL_SIM_PE_DIR");
	if (!dir || !*dir)
		return;
	char path[512];
	snprintf(path, sizeof(path), "%s/pe-%s-%" PRIu32 "-%" PRIu64 ".xml", dir,
		 d->w->nodes[d->node].name, d->pid, seq);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fwrite(xml, 1, len, f);
	fclose(f);
}

/* ---- the environment: fencing ---- */

int hv_env_fence(void *ctx, const struct crmd_fence_action *a)
{
	struct daemon *d = ctx;
	struct sim_world *w = d->w;
	struct hv_world *hv = w->hv;
	w->res->fence_calls++;
	int target = node_index(w, a->target);
	struct ev t = { .node = d->node, .pid = d->pid, .call_id = a->call_id };
	uint64_t tmo = a->timeout_ms ? a->timeout_ms : 60000;
	w_trace(w, d->node, "fence: %s %s (call %" PRIu64 ", delay %" PRIu32 " ms)",
		a->action ? a->action : "?", a->target ? a->target : "?", a->call_id, a->delay_ms);
	/* Which devices, in which order: the fencing library's planner, on the
	 * document the core handed over. */
	struct vg_diags dg = { 0 };
	struct vg_cib *cib = NULL;
	struct fen_plan *plan = NULL;
	struct fen_cluster_opts opts;
	int rc = vg_cib_read_memory(a->config, a->config_len, &cib, &dg);
	if (!rc)
		rc = fen_cluster_opts_read(cib, &opts, &dg) == -ENOMEM ? -ENOMEM : 0;
	if (!rc)
		rc = fen_plan_build(cib, a->target ? a->target : "", a->action ? a->action : "reboot",
				    &opts, &plan, &dg);
	uint64_t at = a->delay_ms;
	int result = -ENODEV;
	const char *device = NULL;
	bool hung = false;
	for (size_t l = 0; !rc && plan && l < plan->n_levels && result; l++) {
		const struct fen_level *lv = &plan->levels[l];
		bool ok = lv->n_devices > 0;
		for (size_t k = 0; k < lv->n_devices; k++) {
			const struct fen_device *dev = &lv->devices[k];
			/* A device named fence-nX powers node X; its mode is X's. */
			int of = strncmp(dev->id, "fence-", 6) ? 0 : node_index(w, dev->id + 6);
			int mode = of ? hv->fence_mode[of] : HV_FAIL;
			at += sim_rng_range(&w->rng, 300, 2000);
			if (mode == HV_HANG) {
				hung = true;
				break;
			}
			if (mode != HV_OK || of != target)
				ok = false; /* a device that powers another node does not help */
		}
		if (hung)
			break;
		result = ok ? 0 : -EIO;
		if (ok)
			device = lv->devices[0].id;
	}
	if (hung || at > tmo) {
		result = -ETIMEDOUT;
		at = tmo;
	}
	struct ev *e = hv_ev(w, HVE_FENCE_DONE, d->node, at + 1);
	e->pid = d->pid;
	e->call_id = t.call_id;
	e->rc = rc ? rc : result;
	snprintf(e->str, sizeof(e->str), "%s", device ? device : "");
	w_enqueue(w, e);
	if (!rc && !result && target) {
		if (w->o.bug == SIM_BUG_FAKE_FENCE) {
			w_trace(w, target, "fence: (planted bug) the device reports success, the node "
				"keeps running");
		} else {
			struct ev *p = hv_ev(w, HVE_FENCE_POWER, target, at);
			p->rc = a->action && !strcmp(a->action, "off") ? 0 : 1; /* reboot */
			w_enqueue(w, p);
		}
	}
	fen_plan_free(plan);
	vg_cib_free(cib);
	vg_diags_clear(&dg);
	return 0;
}

static void fence_event(struct sim_world *w, struct ev *e)
{
	switch (e->hv_op) {
	case HVE_FENCE_POWER:
		w_trace(w, e->node, "fence: the device cuts the power");
		w_power_off(w, e->node);
		if (e->rc) {
			struct ev *b = hv_ev(w, HVE_REBOOT, e->node, sim_rng_range(&w->rng, 5000, 15000));
			w_enqueue(w, b);
		}
		return;
	case HVE_REBOOT:
		w_power_on(w, e->node);
		return;
	case HVE_FENCE_DONE: {
		struct daemon *d = w->nodes[e->node].d;
		if (!d || d->pid != e->pid)
			return;
		w_trace(w, e->node, "fence: call %" PRIu64 " -> rc %d%s%s", e->call_id, e->rc,
			e->str[0] ? " by " : "", e->str);
		struct crmd_event ev = { .type = CRMD_EV_FENCE_DONE };
		ev.fence_done.call_id = e->call_id;
		ev.fence_done.rc = e->rc;
		ev.fence_done.device = e->str[0] ? e->str : NULL;
		ev.fence_done.message = e->rc ? "simulated fence failure" : "target is off";
		w_core_event(w, d, &ev);
		return;
	}
	}
}

void hv_on_event(struct sim_world *w, struct ev *e)
{
	struct hv_world *hv = w->hv;
	switch (e->hv_op) {
	case HVE_DONE:
		deliver_done(w, e);
		return;
	case HVE_LIFECYCLE: {
		struct daemon *d = w->nodes[e->node].d;
		if (!d || d->pid != e->pid || hv->hv_down[e->node])
			return;
		static char name[8];
		snprintf(name, sizeof(name), "vm%d", e->vm);
		struct crmd_event ev = { .type = CRMD_EV_HV_EVENT };
		ev.hv_event.kind = CRMD_HV_EV_DOMAIN;
		ev.hv_event.domain = name;
		ev.hv_event.state = e->str;
		ev.hv_event.detail = e->detail;
		w_core_event(w, d, &ev);
		return;
	}
	case HVE_CONN: {
		struct daemon *d = w->nodes[e->node].d;
		if (!d || d->pid != e->pid)
			return;
		struct crmd_event ev = { .type = CRMD_EV_HV_EVENT };
		ev.hv_event.kind = (enum crmd_hv_event_kind)e->rc;
		w_core_event(w, d, &ev);
		return;
	}
	case HVE_START:
	case HVE_STOP:
		start_stop_event(w, e);
		return;
	case HVE_MIG_PREPARE:
	case HVE_MIG_SWITCH:
	case HVE_MIG_FINISH:
	case HVE_MIG_ABORT:
		migration_event(w, e);
		return;
	default:
		fence_event(w, e);
		return;
	}
}

/* ---- commands ---- */

static void connection(struct sim_world *w, int node, bool up)
{
	struct hv_world *hv = w->hv;
	if (hv->hv_down[node] == !up)
		return;
	hv->hv_down[node] = !up;
	w_trace(w, node, "hv: connection %s", up ? "back up" : "lost");
	struct daemon *d = w->nodes[node].d;
	if (!d || !hv->n_vms)
		return;
	struct ev *e = hv_ev(w, HVE_CONN, node, 1);
	e->pid = d->pid;
	e->rc = up ? CRMD_HV_EV_UP : CRMD_HV_EV_DOWN;
	w_enqueue(w, e);
}

void hv_note_cmd(struct sim_world *w, const struct sim_cmd *c)
{
	struct hv_world *hv = w->hv;
	switch (c->kind) {
	case CMD_DAEMON_KILL:
		/* Only in a settled cluster: no ring forming (the consequences of
		 * an earlier cut are still to come) and no VM action for 3 s (an
		 * earlier decision may still be carried out). */
		if (w->reconfig_pending || w->now < hv->last_activity + 3000)
			return;
		for (int v = 1; v <= hv->n_vms; v++)
			if (hv->st[v][c->node] == VS_RUNNING && w->nodes[c->node].d)
				hv->watch[v] = c->node;
		return;
	case CMD_DAEMON_START:
	case CMD_EXPECT:
	case CMD_TOKEN:
		return;
	case CMD_CLIENT:
		if (c->op == COP_SHOW || c->op == COP_STATUS)
			return;
		break;
	default:
		break;
	}
	memset(hv->watch, 0, sizeof(hv->watch));
}

void hv_cmd(struct sim_world *w, const struct sim_cmd *c)
{
	struct hv_world *hv = w->hv;
	if (!c) {
		/* Faults stop: devices and hypervisors work again. */
		bool physical = false;
		for (int i = 1; i <= w->n; i++) {
			physical |= !w->nodes[i].powered || w->nodes[i].label != 1 || hv->hv_down[i] ||
				    hv->hv_mode[i] || hv->fence_mode[i];
			hv->fence_mode[i] = HV_OK;
			hv->hv_mode[i] = HV_OK;
			connection(w, i, true);
		}
		if (physical)
			memset(hv->watch, 0, sizeof(hv->watch));
		return;
	}
	switch (c->kind) {
	case CMD_VM_CRASH: {
		int v = (int)c->n;
		int at = hv_vm_node(w, v);
		if (!at)
			return;
		hv->st[v][at] = VS_NONE;
		lifecycle(w, at, v, "crashed", "failed");
		break;
	}
	case CMD_VM_STOP: {
		/* The guest shuts itself down: the cluster did not ask for it. */
		int v = (int)c->n;
		int at = hv_vm_node(w, v);
		if (!at)
			return;
		hv->st[v][at] = VS_NONE;
		lifecycle(w, at, v, "stopped", "shutdown");
		break;
	}
	case CMD_FENCE_MODE:
		hv->fence_mode[c->node] = c->mode;
		break;
	case CMD_HV_MODE:
		if (c->mode == HV_DOWN || c->mode == HV_UP)
			connection(w, c->node, c->mode == HV_UP);
		else
			hv->hv_mode[c->node] = c->mode;
		break;
	default:
		break;
	}
}

/* ---- checks ---- */

void hv_check(struct sim_world *w)
{
	struct hv_world *hv = w->hv;
	for (int v = 1; v <= hv->n_vms; v++) {
		uint32_t m = running_mask(hv, v);
		if (__builtin_popcount(m) <= 1)
			continue;
		char nodes[64] = "";
		for (int i = 1; i <= w->n; i++)
			if (m & (1u << i))
				snprintf(nodes + strlen(nodes), sizeof(nodes) - strlen(nodes), " %s",
					 w->nodes[i].name);
		w_violation(w, "vm%d runs on two nodes at once:%s", v, nodes);
		/* Report once: the later copies are "crashed" for the check. */
		for (int i = 1; i <= w->n; i++)
			if ((m & (1u << i)) && i != __builtin_ctz(m))
				hv->st[v][i] = VS_NONE;
	}
}

static bool doc_has(const char *xml, const char *a, const char *b)
{
	char pat[128];
	snprintf(pat, sizeof(pat), "%s%s", a, b);
	return strstr(xml, pat) != NULL;
}

/* Liveness, once faults stopped and the cluster converged: every VM the
 * configuration wants running runs exactly once, on a node it may run on.
 * What the configuration wants comes from the converged document: maintenance
 * mode (nothing managed), standby nodes, symmetric-cluster=false with the
 * `move` constraints, target-role.  A VM whose start failed on every node it
 * may run on stays down (start-failure-is-fatal; there is no cleanup yet);
 * one whose stop failed waits for fencing. */
int hv_converged(struct sim_world *w)
{
	struct hv_world *hv = w->hv;
	int bad = 0;
	if (!hv->n_vms)
		return 0;
	const char *xml = NULL;
	size_t len = 0;
	for (int i = 1; i <= w->n && !xml; i++)
		if (w->nodes[i].d)
			xml = crmd_core_config_xml(w->nodes[i].d->core, &len);
	struct crmd_doc_summary *sum = NULL;
	if (!xml || crmd_doc_summarize(xml, len, &sum))
		return 0; /* the cluster did not converge: reported already */
	bool symmetric = !doc_has(xml, "name=\"symmetric-cluster\" value=\"", "false\"");
	uint32_t usable = 0;
	for (int i = 1; i <= w->n; i++) {
		bool standby = false;
		for (size_t k = 0; k < sum->n_nodes; k++)
			if (sum->nodes[k].uname && !strcmp(sum->nodes[k].uname, w->nodes[i].name))
				standby = sum->nodes[k].standby || sum->nodes[k].maintenance;
		if (w->nodes[i].powered && w->nodes[i].d && !standby)
			usable |= 1u << i;
	}
	for (int v = 1; v <= hv->n_vms; v++) {
		char id[16];
		snprintf(id, sizeof(id), "vm%d", v);
		bool in_config = false, stopped = false;
		for (size_t k = 0; k < sum->n_resources; k++)
			if (!strcmp(sum->resources[k].id, id)) {
				in_config = true;
				stopped = sum->resources[k].target_role &&
					  !strcasecmp(sum->resources[k].target_role, "Stopped");
			}
		uint32_t m = running_mask(hv, v);
		int n = __builtin_popcount(m);
		if (!in_config || sum->maintenance_mode)
			continue; /* not managed: only "never twice" applies */
		uint32_t allowed = usable;
		if (!symmetric) {
			allowed = 0;
			char pat[64];
			snprintf(pat, sizeof(pat), "id=\"cli-prefer-%s\" ", id);
			const char *p = strstr(xml, pat);
			const char *nd = p ? strstr(p, "node=\"") : NULL;
			if (nd) {
				char name[16] = "";
				snprintf(name, sizeof(name), "%.*s", (int)strcspn(nd + 6, "\""), nd + 6);
				int x = node_index(w, name);
				if (x)
					allowed = usable & (1u << x);
			}
		}
		bool want = !stopped && allowed && (allowed & ~hv->start_failed[v]);
		bool excused = hv->stop_failed[v] != 0;
		if (want && n == 1 && !(m & allowed) && !excused) {
			w_violation(w, "liveness: vm%d runs on %s, where it may not run", v,
				    w->nodes[__builtin_ctz(m)].name);
			bad++;
		} else if (n != (want ? 1 : 0) && !(excused && n <= 1) &&
			   !(!want && n == 1 && !stopped && (allowed & m))) {
			w_violation(w, "liveness: vm%d runs on %d nodes after faults stopped, "
				    "expected %d", v, n, want ? 1 : 0);
			bad++;
		}
	}
	crmd_doc_summary_free(sum);
	return bad;
}
