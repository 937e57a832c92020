#!/bin/sh
# exec-migrate.sh - the executor live-migrates a real QEMU guest between two
# hypervisors on this machine.
#
# Two root libvirtds, each in its own network, mount and PID namespaces (the
# lab's "option A"), joined by a veth pair on a private /24; each listens on TCP
# at its own address with its own host_uuid.  exec_tool talks to both (unix
# sockets work across network namespaces), starts the tiny guest on A,
# migrates it peer-to-peer to qemu+tcp://B/system while monitoring both sides
# every 20 ms, and checks that it never runs twice and that its heartbeat went
# on counting (live); then a migration back with a too short timeout must be
# aborted and leave the VM on B alone.
#
# Needs the lab's tiny guest (VIGIL_GUEST_CACHE, default
# /var/cache/vigil-lab/guest; scripts/guest-build makes it, and is run here when
# the cache is empty): a guest that boots nothing cannot show that it kept
# running.  Skips (77) without root, libvirtd, qemu-system-x86_64, ip, unshare
# or the guest.  Everything it made (daemons,
# QEMU, namespaces, the blackhole route, files) is gone when it exits.

[ "${VIGIL_LAB_TESTS:-yes}" = no ] && exit 77
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
for c in libvirtd qemu-system-x86_64 unshare mount ip; do
	command -v "$c" >/dev/null 2>&1 || { echo "skip: $c not installed"; exit 77; }
done
id libvirt-qemu >/dev/null 2>&1 || { echo "skip: no user libvirt-qemu"; exit 77; }
cache=${VIGIL_GUEST_CACHE:-/var/cache/vigil-lab/guest}
build_guest="${top_srcdir:-..}/scripts/guest-build"
if { [ ! -s "$cache/vmlinuz" ] || [ ! -s "$cache/initramfs.gz" ]; } && [ -x "$build_guest" ]; then
	echo "building the tiny guest into $cache"
	VIGIL_GUEST_CACHE="$cache" flock /tmp/vigil-guest-build.lock timeout 900 "$build_guest"
fi
if [ ! -s "$cache/vmlinuz" ] || [ ! -s "$cache/initramfs.gz" ]; then
	echo "skip: no tiny guest in $cache (scripts/guest-build makes it)"
	exit 77
fi

tool="${top_builddir:-..}/tests/unit/exec_tool"
[ -x "$tool" ] || { echo "FAIL: $tool not built"; exit 1; }

D=$(mktemp -d /tmp/vigil-exec-mig.XXXXXX) || exit 1
rsc=vmmig
tag=vgxm$$
net=10.217.$(($$ % 200 + 20))
addr_a=$net.1
addr_b=$net.2

cleanup() {
	[ -n "${tool_pid:-}" ] && kill -9 "$tool_pid" 2>/dev/null
	for side in a b; do
		[ -s "$D/$side/mntns" ] || continue
		ns=$(cat "$D/$side/mntns")
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] && kill -9 "${p#/proc/}" 2>/dev/null
		done
	done
	sleep 0.3
	ip netns del "$tag-a" 2>/dev/null
	ip netns del "$tag-b" 2>/dev/null
	ip route del blackhole "$net.0/24" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The lab subnet exists only inside the two namespaces; a client in the root
# namespace that dials it by mistake must fail here, not leave the machine.
ip route add blackhole "$net.0/24" || exit 1
ip netns add "$tag-a" && ip netns add "$tag-b" || exit 1
ip link add "$tag-a0" type veth peer name "$tag-b0" || exit 1
ip link set "$tag-a0" netns "$tag-a" && ip link set "$tag-b0" netns "$tag-b" || exit 1
ip -n "$tag-a" addr add "$addr_a/24" dev "$tag-a0" && ip -n "$tag-a" link set "$tag-a0" up &&
	ip -n "$tag-a" link set lo up || exit 1
ip -n "$tag-b" addr add "$addr_b/24" dev "$tag-b0" && ip -n "$tag-b" link set "$tag-b0" up &&
	ip -n "$tag-b" link set lo up || exit 1

mkdir -p "$D/vm" || exit 1
# Written by the source and then the destination QEMU (append).
serial="$D/vm/$rsc.serial.log"
cat >"$D/vm/$rsc.xml" <<EOF
<domain type='qemu'>
  <name>$rsc</name>
  <memory unit='MiB'>96</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$cache/vmlinuz</kernel>
    <initrd>$cache/initramfs.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 vigil.name=$rsc</cmdline>
  </os>
  <features><acpi/><tcg><tb-cache unit='MiB'>32</tb-cache></tcg></features>
  <cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <serial type='file'><source path='$serial' append='on'/><target port='0'/></serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF

# One node: folders, config, and a daemon in its own namespaces, left running
# (the namespace's init, a sh, waits on it) until cleanup.
node() {
	side=$1 addr=$2 n="$D/$1"
	mkdir -p "$n/run" "$n/lib" "$n/log" "$n/cache" "$n/etc" || return 1
	cat >"$n/etc/libvirtd.conf" <<EOF
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
unix_sock_rw_perms = "0700"
listen_tls = 0
listen_tcp = 1
listen_addr = "$addr"
auth_tcp = "none"
EOF
	cat >"$n/etc/qemu.conf" <<EOF
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
migration_address = "$addr"
migration_host = "$addr"
EOF
	cat >"$n/inner.sh" <<EOF
readlink /proc/self/ns/mnt >"$n/mntns"
mount --bind "$n/run" /run && mount --bind "$n/lib" /var/lib/libvirt &&
mount --bind "$n/log" /var/log/libvirt && mount --bind "$n/cache" /var/cache/libvirt &&
mount --bind "$n/etc" /etc/libvirt || exit 1
# sh stays the namespace's init: its wait reaps QEMU processes as soon as they
# exit (libvirtd reports a stopped domain only once its QEMU is reaped).
libvirtd --listen &
wait
EOF
	# (in a subshell: not a job of ours, so its death at cleanup is silent)
	(ip netns exec "$tag-$side" unshare --mount --pid --fork --mount-proc \
		--propagation private sh "$n/inner.sh" >"$n/stdout" 2>&1 &)
	i=0
	while [ ! -S "$n/run/libvirt/libvirt-sock" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "$n/run/libvirt/libvirt-sock" ] || { echo "FAIL: libvirtd $side did not start"; cat "$n/stdout"; return 1; }
}
node a "$addr_a" || exit 1
node b "$addr_b" || exit 1

uri_a="qemu+unix:///system?socket=$D/a/run/libvirt/libvirt-sock"
uri_b="qemu+unix:///system?socket=$D/b/run/libvirt/libvirt-sock"
# The tool runs in A's network namespace: the source libvirtd dials B itself
# (peer to peer), and nothing here may reach the lab subnet from outside.
# In the background so that a signal interrupts the wait and cleans up at once.
ip netns exec "$tag-a" "$tool" "$uri_a" migrate-scenario $rsc "$D/vm/$rsc.xml" "$uri_b" \
	"qemu+tcp://$addr_b/system" "qemu+tcp://$addr_a/system" "$serial" &
tool_pid=$!
wait $tool_pid
rc=$?
if [ $rc -ne 0 ]; then
	for side in a b; do
		echo "--- libvirtd $side log (tail)"
		tail -n 15 "$D/$side/log/libvirtd.log" 2>/dev/null
		tail -n 5 "$D/$side/log/qemu/$rsc.log" 2>/dev/null
	done
fi
exit $rc
