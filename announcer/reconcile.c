/*
 * Keeping what vipd installed in place: netlink notifications that say
 * one of our addresses, rules or table routes went (someone ran `ip rule
 * del`, an interface was re-created) trigger a reconcile pass that puts
 * back what is missing, at once; the daemon also runs one periodically in
 * case notifications were lost.  Groups in a netlink fault (table in use,
 * no gateway) are retried when a route or address change may have removed
 * the cause, and on a back-off timer.
 */
#include "config.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netcfg_int.h"

static bool
addr_present(const struct vec *va, const struct rtnl_addr *ra)
{
	size_t i;

	for (i = 0; i < va->n; i++) {
		const struct rtnl_addr *a = VEC_AT(va, struct rtnl_addr, i);

		if (a->ifindex == ra->ifindex &&
		    net_addr_eq(&a->addr, &ra->addr))
			return true;
	}
	return false;
}

/* Our rule only: a user's rule with the same selector does not stand in
 * for it (we would not be able to remove it). */
static bool
rule_present(const struct vec *vr, const struct rtnl_rule *r)
{
	size_t i;

	for (i = 0; i < vr->n; i++) {
		const struct rtnl_rule *x = VEC_AT(vr, struct rtnl_rule, i);

		if (x->family == r->family && x->src_len == r->src_len &&
		    net_addr_eq(&x->src, &r->src) && x->table == r->table &&
		    x->priority == r->priority && x->proto == r->proto)
			return true;
	}
	return false;
}

/* Put back the group's addresses and rules; one that cannot be put back
 * faults the group (a leader without its VIP or pin must hand over). */
static void
reconcile_group(struct netcfg *nc, struct vgroup *g, const struct vec *va,
                const struct vec *vr)
{
	char a[NET_ADDR_STRLEN], err[256];
	size_t i;

	for (i = 0; i < g->nvips; i++) {
		struct vip *v = &g->vips[i];
		struct rtnl_addr ra;
		struct rtnl_rule r;

		net_addr_str(&v->addr, a, sizeof(a));
		nc_vip_addr(g, v, &ra);
		if (v->bound && ra.ifindex != 0 && !addr_present(va, &ra)) {
			log_warnx("group %s: address %s was removed by someone "
			          "else; restoring it",
			          g->cg.name, a);
			v->bound = v->adopted = false;
			if (nc_vip_bind(nc, g, v) == -1) {
				snprintf(err, sizeof(err),
				         "restoring address %s: %s", a,
				         rtnl_error(nc->d->nl));
				nc_fault(nc, g, err);
				return;
			}
			nc->d->ctr[CTL_DC_RECONCILED]++;
		}
		nc_vip_rule(g, v, &r);
		if (v->rule && !rule_present(vr, &r)) {
			log_warnx(
			    "group %s: policy rule from %s was removed by "
			    "someone else; restoring it",
			    g->cg.name, a);
			v->rule = false;
			if (nc_vip_rule_add(nc, g, v) == -1) {
				snprintf(err, sizeof(err),
				         "restoring policy rule from %s: %s", a,
				         rtnl_error(nc->d->nl));
				netcfg_route_down(nc, g);
				nc_fault(nc, g, err);
				return;
			}
			nc->d->ctr[CTL_DC_RECONCILED]++;
		}
	}
}

/*
 * A table cannot be brought back (the interface lost the gateway's subnet,
 * ...): its groups' pins are down in effect, so take them down and fault
 * the groups — a leader hands over to a node whose pin works — until a
 * retry finds the cause gone.
 */
static void
table_failed(struct netcfg *nc, const struct nc_table *t, const char *err)
{
	struct vipd *d = nc->d;
	uint32_t table = t->table;
	int family = t->family;
	size_t i;

	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL || !g->route_up || g->cg.route.table != table ||
		    !nc_group_has_family(g, family))
			continue;
		netcfg_route_down(nc, g);
		nc_fault(nc, g, err);
	}
}

/* Put back what someone removed, adapt tables to subnet changes. */
static void
reconcile(struct netcfg *nc)
{
	struct vipd *d = nc->d;
	struct vec va = VEC_INIT(struct rtnl_addr, false);
	struct vec vr = VEC_INIT(struct rtnl_rule, false);
	char err[256];
	size_t i;

	nc->dirty = false;
	for (i = 0; i < nc->ntables; i++)
		if (nc->tables[i].refs > 0 &&
		    nc_table_sync(nc, &nc->tables[i], true, err, sizeof(err)) ==
		        -1)
			table_failed(nc, &nc->tables[i], err);
	if (nc_addr_dump(nc, 0, 0, &va) == -1 ||
	    nc_rule_dump(nc, 0, &vr) == -1) {
		nc_failed(nc, "reconcile: reading addresses and rules", NULL);
		goto out;
	}
	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g != NULL && g->fault == GF_NONE)
			reconcile_group(nc, g, &va, &vr);
	}
out:
	free(va.p);
	free(vr.p);
}

/* --------------------------------------------------------------- faults */

static bool
any_netlink_fault(const struct vipd *d)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] != NULL && d->groups[i]->fault == GF_NETLINK)
			return true;
	return false;
}

/* Clear the netlink fault of groups whose pin could go up now; the others
 * get the current reason as their fault text. */
static void
retry_faults(struct netcfg *nc)
{
	struct vipd *d = nc->d;
	const char *text;
	char err[256];
	size_t i;

	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL || g->fault != GF_NETLINK ||
		    port_fault(g->port, &text) != GF_NONE)
			continue;
		if (nc_pin_check(nc, g, err, sizeof(err)) == 0)
			group_set_fault(g, GF_NONE, "");
		else
			group_set_fault(g, GF_NETLINK, err);
	}
}

void
nc_fault(struct netcfg *nc, struct vgroup *g, const char *text)
{
	group_set_fault(g, GF_NETLINK, text);
	nc_retry_arm(nc);
}

void
nc_retry_arm(struct netcfg *nc)
{
	if (!nc->retry_timer.active)
		ev_timer_start_in(nc->d->loop, &nc->retry_timer, nc->retry_ms);
}

void
nc_retry_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct netcfg *nc = arg;

	retry_faults(nc);
	vipd_el_flush(nc->d); /* a cleared group may take over, and fail */
	if (!any_netlink_fault(nc->d)) {
		nc->retry_ms = NC_RETRY_MIN_MS;
		ev_timer_stop(loop, t);
		return;
	}
	nc->retry_ms = nc->retry_ms * 2 > NC_RETRY_MAX_MS ? NC_RETRY_MAX_MS
	                                                  : nc->retry_ms * 2;
	ev_timer_start_in(loop, t, nc->retry_ms);
}

/* ------------------------------------------------------------ triggers */

void
nc_reconcile_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct netcfg *nc = arg;

	(void)loop;
	(void)t;
	reconcile(nc);
	if (nc->retry_now) {
		nc->retry_now = false;
		retry_faults(nc);
	}
	vipd_el_flush(nc->d);
}

void
netcfg_reconcile(struct netcfg *nc)
{
	reconcile(nc);
	retry_faults(nc);
	vipd_el_flush(nc->d);
}

static void
mark_dirty(struct netcfg *nc)
{
	if (!nc->dirty) {
		nc->dirty = true;
		/* Coalesce a batch of notifications into one pass, run as
		 * soon as the batch is read. */
		ev_timer_start_in(nc->d->loop, &nc->timer, 0);
	}
}

/* Is some group in a netlink fault waiting for this route change?  Only
 * changes by others count (ours would make a failing retry loop). */
static bool
route_may_unblock(const struct netcfg *nc, const struct rtnl_route *r)
{
	const struct vipd *d = nc->d;
	size_t i;

	if (r->proto == RTNL_PROTO_VIPD)
		return false;
	for (i = 0; i < d->ngroups; i++) {
		const struct vgroup *g = d->groups[i];

		if (g != NULL && g->fault == GF_NETLINK &&
		    (r->table == g->cg.route.table ||
		     (r->table == RT_TABLE_MAIN && r->dst_len == 0)))
			return true;
	}
	return false;
}

static bool
addr_may_unblock(const struct netcfg *nc, const struct rtnl_addr *a)
{
	const struct vipd *d = nc->d;
	size_t i;

	if (a->proto == RTNL_PROTO_VIPD || nc_is_vip(d, &a->addr))
		return false;
	for (i = 0; i < d->ngroups; i++) {
		const struct vgroup *g = d->groups[i];

		if (g != NULL && g->fault == GF_NETLINK && g->port != NULL &&
		    g->port->present && g->port->ifindex == a->ifindex)
			return true;
	}
	return false;
}

/* A default route in main changed on an interface whose table follows a
 * discovered gateway. */
static bool
gw_may_change(const struct netcfg *nc, const struct rtnl_route *r)
{
	size_t i;

	if (r->table != RT_TABLE_MAIN || r->dst_len != 0 ||
	    r->proto == RTNL_PROTO_VIPD)
		return false;
	for (i = 0; i < nc->ntables; i++) {
		const struct nc_table *t = &nc->tables[i];

		if (t->refs > 0 && !t->gw_configured &&
		    t->family == r->family && t->ifindex == r->oif)
			return true;
	}
	return false;
}

static bool
table_uses_if(const struct netcfg *nc, int ifindex)
{
	size_t i;

	for (i = 0; i < nc->ntables; i++)
		if (nc->tables[i].refs > 0 && nc->tables[i].ifindex == ifindex)
			return true;
	return false;
}

static bool
table_ours(const struct netcfg *nc, uint32_t table)
{
	size_t i;

	for (i = 0; i < nc->ntables; i++)
		if (nc->tables[i].refs > 0 && nc->tables[i].table == table)
			return true;
	return false;
}

/* What a link notification may change about a port. */
struct port_snap {
	bool present, up;
	int ifindex;
};

/*
 * A link changed: let port.c re-flag its port, then handle what a port
 * that appeared (or was re-created under a new index) needs from us: the
 * sysctls of a new interface are the defaults again.  Any change of
 * presence, index or carrier is a reason to sync the tables (routes go out
 * of the new index; setting a link down removed them).
 */
static void
link_changed(struct netcfg *nc, const struct rtnl_link *l, bool deleted)
{
	struct vipd *d = nc->d;
	size_t i, j, n = d->nports;
	struct port_snap *before = calloc(n ? n : 1, sizeof(*before));

	for (i = 0; before != NULL && i < n; i++) {
		before[i].present = d->ports[i]->present;
		before[i].up = d->ports[i]->oper_up;
		before[i].ifindex = d->ports[i]->ifindex;
	}
	port_link_event(d, l, deleted);
	for (i = 0; before != NULL && i < n && i < d->nports; i++) {
		struct port *p = d->ports[i];

		if (p->present == before[i].present &&
		    p->oper_up == before[i].up &&
		    p->ifindex == before[i].ifindex)
			continue;
		mark_dirty(nc);
		if (!p->present ||
		    (before[i].present && p->ifindex == before[i].ifindex))
			continue;
		for (j = 0; j < d->ngroups; j++)
			if (d->groups[j] != NULL && d->groups[j]->port == p)
				nc_check_sysctls(d->groups[j]);
	}
	free(before);
	if (before == NULL || (!deleted && table_uses_if(nc, l->ifindex)))
		mark_dirty(nc);
}

void
netcfg_resync(struct netcfg *nc)
{
	struct vipd *d = nc->d;
	size_t i;

	for (i = 0; i < d->nports; i++) {
		struct rtnl_link l;
		struct port *p = d->ports[i];

		if (rtnl_link_get(d->nl, p->ifname, &l) == 0)
			link_changed(nc, &l, false);
		else if (p->present) {
			memset(&l, 0, sizeof(l));
			l.ifindex = p->ifindex;
			snprintf(l.name, sizeof(l.name), "%s", p->ifname);
			link_changed(nc, &l, true);
		}
	}
	nc->retry_now = true;
	mark_dirty(nc);
}

void
netcfg_event(const struct rtnl_event *ev, void *arg)
{
	struct netcfg *nc = arg;

	switch (ev->kind) {
	case RTNL_EV_LINK:
		link_changed(nc, &ev->u.link, ev->deleted);
		break;
	case RTNL_EV_ADDR:
		if ((ev->deleted && nc_is_vip(nc->d, &ev->u.addr.addr)) ||
		    table_uses_if(nc, ev->u.addr.ifindex))
			mark_dirty(nc);
		if (!ev->deleted && addr_may_unblock(nc, &ev->u.addr)) {
			nc->retry_now = true;
			mark_dirty(nc);
		}
		break;
	case RTNL_EV_RULE:
		if (ev->deleted && ev->u.rule.proto == RTNL_PROTO_VIPD)
			mark_dirty(nc);
		break;
	case RTNL_EV_ROUTE:
		if ((ev->deleted && table_ours(nc, ev->u.route.table)) ||
		    gw_may_change(nc, &ev->u.route))
			mark_dirty(nc);
		if (route_may_unblock(nc, &ev->u.route)) {
			nc->retry_now = true;
			mark_dirty(nc);
		}
		break;
	}
}
