/*
 * L2 port: capture ARP/NDP with libpcap, inject with libnet, on one
 * interface.
 *
 * Capture: immediate mode (no batching delay), non-blocking, inbound only,
 * snaplen 2048, a 1 MB ring.  The kernel filter is ours (bpf.c) and is
 * checked to be attached in the kernel (SO_GET_FILTER) rather than run by
 * libpcap in userland.  PACKET_IGNORE_OUTGOING keeps our own bursts out of
 * the ring altogether (libpcap would drop them in userland, after a wakeup).
 *
 * NA source address: the VIP itself, as Linux sends its own NAs (solicited
 * and unsolicited).  A link-local source would be valid too, but some
 * receivers (ndisc6) only take an NA for a global target from that target.
 *
 * Injection: one libnet LIBNET_LINK context, reused with
 * libnet_clear_packet() between frames; the Ethernet source is our cached
 * MAC (libnet_autobuild_ethernet would open a socket per frame to read it).
 * libnet's own packet socket listens to ETH_P_ALL on every interface and
 * is never read: we replace it with a send-only one (see inject_open).
 */
#include "config.h"

#include <pcap/pcap.h>

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <libnet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

#define L2_SNAPLEN    2048
#define L2_RING_BYTES (1 << 20)
#define L2_SNDBUF     (1 << 20)

/* NA flags in host order: libnet converts them. */
#define ND_NA_FLAG_S 0x40000000u
#define ND_NA_FLAG_O 0x20000000u

struct l2_port {
	char name[IFNAMSIZ];
	pcap_t *pcap;
	int fd;
	libnet_t *ln;
	uint8_t mac[NET_MAC_LEN];
	struct l2_counters c;
	struct sock_filter prog[BPF_MAX_INSNS];
	/* During l2_port_dispatch only. */
	l2_frame_cb cb;
	void *cb_arg;
};

static const uint8_t mac_bcast[NET_MAC_LEN] = {0xff, 0xff, 0xff,
                                               0xff, 0xff, 0xff};
static const uint8_t mac_zero[NET_MAC_LEN];
static const uint8_t ip6_all_nodes[16] = {0xff, 2, [15] = 1};

/* Close-on-exec and non-blocking, on an fd libpcap opened. */
static int
fd_set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl == -1 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -1;
	fl = fcntl(fd, F_GETFL);
	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

/* The MAC, from the interface's AF_PACKET entry. */
static int
if_read(struct l2_port *p)
{
	struct ifaddrs *ifa0, *ifa;
	bool found = false;

	if (getifaddrs(&ifa0) == -1)
		return -1;
	for (ifa = ifa0; ifa != NULL; ifa = ifa->ifa_next) {
		const struct sockaddr_ll *sll;

		if (ifa->ifa_addr == NULL || strcmp(ifa->ifa_name, p->name) ||
		    ifa->ifa_addr->sa_family != AF_PACKET)
			continue;
		sll = (const struct sockaddr_ll *)(void *)ifa->ifa_addr;
		if (sll->sll_halen != NET_MAC_LEN)
			continue;
		memcpy(p->mac, sll->sll_addr, NET_MAC_LEN);
		found = true;
	}
	freeifaddrs(ifa0);
	if (!found) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

int
l2_port_refresh(struct l2_port *p)
{
	return if_read(p);
}

/* Install prog; fail unless the kernel itself runs it. */
static int
install_filter(struct l2_port *p, int n)
{
	struct bpf_program bp = {(u_int)n, (struct bpf_insn *)(void *)p->prog};
	socklen_t len = 0;

	if (pcap_setfilter(p->pcap, &bp) != 0) {
		errno = EINVAL;
		return -1;
	}
	/* With no buffer, SO_GET_FILTER reports the attached length. */
	if (getsockopt(p->fd, SOL_SOCKET, SO_GET_FILTER, NULL, &len) == -1)
		return -1;
	if (len != (socklen_t)n) {
		errno = EIO; /* libpcap fell back to filtering in userland */
		return -1;
	}
	return 0;
}

/*
 * The kernel charges a filter's eBPF translation to the socket's option
 * memory (net.core.optmem_max); try the program on a throwaway socket so
 * that a refusal becomes our fallback instead of libpcap's silent switch
 * to filtering in userland.
 */
static int
kernel_takes(const struct sock_filter *prog, int n)
{
	struct sock_fprog fp = {(unsigned short)n, (struct sock_filter *)prog};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r, saved;

	if (fd == -1)
		return -1;
	r = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int
l2_port_set_vips(struct l2_port *p, const struct net_addr *vips, size_t n,
                 bool *fallback)
{
	int cnt = bpf_filter_build(vips, n, p->prog, BPF_MAX_INSNS);
	bool fb = false;

	if (cnt >= 0 && kernel_takes(p->prog, cnt) == -1) {
		if (errno != ENOMEM)
			return -1;
		cnt = -1;
		errno = E2BIG;
	}
	if (cnt == -1 && errno == E2BIG) {
		cnt = bpf_filter_build_any(p->prog, BPF_MAX_INSNS);
		fb = true;
	}
	if (cnt == -1)
		return -1;
	if (install_filter(p, cnt) == -1) {
		/* The capture socket had less option memory to spare. */
		if (fb || errno != EIO)
			return -1;
		cnt = bpf_filter_build_any(p->prog, BPF_MAX_INSNS);
		fb = true;
		if (cnt == -1 || install_filter(p, cnt) == -1)
			return -1;
	}
	if (fallback != NULL)
		*fallback = fb;
	return 0;
}

static int
capture_open(struct l2_port *p, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int one = 1, rc;

	p->pcap = pcap_create(p->name, ebuf);
	if (p->pcap == NULL) {
		snprintf(err, errlen, "pcap_create %s: %s", p->name, ebuf);
		return -1;
	}
	if (pcap_set_snaplen(p->pcap, L2_SNAPLEN) != 0 ||
	    pcap_set_immediate_mode(p->pcap, 1) != 0 ||
	    pcap_set_buffer_size(p->pcap, L2_RING_BYTES) != 0 ||
	    pcap_set_promisc(p->pcap, 0) != 0) {
		snprintf(err, errlen, "pcap options on %s", p->name);
		return -1;
	}
	rc = pcap_activate(p->pcap);
	if (rc == PCAP_ERROR_PERM_DENIED) {
		snprintf(err, errlen, "capture on %s needs CAP_NET_RAW (%s)",
		         p->name, pcap_geterr(p->pcap));
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "pcap_activate %s: %s", p->name,
		         pcap_geterr(p->pcap));
		return -1;
	}
	if (pcap_datalink(p->pcap) != DLT_EN10MB) {
		snprintf(err, errlen, "%s is not an Ethernet interface",
		         p->name);
		return -1;
	}
	if (pcap_setnonblock(p->pcap, 1, ebuf) != 0 ||
	    pcap_setdirection(p->pcap, PCAP_D_IN) != 0) {
		snprintf(err, errlen, "pcap non-blocking/direction on %s: %s",
		         p->name, pcap_geterr(p->pcap));
		return -1;
	}
	p->fd = pcap_get_selectable_fd(p->pcap);
	if (p->fd < 0 || fd_set_flags(p->fd) == -1) {
		snprintf(err, errlen, "pcap fd on %s", p->name);
		return -1;
	}
	/* Linux >= 4.20; older kernels only cost a wakeup per own frame. */
	(void)setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	                 sizeof(one));
	if (l2_port_set_vips(p, NULL, 0, NULL) == -1) {
		snprintf(err, errlen, "initial filter on %s: %s", p->name,
		         strerror(errno));
		return -1;
	}
	return 0;
}

static int
inject_open(struct l2_port *p, char *err, size_t errlen)
{
	char ebuf[LIBNET_ERRBUF_SIZE] = "";
	int fd, nfd, sz = L2_SNDBUF;
	const char *dev;

	p->ln = libnet_init(LIBNET_LINK, p->name, ebuf);
	if (p->ln == NULL && errno == EPERM) {
		snprintf(err, errlen, "injection on %s needs CAP_NET_RAW (%s)",
		         p->name, ebuf);
		return -1;
	}
	if (p->ln == NULL) {
		snprintf(err, errlen, "libnet_init %s: %s", p->name, ebuf);
		return -1;
	}
	dev = libnet_getdevice(p->ln);
	fd = libnet_getfd(p->ln);
	if (dev == NULL || strcmp(dev, p->name) != 0 || fd < 0) {
		snprintf(err, errlen, "libnet on %s: unexpected device or fd",
		         p->name);
		return -1;
	}
	/*
	 * libnet's socket is hooked to every frame of every interface
	 * (ETH_P_ALL) and never read.  Put a send-only packet socket
	 * (protocol 0: never hooked) at the same descriptor; libnet names
	 * the interface in each sendto().
	 */
	nfd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (nfd == -1 || dup3(nfd, fd, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "send socket for %s: %s", p->name,
		         strerror(errno));
		if (nfd != -1)
			close(nfd);
		return -1;
	}
	close(nfd);
	/* Room for a takeover burst queued behind a slow NIC. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return 0;
}

struct l2_port *
l2_port_new(const char *ifname, char *err, size_t errlen)
{
	struct l2_port *p;
	int saved;

	if (ifname == NULL || strlen(ifname) >= IFNAMSIZ || !*ifname) {
		snprintf(err, errlen, "bad interface name");
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->fd = -1;
	memcpy(p->name, ifname, strlen(ifname) + 1);
	if (if_read(p) == -1) {
		snprintf(err, errlen, "%s: %s", ifname, strerror(errno));
		goto fail;
	}
	if (capture_open(p, err, errlen) == -1 ||
	    inject_open(p, err, errlen) == -1)
		goto fail;
	return p;
fail:
	saved = errno ? errno : ENODEV;
	l2_port_free(p);
	errno = saved;
	return NULL;
}

void
l2_port_free(struct l2_port *p)
{
	if (p == NULL)
		return;
	if (p->pcap != NULL)
		pcap_close(p->pcap);
	if (p->ln != NULL)
		libnet_destroy(p->ln);
	free(p);
}

int
l2_port_fd(const struct l2_port *p)
{
	return p->fd;
}

const uint8_t *
l2_port_mac(const struct l2_port *p)
{
	return p->mac;
}

const struct l2_counters *
l2_port_counters(const struct l2_port *p)
{
	return &p->c;
}

static void
on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct l2_port *p = (struct l2_port *)(void *)user;
	struct frame_info fi;
	enum frame_err e;

	p->c.rx_frames++;
	/* A frame cut by the snaplen is over FRAME_MAX_LEN anyway. */
	if (h->len > FRAME_MAX_LEN || h->caplen < h->len)
		e = FRAME_ERR_OVERSIZE;
	else
		e = frame_decode(bytes, h->caplen, &fi);
	if (e != FRAME_OK) {
		p->c.rx_bad[e]++;
		return;
	}
	if (p->cb != NULL)
		p->cb(&fi, p->cb_arg);
}

int
l2_port_dispatch(struct l2_port *p, unsigned max_frames, l2_frame_cb cb,
                 void *arg)
{
	struct pcap_stat ps;
	int n;

	p->cb = cb;
	p->cb_arg = arg;
	n = pcap_dispatch(p->pcap, max_frames ? (int)max_frames : -1, on_frame,
	                  (u_char *)(void *)p);
	p->cb = NULL;
	p->cb_arg = NULL;
	if (pcap_stats(p->pcap, &ps) == 0)
		p->c.rx_dropped = ps.ps_drop; /* libpcap keeps the total */
	if (n < 0) {
		errno = n == PCAP_ERROR_BREAK ? EINTR : EIO;
		return -1;
	}
	return n;
}

/* Write the packet built in the libnet context; count the outcome. */
static int
tx(struct l2_port *p)
{
	int saved;

	if (libnet_write(p->ln) >= 0) {
		p->c.tx_frames++;
		return 0;
	}
	saved = errno ? errno : EIO;
	p->c.tx_errors++;
	errno = saved;
	return -1;
}

static int
tx_fail(struct l2_port *p)
{
	p->c.tx_errors++;
	errno = ENOMEM; /* libnet only fails to build on allocation */
	return -1;
}

static int
send_arp(struct l2_port *p, uint16_t op, const uint8_t *eth_dst,
         const uint8_t *spa, const uint8_t *tha, const uint8_t *tpa)
{
	libnet_clear_packet(p->ln);
	if (libnet_build_arp(ARPHRD_ETHER, ETHERTYPE_IP, NET_MAC_LEN, 4, op,
	                     p->mac, spa, tha, tpa, NULL, 0, p->ln, 0) == -1 ||
	    libnet_build_ethernet(eth_dst, p->mac, ETHERTYPE_ARP, NULL, 0,
	                          p->ln, 0) == -1)
		return tx_fail(p);
	errno = 0;
	return tx(p);
}

/* 33:33 + the low 32 bits of the IPv6 multicast group (RFC 2464 7). */
static void
mac_of_group(const uint8_t *group, uint8_t *mac)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

struct ndp_out {
	uint8_t type; /* ND_NEIGHBOR_SOLICIT / ND_NEIGHBOR_ADVERT */
	uint32_t flags;
	const uint8_t *src, *dst, *target;
	const uint8_t *eth_dst;
	bool lladdr_opt; /* SLLA for NS, TLLA for NA, carrying our MAC */
};

static int
send_ndp(struct l2_port *p, const struct ndp_out *o)
{
	struct libnet_in6_addr src, dst, tgt;
	uint32_t len = LIBNET_ICMPV6_NDP_NSOL_H;
	int r;

	memcpy(&src, o->src, 16);
	memcpy(&dst, o->dst, 16);
	memcpy(&tgt, o->target, 16);
	libnet_clear_packet(p->ln);
	if (o->lladdr_opt) {
		uint8_t t = o->type == ND_NEIGHBOR_SOLICIT
		                ? ND_OPT_SOURCE_LINKADDR
		                : ND_OPT_TARGET_LINKADDR;

		if (libnet_build_icmpv6_ndp_opt(t, p->mac, NET_MAC_LEN, p->ln,
		                                0) == -1)
			return tx_fail(p);
		len += 8;
	}
	if (o->type == ND_NEIGHBOR_SOLICIT)
		r = libnet_build_icmpv6_ndp_nsol(o->type, 0, 0, tgt, NULL, 0,
		                                 p->ln, 0);
	else
		r = libnet_build_icmpv6_ndp_nadv(o->type, 0, 0, o->flags, tgt,
		                                 NULL, 0, p->ln, 0);
	if (r == -1 ||
	    libnet_build_ipv6(0, 0, (uint16_t)len, IPPROTO_ICMPV6, 255, src,
	                      dst, NULL, 0, p->ln, 0) == -1 ||
	    libnet_build_ethernet(o->eth_dst, p->mac, ETHERTYPE_IPV6, NULL, 0,
	                          p->ln, 0) == -1)
		return tx_fail(p);
	errno = 0;
	return tx(p);
}

int
l2_port_announce(struct l2_port *p, const struct net_addr *vip)
{
	uint8_t eth[NET_MAC_LEN];
	struct ndp_out o;

	if (vip->family == AF_INET) {
		/* RFC 5227 2.3 announcement (request) and the reply form:
		 * Linux updates an existing entry from either; the reply's
		 * target MAC is ours, as in Linux's own arp_send replies. */
		if (send_arp(p, ARPOP_REQUEST, mac_bcast, vip->a, mac_zero,
		             vip->a) == -1 ||
		    send_arp(p, ARPOP_REPLY, mac_bcast, vip->a, p->mac,
		             vip->a) == -1)
			return -1;
		return 2;
	}
	if (vip->family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	mac_of_group(ip6_all_nodes, eth);
	o = (struct ndp_out){.type = ND_NEIGHBOR_ADVERT,
	                     .flags = ND_NA_FLAG_O,
	                     .src = vip->a,
	                     .dst = ip6_all_nodes,
	                     .target = vip->a,
	                     .eth_dst = eth,
	                     .lladdr_opt = true};
	return send_ndp(p, &o) == -1 ? -1 : 1;
}

static int
reply_ndp(struct l2_port *p, const struct net_addr *vip,
          const struct frame_info *req)
{
	uint8_t eth[NET_MAC_LEN];
	struct ndp_out o = {.type = ND_NEIGHBOR_ADVERT,
	                    .flags = ND_NA_FLAG_S | ND_NA_FLAG_O,
	                    .src = vip->a,
	                    .dst = req->sender.a,
	                    .target = vip->a,
	                    .eth_dst = req->mac,
	                    .lladdr_opt = true};

	if (req->probe) {
		/* RFC 4861 7.2.4: answer DAD at all-nodes, not solicited. */
		mac_of_group(ip6_all_nodes, eth);
		o.flags = ND_NA_FLAG_O;
		o.dst = ip6_all_nodes;
		o.eth_dst = eth;
	}
	return send_ndp(p, &o);
}

int
l2_port_reply(struct l2_port *p, const struct net_addr *vip,
              const struct frame_info *req)
{
	if (!net_addr_eq(vip, &req->target)) {
		errno = EINVAL;
		return -1;
	}
	switch (req->kind) {
	case FRAME_ARP_REQUEST:
		/* Like Linux: unicast to the sender hardware address, target
		 * IP = the sender IP (0.0.0.0 when answering a probe). */
		return send_arp(p, ARPOP_REPLY, req->mac, vip->a, req->mac,
		                req->sender.a);
	case FRAME_NDP_NS:
		return reply_ndp(p, vip, req);
	default:
		errno = EINVAL;
		return -1;
	}
}

int
l2_port_probe(struct l2_port *p, const struct net_addr *vip)
{
	static const uint8_t any4[4], any6[16];
	uint8_t group[16] = {0xff, 2, [11] = 1, [12] = 0xff};
	uint8_t eth[NET_MAC_LEN];
	struct ndp_out o;

	if (vip->family == AF_INET)
		return send_arp(p, ARPOP_REQUEST, mac_bcast, any4, mac_zero,
		                vip->a);
	if (vip->family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* Solicited-node group ff02::1:ffXX:XXXX of the VIP. */
	memcpy(group + 13, vip->a + 13, 3);
	mac_of_group(group, eth);
	o = (struct ndp_out){.type = ND_NEIGHBOR_SOLICIT,
	                     .src = any6,
	                     .dst = group,
	                     .target = vip->a,
	                     .eth_dst = eth};
	return send_ndp(p, &o);
}
