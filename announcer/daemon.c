/*
 * The daemon's root object: set-up in dependency order, the heartbeat and
 * election timers, signals, and the graceful shutdown (resign, wait for the
 * successor, release, remove what we installed, exit).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vipd.h"

/* Reconcile addresses, rules and routes at least this often even when no
 * notification said anything was removed (a safety net for lost ones). */
#define RECONCILE_PERIOD_MS 30000
/* The abstract socket name that marks a namespace's running vipd. */
#define VIPD_GUARD_NAME "vipd/instance"

static uint64_t
dead_interval(const struct vipd *d)
{
	return (uint64_t)d->cfg->interval_ms * d->cfg->dead_after;
}

void
vipd_make_parent_dir(const char *path)
{
	char dir[CONF_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) == 0)
		log_debug("created %s", dir);
}

/* How long a resigning leader waits for its successor (make-before-break). */
static unsigned
resign_wait_ms(const struct vipd *d)
{
	return 3 * d->cfg->interval_ms;
}

static uint64_t
draw_epoch(void)
{
	struct timespec ts;
	uint32_t rnd = 0;
	uint64_t us;

	/* High bits: wall-clock microseconds, so that a newer boot compares
	 * greater (replay protection across restarts) even when vipd is
	 * restarted within the same second (seconds and random low bits let
	 * half of those restarts draw a smaller epoch, whose messages the
	 * peers then dropped as replays for the whole run); low 10 bits:
	 * random. */
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (uint32_t)ev_clock_monotonic_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	return us << 10 | (rnd & 0x3ffu);
}

void
vipd_el_rearm(struct vipd *d)
{
	uint64_t when = el_cluster_next_deadline(d->el);

	if (when == UINT64_MAX)
		ev_timer_stop(d->loop, &d->el_timer);
	else
		ev_timer_start(d->loop, &d->el_timer, when);
}

static void stop_check(struct vipd *d);

/* Events applied per batch; more wait for the next pass of the loop. */
#define FLUSH_BATCH 64

void
vipd_el_flush(struct vipd *d)
{
	struct el_event evs[FLUSH_BATCH];
	bool changed = false;
	size_t i, n;

	for (;;) {
		n = 0;
		while (n < FLUSH_BATCH && el_cluster_next_event(d->el, &evs[n]))
			n++;
		/* Make-before-break: a VIP we take over is bound before the
		 * heartbeat that makes the old leader unbind it. */
		for (i = 0; i < n; i++)
			if (evs[i].group < d->ngroups &&
			    d->groups[evs[i].group] != NULL)
				group_prebind(d->groups[evs[i].group], &evs[i]);
		/* Heartbeats first: a peer must learn that we lead before our
		 * gratuitous ARPs reach it, or it takes them for a rival. */
		if (el_cluster_send_due(d->el))
			peers_send(d);
		if (n == 0)
			break;
		changed = true;
		for (i = 0; i < n; i++)
			if (evs[i].group < d->ngroups &&
			    d->groups[evs[i].group] != NULL)
				group_apply(d->groups[evs[i].group], &evs[i]);
	}
	vipd_el_rearm(d);
	stop_check(d);
	sdnotify_update(d->sdn, changed);
}

static void
on_el_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vipd *d = arg;

	(void)t;
	el_cluster_tick(d->el, ev_now(loop));
	vipd_el_flush(d);
}

/*
 * Stall guard: a wait of the loop returned late, more than a dead interval
 * after it began (ev_loop_last_gap), so the process was frozen (SIGSTOP, VM
 * pause) for about that long; our own long callbacks do not count.
 * Peers have likely declared us dead and taken over: go quiet and listen
 * before re-asserting.  Runs before the heartbeats and frames that queued
 * up meanwhile are read.  A node without peers has nobody to defer to.
 */
static void
on_stall(struct ev_loop *loop, uint64_t gap_ms, void *arg)
{
	struct vipd *d = arg;

	d->ctr[CTL_DC_STALLS]++;
	vipd_event(d, EVK_STALL, NULL, -1, -1, "loop stalled for %llu ms",
	           (unsigned long long)gap_ms);
	log_warnx("loop stalled for %llu ms (dead interval %llu ms): going "
	          "quiet until the cluster is heard",
	          (unsigned long long)gap_ms,
	          (unsigned long long)dead_interval(d));
	el_cluster_stalled(d->el, gap_ms, ev_now(loop));
	vipd_el_flush(d);
}

/* Backups ask the data plane about a leader whose heartbeats are late. */
static void
leader_checks(struct vipd *d, uint64_t now)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g != NULL &&
		    el_cluster_leader_overdue(
		        d->el, i, now, d->cfg->interval_ms * 3 / 2, NULL))
			announce_probe_leader(g);
	}
}

static void
on_hb_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vipd *d = arg;
	uint64_t now = ev_now(loop);

	el_cluster_tick(d->el, now);
	leader_checks(d, now);
	vipd_el_flush(d);
	peers_send(d);
	ev_timer_start(loop, t, now + d->cfg->interval_ms);
}

static void
on_reconcile_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vipd *d = arg;

	pin_reconcile(d->pin);
	vipd_el_flush(d);
	ev_timer_start_in(loop, t, RECONCILE_PERIOD_MS);
}

/* ------------------------------------------------------------- netlink */

/*
 * A link notification goes to the ports first: the port it is about opens,
 * closes or re-flags its capture.  The pin learns that interface's new
 * state before the port's groups enter or leave their faults (a group
 * whose fault clears brings its pin up on the new state), then handles
 * the notification itself (sysctls of a new interface, tables on it).
 */
static void
link_event(struct vipd *d, const struct rtnl_link *l, bool deleted)
{
	struct pin_link pl;
	size_t i;

	for (i = 0; i < d->nports; i++) {
		struct port *p = d->ports[i];

		if (!port_link_event(p, l, deleted))
			continue;
		port_pin_link(p, &pl);
		pin_link_set(d->pin, p->ifname, &pl);
		port_groups_fault(p);
	}
	pin_link_event(d->pin, l, deleted);
	track_link_event(d, l, deleted);
}

/* Each notification to its consumers: links to the ports, then the pin;
 * addresses, rules and routes to the pin. */
static void
on_rtnl_event(const struct rtnl_event *ev, void *arg)
{
	struct vipd *d = arg;

	switch (ev->kind) {
	case RTNL_EV_LINK:
		link_event(d, &ev->u.link, ev->deleted);
		break;
	case RTNL_EV_ADDR:
		pin_addr_event(d->pin, &ev->u.addr, ev->deleted);
		break;
	case RTNL_EV_RULE:
		pin_rule_event(d->pin, &ev->u.rule, ev->deleted);
		break;
	case RTNL_EV_ROUTE:
		pin_route_event(d->pin, &ev->u.route, ev->deleted);
		break;
	}
}

/* Notifications were lost: re-read the ports' links as if notified, and
 * have the pin run a pass that also retries its faults. */
static void
resync(struct vipd *d)
{
	size_t i;

	for (i = 0; i < d->nports; i++) {
		struct rtnl_link l;
		struct port *p = d->ports[i];

		if (rtnl_link_get(d->nl, p->ifname, &l) == 0)
			link_event(d, &l, false);
		else if (p->present) {
			memset(&l, 0, sizeof(l));
			l.ifindex = p->ifindex;
			snprintf(l.name, sizeof(l.name), "%s", p->ifname);
			link_event(d, &l, true);
		}
	}
	pin_resync(d->pin);
}

static void
on_netlink(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct vipd *d = arg;

	(void)loop;
	(void)io;
	(void)revents;
	if (rtnl_monitor_read(d->nl, on_rtnl_event, d) == -1 &&
	    errno == ENOBUFS) {
		/* Notifications were lost: re-read everything we rely on. */
		log_warnx("netlink notifications lost; re-reading state");
		d->ctr[CTL_DC_NETLINK_ERRORS]++;
		resync(d);
	}
	vipd_el_flush(d);
}

/* ------------------------------------------------------------ shutdown */

static void
finish(struct vipd *d)
{
	size_t i;

	/* Runs once, whichever path gets here first. */
	if (d->finishing)
		return;
	d->finishing = true;
	d->stopping = false;
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] != NULL)
			el_cluster_group_set_fault(d->el, i, true,
			                           ev_now(d->loop));
	vipd_el_flush(d);
	/* Tell peers we are out (priority 0 everywhere) before we go. */
	peers_send(d);
	pin_cleanup_all(d->pin);
	/* Breaks the loop once the STOP notifications ran. */
	notify_stop(d);
}

static void
stop_check(struct vipd *d)
{
	size_t i;

	if (!d->stopping || el_cluster_resigning(d->el))
		return;
	/* A group that handed over keeps its VIPs a moment longer. */
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] != NULL && group_holding(d->groups[i]))
			return;
	finish(d);
}

static void
on_stop_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vipd *d = arg;

	(void)loop;
	(void)t;
	if (d->stopping) {
		log_warnx("shutdown: handover not confirmed in time; "
		          "releasing anyway");
		finish(d);
	}
}

void
vipd_shutdown(struct vipd *d)
{
	size_t n;
	/* The election's own bound on the handover, plus slack for the last
	 * messages to arrive. */
	uint64_t wait = resign_wait_ms(d) + 100;

	if (d->finishing) {
		log_info("second stop signal: not waiting for notify scripts");
		ev_loop_break(d->loop);
		return;
	}
	if (d->stopping) {
		log_info("second stop signal: exiting now");
		finish(d);
		return;
	}
	d->stopping = true;
	/* Without a live peer there is nobody to hand over to: release at
	 * once rather than wait for a successor that cannot come. */
	n = !el_cluster_any_peer_alive(d->el, ev_now(d->loop))
	        ? 0
	        : el_cluster_resign(d->el, SIZE_MAX, ev_now(d->loop));
	if (n > 0)
		log_info("shutting down: handing over %zu group%s", n,
		         n == 1 ? "" : "s");
	else
		log_info("shutting down");
	sdnotify_stopping(d->sdn,
	                  n > 0 ? "stopping: handing over" : "stopping");
	vipd_event(d, EVK_STOP, NULL, -1, -1, "%s",
	           n > 0 ? "stopping: handing over" : "stopping");
	ev_timer_start_in(d->loop, &d->stop_timer, wait);
	vipd_el_flush(d);
}

/* SIGUSR1: each group's state and each peer, one log line each. */
static void
dump_state(struct vipd *d)
{
	uint64_t now = ev_now(d->loop);
	struct el_group_info gi;
	char a[NET_ADDR_STRLEN];
	size_t i;

	log_info("state dump (SIGUSR1): node %s, %zu group%s, up %llu ms",
	         d->cfg->node_id, d->ngroups, d->ngroups == 1 ? "" : "s",
	         (unsigned long long)(now - d->started_ms));
	for (i = 0; i < d->ngroups; i++) {
		const struct vgroup *g = d->groups[i];

		if (g == NULL)
			continue;
		el_cluster_group_info(d->el, g->el_idx, now, &gi);
		log_info("group %s: %s for %llu ms, leader %s, priority %u, "
		         "answering %s, fault %s, %zu VIP%s, last: %s",
		         g->cg.name, el_state_name(gi.state),
		         (unsigned long long)(now - gi.since_ms),
		         gi.leader[0] ? gi.leader : "-", gi.prio,
		         g->leading ? "yes" : "no",
		         g->fault ? group_fault_name(g->fault) : "none",
		         g->nvips, g->nvips == 1 ? "" : "s",
		         g->last_text[0] ? g->last_text : "-");
	}
	for (i = 0; i < d->npeers; i++)
		log_info("peer %s: id %s%s",
		         net_addr_str(&d->peers[i].addr, a, sizeof(a)),
		         d->peers[i].id[0] ? d->peers[i].id : "(never heard)",
		         d->peers[i].unreachable ? ", port unreachable" : "");
}

/* SIGUSR2: the daemon's counters (ctlproto's table), one log line. */
static void
dump_counters(struct vipd *d)
{
	char line[1024];
	size_t c, n = 0;

	for (c = 0; c < CTL_DC_MAX && n < sizeof(line); c++) {
		const struct ctl_counter *cc = ctl_daemon_counter(c);

		n += (size_t)snprintf(line + n, sizeof(line) - n,
		                      "%s%s%s%s %llu", n ? ", " : "",
		                      cc->section ? cc->section : "",
		                      cc->section ? "." : "", cc->key,
		                      (unsigned long long)status_daemon_counter(
		                          d, (enum ctl_daemon_ctr)c));
	}
	log_info("counters (SIGUSR2): %s", line);
}

static void
on_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct vipd *d = arg;
	char err[256];

	(void)loop;
	switch (signo) {
	case SIGTERM:
	case SIGINT:
		vipd_shutdown(d);
		break;
	case SIGHUP:
		if (vipd_reload(d, NULL, err, sizeof(err)) == -1)
			log_warnx("reload failed: %s", err);
		break;
	case SIGUSR1:
		dump_state(d);
		break;
	case SIGUSR2:
		dump_counters(d);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------- set-up */

static int
groups_create(struct vipd *d, char *err, size_t errlen)
{
	size_t i;

	d->groups = calloc(d->cfg->ngroups, sizeof(*d->groups));
	if (d->groups == NULL && d->cfg->ngroups > 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->ngroups = d->cfg->ngroups;
	for (i = 0; i < d->cfg->ngroups; i++) {
		struct vgroup *g =
		    group_new(d, &d->cfg->groups[i], err, errlen);

		if (g == NULL)
			return -1;
		if (g->el_idx != i) {
			snprintf(err, errlen, "internal: group index mismatch");
			group_free(g);
			return -1;
		}
		d->groups[i] = g;
	}
	for (i = 0; i < d->nports; i++)
		port_refresh_filter(d->ports[i]);
	return 0;
}

static int
election_create(struct vipd *d, char *err, size_t errlen)
{
	struct el_config ec;

	memset(&ec, 0, sizeof(ec));
	ec.self_id = d->cfg->node_id;
	ec.interval_ms = d->cfg->interval_ms;
	ec.dead_after = d->cfg->dead_after;
	ec.solo = d->solo;
	ec.resign_wait_ms = resign_wait_ms(d);
	d->epoch = draw_epoch();
	d->el = el_cluster_new(&ec, d->epoch, ev_now(d->loop));
	if (d->el == NULL) {
		snprintf(err, errlen, "election: %s", strerror(errno));
		return -1;
	}
	if (ec.solo)
		log_info("no peers configured: leading every group alone");
	return 0;
}

static void
on_guard(struct ev_loop *loop, struct ev_io *w, uint32_t events, void *arg)
{
	int fd;

	(void)loop;
	(void)events;
	(void)arg;
	/* Connections are pid look-ups by a refused second vipd. */
	while ((fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC)) != -1)
		close(fd);
}

/*
 * One vipd per network namespace: a second one would remove the first
 * one's VIPs and rules as crash leftovers.  Claimed before that clean-up.
 */
static int
guard_claim(struct vipd *d, char *err, size_t errlen)
{
	long pid;

	if ((d->guard_fd = nsguard_claim(VIPD_GUARD_NAME, &pid)) == -1) {
		if (errno == EADDRINUSE && pid > 0)
			snprintf(err, errlen,
			         "another vipd (pid %ld) is running in this "
			         "network namespace; not starting",
			         pid);
		else if (errno == EADDRINUSE)
			snprintf(err, errlen,
			         "another vipd is running in this network "
			         "namespace; not starting");
		else
			snprintf(err, errlen, "instance guard: %s",
			         strerror(errno));
		return -1;
	}
	ev_io_init(&d->guard_io, d->guard_fd, on_guard, d);
	if (ev_io_start(d->loop, &d->guard_io, EPOLLIN) == -1) {
		snprintf(err, errlen, "instance guard: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------ pin callbacks */

/* The pin put a group in its netlink fault (text) or took it out (NULL). */
static void
on_pin_fault(void *owner, const char *text, void *arg)
{
	struct vgroup *g = owner;

	(void)arg;
	if (text != NULL)
		group_set_fault(g, GF_NETLINK, text);
	else
		group_set_fault(g, GF_NONE, "");
}

static bool
on_pin_is_vip(const struct net_addr *a, void *arg)
{
	const struct vipd *d = arg;

	return vipmap_find(d->map, a, NULL) != NULL;
}

/* A pass of the pin's own ended: a cleared group may take over, and a
 * faulted one hand over. */
static void
on_pin_settled(void *arg)
{
	vipd_el_flush(arg);
}

/*
 * The raised sysctls' originals live beside the pid file (vipd.pid ->
 * vipd.sysctl), in /run/vipd by default: per instance, like the pid file,
 * and gone after a reboot, when the kernel has its defaults back anyway.
 */
static void
sysctl_state_open(struct vipd *d, const char *pid_file)
{
	char path[CONF_PATH_MAX + 8];
	size_t n = strlen(pid_file);

	if (n > 4 && strcmp(pid_file + n - 4, ".pid") == 0)
		n -= 4;
	snprintf(path, sizeof(path), "%.*s.sysctl", (int)n, pid_file);
	if (pin_sysctl_state(d->pin, path) == -1)
		log_warn("sysctl state %s", path);
}

struct vipd *
vipd_new(const struct vipd_opts *opts, struct conf *cfg, char *err,
         size_t errlen)
{
	struct vipd *d = calloc(1, sizeof(*d));
	struct pin_callbacks pin_cb;
	const char *sock;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->opts = *opts;
	d->cfg = cfg;
	d->guard_fd = -1;
	pin_cb.fault = on_pin_fault;
	pin_cb.is_vip = on_pin_is_vip;
	pin_cb.settled = on_pin_settled;
	pin_cb.arg = d;
	if ((d->loop = ev_loop_new()) == NULL) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		goto fail;
	}
	d->started_ms = ev_now_update(d->loop);
	if ((d->events = events_new(EVENTS_CAPACITY)) == NULL ||
	    (d->notify = notify_new(d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ev_timer_init(&d->hb_timer, on_hb_timer, d);
	ev_timer_init(&d->el_timer, on_el_timer, d);
	ev_timer_init(&d->reconcile_timer, on_reconcile_timer, d);
	ev_timer_init(&d->stop_timer, on_stop_timer, d);
	if (ev_signal_add(d->loop, SIGTERM, on_signal, d) == -1 ||
	    ev_signal_add(d->loop, SIGINT, on_signal, d) == -1 ||
	    ev_signal_add(d->loop, SIGHUP, on_signal, d) == -1 ||
	    ev_signal_add(d->loop, SIGUSR1, on_signal, d) == -1 ||
	    ev_signal_add(d->loop, SIGUSR2, on_signal, d) == -1) {
		snprintf(err, errlen, "signals: %s", strerror(errno));
		goto fail;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((d->nl = rtnl_new(err, errlen)) == NULL)
		goto fail;
	ev_io_init(&d->nl_io, rtnl_monitor_fd(d->nl), on_netlink, d);
	if (ev_io_start(d->loop, &d->nl_io, EPOLLIN) == -1) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		goto fail;
	}
	if ((d->map = vipmap_new()) == NULL ||
	    (d->pin = pin_new(d->loop, d->nl, &pin_cb)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Claim the control socket first: a second vipd started by mistake
	 * against a running one must stop here, before it "cleans up" the
	 * running daemon's addresses and routes as crash leftovers. */
	sock = opts->socket_path ? opts->socket_path : cfg->socket_path;
	if ((d->ctl = ctlsrv_new(d, sock, cfg->socket_group, err, errlen)) ==
	    NULL)
		goto fail;
	if (guard_claim(d, err, errlen) == -1)
		goto fail;
	if (cfg->has_metrics) {
		struct net_addr ma = vipd_addr(&cfg->metrics_addr);

		d->prom = promsrv_new(d, &ma, cfg->metrics_port, err, errlen);
		if (d->prom == NULL)
			goto fail;
	}
	if (opts->pid_file != NULL)
		sysctl_state_open(d, opts->pid_file);
	pin_cleanup_stale(d->pin);
	if (peers_configure(d, err, errlen) == -1 ||
	    election_create(d, err, errlen) == -1)
		goto fail;
	if (!d->solo && peers_open(d, err, errlen) == -1)
		goto fail;
	if (groups_create(d, err, errlen) == -1 ||
	    track_start(d, err, errlen) == -1)
		goto fail;
	d->sdn = sdnotify_new(d);
	return d;
fail:
	vipd_free(d);
	return NULL;
}

void
vipd_free(struct vipd *d)
{
	size_t i;

	if (d == NULL)
		return;
	sdnotify_free(d->sdn);
	promsrv_free(d->prom);
	ctlsrv_free(d->ctl);
	track_stop(d);
	for (i = 0; i < d->ngroups; i++)
		group_free(d->groups[i]);
	free(d->groups);
	for (i = 0; i < d->nports; i++)
		port_free(d->ports[i]);
	free(d->ports);
	peers_close(d);
	free(d->peers);
	el_cluster_free(d->el);
	pin_free(d->pin);
	vipmap_free(d->map);
	ev_io_stop(d->loop, &d->nl_io);
	rtnl_free(d->nl);
	if (d->guard_fd != -1) {
		ev_io_stop(d->loop, &d->guard_io);
		close(d->guard_fd);
	}
	notify_free(d->notify);
	ev_loop_free(d->loop);
	events_free(d->events);
	conf_free(d->cfg);
	free(d);
}

int
vipd_run(struct vipd *d)
{
	size_t i, nvips = conf_vip_count(d->cfg);

	log_info("vipd %s started: node %s, %zu group%s, %zu VIP%s, %zu "
	         "peer%s, heartbeat %u ms, dead after %u",
	         PACKAGE_VERSION, d->cfg->node_id, d->cfg->ngroups,
	         d->cfg->ngroups == 1 ? "" : "s", nvips, nvips == 1 ? "" : "s",
	         d->npeers, d->npeers == 1 ? "" : "s", d->cfg->interval_ms,
	         d->cfg->dead_after);
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i])
			group_log_summary(d->groups[i]);
	vipd_event(d, EVK_START, NULL, -1, -1, "vipd %s started: node %s",
	           PACKAGE_VERSION, d->cfg->node_id);
	notify_start(d);
	ev_timer_start_in(d->loop, &d->hb_timer, 0);
	ev_timer_start_in(d->loop, &d->reconcile_timer, RECONCILE_PERIOD_MS);
	if (!d->solo)
		ev_loop_set_stall_hook(d->loop, dead_interval(d), on_stall, d);
	vipd_el_flush(d);
	if (ev_loop_run(d->loop) == -1) {
		log_warn("event loop");
		return 1;
	}
	log_info("stopped");
	return 0;
}
