/*
 * One vipd per network namespace.  Two daemons in one namespace would each
 * take the other's VIPs and rules for crash leftovers and remove them.  An
 * abstract Unix socket name is scoped to the network namespace and released
 * by the kernel when its holder dies, so a stale claim cannot outlive a
 * crash the way a lock file would.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"

static socklen_t
guard_addr(const char *name, struct sockaddr_un *sun)
{
	size_t n = strlen(name);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n > sizeof(sun->sun_path) - 1)
		n = sizeof(sun->sun_path) - 1;
	/* sun_path[0] = '\0': the abstract namespace. */
	memcpy(sun->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* The pid listening on the name, 0 when it cannot be told. */
static long
guard_holder(const struct sockaddr_un *sun, socklen_t len)
{
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	long pid = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd == -1)
		return 0;
	if (connect(fd, (const struct sockaddr *)sun, len) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0)
		pid = (long)cr.pid;
	close(fd);
	return pid;
}

int
nsguard_claim(const char *name, long *holder)
{
	struct sockaddr_un sun;
	socklen_t len = guard_addr(name, &sun);
	int fd, saved;

	if (holder)
		*holder = 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, len) == -1 ||
	    listen(fd, 8) == -1) {
		saved = errno;
		close(fd);
		if (saved == EADDRINUSE && holder)
			*holder = guard_holder(&sun, len);
		errno = saved;
		return -1;
	}
	return fd;
}
