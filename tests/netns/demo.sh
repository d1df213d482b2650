#!/bin/bash
# The README's main command, run non-interactively: its exit status says
# whether the failover happened and the client was served before and after.
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
lab_need_root jq
out=$(mktemp /tmp/vdemo-test.XXXXXX)
start=$(date +%s)
"$top_srcdir/demo.sh" --no-install --builddir="$top_builddir" >"$out" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
sed 's/^/# /' "$out"
tap_is "$rc" 0 "demo exits 0: failover happened, client served before and after"
tap_ok "$([ "$elapsed" -lt 60 ] && echo 0 || echo 1)" "demo finished in under a minute (${elapsed}s)"
grep -q "new leader: node2" "$out"
tap_ok $? "demo reports the new leader"
grep -q "longest gap between answers at the client: [0-9]" "$out"
tap_ok $? "demo reports the measured outage"
rm -f "$out"
tap_done
