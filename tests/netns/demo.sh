#!/bin/bash
# The README's main command, run non-interactively: its exit status says
# whether the failover happened and the client was served before and after.
# Bounded: demo.sh gets 120 s (SIGTERM, which it cleans up on), then SIGKILL.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
lab_need_root jq timeout
# No namespace here (demo.sh makes its own lab): the temporary directory
# and the EXIT trap that removes it.
lab_init "vdemo-t$$" || exit 1
out="$LAB_TMP/demo.out"
start=$(date +%s)
timeout -k 10 120 "$top_srcdir/demo.sh" --no-install \
	--builddir="$top_builddir" >"$out" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
sed 's/^/# /' "$out"
tap_is "$rc" 0 "demo exits 0: failover happened, client served before and after"
tap_ok "$([ "$elapsed" -lt 60 ] && echo 0 || echo 1)" "demo finished in under a minute (${elapsed}s)"
grep -q "new leader: node2" "$out"
tap_ok $? "demo reports the new leader"
grep -q "longest gap between answers at the client: [0-9]" "$out"
tap_ok $? "demo reports the measured outage"
tap_done
