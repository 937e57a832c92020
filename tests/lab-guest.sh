#!/bin/sh
# lab-guest.sh - real guests on the lab, without vigild: a tiny guest boots
# under one node's libvirtd and prints its heartbeat; it live-migrates to
# another node's libvirtd (peer to peer, over the lab network) without its
# heartbeat stopping and without ever running on both; ACPI shutdown works;
# powering a node off kills its guests; down leaves no QEMU or libvirtd.
# Slow (guests boot under TCG, ~45 s): VIGIL_LAB_VMS=0 skips it.
set -u

[ "${VIGIL_LAB_TESTS:-yes}" = no ] && { echo "SKIP: lab tests disabled"; exit 77; }
[ "${VIGIL_LAB_VMS:-1}" = 0 ] && { echo "SKIP: VIGIL_LAB_VMS=0"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v corosync >/dev/null || { echo "SKIP: corosync is not installed"; exit 77; }
command -v libvirtd >/dev/null && command -v qemu-system-x86_64 >/dev/null ||
	{ echo "SKIP: libvirtd or QEMU is not installed (scripts/deps.sh: vg_install_vm_deps)"; exit 77; }

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
VIGIL_LAB_NAME=vtgu$$
VIGIL_BUILD=$top_builddir
unset VIGIL_LAB_NET
export VIGIL_LAB_NAME VIGIL_BUILD
lab="$top_srcdir/scripts/lab"
labdir=$("$lab" env | sed -n 's/^VIGIL_LAB_DIR=//p')
vms="$labdir/vms"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
t_ms() { date +%s%3N; }
sampler=""
cleanup() {
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null
	"$lab" down --purge >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

virsh_on() { n=$1; shift; "$lab" exec "$n" virsh -q -c qemu:///system "$@"; }
state_on() { "$lab" domains "$1" 2>/dev/null | awk -v d="$2" '$1 == d { print $2 }'; }
count() { c=$(grep -c "$1" "$vms/vm1.serial.log" 2>/dev/null); echo "${c:-0}"; }
heartbeats() { count 'VIGIL-GUEST HEARTBEAT name=vm1 '; }
boots() { count 'VIGIL-GUEST BOOTED name=vm1 '; }
last_n() { sed -n 's/.*HEARTBEAT name=vm1 n=\([0-9]*\).*/\1/p' "$vms/vm1.serial.log" | tail -1; }

# wait_for SECONDS COMMAND...: prints the ms it took.
wait_for() {
	w_end=$(( $(t_ms) + $1 * 1000 )) w_start=$(t_ms)
	shift
	while ! "$@"; do
		[ "$(t_ms)" -ge "$w_end" ] && return 1
		sleep 0.2
	done
	echo $(( $(t_ms) - w_start ))
}

start=$(t_ms)
if ! "$lab" up --nodes 2 --no-vigild --vms 1; then
	fail "up --nodes 2 --vms 1"
	exit 1
fi
t_up=$(( $(t_ms) - start ))

# Boot on n1.
t0=$(t_ms)
virsh_on n1 create "$vms/vm1.xml" >/dev/null || fail "virsh create vm1 on n1"
t_start=$(( $(t_ms) - t0 ))
[ "$(state_on n1 vm1)" = running ] && ok "vm1 runs on n1 (virsh create: $t_start ms)" || fail "vm1 is not running on n1"
booted() { [ "$(boots)" -ge 1 ]; }
if r=$(wait_for 90 booted); then ok "boot marker $(( r + t_start )) ms after the start"; else fail "no boot marker"; fi
two_beats() { [ "$(heartbeats)" -ge 2 ]; }
wait_for 30 two_beats >/dev/null && ok "heartbeat on the serial log" || fail "no heartbeat"

# A sampler asks both libvirtds all along: never running on both.  The two
# questions are not one instant: asked n1 just before the switch-over and n2
# just after it, a migration looks like "running on both" for one sample.  A
# real double run lasts, so it takes two samples in a row to count (the
# guest's own heartbeat counter, checked below, sees a double run too).
(
	prev=no
	while :; do
		a=$(state_on n1 vm1) b=$(state_on n2 vm1)
		if [ "$a" = running ] && [ "$b" = running ]; then
			[ "$prev" = yes ] && echo "both: n1=$a n2=$b $(t_ms)" >>"$labdir/double"
			prev=yes
		else
			prev=no
		fi
		sleep 0.1
	done
) </dev/null >/dev/null 2>&1 &
sampler=$!

# Live migration n1 -> n2, driven from inside n1 to n2's lab address.
n2addr=$("$lab" env | sed -n 's/^VIGIL_LAB_NET=//p').2
before=$(last_n)
t0=$(t_ms)
if "$lab" exec n1 virsh -q -c qemu:///system migrate --live --p2p --persistent --undefinesource \
	vm1 "qemu+tcp://$n2addr/system"; then
	t_mig=$(( $(t_ms) - t0 ))
	ok "live migration n1 -> n2 ($t_mig ms)"
else
	fail "virsh migrate vm1 to n2"
fi
[ "$(state_on n2 vm1)" = running ] || fail "vm1 is not running on n2 after the migration"
[ -z "$(state_on n1 vm1)" ] || fail "vm1 is still on n1 after the migration: $(state_on n1 vm1)"
beat_after() { n=$(last_n); [ -n "$n" ] && [ "$n" -ge $((before + 3)) ]; }
if wait_for 30 beat_after >/dev/null; then
	[ "$(boots)" = 1 ] && ok "heartbeat goes on after the migration (n=$before -> $(last_n)), no reboot" ||
		fail "the guest rebooted during the migration"
else
	fail "no heartbeat after the migration (last n=$(last_n), before $before)"
fi
# The counter never went back: no gap, no restart.
sed -n 's/.*HEARTBEAT name=vm1 n=\([0-9]*\).*/\1/p' "$vms/vm1.serial.log" |
	awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }' ||
	fail "heartbeat counter is not continuous"
kill "$sampler" 2>/dev/null
sampler=""
[ -e "$labdir/double" ] && fail "vm1 ran on both nodes: $(cat "$labdir/double")"

# Graceful shutdown through ACPI.
t0=$(t_ms)
virsh_on n2 shutdown vm1 >/dev/null || fail "virsh shutdown"
gone() { [ -z "$(state_on n2 vm1)" ] || [ "$(state_on n2 vm1)" = shut-off ]; }
if r=$(wait_for 60 gone); then ok "ACPI shutdown ($r ms)"; else fail "vm1 did not shut down"; fi

# Power off a node that runs a guest: the guest dies with it.
virsh_on n2 create "$vms/vm1.xml" >/dev/null || fail "virsh create vm1 on n2"
"$lab" kill n2
# This lab's vm1 only (other labs on the machine may run a vm1 of their own):
# its UUID is unique to the lab.
uuid=$(sed -n 's/.*<uuid>\(.*\)<\/uuid>.*/\1/p' "$vms/vm1.xml")
[ -n "$uuid" ] || fail "no UUID in $vms/vm1.xml"
pgrep -f -- "-uuid $uuid" >/dev/null && fail "QEMU of vm1 survived the power-off of n2"
if "$lab" boot n2 >/dev/null; then
	# The migration made vm1 persistent on n2 (its definition is on n2's
	# disk and survives), but nothing runs after a power cycle.
	st=$(state_on n2 vm1)
	[ "$st" != running ] && [ "$st" != paused ] && ok "after a power cycle n2 runs no guest (vm1: ${st:-absent})" ||
		fail "n2 reports vm1 $st after a power cycle"
else
	fail "boot n2"
fi

"$lab" down || fail "down"
pgrep -f "$labdir" >/dev/null && fail "processes of the lab are left: $(pgrep -af "$labdir")"
ip netns list | grep -q "^$VIGIL_LAB_NAME-" && fail "namespaces are left"

echo "lab-guest: up ${t_up} ms, start ${t_start:-?} ms, migration ${t_mig:-?} ms, total $(( ($(t_ms) - start) / 1000 )) s"
[ "$failures" = 0 ]
