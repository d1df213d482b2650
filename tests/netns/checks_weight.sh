#!/bin/bash
# Health checks with weights (keepalived's rule): n1 (priority 150) and n2
# (100) both track check web with weight -60.  n1's service dies: n1
# advertises 90 and n2 (100) leads; n2's dies too: n2 advertises 40 and
# n1 (90) leads again; both back: n1 (150) leads.  A process check (no
# weight, interval 3 s) notices the leader's process exit through its
# pidfd: the VIP moves well before the next interval.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
# shellcheck source=tests/netns/checks_lib.sh
. "$top_srcdir/tests/netns/checks_lib.sh"
vlab_begin "hcw$$" 2 python3

for n in n1 n2; do
	prio=100
	[ $n = n1 ] && prio=150
	vlab_conf $n "$T/$n.conf" prio=$prio \
		extra='track = [ { check = "web"; weight = -60; }, "svc" ];'
	hc_checks "$T/$n.conf" "
	{ name = \"web\"; tcp = \"127.0.0.1:8080\"; interval_ms = 100;
	  fall = 2; rise = 2; },
	{ name = \"svc\"; process = \"hcsvc-$n\"; interval_ms = 3000; }"
	hc_tcp_server $n 8080 || lab_bail "$n: the TCP server did not start"
	hc_svc $n "hcsvc-$n"
done
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 (150) leads"
tap_is "$(vlab_gf n1 effective_priority)" 150 "n1: effective priority 150"
tap_match "$(hc_ck n1 svc reason)" '^pid [0-9]+$' "n1: process check holds a pid"

hc_tcp_kill n1
lab_wait 3000 vlab_leader_is n2
tap_ok $? "n1's web down: 150 - 60 = 90 < 100, n2 leads"
tap_is "$(vlab_gf n1 effective_priority)" 90 "n1: effective priority 90"
tap_is "$(vlab_gf n1 adjusted_by)" "check web down -60" \
	"n1: says what adjusted it"
tap_is "$(vlab_gf n1 fault)" "" "n1: a weighted check does not fault"

hc_tcp_kill n2
lab_wait 3000 vlab_leader_is n1
tap_ok $? "n2's web down too: 100 - 60 = 40 < 90, n1 leads again"
tap_is "$(vlab_gf n2 effective_priority)" 40 "n2: effective priority 40"

hc_tcp_server n1 8080 || lab_bail "n1: the TCP server did not restart"
hc_tcp_server n2 8080 || lab_bail "n2: the TCP server did not restart"
lab_wait 3000 eval '[ "$(vlab_gf n2 effective_priority)" = 100 ]'
tap_ok $? "both back: n2 at 100 again"
vlab_leader_is n1
tap_ok $? "... and n1 (150) leads"

t0=$(lab_now_ms)
hc_svc_kill n1
lab_wait 3000 vlab_leader_is n2
tap_ok $? "n1's process killed: n2 leads"
dt=$(($(lab_now_ms) - t0))
echo "# process exit to n2 leading: $dt ms (check interval 3000 ms)"
tap_ok "$([ "$dt" -lt 1200 ] && echo 0 || echo 1)" \
	"the exit is noticed at once, not at the next interval ($dt ms)"
tap_match "$(vlab_gf n1 fault_text)" \
	"^check svc failed 1 time: no process 'hcsvc-n1'$" \
	"n1: fault names the missing process"
hc_svc n1 hcsvc-n1
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1's process back (found by the periodic rescan): n1 leads"

vlab_stop_ok n1
vlab_stop_ok n2
for n in n1 n2; do
	hc_tcp_kill $n
	hc_svc_kill $n
done
tap_done
