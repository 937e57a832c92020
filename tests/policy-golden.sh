#!/bin/sh
# policy-golden.sh - the policy engine's golden cases.
#
# Each folder tests/policy/CASE/ with a cib.xml is one case:
#   cib.xml       the input: a small cluster, configuration and status
#   expected.txt  what Vigil must decide, rendered by tests/policy/golden_render
#                 (actions with what each waits for and why, final placement,
#                 reasons for VMs left stopped, warnings)
#   now           optional: the date passed as `vigil simulate --now` (one
#                 line); without it every case runs at $default_now
# and the test runs `vigil simulate -x cib.xml --output-as json --now DATE`,
# renders it, and compares it with expected.txt.
#
# Cases listed in tests/policy/golden-pending.txt (with the entry of
# /work/notes/policy-bugs.md, i.e. the engine bug it waits for) are expected to
# differ: they are reported but do not fail the test, and the test fails when
# one of them passes (take it off the list).
#
# Usage (see doc/testing.md):
#   make check TESTS=policy-golden.sh
#   top_builddir=BUILD sh tests/policy-golden.sh [--update] [CASE...]
# --update rewrites expected.txt of the given cases (all without CASE) from what
# the engine does now; review `git diff` before committing it.
set -u

default_now="2026-01-01 00:00:00"
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(dirname "$here")}
top_builddir=${top_builddir:-$PWD}
update=no
if [ "${1:-}" = --update ]; then
	update=yes
	shift
fi

vigil=$top_builddir/cli/vigil
render=$top_builddir/tests/policy/golden_render
cases=$top_srcdir/tests/policy
pending=$cases/golden-pending.txt
for f in "$vigil" "$render"; do
	[ -x "$f" ] || { echo "FAIL: $f is missing (set top_builddir)"; exit 1; }
done

# Until the engine lands, `vigil simulate` is a stub: say so instead of failing.
if "$vigil" simulate 2>&1 </dev/null | grep -q 'not implemented yet'; then
	echo "SKIP: vigil simulate is not implemented yet"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-golden.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pending" >"$work/pending" 2>/dev/null || : >"$work/pending"

if [ $# -gt 0 ]; then
	list=$*
else
	list=$(cd "$cases" && for d in */; do [ -f "$d/cib.xml" ] && echo "${d%/}"; done)
fi

total=0 passed=0 failed=0 xfail=0 updated=0
for name in $list; do
	dir=$cases/$name
	[ -f "$dir/cib.xml" ] || { echo "FAIL: no case $name"; failed=$((failed + 1)); continue; }
	total=$((total + 1))
	now=$default_now
	[ -f "$dir/now" ] && now=$(head -n 1 "$dir/now")

	"$vigil" simulate -x "$dir/cib.xml" --output-as json --now "$now" \
		>"$work/$name.json" 2>"$work/$name.err" </dev/null
	rc=$?
	if [ "$rc" != 0 ]; then
		{ echo "vigil simulate exited $rc:"; cat "$work/$name.err"; } >"$work/$name.txt"
	elif ! "$render" "$work/$name.json" >"$work/$name.txt" 2>"$work/$name.err"; then
		{ echo "the JSON could not be rendered:"; cat "$work/$name.err"; } >"$work/$name.txt"
		rc=2
	fi

	if [ "$update" = yes ]; then
		if [ "$rc" != 0 ]; then
			echo "NOT UPDATED: $name:"; sed 's/^/    /' "$work/$name.txt"
			failed=$((failed + 1))
		elif ! cmp -s "$work/$name.txt" "$dir/expected.txt"; then
			cp "$work/$name.txt" "$dir/expected.txt"
			echo "updated: $name"
			updated=$((updated + 1))
		fi
		continue
	fi

	is_pending=no
	grep -q "^$name[[:space:]]" "$work/pending" && is_pending=yes
	if [ ! -f "$dir/expected.txt" ]; then
		echo "FAIL: $name has no expected.txt (run with --update, then check it by hand)"
		failed=$((failed + 1))
	elif cmp -s "$work/$name.txt" "$dir/expected.txt"; then
		if [ "$is_pending" = yes ]; then
			echo "FAIL: $name passes now: remove it from golden-pending.txt"
			failed=$((failed + 1))
		else
			passed=$((passed + 1))
		fi
	elif [ "$is_pending" = yes ]; then
		echo "pending: $name ($(grep "^$name[[:space:]]" "$work/pending" | sed 's/^[^[:space:]]*[[:space:]]*//'))"
		diff -u "$dir/expected.txt" "$work/$name.txt" | sed 's/^/    /'
		xfail=$((xfail + 1))
	else
		echo "FAIL: $name:"
		diff -u "$dir/expected.txt" "$work/$name.txt" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done

if [ "$update" = yes ]; then
	echo "golden cases: $total, updated $updated, not updated $failed"
else
	echo "golden cases: $total, passed $passed, pending $xfail, failed $failed"
	[ "$total" -gt 0 ] || { echo "FAIL: no case found in $cases"; exit 1; }
fi
[ "$failed" = 0 ]
