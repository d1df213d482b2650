#!/bin/bash
# The announcer end to end, with the real daemon (issue 3): a solo node
# answers ARP/NDP for its VIPs and announces them (burst, refresh); in a
# 2-node cluster the backup stays silent, a takeover moves the client's
# neighbour entries without the client asking, and an old leader never
# answers again once it has released (vipctl release, SIGTERM).  Every
# captured frame is checked with tshark.
#
# Lab (vlab.sh, VLAB_NET 62): n1 10.62.0.1, n2 .2, client c1 .200 on br0;
# VIPs 10.62.0.100-101 and fd00:62::100-101 (on no host but vipd's lo).

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
VLAB_NET=62
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

L2TOOL=$top_builddir/tests/tools/l2tool
vlab_begin "vta$$" 2 arping ndisc6 tcpdump tshark ping "$L2TOOL"
V4A=10.62.0.100
V4B=10.62.0.101
V6A=fd00:62::100
V6B=fd00:62::101
V4S=("$V4A" "$V4B")
V6S=("$V6A" "$V6B")
VIPS="vips=$V4A,$V4B,$V6A,$V6B"
GARP=(garp_count=3 garp_interval=300)
CIP4=10.62.0.200
STALE=02:00:00:00:00:99
M1=$(vlab_mac n1)
M2=$(vlab_mac n2)
MC=$(vlab_mac c1)
BCAST=ff:ff:ff:ff:ff:ff
# any FIELD ADDR...: a display filter true when FIELD is one of them
# (tshark's set syntax changed between versions).
any() {
	local f=$1 a out=""
	shift
	for a in "$@"; do out="$out || $f == $a"; done
	echo "(${out# || })"
}
MENTIONS="($(any arp.src.proto_ipv4 "${V4S[@]}") || $(any arp.dst.proto_ipv4 "${V4S[@]}") ||
	$(any icmpv6.nd.na.target_address "${V6S[@]}") ||
	$(any icmpv6.nd.ns.target_address "${V6S[@]}"))"

# frames_ok PCAP WHAT: tshark finds nothing malformed and no warning.  A
# takeover shows two MACs for one IP: tshark's duplicate-address note is
# the point of the exercise, not a defect.
frames_ok() {
	tap_is "$(vlab_l2_count "$1" _ws.malformed)" 0 \
		"$2: tshark finds no malformed frame"
	tap_is "$(vlab_l2_count "$1" '_ws.expert.severity >= warning &&
		!arp.duplicate-address-detected')" 0 \
		"$2: no tshark expert warning (checksums checked)"
}

# garp_ok PCAP MAC WHAT: every gratuitous ARP for a VIP is a request and a
# reply, broadcast, from MAC, sender = target = the VIP; both VIPs seen.
garp_ok() {
	local p=$1 mac=$2 v got bad=0
	for v in "${V4S[@]}"; do
		got=$(vlab_l2_fields "$p" "arp.isgratuitous && arp.src.proto_ipv4 == $v" \
			arp.opcode eth.dst eth.src arp.src.hw_mac arp.dst.proto_ipv4 |
			sort -u | tr '\n' ' ')
		[ "$got" = "1,$BCAST,$mac,$mac,$v 2,$BCAST,$mac,$mac,$v " ] ||
			{ bad=1; echo "#   $v: $got"; }
	done
	tap_is "$bad" 0 "$3: gratuitous ARP requests and replies, broadcast, sender = target = VIP, MAC $mac"
	tap_is "$(vlab_l2_count "$p" "arp.opcode == 2 && arp.isgratuitous &&
		arp.dst.hw_mac != $mac")" 0 "$3: the reply form's target MAC is the leader's"
}

# na_ok PCAP MAC WHAT: every unsolicited NA for a VIP goes to ff02::1 with
# hop limit 255, only O set, target = the VIP, TLLA = MAC, good checksum.
na_ok() {
	local p=$1 mac=$2 v got bad=0
	for v in "${V6S[@]}"; do
		got=$(vlab_l2_fields "$p" "icmpv6.type == 136 &&
			icmpv6.nd.na.flag.s == 0 && icmpv6.nd.na.target_address == $v" \
			eth.src eth.dst ipv6.src ipv6.dst ipv6.hlim icmpv6.nd.na.flag.r \
			icmpv6.nd.na.flag.o icmpv6.opt.type icmpv6.opt.linkaddr \
			icmpv6.checksum.status | sort -u | tr '\n' ' ')
		[ "$got" = "$mac,33:33:00:00:00:01,$v,ff02::1,255,0,1,2,$mac,1 " ] ||
			{ bad=1; echo "#   $v: $got"; }
	done
	tap_is "$bad" 0 "$3: unsolicited NAs to ff02::1, hop limit 255, O set, target = VIP, TLLA = $mac"
}

# round_gaps PCAP MAC VIP: ms between successive gratuitous ARP requests
# for VIP from MAC (one per round), space separated.
round_gaps() {
	vlab_l2_fields "$1" "arp.opcode == 1 && arp.isgratuitous &&
		eth.src == $2 && arp.src.proto_ipv4 == $3" frame.time_epoch |
		awk 'NR > 1 { printf "%d ", ($1 - t) * 1000 } { t = $1 }'
}

# in_range VALUE LO HI
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# =============================================== solo node: answers
vlab_conf n1 "$T/n1.conf" peers=none "$VIPS" "${GARP[@]}" refresh=2
vlab_l2_capture c1 solo
vlab_start n1
tap_ok $? "solo: vipd starts on n1 (no peers)"
lab_wait 5000 vlab_answering n1
tap_ok $? "solo: n1 leads and answers once its conflict probe is over"
for v in "${V4S[@]}"; do
	tap_is "$(vlab_owners "$v" 0)" "$M1" "solo: arping $v answered by n1's MAC"
done
for v in "${V6S[@]}"; do
	tap_is "$(vlab_owners "$v" 0)" "$M1" "solo: ndisc6 $v answered by n1's MAC"
	lab_exec c1 ping -6 -c 1 -W 2 "$v" >/dev/null
	tap_ok $? "solo: ping -6 $v"
	tap_is "$(vlab_l2_neigh c1 "$v")" "$M1" "solo: c1's ip -6 neigh for $v is n1's MAC"
done
# DAD and ARP probes (sender :: / 0.0.0.0) from c1 are answered too.
# (The burst's announcements count as answers too: at least one.)
lab_exec c1 "$L2TOOL" eth1 probe "$V4A" 1000 >"$T/probe4.json" 2>&1
tap_is "$(jq -r '"\(.answers > 0) \(.mac)"' "$T/probe4.json")" "true $M1" \
	"solo: an ARP probe for $V4A is answered"
lab_exec c1 "$L2TOOL" eth1 probe "$V6A" 1000 >"$T/probe6.json" 2>&1
tap_is "$(jq -r '"\(.answers > 0) \(.mac)"' "$T/probe6.json")" "true $M1" \
	"solo: a DAD probe for $V6A is answered"
lab_exec c1 arping -c 1 -w 1 -I eth1 10.62.0.150 >/dev/null
tap_is $? 1 "solo: an address that is not a VIP gets no answer"

# The burst (3 rounds, 300 ms apart) and two refreshes (2 s apart) are
# 5 rounds of 6 frames (2 ARP x 2 VIPs + 1 NA x 2 VIPs).
refreshed() { [ "$(vlab_json n1 '.groups[0].counters.announcements')" -ge 30 ]; }
lab_wait 12000 refreshed
tap_ok $? "solo: burst and two refreshes sent ($(vlab_json n1 \
	'.groups[0].counters.announcements') frames)"
tap_is "$(vlab_json n1 '.groups[0].counters | .arp_answered >= 3 and
	.ndp_answered >= 3')" true "solo: answers are counted"
vlab_l2_uncapture
vlab_stop_ok n1

P=$T/solo.pcap
frames_ok "$P" solo
garp_ok "$P" "$M1" solo
na_ok "$P" "$M1" solo
got=$(vlab_l2_fields "$P" "arp.opcode == 2 && !arp.isgratuitous &&
	$(any arp.src.proto_ipv4 "${V4S[@]}") && arp.dst.proto_ipv4 == $CIP4" \
	eth.src eth.dst arp.src.hw_mac arp.dst.hw_mac | sort -u)
tap_is "$got" "$M1,$MC,$M1,$MC" "solo: ARP replies are unicast from n1 to the requester"
got=$(vlab_l2_fields "$P" "arp.opcode == 2 && arp.src.proto_ipv4 == $V4A &&
	arp.dst.proto_ipv4 == 0.0.0.0" eth.dst arp.dst.hw_mac | sort -u)
tap_is "$got" "$MC,$MC" "solo: the probe's answer is unicast, target IP 0.0.0.0"
got=$(vlab_l2_fields "$P" "icmpv6.type == 136 && icmpv6.nd.na.flag.s == 1 &&
	$(any icmpv6.nd.na.target_address "${V6S[@]}")" \
	eth.src eth.dst ipv6.hlim icmpv6.nd.na.flag.o icmpv6.opt.linkaddr \
	icmpv6.checksum.status | sort -u)
tap_is "$got" "$M1,$MC,255,1,$M1,1" "solo: solicited NAs unicast to the requester, S and O, TLLA = n1"
n=$(vlab_l2_count "$P" "icmpv6.type == 136 && icmpv6.nd.na.flag.s == 1 &&
	$(any icmpv6.nd.na.target_address "${V6S[@]}")")
tap_ge "$n" 2 "solo: solicited NAs for both VIPs seen ($n)"
n=$(vlab_l2_count "$P" "icmpv6.type == 136 && ipv6.dst == ff02::1 &&
	icmpv6.nd.na.flag.s == 0 && icmpv6.nd.na.target_address == $V6A")
tap_ge "$n" 6 "solo: unsolicited NAs for $V6A: $n (burst + refreshes + DAD answer)"

# Rounds: 300 ms apart in the burst (garp.interval_ms), then the refresh
# every 2 s (garp.refresh_s).  Tolerant bounds for a loaded machine.
for v in "${V4S[@]}"; do
	read -r -a g <<<"$(round_gaps "$P" "$M1" "$v")"
	echo "# $v: gaps between rounds (ms): ${g[*]}"
	tap_ge "${#g[@]}" 4 "solo: $v announced in at least 5 rounds (${#g[@]} gaps)"
	in_range "${g[0]:-0}" 200 700 && in_range "${g[1]:-0}" 200 700
	tap_ok $? "solo: $v burst rounds ~300 ms apart (${g[0]:-} ${g[1]:-})"
	in_range "${g[2]:-0}" 1500 4000 && in_range "${g[3]:-0}" 1500 4000
	tap_ok $? "solo: $v refreshed every ~2 s after the burst (${g[2]:-} ${g[3]:-})"
done
# ============================== 2-node cluster: the backup is silent
vlab_conf n1 "$T/n1.conf" prio=200 "$VIPS" "${GARP[@]}"
vlab_conf n2 "$T/n2.conf" prio=100 "$VIPS" "${GARP[@]}"
vlab_start n1
vlab_start n2
lab_wait 8000 vlab_leader_is n1
tap_ok $? "cluster: n1 (priority 200) leads"
lab_wait 5000 vlab_answering n1
tap_ok $? "cluster: n1 answers"
# n2's own start-up probe for the VIPs is over after 1 s at most.
past_probe() { [ "$(vlab_json n2 '.uptime_ms')" -ge 1500 ]; }
lab_wait 5000 past_probe
tap_is "$(vlab_gf n2 state)" backup "cluster: n2 is a backup"
# n1 answered n2's start-up probe: a peer, not a conflict.
tap_is "$(vlab_json n2 '.groups[0].conflicts | length')" 0 \
	"cluster: n2 saw no conflict (the leader that answered its probe is a peer)"
vlab_l2_capture c1 backup
for v in "${V4S[@]}"; do
	tap_is "$(vlab_owners "$v")" "$M1" "cluster: only n1 answers ARP for $v"
done
for v in "${V6S[@]}"; do
	tap_is "$(vlab_owners "$v" 0)" "$M1" "cluster: n1 answers NDP for $v"
done
lab_exec c1 "$L2TOOL" eth1 probe "$V4B" 1000 >/dev/null 2>&1
lab_exec c1 "$L2TOOL" eth1 probe "$V6B" 1000 >/dev/null 2>&1
lab_exec c1 arping -b -c 2 -w 2 -I eth1 "$V4A" >/dev/null
# Several seconds in all, so that a periodic frame would show up too.
sleep 2
vlab_l2_uncapture
P=$T/backup.pcap
span=$(vlab_l2_fields "$P" frame frame.time_relative | tail -1 | cut -d. -f1)
tap_is "$(vlab_l2_count "$P" "eth.src == $M2 && $MENTIONS")" 0 \
	"cluster: no frame from n2's MAC mentions a VIP (capture of $(
		vlab_l2_count "$P" frame) frames over ${span:-0} s)"
tap_ge "${span:-0}" 3 "cluster: the capture lasted several seconds"
tap_ge "$(vlab_l2_count "$P" "eth.src == $M1 && $MENTIONS")" 8 \
	"cluster: the same capture holds n1's answers"
tap_is "$(vlab_json n2 '.groups[0].counters | .arp_answered + .ndp_answered +
	.announcements')" 0 "cluster: n2 answered and announced nothing"
frames_ok "$P" backup

# ================== takeover: the client's entries move unasked
set_stale() {
	local v
	for v in "${V4S[@]}" "${V6S[@]}"; do
		lab_exec c1 ip neigh replace "$v" lladdr "$STALE" dev eth1 nud stale
	done
}
# no_requests PCAP WHAT: c1 sent no ARP request / NS for a VIP.
no_requests() {
	tap_is "$(vlab_l2_count "$1" "eth.src == $MC && ((arp.opcode == 1 &&
		$(any arp.dst.proto_ipv4 "${V4S[@]}")) || (icmpv6.type == 135 &&
		$(any icmpv6.nd.ns.target_address "${V6S[@]}")))")" 0 \
		"$2: c1 sent no ARP request or NS for a VIP meanwhile"
}

set_stale
tap_ok "$(vlab_l2_macs_are "$STALE" "${V4S[@]}" "${V6S[@]}"; echo $?)" \
	"takeover: c1's entries for the 4 VIPs point at $STALE"
vlab_l2_capture c1 takeover
vlab_stop n1 KILL
lab_wait 5000 vlab_answering n2
tap_ok $? "takeover: n2 answers after n1 was killed"
lab_wait 5000 vlab_l2_macs_are "$M2" "${V4S[@]}" "${V6S[@]}"
tap_ok $? "takeover: c1's ARP and NDP entries moved to n2's MAC"
burst_done() { [ "$(vlab_json "$1" '.groups[0].counters.announcements')" -ge 18 ]; }
lab_wait 5000 burst_done n2
vlab_l2_uncapture
P=$T/takeover.pcap
no_requests "$P" takeover
frames_ok "$P" takeover
garp_ok "$P" "$M2" takeover
na_ok "$P" "$M2" takeover
tap_is "$(vlab_l2_count "$P" "arp.isgratuitous && arp.opcode == 1 &&
	arp.src.proto_ipv4 == $V4A")" 3 "takeover: 3 rounds for $V4A"
tap_is "$(vlab_l2_count "$P" "icmpv6.type == 136 &&
	icmpv6.nd.na.target_address == $V6B")" 3 "takeover: 3 NAs for $V6B"

# Starting n1 again changes the leader too (it preempts n2).
set_stale
vlab_l2_capture c1 preempt
vlab_start n1
lab_wait 8000 vlab_answering n1
tap_ok $? "preempt: the restarted n1 (priority 200) takes over"
lab_wait 5000 vlab_l2_macs_are "$M1" "${V4S[@]}" "${V6S[@]}"
tap_ok $? "preempt: c1's entries moved to n1's MAC"
lab_wait 5000 vlab_silent n2
tap_ok $? "preempt: n2 stopped answering"
tap_is "$(vlab_json n1 '.groups[0].conflicts | length')" 0 \
	"preempt: n1 saw no conflict (n2 answered its probe as a peer)"
lab_wait 5000 burst_done n1
vlab_l2_uncapture
P=$T/preempt.pcap
no_requests "$P" preempt
frames_ok "$P" preempt
garp_ok "$P" "$M1" preempt

# ================= release: the old leader's MAC never answers again
# asker NAME: c1 asks for the VIPs every ~100 ms (broadcast requests, so
# that a new owner answers at once) until asker_stop, 100 times at most.
asker() {
	rm -f "$T/asker.stop"
	lab_bg c1 "$T/$1.asker" bash -c "
		for i in \$(seq 100); do
			[ -e '$T/asker.stop' ] && exit 0
			arping -b -c 1 -w 1 -I eth1 $V4A
			ndisc6 -1 -r 1 -w 100 $V6A eth1
			sleep 0.05
		done"
	ASKER=$LAB_LASTPID
}
# asker_heard NAME MAC: the asker NAME got an ARP answer from MAC (each
# arping is its own process: its output is in the log once it exits).
asker_heard() { grep -qi "reply from $V4A \[$2\]" "$T/$1.asker"; }
# asker_stop: let the loop finish its round (its tools exit on their
# own), then reap it.
asker_stop() {
	touch "$T/asker.stop"
	lab_reap "$ASKER" 5000 KILL
}
# silent_after PCAP MAC T WHAT: no answer from MAC after time T.
silent_after() {
	tap_is "$(vlab_l2_count "$1" "frame.time_epoch > $3 && eth.src == $2 &&
		(arp.opcode == 2 || icmpv6.type == 136)")" 0 \
		"$4: the old leader's MAC never answers afterwards"
	tap_ge "$(vlab_l2_count "$1" "frame.time_epoch > $3 &&
		eth.src != $2 && (arp.opcode == 2 || icmpv6.type == 136) &&
		$MENTIONS")" 2 "$4: the new leader answers in the same capture"
}

vlab_l2_capture c1 release
asker release
lab_wait 5000 asker_heard release "$M1"
tap_ok $? "release: c1's requests are answered by n1 before the release"
vlab_ctl n1 release vip >"$T/release.out"
tap_ok $? "release: vipctl release vip on n1"
lab_wait 5000 vlab_silent n1
tap_ok $? "release: n1 stopped answering"
t_rel=$(date +%s.%N)
lab_wait 5000 vlab_answering n2
tap_ok $? "release: n2 took over"
sleep 3
asker_stop
vlab_l2_uncapture
silent_after "$T/release.pcap" "$M1" "$t_rel" release
tap_is "$(vlab_gf n1 state)" backup "release: n1 stays a backup (no preempt after a release)"

# SIGTERM of the leader (n2): it hands over to n1, then goes.
vlab_l2_capture c1 sigterm
asker sigterm
lab_wait 5000 asker_heard sigterm "$M2"
tap_ok $? "sigterm: c1's requests are answered by n2 before the SIGTERM"
kill -TERM "${VLAB_PIDS[n2]}"
lab_wait 5000 vlab_silent n2
tap_ok $? "sigterm: n2 stopped answering"
t_term=$(date +%s.%N)
lab_wait 5000 vlab_answering n1
tap_ok $? "sigterm: n1 took over"
lab_wait 5000 lab_gone "${VLAB_PIDS[n2]}"
tap_ok $? "sigterm: n2 exited"
vlab_stop_ok n2
sleep 3
asker_stop
vlab_l2_uncapture
silent_after "$T/sigterm.pcap" "$M2" "$t_term" sigterm
frames_ok "$T/sigterm.pcap" sigterm
vlab_stop_ok n1

tap_done
