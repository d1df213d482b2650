/*
 * The peer UDP socket in a private network namespace: dual-stack round
 * trips, truncation, ICMP port unreachable through the error queue (and
 * the pending socket error it leaves), DSCP, multicast over a veth pair.
 */
#include "config.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "net.h"
#include "privns.h"
#include "tap.h"
#include "test_net_util.h"

#define PORT_A      47000
#define PORT_B      47001
#define PORT_CLOSED 47009
#define PORT_M      47100
#define PORT_M2     47101

static struct udp_sock *
sock(const char *bind, uint16_t port, const char *group, const char *ifname)
{
	struct net_addr b = {0}, g = {0};
	char err[256];
	struct udp_sock *us;

	if (bind != NULL)
		b = tn_ip(bind);
	if (group != NULL)
		g = tn_ip(group);
	us = udp_sock_new(&b, port, &g, ifname, err, sizeof(err));
	if (us == NULL)
		printf("# udp_sock_new: %s\n", err);
	return us;
}

/* Wait up to 1 s for a datagram and read it into buf. */
static ssize_t
recv_wait(struct udp_sock *us, void *buf, size_t cap, struct net_addr *src,
          uint16_t *sport, bool *trunc)
{
	if (wait_readable(udp_sock_fd(us), 1000) <= 0)
		return -1;
	return udp_sock_recv(us, buf, cap, src, sport, trunc);
}

/* Wait up to 1 s for POLLERR: an ICMP error was queued. */
static bool
err_wait(struct udp_sock *us)
{
	struct pollfd p = {.fd = udp_sock_fd(us), .events = 0};

	return poll(&p, 1, 1000) == 1 && (p.revents & POLLERR);
}

static void
round_trip(struct udp_sock *a, struct udp_sock *b, const char *dst)
{
	struct net_addr d = tn_ip(dst), src;
	char buf[64];
	uint16_t sport = 0;
	bool trunc = true;
	ssize_t n;

	ok(udp_sock_send(a, &d, PORT_B, "hello", 5) == 0, "send to %s", dst);
	n = recv_wait(b, buf, sizeof(buf), &src, &sport, &trunc);
	ok(n == 5 && memcmp(buf, "hello", 5) == 0 && !trunc, "received over %s",
	   dst);
	ok(net_addr_eq(&src, &d), "source is %s (%s)", dst,
	   src.family == AF_INET ? "plain IPv4" : "IPv6");
	is_int(sport, PORT_A, "source port");
}

/* Read one datagram from fd with IP_RECVTOS / IPV6_RECVTCLASS on: its
 * TOS / traffic class, or -1. */
static int
recv_tos(int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int)) * 2];
		struct cmsghdr align;
	} ctl;
	char data[16];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	int v = -1;

	msg.msg_control = &ctl;
	msg.msg_controllen = sizeof(ctl);
	if (wait_readable(fd, 1000) <= 0 || recvmsg(fd, &msg, 0) == -1)
		return -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if ((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TOS) ||
		    (cm->cmsg_level == IPPROTO_IPV6 &&
		     cm->cmsg_type == IPV6_TCLASS)) {
			if (cm->cmsg_type == IP_TOS)
				v = *(unsigned char *)CMSG_DATA(cm);
			else
				memcpy(&v, CMSG_DATA(cm), sizeof(v));
		}
	return v;
}

static void
test_dscp(struct udp_sock *a, struct udp_sock *b)
{
	struct net_addr d4 = tn_ip("127.0.0.1"), d6 = tn_ip("::1");
	int fd = udp_sock_fd(b), one = 1;

	setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof(one));
	udp_sock_send(a, &d4, PORT_B, "t", 1);
	is_int(recv_tos(fd), 0xc0, "IPv4 datagram carries DSCP CS6");
	udp_sock_send(a, &d6, PORT_B, "t", 1);
	is_int(recv_tos(fd), 0xc0, "IPv6 datagram carries DSCP CS6");
}

static void
test_dual_stack(void)
{
	struct udp_sock *a = sock(NULL, PORT_A, NULL, NULL);
	struct udp_sock *b = sock(NULL, PORT_B, NULL, NULL);
	char big[100], buf[10];
	struct net_addr d = tn_ip("127.0.0.1");
	bool trunc = false;
	int tos = 0;
	socklen_t sl = sizeof(tos);

	ok(a != NULL && b != NULL, "two dual-stack sockets");
	if (a == NULL || b == NULL)
		return;
	round_trip(a, b, "127.0.0.1");
	round_trip(a, b, "::1");
	memset(big, 'x', sizeof(big));
	ok(udp_sock_send(a, &d, PORT_B, big, sizeof(big)) == 0, "send 100");
	is_int(recv_wait(b, buf, sizeof(buf), NULL, NULL, &trunc), 10,
	       "read 10 of 100 bytes");
	ok(trunc, "truncation flag set");
	errno = 0;
	ok(udp_sock_recv(b, buf, sizeof(buf), NULL, NULL, NULL) == -1 &&
	       errno == EAGAIN,
	   "empty: EAGAIN");
	test_dscp(a, b);
	ok(getsockopt(udp_sock_fd(a), IPPROTO_IP, IP_TOS, &tos, &sl) == 0 &&
	       tos == 0xc0,
	   "IP_TOS CS6");
	ok(getsockopt(udp_sock_fd(a), IPPROTO_IPV6, IPV6_TCLASS, &tos, &sl) ==
	           0 &&
	       tos == 0xc0,
	   "IPV6_TCLASS CS6");
	udp_sock_free(a);
	udp_sock_free(b);
}

static void
refused(struct udp_sock *a, struct udp_sock *b, const char *dst)
{
	struct net_addr d = tn_ip(dst), got, off;
	int ee = 0;
	char buf[16];

	ok(udp_sock_send(a, &d, PORT_CLOSED, "x", 1) == 0,
	   "send to %s closed port", dst);
	ok(err_wait(a), "POLLERR");
	is_int(udp_sock_read_error(a, &got, &ee, &off), 1, "one error read");
	is_int(ee, ECONNREFUSED, "ECONNREFUSED");
	ok(net_addr_eq(&got, &d), "original destination %s", dst);
	ok(net_addr_eq(&off, &d), "offender %s", dst);
	is_int(udp_sock_read_error(a, &got, &ee, &off), 0, "queue empty");

	/* Unread error: recv must not report it as its own. */
	ok(udp_sock_send(a, &d, PORT_CLOSED, "x", 1) == 0 && err_wait(a),
	   "another ICMP error pending");
	errno = 0;
	ok(udp_sock_recv(a, buf, sizeof(buf), NULL, NULL, NULL) == -1 &&
	       errno == EAGAIN,
	   "udp_sock_recv: EAGAIN, not ECONNREFUSED");
	is_int(udp_sock_read_error(a, &got, &ee, &off), 1,
	       "the error is still queued");

	/* And send goes out despite it. */
	ok(udp_sock_send(a, &d, PORT_CLOSED, "x", 1) == 0 && err_wait(a),
	   "a third ICMP error pending");
	ok(udp_sock_send(a, &d, PORT_B, "y", 1) == 0, "send still works");
	ok(recv_wait(b, buf, sizeof(buf), NULL, NULL, NULL) == 1,
	   "and the datagram arrived");
	while (udp_sock_read_error(a, &got, &ee, &off) == 1)
		;
}

/* What the kernel does without our wrappers (documented in udp.c). */
static void
raw_behaviour(struct udp_sock *a)
{
	struct net_addr d = tn_ip("127.0.0.1"), got;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	char buf[16];
	int ee;

	sin6.sin6_port = htons(PORT_B);
	sin6.sin6_addr = in6addr_loopback;
	udp_sock_send(a, &d, PORT_CLOSED, "x", 1);
	err_wait(a);
	errno = 0;
	ok(recv(udp_sock_fd(a), buf, sizeof(buf), MSG_DONTWAIT) == -1 &&
	       errno == ECONNREFUSED,
	   "raw recv after an ICMP error: ECONNREFUSED");
	udp_sock_send(a, &d, PORT_CLOSED, "x", 1);
	err_wait(a);
	errno = 0;
	ok(sendto(udp_sock_fd(a), "z", 1, 0, (struct sockaddr *)&sin6,
	          sizeof(sin6)) == -1 &&
	       errno == ECONNREFUSED,
	   "raw sendto after an ICMP error: ECONNREFUSED, not sent");
	while (udp_sock_read_error(a, &got, &ee, NULL) == 1)
		;
}

static void
test_errors(void)
{
	struct udp_sock *a = sock(NULL, PORT_A, NULL, NULL);
	struct udp_sock *b = sock(NULL, PORT_B, NULL, NULL);
	struct udp_sock *c;
	struct net_addr d6 = tn_ip("::1");

	ok(a != NULL && b != NULL, "sockets for the error tests");
	if (a == NULL || b == NULL)
		return;
	refused(a, b, "127.0.0.1");
	refused(a, b, "::1");
	raw_behaviour(a);
	udp_sock_free(a);
	udp_sock_free(b);

	c = sock("127.0.0.1", PORT_A, NULL, NULL);
	ok(c != NULL, "socket bound to 127.0.0.1");
	errno = 0;
	ok(c != NULL && udp_sock_send(c, &d6, PORT_B, "x", 1) == -1 &&
	       errno == EAFNOSUPPORT,
	   "IPv4 socket refuses an IPv6 destination");
	udp_sock_free(c);
	ok(sock(NULL, PORT_A, "10.0.0.1", NULL) == NULL,
	   "a unicast group is refused");
	ok(sock(NULL, PORT_A, "239.1.1.1", "vrtnope") == NULL,
	   "an unknown multicast interface is refused");
	ok(sock("127.0.0.1", PORT_A, "ff02::1", "lo") == NULL,
	   "an IPv6 group on an IPv4 socket is refused");
	udp_sock_free(NULL);
}

/* 1 when a datagram is waiting on us within ms (then read), else 0. */
static int
got_one(struct udp_sock *us, int ms)
{
	char buf[16];

	if (wait_readable(udp_sock_fd(us), ms) <= 0)
		return 0;
	return udp_sock_recv(us, buf, sizeof(buf), NULL, NULL, NULL) >= 0;
}

/*
 * s joins group on vrtm0 and sends: with loopback off it gets no copy.
 * Then r joins on vrtm1 (bound to bind_r when given) with the same port
 * and receives s's datagram across the veth.
 */
static void
mcast_case(const char *group, const char *bind_r, const char *unicast_t)
{
	struct udp_sock *s = sock(NULL, PORT_M, group, "vrtm0");
	struct udp_sock *t = sock(NULL, PORT_M2, NULL, NULL);
	struct udp_sock *r = NULL;
	struct net_addr g = tn_ip(group), src, u;
	char buf[16], sa[NET_ADDR_STRLEN];
	int v = -1;
	socklen_t sl = sizeof(v);

	ok(s != NULL && t != NULL, "join %s on vrtm0", group);
	if (s == NULL || t == NULL)
		goto out;
	ok(udp_sock_send(s, &g, PORT_M, "m", 1) == 0, "send to the group");
	is_int(got_one(s, 200), 0, "no looped-back copy");
	if (g.family == AF_INET)
		ok(getsockopt(udp_sock_fd(s), IPPROTO_IP, IP_MULTICAST_TTL, &v,
		              &sl) == 0 &&
		       v == 1,
		   "TTL 1");
	else
		ok(getsockopt(udp_sock_fd(s), IPPROTO_IPV6, IPV6_MULTICAST_HOPS,
		              &v, &sl) == 0 &&
		       v == 1,
		   "hop limit 1");

	r = sock(bind_r, PORT_M, group, "vrtm1");
	ok(r != NULL, "join on vrtm1%s",
	   bind_r ? " with a socket bound to a unicast address" : "");
	if (r == NULL)
		goto out;
	ok(udp_sock_send(s, &g, PORT_M, "m", 1) == 0 &&
	       recv_wait(r, buf, sizeof(buf), &src, NULL, NULL) == 1,
	   "received through the group");
	/* IPv4 memberships are per interface; IPv6 ones are not
	 * (inet6_mc_check), so s takes the copy arriving on vrtm1 too. */
	if (g.family == AF_INET)
		is_int(got_one(s, 200), 0,
		       "the vrtm0 member ignores the copy arriving on vrtm1");
	else
		got_one(s, 200);
	if (bind_r != NULL) {
		u = tn_ip(unicast_t);
		ok(udp_sock_send(r, &u, PORT_M2, "u", 1) == 0 &&
		       recv_wait(t, buf, sizeof(buf), &src, NULL, NULL) == 1,
		   "unicast to %s arrived", unicast_t);
		is_str(net_addr_str(&src, sa, sizeof(sa)), bind_r,
		       "sent from the bind address");
	}
out:
	udp_sock_free(r);
	udp_sock_free(s);
	udp_sock_free(t);
}

static void
test_multicast(void)
{
	if (sh("ip link add vrtm0 type veth peer name vrtm1") != 0 ||
	    sh("sysctl -qw net.ipv6.conf.vrtm0.accept_dad=0 "
	       "net.ipv6.conf.vrtm1.accept_dad=0 "
	       "net.ipv4.conf.all.rp_filter=0 "
	       "net.ipv4.conf.vrtm0.accept_local=1 "
	       "net.ipv4.conf.vrtm1.accept_local=1") != 0 ||
	    sh("ip addr add 10.79.0.1/24 dev vrtm0 && "
	       "ip addr add 10.79.0.2/24 dev vrtm1 && "
	       "ip addr add fd79::1/64 dev vrtm0 nodad && "
	       "ip addr add fd79::2/64 dev vrtm1 nodad && "
	       "ip link set vrtm0 up && ip link set vrtm1 up") != 0) {
		ok(0, "veth pair for multicast");
		return;
	}
	mcast_case("239.77.0.1", NULL, NULL);
	mcast_case("ff02::77:1", NULL, NULL);
	mcast_case("239.77.0.1", "10.79.0.2", "10.79.0.1");
	mcast_case("ff02::77:1", "fd79::2", "fd79::1");
}

int
main(void)
{
	if (privns_enter() == -1)
		return 0;
	test_dual_stack();
	test_errors();
	test_multicast();
	return tap_done();
}
