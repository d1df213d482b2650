/*
 * The peer UDP socket: one socket for heartbeats over IPv4 and IPv6
 * (dual-stack unless bound to an address), ICMP errors through the error
 * queue (IP_RECVERR), optional multicast, DSCP CS6.
 *
 * With IP_RECVERR an ICMP error also sets the socket's pending error
 * (sk_err), even on an unconnected socket.  The next recvmsg() or sendmsg()
 * then fails once with that errno (ECONNREFUSED ...) and clears it; the
 * datagram of that sendmsg() is not sent.  The error itself stays in the
 * error queue for udp_sock_read_error().  So udp_sock_recv() skips such
 * errors and udp_sock_send() retries once after one.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

/* Where the heartbeat socket's descriptor goes (see fd_move_high). */
#define UDP_HIGH_FD 1000

/* linux/in6.h has it since 4.20; glibc's netinet/in.h may not. */
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

/* DSCP CS6 (network control) in the TOS / traffic class byte. */
#define UDP_TOS_CS6 0xc0

/* Bound on the pending errors udp_sock_recv skips in one call. */
#define UDP_MAX_ASYNC_ERRORS 8

struct udp_sock {
	int fd;
	int family;
	/* Bound to the wildcard because of multicast, but sending from
	 * this address (IP_PKTINFO / IPV6_PKTINFO). */
	struct net_addr src;
};

/* errnos an ICMP error (or a local IP_RECVERR error) leaves in sk_err. */
static bool
async_error(int e)
{
	switch (e) {
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENONET:
	case ENOPROTOOPT:
	case EPROTO:
	case EMSGSIZE:
	case EACCES:
	case EOPNOTSUPP:
		return true;
	default:
		return false;
	}
}

static void
to_sockaddr(int family, const struct net_addr *a, uint16_t port,
            struct sockaddr_storage *ss, socklen_t *sl)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (a != NULL && a->family == AF_INET)
			memcpy(&sin->sin_addr, a->a, 4);
		*sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (a != NULL && a->family == AF_INET6) {
			memcpy(&sin6->sin6_addr, a->a, 16);
		} else if (a != NULL && a->family == AF_INET) {
			/* ::ffff:a.b.c.d reaches IPv4 from a dual-stack
			 * socket. */
			sin6->sin6_addr.s6_addr[10] = 0xff;
			sin6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&sin6->sin6_addr.s6_addr[12], a->a, 4);
		}
		*sl = sizeof(*sin6);
	}
}

/* A kernel-made sockaddr into addr (v4-mapped IPv6 becomes IPv4). */
static void
from_sockaddr(const void *sa, size_t len, struct net_addr *addr, uint16_t *port)
{
	const struct sockaddr *s = sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(addr, 0, sizeof(*addr));
	if (port != NULL)
		*port = 0;
	if (len < sizeof(sin))
		return;
	if (s->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		addr->family = AF_INET;
		memcpy(addr->a, &sin.sin_addr, 4);
		if (port != NULL)
			*port = ntohs(sin.sin_port);
	} else if (len >= sizeof(sin6) && s->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
			addr->family = AF_INET;
			memcpy(addr->a, &sin6.sin6_addr.s6_addr[12], 4);
		} else {
			addr->family = AF_INET6;
			memcpy(addr->a, &sin6.sin6_addr, 16);
		}
		if (port != NULL)
			*port = ntohs(sin6.sin6_port);
	}
}

static int
opt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

static int
fail(char *err, size_t errlen, const char *what)
{
	int e = errno;

	snprintf(err, errlen, "udp: %s: %s", what, strerror(e));
	errno = e;
	return -1;
}

static int
mcast_join4(int fd, int family, const struct net_addr *g, int ifindex,
            char *err, size_t errlen)
{
	struct ip_mreqn mr;

	memset(&mr, 0, sizeof(mr));
	memcpy(&mr.imr_multiaddr, g->a, 4);
	mr.imr_ifindex = ifindex;
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) ==
	    -1)
		return fail(err, errlen, "IP_ADD_MEMBERSHIP");
	memset(&mr.imr_multiaddr, 0, sizeof(mr.imr_multiaddr));
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) == -1)
		return fail(err, errlen, "IP_MULTICAST_IF");
	if (opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) == -1 ||
	    opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1) == -1)
		return fail(err, errlen, "IP_MULTICAST_LOOP/TTL");
	/* The kernel asks the IPv6 flag for any AF_INET6 socket, IPv4
	 * traffic included (sk_mc_loop). */
	if (family == AF_INET6 &&
	    opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) == -1)
		return fail(err, errlen, "IPV6_MULTICAST_LOOP");
	return 0;
}

static int
mcast_join6(int fd, const struct net_addr *g, int ifindex, char *err,
            size_t errlen)
{
	struct ipv6_mreq mr;

	memset(&mr, 0, sizeof(mr));
	memcpy(&mr.ipv6mr_multiaddr, g->a, 16);
	mr.ipv6mr_interface = (unsigned)ifindex;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) ==
	    -1)
		return fail(err, errlen, "IPV6_JOIN_GROUP");
	if (opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex) == -1)
		return fail(err, errlen, "IPV6_MULTICAST_IF");
	if (opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) == -1 ||
	    opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1) == -1)
		return fail(err, errlen, "IPV6_MULTICAST_LOOP/HOPS");
	return 0;
}

static int
mcast_join(struct udp_sock *us, const struct net_addr *g, const char *ifname,
           char *err, size_t errlen)
{
	int ifindex = 0;

	if (g->family == AF_INET6 && us->family == AF_INET) {
		snprintf(err, errlen, "udp: IPv6 group on an IPv4 socket");
		errno = EAFNOSUPPORT;
		return -1;
	}
	if ((g->family == AF_INET && (g->a[0] & 0xf0) != 0xe0) ||
	    (g->family == AF_INET6 && g->a[0] != 0xff)) {
		snprintf(err, errlen, "udp: not a multicast group");
		errno = EINVAL;
		return -1;
	}
	if (ifname != NULL && ifname[0] != '\0') {
		ifindex = (int)if_nametoindex(ifname);
		if (ifindex == 0)
			return fail(err, errlen, ifname);
	}
	if (g->family == AF_INET)
		return mcast_join4(us->fd, us->family, g, ifindex, err, errlen);
	return mcast_join6(us->fd, g, ifindex, err, errlen);
}

static int
sock_setup(struct udp_sock *us, bool v6only, char *err, size_t errlen)
{
	int fd = us->fd;

	if (us->family == AF_INET6 &&
	    opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only) == -1)
		return fail(err, errlen, "IPV6_V6ONLY");
	/* The IPv4 options also apply to the IPv4 side of a dual-stack
	 * socket. */
	if (opt(fd, SOL_SOCKET, SO_REUSEADDR, 1) == -1 ||
	    opt(fd, IPPROTO_IP, IP_RECVERR, 1) == -1 ||
	    opt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT) == -1 ||
	    opt(fd, IPPROTO_IP, IP_TOS, UDP_TOS_CS6) == -1 ||
	    opt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0) == -1)
		return fail(err, errlen, "IPv4 socket options");
	if (us->family == AF_INET6 &&
	    (opt(fd, IPPROTO_IPV6, IPV6_RECVERR, 1) == -1 ||
	     opt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DONT) ==
	         -1 ||
	     opt(fd, IPPROTO_IPV6, IPV6_TCLASS, UDP_TOS_CS6) == -1))
		return fail(err, errlen, "IPv6 socket options");
	/* Only our own groups (4.20+; older kernels have no way to say). */
	if (us->family == AF_INET6)
		(void)opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
	return 0;
}

/*
 * When the process dies, the kernel closes its files from the highest
 * descriptor down, and a packet socket's close waits for RCU grace periods
 * (tens of ms).  The heartbeat port must close first, so that peers get
 * ICMP port-unreachable at once: move it above the descriptors the daemon
 * will open later.  On failure the socket simply stays where it is.
 */
static int
fd_move_high(int fd)
{
	struct rlimit rl;
	int target = UDP_HIGH_FD, nfd;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (rlim_t)target >= rl.rlim_cur)
		target = rl.rlim_cur > 64 ? (int)rl.rlim_cur - 16 : fd;
	if (target <= fd || (nfd = fcntl(fd, F_DUPFD_CLOEXEC, target)) == -1)
		return fd;
	close(fd);
	return nfd;
}

/* A non-blocking, close-on-exec UDP socket of family, options not set yet;
 * NULL with the reason in err. */
static struct udp_sock *
sock_open(int family, char *err, size_t errlen)
{
	struct udp_sock *us = calloc(1, sizeof(*us));

	if (us == NULL) {
		fail(err, errlen, "calloc");
		return NULL;
	}
	us->family = family;
	us->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (us->fd == -1) {
		fail(err, errlen, "socket");
		free(us);
		return NULL;
	}
	return us;
}

/* Bind us to addr (NULL: the wildcard) and port; 0, or -1 with err. */
static int
sock_bind(struct udp_sock *us, const struct net_addr *addr, uint16_t port,
          char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	to_sockaddr(us->family, addr, port, &ss, &sl);
	if (bind(us->fd, (struct sockaddr *)&ss, sl) == -1)
		return fail(err, errlen, "bind");
	return 0;
}

struct udp_sock *
udp_sock_new(const struct net_addr *bind_addr, uint16_t port,
             const struct net_addr *mcast, const char *mcast_if, char *err,
             size_t errlen)
{
	bool has_bind = bind_addr != NULL && bind_addr->family != 0;
	bool has_mcast = mcast != NULL && mcast->family != 0;
	struct udp_sock *us;

	us = sock_open(has_bind ? bind_addr->family : AF_INET6, err, errlen);
	if (us == NULL)
		return NULL;
	us->fd = fd_move_high(us->fd);
	if (sock_setup(us, has_bind, err, errlen) == -1 ||
	    (has_mcast && mcast_join(us, mcast, mcast_if, err, errlen) == -1))
		goto fail;
	/* A socket bound to a unicast address never sees datagrams sent to
	 * the group: bind the wildcard and send from the address. */
	if (has_bind && has_mcast)
		us->src = *bind_addr;
	if (sock_bind(us, has_mcast ? NULL : bind_addr, port, err, errlen) ==
	    -1)
		goto fail;
	return us;
fail:
	udp_sock_free(us);
	return NULL;
}

struct udp_sock *
udp_sock_new_tx(const struct net_addr *bind_addr, int family, char *err,
                size_t errlen)
{
	bool has_bind = bind_addr != NULL && bind_addr->family != 0;
	struct udp_sock *us;

	if (has_bind && bind_addr->family != family) {
		errno = EAFNOSUPPORT;
		fail(err, errlen, "peer socket");
		return NULL;
	}
	if ((us = sock_open(family, err, errlen)) == NULL)
		return NULL;
	if (sock_setup(us, true, err, errlen) == -1)
		goto fail;
	/* An ephemeral port, from the configured address if there is one. */
	if (sock_bind(us, has_bind ? bind_addr : NULL, 0, err, errlen) == -1)
		goto fail;
	return us;
fail:
	udp_sock_free(us);
	return NULL;
}

void
udp_sock_free(struct udp_sock *us)
{
	int e = errno;

	if (us == NULL)
		return;
	close(us->fd);
	free(us);
	errno = e;
}

int
udp_sock_fd(const struct udp_sock *us)
{
	return us->fd;
}

/* The IP_PKTINFO / IPV6_PKTINFO that picks our source address. */
static void
put_pktinfo(const struct udp_sock *us, struct msghdr *msg, void *ctl,
            size_t ctllen)
{
	struct cmsghdr *cm;

	memset(ctl, 0, ctllen);
	msg->msg_control = ctl;
	msg->msg_controllen = ctllen;
	cm = CMSG_FIRSTHDR(msg);
	if (us->family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi_spec_dst, us->src.a, 4);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi6_addr, us->src.a, 16);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi));
	}
}

int
udp_sock_send(struct udp_sock *us, const struct net_addr *dst, uint16_t port,
              const void *buf, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct sockaddr_storage ss;
	struct msghdr msg;
	socklen_t sl;
	int tries = 0;

	if ((dst->family != AF_INET && dst->family != AF_INET6) ||
	    (us->family == AF_INET && dst->family != AF_INET)) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	to_sockaddr(us->family, dst, port, &ss, &sl);
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &ss;
	msg.msg_namelen = sl;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (us->src.family != 0)
		put_pktinfo(us, &msg, &ctl, sizeof(ctl));
	for (;;) {
		if (sendmsg(us->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		/* A pending ICMP error consumed this call: send again. */
		if (tries++ == 0 && async_error(errno))
			continue;
		return -1;
	}
}

ssize_t
udp_sock_recv(struct udp_sock *us, void *buf, size_t cap, struct net_addr *src,
              uint16_t *sport, bool *truncated)
{
	struct sockaddr_storage ss;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr msg;
	ssize_t n;
	int skipped = 0;

	while (skipped < UDP_MAX_ASYNC_ERRORS) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &ss;
		msg.msg_namelen = sizeof(ss);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		n = recvmsg(us->fd, &msg, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		/* sk_err of an ICMP error: the error queue still has it. */
		if (n == -1 && async_error(errno)) {
			skipped++;
			continue;
		}
		if (n == -1)
			return -1;
		if (src != NULL || sport != NULL) {
			struct net_addr tmp;

			from_sockaddr(&ss, msg.msg_namelen,
			              src != NULL ? src : &tmp, sport);
		}
		if (truncated != NULL)
			*truncated = (msg.msg_flags & MSG_TRUNC) != 0;
		return n;
	}
	errno = EAGAIN;
	return -1;
}

/* The sock_extended_err of an IP_RECVERR / IPV6_RECVERR message. */
static const struct cmsghdr *
find_ee(struct msghdr *msg)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_len < CMSG_LEN(sizeof(struct sock_extended_err)))
			continue;
		if ((cm->cmsg_level == IPPROTO_IP &&
		     cm->cmsg_type == IP_RECVERR) ||
		    (cm->cmsg_level == IPPROTO_IPV6 &&
		     cm->cmsg_type == IPV6_RECVERR))
			return cm;
	}
	return NULL;
}

/* The offender sockaddr that follows ee in cm, into out. */
static void
get_offender(const struct cmsghdr *cm, struct net_addr *out)
{
	size_t have = cm->cmsg_len - CMSG_LEN(sizeof(struct sock_extended_err));
	const uint8_t *p = CMSG_DATA(cm) + sizeof(struct sock_extended_err);

	/* from_sockaddr checks the length against the family. */
	from_sockaddr(p, have, out, NULL);
}

static ssize_t
recv_errqueue(int fd, struct msghdr *msg)
{
	ssize_t n;

	do
		n = recvmsg(fd, msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	return n;
}

int
udp_sock_read_error(struct udp_sock *us, struct net_addr *dst, int *ee_errno,
                    struct net_addr *offender)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
		                    sizeof(struct sockaddr_in6)) +
		         256];
		struct cmsghdr align;
	} ctl;
	struct sock_extended_err ee;
	struct sockaddr_storage ss;
	const struct cmsghdr *cm;
	uint8_t data[64]; /* the start of our datagram; not needed */
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr msg;
	struct net_addr tmp;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &ss;
	msg.msg_namelen = sizeof(ss);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &ctl;
	msg.msg_controllen = sizeof(ctl);
	if (recv_errqueue(us->fd, &msg) == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	cm = find_ee(&msg);
	if (cm == NULL) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
	if (dst != NULL)
		from_sockaddr(&ss, msg.msg_namelen, dst, NULL);
	if (ee_errno != NULL)
		*ee_errno = (int)ee.ee_errno;
	/* A local error (SO_EE_ORIGIN_LOCAL) has no offender. */
	get_offender(cm, offender != NULL ? offender : &tmp);
	return 1;
}
