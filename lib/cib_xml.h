/*
 * cib_xml.h - reading, validating and writing the cluster document as XML.
 *
 * Reading is hardened: no network, no DTD (a DOCTYPE is refused, so no
 * entities), UTF-8 only, a size bound (VG_CIB_MAX_BYTES).  A document is checked
 * in steps, each of which reports into the caller's diagnostics with a line
 * number and the element's path/id: well-formed XML; one pass that refuses
 * anything we do not support yet (naming it) and fills the structs; our
 * RelaxNG schema (schema/vigil.rng, compiled into the library) for the
 * configuration; then meaning (vg_cib_check()).  doc/cib.md has the details
 * and the exact subset.
 *
 * libxml2 never writes to stderr from these calls: they install their own
 * error handlers (thread-local in libxml2) and restore the caller's.  A
 * program that reads documents from several threads must call libxml2's
 * xmlInitParser() once first, as libxml2 requires.
 *
 * Ownership: *ret_cib and *ret_buf belong to the caller (vg_cib_free(), free()).
 * They are set only on success.
 */
#ifndef VIGIL_CIB_XML_H
#define VIGIL_CIB_XML_H

#include <stddef.h>

#include "cib.h"
#include "diag.h"

#define VG_CIB_MAX_BYTES (256u * 1024u * 1024u)

/** Parses and checks (XML, schema, meaning) a document held in memory.
 *  0 (warnings may have been added), -EINVAL (diagnostics say why), -EFBIG
 *  (larger than VG_CIB_MAX_BYTES; a diagnostic says so), -ENOMEM. */
int vg_cib_read_memory(const char *buf, size_t len, struct vg_cib **ret_cib,
		       struct vg_diags *diags);

/** The same for a file ("-" is standard input).  Also -errno from open/read,
 *  without a diagnostic (the caller names the file and says why). */
int vg_cib_read_file(const char *path, struct vg_cib **ret_cib, struct vg_diags *diags);

/** Checks the meaning of a document (duplicate ids, unknown references, bad
 *  scores and durations, unknown properties and bad values, contradictory
 *  constraints), and for documents built in memory also what the reader
 *  guarantees (required fields).  The readers call it.  0 (warnings may have
 *  been added), -EINVAL with diagnostics, -ENOMEM. */
int vg_cib_check(const struct vg_cib *cib, struct vg_diags *diags);

/** Writes the document canonically: fixed element and attribute order, two-space
 *  indentation, a trailing newline.  The buffer is NUL-terminated; *ret_len
 *  excludes the NUL.  Read -> write -> read gives vg_cib_equal() structs, and
 *  writing what was read back from our output gives the same bytes.  0,
 *  -EINVAL (a string is not valid UTF-8 or holds a control character XML
 *  cannot carry), -ENOMEM. */
int vg_cib_write(const struct vg_cib *cib, char **ret_buf, size_t *ret_len);

#endif /* VIGIL_CIB_XML_H */
