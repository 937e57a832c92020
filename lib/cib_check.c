/*
 * cib_check.c - the meaning of a cluster document (vg_cib_check()).
 *
 * The reader has already refused what the schema does not allow; what is
 * left is what a schema cannot say: ids used twice, references to things that
 * do not exist, values of the wrong kind (scores, durations, booleans,
 * property names and values), and constraints that contradict each other.
 * The same function checks documents built in memory (policy tests, the
 * daemon), so it also checks what the reader guarantees (required fields).
 *
 * Everything is linear or n log n in the size of the document: ids and names
 * go through hash tables (lib/strmap.h), the order cycle check is one DFS.
 *
 * Severity: an error where Pacemaker would refuse the document or silently
 * read something other than what is written; a warning where Pacemaker would
 * read it as meant but the writing is doubtful (an unknown meta attribute,
 * "1.0" for an integer).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cib_xml.h"
#include "strmap.h"

/* Where an id was first seen, for "first used by ..." */
struct seen {
	const char *elem;
	int line;
};

struct ck {
	struct vg_diags *d;
	const struct vg_cib *cib;
	bool oom;
	struct vg_strmap ids;          /* configuration ids (not node ids) -> seen index + 1 */
	struct seen *seen;
	size_t n_seen, cap_seen;
	struct vg_strmap node_ids;     /* node id -> struct vg_node * */
	struct vg_strmap unames;       /* node uname -> struct vg_node * */
	struct vg_strmap rscs;         /* resource id -> struct vg_resource * */
};

/* ---- reporting ---- */

static void vreport(struct ck *ck, enum vg_severity sev, int line, const char *elem,
		    const char *id, const char *fmt, va_list ap)
{
	char where[512];
	if (id)
		snprintf(where, sizeof(where), "%s[@id='%s']", elem, id);
	else
		snprintf(where, sizeof(where), "%s", elem);
	vg_diags_vadd(ck->d, sev, line, where, fmt, ap);
}

static void __attribute__((format(printf, 5, 6)))
err(struct ck *ck, int line, const char *elem, const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(ck, VG_DIAG_ERROR, line, elem, id, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 5, 6)))
warn(struct ck *ck, int line, const char *elem, const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(ck, VG_DIAG_WARNING, line, elem, id, fmt, ap);
	va_end(ap);
}

/* A required field of a document built in memory (the reader never leaves
 * one empty). */
static bool required(struct ck *ck, int line, const char *elem, const char *id,
		     const char *value, const char *attr)
{
	if (value && *value)
		return true;
	err(ck, line, elem, id, "attribute '%s' is required", attr);
	return false;
}

/* ---- ids ---- */

static void add_id(struct ck *ck, const char *id, const char *elem, int line)
{
	if (!id)
		return;
	if (ck->n_seen == ck->cap_seen) {
		size_t cap = ck->cap_seen ? ck->cap_seen * 2 : 256;
		struct seen *s = realloc(ck->seen, cap * sizeof(*s));
		if (!s) {
			ck->oom = true;
			return;
		}
		ck->seen = s;
		ck->cap_seen = cap;
	}
	void *old = NULL;
	int r = vg_strmap_add(&ck->ids, id, (void *)(uintptr_t)(ck->n_seen + 1), &old);
	if (r == -ENOMEM) {
		ck->oom = true;
		return;
	}
	if (r == -EEXIST) {
		const struct seen *first = &ck->seen[(uintptr_t)old - 1];
		if (first->line > 0)
			err(ck, line, elem, id, "duplicate id '%s' (first used by %s at line %d)", id,
			    first->elem, first->line);
		else
			err(ck, line, elem, id, "duplicate id '%s' (first used by %s)", id,
			    first->elem);
		return;
	}
	ck->seen[ck->n_seen++] = (struct seen){ .elem = elem, .line = line };
}

static void add_nvset_ids(struct ck *ck, const struct vg_nvsets *sets, const char *elem)
{
	for (size_t i = 0; i < sets->n; i++) {
		const struct vg_nvset *s = &sets->v[i];
		if (required(ck, s->line, elem, s->id, s->id, "id"))
			add_id(ck, s->id, elem, s->line);
		for (size_t j = 0; j < s->n_pairs; j++) {
			const struct vg_nvpair *p = &s->pairs[j];
			if (required(ck, p->line, "nvpair", p->id, p->id, "id"))
				add_id(ck, p->id, "nvpair", p->line);
			required(ck, p->line, "nvpair", p->id, p->name, "name");
		}
	}
}

static void add_rule_ids(struct ck *ck, const struct vg_rule *r)
{
	add_id(ck, r->id, "rule", r->line);
	for (size_t i = 0; i < r->n_exprs; i++)
		add_id(ck, r->exprs[i].id, "expression", r->exprs[i].line);
	for (size_t i = 0; i < r->n_rules; i++)
		add_rule_ids(ck, &r->rules[i]);
}

/* Pacemaker's ids (xsd:ID) share one namespace across the configuration;
 * node ids are plain text in its schema (often numbers from corosync) and
 * form their own. */
static void check_ids(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	add_nvset_ids(ck, &cib->crm_config, "cluster_property_set");
	for (size_t i = 0; i < cib->n_nodes; i++) {
		const struct vg_node *n = &cib->nodes[i];
		add_nvset_ids(ck, &n->attrs, "instance_attributes");
		add_nvset_ids(ck, &n->utilization, "utilization");
	}
	for (size_t i = 0; i < cib->n_resources; i++) {
		const struct vg_resource *r = &cib->resources[i];
		add_id(ck, r->id, "primitive", r->line);
		add_nvset_ids(ck, &r->instance, "instance_attributes");
		add_nvset_ids(ck, &r->meta, "meta_attributes");
		add_nvset_ids(ck, &r->utilization, "utilization");
		add_id(ck, r->ops_id, "operations", r->line);
		for (size_t j = 0; j < r->n_ops; j++) {
			const struct vg_op *op = &r->ops[j];
			if (required(ck, op->line, "op", op->id, op->id, "id"))
				add_id(ck, op->id, "op", op->line);
			add_nvset_ids(ck, &op->meta, "meta_attributes");
			add_nvset_ids(ck, &op->instance, "instance_attributes");
		}
	}
	for (size_t i = 0; i < cib->n_locations; i++) {
		const struct vg_location *l = &cib->locations[i];
		add_id(ck, l->id, "rsc_location", l->line);
		for (size_t j = 0; j < l->n_rules; j++)
			add_rule_ids(ck, &l->rules[j]);
	}
	for (size_t i = 0; i < cib->n_colocations; i++)
		add_id(ck, cib->colocations[i].id, "rsc_colocation", cib->colocations[i].line);
	for (size_t i = 0; i < cib->n_orders; i++)
		add_id(ck, cib->orders[i].id, "rsc_order", cib->orders[i].line);
	for (size_t i = 0; i < cib->n_fencing_levels; i++)
		add_id(ck, cib->fencing_levels[i].id, "fencing-level", cib->fencing_levels[i].line);
	add_nvset_ids(ck, &cib->rsc_defaults, "meta_attributes");
	add_nvset_ids(ck, &cib->op_defaults, "meta_attributes");
}

/* ---- values ---- */

static bool score_ok(vg_score_t s)
{
	return s >= -VG_SCORE_INFINITY && s <= VG_SCORE_INFINITY;
}

static void check_score(struct ck *ck, int line, const char *elem, const char *id, bool has,
			vg_score_t s)
{
	if (has && !score_ok(s))
		err(ck, line, elem, id, "score %d is out of range (-INFINITY to INFINITY, "
			      "that is -1000000 to 1000000)", s);
}

static bool check_duration(struct ck *ck, int line, const char *elem, const char *id,
			   const char *what, const char *v, uint64_t *ret_ms)
{
	uint64_t ms;
	int r = vg_duration_parse(v, &ms);
	if (r == -ERANGE) {
		err(ck, line, elem, id, "%s '%s' is too long", what, v);
		return false;
	}
	if (r < 0) {
		err(ck, line, elem, id, "%s '%s' is not a duration (use e.g. 30, 30s, 500ms, "
			      "2min, 1h or PT1M30S)", what, v);
		return false;
	}
	if (ret_ms)
		*ret_ms = ms;
	return true;
}

static bool is_int(const char *s, long long min, long long max, long long *ret)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	if (ret)
		*ret = v;
	return true;
}

/* "1.0" where an integer belongs: Pacemaker reads the 1 and warns. */
static bool int_with_zero_fraction(const char *s)
{
	const char *dot = strchr(s, '.');
	if (!dot || dot == s)
		return false;
	for (const char *p = dot + 1; *p; p++)
		if (*p != '0')
			return false;
	char head[32];
	size_t n = (size_t)(dot - s);
	if (n >= sizeof(head))
		return false;
	memcpy(head, s, n);
	head[n] = '\0';
	return is_int(head, INT32_MIN, INT32_MAX, NULL);
}

enum vtype {
	V_STRING,
	V_BOOL,
	V_DURATION,
	V_INT,          /* any integer */
	V_NONNEG,       /* integer >= 0 */
	V_SCORE,
	V_THRESHOLD,    /* a score >= 0: Pacemaker reads a negative one as 1 */
	V_ENUM,         /* one of `values`, case-sensitive */
	V_ENUM_CASE,    /* one of `values`, any case */
	V_PERCENT,      /* "80%" */
};

struct opt {
	const char *name;
	enum vtype type;
	const char *values;     /* V_ENUM*: "a|b|c" */
	const char *note;       /* deprecated: what to do instead; else NULL */
};

static bool enum_has(const char *values, const char *v, bool nocase)
{
	size_t len = strlen(v);
	for (const char *p = values; *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && (nocase ? !strncasecmp(p, v, n) : !strncmp(p, v, n)))
			return true;
		p += n + (bar ? 1 : 0);
	}
	return false;
}

static void enum_list(char *buf, size_t size, const char *values)
{
	size_t off = 0;
	buf[0] = '\0';
	for (const char *p = values; *p && off < size;) {
		const char *bar = strchr(p, '|');
		int n = bar ? (int)(bar - p) : (int)strlen(p);
		off += (size_t)snprintf(buf + off, size - off, "%s%.*s", off ? ", " : "", n, p);
		p += n + (bar ? 1 : 0);
	}
}

/* Checks @v against @o; @what names it in messages ("cluster property
 * 'stonith-timeout'"). */
static void check_value(struct ck *ck, const struct vg_nvpair *p, const struct opt *o,
			const char *what)
{
	const char *v = p->value;
	if (!v)
		return;
	bool b;
	vg_score_t s;
	char list[256];
	switch (o->type) {
	case V_STRING:
		return;
	case V_BOOL:
		if (vg_bool_parse(v, &b) < 0)
			err(ck, p->line, "nvpair", p->id,
			    "%s '%s' must be a boolean (true/false, yes/no, on/off, 1/0), not '%s'",
			    what, o->name, v);
		return;
	case V_DURATION: {
		char w[160];
		snprintf(w, sizeof(w), "%s '%s' value", what, o->name);
		check_duration(ck, p->line, "nvpair", p->id, w, v, NULL);
		return;
	}
	case V_INT:
	case V_NONNEG:
		if (is_int(v, o->type == V_NONNEG ? 0 : INT32_MIN, INT32_MAX, NULL))
			return;
		if (int_with_zero_fraction(v) && v[0] != '-')
			warn(ck, p->line, "nvpair", p->id,
			     "%s '%s' should be an integer: '%s' is read as its integer part", what,
			     o->name, v);
		else
			err(ck, p->line, "nvpair", p->id, "%s '%s' must be %s, not '%s'", what,
			    o->name, o->type == V_NONNEG ? "a non-negative integer" : "an integer",
			    v);
		return;
	case V_SCORE:
		if (vg_score_parse(v, &s) == 0)
			return;
		if (int_with_zero_fraction(v))
			warn(ck, p->line, "nvpair", p->id,
			     "%s '%s' should be an integer: '%s' is read as its integer part", what,
			     o->name, v);
		else
			err(ck, p->line, "nvpair", p->id,
			    "%s '%s' must be a score (an integer, INFINITY or -INFINITY), not '%s'",
			    what, o->name, v);
		return;
	case V_THRESHOLD:
		if (vg_score_parse(v, &s) == 0 && s >= 0)
			return;
		err(ck, p->line, "nvpair", p->id,
		    "%s '%s' must be a non-negative integer or INFINITY, not '%s'", what, o->name, v);
		return;
	case V_ENUM:
	case V_ENUM_CASE:
		if (enum_has(o->values, v, o->type == V_ENUM_CASE))
			return;
		enum_list(list, sizeof(list), o->values);
		err(ck, p->line, "nvpair", p->id, "%s '%s' has bad value '%s' (expected one of: %s)",
		    what, o->name, v, list);
		return;
	case V_PERCENT: {
		size_t n = strlen(v);
		char num[32];
		if (n >= 2 && n < sizeof(num) && v[n - 1] == '%') {
			memcpy(num, v, n - 1);
			num[n - 1] = '\0';
			if (is_int(num, 0, INT32_MAX, NULL))
				return;
		}
		err(ck, p->line, "nvpair", p->id, "%s '%s' must be a percentage such as 80%%, not '%s'",
		    what, o->name, v);
		return;
	}
	}
}

/* Pacemaker 2.1's cluster options (scheduler, controller, fencer, CIB
 * manager), with their types.  Sorted by name. */
static const struct opt cluster_opts[] = {
	{ "batch-limit", V_INT, NULL, NULL },
	{ "cluster-delay", V_DURATION, NULL, NULL },
	{ "cluster-infrastructure", V_STRING, NULL, NULL },
	{ "cluster-ipc-limit", V_NONNEG, NULL, NULL },
	{ "cluster-name", V_STRING, NULL, NULL },
	{ "cluster-recheck-interval", V_DURATION, NULL, NULL },
	{ "concurrent-fencing", V_BOOL, NULL, NULL },
	{ "crmd-finalization-timeout", V_DURATION, NULL, "use 'join-finalization-timeout' instead" },
	{ "crmd-integration-timeout", V_DURATION, NULL, "use 'join-integration-timeout' instead" },
	{ "crmd-transition-delay", V_DURATION, NULL, "use 'transition-delay' instead" },
	{ "dc-deadtime", V_DURATION, NULL, NULL },
	{ "dc-version", V_STRING, NULL, NULL },
	{ "default-action-timeout", V_DURATION, NULL, "use an op_defaults 'timeout' instead" },
	{ "default-resource-stickiness", V_SCORE, NULL, "use an rsc_defaults 'resource-stickiness' instead" },
	{ "election-timeout", V_DURATION, NULL, NULL },
	{ "enable-acl", V_BOOL, NULL, NULL },
	{ "enable-startup-probes", V_BOOL, NULL, NULL },
	{ "expected-quorum-votes", V_NONNEG, NULL, "corosync's quorum settings decide" },
	{ "fence-reaction", V_ENUM, "stop|panic", NULL },
	{ "have-watchdog", V_BOOL, NULL, NULL },
	{ "is-managed-default", V_BOOL, NULL, "use an rsc_defaults 'is-managed' instead" },
	{ "join-finalization-timeout", V_DURATION, NULL, NULL },
	{ "join-integration-timeout", V_DURATION, NULL, NULL },
	{ "last-lrm-refresh", V_INT, NULL, NULL },
	{ "load-threshold", V_PERCENT, NULL, NULL },
	{ "maintenance-mode", V_BOOL, NULL, NULL },
	{ "migration-limit", V_INT, NULL, NULL },
	{ "no-quorum-policy", V_ENUM, "stop|freeze|ignore|demote|suicide", NULL },
	{ "node-action-limit", V_INT, NULL, NULL },
	{ "node-health-base", V_INT, NULL, NULL },
	{ "node-health-green", V_SCORE, NULL, NULL },
	{ "node-health-red", V_SCORE, NULL, NULL },
	{ "node-health-strategy", V_ENUM, "none|migrate-on-red|only-green|progressive|custom",
	  NULL },
	{ "node-health-yellow", V_SCORE, NULL, NULL },
	{ "pe-error-series-max", V_INT, NULL, NULL },
	{ "pe-input-series-max", V_INT, NULL, NULL },
	{ "pe-warn-series-max", V_INT, NULL, NULL },
	{ "placement-strategy", V_ENUM, "default|utilization|minimal|balanced", NULL },
	{ "priority-fencing-delay", V_DURATION, NULL, NULL },
	{ "remove-after-stop", V_BOOL, NULL, NULL },
	{ "shutdown-escalation", V_DURATION, NULL, NULL },
	{ "shutdown-lock", V_BOOL, NULL, NULL },
	{ "shutdown-lock-limit", V_DURATION, NULL, NULL },
	{ "start-failure-is-fatal", V_BOOL, NULL, NULL },
	{ "startup-fencing", V_BOOL, NULL, NULL },
	{ "stonith-action", V_ENUM, "reboot|off|poweroff", NULL },
	{ "stonith-enabled", V_BOOL, NULL, NULL },
	{ "stonith-max-attempts", V_NONNEG, NULL, NULL },
	{ "stonith-timeout", V_DURATION, NULL, NULL },
	{ "stonith-watchdog-timeout", V_STRING, NULL, NULL }, /* a duration, or negative */
	{ "stop-all-resources", V_BOOL, NULL, NULL },
	{ "stop-orphan-actions", V_BOOL, NULL, NULL },
	{ "stop-orphan-resources", V_BOOL, NULL, NULL },
	{ "symmetric-cluster", V_BOOL, NULL, NULL },
	{ "transition-delay", V_DURATION, NULL, NULL },
};

/* Names later Pacemaker releases gave some options: a document written for
 * them would silently lose the setting here. */
static const struct {
	const char *new_name, *old_name;
} renamed_opts[] = {
	{ "fencing-enabled", "stonith-enabled" },
	{ "fencing-action", "stonith-action" },
	{ "fencing-timeout", "stonith-timeout" },
	{ "fencing-reaction", "fence-reaction" },
	{ "fencing-max-attempts", "stonith-max-attempts" },
	{ "fencing-watchdog-timeout", "stonith-watchdog-timeout" },
};

/* Resource meta attributes Pacemaker 2.1 knows for a primitive. */
static const struct opt rsc_meta_opts[] = {
	{ "allow-migrate", V_BOOL, NULL, NULL },
	{ "allow-unhealthy-nodes", V_BOOL, NULL, NULL },
	{ "critical", V_BOOL, NULL, NULL },
	{ "failure-timeout", V_DURATION, NULL, NULL },
	{ "is-managed", V_BOOL, NULL, NULL },
	{ "maintenance", V_BOOL, NULL, NULL },
	{ "migration-threshold", V_THRESHOLD, NULL, NULL },
	{ "multiple-active", V_ENUM, "block|stop_only|stop_start|stop_unexpected", NULL },
	{ "priority", V_SCORE, NULL, NULL },
	{ "provides", V_ENUM, "unfencing", NULL },
	{ "requires", V_ENUM, "nothing|quorum|fencing|unfencing", NULL },
	{ "resource-stickiness", V_SCORE, NULL, NULL },
	{ "restart-type", V_ENUM, "ignore|restart", "it has no effect" },
	{ "target-role", V_ENUM_CASE, "Started|Stopped|Unpromoted|Promoted|Slave|Master", NULL },
};

/* Operation meta attributes, in <op><meta_attributes> and op_defaults. */
static const struct opt op_meta_opts[] = {
	{ "description", V_STRING, NULL, NULL },
	{ "enabled", V_BOOL, NULL, NULL },
	{ "interval", V_DURATION, NULL, NULL },
	{ "on-fail", V_ENUM, "ignore|block|stop|restart|standby|fence|restart-container|demote",
	  NULL },
	{ "record-pending", V_BOOL, NULL, NULL },
	{ "requires", V_ENUM, "nothing|quorum|fencing|unfencing", NULL },
	{ "role", V_ENUM_CASE, "Started|Stopped|Unpromoted|Promoted|Slave|Master", NULL },
	{ "start-delay", V_DURATION, NULL, NULL },
	{ "timeout", V_DURATION, NULL, NULL },
};

/* Node attributes with a meaning (others are the admin's own). */
static const struct opt node_attr_opts[] = {
	{ "maintenance", V_BOOL, NULL, NULL },
	{ "standby", V_BOOL, NULL, NULL },
};

static const struct opt *find_opt(const struct opt *opts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(opts[i].name, name))
			return &opts[i];
	return NULL;
}

/* Edit distance, bounded: enough to suggest "stonith-enabled" for
 * "stonith-enable". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return SIZE_MAX;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *closest(const struct opt *opts, size_t n, const char *name)
{
	const char *best = NULL;
	size_t best_d = 4; /* suggest only close names */
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(name, opts[i].name);
		if (d < best_d) {
			best_d = d;
			best = opts[i].name;
		}
	}
	return best;
}

static void check_properties(struct ck *ck)
{
	const size_t n_opts = sizeof(cluster_opts) / sizeof(*cluster_opts);
	const struct vg_nvsets *sets = &ck->cib->crm_config;
	for (size_t i = 0; i < sets->n; i++) {
		for (size_t j = 0; j < sets->v[i].n_pairs; j++) {
			const struct vg_nvpair *p = &sets->v[i].pairs[j];
			if (!p->name)
				continue;
			const struct opt *o = find_opt(cluster_opts, n_opts, p->name);
			if (o) {
				check_value(ck, p, o, "cluster property");
				if (o->note)
					warn(ck, p->line, "nvpair", p->id,
					     "cluster property '%s' is deprecated: %s",
					     p->name, o->note);
				continue;
			}
			const char *old = NULL;
			for (size_t k = 0; k < sizeof(renamed_opts) / sizeof(*renamed_opts); k++)
				if (!strcmp(renamed_opts[k].new_name, p->name))
					old = renamed_opts[k].old_name;
			const char *near = old ? NULL : closest(cluster_opts, n_opts, p->name);
			if (old)
				err(ck, p->line, "nvpair", p->id,
				    "unknown cluster property '%s' (Pacemaker 2.1 calls it '%s')",
				    p->name, old);
			else if (near)
				err(ck, p->line, "nvpair", p->id,
				    "unknown cluster property '%s' (did you mean '%s'?)", p->name, near);
			else
				err(ck, p->line, "nvpair", p->id,
				    "unknown cluster property '%s' (doc/cib.md lists the known ones)",
				    p->name);
		}
	}
}

/* Meta attributes: known names get their values checked; unknown ones are
 * only warned about (Pacemaker ignores them, and agents may read them). */
static void check_meta(struct ck *ck, const struct vg_nvsets *sets, const struct opt *opts,
		       size_t n_opts, const char *what)
{
	for (size_t i = 0; i < sets->n; i++) {
		for (size_t j = 0; j < sets->v[i].n_pairs; j++) {
			const struct vg_nvpair *p = &sets->v[i].pairs[j];
			if (!p->name)
				continue;
			const struct opt *o = find_opt(opts, n_opts, p->name);
			if (o) {
				check_value(ck, p, o, what);
				if (o->note)
					warn(ck, p->line, "nvpair", p->id,
					     "%s '%s' is deprecated: %s", what, p->name,
					     o->note);
				continue;
			}
			const char *near = closest(opts, n_opts, p->name);
			if (near)
				warn(ck, p->line, "nvpair", p->id,
				     "unknown %s '%s' is ignored (did you mean '%s'?)", what, p->name,
				     near);
			else
				warn(ck, p->line, "nvpair", p->id, "unknown %s '%s' is ignored", what,
				     p->name);
		}
	}
}

/* Utilization values are capacities: Pacemaker reads anything else as 0,
 * which would place VMs on hosts that cannot hold them. */
static void check_utilization(struct ck *ck, const struct vg_nvsets *sets)
{
	for (size_t i = 0; i < sets->n; i++) {
		for (size_t j = 0; j < sets->v[i].n_pairs; j++) {
			const struct vg_nvpair *p = &sets->v[i].pairs[j];
			if (p->value && !is_int(p->value, 0, INT32_MAX, NULL))
				err(ck, p->line, "nvpair", p->id,
				    "utilization '%s' must be a non-negative integer, not '%s'",
				    p->name ? p->name : "", p->value);
		}
	}
}

static void check_nvset_scores(struct ck *ck, const struct vg_nvsets *sets, const char *elem)
{
	for (size_t i = 0; i < sets->n; i++)
		check_score(ck, sets->v[i].line, elem, sets->v[i].id, sets->v[i].has_score,
			    sets->v[i].score);
}

/* ---- nodes ---- */

static void check_nodes(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	for (size_t i = 0; i < cib->n_nodes; i++) {
		const struct vg_node *n = &cib->nodes[i];
		void *old = NULL;
		if (required(ck, n->line, "node", n->id, n->id, "id")) {
			int r = vg_strmap_add(&ck->node_ids, n->id, (void *)n, &old);
			if (r == -EEXIST)
				err(ck, n->line, "node", n->id, "duplicate node id '%s' (first used by "
					      "node '%s')", n->id,
				    ((const struct vg_node *)old)->uname
					    ? ((const struct vg_node *)old)->uname
					    : "");
			else if (r < 0)
				ck->oom = true;
		}
		if (required(ck, n->line, "node", n->id, n->uname, "uname")) {
			int r = vg_strmap_add(&ck->unames, n->uname, (void *)n, &old);
			if (r == -EEXIST)
				err(ck, n->line, "node", n->id, "duplicate node name '%s'", n->uname);
			else if (r < 0)
				ck->oom = true;
		}
		if (n->type && strcmp(n->type, "member") && strcmp(n->type, "normal"))
			err(ck, n->line, "node", n->id,
			    "node type '%s' is not supported (only member nodes)", n->type);
		check_nvset_scores(ck, &n->attrs, "instance_attributes");
		check_nvset_scores(ck, &n->utilization, "utilization");
		for (size_t s = 0; s < n->attrs.n; s++) {
			for (size_t j = 0; j < n->attrs.v[s].n_pairs; j++) {
				const struct vg_nvpair *p = &n->attrs.v[s].pairs[j];
				const struct opt *o = p->name ? find_opt(node_attr_opts, 2, p->name)
							      : NULL;
				if (o)
					check_value(ck, p, o, "node attribute");
			}
		}
		check_utilization(ck, &n->utilization);
	}
}

/* ---- resources ---- */

static bool is_virtual_domain(const struct vg_resource *r)
{
	return r->cls && !strcmp(r->cls, "ocf") && r->provider &&
	       !strcmp(r->provider, "heartbeat") && r->type && !strcmp(r->type, "VirtualDomain");
}

static bool is_stonith(const struct vg_resource *r)
{
	return r->cls && !strcmp(r->cls, "stonith");
}

static const char *roles_list = "Started|Stopped|Unpromoted|Promoted|Slave|Master";

static void check_role(struct ck *ck, int line, const char *elem, const char *id,
		       const char *attr, const char *role)
{
	if (role && !enum_has(roles_list, role, true))
		err(ck, line, elem, id, "attribute '%s' has bad value '%s' (expected Started, "
					"Stopped, Unpromoted or Promoted)",
		    attr, role);
}

static const char *fmt_ms(char *buf, size_t size, uint64_t ms)
{
	if (ms % 1000)
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	else
		snprintf(buf, size, "%" PRIu64 "s", ms / 1000);
	return buf;
}

static void check_op(struct ck *ck, const struct vg_op *op)
{
	required(ck, op->line, "op", op->id, op->name, "name");
	uint64_t ms = 0;
	if (op->interval && check_duration(ck, op->line, "op", op->id, "interval", op->interval,
					   &ms) &&
	    ms != op->interval_ms)
		err(ck, op->line, "op", op->id, "interval '%s' does not match interval_ms %" PRIu64,
		    op->interval, op->interval_ms);
	if (op->timeout &&
	    check_duration(ck, op->line, "op", op->id, "timeout", op->timeout, &ms) &&
	    ms != op->timeout_ms)
		err(ck, op->line, "op", op->id, "timeout '%s' does not match timeout_ms %" PRIu64,
		    op->timeout, op->timeout_ms);
	if (op->start_delay)
		check_duration(ck, op->line, "op", op->id, "start-delay", op->start_delay, NULL);
	bool b;
	if (op->enabled && vg_bool_parse(op->enabled, &b) < 0)
		err(ck, op->line, "op", op->id, "attribute 'enabled' must be a boolean, not '%s'",
		    op->enabled);
	check_role(ck, op->line, "op", op->id, "role", op->role);
	if (op->on_fail && !enum_has("ignore|block|stop|restart|standby|fence|restart-container|demote",
				     op->on_fail, false))
		err(ck, op->line, "op", op->id, "attribute 'on-fail' has bad value '%s'", op->on_fail);
	check_nvset_scores(ck, &op->meta, "meta_attributes");
	check_nvset_scores(ck, &op->instance, "instance_attributes");
	check_meta(ck, &op->meta, op_meta_opts, sizeof(op_meta_opts) / sizeof(*op_meta_opts),
		   "operation meta attribute");
}

static void check_resources(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	for (size_t i = 0; i < cib->n_resources; i++) {
		const struct vg_resource *r = &cib->resources[i];
		if (required(ck, r->line, "primitive", r->id, r->id, "id")) {
			int e = vg_strmap_add(&ck->rscs, r->id, (void *)r, NULL);
			if (e == -ENOMEM)
				ck->oom = true;
		}
		required(ck, r->line, "primitive", r->id, r->type, "type");
		if (required(ck, r->line, "primitive", r->id, r->cls, "class")) {
			bool ocf = !strcmp(r->cls, "ocf");
			if (!enum_has("ocf|stonith|lsb|systemd|service", r->cls, false))
				err(ck, r->line, "primitive", r->id,
				    "resource class '%s' is not supported", r->cls);
			else if (ocf && !r->provider)
				err(ck, r->line, "primitive", r->id,
				    "attribute 'provider' is required for class 'ocf'");
			else if (!ocf && r->provider)
				err(ck, r->line, "primitive", r->id,
				    "attribute 'provider' is only allowed for class 'ocf'");
		}
		if (is_virtual_domain(r)) {
			const char *config = vg_nvsets_get(&r->instance, "config");
			if (!config || !*config)
				err(ck, r->line, "primitive", r->id,
				    "VirtualDomain resource needs instance attribute 'config' (the "
				    "path of the libvirt domain XML)");
		}
		check_nvset_scores(ck, &r->instance, "instance_attributes");
		check_nvset_scores(ck, &r->meta, "meta_attributes");
		check_nvset_scores(ck, &r->utilization, "utilization");
		check_meta(ck, &r->meta, rsc_meta_opts, sizeof(rsc_meta_opts) / sizeof(*rsc_meta_opts),
			   "meta attribute");
		check_utilization(ck, &r->utilization);

		for (size_t j = 0; j < r->n_ops; j++) {
			const struct vg_op *op = &r->ops[j];
			check_op(ck, op);
			/* Pacemaker refuses two operations with the same name and
			 * interval on one resource.  Resources have a few ops:
			 * quadratic is fine. */
			for (size_t k = 0; k < j; k++) {
				const struct vg_op *o = &r->ops[k];
				if (op->name && o->name && !strcmp(op->name, o->name) &&
				    op->interval_ms == o->interval_ms) {
					char ms[32];
					err(ck, op->line, "op", op->id,
					    "operation '%s' with interval %s is defined twice (also "
					    "op[@id='%s'])",
					    op->name, fmt_ms(ms, sizeof(ms), op->interval_ms),
					    o->id ? o->id : "");
					break;
				}
			}
		}
	}
	check_meta(ck, &cib->rsc_defaults, rsc_meta_opts,
		   sizeof(rsc_meta_opts) / sizeof(*rsc_meta_opts), "resource default");
	check_meta(ck, &cib->op_defaults, op_meta_opts,
		   sizeof(op_meta_opts) / sizeof(*op_meta_opts), "operation default");
	check_nvset_scores(ck, &cib->rsc_defaults, "meta_attributes");
	check_nvset_scores(ck, &cib->op_defaults, "meta_attributes");
	check_nvset_scores(ck, &cib->crm_config, "cluster_property_set");
}

/* ---- constraints ---- */

static bool rsc_ref(struct ck *ck, int line, const char *elem, const char *id, const char *attr,
		    const char *rsc)
{
	if (!required(ck, line, elem, id, rsc, attr))
		return false;
	if (vg_strmap_has(&ck->rscs, rsc))
		return true;
	err(ck, line, elem, id, "%s '%s' is not a configured resource", attr, rsc);
	return false;
}

static void check_rule(struct ck *ck, const struct vg_rule *r)
{
	required(ck, r->line, "rule", r->id, r->id, "id");
	check_score(ck, r->line, "rule", r->id, r->has_score, r->score);
	if (r->has_score && r->score_attribute)
		err(ck, r->line, "rule", r->id,
		    "attributes 'score' and 'score-attribute' exclude each other");
	check_role(ck, r->line, "rule", r->id, "role", r->role);
	if (!r->n_exprs && !r->n_rules)
		err(ck, r->line, "rule", r->id, "a rule needs at least one expression or rule");
	for (size_t i = 0; i < r->n_exprs; i++) {
		const struct vg_expr *e = &r->exprs[i];
		required(ck, e->line, "expression", e->id, e->id, "id");
		required(ck, e->line, "expression", e->id, e->attribute, "attribute");
		bool unary = e->op == VG_EXPR_DEFINED || e->op == VG_EXPR_NOT_DEFINED;
		if (!unary && !e->value)
			err(ck, e->line, "expression", e->id, "attribute 'value' is required");
		else if (unary && e->value)
			err(ck, e->line, "expression", e->id,
			    "attribute 'value' is not allowed with defined/not_defined");
	}
	for (size_t i = 0; i < r->n_rules; i++)
		check_rule(ck, &r->rules[i]);
}

/* Locations pinning one resource to one node with both +INFINITY and
 * -INFINITY: the document says both "must" and "never". */
static void check_locations(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	struct vg_strmap inf = { 0 };
	char **keys = calloc(cib->n_locations ? cib->n_locations : 1, sizeof(*keys));
	if (!keys) {
		ck->oom = true;
		return;
	}
	for (size_t i = 0; i < cib->n_locations; i++) {
		const struct vg_location *l = &cib->locations[i];
		required(ck, l->line, "rsc_location", l->id, l->id, "id");
		rsc_ref(ck, l->line, "rsc_location", l->id, "rsc", l->rsc);
		check_role(ck, l->line, "rsc_location", l->id, "role", l->role);
		if (l->resource_discovery &&
		    !enum_has("always|never|exclusive", l->resource_discovery, false))
			err(ck, l->line, "rsc_location", l->id,
			    "attribute 'resource-discovery' has bad value '%s'", l->resource_discovery);
		if (l->node && l->n_rules) {
			err(ck, l->line, "rsc_location", l->id,
			    "attribute 'node' and rules exclude each other");
		} else if (l->node) {
			if (!l->has_score)
				err(ck, l->line, "rsc_location", l->id,
				    "attribute 'score' is required with 'node'");
			if (!vg_strmap_has(&ck->unames, l->node))
				err(ck, l->line, "rsc_location", l->id,
				    "node '%s' is not a configured node", l->node);
		} else if (!l->n_rules) {
			err(ck, l->line, "rsc_location", l->id,
			    "needs either 'node' and 'score', or rules");
		}
		check_score(ck, l->line, "rsc_location", l->id, l->has_score, l->score);
		for (size_t j = 0; j < l->n_rules; j++)
			check_rule(ck, &l->rules[j]);

		if (!l->node || !l->rsc || !l->has_score || l->role ||
		    (l->score != VG_SCORE_INFINITY && l->score != -VG_SCORE_INFINITY))
			continue;
		if (asprintf(&keys[i], "%s\n%s", l->rsc, l->node) < 0) {
			keys[i] = NULL;
			ck->oom = true;
			continue;
		}
		void *old = NULL;
		int r = vg_strmap_add(&inf, keys[i], (void *)l, &old);
		if (r == -ENOMEM) {
			ck->oom = true;
		} else if (r == -EEXIST) {
			const struct vg_location *o = old;
			if (o->score != l->score)
				err(ck, l->line, "rsc_location", l->id,
				    "contradicts rsc_location[@id='%s']: '%s' on node '%s' is both "
				    "+INFINITY and -INFINITY",
				    o->id ? o->id : "", l->rsc, l->node);
		}
	}
	vg_strmap_clear(&inf);
	for (size_t i = 0; i < cib->n_locations; i++)
		free(keys[i]);
	free(keys);
}

static void check_colocations(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	for (size_t i = 0; i < cib->n_colocations; i++) {
		const struct vg_colocation *c = &cib->colocations[i];
		required(ck, c->line, "rsc_colocation", c->id, c->id, "id");
		bool a = rsc_ref(ck, c->line, "rsc_colocation", c->id, "rsc", c->rsc);
		bool b = rsc_ref(ck, c->line, "rsc_colocation", c->id, "with-rsc", c->with_rsc);
		if (a && b && !strcmp(c->rsc, c->with_rsc))
			err(ck, c->line, "rsc_colocation", c->id,
			    "resource '%s' is colocated with itself", c->rsc);
		check_score(ck, c->line, "rsc_colocation", c->id, true, c->score);
		check_role(ck, c->line, "rsc_colocation", c->id, "rsc-role", c->rsc_role);
		check_role(ck, c->line, "rsc_colocation", c->id, "with-rsc-role", c->with_rsc_role);
	}
}

/* ---- order cycles ----
 * The graph's vertices are (resource, action); a mandatory order adds an
 * edge first -> then, and, when symmetrical, the inverse edge between the
 * inverse actions (then stops before first stops).  A cycle is a deadlock:
 * nothing on it can ever run. */

enum { ACT_START, ACT_STOP, ACT_PROMOTE, ACT_DEMOTE, N_ACT };

static int action_index(const char *a)
{
	if (!a || !strcmp(a, "start"))
		return ACT_START;
	if (!strcmp(a, "stop"))
		return ACT_STOP;
	if (!strcmp(a, "promote"))
		return ACT_PROMOTE;
	if (!strcmp(a, "demote"))
		return ACT_DEMOTE;
	return -1;
}

static const char *const action_names[N_ACT] = { "start", "stop", "promote", "demote" };

static int inverse_action(int a)
{
	static const int inv[N_ACT] = { ACT_STOP, ACT_START, ACT_DEMOTE, ACT_PROMOTE };
	return inv[a];
}

static bool order_mandatory(const struct vg_order *o)
{
	if (o->kind != VG_ORDER_UNSET)
		return o->kind == VG_ORDER_MANDATORY;
	return !o->has_score || o->score != 0;
}

static bool order_symmetrical(const struct vg_order *o)
{
	bool b = true;
	if (o->symmetrical && vg_bool_parse(o->symmetrical, &b) == 0)
		return b;
	return o->kind != VG_ORDER_SERIALIZE;
}

struct edge {
	size_t from, to;
	size_t order;           /* index in cib->orders */
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static size_t rsc_index(struct ck *ck, const char *id)
{
	const struct vg_resource *r = vg_strmap_get(&ck->rscs, id);
	return (size_t)(r - ck->cib->resources);
}

static void report_cycle(struct ck *ck, const struct edge *path, size_t n)
{
	/* The cycle is path[0..n): name each order once, in cycle order. */
	const struct vg_cib *cib = ck->cib;
	char msg[1024];
	size_t off = 0;
	for (size_t i = 0; i < n && off < sizeof(msg); i++) {
		size_t rf = path[i].from / N_ACT, rt = path[i].to / N_ACT;
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s %s then %s %s", i ? ", " : "",
					cib->resources[rf].id,
					action_names[path[i].from % N_ACT], cib->resources[rt].id,
					action_names[path[i].to % N_ACT]);
	}
	const struct vg_order *first = &cib->orders[path[0].order];
	err(ck, first->line, "rsc_order", first->id, "mandatory orders form a cycle: %s", msg);
}

static void check_order_cycles(struct ck *ck, const bool *usable)
{
	const struct vg_cib *cib = ck->cib;
	size_t n_v = cib->n_resources * N_ACT;
	if (!n_v)
		return;
	struct edge *edges = malloc(2 * (cib->n_orders ? cib->n_orders : 1) * sizeof(*edges));
	size_t n_e = 0;
	if (!edges) {
		ck->oom = true;
		return;
	}
	for (size_t i = 0; i < cib->n_orders; i++) {
		const struct vg_order *o = &cib->orders[i];
		if (!usable[i] || !order_mandatory(o))
			continue;
		int fa = action_index(o->first_action);
		int ta = action_index(o->then_action ? o->then_action : o->first_action);
		if (fa < 0 || ta < 0)
			continue;
		size_t f = rsc_index(ck, o->first), t = rsc_index(ck, o->then);
		edges[n_e++] = (struct edge){ f * N_ACT + (size_t)fa, t * N_ACT + (size_t)ta, i };
		if (order_symmetrical(o))
			edges[n_e++] = (struct edge){ t * N_ACT + (size_t)inverse_action(ta),
						      f * N_ACT + (size_t)inverse_action(fa), i };
	}
	qsort(edges, n_e, sizeof(*edges), cmp_edge);
	size_t *first_edge = calloc(n_v + 1, sizeof(*first_edge));
	unsigned char *color = calloc(n_v, 1);   /* 0 new, 1 on stack, 2 done */
	size_t *stack = malloc((n_v + 1) * sizeof(*stack)); /* vertex */
	size_t *next = malloc((n_v + 1) * sizeof(*next));   /* next edge to try */
	size_t *via = malloc((n_v + 1) * sizeof(*via));     /* edge that reached it */
	if (!first_edge || !color || !stack || !next || !via) {
		ck->oom = true;
		goto out;
	}
	for (size_t i = 0; i < n_e; i++)
		first_edge[edges[i].from + 1]++;
	for (size_t v = 0; v < n_v; v++)
		first_edge[v + 1] += first_edge[v];

	/* Iterative DFS: a hostile document could chain 100000 orders. */
	for (size_t root = 0; root < n_v; root++) {
		if (color[root] || first_edge[root] == first_edge[root + 1])
			continue;
		size_t sp = 0;
		stack[0] = root;
		next[0] = first_edge[root];
		color[root] = 1;
		while (1) {
			size_t v = stack[sp];
			if (next[sp] == first_edge[v + 1]) {
				color[v] = 2;
				if (sp == 0)
					break;
				sp--;
				continue;
			}
			size_t e = next[sp]++;
			size_t w = edges[e].to;
			if (color[w] == 1) {
				/* Back edge: the cycle is the stack from w up, plus e. */
				size_t from = 0;
				while (stack[from] != w)
					from++;
				struct edge cyc[64];
				size_t n = 0;
				for (size_t k = from + 1; k <= sp && n < 63; k++)
					cyc[n++] = edges[via[k]];
				cyc[n++] = edges[e];
				report_cycle(ck, cyc, n);
				goto out; /* one cycle is enough to fix first */
			}
			if (color[w] == 0) {
				color[w] = 1;
				sp++;
				stack[sp] = w;
				next[sp] = first_edge[w];
				via[sp] = e;
			}
		}
	}
out:
	free(edges);
	free(first_edge);
	free(color);
	free(stack);
	free(next);
	free(via);
}

static void check_orders(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	bool *usable = calloc(cib->n_orders ? cib->n_orders : 1, sizeof(*usable));
	if (!usable) {
		ck->oom = true;
		return;
	}
	for (size_t i = 0; i < cib->n_orders; i++) {
		const struct vg_order *o = &cib->orders[i];
		required(ck, o->line, "rsc_order", o->id, o->id, "id");
		bool a = rsc_ref(ck, o->line, "rsc_order", o->id, "first", o->first);
		bool b = rsc_ref(ck, o->line, "rsc_order", o->id, "then", o->then);
		bool acts = true;
		if (o->first_action && action_index(o->first_action) < 0) {
			err(ck, o->line, "rsc_order", o->id,
			    "attribute 'first-action' has bad value '%s'", o->first_action);
			acts = false;
		}
		if (o->then_action && action_index(o->then_action) < 0) {
			err(ck, o->line, "rsc_order", o->id,
			    "attribute 'then-action' has bad value '%s'", o->then_action);
			acts = false;
		}
		bool b2;
		if (o->symmetrical && vg_bool_parse(o->symmetrical, &b2) < 0)
			err(ck, o->line, "rsc_order", o->id,
			    "attribute 'symmetrical' must be a boolean, not '%s'", o->symmetrical);
		check_score(ck, o->line, "rsc_order", o->id, o->has_score, o->score);
		if (a && b && !strcmp(o->first, o->then)) {
			err(ck, o->line, "rsc_order", o->id, "resource '%s' is ordered after itself",
			    o->first);
			continue;
		}
		usable[i] = a && b && acts;
	}
	check_order_cycles(ck, usable);
	free(usable);
}

/* ---- fencing topology ---- */

static void check_fencing(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	struct vg_strmap levels = { 0 };
	char **keys = calloc(cib->n_fencing_levels ? cib->n_fencing_levels : 1, sizeof(*keys));
	if (!keys) {
		ck->oom = true;
		return;
	}
	for (size_t i = 0; i < cib->n_fencing_levels; i++) {
		const struct vg_fencing_level *l = &cib->fencing_levels[i];
		required(ck, l->line, "fencing-level", l->id, l->id, "id");
		int kinds = !!l->target + !!l->target_pattern + !!l->target_attribute;
		if (kinds != 1) {
			err(ck, l->line, "fencing-level", l->id,
			    "needs exactly one of 'target', 'target-pattern' and 'target-attribute'");
			continue;
		}
		if (!!l->target_attribute != !!l->target_value)
			err(ck, l->line, "fencing-level", l->id,
			    "attributes 'target-attribute' and 'target-value' go together");
		if (l->target && !vg_strmap_has(&ck->unames, l->target))
			err(ck, l->line, "fencing-level", l->id,
			    "target '%s' is not a configured node", l->target);
		if (l->target_pattern) {
			regex_t re;
			if (regcomp(&re, l->target_pattern, REG_EXTENDED | REG_NOSUB))
				err(ck, l->line, "fencing-level", l->id,
				    "target-pattern '%s' is not a valid regular expression",
				    l->target_pattern);
			else
				regfree(&re);
		}
		if (l->index < 1 || l->index > 9)
			err(ck, l->line, "fencing-level", l->id,
			    "index %d is out of range (1 to 9)", l->index);
		if (required(ck, l->line, "fencing-level", l->id, l->devices, "devices")) {
			const char *p = l->devices;
			while (1) {
				size_t n = strcspn(p, ",");
				char dev[256];
				if (n == 0 || n >= sizeof(dev)) {
					err(ck, l->line, "fencing-level", l->id,
					    "devices '%s' is not a comma-separated list of device ids",
					    l->devices);
					break;
				}
				memcpy(dev, p, n);
				dev[n] = '\0';
				const struct vg_resource *r = vg_strmap_get(&ck->rscs, dev);
				if (!r)
					err(ck, l->line, "fencing-level", l->id,
					    "device '%s' is not a configured resource", dev);
				else if (!is_stonith(r))
					err(ck, l->line, "fencing-level", l->id,
					    "device '%s' is not a stonith resource", dev);
				if (!p[n])
					break;
				p += n + 1;
			}
		}

		const char *kind = l->target ? "t" : l->target_pattern ? "p" : "a";
		const char *what = l->target ? l->target
			       : l->target_pattern ? l->target_pattern
						   : l->target_attribute;
		if (asprintf(&keys[i], "%s\n%s\n%s\n%d", kind, what,
			     l->target_value ? l->target_value : "", l->index) < 0) {
			keys[i] = NULL;
			ck->oom = true;
			continue;
		}
		void *old = NULL;
		int r = vg_strmap_add(&levels, keys[i], (void *)l, &old);
		if (r == -ENOMEM)
			ck->oom = true;
		else if (r == -EEXIST)
			err(ck, l->line, "fencing-level", l->id,
			    "level %d for '%s' is defined twice (also fencing-level[@id='%s'])",
			    l->index, what, ((const struct vg_fencing_level *)old)->id
						    ? ((const struct vg_fencing_level *)old)->id
						    : "");
	}
	vg_strmap_clear(&levels);
	for (size_t i = 0; i < cib->n_fencing_levels; i++)
		free(keys[i]);
	free(keys);
}

/* ---- status ---- */

static void status_where(char *buf, size_t size, const struct vg_node_state *ns,
			 const struct vg_lrm_resource *r, const struct vg_lrm_op *o)
{
	int off = ns->id ? snprintf(buf, size, "node_state[@id='%s']", ns->id)
			 : snprintf(buf, size, "node_state[@uname='%s']", ns->uname ? ns->uname : "");
	/* The same path the reader gives: ids where the elements have them. */
	if (r && off >= 0 && (size_t)off < size)
		off += snprintf(buf + off, size - (size_t)off, "/lrm%s%s%s/lrm_resources%s%s%s",
				ns->lrm_id ? "[@id='" : "", ns->lrm_id ? ns->lrm_id : "",
				ns->lrm_id ? "']" : "", ns->lrm_resources_id ? "[@id='" : "",
				ns->lrm_resources_id ? ns->lrm_resources_id : "",
				ns->lrm_resources_id ? "']" : "");
	if (r && off >= 0 && (size_t)off < size)
		off += snprintf(buf + off, size - (size_t)off, "/lrm_resource[@id='%s']",
				r->id ? r->id : "");
	if (o && off >= 0 && (size_t)off < size)
		snprintf(buf + off, size - (size_t)off, "/lrm_rsc_op[@id='%s']", o->id ? o->id : "");
}

static void check_status(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	struct vg_strmap states = { 0 }, rscs = { 0 }, ops = { 0 };
	char where[1024];
	for (size_t i = 0; i < cib->n_node_states; i++) {
		const struct vg_node_state *ns = &cib->node_states[i];
		status_where(where, sizeof(where), ns, NULL, NULL);
		if (!ns->id && !ns->uname) {
			err(ck, ns->line, "node_state", NULL, "attribute 'id' or 'uname' is required");
			continue;
		}
		const char *key = ns->id ? ns->id : ns->uname;
		int r = vg_strmap_add(&states, key, (void *)ns, NULL);
		if (r == -EEXIST)
			err(ck, ns->line, where, NULL, "duplicate node_state for node '%s'", key);
		else if (r < 0)
			ck->oom = true;
		vg_strmap_reset(&rscs);
		for (size_t j = 0; j < ns->n_lrm; j++) {
			const struct vg_lrm_resource *lr = &ns->lrm[j];
			status_where(where, sizeof(where), ns, lr, NULL);
			if (!lr->id || !lr->cls || !lr->type) {
				err(ck, lr->line, where, NULL,
				    "attributes 'id', 'class' and 'type' are required");
				continue;
			}
			r = vg_strmap_add(&rscs, lr->id, (void *)lr, NULL);
			if (r == -EEXIST)
				err(ck, lr->line, where, NULL,
				    "duplicate lrm_resource '%s' on this node", lr->id);
			else if (r < 0)
				ck->oom = true;
			vg_strmap_reset(&ops);
			for (size_t k = 0; k < lr->n_ops; k++) {
				const struct vg_lrm_op *o = &lr->ops[k];
				if (!o->id || !o->operation) {
					status_where(where, sizeof(where), ns, lr, o);
					err(ck, o->line, where, NULL,
					    "attributes 'id' and 'operation' are required");
					continue;
				}
				r = vg_strmap_add(&ops, o->id, (void *)o, NULL);
				if (r == -EEXIST) {
					status_where(where, sizeof(where), ns, lr, o);
					err(ck, o->line, where, NULL,
					    "duplicate operation record '%s'", o->id);
				} else if (r < 0) {
					ck->oom = true;
				}
			}
		}
	}
	vg_strmap_clear(&states);
	vg_strmap_clear(&rscs);
	vg_strmap_clear(&ops);
}

/* ---- the document ---- */

static void check_cib_attrs(struct ck *ck)
{
	const struct vg_cib *cib = ck->cib;
	required(ck, 0, "cib", NULL, cib->validate_with, "validate-with");
	if (cib->epoch < 0 || cib->admin_epoch < 0 || cib->num_updates < 0)
		err(ck, 0, "cib", NULL, "admin_epoch, epoch and num_updates must not be negative");
	bool b;
	if (cib->have_quorum && vg_bool_parse(cib->have_quorum, &b) < 0)
		err(ck, 0, "cib", NULL, "attribute 'have-quorum' must be a boolean, not '%s'",
		    cib->have_quorum);
}

int vg_cib_check(const struct vg_cib *cib, struct vg_diags *diags)
{
	struct ck ck = { .d = diags, .cib = cib };
	size_t errors_before = diags->n_errors;
	if (vg_strmap_init(&ck.rscs, cib->n_resources) < 0 ||
	    vg_strmap_init(&ck.unames, cib->n_nodes) < 0 ||
	    vg_strmap_init(&ck.node_ids, cib->n_nodes) < 0) {
		ck.oom = true;
		goto out;
	}
	check_cib_attrs(&ck);
	check_ids(&ck);
	check_nodes(&ck);
	check_properties(&ck);
	check_resources(&ck);
	check_locations(&ck);
	check_colocations(&ck);
	check_orders(&ck);
	check_fencing(&ck);
	check_status(&ck);
out:
	vg_strmap_clear(&ck.ids);
	vg_strmap_clear(&ck.node_ids);
	vg_strmap_clear(&ck.unames);
	vg_strmap_clear(&ck.rscs);
	free(ck.seen);
	if (ck.oom)
		return -ENOMEM;
	return diags->n_errors > errors_before ? -EINVAL : 0;
}
