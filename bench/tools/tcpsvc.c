/*
 * tcpsvc: a tiny TCP service for the routing test and the demo.  Every
 * connection is answered with "NAME\n" and closed, so a client that reaches
 * the VIP end to end learns which node served it.
 *
 *   tcpsvc [-p PORT] [-n NAME] [-b ADDR]
 *
 * After the answer the server half-closes and keeps the connection only
 * until the client closes its side (bounded by TCPSVC_LINGER_MS): closing
 * with unread client data would send a reset that can destroy the answer
 * before the client reads it.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

/* Connections kept open waiting for the client's close. */
#define TCPSVC_CONNS 256
/* How long a served connection may stay open. */
#define TCPSVC_LINGER_MS 2000
/* Connections accepted per listening socket before polling again. */
#define TCPSVC_BATCH 32

struct conn {
	int fd; /* -1: free slot */
	uint64_t deadline_ns;
};

struct tcpsvc {
	int lfds[2];
	int fams[2];
	int nl;
	int sigfd;
	char reply[TU_NAME_MAX + 2];
	size_t replylen;
	struct conn conns[TCPSVC_CONNS];
	unsigned long long served, errors;
};

#define TCPSVC_USAGE "usage: tcpsvc [-p PORT] [-n NAME] [-b ADDR]\n"

static int
svc_args(struct tcpsvc *s, int argc, char **argv, long *port, const char **bind)
{
	char name[TU_NAME_MAX + 1];

	if (tu_server_args("tcpsvc", TCPSVC_USAGE, argc, argv, port, name,
	                   bind) < 0)
		return -1;
	s->replylen =
	    (size_t)snprintf(s->reply, sizeof(s->reply), "%s\n", name);
	return 0;
}

/* Answers a fresh connection and parks it until the client closes. */
static void
svc_serve(struct tcpsvc *s, int fd, uint64_t now)
{
	int i;

	/* The answer fits an empty send buffer: one non-blocking send. */
	if (send(fd, s->reply, s->replylen, MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    (ssize_t)s->replylen) {
		s->errors++;
		close(fd);
		return;
	}
	s->served++;
	shutdown(fd, SHUT_WR);
	for (i = 0; i < TCPSVC_CONNS; i++) {
		if (s->conns[i].fd < 0) {
			s->conns[i].fd = fd;
			s->conns[i].deadline_ns =
			    now + (uint64_t)TCPSVC_LINGER_MS * 1000000u;
			return;
		}
	}
	close(fd); /* table full: the answer is sent, close at once */
}

static void
svc_accept(struct tcpsvc *s, int lfd, uint64_t now)
{
	int k, fd;

	for (k = 0; k < TCPSVC_BATCH; k++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				s->errors++; /* e.g. EMFILE, ECONNABORTED */
			return;
		}
		svc_serve(s, fd, now);
	}
}

/* Reads and discards what the client sent; closes on EOF or error. */
static void
svc_drain(struct conn *c)
{
	char buf[512];
	ssize_t n;
	int k;

	for (k = 0; k < 16; k++) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		break;
	}
	if (k < 16) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Fills PFD (signal, listeners, parked connections); returns the count and
 * the poll timeout in ms up to the earliest linger deadline. */
static nfds_t
svc_pollset(struct tcpsvc *s, struct pollfd *pfd, int *map, uint64_t now,
            int *timeout)
{
	nfds_t n = 0;
	uint64_t first = UINT64_MAX;
	int i;

	pfd[n].fd = s->sigfd;
	pfd[n++].events = POLLIN;
	for (i = 0; i < s->nl; i++) {
		pfd[n].fd = s->lfds[i];
		pfd[n++].events = POLLIN;
	}
	for (i = 0; i < TCPSVC_CONNS; i++) {
		if (s->conns[i].fd < 0)
			continue;
		if (s->conns[i].deadline_ns <= now) {
			close(s->conns[i].fd);
			s->conns[i].fd = -1;
			continue;
		}
		if (s->conns[i].deadline_ns < first)
			first = s->conns[i].deadline_ns;
		map[n] = i;
		pfd[n].fd = s->conns[i].fd;
		pfd[n++].events = POLLIN;
	}
	*timeout =
	    first == UINT64_MAX ? -1 : (int)((first - now) / 1000000u + 1);
	return n;
}

static int
svc_loop(struct tcpsvc *s)
{
	struct pollfd pfd[TCPSVC_CONNS + 3];
	int map[TCPSVC_CONNS + 3];
	int timeout, i, nready;
	nfds_t n, j;
	uint64_t now;

	for (;;) {
		now = tu_now_ns();
		n = svc_pollset(s, pfd, map, now, &timeout);
		nready = poll(pfd, n, timeout);
		if (nready < 0) {
			if (errno == EINTR)
				continue;
			perror("tcpsvc: poll");
			return -1;
		}
		if (pfd[0].revents != 0 && tu_signal_read(s->sigfd) != 0)
			return 0;
		now = tu_now_ns();
		for (j = (nfds_t)s->nl + 1; j < n; j++)
			if (pfd[j].revents != 0)
				svc_drain(&s->conns[map[j]]);
		for (i = 0; i < s->nl; i++)
			if (pfd[i + 1].revents != 0)
				svc_accept(s, s->lfds[i], now);
	}
}

int
main(int argc, char **argv)
{
	struct tcpsvc s;
	const char *bind = NULL;
	long port = TU_PORT_DEFAULT;
	int i, rc;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < TCPSVC_CONNS; i++)
		s.conns[i].fd = -1;
	if (svc_args(&s, argc, argv, &port, &bind) < 0)
		return 2;
	s.nl = tu_server_open("tcpsvc", SOCK_STREAM, bind, port, s.lfds, s.fams,
	                      &s.sigfd);
	if (s.nl < 0)
		return 1;
	rc = svc_loop(&s);
	for (i = 0; i < TCPSVC_CONNS; i++)
		if (s.conns[i].fd >= 0)
			close(s.conns[i].fd);
	for (i = 0; i < s.nl; i++)
		close(s.lfds[i]);
	close(s.sigfd);
	fprintf(stderr, "tcpsvc: %llu served, %llu errors\n", s.served,
	        s.errors);
	return rc < 0 ? 1 : 0;
}
