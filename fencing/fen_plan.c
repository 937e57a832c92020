/* fen_plan.c - see fen_plan.h.  Pure: no I/O, clock, randomness or globals. */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fen_int.h"
#include "fen_plan.h"

static const char *const check_names[] = {
	[FEN_CHECK_STATIC_LIST] = "static-list",
	[FEN_CHECK_DYNAMIC_LIST] = "dynamic-list",
	[FEN_CHECK_STATUS] = "status",
	[FEN_CHECK_NONE] = "none",
};

const char *fen_check_name(enum fen_check check)
{
	if ((size_t)check < sizeof(check_names) / sizeof(check_names[0]))
		return check_names[check];
	return "?";
}

int fen_cluster_opts_read(const struct vg_cib *cib, struct fen_cluster_opts *ret_opts,
			  struct vg_diags *diags)
{
	struct fen_cluster_opts o = {
		.enabled = true,
		.action = "reboot",
		.timeout_ms = FEN_DEFAULT_TIMEOUT_MS,
		.max_attempts = FEN_DEFAULT_MAX_ATTEMPTS,
		.priority_delay_ms = 0,
	};
	const struct vg_nvsets *cfg = &cib->crm_config;
	const char *where = "crm_config";
	int r = 0;
	const char *v;

	if ((v = fen_nvsets_get(cfg, "stonith-enabled")) && fen_bool(v, &o.enabled) < 0) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, where, "stonith-enabled '%s' is not a boolean", v);
		o.enabled = true;
		r = -EINVAL;
	}
	if ((v = fen_nvsets_get(cfg, "stonith-action"))) {
		/* "poweroff" is Pacemaker's old spelling of "off". */
		if (strcmp(v, "reboot") == 0)
			o.action = "reboot";
		else if (strcmp(v, "off") == 0 || strcmp(v, "poweroff") == 0)
			o.action = "off";
		else {
			vg_diags_add(diags, VG_DIAG_ERROR, 0, where,
				     "stonith-action '%s' is neither reboot nor off", v);
			r = -EINVAL;
		}
	}
	if ((v = fen_nvsets_get(cfg, "stonith-timeout"))) {
		uint64_t ms;
		if (fen_duration_ms(v, &ms) < 0 || ms == 0) {
			vg_diags_add(diags, VG_DIAG_ERROR, 0, where,
				     "stonith-timeout '%s' is not a positive duration", v);
			r = -EINVAL;
		} else
			o.timeout_ms = ms;
	}
	if ((v = fen_nvsets_get(cfg, "stonith-max-attempts"))) {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || *end || end == v || n < 1 || n > 1000000) {
			vg_diags_add(diags, VG_DIAG_ERROR, 0, where,
				     "stonith-max-attempts '%s' is not a positive integer", v);
			r = -EINVAL;
		} else
			o.max_attempts = (unsigned)n;
	}
	if ((v = fen_nvsets_get(cfg, "priority-fencing-delay"))) {
		uint64_t ms;
		if (fen_duration_ms(v, &ms) < 0) {
			vg_diags_add(diags, VG_DIAG_ERROR, 0, where,
				     "priority-fencing-delay '%s' is not a duration", v);
			r = -EINVAL;
		} else
			o.priority_delay_ms = ms;
	}
	*ret_opts = o;
	return r;
}

/* ---- host lists and maps ----
 *
 * Host names compare without regard to case, as in Pacemaker's fencer (and
 * DNS): a list written "Node1" fences the member "node1".
 */

static bool is_list_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ';';
}

static bool host_list_has(const char *list, const char *target)
{
	size_t tlen = strlen(target);
	const char *p = list;
	while (*p) {
		while (*p && is_list_sep(*p))
			p++;
		const char *start = p;
		while (*p && !is_list_sep(*p))
			p++;
		if ((size_t)(p - start) == tlen && tlen > 0 && strncasecmp(start, target, tlen) == 0)
			return true;
	}
	return false;
}

/* Walks a pcmk_host_map: calls @fn for each (name, port) pair, unescaped.  The
 * walk stops when @fn returns non-zero, which is returned.  -ENOMEM possible. */
static int host_map_walk(const char *map, int (*fn)(const char *name, const char *port, void *data),
			 void *data)
{
	size_t cap = strlen(map) + 1;
	char *name = malloc(cap), *port = malloc(cap);
	int r = 0;
	if (!name || !port) {
		r = -ENOMEM;
		goto out_free;
	}
	size_t nlen = 0, plen = 0;
	bool in_port = false;
	for (const char *p = map;; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			c = *++p;
		} else if (c == ':' || c == '=') {
			if (!in_port) {
				in_port = true;
				continue;
			}
		} else if (c == '\0' || c == ';' || c == ' ' || c == '\t' || c == '\n') {
			if (nlen > 0 && in_port) {
				name[nlen] = '\0';
				port[plen] = '\0';
				r = fn(name, port, data);
				if (r != 0)
					goto out_free;
			}
			nlen = plen = 0;
			in_port = false;
			if (c == '\0')
				break;
			continue;
		}
		if (in_port)
			port[plen++] = c;
		else
			name[nlen++] = c;
	}
out_free:
	free(name);
	free(port);
	return r;
}

struct map_find {
	const char *target;
	char *port;
};

static int map_find_fn(const char *name, const char *port, void *data)
{
	struct map_find *f = data;
	if (strcasecmp(name, f->target) != 0)
		return 0;
	f->port = strdup(port);
	return f->port ? 1 : -ENOMEM;
}

int fen_host_map_lookup(const char *map, const char *target, char **ret_port)
{
	struct map_find f = { .target = target };
	int r = host_map_walk(map, map_find_fn, &f);
	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	*ret_port = f.port;
	return 0;
}

bool fen_device_lists_target(const struct vg_resource *dev, const char *target)
{
	const char *list = fen_nvsets_get(&dev->instance, "pcmk_host_list");
	const char *map = fen_nvsets_get(&dev->instance, "pcmk_host_map");
	if (list && host_list_has(list, target))
		return true;
	if (map) {
		char *port = NULL;
		if (fen_host_map_lookup(map, target, &port) == 0) {
			free(port);
			return true;
		}
	}
	return false;
}

bool fen_list_output_has(const char *out, const char *port, const char *target)
{
	const char *p = out;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		/* Fields of "plug,alias"; trailing '\r' and blanks are not part of names. */
		const char *f = p, *end = p + len;
		while (f < end) {
			const char *comma = memchr(f, ',', (size_t)(end - f));
			const char *fend = comma ? comma : end;
			const char *a = f, *b = fend;
			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
				b--;
			size_t flen = (size_t)(b - a);
			if (flen > 0 && ((port && strlen(port) == flen && !strncasecmp(a, port, flen)) ||
					 (target && strlen(target) == flen && !strncasecmp(a, target, flen))))
				return true;
			f = comma ? comma + 1 : end;
		}
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

uint64_t fen_delay_pick_ms(uint64_t base_ms, uint64_t max_ms, uint64_t random)
{
	if (max_ms > base_ms)
		return base_ms + random % (max_ms - base_ms);
	return base_ms;
}

uint64_t fen_priority_delay_ms(const struct fen_prio_node *nodes, size_t n_nodes,
			       const struct fen_prio_rsc *rscs, size_t n_rscs,
			       const char *target, uint64_t delay_ms)
{
	if (delay_ms == 0 || !target)
		return 0;
	const struct fen_prio_node *t = NULL;
	for (size_t i = 0; i < n_nodes; i++)
		if (nodes[i].name && strcmp(nodes[i].name, target) == 0)
			t = &nodes[i];
	/* Remote/guest nodes and nodes in our own partition get no delay: the
	 * delay only decides races between the halves of a split cluster. */
	if (!t || !t->member || t->online)
		return 0;

	size_t members = 0, online = 0;
	long long top = 0, lowest = 0, target_prio = 0;
	for (size_t i = 0; i < n_nodes; i++) {
		if (!nodes[i].member)
			continue;
		long long prio = 0;
		for (size_t j = 0; j < n_rscs; j++)
			if (rscs[j].node && nodes[i].name && strcmp(rscs[j].node, nodes[i].name) == 0)
				prio += rscs[j].priority;
		members++;
		if (nodes[i].online)
			online++;
		if (members == 1 || prio > top)
			top = prio;
		if (members == 1 || prio < lowest)
			lowest = prio;
		if (&nodes[i] == t)
			target_prio = prio;
	}
	if (online > members / 2)   /* we have the majority: no race to win */
		return 0;
	if (lowest == top)          /* all equal: pcmk_delay_* decide alone */
		return 0;
	if (target_prio < top)
		return 0;
	return delay_ms;
}

/* ---- plan building ---- */

static void device_clear(struct fen_device *d)
{
	free(d->id);
	free(d->agent);
	free(d->action);
	free(d->host_arg);
	free(d->port);
	free(d->on_action);
	for (size_t i = 0; i < d->n_params; i++) {
		free(d->params[i].name);
		free(d->params[i].value);
	}
	free(d->params);
	*d = (struct fen_device){ 0 };
}

static void level_clear(struct fen_level *l)
{
	for (size_t i = 0; i < l->n_devices; i++)
		device_clear(&l->devices[i]);
	free(l->devices);
	free(l->id);
	*l = (struct fen_level){ 0 };
}

void fen_plan_free(struct fen_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_levels; i++)
		level_clear(&plan->levels[i]);
	free(plan->levels);
	free(plan->target);
	free(plan->action);
	free(plan);
}

static char *where_of(const char *kind, const char *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s[@id='%s']", kind, id ? id : "");
	return buf;
}

/* A delay attribute is either a duration or, since Pacemaker 2.1, a map
 * "node:duration;node2:duration" giving each target its own. */
static int delay_for_target(const char *v, const char *target, uint64_t *ret_ms)
{
	if (!strchr(v, ':') && !strchr(v, '='))
		return fen_duration_ms(v, ret_ms);
	char *s = NULL;
	int r = fen_host_map_lookup(v, target, &s);
	if (r == -ENOENT) {
		*ret_ms = 0;
		return 0;
	}
	if (r < 0)
		return r;
	r = fen_duration_ms(s, ret_ms);
	free(s);
	return r;
}

static const struct vg_resource *find_stonith(const struct vg_cib *cib, const char *id)
{
	for (size_t i = 0; i < cib->n_resources; i++) {
		const struct vg_resource *res = &cib->resources[i];
		if (res->id && strcmp(res->id, id) == 0 && res->cls && strcmp(res->cls, "stonith") == 0)
			return res;
	}
	return NULL;
}

static bool device_disabled(const struct vg_resource *res)
{
	const char *role = fen_nvsets_get(&res->meta, "target-role");
	return role && strcasecmp(role, "Stopped") == 0;
}

/*
 * Fills @d for running @action against @target with @res.  Sets *capable to
 * false when the device statically cannot fence the target.  0, -EINVAL (a
 * bad attribute, with a diagnostic) or -ENOMEM.
 */
static int device_make(const struct vg_resource *res, const char *target, const char *action,
		       const struct fen_cluster_opts *opts, struct fen_device *d, bool *capable,
		       struct vg_diags *diags)
{
	char wbuf[256];
	const char *where = where_of("primitive", res->id, wbuf, sizeof(wbuf));
	const struct vg_nvsets *ia = &res->instance;
	const char *list = fen_nvsets_get(ia, "pcmk_host_list");
	const char *map = fen_nvsets_get(ia, "pcmk_host_map");
	const char *check = fen_nvsets_get(ia, "pcmk_host_check");
	bool ok = true;
	int r;

	*d = (struct fen_device){ 0 };
	*capable = true;

	if (!res->type || !*res->type || strchr(res->type, '/') || res->type[0] == '.') {
		vg_diags_add(diags, VG_DIAG_ERROR, res->line, where,
			     "fence agent name '%s' is not a program name", res->type ? res->type : "");
		return -EINVAL;
	}

	if (!check) {
		d->check = (list || map) ? FEN_CHECK_STATIC_LIST : FEN_CHECK_DYNAMIC_LIST;
		d->check_defaulted = !(list || map);
	} else if (strcmp(check, "static-list") == 0) {
		d->check = FEN_CHECK_STATIC_LIST;
	} else if (strcmp(check, "dynamic-list") == 0) {
		d->check = FEN_CHECK_DYNAMIC_LIST;
	} else if (strcmp(check, "status") == 0) {
		d->check = FEN_CHECK_STATUS;
	} else if (strcmp(check, "none") == 0) {
		d->check = FEN_CHECK_NONE;
	} else {
		vg_diags_add(diags, VG_DIAG_ERROR, res->line, where,
			     "pcmk_host_check '%s' is not static-list, dynamic-list, status or none",
			     check);
		return -EINVAL;
	}
	if (d->check == FEN_CHECK_STATIC_LIST)
		*capable = fen_device_lists_target(res, target);

	const char *host_arg = fen_nvsets_get(ia, "pcmk_host_argument");
	if (!host_arg)
		host_arg = "port";
	if (strcmp(host_arg, "none") != 0 && !(d->host_arg = strdup(host_arg)))
		goto nomem;

	/* The port: one the device sets explicitly (a device wired to a single
	 * outlet; Pacemaker does not overwrite it, "dynamic" aside), else the
	 * mapped name if the map has the target, else the node's name. */
	const char *fixed = d->host_arg ? fen_nvsets_get(ia, d->host_arg) : NULL;
	if (fixed && strcmp(fixed, "dynamic") != 0 && !(d->port = strdup(fixed)))
		goto nomem;
	if (!d->port && map) {
		r = fen_host_map_lookup(map, target, &d->port);
		if (r < 0 && r != -ENOENT)
			goto fail;
	}
	if (!d->port && !(d->port = strdup(target)))
		goto nomem;

	/* pcmk_<action>_action renames the action for agents that call it otherwise. */
	char key[64];
	snprintf(key, sizeof(key), "pcmk_%s_action", action);
	const char *agent_action = fen_nvsets_get(ia, key);
	if (!(d->action = strdup(agent_action ? agent_action : action)))
		goto nomem;

	d->timeout_ms = opts->timeout_ms;
	snprintf(key, sizeof(key), "pcmk_%s_timeout", action);
	const char *v = fen_nvsets_get(ia, key);
	if (v && (fen_duration_ms(v, &d->timeout_ms) < 0 || d->timeout_ms == 0)) {
		vg_diags_add(diags, VG_DIAG_ERROR, res->line, where,
			     "%s '%s' is not a positive duration", key, v);
		r = -EINVAL;
		goto fail;
	}
	if ((v = fen_nvsets_get(ia, "pcmk_delay_base")) &&
	    delay_for_target(v, target, &d->delay_base_ms) < 0) {
		vg_diags_add(diags, VG_DIAG_ERROR, res->line, where,
			     "pcmk_delay_base '%s' is neither a duration nor a node:duration map", v);
		r = -EINVAL;
		goto fail;
	}
	if ((v = fen_nvsets_get(ia, "pcmk_delay_max")) && fen_duration_ms(v, &d->delay_max_ms) < 0) {
		vg_diags_add(diags, VG_DIAG_ERROR, res->line, where,
			     "pcmk_delay_max '%s' is not a duration", v);
		r = -EINVAL;
		goto fail;
	}
	if ((v = fen_nvsets_get(&res->meta, "priority"))) {
		vg_score_t score = 0;
		char *end;
		long n = strtol(v, &end, 10);
		if (*end || end == v) {
			vg_diags_add(diags, VG_DIAG_WARNING, res->line, where,
				     "priority '%s' is not an integer; using 0", v);
			n = 0;
		}
		score = n > VG_SCORE_INFINITY ? VG_SCORE_INFINITY :
			n < -VG_SCORE_INFINITY ? -VG_SCORE_INFINITY : (vg_score_t)n;
		d->priority = score;
	}

	/* Parameters for the agent: the instance attributes it understands.  The
	 * pcmk_* ones are ours; the first set that names a parameter wins. */
	size_t total = 0;
	for (size_t i = 0; i < ia->n; i++)
		total += ia->v[i].n_pairs;
	if (total && !(d->params = calloc(total, sizeof(*d->params))))
		goto nomem;
	for (size_t i = 0; i < ia->n; i++) {
		for (size_t j = 0; j < ia->v[i].n_pairs; j++) {
			const struct vg_nvpair *p = &ia->v[i].pairs[j];
			if (!p->name || !p->value || strncmp(p->name, "pcmk_", 5) == 0)
				continue;
			if (fen_nvsets_get(ia, p->name) != p->value)
				continue;   /* shadowed by an earlier set */
			d->params[d->n_params].name = fen_strdup_null(p->name, &ok);
			d->params[d->n_params].value = fen_strdup_null(p->value, &ok);
			d->n_params++;
			if (!ok)
				goto nomem;
		}
	}

	if (!(d->id = strdup(res->id ? res->id : "")) || !(d->agent = strdup(res->type)))
		goto nomem;
	return 0;

nomem:
	r = -ENOMEM;
fail:
	device_clear(d);
	*d = (struct fen_device){ 0 };
	return r;
}

static int level_push_device(struct fen_level *l, struct fen_device *d)
{
	struct fen_device *grown = realloc(l->devices, (l->n_devices + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	l->devices = grown;
	l->devices[l->n_devices++] = *d;
	*d = (struct fen_device){ 0 };
	return 0;
}

static int plan_push_level(struct fen_plan *p, struct fen_level *l)
{
	struct fen_level *grown = realloc(p->levels, (p->n_levels + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->levels = grown;
	p->levels[p->n_levels++] = *l;
	*l = (struct fen_level){ 0 };
	return 0;
}

/* The value of node attribute @name for node @uname: configured attributes
 * first, then the transient ones in the status section. */
static const char *node_attr(const struct vg_cib *cib, const char *uname, const char *name)
{
	for (size_t i = 0; i < cib->n_nodes; i++) {
		if (cib->nodes[i].uname && strcmp(cib->nodes[i].uname, uname) == 0) {
			const char *v = fen_nvsets_get(&cib->nodes[i].attrs, name);
			if (v)
				return v;
		}
	}
	for (size_t i = 0; i < cib->n_node_states; i++) {
		if (cib->node_states[i].uname && strcmp(cib->node_states[i].uname, uname) == 0) {
			const char *v = fen_nvsets_get(&cib->node_states[i].transient, name);
			if (v)
				return v;
		}
	}
	return NULL;
}

enum spec_kind { SPEC_TARGET, SPEC_PATTERN, SPEC_ATTRIBUTE, SPEC_NONE };

static enum spec_kind spec_of(const struct vg_fencing_level *l)
{
	if (l->target)
		return SPEC_TARGET;
	if (l->target_pattern)
		return SPEC_PATTERN;
	if (l->target_attribute)
		return SPEC_ATTRIBUTE;
	return SPEC_NONE;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_spec(const struct vg_fencing_level *a, const struct vg_fencing_level *b)
{
	return spec_of(a) == spec_of(b) && str_eq(a->target, b->target) &&
	       str_eq(a->target_pattern, b->target_pattern) &&
	       str_eq(a->target_attribute, b->target_attribute) &&
	       str_eq(a->target_value, b->target_value);
}

static bool level_matches(const struct vg_cib *cib, const struct vg_fencing_level *l,
			  const char *target, struct vg_diags *diags)
{
	char wbuf[256];
	switch (spec_of(l)) {
	case SPEC_TARGET:
		return strcmp(l->target, target) == 0;
	case SPEC_PATTERN: {
		regex_t re;
		if (regcomp(&re, l->target_pattern, REG_EXTENDED | REG_NOSUB) != 0) {
			vg_diags_add(diags, VG_DIAG_ERROR, l->line,
				     where_of("fencing-level", l->id, wbuf, sizeof(wbuf)),
				     "target-pattern '%s' is not a valid regular expression",
				     l->target_pattern);
			return false;
		}
		bool m = regexec(&re, target, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
	case SPEC_ATTRIBUTE: {
		const char *v = node_attr(cib, target, l->target_attribute);
		return v && l->target_value && strcmp(v, l->target_value) == 0;
	}
	case SPEC_NONE:
		break;
	}
	return false;
}

/* How many device ids a fencing-level's devices attribute names. */
static size_t count_ids(const char *p)
{
	size_t n = 0;
	while (p && *p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		size_t len = strcspn(p, ", \t");
		if (len)
			n++;
		p += len;
	}
	return n;
}

static int cmp_level_index(const void *a, const void *b)
{
	const struct vg_fencing_level *x = *(const struct vg_fencing_level *const *)a;
	const struct vg_fencing_level *y = *(const struct vg_fencing_level *const *)b;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x < y ? -1 : x > y;   /* stable: document order */
}

/* Builds the levels of the topology that applies to @target into @plan.
 * Returns 1 when a topology applies, 0 when none does, or -ENOMEM. */
static int plan_topology(const struct vg_cib *cib, const char *target, const char *action,
			 const struct fen_cluster_opts *opts, struct fen_plan *plan,
			 struct vg_diags *diags)
{
	const struct vg_fencing_level *chosen = NULL;
	char wbuf[256];
	int r = 0;

	for (size_t i = 0; i < cib->n_fencing_levels && !chosen; i++) {
		const struct vg_fencing_level *l = &cib->fencing_levels[i];
		if (spec_of(l) == SPEC_TARGET && strcmp(l->target, target) == 0)
			chosen = l;
	}
	for (size_t i = 0; i < cib->n_fencing_levels && !chosen; i++) {
		const struct vg_fencing_level *l = &cib->fencing_levels[i];
		if (spec_of(l) != SPEC_TARGET && level_matches(cib, l, target, diags))
			chosen = l;
	}
	if (!chosen)
		return 0;

	size_t n = 0;
	const struct vg_fencing_level **levels = calloc(cib->n_fencing_levels, sizeof(*levels));
	if (!levels)
		return -ENOMEM;
	for (size_t i = 0; i < cib->n_fencing_levels; i++)
		if (same_spec(&cib->fencing_levels[i], chosen))
			levels[n++] = &cib->fencing_levels[i];
	qsort(levels, n, sizeof(*levels), cmp_level_index);

	struct fen_level lvl = { 0 };
	struct fen_device dev = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct vg_fencing_level *l = levels[i];
		const char *where = where_of("fencing-level", l->id, wbuf, sizeof(wbuf));
		if (i > 0 && levels[i - 1]->index == l->index) {
			vg_diags_add(diags, VG_DIAG_WARNING, l->line, where,
				     "index %d is used twice for this target; this level is ignored",
				     l->index);
			continue;
		}
		/* A reboot through several devices (the two supplies of one server)
		 * must have them all off at once: rebooting one after the other
		 * never cuts the power.  So, like Pacemaker: all off, then all on. */
		bool remap = strcmp(action, "reboot") == 0 && count_ids(l->devices) > 1;
		lvl = (struct fen_level){ .index = l->index, .remapped_reboot = remap };
		bool usable = true;
		const char *p = l->devices ? l->devices : "";
		while (*p && usable) {
			while (*p == ',' || *p == ' ' || *p == '\t')
				p++;
			size_t len = strcspn(p, ", \t");
			if (len == 0)
				break;
			char *id = strndup(p, len);
			if (!id) {
				r = -ENOMEM;
				goto out_free;
			}
			p += len;
			const struct vg_resource *res = find_stonith(cib, id);
			bool capable = false;
			if (!res) {
				vg_diags_add(diags, VG_DIAG_ERROR, l->line, where,
					     "device '%s' is not a stonith primitive; level %d is skipped",
					     id, l->index);
				usable = false;
			} else if (device_disabled(res)) {
				vg_diags_add(diags, VG_DIAG_WARNING, l->line, where,
					     "device '%s' is disabled (target-role=Stopped); level %d is skipped",
					     id, l->index);
				usable = false;
			} else {
				r = device_make(res, target, remap ? "off" : action, opts, &dev,
						&capable, diags);
				if (r == 0 && remap) {
					const char *on = fen_nvsets_get(&res->instance, "pcmk_on_action");
					if (!(dev.on_action = strdup(on ? on : "on")))
						r = -ENOMEM;
				}
				if (r == -ENOMEM) {
					free(id);
					goto out_free;
				}
				if (r < 0 || !capable) {
					if (r == 0)
						vg_diags_add(diags, VG_DIAG_WARNING, l->line, where,
							     "device '%s' cannot fence '%s' (not in its host list or map); level %d is skipped",
							     id, target, l->index);
					device_clear(&dev);
					usable = false;
				} else if ((r = level_push_device(&lvl, &dev)) < 0) {
					free(id);
					goto out_free;
				}
			}
			free(id);
			r = 0;
		}
		if (usable && lvl.n_devices == 0) {
			vg_diags_add(diags, VG_DIAG_ERROR, l->line, where, "level %d names no device",
				     l->index);
			usable = false;
		}
		if (!usable) {
			level_clear(&lvl);
			lvl = (struct fen_level){ 0 };
			continue;
		}
		if (l->id && !(lvl.id = strdup(l->id))) {
			r = -ENOMEM;
			goto out_free;
		}
		if ((r = plan_push_level(plan, &lvl)) < 0)
			goto out_free;
	}
	r = 1;
out_free:
	device_clear(&dev);
	level_clear(&lvl);
	free(levels);
	return r;
}

static int cmp_device_priority(const void *a, const void *b)
{
	const struct fen_level *x = a, *y = b;
	int px = x->devices[0].priority, py = y->devices[0].priority;
	if (px != py)
		return px > py ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;   /* document order */
}

static int plan_devices(const struct vg_cib *cib, const char *target, const char *action,
			const struct fen_cluster_opts *opts, struct fen_plan *plan,
			struct vg_diags *diags)
{
	struct fen_device dev = { 0 };
	for (size_t i = 0; i < cib->n_resources; i++) {
		const struct vg_resource *res = &cib->resources[i];
		if (!res->cls || strcmp(res->cls, "stonith") != 0 || device_disabled(res))
			continue;
		bool capable;
		int r = device_make(res, target, action, opts, &dev, &capable, diags);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;
		if (!capable) {
			device_clear(&dev);
			continue;
		}
		/* The index holds the document position until sorted, then is 0. */
		struct fen_level lvl = { .index = (int)i };
		if ((r = level_push_device(&lvl, &dev)) < 0 || (r = plan_push_level(plan, &lvl)) < 0) {
			device_clear(&dev);
			level_clear(&lvl);
			return r;
		}
	}
	if (plan->n_levels > 1)
		qsort(plan->levels, plan->n_levels, sizeof(*plan->levels), cmp_device_priority);
	for (size_t i = 0; i < plan->n_levels; i++)
		plan->levels[i].index = 0;
	return 0;
}

int fen_plan_build(const struct vg_cib *cib, const char *target, const char *action,
		   const struct fen_cluster_opts *opts, struct fen_plan **ret_plan,
		   struct vg_diags *diags)
{
	if (!cib || !target || !*target || !action || !opts)
		return -EINVAL;
	if (strcmp(action, "reboot") != 0 && strcmp(action, "off") != 0 && strcmp(action, "on") != 0)
		return -EINVAL;

	int r = -ENOMEM;
	struct fen_plan *plan = calloc(1, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	if (!(plan->target = strdup(target)) || !(plan->action = strdup(action)))
		goto out_free;

	r = plan_topology(cib, target, action, opts, plan, diags);
	if (r < 0)
		goto out_free;
	plan->from_topology = r == 1;
	if (!plan->from_topology && (r = plan_devices(cib, target, action, opts, plan, diags)) < 0)
		goto out_free;
	if (plan->n_levels == 0)
		vg_diags_add(diags, VG_DIAG_WARNING, 0, NULL,
			     "no fence device can fence node '%s'", target);
	*ret_plan = plan;
	return 0;

out_free:
	fen_plan_free(plan);
	return r;
}
