#!/bin/bash
# vipctl doctor against planted faults (issue 13), in the seed's topology
# (tests/netns/vlab.sh: vlab_vagrant): each node has its default route on
# the management NIC eth0 and the VIPs on the LAN NIC eth1; a router with
# strict rp_filter leads to a client in another subnet.  Two nodes, n1
# (priority 200, the leader) and n2, heartbeats over eth0.  One lab: the
# healthy cluster first (doctor finds nothing, exit 0), then each fault
# planted alone, doctor --json reporting exactly its code, and removed
# again (the nft rules that drop heartbeats are reported as firewall-drop
# next to what they cause).  The seed's case (the leader with the pin off)
# must give reply-path with the route config key as its fix.  Last, with no daemon
# running, the faults doctor finds from the configuration and the host.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=67
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
L2GEN=$top_builddir/tests/tools/l2gen

vlab_begin --vagrant "dr$$" 2 nft "$L2GEN"
VIP="10.$VLAB_NET.0.100"
VIP6="fd00:$VLAB_NET::100"
GW="10.$VLAB_NET.0.254"
GW6="fd00:$VLAB_NET::254"
VLAB_ROUTE="gateway = \"$GW\"; gateway6 = \"$GW6\";"
MGMT="192.168.121.11,192.168.121.12"

# conf NODE [KEY=VALUE...]: NODE's config, heartbeats over eth0.
conf() {
	local n="$1" prio=100
	shift
	[ "$n" = n1 ] && prio=200
	vlab_conf "$n" "$T/$n.conf" prio="$prio" vips="$VIP,$VIP6" \
		peers="$MGMT" pin=leader "$@"
}

# doctor NODE [ARGS...]: vipctl doctor --json with NODE's config, in NODE;
# sets DOC (the JSON), DOC_RC (exit status) and CODES (the distinct
# codes, in alphabetical order, space separated).
doctor() {
	local n="$1" cf="$T/$1.conf"
	shift
	[ $# -gt 0 ] && [ "${1#*/}" != "$1" ] && cf="$1" && shift
	DOC=$(lab_exec "$n" "$VIPCTL" -c "$cf" doctor "$@" --json 2>"$T/doctor.err")
	DOC_RC=$?
	CODES=$(echo "$DOC" | jq -r '[.findings[].code] | unique | join(" ")')
}

# expect NODE WANT_CODES WANT_RC DESC [ARGS...]
expect() {
	local n="$1" want="$2" rc="$3" desc="$4"
	shift 4
	doctor "$n" "$@"
	tap_is "$CODES (exit $DOC_RC)" "$want (exit $rc)" "$desc"
	[ "$CODES (exit $DOC_RC)" = "$want (exit $rc)" ] ||
		echo "$DOC" | jq -c '.findings[] | [.code, .subject, .evidence]' |
		sed 's/^/#   /'
}

# finding CODE JQ: jq over the first finding of CODE in $DOC.
finding() {
	echo "$DOC" | jq -r "[.findings[] | select(.code == \"$1\")][0] | $2"
}

restart() {
	vlab_stop "$1"
	conf "$@"
	vlab_start "$1" || lab_bail "$1 did not start"
}

leading() { lab_wait 8000 vlab_answering n1; }
peer_alive() {
	[ "$(vlab_json n1 ".peers[] | select(.address==\"$1\") | .alive")" = true ]
}

# n1's ARP entries expire fast (before any entry exists: an entry keeps the
# timer it was made with), so that a cut-off peer's fails within ~3 s.
lab_exec n1 sysctl -qw net.ipv4.neigh.eth0.base_reachable_time_ms=1000 \
	net.ipv4.neigh.eth0.delay_first_probe_time=1 \
	net.ipv4.neigh.eth0.retrans_time_ms=200 \
	net.ipv4.neigh.eth1.retrans_time_ms=200 >/dev/null

# --- the healthy cluster ----------------------------------------------------
conf n1
conf n2
{ vlab_start n1 && vlab_start n2; } || lab_bail "vipd did not start"
leading && lab_wait 5000 peer_alive 192.168.121.12
tap_ok $? "healthy: n1 leads and hears n2 over eth0"
expect n1 "" 0 "healthy: doctor on the leader finds nothing, exit 0"
tap_is "$(echo "$DOC" | jq -r '"\(.daemon) \(.errors) \(.node)"')" "true 0 n1" \
	"healthy: --json says the daemon's view was used, 0 errors"
expect n2 "" 0 "healthy: doctor on the backup finds nothing, exit 0"

# --- (a) the seed's case: the leader with the pin off -----------------------
restart n1 pin=off
leading
expect n1 "reply-path" 1 "seed (pin off): reply-path, exit 1"
tap_is "$(finding reply-path '.severity + " " + .group + " " + .subject')" \
	"error vip $VIP" "reply-path: error, group vip, the IPv4 VIP"
tap_match "$(finding reply-path '.evidence[0]')" \
	"^ip route get 192\.0\.2\.1 from $VIP: via 192\.168\.121\.1 dev eth0 table main$" \
	"reply-path: evidence is the lookup from the VIP, via eth0"
tap_match "$(finding reply-path '.fix')" \
	"route = \{ pin = \"leader\"; gateway = \"$GW\"; \}" \
	"reply-path: the fix is the route config key with the gateway"
tap_is "$(echo "$DOC" | jq -r '[.findings[] | select(.code == "reply-path") | .subject] | join(" ")')" \
	"$VIP $VIP6" "reply-path: both VIPs (IPv6 via eth0 too)"
echo "# vipctl doctor on the leader with the pin off (the seed's case):"
lab_exec n1 "$VIPCTL" -c "$T/n1.conf" doctor 2>&1 | sed 's/^/#   /'
# The same findings for node_exporter's textfile collector.
lab_exec n1 "$VIPCTL" -c "$T/n1.conf" doctor --prometheus >"$T/doctor.prom"
tap_is "$?" 1 "doctor --prometheus: exit 1 (errors found)"
tap_match "$(cat "$T/doctor.prom")" \
	'vipd_doctor_findings\{node="n1",code="reply-path",severity="error"\} 2' \
	"doctor --prometheus: reply-path counted twice (both VIPs)"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$T/doctor.prom" >"$T/promtool.out" 2>&1
	tap_is "$?" 0 "doctor --prometheus: promtool check metrics accepts it"
fi

# --- (b) strict rp_filter on eth1 while the way back leaves eth0 -------------
lab_exec n1 sysctl -qw net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.eth1.rp_filter=1 >/dev/null
expect n1 "reply-path rp-filter" 1 \
	"strict rp_filter, pin off: rp-filter next to reply-path"
tap_match "$(finding rp-filter '.evidence[0]')" "eth1\.rp_filter = 1" \
	"rp-filter: evidence is the sysctl value"
lab_exec n1 sysctl -qw net.ipv4.conf.all.rp_filter=2 \
	net.ipv4.conf.eth1.rp_filter=2 >/dev/null
expect n1 "reply-path" 1 "rp_filter loose again: rp-filter gone"

# The fix doctor gave, applied as it says: the route key, then a reload.
conf n1
vlab_ctl n1 reload >/dev/null
tap_ok $? "the fix: route = { pin = \"leader\"; ... } and vipctl reload"
leading
expect n1 "" 0 "pin back on: nothing found"

# --- (h) the ARP sysctls vipd set, reset behind its back --------------------
lab_exec n1 sysctl -qw net.ipv4.conf.all.arp_ignore=0 \
	net.ipv4.conf.eth1.arp_ignore=0 >/dev/null
expect n1 "sysctl-reset" 1 "arp_ignore reset to 0 with the VIP on lo: sysctl-reset"
lab_exec n1 sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
	net.ipv4.conf.eth1.arp_ignore=1 >/dev/null
expect n1 "" 0 "arp_ignore 1 again: nothing found"

# --- (c) the VIP on another interface ---------------------------------------
lab_exec n1 ip addr add "$VIP/32" dev eth0
expect n1 "vip-elsewhere" 1 "the VIP on eth0 too: vip-elsewhere"
tap_match "$(finding vip-elsewhere '.fix')" "ip addr del $VIP/32 dev eth0" \
	"vip-elsewhere: the fix is the ip command"
lab_exec n1 ip addr del "$VIP/32" dev eth0
expect n1 "" 0 "the VIP off eth0: nothing found"

# --- (d) a gateway that does not answer ARP ----------------------------------
# The pin points at 10.x.0.253, where nobody is; a client's ping makes n1
# send its replies there, and ARP for it fails.
conf n1
sed -i "s/gateway = \"$GW\"/gateway = \"10.$VLAB_NET.0.253\"/" "$T/n1.conf"
vlab_ctl n1 reload >/dev/null
leading
lab_exec c1 ping -c 2 -i 0.2 -W 1 "$VIP" >/dev/null 2>&1
gw_failed() {
	ip -n "$LAB-n1" neigh show "10.$VLAB_NET.0.253" dev eth1 |
		grep -Eq 'FAILED|INCOMPLETE'
}
lab_wait 5000 gw_failed
expect n1 "gateway-silent" 1 "the pin's gateway does not answer ARP: gateway-silent"
conf n1
vlab_ctl n1 reload >/dev/null
leading
expect n1 "" 0 "the router as gateway again: nothing found"

# --- (e) a peer not heard: its heartbeats dropped ---------------------------
printf '%s\n' 'table inet drdrop {' \
	' chain in { type filter hook input priority 0; udp dport 7431 drop; }' \
	'}' | lab_exec n1 nft -f -
silent() { ! peer_alive 192.168.121.12; }
lab_wait 3000 silent
expect n1 "firewall-drop hb-dropped" 1 \
	"heartbeats from n2 dropped, its address answers ARP: hb-dropped (and the rule)"
tap_is "$(finding firewall-drop '.subject')" "udp/7431" "firewall-drop: the heartbeat port"
tap_match "$(finding firewall-drop '.evidence[0]')" \
	"^nft -a list chain inet drdrop in: udp dport 7431 drop # handle [0-9]+$" \
	"firewall-drop: evidence names the lab's rule (table, chain, handle, text)"
tap_is "$(finding hb-dropped .subject)" "192.168.121.12" "hb-dropped names n2"
tap_match "$(finding hb-dropped '.evidence | join(" ")')" \
	"ip neigh show 192\.168\.121\.12 dev eth0: (reachable|stale|delay|probe)" \
	"hb-dropped: evidence is n1's neighbour entry for n2"
lab_exec n1 nft delete table inet drdrop
lab_wait 3000 peer_alive 192.168.121.12
expect n1 "" 0 "heartbeats let through again: nothing found"

# --- (e) a peer down: n2 stopped and cut off, its address silent --------------
vlab_stop n2
lab_unplug n2 eth0
arp_failed() {
	ip -n "$LAB-n1" neigh show 192.168.121.12 dev eth0 | grep -Eq 'FAILED|INCOMPLETE'
}
lab_wait 10000 arp_failed
tap_ok $? "n2 cut off: n1's ARP for it fails"
expect n1 "peer-down" 1 "n2 down, its address silent: peer-down"
lab_plug n2 eth0
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 3000 peer_alive 192.168.121.12
expect n1 "" 0 "n2 back: nothing found"

# --- (e) a peer whose heartbeats fail authentication -------------------------
# n2 gets another secret, and its group an interface it lacks (in fault:
# it neither leads nor announces), so that only the secret differs.
vlab_secret "$T/secret2"
vlab_stop n2
conf n2 secret="$T/secret2"
sed -i 's/interface = "eth1"/interface = "eth9"/' "$T/n2.conf"
vlab_start n2 || lab_bail "n2 did not start"
failing() { [ "$(vlab_json n1 '.peers[] | select(.address=="192.168.121.12") | .auth_failing')" = true ]; }
lab_wait 3000 failing
expect n1 "peer-auth" 1 "n2 with another secret: peer-auth"
tap_match "$(finding peer-auth '.evidence | join(" ")')" "rejected \(hmac\) [1-9]" \
	"peer-auth: evidence is the hmac counter"
expect n2 "group-fault link-down peer-auth" 1 \
	"on n2: its missing eth9, the group in fault, n1 rejected"
restart n2
lab_wait 3000 peer_alive 192.168.121.12
expect n1 "" 0 "n2 with the cluster's secret: nothing found"

# --- heartbeats lost one way: n2 does not hear n1 ----------------------------
# (two-leaders needs the heartbeats lost both ways, below)
printf '%s\n' 'table inet drdrop {' \
	' chain in { type filter hook input priority 0; udp dport 7431 drop; }' \
	'}' | lab_exec n2 nft -f -
n2_lost() { [ "$(vlab_json n2 '.peers[] | select(.address=="192.168.121.11") | .alive')" = false ]; }
lab_wait 3000 n2_lost
# n2 takes over and n1, told by n2's HELLO that it is not heard, yields
# within an interval (deaf-peer): two leaders meanwhile, which doctor
# reports (two-leaders) while n1's claims are recent.  Judge the settled
# state: n1 a backup and its last claim over 2 s old.
settled() {
	local a
	vlab_gf_is n1 state backup || return 1
	a=$(vlab_gf n2 peer_claim_age_ms)
	[ "$a" = null ] || [ "$a" -gt 2000 ]
}
lab_wait 6000 settled
tap_ok $? "one-way loss settles: n1 yields to n2 (deaf-peer), claims stop"
expect n2 "firewall-drop hb-dropped" 1 \
	"n2 does not hear n1, whose address answers: hb-dropped (and the rule) on n2"
expect n1 "" 0 "n1 still hears n2: nothing found on n1"
lab_exec n2 nft delete table inet drdrop
n2_hears() { ! n2_lost; }
lab_wait 3000 n2_hears
expect n2 "" 0 "n2 hears n1 again: nothing found"

# --- heartbeats lost both ways, ARP passes: both lead ------------------------
# Each node's frames claim the VIPs the other leads; its heartbeats are not
# heard, so each defends (counters.peer_claims) instead of yielding.
hbdrop() {
	printf '%s\n' 'table inet drdrop {' \
		' chain in { type filter hook input priority 0; udp dport 7431 drop; }' \
		'}' | lab_exec "$1" nft -f -
}
hbdrop n1
hbdrop n2
both_lead() {
	[ "$(vlab_leaders)" = "n1 n2" ] &&
		[ "$(vlab_gf n1 counters.peer_claims)" -gt 0 ]
}
lab_wait 6000 both_lead
tap_ok $? "heartbeats dropped both ways: n1 and n2 both lead, n1 sees claims"
expect n1 "firewall-drop hb-dropped two-leaders" 1 \
	"both lead, heartbeats lost both ways: two-leaders on n1 (and hb-dropped)"
tap_is "$(finding two-leaders '.subject')" n2 "two-leaders on n1 names n2"
tap_match "$(finding two-leaders '.evidence[0]')" "not alive; counters\.peer_claims [1-9]" \
	"two-leaders: evidence is the peer_claims counter"
lab_exec n1 nft delete table inet drdrop
lab_exec n2 nft delete table inet drdrop
one_leads() { [ "$(vlab_leaders)" = n1 ] && peer_alive 192.168.121.12 && ! n2_lost; }
lab_wait 6000 one_leads
tap_ok $? "heartbeats let through: n2 yields, n1 alone leads"
expect n1 "" 0 "one leader again: nothing found on n1"

# --- (e) a peer never told about: off-link, not heard ------------------------
# A third peer behind the management gateway (no neighbour entry to tell
# down from dropped): peer-silent.
restart n1 peers="$MGMT,192.0.2.77"
leading
expect n1 "peer-silent" 1 "an off-link peer never heard: peer-silent"
tap_is "$(finding peer-silent .subject)" 192.0.2.77 "peer-silent names it"
restart n1
leading && lab_wait 3000 peer_alive 192.168.121.12
expect n1 "" 0 "the peer removed: nothing found"

# --- (f) a foreign owner of the VIP -----------------------------------------
RMAC=$(lab_exec r cat /sys/class/net/eth1/address)
lab_exec r "$L2GEN" eth1 garp --vip "$VIP" --op 1 >/dev/null
claimed() { [ "$(vlab_gf n1 'conflicts | length')" -gt 0 ]; }
lab_wait 3000 claimed
expect n1 "foreign-owner" 1 "the router announces the VIP: foreign-owner"
tap_match "$(finding foreign-owner .cause)" "$RMAC" \
	"foreign-owner: the cause names the router's MAC"
vlab_stop_ok n1
vlab_stop_ok n2

# --- no daemon: the configuration and the host --------------------------------
# (the daemons have put the sysctls back: arp_ignore 0 everywhere)
expect n1 "" 0 "no daemon, healthy config: nothing found"
tap_is "$(echo "$DOC" | jq -r .daemon)" false "no daemon: --json says so"
conf n1 pin=off
expect n1 "reply-path" 1 "no daemon, pin off: reply-path (from eth1's address)"
tap_match "$(finding reply-path '.evidence[0]')" \
	"from 10\.$VLAB_NET\.0\.1: via 192\.168\.121\.1 dev eth0 table main \(stand-in" \
	"reply-path: a stand-in source, said so"
conf n1
printf '%s\n' 'table ip drvip {' \
	" chain in { type filter hook input priority 0; ip daddr $VIP reject; }" \
	'}' | lab_exec n1 nft -f -
expect n1 "firewall-drop" 1 "no daemon, an nft rule rejects the VIP: firewall-drop"
tap_is "$(finding firewall-drop '.group + " " + .subject')" "vip $VIP" \
	"firewall-drop: about the group's VIP"
tap_match "$(finding firewall-drop '.evidence[0]')" \
	"^nft -a list chain ip drvip in: ip daddr $VIP reject # handle [0-9]+$" \
	"firewall-drop: evidence is the rule"
lab_exec n1 nft delete table ip drvip
conf n1 bind=interface
expect n1 "arp-flux" 0 "bind interface, arp_ignore 0 on eth0: arp-flux (a warning)"
tap_is "$(finding arp-flux .subject)" eth0 "arp-flux: eth0 would answer"
conf n1 vips="10.99.0.1"
expect n1 "vip-subnet" 1 "a VIP outside eth1's subnet: vip-subnet"
conf n1
sed -i "s/gateway = \"$GW\"/gateway = \"10.99.0.254\"/" "$T/n1.conf"
expect n1 "gateway-subnet" 1 "a gateway outside eth1's subnet: gateway-subnet"
conf n1 peers="10.$VLAB_NET.0.1,10.$VLAB_NET.0.2"
expect n1 "hb-shared-path" 0 "heartbeats over eth1 only: hb-shared-path (advice)"
conf n1
sed -i 's/interface = "eth1"/interface = "eth9"/' "$T/n1.conf"
expect n1 "link-down" 1 "no eth9: link-down"
conf n1
expect n1 "" 0 "the healthy config again: nothing found"
doctor n1 nosuchgroup
tap_is "$DOC_RC" 2 "an unknown group: exit 2"
echo 'oops' >"$T/bad.conf"
doctor n1 "$T/bad.conf"
tap_is "$DOC_RC" 2 "a config that does not load: exit 2"

tap_done
