#!/bin/sh
# Random failure schedules for a bounded time (VIGIL_SIM_SECONDS, default 25 s
# for 3 nodes with VMs, then a third of it for 5 nodes).  Any violation fails
# the test; vigil-sim prints each violating seed with its schedule and trace
# (`vigil-sim random ... --seed S --trace` replays it exactly).
#
# The full fault menu (daemons start, stop and crash apart from their nodes)
# and fresh seeds: the first seed changes every day (VIGIL_SIM_FIRST_SEED to
# choose it), so every day's runs explore new schedules while a failure in one
# day's run replays from its printed seed.  K1, K3, K4 and K5 are fixed (the
# merge ranks by commit term; a DC needs a majority of vigilds); their
# scenarios guard them (doc/simulator.md, doc/daemon.md).
sim="$top_builddir/tests/sim/vigil-sim"
secs="${VIGIL_SIM_SECONDS:-25}"
first="${VIGIL_SIM_FIRST_SEED:-$(( $(date -u +%s) / 86400 * 1000 ))}"
echo "first seed $first"
rc=0
for args in "--nodes 3 --vms 4 --seconds $secs" "--nodes 5 --vms 3 --seconds $((secs / 3 + 1))"; do
	out=$("$sim" random $args --first-seed "$first" --max-schedules 400)
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
