/*
 * Helpers shared by the bench tools; see util.h.  Kept free of any vipd
 * module so that the tools build and run on their own (the benchmark also
 * runs them against keepalived).
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int
tu_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || (*s == '-' && min >= 0) ||
	    (*s != '-' && (*s < '0' || *s > '9'))) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int
tu_name_set(char *buf, const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > TU_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] <= ' ' || s[i] > '~') {
			errno = EINVAL;
			return -1;
		}
	}
	memcpy(buf, s, len + 1);
	return 0;
}

int
tu_name_default(char *buf)
{
	char host[256];
	size_t i;

	if (gethostname(host, sizeof(host)) < 0)
		return -1;
	host[sizeof(host) - 1] = '\0';
	if (host[0] == '\0')
		strcpy(host, "?");
	for (i = 0; i < TU_NAME_MAX && host[i] != '\0'; i++)
		buf[i] = (host[i] > ' ' && host[i] <= '~') ? host[i] : '?';
	buf[i] = '\0';
	return 0;
}

int
tu_signalfd(void)
{
	sigset_t set;

	/* A peer that resets a TCP connection must not kill a server. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int
tu_signal_read(int sfd)
{
	struct signalfd_siginfo si;
	ssize_t n;

	n = read(sfd, &si, sizeof(si));
	if (n == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

static int
tu_open_one(int type, const struct sockaddr *sa, socklen_t salen)
{
	int fd, one = 1;

	fd = socket(sa->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (sa->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) <
	         0) ||
	    bind(fd, sa, salen) < 0 ||
	    (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
tu_listen_addr(int type, const char *addr, uint16_t port, int fds[2],
               int fams[2])
{
	struct addrinfo hints, *ai;
	char serv[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%u", (unsigned)port);
	rc = getaddrinfo(addr, serv, &hints, &ai);
	if (rc != 0) {
		errno = rc == EAI_SYSTEM ? errno : EINVAL;
		return -1;
	}
	fds[0] = tu_open_one(type, ai->ai_addr, ai->ai_addrlen);
	fams[0] = ai->ai_family;
	freeaddrinfo(ai);
	return fds[0] < 0 ? -1 : 1;
}

int
tu_listen(int type, const char *addr, uint16_t port, int fds[2], int fams[2])
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int n = 0;

	if (addr != NULL)
		return tu_listen_addr(type, addr, port, fds, fams);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	fds[0] = tu_open_one(type, (struct sockaddr *)&sin, sizeof(sin));
	if (fds[0] < 0)
		return -1;
	fams[n++] = AF_INET;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	sin6.sin6_addr = in6addr_any;
	fds[1] = tu_open_one(type, (struct sockaddr *)&sin6, sizeof(sin6));
	if (fds[1] >= 0) {
		fams[n++] = AF_INET6;
	} else if (errno != EAFNOSUPPORT) {
		int e = errno;

		close(fds[0]);
		errno = e;
		return -1;
	}
	return n;
}

uint64_t
tu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
tu_server_args(const char *prog, const char *usage, int argc, char **argv,
               long *port, char *name, const char **bind)
{
	int c;

	if (tu_name_default(name) < 0)
		strcpy(name, "?");
	while ((c = getopt(argc, argv, "p:n:b:h")) != -1) {
		switch (c) {
		case 'p':
			if (tu_parse_long(optarg, 1, 65535, port) < 0) {
				fprintf(
				    stderr,
				    "%s: -p: '%s' is not a port (1..65535)\n",
				    prog, optarg);
				return -1;
			}
			break;
		case 'n':
			if (tu_name_set(name, optarg) < 0) {
				fprintf(stderr,
				        "%s: -n: a name is 1..%d printable "
				        "characters without spaces\n",
				        prog, TU_NAME_MAX);
				return -1;
			}
			break;
		case 'b':
			*bind = optarg;
			break;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog,
		        argv[optind]);
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

int
tu_server_open(const char *prog, int type, const char *bind, long port,
               int fds[2], int fams[2], int *sigfd)
{
	int n;

	*sigfd = tu_signalfd();
	if (*sigfd < 0) {
		fprintf(stderr, "%s: signalfd: %s\n", prog, strerror(errno));
		return -1;
	}
	n = tu_listen(type, bind, (uint16_t)port, fds, fams);
	if (n < 0) {
		fprintf(stderr, "%s: cannot %s %s port %ld: %s\n", prog,
		        type == SOCK_STREAM ? "listen on" : "bind",
		        bind != NULL ? bind : "*", port, strerror(errno));
		close(*sigfd);
		*sigfd = -1;
	}
	return n;
}
