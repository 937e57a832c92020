/*
 * fen_history.h - the record of one fencing operation, as the cluster keeps it.
 *
 * A record says who asked to fence which node how, when, what came of it and,
 * attempt by attempt, which device ran which agent action with what result.  It
 * is what vigild replicates to every member (so `vigil fence history` answers
 * the same anywhere, and a new DC knows what the old one did) and what
 * `vigil status` shows for a node whose fencing failed.  The JSON form is the
 * wire and disk form; it is stable: fields are only ever added.
 *
 * Times are wall-clock milliseconds since the epoch (the operation's injected
 * clock), because they are shown to people and compared across nodes.
 *
 * Ownership: a record owns all its strings and its attempts array (malloc);
 * fen_record_free() releases it all, NULL is fine.  Out-parameters are the
 * caller's and set only on success.
 */
#ifndef VIGIL_FEN_HISTORY_H
#define VIGIL_FEN_HISTORY_H

#include <stddef.h>
#include <stdint.h>

enum fen_state {
	FEN_STATE_PENDING,      /* still running (or waiting for a delay or a retry) */
	FEN_STATE_DONE,         /* the target is fenced */
	FEN_STATE_FAILED,       /* every attempt failed: the node is NOT known to be down */
};

enum fen_result {
	FEN_RESULT_OK,
	FEN_RESULT_FAILED,      /* the agent exited non-zero or died of a signal */
	FEN_RESULT_TIMEOUT,     /* the agent outlived its timeout and was killed */
	FEN_RESULT_ERROR,       /* the agent could not be started (missing, bad request) */
	FEN_RESULT_NOT_CAPABLE, /* list/status said the device cannot reach the target */
	FEN_RESULT_CANCELLED,   /* the operation's deadline struck while it ran */
};

struct fen_attempt {
	unsigned attempt;       /* 1-based pass over the plan */
	int level;              /* topology index, 0 without topology */
	char *device;           /* device id */
	char *action;           /* agent action run: reboot, off, on, list, status */
	enum fen_result result;
	int exit_code;          /* -1 when it did not exit by itself */
	int signal;             /* the signal that ended it, else 0 */
	uint64_t started_ms;
	uint64_t finished_ms;
	char *message;          /* the agent's last line of stderr, or why it did not run; may be NULL */
};

struct fen_record {
	char *id;               /* unique per operation, chosen by the caller */
	char *target;
	char *action;           /* requested: reboot, off, on */
	char *origin;           /* who asked: "vigild@node2 (node lost)", "vigil node fence by root" */
	char *executor;         /* the node that ran the agents; may be NULL */
	enum fen_state state;
	uint64_t requested_ms;
	uint64_t finished_ms;   /* 0 while pending */
	char *reason;           /* why it failed; NULL otherwise */
	struct fen_attempt *attempts;
	size_t n_attempts;
};

/* The device name a manual confirmation records (not a valid primitive id). */
#define FEN_DEVICE_MANUAL "(manual)"

/** The record of `vigil node confirm`: an administrator says @target was
 *  powered off by hand.  It is DONE at @now_ms, action "off", with one attempt
 *  on device FEN_DEVICE_MANUAL, so history shows who vouched for it.  0,
 *  -EINVAL or -ENOMEM; *ret_rec is the caller's. */
int fen_record_manual(const char *id, const char *target, const char *origin, uint64_t now_ms,
		      struct fen_record **ret_rec);

const char *fen_state_name(enum fen_state state);
const char *fen_result_name(enum fen_result result);

void fen_record_free(struct fen_record *rec);

/** Deep copy.  0 or -ENOMEM. */
int fen_record_dup(const struct fen_record *rec, struct fen_record **ret_copy);

/** Serializes to a compact JSON object (NUL-terminated, the caller frees).
 *  0, -EINVAL (a record without id/target/action) or -ENOMEM. */
int fen_record_to_json(const struct fen_record *rec, char **ret_json);

/** Parses what fen_record_to_json() wrote.  Unknown fields are ignored (newer
 *  writers); missing required ones, wrong types and unknown state or result
 *  names are -EINVAL.  Also -ENOMEM. */
int fen_record_from_json(const char *json, struct fen_record **ret_rec);

/*
 * The history: the records a node keeps, bounded.  Every member holds one; the
 * DC sends its own to joiners and each update to all, and fen_history_put()
 * makes applying them idempotent and order-insensitive: for one id the more
 * final record wins (DONE/FAILED over PENDING; between two final ones, the later
 * finished_ms; a tie keeps what is there).  When over max_records the oldest
 * finished records go; a PENDING one is never dropped.
 *
 * Ownership: the history owns its records; fen_history_clear() frees them and
 * leaves an empty history (max_records kept).  A zeroed struct with
 * max_records set is an empty history.  Records are kept in the order of their
 * requested_ms (then id), oldest first.
 */
#define FEN_HISTORY_MAX_DEFAULT 500u

struct fen_history {
	struct fen_record **v;
	size_t n;
	size_t max_records;     /* 0: FEN_HISTORY_MAX_DEFAULT */
};

/** Adds @rec (taken, also on failure) or lets it replace the record with the
 *  same id as said above.  0, -EINVAL (no id) or -ENOMEM. */
int fen_history_put(struct fen_history *h, struct fen_record *rec);

/** Puts a copy of every record of @src into @dst.  0 or -ENOMEM. */
int fen_history_merge(struct fen_history *dst, const struct fen_history *src);

/** The record with @id, or NULL (borrowed). */
const struct fen_record *fen_history_get(const struct fen_history *h, const char *id);

/** The most recently requested record for @target, or NULL (borrowed): what
 *  `vigil status` reports for a node. */
const struct fen_record *fen_history_last_for(const struct fen_history *h, const char *target);

void fen_history_clear(struct fen_history *h);

/** A JSON array of the records, oldest first.  0 or -ENOMEM (or -EINVAL from a
 *  record without id/target/action). */
int fen_history_to_json(const struct fen_history *h, char **ret_json);

/** Puts every record of a JSON array (as written above) into @h.  Nothing is
 *  put unless the whole array parses.  0, -EINVAL or -ENOMEM. */
int fen_history_from_json(struct fen_history *h, const char *json);

#endif /* VIGIL_FEN_HISTORY_H */
