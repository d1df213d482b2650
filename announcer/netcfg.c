/*
 * What vipd installs in the kernel: VIP addresses (bind), and the policy
 * route pin — one rule "from VIP lookup TABLE" per VIP, and in TABLE the
 * interface's connected subnets plus a default route via the group's
 * gateway on the group's interface, so that replies to VIP traffic leave
 * the interface the VIP lives on.
 *
 * Everything carries protocol RTNL_PROTO_VIPD, so start-up removes a
 * crashed run's leftovers and nothing else.  Tables are shared between
 * groups and reference-counted.  Removals by someone else are noticed
 * through netlink notifications and put back (reconcile).
 */
#include "config.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vipd.h"

#define NC_MAX_ROUTES 32 /* per table: connected subnets + the default */

struct nc_table {
	uint32_t table;
	int family;
	int ifindex;
	unsigned refs;
	struct net_addr gw;
	struct rtnl_route routes[NC_MAX_ROUTES]; /* what we installed */
	size_t nroutes;
};

struct netcfg {
	struct vipd *d;
	struct nc_table *tables;
	size_t ntables;
	bool dirty;
	struct ev_timer timer;
};

static void on_reconcile(struct ev_loop *loop, struct ev_timer *t, void *arg);

struct netcfg *
netcfg_new(struct vipd *d)
{
	struct netcfg *nc = calloc(1, sizeof(*nc));

	if (nc == NULL)
		return NULL;
	nc->d = d;
	ev_timer_init(&nc->timer, on_reconcile, nc);
	return nc;
}

void
netcfg_free(struct netcfg *nc)
{
	if (nc == NULL)
		return;
	ev_timer_stop(nc->d->loop, &nc->timer);
	free(nc->tables);
	free(nc);
}

static unsigned
host_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

static void
nl_failed(struct netcfg *nc, const char *what, const struct net_addr *a)
{
	char buf[NET_ADDR_STRLEN];

	nc->d->ctr.netlink_errors++;
	log_warnx("%s %s: %s", what, a ? net_addr_str(a, buf, sizeof(buf)) : "",
		  rtnl_error(nc->d->nl));
}

/* ------------------------------------------------------ stale cleanup */

/* A growable array of fixed-size items, filled by dump callbacks. */
struct vec {
	void *p;
	size_t n, cap, size;
	int ifindex; /* filter for address dumps, 0 = any */
	bool ours;   /* keep only entries tagged with our protocol */
};

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

#define VEC_INIT(type, only_ours) {NULL, 0, 0, sizeof(type), 0, only_ours}

/*
 * A crashed run (kill -9) leaves its addresses, rules and routes behind:
 * remove every entry tagged with our protocol before we start, so that a
 * restart ends with exactly one copy of each.
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

		if (rtnl_addr_dump(nl, fams[f], 0, vec_addr, &va) == 0)
			for (i = 0; i < va.n; i++)
				removed += rtnl_addr_del(
						   nl, &((struct rtnl_addr *)va.p)[i]) == 0;
		if (rtnl_rule_dump(nl, fams[f], vec_rule, &vr) == 0)
			for (i = 0; i < vr.n; i++)
				removed += rtnl_rule_del(
						   nl, &((struct rtnl_rule *)vr.p)[i]) == 0;
		if (rtnl_route_dump(nl, fams[f], 0, vec_route, &vt) == 0)
			for (i = 0; i < vt.n; i++)
				removed += rtnl_route_del(
						   nl, &((struct rtnl_route *)vt.p)[i]) == 0;
		free(va.p);
		free(vr.p);
		free(vt.p);
	}
	if (removed > 0)
		log_info("removed %zu entr%s (addresses, rules, routes) left by "
			 "a previous run",
			 removed, removed == 1 ? "y" : "ies");
}

/* ------------------------------------------------------------ gateway */

struct gw_find {
	int ifindex;
	struct net_addr gw;
	uint32_t metric;
	bool found;
};

static void
gw_route(const struct rtnl_route *r, void *arg)
{
	struct gw_find *f = arg;

	if (r->dst_len != 0 || r->gw.family == 0 || r->oif != f->ifindex ||
	    r->type != RTN_UNICAST)
		return;
	if (!f->found || r->metric < f->metric) {
		f->gw = r->gw;
		f->metric = r->metric;
		f->found = true;
	}
}

int
netcfg_gateway(struct rtnl *nl, const struct conf_group *cg, int family,
	       struct net_addr *gw, char *err, size_t errlen)
{
	const struct conf_addr *cfg_gw =
		family == AF_INET ? (cg->route.has_gateway ? &cg->route.gateway
							   : NULL)
				  : (cg->route.has_gateway6 ? &cg->route.gateway6
							    : NULL);
	struct gw_find f;
	struct rtnl_link l;

	memset(gw, 0, sizeof(*gw));
	if (cfg_gw != NULL) {
		gw->family = cfg_gw->family;
		memcpy(gw->a, cfg_gw->a, sizeof(gw->a));
		return 0;
	}
	if (rtnl_link_get(nl, cg->interface, &l) == -1) {
		snprintf(err, errlen, "interface %s: %s", cg->interface,
			 rtnl_error(nl));
		return -1;
	}
	memset(&f, 0, sizeof(f));
	f.ifindex = l.ifindex;
	if (rtnl_route_dump(nl, family, RT_TABLE_MAIN, gw_route, &f) == -1) {
		snprintf(err, errlen, "reading routes: %s", rtnl_error(nl));
		return -1;
	}
	if (!f.found) {
		snprintf(err, errlen,
			 "no %s gateway for the route pin: %s has no default "
			 "route; set route.%s in group '%s'",
			 family == AF_INET ? "IPv4" : "IPv6", cg->interface,
			 family == AF_INET ? "gateway" : "gateway6", cg->name);
		return -1;
	}
	*gw = f.gw;
	return 0;
}

/* ------------------------------------------------------------- tables */

static bool
is_vip(const struct vipd *d, const struct net_addr *a)
{
	return vipmap_find(d->map, a, NULL) != NULL;
}

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

/* The routes TABLE should hold: connected subnets, then the default. */
static size_t
table_desired(struct netcfg *nc, const struct nc_table *t,
	      struct rtnl_route *out)
{
	struct vec va = VEC_INIT(struct rtnl_addr, false);
	size_t i, j, n = 0;

	va.ifindex = t->ifindex;
	if (rtnl_addr_dump(nc->d->nl, t->family, t->ifindex, vec_addr, &va) ==
	    -1) {
		free(va.p);
		return 0;
	}
	for (i = 0; i < va.n && n < NC_MAX_ROUTES - 1; i++) {
		struct rtnl_addr *a = &((struct rtnl_addr *)va.p)[i];
		struct rtnl_route r;
		bool dup = false;

		if (a->prefixlen >= host_len(t->family) ||
		    a->scope != RT_SCOPE_UNIVERSE || is_vip(nc->d, &a->addr))
			continue;
		memset(&r, 0, sizeof(r));
		r.family = t->family;
		r.table = t->table;
		prefix_of(&a->addr, a->prefixlen, &r.dst);
		r.dst_len = a->prefixlen;
		r.oif = t->ifindex;
		r.proto = RTNL_PROTO_VIPD;
		r.scope = t->family == AF_INET ? RT_SCOPE_LINK
					       : RT_SCOPE_UNIVERSE;
		r.type = RTN_UNICAST;
		for (j = 0; j < n; j++)
			if (out[j].dst_len == r.dst_len &&
			    net_addr_eq(&out[j].dst, &r.dst))
				dup = true;
		if (!dup)
			out[n++] = r;
	}
	free(va.p);
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

/*
 * Bring the table's routes to what the interface needs now: add what is
 * missing (also when someone deleted it), drop what no longer applies.
 */
static int
table_sync(struct netcfg *nc, struct nc_table *t, bool log_restore)
{
	struct rtnl_route want[NC_MAX_ROUTES];
	struct vec have = VEC_INIT(struct rtnl_route, false);
	size_t nwant = table_desired(nc, t, want), i;
	int rc = 0;

	if (rtnl_route_dump(nc->d->nl, t->family, t->table, vec_route, &have) ==
	    -1) {
		free(have.p);
		return -1;
	}
	/* Subnet routes first: the gateway must be reachable for the
	 * default route to be accepted. */
	for (i = 0; i < nwant; i++) {
		if (route_in(&want[i], have.p, have.n))
			continue;
		if (rtnl_route_add(nc->d->nl, &want[i]) == -1 &&
		    errno != EEXIST) {
			nl_failed(nc, "adding a route to table",
				  want[i].dst_len ? &want[i].dst : &t->gw);
			rc = -1;
		} else if (log_restore && route_in(&want[i], t->routes,
						   t->nroutes)) {
			nc->d->ctr.reconciled++;
			log_warnx("route table %u lost a route vipd installed; "
				  "restored",
				  t->table);
		}
	}
	for (i = 0; i < t->nroutes; i++)
		if (!route_in(&t->routes[i], want, nwant))
			rtnl_route_del(nc->d->nl, &t->routes[i]);
	memcpy(t->routes, want, nwant * sizeof(want[0]));
	t->nroutes = nwant;
	free(have.p);
	return rc;
}

/* Is the table free of routes we did not make? */
static int
table_check_free(struct netcfg *nc, uint32_t table, int family, char *err,
		 size_t errlen)
{
	struct vec have = VEC_INIT(struct rtnl_route, false);
	size_t i, foreign = 0;

	if (rtnl_route_dump(nc->d->nl, family, table, vec_route, &have) == -1) {
		snprintf(err, errlen, "reading table %u: %s", table,
			 rtnl_error(nc->d->nl));
		free(have.p);
		return -1;
	}
	for (i = 0; i < have.n; i++)
		if (((struct rtnl_route *)have.p)[i].proto != RTNL_PROTO_VIPD)
			foreign++;
	free(have.p);
	if (foreign > 0) {
		snprintf(err, errlen,
			 "route table %u already holds %zu %s route%s vipd did "
			 "not make; choose another route.table",
			 table, foreign, family == AF_INET ? "IPv4" : "IPv6",
			 foreign == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

static struct nc_table *
table_find(struct netcfg *nc, uint32_t table, int family)
{
	size_t i;

	for (i = 0; i < nc->ntables; i++)
		if (nc->tables[i].table == table &&
		    nc->tables[i].family == family)
			return &nc->tables[i];
	return NULL;
}

static struct nc_table *
table_ref(struct netcfg *nc, const struct vgroup *g, int family, char *err,
	  size_t errlen)
{
	struct nc_table *t = table_find(nc, g->cg.route.table, family), *nt;

	if (t != NULL && t->refs > 0) {
		t->refs++;
		return t;
	}
	if (table_check_free(nc, g->cg.route.table, family, err, errlen) == -1)
		return NULL;
	if (t == NULL) {
		nt = realloc(nc->tables, (nc->ntables + 1) * sizeof(*nt));
		if (nt == NULL) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		nc->tables = nt;
		t = &nc->tables[nc->ntables++];
	}
	memset(t, 0, sizeof(*t));
	t->table = g->cg.route.table;
	t->family = family;
	t->ifindex = g->port->ifindex;
	if (netcfg_gateway(nc->d->nl, &g->cg, family, &t->gw, err, errlen) ==
	    -1)
		return NULL;
	t->refs = 1;
	if (table_sync(nc, t, false) == -1) {
		snprintf(err, errlen, "route table %u: %s", t->table,
			 rtnl_error(nc->d->nl));
		for (size_t i = 0; i < t->nroutes; i++)
			rtnl_route_del(nc->d->nl, &t->routes[i]);
		t->nroutes = 0;
		t->refs = 0;
		return NULL;
	}
	return t;
}

static void
table_unref(struct netcfg *nc, uint32_t table, int family)
{
	struct nc_table *t = table_find(nc, table, family);
	size_t i;

	if (t == NULL || t->refs == 0 || --t->refs > 0)
		return;
	/* Last user gone: the default route is removed before the subnets. */
	for (i = t->nroutes; i-- > 0;)
		rtnl_route_del(nc->d->nl, &t->routes[i]);
	t->nroutes = 0;
}

/* ---------------------------------------------------- addresses, rules */

static int
bind_ifindex(const struct vgroup *g)
{
	switch (g->cg.bind) {
	case CONF_BIND_LOCAL:
		return 1; /* lo is always ifindex 1 in a network namespace */
	case CONF_BIND_INTERFACE:
		return g->port ? g->port->ifindex : 0;
	case CONF_BIND_NONE:
		break;
	}
	return 0;
}

static void
vip_addr(const struct vgroup *g, const struct vip *v, struct rtnl_addr *ra)
{
	memset(ra, 0, sizeof(*ra));
	ra->ifindex = bind_ifindex(g);
	ra->addr = v->addr;
	ra->prefixlen = (uint8_t)host_len(v->addr.family);
	ra->scope = RT_SCOPE_UNIVERSE;
	ra->proto = RTNL_PROTO_VIPD;
	if (v->addr.family == AF_INET6)
		ra->flags = IFA_F_NODAD;
}

/* Whose is the address already there?  Ours only if it carries our tag. */
static bool
addr_is_ours(struct netcfg *nc, const struct rtnl_addr *ra)
{
	struct vec va = VEC_INIT(struct rtnl_addr, true);
	size_t i;
	bool ours = false;

	va.ifindex = ra->ifindex;
	if (rtnl_addr_dump(nc->d->nl, ra->addr.family, ra->ifindex, vec_addr,
			   &va) == 0)
		for (i = 0; i < va.n; i++)
			if (net_addr_eq(&((struct rtnl_addr *)va.p)[i].addr,
					&ra->addr))
				ours = true;
	free(va.p);
	return ours;
}

static void
vip_bind(struct netcfg *nc, struct vgroup *g, struct vip *v)
{
	struct rtnl_addr ra;

	if (v->bound || g->cg.bind == CONF_BIND_NONE)
		return;
	vip_addr(g, v, &ra);
	if (ra.ifindex == 0)
		return;
	if (rtnl_addr_add(nc->d->nl, &ra) == 0) {
		v->bound = true;
		v->adopted = false;
	} else if (errno == EEXIST) {
		/* Present already: adopt it, and never delete what we did not
		 * add (kube-vip once removed every address on a NIC). */
		v->bound = true;
		v->adopted = !addr_is_ours(nc, &ra);
	} else {
		nl_failed(nc, "adding address", &v->addr);
	}
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
	vip_addr(g, v, &ra);
	if (rtnl_addr_del(nc->d->nl, &ra) == -1 && errno != EADDRNOTAVAIL &&
	    errno != ENODEV)
		nl_failed(nc, "removing address", &v->addr);
}

static void
vip_rule(const struct vgroup *g, const struct vip *v, struct rtnl_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->family = v->addr.family;
	r->src = v->addr;
	r->src_len = (uint8_t)host_len(v->addr.family);
	r->table = g->cg.route.table;
	r->priority = g->cg.route.priority;
	r->proto = RTNL_PROTO_VIPD;
}

static int
vip_rule_add(struct netcfg *nc, struct vgroup *g, struct vip *v)
{
	struct rtnl_rule r;

	if (v->rule)
		return 0;
	vip_rule(g, v, &r);
	if (rtnl_rule_add(nc->d->nl, &r) == -1 && errno != EEXIST) {
		nl_failed(nc, "adding policy rule from", &v->addr);
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
	vip_rule(g, v, &r);
	if (rtnl_rule_del(nc->d->nl, &r) == -1 && errno != ENOENT)
		nl_failed(nc, "removing policy rule from", &v->addr);
}

static bool
group_has_family(const struct vgroup *g, int family)
{
	size_t i;

	for (i = 0; i < g->nvips; i++)
		if (g->vips[i].addr.family == family)
			return true;
	return false;
}

/* ------------------------------------------------------- group actions */

int
netcfg_route_up(struct netcfg *nc, struct vgroup *g)
{
	static const int fams[] = {AF_INET, AF_INET6};
	char err[256];
	size_t i, f;

	if (g->route_up || g->cg.route.pin == CONF_ROUTE_OFF)
		return 0;
	if (g->port == NULL || !g->port->present) {
		group_set_fault(g, GF_NETLINK, "route pin: interface missing");
		return -1;
	}
	for (f = 0; f < 2; f++) {
		if (!group_has_family(g, fams[f]))
			continue;
		if (table_ref(nc, g, fams[f], err, sizeof(err)) == NULL) {
			if (f == 1 && group_has_family(g, AF_INET))
				table_unref(nc, g->cg.route.table, AF_INET);
			nc->d->ctr.netlink_errors++;
			group_set_fault(g, GF_NETLINK, err);
			return -1;
		}
	}
	g->route_up = true;
	for (i = 0; i < g->nvips; i++)
		vip_rule_add(nc, g, &g->vips[i]);
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
	if (group_has_family(g, AF_INET))
		table_unref(nc, g->cg.route.table, AF_INET);
	if (group_has_family(g, AF_INET6))
		table_unref(nc, g->cg.route.table, AF_INET6);
	g->route_up = false;
}

int
netcfg_group_up(struct netcfg *nc, struct vgroup *g)
{
	size_t i;

	for (i = 0; i < g->nvips; i++)
		if (!(g->vips[i].conflict &&
		      g->cg.conflict == CONF_CONFLICT_YIELD))
			vip_bind(nc, g, &g->vips[i]);
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
	size_t i;

	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL)
			continue;
		netcfg_group_down(nc, g);
		netcfg_route_down(nc, g);
	}
}

/* ---------------------------------------------------------- reconcile */

static bool
addr_present(const struct vec *va, const struct rtnl_addr *ra)
{
	size_t i;

	for (i = 0; i < va->n; i++) {
		const struct rtnl_addr *a = &((struct rtnl_addr *)va->p)[i];

		if (a->ifindex == ra->ifindex && net_addr_eq(&a->addr, &ra->addr))
			return true;
	}
	return false;
}

static bool
rule_present(const struct vec *vr, const struct rtnl_rule *r)
{
	size_t i;

	for (i = 0; i < vr->n; i++) {
		const struct rtnl_rule *x = &((struct rtnl_rule *)vr->p)[i];

		if (x->family == r->family && x->src_len == r->src_len &&
		    net_addr_eq(&x->src, &r->src) && x->table == r->table &&
		    x->priority == r->priority)
			return true;
	}
	return false;
}

static void
reconcile_group(struct netcfg *nc, struct vgroup *g, const struct vec *va,
		const struct vec *vr)
{
	char a[NET_ADDR_STRLEN];
	size_t i;

	for (i = 0; i < g->nvips; i++) {
		struct vip *v = &g->vips[i];
		struct rtnl_addr ra;
		struct rtnl_rule r;

		vip_addr(g, v, &ra);
		if (v->bound && ra.ifindex != 0 && !addr_present(va, &ra)) {
			log_warnx("group %s: address %s was removed by someone "
				  "else; restoring it",
				  g->cg.name, net_addr_str(&v->addr, a, sizeof(a)));
			v->bound = v->adopted = false;
			vip_bind(nc, g, v);
			nc->d->ctr.reconciled += v->bound;
		}
		vip_rule(g, v, &r);
		if (v->rule && !rule_present(vr, &r)) {
			log_warnx("group %s: policy rule from %s was removed by "
				  "someone else; restoring it",
				  g->cg.name, net_addr_str(&v->addr, a, sizeof(a)));
			v->rule = false;
			if (vip_rule_add(nc, g, v) == 0)
				nc->d->ctr.reconciled++;
		}
	}
}

/* Put back what someone removed, adapt tables to subnet changes. */
static void
reconcile(struct netcfg *nc, bool retry_faults)
{
	struct vipd *d = nc->d;
	struct vec va = VEC_INIT(struct rtnl_addr, false);
	struct vec vr = VEC_INIT(struct rtnl_rule, false);
	size_t i;

	nc->dirty = false;
	if (rtnl_addr_dump(d->nl, 0, 0, vec_addr, &va) == -1 ||
	    rtnl_rule_dump(d->nl, AF_INET, vec_rule, &vr) == -1 ||
	    rtnl_rule_dump(d->nl, AF_INET6, vec_rule, &vr) == -1) {
		nl_failed(nc, "reconcile: reading state", NULL);
		goto out;
	}
	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL)
			continue;
		if (g->fault == GF_NETLINK && retry_faults && g->port &&
		    g->port->present && g->port->oper_up) {
			/* Maybe the table is free now: try again. */
			group_set_fault(g, GF_NONE, "");
			continue;
		}
		if (g->fault == GF_NONE)
			reconcile_group(nc, g, &va, &vr);
	}
	for (i = 0; i < nc->ntables; i++)
		if (nc->tables[i].refs > 0)
			table_sync(nc, &nc->tables[i], true);
out:
	free(va.p);
	free(vr.p);
}

static void
on_reconcile(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct netcfg *nc = arg;

	(void)loop;
	(void)t;
	reconcile(nc, false);
	vipd_el_flush(nc->d);
}

void
netcfg_reconcile(struct netcfg *nc)
{
	reconcile(nc, true);
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

void
netcfg_resync(struct netcfg *nc)
{
	struct vipd *d = nc->d;
	size_t i;

	for (i = 0; i < d->nports; i++) {
		struct rtnl_link l;
		struct port *p = d->ports[i];

		if (rtnl_link_get(d->nl, p->ifname, &l) == 0)
			port_link_event(d, &l, false);
		else if (p->present) {
			l.ifindex = p->ifindex;
			snprintf(l.name, sizeof(l.name), "%s", p->ifname);
			port_link_event(d, &l, true);
		}
	}
	mark_dirty(nc);
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

void
netcfg_event(const struct rtnl_event *ev, void *arg)
{
	struct netcfg *nc = arg;

	switch (ev->kind) {
	case RTNL_EV_LINK:
		port_link_event(nc->d, &ev->u.link, ev->deleted);
		if (!ev->deleted && table_uses_if(nc, ev->u.link.ifindex))
			mark_dirty(nc);
		break;
	case RTNL_EV_ADDR:
		if ((ev->deleted && is_vip(nc->d, &ev->u.addr.addr)) ||
		    table_uses_if(nc, ev->u.addr.ifindex))
			mark_dirty(nc);
		break;
	case RTNL_EV_RULE:
		if (ev->deleted && ev->u.rule.proto == RTNL_PROTO_VIPD)
			mark_dirty(nc);
		break;
	case RTNL_EV_ROUTE:
		if (ev->deleted && table_ours(nc, ev->u.route.table))
			mark_dirty(nc);
		break;
	}
}

/* ---------------------------------------------------- start-up checks */

static int
sysctl_int(int family, const char *ifname, const char *key)
{
	char buf[32];

	if (sysctl_if_get(family, ifname, key, buf, sizeof(buf)) == -1)
		return -1;
	return atoi(buf);
}

static void
check_arp_sysctls(struct vgroup *g)
{
	const char *ifn = g->cg.interface;
	int ign = sysctl_int(AF_INET, ifn, "arp_ignore");
	int ann = sysctl_int(AF_INET, ifn, "arp_announce");
	int all_ign = sysctl_int(AF_INET, "all", "arp_ignore");

	if (g->cg.bind == CONF_BIND_LOCAL) {
		/* The VIP sits on lo: without these, the kernel answers ARP
		 * for it on every NIC and a crashed vipd leaves a zombie
		 * answerer.  vipd must be the only one to answer. */
		if (ign < 1 && all_ign < 1) {
			if (sysctl_if_set(AF_INET, ifn, "arp_ignore", "1") == 0)
				log_info("%s: set net.ipv4.conf.%s.arp_ignore=1 "
					 "(bind \"local\": only vipd answers "
					 "ARP for VIPs)",
					 ifn, ifn);
			else
				log_warn("%s: cannot set arp_ignore", ifn);
		}
		if (ann < 2) {
			if (sysctl_if_set(AF_INET, ifn, "arp_announce", "2") ==
			    0)
				log_info("%s: set net.ipv4.conf.%s.arp_announce=2 "
					 "(never use a VIP as ARP source)",
					 ifn, ifn);
			else
				log_warn("%s: cannot set arp_announce", ifn);
		}
		return;
	}
	if (ign == 0 && all_ign < 1)
		log_warnx("%s: arp_ignore=0: Linux answers ARP for any local "
			  "address on any NIC (ARP flux); fix: sysctl -w "
			  "net.ipv4.conf.%s.arp_ignore=1",
			  ifn, ifn);
	if (ann == 0)
		log_warnx("%s: arp_announce=0: ARP requests may carry another "
			  "NIC's address; fix: sysctl -w "
			  "net.ipv4.conf.%s.arp_announce=2",
			  ifn, ifn);
}

static void
check_subnets(struct netcfg *nc, struct vgroup *g)
{
	struct vec va = VEC_INIT(struct rtnl_addr, false);
	char a[NET_ADDR_STRLEN];
	size_t i, j;

	va.ifindex = g->port->ifindex;
	if (rtnl_addr_dump(nc->d->nl, 0, g->port->ifindex, vec_addr, &va) ==
	    -1) {
		free(va.p);
		return;
	}
	for (i = 0; i < g->nvips; i++) {
		bool fits = false;

		for (j = 0; j < va.n && !fits; j++) {
			const struct rtnl_addr *x = &((struct rtnl_addr *)va.p)[j];

			if (x->prefixlen < host_len(x->addr.family) &&
			    !is_vip(nc->d, &x->addr) &&
			    net_addr_in_prefix(&g->vips[i].addr, &x->addr,
					       x->prefixlen))
				fits = true;
		}
		if (!fits)
			log_warnx("group %s: VIP %s is outside every subnet of "
				  "%s: neighbours may ignore announcements "
				  "for it",
				  g->cg.name,
				  net_addr_str(&g->vips[i].addr, a, sizeof(a)),
				  g->cg.interface);
	}
	free(va.p);
}

void
netcfg_check_interface(struct netcfg *nc, struct vgroup *g)
{
	int rp, rp_all;

	if (g->port == NULL || !g->port->present)
		return;
	if (g->port->master != 0)
		log_warnx("group %s: %s is enslaved to another interface "
			  "(bond/bridge); configure the master instead",
			  g->cg.name, g->cg.interface);
	if (group_has_family(g, AF_INET))
		check_arp_sysctls(g);
	rp = sysctl_int(AF_INET, g->cg.interface, "rp_filter");
	rp_all = sysctl_int(AF_INET, "all", "rp_filter");
	if ((rp == 1 || rp_all == 1) && g->cg.route.pin == CONF_ROUTE_OFF)
		log_warnx("group %s: strict rp_filter on %s drops VIP traffic "
			  "from clients routed via another interface; enable "
			  "the route pin (route block) or set rp_filter=2",
			  g->cg.name, g->cg.interface);
	check_subnets(nc, g);
}
