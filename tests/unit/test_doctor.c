/*
 * doctor's checks on recorded facts (no root, no netlink): for every
 * finding a case where it must appear and one where it must not.  The
 * facts start from the seed's host, healthy: a Vagrant VM with the
 * default route on eth0 (management), the VIP 10.64.0.100 bound on lo
 * while leading, the pin installed so that replies leave eth1, ARP
 * sysctls as vipd sets them, two peers heard over eth0.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "doctor.h"
#include "tap.h"

static struct conf_addr vips[2];
static struct conf_group grp;
static struct conf cfg;
static struct dr_facts F;
static struct dr_group G;
static struct dr_findings L;

static struct conf_addr
A(const char *s) {
	struct conf_addr a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(s, ':') ? AF_INET6 : AF_INET;
	inet_pton(a.family, s, a.a);
	return a;
}

static void
iface(const char *name, int idx, const char *addr, unsigned plen)
{
	struct dr_iface *i = &F.ifaces[F.nifaces++];

	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->ifindex = idx;
	i->up = true;
	i->addrs[0].addr = A(addr);
	i->addrs[0].plen = plen;
	i->naddrs = 1;
	i->rp_filter = 2;
	i->arp_ignore = 0;
	i->arp_announce = 0;
}

static struct dr_iface *
ifc(const char *name)
{
	return (struct dr_iface *)dr_iface_find(&F, name);
}

static void
lookup(struct dr_lookup *l, const char *dst, const char *src, bool is_vip,
       const char *oif, const char *gw, uint32_t table)
{
	memset(l, 0, sizeof(*l));
	l->done = true;
	l->dst = A(dst);
	l->src = A(src);
	l->src_is_vip = is_vip;
	snprintf(l->oif, sizeof(l->oif), "%s", oif);
	if (gw != NULL) {
		l->has_gw = true;
		l->gw = A(gw);
	}
	l->table = table;
}

/* The healthy seed host (see the top of the file). */
static void
healthy(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(&grp, 0, sizeof(grp));
	memset(&F, 0, sizeof(F));
	memset(&G, 0, sizeof(G));
	dr_findings_clear(&L);
	snprintf(cfg.path, sizeof(cfg.path), "/etc/vipd/vipd.conf");
	snprintf(cfg.node_id, sizeof(cfg.node_id), "n1");
	snprintf(cfg.secret_file, sizeof(cfg.secret_file), "/etc/vipd/key");
	cfg.port = 7431;
	vips[0] = A("10.64.0.100");
	snprintf(grp.name, sizeof(grp.name), "web");
	snprintf(grp.interface, sizeof(grp.interface), "eth1");
	grp.vips = vips;
	grp.nvips = 1;
	grp.bind = CONF_BIND_LOCAL;
	grp.route.pin = CONF_ROUTE_LEADER;
	grp.route.table = 7431;
	grp.route.priority = 7431;
	grp.route.has_gateway = true;
	grp.route.gateway = A("10.64.0.254");
	cfg.groups = &grp;
	cfg.ngroups = 1;

	F.cfg = &cfg;
	iface("lo", 1, "127.0.0.1", 8);
	iface("eth0", 2, "192.168.121.11", 24);
	iface("eth1", 3, "10.64.0.1", 24);
	ifc("lo")->addrs[1].addr = A("10.64.0.100");
	ifc("lo")->addrs[1].plen = 32;
	ifc("lo")->naddrs = 2;
	ifc("eth1")->arp_ignore = 1;
	ifc("eth1")->arp_announce = 2;
	F.all_rp_filter = 2;
	F.all_arp_ignore = 1;
	F.all_arp_announce = 0;
	F.rules[0] =
	    (struct dr_rule){AF_INET, A("10.64.0.100"), 32, 7431, 7431, 77};
	F.nrules = 1;

	G.cg = &grp;
	G.vips[0].addr = vips[0];
	snprintf(G.vips[0].on_iface, IFNAMSIZ, "lo");
	lookup(&G.vips[0].remote, "192.0.2.1", "10.64.0.100", true, "eth1",
	       "10.64.0.254", 7431);
	lookup(&G.vips[0].onlink, "10.64.0.254", "10.64.0.100", true, "eth1",
	       NULL, 7431);
	G.nvips = 1;
	G.have_status = true;
	snprintf(G.state, sizeof(G.state), "leader");
	G.route_installed = true;
	F.groups = &G;
	F.ngroups = 1;

	F.daemon = true;
	F.peers[0].addr = A("192.168.121.12");
	lookup(&F.peers[0].path, "192.168.121.12", "0.0.0.0", false, "eth0",
	       NULL, 254);
	F.peers[0].path.src.family = 0;
	F.peers[0].known = F.peers[0].alive = F.peers[0].heard = true;
	F.peers[0].last_seen_ms = 40;
	snprintf(F.peers[0].id, sizeof(F.peers[0].id), "n2");
	F.peers[1] = F.peers[0];
	F.peers[1].addr = A("192.168.121.13");
	F.peers[1].path.dst = F.peers[1].addr;
	snprintf(F.peers[1].id, sizeof(F.peers[1].id), "n3");
	F.npeers = 2;
}

/* Run every check; the codes found, space separated. */
static const char *
codes(void)
{
	static char buf[512];
	size_t i, len = 0;

	dr_findings_clear(&L);
	buf[0] = '\0';
	if (dr_check_all(&F, NULL, &L) == -1)
		return "ENOMEM";
	for (i = 0; i < L.n && len < sizeof(buf) - 40; i++)
		len +=
		    (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		                     i ? " " : "", dr_code_name(L.v[i].code));
	return buf;
}

static const struct dr_finding *
first(void)
{
	return L.n > 0 ? &L.v[0] : NULL;
}

static void
test_healthy(void)
{
	healthy();
	is_str(codes(), "", "healthy seed host: no finding");
}

static void
test_reply_path(void)
{
	const struct dr_finding *f;

	/* The seed's case: the pin off, the VIP on lo, the default route on
	 * eth0: replies leave eth0. */
	healthy();
	grp.route.pin = CONF_ROUTE_OFF;
	F.nrules = 0;
	lookup(&G.vips[0].remote, "192.0.2.1", "10.64.0.100", true, "eth0",
	       "192.168.121.1", 254);
	is_str(codes(), "reply-path", "pin off, default on eth0: reply-path");
	f = first();
	ok(f && strstr(f->cause, "leave eth0, not eth1"),
	   "reply-path: the cause names both interfaces");
	ok(f && strstr(f->fix, "route = { pin = \"leader\"; gateway = "
	                       "\"10.64.0.254\"; }"),
	   "reply-path: the fix is the route config key with the gateway");
	ok(f && f->nevidence >= 3 &&
	       strcmp(f->evidence[0],
	              "ip route get 192.0.2.1 from 10.64.0.100: via "
	              "192.168.121.1 dev eth0 table main") == 0,
	   "reply-path: evidence is the route lookup from the VIP");
	ok(f && strstr(f->evidence[2], "no rule selects traffic from"),
	   "reply-path: evidence says no rule takes the VIP's traffic");
	is_str(dr_severity_name(dr_code_severity(f ? f->code : 0)), "error",
	       "reply-path is an error");

	/* The pin configured but beaten by another rule. */
	grp.route.pin = CONF_ROUTE_LEADER;
	is_str(codes(), "reply-path", "pin configured, lookup still on eth0");
	ok(first() && strstr(first()->fix, "ip rule show"),
	   "reply-path: with a pin configured the fix points at the rules");

	/* Not on this node: the stand-in lookup says nothing when vipd pins
	 * at takeover, and warns when it will not. */
	healthy();
	G.vips[0].on_iface[0] = '\0';
	lookup(&G.vips[0].remote, "192.0.2.1", "10.64.0.1", false, "eth0",
	       "192.168.121.1", 254);
	is_str(codes(), "", "backup with the pin configured: no reply-path");
	grp.route.pin = CONF_ROUTE_OFF;
	is_str(codes(), "reply-path", "backup with the pin off: reply-path");
	ok(first() && strstr(first()->evidence[0], "stand-in"),
	   "reply-path: a stand-in source is said so");

	/* No route at all. */
	G.vips[0].remote.err = 101; /* ENETUNREACH */
	is_str(codes(), "reply-path", "no route for replies: reply-path");
}

static void
test_rp_filter(void)
{
	healthy();
	ifc("eth1")->rp_filter = 1;
	F.all_rp_filter = 0; /* the kernel takes the larger of the two */
	is_str(codes(), "", "strict rp_filter but pinned: nothing");
	grp.route.pin = CONF_ROUTE_OFF;
	lookup(&G.vips[0].remote, "192.0.2.1", "10.64.0.100", true, "eth0",
	       "192.168.121.1", 254);
	is_str(codes(), "reply-path rp-filter",
	       "strict rp_filter and the way back on eth0: rp-filter");
	ok(L.n == 2 && strstr(L.v[1].evidence[0], "rp_filter = 1"),
	   "rp-filter: evidence is the sysctl value");
	ok(L.n == 2 && strstr(L.v[1].fix, "rp_filter=2"),
	   "rp-filter: the fix names the sysctl");
	F.all_rp_filter = 2;
	is_str(codes(), "reply-path", "all.rp_filter 2 wins: no rp-filter");
	ifc("eth1")->rp_filter = 0;
	F.all_rp_filter = 0;
	is_str(codes(), "reply-path", "rp_filter off: no rp-filter");
}

static void
test_arp_flux(void)
{
	healthy();
	grp.bind = CONF_BIND_INTERFACE;
	F.all_arp_ignore = 0;
	G.vips[0].on_iface[0] = '\0';
	snprintf(G.vips[0].on_iface, IFNAMSIZ, "eth1");
	is_str(codes(), "arp-flux", "bind interface, eth0 arp_ignore 0");
	is_str(first() ? first()->subject : "", "eth0",
	       "arp-flux: the subject is the NIC that would answer");
	is_str(dr_severity_name(dr_code_severity(DR_C_ARP_FLUX)), "warning",
	       "arp-flux is a warning");
	F.all_arp_ignore = 1;
	is_str(codes(), "", "all.arp_ignore 1: no arp-flux");
	F.all_arp_ignore = 0;
	grp.bind = CONF_BIND_NONE;
	is_str(codes(), "", "bind none: no arp-flux");
}

static void
test_vip_elsewhere(void)
{
	healthy();
	snprintf(G.vips[0].other_iface, IFNAMSIZ, "eth0");
	G.vips[0].other_plen = 32;
	is_str(codes(), "vip-elsewhere", "VIP on eth0 too: vip-elsewhere");
	ok(first() &&
	       strstr(first()->fix, "ip addr del 10.64.0.100/32 dev eth0"),
	   "vip-elsewhere: the fix is the ip command");
	G.vips[0].other_iface[0] = '\0';
	is_str(codes(), "", "VIP only on lo: nothing");
}

static void
test_sysctl_reset(void)
{
	healthy();
	ifc("eth1")->arp_ignore = 0;
	F.all_arp_ignore = 0;
	is_str(codes(), "sysctl-reset",
	       "VIP on lo, arp_ignore 0: sysctl-reset");
	ok(first() && strstr(first()->evidence[0], "arp_ignore = 0"),
	   "sysctl-reset: evidence is the value");
	G.vips[0].on_iface[0] = '\0';
	is_str(codes(), "", "VIP not bound (backup): no sysctl-reset");
	healthy();
	ifc("eth1")->arp_announce = 0;
	is_str(codes(), "sysctl-reset", "arp_announce 0: sysctl-reset");
}

static void
test_subnets(void)
{
	healthy();
	vips[1] = A("10.99.0.1");
	grp.nvips = 2;
	G.vips[1].addr = vips[1];
	G.nvips = 2;
	is_str(codes(), "vip-subnet", "10.99.0.1 on a /24 of 10.64.0.0");
	is_str(first() ? first()->evidence[0] : "",
	       "ip addr show dev eth1: 10.64.0.1/24",
	       "vip-subnet: evidence is the interface's subnets");
	healthy();
	/* bind interface: the VIP's own /32 on eth1 is not a subnet. */
	ifc("eth1")->addrs[0].addr = A("10.64.0.100");
	ifc("eth1")->addrs[0].plen = 32;
	is_str(codes(), "vip-subnet gateway-subnet",
	       "only the VIP's own /32: vip-subnet (and the gateway)");
	healthy();
	grp.route.gateway = A("10.65.0.1");
	is_str(codes(), "gateway-subnet", "gateway off-subnet");
	grp.route.pin = CONF_ROUTE_OFF;
	is_str(codes(), "", "pin off: the gateway is not used");
}

static void
test_gateway_silent(void)
{
	healthy();
	snprintf(G.gw_neigh, sizeof(G.gw_neigh), "failed");
	is_str(codes(), "gateway-silent", "the gateway's ARP failed");
	ok(first() && strstr(first()->evidence[0],
	                     "ip neigh show 10.64.0.254 dev eth1: failed"),
	   "gateway-silent: evidence is the neighbour entry");
	snprintf(G.gw_neigh, sizeof(G.gw_neigh), "reachable");
	is_str(codes(), "", "the gateway answers: nothing");
	snprintf(G.gw_neigh, sizeof(G.gw_neigh), "incomplete");
	grp.route.pin = CONF_ROUTE_OFF;
	is_str(codes(), "", "pin off: the gateway is not used");
}

static void
test_link(void)
{
	healthy();
	ifc("eth1")->up = false;
	is_str(codes(), "link-down", "eth1 down: link-down");
	snprintf(grp.interface, sizeof(grp.interface), "eth9");
	is_str(codes(), "link-down", "eth9 missing: link-down");
	ok(first() && strstr(first()->cause, "missing"), "link-down: missing");
}

static void
test_group_fault(void)
{
	healthy();
	snprintf(G.state, sizeof(G.state), "fault");
	snprintf(G.fault, sizeof(G.fault), "no-interface");
	is_str(codes(), "group-fault", "state fault: group-fault");
	G.have_status = false;
	is_str(codes(), "", "no daemon view: no group-fault");
}

static void
test_peers(void)
{
	healthy();
	F.peers[1].alive = false;
	F.peers[1].last_seen_ms = 5000;
	is_str(codes(), "peer-silent",
	       "n3 not alive, no neighbour entry: peer-silent");
	is_str(first() ? first()->subject : "", "192.168.121.13",
	       "peer-silent names the peer");
	F.peers[1].auth_failing = true;
	F.hb_rejected_hmac = 12;
	is_str(codes(), "peer-auth", "auth failing: peer-auth, not silent");
	ok(first() && strstr(first()->evidence[1], "(hmac) 12"),
	   "peer-auth: evidence is the hmac counter");
	F.peers[1].auth_failing = false;
	snprintf(F.peers[1].neigh, sizeof(F.peers[1].neigh), "failed");
	is_str(codes(), "peer-down", "not heard, ARP failed: peer-down");
	ok(first() && strstr(first()->evidence[1],
	                     "ip neigh show 192.168.121.13 dev eth0: failed"),
	   "peer-down: evidence is the neighbour entry");
	snprintf(F.peers[1].neigh, sizeof(F.peers[1].neigh), "reachable");
	is_str(codes(), "hb-dropped", "not heard, ARP answers: hb-dropped");
	snprintf(F.peers[1].neigh, sizeof(F.peers[1].neigh), "stale");
	is_str(codes(), "hb-dropped", "not heard, entry stale: hb-dropped");
	F.peers[1].alive = true;
	is_str(codes(), "", "heard again: nothing");
	F.peers[1].alive = false;
	F.daemon = false;
	is_str(codes(), "", "no daemon: no peer finding");
	healthy();
	F.peers[1].own = true;
	F.peers[1].alive = false;
	is_str(codes(), "", "own address: never a silent peer");
}

static void
test_foreign_owner(void)
{
	healthy();
	G.conflicts[0].vip = vips[0];
	snprintf(G.conflicts[0].mac, sizeof(G.conflicts[0].mac),
	         "02:00:00:00:00:99");
	G.conflicts[0].count = 2;
	G.nconflicts = 1;
	is_str(codes(), "foreign-owner", "a conflict: foreign-owner");
	ok(first() && strstr(first()->cause, "02:00:00:00:00:99"),
	   "foreign-owner: the cause names the MAC");
	G.nconflicts = 0;
	is_str(codes(), "", "no conflict: nothing");
}

static void
test_two_leaders(void)
{
	healthy();
	snprintf(G.rival, sizeof(G.rival), "n2");
	snprintf(G.rival_mac, sizeof(G.rival_mac), "02:00:00:00:00:02");
	G.rival_alive = true;
	is_str(codes(), "two-leaders", "a peer leads too: two-leaders");
	ok(first() && strstr(first()->evidence[0], "02:00:00:00:00:02"),
	   "two-leaders: evidence names the rival's MAC");
	G.rival_alive = false;
	G.peer_claims = 7;
	is_str(codes(), "two-leaders",
	       "a peer not heard claims the VIPs: two-leaders");
	ok(first() && strstr(first()->evidence[0], "peer_claims 7") &&
	       strstr(first()->cause, "both ways"),
	   "two-leaders (unheard): evidence is the peer_claims counter");
	snprintf(G.state, sizeof(G.state), "backup");
	is_str(codes(), "", "this node a backup: no two-leaders");
}

/* Recorded from `nft -j list ruleset` / `nft -a list ruleset` (trimmed). */
static const char fw_json[] =
    "{\"nftables\": [{\"metainfo\": {\"json_schema_version\": 1}},"
    "{\"table\": {\"family\": \"inet\", \"name\": \"f\", \"handle\": 1}},"
    "{\"set\": {\"family\": \"inet\", \"name\": \"ports\", \"table\": \"f\","
    " \"type\": \"inet_service\", \"handle\": 2, \"elem\": [7431, 9000]}},"
    "{\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"in\","
    " \"handle\": 3, \"expr\": [{\"match\": {\"op\": \"==\", \"left\":"
    " {\"payload\": {\"protocol\": \"udp\", \"field\": \"dport\"}},"
    " \"right\": 7431}}, {\"drop\": null}]}},"
    "{\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"in\","
    " \"handle\": 5, \"expr\": [{\"match\": {\"op\": \"==\", \"left\":"
    " {\"payload\": {\"protocol\": \"udp\", \"field\": \"dport\"}},"
    " \"right\": {\"set\": [80, {\"range\": [7000, 7500]}]}}},"
    " {\"reject\": {\"type\": \"icmpx\"}}]}},"
    "{\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"in\","
    " \"handle\": 6, \"expr\": [{\"match\": {\"op\": \"==\", \"left\":"
    " {\"payload\": {\"protocol\": \"udp\", \"field\": \"dport\"}},"
    " \"right\": \"@ports\"}}, {\"drop\": null}]}},"
    "{\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"in\","
    " \"handle\": 7, \"expr\": [{\"match\": {\"op\": \"==\", \"left\":"
    " {\"payload\": {\"protocol\": \"ip\", \"field\": \"daddr\"}},"
    " \"right\": {\"prefix\": {\"addr\": \"10.64.0.0\", \"len\": 24}}}},"
    " {\"counter\": {\"packets\": 0}}, {\"drop\": null}]}},"
    "{\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"in\","
    " \"handle\": 8, \"expr\": [{\"match\": {\"op\": \"!=\", \"left\":"
    " {\"payload\": {\"protocol\": \"udp\", \"field\": \"dport\"}},"
    " \"right\": 7431}}, {\"drop\": null}]}},"
    "{\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"in\","
    " \"handle\": 9, \"expr\": [{\"match\": {\"op\": \"==\", \"left\":"
    " {\"payload\": {\"protocol\": \"udp\", \"field\": \"dport\"}},"
    " \"right\": 7431}}, {\"accept\": null}]}}]}";
static const char fw_text[] =
    "table inet f { # handle 1\n"
    "\tset ports { # handle 2\n"
    "\t\ttype inet_service\n"
    "\t\telements = { 7431, 9000 }\n"
    "\t}\n\n"
    "\tchain in { # handle 1\n"
    "\t\ttype filter hook input priority filter; policy accept;\n"
    "\t\tudp dport 7431 drop # handle 3\n"
    "\t\tudp dport { 80, 7000-7500 } reject # handle 5\n"
    "\t\tudp dport @ports drop # handle 6\n"
    "\t\tip daddr 10.64.0.0/24 counter packets 0 bytes 0 drop # handle 7\n"
    "\t\tudp dport != 7431 drop # handle 8\n"
    "\t\tudp dport 7431 accept # handle 9\n"
    "\t}\n}\n";

static void
test_firewall(void)
{
	healthy();
	is_int(dr_fw_parse(&F, fw_json, fw_text), 4,
	       "nft: the drop/reject rules on dport or daddr kept (not != nor "
	       "accept)");
	is_str(F.fw[0].text, "udp dport 7431 drop",
	       "nft: a rule's text from the handle listing");
	ok(F.fw[1].nports == 2 && F.fw[1].port_lo[1] == 7000 &&
	       F.fw[1].port_hi[1] == 7500 &&
	       strcmp(F.fw[1].verdict, "reject") == 0,
	   "nft: an anonymous set with a range, reject");
	ok(F.fw[2].nports == 2 && F.fw[2].port_lo[0] == 7431,
	   "nft: a named set's elements");
	ok(F.fw[3].ndaddrs == 1 && F.fw[3].daddrs[0].plen == 24,
	   "nft: a daddr prefix");
	is_str(codes(),
	       "firewall-drop firewall-drop firewall-drop firewall-drop",
	       "rules drop the VIP and port 7431 three ways: four findings");
	ok(L.n == 4 && strcmp(L.v[0].subject, "10.64.0.100") == 0 &&
	       strcmp(L.v[0].group, "web") == 0,
	   "firewall-drop: the VIP rule is about the group's VIP");
	ok(L.n == 4 && strcmp(L.v[1].subject, "udp/7431") == 0 &&
	       L.v[1].group[0] == '\0',
	   "firewall-drop: the port rule's subject is the port");
	ok(L.n == 4 && strstr(L.v[1].evidence[0],
	                      "nft -a list chain inet f in: udp dport 7431 "
	                      "drop # handle 3") != NULL,
	   "firewall-drop: evidence names table, chain, handle and text");
	ok(L.n == 4 &&
	       strstr(L.v[1].fix, "nft delete rule inet f in handle 3") != NULL,
	   "firewall-drop: the fix deletes that rule");
	cfg.port = 7600;
	F.nfw = 3;
	is_str(codes(), "", "another port, no daddr rule: nothing");
	F.nfw = 0;
	cfg.port = 7431;
	is_str(codes(), "", "no rules: nothing");
	is_int(dr_fw_parse(&F, "{\"nftables\": []}", NULL), 0,
	       "an empty ruleset: nothing kept");
	is_int(dr_fw_parse(&F, "not json", NULL), 0, "bad JSON: nothing kept");
}

static void
test_hb_path(void)
{
	healthy();
	snprintf(F.peers[0].path.oif, IFNAMSIZ, "eth1");
	is_str(codes(), "", "one peer over eth0: no advice");
	snprintf(F.peers[1].path.oif, IFNAMSIZ, "eth1");
	is_str(codes(), "hb-shared-path", "every peer over eth1: advice");
	is_str(dr_severity_name(dr_code_severity(DR_C_HB_SHARED_PATH)),
	       "advice", "hb-shared-path is advice");
}

static void
test_order_and_group(void)
{
	healthy();
	G.conflicts[0].vip = vips[0];
	G.nconflicts = 1;
	snprintf(G.vips[0].other_iface, IFNAMSIZ, "eth0");
	grp.route.pin = CONF_ROUTE_OFF;
	lookup(&G.vips[0].remote, "192.0.2.1", "10.64.0.100", true, "eth0",
	       NULL, 254);
	is_str(codes(), "reply-path vip-elsewhere foreign-owner",
	       "findings come in priority order");
	dr_findings_clear(&L);
	dr_check_all(&F, "other", &L);
	is_int(L.n, 0, "a group filter leaves other groups out");
}

/* A peer not heard is the rival only while its claims are recent. */
static void
test_claim_age(void)
{
	static const char fmt[] =
	    "{\"ok\":true,\"node\":\"n1\",\"peers\":[],\"groups\":["
	    "{\"name\":\"web\",\"state\":\"leader\",\"fault\":\"\","
	    "\"route\":{\"installed\":true},\"peers\":[{\"id\":\"n2\","
	    "\"alive\":false,\"state\":\"leader\",\"mac\":"
	    "\"02:00:00:00:00:02\"}],\"conflicts\":[],"
	    "\"peer_claim_age_ms\":%s,\"counters\":{\"peer_claims\":4}}]}";
	const char *ages[] = {"300", "60000", "null"};
	const char *want[] = {"n2", "", ""};
	char buf[1024];
	json_t *st;
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), fmt, ages[i]);
		st = json_loads(buf, 0, NULL);
		healthy();
		F.daemon = false;
		dr_facts_add_status(&F, st, NULL);
		is_str(G.rival, want[i],
		       i == 0   ? "claims 300 ms ago: the unheard peer is the "
		                  "rival"
		       : i == 1 ? "claims a minute ago (a transition that is "
		                  "over): no rival"
		                : "no claim age: no rival");
		json_decref(st);
	}
}

/* The Prometheus text of the findings in L: every code has its series. */
static void
test_prom(void)
{
	char *buf = NULL;
	size_t len = 0, lines = 0, i;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		return;
	dr_findings_prom(&L, "n1", 1700000000.5, out);
	fclose(out);
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	is_int((int)lines, DR_C_MAX + 5,
	       "prometheus: HELP, TYPE and one series per code, then the "
	       "timestamp");
	ok(strstr(buf, "vipd_doctor_findings{node=\"n1\",code=\"peer-auth\","
	               "severity=\"error\"} 1\n") != NULL,
	   "prometheus: a finding found counts 1");
	ok(strstr(buf, "vipd_doctor_findings{node=\"n1\",code=\"reply-path\","
	               "severity=\"error\"} 0\n") != NULL,
	   "prometheus: a code not found has its series at 0");
	ok(strstr(buf, "code=\"hb-shared-path\",severity=\"advice\"} 0\n") !=
	       NULL,
	   "prometheus: severity label");
	ok(strstr(buf, "vipd_doctor_last_run_timestamp_seconds{node=\"n1\"} "
	               "1700000000.500\n") != NULL,
	   "prometheus: the run's time");
	free(buf);
}

static void
test_status_and_json(void)
{
	static const char status[] =
	    "{\"ok\":true,\"node\":\"n1\",\"peers\":[{\"id\":\"n2\","
	    "\"address\":\"192.168.121.12\",\"alive\":false,"
	    "\"last_seen_ms\":900,\"auth_failing\":true},{\"id\":\"\","
	    "\"address\":\"192.168.121.13\",\"alive\":false,"
	    "\"last_seen_ms\":null,\"auth_failing\":false}],\"groups\":["
	    "{\"name\":\"web\",\"state\":\"fault\",\"fault\":\"no-interface\","
	    "\"fault_text\":\"eth1 is gone\",\"route\":{\"installed\":false},"
	    "\"peers\":[{\"id\":\"n2\",\"alive\":true,\"state\":\"leader\","
	    "\"mac\":\"02:00:00:00:00:02\"}],"
	    "\"conflicts\":[{\"vip\":\"10.64.0.100\",\"mac\":"
	    "\"02:00:00:00:00:99\",\"count\":3,\"yielded\":true}]}]}";
	static const char metrics[] =
	    "{\"heartbeats\":{\"received\":5,\"rejected\":{\"hmac\":7}}}";
	json_t *s = json_loads(status, 0, NULL),
	       *m = json_loads(metrics, 0, NULL);
	json_t *j;

	healthy();
	F.daemon = false;
	dr_facts_add_status(&F, s, m);
	ok(F.daemon && strcmp(F.daemon_node, "n1") == 0, "status: daemon seen");
	ok(F.peers[0].auth_failing && F.peers[0].last_seen_ms == 900 &&
	       !F.peers[1].heard && F.peers[1].known,
	   "status: peers merged by address");
	ok(strcmp(G.rival, "n2") == 0 &&
	       strcmp(G.rival_mac, "02:00:00:00:00:02") == 0,
	   "status: a group peer that leads is the rival");
	ok(strcmp(G.state, "fault") == 0 && !G.route_installed &&
	       G.nconflicts == 1 && G.conflicts[0].count == 3,
	   "status: group state, pin and conflicts merged");
	is_int(F.hb_rejected_hmac, 7, "metrics: hmac rejections");
	is_str(codes(), "group-fault peer-auth peer-silent foreign-owner",
	       "status facts give their findings");
	j = dr_findings_json(&F, &L);
	ok(j && json_integer_value(json_object_get(j, "errors")) == 4 &&
	       json_is_true(json_object_get(j, "daemon")),
	   "json: errors counted, daemon true");
	ok(j && strcmp(json_string_value(json_object_get(
	                   json_array_get(json_object_get(j, "findings"), 0),
	                   "code")),
	               "group-fault") == 0,
	   "json: findings[].code");
	json_decref(j);
	test_prom();
	json_decref(s);
	json_decref(m);
}

int
main(void)
{
	test_healthy();
	test_reply_path();
	test_rp_filter();
	test_arp_flux();
	test_vip_elsewhere();
	test_sysctl_reset();
	test_subnets();
	test_gateway_silent();
	test_link();
	test_group_fault();
	test_peers();
	test_foreign_owner();
	test_two_leaders();
	test_claim_age();
	test_firewall();
	test_hb_path();
	test_order_and_group();
	test_status_and_json();
	dr_findings_clear(&L);
	return tap_done();
}
