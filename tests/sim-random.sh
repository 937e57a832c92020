#!/bin/sh
# Random failure schedules for a bounded time (VIGIL_SIM_SECONDS, default 30 s
# for 3 nodes with VMs, then a third of it for 5 nodes).  Any violation fails
# the test; vigil-sim prints each violating seed with its schedule and trace.
#
# Seeds 1-300 (VIGIL_SIM_FIRST_SEED to start elsewhere), at most 30 s: the run
# is reproducible, the same seeds on any machine fast enough.  They pass today;
# new seeds are for scripts/sim-soak and people, and find the open bugs K3, K4
# and K5 about once in 400 schedules (seed 375 with 3 nodes: K5).
#
# --tie-daemons: daemons live and die with their nodes.  It excludes the window
# of the open bug K1, which random mode otherwise finds within seconds; the
# known-*.scn scenarios keep reproducing K1-K5 (doc/simulator.md).  Drop the
# option and the fixed seed once they are fixed.
sim="$top_builddir/tests/sim/vigil-sim"
secs="${VIGIL_SIM_SECONDS:-30}"
first="${VIGIL_SIM_FIRST_SEED:-1}"
rc=0
for args in "--nodes 3 --vms 4 --seconds $secs" "--nodes 5 --vms 3 --seconds $((secs / 3 + 1))"; do
	out=$("$sim" random --tie-daemons $args --first-seed "$first" --max-schedules 300)
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
