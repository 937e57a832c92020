#!/bin/sh
# Random failure schedules for a bounded time (VIGIL_SIM_SECONDS, default 25 s
# for 3 nodes with VMs, then a third of it for 5 nodes), with the full fault
# menu (daemons start, stop and crash apart from their nodes).  Any violation
# fails the test.
#
# Fresh seeds on every run (doc/simulator.md): the first seed comes from the
# clock and is printed, so every run explores schedules no run tried before,
# and a failure replays exactly: vigil-sim prints each violating seed with the
# command that replays it, its schedule and its trace, and
#   VIGIL_SIM_FIRST_SEED=<printed 3-node first seed> make check TESTS=sim-random.sh
# runs the same schedules again (per cluster shape, as printed).  Every bug
# found this way becomes a scenario file in tests/sim/scenarios.
sim="$top_builddir/tests/sim/vigil-sim"
secs="${VIGIL_SIM_SECONDS:-25}"
case "${VIGIL_SIM_FIRST_SEED:-}" in
"") first3=$(( $(date -u +%s) * 1000 + $$ % 1000 )) ;;
daily) first3=$(( $(date -u +%s) / 86400 * 1000 )) ;;
*) first3=$VIGIL_SIM_FIRST_SEED ;;
esac
first5=$(( first3 + 500000000 ))
echo "first seeds: 3 nodes $first3, 5 nodes $first5"
echo "replay: VIGIL_SIM_FIRST_SEED=$first3 (same VIGIL_SIM_SECONDS), or one seed with"
echo "  tests/sim/vigil-sim random --nodes N [--vms K] --seed S --trace"
rc=0
for args in "--nodes 3 --vms 4 --seconds $secs --first-seed $first3" \
	"--nodes 5 --vms 3 --seconds $((secs / 3 + 1)) --first-seed $first5"; do
	echo "vigil-sim random $args --max-schedules 400"
	out=$("$sim" random $args --max-schedules 400)
	r=$?
	printf '%s\n' "$out" | tail -n 300
	last=$(printf '%s\n' "$out" | tail -n 1)
	case "$last" in
	schedules=*" violations=0 "*) ;;
	*) echo "FAIL: $last"; rc=1 ;;
	esac
	[ "$r" -eq 0 ] || rc=1
done
exit $rc
