#!/bin/bash
# bench/failover.sh: the outage a client sees when the VIP's leader fails,
# for vipd and keepalived side by side (bench/README.md explains the table).
#
#   bench/failover.sh [--builddir DIR] [--reps N] [--quick]
#                     [--no-keepalived] [--scenarios LIST] [--debug]
#                     [--logs DIR]
#
# Lab (namespaces vbf<PID>-*, removed on exit): three nodes n1..n3 (priorities
# 250/240/230) with eth1 on the LAN and eth0 on a management bridge, a
# client c1 and an ARP observer o1 on the LAN, udpecho on every node.  The
# client's prober sends to the VIP every 1 ms; the outage is its max_gap_ms.
#
# Scenarios, each on the leader n1, each repetition from the same state (n1
# leads and answers the client):
#   poweroff  its switch ports unplugged, then its daemon SIGKILLed: pure
#             failure detection
#   sigkill   daemon SIGKILL on a live host
#   sigterm   graceful stop
#   release   `vipctl release vip` (vipd only)
#   linkdown  `ip link set eth1 down` on n1; vipd's heartbeats go over the
#             management network (cluster.bind), keepalived's VRRP over eth1
#
# Options:
#   --builddir DIR    where vipd, vipctl and bench/tools are (default: the
#                     source tree, i.e. an in-tree build)
#   --reps N          repetitions per scenario and interval (default 5)
#   --quick           1 repetition, defaults only (vipd 100 ms,
#                     keepalived advert_int 1)
#   --no-keepalived   vipd only
#   --scenarios LIST  comma list of the scenarios above (default: all)
#   --intervals LIST  vipd interval_ms values (default 100,20)
#   --adverts LIST    keepalived advert_int values (default 1,0.1,0.02)
#   --debug           run vipd with -d
#   --logs DIR        copy the daemons' logs and every prober/ARP result there
#   --capture         with --logs: also a capture of ARP and the probes on
#                     the client's NIC per repetition (tcpdump)
# Needs root, keepalived, jq, python3.  Takes ~9-11 minutes at 5 repetitions.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib_bench.sh
. "$SRC/bench/lib_bench.sh"
BUILD="$SRC"
REPS=5
QUICK=0
KA=1
SCENARIOS="poweroff,sigkill,sigterm,release,linkdown"
INTERVALS="100,20"
ADVERTS="1,0.1,0.02"
BF_DEBUG=0
LOGS=""
CAPTURE=0
SEQ=0

bf_parse builddir=BUILD reps=REPS quick=QUICK=1 no-keepalived=KA=0 \
	scenarios=SCENARIOS intervals=INTERVALS adverts=ADVERTS \
	debug=BF_DEBUG=1 capture=CAPTURE=1 logs=LOGS -- "$@"
case "$REPS" in '' | *[!0-9]* | 0) echo "failover.sh: --reps N, N >= 1" >&2; exit 2 ;; esac
if [ "$QUICK" = 1 ]; then
	REPS=1
	INTERVALS=100
	ADVERTS=1
fi
bf_begin jq python3 bench/tools/prober bench/tools/udpecho
[ "$KA" = 1 ] && bf_need_keepalived --no-keepalived

export BF_DEBUG
# shellcheck source=tests/netns/lab.sh
. "$SRC/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$SRC/tests/netns/vlab.sh"

log() { echo "failover: $*" >&2; }

# --------------------------------------------------------------- daemons
# DAEMON is "vipd" or "ka"; the functions below hide the difference.
DAEMON=""
IVL=""    # vipd interval_ms or keepalived advert_int (seconds)
HBNET=lan # vipd's heartbeat network

d_conf() {
	local n
	for n in "${BF_NODES[@]}"; do
		if [ "$DAEMON" = vipd ]; then
			bf_vipd_conf "$n" "$IVL" "$HBNET"
		else
			bf_ka_conf "$n" "$IVL"
		fi
	done
}

d_running() {
	if [ "$DAEMON" = vipd ]; then vlab_running "$1"; else bf_ka_running "$1"; fi
}

d_start() {
	d_running "$1" && return 0
	if [ "$DAEMON" = vipd ]; then bf_vipd_start "$1"; else bf_ka_start "$1"; fi
}

# d_stop NODE SIG; for vipd, a SIGTERM must end in exit status 0.
d_stop() {
	d_running "$1" || return 0
	if [ "$DAEMON" = vipd ]; then
		bf_vipd_stop "$1" "$2"
		if [ "$2" = TERM ] && [ "$LAB_STOP_RC" != 0 ]; then
			log "WARNING: vipd on $1 exited $LAB_STOP_RC after SIGTERM"
			BAD_EXITS=$((BAD_EXITS + 1))
		fi
	else
		bf_ka_stop "$1" "$2"
	fi
}

# NODE leads and answers for the VIP (vipd: state leader and "answering";
# its conflict probe or a takeover in progress do not count yet).
d_holds() {
	if [ "$DAEMON" = vipd ]; then
		[ "$(vlab_json "$1" '.groups[] | select(.name=="vip") |
			"\(.state) \(.answering)"')" = "leader true" ]
	else
		bf_ka_holds "$1"
	fi
}

# The state each repetition starts from: n1 alone leads; for vipd also
# n2 and n3 follow n1, hear its heartbeats and have been backups for at
# least five intervals (no flapping).
d_n1_alone() {
	d_holds n1 && ! d_holds n2 && ! d_holds n3 || return 1
	[ "$DAEMON" = vipd ] || return 0
	local n
	for n in n2 n3; do
		[ "$(vlab_json "$n" "(.groups[] | select(.name==\"vip\") |
			(.state == \"backup\" and .leader == \"n1\" and
			 .in_state_ms >= $((5 * IVL)))) and
			([.peers[] | select(.id == \"n1\") | .alive] == [true])")" = true ] ||
			return 1
	done
}

d_stop_all() {
	local n
	for n in "${BF_NODES[@]}"; do d_stop "$n" TERM; done
}

# Plugged, links up, every daemon running, n1 leading alone.
d_ready() {
	local n
	for n in "${BF_NODES[@]}"; do
		lab_plug "$n" eth1
		lab_plug "$n" eth0
		lab_exec "$n" ip link set eth1 up
		d_start "$n" || log "WARNING: $DAEMON did not start on $n"
	done
	lab_wait 20000 d_n1_alone || return 1
	# The client must reach n1 without loss before a sample starts: the
	# previous leader may have yielded before the client heard n1's
	# announcement (it then waits for the next round).
	local i
	for i in $(seq 1 40); do
		client_on_n1 && return 0
		[ "$i" = 1 ] && WARMUP[$CURKEY]=$((${WARMUP[$CURKEY]:-0} + 1))
	done
	return 1
}

# A 200 ms probe from the client: every probe answered, all by n1.
client_on_n1() {
	local r
	r=$(lab_exec c1 "$BF_TOOLS/prober" -t "$(bf_vip)" -i 1000 -c 200 \
		-w 100 --json 2>/dev/null |
		jq -r '"\(.lost) \(.nodes | keys | join(","))"')
	[ "$r" = "0 n1" ]
}

# ------------------------------------------------------------ one sample
# Milliseconds to wait after the client saw the new node, so that a later
# flap or a second takeover is still in the window.
settle_ms() {
	if [ "$DAEMON" = vipd ]; then
		echo $((1000 + 3 * IVL))
	else
		awk -v a="$IVL" 'BEGIN { printf "%d\n", 1000 + 3000 * a }'
	fi
}

trigger() {
	case "$1" in
	poweroff)
		lab_unplug n1 eth1
		lab_unplug n1 eth0
		d_stop n1 KILL
		;;
	sigkill) d_stop n1 KILL ;;
	sigterm) d_stop n1 TERM ;;
	release) vlab_ctl n1 release vip >/dev/null ;;
	linkdown) lab_exec n1 ip link set eth1 down ;;
	esac
}

restore() {
	case "$1" in
	poweroff)
		lab_plug n1 eth1
		lab_plug n1 eth0
		# A host that was off comes back with empty neighbour caches;
		# the lab's n1 kept entries its daemon left INCOMPLETE in the
		# instant between unplug and kill (bench/README.md).
		lab_exec n1 ip neigh flush all
		;;
	release) d_stop n1 TERM ;; # a released node does not preempt back
	linkdown) lab_exec n1 ip link set eth1 up ;;
	esac
	d_start n1
}

mark_has() { grep -q "$1" "$MARK" 2>/dev/null; }

first_reply_fast() {
	awk '$1 == "reply" { exit !($2 < 20) }' "$MARK"
}

# sample SCEN KEY: one repetition; appends to the result arrays.
sample() {
	local scen="$1" key="$2" pid awpid cappid res arp gap dual dual_end
	local out="$BF_T/probe.json" arpf="$BF_T/arp.json"
	CURKEY="$key"
	for _ in 1 2 3; do
		if ! d_ready; then
			log "$key: n1 does not lead alone (leaders: $(who_leads)); retrying"
			continue
		fi
		MARK="$BF_T/mark"
		rm -f "$MARK" "$out" "$arpf"
		rm -f "$BF_T/arp.ready"
		lab_bg o1 "$arpf" python3 -c "$BF_ARPWATCH" eth1 \
			"10.$BF_NET.0.201" "$(bf_vip)" 5 120 "$BF_T/arp.ready"
		awpid=$LAB_LASTPID
		if [ "$CAPTURE" = 1 ]; then
			lab_bg c1 "$BF_T/cap.log" tcpdump -i eth1 -nn -U -s 96 \
				-w "$BF_T/cap.pcap" arp or udp port 7777
			cappid=$LAB_LASTPID
			lab_wait 3000 grep -q listening "$BF_T/cap.log"
		fi
		lab_bg c1 "$out" "$BF_TOOLS/prober" -t "$(bf_vip)" -i 1000 \
			-d 120000 -w 300 --json --mark-file "$MARK"
		pid=$LAB_LASTPID
		# The first reply within 20 ms: nothing lost before the fault.
		if ! lab_wait 5000 mark_has '^reply [0-9.]* n1$' ||
			! first_reply_fast ||
			! lab_wait 5000 test -e "$BF_T/arp.ready"; then
			log "$key: the client does not reach n1 ($(head -1 "$MARK" 2>/dev/null)); retrying"
			lab_stop "$pid" INT
			lab_stop "$awpid" INT
			[ "$CAPTURE" = 1 ] && lab_stop "$cappid" INT
			continue
		fi
		sleep 0.3
		kill -USR1 "$awpid"
		trigger "$scen"
		lab_wait 30000 mark_has '^change' ||
			log "$key: the client saw no other node within 30 s"
		sleep "$(awk -v m="$(settle_ms)" 'BEGIN { print m / 1000 }')"
		lab_stop "$pid" INT
		lab_stop "$awpid" INT
		if [ "$CAPTURE" = 1 ]; then
			lab_stop "$cappid" INT
			[ -n "$LOGS" ] && cp "$BF_T/cap.pcap" "$LOGS/$((SEQ + 1))-$key.pcap"
		fi
		res=$(jq -r '[.max_gap_ms, .lost, .dup_nodes, .duplicates,
			.changes_total, (.first_node // "-"), (.last_node // "-")]
			| @tsv' "$out" 2>/dev/null)
		arp=$(jq -r '[.max_dual_ms, .dual, .dual_at_end,
			(.takeover_ms // "-")] | @tsv' \
			"$arpf" 2>/dev/null)
		if [ -z "$res" ]; then
			log "$key: no prober result"
			restore "$scen"
			continue
		fi
		if [ -n "$LOGS" ]; then
			SEQ=$((SEQ + 1))
			cp "$out" "$LOGS/$SEQ-$key.probe.json"
			cp "$arpf" "$LOGS/$SEQ-$key.arp.json"
			cp "$MARK" "$LOGS/$SEQ-$key.mark"
		fi
		read -r gap lost dupn dups changes first last <<<"$res"
		read -r dual ndual dual_end take <<<"${arp:-0 0 false -}"
		GAPS[$key]="${GAPS[$key]:-} $gap"
		DUPN[$key]=$((${DUPN[$key]:-0} + dupn))
		[ "$dual_end" = true ] && DUALEND[$key]=1
		DUAL[$key]="${DUAL[$key]:-} $dual"
		[ "$take" != - ] && TAKE[$key]="${TAKE[$key]:-} $take"
		[ "$dual_end" = true ] && dual_end=", still at the end" || dual_end=""
		log "$key: gap $gap ms, lost $lost, $first -> $last ($changes changes), new MAC answers ARP after $take ms, prober dups $dups ($dupn two-node), two MACs answering ARP $dual ms ($ndual samples$dual_end)"
		restore "$scen"
		return 0
	done
	log "$key: FAILED three times; no sample"
	FAILED=$((FAILED + 1))
	restore "$scen"
	return 1
}

who_leads() {
	local n out=""
	for n in "${BF_NODES[@]}"; do d_holds "$n" && out="$out $n"; done
	echo "${out# }"
}

# run_set DAEMON IVL HBNET SCEN...: one configuration through SCEN x REPS.
run_set() {
	local scen key n
	DAEMON="$1" IVL="$2" HBNET="$3"
	shift 3
	log "$DAEMON, interval $IVL, heartbeats on $HBNET: $*"
	d_conf
	if [ "$DAEMON" = ka ]; then
		# keepalived's own environment: vipd may have set these.
		for n in "${BF_NODES[@]}"; do
			lab_exec "$n" sysctl -qw net.ipv4.conf.eth1.arp_ignore=0 \
				net.ipv4.conf.eth1.arp_announce=0
		done
	fi
	for scen in "$@"; do
		key="$DAEMON|$scen|$IVL"
		for _ in $(seq 1 "$REPS"); do
			sample "$scen" "$key"
		done
	done
	d_stop_all
	if [ -n "$LOGS" ]; then
		for f in "$BF_T"/vipd-*.log "$BF_T"/ka-*.log; do
			[ -f "$f" ] && cp "$f" "$LOGS/$DAEMON-$IVL-$HBNET.${f##*/}"
		done
	fi
	rm -f "$BF_T"/vipd-*.log "$BF_T"/ka-*.log
}

# ------------------------------------------------------------------ table
# stats ARRAY KEY: "min median max" of the samples in ARRAY[KEY]; fails
# when there are none.
stats() {
	local -n arr="$1"
	local v="${arr[$2]:-}"
	[ -n "$v" ] || return 1
	# shellcheck disable=SC2086
	bf_stats $v
}

# cell ARRAY KEY: "min/median/max", or "-".
cell() {
	local s
	s=$(stats "$1" "$2") || {
		echo "-"
		return
	}
	echo "$s" | awk '{ printf "%s/%s/%s\n", $1, $2, $3 }'
}

# pick ARRAY KEY FIELD: 1 min, 2 median, 3 max.
pick() {
	local s
	s=$(stats "$1" "$2") || return 1
	echo "$s" | awk -v f="$3" '{ print $f }'
}

ratio() {
	local v k
	if ! v=$(pick GAPS "$1" 2) || ! k=$(pick GAPS "$2" 2); then
		echo "-"
		return
	fi
	awk -v v="$v" -v k="$k" 'BEGIN {
		if (v == 0) print (k == 0 ? "=" : "inf")
		else printf "%.1fx\n", k / v }'
}

# target SCEN INTERVAL_MS: the issue's bound for vipd's outage, in ms.
target() {
	case "$1" in
	poweroff) echo $((4 * $2)) ;;
	sigkill) echo $(($2 + 10)) ;;
	sigterm | release) echo 5 ;;
	linkdown) echo 10 ;;
	esac
}

le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# verdict KEY TARGET [KA_KEY]: every repetition within the target ("ok"),
# only the median ("median ok"), or not ("MISS"); with KA_KEY, a median
# above keepalived's is a miss too (power-off: never worse than it).
verdict() {
	local max med k
	med=$(pick GAPS "$1" 2) || {
		echo "-"
		return
	}
	max=$(pick GAPS "$1" 3)
	if [ -n "${3:-}" ] && k=$(pick GAPS "$3" 2) && ! le "$med" "$k"; then
		awk -v v="$med" -v k="$k" 'BEGIN {
			printf "MISS (keepalived %.1f ms less)\n", v - k }'
	elif le "$max" "$2"; then
		echo "ok"
	elif le "$med" "$2"; then
		echo "median ok, max over"
	else
		echo "MISS"
	fi
}

label() {
	case "$1" in
	poweroff) echo "power-off" ;;
	sigkill) echo "SIGKILL" ;;
	sigterm) echo "SIGTERM" ;;
	release) echo "vipctl release" ;;
	linkdown) echo "link down" ;;
	esac
}

# rowkeys ROW SCEN: sets VK, KK (vipd's and keepalived's keys), RI (the
# interval the targets use) and RT (the row's label).
rowkeys() {
	case "$1" in
	defaults) VK="vipd|$2|100" KK="ka|$2|1" RI=100 RT="defaults: 100 / 1000" ;;
	100) VK="vipd|$2|100" KK="ka|$2|0.1" RI=100 RT="100 ms" ;;
	20) VK="vipd|$2|20" KK="ka|$2|0.02" RI=20 RT="20 ms" ;;
	1000) VK="vipd|$2|1000" KK="ka|$2|1" RI=1000 RT="1000 ms" ;;
	esac
}

kacell() {
	case "$1" in
	ka\|release\|*) echo "n/a" ;;
	ka\|linkdown\|*) [ -n "${GAPS[$1]:-}" ] && echo "$(cell GAPS "$1") *" || echo "-" ;;
	*) cell GAPS "$1" ;;
	esac
}

print_outage() {
	local scen row fmt cmp
	fmt="%-15s %-21s %-20s %-22s %-7s %-7s %s\n"
	echo
	echo "Failover outage as the client sees it: prober max_gap_ms, min/median/max of $REPS"
	# shellcheck disable=SC2059
	printf "$fmt" scenario "interval vipd / ka" "vipd ms" "keepalived ms" ratio target "vipd vs target"
	for scen in poweroff sigkill sigterm release linkdown; do
		want "$scen" || continue
		for row in defaults 100 20; do
			rowkeys "$row" "$scen"
			# the 100 ms row repeats vipd's defaults: only with keepalived 0.1
			[ "$row" = 100 ] && [ -z "${GAPS[$KK]:-}" ] && continue
			[ -n "${GAPS[$VK]:-}${GAPS[$KK]:-}" ] || continue
			cmp=""
			[ "$scen" = poweroff ] && [ "$row" != defaults ] && cmp="$KK"
			# shellcheck disable=SC2059
			printf "$fmt" "$(label "$scen")" "$RT" "$(cell GAPS "$VK")" \
				"$(kacell "$KK")" "$(ratio "$VK" "$KK")" \
				"<= $(target "$scen" "$RI")" \
				"$(verdict "$VK" "$(target "$scen" "$RI")" "$cmp")"
		done
	done
	echo "Targets (Election issue): power-off <= (dead_after+1) x interval (400 ms at"
	echo "defaults, 80 ms at 20 ms) and never worse than keepalived at the same interval;"
	echo "SIGKILL <= interval + 10 ms; SIGTERM and release <= 5 ms; link down <= 10 ms."
	echo "ratio = keepalived median / vipd median (inf: vipd lost nothing).  'ok': every"
	echo "repetition within the target."
	echo "* keepalived's link down: its usual config, VRRP adverts on eth1, which goes"
	echo "  down: pure failure detection.  vipd's heartbeats go over the management"
	echo "  network (cluster.bind) in that scenario."
}

# dualcell KEY: "max ms / probes answered by two nodes".
dualcell() {
	local m
	case "$1" in ka\|release\|*) echo "n/a"; return ;; esac
	m=$(pick DUAL "$1" 3) || {
		echo "-"
		return
	}
	[ -n "${DUALEND[$1]:-}" ] && m="$m+ (stays)"
	echo "$m / ${DUPN[$1]:-0}"
}

dualverdict() {
	local m
	m=$(pick DUAL "$1" 3) || {
		echo "-"
		return
	}
	if [ -z "${DUALEND[$1]:-}" ] && le "$m" "$2"; then echo "ok"; else echo "MISS"; fi
}

takecell() {
	case "$1" in ka\|release\|*) echo "n/a"; return ;; esac
	cell TAKE "$1"
}

# takeverdict SCEN KEY TARGET: the wire takeover against the outage
# target, for the failures the daemon does not announce (power-off,
# SIGKILL); the other triggers are commands whose start-up is in the figure.
takeverdict() {
	local max med
	case "$1" in poweroff | sigkill) ;; *) echo "-"; return ;; esac
	shift
	med=$(pick TAKE "$1" 2) || {
		echo "-"
		return
	}
	max=$(pick TAKE "$1" 3)
	if le "$max" "$2"; then echo "ok"
	elif le "$med" "$2"; then echo "median ok"
	else echo "MISS"; fi
}

print_arp() {
	local scen row fmt
	fmt="%-15s %-8s %-20s %-20s %-13s %-19s %-10s %s\n"
	echo
	echo "Takeover on the wire and two nodes answering ARP.  The observer o1 asks who-has"
	echo "VIP every 5 ms.  takeover: from the fault (just before the command that causes"
	echo "it; for link down, release and power-off 3-8 ms go to starting 'ip' or vipctl"
	echo "in a namespace) to the first request a new MAC answers, min/median/max, +-5 ms."
	echo "2 MACs: the longest run of requests answered by two MACs, max over the"
	echo "repetitions, ms ('stays': still so when the sample ended) / probes answered by"
	echo "two nodes (prober, summed); bound: one interval.  For SIGKILL the client sees"
	echo "no outage at all (the killed daemon's host still serves the VIP until the new"
	echo "leader's announcement moves the client): the takeover is the number to judge."
	# shellcheck disable=SC2059
	printf "$fmt" scenario interval "vipd takeover" "ka takeover" "vipd 2 MACs" "ka 2 MACs" "takeover" "2 MACs"
	for scen in poweroff sigkill sigterm release linkdown; do
		want "$scen" || continue
		for row in 1000 100 20; do
			rowkeys "$row" "$scen"
			[ -n "${GAPS[$VK]:-}${GAPS[$KK]:-}" ] || continue
			# shellcheck disable=SC2059
			printf "$fmt" "$(label "$scen")" "$RT" "$(takecell "$VK")" \
				"$(takecell "$KK")" "$(dualcell "$VK")" \
				"$(dualcell "$KK")" \
				"$(takeverdict "$scen" "$VK" "$(target "$scen" "$RI")")" \
				"$(dualverdict "$VK" "$RI")"
		done
	done
	echo "The last two columns judge vipd: the takeover after a power-off or a SIGKILL"
	echo "against the outage target of the first table, two MACs against one interval."
}

print_tables() {
	echo
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(bf_machine)"
	echo "vipd $("$VIPD" -V 2>/dev/null | head -1) ($BUILD); $(keepalived --version 2>&1 | head -1)"
	print_outage
	print_arp
	[ "$FAILED" = 0 ] || echo "WARNING: $FAILED samples failed (see the log above)"
	[ "$BAD_EXITS" = 0 ] || echo "WARNING: $BAD_EXITS vipd SIGTERM exits were not 0"
	local k notes=""
	for k in "${!WARMUP[@]}"; do notes="$notes $k:${WARMUP[$k]}"; done
	[ -z "$notes" ] ||
		echo "restores where n1 answered but the client's probes were lost at first (see bench/README.md):$notes"
}

want() { case ",$SCENARIOS," in *",$1,"*) return 0 ;; esac; return 1; }

# ------------------------------------------------------------------- main
declare -A GAPS DUPN DUAL DUALEND TAKE WARMUP
FAILED=0
BAD_EXITS=0
CURKEY=""
[ -n "$LOGS" ] && { mkdir -p "$LOGS" || exit 1; LOGS=$(cd "$LOGS" && pwd); }
bf_lab "vbf$$" || { echo "failover.sh: cannot build the lab" >&2; exit 1; }
START=$(date +%s)

LAN_SCEN=()
for s in poweroff sigkill sigterm release; do want "$s" && LAN_SCEN+=("$s"); done
for ivl in ${INTERVALS//,/ }; do
	[ ${#LAN_SCEN[@]} -gt 0 ] && run_set vipd "$ivl" lan "${LAN_SCEN[@]}"
	want linkdown && run_set vipd "$ivl" mgmt linkdown
done
if [ "$KA" = 1 ]; then
	KA_SCEN=()
	for s in poweroff sigkill sigterm linkdown; do want "$s" && KA_SCEN+=("$s"); done
	for adv in ${ADVERTS//,/ }; do
		[ ${#KA_SCEN[@]} -gt 0 ] && run_set ka "$adv" lan "${KA_SCEN[@]}"
	done
fi
log "done in $(($(date +%s) - START)) s"
print_tables
