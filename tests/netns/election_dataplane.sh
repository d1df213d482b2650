#!/bin/bash
# Election end to end: the data-plane check.  n1 (priority 200), n2 (150),
# n3 (100) and the client c1 on one bridge; GARP refresh every second.
#
# Heartbeats flow first (so every node knows the others' MACs), then
# nftables in n1's namespace drops UDP 7431 both ways while ARP passes.
# A: the backups see n1 alive on the wire (it answers their ARP probes)
# and do not take over.  B: n1 is cut off completely, n2 takes over, n1
# comes back still without heartbeats and claims too: the lower-ranked n2
# must yield on n1's gratuitous ARPs (dataplane-yield) and then stay put.
# With the heartbeats back, n1 alone leads.
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
# n1's heartbeats, ask the data plane (an ARP probe for the VIP), n1
# answers, and nobody takes over: lost heartbeats alone are no failure.
el_hb_block n1
tap_ok $? "n1's heartbeats dropped both ways by nftables (ARP passes)"
T1=$(vlab_gf n1 transitions)
tsum() { echo $(($(vlab_gf n2 transitions) + $(vlab_gf n3 transitions))); }
tsum_is_not() { [ "$(tsum)" != "$1" ]; }
X=$(tsum)
el_prober_start "$T/blocked.json" 3000
tap_ok $? "prober: the client reaches the VIP"
el_prober_end 7000
tap_is "$(tsum)" "$X" "heartbeats blocked 3 s: n2 and n3 never took over"
lab_wait 2000 el_gf_gt n2 counters.leader_probes 0
tap_ok $? "n2 asked the data plane about the quiet leader ($(vlab_gf n2 counters.leader_probes) probes)"
tap_is "$(vlab_gf n1 state) $(vlab_gf n1 transitions)" "leader $T1" \
	"n1 kept leading throughout"
tap_is "$(jq -r '.lost' "$T/blocked.json")" 0 "the client lost no probe"

# Phase B: two leaders that only see each other on the wire.  n1 is cut
# off entirely (its switch port down: n1 faults on carrier loss), n2 takes
# over; n1 comes back with its heartbeats still blocked, hears no leader and
# claims too.  Both announce; the lower-ranked n2 must yield on n1's
# gratuitous ARPs (dataplane-yield).
C0=$(vlab_gf n1 counters.peer_claims)
lab_unplug n1 eth1
lab_wait 5000 vlab_gf_is n2 state leader
tap_ok $? "n1 cut off: n2 takes over"
lab_plug n1 eth1
lab_wait 8000 vlab_gf_is n2 last_reason dataplane-yield
tap_ok $? "n1 back without heartbeats: n2 yielded on n1's GARPs (dataplane-yield)"
# (n1 only counts peer_claims if n2's refresh reaches it while n1 leads;
# here n2 usually yields first, so the count is informational.)
echo "# n1 peer_claims: $C0 -> $(vlab_gf n1 counters.peer_claims)"
tap_is "$(vlab_leaders)" n1 "one leader: n1"

# Converged: n2 now follows n1 through the data plane and stays put.
X=$(tsum)
lab_never 2000 tsum_is_not "$X"
tap_ok $? "converged: no more transitions on n2/n3 in 2 s"
tap_is "$(vlab_leaders)" n1 "still one leader: n1"

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
