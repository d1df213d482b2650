/*
 * The checks: pure functions from the facts to findings.  No I/O: every
 * value they read was gathered before (dr_gather.c, dr_status.c) or
 * recorded by a unit test.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "doctor.h"

#define ADD(out, code, g, ...)                                                 \
	dr_findings_add((out), (code), (g) ? (g)->cg->name : "", __VA_ARGS__)

static size_t
alen(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static bool
addr_eq(const struct conf_addr *x, const struct conf_addr *y)
{
	return x->family == y->family && x->family != 0 &&
	       memcmp(x->a, y->a, alen(x->family)) == 0;
}

static bool
in_prefix(const struct conf_addr *a, const struct conf_addr *p, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (a->family != p->family || plen > alen(a->family) * 8)
		return false;
	if (memcmp(a->a, p->a, full) != 0)
		return false;
	return rest == 0 ||
	       ((a->a[full] ^ p->a[full]) & (0xff << (8 - rest))) == 0;
}

static bool
link_local6(const struct conf_addr *a)
{
	return a->family == AF_INET6 && a->a[0] == 0xfe &&
	       (a->a[1] & 0xc0) == 0x80;
}

/* The evidence line of a lookup. */
static void
ev_lookup(struct dr_finding *fd, const struct dr_lookup *l)
{
	char buf[DR_TEXT];

	dr_lookup_str(l, buf, sizeof(buf));
	if (!l->src_is_vip && l->src.family != 0)
		dr_evidence(fd, "%s (stand-in: the VIP is not on this node)",
		            buf);
	else
		dr_evidence(fd, "%s", buf);
}

/* The rules whose selector covers vip, as evidence; "no rule" else. */
static void
ev_rules(struct dr_finding *fd, const struct dr_facts *f,
         const struct conf_addr *vip)
{
	char a[64], s[64];
	size_t i, n = 0;

	for (i = 0; i < f->nrules; i++) {
		const struct dr_rule *r = &f->rules[i];

		if (r->family != vip->family || r->src.family == 0 ||
		    !in_prefix(vip, &r->src, r->src_len))
			continue;
		dr_evidence(fd, "ip rule: %u: from %s/%u lookup %u proto %u",
		            (unsigned)r->priority,
		            dr_addr_str(&r->src, s, sizeof(s)), r->src_len,
		            (unsigned)r->table, r->proto);
		n++;
	}
	if (n == 0)
		dr_evidence(fd, "ip rule: no rule selects traffic from %s",
		            dr_addr_str(vip, a, sizeof(a)));
}

/*
 * Whether replies from v would leave another interface than the group's
 * when this node answers for it.  A lookup made from a stand-in source
 * (the VIP is not on this node) says nothing when vipd will pin the route
 * at takeover: then the pin decides.  Nothing is said while the group's
 * interface is missing (link-down says it).
 */
static bool
reply_path_wrong(const struct dr_facts *f, const struct dr_group *g,
                 const struct dr_vip *v)
{
	const struct dr_lookup *l = &v->remote;

	/* Without its interface the group has a worse problem (link-down). */
	if (!l->done || dr_iface_find(f, g->cg->interface) == NULL)
		return false;
	if (!l->src_is_vip && g->cg->route.pin != CONF_ROUTE_OFF)
		return false;
	return l->err != 0 || strcmp(l->oif, g->cg->interface) != 0;
}

static void
fix_pin(struct dr_finding *fd, const struct dr_facts *f,
        const struct dr_group *g, const struct dr_vip *v)
{
	const struct conf_route *rt = &g->cg->route;
	char gw[64];
	bool v6 = v->addr.family == AF_INET6;
	bool has = v6 ? rt->has_gateway6 : rt->has_gateway;

	if (rt->pin != CONF_ROUTE_OFF) {
		dr_fix(fd,
		       "the pin is configured (route.pin = \"%s\", table %u, "
		       "priority %u) but does not take the replies: check "
		       "`vipctl status` (route installed) and `ip rule show` "
		       "for a rule before priority %u",
		       conf_route_pin_name(rt->pin), (unsigned)rt->table,
		       (unsigned)rt->priority, (unsigned)rt->priority);
		return;
	}
	if (has)
		dr_addr_str(v6 ? &rt->gateway6 : &rt->gateway, gw, sizeof(gw));
	else
		snprintf(gw, sizeof(gw), "<router on %s>", g->cg->interface);
	dr_fix(fd,
	       "in group \"%s\" of %s set route = { pin = \"leader\"; %s = "
	       "\"%s\"; }; then `vipctl reload`",
	       g->cg->name, f->cfg->path, v6 ? "gateway6" : "gateway", gw);
}

int
dr_check_reply_path(const struct dr_facts *f, const struct dr_group *g,
                    struct dr_findings *out)
{
	struct dr_finding *fd;
	char a[64];
	size_t i;
	int n = 0;

	for (i = 0; i < g->nvips; i++) {
		const struct dr_vip *v = &g->vips[i];

		if (!reply_path_wrong(f, g, v))
			continue;
		dr_addr_str(&v->addr, a, sizeof(a));
		if ((fd = ADD(out, DR_C_REPLY_PATH, g, "%s", a)) == NULL)
			return -1;
		if (v->remote.err != 0)
			dr_cause(fd,
			         "Replies from %s to clients in other subnets "
			         "find no route (they must leave %s).",
			         a, g->cg->interface);
		else
			dr_cause(fd,
			         "Replies from %s to clients in other subnets "
			         "leave %s, not %s: the router or NAT there "
			         "drops them (TLS \"bad record MAC\", "
			         "\"Destination Host Unreachable\", hangs).",
			         a, v->remote.oif, g->cg->interface);
		ev_lookup(fd, &v->remote);
		if (v->onlink.done)
			ev_lookup(fd, &v->onlink);
		ev_rules(fd, f, &v->addr);
		dr_evidence(fd, "config: route.pin = \"%s\"",
		            conf_route_pin_name(g->cg->route.pin));
		fix_pin(fd, f, g, v);
		n++;
	}
	return n;
}

int
dr_check_rp_filter(const struct dr_facts *f, const struct dr_group *g,
                   struct dr_findings *out)
{
	const struct dr_iface *ifc = dr_iface_find(f, g->cg->interface);
	struct dr_finding *fd;
	char a[64];
	size_t i;
	int n = 0;

	if (ifc == NULL || dr_sysctl_eff(f, ifc, "rp_filter") != 1)
		return 0;
	for (i = 0; i < g->nvips; i++) {
		const struct dr_vip *v = &g->vips[i];

		if (v->addr.family != AF_INET || !reply_path_wrong(f, g, v))
			continue;
		dr_addr_str(&v->addr, a, sizeof(a));
		if ((fd = ADD(out, DR_C_RP_FILTER, g, "%s", a)) == NULL)
			return -1;
		dr_cause(fd,
		         "Strict rp_filter on %s drops requests to %s from "
		         "other subnets on arrival: the route back to them "
		         "leaves %s.",
		         ifc->name, a,
		         v->remote.err ? "nowhere" : v->remote.oif);
		dr_evidence(fd,
		            "sysctl net.ipv4.conf.%s.rp_filter = %d, "
		            "net.ipv4.conf.all.rp_filter = %d",
		            ifc->name, ifc->rp_filter, f->all_rp_filter);
		ev_lookup(fd, &v->remote);
		dr_fix(fd,
		       "pin the reply path (route.pin = \"leader\" in group "
		       "\"%s\"), or loosen it: sysctl -w "
		       "net.ipv4.conf.%s.rp_filter=2 "
		       "net.ipv4.conf.all.rp_filter=2",
		       g->cg->name, ifc->name);
		n++;
	}
	return n;
}

static bool
group_has_v4(const struct dr_group *g)
{
	return conf_group_has_family(g->cg, AF_INET);
}

static bool
iface_has_v4(const struct dr_iface *ifc)
{
	size_t i;

	for (i = 0; i < ifc->naddrs; i++)
		if (ifc->addrs[i].addr.family == AF_INET)
			return true;
	return false;
}

int
dr_check_arp_flux(const struct dr_facts *f, const struct dr_group *g,
                  struct dr_findings *out)
{
	struct dr_finding *fd;
	size_t i;
	int n = 0;

	if (g->cg->bind != CONF_BIND_INTERFACE || !group_has_v4(g))
		return 0;
	for (i = 0; i < f->nifaces; i++) {
		const struct dr_iface *o = &f->ifaces[i];

		if (strcmp(o->name, "lo") == 0 ||
		    strcmp(o->name, g->cg->interface) == 0 || !o->up ||
		    !iface_has_v4(o) || dr_sysctl_eff(f, o, "arp_ignore") != 0)
			continue;
		if ((fd = ADD(out, DR_C_ARP_FLUX, g, "%s", o->name)) == NULL)
			return -1;
		dr_cause(fd,
		         "With bind = \"interface\" the VIPs sit on %s, and "
		         "%s answers ARP for them too (arp_ignore=0): "
		         "clients on its segment may send to the wrong MAC.",
		         g->cg->interface, o->name);
		dr_evidence(fd,
		            "sysctl net.ipv4.conf.%s.arp_ignore = %d, "
		            "net.ipv4.conf.all.arp_ignore = %d",
		            o->name, o->arp_ignore, f->all_arp_ignore);
		dr_evidence(fd,
		            "sysctl net.ipv4.conf.%s.arp_announce = %d, "
		            "net.ipv4.conf.all.arp_announce = %d",
		            o->name, o->arp_announce, f->all_arp_announce);
		dr_fix(fd,
		       "sysctl -w net.ipv4.conf.all.arp_ignore=1 "
		       "net.ipv4.conf.all.arp_announce=2 (and in "
		       "/etc/sysctl.d), or bind = \"local\" in group \"%s\"",
		       g->cg->name);
		n++;
	}
	return n;
}

int
dr_check_vip_elsewhere(const struct dr_facts *f, const struct dr_group *g,
                       struct dr_findings *out)
{
	struct dr_finding *fd;
	char a[64];
	size_t i;
	int n = 0;

	(void)f;
	for (i = 0; i < g->nvips; i++) {
		const struct dr_vip *v = &g->vips[i];

		if (v->other_iface[0] == '\0')
			continue;
		dr_addr_str(&v->addr, a, sizeof(a));
		if ((fd = ADD(out, DR_C_VIP_ELSEWHERE, g, "%s", a)) == NULL)
			return -1;
		dr_cause(fd,
		         "%s is configured on %s, not only where vipd puts "
		         "it: this node answers for it there whoever leads.",
		         a, v->other_iface);
		dr_evidence(fd, "ip addr show dev %s: %s/%u", v->other_iface, a,
		            v->other_plen);
		dr_fix(fd,
		       "ip addr del %s/%u dev %s (and remove it from the "
		       "interface's configuration)",
		       a, v->other_plen, v->other_iface);
		n++;
	}
	return n;
}

int
dr_check_sysctl_reset(const struct dr_facts *f, const struct dr_group *g,
                      struct dr_findings *out)
{
	const struct dr_iface *ifc = dr_iface_find(f, g->cg->interface);
	struct dr_finding *fd;
	bool bound = false;
	int ign, ann;
	size_t i;

	if (g->cg->bind != CONF_BIND_LOCAL || ifc == NULL)
		return 0;
	for (i = 0; i < g->nvips; i++)
		if (g->vips[i].addr.family == AF_INET &&
		    strcmp(g->vips[i].on_iface, "lo") == 0)
			bound = true;
	if (!bound)
		return 0;
	ign = dr_sysctl_eff(f, ifc, "arp_ignore");
	ann = dr_sysctl_eff(f, ifc, "arp_announce");
	if ((ign == DR_UNKNOWN || ign >= 1) &&
	    (f->all_arp_ignore == DR_UNKNOWN || f->all_arp_ignore >= 1) &&
	    (ann == DR_UNKNOWN || ann >= 2))
		return 0;
	if ((fd = ADD(out, DR_C_SYSCTL_RESET, g, "%s", ifc->name)) == NULL)
		return -1;
	dr_cause(fd, "A VIP is bound on lo (bind = \"local\") but the ARP "
	             "sysctls vipd set at takeover were put back: every NIC "
	             "answers ARP for it, even after vipd stops.");
	dr_evidence(fd,
	            "sysctl net.ipv4.conf.%s.arp_ignore = %d, "
	            "net.ipv4.conf.all.arp_ignore = %d (vipd sets 1)",
	            ifc->name, ifc->arp_ignore, f->all_arp_ignore);
	dr_evidence(fd,
	            "sysctl net.ipv4.conf.%s.arp_announce = %d, "
	            "net.ipv4.conf.all.arp_announce = %d (vipd sets 2)",
	            ifc->name, ifc->arp_announce, f->all_arp_announce);
	dr_fix(fd,
	       "sysctl -w net.ipv4.conf.all.arp_ignore=1 "
	       "net.ipv4.conf.%s.arp_ignore=1 net.ipv4.conf.%s.arp_announce=2, "
	       "and find what reset them (/etc/sysctl.d, a network manager)",
	       ifc->name, ifc->name);
	return 1;
}

/* True when a is in a subnet of ifc (its own host address excluded). */
static bool
on_subnet(const struct dr_iface *ifc, const struct conf_addr *a)
{
	size_t i;

	for (i = 0; i < ifc->naddrs; i++) {
		const struct dr_prefix *p = &ifc->addrs[i];

		if (p->plen == alen(a->family) * 8 && addr_eq(&p->addr, a))
			continue;
		if (in_prefix(a, &p->addr, p->plen))
			return true;
	}
	return false;
}

static void
ev_subnets(struct dr_finding *fd, const struct dr_iface *ifc, int family)
{
	char list[DR_TEXT] = "", a[64];
	size_t i, len = 0;

	for (i = 0; i < ifc->naddrs && len < sizeof(list) - 1; i++) {
		const struct dr_prefix *p = &ifc->addrs[i];
		int w;

		if (p->addr.family != family || link_local6(&p->addr))
			continue;
		w = snprintf(list + len, sizeof(list) - len, "%s%s/%u",
		             len ? ", " : "",
		             dr_addr_str(&p->addr, a, sizeof(a)), p->plen);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	dr_evidence(fd, "ip addr show dev %s: %s", ifc->name,
	            len ? list : "no address of that family");
}

static int
check_gateway(const struct dr_group *g, const struct dr_iface *ifc,
              const struct conf_addr *gw, const char *key,
              struct dr_findings *out)
{
	struct dr_finding *fd;
	char a[64];

	if (link_local6(gw) || on_subnet(ifc, gw))
		return 0;
	dr_addr_str(gw, a, sizeof(a));
	if ((fd = ADD(out, DR_C_GATEWAY_SUBNET, g, "%s", a)) == NULL)
		return -1;
	dr_cause(fd,
	         "route.%s %s is not on any subnet of %s: the pinned "
	         "default route cannot reach it.",
	         key, a, ifc->name);
	ev_subnets(fd, ifc, gw->family);
	dr_fix(fd,
	       "set route.%s in group \"%s\" to the router's address on "
	       "%s's subnet",
	       key, g->cg->name, ifc->name);
	return 1;
}

int
dr_check_subnets(const struct dr_facts *f, const struct dr_group *g,
                 struct dr_findings *out)
{
	const struct dr_iface *ifc = dr_iface_find(f, g->cg->interface);
	const struct conf_route *rt = &g->cg->route;
	struct dr_finding *fd;
	char a[64];
	size_t i;
	int n = 0, r;

	if (ifc == NULL)
		return 0;
	for (i = 0; i < g->nvips; i++) {
		const struct dr_vip *v = &g->vips[i];

		if (on_subnet(ifc, &v->addr))
			continue;
		dr_addr_str(&v->addr, a, sizeof(a));
		if ((fd = ADD(out, DR_C_VIP_SUBNET, g, "%s", a)) == NULL)
			return -1;
		dr_cause(fd,
		         "%s is outside every subnet of %s: hosts on that LAN "
		         "do not ARP for it there, and replies have no "
		         "connected route.",
		         a, ifc->name);
		ev_subnets(fd, ifc, v->addr.family);
		dr_fix(fd,
		       "use a VIP from %s's subnet in group \"%s\", or "
		       "set interface to the NIC on the VIP's subnet",
		       ifc->name, g->cg->name);
		n++;
	}
	if (rt->pin == CONF_ROUTE_OFF)
		return n;
	if (rt->has_gateway) {
		if ((r = check_gateway(g, ifc, &rt->gateway, "gateway", out)) ==
		    -1)
			return -1;
		n += r;
	}
	if (rt->has_gateway6) {
		if ((r = check_gateway(g, ifc, &rt->gateway6, "gateway6",
		                       out)) == -1)
			return -1;
		n += r;
	}
	return n;
}

static int
gateway_silent(const struct dr_group *g, const struct conf_addr *gw,
               const char *key, const char *neigh, struct dr_findings *out)
{
	struct dr_finding *fd;
	char a[64];

	if (strcmp(neigh, "failed") != 0 && strcmp(neigh, "incomplete") != 0)
		return 0;
	dr_addr_str(gw, a, sizeof(a));
	if ((fd = ADD(out, DR_C_GATEWAY_SILENT, g, "%s", a)) == NULL)
		return -1;
	dr_cause(fd,
	         "route.%s %s does not answer ARP/NDP on %s: the replies "
	         "pinned to it are lost.",
	         key, a, g->cg->interface);
	dr_evidence(fd, "ip neigh show %s dev %s: %s", a, g->cg->interface,
	            neigh);
	dr_fix(fd,
	       "set route.%s in group \"%s\" to the LAN router's address "
	       "(ip neigh show dev %s lists the hosts that answer)",
	       key, g->cg->name, g->cg->interface);
	return 1;
}

int
dr_check_gateway_silent(const struct dr_facts *f, const struct dr_group *g,
                        struct dr_findings *out)
{
	const struct conf_route *rt = &g->cg->route;
	int n = 0, r;

	(void)f;
	if (rt->pin == CONF_ROUTE_OFF)
		return 0;
	if (rt->has_gateway) {
		r = gateway_silent(g, &rt->gateway, "gateway", g->gw_neigh,
		                   out);
		if (r == -1)
			return -1;
		n += r;
	}
	if (rt->has_gateway6) {
		r = gateway_silent(g, &rt->gateway6, "gateway6", g->gw6_neigh,
		                   out);
		if (r == -1)
			return -1;
		n += r;
	}
	return n;
}

int
dr_check_link(const struct dr_facts *f, const struct dr_group *g,
              struct dr_findings *out)
{
	const struct dr_iface *ifc = dr_iface_find(f, g->cg->interface);
	struct dr_finding *fd;

	if (ifc != NULL && ifc->up)
		return 0;
	if ((fd = ADD(out, DR_C_LINK_DOWN, g, "%s", g->cg->interface)) == NULL)
		return -1;
	dr_cause(fd,
	         "The group's interface %s is %s: nothing can be "
	         "announced or answered there.",
	         g->cg->interface, ifc ? "down" : "missing");
	dr_evidence(fd, "ip link show %s: %s", g->cg->interface,
	            ifc ? "down (no carrier or not up)" : "does not exist");
	dr_fix(fd,
	       "ip link set %s up (check the cable or the VM's NIC), or "
	       "set interface in group \"%s\"",
	       g->cg->interface, g->cg->name);
	return 1;
}

int
dr_check_group_fault(const struct dr_facts *f, const struct dr_group *g,
                     struct dr_findings *out)
{
	struct dr_finding *fd;

	(void)f;
	if (!g->have_status || strcmp(g->state, "fault") != 0)
		return 0;
	if ((fd = ADD(out, DR_C_GROUP_FAULT, g, "%s", g->cg->name)) == NULL)
		return -1;
	dr_cause(fd,
	         "The daemon holds group \"%s\" in fault (%s): it will "
	         "not lead it.",
	         g->cg->name, g->fault[0] ? g->fault : "no reason given");
	dr_evidence(fd, "vipctl status: state fault, fault %s: %s",
	            g->fault[0] ? g->fault : "-", g->fault_text);
	dr_fix(fd, "remove the cause named in the fault text; the group "
	           "recovers by itself (journalctl -u vipd tells more)");
	return 1;
}

int
dr_check_foreign_owner(const struct dr_facts *f, const struct dr_group *g,
                       struct dr_findings *out)
{
	struct dr_finding *fd;
	char a[64];
	size_t i;
	int n = 0;

	(void)f;
	for (i = 0; i < g->nconflicts; i++) {
		const struct dr_conflict *c = &g->conflicts[i];

		dr_addr_str(&c->vip, a, sizeof(a));
		if ((fd = ADD(out, DR_C_FOREIGN_OWNER, g, "%s", a)) == NULL)
			return -1;
		dr_cause(fd,
		         "A host with MAC %s, not a vipd peer, answers for %s: "
		         "clients may send to it instead of the leader.",
		         c->mac, a);
		dr_evidence(fd,
		            "vipctl status: conflict on %s by %s, %llu times, "
		            "%s",
		            a, c->mac, (unsigned long long)c->count,
		            c->yielded ? "vipd yielded (does not announce it)"
		                       : "vipd still announces it");
		dr_fix(fd,
		       "find the host with MAC %s (ip neigh, the switch's MAC "
		       "table) and remove %s from it",
		       c->mac, a);
		n++;
	}
	return n;
}

int
dr_check_two_leaders(const struct dr_facts *f, const struct dr_group *g,
                     struct dr_findings *out)
{
	struct dr_finding *fd;

	(void)f;
	if (!g->have_status || strcmp(g->state, "leader") != 0 ||
	    g->rival[0] == '\0')
		return 0;
	if ((fd = ADD(out, DR_C_TWO_LEADERS, g, "%s", g->rival)) == NULL)
		return -1;
	if (g->rival_alive) {
		dr_cause(fd,
		         "This node and %s both lead group \"%s\": %s does "
		         "not hear this node's heartbeats (they are lost one "
		         "way), so both answer for the VIPs.",
		         g->rival, g->cg->name, g->rival);
		dr_evidence(fd,
		            "vipctl status: group %s state leader; peer %s "
		            "(MAC %s) alive, state leader",
		            g->cg->name, g->rival, g->rival_mac);
	} else {
		dr_cause(fd,
		         "This node and %s both lead group \"%s\": no "
		         "heartbeat crosses between them (lost both ways) "
		         "while %s's frames claim the VIPs, so both answer "
		         "and defend them.",
		         g->rival, g->cg->name, g->rival);
		dr_evidence(fd,
		            "vipctl status: group %s state leader; peer %s "
		            "(MAC %s) not alive; counters.peer_claims %llu, "
		            "the last %lld ms ago",
		            g->cg->name, g->rival, g->rival_mac,
		            (unsigned long long)g->peer_claims,
		            (long long)g->peer_claim_age_ms);
	}
	dr_fix(fd,
	       "on %s: vipctl status (is this node heard?); let UDP "
	       "port %u in (nft list ruleset); cluster.peers there must "
	       "list this node's address",
	       g->rival, (unsigned)f->cfg->port);
	return 1;
}

static void
fw_rule_evidence(struct dr_finding *fd, const struct dr_fw_rule *r)
{
	dr_evidence(fd, "nft -a list chain %s %s %s: %s # handle %llu",
	            r->family, r->table, r->chain,
	            r->text[0] ? r->text : r->verdict,
	            (unsigned long long)r->handle);
}

static bool
fw_has_port(const struct dr_fw_rule *r, unsigned port)
{
	size_t i;

	for (i = 0; i < r->nports; i++)
		if (port >= r->port_lo[i] && port <= r->port_hi[i])
			return true;
	return false;
}

static bool
fw_has_addr(const struct dr_fw_rule *r, const struct conf_addr *a)
{
	size_t i;

	for (i = 0; i < r->ndaddrs; i++)
		if (in_prefix(a, &r->daddrs[i].addr, r->daddrs[i].plen))
			return true;
	return false;
}

int
dr_check_firewall(const struct dr_facts *f, const struct dr_group *g,
                  struct dr_findings *out)
{
	struct dr_finding *fd;
	char a[64];
	size_t i, k;
	int n = 0;

	for (i = 0; i < f->nfw; i++) {
		const struct dr_fw_rule *r = &f->fw[i];

		if (g == NULL) {
			if (!fw_has_port(r, f->cfg->port))
				continue;
			if ((fd = dr_findings_add(
			         out, DR_C_FIREWALL_DROP, "", "udp/%u",
			         (unsigned)f->cfg->port)) == NULL)
				return -1;
			dr_cause(fd,
			         "nftables rule %s %s %s handle %llu %ss UDP "
			         "port %u: heartbeats %s there are lost.",
			         r->family, r->table, r->chain,
			         (unsigned long long)r->handle, r->verdict,
			         (unsigned)f->cfg->port,
			         r->ndaddrs ? "to the addresses it names"
			                    : "sent or received");
			fw_rule_evidence(fd, r);
			dr_fix(
			    fd,
			    "nft delete rule %s %s %s handle %llu, or accept "
			    "UDP port %u from the peers before it",
			    r->family, r->table, r->chain,
			    (unsigned long long)r->handle,
			    (unsigned)f->cfg->port);
			n++;
			continue;
		}
		if (r->nports != 0)
			continue;
		for (k = 0; k < g->nvips; k++) {
			if (!fw_has_addr(r, &g->vips[k].addr))
				continue;
			dr_addr_str(&g->vips[k].addr, a, sizeof(a));
			if ((fd = ADD(out, DR_C_FIREWALL_DROP, g, "%s", a)) ==
			    NULL)
				return -1;
			dr_cause(fd,
			         "nftables rule %s %s %s handle %llu %ss "
			         "traffic to %s: clients get no answer.",
			         r->family, r->table, r->chain,
			         (unsigned long long)r->handle, r->verdict, a);
			fw_rule_evidence(fd, r);
			dr_fix(fd, "nft delete rule %s %s %s handle %llu",
			       r->family, r->table, r->chain,
			       (unsigned long long)r->handle);
			n++;
		}
	}
	return n;
}

/* Not heard: down (its address does not answer ARP/NDP), heartbeats
 * dropped (it answers), or not told (behind a gateway, no entry). */
static int
silent_peer(const struct dr_facts *f, const struct dr_peer *p, const char *a,
            struct dr_findings *out)
{
	bool down = strcmp(p->neigh, "failed") == 0 ||
	            strcmp(p->neigh, "incomplete") == 0;
	enum dr_code code = p->neigh[0] == '\0' ? DR_C_PEER_SILENT
	                    : down              ? DR_C_PEER_DOWN
	                                        : DR_C_HB_DROPPED;
	struct dr_finding *fd = dr_findings_add(out, code, "", "%s", a);
	const char *who = p->id;

	if (fd == NULL)
		return -1;
	if (code == DR_C_PEER_DOWN)
		dr_cause(fd,
		         "No heartbeat from %s%s%s%s, and its address does not "
		         "answer ARP/NDP: the peer is down or cut off.",
		         a, who[0] ? " (" : "", who, who[0] ? ")" : "");
	else if (code == DR_C_HB_DROPPED)
		dr_cause(fd,
		         "%s%s%s%s answers ARP/NDP but no heartbeat arrives "
		         "from it: dropped on the way (a firewall, "
		         "cluster.bind, the port) or vipd is not running "
		         "there.",
		         a, who[0] ? " (" : "", who, who[0] ? ")" : "");
	else
		dr_cause(fd,
		         "No heartbeat from %s%s%s%s %s: the peer is down, or "
		         "its heartbeats are dropped on the way (a firewall, "
		         "cluster.bind, the port).",
		         a, who[0] ? " (" : "", who, who[0] ? ")" : "",
		         p->heard ? "for a while" : "was ever heard");
	if (p->last_seen_ms >= 0)
		dr_evidence(fd,
		            "vipctl status: peer %s alive false, last heard "
		            "%lld ms ago",
		            a, (long long)p->last_seen_ms);
	else
		dr_evidence(fd, "vipctl status: peer %s never heard", a);
	if (p->neigh[0] != '\0')
		dr_evidence(fd, "ip neigh show %s dev %s: %s", a, p->path.oif,
		            p->neigh);
	if (p->path.done) {
		char buf[DR_TEXT];

		dr_lookup_str(&p->path, buf, sizeof(buf));
		dr_evidence(fd, "%s", buf);
	}
	if (code == DR_C_PEER_DOWN)
		dr_fix(fd,
		       "check that %s is up and plugged in (ping %s from "
		       "another host)",
		       a, a);
	else
		dr_fix(fd,
		       "on %s: systemctl status vipd; let UDP port %u through "
		       "both ways (nft list ruleset); cluster.bind must be an "
		       "address the peers list",
		       a, (unsigned)f->cfg->port);
	return 0;
}

int
dr_check_peers(const struct dr_facts *f, struct dr_findings *out)
{
	struct dr_finding *fd;
	char a[64];
	size_t i;
	int n = 0;

	if (!f->daemon)
		return 0;
	for (i = 0; i < f->npeers; i++) {
		const struct dr_peer *p = &f->peers[i];

		if (p->own || !p->known || (p->alive && !p->auth_failing))
			continue;
		dr_addr_str(&p->addr, a, sizeof(a));
		if (p->auth_failing) {
			if ((fd = dr_findings_add(out, DR_C_PEER_AUTH, "", "%s",
			                          a)) == NULL)
				return -1;
			dr_cause(
			    fd,
			    "Heartbeats from %s%s%s%s fail authentication: "
			    "its secret differs (or they are forged).  "
			    "They count as not heard, so both nodes may "
			    "lead the same VIPs.",
			    a, p->id[0] ? " (" : "", p->id,
			    p->id[0] ? ")" : "");
			dr_evidence(fd,
			            "vipctl status: peer %s auth_failing true, "
			            "alive %s",
			            a, p->alive ? "true" : "false");
			dr_evidence(fd,
			            "vipctl metrics: heartbeats rejected "
			            "(hmac) %llu",
			            (unsigned long long)f->hb_rejected_hmac);
			dr_fix(fd,
			       "copy the same cluster.secret_file (%s) to "
			       "every node, then restart vipd on %s",
			       f->cfg->secret_file, a);
		} else if (silent_peer(f, p, a, out) == -1) {
			return -1;
		}
		n++;
	}
	return n;
}

int
dr_check_hb_path(const struct dr_facts *f, struct dr_findings *out)
{
	struct dr_finding *fd;
	size_t i, k, npeers;
	int n = 0;

	for (i = 0; i < f->ngroups; i++) {
		const char *ifn = f->groups[i].cg->interface;
		bool seen = false, all = true;

		/* Once per interface. */
		for (k = 0; k < i; k++)
			if (strcmp(f->groups[k].cg->interface, ifn) == 0)
				seen = true;
		if (seen)
			continue;
		npeers = 0;
		for (k = 0; k < f->npeers; k++) {
			const struct dr_peer *p = &f->peers[k];

			if (p->own || !p->path.done)
				continue;
			npeers++;
			if (p->path.err != 0 || strcmp(p->path.oif, ifn) != 0)
				all = false;
		}
		if (npeers == 0 || !all)
			continue;
		if ((fd = dr_findings_add(out, DR_C_HB_SHARED_PATH, "", "%s",
		                          ifn)) == NULL)
			return -1;
		dr_cause(fd,
		         "Every heartbeat crosses %s, the interface the VIPs "
		         "live on: if its link fails, the peers cannot be "
		         "told, and a backup cannot tell a dead leader from "
		         "a cut cable.",
		         ifn);
		for (k = 0; k < f->npeers && fd->nevidence < DR_EVIDENCE_MAX;
		     k++) {
			char buf[DR_TEXT];

			if (f->peers[k].own || !f->peers[k].path.done)
				continue;
			dr_lookup_str(&f->peers[k].path, buf, sizeof(buf));
			dr_evidence(fd, "%s", buf);
		}
		dr_fix(fd, "list the peers' addresses on another network "
		           "(cluster.peers, e.g. the management NIC) so that "
		           "heartbeats take another path");
		n++;
	}
	return n;
}

typedef int (*group_check)(const struct dr_facts *, const struct dr_group *,
                           struct dr_findings *);

/* Stable: within a code, the order the checks found them. */
static void
sort_by_code(struct dr_findings *list)
{
	struct dr_finding tmp;
	size_t i, k;

	for (i = 1; i < list->n; i++) {
		if (list->v[i - 1].code <= list->v[i].code)
			continue;
		tmp = list->v[i];
		for (k = i; k > 0 && list->v[k - 1].code > tmp.code; k--)
			list->v[k] = list->v[k - 1];
		list->v[k] = tmp;
	}
}

int
dr_check_all(const struct dr_facts *f, const char *group,
             struct dr_findings *out)
{
	static const group_check checks[] = {
	    dr_check_link,           dr_check_reply_path,
	    dr_check_rp_filter,      dr_check_arp_flux,
	    dr_check_vip_elsewhere,  dr_check_sysctl_reset,
	    dr_check_subnets,        dr_check_group_fault,
	    dr_check_foreign_owner,  dr_check_two_leaders,
	    dr_check_gateway_silent, dr_check_firewall,
	};
	size_t i, k;

	for (i = 0; i < f->ngroups; i++) {
		if (group != NULL && strcmp(group, f->groups[i].cg->name) != 0)
			continue;
		for (k = 0; k < sizeof(checks) / sizeof(checks[0]); k++)
			if (checks[k](f, &f->groups[i], out) == -1)
				return -1;
	}
	if (dr_check_firewall(f, NULL, out) == -1 ||
	    dr_check_peers(f, out) == -1 || dr_check_hb_path(f, out) == -1)
		return -1;
	sort_by_code(out);
	return 0;
}
