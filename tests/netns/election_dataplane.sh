#!/bin/bash
# Election end to end: the data-plane check.  n1 (priority 200), n2 (150),
# n3 (100) and the client c1 on one bridge; GARP refresh every second.
#
# Heartbeats flow first (so every node knows the others' MACs), then
# nftables in n1's namespace drops UDP 7431 both ways while ARP passes.
# The backups probe the quiet n1 on the wire, but its answers only
# postpone a takeover by one interval (they could be forged): n2 takes
# over; n1 and n2 both lead while the heartbeats are cut, without a
# flood of announcements.  With the heartbeats back, n1 alone leads.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

el_begin dplane 3 nft
el_udpecho n1 n2 n3
el_start "n1:200 n2:150 n3:100" refresh=1 garp_count=1
MAC1=$(vlab_mac n1)
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 (highest priority) is the only leader"
lab_wait 2000 el_all_follow n1
tap_ok $? "every node names n1"
# Every node has heard every other one's MAC in its heartbeats.
tap_is "$(vlab_json n2 '[.groups[0].peers[] | select(.mac != "00:00:00:00:00:00")] | length')" \
	2 "n2 knows both peers' MACs"

# Phase A: heartbeats lost while the data plane works.  The backups miss
# n1's heartbeats and ask the data plane (an ARP probe for the VIP); n1's
# answer is unauthenticated (anyone can send its MAC, issue 14 item 3), so
# it postpones a takeover by one interval only: n2 takes over, n3 follows
# n2.  n1, hearing nobody, leads on.  Neither yields to the other's frames
# (a peer not heard is not weighed); each defends the VIP at most once per
# 900 ms, so the LAN sees no flood while the control plane is cut.
el_hb_block n1
tap_ok $? "n1's heartbeats dropped both ways by nftables (ARP passes)"
T1=$(vlab_gf n1 transitions)
tsum() { echo $(($(vlab_gf n2 transitions) + $(vlab_gf n3 transitions))); }
tsum_is_not() { [ "$(tsum)" != "$1" ]; }
lab_wait 2000 vlab_gf_is n2 state leader
tap_ok $? "heartbeats blocked: n2 takes over (data-plane answers postpone only)"
tap_is "$(vlab_gf n2 last_reason)" leader-dead "... as leader-dead"
tap_ge "$(vlab_gf n2 counters.leader_probes)" 1 \
	"n2 asked the data plane about the quiet leader ($(vlab_gf n2 counters.leader_probes) probes)"
lab_wait 2000 vlab_gf_is n3 leader n2
tap_ok $? "n3 follows n2"
tap_is "$(vlab_gf n1 state) $(vlab_gf n1 transitions)" "leader $T1" \
	"n1 kept leading (it hears nobody)"
NV=$(vlab_json n1 '.groups[0].vips | length')
A1=$(vlab_gf n1 counters.announcements)
A2=$(vlab_gf n2 counters.announcements)
D1=$(vlab_gf n1 counters.defences)
D2=$(vlab_gf n2 counters.defences)
X=$(tsum)
t0=$(lab_now_ms)
# A 2 s window: no transition in it (and the announcement rates below).
lab_never 2000 tsum_is_not "$X"
tap_is "$(vlab_gf n2 state) $(tsum)" "leader $X" \
	"two leaders while the control plane is cut; n2 does not flap"
a1=$(($(vlab_gf n1 counters.announcements) - A1))
a2=$(($(vlab_gf n2 counters.announcements) - A2))
d1=$(($(vlab_gf n1 counters.defences) - D1))
d2=$(($(vlab_gf n2 counters.defences) - D2))
dur=$(($(lab_now_ms) - t0))
# One defence per 900 ms per VIP at most (+ one at each end of the window).
max=$(((dur / 900 + 2) * NV))
echo "# in $dur ms ($NV VIPs): n1 $d1 defences, $a1 frames; n2 $d2 defences, $a2 frames"
tap_ok "$([ "$d1" -le "$max" ] && [ "$d2" -le "$max" ]; echo $?)" \
	"no announcement war: $d1 and $d2 defences in $dur ms (<= $max)"

el_hb_unblock n1
tap_ok $? "heartbeats unblocked"
lab_wait 3000 el_all_follow n1
tap_ok $? "heartbeats back: every node names n1"
tap_is "$(vlab_leaders)" n1 "heartbeats back: n1 is the only leader"
lab_never 1000 el_many_leaders
tap_ok $? "heartbeats back: never two leaders (1 s)"
X=$(tsum)
lab_never 1000 tsum_is_not "$X"
tap_ok $? "heartbeats back: n2 and n3 stay put (1 s)"
lab_wait 3000 el_arp_is "$VIP" "$MAC1"
tap_is "$(vlab_owners "$VIP" 3)" "$MAC1" "heartbeats back: only n1's MAC answers ARP"

for n in n1 n2 n3; do
	vlab_stop_ok "$n" "$n exits 0 on SIGTERM"
done
tap_done
