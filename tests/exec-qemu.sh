#!/bin/sh
# exec-qemu.sh - the executor against a real QEMU guest.
#
# A root libvirtd runs in a private mount namespace (the lab's "option A"): our
# own folders are bind-mounted over /run, /var/lib/libvirt, /var/log/libvirt,
# /var/cache/libvirt and /etc/libvirt, so it shares nothing with any other
# libvirtd and its URI is production's qemu:///system.  exec_tool then runs the
# scenario: start, kill -9 of QEMU (crash detection latency), start again,
# libvirtd killed and restarted under the running VM, libvirtd hung (SIGSTOP)
# and resumed, stop, probe.
#
# The guest is the lab's tiny guest when its kernel and initramfs are cached
# (VIGIL_GUEST_CACHE, default /var/cache/vigil-lab/guest: scripts/guest-build
# makes them; it is then stopped gracefully by ACPI), otherwise a diskless
# guest that boots nothing (stop then ends in destroy after the shutdown
# timeout).  Skips (77) without root, libvirtd, qemu-system-x86_64 or unshare.
# Everything it started (daemon, QEMU, mounts, files) is gone when it exits.

[ "${VIGIL_LAB_TESTS:-yes}" = no ] && exit 77
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
for c in libvirtd qemu-system-x86_64 unshare mount; do
	command -v "$c" >/dev/null 2>&1 || { echo "skip: $c not installed"; exit 77; }
done
# libvirtd refuses to start without this user, whatever qemu.conf says.
id libvirt-qemu >/dev/null 2>&1 || { echo "skip: no user libvirt-qemu"; exit 77; }

tool="${top_builddir:-..}/tests/unit/exec_tool"
[ -x "$tool" ] || { echo "FAIL: $tool not built"; exit 1; }

D=$(mktemp -d /tmp/vigil-exec-qemu.XXXXXX) || exit 1
rsc=vmexec

cleanup() {
	# Every process of our private mount namespace: libvirtd and QEMU.
	if [ -s "$D/mntns" ]; then
		ns=$(cat "$D/mntns")
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] && kill -9 "${p#/proc/}" 2>/dev/null
		done
	fi
	for f in "$D"/run/libvirt/qemu/*.pid "$D"/run/libvirtd.pid; do
		[ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	sleep 0.2
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$D/run" "$D/lib" "$D/log" "$D/cache" "$D/etc" "$D/vm" || exit 1
cat >"$D/etc/libvirtd.conf" <<EOF
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
unix_sock_rw_perms = "0700"
EOF
cat >"$D/etc/qemu.conf" <<'EOF'
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
EOF

cache=${VIGIL_GUEST_CACHE:-/var/cache/vigil-lab/guest}
if [ -s "$cache/vmlinuz" ] && [ -s "$cache/initramfs.gz" ]; then
	guest=tiny
	boot="<kernel>$cache/vmlinuz</kernel>
    <initrd>$cache/initramfs.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 vigil.name=$rsc</cmdline>"
	expect_stop=graceful
	# ACPI shutdown takes 0.3-2 s, but TCG on a loaded machine is slow
	shutdown_ms=30000
else
	guest=diskless
	boot=""
	expect_stop=destroy
	shutdown_ms=5000
fi
cat >"$D/vm/$rsc.xml" <<EOF
<domain type='qemu'>
  <name>$rsc</name>
  <memory unit='MiB'>96</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    $boot
  </os>
  <features><acpi/><tcg><tb-cache unit='MiB'>32</tb-cache></tcg></features>
  <cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <serial type='file'><source path='$D/vm/$rsc.serial.log' append='on'/><target port='0'/></serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
echo "guest: $guest ($D/vm/$rsc.xml)"

start_libvirtd='libvirtd --daemon --pid-file /run/libvirtd.pid'
# The inner script runs in the private namespaces; so do libvirtd and QEMU.
cat >"$D/inner.sh" <<EOF
set -e
readlink /proc/self/ns/mnt >"$D/mntns"
mount --bind "$D/run" /run
mount --bind "$D/lib" /var/lib/libvirt
mount --bind "$D/log" /var/log/libvirt
mount --bind "$D/cache" /var/cache/libvirt
mount --bind "$D/etc" /etc/libvirt
set +e
$start_libvirtd || { echo "FAIL: libvirtd did not start"; exit 1; }
i=0
while [ ! -S /run/libvirt/libvirt-sock ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
[ -S /run/libvirt/libvirt-sock ] || { echo "FAIL: no libvirt socket"; exit 1; }
EXEC_EXPECT_STOP=$expect_stop EXEC_SHUTDOWN_MS=$shutdown_ms EXEC_WAIT_FILE="$D/vm/$rsc.serial.log" \
EXEC_WAIT_TEXT="VIGIL-GUEST HEARTBEAT" EXEC_WAIT=$([ $guest = tiny ] && echo yes || echo no) \
"$tool" qemu:///system scenario $rsc "$D/vm/$rsc.xml" /run/libvirt/qemu/$rsc.pid \
	/run/libvirtd.pid "$start_libvirtd"
EOF
# Own PID namespace too: its init (our sh) reaps the killed QEMU at once, as
# systemd would.  Some containers' PID 1 reaps orphans only every ~2 s, and
# libvirtd reports a crash only once the dead QEMU is reaped.
# In the background so that a signal interrupts the wait and cleans up at once.
unshare --mount --pid --fork --mount-proc --propagation private sh "$D/inner.sh" &
wait $!
rc=$?
if [ $rc -ne 0 ]; then
	echo "--- libvirtd log (tail)"
	tail -n 30 "$D/log/libvirtd.log" 2>/dev/null
	echo "--- qemu log (tail)"
	tail -n 20 "$D/log/qemu/$rsc.log" 2>/dev/null
	echo "--- guest console (tail)"
	tail -n 8 "$D/vm/$rsc.serial.log" 2>/dev/null
fi
exit $rc
