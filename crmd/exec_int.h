/*
 * exec_int.h - what the executor's files share; libvirt types stop here.
 *
 * Ownership: a job belongs to the executor from submit until it is reported and
 * no worker holds it.  Fields marked (lock) are read and written under
 * crmd_exec.lock; fields marked (loop) only on the loop thread; result fields
 * are written by the one worker running the job and read by the loop after the
 * job reached JOB_DONE under the lock.
 */
#ifndef VIGIL_CRMD_EXEC_INT_H
#define VIGIL_CRMD_EXEC_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>
#include <qb/qbloop.h>

#include "exec.h"

#define CRMD_EXEC_MAX_WORKERS 16

/* Internal operations, run on workers like actions but never reported to a caller. */
enum {
	CRMD_EXEC_OP_CONNECT = 100,   /* open the connection, register callbacks */
	CRMD_EXEC_OP_DISCONNECT,      /* drop a lost connection */
	CRMD_EXEC_OP_ABORT,           /* abort the libvirt job of a timed-out migration */
};

enum crmd_exec_job_phase {
	JOB_PARKED,   /* waiting for the first connection */
	JOB_QUEUED,   /* waiting for a worker */
	JOB_RUNNING,  /* a worker is in libvirt for it */
	JOB_DONE,     /* in the done list, for the loop to report */
};

struct crmd_exec_job {
	struct crmd_exec_job *next;      /* (lock) link in parked, queue or done */
	struct crmd_exec *ex;
	int op;                          /* enum crmd_exec_op or CRMD_EXEC_OP_* */
	char *rsc_id, *config, *migrate_to, *migrate_data;
	uint32_t timeout_ms, shutdown_timeout_ms;
	crmd_exec_done_fn done;
	void *done_data;
	uint64_t submit_ns;
	qb_loop_timer_handle timer;      /* (loop) */
	bool timer_armed;                /* (loop) */
	bool reported;                   /* (loop) the caller has heard the outcome */
	enum crmd_exec_job_phase phase;  /* (lock) */
	bool abandoned;                  /* (lock) timed out while a worker runs it */

	/* result */
	int rc;
	char *message;
	enum crmd_exec_state state;
	const char *reason;              /* static string */
	uint64_t libvirt_ns;
	struct crmd_exec_domain *domains;
	size_t n_domains;
	virConnectPtr conn;              /* CONNECT: the new connection; DISCONNECT: the old */
	int lifecycle_id;                /* CONNECT: event callback id */
};

struct crmd_exec_seen {
	char *domain;
	enum crmd_exec_state state;
};

enum crmd_exec_conn_state {
	CONN_CONNECTING,  /* first attempt in flight: actions park */
	CONN_UP,
	CONN_DOWN,        /* actions fail fast; a reconnect timer or attempt runs */
};

struct crmd_exec {
	qb_loop_t *loop;
	char *uri;
	struct crmd_exec_options opts;
	crmd_exec_event_fn event_fn;
	void *event_data;

	pthread_mutex_t lock;
	pthread_cond_t work_cond;        /* a job was queued, or stopping */
	pthread_cond_t change_cond;      /* a lifecycle event arrived (stop waits on it) */
	uint64_t change_seq;             /* (lock) counts lifecycle events */
	bool stopping;                   /* (lock) crmd_exec_free() runs */

	struct crmd_exec_job *parked, *parked_tail;  /* (lock) */
	struct crmd_exec_job *queue, *queue_tail;    /* (lock) */
	struct crmd_exec_job *done_head, *done_tail; /* (lock) */
	struct crmd_exec_job *running, *running_tail; /* (lock) in a worker's hands */
	unsigned n_orphans;              /* (lock) workers let go by crmd_exec_free();
					  * the last one to leave frees the rest */
	int wake_fd;                     /* eventfd: the done list or the link changed */
	bool wake_armed;                 /* (lock) a wake is pending */

	pthread_t threads[CRMD_EXEC_MAX_WORKERS];
	unsigned n_threads;              /* (loop) started */
	unsigned n_abandoned;            /* (lock) workers stuck in timed-out jobs */

	/* the link: ptr and state (lock) so workers can take a reference */
	virConnectPtr conn;
	int lifecycle_id;                /* (loop) */
	enum crmd_exec_conn_state conn_state;
	bool connect_inflight;           /* (loop) */
	virConnectPtr lost_conn;         /* (lock) set by the close callback */
	int lost_reason;                 /* (lock) */
	struct crmd_exec_seen *seen;     /* (loop) last state implied per domain */
	size_t n_seen, cap_seen;
	qb_loop_timer_handle reconnect_timer; /* (loop) */
	bool reconnect_armed;            /* (loop) */
	uint32_t backoff_ms;             /* (loop) */
};

/* exec_event.c: libvirt's event loop on a qb_loop (process-wide). */
int crmd_exec_event_bind(qb_loop_t *loop);
void crmd_exec_event_unbind(qb_loop_t *loop);

/* exec_ops.c: run one job on a worker, with a reference on @conn (may be NULL). */
void crmd_exec_ops_run(struct crmd_exec_job *job, virConnectPtr conn);
void crmd_exec_job_fail(struct crmd_exec_job *job, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void crmd_exec_job_fail_virt(struct crmd_exec_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void crmd_exec_job_note(struct crmd_exec_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int crmd_exec_virt_errno(void);
enum crmd_exec_state crmd_exec_state_from_virt(int state, int reason, const char **ret_reason);
void crmd_exec_event_names(int event, int detail, const char **ret_event,
			   const char **ret_detail, enum crmd_exec_state *ret_state);

/* exec.c */
uint64_t crmd_exec_now_ns(void);
/* Worker side of stop: waits for a lifecycle event or @until_ns, whichever is first.
 * Returns false when the executor is stopping. */
bool crmd_exec_wait_change(struct crmd_exec *ex, uint64_t until_ns);

#endif /* VIGIL_CRMD_EXEC_INT_H */
