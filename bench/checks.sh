#!/bin/bash
# bench/checks.sh: health checks (issue 10).  The outage a client sees
# when the service dies on the leader (not the node, not the daemon), and
# what the checks cost.
#
#   bench/checks.sh [--builddir DIR] [--reps N] [--seconds S]
#                   [--no-keepalived] [--parts LIST]
#
# Lab (namespaces vbc<PID>-*, removed on exit): bench/lib_bench.sh's three
# nodes n1..n3 (priorities 250/240/230), client c1.  The service on each
# node is udpecho (what the client probes, renamed bsvc-NODE so that a
# process check finds its own node's) and tcpsvc on 127.0.0.1:8080 (its
# TCP health port).  The client's prober sends to the VIP every 1 ms;
# SIGKILL to n1's service (both programs at once); the outage is the
# prober's max_gap_ms until n2 answers.
#
# Parts (default all):
#   tcp       vipd, group tracks a TCP check of 127.0.0.1:8080, interval
#             100 ms, fall 2 (no weight: a failing check hands over)
#   process   vipd, group tracks a process check of bsvc-NODE (interval
#             1 s; the exit is seen through a pidfd)
#   ka        keepalived, vrrp_script "pgrep -x bsvc-NODE", interval 1,
#             fall 1 (its fastest: 1 s is its minimum interval), advert 1
#   cpu       one vipd alone: CPU (utime+stime, and the reaped children's)
#             over S seconds idle, then with 50 exec checks (/bin/true,
#             interval 1 s) and 10 TCP checks (interval 100 ms), then with
#             the 50 exec checks alone; keepalived (unless --no-keepalived)
#             idle and with 50 vrrp_scripts (/bin/true, interval 1 s)
#             tracked by its instance, the sum of its processes; and
#             bench/tools/spawncost: what one bare start and reap of
#             /bin/true costs a parent here (the floor under any checker
#             that runs a command per check)
#   jitter    n1 and n2: the gaps between n1's heartbeats as they leave
#             n1's eth1 (tcpdump -Q out: the kernel's send time) over S
#             seconds, without checks, with 50 exec checks every 100 ms on
#             n1, and the same with process.realtime_priority = 10 on n1
#             (skipped when the machine refuses SCHED_RR)
#
# Options: --builddir DIR (default the source tree), --reps N (default 3),
# --seconds S (default 20), --no-keepalived, --parts LIST.
# Needs root, jq, python3, tcpdump (jitter), keepalived (ka).  Takes ~3
# minutes at the defaults.  Measure a build without sanitizers.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib_bench.sh
. "$SRC/bench/lib_bench.sh"
BUILD="$SRC"
REPS=3
SECONDS_RUN=20
KA=1
PARTS="tcp,process,ka,cpu,jitter"

bf_parse builddir=BUILD reps=REPS seconds=SECONDS_RUN no-keepalived=KA=0 \
	parts=PARTS -- "$@"
case "$REPS" in '' | *[!0-9]* | 0) echo "checks.sh: --reps N, N >= 1" >&2; exit 2 ;; esac
[ "$KA" = 0 ] && PARTS=${PARTS//ka/}
bf_begin jq python3 bench/tools/prober bench/tools/udpecho bench/tools/tcpsvc \
	bench/tools/spawncost
case ",$PARTS," in *,ka,*) bf_need_keepalived --no-keepalived ;; esac
case ",$PARTS," in *,jitter,*) command -v tcpdump >/dev/null ||
	bf_die "missing tcpdump (or --parts without jitter)" ;; esac

# shellcheck source=tests/netns/lab.sh
. "$SRC/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$SRC/tests/netns/vlab.sh"

log() { echo "checks: $*" >&2; }
want() { case ",$PARTS," in *",$1,"*) return 0 ;; esac; return 1; }

declare -A SVC_U SVC_T RESULTS

# ------------------------------------------------------------- services
svc_start() {
	local n="$1"
	ln -sf "$BF_TOOLS/udpecho" "$BF_T/bsvc-$n"
	lab_bg "$n" /dev/null "$BF_T/bsvc-$n" -n "$n"
	SVC_U[$n]=$LAB_LASTPID
	lab_bg "$n" /dev/null "$BF_TOOLS/tcpsvc" -p 8080 -b 127.0.0.1 -n "$n"
	SVC_T[$n]=$LAB_LASTPID
}

svc_kill() {
	local n="$1"
	[ -n "${SVC_U[$n]:-}" ] && kill -KILL "${SVC_U[$n]}" "${SVC_T[$n]}" 2>/dev/null
	[ -n "${SVC_U[$n]:-}" ] && lab_stop "${SVC_U[$n]}" KILL
	[ -n "${SVC_T[$n]:-}" ] && lab_stop "${SVC_T[$n]}" KILL
	unset "SVC_U[$n]" "SVC_T[$n]"
}

# ------------------------------------------------------------- configs
# vipd_conf NODE KIND: lib_bench's config plus the check the group tracks.
vipd_conf() {
	local n="$1" kind="$2" track
	bf_vipd_conf "$n" 100 lan
	sed -i '$d' "$BF_T/$n.conf"
	case "$kind" in
	tcp) track="web" ;;
	process) track="svc" ;;
	esac
	cat >>"$BF_T/$n.conf" <<EOF
  track = [ "$track" ];
} );
checks = (
  { name = "web"; tcp = "127.0.0.1:8080"; interval_ms = 100; fall = 2; rise = 2; },
  { name = "svc"; process = "bsvc-$n"; interval_ms = 1000; }
);
EOF
}

# ka_base NODE: lib_bench's keepalived config with a script user
# (keepalived refuses scripts without one, and none exists here).
ka_base() {
	bf_ka_conf "$1" 1
	sed -i 's/^  enable_script_security/  enable_script_security\n  script_user root/' "$BF_T/ka-$1.conf"
}

ka_conf() {
	local n="$1"
	ka_base "$n"
	sed -i 's/^vrrp_instance/vrrp_script chk_svc {\n  script "\/usr\/bin\/pgrep -x bsvc-'"$n"'"\n  interval 1\n  fall 1\n  rise 1\n}\nvrrp_instance/' "$BF_T/ka-$n.conf"
	sed -i 's/^  virtual_ipaddress {/  track_script {\n    chk_svc\n  }\n  virtual_ipaddress {/' "$BF_T/ka-$n.conf"
}

# ------------------------------------------------------------- daemons
DAEMON=vipd
d_start() {
	if [ "$DAEMON" = vipd ]; then
		vlab_running "$1" || bf_vipd_start "$1"
	else
		bf_ka_running "$1" || bf_ka_start "$1"
	fi
}

d_stop() {
	if [ "$DAEMON" = vipd ]; then bf_vipd_stop "$1" TERM; else bf_ka_stop "$1" TERM; fi
}

d_holds() {
	if [ "$DAEMON" = vipd ]; then
		[ "$(vlab_json "$1" '.groups[] | select(.name=="vip") |
			"\(.state) \(.answering)"')" = "leader true" ]
	else
		bf_ka_holds "$1"
	fi
}

n1_alone() { d_holds n1 && ! d_holds n2 && ! d_holds n3; }

client_on_n1() {
	local r
	r=$(lab_exec c1 "$BF_TOOLS/prober" -t "$(bf_vip)" -i 1000 -c 200 \
		-w 100 --json 2>/dev/null |
		jq -r '"\(.lost) \(.nodes | keys | join(","))"')
	[ "$r" = "0 n1" ]
}

ready() {
	local n i
	for n in "${BF_NODES[@]}"; do
		[ -n "${SVC_U[$n]:-}" ] || svc_start "$n"
		d_start "$n" || log "WARNING: $DAEMON did not start on $n"
	done
	lab_wait 20000 n1_alone || return 1
	for i in $(seq 1 40); do client_on_n1 && return 0; done
	return 1
}

mark_has() { grep -q "$1" "$MARK" 2>/dev/null; }

# sample KEY: kill n1's service under the prober; max_gap_ms into RESULTS.
sample() {
	local key="$1" pid out="$BF_T/probe.json" res
	for _ in 1 2 3; do
		ready || { log "$key: n1 does not lead alone; retrying"; continue; }
		MARK="$BF_T/mark"
		rm -f "$MARK" "$out"
		lab_bg c1 "$out" "$BF_TOOLS/prober" -t "$(bf_vip)" -i 1000 \
			-d 60000 -w 300 --json --mark-file "$MARK"
		pid=$LAB_LASTPID
		if ! lab_wait 5000 mark_has '^reply [0-9.]* n1$'; then
			lab_stop "$pid" INT
			continue
		fi
		sleep 0.3
		svc_kill n1
		lab_wait 20000 mark_has '^change' ||
			log "$key: the client saw no other node within 20 s"
		sleep 1
		lab_stop "$pid" INT
		res=$(jq -r '[.max_gap_ms, .lost, .first_node, .last_node] | @tsv' \
			"$out" 2>/dev/null)
		[ -n "$res" ] || { log "$key: no prober result"; continue; }
		read -r gap lost first last <<<"$res"
		log "$key: outage $gap ms, lost $lost, $first -> $last"
		RESULTS[$key]="${RESULTS[$key]:-} $gap"
		# The service comes back; preempt gives n1 the VIP again.
		svc_start n1
		return 0
	done
	log "$key: FAILED three times"
	svc_start n1
}

run_outage() {
	local kind="$1" n
	DAEMON=vipd
	[ "$kind" = ka ] && DAEMON=ka
	for n in "${BF_NODES[@]}"; do
		if [ "$DAEMON" = vipd ]; then
			vipd_conf "$n" "$kind"
		else
			ka_conf "$n"
			lab_exec "$n" sysctl -qw net.ipv4.conf.eth1.arp_ignore=0 \
				net.ipv4.conf.eth1.arp_announce=0
		fi
	done
	for _ in $(seq 1 "$REPS"); do sample "$kind"; done
	for n in "${BF_NODES[@]}"; do d_stop "$n"; done
}

# ------------------------------------------------------------------ CPU
# cpu_ticks PID: "utime+stime cutime+cstime" in clock ticks.
cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat") || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo "$((${12} + ${13})) $((${14} + ${15}))"
}

# cpu_of LABEL PIDS...: utime+stime of PIDS (and their reaped children)
# over S seconds into CPU[LABEL].
cpu_of() {
	local label="$1" hz p a=0 ac=0 b=0 bc=0 x y
	shift
	hz=$(getconf CLK_TCK)
	for p in "$@"; do
		read -r x y <<<"$(cpu_ticks "$p")"
		a=$((a + x)) ac=$((ac + y))
	done
	sleep "$SECONDS_RUN"
	for p in "$@"; do
		read -r x y <<<"$(cpu_ticks "$p")"
		b=$((b + x)) bc=$((bc + y))
	done
	CPU[$label]=$(awk -v d=$((b - a)) -v c=$((bc - ac)) -v hz="$hz" \
		-v s="$SECONDS_RUN" 'BEGIN {
		printf "%.2f %% of a core (daemon), %.2f %% with its reaped children\n",
			100 * d / hz / s, 100 * (d + c) / hz / s }')
	log "cpu $label: ${CPU[$label]}"
}

# cpu_run LABEL: n1's vipd (config already written) alone for S seconds.
cpu_run() {
	local label="$1"
	bf_vipd_start n1 || bf_die "vipd did not start for $label"
	sleep 3
	cpu_of "$label" "${VLAB_PIDS[n1]}"
	bf_vipd_stop n1 TERM
}

# ka_cpu_run LABEL: n1's keepalived (config written) alone, all its
# processes.
ka_cpu_run() {
	local label="$1" p
	bf_ka_start n1 || bf_die "keepalived did not start for $label"
	p=${BF_KA_PID[n1]}
	sleep 3
	# shellcheck disable=SC2046 # a list of PIDs
	cpu_of "$label" "$p" $(pgrep -P "$p")
	bf_ka_stop n1 TERM
}

exec_checks() {
	local i
	for i in $(seq 1 50); do
		echo "  { name = \"e$i\"; exec = [ \"/bin/true\" ]; interval_ms = 1000; }$([ "$i" = 50 ] && [ "${1:-}" = last ] || echo ,)"
	done
}

run_cpu() {
	local i
	bf_vipd_conf n1 100 lan
	cpu_run idle
	bf_vipd_conf n1 100 lan
	{
		echo "checks = ("
		exec_checks
		for i in $(seq 1 10); do
			echo "  { name = \"t$i\"; tcp = \"127.0.0.1:8080\"; interval_ms = 100; }$([ "$i" = 10 ] || echo ,)"
		done
		echo ");"
	} >>"$BF_T/n1.conf"
	cpu_run checks
	bf_vipd_conf n1 100 lan
	{
		echo "checks = ("
		exec_checks last
		echo ");"
	} >>"$BF_T/n1.conf"
	cpu_run exec
	SPAWN_FLOOR=$(lab_exec n1 "$BF_TOOLS/spawncost" -n 2000 | paste -sd, - |
		sed 's/,/ us, /g; s/$/ us/')
	log "spawn floor: $SPAWN_FLOOR"
	[ "$KA" = 1 ] && command -v keepalived >/dev/null || return 0
	ka_base n1
	lab_exec n1 sysctl -qw net.ipv4.conf.eth1.arp_ignore=0 \
		net.ipv4.conf.eth1.arp_announce=0
	ka_cpu_run ka_idle
	ka_base n1
	for i in $(seq 50 -1 1); do
		sed -i 's/^vrrp_instance/vrrp_script e'"$i"' {\n  script "\/bin\/true"\n  interval 1\n}\nvrrp_instance/' "$BF_T/ka-n1.conf"
	done
	sed -i 's/^  virtual_ipaddress {/  track_script {\n'"$(for i in $(seq 1 50); do printf '    e%s\\n' "$i"; done)"'  }\n  virtual_ipaddress {/' "$BF_T/ka-n1.conf"
	ka_cpu_run ka_exec
}

# --------------------------------------------------------------- jitter
# gaps_of PCAP: "p50 p99 max" of the gaps between heartbeats from n1.
gaps_of() {
	tcpdump -r "$1" -nn -tt "src $(bf_lan_ip n1) and dst $(bf_lan_ip n2) and udp port 7431" \
		2>/dev/null | awk '{ t = $1 * 1000; if (p) print t - p; p = t }' |
		sort -g | awk '{ g[NR] = $1 }
		END {
			if (NR == 0) { print "- - -"; exit }
			printf "%.1f %.1f %.1f\n", g[int(NR * 0.5) + 1],
				g[int(NR * 0.99) + 1], g[NR]
		}'
}

jitter_run() {
	local label="$1" cap="$BF_T/hb-$1.pcap" tpid
	bf_vipd_start n1 && bf_vipd_start n2 || bf_die "vipd did not start"
	sleep 2
	lab_bg n1 "$BF_T/tcpdump.log" tcpdump -i eth1 -Q out -nn -U -w "$cap" \
		"src $(bf_lan_ip n1) and dst $(bf_lan_ip n2) and udp port 7431"
	tpid=$LAB_LASTPID
	sleep "$SECONDS_RUN"
	lab_stop "$tpid" INT
	JIT[$label]=$(gaps_of "$cap")
	log "jitter $label: p50/p99/max ${JIT[$label]} ms"
	bf_vipd_stop n1 TERM
	bf_vipd_stop n2 TERM
}

run_jitter() {
	local i
	bf_vipd_conf n1 100 lan
	bf_vipd_conf n2 100 lan
	jitter_run none
	{
		echo "checks = ("
		for i in $(seq 1 50); do
			echo "  { name = \"e$i\"; exec = [ \"/bin/true\" ]; interval_ms = 100; }$([ "$i" = 50 ] || echo ,)"
		done
		echo ");"
	} >>"$BF_T/n1.conf"
	jitter_run exec50
	chrt -r 1 true 2>/dev/null || return 0
	echo "process = { realtime_priority = 10; };" >>"$BF_T/n1.conf"
	jitter_run exec50rt
}

# ------------------------------------------------------------------ main
declare -A CPU JIT
bf_lab "vbc$$" || bf_die "cannot build the lab"
# lib_bench's udpecho answers as the node: ours replaces it.
for p in "${LAB_PIDS[@]}"; do
	case "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" in
	*udpecho*) lab_stop "$p" KILL ;;
	esac
done
START=$(date +%s)
want tcp && run_outage tcp
want process && run_outage process
want ka && run_outage ka
for n in "${BF_NODES[@]}"; do svc_kill "$n"; done
want cpu && { svc_start n1; run_cpu; svc_kill n1; }
want jitter && run_jitter
log "done in $(($(date +%s) - START)) s"

echo
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(bf_machine)"
echo "vipd $("$VIPD" -V 2>/dev/null | head -1) ($BUILD)"
echo
echo "Service killed on the leader (SIGKILL), client probing the VIP every 1 ms:"
echo "outage = prober max_gap_ms, min/median/max of $REPS"
for k in tcp process ka; do
	[ -n "${RESULTS[$k]:-}" ] || continue
	case "$k" in
	tcp) t="vipd, TCP check 100 ms, fall 2" ;;
	process) t="vipd, process check (pidfd), interval 1 s" ;;
	ka) t="keepalived, vrrp_script pgrep, interval 1 s, fall 1" ;;
	esac
	# shellcheck disable=SC2086
	printf "  %-52s %s ms\n" "$t" "$(bf_stats ${RESULTS[$k]} | tr ' ' /)"
done
[ -n "${CPU[idle]:-}" ] && {
	echo
	echo "CPU of one vipd over $SECONDS_RUN s:"
	echo "  idle (no checks):                      ${CPU[idle]}"
	echo "  50 exec checks at 1 s + 10 TCP at 100 ms: ${CPU[checks]}"
	echo "  50 exec checks at 1 s:                 ${CPU[exec]}"
	[ -n "${SPAWN_FLOOR:-}" ] &&
		echo "  floor, the parent's CPU per bare spawn + reap of /bin/true: $SPAWN_FLOOR"
	[ -n "${CPU[ka_idle]:-}" ] && {
		echo "  keepalived idle (all its processes):  ${CPU[ka_idle]}"
		echo "  keepalived, 50 vrrp_scripts at 1 s:   ${CPU[ka_exec]}"
	}
}
[ -n "${JIT[none]:-}" ] && {
	echo
	echo "Heartbeat gaps of n1 to n2 as n1 sends them (interval 100 ms), p50/p99/max ms over $SECONDS_RUN s:"
	echo "  no checks:                  ${JIT[none]}"
	echo "  50 exec checks every 100 ms: ${JIT[exec50]}"
	[ -n "${JIT[exec50rt]:-}" ] &&
		echo "  the same, realtime_priority 10: ${JIT[exec50rt]}"
}
exit 0
