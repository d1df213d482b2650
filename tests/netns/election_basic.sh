#!/bin/bash
# Election end to end with the real daemon (issue "Election", Tests): three
# nodes n1 (priority 200), n2 (150), n3 (100) and a client c1 on one bridge,
# udpecho on every node, prober on the client.
#
#  - steady state: one node leads, the others name it, one MAC answers ARP;
#  - SIGKILL of the leader on a live host: n2 takes over through the ICMP
#    fast path (last_reason leader-unreachable), the client's probes move;
#  - n1 comes back with preempt_delay_ms = 1500: it preempts, not before
#    1.5 s after it started;
#  - SIGTERM of the leader: handover by resign (leader-resigned), exit 0,
#    (nearly) no probe lost;
#  - n1 comes back with preempt = false: it stays a backup;
#  - power-off of the leader (switch port unplugged, daemon killed): the
#    best backup takes over after the dead interval (leader-dead).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

el_begin basic 3
el_udpecho n1 n2 n3
el_start "n1:200 n2:150 n3:100"
MAC1=$(vlab_mac n1)
MAC2=$(vlab_mac n2)

# ---------------------------------------------------------- steady state
lab_wait 5000 vlab_leader_is n1
tap_ok $? "steady state: n1 (highest priority) is the only leader"
lab_wait 2000 el_all_follow n1
tap_ok $? "steady state: every node's status names n1 as leader"
tap_is "$(vlab_gf n1 answering) $(vlab_gf n2 answering) $(vlab_gf n3 answering)" \
	"true false false" "steady state: only n1 answers"
tap_is "$(vlab_owners "$VIP" 4)" "$MAC1" \
	"steady state: 4 ARP requests from the client, one MAC answers (n1)"
tap_is "$(vlab_gf n2 state) $(vlab_gf n3 state)" "backup backup" \
	"steady state: n2 and n3 are backups"

# ------------------------------------------- SIGKILL on a live host (ICMP)
el_prober_start "$T/kill.json" 4000
tap_ok $? "prober: first reply before the kill"
grep -q '^reply .* n1$' "$EL_MARK"
tap_ok $? "prober: the VIP is served by n1"
vlab_stop n1 KILL
lab_wait 5000 vlab_leader_is n2
tap_ok $? "SIGKILL n1: n2 (next priority) becomes the only leader"
tap_is "$(vlab_gf n2 last_reason)" leader-unreachable \
	"SIGKILL n1: n2's reason is leader-unreachable (ICMP fast path)"
tap_ok "$([ "$(vlab_metric n2 .peer_unreachable)" -gt 0 ] && echo 0)" \
	"SIGKILL n1: n2 counted port-unreachable answers"
lab_wait 2000 el_all_follow n2
tap_ok $? "SIGKILL n1: n3 names n2 as leader"
el_prober_end 8000
J="$T/kill.json"
el_jq "$J" '.last_node == "n2" and .received > 0'
tap_ok $? "SIGKILL n1: the client's probes are answered by n2 afterwards"
el_jq "$J" '[.changes[] | select(.from == "n1" and .to == "n2")] | length >= 1'
tap_ok $? "SIGKILL n1: prober saw the change n1 -> n2"
el_jq "$J" '.max_gap_ms < 1500'
tap_ok $? "SIGKILL n1: outage below 1.5 s (loose bound)"
echo "# SIGKILL outage: $(jq -c '{lost, max_gap_ms, changes}' "$J")"
tap_is "$(vlab_owners "$VIP" 3)" "$MAC2" "SIGKILL n1: only n2's MAC answers ARP"

# --------------------------------------- preemption after preempt_delay_ms
vlab_conf n1 "$T/n1.conf" prio=200 delay=1500
vlab_start n1
tap_ok $? "n1 restarts with preempt_delay_ms = 1500"
lab_wait 10000 vlab_leader_is n1
tap_ok $? "preempt: n1 leads again"
# Make-before-break: n1 asks, n2 hands over, n1 takes over from it.
tap_is "$(vlab_gf n1 last_reason)" leader-resigned \
	"preempt: n1 took over from n2's handover (leader-resigned)"
AT=$(el_takeover_at n1)
tap_ok "$([ "$AT" -ge 1500 ] && [ "$AT" -le 6000 ] && echo 0)" \
	"preempt: n1 took over ${AT} ms after it started (1500 .. 6000)"
tap_is "$(vlab_gf n2 state) $(vlab_gf n2 last_reason)" "backup resign-done" \
	"preempt: n2 is a backup again, having handed over"
lab_wait 2000 el_all_follow n1
tap_ok $? "preempt: every node names n1"
lab_wait 3000 el_arp_is "$VIP" "$MAC1"
tap_is "$(vlab_owners "$VIP" 3)" "$MAC1" "preempt: only n1's MAC answers ARP"

# ------------------------------------------------ SIGTERM: resign handover
el_prober_start "$T/term.json" 3000
tap_ok $? "prober: first reply before the SIGTERM"
grep -q '^reply .* n1$' "$EL_MARK"
tap_ok $? "prober: the VIP is served by n1"
vlab_stop_ok n1 "SIGTERM n1: vipd exits 0"
lab_wait 3000 vlab_leader_is n2
tap_ok $? "SIGTERM n1: n2 becomes the only leader"
tap_is "$(vlab_gf n2 last_reason)" leader-resigned \
	"SIGTERM n1: n2's reason is leader-resigned"
el_prober_end 8000
J="$T/term.json"
el_jq "$J" '.last_node == "n2"'
tap_ok $? "SIGTERM n1: the client's probes are answered by n2"
el_jq "$J" '.max_gap_ms < 250'
tap_ok $? "SIGTERM n1: (nearly) no loss: longest gap below 250 ms"
echo "# SIGTERM handover: $(jq -c '{lost, max_gap_ms, dup_nodes, changes}' "$J")"

# ----------------------------------------------------- preempt = false
vlab_conf n1 "$T/n1.conf" prio=200 preempt=false
vlab_start n1
tap_ok $? "n1 restarts with preempt = false"
lab_wait 3000 vlab_gf_is n1 leader n2
tap_ok $? "preempt = false: n1 hears n2 as leader"
lab_never 1500 vlab_gf_is n1 state leader
tap_ok $? \
	"preempt = false: n1 does not take over (1.5 s)"
tap_is "$(vlab_leaders) $(vlab_gf n1 state) $(vlab_gf n1 transitions)" \
	"n2 backup 0" "preempt = false: n2 still leads, n1 never moved"

# ------------------------------------------- power-off: unplug + kill (no ICMP)
U0=$(vlab_json n1 .uptime_ms) # n1's clock just before the unplug
lab_unplug n2 eth1
vlab_stop n2 KILL
lab_wait 5000 vlab_leader_is n1
tap_ok $? "power-off n2: n1 (best remaining) becomes the only leader"
tap_is "$(vlab_gf n1 last_reason)" leader-dead \
	"power-off n2: n1's reason is leader-dead"
TXT=$(vlab_gf n1 last_reason_text)
MISSED=$(echo "$TXT" | sed -n 's/^n2 missed \([0-9]*\) heartbeats$/\1/p')
tap_ok "$([ "${MISSED:-0}" -ge 3 ] && echo 0)" \
	"power-off n2: after the dead interval ($TXT)"
AT=$(el_takeover_at n1)
# The last heartbeat left n2 at most an interval before the unplug: the
# takeover comes at least a dead interval (300 ms) after it.
tap_ok "$([ $((AT - U0)) -ge 150 ] && [ $((AT - U0)) -le 3000 ] && echo 0)" \
	"power-off n2: takeover $((AT - U0)) ms after the unplug (150 .. 3000)"
lab_wait 2000 el_all_follow n1
tap_ok $? "power-off n2: n3 names n1"
tap_is "$(vlab_owners "$VIP" 3)" "$MAC1" "power-off n2: only n1's MAC answers ARP"

vlab_stop_ok n1 "n1 exits 0 on SIGTERM"
vlab_stop_ok n3 "n3 exits 0 on SIGTERM"
tap_done
