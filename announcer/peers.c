/*
 * Heartbeats: the UDP socket to the peers.  Sends our STATE messages every
 * interval (and at once when the election's records change), receives and
 * authenticates the peers', and turns ICMP port-unreachable answers into
 * "peer gone" for the election's fast path.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "vipd.h"

/* A key rotation's grace period runs: the previous secret still counts. */
static bool
grace_active(struct vipd *d)
{
	if (d->prev_secret_until == 0)
		return false;
	if (ev_now(d->loop) < d->prev_secret_until)
		return true;
	log_info("cluster secret: the grace period ended; the previous "
	         "secret is no longer accepted");
	explicit_bzero(d->prev_secret, sizeof(d->prev_secret));
	d->prev_secret_len = 0;
	d->prev_secret_until = 0;
	return false;
}

/* Datagrams handled per wake-up, so a flood cannot starve the loop. */
#define PEERS_RX_BUDGET 256

/* How long a peer reported unreachable by ICMP has to answer our
 * challenge: a sixth of the interval (16 ms at the defaults), within
 * these bounds.  A crashed peer is thus gone one interval (our next
 * heartbeat draws the ICMP error) + this after its crash at most. */
#define CONFIRM_MIN_MS 5
#define CONFIRM_MAX_MS 50

static int peers_tx_open(struct vipd *d, char *err, size_t errlen);
static void peers_tx_close(struct vipd *d);

struct own_addrs {
	struct net_addr *a;
	size_t n, cap;
};

static void
collect_addr(const struct rtnl_addr *ra, void *arg)
{
	struct own_addrs *o = arg;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		struct net_addr *p = realloc(o->a, cap * sizeof(*p));

		if (p == NULL)
			return;
		o->a = p;
		o->cap = cap;
	}
	o->a[o->n++] = ra->addr;
}

static bool
is_own(const struct own_addrs *o, const struct net_addr *a)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (net_addr_eq(&o->a[i], a))
			return true;
	return false;
}

/*
 * The configured peers minus this node's own addresses, so that every node
 * of a cluster can share one peer list.
 */
int
peers_configure(struct vipd *d, char *err, size_t errlen)
{
	struct own_addrs own = {NULL, 0, 0};
	size_t i;

	peers_tx_close(d);
	free(d->peers);
	d->peers = NULL;
	d->npeers = 0;
	d->solo = !d->cfg->has_multicast;
	if (d->cfg->npeers == 0)
		return 0;
	if (rtnl_addr_dump(d->nl, 0, 0, collect_addr, &own) == -1) {
		snprintf(err, errlen, "reading local addresses: %s",
		         rtnl_error(d->nl));
		free(own.a);
		return -1;
	}
	d->peers = calloc(d->cfg->npeers, sizeof(*d->peers));
	if (d->peers == NULL) {
		free(own.a);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < d->cfg->npeers; i++) {
		struct net_addr a = vipd_addr(&d->cfg->peers[i]);
		char buf[NET_ADDR_STRLEN];

		if (is_own(&own, &a)) {
			log_debug("peer %s is this node: skipped",
			          net_addr_str(&a, buf, sizeof(buf)));
			continue;
		}
		d->peers[d->npeers++].addr = a;
	}
	free(own.a);
	d->solo = d->npeers == 0 && !d->cfg->has_multicast;
	/* A reload: the heartbeat socket is open, the peers' are not. */
	if (d->udp != NULL)
		return peers_tx_open(d, err, errlen);
	return 0;
}

static struct peer_addr *
peer_by_addr(struct vipd *d, const struct net_addr *a)
{
	size_t i;

	for (i = 0; i < d->npeers; i++)
		if (net_addr_eq(&d->peers[i].addr, a))
			return &d->peers[i];
	return NULL;
}

const char *
peers_addr_of(const struct vipd *d, const char *id, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < d->npeers; i++)
		if (strcmp(d->peers[i].id, id) == 0)
			return net_addr_str(&d->peers[i].addr, buf, len);
	snprintf(buf, len, "-");
	return buf;
}

/*
 * A datagram from a peer's address failed authentication: another secret
 * on that node, or a forgery (anyone on the LAN can send "from" a peer's
 * address).  It only counts as not heard, never as a fault, even on a node
 * that never authenticated anyone: a forger must not keep a node from
 * leading (so two nodes with different secrets both lead; status's
 * peers[].auth_failing and doctor's peer-auth say why).  One warning per
 * episode, at most one per AUTH_LOG_MS per peer.
 */
#define AUTH_LOG_MS 60000
static void
auth_failed(struct vipd *d, struct peer_addr *p)
{
	uint64_t now = ev_now(d->loop);
	char a[NET_ADDR_STRLEN];

	p->auth_fails++;
	if (!peers_auth_failing(d, p, now) &&
	    (p->auth_log_at == 0 || now - p->auth_log_at >= AUTH_LOG_MS)) {
		log_warnx("peer %s: heartbeats fail authentication (%llu "
		          "since the previous warning; another "
		          "cluster.secret_file there, or forged): not heard, "
		          "we may lead beside it",
		          net_addr_str(&p->addr, a, sizeof(a)),
		          (unsigned long long)p->auth_fails);
		vipd_event(d, EVK_AUTH_FAILURE, NULL, -1, -1,
		           "peer %s: heartbeats fail authentication", a);
		p->auth_log_at = now;
		p->auth_fails = 0;
	}
	p->auth_fail_at = now;
}

bool
peers_auth_failing(const struct vipd *d, const struct peer_addr *p,
                   uint64_t now)
{
	uint64_t dead = (uint64_t)d->cfg->interval_ms * d->cfg->dead_after;

	return p->auth_fail_at != 0 && now - p->auth_fail_at < dead;
}

const struct peer_addr *
peers_by_id(const struct vipd *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->npeers; i++)
		if (strcmp(d->peers[i].id, id) == 0)
			return &d->peers[i];
	return NULL;
}

static uint64_t
nonce_new(const struct vipd *d, const struct peer_addr *p)
{
	uint64_t nonce = 0;

	if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(nonce))
		nonce = ev_now(d->loop) ^ ((uint64_t)(uintptr_t)p << 16);
	return nonce & EL_CTL_NONCE_MASK;
}

static void
handle_datagram(struct vipd *d, const uint8_t *buf, size_t len, bool trunc,
                const struct net_addr *src)
{
	struct el_msg *msg = d->rx_msg;
	struct peer_addr *p = NULL;
	enum el_verdict v;
	uint64_t nonce;

	/* Only multicast-only mode accepts any sender with the secret. */
	if (d->npeers > 0 || !d->cfg->has_multicast) {
		if ((p = peer_by_addr(d, src)) == NULL) {
			d->hb_rejected[EL_REJ_UNKNOWN_SENDER]++;
			return;
		}
	}
	if (trunc) {
		d->hb_rejected[EL_REJ_OVERSIZE]++;
		return;
	}
	v = el_msg_decode(buf, len, d->cfg->secret, d->cfg->secret_len, msg);
	if (v == EL_REJ_HMAC && grace_active(d))
		v = el_msg_decode(buf, len, d->prev_secret, d->prev_secret_len,
		                  msg);
	if (v == EL_OK)
		v = el_cluster_receive(d->el, msg, ev_now(d->loop));
	if (v != EL_OK) {
		d->hb_rejected[v]++;
		if (v == EL_REJ_HMAC && p != NULL)
			auth_failed(d, p);
		return;
	}
	d->ctr[CTL_DC_HB_RECEIVED]++;
	if (p == NULL) {
		/* Multicast-only: no address to challenge; trusted on first
		 * contact, as before (protocol.md section 4). */
		el_cluster_peer_verify(d->el, msg->node, ev_now(d->loop));
		return;
	}
	if (strcmp(p->id, msg->node) != 0)
		snprintf(p->id, sizeof(p->id), "%s", msg->node);
	if (p->unreachable && !el_cluster_peer_unverified(d->el, msg->node)) {
		p->unreachable = false;
		log_info("peer %s is answering again", msg->node);
	}
	if (p->confirming && el_msg_ctl_find(msg, EL_CTL_ECHO, &nonce) &&
	    nonce == p->confirm_nonce) {
		/* Alive after the ICMP error: it was forged (or
		 * stale).  Nothing was reported to the election. */
		p->confirming = false;
		ev_timer_stop(d->loop, &p->confirm_timer);
		d->ctr[CTL_DC_UNREACHABLE_REFUTED]++;
	}
	if (el_msg_ctl_find(msg, EL_CTL_CHALLENGE, &nonce))
		peers_send_ctl(d, p, EL_CTL_ECHO, nonce);
	if (el_cluster_peer_unverified(d->el, msg->node)) {
		uint64_t now = ev_now(d->loop);

		if (p->verify_nonce != 0 &&
		    el_msg_ctl_find(msg, EL_CTL_ECHO, &nonce) &&
		    nonce == p->verify_nonce) {
			el_cluster_peer_verify(d->el, msg->node, now);
		} else if (p->verify_sent == 0 ||
		           now - p->verify_sent >= d->cfg->interval_ms) {
			/* Once an interval while it does not echo. */
			p->verify_nonce = nonce_new(d, p);
			p->verify_sent = now;
			peers_send_ctl(d, p, EL_CTL_CHALLENGE, p->verify_nonce);
		}
	}
}

/* The challenge went unanswered: the peer's vipd is not running. */
static void
on_confirm_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct peer_addr *p = arg;
	struct vipd *d = p->d;
	char abuf[NET_ADDR_STRLEN];

	(void)t;
	if (!p->confirming)
		return;
	p->confirming = false;
	if (!p->unreachable)
		log_info("peer %s (%s): heartbeat port unreachable and no "
		         "answer to our challenge, vipd is not running there",
		         p->id, net_addr_str(&p->addr, abuf, sizeof(abuf)));
	p->unreachable = true;
	el_cluster_peer_gone(d->el, p->id, ev_now(loop));
	vipd_el_flush(d);
}

/* An ICMP port-unreachable for p: challenge it rather than believe it. */
static void
peer_suspect(struct vipd *d, struct peer_addr *p)
{
	uint64_t ms = d->cfg->interval_ms / 6;

	if (p->unreachable) {
		/* Already confirmed gone, not heard since: still gone. */
		el_cluster_peer_gone(d->el, p->id, ev_now(d->loop));
		return;
	}
	if (p->confirming)
		return;
	if (ms < CONFIRM_MIN_MS)
		ms = CONFIRM_MIN_MS;
	if (ms > CONFIRM_MAX_MS)
		ms = CONFIRM_MAX_MS;
	p->confirm_nonce = nonce_new(d, p);
	p->confirming = true;
	ev_timer_start(d->loop, &p->confirm_timer, ev_now_update(d->loop) + ms);
	peers_send_ctl(d, p, EL_CTL_CHALLENGE, p->confirm_nonce);
}

static void
handle_errors(struct vipd *d, struct udp_sock *us)
{
	struct net_addr dst, offender;
	int ee, n, budget = PEERS_RX_BUDGET;
	char abuf[NET_ADDR_STRLEN];

	while (budget-- > 0 &&
	       (n = udp_sock_read_error(us, &dst, &ee, &offender)) == 1) {
		struct peer_addr *p = peer_by_addr(d, &dst);

		if (p == NULL || ee != ECONNREFUSED)
			continue;
		/* Only the peer host itself may say its port is closed; an
		 * ICMP error from anywhere else is not evidence. */
		if (offender.family != 0 && !net_addr_eq(&offender, &dst))
			continue;
		d->ctr[CTL_DC_PEER_UNREACHABLE]++;
		if (p->id[0] == '\0')
			continue;
		log_debug("peer %s (%s): heartbeat port unreachable: "
		          "challenging it",
		          p->id, net_addr_str(&dst, abuf, sizeof(abuf)));
		peer_suspect(d, p);
	}
}

static void
on_udp(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct vipd *d = arg;
	uint8_t buf[EL_MSG_MAX + 64];
	int budget = PEERS_RX_BUDGET;

	(void)loop;
	(void)io;
	if (revents & EPOLLERR)
		handle_errors(d, d->udp);
	while (budget-- > 0) {
		struct net_addr src;
		uint16_t sport;
		bool trunc = false;
		ssize_t n = udp_sock_recv(d->udp, buf, sizeof(buf), &src,
		                          &sport, &trunc);

		if (n < 0) {
			if (errno == ECONNREFUSED)
				handle_errors(d, d->udp);
			else
				break;
			continue;
		}
		handle_datagram(d, buf, (size_t)n, trunc, &src);
	}
	vipd_el_flush(d);
}

/* ICMP errors for what we sent to one peer. */
static void
on_tx(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct peer_addr *p = arg;

	(void)loop;
	(void)io;
	(void)revents;
	handle_errors(p->d, p->tx);
	vipd_el_flush(p->d);
}

static int
peers_tx_open(struct vipd *d, char *err, size_t errlen)
{
	struct net_addr bind;
	char a[NET_ADDR_STRLEN], why[200];
	size_t i;

	memset(&bind, 0, sizeof(bind));
	if (d->cfg->has_bind)
		bind = vipd_addr(&d->cfg->bind);
	for (i = 0; i < d->npeers; i++) {
		struct peer_addr *p = &d->peers[i];

		p->d = d;
		ev_timer_init(&p->confirm_timer, on_confirm_timer, p);
		p->tx =
		    udp_sock_new_tx(&bind, p->addr.family, why, sizeof(why));
		if (p->tx == NULL) {
			snprintf(err, errlen,
			         "heartbeat socket for peer %s: %s",
			         net_addr_str(&p->addr, a, sizeof(a)), why);
			return -1;
		}
		/* Only errors wake it: nothing is ever received there. */
		ev_io_init(&p->tx_io, udp_sock_fd(p->tx), on_tx, p);
		if (ev_io_start(d->loop, &p->tx_io, 0) == -1) {
			snprintf(err, errlen, "heartbeat socket: %s",
			         strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void
peers_tx_close(struct vipd *d)
{
	size_t i;

	for (i = 0; i < d->npeers; i++) {
		if (d->peers[i].tx == NULL)
			continue;
		ev_timer_stop(d->loop, &d->peers[i].confirm_timer);
		d->peers[i].confirming = false;
		ev_io_stop(d->loop, &d->peers[i].tx_io);
		udp_sock_free(d->peers[i].tx);
		d->peers[i].tx = NULL;
	}
}

int
peers_open(struct vipd *d, char *err, size_t errlen)
{
	struct net_addr bind, mcast;

	memset(&bind, 0, sizeof(bind));
	memset(&mcast, 0, sizeof(mcast));
	if (d->cfg->has_bind)
		bind = vipd_addr(&d->cfg->bind);
	if (d->cfg->has_multicast)
		mcast = vipd_addr(&d->cfg->multicast);
	if (d->rx_msg == NULL &&
	    (d->rx_msg = calloc(1, sizeof(*d->rx_msg))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->udp = udp_sock_new(&bind, d->cfg->port, &mcast,
	                      d->cfg->multicast_interface, err, errlen);
	if (d->udp == NULL)
		return -1;
	ev_io_init(&d->udp_io, udp_sock_fd(d->udp), on_udp, d);
	if (ev_io_start(d->loop, &d->udp_io, EPOLLIN) == -1) {
		snprintf(err, errlen, "heartbeat socket: %s", strerror(errno));
		return -1;
	}
	return peers_tx_open(d, err, errlen);
}

void
peers_close(struct vipd *d)
{
	free(d->rx_msg);
	d->rx_msg = NULL;
	free(d->msgs);
	d->msgs = NULL;
	d->msgs_cap = 0;
	peers_tx_close(d);
	if (d->udp == NULL)
		return;
	ev_io_stop(d->loop, &d->udp_io);
	udp_sock_free(d->udp);
	d->udp = NULL;
}

static void
send_one(struct vipd *d, const uint8_t *buf, size_t len)
{
	size_t i;

	if (d->cfg->has_multicast) {
		struct net_addr m = vipd_addr(&d->cfg->multicast);

		if (udp_sock_send(d->udp, &m, d->cfg->port, buf, len) == 0)
			d->ctr[CTL_DC_HB_SENT]++;
		else
			d->ctr[CTL_DC_HB_SEND_ERRORS]++;
	}
	for (i = 0; i < d->npeers; i++) {
		struct udp_sock *us = d->peers[i].tx ? d->peers[i].tx : d->udp;

		if (udp_sock_send(us, &d->peers[i].addr, d->cfg->port, buf,
		                  len) == 0)
			d->ctr[CTL_DC_HB_SENT]++;
		else
			d->ctr[CTL_DC_HB_SEND_ERRORS]++;
	}
}

void
peers_send(struct vipd *d)
{
	uint8_t buf[EL_MSG_MAX];
	uint64_t hears;
	size_t i, n;
	int len;

	size_t need = d->ngroups / (EL_MSG_MAX_REC - EL_CTL_MAX) + 1;

	if (d->msgs_cap < need) {
		struct el_msg *m = realloc(d->msgs, need * sizeof(*m));

		if (m == NULL)
			return;
		d->msgs = m;
		d->msgs_cap = need;
	}
	/* Build even without a socket: it clears the "send due" flag. */
	n = el_cluster_build(d->el, d->msgs, d->msgs_cap);
	hears = el_cluster_hears(d->el, ev_now(d->loop));
	if (d->udp == NULL)
		return;
	for (i = 0; i < n; i++) {
		/* We answer challenges (protocol.md section 4); whom we
		 * hear (section 7, one-way loss). */
		(void)el_msg_ctl_add(&d->msgs[i], EL_CTL_HELLO, hears);
		len = el_msg_encode(&d->msgs[i], d->cfg->secret,
		                    d->cfg->secret_len, buf, sizeof(buf));
		if (len < 0) {
			d->ctr[CTL_DC_HB_SEND_ERRORS]++;
			continue;
		}
		send_one(d, buf, (size_t)len);
		/* Rotating: nodes not reloaded yet know only the previous
		 * secret (a copy they verify; the others drop it as a
		 * replay of the first). */
		if (!grace_active(d))
			continue;
		len = el_msg_encode(&d->msgs[i], d->prev_secret,
		                    d->prev_secret_len, buf, sizeof(buf));
		if (len >= 0)
			send_one(d, buf, (size_t)len);
	}
}

void
peers_send_ctl(struct vipd *d, struct peer_addr *p, enum el_ctl_kind kind,
               uint64_t nonce)
{
	uint8_t buf[EL_MSG_MAX];
	struct udp_sock *us;
	uint64_t hears;
	size_t i, n;
	int len;

	/* A change due to everybody goes to everybody first. */
	if (el_cluster_send_due(d->el) || d->msgs == NULL)
		peers_send(d);
	if (d->udp == NULL || d->msgs == NULL)
		return;
	n = el_cluster_build(d->el, d->msgs, d->msgs_cap);
	hears = el_cluster_hears(d->el, ev_now(d->loop));
	if (n == 0 || el_msg_ctl_add(&d->msgs[0], kind, nonce) == -1)
		return;
	us = p->tx ? p->tx : d->udp;
	for (i = 0; i < n; i++) {
		(void)el_msg_ctl_add(&d->msgs[i], EL_CTL_HELLO, hears);
		len = el_msg_encode(&d->msgs[i], d->cfg->secret,
		                    d->cfg->secret_len, buf, sizeof(buf));
		if (len >= 0 && udp_sock_send(us, &p->addr, d->cfg->port, buf,
		                              (size_t)len) == 0)
			d->ctr[CTL_DC_HB_SENT]++;
		else
			d->ctr[CTL_DC_HB_SEND_ERRORS]++;
	}
}
