/*
 * wire.h - the protocol between vigild daemons over the Corosync group.
 *
 * Every group message is one frame: a fixed 32-byte header followed by a
 * payload.  The header is written little-endian whatever the host, so the
 * format does not depend on the machine:
 *
 *   offset size field
 *        0    4 magic      VG_WIRE_MAGIC ("VGIL")
 *        4    2 version    VG_WIRE_VERSION; a frame of another version is refused
 *        6    2 type       enum vg_msg_type
 *        8    4 length     payload bytes after the header
 *       12    4 sender     Corosync node id of the sender (must match the group's)
 *       16    8 seq        per-sender sequence number, for traces
 *       24    4 checksum   CRC-32 of the header (checksum field zero) and payload
 *       28    4 reserved   zero
 *
 * Payloads are sequences of little-endian integers and length-prefixed byte
 * strings (u32 length, then the bytes; a "string" holds no NUL byte).  Each
 * message type has an encoder and a decoder here; a decoder checks every field
 * (counts, lengths, string contents, that the payload is consumed exactly) and
 * refuses the whole frame on the first problem.  Nothing from a peer is trusted
 * before it went through vg_wire_decode() and the type's decoder.
 *
 * Large messages: libcpg blocks the caller when a message is larger than its
 * atomic size (~1 MB).  The sender's transport (membership/) therefore cuts any
 * frame larger than VG_WIRE_FRAGMENT_BYTES into VG_MSG_FRAGMENT frames, and the
 * receiver's transport reassembles them per sender into the original frame.
 *
 * Ownership: encoders return a malloc'ed frame in *ret_buf (caller frees).
 * Decoded structs that own memory have a _clear() function; pointers into the
 * frame are never kept, strings are copied.  Functions return 0 or -errno:
 * -EBADMSG for a malformed frame (the diagnostics say why), -ENOMEM.
 */
#ifndef VIGIL_WIRE_H
#define VIGIL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define VG_WIRE_MAGIC 0x4c494756u /* "VGIL" read as little-endian bytes */
/* 2: SYNC carries the commit term.  3: CONFIG_CONFIRM names the document it
 * confirms (CRC and commit term, not only its version).  Members of different
 * versions cannot work together safely (version 1 ranks without terms; a
 * version 2 confirm could count for a different document of the same version),
 * so a frame of another version is refused: upgrade every vigild together
 * (stop all, start all). */
#define VG_WIRE_VERSION 3
#define VG_WIRE_HEADER_BYTES 32
/* Whole frames above this are cut into fragments (CPG-FACTS: stay under the
 * 1,047,552-byte atomic size with room for the fragment header). */
#define VG_WIRE_FRAGMENT_BYTES (900u * 1024u)
/* The largest frame we accept, reassembled. */
#define VG_WIRE_MAX_BYTES (256u * 1024u * 1024u)
/* Bounds on counts inside payloads (Corosync supports far fewer nodes). */
#define VG_WIRE_MAX_MEMBERS 1024u

enum vg_msg_type {
	VG_MSG_SYNC = 1,           /* after a membership change: what I have */
	VG_MSG_CONFIG_FULL = 2,    /* a whole configuration (state transfer) */
	VG_MSG_CONFIG_CHANGE = 3,  /* a change requested by a client */
	VG_MSG_CONFIG_CONFIRM = 4, /* "this version is on my disk" */
	VG_MSG_STATUS_REPORT = 5,  /* a node's own state, for the DC */
	VG_MSG_STATUS_SECTION = 6, /* the DC's status section */
	VG_MSG_FRAGMENT = 7,       /* one piece of a larger frame */
	VG_MSG_RSC = 8,            /* resource execution: probes, results, actions (JSON) */
	VG_MSG_FENCE = 9,          /* fencing: records, requests, confirmations, history */
	VG_MSG_TYPE_MAX = VG_MSG_FENCE,
};

/** Name of a message type for logs ("sync", ...); "unknown" otherwise. */
const char *vg_msg_type_name(uint32_t type);

struct vg_wire_hdr {
	uint16_t version;
	uint16_t type;
	uint32_t length;
	uint32_t sender;
	uint64_t seq;
};

/* Version of the configuration document: (admin_epoch, epoch, num_updates),
 * compared in that order. */
struct vg_cfg_version {
	uint32_t admin_epoch;
	uint32_t epoch;
	uint32_t num_updates;
};

/** <0, 0, >0 as a is older than, equal to, newer than b. */
int vg_cfg_version_cmp(const struct vg_cfg_version *a, const struct vg_cfg_version *b);

/** CRC-32 (IEEE 802.3, the one of zlib and Ethernet) of @len bytes, continuing
 *  from @crc (start with 0). */
uint32_t vg_crc32(uint32_t crc, const void *buf, size_t len);

/** Builds a frame: header + @payload.  *ret_buf is malloc'ed. */
int vg_wire_frame(uint16_t type, uint32_t sender, uint64_t seq, const void *payload,
		  size_t payload_len, void **ret_buf, size_t *ret_len);

/** Checks a received frame (magic, version, known type, length, checksum,
 *  reserved bits) and points *ret_payload into @buf.  The caller still has to
 *  decode the payload with the type's decoder.  -EBADMSG with diagnostics. */
int vg_wire_decode(const void *buf, size_t len, struct vg_wire_hdr *ret_hdr,
		   const void **ret_payload, struct vg_diags *diags);

/* ---- message payloads ---- */

/* Flags of a SYNC. */
#define VG_SYNC_SYNCED 0x1u        /* my configuration is the group's (not just read from disk) */
#define VG_SYNC_HAVE_CONFIG 0x2u   /* I hold a valid configuration at all */
#define VG_SYNC_WAS_QUORATE 0x4u   /* I was synced in a quorate view just before this change */
#define VG_SYNC_FLAGS_ALL 0x7u

/* A process in the group: Corosync node id and process id. */
struct vg_member {
	uint32_t nodeid;
	uint32_t pid;
};

/* SYNC: sent by every member after a membership change that brought joiners.
 * @view is the membership the sender answers to (lets a receiver ignore a SYNC
 * meant for an earlier membership); @seniority the sender's ordered member
 * list (oldest first) when it is synced. */
struct vg_msg_sync {
	uint32_t flags;
	struct vg_cfg_version version;
	uint32_t config_crc;
	uint64_t term;          /* commit term of the configuration (see doc/daemon.md) */
	struct vg_member *view;
	size_t n_view;
	struct vg_member *seniority;
	size_t n_seniority;
};

/* CONFIG_FULL: the winner of a sync round sends its configuration to members
 * whose copy differs.  @view names the round (as in SYNC). */
struct vg_msg_config_full {
	struct vg_cfg_version version;
	struct vg_member *view;
	size_t n_view;
	char *xml;
	size_t xml_len;
};

enum vg_change_op {
	VG_CHANGE_REPLACE = 1,  /* xml is a whole document */
	VG_CHANGE_UPDATE = 2,   /* xml holds objects to add or replace by id */
	VG_CHANGE_PROPERTY = 3, /* name = value in crm_config */
	VG_CHANGE_OP_MAX = VG_CHANGE_PROPERTY,
};

#define VG_CHANGE_HAS_BASE 0x1u /* refuse unless the current version is base */

/* CONFIG_CHANGE: a client's request, applied by every member in delivery order. */
struct vg_msg_config_change {
	uint64_t req_id;        /* the sender's, to find its client again */
	uint32_t op;            /* enum vg_change_op */
	uint32_t flags;
	struct vg_cfg_version base;
	char *xml;              /* REPLACE, UPDATE; NULL otherwise */
	size_t xml_len;
	char *name;             /* PROPERTY */
	char *value;            /* PROPERTY */
};

/* CONFIG_CONFIRM: the sender has the document @version, whose canonical text
 * has CRC-32 @config_crc, on disk with commit term @term; @rc < 0 when that
 * write failed (-errno).  Two sides of a cut can each apply a different change
 * in the old ring, so a version alone does not name a document. */
struct vg_msg_config_confirm {
	struct vg_cfg_version version;
	uint32_t config_crc;
	uint64_t term;
	int32_t rc;
};

/* STATUS_REPORT: what a node says about itself. */
struct vg_msg_status_report {
	char *name;             /* its node name */
	uint32_t flags;         /* reserved, zero */
};

/* STATUS_SECTION: the DC's <status> element and the num_updates it carries. */
struct vg_msg_status_section {
	uint32_t num_updates;
	char *xml;
	size_t xml_len;
};

/* RSC: one JSON object about resource execution (crmd/core_rsc.c says which
 * kinds: probe reports, action results, lifecycle updates, the DC's actions). */
struct vg_msg_rsc {
	char *json;
	size_t json_len;
};

/* FENCE: fencing (crmd/core_fence.c).  @kind says what @json holds:
 *  RECORD   the DC's record of one fencing operation (fen_record JSON):
 *           pending, after each failed attempt, done or failed;
 *  REQUEST  `vigil node fence`: {"id", "origin", "action"} for the DC;
 *  CONFIRM  `vigil node confirm`: a manual record (fen_record JSON, done);
 *  DOWN     stonith-enabled=false: the DC treats @target as down without
 *           fencing ({"reason"});
 *  HISTORY  the DC's whole history (a JSON array of records) for joiners;
 *           @target is empty.
 * @target is a node name (not empty, except for HISTORY).  The JSON itself is
 * checked by the receiver (fencing/fen_history.h), lib/ does not know it. */
enum vg_fence_kind {
	VG_FENCE_RECORD = 1,
	VG_FENCE_REQUEST = 2,
	VG_FENCE_CONFIRM = 3,
	VG_FENCE_DOWN = 4,
	VG_FENCE_HISTORY = 5,
	VG_FENCE_KIND_MAX = VG_FENCE_HISTORY,
};

struct vg_msg_fence {
	uint32_t kind;          /* enum vg_fence_kind */
	char *target;
	char *json;
	size_t json_len;
};

/* FRAGMENT: piece @index of @count of a frame of @total_len bytes whose CRC-32
 * is @total_crc; @xfer_id is the sender's id for that frame. */
struct vg_msg_fragment {
	uint64_t xfer_id;
	uint32_t index;
	uint32_t count;
	uint32_t total_len;
	uint32_t total_crc;
	const void *data;       /* points into the decoded frame */
	size_t data_len;
};

int vg_msg_sync_encode(const struct vg_msg_sync *m, uint32_t sender, uint64_t seq,
		       void **ret_buf, size_t *ret_len);
int vg_msg_sync_decode(const void *payload, size_t len, struct vg_msg_sync *ret,
		       struct vg_diags *diags);
void vg_msg_sync_clear(struct vg_msg_sync *m);

int vg_msg_config_full_encode(const struct vg_msg_config_full *m, uint32_t sender,
			      uint64_t seq, void **ret_buf, size_t *ret_len);
int vg_msg_config_full_decode(const void *payload, size_t len, struct vg_msg_config_full *ret,
			      struct vg_diags *diags);
void vg_msg_config_full_clear(struct vg_msg_config_full *m);

int vg_msg_config_change_encode(const struct vg_msg_config_change *m, uint32_t sender,
				uint64_t seq, void **ret_buf, size_t *ret_len);
int vg_msg_config_change_decode(const void *payload, size_t len,
				struct vg_msg_config_change *ret, struct vg_diags *diags);
void vg_msg_config_change_clear(struct vg_msg_config_change *m);

int vg_msg_config_confirm_encode(const struct vg_msg_config_confirm *m, uint32_t sender,
				 uint64_t seq, void **ret_buf, size_t *ret_len);
int vg_msg_config_confirm_decode(const void *payload, size_t len,
				 struct vg_msg_config_confirm *ret, struct vg_diags *diags);

int vg_msg_status_report_encode(const struct vg_msg_status_report *m, uint32_t sender,
				uint64_t seq, void **ret_buf, size_t *ret_len);
int vg_msg_status_report_decode(const void *payload, size_t len,
				struct vg_msg_status_report *ret, struct vg_diags *diags);
void vg_msg_status_report_clear(struct vg_msg_status_report *m);

int vg_msg_status_section_encode(const struct vg_msg_status_section *m, uint32_t sender,
				 uint64_t seq, void **ret_buf, size_t *ret_len);
int vg_msg_status_section_decode(const void *payload, size_t len,
				 struct vg_msg_status_section *ret, struct vg_diags *diags);
void vg_msg_status_section_clear(struct vg_msg_status_section *m);

int vg_msg_rsc_encode(const struct vg_msg_rsc *m, uint32_t sender, uint64_t seq,
		      void **ret_buf, size_t *ret_len);
int vg_msg_rsc_decode(const void *payload, size_t len, struct vg_msg_rsc *ret,
		      struct vg_diags *diags);
void vg_msg_rsc_clear(struct vg_msg_rsc *m);

int vg_msg_fence_encode(const struct vg_msg_fence *m, uint32_t sender, uint64_t seq,
			void **ret_buf, size_t *ret_len);
int vg_msg_fence_decode(const void *payload, size_t len, struct vg_msg_fence *ret,
			struct vg_diags *diags);
void vg_msg_fence_clear(struct vg_msg_fence *m);

/** Cuts @frame (a whole frame, > VG_WIRE_FRAGMENT_BYTES) into FRAGMENT frames,
 *  all carrying @seq (the sequence number of the frame they carry).
 *  *ret_frames is a malloc'ed array of *ret_n malloc'ed frames with their
 *  lengths in *ret_lens; free each, then both arrays. */
int vg_wire_fragment(const void *frame, size_t len, uint32_t sender, uint64_t seq,
		     uint64_t xfer_id, void ***ret_frames, size_t **ret_lens, size_t *ret_n);
/** Decodes the payload of a FRAGMENT frame; data points into @payload. */
int vg_msg_fragment_decode(const void *payload, size_t len, struct vg_msg_fragment *ret,
			   struct vg_diags *diags);

/* Reassembly of fragments from one sender.  Zeroed is empty. */
struct vg_reasm {
	uint64_t xfer_id;
	uint32_t next_index;
	uint32_t count;
	uint32_t total_len;
	uint32_t total_crc;
	uint8_t *buf;
	size_t have;
	bool active;
};

/** Feeds one fragment.  Returns 1 with the whole frame in *ret_frame and *ret_len
 *  (malloc'ed, caller frees) when it completes one, 0 when more is needed,
 *  -EBADMSG when the fragment does not fit (the transfer is dropped: a
 *  fragment out of order, sizes that disagree, a bad final checksum).
 *  A fragment with index 0 starts a new transfer, dropping any unfinished one. */
int vg_reasm_feed(struct vg_reasm *r, const struct vg_msg_fragment *f, void **ret_frame,
		  size_t *ret_len, struct vg_diags *diags);
/** Drops an unfinished transfer (its sender left). */
void vg_reasm_clear(struct vg_reasm *r);

#endif /* VIGIL_WIRE_H */
