/*
 * A VIP group at run time: its election slot, its VIPs, its interface, its
 * part of the pin, and the two actions the election drives — take over
 * (bind, pin, announce, answer) and release (stop answering at once,
 * unbind, unpin).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vipd.h"

/* The names are ctlproto's: vipd_group_fault lists them all. */
const char *
group_fault_name(enum group_fault f)
{
	switch (f) {
	case GF_NONE:
		return "";
	case GF_NO_INTERFACE:
		return ctl_fault_name(CTL_FAULT_NO_INTERFACE);
	case GF_LINK_DOWN:
		return ctl_fault_name(CTL_FAULT_LINK_DOWN);
	case GF_NETLINK:
		return ctl_fault_name(CTL_FAULT_NETLINK);
	case GF_L2:
		return ctl_fault_name(CTL_FAULT_CAPTURE);
	case GF_CHECK:
		return ctl_fault_name(CTL_FAULT_CHECK);
	}
	return "?";
}

enum ctl_transition
group_transition_reason(enum el_reason r)
{
	switch (r) {
	case EL_R_SOLO:
	case EL_R_NO_LEADER:
		return CTL_TR_STARTUP;
	case EL_R_LEADER_DEAD:
	case EL_R_LEADER_UNREACHABLE:
	case EL_R_LEADER_FAULT:
	case EL_R_FALLBACK:
		return CTL_TR_LEADER_LOST;
	case EL_R_LEADER_RESIGNED:
	case EL_R_RESIGN:
	case EL_R_RESIGN_DONE:
	case EL_R_RESIGN_TIMEOUT:
		return CTL_TR_HANDOVER;
	case EL_R_PREEMPT:
	case EL_R_PREEMPTED:
	case EL_R_HANDOVER: /* a better peer asked for the group */
		return CTL_TR_PREEMPT;
	case EL_R_SPLIT_YIELD:
	case EL_R_SPLIT_WIN:
	case EL_R_DATAPLANE_YIELD:
	case EL_R_DATAPLANE_WIN:
	case EL_R_DEAF_PEER: /* one-way loss made two leaders */
		return CTL_TR_TWO_LEADERS;
	case EL_R_FAULT:
		return CTL_TR_FAULT;
	case EL_R_RECOVERED:
		return CTL_TR_RECOVERED;
	case EL_R_STALL:
	case EL_R_STALL_REASSERT:
		return CTL_TR_STALL;
	case EL_R_NONE:
	case EL_R_PEER_RETURNED:
	case EL_REASON_MAX:
		break;
	}
	return CTL_TR_OTHER;
}

struct vgroup *
group_find(struct vipd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] && strcmp(d->groups[i]->cg.name, name) == 0)
			return d->groups[i];
	return NULL;
}

void
group_pin_conf(const struct conf_group *cg, const struct net_addr *vips,
               struct pin_group_conf *pc)
{
	const struct conf_route *r = &cg->route;

	memset(pc, 0, sizeof(*pc));
	pc->name = cg->name;
	pc->ifname = cg->interface;
	pc->bind = cg->bind;
	pc->route.mode = r->pin;
	pc->route.table = r->table;
	pc->route.priority = r->priority;
	if (r->has_gateway)
		pc->route.gw4 = vipd_addr(&r->gateway);
	if (r->has_gateway6)
		pc->route.gw6 = vipd_addr(&r->gateway6);
	pc->vips = vips;
	pc->nvips = vips != NULL ? cg->nvips : 0;
}

/* The group's part of the pin, on its port's interface. */
static int
pin_create(struct vgroup *g, char *err, size_t errlen)
{
	struct net_addr *vips = calloc(g->nvips ? g->nvips : 1, sizeof(*vips));
	struct pin_group_conf pc;
	struct pin_link link;
	size_t i;

	if (vips != NULL) {
		for (i = 0; i < g->nvips; i++)
			vips[i] = g->vips[i].addr;
		group_pin_conf(&g->cg, vips, &pc);
		port_pin_link(g->port, &link);
		g->pin = pin_group_new(g->d->pin, &pc, &link, g);
		free(vips);
	}
	if (g->pin == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void
el_params(const struct vgroup *g, struct el_group_config *gc)
{
	memset(gc, 0, sizeof(*gc));
	gc->name = g->cg.name;
	gc->priority =
	    (uint8_t)(g->eff_priority ? g->eff_priority : g->cg.priority);
	gc->preempt = g->cg.preempt;
	gc->preempt_delay_ms = g->cg.preempt_delay_ms;
	if (g->port != NULL && g->port->l2 != NULL)
		memcpy(gc->mac, l2_port_mac(g->port->l2), EL_MAC_LEN);
}

/* Tell the election our MAC changed (interface re-created, MAC set). */
void
group_update_election(struct vgroup *g)
{
	struct el_group_config gc;

	el_params(g, &gc);
	el_cluster_group_update(g->d->el, g->el_idx, &gc, ev_now(g->d->loop));
}

static int
vips_create(struct vgroup *g, char *err, size_t errlen)
{
	size_t i;

	g->nvips = g->cg.nvips;
	g->vips = calloc(g->nvips ? g->nvips : 1, sizeof(*g->vips));
	if (g->vips == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->nvips; i++) {
		g->vips[i].addr = vipd_addr(&g->cg.vips[i]);
		if (vipmap_add(g->d->map, &g->vips[i].addr, g, i) == -1) {
			char a[NET_ADDR_STRLEN];

			snprintf(err, errlen, "group %s: VIP %s: %s",
			         g->cg.name,
			         net_addr_str(&g->vips[i].addr, a, sizeof(a)),
			         errno == EEXIST ? "already in another group"
			                         : strerror(errno));
			while (i-- > 0)
				vipmap_del(g->d->map, &g->vips[i].addr);
			g->nvips = 0;
			return -1;
		}
	}
	return 0;
}

static void unbind_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);

struct vgroup *
group_new(struct vipd *d, const struct conf_group *cg, char *err, size_t errlen)
{
	struct vgroup *g = calloc(1, sizeof(*g));
	struct el_group_config gc;
	enum group_fault f;
	const char *text;
	int idx;

	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->d = d;
	g->cg = *cg;
	ev_timer_init(&g->burst_timer, announce_burst_cb, g);
	ev_timer_init(&g->refresh_timer, announce_refresh_cb, g);
	ev_timer_init(&g->probe_timer, announce_probe_cb, g);
	ev_timer_init(&g->reprobe_timer, announce_reprobe_cb, g);
	ev_timer_init(&g->defend_timer, announce_defend_cb, g);
	ev_timer_init(&g->unbind_timer, unbind_cb, g);
	if (vips_create(g, err, errlen) == -1) {
		free(g->vips);
		free(g);
		return NULL;
	}
	g->port = port_get(d, cg->interface);
	if (pin_create(g, err, errlen) == -1) {
		g->el_idx = SIZE_MAX;
		group_free(g);
		return NULL;
	}
	el_params(g, &gc);
	idx = el_cluster_group_add(d->el, &gc, ev_now(d->loop));
	if (idx < 0) {
		snprintf(err, errlen, "group %s: election: %s", cg->name,
		         strerror(errno));
		g->el_idx = SIZE_MAX;
		group_free(g);
		return NULL;
	}
	g->el_idx = (size_t)idx;
	if ((f = port_fault(g->port, &text)) != GF_NONE)
		group_set_fault(g, f, text);
	pin_group_check(g->pin);
	if (g->cg.route.pin == CONF_ROUTE_ALWAYS && g->fault == GF_NONE)
		pin_route_up(g->pin);
	if (g->fault == GF_NONE)
		announce_probe_start(g);
	return g;
}

void
group_free(struct vgroup *g)
{
	size_t i;

	if (g == NULL)
		return;
	ev_timer_stop(g->d->loop, &g->burst_timer);
	ev_timer_stop(g->d->loop, &g->refresh_timer);
	ev_timer_stop(g->d->loop, &g->probe_timer);
	ev_timer_stop(g->d->loop, &g->reprobe_timer);
	ev_timer_stop(g->d->loop, &g->add_timer);
	ev_timer_stop(g->d->loop, &g->defend_timer);
	ev_timer_stop(g->d->loop, &g->unbind_timer);
	for (i = 0; i < g->nvips; i++)
		vipmap_del(g->d->map, &g->vips[i].addr);
	/* Out of the root's table before the port recomputes its filter
	 * from the groups still there. */
	if (g->el_idx < g->d->ngroups && g->d->groups[g->el_idx] == g)
		g->d->groups[g->el_idx] = NULL;
	pin_group_free(g->pin);
	if (g->port)
		port_put(g->port);
	free(g->vips);
	free(g);
}

void
group_log_summary(const struct vgroup *g)
{
	char a[NET_ADDR_STRLEN];

	log_info(
	    "group %s: interface %s, %zu VIP%s (first %s), priority %u, "
	    "preempt %s, bind %s, route pin %s",
	    g->cg.name, g->cg.interface, g->nvips, g->nvips == 1 ? "" : "s",
	    g->nvips ? net_addr_str(&g->vips[0].addr, a, sizeof(a)) : "-",
	    g->cg.priority, g->cg.preempt ? "on" : "off",
	    conf_bind_name(g->cg.bind), conf_route_pin_name(g->cg.route.pin));
}

/* The transition's reason in words, for the log and for status. */
static void
reason_text(const struct vgroup *g, const struct el_event *ev, char *buf,
            size_t len)
{
	const char *p = ev->peer[0] ? ev->peer : "a peer";

	switch (ev->reason) {
	case EL_R_SOLO:
		snprintf(buf, len, "no peers configured");
		break;
	case EL_R_NO_LEADER:
		snprintf(buf, len, "no leader heard after start-up");
		break;
	case EL_R_LEADER_DEAD:
		snprintf(buf, len, "%s missed %u heartbeats", p, ev->missed);
		break;
	case EL_R_LEADER_UNREACHABLE:
		snprintf(buf, len, "%s's heartbeat port is unreachable", p);
		break;
	case EL_R_LEADER_RESIGNED:
		snprintf(buf, len, "%s handed over", p);
		break;
	case EL_R_LEADER_FAULT:
		snprintf(buf, len, "%s reported a fault", p);
		break;
	case EL_R_PREEMPT:
		snprintf(buf, len, "preempting %s (we rank higher)", p);
		break;
	case EL_R_PREEMPTED:
		snprintf(buf, len, "%s ranks higher and took over", p);
		break;
	case EL_R_SPLIT_YIELD:
		snprintf(buf, len, "two leaders: %s ranks higher", p);
		break;
	case EL_R_SPLIT_WIN:
		snprintf(buf, len, "two leaders: we rank higher than %s", p);
		break;
	case EL_R_DATAPLANE_YIELD:
		snprintf(buf, len, "%s announces our VIPs and ranks higher", p);
		break;
	case EL_R_DATAPLANE_WIN:
		snprintf(buf, len, "%s announces our VIPs; we rank higher", p);
		break;
	case EL_R_FAULT:
		if (g->d->finishing)
			snprintf(buf, len, "vipd is stopping");
		else
			snprintf(buf, len, "fault: %s",
			         g->fault_text[0] ? g->fault_text
			                          : "ineligible");
		break;
	case EL_R_RECOVERED:
		snprintf(buf, len, "fault cleared");
		break;
	case EL_R_RESIGN:
		snprintf(buf, len, "handing over");
		break;
	case EL_R_RESIGN_DONE:
		snprintf(buf, len, "%s took over", p);
		break;
	case EL_R_RESIGN_TIMEOUT:
		snprintf(buf, len, "no successor took over in time");
		break;
	case EL_R_STALL:
		snprintf(buf, len, "our loop stalled; listening");
		break;
	case EL_R_STALL_REASSERT:
		snprintf(buf, len, "no better leader heard after the stall");
		break;
	case EL_R_PEER_RETURNED:
		snprintf(buf, len, "%s is back; announcing again", p);
		break;
	case EL_R_DEAF_PEER:
		snprintf(buf, len, "%s leads and cannot hear us; yielding", p);
		break;
	case EL_R_HANDOVER:
		snprintf(buf, len,
		         "%s ranks higher and asks for the group; "
		         "handing over",
		         p);
		break;
	case EL_R_FALLBACK:
		snprintf(buf, len, "best candidate %s did not take over", p);
		break;
	default:
		snprintf(buf, len, "%s", el_reason_name(ev->reason));
		break;
	}
}

static void
takeover(struct vgroup *g)
{
	if (g->leading)
		return;
	/* Taken back while holding: the VIPs are still bound. */
	ev_timer_stop(g->d->loop, &g->unbind_timer);
	if (g->probe_until != 0) {
		/* Never announce an address before its conflict probe ended:
		 * the action runs when the window closes. */
		g->takeover_pending = true;
		return;
	}
	g->leading = true;
	g->ctr[CTL_GC_TAKEOVERS]++;
	vipd_event(g->d, EVK_TAKEOVER, g, -1, -1, "%s", g->last_text);
	/* Bind before announcing, so that the first packet a neighbour sends
	 * after our gratuitous ARP finds the address. */
	pin_group_up(g->pin);
	announce_start(g);
}

void
group_prebind(struct vgroup *g, const struct el_event *ev)
{
	/* Only bind = "local": the VIP on lo draws no ARP answer from the
	 * kernel, so the old leader stays the only answerer until it hears
	 * us.  Errors are takeover()'s to handle (it binds again). */
	if (ev->action != EL_ACT_TAKEOVER || g->cg.bind != CONF_BIND_LOCAL ||
	    g->leading || g->probe_until != 0 || g->fault != GF_NONE)
		return;
	(void)pin_group_up(g->pin);
}

void
group_takeover_now(struct vgroup *g)
{
	g->takeover_pending = false;
	takeover(g);
}

static void
release(struct vgroup *g, enum el_reason reason)
{
	g->takeover_pending = false;
	if (!g->leading)
		return;
	/* Stop answering first: the successor owns the VIP from now on. */
	g->leading = false;
	g->ctr[CTL_GC_RELEASES]++;
	vipd_event(g->d, EVK_RELEASE, g, -1, -1, "%s", g->last_text);
	announce_stop(g);
	/* A handover: we heard the successor lead, and its gratuitous ARP
	 * follows that heartbeat.  Until the clients have it, their SYNs
	 * still come here, and answers to the connections just accepted
	 * still leave from here: keep the VIPs on lo (no ARP answer) for
	 * one interval. */
	if (reason == EL_R_RESIGN_DONE && g->cg.bind == CONF_BIND_LOCAL) {
		ev_timer_start_in(g->d->loop, &g->unbind_timer,
		                  g->d->cfg->interval_ms);
		return;
	}
	pin_group_down(g->pin);
}

static void
unbind_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vgroup *g = arg;

	(void)loop;
	(void)t;
	if (g->leading)
		return;
	pin_group_down(g->pin);
	vipd_el_flush(g->d); /* a stop may have waited for this */
}

bool
group_holding(const struct vgroup *g)
{
	return g->unbind_timer.active;
}

void
group_apply(struct vgroup *g, const struct el_event *ev)
{
	char why[400];

	reason_text(g, ev, why, sizeof(why));
	if (ev->from != ev->to)
		log_info("group %s: %s -> %s: %s", g->cg.name,
		         el_state_name(ev->from), el_state_name(ev->to), why);
	else if (ev->action != EL_ACT_NONE || ev->reason != EL_R_NONE)
		log_info("group %s: %s: %s", g->cg.name, el_state_name(ev->to),
		         why);
	if (ev->from != ev->to) {
		snprintf(g->last_text, sizeof(g->last_text), "%s", why);
		g->trans[group_transition_reason(ev->reason)]++;
		events_group_state(g, ev->from, ev->to, why);
	}
	switch (ev->action) {
	case EL_ACT_TAKEOVER:
		takeover(g);
		break;
	case EL_ACT_RELEASE:
		release(g, ev->reason);
		break;
	case EL_ACT_REANNOUNCE:
		if (g->leading)
			announce_reannounce(g);
		break;
	case EL_ACT_NONE:
		break;
	}
}

void
group_set_fault(struct vgroup *g, enum group_fault f, const char *text)
{
	bool was = g->fault != GF_NONE;

	/* Another fault ending uncovers a check fault still there. */
	if (f == GF_NONE && g->check_fault[0] != '\0') {
		f = GF_CHECK;
		text = g->check_fault;
	}
	if (g->fault == f && (f == GF_NONE || strcmp(g->fault_text, text) == 0))
		return;
	g->fault = f;
	pin_group_set_fault(g->pin, f == GF_NONE      ? PIN_FAULT_NONE
	                            : f == GF_NETLINK ? PIN_FAULT_NETLINK
	                                              : PIN_FAULT_OTHER);
	snprintf(g->fault_text, sizeof(g->fault_text), "%s",
	         f == GF_NONE ? "" : text);
	if (f != GF_NONE) {
		log_warnx("group %s: fault (%s): %s", g->cg.name,
		          group_fault_name(f), text);
		vipd_event(g->d, EVK_FAULT, g, -1, -1, "%s: %s",
		           group_fault_name(f), text);
	} else if (was) {
		log_info("group %s: fault cleared", g->cg.name);
		vipd_event(g->d, EVK_FAULT_CLEARED, g, -1, -1, "fault cleared");
	}
	el_cluster_group_set_fault(g->d->el, g->el_idx, f != GF_NONE,
	                           ev_now(g->d->loop));
	if (f == GF_NONE && was) {
		if (g->cg.route.pin == CONF_ROUTE_ALWAYS)
			pin_route_up(g->pin);
		if (!g->probed)
			announce_probe_start(g);
	}
}
