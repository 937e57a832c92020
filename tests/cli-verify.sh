#!/bin/sh
# cli-verify.sh - `vigil configure verify`: output and exit status for a valid
# document, an invalid one (FILE:LINE: error: WHERE: MESSAGE, exit 6), a
# warning (printed, exit 0), stdin, an unreadable file (exit 1) and bad usage
# (exit 2).
set -u
vigil="$top_builddir/cli/vigil"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run EXPECTED_STATUS ARGS... : runs vigil, keeps stdout in $tmp/out, stderr in $tmp/err
run() {
	want=$1; shift
	"$vigil" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] || { fail "vigil $*: exit $got, want $want"; sed 's/^/  out: /' "$tmp/out"; sed 's/^/  err: /' "$tmp/err"; }
}

cat >"$tmp/good.xml" <<'XML'
<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="n1"/>
    </nodes>
    <resources>
      <primitive id="vm1" class="ocf" provider="heartbeat" type="VirtualDomain">
        <instance_attributes id="vm1-params">
          <nvpair id="vm1-config" name="config" value="/etc/libvirt/qemu/vm1.xml"/>
        </instance_attributes>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
</cib>
XML
sed 's|<constraints/>|<constraints><rsc_location id="loc1" rsc="vm2" node="n1" score="10"/></constraints>|' \
	"$tmp/good.xml" >"$tmp/bad.xml"
sed 's|<crm_config/>|<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enable" value="true"/><nvpair id="o2" name="no-quorum-policy" value="panic"/></cluster_property_set></crm_config>|' \
	"$tmp/good.xml" >"$tmp/bad2.xml"
sed 's|<meta_attributes_placeholder/>||; s|</instance_attributes>|</instance_attributes><meta_attributes id="vm1-meta"><nvpair id="vm1-prio" name="priority" value="1.0"/></meta_attributes>|' \
	"$tmp/good.xml" >"$tmp/warn.xml"

run 0 configure verify -x "$tmp/good.xml"
[ "$(cat "$tmp/out")" = valid ] || fail "good.xml: output '$(cat "$tmp/out")', want 'valid'"
run 0 configure verify "$tmp/good.xml"
[ "$(cat "$tmp/out")" = valid ] || fail "positional FILE: output '$(cat "$tmp/out")'"
run 0 configure verify --xml-file="$tmp/good.xml"
run 0 configure verify -x - <"$tmp/good.xml"
[ "$(cat "$tmp/out")" = valid ] || fail "stdin: output '$(cat "$tmp/out")'"

run 6 configure verify -x "$tmp/bad.xml"
want="$tmp/bad.xml:14: error: rsc_location[@id='loc1']: rsc 'vm2' is not a configured resource"
[ "$(cat "$tmp/out")" = "$want" ] || fail "bad.xml: output '$(cat "$tmp/out")', want '$want'"

run 6 configure verify -x "$tmp/bad2.xml"
grep -qx "$tmp/bad2.xml:3: error: nvpair\[@id='o1'\]: unknown cluster property 'stonith-enable' (did you mean 'stonith-enabled'?)" "$tmp/out" ||
	fail "bad2.xml: no hint for stonith-enable: $(cat "$tmp/out")"
grep -q "error: nvpair\[@id='o2'\]: cluster property 'no-quorum-policy' has bad value 'panic'" "$tmp/out" ||
	fail "bad2.xml: both errors should be listed: $(cat "$tmp/out")"

run 6 configure verify -x - <"$tmp/bad.xml"
grep -q "^<stdin>:14: error:" "$tmp/out" || fail "stdin errors should name <stdin>: $(cat "$tmp/out")"

run 0 configure verify -x "$tmp/warn.xml"
grep -q "warning: nvpair\[@id='vm1-prio'\]: meta attribute 'priority' should be an integer" "$tmp/out" ||
	fail "warn.xml: warning not printed: $(cat "$tmp/out")"
tail -n 1 "$tmp/out" | grep -qx valid || fail "warn.xml: should still say valid"

run 1 configure verify -x "$tmp/does-not-exist.xml"
grep -q "cannot read $tmp/does-not-exist.xml: No such file or directory" "$tmp/err" ||
	fail "missing file: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "missing file: nothing belongs on stdout"

run 2 configure verify --bogus "$tmp/good.xml"
grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option: $(cat "$tmp/err")"
run 2 configure verify
run 2 configure verify -x
run 2 configure verify -x "$tmp/good.xml" "$tmp/bad.xml"
run 0 configure verify --help
grep -q "Usage: vigil configure verify" "$tmp/out" || fail "--help prints usage on stdout"

# Fence devices against their agent's metadata.  A tiny agent of our own that
# speaks the fence-agents protocol (metadata on `-o metadata` or action=metadata).
mkdir "$tmp/agents"
cat >"$tmp/agents/fence_testdev" <<'SH'
#!/bin/sh
cat <<'META'
<?xml version="1.0" ?>
<resource-agent name="fence_testdev" shortdesc="test device">
<parameters>
<parameter name="ip" unique="0" required="1"><content type="string"/></parameter>
<parameter name="username" unique="0" required="0"><content type="string"/></parameter>
<parameter name="port" unique="0" required="0"><content type="string"/></parameter>
</parameters>
<actions><action name="off"/><action name="metadata"/></actions>
</resource-agent>
META
SH
chmod +x "$tmp/agents/fence_testdev"
dev() {
	sed "s|</resources>|<primitive id=\"fd\" class=\"stonith\" type=\"$1\"><instance_attributes id=\"fd-p\">$2<nvpair id=\"fd-h\" name=\"pcmk_host_list\" value=\"n1\"/></instance_attributes></primitive></resources>|" \
		"$tmp/good.xml"
}
dev fence_testdev '<nvpair id="fd-ip" name="ip" value="10.0.0.9"/>' >"$tmp/fd-good.xml"
run 0 configure verify --agent-dir "$tmp/agents" -x "$tmp/fd-good.xml"
[ "$(cat "$tmp/out")" = valid ] || fail "fd-good.xml: output '$(cat "$tmp/out")'"
dev fence_testdev '<nvpair id="fd-u" name="usename" value="admin"/>' >"$tmp/fd-bad.xml"
run 6 configure verify --agent-dir "$tmp/agents" -x "$tmp/fd-bad.xml"
grep -q "error: .*ip" "$tmp/out" || fail "fd-bad.xml: the missing required 'ip' is not an error: $(cat "$tmp/out")"
grep -q "warning: .*usename" "$tmp/out" || fail "fd-bad.xml: the unknown 'usename' is not a warning: $(cat "$tmp/out")"
run 0 configure verify --no-agents -x "$tmp/fd-bad.xml"
dev fence_nosuchagent '' >"$tmp/fd-missing.xml"
run 0 configure verify --agent-dir "$tmp/agents" -x "$tmp/fd-missing.xml"
grep -q "warning: fd: fence agent fence_nosuchagent: not installed here" "$tmp/out" ||
	fail "fd-missing.xml: no warning for an agent that is not installed: $(cat "$tmp/out")"
run 2 configure verify --agent-dir relative/dir -x "$tmp/good.xml"

[ "$failures" = 0 ] && echo "cli-verify: all good"
exit $((failures > 0))
