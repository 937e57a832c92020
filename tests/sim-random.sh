#!/bin/sh
# Random failure schedules for a bounded time (VIGIL_SIM_SECONDS, default 30 s
# for 3 nodes with VMs, then a third of it for 5 nodes).  Any violation fails
# the test; vigil-sim prints each violating seed with its schedule and trace.
#
# --tie-daemons: daemons live and die with their nodes.  It excludes the window
# of the known bug K1 (doc/simulator.md, /work/notes/sim-requests.md on the
# sim branch), which tests/sim/scenarios/known-k1-*.scn keeps reproducing; drop
# the option here once K1 is fixed.
sim="$top_builddir/tests/sim/vigil-sim"
secs="${VIGIL_SIM_SECONDS:-30}"
seed=${VIGIL_SIM_FIRST_SEED:+--first-seed $VIGIL_SIM_FIRST_SEED}
rc=0
for args in "--nodes 3 --vms 4 --seconds $secs" "--nodes 5 --vms 3 --seconds $((secs / 3 + 1))"; do
	out=$("$sim" random --tie-daemons $args $seed)
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
