/*
 * Graceful handover (SIGTERM, vipctl release): make-before-break, the
 * bounded wait, no preemption of the successor, resign of many groups.
 * Interval 100 ms, dead_after 3, resign_wait 3 intervals unless set.
 */
#include "config.h"

#include "el_harness.h"
#include "tap.h"

static void
test_make_before_break(void)
{
	static struct h_net net;
	const struct h_ev *r, *t, *rd;
	uint64_t t0;
	bool led = true;
	int k;

	h_three(&net, 0);
	h_run(&net, 1000);
	is_int(h_leader(&net, 0), 0, "n1 leads");
	t0 = net.now;
	is_int(el_cluster_resign(net.n[0].cl, 0, t0), 1, "one group resigns");
	ok(el_cluster_resigning(net.n[0].cl), "n1 is resigning");
	ok(el_cluster_send_due(net.n[0].cl), "... and must send at once");
	h_drain(&net, 0);
	r = h_find(&net, 0, 0, EL_ACT_NONE, EL_R_RESIGN, t0);
	ok(r != NULL && r->ev.from == EL_ST_LEADER &&
	       r->ev.to == EL_ST_RESIGNING,
	   "resign logged: leader -> resigning, no action");
	is_int(h_state(&net, 0, 0), EL_ST_RESIGNING, "still answering");
	h_exchange(&net); /* same instant: no timer involved */
	t = h_find(&net, 1, 0, EL_ACT_TAKEOVER, EL_R_LEADER_RESIGNED, t0);
	rd = h_find(&net, 0, 0, EL_ACT_RELEASE, EL_R_RESIGN_DONE, t0);
	ok(t != NULL && t->at == t0 && strcmp(t->ev.peer, "n1") == 0,
	   "n2 took over at once (leader-resigned)");
	ok(rd != NULL && rd->at == t0 && strcmp(rd->ev.peer, "n2") == 0,
	   "n1 released on hearing n2 (resign-done)");
	ok(t != NULL && rd != NULL && t->order < rd->order,
	   "the successor took over before the resigner released");
	ok(!el_cluster_resigning(net.n[0].cl), "n1 no longer resigning");
	is_int(h_count(&net, 2, EL_ACT_TAKEOVER, t0), 0, "n3 did not move");
	is_int(h_leader(&net, 0), 1, "n2 leads");

	/* n1 ranks higher, preempts with no delay, but does not take the
	 * group back from the successor it handed it to. */
	for (k = 0; k < 300; k++) {
		h_step(&net);
		led = led && h_leader(&net, 0) == 1;
	}
	ok(led, "n1 did not preempt its successor for 3 s");
	/* ... until that successor fails: then normal rules apply. */
	t0 = net.now;
	h_stop(&net, 1);
	h_run(&net, 1000);
	is_int(h_leader(&net, 0), 0, "successor died: n1 leads again");
	ok(h_find(&net, 0, 0, EL_ACT_TAKEOVER, EL_R_LEADER_DEAD, t0) != NULL,
	   "... leader-dead");
	h_teardown(&net);
}

/* The released mark lasts while the successor leads: once it fails (here
 * a link fault), the resigner is an ordinary candidate again. */
static void
test_mark_cleared_on_change(void)
{
	static struct h_net net;
	const struct h_ev *e;
	uint64_t t0;

	h_three(&net, 0);
	h_run(&net, 1000);
	el_cluster_resign(net.n[0].cl, 0, net.now);
	h_drain(&net, 0);
	h_exchange(&net);
	is_int(h_leader(&net, 0), 1, "n2 took over from n1");
	h_run(&net, 500);
	t0 = net.now;
	el_cluster_group_set_fault(net.n[1].cl, 0, true, net.now);
	h_drain(&net, 1);
	h_exchange(&net);
	e = h_find(&net, 0, 0, EL_ACT_TAKEOVER, EL_R_LEADER_FAULT, t0);
	ok(e != NULL && e->at == t0,
	   "successor faulted: n1 takes over at once");
	h_run(&net, 500);
	is_int(h_leader(&net, 0), 0, "n1 leads");
	is_int(h_count(&net, 2, EL_ACT_TAKEOVER, t0), 0, "n3 did not move");
	h_teardown(&net);
}

static void
test_timeout_alone(void)
{
	struct el_cluster *cl = h_me_new(100, true, 0, 1000);
	struct el_msg m;

	el_cluster_tick(cl, 1300);
	h_pop(cl);
	is_int(el_cluster_resign(cl, 0, 2000), 1, "resign with no peers");
	ok(h_pop(cl) == 1 && h_evs[0].reason == EL_R_RESIGN, "resign event");
	el_cluster_build(cl, &m, 1);
	ok(m.rec[0].prio == 0 && m.rec[0].flags == (EL_F_LEADER | EL_F_RESIGN),
	   "advertises leader + resign, priority 0");
	is_int(el_cluster_next_deadline(cl), 2300, "wait bounded at 3 x 100");
	el_cluster_tick(cl, 2299);
	is_int(h_pop(cl), 0, "waiting at 2299");
	el_cluster_tick(cl, 2300);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_NONE &&
	       h_evs[0].reason == EL_R_RESIGN_TIMEOUT &&
	       h_evs[0].from == EL_ST_RESIGNING && h_evs[0].to == EL_ST_LEADER,
	   "nobody can take over: back to leader, keep the VIP");
	ok(!el_cluster_resigning(cl), "no longer resigning");
	el_cluster_build(cl, &m, 1);
	ok(m.rec[0].prio == 100 && m.rec[0].flags == EL_F_LEADER,
	   "advertises leader again");
	el_cluster_free(cl);

	/* Stopping (all groups): with only a faulted peer alive there is no
	 * successor to wait for, so the group is not held in RESIGNING. */
	cl = h_me_new(100, true, 0, 1000);
	el_cluster_tick(cl, 1300);
	h_say(cl, 1, 0, EL_F_FAULT, 1900);
	h_pop(cl);
	is_int(el_cluster_resign(cl, SIZE_MAX, 2000), 0,
	       "stopping, only a faulted peer alive: nothing resigns");
	ok(!el_cluster_resigning(cl), "... so the stop need not wait");
	is_int(h_me_state(cl), EL_ST_LEADER, "... the caller releases it");
	h_say(cl, 2, 50, 0, 2050);
	is_int(el_cluster_resign(cl, SIZE_MAX, 2100), 1,
	       "with an eligible peer alive, the group resigns");
	el_cluster_free(cl);

	/* Peers that cannot take over (faulted, priority 0) do not count. */
	cl = h_me_new(100, true, 0, 1000);
	el_cluster_tick(cl, 1300);
	h_say(cl, 1, 0, EL_F_FAULT, 1900);
	h_say(cl, 2, 0, 0, 1900);
	el_cluster_resign(cl, 0, 2000);
	h_say(cl, 1, 0, EL_F_FAULT, 2100);
	h_say(cl, 1, 0, EL_F_FAULT, 2200);
	h_say(cl, 2, 0, 0, 2200);
	h_pop(cl);
	el_cluster_tick(cl, 2300);
	ok(h_pop(cl) == 1 && h_evs[0].to == EL_ST_LEADER,
	   "only ineligible peers: keep the VIP");
	el_cluster_free(cl);
}

static void
test_timeout_with_peer(void)
{
	struct el_config cfg = {.self_id = "me",
	                        .interval_ms = 100,
	                        .dead_after = 3,
	                        .resign_wait_ms = 150};
	struct el_group_config gc = {
	    .name = "web", .priority = 100, .preempt = true};
	struct el_cluster *cl = el_cluster_new(&cfg, 1, 1000);
	uint64_t t;

	el_cluster_group_add(cl, &gc, 1000);
	h_peers[0].seq = 0;
	el_cluster_tick(cl, 1300);
	h_pop(cl);
	/* p1 is eligible but never claims (it does not hear us, say). */
	h_say(cl, 1, 50, 0, 1950);
	el_cluster_resign(cl, 0, 2000);
	h_pop(cl);
	is_int(el_cluster_next_deadline(cl), 2150, "resign_wait_ms = 150");
	h_say(cl, 1, 50, 0, 2050);
	el_cluster_tick(cl, 2150);
	ok(h_pop(cl) == 1 && h_evs[0].action == EL_ACT_RELEASE &&
	       h_evs[0].reason == EL_R_RESIGN_TIMEOUT &&
	       h_evs[0].to == EL_ST_BACKUP,
	   "eligible peer alive: release at the timeout");
	/* p1 claims at last: we do not preempt it although we rank higher. */
	for (t = 2200; t <= 3000; t += 100)
		h_say(cl, 1, 50, EL_F_LEADER, t);
	el_cluster_tick(cl, 3000);
	is_int(h_pop(cl), 0, "no preemption of whoever took over");
	el_cluster_free(cl);

	/* If p1 never claims, we take the group back a dead interval later. */
	cl = el_cluster_new(&cfg, 1, 1000);
	el_cluster_group_add(cl, &gc, 1000);
	h_peers[0].seq = 0;
	el_cluster_tick(cl, 1300);
	h_say(cl, 1, 50, 0, 1950);
	el_cluster_resign(cl, 0, 2000);
	h_say(cl, 1, 50, 0, 2050);
	el_cluster_tick(cl, 2150);
	h_pop(cl);
	for (t = 2150; t <= 2600; t += 10) {
		if (t % 100 == 50)
			h_say(cl, 1, 50, 0, t);
		el_cluster_tick(cl, t);
		if (h_pop(cl) > 0)
			break;
	}
	ok(t == 2450 && h_evs[0].action == EL_ACT_TAKEOVER,
	   "silent peer: taken back at timeout + dead interval (%llu)",
	   (unsigned long long)t);
	el_cluster_free(cl);
}

static void
test_many_groups(void)
{
	struct el_config cfg = {
	    .self_id = "me", .interval_ms = 100, .dead_after = 3};
	struct el_cluster *cl = el_cluster_new(&cfg, 1, 0);
	struct el_group_config gc = {.priority = 100};
	const char *names[] = {"a", "b", "c", "d"};
	size_t i;

	for (i = 0; i < 4; i++) {
		gc.name = names[i];
		el_cluster_group_add(cl, &gc, 0);
	}
	el_cluster_tick(cl, 300);
	el_cluster_group_set_fault(cl, 2, true, 310);
	el_cluster_group_remove(cl, 3, 310);
	h_pop(cl);
	is_int(el_cluster_resign(cl, 1, 400), 1, "one group by index");
	is_int(el_cluster_resign(cl, 1, 400), 0, "already resigning");
	is_int(el_cluster_resign(cl, 2, 400), 0, "faulted group: nothing");
	is_int(el_cluster_resign(cl, 3, 400), 0, "removed group: nothing");
	is_int(el_cluster_resign(cl, 99, 400), 0, "bad index: nothing");
	is_int(el_cluster_resign(cl, SIZE_MAX, 400), 0,
	       "all, no peer alive: the leader (a) has nobody to wait for");
	ok(el_cluster_resigning(cl), "b is still resigning (by index)");
	el_cluster_tick(cl, 700);
	ok(!el_cluster_resigning(cl), "timeouts over");
	el_cluster_free(cl);
}

int
main(void)
{
	test_make_before_break();
	test_mark_cleared_on_change();
	test_timeout_alone();
	test_timeout_with_peer();
	test_many_groups();
	return tap_done();
}
