#!/bin/sh
# lab-corosync.sh - the lab itself, without vigild: nodes form one Corosync
# cluster, a cut node loses quorum while the others keep it, a healed or
# rebooted node rejoins, 5 nodes work too, and `down` leaves nothing behind
# (no process, namespace, mount, route, veth or /dev/shm entry), also after a
# failed `up`.
set -u

[ "${VIGIL_LAB_TESTS:-yes}" = no ] && { echo "SKIP: lab tests disabled"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v corosync >/dev/null && command -v corosync-quorumtool >/dev/null ||
	{ echo "SKIP: corosync is not installed"; exit 77; }

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
# A lab of its own (name and subnet), so that neither a lab someone left up
# (the demo) nor the same test run from another tree at the same time is
# touched.
VIGIL_LAB_NAME=vtcs$$
VIGIL_BUILD=$top_builddir
unset VIGIL_LAB_NET
export VIGIL_LAB_NAME VIGIL_BUILD
lab="$top_srcdir/scripts/lab"
labdir=$("$lab" env | sed -n 's/^VIGIL_LAB_DIR=//p')

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
t_ms() { date +%s%3N; }

cleanup() { "$lab" down --purge >/dev/null 2>&1; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# "members quorate" as NODE's corosync sees it, e.g. "3 Yes".
view() {
	"$lab" exec "$1" corosync-quorumtool -s 2>/dev/null |
		awk '/^Nodes:/ { m = $2 } /^Quorate:/ { q = $2 } END { print m, q }'
}

# wait_view NODE "MEMBERS QUORATE" SECONDS: prints the ms it took, fails after.
wait_view() {
	w_start=$(t_ms)
	w_end=$((w_start + $3 * 1000))
	while :; do
		w_now=$(view "$1")
		[ "$w_now" = "$2" ] && { echo $(( $(t_ms) - w_start )); return 0; }
		[ "$(t_ms)" -ge "$w_end" ] && { echo "timeout (last: $w_now)"; return 1; }
		sleep 0.1
	done
}

expect_view() {
	if r=$(wait_view "$1" "$2" "$3"); then ok "$1 sees '$2' ($4, ${r} ms)"; else fail "$1 does not see '$2' ($4): $r"; fi
}

# Links of the kinds the lab makes (veths, bridges), in the root namespace:
# the lab never makes any there, so none may appear.  Other work on the
# machine may make links of its own: only the lab's names are compared.
lab_links() {
	{ ip -o link show type veth; ip -o link show type bridge; } 2>/dev/null |
		awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -E '^(p[0-9]+|br0|eth0)$' | sort | tr '\n' ' '
}
links_before=$(lab_links)

# Start time of a process (field 22 of /proc/PID/stat, after the command).
proc_start() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }' | grep .
}

# Record what identifies this lab's processes before it goes down.
snapshot() {
	inos="" pids=""
	# The subnet the lab took (its configuration stays until the next up).
	subnet=$(sed -n 's/^[[:space:]]*ring0_addr: \([0-9.]*\)\.[0-9]*$/\1.0\/24/p' \
		"$labdir/n1/etc/corosync/corosync.conf" 2>/dev/null | head -1)
	[ -n "$subnet" ] || fail "cannot tell the lab's subnet"
	# Every process in the lab's namespaces, as PID:start-time: namespace
	# inode numbers are reused once freed (other tests make namespaces at the
	# same time), a process's start time is not.
	for f in "$labdir"/n*/netns.ino; do
		[ -r "$f" ] || continue
		for p in $(stat -L -c '%n %i' /proc/[0-9]*/ns/net 2>/dev/null |
			awk -v i="$(cat "$f")" '$2 == i { split($1, a, "/"); print a[3] }'); do
			st=$(proc_start "$p") && inos="$inos $p:$st"
		done
	done
	echo "    snapshot: $(echo $inos | wc -w) processes in the lab's namespaces"
	for f in "$labdir"/n*/run/*.pid; do
		[ -r "$f" ] || continue
		p=$(cat "$f") && st=$(proc_start "$p") && pids="$pids $p:$st"
	done
}

assert_nothing_left() {
	what=$1
	left=""
	[ -n "$(ip netns list | grep "^$VIGIL_LAB_NAME-")" ] && left="$left namespaces:$(ip netns list | grep "^$VIGIL_LAB_NAME-" | tr '\n' ' ')"
	for ps in $inos; do
		[ "$(proc_start "${ps%%:*}" 2>/dev/null)" = "${ps#*:}" ] &&
			left="$left process-in-lab-netns:${ps%%:*}($(cat "/proc/${ps%%:*}/comm" 2>/dev/null))"
	done
	for ps in $pids; do
		[ "$(proc_start "${ps%%:*}" 2>/dev/null)" = "${ps#*:}" ] &&
			left="$left process:${ps%%:*}($(cat "/proc/${ps%%:*}/comm" 2>/dev/null))"
	done
	grep -q -e "$labdir" -e "/run/netns/$VIGIL_LAB_NAME-" /proc/mounts && left="$left mounts"
	[ -n "$subnet" ] && [ -n "$(ip route show "$subnet")" ] && left="$left route:$(ip route show "$subnet")"
	links_now=$(lab_links)
	[ "$links_now" = "$links_before" ] || left="$left links:[$links_now]"
	for pid in $(echo "$pids" | sed 's/:[0-9]*//g'); do
		ls /dev/shm | grep -q -- "-$pid-" && left="$left shm:$(ls /dev/shm | grep -- "-$pid-" | tr '\n' ' ')"
	done
	if [ -z "$left" ]; then ok "$what leaves nothing"; else fail "$what leaves:$left"; fi
}

start=$(t_ms)

# 3 nodes
if "$lab" up --nodes 3 --no-vigild --token 1000; then
	for n in n1 n2 n3; do
		[ "$(view $n)" = "3 Yes" ] && ok "$n sees 3 members, quorate" || fail "$n sees '$(view $n)' after up"
	done

	# Cable pull: n3 alone is inquorate, n1 and n2 keep quorum with 2.
	"$lab" cut n3 || fail "cut n3"
	expect_view n3 "1 No" 15 "cut off"
	expect_view n1 "2 Yes" 15 "after n3 was cut"
	expect_view n2 "2 Yes" 15 "after n3 was cut"
	"$lab" status | grep -q '^n3 .* cut ' || fail "status does not show n3's cable as cut"
	"$lab" heal n3 || fail "heal n3"
	for n in n1 n2 n3; do expect_view $n "3 Yes" 15 "after heal"; done

	# Power off n2, then boot it again.
	before_kill=$(t_ms)
	"$lab" kill n2 || fail "kill n2"
	"$lab" power n2 >/dev/null
	[ $? = 2 ] && ok "n2 is off" || fail "n2 is not off after kill"
	# The moment of the power-off (the failover benchmark's zero).
	off_ms=$(awk '$2 == "off" && $3 == "n2" { t = $1 } END { printf "%d", t * 1000 }' "$labdir/power.log" 2>/dev/null)
	[ "${off_ms:-0}" -ge "$before_kill" ] && [ "$off_ms" -le "$(t_ms)" ] ||
		fail "power.log has no time of n2's power-off in [$before_kill, now]: '${off_ms:-}'"
	snapshot
	expect_view n1 "2 Yes" 15 "after n2 was killed"
	"$lab" exec n2 true 2>/dev/null && fail "exec works on a powered-off node"
	if "$lab" boot n2; then
		for n in n1 n2 n3; do expect_view $n "3 Yes" 15 "after n2 booted"; done
		"$lab" exec n2 sh -c 'test "$(hostname)" = n2 && test ! -e /run/lab-marker' ||
			fail "n2 has the wrong hostname or an old /run"
	else
		fail "boot n2"
	fi
	# A fresh /run at every boot: a marker does not survive kill + boot.
	"$lab" exec n1 touch /run/lab-marker
	"$lab" kill n1 && "$lab" boot n1 >/dev/null || fail "kill + boot n1"
	"$lab" exec n1 test -e /run/lab-marker && fail "n1's /run survived a power cycle"
	# Nodes do not share /run, /etc/corosync or the hostname.
	"$lab" exec n2 test -e /run/lab-marker && fail "n2 sees n1's /run"
	[ "$(hostname)" != n1 ] || fail "the host's hostname changed"

	# The lab fence agent, run inside a node the way vigild runs it.
	agent() { printf '%s\n' "$@" | "$lab" exec n1 fence_vigil_lab >/dev/null 2>&1; }
	agent action=metadata && "$top_srcdir/scripts/fence_vigil_lab" -o metadata | grep -q '<resource-agent name="fence_vigil_lab"' ||
		fail "fence agent: metadata"
	agent action=status port=n3; [ $? = 0 ] || fail "fence agent: status of a running node is not 0"
	"$lab" fence-fail on
	agent action=off plug=n3 && fail "fence agent: off succeeded while told to refuse"
	"$lab" power n3 >/dev/null || fail "fence agent: refused, but n3 went off"
	"$lab" fence-fail off
	agent action=reboot nodename=n3 || fail "fence agent: reboot n3"
	agent action=status port=n3; [ $? = 2 ] || fail "fence agent: status of a fenced node is not 2"
	agent action=on port=n3 || fail "fence agent: on n3"
	expect_view n3 "3 Yes" 20 "after the fence agent powered n3 on"
	grep -q 'action=reboot target=n3 by=n1 result=ok' "$labdir/fence.log" || fail "fence agent: no log line"

	snapshot
	"$lab" down || fail "down"
	assert_nothing_left "down (3 nodes)"
	"$lab" down || fail "a second down fails"
else
	fail "up --nodes 3"
	snapshot
	"$lab" down
fi

# 5 nodes
if "$lab" up --nodes 5 --no-vigild; then
	for n in n1 n2 n3 n4 n5; do
		[ "$(view $n)" = "5 Yes" ] && ok "$n sees 5 members" || fail "$n sees '$(view $n)' of 5"
	done
else
	fail "up --nodes 5"
fi
snapshot
"$lab" down || fail "down (5 nodes)"
assert_nothing_left "down (5 nodes)"

# A failed up (no time to form the cluster) tears itself down.
if VIGIL_LAB_TIMEOUT=0 "$lab" up --nodes 3 --no-vigild >/dev/null 2>&1; then
	fail "up succeeded with no time to form the cluster"
fi
snapshot
assert_nothing_left "a failed up"
"$lab" down || fail "down after a failed up"

echo "lab-corosync: $(( ($(t_ms) - start) / 1000 )) s"
[ "$failures" = 0 ]
