# shellcheck shell=bash
# Helpers shared by the election integration tests (tests/netns/election_*.sh),
# on top of lab.sh and vlab.sh (which it sources, with VLAB_NET 63).  Source
# it from a test after `set -u`.  Sets VIP (the default group's VIP) and T.
# Every wait is bounded (lab_wait); nothing sleeps without a bound.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=63
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

EL_TOOLS="$top_builddir/bench/tools"
VIP="10.$VLAB_NET.0.100"
T=""

# ---- starting a test -------------------------------------------------------
#   el_begin [--split "NODES"] NAME N [TOOLS...]   vlab_begin (root, tools,
#                             vipd, vipctl, udpecho and prober built) with
#                             nodes n1..nN and the client c1 (lab prefix
#                             vte-NAME-PID), with --split on vlab_split_lan
#                             (NODES on br1); sets T (lab temp dir)
#   el_start "NODE:PRIO..." [KEY=VALUE...]   vlab_conf every NODE with that
#                             priority and the options, then vlab_start each
#                             in that order (TAP "vipd starts on NODE")
#   el_udpecho NODE...        start udpecho (-n NODE) on these nodes

el_begin() {
	local split=()
	if [ "$1" = --split ]; then
		split=(--split "$2")
		shift 2
	fi
	vlab_begin "${split[@]}" "vte-$1-$$" "$2" arping timeout \
		"$EL_TOOLS/udpecho" "$EL_TOOLS/prober" "${@:3}"
}

el_start() {
	local np
	for np in $1; do
		vlab_conf "${np%:*}" "$T/${np%:*}.conf" prio="${np#*:}" "${@:2}"
	done
	for np in $1; do
		vlab_start "${np%:*}"
		tap_ok $? "vipd starts on ${np%:*}"
	done
}

el_udpecho() {
	local n
	for n in "$@"; do
		lab_bg "$n" "$T/udpecho-$n.log" "$EL_TOOLS/udpecho" -n "$n"
	done
}

# ---- who leads: predicates over the nodes' status and metrics --------------
#   el_one_leader [GROUP]     exactly one running node leads
#   el_many_leaders [GROUP]   more than one running node leads
#   el_all_follow LEADER [GROUP]  every running node names LEADER as leader
#   el_gf_gt NODE FIELD N [GROUP]  the group field (vlab_gf) is above N
#   el_metric_ge NODE JQ N    the metric (vlab_metric) is at least N
#   el_arp_is VIP MAC         the first ARP answer to c1 for VIP is MAC
#   el_takeover_at NODE [GROUP]  NODE's uptime (ms) at its last transition

el_one_leader() {
	local l
	l=$(vlab_leaders "${1:-vip}")
	[ -n "$l" ] && [ "${l// /}" = "$l" ]
}

el_many_leaders() {
	local l
	l=$(vlab_leaders "${1:-vip}")
	[ "${l// /}" != "$l" ]
}

el_all_follow() {
	local n
	for n in "${VLAB_NODES[@]}"; do
		vlab_running "$n" || continue
		[ "$(vlab_gf "$n" leader "${2:-vip}")" = "$1" ] || return 1
	done
}

el_gf_gt() {
	local v
	v=$(vlab_gf "$1" "$2" "${4:-vip}")
	[ -n "$v" ] && [ "$v" -gt "$3" ]
}

el_metric_ge() {
	local v
	v=$(vlab_metric "$1" "$2")
	[ -n "$v" ] && [ "$v" != null ] && [ "$v" -ge "$3" ]
}

el_arp_is() { [ "$(vlab_owners "$1" 0)" = "$2" ]; }

# uptime_ms - in_state_ms: when (in the daemon's clock) the state began.
el_takeover_at() {
	vlab_json "$1" "(.uptime_ms - (.groups[] |
		select(.name==\"${2:-vip}\") | .in_state_ms))"
}

# ---- the client's prober ---------------------------------------------------
#   el_prober_start LOG DUR_MS   prober from c1 to $VIP (1 ms), waits for
#                             its first reply; sets EL_PROBER and EL_MARK
#   el_prober_end MS          wait (bounded) for it to end; JSON in the LOG
#   el_mark_has PATTERN       a line of the prober's mark file matches (grep)
#   el_jq FILE FILTER         jq -e on a file (for tap_ok)

el_prober_start() {
	EL_MARK="$1.mark"
	: >"$EL_MARK"
	lab_bg c1 "$1" "$EL_TOOLS/prober" -t "$VIP" -i 1000 -d "$2" --json \
		--mark-file "$EL_MARK"
	EL_PROBER=$LAB_LASTPID
	lab_wait 3000 el_mark_has '^reply'
}

el_prober_end() { lab_reap "$EL_PROBER" "$1" INT; }

el_mark_has() { grep -q "$1" "$EL_MARK" 2>/dev/null; }

el_jq() { jq -e "$2" "$1" >/dev/null 2>&1; }

# ---- faults ----------------------------------------------------------------
#   el_hb_block NODE [to DST]  drop heartbeats (UDP 7431) in NODE's
#                             namespace, both ways, or only those NODE sends
#                             to DST
#   el_hb_unblock NODE        remove that drop

el_hb_block() {
	local rules
	if [ $# -ge 3 ]; then
		rules="chain out { type filter hook output priority 0;
			ip daddr $3 udp dport 7431 drop; }"
	else
		rules="chain in { type filter hook input priority 0;
			udp dport 7431 drop; }
		chain out { type filter hook output priority 0;
			udp dport 7431 drop; }"
	fi
	lab_exec "$1" nft -f - <<NFT
table inet vte_hb {
	$rules
}
NFT
}

el_hb_unblock() { lab_exec "$1" nft delete table inet vte_hb; }
