#!/bin/bash
# What vipd installs survives crashes, hand edits and shared use, and what
# it did not install is never touched (the Vagrant layout of vlab_vagrant,
# two nodes, bind "local", pin "leader"):
#
# - entries vipd did not make — a rule with the same selector as ours at
#   another priority, one for another address, a route in another table,
#   an address on lo, and the VIP itself added by hand before vipd starts —
#   are left exactly as they were through start, kill -9, restart and a
#   clean stop; the hand-made VIP is adopted (one copy) and stays after
#   vipd stops;
# - kill -9 while leading, restart: exactly one copy of each rule, route
#   and address; after SIGTERM (exit 0) none of vipd's remain;
# - reconcile: rules, VIP addresses and table default routes deleted by
#   hand while leading come back within 2 heartbeat intervals (+ slack),
#   and metrics.reconciled counts them;
# - shared tables: three groups pin into one table; handing one over to
#   the peer (vipctl release) and removing another by reload keep the
#   shared default route for the last one; when that one goes too, the
#   table is empty.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=64
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

vlab_routing_begin "vtr2$$" 2
VIP2=10.64.0.101
VIP3=10.64.0.102
INTERVAL=200
# Reconcile bound: two heartbeat intervals plus slack for a loaded CI
# machine running the daemon under ASan.
BOUND=$((2 * INTERVAL + 1000))
VLAB_ROUTE="table = $TABLE; priority = $PRIO; gateway = \"10.64.0.254\";
  gateway6 = \"fd00:64::254\";"

n1() { ip -n "$LAB-n1" "$@"; }

# counts NODE: vipd rules, IPv4 / IPv6 table routes, copies of the VIPs on lo.
counts() {
	echo "$(vlab_rules "$1" | wc -l) $(vlab_table "$1" 4 | wc -l)" \
		"$(vlab_table "$1" 6 | wc -l)" \
		"$(ip -n "$LAB-$1" addr show dev lo | grep -c "inet $VIP/32 ")" \
		"$(ip -n "$LAB-$1" addr show dev lo | grep -c "inet6 $VIP6/128 ")"
}

# The entries vipd must never touch, as `ip` shows them.
foreign() {
	n1 -4 rule show | grep -Ev 'proto (77|vipd)'
	n1 -6 rule show | grep -Ev 'proto (77|vipd)'
	n1 route show table 100
	n1 addr show dev lo | grep -E "inet (10\.64\.8\.8|$VIP)/32 "
}

# --- foreign entries, adoption, kill -9 -------------------------------------
n1 rule add from 10.64.9.9 lookup 100 pref 500
n1 rule add from "$VIP" lookup 100 pref 600
n1 -6 rule add from "$VIP6" lookup 100 pref 600
n1 route add 10.64.9.0/24 dev eth1 table 100
n1 addr add 10.64.8.8/32 dev lo
n1 addr add "$VIP/32" dev lo
before=$(foreign)
for n in n1 n2; do
	p=100
	[ "$n" = n1 ] && p=200
	vlab_conf "$n" "$TMP/$n.conf" prio=$p vips="$VIP,$VIP6" pin=leader \
		interval=$INTERVAL
done
vlab_start n1 && vlab_start n2 && lab_wait 5000 vlab_leader_is n1 &&
	lab_wait 5000 vlab_answering n1
tap_ok $? "start: n1 leads"
tap_is "$(counts n1)" "2 2 2 1 1" \
	"start: one rule per VIP, 2+2 table routes, one copy of each VIP on lo"
tap_is "$(foreign)" "$before" "start: foreign rules, routes and addresses untouched"

vlab_stop n1 KILL # a crash
lab_wait 5000 vlab_leader_is n2 &&
	lab_wait 5000 vlab_answering n2
tap_ok $? "kill -9: n2 takes over"
tap_is "$(counts n1)" "2 2 2 1 1" "kill -9 left n1's entries behind"
vlab_start n1 && lab_wait 5000 vlab_leader_is n1 &&
	lab_wait 5000 vlab_answering n1
tap_ok $? "restart: n1 leads again"
tap_is "$(counts n1)" "2 2 2 1 1" \
	"restart: still exactly one copy of each rule, route and address"
tap_is "$(foreign)" "$before" "restart: foreign entries untouched"
tap_is "$(counts n2)" "0 0 0 0 0" "restart: the backup holds nothing"

vlab_stop_ok n1 "clean stop: n1 exits 0 on SIGTERM"
lab_wait 5000 vlab_leader_is n2 &&
	lab_wait 5000 vlab_answering n2
tap_ok $? "clean stop: n2 takes over"
tap_is "$(vlab_rules n1 | wc -l) $(vlab_table n1 4 | wc -l) $(vlab_table n1 6 | wc -l)" \
	"0 0 0" "clean stop: no vipd rule or table route left on n1"
! vlab_lo_has n1 "$VIP6/128"
tap_ok $? "clean stop: vipd's IPv6 VIP removed from lo"
vlab_lo_has n1 "$VIP/32"
tap_ok $? "clean stop: the VIP added by hand (adopted) is still on lo"
tap_is "$(foreign)" "$before" "clean stop: foreign entries untouched"

# --- reconcile ----------------------------------------------------------------
n1 addr del "$VIP/32" dev lo
vlab_start n1 && lab_wait 5000 vlab_leader_is n1 &&
	lab_wait 5000 vlab_answering n1
tap_ok $? "reconcile: n1 leads"
r0=$(vlab_metric n1 .reconciled)

rule_back() { vlab_rules n1 | grep -q "from $1 lookup $TABLE"; }
addr_back() { vlab_lo_has n1 "$1"; }
default_back() { vlab_table n1 "$1" | grep -q '^default via'; }

# deleted DESC CHECK ARGS -- CMD...: run CMD, wait for CHECK ARGS.
deleted() {
	local desc="$1" check=() t0 ms
	shift
	while [ "$1" != -- ]; do
		check+=("$1")
		shift
	done
	shift
	"$@" || {
		tap_ok 1 "reconcile: $desc: the deletion itself failed"
		return
	}
	t0=$(date +%s%N)
	lab_wait "$BOUND" "${check[@]}"
	local rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	tap_ok $rc "reconcile: $desc comes back within $BOUND ms (took $ms ms)"
}
deleted "the IPv4 rule" rule_back "$VIP" -- \
	n1 rule del from "$VIP" lookup "$TABLE" pref "$PRIO"
deleted "the IPv6 rule" rule_back "$VIP6" -- \
	n1 -6 rule del from "$VIP6" lookup "$TABLE" pref "$PRIO"
deleted "the IPv4 VIP on lo" addr_back "$VIP/32" -- \
	n1 addr del "$VIP/32" dev lo
deleted "the IPv6 VIP on lo" addr_back "$VIP6/128" -- \
	n1 -6 addr del "$VIP6/128" dev lo
deleted "the table's IPv4 default route" default_back 4 -- \
	n1 -4 route del default table "$TABLE"
deleted "the table's IPv6 default route" default_back 6 -- \
	n1 -6 route del default table "$TABLE"
r1=$(vlab_metric n1 .reconciled)
[ "$r1" -ge $((r0 + 6)) ]
tap_ok $? "reconcile: metrics.reconciled counts the 6 repairs ($r0 -> $r1)"
tap_is "$(counts n1)" "2 2 2 1 1" "reconcile: no duplicates afterwards"
tap_is "$(vlab_gf n1 state)" leader "reconcile: n1 still leads"
vlab_stop_ok n1 "reconcile: n1 exits 0 on SIGTERM"
vlab_stop_ok n2 "reconcile: n2 exits 0 on SIGTERM"

# --- shared tables ------------------------------------------------------------
vlab_conf n1 "$TMP/n1.conf" prio=200 vips="$VIP,$VIP6" pin=leader
vlab_conf_group "$TMP/n1.conf" group=vip2 vips="$VIP2" pin=leader
cp "$TMP/n1.conf" "$TMP/n1-two.conf"
vlab_conf_group "$TMP/n1.conf" group=vip3 vips="$VIP3" pin=leader
vlab_conf n2 "$TMP/n2.conf" prio=100 vips="$VIP,$VIP6" pin=leader
vlab_conf_group "$TMP/n2.conf" group=vip2 vips="$VIP2" pin=leader
vlab_start n1 && vlab_start n2 && lab_wait 5000 vlab_leader_is n1 &&
	lab_wait 5000 vlab_leader_is n1 vip2 &&
	lab_wait 5000 vlab_answering n1 && lab_wait 5000 vlab_answering n1 vip2 &&
	lab_wait 5000 vlab_answering n1 vip3
tap_ok $? "shared: n1 leads vip, vip2 and vip3"
tap_is "$(vlab_rules n1 | wc -l) $(vlab_table n1 4 | wc -l)" "4 2" \
	"shared: 4 rules, one IPv4 table for the three groups"

vlab_ctl n1 release vip2 >/dev/null
lab_wait 5000 vlab_leader_is n2 vip2 &&
	lab_wait 5000 vlab_answering n2 vip2
tap_ok $? "shared: vipctl release vip2 hands it to n2"
! vlab_rules n1 | grep -q "from $VIP2 "
tap_ok $? "shared: vip2's rule is gone from n1"
vlab_table n1 4 | grep -q '^default via 10.64.0.254 dev eth1'
tap_ok $? "shared: the shared default route stays on n1 for vip and vip3"
tap_is "$(vlab_rules n2 | wc -l) $(vlab_table n2 4 | wc -l) $(vlab_table n2 6 | wc -l)" \
	"1 2 0" "shared: n2 pins vip2 (IPv4 only)"

cp "$TMP/n1-two.conf" "$TMP/n1.conf"
vlab_ctl n1 reload >/dev/null
vl3() { [ -z "$(vlab_json n1 '.groups[] | select(.name=="vip3") | .name')" ]; }
lab_wait 5000 vl3
tap_ok $? "shared: reload removes vip3"
! vlab_rules n1 | grep -q "from $VIP3 "
tap_ok $? "shared: vip3's rule is gone"
tap_is "$(counts n1)" "2 2 2 1 1" "shared: vip keeps its rules and table"

vlab_ctl n1 release vip >/dev/null
lab_wait 5000 vlab_leader_is n2 &&
	lab_wait 5000 vlab_answering n2
tap_ok $? "shared: vip handed to n2 as well"
tap_is "$(counts n1)" "0 0 0 0 0" "shared: the last user gone, n1's table is empty"
tap_is "$(counts n2)" "3 2 2 1 1" "shared: n2 pins both groups in one table"
vlab_stop_ok n1 "shared: n1 exits 0 on SIGTERM"
vlab_stop_ok n2 "shared: n2 exits 0 on SIGTERM"
tap_is "$(counts n2)" "0 0 0 0 0" "shared: nothing left on n2"

tap_done
