/* strmap.c - see strmap.h. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/* FNV-1a: short keys (ids), no adversary worth a keyed hash here, since the
 * table grows with the input and probing stays short at our load factor. */
static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

static int resize(struct vg_strmap *m, size_t cap)
{
	struct vg_strmap_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		struct vg_strmap_slot *s = &m->slots[i];
		if (!s->key)
			continue;
		size_t j = s->hash & (cap - 1);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

/* Keeps the load factor at or below 1/2. */
static int reserve(struct vg_strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;
	while (cap / 2 < n) {
		if (cap > SIZE_MAX / 4)
			return -ENOMEM;
		cap *= 2;
	}
	return cap == m->cap ? 0 : resize(m, cap);
}

int vg_strmap_init(struct vg_strmap *m, size_t expected)
{
	return reserve(m, expected);
}

void vg_strmap_clear(struct vg_strmap *m)
{
	free(m->slots);
	*m = (struct vg_strmap){ 0 };
}

void vg_strmap_reset(struct vg_strmap *m)
{
	if (m->cap)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
}

static struct vg_strmap_slot *find(const struct vg_strmap *m, const char *key, size_t h)
{
	if (!m->cap)
		return NULL;
	size_t i = h & (m->cap - 1);
	for (;;) {
		struct vg_strmap_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && !strcmp(s->key, key)))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

static int insert(struct vg_strmap *m, const char *key, void *value, bool replace,
		  void **ret_old)
{
	int r = reserve(m, m->n + 1);
	if (r < 0)
		return r;
	size_t h = hash_str(key);
	struct vg_strmap_slot *s = find(m, key, h);
	if (s->key) {
		if (!replace) {
			if (ret_old)
				*ret_old = s->value;
			return -EEXIST;
		}
		s->value = value;
		return 0;
	}
	*s = (struct vg_strmap_slot){ .key = key, .value = value, .hash = h };
	m->n++;
	return 0;
}

int vg_strmap_add(struct vg_strmap *m, const char *key, void *value, void **ret_old)
{
	return insert(m, key, value, false, ret_old);
}

int vg_strmap_set(struct vg_strmap *m, const char *key, void *value)
{
	return insert(m, key, value, true, NULL);
}

void *vg_strmap_get(const struct vg_strmap *m, const char *key)
{
	struct vg_strmap_slot *s = find(m, key, hash_str(key));
	return s && s->key ? s->value : NULL;
}

bool vg_strmap_has(const struct vg_strmap *m, const char *key)
{
	struct vg_strmap_slot *s = find(m, key, hash_str(key));
	return s && s->key;
}
