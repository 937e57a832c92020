#!/bin/sh
# lab-verbs.sh - the resource and node verbs of `vigil` against a real 3-node
# lab with 2 VMs (scripts/lab up --vms 2), each checked by its outcome in
# libvirt (scripts/lab domains) and in vigil status:
#  - bad arguments give a clear error and change nothing (same version);
#  - ban moves the VM off the node (cli-ban-RSC-on-NODE), clear removes it;
#  - restart gives a new QEMU process, running;
#  - unmanage: a VM killed behind the cluster's back stays down (the failure
#    is still recorded); manage: the cluster starts it again; cleanup: the
#    failure is forgotten;
#  - failcount show / delete; maintenance on|off of a resource and a node;
#  - a VM whose domain XML is missing or broken fails cleanly: the reason in
#    status, fail count INFINITY, stopped, no vigild crashes, others unaffected.
set -u

[ "${VIGIL_LAB_TESTS:-yes}" = no ] && { echo "SKIP: lab tests disabled"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in corosync qemu-system-x86_64 libvirtd jq; do
	command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
		{ echo "SKIP: $t is not installed"; exit 77; }
done

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
VIGIL_LAB_NAME=vtvb$$
VIGIL_BUILD=$top_builddir
unset VIGIL_LAB_NET
export VIGIL_LAB_NAME VIGIL_BUILD
lab="$top_srcdir/scripts/lab"
nodes="n1 n2 n3"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

uplog=$(mktemp)
out=$(mktemp)
cleanup() {
	"$lab" down --purge >/dev/null 2>&1
	rm -f "$uplog" "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

where() {
	w=
	for n in $nodes; do
		"$lab" domains "$n" 2>/dev/null | grep -qx "$1 running" && w="$w $n"
	done
	echo "${w# }"
}
qemu_pid() { "$lab" exec "$1" cat "/run/libvirt/qemu/$2.pid" 2>/dev/null; }
v() { "$lab" exec n1 vigil "$@"; }
status_json() { "$lab" exec n1 vigil status --output-as json 2>/dev/null; }
version() { status_json | jq -r .config_version | cut -d: -f1,2; }
rsc_field() { status_json | jq -r --arg r "$1" ".resources[] | select(.id == \$r) | $2"; }
wait_until() {
	deadline=$(( $(date +%s) + $2 ))
	while ! eval "$1"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.3
	done
}
# Runs vigil with "$@" expecting exit status $1 and a message matching $2 on
# stderr; the configuration version must not change.
refused() {
	want=$1 pat=$2
	shift 2
	before=$(version)
	v "$@" >"$out" 2>&1
	rc=$?
	after=$(version)
	if [ "$rc" != "$want" ]; then
		fail "vigil $* exited $rc, not $want: $(cat "$out")"
	elif ! grep -q "$pat" "$out"; then
		fail "vigil $*: no '$pat' in: $(cat "$out")"
	elif [ "$before" != "$after" ]; then
		fail "vigil $* changed the configuration ($before -> $after)"
	else
		ok "vigil $* refused ($rc): $(head -1 "$out")"
	fi
}

if ! "$lab" up --nodes 3 --vms 2 >"$uplog" 2>&1; then
	cat "$uplog"
	if grep -q "cannot\|not installed\|no kvm\|guest-build" "$uplog"; then
		echo "SKIP: the lab with VMs cannot come up here"
		exit 77
	fi
	echo "FAIL: scripts/lab up --vms 2"
	exit 1
fi
wait_until '[ -n "$(where vm1)" ] && [ -n "$(where vm2)" ] &&
	[ "$(rsc_field vm1 .state)" = running ] && [ "$(rsc_field vm2 .state)" = running ]' 120 ||
	{ echo "FAIL: the VMs did not start"; exit 1; }
ok "vm1 on $(where vm1), vm2 on $(where vm2)"

# 1. Bad arguments: a clear error, nothing changed.
refused 1 "no resource 'nosuch'" resource ban nosuch n1
refused 1 "no node 'nosuch'" resource ban vm1 nosuch
refused 2 "Usage" resource ban vm1
refused 2 "Usage" resource maintenance vm1 maybe
refused 2 "Usage" resource failcount
refused 1 "no resource 'nosuch'" resource failcount show nosuch
refused 1 "no node 'nosuch'" resource failcount delete vm1 nosuch
refused 1 "no resource 'nosuch'" resource cleanup nosuch
refused 1 "no node 'nosuch'" resource cleanup vm1 nosuch
refused 1 "no resource 'nosuch'" resource unmanage nosuch
refused 1 "no resource 'nosuch'" resource restart nosuch
refused 1 "no node 'nosuch'" node maintenance on nosuch
refused 2 "Usage" node maintenance maybe n1
refused 2 "Usage" resource frobnicate vm1

# 2. ban, then clear.
from=$(where vm1)
if v resource ban vm1 "$from" --wait --timeout 90 >"$out" 2>&1; then
	to=$(where vm1)
	[ -n "$to" ] && [ "$to" != "$from" ] && ok "ban vm1 $from: now on $to ($(tail -1 "$out"))" ||
		fail "ban vm1 $from: vm1 runs on '$to'"
else
	fail "vigil resource ban vm1 $from --wait: $(cat "$out")"
fi
v configure show --xml | grep -q "id=\"cli-ban-vm1-on-$from\".*score=\"-INFINITY\"" ||
	v configure show --xml | grep "cli-ban-vm1-on-$from" | grep -q -- "-INFINITY" ||
	fail "no cli-ban-vm1-on-$from -INFINITY constraint"
v resource clear vm1 >"$out" 2>&1 && grep -q "removing cli-ban-vm1-on-$from" "$out" ||
	fail "clear vm1: $(cat "$out")"
v configure show --xml | grep -q "cli-ban-vm1" && fail "cli-ban-vm1 still there after clear"

# 3. restart: a new QEMU process.
n=$(where vm1)
pid=$(qemu_pid "$n" vm1)
if v resource restart vm1 --wait --timeout 90 >"$out" 2>&1; then
	n2=$(where vm1)
	[ -n "$n2" ] && [ "$(qemu_pid "$n2" vm1)" != "$pid" ] &&
		ok "restart vm1: new QEMU on $n2 ($(grep -c . "$out") lines: $(tail -1 "$out"))" ||
		fail "restart vm1: same QEMU PID $pid or not running"
else
	fail "vigil resource restart vm1 --wait: $(cat "$out")"
fi
[ "$(rsc_field vm1 .target_role)" = Started ] || fail "restart left target-role $(rsc_field vm1 .target_role)"

# 4. unmanage: a crash behind its back is recorded, not repaired.
n=$(where vm2)
v resource unmanage vm2 --wait --timeout 30 >"$out" 2>&1 && grep -q "not managed" "$out" ||
	fail "unmanage vm2 --wait: $(cat "$out")"
[ "$(rsc_field vm2 .managed)" = false ] || fail "status does not show vm2 unmanaged"
"$lab" exec "$n" kill -9 "$(qemu_pid "$n" vm2)"
wait_until '[ "$(rsc_field vm2 ".failures | length")" -gt 0 ]' 30 ||
	fail "vm2's crash while unmanaged was not recorded"
sleep 5
[ -z "$(where vm2)" ] && ok "unmanaged vm2 killed on $n: left down, failure recorded" ||
	fail "unmanaged vm2 was started again on $(where vm2)"
v resource failcount show vm2 >"$out" 2>&1
grep -q "name=fail-count-vm2 value=1 node=$n" "$out" && ok "failcount show: $(head -1 "$out")" ||
	fail "failcount show vm2: $(cat "$out")"
if v resource manage vm2 --wait --timeout 30 >"$out" 2>&1 &&
   wait_until '[ -n "$(where vm2)" ]' 90; then
	ok "manage vm2: the cluster started it again on $(where vm2)"
else
	fail "manage vm2: $(cat "$out"); vm2 on '$(where vm2)'"
fi
if v resource cleanup vm2 --wait --timeout 60 >"$out" 2>&1 &&
   [ "$(rsc_field vm2 ".failures | length")" = 0 ]; then
	ok "cleanup vm2: $(tail -1 "$out")"
else
	fail "cleanup vm2 --wait: $(cat "$out")"
fi

# 5. failcount delete on one node.
n=$(where vm2)
"$lab" exec "$n" kill -9 "$(qemu_pid "$n" vm2)"
wait_until '[ "$(rsc_field vm2 ".failures | length")" -gt 0 ] && [ -n "$(where vm2)" ]' 60 ||
	fail "vm2 not recovered after its crash"
if v resource failcount delete vm2 "$n" --wait --timeout 30 >"$out" 2>&1 &&
   [ "$(rsc_field vm2 ".failures | length")" = 0 ]; then
	ok "failcount delete vm2 $n: $(head -1 "$out")"
else
	fail "failcount delete vm2 $n: $(cat "$out")"
fi

# 6. maintenance of a resource and of a node.
v resource maintenance vm1 on --wait --timeout 30 >"$out" 2>&1 &&
	[ "$(rsc_field vm1 .maintenance)" = true ] && [ "$(rsc_field vm1 .managed)" = false ] &&
	ok "maintenance vm1 on" || fail "maintenance vm1 on: $(cat "$out")"
v resource maintenance vm1 off --wait --timeout 30 >"$out" 2>&1 &&
	[ "$(rsc_field vm1 .managed)" = true ] && ok "maintenance vm1 off" ||
	fail "maintenance vm1 off: $(cat "$out")"
n=$(where vm1)
pid=$(qemu_pid "$n" vm1)
if v node maintenance on "$n" --wait --timeout 30 >"$out" 2>&1; then
	ok "node maintenance on $n: $(tail -1 "$out")"
else
	fail "node maintenance on $n: $(cat "$out")"
fi
# In maintenance the node's VMs are left alone: even a standby moves nothing.
v node standby "$n" >/dev/null 2>&1
sleep 4
[ "$(where vm1)" = "$n" ] && [ "$(qemu_pid "$n" vm1)" = "$pid" ] &&
	ok "node $n in maintenance and standby: vm1 left alone" ||
	fail "vm1 was touched on $n in maintenance (now on '$(where vm1)')"
v node online "$n" >/dev/null 2>&1
v node maintenance off "$n" --wait --timeout 30 >"$out" 2>&1 && ok "node maintenance off $n" ||
	fail "node maintenance off $n: $(cat "$out")"

# 7. A VM whose domain XML is missing and one whose XML is broken: each start
#    fails with its reason in status (fail count INFINITY on every node), the
#    VMs stay stopped, every vigild keeps running, the other VMs run on.
labdir=$("$lab" env | sed -n 's/^VIGIL_LAB_DIR=//p')
pids=$(for n in $nodes; do cat "$labdir/$n/run/vigild.pid"; done | tr '\n' ' ')
before1=$(where vm1) before2=$(where vm2)
printf '%s\n' '<domain type="qemu"><name>vmbroken</name><memory unit="MiB">64' \
	>"$labdir/vms/vmbroken.xml"
rm -f "$labdir/vms/vmmissing.xml"
{
	echo '<configuration><resources>'
	for b in vmmissing vmbroken; do
		echo "<primitive id=\"$b\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
		echo "<instance_attributes id=\"$b-i\"><nvpair id=\"$b-c\" name=\"config\""
		echo " value=\"$labdir/vms/$b.xml\"/></instance_attributes></primitive>"
	done
	echo '</resources></configuration>'
} >"$labdir/bad.xml"
v configure load update "$labdir/bad.xml" >/dev/null 2>&1 || fail "adding vmmissing and vmbroken"
for b in vmmissing vmbroken; do
	if wait_until "[ \"\$(rsc_field $b '[.failures[] | select(.fail_count == \"INFINITY\")] | length')\" = 3 ]" 90
	then
		ok "$b: start failed on every node: $(rsc_field $b '.failures[0].message')"
	else
		fail "$b: no INFINITY start failure on every node: $(rsc_field $b .failures)"
	fi
	[ "$(rsc_field $b .state)" = stopped ] || fail "$b is $(rsc_field $b .state), not stopped"
	[ -z "$(where $b)" ] || fail "$b runs on $(where $b)"
done
v status >"$out" 2>&1
grep -q "vmmissing start on .*rc -" "$out" && ok "vigil status shows the failed starts:
$(sed -n '/Failed resource actions/,$p' "$out")" || fail "vigil status does not show the failed starts: $(cat "$out")"
pids2=$(for n in $nodes; do cat "$labdir/$n/run/vigild.pid"; done | tr '\n' ' ')
alive=0
for n in $nodes; do v status >/dev/null 2>&1 && alive=$((alive + 1)); done
[ "$pids" = "$pids2" ] && [ "$alive" = 3 ] && ok "every vigild kept running ($pids)" ||
	fail "a vigild changed or stopped answering ($pids -> $pids2)"
[ "$(where vm1)" = "$before1" ] && [ "$(where vm2)" = "$before2" ] &&
	ok "vm1 and vm2 unaffected" || fail "vm1/vm2 moved: $before1/$before2 -> $(where vm1)/$(where vm2)"

[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
exit 0
