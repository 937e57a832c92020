/* fuzz_cib.c - libFuzzer target for the cluster document reader.
 *
 * Any input: the reader must not crash, leak or hang, and must either refuse
 * it with at least one error or accept it.  What it accepts must survive the
 * round trip: write, read back, equal structs, and the writer a fixed point.
 * Built and run briefly by tests/fuzz-cib.sh. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cib_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_diags d = { 0 };
	struct vg_cib *cib = NULL;
	int r = vg_cib_read_memory((const char *)data, size, &cib, &d);
	if (r < 0) {
		if (d.n_errors == 0 && r != -ENOMEM)
			abort(); /* refused without saying why */
		vg_diags_clear(&d);
		return 0;
	}
	if (d.n_errors)
		abort(); /* accepted with errors */
	char *w1 = NULL, *w2 = NULL;
	size_t l1 = 0, l2 = 0;
	if (vg_cib_write(cib, &w1, &l1) < 0)
		abort();
	struct vg_cib *again = NULL;
	struct vg_diags d2 = { 0 };
	if (vg_cib_read_memory(w1, l1, &again, &d2) < 0)
		abort(); /* we wrote what we cannot read */
	if (!vg_cib_equal(cib, again))
		abort();
	if (vg_cib_write(again, &w2, &l2) < 0 || l1 != l2 || memcmp(w1, w2, l1))
		abort();
	struct vg_cib *copy = NULL;
	if (vg_cib_dup(cib, &copy) < 0 || !vg_cib_equal(cib, copy))
		abort();
	vg_cib_free(copy);
	vg_cib_free(again);
	vg_cib_free(cib);
	free(w1);
	free(w2);
	vg_diags_clear(&d);
	vg_diags_clear(&d2);
	return 0;
}
