#!/bin/sh
# lab-quorum.sh - quorum and clean shutdown on a lab with real guests
# (scripts/lab up --vms 2, 3 nodes then 2):
#  1. `scripts/lab daemon NODE stop` (SIGTERM to vigild) on the node running a
#     VM: the node is drained first - its VMs migrate live (no second boot
#     marker) - then vigild leaves cleanly: the others show the node offline,
#     not unclean, and nobody fences it;
#  2. the node running VMs is cut off the network (`scripts/lab cut`): it
#     loses quorum and stops its VMs by itself (no-quorum-policy=stop); the
#     majority does not start them before the node is fenced (when vigild
#     fences: it is fenced, then they run on the survivors); after the heal
#     every VM runs once;
#  3. two nodes (Corosync's two_node): the link cut; with fencing exactly
#     one side survives (the lab's fence delay) and runs every VM; without
#     it neither side starts the other's VMs;
#  throughout, a checker polls every node's libvirt and fails if a VM runs on
#  two nodes in two polling rounds in a row (tests/lab-vms.sh's rule).
# Prints the figures: drain time, quorum loss -> stop issued, cut -> VMs gone.
set -u

[ "${VIGIL_LAB_TESTS:-yes}" = no ] && { echo "SKIP: lab tests disabled"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in corosync qemu-system-x86_64 libvirtd jq; do
	command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
		{ echo "SKIP: $t is not installed"; exit 77; }
done

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
VIGIL_LAB_NAME=${VIGIL_LAB_NAME:-vtq$$}
VIGIL_BUILD=$top_builddir
unset VIGIL_LAB_NET
export VIGIL_LAB_NAME VIGIL_BUILD
lab="$top_srcdir/scripts/lab"
labdir=$("$lab" env | sed -n 's/^VIGIL_LAB_DIR=//p')
nodes="n1 n2 n3"
vms="vm1 vm2"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
t_ms() { date +%s%3N; }

checker_pid=
uplog=$(mktemp)
cleanup() {
	[ -n "$checker_pid" ] && kill "$checker_pid" 2>/dev/null
	# VIGIL_LAB_KEEP=1 keeps the lab's logs (down without --purge).
	if [ -n "${VIGIL_LAB_KEEP:-}" ]; then
		"$lab" down >/dev/null 2>&1
		echo "logs kept in $labdir"
	else
		"$lab" down --purge >/dev/null 2>&1
	fi
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
vigil_where() {
	"$lab" exec "$1" vigil status --output-as json 2>/dev/null |
		jq -r --arg r "$2" '.resources[] | select(.id == $r) |
			if .state == "running" then .node else "" end'
}
node_state() {
	"$lab" exec "$1" vigil status --output-as json 2>/dev/null |
		jq -r --arg n "$2" '.nodes[] | select(.name == $n) | .state'
}
runs_any() { "$lab" domains "$1" 2>/dev/null | grep -q ' running$'; }
boots() {
	b=$(grep -c "VIGIL-GUEST BOOTED name=$1" "$labdir/vms/$1.serial.log" 2>/dev/null)
	echo "${b:-0}"
}
wait_until() {
	deadline=$(( $(date +%s) + $2 ))
	while ! eval "$1"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.3
	done
}
# Every VM runs on exactly one node, and every vigild in $1 (default: all)
# says so.
all_agree() {
	for vm in $vms; do
		w=$(where "$vm")
		case "$w" in ""|*" "*) return 1;; esac
		for n in ${1:-$nodes}; do
			[ "$(vigil_where "$n" "$vm")" = "$w" ] || return 1
		done
	done
}
other_than() { for n in $nodes; do [ "$n" != "$1" ] && { echo "$n"; return; }; done; }
fenced() { grep -q "$1" "$labdir/fence.log" 2>/dev/null && grep "$1" "$labdir/fence.log" | grep -qv "status\|monitor\|list"; }

t0=$(t_ms)
if ! "$lab" up --nodes 3 --vms 2 >"$uplog" 2>&1; then
	cat "$uplog"
	if grep -q "cannot\|not installed\|no kvm\|guest-build" "$uplog"; then
		echo "SKIP: the lab with VMs cannot come up here"
		exit 77
	fi
	echo "FAIL: scripts/lab up --vms 2"
	exit 1
fi
echo "lab up in $(( $(t_ms) - t0 )) ms"

double="$labdir/double-run"
rm -f "$double"
start_checker() {
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
}
start_checker

if wait_until all_agree 120; then
	ok "VMs running: vm1 on $(where vm1), vm2 on $(where vm2)"
else
	fail "VMs did not all start"
	for n in $nodes; do echo "  $n libvirt: $("$lab" domains "$n" | tr '\n' ' ')"; done
fi

# 1. Clean shutdown of vigild on vm1's node: drained by live migration.
victim=$(where vm1)
moved=
for vm in $vms; do [ "$(where "$vm")" = "$victim" ] && moved="$moved $vm"; done
for vm in $moved; do
	# Booted (the marker is the reference for "no second boot").
	wait_until '[ "$(boots "$vm")" -ge 1 ]' 60 || fail "$vm never printed its boot marker"
	eval "boots_$vm=\$(boots $vm)"
done
t0=$(t_ms)
"$lab" daemon "$victim" stop || fail "scripts/lab daemon $victim stop"
drain_ms=$(( $(t_ms) - t0 ))
runs_any "$victim" && fail "$victim still runs a VM after vigild stopped"
if wait_until 'all_agree "$(for n in $nodes; do [ $n != $victim ] && echo $n; done)"' 30; then
	ok "vigild on $victim stopped in $drain_ms ms; its VMs ($moved) run on: $(for vm in $moved; do where "$vm"; done | tr '\n' ' ')"
else
	fail "the VMs of $victim do not run elsewhere after its vigild stopped"
fi
sleep 2
for vm in $moved; do
	eval "b0=\$boots_$vm"
	[ "$b0" -ge 1 ] && [ "$(boots "$vm")" = "$b0" ] && ok "$vm moved live (no second boot)" ||
		fail "$vm rebooted while its node drained ($b0 -> $(boots "$vm") boot markers)"
done
grep -h "drained after\|shutdown requested" "$labdir/$victim/log/vigil/vigild.log" | sed 's/^/  /'
other=$(other_than "$victim")
st=$(node_state "$other" "$victim")
[ "$st" = offline ] && ok "$other shows $victim $st (not unclean)" || fail "$other shows $victim '$st', not offline"
fenced "$victim" && fail "$victim was fenced after a clean stop: $(cat "$labdir/fence.log")"
"$lab" daemon "$victim" start >/dev/null 2>&1 || fail "vigild did not start again on $victim"
wait_until '[ "$(node_state "$other" "$victim")" = online ]' 60 || fail "$victim is not online again"
wait_until all_agree 60 || fail "status and libvirt disagree after $victim came back"
# Settled: the same placement twice, 3 s apart.
place() { for vm in $vms; do printf '%s=%s ' "$vm" "$(where "$vm")"; done; }
settled() { p1=$(place); sleep 3; all_agree && [ "$(place)" = "$p1" ]; }
wait_until settled 90 || fail "the placement does not settle: $(place)"
echo "  placement before the cut: $(place)"

# 2. Network cut of the node running VMs.
victim=$(where vm1)
[ -n "$victim" ] || { fail "vm1 runs nowhere before the cut"; exit 1; }
lost=
for vm in $vms; do [ "$(where "$vm")" = "$victim" ] && lost="$lost $vm"; done
survivors=$(for n in $nodes; do [ "$n" != "$victim" ] && echo "$n"; done | tr '\n' ' ')
fencing=no
"$lab" exec n1 vigil fence history >/dev/null 2>&1 && fencing=yes
# The majority's fencing and the cut node's own stops race: both start when
# Corosync reports the cut, and a fast agent powers the node off before its
# vigild has acted (its VMs then die with it, and its own stops are never
# seen).  A fence delay for the victim, as an admin would set per node
# (pcmk_delay_base), lets this test see the cut node act by itself first.
if [ "$fencing" = yes ]; then
	cfg=$(mktemp)
	"$lab" exec n1 vigil configure show --xml >"$cfg" 2>/dev/null &&
		grep -q 'name="pcmk_host_check"' "$cfg" &&
		sed -i "s|\(<nvpair [^>]*name=\"pcmk_host_check\"[^>]*/>\)|\1<nvpair id=\"fence-lab-cut-delay\" name=\"pcmk_delay_base\" value=\"$victim:10s\"/>|" "$cfg" &&
		"$lab" exec n1 vigil configure load replace - <"$cfg" >/dev/null ||
		fail "could not give $victim a fence delay"
	rm -f "$cfg"
fi
t0=$(t_ms)
echo "  cut $victim (running$lost) at $(date +%H:%M:%S.%3N); vigild fences: $fencing"
"$lab" cut "$victim" || fail "scripts/lab cut $victim"
if wait_until '! runs_any "$victim"' 60; then
	ok "$victim stopped its VMs by itself $(( $(t_ms) - t0 )) ms after the cut"
else
	fail "$victim still runs VMs 60 s after it was cut off"
fi
log="$labdir/$victim/log/vigil/vigild.log"
ql=$(sed -n 's/.*quorum lost (ring [0-9]*) at \([0-9]*\) ms.*/\1/p' "$log" | tail -1)
si=$(sed -n 's/.*stopping vm[0-9]* here at \([0-9]*\) ms.*/\1/p' "$log" | tail -1)
if [ -n "$ql" ] && [ -n "$si" ]; then
	ok "quorum loss -> stop issued on $victim: $((si - ql)) ms"
else
	fail "$victim's log does not show the quorum loss and its stops"
fi
grep -h "quorum lost\|stopping vm\|stop vm.*rc" "$log" | tail -4 | sed 's/^/  /'
if [ "$fencing" = yes ]; then
	if wait_until 'fenced "$victim"' 60; then
		ok "the majority fenced $victim"
	else
		fail "$victim was not fenced"
	fi
	if wait_until 'all_agree "$survivors"' 120; then
		ok "$lost recovered on the survivors $(( $(t_ms) - t0 )) ms after the cut"
	else
		fail "$lost not recovered on $survivors"
	fi
	"$lab" heal "$victim"
	"$lab" boot "$victim" >/dev/null 2>&1 || fail "scripts/lab boot $victim"
	wait_until all_agree 120 || fail "status and libvirt disagree after $victim came back"
else
	# Without fencing the majority must not start them: the node is unclean.
	sleep 8
	for vm in $lost; do
		[ -z "$(where "$vm")" ] && ok "$vm stays down while $victim is not fenced" ||
			fail "$vm started on $(where "$vm") while $victim was not fenced"
	done
	t1=$(t_ms)
	"$lab" heal "$victim"
	if wait_until all_agree 120; then
		ok "after the heal every VM runs once ($(( $(t_ms) - t1 )) ms)"
	else
		fail "VMs not all running after the heal"
	fi
	grep -h "quorum regained" "$log" | tail -1 | sed 's/^/  /'
fi

stop_checker() {
	kill "$checker_pid" 2>/dev/null
	wait "$checker_pid" 2>/dev/null
	checker_pid=
	if [ -s "$double" ]; then
		fail "a VM ran on two nodes ($1): $(sort -u "$double" | tr '\n' ';')"
	else
		ok "no VM ever ran on two nodes ($1; checker)"
	fi
}
stop_checker "3 nodes"

# 3. Two nodes (two_node: both sides of a cut keep quorum), the link cut:
#    with fencing, exactly one side survives (the lab's fence delay makes n1
#    shoot first) and runs every VM; without it, neither side starts the
#    other's VMs.
"$lab" down --purge >/dev/null 2>&1
nodes="n1 n2"
if ! "$lab" up --nodes 2 --vms 2 >"$uplog" 2>&1; then
	cat "$uplog"
	fail "scripts/lab up --nodes 2 --vms 2"
	exit 1
fi
grep -q "two_node: 1" "$labdir/n1/etc/corosync/corosync.conf" && ok "2 nodes: corosync has two_node" ||
	fail "2 nodes without two_node in corosync.conf"
rm -f "$double"
start_checker
wait_until all_agree 120 || fail "2 nodes: the VMs did not all start"
wait_until settled 90 || fail "2 nodes: the placement does not settle: $(place)"
echo "  2 nodes, placement before the cut: $(place)"
before=$(place)
t0=$(t_ms)
"$lab" cut n2 || fail "scripts/lab cut n2"
if [ "$fencing" = yes ]; then
	if wait_until '[ "$("$lab" power n2 2>/dev/null)" = off ]' 60 && fenced n2; then
		ok "2 nodes: n2 fenced $(( $(t_ms) - t0 )) ms after the cut"
	else
		fail "2 nodes: n2 was not fenced"
	fi
	grep -q " n1" "$labdir/fence.log" && grep " n1" "$labdir/fence.log" | grep -qv "status\|monitor\|list" &&
		fail "2 nodes: n1 was fenced too: $(cat "$labdir/fence.log")"
	nodes="n1"
	if wait_until all_agree 120; then
		ok "2 nodes: every VM runs on n1 $(( $(t_ms) - t0 )) ms after the cut"
	else
		fail "2 nodes: the VMs do not all run on n1"
	fi
else
	sleep 10
	[ "$(place)" = "$before" ] && ok "2 nodes, no fencing: each side keeps its own VMs and starts nothing ($(place))" ||
		fail "2 nodes, no fencing: placement changed during the cut: $before -> $(place)"
	"$lab" heal n2
	nodes="n1 n2"
	wait_until all_agree 120 || fail "2 nodes: VMs not all running once after the heal"
fi
stop_checker "2 nodes"

[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
exit 0
