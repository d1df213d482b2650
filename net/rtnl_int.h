/*
 * Internal to net/rtnl*.c: the rtnl handle, the request exchange and the
 * message parser shared by dumps, gets and the monitor.  Not part of the
 * module's contract (that is net.h).
 */
#ifndef VIPD_RTNL_INT_H
#define VIPD_RTNL_INT_H

/* Internal to its module: announcer/ sees the module's folder for the public
 * header only.  The module's own sources (and its tests) define
 * VIPD_NET_INTERNAL. */
#ifndef VIPD_NET_INTERNAL
#error "net/rtnl_int.h is internal to its module; include its public header"
#endif

#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>

#include "net.h"

/* Large enough for any dump skb (the kernel caps them at 32 KiB). */
#define RTNL_RECV_SIZE 32768
/* Requests are a header and a few attributes. */
#define RTNL_SEND_SIZE 1024
/* The monitor socket's receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF). */
#define RTNL_MONITOR_RCVBUF (1024 * 1024)
/* A request waits at most this long for each reply datagram. */
#define RTNL_TIMEOUT_MS 1000

struct mnl_socket;

struct rtnl {
	struct mnl_socket *req; /* blocking, SO_RCVTIMEO, extended ACKs */
	struct mnl_socket *mon; /* non-blocking, multicast groups */
	uint32_t req_portid;
	uint32_t seq;
	bool dump_intr;         /* the last dump had NLM_F_DUMP_INTR */
	unsigned long bad_msgs; /* malformed messages skipped */
	char err[320];
	uint8_t sendbuf[RTNL_SEND_SIZE];
	uint8_t recvbuf[RTNL_RECV_SIZE];
	uint8_t monbuf[RTNL_RECV_SIZE];
};

/* Called for each data message of a reply. */
typedef void (*rtnl_msg_fn)(const struct nlmsghdr *nlh, void *arg);

/* A fresh request of type with flags | NLM_F_REQUEST in nl->sendbuf. */
struct nlmsghdr *rtnl_req_start(struct rtnl *nl, uint16_t type, uint16_t flags);

/*
 * Send nlh (with a new sequence number) and read replies until the ACK,
 * the error or NLMSG_DONE.  Data messages go to fn (may be NULL).  Replies
 * of another sequence or port id (late answers to a request that timed
 * out) are skipped.  0, or -1 with errno and nl->err set.
 */
int rtnl_req_run(struct rtnl *nl, struct nlmsghdr *nlh, rtnl_msg_fn fn,
                 void *arg);

/*
 * Whether nlh is a whole message within len bytes.  libmnl's
 * mnl_nlmsg_ok() compares nlmsg_len as an int, so a length of 0xffffffff
 * passes and mnl_nlmsg_next() then loops forever on it.
 */
static inline bool
rtnl_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned)len;
}

/*
 * mnl_attr_for_each bounded by nlmsg_len itself: libmnl rounds it up to
 * the alignment, which runs past the end of an unaligned last message.
 */
#define rtnl_attr_for_each(attr, nlh, offset)                                  \
	for ((attr) = mnl_nlmsg_get_payload_offset((nlh), (offset));           \
	     mnl_attr_ok((attr),                                               \
	                 (int)((const char *)(nlh) + (nlh)->nlmsg_len -        \
	                       (const char *)(attr)));                         \
	     (attr) = mnl_attr_next(attr))

/* Record errno e (and the kernel's message ext, may be NULL) for
 * rtnl_error(); sets errno and returns -1. */
int rtnl_set_err(struct rtnl *nl, int e, const char *ext);
/* Forget the last error (a failure that turned out to be fine). */
void rtnl_clear_err(struct rtnl *nl);

/*
 * Parse one rtnetlink message (nlh->nlmsg_len already checked against the
 * buffer) into ev.  Returns 1 when ev was filled, 0 when the message is of
 * no interest (another type, AF_BRIDGE link info, cloned routes), -1 with
 * errno EBADMSG when it is malformed.  Pure: reads only the message.
 */
int rtnl_msg_parse(const struct nlmsghdr *nlh, struct rtnl_event *ev);

#endif
