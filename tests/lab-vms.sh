#!/bin/sh
# lab-vms.sh - vigild runs real VMs on a 3-node lab (scripts/lab up --vms 3):
#  - the VMs start and spread; `vigil status` on every node agrees with what
#    every node's libvirt runs (scripts/lab domains, asked from libvirt);
#  - kill -9 of a guest's QEMU: recovered in place on the same node
#    (detection and restart-issued times printed from vigild's logs); a second
#    crash reaches migration-threshold (2) and the VM moves;
#  - `vigil resource migrate vm1 NODE`: ends running on NODE only, live (no
#    second boot marker on the guest's serial console);
#  - standby drains a node; online takes it back;
#  - vigild killed and restarted on a node running a VM: the VM keeps running
#    (same QEMU PID) and vigild takes it back;
#  - throughout, a checker polls every node's libvirt and fails if a VM ever
#    runs on two nodes (a migration's paused side does not count).
set -u

[ "${VIGIL_LAB_TESTS:-yes}" = no ] && { echo "SKIP: lab tests disabled"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in corosync qemu-system-x86_64 libvirtd jq; do
	command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
		{ echo "SKIP: $t is not installed"; exit 77; }
done

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
VIGIL_LAB_NAME=vtvm$$
VIGIL_BUILD=$top_builddir
unset VIGIL_LAB_NET
export VIGIL_LAB_NAME VIGIL_BUILD
lab="$top_srcdir/scripts/lab"
labdir=$("$lab" env | sed -n 's/^VIGIL_LAB_DIR=//p')
nodes="n1 n2 n3"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
t_ms() { date +%s%3N; }

checker_pid=
uplog=$(mktemp)
cleanup() {
	[ -n "$checker_pid" ] && kill "$checker_pid" 2>/dev/null
	"$lab" down --purge >/dev/null 2>&1
	rm -f "$uplog"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Where VM runs according to libvirt ("" when nowhere, "a b" when twice).
where() {
	w=
	for n in $nodes; do
		"$lab" domains "$n" 2>/dev/null | grep -qx "$1 running" && w="$w $n"
	done
	echo "${w# }"
}
# Where VM runs according to NODE's vigild.
vigil_where() {
	"$lab" exec "$1" vigil status --output-as json 2>/dev/null |
		jq -r --arg r "$2" '.resources[] | select(.id == $r) |
			if .state == "running" then .node else "" end'
}
qemu_pid() { "$lab" exec "$1" cat "/run/libvirt/qemu/$2.pid" 2>/dev/null; }
# Waits up to $2 seconds for the command $1 to succeed.
wait_until() {
	deadline=$(( $(date +%s) + $2 ))
	while ! eval "$1"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.3
	done
}
all_agree() {
	for vm in vm1 vm2 vm3; do
		w=$(where "$vm")
		case "$w" in ""|*" "*) return 1;; esac
		for n in $nodes; do
			[ "$(vigil_where "$n" "$vm")" = "$w" ] || return 1
		done
	done
}

t0=$(t_ms)
if ! "$lab" up --nodes 3 --vms 3 >"$uplog" 2>&1; then
	cat "$uplog"
	if grep -q "cannot\|not installed\|no kvm\|guest-build" "$uplog"; then
		echo "SKIP: the lab with VMs cannot come up here"
		exit 77
	fi
	echo "FAIL: scripts/lab up --vms 3"
	exit 1
fi
echo "lab up in $(( $(t_ms) - t0 )) ms"

# The checker: a VM running on two nodes at any moment is a failure.  The
# nodes are asked one after the other, so one round alone could see a live
# migration's switch-over on both sides (source before, destination after).
# A VM therefore counts as running on a node when two rounds in a row saw it
# there: a real double run lasts, a switch-over does not survive the second
# look at the source.
double="$labdir/double-run"
rm -f "$double"
(
	prev=
	while :; do
		cur=$(for n in $nodes; do
			"$lab" domains "$n" 2>/dev/null | sed -n "s/^\(vm[0-9]*\) running$/\1 $n/p"
		done | sort)
		if [ -n "$prev" ]; then
			printf '%s\n' "$prev" "$cur" | sort | uniq -d |
				awk -v f="$double" '{ c[$1]++; w[$1] = w[$1] " " $2 }
				END { for (v in c) if (c[v] > 1) print v " on" w[v] >> f }'
		fi
		prev=$cur
		sleep 0.2
	done
) &
checker_pid=$!

# 1. Start and spread, and every vigild agrees with libvirt.
t0=$(t_ms)
if wait_until all_agree 120; then
	ok "3 VMs running after $(( $(t_ms) - t0 )) ms; every vigil status agrees with libvirt"
else
	fail "VMs did not all start, or vigil status disagrees with libvirt"
	for n in $nodes; do echo "  $n libvirt: $("$lab" domains "$n" | tr '\n' ' ')"; done
	"$lab" exec n1 vigil resource list
fi
spread=$(for vm in vm1 vm2 vm3; do where "$vm"; done | sort -u | wc -l)
[ "$spread" -ge 2 ] && ok "spread over $spread nodes" || fail "all VMs on one node"

# 2. A crash: kill -9 of vm2's QEMU.  Below migration-threshold (2 here, as
#    Pacemaker counts: the fail count reaching it bans the node) the VM is
#    recovered in place, on the same node; the second crash moves it.
mono_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))' 2>/dev/null || echo 0; }
# The monotonic ms of the last vigild log line matching $1 (all nodes share
# the host's CLOCK_MONOTONIC).
log_ms() {
	grep -h "$1" "$labdir"/n*/log/vigil/vigild.log 2>/dev/null |
		sed -n 's/.* at \([0-9]*\) ms.*/\1/p' | sort -n | tail -1
}
printf '%s\n' '<configuration><rsc_defaults><meta_attributes id="rsc-options">' \
	'<nvpair id="rsc-options-migration-threshold" name="migration-threshold" value="2"/>' \
	'</meta_attributes></rsc_defaults></configuration>' >"$labdir/mt.xml"
"$lab" exec n1 vigil configure load update "$labdir/mt.xml" >/dev/null ||
	fail "setting migration-threshold=2"
# Kills vm2's QEMU; sets $crash_node, $crash_pid and, once it runs again,
# $crash_again, printing the detection and restart-issued times from the logs.
crash_vm2() {
	crash_node=$(where vm2)
	crash_pid=$(qemu_pid "$crash_node" vm2)
	n_fail=$(grep -h "vm2 failed here" "$labdir"/n*/log/vigil/vigild.log | wc -l)
	crash_t0=$(t_ms)
	m0=$(mono_ms)
	echo "  kill -9 of vm2's QEMU (PID $crash_pid on $crash_node) at $(date +%H:%M:%S.%3N)"
	"$lab" exec "$crash_node" kill -9 "$crash_pid"
	crash_again=
	wait_until '[ -n "$(where vm2)" ] && [ "$(qemu_pid "$(where vm2)" vm2)" != "$crash_pid" ]' 60 ||
		return 1
	crash_again=$(where vm2)
	[ "$(grep -h "vm2 failed here" "$labdir"/n*/log/vigil/vigild.log | wc -l)" -gt "$n_fail" ] ||
		fail "vm2's crash was not detected as a failure"
	det=$(log_ms "vm2 failed here")
	start=$(log_ms "executing start vm2")
	stop=$(log_ms "issuing stop vm2")
	echo "  vm2 runs again on $crash_again $(( $(t_ms) - crash_t0 )) ms after the kill;" \
		"kill -> detected $(( det - m0 )) ms (incl. starting the kill)," \
		"detected -> stop issued $(( stop - det )) ms, -> start submitted to libvirt" \
		"$(( start - det )) ms"
}
if crash_vm2; then
	[ "$crash_again" = "$crash_node" ] &&
		ok "vm2 crashed on $crash_node and was recovered in place (same node)" ||
		fail "vm2 crashed on $crash_node and was restarted on $crash_again, not in place"
else
	fail "vm2 was not restarted after its QEMU was killed"
fi
wait_until all_agree 30 || fail "status and libvirt disagree after the crash"
if crash_vm2; then
	[ "$crash_again" != "$crash_node" ] &&
		ok "second crash of vm2 reached migration-threshold=2: it moved $crash_node -> $crash_again" ||
		fail "vm2 stayed on $crash_node after reaching migration-threshold"
else
	fail "vm2 was not restarted after its second crash"
fi
wait_until all_agree 30 || fail "status and libvirt disagree after the second crash"

# 3. Live migration.
cur=$(where vm1)
target=n2
[ "$cur" = n2 ] && target=n3
boots=$(grep -c "VIGIL-GUEST BOOTED name=vm1" "$labdir/vms/vm1.serial.log" 2>/dev/null || echo 0)
t0=$(t_ms)
if "$lab" exec n1 vigil resource migrate vm1 "$target" --wait --timeout 90; then
	ok "vm1 migrated $cur -> $target in $(( $(t_ms) - t0 )) ms"
else
	fail "vigil resource migrate vm1 $target --wait"
fi
wait_until '[ "$(where vm1)" = "$target" ]' 30 || fail "vm1 runs on '$(where vm1)', not on $target only"
sleep 3
boots2=$(grep -c "VIGIL-GUEST BOOTED name=vm1" "$labdir/vms/vm1.serial.log" 2>/dev/null || echo 0)
if [ "$boots" -lt 1 ]; then
	echo "note: vm1's boot marker is not in $labdir/vms/vm1.serial.log; the no-reboot check is not made"
elif [ "$boots" = "$boots2" ]; then
	ok "vm1 did not reboot (live; $boots boot marker)"
else
	fail "vm1 booted again during its migration"
fi
"$lab" exec n1 vigil resource clear vm1 >/dev/null || fail "vigil resource clear vm1"

# 4. Standby drains a node, online takes it back.
wait_until all_agree 30 || fail "status and libvirt disagree before standby"
victim=$(where vm3)
t0=$(t_ms)
if "$lab" exec n1 vigil node standby "$victim" --wait --timeout 90; then
	ok "standby $victim drained it in $(( $(t_ms) - t0 )) ms"
else
	fail "vigil node standby $victim --wait"
fi
[ -z "$("$lab" domains "$victim" | grep ' running$')" ] || fail "$victim still runs a VM in standby"
"$lab" exec n1 vigil node online "$victim" >/dev/null || fail "vigil node online $victim"
wait_until all_agree 60 || fail "status and libvirt disagree after online"

# 5. vigild killed and restarted on a node running a VM: the VM is untouched.
n=$(where vm3)
pid=$(qemu_pid "$n" vm3)
"$lab" daemon "$n" kill >/dev/null 2>&1
sleep 2
[ "$(qemu_pid "$n" vm3)" = "$pid" ] || fail "vm3's QEMU changed while vigild was down"
"$lab" daemon "$n" start >/dev/null 2>&1 || fail "vigild did not restart on $n"
if wait_until '[ "$(vigil_where "$n" vm3)" = "$n" ]' 60; then
	ok "vigild restarted on $n took vm3 back"
else
	fail "vigild restarted on $n does not show vm3 there"
fi
sleep 3
[ "$(qemu_pid "$n" vm3)" = "$pid" ] && [ "$(where vm3)" = "$n" ] &&
	ok "vm3 kept running through vigild's restart (QEMU PID $pid)" ||
	fail "vm3 was touched by vigild's restart (PID $pid -> $(qemu_pid "$n" vm3), on '$(where vm3)')"

kill "$checker_pid" 2>/dev/null
wait "$checker_pid" 2>/dev/null
checker_pid=
if [ -s "$double" ]; then
	fail "a VM ran on two nodes: $(sort -u "$double" | tr '\n' ';')"
else
	ok "no VM ever ran on two nodes (checker)"
fi

[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
exit 0
