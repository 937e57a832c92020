/*
 * fen_cib_build.h - hand-built cluster documents for the fencing tests.
 *
 * The structs live in compound literals (automatic storage): a document built
 * with these macros must not outlive the test function and is never passed to
 * vg_cib_free().
 */
#ifndef VIGIL_FEN_CIB_BUILD_H
#define VIGIL_FEN_CIB_BUILD_H

#include "cib.h"

#define S(x) ((char *)(x))
#define NV(n, v) { .name = S(n), .value = S(v) }
#define NVSET(...) { .pairs = (struct vg_nvpair[]){ __VA_ARGS__ }, \
		     .n_pairs = sizeof((struct vg_nvpair[]){ __VA_ARGS__ }) / sizeof(struct vg_nvpair) }
#define NVSETS(...) { .v = (struct vg_nvset[]){ NVSET(__VA_ARGS__) }, .n = 1 }
#define STONITH(id_, agent_, ...) { .id = S(id_), .cls = S("stonith"), .type = S(agent_), \
				     .instance = NVSETS(__VA_ARGS__) }
#define LEVEL_T(id_, idx, tgt, devs) { .id = S(id_), .index = (idx), .target = S(tgt), .devices = S(devs) }
#define LEVEL_P(id_, idx, pat, devs) { .id = S(id_), .index = (idx), .target_pattern = S(pat), \
				       .devices = S(devs) }
#define LEVEL_A(id_, idx, attr, val, devs) { .id = S(id_), .index = (idx), .target_attribute = S(attr), \
					     .target_value = S(val), .devices = S(devs) }
#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

#endif
