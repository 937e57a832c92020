/* test_cib_read.c - the reader's strictness (what it refuses, and the exact
 * words it uses), its hardening (DTDs, entities, sizes, broken input, never a
 * word on stderr), and vg_cib_check()'s findings on read and built
 * documents. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cib_xml.h"

/* ---- building documents ---- */

#define HEAD "<cib validate-with=\"pacemaker-3.0\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">\n" \
	     "  <configuration>\n"
#define CRM "    <crm_config/>\n"
#define NODES                                      \
	"    <nodes>\n"                            \
	"      <node id=\"1\" uname=\"n1\"/>\n"    \
	"      <node id=\"2\" uname=\"n2\"/>\n"    \
	"    </nodes>\n"
#define VM(id)                                                                          \
	"      <primitive id=\"" id "\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">\n" \
	"        <instance_attributes id=\"" id "-params\">\n"                          \
	"          <nvpair id=\"" id "-config\" name=\"config\" value=\"/etc/" id ".xml\"/>\n" \
	"        </instance_attributes>\n"                                                \
	"      </primitive>\n"
#define FENCE                                                                               \
	"      <primitive id=\"fence1\" class=\"stonith\" type=\"fence_ipmilan\"/>\n"
#define RSC "    <resources>\n" VM("vm1") VM("vm2") VM("vm3") FENCE "    </resources>\n"
#define CONS(x) "    <constraints>\n" x "    </constraints>\n"
#define TAIL "  </configuration>\n</cib>\n"

/* A valid document with @x in its constraints. */
#define WITH_CONS(x) HEAD CRM NODES RSC CONS(x) TAIL
/* ... with @x as its crm_config. */
#define WITH_CRM(x) HEAD x NODES RSC CONS("") TAIL
/* ... with @x after the constraints (fencing-topology, defaults, ...). */
#define WITH_EXTRA(x) HEAD CRM NODES RSC CONS("") x TAIL
/* ... with @x as one more resource. */
#define WITH_RSC(x) HEAD CRM NODES "    <resources>\n" VM("vm1") VM("vm2") VM("vm3") FENCE x "    </resources>\n" CONS("") TAIL
/* ... with @x as its status section. */
#define WITH_STATUS(x) HEAD CRM NODES RSC CONS("") "  </configuration>\n  <status>\n" x "  </status>\n</cib>\n"

static int read_doc(const char *xml, struct vg_diags *d)
{
	struct vg_cib *cib = NULL;
	int r = vg_cib_read_memory(xml, strlen(xml), &cib, d);
	if (r == 0)
		assert_non_null(cib);
	else
		assert_null(cib);
	vg_cib_free(cib);
	return r;
}

static void dump(const struct vg_diags *d)
{
	vg_diags_print(d, "doc", stderr);
}

/* The document must be refused with an error whose where is @where (when
 * not NULL), whose line is @line (when > 0), and whose message contains
 * @msg. */
static void expect_line(const char *xml, int line, const char *where, const char *msg)
{
	struct vg_diags d = { 0 };
	int r = read_doc(xml, &d);
	if (r != -EINVAL) {
		print_error("expected -EINVAL, got %d; wanted: %s\n", r, msg);
		dump(&d);
		fail();
	}
	for (size_t i = 0; i < d.n; i++) {
		const struct vg_diag *e = &d.v[i];
		if (e->severity != VG_DIAG_ERROR || !strstr(e->message, msg))
			continue;
		if (where && (!e->where || strcmp(e->where, where)))
			continue;
		if (line > 0 && e->line != line)
			continue;
		vg_diags_clear(&d);
		return;
	}
	print_error("no error '%s' at %s (line %d); got:\n", msg, where ? where : "-", line);
	dump(&d);
	fail();
}

static void expect(const char *xml, const char *where, const char *msg)
{
	expect_line(xml, 0, where, msg);
}

/* The document must load, with a warning containing @msg (or none if NULL). */
static void expect_ok(const char *xml, const char *warning)
{
	struct vg_diags d = { 0 };
	int r = read_doc(xml, &d);
	if (r != 0) {
		print_error("expected the document to load:\n");
		dump(&d);
		fail();
	}
	bool found = false;
	for (size_t i = 0; i < d.n; i++)
		found |= warning && d.v[i].severity == VG_DIAG_WARNING &&
			 strstr(d.v[i].message, warning);
	if (warning && !found) {
		print_error("no warning '%s'; got:\n", warning);
		dump(&d);
		fail();
	}
	if (!warning && d.n) {
		print_error("unexpected diagnostics:\n");
		dump(&d);
		fail();
	}
	vg_diags_clear(&d);
}

/* ---- strictness ---- */

static void test_base_loads(void **state)
{
	expect_ok(WITH_CONS(""), NULL);
	expect_ok(WITH_STATUS(""), NULL);
}

static void test_unsupported_elements(void **state)
{
	expect_line(WITH_RSC("      <group id=\"g1\">\n" VM("vm9") "      </group>\n"), 25,
		    "group[@id='g1']", "element 'group' is not supported");
	expect(WITH_RSC("      <clone id=\"c1\"/>\n"), "clone[@id='c1']",
	       "element 'clone' is not supported");
	expect(WITH_RSC("      <bundle id=\"b1\"/>\n"), "bundle[@id='b1']",
	       "element 'bundle' is not supported");
	expect(WITH_RSC("      <template id=\"t1\" class=\"ocf\" provider=\"x\" type=\"y\"/>\n"),
	       "template[@id='t1']", "element 'template' is not supported");
	expect(WITH_CONS("      <rsc_ticket id=\"t1\" rsc=\"vm1\" ticket=\"x\"/>\n"),
	       "rsc_ticket[@id='t1']", "element 'rsc_ticket' is not supported");
	expect(WITH_CONS("      <rsc_order id=\"o1\"><resource_set id=\"s1\"/></rsc_order>\n"),
	       "resource_set[@id='s1']", "element 'resource_set' is not supported");
	expect(WITH_EXTRA("    <tags><tag id=\"t\"/></tags>\n"), "tag[@id='t']",
	       "element 'tag' is not supported");
	expect(WITH_EXTRA("    <alerts><alert id=\"a\" path=\"/x\"/></alerts>\n"), "alert[@id='a']",
	       "element 'alert' is not supported");
	expect(WITH_EXTRA("    <acls><acl_role id=\"r\"/></acls>\n"), "acl_role[@id='r']",
	       "element 'acl_role' is not supported");
	/* A rule where we do not evaluate rules. */
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">\n"
			"        <instance_attributes id=\"vm9-p\">\n"
			"          <rule id=\"vm9-r\" score=\"1\"><expression id=\"vm9-e\" attribute=\"#uname\" operation=\"eq\" value=\"n1\"/></rule>\n"
			"          <nvpair id=\"vm9-config\" name=\"config\" value=\"/x\"/>\n"
			"        </instance_attributes>\n      </primitive>\n"),
	       "rule[@id='vm9-r']", "element 'rule' is not supported in 'instance_attributes'");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\"><rule id=\"r1\" score=\"1\">"
			 "<date_expression id=\"d1\" operation=\"gt\" start=\"2020-01-01\"/></rule></rsc_location>\n"),
	       "date_expression[@id='d1']", "element 'date_expression' is not supported");
	/* Known elements in the wrong place. */
	expect(WITH_RSC("      <nvpair id=\"x\" name=\"a\" value=\"b\"/>\n"), "nvpair[@id='x']",
	       "element 'nvpair' is not supported in 'resources'");
	expect(WITH_STATUS("    <lrm id=\"1\"/>\n"), NULL, "element 'lrm' is not supported in 'status'");
	/* Unknown status elements. */
	expect(WITH_STATUS("    <node_state id=\"1\" uname=\"n1\"><bogus/></node_state>\n"),
	       "node_state[@id='1']/bogus", "element 'bogus' is not supported");
	/* Namespaces and XInclude. */
	expect(WITH_RSC("      <xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"/etc/passwd\"/>\n"),
	       NULL, "element 'xi:include' is not supported");
	expect(WITH_RSC("      <p:primitive xmlns:p=\"urn:x\" id=\"vm9\" class=\"stonith\" type=\"x\"/>\n"),
	       NULL, "element 'p:primitive' is not supported");
	/* Text where only elements belong. */
	expect(WITH_RSC("      hello\n"), "/cib/configuration/resources",
	       "unexpected text in element 'resources'");
	/* Empty sections carry nothing: accepted. */
	expect_ok(WITH_EXTRA("    <acls/>\n    <tags/>\n    <alerts/>\n"), NULL);
}

static void test_unsupported_attributes(void **state)
{
	expect_line(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" type=\"x\" foo=\"1\"/>\n"), 25,
		    "primitive[@id='vm9']", "attribute 'foo' of primitive is not supported");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" type=\"x\">\n"
			"        <operations><op id=\"vm9-m\" name=\"monitor\" interval=\"1h\" interval-origin=\"02:00\"/></operations>\n"
			"      </primitive>\n"),
	       "op[@id='vm9-m']", "attribute 'interval-origin' of op is not supported");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" type=\"x\">\n"
			"        <instance_attributes id=\"vm9-p\"><nvpair id-ref=\"vm1-config\"/></instance_attributes>\n"
			"      </primitive>\n"),
	       "instance_attributes[@id='vm9-p']/nvpair", "attribute 'id-ref' of nvpair is not supported");
	expect(WITH_CONS("      <rsc_colocation id=\"c1\" rsc=\"vm1\" with-rsc=\"vm2\" score=\"1\" influence=\"false\"/>\n"),
	       "rsc_colocation[@id='c1']", "attribute 'influence' of rsc_colocation is not supported");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc-pattern=\"vm.*\" node=\"n1\" score=\"1\"/>\n"),
	       "rsc_location[@id='l1']", "attribute 'rsc-pattern' of rsc_location is not supported");
	expect(HEAD CRM "    <nodes>\n      <node id=\"1\" uname=\"n1\" score=\"5\"/>\n    </nodes>\n" RSC CONS("") TAIL,
	       "node[@id='1']", "attribute 'score' of node is not supported");
	expect(WITH_STATUS("    <node_state id=\"1\" uname=\"n1\" remote_node=\"true\"/>\n"),
	       "node_state[@id='1']", "attribute 'remote_node' of node_state is not supported");
	expect(WITH_STATUS("    <node_state id=\"1\" uname=\"n1\"><lrm id=\"1\"><lrm_resources>"
			   "<lrm_resource id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
			   "<lrm_rsc_op id=\"vm1_last_0\" operation=\"start\" call-id=\"1\" rc-code=\"0\" op-status=\"0\" interval=\"0\" bogus=\"1\"/>"
			   "</lrm_resource></lrm_resources></lrm></node_state>\n"),
	       "node_state[@id='1']/lrm[@id='1']/lrm_resources/lrm_resource[@id='vm1']/lrm_rsc_op[@id='vm1_last_0']",
	       "attribute 'bogus' of lrm_rsc_op is not supported");
	expect(WITH_RSC("      <primitive xmlns:x=\"urn:x\" id=\"vm9\" class=\"stonith\" type=\"x\" x:foo=\"1\"/>\n"),
	       "primitive[@id='vm9']", "attribute 'x:foo' of primitive is not supported");
	/* Pacemaker's bookkeeping is accepted where it belongs. */
	expect_ok(WITH_STATUS("    <node_state id=\"1\" uname=\"n1\" crm-debug-origin=\"x\" shutdown=\"0\" ha=\"active\"/>\n"),
		  NULL);
}

static void test_required_and_values(void **state)
{
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"ocf\" provider=\"heartbeat\"/>\n"),
	       "primitive[@id='vm9']", "attribute 'type' is required");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"ocf\" type=\"Dummy\"/>\n"),
	       "primitive[@id='vm9']", "attribute 'provider' is required for class 'ocf'");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" provider=\"x\" type=\"Dummy\"/>\n"),
	       "primitive[@id='vm9']", "attribute 'provider' is only allowed for class 'ocf'");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"nagios\" type=\"x\"/>\n"),
	       "primitive[@id='vm9']",
	       "attribute 'class' has bad value 'nagios' (expected ocf, stonith, lsb, systemd or service)");
	expect(WITH_RSC("      <primitive id=\"1vm\" class=\"stonith\" type=\"x\"/>\n"),
	       "primitive[@id='1vm']", "'1vm' is not a valid id");
	expect(WITH_CONS("      <rsc_order id=\"o1\" first=\"vm1\" then=\"vm2\" kind=\"foo\"/>\n"),
	       "rsc_order[@id='o1']",
	       "attribute 'kind' has bad value 'foo' (expected Mandatory, Optional or Serialize)");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\" node=\"n1\" score=\"abc\"/>\n"),
	       "rsc_location[@id='l1']",
	       "attribute 'score' is not a score: 'abc' (expected an integer, INFINITY or -INFINITY)");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\" node=\"n1\"/>\n"),
	       "rsc_location[@id='l1']", "attribute 'score' is required with 'node'");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\" role=\"Sleeping\" node=\"n1\" score=\"1\"/>\n"),
	       "rsc_location[@id='l1']", "attribute 'role' has bad value 'Sleeping'");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\"><rule id=\"r1\" score=\"1\">"
			 "<expression id=\"e1\" attribute=\"a\" operation=\"in_range\" value=\"1\"/></rule></rsc_location>\n"),
	       "expression[@id='e1']", "attribute 'operation' has bad value 'in_range'");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\"><rule id=\"r1\" score=\"1\">"
			 "<expression id=\"e1\" attribute=\"a\" operation=\"eq\"/></rule></rsc_location>\n"),
	       "expression[@id='e1']", "attribute 'value' is required for operation 'eq'");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\"><rule id=\"r1\" score=\"1\"/></rsc_location>\n"),
	       "rule[@id='r1']", "a rule needs at least one expression or rule");
	expect(WITH_EXTRA("    <fencing-topology>\n"
			  "      <fencing-level id=\"f1\" target=\"n1\" index=\"0\" devices=\"fence1\"/>\n"
			  "    </fencing-topology>\n"),
	       "fencing-level[@id='f1']", "attribute 'index' must be an integer from 1 to 9, not '0'");
	expect(WITH_EXTRA("    <fencing-topology>\n"
			  "      <fencing-level id=\"f1\" target=\"n1\" target-pattern=\"n.*\" index=\"1\" devices=\"fence1\"/>\n"
			  "    </fencing-topology>\n"),
	       "fencing-level[@id='f1']",
	       "needs exactly one of 'target', 'target-pattern' and 'target-attribute'");
	expect(HEAD CRM NODES RSC TAIL, "/cib/configuration",
	       "element 'constraints' is required in 'configuration'");
	expect(HEAD CRM CRM NODES RSC CONS("") TAIL, "/cib/configuration/crm_config",
	       "element 'crm_config' may appear only once in 'configuration'");
	expect("<cib validate-with=\"pacemaker-4.0\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">"
	       "<configuration><crm_config/><nodes/><resources/><constraints/></configuration></cib>",
	       "/cib", "validate-with 'pacemaker-4.0' is not supported");
	expect("<cib validate-with=\"pacemaker-3.0\" epoch=\"-1\" num_updates=\"0\" admin_epoch=\"0\">"
	       "<configuration><crm_config/><nodes/><resources/><constraints/></configuration></cib>",
	       "/cib", "attribute 'epoch' must be an integer from 0 to");
	expect("<configuration/>", NULL, "the root element must be 'cib', not 'configuration'");
	expect(WITH_STATUS("    <node_state id=\"1\" uname=\"n1\"><lrm id=\"1\"><lrm_resources>"
			   "<lrm_resource id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
			   "<lrm_rsc_op id=\"vm1_last_0\" operation=\"start\" call-id=\"x\" rc-code=\"0\" op-status=\"0\" interval=\"0\"/>"
			   "</lrm_resource></lrm_resources></lrm></node_state>\n"),
	       NULL, "attribute 'call-id' must be an integer");
	expect(WITH_STATUS("    <node_state crmd=\"online\"/>\n"), NULL,
	       "attribute 'id' or 'uname' is required");
	/* Old syntax within our subset loads. */
	expect_ok("<cib validate-with=\"pacemaker-1.0\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">\n"
		  "<configuration><crm_config/><nodes><node id=\"1\" uname=\"n1\" type=\"normal\"/></nodes>\n"
		  "<resources><primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\" description=\"x\">\n"
		  "<instance_attributes id=\"d-p\" score=\"2\"><nvpair id=\"d-p1\" name=\"a\" value=\"b\"/></instance_attributes>\n"
		  "<operations><op id=\"d-m\" name=\"monitor\" interval=\"10\" start-delay=\"5s\">"
		  "<meta_attributes id=\"d-m-meta\"><nvpair id=\"d-m-t\" name=\"timeout\" value=\"20s\"/></meta_attributes></op></operations>\n"
		  "</primitive><primitive id=\"e\" class=\"lsb\" type=\"e\"/></resources>\n"
		  "<constraints><rsc_order id=\"o\" first=\"d\" then=\"e\" score=\"0\"/>"
		  "<rsc_location id=\"l\" rsc=\"d\" role=\"Started\" node=\"n1\" score=\"10\"/></constraints>"
		  "</configuration></cib>\n",
		  NULL);
}

/* ---- hardening ---- */

static void test_doctype_and_entities(void **state)
{
	/* XXE */
	expect("<?xml version=\"1.0\"?>\n<!DOCTYPE cib [\n<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n"
	       "<cib validate-with=\"pacemaker-3.0\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"&xxe;\"/>\n",
	       NULL, "DOCTYPE and entity declarations are not allowed");
	/* billion laughs: refused at the DOCTYPE, before any expansion */
	char *lol = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&lol, &len);
	assert_non_null(f);
	fputs("<!DOCTYPE cib [\n<!ENTITY l0 \"lol\">\n", f);
	for (int i = 1; i < 12; i++) {
		fprintf(f, "<!ENTITY l%d \"", i);
		for (int j = 0; j < 10; j++)
			fprintf(f, "&l%d;", i - 1);
		fputs("\">\n", f);
	}
	fputs("]>\n<cib validate-with=\"&l11;\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\"/>\n", f);
	fclose(f);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect(lol, NULL, "DOCTYPE and entity declarations are not allowed");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	free(lol);
	/* an external DTD: never fetched (and refused) */
	expect("<!DOCTYPE cib SYSTEM \"http://127.0.0.1:1/cib.dtd\">\n<cib/>\n", NULL,
	       "DOCTYPE and entity declarations are not allowed");
	expect("<!DOCTYPE cib PUBLIC \"-//x//y\" \"file:///etc/passwd\"><cib/>", NULL,
	       "DOCTYPE and entity declarations are not allowed");
	/* an entity without a DTD is not well-formed */
	expect(WITH_CRM("    <crm_config><cluster_property_set id=\"o\"><nvpair id=\"o1\" name=\"cluster-name\" value=\"&foo;\"/></cluster_property_set></crm_config>\n"),
	       NULL, "not well-formed XML: Entity 'foo' not defined");
}

static void test_broken_input(void **state)
{
	struct vg_diags d = { 0 };
	struct vg_cib *cib = NULL;
	/* empty, blank */
	assert_int_equal(vg_cib_read_memory("", 0, &cib, &d), -EINVAL);
	assert_string_equal(d.v[0].message, "empty document");
	vg_diags_clear(&d);
	assert_int_equal(vg_cib_read_memory(" \n\t\n", 4, &cib, &d), -EINVAL);
	assert_string_equal(d.v[0].message, "empty document");
	vg_diags_clear(&d);
	/* oversize: refused before a byte is read */
	char small[] = "<cib/>";
	assert_int_equal(vg_cib_read_memory(small, (size_t)VG_CIB_MAX_BYTES + 1, &cib, &d), -EFBIG);
	assert_non_null(strstr(d.v[0].message, "more than the limit"));
	vg_diags_clear(&d);
	/* not UTF-8; UTF-16; NUL */
	expect_line("<cib>\n<configuration>\n\xc3\x28</configuration></cib>", 3, NULL,
		    "document is not valid UTF-8 (the only encoding we read)");
	expect("\xff\xfe<\0c\0i\0b\0/\0>\0", NULL, "document is not valid UTF-8");
	{
		static const char nul[] = "<cib>\0</cib>";
		assert_int_equal(vg_cib_read_memory(nul, sizeof(nul) - 1, &cib, &d), -EINVAL);
		assert_non_null(strstr(d.v[0].message, "not valid UTF-8"));
		vg_diags_clear(&d);
	}
	/* a declared encoding changes nothing: UTF-8 is read as UTF-8 */
	expect_ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" WITH_CONS(""), NULL);
	/* truncated anywhere: always refused, never a crash */
	const char *full = WITH_STATUS("    <node_state id=\"1\" uname=\"n1\" in_ccm=\"true\"/>\n");
	size_t n = strlen(full);
	for (size_t cut = 1; cut + 2 < n; cut += 7) {
		int r = vg_cib_read_memory(full, cut, &cib, &d);
		if (r != -EINVAL) {
			print_error("prefix of %zu bytes: %d\n", cut, r);
			fail();
		}
		assert_true(d.n_errors > 0);
		vg_diags_clear(&d);
	}
	/* mismatched tags, with a line */
	expect_line(HEAD CRM "    <nodes>\n    </node>\n" TAIL, 5, NULL,
		    "not well-formed XML: Opening and ending tag mismatch");
	/* nesting past libxml2's limit (no XML_PARSE_HUGE) */
	char *deep = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&deep, &len);
	assert_non_null(f);
	fputs(HEAD CRM NODES RSC "    <constraints><rsc_location id=\"l\" rsc=\"vm1\">", f);
	for (int i = 0; i < 3000; i++)
		fprintf(f, "<rule id=\"r%d\" score=\"1\">", i);
	fclose(f);
	assert_int_equal(vg_cib_read_memory(deep, len, &cib, &d), -EINVAL);
	vg_diags_clear(&d);
	free(deep);
}

static void test_read_file(void **state)
{
	struct vg_diags d = { 0 };
	struct vg_cib *cib = NULL;
	assert_int_equal(vg_cib_read_file("/nonexistent/cib.xml", &cib, &d), -ENOENT);
	assert_int_equal(d.n, 0);
	char path[] = "/tmp/vigil-test-cib-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *doc = WITH_CONS("");
	assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	assert_int_equal(vg_cib_read_file(path, &cib, &d), 0);
	assert_int_equal(cib->n_resources, 4);
	vg_cib_free(cib);
	cib = NULL;
	/* larger than the limit: refused from its size, nothing read */
	assert_int_equal(ftruncate(fd, (off_t)VG_CIB_MAX_BYTES + 1), 0);
	assert_int_equal(vg_cib_read_file(path, &cib, &d), -EFBIG);
	assert_true(d.n_errors > 0);
	vg_diags_clear(&d);
	close(fd);
	unlink(path);
}

/* libxml2 must never write to stderr: run broken documents with stderr
 * going to a file, and look at the file. */
static void test_silent(void **state)
{
	char path[] = "/tmp/vigil-test-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	static const char *const docs[] = {
		"<cib",
		"<cib></cob>",
		"<!DOCTYPE x [<!ENTITY a \"b\">]><cib>&a;</cib>",
		"<cib>&undefined;</cib>",
		"<cib validate-with=\"pacemaker-3.0\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">"
		"<configuration><crm_config/><nodes/><resources/><constraints/>"
		"</configuration><configuration/></cib>",
		"<?xml version=\"2.0\"?><cib/>",
		"<cib xmlns:a=\"\" a:b=\"c\"/>",
		"<a:cib xmlns:a=\"urn:a\"/>",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		struct vg_diags d = { 0 };
		struct vg_cib *cib = NULL;
		assert_int_equal(vg_cib_read_memory(docs[i], strlen(docs[i]), &cib, &d), -EINVAL);
		assert_true(d.n_errors > 0);
		vg_diags_clear(&d);
	}
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(path);
	assert_int_equal(st.st_size, 0);
}

/* ---- checks ---- */

static void test_check_ids_and_refs(void **state)
{
	expect(WITH_RSC("      <primitive id=\"vm1-config\" class=\"stonith\" type=\"x\"/>\n"),
	       "primitive[@id='vm1-config']", "duplicate id 'vm1-config' (first used by nvpair at line 11)");
	expect(HEAD CRM "    <nodes>\n      <node id=\"1\" uname=\"n1\"/>\n      <node id=\"1\" uname=\"n2\"/>\n    </nodes>\n" RSC CONS("") TAIL,
	       "node[@id='1']", "duplicate node id '1' (first used by node 'n1')");
	expect(HEAD CRM "    <nodes>\n      <node id=\"1\" uname=\"n1\"/>\n      <node id=\"2\" uname=\"n1\"/>\n    </nodes>\n" RSC CONS("") TAIL,
	       "node[@id='2']", "duplicate node name 'n1'");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm9\" node=\"n1\" score=\"1\"/>\n"),
	       "rsc_location[@id='l1']", "rsc 'vm9' is not a configured resource");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\" node=\"n9\" score=\"1\"/>\n"),
	       "rsc_location[@id='l1']", "node 'n9' is not a configured node");
	expect(WITH_CONS("      <rsc_colocation id=\"c1\" rsc=\"vm1\" with-rsc=\"vm 9\" score=\"1\"/>\n"),
	       "rsc_colocation[@id='c1']", "with-rsc 'vm 9' is not a configured resource");
	expect(WITH_CONS("      <rsc_order id=\"o1\" first=\"vm9\" then=\"vm1\"/>\n"), "rsc_order[@id='o1']",
	       "first 'vm9' is not a configured resource");
	/* status ids repeat across nodes, by design */
	expect_ok(WITH_STATUS(
		"    <node_state id=\"1\" uname=\"n1\"><lrm id=\"1\"><lrm_resources>"
		"<lrm_resource id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
		"<lrm_rsc_op id=\"vm1_last_0\" operation=\"monitor\" call-id=\"1\" rc-code=\"7\" op-status=\"0\" interval=\"0\"/>"
		"</lrm_resource></lrm_resources></lrm></node_state>\n"
		"    <node_state id=\"2\" uname=\"n2\"><lrm id=\"2\"><lrm_resources>"
		"<lrm_resource id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
		"<lrm_rsc_op id=\"vm1_last_0\" operation=\"monitor\" call-id=\"1\" rc-code=\"7\" op-status=\"0\" interval=\"0\"/>"
		"</lrm_resource></lrm_resources></lrm></node_state>\n"),
		  NULL);
	expect(WITH_STATUS("    <node_state id=\"1\" uname=\"n1\"/>\n    <node_state id=\"1\" uname=\"n1\"/>\n"),
	       "node_state[@id='1']", "duplicate node_state for node '1'");
	expect(WITH_STATUS(
		       "    <node_state id=\"1\" uname=\"n1\"><lrm id=\"1\"><lrm_resources>"
		       "<lrm_resource id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
		       "<lrm_rsc_op id=\"a\" operation=\"monitor\" call-id=\"1\" rc-code=\"7\" op-status=\"0\" interval=\"0\"/>"
		       "<lrm_rsc_op id=\"a\" operation=\"start\" call-id=\"2\" rc-code=\"0\" op-status=\"0\" interval=\"0\"/>"
		       "</lrm_resource></lrm_resources></lrm></node_state>\n"),
	       "node_state[@id='1']/lrm[@id='1']/lrm_resources/lrm_resource[@id='vm1']/lrm_rsc_op[@id='a']",
	       "duplicate operation record 'a'");
}

static void test_check_constraints(void **state)
{
	expect(WITH_CONS("      <rsc_colocation id=\"c1\" rsc=\"vm1\" with-rsc=\"vm1\" score=\"INFINITY\"/>\n"),
	       "rsc_colocation[@id='c1']", "resource 'vm1' is colocated with itself");
	expect(WITH_CONS("      <rsc_order id=\"o1\" first=\"vm1\" then=\"vm1\"/>\n"), "rsc_order[@id='o1']",
	       "resource 'vm1' is ordered after itself");
	expect(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\" node=\"n1\" score=\"INFINITY\"/>\n"
			 "      <rsc_location id=\"l2\" rsc=\"vm1\" node=\"n1\" score=\"-INFINITY\"/>\n"),
	       "rsc_location[@id='l2']",
	       "contradicts rsc_location[@id='l1']: 'vm1' on node 'n1' is both +INFINITY and -INFINITY");
	/* different nodes, or not both infinite: fine */
	expect_ok(WITH_CONS("      <rsc_location id=\"l1\" rsc=\"vm1\" node=\"n1\" score=\"INFINITY\"/>\n"
			    "      <rsc_location id=\"l2\" rsc=\"vm1\" node=\"n2\" score=\"-INFINITY\"/>\n"
			    "      <rsc_location id=\"l3\" rsc=\"vm1\" node=\"n1\" score=\"-100\"/>\n"),
		  NULL);
	expect(WITH_CONS("      <rsc_order id=\"o1\" first=\"vm1\" then=\"vm2\"/>\n"
			 "      <rsc_order id=\"o2\" first=\"vm2\" then=\"vm3\" kind=\"Mandatory\"/>\n"
			 "      <rsc_order id=\"o3\" first=\"vm3\" then=\"vm1\" score=\"10\"/>\n"),
	       NULL,
	       "mandatory orders form a cycle: vm1 start then vm2 start, vm2 start then vm3 start, "
	       "vm3 start then vm1 start");
	/* through the symmetrical (stop) half */
	expect(WITH_CONS("      <rsc_order id=\"o1\" first=\"vm1\" then=\"vm2\"/>\n"
			 "      <rsc_order id=\"o2\" first=\"vm1\" first-action=\"stop\" then=\"vm2\" then-action=\"stop\" symmetrical=\"false\"/>\n"),
	       NULL, "mandatory orders form a cycle");
	/* an optional order breaks the cycle; so does a non-symmetrical one */
	expect_ok(WITH_CONS("      <rsc_order id=\"o1\" first=\"vm1\" then=\"vm2\"/>\n"
			    "      <rsc_order id=\"o2\" first=\"vm2\" then=\"vm3\"/>\n"
			    "      <rsc_order id=\"o3\" first=\"vm3\" then=\"vm1\" kind=\"Optional\"/>\n"
			    "      <rsc_order id=\"o4\" first=\"vm3\" then=\"vm1\" score=\"0\"/>\n"
			    "      <rsc_order id=\"o5\" first=\"vm2\" then=\"vm1\" first-action=\"stop\" then-action=\"start\" symmetrical=\"false\"/>\n"),
		  NULL);
	expect(WITH_CONS("      <rsc_order id=\"o1\" first=\"vm1\" then=\"vm2\" symmetrical=\"sometimes\"/>\n"),
	       "rsc_order[@id='o1']", "attribute 'symmetrical' must be a boolean, not 'sometimes'");
}

static void test_check_fencing(void **state)
{
	expect(WITH_EXTRA("    <fencing-topology>\n"
			  "      <fencing-level id=\"f1\" target=\"n1\" index=\"1\" devices=\"vm1\"/>\n"
			  "    </fencing-topology>\n"),
	       "fencing-level[@id='f1']", "device 'vm1' is not a stonith resource");
	expect(WITH_EXTRA("    <fencing-topology>\n"
			  "      <fencing-level id=\"f1\" target=\"n1\" index=\"1\" devices=\"fence1,fence9\"/>\n"
			  "    </fencing-topology>\n"),
	       "fencing-level[@id='f1']", "device 'fence9' is not a configured resource");
	expect(WITH_EXTRA("    <fencing-topology>\n"
			  "      <fencing-level id=\"f1\" target=\"n9\" index=\"1\" devices=\"fence1\"/>\n"
			  "    </fencing-topology>\n"),
	       "fencing-level[@id='f1']", "target 'n9' is not a configured node");
	expect(WITH_EXTRA("    <fencing-topology>\n"
			  "      <fencing-level id=\"f1\" target=\"n1\" index=\"1\" devices=\"fence1\"/>\n"
			  "      <fencing-level id=\"f2\" target=\"n1\" index=\"1\" devices=\"fence1\"/>\n"
			  "    </fencing-topology>\n"),
	       "fencing-level[@id='f2']", "level 1 for 'n1' is defined twice (also fencing-level[@id='f1'])");
	expect(WITH_EXTRA("    <fencing-topology>\n"
			  "      <fencing-level id=\"f1\" target-pattern=\"n(\" index=\"1\" devices=\"fence1\"/>\n"
			  "    </fencing-topology>\n"),
	       "fencing-level[@id='f1']", "target-pattern 'n(' is not a valid regular expression");
	expect(WITH_EXTRA("    <fencing-topology>\n"
			  "      <fencing-level id=\"f1\" target=\"n1\" index=\"1\" devices=\"fence1,,fence1\"/>\n"
			  "    </fencing-topology>\n"),
	       "fencing-level[@id='f1']", "is not a comma-separated list of device ids");
	expect_ok(WITH_EXTRA("    <fencing-topology>\n"
			     "      <fencing-level id=\"f1\" target=\"n1\" index=\"1\" devices=\"fence1\"/>\n"
			     "      <fencing-level id=\"f2\" target=\"n1\" index=\"2\" devices=\"fence1\"/>\n"
			     "      <fencing-level id=\"f3\" target-attribute=\"rack\" target-value=\"a\" index=\"1\" devices=\"fence1\"/>\n"
			     "      <fencing-level id=\"f4\" target-pattern=\"n[0-9]+\" index=\"1\" devices=\"fence1\"/>\n"
			     "    </fencing-topology>\n"),
		  NULL);
}

#define PROP(name, value)                                                             \
	"    <crm_config><cluster_property_set id=\"o\"><nvpair id=\"o1\" name=\"" name \
	"\" value=\"" value "\"/></cluster_property_set></crm_config>\n"

static void test_check_properties(void **state)
{
	expect(WITH_CRM(PROP("stonith-enable", "true")), "nvpair[@id='o1']",
	       "unknown cluster property 'stonith-enable' (did you mean 'stonith-enabled'?)");
	expect(WITH_CRM(PROP("fencing-enabled", "true")), "nvpair[@id='o1']",
	       "unknown cluster property 'fencing-enabled' (Pacemaker 2.1 calls it 'stonith-enabled')");
	expect(WITH_CRM(PROP("frobnicate", "1")), "nvpair[@id='o1']",
	       "unknown cluster property 'frobnicate' (doc/cib.md lists the known ones)");
	expect(WITH_CRM(PROP("no-quorum-policy", "panic")), "nvpair[@id='o1']",
	       "cluster property 'no-quorum-policy' has bad value 'panic' (expected one of: stop, "
	       "freeze, ignore, demote, suicide)");
	expect(WITH_CRM(PROP("placement-strategy", "fast")), "nvpair[@id='o1']",
	       "cluster property 'placement-strategy' has bad value 'fast' (expected one of: "
	       "default, utilization, minimal, balanced)");
	expect(WITH_CRM(PROP("stonith-enabled", "maybe")), "nvpair[@id='o1']",
	       "cluster property 'stonith-enabled' must be a boolean (true/false, yes/no, on/off, "
	       "1/0), not 'maybe'");
	expect(WITH_CRM(PROP("stonith-timeout", "1 fortnight")), "nvpair[@id='o1']",
	       "cluster property 'stonith-timeout' value '1 fortnight' is not a duration");
	expect(WITH_CRM(PROP("batch-limit", "lots")), "nvpair[@id='o1']",
	       "cluster property 'batch-limit' must be an integer, not 'lots'");
	expect(WITH_CRM(PROP("stonith-max-attempts", "-1")), "nvpair[@id='o1']",
	       "cluster property 'stonith-max-attempts' must be a non-negative integer, not '-1'");
	expect(WITH_CRM(PROP("load-threshold", "80")), "nvpair[@id='o1']",
	       "cluster property 'load-threshold' must be a percentage such as 80%, not '80'");
	expect_ok(WITH_CRM(PROP("default-resource-stickiness", "100")),
		  "cluster property 'default-resource-stickiness' is deprecated");
	expect_ok(WITH_CRM(PROP("stonith-enabled", "False")), NULL);
	expect_ok(WITH_CRM(PROP("cluster-recheck-interval", "PT15M")), NULL);
	expect_ok(WITH_CRM(PROP("pe-input-series-max", "-1")), NULL);
	expect_ok(WITH_CRM(PROP("node-health-red", "-INFINITY")), NULL);
	expect_ok(WITH_CRM(PROP("load-threshold", "80%")), NULL);
}

#define META_VM(name, value)                                                                     \
	"      <primitive id=\"vm9\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">\n" \
	"        <instance_attributes id=\"vm9-p\"><nvpair id=\"vm9-c\" name=\"config\" value=\"/x\"/></instance_attributes>\n" \
	"        <meta_attributes id=\"vm9-m\"><nvpair id=\"vm9-m1\" name=\"" name "\" value=\"" value "\"/></meta_attributes>\n" \
	"      </primitive>\n"

static void test_check_resources(void **state)
{
	expect(WITH_RSC(META_VM("target-role", "Running")), "nvpair[@id='vm9-m1']",
	       "meta attribute 'target-role' has bad value 'Running' (expected one of: Started, "
	       "Stopped, Unpromoted, Promoted, Slave, Master)");
	expect_ok(WITH_RSC(META_VM("target-role", "started")), NULL);
	expect(WITH_RSC(META_VM("allow-migrate", "sure")), "nvpair[@id='vm9-m1']",
	       "meta attribute 'allow-migrate' must be a boolean");
	expect(WITH_RSC(META_VM("is-managed", "2")), "nvpair[@id='vm9-m1']",
	       "meta attribute 'is-managed' must be a boolean");
	expect(WITH_RSC(META_VM("migration-threshold", "three")), "nvpair[@id='vm9-m1']",
	       "meta attribute 'migration-threshold' must be a non-negative integer or INFINITY, "
	       "not 'three'");
	expect(WITH_RSC(META_VM("migration-threshold", "-1")), "nvpair[@id='vm9-m1']",
	       "meta attribute 'migration-threshold' must be a non-negative integer or INFINITY, "
	       "not '-1'");
	expect_ok(WITH_RSC(META_VM("migration-threshold", "INFINITY")), NULL);
	expect(WITH_RSC(META_VM("failure-timeout", "10 minutes")), "nvpair[@id='vm9-m1']",
	       "meta attribute 'failure-timeout' value '10 minutes' is not a duration");
	expect(WITH_RSC(META_VM("resource-stickiness", "sticky")), "nvpair[@id='vm9-m1']",
	       "meta attribute 'resource-stickiness' must be a score");
	expect_ok(WITH_RSC(META_VM("priority", "1.0")),
		  "meta attribute 'priority' should be an integer: '1.0' is read as its integer part");
	expect_ok(WITH_RSC(META_VM("allow-migrat", "true")),
		  "unknown meta attribute 'allow-migrat' is ignored (did you mean 'allow-migrate'?)");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\"/>\n"),
	       "primitive[@id='vm9']",
	       "VirtualDomain resource needs instance attribute 'config' (the path of the libvirt domain XML)");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" type=\"x\"><operations>\n"
			"        <op id=\"vm9-a\" name=\"monitor\" interval=\"10s\"/>\n"
			"        <op id=\"vm9-b\" name=\"monitor\" interval=\"PT10S\"/>\n"
			"      </operations></primitive>\n"),
	       "op[@id='vm9-b']",
	       "operation 'monitor' with interval 10s is defined twice (also op[@id='vm9-a'])");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" type=\"x\"><operations>\n"
			"        <op id=\"vm9-a\" name=\"monitor\" interval=\"1d\"/>\n"
			"      </operations></primitive>\n"),
	       "op[@id='vm9-a']", "interval '1d' is not a duration");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" type=\"x\"><operations>\n"
			"        <op id=\"vm9-a\" name=\"start\" interval=\"0\" timeout=\"bad\"/>\n"
			"      </operations></primitive>\n"),
	       "op[@id='vm9-a']", "timeout 'bad' is not a duration");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" type=\"x\"><operations>\n"
			"        <op id=\"vm9-a\" name=\"start\" interval=\"0\" enabled=\"nah\"/>\n"
			"      </operations></primitive>\n"),
	       "op[@id='vm9-a']", "attribute 'enabled' must be a boolean, not 'nah'");
	expect(WITH_RSC("      <primitive id=\"vm9\" class=\"stonith\" type=\"x\"><utilization id=\"vm9-u\">"
			"<nvpair id=\"vm9-u1\" name=\"cpu\" value=\"1.5\"/></utilization></primitive>\n"),
	       "nvpair[@id='vm9-u1']", "utilization 'cpu' must be a non-negative integer, not '1.5'");
	expect(HEAD CRM "    <nodes><node id=\"1\" uname=\"n1\"><instance_attributes id=\"n1-a\">"
			"<nvpair id=\"n1-s\" name=\"standby\" value=\"perhaps\"/></instance_attributes></node></nodes>\n"
			RSC CONS("") TAIL,
	       "nvpair[@id='n1-s']", "node attribute 'standby' must be a boolean");
	expect(WITH_EXTRA("    <op_defaults><meta_attributes id=\"od\"><nvpair id=\"od1\" name=\"timeout\" value=\"soon\"/></meta_attributes></op_defaults>\n"),
	       "nvpair[@id='od1']", "operation default 'timeout' value 'soon' is not a duration");
}

#define S(lit) ((char *)(lit))

/* vg_cib_check() on documents built in memory: what the reader would have
 * refused must be caught here too. */
static void test_check_built(void **state)
{
	struct vg_node nodes[] = { { .id = S("1"), .uname = S("n1") } };
	struct vg_op ops[] = { { .id = S("d-mon"), .name = S("monitor"), .interval = S("10s"),
				 .interval_ms = 5000 } };
	struct vg_resource rscs[] = { { .id = S("d"), .cls = S("ocf"), .type = S("Dummy"),
					.ops = ops, .n_ops = 1 } };
	struct vg_location locs[] = { { .id = S("l"), .rsc = S("d"), .node = S("n1"),
					.has_score = true, .score = 2000000 },
				      { .rsc = S("d") } };
	struct vg_cib cib = { .nodes = nodes, .n_nodes = 1, .resources = rscs, .n_resources = 1,
			      .locations = locs, .n_locations = 2 };
	struct vg_diags d = { 0 };
	assert_int_equal(vg_cib_check(&cib, &d), -EINVAL);
	static const char *const want[] = {
		"attribute 'validate-with' is required",
		"attribute 'provider' is required for class 'ocf'",
		"interval '10s' does not match interval_ms 5000",
		"score 2000000 is out of range",
		"attribute 'id' is required",
		"needs either 'node' and 'score', or rules",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		bool found = false;
		for (size_t j = 0; j < d.n; j++)
			found |= strstr(d.v[j].message, want[i]) != NULL;
		if (!found) {
			print_error("missing: %s\n", want[i]);
			dump(&d);
			fail();
		}
	}
	vg_diags_clear(&d);
}

/* Large inputs stay linear: 20000 resources with duplicate-free ids and
 * 20000 orders in a chain check quickly, even under sanitizers. */
static void test_check_scales(void **state)
{
	enum { N = 20000 };
	struct vg_resource *rscs = calloc(N, sizeof(*rscs));
	struct vg_order *orders = calloc(N, sizeof(*orders));
	char (*ids)[16] = calloc(N, sizeof(*ids));
	assert_non_null(rscs);
	assert_non_null(orders);
	assert_non_null(ids);
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "r%d", i);
		rscs[i] = (struct vg_resource){ .id = ids[i], .cls = S("lsb"), .type = S("x") };
		if (i)
			orders[i - 1] = (struct vg_order){ .id = NULL, .first = ids[i - 1],
							   .then = ids[i] };
	}
	/* every order needs an id; reuse a distinct string per order */
	char (*oids)[16] = calloc(N, sizeof(*oids));
	assert_non_null(oids);
	for (int i = 0; i < N - 1; i++) {
		snprintf(oids[i], sizeof(oids[i]), "o%d", i);
		orders[i].id = oids[i];
	}
	struct vg_cib cib = { .validate_with = S("pacemaker-3.0"), .resources = rscs,
			      .n_resources = N, .orders = orders, .n_orders = N - 1 };
	struct vg_diags d = { 0 };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = vg_cib_check(&cib, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r != 0)
		dump(&d);
	assert_int_equal(r, 0);
	/* close the chain: one long cycle, found and reported once */
	orders[N - 1] = (struct vg_order){ .id = S("back"), .first = ids[N - 1], .then = ids[0] };
	cib.n_orders = N;
	assert_int_equal(vg_cib_check(&cib, &d), -EINVAL);
	assert_int_equal(d.n_errors, 1);
	assert_non_null(strstr(d.v[0].message, "mandatory orders form a cycle"));
	vg_diags_clear(&d);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	free(rscs);
	free(orders);
	free(ids);
	free(oids);
}

/* Past libxml2's 10 MB look-ahead limit (a 32-node x 5000-VM document is
 * 11 MB): such a document loads; rules still cannot nest without bound. */
static void test_large_and_deep(void **state)
{
	const char *doc = WITH_CONS("");
	const char *cut = strstr(doc, "<nodes>");
	assert_non_null(cut);
	size_t pad = 11u * 1024 * 1024, head = (size_t)(cut - doc), len = strlen(doc);
	char *big = malloc(len + pad + 1);
	assert_non_null(big);
	memcpy(big, doc, head);
	memset(big + head, ' ', pad);
	memcpy(big + head + pad, cut, len - head + 1);
	expect_ok(big, NULL);
	free(big);

	char deep[8192] = "";
	size_t n = 0;
	n += (size_t)snprintf(deep + n, sizeof(deep) - n,
			      "<rsc_location id=\"deep\" rsc=\"vm1\">");
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<rule id=\"r%d\" score=\"10\">", i);
	n += (size_t)snprintf(deep + n, sizeof(deep) - n,
			      "<expression id=\"e\" attribute=\"#uname\" operation=\"eq\" value=\"n1\"/>");
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "</rule>");
	snprintf(deep + n, sizeof(deep) - n, "</rsc_location>");
	const char *tmpl = WITH_CONS("@@"), *at = strstr(tmpl, "@@");
	char *full = NULL;
	assert_true(asprintf(&full, "%.*s%s%s", (int)(at - tmpl), tmpl, deep, at + 2) > 0);
	expect(full, NULL, "rules nest deeper than 16 levels");
	free(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_loads),
		cmocka_unit_test(test_unsupported_elements),
		cmocka_unit_test(test_unsupported_attributes),
		cmocka_unit_test(test_required_and_values),
		cmocka_unit_test(test_doctype_and_entities),
		cmocka_unit_test(test_broken_input),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_silent),
		cmocka_unit_test(test_check_ids_and_refs),
		cmocka_unit_test(test_check_constraints),
		cmocka_unit_test(test_check_fencing),
		cmocka_unit_test(test_check_properties),
		cmocka_unit_test(test_check_resources),
		cmocka_unit_test(test_check_built),
		cmocka_unit_test(test_check_scales),
		cmocka_unit_test(test_large_and_deep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
