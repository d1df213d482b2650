#!/bin/bash
# vipctl against running daemons (issue 6): a 2-node lab (n1 leads, n2
# backs up) plus a lone node "big" whose status answer is ~450 KB.
#
# - every command in text and JSON form; the JSON parses (jq) and has
#   exactly the keys doc/vipctl.8 documents (status, groups[], peers[],
#   groups[].peers[], conflicts[], route, counters, metrics, ping, reload,
#   release), and each of those keys is named in the man page;
# - `vipctl metrics` is valid Prometheus text exposition (promtool when
#   present, else a strict awk check) and agrees with the JSON;
# - errors: no daemon (3), permission denied (3), unknown group (1),
#   release on a backup (1), bad arguments and bad group names (2);
# - slow clients: an idle one, a half line, one that never reads a large
#   answer, more idle ones than the daemon holds: vipctl is still answered
#   at once and the slow ones are dropped after the daemon's timeout;
# - two instances on one host: separate sockets and pid files.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
VLAB_NET=65
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
DOC="$top_srcdir/doc/vipctl.8"

# The lab's temporary directory (and its EXIT trap) first: the usage part
# needs no namespace, vlab_lan below reuses the lab.
lab_init "vtcv$$" || exit 1
TMPU="$LAB_TMP/usage"
mkdir "$TMPU" || exit 1

# ------------------------------------------------ usage (no daemon needed)
# run_ctl ARGS...: vipctl with RC, OUT, ERR set.
run_ctl() { lab_run "$TMPU" "$VIPCTL" "$@"; }
NOSOCK="$TMPU/none.sock"
for opt in -h --help; do
	run_ctl "$opt"
	tap_is "$RC" 0 "vipctl $opt exits 0"
	tap_match "$OUT" '^usage: vipctl ' "vipctl $opt prints the usage"
done
tap_match "$OUT" '--prometheus' "vipctl --help mentions doctor --prometheus"
run_ctl --version
tap_is "$RC/$(printf '%s' "$OUT" | grep -Ec '^vipctl [0-9]+\.[0-9]+\.[0-9]+$')" \
	0/1 "vipctl --version"
long64=$(printf 'g%.0s' $(seq 64))
# Each: arguments | what stderr must contain.  None reaches a daemon.
while IFS='|' read -r args want; do
	# shellcheck disable=SC2086 # the words are the arguments
	eval "run_ctl -s $NOSOCK $args"
	tap_is "$RC" 2 "vipctl $args exits 2"
	if printf '%s\n' "$ERR" | grep -qF -- "$want"; then
		tap_ok 0 "vipctl $args says: $want"
	else
		tap_ok 1 "vipctl $args says: $want"
		echo "#   stderr: $ERR"
	fi
done <<EOF
|usage: vipctl
bogus|unknown command or wrong arguments: bogus
status extra|unknown command or wrong arguments: status
metrics x|unknown command or wrong arguments: metrics
ping x|unknown command or wrong arguments: ping
reload x|unknown command or wrong arguments: reload
release|unknown command or wrong arguments: release
release a b|unknown command or wrong arguments: release
-x status|invalid option
--json|usage: vipctl
release 'a b'|bad group name 'a b': bad character in argument
release 'a;rm'|bad group name 'a;rm': bad character in argument
release ''|bad group name '': empty argument
release $long64|argument longer than 63 characters
EOF
run_ctl -s
tap_is "$RC" 2 "vipctl -s without a path exits 2"
run_ctl -s "$NOSOCK" status
tap_is "$RC" 3 "no daemon: exit 3"
tap_is "$ERR" "vipctl: vipd is not running (no daemon listening on $NOSOCK; see -s, -c or \$VIPD_SOCKET)" \
	"no daemon: says so"
tap_is "$OUT" "" "no daemon: nothing on stdout"
VIPD_SOCKET="$NOSOCK" run_ctl ping
tap_is "$RC/$ERR" "3/vipctl: vipd is not running (no daemon listening on $NOSOCK; see -s, -c or \$VIPD_SOCKET)" \
	"\$VIPD_SOCKET is used"
run_ctl -s "/$(printf 'x%.0s' $(seq 120))" ping
tap_is "$RC" 2 "a socket path over 107 bytes exits 2"

# -c FILE: the socket named by the configuration's control.socket.
C="$TMPU/c.conf"
printf '# vipd\ncontrol = {\n  socket = "%s";\n};\n' "$NOSOCK" >"$C"
VIPD_SOCKET=/nowhere/else.sock run_ctl -c "$C" ping
tap_is "$RC/$ERR" "3/vipctl: vipd is not running (no daemon listening on $NOSOCK; see -s, -c or \$VIPD_SOCKET)" \
	"-c FILE: its control.socket is used (over \$VIPD_SOCKET)"
printf 'node = { id = "a"; };\n' >"$C"
run_ctl --config "$C" ping
tap_is "$RC/$ERR" "3/vipctl: vipd is not running (no daemon listening on /run/vipd/vipd.sock; see -s, -c or \$VIPD_SOCKET)" \
	"-c FILE without control.socket: the default socket"
run_ctl -s "$NOSOCK" -c "$C" ping
tap_is "$RC/$ERR" "2/vipctl: -s and -c both name the socket; give one of them" \
	"-s and -c together exit 2"
run_ctl -c "$TMPU/missing.conf" ping
tap_is "$RC/$ERR" "2/vipctl: $TMPU/missing.conf: cannot open: No such file or directory" \
	"-c with a missing file exits 2 and names it"
printf '\ncontrol = {\n  socket = 7;\n};\n' >"$C"
run_ctl -c "$C" ping
tap_is "$RC/$ERR" "2/vipctl: $C:3: control.socket: expected a string" \
	"-c: a socket that is not a string: file:line"
printf 'control = {\n  socket = "%s";\n};\n' "/$(printf 'x%.0s' $(seq 120))" >"$C"
run_ctl -c "$C" ping
tap_is "$RC/${ERR%%:*}" "2/vipctl" "-c: a socket path too long for a socket exits 2"
tap_ok "$(grep -q "$C:2: control.socket: path is 121 characters long" <<<"$ERR"; echo $?)" \
	"... and names the line ($ERR)"
printf 'control = {\n  socket = "x"\n' >"$C"
run_ctl -c "$C" ping
tap_is "$RC/${ERR%%: syntax*}" "2/vipctl: $C:3" "-c: a syntax error: file:line"

if [ "${VIPD_TEST_NETNS:-1}" = 0 ] || [ "$(id -u)" != 0 ] ||
	! command -v jq >/dev/null || ! command -v python3 >/dev/null ||
	! command -v setpriv >/dev/null; then
	echo "ok $((TAP_N + 1)) # SKIP daemon tests: need root, jq, python3, setpriv and VIPD_TEST_NETNS != 0"
	TAP_N=$((TAP_N + 1))
	tap_done
	exit
fi

# ------------------------------------------------------------ the lab
vlab_lan "vtcv$$" 2 || lab_bail "lab set-up failed"
T=$VLAB_TMP
VIP=10.$VLAB_NET.0.100
CVIP=10.$VLAB_NET.0.150 # the client owns it: a conflict for group vip
lab_exec c1 ip addr add "$CVIP/24" dev eth1
vlab_conf n1 "$T/n1.conf" prio=200 "vips=$VIP,$CVIP"
vlab_conf n2 "$T/n2.conf" prio=100 "vips=$VIP,$CVIP"
vlab_start n1
tap_ok $? "n1 starts"
vlab_start n2
tap_ok $? "n2 starts"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads group vip"
lab_wait 5000 vlab_gf_is n2 state backup
tap_ok $? "n2 is backup"
peer_alive() { [ "$(vlab_json "$1" '.peers[0].alive')" = true ]; }
lab_wait 3000 peer_alive n1 && lab_wait 3000 peer_alive n2
tap_ok $? "each hears the other"
conflict_seen() { [ "$(vlab_json n1 '.groups[0].conflicts | length')" = 1 ]; }
lab_wait 5000 conflict_seen
tap_ok $? "n1 saw the client's $CVIP as a conflict"

# Two instances on one host: their own sockets and pid files.
tap_is "$(cat "$T/n1.pid")/$(cat "$T/n2.pid")" \
	"${VLAB_PIDS[n1]}/${VLAB_PIDS[n2]}" "each pid file holds its daemon"
tap_is "$(vlab_json n1 .pid)/$(vlab_json n2 .pid)" \
	"${VLAB_PIDS[n1]}/${VLAB_PIDS[n2]}" "each socket reaches its daemon"

# ------------------------------------------------------------ status
ST1=$(vlab_ctl n1 status)
tap_is "$?" 0 "status exits 0"
expect_line() { # DESC REGEX: a line of ST1 matches
	if printf '%s\n' "$ST1" | grep -Eq "$2"; then
		tap_ok 0 "status text: $1"
	else
		tap_ok 1 "status text: $1"
		printf '%s\n' "$ST1" | sed 's/^/#   /'
	fi
}
expect_line "node line" "^node n1: vipd [0-9.]+, pid ${VLAB_PIDS[n1]}, up [0-9]"
expect_line "scheduling line (no process block)" "^scheduling other, nice -?[0-9]+$"
expect_line "configured peer with age" \
	"^peer n2 +10\\.$VLAB_NET\\.0\\.2 +alive, last heard [0-9.]+m?s ago$"
expect_line "group state" "^group vip: leader$"
expect_line "leader" "^  leader      n1$"
expect_line "priority" "^  priority    200 \\(configured 200, preempt on\\)$"
expect_line "VIPs" "^  VIPs        $VIP, $CVIP$"
expect_line "time in state and last transition" \
	"^  in state    [0-9.]+m?s, [0-9]+ transitions; last: .+"
expect_line "group peer with state, priority, age" \
	"^  peers       n2 \\(backup, prio 100, seen [0-9.]+m?s ago\\)$"
expect_line "conflict" \
	"^  CONFLICT    $CVIP claimed by $(vlab_mac c1) \\([0-9]+ times, last [0-9.]+m?s ago, not announced\\)$"
expect_line "answer counters" "^  answered    [0-9]+ ARP, [0-9]+ NDP; [0-9]+ announcements sent$"
ST2=$(vlab_ctl n2 status)
printf '%s\n' "$ST2" | grep -q '^group vip: backup$' &&
	printf '%s\n' "$ST2" | grep -q '^  leader      n1$' &&
	printf '%s\n' "$ST2" | grep -q '^  peers       n1 (leader, prio 200, seen '
rc=$?
tap_ok $rc "status text on n2: backup, leader n1, peer n1 leading"
[ $rc = 0 ] || printf '%s\n' "$ST2" | sed 's/^/#   /'

J1="$T/status1.json"
vlab_ctl n1 status --json >"$J1"
tap_is "$?" 0 "status --json exits 0"
jq -e . "$J1" >/dev/null
tap_ok $? "status --json parses"
tap_is "$(wc -l <"$J1")" 1 "status --json is one line"
a=$(vlab_ctl n1 --json status | jq -c 'del(.uptime_ms, .control, .groups[].in_state_ms, .peers[].last_seen_ms, .groups[].peers[].last_seen_ms, .groups[].conflicts[].age_ms, .groups[].peer_claim_age_ms, .groups[].counters, .groups[].conflicts[].count)')
b=$(vlab_ctl n1 -j status | jq -c 'del(.uptime_ms, .control, .groups[].in_state_ms, .peers[].last_seen_ms, .groups[].peers[].last_seen_ms, .groups[].conflicts[].age_ms, .groups[].peer_claim_age_ms, .groups[].counters, .groups[].conflicts[].count)')
c=$(jq -c 'del(.uptime_ms, .control, .groups[].in_state_ms, .peers[].last_seen_ms, .groups[].peers[].last_seen_ms, .groups[].conflicts[].age_ms, .groups[].peer_claim_age_ms, .groups[].counters, .groups[].conflicts[].count)' "$J1")
tap_ok "$([ -n "$a" ] && [ "$a" = "$b" ] && [ "$b" = "$c" ] && echo 0 || echo 1)" \
	"--json status, -j status and status --json say the same"

# keys_are FILE JQPATH DESC KEY...: the object's keys are exactly KEY...,
# and each is named in the man page's JSON section.
JSON_DOC=$(sed -n '/^\.SH JSON/,/^\.SH EXIT/p' "$DOC")
keys_are() {
	local file="$1" path="$2" desc="$3" got want k missing=""
	shift 3
	got=$(jq -r "$path | keys_unsorted | join(\" \")" "$file" 2>/dev/null)
	want="$*"
	tap_is "$got" "$want" "$desc: keys"
	for k in "$@"; do
		printf '%s\n' "$JSON_DOC" | grep -qw -- "$k" || missing="$missing $k"
	done
	tap_is "${missing# }" "" "$desc: every key is in doc/vipctl.8"
}
keys_are "$J1" . "status" ok version node pid uptime_ms epoch config \
	interval_ms dead_after stopping peers groups scheduling control checks \
	maintenance
keys_are "$J1" '.control' "status control" answers_built answers_deferred \
	heartbeat_delay_max_ms
keys_are "$J1" '.scheduling' "status scheduling" policy priority nice \
	reset_on_fork
tap_is "$(jq -c '.scheduling | [.policy, .priority, .reset_on_fork]' "$J1")" \
	'["other",0,false]' "status scheduling: left alone without a process block"
keys_are "$J1" '.peers[0]' "status peers[]" id address alive last_seen_ms \
	interval_ms auth_failing
keys_are "$J1" '.groups[0]' "status groups[]" name interface state leader \
	priority configured_priority preempt answering fault fault_text \
	link_up in_state_ms transitions last_reason last_reason_text \
	last_peer vips bind route peers conflicts peer_claim_age_ms counters tracks \
	effective_priority adjusted_by maintenance
keys_are "$J1" '.groups[0].route' "status groups[].route" pin table \
	priority installed
keys_are "$J1" '.groups[0].peers[0]' "status groups[].peers[]" id alive \
	priority state mac last_seen_ms
keys_are "$J1" '.groups[0].conflicts[0]' "status groups[].conflicts[]" vip \
	mac count age_ms yielded
keys_are "$J1" '.groups[0].counters' "status groups[].counters" \
	arp_answered ndp_answered announcements conflicts peer_claims \
	defences leader_probes takeovers releases notify_runs notify_failures \
	notify_dropped first_round_ms
tap_is "$(jq -c '[.ok, .node, .stopping, .dead_after, .interval_ms, (.epoch | test("^[0-9a-f]{16}$")), (.uptime_ms > 0)]' "$J1")" \
	'[true,"n1",false,3,100,true,true]' "status: top-level values"
tap_is "$(jq -c '.groups[0] | [.name, .interface, .state, .leader, .priority, .configured_priority, .preempt, .answering, .fault, .link_up, .vips, .bind]' "$J1")" \
	"[\"vip\",\"eth1\",\"leader\",\"n1\",200,200,true,true,\"\",true,[\"$VIP\",\"$CVIP\"],\"local\"]" \
	"status groups[0]: values"
tap_is "$(jq -c '.groups[0].peers[0] | [.id, .alive, .priority, .state, .mac, (.last_seen_ms < 1000)]' "$J1")" \
	"[\"n2\",true,100,\"backup\",\"$(vlab_mac n2)\",true]" \
	"status groups[0].peers[0]: n2, backup, prio 100, its MAC, heard lately"
tap_is "$(jq -c '.groups[0].conflicts[0] | [.vip, .mac, (.count > 0), .yielded]' "$J1")" \
	"[\"$CVIP\",\"$(vlab_mac c1)\",true,true]" \
	"status groups[0].conflicts[0]: the client's VIP, its MAC, yielded"
tap_is "$(jq -c '.peers[0] | [.id, .address, .alive, (.last_seen_ms < 1000), .interval_ms]' "$J1")" \
	"[\"n2\",\"10.$VLAB_NET.0.2\",true,true,100]" "status peers[0]: n2"

# ------------------------------------------------------------ metrics
M1="$T/metrics1.json"
vlab_ctl n1 metrics --json >"$M1"
tap_is "$?" 0 "metrics --json exits 0"
jq -e . "$M1" >/dev/null
tap_ok $? "metrics --json parses"
keys_are "$M1" . "metrics" ok version node interval_ms peers groups \
	heartbeats peer_unreachable peer_unreachable_refuted netlink_errors \
	reconciled stalls reloads reload_failures events notify_fifo checks \
	capture
keys_are "$M1" '.groups[0]' "metrics groups[]" name state fault answering \
	transitions transitions_by_reason arp_answered ndp_answered \
	announcements conflicts peer_claims defences notify_runs \
	notify_failures notify_dropped
keys_are "$M1" '.groups[0].transitions_by_reason' \
	"metrics groups[].transitions_by_reason" startup leader_lost handover \
	preempt two_leaders fault recovered stall other
keys_are "$M1" '.heartbeats' "metrics heartbeats" sent send_errors \
	received rejected
keys_are "$M1" '.capture[0]' "metrics capture[]" interface rx_frames \
	rx_dropped rx_bad tx_frames tx_errors filter_fallback
tap_is "$(jq -c '[.node, .groups[0].name, .groups[0].state, (.heartbeats.sent > 0), (.heartbeats.received > 0), .capture[0].interface, (.heartbeats.rejected | type), (.capture[0].rx_bad | type)]' "$M1")" \
	'["n1","vip","leader",true,true,"eth1","object","object"]' \
	"metrics: values"

P1="$T/metrics1.txt"
vlab_ctl n1 metrics >"$P1"
tap_is "$?" 0 "metrics exits 0"
# A strict reading of the text format: HELP and TYPE once per family and
# before its samples, samples contiguous and unique, `name{labels} value`.
prom_check() {
	awk '
	function bad(m) { printf "# line %d: %s: %s\n", NR, m, $0; err = 1 }
	/^# HELP / {
		if ($3 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/) bad("metric name")
		if (help[$3]++) bad("second HELP")
		if ($3 in seen) bad("HELP after samples")
		next
	}
	/^# TYPE / {
		if ($3 in type) bad("second TYPE")
		if ($4 !~ /^(counter|gauge|histogram|summary|untyped)$/ || NF != 4)
			bad("type")
		if ($3 in seen) bad("TYPE after samples")
		type[$3] = $4
		next
	}
	/^#/ { next }
	{
		if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) { bad("sample"); next }
		n = substr($0, 1, RLENGTH)
		rest = substr($0, RLENGTH + 1)
		lab = ""
		if (substr(rest, 1, 1) == "{") {
			if (!match(rest, /^[{][a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\[\\"n])*")*[}]/)) {
				bad("labels")
				next
			}
			lab = substr(rest, 1, RLENGTH)
			rest = substr(rest, RLENGTH + 1)
		}
		if (rest !~ /^ -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) bad("value")
		if (!(n in type)) bad("sample without TYPE before it")
		if (!(n in help)) bad("sample without HELP before it")
		if (n != last && (n in seen)) bad("family not contiguous")
		if (series[n lab]++) bad("duplicate series")
		if (type[n] == "counter" && n !~ /_total$/) bad("counter name")
		seen[n] = 1
		last = n
		samples++
	}
	END { if (samples == 0) { print "# no samples"; err = 1 }; exit err }
	' "$1"
}
prom_check "$P1"
tap_ok $? "metrics: valid text exposition (strict awk check)"
if command -v promtool >/dev/null; then
	promtool check metrics <"$P1" >/dev/null 2>&1
	tap_ok $? "metrics: promtool check metrics"
fi
for fam in vipd_build_info vipd_heartbeat_interval_seconds vipd_peer_up \
	vipd_peer_last_heard_seconds vipd_peer_heartbeat_interval_seconds \
	vipd_peer_auth_failing vipd_group_fault vipd_group_answering \
	vipd_group_state vipd_transitions_total \
	vipd_arp_requests_answered_total vipd_ndp_requests_answered_total \
	vipd_announcements_sent_total vipd_conflicts_total \
	vipd_peer_claims_total vipd_defences_total vipd_heartbeats_sent_total \
	vipd_heartbeat_send_errors_total vipd_heartbeats_received_total \
	vipd_heartbeats_rejected_total vipd_peer_unreachable_total \
	vipd_peer_unreachable_refuted_total \
	vipd_netlink_errors_total vipd_reconciled_total vipd_stalls_total \
	vipd_reloads_total vipd_reload_failures_total \
	vipd_capture_frames_total vipd_capture_bad_frames_total \
	vipd_capture_dropped_total vipd_events_total \
	vipd_event_watchers_dropped_total vipd_notify_runs_total \
	vipd_notify_failures_total vipd_notify_dropped_total \
	vipd_notify_fifo_lines_total vipd_notify_fifo_dropped_total; do
	grep -q "^# TYPE $fam " "$P1" && grep -qw "$fam" "$DOC"
	tap_ok $? "metrics: family $fam present and documented"
done
grep -qx 'vipd_group_state{group="vip",state="leader"} 1' "$P1" &&
	grep -qx 'vipd_group_state{group="vip",state="backup"} 0' "$P1"
tap_ok $? "metrics: group state gauge says leader"
tap_is "$(grep -c '^vipd_group_state{' "$P1")" 5 "metrics: one series per state"
grep -q '^vipd_heartbeats_rejected_total{reason="hmac"} [0-9]' "$P1"
tap_ok $? "metrics: rejected heartbeats by reason"
# Counters agree with the JSON (taken after the text: they only grow).
sent_txt=$(sed -n 's/^vipd_heartbeats_sent_total //p' "$P1")
sent_json=$(vlab_metric n1 .heartbeats.sent)
tap_ok "$([ "$sent_txt" -gt 0 ] && [ "$sent_txt" -le "$sent_json" ] && echo 0 || echo 1)" \
	"metrics: heartbeats sent $sent_txt (text) <= $sent_json (JSON, later)"
vlab_ctl n2 metrics >"$T/metrics2.txt" && prom_check "$T/metrics2.txt"
tap_ok $? "metrics on n2: valid too"

# ------------------------------------------------------------ ping, reload
out=$(vlab_ctl n1 ping)
tap_is "$?/$out" "0/vipd is running (pid ${VLAB_PIDS[n1]})" "ping"
tap_is "$(vlab_ctl n1 ping --json)" "{\"ok\":true,\"pid\":${VLAB_PIDS[n1]}}" \
	"ping --json"
out=$("$VIPCTL" -c "$T/n2.conf" ping)
tap_is "$?/$out" "0/vipd is running (pid ${VLAB_PIDS[n2]})" \
	"-c n2's configuration file reaches n2's daemon"
out=$(vlab_ctl n2 reload)
tap_is "$?/$out" \
	"0/configuration reloaded: 0 groups added, 0 removed, 0 changed in place, 1 kept" \
	"reload"
tap_is "$(vlab_ctl n2 reload --json | jq -c 'keys_unsorted, .ok, .kept')" \
	'["ok","added","removed","changed","kept","result","duration_us"]
true
["vip"]' "reload --json: {ok, added, removed, changed, kept, result, duration_us}"
tap_is "$(vlab_gf n2 state)" backup "n2 still backup after reloads"

# ------------------------------------------------------------ release
vlab_ctl n2 release vip >/dev/null 2>"$T/err"
tap_is "$?" 1 "release on the backup exits 1"
tap_is "$(cat "$T/err")" \
	"vipctl: this node does not lead group 'vip' (state backup)" \
	"release on the backup: says why"
out=$(vlab_ctl n2 release vip --json 2>/dev/null)
rc=$?
tap_is "$rc/$(printf '%s' "$out" | jq -c '[.ok, .error]')" \
	"1/[false,\"this node does not lead group 'vip' (state backup)\"]" \
	"release --json on the backup: exit 1, the daemon's refusal as JSON"
vlab_ctl n1 release nope >/dev/null 2>"$T/err"
tap_is "$?" 1 "release of an unknown group exits 1"
tap_is "$(cat "$T/err")" "vipctl: unknown group 'nope'" \
	"unknown group: says so"
vlab_ctl n1 release "$(printf 'a%.0s' $(seq 63))" >/dev/null 2>"$T/err"
tap_is "$?/$(cat "$T/err")" "1/vipctl: unknown group '$(printf 'a%.0s' $(seq 63))'" \
	"a 63-character group name reaches the daemon: unknown group"

out=$(vlab_ctl n1 release vip)
tap_is "$?/$out" "0/group vip: handed over to n2" "release on the leader"
tap_is "$(vlab_gf n1 state)/$(vlab_gf n2 state)" backup/leader \
	"after release: n2 leads, n1 backs up"
# n1 has the higher priority and preempts: it must not take it back.
lab_never 1000 vlab_gf_is n1 state leader
tap_ok $? "n1 does not take the group back within 1 s"
tap_is "$(vlab_leaders)" n2 "n1 does not preempt the successor"
out=$(vlab_ctl n2 release vip --json)
tap_is "$?" 0 "release --json on n2 exits 0"
tap_is "$out" '{"ok":true,"group":"vip","state":"backup","leader":"n1"}' \
	"release --json: the outcome"
tap_is "$(vlab_leaders)" n1 "n1 leads again"

# The raw protocol: the daemon's own answers.
cat >"$T/raw.py" <<'EOF'
import socket, sys, time

def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

def read_all(s, limit):
    data, t0 = b"", time.monotonic()
    s.settimeout(limit)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return data, "eof"
            data += b
    except socket.timeout:
        return data, "timeout"
    except ConnectionResetError:
        return data, "reset"

mode, path = sys.argv[1], sys.argv[2]
if mode == "ask":  # ask PATH LINE: print the answer
    s = connect(path)
    s.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
    data, how = read_all(s, 5)
    sys.stdout.write(data.decode())
elif mode in ("idle", "half"):  # how long until the daemon hangs up
    s = connect(path)
    if mode == "half":
        s.sendall(b"sta")
    print("connected", flush=True)
    t0 = time.monotonic()
    data, how = read_all(s, float(sys.argv[3]))
    print("%s %d %d" % (how, len(data), (time.monotonic() - t0) * 1000))
elif mode == "noread":  # ask, read nothing for HOLD s, then drain
    s = connect(path)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"status\n")
    s.settimeout(5)
    s.recv(1, socket.MSG_PEEK)  # the answer has begun (and is stuck)
    print("connected", flush=True)
    time.sleep(float(sys.argv[3]))
    data, how = read_all(s, 5)
    print("%s %d" % (how, len(data)))
elif mode == "many":  # N idle connections held for HOLD s
    conns = [connect(path) for _ in range(int(sys.argv[3]))]
    print("open %d" % len(conns), flush=True)
    time.sleep(float(sys.argv[4]))
EOF
raw() { timeout 20 python3 "$T/raw.py" "$@"; }
tap_is "$(raw ask "$(vlab_sock n1)" 'bogus\n')" \
	"{\"ok\":false,\"error\":\"unknown command 'bogus'\"}" \
	"raw: an unknown command is answered with ok false"
tap_is "$(raw ask "$(vlab_sock n1)" 'release vip extra\n')" \
	'{"ok":false,"error":"release takes one argument"}' \
	"raw: an extra argument is refused"
tap_is "$(raw ask "$(vlab_sock n1)" 'status\r\n' | jq -r .ok)" true \
	"raw: a CRLF line is accepted"
tap_is "$(raw ask "$(vlab_sock n1)" "$(printf 'x%.0s' $(seq 300))\\n")" \
	'{"ok":false,"error":"request longer than 256 bytes"}' \
	"raw: a line over 256 bytes is refused"
tap_is "$(raw ask "$(vlab_sock n1)" 'release vip\n' | jq -c 'keys_unsorted, .state')" \
	'["ok","group","state"]
"resigning"' "raw: release answers {ok, group, state} at once"
lab_wait 5000 vlab_leader_is n2
tap_ok $? "raw release handed over to n2"
vlab_ctl n2 release vip >/dev/null
lab_wait 5000 vlab_leader_is n1
tap_ok $? "and back to n1"

# ------------------------------------------------------------ errors
# Permission denied: an unprivileged user on the root-owned 0660 socket.
chmod 0711 "$T" # the directory may be crossed; the socket stays 0660
tap_is "$(stat -c '%a %U' "$(vlab_sock n1)")" "660 root" "socket is 0660 root"
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VIPCTL" -s "$(vlab_sock n1)" status >"$T/out" 2>"$T/err"
tap_is "$?" 3 "permission denied: exit 3"
grep -q "permission denied on $(vlab_sock n1)" "$T/err"
tap_ok $? "permission denied: says so ($(cat "$T/err"))"
chmod 0700 "$T"

# No daemon behind a stale socket file (SIGKILL leaves it).
vlab_conf n3 "$T/n3.conf" peers=none
lab_ns n3 || lab_bail "could not make namespace n3"
vlab_start n3
tap_ok $? "n3 starts"
vlab_stop n3 KILL
tap_ok "$([ -S "$(vlab_sock n3)" ] && echo 0 || echo 1)" \
	"SIGKILL leaves n3's socket file behind"
vlab_ctl n3 status >/dev/null 2>"$T/err"
tap_is "$?" 3 "stale socket, no daemon: exit 3"
grep -q "vipd is not running" "$T/err"
tap_ok $? "stale socket: says vipd is not running"

# ------------------------------------------------------------ slow clients
# "big": alone in a namespace without eth1 (all groups in fault), 6 groups
# of 4096 IPv6 VIPs: its status answer (~450 KB) is far more than a Unix
# socket buffers, so a client that does not read blocks the daemon's write.
awk 'BEGIN {
	printf "node = { id = \"big\"; };\ncontrol = { socket = \"%s\";\n", ARGV[1]
	printf "  pid_file = \"%s\"; };\ngroups = (\n", ARGV[2]
	for (g = 1; g <= 6; g++) {
		printf "%s{ name = \"g%d\"; interface = \"eth1\"; vips = [", (g > 1 ? "," : ""), g
		for (i = 0; i < 4096; i++)
			printf "%s\"fd00:%d:%x::%x\"", i ? "," : "", 65, g, i + 4096
		printf "] }\n"
	}
	printf ");\n"
	exit
}' "$(vlab_sock big)" "$T/big.pid" >"$T/big.conf"
lab_ns big || lab_bail "could not make namespace big"
vlab_start big
tap_ok $? "big starts (6 groups, 24576 VIPs)"
tap_is "$(vlab_ctl big status | grep -c '^  conflicts   none$')" 6 \
	"big: status text says 'conflicts none' for each group"
big_size=$(vlab_ctl big status --json | wc -c)
tap_ok "$([ "$big_size" -gt 300000 ] && echo 0 || echo 1)" \
	"big's status answer is large ($big_size bytes)"

SOCK=$(vlab_sock big)
# raw_bg NAME ARGS...: a raw client in the background (killed on exit),
# output in $T/NAME.out: "connected" once it is, then its result line.
raw_bg() {
	local name="$1"
	shift
	lab_bg big "$T/$name.out" timeout 20 python3 "$T/raw.py" "$@"
	RAW_PIDS+=("$LAB_LASTPID")
}
connected() { grep -q '^connected$' "$T/$1.out"; }
result() { tail -n 1 "$T/$1.out"; }
RAW_PIDS=()
raw_bg idle idle "$SOCK" 15
raw_bg half half "$SOCK" 15
raw_bg noread noread "$SOCK" 8
# The three are connected, the noread one stuck in the middle of its answer.
lab_wait 5000 connected idle && lab_wait 5000 connected half &&
	lab_wait 5000 connected noread
tap_ok $? "three slow clients connected (one answer under way)"
t0=${EPOCHREALTIME//[.,]/}
vlab_ctl big ping >/dev/null
rc=$?
t1=${EPOCHREALTIME//[.,]/}
ms=$(((t1 - t0) / 1000))
echo "# ping with three slow clients connected: $ms ms"
tap_ok "$([ $rc = 0 ] && [ $ms -lt 1500 ] && echo 0 || echo 1)" \
	"slow clients: ping answered at once ($ms ms)"
n=$(vlab_ctl big status --json | jq '[.groups[].vips | length] | add')
tap_is "$n" 24576 "slow clients: a full status answer meanwhile"
for p in "${RAW_PIDS[@]}"; do lab_reap "$p" 20000; done
read -r how len ms <<<"$(result idle)"
echo "# idle client dropped after $ms ms"
tap_ok "$([ "$how" = eof ] && [ "$len" = 0 ] && [ "$ms" -ge 4000 ] && [ "$ms" -le 10000 ] && echo 0 || echo 1)" \
	"an idle client is dropped after the 5 s timeout ($how, $ms ms)"
read -r how len ms <<<"$(result half)"
tap_ok "$([ "$how" = eof ] && [ "$len" = 0 ] && [ "$ms" -ge 4000 ] && [ "$ms" -le 10000 ] && echo 0 || echo 1)" \
	"a half line is dropped after the timeout, unanswered ($how, $ms ms)"
read -r how len <<<"$(result noread)"
echo "# the non-reading client got $len of $big_size bytes, then $how"
tap_ok "$([ "$how" != timeout ] && [ "$len" -lt "$big_size" ] && echo 0 || echo 1)" \
	"a client that does not read is cut off ($how after $len of $big_size bytes)"
vlab_alive big && vlab_ctl big ping >/dev/null
tap_ok $? "big is alive and answers"

# More idle clients than the daemon holds (32): vipctl still gets in.
RAW_PIDS=()
raw_bg many many "$SOCK" 40 6
lab_wait 5000 grep -q open "$T/many.out"
t0=${EPOCHREALTIME//[.,]/}
vlab_ctl big ping >/dev/null
rc=$?
t1=${EPOCHREALTIME//[.,]/}
ms=$(((t1 - t0) / 1000))
tap_ok "$([ $rc = 0 ] && [ $ms -lt 1500 ] && echo 0 || echo 1)" \
	"40 idle clients held open: ping answered at once ($ms ms)"
lab_reap "${RAW_PIDS[0]}" 20000
tap_is "$LAB_STOP_RC" 0 "the 40 idle clients were held for 6 s and let go"

# ------------------------------------------------------------ stop
for n in big n2 n1; do
	vlab_stop_timed "$n"
	tap_is "$VLAB_STOP_RC" 0 "$n: SIGTERM: exit 0 ($VLAB_STOP_MS ms)"
done
tap_done
