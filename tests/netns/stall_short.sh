#!/bin/bash
# The stall guard sees every pause longer than the dead interval (issue 14,
# item 8).  The leader n1 is stopped (SIGSTOP) for 350 ms, the dead
# interval (300 ms) plus 50, eight times; each pause must count one stall.
# Before the fix the guard measured lateness past the wait's deadline, not
# the loop-to-loop gap, and missed pauses that began mid-wait (3 of 8).
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
vlab_begin "vss$$" 2

TRIALS=8
vlab_conf n1 "$T/n1.conf" prio=200
vlab_conf n2 "$T/n2.conf" prio=100
vlab_start n1 || lab_bail "n1 did not start"
vlab_start n2 || lab_bail "n2 did not start"
lab_wait 5000 vlab_leader_is n1
tap_ok $? "n1 leads"

stalls() { vlab_metric n1 .stalls; }
stalls_are() { [ "$(stalls)" = "$1" ]; }
seen=0
for i in $(seq 1 "$TRIALS"); do
	s0=$(stalls)
	kill -STOP "${VLAB_PIDS[n1]}"
	sleep 0.35
	kill -CONT "${VLAB_PIDS[n1]}"
	lab_wait 2000 stalls_are $((s0 + 1)) && seen=$((seen + 1))
	# Settle: n1 listens, follows n2, then preempts it back.
	lab_wait 5000 vlab_leader_is n1
done
tap_is "$seen" "$TRIALS" "every 350 ms pause counts a stall ($seen of $TRIALS)"
vlab_alive n1
tap_ok $? "n1 still runs"
vlab_stop_ok n1
vlab_stop_ok n2
tap_done
