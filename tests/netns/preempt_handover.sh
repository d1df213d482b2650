#!/bin/bash
# Preemption is make-before-break (issue 14, item 9).  n2 (100) leads
# alone; n1 (200, preempt on) starts and, rather than claiming first, asks
# n2 to hand over (EL_F_ASK in its heartbeat): n2 resigns as `vipctl
# release` would, n1 takes over from the resign (leader-resigned) and n2
# releases once it hears n1 lead (resign-done).  The client's capture
# shows never two answerers: no frame from n2 for the VIP after n1's
# first.  Before the fix n1 claimed first (preempt) and n2 yielded after
# (preempted): both answered meanwhile.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "hm$$" 2 tcpdump tshark

VIP=10.61.0.100
M1=$(vlab_mac n1)
M2=$(vlab_mac n2)
vlab_conf n1 "$T/n1.conf" prio=200 garp_count=2 garp_interval=300
vlab_conf n2 "$T/n2.conf" prio=100 garp_count=2 garp_interval=300
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n2
tap_ok $? "n2 leads alone"

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

vlab_stop_ok n1
vlab_stop_ok n2
tap_done
