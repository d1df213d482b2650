/*
 * http: an HTTP(S) GET answers an expected status (any 2xx unless the
 * check lists its codes).  libcurl's multi-socket interface drives the
 * transfer from vipd's loop: curl tells which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to call it back
 * (CURLMOPT_TIMERFUNCTION); the loop calls curl_multi_socket_action.
 * Nothing blocks.  One multi handle per check: they are few, and a check
 * then owns everything it uses.  A new connection for every run (a check
 * must see a service that stopped accepting), no redirects, http and
 * https only, the body discarded.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "chk_int.h"

/* One socket curl asked us to watch. */
struct http_sock {
	struct ev_io io;
	struct chk *c;
	curl_socket_t fd;
	struct http_sock *next;
};

struct http {
	CURLM *multi;
	CURL *easy; /* the running transfer, or NULL */
	struct curl_slist *headers;
	struct ev_timer timer;
	struct http_sock *socks;
};

static void http_settle(struct chk *c);

static void
sock_drop(struct http *h, struct http_sock *s, struct ev_loop *loop)
{
	struct http_sock **pp;

	for (pp = &h->socks; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	ev_io_stop(loop, &s->io);
	free(s);
}

static void
on_sock(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct http_sock *s = arg;
	struct chk *c = s->c;
	struct http *h = c->http;
	int flags = 0, running;

	(void)loop;
	(void)io;
	if (revents & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	/* s may be freed within: curl removes the socket. */
	curl_multi_socket_action(h->multi, s->fd, flags, &running);
	http_settle(c);
}

static int
on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
               void *socketp)
{
	struct chk *c = userp;
	struct http *h = c->http;
	struct http_sock *s = socketp;
	uint32_t ev = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL)
			sock_drop(h, s, c->env.loop);
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= EPOLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= EPOLLOUT;
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->c = c;
		s->fd = fd;
		s->next = h->socks;
		h->socks = s;
		ev_io_init(&s->io, fd, on_sock, s);
		curl_multi_assign(h->multi, fd, s);
		return ev_io_start(c->env.loop, &s->io, ev) == -1 ? -1 : 0;
	}
	return ev_io_modify(c->env.loop, &s->io, ev) == -1 ? -1 : 0;
}

static void
on_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct chk *c = arg;
	int running;

	(void)loop;
	(void)t;
	curl_multi_socket_action(((struct http *)c->http)->multi,
	                         CURL_SOCKET_TIMEOUT, 0, &running);
	http_settle(c);
}

/* curl's wish for a callback: never act from here (curl forbids it). */
static int
on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct chk *c = userp;
	struct http *h = c->http;

	(void)multi;
	if (timeout_ms < 0)
		ev_timer_stop(c->env.loop, &h->timer);
	else
		ev_timer_start_in(c->env.loop, &h->timer, (uint64_t)timeout_ms);
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static bool
status_expected(const struct chk *c, long code)
{
	size_t i;

	if (c->def.nexpect == 0)
		return code >= 200 && code < 300;
	for (i = 0; i < c->def.nexpect; i++)
		if ((long)c->def.expect[i] == code)
			return true;
	return false;
}

static void
http_end(struct chk *c)
{
	struct http *h = c->http;

	if (h->easy == NULL)
		return;
	curl_multi_remove_handle(h->multi, h->easy);
	curl_easy_cleanup(h->easy);
	h->easy = NULL;
	while (h->socks != NULL) {
		curl_multi_assign(h->multi, h->socks->fd, NULL);
		sock_drop(h, h->socks, c->env.loop);
	}
	ev_timer_stop(c->env.loop, &h->timer);
}

/* A finished transfer becomes the run's result. */
static void
http_settle(struct chk *c)
{
	struct http *h = c->http;
	CURLcode rc;
	CURLMsg *m;
	long code = 0;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE || m->easy_handle != h->easy)
			continue;
		rc = m->data.result;
		if (rc == CURLE_OK)
			curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE,
			                  &code);
		http_end(c);
		if (rc != CURLE_OK)
			chk_done(c, false, (int)rc, "%s",
			         curl_easy_strerror(rc));
		else
			chk_done(c, status_expected(c, code), (int)code,
			         "HTTP %ld", code);
		return;
	}
}

static bool
easy_setup(struct chk *c, CURL *e)
{
	struct http *h = c->http;

	return curl_easy_setopt(e, CURLOPT_URL, c->def.url) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") ==
	           CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	                        (long)c->def.timeout_ms) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER,
	                        c->def.tls_verify ? 1L : 0L) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST,
	                        c->def.tls_verify ? 2L : 0L) == CURLE_OK &&
	       (c->def.ca_file == NULL ||
	        curl_easy_setopt(e, CURLOPT_CAINFO, c->def.ca_file) ==
	            CURLE_OK) &&
	       (h->headers == NULL ||
	        curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers) ==
	            CURLE_OK) &&
	       curl_easy_setopt(e, CURLOPT_USERAGENT, "vipd-check") ==
	           CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
}

static void
http_run(struct chk *c)
{
	struct http *h = c->http;
	CURL *e = curl_easy_init();

	if (e == NULL || !easy_setup(c, e)) {
		if (e != NULL)
			curl_easy_cleanup(e);
		chk_done(c, false, ENOMEM, "curl: cannot set up the request");
		return;
	}
	h->easy = e;
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		h->easy = NULL;
		curl_easy_cleanup(e);
		chk_done(c, false, ENOMEM, "curl: cannot start the request");
	}
	/* curl now asks for a timer (0 ms): the transfer starts from there. */
}

static void
http_free(struct chk *c)
{
	struct http *h = c->http;

	if (h == NULL)
		return;
	http_end(c);
	curl_slist_free_all(h->headers);
	curl_multi_cleanup(h->multi);
	free(h);
	c->http = NULL;
	curl_global_cleanup();
}

const struct chk_ops chk_http_ops = {http_run, http_end, http_free};

int
chk_http_init(struct chk *c)
{
	struct http *h;
	char host[300];

	/* Reference-counted; vipd has one thread. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		errno = ENOMEM;
		return -1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->multi = curl_multi_init()) == NULL) {
		free(h);
		curl_global_cleanup();
		errno = ENOMEM;
		return -1;
	}
	c->http = h;
	ev_timer_init(&h->timer, on_timer, c);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, c);
	if (c->def.host != NULL) {
		snprintf(host, sizeof(host), "Host: %s", c->def.host);
		if ((h->headers = curl_slist_append(NULL, host)) == NULL) {
			http_free(c);
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}
