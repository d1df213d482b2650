#!/bin/bash
# The control socket never delays heartbeats (issue 14 item 10): n1 leads
# one group of 4,000 VIPs (a status answer of 63 KB) with n2 as its peer;
# 40 parallel vipctl status loops hammer n1's socket for 3 s while a capture
# on n1's eth1 timestamps n1's heartbeats as they leave.  Two phases:
#
# B. n1 runs as configured: process = { realtime_priority = 10; nice = -5; }
#    (SCHED_RR; status --json shows it), the clients at nice 0, i.e. real
#    CPU contention (40 busy processes on 2 cores: at default scheduling
#    the gaps reach 164-231 ms).  Skipped (TAP SKIP) when this machine
#    refuses SCHED_RR (`chrt -r 1 true` fails); n1 then runs with nice = -5
#    alone.
# A. n1 put back to default scheduling (chrt -o, renice 0: what it would be
#    without the process block), each whole client loop (the bash loop
#    too, not only vipctl) at nice 19, so that the clients' own CPU is not
#    counted against the control socket.  n1 measures the socket's own
#    share: the longest a status build held up a heartbeat that fell due
#    meanwhile (a build that would not end before the next heartbeat waits
#    until just after it), asserted <= 10 ms; the gap on the wire also
#    carries whatever else loads the machine (a nice-0 daemon shares the
#    CPUs), so its bound there is interval + 30 ms (102-112 ms measured at
#    a load average of 17).
#
# In B the longest gap between two heartbeats must stay within interval +
# 10 ms (release).  Under the sanitizers one status build alone
# costs ~40 ms on this 2-core machine, so the bound is interval + 150 ms
# there; the figures are printed either way.
#
# Also: an exec check's command (a child of n1) runs SCHED_OTHER at nice 0
# (SCHED_RESET_ON_FORK), and vipd started without the privilege for
# realtime_priority refuses to start, naming the key.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=66
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

vlab_begin "vcl$$" 2 tcpdump chrt renice setpriv jq
INTERVAL=100
SLACK=10   # B: interval + 10 ms on the wire (the issue's bound)
SLACK_A=30 # A: on the wire, at default scheduling, on a shared machine
HELD_MAX=10 # A: a status build holds a heartbeat at most 10 ms (in n1)
if grep -aq __asan_init "$VIPD"; then
	SLACK=150 # the sanitizers make one status answer cost ~40 ms here
	SLACK_A=150
	HELD_MAX=40
fi
LOOPS=40
SECS=3
RT=10
chrt -r 1 true 2>/dev/null || RT=0

# 4,000 VIPs in a /17 that n1's eth1 holds too (no "outside every subnet"
# warning per VIP), bind "none": no address churn.
ip -n "$LAB-n1" addr add "10.$VLAB_NET.128.1/17" dev eth1
vips=$(for a in $(seq 129 144); do for b in $(seq 1 250); do
	printf '10.%s.%s.%s,' "$VLAB_NET" "$a" "$b"
done; done)
vlab_conf n1 "$T/n1.conf" prio=200 bind=none vips="${vips%,}"
vlab_conf n2 "$T/n2.conf" prio=100 bind=none vips="${vips%,}"
# The check's command writes its own policy (0 = SCHED_OTHER) and nice.
cat >>"$T/n1.conf" <<EOF
process = { realtime_priority = $RT; nice = -5; };
checks = ( { name = "sched"; interval_ms = 500; exec = [ "/bin/sh", "-c",
	"awk '{ print \$41, \$19 }' /proc/\$\$/stat >$T/child.sched" ]; } );
EOF
vlab_start n1 && vlab_start n2 && lab_wait 10000 vlab_leader_is n1
tap_ok $? "n1 leads 4000 VIPs, n2 is its peer"
size=$(vlab_ctl n1 status --json | wc -c)
echo "# n1's status answer: $size bytes"

sched() { vlab_ctl n1 status --json |
	jq -r '.scheduling | "\(.policy) \(.priority) \(.nice) \(.reset_on_fork)"'; }
if [ "$RT" -gt 0 ]; then
	tap_is "$(sched)" "rr $RT -5 true" "n1 runs SCHED_RR $RT, nice -5"
else
	tap_is "$(sched)" "other 0 -5 true" "n1 runs nice -5 (no SCHED_RR here)"
fi
tap_match "$(vlab_ctl n1 status)" "^scheduling (rr priority $RT|other), nice -5$" \
	"plain status: one scheduling line"
lab_wait 3000 test -s "$T/child.sched"
tap_is "$(cat "$T/child.sched")" "0 0" \
	"an exec check's command runs SCHED_OTHER at nice 0"

# A user who asked for SCHED_RR without the privilege: vipd does not start.
chmod 711 "$T"
printf '%s\n' 'node = { id = "np"; };' "process = { realtime_priority = 10; };" \
	"control = { socket = \"$T/np.sock\"; pid_file = \"$T/np.pid\"; };" \
	'groups = ( { name = "g"; interface = "lo"; vips = [ "10.9.9.9" ]; } );' \
	>"$T/np.conf"
chmod 644 "$T/np.conf"
out=$(lab_exec n1 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps=-all "$VIPD" -f -c "$T/np.conf" 2>&1)
rc=$?
tap_is "$rc" 1 "unprivileged with realtime_priority: vipd does not start"
tap_match "$out" "process\.realtime_priority = 10: SCHED_RR refused: .*CAP_SYS_NICE" \
	"... saying which key and what it lacks"

# gaps SECONDS: capture n1's heartbeats on n1's own eth1 for SECONDS (the
# kernel stamps them as n1 sends them: what n2 sees also carries the
# bridge's and n2's softirq delays, which a loaded machine stretches even
# for a real-time sender); prints the largest gap between two of them in
# ms, and how many there were.
gaps() {
	local pcap="$T/hb$RANDOM.pcap"
	lab_exec n1 timeout "$1" tcpdump -i eth1 -Q out -n -U --immediate-mode \
		-w "$pcap" "udp and src host $(vlab_ip n1)" 2>/dev/null
	tcpdump -n -tt -r "$pcap" 2>/dev/null | awk '{ t = $1 * 1000
		if (n++ && t - p > max) max = t - p; p = t }
		END { printf "%d %d\n", max, n }'
}

read -r idle nidle <<<"$(gaps 2)"
echo "# idle: longest heartbeat gap $idle ms over $nidle heartbeats"

loop() {
	local end=$((SECONDS + SECS)) n=0
	while [ "$SECONDS" -lt "$end" ]; do
		"$VIPCTL" -s "$(vlab_sock n1)" status --json >/dev/null &&
			n=$((n + 1))
	done
	echo "$n" >"$T/loop.$1"
}

# hammer NICE: LOOPS status loops, each whole loop (bash and vipctl) at
# NICE, for SECS while the heartbeats are captured; sets busy (longest gap,
# ms), nbusy and answers, and asserts that the loops got answers.
hammer() {
	local i pids=()
	rm -f "$T"/loop.*
	for i in $(seq 1 "$LOOPS"); do
		(renice -n "$1" -p "$BASHPID" >/dev/null && loop "$i") &
		pids+=($!)
	done
	read -r busy nbusy <<<"$(gaps "$SECS")"
	wait "${pids[@]}"
	answers=$(cat "$T"/loop.* | awk '{ s += $1 } END { print s + 0 }')
	echo "# $LOOPS status loops at nice $1: $answers answers of $size" \
		"bytes in $SECS s; longest heartbeat gap $busy ms over $nbusy" \
		"heartbeats"
	# (nice 19 clients of an ASan vipd get ~45 answers in all)
	[ "$answers" -ge $((LOOPS / 2)) ]
	tap_ok $? "the loops at nice $1 got answers ($answers >= $((LOOPS / 2)))"
}

if [ "$RT" -gt 0 ]; then
	hammer 0
	[ "$busy" -le $((INTERVAL + SLACK)) ]
	tap_ok $? "B: n1 at SCHED_RR $RT, $LOOPS loops at nice 0: longest gap $busy ms (<= $INTERVAL + $SLACK; idle $idle ms)"
else
	TAP_N=$((TAP_N + 2))
	echo "ok $((TAP_N - 1)) # SKIP B: this machine refuses SCHED_RR"
	echo "ok $TAP_N # SKIP B: this machine refuses SCHED_RR"
fi

# A: n1 at default scheduling, the clients' own CPU out of the way.
chrt -o -p 0 "${VLAB_PIDS[n1]}" && renice -n 0 -p "${VLAB_PIDS[n1]}" >/dev/null
tap_is "$(sched)" "other 0 0 false" "A: n1 back at default scheduling"
hammer 19
# The control socket's own share, as n1 measured it: the longest a status
# build held up a heartbeat that fell due meanwhile (builds that would not
# end before the next heartbeat wait until just after it).
read -r built deferred held <<<"$(vlab_ctl n1 status --json | jq -r \
	'.control | "\(.answers_built) \(.answers_deferred) \(.heartbeat_delay_max_ms)"')"
echo "# A: n1 built $built shared answers, put $deferred off until after a" \
	"heartbeat; a build held a heartbeat up to $held ms"
[ "$held" -le "$HELD_MAX" ] && [ "$built" -gt 0 ]
tap_ok $? "A: no status build held a heartbeat more than $HELD_MAX ms ($held ms; $deferred of $built builds put off)"
# On the wire too, with room for what else loads the machine: a nice-0
# daemon shares the CPUs with every other runnable process.
[ "$busy" -le $((INTERVAL + SLACK_A)) ]
tap_ok $? "A: $LOOPS loops at nice 19: longest gap $busy ms (<= $INTERVAL + $SLACK_A; idle $idle ms)"
vlab_alive n1 && vlab_leader_is n1
tap_ok $? "n1 still leads"

vlab_stop_ok n1
vlab_stop_ok n2
tap_done
