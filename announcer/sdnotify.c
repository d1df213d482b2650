/*
 * systemd's notification protocol (Type=notify), through libsystemd's
 * sd_notify: READY=1 once every group has finished its start-up listen,
 * STATUS= with each group's state after transitions, WATCHDOG=1 from the
 * event loop, RELOADING=1 / READY=1 around a reload, STOPPING=1 while
 * handing over.  Without NOTIFY_SOCKET (not started by systemd) there is
 * no handle and every call is a test of a NULL pointer.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "vipd.h"

/* Beyond this many groups STATUS= counts groups per state instead of
 * naming them. */
#define STATUS_NAMED_MAX 8

struct sdnotify {
	struct vipd *d;
	bool ready;     /* READY=1 sent (start-up listen over) */
	bool reloading; /* between RELOADING=1 and its READY=1 */
	bool stopping;
	struct ev_timer watchdog;
	uint64_t watchdog_ms; /* keep-alive period: half of WatchdogSec= */
	char status[512];     /* last STATUS= sent */
};

static void
on_watchdog(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct sdnotify *n = arg;

	/* Sent from the loop: a loop that stops turning stops the
	 * keep-alives, and systemd kills and restarts the daemon. */
	sd_notify(0, "WATCHDOG=1");
	ev_timer_start_in(loop, t, n->watchdog_ms);
}

struct sdnotify *
sdnotify_new(struct vipd *d)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	struct sdnotify *n;
	uint64_t usec = 0;

	if (sock == NULL || sock[0] == '\0')
		return NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->d = d;
	ev_timer_init(&n->watchdog, on_watchdog, n);
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		n->watchdog_ms = usec / 2000 ? usec / 2000 : 1;
		ev_timer_start_in(d->loop, &n->watchdog, 0);
		log_debug("systemd watchdog: keep-alive every %llu ms",
		          (unsigned long long)n->watchdog_ms);
	}
	return n;
}

void
sdnotify_free(struct sdnotify *n)
{
	if (n == NULL)
		return;
	ev_timer_stop(n->d->loop, &n->watchdog);
	free(n);
}

static void appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* "leader of web, backup of db"; past STATUS_NAMED_MAX groups, counts
 * ("3 leader, 9 backup"). */
static void
status_text(const struct vipd *d, char *buf, size_t len)
{
	static const enum el_state order[] = {EL_ST_LEADER, EL_ST_RESIGNING,
	                                      EL_ST_BACKUP, EL_ST_LISTEN,
	                                      EL_ST_FAULT};
	enum { NSTATES = sizeof(order) / sizeof(order[0]) };
	unsigned count[NSTATES] = {0};
	struct el_group_info gi;
	size_t i, k, ngroups = 0;

	buf[0] = '\0';
	for (i = 0; i < d->ngroups; i++)
		ngroups += d->groups[i] != NULL;
	for (i = 0; i < d->ngroups; i++) {
		const struct vgroup *g = d->groups[i];

		if (g == NULL || el_cluster_group_info(d->el, g->el_idx,
		                                       ev_now(d->loop), &gi))
			continue;
		for (k = 0; k < NSTATES; k++)
			if (order[k] == gi.state)
				count[k]++;
		if (ngroups <= STATUS_NAMED_MAX)
			appendf(buf, len, "%s%s of %s", buf[0] ? ", " : "",
			        el_state_name(gi.state), g->cg.name);
	}
	if (ngroups == 0)
		snprintf(buf, len, "no groups");
	else if (ngroups > STATUS_NAMED_MAX)
		for (k = 0; k < NSTATES; k++)
			if (count[k] > 0)
				appendf(buf, len, "%s%u %s", buf[0] ? ", " : "",
				        count[k], el_state_name(order[k]));
}

void
sdnotify_update(struct sdnotify *n, bool changed)
{
	char text[sizeof(n->status)];
	struct vipd *d;

	if (n == NULL || n->stopping || n->reloading)
		return;
	d = n->d;
	if (!n->ready) {
		if (el_cluster_listening(d->el, ev_now(d->loop)))
			return;
		changed = true;
	}
	if (!changed)
		return;
	status_text(d, text, sizeof(text));
	if (n->ready && strcmp(text, n->status) == 0)
		return;
	memcpy(n->status, text, sizeof(n->status));
	if (!n->ready) {
		n->ready = true;
		log_debug("systemd: ready (%s)", text);
		sd_notifyf(0, "READY=1\nSTATUS=%s", text);
	} else {
		sd_notifyf(0, "STATUS=%s", text);
	}
}

void
sdnotify_reloading(struct sdnotify *n)
{
	struct timespec ts;

	/* Before READY=1 systemd has no reload to wait for. */
	if (n == NULL || !n->ready || n->stopping)
		return;
	n->reloading = true;
	/* MONOTONIC_USEC is what systemd 253+ asks for with RELOADING=1
	 * (Type=notify-reload); older ones ignore it. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	           (unsigned long long)ts.tv_sec * 1000000ULL +
	               (unsigned long long)ts.tv_nsec / 1000);
}

void
sdnotify_reloaded(struct sdnotify *n, bool ok)
{
	static const char failed[] = "last reload failed; ";
	size_t skip;

	if (n == NULL || !n->reloading)
		return;
	n->reloading = false;
	skip = ok ? 0 : sizeof(failed) - 1;
	memcpy(n->status, failed, skip);
	status_text(n->d, n->status + skip, sizeof(n->status) - skip);
	/* READY=1 after a failed reload too: the daemon runs on with the
	 * configuration it had.  The failure reaches `systemctl reload`
	 * through ExecReload's exit status. */
	sd_notifyf(0, "READY=1\nSTATUS=%s", n->status);
}

void
sdnotify_stopping(struct sdnotify *n, const char *status)
{
	if (n == NULL || n->stopping)
		return;
	n->stopping = true;
	sd_notifyf(0, "STOPPING=1\nSTATUS=%s", status);
}
