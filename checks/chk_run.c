/*
 * The simple kinds: tcp (a non-blocking connect, watched for writability
 * unless it completed at once, closed with a reset),
 * file (up while absent: a stat), interface (the link state the daemon
 * feeds from its netlink monitor).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chk_int.h"

/* -------------------------------------------------------------- tcp */

static void
tcp_close(struct chk *c)
{
	if (c->fd == -1)
		return;
	ev_io_stop(c->env.loop, &c->io);
	close(c->fd);
	c->fd = -1;
}

/*
 * A connected check closes with a reset, as HAProxy's checks do: no
 * TIME_WAIT left on the node (10 checks every 100 ms would keep 6,000
 * there and eat the ephemeral ports), no FIN exchange to process.
 */
static void
tcp_pass(struct chk *c)
{
	struct linger lg = {1, 0};

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	tcp_close(c);
	chk_done(c, true, 0, "connected");
}

static void
tcp_fail(struct chk *c, int err)
{
	tcp_close(c);
	chk_done(c, false, err, "connect: %s", strerror(err));
}

static void
on_tcp(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct chk *c = arg;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)loop;
	(void)io;
	if ((revents & (EPOLLERR | EPOLLHUP)) &&
	    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if ((revents & (EPOLLERR | EPOLLHUP)) && err == 0)
		err = ECONNABORTED;
	if (err == 0)
		tcp_pass(c);
	else
		tcp_fail(c, err);
}

static void
tcp_run(struct chk *c)
{
	int e;

	c->fd = socket(c->def.addr.ss_family,
	               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		e = errno;
		chk_done(c, false, e, "socket: %s", strerror(e));
		return;
	}
	if (connect(c->fd, (const struct sockaddr *)&c->def.addr,
	            c->def.addrlen) == 0) {
		tcp_pass(c);
		return;
	}
	if (errno != EINPROGRESS) {
		tcp_fail(c, errno);
		return;
	}
	/* Asked again: a local service (the usual target) has answered
	 * already, and this saves the round through epoll. */
	if (connect(c->fd, (const struct sockaddr *)&c->def.addr,
	            c->def.addrlen) == 0 ||
	    errno == EISCONN) {
		tcp_pass(c);
		return;
	}
	if (errno != EALREADY && errno != EINPROGRESS && errno != EINTR) {
		tcp_fail(c, errno);
		return;
	}
	ev_io_init(&c->io, c->fd, on_tcp, c);
	if (ev_io_start(c->env.loop, &c->io, EPOLLOUT) == -1) {
		e = errno;
		close(c->fd);
		c->fd = -1;
		chk_done(c, false, e, "epoll: %s", strerror(e));
	}
}

const struct chk_ops chk_tcp_ops = {tcp_run, tcp_close, NULL};

/* ------------------------------------------------------------- file */

static void
file_run(struct chk *c)
{
	struct stat st;
	int e;

	if (stat(c->def.path, &st) == 0) {
		chk_done(c, false, 0, "%s exists", c->def.path);
		return;
	}
	e = errno;
	if (e == ENOENT || e == ENOTDIR)
		chk_done(c, true, 0, "%s absent", c->def.path);
	else
		chk_done(c, false, e, "%s: %s", c->def.path, strerror(e));
}

static void
nothing(struct chk *c)
{
	(void)c;
}

const struct chk_ops chk_file_ops = {file_run, nothing, NULL};

/* -------------------------------------------------------- interface */

static void
link_run(struct chk *c)
{
	if (!c->link_known)
		chk_done(c, false, 0, "%s: state not known yet", c->def.ifname);
	else if (!c->link_present)
		chk_done(c, false, ENODEV, "%s: no such interface",
		         c->def.ifname);
	else if (!c->link_up)
		chk_done(c, false, 0, "%s: no carrier", c->def.ifname);
	else
		chk_done(c, true, 0, "%s: carrier", c->def.ifname);
}

const struct chk_ops chk_link_ops = {link_run, nothing, NULL};
