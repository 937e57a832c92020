/* outcome.c - reading and comparing scheduler outcomes (see outcome.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "outcome.h"

/* ---- small string helpers ---- */

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int strv_pushf(char ***v, size_t *n, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	int len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -EINVAL;
	return strv_push(v, n, buf);
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops duplicates. */
static void strv_uniq(char **v, size_t *n)
{
	if (*n == 0)
		return;
	qsort(v, *n, sizeof(*v), cmp_str);
	size_t w = 1;
	for (size_t r = 1; r < *n; r++) {
		if (!strcmp(v[r], v[w - 1]))
			free(v[r]);
		else
			v[w++] = v[r];
	}
	*n = w;
}

static ssize_t strv_find(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && !strcmp(v[i], s))
			return (ssize_t)i;
	return -1;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int place_add(struct outcome *o, const char *rsc, const char *where)
{
	struct outcome_place *np = realloc(o->place, (o->n_place + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	o->place = np;
	np[o->n_place].rsc = strdup(rsc);
	np[o->n_place].where = strdup(where);
	if (!np[o->n_place].rsc || !np[o->n_place].where) {
		free(np[o->n_place].rsc);
		free(np[o->n_place].where);
		return -ENOMEM;
	}
	o->n_place++;
	return 0;
}

static int cmp_place(const void *a, const void *b)
{
	return strcmp(((const struct outcome_place *)a)->rsc, ((const struct outcome_place *)b)->rsc);
}

void outcome_free(struct outcome *o)
{
	if (!o)
		return;
	strv_free(o->actions, o->n_actions);
	strv_free(o->fenced, o->n_fenced);
	strv_free(o->ignored, o->n_ignored);
	for (size_t i = 0; i < o->n_place; i++) {
		free(o->place[i].rsc);
		free(o->place[i].where);
	}
	free(o->place);
	memset(o, 0, sizeof(*o));
}

int outcome_canonicalize(struct outcome *o)
{
	int r;

	strv_uniq(o->actions, &o->n_actions);
	/* A stop and a start of the same resource on the same node is a restart,
	 * whoever spelled it which way ("Recover", "Restart", or two actions). */
	for (size_t i = 0; i < o->n_actions; i++) {
		char rsc[512], node[512], start[1100];

		if (!o->actions[i] || sscanf(o->actions[i], "stop %511s %511s", rsc, node) != 2)
			continue;
		snprintf(start, sizeof(start), "start %s %s", rsc, node);
		for (size_t j = 0; j < o->n_actions; j++) {
			if (!o->actions[j] || strcmp(o->actions[j], start))
				continue;
			free(o->actions[j]);
			o->actions[j] = NULL;
			free(o->actions[i]);
			if (asprintf(&o->actions[i], "restart %s %s", rsc, node) < 0) {
				o->actions[i] = NULL;
				return -ENOMEM;
			}
			break;
		}
	}
	/* Fencing a node stops everything on it: a stop there is implied, whether
	 * a scheduler lists it (Pacemaker's pseudo-stop) or not. */
	for (size_t i = 0; i < o->n_actions; i++) {
		char rsc[512], node[512], fence[600];

		if (!o->actions[i] || sscanf(o->actions[i], "stop %511s %511s", rsc, node) != 2)
			continue;
		snprintf(fence, sizeof(fence), "fence %s", node);
		if (strv_find(o->actions, o->n_actions, fence) >= 0) {
			free(o->actions[i]);
			o->actions[i] = NULL;
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < o->n_actions; i++)
		if (o->actions[i])
			o->actions[w++] = o->actions[i];
	o->n_actions = w;
	strv_uniq(o->actions, &o->n_actions);
	if (o->n_place)
		qsort(o->place, o->n_place, sizeof(*o->place), cmp_place);

	strv_free(o->fenced, o->n_fenced);
	o->fenced = NULL;
	o->n_fenced = 0;
	for (size_t i = 0; i < o->n_actions; i++)
		if (!strncmp(o->actions[i], "fence ", 6) &&
		    (r = strv_push(&o->fenced, &o->n_fenced, o->actions[i] + 6)) < 0)
			return r;
	strv_uniq(o->fenced, &o->n_fenced);
	return 0;
}

const char *outcome_where(const struct outcome *o, const char *rsc)
{
	for (size_t i = 0; i < o->n_place; i++)
		if (!strcmp(o->place[i].rsc, rsc))
			return o->place[i].where;
	return NULL;
}

/* ---- crm_simulate text summary ---- */

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* One "  * Verb ..." line of the Transition Summary.  Only migrations are
 * taken from it (with their source and target); every other action comes from
 * the executed list (summary_executed()), which is complete where the summary
 * is not: a resource active on two nodes shows as one "Restart" in the summary
 * but is stopped on both.  The other lines are still read, so that a verb we do
 * not know is an error rather than something silently skipped. */
static int summary_action(struct outcome *o, char ***migrating, size_t *n_migrating, char *line,
			  char *err, size_t errlen)
{
	char verb[64], rsc[512], a[512], b[512];
	char *body = trim(line);

	if (strncmp(body, "* ", 2))
		return fail(err, errlen, "unexpected transition line: %s", body);
	body = trim(body + 2);

	if (sscanf(body, "%63s", verb) != 1)
		return fail(err, errlen, "empty transition line");

	if (!strcmp(verb, "Fence")) {
		char kind[64], node[512];
		if (sscanf(body, "Fence %63s %511s", kind, node) != 2)
			return fail(err, errlen, "bad fence line: %s", body);
		/* Unfencing ("on") powers a node's fabric access back on: not a
		 * fence, and nothing Vigil schedules. */
		if (!strcmp(kind, "(on)"))
			return strv_push(&o->ignored, &o->n_ignored, body);
		return 0;       /* taken from the executed list */
	}

	/* "Verb RSC ( X )" or "Verb RSC ( X -> Y )", then an optional reason. */
	char *open = strchr(body, '('), *close = open ? strchr(open, ')') : NULL;
	if (!open || !close)
		return fail(err, errlen, "no ( node ) in transition line: %s", body);
	*close = '\0';
	char *tail = trim(close + 1);
	/* Pacemaker prints what it would do but cannot ("blocked"): not an action. */
	if (ends_with(tail, "blocked") || ends_with(tail, "(blocked)")) {
		*close = ')';
		return strv_push(&o->ignored, &o->n_ignored, body);
	}
	if (sscanf(body, "%63s %511s", verb, rsc) != 2)
		return fail(err, errlen, "bad transition line: %s", body);
	/* Inside the parentheses: "N" or "A -> B", each node possibly preceded
	 * by a role ("Promoted n1 -> Started n2"), which we do not compare. */
	char *tok[3];
	int n = 0;
	for (char *t = strtok(open + 1, " \t"); t; t = strtok(NULL, " \t")) {
		if (!strcmp(t, "Started") || !strcmp(t, "Stopped") || !strcmp(t, "Promoted") ||
		    !strcmp(t, "Unpromoted") || !strcmp(t, "Master") || !strcmp(t, "Slave"))
			continue;
		if (n == 3)
			return fail(err, errlen, "bad ( node ) in transition line for %s", rsc);
		tok[n++] = t;
	}
	bool moved = n == 3 && !strcmp(tok[1], "->");
	if (n != 1 && !moved)
		return fail(err, errlen, "bad ( node ) in transition line for %s", rsc);
	snprintf(a, sizeof(a), "%s", tok[0]);
	snprintf(b, sizeof(b), "%s", moved ? tok[2] : "");

	if (!strcmp(verb, "Migrate") && moved) {
		int r = strv_push(migrating, n_migrating, rsc);
		return r < 0 ? r : strv_pushf(&o->actions, &o->n_actions, "migrate %s %s %s", rsc, a, b);
	}
	if (((!strcmp(verb, "Start") || !strcmp(verb, "Stop") || !strcmp(verb, "Restart") ||
	      !strcmp(verb, "Reload")) && !moved) ||
	    ((!strcmp(verb, "Move") || !strcmp(verb, "Recover"))))
		return 0;       /* taken from the executed list */
	return fail(err, errlen, "unknown transition verb '%s' for %s", verb, rsc);
}

/* One "  * ..." line of "Executing Cluster Transition": resource actions and
 * fencing.  Probes, monitors, cancels, pseudo actions and cluster actions are
 * not decisions. */
static int summary_executed(struct outcome *exec, char *line, char *err, size_t errlen)
{
	char rsc[512], task[128], node[512], kind[64];
	char *body = trim(line);

	if (sscanf(body, "* Fencing %511s %63s", node, kind) == 2) {
		if (!strcmp(kind, "(on)"))
			return 0;       /* unfencing: see summary_action() */
		return strv_pushf(&exec->actions, &exec->n_actions, "fence %s", node);
	}
	if (sscanf(body, "* Resource action: %511s %127s on %511s", rsc, task, node) != 3)
		return 0;
	if (!strcmp(task, "start") || !strcmp(task, "stop"))
		return strv_pushf(&exec->actions, &exec->n_actions, "%s %s %s", task, rsc, node);
	if (!strcmp(task, "reload") || !strcmp(task, "reload-agent"))
		return strv_pushf(&exec->actions, &exec->n_actions, "reload %s %s", rsc, node);
	return 0;
}

/* One "    * RSC\t(agent):\t STATE" line of the revised status. */
static int summary_resource(struct outcome *o, char *line, char *err, size_t errlen)
{
	char *s = trim(line);
	if (strncmp(s, "* ", 2))
		return 0;
	s += 2;
	char *tab = strchr(s, '\t');
	if (!tab)
		return 0;       /* "No resources" and the like */
	*tab = '\0';
	const char *rsc = s;
	char *state = strstr(tab + 1, ":\t");
	if (!state)
		return fail(err, errlen, "no state for resource %s", rsc);
	state = trim(state + 2);

	char role[64];
	if (sscanf(state, "%63s", role) != 1)
		return fail(err, errlen, "empty state for resource %s", rsc);
	/* An orphan is in the status but not in the configuration. */
	if (!strcmp(role, "ORPHANED"))
		return 0;

	char where[1024] = "";
	char *bra = strchr(state, '[');
	if (bra) {
		char *ket = strchr(bra, ']');
		if (!ket)
			return fail(err, errlen, "unclosed [ for resource %s", rsc);
		*ket = '\0';
		char *names[64];
		size_t nn = 0;
		for (char *tok = strtok(bra + 1, " \t"); tok && nn < 64; tok = strtok(NULL, " \t"))
			names[nn++] = tok;
		qsort(names, nn, sizeof(*names), cmp_str);
		for (size_t i = 0; i < nn; i++) {
			if (i)
				strcat(where, " ");
			if (strlen(where) + strlen(names[i]) + 2 > sizeof(where))
				return fail(err, errlen, "too many nodes for %s", rsc);
			strcat(where, names[i]);
		}
	} else if (!strcmp(role, "Started") || !strcmp(role, "FAILED")) {
		char node[512];
		if (sscanf(state + strlen(role), "%511s", node) == 1 && node[0] != '(')
			snprintf(where, sizeof(where), "%s", node);
	} else if (strcmp(role, "Stopped")) {
		return fail(err, errlen, "unknown role '%s' for resource %s", role, rsc);
	}
	return place_add(o, rsc, where);
}

int outcome_from_summary(FILE *in, struct outcome *ret, char *err, size_t errlen)
{
	struct outcome o = { 0 }, exec = { 0 };
	enum { NONE, TRANSITION, EXECUTING, REVISED, REVISED_RESOURCES } sect = NONE;
	bool seen_transition = false, seen_revised = false, seen_executing = false;
	char **migrating = NULL;
	size_t n_migrating = 0;
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	while (getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "Transition Summary:")) {
			sect = TRANSITION;
			seen_transition = true;
			continue;
		}
		if (!strcmp(line, "Executing Cluster Transition:")) {
			sect = EXECUTING;
			seen_executing = true;
			continue;
		}
		if (!strcmp(line, "Revised Cluster Status:")) {
			sect = REVISED;
			seen_revised = true;
			continue;
		}
		if (line[0] != ' ' && line[0] != '\0') {
			/* A new top-level heading ends the section we were in. */
			if (sect != REVISED && sect != REVISED_RESOURCES)
				sect = NONE;
			else if (strncmp(line, "Using the original", 18))
				sect = NONE;
			continue;
		}
		switch (sect) {
		case TRANSITION:
			if (trim(line)[0] == '\0') {
				sect = NONE;
				break;
			}
			r = summary_action(&o, &migrating, &n_migrating, line, err, errlen);
			break;
		case EXECUTING:
			r = summary_executed(&exec, line, err, errlen);
			break;
		case REVISED:
			if (strstr(line, "* Full List of Resources:"))
				sect = REVISED_RESOURCES;
			break;
		case REVISED_RESOURCES:
			if (trim(line)[0] == '\0')
				sect = NONE;
			else
				r = summary_resource(&o, line, err, errlen);
			break;
		case NONE:
			break;
		}
		if (r < 0)
			goto out;
	}
	if (!seen_transition || !seen_executing || !seen_revised) {
		r = fail(err, errlen, "no %s section", !seen_transition ? "Transition Summary" :
			 !seen_executing ? "Executing Cluster Transition" : "Revised Cluster Status");
		goto out;
	}
	/* A migration shows as migrate_to, migrate_from and a stop of the source:
	 * the summary's "Migrate" line stands for all of them. */
	for (size_t i = 0; i < exec.n_actions; i++) {
		char task[64], rsc[512];
		if (sscanf(exec.actions[i], "%63s %511s", task, rsc) == 2 && strcmp(task, "fence") &&
		    strv_find(migrating, n_migrating, rsc) >= 0)
			continue;
		if ((r = strv_push(&o.actions, &o.n_actions, exec.actions[i])) < 0)
			goto out;
	}
	r = outcome_canonicalize(&o);
out:
	free(line);
	outcome_free(&exec);
	strv_free(migrating, n_migrating);
	if (r < 0) {
		outcome_free(&o);
		return r;
	}
	*ret = o;
	return 0;
}

/* ---- vigil simulate --output-as json ---- */

static const char *jstr(struct json_object *obj, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int json_action(struct outcome *o, struct json_object *a, size_t idx, char *err,
		       size_t errlen)
{
	const char *op = jstr(a, "op"), *rsc = jstr(a, "resource"), *node = jstr(a, "node");
	const char *from = jstr(a, "from"), *to = jstr(a, "to");

	if (!op)
		return fail(err, errlen, "action %zu has no \"op\" string", idx);
	if (!strcmp(op, "fence")) {
		if (!node)
			return fail(err, errlen, "fence action %zu has no \"node\"", idx);
		return strv_pushf(&o->actions, &o->n_actions, "fence %s", node);
	}
	if (!rsc)
		return fail(err, errlen, "%s action %zu has no \"resource\"", op, idx);
	if (!strcmp(op, "migrate")) {
		if (!from || !to)
			return fail(err, errlen, "migrate action %zu needs \"from\" and \"to\"", idx);
		return strv_pushf(&o->actions, &o->n_actions, "migrate %s %s %s", rsc, from, to);
	}
	if (!node)
		return fail(err, errlen, "%s action %zu has no \"node\"", op, idx);
	if (strcmp(op, "start") && strcmp(op, "stop") && strcmp(op, "restart"))
		/* Kept, so that an unexpected kind of action shows as a difference. */
		return strv_pushf(&o->actions, &o->n_actions, "other:%s %s %s", op, rsc, node);
	return strv_pushf(&o->actions, &o->n_actions, "%s %s %s", op, rsc, node);
}

static int json_where(struct json_object *v, char *where, size_t len)
{
	where[0] = '\0';
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		snprintf(where, len, "%s", json_object_get_string(v));
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return -EINVAL;
	size_t n = json_object_array_length(v);
	const char *names[64];
	if (n > 64)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return -EINVAL;
		names[i] = json_object_get_string(e);
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(where);
		snprintf(where + used, len - used, "%s%s", i ? " " : "", names[i]);
	}
	return 0;
}

static int from_json(struct json_object *root, const char *name, struct outcome *ret, char *err,
		     size_t errlen)
{
	struct outcome o = { 0 };
	struct json_object *actions, *placement;
	int r = 0;

	if (!json_object_object_get_ex(root, "actions", &actions) ||
	    !json_object_is_type(actions, json_type_array)) {
		r = fail(err, errlen, "%s: no \"actions\" array", name);
		goto out;
	}
	if (!json_object_object_get_ex(root, "placement", &placement) ||
	    !json_object_is_type(placement, json_type_object)) {
		r = fail(err, errlen, "%s: no \"placement\" object", name);
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(actions); i++) {
		struct json_object *a = json_object_array_get_idx(actions, i);
		if (!json_object_is_type(a, json_type_object)) {
			r = fail(err, errlen, "%s: action %zu is not an object", name, i);
			goto out;
		}
		if ((r = json_action(&o, a, i, err, errlen)) < 0)
			goto out;
	}
	json_object_object_foreach(placement, key, val) {
		char where[1024];
		if (json_where(val, where, sizeof(where)) < 0) {
			r = fail(err, errlen, "%s: placement of %s is not a node, null or a list", name, key);
			goto out;
		}
		if ((r = place_add(&o, key, where)) < 0)
			goto out;
	}
	r = outcome_canonicalize(&o);
out:
	if (r < 0) {
		outcome_free(&o);
		return r;
	}
	*ret = o;
	return 0;
}

int outcome_from_vigil_json(const char *path, struct outcome *ret, char *err, size_t errlen)
{
	struct json_object *root = json_object_from_file(path);

	if (!root)
		return fail(err, errlen, "%s: not JSON (%s)", path, json_util_get_last_err());
	int r = from_json(root, path, ret, err, errlen);
	json_object_put(root);
	return r;
}

int outcome_from_vigil_json_text(const char *text, struct outcome *ret, char *err, size_t errlen)
{
	struct json_object *root = json_tokener_parse(text);

	if (!root)
		return fail(err, errlen, "not JSON");
	int r = from_json(root, "(text)", ret, err, errlen);
	json_object_put(root);
	return r;
}

/* ---- comparing and printing ---- */

bool outcome_compare(const struct outcome *a, const struct outcome *b, const char *name_a,
		     const char *name_b, FILE *out)
{
	bool same = true;

	for (size_t i = 0; i < a->n_actions; i++)
		if (strv_find(b->actions, b->n_actions, a->actions[i]) < 0) {
			same = false;
			if (out)
				fprintf(out, "  only %s: %s\n", name_a, a->actions[i]);
		}
	for (size_t i = 0; i < b->n_actions; i++)
		if (strv_find(a->actions, a->n_actions, b->actions[i]) < 0) {
			same = false;
			if (out)
				fprintf(out, "  only %s: %s\n", name_b, b->actions[i]);
		}
	for (size_t i = 0; i < a->n_place; i++) {
		const char *wb = outcome_where(b, a->place[i].rsc);
		if (wb && !strcmp(wb, a->place[i].where))
			continue;
		same = false;
		if (out)
			fprintf(out, "  placement %s: %s %s, %s %s\n", a->place[i].rsc, name_a,
				a->place[i].where[0] ? a->place[i].where : "stopped", name_b,
				!wb ? "(absent)" : wb[0] ? wb : "stopped");
	}
	for (size_t i = 0; i < b->n_place; i++)
		if (!outcome_where(a, b->place[i].rsc)) {
			same = false;
			if (out)
				fprintf(out, "  placement %s: %s (absent), %s %s\n", b->place[i].rsc,
					name_a, name_b,
					b->place[i].where[0] ? b->place[i].where : "stopped");
		}
	return same;
}

void outcome_print(const struct outcome *o, FILE *out)
{
	for (size_t i = 0; i < o->n_actions; i++)
		fprintf(out, "action: %s\n", o->actions[i]);
	for (size_t i = 0; i < o->n_place; i++)
		fprintf(out, "placement: %s %s\n", o->place[i].rsc,
			o->place[i].where[0] ? o->place[i].where : "-");
}
