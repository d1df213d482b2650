#!/bin/bash
# bench/arp.sh: the announcer's numbers (issue 3), in one namespace lab.
#
#   sudo bench/arp.sh [--builddir DIR] [--count N] [--flood-seconds S]
#                     [--runs R]
#
# 1. ARP reply latency: N (default 1,000) arping round trips from a client
#    to a VIP that vipd answers, interleaved with N to an address the
#    leader's kernel answers on the same veth; median, p99 and the ratio.
# 2. ARP flood: 50,000 requests/s for addresses that are not VIPs for S
#    (default 10) seconds (tests/tools/l2gen); the leader's vipd CPU time
#    over that window, from /proc/PID/stat, as % of one core.
# 3. Takeover burst of 1,000 VIPs, R (default 3) times (vipctl release
#    hands the group to the other node): first to last gratuitous frame of
#    the new leader's first round, captured on the client, and the
#    daemon's own status first_round_ms.
# 4. For reference, the flood of 2. once 3,000 VIPs outgrow the kernel
#    filter (opcode-only fallback: every request reaches vipd's lookup).
#
# The cluster: 2 vipd nodes and a client on one bridge (tests/netns/lab.sh
# and vlab.sh, 10.72.0.0/24), one group of 1,000 IPv4 VIPs, every third
# address of 10.72.16.0/20 (a subnet added to every host), so the kernel
# filter holds one compare per VIP as in the scale test.  Everything runs
# in namespaces named vta-b<PID>-*, removed on exit.  Use a release build
# (./configure without --enable-sanitizers); DIR defaults to the source
# tree.  Needs arping, tcpdump, tshark, jq and tests/tools/l2gen (built
# by `make tools`, which the script runs in DIR if it is missing).

set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
top_builddir=$top_srcdir
COUNT=1000
FLOOD_S=10
RUNS=3
FLOOD_RATE=50000

usage() {
	sed -n '3,5p' "$0" | sed 's/^# //'
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--builddir) top_builddir=$(cd "${2:?}" && pwd) || exit 2; shift 2 ;;
	--builddir=*) top_builddir=$(cd "${1#*=}" && pwd) || exit 2; shift ;;
	--count) COUNT=${2:?}; shift 2 ;;
	--flood-seconds) FLOOD_S=${2:?}; shift 2 ;;
	--runs) RUNS=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
# bounded NAME VALUE LO HI: bounded by design.
bounded() {
	if ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		echo "arp.sh: $1 takes $3..$4" >&2
		exit 2
	fi
}
bounded --count "$COUNT" 10 10000
bounded --flood-seconds "$FLOOD_S" 1 60
bounded --runs "$RUNS" 1 20
export top_srcdir top_builddir

VLAB_NET=72
# shellcheck source=SCRIPTDIR/../tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=SCRIPTDIR/../tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

if [ "$(id -u)" != 0 ]; then
	echo "arp.sh: needs root (network namespaces)" >&2
	exit 1
fi
for t in ip arping tcpdump tshark jq; do
	command -v "$t" >/dev/null || { echo "arp.sh: missing $t" >&2; exit 1; }
done
L2GEN=$top_builddir/tests/tools/l2gen
if [ ! -x "$VIPD" ] || [ ! -x "$VIPCTL" ] || [ ! -x "$L2GEN" ]; then
	[ -f "$top_builddir/Makefile" ] &&
		make -C "$top_builddir" -s all tools >&2
fi
for f in "$VIPD" "$VIPCTL" "$L2GEN"; do
	[ -x "$f" ] || { echo "arp.sh: $f is not built" >&2; exit 1; }
done
if nm "$VIPD" 2>/dev/null | grep -q __asan_init; then
	echo "# warning: $VIPD is built with sanitizers; numbers will be slow"
fi

say() { echo "# $*" >&2; }

vlab_lan "vta-b$$" 2 || { echo "arp.sh: cannot build the lab" >&2; exit 1; }
T=$VLAB_TMP
for n in n1 n2 c1; do
	i=$([ $n = c1 ] && echo 200 || echo "${n#n}")
	lab_exec $n ip addr add "10.72.31.$i/20" dev eth1
done
seq 1 1000 | awk '{ o = $1 * 3; printf "10.72.%d.%d\n", 16 + int(o / 256), o % 256 }' \
	>"$T/vips"
VIP=$(sed -n 500p "$T/vips")
KIP=10.72.0.1 # n1's own address on eth1: its kernel answers
for n in n1 n2; do
	prio=100
	[ $n = n1 ] && prio=200
	vlab_conf $n "$T/$n.conf" prio=$prio \
		"vips=$(paste -sd, "$T/vips")" garp_count=1 garp_interval=1000
	vlab_start $n || { echo "arp.sh: vipd did not start on $n" >&2; exit 1; }
done
if ! lab_wait 10000 vlab_leader_is n1 ||
	! lab_wait 5000 vlab_answering n1; then
	echo "arp.sh: n1 did not take the lead" >&2
	exit 1
fi
lab_wait 10000 vlab_gf_is n2 state backup
fallback=$(vlab_metric n1 '.capture[0].filter_fallback')
say "cluster up: n1 leads 1,000 VIPs (filter fallback: $fallback)"

# quantile Q FILE: the value at rank ceil(Q * n) of a sorted column.
quantile() {
	sort -g "$2" | awk -v q="$1" '{ v[NR] = $1 }
		END { r = int(q * NR); if (r < q * NR) r++; if (r < 1) r = 1;
		      printf "%.3f", v[r] }'
}

# ------------------------------------------------------ 1. latency
say "1. $COUNT arping round trips to $VIP (vipd) and $KIP (kernel), interleaved"
lab_exec c1 bash -c "for i in \$(seq $COUNT); do
	arping -c 1 -w 1 -I eth1 $VIP; arping -c 1 -w 1 -I eth1 $KIP
done" 2>/dev/null >"$T/arping.out"
for who in vipd:$VIP kernel:$KIP; do
	grep -F "reply from ${who#*:} " "$T/arping.out" |
		sed -n 's/.*]  *\([0-9.]*\)ms.*/\1/p' >"$T/rtt.${who%%:*}"
done
n_v=$(wc -l <"$T/rtt.vipd")
n_k=$(wc -l <"$T/rtt.kernel")
med_v=$(quantile 0.5 "$T/rtt.vipd")
med_k=$(quantile 0.5 "$T/rtt.kernel")
p99_v=$(quantile 0.99 "$T/rtt.vipd")
p99_k=$(quantile 0.99 "$T/rtt.kernel")
ratio=$(awk -v a="$med_v" -v b="$med_k" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')

# -------------------------------------------------------- 2. flood
say "2. ARP flood: $FLOOD_RATE requests/s for 10.73.0.0/16 (no VIP) for $FLOOD_S s"
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
HZ=$(getconf CLK_TCK)
pct() { awk -v c="$1" -v hz="$HZ" -v w="$2" 'BEGIN { printf "%.2f", 100 * c / hz / w }'; }

# flood NAME NODE...: the flood from c1; sets WALL, RATE, SENT and, per
# node, CPU[node] (% of one core) and RX[node] (frames vipd captured).
declare -A C0 R0 CPU RX
flood() {
	local name=$1 n t0 t1
	shift
	for n in "$@"; do
		C0[$n]=$(ticks "${VLAB_PIDS[$n]}")
		R0[$n]=$(vlab_metric "$n" '.capture[0].rx_frames')
	done
	t0=$(date +%s%N)
	lab_exec c1 "$L2GEN" eth1 flood --rate "$FLOOD_RATE" --seconds "$FLOOD_S" \
		--target-net 10.73.0.0/16 >"$T/$name.json"
	t1=$(date +%s%N)
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	for n in "$@"; do
		CPU[$n]=$(pct $(($(ticks "${VLAB_PIDS[$n]}") - C0[$n])) "$WALL")
		RX[$n]=$(($(vlab_metric "$n" '.capture[0].rx_frames') - R0[$n]))
	done
	SENT=$(jq .sent "$T/$name.json")
	RATE=$(jq -r '.sent / .seconds | floor' "$T/$name.json")
}
flood flood n1 n2
cpu1=${CPU[n1]} cpu2=${CPU[n2]} rx_flood=${RX[n1]} wall=$WALL rate=$RATE sent=$SENT
tick_pct=$(pct 1 "$wall")

# ---------------------------------------------------- 3. takeovers
say "3. $RUNS takeovers of 1,000 VIPs (vipctl release on the leader)"
leader=n1
for r in $(seq "$RUNS"); do
	next=n1
	[ "$leader" = n1 ] && next=n2
	mac=$(vlab_mac "$next")
	before=$(vlab_json "$next" '.groups[0].counters.announcements')
	vlab_l2_capture c1 "burst$r" "arp"
	vlab_ctl "$leader" release vip >/dev/null
	grown() {
		[ "$(vlab_json "$1" '.groups[0].counters.announcements')" -ge $(($2 + 2000)) ]
	}
	lab_wait 10000 grown "$next" "$before" ||
		say "run $r: $next did not announce every VIP"
	vlab_l2_uncapture
	vlab_l2_fields "$T/burst$r.pcap" "arp.isgratuitous && eth.src == $mac" \
		frame.time_epoch >"$T/burst$r.t"
	frames=$(wc -l <"$T/burst$r.t")
	wire=$(awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.1f", (b - a) * 1000 }' \
		"$T/burst$r.t")
	frm=$(vlab_json "$next" '.groups[0].counters.first_round_ms')
	echo "$wire" >>"$T/wire"
	echo "$frm" >>"$T/frm"
	say "run $r: $leader -> $next: $frames frames on the wire in $wire ms, first_round_ms $frm"
	lab_wait 5000 vlab_silent "$leader"
	leader=$next
done
wire_med=$(quantile 0.5 "$T/wire")
wire_max=$(sort -g "$T/wire" | tail -1)
frm_med=$(quantile 0.5 "$T/frm")
frm_max=$(sort -g "$T/frm" | tail -1)

for n in n1 n2; do
	vlab_stop $n TERM
	[ "$LAB_STOP_RC" = 0 ] || say "$n: vipd exited $LAB_STOP_RC"
done

# ------------------------- 4. the flood past the kernel filter's size
# 3,000 scattered VIPs do not fit in a classic BPF program: vipd installs
# the opcode-only filter and every flood frame reaches its hash lookup.
say "4. the same flood with 3,000 VIPs (opcode-only filter), solo n1"
lab_exec n1 ip addr add 10.72.63.1/18 dev eth1
seq 1 3000 | awk '{ o = 4096 + $1 * 3; printf "10.72.%d.%d\n", int(o / 256), o % 256 }' \
	>"$T/vips3k"
vlab_conf n1 "$T/n1.conf" peers=none "vips=$(paste -sd, "$T/vips3k")" \
	garp_count=1
if ! vlab_start n1 || ! lab_wait 10000 vlab_answering n1; then
	say "n1 did not start with 3,000 VIPs"
fi
fb3k=$(vlab_metric n1 '.capture[0].filter_fallback')
flood flood3k n1
cpu3k=${CPU[n1]} rx3k=${RX[n1]} rate3k=$RATE wall3k=$WALL
drop3k=$(vlab_metric n1 '.capture[0].rx_dropped')
vlab_stop n1 TERM
[ "$LAB_STOP_RC" = 0 ] || say "n1: vipd exited $LAB_STOP_RC"

# ---------------------------------------------------------- table
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print ((v != "" && v + 0 < t + 0) ? "ok" : "MISSED") }'; }
echo
echo "vipd ARP benchmark ($(uname -r), $(nproc) CPUs, $top_builddir)"
printf '%-46s %16s %10s %s\n' "measure" "result" "target" ""
printf '%-46s %16s %10s\n' "ARP reply median, vipd ($n_v replies)" "$med_v ms" ""
printf '%-46s %16s %10s\n' "ARP reply median, kernel ($n_k replies)" "$med_k ms" ""
printf '%-46s %16s %10s %s\n' "median ratio vipd / kernel" "$ratio x" "< 2 x" \
	"$(verdict "$ratio" 2)"
printf '%-46s %16s %10s\n' "ARP reply p99, vipd / kernel" "$p99_v / $p99_k ms" ""
printf '%-46s %16s %10s %s\n' "flood $rate req/s for ${wall} s: vipd CPU (leader)" \
	"$cpu1 %" "< 5 %" "$(verdict "$cpu1" 5)"
printf '%-46s %16s %10s\n' "  same window, vipd CPU (backup)" "$cpu2 %" ""
printf '%-46s %16s %10s\n' "  flood frames sent / reaching vipd" \
	"$sent / $rx_flood" ""
printf '%-46s %16s %10s\n' "  CPU resolution (one clock tick)" "$tick_pct %" ""
printf '%-46s %16s %10s %s\n' "takeover 1,000 VIPs, wire, median of $RUNS" \
	"$wire_med ms" "< 100 ms" "$(verdict "$wire_med" 100)"
printf '%-46s %16s %10s\n' "  worst run, wire" "$wire_max ms" ""
printf '%-46s %16s %10s %s\n' "takeover 1,000 VIPs, first_round_ms, median" \
	"$frm_med ms" "< 100 ms" "$(verdict "$frm_med" 100)"
printf '%-46s %16s %10s\n' "  worst run, first_round_ms" "$frm_max ms" ""
printf '%-46s %16s %10s\n' "kernel filter fallback with 1,000 VIPs" "$fallback" ""
printf '%-46s %16s %10s\n' "flood $rate3k req/s for ${wall3k} s, 3,000 VIPs" "$cpu3k %" ""
printf '%-46s %16s %10s\n' "  filter fallback / frames reaching vipd" "$fb3k / $rx3k" ""
printf '%-46s %16s %10s\n' "  frames the kernel dropped (ring full)" "$drop3k" ""
