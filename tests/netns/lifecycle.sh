#!/bin/bash
# The daemon's life cycle in both modes (issue 11): detached (the default,
# no -f) and foreground.
#
# A. Detached: `vipd -c FILE` returns 0 once the daemon runs; the pid file
#    names it; HUP reloads, USR1 and USR2 leave it running; TERM stops it
#    cleanly (VIP off lo, pid file and socket removed).  Before the fix a
#    detached vipd ignored every signal (its signalfd was watched by an
#    epoll set made before the fork).
# B. Detached start-up error (heartbeat port in use): the message reaches
#    the terminal and the exit status is 1.
# C. Foreground: USR1 logs every group's state, USR2 the counters; neither
#    stops the daemon.
# D. One vipd per network namespace: a second one with its own socket and
#    pid file, foreground or detached, exits 1 naming the running one's
#    pid and touches nothing of it; after a SIGKILL of the first, a new one
#    starts (the kernel released the claim).
# E. The sysctls a vipd raised (bind "local": arp_ignore, arp_announce) are
#    kept beside the pid file (NAME.sysctl); after a SIGKILL the next start
#    puts back the originals (before the fix they stayed raised forever),
#    and a clean stop removes the file.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "vlc$$" 2 python3 timeout

VIP="10.$VLAB_NET.0.100"
PORT=7431

# detached NODE CONF PIDFILE [ARGS...]: vipd without -f; sets RC, OUT, ERR
# (lab_run) and, when it started, D_PID (tracked for the lab's clean-up).
detached() {
	local node="$1" conf="$2" pidf="$3"
	shift 3
	D_PID=""
	lab_run "$T" lab_exec "$node" timeout 20 "$VIPD" -c "$conf" \
		-s "$T/$node.d.sock" -p "$pidf" "$@"
	if [ "$RC" = 0 ] && [ -s "$pidf" ]; then
		D_PID=$(cat "$pidf")
		LAB_PIDS+=("$D_PID")
	fi
}
dctl() {
	local node="$1"
	shift
	"$VIPCTL" -s "$T/$node.d.sock" "$@"
}
reloads() { dctl "$1" metrics --json 2>/dev/null | jq -r .reloads; }

# ---------------------------------------------------------------- A
vlab_conf n1 "$T/n1.conf" peers=none
detached n1 "$T/n1.conf" "$T/n1.d.pid"
tap_is "$RC" 0 "A: vipd (detached) exits 0 once the daemon runs"
tap_ok "$([ -n "$D_PID" ] && echo 0 || echo 1)" "A: the pid file names the daemon"
DPID=$D_PID
dctl n1 ping >/dev/null 2>&1
tap_ok $? "A: the detached daemon answers vipctl"
lab_wait 5000 vlab_has_addr n1 lo "$VIP"
tap_ok $? "A: it leads alone: VIP on lo"
tap_is "$(tr -d '\0' </proc/"$DPID"/cmdline 2>/dev/null | head -c 200 | grep -c vipd)" 1 \
	"A: the pid file's process is vipd"

r0=$(reloads n1)
kill -HUP "$DPID"
reloaded() { [ "$(reloads n1)" -gt "$r0" ]; }
lab_wait 3000 reloaded
tap_ok $? "A: SIGHUP reloads (reloads $r0 -> $(reloads n1))"
for sig in USR1 USR2; do
	kill -"$sig" "$DPID"
	lab_never 1000 lab_gone "$DPID"
	tap_ok $? "A: SIG$sig leaves the detached daemon running"
done
dctl n1 ping >/dev/null 2>&1
tap_ok $? "A: ... and it still answers"
t0=$(lab_now_ms)
lab_stop "$DPID" TERM
lab_gone "$DPID"
tap_ok $? "A: SIGTERM stops the detached daemon ($(($(lab_now_ms) - t0)) ms)"
vlab_has_addr n1 lo "$VIP"
tap_ok "$([ $? != 0 ] && echo 0 || echo 1)" "A: the VIP is off lo after the stop"
tap_ok "$([ ! -e "$T/n1.d.pid" ] && echo 0 || echo 1)" "A: pid file removed"
tap_ok "$([ ! -e "$T/n1.d.sock" ] && echo 0 || echo 1)" "A: socket removed"

# ---------------------------------------------------------------- B
# n2 with a peer: it opens the heartbeat port, which a stand-in holds.
vlab_conf n2 "$T/n2.conf"
lab_bg n2 "$T/holder.log" python3 -c "
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(('::', $PORT))
time.sleep(60)"
HOLDER=$LAB_LASTPID
port_held() { lab_exec n2 ss -Hlun "sport = :$PORT" | grep -q .; }
lab_wait 5000 port_held || lab_bail "could not hold UDP port $PORT in n2"
detached n2 "$T/n2.conf" "$T/n2.d.pid"
tap_is "$RC" 1 "B: detached start with the port in use exits 1"
tap_match "$ERR" "heartbeat socket|udp: .*Address already in use" \
	"B: the reason reaches the terminal"
tap_ok "$([ -z "$D_PID" ] && echo 0 || echo 1)" "B: no daemon left running"
lab_stop "$HOLDER" KILL

# ---------------------------------------------------------------- C
vlab_conf n1 "$T/n1.conf" peers=none
vlab_start n1 -s "$(vlab_sock n1)" -p "$T/n1.pid" ||
	lab_bail "foreground vipd did not start"
FPID=${VLAB_PIDS[n1]}
lab_wait 5000 vlab_answering n1
tap_ok $? "C: foreground vipd leads"
kill -USR1 "$FPID"
dumped() { grep -q "group vip: leader" "$T/n1.log"; }
lab_wait 3000 dumped
tap_ok $? "C: SIGUSR1 logs the group's state"
tap_match "$(grep -A3 'state dump (SIGUSR1)' "$T/n1.log")" \
	"group vip: leader for [0-9]+ ms, leader n1, priority 100, answering yes, fault none, 1 VIP" \
	"C: ... with its state, leader, priority, fault and VIP count"
kill -USR2 "$FPID"
counted() { grep -q "counters (SIGUSR2): heartbeats.sent" "$T/n1.log"; }
lab_wait 3000 counted
tap_ok $? "C: SIGUSR2 logs the counters"
vlab_alive n1
tap_ok $? "C: the foreground daemon still runs"

# ---------------------------------------------------------------- D
rec0=$(vlab_metric n1 .reconciled)
lab_run "$T" lab_exec n1 timeout 10 "$VIPD" -f -c "$T/n1.conf" \
	-s "$T/other.sock" -p "$T/other.pid"
tap_is "$RC" 1 "D: a second vipd in the namespace (own socket) exits 1"
tap_match "$ERR" "another vipd \\(pid $FPID\\) is running in this network namespace" \
	"D: ... naming the running one's pid"
detached n1 "$T/n1.conf" "$T/other2.pid"
tap_is "$RC" 1 "D: a detached second vipd exits 1"
tap_match "$ERR" "another vipd \\(pid $FPID\\) is running" \
	"D: ... saying so on the terminal"
touched() {
	[ "$(vlab_metric n1 .reconciled)" != "$rec0" ] || ! vlab_has_addr n1 lo "$VIP"
}
lab_never 2000 touched
tap_ok $? "D: the running daemon keeps its VIP, nothing was reconciled"
tap_ok "$([ ! -e "$T/other.sock" ] && [ ! -e "$T/other.pid" ] && echo 0 || echo 1)" \
	"D: the refused vipd left no socket or pid file"
vlab_conf n2 "$T/n2.conf" peers=none
detached n2 "$T/n2.conf" "$T/n2.d.pid"
tap_is "$RC" 0 "D: a vipd in another namespace starts meanwhile"
[ -n "$D_PID" ] && lab_stop "$D_PID" TERM

vlab_stop n1 KILL
vlab_start n1 -s "$(vlab_sock n1)" -p "$T/n1.pid"
tap_ok $? "D: after SIGKILL of the first, a new vipd starts in the namespace"
vlab_stop_ok n1

# ---------------------------------------------------------------- E
sc() { lab_exec n1 cat "/proc/sys/net/ipv4/conf/$1/$2"; }
sysctls() { echo "$(sc eth1 arp_ignore) $(sc eth1 arp_announce) $(sc all arp_ignore)"; }
tap_is "$(sysctls)" "0 0 0" "E: eth1 arp_ignore, arp_announce and all.arp_ignore start at 0"
vlab_start n1 -s "$(vlab_sock n1)" -p "$T/n1.pid" || lab_bail "n1 did not start"
lab_wait 5000 vlab_answering n1
tap_is "$(sysctls)" "1 2 1" "E: leading with bind local raises them to 1 2 1"
tap_is "$(sort "$T/n1.sysctl" 2>/dev/null | tr '\n' ';')" \
	"all arp_announce 0 2;all arp_ignore 0 1;eth1 arp_announce 0 2;eth1 arp_ignore 0 1;" \
	"E: n1.sysctl holds each original and vipd's value"
vlab_stop n1 KILL
tap_is "$(sysctls)" "1 2 1" "E: after SIGKILL they are still raised"
vlab_conf n1 "$T/n1none.conf" peers=none bind=none
vlab_start n1 -c "$T/n1none.conf" -s "$(vlab_sock n1)" -p "$T/n1.pid" ||
	lab_bail "n1 did not start again"
tap_is "$(sysctls)" "0 0 0" "E: the next start (bind none) put back the originals"
grep -q "restored net.ipv4.conf.eth1.arp_ignore=0 (raised by a vipd that did not stop cleanly)" "$T/n1.log"
tap_ok $? "E: ... and logged it"
tap_ok "$([ ! -e "$T/n1.sysctl" ] && echo 0 || echo 1)" "E: no state file while nothing is raised"
vlab_stop_ok n1
vlab_conf n1 "$T/n1.conf" peers=none
vlab_start n1 -s "$(vlab_sock n1)" -p "$T/n1.pid" || lab_bail "n1 did not start"
lab_wait 5000 vlab_answering n1
vlab_stop_ok n1
tap_is "$(sysctls)" "0 0 0" "E: a clean stop puts them back too"
tap_ok "$([ ! -e "$T/n1.sysctl" ] && echo 0 || echo 1)" "E: ... and removes the state file"

tap_done
