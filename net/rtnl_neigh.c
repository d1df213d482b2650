/*
 * Neighbour entries (RTM_GETNEIGH): whether the kernel's ARP/NDP has an
 * answer from an address — what `ip neigh show ADDR dev IF` shows.
 */
#include "config.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "rtnl_int.h"

struct neigh_ctx {
	int ifindex;
	const struct net_addr *addr;
	uint16_t state;
	bool found;
};

static void
on_neigh(const struct nlmsghdr *nlh, void *arg)
{
	struct neigh_ctx *c = arg;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t alen = net_addr_len(c->addr);

	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm) ||
	    ndm->ndm_family != c->addr->family ||
	    (c->ifindex != 0 && ndm->ndm_ifindex != c->ifindex))
		return;
	rtnl_attr_for_each(attr, nlh, sizeof(*ndm))
	{
		if (mnl_attr_get_type(attr) != NDA_DST ||
		    mnl_attr_validate2(attr, MNL_TYPE_BINARY, alen) == -1)
			continue;
		if (memcmp(mnl_attr_get_payload(attr), c->addr->a, alen) == 0) {
			c->state = ndm->ndm_state;
			c->found = true;
		}
	}
}

int
rtnl_neigh_state(struct rtnl *nl, int ifindex, const struct net_addr *addr,
                 uint16_t *state)
{
	struct neigh_ctx c = {ifindex, addr, 0, false};
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (net_addr_len(addr) == 0)
		return rtnl_set_err(nl, EINVAL, "bad neighbour address");
	nlh = rtnl_req_start(nl, RTM_GETNEIGH, NLM_F_DUMP);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	/* Strict checking refuses a dump whose header names an interface
	 * (it wants NDA_IFINDEX): the callback filters instead. */
	ndm->ndm_family = (uint8_t)addr->family;
	if (rtnl_req_run(nl, nlh, on_neigh, &c) == -1)
		return -1;
	if (!c.found)
		return rtnl_set_err(nl, ENOENT, "no neighbour entry");
	*state = c.state;
	return 0;
}
