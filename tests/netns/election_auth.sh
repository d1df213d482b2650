#!/bin/bash
# Election end to end: what authentication keeps out.  Nodes n1 (priority
# 200) and n2 (150) share the secret; n3 (250, the highest) has another
# one; client c1.
#
#  - the wrong-secret node never takes the VIP from the cluster (ARP from
#    the client sees only the leader, the leader never moves): it is in no
#    fault and leads alone, but yields the VIP n1 answers for; both sides
#    count the other's messages as rejected.hmac;
#  - heartbeats of n1 captured in n2's namespace (tcpdump) and sent again
#    from n1's own address: n2 counts them as replay and its state does
#    not change, also after n1 died (a replayed leader claim must not make
#    n2 yield);
#  - the same datagrams sent from the client's address: unknown-sender.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

el_begin auth 3 tcpdump python3
REPLAY="$top_srcdir/tests/tools/udpreplay.py"
IP1=$(vlab_ip n1)
IP2=$(vlab_ip n2)
vlab_secret "$T/other-secret"
vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=150
vlab_conf n3 "$T/n3.conf" prio=250 secret="$T/other-secret"
vlab_start n1
tap_ok $? "vipd starts on n1"
vlab_start n2
tap_ok $? "vipd starts on n2"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads the cluster of n1 and n2"
lab_wait 2000 el_all_follow n1
tap_ok $? "n2 names n1 as leader"
MAC1=$(vlab_mac n1)

# --------------------------------------- capture n1's heartbeats on n2
lab_bg n2 "$T/hb.pcap.log" timeout 10 tcpdump -n -U -i eth1 -c 20 \
	-w "$T/hb.pcap" "udp dst port 7431 and src host $IP1"
CAP=$LAB_LASTPID
lab_reap "$CAP" 12000
N=$(tcpdump -n -r "$T/hb.pcap" 2>/dev/null | wc -l)
tap_is "$LAB_STOP_RC/$N" 0/20 "tcpdump captured 20 heartbeats from n1 on n2"

# --------------------------------------------------- wrong secret
T1=$(vlab_gf n1 transitions)
vlab_start n3
tap_ok $? "vipd starts on n3 with a different secret (priority 250)"
lab_wait 5000 el_metric_ge n1 .heartbeats.rejected.hmac 5
tap_ok $? "wrong secret: n1 counts n3's messages as rejected.hmac"
lab_wait 3000 el_metric_ge n2 .heartbeats.rejected.hmac 5
tap_ok $? "wrong secret: n2 counts n3's messages as rejected.hmac"
lab_wait 3000 el_metric_ge n3 .heartbeats.rejected.hmac 10
tap_ok $? "wrong secret: n3 counts n1's and n2's messages as rejected.hmac"
# n3's start-up listen, conflict probe and a few dead intervals.
lab_never 2000 el_metric_ge n3 '.groups[0].announcements' 1
tap_ok $? \
	"wrong secret: n3 sends no announcement for the VIP (2 s)"
tap_is "$(vlab_owners "$VIP" 4)" "$MAC1" \
	"wrong secret: 4 ARP requests from the client, only n1 answers"
tap_is "$(vlab_json n1 "[.groups[0].state, .groups[0].transitions] | join(\" \")")" \
	"leader $T1" "wrong secret: n1 still leads and never moved"
tap_is "$(vlab_gf n2 state) $(vlab_gf n2 leader)" "backup n1" \
	"wrong secret: n2 still follows n1"
tap_is "$(vlab_gf n3 counters.arp_answered)" 0 \
	"wrong secret: n3 answered no ARP request"
tap_is "$(vlab_json n3 '[.peers[] | select(.alive)] | length')" 0 \
	"wrong secret: n3 authenticated no peer"
tap_is "$(vlab_json n1 '[.peers[] | select(.id == "n3")] | length')" 0 \
	"wrong secret: n1 knows no peer n3"
# Failed authentication is "not heard", never a fault (a forger must not
# keep a node from leading): n3 hears nobody and leads its group, but its
# start-up conflict probe found n1 answering and it yielded the VIP.
tap_is "$(vlab_gf n3 state) $(vlab_gf n3 fault)" "leader " \
	"wrong secret: n3 leads alone, no fault (it hears nobody)"
tap_is "$(vlab_json n3 '.groups[0].conflicts[0] | "\(.yielded) \(.mac)"')" \
	"true $MAC1" "wrong secret: n3 yielded the VIP to n1's MAC"
tap_is "$(vlab_json n3 '[.peers[] | select(.auth_failing)] | length')" 2 \
	"wrong secret: n3's status says n1's and n2's addresses fail authentication"
tap_ok "$([ "$(vlab_json n3 '.groups[0].conflicts | length')" -ge 1 ] && echo 0)" \
	"wrong secret: n3 shows the VIP's conflict with n1 in status"
vlab_stop_ok n3 "wrong secret: n3 exits 0 on SIGTERM"

# --------------------------------------------------------- replay
R0=$(vlab_metric n2 .heartbeats.rejected.replay)
S0=$(vlab_json n2 '.groups[0] | "\(.state) \(.leader) \(.transitions)"')
OUT=$(lab_exec n1 python3 "$REPLAY" -r "$T/hb.pcap" -s "$IP1" -b "$IP1" \
	-t "$IP2" -n 20 -g 5)
tap_is "$OUT" "sent 20" "replay: 20 captured datagrams re-sent from $IP1"
lab_wait 3000 el_metric_ge n2 .heartbeats.rejected.replay $((R0 + 20))
tap_ok $? "replay: n2 counts 20 more rejected.replay"
tap_is "$(vlab_json n2 '.groups[0] | "\(.state) \(.leader) \(.transitions)"')" \
	"$S0" "replay: n2's state, leader and transitions unchanged"

# The leader dies; its replayed claims must not bring it back.
vlab_stop n1 KILL
lab_wait 5000 vlab_leader_is n2
tap_ok $? "n1 killed: n2 takes over"
R0=$(vlab_metric n2 .heartbeats.rejected.replay)
T2=$(vlab_gf n2 transitions)
OUT=$(lab_exec n1 python3 "$REPLAY" -r "$T/hb.pcap" -s "$IP1" -b "$IP1" \
	-t "$IP2" -n 20 -g 20)
tap_is "$OUT" "sent 20" "replay: n1's leader heartbeats re-sent after its death"
lab_wait 3000 el_metric_ge n2 .heartbeats.rejected.replay $((R0 + 20))
tap_ok $? "replay: n2 counts them all as rejected.replay"
tap_is "$(vlab_json n2 '.groups[0] | "\(.state) \(.transitions)"')" \
	"leader $T2" "replay: n2 still leads, no transition"
tap_is "$(vlab_json n2 '[.peers[] | select(.id == "n1") | .alive][0]')" \
	false "replay: n1 stays dead in n2's view"

# --------------------------------------------------- unknown sender
U0=$(vlab_metric n2 '.heartbeats.rejected["unknown-sender"]')
OUT=$(lab_exec c1 python3 "$REPLAY" -r "$T/hb.pcap" -s "$IP1" \
	-b "10.$VLAB_NET.0.200" -t "$IP2" -n 5 -g 5)
tap_is "$OUT" "sent 5" "unknown sender: 5 well-formed datagrams from the client"
lab_wait 3000 el_metric_ge n2 '.heartbeats.rejected["unknown-sender"]' \
	$((U0 + 5))
tap_ok $? "unknown sender: n2 counts them as unknown-sender"
tap_is "$(vlab_json n2 '.groups[0] | "\(.state) \(.transitions)"')" \
	"leader $T2" "unknown sender: n2's state unchanged"
tap_is "$(vlab_owners "$VIP" 3)" "$(vlab_mac n2)" "only n2's MAC answers ARP"

vlab_stop_ok n2 "n2 exits 0 on SIGTERM"
tap_done
