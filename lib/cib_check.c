/* cib_check.c - the meaning of a cluster document; see cib_xml.h. */
#include "config.h"

#include <errno.h>

#include "cib_xml.h"

int vg_cib_check(const struct vg_cib *cib, struct vg_diags *diags)
{
	size_t before = diags->n_errors;
	return diags->n_errors > before ? -EINVAL : 0;
}
