/*
 * The L2 policy: takeover bursts of gratuitous ARP / unsolicited NA, the
 * periodic refresh, the ARP/NDP responder, the conflict probe before the
 * first takeover, and the data-plane check (who else announces our VIPs).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vipd.h"

/* Conflict probe window bounds (the election's start-up listen usually
 * covers it, so a cluster node does not wait longer because of it). */
#define PROBE_MIN_MS 100
#define PROBE_MAX_MS 1000

/* A VIP given up to a foreign owner is probed again, leading or not and
 * whatever garp.refresh_s says, so that it comes back by itself once the
 * other host lets it go: first after REPROBE_MIN_MS, the delay doubling up
 * to REPROBE_MAX_MS.  With the probe window (at most PROBE_MAX_MS) a VIP is
 * taken within REPROBE_MAX_MS + PROBE_MAX_MS = 5 s after its owner left,
 * for the cost of one probe frame per yielded VIP every 4 s. */
#define REPROBE_MIN_MS 2000
#define REPROBE_MAX_MS 4000

/* A VIP we lead is defended against a foreign claim at most once in this
 * time (RFC 5227 2.4 (c), rate-limited): a claim within it of the last
 * defence is answered when it has passed, so a client's cache points back
 * at us within this time (plus timer jitter: under 1 s) of each claim, and
 * a claimer gets at most one announcement for each of its own claims. */
#define DEFEND_MS 900

/* At most one conflict log line per VIP per this period. */
#define CONFLICT_LOG_MS 10000

/* Announce VIP idx of the group (a burst_send_fn). */
static bool
burst_send(size_t idx, void *arg)
{
	struct vgroup *g = arg;
	struct l2_port *l2 = g->port ? g->port->l2 : NULL;
	struct vip *v = &g->vips[idx];
	int n;

	if (l2 == NULL || vip_yielded(g, v))
		return false;
	if ((n = l2_port_announce(l2, &v->addr)) > 0)
		g->ctr[CTL_GC_ANNOUNCEMENTS] += (uint64_t)n;
	return true;
}

static void
group_burst_step(struct vgroup *g)
{
	uint64_t now = ev_now(g->d->loop), next;
	bool round_done;

	next = burst_step(&g->burst, g->nvips, now, burst_send, g, &round_done);
	if (round_done && g->burst.round == 1 && g->burst_takeover)
		g->first_round_ms =
		    ev_now_update(g->d->loop) - g->burst.started;
	if (next != 0)
		ev_timer_start(g->d->loop, &g->burst_timer, next);
	else if (g->cg.garp.refresh_s > 0)
		ev_timer_start(g->d->loop, &g->refresh_timer,
		               now + (uint64_t)g->cg.garp.refresh_s * 1000);
}

void
announce_burst_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vgroup *g = arg;

	(void)loop;
	(void)t;
	if (g->leading)
		group_burst_step(g);
}

static void
burst_begin(struct vgroup *g, unsigned rounds, bool takeover)
{
	ev_timer_stop(g->d->loop, &g->burst_timer);
	ev_timer_stop(g->d->loop, &g->refresh_timer);
	g->burst_takeover = takeover;
	burst_start(&g->burst, rounds, g->cg.garp.interval_ms,
	            ev_now_update(g->d->loop));
	/* The first frames leave now, not at the next timer tick. */
	group_burst_step(g);
}

void
announce_refresh_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vgroup *g = arg;

	(void)loop;
	(void)t;
	if (!g->leading)
		return;
	/* Switch forwarding tables age out (often 300 s): re-announce so a
	 * quiet leader is not blackholed.  Also re-probe conflicted VIPs. */
	announce_reprobe(g);
	burst_begin(g, 1, false);
}

void
announce_start(struct vgroup *g)
{
	burst_begin(g, g->cg.garp.count, true);
}

void
announce_reannounce(struct vgroup *g)
{
	if (g->leading)
		burst_begin(g, g->cg.garp.count, false);
}

/* Announce vips[add_first + idx] (a burst_send_fn). */
static bool
added_send(size_t idx, void *arg)
{
	struct vgroup *g = arg;

	return burst_send(g->add_first + idx, g);
}

static void
added_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vgroup *g = arg;
	uint64_t next;

	(void)t;
	if (!g->leading || g->add_first >= g->nvips)
		return;
	next = burst_step(&g->add_burst, g->nvips - g->add_first, ev_now(loop),
	                  added_send, g, NULL);
	if (next != 0)
		ev_timer_start(loop, &g->add_timer, next);
}

void
announce_added(struct vgroup *g, size_t first)
{
	ev_timer_stop(g->d->loop, &g->add_timer);
	ev_timer_init(&g->add_timer, added_cb, g);
	g->add_first = first;
	if (!g->leading || first >= g->nvips)
		return;
	burst_start(&g->add_burst, g->cg.garp.count, g->cg.garp.interval_ms,
	            ev_now_update(g->d->loop));
	/* The first frames leave now: the new VIPs answer from this moment. */
	added_cb(g->d->loop, &g->add_timer, g);
}

void
announce_stop(struct vgroup *g)
{
	size_t i;

	ev_timer_stop(g->d->loop, &g->add_timer);
	ev_timer_stop(g->d->loop, &g->burst_timer);
	ev_timer_stop(g->d->loop, &g->refresh_timer);
	ev_timer_stop(g->d->loop, &g->defend_timer);
	for (i = 0; i < g->nvips; i++)
		g->vips[i].defend_pending = false;
}

/* ----------------------------------------------------------- probing */

static void
probe_send(struct vgroup *g, bool only_conflicted)
{
	size_t i;

	if (g->port == NULL || g->port->l2 == NULL)
		return;
	for (i = 0; i < g->nvips; i++) {
		if (only_conflicted && !g->vips[i].conflict)
			continue;
		if (l2_port_probe(g->port->l2, &g->vips[i].addr) == 0)
			g->probed = true;
	}
}

static uint64_t
probe_window(const struct vgroup *g)
{
	uint64_t w = (uint64_t)g->d->cfg->interval_ms * g->d->cfg->dead_after;

	if (w < PROBE_MIN_MS)
		w = PROBE_MIN_MS;
	if (w > PROBE_MAX_MS)
		w = PROBE_MAX_MS;
	return w;
}

void
announce_probe_start(struct vgroup *g)
{
	size_t i;

	if (g->port == NULL || g->port->l2 == NULL)
		return;
	for (i = 0; i < g->nvips; i++)
		g->vips[i].probe_answered = false;
	g->probe_until = ev_now(g->d->loop) + probe_window(g);
	g->probe_round = 0;
	g->reprobe = false;
	probe_send(g, false);
	/* A second probe halfway, in case the first crossed a busy link. */
	ev_timer_start(g->d->loop, &g->probe_timer,
	               ev_now(g->d->loop) + probe_window(g) / 2);
}

/*
 * The leader's heartbeats are late: probe one VIP (ARP probe / DAD NS).  A
 * live leader answers, and claim_seen() hands its answer to the election as
 * proof of life; a dead one stays silent and the dead timer runs out.
 */
void
announce_probe_leader(struct vgroup *g)
{
	size_t i;

	if (g->port == NULL || g->port->l2 == NULL || g->probe_until != 0)
		return;
	for (i = 0; i < g->nvips; i++) {
		if (g->vips[i].conflict)
			continue;
		if (l2_port_probe(g->port->l2, &g->vips[i].addr) == 0)
			g->ctr[CTL_GC_LEADER_PROBES]++;
		return;
	}
}

/* Re-probe the VIPs we gave up to a foreign owner: it may have left. */
void
announce_reprobe(struct vgroup *g)
{
	size_t i, n = 0;

	if (g->probe_until != 0)
		return;
	for (i = 0; i < g->nvips; i++) {
		if (g->vips[i].conflict) {
			g->vips[i].probe_answered = false;
			n++;
		}
	}
	if (n == 0)
		return;
	g->probe_until = ev_now(g->d->loop) + probe_window(g);
	g->probe_round = 1;
	g->reprobe = true;
	probe_send(g, true);
	ev_timer_start(g->d->loop, &g->probe_timer, g->probe_until);
}

void
announce_reprobe_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	announce_reprobe(arg);
}

/* Count a foreign host claiming VIP v with mac, for status and metrics. */
static void
conflict_record(struct vgroup *g, struct vip *v, const uint8_t *mac)
{
	memcpy(v->conflict_mac, mac, NET_MAC_LEN);
	v->conflict_count++;
	v->conflict_at = ev_now(g->d->loop);
	g->ctr[CTL_GC_CONFLICTS]++;
}

/* A VIP the foreign owner let go: bind it and announce it at once. */
static void
vip_reclaim(struct vgroup *g, struct vip *v)
{
	int n;

	pin_group_up(g->pin);
	if (g->port == NULL || g->port->l2 == NULL)
		return;
	if ((n = l2_port_announce(g->port->l2, &v->addr)) > 0)
		g->ctr[CTL_GC_ANNOUNCEMENTS] += (uint64_t)n;
}

static void
probe_evaluate(struct vgroup *g)
{
	char a[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];
	size_t i, conflicts = 0;

	for (i = 0; i < g->nvips; i++) {
		struct vip *v = &g->vips[i];

		if (g->reprobe && !v->conflict)
			continue; /* not probed: a claim on it was defended */
		if (v->probe_answered &&
		    !el_cluster_mac_is_peer(g->d->el, v->probe_mac)) {
			if (!v->conflict) {
				vipd_event(
				    g->d, EVK_CONFLICT, g, -1, -1,
				    "%s is in use by %s, not a vipd peer",
				    net_addr_str(&v->addr, a, sizeof(a)),
				    net_mac_str(v->probe_mac, m, sizeof(m)));
				log_warnx(
				    "group %s: CONFLICT: %s is in use by "
				    "%s, which is not a vipd peer; %s",
				    g->cg.name,
				    net_addr_str(&v->addr, a, sizeof(a)),
				    net_mac_str(v->probe_mac, m, sizeof(m)),
				    g->cg.conflict == CONF_CONFLICT_YIELD
				        ? "not announcing it "
				          "(conflict = \"yield\")"
				        : "announcing it anyway "
				          "(conflict = \"takeover\")");
			}
			v->conflict = true;
			pin_vip_set_yielded(g->pin, i, vip_yielded(g, v));
			conflict_record(g, v, v->probe_mac);
		} else if (v->conflict && !v->probe_answered) {
			log_info("group %s: %s is free again", g->cg.name,
			         net_addr_str(&v->addr, a, sizeof(a)));
			vipd_event(g->d, EVK_CONFLICT_CLEARED, g, -1, -1,
			           "%s is free again", a);
			v->conflict = false;
			pin_vip_set_yielded(g->pin, i, false);
			if (g->leading)
				vip_reclaim(g, v);
		}
		conflicts += v->conflict;
	}
	if (conflicts > 0) {
		if (g->reprobe_ms == 0)
			g->reprobe_ms = REPROBE_MIN_MS;
		ev_timer_start(g->d->loop, &g->reprobe_timer,
		               ev_now(g->d->loop) + g->reprobe_ms);
		g->reprobe_ms *= 2;
		if (g->reprobe_ms > REPROBE_MAX_MS)
			g->reprobe_ms = REPROBE_MAX_MS;
	} else {
		ev_timer_stop(g->d->loop, &g->reprobe_timer);
		g->reprobe_ms = 0;
	}
}

void
announce_probe_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vgroup *g = arg;

	if (g->probe_round == 0) {
		g->probe_round = 1;
		probe_send(g, false);
		ev_timer_start(loop, t, g->probe_until);
		return;
	}
	g->probe_until = 0;
	probe_evaluate(g);
	if (g->takeover_pending)
		group_takeover_now(g);
	vipd_el_flush(g->d);
}

/* ---------------------------------------------------------- responder */

static void
conflict_seen(struct vgroup *g, struct vip *v, const uint8_t *mac)
{
	uint64_t now = ev_now(g->d->loop);
	char a[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];

	conflict_record(g, v, mac);
	if (v->log_at == 0 || now - v->log_at >= CONFLICT_LOG_MS) {
		v->log_at = now;
		vipd_event(g->d, EVK_CONFLICT, g, -1, -1,
		           "%s announced by %s, not a vipd peer (%llu times)",
		           net_addr_str(&v->addr, a, sizeof(a)),
		           net_mac_str(mac, m, sizeof(m)),
		           (unsigned long long)v->conflict_count);
		log_warnx(
		    "group %s: CONFLICT: %s announced by %s, which is not "
		    "a vipd peer (%llu times)",
		    g->cg.name, net_addr_str(&v->addr, a, sizeof(a)),
		    net_mac_str(mac, m, sizeof(m)),
		    (unsigned long long)v->conflict_count);
	}
}

/* Announce VIP v now as a defence against a foreign claim. */
static void
defend_send(struct vgroup *g, struct vip *v, uint64_t now)
{
	int n;

	v->defend_at = now;
	v->defend_pending = false;
	if (g->port == NULL || g->port->l2 == NULL)
		return;
	if ((n = l2_port_announce(g->port->l2, &v->addr)) > 0) {
		g->ctr[CTL_GC_ANNOUNCEMENTS] += (uint64_t)n;
		g->ctr[CTL_GC_DEFENCES]++;
	}
}

/* A stranger claimed VIP v, which we lead: announce it back at once, or
 * as soon as DEFEND_MS has passed since the last defence. */
static void
vip_defend(struct vgroup *g, struct vip *v)
{
	uint64_t now = ev_now(g->d->loop), due;

	if (!g->leading || vip_yielded(g, v))
		return;
	if (v->defend_at == 0 || now - v->defend_at >= DEFEND_MS) {
		defend_send(g, v, now);
		return;
	}
	if (v->defend_pending)
		return;
	v->defend_pending = true;
	due = v->defend_at + DEFEND_MS;
	if (!g->defend_timer.active || due < g->defend_timer.when)
		ev_timer_start(g->d->loop, &g->defend_timer, due);
}

void
announce_defend_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vgroup *g = arg;
	uint64_t now = ev_now(loop), next = 0, due;
	size_t i;

	for (i = 0; i < g->nvips; i++) {
		struct vip *v = &g->vips[i];

		if (!v->defend_pending)
			continue;
		if (!g->leading || vip_yielded(g, v)) {
			v->defend_pending = false;
			continue;
		}
		due = v->defend_at + DEFEND_MS;
		if (due <= now)
			defend_send(g, v, now);
		else if (next == 0 || due < next)
			next = due;
	}
	if (next != 0)
		ev_timer_start(loop, t, next);
}

/* Someone else says "VIP is at mac": a peer (two leaders) or a stranger. */
static void
claim_seen(struct vgroup *g, size_t idx, const uint8_t *mac)
{
	struct vip *v = &g->vips[idx];
	char owner[EL_ID_MAX];
	enum el_dp_verdict dp;

	if (g->port && g->port->l2 &&
	    memcmp(mac, l2_port_mac(g->port->l2), NET_MAC_LEN) == 0)
		return;
	if (g->probe_until != 0 && (!g->reprobe || v->conflict)) {
		/* Judged when the window ends, once peers' MACs are known.
		 * A re-probe asks about yielded VIPs only: a claim on a VIP
		 * we hold is a claim, not an answer (else a stranger's
		 * claim in the window would make us yield it). */
		v->probe_answered = true;
		memcpy(v->probe_mac, mac, NET_MAC_LEN);
		return;
	}
	dp = el_cluster_dataplane_claim(g->d->el, g->el_idx, mac, owner,
	                                ev_now(g->d->loop));
	if (dp != EL_DP_FOREIGN) {
		if (g->leading) {
			char a[NET_ADDR_STRLEN];

			g->ctr[CTL_GC_PEER_CLAIMS]++;
			g->peer_claim_at = ev_now(g->d->loop);
			log_debug("group %s: peer %s also answers for %s: %s",
			          g->cg.name, owner,
			          net_addr_str(&v->addr, a, sizeof(a)),
			          dp == EL_DP_UNHEARD
			              ? "not heard lately, defending"
			              : "the election decides");
		}
		if (dp == EL_DP_UNHEARD)
			vip_defend(g, v);
		return;
	}
	conflict_seen(g, v, mac);
	vip_defend(g, v);
}

static void
answer(struct port *p, struct vgroup *g, size_t idx,
       const struct frame_info *fi)
{
	struct vip *v = &g->vips[idx];

	if (!g->leading || vip_yielded(g, v))
		return;
	if (l2_port_reply(p->l2, &v->addr, fi) == -1)
		return;
	if (fi->kind == FRAME_ARP_REQUEST)
		g->ctr[CTL_GC_ARP_ANSWERED]++;
	else
		g->ctr[CTL_GC_NDP_ANSWERED]++;
}

void
announce_frame(struct port *p, const struct frame_info *fi)
{
	struct vipd *d = p->d;
	struct vgroup *g;
	size_t idx;

	switch (fi->kind) {
	case FRAME_ARP_REQUEST:
		/* A request whose sender is our VIP (a gratuitous request, or
		 * a host using the VIP) also says who holds it. */
		if (!fi->probe &&
		    (g = vipmap_find(d->map, &fi->sender, &idx)) &&
		    g->port == p)
			claim_seen(g, idx, fi->mac);
		if (fi->gratuitous)
			return;
		if ((g = vipmap_find(d->map, &fi->target, &idx)) &&
		    g->port == p)
			answer(p, g, idx, fi);
		return;
	case FRAME_ARP_REPLY:
		if ((g = vipmap_find(d->map, &fi->sender, &idx)) &&
		    g->port == p)
			claim_seen(g, idx, fi->mac);
		return;
	case FRAME_NDP_NS:
		if ((g = vipmap_find(d->map, &fi->target, &idx)) &&
		    g->port == p)
			answer(p, g, idx, fi);
		return;
	case FRAME_NDP_NA:
		if ((g = vipmap_find(d->map, &fi->target, &idx)) &&
		    g->port == p)
			claim_seen(g, idx, fi->mac);
		return;
	}
}
