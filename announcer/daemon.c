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
#include <sys/stat.h>
#include <time.h>

#include "ctlproto.h"
#include "vipd.h"

/* Reconcile addresses, rules and routes at least this often even when no
 * notification said anything was removed (a safety net for lost ones). */
#define RECONCILE_PERIOD_MS 30000

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
	uint32_t rnd = 0;

	/* High half: wall-clock seconds, so a newer boot compares greater
	 * (replay protection across restarts); low half: random. */
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (uint32_t)ev_clock_monotonic_ms();
	return ((uint64_t)(uint32_t)time(NULL) << 32) | rnd;
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
	size_t i, n;

	for (;;) {
		n = 0;
		while (n < FLUSH_BATCH && el_cluster_next_event(d->el, &evs[n]))
			n++;
		/* Heartbeats first: a peer must learn that we lead before our
		 * gratuitous ARPs reach it, or it takes them for a rival. */
		if (el_cluster_send_due(d->el))
			peers_send(d);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			if (evs[i].group < d->ngroups &&
			    d->groups[evs[i].group] != NULL)
				group_apply(d->groups[evs[i].group], &evs[i]);
	}
	vipd_el_rearm(d);
	stop_check(d);
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
 * Stall guard: a wait of the loop returned more than a dead interval past
 * its deadline (ev_loop_last_gap), so the process was frozen (SIGSTOP, VM
 * pause); our own long callbacks do not count.
 * Peers have likely declared us dead and taken over: go quiet and listen
 * before re-asserting.  Runs before the heartbeats and frames that queued
 * up meanwhile are read.  A node without peers has nobody to defer to.
 */
static void
on_stall(struct ev_loop *loop, uint64_t gap_ms, void *arg)
{
	struct vipd *d = arg;

	d->ctr[CTL_DC_STALLS]++;
	log_warnx("loop stalled for %llu ms (dead interval %llu ms): going "
	          "quiet until the cluster is heard",
	          (unsigned long long)gap_ms,
	          (unsigned long long)dead_interval(d));
	el_cluster_stalled(d->el, gap_ms, ev_now(loop));
	vipd_el_flush(d);
}

/* Heartbeats from configured peers fail authentication and none passes:
 * our secret is probably wrong, so we must not claim anything. */
static void
auth_check(struct vipd *d, uint64_t now)
{
	uint64_t dead = dead_interval(d);
	bool bad = d->auth_fail_at != 0 && now - d->auth_fail_at < dead &&
	           (d->auth_ok_at == 0 || now - d->auth_ok_at > dead);
	size_t i;

	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL)
			continue;
		if (bad && g->fault == GF_NONE && !g->leading)
			group_set_fault(
			    g, GF_AUTH,
			    "heartbeats from configured peers fail "
			    "authentication: is cluster.secret_file "
			    "the same on every node?");
		else if (!bad && g->fault == GF_AUTH)
			group_set_fault(g, GF_NONE, "");
	}
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
	auth_check(d, now);
	leader_checks(d, now);
	vipd_el_flush(d);
	peers_send(d);
	ev_timer_start(loop, t, now + d->cfg->interval_ms);
}

static void
on_reconcile_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct vipd *d = arg;

	netcfg_reconcile(d->nc);
	ev_timer_start_in(loop, t, RECONCILE_PERIOD_MS);
}

static void
on_netlink(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct vipd *d = arg;

	(void)loop;
	(void)io;
	(void)revents;
	if (rtnl_monitor_read(d->nl, (rtnl_event_cb)netcfg_event, d->nc) ==
	        -1 &&
	    errno == ENOBUFS) {
		/* Notifications were lost: re-read everything we rely on. */
		log_warnx("netlink notifications lost; re-reading state");
		d->ctr[CTL_DC_NETLINK_ERRORS]++;
		netcfg_resync(d->nc);
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
	netcfg_cleanup_all(d->nc);
	ev_loop_break(d->loop);
}

static void
stop_check(struct vipd *d)
{
	if (d->stopping && !el_cluster_resigning(d->el))
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
	ev_timer_start_in(d->loop, &d->stop_timer, wait);
	vipd_el_flush(d);
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
		if (g->el != i) {
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

struct vipd *
vipd_new(const struct vipd_opts *opts, struct conf *cfg, char *err,
         size_t errlen)
{
	struct vipd *d = calloc(1, sizeof(*d));
	const char *sock;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->opts = *opts;
	d->cfg = cfg;
	if ((d->loop = ev_loop_new()) == NULL) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		goto fail;
	}
	d->started_ms = ev_now_update(d->loop);
	ev_timer_init(&d->hb_timer, on_hb_timer, d);
	ev_timer_init(&d->el_timer, on_el_timer, d);
	ev_timer_init(&d->reconcile_timer, on_reconcile_timer, d);
	ev_timer_init(&d->stop_timer, on_stop_timer, d);
	if (ev_signal_add(d->loop, SIGTERM, on_signal, d) == -1 ||
	    ev_signal_add(d->loop, SIGINT, on_signal, d) == -1 ||
	    ev_signal_add(d->loop, SIGHUP, on_signal, d) == -1) {
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
	    (d->nc = netcfg_new(d)) == NULL) {
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
	netcfg_cleanup_stale(d->nc);
	if (peers_configure(d, err, errlen) == -1 ||
	    election_create(d, err, errlen) == -1)
		goto fail;
	if (!d->solo && peers_open(d, err, errlen) == -1)
		goto fail;
	if (groups_create(d, err, errlen) == -1)
		goto fail;
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
	ctlsrv_free(d->ctl);
	for (i = 0; i < d->ngroups; i++)
		group_free(d->groups[i]);
	free(d->groups);
	for (i = 0; i < d->nports; i++)
		port_free(d->ports[i]);
	free(d->ports);
	peers_close(d);
	free(d->peers);
	el_cluster_free(d->el);
	netcfg_free(d->nc);
	vipmap_free(d->map);
	ev_io_stop(d->loop, &d->nl_io);
	rtnl_free(d->nl);
	ev_loop_free(d->loop);
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
