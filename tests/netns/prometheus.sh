#!/bin/bash
# The Prometheus endpoint (issue 13): three vipd nodes, each with
# metrics.listen on its LAN address (n2 on its IPv6 address; n3 on port
# 943 and run as nobody: the socket is opened before the privileges are
# dropped), scraped from the client namespace c1.
#
# - metrics.listen: changed, a reload is refused; an address the node
#   does not have stops the start with the reason;
# - GET /metrics from c1: 200, Content-Type text/plain; version=0.0.4,
#   `promtool check metrics` passes, the families are those of `vipctl
#   metrics` (one formatter); HEAD 200 without a body; another path 404;
#   POST 405 with Allow: GET, HEAD;
# - a client that connects and never sends: heartbeats go on (the counter
#   grows at its pace), /metrics answers meanwhile, and the daemon drops the
#   idle client after its 5 s timeout;
# - a real Prometheus server (its own config and storage in the lab's
#   directory, listening on c1's loopback, scrape_interval 1s) scrapes the
#   three nodes; its HTTP API (/api/v1/query) shows n1 leading; n1 is
#   killed; the API then shows n2 leading, n2's
#   vipd_transitions_total{reason="leader_lost"} moved from 0, and n2's
#   vipd_peer_up for n1 at 0.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
VLAB_NET=67
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "pm$$" 3 curl python3 promtool prometheus

NOBODY_UID=$(id -u nobody 2>/dev/null) || lab_bail "no user nobody"
# n2 listens on IPv6 (the bracketed form), n3 on a port below 1024.
declare -A HOST=([n1]="$(vlab_ip n1)" [n2]="[fd00:$VLAB_NET::2]"
	[n3]="$(vlab_ip n3)")
declare -A PORT=([n1]=9431 [n2]=9431 [n3]=943)
target() { echo "${HOST[$1]}:${PORT[$1]}"; }
url() { echo "http://$(target "$1")${2:-/metrics}"; }

# n3 runs as nobody: the lab's 0700 directory opened to it, its secret its
# own.  Its socket and pid file stay where vlab_ctl finds them.
chmod 755 "$T"
if ! { cp "$T/secret" "$T/n3.secret" && chown nobody "$T/n3.secret" &&
	chmod 600 "$T/n3.secret"; }; then
	lab_bail "cannot make n3's secret"
fi
vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=150
vlab_conf n3 "$T/n3.conf" prio=100 secret="$T/n3.secret"
for n in n1 n2 n3; do
	echo "metrics = { listen = \"$(target "$n")\"; };" >>"$T/$n.conf"
done
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
vlab_start n3 -u nobody || lab_bail "n3 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads"
tap_is "$(awk '$1 == "Uid:" { print $3 }' "/proc/${VLAB_PIDS[n3]}/status")" \
	"$NOBODY_UID" "n3 runs as nobody"

# ------------------------------------------------------------ HTTP
# get NODE [PATH [CURL ARGS...]]: headers in $T/h, body in $T/b, status out.
get() {
	local node="$1" path="${2:-/metrics}"
	shift 2 2>/dev/null || shift
	lab_exec c1 curl -g -sS --max-time 3 -D "$T/h" -o "$T/b" \
		-w '%{http_code}' "$@" "$(url "$node" "$path")"
}
for n in n1 n2 n3; do
	tap_is "$(get "$n")" 200 "$n: GET /metrics answers 200"
	promtool check metrics <"$T/b" >"$T/promtool.$n" 2>&1
	tap_ok $? "$n: promtool check metrics passes on the endpoint's text"
	[ -s "$T/promtool.$n" ] && sed 's/^/#   /' "$T/promtool.$n"
	cp "$T/b" "$T/metrics.$n"
done
tap_match "$(tr -d '\r' <"$T/h")" \
	'^Content-Type: text/plain; version=0.0.4; charset=utf-8$' \
	"Content-Type is the text format 0.0.4"
grep -qx 'vipd_group_state{group="vip",state="leader"} 1' "$T/metrics.n1" &&
	grep -qx 'vipd_group_state{group="vip",state="backup"} 1' "$T/metrics.n2"
tap_ok $? "the text says n1 leads and n2 backs up"
grep -q '^vipd_peer_up{peer="n1",address="'"$(vlab_ip n1)"'"} 1$' \
	"$T/metrics.n3"
tap_ok $? "n3 reports peer n1 up"
tap_is "$(vlab_ctl n1 metrics | grep '^# ')" "$(grep '^# ' "$T/metrics.n1")" \
	"vipctl metrics and the endpoint print the same families"

tap_is "$(get n1 /metrics -I)" 200 "HEAD /metrics answers 200"
# curl -I writes the headers where the body would go: nothing else came.
cmp -s "$T/b" "$T/h" && grep -q '^Content-Length: [1-9]' "$T/h"
tap_ok $? "HEAD: the headers (with the GET's Content-Length), no body"
tap_is "$(get n1 /)" 404 "GET / answers 404"
tap_is "$(get n1 /metrics/x)" 404 "GET /metrics/x answers 404"
tap_is "$(get n1 /metrics -X POST -d x=1)" 405 "POST /metrics answers 405"
tap_match "$(tr -d '\r' <"$T/h")" '^Allow: GET, HEAD$' "405 names the methods"
tap_is "$(get n1 /metrics -X DELETE)" 405 "DELETE /metrics answers 405"

# ------------------------------------------------------------ config
# metrics.listen needs a restart: a reload that changes it is refused.
cp "$T/n2.conf" "$T/n2.conf.orig"
sed -i 's/:9431"; };$/:9432"; };/' "$T/n2.conf"
out=$(vlab_ctl n2 reload 2>&1)
tap_is "$?" 1 "reload with another metrics.listen is refused"
tap_match "$out" 'metrics.listen cannot change on reload; restart vipd' \
	"the refusal names metrics.listen"
cp "$T/n2.conf.orig" "$T/n2.conf"
tap_is "$(get n2)" 200 "n2 still serves on its port"
# An address the node does not have: vipd does not start, and says why.
vlab_conf c1 "$T/c1.conf" peers=none
echo "metrics = { listen = \"10.$VLAB_NET.0.99:9431\"; };" >>"$T/c1.conf"
lab_exec c1 timeout 10 "$VIPD" -f -c "$T/c1.conf" >"$T/c1.out" 2>&1
tap_is "$?" 1 "a listen address not on the node: vipd exits 1"
sed 's/^/#   /' "$T/c1.out"
tap_match "$(cat "$T/c1.out")" \
	"metrics.listen 10.$VLAB_NET.0.99:9431: .*(assign|bind)" \
	"the error names metrics.listen and the bind failure"

# ------------------------------------------------------------ an idle client
# It connects and never sends; it prints how long until the daemon hung up.
lab_bg c1 "$T/idle.log" python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=15)
t = time.monotonic()
print("connected", flush=True)
try:
    s.recv(1)
except OSError as e:
    print("error", e, flush=True)
print("closed_ms %d" % ((time.monotonic() - t) * 1000), flush=True)
' "$(vlab_ip n1)" 9431
IDLE=$LAB_LASTPID
lab_wait 5000 grep -q connected "$T/idle.log"
tap_ok $? "an idle client is connected to n1's endpoint"
sent0=$(vlab_metric n1 .heartbeats.sent)
t0=$(lab_now_ms)
# Meanwhile the endpoint answers and the heartbeats keep their pace.
t1=$(lab_now_ms)
code=$(get n1)
t2=$(lab_now_ms)
tap_is "$code" 200 "GET /metrics while a client idles: 200 ($((t2 - t1)) ms)"
sleep 2
sent1=$(vlab_metric n1 .heartbeats.sent)
el=$(($(lab_now_ms) - t0))
echo "# n1 sent $((sent1 - sent0)) heartbeat datagrams in $el ms with an idle HTTP client"
# 2 peers x 1 per 100 ms: about 40 in 2 s; half of that is a wide margin.
tap_ge "$((sent1 - sent0))" "$((el / 100))" \
	"heartbeats keep their pace while the client idles"
tap_is "$(vlab_gf n2 leader)" n1 "n2 still hears n1 lead"
lab_wait 9000 grep -q closed_ms "$T/idle.log"
tap_ok $? "the idle client is dropped"
ms=$(sed -n 's/^closed_ms //p' "$T/idle.log")
echo "# the idle client was dropped after ${ms:-?} ms"
tap_ok "$([ "${ms:-0}" -ge 4000 ] && [ "${ms:-0}" -le 8000 ] && echo 0 || echo 1)" \
	"dropped after the 5 s timeout (${ms:-?} ms)"
lab_reap "$IDLE" 1000 >/dev/null

# ------------------------------------------------------------ Prometheus
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: vipd
    static_configs:
      - targets: ['$(target n1)', '$(target n2)', '$(target n3)']
EOF
lab_bg c1 "$T/prometheus.log" prometheus \
	--config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom-data" \
	--web.listen-address=127.0.0.1:9090 --log.level=warn
PROM=$LAB_LASTPID
# promq QUERY JQ: jq -r JQ over Prometheus's answer to an instant query.
promq() {
	lab_exec c1 curl -sS --max-time 2 --data-urlencode "query=$1" \
		http://127.0.0.1:9090/api/v1/query 2>/dev/null | jq -r "$2"
}
# promq_is QUERY JQ WANT: a predicate for lab_wait.
promq_is() { [ "$(promq "$1" "$2")" = "$3" ]; }
LEADERS='vipd_group_state{group="vip",state="leader"} == 1'
INSTANCES='[.data.result[].metric.instance] | sort | join(" ")'
VALUE='.data.result[0].value[1]'
LOST="vipd_transitions_total{instance=\"$(target n2)\",group=\"vip\",reason=\"leader_lost\"}"

lab_wait 30000 promq_is 'sum(up{job="vipd"})' "$VALUE" 3
tap_ok $? "Prometheus scrapes the three nodes (up = 1 for each)"
lab_wait 5000 promq_is "$LEADERS" "$INSTANCES" "$(target n1)"
tap_ok $? "Prometheus API: n1 leads ($(promq "$LEADERS" "$INSTANCES"))"
echo "# Prometheus: longest scrape $(promq 'max(scrape_duration_seconds{job="vipd"})' "$VALUE") s, $(promq 'max(scrape_samples_scraped{job="vipd"})' "$VALUE") samples per node"
lost0=$(promq "$LOST" "$VALUE")
tap_is "$lost0" 0 "Prometheus API: n2 has no leader_lost transition yet"

vlab_stop n1 KILL
lab_wait 5000 vlab_leader_is n2
tap_ok $? "n1 killed: n2 takes over"
lab_wait 15000 promq_is "$LEADERS" "$INSTANCES" "$(target n2)"
tap_ok $? "Prometheus API: n2 leads now ($(promq "$LEADERS" "$INSTANCES"))"
lab_wait 5000 promq_is "$LOST" "$VALUE" 1
tap_ok $? "Prometheus API: n2's leader_lost transitions moved $lost0 -> $(promq "$LOST" "$VALUE")"
lab_wait 5000 promq_is "vipd_peer_up{instance=\"$(target n2)\",peer=\"n1\"}" \
	"$VALUE" 0
tap_ok $? "Prometheus API: n2 reports peer n1 down"
tap_is "$(promq "up{instance=\"$(target n1)\"}" "$VALUE")" 0 \
	"Prometheus API: n1's target is down"
lab_stop "$PROM" TERM

vlab_stop_ok n2
vlab_stop_ok n3
tap_done
