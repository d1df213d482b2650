/*
 * Liveness beyond heartbeats: a backup that misses the leader's heartbeats
 * asks the data plane (el_cluster_leader_overdue), and the leader's answer
 * (el_cluster_dataplane_claim while not leading) keeps it alive; a leader
 * re-announces when a peer it had lost comes back (healed partition).
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

	/* The leader answers our probe: proof of life. */
	ok(el_cluster_dataplane_claim(cl, 0, p1_mac, owner, 2250),
	   "leader's MAC is a known peer");
	is_str(owner, "p1", "... p1");
	is_int(h_pop(cl), 0, "no event for a proof of life");
	ok(!el_cluster_leader_overdue(cl, 0, 2300, 150, mac),
	   "refreshed: not overdue right after");
	el_cluster_tick(cl, 2400);
	is_int(h_pop(cl), 0, "no takeover at 2400 (would be dead at 2300)");
	is_int(h_me_state(cl), EL_ST_BACKUP, "still a backup");

	/* A stranger's frame proves nothing. */
	ok(!el_cluster_dataplane_claim(cl, 0, stranger, owner, 2500),
	   "unknown MAC: not a peer");
	is_str(owner, "", "... no owner");
	ok(h_tick_until_event(cl, 2400, 2700) >= 2550,
	   "takeover only after the refreshed dead time");
	ok(h_nev == 1 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_LEADER_DEAD,
	   "... as leader-dead");
	ok(!el_cluster_leader_overdue(cl, 0, 2800, 150, mac),
	   "leading: never overdue");
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
	test_gone_not_revived();
	test_backup_claim_needs_leader_flag();
	test_peer_returned();
	return tap_done();
}
