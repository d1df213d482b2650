/*
 * What vipd installs in the kernel: VIP addresses (bind), and the policy
 * route pin — one rule "from VIP lookup TABLE" per VIP, and in TABLE the
 * interface's connected subnets plus a default route via the group's
 * gateway on the group's interface, so that replies to VIP traffic leave
 * the interface the VIP lives on.
 *
 * Everything carries protocol RTNL_PROTO_VIPD, so start-up removes a
 * crashed run's leftovers and nothing else.  Tables are shared between
 * groups and reference-counted.  Start-up checks live in netcheck.c,
 * notifications and reconcile in reconcile.c.
 */
#include "config.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netcfg_int.h"

/* A dump that raced with a change is retried this many times. */
#define NC_DUMP_TRIES 3

struct netcfg *
netcfg_new(struct vipd *d)
{
	struct netcfg *nc = calloc(1, sizeof(*nc));

	if (nc == NULL)
		return NULL;
	nc->d = d;
	nc->retry_ms = NC_RETRY_MIN_MS;
	ev_timer_init(&nc->timer, nc_reconcile_cb, nc);
	ev_timer_init(&nc->retry_timer, nc_retry_cb, nc);
	return nc;
}

void
netcfg_free(struct netcfg *nc)
{
	if (nc == NULL)
		return;
	ev_timer_stop(nc->d->loop, &nc->timer);
	ev_timer_stop(nc->d->loop, &nc->retry_timer);
	free(nc->sysctls);
	free(nc->tables);
	free(nc);
}

unsigned
nc_host_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

bool
nc_is_vip(const struct vipd *d, const struct net_addr *a)
{
	return vipmap_find(d->map, a, NULL) != NULL;
}

bool
nc_group_has_family(const struct vgroup *g, int family)
{
	return conf_group_has_family(&g->cg, family);
}

void
nc_failed(struct netcfg *nc, const char *what, const struct net_addr *a)
{
	char buf[NET_ADDR_STRLEN];

	nc->d->ctr[CTL_DC_NETLINK_ERRORS]++;
	log_warnx("%s%s%s: %s", what, a ? " " : "",
	          a ? net_addr_str(a, buf, sizeof(buf)) : "",
	          rtnl_error(nc->d->nl));
}

/* -------------------------------------------------------------- dumps */

static void *
vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 32;
		void *p = realloc(v->p, cap * v->size);

		if (p == NULL)
			return NULL;
		v->p = p;
		v->cap = cap;
	}
	return (char *)v->p + v->n++ * v->size;
}

static void
vec_addr(const struct rtnl_addr *a, void *arg)
{
	struct vec *v = arg;
	struct rtnl_addr *s;

	if ((v->ours && a->proto != RTNL_PROTO_VIPD) ||
	    (v->ifindex && a->ifindex != v->ifindex))
		return;
	if ((s = vec_push(v)) != NULL)
		*s = *a;
}

static void
vec_rule(const struct rtnl_rule *r, void *arg)
{
	struct vec *v = arg;
	struct rtnl_rule *s;

	if (v->ours && r->proto != RTNL_PROTO_VIPD)
		return;
	if ((s = vec_push(v)) != NULL)
		*s = *r;
}

static void
vec_route(const struct rtnl_route *r, void *arg)
{
	struct vec *v = arg;
	struct rtnl_route *s;

	if (v->ours && r->proto != RTNL_PROTO_VIPD)
		return;
	if ((s = vec_push(v)) != NULL)
		*s = *r;
}

int
nc_addr_dump(struct netcfg *nc, int family, int ifindex, struct vec *v)
{
	int i, rc = -1;

	v->ifindex = ifindex;
	for (i = 0; i < NC_DUMP_TRIES; i++) {
		v->n = 0;
		rc = rtnl_addr_dump(nc->d->nl, family, ifindex, vec_addr, v);
		if (rc == 0 || errno != EINTR)
			break;
	}
	return rc;
}

int
nc_rule_dump(struct netcfg *nc, int family, struct vec *v)
{
	int i, rc = -1;

	for (i = 0; i < NC_DUMP_TRIES; i++) {
		v->n = 0;
		rc = rtnl_rule_dump(nc->d->nl, family, vec_rule, v);
		if (rc == 0 || errno != EINTR)
			break;
	}
	return rc;
}

/* A dump the kernel says changed under it is tried again (EINTR).  A
 * table nobody has used yet dumps as empty (net/rtnl_obj.c). */
static int
route_dump(struct rtnl *nl, int family, uint32_t table, struct vec *v)
{
	int i, rc = -1;

	for (i = 0; i < NC_DUMP_TRIES; i++) {
		v->n = 0;
		rc = rtnl_route_dump(nl, family, table, vec_route, v);
		if (rc == 0 || errno != EINTR)
			break;
	}
	return rc;
}

int
nc_route_dump(struct netcfg *nc, int family, uint32_t table, struct vec *v)
{
	return route_dump(nc->d->nl, family, table, v);
}

/* ------------------------------------------------------ stale cleanup */

/*
 * A crashed run (kill -9) leaves its addresses, rules and routes behind:
 * remove every entry tagged with our protocol before we start, so that a
 * restart ends with exactly one copy of each.  Entries of other protocols
 * (a user's copy of a VIP included) are not ours and stay.
 */
void
netcfg_cleanup_stale(struct netcfg *nc)
{
	static const int fams[] = {AF_INET, AF_INET6};
	struct rtnl *nl = nc->d->nl;
	size_t i, f, removed = 0;

	for (f = 0; f < 2; f++) {
		struct vec va = VEC_INIT(struct rtnl_addr, true);
		struct vec vr = VEC_INIT(struct rtnl_rule, true);
		struct vec vt = VEC_INIT(struct rtnl_route, true);

		if (nc_addr_dump(nc, fams[f], 0, &va) == 0)
			for (i = 0; i < va.n; i++)
				removed += rtnl_addr_del(
				               nl, VEC_AT(&va, struct rtnl_addr,
				                          i)) == 0;
		if (nc_rule_dump(nc, fams[f], &vr) == 0)
			for (i = 0; i < vr.n; i++)
				removed += rtnl_rule_del(
				               nl, VEC_AT(&vr, struct rtnl_rule,
				                          i)) == 0;
		if (nc_route_dump(nc, fams[f], 0, &vt) == 0)
			for (i = 0; i < vt.n; i++)
				removed +=
				    rtnl_route_del(
				        nl,
				        VEC_AT(&vt, struct rtnl_route, i)) == 0;
		free(va.p);
		free(vr.p);
		free(vt.p);
	}
	if (removed > 0)
		log_info(
		    "removed %zu entr%s (addresses, rules, routes) left by "
		    "a previous run",
		    removed, removed == 1 ? "y" : "ies");
}

/* ------------------------------------------------------------- tables */

static void
prefix_of(const struct net_addr *a, unsigned plen, struct net_addr *out)
{
	size_t i, n = net_addr_len(a);

	*out = *a;
	for (i = 0; i < n; i++) {
		unsigned bits = i * 8;

		if (bits >= plen)
			out->a[i] = 0;
		else if (plen - bits < 8)
			out->a[i] &= (uint8_t)(0xff << (8 - (plen - bits)));
	}
}

/* The connected subnets of the table's interface, as routes in TABLE. */
static size_t
table_subnets(struct netcfg *nc, const struct nc_table *t,
              struct rtnl_route *out, size_t max)
{
	struct vec va = VEC_INIT(struct rtnl_addr, false);
	size_t i, j, n = 0;

	if (nc_addr_dump(nc, t->family, t->ifindex, &va) == -1) {
		free(va.p);
		return 0;
	}
	for (i = 0; i < va.n && n < max; i++) {
		const struct rtnl_addr *a = VEC_AT(&va, struct rtnl_addr, i);
		struct rtnl_route r;
		bool dup = false;

		if (a->prefixlen >= nc_host_len(t->family) ||
		    a->scope != RT_SCOPE_UNIVERSE || nc_is_vip(nc->d, &a->addr))
			continue;
		memset(&r, 0, sizeof(r));
		r.family = t->family;
		r.table = t->table;
		prefix_of(&a->addr, a->prefixlen, &r.dst);
		r.dst_len = a->prefixlen;
		r.oif = t->ifindex;
		r.proto = RTNL_PROTO_VIPD;
		r.scope =
		    t->family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
		r.type = RTN_UNICAST;
		for (j = 0; j < n; j++)
			if (out[j].dst_len == r.dst_len &&
			    net_addr_eq(&out[j].dst, &r.dst))
				dup = true;
		if (!dup)
			out[n++] = r;
	}
	free(va.p);
	return n;
}

/* The routes TABLE should hold: connected subnets, then the default. */
static size_t
table_desired(struct netcfg *nc, struct nc_table *t, struct rtnl_route *out)
{
	size_t n = table_subnets(nc, t, out, NC_MAX_ROUTES - 1);
	struct net_addr gw;
	char a[NET_ADDR_STRLEN];

	/* A discovered gateway follows the interface's default route (a
	 * DHCP lease may change it); without one, the last stays. */
	if (!t->gw_configured &&
	    nc_gw_discover(nc->d->nl, t->ifindex, t->family, &gw) == 0 &&
	    !net_addr_eq(&gw, &t->gw)) {
		log_info("route table %u: gateway is now %s (the default route "
		         "of %s)",
		         t->table, net_addr_str(&gw, a, sizeof(a)),
		         t->port->ifname);
		t->gw = gw;
	}
	memset(&out[n], 0, sizeof(out[n]));
	out[n].family = t->family;
	out[n].table = t->table;
	out[n].dst.family = t->family;
	out[n].gw = t->gw;
	out[n].oif = t->ifindex;
	out[n].proto = RTNL_PROTO_VIPD;
	out[n].scope = RT_SCOPE_UNIVERSE;
	out[n].type = RTN_UNICAST;
	return n + 1;
}

static bool
route_same(const struct rtnl_route *a, const struct rtnl_route *b)
{
	return a->family == b->family && a->table == b->table &&
	       a->dst_len == b->dst_len && net_addr_eq(&a->dst, &b->dst) &&
	       a->oif == b->oif &&
	       (a->gw.family == 0 ? b->gw.family == 0
	                          : net_addr_eq(&a->gw, &b->gw));
}

static bool
route_in(const struct rtnl_route *r, const struct rtnl_route *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (route_same(r, &set[i]))
			return true;
	return false;
}

static void
route_failed(struct netcfg *nc, const struct nc_table *t,
             const struct rtnl_route *r, char *err, size_t errlen)
{
	char a[NET_ADDR_STRLEN], b[NET_ADDR_STRLEN + 16];

	nc->d->ctr[CTL_DC_NETLINK_ERRORS]++;
	if (r->dst_len == 0)
		snprintf(b, sizeof(b), "default via %s",
		         net_addr_str(&r->gw, a, sizeof(a)));
	else
		snprintf(b, sizeof(b), "%s/%u",
		         net_addr_str(&r->dst, a, sizeof(a)), r->dst_len);
	snprintf(err, errlen, "route table %u: adding %s dev %s: %s", t->table,
	         b, t->port->ifname, rtnl_error(nc->d->nl));
}

/*
 * Bring the table's routes to what the interface needs now: drop what no
 * longer applies (first, so that a changed gateway's default route can be
 * added), then add what is missing — subnets first, since the gateway must
 * be reachable for the default route to be accepted.  An interface that is
 * gone has no routes; one that is down is left alone until it is up.
 */
int
nc_table_sync(struct netcfg *nc, struct nc_table *t, bool log_restore,
              char *err, size_t errlen)
{
	struct rtnl_route want[NC_MAX_ROUTES];
	struct vec have = VEC_INIT(struct rtnl_route, true);
	size_t nwant, i;
	int rc = 0;

	if (!t->port->present) {
		t->nroutes = 0;
		return 0;
	}
	if (t->ifindex != t->port->ifindex) {
		t->ifindex = t->port->ifindex; /* re-created: routes went */
		t->nroutes = 0;
	}
	if (!t->port->oper_up) {
		/* Setting it down removed our routes (no carrier keeps
		 * them): putting them back once it is up is no repair. */
		t->link_down = true;
		return 0;
	}
	if (t->link_down) {
		t->link_down = false;
		log_restore = false;
	}
	nwant = table_desired(nc, t, want);
	for (i = 0; i < t->nroutes; i++)
		if (!route_in(&t->routes[i], want, nwant))
			rtnl_route_del(nc->d->nl, &t->routes[i]);
	if (nc_route_dump(nc, t->family, t->table, &have) == -1) {
		if (err != NULL)
			snprintf(err, errlen, "reading route table %u: %s",
			         t->table, rtnl_error(nc->d->nl));
		free(have.p);
		return -1;
	}
	for (i = 0; i < nwant; i++) {
		if (route_in(&want[i], have.p, have.n))
			continue;
		if (rtnl_route_add(nc->d->nl, &want[i]) == 0) {
			if (log_restore &&
			    route_in(&want[i], t->routes, t->nroutes)) {
				nc->d->ctr[CTL_DC_RECONCILED]++;
				log_warnx("route table %u lost a route vipd "
				          "installed; restored",
				          t->table);
			}
		} else if (errno != EEXIST) {
			/* EEXIST: a route of someone else's with the same
			 * prefix; the table check reports those. */
			route_failed(nc, t, &want[i], err, errlen);
			rc = -1;
			break;
		}
	}
	memcpy(t->routes, want, nwant * sizeof(want[0]));
	t->nroutes = nwant;
	free(have.p);
	return rc;
}

int
netcfg_table_check_free(struct rtnl *nl, uint32_t table, int family, char *err,
                        size_t errlen)
{
	struct vec have = VEC_INIT(struct rtnl_route, false);
	size_t i, foreign = 0;

	if (route_dump(nl, family, table, &have) == -1) {
		snprintf(err, errlen, "reading route table %u: %s", table,
		         rtnl_error(nl));
		free(have.p);
		return -1;
	}
	for (i = 0; i < have.n; i++)
		if (VEC_AT(&have, struct rtnl_route, i)->proto !=
		    RTNL_PROTO_VIPD)
			foreign++;
	free(have.p);
	if (foreign > 0) {
		snprintf(err, errlen,
		         "route table %u already holds %zu %s route%s vipd did "
		         "not make; remove %s or choose another route.table",
		         table, foreign, family == AF_INET ? "IPv4" : "IPv6",
		         foreign == 1 ? "" : "s", foreign == 1 ? "it" : "them");
		return -1;
	}
	return 0;
}

struct nc_table *
nc_table_find(struct netcfg *nc, uint32_t table, int family)
{
	size_t i;

	for (i = 0; i < nc->ntables; i++)
		if (nc->tables[i].table == table &&
		    nc->tables[i].family == family)
			return &nc->tables[i];
	return NULL;
}

static void
table_flush(struct netcfg *nc, struct nc_table *t)
{
	size_t i;

	/* The default route goes before the subnets it depends on. */
	for (i = t->nroutes; i-- > 0;)
		rtnl_route_del(nc->d->nl, &t->routes[i]);
	t->nroutes = 0;
}

/* Take a reference on the group's table of that family, filling it on
 * first use.  0, or -1 with the reason in err. */
static int
table_ref(struct netcfg *nc, struct vgroup *g, int family, char *err,
          size_t errlen)
{
	struct nc_table *t = nc_table_find(nc, g->cg.route.table, family), *nt;

	if (t != NULL && t->refs > 0) {
		t->refs++;
		return 0;
	}
	if (netcfg_table_check_free(nc->d->nl, g->cg.route.table, family, err,
	                            errlen) == -1)
		return -1;
	if (t == NULL) {
		nt = realloc(nc->tables, (nc->ntables + 1) * sizeof(*nt));
		if (nt == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		nc->tables = nt;
		t = &nc->tables[nc->ntables++];
	}
	memset(t, 0, sizeof(*t));
	t->table = g->cg.route.table;
	t->family = family;
	t->port = g->port;
	t->ifindex = g->port->ifindex;
	t->gw_configured = family == AF_INET ? g->cg.route.has_gateway
	                                     : g->cg.route.has_gateway6;
	if (netcfg_gateway(nc->d->nl, &g->cg, family, &t->gw, err, errlen) ==
	    -1)
		return -1;
	t->refs = 1;
	if (nc_table_sync(nc, t, false, err, errlen) == -1) {
		table_flush(nc, t);
		t->refs = 0;
		return -1;
	}
	return 0;
}

static void
table_unref(struct netcfg *nc, uint32_t table, int family)
{
	struct nc_table *t = nc_table_find(nc, table, family);

	if (t == NULL || t->refs == 0 || --t->refs > 0)
		return;
	table_flush(nc, t);
}

/* ---------------------------------------------------- addresses, rules */

static int
bind_ifindex(const struct vgroup *g)
{
	switch (g->cg.bind) {
	case CONF_BIND_LOCAL:
		return 1; /* lo is always ifindex 1 in a network namespace */
	case CONF_BIND_INTERFACE:
		return g->port && g->port->present ? g->port->ifindex : 0;
	case CONF_BIND_NONE:
		break;
	}
	return 0;
}

void
nc_vip_addr(const struct vgroup *g, const struct vip *v, struct rtnl_addr *ra)
{
	memset(ra, 0, sizeof(*ra));
	ra->ifindex = bind_ifindex(g);
	ra->addr = v->addr;
	ra->prefixlen = (uint8_t)nc_host_len(v->addr.family);
	ra->scope = RT_SCOPE_UNIVERSE;
	ra->proto = RTNL_PROTO_VIPD;
	/* A host address needs its local route only: without this flag an
	 * IPv6 VIP would also get a /128 route in the main table. */
	ra->flags = IFA_F_NOPREFIXROUTE;
	if (v->addr.family == AF_INET6)
		ra->flags |= IFA_F_NODAD;
}

/* Whose is the address already there?  Ours only if it carries our tag. */
static bool
addr_is_ours(struct netcfg *nc, const struct rtnl_addr *ra)
{
	struct vec va = VEC_INIT(struct rtnl_addr, true);
	size_t i;
	bool ours = false;

	if (nc_addr_dump(nc, ra->addr.family, ra->ifindex, &va) == 0)
		for (i = 0; i < va.n; i++)
			if (net_addr_eq(&VEC_AT(&va, struct rtnl_addr, i)->addr,
			                &ra->addr))
				ours = true;
	free(va.p);
	return ours;
}

int
nc_vip_bind(struct netcfg *nc, struct vgroup *g, struct vip *v)
{
	struct rtnl_addr ra;

	if (v->bound || g->cg.bind == CONF_BIND_NONE)
		return 0;
	nc_vip_addr(g, v, &ra);
	if (ra.ifindex == 0)
		return 0;
	if (rtnl_addr_add(nc->d->nl, &ra) == 0) {
		v->bound = true;
		v->adopted = false;
	} else if (errno == EEXIST) {
		/* Present already: adopt it, and never delete what we did not
		 * add (kube-vip once removed every address on a NIC).  The
		 * kernel ignores the protocol on delete, so this flag is what
		 * keeps a user's copy of the VIP in place. */
		v->bound = true;
		v->adopted = !addr_is_ours(nc, &ra);
	} else {
		nc_failed(nc, "adding address", &v->addr);
		return -1;
	}
	return 0;
}

static void
vip_unbind(struct netcfg *nc, struct vgroup *g, struct vip *v)
{
	struct rtnl_addr ra;

	if (!v->bound)
		return;
	v->bound = false;
	if (v->adopted) {
		v->adopted = false;
		return;
	}
	nc_vip_addr(g, v, &ra);
	if (ra.ifindex == 0)
		return; /* the interface went, and the address with it */
	if (rtnl_addr_del(nc->d->nl, &ra) == -1 && errno != EADDRNOTAVAIL &&
	    errno != ENODEV)
		nc_failed(nc, "removing address", &v->addr);
}

void
nc_vip_rule(const struct vgroup *g, const struct vip *v, struct rtnl_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->family = v->addr.family;
	r->src = v->addr;
	r->src_len = (uint8_t)nc_host_len(v->addr.family);
	r->table = g->cg.route.table;
	r->priority = g->cg.route.priority;
	r->proto = RTNL_PROTO_VIPD;
}

int
nc_vip_rule_add(struct netcfg *nc, struct vgroup *g, struct vip *v)
{
	struct rtnl_rule r;

	if (v->rule)
		return 0;
	nc_vip_rule(g, v, &r);
	if (rtnl_rule_add(nc->d->nl, &r) == -1 && errno != EEXIST) {
		nc_failed(nc, "adding policy rule from", &v->addr);
		return -1;
	}
	v->rule = true;
	return 0;
}

static void
vip_rule_del(struct netcfg *nc, struct vgroup *g, struct vip *v)
{
	struct rtnl_rule r;

	if (!v->rule)
		return;
	v->rule = false;
	nc_vip_rule(g, v, &r);
	if (rtnl_rule_del(nc->d->nl, &r) == -1 && errno != ENOENT)
		nc_failed(nc, "removing policy rule from", &v->addr);
}

/* ------------------------------------------------------- group actions */

static int
tables_up(struct netcfg *nc, struct vgroup *g, char *err, size_t errlen)
{
	if (nc_group_has_family(g, AF_INET) &&
	    table_ref(nc, g, AF_INET, err, errlen) == -1)
		return -1;
	if (nc_group_has_family(g, AF_INET6) &&
	    table_ref(nc, g, AF_INET6, err, errlen) == -1) {
		if (nc_group_has_family(g, AF_INET))
			table_unref(nc, g->cg.route.table, AF_INET);
		return -1;
	}
	return 0;
}

int
netcfg_route_up(struct netcfg *nc, struct vgroup *g)
{
	char err[256], a[NET_ADDR_STRLEN];
	size_t i;

	if (g->route_up || g->cg.route.pin == CONF_ROUTE_OFF)
		return 0;
	/* No interface: port.c has the group in fault already. */
	if (g->port == NULL || !g->port->present)
		return -1;
	if (tables_up(nc, g, err, sizeof(err)) == -1) {
		nc->d->ctr[CTL_DC_NETLINK_ERRORS]++;
		nc_fault(nc, g, err);
		return -1;
	}
	g->route_up = true;
	for (i = 0; i < g->nvips; i++) {
		if (nc_vip_rule_add(nc, g, &g->vips[i]) == 0)
			continue;
		snprintf(err, sizeof(err), "policy rule from %s: %s",
		         net_addr_str(&g->vips[i].addr, a, sizeof(a)),
		         rtnl_error(nc->d->nl));
		netcfg_route_down(nc, g);
		nc_fault(nc, g, err);
		return -1;
	}
	return 0;
}

void
netcfg_route_down(struct netcfg *nc, struct vgroup *g)
{
	size_t i;

	if (!g->route_up)
		return;
	for (i = 0; i < g->nvips; i++)
		vip_rule_del(nc, g, &g->vips[i]);
	if (nc_group_has_family(g, AF_INET))
		table_unref(nc, g->cg.route.table, AF_INET);
	if (nc_group_has_family(g, AF_INET6))
		table_unref(nc, g->cg.route.table, AF_INET6);
	g->route_up = false;
}

int
netcfg_group_up(struct netcfg *nc, struct vgroup *g)
{
	char err[256], a[NET_ADDR_STRLEN];
	size_t i;

	for (i = 0; i < g->nvips; i++) {
		struct vip *v = &g->vips[i];

		if (vip_yielded(g, v))
			continue;
		if (nc_vip_bind(nc, g, v) == 0)
			continue;
		/* A leader that cannot hold its VIP would attract traffic
		 * and drop it: hand over instead. */
		snprintf(err, sizeof(err), "adding address %s: %s",
		         net_addr_str(&v->addr, a, sizeof(a)),
		         rtnl_error(nc->d->nl));
		nc_fault(nc, g, err);
		return -1;
	}
	if (g->cg.route.pin == CONF_ROUTE_LEADER)
		return netcfg_route_up(nc, g);
	return 0;
}

void
netcfg_group_down(struct netcfg *nc, struct vgroup *g)
{
	size_t i;

	for (i = 0; i < g->nvips; i++)
		vip_unbind(nc, g, &g->vips[i]);
	if (g->cg.route.pin == CONF_ROUTE_LEADER)
		netcfg_route_down(nc, g);
}

void
netcfg_cleanup_all(struct netcfg *nc)
{
	struct vipd *d = nc->d;
	uint64_t errors = d->ctr[CTL_DC_NETLINK_ERRORS];
	bool kept = false;
	size_t i, j;

	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL)
			continue;
		for (j = 0; j < g->nvips; j++)
			kept |= g->vips[j].bound && g->vips[j].adopted;
		netcfg_group_down(nc, g);
		netcfg_route_down(nc, g);
	}
	for (i = 0; i < nc->ntables; i++) {
		nc->tables[i].refs = 0;
		table_flush(nc, &nc->tables[i]);
	}
	/* The sysctls keep the kernel from answering ARP for a VIP on lo:
	 * only once none is left there. */
	if (nc->nsysctls == 0)
		return;
	if (kept || d->ctr[CTL_DC_NETLINK_ERRORS] != errors)
		log_warnx("sysctls left as vipd set them: %s",
		          kept ? "VIPs that were there before vipd stay on "
		                 "their interface"
		               : "a VIP could not be removed");
	else
		nc_restore_sysctls(nc);
}
