/* fen_op.c - see fen_op.h.
 *
 * The operation is a small state machine driven by three kinds of events: an
 * agent run ended, the wait timer fired (kick-off, device delay, back-off) and
 * the deadline timer fired.  At most one agent run and one wait are pending at
 * any time, so cancelling is: cancel the run, delete both timers.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fen_int.h"
#include "fen_op.h"

enum phase {
	PH_KICKOFF,     /* waiting for the first loop turn */
	PH_CHECK_LIST,  /* `list` running for a dynamic-list device */
	PH_CHECK_STATUS,/* `status` running */
	PH_DELAY,       /* pcmk_delay_* / priority-fencing-delay before the fence action */
	PH_FENCE,       /* the fence action running */
	PH_ON,          /* remapped reboot: the target is off, the on actions run */
	PH_BACKOFF,     /* between two passes */
	PH_NO_DEVICE,   /* empty plan: failing on the first loop turn */
};

struct fen_op {
	struct fen_runner *runner;
	qb_loop_t *loop;
	struct fen_plan *plan;
	struct fen_record *rec;
	unsigned max_attempts;
	uint64_t first_backoff_ms, max_backoff_ms, deadline_ms, priority_delay_ms;
	uint64_t (*random)(void *);
	void *random_data;
	uint64_t (*now_ms)(void *);
	void *now_data;
	fen_op_done_fn done;
	void *data;

	unsigned attempt;       /* current pass, 1-based */
	size_t level, dev;      /* current position in the plan */
	enum phase phase;
	bool priority_delay_used;
	bool fenced;            /* every off of a remapped reboot succeeded */
	struct fen_run *run;
	uint64_t run_started_ms;
	const char *run_action;
	qb_loop_timer_handle t_wait, t_deadline;
	bool wait_armed, deadline_armed;
	uint64_t deadline_at;   /* monotonic ms; 0: none */
	char last_failure[320]; /* for the record's reason */
};

static void step(struct fen_op *op);

static uint64_t op_now(const struct fen_op *op)
{
	return op->now_ms ? op->now_ms(op->now_data) : fen_wall_ms();
}

const struct fen_record *fen_op_record(const struct fen_op *op)
{
	return op->rec;
}

static void op_free(struct fen_op *op)
{
	if (op->run)
		fen_run_cancel(op->run);
	if (op->wait_armed)
		qb_loop_timer_del(op->loop, op->t_wait);
	if (op->deadline_armed)
		qb_loop_timer_del(op->loop, op->t_deadline);
	fen_record_free(op->rec);
	fen_plan_free(op->plan);
	free(op);
}

void fen_op_cancel(struct fen_op *op)
{
	if (op)
		op_free(op);
}

static void finish(struct fen_op *op, enum fen_state state, const char *reason)
{
	if (op->wait_armed)
		qb_loop_timer_del(op->loop, op->t_wait);
	if (op->deadline_armed)
		qb_loop_timer_del(op->loop, op->t_deadline);
	op->wait_armed = op->deadline_armed = false;
	op->rec->state = state;
	op->rec->finished_ms = op_now(op);
	free(op->rec->reason);
	op->rec->reason = reason ? strdup(reason) : NULL;   /* best effort under ENOMEM */
	if (op->done)
		op->done(op->rec, op->data);
	op_free(op);
}

static const struct fen_device *cur_device(const struct fen_op *op)
{
	return &op->plan->levels[op->level].devices[op->dev];
}

/* The last non-empty line of what the agent said, bounded: enough to show
 * people why, small enough to replicate. */
static char *message_of(const struct fen_run_result *res)
{
	const char *text = res->err_len ? res->err : res->out;
	size_t len = res->err_len ? res->err_len : res->out_len;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	if (!len)
		return NULL;
	size_t start = len;
	while (start && text[start - 1] != '\n')
		start--;
	size_t n = len - start;
	if (n > 256)
		n = 256;
	return strndup(text + start, n);
}

/* Appends an attempt to the record.  Out of memory loses the entry, not the
 * operation: fencing matters more than its history. */
static void record_attempt(struct fen_op *op, const char *action, enum fen_result result,
			   int exit_code, int signal, char *message /* taken */)
{
	const struct fen_device *d = cur_device(op);
	struct fen_record *rec = op->rec;
	struct fen_attempt *grown = realloc(rec->attempts, (rec->n_attempts + 1) * sizeof(*grown));
	snprintf(op->last_failure, sizeof(op->last_failure), "%s %s: %s%s%s", d->id, action,
		 fen_result_name(result), message ? ": " : "", message ? message : "");
	if (!grown) {
		free(message);
		return;
	}
	rec->attempts = grown;
	rec->attempts[rec->n_attempts++] = (struct fen_attempt){
		.attempt = op->attempt,
		.level = op->plan->levels[op->level].index,
		.device = strdup(d->id),
		.action = strdup(action),
		.result = result,
		.exit_code = exit_code,
		.signal = signal,
		.started_ms = op->run_started_ms,
		.finished_ms = op_now(op),
		.message = message,
	};
}

static void level_failed(struct fen_op *op)
{
	op->level++;
	op->dev = 0;
	step(op);
}

static void on_run_done(const struct fen_run_result *res, void *data);
static void on_phase_next(struct fen_op *op);

static void start_run(struct fen_op *op, const char *action, enum phase phase)
{
	const struct fen_device *d = cur_device(op);
	uint64_t timeout = d->timeout_ms;
	if (op->deadline_at) {
		uint64_t now = fen_mono_ms();
		uint64_t left = op->deadline_at > now ? op->deadline_at - now : 1;
		if (left < timeout)
			timeout = left;
	}
	/* list knows no port; status, on, off and reboot act on one. */
	bool with_port = strcmp(action, "list") != 0;
	struct fen_run_request req = {
		.agent = d->agent,
		.action = action,
		.nodename = op->plan->target,
		.host_arg = with_port ? d->host_arg : NULL,
		.port = with_port ? d->port : NULL,
		.params = d->params,
		.n_params = d->n_params,
		.timeout_ms = timeout ? timeout : 1,
	};
	op->phase = phase;
	op->run_action = action;
	op->run_started_ms = op_now(op);
	int r = fen_run_start(op->runner, &req, on_run_done, op, &op->run);
	if (r < 0) {
		op->run = NULL;
		char *msg = NULL;
		if (asprintf(&msg, "cannot run agent '%s': %s", d->agent, strerror(-r)) < 0)
			msg = NULL;
		record_attempt(op, action, FEN_RESULT_ERROR, -1, 0, msg);
		if (phase == PH_ON)
			on_phase_next(op);   /* the target is already off */
		else
			level_failed(op);
	}
}

/* After the on action of device op->dev (whatever its result): the next
 * device's, or the end.  The target was fenced when all were off. */
static void on_phase_next(struct fen_op *op)
{
	op->dev++;
	if (op->dev == op->plan->levels[op->level].n_devices) {
		finish(op, FEN_STATE_DONE, NULL);
		return;
	}
	start_run(op, cur_device(op)->on_action, PH_ON);
}

static void on_wait(void *data);

static int arm_wait(struct fen_op *op, uint64_t ms, enum phase phase)
{
	op->phase = phase;
	int r = qb_loop_timer_add(op->loop, QB_LOOP_MED, ms * 1000000u, op, on_wait, &op->t_wait);
	if (r == 0)
		op->wait_armed = true;
	return r;
}

static void delay_then_fence(struct fen_op *op)
{
	const struct fen_device *d = cur_device(op);
	uint64_t delay = 0;
	if (d->delay_max_ms > d->delay_base_ms)
		delay = fen_delay_pick_ms(d->delay_base_ms, d->delay_max_ms, op->random(op->random_data));
	else
		delay = d->delay_base_ms;
	/* priority-fencing-delay: once per operation, before its first device. */
	if (!op->priority_delay_used) {
		op->priority_delay_used = true;
		delay += op->priority_delay_ms;
	}
	if (delay > 0 && arm_wait(op, delay, PH_DELAY) == 0)
		return;
	start_run(op, d->action, PH_FENCE);
}

static enum fen_result result_of(const struct fen_run_result *res)
{
	if (res->timed_out)
		return FEN_RESULT_TIMEOUT;
	return fen_run_result_ok(res) ? FEN_RESULT_OK : FEN_RESULT_FAILED;
}

static void on_run_done(const struct fen_run_result *res, void *data)
{
	struct fen_op *op = data;
	const struct fen_device *d = cur_device(op);
	op->run = NULL;

	switch (op->phase) {
	case PH_CHECK_LIST:
		if (fen_run_result_ok(res)) {
			if (fen_list_output_has(res->out, d->port, op->plan->target)) {
				delay_then_fence(op);
				return;
			}
			char *msg = NULL;
			if (asprintf(&msg, "its list names neither '%s' nor '%s'", d->port,
				     op->plan->target) < 0)
				msg = NULL;
			record_attempt(op, "list", FEN_RESULT_NOT_CAPABLE, res->exit_code, res->signal, msg);
			level_failed(op);
			return;
		}
		if (d->check_defaulted) {
			/* Pacemaker's default falls back to status for agents without list. */
			start_run(op, "status", PH_CHECK_STATUS);
			return;
		}
		record_attempt(op, "list", result_of(res), res->exit_code, res->signal, message_of(res));
		level_failed(op);
		return;
	case PH_CHECK_STATUS:
		/* fence-agents: 0 = port is on, 2 = port is off; both mean "I know it". */
		if (!res->timed_out && res->signal == 0 && (res->exit_code == 0 || res->exit_code == 2)) {
			delay_then_fence(op);
			return;
		}
		record_attempt(op, "status", res->timed_out ? FEN_RESULT_TIMEOUT : FEN_RESULT_NOT_CAPABLE,
			       res->exit_code, res->signal, message_of(res));
		level_failed(op);
		return;
	case PH_FENCE: {
		enum fen_result result = result_of(res);
		record_attempt(op, d->action, result, res->exit_code, res->signal,
			       result == FEN_RESULT_OK ? NULL : message_of(res));
		if (result != FEN_RESULT_OK) {
			level_failed(op);
			return;
		}
		op->dev++;
		if (op->dev < op->plan->levels[op->level].n_devices) {
			step(op);
			return;
		}
		if (op->plan->levels[op->level].remapped_reboot) {
			op->fenced = true;
			op->dev = 0;
			start_run(op, cur_device(op)->on_action, PH_ON);
			return;
		}
		finish(op, FEN_STATE_DONE, NULL);
		return;
	}
	case PH_ON: {
		enum fen_result result = result_of(res);
		record_attempt(op, d->on_action, result, res->exit_code, res->signal,
			       result == FEN_RESULT_OK ? NULL : message_of(res));
		on_phase_next(op);
		return;
	}
	case PH_KICKOFF:
	case PH_DELAY:
	case PH_BACKOFF:
	case PH_NO_DEVICE:
		break;
	}
}

static void pass_failed(struct fen_op *op)
{
	if (op->attempt >= op->max_attempts) {
		char reason[512];
		snprintf(reason, sizeof(reason), "all %u attempts failed; last: %s", op->attempt,
			 op->last_failure);
		finish(op, FEN_STATE_FAILED, reason);
		return;
	}
	uint64_t backoff = op->first_backoff_ms;
	for (unsigned i = 1; i < op->attempt && backoff < op->max_backoff_ms; i++)
		backoff *= 2;
	if (backoff > op->max_backoff_ms)
		backoff = op->max_backoff_ms;
	if (arm_wait(op, backoff, PH_BACKOFF) < 0)
		finish(op, FEN_STATE_FAILED, "cannot arm the retry timer");
}

static void step(struct fen_op *op)
{
	if (op->level >= op->plan->n_levels) {
		pass_failed(op);
		return;
	}
	const struct fen_device *d = cur_device(op);
	switch (d->check) {
	case FEN_CHECK_DYNAMIC_LIST:
		start_run(op, "list", PH_CHECK_LIST);
		return;
	case FEN_CHECK_STATUS:
		start_run(op, "status", PH_CHECK_STATUS);
		return;
	case FEN_CHECK_STATIC_LIST:
	case FEN_CHECK_NONE:
		break;
	}
	delay_then_fence(op);
}

static void on_wait(void *data)
{
	struct fen_op *op = data;
	op->wait_armed = false;
	switch (op->phase) {
	case PH_KICKOFF:
		step(op);
		return;
	case PH_DELAY:
		start_run(op, cur_device(op)->action, PH_FENCE);
		return;
	case PH_BACKOFF:
		op->attempt++;
		op->level = op->dev = 0;
		step(op);
		return;
	case PH_NO_DEVICE: {
		char reason[300];
		snprintf(reason, sizeof(reason), "no fence device can fence '%s'", op->plan->target);
		finish(op, FEN_STATE_FAILED, reason);
		return;
	}
	case PH_CHECK_LIST:
	case PH_CHECK_STATUS:
	case PH_FENCE:
	case PH_ON:
		break;
	}
}

static void on_deadline(void *data)
{
	struct fen_op *op = data;
	op->deadline_armed = false;
	if (op->run) {
		fen_run_cancel(op->run);
		op->run = NULL;
		record_attempt(op, op->run_action, FEN_RESULT_CANCELLED, -1, 0,
			       strdup("the operation's deadline passed"));
	}
	if (op->fenced) {   /* every off succeeded: only an on was cut short */
		finish(op, FEN_STATE_DONE, NULL);
		return;
	}
	char reason[512];
	snprintf(reason, sizeof(reason), "deadline of %llu ms passed after %u attempt(s)%s%s",
		 (unsigned long long)op->deadline_ms, op->attempt,
		 op->last_failure[0] ? "; last: " : "", op->last_failure);
	finish(op, FEN_STATE_FAILED, reason);
}

/* A plan from fen_plan_build() is always well formed; one built by hand is
 * checked so that a mistake is -EINVAL, not a crash in the middle of fencing. */
static bool plan_valid(const struct fen_plan *plan)
{
	if (!plan->target || !plan->action)
		return false;
	for (size_t i = 0; i < plan->n_levels; i++) {
		const struct fen_level *l = &plan->levels[i];
		if (l->n_devices == 0 || !l->devices)
			return false;
		for (size_t j = 0; j < l->n_devices; j++) {
			const struct fen_device *d = &l->devices[j];
			if (!d->id || !d->agent || !d->action || (l->remapped_reboot && !d->on_action) ||
			    (d->host_arg && !d->port) || (d->n_params && !d->params))
				return false;
		}
	}
	return true;
}

static bool plan_needs_random(const struct fen_plan *plan)
{
	for (size_t i = 0; i < plan->n_levels; i++)
		for (size_t j = 0; j < plan->levels[i].n_devices; j++)
			if (plan->levels[i].devices[j].delay_max_ms > plan->levels[i].devices[j].delay_base_ms)
				return true;
	return false;
}

int fen_op_start(struct fen_runner *runner, struct fen_plan *plan, const struct fen_op_opts *opts,
		 fen_op_done_fn done, void *data, struct fen_op **ret_op)
{
	int r = -EINVAL;
	struct fen_op *op = NULL;
	if (!runner || !plan || !opts || !opts->id || opts->max_attempts < 1 || !plan_valid(plan) ||
	    (!opts->random && plan_needs_random(plan)))
		goto out_plan;
	r = -ENOMEM;
	if (!(op = calloc(1, sizeof(*op))))
		goto out_plan;
	op->runner = runner;
	op->loop = fen_runner_loop(runner);
	op->plan = plan;
	plan = NULL;
	op->max_attempts = opts->max_attempts;
	op->first_backoff_ms = opts->first_backoff_ms;
	op->max_backoff_ms = opts->max_backoff_ms < opts->first_backoff_ms ? opts->first_backoff_ms :
										opts->max_backoff_ms;
	op->deadline_ms = opts->deadline_ms;
	op->priority_delay_ms = opts->priority_delay_ms;
	op->random = opts->random;
	op->random_data = opts->random_data;
	op->now_ms = opts->now_ms;
	op->now_data = opts->now_data;
	op->done = done;
	op->data = data;
	op->attempt = 1;

	bool ok = true;
	if (!(op->rec = calloc(1, sizeof(*op->rec))))
		goto out_op;
	op->rec->id = fen_strdup_null(opts->id, &ok);
	op->rec->target = fen_strdup_null(op->plan->target, &ok);
	op->rec->action = fen_strdup_null(op->plan->action, &ok);
	op->rec->origin = fen_strdup_null(opts->origin, &ok);
	op->rec->executor = fen_strdup_null(opts->executor, &ok);
	op->rec->state = FEN_STATE_PENDING;
	op->rec->requested_ms = op_now(op);
	if (!ok)
		goto out_op;

	if ((r = arm_wait(op, 0, op->plan->n_levels ? PH_KICKOFF : PH_NO_DEVICE)) < 0)
		goto out_op;
	if (op->deadline_ms) {
		op->deadline_at = fen_mono_ms() + op->deadline_ms;
		if ((r = qb_loop_timer_add(op->loop, QB_LOOP_HIGH, op->deadline_ms * 1000000u, op,
					   on_deadline, &op->t_deadline)) < 0)
			goto out_op;
		op->deadline_armed = true;
	}
	if (ret_op)
		*ret_op = op;
	return 0;

out_op:
	op_free(op);
out_plan:
	fen_plan_free(plan);
	return r;
}
