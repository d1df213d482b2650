#!/bin/bash
# Least privilege without systemd (issue 11): `vipd -u nobody`, started as
# root, runs as nobody with exactly CAP_NET_ADMIN and CAP_NET_RAW, and
# still does its job, in foreground and detached mode.
#
# A. Foreground: /proc/PID/status shows uid nobody, no supplementary
#    groups, CapEff = CapPrm = 0x3000 and an empty bounding set; SIGHUP
#    reloads (the config and the secret are readable to nobody); when the
#    root peer n2 stops, n1 takes over under that identity (VIP on lo,
#    ARP answered with n1's MAC, no "cannot set" sysctl warning), and gives
#    the group back when n2 preempts (its notify script runs as nobody,
#    without capabilities); SIGTERM: exit 0, socket and pid file
#    removed (their directory, named vipd, was handed to nobody).
# B. Detached (no -f): vipd returns 0, the pid file's process runs as
#    nobody with the two capabilities; SIGTERM removes its files.
# C. Errors: -u for a user that does not exist, and -u when not started as
#    root, exit 1 with the reason; a vipd without CAP_NET_RAW names the
#    capability in its group's fault ("capture on eth1 needs CAP_NET_RAW").
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "vpd$$" 2 timeout setpriv

VIP="10.$VLAB_NET.0.100"
NOBODY_UID=$(id -u nobody 2>/dev/null) || lab_bail "no user nobody"
NOBODY_GID=$(id -g nobody)

# nobody must reach its files: the lab's directory is root's 0700.
chmod 755 "$T"
mkdir -p "$T/n1" && cp "$T/secret" "$T/n1/secret" &&
	chown nobody "$T/n1/secret" && chmod 600 "$T/n1/secret" ||
	lab_bail "cannot make n1's secret"
# status_field PID KEY: a line of /proc/PID/status, value only.
status_field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }

# check_identity WHAT PID: the uid, groups and capability lines.
check_identity() {
	local what="$1" pid="$2"
	tap_is "$(status_field "$pid" Uid)" \
		"$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" \
		"$what: real, effective, saved and fs uid are nobody's"
	tap_is "$(status_field "$pid" Gid | awk '{print $1}')" "$NOBODY_GID" \
		"$what: gid is nobody's group"
	tap_is "$(status_field "$pid" Groups)" "" "$what: no supplementary groups"
	tap_is "$(status_field "$pid" CapEff)" 0000000000003000 \
		"$what: CapEff is CAP_NET_ADMIN|CAP_NET_RAW"
	tap_is "$(status_field "$pid" CapPrm)" 0000000000003000 \
		"$what: CapPrm is CAP_NET_ADMIN|CAP_NET_RAW"
	tap_is "$(status_field "$pid" CapBnd)" 0000000000000000 \
		"$what: bounding set cleared"
}

# ---------------------------------------------------------------- A
vlab_conf n1 "$T/n1/vipd.conf" prio=100 secret="$T/n1/secret"
vlab_conf n2 "$T/n2.conf" prio=200
S1="$T/n1/vipd/vipd.sock"
P1="$T/n1/vipd/vipd.pid"
# A notify script (issue 10) records who runs it, in the directory that
# is handed to nobody.
cat >"$T/n1/notify.sh" <<SCRIPT
#!/bin/sh
echo "\$3 \$(id -u) \$(awk '/^CapEff/ { print \$2 }' /proc/self/status)" >>"$T/n1/vipd/notify.out"
SCRIPT
chmod 755 "$T/n1/notify.sh"
echo "notify = \"$T/n1/notify.sh\";" >>"$T/n1/vipd.conf"
ctl1() { "$VIPCTL" -s "$S1" "$@"; }
vlab_start n2 || lab_bail "n2 does not start"
lab_bg n1 "$T/n1.log" "$VIPD" -f -d -u nobody -c "$T/n1/vipd.conf" \
	-s "$S1" -p "$P1"
N1=$LAB_LASTPID
lab_wait 5000 ctl1 ping
tap_ok $? "A: vipd -f -u nobody starts and answers"
check_identity "A" "$N1"
tap_match "$(cat "$T/n1.log")" "running as user nobody \(uid $NOBODY_UID" \
	"A: it logs the identity it runs as"
lab_wait 3000 vlab_leader_is n2
tap_ok $? "A: n2 (root, priority 200) leads"

r0=$(ctl1 metrics --json | jq -r .reloads)
kill -HUP "$N1"
lab_wait 3000 eval '[ "$(ctl1 metrics --json | jq -r .reloads)" -gt "$r0" ]'
tap_ok $? "A: SIGHUP reloads as nobody"
tap_ok "$(grep -qE 'reload:|unreadable' "$T/n1.log" && echo 1 || echo 0)" \
	"A: ... without errors (config and secret readable)"

vlab_stop n2 TERM
lab_wait 3000 eval '[ "$(ctl1 status --json | jq -r ".groups[0].state")" = leader ]'
tap_ok $? "A: n2 stopped: n1 (nobody) takes over"
lab_wait 2000 vlab_has_addr n1 lo "$VIP"
tap_ok $? "A: ... the VIP is on n1's lo"
lab_wait 3000 eval '[ "$(vlab_owners "$VIP" 0)" = "$(vlab_mac n1)" ]'
tap_ok $? "A: ... and n1 answers ARP for it (capture and injection)"
tap_ok "$(grep -qE 'cannot set|needs CAP_' "$T/n1.log" && echo 1 || echo 0)" \
	"A: no sysctl or capability error in n1's log"
lab_wait 3000 grep -q '^MASTER' "$T/n1/vipd/notify.out"
tap_is "$(grep '^MASTER' "$T/n1/vipd/notify.out")" \
	"MASTER $NOBODY_UID 0000000000000000" \
	"A: the notify script ran as nobody, without capabilities"
vlab_start n2 || lab_bail "n2 does not restart"
lab_wait 5000 vlab_has_addr n2 lo "$VIP"
tap_ok $? "A: n2 back: it preempts"
lab_wait 3000 eval '! vlab_has_addr n1 lo "$VIP"'
tap_ok $? "A: ... and n1 (nobody) removed the VIP from its lo"
lab_stop "$N1" TERM
tap_is "$LAB_STOP_RC" 0 "A: SIGTERM: vipd -u nobody exits 0"
tap_ok "$([ ! -e "$S1" ] && [ ! -e "$P1" ] && echo 0 || echo 1)" \
	"A: socket and pid file removed"

# ---------------------------------------------------------------- B
lab_run "$T" lab_exec n1 timeout 20 "$VIPD" -u nobody -c "$T/n1/vipd.conf" \
	-s "$S1" -p "$P1"
tap_is "$RC" 0 "B: vipd -u nobody (detached) exits 0 once running"
D=$(cat "$P1" 2>/dev/null)
[ -n "$D" ] && LAB_PIDS+=("$D")
tap_ok "$([ -n "$D" ] && [ -d "/proc/$D" ] && echo 0 || echo 1)" \
	"B: the pid file names the daemon"
[ -n "$D" ] && check_identity "B" "$D"
lab_wait 3000 ctl1 ping
tap_ok $? "B: the detached daemon answers vipctl"
[ -n "$D" ] && lab_stop "$D" TERM
tap_ok "$([ ! -e "$S1" ] && [ ! -e "$P1" ] && echo 0 || echo 1)" \
	"B: SIGTERM: socket and pid file removed"

# ---------------------------------------------------------------- C
lab_run "$T" lab_exec n1 "$VIPD" -f -u no-such-user-here -c "$T/n1/vipd.conf" \
	-s "$S1" -p "$P1"
tap_is "$RC" 1 "C: -u for an unknown user: exit 1"
tap_match "$ERR" "user 'no-such-user-here'" "C: ... naming the user"
lab_run "$T" lab_exec n1 setpriv --reuid=nobody --regid=nogroup \
	--clear-groups --inh-caps=-all "$VIPD" -f -u root \
	-c "$T/n1/vipd.conf" -s "$S1" -p "$P1"
tap_is "$RC" 1 "C: -u root when started as nobody: exit 1"
tap_match "$ERR" "not started as root" "C: ... saying why"

# A vipd run as nobody with CAP_NET_ADMIN only: the fault names the
# missing capability.
chown nobody "$T/n1/vipd"
lab_bg n1 "$T/n1-nocap.log" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups --inh-caps=-all,+net_admin --ambient-caps=+net_admin \
	"$VIPD" -f -c "$T/n1/vipd.conf" -s "$S1" -p "$P1"
NC=$LAB_LASTPID
lab_wait 5000 ctl1 ping
tap_ok $? "C: vipd without CAP_NET_RAW starts"
lab_wait 3000 eval 'ctl1 status --json | jq -r ".groups[0].fault_text" | grep -q "capture on eth1 needs CAP_NET_RAW"'
tap_ok $? "C: its group's fault says 'capture on eth1 needs CAP_NET_RAW'"
# Its notify script inherits the ambient capability, as under vipd.service.
lab_wait 3000 grep -q '^FAULT' "$T/n1/vipd/notify.out"
tap_is "$(grep '^FAULT' "$T/n1/vipd/notify.out" | tail -1)" \
	"FAULT $NOBODY_UID 0000000000001000" \
	"C: its notify script runs as nobody with the ambient CAP_NET_ADMIN"
lab_stop "$NC" TERM

tap_done
