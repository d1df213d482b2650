/*
 * The control socket server (ctlsrv_): a Unix stream socket (mode 0660)
 * speaking the line protocol of ctlproto.h, one handler per command of its
 * table.  Fully non-blocking: a client that sends slowly or never reads its
 * answer costs a buffer and is dropped after CTL_CLIENT_TIMEOUT_MS; the
 * daemon never waits for it.
 *
 * A `watch` client stays connected after its answer and receives each new
 * event as one JSON line (ctlsrv_broadcast).  Watchers sit on their own
 * list (the oldest-client eviction does not touch them) and are bounded in
 * number; one that does not read is disconnected once CTL_WATCH_BUF_MAX
 * bytes wait for it, and counted.
 *
 * The heavy answers (status, metrics: a JSON of every VIP, ~63 KB for 4,000
 * VIPs) are built at most once per loop iteration, after every event of the
 * iteration, and that one line goes to every client that asked for it
 * meanwhile: 40 clients asking at once cost one build, not 40 back to back
 * between two heartbeats (tests/netns/ctl_load.sh).  A build that would
 * not end before the next heartbeat is due (its duration is that of the
 * last build of that answer, with a margin) waits until just after it:
 * the answer comes a few milliseconds later, the heartbeat on time.
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
#include <time.h>
#include <unistd.h>

#include "vipd.h"

#define CTL_MAX_CLIENTS       32
#define CTL_CLIENT_TIMEOUT_MS 5000
#define CTL_MAX_WATCHERS      16
#define CTL_WATCH_BUF_MAX     (64 * 1024)

struct ctlsrv_client {
	struct ctlsrv *c;
	int fd;
	struct ev_io io;
	struct ev_timer timeout;
	char in[CTL_REQ_MAX + 2];
	size_t inlen;
	char *out;
	size_t outlen, outpos;
	bool watch;    /* stays open after its answer (CTL_WATCH) */
	bool watching; /* on c->watchers: its answer went out */
	bool pending;  /* waits for the iteration's shared answer to cmd */
	enum ctl_cmd cmd;
	struct ctlsrv_client *next;
};

struct ctlsrv {
	struct vipd *d;
	int fd;
	struct ev_io io;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool bound; /* the socket file is ours to remove */
	struct ctlsrv_client *clients;
	size_t nclients;
	struct ctlsrv_client *watchers;
	size_t nwatchers;
	struct ev_timer shared;         /* builds the shared answers */
	uint64_t build_us[CTL_CMD_MAX]; /* the last build of each, in µs */
	uint64_t built, deferred;       /* shared answers */
	uint64_t hb_delay_max_ms;       /* a build held a due heartbeat */
};

static void
client_free(struct ctlsrv_client *cl)
{
	struct ctlsrv *c = cl->c;
	struct ctlsrv_client **pp;

	for (pp = cl->watching ? &c->watchers : &c->clients; *pp;
	     pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	if (cl->watching)
		c->nwatchers--;
	else
		c->nclients--;
	ev_io_stop(c->d->loop, &cl->io);
	ev_timer_stop(c->d->loop, &cl->timeout);
	close(cl->fd);
	free(cl->out);
	free(cl);
}

/* Its answer went out: a watch client moves to the watchers' list. */
static void
client_start_watching(struct ctlsrv_client *cl)
{
	struct ctlsrv *c = cl->c;
	struct ctlsrv_client **pp;

	for (pp = &c->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	c->nclients--;
	cl->watching = true;
	cl->next = c->watchers;
	c->watchers = cl;
	c->nwatchers++;
	ev_timer_stop(c->d->loop, &cl->timeout);
}

static void
client_flush(struct ctlsrv_client *cl)
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
		if (n <= 0) {
			client_free(cl);
			return;
		}
		cl->outpos += (size_t)n;
	}
	if (!cl->watch) {
		client_free(cl);
		return;
	}
	/* A watcher: wait for more lines; EPOLLIN tells us it hung up. */
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outpos = 0;
	if (!cl->watching)
		client_start_watching(cl);
	ev_io_modify(cl->c->d->loop, &cl->io, EPOLLIN);
}

/* One command's answer: a new object, or NULL on ENOMEM. */
typedef json_t *ctlsrv_handler(struct vipd *d, const struct ctl_req *req);

static json_t *
do_status(struct vipd *d, const struct ctl_req *req)
{
	(void)req;
	return status_json(d);
}

static json_t *
do_metrics(struct vipd *d, const struct ctl_req *req)
{
	(void)req;
	return metrics_json(d);
}

static json_t *
do_release(struct vipd *d, const struct ctl_req *req)
{
	const char *name = req->arg;
	struct vgroup *g = group_find(d, name);
	struct el_group_info gi;
	char msg[160];

	if (g == NULL) {
		snprintf(msg, sizeof(msg), "unknown group '%s'", name);
		return ctl_json_error(msg);
	}
	el_cluster_group_info(d->el, g->el_idx, ev_now(d->loop), &gi);
	if (gi.state != EL_ST_LEADER) {
		snprintf(msg, sizeof(msg),
		         "this node does not lead group '%s' (state %s)", name,
		         ctl_state_name(status_state(gi.state)));
		return ctl_json_error(msg);
	}
	el_cluster_resign(d->el, g->el_idx, ev_now(d->loop));
	log_info("group %s: release requested over the control socket", name);
	vipd_el_flush(d);
	el_cluster_group_info(d->el, g->el_idx, ev_now(d->loop), &gi);
	return json_pack("{s:b,s:o,s:s}", "ok", 1, "group", ctl_json_str(name),
	                 "state", ctl_state_name(status_state(gi.state)));
}

/* The reload's own duration, for the report (the loop's clock is read
 * once per iteration and would say 0). */
static uint64_t
clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static json_t *
do_reload(struct vipd *d, const struct ctl_req *req)
{
	struct conf_errors errs = {NULL, 0};
	char err[512];
	json_t *v, *list;
	uint64_t t0;
	size_t i;

	(void)req;
	/* Every key present, empty or not: scripts read them blindly. */
	v = json_pack("{s:b,s:[],s:[],s:[],s:[]}", "ok", 1, "added", "removed",
	              "changed", "kept");
	t0 = clock_us();
	if (vipd_reload_report(d, &errs, v, err, sizeof(err)) == 0) {
		if (v != NULL) {
			json_object_set_new(v, "result", ctl_json_str(err));
			json_object_set_new(v, "duration_us",
			                    ctl_json_uint(clock_us() - t0));
		}
		return v;
	}
	json_decref(v);
	list = json_array();
	for (i = 0; list != NULL && i < errs.n; i++)
		if (json_array_append_new(list, ctl_json_str(errs.msg[i])) ==
		    -1) {
			json_decref(list);
			list = NULL;
		}
	conf_errors_clear(&errs);
	v = json_pack("{s:b,s:o,s:o}", "ok", 0, "error", ctl_json_str(err),
	              "errors", list);
	return v;
}

static json_t *
do_ping(struct vipd *d, const struct ctl_req *req)
{
	(void)d;
	(void)req;
	return json_pack("{s:b,s:I}", "ok", 1, "pid", (json_int_t)getpid());
}

static json_t *
do_events(struct vipd *d, const struct ctl_req *req)
{
	json_t *v = events_json(d->events);

	(void)req;
	if (v != NULL &&
	    json_object_set_new(v, "watchers",
	                        ctl_json_uint(d->ctl->nwatchers)) == -1) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

/* The answer to watch; client_handle keeps the connection open. */
static json_t *
do_watch(struct vipd *d, const struct ctl_req *req)
{
	(void)req;
	if (d->ctl->nwatchers >= CTL_MAX_WATCHERS)
		return ctl_json_error("too many watchers");
	return json_pack("{s:b,s:o}", "ok", 1, "seq",
	                 ctl_json_uint(events_total(d->events)));
}

/* Maintenance: GROUP (or the node) down or up, as a failing check. */
static json_t *
maint(struct vipd *d, const struct ctl_req *req, bool node, bool down)
{
	struct vgroup *g = NULL;
	char msg[160];

	if (!node && (g = group_find(d, req->arg)) == NULL) {
		snprintf(msg, sizeof(msg), "unknown group '%s'", req->arg);
		return ctl_json_error(msg);
	}
	track_maint_set(d, g, down);
	return json_pack("{s:b,s:s,s:b}", "ok", 1, "target",
	                 node ? "node" : req->arg, "maintenance", (int)down);
}

static json_t *
do_down(struct vipd *d, const struct ctl_req *req)
{
	return maint(d, req, false, true);
}

static json_t *
do_up(struct vipd *d, const struct ctl_req *req)
{
	return maint(d, req, false, false);
}

static json_t *
do_drain(struct vipd *d, const struct ctl_req *req)
{
	return maint(d, req, true, true);
}

static json_t *
do_undrain(struct vipd *d, const struct ctl_req *req)
{
	return maint(d, req, true, false);
}

/* Every command of ctlproto.h's table has its handler here. */
static ctlsrv_handler *const handlers[CTL_CMD_MAX] = {
    [CTL_STATUS] = do_status,   [CTL_METRICS] = do_metrics,
    [CTL_RELEASE] = do_release, [CTL_RELOAD] = do_reload,
    [CTL_PING] = do_ping,       [CTL_EVENTS] = do_events,
    [CTL_WATCH] = do_watch,     [CTL_DOWN] = do_down,
    [CTL_UP] = do_up,           [CTL_DRAIN] = do_drain,
    [CTL_UNDRAIN] = do_undrain,
};

/*
 * When to build the answer to cmd: now, unless the last build of it would
 * not end before the heartbeat timer fires (2 ms and half the last build
 * of margin); then 1 ms after the heartbeat.  An answer that takes longer
 * than an interval still goes right after a heartbeat, where it delays
 * the next one least.
 */
static uint64_t
shared_when(struct ctlsrv *c, enum ctl_cmd cmd)
{
	const struct ev_timer *hb = &c->d->hb_timer;
	uint64_t now = ev_now(c->d->loop);
	uint64_t need_ms = (c->build_us[cmd] * 3 / 2 + 999) / 1000 + 2;

	if (!hb->active || hb->when <= now || c->build_us[cmd] == 0 ||
	    now + need_ms < hb->when)
		return now;
	c->deferred++;
	return hb->when + 1;
}

static void
client_handle(struct ctlsrv_client *cl)
{
	struct vipd *d = cl->c->d;
	struct ctl_req req;
	json_t *answer;
	char err[128];

	if (ctl_req_parse(cl->in, cl->inlen, &req, err, sizeof(err)) == -1) {
		answer = ctl_json_error(err);
	} else if (req.cmd == CTL_STATUS || req.cmd == CTL_METRICS) {
		answer = NULL; /* shared, built in on_shared */
		cl->pending = true;
		cl->cmd = req.cmd;
	} else if (handlers[req.cmd] == NULL)
		answer = ctl_json_error("command not implemented");
	else
		answer = handlers[req.cmd](d, &req);
	if (answer == NULL && cl->pending) {
		ev_io_modify(d->loop, &cl->io, 0);
		if (!cl->c->shared.active)
			ev_timer_start(d->loop, &cl->c->shared,
			               shared_when(cl->c, req.cmd));
		return;
	}
	cl->watch = req.cmd == CTL_WATCH && answer != NULL &&
	            ctl_json_get_bool(answer, "ok", false);
	cl->out = ctl_json_line(answer, &cl->outlen);
	json_decref(answer);
	if (cl->out == NULL) {
		client_free(cl);
		return;
	}
	ev_io_modify(d->loop, &cl->io, 0);
	client_flush(cl);
}

/* The answer to cmd (which takes no argument), built once for every
 * client waiting for it. */
static void
shared_answer(struct ctlsrv *c, enum ctl_cmd cmd)
{
	struct ctlsrv_client *cl, *next;
	struct ctl_req req;
	json_t *answer;
	char *line = NULL;
	size_t len = 0;
	bool built = false;

	for (cl = c->clients; cl != NULL; cl = next) {
		next = cl->next;
		if (!cl->pending || cl->cmd != cmd)
			continue;
		if (!built) {
			uint64_t t0 = clock_us(),
			         t0_ms = ev_clock_monotonic_ms();
			const struct ev_timer *hb = &c->d->hb_timer;
			uint64_t end_ms;

			memset(&req, 0, sizeof(req));
			req.cmd = cmd;
			answer = handlers[cmd](c->d, &req);
			line = ctl_json_line(answer, &len);
			json_decref(answer);
			built = true;
			c->build_us[cmd] = clock_us() - t0 + 1;
			c->built++;
			/* A heartbeat that fell due during the build waited
			 * for it (its timer runs after this callback). */
			end_ms = ev_clock_monotonic_ms();
			if (hb->active && hb->when < end_ms) {
				uint64_t from =
				    hb->when > t0_ms ? hb->when : t0_ms;

				if (end_ms - from > c->hb_delay_max_ms)
					c->hb_delay_max_ms = end_ms - from;
			}
		}
		cl->pending = false;
		if (line == NULL || (cl->out = malloc(len)) == NULL) {
			client_free(cl);
			continue;
		}
		memcpy(cl->out, line, len);
		cl->outlen = len;
		cl->outpos = 0;
		client_flush(cl); /* may free cl, never another client */
	}
	free(line);
}

static void
on_shared(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	shared_answer(arg, CTL_STATUS);
	shared_answer(arg, CTL_METRICS);
}

static void
on_client(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct ctlsrv_client *cl = arg;
	ssize_t n;

	(void)loop;
	(void)io;
	if (cl->out != NULL) {
		if (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			client_flush(cl);
		return;
	}
	if (cl->watching) {
		char junk[256];

		/* A watcher has nothing more to say: input is dropped, EOF
		 * or an error ends it. */
		n = read(cl->fd, junk, sizeof(junk));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_free(cl);
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

static struct ctlsrv_client *
client_oldest(struct ctlsrv *c)
{
	struct ctlsrv_client *cl = c->clients;

	while (cl->next != NULL)
		cl = cl->next;
	return cl;
}

static void
on_accept(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct ctlsrv *c = arg;
	struct ctlsrv_client *cl;
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

struct ctlsrv *
ctlsrv_new(struct vipd *d, const char *path, const char *sock_group, char *err,
           size_t errlen)
{
	struct ctlsrv *c = calloc(1, sizeof(*c));
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
	if (sock_group != NULL && sock_group[0] != '\0') {
		if ((gr = getgrnam(sock_group)) == NULL)
			log_warnx("control socket: unknown group '%s'",
			          sock_group);
		else if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
			log_warn("chown %s", path);
	}
	if (listen(c->fd, 16) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path,
		         strerror(errno));
		goto fail;
	}
	ev_timer_init(&c->shared, on_shared, c);
	ev_io_init(&c->io, c->fd, on_accept, c);
	if (ev_io_start(d->loop, &c->io, EPOLLIN) == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		goto fail;
	}
	return c;
fail:
	ctlsrv_free(c);
	return NULL;
}

void
ctlsrv_free(struct ctlsrv *c)
{
	if (c == NULL)
		return;
	while (c->clients)
		client_free(c->clients);
	while (c->watchers)
		client_free(c->watchers);
	ev_timer_stop(c->d->loop, &c->shared);
	if (c->fd != -1) {
		ev_io_stop(c->d->loop, &c->io);
		close(c->fd);
	}
	if (c->bound)
		unlink(c->path);
	free(c);
}

json_t *
ctlsrv_status_json(const struct ctlsrv *c)
{
	return json_pack("{s:o,s:o,s:o}", "answers_built",
	                 ctl_json_uint(c->built), "answers_deferred",
	                 ctl_json_uint(c->deferred), "heartbeat_delay_max_ms",
	                 ctl_json_uint(c->hb_delay_max_ms));
}

size_t
ctlsrv_watchers(const struct ctlsrv *c)
{
	return c != NULL ? c->nwatchers : 0;
}

/* Append line to a watcher's buffer; false when it would grow too big. */
static bool
watcher_queue(struct ctlsrv_client *cl, const char *line, size_t len)
{
	size_t pending = cl->outlen - cl->outpos;
	char *nb;

	if (pending + len > CTL_WATCH_BUF_MAX)
		return false;
	if (cl->outpos > 0) {
		memmove(cl->out, cl->out + cl->outpos, pending);
		cl->outlen = pending;
		cl->outpos = 0;
	}
	if ((nb = realloc(cl->out, cl->outlen + len)) == NULL)
		return false;
	memcpy(nb + cl->outlen, line, len);
	cl->out = nb;
	cl->outlen += len;
	return true;
}

void
ctlsrv_broadcast(struct ctlsrv *c, const char *line, size_t len)
{
	struct ctlsrv_client *cl, *next;

	if (c == NULL)
		return;
	for (cl = c->watchers; cl != NULL; cl = next) {
		next = cl->next;
		if (!watcher_queue(cl, line, len)) {
			c->d->ctr[CTL_DC_WATCHERS_DROPPED]++;
			log_warnx("event watcher dropped: %zu bytes unread",
			          cl->outlen - cl->outpos);
			client_free(cl);
			continue;
		}
		client_flush(cl); /* frees it if the peer is gone */
	}
}
