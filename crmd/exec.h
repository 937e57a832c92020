/*
 * exec.h - the node-local executor: runs VirtualDomain actions through libvirt.
 *
 * Why it exists: libvirt calls block (a start takes seconds, a hung hypervisor
 * blocks forever), but vigild has one qb_loop thread that must never block.  The
 * executor runs every libvirt call on a small pool of worker threads, puts a
 * timeout on every action, and reports back on the loop thread.  It also feeds
 * libvirt's own event machinery from the same qb_loop, so domain lifecycle
 * events (a crash, a shutdown behind the cluster's back) reach the caller within
 * milliseconds, and it watches the hypervisor connection (close callback and
 * keepalive), reconnecting with back-off when it is lost.
 *
 * Threads: every crmd_exec_* function must be called on the thread that runs the
 * qb_loop given to crmd_exec_new(), and every callback runs on that thread.
 *
 * Domain identity: a resource is a libvirt domain of the same name.  start reads
 * the domain XML from the resource's `config`; its <name> must equal the resource
 * id, otherwise start fails with -EINVAL and a message naming both (nothing is
 * defined).  stop, migrate and monitor look the domain up by the resource id.
 *
 * Errors: 0 on success, -errno on failure, as everywhere in Vigil.  libvirt's
 * error codes are converted here (see crmd_exec_result.rc) and libvirt's own
 * message is kept in the result's text.  No libvirt type appears in this header.
 *
 * Process-wide effects: the first executor registers an event implementation
 * with libvirt (virEventRegisterImpl, allowed once per process) bound to its
 * qb_loop, and silences libvirt's default error printing (libraries do not
 * print; errors come back in results).  All executors alive at the same time
 * must therefore share one qb_loop; once the last one is freed, a new one may
 * use another loop.
 */
#ifndef VIGIL_CRMD_EXEC_H
#define VIGIL_CRMD_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qb/qbloop.h>

/** URI used when the resource has no `hypervisor` parameter. */
#define CRMD_EXEC_DEFAULT_URI "qemu:///system"

enum crmd_exec_op {
	CRMD_EXEC_START,   /* define from the XML file, then create; done when running */
	CRMD_EXEC_STOP,    /* graceful shutdown, destroy when it takes too long */
	CRMD_EXEC_MIGRATE, /* live, peer-to-peer, persist on destination, undefine here */
	CRMD_EXEC_MONITOR, /* report the domain's state */
	CRMD_EXEC_PROBE,   /* report every domain of the hypervisor (no resource id) */
};

/*
 * What the hypervisor says about a domain, reduced to what the cluster decides on.
 *
 * Reconciliation rule: MIGRATING is either side of a live migration that is not
 * (or no longer) the running copy: the source once paused for the final copy
 * (paused, reason migration or post-copy; event suspended(migrated)) and the
 * destination before it resumes (paused, reason migration; event
 * started(migrated)).  During a migration one side may report RUNNING while the
 * other reports MIGRATING: that is one VM migrating.  So MIGRATING, like
 * STARTING, counts neither as "running here" (a VM never runs twice) nor as a
 * failure to recover.  Measured on one machine (doc/exec.md): destination
 * STARTING -> MIGRATING while the source runs, then source MIGRATING, then
 * destination RUNNING, then source STOPPED (migrated) and ABSENT.
 */
enum crmd_exec_state {
	CRMD_EXEC_STATE_UNKNOWN,   /* not observed (error, timeout, hypervisor down) or,
				    * for an event, no state implied (defined, undefined) */
	CRMD_EXEC_STATE_ABSENT,    /* no domain of that name on this hypervisor */
	CRMD_EXEC_STATE_STOPPED,   /* defined and shut off (not after a crash) */
	CRMD_EXEC_STATE_RUNNING,   /* running (also blocked, or shutting down) */
	CRMD_EXEC_STATE_PAUSED,    /* paused for another reason than migration */
	CRMD_EXEC_STATE_MIGRATING, /* source of a live migration: see above */
	CRMD_EXEC_STATE_CRASHED,   /* crashed, or shut off because it crashed */
	CRMD_EXEC_STATE_STARTING,  /* QEMU is up, its CPUs not yet (paused, reason
				    * starting up): a start in progress, or the
				    * destination of a migration before it receives */
};

/** Fixed names ("start", ...; "running", ...) for logs and status; never NULL. */
const char *crmd_exec_op_name(enum crmd_exec_op op);
const char *crmd_exec_state_name(enum crmd_exec_state state);

/*
 * One action.  The executor copies every string it needs before
 * crmd_exec_submit() returns; the caller keeps ownership of the struct.
 */
struct crmd_exec_action {
	enum crmd_exec_op op;
	const char *rsc_id;        /* resource id = domain name; NULL for PROBE */
	const char *config;        /* START: path of the domain XML */
	const char *migrate_to;    /* MIGRATE: destination hypervisor URI, e.g. the
				    * target node's migration-uri qemu+tcp://ADDR/system */
	const char *migrate_data;  /* MIGRATE, optional: where the memory stream goes
				    * (VIR_MIGRATE_PARAM_URI, e.g. tcp://ADDR); NULL lets
				    * the destination choose */
	uint32_t timeout_ms;       /* whole action, counted from submit; must be > 0 */
	uint32_t shutdown_timeout_ms; /* STOP: how long a graceful shutdown may take
				       * before destroy; 0 = timeout_ms minus a reserve
				       * for destroy (a quarter of it, at most 5 s) */
};

/* A domain as seen by PROBE. */
struct crmd_exec_domain {
	const char *name;
	enum crmd_exec_state state;
	const char *reason;        /* libvirt's reason for the state: "booted",
				    * "migration", "crashed", "shutdown", ... */
	bool persistent;           /* defined (survives a stop), not transient */
};

/*
 * The outcome of an action, valid only during the completion callback (copy what
 * you keep).  rc values the caller can act on:
 *   0            done; `state` is what libvirt reported afterwards
 *   -ETIMEDOUT   timeout_ms passed first.  A timed-out action that had not started
 *                never starts; a timed-out migration is aborted (the domain stays
 *                on the source); any other one that was running in libvirt may
 *                still finish there (a late start or stop is seen through events)
 *   -ENOTCONN    the hypervisor is down (actions fail fast until it is back)
 *   -ENOENT      the XML file is missing (START) or the domain is not here
 *                (MIGRATE)
 *   -EINVAL      the XML is broken, names another domain, or libvirt refused it
 *   -EOPNOTSUPP  the hypervisor cannot do this (e.g. migration on the test driver)
 *   -ECANCELED   the executor is being freed (never reported through a callback)
 *   -EIO         anything else libvirt reported; see message
 */
struct crmd_exec_result {
	enum crmd_exec_op op;
	const char *rsc_id;        /* NULL for PROBE */
	int rc;
	const char *message;       /* never NULL: what happened, libvirt's own error
				    * text included on failure */
	enum crmd_exec_state state;
	const char *state_reason;  /* never NULL; "" when unknown */
	uint64_t elapsed_us;       /* from submit to this callback */
	uint64_t libvirt_us;       /* spent inside libvirt calls for this action; the
				    * difference with elapsed_us is the executor's own
				    * cost (queueing, thread hand-off, parsing) */
	const struct crmd_exec_domain *domains; /* PROBE: every domain, sorted by name */
	size_t n_domains;
};

typedef void (*crmd_exec_done_fn)(const struct crmd_exec_result *result, void *data);

enum crmd_exec_event_type {
	CRMD_EXEC_EV_DOMAIN,          /* a lifecycle event of one domain */
	CRMD_EXEC_EV_HYPERVISOR_DOWN, /* connection lost or first connect failed;
				       * actions fail with -ENOTCONN from now on */
	CRMD_EXEC_EV_HYPERVISOR_UP,   /* connected (first time or again): the caller
				       * should probe, events may have been missed */
};

/* An event, valid only during the event callback. */
struct crmd_exec_event {
	enum crmd_exec_event_type type;
	const char *domain;        /* DOMAIN: the domain (= resource) name */
	const char *event;         /* DOMAIN: "started", "stopped", "suspended", ... */
	const char *detail;        /* DOMAIN: "booted", "failed", "migrated", ... */
	enum crmd_exec_state state;/* DOMAIN: the state the event implies: stopped
				    * (failed/crashed) -> CRASHED, suspended
				    * (migrated) and started(migrated) -> MIGRATING,
				    * resumed -> RUNNING, ...; UNKNOWN when none
				    * (defined, undefined, shutdown).  A domain
				    * whose incoming migration failed or was aborted
				    * gives stopped(failed) -> STOPPED, not CRASHED:
				    * the VM still runs on the source */
	const char *message;       /* HYPERVISOR_*: why, and which URI; else NULL */
	uint64_t time_ms;          /* CLOCK_MONOTONIC when the executor received it */
};

/* Events and action results are not ordered with each other: a start's
 * "started" event may come before or after the start's result. */
typedef void (*crmd_exec_event_fn)(const struct crmd_exec_event *event, void *data);

/* Tunables; a zero field takes the default shown. */
struct crmd_exec_options {
	unsigned n_workers;          /* 4: threads for libvirt calls; one more is added
				      * (up to 16) for each worker stuck in a timed-out
				      * call, so a hung call never starves the others */
	unsigned keepalive_interval_s; /* 3: libvirt keepalive ping interval ... */
	unsigned keepalive_count;    /* 3: ... and unanswered pings before "down" */
	uint32_t reconnect_min_ms;   /* 250: first retry after a loss ... */
	uint32_t reconnect_max_ms;   /* 10000: ... doubling up to this */
	uint32_t free_grace_ms;      /* 10000: crmd_exec_free() waits this long for
				      * workers still inside libvirt */
};

struct crmd_exec;

/**
 * Creates an executor for one hypervisor and starts connecting to it in the
 * background (the loop must run for that).  Actions submitted before the first
 * connection attempt ends wait for it; if it fails, they fail with -ENOTCONN and
 * HYPERVISOR_DOWN is reported, then reconnection goes on with back-off.
 * HYPERVISOR_UP is reported once connected.
 *
 * @loop     the caller's loop; must outlive the executor
 * @uri      hypervisor URI; NULL means CRMD_EXEC_DEFAULT_URI (copied)
 * @opts     NULL for defaults (copied)
 * @event_fn called for every lifecycle event and connection change; may be NULL
 * @ret_exec set on success; the caller owns it and frees it with crmd_exec_free()
 * Returns 0, -ENOMEM, -EBUSY (an executor on another loop exists), or -errno.
 */
int crmd_exec_new(qb_loop_t *loop, const char *uri, const struct crmd_exec_options *opts,
		  crmd_exec_event_fn event_fn, void *event_data, struct crmd_exec **ret_exec);

/**
 * Frees the executor.  No callback is called after this starts: queued actions
 * are dropped silently.  It waits for every worker to return from its current
 * libvirt call (keepalive bounds that on a remote link), at most free_grace_ms: workers
 * still stuck then (a hypervisor that hung while we connected) are let go and
 * keep the executor's memory, so the caller can still exit.  Then it closes the
 * connection.  Running VMs are never touched.  Not from inside one of this
 * executor's callbacks.  NULL is fine.
 */
void crmd_exec_free(struct crmd_exec *ex);

/**
 * Submits an action.  On 0, @done is called exactly once, later, on the loop
 * thread (never from inside this call), even when the hypervisor is down or the
 * action times out.  On error @done is never called.
 *
 * The caller serializes actions per resource (one at a time, as the transition
 * engine does); monitors and probes may run alongside anything.
 *
 * Returns 0, -EINVAL (missing rsc_id, config or migrate_to for the op, zero
 * timeout), -ENOMEM.
 */
int crmd_exec_submit(struct crmd_exec *ex, const struct crmd_exec_action *action,
		     crmd_exec_done_fn done, void *done_data);

/** Is the hypervisor connection up right now? */
bool crmd_exec_is_up(const struct crmd_exec *ex);

/** The hypervisor URI this executor talks to (owned by the executor). */
const char *crmd_exec_uri(const struct crmd_exec *ex);

#endif /* VIGIL_CRMD_EXEC_H */
