/*
 * A group changed in place by a reload.  Its identity is its name: whatever
 * else changes, the group keeps its election slot and state, so that adding
 * a VIP to the leading group does not send it through backup.  VIPs are
 * compared as sets; kept VIPs keep their runtime state (conflicts) and
 * their relative order, removed ones leave first (group_vips_drop, for
 * every changed group before any is updated), added ones go last, where
 * their own takeover burst finds them.  The track list and the notify
 * settings are read from g->cg when used: taking cg is all they need
 * (track_reload then re-evaluates every group's tracking).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vipd.h"

static bool
garp_same(const struct conf_garp *a, const struct conf_garp *b)
{
	return a->count == b->count && a->interval_ms == b->interval_ms &&
	       a->refresh_s == b->refresh_s;
}

static bool
route_same(const struct conf_route *a, const struct conf_route *b)
{
	if (a->pin != b->pin || a->table != b->table ||
	    a->priority != b->priority || a->has_gateway != b->has_gateway ||
	    a->has_gateway6 != b->has_gateway6)
		return false;
	if (a->has_gateway &&
	    memcmp(&a->gateway, &b->gateway, sizeof(a->gateway)) != 0)
		return false;
	return !a->has_gateway6 ||
	       memcmp(&a->gateway6, &b->gateway6, sizeof(a->gateway6)) == 0;
}

/* Same checks (by name: indices are per config) with the same weights. */
static bool
track_same(const struct conf_group *a, const struct conf_group *b)
{
	size_t k;

	if (a->ntrack != b->ntrack)
		return false;
	for (k = 0; k < a->ntrack; k++)
		if (strcmp(a->track[k].name, b->track[k].name) != 0 ||
		    a->track[k].weight != b->track[k].weight)
			return false;
	return true;
}

/* How many of cg's VIPs g holds now (the map says whose a VIP is). */
static size_t
vips_common(const struct vgroup *g, const struct conf_group *cg)
{
	size_t i, n = 0;

	for (i = 0; i < cg->nvips; i++) {
		struct net_addr a = vipd_addr(&cg->vips[i]);

		n += vipmap_find(g->d->map, &a, NULL) == g;
	}
	return n;
}

bool
group_diff(const struct vgroup *g, const struct conf_group *cg,
           struct group_change *ch)
{
	const struct conf_group *o = &g->cg;
	size_t common = vips_common(g, cg);

	memset(ch, 0, sizeof(*ch));
	ch->vips_added = cg->nvips - common;
	ch->vips_removed = g->nvips - common;
	ch->prio_from = o->priority;
	ch->prio_to = cg->priority;
	ch->preempt = o->preempt != cg->preempt;
	ch->preempt_delay = o->preempt_delay_ms != cg->preempt_delay_ms;
	ch->garp = !garp_same(&o->garp, &cg->garp);
	ch->conflict = o->conflict != cg->conflict;
	ch->bind = o->bind != cg->bind;
	ch->route = !route_same(&o->route, &cg->route);
	ch->interface = strcmp(o->interface, cg->interface) != 0;
	ch->track = !track_same(o, cg);
	ch->notify = strcmp(o->notify, cg->notify) != 0 ||
	             o->notify_timeout_ms != cg->notify_timeout_ms;
	return ch->vips_added || ch->vips_removed ||
	       ch->prio_from != ch->prio_to || ch->preempt ||
	       ch->preempt_delay || ch->garp || ch->conflict || ch->bind ||
	       ch->route || ch->interface || ch->track || ch->notify;
}

/* Tell the pin the group's VIPs (in g->vips order) and settings (cg). */
static int
pin_follow(struct vgroup *g, const struct conf_group *cg)
{
	struct net_addr *vips = calloc(g->nvips ? g->nvips : 1, sizeof(*vips));
	struct pin_group_conf pc;
	struct conf_group c = *cg;
	struct pin_link link;
	size_t i;
	int rc;

	if (vips == NULL)
		return -1;
	for (i = 0; i < g->nvips; i++)
		vips[i] = g->vips[i].addr;
	c.nvips = g->nvips;
	group_pin_conf(&c, vips, &pc);
	port_pin_link(g->port, &link);
	rc = pin_group_update(g->pin, &pc, &link, g->leading);
	for (i = 0; i < g->nvips; i++)
		pin_vip_set_yielded(g->pin, i, vip_yielded(g, &g->vips[i]));
	free(vips);
	return rc;
}

static void
filter_dirty(struct port *p)
{
	if (p == NULL)
		return;
	p->filter_dirty = true;
	port_refresh_filter(p);
}

void
group_vips_drop(struct vgroup *g, const struct conf_group *cg)
{
	bool *keep = calloc(g->nvips ? g->nvips : 1, sizeof(*keep));
	size_t i, j, n = 0, first = g->nvips;

	if (keep == NULL)
		return; /* group_update then finds them still there */
	for (i = 0; i < cg->nvips; i++) {
		struct net_addr a = vipd_addr(&cg->vips[i]);
		size_t idx;

		if (vipmap_find(g->d->map, &a, &idx) == g)
			keep[idx] = true;
	}
	for (i = 0; i < g->nvips; i++)
		n += keep[i];
	if (n == g->nvips) {
		free(keep);
		return;
	}
	/* Out of the map first: from here on nothing answers for them. */
	for (i = 0; i < g->nvips; i++)
		vipmap_del(g->d->map, &g->vips[i].addr);
	for (i = j = 0; i < g->nvips; i++) {
		if (!keep[i])
			continue;
		if (i >= g->add_first && first == g->nvips)
			first = j; /* the added VIPs' burst follows them */
		g->vips[j++] = g->vips[i];
	}
	g->add_first = first == g->nvips ? j : first;
	g->nvips = j;
	for (i = 0; i < g->nvips; i++)
		vipmap_add(g->d->map, &g->vips[i].addr, g, i);
	free(keep);
	filter_dirty(g->port);
	pin_follow(g, &g->cg);
}

/* Append cg's VIPs g lacks; returns the index of the first one added. */
static int
vips_add(struct vgroup *g, const struct conf_group *cg, size_t *first,
         char *err, size_t errlen)
{
	struct vip *nv;
	size_t i, n = g->nvips, cap = g->nvips + cg->nvips;

	*first = g->nvips;
	nv = realloc(g->vips, (cap ? cap : 1) * sizeof(*nv));
	if (nv == NULL) {
		snprintf(err, errlen, "group %s: out of memory", cg->name);
		return -1;
	}
	g->vips = nv;
	for (i = 0; i < cg->nvips; i++) {
		struct net_addr a = vipd_addr(&cg->vips[i]);
		char s[NET_ADDR_STRLEN];

		if (vipmap_find(g->d->map, &a, NULL) == g)
			continue;
		memset(&nv[n], 0, sizeof(nv[n]));
		nv[n].addr = a;
		if (vipmap_add(g->d->map, &a, g, n) == -1) {
			snprintf(err, errlen, "group %s: VIP %s: %s", cg->name,
			         net_addr_str(&a, s, sizeof(s)),
			         errno == EEXIST ? "already in another group"
			                         : strerror(errno));
			continue;
		}
		n++;
	}
	g->nvips = n;
	return 0;
}

/* A new interface: the port of the new one, its faults, its MAC. */
static void
port_move(struct vgroup *g, const char *ifname)
{
	struct port *old = g->port, *np = port_get(g->d, ifname);

	if (np == NULL)
		return; /* out of memory: stays on the old port */
	g->port = np;
	if (old != NULL)
		port_put(old);
}

static void
log_change(const struct vgroup *g, const struct group_change *ch)
{
	log_info("group %s: changed in place: VIPs +%zu -%zu, priority %u -> "
	         "%u%s%s%s%s%s%s%s%s%s",
	         g->cg.name, ch->vips_added, ch->vips_removed, ch->prio_from,
	         ch->prio_to, ch->preempt ? ", preempt" : "",
	         ch->preempt_delay ? ", preempt_delay" : "",
	         ch->garp ? ", garp" : "", ch->conflict ? ", conflict" : "",
	         ch->bind ? ", bind" : "", ch->route ? ", route" : "",
	         ch->interface ? ", interface" : "", ch->track ? ", track" : "",
	         ch->notify ? ", notify" : "");
}

int
group_update(struct vgroup *g, const struct conf_group *cg, char *err,
             size_t errlen)
{
	struct vipd *d = g->d;
	struct group_change ch;
	enum group_fault f;
	const char *text;
	size_t first;
	int rc = 0;

	if (!group_diff(g, cg, &ch)) {
		g->cg = *cg; /* its VIPs now point into the new config */
		return 0;
	}
	log_change(g, &ch);
	if (vips_add(g, cg, &first, err, errlen) == -1)
		rc = -1;
	if (ch.interface)
		port_move(g, cg->interface);
	g->cg = *cg;
	/* Tunables alone (priority, preemption, garp) leave the filter and
	 * the kernel as they are: rebuilding either costs ~40 ms at 1,000
	 * VIPs (bench/reload.sh). */
	if ((ch.vips_added || ch.vips_removed || ch.bind || ch.route ||
	     ch.interface || ch.conflict)) {
		filter_dirty(g->port);
		if (pin_follow(g, cg) == -1 && rc == 0) {
			snprintf(err, errlen,
			         "group %s: installing the change failed",
			         cg->name);
			rc = -1;
		}
	}
	if (ch.interface) {
		f = port_fault(g->port, &text);
		group_set_fault(g, f, f == GF_NONE ? "" : text);
		if (g->leading)
			announce_start(g); /* everything anew on the new wire */
	} else if (g->leading && ch.conflict) {
		announce_reannounce(g); /* VIPs it yielded may be claimed */
	} else if (g->leading && first < g->nvips) {
		/* VIPs added by an earlier reload still in their burst are
		 * last but one: this burst covers them too. */
		if (g->add_timer.active && g->add_first < first)
			first = g->add_first;
		announce_added(g, first);
	}
	if (ch.garp && g->leading && !g->burst_timer.active &&
	    g->cg.garp.refresh_s > 0)
		ev_timer_start(d->loop, &g->refresh_timer,
		               ev_now(d->loop) +
		                   (uint64_t)g->cg.garp.refresh_s * 1000);
	else if (ch.garp && g->cg.garp.refresh_s == 0)
		ev_timer_stop(d->loop, &g->refresh_timer);
	if (ch.prio_from != ch.prio_to || ch.preempt || ch.preempt_delay ||
	    ch.interface)
		group_update_election(g);
	if (el_cluster_outranked(d->el, g->el_idx, ev_now(d->loop))) {
		log_info("group %s: a peer now ranks higher; handing over",
		         g->cg.name);
		el_cluster_resign(d->el, g->el_idx, ev_now(d->loop));
	}
	return rc;
}
