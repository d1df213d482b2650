#!/bin/bash
# Election end to end: flap resistance.  n1 (priority 200), n2 (150), n3
# (100) and the client c1 on one bridge, default timing (heartbeat every
# 100 ms, dead after 3).  nftables in every node's namespace drops 5% of
# the incoming heartbeats at random for 60 s:
#
#   nft add rule inet t in udp dport 7431 numgen random mod 100 < 5 drop
#
# n1 must lead throughout: its transitions counter does not move, and it is
# the only leader at the end, named by every node.  The rule's counters
# check that the loss was really there (2% .. 9% of the heartbeats).
#
# Heartbeats alone would not do it: at 5% independent loss a backup misses
# 3 in a row with a probability of 0.05^3 per heartbeat, about 7% per backup
# and minute.  But a backup whose leader is 1.5 intervals late asks the data
# plane (an ARP probe for the VIP) and the leader's answer keeps it alive,
# so the issue's literal target holds: no transition on any node.
#
# Runs for about 75 s.  EL_FLAP_SECONDS shortens or lengthens it.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

SECS="${EL_FLAP_SECONDS:-60}"
el_begin flap 3 nft
el_start "n1:200 n2:150 n3:100"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 is the only leader"
lab_wait 2000 el_all_follow n1
tap_ok $? "every node names n1"

for n in n1 n2 n3; do
	lab_exec "$n" nft -f - <<'EOF'
table inet t {
	chain in {
		type filter hook input priority 0;
		udp dport 7431 counter;
		udp dport 7431 numgen random mod 100 < 5 counter drop;
	}
}
EOF
	tap_ok $? "$n: 5% of the incoming heartbeats dropped at random"
done

backups() { echo $(($(vlab_gf n2 transitions) + $(vlab_gf n3 transitions))); }
L0=$(vlab_gf n1 transitions)
B0=$(backups)
t=0
while [ "$t" -lt "$SECS" ]; do
	sleep 1
	t=$((t + 1))
	[ "$(vlab_gf n1 transitions)" = "$L0" ] || break
done
tap_is "$(vlab_gf n1 transitions)" "$L0" \
	"${t} s of 5% loss: the leader n1 made no transition"
tap_is "$(vlab_leaders)" n1 "${t} s of 5% loss: n1 is still the only leader"
el_all_follow n1
tap_ok $? "${t} s of 5% loss: every node still names n1"
B=$(($(backups) - B0))
echo "# backup transitions under loss: $B (a false takeover counts 2)"
tap_is "$B" 0 "${t} s of 5% loss: no transition on any backup"
P=$(($(vlab_gf n2 counters.leader_probes) + $(vlab_gf n3 counters.leader_probes)))
echo "# data-plane checks of the quiet leader by the backups: $P"
tap_ok "$([ "$P" -gt 0 ] && echo 0)" \
	"${t} s of 5% loss: the backups asked the data plane about late heartbeats ($P)"

# counters NODE: "seen dropped" heartbeats at NODE's input.
counters() {
	lab_exec "$1" nft -j list table inet t 2>/dev/null |
		jq -r '[.nftables[] | select(.rule) | .rule.expr[] |
			select(.counter) | .counter.packets] | join(" ")'
}
SEEN=0
DROP=0
for n in n1 n2 n3; do
	read -r s d <<<"$(counters "$n")"
	SEEN=$((SEEN + ${s:-0}))
	DROP=$((DROP + ${d:-0}))
done
echo "# heartbeats at the nodes' input: $SEEN, dropped: $DROP"
tap_ok "$([ "$SEEN" -gt $((SECS * 40)) ] && [ $((DROP * 100)) -ge $((SEEN * 2)) ] &&
	[ $((DROP * 100)) -le $((SEEN * 9)) ] && echo 0)" \
	"the loss was real: $DROP of $SEEN heartbeats dropped (2% .. 9%)"

for n in n1 n2 n3; do
	lab_exec "$n" nft delete table inet t
done
for n in n1 n2 n3; do
	vlab_stop_ok "$n" "$n exits 0 on SIGTERM"
done
tap_done
