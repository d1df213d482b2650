# shellcheck shell=bash
# The namespace lab shared by integration tests, benchmarks and the demo.
#
# Everything lives in network namespaces this file creates: a "switch"
# namespace holding the bridges, one namespace per node or client, each
# joined to a bridge by a veth.  Nothing is created in the host namespace.
# Every name carries the lab prefix; lab_cleanup (run by the EXIT trap that
# lab_init installs) kills only the processes started through lab_bg, by
# PID, and deletes only the namespaces this lab made.  A test prints TAP
# and its plan at the end (tap_done).

LAB=""
LAB_SW=""
LAB_NS=()
LAB_PIDS=()
LAB_TMP=""
LAB_PORTS=0
TAP_N=0
TAP_FAILED=0

# ---- start and clean-up ----------------------------------------------------
#   lab_need_root [TOOL...]  SKIP the test (exit 0) unless root with ip and
#                            every TOOL, or when VIPD_TEST_NETNS=0
#   lab_init PREFIX          start a lab; PREFIX is short and test-specific
#                            (plus $VIPD_LAB_SUFFIX when set);
#                            makes the temporary directory, installs the trap
#   lab_tmp                  the lab's private temporary directory
#   lab_bail MSG...          print "Bail out! MSG" and exit 1 (set-up failed)

lab_need_root() {
	# run-all.sh runs the namespace tests once, in the sanitizer build;
	# the distcheck pass sets VIPD_TEST_NETNS=0 to skip them.
	if [ "${VIPD_TEST_NETNS:-1}" = 0 ]; then
		echo "1..0 # SKIP namespace tests disabled (VIPD_TEST_NETNS=0)"
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root for network namespaces"
		exit 0
	fi
	local t
	for t in ip "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "1..0 # SKIP missing tool: $t"
			exit 0
		fi
	done
}

lab_init() {
	# Called again with the same prefix (a test that needed the temporary
	# directory before building its lab): the lab stays as it is.
	if [ -n "$LAB_TMP" ]; then
		[ "$LAB" = "$1${VIPD_LAB_SUFFIX:-}" ] && return 0
		echo "lab_init: a lab ($LAB) is already running" >&2
		return 1
	fi
	# VIPD_LAB_SUFFIX (a few characters) lets two runs of one test share a
	# machine: every namespace name carries it.
	LAB="$1${VIPD_LAB_SUFFIX:-}"
	LAB_MAINPID=$BASHPID
	LAB_TMP=$(mktemp -d "/tmp/$LAB.XXXXXX")
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
}

lab_tmp() { echo "$LAB_TMP"; }

lab_cleanup() {
	local rc=$? pid ns
	# Bash may run the EXIT trap in subshells ($(...)): only the shell that
	# made the lab tears it down.
	[ "$BASHPID" = "$LAB_MAINPID" ] || return "$rc"
	trap - EXIT INT TERM
	for pid in "${LAB_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${LAB_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$LAB_TMP" ] && [ -d "$LAB_TMP" ]; then
		if [ "$rc" != 0 ] || [ "$TAP_FAILED" != 0 ]; then
			lab_dump_logs
		fi
		rm -rf "$LAB_TMP"
	fi
	exit "$rc"
}

# On failure, show the daemons' logs in the TAP stream (as comments).
lab_dump_logs() {
	local f
	for f in "$LAB_TMP"/*.log; do
		[ -f "$f" ] || continue
		echo "# ---- $(basename "$f") (last 40 lines)"
		tail -n 40 "$f" | sed 's/^/# /'
	done
}

lab_bail() {
	echo "Bail out! $*"
	exit 1
}

# ---- namespaces and wiring -------------------------------------------------
#   lab_switch [BR...]       create the switch namespace and bridges (br0)
#   lab_ns NAME              create namespace $LAB-NAME (lo up); sets
#                            LAB_NSNAME; fails if it exists and this lab
#                            did not make it
#   lab_node NAME BR IF ADDR...  namespace NAME (created if needed), veth IF
#                            inside it plugged into bridge BR, addresses
#                            (CIDR, v4 or v6) on IF
#   lab_port NAME IF         name of IF's peer port in the switch namespace
#   lab_unplug NAME IF / lab_plug NAME IF   set that switch port down / up

# lab_ns NAME: create namespace $LAB-NAME once; sets LAB_NSNAME.  A
# namespace this lab made earlier (a node's second interface) is reused; one
# that exists without this lab having made it (another run's, a stale one)
# is not: deleting it on exit would be wrong, and so would testing in it.
lab_ns() {
	local ns="$LAB-$1" n
	LAB_NSNAME="$ns"
	for n in "${LAB_NS[@]}"; do
		[ "$n" = "$ns" ] && return 0
	done
	if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
		echo "lab_ns: namespace $ns exists and is not this lab's" >&2
		return 1
	fi
	ip netns add "$ns" || return 1
	LAB_NS+=("$ns")
	ip -n "$ns" link set lo up
	# Quiet the kernel's own IPv6 autoconf noise and DAD delays.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null
}

lab_switch() {
	local br
	lab_ns sw || return 1
	LAB_SW="$LAB_NSNAME"
	# Where br_netfilter is loaded, bridged frames would go through the
	# host's firewall rules and malformed ones be dropped: not our switch.
	ip netns exec "$LAB_SW" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
		net.bridge.bridge-nf-call-ip6tables=0 \
		net.bridge.bridge-nf-call-arptables=0 >/dev/null 2>&1
	[ $# -eq 0 ] && set -- br0
	for br in "$@"; do
		ip -n "$LAB_SW" link add "$br" type bridge || return 1
		# No STP, no forwarding delay: a plugged port forwards at once.
		ip -n "$LAB_SW" link set "$br" type bridge forward_delay 0 \
			stp_state 0 || return 1
		ip -n "$LAB_SW" link set "$br" up || return 1
	done
}

lab_port() { echo "p-$1-$2" | cut -c1-15; }

lab_node() {
	local name="$1" br="$2" ifname="$3" ns port a
	shift 3
	lab_ns "$name" || return 1
	ns="$LAB_NSNAME"
	LAB_PORTS=$((LAB_PORTS + 1))
	port=$(lab_port "$name" "$ifname")
	ip -n "$LAB_SW" link add "$port" type veth peer name "$ifname" \
		netns "$ns" || return 1
	ip -n "$LAB_SW" link set "$port" master "$br" up || return 1
	ip -n "$ns" link set "$ifname" up || return 1
	for a in "$@"; do
		ip -n "$ns" addr add "$a" dev "$ifname" nodad 2>/dev/null ||
			ip -n "$ns" addr add "$a" dev "$ifname" || return 1
	done
}

lab_unplug() { ip -n "$LAB_SW" link set "$(lab_port "$1" "$2")" down; }

lab_plug() { ip -n "$LAB_SW" link set "$(lab_port "$1" "$2")" up; }

# ---- processes -------------------------------------------------------------
#   lab_exec NAME CMD...     run CMD inside NAME
#   lab_bg NAME LOG CMD...   run CMD in NAME in the background, output to
#                            LOG; sets LAB_LASTPID and records it for cleanup
#   lab_gone PID             the process has ended (no such process, or a
#                            zombie not yet reaped): a predicate for lab_wait
#   lab_stop PID [SIG]       signal a process started by lab_bg (TERM), wait
#                            for it (at most 5 s, then SIGKILL) and reap it;
#                            LAB_STOP_RC is its exit status
#   lab_reap PID MS [SIG]    wait up to MS for a lab_bg process to end on its
#                            own, then lab_stop it with SIG (TERM); returns 1
#                            if it had to be stopped
#   lab_run DIR CMD...       run CMD (here, in the foreground) with its output
#                            in files of DIR; sets RC (exit status), OUT
#                            (stdout) and ERR (stderr)

lab_exec() {
	local ns="$LAB-$1"
	shift
	ip netns exec "$ns" "$@"
}

lab_bg() {
	local ns="$LAB-$1" log="$2"
	shift 2
	# exec: the recorded PID is the command itself (ip netns exec execs
	# it in turn), so signals reach it and not a wrapper shell.
	(
		trap - EXIT INT TERM
		exec ip netns exec "$ns" "$@" >"$log" 2>&1
	) &
	LAB_LASTPID=$!
	LAB_PIDS+=("$LAB_LASTPID")
}

# lab_gone PID: the process has ended.  Bash (5.2) reaps a background
# child that ended on its own by itself, at its next SIGCHLD, and keeps the
# exit status for `wait`: then /proc has no entry and kill -0 fails.  Until
# then, and for a process that is not our child (its parent reaps it), it
# is a zombie, for which kill -0 still succeeds: so look at its state.
lab_gone() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 0
	st=${st##*) }
	case "${st%% *}" in Z | X) return 0 ;; esac
	return 1
}

lab_stop() {
	local pid="$1" sig="${2:-TERM}" p keep=()
	kill -"$sig" "$pid" 2>/dev/null
	# Bounded: a process that does not end within 5 s gets SIGKILL.
	if ! lab_wait 5000 lab_gone "$pid"; then
		echo "lab_stop: $pid still runs 5 s after SIG$sig: SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	LAB_STOP_RC=$? # the exit status, for callers that want it
	export LAB_STOP_RC
	for p in "${LAB_PIDS[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	LAB_PIDS=("${keep[@]}")
	return 0
}

lab_reap() {
	local rc=0
	lab_wait "$2" lab_gone "$1" || rc=1
	lab_stop "$1" "${3:-TERM}"
	return "$rc"
}

lab_run() {
	local dir="$1"
	shift
	"$@" >"$dir/out" 2>"$dir/err"
	# shellcheck disable=SC2034 # for the test that called it
	{
		RC=$?
		OUT=$(cat "$dir/out")
		ERR=$(cat "$dir/err")
	}
}

# ---- bounded waits ---------------------------------------------------------
#   lab_now_ms               milliseconds since the epoch
#   lab_wait MS CMD...       poll CMD every 20 ms until it succeeds (0) or MS
#                            (wall clock) pass (1); bounded by design.  CMD
#                            is a command or function run again at every
#                            poll: never pass "$(...)" (evaluated once)
#   lab_never MS CMD...      CMD does not succeed once in MS (polled like
#                            lab_wait): for "stays so" checks

# Milliseconds since the epoch, from bash's own clock (no fork).
lab_now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

lab_wait() {
	local ms="$1" deadline
	shift
	deadline=$(($(lab_now_ms) + ms))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(lab_now_ms)" -ge "$deadline" ] && return 1
		sleep 0.02
	done
	return 0
}

lab_never() { ! lab_wait "$@"; }

# ---- TAP output ------------------------------------------------------------
#   tap_ok STATUS DESC       ok when STATUS is 0 (an exit status) or "true"
#   tap_is GOT WANT DESC     ok when GOT = WANT (both shown on failure)
#   tap_ge GOT MIN DESC      ok when GOT >= MIN (integers)
#   tap_match TEXT ERE DESC  ok when a line of TEXT matches (TEXT shown on
#                            failure)
#   tap_done                 print the plan; false if any check failed

tap_ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ] || [ "$1" = true ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# tap_is GOT WANT DESC
tap_is() {
	if [ "$1" = "$2" ]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

tap_ge() { tap_ok "$([ "$1" -ge "$2" ]; echo $?)" "$3"; }

# tap_match TEXT ERE DESC: on failure TEXT is shown (as comments).
tap_match() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		printf '%s\n' "$1" | sed 's/^/#   text: /'
	fi
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}
