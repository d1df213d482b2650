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

# ---- added for tests/netns/election_*.sh
#
#   vlab_split_lan PREFIX N "NODES"  like vlab_lan, but the switch has two
#                            bridges joined by a veth pair (x-br0 in br0,
#                            x-br1 in br1): the nodes named in NODES (space
#                            list, e.g. "n2 n3") are on br1, the other nodes
#                            and the client c1 on br0
#   vlab_cut / vlab_heal     take the joint between the bridges down / up
#   vlab_conf_group FILE NAME VIPS [prio=P] [preempt=B] [delay=MS]
#                            append one more group (interface eth1) to a
#                            config written by vlab_conf
vlab_split_lan() {
	local prefix="$1" n="$2" right=" $3 " i br
	lab_init "$prefix"
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
	head -c 32 /dev/urandom | base64 >"$VLAB_TMP/secret"
	chmod 600 "$VLAB_TMP/secret"
}

vlab_cut() { ip -n "$LAB_SW" link set x-br0 down; }
vlab_heal() { ip -n "$LAB_SW" link set x-br0 up; }

vlab_conf_group() {
	local file="$1" name="$2" vips="$3" kv v viplist=""
	local prio="" preempt=true delay=0
	shift 3
	for kv in "$@"; do
		case "$kv" in
		prio=*) prio="${kv#*=}" ;;
		preempt=*) preempt="${kv#*=}" ;;
		delay=*) delay="${kv#*=}" ;;
		*) echo "vlab_conf_group: unknown key $kv" >&2; return 1 ;;
		esac
	done
	for v in ${vips//,/ }; do viplist="$viplist\"$v\", "; done
	# vlab_conf ends the group list with "} );": reopen it.
	sed -i '$ d' "$file" || return 1
	{
		echo "}, {"
		echo "  name = \"$name\"; interface = \"eth1\";"
		echo "  vips = [ ${viplist%, } ];"
		[ -n "$prio" ] && echo "  priority = $prio;"
		echo "  preempt = $preempt; preempt_delay_ms = $delay;"
		echo "} );"
	} >>"$file"
}
