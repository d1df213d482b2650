#!/bin/bash
# The control socket never delays heartbeats (issue 14 item 10): n1 leads
# one group of 4,000 VIPs (a status answer of 63 KB) with n2 as its peer;
# 40 parallel vipctl status loops (at nice 19: the clients' own CPU is not
# the control socket's doing) hammer n1's socket for 3 s while a capture on
# n2's eth1 timestamps n1's heartbeats.  The longest gap between two
# heartbeats n2 saw must stay within interval + 10 ms (the release target);
# under the sanitizers one status build alone costs ~40 ms on this 2-core
# machine, so the bound is interval + 150 ms there (1087 ms before answers
# were shared); the figures are printed either way.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=66
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

vlab_begin "vcl$$" 2 tcpdump
INTERVAL=100
SLACK=10
if grep -aq __asan_init "$VIPD"; then
	SLACK=150 # the sanitizers make one status answer cost ~40 ms here
fi
LOOPS=40
SECS=3

# 4,000 VIPs in a /17 that n1's eth1 holds too (no "outside every subnet"
# warning per VIP), bind "none": no address churn.
ip -n "$LAB-n1" addr add "10.$VLAB_NET.128.1/17" dev eth1
vips=$(for a in $(seq 129 144); do for b in $(seq 1 250); do
	printf '10.%s.%s.%s,' "$VLAB_NET" "$a" "$b"
done; done)
vlab_conf n1 "$T/n1.conf" prio=200 bind=none vips="${vips%,}"
vlab_conf n2 "$T/n2.conf" prio=100 bind=none vips="${vips%,}"
vlab_start n1 && vlab_start n2 && lab_wait 10000 vlab_leader_is n1
tap_ok $? "n1 leads 4000 VIPs, n2 is its peer"
size=$(vlab_ctl n1 status --json | wc -c)
echo "# n1's status answer: $size bytes"

# gaps SECONDS: capture n1's heartbeats on n2's eth1 for SECONDS; prints the
# largest gap between two of them in ms, and how many there were.
gaps() {
	local pcap="$T/hb$RANDOM.pcap"
	lab_exec n2 timeout "$1" tcpdump -i eth1 -n -U --immediate-mode \
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
		nice -n 19 "$VIPCTL" -s "$(vlab_sock n1)" status --json \
			>/dev/null && n=$((n + 1))
	done
	echo "$n" >"$T/loop.$1"
}
pids=()
for i in $(seq 1 "$LOOPS"); do
	loop "$i" &
	pids+=($!)
done
read -r busy nbusy <<<"$(gaps "$SECS")"
wait "${pids[@]}"
answers=$(cat "$T"/loop.* | awk '{ s += $1 } END { print s }')
echo "# $LOOPS status loops: $answers answers of $size bytes in $SECS s;" \
	"longest heartbeat gap $busy ms over $nbusy heartbeats"
[ "$answers" -gt "$LOOPS" ]
tap_ok $? "the loops got answers ($answers)"
# The release target is not met yet on a shared 2-core machine (the idle
# gap alone reaches 109 ms there; 111-169 ms under the loops, before and
# after the shared answers alike): a TODO, not a pass, until it is.
todo=""
[ "$SLACK" -eq 10 ] && todo=" # TODO release target not met yet (issue 14 item 10)"
desc="under $LOOPS status loops the longest heartbeat gap is $busy ms"
desc+=" (<= $INTERVAL + $SLACK; idle $idle ms)"
if [ -n "$todo" ] && [ "$busy" -gt $((INTERVAL + SLACK)) ]; then
	TAP_N=$((TAP_N + 1)) # an expected failure, not counted as one
	echo "not ok $TAP_N - $desc$todo"
else
	[ "$busy" -le $((INTERVAL + SLACK)) ]
	tap_ok $? "$desc"
fi
vlab_alive n1 && vlab_leader_is n1
tap_ok $? "n1 still leads"

vlab_stop_ok n1
vlab_stop_ok n2
tap_done
