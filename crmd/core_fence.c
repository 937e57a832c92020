/*
 * core_fence.c - fencing: the DC fences the nodes its policy wants fenced,
 * retries with back-off, and every result goes through the group so that
 * every member keeps the same history and the same idea of which nodes are
 * known to be down.
 *
 * Who decides what:
 *  - The policy says whom to fence (its POL_OP_FENCE actions: a node that left
 *    the ring without a clean stop while it was expected up, or one that still
 *    seems to run something).  The DC keeps one operation per target with at
 *    most one attempt in flight; the environment carries an attempt out
 *    (env.fence_submit: devices, topology levels, agents) and answers with
 *    CRMD_EV_FENCE_DONE.
 *  - Every attempt's result is multicast as a VG_MSG_FENCE RECORD (the
 *    fen_record of the operation, attempts included).  A DONE record, applied
 *    in delivery order by every member, marks the target cleanly down: it is
 *    no longer expected up and what it ran counts as stopped, so the next
 *    policy run starts its VMs elsewhere.  Because that state comes from the
 *    ordered stream, a new DC sees exactly what the old one had achieved: a
 *    target whose DONE was not delivered is still unclean and is fenced again
 *    (fencing twice is harmless; starting a VM twice is not).
 *  - Failures: back-off from 1 s doubling to 30 s; after stonith-max-attempts
 *    the operation's record is FAILED (the node shows "fencing failed" and
 *    why) and a new operation follows at the capped rate, for as long as the
 *    policy wants the node fenced.  Nothing ever assumes the node is down.
 *  - stonith-enabled=false: no fencing; the DC multicasts DOWN for a node that
 *    left uncleanly, which marks it down like a fencing would.
 *  - `vigil node fence` (REQUEST, for the DC) and `vigil node confirm`
 *    (CONFIRM, a manual record from the admin's node) go through the group
 *    too.  Joiners get the DC's history after each sync round (HISTORY).
 *
 * Pure like the rest of the core: time, the wall clock of the records and the
 * fence devices all come through the environment.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>

#include "cib_xml.h"
#include "core_fence.h"
#include "core_int.h"
#include "core_rsc.h"
#include "fen_history.h"
#include "fen_plan.h"
#include "policy.h"

/* One target the DC is fencing. */
struct fence_op {
	char *target;
	char *reason;           /* the policy's why */
	char *action;           /* "reboot", "off" (stonith-action) or a request's */
	bool wanted;            /* the last policy run asks for it */
	bool manual;            /* `vigil node fence` asked for it */
	bool active;            /* false: only waiting for the result in flight */
	struct fen_record *rec; /* the running operation (PENDING); NULL between two */
	char *next_id;          /* id for the next operation (a request's), or NULL */
	char *next_origin;
	unsigned op_attempts;   /* attempts of this operation */
	unsigned failures;      /* consecutive failed attempts: the back-off */
	bool inflight;
	uint64_t call_id;
	uint64_t attempt_wall;  /* when the attempt in flight began */
	uint64_t next_ms;       /* monotonic time of the next attempt */
	uint32_t delay_ms;      /* priority-fencing-delay for the first attempt */
};

enum waiter_kind {
	W_FENCE,                /* answer when the REQUEST is delivered */
	W_FENCE_WAIT,           /* answer with the first final record after it */
	W_CONFIRM,              /* answer when the CONFIRM is delivered */
};

struct fence_waiter {
	uint64_t client_id;
	enum waiter_kind kind;
	char *id;               /* request or record id */
	char *target;
	bool delivered;
};

struct crmd_fence {
	struct fen_history hist;
	struct fence_op *ops;
	size_t n_ops;
	struct fence_waiter *w;
	size_t n_w;
	uint64_t call_seq;
	uint64_t id_seq;
	bool acting;            /* acting DC when last looked */
	bool timer_armed;
	bool no_submit_logged;
	/* Options of the configuration (cached by version and checksum). */
	bool opts_valid;
	struct vg_cfg_version opts_ver;
	uint32_t opts_crc;
	struct fen_cluster_opts opts;
	/* DOWN sent during this DC term (stonith disabled), by node name. */
	char **down;
	size_t n_down;
};

static struct crmd_fence *F(const struct crmd_core *c)
{
	return c->fence;
}

int fence_init(struct crmd_core *c)
{
	c->fence = calloc(1, sizeof(*c->fence));
	return c->fence ? 0 : -ENOMEM;
}

static void op_clear(struct fence_op *op)
{
	free(op->target);
	free(op->reason);
	free(op->action);
	free(op->next_id);
	free(op->next_origin);
	fen_record_free(op->rec);
}

static void waiter_clear(struct fence_waiter *w)
{
	free(w->id);
	free(w->target);
}

static void down_clear(struct crmd_fence *f)
{
	for (size_t i = 0; i < f->n_down; i++)
		free(f->down[i]);
	free(f->down);
	f->down = NULL;
	f->n_down = 0;
}

void fence_free(struct crmd_core *c)
{
	struct crmd_fence *f = F(c);
	if (!f)
		return;
	fen_history_clear(&f->hist);
	for (size_t i = 0; i < f->n_ops; i++)
		op_clear(&f->ops[i]);
	free(f->ops);
	for (size_t i = 0; i < f->n_w; i++)
		waiter_clear(&f->w[i]);
	free(f->w);
	down_clear(f);
	free(f);
	c->fence = NULL;
}

/* ---- small things ---- */

static uint64_t wall(struct crmd_core *c)
{
	return c->env.wall_ms ? c->env.wall_ms(c->env.ctx) : c->env.now_ms(c->env.ctx);
}

static bool acting(const struct crmd_core *c)
{
	return crmd_core_dc(c) && core_is_self(c, &c->dc) && c->synced && !c->round_active &&
	       c->have_config;
}

static uint32_t nodeid_of(const struct crmd_core *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_nodes; i++)
		if (c->nodes[i].name && !strcmp(c->nodes[i].name, name))
			return c->nodes[i].nodeid;
	return 0;
}

static struct node_info *info_of(struct crmd_core *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].nodeid == nodeid)
			return &c->nodes[i];
	return NULL;
}

static bool in_group(const struct crmd_core *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_members; i++)
		if (c->members[i].id.nodeid == nodeid && !c->members[i].bad)
			return true;
	return false;
}

static bool in_ring(const struct crmd_core *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_ring_nodes; i++)
		if (c->ring_nodes[i] == nodeid)
			return true;
	return false;
}

/* The options of the current configuration.  Parsing is cached: status calls
 * ask for them too. */
static const struct fen_cluster_opts *opts(struct crmd_core *c)
{
	struct crmd_fence *f = F(c);
	if (f->opts_valid && !vg_cfg_version_cmp(&f->opts_ver, &c->cfg_ver) &&
	    f->opts_crc == c->cfg_crc)
		return &f->opts;
	struct fen_cluster_opts o = { .enabled = true, .action = "reboot",
				      .timeout_ms = FEN_DEFAULT_TIMEOUT_MS,
				      .max_attempts = FEN_DEFAULT_MAX_ATTEMPTS };
	struct vg_diags d = { 0 };
	struct vg_cib *cib = NULL;
	if (c->cfg && !vg_cib_read_memory(c->cfg, c->cfg_len, &cib, &d))
		fen_cluster_opts_read(cib, &o, &d);
	vg_cib_free(cib);
	vg_diags_clear(&d);
	if (!o.max_attempts)
		o.max_attempts = 1;
	f->opts = o;
	f->opts_valid = true;
	f->opts_ver = c->cfg_ver;
	f->opts_crc = c->cfg_crc;
	return &f->opts;
}

static int send_fence(struct crmd_core *c, uint32_t kind, const char *target, const char *json)
{
	struct vg_msg_fence m = { .kind = kind, .target = (char *)(target ? target : ""),
				  .json = (char *)json, .json_len = strlen(json) };
	void *buf;
	size_t len;
	int rc = vg_msg_fence_encode(&m, c->local_nodeid, ++c->send_seq, &buf, &len);
	if (rc)
		return rc;
	return core_send(c, buf, len);
}

static int send_record(struct crmd_core *c, uint32_t kind, const struct fen_record *rec)
{
	char *json = NULL;
	int rc = fen_record_to_json(rec, &json);
	if (rc) {
		core_log(c, LOG_ERR, "fencing record %s cannot be written: %s", rec->id,
			 strerror(-rc));
		return rc;
	}
	rc = send_fence(c, kind, rec->target, json);
	free(json);
	return rc;
}

/* A record of the DC's operation goes to the group while this node is the
 * acting DC; a success goes whatever happened meanwhile (it is a fact, and
 * members accept it from anybody). */
static void publish(struct crmd_core *c, const struct fen_record *r)
{
	if (r->state == FEN_STATE_DONE || acting(c))
		send_record(c, VG_FENCE_RECORD, r);
}

static int set_str(char **dst, const char *v)
{
	char *n = v ? strdup(v) : NULL;
	if (v && !n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

/* ---- the DC's operations ---- */

static struct fence_op *op_find(struct crmd_core *c, const char *target)
{
	struct crmd_fence *f = F(c);
	for (size_t i = 0; i < f->n_ops; i++)
		if (f->ops[i].active && !strcmp(f->ops[i].target, target))
			return &f->ops[i];
	return NULL;
}

static struct fence_op *op_add(struct crmd_core *c, const char *target)
{
	struct crmd_fence *f = F(c);
	struct fence_op *v = realloc(f->ops, (f->n_ops + 1) * sizeof(*v));
	if (!v)
		return NULL;
	f->ops = v;
	struct fence_op *op = &v[f->n_ops];
	memset(op, 0, sizeof(*op));
	op->target = strdup(target);
	if (!op->target)
		return NULL;
	op->active = true;
	op->next_ms = c->env.now_ms(c->env.ctx);
	f->n_ops++;
	return op;
}

static void op_drop_at(struct crmd_fence *f, size_t i)
{
	op_clear(&f->ops[i]);
	memmove(&f->ops[i], &f->ops[i + 1], (f->n_ops - i - 1) * sizeof(*f->ops));
	f->n_ops--;
}

/* Ends a running operation's record without a result (no longer needed, the
 * node was confirmed down, another record fenced it). */
static void op_close_record(struct crmd_core *c, struct fence_op *op, const char *why)
{
	if (!op->rec)
		return;
	op->rec->state = FEN_STATE_FAILED;
	op->rec->finished_ms = wall(c);
	set_str(&op->rec->reason, why);
	publish(c, op->rec);
	fen_record_free(op->rec);
	op->rec = NULL;
}

/* The DC stops fencing @op's target: the record closes; an attempt in flight
 * keeps a passive entry so that its result is recognised (and ignored). */
static void op_retire(struct crmd_core *c, struct fence_op *op, const char *why)
{
	op_close_record(c, op, why);
	op->active = false;
	op->manual = false;
	op->wanted = false;
	struct crmd_fence *f = F(c);
	size_t i = (size_t)(op - f->ops);
	if (!op->inflight)
		op_drop_at(f, i);
}

static void timer_update(struct crmd_core *c);

static void op_begin(struct crmd_core *c, struct fence_op *op)
{
	const struct fen_cluster_opts *o = opts(c);
	char idbuf[128];
	const char *id = op->next_id;
	if (!id) {
		snprintf(idbuf, sizeof(idbuf), "%s-%" PRIu32 "-f%" PRIu64, c->local_name, c->local_pid,
			 ++F(c)->id_seq);
		id = idbuf;
	}
	char origin[256];
	if (op->next_origin)
		snprintf(origin, sizeof(origin), "%s", op->next_origin);
	else
		snprintf(origin, sizeof(origin), "vigild@%s (%s)", c->local_name,
			 op->reason ? op->reason : "node is unclean");
	struct fen_record *r = calloc(1, sizeof(*r));
	if (!r)
		return;
	r->id = strdup(id);
	r->target = strdup(op->target);
	r->action = strdup(op->action ? op->action : o->action);
	r->origin = strdup(origin);
	r->executor = strdup(c->local_name);
	r->state = FEN_STATE_PENDING;
	r->requested_ms = wall(c);
	if (!r->id || !r->target || !r->action || !r->origin || !r->executor) {
		fen_record_free(r);
		return;
	}
	free(op->next_id);
	free(op->next_origin);
	op->next_id = op->next_origin = NULL;
	op->rec = r;
	op->op_attempts = 0;
	core_log(c, LOG_NOTICE, "fencing %s: operation %s (%s, %s)", op->target, r->id, r->action,
		 r->origin);
	send_record(c, VG_FENCE_RECORD, r);
}

static uint64_t backoff_ms(unsigned failures)
{
	uint64_t b = FENCE_BACKOFF_FIRST_MS;
	for (unsigned i = 1; i < failures && b < FENCE_BACKOFF_MAX_MS; i++)
		b *= 2;
	return b < FENCE_BACKOFF_MAX_MS ? b : FENCE_BACKOFF_MAX_MS;
}

static enum fen_result result_of(int rc)
{
	switch (rc) {
	case 0: return FEN_RESULT_OK;
	case -ETIMEDOUT: return FEN_RESULT_TIMEOUT;
	case -ENODEV: return FEN_RESULT_NOT_CAPABLE;
	case -EIO: return FEN_RESULT_FAILED;
	default: return FEN_RESULT_ERROR;
	}
}

/* An attempt of @op ended with @rc (0: the target is off). */
static void op_result(struct crmd_core *c, struct fence_op *op, int rc, const char *device,
		      const char *message)
{
	const struct fen_cluster_opts *o = opts(c);
	struct fen_record *r = op->rec;
	op->inflight = false;
	uint64_t now_wall = wall(c);
	if (r) {
		struct fen_attempt *v = realloc(r->attempts, (r->n_attempts + 1) * sizeof(*v));
		if (v) {
			r->attempts = v;
			struct fen_attempt *a = &v[r->n_attempts++];
			memset(a, 0, sizeof(*a));
			a->attempt = op->op_attempts + 1;
			a->device = strdup(device && device[0] ? device : "-");
			a->action = strdup(r->action);
			a->result = result_of(rc);
			a->exit_code = rc ? -1 : 0;
			a->started_ms = op->attempt_wall;
			a->finished_ms = now_wall;
			a->message = message && message[0] ? strdup(message) : NULL;
		}
	}
	op->op_attempts++;
	if (!rc) {
		core_log(c, LOG_NOTICE, "fencing %s succeeded (%s) after %u attempt%s at %" PRIu64
			 " ms: %s", op->target, device ? device : "-", op->op_attempts,
			 op->op_attempts == 1 ? "" : "s", c->env.now_ms(c->env.ctx),
			 message ? message : "");
		if (r) {
			r->state = FEN_STATE_DONE;
			r->finished_ms = now_wall;
			free(r->reason);
			r->reason = NULL;
			publish(c, r);
			fen_record_free(r);
			op->rec = NULL;
		}
		/* The delivered DONE marks the node down; until then nothing
		 * else is tried on it. */
		op->failures = 0;
		op->manual = false;
		op->next_ms = UINT64_MAX;
		return;
	}
	op->failures++;
	uint64_t wait = backoff_ms(op->failures);
	op->next_ms = c->env.now_ms(c->env.ctx) + wait;
	char why[512];
	snprintf(why, sizeof(why), "%s%s%s", device && device[0] ? device : "",
		 device && device[0] ? ": " : "", message && message[0] ? message : strerror(-rc));
	core_log(c, LOG_WARNING, "fencing %s failed (attempt %u of %u, %u in a row): %s; next "
		 "attempt in %" PRIu64 " ms", op->target, op->op_attempts, o->max_attempts,
		 op->failures, why, wait);
	if (!r)
		return;
	set_str(&r->reason, why);
	if (op->op_attempts >= o->max_attempts) {
		r->state = FEN_STATE_FAILED;
		r->finished_ms = now_wall;
		core_log(c, LOG_ERR, "fencing %s FAILED %u times (stonith-max-attempts): its "
			 "resources stay down; retrying every %u ms", op->target, op->op_attempts,
			 (unsigned)FENCE_BACKOFF_MAX_MS);
		publish(c, r);
		fen_record_free(r);
		op->rec = NULL;
		if (!op->wanted) {      /* a manual fence: the admin asked once */
			op_retire(c, op, NULL);
			return;
		}
		op->manual = false;
		return;
	}
	publish(c, r);
}

static void op_attempt(struct crmd_core *c, struct fence_op *op)
{
	struct crmd_fence *f = F(c);
	const struct fen_cluster_opts *o = opts(c);
	if (!c->env.fence_submit) {
		if (!f->no_submit_logged)
			core_log(c, LOG_ERR, "%s must be fenced but this node cannot fence: it "
				 "stays unclean", op->target);
		f->no_submit_logged = true;
		op->next_ms = UINT64_MAX;
		return;
	}
	if (!op->rec)
		op_begin(c, op);
	if (!op->rec)
		return;
	struct crmd_fence_action a = {
		.call_id = ++f->call_seq,
		.target = op->target,
		.action = op->rec->action,
		.config = c->cfg,
		.config_len = c->cfg_len,
		.delay_ms = op->failures ? 0 : op->delay_ms,
		.timeout_ms = o->timeout_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)o->timeout_ms,
	};
	op->call_id = a.call_id;
	op->attempt_wall = wall(c);
	core_log(c, LOG_NOTICE, "fencing %s: attempt %u (call %" PRIu64 ", %s, delay %" PRIu32
		 " ms) at %" PRIu64 " ms", op->target, op->op_attempts + 1, a.call_id, a.action,
		 a.delay_ms, c->env.now_ms(c->env.ctx));
	int rc = c->env.fence_submit(c->env.ctx, &a);
	if (rc) {
		char msg[128];
		snprintf(msg, sizeof(msg), "cannot run the fencing: %s", strerror(-rc));
		op_result(c, op, rc, NULL, msg);
		return;
	}
	op->inflight = true;
}

/* Runs what is due and arms the timer for what is not.  An attempt may end
 * at once (it could not be submitted) and retire its operation, which moves
 * the others in the array: look again from the start after each one. */
static void schedule(struct crmd_core *c)
{
	struct crmd_fence *f = F(c);
	if (!acting(c))
		return;
	uint64_t now = c->env.now_ms(c->env.ctx);
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < f->n_ops; i++) {
			struct fence_op *op = &f->ops[i];
			if (!op->active || op->inflight || op->next_ms > now)
				continue;
			op_attempt(c, op);
			again = true;
			break;
		}
	}
	timer_update(c);
}

static void timer_update(struct crmd_core *c)
{
	struct crmd_fence *f = F(c);
	uint64_t next = UINT64_MAX;
	if (acting(c))
		for (size_t i = 0; i < f->n_ops; i++)
			if (f->ops[i].active && !f->ops[i].inflight && f->ops[i].next_ms < next)
				next = f->ops[i].next_ms;
	if (next == UINT64_MAX) {
		if (f->timer_armed)
			c->env.timer_cancel(c->env.ctx, CRMD_TIMER_FENCE);
		f->timer_armed = false;
		return;
	}
	uint64_t now = c->env.now_ms(c->env.ctx);
	c->env.timer_arm(c->env.ctx, CRMD_TIMER_FENCE, next > now ? next - now : 0);
	f->timer_armed = true;
}

void fence_on_timer(struct crmd_core *c)
{
	F(c)->timer_armed = false;
	schedule(c);
}

void fence_on_done(struct crmd_core *c, const struct crmd_event *ev)
{
	struct crmd_fence *f = F(c);
	for (size_t i = 0; i < f->n_ops; i++) {
		struct fence_op *op = &f->ops[i];
		if (!op->inflight || op->call_id != ev->fence_done.call_id)
			continue;
		if (!op->active) {
			/* Retired while it ran (the node was confirmed down, or
			 * no longer needs fencing). */
			core_log(c, LOG_INFO, "fencing result for %s (call %" PRIu64 ", rc %d) no "
				 "longer needed", op->target, op->call_id, ev->fence_done.rc);
			op_drop_at(f, i);
			return;
		}
		op_result(c, op, ev->fence_done.rc, ev->fence_done.device, ev->fence_done.message);
		schedule(c);
		return;
	}
	core_log(c, LOG_WARNING, "fencing result for call %" PRIu64 " that was not asked for: "
		 "ignored", ev->fence_done.call_id);
}

/* ---- what the policy wants ---- */

static bool down_sent(struct crmd_fence *f, const char *node)
{
	for (size_t i = 0; i < f->n_down; i++)
		if (!strcmp(f->down[i], node))
			return true;
	return false;
}

static void send_down(struct crmd_core *c, const char *node)
{
	struct crmd_fence *f = F(c);
	if (down_sent(f, node))
		return;
	char **v = realloc(f->down, (f->n_down + 1) * sizeof(*v));
	if (!v)
		return;
	f->down = v;
	if (!(v[f->n_down] = strdup(node)))
		return;
	f->n_down++;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "reason", json_object_new_string(
		"stonith-enabled=false: treated as down without fencing"));
	core_log(c, LOG_WARNING, "%s left uncleanly and fencing is disabled: treating it as down "
		 "(its VMs may still run there)", node);
	send_fence(c, VG_FENCE_DOWN, node, json_object_to_json_string(o));
	json_object_put(o);
}

static int rsc_priority(const struct vg_cib *cib, const char *id)
{
	for (size_t i = 0; i < cib->n_resources; i++) {
		const struct vg_resource *r = &cib->resources[i];
		if (r->id && !strcmp(r->id, id)) {
			const char *p = vg_nvsets_get(&r->meta, "priority");
			return p ? atoi(p) : 0;
		}
	}
	return 0;
}

/* priority-fencing-delay for @target (fen_priority_delay_ms()'s rule). */
static uint32_t priority_delay(struct crmd_core *c, const struct vg_cib *cib, const char *target,
			       const struct crmd_node_state *st, size_t n, uint64_t delay_ms)
{
	if (!delay_ms)
		return 0;
	struct crmd_rsc *r = c->rsc;
	struct fen_prio_node *nodes = calloc(n ? n : 1, sizeof(*nodes));
	struct fen_prio_rsc *rscs = calloc(r->n_entries ? r->n_entries : 1, sizeof(*rscs));
	uint64_t d = 0;
	if (nodes && rscs) {
		for (size_t i = 0; i < n; i++)
			nodes[i] = (struct fen_prio_node){ st[i].uname, true, st[i].in_ccm };
		size_t k = 0;
		for (size_t i = 0; i < r->n_entries; i++) {
			const struct rsc_entry *e = &r->entries[i];
			if (strcmp(e->state, "running") && strcmp(e->state, "paused"))
				continue;
			const char *node = core_node_name(c, e->nodeid);
			if (node)
				rscs[k++] = (struct fen_prio_rsc){ node, rsc_priority(cib, e->rsc) };
		}
		d = fen_priority_delay_ms(nodes, n, rscs, k, target, delay_ms);
	}
	free(nodes);
	free(rscs);
	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

void fence_from_transition(struct crmd_core *c, const struct vg_cib *cib,
			   const struct pol_transition *tr, const struct crmd_node_state *st,
			   size_t n)
{
	struct crmd_fence *f = F(c);
	const struct fen_cluster_opts *o = opts(c);
	if (!acting(c))
		return;
	for (size_t i = 0; i < f->n_ops; i++)
		f->ops[i].wanted = false;
	if (!o->enabled) {
		/* Without fencing, a node that left uncleanly is down for the
		 * policy already; say so to every member, so that status and
		 * the resource table agree. */
		for (size_t i = 0; i < n; i++)
			if (!st[i].in_ccm && !st[i].crmd && st[i].expected &&
			    !strcmp(st[i].expected, "member"))
				send_down(c, st[i].uname);
	} else {
		for (size_t i = 0; i < tr->n_actions; i++) {
			const struct pol_action *a = &tr->actions[i];
			if (a->op != POL_OP_FENCE || !a->node)
				continue;
			struct fence_op *op = op_find(c, a->node);
			if (!op) {
				op = op_add(c, a->node);
				if (!op)
					continue;
				core_log(c, LOG_NOTICE, "%s must be fenced (%s) at %" PRIu64 " ms",
					 a->node, a->reason ? a->reason : "unclean",
					 c->env.now_ms(c->env.ctx));
				op->delay_ms = priority_delay(c, cib, a->node, st, n,
							      o->priority_delay_ms);
			}
			op->wanted = true;
			set_str(&op->reason, a->reason);
		}
	}
	for (size_t i = 0; i < f->n_ops;) {
		struct fence_op *op = &f->ops[i];
		if (op->active && !op->wanted && !op->manual && op->next_ms != UINT64_MAX) {
			size_t before = f->n_ops;
			op_retire(c, op, "cancelled: the node no longer needs fencing");
			if (f->n_ops < before)
				continue;
		}
		i++;
	}
	schedule(c);
}

/* ---- every member: what the group says ---- */

/* @name was fenced, confirmed down, or (fencing disabled) is treated as down:
 * it is no longer expected up and what it ran counts as stopped. */
static void node_down(struct crmd_core *c, const char *name, const char *done_id, const char *why)
{
	uint32_t nid = nodeid_of(c, name);
	if (!nid)
		return;
	struct crmd_fence *f = F(c);
	/* The DC's operation on it ends here. */
	for (size_t i = 0; i < f->n_ops; i++) {
		struct fence_op *op = &f->ops[i];
		if (!op->active || strcmp(op->target, name))
			continue;
		if (op->rec && done_id && !strcmp(op->rec->id, done_id)) {
			fen_record_free(op->rec);
			op->rec = NULL;
		}
		op_retire(c, op, why);
		break;
	}
	rsc_forget_node_failures(c, nid);
	if (in_group(c, nid)) {
		/* Back already (a reboot is quick): its own reports count. */
		core_log(c, LOG_INFO, "%s is down (%s) but already back in the group", name, why);
		return;
	}
	struct node_info *ni = info_of(c, nid);
	if (ni)
		ni->expected_up = false;
	struct crmd_rsc *r = c->rsc;
	int64_t now_s = (int64_t)(c->env.now_ms(c->env.ctx) / 1000u);
	for (size_t i = 0; r && i < r->n_entries; i++) {
		struct rsc_entry *e = &r->entries[i];
		if (e->nodeid != nid || !strcmp(e->state, "absent"))
			continue;
		set_str(&e->state, "absent");
		set_str(&e->op, "fenced");
		e->rc = 0;
		e->call = ++r->call_seq;
		e->changed = now_s;
	}
	for (size_t i = 0; r && i < r->n_flights;) {
		if (r->flights[i].nodeid == nid) {
			free(r->flights[i].rsc);
			free(r->flights[i].op);
			r->flights[i] = r->flights[--r->n_flights];
			continue;
		}
		i++;
	}
	core_log(c, LOG_NOTICE, "%s is down (%s) at %" PRIu64 " ms: its resources count as stopped",
		 name, why, c->env.now_ms(c->env.ctx));
	core_status_changed(c);
	tr_kick(c);
}

static bool is_dc(const struct crmd_core *c, const struct member *m)
{
	return c->dc.nodeid == m->id.nodeid && c->dc.pid == m->id.pid;
}

static void waiter_drop_at(struct crmd_fence *f, size_t i)
{
	waiter_clear(&f->w[i]);
	f->w[i] = f->w[--f->n_w];
}

static json_object *record_json(const struct fen_record *r)
{
	char *s = NULL;
	if (fen_record_to_json(r, &s))
		return NULL;
	json_object *o = json_tokener_parse(s);
	free(s);
	return o;
}

static void reply_record(struct crmd_core *c, uint64_t client_id, const struct fen_record *r)
{
	if (r->state == FEN_STATE_DONE) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "version", json_object_new_int(1));
		json_object_object_add(o, "rc", json_object_new_int(0));
		char msg[300];
		snprintf(msg, sizeof(msg), "%s fenced (%s)", r->target, r->id);
		json_object_object_add(o, "message", json_object_new_string(msg));
		json_object *rj = record_json(r);
		if (rj)
			json_object_object_add(o, "record", rj);
		c->env.reply(c->env.ctx, client_id,
			     json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		client_reply_error(c, client_id, -EIO, "failed", NULL, "fencing %s failed: %s",
				   r->target, r->reason ? r->reason : "unknown reason");
	}
}

/* A record was applied: waiters for it (or for the next final one of its
 * target) get their answer. */
static void waiters_on_record(struct crmd_core *c, const struct fen_record *r)
{
	struct crmd_fence *f = F(c);
	if (r->state == FEN_STATE_PENDING)
		return;
	for (size_t i = 0; i < f->n_w;) {
		struct fence_waiter *w = &f->w[i];
		bool mine = (w->kind == W_FENCE_WAIT && w->delivered && !strcmp(w->target, r->target)) ||
			    (w->kind == W_CONFIRM && !strcmp(w->id, r->id));
		if (mine) {
			reply_record(c, w->client_id, r);
			waiter_drop_at(f, i);
			continue;
		}
		i++;
	}
}

static int on_record(struct crmd_core *c, struct member *from, const struct vg_msg_fence *m,
		     bool confirm)
{
	struct fen_record *r = NULL;
	if (fen_record_from_json(m->json, &r) || strcmp(r->target, m->target)) {
		fen_record_free(r);
		return -EBADMSG;
	}
	if (confirm && (r->state != FEN_STATE_DONE || !r->n_attempts ||
			strcmp(r->attempts[0].device, FEN_DEVICE_MANUAL))) {
		fen_record_free(r);
		return -EBADMSG;
	}
	char b[32];
	snprintf(b, sizeof(b), "%" PRIu32, from->id.nodeid);
	if (!nodeid_of(c, r->target)) {
		c->dropped++;
		core_log(c, LOG_WARNING, "dropped a fencing record from node %s about '%s', which "
			 "is not a cluster node", b, r->target);
		fen_record_free(r);
		return 0;
	}
	/* The DC's records are the history; a success is a fact whoever ran it
	 * (a DC that lost its role while its agent ran); a confirmation is the
	 * admin's, from any node. */
	if (!confirm && !is_dc(c, from) && r->state != FEN_STATE_DONE) {
		c->dropped++;
		core_log(c, LOG_WARNING, "dropped a fencing record (%s, %s) from node %s, which is "
			 "not the DC", r->id, fen_state_name(r->state), b);
		fen_record_free(r);
		return 0;
	}
	struct fen_record *copy = NULL;
	if (fen_record_dup(r, &copy)) {
		fen_record_free(r);
		return 0;
	}
	fen_history_put(&F(c)->hist, r);
	if (copy->state == FEN_STATE_DONE) {
		char why[300];
		snprintf(why, sizeof(why), "%s by %s", confirm ? "confirmed down" : "fenced",
			 confirm ? (copy->origin ? copy->origin : "an administrator") :
			 (copy->executor ? copy->executor : "?"));
		node_down(c, copy->target, copy->id, why);
	}
	waiters_on_record(c, copy);
	core_status_changed(c);
	fen_record_free(copy);
	return 0;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool action_ok(const char *a)
{
	return a && (!strcmp(a, "reboot") || !strcmp(a, "off") || !strcmp(a, "on"));
}

static int on_request(struct crmd_core *c, struct member *from, const struct vg_msg_fence *m)
{
	json_object *o = json_tokener_parse(m->json);
	const char *id = jstr(o, "id"), *origin = jstr(o, "origin"), *action = jstr(o, "action");
	if (!o || !json_object_is_type(o, json_type_object) || !id || !id[0] || strlen(id) > 120 ||
	    (action && !action_ok(action))) {
		json_object_put(o);
		return -EBADMSG;
	}
	struct crmd_fence *f = F(c);
	bool ok = nodeid_of(c, m->target) && crmd_core_dc(c);
	/* The requester answers its client. */
	for (size_t i = 0; i < f->n_w;) {
		struct fence_waiter *w = &f->w[i];
		if ((w->kind != W_FENCE && w->kind != W_FENCE_WAIT) || strcmp(w->id, id)) {
			i++;
			continue;
		}
		if (!ok) {
			client_reply_error(c, w->client_id, -EAGAIN, "no-quorum", NULL,
					   "no DC may fence now (no quorum)");
			waiter_drop_at(f, i);
			continue;
		}
		if (w->kind == W_FENCE) {
			json_object *rep = json_object_new_object();
			json_object_object_add(rep, "version", json_object_new_int(1));
			json_object_object_add(rep, "rc", json_object_new_int(0));
			json_object_object_add(rep, "id", json_object_new_string(id));
			json_object_object_add(rep, "message", json_object_new_string(
				"fencing requested from the DC"));
			c->env.reply(c->env.ctx, w->client_id,
				     json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
			json_object_put(rep);
			waiter_drop_at(f, i);
			continue;
		}
		w->delivered = true;
		i++;
	}
	if (ok && acting(c)) {
		struct fence_op *op = op_find(c, m->target);
		if (!op)
			op = op_add(c, m->target);
		if (op) {
			op->manual = true;
			if (!op->rec) {
				set_str(&op->next_id, id);
				set_str(&op->next_origin, origin ? origin : "vigil node fence");
				if (action)
					set_str(&op->action, action);
				op->next_ms = c->env.now_ms(c->env.ctx);
			}
			core_log(c, LOG_NOTICE, "fencing %s requested by node %" PRIu32 " (%s)",
				 m->target, from->id.nodeid, origin ? origin : "");
			schedule(c);
		}
	}
	json_object_put(o);
	return 0;
}

int fence_on_message(struct crmd_core *c, struct member *from, const struct vg_msg_fence *m)
{
	switch (m->kind) {
	case VG_FENCE_RECORD:
		return on_record(c, from, m, false);
	case VG_FENCE_CONFIRM:
		return on_record(c, from, m, true);
	case VG_FENCE_REQUEST:
		return on_request(c, from, m);
	case VG_FENCE_DOWN: {
		json_object *o = json_tokener_parse(m->json);
		const char *why = jstr(o, "reason");
		if (!why) {
			json_object_put(o);
			return -EBADMSG;
		}
		if (is_dc(c, from) && nodeid_of(c, m->target))
			node_down(c, m->target, NULL, why);
		else
			c->dropped++;
		json_object_put(o);
		return 0;
	}
	case VG_FENCE_HISTORY: {
		struct fen_history tmp = { .max_records = FEN_HISTORY_MAX_DEFAULT };
		if (fen_history_from_json(&tmp, m->json)) {
			fen_history_clear(&tmp);
			return -EBADMSG;
		}
		if (is_dc(c, from))
			fen_history_merge(&F(c)->hist, &tmp);
		fen_history_clear(&tmp);
		return 0;
	}
	}
	return -EBADMSG;
}

/* ---- the DC role ---- */

static bool own_op_record(const struct crmd_fence *f, const char *id)
{
	for (size_t i = 0; i < f->n_ops; i++)
		if (f->ops[i].rec && !strcmp(f->ops[i].rec->id, id))
			return true;
	return false;
}

void fence_after_event(struct crmd_core *c)
{
	struct crmd_fence *f = F(c);
	if (!f)
		return;
	bool now = acting(c);
	if (now == f->acting)
		return;
	f->acting = now;
	down_clear(f);
	if (!now) {
		/* Not acting (a sync round, lost quorum, another DC): nothing
		 * new starts; what is in flight finishes and a success is still
		 * reported.  Coming back as DC resumes. */
		if (f->n_ops)
			core_log(c, LOG_NOTICE, "not the acting DC now: fencing paused");
		timer_update(c);
		return;
	}
	/* Operations a previous DC left pending never end by themselves: close
	 * them.  Whether their targets still need fencing is the policy's to say
	 * (they do unless a DONE was delivered).  An operation of ours that
	 * somebody closed meanwhile starts afresh. */
	for (size_t i = 0; i < f->n_ops; i++) {
		struct fence_op *op = &f->ops[i];
		const struct fen_record *h = op->rec ? fen_history_get(&f->hist, op->rec->id) : NULL;
		if (h && h->state != FEN_STATE_PENDING) {
			fen_record_free(op->rec);
			op->rec = NULL;
		}
	}
	for (size_t i = 0; i < f->hist.n; i++) {
		const struct fen_record *r = f->hist.v[i];
		if (r->state != FEN_STATE_PENDING || own_op_record(f, r->id))
			continue;
		struct fen_record *cp = NULL;
		if (fen_record_dup(r, &cp))
			continue;
		cp->state = FEN_STATE_FAILED;
		cp->finished_ms = wall(c);
		set_str(&cp->reason, "abandoned: the DC running it changed");
		core_log(c, LOG_NOTICE, "closing fencing operation %s of %s left pending by %s",
			 cp->id, cp->target, cp->executor ? cp->executor : "?");
		send_record(c, VG_FENCE_RECORD, cp);
		fen_record_free(cp);
	}
	tr_kick(c);
	schedule(c);
}

void fence_round_closed(struct crmd_core *c)
{
	struct crmd_fence *f = F(c);
	if (!core_is_self(c, &c->dc) || !f->hist.n)
		return;
	char *json = NULL;
	if (fen_history_to_json(&f->hist, &json))
		return;
	send_fence(c, VG_FENCE_HISTORY, "", json);
	free(json);
}

/* ---- views ---- */

/* Failed attempts since the target was last fenced, whether an operation is
 * pending, and the last failure's text. */
static void target_summary(const struct fen_history *h, const char *target, unsigned *ret_failed,
			   bool *ret_pending, const char **ret_reason,
			   const struct fen_record **ret_last)
{
	unsigned failed = 0;
	bool pending = false;
	const char *reason = NULL;
	const struct fen_record *last = NULL;
	for (size_t i = 0; i < h->n; i++) {
		const struct fen_record *r = h->v[i];
		if (strcmp(r->target, target))
			continue;
		last = r;
		if (r->state == FEN_STATE_DONE) {
			failed = 0;
			pending = false;
			reason = NULL;
			continue;
		}
		pending = r->state == FEN_STATE_PENDING;
		for (size_t k = 0; k < r->n_attempts; k++)
			if (r->attempts[k].result != FEN_RESULT_OK)
				failed++;
		if (r->n_attempts && r->reason)
			reason = r->reason;
	}
	*ret_failed = failed;
	*ret_pending = pending;
	*ret_reason = reason;
	*ret_last = last;
}

static bool node_unclean(struct crmd_core *c, uint32_t nid)
{
	const struct node_info *ni = info_of(c, nid);
	return ni && ni->expected_up && !in_ring(c, nid) && !in_group(c, nid);
}

const char *crmd_core_node_fencing(const struct crmd_core *cc, const char *node,
				   const char **ret_reason)
{
	/* Reading the options may parse the configuration once (a cache). */
	struct crmd_core *c = (struct crmd_core *)cc;
	if (ret_reason)
		*ret_reason = NULL;
	uint32_t nid = nodeid_of(c, node);
	if (!nid || !node_unclean(c, nid))
		return NULL;
	unsigned failed;
	bool pending;
	const char *reason;
	const struct fen_record *last;
	target_summary(&F(c)->hist, node, &failed, &pending, &reason, &last);
	if (ret_reason)
		*ret_reason = reason;
	if (failed >= opts(c)->max_attempts)
		return "fencing failed";
	if (pending)
		return "fencing";
	return "unclean";
}

const struct fen_history *crmd_core_fence_history(const struct crmd_core *c)
{
	return &F(c)->hist;
}

void fence_status_annotate(struct crmd_core *c, json_object *status)
{
	const struct fen_cluster_opts *o = opts(c);
	json_object *warnings = json_object_new_array();
	json_object_object_add(status, "stonith_enabled", json_object_new_boolean(o->enabled));
	if (!o->enabled)
		json_object_array_add(warnings, json_object_new_string(
			"fencing is disabled (stonith-enabled=false): the VMs of a node that is lost "
			"are started elsewhere without making sure it is off, and may run twice"));
	json_object *nodes;
	if (json_object_object_get_ex(status, "nodes", &nodes) &&
	    json_object_is_type(nodes, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(nodes); i++) {
			json_object *n = json_object_array_get_idx(nodes, i);
			const char *name = jstr(n, "name"), *state = jstr(n, "state");
			if (!name)
				continue;
			unsigned failed;
			bool pending;
			const char *reason;
			const struct fen_record *last;
			target_summary(&F(c)->hist, name, &failed, &pending, &reason, &last);
			if (state && !strcmp(state, "unclean")) {
				const char *fs = crmd_core_node_fencing(c, name, NULL);
				if (fs && strcmp(fs, "unclean"))
					json_object_object_add(n, "state", json_object_new_string(fs));
				if (reason)
					json_object_object_add(n, "fencing_reason",
							       json_object_new_string(reason));
				json_object_object_add(n, "fencing_failures",
						       json_object_new_int((int)failed));
				char w[600];
				if (fs && !strcmp(fs, "fencing failed"))
					snprintf(w, sizeof(w), "fencing %s failed %u times (%s): its "
						 "VMs stay down; retrying", name, failed,
						 reason ? reason : "?");
				else if (!o->enabled || !fs || !strcmp(fs, "unclean"))
					snprintf(w, sizeof(w), "%s is unclean and nothing fences it: "
						 "its VMs stay down until it is fenced or an "
						 "administrator runs 'vigil node confirm %s'", name, name);
				else
					w[0] = '\0';
				if (w[0])
					json_object_array_add(warnings, json_object_new_string(w));
			}
			if (last) {
				json_object *l = json_object_new_object();
				json_object_object_add(l, "id", json_object_new_string(last->id));
				json_object_object_add(l, "action", json_object_new_string(last->action));
				json_object_object_add(l, "state", json_object_new_string(
					fen_state_name(last->state)));
				const char *dev = last->n_attempts ?
					last->attempts[last->n_attempts - 1].device : NULL;
				if (dev)
					json_object_object_add(l, "device", json_object_new_string(dev));
				if (last->executor)
					json_object_object_add(l, "executor",
							       json_object_new_string(last->executor));
				if (last->origin)
					json_object_object_add(l, "origin",
							       json_object_new_string(last->origin));
				json_object_object_add(l, "requested_ms",
						       json_object_new_int64((int64_t)last->requested_ms));
				json_object_object_add(l, "finished_ms",
						       json_object_new_int64((int64_t)last->finished_ms));
				if (last->reason)
					json_object_object_add(l, "reason",
							       json_object_new_string(last->reason));
				json_object_object_add(n, "last_fencing", l);
			}
		}
	}
	json_object_object_add(status, "warnings", warnings);
}

/* ---- clients ---- */

static int add_waiter(struct crmd_core *c, uint64_t client_id, enum waiter_kind kind,
		      const char *id, const char *target)
{
	struct crmd_fence *f = F(c);
	struct fence_waiter *v = realloc(f->w, (f->n_w + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	f->w = v;
	struct fence_waiter *w = &v[f->n_w];
	memset(w, 0, sizeof(*w));
	w->client_id = client_id;
	w->kind = kind;
	w->id = strdup(id);
	w->target = strdup(target);
	if (!w->id || !w->target) {
		waiter_clear(w);
		return -ENOMEM;
	}
	f->n_w++;
	return 0;
}

void fence_client_gone(struct crmd_core *c, uint64_t client_id)
{
	struct crmd_fence *f = F(c);
	for (size_t i = 0; f && i < f->n_w;) {
		if (f->w[i].client_id == client_id) {
			waiter_drop_at(f, i);
			continue;
		}
		i++;
	}
}

static bool get_bool(json_object *req, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(req, k, &v) && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

static void client_fence(struct crmd_core *c, uint64_t client_id, json_object *req)
{
	const char *node = jstr(req, "node"), *origin = jstr(req, "origin");
	const char *action = jstr(req, "action");
	if (!node || !nodeid_of(c, node)) {
		client_reply_error(c, client_id, -ENOENT, "bad-request", NULL,
				   "'%s' is not a node of this cluster", node ? node : "");
		return;
	}
	if (action && !action_ok(action)) {
		client_reply_error(c, client_id, -EINVAL, "bad-request", NULL,
				   "the action is reboot, off or on");
		return;
	}
	if (!crmd_core_dc(c)) {
		client_reply_error(c, client_id, -EAGAIN, "no-quorum", NULL,
				   "no DC may fence now (no quorum)");
		return;
	}
	char id[160];
	snprintf(id, sizeof(id), "%s-%" PRIu32 "-m%" PRIu64, c->local_name, c->local_pid,
		 ++F(c)->id_seq);
	char org[300];
	snprintf(org, sizeof(org), "vigil node fence on %s%s%s", c->local_name,
		 origin ? " by " : "", origin ? origin : "");
	if (add_waiter(c, client_id, get_bool(req, "wait") ? W_FENCE_WAIT : W_FENCE, id, node)) {
		client_reply_error(c, client_id, -ENOMEM, "failed", NULL, "out of memory");
		return;
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "origin", json_object_new_string(org));
	if (action)
		json_object_object_add(o, "action", json_object_new_string(action));
	int rc = send_fence(c, VG_FENCE_REQUEST, node, json_object_to_json_string(o));
	json_object_put(o);
	if (rc) {
		fence_client_gone(c, client_id);
		client_reply_error(c, client_id, rc, "failed", NULL, "cannot send the request: %s",
				   strerror(-rc));
	}
}

static void client_confirm(struct crmd_core *c, uint64_t client_id, json_object *req)
{
	const char *node = jstr(req, "node"), *origin = jstr(req, "origin");
	uint32_t nid = nodeid_of(c, node);
	if (!node || !nid) {
		client_reply_error(c, client_id, -ENOENT, "bad-request", NULL,
				   "'%s' is not a node of this cluster", node ? node : "");
		return;
	}
	if (in_ring(c, nid) || in_group(c, nid)) {
		client_reply_error(c, client_id, -EBUSY, "failed", NULL,
				   "%s is in the membership: it is not off, refusing to confirm it",
				   node);
		return;
	}
	if (!crmd_core_dc(c)) {
		client_reply_error(c, client_id, -EAGAIN, "no-quorum", NULL,
				   "no DC may act now (no quorum): confirm where the quorum is");
		return;
	}
	char id[160], org[300];
	snprintf(id, sizeof(id), "%s-%" PRIu32 "-c%" PRIu64, c->local_name, c->local_pid,
		 ++F(c)->id_seq);
	snprintf(org, sizeof(org), "vigil node confirm on %s%s%s", c->local_name,
		 origin ? " by " : "", origin ? origin : "");
	struct fen_record *r = NULL;
	int rc = fen_record_manual(id, node, org, wall(c), &r);
	if (!rc)
		rc = add_waiter(c, client_id, W_CONFIRM, id, node);
	if (!rc)
		rc = send_record(c, VG_FENCE_CONFIRM, r);
	fen_record_free(r);
	if (rc) {
		fence_client_gone(c, client_id);
		client_reply_error(c, client_id, rc, "failed", NULL, "cannot confirm: %s",
				   strerror(-rc));
	}
}

static void client_history(struct crmd_core *c, uint64_t client_id, json_object *req)
{
	const char *node = jstr(req, "node");
	json_object *arr = json_object_new_array();
	const struct fen_history *h = &F(c)->hist;
	for (size_t i = 0; i < h->n; i++) {
		if (node && strcmp(h->v[i]->target, node))
			continue;
		json_object *r = record_json(h->v[i]);
		if (r)
			json_object_array_add(arr, r);
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "rc", json_object_new_int(0));
	json_object_object_add(o, "history", arr);
	c->env.reply(c->env.ctx, client_id, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

bool fence_client_request(struct crmd_core *c, uint64_t client_id, const char *op,
			  json_object *req)
{
	if (!strcmp(op, "fence"))
		client_fence(c, client_id, req);
	else if (!strcmp(op, "fence-confirm"))
		client_confirm(c, client_id, req);
	else if (!strcmp(op, "fence-history"))
		client_history(c, client_id, req);
	else
		return false;
	return true;
}
