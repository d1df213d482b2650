#!/bin/bash
# Election end to end: the data-plane check.  n1 (priority 200), n2 (150),
# n3 (100) and the client c1 on one bridge; GARP refresh every second.
#
# Heartbeats flow first (so every node knows the others' MACs), then
# nftables in n1's namespace drops UDP 7431 both ways while ARP passes:
# n2 and n3 lose n1 and one of them takes over, so two nodes lead.  The
# lower-ranked leader must yield when it sees n1's gratuitous ARPs for the
# VIP (dataplane-yield), n1 counts the other's announcements as
# peer_claims and keeps leading; with the heartbeats back, n1 alone leads.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

el_begin dplane 3 nft
el_udpecho n1 n2 n3
for i in 1 2 3; do
	vlab_conf "n$i" "$T/n$i.conf" prio=$((250 - 50 * i)) refresh=1 \
		garp_count=1
done
for n in n1 n2 n3; do
	vlab_start "$n"
	tap_ok $? "vipd starts on $n"
done
MAC1=$(vlab_mac n1)
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 (highest priority) is the only leader"
lab_wait 2000 el_all_follow n1
tap_ok $? "every node names n1"
# Every node has heard every other one's MAC in its heartbeats.
tap_is "$(vlab_json n2 '[.groups[0].peers[] | select(.mac != "00:00:00:00:00:00")] | length')" \
	2 "n2 knows both peers' MACs"

el_hb_block n1
tap_ok $? "n1's heartbeats dropped both ways by nftables (ARP passes)"
T1=$(el_gf n1 transitions)
C0=$(el_gf n1 counters.peer_claims)
lab_wait 5000 el_gf_is n2 last_reason dataplane-yield
tap_ok $? "n2 took over, then yielded on n1's GARPs (dataplane-yield)"
lab_wait 5000 el_gf_gt n1 counters.peer_claims "$C0"
tap_ok $? "n1 counts the other leader's announcements as peer_claims ($(el_gf n1 counters.peer_claims))"
tap_is "$(el_gf n1 state) $(el_gf n1 transitions)" "leader $T1" \
	"n1 (higher rank) kept leading"

# Converged: nobody takes over again while the heartbeats stay blocked.
tsum() { echo $(($(el_gf n2 transitions) + $(el_gf n3 transitions))); }
tsum_is_not() { [ "$(tsum)" != "$1" ]; }
X=$(tsum)
el_prober_start "$T/blocked.json" 2000
tap_ok $? "prober: the client reaches the VIP"
el_prober_end 6000
D=$(($(tsum) - X))
WHY="a data-plane yield holds one dead interval: without heartbeats the yielder takes over again (and GARPs) and yields on the next GARP"
el_todo "$([ "$D" = 0 ] && echo 0)" \
	"converged: no more transitions on n2/n3 in 2 s ($D)" "$WHY"
# What the flapping costs the client (not asserted: it varies).
echo "# blocked heartbeats, 2 s: $(jq -c '{lost, max_gap_ms, changes_total, nodes}' "$T/blocked.json")"
tap_is "$(el_gf n1 state) $(el_gf n1 transitions)" "leader $T1" \
	"n1 still leads, it never yielded"

el_hb_unblock n1
tap_ok $? "heartbeats unblocked"
lab_wait 3000 el_all_follow n1
tap_ok $? "heartbeats back: every node names n1"
tap_is "$(vlab_leaders)" n1 "heartbeats back: n1 is the only leader"
el_never 1000 el_many_leaders
tap_ok $? "heartbeats back: never two leaders (1 s)"
X=$(tsum)
el_never 1000 tsum_is_not "$X"
tap_ok $? "heartbeats back: n2 and n3 stay put (1 s)"
lab_wait 3000 el_arp_is "$VIP" "$MAC1"
tap_is "$(el_arp_macs "$VIP" 3)" "$MAC1" "heartbeats back: only n1's MAC answers ARP"

for n in n1 n2 n3; do
	el_stop_ok "$n" "$n exits 0 on SIGTERM"
done
tap_done
