/* fen_util.c - see fen_int.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fen_int.h"

const char *fen_nvsets_get(const struct vg_nvsets *sets, const char *name)
{
	for (size_t i = 0; i < sets->n; i++) {
		const struct vg_nvset *set = &sets->v[i];
		for (size_t j = 0; j < set->n_pairs; j++)
			if (set->pairs[j].name && strcmp(set->pairs[j].name, name) == 0)
				return set->pairs[j].value;
	}
	return NULL;
}

static int mul_add(uint64_t *acc, uint64_t n, uint64_t unit_ms)
{
	if (n != 0 && unit_ms > UINT64_MAX / n)
		return -ERANGE;
	if (*acc > UINT64_MAX - n * unit_ms)
		return -ERANGE;
	*acc += n * unit_ms;
	return 0;
}

/* ISO 8601 duration, the subset Pacemaker's configurations use: PnDTnHnMnS
 * (weeks and years are not durations anyone writes for a timeout). */
static int iso_duration_ms(const char *p, uint64_t *ret_ms)
{
	uint64_t total = 0;
	bool in_time = false, any = false;

	for (p++; *p; ) {
		if (*p == 'T' || *p == 't') {
			if (in_time)
				return -EINVAL;
			in_time = true;
			p++;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		char *end;
		unsigned long long n = strtoull(p, &end, 10);
		if (errno)
			return -ERANGE;
		uint64_t unit;
		switch (*end) {
		case 'D': case 'd': if (in_time) return -EINVAL; unit = 86400000; break;
		case 'H': case 'h': if (!in_time) return -EINVAL; unit = 3600000; break;
		case 'M': case 'm': if (!in_time) return -EINVAL; unit = 60000; break;
		case 'S': case 's': if (!in_time) return -EINVAL; unit = 1000; break;
		default: return -EINVAL;
		}
		int r = mul_add(&total, n, unit);
		if (r < 0)
			return r;
		any = true;
		p = end + 1;
	}
	if (!any)
		return -EINVAL;
	*ret_ms = total;
	return 0;
}

int fen_duration_ms(const char *s, uint64_t *ret_ms)
{
	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == 'P' || *s == 'p')
		return iso_duration_ms(s, ret_ms);
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	while (isspace((unsigned char)*end))
		end++;
	char unit[8];
	size_t len = strcspn(end, " \t\n");
	if (len >= sizeof(unit))
		return -EINVAL;
	memcpy(unit, end, len);
	unit[len] = '\0';
	for (const char *q = end + len; *q; q++)
		if (!isspace((unsigned char)*q))
			return -EINVAL;

	static const struct { const char *name; uint64_t ms; } units[] = {
		{ "", 1000 }, { "s", 1000 }, { "sec", 1000 }, { "ms", 1 }, { "msec", 1 },
		{ "m", 60000 }, { "min", 60000 }, { "h", 3600000 }, { "hr", 3600000 },
		{ "d", 86400000 },
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(unit, units[i].name) == 0) {
			uint64_t total = 0;
			int r = mul_add(&total, n, units[i].ms);
			if (r < 0)
				return r;
			*ret_ms = total;
			return 0;
		}
	}
	return -EINVAL;
}

int fen_bool(const char *s, bool *ret_value)
{
	static const char *const yes[] = { "true", "on", "yes", "y", "1" };
	static const char *const no[] = { "false", "off", "no", "n", "0" };
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < 5; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret_value = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret_value = false;
			return 0;
		}
	}
	return -EINVAL;
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
