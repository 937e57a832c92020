/* test_cib_roundtrip.c - read -> write -> read gives equal structs, and the
 * writer is a fixed point (write(read(write(x))) == write(x)), over: a rich
 * document written here, a document built as structs, every file in
 * tests/data/valid/, and every Pacemaker CTS input that loads
 * (../shared/pacemaker-cts-2.1.5/, when present).  Also: which CTS inputs
 * load, against what we expect. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "cib_schema.h"
#include "cib_xml.h"

static const char rich_doc[] =
	"<cib crm_feature_set=\"3.16.2\" validate-with=\"pacemaker-3.8\" epoch=\"42\" "
	"num_updates=\"7\" admin_epoch=\"1\" cib-last-written=\"Tue Jan  3 10:00:00 2023\" "
	"update-origin=\"n1\" update-client=\"cibadmin\" update-user=\"root\" have-quorum=\"1\" "
	"dc-uuid=\"1\">\n"
	"  <configuration>\n"
	"    <crm_config>\n"
	"      <cluster_property_set id=\"opts\">\n"
	"        <nvpair id=\"opts-stonith\" name=\"stonith-enabled\" value=\"true\"/>\n"
	"        <nvpair id=\"opts-nq\" name=\"no-quorum-policy\" value=\"stop\"/>\n"
	"        <nvpair id=\"opts-ps\" name=\"placement-strategy\" value=\"balanced\"/>\n"
	"        <nvpair id=\"opts-st\" name=\"stonith-timeout\" value=\"PT1M30S\"/>\n"
	"        <nvpair id=\"opts-name\" name=\"cluster-name\" value=\"a &amp; b &lt;c&gt; &quot;d&quot; &#9;&#10;\"/>\n"
	"      </cluster_property_set>\n"
	"    </crm_config>\n"
	"    <nodes>\n"
	"      <node id=\"1\" uname=\"n1\" type=\"member\" description=\"first\">\n"
	"        <instance_attributes id=\"n1-attrs\" score=\"5\">\n"
	"          <nvpair id=\"n1-standby\" name=\"standby\" value=\"off\"/>\n"
	"          <nvpair id=\"n1-empty\" name=\"rack\"/>\n"
	"        </instance_attributes>\n"
	"        <utilization id=\"n1-util\">\n"
	"          <nvpair id=\"n1-cpu\" name=\"cpu\" value=\"16\"/>\n"
	"          <nvpair id=\"n1-mem\" name=\"memory\" value=\"65536\"/>\n"
	"        </utilization>\n"
	"      </node>\n"
	"      <node id=\"2\" uname=\"n2\" type=\"normal\"/>\n"
	"    </nodes>\n"
	"    <resources>\n"
	"      <primitive id=\"fence1\" class=\"stonith\" type=\"fence_ipmilan\">\n"
	"        <instance_attributes id=\"fence1-params\">\n"
	"          <nvpair id=\"fence1-hosts\" name=\"pcmk_host_list\" value=\"n1 n2\"/>\n"
	"        </instance_attributes>\n"
	"      </primitive>\n"
	"      <primitive id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\" description=\"web\">\n"
	"        <operations id=\"vm1-ops\">\n"
	"          <op id=\"vm1-mon\" name=\"monitor\" interval=\"10s\" timeout=\"30s\" role=\"Started\" on-fail=\"restart\" enabled=\"true\" start-delay=\"0\" description=\"watch\">\n"
	"            <meta_attributes id=\"vm1-mon-meta\">\n"
	"              <nvpair id=\"vm1-mon-meta-x\" name=\"record-pending\" value=\"true\"/>\n"
	"            </meta_attributes>\n"
	"            <instance_attributes id=\"vm1-mon-inst\">\n"
	"              <nvpair id=\"vm1-mon-depth\" name=\"OCF_CHECK_LEVEL\" value=\"10\"/>\n"
	"            </instance_attributes>\n"
	"          </op>\n"
	"          <op id=\"vm1-start\" name=\"start\" interval=\"0\" timeout=\"120\"/>\n"
	"          <op id=\"vm1-migrate\" name=\"migrate_to\" interval=\"0\" timeout=\"2min\"/>\n"
	"        </operations>\n"
	"        <utilization id=\"vm1-util\">\n"
	"          <nvpair id=\"vm1-cpu\" name=\"cpu\" value=\"2\"/>\n"
	"        </utilization>\n"
	"        <meta_attributes id=\"vm1-meta\">\n"
	"          <nvpair id=\"vm1-allow\" name=\"allow-migrate\" value=\"true\"/>\n"
	"          <nvpair id=\"vm1-role\" name=\"target-role\" value=\"Started\"/>\n"
	"        </meta_attributes>\n"
	"        <instance_attributes id=\"vm1-params\">\n"
	"          <nvpair id=\"vm1-config\" name=\"config\" value=\"/etc/libvirt/qemu/vm1.xml\"/>\n"
	"        </instance_attributes>\n"
	"      </primitive>\n"
	"      <primitive id=\"vm2\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">\n"
	"        <instance_attributes id=\"vm2-params\">\n"
	"          <nvpair id=\"vm2-config\" name=\"config\" value=\"/etc/libvirt/qemu/vm2.xml\"/>\n"
	"        </instance_attributes>\n"
	"      </primitive>\n"
	"    </resources>\n"
	"    <constraints>\n"
	"      <rsc_order id=\"o1\" first=\"vm1\" then=\"vm2\" first-action=\"start\" then-action=\"start\" kind=\"Optional\" symmetrical=\"false\"/>\n"
	"      <rsc_location id=\"l1\" rsc=\"vm1\" node=\"n1\" score=\"+INFINITY\" role=\"Started\" resource-discovery=\"always\"/>\n"
	"      <rsc_colocation id=\"c1\" rsc=\"vm2\" with-rsc=\"vm1\" score=\"-200\" rsc-role=\"Started\" with-rsc-role=\"Started\" node-attribute=\"rack\"/>\n"
	"      <rsc_order id=\"o2\" first=\"vm2\" then=\"fence1\" score=\"0\"/>\n"
	"      <rsc_location id=\"l2\" rsc=\"vm2\">\n"
	"        <rule id=\"l2-r\" score=\"-INFINITY\" boolean-op=\"or\">\n"
	"          <expression id=\"l2-e1\" attribute=\"#uname\" operation=\"eq\" value=\"n2\"/>\n"
	"          <expression id=\"l2-e2\" attribute=\"ram\" operation=\"lt\" value=\"1024\" type=\"integer\"/>\n"
	"          <rule id=\"l2-r2\" score-attribute=\"prefer\">\n"
	"            <expression id=\"l2-e3\" attribute=\"prefer\" operation=\"defined\"/>\n"
	"          </rule>\n"
	"        </rule>\n"
	"      </rsc_location>\n"
	"    </constraints>\n"
	"    <fencing-topology>\n"
	"      <fencing-level id=\"fl1\" target=\"n1\" index=\"1\" devices=\"fence1\"/>\n"
	"      <fencing-level id=\"fl2\" target-pattern=\"n.*\" index=\"2\" devices=\"fence1\"/>\n"
	"      <fencing-level id=\"fl3\" target-attribute=\"rack\" target-value=\"r1\" index=\"3\" devices=\"fence1\"/>\n"
	"    </fencing-topology>\n"
	"    <op_defaults>\n"
	"      <meta_attributes id=\"opd\">\n"
	"        <nvpair id=\"opd-timeout\" name=\"timeout\" value=\"20s\"/>\n"
	"      </meta_attributes>\n"
	"    </op_defaults>\n"
	"    <rsc_defaults>\n"
	"      <meta_attributes id=\"rscd\">\n"
	"        <nvpair id=\"rscd-stick\" name=\"resource-stickiness\" value=\"100\"/>\n"
	"      </meta_attributes>\n"
	"    </rsc_defaults>\n"
	"    <acls/>\n"
	"  </configuration>\n"
	"  <status>\n"
	"    <node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" crm-debug-origin=\"do_update_resource\" join=\"member\" expected=\"member\" shutdown=\"0\">\n"
	"      <lrm id=\"1\">\n"
	"        <lrm_resources id=\"1-res\">\n"
	"          <lrm_resource id=\"vm1\" type=\"VirtualDomain\" class=\"ocf\" provider=\"heartbeat\" shutdown-lock=\"1578348332\">\n"
	"            <lrm_rsc_op id=\"vm1_last_0\" operation_key=\"vm1_migrate_from_0\" operation=\"migrate_from\" crm-debug-origin=\"x\" crm_feature_set=\"3.16.2\" transition-key=\"1:2:0:abc\" transition-magic=\"0:0;1:2:0:abc\" exit-reason=\"\" on_node=\"n1\" call-id=\"-1\" rc-code=\"0\" op-status=\"0\" interval=\"0\" last-run=\"1600000000\" last-rc-change=\"1600000001\" exec-time=\"10\" queue-time=\"0\" op-digest=\"d\" migrate_source=\"n2\" migrate_target=\"n1\"/>\n"
	"            <lrm_rsc_op id=\"vm1_monitor_10000\" operation=\"monitor\" call-id=\"3\" rc-code=\"0\" op-status=\"0\" interval=\"10000\"/>\n"
	"          </lrm_resource>\n"
	"        </lrm_resources>\n"
	"      </lrm>\n"
	"      <transient_attributes id=\"1\">\n"
	"        <instance_attributes id=\"status-1\">\n"
	"          <nvpair id=\"status-1-fail-count-vm1\" name=\"fail-count-vm1#monitor_10000\" value=\"1\"/>\n"
	"        </instance_attributes>\n"
	"      </transient_attributes>\n"
	"    </node_state>\n"
	"    <node_state uname=\"n2\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"/>\n"
	"  </status>\n"
	"</cib>\n";

static void schema_error(void *ctx, xmlErrorPtr err)
{
	print_error("%s:%d: schema: %s", (const char *)ctx, err->line,
		    err->message ? err->message : "?\n");
}

/* The reader validates the status section with its own tables, not with the
 * schema (see cib_read.c); here the whole document, status included, must
 * satisfy the schema too, so the two never drift apart. */
static void assert_schema_valid(const char *name, const char *buf, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(buf, (int)len, NULL, "UTF-8", XML_PARSE_NONET);
	assert_non_null(doc);
	xmlRelaxNGParserCtxtPtr p = xmlRelaxNGNewMemParserCtxt((const char *)vg_cib_schema_rng,
							       (int)vg_cib_schema_rng_len);
	assert_non_null(p);
	xmlRelaxNGPtr schema = xmlRelaxNGParse(p);
	assert_non_null(schema);
	xmlRelaxNGValidCtxtPtr v = xmlRelaxNGNewValidCtxt(schema);
	assert_non_null(v);
	xmlRelaxNGSetValidStructuredErrors(v, schema_error, (void *)name);
	if (xmlRelaxNGValidateDoc(v, doc) != 0) {
		print_error("%s: loads, but the full document does not satisfy schema/vigil.rng\n",
			    name);
		fail();
	}
	xmlRelaxNGFreeValidCtxt(v);
	xmlRelaxNGFree(schema);
	xmlRelaxNGFreeParserCtxt(p);
	xmlFreeDoc(doc);
}

/* One round: 0 when @buf loads (then the round trip must hold), 1 when it
 * does not load (nothing asserted; *ret_diags says why). */
static int round_trip(const char *name, const char *buf, size_t len, struct vg_diags *ret_diags)
{
	struct vg_cib *a = NULL, *b = NULL, *c = NULL;
	if (vg_cib_read_memory(buf, len, &a, ret_diags) < 0)
		return 1;
	assert_schema_valid(name, buf, len);
	char *w1 = NULL, *w2 = NULL;
	size_t l1 = 0, l2 = 0;
	assert_int_equal(vg_cib_write(a, &w1, &l1), 0);
	assert_int_equal(strlen(w1), l1);
	assert_true(l1 > 0 && w1[l1 - 1] == '\n');
	assert_schema_valid(name, w1, l1);
	struct vg_diags d = { 0 };
	if (vg_cib_read_memory(w1, l1, &b, &d) < 0) {
		print_error("%s: the written document does not load:\n", name);
		vg_diags_print(&d, name, stderr);
		fail();
	}
	if (!vg_cib_equal(a, b)) {
		print_error("%s: read(write(read(x))) differs from read(x)\n", name);
		fail();
	}
	assert_int_equal(vg_cib_write(b, &w2, &l2), 0);
	if (l1 != l2 || memcmp(w1, w2, l1)) {
		print_error("%s: the writer is not a fixed point\n", name);
		fail();
	}
	assert_int_equal(vg_cib_dup(a, &c), 0);
	assert_true(vg_cib_equal(a, c));
	vg_diags_clear(&d);
	free(w1);
	free(w2);
	vg_cib_free(a);
	vg_cib_free(b);
	vg_cib_free(c);
	return 0;
}

static void test_rich_doc(void **state)
{
	struct vg_diags d = { 0 };
	if (round_trip("rich", rich_doc, strlen(rich_doc), &d)) {
		vg_diags_print(&d, "rich", stderr);
		fail();
	}
	/* What the writer makes of it, in full: canonical order, escapes. */
	struct vg_cib *cib = NULL;
	assert_int_equal(vg_cib_read_memory(rich_doc, strlen(rich_doc), &cib, &d), 0);
	assert_int_equal(cib->n_locations, 2);
	assert_int_equal(cib->locations[0].score, VG_SCORE_INFINITY);
	assert_int_equal(cib->locations[1].rules[0].score, -VG_SCORE_INFINITY);
	assert_true(cib->locations[1].rules[0].boolean_or);
	assert_int_equal(cib->locations[1].rules[0].rules[0].exprs[0].op, VG_EXPR_DEFINED);
	assert_int_equal(cib->orders[0].kind, VG_ORDER_OPTIONAL);
	assert_true(cib->orders[1].has_score);
	assert_int_equal(cib->resources[1].ops[0].interval_ms, 10000);
	assert_int_equal(cib->resources[1].ops[2].timeout_ms, 120000);
	assert_string_equal(vg_nvsets_get(&cib->crm_config, "cluster-name"),
			    "a & b <c> \"d\" \t\n");
	assert_null(vg_nvsets_get(&cib->nodes[0].attrs, "rack"));
	assert_string_equal(vg_attrs_get(&cib->node_states[0].lrm[0].extra, "shutdown-lock"),
			    "1578348332");
	assert_int_equal(cib->node_states[0].lrm[0].ops[0].call_id, -1);
	assert_null(cib->node_states[1].id);
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(vg_cib_write(cib, &out, &len), 0);
	assert_non_null(strstr(out, "value=\"a &amp; b &lt;c&gt; &quot;d&quot; &#9;&#10;\""));
	assert_non_null(strstr(out, "<rsc_location id=\"l1\" rsc=\"vm1\" role=\"Started\" "
				    "node=\"n1\" score=\"INFINITY\" resource-discovery=\"always\"/>"));
	/* locations, then colocations, then orders */
	assert_true(strstr(out, "id=\"l2\"") < strstr(out, "id=\"c1\""));
	assert_true(strstr(out, "id=\"c1\"") < strstr(out, "id=\"o1\""));
	assert_null(strstr(out, "<acls"));
	assert_true(strncmp(out, "<cib crm_feature_set=\"3.16.2\" validate-with=\"pacemaker-3.8\" "
				 "epoch=\"42\" num_updates=\"7\" admin_epoch=\"1\" "
				 "cib-last-written=",
			    80) == 0);
	free(out);
	vg_cib_free(cib);
	vg_diags_clear(&d);
}

/* A document built as structs, the way the policy tests build them.  The
 * struct fields are not const, string literals are (-Wwrite-strings). */
#define S(lit) ((char *)(lit))

static void test_built_doc(void **state)
{
	struct vg_nvpair pairs[] = { { .id = S("p1"), .name = S("stonith-enabled"), .value = S("false") } };
	struct vg_nvset sets[] = { { .id = S("opts"), .pairs = pairs, .n_pairs = 1 } };
	struct vg_node nodes[] = { { .id = S("1"), .uname = S("n1") }, { .id = S("2"), .uname = S("n2") } };
	struct vg_nvpair cfg[] = { { .id = S("vm1-config"), .name = S("config"), .value = S("/vm1.xml") } };
	struct vg_nvset inst[] = { { .id = S("vm1-params"), .pairs = cfg, .n_pairs = 1 } };
	struct vg_op ops[] = { { .id = S("vm1-mon"), .name = S("monitor"), .interval = S("10s"),
				 .interval_ms = 10000, .timeout = S("20s"), .timeout_ms = 20000 } };
	struct vg_resource rscs[] = { { .id = S("vm1"), .cls = S("ocf"), .provider = S("heartbeat"),
					.type = S("VirtualDomain"), .instance = { inst, 1 },
					.ops = ops, .n_ops = 1 } };
	struct vg_location locs[] = { { .id = S("l1"), .rsc = S("vm1"), .node = S("n2"), .has_score = true,
					.score = 50 } };
	struct vg_cib cib = {
		.epoch = 3,
		.validate_with = S("pacemaker-3.0"),
		.crm_config = { sets, 1 },
		.nodes = nodes,
		.n_nodes = 2,
		.resources = rscs,
		.n_resources = 1,
		.locations = locs,
		.n_locations = 1,
	};
	struct vg_diags d = { 0 };
	assert_int_equal(vg_cib_check(&cib, &d), 0);
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(vg_cib_write(&cib, &out, &len), 0);
	struct vg_cib *back = NULL;
	if (vg_cib_read_memory(out, len, &back, &d) < 0) {
		vg_diags_print(&d, "built", stderr);
		fail();
	}
	assert_true(vg_cib_equal(&cib, back));
	assert_int_equal(round_trip("built", out, len, &d), 0);
	free(out);
	vg_cib_free(back);
	vg_diags_clear(&d);
}

/* Strings XML cannot carry are refused, not written as broken XML. */
static void test_write_refuses(void **state)
{
	struct vg_nvpair pair = { .id = S("p1"), .name = S("cluster-name"), .value = S("ok") };
	struct vg_nvset set = { .id = S("o"), .pairs = &pair, .n_pairs = 1 };
	struct vg_cib cib = { .validate_with = S("pacemaker-3.0"), .crm_config = { &set, 1 } };
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(vg_cib_write(&cib, &out, &len), 0);
	free(out);
	static const char *const bad[] = { "bell\a", "\xff", "\xc3\x28", "\xed\xa0\x80",
					   "\xc0\xaf", "\xf4\x90\x80\x80", "esc\x1b[0m" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		pair.value = S(bad[i]);
		out = NULL;
		assert_int_equal(vg_cib_write(&cib, &out, &len), -EINVAL);
		assert_null(out);
	}
	/* what XML can carry, escaped, comes back the same */
	pair.value = S("tab\tnl\ncr\r<&>\"' \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_int_equal(vg_cib_write(&cib, &out, &len), 0);
	struct vg_diags d = { 0 };
	struct vg_cib *back = NULL;
	assert_int_equal(vg_cib_read_memory(out, len, &back, &d), 0);
	assert_string_equal(back->crm_config.v[0].pairs[0].value, pair.value);
	vg_cib_free(back);
	free(out);
}

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = NULL;
	size_t cap = 0, len = 0, k;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
	} while (k > 0);
	fclose(f);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the *.xml files in @dir, sorted; NULL when @dir is absent. */
static char **list_xml(const char *dir, size_t *ret_n)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".xml"))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		assert_non_null(names);
		names[n] = strdup(e->d_name);
		assert_non_null(names[n]);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	*ret_n = n;
	return names;
}

static void test_data_valid(void **state)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/tests/data/valid", VG_SRCDIR);
	size_t n = 0;
	char **names = list_xml(dir, &n);
	if (!names || !n) {
		print_message("no documents in %s (yet)\n", dir);
		free(names);
		return;
	}
	size_t failed = 0;
	for (size_t i = 0; i < n; i++) {
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		size_t len;
		char *buf = slurp(path, &len);
		struct vg_diags d = { 0 };
		if (round_trip(names[i], buf, len, &d)) {
			print_error("%s does not load:\n", path);
			vg_diags_print(&d, names[i], stderr);
			failed++;
		}
		vg_diags_clear(&d);
		free(buf);
		free(names[i]);
	}
	free(names);
	print_message("%zu documents in tests/data/valid round-trip\n", n - failed);
	assert_int_equal(failed, 0);
}

/* CTS inputs that use a feature we do not have, each with the feature the
 * reader must name.  Every other input must load. */
static const struct {
	const char *name;
	const char *error;
} cts_unsupported[] = {
	{ "base-score.xml", "attribute 'score' of node is not supported" },
	{ "date-1.xml", "element 'rule' is not supported in 'instance_attributes'" },
	{ "intervals.xml", "operation 'monitor' with interval 40s is defined twice" },
	{ "nvpair-id-ref.xml", "attribute 'id-ref' of nvpair is not supported" },
	{ "op-defaults-2.xml", "element 'rule' is not supported in 'meta_attributes'" },
	{ "op-defaults-3.xml", "element 'rule' is not supported in 'meta_attributes'" },
	{ "op-defaults.xml", "element 'rule' is not supported in 'meta_attributes'" },
	{ "order-wrong-kind.xml", "attribute 'kind' has bad value 'foo'" },
	{ "origin.xml", "attribute 'interval-origin' of op is not supported" },
	{ "per-node-attrs.xml", "element 'rule' is not supported in 'instance_attributes'" },
	{ "rsc-defaults-2.xml", "element 'rule' is not supported in 'meta_attributes'" },
	{ "rsc-defaults.xml", "element 'rule' is not supported in 'meta_attributes'" },
	{ "shutdown-lock-expiration.xml", "element 'alert' is not supported" },
	{ "shutdown-lock.xml", "element 'alert' is not supported" },
	{ "site-specific-params.xml", "element 'rule' is not supported in 'instance_attributes'" },
	{ "stop-unexpected-2.xml", "element 'alert' is not supported" },
};

static const char *cts_expected_error(const char *name)
{
	for (size_t i = 0; i < sizeof(cts_unsupported) / sizeof(*cts_unsupported); i++)
		if (!strcmp(cts_unsupported[i].name, name))
			return cts_unsupported[i].error;
	return NULL;
}

/* Pacemaker's verdict (crm_verify's exit status) on a file. */
static int crm_verify(const char *path)
{
	char cmd[8192 + 4096 + 64];
	snprintf(cmd, sizeof(cmd), "'%s' -x '%s' >/dev/null 2>&1", VG_CRM_VERIFY, path);
	return system(cmd);
}

/* Our canonical form of a CTS input must get the same verdict from
 * crm_verify as the input itself: the writer stays inside Pacemaker's
 * language.  crm_verify takes a tenth of a second, so every 16th input. */
static size_t compare_crm_verify(const char *name, const char *path, const char *buf, size_t len)
{
	struct vg_diags d = { 0 };
	struct vg_cib *cib = NULL;
	if (vg_cib_read_memory(buf, len, &cib, &d) < 0) {
		vg_diags_clear(&d);
		return 0;
	}
	char *out = NULL;
	size_t out_len = 0;
	assert_int_equal(vg_cib_write(cib, &out, &out_len), 0);
	char tmp[] = "/tmp/vigil-canon-XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, out, out_len), (ssize_t)out_len);
	close(fd);
	int theirs = crm_verify(path), ours = crm_verify(tmp);
	unlink(tmp);
	free(out);
	vg_cib_free(cib);
	vg_diags_clear(&d);
	if (theirs != ours) {
		print_error("%s: crm_verify says %d, and %d on our canonical form\n", name, theirs,
			    ours);
		return 1;
	}
	return 0;
}

static void test_cts(void **state)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/../shared/pacemaker-cts-2.1.5/xml", VG_SRCDIR);
	size_t n = 0;
	char **names = list_xml(dir, &n);
	if (!names) {
		print_message("%s is absent: CTS round trip skipped\n", dir);
		skip();
	}
	size_t loaded = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		size_t len;
		char *buf = slurp(path, &len);
		struct vg_diags d = { 0 };
		const char *expected = cts_expected_error(names[i]);
		if (*VG_CRM_VERIFY && i % 16 == 0)
			failed += compare_crm_verify(names[i], path, buf, len);
		int r = round_trip(names[i], buf, len, &d);
		if (r == 0 && !expected) {
			loaded++;
		} else if (r == 0) {
			print_error("%s loads, but we expected: %s\n", names[i], expected);
			failed++;
		} else if (!expected) {
			print_error("%s does not load:\n", names[i]);
			vg_diags_print(&d, names[i], stderr);
			failed++;
		} else {
			bool found = false;
			for (size_t j = 0; j < d.n; j++)
				found |= strstr(d.v[j].message, expected) != NULL;
			if (!found) {
				print_error("%s: expected '%s', got:\n", names[i], expected);
				vg_diags_print(&d, names[i], stderr);
				failed++;
			}
		}
		vg_diags_clear(&d);
		free(buf);
		free(names[i]);
	}
	free(names);
	print_message("CTS: %zu of %zu inputs load and round-trip\n", loaded, n);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rich_doc),
		cmocka_unit_test(test_built_doc),
		cmocka_unit_test(test_write_refuses),
		cmocka_unit_test(test_data_valid),
		cmocka_unit_test(test_cts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
