/*
 * sim_scn.c - schedules: scenario files in, random schedules drawn from a
 * weighted fault menu, and either written back as scenario text (a failing
 * seed can be kept as a scenario file).
 *
 * Scenario file: one command per line, "TIME_MS command args..."; '#' starts
 * a comment; "nodes N" and "vms K" (no time) set the world's size.
 * doc/simulator.md lists the commands.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

void sim_schedule_add(struct sim_schedule *s, const struct sim_cmd *c)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n++] = *c;
}

void sim_schedule_clear(struct sim_schedule *s)
{
	free(s->v);
	*s = (struct sim_schedule){ 0 };
}

/* ---- formatting ---- */

static const char *op_word(enum sim_client_op op)
{
	switch (op) {
	case COP_PROPERTY: return "property";
	case COP_PROPERTY_BAD: return "bad-property";
	case COP_STANDBY: return "standby";
	case COP_MAINTENANCE: return "maintenance";
	case COP_SHOW: return "show";
	case COP_REPLACE: return "replace";
	case COP_REPLACE_UNVERSIONED: return "replace-unversioned";
	case COP_BAD_XML: return "bad-xml";
	case COP_BAD_JSON: return "bad-json";
	case COP_STATUS: return "status";
	case COP_MOVE: return "move";
	}
	return "?";
}

static const char *const MODES[] = { "ok", "fail", "hang", "slow", "down", "up" };
static const char *const INJECT[] = { "random", "bitflip", "truncate", "sender" };

static void nodes_word(const struct sim_cmd *c, char *buf, size_t len)
{
	if (c->all) {
		snprintf(buf, len, "all");
		return;
	}
	buf[0] = '\0';
	for (int i = 1; i <= SIM_MAX_NODES; i++)
		if (c->nodes & (1u << i))
			snprintf(buf + strlen(buf), len - strlen(buf), "%sn%d", buf[0] ? "," : "", i);
}

void sim_cmd_format(const struct sim_cmd *c, char *buf, size_t len)
{
	char nw[96];
	int o = snprintf(buf, len, "%" PRIu64 " ", c->at_ms);
	buf += o;
	len -= (size_t)o;
	switch (c->kind) {
	case CMD_UP:
		nodes_word(c, nw, sizeof(nw));
		snprintf(buf, len, "up %s", nw);
		break;
	case CMD_CRASH: snprintf(buf, len, "crash n%d", c->node); break;
	case CMD_BOOT: snprintf(buf, len, "boot n%d", c->node); break;
	case CMD_SHUTDOWN: snprintf(buf, len, "shutdown n%d", c->node); break;
	case CMD_DAEMON_KILL: snprintf(buf, len, "daemon n%d kill", c->node); break;
	case CMD_DAEMON_STOP: snprintf(buf, len, "daemon n%d stop", c->node); break;
	case CMD_DAEMON_START: snprintf(buf, len, "daemon n%d start", c->node); break;
	case CMD_PARTITION: {
		/* "partition n1,n2 | n3": groups in label order, nodes in order. */
		size_t u = (size_t)snprintf(buf, len, "partition");
		bool first_group = true;
		for (int label = 1; label <= SIM_MAX_NODES + 1 && u < len; label++) {
			bool any = false;
			for (int i = 1; i <= SIM_MAX_NODES && u < len; i++) {
				if (c->part[i] != label)
					continue;
				u += (size_t)snprintf(buf + u, len - u, "%sn%d",
						      any ? "," : first_group ? " " : " | ", i);
				any = true;
			}
			first_group &= !any;
		}
		break;
	}
	case CMD_HEAL: snprintf(buf, len, "heal"); break;
	case CMD_CLIENT: {
		char extra[160] = "";
		if (c->op == COP_PROPERTY || c->op == COP_PROPERTY_BAD)
			snprintf(extra, sizeof(extra), " %s=%s", c->name, c->value);
		else if (c->op == COP_STANDBY)
			snprintf(extra, sizeof(extra), " n%ld %s", c->n, c->value);
		else if (c->op == COP_MAINTENANCE)
			snprintf(extra, sizeof(extra), " %s", strcmp(c->value, "true") ? "off" : "on");
		snprintf(buf, len, "client n%d %s%s%s%s", c->node, op_word(c->op), extra,
			 c->expect[0] ? " expect " : "", c->expect);
		break;
	}
	case CMD_INJECT: snprintf(buf, len, "inject n%d %s", c->node, INJECT[c->mode & 3]); break;
	case CMD_DISK_FAIL: snprintf(buf, len, "disk n%d fail", c->node); break;
	case CMD_DISK_SLOW: snprintf(buf, len, "disk n%d slow %ld", c->node, c->n); break;
	case CMD_DISK_CORRUPT: snprintf(buf, len, "disk n%d corrupt", c->node); break;
	case CMD_QUORUM_SLOW: snprintf(buf, len, "quorum n%d slow %ld", c->node, c->n); break;
	case CMD_TOKEN: snprintf(buf, len, "token %ld", c->n); break;
	case CMD_VM_CRASH: snprintf(buf, len, "vm-crash vm%ld", c->n); break;
	case CMD_FENCE_MODE: snprintf(buf, len, "fence n%d %s", c->node, MODES[c->mode & 3]); break;
	case CMD_HV_MODE: snprintf(buf, len, "hv n%d %s", c->node, MODES[c->mode % 6]); break;
	case CMD_VM_STOP: snprintf(buf, len, "vm-stop vm%ld", c->n); break;
	case CMD_VM_MIGRATE: snprintf(buf, len, "vm-migrate vm%ld n%d", c->n, c->node); break;
	case CMD_EXPECT:
		nodes_word(c, nw, sizeof(nw));
		switch (c->exp) {
		case EXP_EPOCH: snprintf(buf, len, "expect config-epoch %s %ld", nw, c->n); break;
		case EXP_DISK_EPOCH: snprintf(buf, len, "expect disk-epoch %s %ld", nw, c->n); break;
		case EXP_DC:
			if (c->n)
				snprintf(buf, len, "expect dc %s n%ld", nw, c->n);
			else
				snprintf(buf, len, "expect dc %s none", nw);
			break;
		case EXP_QUORATE:
			snprintf(buf, len, "expect quorate %s %s", nw, c->n ? "yes" : "no");
			break;
		case EXP_SAME_CONFIG: snprintf(buf, len, "expect same-config %s", nw); break;
		case EXP_CONVERGED: snprintf(buf, len, "expect converged"); break;
		case EXP_ACKED: snprintf(buf, len, "expect acked %ld", c->n); break;
		case EXP_PROPERTY:
			snprintf(buf, len, "expect property %s %s=%s", nw, c->name, c->value);
			break;
		case EXP_POWERED:
			snprintf(buf, len, "expect powered %s %s", nw, c->n ? "yes" : "no");
			break;
		case EXP_VM_RUNNING:
			if (c->node == SIM_ANY_NODE)
				snprintf(buf, len, "expect vm-running vm%ld any", c->n);
			else if (c->node)
				snprintf(buf, len, "expect vm-running vm%ld n%d", c->n, c->node);
			else
				snprintf(buf, len, "expect vm-running vm%ld none", c->n);
			break;
		}
		break;
	}
}

void sim_schedule_print(const struct sim_schedule *s, FILE *f)
{
	fprintf(f, "nodes %d\n", s->n_nodes);
	if (s->n_vms)
		fprintf(f, "vms %d\n", s->n_vms);
	if (s->seed != 1)
		fprintf(f, "seed %" PRIu64 "\n", s->seed);
	if (s->finally_converge)
		fprintf(f, "finally converge\n");
	if (s->tie_daemons)
		fprintf(f, "tie-daemons\n");
	for (size_t i = 0; i < s->n; i++) {
		char line[256];
		sim_cmd_format(&s->v[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
}

/* ---- parsing ---- */

static int parse_node(const char *w, int max)
{
	if (!w || w[0] != 'n')
		return -1;
	char *end;
	long n = strtol(w + 1, &end, 10);
	if (*end || n < 1 || n > max)
		return -1;
	return (int)n;
}

static int parse_nodes(const char *w, struct sim_cmd *c, int max)
{
	if (!w)
		return -1;
	if (!strcmp(w, "all")) {
		c->all = true;
		return 0;
	}
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", w);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int n = parse_node(t, max);
		if (n < 0)
			return -1;
		c->nodes |= 1u << n;
	}
	return c->nodes ? 0 : -1;
}

static int mode_of(const char *w, const char *const *names, int n)
{
	for (int i = 0; w && i < n; i++)
		if (!strcmp(w, names[i]))
			return i;
	return -1;
}

static bool name_value(const char *w, struct sim_cmd *c)
{
	const char *eq = w ? strchr(w, '=') : NULL;
	if (!eq || eq == w || (size_t)(eq - w) >= sizeof(c->name) || strlen(eq + 1) >= sizeof(c->value))
		return false;
	snprintf(c->name, sizeof(c->name), "%.*s", (int)(eq - w), w);
	snprintf(c->value, sizeof(c->value), "%s", eq + 1);
	return true;
}

/* One command line (after its time), into @c.  Returns an error text or NULL. */
static const char *parse_cmd(char **tok, int nt, struct sim_cmd *c, int max)
{
	const char *k = tok[0];
	if (!strcmp(k, "up")) {
		c->kind = CMD_UP;
		if (nt == 1) {
			c->all = true;
			return NULL;
		}
		for (int i = 1; i < nt; i++)
			if (parse_nodes(tok[i], c, max))
				return "up: bad node list";
		return NULL;
	}
	if (!strcmp(k, "crash") || !strcmp(k, "boot") || !strcmp(k, "shutdown")) {
		c->kind = !strcmp(k, "crash") ? CMD_CRASH : !strcmp(k, "boot") ? CMD_BOOT : CMD_SHUTDOWN;
		c->node = nt == 2 ? parse_node(tok[1], max) : -1;
		return c->node < 0 ? "expected one node (nN)" : NULL;
	}
	if (!strcmp(k, "daemon")) {
		c->node = nt == 3 ? parse_node(tok[1], max) : -1;
		if (c->node < 0)
			return "daemon NODE kill|stop|start";
		if (!strcmp(tok[2], "kill"))
			c->kind = CMD_DAEMON_KILL;
		else if (!strcmp(tok[2], "stop"))
			c->kind = CMD_DAEMON_STOP;
		else if (!strcmp(tok[2], "start"))
			c->kind = CMD_DAEMON_START;
		else
			return "daemon NODE kill|stop|start";
		return NULL;
	}
	if (!strcmp(k, "partition")) {
		c->kind = CMD_PARTITION;
		int label = 1;
		for (int i = 1; i < nt; i++) {
			if (!strcmp(tok[i], "|")) {
				label++;
				continue;
			}
			struct sim_cmd tmp = { 0 };
			if (parse_nodes(tok[i], &tmp, max) || tmp.all)
				return "partition: groups of nodes separated by |";
			for (int n = 1; n <= max; n++)
				if (tmp.nodes & (1u << n))
					c->part[n] = label;
		}
		/* Nodes not named are each on their own. */
		for (int n = 1; n <= max; n++)
			if (!c->part[n])
				c->part[n] = ++label;
		return NULL;
	}
	if (!strcmp(k, "heal")) {
		c->kind = CMD_HEAL;
		return NULL;
	}
	if (!strcmp(k, "token")) {
		c->kind = CMD_TOKEN;
		c->n = nt == 2 ? atol(tok[1]) : 0;
		return c->n > 0 ? NULL : "token MS";
	}
	if (!strcmp(k, "inject")) {
		c->kind = CMD_INJECT;
		c->node = nt >= 2 ? parse_node(tok[1], max) : -1;
		c->mode = nt == 3 ? mode_of(tok[2], INJECT, 4) : 0;
		return c->node < 0 || c->mode < 0 ? "inject NODE [random|bitflip|truncate|sender]" : NULL;
	}
	if (!strcmp(k, "disk")) {
		c->node = nt >= 3 ? parse_node(tok[1], max) : -1;
		if (c->node < 0)
			return "disk NODE fail|corrupt | disk NODE slow MS";
		if (!strcmp(tok[2], "fail") && nt == 3) {
			c->kind = CMD_DISK_FAIL;
			return NULL;
		}
		if (!strcmp(tok[2], "corrupt") && nt == 3) {
			c->kind = CMD_DISK_CORRUPT;
			return NULL;
		}
		if (!strcmp(tok[2], "slow") && nt == 4) {
			c->kind = CMD_DISK_SLOW;
			c->n = atol(tok[3]);
			return NULL;
		}
		return "disk NODE fail|corrupt | disk NODE slow MS";
	}
	if (!strcmp(k, "quorum")) {
		c->kind = CMD_QUORUM_SLOW;
		c->node = nt == 4 ? parse_node(tok[1], max) : -1;
		c->n = nt == 4 && !strcmp(tok[2], "slow") ? atol(tok[3]) : -1;
		return c->node < 0 || c->n < 0 ? "quorum NODE slow MS" : NULL;
	}
	if (!strcmp(k, "vm-crash")) {
		c->kind = CMD_VM_CRASH;
		c->n = nt == 2 && tok[1][0] == 'v' && tok[1][1] == 'm' ? atol(tok[1] + 2) : 0;
		return c->n > 0 ? NULL : "vm-crash vmN";
	}
	if (!strcmp(k, "vm-stop")) {
		c->kind = CMD_VM_STOP;
		c->n = nt == 2 && tok[1][0] == 'v' && tok[1][1] == 'm' ? atol(tok[1] + 2) : 0;
		return c->n > 0 ? NULL : "vm-stop vmN";
	}
	if (!strcmp(k, "vm-migrate")) {
		c->kind = CMD_VM_MIGRATE;
		c->op = COP_MOVE;
		c->n = nt == 3 && tok[1][0] == 'v' && tok[1][1] == 'm' ? atol(tok[1] + 2) : 0;
		c->node = nt == 3 ? parse_node(tok[2], max) : -1;
		return c->n > 0 && c->node > 0 ? NULL : "vm-migrate vmN NODE";
	}
	if (!strcmp(k, "fence") || !strcmp(k, "hv")) {
		c->kind = !strcmp(k, "fence") ? CMD_FENCE_MODE : CMD_HV_MODE;
		c->node = nt == 3 ? parse_node(tok[1], max) : -1;
		bool hv = c->kind == CMD_HV_MODE;
		c->mode = nt == 3 ? mode_of(tok[2], MODES, hv ? 6 : 3) : -1;
		return c->node < 0 || c->mode < 0 ? "fence NODE ok|fail|hang, hv NODE "
						   "ok|fail|hang|slow|down|up" : NULL;
	}
	if (!strcmp(k, "client")) {
		c->kind = CMD_CLIENT;
		c->node = nt >= 3 ? parse_node(tok[1], max) : -1;
		if (c->node < 0)
			return "client NODE OP ...";
		int i = 3;
		const char *op = tok[2];
		if (!strcmp(op, "property") || !strcmp(op, "bad-property")) {
			c->op = op[0] == 'p' ? COP_PROPERTY : COP_PROPERTY_BAD;
			if (nt < 4 || !name_value(tok[3], c))
				return "client NODE property NAME=VALUE";
			i = 4;
		} else if (!strcmp(op, "standby")) {
			c->op = COP_STANDBY;
			int t = nt >= 5 ? parse_node(tok[3], max) : -1;
			if (t < 0 || (strcmp(tok[4], "on") && strcmp(tok[4], "off")))
				return "client NODE standby NODE on|off";
			c->n = t;
			snprintf(c->value, sizeof(c->value), "%s", tok[4]);
			i = 5;
		} else if (!strcmp(op, "maintenance")) {
			c->op = COP_MAINTENANCE;
			if (nt < 4 || (strcmp(tok[3], "on") && strcmp(tok[3], "off")))
				return "client NODE maintenance on|off";
			snprintf(c->name, sizeof(c->name), "maintenance-mode");
			snprintf(c->value, sizeof(c->value), "%s", strcmp(tok[3], "on") ? "false" : "true");
			i = 4;
		} else {
			static const struct { const char *w; enum sim_client_op op; } simple[] = {
				{ "show", COP_SHOW }, { "replace", COP_REPLACE },
				{ "replace-unversioned", COP_REPLACE_UNVERSIONED },
				{ "bad-xml", COP_BAD_XML }, { "bad-json", COP_BAD_JSON },
				{ "status", COP_STATUS },
			};
			size_t s = 0;
			while (s < sizeof(simple) / sizeof(simple[0]) && strcmp(simple[s].w, op))
				s++;
			if (s == sizeof(simple) / sizeof(simple[0]))
				return "unknown client operation";
			c->op = simple[s].op;
		}
		if (i < nt) {
			if (strcmp(tok[i], "expect") || i + 2 != nt)
				return "client ... [expect OUTCOME]";
			snprintf(c->expect, sizeof(c->expect), "%s", tok[i + 1]);
		}
		return NULL;
	}
	if (!strcmp(k, "expect")) {
		c->kind = CMD_EXPECT;
		if (nt < 2)
			return "expect WHAT ...";
		const char *what = tok[1];
		if (!strcmp(what, "converged") && nt == 2) {
			c->exp = EXP_CONVERGED;
			return NULL;
		}
		if (!strcmp(what, "acked") && nt == 3) {
			c->exp = EXP_ACKED;
			c->n = atol(tok[2]);
			return NULL;
		}
		if (!strcmp(what, "vm-running") && nt == 4) {
			c->exp = EXP_VM_RUNNING;
			c->n = tok[2][0] == 'v' ? atol(tok[2] + 2) : 0;
			c->node = !strcmp(tok[3], "none") ? 0 : !strcmp(tok[3], "any") ? SIM_ANY_NODE
										      : parse_node(tok[3], max);
			return c->n > 0 && c->node >= 0 ? NULL : "expect vm-running vmN NODE|none|any";
		}
		if (nt < 3 || parse_nodes(tok[2], c, max))
			return "expect WHAT NODES ...";
		if (!strcmp(what, "same-config") && nt == 3) {
			c->exp = EXP_SAME_CONFIG;
			return NULL;
		}
		if (nt != 4)
			return "expect WHAT NODES VALUE";
		if (!strcmp(what, "config-epoch") || !strcmp(what, "disk-epoch")) {
			c->exp = what[0] == 'c' ? EXP_EPOCH : EXP_DISK_EPOCH;
			c->n = atol(tok[3]);
			return NULL;
		}
		if (!strcmp(what, "dc")) {
			c->exp = EXP_DC;
			c->n = strcmp(tok[3], "none") ? parse_node(tok[3], max) : 0;
			return c->n >= 0 ? NULL : "expect dc NODES NODE|none";
		}
		if (!strcmp(what, "powered")) {
			c->exp = EXP_POWERED;
			c->n = !strcmp(tok[3], "yes");
			return !strcmp(tok[3], "yes") || !strcmp(tok[3], "no") ? NULL
									       : "expect powered NODES yes|no";
		}
		if (!strcmp(what, "quorate")) {
			c->exp = EXP_QUORATE;
			c->n = !strcmp(tok[3], "yes");
			return !strcmp(tok[3], "yes") || !strcmp(tok[3], "no") ? NULL
									       : "expect quorate NODES yes|no";
		}
		if (!strcmp(what, "property")) {
			c->exp = EXP_PROPERTY;
			return name_value(tok[3], c) || (strchr(tok[3], '=') && name_value(tok[3], c))
				       ? NULL : "expect property NODES NAME=VALUE";
		}
		return "unknown expectation";
	}
	return "unknown command";
}

int sim_schedule_parse(const char *path, struct sim_schedule *ret, FILE *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(err, "%s: cannot open: %s\n", path, strerror(errno));
		return -errno;
	}
	struct sim_schedule s = { .n_nodes = 3, .seed = 1 };
	char line[1024];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *tok[64];
		int nt = 0;
		for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t && nt < 64;
		     t = strtok_r(NULL, " \t\r\n", &save))
			tok[nt++] = t;
		if (!nt)
			continue;
		if (!strcmp(tok[0], "seed") && nt == 2) {
			s.seed = strtoull(tok[1], NULL, 0);
			continue;
		}
		if (!strcmp(tok[0], "finally") && nt == 2 && !strcmp(tok[1], "converge")) {
			s.finally_converge = true;
			continue;
		}
		if (!strcmp(tok[0], "tie-daemons") && nt == 1) {
			s.tie_daemons = true;
			continue;
		}
		if (!strcmp(tok[0], "known-bug")) {
			snprintf(s.known_bug, sizeof(s.known_bug), "%s", nt > 1 ? tok[1] : "?");
			continue;
		}
		if (!strcmp(tok[0], "nodes") || !strcmp(tok[0], "vms")) {
			long v = nt == 2 ? atol(tok[1]) : -1;
			if (tok[0][0] == 'n' && (v < 1 || v > SIM_MAX_NODES - 1)) {
				fprintf(err, "%s:%d: nodes 1..%d\n", path, lineno, SIM_MAX_NODES - 1);
				rc = -EINVAL;
			} else if (tok[0][0] == 'v' && (v < 0 || v > SIM_MAX_VMS)) {
				fprintf(err, "%s:%d: vms 0..%d\n", path, lineno, SIM_MAX_VMS);
				rc = -EINVAL;
			} else if (tok[0][0] == 'n') {
				s.n_nodes = (int)v;
			} else {
				s.n_vms = (int)v;
			}
			continue;
		}
		char *end;
		unsigned long long at = strtoull(tok[0], &end, 10);
		if (*end || nt < 2 || !isdigit((unsigned char)tok[0][0])) {
			fprintf(err, "%s:%d: expected \"TIME_MS command ...\"\n", path, lineno);
			rc = -EINVAL;
			continue;
		}
		struct sim_cmd c = { .at_ms = at, .line = lineno };
		const char *e = parse_cmd(tok + 1, nt - 1, &c, s.n_nodes);
		if (e) {
			fprintf(err, "%s:%d: %s\n", path, lineno, e);
			rc = -EINVAL;
			continue;
		}
		if (s.n && s.v[s.n - 1].at_ms > at) {
			fprintf(err, "%s:%d: times must not go back\n", path, lineno);
			rc = -EINVAL;
			continue;
		}
		sim_schedule_add(&s, &c);
	}
	fclose(f);
	if (rc) {
		sim_schedule_clear(&s);
		return rc;
	}
	*ret = s;
	return 0;
}

/* ---- random schedules: the weighted fault menu ---- */

enum menu {
	M_CRASH, M_BOOT, M_SHUTDOWN, M_PARTITION, M_HEAL, M_DKILL, M_DSTART, M_DSTOP,
	M_PROPERTY, M_CONCURRENT, M_SHOW_REPLACE, M_BAD_INPUT, M_ADMIN, M_INJECT, M_DISK,
	M_VM_CRASH, M_FENCE, M_HV, M_VM_MIGRATE, M_COUNT,
};

static const unsigned WEIGHT[M_COUNT] = {
	[M_CRASH] = 7, [M_BOOT] = 8, [M_SHUTDOWN] = 2, [M_PARTITION] = 8, [M_HEAL] = 7,
	[M_DKILL] = 5, [M_DSTART] = 6, [M_DSTOP] = 2, [M_PROPERTY] = 22, [M_CONCURRENT] = 6,
	[M_SHOW_REPLACE] = 5, [M_BAD_INPUT] = 4, [M_ADMIN] = 4, [M_INJECT] = 3, [M_DISK] = 4,
	[M_VM_CRASH] = 3, [M_FENCE] = 2, [M_HV] = 2, [M_VM_MIGRATE] = 3,
};

static const char *const PROPS[][4] = {
	{ "stonith-enabled", "true", "false", NULL },
	{ "no-quorum-policy", "stop", "freeze", "ignore" },
	{ "symmetric-cluster", "true", "false", NULL },
	{ "stonith-timeout", "60s", "90s", "120s" },
	{ "cluster-delay", "60s", "30s", NULL },
};

static void random_property(struct sim_rng *r, struct sim_cmd *c, int n_vms)
{
	size_t np = sizeof(PROPS) / sizeof(PROPS[0]);
	const char *const *p = PROPS[sim_rng_below(r, np)];
	int nv = p[3] ? 3 : 2;
	c->op = COP_PROPERTY;
	snprintf(c->name, sizeof(c->name), "%s", p[0]);
	snprintf(c->value, sizeof(c->value), "%s", p[1 + sim_rng_below(r, (uint64_t)nv)]);
	/* With VMs, fencing stays on: stonith-enabled=false tells the cores to
	 * recover a lost node's VMs without fencing it, which runs them twice
	 * when the node was only cut off (Pacemaker's documented risk; the
	 * selftest plants exactly that). */
	if (n_vms && !strcmp(p[0], "stonith-enabled"))
		snprintf(c->value, sizeof(c->value), "true");
}

static bool menu_off(int m, int n_vms, unsigned menu)
{
	if (m >= M_VM_CRASH && !n_vms)
		return true;
	if ((menu & SIM_MENU_NO_HV_FAULTS) && m == M_HV)
		return true;
	return (menu & SIM_MENU_TIE_DAEMONS) && (m == M_DKILL || m == M_DSTART || m == M_DSTOP);
}

void sim_schedule_random(struct sim_schedule *s, uint64_t seed, int n_nodes, int n_vms,
			 uint64_t fault_ms, unsigned menu)
{
	struct sim_rng r;
	sim_rng_seed(&r, seed);
	*s = (struct sim_schedule){ .n_nodes = n_nodes, .n_vms = n_vms, .seed = seed,
				    .finally_converge = true,
				    .tie_daemons = menu & SIM_MENU_TIE_DAEMONS };
	struct sim_cmd up = { .at_ms = 0, .kind = CMD_UP, .all = true };
	sim_schedule_add(s, &up);
	unsigned total = 0;
	for (int m = 0; m < M_COUNT; m++)
		total += menu_off(m, n_vms, menu) ? 0 : WEIGHT[m];
	uint64_t t = 2000;
	while (t < 2000 + fault_ms) {
		/* Mostly quick succession (interleavings inside one token timeout),
		 * sometimes long quiet periods (rounds complete, timers fire). */
		uint64_t roll = sim_rng_below(&r, 100);
		t += roll < 35 ? sim_rng_below(&r, 20) : roll < 85 ? sim_rng_range(&r, 20, 1500)
								    : sim_rng_range(&r, 1500, 8000);
		unsigned pick = (unsigned)sim_rng_below(&r, total);
		int m = 0;
		for (; m < M_COUNT; m++) {
			unsigned wgt = menu_off(m, n_vms, menu) ? 0 : WEIGHT[m];
			if (pick < wgt)
				break;
			pick -= wgt;
		}
		struct sim_cmd c = { .at_ms = t, .node = 1 + (int)sim_rng_below(&r, (uint64_t)n_nodes) };
		switch (m) {
		case M_CRASH: c.kind = CMD_CRASH; break;
		case M_BOOT: c.kind = CMD_BOOT; break;
		case M_SHUTDOWN: c.kind = CMD_SHUTDOWN; break;
		case M_PARTITION: {
			c.kind = CMD_PARTITION;
			int groups = 2 + (int)sim_rng_below(&r, 2);
			for (int i = 1; i <= n_nodes; i++)
				c.part[i] = 1 + (int)sim_rng_below(&r, (uint64_t)groups);
			/* Labels by first appearance, as a scenario file numbers its
			 * groups: the schedule prints and parses back to the same. */
			int map[SIM_MAX_NODES + 2] = { 0 }, next = 0;
			for (int i = 1; i <= n_nodes; i++) {
				if (!map[c.part[i]])
					map[c.part[i]] = ++next;
				c.part[i] = map[c.part[i]];
			}
			c.node = 0;
			break;
		}
		case M_HEAL: c.kind = CMD_HEAL; c.node = 0; break;
		case M_DKILL: c.kind = CMD_DAEMON_KILL; break;
		case M_DSTART: c.kind = CMD_DAEMON_START; break;
		case M_DSTOP: c.kind = CMD_DAEMON_STOP; break;
		case M_PROPERTY:
			c.kind = CMD_CLIENT;
			random_property(&r, &c, n_vms);
			break;
		case M_CONCURRENT: {
			int k = 2 + (int)sim_rng_below(&r, 2);
			for (int i = 0; i < k; i++) {
				struct sim_cmd x = { .at_ms = t, .kind = CMD_CLIENT,
						     .node = 1 + (int)sim_rng_below(&r, (uint64_t)n_nodes) };
				random_property(&r, &x, n_vms);
				if (i < k - 1)
					sim_schedule_add(s, &x);
				else
					c = x;
			}
			break;
		}
		case M_SHOW_REPLACE: {
			c.kind = CMD_CLIENT;
			c.op = sim_rng_pct(&r, 50) ? COP_SHOW
			       : sim_rng_pct(&r, 85) ? COP_REPLACE : COP_REPLACE_UNVERSIONED;
			break;
		}
		case M_BAD_INPUT: {
			c.kind = CMD_CLIENT;
			uint64_t b = sim_rng_below(&r, 3);
			c.op = b == 0 ? COP_PROPERTY_BAD : b == 1 ? COP_BAD_XML : COP_BAD_JSON;
			if (c.op == COP_PROPERTY_BAD) {
				snprintf(c.name, sizeof(c.name), "stonith-enabled");
				snprintf(c.value, sizeof(c.value), "perhaps");
			}
			break;
		}
		case M_ADMIN:
			c.kind = CMD_CLIENT;
			if (sim_rng_pct(&r, 60)) {
				c.op = COP_STANDBY;
				c.n = 1 + (long)sim_rng_below(&r, (uint64_t)n_nodes);
				snprintf(c.value, sizeof(c.value), "%s", sim_rng_pct(&r, 50) ? "on" : "off");
			} else {
				c.op = COP_MAINTENANCE;
				snprintf(c.name, sizeof(c.name), "maintenance-mode");
				snprintf(c.value, sizeof(c.value), "%s",
					 sim_rng_pct(&r, 50) ? "true" : "false");
			}
			break;
		case M_INJECT:
			c.kind = CMD_INJECT;
			c.mode = (int)sim_rng_below(&r, 4);
			break;
		case M_DISK:
			if (sim_rng_pct(&r, 25)) {
				/* Not a disk, but rare and local too: the quorum service
				 * answers late (the core holds changes meanwhile). */
				c.kind = CMD_QUORUM_SLOW;
				c.n = (long)sim_rng_range(&r, 10, 7000);
			} else if (sim_rng_pct(&r, 60)) {
				c.kind = CMD_DISK_FAIL;
			} else {
				c.kind = CMD_DISK_SLOW;
				c.n = (long)sim_rng_range(&r, 50, 3000);
			}
			break;
		case M_VM_CRASH:
			/* The VM crashes, or its guest shuts itself down. */
			c.kind = sim_rng_pct(&r, 70) ? CMD_VM_CRASH : CMD_VM_STOP;
			c.n = 1 + (long)sim_rng_below(&r, (uint64_t)n_vms);
			c.node = 0;
			break;
		case M_VM_MIGRATE:
			c.kind = CMD_VM_MIGRATE;
			c.op = COP_MOVE;
			c.n = 1 + (long)sim_rng_below(&r, (uint64_t)n_vms);
			break;
		case M_FENCE:
			c.kind = CMD_FENCE_MODE;
			c.mode = (int)sim_rng_below(&r, 3);
			break;
		default:
			c.kind = CMD_HV_MODE;
			c.mode = (int)sim_rng_below(&r, 6);
			break;
		}
		sim_schedule_add(s, &c);
	}
}
