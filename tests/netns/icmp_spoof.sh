#!/bin/bash
# A spoofed ICMP port-unreachable does not move the VIP (issue 14, item 2).
# n1 (200) leads, n2 (100) backs it up (interval 100 ms, dead after 3).
# The attacker a1, without the key, sends n2 ICMP port-unreachable errors
# "from" n1 quoting n2's heartbeats to n1, 20 a second for 5 s.  n2 only
# challenges n1 (an authenticated message n1 must echo at once); n1
# answers, so n2 never takes over and counts the errors as refuted.  A
# real crash of n1's vipd (SIGKILL) is still taken over within one
# interval + the challenge's bound (16 ms) + polling.  Before the fix the
# first forged error made n2 take over.  What a client sees: 3 TCP
# connections to the VIP, opened before the attack, echo every 100 ms
# through it and once after it, all served by n1, and no stack in the lab
# counts a reset (EstabResets on c1, OutRsts on the nodes).
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "hi$$" 2 python3 ss
lab_node a1 br0 eth1 10.61.0.66/24 || lab_bail "cannot add the attacker a1"

IP1=$(vlab_ip n1)
IP2=$(vlab_ip n2)
VIP=10.61.0.100
vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=100
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads, n2 follows"

# Long-lived connections to the VIP, opened before the attack.
for n in n1 n2; do
	vlab_tcp_serve "$n" || lab_bail "no TCP server on $n"
done
lab_wait 5000 vlab_answering n1 || lab_bail "n1 does not answer for the VIP"
read -r RC1 _ <<<"$(vlab_tcp_resets c1)"
read -r _ RN1 <<<"$(vlab_tcp_resets n1)"
read -r _ RN2 <<<"$(vlab_tcp_resets n2)"
vlab_tcp_hold c1 "$VIP" 7778 3 "$T/hold.log"
HOLD=$LAB_LASTPID
lab_wait 5000 grep -qx ready "$T/hold.log" ||
	lab_bail "c1 could not open its connections to the VIP"

# n2's heartbeat socket towards n1 (its source port), as an attacker
# would learn it from one captured heartbeat.
# n2 has one peer: its only UDP socket besides the heartbeat port's.
SPORT=$(lab_exec n2 ss -Huanp | awk '/vipd/ {
	n = split($4, a, ":"); if (a[n] != 7431) { print a[n]; exit } }')
[ -n "$SPORT" ] || lab_bail "no send socket of n2's vipd"
echo "# n2 sends its heartbeats to n1 from port $SPORT"

X=$(vlab_gf n2 transitions)
U0=$(vlab_metric n2 .peer_unreachable)
lab_bg a1 "$T/icmp.log" timeout 10 python3 -c "
import socket, struct, time
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def iphdr(src, dst, proto, plen):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + plen, 0, 0, 64, proto,
                    0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:]
# The quoted datagram: n2 -> n1:7431, as the kernel of n1 would quote it.
inner = iphdr('$IP2', '$IP1', 17, 8 + 120) + struct.pack('!HHHH', $SPORT,
                                                          7431, 128, 0)
icmp = struct.pack('!BBHI', 3, 3, 0, 0) + inner
icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
pkt = iphdr('$IP1', '$IP2', 1, len(icmp)) + icmp
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
n = 0
end = time.time() + 5
while time.time() < end:
    s.sendto(pkt, ('$IP2', 0))
    n += 1
    time.sleep(0.05)
print('sent', n, flush=True)
"
ICMP=$LAB_LASTPID
lab_reap "$ICMP" 8000
echo "# attacker: $(cat "$T/icmp.log")"
u=$(($(vlab_metric n2 .peer_unreachable) - U0))
tap_ge "$u" 80 "n2 received the forged errors ($u counted as peer_unreachable)"
tap_ge "$(vlab_metric n2 .peer_unreachable_refuted)" "$((u - 2))" \
	"n1 answered n2's challenges: $(vlab_metric n2 .peer_unreachable_refuted) refuted"
tap_is "$(vlab_gf n2 transitions) $(vlab_gf n2 state)" "$X backup" \
	"0 takeovers on n2 under 20 forged errors a second"
tap_is "$(vlab_leaders)" n1 "n1 still the only leader"

# The connections held through the attack: one more echo on each, then
# they close (FIN).
lab_stop "$HOLD" TERM
H=$T/hold.log
echo "# held: $(tail -n 1 "$H")"
tap_is "$(vlab_tcp_summary "$H" '"\(.conns) \(.failed) \(.final_ok)"')" "3 0 3" \
	"3 TCP connections to the VIP: 0 failed during the attack, each echoes after it"
tap_ge "$(vlab_tcp_summary "$H" .echoes)" 120 \
	"... $(vlab_tcp_summary "$H" .echoes) echoes in $(vlab_tcp_summary "$H" .rounds) rounds (100 ms apart)"
tap_is "$(vlab_tcp_summary "$H" \
	'[.nodes, .seen, .final_nodes | keys[]] | unique | join(" ")')" n1 \
	"... all served by n1"
read -r rc1 _ <<<"$(vlab_tcp_resets c1)"
read -r _ rn1 <<<"$(vlab_tcp_resets n1)"
read -r _ rn2 <<<"$(vlab_tcp_resets n2)"
tap_is "$((rc1 - RC1)) $((rn1 - RN1)) $((rn2 - RN2))" "0 0 0" \
	"0 resets: c1's EstabResets, n1's and n2's OutRsts"
vlab_tcp_unserve

# A real crash: n1's vipd killed, its port closed.
t0=$(lab_now_ms)
vlab_stop n1 KILL
lab_wait 3000 vlab_gf_is n2 state leader
rc=$?
# When it took over (lo <= it <= took, in ms after t0).
vlab_state_since n2 "$t0"
lo=$VLAB_SINCE_LO took=$VLAB_SINCE_HI
tap_ok $rc "n1's vipd killed: n2 takes over"
tap_is "$(vlab_gf n2 last_reason)" leader-unreachable "... as leader-unreachable"
echo "# takeover $lo..$took ms after SIGKILL (interval 100 ms, challenge 16 ms)"
# Bound: one interval (our next heartbeat draws the error) + 16 ms; the
# upper figure also holds the status query's time.
tap_ok "$([ "$rc" = 0 ] && [ "$lo" -le 150 ] && [ "$took" -le 500 ]; echo $?)" \
	"the takeover took $lo..$took ms (<= 150: interval + challenge + the kill)"

vlab_stop_ok n2
tap_done
