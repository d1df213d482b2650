#!/bin/bash
# vipd.service under a real systemd (issue 11), in the sandbox of
# ../shared/tools/sysd-sandbox.sh (systemd as PID 1 of its own PID, mount
# and network namespaces; never booted any other way).  The sandbox's
# network namespace gets eth1 on the lab's LAN, beside a peer vipd n1
# (root, priority 100, in a lab namespace) and the client c1.
#
# The unit is the one `make install` installs (service/vipd.service), with
# a test drop-in: the built binaries copied into the sandbox's private
# /run, the config there, User=nobody (the sandbox shares the host's /etc:
# no vipd user is added to it), no ConfigurationDirectory= (it would make
# /etc/vipd on the host), WatchdogSec=3s, and no leak check at exit
# (LeakSanitizer needs ptrace, which SystemCallFilter= forbids).
#
# A. `systemctl start vipd` (--no-block): the daemon answers at once but
#    the unit stays "activating" until the start-up listen is over (one
#    dead interval, 1.5 s), then "active"; STATUS= says "leader of vip"
#    once it preempts n1 (`systemctl status` shows it).
# B. The running process: uid nobody, CapEff = CapPrm = 0x3000; under that
#    identity it took the VIP over (VIP on lo, policy rule, ARP answered
#    with its MAC); its Prometheus endpoint (metrics.listen) answers.
# C. `systemctl reload` with a good config (priority changed, same PID)
#    succeeds; with a bad one fails, the daemon runs on with the old one
#    and STATUS= says so.
# D. SIGSTOP of vipd: n1 takes over meanwhile; the watchdog kills it and
#    systemd starts it again (new PID, NRestarts >= 1), and it leads again.
# E. `systemctl stop vipd` hands over (n1 leads) within the handover bound
#    and leaves no VIP, rule or route of vipd in the sandbox.
# F. process.realtime_priority: refused under the bare unit (the journal
#    names the key); with CPUSchedulingPolicy=rr (vipd(8)) vipd runs
#    SCHED_RR.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"

SANDBOX="${SYSD_SANDBOX:-$top_srcdir/../shared/tools/sysd-sandbox.sh}"
UNIT="$top_builddir/service/vipd.service"
if [ "${VIPD_TEST_NETNS:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then
	if [ ! -x "$SANDBOX" ]; then
		echo "1..0 # SKIP no systemd sandbox tool at $SANDBOX"
		exit 0
	fi
	if [ ! -x /lib/systemd/systemd ] || ! command -v systemctl >/dev/null; then
		echo "1..0 # SKIP systemd is not installed"
		exit 0
	fi
	if [ ! -f "$UNIT" ]; then
		echo "1..0 # SKIP $UNIT not built"
		exit 0
	fi
fi
vlab_begin "vsd$$" 1 timeout arping

S=""
sd_cleanup() {
	[ "$BASHPID" = "$LAB_MAINPID" ] || return
	[ -n "$S" ] && "$SANDBOX" stop "$S" >/dev/null 2>&1
	lab_cleanup
}
trap sd_cleanup EXIT

S=$("$SANDBOX" start) || lab_bail "the systemd sandbox does not start"
R="/proc/$S/root" # the sandbox's files, from here
sb() { "$SANDBOX" exec "$S" "$@"; }
sctl() { sb systemctl "$@"; }
sprop() { sctl show -p "$1" --value vipd.service; }
sv() { sb /run/vt/bin/vipctl -s /run/vipd/vipd.sock "$@"; }
s_state() { sv status --json 2>/dev/null | jq -r '.groups[0].state'; }
s_state_is() { [ "$(s_state)" = "$1" ]; }
prop_is() { [ "$(sprop "$1")" = "$2" ]; }

# The sandbox is node s2 (10.N.0.2) on the lab's LAN.
NET="10.$VLAB_NET.0"
VIP="$NET.100"
TABLE=7431
ip -n "$LAB_SW" link add p-s2-eth1 type veth peer name eth1 netns "$S" &&
	ip -n "$LAB_SW" link set p-s2-eth1 master br0 up &&
	sb ip link set lo up && sb ip link set eth1 up &&
	sb ip addr add "$NET.2/24" dev eth1 ||
	lab_bail "cannot plug the sandbox into the lab"
# (Not /sys: the sandbox's sysfs is the host's, whose netns it shows.)
S_MAC=$(sb ip -o link show dev eth1 | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')

# Binaries, unit, drop-in, config and secret into the sandbox's /run.
VLAB_ROUTE="table = $TABLE; priority = $TABLE; gateway = \"$NET.254\";"
COMMON=(interval=500 dead=3 pin=leader peers="$NET.1,$NET.2")
vlab_conf n1 "$T/n1.conf" prio=100 "${COMMON[@]}"
vlab_conf s2 "$T/s2.conf" prio=200 secret=/run/vt/secret "${COMMON[@]}"
sed -i -e "s|$T/s2.sock|/run/vipd/vipd.sock|" -e "s|$T/s2.pid|/run/vipd/vipd.pid|" \
	"$T/s2.conf"
# The Prometheus endpoint, served under the unit's system call filter.
echo "metrics = { listen = \"$NET.2:9431\"; };" >>"$T/s2.conf"
# An exec check (run by the unit's vipd) writes its own capabilities.
echo "checks = ( { name = \"caps\"; exec = [ \"/run/vt/bin/caps.sh\" ]; interval_ms = 1000; } );" >>"$T/s2.conf"
D="$R/run/systemd/system/vipd.service.d"
{
	mkdir -p "$R/run/vt/bin" "$D" &&
		cp "$VIPD" "$VIPCTL" "$R/run/vt/bin/" &&
		cp "$UNIT" "$R/run/systemd/system/vipd.service" &&
		cp "$T/s2.conf" "$R/run/vt/vipd.conf" &&
		printf '#!/bin/sh\ngrep "^Cap" /proc/self/status >/run/vipd/caps.child\n' \
			>"$R/run/vt/bin/caps.sh" && chmod 755 "$R/run/vt/bin/caps.sh" &&
		cp "$T/secret" "$R/run/vt/secret" &&
		chown nobody "$R/run/vt/secret" && chmod 600 "$R/run/vt/secret"
} || lab_bail "cannot install into the sandbox"
cat >"$D/test.conf" <<EOF
[Unit]
ConditionPathExists=
ConditionPathExists=/run/vt/vipd.conf
[Service]
ExecStart=
ExecStart=/run/vt/bin/vipd -f -c /run/vt/vipd.conf
ExecReload=
ExecReload=/run/vt/bin/vipctl -c /run/vt/vipd.conf reload
User=nobody
Group=nogroup
ConfigurationDirectory=
WatchdogSec=3s
RestartSec=1s
Environment=ASAN_OPTIONS=detect_leaks=0
EOF
sctl daemon-reload || lab_bail "daemon-reload in the sandbox failed"

vlab_start n1 || lab_bail "n1 does not start"
lab_wait 5000 vlab_gf_is n1 state leader || lab_bail "n1 does not lead"

# ---------------------------------------------------------------- A
t0=$(lab_now_ms)
sctl start --no-block vipd.service
lab_wait 5000 sv ping
tap_ok $? "A: systemctl start: the daemon answers"
t_up=$(lab_now_ms)
tap_is "$(sprop ActiveState)" activating \
	"A: ... while the unit is still activating (start-up listen)"
lab_wait 6000 prop_is ActiveState active
tap_ok $? "A: the unit becomes active"
t_ready=$(lab_now_ms)
tap_ge $((t_ready - t0)) 1300 \
	"A: ... after the listen ($((t_ready - t0)) ms from the start, dead interval 1500 ms; daemon up after $((t_up - t0)) ms)"
lab_wait 5000 prop_is StatusText "leader of vip"
tap_ok $? "A: STATUS= 'leader of vip' once it preempted n1 (got '$(sprop StatusText)')"
tap_match "$(sctl status --no-pager vipd.service 2>&1)" 'Status: "leader of vip"' \
	"A: systemctl status shows the status line"

# ---------------------------------------------------------------- B
M=$(sprop MainPID)
st=$(sb cat "/proc/$M/status")
tap_is "$(echo "$st" | awk '$1 == "Uid:" { print $2, $3, $4, $5 }')" \
	"$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)" \
	"B: the service runs as nobody"
tap_is "$(echo "$st" | awk '$1 == "CapEff:" { print $2 }')" 0000000000003000 \
	"B: CapEff is exactly CAP_NET_ADMIN|CAP_NET_RAW"
tap_is "$(echo "$st" | awk '$1 == "CapPrm:" { print $2 }')" 0000000000003000 \
	"B: CapPrm is exactly CAP_NET_ADMIN|CAP_NET_RAW"
# What the commands it runs get: the unit's two ambient capabilities and
# no other (vipd.conf(5), NOTIFY HOOKS: `ip` commands work in them).
lab_wait 5000 sb test -s /run/vipd/caps.child
cc=$(sb cat /run/vipd/caps.child 2>/dev/null)
tap_is "$(echo "$cc" | awk '$1 ~ /^Cap(Prm|Eff|Amb):$/ { printf "%s%s ", $1, $2 }')" \
	"CapPrm:0000000000003000 CapEff:0000000000003000 CapAmb:0000000000003000 " \
	"B: an exec check's command runs with the unit's two ambient capabilities only"
lab_wait 3000 vlab_gf_is n1 state backup
tap_ok $? "B: n1 is backup: the sandbox's vipd took over"
if command -v curl >/dev/null; then
	lab_exec c1 curl -sS --max-time 3 "http://$NET.2:9431/metrics" \
		>"$T/s2.metrics" 2>&1
	grep -qx 'vipd_group_state{group="vip",state="leader"} 1' "$T/s2.metrics"
	tap_ok $? "B: its Prometheus endpoint answers from c1 (leader)"
fi
s_vip() { sb ip -4 addr show dev lo | grep -q "inet $VIP/"; }
s_rules() { sb ip -4 rule show | grep -cE 'proto (77|vipd)( |$)'; }
lab_wait 3000 s_vip
tap_ok $? "B: ... the VIP is on the sandbox's lo"
tap_ge "$(s_rules)" 1 "B: ... its policy rule is installed"
lab_wait 3000 eval '[ "$(vlab_owners "$VIP" 0)" = "$S_MAC" ]'
tap_ok $? "B: ... and it answers ARP for the VIP"

# ---------------------------------------------------------------- C
sed -i 's/priority = 200;/priority = 210;/' "$R/run/vt/vipd.conf"
sctl reload vipd.service
tap_is $? 0 "C: systemctl reload with a good config succeeds"
tap_is "$(sv status --json | jq -r '.groups[0].configured_priority')" 210 \
	"C: ... the new priority is in force"
tap_is "$(sprop MainPID)" "$M" "C: ... same process"
lab_wait 3000 prop_is StatusText "leader of vip"
tap_ok $? "C: ... status 'leader of vip'"
cp "$R/run/vt/vipd.conf" "$T/good.conf"
{
	echo 'bogus_key = 1;'
	sed 's/priority = 210;/priority = 220;/' "$T/good.conf"
} >"$R/run/vt/vipd.conf"
sctl reload vipd.service 2>/dev/null
tap_ok "$([ $? != 0 ] && echo 0 || echo 1)" "C: systemctl reload with a bad config fails"
tap_is "$(sprop ActiveState)/$(sprop MainPID)" "active/$M" \
	"C: ... the daemon runs on (same PID)"
tap_is "$(sv status --json | jq -r '.groups[0].configured_priority')" 210 \
	"C: ... with the old configuration"
tap_match "$(sprop StatusText)" '^last reload failed; leader of vip$' \
	"C: ... and its status says the reload failed"
tap_match "$(sb journalctl -u vipd.service --no-pager 2>&1)" \
	'vipd.conf:1: .*bogus_key' "C: the journal has the file:line error"
cp "$T/good.conf" "$R/run/vt/vipd.conf"

# ---------------------------------------------------------------- D
sb kill -STOP "$M"
t0=$(lab_now_ms)
lab_wait 4000 vlab_gf_is n1 state leader
tap_ok $? "D: vipd stopped (SIGSTOP): n1 takes over"
new_pid() { p=$(sprop MainPID) && [ "$p" != 0 ] && [ "$p" != "$M" ]; }
lab_wait 12000 new_pid
tap_ok $? "D: the watchdog gets it killed and systemd starts a new one"
t1=$(lab_now_ms)
# systemd logs the watchdog timeout to the sandbox's kmsg, not the
# journal: the timing says it (nothing else would end a stopped process).
tap_ok "$([ $((t1 - t0)) -ge 2500 ] && echo 0 || echo 1)" \
	"D: ... once WatchdogSec (3 s) passed ($((t1 - t0)) ms after SIGSTOP)"
lab_wait 6000 prop_is ActiveState active
tap_ok $? "D: ... which becomes active"
tap_ge "$(sprop NRestarts)" 1 "D: NRestarts counts it"
lab_wait 6000 s_state_is leader
tap_ok $? "D: the restarted vipd leads again"
lab_wait 3000 vlab_gf_is n1 state backup
tap_ok $? "D: ... and n1 is backup"

# ---------------------------------------------------------------- E
t0=$(lab_now_ms)
sctl stop vipd.service
rc=$?
t1=$(lab_now_ms)
tap_is "$rc" 0 "E: systemctl stop succeeds"
tap_ok "$([ $((t1 - t0)) -le 3000 ] && echo 0 || echo 1)" \
	"E: ... within the handover bound ($((t1 - t0)) ms; 3 intervals = 1500 ms)"
lab_wait 1000 vlab_gf_is n1 state leader
tap_ok $? "E: n1 took over"
tap_match "$(sb journalctl -u vipd.service --no-pager 2>&1)" 'handing over 1 group' \
	"E: the stopping vipd handed over"
tap_is "$(sprop ActiveState)" inactive "E: the unit is inactive"
s_vip
tap_ok "$([ $? != 0 ] && echo 0 || echo 1)" "E: no VIP left on the sandbox's lo"
tap_is "$(s_rules)" 0 "E: no vipd rule left"
tap_is "$(sb ip -4 route show table "$TABLE" 2>/dev/null | wc -l)" 0 \
	"E: no route left in table $TABLE"

# ---------------------------------------------------------------- F
# The process block under the unit: its system call filter and
# RestrictRealtime= forbid vipd to set SCHED_RR itself, so it does not
# start and the journal names the key; with systemd's CPUScheduling*= in a
# drop-in (vipd(8)) the policy is in effect before vipd runs, which leaves
# it alone and starts.
echo "process = { realtime_priority = 10; };" >>"$R/run/vt/vipd.conf"
sctl start vipd.service 2>/dev/null
tap_ok "$([ $? != 0 ] && echo 0 || echo 1)" \
	"F: process.realtime_priority under the bare unit: the start fails"
sctl stop vipd.service # no restart after RestartSec=
tap_match "$(sb journalctl -u vipd.service --no-pager 2>&1)" \
	'process\.realtime_priority = 10: SCHED_RR refused' \
	"F: ... the journal names the key"
printf '%s\n' "[Service]" "CPUSchedulingPolicy=rr" "CPUSchedulingPriority=10" \
	"CPUSchedulingResetOnFork=yes" >"$D/sched.conf"
sctl daemon-reload
sctl start vipd.service
tap_is $? 0 "F: with CPUSchedulingPolicy=rr in a drop-in: the start succeeds"
tap_is "$(sv status --json | jq -r \
	'.scheduling | "\(.policy) \(.priority) \(.reset_on_fork)"')" \
	"rr 10 true" "F: ... vipd runs SCHED_RR 10, reset on fork"
sctl stop vipd.service
tap_is "$(sprop ActiveState)" inactive "F: stopped"

tap_done
