#!/bin/bash
# The bench tools in a namespace lab: two servers (s1, s2) running udpecho
# and tcpsvc, a client running prober, all on one bridge.
#
# - replies leave from the address the request went to (a VIP beside the
#   node's address on eth1, a VIP on lo, IPv6), since prober's connected
#   socket takes no reply from any other address;
# - an emulated failover: the VIP moves from s1 to s2 (address removed on
#   s1, added on s2, a gratuitous ARP from s2) while prober runs for 2 s at
#   1 ms; its JSON must show one change s1 -> s2 and a gap below 1 s;
# - TCP to the VIP reaches tcpsvc on the node that holds it;
# - --until-node, SIGINT, odd datagrams, clean SIGTERM, argument errors.
#
# Every process is started through lab_bg and bounded (prober by its own
# duration, everything else by the lab's cleanup or `timeout`).
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
T="$top_builddir/bench/tools"

lab_need_root jq arping timeout ss
for t in udpecho tcpsvc prober spawncost; do
	if [ ! -x "$T/$t" ]; then
		echo "1..0 # SKIP $T/$t not built"
		exit 0
	fi
done

lab_init "vtot$$"
TMP=$(lab_tmp)
VIP=10.91.0.100
VIP6=fd00:91::100
LOVIP=10.91.1.1

{
	lab_switch br0 &&
		lab_node s1 br0 eth1 10.91.0.1/24 fd00:91::1/64 &&
		lab_node s2 br0 eth1 10.91.0.2/24 fd00:91::2/64 &&
		lab_node c br0 eth1 10.91.0.10/24 fd00:91::10/64
} || lab_bail "could not build the lab"
ip -n "$LAB-s1" addr add "$VIP/24" dev eth1
ip -n "$LAB-s1" addr add "$VIP6/64" dev eth1 nodad
# A VIP on lo, reached through a route on the client (vipd's bind mode).
ip -n "$LAB-s1" addr add "$LOVIP/32" dev lo
ip -n "$LAB-c" route add "$LOVIP/32" via 10.91.0.1

# listening NODE PROTO(u|t): something listens on port 7777.
listening() {
	[ -n "$(lab_exec "$1" ss -Hln"$2" 'sport = :7777')" ]
}

# jqt FILE FILTER: jq -e on a prober JSON file (exit 0 when true).
jqt() {
	jq -e "$2" "$1" >/dev/null 2>&1
}

# probe_ok DESC TARGET WANT_NODE: 20 probes, all answered by WANT_NODE.
probe_ok() {
	local out="$TMP/probe.$RANDOM.json"

	lab_exec c timeout 10 "$T/prober" -t "$2" -c 20 --json >"$out" 2>&1
	jqt "$out" ".sent == 20 and .received == 20 and
		.first_node == \"$3\" and .last_node == \"$3\""
	tap_ok $? "$1"
}

# tcp_name NODE ADDR: the line tcpsvc at ADDR answers.
tcp_name() {
	# shellcheck disable=SC2016 # $0 expands in the inner shell
	lab_exec "$1" timeout 5 bash -c \
		'exec 3<>"/dev/tcp/$0/7777" && cat <&3' "$2" 2>/dev/null
}

# sleep_until START_NS MS: sleep until MS after START_NS (date +%s%N).
sleep_until() {
	local left=$((($1 + $2 * 1000000 - $(date +%s%N)) / 1000000))
	[ "$left" -gt 0 ] &&
		sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
	return 0
}

# move_vip FROM TO: the failover as vipd performs it, by hand.
move_vip() {
	ip -n "$LAB-$1" addr del "$VIP/24" dev eth1
	ip -n "$LAB-$2" addr add "$VIP/24" dev eth1
	lab_exec "$2" timeout 3 arping -q -U -c 1 -I eth1 "$VIP"
}

# wait_exit PID MS: wait (bounded) for a lab_bg process; sets LAB_STOP_RC.
wait_exit() { lab_reap "$1" "$2" KILL; }

declare -A UE TS
for n in s1 s2; do
	lab_bg "$n" "$TMP/udpecho-$n.log" "$T/udpecho" -n "$n"
	UE[$n]=$LAB_LASTPID
	lab_bg "$n" "$TMP/tcpsvc-$n.log" "$T/tcpsvc" -n "$n"
	TS[$n]=$LAB_LASTPID
done
for n in s1 s2; do
	lab_wait 3000 listening "$n" u
	tap_ok $? "udpecho listens on $n"
	lab_wait 3000 listening "$n" t
	tap_ok $? "tcpsvc listens on $n"
done

# --- replies come from the address the request was sent to -------------
probe_ok "udpecho on s1's own address answers as s1" 10.91.0.1 s1
probe_ok "udpecho on s2's own address answers as s2" 10.91.0.2 s2
probe_ok "a VIP beside s1's address on eth1: reply from the VIP" "$VIP" s1
probe_ok "a VIP on s1's lo: reply from the VIP" "$LOVIP" s1
probe_ok "IPv6: s2's own address" fd00:91::2 s2
probe_ok "IPv6: a VIP beside s1's address: reply from the VIP" "$VIP6" s1

# --- the emulated failover, measured by prober ---------------------------
MARK="$TMP/mark"
start=$(date +%s%N)
lab_bg c "$TMP/prober.json" "$T/prober" -t "$VIP" -i 1000 -d 2000 --json \
	--mark-file "$MARK"
PR=$LAB_LASTPID
lab_wait 1500 grep -q '^reply .* s1$' "$MARK"
tap_ok $? "prober gets its first reply from s1 (mark file)"
sleep_until "$start" 800
move_vip s1 s2
wait_exit "$PR" 6000
tap_is "$LAB_STOP_RC" 0 "prober exits 0 after its 2 s"
J="$TMP/prober.json"
jqt "$J" 'type == "object"'
tap_ok $? "prober's JSON parses"
jqt "$J" '.sent >= 1900 and .sent <= 2100'
tap_ok $? "about 2000 probes sent ($(jq -c .sent "$J" 2>/dev/null))"
jqt "$J" '.changes | length == 1'
tap_ok $? "exactly one node change"
jqt "$J" '.changes[0].from == "s1" and .changes[0].to == "s2"'
tap_ok $? "the change is s1 -> s2"
jqt "$J" '.max_gap_ms > 0 and .max_gap_ms < 1000'
tap_ok $? "max_gap_ms in (0, 1000): $(jq -c .max_gap_ms "$J" 2>/dev/null)"
jqt "$J" '.first_node == "s1" and .last_node == "s2"'
tap_ok $? "first node s1, last node s2"
jqt "$J" '.dup_nodes == 0 and .max_lost_run == .lost'
tap_ok $? "no probe answered by both nodes; the losses are one run"
grep -q '^change .* s1 s2$' "$MARK"
tap_ok $? "the mark file records the change live"
echo "# failover: $(jq -c '{sent, lost, max_gap_ms, max_rx_gap_ms,
	changes}' "$J" 2>/dev/null)"
echo "# pacing: $(jq -c '.pacing + {cpu_ms}' "$J" 2>/dev/null)"

# --- TCP through the VIP reaches the node that holds it ------------------
tap_is "$(tcp_name c "$VIP")" s2 "TCP to the VIP reaches tcpsvc on s2"
tap_is "$(tcp_name c 10.91.0.1)" s1 "TCP to s1's own address answers s1"
tap_is "$(tcp_name c "$VIP6")" s1 "TCP over IPv6 to s1's VIP answers s1"

# --- back to s1, stopping early with --until-node ------------------------
: >"$MARK"
lab_bg c "$TMP/until.json" "$T/prober" -t "$VIP" -d 10000 --json \
	--until-node s1 --mark-file "$MARK"
PR=$LAB_LASTPID
lab_wait 1500 grep -q '^reply .* s2$' "$MARK"
tap_ok $? "second prober gets its first reply from s2"
sleep 0.2
move_vip s2 s1
wait_exit "$PR" 4000
tap_is "$LAB_STOP_RC" 0 "--until-node: prober exits 0"
J="$TMP/until.json"
jqt "$J" '.stopped == "until-node" and .last_node == "s1" and
	.elapsed_ms < 4000 and .changes_total == 1'
tap_ok $? "--until-node s1 stops the run soon after the move back"

# --- SIGINT stops prober, the summary is still printed -------------------
: >"$MARK"
lab_bg c "$TMP/sigint.json" "$T/prober" -t "$VIP" -d 60000 --json \
	--mark-file "$MARK"
PR=$LAB_LASTPID
lab_wait 1500 grep -q '^reply' "$MARK"
sleep 0.1
kill -INT "$PR"
wait_exit "$PR" 3000
tap_is "$LAB_STOP_RC" 0 "SIGINT: prober exits 0"
jqt "$TMP/sigint.json" '.stopped == "signal" and .sent > 0 and
	.sent < 10000 and .received > 0'
tap_ok $? "SIGINT: the JSON summary is printed"

# --- odd datagrams do not hurt udpecho -----------------------------------
# shellcheck disable=SC2016 # $n expands in the inner shell
lab_exec c bash -c '
	for n in 1 11 12 13 1499 1500 1501 9000 65000; do
		head -c "$n" /dev/urandom >/dev/udp/10.91.0.1/7777
	done' 2>/dev/null
probe_ok "udpecho still answers after odd datagrams" 10.91.0.1 s1

# --- clean shutdown on SIGTERM --------------------------------------------
lab_stop "${UE[s1]}" TERM
tap_is "$LAB_STOP_RC" 0 "udpecho exits 0 on SIGTERM"
grep -Eq ' [1-9][0-9]* oversize' "$TMP/udpecho-s1.log"
tap_ok $? "udpecho counted the oversized datagrams"
lab_stop "${TS[s1]}" TERM
tap_is "$LAB_STOP_RC" 0 "tcpsvc exits 0 on SIGTERM"
grep -Eq ' [1-9][0-9]* served' "$TMP/tcpsvc-s1.log"
tap_ok $? "tcpsvc counted what it served"

# --- argument errors: non-zero exit and a message --------------------------
# bad DESC WANT_RC CMD...: CMD exits WANT_RC and says something on stderr.
bad() {
	local desc="$1" want="$2" err rc
	shift 2
	err=$(lab_exec c timeout 5 "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = "$want" ] && [ -n "$err" ]
	tap_ok $? "$desc (exit $rc: ${err%%$'\n'*})"
}
long=$(printf 'x%.0s' $(seq 65))
bad "prober without -t" 2 "$T/prober"
bad "prober -i 0" 2 "$T/prober" -t "$VIP" -i 0
bad "prober -i below the minimum" 2 "$T/prober" -t "$VIP" -i 50
bad "prober -d over the cap" 2 "$T/prober" -t "$VIP" -d 600001
bad "prober -c over the cap" 2 "$T/prober" -t "$VIP" -c 10000001
bad "prober -c x -i over 600 s" 2 "$T/prober" -t "$VIP" -c 1000000
bad "prober -c with -d" 2 "$T/prober" -t "$VIP" -c 10 -d 10
bad "prober -t not an address" 2 "$T/prober" -t no.such.host
bad "prober -p out of range" 2 "$T/prober" -t "$VIP" -p 70000
bad "prober -w negative" 2 "$T/prober" -t "$VIP" -w -1
bad "prober -d not a number" 2 "$T/prober" -t "$VIP" -d 10x
bad "prober unknown option" 2 "$T/prober" -t "$VIP" --bogus
bad "prober extra argument" 2 "$T/prober" -t "$VIP" extra
bad "prober --until-node too long" 2 "$T/prober" -t "$VIP" \
	--until-node "$long"
bad "prober --mark-file unwritable" 1 "$T/prober" -t "$VIP" -c 1 \
	--mark-file "$TMP/no/such/dir/mark"
bad "udpecho -p 0" 2 "$T/udpecho" -p 0
bad "udpecho -n empty" 2 "$T/udpecho" -n ""
bad "udpecho -n too long" 2 "$T/udpecho" -n "$long"
bad "udpecho -n with a space" 2 "$T/udpecho" -n "a b"
bad "udpecho extra argument" 2 "$T/udpecho" extra
bad "udpecho -b not local" 1 "$T/udpecho" -b 10.99.99.99
bad "tcpsvc -p not a number" 2 "$T/tcpsvc" -p abc
bad "tcpsvc unknown option" 2 "$T/tcpsvc" -x
bad "spawncost -n 0" 2 "$T/spawncost" -n 0
bad "spawncost extra argument" 2 "$T/spawncost" /bin/true extra
bad "spawncost, a program that fails" 1 "$T/spawncost" -n 1 /bin/false

# spawncost: one line per method, a figure each.
out=$("$T/spawncost" -n 20 2>&1)
tap_is "$(printf '%s\n' "$out" | grep -cE '^(clone-pidfd|vfork|posix_spawn) [0-9]+\.[0-9]$')" 3 \
	"spawncost prints the parent's CPU per spawn for three methods"

tap_done
