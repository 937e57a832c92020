# deps.sh - sourced by scripts/check, scripts/demo and scripts/lab: installs
# what Vigil needs to build and test, with apt-get, only when something is
# missing.

VG_DEPS="build-essential autoconf automake pkg-config git
 libqb-dev libcpg-dev libquorum-dev libcmap-dev libcorosync-common-dev
 libvirt-dev libxml2-dev libxml2-utils libjson-c-dev libcmocka-dev
 corosync jq pacemaker-cli-utils clang valgrind iproute2 util-linux procps time"

# What the lab needs for real guests (scripts/lab up --vms): one libvirtd per
# node, QEMU (TCG is enough), and what scripts/guest-build packs into the
# tiny guest (the kernel package itself is only downloaded, never installed).
# Kept apart so that a check without VM tests does not pull QEMU in.
VG_VM_DEPS="libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
 qemu-system-x86 busybox-static cpio xz-utils"

# What only the failover benchmark needs (bench/failover, scripts/lab up
# --stack pacemaker): Pacemaker 2.1.5 and ocf:heartbeat:VirtualDomain, the
# peer Vigil is compared with.  Never installed by scripts/check.
VG_BENCH_DEPS="pacemaker pacemaker-cli-utils resource-agents"

vg_install_pkgs() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages:$missing (run as root to install them)" >&2
		return 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || return 1
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null || return 1
}

vg_install_deps() {
	# shellcheck disable=SC2086
	vg_install_pkgs $VG_DEPS
}

vg_install_vm_deps() {
	# shellcheck disable=SC2086
	vg_install_pkgs $VG_VM_DEPS
}

vg_install_bench_deps() {
	# shellcheck disable=SC2086
	vg_install_pkgs $VG_BENCH_DEPS
}
