/*
 * Fuzz target: rtnl_msg_parse over a netlink datagram (what the monitor
 * socket and dumps hand it).  The corpus holds real kernel dumps (links,
 * bridge ports, addresses, rules, routes) and hand-made malformed messages.
 * Checks that what the parser reports is in range.
 */
#include "config.h"

#include <libmnl/libmnl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "rtnl_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *fuzz_corpus_dir = FUZZ_CORPUS;

static void
check(const struct rtnl_event *ev)
{
	unsigned max;

	switch (ev->kind) {
	case RTNL_EV_LINK:
		if (memchr(ev->u.link.name, '\0', IFNAMSIZ) == NULL ||
		    ev->u.link.ifindex <= 0)
			abort();
		break;
	case RTNL_EV_ADDR:
		max = (unsigned)net_addr_len(&ev->u.addr.addr) * 8;
		if (max == 0 || ev->u.addr.prefixlen > max)
			abort();
		break;
	case RTNL_EV_RULE:
		if (ev->u.rule.src_len >
		    (ev->u.rule.family == AF_INET ? 32 : 128))
			abort();
		break;
	case RTNL_EV_ROUTE:
		if (ev->u.route.dst_len > net_addr_len(&ev->u.route.dst) * 8)
			abort();
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	struct rtnl_event ev;
	uint8_t *buf;
	int len = (int)size;

	if (size > RTNL_RECV_SIZE)
		return 0;
	/* An exact-size heap copy: aligned, and ASan sees any overread. */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	for (nlh = (const void *)buf; rtnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len))
		if (rtnl_msg_parse(nlh, &ev) == 1)
			check(&ev);
	free(buf);
	return 0;
}
