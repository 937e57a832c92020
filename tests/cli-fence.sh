#!/bin/sh
# cli-fence.sh - the fencing verbs' command lines, without a daemon: bad usage
# is exit 2 with a message, `node confirm` refuses to go on without a terminal
# unless --yes (an administrator must say it), help is exit 0.  What the verbs
# do against a cluster is tested on the lab (lab-fence.sh) and, in the core,
# by test_core_fence.
set -u
vigil="$top_builddir/cli/vigil"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run EXPECTED_STATUS ARGS... (stdin: /dev/null, never a terminal)
run() {
	want=$1; shift
	"$vigil" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	[ "$got" = "$want" ] || { fail "vigil $*: exit $got, want $want"; sed 's/^/  out: /' "$tmp/out"; sed 's/^/  err: /' "$tmp/err"; }
}

run 2 fence
run 0 fence --help
grep -q "history" "$tmp/out" || fail "vigil fence --help does not list history"
run 2 fence bogus
run 2 fence list
run 2 fence list n1 n2
run 2 fence list n1 --output-as xml
run 2 fence history n1 n2
run 2 node fence
run 2 node fence n1 n2
run 2 node fence n1 --timeout 0
run 2 node confirm
run 2 node confirm n1
grep -q "terminal" "$tmp/err" || fail "node confirm without a terminal does not say why"
run 2 node confirm n1 --bogus
run 0 node --help
grep -q "confirm" "$tmp/out" || fail "vigil node --help does not list confirm"
run 0 --help
grep -q "fence" "$tmp/out" || fail "vigil --help does not list fence"

[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
exit 0
