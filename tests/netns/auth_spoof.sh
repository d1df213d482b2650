#!/bin/bash
# Wrong-key datagrams forged "from" a peer's address decide nothing
# (issue 14, item 4).  n1 (200) leads, n2 (100) backs it up; the attacker
# c1, without the key, sends 20 datagrams/s from n1's address to n2's
# heartbeat port, well-formed but for their HMAC.  n2 counts them as
# rejected.hmac and says in status that n1's address fails authentication,
# but it must not go into a fault: when n1 then loses power (its switch
# port goes down), n2 takes over within the usual bound.  Before the fix
# n2's group went to fault "auth" and never took over while the forgery
# went on.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "vas$$" 2 python3

IP1=$(vlab_ip n1)
IP2=$(vlab_ip n2)
vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=100
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads, n2 follows"

# c1 sends from n1's address without answering ARP for it (the address on
# lo, arp_ignore=1): n2 keeps reaching the real n1.
lab_exec c1 ip addr add "$IP1/32" dev lo
lab_exec c1 sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
	net.ipv4.conf.eth1.arp_ignore=1
# 20/s for at most 15 s; stops by itself.
lab_bg c1 "$T/spoof.log" timeout 20 python3 -c "
import os, socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$IP1', 7431))
end = time.time() + 15
while time.time() < end:
    n = 120
    try:
        s.sendto(bytes([1, 1]) + struct.pack('>H', n) + os.urandom(n - 4),
                 ('$IP2', 7431))
    except OSError:
        pass
    time.sleep(0.05)
"
rejected_ge() { [ "$(vlab_metric n2 .heartbeats.rejected.hmac)" -ge "$1" ]; }
lab_wait 3000 rejected_ge 20
tap_ok $? "n2 counts the forgeries as rejected.hmac ($(vlab_metric n2 .heartbeats.rejected.hmac))"
failing() { [ "$(vlab_json n2 ".peers[] | select(.address == \"$IP1\") | .auth_failing")" = true ]; }
lab_wait 2000 failing
tap_ok $? "n2's status says n1's address fails authentication"
lab_never 1000 eval '[ "$(vlab_gf n2 fault)" != "" ]'
tap_ok $? "n2 is not in fault while the forgery goes on ($(vlab_gf n2 state), fault '$(vlab_gf n2 fault)')"
tap_is "$(vlab_gf n2 state) $(vlab_gf n2 leader)" "backup n1" "n2 still follows n1"

# Power-off of n1: its switch port goes down.
t0=$(lab_now_ms)
lab_unplug n1 eth1
lab_wait 3000 vlab_gf_is n2 state leader
tap_ok $? "n1 gone: n2 takes over despite the forgery"
took=$(($(lab_now_ms) - t0))
echo "# takeover $took ms after n1's port went down (dead interval 300 ms)"
# 300 ms dead interval (target: 500 ms at defaults, the benchmark's
# number); here also vipctl polling and a sanitized build: 1 s.
tap_ok "$([ "$took" -le 1000 ] && echo 0 || echo 1)" \
	"the takeover took $took ms (<= 1000: dead interval + polling)"
vlab_answering n2
tap_ok $? "n2 answers for the VIP"

vlab_stop_ok n2
lab_plug n1 eth1
vlab_stop_ok n1
tap_done
