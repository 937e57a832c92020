#!/bin/sh
# Determinism: the same seed gives the same run (byte for byte, trace and core
# logs included), and the schedule a random run prints, replayed as a scenario
# file with "vigil-sim run", gives that same run again.
sim="$top_builddir/tests/sim/vigil-sim"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
rc=0
for args in "--nodes 3 --vms 4 --seed 4242" "--nodes 5 --seed 77 --tie-daemons"; do
	"$sim" random $args --verbose | grep -v '^throughput:\|^schedules=\|^the cores ran ' >"$tmp/a" 2>&1
	"$sim" random $args --verbose | grep -v '^throughput:\|^schedules=\|^the cores ran ' >"$tmp/b" 2>&1
	if ! cmp -s "$tmp/a" "$tmp/b"; then
		echo "FAIL: random $args: two runs differ"; diff "$tmp/a" "$tmp/b" | head -20; rc=1
	fi
	sed -n '/^nodes/,/^# seed/p' "$tmp/a" >"$tmp/story.scn"
	[ -s "$tmp/story.scn" ] || { echo "FAIL: random $args printed no schedule"; rc=1; continue; }
	"$sim" run --verbose "$tmp/story.scn" >"$tmp/c" 2>&1
	# The run's trace, without the schedule and the verdict lines around it.
	sed -n '/^# seed [0-9]*: the trace/,$p' "$tmp/a" | sed 1d |
		grep -v '^VIOLATION seed=\|^  replay:' >"$tmp/a.trace"
	grep -v "story.scn: \|^  first violation:\|^line [0-9]*:" "$tmp/c" >"$tmp/c.trace"
	if ! cmp -s "$tmp/a.trace" "$tmp/c.trace"; then
		echo "FAIL: random $args: the printed schedule does not replay the same run"
		diff "$tmp/a.trace" "$tmp/c.trace" | head -20; rc=1
	fi
	echo "random $args: $(wc -l <"$tmp/a.trace") trace lines, replayed identically"
done
exit $rc
