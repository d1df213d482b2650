/* Replay window and sender checks of el_cluster_receive(). */
#include "config.h"

#include "el_harness.h"
#include "tap.h"

static struct el_cluster *
mk_r(uint64_t now)
{
	struct el_config cfg = {
	    .self_id = "me", .interval_ms = 100, .dead_after = 3};
	struct el_group_config gc = {
	    .name = "web", .priority = 100, .preempt = true};
	struct el_cluster *cl = el_cluster_new(&cfg, 1ull << 32, now);

	if (cl == NULL || el_cluster_group_add(cl, &gc, now) != 0)
		exit(1);
	return cl;
}

static enum el_verdict
feed(struct el_cluster *cl, const char *node, uint64_t epoch, uint64_t seq,
     uint8_t flags, uint64_t now)
{
	struct el_msg m;

	h_msg(&m, node, epoch, seq, 100);
	h_rec(&m, "web", 50, flags, 1);
	return el_cluster_receive(cl, &m, now);
}

static uint64_t
last_seen(struct el_cluster *cl, const char *id, uint64_t now)
{
	struct el_peer_info pi[8];
	size_t i, n = el_cluster_peers(cl, now, pi, 8);

	for (i = 0; i < n; i++)
		if (strcmp(pi[i].id, id) == 0)
			return pi[i].last_seen_ms;
	return 0;
}

static void
test_window(void)
{
	struct el_cluster *cl = mk_r(0);
	const uint64_t e = 5ull << 32 | 77;
	uint64_t s;

	is_int(feed(cl, "p1", e, 100, 0, 10), EL_OK, "first message");
	is_int(feed(cl, "p1", e, 100, 0, 20), EL_REJ_REPLAY, "same seq twice");
	is_int(last_seen(cl, "p1", 30), 10, "replay did not refresh the peer");
	is_int(feed(cl, "p1", e, 105, 0, 30), EL_OK, "jump ahead by 5");
	is_int(feed(cl, "p1", e, 103, 0, 30), EL_OK,
	       "out of order within the window");
	is_int(feed(cl, "p1", e, 103, 0, 30), EL_REJ_REPLAY,
	       "... but only once");
	is_int(feed(cl, "p1", e, 101, 0, 30), EL_OK, "older, still in window");
	is_int(feed(cl, "p1", e, 105, 0, 30), EL_REJ_REPLAY, "top seen again");
	is_int(feed(cl, "p1", e, 200, 0, 40), EL_OK, "jump by 95");
	is_int(feed(cl, "p1", e, 200 - 64, 0, 40), EL_REJ_REPLAY,
	       "seq 64 below the top: beyond the window");
	is_int(feed(cl, "p1", e, 200 - 63, 0, 40), EL_OK,
	       "seq 63 below the top: last slot of the window");
	is_int(feed(cl, "p1", e, 200 - 63, 0, 40), EL_REJ_REPLAY, "... once");
	is_int(feed(cl, "p1", e, 105, 0, 40), EL_REJ_REPLAY,
	       "a seq seen before the jump, now too old");
	for (s = 201; s <= 264; s++)
		if (feed(cl, "p1", e, s, 0, 50) != EL_OK)
			break;
	is_int(s, 265, "64 consecutive new seqs accepted");
	is_int(feed(cl, "p1", e, 201, 0, 50), EL_REJ_REPLAY,
	       "bitmap shifted: 201 remembered");
	is_int(feed(cl, "p1", e, 200, 0, 50), EL_REJ_REPLAY,
	       "200 now out of the window");

	/* Epochs: a newer boot restarts the window, an older is refused. */
	is_int(feed(cl, "p1", e + 1, 1, 0, 60), EL_OK,
	       "newer epoch with seq 1");
	is_int(feed(cl, "p1", e + 1, 2, 0, 60), EL_OK, "... seq 2");
	is_int(feed(cl, "p1", e, 1000, 0, 70), EL_REJ_REPLAY,
	       "older epoch, even with a high seq");
	is_int(feed(cl, "p1", e + 1, 1, 0, 70), EL_REJ_REPLAY,
	       "new epoch's seq 1 again");
	is_int(last_seen(cl, "p1", 70), 60, "rejections left last_seen alone");

	/* Peers have independent windows. */
	is_int(feed(cl, "p2", e, 100, 0, 80), EL_OK, "p2 with p1's old seq");
	el_cluster_free(cl);
}

static void
test_self_and_sanity(void)
{
	struct el_cluster *cl = mk_r(0);
	struct el_peer_info pi[4];
	struct el_msg m;

	is_int(feed(cl, "me", 9, 1, EL_F_LEADER, 10), EL_REJ_SELF,
	       "our own id: self");
	is_int(el_cluster_peers(cl, 10, pi, 4), 0, "... not learned as peer");
	h_msg(&m, "p1", 1, 1, 100);
	m.nrec = EL_MSG_MAX_REC + 1;
	is_int(el_cluster_receive(cl, &m, 10), EL_REJ_MALFORMED,
	       "too many records in a struct");
	h_msg(&m, "p 1", 1, 1, 100);
	is_int(el_cluster_receive(cl, &m, 10), EL_REJ_MALFORMED, "bad id");
	h_msg(&m, "p1", 1, 1, 0);
	is_int(el_cluster_receive(cl, &m, 10), EL_REJ_MALFORMED,
	       "zero interval");
	h_msg(&m, "p1", 1, 1, 100);
	m.version = 3;
	is_int(el_cluster_receive(cl, &m, 10), EL_REJ_MALFORMED,
	       "unknown version in a struct");
	el_cluster_free(cl);
}

/*
 * Rejected messages change nothing: a captured LEADER message replayed
 * after the peer moved on does not bring back its leadership.
 */
static void
test_replay_no_state_change(void)
{
	struct el_cluster *cl = mk_r(0);
	struct el_group_info gi;
	struct el_event evs[8];
	struct el_msg lead, back;
	uint64_t t;

	h_msg(&lead, "p1", 7, 1, 100);
	h_rec(&lead, "web", 200, EL_F_LEADER, 1);
	is_int(el_cluster_receive(cl, &lead, 10), EL_OK, "p1 leads");
	h_msg(&back, "p1", 7, 2, 100);
	h_rec(&back, "web", 0, EL_F_FAULT, 1);
	for (t = 20; t < 300; t += 10)
		el_cluster_tick(cl, t);
	is_int(h_events(cl, evs, 8), 0, "listening: no event yet");
	is_int(el_cluster_receive(cl, &back, 300), EL_OK, "p1 faults");
	el_cluster_tick(cl, 301);
	el_cluster_group_info(cl, 0, 301, &gi);
	is_int(gi.state, EL_ST_LEADER, "we took over");
	h_events(cl, evs, 8);
	is_int(evs[0].reason, EL_R_LEADER_FAULT, "... because p1 faulted");
	is_int(el_cluster_receive(cl, &lead, 310), EL_REJ_REPLAY,
	       "replayed LEADER message rejected");
	el_cluster_group_info(cl, 0, 310, &gi);
	is_int(gi.state, EL_ST_LEADER, "... we still lead");
	is_int(h_events(cl, evs, 8), 0, "... and no event");
	el_cluster_free(cl);
}

/* The documented limitation: before we hear a peer, its old boot's
 * messages are accepted; its real (newer) epoch then wins for good. */
static void
test_old_boot_before_first_contact(void)
{
	struct el_cluster *cl = mk_r(0);

	is_int(feed(cl, "p1", 3ull << 32, 50, 0, 10), EL_OK,
	       "captured old-boot message accepted at first contact");
	is_int(feed(cl, "p1", 4ull << 32, 1, 0, 20), EL_OK,
	       "real peer's newer epoch accepted");
	is_int(feed(cl, "p1", 3ull << 32, 51, 0, 30), EL_REJ_REPLAY,
	       "old boot refused from then on");
	el_cluster_free(cl);
}

static void
test_peer_table(void)
{
	struct el_cluster *cl = mk_r(0);
	char id[16];
	int i, okc = 0;

	for (i = 0; i < 256; i++) {
		snprintf(id, sizeof(id), "p%03d", i);
		okc += feed(cl, id, 1, 1, 0, 10 + (uint64_t)i) == EL_OK;
	}
	is_int(okc, 256, "256 peers learned");
	is_int(feed(cl, "extra", 1, 1, 0, 300), EL_REJ_UNKNOWN_SENDER,
	       "257th while all alive: refused");
	is_int(feed(cl, "p000", 1, 2, 0, 305), EL_OK,
	       "a known peer still accepted");
	is_int(feed(cl, "extra", 1, 1, 0, 311), EL_OK,
	       "once the least recent (p001) is dead, it makes room");
	is_int(feed(cl, "p001", 1, 1, 0, 311), EL_REJ_UNKNOWN_SENDER,
	       "p001 was forgotten; table full again");
	el_cluster_free(cl);
}

/* p1 says LEADER with a HELLO (it answers challenges), seq as given. */
static enum el_verdict
say_hello(struct el_cluster *cl, uint64_t seq, uint64_t now)
{
	struct el_msg m;

	h_msg(&m, "p1", 1ull << 32, seq, 100);
	h_rec(&m, "web", 200, EL_F_LEADER, 1);
	el_msg_ctl_add(&m, EL_CTL_HELLO, 0);
	return el_cluster_receive(cl, &m, now);
}

/* Issue 14, item 5: after our restart, a capture of a dead leader's
 * heartbeats replayed to us does not hold us off at all (its messages
 * carry HELLO: it must echo a challenge to count); a live peer that
 * echoes our challenge counts as usual. */
static void
test_first_contact_freshness(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	uint64_t t, took = 0;

	for (t = 1000; t <= 4000 && took == 0; t += 10) {
		if (t % 100 == 0)
			is_int(say_hello(cl, t / 100, t), EL_OK,
			       "replay accepted");
		el_cluster_tick(cl, t);
		if (h_pop(cl) > 0)
			took = t;
	}
	ok(el_cluster_peer_unverified(cl, "p1"), "p1 never verified");
	is_int(took, 1300, "replays do not hold us off: lead after the listen");
	ok(h_nev == 1 && h_evs[0].action == EL_ACT_TAKEOVER &&
	       h_evs[0].reason == EL_R_NO_LEADER,
	   "... as no-leader (the replayed leader never counted)");
	el_cluster_free(cl);

	cl = h_me_new(100, true, 0, 1000);
	say_hello(cl, 1, 1000);
	ok(el_cluster_peer_unverified(cl, "p1"), "first contact: unverified");
	el_cluster_peer_verify(cl, "p1", 1005);
	ok(!el_cluster_peer_unverified(cl, "p1"), "echoed: verified");
	for (t = 1010; t <= 3000; t += 10) {
		if (t % 100 == 0)
			say_hello(cl, t / 100, t);
		el_cluster_tick(cl, t);
	}
	is_int(h_pop(cl), 0, "a verified live leader keeps the group");
	el_cluster_free(cl);

	/* A peer without HELLO (an older version) is trusted as before. */
	cl = h_me_new(100, true, 0, 1000);
	h_say(cl, 1, 200, EL_F_LEADER, 1000);
	ok(!el_cluster_peer_unverified(cl, "p1"), "no HELLO: not challenged");
	el_cluster_free(cl);
}

int
main(void)
{
	test_first_contact_freshness();
	test_window();
	test_self_and_sanity();
	test_replay_no_state_change();
	test_old_boot_before_first_contact();
	test_peer_table();
	return tap_done();
}
