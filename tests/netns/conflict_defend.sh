#!/bin/bash
# A stranger's claim on a VIP we lead is answered (issue 14, item 6;
# RFC 5227 2.4): n1 (200) leads 10.61.0.100 with n2 (100) as backup; the
# attacker a1, no vipd, sends gratuitous ARPs for the VIP with its own MAC.
# n1 announces the VIP back at once, at most once a second per VIP (a
# claim within the second is answered when it ends), so the client c1's
# neighbour entry points back at n1 within 1 s of each claim (the limit
# is one defence per 900 ms).  A peer's
# claim (n2's MAC) is the election's business, not defended.  A VIP that
# a1 held when vipd started (10.61.0.110, yielded) is probed again with a
# backoff from 2 s capped at 4 s: taken within 5 s after a1 lets it go.
# Before the fix: no defence at all (the client stayed on a1's MAC until
# its entry aged out), and the yielded VIP was probed every 60 s.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
L2GEN=$top_builddir/tests/tools/l2gen
vlab_begin "hg$$" 2 arping tcpdump tshark "$L2GEN"
lab_node a1 br0 eth1 10.61.0.66/24 || lab_bail "cannot add the attacker a1"

VIP=10.61.0.100
VY=10.61.0.110 # held by a1 when vipd starts: yielded
M1=$(vlab_mac n1)
MA=$(vlab_mac a1)
lab_exec a1 ip addr add "$VY/24" dev eth1
for n in n1 n2; do
	vlab_conf $n "$T/$n.conf" prio=$((300 - ${n#n} * 100)) "vips=$VIP,$VY" \
		garp_count=2 garp_interval=300
	vlab_start $n || lab_bail "$n did not start"
done
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads, n2 follows"
yielded() {
	[ "$(vlab_json n1 ".groups[0].conflicts[] | select(.vip == \"$VY\") |
		\"\(.mac) \(.yielded)\"")" = "$MA true" ]
}
yielded
tap_ok $? "n1 yielded $VY to its owner a1"
lab_exec c1 ping -c 1 -W 1 "$VIP" >/dev/null
tap_is "$(vlab_l2_neigh c1 $VIP)" "$M1" "c1's neighbour entry for $VIP is n1's"

ctr() { vlab_json n1 ".groups[0].counters.$1"; }
d0=$(ctr defences)
vlab_l2_capture c1 claims "arp"
# Three single claims, 1.1 s apart: each answered at once.
for i in 1 2 3; do
	lab_exec a1 "$L2GEN" eth1 garp --vip "$VIP" --op $((i % 2 + 1)) >/dev/null
	lab_wait 1000 vlab_l2_macs_are "$M1" "$VIP"
	tap_ok $? "claim $i: c1's entry points back at n1 within 1 s"
	sleep 1.1
done
tap_is "$(($(ctr defences) - d0))" 3 "n1 defended $VIP three times"
# A burst of claims (10/s for 3 s): at most one defence per 900 ms, and
# every claim is followed by a defence within 1 s.
d1=$(ctr defences)
tb=$(lab_now_ms)
# shellcheck disable=SC2016 # $0 and $1 expand in the inner shell
lab_exec a1 bash -c 'for i in $(seq 30); do
	"$0" eth1 garp --vip "$1" --op 1 >/dev/null; sleep 0.1; done' \
	"$L2GEN" "$VIP"
dur=$(($(lab_now_ms) - tb))
lab_wait 1200 vlab_l2_macs_are "$M1" "$VIP"
tap_ok $? "after the burst c1's entry points back at n1"
nd=$(($(ctr defences) - d1))
# One at the first claim, then at most one per 900 ms of the burst.
tap_ok "$([ "$nd" -ge 2 ] && [ "$nd" -le $((dur / 900 + 2)) ]; echo $?)" \
	"30 claims in $dur ms got $nd defences (at most 1 per 900 ms per VIP)"
vlab_l2_uncapture
P=$T/claims.pcap
# Each claim's delay to n1's next announcement of the VIP, in ms.
vlab_l2_fields "$P" "arp.src.proto_ipv4 == $VIP" frame.time_epoch eth.src |
	awk -F, -v a="$MA" -v m="$M1" '
	$2 == a { ct[nc++] = $1 }
	$2 == m { dt[nd++] = $1 }
	END {
		max = 0; j = 0
		for (i = 0; i < nc; i++) {
			while (j < nd && dt[j] < ct[i]) j++
			d = j < nd ? (dt[j] - ct[i]) * 1000 : 99999
			if (d > max) max = d
		}
		printf "%d %d\n", nc, max
	}' >"$T/delays"
read -r nclaims maxdelay <"$T/delays"
echo "# $nclaims claims captured; longest claim-to-defence delay ${maxdelay} ms"
tap_ok "$([ "$nclaims" -ge 30 ] && [ "$maxdelay" -le 1000 ]; echo $?)" \
	"every claim was answered within 1 s ($nclaims claims, longest ${maxdelay} ms)"

# The burst overlapped re-probes of the yielded VIP: a claim then is still
# a claim on a VIP we hold, never a reason to yield it.
yielded_vip() {
	[ "$(vlab_json n1 ".groups[0].conflicts[] | select(.vip == \"$VIP\") |
		.yielded")" = true ]
}
lab_never 500 yielded_vip
tap_is "$(vlab_json n1 ".groups[0].conflicts[] | select(.vip == \"$VIP\") |
	.yielded")" false "n1 did not yield $VIP to the claimer"

# A peer's claim (n2's MAC) is the election's matter: no defence.
d2=$(ctr defences)
p0=$(ctr peer_claims)
lab_exec n2 "$L2GEN" eth1 garp --vip "$VIP" --op 1 >/dev/null
peer_counted() { [ "$(ctr peer_claims)" -gt "$p0" ]; }
lab_wait 1000 peer_counted
tap_ok $? "n2's claim is counted as a peer claim"
tap_is "$(($(ctr defences) - d2))" 0 "and not defended as a foreign one"
lab_wait 3000 vlab_leader_is n1
tap_ok $? "n1 still leads"

# The yielded VIP: a1 lets it go; n1 takes it within 5 s.
t0=$(lab_now_ms)
lab_exec a1 ip addr del "$VY/24" dev eth1
owner_n1() { [ "$(vlab_owners "$VY" 0)" = "$M1" ]; }
lab_wait 6000 owner_n1
took=$(($(lab_now_ms) - t0))
echo "# $VY answered by n1 $took ms after a1 let it go"
tap_ok "$([ "$took" -le 5000 ]; echo $?)" \
	"the yielded $VY is taken within 5 s of its owner leaving ($took ms)"

vlab_stop_ok n2
vlab_stop_ok n1
tap_done
