#!/bin/sh
# vmpoll-args.sh - bench/vmpoll's argument handling, and its polling against
# libvirt's in-process test driver (test:///default has a running domain
# named "test"): no daemon, no root, a second at most.
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)/build}"
vmpoll="$top_builddir/bench/vmpoll"
[ -x "$vmpoll" ] || { echo "FAIL: no $vmpoll"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect RC ARGS...: vmpoll exits with RC.
expect() {
	want=$1
	shift
	"$vmpoll" "$@" >/tmp/vmpoll-args.$$ 2>&1
	got=$?
	[ "$got" = "$want" ] || fail "vmpoll $* exits $got, not $want: $(cat /tmp/vmpoll-args.$$)"
}

expect 2
expect 2 a b
expect 2 ""
expect 2 --bogus vm1
expect 2 --interval-ms 0 vm1
expect 2 --interval-ms 60001 vm1
expect 2 --interval-ms 1x vm1
expect 2 --interval-ms '' vm1
expect 2 --timeout-ms -5 vm1
expect 2 --timeout-ms abc vm1
expect 2 --uri
expect 0 --help
grep -q '^Usage: vmpoll' /tmp/vmpoll-args.$$ || fail "--help prints no usage"

# A running domain: one line "<ms> running", exit 0.
before=$(date +%s%3N)
out=$("$vmpoll" --uri test:///default --timeout-ms 2000 test)
rc=$?
after=$(date +%s%3N)
[ "$rc" = 0 ] || fail "running domain: exit $rc ($out)"
set -- $out
[ $# = 2 ] && [ "$2" = running ] || fail "running domain: output '$out'"
[ "${1:-0}" -ge "$before" ] 2>/dev/null && [ "$1" -le "$after" ] ||
	fail "running domain: timestamp '${1:-}' not in [$before, $after]"

# An absent domain: "absent", then "timeout" after about 300 ms, exit 1.
before=$(date +%s%3N)
out=$("$vmpoll" --uri test:///default --interval-ms 50 --timeout-ms 300 nosuch)
rc=$?
took=$(( $(date +%s%3N) - before ))
[ "$rc" = 1 ] || fail "absent domain: exit $rc, not 1 ($out)"
[ "$(echo "$out" | awk '{ print $2 }' | tr '\n' ' ')" = "absent timeout " ] ||
	fail "absent domain: output '$out'"
[ "$took" -ge 300 ] || fail "absent domain: gave up after $took ms, before the 300 ms timeout"

# An unreachable libvirt: "noconn", then "timeout".
out=$("$vmpoll" --uri "qemu+unix:///system?socket=/nonexistent/sock" --timeout-ms 200 vm1)
rc=$?
[ "$rc" = 1 ] && [ "$(echo "$out" | awk '{ print $2 }' | tr '\n' ' ')" = "noconn timeout " ] ||
	fail "no libvirtd: exit $rc, output '$out'"

rm -f /tmp/vmpoll-args.$$
[ "$failures" = 0 ] && echo "ok: vmpoll arguments and polling"
exit $((failures > 0))
