/* bench_cfgdoc.c - what one configuration change costs vigild's main loop.
 *
 * Usage: bench_cfgdoc FILE [ROUNDS]
 * FILE is a cluster document (bench/vigil-gencluster writes large ones).
 * Times, in CPU milliseconds of this process (the machines are shared), what
 * every member does on the main loop for a change: normalize (state transfer
 * of a whole document), set a property (parse, change, check, canonical
 * write), read the version of the result, the summary the status and the DC
 * use, and the CRC.  doc/daemon.md ("Limits") has the figures. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cfgdoc.h"
#include "wire.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	fclose(f);
	*ret_len = len;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_cfgdoc FILE [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	size_t len;
	char *xml = slurp(argv[1], &len);
	if (!xml) {
		fprintf(stderr, "bench_cfgdoc: cannot read %s\n", argv[1]);
		return 1;
	}
	struct vg_diags d = { 0 };
	char *norm = NULL;
	size_t nlen = 0;
	double t = now_ms();
	if (crmd_doc_normalize(xml, len, NULL, &norm, &nlen, &d)) {
		fprintf(stderr, "bench_cfgdoc: %s is not a valid document: %s\n", argv[1],
			d.n ? d.v[0].message : "?");
		return 1;
	}
	printf("normalize      %8.1f ms  (%zu bytes)\n", now_ms() - t, nlen);
	struct vg_cfg_version v;
	t = now_ms();
	crmd_doc_version(norm, nlen, &v, &d);
	printf("version        %8.1f ms\n", now_ms() - t);
	struct vg_cfg_version next = { v.admin_epoch, v.epoch + 1, 0 };
	for (int i = 0; i < rounds; i++) {
		char *out = NULL;
		size_t olen = 0;
		t = now_ms();
		int rc = crmd_doc_set_property(norm, nlen, "stonith-timeout", i % 2 ? "60s" : "90s",
					       &next, &out, &olen, &d);
		printf("set property   %8.1f ms  (rc %d)\n", now_ms() - t, rc);
		free(out);
	}
	struct crmd_doc_summary *s = NULL;
	t = now_ms();
	crmd_doc_summarize(norm, nlen, &s);
	printf("summary        %8.1f ms\n", now_ms() - t);
	crmd_doc_summary_free(s);
	t = now_ms();
	uint32_t crc = vg_crc32(0, norm, nlen);
	printf("crc32          %8.1f ms  (%08x)\n", now_ms() - t, (unsigned)crc);
	vg_diags_clear(&d);
	free(norm);
	free(xml);
	return 0;
}
