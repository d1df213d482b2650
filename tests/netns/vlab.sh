# shellcheck shell=bash
# vipd's helpers on top of lab.sh (source lab.sh first): the labs a vipd
# test starts, config files, the daemons, what they report through vipctl,
# the routing they install, and what the client sees on the wire.  One
# helper per job; predicates (true/false, no output) are meant for lab_wait.
# Set VLAB_NET (the 10.$VLAB_NET.0.0/24 LAN, default 61) before sourcing.

# LAB_* are lab.sh's, sourced before this file.
# shellcheck disable=SC2153
VIPD="${top_builddir:-.}/vipd"
VIPCTL="${top_builddir:-.}/vipctl/vipctl"
VLAB_NET="${VLAB_NET:-61}"
VLAB_NODES=()
declare -A VLAB_PIDS
VLAB_TCP_PIDS=()

# ---- starting a test: checks and labs --------------------------------------
#   vlab_begin [--vagrant | --split "NODES"] PREFIX N [TOOL|FILE...]  a vipd
#                            test's start: root and the tools jq and TOOL...
#                            (else SKIP), vipd, vipctl and every FILE (an
#                            argument with a "/") built (else SKIP), then
#                            vlab_lan PREFIX N (vlab_vagrant; vlab_split_lan
#                            with NODES on br1) (else Bail out); sets T to
#                            the lab's temporary directory
#   vlab_routing_begin PREFIX N [TOOL|FILE...]  the routing tests' start (set
#                            VLAB_NET=64 before sourcing vlab.sh): vlab_begin
#                            --vagrant PREFIX N timeout TOOL|FILE...; sets T
#                            and TMP (the lab's temporary directory), VIP,
#                            VIP6, TABLE, PRIO, GW and GW6
#   vlab_lan PREFIX N        lab with switch, nodes n1..nN (eth1 on br0,
#                            10.$VLAB_NET.0.i/24 and fd00:$VLAB_NET::i/64),
#                            client c1 (.200); writes the secret
#                            $VLAB_TMP/secret (vlab_secret)
#   vlab_split_lan PREFIX N "NODES"  like vlab_lan, but the switch has two
#                            bridges joined by a veth pair (x-br0 in br0,
#                            x-br1 in br1): the nodes named in NODES (space
#                            list, e.g. "n2 n3") are on br1, the other nodes
#                            and the client c1 on br0
#   vlab_cut / vlab_heal     take the joint between the bridges down / up
#   vlab_vagrant PREFIX N    the Vagrant/libvirt layout: nodes n1..nN with
#                            eth0 on bridge "mgmt" (192.168.121.(10+i)/24,
#                            fd00:121::(10+i)/64, default routes via the
#                            gateway namespace gw, .1 / ::1) and eth1 on br0
#                            (10.$VLAB_NET.0.i/24, fd00:$VLAB_NET::i/64);
#                            a router r on all three bridges (.254 / ::254),
#                            strict rp_filter for IPv4 and an nftables
#                            reverse-path check for IPv6; the client c1 on
#                            bridge "cnet" (10.$VLAB_NET.1.200/24,
#                            fd00:$VLAB_NET:1::200/64) routed via r.  gw
#                            forwards the client's subnet to r's mgmt leg,
#                            so a reply that leaves a node's eth0 reaches
#                            r on the wrong interface and is dropped there.
#                            Writes the secret like vlab_lan.
#   vlab_secret FILE         a fresh random cluster secret, mode 0600
#   vlab_ip NODE             NODE's LAN address (10.$VLAB_NET.0.i)

vlab_begin() {
	local lan=vlab_lan split=() prefix n a tools=() files=("$VIPD" "$VIPCTL")
	case "$1" in
	--vagrant)
		lan=vlab_vagrant
		shift
		;;
	--split)
		lan=vlab_split_lan
		split=("$2")
		shift 2
		;;
	esac
	prefix="$1" n="$2"
	shift 2
	for a in "$@"; do
		case "$a" in
		*/*) files+=("$a") ;;
		*) tools+=("$a") ;;
		esac
	done
	lab_need_root jq "${tools[@]}"
	for a in "${files[@]}"; do
		if [ ! -x "$a" ]; then
			echo "1..0 # SKIP $a not built"
			exit 0
		fi
	done
	"$lan" "$prefix" "$n" "${split[@]}" ||
		lab_bail "cannot build the namespace lab"
	# shellcheck disable=SC2034 # for the test that called it
	T="$VLAB_TMP"
}

vlab_routing_begin() {
	vlab_begin --vagrant "$1" "$2" timeout "${@:3}"
	# shellcheck disable=SC2034 # for the test that called it
	{
		TMP="$VLAB_TMP"
		VIP="10.$VLAB_NET.0.100"
		VIP6="fd00:$VLAB_NET::100"
		TABLE=6464
		PRIO=1234
		GW="10.$VLAB_NET.0.254"
		GW6="fd00:$VLAB_NET::254"
	}
}

vlab_lan() {
	local prefix="$1" n="$2" i
	lab_init "$prefix" || return 1
	VLAB_TMP="$LAB_TMP"
	lab_switch br0 || return 1
	for i in $(seq 1 "$n"); do
		lab_node "n$i" br0 eth1 "10.$VLAB_NET.0.$i/24" \
			"fd00:$VLAB_NET::$i/64" || return 1
		VLAB_NODES+=("n$i")
	done
	lab_node c1 br0 eth1 "10.$VLAB_NET.0.200/24" \
		"fd00:$VLAB_NET::200/64" || return 1
	vlab_secret "$VLAB_TMP/secret"
}

vlab_split_lan() {
	local prefix="$1" n="$2" right=" $3 " i br
	lab_init "$prefix" || return 1
	VLAB_TMP="$LAB_TMP"
	lab_switch br0 br1 || return 1
	ip -n "$LAB_SW" link add x-br0 type veth peer name x-br1 || return 1
	ip -n "$LAB_SW" link set x-br0 master br0 up || return 1
	ip -n "$LAB_SW" link set x-br1 master br1 up || return 1
	for i in $(seq 1 "$n"); do
		br=br0
		case "$right" in *" n$i "*) br=br1 ;; esac
		lab_node "n$i" "$br" eth1 "10.$VLAB_NET.0.$i/24" \
			"fd00:$VLAB_NET::$i/64" || return 1
		VLAB_NODES+=("n$i")
	done
	lab_node c1 br0 eth1 "10.$VLAB_NET.0.200/24" \
		"fd00:$VLAB_NET::200/64" || return 1
	vlab_secret "$VLAB_TMP/secret"
}

vlab_cut() { ip -n "$LAB_SW" link set x-br0 down; }
vlab_heal() { ip -n "$LAB_SW" link set x-br0 up; }

vlab_vagrant() {
	local prefix="$1" n="$2" i
	lab_init "$prefix" || return 1
	VLAB_TMP="$LAB_TMP"
	lab_switch br0 mgmt cnet || return 1
	lab_node gw mgmt eth0 192.168.121.1/24 fd00:121::1/64 || return 1
	lab_node r mgmt eth0 192.168.121.254/24 fd00:121::254/64 || return 1
	lab_node r br0 eth1 "10.$VLAB_NET.0.254/24" "fd00:$VLAB_NET::254/64" ||
		return 1
	lab_node r cnet eth2 "10.$VLAB_NET.1.254/24" \
		"fd00:$VLAB_NET:1::254/64" || return 1
	lab_exec gw sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0 >/dev/null || return 1
	ip -n "$LAB-gw" route add "10.$VLAB_NET.1.0/24" via 192.168.121.254
	ip -n "$LAB-gw" -6 route add "fd00:$VLAB_NET:1::/64" via fd00:121::254
	lab_exec r sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=1 \
		net.ipv4.conf.eth0.rp_filter=1 net.ipv4.conf.eth1.rp_filter=1 \
		net.ipv4.conf.eth2.rp_filter=1 >/dev/null || return 1
	# IPv6 has no rp_filter sysctl: the same strict check in nftables.
	printf '%s\n' 'table ip6 vlab_rpf {' \
		' chain pre { type filter hook prerouting priority -300;' \
		'  fib saddr . iif oif missing counter drop; }' '}' |
		lab_exec r nft -f - || return 1
	for i in $(seq 1 "$n"); do
		lab_node "n$i" mgmt eth0 "192.168.121.$((10 + i))/24" \
			"fd00:121::$((10 + i))/64" || return 1
		lab_node "n$i" br0 eth1 "10.$VLAB_NET.0.$i/24" \
			"fd00:$VLAB_NET::$i/64" || return 1
		ip -n "$LAB-n$i" route add default via 192.168.121.1 dev eth0
		ip -n "$LAB-n$i" -6 route add default via fd00:121::1 dev eth0
		# Loose, as systemd sets it: the node accepts the client's
		# packets on eth1; only the replies' path is in question.
		lab_exec "n$i" sysctl -qw net.ipv4.conf.all.rp_filter=2 \
			net.ipv4.conf.eth0.rp_filter=2 \
			net.ipv4.conf.eth1.rp_filter=2 >/dev/null
		VLAB_NODES+=("n$i")
	done
	lab_node c1 cnet eth1 "10.$VLAB_NET.1.200/24" \
		"fd00:$VLAB_NET:1::200/64" || return 1
	ip -n "$LAB-c1" route add default via "10.$VLAB_NET.1.254"
	ip -n "$LAB-c1" -6 route add default via "fd00:$VLAB_NET:1::254"
	vlab_secret "$VLAB_TMP/secret"
}

vlab_secret() {
	(umask 077 && head -c 32 /dev/urandom | base64 >"$1") && chmod 600 "$1"
}

vlab_ip() { echo "10.$VLAB_NET.0.${1#n}"; }

# ---- config files ----------------------------------------------------------
#   vlab_conf NODE FILE [KEY=VALUE...]   write a config for NODE; keys:
#                            prio, preempt, delay, interval, dead, vips
#                            (comma list), bind, pin, group, secret, peers
#                            ("all", "none" or comma list), garp_count,
#                            garp_interval, refresh, extra (raw text
#                            inside the group), conflict, cluster_extra
#                            (raw text inside the cluster block); a group
#                            with pin gets route options $VLAB_ROUTE
#   vlab_conf_group FILE [KEY=VALUE...]  append one more group to a config
#                            written by vlab_conf (keys: group (default
#                            vip2), vips, bind, pin, iface, prio, preempt,
#                            delay, extra; route options from $VLAB_ROUTE
#                            as in vlab_conf)
#   vlab_kv WHO "KEY..." [KEY=VALUE...]  the KEY=VALUE arguments of WHO (a
#                            function with a local variable for each KEY):
#                            sets each; an unknown key is an error (1)

vlab_conf() {
	local node="$1" file="$2"
	local prio=100 preempt=true delay=0 interval=100 dead=3
	local vips="10.$VLAB_NET.0.100" bind=local pin="" group=vip
	local secret="$VLAB_TMP/secret" peers=all garp_count=5
	local garp_interval=1100 refresh=60 extra="" conflict=yield
	local cluster_extra=""
	shift 2
	vlab_kv vlab_conf "prio preempt delay interval dead vips bind pin group
		secret peers garp_count garp_interval refresh extra conflict
		cluster_extra" "$@" || return 1
	local peerlist="" p v viplist=""
	if [ "$peers" = all ]; then
		for p in "${VLAB_NODES[@]}"; do
			peerlist="$peerlist\"$(vlab_ip "$p")\", "
		done
	elif [ -n "$peers" ] && [ "$peers" != none ]; then
		for p in ${peers//,/ }; do peerlist="$peerlist\"$p\", "; done
	fi
	for v in ${vips//,/ }; do viplist="$viplist\"$v\", "; done
	{
		echo "node = { id = \"$node\"; priority = $prio; };"
		echo "cluster = {"
		echo "  peers = [ ${peerlist%, } ];"
		echo "  interval_ms = $interval; dead_after = $dead;"
		[ -n "$peerlist" ] && echo "  secret_file = \"$secret\";"
		[ -n "$cluster_extra" ] && echo "  $cluster_extra"
		echo "};"
		echo "control = { socket = \"$VLAB_TMP/$node.sock\";"
		echo "  pid_file = \"$VLAB_TMP/$node.pid\"; };"
		echo "groups = ( {"
		echo "  name = \"$group\"; interface = \"eth1\";"
		echo "  vips = [ ${viplist%, } ];"
		echo "  preempt = $preempt; preempt_delay_ms = $delay;"
		echo "  bind = \"$bind\"; conflict = \"$conflict\";"
		echo "  garp = { count = $garp_count; interval_ms = $garp_interval;"
		echo "           refresh_s = $refresh; };"
		[ -n "$pin" ] && echo "  route = { pin = \"$pin\"; $VLAB_ROUTE };"
		[ -n "$extra" ] && echo "  $extra"
		echo "} );"
	} >"$file"
}

vlab_conf_group() {
	local file="$1" group=vip2 vips="" bind=local pin="" iface=eth1
	local prio="" extra="" v viplist="" preempt="" delay=""
	shift
	vlab_kv vlab_conf_group "group vips bind pin iface prio extra preempt delay" \
		"$@" || return 1
	for v in ${vips//,/ }; do viplist="$viplist\"$v\", "; done
	# Drop the closing "} );" and append the group.
	sed -i '$d' "$file" || return 1
	{
		echo "}, {"
		echo "  name = \"$group\"; interface = \"$iface\";"
		echo "  vips = [ ${viplist%, } ]; bind = \"$bind\";"
		[ -n "$prio" ] && echo "  priority = $prio;"
		[ -n "$preempt" ] && echo "  preempt = $preempt;"
		[ -n "$delay" ] && echo "  preempt_delay_ms = $delay;"
		[ -n "$pin" ] && echo "  route = { pin = \"$pin\"; $VLAB_ROUTE };"
		[ -n "$extra" ] && echo "  $extra"
		echo "} );"
	} >>"$file"
}

vlab_kv() {
	local _who="$1" _keys="$2" _kv _k _key
	shift 2
	for _kv in "$@"; do
		_key=""
		# shellcheck disable=SC2086 # the keys are words
		for _k in $_keys; do
			[ "$_kv" != "$_k" ] && [ "${_kv%%=*}" = "$_k" ] && _key=$_k
		done
		if [ -z "$_key" ]; then
			echo "$_who: unknown key $_kv" >&2
			return 1
		fi
		printf -v "$_key" '%s' "${_kv#*=}"
	done
}

# ---- the daemons -----------------------------------------------------------
#   vlab_start NODE [ARGS...]   start vipd on NODE with $VLAB_TMP/NODE.conf
#                            (VLAB_PIDS[NODE] its pid); true once vipctl
#                            reaches it (bounded by 5 s)
#   vlab_stop NODE [SIG]     signal NODE's vipd (default TERM) and reap it
#                            (LAB_STOP_RC its exit status); nothing if it
#                            is not running
#   vlab_stop_timed NODE [SIG]  the same; sets VLAB_STOP_RC (exit status)
#                            and VLAB_STOP_MS (from the signal to the reaped
#                            exit); false if it is not running
#   vlab_stop_ok NODE [DESC] SIGTERM NODE's vipd and assert (TAP) that it
#                            exits 0 (under ASan that also means no leak);
#                            not running is a failure too; DESC defaults to
#                            "NODE: vipd exits 0 on SIGTERM"
#   vlab_running NODE        true while NODE's vipd is started and not
#                            stopped by these helpers
#   vlab_alive NODE          true while NODE's vipd process runs (not
#                            exited, not a zombie)
#   vlab_sock NODE           NODE's control socket
#   vlab_ctl NODE ARGS...    vipctl against NODE's socket

vlab_start() {
	local node="$1"
	shift
	lab_bg "$node" "$VLAB_TMP/$node.log" "$VIPD" -f -d \
		-c "$VLAB_TMP/$node.conf" "$@"
	VLAB_PIDS[$node]=$LAB_LASTPID
	lab_wait 5000 vlab_ctl "$node" ping
}

vlab_stop() {
	local node="$1" sig="${2:-TERM}"
	[ -n "${VLAB_PIDS[$node]:-}" ] || return 0
	lab_stop "${VLAB_PIDS[$node]}" "$sig"
	unset "VLAB_PIDS[$node]"
}

vlab_stop_timed() {
	local node="$1" pid t0 t1
	pid="${VLAB_PIDS[$node]:-}"
	[ -n "$pid" ] || return 1
	t0=${EPOCHREALTIME//[.,]/}
	lab_stop "$pid" "${2:-TERM}"
	t1=${EPOCHREALTIME//[.,]/}
	VLAB_STOP_RC=$LAB_STOP_RC
	VLAB_STOP_MS=$(((t1 - t0) / 1000))
	export VLAB_STOP_RC VLAB_STOP_MS
	unset "VLAB_PIDS[$node]"
}

vlab_stop_ok() {
	local desc="${2:-$1: vipd exits 0 on SIGTERM}"
	if ! vlab_running "$1"; then
		tap_ok 1 "$desc (it was not running)"
		return
	fi
	vlab_stop "$1" TERM
	tap_is "$LAB_STOP_RC" 0 "$desc"
}

vlab_running() { [ -n "${VLAB_PIDS[$1]:-}" ]; }

vlab_alive() { [ -n "${VLAB_PIDS[$1]:-}" ] && ! lab_gone "${VLAB_PIDS[$1]}"; }

vlab_sock() { echo "$VLAB_TMP/$1.sock"; }

vlab_ctl() {
	local node="$1"
	shift
	"$VIPCTL" -s "$(vlab_sock "$node")" "$@"
}

# ---- what the daemons report (vipctl --json) -------------------------------
#   vlab_json NODE JQ        jq -r expression over NODE's `vipctl status
#                            --json` (empty if vipctl fails)
#   vlab_gf NODE FIELD [G]   one field (jq path below the group, e.g.
#                            "state", "counters.announcements") of group G
#                            (default vip) in NODE's status JSON
#   vlab_gf_is NODE FIELD VALUE [G]  that field is VALUE
#   vlab_state_since NODE T0 [G]  when G entered its current state on NODE,
#                            in ms after T0 (lab_now_ms), from the
#                            daemon's in_state_ms bracketed by our clock
#                            read before and after the query: sets
#                            VLAB_SINCE_LO <= it <= VLAB_SINCE_HI
#   vlab_metric NODE JQ      jq -r expression over NODE's `vipctl metrics
#                            --json` (e.g. ".reconciled", ".capture[0]")
#   vlab_leaders [G]         names of the running nodes whose group G
#                            (default vip) is in state leader, space list
#   vlab_leader_is "NODES" [G]  exactly these nodes (space list) lead G
#   vlab_answering NODE [G]  G leads on NODE and its takeover ran (VIPs
#                            bound, route pinned: a leader elected during
#                            the conflict probe acts when the probe window
#                            closes): state leader and answering true
#   vlab_silent NODE [G]     NODE does not answer for G (answering false),
#                            or its vipd is not alive

vlab_json() { vlab_ctl "$1" status --json 2>/dev/null | jq -r "$2"; }

vlab_gf() {
	vlab_json "$1" ".groups[] | select(.name==\"${3:-vip}\") | .$2"
}

vlab_gf_is() { [ "$(vlab_gf "$1" "$2" "${4:-vip}")" = "$3" ]; }

vlab_state_since() {
	local ta st tb
	ta=$(lab_now_ms)
	st=$(vlab_gf "$1" in_state_ms "${3:-vip}")
	tb=$(lab_now_ms)
	VLAB_SINCE_LO=$((ta - st - $2))
	VLAB_SINCE_HI=$((tb - st - $2))
}

vlab_metric() { vlab_ctl "$1" metrics --json 2>/dev/null | jq -r "$2"; }

vlab_leaders() {
	local n out=""
	for n in "${VLAB_NODES[@]}"; do
		vlab_running "$n" || continue
		vlab_gf_is "$n" state leader "${1:-vip}" && out="$out $n"
	done
	echo "${out# }"
}

vlab_leader_is() { [ "$(vlab_leaders "${2:-vip}")" = "$1" ]; }

vlab_answering() {
	[ "$(vlab_json "$1" ".groups[] | select(.name==\"${2:-vip}\") |
		\"\(.state) \(.answering)\"")" = "leader true" ]
}

vlab_silent() {
	! vlab_alive "$1" || vlab_gf_is "$1" answering false "${2:-vip}"
}

# ---- routing and addresses in the nodes ------------------------------------
#   vlab_rules NODE          `ip rule` lines of NODE (both families) that
#                            carry vipd's protocol (77 or "vipd")
#   vlab_table NODE 4|6 [TABLE]  the routes of TABLE (default $TABLE) in NODE
#   vlab_lo_has NODE ADDR/PLEN   NODE's lo carries that address
#   vlab_has_addr NODE DEV ADDR  ADDR (any prefix length) is on DEV in NODE
#   vlab_tcp_name NS ADDR [PORT]  the line tcpsvc at ADDR:PORT (default
#                            7777) answers from NS (empty on failure;
#                            bounded by 4 s)

vlab_rules() {
	{
		ip -n "$LAB-$1" -4 rule show
		ip -n "$LAB-$1" -6 rule show
	} | grep -E 'proto (77|vipd)( |$)'
}

vlab_table() {
	ip -n "$LAB-$1" "-$2" route show table "${3:-$TABLE}" 2>/dev/null
}

vlab_lo_has() { ip -n "$LAB-$1" addr show dev lo | grep -Eq "inet6? $2 "; }

vlab_has_addr() {
	lab_exec "$1" ip -o addr show dev "$2" 2>/dev/null |
		awk '{print $4}' | grep -q "^$3/"
}

vlab_tcp_name() {
	# shellcheck disable=SC2016 # $0 and $1 expand in the inner shell
	lab_exec "$1" timeout 4 bash -c \
		'exec 3<>"/dev/tcp/$0/$1" && cat <&3' "$2" "${3:-7777}" \
		2>/dev/null
}

# ---- the wire: MACs, ARP/NDP owners, neighbours, captures ------------------
#   vlab_mac NODE            eth1 MAC of NODE
#   vlab_owners ADDR [WAIT [NS]]  the MACs (lower case, sorted, space
#                            separated; empty if none) that answer ARP
#                            (IPv4 ADDR) or NDP (IPv6 ADDR) for ADDR asked
#                            from NS's eth1 (default c1).  WAIT 0: the first
#                            answer to one request only (fast, for polls);
#                            WAIT N (default 1): every answer within N
#                            seconds, to broadcast requests (two owners show
#                            as two MACs)
#   vlab_l2_neigh NS ADDR    lladdr of NS's eth1 neighbour entry for ADDR
#   vlab_l2_macs_are MAC ADDR...  c1's eth1 entries for every ADDR carry MAC
#   vlab_l2_capture NS NAME [FILTER]  tcpdump in namespace NS (a node or
#                            c1) to $VLAB_TMP/NAME.pcap (VLAB_L2_PCAP), ARP
#                            and ICMPv6 by default; one capture at a time
#   vlab_l2_uncapture        stop it, once the last frames crossed
#   vlab_l2_fields PCAP FILTER FIELD...  tshark fields of the frames that
#                            match the display filter, one line each, ","
#   vlab_l2_count PCAP FILTER    number of frames that match
#   vlab_l2_count_ge PCAP FILTER N  the capture holds at least N frames that
#                            match (for lab_wait while the capture runs)

vlab_mac() { lab_exec "$1" cat /sys/class/net/eth1/address; }

vlab_owners() {
	local addr="$1" wait="${2:-1}" ns="${3:-c1}"
	if [ "${addr#*:}" != "$addr" ]; then
		if [ "$wait" = 0 ]; then
			lab_exec "$ns" ndisc6 -1 -r 1 -w 1000 "$addr" eth1
		else
			lab_exec "$ns" ndisc6 -m -r 1 -w "$((wait * 1000))" \
				"$addr" eth1
		fi 2>/dev/null |
			sed -n 's/.*Target link-layer address: *//p'
	elif [ "$wait" = 0 ]; then
		lab_exec "$ns" arping -c 1 -w 1 -I eth1 "$addr" 2>/dev/null |
			sed -n 's/.*\[\([0-9a-fA-F:]*\)\].*/\1/p'
	else
		# With -w, arping's -c counts replies (-c 1000: for the whole
		# wait); -b: every request is a broadcast, where arping would
		# switch to unicast to the first owner after its reply.
		lab_exec "$ns" arping -b -c 1000 -w "$wait" -I eth1 "$addr" \
			2>/dev/null | sed -n 's/.*\[\([0-9a-fA-F:]*\)\].*/\1/p'
	fi | tr 'A-F' 'a-f' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

vlab_l2_neigh() {
	lab_exec "$1" ip neigh show "$2" dev eth1 |
		awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}

vlab_l2_macs_are() {
	local mac="$1" a
	shift
	for a in "$@"; do
		[ "$(vlab_l2_neigh c1 "$a")" = "$mac" ] || return 1
	done
}

vlab_l2_capture() {
	local ns="$1" name="$2" filter="${3:-arp or icmp6}"
	VLAB_L2_PCAP="$VLAB_TMP/$name.pcap"
	# -Z root: tcpdump would drop privileges and lose the lab's 0700 dir.
	lab_bg "$ns" "$VLAB_TMP/$name.tcpdump" tcpdump -i eth1 -n -s 256 \
		--immediate-mode -U -B 32768 -Z root -w "$VLAB_L2_PCAP" \
		"$filter"
	VLAB_L2_CAP_PID=$LAB_LASTPID
	lab_wait 5000 grep -q 'listening on' "$VLAB_TMP/$name.tcpdump"
}

vlab_l2_uncapture() {
	[ -n "${VLAB_L2_CAP_PID:-}" ] || return 0
	sleep 0.3 # the last frames cross the bridge and reach the ring
	lab_stop "$VLAB_L2_CAP_PID" INT
	VLAB_L2_CAP_PID=""
}

vlab_l2_fields() {
	local pcap="$1" filter="$2" f args=()
	shift 2
	for f in "$@"; do args+=(-e "$f"); done
	tshark -r "$pcap" -Y "$filter" -T fields -E separator=, "${args[@]}" \
		2>/dev/null
}

vlab_l2_count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }

vlab_l2_count_ge() { [ "$(vlab_l2_count "$1" "$2")" -ge "$3" ]; }

# ---- TCP as a client sees it (python3) -------------------------------------
#   vlab_tcp_serve NODE [PORT]  a TCP server in NODE on 0.0.0.0:PORT (default
#                            7778; it answers for the VIP only where the VIP
#                            is bound): on each connection it sends
#                            "NODE\n", then echoes each line back as
#                            "NODE LINE"; true once it listens (bounded)
#   vlab_tcp_unserve         stop every server vlab_tcp_serve started
#                            (SIGTERM; they exit 0)
#   vlab_tcp_listening NODE PORT  something listens on TCP PORT in NODE
#   vlab_tcp_hold NS ADDR PORT N LOG  in NS, open N connections to ADDR:PORT
#                            in the background (LAB_LASTPID; "ready" in LOG
#                            once open), then one request/echo on each every
#                            100 ms (1 s timeout) until SIGTERM (bounded by
#                            60 s), one last round, and a JSON summary as
#                            LOG's last line: conns, nodes (first answerer
#                            per connection), rounds, echoes, failed,
#                            errors (by kind), final_ok, final_nodes,
#                            max_rtt_ms.  A connection that fails once is
#                            dead (not retried)
#   vlab_tcp_churn NS ADDR PORT UNTIL AFTER_MS LOG [IV_MS]  in NS, in the
#                            background (LAB_LASTPID), a NEW connection to
#                            ADDR:PORT every IV_MS (default 10), each
#                            bounded by 1 s to connect and 1 s to read the
#                            server's name; "ready" in LOG after the first
#                            answer; it stops starting new ones AFTER_MS
#                            after the first answer from node UNTIL (or
#                            after 8 s, or 2,000 attempts), then prints a
#                            JSON summary as LOG's last line: attempts, ok,
#                            failed, errors (by kind), nodes (answers per
#                            node), max_connect_ms, changes ([ms, from, to],
#                            by start time), others_after (answers from
#                            another node started after the first answer
#                            from UNTIL), ms (its run time)
#   vlab_tcp_summary LOG JQ  jq -r expression over LOG's JSON summary
#   vlab_tcp_resets NS       the TCP counters of NS's stack that count
#                            resets: "EstabResets OutRsts" (/proc/net/snmp)

vlab_tcp_serve() {
	local node="$1" port="${2:-7778}"
	lab_bg "$node" "$VLAB_TMP/tcpserve-$node.log" python3 -c '
import signal, socket, sys, threading
name, port = sys.argv[1].encode(), int(sys.argv[2])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", port))
ls.listen(1024)
def serve(c):
    try:
        with c:
            c.sendall(name + b"\n")
            for line in c.makefile("rb"):
                c.sendall(name + b" " + line)
    except OSError as e:
        print("conn", e, flush=True)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$node" "$port"
	VLAB_TCP_PIDS+=("$LAB_LASTPID")
	lab_wait 5000 vlab_tcp_listening "$node" "$port"
}

vlab_tcp_unserve() {
	local pid
	for pid in "${VLAB_TCP_PIDS[@]}"; do
		lab_stop "$pid" TERM
	done
	VLAB_TCP_PIDS=()
}

vlab_tcp_listening() {
	lab_exec "$1" ss -Htln "sport = :$2" | grep -q .
}

vlab_tcp_hold() {
	lab_bg "$1" "$5" timeout 70 python3 -c '
import errno, json, signal, socket, sys, time
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
def kind(e):
    en = getattr(e, "errno", None)
    return errno.errorcode.get(en, str(en)) if en else type(e).__name__
conns, nodes, errors = [], {}, {}
for i in range(n):
    s = socket.create_connection((addr, port), timeout=1)
    f = s.makefile("rb")
    name = f.readline().strip().decode()
    nodes[name] = nodes.get(name, 0) + 1
    conns.append([s, f, name])
print("ready", flush=True)
rounds = echoes = failed = 0
max_rtt = 0.0
def one_round(k, tally):
    global echoes, failed, max_rtt
    for c in conns:
        if c is None or c[0] is None:
            continue
        s, f, name = c
        try:
            t = time.monotonic()
            s.sendall(b"%d\n" % k)
            line = f.readline()
            if not line:
                raise EOFError("eof")
            max_rtt = max(max_rtt, time.monotonic() - t)
            got = line.split()
            if len(got) != 2 or got[1] != b"%d" % k:
                raise ValueError("bad echo")
            echoes += 1
            who = got[0].decode()
            tally[who] = tally.get(who, 0) + 1
        except Exception as e:
            failed += 1
            errors[kind(e)] = errors.get(kind(e), 0) + 1
            s.close()
            c[0] = None
end = time.monotonic() + 60
seen = {}
while not stop and time.monotonic() < end:
    rounds += 1
    one_round(rounds, seen)
    time.sleep(0.1)
final = {}
one_round(rounds + 1, final)
print(json.dumps({"conns": len(conns), "nodes": nodes, "rounds": rounds,
                  "echoes": echoes, "failed": failed, "errors": errors,
                  "seen": seen, "final_ok": sum(final.values()),
                  "final_nodes": final,
                  "max_rtt_ms": round(max_rtt * 1000, 1)}), flush=True)
' "$2" "$3" "$4"
}

vlab_tcp_churn() {
	lab_bg "$1" "$6" timeout 20 python3 -c '
import errno, json, selectors, socket, sys, time
addr, port, until = sys.argv[1], int(sys.argv[2]), sys.argv[3]
after, IV = int(sys.argv[4]) / 1000, int(sys.argv[5]) / 1000
LIMIT, MAXN, TMO = 8.0, 2000, 1.0
sel = selectors.DefaultSelector()
t0 = time.monotonic()
nxt = t0
attempts = ok = failed = 0
errors, nodes, changes = {}, {}, []
max_conn = 0.0
first_until = None
others_after = 0
last = None
ready = False
def fail(s, a, why):
    global failed
    failed += 1
    errors[why] = errors.get(why, 0) + 1
    sel.unregister(s)
    s.close()
def done(s, a, name):
    global ok, last, first_until, others_after, ready
    ok += 1
    nodes[name] = nodes.get(name, 0) + 1
    if name == until and first_until is None:
        first_until = time.monotonic()
    elif name != until and first_until is not None and a["t"] > first_until:
        others_after += 1
    if last is not None and name != last:
        changes.append([round((a["t"] - t0) * 1000), last, name])
    last = name
    if not ready:
        print("ready", flush=True)
        ready = True
    sel.unregister(s)
    s.close()
while True:
    now = time.monotonic()
    stopping = (now - t0 >= LIMIT or attempts >= MAXN or
                (first_until is not None and now >= first_until + after))
    if not stopping and now >= nxt:
        s = socket.socket()
        s.setblocking(False)
        a = {"t": now, "dl": now + TMO, "phase": "connect", "buf": b""}
        attempts += 1
        rc = s.connect_ex((addr, port))
        if rc not in (0, errno.EINPROGRESS):
            sel.register(s, selectors.EVENT_WRITE, a)
            fail(s, a, errno.errorcode.get(rc, str(rc)))
        else:
            sel.register(s, selectors.EVENT_WRITE, a)
        nxt += IV
        if nxt < now:
            nxt = now + IV
    if stopping and not sel.get_map():
        break
    wake = [k.data["dl"] for k in sel.get_map().values()]
    if not stopping:
        wake.append(nxt)
    tmo = max(0.0, min(wake) - time.monotonic()) if wake else 0.01
    for key, _ in sel.select(tmo):
        s, a = key.fileobj, key.data
        now = time.monotonic()
        if a["phase"] == "connect":
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                fail(s, a, errno.errorcode.get(err, str(err)))
                continue
            max_conn = max(max_conn, now - a["t"])
            a["phase"], a["dl"] = "read", now + TMO
            sel.modify(s, selectors.EVENT_READ, a)
            continue
        try:
            d = s.recv(256)
        except OSError as e:
            fail(s, a, errno.errorcode.get(e.errno, str(e.errno)))
            continue
        if not d:
            fail(s, a, "eof")
            continue
        a["buf"] += d
        if b"\n" in a["buf"]:
            done(s, a, a["buf"].split(b"\n")[0].decode())
    now = time.monotonic()
    for key in list(sel.get_map().values()):
        if now >= key.data["dl"]:
            fail(key.fileobj, key.data, "timeout-" + key.data["phase"])
print(json.dumps({"attempts": attempts, "ok": ok, "failed": failed,
                  "errors": errors, "nodes": nodes,
                  "max_connect_ms": round(max_conn * 1000, 1),
                  "changes": changes, "others_after": others_after,
                  "ms": round((time.monotonic() - t0) * 1000)}),
      flush=True)
' "$2" "$3" "$4" "$5" "${7:-10}"
}

vlab_tcp_summary() { tail -n 1 "$1" | jq -r "$2" 2>/dev/null; }

vlab_tcp_resets() {
	# shellcheck disable=SC2016 # awk's own $i
	lab_exec "$1" awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++)
		c[$i] = i; h = 1 } else print $c["EstabResets"], $c["OutRsts"] }' \
		/proc/net/snmp
}
