/*
 * pol_util.c - the engine's small tools: an arena, a string->index map, and
 * the parsing of Pacemaker's scalar values (scores, booleans, durations).
 *
 * The parsers are the engine's own rather than lib/'s so the engine stays
 * total on documents that were built in memory and never checked: a bad value
 * falls back to the documented default instead of failing the computation.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pol_int.h"

/* ---- arena ---- */

struct pol_chunk {
	struct pol_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct pol_arena {
	struct pol_chunk *head;
};

int pol_arena_new(struct pol_arena **ret)
{
	struct pol_arena *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	*ret = a;
	return 0;
}

void pol_arena_free(struct pol_arena *a)
{
	if (!a)
		return;
	for (struct pol_chunk *ch = a->head, *next; ch; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(a);
}

void *pol_arena_alloc(struct pol_arena *a, size_t size)
{
	const size_t align = sizeof(max_align_t);
	struct pol_chunk *ch = a->head;

	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	if (!ch || ch->size - ch->used < size) {
		size_t csize = 64 * 1024;

		if (size > csize / 4)
			csize = size;   /* big blocks get a chunk of their own */
		ch = calloc(1, sizeof(*ch) + csize);
		if (!ch)
			return NULL;
		ch->size = csize;
		if (size == csize && a->head) {
			/* keep the current chunk in front for small allocations */
			ch->next = a->head->next;
			a->head->next = ch;
		} else {
			ch->next = a->head;
			a->head = ch;
		}
	}
	void *p = (char *)ch->data + ch->used;
	ch->used += size;
	return p;
}

char *pol_arena_strdup(struct pol_arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s) + 1;
	char *p = pol_arena_alloc(a, len);

	if (p)
		memcpy(p, s, len);
	return p;
}

char *pol_arena_printf(struct pol_arena *a, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int len = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (len < 0)
		return NULL;
	char *p = pol_arena_alloc(a, (size_t)len + 1);
	if (!p)
		return NULL;
	if ((size_t)len < sizeof(small)) {
		memcpy(p, small, (size_t)len + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(p, (size_t)len + 1, fmt, ap);
		va_end(ap);
	}
	return p;
}

/* ---- map ---- */

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int pol_map_init(struct pol_map *m, size_t expected)
{
	size_t cap = 16;

	while (cap < expected * 2 + 1)
		cap <<= 1;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	if (!m->keys || !m->vals) {
		free(m->keys);
		free(m->vals);
		m->keys = NULL;
		m->vals = NULL;
		return -ENOMEM;
	}
	m->cap = cap;
	m->n = 0;
	return 0;
}

void pol_map_fini(struct pol_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

static int map_grow(struct pol_map *m)
{
	struct pol_map bigger;
	int r = pol_map_init(&bigger, m->cap);

	if (r < 0)
		return r;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			pol_map_put(&bigger, m->keys[i], m->vals[i]);
	pol_map_fini(m);
	*m = bigger;
	return 0;
}

int pol_map_put(struct pol_map *m, const char *key, int val)
{
	if (!key)
		return 0;
	if ((m->n + 1) * 2 > m->cap) {
		int r = map_grow(m);

		if (r < 0)
			return r;
	}
	size_t len = strlen(key);
	size_t i = hash_bytes(key, len) & (m->cap - 1);

	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key))
			return 0;
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

int pol_map_getn(const struct pol_map *m, const char *key, size_t len)
{
	if (!key || !m->cap)
		return -1;
	size_t i = hash_bytes(key, len) & (m->cap - 1);

	while (m->keys[i]) {
		if (!strncmp(m->keys[i], key, len) && m->keys[i][len] == '\0')
			return m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	return -1;
}

int pol_map_get(const struct pol_map *m, const char *key)
{
	if (!key)
		return -1;
	return pol_map_getn(m, key, strlen(key));
}

/* ---- attribute lookup ---- */

const char *pol_nvsets_get(const struct vg_nvsets *sets, const char *name)
{
	for (size_t i = 0; i < sets->n; i++) {
		const struct vg_nvset *set = &sets->v[i];

		/* a pair without a value is skipped, as Pacemaker does */
		for (size_t j = 0; j < set->n_pairs; j++)
			if (set->pairs[j].name && set->pairs[j].value &&
			    !strcmp(set->pairs[j].name, name))
				return set->pairs[j].value;
	}
	return NULL;
}

const char *pol_attrs_get(const struct vg_attrs *attrs, const char *name)
{
	for (size_t i = 0; i < attrs->n; i++)
		if (attrs->v[i].name && !strcmp(attrs->v[i].name, name))
			return attrs->v[i].value;
	return NULL;
}

/* ---- scalars ---- */

static int lower(int ch)
{
	return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch;
}

bool pol_streq_i(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	while (*a && *b && lower((unsigned char)*a) == lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

int pol_int_parse(const char *s, long long *ret)
{
	if (!s)
		return -EINVAL;
	while (*s == ' ' || *s == '\t')
		s++;
	bool neg = false;
	const char *p = s;

	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	if (pol_streq_i(p, "INFINITY") || pol_streq_i(p, "inf")) {
		*ret = neg ? -POL_INF : POL_INF;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -EINVAL;
	long long v = 0;

	while (*p >= '0' && *p <= '9') {
		if (v < 1000000000000000LL)
			v = v * 10 + (*p - '0');
		p++;
	}
	/* Pacemaker reads "1.5" as 1 and ignores trailing blanks */
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return -EINVAL;
	*ret = neg ? -v : v;
	return 0;
}

int pol_score_parse(const char *s, int *ret)
{
	long long v;
	int r = pol_int_parse(s, &v);

	if (r < 0)
		return r;
	if (v > POL_INF)
		v = POL_INF;
	if (v < -POL_INF)
		v = -POL_INF;
	*ret = (int)v;
	return 0;
}

int pol_score_add(int a, int b)
{
	if (a <= -POL_INF || b <= -POL_INF)
		return -POL_INF;
	if (a >= POL_INF || b >= POL_INF)
		return POL_INF;
	long long s = (long long)a + b;

	if (s >= POL_INF)
		return POL_INF;
	if (s <= -POL_INF)
		return -POL_INF;
	return (int)s;
}

bool pol_bool(const char *s, bool dflt)
{
	static const char *const yes[] = { "true", "on", "yes", "y", "1" };
	static const char *const no[] = { "false", "off", "no", "n", "0" };

	if (!s)
		return dflt;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (pol_streq_i(s, yes[i]))
			return true;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (pol_streq_i(s, no[i]))
			return false;
	return dflt;
}

static int iso8601_ms(const char *p, uint64_t *ret_ms)
{
	/* PnDTnHnMnS, the subset Pacemaker takes for intervals */
	uint64_t total = 0;
	bool in_time = false;

	if (*p != 'P' && *p != 'p')
		return -EINVAL;
	p++;
	if (!*p)
		return -EINVAL;
	while (*p) {
		if (*p == 'T' || *p == 't') {
			in_time = true;
			p++;
			continue;
		}
		uint64_t v = 0;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9') {
			if (v > UINT64_MAX / 100000)
				return -ERANGE;
			v = v * 10 + (uint64_t)(*p++ - '0');
		}
		uint64_t mult;

		switch (*p) {
		case 'Y': case 'y': mult = 365ULL * 86400000; break;
		case 'W': case 'w': mult = 7ULL * 86400000; break;
		case 'D': case 'd': mult = 86400000; break;
		case 'H': case 'h': mult = 3600000; break;
		case 'M': case 'm': mult = in_time ? 60000 : 30ULL * 86400000; break;
		case 'S': case 's': mult = 1000; break;
		default: return -EINVAL;
		}
		p++;
		total += v * mult;
	}
	*ret_ms = total;
	return 0;
}

int pol_duration_ms(const char *s, uint64_t *ret_ms)
{
	if (!s)
		return -EINVAL;
	while (*s == ' ')
		s++;
	if (*s == 'P' || *s == 'p')
		return iso8601_ms(s, ret_ms);
	if (*s < '0' || *s > '9')
		return -EINVAL;
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9') {
		if (v > UINT64_MAX / 100000)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	while (*s == ' ')
		s++;
	uint64_t mult;

	if (!*s || pol_streq_i(s, "s") || pol_streq_i(s, "sec"))
		mult = 1000;
	else if (pol_streq_i(s, "ms") || pol_streq_i(s, "msec"))
		mult = 1;
	else if (pol_streq_i(s, "us") || pol_streq_i(s, "usec"))
		return *ret_ms = v / 1000, 0;
	else if (pol_streq_i(s, "m") || pol_streq_i(s, "min"))
		mult = 60000;
	else if (pol_streq_i(s, "h") || pol_streq_i(s, "hr"))
		mult = 3600000;
	else if (pol_streq_i(s, "d"))
		mult = 86400000;
	else
		return -EINVAL;
	*ret_ms = v * mult;
	return 0;
}
