/*
 * cib_schema.h - schema/vigil.rng, compiled into the library (internal).
 *
 * lib/Makefile.am generates cib_schema_data.c from the .rng at build time, so
 * the reader validates against exactly the schema it was built with and never
 * looks for a file at run time (see doc/cib.md).
 */
#ifndef VIGIL_CIB_SCHEMA_H
#define VIGIL_CIB_SCHEMA_H

#include <stddef.h>

extern const unsigned char vg_cib_schema_rng[];
extern const size_t vg_cib_schema_rng_len;

#endif /* VIGIL_CIB_SCHEMA_H */
