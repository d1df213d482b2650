#!/bin/bash
# The announcer at scale, with the real daemon (issue 3): one group of
# 1,000 scattered IPv4 VIPs, then one of 200 IPv6 VIPs.  Every VIP is
# announced in the first round (counted in a capture on the client), 20
# random ones answer arping / ndisc6, the exact kernel filter still fits
# (no opcode-only fallback), and status reports first_round_ms.  Timing is
# asserted loosely (< 1,000 ms); bench/arp.sh measures it.
#
# Lab (vlab.sh, VLAB_NET 62): n1 runs vipd alone; client c1.  IPv4 VIPs
# are every third address of 10.62.16.0/20 (a subnet added to both), so no
# three are consecutive and the filter needs two instructions for each.

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
VLAB_NET=62
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

vlab_begin "vta-s$$" 1 arping ndisc6 tcpdump tshark shuf
M1=$(vlab_mac n1)
lab_exec n1 ip addr add 10.62.16.1/20 dev eth1
lab_exec c1 ip addr add 10.62.31.200/20 dev eth1

tap_lt() { tap_ok "$([ "$1" -lt "$2" ]; echo $?)" "$3"; }

# Every third address from 10.62.16.3: 1,000 of them, none adjacent.
seq 1 1000 | awk '{ o = $1 * 3; printf "10.62.%d.%d\n", 16 + int(o / 256), o % 256 }' \
	>"$T/v4.list"
# 200 IPv6 VIPs spread over the interface's /64.
seq 1 200 | awk '{ printf "fd00:62::%x:%x\n", ($1 * 7919) % 65536, $1 }' \
	>"$T/v6.list"

# run FAMILY LIST N: one solo vipd for the VIPs in LIST, checked.
run() {
	local fam=$1 list=$2 n=$3 got ms v bad=0 what
	vlab_conf n1 "$T/n1.conf" peers=none \
		"vips=$(paste -sd, "$list")" garp_count=2 garp_interval=500
	vlab_l2_capture c1 "scale$fam"
	vlab_start n1
	tap_ok $? "$fam: vipd starts with $n VIPs in one group"
	lab_wait 10000 vlab_answering n1
	tap_ok $? "$fam: n1 leads and answers"
	done2() {
		[ "$(vlab_json n1 '.groups[0].counters.announcements')" -ge \
			$((n * (fam == 4 ? 4 : 2))) ]
	}
	lab_wait 10000 done2
	vlab_l2_uncapture
	P=$T/scale$fam.pcap
	if [ "$fam" = 4 ]; then
		got=$(vlab_l2_fields "$P" "arp.isgratuitous && eth.src == $M1" \
			arp.src.proto_ipv4 | sort -u | wc -l)
		tap_is "$got" "$n" "4: the capture shows a gratuitous ARP for each of the $n VIPs"
		got=$(vlab_l2_count "$P" "arp.isgratuitous && eth.src == $M1")
		tap_is "$got" $((n * 4)) "4: 2 rounds x (request + reply) for each VIP reached c1"
	else
		got=$(vlab_l2_fields "$P" "icmpv6.type == 136 && eth.src == $M1" \
			icmpv6.nd.na.target_address | sort -u | wc -l)
		tap_is "$got" "$n" "6: the capture shows an unsolicited NA for each of the $n VIPs"
		got=$(vlab_l2_count "$P" "icmpv6.type == 136 && eth.src == $M1")
		tap_is "$got" $((n * 2)) "6: 2 rounds of NAs for each VIP reached c1"
	fi
	tap_is "$(vlab_l2_count "$P" _ws.malformed)" 0 "$fam: no malformed frame"
	for v in $(shuf -n 20 "$list"); do
		if [ "$fam" = 4 ]; then
			what=$(vlab_owners "$v" 0)
		else
			what=$(vlab_owners "$v" 0)
		fi
		[ "$what" = "$M1" ] || { bad=$((bad + 1)); echo "#   $v: '$what'"; }
	done
	tap_is "$bad" 0 "$fam: 20 random VIPs answer with n1's MAC"
	if [ "$fam" = 4 ]; then
		lab_exec c1 arping -c 1 -w 1 -I eth1 10.62.16.4 >/dev/null
		tap_is $? 1 "4: 10.62.16.4, between two VIPs, gets no answer"
	else
		tap_is "$(vlab_owners fd00:62::1:1 0)" "" \
			"6: fd00:62::1:1, not a VIP, gets no answer"
	fi
	got=$(vlab_json n1 '.groups[0].counters | .arp_answered + .ndp_answered')
	tap_ge "$got" 20 "$fam: the answers are counted ($got)"
	tap_is "$(vlab_metric n1 '.capture[0] | "\(.filter_fallback) \(.tx_errors)"')" \
		"false 0" "$fam: exact kernel filter (no fallback), no send error"
	ms=$(vlab_json n1 '.groups[0].counters.first_round_ms')
	echo "# $fam: first round of $n VIPs: $ms ms (status first_round_ms)"
	tap_lt "$ms" 1000 "$fam: first_round_ms reported, under a loose 1,000 ms"
	vlab_stop_ok n1
}

run 4 "$T/v4.list" 1000
run 6 "$T/v6.list" 200

tap_done
