/*
 * store.h - the configuration on this node's disk.
 *
 * One file, STATE_DIR/cib.xml: the canonical document (N bytes), then a last
 * line
 *   <!-- vigil-cib2 term=T length=N crc32=XXXXXXXX -->
 * with the document's commit term T (doc/daemon.md) and the CRC-32 of the N
 * bytes followed by the line's own text up to " crc32=", so that a changed
 * term is caught like a changed document.  Files of earlier versions still
 * load: "<!-- vigil-cib crc32=X length=N -->" (term 0) and
 * "<!-- vigil-cib crc32=X length=N term=T -->" (CRC of the document only);
 * the next write replaces them.  The trailer makes a torn or edited file
 * detectable while the file stays well-formed XML (a comment may follow the
 * root element, not precede the XML declaration) that crm_verify and people
 * can read.  A write goes to cib.xml.tmp, is fsync'ed, renamed over
 * cib.xml, and the folder is fsync'ed: a crash leaves the old or the new file,
 * never a mix.
 *
 * Writes run on a worker thread (fsync may take long; the main loop must not
 * wait for it) and complete on the caller's qb_loop through @done.
 *
 * Ownership: the store is the caller's (crmd_store_free() waits for a write in
 * progress).  Loaded text in *ret_xml is the caller's (free()).
 */
#ifndef VIGIL_CRMD_STORE_H
#define VIGIL_CRMD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <qb/qbloop.h>

struct crmd_store;

typedef void (*crmd_store_done_fn)(void *ctx, uint64_t write_id, int rc);

/** Creates @dir (0750) when missing and starts the writer.  -errno. */
int crmd_store_new(qb_loop_t *loop, const char *dir, crmd_store_done_fn done, void *ctx,
		   struct crmd_store **ret_store);
void crmd_store_free(struct crmd_store *s);

/** Queues a write; @done(ctx, write_id, 0 or -errno) follows on the loop.
 *  One write at a time: -EBUSY when one is in progress. */
int crmd_store_write(struct crmd_store *s, uint64_t write_id, const char *xml, size_t len,
		     uint64_t term);

/** Reads @dir/cib.xml.  0 with the document; -ENOENT when there is none;
 *  *ret_term is the stored commit term;
 *  -EBADMSG when it is damaged (bad trailer, length or checksum, or not a valid
 *  document): then it has been renamed to cib.xml.corrupt-<seconds since the
 *  epoch> and *ret_problem (caller frees) says what was wrong and where it went. */
int crmd_store_load(const char *dir, char **ret_xml, size_t *ret_len, uint64_t *ret_term,
		    char **ret_problem);

/** Builds the file contents for @xml (document + trailer), for tests and tools. */
int crmd_store_format(const char *xml, size_t len, uint64_t term, char **ret_buf,
		      size_t *ret_len);

#endif /* VIGIL_CRMD_STORE_H */
