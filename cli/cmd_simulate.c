/*
 * cmd_simulate.c - `vigil simulate -x FILE [--output-as text|json]
 *                   [--show-scores] [--now TIME] [--run]`
 *
 * Our crm_simulate: read a cluster document, run the policy engine on it
 * offline (no daemon), and show what the cluster would do and why.  --run
 * pretends every action succeeded and shows the status that results.
 *
 * The engine never reads a clock, so "now" is chosen here: --now when given,
 * else the document's execution-date (Pacemaker saves one with each scheduler
 * input), else the newest last-rc-change in its history, so that the same
 * file always gives the same answer; only a document without any of those is
 * judged at the current time.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cib.h"
#include "cib_xml.h"
#include "cli.h"
#include "diag.h"
#include "policy.h"

struct sim_opts {
	const char *file;
	bool json;
	bool show_scores;
	bool run;
	bool have_now;
	bool timing;
	int64_t now;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil simulate -x FILE [--output-as text|json] [--show-scores]\n"
		"                      [--now TIME] [--run]\n"
		"\n"
		"Computes offline what the cluster would do with the document FILE ('-' for\n"
		"standard input): which nodes to fence, which VMs to start, stop, restart or\n"
		"migrate, where every VM ends up, and why VMs are left stopped.\n"
		"\n"
		"  -x, --xml-file FILE   the cluster document (configuration and status)\n"
		"  -o, --output-as FMT   text (default) or json\n"
		"  -s, --show-scores     also show every resource's score on every node\n"
		"  -t, --now TIME        judge time-dependent rules (failure-timeout) at TIME:\n"
		"                        seconds since the epoch, or ISO 8601 such as\n"
		"                        2024-05-01T12:00:00Z (default: the document's\n"
		"                        execution-date, else its newest operation)\n"
		"  -r, --run             apply the transition and show the revised status\n"
		"      --timing          print to stderr how long parsing, deciding and output took\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 done, 1 could not read FILE, 2 bad arguments, 6 invalid document.\n");
}

static int days_from_civil(int y, int m, int d)
{
	/* days since 1970-01-01 of a proleptic Gregorian date */
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static bool parse_digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*ret = v;
	return true;
}

/* Seconds since the epoch, or an ISO 8601 date-time (UTC unless an offset is
 * given): YYYY-MM-DD or YYYY-DDD (ordinal), then [(T| )HH:MM[:SS]] and
 * [Z|(+|-)HH[:MM]]. */
static int parse_time(const char *s, int64_t *ret)
{
	const char *p = s;
	int y, mo = 1, d = 1, h = 0, mi = 0, se = 0;

	if (!*s)
		return -EINVAL;
	bool digits = true;

	for (const char *q = s; *q; q++)
		if (*q < '0' || *q > '9')
			digits = false;
	if (digits) {
		char *end;
		long long v = strtoll(s, &end, 10);

		if (*end)
			return -EINVAL;
		*ret = v;
		return 0;
	}
	int64_t day;

	if (!parse_digits(&p, 4, &y) || *p++ != '-')
		return -EINVAL;
	if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
	    p[2] <= '9' && (p[3] == '\0' || p[3] == 'T' || p[3] == ' ' || p[3] == 'Z')) {
		/* ordinal date: YYYY-DDD */
		int yday;

		if (!parse_digits(&p, 3, &yday) || yday < 1 || yday > 366)
			return -EINVAL;
		day = days_from_civil(y, 1, 1) + yday - 1;
	} else {
		if (!parse_digits(&p, 2, &mo) || *p++ != '-' || !parse_digits(&p, 2, &d))
			return -EINVAL;
		if (mo < 1 || mo > 12 || d < 1 || d > 31)
			return -EINVAL;
		day = days_from_civil(y, mo, d);
	}
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!parse_digits(&p, 2, &h) || *p++ != ':' || !parse_digits(&p, 2, &mi))
			return -EINVAL;
		if (*p == ':') {
			p++;
			if (!parse_digits(&p, 2, &se))
				return -EINVAL;
		}
		if (h > 23 || mi > 59 || se > 60)
			return -EINVAL;
	}
	int64_t offset = 0;

	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;

		if (!parse_digits(&p, 2, &oh))
			return -EINVAL;
		if (*p == ':')
			p++;
		if (*p && !parse_digits(&p, 2, &om))
			return -EINVAL;
		offset = sign * (oh * 3600 + om * 60);
	}
	if (*p)
		return -EINVAL;
	*ret = day * 86400 + h * 3600 + mi * 60 + se - offset;
	return 0;
}

static int64_t document_time(const struct vg_cib *cib, bool *found)
{
	const char *ed = vg_attrs_get(&cib->extra, "execution-date");
	int64_t best = 0;

	*found = false;
	if (ed && parse_time(ed, &best) == 0) {
		*found = true;
		return best;
	}
	for (size_t i = 0; i < cib->n_node_states; i++) {
		const struct vg_node_state *st = &cib->node_states[i];

		for (size_t l = 0; l < st->n_lrm; l++)
			for (size_t o = 0; o < st->lrm[l].n_ops; o++) {
				const struct vg_lrm_op *op = &st->lrm[l].ops[o];

				if (op->has_last_rc_change && op->last_rc_change > best) {
					best = op->last_rc_change;
					*found = true;
				}
			}
	}
	return best;
}

/* ---- text ---- */

/* The placement lists the configured resources in document order, so the
 * i-th placement is the i-th primitive: no search per line. */
static const char *rsc_kind(const struct vg_cib *cib, size_t i, const char *id, char *buf,
			    size_t len)
{
	const struct vg_resource *r = i < cib->n_resources ? &cib->resources[i] : NULL;

	if (!r || strcmp(r->id, id))
		return "?";
	if (r->provider)
		snprintf(buf, len, "%s:%s:%s", r->cls ? r->cls : "?", r->provider,
			 r->type ? r->type : "?");
	else
		snprintf(buf, len, "%s:%s", r->cls ? r->cls : "?", r->type ? r->type : "?");
	return buf;
}

static void print_status(const struct vg_cib *cib, const struct pol_transition *tr,
			 const char *title, bool after)
{
	char kind[256];

	printf("%s:\n  * Node List:\n", title);
	for (size_t n = 0; n < tr->n_nodes; n++) {
		const struct pol_node *nd = &tr->nodes[n];

		switch (nd->state) {
		case POL_NODE_UNCLEAN:
			printf("    * Node %s: UNCLEAN (%s): %s\n", nd->name,
			       nd->online ? "online" : "offline", nd->unclean_reason);
			break;
		case POL_NODE_OFFLINE:
			printf("    * Node %s: OFFLINE\n", nd->name);
			break;
		default:
			printf("    * Node %s: %s\n", nd->name, pol_node_state_name(nd->state));
			break;
		}
	}
	printf("\n  * Full List of Resources:\n");
	for (size_t i = 0; i < tr->n_placement; i++) {
		const struct pol_placement *p = &tr->placement[i];
		/* before: where it runs now; after --run: recomputed from the new status */
		const char *where = p->current;

		(void)after;
		printf("    * %s\t(%s):\t ", p->resource, rsc_kind(cib, i, p->resource, kind, sizeof(kind)));
		if (!where)
			printf("Stopped");
		else if (p->failed)
			printf("FAILED %s", where);
		else
			printf("Started %s", where);
		if (p->n_active > 1)
			printf(" (active on %zu nodes)", p->n_active);
		if (!p->managed)
			printf(" (%s)", p->reason ? p->reason : "unmanaged");
		printf("\n");
	}
	printf("\n");
}

static size_t width_of(const struct pol_transition *tr)
{
	size_t w = 0;

	for (size_t i = 0; i < tr->n_placement; i++)
		if (strlen(tr->placement[i].resource) > w)
			w = strlen(tr->placement[i].resource);
	return w;
}

static void print_summary(const struct pol_transition *tr)
{
	int w = (int)width_of(tr);

	printf("Transition Summary:\n");
	for (size_t i = 0; i < tr->n_actions; i++) {
		const struct pol_action *a = &tr->actions[i];

		if (a->op == POL_OP_FENCE)
			printf("  * Fence (reboot) %s '%s'\n", a->node, a->reason);
	}
	for (size_t i = 0; i < tr->n_actions && tr->n_orphans; i++) {
		const struct pol_action *a = &tr->actions[i];

		for (size_t k = 0; k < tr->n_orphans; k++)
			if (a->op == POL_OP_STOP && !strcmp(a->resource, tr->orphans[k]))
				printf("  * %-10s %-*s ( %s )  due to it being no longer configured\n",
				       "Stop", w, a->resource, a->node);
	}
	for (size_t i = 0; i < tr->n_placement; i++) {
		const struct pol_placement *p = &tr->placement[i];
		const char *verb = NULL;

		switch (p->change) {
		case POL_CHANGE_START: verb = "Start"; break;
		case POL_CHANGE_STOP: verb = "Stop"; break;
		case POL_CHANGE_MOVE: verb = "Move"; break;
		case POL_CHANGE_MIGRATE: verb = "Migrate"; break;
		case POL_CHANGE_RECOVER: verb = "Recover"; break;
		case POL_CHANGE_RESTART: verb = "Restart"; break;
		case POL_CHANGE_NONE:
			break;
		}
		if (!verb) {
			if (p->blocked && p->managed)
				printf("  * %-10s %-*s ( %s )  blocked: %s\n", p->current ? "Stop" : "Start",
				       w, p->resource, p->current ? p->current : "-", p->reason);
			continue;
		}
		if (p->change == POL_CHANGE_START)
			printf("  * %-10s %-*s ( %s )\n", verb, w, p->resource, p->node);
		else if (p->change == POL_CHANGE_STOP)
			for (size_t k = 0; k < p->n_active; k++) {
				if (p->node && !strcmp(p->node, p->active[k]))
					continue;
				printf("  * %-10s %-*s ( %s )  due to %s\n", verb, w, p->resource,
				       p->active[k], p->reason ? p->reason : "node availability");
			}
		else if (p->node && p->current && strcmp(p->node, p->current))
			printf("  * %-10s %-*s ( %s -> %s )\n", verb, w, p->resource, p->current,
			       p->node);
		else
			printf("  * %-10s %-*s ( %s )\n", verb, w, p->resource,
			       p->node ? p->node : p->current);
	}
	printf("\n");
}

static void print_actions(const struct pol_transition *tr)
{
	printf("Actions:\n");
	if (!tr->n_actions)
		printf("  (none)\n");
	for (size_t i = 0; i < tr->n_actions; i++) {
		const struct pol_action *a = &tr->actions[i];

		printf("  %3u %-8s", a->id, pol_op_name(a->op));
		if (a->op == POL_OP_FENCE)
			printf(" %s", a->node);
		else if (a->op == POL_OP_MIGRATE)
			printf(" %s %s -> %s", a->resource, a->from, a->to);
		else
			printf(" %s on %s", a->resource, a->node);
		if (a->n_after) {
			printf("  after");
			for (size_t j = 0; j < a->n_after; j++)
				printf("%s%u", j ? "," : " ", a->after[j]);
		}
		if (a->reason)
			printf("  (%s)", a->reason);
		printf("\n");
	}
	printf("\n");
}

static void print_stopped(const struct pol_transition *tr)
{
	bool any = false;

	for (size_t i = 0; i < tr->n_placement; i++) {
		const struct pol_placement *p = &tr->placement[i];

		if (p->node)
			continue;
		if (!any)
			printf("Left stopped:\n");
		any = true;
		printf("  * %s: %s\n", p->resource, p->reason ? p->reason : "no node fits");
	}
	if (any)
		printf("\n");
}

static void print_scores_text(const struct pol_transition *tr)
{
	if (!tr->scores)
		return;
	printf("Allocation scores:\n");
	for (size_t r = 0; r < tr->n_placement; r++)
		for (size_t n = 0; n < tr->n_nodes; n++) {
			int s = tr->scores[r * tr->n_nodes + n];

			printf("  %s allocation score on %s: ", tr->placement[r].resource,
			       tr->nodes[n].name);
			if (s >= VG_SCORE_INFINITY)
				printf("INFINITY\n");
			else if (s <= -VG_SCORE_INFINITY)
				printf("-INFINITY\n");
			else
				printf("%d\n", s);
		}
	printf("\n");
}

static void print_warnings(const struct pol_transition *tr, const struct vg_diags *diags,
			   const char *file)
{
	for (size_t i = 0; i < tr->n_warnings; i++)
		printf("Warning: %s\n", tr->warnings[i]);
	if (diags->n)
		vg_diags_print(diags, file, stderr);
}

/* ---- json ---- */

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *json_placement(const struct pol_transition *tr)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < tr->n_placement; i++) {
		const struct pol_placement *p = &tr->placement[i];

		if (p->n_active > 1 && (p->blocked || !p->managed)) {
			/* left active on several nodes: say all of them */
			json_object *arr = json_object_new_array();

			for (size_t k = 0; k < p->n_active; k++)
				json_object_array_add(arr, jstr(p->active[k]));
			json_object_object_add(o, p->resource, arr);
		} else {
			json_object_object_add(o, p->resource, jstr(p->node));
		}
	}
	return o;
}

static json_object *json_nodes(const struct pol_transition *tr)
{
	json_object *o = json_object_new_object();

	for (size_t n = 0; n < tr->n_nodes; n++) {
		const struct pol_node *nd = &tr->nodes[n];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "state", jstr(pol_node_state_name(nd->state)));
		json_object_object_add(j, "online", json_object_new_boolean(nd->online));
		json_object_object_add(j, "fenced", json_object_new_boolean(nd->fenced));
		if (nd->unclean_reason)
			json_object_object_add(j, "reason", jstr(nd->unclean_reason));
		json_object_object_add(o, nd->name, j);
	}
	return o;
}

static json_object *json_current(const struct pol_transition *tr)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < tr->n_placement; i++)
		json_object_object_add(o, tr->placement[i].resource, jstr(tr->placement[i].current));
	return o;
}

static json_object *json_transition(const struct pol_transition *tr)
{
	json_object *root = json_object_new_object();
	json_object *actions = json_object_new_array();

	for (size_t i = 0; i < tr->n_actions; i++) {
		const struct pol_action *a = &tr->actions[i];
		json_object *j = json_object_new_object();
		json_object *after = json_object_new_array();

		json_object_object_add(j, "id", json_object_new_int((int)a->id));
		json_object_object_add(j, "op", jstr(pol_op_name(a->op)));
		if (a->resource)
			json_object_object_add(j, "resource", jstr(a->resource));
		if (a->op == POL_OP_MIGRATE) {
			json_object_object_add(j, "from", jstr(a->from));
			json_object_object_add(j, "to", jstr(a->to));
		} else {
			json_object_object_add(j, "node", jstr(a->node));
		}
		for (size_t k = 0; k < a->n_after; k++)
			json_object_array_add(after, json_object_new_int((int)a->after[k]));
		json_object_object_add(j, "after", after);
		if (a->reason)
			json_object_object_add(j, "reason", jstr(a->reason));
		json_object_array_add(actions, j);
	}
	json_object_object_add(root, "actions", actions);
	json_object_object_add(root, "placement", json_placement(tr));

	json_object *changes = json_object_new_object();
	json_object *stopped = json_object_new_object();
	json_object *blocked = json_object_new_object();

	for (size_t i = 0; i < tr->n_placement; i++) {
		const struct pol_placement *p = &tr->placement[i];

		if (p->change != POL_CHANGE_NONE)
			json_object_object_add(changes, p->resource, jstr(pol_change_name(p->change)));
		if (!p->node)
			json_object_object_add(stopped, p->resource,
					       jstr(p->reason ? p->reason : "no node fits"));
		if (p->blocked)
			json_object_object_add(blocked, p->resource, jstr(p->reason));
	}
	json_object *orphans = json_object_new_array();

	for (size_t i = 0; i < tr->n_orphans; i++)
		json_object_array_add(orphans, jstr(tr->orphans[i]));
	json_object_object_add(root, "orphans", orphans);
	json_object_object_add(root, "changes", changes);
	json_object_object_add(root, "stopped_reasons", stopped);
	json_object_object_add(root, "blocked", blocked);
	json_object_object_add(root, "current", json_current(tr));
	json_object_object_add(root, "nodes", json_nodes(tr));
	json_object_object_add(root, "have_quorum", json_object_new_boolean(tr->have_quorum));

	json_object *warnings = json_object_new_array();

	for (size_t i = 0; i < tr->n_warnings; i++)
		json_object_array_add(warnings, jstr(tr->warnings[i]));
	json_object_object_add(root, "warnings", warnings);

	if (tr->scores) {
		json_object *scores = json_object_new_object();

		for (size_t r = 0; r < tr->n_placement; r++) {
			json_object *row = json_object_new_object();

			for (size_t n = 0; n < tr->n_nodes; n++)
				json_object_object_add(row, tr->nodes[n].name,
					json_object_new_int(tr->scores[r * tr->n_nodes + n]));
			json_object_object_add(scores, tr->placement[r].resource, row);
		}
		json_object_object_add(root, "scores", scores);
	}
	return root;
}

/* ---- the verb ---- */

static int parse_args(int argc, char **argv, struct sim_opts *o)
{
	static const struct option longopts[] = {
		{ "xml-file", required_argument, NULL, 'x' },
		{ "output-as", required_argument, NULL, 'o' },
		{ "show-scores", no_argument, NULL, 's' },
		{ "now", required_argument, NULL, 't' },
		{ "run", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "timing", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "x:o:st:rh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'x':
			o->file = optarg;
			break;
		case 'o':
			if (!strcmp(optarg, "json")) {
				o->json = true;
			} else if (!strcmp(optarg, "text")) {
				o->json = false;
			} else {
				fprintf(stderr, "vigil simulate: unknown output format '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 's':
			o->show_scores = true;
			break;
		case 't':
			if (parse_time(optarg, &o->now) < 0) {
				fprintf(stderr, "vigil simulate: --now: not a time: '%s'\n", optarg);
				return -EINVAL;
			}
			o->have_now = true;
			break;
		case 'r':
			o->run = true;
			break;
		case 'h':
			return 1;
		case 'T':
			o->timing = true;
			break;
		default:
			fprintf(stderr, "vigil simulate: bad option '%s'\n", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigil simulate: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->file) {
		fprintf(stderr, "vigil simulate: -x FILE is required\n");
		return -EINVAL;
	}
	return 0;
}

int cli_cmd_simulate(int argc, char **argv)
{
	struct sim_opts o = { 0 };
	struct vg_diags diags = { 0 };
	struct vg_cib *cib = NULL;
	struct pol_transition *tr = NULL, *revised = NULL;
	int r, status = CLI_EXIT_OK;

	r = parse_args(argc, argv, &o);
	if (r == 1) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (r < 0) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}

	double t0 = now_ms();

	r = vg_cib_read_file(o.file, &cib, &diags);
	double t1 = now_ms();
	if (r < 0) {
		vg_diags_print(&diags, o.file, stderr);
		if (r == -EINVAL) {
			status = CLI_EXIT_INVALID;
		} else {
			fprintf(stderr, "vigil simulate: %s: %s\n", o.file, strerror(-r));
			status = CLI_EXIT_FAILED;
		}
		goto out;
	}
	vg_diags_clear(&diags);

	if (!o.have_now) {
		bool found;

		o.now = document_time(cib, &found);
		if (!found)
			o.now = (int64_t)time(NULL);
	}

	struct pol_options popt = { .want_scores = o.show_scores };

	r = pol_compute(cib, o.now, &popt, &tr, &diags);
	double t2 = now_ms();

	if (r < 0) {
		vg_diags_print(&diags, o.file, stderr);
		if (r == -EINVAL) {
			status = CLI_EXIT_INVALID;
		} else {
			fprintf(stderr, "vigil simulate: %s\n", strerror(-r));
			status = CLI_EXIT_FAILED;
		}
		goto out;
	}
	if (o.run) {
		struct vg_diags d2 = { 0 };

		/* the document is ours: apply in place, then look again */
		r = pol_transition_apply(tr, cib, o.now);
		if (r == 0)
			r = pol_compute(cib, o.now, NULL, &revised, &d2);
		vg_diags_clear(&d2);
		if (r < 0) {
			fprintf(stderr, "vigil simulate: --run: %s\n", strerror(-r));
			status = CLI_EXIT_FAILED;
			goto out;
		}
	}

	if (o.json) {
		json_object *root = json_transition(tr);

		if (revised) {
			json_object *rev = json_object_new_object();

			json_object_object_add(rev, "placement", json_current(revised));
			json_object_object_add(rev, "nodes", json_nodes(revised));
			json_object_object_add(root, "revised", rev);
		}
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
		if (diags.n)
			vg_diags_print(&diags, o.file, stderr);
	} else {
		print_status(cib, tr, "Current cluster status", false);
		print_summary(tr);
		print_actions(tr);
		print_stopped(tr);
		if (o.show_scores)
			print_scores_text(tr);
		print_warnings(tr, &diags, o.file);
		if (revised)
			print_status(cib, revised, "Revised cluster status", true);
	}
	fflush(stdout);
	if (o.timing)
		fprintf(stderr, "timing: parse_ms=%.1f decide_ms=%.1f output_ms=%.1f\n",
			t1 - t0, t2 - t1, now_ms() - t2);
out:
	pol_transition_free(tr);
	pol_transition_free(revised);
	vg_cib_free(cib);
	vg_diags_clear(&diags);
	return status;
}
