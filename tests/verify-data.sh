#!/bin/sh
# verify-data.sh - `vigil configure verify -x` on the test documents:
#   - every tests/data/valid/*.xml prints exactly "valid" and exits 0, and so
#     does what vigil-gencluster writes, small and benchmark-sized;
#   - every tests/data/invalid/NAME.xml exits 6 (invalid) and prints, among
#     its lines, the one in NAME.expect ("LINE: error: WHERE: MESSAGE", the
#     "NAME.xml:" prefix left out; a problem with no line is "error: ...").
# Each broken document has one problem, so the expected line is the one that
# names it; other lines may follow (malformed XML cascades).
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
vigil="$top_builddir/cli/vigil"
data="$top_srcdir/tests/data"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0 n_valid=0 n_invalid=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -x "$vigil" ] || { echo "FAIL: $vigil not built"; exit 1; }
[ -x "$top_builddir/bench/vigil-gencluster" ] || { echo "FAIL: vigil-gencluster not built"; exit 1; }

for f in "$data"/valid/*.xml; do
	n_valid=$((n_valid + 1))
	"$vigil" configure verify --agent-dir "$top_srcdir/scripts" -x "$f" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" != 0 ] || [ "$(cat "$tmp/out")" != valid ]; then
		fail "valid/${f##*/}: exit $rc, printed:"
		sed 's/^/    /' "$tmp/out" | head -20
	fi
done

for f in "$data"/invalid/*.xml; do
	n_invalid=$((n_invalid + 1))
	name=${f##*/}
	name=${name%.xml}
	exp="$data/invalid/$name.expect"
	[ -f "$exp" ] || { fail "invalid/$name.xml has no $name.expect"; continue; }
	[ "$(wc -l <"$exp")" = 1 ] || { fail "invalid/$name.expect is not one line"; continue; }
	"$vigil" configure verify --agent-dir "$top_srcdir/scripts" -x "$f" >"$tmp/out" 2>&1
	rc=$?
	# "PATH:LINE: error: ..." -> "LINE: error: ..."; "PATH: error: ..." -> "error: ..."
	sed -e "s|^$f:||" -e 's/^ //' "$tmp/out" >"$tmp/lines"
	if [ "$rc" != 6 ] || ! grep -qxF -f "$exp" "$tmp/lines"; then
		fail "invalid/$name.xml: exit $rc (want 6); want the line"
		sed 's/^/    /' "$exp"
		echo "  got:"
		sed 's/^/    /' "$tmp/lines" | head -20
	fi
done
for e in "$data"/invalid/*.expect; do
	[ -f "${e%.expect}.xml" ] || fail "invalid/${e##*/} has no document"
done

# What vigil-gencluster writes is valid, at every size the benchmarks use
# (up to 32 nodes x 10,000 VMs, 24 MB: well under VG_CIB_MAX_BYTES).
gen="$top_builddir/bench/vigil-gencluster"
for args in "-n 3 -k 10 -s fresh -u -c -f -m -p" "-n 5 -k 40 -s failed -u -c -f -m -p" \
	"-n 32 -k 5000 -s steady -u -c -f -m" "-n 32 -k 10000 -s failed -u -c -f -m"; do
	# shellcheck disable=SC2086 # the options are words
	"$gen" $args >"$tmp/gen.xml" || { fail "vigil-gencluster $args"; continue; }
	"$vigil" configure verify --agent-dir "$top_srcdir/scripts" -x "$tmp/gen.xml" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" != 0 ] || [ "$(cat "$tmp/out")" != valid ]; then
		fail "vigil-gencluster $args: exit $rc, printed:"
		sed 's/^/    /' "$tmp/out" | head -10
	fi
done
rm -f "$tmp/gen.xml"

# The complete example in the configuration guide is a tested document.
# Only the first xml block: the guide's later snippets are fragments.
awk '/^```xml$/ { n++ } n == 1 && !/^```/ { print } /^```$/ && n == 1 { exit }' \
	"$top_srcdir/doc/configuration.md" >"$tmp/guide.xml"
cmp -s "$tmp/guide.xml" "$data/valid/guide-example.xml" ||
	fail "doc/configuration.md's example differs from tests/data/valid/guide-example.xml"

# The sets must not shrink unnoticed (a lost file would pass silently).
[ "$n_valid" -ge 5 ] || fail "only $n_valid valid documents"
[ "$n_invalid" -ge 30 ] || fail "only $n_invalid invalid documents"
echo "$n_valid valid and $n_invalid invalid documents checked, $fails failure(s)"
[ "$fails" = 0 ]
