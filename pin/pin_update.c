/*
 * A group changed in place (reload): what is installed for it follows its
 * new settings without being taken down as a whole.  VIPs that left lose
 * their address and rule, new ones get them, a new bind mode binds before it
 * unbinds, a new route block re-pins the group, a new gateway changes the
 * table it shares with other groups, which are otherwise left alone.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pin_int.h"

/* Order of addresses for sorting and bsearch: a group of 1,000 VIPs is
 * matched in O(n log n), not n^2 compares (which took ~half of a 25 ms
 * reload, bench/reload.sh). */
static int
addr_cmp(const void *pa, const void *pb)
{
	const struct net_addr *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->a, b->a, net_addr_len(a));
}

/* struct pin_vip starts with its address: addr_cmp sorts them too. */
static const struct pin_vip *
vip_find(const struct pin_vip *sorted, size_t n, const struct net_addr *a)
{
	return bsearch(a, sorted, n, sizeof(*sorted), addr_cmp);
}

static bool
addr_in(const struct net_addr *a, const struct net_addr *sorted, size_t n)
{
	return bsearch(a, sorted, n, sizeof(*sorted), addr_cmp) != NULL;
}

static bool
gw_same(const struct net_addr *a, const struct net_addr *b)
{
	return a->family == b->family && (a->family == 0 || net_addr_eq(a, b));
}

static bool
route_pin_same(const struct pin_route *a, const struct pin_route *b)
{
	return a->mode == b->mode && a->table == b->table &&
	       a->priority == b->priority;
}

/* The group's table of family takes the new configured gateway (or goes
 * back to discovering it) and its routes follow; other groups in it keep
 * their state. */
static void
table_gateway_set(struct pin_group *pg, int family)
{
	struct pin_table *t = pin_table_find(pg->pin, pg->route.table, family);
	const struct net_addr *gw =
	    family == AF_INET ? &pg->route.gw4 : &pg->route.gw6;
	char err[256];

	if (t == NULL || t->refs == 0)
		return;
	t->gw_configured = gw->family != 0;
	if (t->gw_configured)
		t->gw = *gw;
	if (pin_table_sync(pg->pin, t, false, err, sizeof(err)) == -1)
		pin_fault(pg, err);
}

/* Families the group pins in: a table reference for each while up. */
static void
tables_follow(struct pin_group *pg, bool had4, bool had6)
{
	static const int fams[] = {AF_INET, AF_INET6};
	bool had[2] = {had4, had6};
	char err[256];
	size_t f;

	for (f = 0; f < 2; f++) {
		bool has = pin_group_has_family(pg, fams[f]);

		if (had[f] && !has)
			pin_table_unref(pg->pin, pg->route.table, fams[f]);
		else if (!had[f] && has &&
		         pin_table_ref(pg, fams[f], err, sizeof(err)) == -1) {
			pg->pin->ctr.netlink_errors++;
			pin_fault(pg, err);
		}
	}
}

int
pin_group_update(struct pin_group *pg, const struct pin_group_conf *gc,
                 const struct pin_link *link, bool up)
{
	struct pin_group old = *pg;
	struct pin_vip *nv, *sold;
	struct net_addr *snew;
	struct pin_if *pi;
	bool repin, rebind, had4, had6, want_route, g4, g6;
	size_t i;
	int rc = 0;

	nv = calloc(gc->nvips ? gc->nvips : 1, sizeof(*nv));
	sold = malloc((pg->nvips ? pg->nvips : 1) * sizeof(*sold));
	snew = malloc((gc->nvips ? gc->nvips : 1) * sizeof(*snew));
	pi = pin_if_get(pg->pin, gc->ifname); /* before anything changes */
	if (nv == NULL || sold == NULL || snew == NULL || pi == NULL) {
		free(nv);
		free(sold);
		free(snew);
		return -1;
	}
	memcpy(snew, gc->vips, gc->nvips * sizeof(*snew));
	qsort(snew, gc->nvips, sizeof(*snew), addr_cmp);
	repin = pg->route_up && (!route_pin_same(&pg->route, &gc->route) ||
	                         strcmp(pg->iface->name, gc->ifname) != 0);
	if (repin)
		pin_route_down(pg); /* with the old VIPs, rules and tables */
	old.route_up = pg->route_up;
	had4 = pin_group_has_family(pg, AF_INET);
	had6 = pin_group_has_family(pg, AF_INET6);
	/* VIPs that left: no address, no rule. */
	for (i = 0; i < pg->nvips; i++) {
		struct pin_vip *v = &pg->vips[i];

		if (!addr_in(&v->addr, snew, gc->nvips)) {
			pin_vip_unbind(&old, v);
			pin_vip_rule_del(&old, v);
		}
	}
	/* Their state now (a re-pin cleared the rules): carried by address. */
	memcpy(sold, pg->vips, pg->nvips * sizeof(*sold));
	qsort(sold, pg->nvips, sizeof(*sold), addr_cmp);
	for (i = 0; i < gc->nvips; i++) {
		const struct pin_vip *o =
		    vip_find(sold, pg->nvips, &gc->vips[i]);

		if (o != NULL)
			nv[i] = *o;
		else
			nv[i].addr = gc->vips[i];
	}
	free(sold);
	free(snew);
	if (pi != pg->iface) {
		pi->link = *link;
		pg->iface = pi;
	}
	rebind = pg->bind != gc->bind || pg->iface != old.iface;
	pg->bind = gc->bind;
	pg->vips = nv;
	pg->nvips = gc->nvips;
	/* A new bind: the address goes where it now belongs before it leaves
	 * where it was, so that no packet finds it nowhere. */
	if (rebind)
		for (i = 0; i < pg->nvips; i++) {
			struct pin_vip prev = pg->vips[i];

			if (!prev.bound)
				continue;
			pg->vips[i].bound = pg->vips[i].adopted = false;
			if (pin_vip_bind(pg, &pg->vips[i]) == -1)
				rc = -1;
			pin_vip_unbind(&old, &prev);
		}
	free(old.vips);
	g4 = !gw_same(&pg->route.gw4, &gc->route.gw4);
	g6 = !gw_same(&pg->route.gw6, &gc->route.gw6);
	pg->route = gc->route;
	if (!repin && pg->route_up && g4)
		table_gateway_set(pg, AF_INET);
	if (!repin && pg->route_up && g6)
		table_gateway_set(pg, AF_INET6);
	if (pg->route_up && !repin) {
		tables_follow(pg, had4, had6);
		for (i = 0; i < pg->nvips; i++)
			if (pin_vip_rule_add(pg, &pg->vips[i]) == -1)
				rc = -1;
	}
	if (up)
		for (i = 0; i < pg->nvips; i++)
			if (!pg->vips[i].yielded &&
			    pin_vip_bind(pg, &pg->vips[i]) == -1)
				rc = -1;
	want_route = pg->route.mode == CONF_ROUTE_ALWAYS ||
	             (pg->route.mode == CONF_ROUTE_LEADER && up);
	if (want_route && !pg->route_up) {
		if (pin_route_up(pg) == -1)
			rc = -1;
	} else if (!want_route && pg->route_up)
		pin_route_down(pg);
	return rc;
}
