/* bench_cib.c - how long reading, checking and writing a large cluster
 * document takes.
 *
 * Usage: bench_cib [-n NODES] [-v VMS] [-o FILE] [-r ROUNDS] [-m MAX_MS]
 * Builds a realistic document (NODES hosts with fencing and utilization, VMS
 * VirtualDomain resources with meta attributes, utilization, operations, some
 * constraints, and a status section where every VM runs somewhere and has
 * been probed on two other hosts), then times vg_cib_read_memory() (parse,
 * schema, fill, check) and vg_cib_write().  -o saves the document.  With -m,
 * exits 1 when the best read takes longer than MAX_MS milliseconds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cib_xml.h"

/* CPU time of this process: the machines that run the benchmark are shared,
 * and wall time would measure the neighbours. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void op(FILE *f, const char *vm, const char *task, unsigned interval_ms, int rc,
	       const char *node, unsigned call)
{
	fprintf(f,
		"            <lrm_rsc_op id=\"%s_%s_%u\" operation_key=\"%s_%s_%u\" "
		"operation=\"%s\" crm-debug-origin=\"do_update_resource\" "
		"crm_feature_set=\"3.16.2\" transition-key=\"%u:1:0:5b6c1a2e-9f3d-4c1e-8a7b-2d4e6f8a0b1c\" "
		"transition-magic=\"0:%d;%u:1:0:5b6c1a2e-9f3d-4c1e-8a7b-2d4e6f8a0b1c\" exit-reason=\"\" "
		"on_node=\"%s\" call-id=\"%u\" rc-code=\"%d\" op-status=\"0\" interval=\"%u\" "
		"last-rc-change=\"1700000000\" exec-time=\"1200\" queue-time=\"0\" "
		"op-digest=\"6c9b1d2e3f4a5b6c7d8e9f0a1b2c3d4e\"/>\n",
		vm, task, interval_ms, vm, task, interval_ms, task, call, rc, call, node, call, rc,
		interval_ms);
}

static char *build(unsigned nodes, unsigned vms, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "<cib crm_feature_set=\"3.16.2\" validate-with=\"pacemaker-3.8\" epoch=\"100\" "
		   "num_updates=\"5\" admin_epoch=\"0\" have-quorum=\"1\" dc-uuid=\"1\">\n"
		   "  <configuration>\n    <crm_config>\n"
		   "      <cluster_property_set id=\"cib-bootstrap-options\">\n"
		   "        <nvpair id=\"o-stonith\" name=\"stonith-enabled\" value=\"true\"/>\n"
		   "        <nvpair id=\"o-ps\" name=\"placement-strategy\" value=\"balanced\"/>\n"
		   "        <nvpair id=\"o-nq\" name=\"no-quorum-policy\" value=\"stop\"/>\n"
		   "        <nvpair id=\"o-st\" name=\"stonith-timeout\" value=\"120s\"/>\n"
		   "      </cluster_property_set>\n    </crm_config>\n    <nodes>\n");
	for (unsigned n = 1; n <= nodes; n++)
		fprintf(f, "      <node id=\"%u\" uname=\"host%u\">\n"
			   "        <instance_attributes id=\"host%u-attrs\">\n"
			   "          <nvpair id=\"host%u-standby\" name=\"standby\" value=\"off\"/>\n"
			   "        </instance_attributes>\n"
			   "        <utilization id=\"host%u-util\">\n"
			   "          <nvpair id=\"host%u-cpu\" name=\"cpu\" value=\"256\"/>\n"
			   "          <nvpair id=\"host%u-mem\" name=\"memory\" value=\"1048576\"/>\n"
			   "        </utilization>\n      </node>\n",
			n, n, n, n, n, n, n);
	fprintf(f, "    </nodes>\n    <resources>\n");
	for (unsigned n = 1; n <= nodes; n++)
		fprintf(f, "      <primitive id=\"fence-host%u\" class=\"stonith\" type=\"fence_ipmilan\">\n"
			   "        <instance_attributes id=\"fence-host%u-params\">\n"
			   "          <nvpair id=\"fence-host%u-ip\" name=\"ip\" value=\"10.0.0.%u\"/>\n"
			   "          <nvpair id=\"fence-host%u-list\" name=\"pcmk_host_list\" value=\"host%u\"/>\n"
			   "        </instance_attributes>\n"
			   "        <operations>\n"
			   "          <op id=\"fence-host%u-mon\" name=\"monitor\" interval=\"60s\"/>\n"
			   "        </operations>\n      </primitive>\n",
			n, n, n, n, n, n, n);
	for (unsigned v = 1; v <= vms; v++)
		fprintf(f, "      <primitive id=\"vm%u\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">\n"
			   "        <instance_attributes id=\"vm%u-params\">\n"
			   "          <nvpair id=\"vm%u-config\" name=\"config\" value=\"/etc/libvirt/qemu/vm%u.xml\"/>\n"
			   "          <nvpair id=\"vm%u-hv\" name=\"hypervisor\" value=\"qemu:///system\"/>\n"
			   "        </instance_attributes>\n"
			   "        <meta_attributes id=\"vm%u-meta\">\n"
			   "          <nvpair id=\"vm%u-migrate\" name=\"allow-migrate\" value=\"true\"/>\n"
			   "          <nvpair id=\"vm%u-threshold\" name=\"migration-threshold\" value=\"3\"/>\n"
			   "        </meta_attributes>\n"
			   "        <utilization id=\"vm%u-util\">\n"
			   "          <nvpair id=\"vm%u-cpu\" name=\"cpu\" value=\"2\"/>\n"
			   "          <nvpair id=\"vm%u-mem\" name=\"memory\" value=\"4096\"/>\n"
			   "        </utilization>\n"
			   "        <operations>\n"
			   "          <op id=\"vm%u-mon\" name=\"monitor\" interval=\"10s\" timeout=\"30s\"/>\n"
			   "          <op id=\"vm%u-start\" name=\"start\" interval=\"0\" timeout=\"120s\"/>\n"
			   "          <op id=\"vm%u-stop\" name=\"stop\" interval=\"0\" timeout=\"120s\"/>\n"
			   "          <op id=\"vm%u-mt\" name=\"migrate_to\" interval=\"0\" timeout=\"300s\"/>\n"
			   "        </operations>\n      </primitive>\n",
			v, v, v, v, v, v, v, v, v, v, v, v, v, v, v);
	fprintf(f, "    </resources>\n    <constraints>\n");
	for (unsigned v = 1; v <= vms; v += 10)
		fprintf(f, "      <rsc_location id=\"loc-vm%u\" rsc=\"vm%u\" node=\"host%u\" score=\"100\"/>\n",
			v, v, v % nodes + 1);
	for (unsigned v = 2; v <= vms; v += 50)
		fprintf(f, "      <rsc_colocation id=\"apart-vm%u\" rsc=\"vm%u\" with-rsc=\"vm%u\" score=\"-INFINITY\"/>\n",
			v, v, v - 1);
	for (unsigned v = 3; v <= vms; v += 100)
		fprintf(f, "      <rsc_order id=\"ord-vm%u\" first=\"vm%u\" then=\"vm%u\" kind=\"Optional\"/>\n",
			v, v - 1, v);
	fprintf(f, "    </constraints>\n    <fencing-topology>\n");
	for (unsigned n = 1; n <= nodes; n++)
		fprintf(f, "      <fencing-level id=\"fl-host%u\" target=\"host%u\" index=\"1\" devices=\"fence-host%u\"/>\n",
			n, n, n);
	fprintf(f, "    </fencing-topology>\n  </configuration>\n  <status>\n");
	for (unsigned n = 1; n <= nodes; n++) {
		char node[32];
		snprintf(node, sizeof(node), "host%u", n);
		fprintf(f, "    <node_state id=\"%u\" uname=\"host%u\" in_ccm=\"true\" crmd=\"online\" "
			   "crm-debug-origin=\"do_update_resource\" join=\"member\" expected=\"member\">\n"
			   "      <lrm id=\"%u\">\n        <lrm_resources>\n", n, n, n);
		unsigned call = 10;
		for (unsigned v = 1; v <= vms; v++) {
			unsigned home = v % nodes + 1;
			bool probed = (v + 1) % nodes + 1 == n || (v + 2) % nodes + 1 == n;
			if (home != n && !probed)
				continue;
			char vm[32];
			snprintf(vm, sizeof(vm), "vm%u", v);
			fprintf(f, "          <lrm_resource id=\"vm%u\" type=\"VirtualDomain\" class=\"ocf\" provider=\"heartbeat\">\n", v);
			if (home == n) {
				op(f, vm, "start", 0, 0, node, call++);
				op(f, vm, "monitor", 10000, 0, node, call++);
			} else {
				op(f, vm, "monitor", 0, 7, node, call++);
			}
			fprintf(f, "          </lrm_resource>\n");
		}
		fprintf(f, "        </lrm_resources>\n      </lrm>\n"
			   "      <transient_attributes id=\"%u\">\n"
			   "        <instance_attributes id=\"status-%u\">\n"
			   "          <nvpair id=\"status-%u-probe\" name=\"#node-unfenced\" value=\"1700000000\"/>\n"
			   "        </instance_attributes>\n      </transient_attributes>\n"
			   "    </node_state>\n", n, n, n);
	}
	fprintf(f, "  </status>\n</cib>\n");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	*ret_len = len;
	return buf;
}

int main(int argc, char **argv)
{
	unsigned nodes = 32, vms = 5000, rounds = 3;
	double max_ms = 0;
	const char *out = NULL;
	int c;
	while ((c = getopt(argc, argv, "n:v:o:r:m:")) != -1) {
		switch (c) {
		case 'n': nodes = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'v': vms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'o': out = optarg; break;
		case 'r': rounds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm': max_ms = strtod(optarg, NULL); break;
		default:
			fprintf(stderr, "Usage: bench_cib [-n NODES] [-v VMS] [-o FILE] [-r ROUNDS] [-m MAX_MS]\n");
			return 2;
		}
	}
	if (!nodes || !rounds) {
		fprintf(stderr, "bench_cib: need at least one node and one round\n");
		return 2;
	}
	size_t len = 0;
	char *doc = build(nodes, vms, &len);
	if (!doc) {
		fprintf(stderr, "bench_cib: out of memory\n");
		return 1;
	}
	if (out) {
		FILE *f = fopen(out, "w");
		if (!f || fwrite(doc, 1, len, f) != len || fclose(f)) {
			perror(out);
			return 1;
		}
	}
	double best_read = 1e30, best_write = 1e30;
	for (unsigned i = 0; i < rounds; i++) {
		struct vg_diags d = { 0 };
		struct vg_cib *cib = NULL;
		double t0 = now_ms();
		int r = vg_cib_read_memory(doc, len, &cib, &d);
		double t1 = now_ms();
		if (r < 0) {
			vg_diags_print(&d, "bench", stderr);
			return 1;
		}
		char *w = NULL;
		size_t wl = 0;
		if (vg_cib_write(cib, &w, &wl) < 0)
			return 1;
		double t2 = now_ms();
		if (t1 - t0 < best_read)
			best_read = t1 - t0;
		if (t2 - t1 < best_write)
			best_write = t2 - t1;
		free(w);
		vg_cib_free(cib);
		vg_diags_clear(&d);
	}
	printf("%u nodes, %u VMs, %.1f MB: read+check %.0f ms, write %.0f ms CPU time (best of %u)\n", nodes,
	       vms, (double)len / 1e6, best_read, best_write, rounds);
	free(doc);
	if (max_ms > 0 && best_read > max_ms) {
		fprintf(stderr, "bench_cib: read+check took %.0f ms, more than %.0f ms\n", best_read,
			max_ms);
		return 1;
	}
	return 0;
}
