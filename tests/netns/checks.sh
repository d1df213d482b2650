#!/bin/bash
# Health checks (issue 10): a real TCP service on each node, tracked
# without weight (a failing check faults the group, which hands it over).
# Kill the leader's service: the VIP moves; restart it: the node takes
# the group back (preempt).  A flap shorter than fall causes no
# transition.  Maintenance over vipctl (down/up, drain/undrain) acts
# as a failing check.  Status and metrics show the checks.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
# shellcheck source=tests/netns/checks_lib.sh
. "$top_srcdir/tests/netns/checks_lib.sh"
vlab_begin "hc$$" 2 python3

for n in n1 n2; do
	prio=100
	[ $n = n1 ] && prio=200
	vlab_conf $n "$T/$n.conf" prio=$prio \
		extra='track = [ "web", "maint" ];'
	hc_checks "$T/$n.conf" "
	{ name = \"web\"; tcp = \"127.0.0.1:8080\"; interval_ms = 100;
	  fall = 2; rise = 2; },
	{ name = \"maint\"; file = \"$T/$n.maint\"; interval_ms = 200;
	  fall = 8; },
	{ name = \"uplink\"; interface = \"hcup0\"; interval_ms = 5000; }"
	hc_tcp_server $n 8080 || lab_bail "$n: the TCP server did not start"
done
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 (priority 200, its service up) leads"
tap_is "$(hc_ck n1 web state)" up "n1: check web is up"
tap_is "$(hc_ck n1 web reason)" connected "n1: its last result: connected"
tap_is "$(vlab_gf n1 tracks[0].check)" web "n1: the group tracks web"
# Every key of a check in the answer is documented in vipctl(8).
doc=$(sed -n '/^\.SH JSON/,/^\.SH EXIT/p' "$top_srcdir/doc/vipctl.8")
missing=""
for k in $(vlab_json n1 '.checks[0] | keys_unsorted | join(" ")'); do
	printf '%s\n' "$doc" | grep -qw -- "$k" || missing="$missing $k"
done
tap_is "${missing# }" "" "status checks[]: every key is in doc/vipctl.8"

# The leader's service dies: fall 2 at 100 ms, then the handover.
hc_tcp_kill n1
lab_wait 3000 vlab_leader_is n2
tap_ok $? "n1's service killed: n2 takes the VIP over"
tap_is "$(vlab_gf n1 fault)" check "n1: group in fault 'check'"
tap_match "$(vlab_gf n1 fault_text)" \
	'^check web failed 2 times: connect: Connection refused$' \
	"n1: the fault says which check failed, how often and why"
tap_is "$(hc_ck n1 web state)" down "n1: check web is down"
tap_ge "$(hc_ck n1 web fail_run)" 2 "n1: fail_run counts the failures"

# Back up: rise 2, then n1 takes the group back (preempt).
hc_tcp_server n1 8080 || lab_bail "n1: the TCP server did not restart"
lab_wait 3000 vlab_leader_is n1
tap_ok $? "n1's service back: n1 leads again (preempt)"
tap_is "$(vlab_gf n1 fault)" "" "n1: fault cleared"

# A flap shorter than fall (8 x 200 ms): failures, but no transition.
tr0=$(vlab_gf n1 transitions)
f0=$(hc_ck n1 maint failed)
touch "$T/n1.maint"
lab_wait 2000 eval '[ "$(hc_ck n1 maint failed)" -gt "$f0" ]'
tap_ok $? "n1: the maintenance file is seen (a failed result)"
rm -f "$T/n1.maint"
lab_never 1000 eval '[ "$(hc_ck n1 maint state)" != up ]'
tap_ok $? "a flap shorter than fall leaves check maint up"
tap_is "$(vlab_gf n1 transitions)" "$tr0" "... and the group without transition"
vlab_leader_is n1
tap_ok $? "... and n1 leading"

# Maintenance: a group, then the node, down and up again.
vlab_ctl n1 down vip >/dev/null
lab_wait 3000 vlab_leader_is n2
tap_ok $? "vipctl down vip on n1: n2 leads"
tap_is "$(vlab_gf n1 maintenance)" true "n1: the group shows maintenance"
tap_match "$(vlab_gf n1 fault_text)" '^maintenance: group marked down' \
	"n1: fault text says maintenance"
vlab_ctl n1 up vip >/dev/null
lab_wait 3000 vlab_leader_is n1
tap_ok $? "vipctl up vip: n1 leads again"
vlab_ctl n1 drain >/dev/null
lab_wait 3000 vlab_leader_is n2
tap_ok $? "vipctl drain on n1: n2 leads"
tap_is "$(vlab_json n1 .maintenance)" true "n1: status shows the node drained"
vlab_ctl n1 undrain >/dev/null
lab_wait 3000 vlab_leader_is n1
tap_ok $? "vipctl undrain: n1 leads again"

# Reload: an unchanged check keeps its runner (its counts go on), a
# changed one goes on from the old state: no transition either way.
tr0=$(vlab_gf n1 transitions)
p0=$(hc_ck n1 web passed)
vlab_ctl n1 reload >/dev/null
tap_ge "$(hc_ck n1 web passed)" "$p0" "reload, same checks: web keeps its counts"
m0=$(hc_ck n1 maint passed)
sed -i 's/interval_ms = 200;/interval_ms = 250;/' "$T/n1.conf"
vlab_ctl n1 reload >/dev/null
m1=$(hc_ck n1 maint passed)
tap_ok "$([ "$m1" -lt 5 ] && [ "$m0" -ge 10 ] && echo 0 || echo 1)" \
	"reload, maint changed: a new runner (runs $m0 -> $m1)"
lab_never 500 eval '[ "$(vlab_gf n1 transitions)" != "$tr0" ]'
tap_ok $? "... and no transition of the group"
vlab_leader_is n1
tap_ok $? "... n1 still leads"

# A reload whose checks cannot be made (an exec user vipd cannot switch
# to) is refused as a whole: the priority change in the same file is not
# applied either, and the running checks stay.
printf '#!/bin/sh\necho "$VIPD_GROUPS|$VIPD_VIPS" >%s\n' "$T/env.out" \
	>"$T/env.sh"
chmod 755 "$T/env.sh"
cp "$T/n1.conf" "$T/n1.good"
sed -i -e 's/priority = 200;/priority = 190;/' \
	-e "s|interval_ms = 5000; }|&, { name = \"bad\"; exec = [ \"$T/env.sh\" ]; user = \"vipd-nosuch\"; }|" \
	"$T/n1.conf"
vlab_ctl n1 reload >/dev/null 2>"$T/reload.err"
tap_is "$?" 1 "reload with an exec user vipd cannot switch to: refused"
tap_match "$(cat "$T/reload.err")" 'check bad .*vipd-nosuch.*keeping the running configuration' \
	"... saying which check and that the running config stays"
tap_is "$(vlab_json n1 '[.checks[].name] | join(",")')" web,maint,uplink \
	"... the running checks stay"
tap_is "$(vlab_gf n1 effective_priority)" 200 "... and the priority change in it is not applied"
vlab_leader_is n1
tap_ok $? "... n1 still leads"

# A reload adds a tracked check (interval 5 s): its first run is at once,
# and the leading group does not fault while it has no result.  An exec
# check, untracked, sees no group in its environment.
cp "$T/n1.good" "$T/n1.conf"
sed -i -e 's/track = \[ "web", "maint" \];/track = [ "web", "maint", "web2" ];/' \
	-e "s|interval_ms = 5000; }|&, { name = \"web2\"; tcp = \"127.0.0.1:8080\"; interval_ms = 5000; }|" \
	-e "s|interval_ms = 5000; }|&, { name = \"envdump\"; exec = [ \"$T/env.sh\" ]; interval_ms = 200; }|" \
	"$T/n1.conf"
tr0=$(vlab_gf n1 transitions)
vlab_ctl n1 reload >/dev/null
tap_is "$?" 0 "reload adding a tracked check: applied"
lab_wait 1000 eval '[ "$(hc_ck n1 web2 state)" = up ]'
tap_ok $? "... the new check runs at once (up well before its 5 s interval)"
lab_never 500 eval '[ "$(vlab_gf n1 transitions)" != "$tr0" ]'
tap_ok $? "... and the group never faulted while it had no result"
vlab_leader_is n1
tap_ok $? "... n1 still leads"
lab_wait 2000 eval '[ "$(cat "$T/env.out" 2>/dev/null)" = "|" ]'
tap_ok $? "untracked exec check: VIPD_GROUPS and VIPD_VIPS empty"

# The group starts tracking the (unchanged, kept) exec check: its next
# runs see the group and its VIPs.
p0=$(hc_ck n1 envdump passed)
sed -i 's/"web2" \];/"web2", { check = "envdump"; weight = -5; } ];/' "$T/n1.conf"
vlab_ctl n1 reload >/dev/null
tap_ge "$(hc_ck n1 envdump passed)" "$p0" "reload: the exec check is kept (its counts go on)"
lab_wait 2000 eval 'grep -q "^vip|10\." "$T/env.out"'
tap_ok $? "... and its environment follows the reload ($(cat "$T/env.out"))"

# An interface check (not tracked) follows netlink at once, not its 5 s
# interval: a veth pair inside n1's namespace.
lab_wait 3000 eval '[ "$(hc_ck n1 uplink reason)" = "hcup0: no such interface" ]'
tap_ok $? "interface check: absent link"
lab_exec n1 ip link add hcup0 type veth peer name hcup1
lab_exec n1 ip link set hcup0 up
lab_exec n1 ip link set hcup1 up
lab_wait 2000 eval '[ "$(hc_ck n1 uplink state)" = up ]'
tap_ok $? "interface check: up with carrier, at once"
lab_exec n1 ip link set hcup1 down
lab_wait 2000 eval '[ "$(hc_ck n1 uplink reason)" = "hcup0: no carrier" ]'
tap_ok $? "interface check: the peer down, no carrier"
lab_exec n1 ip link del hcup0

# Counters of check results.
tap_ge "$(vlab_metric n1 .checks.passed)" 5 "metrics: passed check runs"
tap_ge "$(vlab_metric n1 .checks.failed)" 2 "metrics: failed check runs"
vlab_ctl n1 metrics | grep -q '^vipd_check_results_failed_total [1-9]'
tap_ok $? "Prometheus text: vipd_check_results_failed_total"

vlab_stop_ok n1
vlab_stop_ok n2
hc_tcp_kill n1
hc_tcp_kill n2
tap_done
