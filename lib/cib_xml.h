/*
 * cib_xml.h - reading, validating and writing the cluster document as XML.
 *
 * Reading is hardened: no network, no external entities, no DTD loading, and a
 * size bound (VG_CIB_MAX_BYTES).  A document is checked in three steps, each of
 * which reports into the caller's diagnostics with a line number and the
 * element's path/id: well-formed XML, our RelaxNG schema (schema/vigil.rng,
 * compiled into the library), then meaning (vg_cib_check()).  Anything we do not
 * support yet is an error naming it, never silently dropped.
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
 *  0, -EINVAL (diagnostics say why), -EFBIG, -ENOMEM. */
int vg_cib_read_memory(const char *buf, size_t len, struct vg_cib **ret_cib,
		       struct vg_diags *diags);

/** The same for a file ("-" is standard input).  Also -errno from open/read. */
int vg_cib_read_file(const char *path, struct vg_cib **ret_cib, struct vg_diags *diags);

/** Checks the meaning of a document (duplicate ids, unknown references, bad
 *  scores and durations, unknown property values, contradictory constraints).
 *  0 or -EINVAL with diagnostics. */
int vg_cib_check(const struct vg_cib *cib, struct vg_diags *diags);

/** Writes the document canonically: fixed element and attribute order, two-space
 *  indentation, a trailing newline.  The buffer is NUL-terminated; *ret_len
 *  excludes the NUL. 0 or -ENOMEM. */
int vg_cib_write(const struct vg_cib *cib, char **ret_buf, size_t *ret_len);

#endif /* VIGIL_CIB_XML_H */
