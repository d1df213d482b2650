#!/bin/bash
# Event history and its stream (issue 13): `vipctl watch` on a backup sees
# the takeover when the leader hands over, as JSON lines, a few ms after
# the daemon recorded it; `vipctl events` then shows the sequence (start,
# the group's states, the takeover), and the text form lists it too.  A
# watcher that does not read is dropped, not waited for.  The ring's bound
# under 10,000 events is tests/unit/test_events.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "ev$$" 2 python3

vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=100
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads"
lab_wait 3000 vlab_gf_is n2 state backup
tap_ok $? "n2 is backup"

# The watcher stamps each line with the time it read it (ms).
W="$T/watch.log"
lab_bg n2 "$W" bash -c "'$VIPCTL' -s '$(vlab_sock n2)' watch | python3 -uc '
import sys, time
print(\"ready\", flush=True)
for l in iter(sys.stdin.readline, str()):
    print(int(time.time() * 1000), l, end=\"\", flush=True)'"
WPID=$LAB_LASTPID
watching() {
	[ "$(vlab_ctl n2 events --json | jq -r .watchers)" = 1 ] &&
		grep -q '^ready$' "$W"
}
lab_wait 10000 watching
tap_ok $? "n2 counts one watcher"

vlab_stop n1 TERM
lab_wait 3000 grep -q '"kind":"takeover"' "$W"
tap_ok $? "watch: the takeover streamed"
line() { grep "\"kind\":\"$1\"" "$W" | tail -1 | cut -d' ' -f2-; }
tap_is "$(line takeover | jq -c '[.group, .from, .to, .reason]')" \
	'["vip",null,null,"n1 handed over"]' "watch: the takeover's JSON line"
tap_is "$(line state | jq -c '[.group, .from, .to, .reason]')" \
	'["vip","backup","leader","n1 handed over"]' \
	"watch: the state change's JSON line"
tap_is "$(line takeover | jq -r 'keys_unsorted | join(",")')" \
	"seq,time,wall_ms,mono_ms,kind,group,from,to,reason" \
	"watch: the keys of an event"
recv=$(grep '"kind":"takeover"' "$W" | tail -1 | cut -d' ' -f1)
sent=$(line takeover | jq -r .wall_ms)
lat=$((recv - sent))
echo "# takeover recorded -> read by the watcher: $lat ms"
tap_ok "$([ "$lat" -ge 0 ] && [ "$lat" -lt 250 ] && echo 0 || echo 1)" \
	"watch: the line arrives within 250 ms ($lat ms)"

E="$T/events.json"
vlab_ctl n2 events --json >"$E"
tap_is "$?" 0 "events --json exits 0"
tap_is "$(jq -c '[.ok, .capacity, (.total == (.events | length))]' "$E")" \
	'[true,512,true]' "events: ok, capacity 512, all kept"
tap_is "$(jq -r '.events[0].kind' "$E")" start "events: the first is start"
tap_is "$(jq -c '[.events[] | select(.group == "vip") |
	[.kind, .from, .to]] | .[-3:]' "$E")" \
	'[["state","backup","leader"],["takeover",null,null]]' \
	"events: the group's sequence ends backup -> leader, takeover"
tap_is "$(jq -c '[.events[] | select(.group == "vip" and .kind == "state")
	| .from + ">" + .to]' "$E")" \
	'["backup>leader"]' "events: the group's state changes"
tap_is "$(jq -c '[.events[].seq] | . == (sort | unique)' "$E")" true \
	"events: seq strictly increasing"
vlab_ctl n2 events >"$T/events.txt"
grep -Eq '^[0-9-]+ [0-9:.]+ +vip +takeover +- +n1 handed over$' "$T/events.txt"
tap_ok $? "events (text): the takeover line"

# A watcher that never reads is dropped (and counted) once 64 KiB wait
# for it; the reading watcher keeps everything.  Events come from reloads
# sent straight to the socket (a vipctl per reload is too slow here).
python3 - "$(vlab_sock n2)" >"$T/flood.out" <<'PY'
import json, socket, sys, time
path = sys.argv[1]
def ask(line):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(line)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return json.loads(out)
lazy = socket.socket(socket.AF_UNIX)
lazy.connect(path)
lazy.sendall(b"watch\n")  # and never read
t0 = time.monotonic()
n = 0
while n < 5000:
    ask(b"reload\n")
    n += 1
    if n % 100 == 0 and ask(b"metrics\n")["events"]["watchers_dropped"] > 0:
        break
print(n, int((time.monotonic() - t0) * 1000))
PY
read -r NRELOAD FLOODMS <"$T/flood.out"
echo "# reloads until the lazy watcher was dropped: $NRELOAD in $FLOODMS ms"
tap_is "$(vlab_metric n2 .events.watchers_dropped)" 1 \
	"a watcher that does not read is dropped and counted"
tap_is "$(vlab_ctl n2 events --json | jq -r .watchers)" 1 \
	"the reading watcher is still connected"
got_all() { [ "$(grep -c '"kind":"reload"' "$W")" = "$NRELOAD" ]; }
lab_wait 5000 got_all
tap_ok $? "the reading watcher got every reload event ($(grep -c '"kind":"reload"' "$W") of $NRELOAD)"
tap_is "$(vlab_ctl n2 events --json | jq -c '[(.events | length) == ([.total, .capacity] | min), .total > 500]')" \
	"[true,true]" "the history holds min(total, 512) entries"

vlab_stop_ok n2
lab_wait 3000 lab_gone "$WPID"
tap_ok $? "watch ends when the daemon stops"
tap_done
