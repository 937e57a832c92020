/* diag.c - see diag.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

void vg_diags_vadd(struct vg_diags *d, enum vg_severity sev, int line, const char *where,
		   const char *fmt, va_list ap)
{
	if (sev == VG_DIAG_ERROR)
		d->n_errors++;

	struct vg_diag *grown = realloc(d->v, (d->n + 1) * sizeof(*d->v));
	if (!grown)
		return;
	d->v = grown;

	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	char *w = NULL;
	if (where && !(w = strdup(where))) {
		free(msg);
		return;
	}
	d->v[d->n++] = (struct vg_diag){ .severity = sev, .line = line, .where = w, .message = msg };
}

void vg_diags_add(struct vg_diags *d, enum vg_severity sev, int line, const char *where,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vg_diags_vadd(d, sev, line, where, fmt, ap);
	va_end(ap);
}

void vg_diags_clear(struct vg_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].where);
		free(d->v[i].message);
	}
	free(d->v);
	*d = (struct vg_diags){ 0 };
}

void vg_diags_print(const struct vg_diags *d, const char *source, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct vg_diag *e = &d->v[i];
		if (source)
			fprintf(out, "%s:", source);
		if (e->line > 0)
			fprintf(out, "%d:", e->line);
		if (source || e->line > 0)
			fputc(' ', out);
		fputs(e->severity == VG_DIAG_ERROR ? "error: " : "warning: ", out);
		if (e->where)
			fprintf(out, "%s: ", e->where);
		fprintf(out, "%s\n", e->message);
	}
}
