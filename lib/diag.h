/*
 * diag.h - diagnostics: how lib/ and policy/ report problems without logging.
 *
 * Libraries never print.  A caller hands them a struct vg_diags; they append one
 * entry per problem, with where it was found, and return -EINVAL (or another
 * -errno).  The caller decides whether to print, log or send them.
 *
 * Ownership: the list owns its entries and their strings; vg_diags_clear()
 * releases them and leaves an empty list that may be reused.  A zeroed struct
 * is an empty list.
 */
#ifndef VIGIL_DIAG_H
#define VIGIL_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum vg_severity {
	VG_DIAG_ERROR,
	VG_DIAG_WARNING,
};

struct vg_diag {
	enum vg_severity severity;
	int line;               /* 0 when unknown */
	char *where;            /* element path and id, e.g. "primitive[@id='vm1']"; may be NULL */
	char *message;
};

struct vg_diags {
	struct vg_diag *v;
	size_t n;
	size_t n_errors;
};

/** Appends an entry.  Out of memory drops the entry but still counts an error,
 *  so a caller never mistakes a failed report for success. */
void vg_diags_add(struct vg_diags *d, enum vg_severity sev, int line, const char *where,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void vg_diags_vadd(struct vg_diags *d, enum vg_severity sev, int line, const char *where,
		   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/** Releases every entry. */
void vg_diags_clear(struct vg_diags *d);

/** Prints every entry as "SOURCE:LINE: error: WHERE: MESSAGE", one per line.
 *  @source names the input (a file name); NULL leaves it out. */
void vg_diags_print(const struct vg_diags *d, const char *source, FILE *out);

#endif /* VIGIL_DIAG_H */
