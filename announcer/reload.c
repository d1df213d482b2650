/*
 * Reload (SIGHUP, `vipctl reload`): build, diff, apply — or keep the old
 * config.  A file with any error changes nothing.  Groups whose VIPs,
 * interface, bind and route are unchanged keep their state and leadership
 * (only tunables such as priority, preemption and GARP timing change);
 * groups that changed are released and re-created; removed groups are
 * released; new ones start as backups.  Settings the running cluster is
 * built on (node id, port, bind, multicast, timing, control socket,
 * metrics.listen) need a restart, and a reload that changes them is
 * refused as a whole.
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
	else if (a->interval_ms != b->interval_ms)
		what = "cluster.interval_ms";
	else if (a->dead_after != b->dead_after)
		what = "cluster.dead_after";
	else if (strcmp(a->socket_path, b->socket_path) != 0)
		what = "control.socket";
	else if (strcmp(a->user, b->user) != 0)
		what = "control.user";
	else if (a->has_metrics != b->has_metrics ||
	         a->metrics_port != b->metrics_port ||
	         memcmp(&a->metrics_addr, &b->metrics_addr,
	                sizeof(a->metrics_addr)))
		what = "metrics.listen";
	else if ((a->npeers == 0) != (b->npeers == 0))
		what = "cluster.peers (between empty and non-empty)";
	if (what == NULL)
		return 0;
	snprintf(err, errlen, "%s cannot change on reload; restart vipd", what);
	return -1;
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

/* Groups: keep the unchanged, re-create the changed, add the new. */
static void
apply_groups(struct vipd *d, const struct conf *nc, char *summary, size_t len)
{
	size_t i, kept = 0, dropped = 0, added = 0;
	char err[256];

	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];
		const struct conf_group *cg;

		if (g == NULL)
			continue;
		cg = find_cg(nc, g->cg.name);
		if (cg != NULL && conf_group_same_vips(&g->cg, cg)) {
			g->cg = *cg;
			group_update_election(g);
			kept++;
		} else {
			group_drop(d, i);
			dropped++;
		}
	}
	for (i = 0; i < nc->ngroups; i++) {
		if (group_find(d, nc->groups[i].name) != NULL)
			continue;
		if (group_append(d, &nc->groups[i], err, sizeof(err)) == -1) {
			log_warnx("reload: group %s: %s", nc->groups[i].name,
			          err);
			continue;
		}
		added++;
	}
	for (i = 0; i < d->nports; i++) {
		d->ports[i]->filter_dirty = true;
		port_refresh_filter(d->ports[i]);
	}
	snprintf(summary, len,
	         "configuration reloaded: %zu group%s kept, %zu replaced or "
	         "removed, %zu added",
	         kept, kept == 1 ? "" : "s", dropped, added);
}

int
vipd_reload(struct vipd *d, struct conf_errors *errs, char *msg, size_t msglen)
{
	struct conf_errors local = {NULL, 0};
	struct conf *nc, *old = d->cfg;
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
	/* Peers and the secret can change in place. */
	d->cfg = nc;
	if (peers_configure(d, err, sizeof(err)) == -1)
		log_warnx("reload: %s", err);
	apply_groups(d, nc, msg, msglen);
	track_reload(d, old);
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
