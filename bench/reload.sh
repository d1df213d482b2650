#!/bin/bash
# bench/reload.sh: what a reload costs the traffic (issue 12), in one
# namespace lab.
#
#   sudo bench/reload.sh [--builddir DIR] [--runs R]
#
# 1. Per reload kind (add a VIP, remove a VIP, add a group, remove a group,
#    GARP settings, a broken file), on both nodes one after the other: the
#    probes lost by VIPs the reload did not change, from a client pinging
#    each of three such VIPs every millisecond (1,500 probes each across
#    the reload).  Target: 0.
# 2. Time to the first answer of an added VIP: the client pings it every
#    millisecond from before the reload; the first reply's timestamp after
#    the start of `vipctl reload` on the leader (which includes vipctl's
#    own start-up) and after its return.
# 3. Reload duration, median of R (default 5) runs: `vipctl reload` wall
#    time minus `vipctl ping` wall time (the client's share), for a group
#    of 1,000 VIPs (nothing changed; one VIP added; one removed; the
#    group's priority) and for 100 groups (nothing changed; one group's
#    priority; one group added).
#
# The cluster: 2 vipd nodes and a client on one bridge (tests/netns/lab.sh
# and vlab.sh, 10.73.0.0/24; the 1,000 VIPs in 10.73.16.0/20), in
# namespaces named vrb<PID>-*, removed on exit.  Use a release build (DIR:
# ./configure without --enable-sanitizers; default the source tree).
# 4. keepalived (if installed) in the same lab, two VRRP instances for the
#    same VIPs: the lost probes of 1. for the same changes by SIGHUP, and
#    the first answer of the added VIP.

set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
top_builddir=$top_srcdir
RUNS=5
usage() {
	sed -n '5p' "$0" | sed 's/^# //'
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--builddir) top_builddir=$(cd "${2:?}" && pwd) || exit 2; shift 2 ;;
	--runs) RUNS=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
if ! [[ $RUNS =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 1 ] || [ "$RUNS" -gt 50 ]; then
	echo "reload.sh: --runs takes 1..50" >&2
	exit 2
fi
export top_srcdir top_builddir
VLAB_NET=73
# shellcheck source=SCRIPTDIR/../tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=SCRIPTDIR/../tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
if [ "$(id -u)" != 0 ]; then
	echo "reload.sh: needs root (network namespaces)" >&2
	exit 1
fi
for t in ip ping jq; do
	command -v "$t" >/dev/null || { echo "reload.sh: missing $t" >&2; exit 1; }
done
for f in "$VIPD" "$VIPCTL"; do
	[ -x "$f" ] || { echo "reload.sh: $f is not built" >&2; exit 1; }
done
if nm "$VIPD" 2>/dev/null | grep -q __asan_init; then
	echo "# warning: $VIPD is built with sanitizers; numbers will be slow"
fi
say() { echo "# $*" >&2; }

vlab_lan "vrb$$" 2 || { echo "reload.sh: cannot build the lab" >&2; exit 1; }
T=$VLAB_TMP
N=10.73.0
for n in n1 n2 c1; do
	i=$([ $n = c1 ] && echo 200 || echo "${n#n}")
	lab_exec $n ip addr add "10.73.31.$i/20" dev eth1
done
seq 1 1000 | awk '{ o = $1 * 3; printf "10.73.%d.%d\n", 16 + int(o / 256), o % 256 }' \
	>"$T/vips"

# conf NODE PRIO VIPS [GARP_COUNT] [EXTRA: c | big | many] [BIGPRIO]
conf() {
	local node=$1 prio=$2 vips=$3 garp=${4:-5} i
	vlab_conf "$node" "$T/$node.conf" prio="$prio" vips="$vips" \
		garp_count="$garp" garp_interval=300
	vlab_conf_group "$T/$node.conf" group=b vips="$N.110"
	case "${5:-}" in
	c) vlab_conf_group "$T/$node.conf" group=c vips="$N.120" ;;
	big) vlab_conf_group "$T/$node.conf" group=big \
		vips="$(paste -sd, "$T/vips.now")" prio="${6:-100}" ;;
	many)
		for i in $(seq 1 "$MANY"); do
			vlab_conf_group "$T/$node.conf" group="g$i" \
				vips="10.73.$((16 + i / 250)).$((i % 250 + 1))" \
				prio="$([ "$i" = 1 ] && echo "${6:-100}" || echo 100)"
		done ;;
	esac
}
both() {
	local p=$1
	shift
	conf n1 "$p" "$@"
	conf n2 100 "$@"
}
ms_now() { echo "${EPOCHREALTIME//[.,]/}"; }
reload_both() {
	vlab_ctl n2 reload >/dev/null 2>&1
	R_T0=$(ms_now)
	vlab_ctl n1 reload >/dev/null 2>&1
	R_T1=$(ms_now)
}
probe_start() {
	local v
	PROBE_PIDS=()
	for v in "$@"; do
		lab_bg c1 "$T/ping.$v" ping -n -q -i 0.001 -c 1500 -W 1 -w 8 "$v"
		PROBE_PIDS+=("$LAB_LASTPID")
	done
	sleep 0.2
}
probe_end() { # prints "VIP lost/sent ..." for the VIPs
	local p v out=""
	for p in "${PROBE_PIDS[@]}"; do lab_reap "$p" 9000; done
	for v in "$@"; do
		out="$out $v $(awk '/packets transmitted/ {print $1 - $4 "/" $1}' \
			"$T/ping.$v")"
	done
	echo "${out# }"
}

both 200 "$N.100,$N.101"
for n in n1 n2; do
	vlab_start $n || { echo "reload.sh: vipd did not start on $n" >&2; exit 1; }
done
lab_wait 10000 vlab_answering n1 || { echo "reload.sh: n1 does not lead" >&2; exit 1; }
lab_wait 10000 vlab_answering n1 b
lab_wait 5000 vlab_gf_is n2 state backup
UNCH=("$N.100" "$N.101" "$N.110")

echo "== 1. lost probes for unchanged VIPs (1 ms probes, both nodes reloaded)"
kind() { # NAME: the config is written; reload and report
	probe_start "${UNCH[@]}"
	reload_both
	printf '%-16s %s  (vipctl reload on the leader: %d ms)\n' "$1" \
		"$(probe_end "${UNCH[@]}")" $(((R_T1 - R_T0) / 1000))
}
# add a VIP, timed (2.)
both 200 "$N.100,$N.101,$N.102"
lab_bg c1 "$T/ping.new" ping -n -D -i 0.001 -c 5000 -w 6 "$N.102"
NEWPING=$LAB_LASTPID
kind "add VIP"
A_T0=$R_T0 A_T1=$R_T1
first() { grep -q 'bytes from' "$T/ping.new"; }
lab_wait 5000 first
lab_stop "$NEWPING" INT
tr=$(sed -n 's/^\[\([0-9]*\)\.\([0-9]*\)\] .*bytes from.*/\1\2/p' "$T/ping.new" | head -1)
both 200 "$N.100,$N.101"
kind "remove VIP"
gone=$(lab_exec c1 ping -n -c 5 -i 0.01 -W 0.2 "$N.102" 2>/dev/null |
	awk '/packets transmitted/ {print $4}')
both 200 "$N.100,$N.101" 5 c
kind "add group"
both 200 "$N.100,$N.101"
kind "remove group"
both 200 "$N.100,$N.101" 2
kind "garp"
cp "$T/n1.conf" "$T/n1.good"
echo "groups = ( { name = ; } );" >>"$T/n1.conf"
cp "$T/n2.conf" "$T/n2.good"
echo "groups = ( { name = ; } );" >>"$T/n2.conf"
kind "broken file"
cp "$T/n1.good" "$T/n1.conf"
cp "$T/n2.good" "$T/n2.conf"
echo "== 2. added VIP: first answer $(((tr - A_T0) / 1000)) ms after vipctl reload started on the leader, $(((tr - A_T1) / 1000)) ms after it returned"
echo "   removed VIP: ${gone:-?} of 5 pings answered right after the reload"

echo "== 3. reload duration (the daemon's own: duration_us of vipctl reload --json; median of $RUNS)"
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
timed() { # NAME: RUNS times PREP RUN (writes n1's file), then reload n1
	local i us out=()
	for i in $(seq 1 "$RUNS"); do
		$PREP "$i"
		us=$(vlab_ctl n1 reload --json 2>/dev/null | jq -r '.duration_us')
		out+=("${us:-0}")
	done
	printf '%-34s %7.2f ms\n' "$1" "$(printf '%s\n' "${out[@]}" | median |
		awk '{print $1 / 1000}')"
}
# big MODE RUN: n1's file with the 1,000-VIP group as MODE says
big() {
	cp "$T/vips" "$T/vips.now"
	case "$1" in
	same) ;;
	add) echo "10.73.30.$2" >>"$T/vips.now" ;;
	rm) sed -i "${2}d" "$T/vips.now" ;;
	esac
	conf n1 200 "$N.100,$N.101" 5 big "$([ "$1" = prio ] && echo $((150 + $2)) || echo 100)"
}
big_new() { # the group goes, then comes back (timed)
	conf n1 200 "$N.100,$N.101"
	vlab_ctl n1 reload >/dev/null 2>&1
	big same
}
PREP=big_new timed "1,000 VIPs: group added"
PREP="big same" timed "1,000 VIPs: nothing changed"
PREP="big add" timed "1,000 VIPs: one VIP added"
PREP="big rm" timed "1,000 VIPs: one VIP removed"
PREP="big prio" timed "1,000 VIPs: priority changed"
many() { # many COUNT [PRIO of g1]
	MANY=$1
	conf n1 200 "$N.100,$N.101" 5 many "${2:-100}"
}
many_new() {
	conf n1 200 "$N.100,$N.101"
	vlab_ctl n1 reload >/dev/null 2>&1
	many 100
}
PREP=many_new timed "100 groups: all added"
same100() { many 100; }
PREP=same100 timed "100 groups: nothing changed"
prio100() { many 100 $((150 + $1)); }
PREP=prio100 timed "100 groups: one group's priority"
add100() { many 100; vlab_ctl n1 reload >/dev/null 2>&1; many 101; }
PREP=add100 timed "100 groups: one group added"
vlab_stop n1
vlab_stop n2

# ------------------------------------------------ 4. keepalived, the same
if ! command -v keepalived >/dev/null; then
	echo "== 4. keepalived: not installed, no comparison"
	exit 0
fi
# ka NODE PRIO "VIPS of VI_a" [c]: two instances (a: VIPS, b: .110), the
# third (c: .120) with c; unicast between the two nodes, advert 1 s.
ka() {
	local node=$1 prio=$2 vips=$3 peer inst v id x
	peer=$([ "$node" = n1 ] && echo "$N.2" || echo "$N.1")
	{
		printf 'global_defs {\n  router_id %s\n  enable_script_security\n}\n' \
			"$node"
		for inst in a b ${4:-}; do
			case $inst in
			a) v=$vips id=51 ;;
			b) v=$N.110 id=52 ;;
			c) v=$N.120 id=53 ;;
			esac
			printf 'vrrp_instance VI_%s {\n  state BACKUP\n' "$inst"
			printf '  interface eth1\n  virtual_router_id %s\n' "$id"
			printf '  priority %s\n  advert_int 1\n' "$prio"
			printf '  unicast_src_ip %s\n' "$(vlab_ip "$node")"
			printf '  unicast_peer {\n    %s\n  }\n' "$peer"
			printf '  virtual_ipaddress {\n'
			for x in ${v//,/ }; do printf '    %s/24 dev eth1\n' "$x"; done
			printf '  }\n}\n'
		done
	} >"$T/ka-$node.conf"
}
declare -A KA
ka_start() {
	local f="$T/ka-$1"
	lab_bg "$1" "$f.log" keepalived -n -l -D -G -R -P -f "$f.conf" \
		-p "$f.pid" -r "$f.vrrp.pid" -c "$f.chk.pid"
	KA[$1]=$LAB_LASTPID
}
ka_both() { ka n1 200 "$@"; ka n2 100 "$@"; }
ka_reload() { # SIGHUP n2 then n1, as vipd's reloads above
	kill -HUP "${KA[n2]}"
	R_T0=$(ms_now)
	kill -HUP "${KA[n1]}"
	R_T1=$R_T0
}
ka_leads() { lab_exec n1 ip -o addr show dev eth1 | grep -q " $1/"; }
ka_both "$N.100,$N.101"
ka_start n1
ka_start n2
if ! lab_wait 15000 ka_leads "$N.110" || ! lab_wait 15000 ka_leads "$N.100"; then
	echo "reload.sh: keepalived did not take the VIPs on n1" >&2
	exit 1
fi
sleep 2
echo "== 4. keepalived $(keepalived --version 2>&1 | head -1 | awk '{print $2}'): SIGHUP, the same changes (lost probes for unchanged VIPs)"
kka() { # NAME
	probe_start "${UNCH[@]}"
	ka_reload
	printf '%-16s %s\n' "$1" "$(probe_end "${UNCH[@]}")"
}
ka_both "$N.100,$N.101,$N.102"
lab_bg c1 "$T/ping.kanew" ping -n -D -i 0.001 -c 8000 -w 9 "$N.102"
KNEW=$LAB_LASTPID
kka "add VIP"
A_T0=$R_T0
lab_wait 8000 grep -q 'bytes from' "$T/ping.kanew"
lab_stop "$KNEW" INT
tr=$(sed -n 's/^\[\([0-9]*\)\.\([0-9]*\)\] .*bytes from.*/\1\2/p' \
	"$T/ping.kanew" | head -1)
lab_wait 8000 ka_leads "$N.100"
sleep 1
ka_both "$N.100,$N.101"
kka "remove VIP"
lab_wait 8000 ka_leads "$N.100"
sleep 1
ka_both "$N.100,$N.101" c
kka "add group"
lab_wait 8000 ka_leads "$N.100"
sleep 1
ka_both "$N.100,$N.101"
kka "remove group"
echo "   keepalived added VIP: first answer $(( (${tr:-0} - A_T0) / 1000 )) ms after SIGHUP"
lab_stop "${KA[n1]}" TERM
lab_stop "${KA[n2]}" TERM
