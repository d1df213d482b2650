/*
 * Root tests of net/: run in a private network namespace that vanishes with
 * the test process.  unshare(CLONE_NEWNET) moves this process; children
 * started with sh() (ip, sysctl ...) inherit it, and /proc/sys/net shows it.
 */
#ifndef VIPD_PRIVNS_H
#define VIPD_PRIVNS_H

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run a shell command (output to stderr); its exit status, or -1. */
__attribute__((format(printf, 1, 2), unused)) static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

/*
 * Enter a new network namespace and bring lo up.  Returns 0, or -1 after
 * printing the TAP skip line (not root, or no namespaces).
 */
__attribute__((unused)) static int
privns_enter(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (network namespaces)\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET) == -1) {
		printf("1..0 # SKIP unshare(CLONE_NEWNET): %s\n",
		       strerror(errno));
		return -1;
	}
	if (sh("ip link set lo up") != 0) {
		printf("1..0 # SKIP cannot run ip(8) in the namespace\n");
		return -1;
	}
	return 0;
}

/* Wait up to ms for fd to become readable; 1, 0 on timeout, -1. */
__attribute__((unused)) static int
wait_readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms);
}

#endif
