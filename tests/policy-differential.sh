#!/bin/sh
# policy-differential.sh - Vigil against Debian's crm_simulate on generated clusters.
#
# For several seeds and the scenarios fresh / steady / failed / standby, generates an
# 8-node, 100-VM cluster with bench/vigil-gencluster (utilization with the
# balanced strategy, location / colocation / order constraints, a fence
# device), runs
#   vigil simulate -x FILE --output-as json
#   crm_simulate -x FILE -R -Q --output-as=xml   (-S would take ~30 s per cluster)
# and lets tests/policy/diff_check judge: both satisfy every hard constraint,
# fence the same nodes, and, when capacity allows, place the same number of
# VMs and recover the same VMs (doc/testing.md).  Skips (77) without
# crm_simulate.  Takes well under a minute.
#
# Environment: VG_DIFF_SEEDS (default "1 2 3"), VG_DIFF_SCENARIOS (default
# "fresh steady failed standby"), VG_DIFF_KEEP=DIR keeps the inputs and outputs there.
set -u

: "${top_builddir:?run me from make check}" "${top_srcdir:?run me from make check}"
crm_simulate=${CRM_SIMULATE:-$(command -v crm_simulate || echo /usr/sbin/crm_simulate)}
if [ ! -x "$crm_simulate" ]; then
	echo "SKIP: crm_simulate is not installed"
	exit 77
fi
vigil=$top_builddir/cli/vigil
gen=$top_builddir/bench/vigil-gencluster
check=$top_builddir/tests/policy/diff_check
for f in "$vigil" "$check"; do
	[ -x "$f" ] || { echo "FAIL: $f is missing"; exit 1; }
done
if [ ! -x "$gen" ]; then
	echo "SKIP: bench/vigil-gencluster is not built yet"
	exit 77
fi
if "$vigil" simulate 2>&1 </dev/null | grep -q 'not implemented yet'; then
	echo "SKIP: vigil simulate is not implemented yet"
	exit 77
fi

work=${VG_DIFF_KEEP:-}
if [ -n "$work" ]; then
	mkdir -p "$work" || exit 1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-diff.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT INT TERM
fi

total=0 failed=0
for seed in ${VG_DIFF_SEEDS:-1 2 3}; do
	for sc in ${VG_DIFF_SCENARIOS:-fresh steady failed standby}; do
		name=$sc-$seed
		cib=$work/$name.xml
		total=$((total + 1))
		if ! "$gen" --nodes 8 --vms 100 --scenario "$sc" --seed "$seed" --utilization \
			--constraints --stonith --migrate --output "$cib" 2>"$work/$name.gen.err"; then
			echo "FAIL: $name: the generator failed:"; cat "$work/$name.gen.err"
			failed=$((failed + 1)); continue
		fi
		if ! "$vigil" simulate -x "$cib" --output-as json >"$work/$name.json" \
			2>"$work/$name.vigil.err" </dev/null; then
			echo "FAIL: $name: vigil simulate failed:"; head -n 5 "$work/$name.vigil.err"
			failed=$((failed + 1)); continue
		fi
		if ! "$crm_simulate" -x "$cib" -R -Q --output-as=xml >"$work/$name.crm.xml" \
			2>"$work/$name.crm.err" </dev/null; then
			echo "FAIL: $name: crm_simulate failed:"; head -n 5 "$work/$name.crm.err"
			failed=$((failed + 1)); continue
		fi
		if "$check" "$cib" "$work/$name.json" "$work/$name.crm.xml" >"$work/$name.out" 2>&1; then
			echo "$name: $(tail -n 1 "$work/$name.out")"
		else
			echo "FAIL: $name:"; sed 's/^/    /' "$work/$name.out"
			failed=$((failed + 1))
		fi
	done
done
echo "differential: $((total - failed))/$total clusters agree on the hard rules"
[ "$total" -gt 0 ] && [ "$failed" = 0 ]
