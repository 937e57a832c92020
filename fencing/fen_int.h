/*
 * fen_int.h - helpers shared by the files of fencing/, not part of its API.
 *
 * The document helpers (fen_nvsets_get, fen_duration_ms, fen_bool) are thin
 * NULL-tolerant wrappers over lib/cib.h's parsers, so fencing reads a value
 * exactly as the verifier accepted it.
 */
#ifndef VIGIL_FEN_INT_H
#define VIGIL_FEN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cib.h"

/** Value of @name in the first set of @sets that has it, or NULL (borrowed). */
const char *fen_nvsets_get(const struct vg_nvsets *sets, const char *name);

/** Duration ("10", "10s", "500ms", "2min", "1h", "PT1M30S") in ms. 0 or -EINVAL/-ERANGE. */
int fen_duration_ms(const char *s, uint64_t *ret_ms);

/** Pacemaker's boolean words.  0 or -EINVAL. */
int fen_bool(const char *s, bool *ret_value);

/** Monotonic and wall clocks in milliseconds. */
uint64_t fen_mono_ms(void);
uint64_t fen_wall_ms(void);

/** strdup() that passes NULL through; sets *ok to false on allocation failure. */
char *fen_strdup_null(const char *s, bool *ok);

#endif /* VIGIL_FEN_INT_H */
