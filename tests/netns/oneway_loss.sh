#!/bin/bash
# One-way loss gives one answerer (issue 14, item 7).  n1 (200) leads, n2
# (100) follows; then nftables in n2's namespace drops every frame from
# n1's MAC (n2 hears nothing of n1, n1 still hears n2).  n2 takes over (n1
# is dead to it); n1 sees n2 lead, and n2's heartbeats say that n2 does
# not hear n1: n1 yields (deaf-peer) and does not preempt back while the
# loss lasts.  Over 4 s: no transition on either node, and at most 5 % of
# the status samples with both answering.  When the loss ends n1 leads again.  Before
# the fix both led for as long as the loss lasted.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "hw$$" 2 nft

M1=$(vlab_mac n1)
vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=100
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads, n2 follows"

lab_exec n2 nft -f - <<NFT || lab_bail "nftables in n2 failed"
table netdev oneway {
	chain in {
		type filter hook ingress device eth1 priority 0;
		ether saddr $M1 drop
	}
}
NFT
lab_wait 3000 vlab_gf_is n2 state leader
tap_ok $? "n2 no longer hears n1: it takes over"
lab_wait 2000 vlab_leader_is n2
tap_ok $? "n1 yields to n2, which cannot hear it"
tap_is "$(vlab_gf n1 last_reason)" deaf-peer "... reason deaf-peer"
X1=$(vlab_gf n1 transitions)
X2=$(vlab_gf n2 transitions)
both=0 n=0
end=$(($(lab_now_ms) + 4000))
while [ "$(lab_now_ms)" -lt "$end" ]; do
	a1=$(vlab_gf n1 answering)
	a2=$(vlab_gf n2 answering)
	[ "$a1 $a2" = "true true" ] && both=$((both + 1))
	n=$((n + 1))
	sleep 0.05
done
echo "# both answering in $both of $n samples over 4 s"
tap_ok "$([ "$n" -ge 3 ] && [ $((both * 20)) -le "$n" ]; echo $?)" \
	"both answering in $both of $n samples (<= 5 %)"
tap_is "$(vlab_gf n1 transitions) $(vlab_gf n2 transitions)" "$X1 $X2" \
	"no transition on either node in those 4 s (one answerer throughout)"

lab_exec n2 nft delete table netdev oneway
lab_wait 3000 vlab_leader_is n1
tap_ok $? "loss over: n1 leads again"
vlab_stop_ok n2
vlab_stop_ok n1
tap_done
