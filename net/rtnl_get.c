/*
 * One route lookup (RTM_GETROUTE without NLM_F_DUMP): what `ip route get
 * DST from SRC` asks.  The kernel answers with the route it would use,
 * marked RTM_F_CLONED, which rtnl_parse.c skips as a cache entry: so this
 * file reads the few attributes it needs itself, validated first.
 */
#include "config.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "rtnl_int.h"

struct get_ctx {
	struct rtnl_lookup *out;
	bool found;
};

static size_t
alen_of(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static void
copy_addr(const struct nlattr *attr, int family, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->a, mnl_attr_get_payload(attr), alen_of(family));
}

static void
on_route(const struct nlmsghdr *nlh, void *arg)
{
	struct get_ctx *c = arg;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	struct rtnl_lookup *o = c->out;
	size_t alen;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return;
	alen = alen_of(rtm->rtm_family);
	if (alen == 0)
		return;
	o->table = rtm->rtm_table;
	o->type = rtm->rtm_type;
	rtnl_attr_for_each(attr, nlh, sizeof(*rtm))
	{
		uint16_t t = mnl_attr_get_type(attr);

		if ((t == RTA_GATEWAY || t == RTA_PREFSRC) &&
		    mnl_attr_validate2(attr, MNL_TYPE_BINARY, alen) == 0)
			copy_addr(attr, rtm->rtm_family,
			          t == RTA_GATEWAY ? &o->gw : &o->prefsrc);
		else if ((t == RTA_OIF || t == RTA_TABLE) &&
		         mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			if (t == RTA_OIF)
				o->oif = (int)mnl_attr_get_u32(attr);
			else
				o->table = mnl_attr_get_u32(attr);
		}
	}
	c->found = true;
}

int
rtnl_route_get(struct rtnl *nl, const struct net_addr *dst,
               const struct net_addr *src, struct rtnl_lookup *out)
{
	struct get_ctx c = {.out = out};
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	size_t alen = dst != NULL ? alen_of(dst->family) : 0;

	memset(out, 0, sizeof(*out));
	if (alen == 0 ||
	    (src != NULL && src->family != 0 && src->family != dst->family))
		return rtnl_set_err(nl, EINVAL, "bad route lookup");
	nlh = rtnl_req_start(nl, RTM_GETROUTE, 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst->family;
	/* Without it IPv4 reports every route as from main; IPv6 reports
	 * the real table and refuses the flag (EINVAL, strict checking). */
	if (dst->family == AF_INET)
		rtm->rtm_flags = RTM_F_LOOKUP_TABLE;
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, dst->a);
	if (src != NULL && src->family != 0) {
		rtm->rtm_src_len = (uint8_t)(alen * 8);
		mnl_attr_put(nlh, RTA_SRC, alen, src->a);
	}
	if (rtnl_req_run(nl, nlh, on_route, &c) == -1)
		return -1;
	if (!c.found)
		return rtnl_set_err(nl, ENOENT, "no route in the reply");
	return 0;
}
