#!/bin/sh
# Replays every scenario of tests/sim/scenarios with vigil-sim and checks its
# expectations and the safety rules after every step.
sim="$top_builddir/tests/sim/vigil-sim"
dir="$top_srcdir/tests/sim/scenarios"
[ -x "$sim" ] || { echo "vigil-sim not built"; exit 1; }
n=0
for f in "$dir"/*.scn; do
	n=$((n + 1))
done
[ "$n" -ge 10 ] || { echo "expected at least 10 scenarios, found $n"; exit 1; }
"$sim" run "$dir"/*.scn
