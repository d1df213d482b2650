/* vipctl: one request to the daemon and its answer. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "vipctl.h"

#define VIPCTL_TIMEOUT_S 5
#define VIPCTL_MAX_REPLY (16 * 1024 * 1024)

int
vipctl_connect(const char *path, int *ex)
{
	struct sockaddr_un sun;
	struct timeval tv = {VIPCTL_TIMEOUT_S, 0};
	int fd, e;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "vipctl: socket path too long: %s\n", path);
		*ex = EX_USAGE;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "vipctl: socket: %s\n", strerror(errno));
		*ex = EX_FAIL;
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	e = errno;
	if (e == EACCES || e == EPERM)
		fprintf(stderr,
		        "vipctl: permission denied on %s: run as root or as a "
		        "member of the socket's group\n",
		        path);
	else if (e == ENOENT || e == ECONNREFUSED)
		fprintf(stderr,
		        "vipctl: vipd is not running (no daemon listening on "
		        "%s; see -s, -c or $VIPD_SOCKET)\n",
		        path);
	else
		fprintf(stderr, "vipctl: cannot reach vipd at %s: %s\n", path,
		        strerror(e));
	close(fd);
	*ex = EX_UNREACHABLE;
	return -1;
}

/* Read until the daemon closes; the NUL-terminated text or NULL. */
static char *
read_answer(int fd, size_t *lenp)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t r;

	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > VIPCTL_MAX_REPLY ||
			    (nb = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "vipctl: answer too large\n");
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "vipctl: reading the answer: %s\n",
			        errno == EAGAIN ? "timed out"
			                        : strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* Send one request, read the whole answer.  NULL + message on failure. */
static char *
request(const char *path, const struct ctl_req *req, int *ex)
{
	char line[CTL_REQ_MAX + 2], *buf;
	size_t len = 0;
	int fd, n;

	if ((n = ctl_req_format(req, line, sizeof(line))) < 0) {
		fprintf(stderr, "vipctl: not a valid request\n");
		*ex = EX_USAGE;
		return NULL;
	}
	if ((fd = vipctl_connect(path, ex)) == -1)
		return NULL;
	if (write(fd, line, (size_t)n) != n) {
		fprintf(stderr, "vipctl: sending the request: %s\n",
		        strerror(errno));
		close(fd);
		*ex = EX_UNREACHABLE;
		return NULL;
	}
	buf = read_answer(fd, &len);
	close(fd);
	if (buf != NULL && len == 0) {
		fprintf(stderr, "vipctl: the daemon closed the connection "
		                "without answering\n");
		free(buf);
		buf = NULL;
	}
	if (buf == NULL)
		*ex = EX_FAIL;
	return buf;
}

json_t *
vipctl_request(const char *path, const struct ctl_req *req, char **raw, int *ex)
{
	char err[160];
	char *text = request(path, req, ex);
	json_t *v;

	if (text == NULL)
		return NULL;
	v = ctl_json_parse(text, strlen(text), err, sizeof(err));
	if (v == NULL || !json_is_object(v)) {
		fprintf(stderr,
		        "vipctl: the daemon's answer is not valid JSON: "
		        "%s\n",
		        v ? "not an object" : err);
		json_decref(v);
		free(text);
		*ex = EX_FAIL;
		return NULL;
	}
	if (raw)
		*raw = text;
	else
		free(text);
	return v;
}

int
vipctl_refused(const json_t *v)
{
	const json_t *errs = json_object_get(v, "errors");
	size_t i;

	fprintf(stderr, "vipctl: %s\n",
	        ctl_json_get_str(v, "error", "request failed"));
	for (i = 0; i < json_array_size(errs); i++)
		if (json_is_string(json_array_get(errs, i)))
			fprintf(stderr, "  %s\n",
			        json_string_value(json_array_get(errs, i)));
	return EX_FAIL;
}

void
vipctl_duration(int64_t ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1000)
		snprintf(buf, len, "%" PRId64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%" PRId64 ".%01" PRId64 "s", ms / 1000,
		         (ms % 1000) / 100);
	else if (ms < 3600000)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", ms / 60000,
		         (ms / 1000) % 60);
	else
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", ms / 3600000,
		         (ms / 60000) % 60);
}
