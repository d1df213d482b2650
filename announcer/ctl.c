/*
 * The control socket: a Unix stream socket (mode 0660) speaking the line
 * protocol of ctlproto.h.  Fully non-blocking: a client that sends slowly
 * or never reads its answer costs a buffer and is dropped after
 * CTL_CLIENT_TIMEOUT_MS; the daemon never waits for it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlproto.h"
#include "json.h"
#include "vipd.h"

#define CTL_MAX_CLIENTS       32
#define CTL_CLIENT_TIMEOUT_MS 5000

struct ctl_client {
	struct ctl *c;
	int fd;
	struct ev_io io;
	struct ev_timer timeout;
	char in[CTL_REQ_MAX + 2];
	size_t inlen;
	char *out;
	size_t outlen, outpos;
	struct ctl_client *next;
};

struct ctl {
	struct vipd *d;
	int fd;
	struct ev_io io;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool bound; /* the socket file is ours to remove */
	struct ctl_client *clients;
	size_t nclients;
};

static void
client_free(struct ctl_client *cl)
{
	struct ctl *c = cl->c;
	struct ctl_client **pp;

	for (pp = &c->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	c->nclients--;
	ev_io_stop(c->d->loop, &cl->io);
	ev_timer_stop(c->d->loop, &cl->timeout);
	close(cl->fd);
	free(cl->out);
	free(cl);
}

static void
client_flush(struct ctl_client *cl)
{
	while (cl->outpos < cl->outlen) {
		ssize_t n = write(cl->fd, cl->out + cl->outpos,
		                  cl->outlen - cl->outpos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			ev_io_modify(cl->c->d->loop, &cl->io, EPOLLOUT);
			return;
		}
		if (n <= 0)
			break;
		cl->outpos += (size_t)n;
	}
	client_free(cl);
}

static void
reply_error(struct json *j, const char *msg)
{
	json_obj_begin(j, NULL);
	json_bool(j, "ok", false);
	json_str(j, "error", msg);
	json_obj_end(j);
}

static void
do_release(struct vipd *d, const char *name, struct json *j)
{
	struct vgroup *g = group_find(d, name);
	struct el_group_info gi;
	char msg[160];

	if (g == NULL) {
		snprintf(msg, sizeof(msg), "unknown group '%s'", name);
		reply_error(j, msg);
		return;
	}
	el_cluster_group_info(d->el, g->el_idx, ev_now(d->loop), &gi);
	if (gi.state != EL_ST_LEADER) {
		snprintf(msg, sizeof(msg),
		         "this node does not lead group '%s' (state %s)", name,
		         el_state_name(gi.state));
		reply_error(j, msg);
		return;
	}
	el_cluster_resign(d->el, g->el_idx, ev_now(d->loop));
	log_info("group %s: release requested over the control socket", name);
	vipd_el_flush(d);
	json_obj_begin(j, NULL);
	json_bool(j, "ok", true);
	json_str(j, "group", name);
	el_cluster_group_info(d->el, g->el_idx, ev_now(d->loop), &gi);
	json_str(j, "state", el_state_name(gi.state));
	json_obj_end(j);
}

static void
do_reload(struct vipd *d, struct json *j)
{
	struct conf_errors errs = {NULL, 0};
	char err[512];
	size_t i;

	if (vipd_reload(d, &errs, err, sizeof(err)) == 0) {
		json_obj_begin(j, NULL);
		json_bool(j, "ok", true);
		json_str(j, "result", err);
		json_obj_end(j);
		return;
	}
	json_obj_begin(j, NULL);
	json_bool(j, "ok", false);
	json_str(j, "error", err);
	json_arr_begin(j, "errors");
	for (i = 0; i < errs.n; i++)
		json_str(j, NULL, errs.msg[i]);
	json_arr_end(j);
	json_obj_end(j);
	conf_errors_clear(&errs);
}

static void
client_handle(struct ctl_client *cl)
{
	struct vipd *d = cl->c->d;
	struct ctl_req req;
	struct json *j = json_new();
	char err[128];
	const char *text;
	size_t len;

	if (j == NULL) {
		client_free(cl);
		return;
	}
	if (ctl_req_parse(cl->in, cl->inlen, &req, err, sizeof(err)) == -1) {
		reply_error(j, err);
	} else {
		switch (req.cmd) {
		case CTL_STATUS:
			status_json(d, j);
			break;
		case CTL_METRICS:
			metrics_json(d, j);
			break;
		case CTL_RELEASE:
			do_release(d, req.arg, j);
			break;
		case CTL_RELOAD:
			do_reload(d, j);
			break;
		case CTL_PING:
			json_obj_begin(j, NULL);
			json_bool(j, "ok", true);
			json_int(j, "pid", getpid());
			json_obj_end(j);
			break;
		}
	}
	if ((text = json_text(j, &len)) == NULL ||
	    (cl->out = malloc(len + 1)) == NULL) {
		json_free(j);
		client_free(cl);
		return;
	}
	memcpy(cl->out, text, len);
	cl->out[len] = '\n';
	cl->outlen = len + 1;
	json_free(j);
	ev_io_modify(d->loop, &cl->io, 0);
	client_flush(cl);
}

static void
on_client(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct ctl_client *cl = arg;
	ssize_t n;

	(void)loop;
	(void)io;
	if (cl->out != NULL) {
		if (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			client_flush(cl);
		return;
	}
	n = read(cl->fd, cl->in + cl->inlen, sizeof(cl->in) - 1 - cl->inlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_free(cl);
		return;
	}
	cl->inlen += (size_t)n;
	cl->in[cl->inlen] = '\0';
	if (memchr(cl->in, '\n', cl->inlen) != NULL) {
		cl->inlen =
		    (size_t)((char *)memchr(cl->in, '\n', cl->inlen) - cl->in);
		client_handle(cl);
	} else if (cl->inlen >= sizeof(cl->in) - 1) {
		client_handle(cl); /* too long: parse reports it */
	}
}

static void
on_client_timeout(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	client_free(arg);
}

static struct ctl_client *
client_oldest(struct ctl *c)
{
	struct ctl_client *cl = c->clients;

	while (cl->next != NULL)
		cl = cl->next;
	return cl;
}

static void
on_accept(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct ctl *c = arg;
	struct ctl_client *cl;
	int fd;

	(void)io;
	(void)revents;
	while ((fd = accept4(c->fd, NULL, NULL,
	                     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* Full: drop the oldest client (the list's tail), so that
		 * idle connections cannot lock vipctl out. */
		if (c->nclients >= CTL_MAX_CLIENTS)
			client_free(client_oldest(c));
		if ((cl = calloc(1, sizeof(*cl))) == NULL) {
			close(fd);
			continue;
		}
		cl->c = c;
		cl->fd = fd;
		ev_io_init(&cl->io, fd, on_client, cl);
		ev_timer_init(&cl->timeout, on_client_timeout, cl);
		if (ev_io_start(loop, &cl->io, EPOLLIN) == -1) {
			close(fd);
			free(cl);
			continue;
		}
		ev_timer_start_in(loop, &cl->timeout, CTL_CLIENT_TIMEOUT_MS);
		cl->next = c->clients;
		c->clients = cl;
		c->nclients++;
	}
}

/*
 * Refuse to steal the socket of a running daemon; remove a stale one (left
 * by a crash).  Anything at the path that is not a socket is left alone:
 * a mistyped path must not delete a file.
 */
static int
socket_claim(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (lstat(sun->sun_path, &st) == -1)
		return 0; /* nothing there (or bind() will say why) */
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
		         "control socket %s: exists and is not a socket",
		         sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		close(fd);
		snprintf(err, errlen,
		         "control socket %s: another vipd is running there",
		         sun->sun_path);
		return -1;
	}
	close(fd);
	if (errno == ECONNREFUSED)
		unlink(sun->sun_path);
	return 0;
}

struct ctl *
ctl_new(struct vipd *d, const char *path, const char *group, char *err,
        size_t errlen)
{
	struct ctl *c = calloc(1, sizeof(*c));
	struct sockaddr_un sun;
	struct group *gr;
	mode_t mask;
	int rc;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->d = d;
	c->fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	snprintf(c->path, sizeof(c->path), "%s", path);
	vipd_make_parent_dir(path);
	if (socket_claim(&sun, err, errlen) == -1)
		goto fail;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		goto fail;
	}
	/* The file is born 0660: no window in which others may connect. */
	mask = umask(0117);
	rc = bind(c->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (rc == -1) {
		snprintf(err, errlen, "control socket %s: %s", path,
		         strerror(errno));
		goto fail;
	}
	c->bound = true;
	if (chmod(path, 0660) == -1)
		log_warn("chmod %s", path);
	if (group != NULL && group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL)
			log_warnx("control socket: unknown group '%s'", group);
		else if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
			log_warn("chown %s", path);
	}
	if (listen(c->fd, 16) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path,
		         strerror(errno));
		goto fail;
	}
	ev_io_init(&c->io, c->fd, on_accept, c);
	if (ev_io_start(d->loop, &c->io, EPOLLIN) == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		goto fail;
	}
	return c;
fail:
	ctl_free(c);
	return NULL;
}

void
ctl_free(struct ctl *c)
{
	if (c == NULL)
		return;
	while (c->clients)
		client_free(c->clients);
	if (c->fd != -1) {
		ev_io_stop(c->d->loop, &c->io);
		close(c->fd);
	}
	if (c->bound)
		unlink(c->path);
	free(c);
}
