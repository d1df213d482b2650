/*
 * Liveness beyond heartbeats: a backup that misses the leader's heartbeats
 * asks the data plane (el_cluster_leader_overdue), and the leader's answer
 * (el_cluster_dataplane_claim while not leading) keeps it alive; a leader
 * re-announces when a peer it had lost comes back (healed partition).
 * That answer is unauthenticated (issue 14, item 3): it keeps the leader
 * alive one interval past its last heartbeat at most.
 * Interval 100 ms, dead_after 3.
 */
#include "config.h"

#include "el_harness.h"
#include "tap.h"

static const uint8_t p1_mac[EL_MAC_LEN] = {2, 0, 0, 0, 0, 1};
static const uint8_t stranger[EL_MAC_LEN] = {2, 0, 0, 0, 0, 0x77};

static void
test_overdue(void)
{
	struct el_cluster *cl = h_follow_p1(100);
	uint8_t mac[EL_MAC_LEN] = {0};
	char owner[EL_ID_MAX];

	ok(!el_cluster_leader_overdue(cl, 0, 2100, 150, mac),
	   "heartbeat 100 ms ago: not overdue");
	ok(el_cluster_leader_overdue(cl, 0, 2150, 150, mac),
	   "150 ms without a heartbeat: overdue");
	ok(memcmp(mac, p1_mac, EL_MAC_LEN) == 0, "... with the leader's MAC");
	ok(el_cluster_leader_overdue(cl, 0, 2150, 150, NULL),
	   "... the MAC is optional");
	ok(!el_cluster_leader_overdue(cl, 1, 2150, 150, mac),
	   "no such group: not overdue");

	/* The leader answers our probe: proof of life, one interval past
	 * its last heartbeat (2000) at most. */
	ok(el_cluster_dataplane_claim(cl, 0, p1_mac, owner, 2050),
	   "leader's MAC is a known peer");
	is_str(owner, "p1", "... p1");
	is_int(h_pop(cl), 0, "no event for a proof of life");
	ok(!el_cluster_leader_overdue(cl, 0, 2150, 150, mac),
	   "refreshed: not overdue right after");
	el_cluster_tick(cl, 2320);
	is_int(h_pop(cl), 0, "no takeover at 2320 (would be dead at 2300)");
	is_int(h_me_state(cl), EL_ST_BACKUP, "still a backup");
	ok(el_cluster_dataplane_claim(cl, 0, p1_mac, owner, 2250),
	   "another answer, later");
	ok(el_cluster_leader_overdue(cl, 0, 2260, 150, mac),
	   "... counts as 2100 at most: overdue again");

	/* A stranger's frame proves nothing. */
	ok(!el_cluster_dataplane_claim(cl, 0, stranger, owner, 2300),
	   "unknown MAC: not a peer");
	is_str(owner, "", "... no owner");
	ok(h_tick_until_event(cl, 2320, 2700) == 2430,
	   "takeover at 2430: dead 300 + grace 100 + skew 30 after 2000");
	ok(h_nev == 1 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_LEADER_DEAD,
	   "... as leader-dead");
	ok(!el_cluster_leader_overdue(cl, 0, 2800, 150, mac),
	   "leading: never overdue");
	el_cluster_free(cl);
}

/* Forged answers with the dead leader's MAC, every 20 ms, for as long as
 * the attacker likes: the takeover comes at last heartbeat + dead interval
 * + one interval + skew; a real heartbeat still keeps the leader. */
static void
test_forged_bounded(void)
{
	struct el_cluster *cl = h_follow_p1(100);
	char owner[EL_ID_MAX];
	uint64_t t, took = 0;

	for (t = 2010; t <= 5000 && took == 0; t += 10) {
		if (t % 20 == 0)
			el_cluster_dataplane_claim(cl, 0, p1_mac, owner, t);
		el_cluster_tick(cl, t);
		if (h_pop(cl) > 0)
			took = t;
	}
	ok(took > 0 && took <= 2430,
	   "forged proofs of life: takeover by 2430 all the same");
	ok(h_nev == 1 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_LEADER_DEAD,
	   "... as leader-dead");
	el_cluster_free(cl);

	cl = h_follow_p1(100);
	for (t = 2010; t <= 3000; t += 10) {
		if (t % 100 == 0)
			h_say(cl, 1, 200, EL_F_LEADER, t);
		if (t % 20 == 0)
			el_cluster_dataplane_claim(cl, 0, p1_mac, owner, t);
		el_cluster_tick(cl, t);
	}
	is_int(h_pop(cl), 0, "with its heartbeats the leader stays");
	el_cluster_free(cl);
}

/* While we lead, a higher peer's frames weigh only while that peer is
 * heard: a dead peer's MAC (forged) neither takes the VIP nor bursts. */
static void
test_leader_unheard(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	char owner[EL_ID_MAX];

	el_cluster_tick(cl, 1300);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_TAKEOVER,
	   "alone after the listen: leader");
	h_say(cl, 1, 200, 0, 1400);
	h_pop(cl);
	is_int(h_me_state(cl), EL_ST_LEADER, "p1 (higher) heard as a backup");
	/* p1 falls silent at 1400: heard until 1400 + 300 + 100. */
	is_int(el_cluster_dataplane_claim(cl, 0, p1_mac, owner, 1900),
	       EL_DP_UNHEARD,
	       "p1's MAC 500 ms after its last message: unheard");
	is_str(owner, "p1", "... owner p1");
	is_int(h_pop(cl), 0, "... no event: neither yield nor burst");
	is_int(h_me_state(cl), EL_ST_LEADER, "still leading");
	h_say(cl, 1, 200, 0, 2000);
	h_pop(cl);
	is_int(el_cluster_dataplane_claim(cl, 0, p1_mac, owner, 2050),
	       EL_DP_PEER, "heard again: its frames are a claim");
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_DATAPLANE_YIELD,
	   "... it ranks higher: we yield");
	el_cluster_free(cl);
}

static void
test_gone_not_revived(void)
{
	struct el_cluster *cl = h_follow_p1(100);
	char owner[EL_ID_MAX];

	el_cluster_peer_gone(cl, "p1", 2050);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_LEADER_UNREACHABLE,
	   "port unreachable: takeover");
	/* Its kernel may still answer ARP (bind = interface): as leader we
	 * compare ranks; it outranks us, but it is gone, so only a heartbeat
	 * may bring it back. */
	el_cluster_free(cl);

	cl = h_follow_p1(100);
	el_cluster_peer_gone(cl, "p2", 2050);
	is_int(h_pop(cl), 0, "another peer gone: nothing");
	(void)owner;
	el_cluster_free(cl);
}

static void
test_backup_claim_needs_leader_flag(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	uint8_t p2_mac[EL_MAC_LEN] = {2, 0, 0, 0, 0, 2};
	char owner[EL_ID_MAX];
	uint64_t t;

	for (t = 1000; t <= 2000; t += 100) {
		h_say(cl, 1, 200, EL_F_LEADER, t);
		h_say(cl, 2, 50, 0, t);
	}
	el_cluster_tick(cl, 2000);
	h_pop(cl);
	/* p2 is a backup: its frames do not keep p1 alive. */
	ok(el_cluster_dataplane_claim(cl, 0, p2_mac, owner, 2250),
	   "p2 is a known peer");
	ok(h_tick_until_event(cl, 2000, 2400) >= 2300 && h_nev == 1 &&
	       h_evs[0].action == EL_ACT_TAKEOVER,
	   "a backup's frame does not refresh the leader");
	el_cluster_free(cl);
}

static void
test_peer_returned(void)
{
	struct el_cluster *cl = h_me_new(200, true, 0, 1000);
	uint64_t t;

	el_cluster_tick(cl, 1300);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_TAKEOVER,
	   "alone after the listen: leader");
	h_say(cl, 1, 100, 0, 1400);
	is_int(h_pop(cl), 0, "a new peer: no re-announce");
	h_say(cl, 1, 100, 0, 1500);
	is_int(h_pop(cl), 0, "a peer heard again in time: nothing");
	/* p1 unheard for 500 ms (a partition), then back. */
	el_cluster_tick(cl, 2000);
	is_int(h_pop(cl), 0, "the backup expired: nothing to do");
	h_say(cl, 1, 100, 0, 2000);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_REANNOUNCE &&
	       h_evs[0].reason == EL_R_PEER_RETURNED &&
	       strcmp(h_evs[0].peer, "p1") == 0,
	   "a lost peer is back: re-announce");
	for (t = 2100; t <= 2500; t += 100)
		h_say(cl, 1, 100, 0, t);
	is_int(h_pop(cl), 0, "no more re-announces while it stays");
	is_int(h_me_state(cl), EL_ST_LEADER, "still leading");

	/* A returning peer that outranks us (it will preempt): no burst. */
	h_say(cl, 2, 250, 0, 2500);
	h_pop(cl);
	el_cluster_tick(cl, 3000);
	h_pop(cl);
	h_say(cl, 2, 250, 0, 3000);
	is_int(h_pop(cl), 0, "a higher peer is back: no re-announce");
	el_cluster_free(cl);
}

static void
test_rival_yield(void)
{
	struct el_cluster *cl = h_me_new(200, true, 0, 1000);

	el_cluster_tick(cl, 1300);
	h_pop(cl);
	h_say(cl, 1, 100, EL_F_LEADER, 1400);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_REANNOUNCE &&
	       h_evs[0].reason == EL_R_SPLIT_WIN,
	   "two leaders, we rank higher: re-announce");
	h_say(cl, 1, 100, EL_F_LEADER, 1420);
	is_int(h_pop(cl), 0,
	       "rate limit: no second burst while it still claims");
	h_say(cl, 1, 100, 0, 1450);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_REANNOUNCE &&
	       strcmp(h_evs[0].peer, "p1") == 0,
	   "the rival yielded: one more burst, despite the rate limit");
	h_say(cl, 1, 100, 0, 1550);
	is_int(h_pop(cl), 0, "and only one");
	el_cluster_free(cl);
}

int
main(void)
{
	test_rival_yield();
	test_overdue();
	test_forged_bounded();
	test_leader_unheard();
	test_gone_not_revived();
	test_backup_claim_needs_leader_flag();
	test_peer_returned();
	return tap_done();
}
