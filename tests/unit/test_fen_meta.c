/* test_fen_meta.c - agent metadata: parsing (hardened), validation of a
 * device's instance attributes, loading it from the test agent. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fen_cib_build.h"
#include "fen_meta.h"
#include "fen_test_util.h"

static bool diags_have(const struct vg_diags *d, enum vg_severity sev, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && strstr(d->v[i].message, needle))
			return true;
	return false;
}

static struct fen_meta *load_vgtest(void)
{
	static const char *const dirs[] = { FEN_TEST_AGENT_DIR, NULL };
	struct fen_meta *m = NULL;
	struct vg_diags d = { 0 };
	assert_int_equal(fen_meta_load(dirs, "fence_vgtest", 10000, &m, &d), 0);
	assert_int_equal(d.n, 0);
	return m;
}

static void test_load_and_parse(void **state)
{
	int fds = fen_test_count_fds();
	struct fen_meta *m = load_vgtest();
	assert_int_equal(fen_test_count_fds(), fds);
	assert_true(fen_test_no_children());

	assert_string_equal(m->agent, "fence_vgtest");
	assert_string_equal(m->shortdesc, "Vigil's test fence agent");
	assert_int_equal(m->n_params, 9);
	const struct fen_meta_param *p = fen_meta_param(m, "action");
	assert_non_null(p);
	assert_true(p->required);
	assert_string_equal(p->type, "string");
	assert_string_equal(p->default_value, "reboot");
	assert_string_equal(p->shortdesc, "Fencing action");
	p = fen_meta_param(m, "username");
	assert_string_equal(p->obsoletes, "login");
	assert_false(p->deprecated);
	assert_true(fen_meta_param(m, "login")->deprecated);
	assert_string_equal(fen_meta_param(m, "mode")->type, "select");
	assert_null(fen_meta_param(m, "nope"));
	assert_true(fen_meta_has_action(m, "list"));
	assert_true(fen_meta_has_action(m, "reboot"));
	assert_false(fen_meta_has_action(m, "dance"));
	assert_int_equal(m->n_actions, 7);
	fen_meta_free(m);
	fen_meta_free(NULL);
}

static void test_validate(void **state)
{
	struct fen_meta *m = load_vgtest();
	struct vg_diags d = { 0 };

	struct vg_resource good = STONITH("f1", "fence_vgtest", NV("username", "admin"),
					  NV("secret", "s"), NV("pcmk_host_list", "n1"),
					  NV("mode", "ok"));
	assert_int_equal(fen_meta_validate(m, &good, &d), 0);
	assert_int_equal(d.n, 0);

	/* The old name satisfies the requirement, with a warning; a typo is a
	 * warning; a required parameter missing is an error. */
	struct vg_resource bad = STONITH("f2", "fence_vgtest", NV("login", "admin"),
					 NV("mdoe", "ok"), NV("plug", "p1"));
	assert_int_equal(fen_meta_validate(m, &bad, &d), -EINVAL);
	assert_int_equal(d.n_errors, 1);
	assert_true(diags_have(&d, VG_DIAG_ERROR, "fence_vgtest requires parameter 'secret'"));
	assert_true(diags_have(&d, VG_DIAG_WARNING, "has no parameter 'mdoe'"));
	assert_true(diags_have(&d, VG_DIAG_WARNING, "'login' is deprecated; use 'username'"));
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0].where, "primitive[@id='f2']");
	vg_diags_clear(&d);

	/* Neither name given: one error, under the current name. */
	struct vg_resource none = STONITH("f3", "fence_vgtest", NV("secret", "s"));
	assert_int_equal(fen_meta_validate(m, &none, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_true(diags_have(&d, VG_DIAG_ERROR, "requires parameter 'username'"));
	vg_diags_clear(&d);
	fen_meta_free(m);
}

static void test_hardened_parse(void **state)
{
	static const char *const bad[] = {
		/* external entity */
		"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<resource-agent name=\"&x;\"/>",
		/* entity expansion */
		"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
		"<resource-agent name=\"&b;\"/>",
		/* external DTD */
		"<?xml version=\"1.0\"?><!DOCTYPE resource-agent SYSTEM \"http://127.0.0.1:9/ra.dtd\">"
		"<resource-agent name=\"x\"/>",
		"<resource-agent name=\"x\">",
		"<other/>",
		"not xml at all",
		"",
	};
	for (size_t i = 0; i < ARRAY_N(bad); i++) {
		struct fen_meta *m = NULL;
		struct vg_diags d = { 0 };
		assert_int_equal(fen_meta_parse(bad[i], strlen(bad[i]), &m, &d), -EINVAL);
		assert_null(m);
		assert_int_equal(d.n_errors, 1);
		vg_diags_clear(&d);
	}
	struct fen_meta *m = NULL;
	struct vg_diags d = { 0 };
	assert_int_equal(fen_meta_parse("<x/>", 2u * 1024 * 1024, &m, &d), -EFBIG);

	/* Minimal but valid; parameters without a name are skipped. */
	const char *ok = "<resource-agent name=\"fence_min\"><parameters><parameter/>"
			 "<parameter name=\"ip\" required=\"true\"><shortdesc lang=\"de\">Adresse</shortdesc>"
			 "<shortdesc>Address</shortdesc></parameter></parameters></resource-agent>";
	assert_int_equal(fen_meta_parse(ok, strlen(ok), &m, &d), 0);
	assert_int_equal(m->n_params, 1);
	assert_true(m->params[0].required);
	assert_string_equal(m->params[0].shortdesc, "Address");
	assert_null(m->params[0].type);
	assert_int_equal(m->n_actions, 0);
	fen_meta_free(m);
}

static void test_load_errors(void **state)
{
	static const char *const dirs[] = { FEN_TEST_AGENT_DIR, NULL };
	struct fen_meta *m = NULL;
	struct vg_diags d = { 0 };
	assert_int_equal(fen_meta_load(dirs, "fence_nonexistent", 1000, &m, &d), -ENOENT);
	assert_int_equal(fen_meta_load(dirs, "../fence_vgtest", 1000, &m, &d), -EINVAL);
	assert_null(m);
	assert_true(fen_test_no_children());
}

/* The project's own lab agent speaks the same protocol. */
static void test_lab_agent(void **state)
{
	static const char *const dirs[] = { VG_SRCDIR "/scripts", NULL };
	struct fen_meta *m = NULL;
	struct vg_diags d = { 0 };
	assert_int_equal(fen_meta_load(dirs, "fence_vigil_lab", 10000, &m, &d), 0);
	assert_string_equal(m->agent, "fence_vigil_lab");
	assert_true(fen_meta_has_action(m, "list"));
	assert_true(fen_meta_has_action(m, "status"));
	assert_string_equal(fen_meta_param(m, "plug")->obsoletes, "port");
	/* plug is required but supplied by the fencer: a bare device is fine. */
	struct vg_resource dev = STONITH("lab", "fence_vigil_lab", NV("pcmk_host_list", "n1 n2 n3"));
	assert_int_equal(fen_meta_validate(m, &dev, &d), 0);
	assert_int_equal(d.n, 0);
	fen_meta_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_parse),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_hardened_parse),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_lab_agent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
