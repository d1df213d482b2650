#!/bin/bash
# Replays after our own restart hold a failover off one dead interval at
# most (issue 14, item 5).  n1 (200) leads, n2 (100) follows; n1's
# heartbeats to n2 are captured (40, 4 s).  n1 loses power (port down) and
# n2 restarts; meanwhile the attacker a1 replays the capture from n1's
# address to n2, one datagram per 100 ms for 4 s.  The restarted n2 has
# never heard n1 in this boot: the replays pass the replay window (first
# contact), but n1's messages say it answers challenges (HELLO), n2
# challenges it, nobody echoes, and n1's records stop counting one dead
# interval after the first of them.  Before the fix n2 followed the
# "leader" for as long as the capture lasted.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
REPLAY="$top_srcdir/tests/tools/udpreplay.py"
vlab_begin "hr$$" 2 python3 tcpdump
lab_node a1 br0 eth1 10.61.0.66/24 || lab_bail "cannot add the attacker a1"

IP1=$(vlab_ip n1)
IP2=$(vlab_ip n2)
vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=100
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads, n2 follows"

lab_bg n2 "$T/hb.pcap.log" timeout 10 tcpdump -n -U -i eth1 -c 40 \
	-w "$T/hb.pcap" "udp dst port 7431 and src host $IP1"
lab_reap "$LAB_LASTPID" 8000
N=$(tcpdump -n -r "$T/hb.pcap" 2>/dev/null | wc -l)
tap_is "$N" 40 "captured 40 heartbeats of n1 on n2"

lab_unplug n1 eth1
vlab_stop n2
# a1 sends from n1's address without answering ARP for it.
lab_exec a1 ip addr add "$IP1/32" dev lo
lab_exec a1 sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
	net.ipv4.conf.eth1.arp_ignore=1
# n2's kernel counts the datagrams to its closed port (Udp NoPorts).
noports() { lab_exec n2 awk '/^Udp:/ { if (h) print $3; h = 1 }' /proc/net/snmp; }
np0=$(noports)
lab_bg a1 "$T/replay.log" timeout 10 python3 "$REPLAY" -r "$T/hb.pcap" \
	-s "$IP1" -b "$IP1" -t "$IP2" -n 40 -g 100
RP=$LAB_LASTPID
replaying() { [ "$(noports)" -gt "$np0" ]; }
lab_wait 3000 replaying || lab_bail "the replay did not start"
t0=$(lab_now_ms)
vlab_start n2 || lab_bail "n2 did not restart"
lab_wait 4000 vlab_gf_is n2 state leader
rc=$?
# When it took over (lo <= it <= took, in ms after t0).
vlab_state_since n2 "$t0"
lo=$VLAB_SINCE_LO took=$VLAB_SINCE_HI
tap_ok $rc "the restarted n2 takes over despite the replays"
echo "# n2 led $lo..$took ms after its restart (listen 300 ms, dead interval 300 ms)"
tap_ok "$([ "$rc" = 0 ] && [ "$took" -le 1500 ]; echo $?)" \
	"led $lo..$took ms after its restart (<= 1500: start-up + listen + one dead interval)"
! lab_gone "$RP"
tap_ok $? "the replay was still running then"
lab_reap "$RP" 6000
echo "# replay: $(cat "$T/replay.log")"
R=$(vlab_metric n2 .heartbeats.received)
tap_ge "$R" 25 "n2 accepted the replayed heartbeats (first contact): $R"
tap_is "$(vlab_gf n2 state) $(vlab_gf n2 transitions)" "leader 1" \
	"n2 kept leading through the rest of the replay"

# Restarts within one second: each boot's epoch must compare greater than
# the last (it held wall-clock seconds and random low bits: half of such
# restarts drew a smaller epoch, and the peer dropped that whole run's
# messages as replays, so neither counted the other).
lab_plug n1 eth1
hears() {
	[ "$(vlab_json "$1" "[.peers[] | select(.id == \"$2\") | .alive][0]")" = true ]
}
lab_wait 3000 hears n2 n1
tap_ok $? "n1 back on the LAN: n2 hears it"
heard=0
for i in 1 2 3 4 5 6; do
	vlab_stop n2 KILL
	vlab_start n2 || lab_bail "n2 did not restart ($i)"
	lab_wait 3000 eval 'hears n1 n2 && hears n2 n1' && heard=$((heard + 1))
done
tap_is "$heard" 6 "6 quick restarts of n2 (SIGKILL, start at once): n1 and n2 hear each other after each"

vlab_stop_ok n2
vlab_stop_ok n1
tap_done
