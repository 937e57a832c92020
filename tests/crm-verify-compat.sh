#!/bin/sh
# crm-verify-compat.sh - our subset really is Pacemaker's: Pacemaker's own
# crm_verify accepts every valid test document (and a few generated ones), and
# so does `vigil configure verify`.  Skips (77) where crm_verify is not
# installed.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
vigil="$top_builddir/cli/vigil"
gen="$top_builddir/bench/vigil-gencluster"
data="$top_srcdir/tests/data"

command -v crm_verify >/dev/null 2>&1 || { echo "crm_verify not installed"; exit 77; }
[ -x "$vigil" ] || { echo "FAIL: $vigil not built"; exit 1; }
[ -x "$gen" ] || { echo "FAIL: $gen not built"; exit 1; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0 n=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

check() { # FILE LABEL
	n=$((n + 1))
	crm_verify -V -x "$1" >"$tmp/pcmk" 2>&1
	rc=$?
	# crm_verify exits 0 even after recovering from broken XML: read its words.
	if [ "$rc" != 0 ] || grep -qi -e error -e warning "$tmp/pcmk"; then
		fail "crm_verify rejects $2 (exit $rc):"
		sed 's/^/    /' "$tmp/pcmk" | head -10
	fi
	"$vigil" configure verify --agent-dir "$top_srcdir/scripts" -x "$1" >"$tmp/ours" 2>&1
	rc=$?
	if [ "$rc" != 0 ] || [ "$(cat "$tmp/ours")" != valid ]; then
		fail "vigil configure verify rejects $2 (exit $rc):"
		sed 's/^/    /' "$tmp/ours" | head -10
	fi
}

for f in "$data"/valid/*.xml; do
	check "$f" "valid/${f##*/}"
done
# Generated documents: every option, the scenarios Pacemaker accepts without
# warnings ("failed" draws warnings about fencing the lost node, by design).
for sc in fresh steady standby; do
	"$gen" -n 5 -k 40 -s "$sc" -S 11 -u -c -f -m -p >"$tmp/gen.xml" || fail "generator"
	check "$tmp/gen.xml" "vigil-gencluster -n 5 -k 40 -s $sc -S 11 -u -c -f -m -p"
done

echo "$n documents checked, $fails failure(s)"
[ "$fails" = 0 ]
