/*
 * rtnetlink message parser: one link, address, rule or route message into
 * a struct rtnl_event.  Every attribute we read is checked against a small
 * policy (type and exact length) with mnl_attr_validate first; attributes
 * we do not know are skipped.  Shared by gets, dumps and the monitor.
 */
#include "config.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h> /* before linux/if.h, which then defers to it */
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "rtnl_int.h"

/* Exact payload length is the family's address length. */
#define LEN_ADDR 0xffff

struct attr_pol {
	uint16_t type;
	enum mnl_attr_data_type dt;
	uint16_t len; /* exact payload length (BINARY), 0 = any */
};

#define NPOL(p) (sizeof(p) / sizeof((p)[0]))

static int
bad(void)
{
	errno = EBADMSG;
	return -1;
}

static int
validate(const struct nlattr *attr, const struct attr_pol *pol, size_t alen)
{
	size_t want = pol->len == LEN_ADDR ? alen : pol->len;

	if (pol->dt == MNL_TYPE_BINARY)
		return mnl_attr_validate2(attr, MNL_TYPE_BINARY, want);
	return mnl_attr_validate(attr, pol->dt);
}

/*
 * Fill tb[type] (tb has ntb slots, zeroed here) for each attribute after
 * the family header of hdrlen bytes that pol knows, after validation.
 * -1 (EBADMSG) when the header is short or a known attribute is malformed.
 */
static int
parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen,
            const struct attr_pol *pol, size_t npol, size_t alen,
            const struct nlattr **tb, size_t ntb)
{
	const struct nlattr *attr;
	size_t i;

	memset(tb, 0, ntb * sizeof(*tb));
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return bad();
	rtnl_attr_for_each(attr, nlh, hdrlen)
	{
		uint16_t type = mnl_attr_get_type(attr);

		for (i = 0; i < npol; i++)
			if (pol[i].type == type)
				break;
		if (i == npol || type >= ntb)
			continue;
		if (validate(attr, &pol[i], alen) == -1)
			return bad();
		tb[type] = attr;
	}
	return 0;
}

static size_t
family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static void
get_addr(const struct nlattr *attr, int family, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	if (attr != NULL)
		memcpy(out->a, mnl_attr_get_payload(attr), family_len(family));
}

static int
parse_link(const struct nlmsghdr *nlh, struct rtnl_link *l)
{
	static const struct attr_pol pol[] = {
	    {IFLA_IFNAME, MNL_TYPE_NUL_STRING, 0},
	    {IFLA_ADDRESS, MNL_TYPE_BINARY, 0},
	    {IFLA_MTU, MNL_TYPE_U32, 0},
	    {IFLA_MASTER, MNL_TYPE_U32, 0},
	    {IFLA_OPERSTATE, MNL_TYPE_U8, 0},
	};
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	bool running;

	if (parse_attrs(nlh, sizeof(*ifi), pol, NPOL(pol), 0, tb,
	                IFLA_MAX + 1) == -1)
		return -1;
	/* AF_BRIDGE messages describe bridge ports, not links: a DELLINK of
	 * that family means "left the bridge". */
	if (ifi->ifi_family != AF_UNSPEC)
		return 0;
	if (tb[IFLA_IFNAME] == NULL ||
	    mnl_attr_get_payload_len(tb[IFLA_IFNAME]) > IFNAMSIZ ||
	    ifi->ifi_index <= 0)
		return bad();
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	strcpy(l->name, mnl_attr_get_str(tb[IFLA_IFNAME]));
	/* Only Ethernet-like hardware addresses fit our MAC. */
	if (tb[IFLA_ADDRESS] != NULL &&
	    mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == NET_MAC_LEN)
		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]),
		       NET_MAC_LEN);
	l->admin_up = ifi->ifi_flags & IFF_UP;
	/* IFF_RUNNING is the kernel's "operstate UP or UNKNOWN" and
	 * IFF_LOWER_UP the carrier; IFLA_OPERSTATE is checked when sent. */
	running =
	    (ifi->ifi_flags & IFF_RUNNING) && (ifi->ifi_flags & IFF_LOWER_UP);
	if (tb[IFLA_OPERSTATE] != NULL) {
		uint8_t op = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);

		running =
		    running && (op == IF_OPER_UP || op == IF_OPER_UNKNOWN);
	}
	l->oper_up = l->admin_up && running;
	if (tb[IFLA_MTU] != NULL)
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER] != NULL)
		l->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	return 1;
}

static int
parse_addr(const struct nlmsghdr *nlh, struct rtnl_addr *a)
{
	static const struct attr_pol pol[] = {
	    {IFA_ADDRESS, MNL_TYPE_BINARY, LEN_ADDR},
	    {IFA_LOCAL, MNL_TYPE_BINARY, LEN_ADDR},
	    {IFA_FLAGS, MNL_TYPE_U32, 0},
	    {IFA_PROTO, MNL_TYPE_U8, 0},
	};
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *local;
	size_t alen;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return bad();
	alen = family_len(ifa->ifa_family);
	if (alen == 0)
		return 0;
	if (parse_attrs(nlh, sizeof(*ifa), pol, NPOL(pol), alen, tb,
	                IFA_MAX + 1) == -1)
		return -1;
	/* IFA_LOCAL is the address; IFA_ADDRESS is the peer on a
	 * point-to-point link, and the only one IPv6 sends. */
	local = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (local == NULL || ifa->ifa_prefixlen > alen * 8)
		return bad();
	memset(a, 0, sizeof(*a));
	a->ifindex = (int)ifa->ifa_index;
	get_addr(local, ifa->ifa_family, &a->addr);
	a->prefixlen = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	a->flags = tb[IFA_FLAGS] != NULL ? mnl_attr_get_u32(tb[IFA_FLAGS])
	                                 : ifa->ifa_flags;
	if (tb[IFA_PROTO] != NULL)
		a->proto = mnl_attr_get_u8(tb[IFA_PROTO]);
	return 1;
}

static int
parse_rule(const struct nlmsghdr *nlh, struct rtnl_rule *r)
{
	static const struct attr_pol pol[] = {
	    {FRA_SRC, MNL_TYPE_BINARY, LEN_ADDR},
	    {FRA_TABLE, MNL_TYPE_U32, 0},
	    {FRA_PRIORITY, MNL_TYPE_U32, 0},
	    {FRA_PROTOCOL, MNL_TYPE_U8, 0},
	};
	const struct nlattr *tb[FRA_MAX + 1];
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	size_t alen;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*frh))
		return bad();
	alen = family_len(frh->family);
	if (alen == 0)
		return 0;
	if (parse_attrs(nlh, sizeof(*frh), pol, NPOL(pol), alen, tb,
	                FRA_MAX + 1) == -1)
		return -1;
	if (frh->src_len > alen * 8)
		return bad();
	memset(r, 0, sizeof(*r));
	r->family = frh->family;
	if (tb[FRA_SRC] != NULL)
		get_addr(tb[FRA_SRC], frh->family, &r->src);
	r->src_len = frh->src_len;
	r->table = tb[FRA_TABLE] != NULL ? mnl_attr_get_u32(tb[FRA_TABLE])
	                                 : frh->table;
	if (tb[FRA_PRIORITY] != NULL)
		r->priority = mnl_attr_get_u32(tb[FRA_PRIORITY]);
	if (tb[FRA_PROTOCOL] != NULL)
		r->proto = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	return 1;
}

static int
parse_route(const struct nlmsghdr *nlh, struct rtnl_route *r)
{
	static const struct attr_pol pol[] = {
	    {RTA_TABLE, MNL_TYPE_U32, 0},
	    {RTA_DST, MNL_TYPE_BINARY, LEN_ADDR},
	    {RTA_GATEWAY, MNL_TYPE_BINARY, LEN_ADDR},
	    {RTA_OIF, MNL_TYPE_U32, 0},
	    {RTA_PRIORITY, MNL_TYPE_U32, 0},
	};
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	size_t alen;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return bad();
	alen = family_len(rtm->rtm_family);
	/* Cloned entries are the IPv6 exception cache, not routes. */
	if (alen == 0 || (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	if (parse_attrs(nlh, sizeof(*rtm), pol, NPOL(pol), alen, tb,
	                RTA_MAX + 1) == -1)
		return -1;
	if (rtm->rtm_dst_len > alen * 8)
		return bad();
	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family;
	r->table = tb[RTA_TABLE] != NULL ? mnl_attr_get_u32(tb[RTA_TABLE])
	                                 : rtm->rtm_table;
	get_addr(tb[RTA_DST], rtm->rtm_family, &r->dst);
	r->dst_len = rtm->rtm_dst_len;
	if (tb[RTA_GATEWAY] != NULL)
		get_addr(tb[RTA_GATEWAY], rtm->rtm_family, &r->gw);
	if (tb[RTA_OIF] != NULL)
		r->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	r->proto = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->type = rtm->rtm_type;
	if (tb[RTA_PRIORITY] != NULL)
		r->metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	return 1;
}

int
rtnl_msg_parse(const struct nlmsghdr *nlh, struct rtnl_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		ev->kind = RTNL_EV_LINK;
		ev->deleted = nlh->nlmsg_type == RTM_DELLINK;
		return parse_link(nlh, &ev->u.link);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		ev->kind = RTNL_EV_ADDR;
		ev->deleted = nlh->nlmsg_type == RTM_DELADDR;
		return parse_addr(nlh, &ev->u.addr);
	case RTM_NEWRULE:
	case RTM_DELRULE:
		ev->kind = RTNL_EV_RULE;
		ev->deleted = nlh->nlmsg_type == RTM_DELRULE;
		return parse_rule(nlh, &ev->u.rule);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		ev->kind = RTNL_EV_ROUTE;
		ev->deleted = nlh->nlmsg_type == RTM_DELROUTE;
		return parse_route(nlh, &ev->u.route);
	default:
		return 0;
	}
}
