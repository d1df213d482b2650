#!/bin/bash
# The routing issue end to end, in the layout that made vipd necessary: a
# Vagrant/libvirt VM whose default route leaves through the management NIC
# (eth0, via 192.168.121.1) while the VIP lives on eth1.  A client in
# another subnet reaches the VIP through a router with strict reverse-path
# filtering (rp_filter=1; nftables' fib check for IPv6), so a reply must
# come back through the router's LAN leg (tests/netns/vlab.sh:
# vlab_vagrant).  Two vipd nodes, tcpsvc on both.
#
# - pin off: TCP from the client to the VIP fails, over IPv4 and IPv6; the
#   replies from the VIP leave the leader's eth0 and the router's
#   reverse-path counters show where they died;
# - pin on (route block, gateway = the router's LAN address): TCP works,
#   tcpdump on the leader's eth0 sees no packet from the VIP, and the
#   leader has exactly one rule per VIP (priority, table, protocol 77), a
#   table with the default via the gateway and eth1's subnet, the VIP on
#   lo, arp_ignore/arp_announce on eth1, and an untouched main table;
#   the backup has none of it; after a failover the other node serves;
# - pin "always": the backup has the rules and the table too; bind
#   "interface" puts the VIP on eth1; bind "none" adds no address;
# - every daemon exits 0 on SIGTERM and leaves nothing behind.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=64
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
TOOLS="$top_builddir/bench/tools"

vlab_routing_begin "vtr1$$" 2 tcpdump nft "$TOOLS/tcpsvc"
VLAB_ROUTE="table = $TABLE; priority = $PRIO; gateway = \"$GW\";
  gateway6 = \"$GW6\";"

for n in n1 n2; do
	lab_bg "$n" "$TMP/tcpsvc-$n.log" "$TOOLS/tcpsvc" -n "$n"
done

# conf_both KEY=VALUE...: n1 (priority 200) and n2 (100), both VIPs.
conf_both() {
	vlab_conf n1 "$TMP/n1.conf" prio=200 vips="$VIP,$VIP6" "$@"
	vlab_conf n2 "$TMP/n2.conf" prio=100 vips="$VIP,$VIP6" "$@"
}

start_both() {
	vlab_start n1 && vlab_start n2 && lab_wait 5000 vlab_leader_is n1 &&
		lab_wait 5000 vlab_answering n1
	tap_ok $? "$1: both daemons run, n1 leads"
}

lo_addrs() { ip -n "$LAB-$1" addr show dev "${2:-lo}" | grep -Eo 'inet6? [^ ]+'; }
has_vip_on() { lo_addrs "$1" "$2" | grep -Eqx "inet6? ($VIP/32|$VIP6/128)"; }
sysctl4() { lab_exec "$1" cat "/proc/sys/net/ipv4/conf/eth1/$2"; }
installed() { vlab_json "$1" '.groups[0].route.installed'; }

# nothing_left NODE DESC: no rule, table route or VIP of vipd on NODE.
nothing_left() {
	[ -z "$(vlab_rules "$1")" ] && [ -z "$(vlab_table "$1" 4)$(vlab_table "$1" 6)" ] &&
		! has_vip_on "$1" lo && ! has_vip_on "$1" eth1
	tap_ok $? "$2: $1 has no vipd rule, table route or VIP"
}

# Capture on a node's eth0: packets from either VIP, and ICMP as a check
# that the capture runs.
cap_start() {
	: >"$TMP/cap.log"
	lab_bg "$1" "$TMP/cap.log" tcpdump -i eth0 -n -U --immediate-mode -w "$TMP/cap.pcap" \
		"src host $VIP or src host $VIP6 or icmp"
	CAP=$LAB_LASTPID
	lab_wait 5000 grep -q "listening on" "$TMP/cap.log"
}
cap_stop() { lab_stop "$CAP" INT; }
cap_count() { tcpdump -n -r "$TMP/cap.pcap" "$1" 2>/dev/null | wc -l; }

# The router's reverse-path drops: IPv4 (TcpExt IPReversePathFilter) and
# the IPv6 nftables rule's counter.
rpf4() {
	# shellcheck disable=SC2016 # awk's own variables
	lab_exec r awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++)
		n[i] = $i; h = 1 } else for (i = 1; i <= NF; i++)
		if (n[i] == "IPReversePathFilter") print $i }' /proc/net/netstat
}
rpf6() {
	lab_exec r nft list chain ip6 vlab_rpf pre |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}

# --- pin off: the asymmetric-routing trap -----------------------------------
conf_both pin=off
start_both "pin off"
tap_is "$(vlab_rules n1)" "" "pin off: no rule with vipd's protocol on n1"
r4=$(rpf4)
r6=$(rpf6)
cap_start n1
tap_is "$(vlab_tcp_name c1 "$VIP")" "" \
	"pin off: TCP from the client's subnet to the IPv4 VIP fails"
tap_is "$(vlab_tcp_name c1 "$VIP6")" "" \
	"pin off: TCP from the client's subnet to the IPv6 VIP fails"
cap_stop
c4=$(cap_count "src host $VIP")
c6=$(cap_count "src host $VIP6")
[ "$c4" -gt 0 ]
tap_ok $? "pin off: replies from the VIP left n1's eth0 ($c4 packets)"
[ "$c6" -gt 0 ]
tap_ok $? "pin off: replies from the IPv6 VIP left n1's eth0 ($c6 packets)"
n4=$(rpf4)
n6=$(rpf6)
[ "$n4" -gt "$r4" ]
tap_ok $? \
	"pin off: the router's strict rp_filter dropped them ($r4 -> $n4)"
[ "$n6" -gt "$r6" ]
tap_ok $? \
	"pin off: the router's IPv6 reverse-path check dropped them ($r6 -> $n6)"
vlab_stop_ok n1 "pin off: n1 exits 0 on SIGTERM"
vlab_stop_ok n2 "pin off: n2 exits 0 on SIGTERM"

# --- pin on: replies leave eth1 ---------------------------------------------
main_before=$(ip -n "$LAB-n1" -4 route show table main
	ip -n "$LAB-n1" -6 route show table main)
conf_both pin=leader
start_both "pin leader"
cap_start n1
tap_is "$(vlab_tcp_name c1 "$VIP")" n1 \
	"pin: TCP from the client's subnet to the IPv4 VIP reaches n1"
tap_is "$(vlab_tcp_name c1 "$VIP6")" n1 \
	"pin: TCP from the client's subnet to the IPv6 VIP reaches n1"
lab_exec n1 ping -c 1 -W 2 192.168.121.1 >/dev/null 2>&1
icmp_seen() { [ "$(cap_count icmp)" -gt 0 ]; }
lab_wait 3000 icmp_seen
cap_stop
tap_is "$(cap_count "src host $VIP")" 0 "pin: no packet from the VIP on n1's eth0"
tap_is "$(cap_count "src host $VIP6")" 0 \
	"pin: no packet from the IPv6 VIP on n1's eth0"
[ "$(cap_count icmp)" -gt 0 ]
tap_ok $? \
	"pin: the capture on eth0 did see n1's own ping to the gateway"

# What the leader installed.
rules=$(vlab_rules n1)
tap_is "$(echo "$rules" | wc -l)" 2 "pin: n1 has one rule per VIP"
echo "$rules" | grep -Eq "^$PRIO:[[:space:]]+from $VIP lookup $TABLE proto (77|vipd)"
tap_ok $? "pin: rule '$PRIO: from $VIP lookup $TABLE proto 77'"
echo "$rules" | grep -Eq "^$PRIO:[[:space:]]+from $VIP6 lookup $TABLE proto (77|vipd)"
tap_ok $? "pin: rule '$PRIO: from $VIP6 lookup $TABLE proto 77'"
t4=$(vlab_table n1 4)
tap_is "$(echo "$t4" | wc -l)" 2 "pin: table $TABLE (IPv4) holds two routes"
echo "$t4" | grep -Eq "^default via $GW dev eth1 proto (77|vipd)"
tap_ok $? "pin: IPv4 default via the router's LAN address dev eth1"
echo "$t4" | grep -Eq "^10\.64\.0\.0/24 dev eth1 proto (77|vipd) scope link"
tap_ok $? "pin: eth1's IPv4 subnet in the table"
t6=$(vlab_table n1 6)
tap_is "$(echo "$t6" | wc -l)" 2 "pin: table $TABLE (IPv6) holds two routes"
echo "$t6" | grep -Eq "^default via $GW6 dev eth1 proto (77|vipd)"
tap_ok $? "pin: IPv6 default via the router's LAN address dev eth1"
echo "$t6" | grep -Eq "^fd00:64::/64 dev eth1 proto (77|vipd)"
tap_ok $? "pin: eth1's IPv6 subnet in the table"
tap_is "$(lo_addrs n1 | grep -Ec "^inet6? ($VIP/32|$VIP6/128)$")" 2 \
	"bind local: both VIPs on n1's lo"
! has_vip_on n1 eth1
tap_ok $? "bind local: no VIP on n1's eth1"
tap_is "$(sysctl4 n1 arp_ignore) $(sysctl4 n1 arp_announce)" "1 2" \
	"bind local: arp_ignore=1 and arp_announce=2 on eth1"
tap_is "$(ip -n "$LAB-n1" -4 route show table main
	ip -n "$LAB-n1" -6 route show table main)" "$main_before" \
	"pin: n1's main table is untouched"
tap_is "$(installed n1) $(installed n2)" "true false" \
	"status: route.installed on the leader only"
nothing_left n2 "pin leader, backup"

# Failover: the other node serves, the first leaves nothing behind.
vlab_stop_ok n1 "pin leader: n1 exits 0 on SIGTERM"
lab_wait 5000 vlab_leader_is n2 && lab_wait 5000 vlab_answering n2
tap_ok $? "pin: n2 takes over"
tap_is "$(vlab_tcp_name c1 "$VIP")" n2 "pin: after failover TCP reaches n2"
tap_is "$(vlab_tcp_name c1 "$VIP6")" n2 \
	"pin: after failover TCP over IPv6 reaches n2"
nothing_left n1 "pin leader, stopped"
vlab_stop_ok n2 "pin leader: n2 exits 0 on SIGTERM"
nothing_left n2 "pin leader, stopped"

# --- pin always, bind interface -----------------------------------------------
conf_both pin=always bind=interface
start_both "pin always"
tap_is "$(vlab_rules n2 | wc -l) $(vlab_table n2 4 | wc -l) $(vlab_table n2 6 | wc -l)" \
	"2 2 2" "pin always: the backup has the rules and the tables too"
tap_is "$(installed n1) $(installed n2)" "true true" \
	"pin always: route.installed on both"
tap_is "$(lo_addrs n1 eth1 | grep -Ec "^inet6? ($VIP/32|$VIP6/128)$")" 2 \
	"bind interface: both VIPs on n1's eth1"
! has_vip_on n1 lo
tap_ok $? "bind interface: no VIP on n1's lo"
! has_vip_on n2 eth1
tap_ok $? "bind interface: no VIP on the backup's eth1"
tap_is "$(vlab_tcp_name c1 "$VIP")" n1 "bind interface: TCP reaches n1"
tap_is "$(vlab_tcp_name c1 "$VIP6")" n1 "bind interface: TCP over IPv6 reaches n1"
vlab_stop_ok n1 "pin always: n1 exits 0 on SIGTERM"
vlab_stop_ok n2 "pin always: n2 exits 0 on SIGTERM"
nothing_left n1 "pin always"
nothing_left n2 "pin always"

# --- bind none ----------------------------------------------------------------
conf_both pin=leader bind=none
start_both "bind none"
tap_is "$(vlab_rules n1 | wc -l) $(vlab_table n1 4 | wc -l)" "2 2" \
	"bind none: the leader pins the route"
! has_vip_on n1 lo && ! has_vip_on n1 eth1
tap_ok $? "bind none: no VIP address on the leader"
vlab_stop_ok n1 "bind none: n1 exits 0 on SIGTERM"
vlab_stop_ok n2 "bind none: n2 exits 0 on SIGTERM"
nothing_left n1 "bind none"

tap_done
