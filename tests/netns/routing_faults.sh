#!/bin/bash
# The route pin when the host does not cooperate (the Vagrant layout of
# vlab_vagrant; every daemon alone, without peers):
#
# - gateway discovery: without route.gateway, a default route on eth1 in
#   the main table is used (and followed when it changes); without one,
#   `vipd -t` exits 1 naming the group and the setting to fix, and the
#   daemon runs with the group in fault "netlink" (other groups keep
#   working) until a default route appears on eth1;
# - a table that already holds someone else's route: the group is in
#   fault "netlink" naming the table, the daemon and its other groups run
#   on, and removing the foreign route clears the fault;
# - the group interface deleted while leading: fault "no-interface", no
#   crash, VIP and rules removed; a new eth1 brings the group back, with
#   its table on the new interface and arp_ignore set on it again (pin
#   "leader" and "always"); losing the gateway's subnet on eth1 faults the
#   group until the address is back;
# - bind "interface" with arp_ignore=0: warnings only, the daemon leads.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=64
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

vlab_routing_begin "vtr3$$" 3
ROUTE_NOGW="table = $TABLE; priority = $PRIO;"
ROUTE_GW="$ROUTE_NOGW gateway = \"$GW\"; gateway6 = \"$GW6\";"

ipn() {
	local n="$1"
	shift
	ip -n "$LAB-$n" "$@"
}
since() { echo $((($(date +%s%N) - $1) / 1000000)); }
running() { vlab_ctl "$1" ping >/dev/null 2>&1; }
vcheck() { lab_exec "$1" "$VIPD" -t -c "$TMP/$1.conf" 2>&1; }

# --- gateway discovery ----------------------------------------------------------
VLAB_ROUTE="$ROUTE_NOGW"
vlab_conf n1 "$TMP/n1.conf" peers=none vips="$VIP,$VIP6" pin=leader
vlab_conf n2 "$TMP/n2.conf" peers=none vips="$VIP,$VIP6" pin=leader
vlab_conf_group "$TMP/n2.conf" group=plain vips=10.64.0.120
ipn n1 route add default via "$GW" dev eth1 metric 500
ipn n1 -6 route add default via "$GW6" dev eth1 metric 500

out=$(vcheck n1)
tap_is "$?" 0 "discovery: vipd -t accepts the config where eth1 has default routes"
out=$(vcheck n2)
tap_is "$?" 1 "discovery: vipd -t exits 1 where eth1 has no default route"
echo "$out" | grep -q "group 'vip'" && echo "$out" | grep -q 'route\.gateway'
tap_ok $? "discovery: the message names the group and route.gateway"
echo "# vipd -t: $(echo "$out" | head -1)"

vlab_start n1 && lab_wait 5000 vlab_answering n1
tap_ok $? "discovery: n1 leads"
vlab_table n1 4 | grep -q "^default via $GW dev eth1"
tap_ok $? "discovery: n1's table uses eth1's IPv4 default route"
vlab_table n1 6 | grep -q "^default via $GW6 dev eth1"
tap_ok $? "discovery: n1's table uses eth1's IPv6 default route"
ipn n1 route add default via 10.64.0.253 dev eth1 metric 400
new_gw() { vlab_table n1 4 | grep -q '^default via 10.64.0.253 dev eth1'; }
lab_wait 3000 new_gw
tap_ok $? "discovery: a better default route on eth1 becomes the table's"
ipn n1 route del default via 10.64.0.253 dev eth1 metric 400
old_gw() { vlab_table n1 4 | grep -q "^default via $GW dev eth1"; }
lab_wait 3000 old_gw
tap_ok $? "discovery: ... and its removal brings the previous one back"
vlab_stop_ok n1 "discovery: n1 exits 0 on SIGTERM"

vlab_start n2
running n2
tap_ok $? "no gateway: the daemon runs"
tap_is "$(vlab_gf n2 fault)" netlink "no gateway: the group is in fault \"netlink\""
vlab_gf n2 fault_text | grep -q 'route\.gateway'
tap_ok $? "no gateway: fault_text says what to set ($(vlab_gf n2 fault_text))"
tap_is "$(vlab_gf n2 state)" fault "no gateway: state fault"
tap_is "$(vlab_rules n2)" "" "no gateway: no rule installed"
lab_wait 5000 vlab_answering n2 plain
tap_ok $? "no gateway: the daemon's other group leads"
ipn n2 route add default via "$GW" dev eth1 metric 500
ipn n2 -6 route add default via "$GW6" dev eth1 metric 500
t0=$(date +%s%N)
lab_wait 5000 vlab_answering n2
rc=$?
tap_ok $rc "no gateway: default routes on eth1 clear the fault ($(since "$t0") ms)"
tap_is "$(vlab_rules n2 | wc -l)" 2 "no gateway: then the rules go in"
vlab_stop_ok n2 "no gateway: n2 exits 0 on SIGTERM"

# --- a table in use by someone else -----------------------------------------------
VLAB_ROUTE="$ROUTE_GW"
ipn n1 route add 10.64.77.0/24 dev eth1 table "$TABLE"
vlab_conf n1 "$TMP/n1.conf" peers=none vips="$VIP,$VIP6" pin=leader
VLAB_ROUTE="table = 6465; priority = 1235; gateway = \"$GW\";"
vlab_conf_group "$TMP/n1.conf" group=other vips=10.64.0.110 pin=leader
VLAB_ROUTE="$ROUTE_GW"
vlab_start n1 && lab_wait 5000 vlab_answering n1 other
tap_ok $? "table in use: the daemon runs, the other group leads"
tap_is "$(vlab_gf n1 fault)" netlink "table in use: the group is in fault \"netlink\""
vlab_gf n1 fault_text | grep -q "table $TABLE"
tap_ok $? "table in use: fault_text names the table ($(vlab_gf n1 fault_text))"
tap_is "$(vlab_rules n1 | grep -c "lookup $TABLE")" 0 \
	"table in use: no rule into table $TABLE"
tap_is "$(vlab_table n1 4 | wc -l) $(vlab_table n1 4 | grep -c '^10\.64\.77\.0/24 dev eth1')" \
	"1 1" "table in use: the foreign route is untouched and alone"
tap_is "$(vlab_rules n1 | grep -c 'from 10.64.0.110 lookup 6465')" 1 \
	"table in use: the other group's rule is in"
vlab_table n1 4 6465 | grep -q "^default via $GW dev eth1"
tap_ok $? "table in use: the other group's table is in"
ipn n1 route del 10.64.77.0/24 dev eth1 table "$TABLE"
t0=$(date +%s%N)
lab_wait 5000 vlab_answering n1
rc=$?
tap_ok $rc "table in use: removing the foreign route clears the fault ($(since "$t0") ms)"
tap_is "$(vlab_rules n1 | grep -c "lookup $TABLE")" 2 \
	"table in use: then the group's rules go in"
vlab_stop_ok n1 "table in use: n1 exits 0 on SIGTERM"
tap_is "$(vlab_rules n1)$(vlab_table n1 4)$(vlab_table n1 4 6465)" "" \
	"table in use: nothing left"

# --- the interface goes away and comes back ------------------------------------
vlab_conf n3 "$TMP/n3.conf" peers=none vips="$VIP,$VIP6" pin=leader
VLAB_ROUTE="table = 6466; priority = 1236; gateway = \"$GW\";"
vlab_conf_group "$TMP/n3.conf" group=alw vips=10.64.0.130 pin=always
VLAB_ROUTE="$ROUTE_GW"
vlab_start n3 && lab_wait 5000 vlab_answering n3 &&
	lab_wait 5000 vlab_answering n3 alw
tap_ok $? "no interface: n3 leads both groups"
ip -n "$LAB_SW" link del "$(lab_port n3 eth1)"
lab_wait 5000 vlab_gf_is n3 fault no-interface
tap_ok $? "no interface: deleting eth1 puts the group in fault no-interface"
running n3
tap_ok $? "no interface: the daemon runs on"
vip_gone() { ! vlab_lo_has n3 "$VIP/32" && ! vlab_rules n3 | grep -q "lookup $TABLE"; }
lab_wait 5000 vip_gone
tap_ok $? "no interface: the VIP and the leader's rules are removed"
lab_node n3 br0 eth1 10.64.0.3/24 fd00:64::3/64 ||
	lab_bail "could not give n3 a new eth1"
lab_wait 5000 vlab_answering n3 && lab_wait 5000 vlab_gf_is n3 fault ""
tap_ok $? "no interface: a new eth1 brings the group back to leader"
back() {
	vlab_table n3 4 | grep -q "^default via $GW dev eth1" &&
		vlab_table n3 6 | grep -q "^default via $GW6 dev eth1" &&
		vlab_table n3 4 6466 | grep -q "^default via $GW dev eth1" &&
		vlab_lo_has n3 "$VIP/32"
}
lab_wait 5000 back
tap_ok $? "no interface: tables (pin leader and always) and VIP back on the new eth1"
tap_is "$(vlab_rules n3 | wc -l)" 3 "no interface: one rule per VIP again"
# The kernel applies the larger of "all" and the interface's value (vipd
# raises both arp_ignore and arp_announce on "all" for bind "local").
arp_eff() {
	local a i
	a=$(lab_exec n3 cat "/proc/sys/net/ipv4/conf/all/$1")
	i=$(lab_exec n3 cat "/proc/sys/net/ipv4/conf/eth1/$1")
	echo $((a > i ? a : i))
}
tap_is "$(arp_eff arp_ignore)" 1 \
	"no interface: arp_ignore=1 in effect on the new eth1"
tap_is "$(arp_eff arp_announce)" 2 \
	"no interface: arp_announce=2 in effect on the new eth1"
# The gateway's subnet leaves eth1: the pin cannot be restored, the group
# hands over (fault) instead of leading with replies going astray.
ipn n3 addr del 10.64.0.3/24 dev eth1
lab_wait 5000 vlab_gf_is n3 fault netlink
tap_ok $? "subnet lost: the group is in fault \"netlink\" ($(vlab_gf n3 fault_text))"
ipn n3 addr add 10.64.0.3/24 dev eth1
lab_wait 5000 vlab_answering n3 && lab_wait 5000 back
tap_ok $? "subnet lost: the address back, the group leads with its pin again"
vlab_stop_ok n3 "no interface: n3 exits 0 on SIGTERM"

# --- bind interface with arp_ignore=0 ------------------------------------------------
lab_exec n2 sysctl -qw net.ipv4.conf.all.arp_ignore=0 \
	net.ipv4.conf.eth1.arp_ignore=0
vlab_conf n2 "$TMP/n2.conf" peers=none vips="$VIP" pin=leader bind=interface
vlab_start n2 && lab_wait 5000 vlab_answering n2
tap_ok $? "arp_ignore=0, bind interface: the daemon leads"
ipn n2 addr show dev eth1 | grep -q "inet $VIP/32 "
tap_ok $? "arp_ignore=0, bind interface: the VIP is on eth1"
tap_is "$(lab_exec n2 cat /proc/sys/net/ipv4/conf/eth1/arp_ignore)" 0 \
	"arp_ignore=0, bind interface: vipd leaves the sysctl alone"
vlab_stop_ok n2 "bind interface: n2 exits 0 on SIGTERM"

tap_done
