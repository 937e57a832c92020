/*
 * gencluster.c - vigil-gencluster: write a realistic cluster document.
 *
 * The policy tests and the benchmarks need clusters of any size that look like
 * the real thing: a Pacemaker CIB whose resources are VMs, with the status
 * section a running cluster would have.  This program writes one to standard
 * output, deterministically for a given seed, in Pacemaker's own format so
 * crm_verify and crm_simulate read it too (that is how the output is checked,
 * see tests/gencluster.sh and doc/gencluster.md).
 *
 * Why it does not use libxml2 or lib/: it must produce 10,000 VMs in well under
 * a second and stay usable as a yardstick for the reader itself, so it prints
 * directly.  Every string it prints is its own (ids, paths, numbers), so no XML
 * escaping is needed.
 *
 * What makes a "steady" cluster steady for Pacemaker: besides a consistent
 * placement, each operation in the history carries the op-digest Pacemaker
 * computes from the resource's parameters.  Without it (or with a wrong one)
 * crm_simulate restarts every VM "due to resource definition change".  The
 * digest is the MD5 of " <parameters NAME="VALUE".../>\n" with the attributes
 * sorted by name; recurring operations add CRM_meta_timeout in milliseconds.
 * MD5 is implemented below (RFC 1321) to keep the program free of dependencies.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEATURE_SET "3.16.1"	/* what Pacemaker 2.1.5 writes */
#define SCHEMA "pacemaker-3.9"
#define BASE_TIME INT64_C(1704067200)	/* 2024-01-01T00:00:00Z: history starts here */

#define STICKINESS 100
#define PREFER_SCORE 50		/* below the stickiness: a preference never moves a running VM */
#define RACK_SCORE 100
#define MONITOR_INTERVAL_MS 10000
#define MONITOR_TIMEOUT_MS 30000
#define FENCE_MONITOR_INTERVAL_MS 60000
#define FENCE_MONITOR_TIMEOUT_MS 20000

enum scenario { SC_FRESH, SC_STEADY, SC_FAILED, SC_STANDBY };

static const char *const scenario_names[] = {
	[SC_FRESH] = "fresh",
	[SC_STEADY] = "steady",
	[SC_FAILED] = "failed",
	[SC_STANDBY] = "standby",
};

struct opts {
	unsigned n_nodes;
	unsigned n_vms;
	enum scenario scenario;
	uint64_t seed;
	bool utilization;
	const char *strategy;
	bool constraints;
	bool stonith;
	bool migrate;
	bool probes;
	const char *output;
};

struct node {
	unsigned rack;		/* 0-based; printed as rack1.. */
	uint64_t cap_cpu, cap_mem;
	uint64_t used_cpu, used_mem;
	unsigned n_vms;
	unsigned call_id;	/* next call-id in this node's history */
};

/* A VM's constraint roles; -1 when it has none. */
struct vm {
	unsigned cpu, mem_mib;
	int node;		/* where it runs in steady state, -1: stopped */
	int migrated_from;	/* --migrate: node it was live-migrated from, -1 */
	int prefer_node;	/* location preference (score PREFER_SCORE) */
	int prefer_rack;	/* rule on the rack attribute (score RACK_SCORE) */
	int ban_node;		/* rule on #uname, -INFINITY */
	int together_with;	/* colocated with this VM (INFINITY) */
	int together_rev;	/* the VM colocated with this one */
	int apart_from;		/* anti-colocated with this VM (-INFINITY) */
	int apart_rev;		/* the VM anti-colocated with this one */
	int first_of;		/* ordered before this VM */
	bool order_optional;
};

struct gen {
	struct opts o;
	uint64_t rng;
	char uuid[37];
	unsigned n_racks;
	struct node *nodes;
	struct vm *vms;
	int failed_node;	/* -1 unless the "failed" scenario */
	int standby_node;	/* -1 unless the "standby" scenario */
	FILE *out;
};

/* ---- deterministic randomness: splitmix64 ---- */

static uint64_t rng_next(struct gen *g)
{
	uint64_t z = (g->rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0.  The tiny modulo bias does not matter here. */
static unsigned rng_below(struct gen *g, unsigned n)
{
	return (unsigned)(rng_next(g) % n);
}

/* ---- MD5 (RFC 1321), for Pacemaker's op-digest ---- */

struct md5 {
	uint32_t h[4];
	uint64_t len;
	unsigned char buf[64];
	size_t fill;
};

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee,
	0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
	0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
	0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05,
	0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039,
	0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static const unsigned char md5_shift[4][4] = {
	{ 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 },
};

static uint32_t rotl32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void md5_block(struct md5 *m, const unsigned char *p)
{
	uint32_t w[16];

	for (unsigned i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;

	uint32_t a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];

	for (unsigned i = 0; i < 64; i++) {
		uint32_t f;
		unsigned word;

		switch (i / 16) {
		case 0:
			f = (b & c) | (~b & d);
			word = i;
			break;
		case 1:
			f = (d & b) | (~d & c);
			word = (5 * i + 1) % 16;
			break;
		case 2:
			f = b ^ c ^ d;
			word = (3 * i + 5) % 16;
			break;
		default:
			f = c ^ (b | ~d);
			word = (7 * i) % 16;
			break;
		}
		uint32_t t = d;

		d = c;
		c = b;
		b = b + rotl32(a + f + md5_k[i] + w[word], md5_shift[i / 16][i % 4]);
		a = t;
	}
	m->h[0] += a;
	m->h[1] += b;
	m->h[2] += c;
	m->h[3] += d;
}

static void md5_init(struct md5 *m)
{
	m->h[0] = 0x67452301;
	m->h[1] = 0xefcdab89;
	m->h[2] = 0x98badcfe;
	m->h[3] = 0x10325476;
	m->len = 0;
	m->fill = 0;
}

static void md5_update(struct md5 *m, const void *data, size_t len)
{
	const unsigned char *p = data;

	m->len += len;
	while (len > 0) {
		size_t take = 64 - m->fill;

		if (take > len)
			take = len;
		memcpy(m->buf + m->fill, p, take);
		m->fill += take;
		p += take;
		len -= take;
		if (m->fill == 64) {
			md5_block(m, m->buf);
			m->fill = 0;
		}
	}
}

/* Writes the digest as 32 lowercase hex digits and a NUL into @hex. */
static void md5_final_hex(struct md5 *m, char hex[33])
{
	uint64_t bits = m->len * 8;
	unsigned char pad = 0x80, zero = 0, len_le[8];

	md5_update(m, &pad, 1);
	while (m->fill != 56)
		md5_update(m, &zero, 1);
	for (unsigned i = 0; i < 8; i++)
		len_le[i] = (unsigned char)(bits >> (8 * i));
	md5_update(m, len_le, 8);
	for (unsigned i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", (m->h[i / 4] >> (8 * (i % 4))) & 0xff);
	hex[32] = '\0';
}

/* Pacemaker's op-digest of a parameter list.  @names must be sorted the way
 * Pacemaker sorts attributes (byte order: "CRM_meta_timeout" before "config"). */
static void op_digest(const char *const *names, const char *const *values, size_t n,
		      char hex[33])
{
	struct md5 m;

	md5_init(&m);
	md5_update(&m, " <parameters", 12);
	for (size_t i = 0; i < n; i++) {
		md5_update(&m, " ", 1);
		md5_update(&m, names[i], strlen(names[i]));
		md5_update(&m, "=\"", 2);
		md5_update(&m, values[i], strlen(values[i]));
		md5_update(&m, "\"", 1);
	}
	md5_update(&m, "/>\n", 3);
	md5_final_hex(&m, hex);
}

/* ---- the model ---- */

static void vm_config_path(unsigned vm, char *buf, size_t len)
{
	snprintf(buf, len, "/etc/vigil/domains/vm%u.xml", vm + 1);
}

/* @timeout_ms is 0 for non-recurring operations, whose digest leaves it out. */
static void vm_digest(unsigned vm, unsigned timeout_ms, char hex[33])
{
	char path[64], timeout[24];

	vm_config_path(vm, path, sizeof(path));
	snprintf(timeout, sizeof(timeout), "%u", timeout_ms);
	if (timeout_ms) {
		const char *names[] = { "CRM_meta_timeout", "config", "hypervisor" };
		const char *values[] = { timeout, path, "qemu:///system" };

		op_digest(names, values, 3, hex);
	} else {
		const char *names[] = { "config", "hypervisor" };
		const char *values[] = { path, "qemu:///system" };

		op_digest(names, values, 2, hex);
	}
}

static char *host_list(const struct gen *g)
{
	size_t len = (size_t)g->o.n_nodes * 12 + 1;
	char *s = malloc(len);

	if (!s)
		return NULL;
	size_t at = 0;

	s[0] = '\0';
	for (unsigned i = 0; i < g->o.n_nodes; i++)
		at += (size_t)snprintf(s + at, len - at, "%sn%u", i ? " " : "", i + 1);
	return s;
}

static void fence_digest(const struct gen *g, const char *hosts, unsigned timeout_ms,
			 char hex[33])
{
	char timeout[24];

	snprintf(timeout, sizeof(timeout), "%u", timeout_ms);
	if (timeout_ms) {
		const char *names[] = { "CRM_meta_timeout", "pcmk_host_check", "pcmk_host_list" };
		const char *values[] = { timeout, "static-list", hosts };

		op_digest(names, values, 3, hex);
	} else {
		const char *names[] = { "pcmk_host_check", "pcmk_host_list" };
		const char *values[] = { "static-list", hosts };

		op_digest(names, values, 2, hex);
	}
}

/* VM sizes: mostly small, a few large, as in a real VM estate. */
static void size_vms(struct gen *g)
{
	static const unsigned cpus[] = { 1, 1, 1, 2, 2, 2, 2, 4, 4, 8 };
	static const unsigned mems[] = { 1024, 2048, 2048, 4096, 4096, 4096, 8192, 8192, 16384, 32768 };

	for (unsigned i = 0; i < g->o.n_vms; i++) {
		unsigned c = rng_below(g, 10);

		g->vms[i].cpu = cpus[c];
		/* memory loosely follows the CPU count */
		unsigned m = c + rng_below(g, 3);

		g->vms[i].mem_mib = mems[m > 9 ? 9 : m];
	}
}

static uint64_t round_up(uint64_t v, uint64_t step)
{
	return (v + step - 1) / step * step;
}

/*
 * Node capacity: enough that every VM still fits when one node is gone (the
 * "failed" and "standby" scenarios), whatever order a placer packs them in.
 * With capacity C = 2T/(N-1) + 2M per dimension (T total demand, M the largest
 * VM, doubled because a colocated pair is placed as one), fewer than half the
 * remaining nodes can be too full in either dimension, so some node always has
 * room.  Rounded to sizes real hosts have.
 */
static void size_nodes(struct gen *g)
{
	uint64_t t_cpu = 0, t_mem = 0, m_cpu = 0, m_mem = 0;

	for (unsigned i = 0; i < g->o.n_vms; i++) {
		t_cpu += g->vms[i].cpu;
		t_mem += g->vms[i].mem_mib;
		if (g->vms[i].cpu > m_cpu)
			m_cpu = g->vms[i].cpu;
		if (g->vms[i].mem_mib > m_mem)
			m_mem = g->vms[i].mem_mib;
	}
	unsigned spare = g->o.n_nodes > 1 ? g->o.n_nodes - 1 : 1;
	uint64_t cpu = round_up((2 * t_cpu + spare - 1) / spare + 2 * m_cpu, 8);
	uint64_t mem = round_up((2 * t_mem + spare - 1) / spare + 2 * m_mem, 16384);

	if (cpu < 8)
		cpu = 8;
	if (mem < 16384)
		mem = 16384;
	for (unsigned i = 0; i < g->o.n_nodes; i++) {
		g->nodes[i].cap_cpu = cpu;
		g->nodes[i].cap_mem = mem;
		g->nodes[i].rack = (unsigned)((uint64_t)i * g->n_racks / g->o.n_nodes);
		g->nodes[i].call_id = 1;
	}
}

/* Constraints go to distinct VMs, chosen by a seeded shuffle, so they do not
 * interact in ways that would make the steady state ambiguous. */
static void pick_constraints(struct gen *g)
{
	unsigned n = g->o.n_vms, *perm = malloc(sizeof(*perm) * (n ? n : 1));

	if (!perm) {
		fprintf(stderr, "vigil-gencluster: out of memory\n");
		exit(1);
	}
	for (unsigned i = 0; i < n; i++)
		perm[i] = i;
	for (unsigned i = n; i > 1; i--) {
		unsigned j = rng_below(g, i), t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}

	unsigned few = n / 100 ? n / 100 : 1;
	unsigned n_prefer = n / 20 ? n / 20 : 1, n_rack = n / 50 ? n / 50 : 1;
	unsigned at = 0;

	for (unsigned i = 0; i < n_prefer && at < n; i++)
		g->vms[perm[at++]].prefer_node = (int)rng_below(g, g->o.n_nodes);
	for (unsigned i = 0; i < n_rack && at < n; i++)
		g->vms[perm[at++]].prefer_rack = (int)rng_below(g, g->n_racks);
	if (g->o.n_nodes > 1)
		for (unsigned i = 0; i < few && at < n; i++)
			g->vms[perm[at++]].ban_node = (int)rng_below(g, g->o.n_nodes);
	for (unsigned i = 0; i < few && at + 1 < n; i++, at += 2) {
		g->vms[perm[at + 1]].together_with = (int)perm[at];
		g->vms[perm[at]].together_rev = (int)perm[at + 1];
	}
	for (unsigned i = 0; i < few && at + 1 < n; i++, at += 2) {
		g->vms[perm[at + 1]].apart_from = (int)perm[at];
		g->vms[perm[at]].apart_rev = (int)perm[at + 1];
	}
	for (unsigned i = 0; i < few && at + 1 < n; i++, at += 2) {
		g->vms[perm[at]].first_of = (int)perm[at + 1];
		g->vms[perm[at]].order_optional = i % 2;
	}
	free(perm);
}

static bool node_allowed(const struct gen *g, unsigned vm, unsigned node)
{
	const struct vm *v = &g->vms[vm];

	if (v->ban_node == (int)node)
		return false;
	if (v->apart_from >= 0 && g->vms[v->apart_from].node == (int)node)
		return false;
	if (v->apart_rev >= 0 && g->vms[v->apart_rev].node == (int)node)
		return false;
	return true;
}

static bool node_preferred(const struct gen *g, unsigned vm, unsigned node)
{
	const struct vm *v = &g->vms[vm];

	return v->prefer_node == (int)node ||
	       (v->prefer_rack >= 0 && g->nodes[node].rack == (unsigned)v->prefer_rack);
}

/* The load of @node after adding (cpu, mem), in parts per million of its
 * fullest dimension: what a balanced placer minimizes. */
static uint64_t load_after(const struct node *n, uint64_t cpu, uint64_t mem)
{
	uint64_t c = (n->used_cpu + cpu) * 1000000 / n->cap_cpu;
	uint64_t m = (n->used_mem + mem) * 1000000 / n->cap_mem;

	return c > m ? c : m;
}

static bool fits(const struct gen *g, const struct node *n, uint64_t cpu, uint64_t mem)
{
	if (!g->o.utilization)
		return true;	/* Pacemaker ignores capacity without a strategy */
	return n->used_cpu + cpu <= n->cap_cpu && n->used_mem + mem <= n->cap_mem;
}

/*
 * The steady state: every VM placed the way Pacemaker itself would leave it
 * (constraints honored, preferred nodes used where they fit, load balanced),
 * so that crm_simulate finds nothing to do.  A colocated pair is placed as one.
 * A VM that cannot be placed (say, anti-colocated on a one-node cluster) stays
 * stopped, as it would under Pacemaker.
 */
static void place_vms(struct gen *g)
{
	for (unsigned i = 0; i < g->o.n_vms; i++)
		g->vms[i].node = -1;
	for (unsigned i = 0; i < g->o.n_vms; i++) {
		if (g->vms[i].node >= 0)
			continue;
		int partner = g->vms[i].together_with >= 0 ? g->vms[i].together_with
							    : g->vms[i].together_rev;
		uint64_t cpu = g->vms[i].cpu, mem = g->vms[i].mem_mib;

		if (partner >= 0) {
			cpu += g->vms[partner].cpu;
			mem += g->vms[partner].mem_mib;
		}
		int best = -1;
		bool best_pref = false;
		uint64_t best_load = 0;

		for (unsigned n = 0; n < g->o.n_nodes; n++) {
			if (!node_allowed(g, i, n) ||
			    (partner >= 0 && !node_allowed(g, (unsigned)partner, n)))
				continue;
			if (!fits(g, &g->nodes[n], cpu, mem))
				continue;
			bool pref = node_preferred(g, i, n) ||
				    (partner >= 0 && node_preferred(g, (unsigned)partner, n));
			uint64_t load = load_after(&g->nodes[n], cpu, mem);

			if (best < 0 || (pref && !best_pref) ||
			    (pref == best_pref && load < best_load)) {
				best = (int)n;
				best_pref = pref;
				best_load = load;
			}
		}
		if (best < 0)
			continue;
		struct node *n = &g->nodes[best];

		n->used_cpu += cpu;
		n->used_mem += mem;
		g->vms[i].node = best;
		n->n_vms++;
		if (partner >= 0) {
			g->vms[partner].node = best;
			n->n_vms++;
		}
	}
}

/* --migrate: about one running VM in ten came to its node by live migration;
 * its history shows migrate_from there and a stop on the node it left. */
static void pick_migrations(struct gen *g)
{
	for (unsigned i = 0; i < g->o.n_vms; i++) {
		g->vms[i].migrated_from = -1;
		if (g->o.n_nodes < 2 || g->vms[i].node < 0 || rng_below(g, 10) != 0)
			continue;
		unsigned from = rng_below(g, g->o.n_nodes - 1);

		if (from >= (unsigned)g->vms[i].node)
			from++;
		g->vms[i].migrated_from = (int)from;
	}
}

/* ---- output ---- */

static void emit_nvpair(struct gen *g, const char *indent, const char *set_id, const char *name,
			const char *value)
{
	fprintf(g->out, "%s<nvpair id=\"%s-%s\" name=\"%s\" value=\"%s\"/>\n", indent, set_id,
		name, name, value);
}

static void emit_crm_config(struct gen *g)
{
	FILE *o = g->out;
	const char *set = "cib-bootstrap-options", *in = "        ";

	fprintf(o, "    <crm_config>\n      <cluster_property_set id=\"%s\">\n", set);
	emit_nvpair(g, in, set, "cluster-infrastructure", "corosync");
	emit_nvpair(g, in, set, "cluster-name", "vigil-gen");
	emit_nvpair(g, in, set, "stonith-enabled", g->o.stonith ? "true" : "false");
	if (g->o.stonith)
		emit_nvpair(g, in, set, "stonith-timeout", "60s");
	emit_nvpair(g, in, set, "no-quorum-policy", "stop");
	if (g->o.utilization)
		emit_nvpair(g, in, set, "placement-strategy", g->o.strategy);
	fprintf(o, "      </cluster_property_set>\n    </crm_config>\n");
}

static void emit_nodes(struct gen *g)
{
	FILE *o = g->out;

	fprintf(o, "    <nodes>\n");
	for (unsigned i = 0; i < g->o.n_nodes; i++) {
		const struct node *n = &g->nodes[i];
		bool standby = (int)i == g->standby_node;

		fprintf(o, "      <node id=\"%u\" uname=\"n%u\"", i + 1, i + 1);
		if (!standby && !g->o.constraints && !g->o.utilization) {
			fprintf(o, "/>\n");
			continue;
		}
		fprintf(o, ">\n");
		if (standby || g->o.constraints) {
			fprintf(o, "        <instance_attributes id=\"nodes-%u\">\n", i + 1);
			if (g->o.constraints)
				fprintf(o, "          <nvpair id=\"nodes-%u-rack\" name=\"rack\" "
					"value=\"rack%u\"/>\n", i + 1, n->rack + 1);
			if (standby)
				fprintf(o, "          <nvpair id=\"nodes-%u-standby\" "
					"name=\"standby\" value=\"on\"/>\n", i + 1);
			fprintf(o, "        </instance_attributes>\n");
		}
		if (g->o.utilization)
			fprintf(o,
				"        <utilization id=\"nodes-%u-utilization\">\n"
				"          <nvpair id=\"nodes-%u-utilization-cpu\" name=\"cpu\" value=\"%" PRIu64 "\"/>\n"
				"          <nvpair id=\"nodes-%u-utilization-memory\" name=\"memory\" value=\"%" PRIu64 "\"/>\n"
				"        </utilization>\n",
				i + 1, i + 1, n->cap_cpu, i + 1, n->cap_mem);
		fprintf(o, "      </node>\n");
	}
	fprintf(o, "    </nodes>\n");
}

static void emit_fence_device(struct gen *g, const char *hosts)
{
	fprintf(g->out,
		"      <primitive id=\"fence-lab\" class=\"stonith\" type=\"fence_vigil_lab\">\n"
		"        <instance_attributes id=\"fence-lab-instance_attributes\">\n"
		"          <nvpair id=\"fence-lab-instance_attributes-pcmk_host_list\" name=\"pcmk_host_list\" value=\"%s\"/>\n"
		"          <nvpair id=\"fence-lab-instance_attributes-pcmk_host_check\" name=\"pcmk_host_check\" value=\"static-list\"/>\n"
		"        </instance_attributes>\n"
		"        <operations>\n"
		"          <op id=\"fence-lab-monitor-60s\" name=\"monitor\" interval=\"60s\" timeout=\"20s\"/>\n"
		"        </operations>\n"
		"      </primitive>\n",
		hosts);
}

static void emit_vm(struct gen *g, unsigned i)
{
	FILE *o = g->out;
	const struct vm *v = &g->vms[i];
	unsigned id = i + 1;

	fprintf(o,
		"      <primitive id=\"vm%u\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">\n"
		"        <instance_attributes id=\"vm%u-instance_attributes\">\n"
		"          <nvpair id=\"vm%u-instance_attributes-config\" name=\"config\" value=\"/etc/vigil/domains/vm%u.xml\"/>\n"
		"          <nvpair id=\"vm%u-instance_attributes-hypervisor\" name=\"hypervisor\" value=\"qemu:///system\"/>\n"
		"        </instance_attributes>\n"
		"        <meta_attributes id=\"vm%u-meta_attributes\">\n"
		"          <nvpair id=\"vm%u-meta_attributes-allow-migrate\" name=\"allow-migrate\" value=\"true\"/>\n"
		"        </meta_attributes>\n",
		id, id, id, id, id, id, id);
	if (g->o.utilization)
		fprintf(o,
			"        <utilization id=\"vm%u-utilization\">\n"
			"          <nvpair id=\"vm%u-utilization-cpu\" name=\"cpu\" value=\"%u\"/>\n"
			"          <nvpair id=\"vm%u-utilization-memory\" name=\"memory\" value=\"%u\"/>\n"
			"        </utilization>\n",
			id, id, v->cpu, id, v->mem_mib);
	fprintf(o,
		"        <operations>\n"
		"          <op id=\"vm%u-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"30s\"/>\n"
		"          <op id=\"vm%u-start-0\" name=\"start\" interval=\"0s\" timeout=\"90s\"/>\n"
		"          <op id=\"vm%u-stop-0\" name=\"stop\" interval=\"0s\" timeout=\"90s\"/>\n",
		id, id, id);
	if (g->o.migrate)
		fprintf(o,
			"          <op id=\"vm%u-migrate_to-0\" name=\"migrate_to\" interval=\"0s\" timeout=\"120s\"/>\n"
			"          <op id=\"vm%u-migrate_from-0\" name=\"migrate_from\" interval=\"0s\" timeout=\"120s\"/>\n",
			id, id);
	fprintf(o, "        </operations>\n      </primitive>\n");
}

static void emit_constraints(struct gen *g)
{
	FILE *o = g->out;

	if (!g->o.constraints) {
		fprintf(o, "    <constraints/>\n");
		return;
	}
	fprintf(o, "    <constraints>\n");
	for (unsigned i = 0; i < g->o.n_vms; i++) {
		const struct vm *v = &g->vms[i];
		unsigned id = i + 1;

		if (v->prefer_node >= 0)
			fprintf(o, "      <rsc_location id=\"loc-vm%u-n%d\" rsc=\"vm%u\" node=\"n%d\" "
				"score=\"%d\"/>\n", id, v->prefer_node + 1, id, v->prefer_node + 1,
				PREFER_SCORE);
		if (v->prefer_rack >= 0) {
			int r = v->prefer_rack + 1;

			fprintf(o,
				"      <rsc_location id=\"loc-vm%u-rack%d\" rsc=\"vm%u\">\n"
				"        <rule id=\"loc-vm%u-rack%d-rule\" score=\"%d\">\n"
				"          <expression id=\"loc-vm%u-rack%d-expr\" attribute=\"rack\" operation=\"eq\" value=\"rack%d\"/>\n"
				"        </rule>\n"
				"      </rsc_location>\n",
				id, r, id, id, r, RACK_SCORE, id, r, r);
		}
		if (v->ban_node >= 0) {
			int n = v->ban_node + 1;

			fprintf(o,
				"      <rsc_location id=\"ban-vm%u-n%d\" rsc=\"vm%u\">\n"
				"        <rule id=\"ban-vm%u-n%d-rule\" score=\"-INFINITY\">\n"
				"          <expression id=\"ban-vm%u-n%d-expr\" attribute=\"#uname\" operation=\"eq\" value=\"n%d\"/>\n"
				"        </rule>\n"
				"      </rsc_location>\n",
				id, n, id, id, n, id, n, n);
		}
	}
	for (unsigned i = 0; i < g->o.n_vms; i++) {
		const struct vm *v = &g->vms[i];

		if (v->together_with >= 0)
			fprintf(o, "      <rsc_colocation id=\"col-vm%u-with-vm%d\" rsc=\"vm%u\" "
				"with-rsc=\"vm%d\" score=\"INFINITY\"/>\n", i + 1,
				v->together_with + 1, i + 1, v->together_with + 1);
		if (v->apart_from >= 0)
			fprintf(o, "      <rsc_colocation id=\"col-vm%u-apart-vm%d\" rsc=\"vm%u\" "
				"with-rsc=\"vm%d\" score=\"-INFINITY\"/>\n", i + 1,
				v->apart_from + 1, i + 1, v->apart_from + 1);
	}
	for (unsigned i = 0; i < g->o.n_vms; i++) {
		const struct vm *v = &g->vms[i];

		if (v->first_of >= 0)
			fprintf(o, "      <rsc_order id=\"ord-vm%u-then-vm%d\" first=\"vm%u\" "
				"then=\"vm%d\" kind=\"%s\"/>\n", i + 1, v->first_of + 1, i + 1,
				v->first_of + 1, v->order_optional ? "Optional" : "Mandatory");
	}
	fprintf(o, "    </constraints>\n");
}

static void emit_fencing_topology(struct gen *g)
{
	FILE *o = g->out;

	fprintf(o, "    <fencing-topology>\n");
	for (unsigned i = 0; i < g->o.n_nodes; i++)
		fprintf(o, "      <fencing-level id=\"fl-n%u-1\" target=\"n%u\" index=\"1\" "
			"devices=\"fence-lab\"/>\n", i + 1, i + 1);
	fprintf(o, "    </fencing-topology>\n");
}

static void emit_defaults(struct gen *g)
{
	fprintf(g->out,
		"    <rsc_defaults>\n"
		"      <meta_attributes id=\"rsc-options\">\n"
		"        <nvpair id=\"rsc-options-resource-stickiness\" name=\"resource-stickiness\" value=\"%d\"/>\n"
		"        <nvpair id=\"rsc-options-migration-threshold\" name=\"migration-threshold\" value=\"3\"/>\n"
		"      </meta_attributes>\n"
		"    </rsc_defaults>\n"
		"    <op_defaults>\n"
		"      <meta_attributes id=\"op-options\">\n"
		"        <nvpair id=\"op-options-timeout\" name=\"timeout\" value=\"60s\"/>\n"
		"      </meta_attributes>\n"
		"    </op_defaults>\n",
		STICKINESS);
}

/* One lrm_rsc_op.  @key_suffix names the operation in Pacemaker's form
 * ("start_0", "monitor_10000"); @id_suffix is "last_0" or the key itself for a
 * recurring one.  @extra is printed verbatim before the digest (migrate_*). */
static void emit_op(struct gen *g, unsigned node, const char *rsc, const char *operation,
		    unsigned interval_ms, int rc, const char *digest, const char *extra)
{
	struct node *n = &g->nodes[node];
	unsigned call = n->call_id++;
	/* each node's history unfolds one operation every few seconds */
	int64_t when = BASE_TIME + (int64_t)call * 3;
	char key[96], last_run[48] = "";

	snprintf(key, sizeof(key), "%s_%s_%u", rsc, operation, interval_ms);
	if (interval_ms == 0)
		snprintf(last_run, sizeof(last_run), " last-run=\"%" PRId64 "\"", when);
	fprintf(g->out,
		"            <lrm_rsc_op id=\"%s_%s\" operation_key=\"%s\" operation=\"%s\" "
		"crm-debug-origin=\"vigil-gencluster\" crm_feature_set=\"" FEATURE_SET "\" "
		"transition-key=\"%u:1:%d:%s\" transition-magic=\"0:%d;%u:1:%d:%s\" exit-reason=\"\" "
		"on_node=\"n%u\" call-id=\"%u\" rc-code=\"%d\" op-status=\"0\" interval=\"%u\"%s "
		"last-rc-change=\"%" PRId64 "\" exec-time=\"%u\" queue-time=\"0\"%s op-digest=\"%s\"/>\n",
		rsc, interval_ms ? key + strlen(rsc) + 1 : "last_0", key, operation,
		call, rc, g->uuid, rc, call, rc, g->uuid,
		node + 1, call, rc, interval_ms, last_run, when,
		interval_ms ? 40u : (rc == 7 ? 20u : 1500u), extra ? extra : "", digest);
}

static void emit_lrm_resource_open(struct gen *g, const char *rsc, bool fence)
{
	if (fence)
		fprintf(g->out, "          <lrm_resource id=\"%s\" class=\"stonith\" "
			"type=\"fence_vigil_lab\">\n", rsc);
	else
		fprintf(g->out, "          <lrm_resource id=\"%s\" class=\"ocf\" "
			"provider=\"heartbeat\" type=\"VirtualDomain\">\n", rsc);
}

static void emit_lrm_resource_close(struct gen *g)
{
	fprintf(g->out, "          </lrm_resource>\n");
}

static void emit_vm_history(struct gen *g, unsigned node, unsigned vm)
{
	const struct vm *v = &g->vms[vm];
	bool running = g->o.scenario != SC_FRESH && v->node == (int)node;
	bool left = g->o.scenario != SC_FRESH && v->migrated_from == (int)node;
	bool probe = g->o.probes && !running && !left;
	char rsc[24], digest[33], extra[80];

	if (!running && !left && !probe)
		return;
	snprintf(rsc, sizeof(rsc), "vm%u", vm + 1);
	emit_lrm_resource_open(g, rsc, false);
	vm_digest(vm, 0, digest);
	if (probe) {
		emit_op(g, node, rsc, "monitor", 0, 7, digest, NULL);
	} else if (left) {
		emit_op(g, node, rsc, "stop", 0, 0, digest, NULL);
	} else if (v->migrated_from >= 0) {
		snprintf(extra, sizeof(extra), " migrate_source=\"n%d\" migrate_target=\"n%u\"",
			 v->migrated_from + 1, node + 1);
		emit_op(g, node, rsc, "migrate_from", 0, 0, digest, extra);
	} else {
		emit_op(g, node, rsc, "start", 0, 0, digest, NULL);
	}
	if (running) {
		vm_digest(vm, MONITOR_TIMEOUT_MS, digest);
		emit_op(g, node, rsc, "monitor", MONITOR_INTERVAL_MS, 0, digest, NULL);
	}
	emit_lrm_resource_close(g);
}

/* The fence device runs on the DC (n1) once the cluster is up. */
static void emit_fence_history(struct gen *g, unsigned node, const char *hosts)
{
	bool running = g->o.scenario != SC_FRESH && node == 0;
	char digest[33];

	if (!running && !g->o.probes)
		return;
	emit_lrm_resource_open(g, "fence-lab", true);
	fence_digest(g, hosts, 0, digest);
	emit_op(g, node, "fence-lab", running ? "start" : "monitor", 0, running ? 0 : 7, digest,
		NULL);
	if (running) {
		fence_digest(g, hosts, FENCE_MONITOR_TIMEOUT_MS, digest);
		emit_op(g, node, "fence-lab", "monitor", FENCE_MONITOR_INTERVAL_MS, 0, digest, NULL);
	}
	emit_lrm_resource_close(g);
}

static void emit_status(struct gen *g, const char *hosts)
{
	FILE *o = g->out;

	fprintf(o, "  <status>\n");
	for (unsigned i = 0; i < g->o.n_nodes; i++) {
		bool down = (int)i == g->failed_node;

		fprintf(o, "    <node_state id=\"%u\" uname=\"n%u\" in_ccm=\"%s\" crmd=\"%s\" "
			"crm-debug-origin=\"vigil-gencluster\" join=\"%s\" expected=\"member\">\n",
			i + 1, i + 1, down ? "false" : "true", down ? "offline" : "online",
			down ? "down" : "member");
		fprintf(o, "      <lrm id=\"%u\">\n", i + 1);
		fprintf(o, "        <lrm_resources>\n");
		if (g->o.stonith)
			emit_fence_history(g, i, hosts);
		for (unsigned v = 0; v < g->o.n_vms; v++)
			emit_vm_history(g, i, v);
		fprintf(o, "        </lrm_resources>\n      </lrm>\n    </node_state>\n");
	}
	fprintf(o, "  </status>\n");
}

static int generate(struct gen *g)
{
	FILE *o = g->out;
	char *hosts = host_list(g);

	if (!hosts)
		return -ENOMEM;
	unsigned updates = 0;

	if (g->o.scenario != SC_FRESH)
		for (unsigned i = 0; i < g->o.n_vms; i++)
			updates += g->vms[i].node >= 0 ? 2 : 0;
	/* The exact command, so a committed output can be regenerated.  Short
	 * options only: "--" may not appear inside an XML comment. */
	fprintf(o, "<!-- vigil-gencluster -n %u -k %u -s %s -S %" PRIu64 "%s%s%s%s%s%s -->\n",
		g->o.n_nodes, g->o.n_vms, scenario_names[g->o.scenario], g->o.seed,
		g->o.utilization ? " -t " : "", g->o.utilization ? g->o.strategy : "",
		g->o.constraints ? " -c" : "", g->o.stonith ? " -f" : "",
		g->o.migrate ? " -m" : "", g->o.probes ? " -p" : "");
	fprintf(o, "<cib crm_feature_set=\"" FEATURE_SET "\" validate-with=\"" SCHEMA "\" "
		"epoch=\"%u\" num_updates=\"%u\" admin_epoch=\"0\" have-quorum=\"1\" dc-uuid=\"1\">\n",
		1 + g->o.n_vms / 10, updates);
	fprintf(o, "  <configuration>\n");
	emit_crm_config(g);
	emit_nodes(g);
	fprintf(o, "    <resources>\n");
	if (g->o.stonith)
		emit_fence_device(g, hosts);
	for (unsigned i = 0; i < g->o.n_vms; i++)
		emit_vm(g, i);
	fprintf(o, "    </resources>\n");
	emit_constraints(g);
	if (g->o.stonith)
		emit_fencing_topology(g);
	emit_defaults(g);
	fprintf(o, "  </configuration>\n");
	emit_status(g, hosts);
	fprintf(o, "</cib>\n");
	free(hosts);
	return 0;
}

/* ---- command line ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil-gencluster [OPTION]...\n"
		"Write a Pacemaker-format cluster document (CIB) of VMs to standard output.\n"
		"The same options and seed always give the same document.\n"
		"\n"
		"  -n, --nodes N          nodes n1..nN (default 3)\n"
		"  -k, --vms K            VirtualDomain resources vm1..vmK (default 10)\n"
		"  -s, --scenario NAME    fresh    nodes online, nothing running, empty histories\n"
		"                         steady   every VM running (start + monitor in the history)\n"
		"                         failed   steady, then one node (not n1) lost unclean with\n"
		"                                  its VMs still recorded as running there\n"
		"                         standby  steady, with one node in standby\n"
		"                         (default steady)\n"
		"  -S, --seed S           seed for sizes, constraints and choices (default 1)\n"
		"  -u, --utilization      cpu/memory utilization on VMs and nodes, and\n"
		"                         placement-strategy (balanced unless --strategy)\n"
		"  -t, --strategy NAME    placement-strategy: utilization, balanced, minimal\n"
		"                         (implies --utilization)\n"
		"  -c, --constraints      location preferences (by node, and by a rule on the\n"
		"                         node attribute rack), bans (a rule on #uname),\n"
		"                         colocations together and apart, mandatory and\n"
		"                         optional orders\n"
		"  -f, --stonith          a fence device (stonith:fence_vigil_lab) running on n1,\n"
		"                         stonith-enabled=true and a fencing topology; without\n"
		"                         it, stonith-enabled=false\n"
		"  -m, --migrate          migrate_to/migrate_from operations on every VM, and a\n"
		"                         completed live migration in the history of about one\n"
		"                         running VM in ten\n"
		"  -p, --probes           record probe results (not running) for every resource\n"
		"                         on every node where it does not run, as a long-lived\n"
		"                         cluster has them (output grows with nodes x VMs)\n"
		"  -o, --output FILE      write to FILE instead of standard output\n"
		"  -h, --help             this text\n"
		"  -V, --version          the version\n"
		"\n"
		"See doc/gencluster.md for what each scenario contains.\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *ret)
{
	char *end;

	errno = 0;
	unsigned long v = strtoul(s, &end, 10);

	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "vms", required_argument, NULL, 'k' },
		{ "scenario", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "utilization", no_argument, NULL, 'u' },
		{ "strategy", required_argument, NULL, 't' },
		{ "constraints", no_argument, NULL, 'c' },
		{ "stonith", no_argument, NULL, 'f' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "probes", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen g = { .o = { .n_nodes = 3, .n_vms = 10, .scenario = SC_STEADY, .seed = 1,
				.strategy = "balanced" } };
	int c;

	while ((c = getopt_long(argc, argv, "n:k:s:S:ut:cfmpo:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_uint(optarg, 10000, &g.o.n_nodes) || g.o.n_nodes == 0) {
				fprintf(stderr, "vigil-gencluster: --nodes wants 1..10000, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'k':
			if (parse_uint(optarg, 1000000, &g.o.n_vms)) {
				fprintf(stderr, "vigil-gencluster: --vms wants 0..1000000, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 's': {
			bool found = false;

			for (unsigned i = 0; i < sizeof(scenario_names) / sizeof(*scenario_names); i++)
				if (!strcmp(optarg, scenario_names[i])) {
					g.o.scenario = (enum scenario)i;
					found = true;
				}
			if (!found) {
				fprintf(stderr, "vigil-gencluster: unknown scenario '%s' "
					"(fresh, steady, failed, standby)\n", optarg);
				return 2;
			}
			break;
		}
		case 'S': {
			char *end;

			errno = 0;
			g.o.seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || optarg[0] == '-') {
				fprintf(stderr, "vigil-gencluster: --seed wants an unsigned number, "
					"not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'u':
			g.o.utilization = true;
			break;
		case 't':
			if (strcmp(optarg, "utilization") && strcmp(optarg, "balanced") &&
			    strcmp(optarg, "minimal")) {
				fprintf(stderr, "vigil-gencluster: unknown strategy '%s' "
					"(utilization, balanced, minimal)\n", optarg);
				return 2;
			}
			g.o.strategy = optarg;
			g.o.utilization = true;
			break;
		case 'c':
			g.o.constraints = true;
			break;
		case 'f':
			g.o.stonith = true;
			break;
		case 'm':
			g.o.migrate = true;
			break;
		case 'p':
			g.o.probes = true;
			break;
		case 'o':
			g.o.output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vigil-gencluster %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigil-gencluster: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (g.o.scenario == SC_FAILED && g.o.n_nodes < 2) {
		fprintf(stderr, "vigil-gencluster: the failed scenario needs at least 2 nodes\n");
		return 2;
	}

	int rc = 1;

	g.rng = g.o.seed;
	/* One draw per statement: the order in which a call's arguments are
	 * evaluated is unspecified, and the output must not depend on the compiler. */
	uint64_t u[5];

	for (unsigned i = 0; i < 5; i++)
		u[i] = rng_next(&g);
	snprintf(g.uuid, sizeof(g.uuid), "%08x-%04x-%04x-%04x-%012" PRIx64,
		 (unsigned)(u[0] & 0xffffffff), (unsigned)(u[1] & 0xffff),
		 (unsigned)(0x4000 | (u[2] & 0x0fff)), (unsigned)(0x8000 | (u[3] & 0x3fff)),
		 u[4] & UINT64_C(0xffffffffffff));
	g.n_racks = (g.o.n_nodes + 3) / 4;
	g.nodes = calloc(g.o.n_nodes, sizeof(*g.nodes));
	g.vms = calloc(g.o.n_vms ? g.o.n_vms : 1, sizeof(*g.vms));
	if (!g.nodes || !g.vms) {
		fprintf(stderr, "vigil-gencluster: out of memory\n");
		goto out_free;
	}
	for (unsigned i = 0; i < g.o.n_vms; i++) {
		struct vm *v = &g.vms[i];

		v->prefer_node = v->prefer_rack = v->ban_node = -1;
		v->together_with = v->together_rev = -1;
		v->apart_from = v->apart_rev = v->first_of = -1;
	}
	/* Draw everything in a fixed order, whatever the options, so that one
	 * seed gives the same sizes with and without --constraints. */
	size_vms(&g);
	size_nodes(&g);
	if (g.o.constraints)
		pick_constraints(&g);
	place_vms(&g);
	if (g.o.migrate)
		pick_migrations(&g);
	else
		for (unsigned i = 0; i < g.o.n_vms; i++)
			g.vms[i].migrated_from = -1;
	g.failed_node = g.standby_node = -1;
	if (g.o.scenario == SC_FAILED)
		g.failed_node = 1 + (int)rng_below(&g, g.o.n_nodes - 1);
	else if (g.o.scenario == SC_STANDBY)
		g.standby_node = (int)rng_below(&g, g.o.n_nodes);

	g.out = stdout;
	if (g.o.output) {
		g.out = fopen(g.o.output, "w");
		if (!g.out) {
			fprintf(stderr, "vigil-gencluster: %s: %s\n", g.o.output, strerror(errno));
			goto out_free;
		}
	}
	static char buf[1 << 20];

	setvbuf(g.out, buf, _IOFBF, sizeof(buf));
	if (generate(&g) < 0) {
		fprintf(stderr, "vigil-gencluster: out of memory\n");
		goto out_close;
	}
	rc = 0;
out_close:
	if (fflush(g.out) || ferror(g.out)) {
		fprintf(stderr, "vigil-gencluster: write error: %s\n", strerror(errno));
		rc = 1;
	}
	if (g.out != stdout)
		fclose(g.out);
out_free:
	free(g.nodes);
	free(g.vms);
	return rc;
}
