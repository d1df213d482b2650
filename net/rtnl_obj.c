/*
 * Links, addresses, rules and routes over the request socket of rtnl.c.
 * Requests are built the way iproute2 builds them, plus our protocol tag;
 * dumps ask the kernel to filter (NETLINK_GET_STRICT_CHK) and filter again
 * here, since a kernel without strict checking ignores the filter.
 */
#include "config.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "rtnl_int.h"

static void
put_addr(struct nlmsghdr *nlh, uint16_t type, const struct net_addr *a)
{
	mnl_attr_put(nlh, type, net_addr_len(a), a->a);
}

static bool
inet_family(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* ---------------------------------------------------------------- links */

struct link_ctx {
	rtnl_link_cb cb; /* dump */
	void *arg;
	struct rtnl_link *out; /* get */
	bool found;
};

static void
on_link(const struct nlmsghdr *nlh, void *arg)
{
	struct link_ctx *c = arg;
	struct rtnl_event ev;

	if (rtnl_msg_parse(nlh, &ev) != 1 || ev.kind != RTNL_EV_LINK)
		return;
	if (c->out != NULL) {
		*c->out = ev.u.link;
		c->found = true;
	} else {
		c->cb(&ev.u.link, c->arg);
	}
}

static int
link_get(struct rtnl *nl, const char *ifname, int ifindex,
         struct rtnl_link *out)
{
	struct link_ctx c = {.out = out};
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = rtnl_req_start(nl, RTM_GETLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (ifname != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (rtnl_req_run(nl, nlh, on_link, &c) == -1)
		return -1;
	if (!c.found)
		return rtnl_set_err(nl, ENODEV, "no link in the reply");
	return 0;
}

int
rtnl_link_get(struct rtnl *nl, const char *ifname, struct rtnl_link *out)
{
	if (ifname == NULL || ifname[0] == '\0' || strlen(ifname) >= IFNAMSIZ)
		return rtnl_set_err(nl, ENODEV, "bad interface name");
	return link_get(nl, ifname, 0, out);
}

int
rtnl_link_get_index(struct rtnl *nl, int ifindex, struct rtnl_link *out)
{
	if (ifindex <= 0)
		return rtnl_set_err(nl, ENODEV, "bad interface index");
	return link_get(nl, NULL, ifindex, out);
}

int
rtnl_link_dump(struct rtnl *nl, rtnl_link_cb cb, void *arg)
{
	struct link_ctx c = {.cb = cb, .arg = arg};
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = rtnl_req_start(nl, RTM_GETLINK, NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return rtnl_req_run(nl, nlh, on_link, &c);
}

/* ------------------------------------------------------------ addresses */

static int
addr_req(struct rtnl *nl, uint16_t type, uint16_t flags,
         const struct rtnl_addr *a)
{
	size_t alen = net_addr_len(&a->addr);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	uint32_t ifa_flags = a->flags;

	if (alen == 0 || a->prefixlen > alen * 8 || a->ifindex <= 0)
		return rtnl_set_err(nl, EINVAL, "bad address request");
	/* A VIP is shared by design: DAD would find the previous leader
	 * still holding it and leave ours "dadfailed", unusable. */
	if (a->addr.family == AF_INET6)
		ifa_flags |= IFA_F_NODAD;
	nlh = rtnl_req_start(nl, type, flags);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->addr.family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_flags = (uint8_t)ifa_flags; /* the rest go in IFA_FLAGS */
	ifa->ifa_scope = a->scope;
	ifa->ifa_index = (uint32_t)a->ifindex;
	put_addr(nlh, IFA_LOCAL, &a->addr);
	put_addr(nlh, IFA_ADDRESS, &a->addr);
	if (type == RTM_NEWADDR)
		mnl_attr_put_u32(nlh, IFA_FLAGS, ifa_flags);
	if (a->proto != 0)
		mnl_attr_put_u8(nlh, IFA_PROTO, a->proto);
	return rtnl_req_run(nl, nlh, NULL, NULL);
}

int
rtnl_addr_add(struct rtnl *nl, const struct rtnl_addr *a)
{
	return addr_req(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, a);
}

int
rtnl_addr_del(struct rtnl *nl, const struct rtnl_addr *a)
{
	return addr_req(nl, RTM_DELADDR, 0, a);
}

struct addr_ctx {
	int family, ifindex;
	rtnl_addr_cb cb;
	void *arg;
};

static void
on_addr(const struct nlmsghdr *nlh, void *arg)
{
	struct addr_ctx *c = arg;
	struct rtnl_event ev;

	if (rtnl_msg_parse(nlh, &ev) != 1 || ev.kind != RTNL_EV_ADDR)
		return;
	if ((c->family != 0 && ev.u.addr.addr.family != c->family) ||
	    (c->ifindex != 0 && ev.u.addr.ifindex != c->ifindex))
		return;
	c->cb(&ev.u.addr, c->arg);
}

int
rtnl_addr_dump(struct rtnl *nl, int family, int ifindex, rtnl_addr_cb cb,
               void *arg)
{
	struct addr_ctx c = {family, ifindex, cb, arg};
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if (family != 0 && !inet_family(family))
		return rtnl_set_err(nl, EAFNOSUPPORT, "bad family");
	nlh = rtnl_req_start(nl, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = ifindex > 0 ? (uint32_t)ifindex : 0;
	return rtnl_req_run(nl, nlh, on_addr, &c);
}

/* ---------------------------------------------------------------- rules */

static int
rule_req(struct rtnl *nl, uint16_t type, uint16_t flags,
         const struct rtnl_rule *r)
{
	size_t alen = r->family == AF_INET ? 4 : r->family == AF_INET6 ? 16 : 0;
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;

	if (alen == 0 || r->src_len > alen * 8 ||
	    (r->src.family != 0 && r->src.family != r->family) ||
	    (r->src.family == 0 && r->src_len != 0))
		return rtnl_set_err(nl, EINVAL, "bad rule request");
	nlh = rtnl_req_start(nl, type, flags);
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)r->family;
	frh->src_len = r->src_len;
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	frh->action = FR_ACT_TO_TBL;
	if (r->src.family != 0)
		put_addr(nlh, FRA_SRC, &r->src);
	if (r->table != 0)
		mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	/* Without FRA_PRIORITY the kernel picks one on add and matches any
	 * on delete; priority 0 would sort before the local table. */
	if (r->priority != 0)
		mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	if (r->proto != 0)
		mnl_attr_put_u8(nlh, FRA_PROTOCOL, r->proto);
	return rtnl_req_run(nl, nlh, NULL, NULL);
}

int
rtnl_rule_add(struct rtnl *nl, const struct rtnl_rule *r)
{
	return rule_req(nl, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r);
}

int
rtnl_rule_del(struct rtnl *nl, const struct rtnl_rule *r)
{
	return rule_req(nl, RTM_DELRULE, 0, r);
}

struct rule_ctx {
	int family;
	rtnl_rule_cb cb;
	void *arg;
};

static void
on_rule(const struct nlmsghdr *nlh, void *arg)
{
	struct rule_ctx *c = arg;
	struct rtnl_event ev;

	if (rtnl_msg_parse(nlh, &ev) != 1 || ev.kind != RTNL_EV_RULE)
		return;
	if (c->family != 0 && ev.u.rule.family != c->family)
		return;
	c->cb(&ev.u.rule, c->arg);
}

int
rtnl_rule_dump(struct rtnl *nl, int family, rtnl_rule_cb cb, void *arg)
{
	struct rule_ctx c = {family, cb, arg};
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;

	if (family != 0 && !inet_family(family))
		return rtnl_set_err(nl, EAFNOSUPPORT, "bad family");
	nlh = rtnl_req_start(nl, RTM_GETRULE, NLM_F_DUMP);
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	return rtnl_req_run(nl, nlh, on_rule, &c);
}

/* --------------------------------------------------------------- routes */

/* iproute2's default: a route without a gateway reaches a directly
 * connected subnet, so its scope is link; one via a gateway is global. */
static uint8_t
route_scope(const struct rtnl_route *r)
{
	if (r->scope == RT_SCOPE_UNIVERSE && r->gw.family == 0 &&
	    (r->type == 0 || r->type == RTN_UNICAST))
		return RT_SCOPE_LINK;
	return r->scope;
}

static int
route_check(const struct rtnl_route *r)
{
	size_t alen = r->family == AF_INET ? 4 : r->family == AF_INET6 ? 16 : 0;

	if (alen == 0 || r->dst_len > alen * 8 ||
	    (r->dst.family != 0 && r->dst.family != r->family) ||
	    (r->gw.family != 0 && r->gw.family != r->family) || r->oif < 0)
		return -1;
	return 0;
}

static int
route_req(struct rtnl *nl, uint16_t type, uint16_t flags,
          const struct rtnl_route *r)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (route_check(r) == -1)
		return rtnl_set_err(nl, EINVAL, "bad route request");
	nlh = rtnl_req_start(nl, type, flags);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)r->family;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->proto;
	rtm->rtm_scope = route_scope(r);
	rtm->rtm_type = r->type != 0 ? r->type : RTN_UNICAST;
	if (r->table != 0)
		mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->dst_len != 0) {
		struct net_addr dst = r->dst;

		dst.family = r->family;
		put_addr(nlh, RTA_DST, &dst);
	}
	if (r->gw.family != 0)
		put_addr(nlh, RTA_GATEWAY, &r->gw);
	if (r->oif != 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->oif);
	if (r->metric != 0)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	return rtnl_req_run(nl, nlh, NULL, NULL);
}

int
rtnl_route_add(struct rtnl *nl, const struct rtnl_route *r)
{
	return route_req(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r);
}

int
rtnl_route_del(struct rtnl *nl, const struct rtnl_route *r)
{
	return route_req(nl, RTM_DELROUTE, 0, r);
}

struct route_ctx {
	int family;
	uint32_t table;
	rtnl_route_cb cb;
	void *arg;
};

static void
on_route(const struct nlmsghdr *nlh, void *arg)
{
	struct route_ctx *c = arg;
	struct rtnl_event ev;

	if (rtnl_msg_parse(nlh, &ev) != 1 || ev.kind != RTNL_EV_ROUTE)
		return;
	if ((c->family != 0 && ev.u.route.family != c->family) ||
	    (c->table != 0 && ev.u.route.table != c->table))
		return;
	c->cb(&ev.u.route, c->arg);
}

int
rtnl_route_dump(struct rtnl *nl, int family, uint32_t table, rtnl_route_cb cb,
                void *arg)
{
	struct route_ctx c = {family, table, cb, arg};
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (family != 0 && !inet_family(family))
		return rtnl_set_err(nl, EAFNOSUPPORT, "bad family");
	nlh = rtnl_req_start(nl, RTM_GETROUTE, NLM_F_DUMP);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (table != 0)
		mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (rtnl_req_run(nl, nlh, on_route, &c) == 0)
		return 0;
	/* With strict checking the kernel refuses to dump a table that does
	 * not exist yet; for us that is simply an empty table. */
	if (table != 0 && errno == ENOENT) {
		rtnl_clear_err(nl);
		return 0;
	}
	return -1;
}
