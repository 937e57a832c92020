/*
 * mbr.h - Corosync's process group (CPG) and quorum service, as plain events.
 *
 * vigild joins one CPG group and tracks quorum.  Everything Corosync says comes
 * out of this module as one of five callbacks, in the order Corosync delivered
 * it: a new totem ring (its sequence number and the nodes in it), a new group
 * view (members, who left and why, who joined), quorum for a ring, a message
 * from a member, or "lost" (Corosync went away).  Corosync's cs_error_t never
 * leaves this module: functions return 0 or -errno.
 *
 * Sending: mbr_send() never blocks.  Frames go to an own queue; a frame larger
 * than VG_WIRE_FRAGMENT_BYTES is cut into fragments first (libcpg would block
 * the main loop on it).  When Corosync pushes back (CS_ERR_TRY_AGAIN) the queue
 * waits and retries on a short timer while the main loop keeps dispatching; see
 * ../shared/lab/CPG-FACTS.md for why busy-retrying is wrong.  Received fragments
 * are put back together per sender before the deliver callback sees them.
 *
 * Threading: everything runs on the caller's qb_loop thread.
 *
 * Ownership: the struct mbr is the caller's (mbr_free()); it removes every fd
 * and timer it added to the loop.  Pointers passed to callbacks are valid during
 * the callback only.
 */
#ifndef VIGIL_MBR_H
#define VIGIL_MBR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qb/qbloop.h>

/* A process in the group. */
struct mbr_member {
	uint32_t nodeid;
	uint32_t pid;
};

/* Why a process joined or left the group (Corosync's reasons, renamed). */
enum mbr_reason {
	MBR_REASON_UNKNOWN = 0,
	MBR_REASON_JOIN = 1,     /* it called join */
	MBR_REASON_LEAVE = 2,    /* it called leave: a clean stop */
	MBR_REASON_NODEDOWN = 3, /* its node left the ring: crash or cut */
	MBR_REASON_NODEUP = 4,   /* its node came back into the ring (partition healed) */
	MBR_REASON_PROCDOWN = 5, /* the process died without leaving */
};

/** "join", "leave", "node down", ... */
const char *mbr_reason_name(enum mbr_reason r);

struct mbr_change {
	struct mbr_member member;
	enum mbr_reason reason;
};

struct mbr_callbacks {
	/* A new totem ring: every node running Corosync in our partition. */
	void (*ring)(void *ctx, uint64_t ring_seq, const uint32_t *nodeids, size_t n);
	/* A new view of the group, in Corosync's member order. */
	void (*view)(void *ctx, const struct mbr_member *members, size_t n,
		     const struct mbr_change *left, size_t n_left,
		     const struct mbr_change *joined, size_t n_joined);
	/* Quorum of the given ring.  Without a quorum provider in corosync.conf,
	 * one call with ring_seq 0 and quorate true (every ring is quorate). */
	void (*quorum)(void *ctx, uint64_t ring_seq, bool quorate);
	/* A message, reassembled.  Not validated: the receiver decodes it. */
	void (*deliver)(void *ctx, uint32_t nodeid, uint32_t pid, const void *msg, size_t len);
	/* Corosync is gone (dispatch failed).  No further callback follows; the
	 * object may only be freed. */
	void (*lost)(void *ctx, const char *why);
};

struct mbr;

/** Connects to Corosync (CPG and quorum), joins @group and registers with
 *  @loop.  The first callbacks (ring, view, quorum) come from the loop, shortly.
 *  -ENOTCONN when Corosync is not running, -EACCES when it refuses us. */
int mbr_new(qb_loop_t *loop, const char *group, const struct mbr_callbacks *cb, void *ctx,
	    struct mbr **ret_mbr);

/** Leaves the group (when still connected) and releases everything. NULL ok. */
void mbr_free(struct mbr *m);

/** This node's Corosync node id. */
uint32_t mbr_local_nodeid(const struct mbr *m);

/** Queues a frame for total-order delivery to the group (ourselves included).
 *  @frame is copied.  -ENOBUFS when the queue is over its bound, -ENOTCONN
 *  after "lost". */
int mbr_send(struct mbr *m, const void *frame, size_t len);

/** Bytes waiting in the send queue. */
size_t mbr_queued_bytes(const struct mbr *m);

/* A node of corosync.conf's nodelist. */
struct mbr_node {
	uint32_t nodeid;
	char *name;             /* "name", else "ring0_addr" */
};

/** Reads the nodelist and the cluster name from Corosync's cmap.  *ret_nodes
 *  (array of *ret_n) and *ret_cluster_name belong to the caller: free with
 *  mbr_nodes_free() and free().  A missing cluster name gives NULL. */
int mbr_read_nodelist(struct mbr_node **ret_nodes, size_t *ret_n, char **ret_cluster_name);
void mbr_nodes_free(struct mbr_node *nodes, size_t n);

#endif /* VIGIL_MBR_H */
