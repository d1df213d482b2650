/*
 * rtnl_route_get and rtnl_neigh_state against the real kernel, in a
 * private network namespace: the seed's host (default route on eth0, the
 * VIP's subnet on eth1), a lookup from a VIP that is not local (refused),
 * then the VIP on lo with a policy rule and a table (the pin), neighbour
 * entries by state.
 */
#include "config.h"

#include <linux/neighbour.h>
#include <net/if.h>
#include <sys/socket.h>

#include "net.h"
#include "privns.h"
#include "tap.h"

static struct net_addr
ip(const char *s)
{
	struct net_addr a;

	net_addr_parse(s, &a);
	return a;
}

static void
test_lookup(struct rtnl *nl)
{
	struct net_addr dst = ip("192.0.2.1"), vip = ip("10.64.0.100");
	struct net_addr gw = ip("10.64.0.254"), none = {0};
	struct rtnl_lookup r;
	char a[NET_ADDR_STRLEN];
	int eth0 = (int)if_nametoindex("eth0"),
	    eth1 = (int)if_nametoindex("eth1");

	ok(rtnl_route_get(nl, &dst, NULL, &r) == 0 && r.oif == eth0 &&
	       r.table == 254 &&
	       strcmp(net_addr_str(&r.gw, a, sizeof(a)), "192.168.121.1") == 0,
	   "no source: the default route, via 192.168.121.1 on eth0, main");
	ok(rtnl_route_get(nl, &gw, NULL, &r) == 0 && r.oif == eth1 &&
	       r.gw.family == 0,
	   "the gateway's subnet: on-link on eth1");
	errno = 0;
	ok(rtnl_route_get(nl, &dst, &vip, &r) == -1 && errno != 0,
	   "a source that is not local is refused (%s)", rtnl_error(nl));
	ok(rtnl_route_get(nl, &none, NULL, &r) == -1 && errno == EINVAL,
	   "no destination: EINVAL");
	sh("ip addr add 10.64.0.100/32 dev lo");
	ok(rtnl_route_get(nl, &dst, &vip, &r) == 0 && r.oif == eth0,
	   "the VIP on lo, no pin: replies leave eth0");
	sh("ip rule add from 10.64.0.100 lookup 7431 pref 7431 && "
	   "ip route add default via 10.64.0.254 dev eth1 table 7431");
	ok(rtnl_route_get(nl, &dst, &vip, &r) == 0 && r.oif == eth1 &&
	       r.table == 7431 && net_addr_eq(&r.gw, &gw),
	   "the pin: from the VIP via 10.64.0.254 on eth1, table 7431");
	ok(rtnl_route_get(nl, &dst, NULL, &r) == 0 && r.oif == eth0,
	   "the pin does not touch other traffic");
}

static void
test_lookup6(struct rtnl *nl)
{
	struct net_addr dst = ip("2001:db8::1"), vip = ip("fd00:64::100");
	struct net_addr gw = ip("fd00:64::254");
	struct rtnl_lookup r;
	int eth0 = (int)if_nametoindex("eth0"),
	    eth1 = (int)if_nametoindex("eth1");

	sh("ip addr add fd00:64::100/128 dev lo");
	ok(rtnl_route_get(nl, &dst, &vip, &r) == 0 && r.oif == eth0 &&
	       r.table == 254,
	   "IPv6: the VIP on lo, no pin: replies leave eth0 (%s)",
	   rtnl_error(nl));
	sh("ip -6 rule add from fd00:64::100 lookup 7431 pref 7431 && "
	   "ip -6 route add default via fd00:64::254 dev eth1 table 7431");
	ok(rtnl_route_get(nl, &dst, &vip, &r) == 0 && r.oif == eth1 &&
	       r.table == 7431 && net_addr_eq(&r.gw, &gw),
	   "IPv6: the pin: via fd00:64::254 on eth1, table 7431");
}

static void
test_neigh(struct rtnl *nl)
{
	struct net_addr n1 = ip("10.64.0.9"), n2 = ip("10.64.0.8");
	struct net_addr n3 = ip("10.64.0.7");
	int eth0 = (int)if_nametoindex("eth0"),
	    eth1 = (int)if_nametoindex("eth1");
	uint16_t st = 0;

	sh("ip neigh add 10.64.0.9 lladdr 02:00:00:00:00:09 dev eth1 nud "
	   "reachable && ip neigh add 10.64.0.8 lladdr 02:00:00:00:00:08 dev "
	   "eth1 nud stale");
	ok(rtnl_neigh_state(nl, eth1, &n1, &st) == 0 && (st & NUD_REACHABLE),
	   "neighbour: reachable");
	ok(rtnl_neigh_state(nl, eth1, &n2, &st) == 0 && (st & NUD_STALE),
	   "neighbour: stale");
	ok(rtnl_neigh_state(nl, 0, &n2, &st) == 0 && (st & NUD_STALE),
	   "neighbour: any interface");
	ok(rtnl_neigh_state(nl, eth0, &n1, &st) == -1 && errno == ENOENT,
	   "neighbour on another interface: ENOENT");
	ok(rtnl_neigh_state(nl, eth1, &n3, &st) == -1 && errno == ENOENT,
	   "no entry: ENOENT");
}

int
main(void)
{
	struct rtnl *nl;
	char err[256];

	if (privns_enter() == -1)
		return 0;
	if (sh("ip link add eth0 type veth peer name eth0p && "
	       "ip link add eth1 type veth peer name eth1p && "
	       "for i in eth0 eth0p eth1 eth1p; do ip link set $i up; done && "
	       "ip addr add 192.168.121.11/24 dev eth0 && "
	       "ip addr add 10.64.0.1/24 dev eth1 && "
	       "ip addr add fd00:121::11/64 dev eth0 nodad && "
	       "ip addr add fd00:64::1/64 dev eth1 nodad && "
	       "ip route add default via 192.168.121.1 dev eth0 && "
	       "ip -6 route add default via fd00:121::1 dev eth0") != 0) {
		printf("1..0 # SKIP cannot build the links\n");
		return 0;
	}
	nl = rtnl_new(err, sizeof(err));
	ok(nl != NULL, "rtnl_new (%s)", nl ? "" : err);
	if (nl == NULL)
		return tap_done();
	test_lookup(nl);
	test_lookup6(nl);
	test_neigh(nl);
	rtnl_free(nl);
	return tap_done();
}
