#!/bin/sh
# policy-cts.sh - Vigil against Pacemaker's own scheduler regression cases.
#
# For every case NAME of ../shared/pacemaker-cts-2.1.5/ (manifest.tsv), runs
#   vigil simulate -x xml/NAME.xml --output-as json [--now DATE]
# and compares it with summary/NAME.summary (what crm_simulate 2.1.5 decided)
# with tests/policy/cts_compare: the final placement of every resource and the
# set of real actions, normalized as doc/testing.md says.
#
# Prints "vm_core: X/98 (P%)" and "all: Y/224".  Passes only when
#  - the vm_core agreement is at least 90%, and
#  - every disagreeing case is listed in tests/policy/cts-known-differences.txt
#    with a reason, and no listed case agrees now (the list stays honest).
# Skips (77) when ../shared is absent.
#
# Environment: VG_CTS_DIR (another copy of the cases), VG_CTS_ONLY (one case
# name: run only it and print both outcomes), VG_CTS_VERBOSE=1 (print the
# differences of listed cases too).
set -u

: "${top_builddir:?run me from make check}" "${top_srcdir:?run me from make check}"
cts=${VG_CTS_DIR:-$top_srcdir/../shared/pacemaker-cts-2.1.5}
if [ ! -f "$cts/manifest.tsv" ]; then
	echo "SKIP: no Pacemaker cases at $cts"
	exit 77
fi
vigil=$top_builddir/cli/vigil
compare=$top_builddir/tests/policy/cts_compare
known=$top_srcdir/tests/policy/cts-known-differences.txt
for f in "$vigil" "$compare" "$known"; do
	[ -e "$f" ] || { echo "FAIL: $f is missing"; exit 1; }
done

# Until the engine lands, `vigil simulate` is a stub: say so instead of failing.
if "$vigil" simulate 2>&1 </dev/null | grep -q 'not implemented yet'; then
	echo "SKIP: vigil simulate is not implemented yet"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-cts.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# The known differences: "NAME  reason..." per line, '#' comments.
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$known" >"$work/known"
awk 'NF < 2 { print "FAIL: cts-known-differences.txt: no reason given for " $1; bad = 1 }
     seen[$1]++ { print "FAIL: cts-known-differences.txt: " $1 " listed twice"; bad = 1 }
     END { exit bad }' "$work/known" || exit 1

# NAME|vm_core|date: the date from the Pacemaker runner's "-t" argument, if any.
awk -F'\t' 'NR > 1 {
	date = ""
	n = split($4, q, "\"")
	for (i = 2; i + 2 <= n; i += 2)
		if (q[i] == "-t")
			date = q[i + 2]
	print $1 "|" $2 "|" date
}' "$cts/manifest.tsv" >"$work/cases"

# The case list and the known list must name the same world.
awk 'FILENAME == ARGV[1] { split($0, f, "|"); have[f[1]] = 1; next }
	!($1 in have) { print "FAIL: cts-known-differences.txt names unknown case " $1; bad = 1 }
	END { exit bad }' "$work/cases" "$work/known" || exit 1

if [ -n "${VG_CTS_ONLY:-}" ]; then
	grep "^$VG_CTS_ONLY|" "$work/cases" >"$work/cases.one" || {
		echo "FAIL: no case $VG_CTS_ONLY"; exit 1; }
	mv "$work/cases.one" "$work/cases"
fi

core_total=0 core_agree=0 all_total=0 all_agree=0 fail=0
: >"$work/disagree"
while IFS='|' read -r name core date; do
	xml=$cts/xml/$name.xml
	if [ -z "$date" ]; then
		# crm_simulate replays a saved input at the time it was taken.
		epoch=$(sed -n 's/.*execution-date="\([0-9]*\)".*/\1/p' "$xml" | head -n 1)
		[ -n "$epoch" ] && date=$(date -u -d "@$epoch" '+%Y-%m-%d %H:%M:%S' 2>/dev/null)
	fi
	# Without either, crm_simulate judged the case at the time it ran (old
	# failures have expired since); vigil simulate would otherwise pick the
	# document's newest operation.
	[ -n "$date" ] || date=$(date -u '+%Y-%m-%d %H:%M:%S')
	json=$work/$name.json
	"$vigil" simulate -x "$xml" --output-as json --now "$date" >"$json" 2>"$work/$name.err" </dev/null
	rc=$?
	if [ "$rc" != 0 ]; then
		verdict=differ
		{ echo "  vigil simulate exited $rc:"; head -n 3 "$work/$name.err" | sed 's/^/    /'; } \
			>"$work/$name.diff"
	else
		"$compare" "$cts/summary/$name.summary" "$json" >"$work/$name.diff" 2>&1 </dev/null
		case $? in
		0) verdict=agree ;;
		1) verdict=differ ;;
		*) verdict=differ; sed 's/^/  /' "$work/$name.diff" >"$work/$name.tmp"
		   mv "$work/$name.tmp" "$work/$name.diff" ;;
		esac
	fi
	if [ -n "${VG_CTS_ONLY:-}" ]; then
		echo "== pacemaker"; "$compare" --summary "$cts/summary/$name.summary"
		echo "== vigil"; "$compare" --json "$json"; cat "$work/$name.err"
	fi

	all_total=$((all_total + 1))
	[ "$core" = yes ] && core_total=$((core_total + 1))
	listed=no
	grep -q "^$name[[:space:]]" "$work/known" && listed=yes
	if [ "$verdict" = agree ]; then
		all_agree=$((all_agree + 1))
		[ "$core" = yes ] && core_agree=$((core_agree + 1))
		if [ "$listed" = yes ]; then
			echo "FAIL: $name agrees now: remove it from cts-known-differences.txt"
			fail=1
		fi
	else
		echo "$name $core" >>"$work/disagree"
		if [ "$listed" = no ]; then
			echo "FAIL: $name ($([ "$core" = yes ] && echo vm_core || echo other)) differs and is not a known difference:"
			cat "$work/$name.diff"
			fail=1
		elif [ "${VG_CTS_VERBOSE:-0}" = 1 ]; then
			echo "known: $name:"
			cat "$work/$name.diff"
		fi
	fi
done <"$work/cases"

pct=$(awk -v a="$core_agree" -v t="$core_total" 'BEGIN { printf "%.1f", t ? 100 * a / t : 0 }')
echo "vm_core: $core_agree/$core_total ($pct%)"
echo "all: $all_agree/$all_total"
if [ -z "${VG_CTS_ONLY:-}" ] && [ $((core_agree * 100)) -lt $((core_total * 90)) ]; then
	echo "FAIL: vm_core agreement $pct% is below 90%"
	fail=1
fi
exit "$fail"
