/*
 * ARP/NDP frame codec: decode one captured Ethernet II frame into a
 * frame_info.  Pure and bounds-checked: every read goes through rd8/rd16
 * after a length check, fields are copied out, the packet is never cast to
 * a struct.  The rules follow what a Linux host itself accepts (RFC 826 for
 * ARP, RFC 4861 section 7.1 for NS/NA validity), so that vipd never answers
 * or believes a frame the kernel would drop.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "net.h"

#define ETH_HLEN_       14
#define ETHERTYPE_ARP_  0x0806
#define ETHERTYPE_IPV6_ 0x86dd

#define ARP_LEN         28 /* Ethernet/IPv4 ARP body */
#define IP6_HLEN        40
#define ICMP6_NDP_LEN   24 /* type..target of an NS or NA */
#define IPPROTO_ICMPV6_ 58
#define ND_NS           135
#define ND_NA           136
#define ND_OPT_SLLA     1
#define ND_OPT_TLLA     2

static const char *const frame_err_names[FRAME_ERR_MAX] = {
    [FRAME_OK] = "ok",
    [FRAME_ERR_TRUNCATED] = "truncated",
    [FRAME_ERR_OVERSIZE] = "oversize",
    [FRAME_ERR_ETHERTYPE] = "ethertype",
    [FRAME_ERR_ARP_FORMAT] = "arp_format",
    [FRAME_ERR_ARP_OP] = "arp_op",
    [FRAME_ERR_IP6_HEADER] = "ip6_header",
    [FRAME_ERR_NOT_NDP] = "not_ndp",
    [FRAME_ERR_HOP_LIMIT] = "hop_limit",
    [FRAME_ERR_CHECKSUM] = "checksum",
    [FRAME_ERR_OPTION] = "option",
    [FRAME_ERR_ADDRESS] = "address",
};

const char *
frame_err_name(enum frame_err e)
{
	if ((unsigned)e >= FRAME_ERR_MAX)
		return "unknown";
	return frame_err_names[e];
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static void
addr_set(struct net_addr *a, int family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->a, p, family == AF_INET ? 4 : 16);
}

static bool
is_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* 224.0.0.0/4 or the limited broadcast. */
static bool
ip4_is_multicast_or_bcast(const uint8_t *p)
{
	return (p[0] & 0xf0) == 0xe0 ||
	       (p[0] == 0xff && p[1] == 0xff && p[2] == 0xff && p[3] == 0xff);
}

static enum frame_err
decode_arp(const uint8_t *buf, size_t len, struct frame_info *out)
{
	const uint8_t *arp = buf + ETH_HLEN_;
	uint16_t op;

	/* Trailing bytes are Ethernet padding (minimum frame size). */
	if (len < ETH_HLEN_ + ARP_LEN)
		return FRAME_ERR_TRUNCATED;
	if (rd16(arp) != 1 || rd16(arp + 2) != 0x0800 || arp[4] != 6 ||
	    arp[5] != 4)
		return FRAME_ERR_ARP_FORMAT;
	op = rd16(arp + 6);
	if (op != 1 && op != 2)
		return FRAME_ERR_ARP_OP;
	out->kind = op == 1 ? FRAME_ARP_REQUEST : FRAME_ARP_REPLY;
	memcpy(out->mac, arp + 8, NET_MAC_LEN);
	addr_set(&out->sender, AF_INET, arp + 14);
	addr_set(&out->target, AF_INET, arp + 24);
	/* A group hardware address or IP never owns a unicast address. */
	if ((out->mac[0] & 1) || ip4_is_multicast_or_bcast(arp + 14) ||
	    ip4_is_multicast_or_bcast(arp + 24))
		return FRAME_ERR_ADDRESS;
	out->probe = is_zero(arp + 14, 4);
	out->gratuitous = !out->probe && memcmp(arp + 14, arp + 24, 4) == 0;
	return FRAME_OK;
}

/* Ones'-complement sum of n bytes, big-endian words, folded later. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += rd16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

/* RFC 4443 2.3: the checksum covers the pseudo-header and the message. */
static bool
icmp6_csum_ok(const uint8_t *ip6, const uint8_t *icmp, size_t plen)
{
	uint32_t sum = 0;

	sum = csum_add(sum, ip6 + 8, 32); /* source and destination */
	sum += (uint32_t)(plen >> 16) + (uint32_t)(plen & 0xffff);
	sum += IPPROTO_ICMPV6_;
	sum = csum_add(sum, icmp, plen);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * Walk the options after the fixed NS/NA part.  Every option needs a
 * non-zero length that stays inside the message (RFC 4861 4.6).  The
 * link-layer option of the wanted type fills out->mac.
 */
static enum frame_err
ndp_options(const uint8_t *opt, size_t n, uint8_t want, struct frame_info *out)
{
	size_t off = 0;

	while (off < n) {
		size_t olen;

		if (n - off < 2 || opt[off + 1] == 0)
			return FRAME_ERR_OPTION;
		olen = (size_t)opt[off + 1] * 8;
		if (olen > n - off)
			return FRAME_ERR_OPTION;
		if (opt[off] == want && !out->has_lladdr_opt) {
			memcpy(out->mac, opt + off + 2, NET_MAC_LEN);
			out->has_lladdr_opt = true;
		}
		off += olen;
	}
	return FRAME_OK;
}

/* RFC 4861 7.1.1 / 7.1.2 rules that depend on the addresses. */
static enum frame_err
ndp_addresses(const struct frame_info *out, const uint8_t *icmp)
{
	const uint8_t *src = out->sender.a, *dst = out->ip6_dst.a;

	if (out->target.a[0] == 0xff || src[0] == 0xff)
		return FRAME_ERR_ADDRESS;
	if (out->kind == FRAME_NDP_NS && out->probe) {
		/* DAD goes to the solicited-node group ff02::1:ffXX:XXXX. */
		static const uint8_t snm[13] = {0xff,
		                                0x02, [11] = 1, [12] = 0xff};
		if (memcmp(dst, snm, 13) != 0 ||
		    memcmp(dst + 13, out->target.a + 13, 3) != 0)
			return FRAME_ERR_ADDRESS;
		if (out->has_lladdr_opt)
			return FRAME_ERR_OPTION;
	}
	/* A solicited NA to a multicast group is invalid. */
	if (out->kind == FRAME_NDP_NA && dst[0] == 0xff && (icmp[4] & 0x40))
		return FRAME_ERR_ADDRESS;
	return FRAME_OK;
}

static enum frame_err
decode_ndp(const uint8_t *buf, size_t len, struct frame_info *out)
{
	const uint8_t *ip6 = buf + ETH_HLEN_, *icmp = ip6 + IP6_HLEN;
	size_t plen;
	enum frame_err e;

	if (len < ETH_HLEN_ + IP6_HLEN)
		return FRAME_ERR_TRUNCATED;
	if ((ip6[0] >> 4) != 6)
		return FRAME_ERR_IP6_HEADER;
	plen = rd16(ip6 + 4);
	if (plen > len - ETH_HLEN_ - IP6_HLEN)
		return FRAME_ERR_TRUNCATED;
	/* Bytes past plen are padding; Linux trims them the same way. */
	if (ip6[6] != IPPROTO_ICMPV6_)
		return FRAME_ERR_NOT_NDP;
	if (plen < 4)
		return FRAME_ERR_TRUNCATED;
	if ((icmp[0] != ND_NS && icmp[0] != ND_NA) || icmp[1] != 0)
		return FRAME_ERR_NOT_NDP;
	if (plen < ICMP6_NDP_LEN)
		return FRAME_ERR_TRUNCATED;
	if (ip6[7] != 255)
		return FRAME_ERR_HOP_LIMIT;
	if (!icmp6_csum_ok(ip6, icmp, plen))
		return FRAME_ERR_CHECKSUM;

	out->kind = icmp[0] == ND_NS ? FRAME_NDP_NS : FRAME_NDP_NA;
	addr_set(&out->sender, AF_INET6, ip6 + 8);
	addr_set(&out->ip6_dst, AF_INET6, ip6 + 24);
	addr_set(&out->target, AF_INET6, icmp + 8);
	memcpy(out->mac, out->eth_src, NET_MAC_LEN);
	out->probe = out->kind == FRAME_NDP_NS && is_zero(ip6 + 8, 16);
	if (out->kind == FRAME_NDP_NA) {
		out->na_router = (icmp[4] & 0x80) != 0;
		out->na_solicited = (icmp[4] & 0x40) != 0;
		out->na_override = (icmp[4] & 0x20) != 0;
	}
	e = ndp_options(icmp + ICMP6_NDP_LEN, plen - ICMP6_NDP_LEN,
	                out->kind == FRAME_NDP_NS ? ND_OPT_SLLA : ND_OPT_TLLA,
	                out);
	if (e != FRAME_OK)
		return e;
	return ndp_addresses(out, icmp);
}

enum frame_err
frame_decode(const uint8_t *buf, size_t len, struct frame_info *out)
{
	enum frame_err e;

	memset(out, 0, sizeof(*out));
	if (len > FRAME_MAX_LEN)
		return FRAME_ERR_OVERSIZE;
	if (len < ETH_HLEN_)
		return FRAME_ERR_TRUNCATED;
	memcpy(out->eth_dst, buf, NET_MAC_LEN);
	memcpy(out->eth_src, buf + 6, NET_MAC_LEN);
	switch (rd16(buf + 12)) {
	case ETHERTYPE_ARP_:
		e = decode_arp(buf, len, out);
		break;
	case ETHERTYPE_IPV6_:
		e = decode_ndp(buf, len, out);
		break;
	default:
		e = FRAME_ERR_ETHERTYPE;
		break;
	}
	if (e != FRAME_OK) {
		/* Keep the Ethernet addresses for the caller's diagnostics. */
		uint8_t src[NET_MAC_LEN], dst[NET_MAC_LEN];

		memcpy(src, out->eth_src, NET_MAC_LEN);
		memcpy(dst, out->eth_dst, NET_MAC_LEN);
		memset(out, 0, sizeof(*out));
		memcpy(out->eth_src, src, NET_MAC_LEN);
		memcpy(out->eth_dst, dst, NET_MAC_LEN);
	}
	return e;
}
