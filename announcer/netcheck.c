/*
 * What the host must provide for a group, checked at start-up (and by
 * `vipd -t` through netcfg_gateway): a gateway for the route pin, a table
 * free of other people's routes, and interface sysctls that keep the
 * kernel from answering ARP for the VIPs behind vipd's back.  Problems the
 * daemon can live with are warnings that name the fix; a pin that cannot
 * go up puts the group in a netlink fault, retried by reconcile.c.
 */
#include "config.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netcfg_int.h"

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
nc_gw_discover(struct rtnl *nl, int ifindex, int family, struct net_addr *gw)
{
	struct gw_find f;
	int tries, rc = -1;

	for (tries = 0; tries < 3; tries++) {
		memset(&f, 0, sizeof(f));
		f.ifindex = ifindex;
		rc = rtnl_route_dump(nl, family, RT_TABLE_MAIN, gw_route, &f);
		if (rc == 0 || errno != EINTR)
			break;
	}
	if (rc == -1 || !f.found)
		return -1;
	*gw = f.gw;
	return 0;
}

int
netcfg_gateway(struct rtnl *nl, const struct conf_group *cg, int family,
               struct net_addr *gw, char *err, size_t errlen)
{
	bool v4 = family == AF_INET;
	const struct conf_addr *cfg_gw =
	    v4 ? (cg->route.has_gateway ? &cg->route.gateway : NULL)
	       : (cg->route.has_gateway6 ? &cg->route.gateway6 : NULL);
	struct rtnl_link l;

	memset(gw, 0, sizeof(*gw));
	if (cfg_gw != NULL) {
		*gw = vipd_addr(cfg_gw);
		return 0;
	}
	if (rtnl_link_get(nl, cg->interface, &l) == -1) {
		snprintf(err, errlen, "group '%s': interface %s: %s", cg->name,
		         cg->interface, rtnl_error(nl));
		return -1;
	}
	if (nc_gw_discover(nl, l.ifindex, family, gw) == 0)
		return 0;
	snprintf(err, errlen,
	         "group '%s': no %s gateway for the route pin: %s has no %s "
	         "default route in the main table; set route.%s in group "
	         "'%s' (or route.pin = \"off\")",
	         cg->name, v4 ? "IPv4" : "IPv6", cg->interface,
	         v4 ? "IPv4" : "IPv6", v4 ? "gateway" : "gateway6", cg->name);
	return -1;
}

/* Is gw on a subnet of the interface (or IPv6 link-local)? */
static int
gw_on_link(struct netcfg *nc, const struct vgroup *g, const struct net_addr *gw,
           char *err, size_t errlen)
{
	struct vec va = VEC_INIT(struct rtnl_addr, false);
	char a[NET_ADDR_STRLEN];
	bool ok = false;
	size_t i;

	if (gw->family == AF_INET6 && gw->a[0] == 0xfe &&
	    (gw->a[1] & 0xc0) == 0x80)
		return 0;
	if (nc_addr_dump(nc, gw->family, g->port->ifindex, &va) == -1) {
		free(va.p);
		return 0; /* adding the route will tell */
	}
	for (i = 0; i < va.n && !ok; i++) {
		const struct rtnl_addr *x = VEC_AT(&va, struct rtnl_addr, i);

		ok = x->prefixlen < nc_host_len(x->addr.family) &&
		     !nc_is_vip(nc->d, &x->addr) &&
		     net_addr_in_prefix(gw, &x->addr, x->prefixlen);
	}
	free(va.p);
	if (ok)
		return 0;
	snprintf(err, errlen,
	         "route pin: gateway %s is on no subnet of %s; add the "
	         "interface's address or fix route.%s",
	         net_addr_str(gw, a, sizeof(a)), g->cg.interface,
	         gw->family == AF_INET ? "gateway" : "gateway6");
	return -1;
}

int
nc_pin_check(struct netcfg *nc, const struct vgroup *g, char *err,
             size_t errlen)
{
	static const int fams[] = {AF_INET, AF_INET6};
	struct net_addr gw;
	const struct nc_table *t;
	size_t f;

	if (g->cg.route.pin == CONF_ROUTE_OFF)
		return 0;
	if (g->port == NULL || !g->port->present) {
		snprintf(err, errlen, "route pin: %s is not present",
		         g->cg.interface);
		return -1;
	}
	for (f = 0; f < 2; f++) {
		if (!nc_group_has_family(g, fams[f]))
			continue;
		if (netcfg_gateway(nc->d->nl, &g->cg, fams[f], &gw, err,
		                   errlen) == -1 ||
		    gw_on_link(nc, g, &gw, err, errlen) == -1)
			return -1;
		t = nc_table_find(nc, g->cg.route.table, fams[f]);
		if ((t == NULL || t->refs == 0) &&
		    netcfg_table_check_free(nc->d->nl, g->cg.route.table,
		                            fams[f], err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ sysctls */

static int
sysctl_int(int family, const char *ifname, const char *key)
{
	char buf[32];

	if (sysctl_if_get(family, ifname, key, buf, sizeof(buf)) == -1)
		return -1;
	return atoi(buf);
}

/* The value the kernel acts on: the larger of "all" and the interface's
 * (true of arp_ignore, arp_announce and rp_filter). */
static int
sysctl_eff(const char *ifname, const char *key)
{
	int v = sysctl_int(AF_INET, ifname, key);
	int all = sysctl_int(AF_INET, "all", key);

	return v > all ? v : all;
}

/* Remember the first value vipd replaced, so that exit can restore it. */
static void
sysctl_record(struct netcfg *nc, const char *ifn, const char *key,
              const char *old, const char *value)
{
	struct nc_sysctl *s;
	size_t i;

	for (i = 0; i < nc->nsysctls; i++)
		if (strcmp(nc->sysctls[i].ifname, ifn) == 0 &&
		    strcmp(nc->sysctls[i].key, key) == 0) {
			snprintf(nc->sysctls[i].set, sizeof(s->set), "%s",
			         value);
			return;
		}
	s = realloc(nc->sysctls, (nc->nsysctls + 1) * sizeof(*s));
	if (s == NULL)
		return; /* not restored at exit: the safe side */
	nc->sysctls = s;
	s = &nc->sysctls[nc->nsysctls++];
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifn);
	snprintf(s->key, sizeof(s->key), "%s", key);
	snprintf(s->old, sizeof(s->old), "%s", old);
	snprintf(s->set, sizeof(s->set), "%s", value);
}

static void
sysctl_raise(struct netcfg *nc, const char *ifn, const char *key,
             const char *value, const char *why)
{
	char old[16];

	if (sysctl_if_get(AF_INET, ifn, key, old, sizeof(old)) == -1) {
		log_warn("%s: cannot read net.ipv4.conf.%s.%s", ifn, ifn, key);
		return;
	}
	if (sysctl_if_set(AF_INET, ifn, key, value) == 0) {
		log_info("%s: set net.ipv4.conf.%s.%s=%s (%s)", ifn, ifn, key,
		         value, why);
		sysctl_record(nc, ifn, key, old, value);
	} else if (errno == EPERM || errno == EACCES) {
		log_warn("%s: cannot set net.ipv4.conf.%s.%s=%s (needs "
		         "CAP_NET_ADMIN)",
		         ifn, ifn, key, value);
	} else {
		log_warn("%s: cannot set net.ipv4.conf.%s.%s=%s", ifn, ifn, key,
		         value);
	}
}

void
nc_restore_sysctls(struct netcfg *nc)
{
	char cur[16];
	size_t i;

	for (i = nc->nsysctls; i-- > 0;) {
		const struct nc_sysctl *s = &nc->sysctls[i];

		if (sysctl_if_get(AF_INET, s->ifname, s->key, cur,
		                  sizeof(cur)) == -1 ||
		    strcmp(cur, s->set) != 0)
			continue; /* gone, or changed by someone else: theirs */
		if (sysctl_if_set(AF_INET, s->ifname, s->key, s->old) == 0)
			log_info("restored net.ipv4.conf.%s.%s=%s", s->ifname,
			         s->key, s->old);
		else
			log_warn("cannot restore net.ipv4.conf.%s.%s=%s",
			         s->ifname, s->key, s->old);
	}
	free(nc->sysctls);
	nc->sysctls = NULL;
	nc->nsysctls = 0;
}

static void
check_arp_sysctls(const struct vgroup *g)
{
	struct netcfg *nc = g->d->nc;
	const char *ifn = g->cg.interface;
	int ign = sysctl_eff(ifn, "arp_ignore");
	int ann = sysctl_eff(ifn, "arp_announce");

	if (g->cg.bind == CONF_BIND_LOCAL) {
		/* The VIP sits on lo: without these, the kernel answers ARP
		 * for it on every NIC and a crashed vipd leaves a zombie
		 * answerer.  vipd must be the only one to answer — on the
		 * group's interface and on every other NIC too, hence "all"
		 * for arp_ignore (the kernel uses the larger value). */
		if (ign < 1)
			sysctl_raise(nc, ifn, "arp_ignore", "1",
			             "bind \"local\": only vipd answers ARP "
			             "for VIPs");
		if (sysctl_int(AF_INET, "all", "arp_ignore") < 1)
			sysctl_raise(nc, "all", "arp_ignore", "1",
			             "bind \"local\": no NIC answers ARP for "
			             "the VIPs on lo");
		if (ann < 2)
			sysctl_raise(nc, ifn, "arp_announce", "2",
			             "never use a VIP as ARP source");
		return;
	}
	if (ign == 0)
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

void
nc_check_sysctls(struct vgroup *g)
{
	if (!nc_group_has_family(g, AF_INET))
		return; /* IPv6 has no ARP and no rp_filter sysctl */
	check_arp_sysctls(g);
	/* Strict reverse-path filtering drops a client's packet when the
	 * reply would leave another interface — unless the pin makes the
	 * reply leave this one. */
	if (sysctl_eff(g->cg.interface, "rp_filter") == 1 &&
	    g->cg.route.pin == CONF_ROUTE_OFF)
		log_warnx("group %s: strict rp_filter on %s drops VIP traffic "
		          "from clients routed via another interface; enable "
		          "the route pin (route block) or set "
		          "net.ipv4.conf.%s.rp_filter=2",
		          g->cg.name, g->cg.interface, g->cg.interface);
}

static void
check_subnets(struct netcfg *nc, const struct vgroup *g)
{
	struct vec va = VEC_INIT(struct rtnl_addr, false);
	char a[NET_ADDR_STRLEN];
	size_t i, j;

	if (nc_addr_dump(nc, 0, g->port->ifindex, &va) == -1) {
		free(va.p);
		return;
	}
	for (i = 0; i < g->nvips; i++) {
		bool fits = false;

		for (j = 0; j < va.n && !fits; j++) {
			const struct rtnl_addr *x =
			    VEC_AT(&va, struct rtnl_addr, j);

			fits = x->prefixlen < nc_host_len(x->addr.family) &&
			       !nc_is_vip(nc->d, &x->addr) &&
			       net_addr_in_prefix(&g->vips[i].addr, &x->addr,
			                          x->prefixlen);
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

/*
 * At group creation: warnings for what the daemon can live with, sysctls
 * for bind "local", and the pin's preconditions — a group whose pin could
 * not go up starts in a netlink fault (it would otherwise take over, fail
 * and hand over again), and reconcile.c retries it.
 */
void
netcfg_check_interface(struct netcfg *nc, struct vgroup *g)
{
	char err[256];

	if (g->port == NULL || !g->port->present)
		return;
	if (g->port->master != 0)
		log_warnx("group %s: %s is enslaved to another interface "
		          "(bond/bridge); configure the master instead",
		          g->cg.name, g->cg.interface);
	nc_check_sysctls(g);
	check_subnets(nc, g);
	if (g->fault == GF_NONE && nc_pin_check(nc, g, err, sizeof(err)) == -1)
		nc_fault(nc, g, err);
}
