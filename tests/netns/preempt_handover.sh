#!/bin/bash
# Preemption is make-before-break (issue 14, item 9).  n2 (100) leads
# alone; n1 (200, preempt on) starts and, rather than claiming first, asks
# n2 to hand over (EL_F_ASK in its heartbeat): n2 resigns as `vipctl
# release` would, n1 takes over from the resign (leader-resigned) and n2
# releases once it hears n1 lead (resign-done).  The client's capture
# shows never two answerers: no frame from n2 for the VIP after n1's
# first.  Before the fix n1 claimed first (preempt) and n2 yielded after
# (preempted): both answered meanwhile.
# With TCP: c1 opens a new connection to the VIP every 10 ms during the
# handover (each bounded by 1 s to connect, 1 s to read the name tcpsvc
# answers with): none fails, n2 answers before and n1 after.  The same for
# a planned handover back to n2 (`vipctl release` on n1) and for a stop
# (SIGTERM on n2).  The new leader's heartbeat leaves before its
# gratuitous ARP: before the old leader kept its VIPs bound (on lo, no ARP
# answer) one interval after it heard that heartbeat, a SYN the client
# sent to the old MAC in between was dropped (timeout-connect), and a
# connection the old leader had accepted but not answered yet lost its
# answer (timeout-read): 1 to 3 connections lost in 4 handovers of 20.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
TCPSVC="$top_builddir/bench/tools/tcpsvc"
vlab_begin "hm$$" 2 tcpdump tshark "$TCPSVC"

VIP=10.61.0.100
M1=$(vlab_mac n1)
M2=$(vlab_mac n2)
vlab_conf n1 "$T/n1.conf" prio=200 garp_count=2 garp_interval=300
vlab_conf n2 "$T/n2.conf" prio=100 garp_count=2 garp_interval=300
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n2
tap_ok $? "n2 leads alone"
# tcpsvc on every node: each connection to the VIP gets the answering
# node's name at once.
SVC=()
for n in n1 n2; do
	lab_bg "$n" "$T/tcpsvc-$n.log" "$TCPSVC" -n "$n"
	SVC+=("$LAB_LASTPID")
	lab_wait 5000 vlab_tcp_listening "$n" 7777 ||
		lab_bail "tcpsvc does not listen on $n"
done
lab_wait 5000 vlab_answering n2 || lab_bail "n2 does not answer for the VIP"

# churn_ok LOG FROM TO WHAT: the churn client's summary: no new connection
# failed, FROM answered before and TO after.
churn_ok() {
	local log="$1" from="$2" to="$3" what="$4"
	echo "# $what: $(tail -n 1 "$log")"
	tap_is "$(vlab_tcp_summary "$log" '"\(.failed) \(.errors | tojson)"')" "0 {}" \
		"$what: 0 of $(vlab_tcp_summary "$log" .attempts) new TCP connections failed (longest connect $(vlab_tcp_summary "$log" .max_connect_ms) ms)"
	tap_is "$(vlab_tcp_summary "$log" \
		'"\(.nodes | keys | join(" ")) \(.changes[0][1:])"')" \
		"n1 n2 [\"$from\",\"$to\"]" "$what: $from answered, then $to"
}

# churn_begin UNTIL LOG: c1 opens new connections to the VIP (bounded)
# until UNTIL answers; its PID in CHURN once the first one worked.
churn_begin() {
	vlab_tcp_churn c1 "$VIP" 7777 "$1" 1000 "$2"
	CHURN=$LAB_LASTPID
	lab_wait 5000 grep -qx ready "$2" ||
		lab_bail "c1 cannot connect to the VIP"
}

# New connections all along the handover.
churn_begin n1 "$T/churn-preempt.log"

vlab_l2_capture c1 handover "arp"
# The client keeps asking for the VIP (20/s) during the handover.
# shellcheck disable=SC2016 # $0 expands in the inner shell
lab_bg c1 "$T/arping.log" timeout 10 bash -c 'for i in $(seq 80); do
	arping -b -c 1 -w 1 -I eth1 "$0"; sleep 0.05; done' "$VIP"
vlab_start n1 || lab_bail "n1 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 (higher, preempt) leads"
tap_is "$(vlab_gf n1 last_reason)" leader-resigned \
	"n1 took over from n2's handover (not a preempt claim)"
tap_is "$(vlab_gf n2 last_reason) $(vlab_gf n2 last_peer)" "resign-done n1" \
	"n2 released once n1 led (resign-done)"
sleep 1
vlab_l2_uncapture
P=$T/handover.pcap
first=$(vlab_l2_fields "$P" "eth.src == $M1 && arp.src.proto_ipv4 == $VIP" \
	frame.time_epoch | head -1)
after=$(vlab_l2_count "$P" "eth.src == $M2 && arp.src.proto_ipv4 == $VIP &&
	frame.time_epoch >= $first")
before=$(vlab_l2_count "$P" "eth.src == $M2 && arp.src.proto_ipv4 == $VIP")
echo "# n2 frames for the VIP: $before in all, $after from n1's first on"
tap_ok "$([ -n "$first" ] && [ "$before" -gt 0 ] && [ "$after" = 0 ]; echo $?)" \
	"never two answerers: no frame from n2 after n1's first ($after)"
lab_reap "$CHURN" 10000
churn_ok "$T/churn-preempt.log" n2 n1 "preemption"

# A planned handover back: vipctl release on n1 (n1 does not take the
# group back after that).
churn_begin n2 "$T/churn-release.log"
vlab_ctl n1 release vip >/dev/null
lab_wait 5000 vlab_leader_is n2
tap_ok $? "vipctl release on n1: n2 leads"
lab_reap "$CHURN" 10000
churn_ok "$T/churn-release.log" n1 n2 "release"

# A stop: SIGTERM on n2 hands the group over the same way (n1 was released
# to n2, but takes over from its resign).
churn_begin n1 "$T/churn-stop.log"
vlab_stop_ok n2
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n2 stopped (SIGTERM): n1 leads"
lab_reap "$CHURN" 10000
churn_ok "$T/churn-stop.log" n2 n1 "SIGTERM"
for p in "${SVC[@]}"; do lab_stop "$p"; done

vlab_stop_ok n1
tap_done
