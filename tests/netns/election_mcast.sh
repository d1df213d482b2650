#!/bin/bash
# Election over multicast instead of a unicast peer list: three nodes with
# `peers = []` and `multicast = "239.255.74.31"` on eth1 elect one leader,
# authenticate each other (a wrong secret is rejected: that node hears
# nobody, and yields the VIP it finds owned), and hand over when the
# leader stops.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

el_begin mcast 3

# mcast_conf NODE PRIO SECRET: no peer list, heartbeats to a group.
mcast_conf() {
	vlab_conf "$1" "$T/$1.conf" prio="$2" peers=none vips="$VIP" \
		cluster_extra="multicast = \"239.255.74.31\";
  multicast_interface = \"eth1\"; secret_file = \"$3\";"
}

vlab_secret "$T/other-secret"
mcast_conf n1 200 "$T/secret"
mcast_conf n2 150 "$T/secret"
mcast_conf n3 100 "$T/other-secret"
for n in n1 n2 n3; do
	lab_exec "$n" ip route add 224.0.0.0/4 dev eth1
done
for n in n1 n2; do
	vlab_start "$n"
	tap_ok $? "vipd starts on $n (multicast)"
done
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 (highest priority) leads"
lab_wait 3000 vlab_gf_is n2 leader n1
tap_ok $? "n2 hears n1 over multicast"
# n3 has another secret.  Failed authentication only means "not heard"
# (protocol.md section 10): n3 hears nobody and leads its group, but its
# start-up conflict probe finds n1 answering for the VIP and yields it.
vlab_start n3
tap_ok $? "vipd starts on n3 (multicast, another secret)"
lab_wait 3000 el_metric_ge n1 .heartbeats.rejected.hmac 1
tap_ok $? "n1 rejects n3's heartbeats (hmac: $(vlab_metric n1 .heartbeats.rejected.hmac))"
tap_is "$(vlab_json n2 '[.peers[] | select(.alive)] | map(.id) | join(",")')" n1 \
	"n2 authenticated exactly n1 (n3 has another secret)"
yielded() {
	[ "$(vlab_json n3 '.groups[0].conflicts[0].yielded')" = true ]
}
lab_wait 3000 yielded
tap_ok $? "n3 (wrong secret) yielded the VIP to its owner at start-up"
tap_is "$(vlab_json n3 '.groups[0].conflicts[0].mac')" "$(vlab_mac n1)" \
	"n3's conflict names n1's MAC"
tap_is "$(vlab_owners "$VIP")" "$(vlab_mac n1)" "only n1 answers ARP for the VIP"

vlab_stop_ok n1 "n1 exits 0 on SIGTERM"
lab_wait 3000 vlab_gf_is n2 state leader
tap_ok $? "n2 takes over from n1 over multicast"
tap_is "$(vlab_gf n2 last_reason)" leader-resigned "n2's reason: leader-resigned"
for n in n2 n3; do
	vlab_stop_ok "$n" "$n exits 0 on SIGTERM"
done
tap_done
