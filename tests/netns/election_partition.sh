#!/bin/bash
# Election end to end: partition and heal.  n1 (priority 100) and the client
# c1 on bridge br0, n2 (200) and n3 (150) on br1, the bridges joined by a
# veth pair in the switch namespace (vlab_split_lan); udpecho on every
# node, prober on c1.
#
#  - partition (the joint cut): each side elects its own leader (n1 alone,
#    n2 on the other side), the client's traffic moves to n1;
#  - heal: within a few intervals one leader remains (n2, the best-ranked),
#    n1 yields, the client's ARP sees only n2's MAC and its traffic moves
#    back to n2, which re-announces (GARP) once it hears the other leader.
#
# Which of the two leaders hears the other first after the heal is a race;
# the test plays both orders, holding back one direction of the heartbeats
# (nftables in one node) for the first moments of the heal:
#  1. n2 hears n1 leading first (split-win: n2 re-announces);
#  2. n1 hears n2 first and yields before n2 ever hears it lead: n2
#     re-announces because a peer it had lost is back (peer-returned).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

el_begin --split "n2 n3" part 3 nft
IP1=$(vlab_ip n1)
IP2=$(vlab_ip n2)
el_udpecho n1 n2 n3
# One GARP per takeover (no burst still running when the partition heals),
# the default refresh (60 s): only the re-announcement can move the client.
el_start "n2:200 n3:150 n1:100" garp_count=1
MAC1=$(vlab_mac n1)
MAC2=$(vlab_mac n2)
lab_wait 5000 vlab_leader_is n2
tap_ok $? "joined: n2 (highest priority) is the only leader"
lab_wait 2000 el_all_follow n2
tap_ok $? "joined: every node names n2"
tap_is "$(vlab_owners "$VIP" 3)" "$MAC2" "joined: only n2's MAC answers ARP"

# partition ROUND: cut the joint, check both sides, prober running.
partition() {
	el_prober_start "$T/split$1.json" 10000
	tap_ok $? "$1: prober's first reply before the cut"
	vlab_cut
	lab_wait 5000 vlab_leader_is "n1 n2"
	tap_ok $? "$1: cut: each side elects its own leader (n1 and n2)"
	tap_is "$(vlab_gf n1 last_reason)" leader-dead \
		"$1: cut: n1's reason is leader-dead"
	tap_is "$(vlab_gf n3 state) $(vlab_gf n3 leader)" "backup n2" \
		"$1: cut: n3 still follows n2 on its side"
	tap_is "$(vlab_owners "$VIP" 2)" "$MAC1" \
		"$1: cut: on the client's side only n1 answers ARP"
	lab_wait 3000 el_mark_has 'change .* n2 n1$'
	tap_ok $? "$1: cut: the client's probes move to n1"
}

# healed ROUND: the checks once the joint is back (the client's ARP last:
# its requests would also fix the client's own cache).
healed() {
	lab_wait 3000 vlab_leader_is n2
	tap_ok $? "$1: heal: one leader remains: n2 (best-ranked)"
	# r1 has a phase of one-way loss (n1 does not hear n2): n2 may yield
	# to n1 meanwhile (deaf-peer) and take the lead back by handover.
	if [ "$(vlab_gf n2 transitions)" = "$T2" ] ||
		[ "$1" = r1 ] && vlab_gf_is n2 last_reason leader-resigned; then
		R=0
	else
		R=1
	fi
	tap_ok $R "$1: heal: n2 never left the lead, or took it back by handover ($(vlab_gf n2 last_reason))"
	lab_wait 2000 el_all_follow n2
	tap_ok $? "$1: heal: every node names n2"
	lab_never 1000 el_many_leaders
	tap_ok $? "$1: heal: never two leaders again (1 s)"
}

healed_arp() {
	lab_wait 3000 el_arp_is "$VIP" "$MAC2"
	tap_is "$(vlab_owners "$VIP" 4)" "$MAC2" \
		"$1: heal: 4 ARP requests from the client, only n2's MAC answers"
}

# ------------------------------------- round 1: n2 hears n1 lead first
partition r1
T2=$(vlab_gf n2 transitions)
el_hb_block n1 to "$IP2" # n1 -> n2 flows, n2 -> n1 held back
el_hb_block n2 to "$IP1"
A2=$(vlab_gf n2 counters.announcements)
el_hb_unblock n1
vlab_heal
lab_wait 3000 el_gf_gt n2 counters.announcements "$A2"
tap_ok $? "r1: heal: n2 hears n1 again and re-announces"
el_hb_unblock n2
healed r1
case "$(vlab_gf n1 last_reason)" in
split-yield | dataplane-yield | resign-done) R=0 ;;
*) R=1 ;;
esac
tap_ok "$R" "r1: heal: n1 yielded or handed over ($(vlab_gf n1 last_reason_text))"
lab_wait 3000 el_mark_has 'change .* n1 n2$'
tap_ok $? "r1: heal: the client's traffic moves back to n2 (its GARP)"
healed_arp r1
el_prober_end 15000
el_jq "$T/splitr1.json" '.last_node == "n2" and .dup_nodes == 0'
tap_ok $? "r1: prober ends on n2, no probe answered by two nodes"
echo "# r1: $(jq -c '{lost, max_gap_ms, changes}' "$T/splitr1.json")"

# ------------------------ round 2: n1 hears n2 first and yields at once
partition r2
T2=$(vlab_gf n2 transitions)
el_hb_block n1 to "$IP2" # n2 -> n1 flows, n1 -> n2 held back
vlab_heal
lab_wait 3000 vlab_gf_is n1 state backup
tap_ok $? "r2: heal: n1 hears n2 and yields"
case "$(vlab_gf n1 last_reason)" in
split-yield | dataplane-yield) R=0 ;;
*) R=1 ;;
esac
tap_ok $R "r2: heal: n1's reason is split-yield or dataplane-yield ($(vlab_gf n1 last_reason))"
el_hb_unblock n1
healed r2
lab_wait 3000 el_mark_has 'change .* n1 n2$'
tap_ok $? "r2: heal: the client's traffic moves back to n2 within 3 s (n2 re-announces when n1 returns)"
healed_arp r2
el_prober_end 15000
echo "# r2: $(jq -c '{lost, max_gap_ms, changes}' "$T/splitr2.json")"

for n in n1 n2 n3; do
	vlab_stop_ok "$n" "$n exits 0 on SIGTERM"
done
tap_done
