#!/bin/bash
# The announcer's guards, with the real daemon (issue 3): malformed,
# truncated and oversized ARP/NDP frames do not hurt it and are counted by
# reason; a VIP that a foreign host already holds is probed, counted,
# shown in status and left alone (conflict = "yield") or announced anyway
# (conflict = "takeover"), and becomes usable once the host lets it go; a
# VIP outside the interface's subnets is still served.
#
# Lab (vlab.sh, VLAB_NET 62): n1 10.62.0.1 runs vipd alone (no peers); n2
# .2 runs no vipd and only asks; client c1 .200 is the foreign host.

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
VLAB_NET=62
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

L2GEN=$top_builddir/tests/tools/l2gen
vlab_begin "vta-g$$" 2 arping ndisc6 tcpdump tshark "$L2GEN"
V4A=10.62.0.100
V6A=fd00:62::100
VC4=10.62.0.110 # held by c1: a foreign owner
VC6=fd00:62::110
M1=$(vlab_mac n1)
MC=$(vlab_mac c1)

# owners_are NS ADDR WANT: for lab_wait.
owners_are() { [ "$(vlab_owners "$2" 1 "$1")" = "$3" ]; }

# conflict NODE VIP JQ: jq over the status conflicts entry for VIP.
conflict() {
	vlab_json "$1" ".groups[0].conflicts[] | select(.vip == \"$2\") | $3"
}

# ================================================ malformed frames
# Jumbo MTU on n1, c1 and their switch ports, for the 9,000-byte frame.
for n in n1 c1; do
	lab_exec $n ip link set eth1 mtu 9000
	ip -n "$LAB_SW" link set "$(lab_port $n eth1)" mtu 9000
done
vlab_conf n1 "$T/n1.conf" peers=none "vips=$V4A,$V6A"
vlab_start n1
lab_wait 5000 vlab_answering n1
tap_ok $? "malformed: n1 answers for $V4A and $V6A"
vlab_metric n1 '.capture[0]' >"$T/before.json"
lab_exec c1 "$L2GEN" eth1 malformed --dst-mac "$M1" --vip "$V4A" \
	--vip6 "$V6A" >"$T/bad.json"
tap_is "$(jq .errors "$T/bad.json")" 0 \
	"malformed: l2gen sent $(jq '.sent | length' "$T/bad.json") crafted frames"
tap_is "$(jq -r '.skipped // "none"' "$T/bad.json")" none \
	"malformed: the 9,000-byte frame was among them"
want=$(jq -cS '[.sent[] | select(.expect != "filtered") | .expect] |
	group_by(.) | map({(.[0]): length}) | add' "$T/bad.json")
counted() {
	vlab_metric n1 '.capture[0]' >"$T/after.json" || return 1
	got=$(jq -cS --slurpfile b "$T/before.json" '.rx_bad as $a |
		$b[0].rx_bad as $o | $a | with_entries(.value -= $o[.key]) |
		with_entries(select(.value > 0))' "$T/after.json")
	[ "$got" = "$want" ]
}
lab_wait 3000 counted
tap_is "$got" "$want" "malformed: capture.rx_bad counts each frame under its reason"
vlab_alive n1 && vlab_ctl n1 ping >/dev/null
tap_ok $? "malformed: vipd is still running and answers its socket"
tap_is "$(vlab_owners "$V4A" 0)" "$M1" "malformed: still answers ARP for $V4A"
tap_is "$(vlab_owners "$V6A" 0)" "$M1" "malformed: still answers NDP for $V6A"
tap_is "$(jq '.rx_dropped' "$T/after.json")" 0 "malformed: nothing dropped by the kernel"
# A stranger's gratuitous ARP for a VIP n1 leads: counted as a conflict
# (data plane), and n1 keeps the VIP.
tap_is "$(vlab_json n1 '.groups[0].conflicts | length')" 0 \
	"claim: no conflict before"
for op in 1 2; do
	lab_exec c1 "$L2GEN" eth1 garp --vip "$V4A" --op $op >/dev/null
done
claimed() { [ "$(conflict n1 "$V4A" .count)" = 2 ]; }
lab_wait 3000 claimed
tap_is "$(conflict n1 "$V4A" '"\(.mac) \(.count) \(.yielded)"')" "$MC 2 false" \
	"claim: both gratuitous forms from c1 are counted as conflicts on $V4A"
tap_is "$(vlab_owners "$V4A" 0)" "$M1" "claim: n1 still answers for $V4A"
vlab_stop_ok n1
for n in n1 c1; do
	lab_exec $n ip link set eth1 mtu 1500
	ip -n "$LAB_SW" link set "$(lab_port $n eth1)" mtu 1500
done

# ===================================== conflict probe: "yield"
lab_exec c1 ip addr add "$VC4/24" dev eth1
lab_exec c1 ip addr add "$VC6/64" dev eth1 nodad
tap_is "$(vlab_owners "$VC4" 1 n2) $(vlab_owners "$VC6" 1 n2)" "$MC $MC" \
	"yield: c1 (no vipd) holds $VC4 and $VC6 before vipd starts"
vlab_conf n1 "$T/n1.conf" peers=none "vips=$V4A,$VC4,$V6A,$VC6" refresh=2 \
	garp_count=2 garp_interval=300 conflict=yield
vlab_l2_capture n2 yield
vlab_start n1
lab_wait 5000 vlab_answering n1
tap_ok $? "yield: n1 leads"
for v in $VC4 $VC6; do
	tap_is "$(conflict n1 "$v" '"\(.mac) \(.yielded) \(.count > 0)"')" \
		"$MC true true" "yield: status shows the conflict on $v, owner c1, yielded"
done
tap_ge "$(vlab_json n1 '.groups[0].counters.conflicts')" 2 \
	"yield: the conflicts are counted"
tap_is "$(vlab_json n1 '[.groups[0].conflicts[].vip] | sort | join(" ")')" \
	"$VC4 $VC6" "yield: the free VIPs show no conflict"
n=$(grep -c "$VC4.*$MC\|$MC.*$VC4" "$T/n1.log")
tap_ge "$n" 1 "yield: the log names $VC4 and its owner's MAC"
echo "# $(grep -m1 "$VC4" "$T/n1.log")"
tap_is "$(vlab_owners "$VC4" 1 n2)" "$MC" "yield: only c1 answers ARP for $VC4"
tap_is "$(vlab_owners "$VC6" 1 n2)" "$MC" "yield: only c1 answers NDP for $VC6"
tap_is "$(vlab_owners "$V4A" 1 n2)" "$M1" "yield: n1 answers for the free $V4A"
tap_is "$(vlab_owners "$V6A" 1 n2)" "$M1" "yield: n1 answers for the free $V6A"
# Over two refreshes (they re-probe the conflicted VIPs), n1 never
# announces or answers for them; probes (sender 0.0.0.0 / ::) are fine.
sleep 4.5
tap_is "$(vlab_owners "$VC4" 1 n2)" "$MC" "yield: still only c1 for $VC4 after two refreshes"
vlab_l2_uncapture
P=$T/yield.pcap
tap_is "$(vlab_l2_count "$P" "eth.src == $M1 && (arp.src.proto_ipv4 == $VC4 ||
	(icmpv6.type == 136 && icmpv6.nd.na.target_address == $VC6))")" 0 \
	"yield: no announcement or answer from n1 for $VC4 / $VC6 in the capture"
tap_ge "$(vlab_l2_count "$P" "eth.src == $M1 && arp.src.proto_ipv4 == 0.0.0.0 &&
	arp.dst.proto_ipv4 == $VC4")" 2 "yield: n1 probed $VC4 at start-up and again"
tap_ge "$(vlab_l2_count "$P" "eth.src == $M1 && arp.isgratuitous &&
	arp.src.proto_ipv4 == $V4A")" 4 "yield: the free $V4A is announced"
tap_is "$(vlab_l2_count "$P" _ws.malformed)" 0 "yield: no malformed frame"

# The foreign host lets the addresses go: usable after the next refresh.
lab_exec c1 ip addr del "$VC4/24" dev eth1
lab_exec c1 ip addr del "$VC6/64" dev eth1
lab_wait 10000 owners_are n2 "$VC4" "$M1"
tap_ok $? "yield: after c1 released it, n1 answers ARP for $VC4"
lab_wait 5000 owners_are n2 "$VC6" "$M1"
tap_ok $? "yield: and NDP for $VC6"
tap_is "$(conflict n1 "$VC4" .yielded) $(conflict n1 "$VC6" .yielded)" \
	"false false" "yield: status no longer yields them (history kept)"
vlab_stop_ok n1

# ==================================== conflict probe: "takeover"
lab_exec c1 ip addr add "$VC4/24" dev eth1
lab_exec c1 ip addr add "$VC6/64" dev eth1 nodad
vlab_conf n1 "$T/n1.conf" peers=none "vips=$V4A,$VC4,$V6A,$VC6" \
	garp_count=2 garp_interval=300 conflict=takeover
vlab_l2_capture n2 takeover
vlab_start n1
lab_wait 5000 vlab_answering n1
tap_ok $? "takeover: n1 leads"
for v in $VC4 $VC6; do
	tap_is "$(conflict n1 "$v" '"\(.mac) \(.yielded)"')" "$MC false" \
		"takeover: status shows the conflict on $v, not yielded"
done
want=$(printf '%s\n' "$M1" "$MC" | sort | tr '\n' ' ' | sed 's/ $//')
tap_is "$(vlab_owners "$VC4" 1 n2)" "$want" "takeover: n1 answers ARP for $VC4 (so does c1)"
tap_is "$(vlab_owners "$VC6" 1 n2)" "$want" "takeover: n1 answers NDP for $VC6 (so does c1)"
vlab_l2_uncapture
P=$T/takeover.pcap
tap_ge "$(vlab_l2_count "$P" "eth.src == $M1 && arp.isgratuitous &&
	arp.src.proto_ipv4 == $VC4")" 2 "takeover: n1 announces $VC4"
tap_ge "$(vlab_l2_count "$P" "eth.src == $M1 && icmpv6.type == 136 &&
	icmpv6.nd.na.target_address == $VC6")" 2 "takeover: n1 announces $VC6"
vlab_stop_ok n1
lab_exec c1 ip addr del "$VC4/24" dev eth1
lab_exec c1 ip addr del "$VC6/64" dev eth1

# ============================== only on the configured interface
# n1 gets a second NIC, eth2, on another bridge with a client c2 that
# routes the VIP's subnet there: vipd captures and sends on eth1 only, and
# nothing may answer for the VIP on eth2.
{
	ip -n "$LAB_SW" link add br1 type bridge &&
		ip -n "$LAB_SW" link set br1 type bridge forward_delay 0 \
			stp_state 0 &&
		ip -n "$LAB_SW" link set br1 up &&
		lab_node n1 br1 eth2 10.162.0.1/24 fd00:162::1/64 &&
		lab_node c2 br1 eth1 10.162.0.200/24 fd00:162::200/64
} || lab_bail "could not add n1's second NIC and c2"
lab_exec c2 ip route add 10.62.0.0/24 dev eth1
lab_exec c2 ip -6 route add fd00:62::/64 dev eth1
M1B=$(lab_exec n1 cat /sys/class/net/eth2/address)
# arp_sysctls: all.arp_ignore, eth1's arp_ignore and arp_announce.
arp_sysctls() {
	lab_exec n1 sysctl -n net.ipv4.conf.all.arp_ignore \
		net.ipv4.conf.eth1.arp_ignore net.ipv4.conf.eth1.arp_announce |
		tr '\n' ' ' | sed 's/ $//'
}
# The kernel's defaults, whatever earlier runs of this test left.
lab_exec n1 sysctl -qw net.ipv4.conf.all.arp_ignore=0 \
	net.ipv4.conf.eth1.arp_ignore=0 net.ipv4.conf.eth1.arp_announce=0
vlab_conf n1 "$T/n1.conf" peers=none "vips=$V4A,$V6A"
vlab_l2_capture c2 other
vlab_start n1
lab_wait 5000 vlab_answering n1
tap_ok $? "nic: n1 leads (eth1) with a second NIC eth2"
tap_is "$(vlab_owners "$V6A" 1 c2)" "" "nic: no NDP answer for $V6A on eth2"
got=$(vlab_owners "$V4A" 1 c2)
# With bind "local" vipd sets arp_ignore=1 for "all" too, so the kernel
# does not answer ARP for the VIP on lo through another NIC (ARP flux).
tap_is "$got" "" "nic: no ARP answer for $V4A on eth2 (eth2 is $M1B)"
tap_is "$(lab_exec n1 sysctl -n net.ipv4.conf.all.arp_ignore)" 1 \
	"nic: net.ipv4.conf.all.arp_ignore set to 1"
tap_is "$(vlab_owners "$V4A" 0)" "$M1" "nic: eth1 still answers for $V4A"
# Controls: c2 does reach n1's eth2 (its own addresses answer there), and
# the capture on eth2's LAN sees those answers.
tap_is "$(vlab_owners 10.162.0.1 1 c2)" "$M1B" \
	"nic: control: n1's own 10.162.0.1 answers c2's ARP with eth2's MAC"
tap_is "$(vlab_owners fd00:162::1 1 c2)" "$M1B" \
	"nic: control: n1's own fd00:162::1 answers c2's NS with eth2's MAC"
vlab_l2_uncapture
tap_ge "$(vlab_l2_count "$T/other.pcap" "eth.src == $M1B &&
	(arp.opcode == 2 || icmpv6.type == 136)")" 2 \
	"nic: control: the capture on eth2's LAN holds those answers"
# (Every NA but the control's answer for n1's own address.)
tap_is "$(vlab_l2_count "$T/other.pcap" "(arp.isgratuitous ||
	(icmpv6.type == 136 && icmpv6.nd.na.target_address != fd00:162::1)) &&
	(eth.src == $M1 || eth.src == $M1B)")" 0 \
	"nic: no announcement from n1 on eth2's LAN"
tap_is "$(arp_sysctls)" "1 1 2" \
	"sysctls: all.arp_ignore 1, eth1 arp_ignore 1 and arp_announce 2 while vipd runs"
vlab_stop_ok n1
tap_is "$(arp_sysctls)" "0 0 0" "sysctls: put back to 0 0 0 on SIGTERM"
grep -q 'restored net.ipv4.conf.all.arp_ignore=0' "$T/n1.log"
tap_ok $? "sysctls: the log says what was restored"
lab_exec n1 ip link del eth2

# Changed by someone else while vipd ran: theirs, not restored.  Killed:
# nothing is restored then (the VIP may still be on lo), but the next start
# puts the originals back from the state file (lifecycle.sh tests the file).
vlab_conf n1 "$T/n1.conf" peers=none "vips=$V4A"
vlab_start n1
lab_wait 5000 vlab_answering n1
tap_ok $? "sysctls: n1 leads again"
lab_exec n1 sysctl -qw net.ipv4.conf.eth1.arp_announce=1
vlab_stop_ok n1
tap_is "$(arp_sysctls)" "0 0 1" \
	"sysctls: a value the admin changed meanwhile is left as it is"
lab_exec n1 sysctl -qw net.ipv4.conf.eth1.arp_announce=0
vlab_start n1
lab_wait 5000 vlab_answering n1
tap_ok $? "sysctls: n1 leads once more"
vlab_stop n1 KILL
tap_is "$(arp_sysctls)" "1 1 2" "sysctls: SIGKILL leaves them raised"
vlab_start n1
lab_wait 5000 vlab_answering n1
vlab_stop_ok n1
tap_is "$(arp_sysctls)" "0 0 0" \
	"sysctls: the next vipd put back the killed one's originals (0 0 0 after its stop)"

# ============================== a VIP outside the interface's subnets
VX4=192.0.2.50
VX6=2001:db8:62::50
lab_exec c1 ip route add 192.0.2.0/24 dev eth1
lab_exec c1 ip -6 route add 2001:db8:62::/64 dev eth1
vlab_conf n1 "$T/n1.conf" peers=none "vips=$V4A,$VX4,$VX6"
vlab_start n1
tap_ok $? "subnet: vipd starts with VIPs outside eth1's subnets"
lab_wait 5000 vlab_answering n1
tap_ok $? "subnet: it leads and answers"
tap_is "$(vlab_owners "$VX4" 0)" "$M1" "subnet: ARP for $VX4 is answered by n1"
tap_is "$(vlab_owners "$VX6" 0)" "$M1" "subnet: NDP for $VX6 is answered by n1"
vlab_alive n1
tap_ok $? "subnet: vipd keeps running"
vlab_stop_ok n1

tap_done
