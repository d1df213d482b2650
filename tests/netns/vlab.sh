# shellcheck shell=bash
# vipd-specific helpers on top of lab.sh: a LAN with N vipd nodes and a
# client, config generation, starting/stopping daemons, and JSON queries
# through vipctl.  Source lab.sh first.
#
#   vlab_lan PREFIX N        lab with switch, nodes n1..nN (eth1 on br0,
#                            10.$VLAB_NET.0.i/24 and fd00:$VLAB_NET::i/64),
#                            client c1 (.200); writes a 0600 secret
#   vlab_conf NODE FILE [KEY=VALUE...]   write a config for NODE; keys:
#                            prio, preempt, delay, interval, dead, vips
#                            (comma list), bind, pin, group, secret, peers
#                            ("all" or comma list), garp_count,
#                            garp_interval, refresh, extra (raw text
#                            inside the group), conflict
#   vlab_start NODE [ARGS...]   start vipd on NODE with $VLAB_TMP/NODE.conf
#                            (sets VLAB_PID_NODE); waits for its socket
#   vlab_stop NODE [SIG]     signal it and reap it
#   vlab_ctl NODE ARGS...    vipctl against NODE's socket
#   vlab_state NODE [GROUP]  the group's state on NODE (default group vip)
#   vlab_json NODE JQ        jq expression over `vipctl status --json`
#   vlab_leaders [GROUP]     names of running nodes that say "leader"
#   vlab_arp_owner VIP       MAC that answers the client's ARP for VIP
#   vlab_mac NODE            eth1 MAC of NODE
#   vlab_leader_is "N..." [G] true when exactly these nodes lead (for lab_wait)
#   vlab_state_is NODE STATE [G]  (for lab_wait)

VIPD="${top_builddir:-.}/vipd"
VIPCTL="${top_builddir:-.}/vipctl"
VLAB_NET="${VLAB_NET:-61}"
VLAB_NODES=()
declare -A VLAB_PIDS

vlab_lan() {
	local prefix="$1" n="$2" i
	lab_init "$prefix"
	VLAB_TMP="$LAB_TMP"
	lab_switch br0 || return 1
	for i in $(seq 1 "$n"); do
		lab_node "n$i" br0 eth1 "10.$VLAB_NET.0.$i/24" \
			"fd00:$VLAB_NET::$i/64" || return 1
		VLAB_NODES+=("n$i")
	done
	lab_node c1 br0 eth1 "10.$VLAB_NET.0.200/24" \
		"fd00:$VLAB_NET::200/64" || return 1
	head -c 32 /dev/urandom | base64 >"$VLAB_TMP/secret"
	chmod 600 "$VLAB_TMP/secret"
}

vlab_ip() { echo "10.$VLAB_NET.0.${1#n}"; }

vlab_conf() {
	local node="$1" file="$2" kv
	local prio=100 preempt=true delay=0 interval=100 dead=3
	local vips="10.$VLAB_NET.0.100" bind=local pin="" group=vip
	local secret="$VLAB_TMP/secret" peers=all garp_count=5
	local garp_interval=1100 refresh=60 extra="" conflict=yield
	shift 2
	for kv in "$@"; do
		case "$kv" in
		prio=*) prio="${kv#*=}" ;;
		preempt=*) preempt="${kv#*=}" ;;
		delay=*) delay="${kv#*=}" ;;
		interval=*) interval="${kv#*=}" ;;
		dead=*) dead="${kv#*=}" ;;
		vips=*) vips="${kv#*=}" ;;
		bind=*) bind="${kv#*=}" ;;
		pin=*) pin="${kv#*=}" ;;
		group=*) group="${kv#*=}" ;;
		secret=*) secret="${kv#*=}" ;;
		peers=*) peers="${kv#*=}" ;;
		garp_count=*) garp_count="${kv#*=}" ;;
		garp_interval=*) garp_interval="${kv#*=}" ;;
		refresh=*) refresh="${kv#*=}" ;;
		extra=*) extra="${kv#*=}" ;;
		conflict=*) conflict="${kv#*=}" ;;
		*) echo "vlab_conf: unknown key $kv" >&2; return 1 ;;
		esac
	done
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

vlab_sock() { echo "$VLAB_TMP/$1.sock"; }

vlab_ctl() {
	local node="$1"
	shift
	"$VIPCTL" -s "$(vlab_sock "$node")" "$@"
}

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

vlab_running() { [ -n "${VLAB_PIDS[$1]:-}" ]; }

vlab_json() { vlab_ctl "$1" status --json 2>/dev/null | jq -r "$2"; }

vlab_state() {
	vlab_json "$1" ".groups[] | select(.name==\"${2:-vip}\") | .state"
}

vlab_leaders() {
	local n out=""
	for n in "${VLAB_NODES[@]}"; do
		vlab_running "$n" || continue
		[ "$(vlab_state "$n" "${1:-vip}")" = leader ] && out="$out $n"
	done
	echo "${out# }"
}

vlab_mac() { lab_exec "$1" cat /sys/class/net/eth1/address; }

# MAC that answers an ARP request from the client (empty if none).
vlab_arp_owner() {
	lab_exec c1 arping -c 1 -w 1 -I eth1 "$1" 2>/dev/null |
		sed -n 's/.*\[\([0-9a-fA-F:]*\)\].*/\1/p' | head -1 |
		tr 'A-F' 'a-f'
}

# All MACs answering one ARP request within the wait (two leaders = two).
vlab_arp_owners() {
	lab_exec c1 arping -c 1 -w 1 -I eth1 "$1" 2>/dev/null |
		sed -n 's/.*\[\([0-9a-fA-F:]*\)\].*/\1/p' | tr 'A-F' 'a-f' |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}

# vlab_leader_is NODES [GROUP]: true when exactly NODES (space list) lead.
vlab_leader_is() { [ "$(vlab_leaders "${2:-vip}")" = "$1" ]; }

# vlab_state_is NODE STATE [GROUP]
vlab_state_is() { [ "$(vlab_state "$1" "${3:-vip}")" = "$2" ]; }

# ---- L2 helpers for the announcer tests (tests/netns/announce*.sh)
#
#   vlab_l2_answering NODE [G]   true when NODE answers for the group: the
#                            conflict probe is over and it leads (lab_wait)
#   vlab_l2_silent NODE [G]      true when NODE does not answer, or its
#                            daemon is gone (lab_wait)
#   vlab_l2_exited NODE          true once NODE's vipd has exited (zombie or
#                            reaped); vlab_stop then reaps it
#   vlab_l2_pid_exited PID       the same for a process started by lab_bg
#   vlab_l2_metrics NODE JQ      jq expression over `vipctl metrics --json`
#   vlab_l2_capture NS NAME [FILTER]  tcpdump in namespace NS (a node or
#                            c1) to $VLAB_TMP/NAME.pcap, ARP and ICMPv6 by
#                            default; one capture at a time
#   vlab_l2_uncapture            stop it, once the last frames crossed
#   vlab_l2_fields PCAP FILTER FIELD...  tshark fields of the frames that
#                            match the display filter, one line each, ","
#   vlab_l2_count PCAP FILTER    number of frames that match
#   vlab_l2_neigh NS ADDR        lladdr of NS's eth1 neighbour entry for ADDR
#   vlab_l2_ndp_owner ADDR       MAC in ndisc6's answer to c1 (empty if none)
#   vlab_l2_owners NS ADDR       every MAC that answers one ARP request (or
#                            NS) for ADDR from NS within a second, sorted
#   vlab_l2_until MS CMD...      lab_wait bounded by the clock, for commands
#                            that take long themselves (lab_wait counts
#                            20 ms per try)
#   vlab_l2_macs_are MAC ADDR... true when c1's eth1 entries for every ADDR
#                            carry MAC (for lab_wait)

vlab_l2_answering() {
	[ "$(vlab_json "$1" ".groups[] | select(.name==\"${2:-vip}\") |
		.answering")" = true ]
}

vlab_l2_silent() {
	! vlab_running "$1" || vlab_l2_exited "$1" ||
		[ "$(vlab_json "$1" ".groups[] | select(.name==\"${2:-vip}\") |
			.answering")" = false ]
}

vlab_l2_exited() {
	[ -z "${VLAB_PIDS[$1]:-}" ] || vlab_l2_pid_exited "${VLAB_PIDS[$1]}"
}

vlab_l2_pid_exited() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ]
}

vlab_l2_metrics() { vlab_ctl "$1" metrics --json 2>/dev/null | jq -r "$2"; }

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

vlab_l2_neigh() {
	lab_exec "$1" ip neigh show "$2" dev eth1 |
		awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}

vlab_l2_ndp_owner() {
	lab_exec c1 ndisc6 -1 -r 1 -w 1000 "$1" eth1 2>/dev/null |
		sed -n 's/.*Target link-layer address: *//p' | head -1 |
		tr 'A-F' 'a-f'
}

vlab_l2_macs_are() {
	local mac="$1" a
	shift
	for a in "$@"; do
		[ "$(vlab_l2_neigh c1 "$a")" = "$mac" ] || return 1
	done
}

# arping's -c counts replies when -w is given (vlab_arp_owners stops at the
# first): -b -c 10 -w 1 sends one broadcast request and collects every
# reply for a second.
vlab_l2_owners() {
	if [ "${2#*:}" != "$2" ]; then
		lab_exec "$1" ndisc6 -m -r 1 -w 1000 "$2" eth1 2>/dev/null |
			sed -n 's/.*Target link-layer address: *//p'
	else
		lab_exec "$1" arping -b -c 10 -w 1 -I eth1 "$2" 2>/dev/null |
			sed -n 's/.*\[\([0-9a-fA-F:]*\)\].*/\1/p'
	fi | tr 'A-F' 'a-f' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

vlab_l2_until() {
	local end=$(($(date +%s%3N) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%3N)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}
