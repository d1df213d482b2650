/*
 * ARP/NDP frame codec: every decode path and every error, on frames built
 * by hand (test_net_util.h, with an independent checksum) and on frames
 * Linux itself sent (captured with tcpdump -xx).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "tap.h"
#include "test_net_util.h"

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t mac_bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Real frames from a Linux 6.x veth: NS 2001:db8::1 -> ::2 and the NA. */
static const char linux_ns[] =
    "3333ff00000202000000000186dd6000000000203aff20010db8000000000000"
    "000000000001ff0200000000000000000001ff00000287001c27000000002001"
    "0db80000000000000000000000020101020000000001";
static const char linux_na[] =
    "02000000000102000000000286dd6000000000203aff20010db8000000000000"
    "00000000000220010db800000000000000000000000188008a71600000002001"
    "0db80000000000000000000000020201020000000002";
static const char linux_arp[] =
    "ffffffffffff0200000000010806000108000604000102000000000"
    "1c0000201000000000000c0000202";
/* A router solicitation: ICMPv6 but not NS/NA. */
static const char linux_rs[] =
    "33330000000202000000000186dd6000000000103afffe800000000000000000"
    "00fffe000001ff02000000000000000000000000000285007b2c000000000101"
    "020000000001";

static size_t
unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void
ip(const char *s, uint8_t *out)
{
	if (inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, out) != 1)
		abort();
}

static size_t
mk_arp(uint8_t *b, uint16_t op, const uint8_t *sha, const char *spa,
       const uint8_t *tha, const char *tpa)
{
	uint8_t s[4], t[4];

	ip(spa, s);
	ip(tpa, t);
	return tn_arp(b, mac_bc, sha, op, s, tha, t);
}

/*
 * An NS (type 135) or NA (136) from src to dst for target, with flags (NA)
 * and opt[0..optlen) as options; hop limit 255; correct checksum.
 */
static size_t
mk_ndp(uint8_t *b, uint8_t type, const char *src, const char *dst,
       const char *target, uint8_t flags, const uint8_t *opt, size_t optlen)
{
	uint8_t s[16], d[16], t[16];

	ip(src, s);
	ip(dst, d);
	ip(target, t);
	tn_eth(b, mac_b, mac_a, 0x86dd);
	return tn_ndp(b, type, s, d, t, flags, opt, optlen);
}

static const uint8_t opt_slla[8] = {1, 1, 0x02, 0, 0, 0, 0, 0x5a};
static const uint8_t opt_tlla[8] = {2, 1, 0x02, 0, 0, 0, 0, 0x5b};

static void
test_linux_frames(void)
{
	uint8_t f[256];
	struct frame_info fi;
	char s[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];
	size_t n;

	n = unhex(linux_ns, f);
	is_int(frame_decode(f, n, &fi), FRAME_OK, "Linux NS decodes");
	is_int(fi.kind, FRAME_NDP_NS, "Linux NS: kind");
	is_str(net_addr_str(&fi.sender, s, sizeof(s)), "2001:db8::1",
	       "Linux NS: source");
	is_str(net_addr_str(&fi.target, s, sizeof(s)), "2001:db8::2",
	       "Linux NS: target");
	is_str(net_addr_str(&fi.ip6_dst, s, sizeof(s)), "ff02::1:ff00:2",
	       "Linux NS: destination");
	ok(fi.has_lladdr_opt, "Linux NS: source link-layer option");
	is_str(net_mac_str(fi.mac, m, sizeof(m)), "02:00:00:00:00:01",
	       "Linux NS: mac from the option");
	ok(!fi.probe, "Linux NS: not DAD");
	f[60] ^= 0x01; /* one bit of the checksum */
	is_int(frame_decode(f, n, &fi), FRAME_ERR_CHECKSUM,
	       "Linux NS with a flipped checksum bit");
	f[60] ^= 0x01;
	f[75] ^= 0x01; /* one bit of the target */
	is_int(frame_decode(f, n, &fi), FRAME_ERR_CHECKSUM,
	       "Linux NS with a flipped target bit");

	n = unhex(linux_na, f);
	is_int(frame_decode(f, n, &fi), FRAME_OK, "Linux NA decodes");
	is_int(fi.kind, FRAME_NDP_NA, "Linux NA: kind");
	ok(fi.na_solicited && fi.na_override && !fi.na_router,
	   "Linux NA: flags S and O");
	is_str(net_mac_str(fi.mac, m, sizeof(m)), "02:00:00:00:00:02",
	       "Linux NA: mac from the target option");

	n = unhex(linux_arp, f);
	is_int(n, 42, "Linux ARP length");
	is_int(frame_decode(f, n, &fi), FRAME_OK, "Linux ARP request decodes");
	is_int(fi.kind, FRAME_ARP_REQUEST, "Linux ARP: kind");
	is_str(net_addr_str(&fi.target, s, sizeof(s)), "192.0.2.2",
	       "Linux ARP: target");

	n = unhex(linux_rs, f);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_NOT_NDP,
	       "Linux router solicitation is not NDP for us");
}

static void
test_arp(void)
{
	static const uint8_t zero[6];
	uint8_t f[1600];
	struct frame_info fi;
	char s[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];
	size_t n, i;

	n = mk_arp(f, 1, mac_a, "10.0.0.1", zero, "10.0.0.9");
	is_int(frame_decode(f, n, &fi), FRAME_OK, "ARP request");
	is_int(fi.kind, FRAME_ARP_REQUEST, "ARP request: kind");
	is_str(net_addr_str(&fi.sender, s, sizeof(s)), "10.0.0.1",
	       "ARP request: sender");
	is_str(net_addr_str(&fi.target, s, sizeof(s)), "10.0.0.9",
	       "ARP request: target");
	is_str(net_mac_str(fi.mac, m, sizeof(m)), "02:00:00:00:00:0a",
	       "ARP request: mac is the sender hardware address");
	is_str(net_mac_str(fi.eth_dst, m, sizeof(m)), "ff:ff:ff:ff:ff:ff",
	       "ARP request: eth dst");
	ok(!fi.probe && !fi.gratuitous, "ARP request: neither probe nor GARP");
	is_int(fi.ip6_dst.family, 0, "ARP: no IPv6 destination");

	memset(f + n, 0, 18);
	is_int(frame_decode(f, 60, &fi), FRAME_OK, "ARP padded to 60 bytes");
	is_int(frame_decode(f, FRAME_MAX_LEN, &fi), FRAME_OK,
	       "ARP padded to FRAME_MAX_LEN");
	is_int(frame_decode(f, FRAME_MAX_LEN + 1, &fi), FRAME_ERR_OVERSIZE,
	       "FRAME_MAX_LEN + 1 is oversize");
	for (i = 0; i < 42; i++)
		if (frame_decode(f, i, &fi) != FRAME_ERR_TRUNCATED)
			break;
	is_int(i, 42, "every ARP prefix shorter than 42 bytes is truncated");

	n = mk_arp(f, 2, mac_b, "10.0.0.9", mac_a, "10.0.0.1");
	is_int(frame_decode(f, n, &fi), FRAME_OK, "ARP reply");
	is_int(fi.kind, FRAME_ARP_REPLY, "ARP reply: kind");
	is_str(net_mac_str(fi.mac, m, sizeof(m)), "02:00:00:00:00:0b",
	       "ARP reply: mac");

	n = mk_arp(f, 1, mac_a, "0.0.0.0", zero, "10.0.0.9");
	is_int(frame_decode(f, n, &fi), FRAME_OK, "ARP probe");
	ok(fi.probe && !fi.gratuitous, "ARP probe: probe, not gratuitous");

	n = mk_arp(f, 1, mac_a, "10.0.0.9", zero, "10.0.0.9");
	is_int(frame_decode(f, n, &fi), FRAME_OK, "gratuitous ARP request");
	ok(fi.gratuitous && !fi.probe, "gratuitous ARP request: flag");
	n = mk_arp(f, 2, mac_a, "10.0.0.9", mac_a, "10.0.0.9");
	is_int(frame_decode(f, n, &fi), FRAME_OK, "gratuitous ARP reply");
	ok(fi.gratuitous && fi.kind == FRAME_ARP_REPLY,
	   "gratuitous ARP reply: flag and kind");
	n = mk_arp(f, 2, mac_a, "10.0.0.9", zero, "0.0.0.0");
	is_int(frame_decode(f, n, &fi), FRAME_OK,
	       "reply to a probe (target IP 0.0.0.0)");
}

static void
test_arp_errors(void)
{
	static const uint8_t zero[6];
	static const uint8_t mac_mc[6] = {0x01, 0, 0x5e, 0, 0, 1};
	static const struct {
		size_t off;
		uint8_t val;
		enum frame_err want;
		const char *what;
	} bad[] = {
	    {15, 6, FRAME_ERR_ARP_FORMAT, "htype 6"},
	    {16, 0x86, FRAME_ERR_ARP_FORMAT, "ptype 0x86dd"},
	    {18, 8, FRAME_ERR_ARP_FORMAT, "hlen 8"},
	    {19, 16, FRAME_ERR_ARP_FORMAT, "plen 16"},
	    {21, 3, FRAME_ERR_ARP_OP, "op 3 (RARP)"},
	    {21, 0, FRAME_ERR_ARP_OP, "op 0"},
	    {20, 1, FRAME_ERR_ARP_OP, "op 257"},
	};
	uint8_t f[64];
	struct frame_info fi;
	size_t n, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = mk_arp(f, 1, mac_a, "10.0.0.1", zero, "10.0.0.9");
		f[bad[i].off] = bad[i].val;
		is_int(frame_decode(f, n, &fi), bad[i].want, "ARP with %s",
		       bad[i].what);
	}
	n = mk_arp(f, 1, mac_mc, "10.0.0.1", zero, "10.0.0.9");
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "ARP with a multicast sender MAC");
	n = mk_arp(f, 2, mac_bc, "10.0.0.1", zero, "10.0.0.9");
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "ARP with the broadcast sender MAC");
	n = mk_arp(f, 1, mac_a, "224.0.0.1", zero, "10.0.0.9");
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "ARP with a multicast sender IP");
	n = mk_arp(f, 1, mac_a, "10.0.0.1", zero, "255.255.255.255");
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "ARP for the limited broadcast");
	is_str(
	    net_mac_str(fi.eth_src, (char[NET_MAC_STRLEN]){0}, NET_MAC_STRLEN),
	    "02:00:00:00:00:0a", "a failed decode keeps the Ethernet source");
	is_int(fi.kind, 0, "a failed decode leaves no kind");

	n = mk_arp(f, 1, mac_a, "10.0.0.1", zero, "10.0.0.9");
	f[12] = 0x08, f[13] = 0x00;
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ETHERTYPE, "IPv4 ethertype");
	f[12] = 0x81, f[13] = 0x00;
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ETHERTYPE,
	       "802.1Q tag (frames are captured untagged)");
	is_int(frame_decode(f, 13, &fi), FRAME_ERR_TRUNCATED,
	       "13 bytes: truncated Ethernet header");
	is_int(frame_decode(f, 0, &fi), FRAME_ERR_TRUNCATED, "empty frame");
	is_int(frame_decode(NULL, 0, &fi), FRAME_ERR_TRUNCATED,
	       "NULL buffer of length 0");
}

static void
test_ndp(void)
{
	uint8_t f[256], opt[32];
	struct frame_info fi;
	char s[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];
	size_t n;

	n = mk_ndp(f, 135, "2001:db8::1", "ff02::1:ff00:99", "2001:db8::99", 0,
	           opt_slla, 8);
	is_int(frame_decode(f, n, &fi), FRAME_OK, "NS with source lladdr");
	is_int(fi.kind, FRAME_NDP_NS, "NS: kind");
	is_str(net_addr_str(&fi.target, s, sizeof(s)), "2001:db8::99",
	       "NS: target");
	is_str(net_addr_str(&fi.sender, s, sizeof(s)), "2001:db8::1",
	       "NS: source address");
	ok(fi.has_lladdr_opt, "NS: option seen");
	is_str(net_mac_str(fi.mac, m, sizeof(m)), "02:00:00:00:00:5a",
	       "NS: mac from the source link-layer option");
	memset(f + n, 0, 6);
	is_int(frame_decode(f, n + 6, &fi), FRAME_OK,
	       "NS with trailing bytes past the payload length");

	n = mk_ndp(f, 135, "2001:db8::1", "2001:db8::99", "2001:db8::99", 0,
	           NULL, 0);
	is_int(frame_decode(f, n, &fi), FRAME_OK, "unicast NS, no option");
	ok(!fi.has_lladdr_opt, "NS without option: flag clear");
	is_str(net_mac_str(fi.mac, m, sizeof(m)), "02:00:00:00:00:0a",
	       "NS without option: mac is the Ethernet source");

	n = mk_ndp(f, 135, "::", "ff02::1:ff00:99", "2001:db8::99", 0, NULL, 0);
	is_int(frame_decode(f, n, &fi), FRAME_OK, "DAD NS from ::");
	ok(fi.probe, "DAD NS: probe");

	/* Unknown options (here a nonce, type 14) are skipped. */
	memcpy(opt, (uint8_t[8]){14, 1, 1, 2, 3, 4, 5, 6}, 8);
	memcpy(opt + 8, opt_tlla, 8);
	n = mk_ndp(f, 136, "2001:db8::99", "ff02::1", "2001:db8::99", 0x20, opt,
	           16);
	is_int(frame_decode(f, n, &fi), FRAME_OK, "unsolicited NA");
	is_int(fi.kind, FRAME_NDP_NA, "NA: kind");
	ok(fi.na_override && !fi.na_solicited && !fi.na_router,
	   "unsolicited NA: O only");
	is_str(net_mac_str(fi.mac, m, sizeof(m)), "02:00:00:00:00:5b",
	       "NA: mac from the target option after an unknown option");
	ok(!fi.probe && !fi.gratuitous, "NA: no probe/gratuitous flag");

	n = mk_ndp(f, 136, "2001:db8::99", "2001:db8::1", "2001:db8::99", 0xe0,
	           NULL, 0);
	is_int(frame_decode(f, n, &fi), FRAME_OK, "solicited NA, no option");
	ok(fi.na_router && fi.na_solicited && fi.na_override, "NA: R, S and O");
	ok(!fi.has_lladdr_opt, "NA without option: flag clear");

	/* An SLLA in an NA is not the NA's link-layer address. */
	n = mk_ndp(f, 136, "2001:db8::99", "2001:db8::1", "2001:db8::99", 0x60,
	           opt_slla, 8);
	is_int(frame_decode(f, n, &fi), FRAME_OK, "NA with an SLLA option");
	ok(!fi.has_lladdr_opt, "NA ignores a source link-layer option");
}

static void
test_ndp_errors(void)
{
	uint8_t f[256];
	struct frame_info fi;
	size_t n, i;

	n = mk_ndp(f, 135, "2001:db8::1", "ff02::1:ff00:99", "2001:db8::99", 0,
	           opt_slla, 8);
	for (i = 0; i < n; i++)
		if (frame_decode(f, i, &fi) != FRAME_ERR_TRUNCATED)
			break;
	is_int(i, n, "every prefix of an NS is truncated");

	f[14] = 0x40;
	is_int(frame_decode(f, n, &fi), FRAME_ERR_IP6_HEADER, "IP version 4");
	n = mk_ndp(f, 135, "2001:db8::1", "ff02::1:ff00:99", "2001:db8::99", 0,
	           NULL, 0);
	f[21] = 64;
	is_int(frame_decode(f, n, &fi), FRAME_ERR_HOP_LIMIT, "hop limit 64");
	f[21] = 255;
	f[57] ^= 0xff;
	is_int(frame_decode(f, n, &fi), FRAME_ERR_CHECKSUM, "bad checksum");
	f[57] ^= 0xff;
	f[19] = 33; /* payload length past the frame */
	is_int(frame_decode(f, n, &fi), FRAME_ERR_TRUNCATED,
	       "payload length longer than the frame");
	f[19] = 24;
	f[20] = 17;
	is_int(frame_decode(f, n, &fi), FRAME_ERR_NOT_NDP, "next header UDP");
	f[20] = 0;
	is_int(frame_decode(f, n, &fi), FRAME_ERR_NOT_NDP,
	       "hop-by-hop extension header");
	f[20] = 58;
	f[54] = 128;
	tn_icmp6_csum(f);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_NOT_NDP, "echo request");
	f[54] = 135;
	f[55] = 1;
	tn_icmp6_csum(f);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_NOT_NDP, "NS with code 1");
	f[55] = 0;
	f[19] = 16; /* an NS needs 24 bytes */
	tn_icmp6_csum(f);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_TRUNCATED,
	       "NS with payload length 16");
	f[19] = 2;
	is_int(frame_decode(f, n, &fi), FRAME_ERR_TRUNCATED,
	       "ICMPv6 with payload length 2");
}

static void
test_ndp_option_errors(void)
{
	uint8_t f[256];
	struct frame_info fi;
	size_t n;

	n = mk_ndp(f, 135, "2001:db8::1", "ff02::1:ff00:99", "2001:db8::99", 0,
	           (uint8_t[8]){1, 0, 2, 0, 0, 0, 0, 1}, 8);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_OPTION, "option of length 0");
	n = mk_ndp(f, 135, "2001:db8::1", "ff02::1:ff00:99", "2001:db8::99", 0,
	           (uint8_t[8]){1, 2, 2, 0, 0, 0, 0, 1}, 8);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_OPTION,
	       "option running past the end");
	n = mk_ndp(f, 135, "2001:db8::1", "ff02::1:ff00:99", "2001:db8::99", 0,
	           (uint8_t[9]){1, 1, 2, 0, 0, 0, 0, 1, 1}, 9);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_OPTION,
	       "one stray byte after the options");
	n = mk_ndp(f, 135, "::", "ff02::1:ff00:99", "2001:db8::99", 0, opt_slla,
	           8);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_OPTION,
	       "DAD NS with a source link-layer option");
	n = mk_ndp(f, 135, "::", "2001:db8::99", "2001:db8::99", 0, NULL, 0);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "DAD NS not sent to the solicited-node group");
	n = mk_ndp(f, 135, "::", "ff02::1:ff00:98", "2001:db8::99", 0, NULL, 0);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "DAD NS to another solicited-node group");
	n = mk_ndp(f, 136, "2001:db8::99", "ff02::1", "ff02::1", 0x20, NULL, 0);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "NA with a multicast target");
	n = mk_ndp(f, 135, "ff02::1", "ff02::1:ff00:99", "2001:db8::99", 0,
	           NULL, 0);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "NS from a multicast source");
	n = mk_ndp(f, 136, "2001:db8::99", "ff02::1", "2001:db8::99", 0x60,
	           NULL, 0);
	is_int(frame_decode(f, n, &fi), FRAME_ERR_ADDRESS,
	       "solicited NA to a multicast group");
}

static void
test_names(void)
{
	int e;
	bool distinct = true;

	is_str(frame_err_name(FRAME_OK), "ok", "name of FRAME_OK");
	is_str(frame_err_name(FRAME_ERR_TRUNCATED), "truncated",
	       "name of truncated");
	is_str(frame_err_name(FRAME_ERR_HOP_LIMIT), "hop_limit",
	       "name of hop_limit");
	is_str(frame_err_name(FRAME_ERR_MAX), "unknown", "name out of range");
	for (e = 0; e < FRAME_ERR_MAX; e++) {
		int k;

		for (k = 0; k < e; k++)
			if (strcmp(frame_err_name(e), frame_err_name(k)) == 0)
				distinct = false;
	}
	ok(distinct, "all error names are distinct");
}

int
main(void)
{
	test_linux_frames();
	test_arp();
	test_arp_errors();
	test_ndp();
	test_ndp_errors();
	test_ndp_option_errors();
	test_names();
	return tap_done();
}
