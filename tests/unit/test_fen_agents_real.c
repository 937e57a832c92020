/* test_fen_agents_real.c - metadata of real fence-agents programs (Debian's
 * fence-agents package): fence_dummy and, when present, fence_ipmilan.
 * Skips (77) when fence_dummy is not installed. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fen_cib_build.h"
#include "fen_meta.h"

static bool diags_have(const struct vg_diags *d, enum vg_severity sev, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && strstr(d->v[i].message, needle))
			return true;
	return false;
}

static void test_fence_dummy(void **state)
{
	struct fen_meta *m = NULL;
	struct vg_diags d = { 0 };
	assert_int_equal(fen_meta_load(NULL, "fence_dummy", 30000, &m, &d), 0);
	assert_string_equal(m->agent, "fence_dummy");
	assert_non_null(fen_meta_param(m, "action"));
	assert_true(fen_meta_param(m, "action")->required);
	assert_non_null(fen_meta_param(m, "random_sleep_range"));
	assert_string_equal(fen_meta_param(m, "debug_file")->obsoletes, "debug");
	assert_true(fen_meta_has_action(m, "reboot"));
	assert_true(fen_meta_has_action(m, "metadata"));

	struct vg_resource dev = STONITH("dummy", "fence_dummy", NV("random_sleep_range", "2"),
					 NV("debug", "/tmp/x"), NV("random_sleep_rnage", "2"),
					 NV("pcmk_host_list", "n1"));
	assert_int_equal(fen_meta_validate(m, &dev, &d), 0);
	assert_true(diags_have(&d, VG_DIAG_WARNING, "no parameter 'random_sleep_rnage'"));
	assert_true(diags_have(&d, VG_DIAG_WARNING, "'debug' is deprecated; use 'debug_file'"));
	assert_int_equal(d.n, 2);
	vg_diags_clear(&d);
	fen_meta_free(m);
}

static void test_fence_ipmilan(void **state)
{
	if (access("/usr/sbin/fence_ipmilan", X_OK) != 0)
		skip();
	struct fen_meta *m = NULL;
	struct vg_diags d = { 0 };
	assert_int_equal(fen_meta_load(NULL, "fence_ipmilan", 30000, &m, &d), 0);
	assert_true(m->n_params > 20);
	assert_string_equal(fen_meta_param(m, "ip")->obsoletes, "ipaddr");
	struct vg_resource dev = STONITH("ipmi", "fence_ipmilan", NV("ipaddr", "10.0.0.9"),
					 NV("username", "admin"), NV("password", "x"),
					 NV("lanplus", "1"));
	assert_int_equal(fen_meta_validate(m, &dev, &d), 0);
	assert_true(diags_have(&d, VG_DIAG_WARNING, "'ipaddr' is deprecated; use 'ip'"));
	vg_diags_clear(&d);
	fen_meta_free(m);
}

int main(void)
{
	if (access("/usr/sbin/fence_dummy", X_OK) != 0)
		return 77;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fence_dummy),
		cmocka_unit_test(test_fence_ipmilan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
