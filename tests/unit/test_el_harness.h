/*
 * A simulated cluster for election tests: several el_cluster instances on a
 * fake clock, passing what el_cluster_build() produces to each other through
 * the real codec (encode, decode, receive), over links that tests can cut.
 * Header-only like tap.h; every helper is static.
 */
#ifndef VIPD_TEST_EL_HARNESS_H
#define VIPD_TEST_EL_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "election.h"
#include "tap.h"

#define H_NODES  5
#define H_GROUPS 40
#define H_EVLOG  2048
#define H_STEP   10 /* ms per simulation step */

static const uint8_t h_key[] = "test-secret-0123456789";
#define H_KEYLEN (sizeof(h_key) - 1)

struct h_ev {
	uint64_t at;
	uint64_t order; /* across all nodes: who acted first in a step */
	struct el_event ev;
};

struct h_node {
	struct el_cluster *cl;
	char id[EL_ID_MAX];
	bool up;
	bool paused; /* frozen process: no tick, no send, deaf */
	unsigned boots;
	uint64_t next_send;
	uint8_t prio[H_GROUPS];
	bool preempt;
	unsigned preempt_delay;
	struct h_ev log[H_EVLOG];
	size_t nlog;
	unsigned verdicts[EL_VERDICT_MAX];
};

struct h_net {
	struct h_node n[H_NODES];
	size_t nn, ng;
	bool link[H_NODES][H_NODES]; /* link[a][b]: a's messages reach b */
	uint64_t now;
	uint64_t order;
	unsigned interval, dead_after, resign_wait;
	struct el_msg msgs[4];
};

__attribute__((unused)) static void
h_group_name(size_t g, char *buf, size_t len)
{
	snprintf(buf, len, "grp%zu", g);
}

/* nn nodes "n1".."nN", ng groups "grp0".., all priority 100, full mesh. */
__attribute__((unused)) static void
h_setup(struct h_net *net, size_t nn, size_t ng, unsigned interval,
        unsigned dead_after)
{
	size_t i, j;

	memset(net, 0, sizeof(*net));
	net->nn = nn;
	net->ng = ng;
	net->interval = interval;
	net->dead_after = dead_after;
	net->now = 1000;
	for (i = 0; i < nn; i++) {
		snprintf(net->n[i].id, sizeof(net->n[i].id), "n%zu", i + 1);
		memset(net->n[i].prio, 100, sizeof(net->n[i].prio));
		net->n[i].preempt = true;
		for (j = 0; j < nn; j++)
			net->link[i][j] = i != j;
	}
}

__attribute__((unused)) static void
h_drain(struct h_net *net, size_t i)
{
	struct h_node *nd = &net->n[i];
	struct el_event e;

	while (el_cluster_next_event(nd->cl, &e)) {
		if (nd->nlog < H_EVLOG) {
			nd->log[nd->nlog].at = net->now;
			nd->log[nd->nlog].order = ++net->order;
			nd->log[nd->nlog].ev = e;
			nd->nlog++;
		}
	}
}

__attribute__((unused)) static void
h_group_config(const struct h_node *nd, size_t g, char *name, size_t len,
               struct el_group_config *gc)
{
	h_group_name(g, name, len);
	memset(gc, 0, sizeof(*gc));
	gc->name = name;
	gc->priority = nd->prio[g];
	gc->preempt = nd->preempt;
	gc->preempt_delay_ms = nd->preempt_delay;
	gc->mac[0] = 0x02;
}

/* Start (or restart) node i at the current time with a new boot epoch. */
__attribute__((unused)) static void
h_start(struct h_net *net, size_t i)
{
	struct h_node *nd = &net->n[i];
	struct el_config cfg = {
	    .self_id = nd->id,
	    .interval_ms = net->interval,
	    .dead_after = net->dead_after,
	    .resign_wait_ms = net->resign_wait,
	};
	size_t g;

	nd->boots++;
	/* Real epochs are (boot seconds << 32 | random): newer is greater. */
	nd->cl = el_cluster_new(&cfg, (net->now / 1000 + nd->boots) << 32 | i,
	                        net->now);
	if (nd->cl == NULL) {
		ok(0, "el_cluster_new %s", nd->id);
		exit(1);
	}
	for (g = 0; g < net->ng; g++) {
		struct el_group_config gc;
		char name[32];

		h_group_config(nd, g, name, sizeof(name), &gc);
		gc.mac[4] = (uint8_t)i;
		gc.mac[5] = (uint8_t)g;
		if (el_cluster_group_add(nd->cl, &gc, net->now) != (int)g) {
			ok(0, "group add %s %zu", nd->id, g);
			exit(1);
		}
	}
	nd->up = true;
	nd->next_send = net->now;
}

/* Crash node i: it stops sending and forgets everything. */
__attribute__((unused)) static void
h_stop(struct h_net *net, size_t i)
{
	el_cluster_free(net->n[i].cl);
	net->n[i].cl = NULL;
	net->n[i].up = false;
}

__attribute__((unused)) static void
h_deliver(struct h_net *net, size_t from, const struct el_msg *m)
{
	uint8_t buf[EL_MSG_MAX];
	struct el_msg got;
	int len = el_msg_encode(m, h_key, H_KEYLEN, buf, sizeof(buf));
	size_t j;

	if (len < 0) {
		ok(0, "encode failed");
		return;
	}
	for (j = 0; j < net->nn; j++) {
		enum el_verdict v;

		if (j == from || !net->n[j].up || net->n[j].paused ||
		    !net->link[from][j])
			continue;
		v = el_msg_decode(buf, (size_t)len, h_key, H_KEYLEN, &got);
		if (v == EL_OK)
			v = el_cluster_receive(net->n[j].cl, &got, net->now);
		net->n[j].verdicts[v]++;
		h_drain(net, j);
	}
}

/* Send what is due (periodic or on change) until nothing more is. */
__attribute__((unused)) static void
h_exchange(struct h_net *net)
{
	int round;
	size_t i, k, nm;

	for (round = 0; round < 16; round++) {
		bool any = false;

		for (i = 0; i < net->nn; i++) {
			struct h_node *nd = &net->n[i];

			if (!nd->up || nd->paused ||
			    (net->now < nd->next_send &&
			     !el_cluster_send_due(nd->cl)))
				continue;
			nm = el_cluster_build(nd->cl, net->msgs, 4);
			nd->next_send = net->now + net->interval;
			for (k = 0; k < nm; k++)
				h_deliver(net, i, &net->msgs[k]);
			any = true;
		}
		if (!any)
			return;
	}
}

/* One step of the fake clock: every node ticks, then messages flow. */
__attribute__((unused)) static void
h_step(struct h_net *net)
{
	size_t i;

	net->now += H_STEP;
	for (i = 0; i < net->nn; i++) {
		if (!net->n[i].up || net->n[i].paused)
			continue;
		el_cluster_tick(net->n[i].cl, net->now);
		h_drain(net, i);
	}
	h_exchange(net);
}

__attribute__((unused)) static void
h_run(struct h_net *net, uint64_t ms)
{
	uint64_t end = net->now + ms;

	while (net->now < end)
		h_step(net);
}

__attribute__((unused)) static enum el_state
h_state(const struct h_net *net, size_t i, size_t g)
{
	struct el_group_info gi;

	if (!net->n[i].up ||
	    el_cluster_group_info(net->n[i].cl, g, net->now, &gi) != 0)
		return EL_ST_BACKUP;
	return gi.state;
}

/* The node leading group g (LEADER or RESIGNING): index, -1 none, -2 many. */
__attribute__((unused)) static int
h_leader(const struct h_net *net, size_t g)
{
	int who = -1;
	size_t i;

	for (i = 0; i < net->nn; i++) {
		enum el_state s = h_state(net, i, g);

		if (net->n[i].up && (s == EL_ST_LEADER || s == EL_ST_RESIGNING))
			who = who == -1 ? (int)i : -2;
	}
	return who;
}

/* True when every group has exactly one leader. */
__attribute__((unused)) static bool
h_all_led(const struct h_net *net)
{
	size_t g;

	for (g = 0; g < net->ng; g++)
		if (h_leader(net, g) < 0)
			return false;
	return true;
}

/* The last event of node i for group g with this action (and reason, if
 * not EL_R_NONE) logged at or after since; NULL if none. */
__attribute__((unused)) static const struct h_ev *
h_find(const struct h_net *net, size_t i, size_t g, enum el_action act,
       enum el_reason why, uint64_t since)
{
	const struct h_node *nd = &net->n[i];
	size_t k;

	for (k = nd->nlog; k-- > 0;) {
		const struct h_ev *e = &nd->log[k];

		if (e->at < since)
			break;
		if (e->ev.group == g && e->ev.action == act &&
		    (why == EL_R_NONE || e->ev.reason == why))
			return e;
	}
	return NULL;
}

/* Number of events of node i with this action since a time (any group). */
__attribute__((unused)) static size_t
h_count(const struct h_net *net, size_t i, enum el_action act, uint64_t since)
{
	const struct h_node *nd = &net->n[i];
	size_t k, n = 0;

	for (k = 0; k < nd->nlog; k++)
		if (nd->log[k].at >= since && nd->log[k].ev.action == act)
			n++;
	return n;
}

__attribute__((unused)) static void
h_teardown(struct h_net *net)
{
	size_t i;

	for (i = 0; i < net->nn; i++)
		if (net->n[i].up)
			h_stop(net, i);
}

/* Three nodes, one group: n1 200, n2 150, n3 100, n1 with this
 * preempt_delay; all started at 1000 (nothing run yet). */
__attribute__((unused)) static void
h_three(struct h_net *net, unsigned n1_preempt_delay)
{
	size_t i;

	h_setup(net, 3, 1, 100, 3);
	net->n[0].prio[0] = 200;
	net->n[1].prio[0] = 150;
	net->n[2].prio[0] = 100;
	net->n[0].preempt_delay = n1_preempt_delay;
	for (i = 0; i < 3; i++)
		h_start(net, i);
}

/* ------------------------------------------- single-cluster helpers */

/* A STATE message from a fake peer, with one record per (group, prio,
 * flags) triple passed. */
__attribute__((unused)) static void
h_msg(struct el_msg *m, const char *node, uint64_t epoch, uint64_t seq,
      uint16_t interval)
{
	memset(m, 0, sizeof(*m));
	m->version = EL_PROTO_VERSION;
	m->type = EL_MSG_STATE;
	m->interval_ms = interval;
	m->epoch = epoch;
	m->seq = seq;
	snprintf(m->node, sizeof(m->node), "%s", node);
}

__attribute__((unused)) static void
h_rec(struct el_msg *m, const char *group, uint8_t prio, uint8_t flags,
      uint8_t mac_last)
{
	struct el_rec *r = &m->rec[m->nrec++];

	memset(r, 0, sizeof(*r));
	r->group = el_group_id(group);
	r->prio = prio;
	r->flags = flags;
	r->mac[0] = 0x02;
	r->mac[5] = mac_last;
}

/* Pop every event of cl, the first cap into evs; returns how many. */
__attribute__((unused)) static size_t
h_events(struct el_cluster *cl, struct el_event *evs, size_t cap)
{
	struct el_event tmp;
	size_t n = 0;

	while (el_cluster_next_event(cl, n < cap ? &evs[n] : &tmp))
		n++;
	return n;
}

/* One node "me" with group "web", and fake peers p1..p3 (interval 100). */
__attribute__((unused)) static struct el_event ev[64];
__attribute__((unused)) static size_t nev;

struct fake_peer {
	const char *id;
	uint64_t epoch, seq;
};
__attribute__((unused)) static struct fake_peer fpeers[] = {
    {"p1", 1ull << 32, 0}, {"p2", 1ull << 32, 0}, {"p3", 1ull << 32, 0}};

__attribute__((unused)) static struct el_cluster *
mk_cfg(const char *self, uint8_t prio, bool preempt, unsigned delay, bool solo,
       uint64_t now)
{
	struct el_config cfg = {
	    .self_id = self, .interval_ms = 100, .dead_after = 3, .solo = solo};
	struct el_group_config gc = {.name = "web",
	                             .priority = prio,
	                             .preempt = preempt,
	                             .preempt_delay_ms = delay,
	                             .mac = {2, 0, 0, 0, 0, 0xee}};
	struct el_cluster *cl = el_cluster_new(&cfg, 1ull << 32, now);
	size_t i;

	if (cl == NULL || el_cluster_group_add(cl, &gc, now) != 0)
		exit(1);
	for (i = 0; i < 3; i++)
		fpeers[i].seq = 0;
	nev = 0;
	return cl;
}

__attribute__((unused)) static struct el_cluster *
mk(uint8_t prio, bool preempt, unsigned delay, uint64_t now)
{
	return mk_cfg("me", prio, preempt, delay, false, now);
}

/* Peer k (p1..p3) says (prio, flags) about group "web" at now. */
__attribute__((unused)) static enum el_verdict
say(struct el_cluster *cl, int k, uint8_t prio, uint8_t flags, uint64_t now)
{
	struct fake_peer *p = &fpeers[k - 1];
	struct el_msg m;

	h_msg(&m, p->id, p->epoch, ++p->seq, 100);
	h_rec(&m, "web", prio, flags, (uint8_t)k);
	return el_cluster_receive(cl, &m, now);
}

__attribute__((unused)) static enum el_state
st(struct el_cluster *cl)
{
	struct el_group_info gi;

	if (el_cluster_group_info(cl, 0, 0, &gi) != 0)
		return (enum el_state) - 1;
	return gi.state;
}

__attribute__((unused)) static size_t
pop(struct el_cluster *cl)
{
	nev = h_events(cl, ev, 64);
	return nev;
}

/* We ("me", prio) follow p1 (prio 200), heard every 100 ms from 1000 up
 * to 2000, events popped: p1 is dead at 2300. */
__attribute__((unused)) static struct el_cluster *
follow_p1(uint8_t prio)
{
	struct el_cluster *cl = mk(prio, true, 0, 1000);
	uint64_t t;

	for (t = 1000; t <= 2000; t += 100)
		say(cl, 1, 200, EL_F_LEADER, t);
	el_cluster_tick(cl, 2000);
	pop(cl);
	return cl;
}

/* Tick every 10 ms from t0 up to t1 included; stop at the first event. */
__attribute__((unused)) static uint64_t
tick_until_event(struct el_cluster *cl, uint64_t t0, uint64_t t1)
{
	uint64_t t;

	for (t = t0; t <= t1; t++) {
		el_cluster_tick(cl, t);
		if (pop(cl) > 0)
			return t;
	}
	return 0;
}

#endif
