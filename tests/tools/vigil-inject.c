/*
 * vigil-inject - join vigild's Corosync group and send malformed messages, so
 * that the lab tests can check that every daemon drops them, says so in its
 * log, and changes nothing.  A test tool: not installed.
 *
 * Usage: vigil-inject [--group NAME] [KIND]...
 * KIND is one of
 *   garbage    bytes that are not a frame at all
 *   version    a well-formed frame of protocol version 99 (checksum right)
 *   truncated  a configuration change cut short
 *   checksum   a configuration change with one payload bit flipped
 *   sender     a configuration change claiming another node as its sender
 *   payload    a frame whose checksum is right but whose payload is nonsense
 * (default: all of them, in that order).  Exit 0 when every message was
 * handed to Corosync.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include <corosync/cpg.h>

#include "wire.h"

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int send_raw(cpg_handle_t h, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	for (int tries = 0; tries < 500; tries++) {
		cs_error_t e = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (e == CS_OK)
			return 0;
		if (e != CS_ERR_TRY_AGAIN) {
			fprintf(stderr, "vigil-inject: send failed (corosync error %d)\n", (int)e);
			return -1;
		}
		pause_ms(10);
	}
	fprintf(stderr, "vigil-inject: corosync kept saying try again\n");
	return -1;
}

/* Recomputes the frame checksum after we edited the header on purpose. */
static void reseal(uint8_t *b, size_t len)
{
	memset(b + 24, 0, 4);
	uint32_t crc = vg_crc32(0, b, len);
	b[24] = (uint8_t)crc;
	b[25] = (uint8_t)(crc >> 8);
	b[26] = (uint8_t)(crc >> 16);
	b[27] = (uint8_t)(crc >> 24);
}

static int change_frame(uint32_t sender, void **buf, size_t *len)
{
	char name[] = "stonith-enabled", value[] = "injected";
	struct vg_msg_config_change c = { .req_id = 1, .op = VG_CHANGE_PROPERTY, .name = name,
					  .value = value };
	return vg_msg_config_change_encode(&c, sender, 1, buf, len);
}

static int inject(cpg_handle_t h, uint32_t self, const char *kind)
{
	void *buf = NULL;
	size_t len = 0;
	int rc = 0;
	if (!strcmp(kind, "garbage")) {
		static const char junk[] = "this is not a vigil frame, just garbage on the group";
		return send_raw(h, junk, sizeof(junk));
	}
	if (!strcmp(kind, "version")) {
		if (change_frame(self, &buf, &len))
			return -1;
		((uint8_t *)buf)[4] = 99;
		reseal(buf, len);
	} else if (!strcmp(kind, "truncated")) {
		if (change_frame(self, &buf, &len))
			return -1;
		len -= 7;
	} else if (!strcmp(kind, "checksum")) {
		if (change_frame(self, &buf, &len))
			return -1;
		((uint8_t *)buf)[len - 2] ^= 0x04;
	} else if (!strcmp(kind, "sender")) {
		if (change_frame(self == 1 ? 2 : 1, &buf, &len))
			return -1;
	} else if (!strcmp(kind, "payload")) {
		static const char nonsense[] = "\xff\xff\xff\xff no fields here";
		if (vg_wire_frame(VG_MSG_CONFIG_CHANGE, self, 1, nonsense, sizeof(nonsense) - 1, &buf,
				  &len))
			return -1;
	} else {
		fprintf(stderr, "vigil-inject: unknown kind '%s'\n", kind);
		return -2;
	}
	rc = send_raw(h, buf, len);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	const char *group = "vigil";
	static const char *const all[] = { "garbage", "version", "truncated", "checksum",
					   "sender", "payload" };
	int first = 1;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: vigil-inject [--group NAME] [garbage|version|truncated|checksum|"
		       "sender|payload]...\n");
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--group")) {
		group = argv[2];
		first = 3;
	}
	cpg_handle_t h;
	cpg_callbacks_t cb = { 0 };
	if (cpg_initialize(&h, &cb) != CS_OK) {
		fprintf(stderr, "vigil-inject: cannot connect to corosync\n");
		return 1;
	}
	struct cpg_name name = { 0 };
	name.length = (uint32_t)strlen(group);
	memcpy(name.value, group, name.length);
	unsigned int self = 0;
	if (cpg_local_get(h, &self) != CS_OK || cpg_join(h, &name) != CS_OK) {
		fprintf(stderr, "vigil-inject: cannot join group %s\n", group);
		cpg_finalize(h);
		return 1;
	}
	/* Let the join settle everywhere before talking. */
	pause_ms(300);
	int rc = 0;
	if (first >= argc) {
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && !rc; i++)
			rc = inject(h, self, all[i]);
	} else {
		for (int i = first; i < argc && !rc; i++)
			rc = inject(h, self, argv[i]);
	}
	pause_ms(300);
	cpg_leave(h, &name);
	cpg_finalize(h);
	if (!rc)
		printf("vigil-inject: sent from node %u\n", self);
	return rc ? (rc == -2 ? 2 : 1) : 0;
}
