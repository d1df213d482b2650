/*
 * rtnl against the real kernel, in a private network namespace: links,
 * addresses, rules and routes (add, dump, delete, errors), notifications,
 * protocol matching on delete, and monitor overruns.
 */
#include "config.h"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "net.h"
#include "privns.h"
#include "rtnl_int.h" /* to provoke a lost ACK and a stale reply */
#include "tap.h"
#include "test_net_util.h"

#define PROTO_OTHER 55
#define TABLE       1077
#define TABLE2      1078

/* ------------------------------------------------------- notifications */

#define MAXEV 8192
static struct rtnl_event evs[MAXEV];
static size_t nevs;

struct want {
	enum rtnl_event_kind kind;
	bool deleted;
	const char *name;   /* link */
	int admin, oper;    /* link: -1 any */
	int master;         /* link: -1 any */
	struct net_addr ip; /* addr, rule src, route dst */
	uint32_t table;     /* route */
};

static void
on_event(const struct rtnl_event *ev, void *arg)
{
	(void)arg;
	if (nevs < MAXEV)
		evs[nevs++] = *ev;
}

static bool
matches(const struct rtnl_event *ev, const struct want *w)
{
	if (ev->kind != w->kind || ev->deleted != w->deleted)
		return false;
	switch (ev->kind) {
	case RTNL_EV_LINK:
		return strcmp(ev->u.link.name, w->name) == 0 &&
		       (w->admin < 0 || ev->u.link.admin_up == w->admin) &&
		       (w->oper < 0 || ev->u.link.oper_up == w->oper) &&
		       (w->master < 0 || ev->u.link.master == w->master);
	case RTNL_EV_ADDR:
		return net_addr_eq(&ev->u.addr.addr, &w->ip);
	case RTNL_EV_RULE:
		return net_addr_eq(&ev->u.rule.src, &w->ip);
	case RTNL_EV_ROUTE:
		return net_addr_eq(&ev->u.route.dst, &w->ip) &&
		       ev->u.route.table == w->table;
	}
	return false;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Forget what was read, and what is still queued. */
static void
ev_reset(struct rtnl *nl)
{
	while (rtnl_monitor_read(nl, on_event, NULL) > 0)
		;
	nevs = 0;
}

/* The first notification since ev_reset matching w, waiting up to 2 s. */
static const struct rtnl_event *
ev_wait(struct rtnl *nl, const struct want *w)
{
	int64_t end = now_ms() + 2000;
	size_t i = 0;

	for (;;) {
		for (; i < nevs; i++)
			if (matches(&evs[i], w))
				return &evs[i];
		if (now_ms() >= end ||
		    wait_readable(rtnl_monitor_fd(nl), (int)(end - now_ms())) <=
		        0)
			return NULL;
		rtnl_monitor_read(nl, on_event, NULL);
	}
}

/* --------------------------------------------------------------- links */

static int
ioctl_mac(const char *name, uint8_t mac[NET_MAC_LEN])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	r = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, NET_MAC_LEN);
	return r;
}

static int dump_count;
static bool dump_saw_lo, dump_saw_veth;

static void
on_link(const struct rtnl_link *l, void *arg)
{
	(void)arg;
	dump_count++;
	if (strcmp(l->name, "lo") == 0)
		dump_saw_lo = true;
	if (strcmp(l->name, "vrtb") == 0)
		dump_saw_veth = true;
}

static int
test_links(struct rtnl *nl)
{
	struct rtnl_link l, l2;
	uint8_t mac[NET_MAC_LEN];
	static const uint8_t zero[NET_MAC_LEN];

	ok(rtnl_link_get(nl, "lo", &l) == 0, "link get lo");
	is_int(l.ifindex, 1, "lo is ifindex 1");
	ok(l.admin_up && l.oper_up, "lo is up (admin and oper)");
	is_int(l.mtu, 65536, "lo mtu");
	ok(memcmp(l.mac, zero, NET_MAC_LEN) == 0, "lo has a zero MAC");
	ok(rtnl_link_get_index(nl, 1, &l2) == 0, "link get index 1");
	is_str(l2.name, "lo", "index 1 is lo");

	ok(rtnl_link_get(nl, "vrta", &l) == 0, "link get veth vrta");
	ok(rtnl_link_get_index(nl, l.ifindex, &l2) == 0 &&
	       strcmp(l2.name, "vrta") == 0,
	   "link get by its index");
	ok(ioctl_mac("vrta", mac) == 0 && memcmp(mac, l.mac, 6) == 0,
	   "veth MAC matches SIOCGIFHWADDR");
	ok(!l.admin_up && !l.oper_up, "new veth is down");
	is_int(l.mtu, 1500, "veth mtu");
	is_int(l.master, 0, "no master");

	errno = 0;
	ok(rtnl_link_get(nl, "vrtnope", &l) == -1 && errno == ENODEV,
	   "unknown name: ENODEV (%s)", rtnl_error(nl));
	errno = 0;
	ok(rtnl_link_get_index(nl, 9999, &l) == -1 && errno == ENODEV,
	   "unknown index: ENODEV (%s)", rtnl_error(nl));
	ok(rtnl_link_get(nl, "a-name-much-too-long", &l) == -1 &&
	       errno == ENODEV,
	   "name too long: ENODEV");

	ok(rtnl_link_dump(nl, on_link, NULL) == 0, "link dump");
	ok(dump_count == 3 && dump_saw_lo && dump_saw_veth,
	   "link dump: lo, vrta, vrtb (%d links)", dump_count);
	return l.ifindex;
}

/* Leaving a bridge sends an AF_BRIDGE RTM_DELLINK for the port: it must
 * not read as "vrtb was deleted". */
static void
test_bridge_port_events(struct rtnl *nl)
{
	struct want w = {
	    .kind = RTNL_EV_LINK, .name = "vrtb", .admin = -1, .oper = -1};
	struct rtnl_link br;
	size_t i;

	sh("ip link add vrtbr type bridge && ip link set vrtbr up");
	ok(rtnl_link_get(nl, "vrtbr", &br) == 0, "bridge vrtbr");
	ev_reset(nl);
	sh("ip link set vrtb master vrtbr");
	w.master = br.ifindex;
	ok(ev_wait(nl, &w) != NULL, "vrtb enslaved: master is vrtbr");
	ev_reset(nl);
	sh("ip link set vrtb nomaster");
	w.master = 0;
	ok(ev_wait(nl, &w) != NULL, "vrtb released: no master");
	/* The bridge's messages come first; give them all time to arrive. */
	wait_readable(rtnl_monitor_fd(nl), 200);
	rtnl_monitor_read(nl, on_event, NULL);
	for (i = 0; i < nevs; i++)
		if (evs[i].kind == RTNL_EV_LINK && evs[i].deleted &&
		    strcmp(evs[i].u.link.name, "vrtb") == 0)
			break;
	ok(i == nevs, "no deleted event for vrtb");
	sh("ip link del vrtbr");
}

static void
test_link_events(struct rtnl *nl)
{
	struct want w = {.kind = RTNL_EV_LINK, .name = "vrta", .master = -1};

	ev_reset(nl);
	sh("ip link set vrta up");
	w.admin = 1;
	w.oper = 0;
	ok(ev_wait(nl, &w) != NULL, "vrta up, peer down: admin up, no carrier");
	sh("ip link set vrtb up");
	w.oper = 1;
	ok(ev_wait(nl, &w) != NULL, "peer up: vrta oper up");
	ev_reset(nl);
	sh("ip link set vrta down");
	w.admin = 0;
	w.oper = 0;
	ok(ev_wait(nl, &w) != NULL, "vrta down: notification");
	sh("ip link set vrta up");
	w.admin = 1;
	w.oper = 1;
	ok(ev_wait(nl, &w) != NULL, "vrta up again: oper up");
	test_bridge_port_events(nl);
}

/* ----------------------------------------------------------- addresses */

static struct rtnl_addr found_addr;
static int found_addrs;
static struct net_addr addr_want;

static void
on_addr(const struct rtnl_addr *a, void *arg)
{
	(void)arg;
	if (net_addr_eq(&a->addr, &addr_want)) {
		found_addr = *a;
		found_addrs++;
	}
}

static int
addr_lookup(struct rtnl *nl, int family, int ifindex, const char *s)
{
	addr_want = tn_ip(s);
	found_addrs = 0;
	if (rtnl_addr_dump(nl, family, ifindex, on_addr, NULL) == -1)
		return -1;
	return found_addrs;
}

static void
test_addr_v4(struct rtnl *nl, int ifindex)
{
	struct rtnl_addr a = {.ifindex = ifindex, .prefixlen = 24};
	struct want w = {.kind = RTNL_EV_ADDR};
	const struct rtnl_event *ev;

	a.addr = tn_ip("10.77.0.1");
	a.proto = RTNL_PROTO_VIPD;
	ev_reset(nl);
	ok(rtnl_addr_add(nl, &a) == 0, "addr add 10.77.0.1/24 proto 77 (%s)",
	   rtnl_error(nl));
	is_int(addr_lookup(nl, AF_INET, ifindex, "10.77.0.1"), 1,
	       "dump shows it once");
	is_int(found_addr.proto, RTNL_PROTO_VIPD, "dump reports IFA_PROTO");
	is_int(found_addr.prefixlen, 24, "dump reports the prefix length");
	is_int(found_addr.scope, RT_SCOPE_UNIVERSE, "scope global");
	is_int(addr_lookup(nl, AF_INET, 1, "10.77.0.1"), 0,
	       "not in a dump of lo");
	is_int(addr_lookup(nl, AF_INET6, 0, "10.77.0.1"), 0,
	       "not in an IPv6 dump");
	w.ip = a.addr;
	ev = ev_wait(nl, &w);
	ok(ev != NULL && ev->u.addr.proto == RTNL_PROTO_VIPD &&
	       ev->u.addr.ifindex == ifindex,
	   "RTM_NEWADDR notification with proto 77");

	errno = 0;
	ok(rtnl_addr_add(nl, &a) == -1 && errno == EEXIST, "add twice: EEXIST");
	ok(strstr(rtnl_error(nl), "File exists") != NULL, "rtnl_error: \"%s\"",
	   rtnl_error(nl));

	ev_reset(nl);
	ok(rtnl_addr_del(nl, &a) == 0, "addr del");
	is_int(addr_lookup(nl, AF_INET, ifindex, "10.77.0.1"), 0, "gone");
	w.deleted = true;
	ok(ev_wait(nl, &w) != NULL, "RTM_DELADDR notification");
	errno = 0;
	ok(rtnl_addr_del(nl, &a) == -1 && errno == EADDRNOTAVAIL,
	   "delete absent: EADDRNOTAVAIL");
	ok(rtnl_error(nl)[0] != '\0', "rtnl_error: \"%s\"", rtnl_error(nl));

	/* Keep one for the routes below (gateway on a connected subnet). */
	ok(rtnl_addr_add(nl, &a) == 0, "addr add again");
}

static void
test_addr_vip(struct rtnl *nl)
{
	struct rtnl_addr a = {.ifindex = 1, .prefixlen = 32};
	struct rtnl_addr b = {.ifindex = 1, .prefixlen = 128};

	a.addr = tn_ip("10.77.9.9");
	a.proto = RTNL_PROTO_VIPD;
	ok(rtnl_addr_add(nl, &a) == 0, "VIP 10.77.9.9/32 on lo");
	is_int(addr_lookup(nl, AF_INET, 1, "10.77.9.9"), 1, "dumped");
	is_int(found_addr.scope, RT_SCOPE_UNIVERSE,
	       "scope global, as `ip addr add x/32 dev lo` does");

	b.addr = tn_ip("fd77::9");
	b.proto = RTNL_PROTO_VIPD;
	b.flags = IFA_F_NOPREFIXROUTE;
	ok(rtnl_addr_add(nl, &b) == 0, "VIP fd77::9/128 on lo (%s)",
	   rtnl_error(nl));
	is_int(addr_lookup(nl, AF_INET6, 1, "fd77::9"), 1, "dumped");
	is_int(found_addr.proto, RTNL_PROTO_VIPD, "IPv6 IFA_PROTO");
	ok(found_addr.flags & IFA_F_NODAD, "IPv6 VIP has IFA_F_NODAD");
	ok(found_addr.flags & IFA_F_NOPREFIXROUTE,
	   "caller's IFA_F_NOPREFIXROUTE kept (flags 0x%x)", found_addr.flags);
	ok(rtnl_addr_del(nl, &b) == 0, "IPv6 VIP del");

	/* Measured: does the kernel match IFA_PROTO on delete? */
	a.proto = PROTO_OTHER;
	ok(rtnl_addr_del(nl, &a) == 0 &&
	       addr_lookup(nl, AF_INET, 1, "10.77.9.9") == 0,
	   "kernel ignores IFA_PROTO on delete: proto 55 removed proto 77");
}

/* --------------------------------------------------------------- rules */

static struct rtnl_rule rules[16];
static int nrules;
static struct net_addr rule_src;

static void
on_rule(const struct rtnl_rule *r, void *arg)
{
	int *nall = arg;

	(*nall)++;
	if (net_addr_eq(&r->src, &rule_src) && nrules < 16)
		rules[nrules++] = *r;
}

static int
rule_lookup(struct rtnl *nl, int family, const char *src, int *nall)
{
	rule_src = tn_ip(src);
	nrules = 0;
	*nall = 0;
	if (rtnl_rule_dump(nl, family, on_rule, nall) == -1)
		return -1;
	return nrules;
}

static void
test_rules_family(struct rtnl *nl, const char *src, uint8_t src_len,
                  uint32_t prio)
{
	struct rtnl_rule r = {.src_len = src_len, .table = TABLE};
	struct want w = {.kind = RTNL_EV_RULE};
	int nall;

	r.src = tn_ip(src);
	r.family = r.src.family;
	r.priority = prio;
	r.proto = RTNL_PROTO_VIPD;
	ev_reset(nl);
	ok(rtnl_rule_add(nl, &r) == 0, "rule from %s lookup %u pref %u (%s)",
	   src, TABLE, prio, rtnl_error(nl));
	is_int(rule_lookup(nl, r.family, src, &nall), 1, "rule dumped once");
	ok(rules[0].table == TABLE && rules[0].priority == prio &&
	       rules[0].proto == RTNL_PROTO_VIPD &&
	       rules[0].src_len == src_len && rules[0].family == r.family,
	   "rule fields read back");
	is_int(nall, r.family == AF_INET ? 4 : 3,
	       "plus the default rules (local, main, and default for IPv4)");
	w.ip = r.src;
	ok(ev_wait(nl, &w) != NULL, "RTM_NEWRULE notification");
	errno = 0;
	ok(rtnl_rule_add(nl, &r) == -1 && errno == EEXIST,
	   "rule add twice: EEXIST (%s)", rtnl_error(nl));
	ev_reset(nl);
	ok(rtnl_rule_del(nl, &r) == 0, "rule del");
	is_int(rule_lookup(nl, r.family, src, &nall), 0, "rule gone");
	w.deleted = true;
	ok(ev_wait(nl, &w) != NULL, "RTM_DELRULE notification");
	errno = 0;
	ok(rtnl_rule_del(nl, &r) == -1 && errno == ENOENT,
	   "rule del absent: ENOENT (%s)", rtnl_error(nl));
}

static bool
default_rules_ok(struct rtnl *nl)
{
	int nall;

	/* "from all lookup local": no FRA_SRC, so src family 0. */
	memset(&rule_src, 0, sizeof(rule_src));
	nrules = 0;
	nall = 0;
	rtnl_rule_dump(nl, AF_INET, on_rule, &nall);
	return nrules == 3 && rules[0].table == RT_TABLE_LOCAL &&
	       rules[0].priority == 0 && rules[0].src_len == 0;
}

static void
test_rule_proto(struct rtnl *nl)
{
	struct rtnl_rule r = {.family = AF_INET, .src_len = 32};
	int nall;

	ok(sh("ip rule add from 10.77.0.20 table %d pref 1077 protocol %d",
	      TABLE, PROTO_OTHER) == 0,
	   "user rule, proto 55");
	r.src = tn_ip("10.77.0.20");
	r.table = TABLE;
	r.priority = 1077;
	r.proto = RTNL_PROTO_VIPD;
	errno = 0;
	ok(rtnl_rule_del(nl, &r) == -1 && errno == ENOENT,
	   "our delete (proto 77) does not match the proto 55 rule");
	is_int(rule_lookup(nl, AF_INET, "10.77.0.20", &nall), 1,
	       "user rule still there");
	/* Measured: NLM_F_EXCL's duplicate check compares the protocol too,
	 * so ours is added next to the user's. */
	ok(rtnl_rule_add(nl, &r) == 0, "same selector with proto 77 is added");
	ok(rule_lookup(nl, AF_INET, "10.77.0.20", &nall) == 2 &&
	       rules[0].proto != rules[1].proto,
	   "both rules exist");
	ok(rtnl_rule_del(nl, &r) == 0, "our delete");
	ok(rule_lookup(nl, AF_INET, "10.77.0.20", &nall) == 1 &&
	       rules[0].proto == PROTO_OTHER,
	   "removed ours only; the user's rule stays");
	ok(sh("ip rule del from 10.77.0.20 table %d pref 1077", TABLE) == 0,
	   "cleanup");
}

/* -------------------------------------------------------------- routes */

static struct rtnl_route routes[16];
static int nroutes;

static void
on_route(const struct rtnl_route *r, void *arg)
{
	(void)arg;
	if (nroutes < 16)
		routes[nroutes++] = *r;
}

static int
route_dump(struct rtnl *nl, int family, uint32_t table)
{
	nroutes = 0;
	if (rtnl_route_dump(nl, family, table, on_route, NULL) == -1)
		return -1;
	return nroutes;
}

static void
test_routes_v4(struct rtnl *nl, int ifindex)
{
	struct rtnl_route sub = {.family = AF_INET, .table = TABLE};
	struct rtnl_route def = {.family = AF_INET, .table = TABLE};
	struct want w = {.kind = RTNL_EV_ROUTE, .table = TABLE};
	int i, n;

	sub.dst = tn_ip("10.77.0.0");
	sub.dst_len = 24;
	sub.oif = ifindex;
	sub.proto = RTNL_PROTO_VIPD;
	def.dst.family = AF_INET;
	def.gw = tn_ip("10.77.0.254");
	def.oif = ifindex;
	def.proto = RTNL_PROTO_VIPD;
	ev_reset(nl);
	ok(rtnl_route_add(nl, &sub) == 0, "connected route in table %d (%s)",
	   TABLE, rtnl_error(nl));
	ok(rtnl_route_add(nl, &def) == 0, "default via 10.77.0.254 (%s)",
	   rtnl_error(nl));
	errno = 0;
	ok(rtnl_route_add(nl, &def) == -1 && errno == EEXIST,
	   "route add twice: EEXIST (%s)", rtnl_error(nl));
	n = route_dump(nl, AF_INET, TABLE);
	is_int(n, 2, "dump of table %d: 2 routes", TABLE);
	for (i = 0; i < n; i++) {
		const struct rtnl_route *r = &routes[i];
		bool is_def = r->dst_len == 0;

		ok(r->table == TABLE && r->proto == RTNL_PROTO_VIPD &&
		       r->type == RTN_UNICAST && r->oif == ifindex,
		   "route %d: table, proto, type, oif", i);
		ok(is_def ? r->scope == RT_SCOPE_UNIVERSE &&
		                net_addr_eq(&r->gw, &def.gw)
		          : r->scope == RT_SCOPE_LINK && r->gw.family == 0 &&
		                net_addr_eq(&r->dst, &sub.dst),
		   "route %d: %s", i,
		   is_def ? "default, universe, gateway"
		          : "subnet, link scope, no gateway");
	}
	ok(route_dump(nl, AF_INET, 0) > 2, "dump of all tables has more");
	w.ip = def.dst;
	ok(ev_wait(nl, &w) != NULL, "RTM_NEWROUTE notification");

	ev_reset(nl);
	ok(rtnl_route_del(nl, &def) == 0, "delete default (%s)",
	   rtnl_error(nl));
	w.deleted = true;
	ok(ev_wait(nl, &w) != NULL, "RTM_DELROUTE notification");
	ok(rtnl_route_del(nl, &sub) == 0, "delete subnet route");
	is_int(route_dump(nl, AF_INET, TABLE), 0, "table empty");
	errno = 0;
	ok(rtnl_route_del(nl, &sub) == -1 && errno == ESRCH,
	   "delete absent route: ESRCH (%s)", rtnl_error(nl));
}

static void
test_routes_v6(struct rtnl *nl, int ifindex)
{
	struct rtnl_route sub = {.family = AF_INET6, .table = TABLE};
	struct rtnl_route def = {.family = AF_INET6, .table = TABLE};

	sub.dst = tn_ip("fd77::");
	sub.dst_len = 64;
	sub.oif = ifindex;
	sub.proto = RTNL_PROTO_VIPD;
	def.dst.family = AF_INET6;
	def.gw = tn_ip("fd77::fe");
	def.oif = ifindex;
	def.proto = RTNL_PROTO_VIPD;
	ok(rtnl_route_add(nl, &sub) == 0, "IPv6 connected route (%s)",
	   rtnl_error(nl));
	ok(rtnl_route_add(nl, &def) == 0, "IPv6 default via fd77::fe (%s)",
	   rtnl_error(nl));
	is_int(route_dump(nl, AF_INET6, TABLE), 2, "IPv6 dump of the table");
	ok(nroutes == 2 && routes[0].proto == RTNL_PROTO_VIPD &&
	       routes[1].proto == RTNL_PROTO_VIPD && routes[0].metric != 0,
	   "proto 77, kernel metric %u", nroutes ? routes[0].metric : 0);
	ok(rtnl_route_del(nl, &def) == 0 && rtnl_route_del(nl, &sub) == 0,
	   "IPv6 routes deleted (%s)", rtnl_error(nl));
	is_int(route_dump(nl, AF_INET6, TABLE), 0, "IPv6 table empty");
}

static void
test_route_proto(struct rtnl *nl, int ifindex)
{
	struct rtnl_route r = {.family = AF_INET, .table = TABLE2};
	struct rtnl_route r6 = {.family = AF_INET6, .table = TABLE2};

	ok(sh("ip route add 10.78.0.0/24 dev vrta table %d proto %d", TABLE2,
	      PROTO_OTHER) == 0 &&
	       sh("ip -6 route add fd78::/64 dev vrta table %d proto %d",
	          TABLE2, PROTO_OTHER) == 0,
	   "user routes, proto 55");
	r.dst = tn_ip("10.78.0.0");
	r.dst_len = 24;
	r.oif = ifindex;
	r.proto = RTNL_PROTO_VIPD;
	errno = 0;
	ok(rtnl_route_del(nl, &r) == -1 && errno == ESRCH,
	   "IPv4: our delete (proto 77) does not match proto 55");
	r6.dst = tn_ip("fd78::");
	r6.dst_len = 64;
	r6.oif = ifindex;
	r6.proto = RTNL_PROTO_VIPD;
	errno = 0;
	ok(rtnl_route_del(nl, &r6) == -1 && errno == ESRCH,
	   "IPv6: our delete (proto 77) does not match proto 55");
	is_int(route_dump(nl, 0, TABLE2), 2, "both user routes still there");
	/* Unlike rules, a route's key (table, prefix, tos, metric) has no
	 * protocol: ours cannot sit next to the user's. */
	errno = 0;
	ok(rtnl_route_add(nl, &r) == -1 && errno == EEXIST,
	   "IPv4: adding ours next to the user's: EEXIST");
	errno = 0;
	ok(rtnl_route_add(nl, &r6) == -1 && errno == EEXIST,
	   "IPv6: adding ours next to the user's: EEXIST");
	r.proto = PROTO_OTHER;
	r6.proto = PROTO_OTHER;
	ok(rtnl_route_del(nl, &r) == 0 && rtnl_route_del(nl, &r6) == 0,
	   "deleted with their own proto");
}

static void
test_bad_requests(struct rtnl *nl, int ifindex)
{
	struct rtnl_route r = {.family = AF_INET, .table = TABLE};
	struct rtnl_addr a = {.ifindex = 9999, .prefixlen = 32};

	r.dst.family = AF_INET;
	r.gw = tn_ip("10.99.0.1");
	r.oif = ifindex;
	r.proto = RTNL_PROTO_VIPD;
	errno = 0;
	ok(rtnl_route_add(nl, &r) == -1 && errno != 0,
	   "route via an unreachable gateway fails");
	ok(strchr(rtnl_error(nl), '(') != NULL,
	   "with the kernel's message: \"%s\"", rtnl_error(nl));
	r.gw.family = 0;
	r.oif = 9999;
	errno = 0;
	ok(rtnl_route_add(nl, &r) == -1 && errno == ENODEV,
	   "route on ifindex 9999: \"%s\"", rtnl_error(nl));
	a.addr = tn_ip("10.77.1.1");
	errno = 0;
	ok(rtnl_addr_add(nl, &a) == -1 && errno == ENODEV,
	   "address on ifindex 9999: \"%s\"", rtnl_error(nl));
	r.family = AF_INET6;
	errno = 0;
	ok(rtnl_route_add(nl, &r) == -1 && errno == EINVAL,
	   "IPv6 route with an IPv4 destination rejected locally");
	ok(rtnl_link_get(nl, "lo", &(struct rtnl_link){0}) == 0,
	   "the request socket still works");
}

static void
test_enobufs(struct rtnl *nl)
{
	struct rtnl_addr a = {.ifindex = 1, .prefixlen = 32};
	struct want w = {.kind = RTNL_EV_ADDR};
	int i, small = 1, r, nadd = 0;

	ev_reset(nl);
	ok(setsockopt(rtnl_monitor_fd(nl), SOL_SOCKET, SO_RCVBUF, &small,
	              sizeof(small)) == 0,
	   "shrink the monitor's receive buffer");
	for (i = 0; i < 200; i++) {
		a.addr = tn_ip("10.77.200.0");
		a.addr.a[3] = (uint8_t)i;
		nadd += rtnl_addr_add(nl, &a) == 0;
	}
	is_int(nadd, 200, "200 addresses added without reading");
	errno = 0;
	r = rtnl_monitor_read(nl, on_event, NULL);
	ok(r == -1 && errno == ENOBUFS, "monitor read: -1/ENOBUFS (%d)", r);
	is_int(rtnl_monitor_read(nl, on_event, NULL), 0,
	       "queue was discarded: nothing stale left");
	nevs = 0;
	a.addr = tn_ip("10.77.201.1");
	ok(rtnl_addr_add(nl, &a) == 0, "one more address");
	w.ip = a.addr;
	ok(ev_wait(nl, &w) != NULL, "its notification arrives after ENOBUFS");
}

/* A GETLINK for lo, without NLM_F_ACK when ack is false. */
static struct nlmsghdr *
getlink_lo(struct rtnl *nl, bool ack)
{
	struct nlmsghdr *nlh = rtnl_req_start(nl, RTM_GETLINK, 0);
	struct ifinfomsg *ifi;

	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 1;
	if (!ack)
		nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	return nlh;
}

static void
test_timeout_and_stale(struct rtnl *nl)
{
	struct nlmsghdr *nlh;
	struct rtnl_link l;
	int64_t t0 = now_ms(), dt;
	int r;

	/* The kernel answers, but sends no ACK: the reply never completes. */
	errno = 0;
	r = rtnl_req_run(nl, getlink_lo(nl, false), NULL, NULL);
	dt = now_ms() - t0;
	ok(r == -1 && errno == ETIMEDOUT, "no ACK: ETIMEDOUT (%s)",
	   rtnl_error(nl));
	ok(dt >= 900 && dt < 2500, "after about 1 s (%lld ms)", (long long)dt);

	/* A late answer to an old request is queued before the next one. */
	nlh = getlink_lo(nl, true);
	nlh->nlmsg_seq = nl->seq - 5;
	ok(mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) > 0,
	   "request with an old sequence number, reply left unread");
	ok(rtnl_link_get(nl, "vrta", &l) == 0 && strcmp(l.name, "vrta") == 0,
	   "next request skips the stale reply and gets its own");
	ok(rtnl_link_get(nl, "lo", &l) == 0 && l.ifindex == 1,
	   "and the socket stays in step");
}

int
main(void)
{
	char err[256];
	struct rtnl *nl;
	int ifindex;

	if (privns_enter() == -1)
		return 0;
	if (sh("ip link add vrta type veth peer name vrtb") != 0) {
		printf("1..0 # SKIP cannot create a veth pair\n");
		return 0;
	}
	nl = rtnl_new(err, sizeof(err));
	ok(nl != NULL, "rtnl_new (%s)", nl ? "ok" : err);
	if (nl == NULL)
		return tap_done();
	rtnl_free(NULL);
	ifindex = test_links(nl);
	test_link_events(nl);
	test_addr_v4(nl, ifindex);
	test_addr_vip(nl);
	test_rules_family(nl, "10.77.0.10", 32, 1077);
	test_rules_family(nl, "fd77::10", 128, 1078);
	ok(default_rules_ok(nl), "default rules: local has src family 0");
	test_rule_proto(nl);
	test_routes_v4(nl, ifindex);
	test_routes_v6(nl, ifindex);
	test_route_proto(nl, ifindex);
	test_bad_requests(nl, ifindex);
	test_enobufs(nl);
	test_timeout_and_stale(nl);
	rtnl_free(nl);
	return tap_done();
}
