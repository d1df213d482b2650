/*
 * The simple kinds: tcp (a non-blocking connect, watched for writability),
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

static void
on_tcp(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct chk *c = arg;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)loop;
	(void)io;
	(void)revents;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	tcp_close(c);
	if (err == 0)
		chk_done(c, true, 0, "connected");
	else
		chk_done(c, false, err, "connect: %s", strerror(err));
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
		tcp_close(c);
		chk_done(c, true, 0, "connected");
		return;
	}
	if (errno != EINPROGRESS) {
		e = errno;
		close(c->fd);
		c->fd = -1;
		chk_done(c, false, e, "connect: %s", strerror(e));
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
