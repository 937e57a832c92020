#!/bin/sh
# Random failure schedules for a bounded time (VIGIL_SIM_SECONDS, default 30);
# any violation fails the test and prints the seed with its trace.
sim="$top_builddir/tests/sim/vigil-sim"
secs="${VIGIL_SIM_SECONDS:-30}"
out=$("$sim" random --nodes 3 --vms 4 --seconds "$secs" ${VIGIL_SIM_FIRST_SEED:+--first-seed "$VIGIL_SIM_FIRST_SEED"})
rc=$?
printf '%s\n' "$out" | tail -n 200
last=$(printf '%s\n' "$out" | tail -n 1)
case "$last" in
schedules=*" violations=0 "*) ;;
*) echo "FAIL: $last"; exit 1 ;;
esac
[ "$rc" -eq 0 ] || exit 1
# Five nodes too (a shorter run).
out=$("$sim" random --nodes 5 --seconds $((secs / 3 + 1)))
rc=$?
printf '%s\n' "$out" | tail -n 100
[ "$rc" -eq 0 ]
