/*
 * udpecho: the UDP echo service that vipd's tests, benchmark and demo run
 * on every node.  Each datagram comes back with the node's name appended, so
 * a client probing a VIP sees which node answered.
 *
 *   udpecho [-p PORT] [-n NAME] [-b ADDR]
 *
 * The reply leaves FROM the address the request was sent TO (IP_PKTINFO /
 * IPV6_RECVPKTINFO): a VIP lives on lo or beside the node's own address on
 * eth1, and a reply from the node's own address would be dropped by a
 * connected client socket (and is not what a real service does).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util.h"

/* Largest request echoed; longer ones are dropped (and counted). */
#define ECHO_PAYLOAD_MAX 1500
/* Datagrams handled per socket before polling again, for fairness. */
#define ECHO_BATCH 64

struct echo {
	int fds[2];
	int fams[2];
	int nfds;
	int sigfd;
	char name[TU_NAME_MAX + 1];
	size_t namelen;
	unsigned long long rx, tx, oversize, errors;
};

#define UDPECHO_USAGE "usage: udpecho [-p PORT] [-n NAME] [-b ADDR]\n"

/* Asks for the destination address of every datagram. */
static int
echo_pktinfo_on(int fd, int fam)
{
	int one = 1;

	if (fam == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one,
		                  sizeof(one));
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
	                  sizeof(one));
}

/* Makes the LEN bytes at DATA TX's only control message (its buffer has
 * room for it). */
static void
echo_ctl_put(struct msghdr *tx, int level, int type, const void *data,
             size_t len)
{
	struct cmsghdr *out;

	/* First the length: CMSG_FIRSTHDR is NULL for a shorter buffer. */
	tx->msg_controllen = CMSG_SPACE(len);
	out = CMSG_FIRSTHDR(tx);
	out->cmsg_level = level;
	out->cmsg_type = type;
	out->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(out), data, len);
}

/*
 * Turns the received control data into the control data of the reply: the
 * source is the request's local address.  Leaves the kernel's choice when
 * the request carried none or went to a multicast group.
 */
static void
echo_reply_ctl(struct msghdr *rx, struct msghdr *tx)
{
	struct cmsghdr *c;

	tx->msg_controllen = 0;
	for (c = CMSG_FIRSTHDR(rx); c != NULL; c = CMSG_NXTHDR(rx, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo in, reply;

			memcpy(&in, CMSG_DATA(c), sizeof(in));
			memset(&reply, 0, sizeof(reply));
			/* spec_dst is the local address, also for a request
			 * sent to a broadcast address. */
			reply.ipi_spec_dst = in.ipi_spec_dst;
			echo_ctl_put(tx, IPPROTO_IP, IP_PKTINFO, &reply,
			             sizeof(reply));
			return;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo in6, reply6;

			memcpy(&in6, CMSG_DATA(c), sizeof(in6));
			if (IN6_IS_ADDR_MULTICAST(&in6.ipi6_addr))
				return;
			memset(&reply6, 0, sizeof(reply6));
			reply6.ipi6_addr = in6.ipi6_addr;
			/* A link-local source needs its interface. */
			if (IN6_IS_ADDR_LINKLOCAL(&in6.ipi6_addr))
				reply6.ipi6_ifindex = in6.ipi6_ifindex;
			echo_ctl_put(tx, IPPROTO_IPV6, IPV6_PKTINFO, &reply6,
			             sizeof(reply6));
			return;
		}
	}
}

/* Handles one datagram.  Returns 1 when one was handled, 0 when none was
 * pending, -1 on a socket error (counted, not fatal). */
static int
echo_one(struct echo *e, int fd)
{
	uint8_t buf[ECHO_PAYLOAD_MAX];
	union {
		struct cmsghdr align;
		uint8_t b[256];
	} rxc, txc;
	struct sockaddr_storage peer;
	struct iovec iov[2];
	struct msghdr rx, tx;
	ssize_t n;

	memset(&rx, 0, sizeof(rx));
	iov[0].iov_base = buf;
	iov[0].iov_len = sizeof(buf);
	rx.msg_name = &peer;
	rx.msg_namelen = sizeof(peer);
	rx.msg_iov = iov;
	rx.msg_iovlen = 1;
	rx.msg_control = rxc.b;
	rx.msg_controllen = sizeof(rxc.b);
	n = recvmsg(fd, &rx, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		e->errors++; /* e.g. a pending ICMP error: not fatal */
		return -1;
	}
	e->rx++;
	if (rx.msg_flags & MSG_TRUNC) {
		e->oversize++;
		return 1;
	}
	memset(&tx, 0, sizeof(tx));
	iov[0].iov_len = (size_t)n;
	iov[1].iov_base = e->name;
	iov[1].iov_len = e->namelen;
	tx.msg_name = &peer;
	tx.msg_namelen = rx.msg_namelen;
	tx.msg_iov = iov;
	tx.msg_iovlen = 2;
	tx.msg_control = txc.b;
	tx.msg_controllen = sizeof(txc.b);
	echo_reply_ctl(&rx, &tx);
	if (tx.msg_controllen == 0)
		tx.msg_control = NULL;
	if (sendmsg(fd, &tx, MSG_DONTWAIT) < 0)
		e->errors++; /* full buffer, port 0, no route: drop it */
	else
		e->tx++;
	return 1;
}

static int
echo_loop(struct echo *e)
{
	struct pollfd pfd[3];
	int i, k, sig;

	for (i = 0; i < e->nfds; i++) {
		pfd[i].fd = e->fds[i];
		pfd[i].events = POLLIN;
	}
	pfd[e->nfds].fd = e->sigfd;
	pfd[e->nfds].events = POLLIN;
	for (;;) {
		if (poll(pfd, (nfds_t)e->nfds + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("udpecho: poll");
			return -1;
		}
		for (i = 0; i < e->nfds; i++) {
			if (pfd[i].revents == 0)
				continue;
			for (k = 0; k < ECHO_BATCH; k++)
				if (echo_one(e, e->fds[i]) == 0)
					break;
		}
		if (pfd[e->nfds].revents != 0) {
			sig = tu_signal_read(e->sigfd);
			if (sig != 0)
				return 0;
		}
	}
}

int
main(int argc, char **argv)
{
	struct echo e;
	const char *bind = NULL;
	long port = TU_PORT_DEFAULT;
	int i, rc;

	memset(&e, 0, sizeof(e));
	if (tu_server_args("udpecho", UDPECHO_USAGE, argc, argv, &port, e.name,
	                   &bind) < 0)
		return 2;
	e.namelen = strlen(e.name);
	e.nfds = tu_server_open("udpecho", SOCK_DGRAM, bind, port, e.fds,
	                        e.fams, &e.sigfd);
	if (e.nfds < 0)
		return 1;
	for (i = 0; i < e.nfds; i++) {
		if (echo_pktinfo_on(e.fds[i], e.fams[i]) < 0) {
			perror("udpecho: pktinfo");
			return 1;
		}
	}
	rc = echo_loop(&e);
	for (i = 0; i < e.nfds; i++)
		close(e.fds[i]);
	close(e.sigfd);
	fprintf(stderr,
	        "udpecho: %s: %llu received, %llu replied, %llu oversize, "
	        "%llu errors\n",
	        e.name, e.rx, e.tx, e.oversize, e.errors);
	return rc < 0 ? 1 : 0;
}
