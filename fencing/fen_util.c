/* fen_util.c - see fen_int.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fen_int.h"

/* The document's own parsers (lib/cib.h), so that fencing reads a value
 * exactly as `vigil configure verify` accepted it. */
const char *fen_nvsets_get(const struct vg_nvsets *sets, const char *name)
{
	return vg_nvsets_get(sets, name);
}

int fen_duration_ms(const char *s, uint64_t *ret_ms)
{
	return s ? vg_duration_parse(s, ret_ms) : -EINVAL;
}

int fen_bool(const char *s, bool *ret_value)
{
	return s ? vg_bool_parse(s, ret_value) : -EINVAL;
}

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t fen_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

uint64_t fen_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

char *fen_strdup_null(const char *s, bool *ok)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}
