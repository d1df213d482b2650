#!/bin/bash
# Forged data-plane proofs of life do not keep a dead leader alive
# (issue 14, item 3).  n1 (200) leads, n2 (100) backs it up, at the
# defaults (interval 100 ms, dead after 3).  n1 loses power (its switch
# port goes down) and the attacker a1 at once answers for the VIP with
# n1's MAC, 50 ARP replies a second to n2 (what n2's probes of a quiet
# leader would get from a live n1).  A proof of life on the data plane
# only postpones a takeover by one interval past the last authenticated
# heartbeat: n2 takes over within 500 ms all the same, and once leading it
# does not yield to frames of a peer it does not hear (it defends the VIP
# as against a stranger).  Before the fix each forged answer refreshed n1
# and n2 never took over.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "ha$$" 2 python3
lab_node a1 br0 eth1 10.61.0.66/24 || lab_bail "cannot add the attacker a1"

VIP=10.61.0.100
IP2=$(vlab_ip n2)
M1=$(vlab_mac n1)
M2=$(vlab_mac n2)
vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=100
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads, n2 follows"

# The attacker waits for $T/go, then for at most 5 s sends "VIP is at
# n1's MAC" to n2 every 20 ms (Ethernet source n1's MAC too).
lab_bg a1 "$T/forge.log" timeout 10 python3 -c "
import os, socket, time
mac = lambda s: bytes(int(x, 16) for x in s.split(':'))
ip = lambda s: socket.inet_aton(s)
m1, m2 = mac('$M1'), mac('$M2')
f = (m2 + m1 + b'\x08\x06' + b'\x00\x01\x08\x00\x06\x04\x00\x02' +
     m1 + ip('$VIP') + m2 + ip('$IP2'))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('eth1', 0))
print('ready', flush=True)
end = time.time() + 8
while not os.path.exists('$T/go') and time.time() < end:
    time.sleep(0.002)
n = 0
end = time.time() + 5
while time.time() < end:
    s.send(f)
    n += 1
    time.sleep(0.02)
print('sent', n, flush=True)
"
FORGE=$LAB_LASTPID
ready() { grep -q ready "$T/forge.log"; }
lab_wait 3000 ready || lab_bail "the attacker did not start"

t0=$(lab_now_ms)
lab_unplug n1 eth1
touch "$T/go"
lab_wait 3000 vlab_gf_is n2 state leader
rc=$?
# When it took over (lo <= it <= took, in ms after t0).
vlab_state_since n2 "$t0"
lo=$VLAB_SINCE_LO took=$VLAB_SINCE_HI
tap_ok $rc "n1 gone: n2 takes over despite the forged answers"
echo "# takeover $lo..$took ms after n1's port went down (defaults: 100 ms x 3)"
# Target 500 ms; the upper bound also holds the status query's time.
tap_ok "$([ "$rc" = 0 ] && [ "$lo" -le 500 ] && [ "$took" -le 800 ]; echo $?)" \
	"the takeover took $lo..$took ms (<= 500, + the query's time)"
tap_is "$(vlab_gf n2 last_reason)" leader-dead "... as leader-dead"
vlab_answering n2
tap_ok $? "n2 answers for the VIP"
# The forgery goes on (n1's MAC, n1 ranking higher): as leader n2 neither
# yields to it nor flaps; it defends the VIP instead.
X=$(vlab_gf n2 transitions)
tr_not() { [ "$(vlab_gf n2 transitions)" != "$X" ]; }
lab_never 1500 tr_not
tap_ok $? "n2 stays leader under the forgery (no transition in 1.5 s)"
tap_ge "$(vlab_gf n2 counters.defences)" 1 \
	"n2 defends the VIP against the forged claims ($(vlab_gf n2 counters.defences))"
lab_reap "$FORGE" 7000
echo "# attacker: $(tail -1 "$T/forge.log")"

vlab_stop_ok n2
lab_plug n1 eth1
vlab_stop_ok n1
tap_done
