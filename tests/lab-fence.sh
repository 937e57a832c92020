#!/bin/sh
# lab-fence.sh - fencing and recovery on a 5-node lab with real guests
# (scripts/lab up --nodes 5 --vms 3; the lab's fence agent fence_vigil_lab,
# which powers a lab node off):
#  a. power off the node running a VM: it is fenced (fence.log), its VM runs
#     on a survivor, `vigil status` shows the fencing; the phases (power-off,
#     membership change, fence requested, fenced, start issued, running) are
#     printed from the logs;
#  b. the agent refuses (scripts/lab fence-fail on): the VM stays down, the
#     DC retries with back-off, after stonith-max-attempts `vigil status`
#     says "fencing failed" and why; fence-fail off: recovery completes;
#  c. fencing topology: level 1 (a device that cannot work) fails, level 2
#     (the lab device) fences;
#  d. the DC is killed while it is fencing (its agent refusing): the new DC
#     fences, the VM is started once;
#  e. no fence device: the node stays unclean, its VM down, until
#     `vigil node confirm NODE --yes`;
#  throughout, a checker polls every node's libvirt and fails if a VM runs on
#  two nodes in two polling rounds in a row.
set -u

[ "${VIGIL_LAB_TESTS:-yes}" = no ] && { echo "SKIP: lab tests disabled"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in corosync qemu-system-x86_64 libvirtd jq; do
	command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
		{ echo "SKIP: $t is not installed"; exit 77; }
done

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
: "${VIGIL_LAB_NAME:=vtfe$$}"
VIGIL_BUILD=$top_builddir
unset VIGIL_LAB_NET
export VIGIL_LAB_NAME VIGIL_BUILD
lab="$top_srcdir/scripts/lab"
labdir=$("$lab" env | sed -n 's/^VIGIL_LAB_DIR=//p')
nodes="n1 n2 n3 n4 n5"
vms="vm1 vm2 vm3"

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

on() { "$lab" power "$1" >/dev/null 2>&1; }
up_nodes() { for n in $nodes; do on "$n" && printf '%s ' "$n"; done; }
# Where a VM runs according to libvirt ("" when nowhere, "a b" when twice).
where() {
	w=
	for n in $(up_nodes); do
		"$lab" domains "$n" 2>/dev/null | grep -qx "$1 running" && w="$w $n"
	done
	echo "${w# }"
}
# A node whose vigild answers, for the verbs.
any_up() { for n in $(up_nodes); do echo "$n"; return; done; }
st_json() { "$lab" exec "${2:-$(any_up)}" vigil status --output-as json 2>/dev/null; }
node_state() { st_json "${2:-}" | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .state'; }
dc() { st_json | jq -r '.dc // "-"'; }
vigil_where() {
	"$lab" exec "$1" vigil status --output-as json 2>/dev/null |
		jq -r --arg r "$2" '.resources[] | select(.id == $r) |
			if .state == "running" then .node else "" end'
}
wait_until() {
	deadline=$(( $(date +%s) + $2 ))
	while ! eval "$1"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.3
	done
}
all_running() {
	for vm in $vms; do
		w=$(where "$vm")
		case "$w" in ""|*" "*) return 1;; esac
	done
}
# A node running a VM, not the DC when there is one (the DC otherwise).
victim_node() {
	d=$(dc) dch=
	for vm in $vms; do
		w=$(where "$vm")
		[ -n "$w" ] && [ "$w" != "$d" ] && { echo "$w"; return; }
		[ -n "$w" ] && dch=$w
	done
	echo "$dch"
}
vms_on() { for vm in $vms; do [ "$(where "$vm")" = "$1" ] && printf '%s ' "$vm"; done; }
# Milliseconds since the epoch of a vigild log line's stamp ("Nov 27 12:37:46.910 ...").
log_ms() {
	s=$(printf '%s' "$1" | cut -c1-15)
	ms=$(printf '%s' "$1" | cut -c17-19 | sed 's/^0*//')
	echo "$(( $(date -d "$s" +%s) * 1000 + ${ms:-0} ))"
}
# The first line after epoch-ms $1 matching $2 in the logs of every node.
first_after() {
	grep -h -- "$2" "$labdir"/n*/log/vigil/vigild.log 2>/dev/null | sort -k3,3 |
	while IFS= read -r l; do
		[ "$(log_ms "$l")" -ge "$1" ] && { echo "$l"; break; }
	done
}
all_online() {
	for n in $nodes; do [ "$(node_state "$n")" = online ] || return 1; done
}
# Powers $1 off; sets t0 to the moment of the first signal (<lab>/power.log),
# the same zero as bench/failover's.
power_off() {
	"$lab" kill "$1"
	t0=$(awk -v n="$1" '$2 == "off" && $3 == n { x = $1 } END { printf "%.0f", x * 1000 }' \
		"$labdir/power.log")
}
bring_back() {
	for n in $nodes; do
		on "$n" || "$lab" boot "$n" >/dev/null 2>&1 || fail "cannot boot $n again"
	done
	wait_until all_online 90 || echo "  note: not every node shows online yet"

	wait_until all_running 120 || fail "not every VM runs again after booting the nodes back"
}
# Phases of a failover from power-off (epoch ms $1) of $2 to VM $3 running.
phases() {
	t0=$1 node=$2 vm=$3
	memb=$(first_after "$t0" "$node left the group")
	req=$(first_after "$t0" "$node must be fenced")
	done_=$(first_after "$t0" "fencing $node succeeded")
	start=$(first_after "$t0" "issuing start $vm")
	run=$(first_after "$t0" "start $vm: rc 0, running")
	fenced=$(awk -v t="$node" '$3 == "action=reboot" || $3 == "action=off" { if ($4 == "target=" t && $6 == "result=ok") x = $1 } END { print x }' "$labdir/fence.log")
	p() { [ -n "$2" ] && echo "    $1: +$(( $(log_ms "$2") - t0 )) ms" || echo "    $1: (not found)"; }
	# (t0: the power-off, from power.log)
	echo "  phases of $vm's failover (from the power-off of $node):"
	p "membership change" "$memb"
	p "fence requested  " "$req"
	[ -n "$fenced" ] && echo "    agent powered off: +$(( $(echo "$fenced" | awk '{ printf "%.0f", $1 * 1000 }') - t0 )) ms (fence.log)"
	p "fence done       " "$done_"
	p "start issued     " "$start"
	p "running          " "$run"
	if [ -n "$done_" ] && [ -n "$start" ] && [ -n "$memb" ] && [ -n "$req" ]; then
		echo "    vigild's share: membership -> fence requested $(( $(log_ms "$req") - $(log_ms "$memb") )) ms, fence done -> start issued $(( $(log_ms "$start") - $(log_ms "$done_") )) ms"
	fi
}

t0=$(t_ms)
if ! "$lab" up --nodes 5 --vms 3 >"$uplog" 2>&1; then
	cat "$uplog"
	if grep -q "cannot\|not installed\|no kvm\|guest-build" "$uplog"; then
		echo "SKIP: the lab with VMs cannot come up here"
		exit 77
	fi
	echo "FAIL: scripts/lab up --nodes 5 --vms 3"
	exit 1
fi
echo "lab up in $(( $(t_ms) - t0 )) ms"

# The checker (as in lab-vms.sh): a VM counts as running on a node when two
# rounds in a row saw it there; two nodes at once is a failure.
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

wait_until all_running 180 || { fail "the VMs did not start"; exit 1; }
ok "3 VMs running; DC $(dc)"
"$lab" exec n1 vigil fence list n2 | sed 's/^/  /'

# ---- a. power off the node running a VM --------------------------------
v=$(victim_node)
on_v=$(vms_on "$v")
vm=${on_v%% *}
echo "a. power off $v (runs $on_v) at $(date +%H:%M:%S.%3N)"
power_off "$v"
if wait_until '[ -n "$(where $vm)" ]' 90; then
	t1=$(t_ms)
	ok "$vm runs on $(where "$vm") $(( t1 - t0 )) ms after $v was powered off"
	phases "$t0" "$v" "$vm"
else
	fail "$vm was not recovered after $v was powered off"
fi
grep -q "action=reboot target=$v .*result=ok" "$labdir/fence.log" &&
	ok "$v was fenced (fence.log)" || fail "no successful fencing of $v in fence.log"
s=$("$lab" exec "$(any_up)" vigil status)
printf '%s\n' "$s" | grep -q "^  $v .*reboot done" && ok "vigil status shows the fencing of $v" ||
	{ fail "vigil status does not show the fencing of $v"; printf '%s\n' "$s"; }
"$lab" exec "$(any_up)" vigil fence history "$v" | sed 's/^/  /'
bring_back

# ---- b. the agent fails: VMs stay down, retries, says why; then recovers --
"$lab" exec n1 vigil configure property stonith-max-attempts=3 >/dev/null ||
	fail "cannot set stonith-max-attempts"
"$lab" fence-fail on
v=$(victim_node)
on_v=$(vms_on "$v")
vm=${on_v%% *}
echo "b. fence-fail on; power off $v (runs $on_v)"
power_off "$v"
if wait_until '[ "$(node_state '"$v"')" = "fencing failed" ]' 60; then
	ok "status says $v: fencing failed after $(( $(t_ms) - t0 )) ms"
	"$lab" exec "$(any_up)" vigil status | grep -E "WARNING|^  $v " | sed 's/^/  /'
	st_json | jq -e --arg n "$v" '.nodes[] | select(.name == $n) | .fencing_reason | test("refus")' \
		>/dev/null && ok "the reason names the agent's refusal" ||
		fail "status does not say why fencing $v failed"
else
	fail "status never said 'fencing failed' for $v (now: $(node_state "$v"))"
fi
[ -z "$(where "$vm")" ] && ok "$vm stays down while $v is not fenced" ||
	fail "$vm runs on $(where "$vm") although $v was never fenced"
sleep 10
n=$(grep -c "target=$v .*result=refused" "$labdir/fence.log")
[ "$n" -ge 4 ] && ok "$n refused attempts: the DC keeps retrying" ||
	fail "only $n refused attempts for $v"
[ -z "$(where "$vm")" ] || fail "$vm started while $v is unfenced"
t0=$(t_ms)
"$lab" fence-fail off
if wait_until '[ -n "$(where $vm)" ]' 60; then
	ok "fence-fail off: $vm runs on $(where "$vm") $(( $(t_ms) - t0 )) ms later"
else
	fail "$vm not recovered after fence-fail off"
fi
"$lab" exec n1 vigil configure property stonith-max-attempts=10 >/dev/null
bring_back

# ---- c. topology: level 1 fails, level 2 fences -------------------------
topo=$labdir/topology.xml
hosts=$(echo $nodes)
cat >"$topo" <<EOF
<configuration>
  <resources>
    <primitive id="fence-broken" class="stonith" type="fence_vigil_lab">
      <instance_attributes id="fence-broken-ia">
        <nvpair id="fence-broken-hl" name="pcmk_host_list" value="$hosts"/>
        <nvpair id="fence-broken-port" name="port" value="nowhere"/>
      </instance_attributes>
    </primitive>
  </resources>
  <fencing-topology>
    <fencing-level id="fl-1" target-pattern="n.*" index="1" devices="fence-broken"/>
    <fencing-level id="fl-2" target-pattern="n.*" index="2" devices="fence-lab"/>
  </fencing-topology>
</configuration>
EOF
"$lab" exec n1 vigil configure load update "$topo" >/dev/null || fail "cannot load the topology"
"$lab" exec n1 vigil fence list n2 | sed 's/^/  /'
v=$(victim_node)
on_v=$(vms_on "$v")
vm=${on_v%% *}
echo "c. topology; power off $v (runs $on_v)"
power_off "$v"
wait_until '[ -n "$(where $vm)" ]' 90 && ok "$vm recovered on $(where "$vm") after $(( $(t_ms) - t0 )) ms" ||
	fail "$vm not recovered with the topology"
grep -q "target=nowhere .*result=bad-target\|target=nowhere .*bad-target" "$labdir/fence.log" &&
	ok "level 1 (fence-broken) was tried and failed" || fail "level 1 was not tried"
h=$("$lab" exec "$(any_up)" vigil fence history "$v" --output-as json)
printf '%s' "$h" | jq -e '.[-1].state == "done" and (.[-1].attempts[-1].message | test("fence-broken.*failed.*fence-lab.*ok"))' \
	>/dev/null && ok "history: fence-broken failed, then fence-lab fenced" ||
	{ fail "history does not show level 1 failing then level 2"; printf '%s\n' "$h" | tail -20; }
bring_back

# ---- d. kill the DC while it is fencing ---------------------------------
d=$(dc)
"$lab" fence-fail on
v=$(victim_node)
on_v=$(vms_on "$v")
vm=${on_v%% *}
starts_before=$(grep -h "issuing start $vm" "$labdir"/n*/log/vigil/vigild.log | wc -l)
echo "d. fence-fail on; power off $v (runs $on_v; DC $d)"
power_off "$v"
wait_until 'grep -q "target='"$v"' by='"$d"' result=refused" "$labdir/fence.log"' 60 ||
	fail "the DC $d did not try to fence $v"
t0=$(t_ms)
"$lab" kill "$d"
"$lab" fence-fail off
echo "  killed the DC $d while it was fencing $v"
if wait_until '[ -n "$(where $vm)" ]' 120; then
	nd=$(dc)
	ok "$vm runs on $(where "$vm") $(( $(t_ms) - t0 )) ms after the DC was killed; new DC $nd"
	grep -q "target=$v by=$nd result=ok" "$labdir/fence.log" && ok "the new DC $nd fenced $v" ||
		fail "no fencing of $v by the new DC in fence.log"
else
	fail "$vm not recovered after the DC was killed mid-fence"
fi
sleep 3
starts_after=$(grep -h "issuing start $vm" "$labdir"/n*/log/vigil/vigild.log | wc -l)
[ $((starts_after - starts_before)) -eq 1 ] && ok "$vm was started once" ||
	fail "$vm was started $((starts_after - starts_before)) times"
bring_back

# ---- e. no fence device: confirm by hand ---------------------------------
x=$labdir/nodevice.xml
cat >"$labdir/nodevice.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="primitive[@class='stonith']|fencing-topology"/>
</xsl:stylesheet>
EOF
"$lab" exec n1 vigil configure show --xml >"$x.in"
xsltproc "$labdir/nodevice.xsl" "$x.in" >"$x" || fail "xsltproc"
"$lab" exec n1 vigil configure load replace "$x" >/dev/null || fail "cannot remove the fence devices"
v=$(victim_node)
on_v=$(vms_on "$v")
vm=${on_v%% *}
echo "e. no fence device; power off $v (runs $on_v)"
power_off "$v"
wait_until '[ "$(node_state '"$v"')" = unclean ]' 30 && ok "$v shows unclean" ||
	fail "$v is '$(node_state "$v")', not unclean"
sleep 8
[ -z "$(where "$vm")" ] && ok "$vm stays down: nothing can fence $v" ||
	fail "$vm started although $v was neither fenced nor confirmed"
"$lab" exec "$(any_up)" vigil status | grep "WARNING" | sed 's/^/  /'
t0=$(t_ms)
"$lab" exec "$(any_up)" vigil node confirm "$v" --yes || fail "vigil node confirm $v --yes"
if wait_until '[ -n "$(where $vm)" ]' 60; then
	ok "after the confirmation $vm runs on $(where "$vm") ($(( $(t_ms) - t0 )) ms)"
else
	fail "$vm not recovered after vigil node confirm"
fi
"$lab" exec "$(any_up)" vigil fence history "$v" | tail -3 | sed 's/^/  /'

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
