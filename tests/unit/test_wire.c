/* test_wire.c - the group protocol: round trips, and that every kind of damage
 * (truncation, bit flips, wrong version, unknown type, bad fields) is refused. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire.h"

static void test_crc32_known_value(void **state)
{
	/* The standard check value of CRC-32/IEEE. */
	assert_int_equal(vg_crc32(0, "123456789", 9), 0xCBF43926u);
	/* Continuing a CRC gives the same as one pass. */
	uint32_t c = vg_crc32(0, "12345", 5);
	assert_int_equal(vg_crc32(c, "6789", 4), 0xCBF43926u);
}

static void test_sync_round_trip(void **state)
{
	struct vg_member view[] = { { 1, 100 }, { 2, 200 }, { 3, 300 } };
	struct vg_member sen[] = { { 2, 200 }, { 1, 100 } };
	struct vg_msg_sync in = {
		.flags = VG_SYNC_SYNCED | VG_SYNC_HAVE_CONFIG,
		.version = { 1, 7, 3 },
		.config_crc = 0xdeadbeef,
		.term = 0x1122334455667788ull,
		.view = view, .n_view = 3,
		.seniority = sen, .n_seniority = 2,
	};
	void *buf = NULL;
	size_t len = 0;
	assert_int_equal(vg_msg_sync_encode(&in, 2, 42, &buf, &len), 0);

	struct vg_diags d = { 0 };
	struct vg_wire_hdr h;
	const void *payload;
	assert_int_equal(vg_wire_decode(buf, len, &h, &payload, &d), 0);
	assert_int_equal(h.type, VG_MSG_SYNC);
	assert_int_equal(h.sender, 2);
	assert_int_equal(h.seq, 42);
	struct vg_msg_sync out;
	assert_int_equal(vg_msg_sync_decode(payload, h.length, &out, &d), 0);
	assert_int_equal(out.flags, in.flags);
	assert_int_equal(out.version.epoch, 7);
	assert_int_equal(out.config_crc, 0xdeadbeef);
	assert_true(out.term == 0x1122334455667788ull);
	assert_int_equal(out.n_view, 3);
	assert_int_equal(out.view[2].pid, 300);
	assert_int_equal(out.n_seniority, 2);
	assert_int_equal(out.seniority[0].nodeid, 2);
	vg_msg_sync_clear(&out);
	assert_int_equal(d.n, 0);

	/* Every truncation is refused, by the frame check or the decoder. */
	for (size_t cut = 0; cut < len; cut++) {
		struct vg_wire_hdr h2;
		const void *p2;
		int rc = vg_wire_decode(buf, cut, &h2, &p2, &d);
		assert_int_equal(rc, -EBADMSG);
	}
	/* Every single bit flip is refused (the checksum covers the whole frame). */
	uint8_t *b = buf;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			struct vg_wire_hdr h2;
			const void *p2;
			assert_int_equal(vg_wire_decode(buf, len, &h2, &p2, &d), -EBADMSG);
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	assert_true(d.n_errors > 0);
	vg_diags_clear(&d);
	free(buf);
}

/* A frame whose header is right but whose payload is not must be refused by the
 * type's decoder: the checksum only proves it was not damaged in transit. */
static void test_bad_payloads(void **state)
{
	struct vg_diags d = { 0 };
	struct vg_msg_sync s;
	/* Truncated payload. */
	uint8_t short_payload[6] = { 0 };
	assert_int_equal(vg_msg_sync_decode(short_payload, sizeof(short_payload), &s, &d), -EBADMSG);
	/* Count larger than the payload. */
	uint8_t big_count[4 + 12 + 4 + 4] = { 0 };
	big_count[20] = 0xff; big_count[21] = 0xff;
	assert_int_equal(vg_msg_sync_decode(big_count, sizeof(big_count), &s, &d), -EBADMSG);
	/* Unknown flags. */
	struct vg_member view[] = { { 1, 1 } };
	struct vg_msg_sync in = { .flags = 0x80, .view = view, .n_view = 1 };
	void *buf;
	size_t len;
	assert_int_equal(vg_msg_sync_encode(&in, 1, 1, &buf, &len), 0);
	assert_int_equal(vg_msg_sync_decode((uint8_t *)buf + VG_WIRE_HEADER_BYTES,
					    len - VG_WIRE_HEADER_BYTES, &s, &d), -EBADMSG);
	free(buf);
	/* Trailing bytes. */
	in.flags = 0;
	assert_int_equal(vg_msg_sync_encode(&in, 1, 1, &buf, &len), 0);
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, buf, len);
	longer[len] = 0;
	assert_int_equal(vg_msg_sync_decode(longer + VG_WIRE_HEADER_BYTES,
					    len + 1 - VG_WIRE_HEADER_BYTES, &s, &d), -EBADMSG);
	free(longer);
	free(buf);

	/* A change with a NUL inside its document, an unknown op, a property
	 * without a name. */
	char doc[] = "<cib/>", empty[] = "", x[] = "x", name[] = "stonith-enabled";
	struct vg_msg_config_change c = { .op = VG_CHANGE_REPLACE, .xml = doc, .xml_len = 6 };
	assert_int_equal(vg_msg_config_change_encode(&c, 1, 1, &buf, &len), 0);
	uint8_t *p = (uint8_t *)buf + VG_WIRE_HEADER_BYTES;
	size_t plen = len - VG_WIRE_HEADER_BYTES;
	struct vg_msg_config_change out;
	assert_int_equal(vg_msg_config_change_decode(p, plen, &out, &d), 0);
	assert_string_equal(out.xml, "<cib/>");
	assert_null(out.name);
	vg_msg_config_change_clear(&out);
	p[8 + 4 + 4 + 12 + 4 + 2] = '\0'; /* inside "<cib/>" */
	assert_int_equal(vg_msg_config_change_decode(p, plen, &out, &d), -EBADMSG);
	free(buf);
	c.op = 9;
	assert_int_equal(vg_msg_config_change_encode(&c, 1, 1, &buf, &len), 0);
	assert_int_equal(vg_msg_config_change_decode((uint8_t *)buf + VG_WIRE_HEADER_BYTES,
						     len - VG_WIRE_HEADER_BYTES, &out, &d), -EBADMSG);
	free(buf);
	struct vg_msg_config_change prop = { .op = VG_CHANGE_PROPERTY, .name = empty, .value = x };
	assert_int_equal(vg_msg_config_change_encode(&prop, 1, 1, &buf, &len), 0);
	assert_int_equal(vg_msg_config_change_decode((uint8_t *)buf + VG_WIRE_HEADER_BYTES,
						     len - VG_WIRE_HEADER_BYTES, &out, &d), -EBADMSG);
	free(buf);
	prop.name = name;
	assert_int_equal(vg_msg_config_change_encode(&prop, 1, 1, &buf, &len), 0);
	assert_int_equal(vg_msg_config_change_decode((uint8_t *)buf + VG_WIRE_HEADER_BYTES,
						     len - VG_WIRE_HEADER_BYTES, &out, &d), 0);
	assert_string_equal(out.name, "stonith-enabled");
	assert_string_equal(out.value, "x");
	assert_null(out.xml);
	vg_msg_config_change_clear(&out);
	free(buf);

	/* A confirm names its document: version, CRC and term come back. */
	struct vg_msg_config_confirm cf = { .version = { 0, 1, 0 }, .config_crc = 0xdeadbeef,
					    .term = 0x123456789aull, .rc = -5 };
	assert_int_equal(vg_msg_config_confirm_encode(&cf, 1, 1, &buf, &len), 0);
	struct vg_msg_config_confirm cfo;
	assert_int_equal(vg_msg_config_confirm_decode((uint8_t *)buf + VG_WIRE_HEADER_BYTES,
						      len - VG_WIRE_HEADER_BYTES, &cfo, &d), 0);
	assert_int_equal(cfo.version.epoch, 1);
	assert_int_equal(cfo.config_crc, 0xdeadbeef);
	assert_true(cfo.term == 0x123456789aull);
	assert_int_equal(cfo.rc, -5);
	/* A version 2 confirm (version and result only) is too short. */
	assert_int_equal(vg_msg_config_confirm_decode((uint8_t *)buf + VG_WIRE_HEADER_BYTES, 16,
						      &cfo, &d), -EBADMSG);
	free(buf);
	/* A confirm whose result is positive. */
	cf.rc = 5;
	assert_int_equal(vg_msg_config_confirm_encode(&cf, 1, 1, &buf, &len), 0);
	assert_int_equal(vg_msg_config_confirm_decode((uint8_t *)buf + VG_WIRE_HEADER_BYTES,
						      len - VG_WIRE_HEADER_BYTES, &cfo, &d), -EBADMSG);
	free(buf);
	vg_diags_clear(&d);
}

static void test_header_checks(void **state)
{
	struct vg_diags d = { 0 };
	void *buf;
	size_t len;
	struct vg_wire_hdr h;
	const void *p;
	assert_int_equal(vg_wire_frame(VG_MSG_STATUS_REPORT, 3, 9, "abc", 3, &buf, &len), 0);
	assert_int_equal(vg_wire_decode(buf, len, &h, &p, &d), 0);
	free(buf);

	/* Wrong version (2: before CONFIRM named its document), with a correct
	 * checksum: still refused, and said so. */
	assert_int_equal(vg_wire_frame(VG_MSG_STATUS_REPORT, 3, 9, "abc", 3, &buf, &len), 0);
	uint8_t *b = buf;
	b[4] = 2;
	b[24] = b[25] = b[26] = b[27] = 0;
	uint32_t crc = vg_crc32(0, b, len);
	b[24] = (uint8_t)crc; b[25] = (uint8_t)(crc >> 8); b[26] = (uint8_t)(crc >> 16);
	b[27] = (uint8_t)(crc >> 24);
	assert_int_equal(vg_wire_decode(buf, len, &h, &p, &d), -EBADMSG);
	assert_non_null(strstr(d.v[d.n - 1].message, "protocol version 2"));
	free(buf);

	/* Unknown type. */
	assert_int_equal(vg_wire_frame(99, 3, 9, "abc", 3, &buf, &len), 0);
	assert_int_equal(vg_wire_decode(buf, len, &h, &p, &d), -EBADMSG);
	assert_non_null(strstr(d.v[d.n - 1].message, "unknown message type"));
	free(buf);

	/* Sender 0. */
	assert_int_equal(vg_wire_frame(VG_MSG_SYNC, 0, 9, "abc", 3, &buf, &len), 0);
	assert_int_equal(vg_wire_decode(buf, len, &h, &p, &d), -EBADMSG);
	free(buf);

	/* Garbage. */
	char junk[64];
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(vg_wire_decode(junk, sizeof(junk), &h, &p, &d), -EBADMSG);
	assert_non_null(strstr(d.v[d.n - 1].message, "bad magic"));
	vg_diags_clear(&d);
}

static void test_fragments(void **state)
{
	/* A status section of 2.5 MB: three fragments, reassembled exactly. */
	size_t n = 2500 * 1024;
	char *xml = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		xml[i] = (char)('a' + i % 26);
	xml[n] = '\0';
	struct vg_msg_status_section s = { .num_updates = 4, .xml = xml, .xml_len = n };
	void *frame;
	size_t len;
	assert_int_equal(vg_msg_status_section_encode(&s, 5, 1, &frame, &len), 0);
	void **frames;
	size_t *lens, count;
	assert_int_equal(vg_wire_fragment(frame, len, 5, 1, 77, &frames, &lens, &count), 0);
	assert_int_equal(count, 3);

	struct vg_diags d = { 0 };
	struct vg_reasm r = { 0 };
	void *whole = NULL;
	size_t whole_len = 0;
	for (size_t i = 0; i < count; i++) {
		struct vg_wire_hdr h;
		const void *p;
		assert_true(lens[i] <= VG_WIRE_FRAGMENT_BYTES);
		assert_int_equal(vg_wire_decode(frames[i], lens[i], &h, &p, &d), 0);
		assert_int_equal(h.type, VG_MSG_FRAGMENT);
		struct vg_msg_fragment f;
		assert_int_equal(vg_msg_fragment_decode(p, h.length, &f, &d), 0);
		int rc = vg_reasm_feed(&r, &f, &whole, &whole_len, &d);
		assert_int_equal(rc, i + 1 == count ? 1 : 0);
	}
	assert_int_equal(whole_len, len);
	assert_memory_equal(whole, frame, len);
	free(whole);

	/* Out of order: the transfer is dropped. */
	struct vg_wire_hdr h;
	const void *p;
	struct vg_msg_fragment f;
	assert_int_equal(vg_wire_decode(frames[0], lens[0], &h, &p, &d), 0);
	assert_int_equal(vg_msg_fragment_decode(p, h.length, &f, &d), 0);
	assert_int_equal(vg_reasm_feed(&r, &f, &whole, &whole_len, &d), 0);
	assert_int_equal(vg_wire_decode(frames[2], lens[2], &h, &p, &d), 0);
	assert_int_equal(vg_msg_fragment_decode(p, h.length, &f, &d), 0);
	assert_int_equal(vg_reasm_feed(&r, &f, &whole, &whole_len, &d), -EBADMSG);
	assert_false(r.active);
	/* A continuation without a start is refused too. */
	assert_int_equal(vg_reasm_feed(&r, &f, &whole, &whole_len, &d), -EBADMSG);
	vg_reasm_clear(&r);

	for (size_t i = 0; i < count; i++)
		free(frames[i]);
	free(frames);
	free(lens);
	free(frame);
	free(xml);
	vg_diags_clear(&d);
}

static void test_version_cmp(void **state)
{
	struct vg_cfg_version a = { 0, 5, 9 }, b = { 0, 6, 0 }, c = { 1, 0, 0 };
	assert_true(vg_cfg_version_cmp(&a, &b) < 0);
	assert_true(vg_cfg_version_cmp(&c, &b) > 0);
	assert_int_equal(vg_cfg_version_cmp(&a, &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_known_value),
		cmocka_unit_test(test_sync_round_trip),
		cmocka_unit_test(test_bad_payloads),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_version_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
