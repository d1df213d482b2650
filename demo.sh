#!/bin/bash
# vipd demo: a simulated LAN in network namespaces, the Vagrant trap, and a
# failover measured from a client.  Run as root on Debian/Ubuntu:
#
#     sudo ./demo.sh
#
# It installs missing packages, builds vipd, creates the lab (everything in
# namespaces named vdemo-*, removed on exit or Ctrl-C), and narrates:
#   - three nodes, each with a management NIC (eth0) whose default route
#     points away from the LAN, and the LAN NIC (eth1) holding the VIP;
#   - a client in another subnet behind a router with strict rp_filter;
#   - who leads, the client reaching a service on the VIP, the leader
#     dying (its LAN and management ports unplugged and its vipd killed, as
#     in a power failure), the measured outage and the new leader, the old
#     leader coming back and preempting.
# Exit status: 0 when the failover happened and the client was served
# before and after it; 1 otherwise.
#
# Options: --no-install  do not install packages
#          --builddir=DIR  use binaries built in DIR (default: build here)
set -u
cd "$(dirname "$0")" || exit 1
SRC=$(pwd)
BUILD=""
INSTALL=1
for arg in "$@"; do
	case "$arg" in
	--no-install) INSTALL=0 ;;
	--builddir=*) BUILD="${arg#*=}" ;;
	-h | --help)
		sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "demo: unknown option $arg" >&2
		exit 2
		;;
	esac
done
if [ "$(id -u)" != 0 ]; then
	echo "demo: run as root (it creates network namespaces): sudo $0" >&2
	exit 1
fi

bold=""
off=""
if [ -t 1 ]; then
	bold=$(printf '\033[1m')
	off=$(printf '\033[0m')
fi
say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$off"; }
indent() { sed 's/^/    /'; }

# ---------------------------------------------------------------- build
if [ "$INSTALL" = 1 ]; then
	say "Installing missing packages (Debian/Ubuntu)"
	"$SRC/tests/install-deps.sh" || exit 1
fi
if [ -z "$BUILD" ]; then
	BUILD="$SRC/_build-demo"
	if [ ! -x "$BUILD/vipd" ] || [ ! -x "$BUILD/bench/tools/prober" ]; then
		say "Building vipd"
		(autoreconf -fi && mkdir -p "$BUILD" && cd "$BUILD" &&
			"$SRC/configure" -q && make -j"$(nproc)" all tools) \
			>/tmp/vipd-demo-build.log 2>&1 ||
			{
				tail -20 /tmp/vipd-demo-build.log
				echo "demo: build failed" >&2
				exit 1
			}
	fi
fi
export top_builddir="$BUILD" top_srcdir="$SRC"
TOOLS="$BUILD/bench/tools"

# shellcheck source=tests/netns/lab.sh
. "$SRC/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$SRC/tests/netns/vlab.sh"

VIP=192.168.56.100
lab_init vdemo
T="$LAB_TMP"
VLAB_TMP="$T"

# ------------------------------------------------------------------ lab
say "Building the simulated LAN (namespaces vdemo-*)"
lab_switch br-mgmt br-lan br-cli
# The management network with its NAT gateway, as libvirt/Vagrant make it.
lab_node gw br-mgmt eth0 192.168.121.1/24
# The router between the LAN and the client's subnet: strict rp_filter.
lab_node rtr br-lan eth1 192.168.56.1/24
lab_node rtr br-cli eth2 10.0.10.1/24
lab_exec rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.eth1.rp_filter=1 net.ipv4.conf.eth2.rp_filter=1
lab_node client br-cli eth0 10.0.10.10/24
lab_exec client ip route add default via 10.0.10.1
head -c 32 /dev/urandom | base64 >"$T/secret"
chmod 600 "$T/secret"
for i in 1 2 3; do
	lab_node "node$i" br-mgmt eth0 "192.168.121.1$i/24"
	lab_node "node$i" br-lan eth1 "192.168.56.1$i/24"
	# The trap: the default route leaves through the management NIC.
	lab_exec "node$i" ip route add default via 192.168.121.1 dev eth0
done
echo "  3 nodes: eth0 192.168.121.1x (default route!), eth1 192.168.56.1x"
echo "  router 192.168.56.1 <-> 10.0.10.1 (strict rp_filter), client 10.0.10.10"
echo "  VIP $VIP on eth1, service on TCP 8080 and UDP 7777 on every node"

prio=(0 150 100 50)
for i in 1 2 3; do
	cat >"$T/node$i.conf" <<EOF
node = { id = "node$i"; priority = ${prio[$i]}; };
cluster = {
  peers = [ "192.168.56.11", "192.168.56.12", "192.168.56.13" ];
  interval_ms = 100;
  dead_after = 3;
  secret_file = "$T/secret";
};
control = { socket = "$T/node$i.sock"; pid_file = "$T/node$i.pid"; };
groups = ( {
  name = "web";
  interface = "eth1";
  vips = [ "$VIP" ];
  preempt = true;
  preempt_delay_ms = 2000;
  route = { table = 7431; priority = 7431; gateway = "192.168.56.1"; };
} );
EOF
	lab_bg "node$i" "$T/tcp$i.log" "$TOOLS/tcpsvc" -p 8080 -n "node$i"
	lab_bg "node$i" "$T/udp$i.log" "$TOOLS/udpecho" -p 7777 -n "node$i"
done

ctl() { "$BUILD/vipctl/vipctl" -s "$T/$1.sock" "${@:2}"; }
leader_of() { ctl "$1" status --json 2>/dev/null | jq -r '.groups[0].leader'; }
# leader_is ASKED WANT: for lab_wait, which re-runs it until it succeeds.
leader_is() { [ "$(leader_of "$1")" = "$2" ]; }
connect_vip() {
	lab_exec client timeout 2 bash -c "exec 3<>/dev/tcp/$VIP/8080 && head -1 <&3" 2>/dev/null
}

# ---------------------------------------------------------------- start
say "Starting vipd on node1 (priority 150), node2 (100), node3 (50)"
for i in 1 2 3; do
	lab_bg "node$i" "$T/node$i.log" "$BUILD/vipd" -f -c "$T/node$i.conf"
	VLAB_PIDS[node$i]=$LAB_LASTPID
done
for i in 1 2 3; do lab_wait 5000 ctl "node$i" ping || {
	echo "demo: vipd on node$i did not start:" >&2
	cat "$T/node$i.log" >&2
	exit 1
}; done
if ! lab_wait 5000 leader_is node2 node1; then
	echo "demo: no leader elected" >&2
	exit 1
fi
ctl node2 status | indent

say "What the leader installed (the fix for the Vagrant trap)"
echo "  node1# ip rule | grep vipd"
lab_exec node1 ip rule | grep -E 'proto (vipd|77)' | indent
echo "  node1# ip route show table 7431"
lab_exec node1 ip route show table 7431 | indent

say "The client reaches the service on the VIP"
first=$(connect_vip)
echo "  client$ connect $VIP:8080 -> answered by: ${first:-nobody}"
ok=1
[ "$first" = node1 ] || ok=0

# ------------------------------------------------------------- failover
say "node1 dies (power failure: ports unplugged, vipd killed) while the client probes every 1 ms"
lab_bg client "$T/prober.json" "$TOOLS/prober" -t "$VIP" -p 7777 -d 3000 --json
PROBER=$LAB_LASTPID
sleep 1
lab_unplug node1 eth1
lab_unplug node1 eth0
lab_stop "${VLAB_PIDS[node1]}" KILL
unset "VLAB_PIDS[node1]"
wait "$PROBER" 2>/dev/null
outage=$(jq -r '.max_gap_ms' "$T/prober.json" 2>/dev/null)
changes=$(jq -r '[.changes[] | "\(.from) -> \(.to)"] | join(", ")' \
	"$T/prober.json" 2>/dev/null)
new=$(leader_of node2)
echo "  new leader: ${new:-none}; the client saw: ${changes:-no change}"
echo "  longest gap between answers at the client: ${outage:-?} ms"
after=$(connect_vip)
echo "  client$ connect $VIP:8080 -> answered by: ${after:-nobody}"
[ "$new" = node2 ] && [ "$after" = node2 ] || ok=0
ctl node2 status | indent

# ----------------------------------------------------------- comeback
say "node1 comes back: it preempts after preempt_delay_ms (2 s)"
lab_plug node1 eth1
lab_plug node1 eth0
lab_bg node1 "$T/node1.log" "$BUILD/vipd" -f -c "$T/node1.conf"
VLAB_PIDS[node1]=$LAB_LASTPID
if lab_wait 6000 leader_is node2 node1; then
	echo "  node1 leads again"
else
	echo "  node1 did not take over again"
	ok=0
fi
back=$(connect_vip)
echo "  client$ connect $VIP:8080 -> answered by: ${back:-nobody}"
ctl node1 status | indent

say "Stopping vipd gracefully everywhere (SIGTERM hands over first)"
for i in 3 2 1; do
	lab_stop "${VLAB_PIDS[node$i]}" TERM
done
left=$(lab_exec node1 ip rule | grep -cE 'proto (vipd|77)')
echo "  policy rules left behind on node1: $left"
[ "$left" = 0 ] || ok=0

if [ "$ok" = 1 ]; then
	say "Demo finished: failover worked (outage ${outage:-?} ms)"
	exit 0
fi
say "Demo FAILED: see the logs above"
for i in 1 2 3; do
	echo "--- node$i"
	tail -15 "$T/node$i.log"
done
exit 1
