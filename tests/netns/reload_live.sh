#!/bin/bash
# Reload applies a diff in place (issue 12).  Two nodes, n1 (priority 200)
# leads groups "vip" (two VIPs) and "b" (one VIP), both pinning their
# replies into one routing table; the client c1 pings every VIP every
# millisecond while the config changes on both nodes: a VIP added (answers
# within 50 ms of the reload), a VIP removed (answers nowhere at once), a
# group added and removed, the garp settings, the gateway of "vip" (the
# table "b" shares), a broken file, and last a priority that hands "vip"
# to n2; drop-in files (include_dir) added, changed, broken, removed.
# Each time: the probes to VIPs that did not change lose nothing,
# and untouched groups make no transition (takeovers/releases counters).
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
VLAB_NET=67
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "rl$$" 2 ping arping

N=10.$VLAB_NET.0
V1=$N.100 V2=$N.101 V3=$N.102 VB=$N.110 VC=$N.120
TABLE=6767
# A default route in the main table: group b's pin finds its gateway there.
for n in n1 n2; do
	ip -n "$LAB-$n" route add default via "$N.254" dev eth1
done

# conf NODE PRIO VIPS GW [GARP_COUNT] [EXTRA_GROUP_TEXT]
conf() {
	local node=$1 prio=$2 vips=$3 gw=$4 garp=${5:-5}
	VLAB_ROUTE="table = $TABLE; priority = 3000; gateway = \"$gw\";" \
		vlab_conf "$node" "$T/$node.conf" prio="$prio" vips="$vips" \
		pin=leader garp_count="$garp" garp_interval=300 \
		bind="${BIND:-local}"
	# b's own priority: n1's node priority changes below, b's must not.
	VLAB_ROUTE="table = $TABLE; priority = 3000;" \
		vlab_conf_group "$T/$node.conf" group=b vips="$VB" pin=leader \
		prio="$([ "$node" = n1 ] && echo 200 || echo 100)"
	[ -n "${6:-}" ] && vlab_conf_group "$T/$node.conf" group=c vips="$VC"
	mkdir -p "$T/$node.d"
	echo "include_dir = \"$T/$node.d\";" >>"$T/$node.conf"
}
dropin() { # dropin VIPS|-|broken: group d in each node's drop-in file
	local n
	for n in n1 n2; do
		case "$1" in
		-) rm -f "$T/$n.d/d.conf" ;;
		broken) echo 'groups = ( { name = ; } );' >"$T/$n.d/d.conf" ;;
		*) echo "groups = ( { name = \"d\"; interface = \"eth1\";
  vips = [ \"${1//,/\", \"}\" ]; } );" >"$T/$n.d/d.conf" ;;
		esac
	done
}
both() { # both nodes: n1 PRIO, n2 100, the rest as conf
	conf n1 "$@"
	local p=$1
	shift
	conf n2 100 "$@"
	: "$p"
}

both 200 "$V1,$V2" "$N.254"
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_answering n1
tap_ok $? "n1 leads vip"
lab_wait 5000 vlab_answering n1 b
tap_ok $? "n1 leads b"

# ---- probes: ping every 1 ms from c1, one per VIP, bounded by count
probe_start() { # VIPS... ; PROBE_N pings each
	local v
	for v in "$@"; do
		lab_bg c1 "$T/ping.$v" ping -n -q -i 0.001 -c "${PROBE_N:-300}" \
			-W 1 -w 5 "$v"
		PROBE_PIDS+=("$LAB_LASTPID")
	done
}
probe_wait() {
	local p
	for p in "${PROBE_PIDS[@]}"; do lab_reap "$p" 6000; done
	PROBE_PIDS=()
}
probe_lost() { # sent - received for VIP
	awk '/packets transmitted/ {print $1 - $4}' "$T/ping.$1"
}
PROBE_PIDS=()
# counters of n1 and n2 for groups G...: "G:takeovers/releases ..." per node
# (one vipctl call per node)
ctrs() {
	local n sel
	sel=$(printf '.name=="%s" or ' "$@")
	for n in n1 n2; do
		vlab_json "$n" "[.groups[] | select(${sel% or }) |
			\"\(.name):\(.counters.takeovers)/\(.counters.releases)\"] |
			join(\",\")"
	done | paste -sd' '
}
reload_both() { # reload n2 then n1; RELOAD_T0 (us) before n1's
	vlab_ctl n2 reload >"$T/reload.n2" 2>&1 || return 1
	RELOAD_T0=${EPOCHREALTIME//[.,]/}
	vlab_ctl n1 reload >"$T/reload.n1" 2>&1
	echo "# n1 reload took $(((${EPOCHREALTIME//[.,]/} - RELOAD_T0) / 1000)) ms"
}
# step NAME VIPS...: probes to VIPS around a reload of both nodes, 0 lost
step_begin() {
	STEP=$1
	shift
	STEP_VIPS=("$@")
	CVB=$(ctrs vip b)
	probe_start "$@"
	sleep 0.1
}
step_end() {
	local v lost=0 l
	probe_wait
	for v in "${STEP_VIPS[@]}"; do
		l=$(probe_lost "$v")
		echo "# $STEP: $v lost ${l:-?}"
		[ "${l:-1}" = 0 ] || lost=1
	done
	tap_is "$lost" 0 "$STEP: probes to unchanged VIPs lose nothing"
}

# ---- add a VIP
# The new VIP is pinged (with timestamps) from before the reload: its first
# answer is timed from the moment vipctl reload returned on n1 (vipctl's own
# start-up, slow under ASan on a busy machine, is not the daemon's delay).
both 200 "$V1,$V2,$V3" "$N.254"
step_begin "add VIP" "$V1" "$V2" "$VB"
lab_bg c1 "$T/ping.new" ping -n -D -i 0.001 -c 3000 -w 4 "$V3"
NEWPING=$LAB_LASTPID
sleep 0.1
reload_both
RELOAD_T1=${EPOCHREALTIME//[.,]/}
step_end
first_reply() { grep -q 'bytes from' "$T/ping.new"; }
lab_wait 3000 first_reply
lab_stop "$NEWPING" INT
tr=$(sed -n 's/^\[\([0-9]*\)\.\([0-9]*\)\] .*bytes from.*/\1\2/p' "$T/ping.new" |
	head -1)
ms=$(((${tr:-0} - RELOAD_T1) / 1000))
[ "$ms" -lt 0 ] && ms=0
tap_is "$(jq -c '[.added, .removed, .changed[0].group, .changed[0].vips_added]' <(vlab_ctl n1 reload --json))" \
	'[[],[],null,null]' "a reload without a change changes nothing"
tap_is "$(head -2 "$T/reload.n1")" "configuration reloaded: 0 groups added, 0 removed, 1 changed in place, 1 kept
  changed: vip (vips +1 -0)" "vipctl reload says what changed"
echo "# added VIP: first answer $ms ms after vipctl reload returned" \
	"($(((${tr:-0} - RELOAD_T0) / 1000)) ms after it was started)"
tap_ok "$([ -n "$tr" ] && [ "$ms" -lt 50 ] && echo 0 || echo 1)" \
	"the added VIP answers within 50 ms of the reload ($ms ms)"
tap_is "$(ctrs vip b)" "$CVB" "no takeover nor release anywhere"
tap_is "$(vlab_gf n1 vips vip | jq -c length)" 3 "vip has 3 VIPs on n1"
vlab_rules n1 | grep -q "from $V3 lookup $TABLE"
tap_ok $? "the added VIP is pinned (its rule)"

# ---- remove a VIP
both 200 "$V1,$V2" "$N.254"
step_begin "remove VIP" "$V1" "$V2" "$VB"
reload_both
lab_exec c1 ping -n -c 3 -i 0.01 -W 0.1 "$V3" >/dev/null 2>&1
gone_rc=$?
step_end
tap_ok "$([ $gone_rc != 0 ] && echo 0 || echo 1)" \
	"the removed VIP stops answering at once"
tap_is "$(vlab_owners "$V3" 0)" "" "... and nobody answers ARP for it"
on_lo() { vlab_has_addr n1 lo "$V3" || vlab_has_addr n2 lo "$V3"; }
tap_ok "$(on_lo && echo 1 || echo 0)" "... it is on no node's lo"
tap_ok "$(vlab_rules n1 | grep -q "from $V3 " && echo 1 || echo 0)" \
	"... and unpinned"
tap_is "$(ctrs vip b)" "$CVB" "no takeover nor release anywhere"

# ---- add a group, remove it
both 200 "$V1,$V2" "$N.254" 5 c
step_begin "add group" "$V1" "$V2" "$VB"
reload_both
step_end
tap_is "$(jq -c .added <(vlab_ctl n1 reload --json))" '[]' \
	"(a second reload adds nothing)"
tap_is "$(ctrs vip b)" "$CVB" "no transition for vip and b"
lab_wait 5000 vlab_answering n1 c
tap_ok $? "group c leads on n1"
both 200 "$V1,$V2" "$N.254"
step_begin "remove group" "$V1" "$V2" "$VB"
reload_both
step_end
tap_is "$(jq -c '.removed' <(vlab_ctl n2 reload --json))" '[]' \
	"(nothing left to remove)"
tap_is "$(vlab_json n1 '[.groups[].name] | join(",")')" vip,b "c is gone"
tap_is "$(vlab_owners "$VC" 0)" "" "... its VIP answers nowhere"
tap_is "$(ctrs vip b)" "$CVB" "no transition for vip and b"

# ---- garp settings
both 200 "$V1,$V2" "$N.254" 2
step_begin "garp" "$V1" "$V2" "$VB"
reload_both
step_end
tap_is "$(sed -n 2p "$T/reload.n1")" "  changed: vip (garp)" "reported: garp"
tap_is "$(ctrs vip b)" "$CVB" "no transition"

# ---- bind mode: from lo to eth1 (added there before it leaves lo)
BIND=interface both 200 "$V1,$V2" "$N.254" 2
step_begin "bind" "$V1" "$V2" "$VB"
BIND=interface reload_both
step_end
tap_is "$(sed -n 2p "$T/reload.n1")" "  changed: vip (bind)" "reported: bind"
vlab_has_addr n1 eth1 "$V1" && ! vlab_has_addr n1 lo "$V1"
tap_ok $? "the VIP moved from lo to eth1"
tap_is "$(ctrs vip b)" "$CVB" "no transition"
both 200 "$V1,$V2" "$N.254" 2
step_begin "bind back" "$V1" "$V2" "$VB"
reload_both
step_end
vlab_has_addr n1 lo "$V1" && ! vlab_has_addr n1 eth1 "$V1"
tap_ok $? "... and back to lo"

# ---- drop-in files: add one, change it, break it, remove it
VD1=$N.130 VD2=$N.131
dropin "$VD1"
step_begin "add drop-in" "$V1" "$V2" "$VB"
reload_both
step_end
tap_is "$(sed -n 2p "$T/reload.n1")" "  added: d" "a drop-in adds group d"
lab_wait 5000 vlab_answering n1 d
tap_ok $? "group d leads on n1"
tap_is "$(ctrs vip b)" "$CVB" "no transition for vip and b"
dropin "$VD1,$VD2"
step_begin "change drop-in" "$V1" "$V2" "$VB" "$VD1"
reload_both
step_end
tap_is "$(sed -n 2p "$T/reload.n1")" "  changed: d (vips +1 -0)" \
	"a changed drop-in changes d in place"
tap_is "$(vlab_gf n1 transitions d)" 1 "d: no new transition"
dropin broken
vlab_ctl n1 reload >/dev/null 2>"$T/reload.err"
tap_is "$?" 1 "a broken drop-in: reload exits 1"
grep -q "^  $T/n1.d/d.conf:1: " "$T/reload.err"
tap_ok $? "... naming the drop-in's file:line"
dropin -
step_begin "remove drop-in" "$V1" "$V2" "$VB"
reload_both
step_end
tap_is "$(sed -n 2p "$T/reload.n1")" "  removed: d" "a removed drop-in removes d"
tap_is "$(vlab_owners "$VD1" 0)" "" "... its VIPs answer nowhere"
tap_is "$(ctrs vip b)" "$CVB" "no transition for vip and b"

# ---- the gateway of vip, whose table b shares
both 200 "$V1,$V2" "$N.253" 2
step_begin "gateway" "$V1" "$V2" "$VB"
reload_both
step_end
vlab_table n1 4 | grep -q "^default via $N.253 dev eth1 "
tap_ok $? "the shared table follows the new gateway"
tap_is "$(vlab_rules n1 | grep -c "lookup $TABLE")" 3 \
	"every VIP keeps its rule (b's too)"
tap_is "$(ctrs vip b)" "$CVB" "no transition for vip and b"

# ---- rotate the secret, one node after the other; then the timing
vlab_secret "$T/secret.new"
for n in n1 n2; do sed -i "s|$T/secret\"|$T/secret.new\"|" "$T/$n.conf"; done
step_begin "secret" "$V1" "$V2" "$VB"
vlab_ctl n2 reload >/dev/null 2>&1
sleep 0.5 # n2 sends with both secrets, n1 knows only the old one
vlab_ctl n1 reload >/dev/null 2>&1
step_end
tap_is "$(ctrs vip b)" "$CVB" "secret rotated: no transition"
for n in n1 n2; do
	sed -i "s|interval_ms = 100; dead_after = 3;|interval_ms = 50; dead_after = 5;|" \
		"$T/$n.conf"
done
step_begin "timing" "$V1" "$V2" "$VB"
reload_both
step_end
tap_is "$(vlab_json n1 '"\(.interval_ms)/\(.dead_after)"')" 50/5 \
	"interval_ms and dead_after change live"
tap_is "$(vlab_json n2 '.peers[0].interval_ms')" 50 "n2 hears n1 at 50 ms"
tap_is "$(ctrs vip b)" "$CVB" "no transition"
cp "$T/n1.conf" "$T/n1.good"
sed -i 's|^cluster = {|cluster = { port = 7499;|' "$T/n1.conf"
vlab_ctl n1 reload >/dev/null 2>"$T/reload.err"
tap_is "$?/$(cat "$T/reload.err")" "1/vipctl: cluster.port cannot change on reload; restart vipd; keeping the running configuration" \
	"a new port is refused, saying why"
cp "$T/n1.good" "$T/n1.conf"

# ---- a broken file
cp "$T/n1.conf" "$T/n1.good"
echo "groups = ( { name = ; } );" >>"$T/n1.conf"
step_begin "broken" "$V1" "$V2" "$VB"
vlab_ctl n1 reload >"$T/reload.out" 2>"$T/reload.err"
rc=$?
step_end
tap_is "$rc" 1 "a broken file: reload exits 1"
grep -q "^  $T/n1.conf:[0-9]*: " "$T/reload.err"
tap_ok $? "... naming file:line"
tap_is "$(ctrs vip b)" "$CVB" "... and nothing changes"
cp "$T/n1.good" "$T/n1.conf"

# ---- priority: n2 outranks n1 for vip; b stays on n1
sed -i 's/^node = { id = "n1"; priority = 200; };/node = { id = "n1"; priority = 50; };/' "$T/n1.conf"
step_begin "priority" "$VB"
vlab_ctl n1 reload >"$T/reload.n1" 2>&1
lab_wait 3000 vlab_answering n2
tap_ok $? "vip moves to n2 (50 < 100)"
step_end
tap_is "$(sed -n 2p "$T/reload.n1")" "  changed: vip (priority 200 -> 50)" \
	"reported: priority 200 -> 50"
tap_is "$(vlab_gf n1 last_reason)" resign-done \
	"n1 handed over (resigned, then n2 took over)"
CB=$(ctrs b)
tap_is "$CB" "$(sed 's/vip:[^ ,]*,//g' <<<"$CVB")" "b: no transition"
lab_wait 2000 vlab_silent n1
tap_ok $? "n1 no longer answers for vip"
PROBE_N=200 probe_start "$V1" "$V2"
probe_wait
tap_is "$(probe_lost "$V1")/$(probe_lost "$V2")" 0/0 "vip answers from n2"

vlab_stop_ok n1
vlab_stop_ok n2
tap_done
