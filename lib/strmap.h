/*
 * strmap.h - a small string-keyed hash table (open addressing, linear probing).
 *
 * Why our own: the checks of a large document (5000 VMs, 32 nodes, their
 * status) look up ids hundreds of thousands of times; hsearch_r cannot grow or
 * delete, and GLib is not a dependency of lib/.  This one grows by doubling,
 * keeps insertion cheap, and costs one allocation per table.
 *
 * Ownership: the table does NOT copy keys or values.  A key must stay valid and
 * unchanged while it is in the table (typically it points into a struct vg_cib
 * that outlives the table).  vg_strmap_free() releases the table only.
 *
 * Iteration order is unspecified: never let it decide anything a user sees.
 */
#ifndef VIGIL_STRMAP_H
#define VIGIL_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct vg_strmap_slot {
	const char *key;        /* NULL: empty slot */
	void *value;
	size_t hash;
};

struct vg_strmap {
	struct vg_strmap_slot *slots;
	size_t cap;             /* a power of two, or 0 before the first insert */
	size_t n;
};

/** A zeroed struct vg_strmap is an empty table; this prepares room for
 *  @expected keys so a bulk insert never rehashes.  0 or -ENOMEM. */
int vg_strmap_init(struct vg_strmap *m, size_t expected);

/** Releases the slots (not the keys or values) and leaves an empty table. */
void vg_strmap_clear(struct vg_strmap *m);

/** Empties the table but keeps its room, for reuse with keys of about the
 *  same number (cheaper than clear + init in a loop). */
void vg_strmap_reset(struct vg_strmap *m);

/** Inserts @key -> @value unless @key is there already.  0, -EEXIST (then
 *  *ret_old, if given, is the value in the table) or -ENOMEM. */
int vg_strmap_add(struct vg_strmap *m, const char *key, void *value, void **ret_old);

/** Inserts or replaces.  0 or -ENOMEM. */
int vg_strmap_set(struct vg_strmap *m, const char *key, void *value);

/** The value stored for @key, or NULL when absent (store non-NULL values, or
 *  use vg_strmap_has()). */
void *vg_strmap_get(const struct vg_strmap *m, const char *key);

/** Whether @key is in the table. */
bool vg_strmap_has(const struct vg_strmap *m, const char *key);

#endif /* VIGIL_STRMAP_H */
