/*
 * l2gen: a bounded raw-frame generator on AF_PACKET, for tests and
 * benchmarks inside network namespaces.  Prints one JSON object.
 *
 *   l2gen IFNAME flood --rate PPS --seconds S --target-net A.B.0.0/16
 *       ARP requests for addresses of the /16 (never .0.0), at a steady
 *       rate, then stops.  Hard caps: rate <= 200000, seconds <= 60.
 *   l2gen IFNAME malformed --dst-mac MAC --vip VIP [--vip6 VIP6]
 *       A fixed set of crafted bad frames, each aimed at the VIP so that a
 *       VIP filter passes it; reports what it sent and the frame_err
 *       reason each one should be counted under.
 *   l2gen IFNAME garp --vip VIP --op 1|2
 *       One gratuitous ARP of the given form, laid out as l2_port_announce
 *       sends it (to tell which form a Linux neighbour honours).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "test_net_util.h"

#define MAX_RATE    200000
#define MAX_SECONDS 60
#define JUMBO_LEN   9000

struct gen {
	int fd;
	int ifindex;
	unsigned mtu;
	uint8_t mac[NET_MAC_LEN];
};

static int
gen_open(struct gen *g, const char *ifname)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;

	memset(g, 0, sizeof(*g));
	g->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (g->fd == -1 || strlen(ifname) >= IFNAMSIZ)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(g->fd, SIOCGIFINDEX, &ifr) == -1)
		return -1;
	g->ifindex = ifr.ifr_ifindex;
	if (ioctl(g->fd, SIOCGIFHWADDR, &ifr) == -1)
		return -1;
	memcpy(g->mac, ifr.ifr_hwaddr.sa_data, NET_MAC_LEN);
	if (ioctl(g->fd, SIOCGIFMTU, &ifr) == -1)
		return -1;
	g->mtu = (unsigned)ifr.ifr_mtu;
	/* Protocol 0: this socket sends only and never queues a frame. */
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = g->ifindex;
	return bind(g->fd, (struct sockaddr *)&sll, sizeof(sll));
}

static int
gen_send(struct gen *g, const uint8_t *f, size_t len)
{
	return send(g->fd, f, len, 0) == (ssize_t)len ? 0 : -1;
}

/* An NS (or NA) for target from src, with an SLLA (TLLA) option: 86 B. */
static size_t
ndp(uint8_t *f, const struct gen *g, const uint8_t *dst_mac, uint8_t type,
    const uint8_t *src, const uint8_t *dst, const uint8_t *target)
{
	uint8_t opt[8] = {type == 135 ? 1 : 2, 1};

	memcpy(opt + 2, g->mac, 6);
	tn_eth(f, dst_mac, g->mac, 0x86dd);
	return tn_ndp(f, type, src, dst, target, 0, opt, sizeof(opt));
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmd_flood(struct gen *g, long rate, long secs, const char *net)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t f[64], base[4], spa[4], tpa[4];
	uint64_t t0 = now_ns(), total = (uint64_t)(rate * secs), sent = 0;
	uint64_t errors = 0, i;
	char addr[32], *slash;

	snprintf(addr, sizeof(addr), "%s", net);
	slash = strchr(addr, '/');
	if (slash == NULL || strcmp(slash, "/16") != 0)
		return 2;
	*slash = '\0';
	if (inet_pton(AF_INET, addr, base) != 1)
		return 2;
	memcpy(spa, base, 2);
	spa[2] = 0xff, spa[3] = 0xfe;
	memset(f, 0, sizeof(f));
	for (i = 0; i < total; i++) {
		uint64_t due = t0 + i * 1000000000u / (uint64_t)rate, now;
		unsigned host = (unsigned)(i % 65534) + 1;

		/* Sleep only when ahead by more than a millisecond. */
		now = now_ns();
		if (due > now + 1000000) {
			struct timespec ts = {0, (long)(due - now)};

			nanosleep(&ts, NULL);
		}
		memcpy(tpa, base, 2);
		tpa[2] = (uint8_t)(host >> 8), tpa[3] = (uint8_t)host;
		tn_arp(f, bcast, g->mac, 1, spa, NULL, tpa);
		/* Pad to the Ethernet minimum like a NIC would. */
		if (gen_send(g, f, 60) == 0)
			sent++;
		else
			errors++;
	}
	printf("{\"sent\":%llu,\"errors\":%llu,\"seconds\":%.3f}\n",
	       (unsigned long long)sent, (unsigned long long)errors,
	       (double)(now_ns() - t0) / 1e9);
	return 0;
}

struct bad {
	const char *name;
	const char *expect; /* frame_err_name, or "filtered" */
	uint8_t frame[JUMBO_LEN];
	size_t len;
};

static struct bad bads[24];
static size_t nbads;

static struct bad *
bad_new(const char *name, const char *expect)
{
	struct bad *b = &bads[nbads++];

	b->name = name;
	b->expect = expect;
	memset(b->frame, 0, sizeof(b->frame));
	return b;
}

static void
bad_arp(const struct gen *g, const uint8_t *dst, const uint8_t *vip)
{
	static const uint8_t other[4] = {192, 0, 2, 250};
	struct bad *b;

	b = bad_new("arp_truncated", "truncated");
	b->len = tn_arp(b->frame, dst, g->mac, 1, vip, NULL, other) - 4;
	b = bad_new("arp_bad_htype", "arp_format");
	b->len = tn_arp(b->frame, dst, g->mac, 1, other, NULL, vip);
	b->frame[15] = 6;
	b = bad_new("arp_bad_hlen", "arp_format");
	b->len = tn_arp(b->frame, dst, g->mac, 1, other, NULL, vip);
	b->frame[18] = 8;
	b = bad_new("arp_bad_plen", "arp_format");
	b->len = tn_arp(b->frame, dst, g->mac, 1, other, NULL, vip);
	b->frame[19] = 6;
	b = bad_new("arp_bad_op", "arp_op");
	b->len = tn_arp(b->frame, dst, g->mac, 3, other, NULL, vip);
	b = bad_new("arp_multicast_sha", "address");
	b->len = tn_arp(b->frame, dst, g->mac, 1, other, NULL, vip);
	b->frame[22] = 0x01;
	if (g->mtu + 14 >= JUMBO_LEN) {
		b = bad_new("arp_oversize_9000", "oversize");
		b->len = JUMBO_LEN;
		tn_arp(b->frame, dst, g->mac, 1, other, NULL, vip);
	}
}

static void
bad_ndp(const struct gen *g, const uint8_t *dst, const uint8_t *vip6)
{
	uint8_t src[16] = {0xfe, 0x80, [15] = 0x42}, mc[16] = {0xff, 2};
	struct bad *b;

	mc[15] = 1;
	b = bad_new("ns_truncated", "truncated");
	b->len = ndp(b->frame, g, dst, 135, src, vip6, vip6) - 8;
	b = bad_new("ip6_bad_version", "ip6_header");
	b->len = ndp(b->frame, g, dst, 135, src, vip6, vip6);
	b->frame[14] = 0x40;
	b = bad_new("ns_short_payload", "truncated");
	b->len = ndp(b->frame, g, dst, 135, src, vip6, vip6);
	tn_put16(b->frame + 18, 16);
	tn_icmp6_csum(b->frame);
	b = bad_new("ns_code_1", "not_ndp");
	b->len = ndp(b->frame, g, dst, 135, src, vip6, vip6);
	b->frame[55] = 1;
	tn_icmp6_csum(b->frame);
	b = bad_new("ns_hop_limit_64", "hop_limit");
	b->len = ndp(b->frame, g, dst, 135, src, vip6, vip6);
	b->frame[21] = 64;
	b = bad_new("ns_bad_checksum", "checksum");
	b->len = ndp(b->frame, g, dst, 135, src, vip6, vip6);
	b->frame[57] ^= 0x5a;
	b = bad_new("ns_zero_length_option", "option");
	b->len = ndp(b->frame, g, dst, 135, src, vip6, vip6);
	b->frame[79] = 0;
	tn_icmp6_csum(b->frame);
	b = bad_new("ns_option_past_end", "option");
	b->len = ndp(b->frame, g, dst, 135, src, vip6, vip6);
	b->frame[79] = 3;
	tn_icmp6_csum(b->frame);
	b = bad_new("ns_multicast_source", "address");
	b->len = ndp(b->frame, g, dst, 135, mc, vip6, vip6);
	b = bad_new("na_solicited_to_multicast", "address");
	b->len = ndp(b->frame, g, dst, 136, vip6, mc, vip6);
	b->frame[58] = 0x60;
	tn_icmp6_csum(b->frame);
	/* The VIP filter matches the target, so this one stays in the
	 * kernel: it proves the filter, not the decoder. */
	b = bad_new("na_multicast_target", "filtered");
	b->len = ndp(b->frame, g, dst, 136, vip6, mc, mc);
}

static int
cmd_malformed(struct gen *g, const char *mac, const char *vip, const char *vip6)
{
	struct net_addr v4, v6;
	unsigned m[6];
	uint8_t dst[6];
	size_t i;
	int k, errors = 0;

	if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
	           &m[5]) != 6 ||
	    net_addr_parse(vip, &v4) == -1 || v4.family != AF_INET)
		return 2;
	for (k = 0; k < 6; k++)
		dst[k] = (uint8_t)m[k];
	bad_arp(g, dst, v4.a);
	if (vip6 != NULL) {
		if (net_addr_parse(vip6, &v6) == -1 || v6.family != AF_INET6)
			return 2;
		bad_ndp(g, dst, v6.a);
	}
	printf("{\"sent\":{");
	for (i = 0; i < nbads; i++) {
		int ok = gen_send(g, bads[i].frame, bads[i].len) == 0;

		errors += !ok;
		printf("%s\"%s\":{\"len\":%zu,\"expect\":\"%s\",\"ok\":%s}",
		       i ? "," : "", bads[i].name, bads[i].len, bads[i].expect,
		       ok ? "true" : "false");
	}
	printf("},\"errors\":%d,\"mtu\":%u%s}\n", errors, g->mtu,
	       g->mtu + 14 >= JUMBO_LEN ? ""
	                                : ",\"skipped\":\"oversize: mtu\"");
	return errors ? 1 : 0;
}

static int
cmd_garp(struct gen *g, const char *vip, int op)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct net_addr v;
	uint8_t f[64];
	size_t len;

	if (net_addr_parse(vip, &v) == -1 || v.family != AF_INET ||
	    (op != 1 && op != 2))
		return 2;
	/* A reply's target MAC is ours too, as l2_port_announce sends it. */
	len = tn_arp(f, bcast, g->mac, (unsigned)op, v.a,
	             op == 2 ? g->mac : NULL, v.a);
	if (gen_send(g, f, len) == -1)
		return 1;
	printf("{\"sent\":1,\"op\":%d}\n", op);
	return 0;
}

static const char *
opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

int
main(int argc, char **argv)
{
	struct gen g;
	int rc = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: l2gen IFNAME flood|malformed ...\n");
		return 2;
	}
	if (gen_open(&g, argv[1]) == -1) {
		fprintf(stderr, "l2gen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (strcmp(argv[2], "flood") == 0) {
		const char *r = opt(argc, argv, "--rate");
		const char *s = opt(argc, argv, "--seconds");
		const char *n = opt(argc, argv, "--target-net");
		long rate = r ? atol(r) : 0, secs = s ? atol(s) : 0;

		if (rate > 0 && rate <= MAX_RATE && secs > 0 &&
		    secs <= MAX_SECONDS && n != NULL)
			rc = cmd_flood(&g, rate, secs, n);
	} else if (strcmp(argv[2], "malformed") == 0) {
		const char *mac = opt(argc, argv, "--dst-mac");
		const char *vip = opt(argc, argv, "--vip");

		if (mac != NULL && vip != NULL)
			rc = cmd_malformed(&g, mac, vip,
			                   opt(argc, argv, "--vip6"));
	} else if (strcmp(argv[2], "garp") == 0) {
		const char *vip = opt(argc, argv, "--vip");
		const char *op = opt(argc, argv, "--op");

		if (vip != NULL && op != NULL)
			rc = cmd_garp(&g, vip, atoi(op));
	}
	if (rc == 2)
		fprintf(stderr,
		        "l2gen: bad arguments (rate <= %d, seconds <= "
		        "%d, target-net A.B.0.0/16)\n",
		        MAX_RATE, MAX_SECONDS);
	close(g.fd);
	return rc;
}
