/*
 * Helpers for the net tests and the test tools (l2gen, l2tool): ARP and
 * NS/NA frames laid out byte by byte, with an ICMPv6 checksum of their own
 * (independent of net/), and addresses from a literal or a number.
 * Header-only, like tap.h; every helper is static.
 */
#ifndef VIPD_TEST_NET_UTIL_H
#define VIPD_TEST_NET_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"

__attribute__((unused)) static void
tn_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An Ethernet header; returns its length, 14. */
__attribute__((unused)) static size_t
tn_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, unsigned type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	tn_put16(f + 12, type);
	return 14;
}

/* An ARP request or reply from sha (also the Ethernet source) to dst;
 * tha NULL is all zeros.  Returns its length, 42 (unpadded). */
__attribute__((unused)) static size_t
tn_arp(uint8_t *f, const uint8_t *dst, const uint8_t *sha, unsigned op,
       const uint8_t *spa, const uint8_t *tha, const uint8_t *tpa)
{
	uint8_t *a = f + tn_eth(f, dst, sha, 0x0806);

	tn_put16(a, 1);
	tn_put16(a + 2, 0x0800);
	a[4] = 6, a[5] = 4;
	tn_put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, spa, 4);
	if (tha != NULL)
		memcpy(a + 18, tha, 6);
	else
		memset(a + 18, 0, 6);
	memcpy(a + 24, tpa, 4);
	return 42;
}

/* RFC 1071 checksum over the IPv6 pseudo-header and the ICMPv6 message of
 * the frame at f (IPv6 header at f + 14), stored into the message. */
__attribute__((unused)) static void
tn_icmp6_csum(uint8_t *f)
{
	uint8_t *ip6 = f + 14, *m = f + 54;
	unsigned plen = (unsigned)ip6[4] << 8 | ip6[5], i;
	unsigned long sum = plen + 58;

	m[2] = m[3] = 0;
	for (i = 8; i < 40; i += 2)
		sum += (unsigned)ip6[i] << 8 | ip6[i + 1];
	for (i = 0; i < plen; i += 2)
		sum += (unsigned)m[i] << 8 | (i + 1 < plen ? m[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	tn_put16(m + 2, (unsigned)~sum & 0xffff);
}

/*
 * An NS (type 135) or NA (136) behind the Ethernet header already at f
 * (tn_eth): from src to dst for target (16 bytes each), NA flags, and
 * opt[0..optlen) as options; hop limit 255; checksum set.  Returns the
 * frame length, 78 + optlen.
 */
__attribute__((unused)) static size_t
tn_ndp(uint8_t *f, uint8_t type, const uint8_t *src, const uint8_t *dst,
       const uint8_t *target, uint8_t flags, const uint8_t *opt, size_t optlen)
{
	uint8_t *ip6 = f + 14, *m = ip6 + 40;
	size_t plen = 24 + optlen;

	memset(ip6, 0, 40 + plen);
	ip6[0] = 0x60;
	tn_put16(ip6 + 4, (unsigned)plen);
	ip6[6] = 58, ip6[7] = 255;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);
	m[0] = type;
	m[4] = flags;
	memcpy(m + 8, target, 16);
	if (optlen > 0)
		memcpy(m + 24, opt, optlen);
	tn_icmp6_csum(f);
	return 54 + plen;
}

/* The address s (IPv4 or IPv6); a test with a bad literal aborts. */
__attribute__((unused)) static struct net_addr
tn_ip(const char *s)
{
	struct net_addr a;

	if (net_addr_parse(s, &a) == -1)
		abort();
	return a;
}

/* The IPv4 address x (host order, 0x0a000001 is 10.0.0.1). */
__attribute__((unused)) static void
tn_v4(struct net_addr *a, uint32_t x)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->a[0] = (uint8_t)(x >> 24), a->a[1] = (uint8_t)(x >> 16);
	a->a[2] = (uint8_t)(x >> 8), a->a[3] = (uint8_t)x;
}

#endif
