# shellcheck shell=bash
# LAB_* and VLAB_* are lab.sh's and vlab.sh's (sourced before this file).
# shellcheck disable=SC2034,SC2153,SC2004
# Shared by bench/failover.sh and bench/idle.sh: the command line and the
# checks before the start, the benchmark lab (three nodes with a LAN and a
# management NIC, a client, an ARP observer), vipd and keepalived configs,
# starting and stopping both daemons, statistics.  A script sets SRC (the
# source tree) and BUILD (the default build directory), sources this file,
# calls bf_parse and bf_begin, then sources tests/netns/lab.sh and
# tests/netns/vlab.sh and calls bf_lab PREFIX.  The lab's addresses are
# 10.$BF_NET.0.0/24 (LAN) and 10.$BF_NET.1.0/24 (management).
#
#   bf_parse SPEC... -- ARG...   the command line: a SPEC NAME=VAR takes
#                          --NAME VALUE or --NAME=VALUE into VAR; a SPEC
#                          NAME=VAR=VALUE is a flag, --NAME sets VAR to VALUE;
#                          -h/--help prints the usage and exits 0, anything
#                          else prints it on stderr and exits 2
#   bf_usage RC [MSG]      MSG, then the script's header comment (its usage;
#                          on stderr unless RC is 0); exits RC
#   bf_die MSG...          "SCRIPT: MSG" on stderr, exit 1
#   bf_begin [TOOL|FILE...]  root, ip and every TOOL on the PATH; BUILD made
#                          absolute and exported as top_builddir (top_srcdir
#                          = SRC); vipd, vipctl and every FILE (a path
#                          under BUILD, with a "/") built (by `make all
#                          tools` in BUILD if one is missing); else bf_die.
#                          Sets BF_TOOLS
#   bf_need_keepalived OPTION  bf_die unless keepalived is installed (OPTION
#                          is the script's way to do without it)
#   bf_lab PREFIX          lab PREFIX-*: switch with br0 (LAN) and br1 (mgmt);
#                          n1..n3 (eth1 10.NET.0.i on br0, eth0 10.NET.1.i on
#                          br1), client c1 (.200) and observer o1 (.201) on
#                          the LAN; udpecho on every node (reply names it)
#   bf_vipd_conf NODE INTERVAL lan|mgmt   write $T/NODE.conf
#   bf_vipd_start NODE / bf_vipd_stop NODE [SIG]
#   bf_ka_conf NODE ADVERT_S               write $T/ka-NODE.conf
#   bf_ka_start NODE / bf_ka_stop NODE [SIG] (SIG KILL kills the VRRP child
#                          and the parent together: a crash)
#   bf_ka_pids NODE        the parent's and its children's PIDs (the
#                          parent is the process lab_bg started; its children
#                          are found by parentage, never from a pid file)
#   bf_stats V...          "min median max" of numbers ("-" if none)

BF_NET=74
VLAB_NET=$BF_NET
BF_PRIO=(0 250 240 230)
BF_NODES=(n1 n2 n3)
declare -A BF_KA_PID

bf_parse() {
	local -A spec
	local a name s var
	while [ "$1" != -- ]; do
		spec[${1%%=*}]="${1#*=}"
		shift
	done
	shift
	while [ $# -gt 0 ]; do
		a="$1"
		shift
		case "$a" in -h | --help) bf_usage 0 ;; esac
		name="${a#--}"
		name="${name%%=*}"
		s=""
		[ "$a" != "${a#--}" ] && [ -n "$name" ] && s="${spec[$name]:-}"
		[ -n "$s" ] || bf_usage 2 "unknown option $a"
		var="${s%%=*}"
		if [ "$var" != "$s" ]; then
			[ "$a" = "--$name" ] || bf_usage 2 "--$name takes no value"
			printf -v "$var" '%s' "${s#*=}"
		elif [ "$a" != "--$name" ]; then
			printf -v "$var" '%s' "${a#*=}"
		else
			[ $# -gt 0 ] || bf_usage 2 "$a needs a value"
			printf -v "$var" '%s' "$1"
			shift
		fi
	done
}

bf_usage() {
	local fd=2
	[ "$1" = 0 ] && fd=1
	[ $# -gt 1 ] && echo "${0##*/}: $2" >&2
	sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&"$fd"
	exit "$1"
}

bf_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

bf_begin() {
	local a tools=(ip) files=(vipd vipctl/vipctl)
	for a in "$@"; do
		case "$a" in
		*/*) files+=("$a") ;;
		*) tools+=("$a") ;;
		esac
	done
	[ "$(id -u)" = 0 ] || bf_die "needs root (network namespaces)"
	for a in "${tools[@]}"; do
		command -v "$a" >/dev/null || bf_die "missing $a"
	done
	BUILD=$(cd "$BUILD" && pwd) || exit 1
	export top_builddir="$BUILD" top_srcdir="$SRC"
	BF_TOOLS="$BUILD/bench/tools"
	for a in "${files[@]}"; do
		[ -x "$BUILD/$a" ] && continue
		# `make` builds vipd and vipctl, `make tools` the probes.
		[ -f "$BUILD/Makefile" ] &&
			make -C "$BUILD" -s all tools >&2 && [ -x "$BUILD/$a" ] &&
			continue
		bf_die "$BUILD/$a not built (make all tools)"
	done
}

bf_need_keepalived() {
	command -v keepalived >/dev/null ||
		bf_die "keepalived not installed (apt-get install keepalived), or use $1"
}

bf_vip() { echo "10.$BF_NET.0.100"; }
bf_lan_ip() { echo "10.$BF_NET.0.${1#n}"; }
bf_mgmt_ip() { echo "10.$BF_NET.1.${1#n}"; }

bf_lab() {
	local n
	lab_init "$1" || return 1
	BF_T="$LAB_TMP"
	VLAB_TMP="$LAB_TMP"
	VLAB_NODES=("${BF_NODES[@]}")
	lab_switch br0 br1 || return 1
	for n in "${BF_NODES[@]}"; do
		lab_node "$n" br0 eth1 "$(bf_lan_ip "$n")/24" || return 1
		lab_node "$n" br1 eth0 "$(bf_mgmt_ip "$n")/24" || return 1
		lab_bg "$n" "$BF_T/echo-$n.log" "$BF_TOOLS/udpecho" -n "$n"
	done
	lab_node c1 br0 eth1 "10.$BF_NET.0.200/24" || return 1
	lab_node o1 br0 eth1 "10.$BF_NET.0.201/24" || return 1
	vlab_secret "$BF_T/secret"
}

# bf_vipd_conf NODE INTERVAL_MS NET: heartbeats on the LAN (eth1) or on the
# management network (eth0, cluster.bind); the VIP always on eth1.
bf_vipd_conf() {
	local node="$1" interval="$2" net="$3" n peers="" bind=""
	for n in "${BF_NODES[@]}"; do
		if [ "$net" = mgmt ]; then
			peers="$peers\"$(bf_mgmt_ip "$n")\", "
		else
			peers="$peers\"$(bf_lan_ip "$n")\", "
		fi
	done
	[ "$net" = mgmt ] && bind="bind = \"$(bf_mgmt_ip "$node")\"; "
	cat >"$BF_T/$node.conf" <<EOF
node = { id = "$node"; priority = ${BF_PRIO[${node#n}]}; };
cluster = {
  ${bind}peers = [ ${peers%, } ];
  interval_ms = $interval; dead_after = 3;
  secret_file = "$BF_T/secret";
};
control = { socket = "$BF_T/$node.sock"; pid_file = "$BF_T/$node.pid"; };
groups = ( {
  name = "vip"; interface = "eth1";
  vips = [ "$(bf_vip)" ];
  preempt = true; preempt_delay_ms = 0;
} );
EOF
}

bf_vipd_start() {
	local node="$1" dbg=()
	[ "${BF_DEBUG:-0}" = 1 ] && dbg=(-d)
	BF_STARTS=$((${BF_STARTS:-0} + 1))
	lab_bg "$node" "$BF_T/vipd-$node.$BF_STARTS.log" "$VIPD" -f "${dbg[@]}" \
		-c "$BF_T/$node.conf"
	VLAB_PIDS[$node]=$LAB_LASTPID
	lab_wait 5000 vlab_ctl "$node" ping
}

bf_vipd_stop() { vlab_stop "$1" "${2:-TERM}"; }

# bf_ka_conf NODE ADVERT_S: keepalived's usual setup, VRRP and the VIP on
# eth1, unicast to the two other nodes; VRRPv3 below one second.
bf_ka_conf() {
	local node="$1" adv="$2" n peers="" ver=2
	for n in "${BF_NODES[@]}"; do
		[ "$n" = "$node" ] || peers="$peers $(bf_lan_ip "$n")"
	done
	case "$adv" in 1 | 1.0) ;; *) ver=3 ;; esac
	cat >"$BF_T/ka-$node.conf" <<EOF
global_defs {
  router_id $node
  vrrp_version $ver
  enable_script_security
}
vrrp_instance VI_vbf {
  state BACKUP
  interface eth1
  virtual_router_id $BF_NET
  priority ${BF_PRIO[${node#n}]}
  advert_int $adv
  unicast_src_ip $(bf_lan_ip "$node")
  unicast_peer {
$(for p in $peers; do echo "    $p"; done)
  }
  virtual_ipaddress {
    $(bf_vip)/24 dev eth1
  }
}
EOF
}

bf_ka_start() {
	local node="$1" f="$BF_T/ka-$1"
	rm -f "$f.pid" "$f.vrrp.pid" "$f.chk.pid"
	# -n: stay in the foreground (we own the PID); -G: no syslog; -R: no
	# respawn of a killed child; -P: VRRP only.  Own pid files per node so
	# that three instances run on one host.
	BF_STARTS=$((${BF_STARTS:-0} + 1))
	lab_bg "$node" "$f.$BF_STARTS.log" keepalived -n -l -D -G -R -P \
		-f "$f.conf" -p "$f.pid" -r "$f.vrrp.pid" -c "$f.chk.pid"
	BF_KA_PID[$node]=$LAB_LASTPID
	# Up once its VRRP child runs and has written its pid file.
	lab_wait 5000 bf_ka_forked "$node" && lab_wait 5000 test -s "$f.vrrp.pid"
}

bf_ka_forked() { [ -n "$(pgrep -P "${BF_KA_PID[$1]}")" ]; }

# The parent and its children (the VRRP child; a checker child if any).
bf_ka_pids() {
	local p="${BF_KA_PID[$1]:-}"
	[ -n "$p" ] || return 0
	echo "$p"
	pgrep -P "$p" 2>/dev/null
}

bf_ka_stop() {
	local node="$1" sig="${2:-TERM}" p c kids
	p="${BF_KA_PID[$node]:-}"
	[ -n "$p" ] || return 0
	# The children of the process we started, taken while it is their
	# parent (once it is gone they belong to init).
	kids=$(pgrep -P "$p")
	if [ "$sig" = KILL ]; then
		# A crash: the child first, so that the parent's death (which
		# the child would hear as SIGTERM) cannot make it resign.
		# shellcheck disable=SC2086 # a list of PIDs
		kill -KILL $kids "$p" 2>/dev/null
	fi
	lab_stop "$p" "$sig"
	# The VRRP child outlives a parent that exits first only briefly.
	for c in $kids; do
		lab_wait 3000 lab_gone "$c" && continue
		echo "bf_ka_stop: $node's child $c outlived its parent: SIGKILL" >&2
		kill -KILL "$c" 2>/dev/null
	done
	unset "BF_KA_PID[$node]"
}

bf_ka_running() { [ -n "${BF_KA_PID[$1]:-}" ]; }

# Does NODE hold the VIP on eth1 (keepalived's "master")?
bf_ka_holds() {
	ip -n "$LAB-$1" -4 addr show dev eth1 2>/dev/null |
		grep -q " $(bf_vip)/"
}

# bf_stats V...: "min median max" with one decimal; "- - -" for none.
bf_stats() {
	[ $# -gt 0 ] || {
		echo "- - -"
		return
	}
	printf '%s\n' "$@" | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR % 2) m = v[(NR + 1) / 2]
			else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.1f %.1f %.1f\n", v[1], m, v[NR]
		}'
}

# bf_cpuinfo: one line naming the machine, for the README's tables.
bf_machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	echo "$(uname -r), $(nproc) CPUs, ${cpu:-unknown CPU}"
}

# bf_arpwatch: an ARP sampler for the observer namespace.  Broadcasts a
# who-has VIP every INTERVAL_MS (bounded by SECONDS) until SIGINT/SIGTERM,
# attributes each unicast reply to the request before it, and prints JSON:
# samples, answered, dual (requests answered by two or more MACs),
# max_dual_ms (longest run of such requests: from the first of the run to
# the next request answered by one MAC or none), dual_at_end (the last
# request was still answered by two), takeover_ms (from SIGUSR1 to the
# first request answered by a MAC that did not answer just before it),
# macs (replies per MAC).
# Creates READY_FILE once 10 replies came (SIGUSR1 is handled by then).
# Usage: python3 -c "$BF_ARPWATCH" IFNAME OWN_IP VIP INTERVAL_MS SECONDS \
#        [READY_FILE]
# shellcheck disable=SC2016
BF_ARPWATCH='
import json, select, signal, socket, struct, sys, time
ifname, own_ip, vip = sys.argv[1], sys.argv[2], sys.argv[3]
ival, limit = float(sys.argv[4]) / 1e3, float(sys.argv[5])
ready = sys.argv[6] if len(sys.argv) > 6 else None
stop = False
def on_sig(*_):
    global stop
    stop = True
signal.signal(signal.SIGINT, on_sig)
signal.signal(signal.SIGTERM, on_sig)
trig = None
def on_usr1(*_):
    global trig
    trig = time.monotonic()
signal.signal(signal.SIGUSR1, on_usr1)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((ifname, 0x0806))
mac = open("/sys/class/net/%s/address" % ifname).read().strip()
own = bytes.fromhex(mac.replace(":", ""))
req = (b"\xff" * 6 + own + b"\x08\x06" +
       struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + own +
       socket.inet_aton(own_ip) + b"\x00" * 6 + socket.inet_aton(vip))
req += b"\x00" * (60 - len(req))
vipb = socket.inet_aton(vip)
samples = []  # [send time, set of MACs]
macs = {}
t0 = time.monotonic()
nxt = t0
while not stop and time.monotonic() - t0 < limit:
    now = time.monotonic()
    if now >= nxt:
        s.send(req)
        samples.append([now, set()])
        nxt += ival
        if nxt < now:
            nxt = now + ival
    try:
        r, _, _ = select.select([s], [], [], max(0.0, nxt - time.monotonic()))
    except InterruptedError:
        continue
    while r:
        try:
            f = s.recv(128, socket.MSG_DONTWAIT)
        except BlockingIOError:
            break
        if (len(f) >= 42 and f[0:6] == own and f[12:14] == b"\x08\x06"
                and f[20:22] == b"\x00\x02" and f[28:32] == vipb
                and samples):
            m = ":".join("%02x" % b for b in f[22:28])
            samples[-1][1].add(m)
            macs[m] = macs.get(m, 0) + 1
            if ready and sum(macs.values()) >= 10:
                open(ready, "w").close()
                ready = None
dual = sum(1 for t, m in samples if len(m) > 1)
best, start = 0.0, None
for t, m in samples:
    if len(m) > 1:
        if start is None:
            start = t
    elif start is not None:
        best = max(best, t - start)
        start = None
old, take = set(), None
for t, m in samples:
    if trig is None or t < trig:
        if m:
            old = m
    elif m - old:
        take = round((t - trig) * 1e3, 1)
        break
at_end = start is not None
if at_end:
    best = max(best, samples[-1][0] + ival - start)
print(json.dumps({"samples": len(samples), "dual_at_end": at_end,
                  "answered": sum(1 for t, m in samples if m),
                  "dual": dual, "max_dual_ms": round(best * 1e3, 1),
                  "takeover_ms": take, "macs": macs}))
'
