/*
 * Interface sysctls through /proc/sys/net/{ipv4,ipv6}/conf/IFNAME/KEY of
 * the network namespace we run in.  Names are checked so that neither part
 * can leave that directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

#define SYSCTL_PATH_MAX 128

/* One path component: not empty, no '/', no "..", not ".". */
static bool
component_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	return n > 0 && n < max && strchr(s, '/') == NULL &&
	       strstr(s, "..") == NULL && strcmp(s, ".") != 0;
}

static int
sysctl_path(int family, const char *ifname, const char *key, char *buf,
            size_t len)
{
	const char *proto;
	int n;

	if (family == AF_INET)
		proto = "ipv4";
	else if (family == AF_INET6)
		proto = "ipv6";
	else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (!component_ok(ifname, IFNAMSIZ) || !component_ok(key, 64)) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(buf, len, "/proc/sys/net/%s/conf/%s/%s", proto, ifname,
	             key);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
sysctl_if_get(int family, const char *ifname, const char *key, char *buf,
              size_t len)
{
	char path[SYSCTL_PATH_MAX];
	ssize_t n;
	int fd, e;

	if (len == 0) {
		errno = ERANGE;
		return -1;
	}
	if (sysctl_path(family, ifname, key, path, sizeof(path)) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	do
		n = read(fd, buf, len);
	while (n == -1 && errno == EINTR);
	e = errno;
	close(fd);
	if (n == -1) {
		errno = e;
		return -1;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if ((size_t)n >= len) { /* no room for the terminator: maybe cut */
		errno = ERANGE;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

int
sysctl_if_set(int family, const char *ifname, const char *key,
              const char *value)
{
	char path[SYSCTL_PATH_MAX];
	size_t len = value != NULL ? strlen(value) : 0;
	ssize_t n;
	int fd, e;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if (sysctl_path(family, ifname, key, path, sizeof(path)) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	do
		n = write(fd, value, len);
	while (n == -1 && errno == EINTR);
	e = errno;
	if (close(fd) == -1 && n != -1) {
		e = errno;
		n = -1;
	}
	if (n == -1) {
		errno = e;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}
