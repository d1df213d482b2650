#!/bin/bash
# Election end to end: spread of groups over nodes.  Three nodes with equal
# priorities and six groups g1..g6 (one distinct VIP each, .101 .. .106)
# and the client c1 on one bridge.
#
#  - rendezvous hashing spreads the groups: every group has exactly one
#    leader, all nodes agree on it, every node leads at least one group,
#    and the client's ARP for each VIP is answered by that leader's MAC;
#  - SIGKILL of one node moves only its groups (to the surviving nodes);
#    the other groups keep their leader, and it makes no transition;
#  - the node comes back: with equal priorities it takes its groups back
#    (preemption by rendezvous rank), the others stay where they are.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/netns/election_lib.sh
. "$top_srcdir/tests/netns/election_lib.sh"

el_begin spread 3
GROUPS_ALL="g1 g2 g3 g4 g5 g6"
vipof() { echo "10.$VLAB_NET.0.$((100 + ${1#g}))"; }
for n in n1 n2 n3; do
	vlab_conf "$n" "$T/$n.conf" prio=100 group=g1 vips="$(vipof g1)" \
		garp_count=1
	for g in g2 g3 g4 g5 g6; do
		vlab_conf_group "$T/$n.conf" group="$g" vips="$(vipof "$g")"
	done
done
for n in n1 n2 n3; do
	vlab_start "$n"
	tap_ok $? "vipd starts on $n with 6 groups"
done
declare -A MAC
for n in n1 n2 n3; do MAC[$n]=$(vlab_mac "$n"); done

# Every group led by exactly one node.
all_led() {
	local g
	for g in $GROUPS_ALL; do el_one_leader "$g" || return 1; done
}
# leaders_map: "g1=nX g2=nY ..." as the running nodes report it.
leaders_map() {
	local g out=""
	for g in $GROUPS_ALL; do out="$out $g=$(vlab_leaders "$g")"; done
	echo "${out# }"
}
# agreed: every running node names the same leader for every group.
agreed() {
	local g n want
	for g in $GROUPS_ALL; do
		want=$(vlab_leaders "$g")
		for n in "${VLAB_NODES[@]}"; do
			vlab_running "$n" || continue
			[ "$(vlab_gf "$n" leader "$g")" = "$want" ] || return 1
		done
	done
}
# arp_matches: the client's ARP for each VIP names its leader's MAC only.
arp_matches() {
	local g l
	for g in $GROUPS_ALL; do
		l=$(vlab_leaders "$g")
		[ "$(vlab_owners "$(vipof "$g")" 0)" = "${MAC[$l]}" ] || return 1
	done
}

lab_wait 6000 all_led
tap_ok $? "every group has exactly one leader"
lab_wait 2000 agreed
tap_ok $? "all nodes agree on every group's leader"
M0=$(leaders_map)
echo "# spread: $M0"
for n in n1 n2 n3; do
	case " $M0 " in
	*"=$n "*) R=0 ;;
	*) R=1 ;;
	esac
	tap_ok "$R" "$n leads at least one group"
done
arp_matches
tap_ok $? "the client's ARP for each VIP is answered by its leader's MAC"

# The node to kill: the one leading the most groups (ties: the first).
VICTIM=""
best=0
for n in n1 n2 n3; do
	c=$(echo " $M0 " | grep -o "=$n " | wc -l)
	if [ "$c" -gt "$best" ]; then
		best=$c
		VICTIM=$n
	fi
done
declare -A LEAD TR
for g in $GROUPS_ALL; do
	LEAD[$g]=$(vlab_leaders "$g")
	TR[$g]=$(vlab_gf "${LEAD[$g]}" transitions "$g")
done

vlab_stop "$VICTIM" KILL
moved_away() {
	local g
	for g in $GROUPS_ALL; do
		[ "${LEAD[$g]}" = "$VICTIM" ] || continue
		el_one_leader "$g" || return 1
	done
}
lab_wait 5000 moved_away
tap_ok $? "SIGKILL $VICTIM (led $best groups): each of its groups has a new leader"
lab_wait 2000 agreed
tap_ok $? "SIGKILL $VICTIM: the survivors agree on every leader"
M1=$(leaders_map)
echo "# after SIGKILL $VICTIM: $M1"
kept=0
moved=0
bad=""
for g in $GROUPS_ALL; do
	now=$(vlab_leaders "$g")
	if [ "${LEAD[$g]}" = "$VICTIM" ]; then
		[ -n "$now" ] && [ "$now" != "$VICTIM" ] && moved=$((moved + 1))
	elif [ "$now" = "${LEAD[$g]}" ] &&
		[ "$(vlab_gf "$now" transitions "$g")" = "${TR[$g]}" ]; then
		kept=$((kept + 1))
	else
		bad="$bad $g"
	fi
done
tap_is "$moved" "$best" "SIGKILL $VICTIM: all $best of its groups moved"
tap_is "$kept" "$((6 - best))" \
	"SIGKILL $VICTIM: the other groups kept their leader, no transition${bad:+ (not:$bad)}"
lab_wait 3000 arp_matches
tap_ok $? "SIGKILL $VICTIM: the client's ARP follows every group's leader"

vlab_start "$VICTIM"
tap_ok $? "$VICTIM restarts"
back() { [ "$(leaders_map)" = "$M0" ]; }
lab_wait 6000 back
tap_ok $? "$VICTIM is back: the spread is the original one again"
lab_wait 2000 agreed
tap_ok $? "all nodes agree again"
lab_wait 3000 arp_matches
tap_ok $? "the client's ARP follows every group's leader"

for n in n1 n2 n3; do
	vlab_stop_ok "$n" "$n exits 0 on SIGTERM"
done
tap_done
