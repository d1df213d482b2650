/*
 * One node, continued: stall guard, data-plane check, reload (update,
 * remove), message building and status.  Interval 100 ms, dead 300 ms.
 */
#include "config.h"

#include "el_harness.h"
#include "tap.h"

static struct el_cluster *
leading(uint8_t prio, bool preempt)
{
	struct el_cluster *cl = h_me_new(prio, preempt, 0, 1000);

	el_cluster_tick(cl, 1300);
	h_pop(cl);
	if (h_me_state(cl) != EL_ST_LEADER)
		exit(1);
	return cl;
}

static void
test_stall_leader(void)
{
	struct el_cluster *cl = leading(100, true);
	struct el_msg m;

	el_cluster_build(cl, &m, 1);
	el_cluster_stalled(cl, 1000, 2400);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_STALL && h_evs[0].to == EL_ST_LISTEN,
	   "stalled leader: release, listen");
	ok(el_cluster_send_due(cl), "send due");
	el_cluster_build(cl, &m, 1);
	ok(m.rec[0].prio == 0 && m.rec[0].flags == EL_F_LISTEN,
	   "advertises listen, priority 0");
	is_int(el_cluster_next_deadline(cl), 2700, "listen ends at +300");
	el_cluster_tick(cl, 2699);
	is_int(h_pop(cl), 0, "quiet at 2699");
	el_cluster_tick(cl, 2700);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_STALL_REASSERT,
	   "nobody spoke: re-assert");
	el_cluster_free(cl);

	/* A better leader speaks during the listen. */
	cl = leading(100, true);
	el_cluster_stalled(cl, 1000, 2400);
	h_pop(cl);
	h_say(cl, 1, 150, EL_F_LEADER, 2500);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_NONE &&
	       h_evs[0].to == EL_ST_BACKUP && strcmp(h_evs[0].peer, "p1") == 0,
	   "better leader heard in listen: backup");
	h_say(cl, 1, 150, EL_F_LEADER, 2600);
	el_cluster_tick(cl, 2700);
	is_int(h_pop(cl), 0, "no re-assert");
	el_cluster_free(cl);
}

/* A leader stalled from 1000 to 2400 that hears p1 (prio, flags) at 2650,
 * then ticks at 2700: the end of its listen. */
static struct el_cluster *
stalled_hears(bool preempt, uint8_t prio, uint8_t flags)
{
	struct el_cluster *cl = leading(100, preempt);

	el_cluster_stalled(cl, 1000, 2400);
	h_pop(cl);
	h_say(cl, 1, prio, flags, 2650);
	el_cluster_tick(cl, 2700);
	return cl;
}

/* What the end of the listen finds decides: re-assert, or backup. */
static void
test_stall_listen_end(void)
{
	struct el_cluster *cl;

	/* A lower node took over meanwhile: back to backup, then the usual
	 * preemption rules (here: no delay, so at once). */
	cl = leading(100, true);
	el_cluster_stalled(cl, 1000, 2400);
	h_pop(cl);
	h_say(cl, 1, 50, EL_F_LEADER, 2450);
	h_say(cl, 1, 50, EL_F_LEADER, 2550);
	h_say(cl, 1, 50, EL_F_LEADER, 2650);
	is_int(h_pop(cl), 0, "lower leader in listen: keep listening");
	el_cluster_tick(cl, 2700);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_NONE &&
	       h_evs[0].reason == EL_R_STALL && h_evs[0].to == EL_ST_BACKUP,
	   "listen over, lower leader: backup, asking it to hand over");
	/* p1 (scripted) ignores the ask: preempted after resign_wait. */
	h_say(cl, 1, 50, EL_F_LEADER, 2750);
	h_say(cl, 1, 50, EL_F_LEADER, 2850);
	h_say(cl, 1, 50, EL_F_LEADER, 2950);
	el_cluster_tick(cl, 3000);
	ok(h_pop(cl) == 2 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_PREEMPT &&
	       h_evs[1].action == EL_ACT_REANNOUNCE,
	   "... ignored: preempt, re-announce");
	el_cluster_free(cl);

	cl = stalled_hears(false, 50, EL_F_LEADER);
	ok(h_pop(cl) == 1 && h_evs[0].to == EL_ST_BACKUP &&
	       h_me_state(cl) == EL_ST_BACKUP,
	   "same without preempt: stays backup");
	el_cluster_free(cl);

	/* A better eligible backup at the end of the listen: it should lead,
	 * so we do not re-assert. */
	cl = stalled_hears(true, 150, 0);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_NONE &&
	       h_me_state(cl) == EL_ST_BACKUP,
	   "better backup alive: backup, no re-assert");
	el_cluster_free(cl);

	/* A lower eligible backup does not stop the re-assertion. */
	cl = stalled_hears(true, 50, 0);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_STALL_REASSERT,
	   "lower backup alive: re-assert directly");
	el_cluster_free(cl);

	/* A resigning group stalls like a leader. */
	cl = leading(100, true);
	el_cluster_resign(cl, 0, 1400);
	h_pop(cl);
	el_cluster_stalled(cl, 1000, 2400);
	ok(h_pop(cl) == 1 && h_evs[0].from == EL_ST_RESIGNING &&
	       h_evs[0].action == EL_ACT_RELEASE && !el_cluster_resigning(cl),
	   "resigning group stalls: release, listen");
	el_cluster_free(cl);
}

static void
test_stall_backup(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	uint64_t t;

	for (t = 1000; t <= 2000; t += 100)
		h_say(cl, 1, 200, EL_F_LEADER, t);
	h_pop(cl);
	/* Our loop was frozen for 3 s: p1's heartbeats are queued, late. */
	el_cluster_stalled(cl, 3000, 5000);
	is_int(h_pop(cl), 0, "backup: no event on stall");
	{
		struct el_peer_info pi[2];

		el_cluster_peers(cl, 5000, pi, 2);
		ok(pi[0].last_seen_ms == 5000 && pi[0].alive,
		   "peer last seen reset to the end of the stall");
	}
	is_int(h_me_state(cl), EL_ST_BACKUP, "still backup");
	is_int(el_cluster_next_deadline(cl), 5300, "p1 gets a fresh 300 ms");
	is_int(h_tick_until_event(cl, 5000, 6000), 5330,
	       "p1 silent after the stall: takeover at 5300 + skew");
	ok(h_evs[0].reason == EL_R_LEADER_DEAD && h_evs[0].missed == 3,
	   "... leader-dead, missed 3");
	el_cluster_free(cl);
}

/* A better candidate that stays silent gets a fresh dead interval too:
 * the fallback counts from the end of the stall. */
static void
test_stall_fallback(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	uint64_t t;

	for (t = 1000; t < 1500; t += 100)
		h_say(cl, 2, 150, 0, t);
	el_cluster_tick(cl, 1400);
	is_int(h_pop(cl), 0, "better backup p2 silent: waiting");
	is_int(el_cluster_next_deadline(cl), 1600, "fallback due at 1600");
	el_cluster_stalled(cl, 500, 1500);
	is_int(el_cluster_next_deadline(cl), 1800,
	       "after a stall at 1500: fallback at 1800");
	for (t = 1500; t <= 2000; t += 10) {
		if (t % 100 == 0)
			h_say(cl, 2, 150, 0, t);
		el_cluster_tick(cl, t);
		if (h_pop(cl) > 0)
			break;
	}
	ok(t == 1800 && h_evs[0].reason == EL_R_FALLBACK,
	   "fallback a dead interval after the stall (%llu)",
	   (unsigned long long)t);
	el_cluster_free(cl);
}

static struct el_cluster *
two_groups(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	struct el_group_config gc = {.name = "db", .priority = 100};
	struct el_msg m;

	el_cluster_group_add(cl, &gc, 1000);
	/* p2 advertises only "db", with MAC ...:22. */
	h_msg(&m, "p2", 5, 1, 100);
	h_rec(&m, "db", 80, 0, 0x22);
	el_cluster_receive(cl, &m, 1200);
	el_cluster_tick(cl, 1300);
	h_pop(cl);
	return cl;
}

static void
test_dataplane(void)
{
	struct el_cluster *cl = two_groups();
	uint8_t mac1[EL_MAC_LEN] = {2, 0, 0, 0, 0, 1};
	uint8_t mac2[EL_MAC_LEN] = {2, 0, 0, 0, 0, 0x22};
	uint8_t mac3[EL_MAC_LEN] = {2, 0, 0, 0, 0, 3};
	uint8_t other[EL_MAC_LEN] = {0xaa, 0xbb, 0xcc, 0, 0, 1};
	char owner[EL_ID_MAX];

	is_int(h_me_state(cl), EL_ST_LEADER, "leading web");
	strcpy(owner, "junk");
	ok(!el_cluster_dataplane_claim(cl, 0, other, owner, 1310) &&
	       owner[0] == '\0',
	   "unknown MAC: false, empty owner");
	is_int(h_pop(cl), 0, "... no event");
	is_int(h_me_state(cl), EL_ST_LEADER, "... still leading");
	ok(!el_cluster_mac_is_peer(cl, other), "unknown MAC is not a peer");
	ok(el_cluster_mac_is_peer(cl, mac2), "p2's MAC is a peer's");

	/* Found through another group: p2 has no record for web (rank 0). */
	ok(el_cluster_dataplane_claim(cl, 0, mac2, owner, 1320), "p2's MAC");
	is_str(owner, "p2", "... owner p2 (found in group db)");
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_REANNOUNCE &&
	       h_evs[0].reason == EL_R_DATAPLANE_WIN,
	   "we outrank it: re-announce");
	ok(el_cluster_dataplane_claim(cl, 0, mac2, owner, 1330), "again");
	is_int(h_pop(cl), 0, "... rate limited");
	h_say(cl, 1, 50, EL_F_LEADER, 1340);
	is_int(h_pop(cl), 0, "split-win shares the rate limit");
	h_say(cl, 1, 50, EL_F_LEADER, 1620);
	is_int(h_pop(cl), 1, "one dead interval later: allowed again");

	/* p3, higher, whose heartbeats do not reach us but whose ARP does. */
	h_say(cl, 3, 200, 0, 1630);
	ok(el_cluster_dataplane_claim(cl, 0, mac3, owner, 1640), "p3's MAC");
	is_str(owner, "p3", "... owner p3");
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_DATAPLANE_YIELD &&
	       strcmp(h_evs[0].peer, "p3") == 0,
	   "it outranks us: yield");
	is_int(h_me_state(cl), EL_ST_BACKUP, "backup");
	el_cluster_tick(cl, 1900);
	is_int(h_pop(cl), 0, "its claim counts as a live leader for a while");

	/* Not leading: only the owner (past the re-announce rate limit). */
	ok(el_cluster_dataplane_claim(cl, 0, mac1, owner, 1930), "p1's MAC");
	is_str(owner, "p1", "... owner p1");
	is_int(h_pop(cl), 0, "not leading: no event");
	owner[0] = 'x';
	ok(!el_cluster_dataplane_claim(cl, 7, mac1, owner, 1910) &&
	       owner[0] == '\0',
	   "bad group index: false");
	el_cluster_free(cl);

	/* The same MAC in two peers' records: the group's own wins. */
	cl = two_groups();
	{
		struct el_msg m;

		h_msg(&m, "p0", 5, 1, 100);
		h_rec(&m, "db", 80, 0, 0x33);
		el_cluster_receive(cl, &m, 1310);
		h_msg(&m, "p9", 5, 1, 100);
		h_rec(&m, "web", 80, 0, 0x33);
		el_cluster_receive(cl, &m, 1310);
	}
	mac3[5] = 0x33;
	el_cluster_dataplane_claim(cl, 0, mac3, owner, 1320);
	is_str(owner, "p9", "MAC in this group's records first");
	el_cluster_dataplane_claim(cl, 1, mac3, owner, 1320);
	is_str(owner, "p0", "... and in the other group's for it");
	el_cluster_free(cl);
}

static void
test_update(void)
{
	struct el_cluster *cl = h_me_new(50, true, 0, 1000);
	struct el_group_config gc = {.name = "web",
	                             .priority = 150,
	                             .preempt = true,
	                             .mac = {2, 0, 0, 0, 0, 0x77}};
	struct el_group_info gi, gi2;
	struct el_msg m;
	uint8_t prio, mac5;
	uint64_t t;

	for (t = 1000; t <= 1500; t += 100)
		h_say(cl, 1, 100, EL_F_LEADER, t);
	el_cluster_tick(cl, 1500);
	el_cluster_build(cl, &m, 1);
	is_int(h_pop(cl), 0, "lower priority: following p1");
	el_cluster_group_update(cl, 0, &gc, 1510);
	is_int(h_pop(cl), 0,
	       "priority raised above the leader's: ask it to hand over");
	/* p1 (scripted) ignores the ask: preempted after resign_wait. */
	for (t = 1600; t <= 1800; t += 100)
		h_say(cl, 1, 100, EL_F_LEADER, t);
	el_cluster_tick(cl, 1810);
	ok(h_pop(cl) >= 1 && h_evs[0].reason == EL_R_PREEMPT,
	   "... ignored: preempt");
	/* p1's last record still claims: re-announce so caches converge. */
	ok(h_nev == 2 && h_evs[1].reason == EL_R_SPLIT_WIN,
	   "... and re-announce");
	ok(el_cluster_send_due(cl), "send due");
	el_cluster_build(cl, &m, 1);
	ok(m.rec[0].prio == 150 && m.rec[0].mac[5] == 0x77,
	   "new priority and MAC advertised");
	el_cluster_group_info(cl, 0, 1810, &gi);
	is_int(gi.transitions, 1, "one transition: state was kept");

	gc.mac[5] = 0x78;
	el_cluster_group_update(cl, 0, &gc, 1815);
	ok(el_cluster_send_due(cl), "MAC change alone: send due");
	el_cluster_build(cl, &m, 1);
	is_int(m.rec[0].mac[5], 0x78, "... new MAC advertised");
	gc.priority = 0;
	el_cluster_group_update(cl, 0, &gc, 1820);
	ok(!el_cluster_send_due(cl), "invalid priority ignored");
	gc.priority = 20;
	el_cluster_group_update(cl, 0, &gc, 1820);
	h_say(cl, 1, 100, EL_F_LEADER, 1830);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_SPLIT_YIELD,
	   "priority lowered below a claiming peer: yield");
	el_cluster_build(cl, &m, 1);
	el_cluster_group_info(cl, 0, 1530, &gi);
	el_cluster_group_update(cl, 9, &gc, 1530);
	ok(h_pop(cl) == 0 && !el_cluster_send_due(cl),
	   "update of a bad index: no event, nothing to send");
	el_cluster_group_info(cl, 0, 1530, &gi2);
	ok(gi2.state == gi.state && gi2.prio == gi.prio &&
	       gi2.transitions == gi.transitions,
	   "... group 0 keeps its state and priority");
	ok(el_cluster_group_info(cl, 9, 1530, &gi2) != 0,
	   "... and no group 9 appears");
	prio = m.rec[0].prio;
	mac5 = m.rec[0].mac[5];
	ok(el_cluster_build(cl, &m, 1) == 1 && m.nrec == 1 &&
	       m.rec[0].prio == prio && m.rec[0].mac[5] == mac5,
	   "... and the same record is advertised");
	el_cluster_free(cl);
}

static void
test_remove(void)
{
	struct el_cluster *cl = leading(100, true);
	struct el_group_config gc = {.name = "db", .priority = 100};
	struct el_group_info gi;
	struct el_peer_group_info pg[4];
	struct el_msg m[2];

	h_say(cl, 1, 50, 0, 1310);
	is_int(el_cluster_group_add(cl, &gc, 1310), 1, "db is group 1");
	el_cluster_build(cl, m, 2);
	el_cluster_group_remove(cl, 0, 1320);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].group == 0,
	   "removing a led group releases it");
	is_int(el_cluster_group_info(cl, 0, 1320, &gi), -1, "slot 0 is dead");
	is_int(el_cluster_group_peers(cl, 0, 1320, pg, 4), 0,
	       "no peers for a dead slot");
	ok(el_cluster_send_due(cl), "removal: send due");
	is_int(el_cluster_build(cl, m, 2), 1, "one message");
	ok(m[0].nrec == 1 && m[0].rec[0].group == el_group_id("db"),
	   "only db advertised");
	el_cluster_group_remove(cl, 0, 1330);
	is_int(h_pop(cl), 0, "removing twice: nothing");
	gc.name = "web";
	is_int(el_cluster_group_add(cl, &gc, 1340), 2,
	       "web again: new index 2, slot 0 not reused");
	el_cluster_group_remove(cl, 1, 1350);
	is_int(h_pop(cl), 0, "removing a backup group: no event");
	el_cluster_free(cl);
}

static void
test_build(void)
{
	struct el_config cfg = {
	    .self_id = "me", .interval_ms = 250, .dead_after = 3};
	struct el_cluster *cl = el_cluster_new(&cfg, 42, 0);
	static struct el_msg m[4];
	struct el_group_config gc = {.priority = 9};
	char name[16];
	size_t i;

	is_int(el_cluster_build(cl, m, 4), 1, "no groups: one heartbeat");
	ok(m[0].nrec == 0 && m[0].seq == 1 && m[0].interval_ms == 250 &&
	       m[0].epoch == 42,
	   "empty heartbeat");
	for (i = 0; i < 251; i++) {
		snprintf(name, sizeof(name), "g%zu", i);
		gc.name = name;
		el_cluster_group_add(cl, &gc, 0);
	}
	el_cluster_group_remove(cl, 250, 0);
	is_int(el_cluster_build(cl, m, 2), 2, "cap 2 of 3 messages");
	ok(el_cluster_send_due(cl), "incomplete build: still due");
	is_int(el_cluster_build(cl, m, 4), 3, "250 groups: 3 messages");
	/* Room for EL_CTL_MAX control records is kept in each. */
	ok(m[0].nrec == 97 && m[1].nrec == 97 && m[2].nrec == 56,
	   "97 + 97 + 56 records");
	ok(m[0].seq == 4 && m[1].seq == 5 && m[2].seq == 6,
	   "consecutive sequence numbers");
	ok(m[2].rec[55].group == el_group_id("g249"), "last record g249");
	ok(el_msg_ctl_add(&m[0], EL_CTL_CHALLENGE, 0x1234567890abcdefull) ==
	           0 &&
	       el_msg_ctl_add(&m[0], EL_CTL_ECHO, 7) == 0 &&
	       el_msg_ctl_add(&m[0], EL_CTL_HELLO, 0) == 0,
	   "three control records fit");
	ok(el_msg_ctl_add(&m[0], EL_CTL_ECHO, 8) == -1, "a fourth does not");
	ok(!el_cluster_send_due(cl), "complete build: not due");
	el_cluster_free(cl);
}

static void
test_status(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	struct el_peer_info pi[4];
	struct el_peer_group_info pg[4];
	struct el_group_info gi;
	struct el_msg m;

	h_say(cl, 3, 0, EL_F_LEADER | EL_F_RESIGN, 1010);
	h_say(cl, 1, 70, 0, 1020);
	h_msg(&m, "p2", 9, 1, 50);
	el_cluster_receive(cl, &m, 1030);
	is_int(el_cluster_peers(cl, 1100, pi, 4), 3, "three peers");
	ok(strcmp(pi[0].id, "p1") == 0 && strcmp(pi[1].id, "p2") == 0 &&
	       strcmp(pi[2].id, "p3") == 0,
	   "sorted by id");
	ok(pi[1].interval_ms == 50 && pi[1].epoch == 9 &&
	       pi[1].last_seen_ms == 1030 && pi[1].alive,
	   "p2: interval, epoch, last seen, alive");
	is_int(el_cluster_peers(cl, 1180, pi, 1), 1, "cap respected");
	el_cluster_peers(cl, 1180, pi, 4);
	ok(!pi[1].alive && pi[0].alive, "p2 dead after 3 x 50 ms");
	is_int(el_cluster_group_peers(cl, 0, 1100, pg, 4), 2,
	       "two peers have a record for web");
	ok(strcmp(pg[0].id, "p1") == 0 && pg[0].prio == 70 &&
	       pg[0].flags == 0 && pg[0].mac[5] == 1 && pg[0].alive,
	   "p1's record");
	ok(strcmp(pg[1].id, "p3") == 0 &&
	       pg[1].flags == (EL_F_LEADER | EL_F_RESIGN),
	   "p3's record");
	el_cluster_group_info(cl, 0, 1100, &gi);
	is_str(gi.leader, "p3", "a resigning leader is still shown");
	el_cluster_group_peers(cl, 0, 1319, pg, 4);
	ok(pg[0].alive, "p1's record (seen at 1020) alive at 1319");
	el_cluster_group_peers(cl, 0, 1320, pg, 4);
	ok(!pg[0].alive, "... dead at 1320 (3 x 100 ms)");
	ok(el_cluster_any_peer_alive(cl, 1319), "a peer alive at 1319 (p1)");
	ok(!el_cluster_any_peer_alive(cl, 1320), "no peer alive at 1320");
	is_int(el_cluster_group_info(cl, 5, 1100, &gi), -1, "bad index");
	el_cluster_free(cl);
}

int
main(void)
{
	test_stall_leader();
	test_stall_listen_end();
	test_stall_backup();
	test_stall_fallback();
	test_dataplane();
	test_update();
	test_remove();
	test_build();
	test_status();
	return tap_done();
}
