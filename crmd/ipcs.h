/*
 * ipcs.h - vigild's libqb IPC server (service "vigil") on the main loop.
 *
 * Who may connect is decided when the client connects, from the credentials
 * the kernel reports for it: root, or a user whose primary or supplementary
 * groups include "haclient".  When that group does not exist, only root.
 * Anyone else is refused with EACCES, which the client reports as
 * "permission denied".
 *
 * A message is a qb IPC header followed by JSON text (the client protocol,
 * doc/daemon.md).  Each connection gets a client id; a reply names that id and
 * may come much later (a configuration change waits for the whole cluster).
 *
 * Ownership: the server is the caller's; crmd_ipcs_free() disconnects every
 * client.  Request text is valid during the callback only.
 */
#ifndef VIGIL_CRMD_IPCS_H
#define VIGIL_CRMD_IPCS_H

#include <stddef.h>
#include <stdint.h>

#include <qb/qbloop.h>

/* The largest request or reply. */
#define CRMD_IPC_MAX_BYTES (16u * 1024u * 1024u)

struct crmd_ipcs_callbacks {
	void (*request)(void *ctx, uint64_t client_id, const char *json, size_t len);
	void (*gone)(void *ctx, uint64_t client_id);
	/* One line for the daemon's log. */
	void (*log)(void *ctx, int level, const char *msg);
};

struct crmd_ipcs;

/** Starts serving @name on @loop. -errno. */
int crmd_ipcs_new(qb_loop_t *loop, const char *name, const struct crmd_ipcs_callbacks *cb,
		  void *ctx, struct crmd_ipcs **ret_ipcs);
void crmd_ipcs_free(struct crmd_ipcs *s);

/** Sends @json to the client; -ENOTCONN when it is gone. */
int crmd_ipcs_reply(struct crmd_ipcs *s, uint64_t client_id, const char *json);

#endif /* VIGIL_CRMD_IPCS_H */
