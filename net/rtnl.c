/*
 * Netlink sockets: the request exchange (ACK, sequence and port id checks,
 * extended ACK messages, a receive timeout) and the monitor socket.  The
 * objects (links, addresses, rules, routes) are in rtnl_obj.c, the message
 * parser in rtnl_parse.c.
 */
#include "config.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "net.h"
#include "rtnl_int.h"

/* A monitor read stops after this many datagrams so that a notification
 * storm cannot starve the event loop; the fd stays readable. */
#define RTNL_MONITOR_MAX_READS 256

/* Groups of the monitor socket.  All are below 32, but joining them one by
 * one with NETLINK_ADD_MEMBERSHIP works for any group number. */
static const unsigned monitor_groups[] = {
    RTNLGRP_LINK,       RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
    RTNLGRP_IPV4_RULE,  RTNLGRP_IPV6_RULE,   RTNLGRP_IPV4_ROUTE,
    RTNLGRP_IPV6_ROUTE,
};

int
rtnl_set_err(struct rtnl *nl, int e, const char *ext)
{
	/* The kernel's EPERM does not say which capability is missing. */
	if (e == EPERM)
		snprintf(nl->err, sizeof(nl->err), "%s: needs CAP_NET_ADMIN",
		         strerror(e));
	else if (ext != NULL && ext[0] != '\0')
		snprintf(nl->err, sizeof(nl->err), "%s (%s)", strerror(e), ext);
	else
		snprintf(nl->err, sizeof(nl->err), "%s", strerror(e));
	errno = e;
	return -1;
}

void
rtnl_clear_err(struct rtnl *nl)
{
	nl->err[0] = '\0';
	errno = 0;
}

static int
open_fail(char *err, size_t errlen, const char *what)
{
	int e = errno;

	snprintf(err, errlen, "netlink: %s: %s", what, strerror(e));
	errno = e;
	return -1;
}

static int
sock_flag(struct mnl_socket *s, int opt)
{
	int one = 1;

	return mnl_socket_setsockopt(s, opt, &one, sizeof(one));
}

static int
open_req(struct rtnl *nl, char *err, size_t errlen)
{
	struct timeval tv = {
	    .tv_sec = RTNL_TIMEOUT_MS / 1000,
	    .tv_usec = (RTNL_TIMEOUT_MS % 1000) * 1000,
	};

	nl->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->req == NULL)
		return open_fail(err, errlen, "socket");
	/* Optional: older kernels just give no message, fuller ACKs, or
	 * unfiltered dumps (which we filter again anyway). */
	(void)sock_flag(nl->req, NETLINK_EXT_ACK);
	(void)sock_flag(nl->req, NETLINK_CAP_ACK);
	(void)sock_flag(nl->req, NETLINK_GET_STRICT_CHK);
	if (setsockopt(mnl_socket_get_fd(nl->req), SOL_SOCKET, SO_RCVTIMEO, &tv,
	               sizeof(tv)) == -1)
		return open_fail(err, errlen, "SO_RCVTIMEO");
	if (mnl_socket_bind(nl->req, 0, MNL_SOCKET_AUTOPID) == -1)
		return open_fail(err, errlen, "bind");
	nl->req_portid = mnl_socket_get_portid(nl->req);
	return 0;
}

static int
open_mon(struct rtnl *nl, char *err, size_t errlen)
{
	int fd, size = RTNL_MONITOR_RCVBUF;
	size_t i;

	nl->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nl->mon == NULL)
		return open_fail(err, errlen, "socket");
	fd = mnl_socket_get_fd(nl->mon);
	/* FORCE goes past net.core.rmem_max when we have CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) ==
	        -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == -1)
		return open_fail(err, errlen, "SO_RCVBUF");
	if (mnl_socket_bind(nl->mon, 0, MNL_SOCKET_AUTOPID) == -1)
		return open_fail(err, errlen, "bind");
	for (i = 0; i < sizeof(monitor_groups) / sizeof(monitor_groups[0]);
	     i++) {
		int g = (int)monitor_groups[i];

		if (mnl_socket_setsockopt(nl->mon, NETLINK_ADD_MEMBERSHIP, &g,
		                          sizeof(g)) == -1)
			return open_fail(err, errlen, "NETLINK_ADD_MEMBERSHIP");
	}
	return 0;
}

struct rtnl *
rtnl_new(char *err, size_t errlen)
{
	struct rtnl *nl;

	nl = calloc(1, sizeof(*nl));
	if (nl == NULL) {
		open_fail(err, errlen, "calloc");
		return NULL;
	}
	if (open_req(nl, err, errlen) == -1 ||
	    open_mon(nl, err, errlen) == -1) {
		int e = errno;

		rtnl_free(nl);
		errno = e;
		return NULL;
	}
	nl->seq = (uint32_t)time(NULL);
	return nl;
}

void
rtnl_free(struct rtnl *nl)
{
	if (nl == NULL)
		return;
	if (nl->req != NULL)
		mnl_socket_close(nl->req);
	if (nl->mon != NULL)
		mnl_socket_close(nl->mon);
	free(nl);
}

int
rtnl_monitor_fd(const struct rtnl *nl)
{
	return mnl_socket_get_fd(nl->mon);
}

const char *
rtnl_error(const struct rtnl *nl)
{
	return nl->err;
}

/*
 * recvmsg that drops datagrams not sent by the kernel (another process may
 * write to our port id) and reports a truncated datagram as ENOSPC.
 */
static ssize_t
rtnl_recv(struct mnl_socket *s, void *buf, size_t cap, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr msg;
	ssize_t n;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &sa;
		msg.msg_namelen = sizeof(sa);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		n = recvmsg(mnl_socket_get_fd(s), &msg, flags);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (msg.msg_flags & MSG_TRUNC) {
			errno = ENOSPC;
			return -1;
		}
		if (msg.msg_namelen == sizeof(sa) &&
		    sa.nl_family == AF_NETLINK && sa.nl_pid == 0)
			return n;
	}
}

struct nlmsghdr *
rtnl_req_start(struct rtnl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(nl->sendbuf, 0, sizeof(nl->sendbuf));
	nlh = mnl_nlmsg_put_header(nl->sendbuf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	/* A dump ends with NLMSG_DONE; everything else gets an ACK. */
	if ((flags & NLM_F_DUMP) != NLM_F_DUMP) /* NLM_F_EXCL is a bit of it */
		nlh->nlmsg_flags |= NLM_F_ACK;
	return nlh;
}

/* The NLMSGERR_ATTR_MSG of an extended ACK, copied into buf, or NULL. */
static const char *
extack_msg(const struct nlmsghdr *nlh, size_t hdrlen, char *buf, size_t len)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    MNL_ALIGN(hdrlen) > mnl_nlmsg_get_payload_len(nlh))
		return NULL;
	rtnl_attr_for_each(attr, nlh, hdrlen)
	{
		if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG ||
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == -1)
			continue;
		snprintf(buf, len, "%s", mnl_attr_get_str(attr));
		return buf;
	}
	return NULL;
}

/* NLMSG_ERROR: 1 for an ACK, -1 with errno for an error. */
static int
rtnl_ack(struct rtnl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh), hdrlen = sizeof(*e);
	char ext[256];

	if (plen < sizeof(*e))
		return rtnl_set_err(nl, EBADMSG, "short NLMSG_ERROR");
	if (e->error == 0)
		return 1;
	/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		hdrlen += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (e->error > 0 || e->error < -4095)
		return rtnl_set_err(nl, EPROTO,
		                    "bad error code in NLMSG_ERROR");
	return rtnl_set_err(nl, -e->error,
	                    extack_msg(nlh, hdrlen, ext, sizeof(ext)));
}

/* NLMSG_DONE: carries the dump's own error code (int) since 2.6. */
static int
rtnl_done(struct rtnl *nl, const struct nlmsghdr *nlh)
{
	int error = 0;
	char ext[256];

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(int));
	if (error < 0 && error >= -4095)
		return rtnl_set_err(
		    nl, -error, extack_msg(nlh, sizeof(int), ext, sizeof(ext)));
	if (nl->dump_intr)
		return rtnl_set_err(nl, EINTR, "dump interrupted by a change");
	return 1;
}

/* Walk one datagram: 1 when the reply is complete, 0 for more, -1. */
static int
rtnl_walk(struct rtnl *nl, int len, uint32_t seq, rtnl_msg_fn fn, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)nl->recvbuf;

	for (; rtnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		/* Late replies to a request that timed out. */
		if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->req_portid)
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			nl->dump_intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
			return rtnl_ack(nl, nlh);
		case NLMSG_DONE:
			return rtnl_done(nl, nlh);
		case NLMSG_OVERRUN:
			return rtnl_set_err(nl, ENOBUFS, "NLMSG_OVERRUN");
		default:
			break;
		}
		if (fn != NULL)
			fn(nlh, arg);
	}
	return 0;
}

int
rtnl_req_run(struct rtnl *nl, struct nlmsghdr *nlh, rtnl_msg_fn fn, void *arg)
{
	ssize_t n;
	int r;

	nl->err[0] = '\0';
	nl->dump_intr = false;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) == -1)
		return rtnl_set_err(nl, errno, "send");
	for (;;) {
		n = rtnl_recv(nl->req, nl->recvbuf, sizeof(nl->recvbuf), 0);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return rtnl_set_err(nl, ETIMEDOUT,
			                    "no reply from the kernel");
		if (n == -1)
			return rtnl_set_err(nl, errno, "recv");
		r = rtnl_walk(nl, (int)n, nlh->nlmsg_seq, fn, arg);
		if (r != 0)
			return r > 0 ? 0 : -1;
	}
}

/* After an overrun the queued notifications are older than the state the
 * caller is about to re-read: throw them away. */
static void
monitor_drain(struct rtnl *nl)
{
	unsigned i;

	for (i = 0; i < 4 * RTNL_MONITOR_MAX_READS; i++)
		if (rtnl_recv(nl->mon, nl->monbuf, sizeof(nl->monbuf),
		              MSG_DONTWAIT) == -1 &&
		    errno != ENOBUFS && errno != ENOSPC)
			break;
}

static int
monitor_walk(struct rtnl *nl, int len, rtnl_event_cb cb, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)nl->monbuf;
	struct rtnl_event ev;
	int count = 0, r;

	for (; rtnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		r = rtnl_msg_parse(nlh, &ev);
		if (r == -1)
			nl->bad_msgs++;
		if (r != 1)
			continue;
		cb(&ev, arg);
		count++;
	}
	return count;
}

int
rtnl_monitor_read(struct rtnl *nl, rtnl_event_cb cb, void *arg)
{
	unsigned i;
	ssize_t n;
	int count = 0;

	for (i = 0; i < RTNL_MONITOR_MAX_READS; i++) {
		n = rtnl_recv(nl->mon, nl->monbuf, sizeof(nl->monbuf),
		              MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* A datagram too big for us is a lost notification too. */
		if (n == -1 && (errno == ENOBUFS || errno == ENOSPC)) {
			monitor_drain(nl);
			errno = ENOBUFS;
			return -1;
		}
		if (n == -1)
			return -1;
		count += monitor_walk(nl, (int)n, cb, arg);
	}
	return count;
}
