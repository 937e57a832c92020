/* test_core_config.c - the replicated configuration: ordering, acknowledgement
 * only once on every disk, conflicts, the minority refusing, state transfer to
 * joiners and after a heal, recovery from a bad stored copy, and malformed
 * group messages changing nothing. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core_harness.h"
#include "wire.h"

static struct harness *boot_cluster(int n)
{
	struct harness *h = h_new(n);
	for (int i = 1; i <= n; i++) {
		h_boot(h, i);
		h_run(h, 100);
	}
	return h;
}

static char *property_req(const char *name, const char *value)
{
	char *s = NULL;
	assert_true(asprintf(&s, "{\"version\":1,\"op\":\"property\",\"name\":\"%s\",\"value\":\"%s\"}",
			     name, value) > 0);
	return s;
}

static char *doc_req(const char *op, const char *xml)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "op", json_object_new_string(op));
	json_object_object_add(o, "xml", json_object_new_string(xml));
	char *s = strdup(json_object_to_json_string(o));
	json_object_put(o);
	return s;
}

/* rc of a reply and, optionally, its "error" code. */
static int reply_rc(const char *json, char *code, size_t code_len)
{
	assert_non_null(json);
	json_object *o = json_tokener_parse(json);
	assert_non_null(o);
	json_object *v;
	assert_true(json_object_object_get_ex(o, "rc", &v));
	int rc = json_object_get_int(v);
	if (code) {
		code[0] = '\0';
		if (json_object_object_get_ex(o, "error", &v))
			snprintf(code, code_len, "%s", json_object_get_string(v));
	}
	json_object_put(o);
	return rc;
}

static void assert_epoch(struct harness *h, int node, uint32_t epoch)
{
	struct vg_cfg_version v = crmd_core_config_version(h_core(h, node));
	if (v.epoch != epoch) {
		h_dump_logs(h);
		fail_msg("n%d is at epoch %u, expected %u", node, v.epoch, epoch);
	}
}

static void assert_same_config(struct harness *h, int a, int b)
{
	size_t la, lb;
	const char *xa = crmd_core_config_xml(h_core(h, a), &la);
	const char *xb = crmd_core_config_xml(h_core(h, b), &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(xa, xb, la);
}

static void test_change_acked_when_on_every_disk(void **state)
{
	struct harness *h = boot_cluster(3);
	char *req = property_req("stonith-enabled", "false");
	uint64_t id = h_request(h, 2, req);
	free(req);
	/* Step until the reply shows up; at that moment every disk has it. */
	for (int i = 0; i < 1000 && !h_reply(h, 2, id); i++)
		h_step(h, 1);
	assert_int_equal(reply_rc(h_reply(h, 2, id), NULL, 0), 0);
	for (int n = 1; n <= 3; n++) {
		assert_non_null(h_disk(h, n));
		assert_non_null(strstr(h_disk(h, n), "epoch=\"1\""));
		assert_non_null(strstr(h_disk(h, n), "stonith-enabled"));
	}
	h_run(h, 100);
	for (int n = 1; n <= 3; n++)
		assert_epoch(h, n, 1);
	assert_same_config(h, 1, 2);
	assert_same_config(h, 1, 3);
	h_free(h);
}

/* K6: a confirm counts only for the exact document (CRC) with the current
 * ring's term.  Members forge confirms of the right version with another CRC,
 * and of the right document with an older term: the requester must still wait
 * until every disk holds the change. */
static void test_confirm_names_the_document(void **state)
{
	struct harness *h = boot_cluster(3);
	h_set_write_delay(h, 1, 200);
	h_set_write_delay(h, 3, 200);
	char *req = property_req("stonith-enabled", "false");
	uint64_t id = h_request(h, 2, req);
	free(req);
	for (int i = 0; i < 1000 && crmd_core_config_version(h_core(h, 2)).epoch != 1; i++)
		h_step(h, 1);
	assert_int_equal(crmd_core_config_version(h_core(h, 2)).epoch, 1);
	size_t len;
	const char *xml = crmd_core_config_xml(h_core(h, 2), &len);
	uint32_t crc = vg_crc32(0, xml, len);
	uint64_t term = crmd_core_config_term(h_core(h, 2));
	assert_true(term > 0);
	assert_true(h_disk(h, 1) == NULL || !strstr(h_disk(h, 1), "stonith-enabled"));
	for (int n = 1; n <= 3; n += 2) {
		struct vg_msg_config_confirm wrong_doc = { .version = { 0, 1, 0 },
							   .config_crc = crc ^ 1, .term = term };
		struct vg_msg_config_confirm old_term = { .version = { 0, 1, 0 },
							  .config_crc = crc, .term = term - 1 };
		void *buf;
		size_t blen;
		assert_int_equal(vg_msg_config_confirm_encode(&wrong_doc, (uint32_t)n, 900, &buf,
							      &blen), 0);
		h_inject(h, n, buf, blen);
		free(buf);
		assert_int_equal(vg_msg_config_confirm_encode(&old_term, (uint32_t)n, 901, &buf,
							      &blen), 0);
		h_inject(h, n, buf, blen);
		free(buf);
	}
	for (int i = 0; i < 2000 && !h_reply(h, 2, id); i++) {
		h_step(h, 1);
		if (h_reply(h, 2, id))
			for (int n = 1; n <= 3; n++)
				assert_non_null(strstr(h_disk(h, n), "stonith-enabled"));
	}
	assert_int_equal(reply_rc(h_reply(h, 2, id), NULL, 0), 0);
	h_free(h);
}

/* A member that does not confirm (its disk hangs) holds a change for at most
 * 10 s: the client is told "timeout" with the member's name; the change is
 * applied everywhere, and later changes still apply. */
static void test_silent_member_bounded(void **state)
{
	struct harness *h = boot_cluster(3);
	h_set_write_delay(h, 3, 30000);
	uint64_t t0 = h_now(h);
	char *req = property_req("stonith-enabled", "false");
	uint64_t id = h_request(h, 2, req);
	free(req);
	for (int i = 0; i < 100000 && !h_reply(h, 2, id); i++)
		h_step(h, 1);
	char code[32];
	const char *rep = h_reply(h, 2, id);
	assert_non_null(rep);
	assert_int_equal(reply_rc(rep, code, sizeof(code)), -ETIMEDOUT);
	assert_string_equal(code, "timeout");
	assert_non_null(strstr(rep, "n3"));
	assert_true(h_now(h) - t0 >= 10000 && h_now(h) - t0 < 11000);
	h_set_write_delay(h, 3, 0);
	h_run(h, 40000);
	for (int n = 1; n <= 3; n++)
		assert_epoch(h, n, 1);
	req = property_req("stonith-timeout", "90s");
	id = h_request(h, 1, req);
	free(req);
	h_run(h, 1000);
	assert_non_null(h_reply(h, 1, id));
	assert_int_equal(reply_rc(h_reply(h, 1, id), NULL, 0), 0);
	h_free(h);
}

static void test_concurrent_changes_in_order(void **state)
{
	struct harness *h = boot_cluster(3);
	char *r1 = property_req("stonith-enabled", "false");
	char *r3 = property_req("no-quorum-policy", "stop");
	char *r2 = property_req("stonith-enabled", "true");
	uint64_t a = h_request(h, 1, r1);
	uint64_t b = h_request(h, 3, r3);
	uint64_t c = h_request(h, 2, r2);
	free(r1);
	free(r2);
	free(r3);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 1, a), NULL, 0), 0);
	assert_int_equal(reply_rc(h_reply(h, 3, b), NULL, 0), 0);
	assert_int_equal(reply_rc(h_reply(h, 2, c), NULL, 0), 0);
	/* Three changes, applied in one order everywhere. */
	for (int n = 1; n <= 3; n++)
		assert_epoch(h, n, 3);
	assert_same_config(h, 1, 2);
	assert_same_config(h, 1, 3);
	const char *x = crmd_core_config_xml(h_core(h, 1), NULL);
	assert_non_null(strstr(x, "no-quorum-policy"));
	assert_non_null(strstr(x, "value=\"true\"")); /* n2's, sent last, wins */
	h_free(h);
}

static void test_conflict_and_invalid(void **state)
{
	struct harness *h = boot_cluster(3);
	char *p = property_req("stonith-enabled", "false");
	uint64_t id = h_request(h, 1, p);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 1, id), NULL, 0), 0);
	id = h_request(h, 1, p);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 1, id), NULL, 0), 0);
	free(p);
	assert_epoch(h, 1, 2);

	/* A document based on epoch 1 while the cluster is at 2: refused. */
	char *r = doc_req("config-replace",
			  "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" validate-with=\"pacemaker-3.9\"><configuration>"
			  "<crm_config/><nodes/><resources/><constraints/></configuration></cib>");
	id = h_request(h, 2, r);
	free(r);
	h_run(h, 1000);
	char code[32];
	assert_int_equal(reply_rc(h_reply(h, 2, id), code, sizeof(code)), -116 /* -ESTALE */);
	assert_string_equal(code, "conflict");
	assert_epoch(h, 1, 2);

	/* Not XML at all: refused with the parser's words, nothing changes. */
	r = doc_req("config-replace", "<cib><configuration>");
	id = h_request(h, 3, r);
	free(r);
	h_run(h, 1000);
	assert_true(reply_rc(h_reply(h, 3, id), code, sizeof(code)) < 0);
	assert_string_equal(code, "invalid");
	assert_non_null(strstr(h_reply(h, 3, id), "diagnostics"));

	/* A property value the document library refuses: its words reach the
	 * client, nothing changes. */
	char *bad = property_req("stonith-enabled", "perhaps");
	id = h_request(h, 1, bad);
	free(bad);
	h_run(h, 1000);
	assert_true(reply_rc(h_reply(h, 1, id), code, sizeof(code)) < 0);
	assert_string_equal(code, "invalid");
	assert_non_null(strstr(h_reply(h, 1, id), "must be a boolean"));
	assert_epoch(h, 2, 2);

	/* Based on the current epoch: accepted. */
	r = doc_req("config-replace",
		    "<cib admin_epoch=\"0\" epoch=\"2\" num_updates=\"0\" validate-with=\"pacemaker-3.9\"><configuration>"
		    "<crm_config/><nodes/><resources/><constraints/></configuration></cib>");
	id = h_request(h, 2, r);
	free(r);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 2, id), NULL, 0), 0);
	for (int n = 1; n <= 3; n++)
		assert_epoch(h, n, 3);
	h_free(h);
}

static void test_minority_refuses_heal_converges(void **state)
{
	struct harness *h = boot_cluster(3);
	int cut[4] = { 0, 1, 1, 2 };
	h_partition(h, cut);
	h_run(h, 100);

	char *p3 = property_req("stonith-enabled", "true");
	uint64_t a = h_request(h, 3, p3);
	free(p3);
	h_run(h, 1000);
	char code[32];
	assert_true(reply_rc(h_reply(h, 3, a), code, sizeof(code)) < 0);
	assert_string_equal(code, "no-quorum");
	assert_epoch(h, 3, 0);

	char *p1 = property_req("stonith-enabled", "false");
	uint64_t b = h_request(h, 1, p1);
	free(p1);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 1, b), NULL, 0), 0);
	assert_epoch(h, 1, 1);
	assert_epoch(h, 2, 1);

	int heal[4] = { 0, 1, 1, 1 };
	h_partition(h, heal);
	h_run(h, 1000);
	assert_epoch(h, 3, 1);
	assert_same_config(h, 1, 3);
	assert_non_null(strstr(h_disk(h, 3), "epoch=\"1\""));
	h_free(h);
}

/* The minority side delivered a change nobody else saw (as a cut-off node can)
 * and has the same epoch as the majority's acknowledged change: the heal must
 * keep the majority's. */
static void test_heal_prefers_quorate_side(void **state)
{
	struct harness *h = boot_cluster(3);
	/* n3 sends a change and is cut off before anybody delivered it: n3 still
	 * delivers it (in the old, quorate ring) and applies it; n1 and n2 never
	 * see it.  It cannot be confirmed, so n3's client is not told "done". */
	char *p3 = property_req("stonith-enabled", "true");
	uint64_t a = h_request(h, 3, p3);
	free(p3);
	int cut[4] = { 0, 1, 1, 2 };
	h_partition(h, cut);
	h_run(h, 1000);
	assert_epoch(h, 3, 1);
	assert_epoch(h, 1, 0);
	char code[32];
	assert_true(reply_rc(h_reply(h, 3, a), code, sizeof(code)) < 0);
	assert_string_equal(code, "no-quorum");
	/* The majority makes its own change: same epoch, other content. */
	char *p1 = property_req("no-quorum-policy", "freeze");
	uint64_t b = h_request(h, 1, p1);
	free(p1);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 1, b), NULL, 0), 0);
	int heal[4] = { 0, 1, 1, 1 };
	h_partition(h, heal);
	h_run(h, 1000);
	assert_same_config(h, 1, 3);
	assert_same_config(h, 1, 2);
	assert_non_null(strstr(crmd_core_config_xml(h_core(h, 3), NULL), "no-quorum-policy"));
	assert_null(strstr(crmd_core_config_xml(h_core(h, 3), NULL), "value=\"true\""));
	assert_non_null(strstr(h_disk(h, 3), "no-quorum-policy"));
	h_free(h);
}

static void test_join_state_transfer(void **state)
{
	struct harness *h = h_new(3);
	h_boot(h, 1);
	h_boot(h, 2);
	h_run(h, 100);
	char *p = property_req("stonith-enabled", "false");
	uint64_t id = h_request(h, 1, p);
	free(p);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 1, id), NULL, 0), 0);

	/* A new node with nothing on disk gets the configuration. */
	h_boot(h, 3);
	h_run(h, 1000);
	assert_epoch(h, 3, 1);
	assert_same_config(h, 1, 3);
	assert_non_null(h_disk(h, 3));

	/* A node with a stale copy (down while things changed) catches up. */
	h_daemon_stop(h, 3);
	h_run(h, 100);
	p = property_req("no-quorum-policy", "stop");
	id = h_request(h, 2, p);
	free(p);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 2, id), NULL, 0), 0);
	h_daemon_start(h, 3);
	h_run(h, 1000);
	assert_epoch(h, 3, 2);
	assert_same_config(h, 2, 3);

	/* A node whose copy is corrupt starts without it and is given the
	 * group's (vigild moves the bad file aside before the core starts). */
	h_daemon_kill(h, 3);
	h_run(h, 100);
	h_set_disk(h, 3, "<cib epoch=\"9\"><configuration>");
	h_daemon_start(h, 3);
	h_run(h, 1000);
	assert_epoch(h, 3, 2);
	assert_same_config(h, 1, 3);
	assert_non_null(strstr(h_disk(h, 3), "no-quorum-policy"));
	h_free(h);
}

static void test_full_restart_keeps_newest(void **state)
{
	struct harness *h = boot_cluster(3);
	char *p = property_req("stonith-enabled", "false");
	uint64_t id = h_request(h, 1, p);
	free(p);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 1, id), NULL, 0), 0);
	for (int n = 1; n <= 3; n++)
		h_power_off(h, n);
	h_run(h, 100);
	/* n3 comes back first, then n1: the stored copies agree. */
	h_boot(h, 3);
	h_boot(h, 1);
	h_run(h, 1000);
	assert_epoch(h, 3, 1);
	assert_epoch(h, 1, 1);
	assert_int_equal(crmd_core_dc(h_core(h, 1)), crmd_core_dc(h_core(h, 3)));
	assert_true(crmd_core_dc(h_core(h, 1)) != 0);
	h_free(h);
}

static void test_malformed_messages_change_nothing(void **state)
{
	struct harness *h = boot_cluster(3);
	char *p = property_req("stonith-enabled", "false");
	uint64_t id = h_request(h, 1, p);
	free(p);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 1, id), NULL, 0), 0);
	uint32_t dc = crmd_core_dc(h_core(h, 1));

	uint32_t pid = h_intruder_join(h, 2);
	h_run(h, 100);
	/* Garbage, a wrong protocol version, a truncated change. */
	h_intruder_send(h, 2, pid, "garbage garbage garbage garbage", 31);
	void *frame;
	size_t len;
	struct vg_msg_config_change ch = { .op = VG_CHANGE_PROPERTY };
	char name[] = "stonith-enabled", value[] = "true";
	ch.name = name;
	ch.value = value;
	assert_int_equal(vg_msg_config_change_encode(&ch, 2, 1, &frame, &len), 0);
	h_intruder_send(h, 2, pid, frame, len - 3);
	((uint8_t *)frame)[4] = 9;
	h_intruder_send(h, 2, pid, frame, len);
	free(frame);
	h_run(h, 100);
	h_intruder_leave(h, 2, pid);
	h_run(h, 100);

	for (int n = 1; n <= 3; n++) {
		assert_epoch(h, n, 1);
		assert_true(crmd_core_dropped(h_core(h, n)) >= 1);
		assert_true(h_log_count(h, n, "malformed") >= 1);
		assert_int_equal(crmd_core_dc(h_core(h, n)), dc);
		assert_true(crmd_core_synced(h_core(h, n)));
	}
	/* And the cluster still takes changes. */
	p = property_req("no-quorum-policy", "stop");
	id = h_request(h, 3, p);
	free(p);
	h_run(h, 1000);
	assert_int_equal(reply_rc(h_reply(h, 3, id), NULL, 0), 0);
	assert_epoch(h, 1, 2);
	h_free(h);
}

static void test_status_reply(void **state)
{
	struct harness *h = boot_cluster(3);
	h_run(h, 100);
	uint64_t id = h_request(h, 2, "{\"version\":1,\"op\":\"status\"}");
	const char *r = h_reply(h, 2, id);
	assert_non_null(r);
	json_object *o = json_tokener_parse(r);
	assert_non_null(o);
	json_object *v, *nodes;
	assert_true(json_object_object_get_ex(o, "quorate", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "dc", &v));
	assert_string_equal(json_object_get_string(v), "n1");
	assert_true(json_object_object_get_ex(o, "nodes", &nodes));
	assert_int_equal(json_object_array_length(nodes), 3);
	for (size_t i = 0; i < 3; i++) {
		json_object *n = json_object_array_get_idx(nodes, i), *s;
		assert_true(json_object_object_get_ex(n, "state", &s));
		assert_string_equal(json_object_get_string(s), "online");
	}
	json_object_put(o);

	/* Bad requests are refused, not trusted. */
	id = h_request(h, 2, "{\"version\":1");
	assert_non_null(strstr(h_reply(h, 2, id), "bad-request"));
	id = h_request(h, 2, "{\"version\":7,\"op\":\"status\"}");
	assert_non_null(strstr(h_reply(h, 2, id), "bad-request"));
	id = h_request(h, 2, "{\"version\":1,\"op\":42}");
	assert_non_null(strstr(h_reply(h, 2, id), "bad-request"));

	/* After a node is lost without leaving, it shows unclean. */
	h_power_off(h, 3);
	h_run(h, 100);
	id = h_request(h, 1, "{\"version\":1,\"op\":\"status\"}");
	assert_non_null(strstr(h_reply(h, 1, id), "\"unclean\""));
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_acked_when_on_every_disk),
		cmocka_unit_test(test_confirm_names_the_document),
		cmocka_unit_test(test_silent_member_bounded),
		cmocka_unit_test(test_concurrent_changes_in_order),
		cmocka_unit_test(test_conflict_and_invalid),
		cmocka_unit_test(test_minority_refuses_heal_converges),
		cmocka_unit_test(test_heal_prefers_quorate_side),
		cmocka_unit_test(test_join_state_transfer),
		cmocka_unit_test(test_full_restart_keeps_newest),
		cmocka_unit_test(test_malformed_messages_change_nothing),
		cmocka_unit_test(test_status_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
