/*
 * Several nodes exchanging real (encoded, authenticated) messages on a fake
 * clock stepping 10 ms: start-up, leader loss and skew, rendezvous spread,
 * split brain, the ICMP fast path, the stall guard, fault and recovery,
 * restart and preemption, and what forged or replayed datagrams do.
 * Interval 100 ms, dead_after 3.
 */
#include "config.h"

#include "el_harness.h"
#include "tap.h"

static void
link_both(struct h_net *net, size_t a, size_t b, bool up)
{
	net->link[a][b] = net->link[b][a] = up;
}

/* Highest rendezvous weight among the live nodes: who leads on a tie. */
static int
rdv_best(const struct h_net *net, size_t g)
{
	char name[32];
	uint64_t best = 0, w;
	int who = -1;
	size_t i;

	h_group_name(g, name, sizeof(name));
	for (i = 0; i < net->nn; i++) {
		if (!net->n[i].up)
			continue;
		w = el_rendezvous(el_group_id(name), net->n[i].id);
		if (who < 0 || w > best) {
			best = w;
			who = (int)i;
		}
	}
	return who;
}

static unsigned
rejected(const struct h_net *net)
{
	unsigned n = 0;
	size_t i, v;

	for (i = 0; i < net->nn; i++)
		for (v = 1; v < EL_VERDICT_MAX; v++)
			n += net->n[i].verdicts[v];
	return n;
}

static void
test_startup(void)
{
	static struct h_net net;
	const struct h_ev *e;
	bool single = true;
	int k;

	h_three(&net, 0);
	h_run(&net, 290);
	is_int(h_leader(&net, 0), -1, "nobody leads during the listen");
	h_run(&net, 10);
	is_int(h_leader(&net, 0), 0, "n1 (highest) leads at listen end");
	e = h_find(&net, 0, 0, EL_ACT_TAKEOVER, EL_R_NO_LEADER, 0);
	ok(e != NULL && e->at == 1300, "n1: takeover no-leader at 1300");
	for (k = 0; k < 100; k++) {
		h_step(&net);
		single = single && h_leader(&net, 0) == 0;
	}
	ok(single, "exactly n1 leads for the next second");
	is_int(net.n[1].nlog + net.n[2].nlog, 0, "backups logged nothing");
	is_int(rejected(&net), 0, "no datagram rejected");
	h_teardown(&net);
}

static void
test_leader_dead(void)
{
	static struct h_net net;
	const struct h_ev *e;
	uint64_t last, crash;

	h_three(&net, 0);
	h_run(&net, 1000);
	last = net.n[0].next_send - net.interval; /* n1's last message */
	crash = net.now;
	h_stop(&net, 0);
	h_run(&net, 1000);
	is_int(h_leader(&net, 0), 1, "n2 (next highest) took over");
	e = h_find(&net, 1, 0, EL_ACT_TAKEOVER, EL_R_NONE, crash);
	ok(e && e->ev.reason == EL_R_LEADER_DEAD &&
	       strcmp(e->ev.peer, "n1") == 0 && e->ev.missed == 3,
	   "n2: leader-dead, n1 missed 3 heartbeats");
	/* skew(150) = 106 * 100 / 512 = 20 ms; the 10 ms clock rounds up */
	ok(e && e->at >= last + 320 && e->at < last + 330,
	   "n2 took over at last heartbeat + 300 + skew (%llu vs %llu)",
	   e ? (unsigned long long)(e->at - last) : 0ull, 320ull);
	ok(e && e->at - crash <= 4 * net.interval,
	   "outage within (dead_after + 1) x interval");
	is_int(h_count(&net, 2, EL_ACT_TAKEOVER, crash), 0, "n3 did not");
	h_teardown(&net);
}

/* n3 stops hearing n2 for a while: when n1 dies, both believe they are
 * the best candidate.  The skew lets n2 (higher) act first; its claim
 * reaches n3 before n3's own, longer skew runs out. */
static void
test_skew_order(void)
{
	static struct h_net net;
	size_t i;
	uint64_t crash;

	h_three(&net, 0);
	h_run(&net, 1000);
	net.link[1][2] = false;
	h_run(&net, 500);
	crash = net.now;
	h_stop(&net, 0);
	while (h_state(&net, 1, 0) != EL_ST_LEADER && net.now < crash + 1000) {
		net.now += H_STEP;
		for (i = 1; i < 3; i++) {
			el_cluster_tick(net.n[i].cl, net.now);
			h_drain(&net, i);
		}
		if (h_state(&net, 1, 0) == EL_ST_LEADER)
			net.link[1][2] = true; /* n2's claim gets through */
		h_exchange(&net);
	}
	is_int(h_state(&net, 1, 0), EL_ST_LEADER, "n2 took over first");
	is_int(h_state(&net, 2, 0), EL_ST_BACKUP, "n3 waited out its skew");
	h_run(&net, 500);
	is_int(h_count(&net, 2, EL_ACT_TAKEOVER, crash), 0,
	       "n3 never took over");
	is_int(h_leader(&net, 0), 1, "n2 leads");
	h_teardown(&net);
}

static void
test_spread(void)
{
	static struct h_net net;
	int before[30], k;
	unsigned per[3] = {0, 0, 0};
	bool agree = true, kept = true, moved = true, back = true;
	size_t g, i;
	uint64_t crash;

	h_setup(&net, 3, 30, 100, 3);
	for (i = 0; i < 3; i++)
		h_start(&net, i);
	h_run(&net, 500);
	ok(h_all_led(&net), "30 groups: one leader each");
	for (g = 0; g < 30; g++) {
		before[g] = h_leader(&net, g);
		agree = agree && before[g] == rdv_best(&net, g);
		if (before[g] >= 0)
			per[before[g]]++;
	}
	ok(agree, "each leader is the rendezvous winner");
	ok(per[0] > 0 && per[1] > 0 && per[2] > 0,
	   "every node leads some (%u/%u/%u)", per[0], per[1], per[2]);
	ok(per[0] + per[1] + per[2] == 30, "all 30 led");

	crash = net.now;
	h_stop(&net, 2);
	h_run(&net, 1000);
	ok(h_all_led(&net), "n3 gone: still one leader each");
	for (g = 0; g < 30; g++) {
		k = h_leader(&net, g);
		if (before[g] != 2)
			kept = kept && k == before[g];
		else
			moved = moved && (k == 0 || k == 1) &&
			        k == rdv_best(&net, g);
	}
	ok(kept, "groups of n1 and n2 did not move");
	ok(moved, "n3's groups moved to their next rendezvous winner");
	is_int(h_count(&net, 0, EL_ACT_RELEASE, crash) +
	           h_count(&net, 1, EL_ACT_RELEASE, crash),
	       0, "no release on the survivors");
	is_int(h_count(&net, 0, EL_ACT_TAKEOVER, crash) +
	           h_count(&net, 1, EL_ACT_TAKEOVER, crash),
	       per[2], "one takeover per group of n3");

	/* n3 returns: with preempt (no delay) it takes back exactly its
	 * own groups after its start-up listen. */
	h_start(&net, 2);
	h_run(&net, 1000);
	for (g = 0; g < 30; g++)
		back = back && h_leader(&net, g) == before[g];
	ok(back, "n3 back: the original spread is restored");
	is_int(h_count(&net, 2, EL_ACT_TAKEOVER, crash), per[2],
	       "n3 took back its own groups only");
	h_teardown(&net);
}

static void
test_split_brain(void)
{
	static struct h_net net;
	size_t g, i, doubled = 0;
	bool one = true;
	uint64_t heal;

	h_setup(&net, 3, 12, 100, 3);
	for (i = 0; i < 3; i++)
		h_start(&net, i);
	h_run(&net, 500);
	ok(h_all_led(&net), "before the partition: one leader each");
	link_both(&net, 0, 1, false);
	link_both(&net, 0, 2, false);
	h_run(&net, 1000);
	for (g = 0; g < 12; g++)
		doubled += h_leader(&net, g) == -2;
	is_int(doubled, 12, "partition {n1} | {n2, n3}: every group led twice");
	heal = net.now;
	link_both(&net, 0, 1, true);
	link_both(&net, 0, 2, true);
	h_run(&net, net.interval);
	ok(h_all_led(&net), "healed: one leader per group within one interval");
	for (g = 0; g < 12; g++)
		one = one && h_leader(&net, g) == rdv_best(&net, g);
	ok(one, "... the rendezvous winner");
	ok(h_count(&net, 0, EL_ACT_REANNOUNCE, heal) +
	           h_count(&net, 1, EL_ACT_REANNOUNCE, heal) +
	           h_count(&net, 2, EL_ACT_REANNOUNCE, heal) >
	       0,
	   "winners re-announced");
	is_int(h_count(&net, 0, EL_ACT_RELEASE, heal) +
	           h_count(&net, 1, EL_ACT_RELEASE, heal) +
	           h_count(&net, 2, EL_ACT_RELEASE, heal),
	       12, "one release per group (the loser)");
	h_run(&net, 2000);
	ok(h_all_led(&net), "stable afterwards");
	h_teardown(&net);
}

static void
test_icmp_fast_path(void)
{
	static struct h_net net;
	const struct h_ev *e;
	uint64_t crash;

	h_three(&net, 0);
	h_run(&net, 1000);
	crash = net.now;
	h_stop(&net, 0);
	h_step(&net);
	/* The daemons got ICMP port unreachable for n1's heartbeat port. */
	el_cluster_peer_gone(net.n[1].cl, "n1", net.now);
	h_drain(&net, 1);
	el_cluster_peer_gone(net.n[2].cl, "n1", net.now);
	h_drain(&net, 2);
	e = h_find(&net, 1, 0, EL_ACT_TAKEOVER, EL_R_LEADER_UNREACHABLE, crash);
	ok(e != NULL && e->at == crash + H_STEP,
	   "n2 took over at once (leader-unreachable)");
	is_int(h_count(&net, 2, EL_ACT_TAKEOVER, crash), 0,
	       "n3 did not: n2 ranks higher");
	h_exchange(&net);
	h_run(&net, 1000);
	is_int(h_leader(&net, 0), 1, "n2 leads");
	h_teardown(&net);
}

static void
test_stall(void)
{
	static struct h_net net;
	const struct h_ev *e;
	uint64_t t0, resume;
	bool never_two = true;
	int k;

	h_three(&net, 0);
	h_run(&net, 1000);
	t0 = net.now;
	net.n[0].paused = true; /* SIGSTOP / VM pause of the leader */
	h_run(&net, 2000);
	is_int(h_state(&net, 1, 0), EL_ST_LEADER, "n2 took over meanwhile");
	resume = net.now;
	net.n[0].paused = false;
	el_cluster_stalled(net.n[0].cl, net.now - t0, net.now);
	h_drain(&net, 0);
	e = h_find(&net, 0, 0, EL_ACT_RELEASE, EL_R_STALL, resume);
	ok(e != NULL && e->ev.to == EL_ST_LISTEN,
	   "n1 noticed its stall: released, listening");
	for (k = 0; k < 29; k++) {
		h_step(&net);
		never_two = never_two && h_leader(&net, 0) == 1;
	}
	ok(never_two, "during the listen only n2 leads");
	h_run(&net, 20);
	is_int(h_leader(&net, 0), 0,
	       "after the listen n1 (higher, preempt) leads again");
	/* Preemption asks n2 to hand over (make-before-break). */
	ok(h_find(&net, 1, 0, EL_ACT_RELEASE, EL_R_RESIGN_DONE, resume) != NULL,
	   "n2 handed over to n1");

	/* A backup that stalls: no event, fresh timers, n1 still leads. */
	resume = net.now;
	net.n[2].paused = true;
	h_run(&net, 2000);
	net.n[2].paused = false;
	el_cluster_stalled(net.n[2].cl, 2000, net.now);
	h_drain(&net, 2);
	h_run(&net, 500);
	is_int(h_count(&net, 2, EL_ACT_TAKEOVER, resume), 0,
	       "stalled backup took nothing");
	is_int(h_leader(&net, 0), 0, "n1 still leads");
	h_teardown(&net);
}

static void
test_fault_recovery(void)
{
	static struct h_net net;
	const struct h_ev *e;
	uint64_t tf, tr;

	h_three(&net, 500);
	h_run(&net, 1000);
	tf = net.now;
	el_cluster_group_set_fault(net.n[0].cl, 0, true, net.now);
	h_drain(&net, 0);
	h_exchange(&net);
	e = h_find(&net, 1, 0, EL_ACT_TAKEOVER, EL_R_LEADER_FAULT, tf);
	ok(e != NULL && e->at == tf, "link down on n1: n2 takes over at once");
	is_int(h_leader(&net, 0), 1, "n2 leads");
	h_run(&net, 1000);
	tr = net.now;
	el_cluster_group_set_fault(net.n[0].cl, 0, false, net.now);
	h_drain(&net, 0);
	h_run(&net, 490);
	is_int(h_leader(&net, 0), 1, "n1 recovered: waits preempt_delay");
	h_run(&net, 30);
	is_int(h_leader(&net, 0), 0, "n1 preempts at recovery + 500");
	/* It asks at tr + 500; n2 resigns, n1 takes over from the resign. */
	e = h_find(&net, 0, 0, EL_ACT_TAKEOVER, EL_R_LEADER_RESIGNED, tr);
	ok(e != NULL && e->at >= tr + 500 && e->at <= tr + 520,
	   "... within 20 ms, by n2's handover");
	h_teardown(&net);
}

static void
test_restart_preempt(void)
{
	static struct h_net net;
	const struct h_ev *e;
	uint64_t tr;
	bool one = true;
	int k;

	h_three(&net, 800);
	h_run(&net, 1000);
	h_stop(&net, 0);
	h_run(&net, 1000);
	is_int(h_leader(&net, 0), 1, "n2 leads while n1 is down");
	tr = net.now;
	h_start(&net, 0);
	for (k = 0; k < 150; k++) {
		h_step(&net);
		one = one && h_leader(&net, 0) >= 0;
	}
	ok(one, "always exactly one leader across the restart");
	e = h_find(&net, 0, 0, EL_ACT_TAKEOVER, EL_R_LEADER_RESIGNED, tr);
	ok(e != NULL && e->at >= tr + 800 && e->at <= tr + 820,
	   "restarted n1 preempts after preempt_delay (n2 hands over)");
	ok(h_find(&net, 1, 0, EL_ACT_RELEASE, EL_R_RESIGN_DONE, tr) != NULL,
	   "n2 released: handed over");
	is_int(h_leader(&net, 0), 0, "n1 leads");
	h_teardown(&net);
}

/* Forged and replayed datagrams change nothing. */
static void
test_forged_replayed(void)
{
	static struct h_net net;
	static struct el_msg m[2], got;
	struct el_config cfg = {.self_id = "evil",
	                        .interval_ms = 100,
	                        .solo = true,
	                        .dead_after = 3};
	struct el_group_config gc = {.name = "grp0", .priority = 254};
	struct el_cluster *evil = el_cluster_new(&cfg, 99ull << 32, 0);
	uint8_t cap[EL_MSG_MAX], forged[EL_MSG_MAX];
	int caplen, flen;
	size_t i;

	h_three(&net, 0);
	h_run(&net, 1000);
	/* Capture n1's current announcement off the wire. */
	el_cluster_build(net.n[0].cl, m, 2);
	caplen = el_msg_encode(&m[0], h_key, h_keylen, cap, sizeof(cap));
	for (i = 1; i < 3; i++)
		el_cluster_receive(net.n[i].cl, &m[0], net.now);

	/* A node with the wrong secret claims everything at top priority. */
	el_cluster_group_add(evil, &gc, 0);
	el_cluster_tick(evil, 1);
	el_cluster_build(evil, m, 2);
	flen = el_msg_encode(&m[0], (const uint8_t *)"wrong-secret-0000", 17,
	                     forged, sizeof(forged));
	is_int(el_msg_decode(forged, (size_t)flen, h_key, h_keylen, &got),
	       EL_REJ_HMAC, "wrong secret: rejected before parsing");
	ok(m[0].rec[0].flags == EL_F_LEADER, "(it did claim leadership)");

	h_stop(&net, 0);
	h_run(&net, 1000);
	is_int(h_leader(&net, 0), 1, "n2 leads after n1's crash");
	is_int(el_msg_decode(cap, (size_t)caplen, h_key, h_keylen, &got), EL_OK,
	       "the captured datagram is authentic");
	is_int(el_cluster_receive(net.n[1].cl, &got, net.now), EL_REJ_REPLAY,
	       "... but replayed: rejected");
	h_drain(&net, 1);
	h_run(&net, 500);
	is_int(h_leader(&net, 0), 1, "n2 still leads");
	is_int(h_count(&net, 1, EL_ACT_RELEASE, 0), 0, "n2 never released");
	el_cluster_free(evil);
	h_teardown(&net);
}

int
main(void)
{
	test_startup();
	test_leader_dead();
	test_skew_order();
	test_spread();
	test_split_brain();
	test_icmp_fast_path();
	test_stall();
	test_fault_recovery();
	test_restart_preempt();
	test_forged_replayed();
	return tap_done();
}
