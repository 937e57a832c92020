#!/bin/sh
# gencluster.sh - vigil-gencluster writes what it promises (doc/gencluster.md):
#   - the same options and seed give the same bytes, and the committed
#     tests/data/valid/sixteen-node.xml is exactly what its first-line command
#     writes today (so the generator cannot drift silently);
#   - options are checked, large clusters come out fast;
#   - where Pacemaker is installed: crm_verify accepts every scenario (the
#     "failed" one with warnings about the lost node only), crm_simulate runs
#     on it, and a steady cluster needs no start, stop or move (its histories,
#     op-digests included, are what Pacemaker would have written).
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
gen="$top_builddir/bench/vigil-gencluster"
data="$top_srcdir/tests/data/valid"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -x "$gen" ] || { echo "FAIL: $gen not built"; exit 1; }

# ---- determinism and the committed sixteen-node document
cmd=$(sed -n '1s/^<!-- vigil-gencluster \(.*\) -->$/\1/p' "$data/sixteen-node.xml")
[ -n "$cmd" ] || fail "sixteen-node.xml does not start with the command that wrote it"
# shellcheck disable=SC2086 # the options are words
"$gen" $cmd >"$tmp/16.xml" || fail "vigil-gencluster $cmd failed"
cmp -s "$tmp/16.xml" "$data/sixteen-node.xml" ||
	fail "vigil-gencluster $cmd no longer writes tests/data/valid/sixteen-node.xml"
"$gen" -n 7 -k 50 -s failed -S 42 -u -c -f -m -p >"$tmp/a.xml"
"$gen" --nodes 7 --vms 50 --scenario failed --seed 42 --utilization --constraints \
	--stonith --migrate --probes >"$tmp/b.xml"
cmp -s "$tmp/a.xml" "$tmp/b.xml" || fail "same options, different output"
"$gen" -n 7 -k 50 -s failed -S 43 -u -c -f -m -p >"$tmp/c.xml"
cmp -s "$tmp/a.xml" "$tmp/c.xml" && fail "another seed, same output"
"$gen" -n 3 -k 5 -o "$tmp/o.xml" && "$gen" -n 3 -k 5 | cmp -s - "$tmp/o.xml" ||
	fail "--output writes something else than standard output"

# ---- what each scenario puts in the status
"$gen" -n 4 -k 12 -s fresh -f >"$tmp/fresh.xml"
grep -q '<lrm_rsc_op' "$tmp/fresh.xml" && fail "fresh: an operation history"
[ "$(grep -c '<lrm_resources>' "$tmp/fresh.xml")" = 4 ] || fail "fresh: not 4 node histories"
"$gen" -n 4 -k 12 -s steady -f >"$tmp/steady.xml"
[ "$(grep -c 'operation="start"' "$tmp/steady.xml")" = 13 ] ||
	fail "steady: not one start per VM plus the fence device"
[ "$(grep -c 'operation="monitor".*interval="10000"' "$tmp/steady.xml")" = 12 ] ||
	fail "steady: not one 10s monitor per VM"
"$gen" -n 4 -k 12 -s failed -f >"$tmp/failed.xml"
[ "$(grep -c 'in_ccm="false" crmd="offline" crm-debug-origin="vigil-gencluster" join="down" expected="member"' "$tmp/failed.xml")" = 1 ] ||
	fail "failed: not exactly one unclean node"
"$gen" -n 4 -k 12 -s standby >"$tmp/standby.xml"
[ "$(grep -c 'name="standby" value="on"' "$tmp/standby.xml")" = 1 ] ||
	fail "standby: not exactly one node in standby"

# ---- bad options are refused with status 2
for bad in "--nodes 0" "--nodes x" "--vms -1" "--scenario broken" "--seed -4" \
	"--strategy random" "--frobnicate" "-n 1 -s failed" "extra"; do
	# shellcheck disable=SC2086
	"$gen" $bad >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" = 2 ] || fail "'$bad' exited $rc, not 2"
	[ -s "$tmp/err" ] || fail "'$bad' said nothing on stderr"
done
"$gen" --help | grep -q -- '--scenario' || fail "--help does not describe --scenario"

# ---- speed: 32 nodes x 10,000 VMs in well under a second (0.4 s of CPU in
# the sanitizer build).  CPU time, not wall time, so a loaded machine does not
# make it fail; the bound still catches a placement that went quadratic.
# `times` in a subshell: its second line is the generator's user and sys time.
ms=$( ("$gen" -n 32 -k 10000 -s steady -u -c -f -m >"$tmp/big.xml"; echo $? >"$tmp/rc"; times) |
	sed -n 's/m/ /g;s/s//g;2p' | awk '{ printf "%d\n", ($1 * 60 + $2 + $3 * 60 + $4) * 1000 }')
[ "$(cat "$tmp/rc")" = 0 ] || fail "32 x 10000 failed"
echo "32 nodes x 10000 VMs: ${ms} ms of CPU, $(wc -c <"$tmp/big.xml") bytes"
[ "$ms" -lt 3000 ] || fail "32 x 10000 took $ms ms of CPU"
[ "$(grep -c '<primitive id="vm' "$tmp/big.xml")" = 10000 ] || fail "32 x 10000: not 10000 VMs"
rm -f "$tmp/big.xml"

# ---- Pacemaker's view
if ! command -v crm_verify >/dev/null 2>&1 || ! command -v crm_simulate >/dev/null 2>&1; then
	echo "crm_verify/crm_simulate not installed: Pacemaker checks skipped"
	[ "$fails" = 0 ] || exit 1
	exit 0
fi
check() { # SIZE SCENARIO OPTIONS...
	n=$1 k=$2 sc=$3
	shift 3
	f="$tmp/$n-$k-$sc.xml"
	"$gen" -n "$n" -k "$k" -s "$sc" "$@" >"$f" || { fail "$n x $k $sc $*: generator"; return; }
	crm_verify -V -x "$f" >"$tmp/v" 2>&1
	rc=$?
	# crm_verify exits 0 after recovering from broken XML: read what it says.
	# The lost node of "failed" draws warnings about fencing it, nothing else.
	if grep -qi 'error' "$tmp/v" || { [ "$rc" != 0 ] && [ "$sc" != failed ]; }; then
		fail "crm_verify rejects $n x $k $sc $* (exit $rc)"
		sed 's/^/    /' "$tmp/v" | head -10
	fi
	crm_simulate -x "$f" -S >"$tmp/s" 2>&1 || { fail "crm_simulate fails on $n x $k $sc $*"; return; }
	moves=$(sed -n '/^Transition Summary:/,/^Executing/p' "$tmp/s" | grep -c '^  \*')
	case $sc in
	steady) [ "$moves" = 0 ] || { fail "steady $n x $k $* is not steady for Pacemaker:"
		sed -n '/^Transition Summary:/,/^Executing/p' "$tmp/s" | head -10; } ;;
	*) [ "$moves" -gt 0 ] || fail "$sc $n x $k $*: Pacemaker finds nothing to do" ;;
	esac
}
for sc in fresh steady failed standby; do
	check 3 8 "$sc"
	check 5 30 "$sc" -S 3 -u -c -f -m
	check 4 16 "$sc" -S 9 -c -f -p
done
check 2 6 steady --strategy minimal -f
check 8 100 steady -S 5 -u -c -f -m

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
exit 0
