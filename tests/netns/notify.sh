#!/bin/bash
# Notify hooks (issue 10): a keepalived-style script records its
# arguments and vipd's environment; the exact sequence of calls on start,
# takeover, handover, fault and stop is asserted on both nodes, and the
# notify FIFO gets the same lines in keepalived's format.  A second group
# "slow", whose script sleeps 10 s when n1 first becomes its MASTER, delays
# nothing else: the other group's scripts run meanwhile, the slow group's
# own election moves (release), and only its next notification on n1
# waits for the sleeper.  A script that hangs past notify_timeout_ms is
# killed with the children it forked, and counted.  n1's vip group tracks
# a failing check of weight -5: its $4 (and FIFO) is the effective
# priority, 195, as keepalived passes it.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "nt$$" 2

S="$T/notify.sh"
cat >"$S" <<SCRIPT
#!/bin/sh
# keepalived's arguments: GROUP name STATE priority
f="$T/\$VIPD_NODE.\$2.calls"
echo "start \$1 \$2 \$3 \$4 \$VIPD_STATE \$VIPD_PREV_STATE|\$VIPD_REASON|\$VIPD_VIPS|\$VIPD_INTERFACE" >>"\$f"
if [ "\$2" = slow ] && [ "\$3" = MASTER ] && [ "\$VIPD_NODE" = n1 ] &&
	[ ! -e "$T/slept" ]; then
	touch "$T/slept"
	sleep 10
fi
echo "end \$3" >>"\$f"
SCRIPT
chmod 755 "$S"

# n1 alone has a third group whose script hangs (and forks) past its
# 300 ms timeout: killed with its process group, counted each time.
H="$T/hang.sh"
printf '#!/bin/sh\nsleep 60 &\necho $! >>"%s"\nsleep 60\n' "$T/hang.pids" >"$H"
chmod 755 "$H"
for n in n1 n2; do
	p=200
	[ $n = n2 ] && p=100
	# n1's vip tracks a failing check of weight -5: its scripts and
	# FIFO get the effective priority, 195, as keepalived's do.
	if [ $n = n1 ]; then
		vlab_conf $n "$T/$n.conf" prio=$p \
			extra='track = [ { check = "drained"; weight = -5; } ];'
	else
		vlab_conf $n "$T/$n.conf" prio=$p
	fi
	# n2's slow group has its own script, which does not exist.
	x="notify_timeout_ms = 15000;"
	[ $n = n2 ] && x="notify = \"/nonexistent/notify\";"
	vlab_conf_group "$T/$n.conf" group=slow vips="10.$VLAB_NET.0.101" \
		extra="$x"
	[ $n = n1 ] && vlab_conf_group "$T/n1.conf" group=hang \
		vips="10.$VLAB_NET.0.102" \
		extra="notify = \"$H\"; notify_timeout_ms = 300;"
	echo "notify = \"$S\"; notify_fifo = \"$T/$n.fifo\";" >>"$T/$n.conf"
done
touch "$T/drained"
echo "checks = ( { name = \"drained\"; file = \"$T/drained\"; } );" >>"$T/n1.conf"
# vipd -t checks the scripts: n2's slow group names one that is missing.
lab_run "$T" lab_exec n2 "$VIPD" -t -c "$T/n2.conf"
tap_is "$RC" 1 "vipd -t: a missing notify script is an error"
tap_match "$ERR" "n2.conf:[0-9]*: groups\[1\]\.notify: /nonexistent/notify: No such file or directory" \
	"vipd -t: file:line: key: the script and why"
lab_run "$T" lab_exec n1 "$VIPD" -t -c "$T/n1.conf"
tap_is "$RC" 0 "vipd -t: n1's script is fine"

# n1's FIFO has a reader; n2's has none (its lines are dropped, counted).
mkfifo "$T/n1.fifo"
lab_bg n1 "$T/fifo.log" cat "$T/n1.fifo"
FIFOPID=$LAB_LASTPID

# The calls of NODE's GROUP, as "WORD PRIO" lines (start records only).
calls() { grep '^start' "$T/$1.$2.calls" 2>/dev/null | cut -d'|' -f1 |
	awk '{print $4, $5}' | paste -sd, -; }
calls_are() { [ "$(calls "$1" "$2")" = "$3" ]; }

vlab_start n1 || lab_bail "n1 did not start"
lab_wait 5000 calls_are n1 vip "BACKUP 195,MASTER 195"
tap_ok $? "n1 start: BACKUP then MASTER, effective priority ($(calls n1 vip))"
tap_is "$(vlab_gf n1 effective_priority)" 195 "n1: vip's effective priority 195 (200, check drained -5)"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 calls_are n2 vip "BACKUP 100"
tap_ok $? "n2 start: BACKUP ($(calls n2 vip))"
tap_is "$(grep '^start' "$T/n1.vip.calls" | head -1)" \
	"start GROUP vip BACKUP 195 backup |vipd started|10.$VLAB_NET.0.100|eth1" \
	"n1's first call: arguments and environment"

# The slow group: n1 leads it and its MASTER script sleeps 10 s.
lab_wait 5000 grep -q '^start GROUP slow MASTER' "$T/n1.slow.calls"
tap_ok $? "slow: n1's MASTER script started"
t0=$(date +%s%3N)

# Handover of vip while slow's script sleeps.
vlab_ctl n1 release vip >/dev/null
lab_wait 3000 calls_are n2 vip "BACKUP 100,MASTER 100"
tap_ok $? "handover: n2 MASTER ($(calls n2 vip))"
lab_wait 3000 calls_are n1 vip "BACKUP 195,MASTER 195,BACKUP 195"
tap_ok $? "handover: n1 BACKUP ($(calls n1 vip))"
tap_is "$(grep '^start GROUP vip MASTER' "$T/n2.vip.calls" | cut -d' ' -f6-)" \
	"leader backup|n1 handed over|10.$VLAB_NET.0.100|eth1" \
	"n2 MASTER: VIPD_STATE, VIPD_PREV_STATE, VIPD_REASON, VIPD_VIPS, VIPD_INTERFACE"

# Fault on n2 (carrier lost): n1 takes over.
lab_unplug n2 eth1
lab_wait 3000 calls_are n2 vip "BACKUP 100,MASTER 100,FAULT 100"
tap_ok $? "fault: n2 FAULT ($(calls n2 vip))"
lab_wait 3000 calls_are n1 vip "BACKUP 195,MASTER 195,BACKUP 195,MASTER 195"
tap_ok $? "takeover: n1 MASTER ($(calls n1 vip))"
lab_plug n2 eth1
lab_wait 3000 calls_are n2 vip "BACKUP 100,MASTER 100,FAULT 100,BACKUP 100"
tap_ok $? "fault cleared: n2 BACKUP ($(calls n2 vip))"

# Meanwhile the slow script still sleeps: its group's election moves.
t1=$(date +%s%3N)
echo "# vip's handover, fault and takeover ran $((t1 - t0)) ms into slow's 10 s script"
tap_ok "$(grep -q '^end MASTER' "$T/n1.slow.calls" && echo 1 || echo 0)" \
	"slow: n1's MASTER script still sleeps"
lab_wait 5000 vlab_leader_is n1 slow
# n1 hands over only to a peer it hears as an eligible backup.
n2_ready() {
	[ "$(vlab_json n1 '.groups[] | select(.name == "slow") | .peers[] |
		select(.id == "n2") | "\(.alive) \(.state) \(.priority)"')" = \
		"true backup 100" ]
}
lab_wait 5000 n2_ready
vlab_ctl n1 release slow >/dev/null
lab_wait 3000 vlab_leader_is n2 slow
tap_ok $? "slow: the release moves the group to n2 at once"
# BACKUP at start, FAULT and BACKUP with the unplugged link, MASTER.
failed_4() { [ "$(vlab_gf n2 counters.notify_failures slow)" = 4 ]; }
lab_wait 3000 failed_4
tap_ok $? "slow: n2's missing script failed 4 times, counted"
tap_is "$(vlab_gf n2 counters.notify_runs slow)" 4 "slow: ... and run 4 times"
tap_is "$(vlab_ctl n2 events --json | jq -r '[.events[] | select(.kind == "notify_failed")][-1] | [.group, .reason] | join(": ")')" \
	"slow: /nonexistent/notify MASTER: failed: No such file or directory" \
	"slow: the failure is in n2's event history"
vlab_ctl n2 status | grep -qx '  notify      4 script runs, 4 failed, 0 dropped'
tap_ok $? "slow: vipctl status shows the notify counters"
count() { grep -c "$1" "$T/$2" 2>/dev/null; }
tap_is "$(count '^start GROUP slow BACKUP' n1.slow.calls)" 1 \
	"slow: n1's BACKUP notification waits for the sleeper"
two_backups() { [ "$(count '^end BACKUP' n1.slow.calls)" = 2 ]; }
lab_wait 12000 two_backups
tap_ok $? "slow: n1's BACKUP script ran after the sleeper"
echo "# slow: n1's BACKUP ran $(($(date +%s%3N) - t0)) ms after the sleeper started"
tap_is "$(grep -E '^(start|end)' "$T/n1.slow.calls" | awk '{print $1, ($1 == "start" ? $4 : $2)}' | paste -sd, -)" \
	"start BACKUP,end BACKUP,start MASTER,end MASTER,start BACKUP,end BACKUP" \
	"slow: n1's calls in order, one at a time"
tap_is "$(vlab_gf n1 counters.notify_failures)" 0 "n1: no notify failure"
hang_failed() { [ "$(vlab_gf n1 counters.notify_failures hang)" -ge 2 ]; }
lab_wait 3000 hang_failed
tap_ok $? "hang: each run killed at its timeout and counted ($(vlab_gf n1 counters.notify_failures hang))"
tap_is "$(vlab_ctl n1 events --json | jq -r '[.events[] | select(.kind == "notify_failed" and .group == "hang")][0].reason')" \
	"$H BACKUP: timeout" "hang: the history says timeout"
left=""
while read -r p; do lab_gone "$p" || left="$left $p"; done <"$T/hang.pids"
tap_is "$left" "" "hang: the scripts' children were killed with them"
tap_ok "$([ "$(vlab_gf n1 counters.notify_runs)" -ge 4 ] && echo 0 || echo 1)" \
	"n1: notify runs counted ($(vlab_gf n1 counters.notify_runs))"
tap_ok "$([ "$(vlab_metric n2 .notify_fifo.dropped)" -ge 1 ] && echo 0 || echo 1)" \
	"n2: FIFO lines without a reader dropped and counted ($(vlab_metric n2 .notify_fifo.dropped))"

# A reload that names another FIFO: n2 writes its next lines (the STOPs)
# there.
mkfifo "$T/n2b.fifo"
lab_bg n2 "$T/fifo2.log" cat "$T/n2b.fifo"
FIFO2PID=$LAB_LASTPID
sed -i "s|$T/n2.fifo|$T/n2b.fifo|" "$T/n2.conf"
vlab_ctl n2 reload >/dev/null
tap_ok $? "n2: a reload names another FIFO"

# Stop: STOP on both.
vlab_stop_ok n2
lab_wait 3000 lab_gone "$FIFO2PID"
tap_is "$(grep -c ' STOP 100$' "$T/fifo2.log")" 2 \
	"n2: after the reload the STOP lines go to the new FIFO"
tap_is "$(calls n2 vip)" "BACKUP 100,MASTER 100,FAULT 100,BACKUP 100,STOP 100" \
	"n2: the whole sequence (start, handover, fault, stop)"
vlab_stop_ok n1
tap_is "$(calls n1 vip)" \
	"BACKUP 195,MASTER 195,BACKUP 195,MASTER 195,STOP 195" \
	"n1: the whole sequence (start, handover, takeover, stop)"
tap_ok "$(grep -q '^end STOP' "$T/n1.vip.calls" && echo 0 || echo 1)" \
	"n1: the STOP script finished before vipd exited"
lab_wait 3000 lab_gone "$FIFOPID"
# slow: BACKUP, MASTER, BACKUP (release), MASTER (n2 stopped), STOP.
tap_is "$(grep -c '"slow"' "$T/fifo.log")" 5 "FIFO: slow's five changes"
tap_is "$(grep '"vip"' "$T/fifo.log" | paste -sd, -)" \
	'GROUP "vip" BACKUP 195,GROUP "vip" MASTER 195,GROUP "vip" BACKUP 195,GROUP "vip" MASTER 195,GROUP "vip" STOP 195' \
	"FIFO: keepalived's format, vip's sequence"
tap_done
