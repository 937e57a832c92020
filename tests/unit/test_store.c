/* test_store.c - the configuration on disk: a write through the worker comes
 * back on the loop and reads back; a damaged or truncated copy is detected and
 * kept aside; a missing one is reported as such. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <qb/qbloop.h>

#include "cfgdoc.h"
#include "store.h"
#include "wire.h"

static char dir[] = "/tmp/vigil-test-store-XXXXXX";

static int setup(void **state)
{
	strcpy(dir, "/tmp/vigil-test-store-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return 0;
}

static void write_raw(const char *name, const char *buf, size_t len)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static int count_corrupt(void)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, "cib.xml.corrupt-", 16);
	if (d)
		closedir(d);
	return n;
}

struct done {
	qb_loop_t *loop;
	uint64_t id;
	int rc;
	bool called;
};

static void on_done(void *ctx, uint64_t id, int rc)
{
	struct done *d = ctx;
	d->id = id;
	d->rc = rc;
	d->called = true;
	qb_loop_stop(d->loop);
}

static void test_write_and_load(void **state)
{
	char *xml;
	size_t len;
	assert_int_equal(crmd_doc_empty(&xml, &len), 0);

	char *got;
	size_t got_len;
	uint64_t term = 0;
	char *problem = NULL;
	assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), -ENOENT);

	qb_loop_t *loop = qb_loop_create();
	struct done d = { .loop = loop };
	struct crmd_store *s;
	assert_int_equal(crmd_store_new(loop, dir, on_done, &d, &s), 0);
	assert_int_equal(crmd_store_write(s, 7, xml, len, 1234567), 0);
	assert_int_equal(crmd_store_write(s, 8, xml, len, 1), -EBUSY);
	qb_loop_run(loop);
	assert_true(d.called);
	assert_int_equal(d.id, 7);
	assert_int_equal(d.rc, 0);
	crmd_store_free(s);
	qb_loop_destroy(loop);

	assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), 0);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, xml, len);
	assert_true(term == 1234567);
	free(got);

	/* A file from before the commit term (trailer without term=) reads as
	 * term 0. */
	char path[512];
	snprintf(path, sizeof(path), "%s/cib.xml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite(xml, 1, len, f);
	fprintf(f, "%s<!-- vigil-cib crc32=%08" PRIx32 " length=%zu -->\n",
		len && xml[len - 1] == '\n' ? "" : "\n", vg_crc32(0, xml, len), len);
	fclose(f);
	term = 99;
	assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), 0);
	assert_int_equal(got_len, len);
	assert_true(term == 0);
	free(got);

	/* A file of the version that wrote the term outside the checksum still
	 * reads, with its term. */
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(xml, 1, len, f);
	fprintf(f, "%s<!-- vigil-cib crc32=%08" PRIx32 " length=%zu term=77 -->\n",
		len && xml[len - 1] == '\n' ? "" : "\n", vg_crc32(0, xml, len), len);
	fclose(f);
	assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), 0);
	assert_int_equal(got_len, len);
	assert_true(term == 77);
	free(got);
	free(xml);
}

/* The term is under the checksum: a changed digit is damage, like a changed
 * byte of the document. */
static void test_term_is_checked(void **state)
{
	char *xml, *file;
	size_t len, flen;
	assert_int_equal(crmd_doc_empty(&xml, &len), 0);
	assert_int_equal(crmd_store_format(xml, len, 4242, &file, &flen), 0);
	char *t = strstr(file, "term=4242 ");
	assert_non_null(t);
	assert_non_null(strstr(file, "<!-- vigil-cib2 term=4242 length="));
	/* Another term, a digit more, a leading zero: each is damage. */
	const char *variants[] = { "term=4243", "term=9242", "term=42420", "term=04242" };
	size_t head = (size_t)(t - file), old_len = strlen("term=4242");
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		size_t vlen = strlen(variants[i]);
		size_t clen = flen - old_len + vlen;
		char *copy = malloc(clen);
		memcpy(copy, file, head);
		memcpy(copy + head, variants[i], vlen);
		memcpy(copy + head + vlen, t + old_len, flen - head - old_len);
		write_raw("cib.xml", copy, clen);
		free(copy);
		char *got = NULL, *problem = NULL;
		uint64_t term = 0;
		size_t got_len;
		assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), -EBADMSG);
		assert_non_null(problem);
		free(problem);
	}
	/* Unchanged, it loads. */
	write_raw("cib.xml", file, flen);
	char *got = NULL, *problem = NULL;
	uint64_t term = 0;
	size_t got_len;
	assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), 0);
	assert_true(term == 4242);
	free(got);
	free(file);
	free(xml);
}

static void test_damage_detected(void **state)
{
	char *xml, *file;
	size_t len, flen;
	assert_int_equal(crmd_doc_empty(&xml, &len), 0);
	assert_int_equal(crmd_store_format(xml, len, 42, &file, &flen), 0);

	struct { const char *what; size_t cut; int flip; } cases[] = {
		{ "one byte changed", flen, 10 },
		{ "truncated", flen / 2, -1 },
		{ "trailer lost", len, -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *copy = malloc(flen);
		memcpy(copy, file, flen);
		if (cases[i].flip >= 0)
			copy[cases[i].flip] ^= 0x20;
		write_raw("cib.xml", copy, cases[i].cut);
		free(copy);
		char *got = NULL, *problem = NULL;
		uint64_t term = 0;
		size_t got_len;
		int before = count_corrupt();
		assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), -EBADMSG);
		assert_non_null(problem);
		assert_non_null(strstr(problem, "kept as"));
		free(problem);
		/* Kept aside, and out of the way. */
		assert_int_equal(count_corrupt(), before + 1);
		assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), -ENOENT);
	}

	/* Right checksum, but not a document. */
	const char *junk = "this is not xml\n";
	char *jf;
	size_t jlen;
	assert_int_equal(crmd_store_format(junk, strlen(junk), 0, &jf, &jlen), 0);
	write_raw("cib.xml", jf, jlen);
	char *got = NULL, *problem = NULL;
	uint64_t term = 0;
	size_t got_len;
	assert_int_equal(crmd_store_load(dir, &got, &got_len, &term, &problem), -EBADMSG);
	assert_non_null(strstr(problem, "not a valid document"));
	free(problem);
	free(jf);
	free(file);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_term_is_checked, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
