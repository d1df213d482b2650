#!/bin/bash
# A VIP never shows up as ARP sender address on another NIC (issue 14 item
# 10).  In the Vagrant-like lab (eth0 management with the default route,
# eth1 LAN, tests/netns/vlab.sh: vlab_vagrant) with the route pin off, the
# replies to a client in another subnet leave n1's eth0 by the default
# route, and the kernel asks for the gateway's MAC there.  With
# arp_announce=2 on eth1 only, that ARP request said "tell VIP" on the
# management segment; vipd now raises net.ipv4.conf.all.arp_announce (bind
# "local") and puts the original values back at SIGTERM.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=65
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

vlab_routing_begin "vaa$$" 1 tcpdump

sysctls() {
	lab_exec n1 cat /proc/sys/net/ipv4/conf/all/arp_announce \
		/proc/sys/net/ipv4/conf/eth0/arp_announce \
		/proc/sys/net/ipv4/conf/eth1/arp_announce \
		/proc/sys/net/ipv4/conf/all/arp_ignore | tr '\n' ' '
}
before=$(sysctls)
echo "# sysctls before (all.arp_announce eth0 eth1 all.arp_ignore): $before"

VLAB_ROUTE=""
vlab_conf n1 "$TMP/n1.conf" pin=off
vlab_start n1 && lab_wait 5000 vlab_leader_is n1 &&
	lab_wait 5000 vlab_answering n1
tap_ok $? "pin off: n1 runs and leads"
tap_is "$(lab_exec n1 cat /proc/sys/net/ipv4/conf/all/arp_announce)" 2 \
	"n1: net.ipv4.conf.all.arp_announce=2"

# Capture ARP on n1's eth0, forget the gateway's MAC, and make the VIP
# answer the client: the echo replies leave eth0 (and die at the router's
# strict rp_filter), after an ARP request for the gateway.
lab_bg n1 "$TMP/cap.log" tcpdump -i eth0 -n -U --immediate-mode \
	-w "$TMP/arp.pcap" arp
CAP=$LAB_LASTPID
lab_wait 5000 grep -q "listening on" "$TMP/cap.log"
ip -n "$LAB-n1" neigh flush dev eth0
lab_exec c1 ping -c 3 -i 0.2 -W 1 "$VIP" >/dev/null 2>&1
asked() { tcpdump -n -r "$TMP/arp.pcap" 2>/dev/null | grep -c "who-has 192.168.121.1 "; }
lab_wait 3000 test "$(asked)" -gt 0
lab_stop "$CAP" INT
arp=$(tcpdump -n -r "$TMP/arp.pcap" 2>/dev/null)
tcpdump -n -r "$TMP/arp.pcap" 2>/dev/null | sed "s/^/# /"
[ "$(asked)" -gt 0 ]
tap_ok $? "n1 asked for the gateway's MAC on eth0 ($(asked) requests)"
tap_is "$(echo "$arp" | grep -c "tell $VIP\b")" 0 \
	"no ARP on n1's eth0 has the VIP as sender address"

vlab_stop_ok n1 "n1 exits 0 on SIGTERM"
tap_is "$(sysctls)" "$before" "the sysctls are back to their values before vipd"

tap_done
