/*
 * The Prometheus endpoint (promsrv_): libmicrohttpd in its external epoll
 * mode, driven by the daemon's loop.  MHD keeps its own epoll set (the
 * listening socket and its connections); that epoll fd sits in our loop,
 * MHD_run() does the work when it is readable or when MHD's next deadline
 * (MHD_get_timeout(): a connection's idle timeout, or 0 for work pending)
 * comes.  MHD_run() never blocks in this mode: no thread, no wait.
 *
 * GET (or HEAD) /metrics answers the metrics answer (status.c) in text
 * format (ctlprom.h); other paths get 404, other methods 405.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "ctlprom.h"
#include "vipd.h"

/* A client idle this long is dropped (slow or silent ones included). */
#define PROMSRV_TIMEOUT_S   5
#define PROMSRV_MAX_CLIENTS 16

struct promsrv {
	struct vipd *d;
	struct MHD_Daemon *mhd;
	struct ev_io io;       /* MHD's epoll fd */
	struct ev_timer timer; /* MHD_get_timeout() */
	bool started;          /* MHD_start_daemon() returned */
	char lasterr[256];     /* MHD's last message */
};

/* MHD's messages: kept for a start-up error, at debug level later (a
 * client's misbehaviour must not flood the log). */
static void
on_mhd_log(void *arg, const char *fmt, va_list ap)
{
	struct promsrv *p = arg;
	size_t n;

	vsnprintf(p->lasterr, sizeof(p->lasterr), fmt, ap);
	n = strlen(p->lasterr);
	while (n > 0 && p->lasterr[n - 1] == '\n')
		p->lasterr[--n] = '\0';
	if (p->started)
		log_debug("metrics: %s", p->lasterr);
}

/* Arm the timer for MHD's next deadline (0: work is pending now). */
static void
rearm(struct promsrv *p)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(p->mhd, &ms) == MHD_YES)
		ev_timer_start_in(p->d->loop, &p->timer, ms);
	else
		ev_timer_stop(p->d->loop, &p->timer);
}

static void
run(struct promsrv *p)
{
	MHD_run(p->mhd);
	rearm(p);
}

static void
on_epoll(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	(void)loop;
	(void)io;
	(void)revents;
	run(arg);
}

static void
on_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	run(arg);
}

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO; /* no memory: MHD closes the connection */
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A short text answer (404, 405, 500). */
static enum MHD_Result
answer_text(struct MHD_Connection *conn, unsigned status, const char *text,
            const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);

	if (r != NULL &&
	    (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                             "text/plain; charset=utf-8") == MHD_NO ||
	     (allow != NULL && MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
	                                               allow) == MHD_NO))) {
		MHD_destroy_response(r);
		r = NULL;
	}
	return answer(conn, status, r);
}

static enum MHD_Result
answer_metrics(struct promsrv *p, struct MHD_Connection *conn)
{
	json_t *v = metrics_json(p->d);
	struct MHD_Response *r = NULL;
	size_t len = 0;
	char *text = v != NULL ? ctl_prom_format(v, &len) : NULL;

	json_decref(v);
	if (text == NULL)
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                   "out of memory\n", NULL);
	/* MUST_FREE: MHD frees text with free() when the answer is gone. */
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                            CTL_PROM_CONTENT_TYPE) == MHD_NO) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	return answer(conn, MHD_HTTP_OK, r);
}

/*
 * MHD's request handler.  A method other than GET and HEAD is refused at
 * the first call, before its body is read (MHD then closes the
 * connection).  GET and HEAD are answered at the second call, once the
 * request is complete, so that the connection can stay open for the next
 * scrape; a body sent with them is read and ignored.
 */
static enum MHD_Result
on_request(void *arg, struct MHD_Connection *conn, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **req_arg)
{
	(void)version;
	(void)upload;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		                   "method not allowed: GET /metrics\n",
		                   "GET, HEAD");
	if (*req_arg == NULL) {
		*req_arg = conn; /* any non-NULL mark: headers seen */
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0)
		return answer_text(conn, MHD_HTTP_NOT_FOUND,
		                   "not found: GET /metrics\n", NULL);
	return answer_metrics(arg, conn);
}

/* addr:port as a socket address; returns its length. */
static socklen_t
sockaddr_of(const struct net_addr *addr, uint16_t port,
            struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (addr->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr->a, 4);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, addr->a, 16);
	return sizeof(*sin6);
}

struct promsrv *
promsrv_new(struct vipd *d, const struct net_addr *addr, uint16_t port,
            char *err, size_t errlen)
{
	struct promsrv *p = calloc(1, sizeof(*p));
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	char a[NET_ADDR_STRLEN];
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	net_addr_str(addr, a, sizeof(a));
	if (p == NULL) {
		snprintf(err, errlen, "metrics: out of memory");
		return NULL;
	}
	p->d = d;
	ev_timer_init(&p->timer, on_timer, p);
	sockaddr_of(addr, port, &ss);
	if (addr->family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	p->mhd = MHD_start_daemon(
	    flags, port, NULL, NULL, on_request, p, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)PROMSRV_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)PROMSRV_MAX_CLIENTS, MHD_OPTION_LISTENING_ADDRESS_REUSE,
	    (unsigned)1, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, p,
	    MHD_OPTION_END);
	if (p->mhd == NULL) {
		snprintf(err, errlen, "metrics.listen %s%s%s:%u: %s",
		         addr->family == AF_INET6 ? "[" : "", a,
		         addr->family == AF_INET6 ? "]" : "", port,
		         p->lasterr[0] ? p->lasterr
		         : errno       ? strerror(errno)
		                       : "cannot start the HTTP server");
		free(p);
		return NULL;
	}
	p->started = true;
	info = MHD_get_daemon_info(p->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	ev_io_init(&p->io, info != NULL ? info->epoll_fd : -1, on_epoll, p);
	if (info == NULL || ev_io_start(d->loop, &p->io, EPOLLIN) == -1) {
		snprintf(err, errlen, "metrics: epoll: %s", strerror(errno));
		promsrv_free(p);
		return NULL;
	}
	rearm(p);
	log_info("metrics: serving http://%s%s%s:%u/metrics",
	         addr->family == AF_INET6 ? "[" : "", a,
	         addr->family == AF_INET6 ? "]" : "", port);
	return p;
}

void
promsrv_free(struct promsrv *p)
{
	if (p == NULL)
		return;
	ev_io_stop(p->d->loop, &p->io);
	ev_timer_stop(p->d->loop, &p->timer);
	MHD_stop_daemon(p->mhd);
	free(p);
}
