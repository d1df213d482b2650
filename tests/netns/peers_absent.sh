#!/bin/bash
# Absent peers must not eat the live peers' heartbeats (issue 14, item 1).
#
# n1 (leader) and n2 (backup) share a peer list with 62 more addresses on
# the LAN where no host answers.  The kernel fails neighbour resolution for
# those and queues EHOSTUNREACH errors on the shared heartbeat socket; before
# the fix each pending error made the next send (to any peer) fail, so n2
# heard as few as 30 of 200 heartbeats.  Over 10 s at 100 ms, n2 must hear
# every heartbeat n1 sends it (98 or more of 100, for timer phase), and both
# nodes keep seeing each other alive.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "vpa$$" 2

ABSENT=62
peers="$(vlab_ip n1),$(vlab_ip n2)"
for i in $(seq 101 $((100 + ABSENT))); do peers="$peers,10.$VLAB_NET.0.$i"; done
vlab_conf n1 "$T/n1.conf" prio=200 peers="$peers"
vlab_conf n2 "$T/n2.conf" prio=100 peers="$peers"
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads, n2 is its backup, with $ABSENT absent peers configured"

# Neighbour resolution of the absent peers fails after about 3 s: only
# then do the errors pile up on the socket.  An entry shows FAILED only
# until the next heartbeat to that peer starts resolving it again, so look
# at all 62 (watching one missed its short windows for 8 s once).
failed_neigh() { ip -n "$LAB-n1" neigh show nud failed | grep -q "^10\.$VLAB_NET\.0\.1[0-9][0-9] "; }
lab_wait 12000 failed_neigh
tap_ok $? "n1's neighbour entries for the absent peers fail (the errors begin)"
echo "# n1 after the neighbour timeouts: send_errors" \
	"$(vlab_metric n1 .heartbeats.send_errors)," \
	"sent $(vlab_metric n1 .heartbeats.sent)"
r0=$(vlab_metric n2 .heartbeats.received)
tr0=$(vlab_gf n2 transitions)
t0=$(lab_now_ms)
sleep 10
r1=$(vlab_metric n2 .heartbeats.received)
t1=$(lab_now_ms)
want=$(((t1 - t0) / 100 - 2))
echo "# n2 heard $((r1 - r0)) heartbeats in $((t1 - t0)) ms"
tap_ge "$((r1 - r0))" "$want" \
	"n2 hears every heartbeat of n1 over 10 s ($((r1 - r0)) >= $want)"
alive_n2() { [ "$(vlab_json n1 '.peers[] | select(.id=="n2") | .alive')" = true ]; }
alive_n2
tap_ok $? "n1 sees n2 alive"
vlab_gf_is n2 state backup
tap_ok $? "n2 stayed backup all along (no takeover)"
tap_is "$(vlab_gf n2 transitions)" "$tr0" "n2 made no transition during the 10 s"

vlab_stop_ok n1
vlab_stop_ok n2
tap_done
