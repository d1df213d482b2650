/*
 * The pin's kernel reads and its tables.  Dumps into growable arrays
 * (retried when the kernel says they raced with a change), the removal of
 * a crashed run's leftovers, and the policy tables: shared between the
 * groups that pin into them, reference-counted, holding the interface's
 * connected subnets and a default route via the gateway.
 */
#include "config.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pin_int.h"

/* A dump that raced with a change is retried this many times. */
#define PIN_DUMP_TRIES 3

/* -------------------------------------------------------------- dumps */

static void *
vec_push(struct pin_vec *v)
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
	struct pin_vec *v = arg;
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
	struct pin_vec *v = arg;
	struct rtnl_rule *s;

	if (v->ours && r->proto != RTNL_PROTO_VIPD)
		return;
	if ((s = vec_push(v)) != NULL)
		*s = *r;
}

static void
vec_route(const struct rtnl_route *r, void *arg)
{
	struct pin_vec *v = arg;
	struct rtnl_route *s;

	if (v->ours && r->proto != RTNL_PROTO_VIPD)
		return;
	if ((s = vec_push(v)) != NULL)
		*s = *r;
}

int
pin_addr_dump(struct pin *pin, int family, int ifindex, struct pin_vec *v)
{
	int i, rc = -1;

	v->ifindex = ifindex;
	for (i = 0; i < PIN_DUMP_TRIES; i++) {
		v->n = 0;
		rc = rtnl_addr_dump(pin->nl, family, ifindex, vec_addr, v);
		if (rc == 0 || errno != EINTR)
			break;
	}
	return rc;
}

int
pin_rule_dump(struct pin *pin, int family, struct pin_vec *v)
{
	int i, rc = -1;

	for (i = 0; i < PIN_DUMP_TRIES; i++) {
		v->n = 0;
		rc = rtnl_rule_dump(pin->nl, family, vec_rule, v);
		if (rc == 0 || errno != EINTR)
			break;
	}
	return rc;
}

/* A dump the kernel says changed under it is tried again (EINTR).  A
 * table nobody has used yet dumps as empty (net/rtnl_obj.c). */
static int
route_dump(struct rtnl *nl, int family, uint32_t table, struct pin_vec *v)
{
	int i, rc = -1;

	for (i = 0; i < PIN_DUMP_TRIES; i++) {
		v->n = 0;
		rc = rtnl_route_dump(nl, family, table, vec_route, v);
		if (rc == 0 || errno != EINTR)
			break;
	}
	return rc;
}

int
pin_route_dump(struct pin *pin, int family, uint32_t table, struct pin_vec *v)
{
	return route_dump(pin->nl, family, table, v);
}

/* ------------------------------------------------------ stale cleanup */

/*
 * A crashed run (kill -9) leaves its addresses, rules and routes behind:
 * remove every entry tagged with our protocol before we start, so that a
 * restart ends with exactly one copy of each.  Entries of other protocols
 * (a user's copy of a VIP included) are not ours and stay.
 */
void
pin_cleanup_stale(struct pin *pin)
{
	static const int fams[] = {AF_INET, AF_INET6};
	struct rtnl *nl = pin->nl;
	size_t i, f, removed = 0;

	for (f = 0; f < 2; f++) {
		struct pin_vec va = PIN_VEC_INIT(struct rtnl_addr, true);
		struct pin_vec vr = PIN_VEC_INIT(struct rtnl_rule, true);
		struct pin_vec vt = PIN_VEC_INIT(struct rtnl_route, true);

		if (pin_addr_dump(pin, fams[f], 0, &va) == 0)
			for (i = 0; i < va.n; i++)
				removed +=
				    rtnl_addr_del(
				        nl, PIN_VEC_AT(&va, struct rtnl_addr,
				                       i)) == 0;
		if (pin_rule_dump(pin, fams[f], &vr) == 0)
			for (i = 0; i < vr.n; i++)
				removed +=
				    rtnl_rule_del(
				        nl, PIN_VEC_AT(&vr, struct rtnl_rule,
				                       i)) == 0;
		if (pin_route_dump(pin, fams[f], 0, &vt) == 0)
			for (i = 0; i < vt.n; i++)
				removed +=
				    rtnl_route_del(
				        nl, PIN_VEC_AT(&vt, struct rtnl_route,
				                       i)) == 0;
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
table_subnets(struct pin *pin, const struct pin_table *t,
              struct rtnl_route *out, size_t max)
{
	struct pin_vec va = PIN_VEC_INIT(struct rtnl_addr, false);
	size_t i, j, n = 0;

	if (pin_addr_dump(pin, t->family, t->ifindex, &va) == -1) {
		free(va.p);
		return 0;
	}
	for (i = 0; i < va.n && n < max; i++) {
		const struct rtnl_addr *a =
		    PIN_VEC_AT(&va, struct rtnl_addr, i);
		struct rtnl_route r;
		bool dup = false;

		if (a->prefixlen >= pin_host_len(t->family) ||
		    a->scope != RT_SCOPE_UNIVERSE || pin_is_vip(pin, &a->addr))
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
table_desired(struct pin *pin, struct pin_table *t, struct rtnl_route *out)
{
	size_t n = table_subnets(pin, t, out, PIN_MAX_ROUTES - 1);
	struct net_addr gw;
	char a[NET_ADDR_STRLEN];

	/* A discovered gateway follows the interface's default route (a
	 * DHCP lease may change it); without one, the last stays. */
	if (!t->gw_configured &&
	    pin_gw_discover(pin->nl, t->ifindex, t->family, &gw) == 0 &&
	    !net_addr_eq(&gw, &t->gw)) {
		log_info("route table %u: gateway is now %s (the default route "
		         "of %s)",
		         t->table, net_addr_str(&gw, a, sizeof(a)),
		         t->iface->name);
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
route_failed(struct pin *pin, const struct pin_table *t,
             const struct rtnl_route *r, char *err, size_t errlen)
{
	char a[NET_ADDR_STRLEN], b[NET_ADDR_STRLEN + 16];

	pin->ctr.netlink_errors++;
	if (r->dst_len == 0)
		snprintf(b, sizeof(b), "default via %s",
		         net_addr_str(&r->gw, a, sizeof(a)));
	else
		snprintf(b, sizeof(b), "%s/%u",
		         net_addr_str(&r->dst, a, sizeof(a)), r->dst_len);
	snprintf(err, errlen, "route table %u: adding %s dev %s: %s", t->table,
	         b, t->iface->name, rtnl_error(pin->nl));
}

/*
 * Bring the table's routes to what the interface needs now: drop what no
 * longer applies (first, so that a changed gateway's default route can be
 * added), then add what is missing — subnets first, since the gateway must
 * be reachable for the default route to be accepted.  An interface that is
 * gone has no routes; one that is down is left alone until it is up.
 */
int
pin_table_sync(struct pin *pin, struct pin_table *t, bool log_restore,
               char *err, size_t errlen)
{
	const struct pin_link *l = &t->iface->link;
	struct rtnl_route want[PIN_MAX_ROUTES];
	struct pin_vec have = PIN_VEC_INIT(struct rtnl_route, true);
	size_t nwant, i;
	int rc = 0;

	if (!l->present) {
		t->nroutes = 0;
		return 0;
	}
	if (t->ifindex != l->ifindex) {
		t->ifindex = l->ifindex; /* re-created: routes went */
		t->nroutes = 0;
	}
	if (!l->up) {
		/* Setting it down removed our routes (no carrier keeps
		 * them): putting them back once it is up is no repair. */
		t->link_down = true;
		return 0;
	}
	if (t->link_down) {
		t->link_down = false;
		log_restore = false;
	}
	nwant = table_desired(pin, t, want);
	for (i = 0; i < t->nroutes; i++)
		if (!route_in(&t->routes[i], want, nwant))
			rtnl_route_del(pin->nl, &t->routes[i]);
	if (pin_route_dump(pin, t->family, t->table, &have) == -1) {
		if (err != NULL)
			snprintf(err, errlen, "reading route table %u: %s",
			         t->table, rtnl_error(pin->nl));
		free(have.p);
		return -1;
	}
	for (i = 0; i < nwant; i++) {
		if (route_in(&want[i], have.p, have.n))
			continue;
		if (rtnl_route_add(pin->nl, &want[i]) == 0) {
			if (log_restore &&
			    route_in(&want[i], t->routes, t->nroutes)) {
				pin->ctr.reconciled++;
				log_warnx("route table %u lost a route vipd "
				          "installed; restored",
				          t->table);
			}
		} else if (errno != EEXIST) {
			/* EEXIST: a route of someone else's with the same
			 * prefix; the table check reports those. */
			route_failed(pin, t, &want[i], err, errlen);
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
pin_table_check_free(struct rtnl *nl, uint32_t table, int family, char *err,
                     size_t errlen)
{
	struct pin_vec have = PIN_VEC_INIT(struct rtnl_route, false);
	size_t i, foreign = 0;

	if (route_dump(nl, family, table, &have) == -1) {
		snprintf(err, errlen, "reading route table %u: %s", table,
		         rtnl_error(nl));
		free(have.p);
		return -1;
	}
	for (i = 0; i < have.n; i++)
		if (PIN_VEC_AT(&have, struct rtnl_route, i)->proto !=
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

struct pin_table *
pin_table_find(struct pin *pin, uint32_t table, int family)
{
	size_t i;

	for (i = 0; i < pin->ntables; i++)
		if (pin->tables[i].table == table &&
		    pin->tables[i].family == family)
			return &pin->tables[i];
	return NULL;
}

void
pin_table_flush(struct pin *pin, struct pin_table *t)
{
	size_t i;

	/* The default route goes before the subnets it depends on. */
	for (i = t->nroutes; i-- > 0;)
		rtnl_route_del(pin->nl, &t->routes[i]);
	t->nroutes = 0;
}

int
pin_table_ref(struct pin_group *pg, int family, char *err, size_t errlen)
{
	struct pin *pin = pg->pin;
	struct pin_table *t = pin_table_find(pin, pg->route.table, family), *nt;

	if (t != NULL && t->refs > 0) {
		t->refs++;
		return 0;
	}
	if (pin_table_check_free(pin->nl, pg->route.table, family, err,
	                         errlen) == -1)
		return -1;
	if (t == NULL) {
		nt = realloc(pin->tables, (pin->ntables + 1) * sizeof(*nt));
		if (nt == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		pin->tables = nt;
		t = &pin->tables[pin->ntables++];
	}
	memset(t, 0, sizeof(*t));
	t->table = pg->route.table;
	t->family = family;
	t->iface = pg->iface;
	t->ifindex = pg->iface->link.ifindex;
	t->gw_configured = (family == AF_INET ? pg->route.gw4.family
	                                      : pg->route.gw6.family) != 0;
	if (pin_group_gateway(pg, family, &t->gw, err, errlen) == -1)
		return -1;
	t->refs = 1;
	if (pin_table_sync(pin, t, false, err, errlen) == -1) {
		pin_table_flush(pin, t);
		t->refs = 0;
		return -1;
	}
	return 0;
}

void
pin_table_unref(struct pin *pin, uint32_t table, int family)
{
	struct pin_table *t = pin_table_find(pin, table, family);

	if (t == NULL || t->refs == 0 || --t->refs > 0)
		return;
	pin_table_flush(pin, t);
}
