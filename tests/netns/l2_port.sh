#!/bin/bash
# l2_port in a namespace lab: a node answers ARP/NDP for its VIPs through
# tests/tools/l2tool, a client asks with arping/ndisc6 and captures what the
# node sends; tshark checks the frames, `ip neigh` checks that Linux takes
# the announcements, l2gen throws malformed frames and a flood at the node.
#
# Lab: switch br0; node 10.77.0.1/24 2001:db8:77::1/64; client .2 / ::2.
# VIPs: 10.77.0.100 and 2001:db8:77::100 (not configured on any host).

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh" # its capture and tshark helpers only

lab_need_root arping ndisc6 tcpdump tshark jq
L2TOOL=$top_builddir/tests/tools/l2tool
L2GEN=$top_builddir/tests/tools/l2gen
if [ ! -x "$L2TOOL" ] || [ ! -x "$L2GEN" ]; then
	echo "1..0 # SKIP tests/tools/l2tool and l2gen are not built"
	exit 0
fi

VIP4=10.77.0.100
VIP6=2001:db8:77::100
OTHER4=10.77.0.200
OTHER6=2001:db8:77::200
STALE=02:00:00:00:00:99

lab_init "vfr-l2-$$"
T=$(lab_tmp)
VLAB_TMP=$T
lab_switch br0 || lab_bail "could not make the switch"
# With br_netfilter loaded, the bridge validates IPv6 headers and drops
# the malformed frames this test wants to reach the node (per namespace).
ip netns exec "$LAB_SW" sysctl -qw net.bridge.bridge-nf-call-ip6tables=0 \
	2>/dev/null
{
	lab_node node br0 eth1 10.77.0.1/24 2001:db8:77::1/64 &&
		lab_node client br0 eth1 10.77.0.2/24 2001:db8:77::2/64
} || lab_bail "could not plug the node and the client"
tap_ok $? "lab: node and client on one bridge"
NODE_MAC=$(lab_exec node cat /sys/class/net/eth1/address)
CLIENT_MAC=$(lab_exec client cat /sys/class/net/eth1/address)

# respond NAME SECONDS VIP...: start l2tool respond in the background.
respond() {
	local name=$1
	shift
	lab_bg node "$T/$name.log" "$L2TOOL" eth1 respond "$@"
	RESP_PID=$LAB_LASTPID
	lab_wait 5000 grep -q '^# ready' "$T/$name.log"
}

# stop_respond NAME: SIGTERM, then the JSON line it printed.
stop_respond() {
	lab_stop "$RESP_PID" TERM
	tail -n 1 "$T/$1.log" >"$T/$1.json"
	jq -e . "$T/$1.json" >/dev/null
}

# Captures on the client (ARP and ICMPv6) to $T/NAME.pcap: vlab_l2_capture
# client NAME, vlab_l2_uncapture once the frames expected are in the file
# (lab_wait vlab_l2_count_ge); vlab_l2_fields reads them.

# neigh_is ADDR MAC: the client's neighbour entry for ADDR carries MAC.
neigh_is() { [ "$(vlab_l2_neigh client "$1")" = "$2" ]; }

# --------------------------------------------------------- answering
respond resp1 20 "$VIP4" "$VIP6"
tap_ok $? "l2tool respond is ready"
# Close-on-exec and non-blocking on every socket the port opened (its two
# packet sockets at least: the capture and libnet's).
bad_fd=0
nsock=0
for fi in /proc/"$RESP_PID"/fdinfo/*; do
	fd=${fi##*/}
	[[ $(readlink /proc/"$RESP_PID"/fd/"$fd") == socket:* ]] || continue
	nsock=$((nsock + 1))
	flags=$(awk '/^flags:/ {print $2}' "$fi")
	(((8#$flags & 8#2000000) && (8#$flags & 8#4000))) || bad_fd=1
done
tap_ok "$([ "$bad_fd" = 0 ] && [ "$nsock" -ge 2 ] && echo 0 || echo 1)" \
	"port sockets ($nsock, at least 2) are close-on-exec and non-blocking"
# Neither socket is hooked to frames it does not want: libnet's is
# protocol 0, the capture socket ignores our own outgoing frames.
# shellcheck disable=SC2016 # awk's own $4
hooked=$(lab_exec node awk 'NR > 1 && $4 != "0000"' /proc/net/packet | wc -l)
tap_is "$hooked" 1 "one packet socket receives (the capture)"

out=$(lab_exec client arping -c 3 -w 5 -I eth1 "$VIP4")
n=$(grep -ci "reply from $VIP4 \[$NODE_MAC\]" <<<"$out")
tap_is "$n" 3 "arping $VIP4: 3 replies from the node's MAC"
out=$(lab_exec client ndisc6 -1 -r 3 -w 1000 "$VIP6" eth1)
grep -qi "Target link-layer address: $NODE_MAC" <<<"$out"
tap_ok $? "ndisc6 $VIP6: answered with the node's MAC"
lab_exec client arping -c 2 -w 3 -I eth1 "$OTHER4" >/dev/null
tap_is $? 1 "arping $OTHER4 (not a VIP): no answer"
lab_exec client ndisc6 -1 -r 1 -w 500 "$OTHER6" eth1 >/dev/null
tap_ok $(($? == 0)) "ndisc6 $OTHER6 (not a VIP): no answer"
# DAD probe for the VIP from the client: answered at all-nodes.
lab_exec client "$L2TOOL" eth1 probe "$VIP6" 1000 >"$T/dad.json" 2>&1
tap_is "$(jq -r '"\(.answers) \(.mac)"' "$T/dad.json")" "1 $NODE_MAC" \
	"a DAD probe for the VIP is answered by the node"
lab_exec client "$L2TOOL" eth1 probe "$VIP4" 1000 >"$T/probe4.json" 2>&1
tap_is "$(jq -r '"\(.answers) \(.mac)"' "$T/probe4.json")" "1 $NODE_MAC" \
	"an ARP probe for the VIP is answered by the node"

stop_respond resp1
tap_ok $? "respond exits on SIGTERM with its counters"
tap_is "$(jq -r '"\(.answered) \(.answer_errors) \(.fallback)"' "$T/resp1.json")" \
	"6 0 false" "answered 3 ARP requests, 1 NS and 2 probes, exact filter"
tap_is "$(jq '[.rx_bad[]] | add' "$T/resp1.json")" 0 "no bad frames counted"

# ------------------------------------------ announcements, captured
lab_exec client ip neigh replace "$VIP4" lladdr "$STALE" dev eth1 nud stale
lab_exec client ip -6 neigh replace "$VIP6" lladdr "$STALE" dev eth1 nud stale
vlab_l2_capture client ann
lab_exec node "$L2TOOL" eth1 announce "$VIP4" "$VIP6" >"$T/ann.json"
tap_is "$(jq -r '"\(.sent) \(.failed)"' "$T/ann.json")" "3 0" \
	"announce: 2 ARP + 1 NA sent"
lab_exec node "$L2TOOL" eth1 probe "$VIP4" >/dev/null
lab_exec node "$L2TOOL" eth1 probe "$VIP6" >/dev/null
P=$T/ann.pcap
# The 3 announcements and the 2 probes.
lab_wait 5000 vlab_l2_count_ge "$P" "eth.src == $NODE_MAC" 5
tap_ok $? "the client captured the node's 5 frames"
vlab_l2_uncapture
tap_is "$(vlab_l2_neigh client "$VIP4")" "$NODE_MAC" \
	"client's ARP entry for $VIP4 moved to the node's MAC unasked"
tap_is "$(vlab_l2_neigh client "$VIP6")" "$NODE_MAC" \
	"client's NDP entry for $VIP6 moved to the node's MAC unasked"

tap_is "$(tshark -r "$P" -Y _ws.malformed 2>/dev/null | wc -l)" 0 \
	"tshark: no malformed frame"
tap_is "$(tshark -r "$P" -Y '_ws.expert.severity >= warning' 2>/dev/null |
	wc -l)" 0 "tshark: no expert warning (checksums are checked)"
got=$(vlab_l2_fields "$P" "arp.src.proto_ipv4 == $VIP4" arp.opcode eth.dst \
	arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4)
want="1,ff:ff:ff:ff:ff:ff,$NODE_MAC,$VIP4,00:00:00:00:00:00,$VIP4
2,ff:ff:ff:ff:ff:ff,$NODE_MAC,$VIP4,$NODE_MAC,$VIP4"
tap_is "$got" "$want" "gratuitous ARP request + reply: broadcast, sender = target = VIP, our MAC"
got=$(vlab_l2_fields "$P" "icmpv6.type == 136" eth.dst ipv6.src ipv6.dst ipv6.hlim \
	icmpv6.nd.na.flag.r icmpv6.nd.na.flag.s icmpv6.nd.na.flag.o \
	icmpv6.nd.na.target_address icmpv6.opt.type icmpv6.opt.linkaddr \
	icmpv6.checksum.status)
want="33:33:00:00:00:01,$VIP6,ff02::1,255,0,0,1,$VIP6,2,$NODE_MAC,1"
tap_is "$got" "$want" "unsolicited NA: ff02::1, hop limit 255, O set, target VIP, TLLA = our MAC"
got=$(vlab_l2_fields "$P" "arp.src.proto_ipv4 == 0.0.0.0" arp.opcode eth.dst \
	arp.src.hw_mac arp.dst.hw_mac arp.dst.proto_ipv4)
tap_is "$got" "1,ff:ff:ff:ff:ff:ff,$NODE_MAC,00:00:00:00:00:00,$VIP4" \
	"ARP probe: sender 0.0.0.0, target VIP, broadcast"
got=$(vlab_l2_fields "$P" "icmpv6.type == 135" eth.dst ipv6.src ipv6.dst ipv6.hlim \
	icmpv6.nd.ns.target_address icmpv6.opt.type icmpv6.checksum.status)
tap_is "$got" "33:33:ff:00:01:00,::,ff02::1:ff00:100,255,$VIP6,,1" \
	"DAD NS: from ::, solicited-node group, no option"

# Which gratuitous form does Linux honour?  Each alone, sent by l2gen with
# our layout, must move a stale entry.
for op in 1 2; do
	lab_exec client ip neigh replace "$VIP4" lladdr "$STALE" dev eth1 \
		nud stale
	lab_exec node "$L2GEN" eth1 garp --vip "$VIP4" --op "$op" >/dev/null
	lab_wait 1000 neigh_is "$VIP4" "$NODE_MAC"
	tap_ok $? "Linux takes the gratuitous ARP $([ $op = 1 ] &&
		echo request || echo reply) form alone"
done

# The node's probe of an address the client owns is answered (conflict).
lab_exec node "$L2TOOL" eth1 probe 10.77.0.2 1000 >"$T/c4.json"
tap_is "$(jq -r '"\(.answers) \(.mac)"' "$T/c4.json")" "1 $CLIENT_MAC" \
	"probe for the client's IPv4 address: the owner answers"
lab_exec node "$L2TOOL" eth1 probe 2001:db8:77::2 1000 >"$T/c6.json"
tap_is "$(jq -r '"\(.answers) \(.mac)"' "$T/c6.json")" "1 $CLIENT_MAC" \
	"DAD probe for the client's IPv6 address: the owner answers"

# ------------------------------------------------- malformed frames
for end in "node eth1" "client eth1"; do
	lab_exec "${end% *}" ip link set eth1 mtu 9000
done
for port in "$(lab_port node eth1)" "$(lab_port client eth1)"; do
	ip -n "$LAB_SW" link set "$port" mtu 9000
done
respond resp2 20 "$VIP4" "$VIP6"
vlab_l2_capture client bad
lab_exec client "$L2GEN" eth1 malformed --dst-mac "$NODE_MAC" \
	--vip "$VIP4" --vip6 "$VIP6" >"$T/bad.json"
tap_is "$(jq .errors "$T/bad.json")" 0 "l2gen sent every malformed frame"
# The frame with the bad checksum is the one the capture is for.
BADSUM='icmpv6.checksum.status == 0 && frame.len == 86'
lab_wait 5000 vlab_l2_count_ge "$T/bad.pcap" "$BADSUM" 1
vlab_l2_uncapture
! lab_gone "$RESP_PID"
tap_ok $? "respond survived the malformed frames"
out=$(lab_exec client arping -c 1 -w 2 -I eth1 "$VIP4")
grep -qi "reply from $VIP4" <<<"$out"
tap_ok $? "and still answers"
stop_respond resp2
want=$(jq -c '[.sent[] | select(.expect != "filtered") | .expect] |
	group_by(.) | map({(.[0]): length}) | add' "$T/bad.json")
got=$(jq -c '.rx_bad | with_entries(select(.value > 0))' "$T/resp2.json")
tap_is "$(jq -cS . <<<"$got")" "$(jq -cS . <<<"$want")" \
	"every malformed frame counted under its reason"
tap_is "$(jq .rx_frames "$T/resp2.json")" \
	"$(jq '[.sent[] | select(.expect != "filtered")] | length + 1' \
		"$T/bad.json")" "the NA with a multicast target stayed in the kernel"
n=$(vlab_l2_count "$T/bad.pcap" "$BADSUM")
tap_is "$n" 1 "tshark flags l2gen's bad checksum (the check above has teeth)"
n=$(tshark -r "$T/bad.pcap" -Y '_ws.expert.severity >= warning' 2>/dev/null |
	wc -l)
echo "# tshark warns about $n of l2gen's malformed frames"
jq -r '"# malformed: sent \(.sent | length), mtu \(.mtu) \(.skipped // "")"' \
	"$T/bad.json"

# ---------------------------------------- filter swap drains the ring
lab_bg node "$T/ref.log" "$L2TOOL" eth1 refilter "$VIP4" 10.77.0.101
REF_PID=$LAB_LASTPID
lab_wait 5000 grep -q '^# ready-a' "$T/ref.log"
lab_exec client arping -c 1 -w 1 -I eth1 "$VIP4" >/dev/null
lab_wait 5000 grep -q '^# ready-b' "$T/ref.log"
lab_exec client arping -c 2 -w 2 -I eth1 10.77.0.101 >/dev/null
lab_wait 5000 sh -c "tail -n 1 '$T/ref.log' | grep -q '^{'"
lab_stop "$REF_PID"
tap_is "$(tail -n 1 "$T/ref.log" | jq -r '"\(.queued_a) \(.a_after_switch) \(.b)"')" \
	"true 0 2" "a frame queued under the old filter is not delivered after the swap"

# ------------------------------------ filter size and kernel memory
for n in 1000 3000; do
	lab_exec node "$L2TOOL" eth1 set-vips $n >"$T/fit$n.json"
done
tap_is "$(jq -r '"\(.fallback) \(.attached_insns > 2000)"' "$T/fit1000.json")" \
	"false true" "1,000 IPv4 VIPs: exact filter, attached in the kernel"
tap_is "$(jq -r '"\(.fallback) \(.attached_insns)"' "$T/fit3000.json")" \
	"true 12" "3,000 IPv4 VIPs: opcode-only fallback"
# Kernels before 6.9 give sockets 20 KB of option memory for filters.
# Write it only where it is per namespace (a global sysctl such as
# netdev_max_backlog is then hidden), never into the host's value.
if ! lab_exec node test -e /proc/sys/net/core/netdev_max_backlog &&
	lab_exec node sysctl -qw net.core.optmem_max=20480 2>/dev/null; then
	lab_exec node "$L2TOOL" eth1 set-vips 1000 >"$T/old1000.json"
	lab_exec node "$L2TOOL" eth1 set-vips 1800 >"$T/old1800.json"
	tap_is "$(jq -r '"\(.fallback) \(.attached_insns > 2000)"' \
		"$T/old1000.json")" "false true" \
		"optmem_max 20480: 1,000 IPv4 VIPs still fit"
	tap_is "$(jq -r '"\(.fallback) \(.attached_insns)"' "$T/old1800.json")" \
		"true 12" "optmem_max 20480: 1,800 fall back instead of filtering in userland"
	lab_exec node sysctl -qw net.core.optmem_max=131072
else
	echo "# optmem_max is not per namespace here: skipped"
fi

# ---------------------------------------------------- ARP flood
respond resp3 20 "$VIP4" "$VIP6"
lab_exec client "$L2GEN" eth1 flood --rate 50000 --seconds 2 \
	--target-net 10.78.0.0/16 >"$T/flood.json"
stop_respond resp3
tap_is "$(jq .rx_frames "$T/resp3.json")" 0 \
	"100,000 requests for other addresses: none reached userspace"
echo "# flood: $(jq -c . "$T/flood.json"), responder cpu_ms $(jq .cpu_ms \
	"$T/resp3.json") (including start-up)"

# ----------------------------------------- takeover burst, measured
vlab_l2_capture client burst
lab_exec node "$L2TOOL" eth1 bench-announce 1000 >"$T/burst.json"
BURST='arp.src.proto_ipv4 == 10.200.0.0/16'
lab_wait 10000 vlab_l2_count_ge "$T/burst.pcap" "$BURST" 2000
vlab_l2_uncapture
tap_is "$(jq -r '"\(.frames) \(.failed) \(.tx_errors)"' "$T/burst.json")" \
	"2000 0 0" "1,000 VIPs announced: 2,000 frames, no error"
got=$(vlab_l2_count "$T/burst.pcap" "$BURST")
tap_is "$got" 2000 "the client received all 2,000"
# Two more runs without the capture; report all three.
for i in 2 3; do
	lab_exec node "$L2TOOL" eth1 bench-announce 1000 >"$T/burst$i.json"
done
runs=$(jq -s -r 'map(.ms) | sort | map(tostring) | join(" ")' \
	"$T/burst.json" "$T/burst2.json" "$T/burst3.json")
median=$(awk '{print $2}' <<<"$runs")
echo "# l2_port_announce, 1,000 IPv4 VIPs (2,000 frames), 3 runs: $runs ms"
# The 100 ms target belongs to the benchmark (sanitizers and a loaded CI
# host slow this build down); this only catches a gross regression.
tap_ok "$(awk -v m="$median" 'BEGIN { print (m < 250) ? 0 : 1 }')" \
	"1,000 VIPs announced in well under 250 ms (median $median ms)"

tap_done
