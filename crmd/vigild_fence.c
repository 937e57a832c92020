/*
 * vigild_fence.c - see vigild_fence.h.
 *
 * One core attempt is one pass over the plan: fen_op with max_attempts 1 tries
 * the levels in order (all devices of a level, the first level that succeeds
 * fences the target) and the core decides about retries and back-off, so that
 * the simulator, which binds fence_submit to simulated devices, exercises the
 * same retry logic as the daemon.
 *
 * The plan is built from the configuration the core hands over with the
 * attempt, not from a copy kept here: it is the document the DC decided with.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <qb/qblog.h>

#include "cib_xml.h"
#include "fen_op.h"
#include "fen_plan.h"
#include "fen_run.h"
#include "vigild_fence.h"

struct call {
	struct call *next;
	struct vigild_fence *f;
	uint64_t call_id;
	struct fen_op *op;      /* NULL once done, or for a plan without levels */
	int rc;
	char *device;
	char *message;
};

struct vigild_fence {
	qb_loop_t *loop;
	struct fen_runner *runner;
	char *node;
	vigild_fence_deliver_fn deliver;
	void *ctx;
	struct call *calls;
	uint64_t rng;
};

static uint64_t rnd(void *data)
{
	/* xorshift64*: only for pcmk_delay_max's random part. */
	uint64_t *s = data;
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

int vigild_fence_new(qb_loop_t *loop, const char *const *agent_dirs, const char *node_name,
		     vigild_fence_deliver_fn deliver, void *ctx, struct vigild_fence **ret_f)
{
	if (!loop || !deliver)
		return -EINVAL;
	struct vigild_fence *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->loop = loop;
	f->deliver = deliver;
	f->ctx = ctx;
	f->node = strdup(node_name ? node_name : "?");
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	f->rng = ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)ts.tv_nsec ^ 0x9e3779b97f4a7c15ull;
	struct fen_runner_opts ro = { .agent_dirs = agent_dirs };
	int rc = f->node ? fen_runner_new(loop, &ro, &f->runner) : -ENOMEM;
	if (rc) {
		free(f->node);
		free(f);
		return rc;
	}
	*ret_f = f;
	return 0;
}

static void call_free(struct call *c)
{
	free(c->device);
	free(c->message);
	free(c);
}

static void unlink_call(struct vigild_fence *f, struct call *c)
{
	for (struct call **p = &f->calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			return;
		}
}

static void deliver_job(void *data);

void vigild_fence_free(struct vigild_fence *f)
{
	if (!f)
		return;
	while (f->calls) {
		struct call *c = f->calls;
		f->calls = c->next;
		if (c->op)
			fen_op_cancel(c->op);
		else    /* its result waits in a job */
			qb_loop_job_del(f->loop, QB_LOOP_HIGH, c, deliver_job);
		call_free(c);
	}
	fen_runner_free(f->runner);
	free(f->node);
	free(f);
}

/* Hands a result to the core and frees the call: from fen_op's callback, or
 * as a job when the result is known inside vigild_fence_submit() (no device),
 * which must not call back. */
static void deliver_job(void *data)
{
	struct call *c = data;
	struct vigild_fence *f = c->f;
	unlink_call(f, c);
	struct crmd_event ev = { .type = CRMD_EV_FENCE_DONE };
	ev.fence_done.call_id = c->call_id;
	ev.fence_done.rc = c->rc;
	ev.fence_done.device = c->device;
	ev.fence_done.message = c->message;
	f->deliver(f->ctx, &ev);
	call_free(c);
}

static void post(struct call *c)
{
	if (qb_loop_job_add(c->f->loop, QB_LOOP_HIGH, c, deliver_job)) {
		/* Cannot happen short of ENOMEM; deliver later is impossible,
		 * so say it now rather than never. */
		qb_log(LOG_CRIT, "fencing call %" PRIu64 ": cannot queue its result", c->call_id);
	}
}

static bool fence_action(const char *a)
{
	return strcmp(a, "list") && strcmp(a, "status") && strcmp(a, "monitor");
}

/* What the core records: which devices fenced it (or failed), and every
 * agent run that mattered, in order. */
static void summarize(struct call *c, const struct fen_record *rec)
{
	char dev[256] = "", msg[900] = "";
	size_t dl = 0, ml = 0;
	bool timed_out = false;
	for (size_t i = 0; i < rec->n_attempts; i++) {
		const struct fen_attempt *a = &rec->attempts[i];
		timed_out |= a->result == FEN_RESULT_TIMEOUT || a->result == FEN_RESULT_CANCELLED;
		if (rec->state == FEN_STATE_DONE && a->result == FEN_RESULT_OK &&
		    fence_action(a->action) && strcmp(a->action, "on") && dl < sizeof(dev) &&
		    !strstr(dev, a->device))
			dl += (size_t)snprintf(dev + dl, sizeof(dev) - dl, "%s%s", dl ? "," : "",
					       a->device);
		char lv[24] = "";
		if (a->level)
			snprintf(lv, sizeof(lv), " (level %d)", a->level);
		if (ml < sizeof(msg))
			ml += (size_t)snprintf(msg + ml, sizeof(msg) - ml, "%s%s%s %s %s%s%s",
					       ml ? "; " : "", a->device, lv, a->action,
					       fen_result_name(a->result), a->message ? ": " : "",
					       a->message ? a->message : "");
	}
	if (rec->state == FEN_STATE_DONE) {
		c->rc = 0;
	} else {
		if (!rec->n_attempts)
			c->rc = -ENODEV;
		else if (timed_out)
			c->rc = -ETIMEDOUT;
		else
			c->rc = -EIO;
		/* The attempts say why; the record's reason adds something only
		 * when no agent ran, or the deadline cut one short. */
		if (rec->reason && (!rec->n_attempts || timed_out) && ml < sizeof(msg))
			snprintf(msg + ml, sizeof(msg) - ml, "%s%s", ml ? " - " : "", rec->reason);
	}
	c->device = dev[0] ? strdup(dev) : NULL;
	c->message = strdup(msg);
}

/* fen_op's callback runs from the loop, not from inside fence_submit, so the
 * result goes to the core at once: a loop job cost 50-60 ms here on the lab
 * (it waited for the next poll).  Nothing the core does with it cancels this
 * op (the core cannot cancel an attempt), which is all fen_op forbids. */
static void op_done(const struct fen_record *rec, void *data)
{
	struct call *c = data;
	c->op = NULL;
	summarize(c, rec);
	qb_log(c->rc ? LOG_WARNING : LOG_NOTICE, "fencing %s (call %" PRIu64 "): %s: %s",
	       rec->target, c->call_id, fen_state_name(rec->state), c->message ? c->message : "");
	deliver_job(c);
}

static uint64_t plan_deadline_ms(const struct fen_plan *p, uint64_t delay_ms)
{
	uint64_t t = delay_ms + 2000;
	for (size_t l = 0; l < p->n_levels; l++)
		for (size_t d = 0; d < p->levels[l].n_devices; d++) {
			const struct fen_device *dv = &p->levels[l].devices[d];
			/* a check run, the action, an on for a remapped reboot */
			t += dv->timeout_ms * (dv->check == FEN_CHECK_STATIC_LIST ||
					       dv->check == FEN_CHECK_NONE ? 1 : 2);
			t += dv->on_action ? dv->timeout_ms : 0;
			t += dv->delay_max_ms > dv->delay_base_ms ? dv->delay_max_ms : dv->delay_base_ms;
		}
	return t;
}

int vigild_fence_submit(struct vigild_fence *f, const struct crmd_fence_action *a)
{
	if (!f || !a->target || !a->action || !a->config)
		return -EINVAL;
	struct call *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->f = f;
	c->call_id = a->call_id;
	struct vg_diags d = { 0 };
	struct vg_cib *cib = NULL;
	struct fen_plan *plan = NULL;
	int rc = vg_cib_read_memory(a->config, a->config_len, &cib, &d);
	if (rc)
		goto out_diags;
	struct fen_cluster_opts opts;
	fen_cluster_opts_read(cib, &opts, &d);
	if (a->timeout_ms)
		opts.timeout_ms = a->timeout_ms;
	rc = fen_plan_build(cib, a->target, a->action, &opts, &plan, &d);
	if (rc)
		goto out_cib;
	for (size_t i = 0; i < d.n; i++)
		qb_log(d.v[i].severity == VG_DIAG_ERROR ? LOG_WARNING : LOG_INFO,
		       "fencing %s: %s", a->target, d.v[i].message);
	if (!plan->n_levels) {
		char msg[300];
		snprintf(msg, sizeof(msg), "no fence device can fence %s%s%s", a->target,
			 d.n ? ": " : "", d.n ? d.v[0].message : "");
		c->rc = -ENODEV;
		c->message = strdup(msg);
		fen_plan_free(plan);
		c->next = f->calls;
		f->calls = c;
		post(c);
		rc = 0;
		goto out_cib;
	}
	char id[64];
	snprintf(id, sizeof(id), "call-%" PRIu64, a->call_id);
	struct fen_op_opts o = {
		.id = id,
		.origin = "vigild",
		.executor = f->node,
		.max_attempts = 1,
		.first_backoff_ms = 1000,
		.max_backoff_ms = 1000,
		.deadline_ms = plan_deadline_ms(plan, a->delay_ms),
		.priority_delay_ms = a->delay_ms,
		.random = rnd,
		.random_data = &f->rng,
	};
	qb_log(LOG_NOTICE, "fencing %s (call %" PRIu64 "): %s through %zu level%s, deadline %"
	       PRIu64 " ms", a->target, a->call_id, a->action, plan->n_levels,
	       plan->n_levels == 1 ? "" : "s", o.deadline_ms);
	rc = fen_op_start(f->runner, plan, &o, op_done, c, &c->op); /* takes the plan */
	if (rc)
		goto out_cib;
	c->next = f->calls;
	f->calls = c;
	vg_cib_free(cib);
	vg_diags_clear(&d);
	return 0;
out_cib:
	vg_cib_free(cib);
out_diags:
	if (rc)
		qb_log(LOG_ERR, "fencing %s (call %" PRIu64 "): cannot start: %s", a->target,
		       a->call_id, d.n ? d.v[0].message : strerror(-rc));
	vg_diags_clear(&d);
	if (rc)
		call_free(c);
	return rc;
}
