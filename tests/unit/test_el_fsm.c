/*
 * State machine of one node, driven by hand-made peer messages on a fake
 * clock: start-up, leader loss (timeout, unreachable, resign, fault),
 * preemption, split brain, fault, stall, data plane, reload.
 * Interval 100 ms, dead_after 3: a dead interval is 300 ms.
 */
#include "config.h"

#include <errno.h>

#include "el_harness.h"
#include "tap.h"

static void
free_null(void)
{
	el_cluster_free(NULL);
}

static void
test_new_errors(void)
{
	struct el_config cfg = {
	    .self_id = "me", .interval_ms = 100, .dead_after = 3};
	struct el_group_config gc = {.name = "web", .priority = 100};
	struct el_cluster *cl;

	cfg.self_id = "";
	ok(el_cluster_new(&cfg, 1, 0) == NULL && errno == EINVAL, "empty id");
	cfg.self_id = "a/b";
	ok(el_cluster_new(&cfg, 1, 0) == NULL, "id with '/'");
	cfg.self_id = "me";
	cfg.interval_ms = 0;
	ok(el_cluster_new(&cfg, 1, 0) == NULL, "interval 0");
	cfg.interval_ms = 70000;
	ok(el_cluster_new(&cfg, 1, 0) == NULL, "interval above 16 bits");
	cfg.interval_ms = 100;
	cfg.dead_after = 0;
	ok(el_cluster_new(&cfg, 1, 0) == NULL, "dead_after 0");
	cfg.dead_after = 3;
	cl = el_cluster_new(&cfg, 1, 0);
	ok(cl != NULL, "valid config");
	is_int(el_cluster_group_add(cl, &gc, 0), 0, "first group is 0");
	errno = 0;
	is_int(el_cluster_group_add(cl, &gc, 0), -1, "same name again");
	is_int(errno, EEXIST, "... EEXIST");
	gc.name = "";
	errno = 0;
	is_int(el_cluster_group_add(cl, &gc, 0), -1, "empty name");
	is_int(errno, EINVAL, "... EINVAL");
	gc.name = "x";
	gc.priority = 0;
	is_int(el_cluster_group_add(cl, &gc, 0), -1, "priority 0");
	gc.priority = 255;
	is_int(el_cluster_group_add(cl, &gc, 0), -1, "priority 255");
	gc.priority = 254;
	is_int(el_cluster_group_add(cl, &gc, 0), 1, "priority 254 ok");
	el_cluster_free(cl);
	ok(tap_child_returns(free_null), "el_cluster_free(NULL) returns");
}

static void
test_solo(void)
{
	struct el_cluster *cl = h_me_new_solo(100, true, 0, 1000);
	struct el_group_config gc = {.name = "db", .priority = 5};
	struct el_msg m[2];

	is_int(el_cluster_group_add(cl, &gc, 1000), 1, "second group");
	is_int(h_pop(cl), 0, "solo: nothing before the tick");
	ok(!el_cluster_listening(cl, 1000), "solo: no start-up listen");
	is_int(el_cluster_next_deadline(cl), 1000, "solo: due at once");
	el_cluster_tick(cl, 1001);
	is_int(h_pop(cl), 2, "solo: both groups taken at the first tick");
	ok(h_evs[0].action == EL_ACT_TAKEOVER && h_evs[0].reason == EL_R_SOLO &&
	       h_evs[0].group == 0 && h_evs[1].group == 1 &&
	       h_evs[1].reason == EL_R_SOLO && h_evs[0].from == EL_ST_BACKUP &&
	       h_evs[0].to == EL_ST_LEADER,
	   "solo takeover events");
	is_int(h_me_state(cl), EL_ST_LEADER, "solo: leader");
	is_int(el_cluster_next_deadline(cl), UINT64_MAX, "nothing pending");
	ok(el_cluster_send_due(cl), "state change: send due");
	is_int(el_cluster_build(cl, m, 2), 1, "one message");
	ok(!el_cluster_send_due(cl), "built: no longer due");
	ok(m[0].nrec == 2 && m[0].rec[0].flags == EL_F_LEADER &&
	       m[0].rec[0].prio == 100 && m[0].rec[1].prio == 5 &&
	       m[0].rec[0].group == el_group_id("web") &&
	       m[0].rec[0].mac[5] == 0xee,
	   "records say leader, with priorities and mac");
	ok(m[0].seq == 1 && m[0].epoch == 1ull << 32 &&
	       m[0].interval_ms == 100 && strcmp(m[0].node, "me") == 0,
	   "header: seq 1, epoch, interval, id");
	el_cluster_build(cl, m, 2);
	is_int(m[0].seq, 2, "next build: seq 2");
	el_cluster_free(cl);
}

static void
test_startup(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	struct el_group_info gi;

	is_int(el_cluster_next_deadline(cl), 1300, "listen ends at +300");
	ok(el_cluster_send_due(cl), "a new group is due to be announced");
	el_cluster_tick(cl, 1299);
	is_int(h_pop(cl), 0, "still listening at 1299");
	is_int(h_me_state(cl), EL_ST_BACKUP, "backup while listening");
	ok(el_cluster_listening(cl, 1299), "listening at 1299");
	ok(!el_cluster_listening(cl, 1300), "listen over at 1300");
	el_cluster_tick(cl, 1300);
	is_int(h_pop(cl), 1, "one event at 1300");
	ok(h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_NO_LEADER && h_evs[0].peer[0] == '\0',
	   "takeover: no leader");
	el_cluster_group_info(cl, 0, 1300, &gi);
	ok(gi.state == EL_ST_LEADER && gi.since_ms == 1300 &&
	       gi.reason == EL_R_NO_LEADER && gi.transitions == 1 &&
	       strcmp(gi.leader, "me") == 0 && gi.prio == 100 &&
	       strcmp(gi.name, "web") == 0,
	   "group info after takeover");
	el_cluster_free(cl);

	/* A lower peer heard during the listen does not stop us. */
	cl = h_me_new(100, true, 0, 1000);
	h_say(cl, 1, 50, 0, 1100);
	is_int(h_tick_until_event(cl, 1100, 1400), 1300, "lower peer: 1300");
	is_int(h_evs[0].reason, EL_R_NO_LEADER, "... no-leader");
	el_cluster_free(cl);

	/* A better peer: we wait for it, then fall back after a dead
	 * interval if it never claims. */
	cl = h_me_new(100, true, 0, 1000);
	h_say(cl, 1, 150, 0, 1100);
	el_cluster_tick(cl, 1300);
	is_int(h_pop(cl), 0, "better backup peer: we wait at listen end");
	is_int(el_cluster_next_deadline(cl), 1400, "... its record expiry");
	h_say(cl, 1, 150, 0, 1350);
	h_say(cl, 1, 150, 0, 1450);
	h_say(cl, 1, 150, 0, 1550);
	is_int(el_cluster_next_deadline(cl), 1600, "fallback time pending");
	el_cluster_tick(cl, 1599);
	is_int(h_pop(cl), 0, "no fallback at 1599");
	el_cluster_tick(cl, 1600);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_FALLBACK &&
	       strcmp(h_evs[0].peer, "p1") == 0,
	   "fallback at 1600, naming the silent candidate");
	el_cluster_free(cl);

	/* The only leader we ever heard was resigning: when the listen
	 * ends, its resign is the reason we take over. */
	cl = h_me_new(100, true, 0, 1000);
	h_say(cl, 1, 0, EL_F_LEADER | EL_F_RESIGN, 1250);
	is_int(h_tick_until_event(cl, 1250, 1400), 1300,
	       "resigner heard while listening: takeover at listen end");
	ok(h_evs[0].reason == EL_R_LEADER_RESIGNED &&
	       strcmp(h_evs[0].peer, "p1") == 0,
	   "... leader-resigned, p1");
	el_cluster_free(cl);

	/* A leader heard during the listen: we stay backup. */
	cl = h_me_new(100, true, 0, 1000);
	h_say(cl, 1, 50, EL_F_LEADER, 1100);
	h_say(cl, 1, 50, EL_F_LEADER, 1200);
	el_cluster_group_info(cl, 0, 1200, &gi);
	is_str(gi.leader, "p1", "info names the leader");
	el_cluster_free(cl);
}

static void
test_leader_dead(void)
{
	struct el_cluster *cl = h_follow_p1(100);

	is_int(h_me_state(cl), EL_ST_BACKUP, "following p1");
	is_int(el_cluster_next_deadline(cl), 2300, "p1 dead at 2300");
	el_cluster_tick(cl, 2299);
	is_int(h_pop(cl), 0, "alive at 2299");
	el_cluster_tick(cl, 2300);
	is_int(h_pop(cl), 0, "dead at 2300, but skew not over");
	/* skew = (256 - 100) * 100 / 512 = 30 */
	is_int(el_cluster_next_deadline(cl), 2330, "takeover due at 2330");
	el_cluster_tick(cl, 2329);
	is_int(h_pop(cl), 0, "not at 2329");
	el_cluster_tick(cl, 2330);
	is_int(h_pop(cl), 1, "takeover at 2330");
	ok(h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_LEADER_DEAD &&
	       strcmp(h_evs[0].peer, "p1") == 0 && h_evs[0].missed == 3,
	   "leader-dead, p1, missed 3");
	el_cluster_free(cl);

	/* A higher priority has a smaller skew: (256 - 199) * 100 / 512 = 11 */
	cl = h_follow_p1(199);
	is_int(h_tick_until_event(cl, 2000, 2500), 2311, "prio 199: at 2311");
	el_cluster_free(cl);
	cl = h_follow_p1(1);
	is_int(h_tick_until_event(cl, 2000, 2500), 2349, "prio 1: at 2349");
	el_cluster_free(cl);

	/* A reload between two ticks must not hide a deadline that passed
	 * in between: the caller ticks at once. */
	cl = h_follow_p1(100);
	el_cluster_tick(cl, 2290);
	{
		struct el_group_config gc = {.name = "db", .priority = 9};

		el_cluster_group_add(cl, &gc, 2310);
	}
	is_int(el_cluster_next_deadline(cl), 2300,
	       "group added at 2310: p1's expiry (2300) still reported");
	el_cluster_tick(cl, 2310);
	is_int(el_cluster_next_deadline(cl), 2330, "then the takeover time");
	el_cluster_free(cl);

	/* A late tick reports what was really missed. */
	cl = h_follow_p1(100);
	el_cluster_tick(cl, 2950);
	ok(h_pop(cl) == 1 && h_evs[0].missed == 9, "late tick: missed 9");
	el_cluster_free(cl);

	/* Another live backup ranks higher: it takes over, we do not. */
	cl = h_follow_p1(100);
	h_say(cl, 2, 150, 0, 2290);
	h_say(cl, 2, 150, 0, 2390);
	el_cluster_tick(cl, 2390);
	is_int(h_pop(cl), 0, "a better backup is alive: we wait");
	h_say(cl, 2, 150, EL_F_LEADER, 2400);
	el_cluster_tick(cl, 2700);
	is_int(h_pop(cl), 0, "it took over: we follow");
	el_cluster_free(cl);
}

static void
test_fast_losses(void)
{
	struct el_cluster *cl = h_follow_p1(100);

	el_cluster_peer_gone(cl, "nobody", 2010);
	is_int(h_pop(cl), 0, "unknown peer gone: nothing");
	el_cluster_peer_gone(cl, "p1", 2010);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_LEADER_UNREACHABLE &&
	       strcmp(h_evs[0].peer, "p1") == 0,
	   "leader unreachable: takeover at once, no skew");
	/* Its next message revives it, and as a live higher leader it
	 * wins the split. */
	h_say(cl, 1, 200, EL_F_LEADER, 2050);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_SPLIT_YIELD,
	   "revived leader: we yield (split-yield)");
	el_cluster_free(cl);

	cl = h_follow_p1(100);
	h_say(cl, 1, 0, EL_F_LEADER | EL_F_RESIGN, 2010);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_LEADER_RESIGNED,
	   "resign record: takeover at once");
	el_cluster_free(cl);

	cl = h_follow_p1(100);
	h_say(cl, 1, 0, EL_F_FAULT, 2010);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_LEADER_FAULT,
	   "fault record: takeover at once");
	el_cluster_free(cl);

	cl = h_follow_p1(100);
	h_say(cl, 1, 0, EL_F_LISTEN, 2010);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_LEADER_FAULT,
	   "listen record (stalled leader): takeover at once");
	el_cluster_free(cl);

	/* Restarted within its dead time (new epoch, not leading). */
	cl = h_follow_p1(100);
	h_peers[0].epoch++;
	h_peers[0].seq = 0;
	h_say(cl, 1, 50, 0, 2010);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_LEADER_DEAD &&
	       h_evs[0].missed == 0,
	   "leader rebooted: dead at once, missed 0");
	h_peers[0].epoch--;
	el_cluster_free(cl);

	/* Stopped advertising the group (its reload): expires like death. */
	cl = h_follow_p1(100);
	{
		struct el_msg m;

		h_msg(&m, "p1", h_peers[0].epoch, ++h_peers[0].seq, 100);
		el_cluster_receive(cl, &m, 2100);
		h_msg(&m, "p1", h_peers[0].epoch, ++h_peers[0].seq, 100);
		el_cluster_receive(cl, &m, 2200);
	}
	is_int(h_tick_until_event(cl, 2000, 2500), 2330,
	       "record no longer sent: dead at 2300 + skew");
	el_cluster_free(cl);

	/* Resign with a better candidate alive: the candidate goes first. */
	cl = h_follow_p1(100);
	h_say(cl, 2, 150, 0, 2000);
	h_say(cl, 1, 0, EL_F_LEADER | EL_F_RESIGN, 2010);
	is_int(h_pop(cl), 0, "resign, better candidate: we wait");
	h_say(cl, 2, 150, EL_F_LEADER, 2011);
	el_cluster_tick(cl, 2300);
	is_int(h_pop(cl), 0, "candidate took over: we follow");
	el_cluster_free(cl);
}

static void
test_preempt(void)
{
	struct el_cluster *cl = h_me_new(200, true, 500, 1000);
	uint64_t t, at = 0;

	for (t = 1000; t <= 2000 && at == 0; t += 10) {
		if (t % 100 == 0)
			h_say(cl, 1, 100, EL_F_LEADER, t);
		el_cluster_tick(cl, t);
		if (h_pop(cl) > 0)
			at = t;
	}
	/* p1 (scripted) never answers our ask to hand over, as an old
	 * version would not: preempted the old way after resign_wait. */
	is_int(at, 1800, "preempt at eligible + preempt_delay + resign_wait");
	ok(h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_PREEMPT &&
	       strcmp(h_evs[0].peer, "p1") == 0,
	   "preempt event names the old leader");
	el_cluster_free(cl);

	/* Delay shorter than the start-up listen: the listen wins. */
	cl = h_me_new(200, true, 50, 1000);
	for (t = 1000, at = 0; t <= 1700 && at == 0; t += 10) {
		if (t % 100 == 0)
			h_say(cl, 1, 100, EL_F_LEADER, t);
		el_cluster_tick(cl, t);
		if (h_pop(cl) > 0)
			at = t;
	}
	is_int(at, 1600,
	       "short delay: ask at the end of the listen, preempt 300 later");
	el_cluster_free(cl);

	cl = h_me_new(200, false, 0, 1000);
	for (t = 1000; t <= 5000; t += 100) {
		h_say(cl, 1, 100, EL_F_LEADER, t);
		el_cluster_tick(cl, t);
	}
	is_int(h_pop(cl), 0, "preempt off: a lower leader keeps the group");
	el_cluster_free(cl);

	/* Equal priorities: the rendezvous rank decides. */
	cl = h_me_new(100, true, 0, 1000);
	for (t = 1000; t <= 1900; t += 100)
		h_say(cl, 1, 100, EL_F_LEADER, t);
	el_cluster_tick(cl, 1900);
	ok((h_pop(cl) == 1) == (el_rendezvous(el_group_id("web"), "me") >
	                        el_rendezvous(el_group_id("web"), "p1")),
	   "equal priority: preempt iff our rendezvous weight is higher");
	el_cluster_free(cl);
}

/* Make-before-break preemption (issue 14, item 9): the better backup asks
 * (EL_F_ASK), the leader resigns, the backup takes over from the resign
 * and the leader releases when it hears the new leader. */
static void
test_preempt_ask(void)
{
	struct el_cluster *cl = h_me_new(200, true, 0, 1000);
	static struct el_msg m[1];
	uint64_t t;

	for (t = 1000; t <= 1300; t += 100)
		h_say(cl, 1, 100, EL_F_LEADER, t);
	el_cluster_tick(cl, 1300);
	is_int(h_pop(cl), 0, "listen over, lower leader: no takeover yet");
	ok(el_cluster_build(cl, m, 1) == 1 && m->nrec == 1 &&
	       m->rec[0].flags == EL_F_ASK && m->rec[0].prio == 200,
	   "we ask it to hand over (EL_F_ASK, our priority)");
	h_say(cl, 1, 0, EL_F_LEADER | EL_F_RESIGN, 1310);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_LEADER_RESIGNED,
	   "it resigns: we take over from its handover");
	el_cluster_free(cl);

	/* The other side: we lead, a better peer asks. */
	cl = h_me_new(100, true, 0, 1000);
	el_cluster_tick(cl, 1300);
	h_pop(cl);
	h_say(cl, 1, 200, 0, 1400);
	is_int(h_pop(cl), 0, "a better backup that does not ask: nothing");
	h_say(cl, 1, 200, EL_F_ASK, 1450);
	ok(h_pop(cl) == 1 && h_evs[0].to == EL_ST_RESIGNING &&
	       h_evs[0].action == EL_ACT_NONE &&
	       h_evs[0].reason == EL_R_HANDOVER,
	   "it asks: we resign (still answering)");
	h_say(cl, 1, 200, EL_F_LEADER, 1452);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_RESIGN_DONE,
	   "it leads: we release (make-before-break)");
	h_say(cl, 1, 50, EL_F_LEADER, 1500);
	el_cluster_tick(cl, 1500);
	h_pop(cl);
	ok(el_cluster_build(cl, m, 1) == 1 && m->nrec == 1 &&
	       m->rec[0].flags == EL_F_ASK,
	   "a handover it asked for is no release: once it ranks below us "
	   "(its checks failed), we ask for the group back");
	el_cluster_free(cl);

	/* A worse peer's ask is ignored. */
	cl = h_me_new(200, true, 0, 1000);
	el_cluster_tick(cl, 1300);
	h_pop(cl);
	h_say(cl, 1, 100, EL_F_ASK, 1400);
	is_int(h_pop(cl), 0, "a lower peer asking: nothing");
	el_cluster_free(cl);
}

/* p1 says (prio, flags) with a HELLO whose set of heard peers is hears. */
static void
say_hears(struct el_cluster *cl, uint8_t prio, uint8_t flags, uint64_t hears,
          uint64_t now)
{
	struct el_msg m;

	h_msg(&m, "p1", h_peers[0].epoch, ++h_peers[0].seq, 100);
	h_rec(&m, "web", prio, flags, 1);
	el_msg_ctl_add(&m, EL_CTL_HELLO, hears);
	el_cluster_receive(cl, &m, now);
}

/* One-way loss (issue 14, item 7): a leader that cannot hear us never
 * yields, so we do, and do not preempt it back. */
static void
test_deaf_peer(void)
{
	struct el_cluster *cl = h_me_new(200, true, 0, 1000);
	uint64_t t;

	el_cluster_tick(cl, 1300);
	h_pop(cl);
	el_cluster_peer_verify(cl, "p1", 1300);
	say_hears(cl, 100, EL_F_LEADER, el_hears_bits("me"), 1400);
	el_cluster_peer_verify(cl, "p1", 1400);
	say_hears(cl, 100, EL_F_LEADER, el_hears_bits("me"), 1410);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_REANNOUNCE &&
	       h_evs[0].reason == EL_R_SPLIT_WIN,
	   "a lower leader that hears us: split-win");
	say_hears(cl, 100, EL_F_LEADER, 0, 1500);
	is_int(h_pop(cl), 0, "one message without us: not yet (it may be old)");
	say_hears(cl, 100, EL_F_LEADER, 0, 1600);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_DEAF_PEER,
	   "an interval of them: it cannot hear us, we yield (deaf-peer)");
	for (t = 1700; t <= 3000; t += 100) {
		say_hears(cl, 100, EL_F_LEADER, 0, t);
		el_cluster_tick(cl, t);
	}
	is_int(h_pop(cl), 0, "... and never preempt it while it cannot");
	ok(el_cluster_hears(cl, 3000) == el_hears_bits("p1"),
	   "our HELLO says we hear p1");
	for (t = 3100; t <= 3500; t += 10) {
		if (t % 100 == 0)
			say_hears(cl, 100, EL_F_LEADER, el_hears_bits("me"), t);
		el_cluster_tick(cl, t);
	}
	h_pop(cl);
	ok(h_nev >= 1 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_PREEMPT,
	   "it hears us again: preempt (it ignores our ask)");
	el_cluster_free(cl);
}

static void
test_split_brain(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);

	el_cluster_tick(cl, 1300);
	h_pop(cl);
	is_int(h_me_state(cl), EL_ST_LEADER, "leading");
	h_say(cl, 1, 50, EL_F_LEADER, 1310);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_REANNOUNCE &&
	       h_evs[0].reason == EL_R_SPLIT_WIN &&
	       strcmp(h_evs[0].peer, "p1") == 0 && h_evs[0].to == EL_ST_LEADER,
	   "lower leader heard: re-announce");
	h_say(cl, 1, 50, EL_F_LEADER, 1400);
	h_say(cl, 1, 50, EL_F_LEADER, 1609);
	is_int(h_pop(cl), 0, "at most once per dead interval");
	h_say(cl, 1, 50, EL_F_LEADER, 1610);
	is_int(h_pop(cl), 1, "again after a dead interval");
	is_int(h_me_state(cl), EL_ST_LEADER, "still leading");
	/* A higher leader whose previous record was a leader's too. */
	h_say(cl, 2, 150, EL_F_LEADER, 1620);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_SPLIT_YIELD &&
	       strcmp(h_evs[0].peer, "p2") == 0 && h_evs[0].to == EL_ST_BACKUP,
	   "higher leader: yield");
	el_cluster_free(cl);

	/* A live backup that claims: it preempted us. */
	cl = h_me_new(100, true, 0, 1000);
	el_cluster_tick(cl, 1300);
	h_say(cl, 2, 150, 0, 1310);
	h_pop(cl);
	h_say(cl, 2, 150, EL_F_LEADER, 1320);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_PREEMPTED,
	   "backup became leader: preempted");
	el_cluster_free(cl);

	/* A resigning peer is no rival. */
	cl = h_me_new(100, true, 0, 1000);
	el_cluster_tick(cl, 1300);
	h_pop(cl);
	h_say(cl, 2, 0, EL_F_LEADER | EL_F_RESIGN, 1310);
	is_int(h_pop(cl), 0, "resigning peer: no re-announce, no yield");
	el_cluster_free(cl);
}

static void
test_fault(void)
{
	struct el_cluster *cl = h_me_new(200, true, 400, 1000);
	struct el_msg m;
	uint64_t t;

	el_cluster_tick(cl, 1300);
	el_cluster_build(cl, &m, 1);
	h_pop(cl);
	el_cluster_group_set_fault(cl, 0, true, 1400);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_FAULT && h_evs[0].to == EL_ST_FAULT,
	   "leader faults: release");
	ok(el_cluster_send_due(cl), "send due after fault");
	el_cluster_build(cl, &m, 1);
	ok(m.rec[0].prio == 0 && m.rec[0].flags == EL_F_FAULT,
	   "advertises fault, priority 0");
	el_cluster_group_set_fault(cl, 0, true, 1410);
	is_int(h_pop(cl), 0, "fault again: no event");
	/* p1 takes over while we are faulted. */
	for (t = 1400; t <= 2000; t += 100)
		h_say(cl, 1, 100, EL_F_LEADER, t);
	is_int(h_pop(cl), 0, "faulted: never claims");
	el_cluster_group_set_fault(cl, 0, false, 2000);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_NONE &&
	       h_evs[0].reason == EL_R_RECOVERED && h_evs[0].to == EL_ST_BACKUP,
	   "recovered: backup");
	for (t = 2000; t <= 3000; t += 10) {
		if (t % 100 == 0)
			h_say(cl, 1, 100, EL_F_LEADER, t);
		el_cluster_tick(cl, t);
		if (h_pop(cl) > 0)
			break;
	}
	is_int(t, 2700,
	       "preempt after preempt_delay from the recovery (+ resign_wait)");
	is_int(h_evs[0].reason, EL_R_PREEMPT, "... reason preempt");
	el_cluster_free(cl);

	/* Fault of a backup, and recovery with nobody leading. */
	cl = h_me_new(100, true, 0, 1000);
	el_cluster_group_set_fault(cl, 0, true, 1100);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_NONE &&
	       h_evs[0].from == EL_ST_BACKUP && h_evs[0].to == EL_ST_FAULT,
	   "backup faults: no action");
	ok(!el_cluster_listening(cl, 1200), "a faulted group is not listening");
	el_cluster_tick(cl, 1500);
	is_int(h_pop(cl), 0, "faulted group never takes over");
	el_cluster_group_set_fault(cl, 0, false, 1600);
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_RECOVERED,
	   "recovered, nobody leads: back to backup, listening");
	is_int(el_cluster_next_deadline(cl), 1900,
	       "... for one dead interval (heartbeats may have been lost)");
	el_cluster_tick(cl, 1899);
	is_int(h_pop(cl), 0, "no claim while listening");
	ok(el_cluster_listening(cl, 1899), "... listening after recovery");
	el_cluster_tick(cl, 1900);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_NO_LEADER,
	   "nobody heard in that interval: takeover");
	el_cluster_free(cl);
}

int
main(void)
{
	test_new_errors();
	test_solo();
	test_startup();
	test_leader_dead();
	test_fast_losses();
	test_preempt();
	test_preempt_ask();
	test_deaf_peer();
	test_split_brain();
	test_fault();
	return tap_done();
}
