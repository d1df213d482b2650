/* The election tests' harness: see el_harness.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "el_harness.h"

const uint8_t h_key[] = "test-secret-0123456789";
const size_t h_keylen = sizeof(h_key) - 1;

struct h_peer h_peers[3] = {
    {"p1", 1ull << 32, 0}, {"p2", 1ull << 32, 0}, {"p3", 1ull << 32, 0}};
struct el_event h_evs[64];
size_t h_nev;

__attribute__((format(printf, 1, 2), noreturn)) static void
h_bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

/* ------------------------------------------------ the simulated network */

void
h_group_name(size_t g, char *buf, size_t len)
{
	snprintf(buf, len, "grp%zu", g);
}

void
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

void
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

static void
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

void
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
	if (nd->cl == NULL)
		h_bail("el_cluster_new %s", nd->id);
	for (g = 0; g < net->ng; g++) {
		struct el_group_config gc;
		char name[32];

		h_group_config(nd, g, name, sizeof(name), &gc);
		gc.mac[4] = (uint8_t)i;
		gc.mac[5] = (uint8_t)g;
		if (el_cluster_group_add(nd->cl, &gc, net->now) != (int)g)
			h_bail("group add %s %zu", nd->id, g);
	}
	nd->up = true;
	nd->next_send = net->now;
}

void
h_stop(struct h_net *net, size_t i)
{
	el_cluster_free(net->n[i].cl);
	net->n[i].cl = NULL;
	net->n[i].up = false;
}

void
h_teardown(struct h_net *net)
{
	size_t i;

	for (i = 0; i < net->nn; i++)
		if (net->n[i].up)
			h_stop(net, i);
}

void
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

/* Encode m once and hand it to every node that from reaches. */
static void
h_deliver(struct h_net *net, size_t from, const struct el_msg *m)
{
	uint8_t buf[EL_MSG_MAX];
	struct el_msg got;
	int len = el_msg_encode(m, h_key, h_keylen, buf, sizeof(buf));
	size_t j;

	if (len < 0)
		h_bail("el_msg_encode from %s", net->n[from].id);
	for (j = 0; j < net->nn; j++) {
		enum el_verdict v;

		if (j == from || !net->n[j].up || net->n[j].paused ||
		    !net->link[from][j])
			continue;
		v = el_msg_decode(buf, (size_t)len, h_key, h_keylen, &got);
		if (v == EL_OK)
			v = el_cluster_receive(net->n[j].cl, &got, net->now);
		net->n[j].verdicts[v]++;
		h_drain(net, j);
	}
}

void
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

void
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

void
h_run(struct h_net *net, uint64_t ms)
{
	uint64_t end = net->now + ms;

	while (net->now < end)
		h_step(net);
}

enum el_state
h_state(const struct h_net *net, size_t i, size_t g)
{
	struct el_group_info gi;

	if (!net->n[i].up ||
	    el_cluster_group_info(net->n[i].cl, g, net->now, &gi) != 0)
		return EL_ST_BACKUP;
	return gi.state;
}

int
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

bool
h_all_led(const struct h_net *net)
{
	size_t g;

	for (g = 0; g < net->ng; g++)
		if (h_leader(net, g) < 0)
			return false;
	return true;
}

const struct h_ev *
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

size_t
h_count(const struct h_net *net, size_t i, enum el_action act, uint64_t since)
{
	const struct h_node *nd = &net->n[i];
	size_t k, n = 0;

	for (k = 0; k < nd->nlog; k++)
		if (nd->log[k].at >= since && nd->log[k].ev.action == act)
			n++;
	return n;
}

/* ---------------------------------------------- messages and events */

void
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

void
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

size_t
h_events(struct el_cluster *cl, struct el_event *evs, size_t cap)
{
	struct el_event tmp;
	size_t n = 0;

	while (el_cluster_next_event(cl, n < cap ? &evs[n] : &tmp))
		n++;
	return n;
}

/* ------------------------------------ one node "me" and fake peers */

static struct el_cluster *
h_me_new_cfg(uint8_t prio, bool preempt, unsigned delay, bool solo,
             uint64_t now)
{
	struct el_config cfg = {
	    .self_id = "me", .interval_ms = 100, .dead_after = 3, .solo = solo};
	struct el_group_config gc = {.name = "web",
	                             .priority = prio,
	                             .preempt = preempt,
	                             .preempt_delay_ms = delay,
	                             .mac = {2, 0, 0, 0, 0, 0xee}};
	struct el_cluster *cl = el_cluster_new(&cfg, 1ull << 32, now);
	size_t i;

	if (cl == NULL)
		h_bail("el_cluster_new me");
	if (el_cluster_group_add(cl, &gc, now) != 0)
		h_bail("group add me web");
	for (i = 0; i < 3; i++)
		h_peers[i].seq = 0;
	h_nev = 0;
	return cl;
}

struct el_cluster *
h_me_new(uint8_t prio, bool preempt, unsigned delay, uint64_t now)
{
	return h_me_new_cfg(prio, preempt, delay, false, now);
}

struct el_cluster *
h_me_new_solo(uint8_t prio, bool preempt, unsigned delay, uint64_t now)
{
	return h_me_new_cfg(prio, preempt, delay, true, now);
}

enum el_verdict
h_say(struct el_cluster *cl, int k, uint8_t prio, uint8_t flags, uint64_t now)
{
	struct h_peer *p = &h_peers[k - 1];
	struct el_msg m;

	h_msg(&m, p->id, p->epoch, ++p->seq, 100);
	h_rec(&m, "web", prio, flags, (uint8_t)k);
	return el_cluster_receive(cl, &m, now);
}

enum el_state
h_me_state(struct el_cluster *cl)
{
	struct el_group_info gi;

	if (el_cluster_group_info(cl, 0, 0, &gi) != 0)
		return (enum el_state) - 1;
	return gi.state;
}

size_t
h_pop(struct el_cluster *cl)
{
	h_nev = h_events(cl, h_evs, 64);
	return h_nev;
}

struct el_cluster *
h_follow_p1(uint8_t prio)
{
	struct el_cluster *cl = h_me_new(prio, true, 0, 1000);
	uint64_t t;

	for (t = 1000; t <= 2000; t += 100)
		h_say(cl, 1, 200, EL_F_LEADER, t);
	el_cluster_tick(cl, 2000);
	h_pop(cl);
	return cl;
}

uint64_t
h_tick_until_event(struct el_cluster *cl, uint64_t t0, uint64_t t1)
{
	uint64_t t;

	for (t = t0; t <= t1; t++) {
		el_cluster_tick(cl, t);
		if (h_pop(cl) > 0)
			return t;
	}
	return 0;
}
