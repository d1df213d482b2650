#!/bin/bash
# A graceful stop does not wait for a successor that cannot come (issue
# 14, item 10).  n1 leads; n2 is alive but its group is in fault (its
# interface eth9 does not exist), so nobody is eligible to take over: on
# SIGTERM n1 must release and exit at once instead of holding the VIP for
# the handover bound (3 intervals, 300 ms: "no successor took over in
# time"): 369 ms before, about 110 ms now under ASan.  The handover to an
# eligible successor is tested in election_basic.sh and daemon.sh.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "vsn$$" 2

vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=100
sed -i 's/interface = "eth1"/interface = "eth9"/' "$T/n2.conf"
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads"
lab_wait 3000 vlab_gf_is n2 fault no-interface
tap_ok $? "n2 is alive with its group in fault (no eth9)"
peer_alive() { [ "$(vlab_json n1 '.peers[] | select(.id=="n2") | .alive')" = true ]; }
lab_wait 3000 peer_alive
tap_ok $? "n1 hears n2 alive"
vlab_stop_timed n1 TERM
echo "# SIGTERM to exit with no eligible successor: $VLAB_STOP_MS ms"
tap_is "$VLAB_STOP_RC" 0 "n1 exits 0"
tap_ok "$([ "$VLAB_STOP_MS" -lt 250 ] && echo 0 || echo 1)" \
	"n1 exits without waiting out the 300 ms handover bound ($VLAB_STOP_MS ms)"
vlab_has_addr n1 lo "10.$VLAB_NET.0.100"
tap_ok "$([ $? != 0 ] && echo 0 || echo 1)" "the VIP is off n1's lo"

vlab_stop_ok n2
tap_done
