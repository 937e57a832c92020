/*
 * pol_rule.c - rules of rsc_location constraints, evaluated on one node.
 *
 * Comparisons follow Pacemaker: without an explicit type, eq/ne compare
 * strings (ignoring case) and lt/gt/lte/gte compare numbers, as reals when
 * either side has a '.', else as integers; a value that does not parse as the
 * requested type falls back to a string comparison.  An undefined attribute
 * is unequal to everything and neither less nor greater than anything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pol_int.h"

static int lower(int ch)
{
	return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch;
}

static int strcmp_i(const char *a, const char *b)
{
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return lower((unsigned char)*a) - lower((unsigned char)*b);
}

static bool parse_real(const char *s, double *ret)
{
	char *end;

	if (!s || !*s)
		return false;
	double v = strtod(s, &end);

	if (end == s)
		return false;
	while (*end == ' ')
		end++;
	if (*end)
		return false;
	*ret = v;
	return true;
}

static bool parse_integer(const char *s, long long *ret)
{
	char *end;

	if (!s || !*s)
		return false;
	long long v = strtoll(s, &end, 10);

	if (end == s)
		return false;
	/* Pacemaker takes the integer part of "10.4" */
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	while (*end == ' ')
		end++;
	if (*end)
		return false;
	*ret = v;
	return true;
}

static int compare_version(const char *a, const char *b)
{
	while (*a || *b) {
		long long x = 0, y = 0;

		while (*a >= '0' && *a <= '9')
			x = x * 10 + (*a++ - '0');
		while (*b >= '0' && *b <= '9')
			y = y * 10 + (*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		else if (*a)
			break;
		if (*b == '.')
			b++;
		else if (*b)
			break;
	}
	return 0;
}

static int compare(const char *l, const char *r, enum vg_expr_type type, enum vg_expr_op op)
{
	if (!l || !r) {
		if (!l && !r)
			return 0;
		return l ? 1 : -1;
	}
	if (type == VG_EXPR_TYPE_DEFAULT) {
		if (op == VG_EXPR_EQ || op == VG_EXPR_NE)
			type = VG_EXPR_TYPE_STRING;
		else if (strchr(l, '.') || strchr(r, '.'))
			type = VG_EXPR_TYPE_NUMBER;
		else
			type = VG_EXPR_TYPE_INTEGER;
	}
	switch (type) {
	case VG_EXPR_TYPE_INTEGER: {
		long long x, y;

		if (parse_integer(l, &x) && parse_integer(r, &y))
			return x < y ? -1 : (x > y);
		break;
	}
	case VG_EXPR_TYPE_NUMBER: {
		double x, y;

		if (parse_real(l, &x) && parse_real(r, &y))
			return x < y ? -1 : (x > y);
		break;
	}
	case VG_EXPR_TYPE_VERSION:
		return compare_version(l, r);
	default:
		break;
	}
	return strcmp_i(l, r);
}

static bool expr_eval(struct pol_ctx *c, const struct vg_expr *e, int n)
{
	const char *l = e->attribute ? pol_node_attr(c, n, e->attribute) : NULL;

	switch (e->op) {
	case VG_EXPR_DEFINED:
		return l != NULL;
	case VG_EXPR_NOT_DEFINED:
		return l == NULL;
	default:
		break;
	}
	int cmp = compare(l, e->value, e->type, e->op);

	switch (e->op) {
	case VG_EXPR_EQ:
		return cmp == 0;
	case VG_EXPR_NE:
		return cmp != 0;
	default:
		break;
	}
	if (!l || !e->value)
		return false;
	switch (e->op) {
	case VG_EXPR_LT:
		return cmp < 0;
	case VG_EXPR_GT:
		return cmp > 0;
	case VG_EXPR_LTE:
		return cmp <= 0;
	case VG_EXPR_GTE:
		return cmp >= 0;
	default:
		return false;
	}
}

static bool rule_test(struct pol_ctx *c, const struct vg_rule *rule, int n)
{
	bool any = false;

	for (size_t i = 0; i < rule->n_exprs; i++) {
		bool ok = expr_eval(c, &rule->exprs[i], n);

		any = true;
		if (rule->boolean_or && ok)
			return true;
		if (!rule->boolean_or && !ok)
			return false;
	}
	for (size_t i = 0; i < rule->n_rules; i++) {
		int ignored;
		bool ok = pol_rule_eval(c, &rule->rules[i], n, &ignored);

		any = true;
		if (rule->boolean_or && ok)
			return true;
		if (!rule->boolean_or && !ok)
			return false;
	}
	/* "or" with nothing true fails; "and" with nothing false holds */
	return any ? !rule->boolean_or : true;
}

bool pol_rule_eval(struct pol_ctx *c, const struct vg_rule *rule, int n, int *ret_score)
{
	if (!rule_test(c, rule, n))
		return false;
	int score = 0;

	if (rule->has_score) {
		score = rule->score;
	} else if (rule->score_attribute) {
		if (pol_score_parse(pol_node_attr(c, n, rule->score_attribute), &score) < 0)
			score = 0;
	}
	*ret_score = score;
	return true;
}
