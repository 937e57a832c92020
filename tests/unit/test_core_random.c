/* test_core_random.c - seeded random failure schedules on the harness: node
 * crashes and boots, partitions and heals, daemon kills and restarts, and
 * configuration changes from any node at any time.  After every settled step:
 * a DC acts only in a quorate partition, and all members of a partition that
 * has one agree on it and hold the same configuration.  At the end, with every
 * node back: one DC, one configuration, and every acknowledged change in it.
 * A failing seed is printed with every node's log; VIGIL_SEED=S replays one,
 * VIGIL_SEEDS=N runs seeds 1..N.
 *
 * The changes add nodes x<k> (uname) to the configuration and never remove
 * any, so "acknowledged, therefore present" is easy to check. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core_harness.h"

#define NODES 5
#define STEPS 40
#define MAX_CHANGES 64

struct change {
	int node;
	uint64_t client;
	int k;
};

static uint64_t rng;

static uint32_t draw(uint32_t n)
{
	/* xorshift64*: the seed decides everything. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ull) >> 33) % n;
}

static bool acked(struct harness *h, const struct change *c)
{
	const char *r = h_reply(h, c->node, c->client);
	return r && strstr(r, "\"rc\":0");
}

static bool has_change(const char *xml, int k)
{
	char needle[32];
	snprintf(needle, sizeof(needle), "uname=\"x%d\"", k);
	return xml && strstr(xml, needle);
}

/* Returns NULL when fine, else what is wrong (static buffer). */
static const char *check_partitions(struct harness *h)
{
	static char why[256];
	for (int a = 1; a <= NODES; a++) {
		struct crmd_core *ca = h_core(h, a);
		if (!ca)
			continue;
		uint32_t dc = crmd_core_dc(ca);
		if (dc && !h_part_quorate(h, h_part_of(h, a))) {
			snprintf(why, sizeof(why), "n%d names acting DC %u in a partition without quorum",
				 a, dc);
			return why;
		}
		if (!dc)
			continue;
		for (int b = 1; b <= NODES; b++) {
			struct crmd_core *cb = h_core(h, b);
			if (!cb || b == a || h_part_of(h, b) != h_part_of(h, a))
				continue;
			if (crmd_core_dc(cb) != dc) {
				snprintf(why, sizeof(why), "n%d says DC %u, n%d says %u", a, dc, b,
					 crmd_core_dc(cb));
				return why;
			}
			size_t la, lb;
			const char *xa = crmd_core_config_xml(ca, &la);
			const char *xb = crmd_core_config_xml(cb, &lb);
			if (la != lb || memcmp(xa, xb, la)) {
				snprintf(why, sizeof(why), "n%d and n%d hold different configurations", a, b);
				return why;
			}
		}
	}
	return NULL;
}

static int run_seed(uint64_t seed, bool verbose)
{
	rng = seed * 0x9E3779B97F4A7C15ull + 1;
	struct harness *h = h_new(NODES);
	/* Quorum notifications late by up to 30 ms in some runs: changes wait. */
	h_set_quorum_delay(h, draw(2) ? draw(30) : 0);
	for (int i = 1; i <= NODES; i++)
		h_boot(h, i);
	h_run(h, 500);
	struct change changes[MAX_CHANGES];
	int n_changes = 0;
	const char *bad = NULL;
	for (int step = 0; step < STEPS && !bad; step++) {
		int node = 1 + (int)draw(NODES);
		uint32_t what = draw(9);
		if (verbose)
			fprintf(stderr, "step %d at %llu: %s n%d\n", step, (unsigned long long)h_now(h),
				(const char *[]){ "power off", "boot", "partition", "heal", "kill daemon",
						  "start daemon", "change", "change", "change" }[what], node);
		switch (what) {
		case 0:
			h_power_off(h, node);
			break;
		case 1:
			h_boot(h, node);
			break;
		case 2: {
			int part[NODES + 1] = { 0 };
			for (int i = 1; i <= NODES; i++)
				part[i] = 1 + (int)draw(3);
			h_partition(h, part);
			break;
		}
		case 3: {
			int part[NODES + 1];
			for (int i = 0; i <= NODES; i++)
				part[i] = 1;
			h_partition(h, part);
			break;
		}
		case 4:
			h_daemon_kill(h, node);
			break;
		case 5:
			h_daemon_start(h, node);
			break;
		default:
			if (n_changes < MAX_CHANGES && h_core(h, node)) {
				char req[256];
				int k = n_changes;
				snprintf(req, sizeof(req),
					 "{\"version\":1,\"op\":\"config-update\",\"xml\":\"<configuration>"
					 "<nodes><node id=\\\"%d\\\" uname=\\\"x%d\\\"/></nodes>"
					 "</configuration>\"}", 100 + k, k);
				changes[n_changes++] = (struct change){ node, h_request(h, node, req), k };
				/* Sometimes another node asks at the same moment. */
				int other = 1 + (int)draw(NODES);
				if (draw(3) == 0 && n_changes < MAX_CHANGES && h_core(h, other)) {
					k = n_changes;
					snprintf(req, sizeof(req),
						 "{\"version\":1,\"op\":\"config-update\",\"xml\":"
						 "\"<configuration><nodes><node id=\\\"%d\\\" "
						 "uname=\\\"x%d\\\"/></nodes></configuration>\"}",
						 100 + k, k);
					changes[n_changes++] =
						(struct change){ other, h_request(h, other, req), k };
				}
			}
			break;
		}
		/* Sometimes let things settle, sometimes pile the next fault on. */
		if (draw(3))
			h_run(h, 200 + draw(300));
		else
			h_step(h, (int)draw(20));
		h_run(h, 2000);
		bad = check_partitions(h);
	}
	if (!bad) {
		/* Everything back: one cluster. */
		int part[NODES + 1];
		for (int i = 0; i <= NODES; i++)
			part[i] = 1;
		h_partition(h, part);
		for (int i = 1; i <= NODES; i++) {
			h_boot(h, i);
			h_daemon_start(h, i);
		}
		h_run(h, 70000);
		bad = check_partitions(h);
	}
	static char why[256];
	if (!bad) {
		uint32_t dc = crmd_core_dc(h_core(h, 1));
		if (!dc) {
			bad = "no DC after everything came back";
		}
		const char *xml = crmd_core_config_xml(h_core(h, 1), NULL);
		for (int i = 0; i < n_changes && !bad; i++) {
			if (acked(h, &changes[i]) && !has_change(xml, changes[i].k)) {
				snprintf(why, sizeof(why), "acknowledged change x%d (from n%d) is lost",
					 changes[i].k, changes[i].node);
				bad = why;
			}
		}
		for (int n = 1; n <= NODES && !bad; n++) {
			const char *disk = h_disk(h, n);
			size_t len;
			const char *mem = crmd_core_config_xml(h_core(h, n), &len);
			if (!disk || strlen(disk) != len || memcmp(disk, mem, len)) {
				snprintf(why, sizeof(why), "n%d's disk differs from its memory", n);
				bad = why;
			}
		}
	}
	int acks = 0;
	for (int i = 0; i < n_changes; i++)
		acks += acked(h, &changes[i]);
	if (bad || verbose) {
		if (bad)
			h_dump_logs(h);
		fprintf(stderr, "seed %llu: %d changes, %d acknowledged%s%s\n",
			(unsigned long long)seed, n_changes, acks, bad ? ": " : "", bad ? bad : "");
	}
	h_free(h);
	return bad ? 1 : 0;
}

static void test_random_schedules(void **state)
{
	const char *one = getenv("VIGIL_SEED");
	if (one) {
		if (run_seed(strtoull(one, NULL, 10), true))
			fail_msg("seed %s failed", one);
		return;
	}
	const char *env = getenv("VIGIL_SEEDS");
	int seeds = env ? atoi(env) : 20;
	int failed = 0;
	for (int s = 1; s <= seeds; s++)
		failed += run_seed((uint64_t)s, false);
	if (failed)
		fail_msg("%d of %d seeds failed (see above)", failed, seeds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_schedules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
