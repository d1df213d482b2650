#!/bin/bash
# Exec checks (issue 10) on one node: a passing command (which sees the
# group and its VIPs in its environment), a command hanging past its
# timeout (fails; its process group is killed; no zombie, no fd left), a
# world-writable script (refused, like keepalived's script security), a
# missing binary; and exec user refused when vipd drops its privileges.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
# shellcheck source=tests/netns/checks_lib.sh
. "$top_srcdir/tests/netns/checks_lib.sh"
vlab_begin "hce$$" 1

chmod 755 "$T"
printf '#!/bin/sh\nenv | grep ^VIPD_ > "%s/env.out"\nexit 0\n' "$T" >"$T/good.sh"
ln -s "$(command -v sleep)" "$T/hcsleep"
printf '#!/bin/sh\n%s 30 &\n%s 30\n' "$T/hcsleep" "$T/hcsleep" >"$T/hang.sh"
printf '#!/bin/sh\nexit 0\n' >"$T/ww.sh"
chmod 755 "$T/good.sh" "$T/hang.sh"
chmod 777 "$T/ww.sh"
N=$VLAB_NET
vlab_conf n1 "$T/n1.conf" peers=none vips="10.$N.0.100" \
	extra='track = [ "good" ];'
vlab_conf_group "$T/n1.conf" group=hang vips="10.$N.0.101" \
	extra='track = [ "hang" ];'
vlab_conf_group "$T/n1.conf" group=ww vips="10.$N.0.102" \
	extra='track = [ "ww" ];'
vlab_conf_group "$T/n1.conf" group=missing vips="10.$N.0.103" \
	extra='track = [ "missing" ];'
hc_checks "$T/n1.conf" "
	{ name = \"good\"; exec = [ \"$T/good.sh\" ]; interval_ms = 500; },
	{ name = \"hang\"; exec = [ \"$T/hang.sh\" ]; interval_ms = 1000;
	  timeout_ms = 200; },
	{ name = \"ww\"; exec = [ \"$T/ww.sh\" ]; },
	{ name = \"missing\"; exec = [ \"$T/nonexistent\", \"-q\" ]; }"
lab_exec n1 "$VIPD" -t -c "$T/n1.conf" >"$T/t.out" 2>&1
tap_is "$?" 1 "vipd -t: the world-writable script is an error"
tap_match "$(cat "$T/t.out")" \
	"checks\[2\]\.exec: refused: $T/ww.sh is writable by others" \
	"... reported with file:line"
vlab_start n1 || lab_bail "n1 did not start"
PID=${VLAB_PIDS[n1]}
lab_wait 3000 vlab_leader_is n1 vip
tap_ok $? "a passing exec check: the group leads"
tap_is "$(hc_ck n1 good reason)" "exit 0" "its reason: exit 0"
lab_wait 2000 test -s "$T/env.out"
tap_match "$(cat "$T/env.out")" "^VIPD_GROUPS=vip$" "the command sees its group"
tap_match "$(cat "$T/env.out")" "^VIPD_VIPS=10.$N.0.100$" "... and its VIPs"

lab_wait 3000 vlab_gf_is n1 fault check hang
tap_ok $? "a command hanging past its timeout faults its group"
tap_is "$(hc_ck n1 hang reason)" \
	"timeout after 200 ms, process group killed" "... reason: timeout"
# vipd's fds while none of its commands runs: the least of 20 samples
# (a command may start between looking for children and counting).
idle_fds() {
	local i n min=100000
	for i in $(seq 1 20); do
		[ -z "$(ps -o pid= --ppid "$PID")" ] || continue
		n=$(ls /proc/"$PID"/fd | wc -l)
		[ "$n" -lt "$min" ] && min=$n
		sleep 0.02
	done
	echo "$min"
}
fds0=$(idle_fds)
lab_wait 3000 eval '[ "$(hc_ck n1 hang failed)" -ge 3 ]'
tap_ok $? "three hanging runs"
fds1=$(idle_fds)
tap_is "$fds1" "$fds0" "no fd left behind by the runs ($fds1)"
# Between runs (each killed at 200 ms, interval 1 s) nothing of them is
# left: neither a zombie child of vipd nor the backgrounded sleep.
no_hang_left() {
	[ -z "$(ps -o pid= --ppid "$PID")" ] &&
		[ -z "$(pgrep -f "$T/(hang.sh|hcsleep)")" ]
}
lab_wait 1500 no_hang_left
tap_ok $? "no zombie and no orphaned child between runs"

lab_wait 3000 vlab_gf_is n1 fault check ww
tap_ok $? "a world-writable script faults its group"
tap_match "$(vlab_gf n1 fault_text ww)" \
	"^check ww failed 1 time: refused: $T/ww.sh is writable by others$" \
	"... refused, saying why"
lab_wait 3000 vlab_gf_is n1 fault check missing
tap_ok $? "a missing binary faults its group"
tap_is "$(hc_ck n1 missing reason)" \
	"cannot run $T/nonexistent: No such file or directory" \
	"... reason: cannot run"
vlab_stop_ok n1

# Least privilege (vipd -u nobody): commands run as vipd's user.
NOBODY=$(id -u nobody) || lab_bail "no user nobody"
mkdir -p "$T/vipd"
vlab_conf n1 "$T/drop.conf" peers=none extra='track = [ "me" ];'
sed -i "s|socket = \"$T/n1.sock\"|socket = \"$T/vipd/n1.sock\"|" "$T/drop.conf"
hc_checks "$T/drop.conf" "{ name = \"me\"; exec = [ \"/bin/sh\", \"-c\",
	\"test \\\"\$(id -u)\\\" = $NOBODY\" ]; interval_ms = 200; }"
lab_bg n1 "$T/drop.log" "$VIPD" -f -u nobody -c "$T/drop.conf" \
	-p "$T/vipd/n1.pid"
DROP=$LAB_LASTPID
drop_ck() { "$VIPCTL" -s "$T/vipd/n1.sock" status --json 2>/dev/null |
	jq -r '.checks[0].reason'; }
lab_wait 5000 eval '[ "$(drop_ck)" = "exit 0" ]'
tap_ok $? "vipd -u nobody: the command runs as nobody ($(drop_ck))"
lab_stop "$DROP" TERM
tap_is "$LAB_STOP_RC" 0 "vipd -u nobody exits 0"

# exec user needs root: refused at start-up when vipd drops privileges.
sed -i 's|{ name = "good";|{ name = "good"; user = "nobody";|' "$T/n1.conf"
lab_exec n1 "$VIPD" -f -c "$T/n1.conf" -u nobody >"$T/user.out" 2>&1
tap_is "$?" 1 "exec user with -u: vipd refuses to start"
tap_match "$(cat "$T/user.out")" 'user "nobody" needs vipd to run as root' \
	"... saying why"
tap_done
