/*
 * The host's facts, through net/: links, addresses and rules by netlink
 * dumps, route lookups by RTM_GETROUTE (what `ip route get` asks), the
 * ARP and reverse-path sysctls from /proc/sys.  Nothing is changed.
 */
#include "config.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "doctor.h"
#include "net.h"

/* Off-subnet destinations for the reply-path lookup (documentation
 * ranges: asked of the routing table, never sent to). */
#define DR_REMOTE4 "192.0.2.1"
#define DR_REMOTE6 "2001:db8::1"

static void
to_net(const struct conf_addr *c, struct net_addr *n)
{
	memset(n, 0, sizeof(*n));
	n->family = c->family;
	memcpy(n->a, c->a, sizeof(n->a));
}

static void
from_net(const struct net_addr *n, struct conf_addr *c)
{
	memset(c, 0, sizeof(*c));
	c->family = n->family;
	memcpy(c->a, n->a, sizeof(c->a));
}

static bool
same(const struct conf_addr *x, const struct conf_addr *y)
{
	struct net_addr a, b;

	to_net(x, &a);
	to_net(y, &b);
	return net_addr_eq(&a, &b);
}

static struct dr_iface *
iface_by_index(struct dr_facts *f, int ifindex)
{
	size_t i;

	for (i = 0; i < f->nifaces; i++)
		if (f->ifaces[i].ifindex == ifindex)
			return &f->ifaces[i];
	return NULL;
}

static void
on_link(const struct rtnl_link *l, void *arg)
{
	struct dr_facts *f = arg;
	struct dr_iface *ifc;

	if (f->nifaces == DR_IFACES_MAX)
		return;
	ifc = &f->ifaces[f->nifaces++];
	memset(ifc, 0, sizeof(*ifc));
	snprintf(ifc->name, sizeof(ifc->name), "%s", l->name);
	ifc->ifindex = l->ifindex;
	ifc->up = l->oper_up;
}

/*
 * Who holds the VIPs and the peers' addresses, marked while the dump
 * runs: an interface's own list keeps only DR_ADDRS_MAX addresses (lo
 * may carry thousands of VIPs).
 */
static void
mark_holders(struct dr_facts *f, const struct dr_iface *ifc,
             const struct conf_addr *a, unsigned plen)
{
	size_t i, k;

	for (i = 0; i < f->ngroups; i++) {
		struct dr_group *g = &f->groups[i];

		for (k = 0; k < g->nvips; k++) {
			struct dr_vip *v = &g->vips[k];

			if (!same(&v->addr, a))
				continue;
			/* lo first: where bind "local" puts it. */
			if (v->on_iface[0] == '\0' ||
			    strcmp(ifc->name, "lo") == 0)
				snprintf(v->on_iface, sizeof(v->on_iface), "%s",
				         ifc->name);
			if (strcmp(ifc->name, "lo") != 0 &&
			    strcmp(ifc->name, g->cg->interface) != 0) {
				snprintf(v->other_iface, sizeof(v->other_iface),
				         "%s", ifc->name);
				v->other_plen = plen;
			}
		}
	}
	for (i = 0; i < f->npeers; i++)
		if (same(&f->peers[i].addr, a))
			f->peers[i].own = true;
}

static void
on_addr(const struct rtnl_addr *a, void *arg)
{
	struct dr_facts *f = arg;
	struct dr_iface *ifc = iface_by_index(f, a->ifindex);
	struct conf_addr c;

	if (ifc == NULL)
		return;
	from_net(&a->addr, &c);
	mark_holders(f, ifc, &c, a->prefixlen);
	if (ifc->naddrs == DR_ADDRS_MAX)
		return;
	ifc->addrs[ifc->naddrs].addr = c;
	ifc->addrs[ifc->naddrs++].plen = a->prefixlen;
}

static void
on_rule(const struct rtnl_rule *r, void *arg)
{
	struct dr_facts *f = arg;
	struct dr_rule *d;

	if (f->nrules == DR_RULES_MAX)
		return;
	d = &f->rules[f->nrules++];
	d->family = r->family;
	from_net(&r->src, &d->src);
	d->src_len = r->src_len;
	d->table = r->table;
	d->priority = r->priority;
	d->proto = r->proto;
}

static int
sysctl_read(const char *ifname, const char *key)
{
	char buf[32];

	if (sysctl_if_get(AF_INET, ifname, key, buf, sizeof(buf)) == -1)
		return DR_UNKNOWN;
	return atoi(buf);
}

static void
read_sysctls(struct dr_facts *f)
{
	size_t i;

	f->all_rp_filter = sysctl_read("all", "rp_filter");
	f->all_arp_ignore = sysctl_read("all", "arp_ignore");
	f->all_arp_announce = sysctl_read("all", "arp_announce");
	for (i = 0; i < f->nifaces; i++) {
		struct dr_iface *ifc = &f->ifaces[i];

		ifc->rp_filter = sysctl_read(ifc->name, "rp_filter");
		ifc->arp_ignore = sysctl_read(ifc->name, "arp_ignore");
		ifc->arp_announce = sysctl_read(ifc->name, "arp_announce");
	}
}

static void
lookup(struct rtnl *nl, const struct dr_facts *f, struct dr_lookup *l,
       const struct conf_addr *dst, const struct conf_addr *src)
{
	struct net_addr d, s;
	struct rtnl_lookup r;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->done = true;
	l->dst = *dst;
	to_net(dst, &d);
	if (src != NULL)
		l->src = *src;
	to_net(&l->src, &s);
	if (rtnl_route_get(nl, &d, src ? &s : NULL, &r) == -1) {
		l->err = errno ? errno : EIO;
		return;
	}
	for (i = 0; i < f->nifaces; i++)
		if (f->ifaces[i].ifindex == r.oif)
			snprintf(l->oif, sizeof(l->oif), "%s",
			         f->ifaces[i].name);
	if (r.gw.family != 0) {
		l->has_gw = true;
		from_net(&r.gw, &l->gw);
	}
	l->table = r.table;
}

/*
 * The source of a VIP's lookups: the VIP when this node holds it (the
 * kernel refuses a source that is not local), else the group interface's
 * own address on the VIP's subnet, or its first of that family.
 */
static bool
pick_source(const struct dr_facts *f, const struct dr_group *g,
            const struct dr_vip *v, struct conf_addr *src)
{
	const struct dr_iface *ifc = dr_iface_find(f, g->cg->interface);
	struct net_addr va, pa;
	size_t k;
	int best = -1;

	if (v->on_iface[0] != '\0') {
		*src = v->addr;
		return true;
	}
	if (ifc == NULL)
		return false;
	to_net(&v->addr, &va);
	for (k = 0; k < ifc->naddrs; k++) {
		const struct dr_prefix *p = &ifc->addrs[k];

		if (p->addr.family != v->addr.family ||
		    (p->addr.family == AF_INET6 && p->addr.a[0] == 0xfe &&
		     (p->addr.a[1] & 0xc0) == 0x80))
			continue;
		to_net(&p->addr, &pa);
		if (net_addr_in_prefix(&va, &pa, p->plen)) {
			best = (int)k;
			break;
		}
		if (best < 0)
			best = (int)k;
	}
	if (best < 0)
		return false;
	*src = ifc->addrs[best].addr;
	return true;
}

static void
gather_vips(struct rtnl *nl, struct dr_facts *f, struct dr_group *g)
{
	struct conf_addr remote4, remote6, src;
	struct net_addr n;
	size_t i;

	net_addr_parse(DR_REMOTE4, &n);
	from_net(&n, &remote4);
	net_addr_parse(DR_REMOTE6, &n);
	from_net(&n, &remote6);
	for (i = 0; i < g->nvips; i++) {
		struct dr_vip *v = &g->vips[i];
		const struct conf_route *rt = &g->cg->route;
		bool have, v6 = v->addr.family == AF_INET6;

		have = pick_source(f, g, v, &src);
		lookup(nl, f, &v->remote, v6 ? &remote6 : &remote4,
		       have ? &src : NULL);
		v->remote.src_is_vip = v->on_iface[0] != '\0';
		if (v6 ? rt->has_gateway6 : rt->has_gateway) {
			lookup(nl, f, &v->onlink,
			       v6 ? &rt->gateway6 : &rt->gateway,
			       have ? &src : NULL);
			v->onlink.src_is_vip = v->remote.src_is_vip;
		}
	}
}

static const char *
nud_name(uint16_t st)
{
	if (st & NUD_REACHABLE)
		return "reachable";
	if (st & NUD_STALE)
		return "stale";
	if (st & NUD_DELAY)
		return "delay";
	if (st & NUD_PROBE)
		return "probe";
	if (st & NUD_FAILED)
		return "failed";
	if (st & NUD_INCOMPLETE)
		return "incomplete";
	if (st & NUD_PERMANENT)
		return "permanent";
	if (st & NUD_NOARP)
		return "noarp";
	return "none";
}

/*
 * An on-link peer's neighbour entry.  The daemon sends it a heartbeat
 * every interval, so the kernel keeps asking ARP/NDP for it: the entry
 * says whether its address answers, without doctor sending anything.
 */
static void
peer_neigh(struct rtnl *nl, const struct dr_facts *f, struct dr_peer *p)
{
	const struct dr_iface *ifc;
	struct net_addr a;
	uint16_t st;

	if (!p->path.done || p->path.err != 0 || p->path.has_gw ||
	    (ifc = dr_iface_find(f, p->path.oif)) == NULL)
		return;
	to_net(&p->addr, &a);
	if (rtnl_neigh_state(nl, ifc->ifindex, &a, &st) == 0)
		snprintf(p->neigh, sizeof(p->neigh), "%s", nud_name(st));
}

/* The gateways' neighbour entries: traffic pinned to a gateway makes
 * the kernel ask ARP/NDP for it, so the entry says whether it answers. */
static void
gateway_neigh(struct rtnl *nl, const struct dr_facts *f, struct dr_group *g)
{
	const struct dr_iface *ifc = dr_iface_find(f, g->cg->interface);
	const struct conf_route *rt = &g->cg->route;
	struct net_addr a;
	uint16_t st;

	if (ifc == NULL)
		return;
	to_net(&rt->gateway, &a);
	if (rt->has_gateway && rtnl_neigh_state(nl, ifc->ifindex, &a, &st) == 0)
		snprintf(g->gw_neigh, sizeof(g->gw_neigh), "%s", nud_name(st));
	to_net(&rt->gateway6, &a);
	if (rt->has_gateway6 &&
	    rtnl_neigh_state(nl, ifc->ifindex, &a, &st) == 0)
		snprintf(g->gw6_neigh, sizeof(g->gw6_neigh), "%s",
		         nud_name(st));
}

int
dr_gather_host(struct dr_facts *f, char *err, size_t errlen)
{
	struct rtnl *nl = rtnl_new(err, errlen);
	size_t i;

	if (nl == NULL)
		return -1;
	if (rtnl_link_dump(nl, on_link, f) == -1 ||
	    rtnl_addr_dump(nl, 0, 0, on_addr, f) == -1 ||
	    rtnl_rule_dump(nl, 0, on_rule, f) == -1) {
		snprintf(err, errlen, "netlink: %s", rtnl_error(nl));
		rtnl_free(nl);
		return -1;
	}
	read_sysctls(f);
	for (i = 0; i < f->ngroups; i++) {
		gather_vips(nl, f, &f->groups[i]);
		gateway_neigh(nl, f, &f->groups[i]);
	}
	for (i = 0; i < f->npeers; i++) {
		struct dr_peer *p = &f->peers[i];

		if (p->own)
			continue;
		lookup(nl, f, &p->path, &p->addr, NULL);
		peer_neigh(nl, f, p);
	}
	rtnl_free(nl);
	dr_gather_firewall(f);
	return 0;
}
