/*
 * Reload (SIGHUP, `vipctl reload`): build, diff, apply — or keep the old
 * config.  A file with any error changes nothing.  A group is known by its
 * name: one whose settings changed is changed in place and keeps its state
 * and leadership (group_update.c); one whose settings did not change is
 * not touched; removed groups are released; new ones start as backups.
 * The heartbeat timing, the peers and the secret (rotated with a grace
 * period) change live too.  Settings the running cluster is built on (node
 * id, port, bind, multicast, the control socket and user, metrics.listen,
 * the process block, a change between no peers and some) need a restart,
 * and a reload that changes them is refused as a whole.  So is one whose
 * health checks cannot be made (an exec user vipd cannot switch to): what
 * can fail is made before anything is applied (track_reload_prepare).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vipd.h"

static int
cluster_unchanged(const struct conf *a, const struct conf *b, char *err,
                  size_t errlen)
{
	const char *what = NULL;

	if (strcmp(a->node_id, b->node_id) != 0)
		what = "node.id";
	else if (a->port != b->port)
		what = "cluster.port";
	else if (a->has_bind != b->has_bind ||
	         (a->has_bind && memcmp(&a->bind, &b->bind, sizeof(a->bind))))
		what = "cluster.bind";
	else if (a->has_multicast != b->has_multicast ||
	         (a->has_multicast &&
	          (memcmp(&a->multicast, &b->multicast, sizeof(a->multicast)) ||
	           strcmp(a->multicast_interface, b->multicast_interface))))
		what = "cluster.multicast";
	else if (strcmp(a->socket_path, b->socket_path) != 0)
		what = "control.socket";
	else if (strcmp(a->user, b->user) != 0)
		what = "control.user";
	else if (a->has_metrics != b->has_metrics ||
	         a->metrics_port != b->metrics_port ||
	         memcmp(&a->metrics_addr, &b->metrics_addr,
	                sizeof(a->metrics_addr)))
		what = "metrics.listen";
	else if (a->rt_priority != b->rt_priority)
		what = "process.realtime_priority";
	else if (a->nice != b->nice)
		what = "process.nice";
	else if ((a->npeers == 0) != (b->npeers == 0))
		what = "cluster.peers (between empty and non-empty)";
	if (what == NULL)
		return 0;
	snprintf(err, errlen, "%s cannot change on reload; restart vipd", what);
	return -1;
}

/* The cluster settings a reload changes live: timing, and the secret
 * (with a grace period for the previous one). */
static void
cluster_apply(struct vipd *d, const struct conf *a, const struct conf *b)
{
	if (a->interval_ms != b->interval_ms ||
	    a->dead_after != b->dead_after) {
		el_cluster_set_timing(d->el, b->interval_ms, b->dead_after,
		                      3 * b->interval_ms);
		log_info("reload: heartbeat every %u ms, dead after %u missed "
		         "(was %u ms, %u)",
		         b->interval_ms, b->dead_after, a->interval_ms,
		         a->dead_after);
	}
	if (a->secret_len != b->secret_len ||
	    memcmp(a->secret, b->secret, a->secret_len) != 0) {
		memcpy(d->prev_secret, a->secret, a->secret_len);
		d->prev_secret_len = a->secret_len;
		d->prev_secret_until = ev_now(d->loop) + VIPD_SECRET_GRACE_MS;
		log_info("reload: new cluster secret; the previous one is "
		         "accepted (and sent with too) for %u s more",
		         VIPD_SECRET_GRACE_MS / 1000);
	}
}

static const struct conf_group *
find_cg(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		if (strcmp(c->groups[i].name, name) == 0)
			return &c->groups[i];
	return NULL;
}

/* Release a group's leadership and free it; its election slot dies. */
static void
group_drop(struct vipd *d, size_t i)
{
	struct vgroup *g = d->groups[i];

	el_cluster_group_remove(d->el, g->el_idx, ev_now(d->loop));
	vipd_el_flush(d); /* applies the RELEASE while g still exists */
	notify_group_removed(g);
	pin_group_down(g->pin);
	pin_route_down(g->pin);
	group_free(g);
	d->groups[i] = NULL;
}

static int
group_append(struct vipd *d, const struct conf_group *cg, char *err,
             size_t errlen)
{
	struct vgroup *g = group_new(d, cg, err, errlen), **ng;
	size_t n;

	if (g == NULL)
		return -1;
	n = g->el_idx + 1 > d->ngroups ? g->el_idx + 1 : d->ngroups;
	if ((ng = realloc(d->groups, n * sizeof(*ng))) == NULL) {
		snprintf(err, errlen, "out of memory");
		group_free(g);
		return -1;
	}
	memset(ng + d->ngroups, 0, (n - d->ngroups) * sizeof(*ng));
	d->groups = ng;
	d->ngroups = n;
	d->groups[g->el_idx] = g;
	notify_group_added(g);
	return 0;
}

/* Append a string to the report's array key (the report may be NULL). */
static void
report_name(json_t *rep, const char *key, const char *name)
{
	json_t *a;

	if (rep == NULL)
		return;
	if ((a = json_object_get(rep, key)) == NULL) {
		a = json_array();
		if (json_object_set_new(rep, key, a) == -1)
			return;
	}
	json_array_append_new(a, ctl_json_str(name));
}

/* One changed group in the report: what changed, in stable keys. */
static void
report_change(json_t *rep, const char *name, const struct group_change *ch)
{
	json_t *o, *what, *a;

	if (rep == NULL || (o = json_object()) == NULL)
		return;
	what = json_array();
#define WHAT(cond, word)                                                       \
	if (cond)                                                              \
		json_array_append_new(what, json_string(word));
	WHAT(ch->vips_added || ch->vips_removed, "vips")
	WHAT(ch->prio_from != ch->prio_to, "priority")
	WHAT(ch->preempt, "preempt")
	WHAT(ch->preempt_delay, "preempt_delay")
	WHAT(ch->garp, "garp")
	WHAT(ch->conflict, "conflict")
	WHAT(ch->bind, "bind")
	WHAT(ch->route, "route")
	WHAT(ch->interface, "interface")
	WHAT(ch->track, "track")
	WHAT(ch->notify, "notify")
#undef WHAT
	json_object_set_new(o, "group", ctl_json_str(name));
	json_object_set_new(o, "vips_added",
	                    json_integer((json_int_t)ch->vips_added));
	json_object_set_new(o, "vips_removed",
	                    json_integer((json_int_t)ch->vips_removed));
	json_object_set_new(o, "priority_from", json_integer(ch->prio_from));
	json_object_set_new(o, "priority_to", json_integer(ch->prio_to));
	json_object_set_new(o, "what", what);
	if ((a = json_object_get(rep, "changed")) == NULL) {
		a = json_array();
		json_object_set_new(rep, "changed", a);
	}
	json_array_append_new(a, o);
}

/*
 * Groups by name: removed ones are released and freed; changed ones are
 * changed in place (all removals first, so that a VIP moving between
 * groups is free when it is added); unchanged ones are not touched; new
 * ones start as backups.
 */
static void
apply_groups(struct vipd *d, const struct conf *nc, json_t *rep, char *summary,
             size_t len)
{
	size_t i, n = d->ngroups, kept = 0, removed = 0, changed = 0, added = 0;
	struct group_change *ch = calloc(n ? n : 1, sizeof(*ch));
	bool *dirty = calloc(n ? n : 1, sizeof(*dirty));
	char err[256];

	for (i = 0; i < n; i++) {
		struct vgroup *g = d->groups[i];
		const struct conf_group *cg;

		if (g == NULL)
			continue;
		if ((cg = find_cg(nc, g->cg.name)) == NULL) {
			report_name(rep, "removed", g->cg.name);
			group_drop(d, i);
			removed++;
		} else if (ch == NULL || dirty == NULL ||
		           group_diff(g, cg, &ch[i])) {
			if (dirty != NULL)
				dirty[i] = true;
			group_vips_drop(g, cg);
		}
	}
	for (i = 0; i < n; i++) {
		struct vgroup *g = d->groups[i];
		const struct conf_group *cg;

		if (g == NULL || (cg = find_cg(nc, g->cg.name)) == NULL)
			continue;
		if (dirty != NULL && !dirty[i]) {
			g->cg = *cg; /* its VIPs now point into nc */
			report_name(rep, "kept", cg->name);
			kept++;
			continue;
		}
		if (ch != NULL)
			report_change(rep, cg->name, &ch[i]);
		if (group_update(g, cg, err, sizeof(err)) == -1)
			log_warnx("reload: %s", err);
		changed++;
	}
	for (i = 0; i < nc->ngroups; i++) {
		if (group_find(d, nc->groups[i].name) != NULL)
			continue;
		if (group_append(d, &nc->groups[i], err, sizeof(err)) == -1) {
			log_warnx("reload: group %s: %s", nc->groups[i].name,
			          err);
			continue;
		}
		report_name(rep, "added", nc->groups[i].name);
		added++;
	}
	/* Only ports whose VIPs changed have a dirty filter. */
	for (i = 0; i < d->nports; i++)
		port_refresh_filter(d->ports[i]);
	free(ch);
	free(dirty);
	snprintf(summary, len,
	         "configuration reloaded: %zu group%s added, %zu removed, %zu "
	         "changed in place, %zu kept",
	         added, added == 1 ? "" : "s", removed, changed, kept);
}

int
vipd_reload(struct vipd *d, struct conf_errors *errs, char *msg, size_t msglen)
{
	return vipd_reload_report(d, errs, NULL, msg, msglen);
}

int
vipd_reload_report(struct vipd *d, struct conf_errors *errs, json_t *rep,
                   char *msg, size_t msglen)
{
	struct conf_errors local = {NULL, 0};
	struct conf *nc, *old = d->cfg;
	struct track_plan *plan;
	size_t i;
	char err[256];

	if (errs == NULL)
		errs = &local;
	d->ctr[CTL_DC_RELOADS]++;
	sdnotify_reloading(d->sdn);
	nc = conf_load(d->opts.conf_path, NULL, errs);
	if (nc == NULL) {
		for (i = 0; i < errs->n; i++)
			log_warnx("reload: %s", errs->msg[i]);
		snprintf(msg, msglen,
		         "%s: %zu error%s; keeping the running "
		         "configuration",
		         d->opts.conf_path, errs->n, errs->n == 1 ? "" : "s");
		goto fail;
	}
	if (check_election(nc, err, sizeof(err)) == -1 ||
	    cluster_unchanged(old, nc, err, sizeof(err)) == -1) {
		log_warnx("reload: %s", err);
		snprintf(msg, msglen, "%s; keeping the running configuration",
		         err);
		conf_free(nc);
		goto fail;
	}
	/* What can still fail is made now, before anything is applied: a
	 * reload is applied whole or not at all. */
	if ((plan = track_reload_prepare(d, nc, err, sizeof(err))) == NULL) {
		log_warnx("reload: %s", err);
		snprintf(msg, msglen, "%s; keeping the running configuration",
		         err);
		conf_free(nc);
		goto fail;
	}
	/* Peers, timing and the secret change in place. */
	cluster_apply(d, old, nc);
	d->cfg = nc;
	if (peers_configure(d, err, sizeof(err)) == -1)
		log_warnx("reload: %s", err);
	apply_groups(d, nc, rep, msg, msglen);
	track_reload(d, plan);
	notify_reload(d, old->notify_fifo);
	conf_free(old);
	log_info("%s", msg);
	vipd_event(d, EVK_RELOAD, NULL, -1, -1, "%s", msg);
	vipd_el_flush(d);
	conf_errors_clear(&local);
	sdnotify_reloaded(d->sdn, true);
	return 0;
fail:
	d->ctr[CTL_DC_RELOAD_FAILURES]++;
	vipd_event(d, EVK_RELOAD_FAILED, NULL, -1, -1, "%s", msg);
	conf_errors_clear(&local);
	sdnotify_reloaded(d->sdn, false);
	return -1;
}
