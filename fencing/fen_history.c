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

int fen_record_to_json(const struct fen_record *rec, char **ret_json)
{
	if (!rec || !rec->id || !rec->target || !rec->action)
		return -EINVAL;
	int r = -ENOMEM;
	json_object *o = json_object_new_object();
	json_object *arr = json_object_new_array();
	if (!o || !arr) {
		json_object_put(arr);
		goto out_put;
	}
	if (json_object_object_add(o, "attempts", arr) != 0) {
		json_object_put(arr);
		goto out_put;
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
	if (!ok)
		goto out_put;
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	char *copy = s ? strdup(s) : NULL;
	if (!copy)
		goto out_put;
	*ret_json = copy;
	r = 0;
out_put:
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

int fen_record_from_json(const char *json, struct fen_record **ret_rec)
{
	if (!json)
		return -EINVAL;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_object *o = json_tokener_parse_ex(tok, json, (int)strnlen(json, INT32_MAX));
	bool complete = json_tokener_get_error(tok) == json_tokener_success &&
			(size_t)json_tokener_get_parse_end(tok) == strlen(json);
	json_tokener_free(tok);
	int r = -EINVAL;
	struct fen_record *rec = NULL;
	if (!o || !complete || !json_object_is_type(o, json_type_object))
		goto out_put;
	if (!(rec = calloc(1, sizeof(*rec)))) {
		r = -ENOMEM;
		goto out_put;
	}
	int idx;
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
	rec = NULL;
	r = 0;
out_free:
	fen_record_free(rec);
out_put:
	json_object_put(o);
	return r;
}
