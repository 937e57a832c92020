/*
 * vigild_exec.c - the core's hypervisor effects and events, through exec.h.
 *
 * Translation only: core actions become exec actions, exec results and events
 * become core events with exec's state names.  Decisions stay in the core.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include <qb/qblog.h>

#include "exec.h"
#include "vigild_exec.h"

struct vigild_exec {
	struct crmd_exec *ex;
	vigild_exec_deliver_fn deliver;
	void *ctx;
};

struct call {
	struct vigild_exec *x;
	uint64_t call_id;
	bool quiet;             /* monitor, probe: not logged (periodic) */
};

static void on_done(const struct crmd_exec_result *res, void *data)
{
	struct call *cl = data;
	struct crmd_hv_domain *doms = NULL;
	size_t n = 0;
	if (res->n_domains) {
		doms = calloc(res->n_domains, sizeof(*doms));
		if (doms) {
			for (size_t i = 0; i < res->n_domains; i++) {
				doms[i].name = res->domains[i].name;
				doms[i].state = crmd_exec_state_name(res->domains[i].state);
			}
			n = res->n_domains;
		}
	}
	struct crmd_event ev = { .type = CRMD_EV_HV_DONE };
	ev.hv_done.call_id = cl->call_id;
	ev.hv_done.rc = doms || !res->n_domains ? res->rc : -ENOMEM;
	ev.hv_done.state = crmd_exec_state_name(res->state);
	ev.hv_done.message = res->message;
	ev.hv_done.domains = doms;
	ev.hv_done.n_domains = n;
	/* The executor's own time against libvirt's, for bench/vm-overhead.sh
	 * (the same clock as the core's "at N ms"). */
	if (!cl->quiet) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		qb_log(LOG_INFO, "hv call %" PRIu64 " done at %" PRIu64 " ms: %.1f ms in the "
		       "executor, %.1f ms of it in libvirt", cl->call_id,
		       (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u,
		       (double)res->elapsed_us / 1000.0, (double)res->libvirt_us / 1000.0);
	}
	cl->x->deliver(cl->x->ctx, &ev);
	free(doms);
	free(cl);
}

static void on_event(const struct crmd_exec_event *e, void *data)
{
	struct vigild_exec *x = data;
	struct crmd_event ev = { .type = CRMD_EV_HV_EVENT };
	switch (e->type) {
	case CRMD_EXEC_EV_DOMAIN:
		ev.hv_event.kind = CRMD_HV_EV_DOMAIN;
		ev.hv_event.domain = e->domain;
		ev.hv_event.state = crmd_exec_state_name(e->state);
		ev.hv_event.detail = e->detail;
		break;
	case CRMD_EXEC_EV_HYPERVISOR_UP:
		ev.hv_event.kind = CRMD_HV_EV_UP;
		break;
	case CRMD_EXEC_EV_HYPERVISOR_DOWN:
		ev.hv_event.kind = CRMD_HV_EV_DOWN;
		break;
	}
	x->deliver(x->ctx, &ev);
}

int vigild_exec_new(qb_loop_t *loop, const char *uri, vigild_exec_deliver_fn deliver, void *ctx,
		    struct vigild_exec **ret_x)
{
	struct vigild_exec *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->deliver = deliver;
	x->ctx = ctx;
	int rc = crmd_exec_new(loop, uri, NULL, on_event, x, &x->ex);
	if (rc) {
		free(x);
		return rc;
	}
	*ret_x = x;
	return 0;
}

void vigild_exec_free(struct vigild_exec *x)
{
	if (!x)
		return;
	crmd_exec_free(x->ex);
	free(x);
}

int vigild_exec_submit(struct vigild_exec *x, const struct crmd_hv_action *a)
{
	struct crmd_exec_action ea = {
		.rsc_id = a->rsc_id,
		.config = a->config,
		.migrate_to = a->migrate_to,
		.timeout_ms = a->timeout_ms ? a->timeout_ms : 60000,
	};
	switch (a->op) {
	case CRMD_HV_START: ea.op = CRMD_EXEC_START; break;
	case CRMD_HV_STOP: ea.op = CRMD_EXEC_STOP; break;
	case CRMD_HV_MIGRATE: ea.op = CRMD_EXEC_MIGRATE; break;
	case CRMD_HV_MONITOR: ea.op = CRMD_EXEC_MONITOR; break;
	case CRMD_HV_PROBE: ea.op = CRMD_EXEC_PROBE; break;
	}
	struct call *cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	cl->x = x;
	cl->call_id = a->call_id;
	cl->quiet = a->op == CRMD_HV_MONITOR || a->op == CRMD_HV_PROBE;
	int rc = crmd_exec_submit(x->ex, &ea, on_done, cl);
	if (rc)
		free(cl);
	return rc;
}
