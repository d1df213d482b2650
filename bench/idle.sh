#!/bin/bash
# bench/idle.sh: resident memory and CPU time of three idle vipd nodes at
# default settings, next to keepalived's (bench/README.md explains it).
#
#   bench/idle.sh [--builddir DIR] [--seconds N] [--intervals LIST]
#                 [--adverts LIST]
#
# The lab is failover.sh's (namespaces vbfi<PID>-*, removed on exit): three nodes
# (priorities 250/240/230), one VIP.  For each configuration the daemons
# start, n1 takes the VIP, the takeover's announcement burst ends (6 s), and
# then each node's process is sampled over the window: VmRSS and VmHWM from
# /proc/PID/status at its end, utime+stime from /proc/PID/stat at both ends
# (as % of one core).  keepalived forks a VRRP child: its figures are the
# parent's and the child's added up.
#
# Options:
#   --builddir DIR    where vipd and vipctl are (default: the source tree)
#   --seconds N       the idle window (default 60)
#   --intervals LIST  vipd interval_ms values (default 100, the default)
#   --adverts LIST    keepalived advert_int values (default 1,0.1)
# Needs root and keepalived (or --adverts none).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib_bench.sh
. "$SRC/bench/lib_bench.sh"
BUILD="$SRC"
SECONDS_IDLE=60
INTERVALS=100
ADVERTS="1,0.1"

bf_parse builddir=BUILD seconds=SECONDS_IDLE intervals=INTERVALS \
	adverts=ADVERTS -- "$@"
case "$SECONDS_IDLE" in '' | *[!0-9]* | 0) echo "idle.sh: --seconds N, N >= 1" >&2; exit 2 ;; esac
[ "$ADVERTS" = none ] && ADVERTS=""
bf_begin bench/tools/udpecho
[ -n "$ADVERTS" ] && bf_need_keepalived "--adverts none"

# shellcheck source=tests/netns/lab.sh
. "$SRC/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$SRC/tests/netns/vlab.sh"

log() { echo "idle: $*" >&2; }
HZ=$(getconf CLK_TCK)

# cpu_ticks PID...: utime + stime summed (fields 14 and 15 of stat; the
# command name in field 2 may hold spaces, so count from its ')').
cpu_ticks() {
	local p sum=0 rest
	for p in "$@"; do
		rest=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		# shellcheck disable=SC2086
		set -- $rest
		sum=$((sum + ${12} + ${13}))
	done
	echo "$sum"
}

# kib KEY PID...: a /proc/PID/status value (kB) summed.
kib() {
	local key="$1" p sum=0 v
	shift
	for p in "$@"; do
		v=$(awk -v k="$key:" '$1 == k { print $2 }' "/proc/$p/status" 2>/dev/null)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# pids_of DAEMON NODE
pids_of() {
	if [ "$1" = vipd ]; then
		echo "${VLAB_PIDS[$2]}"
	else
		bf_ka_pids "$2"
	fi
}

n1_alone_vipd() { vlab_leader_is n1; }
n1_alone_ka() { bf_ka_holds n1 && ! bf_ka_holds n2 && ! bf_ka_holds n3; }

ROWS=()

# measure DAEMON SETTING: start three nodes, wait, sample the window.
measure() {
	local daemon="$1" set="$2" n t0 t1 w0 w1 pids
	declare -A c0
	log "$daemon $set: starting"
	for n in "${BF_NODES[@]}"; do
		if [ "$daemon" = vipd ]; then
			bf_vipd_conf "$n" "$set" lan
			bf_vipd_start "$n" || log "WARNING: vipd did not start on $n"
		else
			bf_ka_conf "$n" "$set"
			bf_ka_start "$n" || log "WARNING: keepalived did not start on $n"
		fi
	done
	lab_wait 20000 "n1_alone_$daemon" || log "WARNING: n1 does not lead alone"
	# The takeover's announcement burst (vipd: 5 x 1.1 s; keepalived:
	# 5 GARPs, again after 5 s) is not idling.
	sleep 6
	for n in "${BF_NODES[@]}"; do
		# shellcheck disable=SC2046
		c0[$n]=$(cpu_ticks $(pids_of "$daemon" "$n"))
	done
	w0=$(date +%s.%N)
	log "$daemon $set: idle for $SECONDS_IDLE s"
	sleep "$SECONDS_IDLE"
	w1=$(date +%s.%N)
	for n in "${BF_NODES[@]}"; do
		pids=$(pids_of "$daemon" "$n" | tr '\n' ' ')
		# shellcheck disable=SC2086
		t1=$(cpu_ticks $pids)
		t0=${c0[$n]}
		# shellcheck disable=SC2086
		ROWS+=("$daemon|$set|$n|$(kib VmRSS $pids)|$(kib VmHWM $pids)|$((t1 - t0))|$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')|$(echo $pids | wc -w)")
	done
	for n in "${BF_NODES[@]}"; do
		if [ "$daemon" = vipd ]; then
			bf_vipd_stop "$n" TERM
			[ "$LAB_STOP_RC" = 0 ] || log "WARNING: vipd on $n exited $LAB_STOP_RC"
		else
			bf_ka_stop "$n" TERM
		fi
	done
}

bf_lab "vbfi$$" || { echo "idle.sh: cannot build the lab" >&2; exit 1; }
for i in ${INTERVALS//,/ }; do measure vipd "$i"; done
for a in ${ADVERTS//,/ }; do measure ka "$a"; done

echo
echo "Idle cost per node over $SECONDS_IDLE s, after the takeover burst (3 nodes, 1 VIP)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(bf_machine)"
echo "vipd: $("$VIPD" -V 2>/dev/null | head -1) ($BUILD)${ADVERTS:+; $(keepalived --version 2>&1 | head -1)}"
fmt="%-11s %-16s %-5s %-7s %-8s %-7s %-11s %s\n"
# shellcheck disable=SC2059
printf "$fmt" daemon setting node "RSS MB" "peak MB" "CPU ms" "CPU % core" "vipd vs target"
for r in "${ROWS[@]}"; do
	IFS='|' read -r d s n rss hwm ticks win _ <<<"$r"
	if [ "$d" = vipd ]; then
		name=vipd
		setting="interval_ms $s"
	else
		name="keepalived"
		setting="advert_int $s"
	fi
	line=$(awk -v rss="$rss" -v hwm="$hwm" -v t="$ticks" -v hz="$HZ" -v w="$win" \
		'BEGIN { printf "%.1f %.1f %.0f %.3f\n", rss / 1024, hwm / 1024,
			t * 1000 / hz, t / hz / w * 100 }')
	read -r mb pk ms pct <<<"$line"
	v="-"
	if [ "$d" = vipd ]; then
		if awk -v m="$mb" -v p="$pct" 'BEGIN { exit !(m <= 8 && p <= 0.5) }'; then
			v=ok
		else
			v=MISS
		fi
	fi
	# shellcheck disable=SC2059
	printf "$fmt" "$name" "$setting" "$n" "$mb" "$pk" "$ms" "$pct" "$v"
done
echo "Targets (vipctl issue): RSS <= 8 MB, idle CPU <= 0.5% of a core.  n1 leads."
echo "keepalived: the parent and its VRRP child added up.  CPU time from"
echo "  /proc/PID/stat (utime+stime, $HZ ticks/s); RSS = VmRSS, peak = VmHWM."
