/*
 * golden_render.c - turns `vigil simulate --output-as json` into the readable
 * text kept in tests/policy/<case>/expected.txt.
 *
 *   golden_render FILE.json      prints the rendering; exit 0, or 2 when the
 *                                JSON is malformed or its ordering is broken
 *   golden_render                (no argument, as `make check` runs it) tests
 *                                itself on built-in samples
 *
 * The rendering does not depend on how the engine numbers or emits its
 * actions, only on what they mean:
 *   - actions are sorted: fences, stops, migrations, restarts, starts, each by
 *     resource then node;
 *   - "after" names the actions waited for by what they are ("fence n3"), not
 *     by id, and keeps only the direct ones (the transitive reduction: if
 *     start waits for stop which waits for fence, start does not list fence);
 *   - placement keeps the engine's order (document order);
 *   - the engine's explanations follow: "reasons", "stopped_reasons" (why a
 *     resource ends stopped), "blocked" (what cannot happen and why) and
 *     "warnings", each when present and not empty.
 * It also checks what any transition must satisfy: ids unique, every "after"
 * refers to an action of the transition, and no cycle.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct act {
	long id;
	int rank;
	char desc[600];
	const char *reason;
	long *after;            /* ids */
	size_t n_after;
	size_t *pred;           /* indexes into the sorted array, direct edges kept */
	size_t n_pred;
};

static const char *jstr(struct json_object *obj, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int op_rank(const char *op)
{
	static const char *const order[] = { "fence", "stop", "migrate", "restart", "start" };
	for (int i = 0; i < 5; i++)
		if (!strcmp(op, order[i]))
			return i;
	return 5;
}

static int cmp_act(const void *pa, const void *pb)
{
	const struct act *a = pa, *b = pb;
	if (a->rank != b->rank)
		return a->rank - b->rank;
	return strcmp(a->desc, b->desc);
}

static int cmp_desc(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static int fail(const char *what)
{
	fprintf(stderr, "golden_render: %s\n", what);
	return -EINVAL;
}

static int read_action(struct json_object *a, struct act *out)
{
	const char *op = jstr(a, "op"), *rsc = jstr(a, "resource"), *node = jstr(a, "node");
	const char *from = jstr(a, "from"), *to = jstr(a, "to");
	struct json_object *id, *after;

	if (!json_object_object_get_ex(a, "id", &id) || !json_object_is_type(id, json_type_int))
		return fail("an action has no integer \"id\"");
	out->id = (long)json_object_get_int64(id);
	if (!op)
		return fail("an action has no \"op\"");
	out->rank = op_rank(op);
	out->reason = jstr(a, "reason");
	if (!strcmp(op, "fence")) {
		if (!node)
			return fail("a fence has no \"node\"");
		snprintf(out->desc, sizeof(out->desc), "fence %s", node);
	} else if (!strcmp(op, "migrate")) {
		if (!rsc || !from || !to)
			return fail("a migrate needs \"resource\", \"from\" and \"to\"");
		snprintf(out->desc, sizeof(out->desc), "migrate %s %s -> %s", rsc, from, to);
	} else {
		if (!rsc || !node)
			return fail("an action needs \"resource\" and \"node\"");
		snprintf(out->desc, sizeof(out->desc), "%s %s on %s", op, rsc, node);
	}
	if (json_object_object_get_ex(a, "after", &after) && !json_object_is_type(after, json_type_null)) {
		if (!json_object_is_type(after, json_type_array))
			return fail("\"after\" is not an array");
		out->n_after = json_object_array_length(after);
		out->after = calloc(out->n_after + 1, sizeof(*out->after));
		if (!out->after)
			return -ENOMEM;
		for (size_t i = 0; i < out->n_after; i++) {
			struct json_object *e = json_object_array_get_idx(after, i);
			if (!json_object_is_type(e, json_type_int))
				return fail("\"after\" holds a non-integer");
			out->after[i] = (long)json_object_get_int64(e);
		}
	}
	return 0;
}

static ssize_t find_id(const struct act *acts, size_t n, long id)
{
	for (size_t i = 0; i < n; i++)
		if (acts[i].id == id)
			return (ssize_t)i;
	return -1;
}

/* reach[i * n + j]: action j must come before action i (directly or not).
 * Returns -EINVAL on a cycle. */
static int closure(const struct act *acts, size_t n, const size_t *const *direct,
		   const size_t *n_direct, bool *reach)
{
	/* Depth-first, from each node; n is small in golden cases. */
	size_t *stack = malloc((n + 1) * sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t top = 0;
		stack[top++] = i;
		while (top) {
			size_t k = stack[--top];
			for (size_t e = 0; e < n_direct[k]; e++) {
				size_t p = direct[k][e];
				if (p == i) {
					free(stack);
					return fail("the actions' \"after\" form a cycle");
				}
				if (!reach[i * n + p]) {
					reach[i * n + p] = true;
					stack[top++] = p;
				}
			}
		}
	}
	free(stack);
	return 0;
}

static void print_value(struct json_object *v, FILE *out)
{
	if (json_object_is_type(v, json_type_string))
		fputs(json_object_get_string(v), out);
	else
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), out);
}

static int render(struct json_object *root, FILE *out)
{
	struct json_object *actions, *placement, *reasons, *warnings;
	struct act *acts = NULL;
	size_t n = 0;
	size_t **direct = NULL, *n_direct = NULL;
	bool *reach = NULL;
	int r = 0;

	if (!json_object_object_get_ex(root, "actions", &actions) ||
	    !json_object_is_type(actions, json_type_array))
		return fail("no \"actions\" array");
	if (!json_object_object_get_ex(root, "placement", &placement) ||
	    !json_object_is_type(placement, json_type_object))
		return fail("no \"placement\" object");

	n = json_object_array_length(actions);
	acts = calloc(n + 1, sizeof(*acts));
	direct = calloc(n + 1, sizeof(*direct));
	n_direct = calloc(n + 1, sizeof(*n_direct));
	reach = calloc(n * n + 1, sizeof(*reach));
	if (!acts || !direct || !n_direct || !reach) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(actions, i);
		if (!json_object_is_type(a, json_type_object)) {
			r = fail("an action is not an object");
			goto out;
		}
		if ((r = read_action(a, &acts[i])) < 0)
			goto out;
		if (find_id(acts, i, acts[i].id) >= 0) {
			r = fail("two actions share an id");
			goto out;
		}
	}
	qsort(acts, n, sizeof(*acts), cmp_act);
	for (size_t i = 0; i < n; i++) {
		direct[i] = calloc(acts[i].n_after + 1, sizeof(**direct));
		if (!direct[i]) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t e = 0; e < acts[i].n_after; e++) {
			ssize_t p = find_id(acts, n, acts[i].after[e]);
			if (p < 0) {
				fprintf(stderr, "golden_render: %s waits for unknown id %ld\n",
					acts[i].desc, acts[i].after[e]);
				r = -EINVAL;
				goto out;
			}
			direct[i][n_direct[i]++] = (size_t)p;
		}
	}
	if ((r = closure(acts, n, (const size_t *const *)direct, n_direct, reach)) < 0)
		goto out;

	fprintf(out, "actions:%s\n", n ? "" : " none");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  %s\n", acts[i].desc);
		/* Direct predecessors not implied through another predecessor. */
		const char *names[256];
		size_t nn = 0;
		for (size_t e = 0; e < n_direct[i]; e++) {
			size_t p = direct[i][e];
			bool implied = false, dup = false;
			for (size_t f = 0; f < n_direct[i] && !implied; f++)
				if (direct[i][f] != p && reach[direct[i][f] * n + p])
					implied = true;
			for (size_t k = 0; k < nn; k++)
				if (names[k] == acts[p].desc)
					dup = true;
			if (!implied && !dup && nn < 256)
				names[nn++] = acts[p].desc;
		}
		qsort(names, nn, sizeof(*names), cmp_desc);
		for (size_t k = 0; k < nn; k++)
			fprintf(out, "      after %s\n", names[k]);
		if (acts[i].reason)
			fprintf(out, "      why: %s\n", acts[i].reason);
	}

	fprintf(out, "placement:\n");
	json_object_object_foreach(placement, key, val) {
		fprintf(out, "  %s ", key);
		if (!val || json_object_is_type(val, json_type_null))
			fprintf(out, "stopped\n");
		else if (json_object_is_type(val, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				fputs(i ? " " : "", out);
				print_value(json_object_array_get_idx(val, i), out);
			}
			fprintf(out, " (active on several nodes)\n");
		} else {
			print_value(val, out);
			fputc('\n', out);
		}
	}

	/* Why resources stay stopped or blocked, as the engine explains them. */
	static const char *const maps[][2] = {
		{ "reasons", "reasons" },
		{ "stopped_reasons", "stopped" },
		{ "blocked", "blocked" },
	};
	for (size_t m = 0; m < sizeof(maps) / sizeof(maps[0]); m++) {
		if (!json_object_object_get_ex(root, maps[m][0], &reasons) ||
		    !json_object_is_type(reasons, json_type_object) ||
		    !json_object_object_length(reasons))
			continue;
		fprintf(out, "%s:\n", maps[m][1]);
		json_object_object_foreach(reasons, rkey, rval) {
			fprintf(out, "  %s: ", rkey);
			print_value(rval, out);
			fputc('\n', out);
		}
	}
	if (json_object_object_get_ex(root, "warnings", &warnings) &&
	    json_object_is_type(warnings, json_type_array) && json_object_array_length(warnings)) {
		fprintf(out, "warnings:\n");
		for (size_t i = 0; i < json_object_array_length(warnings); i++) {
			fputs("  ", out);
			print_value(json_object_array_get_idx(warnings, i), out);
			fputc('\n', out);
		}
	}
out:
	for (size_t i = 0; i < n && acts; i++) {
		free(acts[i].after);
		if (direct)
			free(direct[i]);
	}
	free(acts);
	free(direct);
	free(n_direct);
	free(reach);
	return r;
}

/* ---- self-test ---- */

static const char sample[] =
	"{\"actions\": ["
	" {\"id\": 4, \"op\": \"start\", \"resource\": \"vm3\", \"node\": \"n1\", \"after\": [1, 2],"
	"  \"reason\": \"recovering from n3\"},"
	" {\"id\": 1, \"op\": \"fence\", \"node\": \"n3\", \"after\": [],"
	"  \"reason\": \"peer is no longer part of the cluster\"},"
	" {\"id\": 2, \"op\": \"stop\", \"resource\": \"vm3\", \"node\": \"n3\", \"after\": [1]},"
	" {\"id\": 3, \"op\": \"migrate\", \"resource\": \"vm2\", \"from\": \"n1\", \"to\": \"n2\"}"
	"], \"placement\": {\"vm1\": \"n1\", \"vm2\": \"n2\", \"vm3\": \"n1\", \"vm4\": null,"
	" \"vm5\": [\"n1\", \"n2\"]},"
	" \"stopped_reasons\": {\"vm4\": \"no node has 8 cpu free\"}, \"blocked\": {},"
	" \"warnings\": [\"a warning\"]}";

static const char sample_expected[] =
	"actions:\n"
	"  fence n3\n"
	"      why: peer is no longer part of the cluster\n"
	"  stop vm3 on n3\n"
	"      after fence n3\n"
	"  migrate vm2 n1 -> n2\n"
	"  start vm3 on n1\n"
	"      after stop vm3 on n3\n"
	"      why: recovering from n3\n"
	"placement:\n"
	"  vm1 n1\n"
	"  vm2 n2\n"
	"  vm3 n1\n"
	"  vm4 stopped\n"
	"  vm5 n1 n2 (active on several nodes)\n"
	"stopped:\n"
	"  vm4: no node has 8 cpu free\n"
	"warnings:\n"
	"  a warning\n";

static int render_text(const char *json, char **ret_text)
{
	struct json_object *root = json_tokener_parse(json);
	char *text = NULL;
	size_t len = 0;

	if (!root)
		return -EINVAL;
	FILE *out = open_memstream(&text, &len);
	if (!out) {
		json_object_put(root);
		return -ENOMEM;
	}
	int r = render(root, out);
	fclose(out);
	json_object_put(root);
	if (r < 0) {
		free(text);
		return r;
	}
	*ret_text = text;
	return 0;
}

static int selftest(void)
{
	int failures = 0;
	char *text = NULL;

	if (render_text(sample, &text) < 0 || strcmp(text, sample_expected)) {
		fprintf(stderr, "FAIL: sample rendering:\n%s", text ? text : "(none)\n");
		failures++;
	}
	free(text);

	static const char *const bad[] = {
		"{\"placement\": {}}",
		"{\"actions\": [], \"placement\": []}",
		"{\"actions\": [{\"op\": \"fence\", \"node\": \"n1\"}], \"placement\": {}}",
		"{\"actions\": [{\"id\": 1, \"op\": \"start\", \"node\": \"n1\"}], \"placement\": {}}",
		"{\"actions\": [{\"id\": 1, \"op\": \"fence\", \"node\": \"n1\"},"
		" {\"id\": 1, \"op\": \"fence\", \"node\": \"n2\"}], \"placement\": {}}",
		"{\"actions\": [{\"id\": 1, \"op\": \"fence\", \"node\": \"n1\", \"after\": [7]}],"
		" \"placement\": {}}",
		"{\"actions\": [{\"id\": 1, \"op\": \"fence\", \"node\": \"n1\", \"after\": [2]},"
		" {\"id\": 2, \"op\": \"fence\", \"node\": \"n2\", \"after\": [1]}], \"placement\": {}}",
		NULL,
	};
	for (size_t i = 0; bad[i]; i++) {
		text = NULL;
		if (render_text(bad[i], &text) == 0) {
			fprintf(stderr, "FAIL: accepted bad input %zu: %s\n", i, bad[i]);
			failures++;
		}
		free(text);
	}
	printf("golden_render self-test: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return selftest();
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: golden_render FILE.json\n");
		return 2;
	}
	struct json_object *root = json_object_from_file(argv[1]);
	if (!root) {
		fprintf(stderr, "golden_render: %s: not JSON (%s)\n", argv[1], json_util_get_last_err());
		return 2;
	}
	int r = render(root, stdout);
	json_object_put(root);
	return r < 0 ? 2 : 0;
}
