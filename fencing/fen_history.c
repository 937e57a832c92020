/* fen_history.c - see fen_history.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fen_history.h"
#include "fen_int.h"

static const char *const state_names[] = {
	[FEN_STATE_PENDING] = "pending",
	[FEN_STATE_DONE] = "done",
	[FEN_STATE_FAILED] = "failed",
};

static const char *const result_names[] = {
	[FEN_RESULT_OK] = "ok",
	[FEN_RESULT_FAILED] = "failed",
	[FEN_RESULT_TIMEOUT] = "timeout",
	[FEN_RESULT_ERROR] = "error",
	[FEN_RESULT_NOT_CAPABLE] = "not-capable",
	[FEN_RESULT_CANCELLED] = "cancelled",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *fen_state_name(enum fen_state state)
{
	return (size_t)state < N_OF(state_names) ? state_names[state] : "?";
}

const char *fen_result_name(enum fen_result result)
{
	return (size_t)result < N_OF(result_names) ? result_names[result] : "?";
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static void attempt_clear(struct fen_attempt *a)
{
	free(a->device);
	free(a->action);
	free(a->message);
}

void fen_record_free(struct fen_record *rec)
{
	if (!rec)
		return;
	for (size_t i = 0; i < rec->n_attempts; i++)
		attempt_clear(&rec->attempts[i]);
	free(rec->attempts);
	free(rec->id);
	free(rec->target);
	free(rec->action);
	free(rec->origin);
	free(rec->executor);
	free(rec->reason);
	free(rec);
}

int fen_record_manual(const char *id, const char *target, const char *origin, uint64_t now_ms,
		      struct fen_record **ret_rec)
{
	if (!id || !target || !*target || !origin)
		return -EINVAL;
	bool ok = true;
	struct fen_record *rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rec->id = fen_strdup_null(id, &ok);
	rec->target = fen_strdup_null(target, &ok);
	rec->action = fen_strdup_null("off", &ok);
	rec->origin = fen_strdup_null(origin, &ok);
	rec->state = FEN_STATE_DONE;
	rec->requested_ms = rec->finished_ms = now_ms;
	if (!(rec->attempts = calloc(1, sizeof(*rec->attempts)))) {
		ok = false;
	} else {
		rec->n_attempts = 1;
		rec->attempts[0] = (struct fen_attempt){
			.attempt = 1,
			.device = fen_strdup_null(FEN_DEVICE_MANUAL, &ok),
			.action = fen_strdup_null("off", &ok),
			.result = FEN_RESULT_OK,
			.started_ms = now_ms,
			.finished_ms = now_ms,
			.message = fen_strdup_null("confirmed by an administrator: powered off by hand", &ok),
		};
	}
	if (!ok) {
		fen_record_free(rec);
		return -ENOMEM;
	}
	*ret_rec = rec;
	return 0;
}

int fen_record_dup(const struct fen_record *rec, struct fen_record **ret_copy)
{
	bool ok = true;
	struct fen_record *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->state = rec->state;
	c->requested_ms = rec->requested_ms;
	c->finished_ms = rec->finished_ms;
	c->id = fen_strdup_null(rec->id, &ok);
	c->target = fen_strdup_null(rec->target, &ok);
	c->action = fen_strdup_null(rec->action, &ok);
	c->origin = fen_strdup_null(rec->origin, &ok);
	c->executor = fen_strdup_null(rec->executor, &ok);
	c->reason = fen_strdup_null(rec->reason, &ok);
	if (rec->n_attempts) {
		c->attempts = calloc(rec->n_attempts, sizeof(*c->attempts));
		if (!c->attempts)
			ok = false;
		for (size_t i = 0; c->attempts && i < rec->n_attempts; i++) {
			const struct fen_attempt *a = &rec->attempts[i];
			struct fen_attempt *b = &c->attempts[i];
			*b = *a;
			b->device = fen_strdup_null(a->device, &ok);
			b->action = fen_strdup_null(a->action, &ok);
			b->message = fen_strdup_null(a->message, &ok);
			c->n_attempts++;
		}
	}
	if (!ok) {
		fen_record_free(c);
		return -ENOMEM;
	}
	*ret_copy = c;
	return 0;
}

/* ---- to JSON ---- */

static bool add_str(json_object *o, const char *key, const char *v)
{
	if (!v)
		return true;
	json_object *s = json_object_new_string(v);
	return s && json_object_object_add(o, key, s) == 0;
}

static bool add_int(json_object *o, const char *key, int64_t v)
{
	json_object *n = json_object_new_int64(v);
	return n && json_object_object_add(o, key, n) == 0;
}

static bool add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object *n = json_object_new_uint64(v);
	return n && json_object_object_add(o, key, n) == 0;
}

/* Builds the JSON object of @rec; NULL when out of memory. */
static json_object *record_to_obj(const struct fen_record *rec)
{
	json_object *o = json_object_new_object();
	json_object *arr = json_object_new_array();
	if (!o || !arr || json_object_object_add(o, "attempts", arr) != 0) {
		json_object_put(arr);
		json_object_put(o);
		return NULL;
	}
	bool ok = add_str(o, "id", rec->id) && add_str(o, "target", rec->target) &&
		  add_str(o, "action", rec->action) && add_str(o, "origin", rec->origin) &&
		  add_str(o, "executor", rec->executor) &&
		  add_str(o, "state", fen_state_name(rec->state)) &&
		  add_u64(o, "requested_ms", rec->requested_ms) &&
		  add_u64(o, "finished_ms", rec->finished_ms) && add_str(o, "reason", rec->reason);
	for (size_t i = 0; ok && i < rec->n_attempts; i++) {
		const struct fen_attempt *a = &rec->attempts[i];
		json_object *e = json_object_new_object();
		if (!e || json_object_array_add(arr, e) != 0) {
			json_object_put(e);
			ok = false;
			break;
		}
		ok = add_int(e, "attempt", a->attempt) && add_int(e, "level", a->level) &&
		     add_str(e, "device", a->device) && add_str(e, "action", a->action) &&
		     add_str(e, "result", fen_result_name(a->result)) &&
		     add_int(e, "exit_code", a->exit_code) && add_int(e, "signal", a->signal) &&
		     add_u64(e, "started_ms", a->started_ms) &&
		     add_u64(e, "finished_ms", a->finished_ms) && add_str(e, "message", a->message);
	}
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int obj_to_string(json_object *o, char **ret_json)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	char *copy = s ? strdup(s) : NULL;
	if (!copy)
		return -ENOMEM;
	*ret_json = copy;
	return 0;
}

int fen_record_to_json(const struct fen_record *rec, char **ret_json)
{
	if (!rec || !rec->id || !rec->target || !rec->action)
		return -EINVAL;
	json_object *o = record_to_obj(rec);
	if (!o)
		return -ENOMEM;
	int r = obj_to_string(o, ret_json);
	json_object_put(o);
	return r;
}

/* ---- from JSON ---- */

/* Each getter: 1 found and converted, 0 absent, -EINVAL wrong type, -ENOMEM. */
static int get_str(json_object *o, const char *key, bool required, char **ret)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return required ? -EINVAL : 0;
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	if (!(*ret = strdup(json_object_get_string(v))))
		return -ENOMEM;
	return 1;
}

static int get_i64(json_object *o, const char *key, int64_t min, int64_t max, int64_t *ret)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	int64_t n = json_object_get_int64(v);
	if (errno || n < min || n > max)
		return -EINVAL;
	*ret = n;
	return 1;
}

static int get_u64(json_object *o, const char *key, uint64_t *ret)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	uint64_t n = json_object_get_uint64(v);
	if (errno || (json_object_get_int64(v) < 0 && n == 0))
		return -EINVAL;
	*ret = n;
	return 1;
}

static int get_enum(json_object *o, const char *key, const char *const *names, size_t n, int *ret)
{
	char *s = NULL;
	int r = get_str(o, key, true, &s);
	if (r < 0)
		return r;
	int idx = name_index(names, n, s);
	free(s);
	if (idx < 0)
		return -EINVAL;
	*ret = idx;
	return 1;
}

static int attempt_from(json_object *e, struct fen_attempt *a)
{
	int64_t n;
	int r, idx;
	if (!json_object_is_type(e, json_type_object))
		return -EINVAL;
	if ((r = get_i64(e, "attempt", 0, UINT32_MAX, &n)) < 0)
		return r;
	a->attempt = r ? (unsigned)n : 0;
	if ((r = get_i64(e, "level", 0, 1000, &n)) < 0)
		return r;
	a->level = r ? (int)n : 0;
	if ((r = get_str(e, "device", true, &a->device)) < 0 ||
	    (r = get_str(e, "action", true, &a->action)) < 0 ||
	    (r = get_str(e, "message", false, &a->message)) < 0)
		return r;
	if ((r = get_enum(e, "result", result_names, N_OF(result_names), &idx)) < 0)
		return r;
	a->result = (enum fen_result)idx;
	if ((r = get_i64(e, "exit_code", -1, 255, &n)) < 0)
		return r;
	a->exit_code = r ? (int)n : 0;
	if ((r = get_i64(e, "signal", 0, 128, &n)) < 0)
		return r;
	a->signal = r ? (int)n : 0;
	if ((r = get_u64(e, "started_ms", &a->started_ms)) < 0 ||
	    (r = get_u64(e, "finished_ms", &a->finished_ms)) < 0)
		return r;
	return 0;
}

/* Parses a whole document: trailing garbage is an error. */
static json_object *parse_all(const char *json, int *ret)
{
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		*ret = -ENOMEM;
		return NULL;
	}
	size_t len = strlen(json);
	json_object *o = len > INT32_MAX ? NULL : json_tokener_parse_ex(tok, json, (int)len);
	bool complete = o && json_tokener_get_error(tok) == json_tokener_success &&
			(size_t)json_tokener_get_parse_end(tok) == len;
	json_tokener_free(tok);
	if (!complete) {
		json_object_put(o);
		*ret = -EINVAL;
		return NULL;
	}
	return o;
}

static int record_from_obj(json_object *o, struct fen_record **ret_rec)
{
	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	struct fen_record *rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	int r, idx;
	if ((r = get_str(o, "id", true, &rec->id)) < 0 ||
	    (r = get_str(o, "target", true, &rec->target)) < 0 ||
	    (r = get_str(o, "action", true, &rec->action)) < 0 ||
	    (r = get_str(o, "origin", false, &rec->origin)) < 0 ||
	    (r = get_str(o, "executor", false, &rec->executor)) < 0 ||
	    (r = get_str(o, "reason", false, &rec->reason)) < 0 ||
	    (r = get_enum(o, "state", state_names, N_OF(state_names), &idx)) < 0)
		goto out_free;
	rec->state = (enum fen_state)idx;
	if ((r = get_u64(o, "requested_ms", &rec->requested_ms)) < 0 ||
	    (r = get_u64(o, "finished_ms", &rec->finished_ms)) < 0)
		goto out_free;

	json_object *arr;
	if (json_object_object_get_ex(o, "attempts", &arr)) {
		if (!json_object_is_type(arr, json_type_array)) {
			r = -EINVAL;
			goto out_free;
		}
		size_t n = json_object_array_length(arr);
		if (n && !(rec->attempts = calloc(n, sizeof(*rec->attempts)))) {
			r = -ENOMEM;
			goto out_free;
		}
		for (size_t i = 0; i < n; i++) {
			rec->n_attempts++;
			if ((r = attempt_from(json_object_array_get_idx(arr, i), &rec->attempts[i])) < 0)
				goto out_free;
		}
	}
	*ret_rec = rec;
	return 0;

out_free:
	fen_record_free(rec);
	return r;
}

int fen_record_from_json(const char *json, struct fen_record **ret_rec)
{
	if (!json)
		return -EINVAL;
	int r = 0;
	json_object *o = parse_all(json, &r);
	if (!o)
		return r;
	r = record_from_obj(o, ret_rec);
	json_object_put(o);
	return r;
}

/* ---- the history ---- */

static size_t history_max(const struct fen_history *h)
{
	return h->max_records ? h->max_records : FEN_HISTORY_MAX_DEFAULT;
}

static bool is_final(const struct fen_record *r)
{
	return r->state != FEN_STATE_PENDING;
}

/* Whether @incoming should replace @current (same id). */
static bool supersedes(const struct fen_record *incoming, const struct fen_record *current)
{
	if (is_final(incoming) != is_final(current))
		return is_final(incoming);
	if (!is_final(incoming))   /* both pending: the one with more attempts knows more */
		return incoming->n_attempts > current->n_attempts;
	return incoming->finished_ms > current->finished_ms;
}

static bool before(const struct fen_record *a, const struct fen_record *b)
{
	if (a->requested_ms != b->requested_ms)
		return a->requested_ms < b->requested_ms;
	return strcmp(a->id, b->id) < 0;
}

int fen_history_put(struct fen_history *h, struct fen_record *rec)
{
	if (!rec || !rec->id || !rec->target || !rec->action) {
		fen_record_free(rec);
		return -EINVAL;
	}
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->v[i]->id, rec->id) != 0)
			continue;
		if (supersedes(rec, h->v[i])) {
			fen_record_free(h->v[i]);
			memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof(*h->v));
			h->n--;
			break;
		}
		fen_record_free(rec);
		return 0;
	}
	struct fen_record **grown = realloc(h->v, (h->n + 1) * sizeof(*grown));
	if (!grown) {
		fen_record_free(rec);
		return -ENOMEM;
	}
	h->v = grown;
	size_t at = h->n;
	while (at > 0 && before(rec, h->v[at - 1]))
		at--;
	memmove(&h->v[at + 1], &h->v[at], (h->n - at) * sizeof(*h->v));
	h->v[at] = rec;
	h->n++;

	/* Over the bound: drop the oldest finished records. */
	for (size_t i = 0; h->n > history_max(h) && i < h->n;) {
		if (is_final(h->v[i])) {
			fen_record_free(h->v[i]);
			memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof(*h->v));
			h->n--;
		} else {
			i++;
		}
	}
	return 0;
}

int fen_history_merge(struct fen_history *dst, const struct fen_history *src)
{
	for (size_t i = 0; i < src->n; i++) {
		struct fen_record *copy = NULL;
		int r = fen_record_dup(src->v[i], &copy);
		if (r == 0)
			r = fen_history_put(dst, copy);
		if (r < 0)
			return r;
	}
	return 0;
}

const struct fen_record *fen_history_get(const struct fen_history *h, const char *id)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i]->id, id) == 0)
			return h->v[i];
	return NULL;
}

const struct fen_record *fen_history_last_for(const struct fen_history *h, const char *target)
{
	for (size_t i = h->n; i > 0; i--)
		if (strcmp(h->v[i - 1]->target, target) == 0)
			return h->v[i - 1];
	return NULL;
}

void fen_history_clear(struct fen_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		fen_record_free(h->v[i]);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

int fen_history_to_json(const struct fen_history *h, char **ret_json)
{
	json_object *arr = json_object_new_array();
	if (!arr)
		return -ENOMEM;
	int r = -ENOMEM;
	for (size_t i = 0; i < h->n; i++) {
		const struct fen_record *rec = h->v[i];
		if (!rec->id || !rec->target || !rec->action) {
			r = -EINVAL;
			goto out_put;
		}
		json_object *o = record_to_obj(rec);
		if (!o)
			goto out_put;
		if (json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			goto out_put;
		}
	}
	r = obj_to_string(arr, ret_json);
out_put:
	json_object_put(arr);
	return r;
}

int fen_history_from_json(struct fen_history *h, const char *json)
{
	if (!json)
		return -EINVAL;
	int r = 0;
	json_object *arr = parse_all(json, &r);
	if (!arr)
		return r;
	struct fen_record **recs = NULL;
	size_t n = 0;
	if (!json_object_is_type(arr, json_type_array)) {
		r = -EINVAL;
		goto out_put;
	}
	size_t len = json_object_array_length(arr);
	if (len && !(recs = calloc(len, sizeof(*recs)))) {
		r = -ENOMEM;
		goto out_put;
	}
	for (; n < len; n++)
		if ((r = record_from_obj(json_object_array_get_idx(arr, n), &recs[n])) < 0)
			goto out_recs;
	/* All parsed: now put them (each put takes its record). */
	for (size_t i = 0; i < n; i++) {
		struct fen_record *rec = recs[i];
		recs[i] = NULL;
		if ((r = fen_history_put(h, rec)) < 0) {
			i++;
			for (; i < n; i++)
				fen_record_free(recs[i]);
			n = 0;
			goto out_recs;
		}
	}
	n = 0;
	r = 0;
out_recs:
	for (size_t i = 0; i < n; i++)
		fen_record_free(recs[i]);
	free(recs);
out_put:
	json_object_put(arr);
	return r;
}
