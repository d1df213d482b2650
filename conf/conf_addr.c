/*
 * Addresses (numeric only, classified for their use) and the shared secret.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

/* Bigger files are not keys; refuse before reading them. */
#define SECRET_READ_MAX 65536

int
conf_addr_parse(const char *s, struct conf_addr *out)
{
	memset(out, 0, sizeof(*out));
	/* inet_pton takes no names, no scope ids and no short IPv4 forms. */
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

const char *
conf_addr_str(const struct conf_addr *a, char buf[CONF_ADDR_STRLEN])
{
	if (inet_ntop(a->family, a->a, buf, CONF_ADDR_STRLEN) == NULL)
		snprintf(buf, CONF_ADDR_STRLEN, "?");
	return buf;
}

int
conf_addr_cmp(const struct conf_addr *x, const struct conf_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16);
}

bool
conf_addr_is_multicast(const struct conf_addr *a)
{
	if (a->family == AF_INET)
		return (a->a[0] & 0xf0) == 0xe0;
	return a->a[0] == 0xff;
}

static bool
all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Why a can never be announced by anyone (NULL: it can). */
static const char *
addr_class(const struct conf_addr *a, bool *loopback)
{
	const uint8_t *b = a->a;

	*loopback = false;
	if (a->family == AF_INET) {
		if (all_bytes(b, 4, 0))
			return "unspecified";
		if (all_bytes(b, 4, 255))
			return "broadcast";
		*loopback = b[0] == 127;
	} else {
		if (all_bytes(b, 16, 0))
			return "unspecified";
		*loopback = all_bytes(b, 15, 0) && b[15] == 1;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return "link-local";
		if (all_bytes(b, 10, 0) && b[10] == 0xff && b[11] == 0xff)
			return "IPv4-mapped";
	}
	if (conf_addr_is_multicast(a))
		return "multicast";
	return NULL;
}

const char *
conf_addr_vip_reject(const struct conf_addr *a)
{
	bool lo;
	const char *why = addr_class(a, &lo);

	return why ? why : lo ? "loopback" : NULL;
}

/* Peers may be on loopback: several nodes on one host, as in tests. */
const char *
conf_addr_peer_reject(const struct conf_addr *a)
{
	bool lo;

	return addr_class(a, &lo);
}

bool
conf_get_addr(struct conf_ctx *x, const config_setting_t *s,
              struct conf_addr *out)
{
	const char *v;

	if (!conf_get_str(x, s, &v))
		return false;
	if (conf_addr_parse(v, out) == -1) {
		conf_err(x, s, "'%s' is not an IPv4 or IPv6 address", v);
		return false;
	}
	return true;
}

void
conf_get_addrs(struct conf_ctx *x, const config_setting_t *s,
               const struct conf_addr_list *l, void *arg,
               struct conf_addr **out, size_t *n)
{
	const config_setting_t *e;
	struct conf_addr a;
	const char *why;
	int len, i, r;

	if ((len = conf_list_len(x, s, l->max, l->none)) <= 0)
		return;
	if ((*out = calloc((size_t)len, sizeof(**out))) == NULL) {
		conf_err(x, s, "%s", strerror(ENOMEM));
		return;
	}
	/* One element at a time, so that errors come out in file order. */
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (!conf_get_addr(x, e, &a))
			continue;
		if ((why = l->reject(&a)) != NULL) {
			conf_err(x, e, "'%s' cannot be a %s (%s)",
			         config_setting_get_string(e), l->noun, why);
			continue;
		}
		if ((r = l->add(x, e, &a, arg)) < 0)
			return;
		if (r > 0)
			(*out)[(*n)++] = a;
	}
}

/* Read at most max bytes of fd into buf; the count, or -1 with errno. */
static ssize_t
read_all(int fd, uint8_t *buf, size_t max)
{
	size_t n = 0;
	ssize_t k;

	while (n < max) {
		k = read(fd, buf + n, max - n);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return -1;
		if (k == 0)
			break;
		n += (size_t)k;
	}
	return (ssize_t)n;
}

static void
secret_take(struct conf_ctx *x, const config_setting_t *s, uint8_t *buf,
            size_t n)
{
	const char *path = x->c->secret_file;

	/* A key written by `echo` or an editor ends in a newline. */
	while (n > 0 && isspace(buf[n - 1]))
		n--;
	if (n == 0)
		conf_err(x, s, "secret file '%s' is empty", path);
	else if (n < CONF_SECRET_MIN)
		conf_err(x, s, "secret is %zu bytes; at least %d needed", n,
		         CONF_SECRET_MIN);
	else if (n > CONF_SECRET_MAX)
		conf_err(x, s, "secret is %zu bytes; at most %d allowed", n,
		         CONF_SECRET_MAX);
	else {
		memcpy(x->c->secret, buf, n);
		x->c->secret_len = n;
	}
}

static void
secret_read_fd(struct conf_ctx *x, const config_setting_t *s, int fd,
               const struct stat *st)
{
	const char *path = x->c->secret_file;
	uint8_t *buf;
	ssize_t n;

	if (st->st_size > SECRET_READ_MAX) {
		conf_err(x, s, "secret is %lld bytes; at most %d allowed",
		         (long long)st->st_size, CONF_SECRET_MAX);
		return;
	}
	buf = malloc(SECRET_READ_MAX);
	if (buf == NULL) {
		conf_err(x, s, "cannot read secret file '%s': %s", path,
		         strerror(errno));
		return;
	}
	n = read_all(fd, buf, SECRET_READ_MAX);
	if (n == -1)
		conf_err(x, s, "cannot read secret file '%s': %s", path,
		         strerror(errno));
	else
		secret_take(x, s, buf, (size_t)n);
	explicit_bzero(buf, SECRET_READ_MAX);
	free(buf);
}

void
conf_read_secret(struct conf_ctx *x, const config_setting_t *s)
{
	const char *path = x->c->secret_file;
	struct stat st;
	int fd;

	if (!conf_get_path(x, s, CONF_PATH_MAX, true, x->c->secret_file))
		return;
	/* O_NONBLOCK: a FIFO planted there must not hang the check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		conf_err(x, s, "cannot read secret file '%s': %s", path,
		         strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1)
		conf_err(x, s, "cannot read secret file '%s': %s", path,
		         strerror(errno));
	else if (!S_ISREG(st.st_mode))
		conf_err(x, s, "secret file '%s' is not a regular file", path);
	else if (st.st_mode & 077)
		conf_err(x, s,
		         "secret file '%s' is accessible by group or others "
		         "(mode %04o): chmod 600 it",
		         path, (unsigned)(st.st_mode & 07777));
	else
		secret_read_fd(x, s, fd, &st);
	close(fd);
}
