#!/bin/sh
# simulate-cli.sh - `vigil simulate`: arguments, exit statuses, output shapes.
#
# The decisions themselves are tested by the golden cases and the unit tests;
# this checks the command: usage errors exit 2, an unreadable file 1, an
# invalid document 6 with diagnostics, and that text, json, --show-scores,
# --now and --run say what they should, the same way every time.
set -u
vigil="${top_builddir:?}/cli/vigil"
data="${top_srcdir:?}/tests/data"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

check() { # DESCRIPTION: what went wrong
	echo "FAIL: $*" >&2
	fail=1
}

expect_status() { # STATUS ARGS...
	want=$1
	shift
	"$vigil" simulate "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || check "vigil simulate $*: exit $got, expected $want ($(head -1 "$tmp/err"))"
}

# usage errors: exit 2 with the usage on stderr
expect_status 2
expect_status 2 -x
expect_status 2 --no-such-option -x "$data/valid/three-node.xml"
expect_status 2 -x "$data/valid/three-node.xml" --output-as yaml
expect_status 2 -x "$data/valid/three-node.xml" --now yesterday
expect_status 2 -x "$data/valid/three-node.xml" extra-argument
grep -q 'Usage: vigil simulate' "$tmp/err" || check "no usage text on a usage error"
expect_status 0 --help
grep -q -- '--show-scores' "$tmp/out" || check "--help does not describe --show-scores"

# a file that cannot be read: 1; an invalid document: 6 with its diagnostics
expect_status 1 -x "$tmp/does-not-exist.xml"
expect_status 6 -x "$data/invalid/bad-allow-migrate.xml"
grep -q 'bad-allow-migrate.xml:[0-9]*: error:' "$tmp/err" || check "invalid document: no diagnostic with a line"

# text: status, summary, actions; n3 is in standby, n2 in maintenance
doc="$data/valid/maintenance-standby.xml"
expect_status 0 -x "$doc"
grep -q '^Transition Summary:' "$tmp/out" || check "text: no Transition Summary"
grep -q '^  \* Migrate *vm-c *( n3 -> n1 )' "$tmp/out" || check "text: vm-c should migrate n3 -> n1"
if grep -q 'vm-b.*->' "$tmp/out"; then check "text: vm-b on a maintenance node must be left alone"; fi
grep -q 'Node n3: standby' "$tmp/out" || check "text: n3 is not shown in standby"

# json: the documented shape, actions with ids from 1 and "after" lists
expect_status 0 -x "$doc" --output-as json
tr -d ' \n' <"$tmp/out" >"$tmp/flat"
grep -q '^{"actions":\[{"id":1,"op":"migrate","resource":"vm-c","from":"n3","to":"n1","after":\[\]' "$tmp/flat" ||
	check "json: first action is not {id 1, migrate vm-c n3 -> n1, after []}: $(head -c 200 "$tmp/flat")"
grep -q '"placement":{' "$tmp/flat" || check "json: no placement object"
grep -q '"vm-c":"n1"' "$tmp/flat" || check "json: vm-c not placed on n1"
grep -q '"vm-e":"n3"' "$tmp/flat" || check "json: vm-e (in maintenance) is not left on n3"
cp "$tmp/out" "$tmp/first.json"

# a VM with target-role=Stopped: null in placement, and the reason
expect_status 0 -x "$data/valid/three-node.xml" --output-as json
tr -d ' \n' <"$tmp/out" >"$tmp/flat3"
grep -q '"vm-build":null' "$tmp/flat3" || check "json: a stopped VM is not null in placement"
grep -q '"stopped_reasons":{[^}]*"vm-build":"target-role=Stopped"' "$tmp/flat3" ||
	check "json: no reason for vm-build staying stopped"

# the same input gives the same bytes
"$vigil" simulate -x "$doc" --output-as json >"$tmp/again" 2>/dev/null
cmp -s "$tmp/first.json" "$tmp/again" || check "json output differs between two runs"

# --show-scores: one line per resource and node
expect_status 0 -x "$doc" --show-scores
grep -q '^  vm-c allocation score on n3: ' "$tmp/out" || check "--show-scores: no score for vm-c on n3"
expect_status 0 -x "$doc" --show-scores --output-as json
tr -d ' \n' <"$tmp/out" | grep -q '"scores":{' || check "--show-scores json: no scores object"

# --run: the revised status has vm-c on n1, and a second look plans nothing
expect_status 0 -x "$doc" --run
sed -n '/^Revised cluster status:/,$p' "$tmp/out" >"$tmp/revised"
grep -q 'vm-c.*Started n1' "$tmp/revised" || check "--run: vm-c is not started on n1 in the revised status"

# --now: epoch seconds, ISO 8601 date-time, ordinal date
expect_status 0 -x "$doc" --now 1700000000
expect_status 0 -x "$doc" --now 2024-05-01T12:00:00Z
expect_status 0 -x "$doc" --now "2014-05-07 00:28:00"
expect_status 0 -x "$doc" --now 2005-020

exit $fail
