#!/bin/bash
# Election end to end: faults of the leader itself.  n1 (priority 200,
# preempt = false), n2 (150), n3 (100) and the client c1 on bridge br0
# (eth1, the group's interface); the heartbeats travel over a second
# network (eth2 on bridge br1, cluster.bind and peers there).
#
#  - stall guard: the leader n1 is stopped (SIGSTOP) for 2 s, n2 takes
#    over; after SIGCONT n1 must not keep leading blindly: it goes listen,
#    then backup under n2, sends no ARP at all, and counts a stall;
#  - link down on the leader's group interface (`ip link set eth1 down` in
#    n2's namespace) while the heartbeats still flow on eth2: a backup
#    takes over at once (reason leader-fault), the old leader's group is
#    in state fault; with the link back it is a backup.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

el_begin fault 3 tcpdump
lab_switch br1 || {
	echo "Bail out! could not add the heartbeat bridge"
	exit 1
}
HBNET="10.$VLAB_NET.1"
for i in 1 2 3; do
	lab_node "n$i" br1 eth2 "$HBNET.$i/24" || {
		echo "Bail out! could not plug n$i into the heartbeat bridge"
		exit 1
	}
done
el_udpecho n1 n2 n3
PEERS="$HBNET.1,$HBNET.2,$HBNET.3"
for i in 1 2 3; do
	opts=(prio=$((250 - 50 * i)) garp_count=1 peers="$PEERS"
		cluster_extra="bind = \"$HBNET.$i\";")
	[ "$i" = 1 ] && opts+=(preempt=false)
	vlab_conf "n$i" "$T/n$i.conf" "${opts[@]}"
	vlab_start "n$i"
	tap_ok $? "vipd starts on n$i (heartbeats bound to $HBNET.$i)"
done
MAC1=$(vlab_mac n1)
MAC2=$(vlab_mac n2)
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 is the only leader"
lab_wait 2000 el_all_follow n1
tap_ok $? "every node names n1"
tap_is "$(vlab_json n2 '[.peers[] | select(.alive) | .address] | sort | join(" ")')" \
	"$HBNET.1 $HBNET.3" "n2 hears its peers on the heartbeat network"

# ------------------------------------------------------------ stall guard
kill -STOP "${VLAB_PIDS[n1]}"
lab_wait 5000 vlab_gf_is n2 state leader
tap_ok $? "n1 stopped: n2 takes over"
tap_is "$(vlab_gf n2 last_reason)" leader-dead "n1 stopped: n2's reason is leader-dead"
# Nothing comes from n1 while it is stopped: capture ARP on the client from
# just before the SIGCONT on, and ask for the VIP at once after it.
lab_bg c1 "$T/stall.cap.log" timeout 4 tcpdump -n -U -i eth1 \
	-w "$T/stall.pcap" arp
CAP=$LAB_LASTPID
lab_wait 2000 grep -q listening "$T/stall.cap.log"
sleep 1.2 # n1 stays stopped for about 2 s in all
kill -CONT "${VLAB_PIDS[n1]}"
tap_is "$(vlab_owners "$VIP" 2)" "$MAC2" \
	"SIGCONT: at once, only n2's MAC answers the client's ARP"
lab_wait 3000 el_metric_ge n1 .stalls 1
tap_ok $? "SIGCONT: n1 counts a stall (metrics stalls $(vlab_metric n1 .stalls))"
lab_wait 3000 vlab_gf_is n1 state backup
tap_ok $? "SIGCONT: n1 ends as a backup"
tap_is "$(vlab_gf n1 last_reason) $(vlab_gf n1 leader)" "stall n2" \
	"SIGCONT: n1 went quiet (listen, stall) and follows n2"
tap_is "$(vlab_gf n1 transitions)" 3 \
	"SIGCONT: n1's transitions: backup->leader, leader->listen, listen->backup"
lab_never 1000 el_many_leaders
tap_ok $? "SIGCONT: never two leaders (1 s)"
tap_is "$(vlab_leaders)" n2 "SIGCONT: n2 is the only leader"
lab_reap "$CAP" 5000
N=$(tcpdump -n -r "$T/stall.pcap" "ether src $MAC1" 2>/dev/null | wc -l)
tap_is "$N" 0 "SIGCONT: n1 sent no ARP frame at all after it resumed"
N=$(tcpdump -n -r "$T/stall.pcap" "arp[6:2] = 2 and ether src $MAC2" \
	2>/dev/null | wc -l)
tap_ok "$([ "$N" -ge 2 ] && echo 0)" \
	"the same capture holds n2's ARP replies ($N)"
tap_is "$(vlab_owners "$VIP" 3)" "$MAC2" "only n2's MAC answers ARP"

# -------------------------------------------------------------- link down
el_prober_start "$T/linkdown.json" 3000
tap_ok $? "prober: first reply before the link goes down"
grep -q '^reply .* n2$' "$EL_MARK"
tap_ok $? "prober: the VIP is served by n2"
lab_exec n2 ip link set eth1 down
lab_wait 3000 vlab_gf_is n1 state leader
tap_ok $? "eth1 down on n2: n1 takes over"
tap_is "$(vlab_gf n1 last_reason)" leader-fault \
	"eth1 down on n2: n1's reason is leader-fault (not a timeout)"
tap_is "$(vlab_gf n2 state) $(vlab_gf n2 fault) $(vlab_gf n2 link_up)" \
	"fault link-down false" "eth1 down on n2: n2's group is in state fault"
tap_is "$(vlab_leaders)" n1 "eth1 down on n2: n1 is the only leader"
el_prober_end 8000
J="$T/linkdown.json"
el_jq "$J" '.last_node == "n1"'
tap_ok $? "eth1 down on n2: the client's probes are answered by n1"
el_jq "$J" '.max_gap_ms < 1000'
tap_ok $? "eth1 down on n2: outage below 1 s (loose bound)"
echo "# link down: $(jq -c '{lost, max_gap_ms, changes}' "$J")"
tap_is "$(vlab_json n2 '[.peers[] | select(.alive)] | length')" 2 \
	"eth1 down on n2: n2 still hears both peers on eth2"

lab_exec n2 ip link set eth1 up
lab_wait 3000 vlab_gf_is n2 state backup
tap_ok $? "eth1 up on n2: n2 is a backup again"
tap_is "$(vlab_gf n2 last_reason) $(vlab_gf n2 leader)" "recovered n1" \
	"eth1 up on n2: reason recovered, n1 leads (ranks higher)"
tap_is "$(vlab_leaders)" n1 "eth1 up on n2: n1 is the only leader"
tap_is "$(vlab_owners "$VIP" 3)" "$MAC1" "only n1's MAC answers ARP"

for n in n1 n2 n3; do
	vlab_stop_ok "$n" "$n exits 0 on SIGTERM"
done
tap_done
