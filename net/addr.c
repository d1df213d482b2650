/* Address helpers shared by every net/ file and by the daemon. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"

int
net_addr_parse(const char *s, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (s != NULL && inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (s != NULL && inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	errno = EINVAL;
	return -1;
}

const char *
net_addr_str(const struct net_addr *addr, char *buf, size_t len)
{
	if (addr->family == 0 ||
	    inet_ntop(addr->family, addr->a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "-");
	return buf;
}

size_t
net_addr_len(const struct net_addr *addr)
{
	switch (addr->family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

bool
net_addr_eq(const struct net_addr *x, const struct net_addr *y)
{
	return x->family == y->family &&
	       memcmp(x->a, y->a, net_addr_len(x)) == 0;
}

bool
net_addr_in_prefix(const struct net_addr *addr, const struct net_addr *prefix,
                   unsigned plen)
{
	size_t bits = net_addr_len(addr) * 8, i;

	if (addr->family != prefix->family || plen > bits)
		return false;
	for (i = 0; i < plen / 8; i++)
		if (addr->a[i] != prefix->a[i])
			return false;
	if (plen % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - plen % 8));

		if ((addr->a[i] & mask) != (prefix->a[i] & mask))
			return false;
	}
	return true;
}

const char *
net_mac_str(const uint8_t mac[NET_MAC_LEN], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
	         mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
