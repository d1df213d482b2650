/*
 * The data behind `vipctl status` and `vipctl metrics`, as jansson trees.
 * Keys are stable and documented in doc/vipctl.8; the state and counter
 * names come from ctlproto.h; vipctl only formats them.
 *
 * Each builder returns a new object or array, or NULL on ENOMEM: json_pack()
 * fails when one of its "o" members is NULL, so a failure anywhere reaches
 * the top and the client gets no answer rather than a partial one.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vipd.h"

#define STATUS_MAX_PEERS 64

enum ctl_state
status_state(enum el_state s)
{
	switch (s) {
	case EL_ST_LEADER:
		return CTL_ST_LEADER;
	case EL_ST_FAULT:
		return CTL_ST_FAULT;
	case EL_ST_RESIGNING:
		return CTL_ST_RESIGNING;
	case EL_ST_LISTEN:
		return CTL_ST_LISTEN;
	case EL_ST_BACKUP:
		break;
	}
	return CTL_ST_BACKUP;
}

/* What a peer's flags for a group say, in the protocol's state names. */
static enum ctl_state
peer_state(uint8_t flags)
{
	if (flags & EL_F_RESIGN)
		return CTL_ST_RESIGNING;
	if (flags & EL_F_LEADER)
		return CTL_ST_LEADER;
	if (flags & EL_F_FAULT)
		return CTL_ST_FAULT;
	if (flags & EL_F_LISTEN)
		return CTL_ST_LISTEN;
	return CTL_ST_BACKUP;
}

/* Append item to arr (stealing it); on failure free arr, return NULL. */
static json_t *
push(json_t *arr, json_t *item)
{
	if (json_array_append_new(arr, item) == -1) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static json_t *
status_peers(struct vipd *d)
{
	struct el_peer_info pi[STATUS_MAX_PEERS];
	uint64_t now = ev_now(d->loop);
	size_t n = el_cluster_peers(d->el, now, pi, STATUS_MAX_PEERS);
	json_t *arr = json_array();
	size_t i, k;
	char a[NET_ADDR_STRLEN];

	for (i = 0; arr != NULL && i < n; i++) {
		const struct peer_addr *p = peers_by_id(d, pi[i].id);

		arr = push(
		    arr,
		    json_pack(
		        "{s:o,s:o,s:b,s:o,s:o,s:b}", "id",
		        ctl_json_str(pi[i].id), "address",
		        ctl_json_str(peers_addr_of(d, pi[i].id, a, sizeof(a))),
		        "alive", pi[i].alive, "last_seen_ms",
		        ctl_json_uint(now >= pi[i].last_seen_ms
		                          ? now - pi[i].last_seen_ms
		                          : 0),
		        "interval_ms", ctl_json_uint(pi[i].interval_ms),
		        "auth_failing",
		        (int)(p != NULL && peers_auth_failing(d, p, now))));
	}
	/* Configured peers never heard from. */
	for (k = 0; arr != NULL && k < d->npeers; k++) {
		if (d->peers[k].id[0] != '\0')
			continue;
		arr = push(
		    arr,
		    json_pack("{s:s,s:o,s:b,s:n,s:n,s:b}", "id", "", "address",
		              ctl_json_str(net_addr_str(&d->peers[k].addr, a,
		                                        sizeof(a))),
		              "alive", 0, "last_seen_ms", "interval_ms",
		              "auth_failing",
		              (int)peers_auth_failing(d, &d->peers[k], now)));
	}
	return arr;
}

/* Age of the last message from peer id, or -1 when it is not known. */
static int64_t
peer_age(const struct el_peer_info *pi, size_t n, const char *id, uint64_t now)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(pi[i].id, id) == 0)
			return now >= pi[i].last_seen_ms
			           ? (int64_t)(now - pi[i].last_seen_ms)
			           : 0;
	return -1;
}

static json_t *
group_peers(struct vipd *d, const struct vgroup *g)
{
	struct el_peer_group_info pg[STATUS_MAX_PEERS];
	struct el_peer_info pi[STATUS_MAX_PEERS];
	uint64_t now = ev_now(d->loop);
	size_t n =
	    el_cluster_group_peers(d->el, g->el_idx, now, pg, STATUS_MAX_PEERS);
	size_t np = el_cluster_peers(d->el, now, pi, STATUS_MAX_PEERS);
	json_t *arr = json_array();
	size_t i;
	int64_t age;
	char m[NET_MAC_STRLEN];

	for (i = 0; arr != NULL && i < n; i++) {
		age = peer_age(pi, np, pg[i].id, now);
		arr = push(
		    arr, json_pack(
		             "{s:o,s:b,s:I,s:s,s:o,s:o}", "id",
		             ctl_json_str(pg[i].id), "alive", pg[i].alive,
		             "priority", (json_int_t)pg[i].prio, "state",
		             ctl_state_name(peer_state(pg[i].flags)), "mac",
		             ctl_json_str(net_mac_str(pg[i].mac, m, sizeof(m))),
		             "last_seen_ms",
		             age >= 0 ? json_integer(age) : json_null()));
	}
	return arr;
}

static json_t *
group_conflicts(struct vipd *d, const struct vgroup *g)
{
	char a[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < g->nvips; i++) {
		const struct vip *v = &g->vips[i];

		if (v->conflict_count == 0)
			continue;
		arr = push(
		    arr,
		    json_pack(
		        "{s:o,s:o,s:o,s:o,s:b}", "vip",
		        ctl_json_str(net_addr_str(&v->addr, a, sizeof(a))),
		        "mac",
		        ctl_json_str(
		            net_mac_str(v->conflict_mac, m, sizeof(m))),
		        "count", ctl_json_uint(v->conflict_count), "age_ms",
		        ctl_json_uint(ev_now(d->loop) - v->conflict_at),
		        "yielded", vip_yielded(g, v)));
	}
	return arr;
}

static json_t *
group_vips(const struct vgroup *g)
{
	char a[NET_ADDR_STRLEN];
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < g->nvips; i++)
		arr = push(arr, ctl_json_str(net_addr_str(&g->vips[i].addr, a,
		                                          sizeof(a))));
	return arr;
}

/* The group's counters (ctlproto's table), then first_round_ms. */
static json_t *
group_counters(const struct vgroup *g)
{
	json_t *o = json_object();
	size_t c;

	for (c = 0; o != NULL && c < CTL_GC_MAX; c++)
		if (json_object_set_new(o, ctl_group_counter(c)->key,
		                        ctl_json_uint(g->ctr[c])) == -1)
			goto fail;
	if (o != NULL &&
	    json_object_set_new(o, "first_round_ms",
	                        ctl_json_uint(g->first_round_ms)) == -1)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *
status_group(struct vipd *d, const struct vgroup *g)
{
	struct el_group_info gi;
	uint64_t now = ev_now(d->loop);

	json_t *o;

	el_cluster_group_info(d->el, g->el_idx, now, &gi);
	o = json_pack(
	    "{s:o,s:o,s:s,s:o,s:I,s:I,s:b,s:b,s:s,s:o,s:b,s:o,s:o,s:s,s:o,"
	    "s:o,s:o,s:s,s:{s:s,s:I,s:I,s:b},s:o,s:o,s:o,s:o}",
	    "name", ctl_json_str(g->cg.name), "interface",
	    ctl_json_str(g->cg.interface), "state",
	    ctl_state_name(status_state(gi.state)), "leader",
	    ctl_json_str(gi.leader), "priority", (json_int_t)gi.prio,
	    "configured_priority", (json_int_t)g->cg.priority, "preempt",
	    (int)g->cg.preempt, "answering", (int)g->leading, "fault",
	    group_fault_name(g->fault), "fault_text",
	    ctl_json_str(g->fault_text), "link_up",
	    (int)(g->port && g->port->present && g->port->oper_up),
	    "in_state_ms", ctl_json_uint(now - gi.since_ms), "transitions",
	    ctl_json_uint(gi.transitions), "last_reason",
	    el_reason_name(gi.reason), "last_reason_text",
	    ctl_json_str(g->last_text), "last_peer",
	    ctl_json_str(gi.reason_peer), "vips", group_vips(g), "bind",
	    conf_bind_name(g->cg.bind), "route", "pin",
	    conf_route_pin_name(g->cg.route.pin), "table",
	    (json_int_t)g->cg.route.table, "priority",
	    (json_int_t)g->cg.route.priority, "installed",
	    (int)pin_route_is_up(g->pin), "peers", group_peers(d, g),
	    "conflicts", group_conflicts(d, g), "peer_claim_age_ms",
	    g->peer_claim_at ? ctl_json_uint(now - g->peer_claim_at)
	                     : json_null(),
	    "counters", group_counters(g));
	if (o != NULL && track_status_group(g, o) == -1) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

json_t *
status_json(struct vipd *d)
{
	json_t *groups = json_array(), *root;
	char epoch[20];
	size_t i;

	for (i = 0; groups != NULL && i < d->ngroups; i++)
		if (d->groups[i])
			groups = push(groups, status_group(d, d->groups[i]));
	snprintf(epoch, sizeof(epoch), "%016" PRIx64, d->epoch);
	root = json_pack(
	    "{s:b,s:s,s:o,s:I,s:o,s:s,s:o,s:o,s:o,s:b,s:o,s:o}", "ok", 1,
	    "version", PACKAGE_VERSION, "node", ctl_json_str(d->cfg->node_id),
	    "pid", (json_int_t)getpid(), "uptime_ms",
	    ctl_json_uint(ev_now(d->loop) - d->started_ms), "epoch", epoch,
	    "config", ctl_json_str(d->cfg->path), "interval_ms",
	    ctl_json_uint(d->cfg->interval_ms), "dead_after",
	    ctl_json_uint(d->cfg->dead_after), "stopping", (int)d->stopping,
	    "peers", status_peers(d), "groups", groups);
	if (root != NULL &&
	    (json_object_set_new(root, "scheduling", cpusched_json()) == -1 ||
	     (d->ctl != NULL &&
	      json_object_set_new(root, "control",
	                          ctlsrv_status_json(d->ctl)) == -1) ||
	     track_status(d, root) == -1)) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

/* {reason: count} for the reasons 1..n-1 (0 is "no error"). */
static json_t *
by_reason(const uint64_t *count, size_t n, const char *(*name)(unsigned))
{
	json_t *o = json_object();
	size_t r;

	for (r = 1; o != NULL && r < n; r++)
		if (json_object_set_new(o, name((unsigned)r),
		                        ctl_json_uint(count[r])) == -1) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static const char *
frame_reason(unsigned e)
{
	return frame_err_name((enum frame_err)e);
}

static const char *
verdict_reason(unsigned v)
{
	return el_verdict_name((enum el_verdict)v);
}

static json_t *
metrics_capture(struct vipd *d)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < d->nports; i++) {
		const struct port *p = d->ports[i];
		const struct l2_counters *c;

		if (p->l2 == NULL)
			continue;
		c = l2_port_counters(p->l2);
		arr = push(
		    arr,
		    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "interface",
		              ctl_json_str(p->ifname), "rx_frames",
		              ctl_json_uint(c->rx_frames), "rx_dropped",
		              ctl_json_uint(c->rx_dropped), "rx_bad",
		              by_reason(c->rx_bad, FRAME_ERR_MAX, frame_reason),
		              "tx_frames", ctl_json_uint(c->tx_frames),
		              "tx_errors", ctl_json_uint(c->tx_errors),
		              "filter_fallback", (int)p->filter_fallback));
	}
	return arr;
}

/* {reason: count} of the group's state changes, every reason listed. */
static json_t *
metrics_transitions(const struct vgroup *g)
{
	json_t *o = json_object();
	size_t t;

	for (t = 0; o != NULL && t < CTL_TR_MAX; t++)
		if (json_object_set_new(o, ctl_transition_name(t),
		                        ctl_json_uint(g->trans[t])) == -1) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* One group's object: name, state, fault, answering, transitions (the
 * election's count, and the state changes by reason), its metrics
 * counters. */
static json_t *
metrics_group(struct vipd *d, const struct vgroup *g)
{
	struct el_group_info gi;
	json_t *o;
	size_t c;

	el_cluster_group_info(d->el, g->el_idx, ev_now(d->loop), &gi);
	o = json_pack("{s:o,s:s,s:s,s:b,s:o,s:o}", "name",
	              ctl_json_str(g->cg.name), "state",
	              ctl_state_name(status_state(gi.state)), "fault",
	              group_fault_name(g->fault), "answering", (int)g->leading,
	              "transitions", ctl_json_uint(gi.transitions),
	              "transitions_by_reason", metrics_transitions(g));
	for (c = 0; o != NULL && c < CTL_GC_MAX; c++) {
		const struct ctl_counter *cc = ctl_group_counter(c);

		if ((cc->flags & CTL_CF_METRICS) &&
		    json_object_set_new(o, cc->key, ctl_json_uint(g->ctr[c])) ==
		        -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

uint64_t
status_daemon_counter(const struct vipd *d, enum ctl_daemon_ctr c)
{
	const struct pin_counters *pc = pin_counters_get(d->pin);
	uint64_t sum = 0;
	size_t i;

	if (c == CTL_DC_NETLINK_ERRORS)
		return d->ctr[c] + pc->netlink_errors;
	if (c == CTL_DC_RECONCILED)
		return d->ctr[c] + pc->reconciled;
	if (c == CTL_DC_HB_REJECTED) {
		for (i = 0; i < EL_VERDICT_MAX; i++)
			sum += d->hb_rejected[i];
		return sum;
	}
	return d->ctr[c];
}

/* The daemon's counters into root, each in its section (made on first
 * use, so the sections sit where their first counter does). */
static int
metrics_daemon(struct vipd *d, json_t *root)
{
	size_t c;

	for (c = 0; c < CTL_DC_MAX; c++) {
		const struct ctl_counter *cc = ctl_daemon_counter(c);
		json_t *obj = root, *val;

		if (!(cc->flags & CTL_CF_METRICS))
			continue;
		if (cc->section != NULL &&
		    (obj = json_object_get(root, cc->section)) == NULL) {
			obj = json_object();
			if (json_object_set_new(root, cc->section, obj) == -1)
				return -1;
		}
		if (c == CTL_DC_HB_REJECTED)
			val = by_reason(d->hb_rejected, EL_VERDICT_MAX,
			                verdict_reason);
		else
			val = ctl_json_uint(
			    status_daemon_counter(d, (enum ctl_daemon_ctr)c));
		if (json_object_set_new(obj, cc->key, val) == -1)
			return -1;
	}
	return 0;
}

json_t *
metrics_json(struct vipd *d)
{
	json_t *groups = json_array(), *root;
	size_t i;

	for (i = 0; groups != NULL && i < d->ngroups; i++)
		if (d->groups[i])
			groups = push(groups, metrics_group(d, d->groups[i]));
	root = json_pack("{s:b,s:s,s:o,s:o,s:o,s:o}", "ok", 1, "version",
	                 PACKAGE_VERSION, "node", ctl_json_str(d->cfg->node_id),
	                 "interval_ms", ctl_json_uint(d->cfg->interval_ms),
	                 "peers", status_peers(d), "groups", groups);
	if (root == NULL || metrics_daemon(d, root) == -1 ||
	    json_object_set_new(root, "capture", metrics_capture(d)) == -1) {
		json_decref(root);
		return NULL;
	}
	return root;
}
