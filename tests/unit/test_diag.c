/* test_diag.c - diagnostics list: entries, counts, printing. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"

static void test_add_and_print(void **state)
{
	struct vg_diags d = { 0 };
	vg_diags_add(&d, VG_DIAG_ERROR, 12, "primitive[@id='vm1']", "bad score '%s'", "x");
	vg_diags_add(&d, VG_DIAG_WARNING, 0, NULL, "just so");
	assert_int_equal(d.n, 2);
	assert_int_equal(d.n_errors, 1);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	vg_diags_print(&d, "cib.xml", f);
	fclose(f);
	assert_string_equal(buf, "cib.xml:12: error: primitive[@id='vm1']: bad score 'x'\n"
				 "cib.xml: warning: just so\n");
	free(buf);
	vg_diags_clear(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
