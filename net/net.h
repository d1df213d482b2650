/*
 * net: vipd's boundary with the kernel.  Logging, the event loop, the peer
 * UDP socket, ARP/NDP frames (pure codec, BPF filter builder, pcap capture
 * and libnet injection), netlink (libmnl) and interface sysctls.
 *
 * Depends on libc, libpcap, libnet and libmnl.  Knows nothing of the config
 * or the election.  Conventions: actions return 0 or -1 with errno set;
 * constructors return NULL on failure (with a reason in a caller buffer
 * where one is taken); _free(NULL) is a no-op; every fd is non-blocking and
 * close-on-exec.
 */
#ifndef VIPD_NET_H
#define VIPD_NET_H

#include <linux/filter.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ----------------------------------------------------------- addresses */

#define NET_MAC_LEN     6
#define NET_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define NET_MAC_STRLEN  18

/* An IPv4 or IPv6 address; IPv4 uses the first 4 bytes of a. */
struct net_addr {
	int family; /* AF_INET, AF_INET6, or 0 = none */
	uint8_t a[16];
};

/* Parse a numeric IPv4/IPv6 address; 0, or -1 with errno EINVAL. */
int net_addr_parse(const char *s, struct net_addr *out);

/* Format addr into buf (NET_ADDR_STRLEN); returns buf. */
const char *net_addr_str(const struct net_addr *addr, char *buf, size_t len);

/* Same family and bytes. */
bool net_addr_eq(const struct net_addr *x, const struct net_addr *y);

/* Length in bytes of the family's address: 4, 16, or 0. */
size_t net_addr_len(const struct net_addr *addr);

/* True when addr lies in prefix/plen (same family). */
bool net_addr_in_prefix(const struct net_addr *addr,
                        const struct net_addr *prefix, unsigned plen);

/* "aa:bb:cc:dd:ee:ff" into buf (NET_MAC_STRLEN); returns buf. */
const char *net_mac_str(const uint8_t mac[NET_MAC_LEN], char *buf, size_t len);

/* ------------------------------------------------------------- logging */

/*
 * Set up logging: to stderr when foreground, else to syslog (daemon
 * facility) under ident.  verbose 0 logs info and up, 1 adds debug.
 * The logger's state is the only mutable global of vipd.
 */
void log_init(bool foreground, int verbose, const char *ident);

/*
 * While a detached daemon starts, also copy every syslog line to stderr
 * (the terminal that started it), so that a start-up error is seen where
 * the command was typed.  No effect in the foreground (stderr already).
 */
void log_tee_stderr(bool on);

/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log at error level and exit(1).  Only main-level code calls these. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* ----------------------------------------------------------- event loop */

/*
 * One thread, one epoll set whose wait ends at the earliest timer, one
 * signalfd.  Time is CLOCK_MONOTONIC milliseconds, read once per iteration
 * (ev_now()); tests may install a fake clock.  Watchers and timers are
 * embedded in their owner and never allocated by the loop; stopping any
 * watcher or timer from any callback, including its own, is safe.
 */
struct ev_loop;
struct ev_io;
struct ev_timer;

typedef void (*ev_io_cb)(struct ev_loop *loop, struct ev_io *io,
                         uint32_t revents, void *arg);
typedef void (*ev_timer_cb)(struct ev_loop *loop, struct ev_timer *t,
                            void *arg);
typedef void (*ev_signal_cb)(struct ev_loop *loop, int signo, void *arg);
typedef uint64_t (*ev_clock_fn)(void *arg);

struct ev_io {
	int fd;
	uint32_t events; /* EPOLLIN | EPOLLOUT ... while started */
	ev_io_cb cb;
	void *arg;
	bool active; /* started; owners may read it, only ev_* writes it */
};

struct ev_timer {
	uint64_t when; /* absolute, ms */
	size_t slot;   /* index in the loop's heap; internal */
	uint64_t gen;  /* loop iteration that armed it; internal */
	ev_timer_cb cb;
	void *arg;
	bool active; /* started; owners may read it, only ev_* writes it */
};

/* New loop; NULL with errno on failure. */
struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *loop);

/* Monotonic milliseconds from the kernel. */
uint64_t ev_clock_monotonic_ms(void);

/* Replace the clock (tests); fn(arg) must never go backwards. */
void ev_loop_set_clock(struct ev_loop *loop, ev_clock_fn fn, void *arg);

/* The time read at the start of this iteration (or by ev_now_update()). */
uint64_t ev_now(const struct ev_loop *loop);
uint64_t ev_now_update(struct ev_loop *loop);

void ev_io_init(struct ev_io *io, int fd, ev_io_cb cb, void *arg);
/* Watch io->fd for events (EPOLLIN, EPOLLOUT); 0 or -1 with errno. */
int ev_io_start(struct ev_loop *loop, struct ev_io *io, uint32_t events);
/* Change the watched events of a started io; 0 or -1 with errno. */
int ev_io_modify(struct ev_loop *loop, struct ev_io *io, uint32_t events);
/* Stop watching; no-op when not started.  Does not close the fd. */
void ev_io_stop(struct ev_loop *loop, struct ev_io *io);

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg);
/* (Re)arm t to fire at absolute time when_ms. */
void ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t when_ms);
/* (Re)arm t to fire delay_ms after ev_now(). */
void ev_timer_start_in(struct ev_loop *loop, struct ev_timer *t,
                       uint64_t delay_ms);
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t);

/* Deliver signo to cb through the signalfd (and block it). 0 or -1. */
int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb cb, void *arg);

/* Run until ev_loop_break(); returns 0, or -1 with errno on epoll error. */
int ev_loop_run(struct ev_loop *loop);
/*
 * One iteration: wait at most max_wait_ms (-1 = until a timer or an fd),
 * dispatch what is ready.  Returns 0 or -1 with errno.
 */
int ev_loop_run_once(struct ev_loop *loop, int max_wait_ms);
void ev_loop_break(struct ev_loop *loop);

typedef void (*ev_stall_cb)(struct ev_loop *loop, uint64_t gap_ms, void *arg);

/*
 * Call cb when a wait returns later than the loop should have woken up (the
 * process was stopped or the VM paused) and the time since the wait began
 * (ev_loop_last_gap(), the loop-to-loop gap) exceeds threshold_ms, before
 * any fd or timer of that iteration is dispatched, so
 * that the owner can distrust what queued up meanwhile.  Long callbacks of
 * our own do not count.  threshold_ms 0 removes the hook.
 */
void ev_loop_set_stall_hook(struct ev_loop *loop, uint64_t threshold_ms,
                            ev_stall_cb cb, void *arg);

/*
 * The last wait's loop-to-loop gap when it returned late (past its earliest
 * timer or the caller's bound): the time from entering the wait to waking,
 * which bounds a pause that began anywhere in the wait; 0 when on time.
 * Time spent in our own callbacks does not count: only waits that the
 * process was not scheduled for (SIGSTOP, a VM pause, a frozen host).
 */
uint64_t ev_loop_last_gap(const struct ev_loop *loop);

/* ------------------------------------------------ one instance per netns */

/*
 * Claim the name (an abstract Unix socket, which the kernel scopes to the
 * caller's network namespace and frees when the process dies, even after
 * SIGKILL).  Returns the listening fd (non-blocking, close-on-exec; close
 * it to give the claim up), or -1 with errno: EADDRINUSE when another
 * process holds it, its pid then in *holder (0 when it cannot be told).
 * The holder should accept and close connections on the fd (they are
 * only pid look-ups).
 */
int nsguard_claim(const char *name, long *holder);

/* ------------------------------------------------------- peer UDP socket */

struct udp_sock;

/*
 * Open the heartbeat socket on port.  bind: local address to bind (NULL or
 * family 0 = all, dual-stack: an AF_INET6 socket with IPV6_V6ONLY off).
 * mcast: group to join and send to (NULL or family 0 = none) on interface
 * mcast_if (NULL or "" = the kernel's choice by route), with loopback off,
 * TTL / hop limit 1 and IP_MULTICAST_ALL off.  With both bind and mcast the
 * socket is bound to the wildcard (a socket bound to a unicast address
 * never receives the group's datagrams) and sends from bind through
 * IP_PKTINFO / IPV6_PKTINFO.  Datagrams carry DSCP CS6.  IP_RECVERR and
 * IPV6_RECVERR are on so that ICMP errors for sent datagrams can be read
 * with udp_sock_read_error().  Returns NULL with a reason in err.
 */
struct udp_sock *udp_sock_new(const struct net_addr *bind, uint16_t port,
                              const struct net_addr *mcast,
                              const char *mcast_if, char *err, size_t errlen);
/*
 * A socket that only sends, to the peers of one address family: bound to
 * bind (family 0: any address) and an ephemeral port, with the options of
 * udp_sock_new (DSCP CS6, IP_RECVERR).  The daemon gives each peer its own,
 * so that one peer's datagrams waiting for a neighbour that never answers
 * (an absent host) fill only that socket's send buffer, and the ICMP
 * errors it reads are that peer's alone.  NULL with a reason in err
 * (EAFNOSUPPORT when bind is of another family).
 */
struct udp_sock *udp_sock_new_tx(const struct net_addr *bind, int family,
                                 char *err, size_t errlen);
void udp_sock_free(struct udp_sock *us);
int udp_sock_fd(const struct udp_sock *us);

/*
 * Send one datagram (IPv4 destinations go v4-mapped on a dual-stack
 * socket); 0 or -1 with errno (EAGAIN when the buffer is full, EAFNOSUPPORT
 * for an IPv6 destination on an IPv4 socket).  An ICMP error still pending
 * on the socket makes the kernel fail one send with it without sending;
 * that send is retried once, so the error is only in udp_sock_read_error().
 */
int udp_sock_send(struct udp_sock *us, const struct net_addr *dst,
                  uint16_t port, const void *buf, size_t len);

/*
 * Receive one datagram.  Returns its length (the bytes copied; truncated
 * datagrams are reported with *truncated), or -1 with errno (EAGAIN:
 * nothing left).  src is reported as plain IPv4 when it arrived v4-mapped.
 * src, sport and truncated may be NULL.  The pending ICMP error that the
 * kernel would return here instead (ECONNREFUSED ...) is skipped: it stays
 * in the error queue for udp_sock_read_error().
 */
ssize_t udp_sock_recv(struct udp_sock *us, void *buf, size_t cap,
                      struct net_addr *src, uint16_t *sport, bool *truncated);

/*
 * Read one queued ICMP error (MSG_ERRQUEUE; the fd reports EPOLLERR while
 * one is queued): dst (the address we had sent to), the errno the kernel
 * reports (ECONNREFUSED for port unreachable, EHOSTUNREACH ...) and the
 * address of the node that sent the ICMP (family 0 for a local error).
 * Any of the three may be NULL.  Returns 1 when one was read, 0 when the
 * queue is empty, -1 with errno on failure.
 */
int udp_sock_read_error(struct udp_sock *us, struct net_addr *dst,
                        int *ee_errno, struct net_addr *offender);

/* ------------------------------------------------- ARP/NDP frame codec */

enum frame_kind {
	FRAME_ARP_REQUEST = 1,
	FRAME_ARP_REPLY,
	FRAME_NDP_NS, /* neighbour solicitation */
	FRAME_NDP_NA, /* neighbour advertisement */
};

enum frame_err {
	FRAME_OK = 0,
	FRAME_ERR_TRUNCATED,  /* shorter than its headers say */
	FRAME_ERR_OVERSIZE,   /* longer than any ARP/NDP frame can be */
	FRAME_ERR_ETHERTYPE,  /* neither ARP nor IPv6 */
	FRAME_ERR_ARP_FORMAT, /* htype/ptype/hlen/plen not Ethernet/IPv4 */
	FRAME_ERR_ARP_OP,     /* not request or reply */
	FRAME_ERR_IP6_HEADER, /* bad version, payload length */
	FRAME_ERR_NOT_NDP,    /* IPv6 but not ICMPv6 NS/NA */
	FRAME_ERR_HOP_LIMIT,  /* NDP with hop limit != 255 (RFC 4861) */
	FRAME_ERR_CHECKSUM,   /* ICMPv6 checksum wrong */
	FRAME_ERR_OPTION,     /* NDP option of length 0 or past the end */
	FRAME_ERR_ADDRESS,    /* multicast target, bad source ... */
	FRAME_ERR_MAX
};

/* "truncated", "oversize", ... (stable: metric labels); "unknown" when
 * e is out of range. */
const char *frame_err_name(enum frame_err e);

struct frame_info {
	enum frame_kind kind;
	uint8_t eth_src[NET_MAC_LEN];
	uint8_t eth_dst[NET_MAC_LEN];
	/*
	 * The link-layer address the frame speaks for: ARP sender hardware
	 * address; NS source link-layer option; NA target link-layer option;
	 * the Ethernet source when the option is absent.
	 */
	uint8_t mac[NET_MAC_LEN];
	bool has_lladdr_opt;     /* NDP: the option was present */
	struct net_addr sender;  /* ARP sender IP; IPv6 source address */
	struct net_addr target;  /* ARP target IP; NDP target address */
	struct net_addr ip6_dst; /* IPv6 destination (NDP only) */
	bool probe;              /* ARP sender 0.0.0.0 or NS from :: (DAD) */
	bool gratuitous;         /* ARP sender IP == target IP (announcement) */
	bool na_router, na_solicited, na_override;
};

/*
 * Decode one captured Ethernet II (untagged) frame.  Pure: reads only
 * buf[0..len), every field bounds-checked, values copied out.  Returns
 * FRAME_OK and fills out, or the reason the frame is unusable (out is then
 * zero but for eth_src/eth_dst when the Ethernet header was there).
 *
 * Checked as a Linux host checks them:
 *   ARP: htype 1, ptype 0x0800, hlen 6, plen 4, op 1/2, at least 42 bytes
 *   (longer is padding); a multicast sender MAC, multicast or broadcast
 *   sender/target IP is FRAME_ERR_ADDRESS.
 *   NDP: IPv6 version 6, payload length within the frame (bytes past it
 *   are padding), next header 58 directly, type 135/136 code 0, payload of
 *   at least 24 bytes, hop limit 255, ICMPv6 checksum, every option of
 *   non-zero length inside the message; multicast target or source, a DAD
 *   NS not sent to the target's solicited-node group or carrying a source
 *   link-layer option, a solicited NA to a multicast group are rejected.
 */
enum frame_err frame_decode(const uint8_t *buf, size_t len,
                            struct frame_info *out);

/* Largest frame we accept (untagged Ethernet, no FCS). */
#define FRAME_MAX_LEN 1514

/* --------------------------------------------------------- BPF filter */

#define BPF_MAX_INSNS 4096 /* BPF_MAXINSNS of the kernel */

/*
 * Build a classic BPF program that accepts only ARP frames whose sender or
 * target IP is one of vips, and ICMPv6 NS/NA (next header 58, no extension
 * header) whose target is one of vips.  Duplicates and entries of other
 * families are ignored; no VIP at all gives a program that accepts
 * nothing.  Accepted frames are captured whole.  Returns the number of
 * instructions written to prog, or -1 with errno E2BIG when it needs more
 * than cap or BPF_MAX_INSNS (the caller then falls back), ENOMEM.
 *
 * Sizes: 2 instructions per IPv4 VIP (a run of 3+ consecutive addresses
 * costs 4 in all), about 8 per unrelated IPv6 VIP, 4 when they share a
 * /64, 1 when they share a /96; about 2,000 scattered IPv4 or 500 random
 * IPv6 VIPs fit.  The kernel may refuse a large program for lack of option
 * memory (net.core.optmem_max, 20 KB before Linux 6.9: about 1,200 IPv4
 * VIPs); l2_port_set_vips() handles that.
 */
int bpf_filter_build(const struct net_addr *vips, size_t n,
                     struct sock_filter *prog, size_t cap);

/* Build the fallback: every ARP frame and every ICMPv6 NS/NA.  Returns the
 * instruction count (12), or -1 with errno E2BIG or ENOMEM. */
int bpf_filter_build_any(struct sock_filter *prog, size_t cap);

/* --------------------------------------------- L2 port: capture + inject */

struct l2_port;

struct l2_counters {
	uint64_t rx_frames;             /* frames the filter let through */
	uint64_t rx_bad[FRAME_ERR_MAX]; /* by frame_err; [0] unused */
	uint64_t rx_dropped;            /* kernel drops (pcap_stats) */
	uint64_t tx_frames;
	uint64_t tx_errors;
};

typedef void (*l2_frame_cb)(const struct frame_info *fi, void *arg);

/*
 * Open capture (libpcap: immediate mode, non-blocking, inbound only,
 * snaplen 2048, 1 MB ring; our own frames never enter it) and injection
 * (libnet, link layer) on ifname, which must exist and be up.  The capture
 * starts with a filter that matches nothing until l2_port_set_vips().
 * Returns NULL with a reason in err.  Survives the link going down and up;
 * if the interface is deleted, free the port and make a new one.
 */
struct l2_port *l2_port_new(const char *ifname, char *err, size_t errlen);
void l2_port_free(struct l2_port *p);

/* The capture fd, for the event loop (EPOLLIN). */
int l2_port_fd(const struct l2_port *p);
const uint8_t *l2_port_mac(const struct l2_port *p);

/*
 * Refresh the interface's MAC (after a change reported by netlink).
 * Frames sent afterwards carry the new MAC.  0 or -1 with errno (ENODEV
 * when the interface is gone).
 */
int l2_port_refresh(struct l2_port *p);

/*
 * Install a kernel filter for exactly these VIPs (bpf_filter_build), or the
 * opcode-only fallback when it does not fit in BPF_MAX_INSNS or in the
 * socket's option memory.  Frames already queued under the old filter are
 * filtered again by the new one (libpcap), so none for a removed VIP is
 * delivered afterwards.  Returns 0 (*fallback tells which was installed;
 * may be NULL) or -1 with errno (EIO: the kernel did not take the filter
 * and libpcap filters in userland).
 */
int l2_port_set_vips(struct l2_port *p, const struct net_addr *vips, size_t n,
                     bool *fallback);

/*
 * Read every pending frame (at most max_frames, 0 = no limit), decode it and
 * call cb for the good ones; bad ones are counted by reason.  cb may send
 * (l2_port_reply ...) but must not call l2_port_set_vips or l2_port_free.
 * Returns the number of frames read, or -1 with errno.
 */
int l2_port_dispatch(struct l2_port *p, unsigned max_frames, l2_frame_cb cb,
                     void *arg);

/*
 * Announce vip: IPv4 sends a gratuitous ARP request (target MAC zero) and
 * a gratuitous ARP reply (target MAC ours), both broadcast, sender =
 * target = vip, our MAC: Linux updates an existing entry from either form
 * (tested), other devices differ.  IPv6 sends an unsolicited NA from vip
 * to ff02::1 (33:33:00:00:00:01) with only the override flag and a target
 * link-layer option.  Returns the number of frames sent, or -1 with errno
 * (EAGAIN/ENOBUFS: the device queue is full, try later).
 */
int l2_port_announce(struct l2_port *p, const struct net_addr *vip);

/*
 * Answer req, a request for vip (req->target must equal vip, else EINVAL):
 * an ARP reply from our MAC unicast to the requester's hardware address
 * with target IP = its sender IP (0.0.0.0 for a probe, as Linux does), or
 * a solicited NA from vip (S and O, target link-layer option) to the
 * solicitor's address and link-layer address, or to ff02::1 with S clear
 * when the NS came from :: (DAD).  NAs are sent from the VIP, like Linux's
 * own: some tools (ndisc6) ignore an NA for a global target from a
 * link-local source.  0 or -1 with errno.
 */
int l2_port_reply(struct l2_port *p, const struct net_addr *vip,
                  const struct frame_info *req);

/*
 * Probe vip for a conflict (RFC 5227 ARP probe: sender IP 0.0.0.0, target
 * MAC zero, broadcast; RFC 4862 DAD: NS from :: to the solicited-node group
 * and its 33:33:ff:XX:XX:XX MAC, no option).  Answers arrive through
 * l2_port_dispatch while vip is in the filter.  0 or -1 with errno.
 */
int l2_port_probe(struct l2_port *p, const struct net_addr *vip);

const struct l2_counters *l2_port_counters(const struct l2_port *p);

/* --------------------------------------------------- netlink (libmnl) */

/* Protocol number tagging every rule, route and address vipd installs
 * ("proto vipd" once /etc/iproute2/rt_protos.d/vipd.conf is installed). */
#define RTNL_PROTO_VIPD 77

struct rtnl;

struct rtnl_link {
	int ifindex;
	char name[IFNAMSIZ];
	uint8_t mac[NET_MAC_LEN]; /* zero unless a 6-byte hardware address */
	bool admin_up;            /* IFF_UP */
	/* Carrier and operational state: IFF_UP, IFF_RUNNING, IFF_LOWER_UP
	 * and IFLA_OPERSTATE UP or UNKNOWN (lo reports UNKNOWN). */
	bool oper_up;
	unsigned mtu;
	int master; /* ifindex of a bond/bridge master, 0 if none */
};

struct rtnl_addr {
	int ifindex;
	struct net_addr addr;
	uint8_t prefixlen;
	uint8_t scope; /* RT_SCOPE_*; ignored by the kernel for IPv6 */
	uint8_t proto; /* IFA_PROTO (Linux 6.1+), 0 if the kernel did not say */
	uint32_t flags; /* IFA_F_* */
};

struct rtnl_rule {
	int family;
	struct net_addr src; /* family 0 = any (src_len 0) */
	uint8_t src_len;
	uint32_t table;
	uint32_t priority; /* 0: kernel's choice on add, any on delete */
	uint8_t proto;
};

struct rtnl_route {
	int family;
	uint32_t table;      /* 0 = main on add */
	struct net_addr dst; /* family set; all zero with dst_len 0 = default */
	uint8_t dst_len;
	struct net_addr gw; /* family 0 = none */
	int oif;
	uint8_t proto;
	uint8_t scope;   /* RT_SCOPE_UNIVERSE without gw on add/del = link */
	uint8_t type;    /* RTN_UNICAST ...; 0 = RTN_UNICAST on add/del */
	uint32_t metric; /* 0: kernel default on add, any on delete */
};

enum rtnl_event_kind {
	RTNL_EV_LINK,
	RTNL_EV_ADDR,
	RTNL_EV_RULE,
	RTNL_EV_ROUTE,
};

struct rtnl_event {
	enum rtnl_event_kind kind;
	bool deleted;
	union {
		struct rtnl_link link;
		struct rtnl_addr addr;
		struct rtnl_rule rule;
		struct rtnl_route route;
	} u;
};

typedef void (*rtnl_event_cb)(const struct rtnl_event *ev, void *arg);
typedef void (*rtnl_link_cb)(const struct rtnl_link *l, void *arg);
typedef void (*rtnl_addr_cb)(const struct rtnl_addr *a, void *arg);
typedef void (*rtnl_rule_cb)(const struct rtnl_rule *r, void *arg);
typedef void (*rtnl_route_cb)(const struct rtnl_route *r, void *arg);

/*
 * Open the request socket (blocking with a 1 s receive timeout: the one
 * synchronous exchange vipd allows, a request waiting for its ACK; extended
 * ACKs and strict dump filtering on) and the monitor socket (non-blocking,
 * 1 MiB receive buffer, subscribed to link, IPv4/IPv6 address, rule and
 * route groups).  Both close-on-exec.  Returns NULL with a reason in err.
 */
struct rtnl *rtnl_new(char *err, size_t errlen);
void rtnl_free(struct rtnl *nl);

/* The monitor socket's fd, for the event loop (EPOLLIN). */
int rtnl_monitor_fd(const struct rtnl *nl);

/*
 * Read pending notifications (at most 256 datagrams per call: the fd stays
 * readable if more are queued) and call cb for each; cb may make requests.
 * Returns the number of notifications, or -1 with errno (ENOBUFS:
 * notifications were lost; what was still queued has been discarded, since
 * it is older than the state the caller must now re-read with dumps).
 * Bridge-port (AF_BRIDGE) link messages and cloned routes are not reported.
 */
int rtnl_monitor_read(struct rtnl *nl, rtnl_event_cb cb, void *arg);

/*
 * The last request error in words: strerror plus the kernel's extended ACK
 * message when it sent one ("File exists (ipv4: Address already
 * assigned)").  Empty after a request that succeeded.
 */
const char *rtnl_error(const struct rtnl *nl);

/*
 * Every request below sends NLM_F_ACK with a fresh sequence number and
 * checks the sequence and port id of the replies; a reply missing for 1 s
 * fails with ETIMEDOUT.  Dump callbacks must not make requests on nl; a
 * dump that the kernel marks inconsistent (changed while dumping) delivers
 * everything and then fails with EINTR: retry it.
 */

/* Look a link up by name or by index; 0, or -1 with errno (ENODEV). */
int rtnl_link_get(struct rtnl *nl, const char *ifname, struct rtnl_link *out);
int rtnl_link_get_index(struct rtnl *nl, int ifindex, struct rtnl_link *out);

/*
 * Add an address (tagged with a->proto when not 0) / delete it.  0, or -1
 * with errno (EEXIST when present, EADDRNOTAVAIL when absent on delete).
 * IPv6 addresses always get IFA_F_NODAD: a VIP is shared by design, and DAD
 * would find the previous leader still holding it and leave ours unusable.
 * a->flags are sent as given: IFA_F_NOPREFIXROUTE suits a VIP on lo (the
 * local route is all it needs; IPv6 would add a /128 to main) or in a
 * subnet the interface already has.  Scope is sent as given: iproute2 uses
 * host scope only for 127.0.0.0/8 and global for `ip addr add x/32 dev lo`.
 * The kernel ignores IFA_PROTO on delete (measured, 6.x): delete only what
 * a dump shows with our proto.
 */
int rtnl_addr_add(struct rtnl *nl, const struct rtnl_addr *a);
int rtnl_addr_del(struct rtnl *nl, const struct rtnl_addr *a);
/* Dump addresses of family (0 = both) on ifindex (0 = all). 0 or -1. */
int rtnl_addr_dump(struct rtnl *nl, int family, int ifindex, rtnl_addr_cb cb,
                   void *arg);

/*
 * "from src/src_len lookup table priority P proto X" (FR_ACT_TO_TBL).  Add:
 * EEXIST only for a rule that is identical including the protocol, so ours
 * can sit next to a user's rule with the same selector.  Delete matches the
 * protocol when r->proto is not 0 (ENOENT when nothing matches): it never
 * removes a user's rule of another protocol.
 */
int rtnl_rule_add(struct rtnl *nl, const struct rtnl_rule *r);
int rtnl_rule_del(struct rtnl *nl, const struct rtnl_rule *r);
/* Dump rules of family (AF_INET, AF_INET6, 0 = both). 0 or -1. */
int rtnl_rule_dump(struct rtnl *nl, int family, rtnl_rule_cb cb, void *arg);

/*
 * Add: EEXIST when the table has a route with the same prefix and metric,
 * whatever its protocol (a user's route there blocks ours).  Delete matches
 * table, prefix, gateway, oif, metric (when not 0), scope, type and, when
 * r->proto is not 0, the protocol (ESRCH when nothing matches): it never
 * removes a user's route of another protocol.
 */
int rtnl_route_add(struct rtnl *nl, const struct rtnl_route *r);
int rtnl_route_del(struct rtnl *nl, const struct rtnl_route *r);
/* Dump routes of family (0 = both) in table (0 = all tables). 0 or -1. */
int rtnl_route_dump(struct rtnl *nl, int family, uint32_t table,
                    rtnl_route_cb cb, void *arg);

/* All links. 0 or -1. */
int rtnl_link_dump(struct rtnl *nl, rtnl_link_cb cb, void *arg);

/* What the kernel would use for one packet (`ip route get`). */
struct rtnl_lookup {
	int oif;                 /* output interface index, 0 if none */
	struct net_addr gw;      /* next hop; family 0 = on-link */
	struct net_addr prefsrc; /* preferred source; family 0 = none */
	uint32_t table;          /* the table the route came from */
	uint8_t type;            /* RTN_UNICAST, RTN_LOCAL ... */
};

/*
 * Ask the kernel which route a packet to dst from src (NULL or family 0:
 * no source) would take, policy rules included (`ip route get DST from
 * SRC`).  A source that is not a local address makes the kernel refuse
 * (ENETUNREACH, EINVAL).  Fills out; 0, or -1 with errno (ENETUNREACH,
 * EHOSTUNREACH: no route) and rtnl_error() set.
 */
int rtnl_route_get(struct rtnl *nl, const struct net_addr *dst,
                   const struct net_addr *src, struct rtnl_lookup *out);

/*
 * The state of the neighbour entry (ARP/NDP) for addr on ifindex (0: any
 * interface): NUD_REACHABLE, NUD_STALE, NUD_FAILED ... into *state (`ip
 * neigh show ADDR`).  0, or -1 with errno (ENOENT: no entry).
 */
int rtnl_neigh_state(struct rtnl *nl, int ifindex, const struct net_addr *addr,
                     uint16_t *state);

/* -------------------------------------------------------------- sysctl */

/*
 * Read / write /proc/sys/net/{ipv4,ipv6}/conf/IFNAME/KEY of the network
 * namespace we run in ("all" and "default" are names too).  get copies the
 * value without its newline into buf.  0, or -1 with errno: EINVAL for an
 * empty name, key or value, or one containing '/' or ".."; EAFNOSUPPORT;
 * ENOENT for an unknown interface or key; ERANGE when buf is too small;
 * EINVAL from the kernel for a bad value.
 */
int sysctl_if_get(int family, const char *ifname, const char *key, char *buf,
                  size_t len);
int sysctl_if_set(int family, const char *ifname, const char *key,
                  const char *value);

#endif
