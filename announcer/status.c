/*
 * The data behind `vipctl status` and `vipctl metrics`, as JSON.  Keys are
 * stable and documented in doc/vipctl.8; vipctl only formats them.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "vipd.h"

#define STATUS_MAX_PEERS 64

static const char *
peer_state(uint8_t flags)
{
	if (flags & EL_F_RESIGN)
		return "resigning";
	if (flags & EL_F_LEADER)
		return "leader";
	if (flags & EL_F_FAULT)
		return "fault";
	if (flags & EL_F_LISTEN)
		return "listen";
	return "backup";
}

static void
status_peers(struct vipd *d, struct json *j)
{
	struct el_peer_info pi[STATUS_MAX_PEERS];
	size_t n =
	    el_cluster_peers(d->el, ev_now(d->loop), pi, STATUS_MAX_PEERS);
	size_t i, k;
	char a[NET_ADDR_STRLEN];

	json_arr_begin(j, "peers");
	for (i = 0; i < n; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "id", pi[i].id);
		json_str(j, "address",
		         peers_addr_of(d, pi[i].id, a, sizeof(a)));
		json_bool(j, "alive", pi[i].alive);
		json_uint(j, "last_seen_ms",
		          ev_now(d->loop) >= pi[i].last_seen_ms
		              ? ev_now(d->loop) - pi[i].last_seen_ms
		              : 0);
		json_uint(j, "interval_ms", pi[i].interval_ms);
		json_obj_end(j);
	}
	/* Configured peers never heard from. */
	for (k = 0; k < d->npeers; k++) {
		if (d->peers[k].id[0] != '\0')
			continue;
		json_obj_begin(j, NULL);
		json_str(j, "id", "");
		json_str(j, "address",
		         net_addr_str(&d->peers[k].addr, a, sizeof(a)));
		json_bool(j, "alive", false);
		json_null(j, "last_seen_ms");
		json_null(j, "interval_ms");
		json_obj_end(j);
	}
	json_arr_end(j);
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

static void
group_peers(struct vipd *d, const struct vgroup *g, struct json *j)
{
	struct el_peer_group_info pg[STATUS_MAX_PEERS];
	struct el_peer_info pi[STATUS_MAX_PEERS];
	uint64_t now = ev_now(d->loop);
	size_t n =
	    el_cluster_group_peers(d->el, g->el_idx, now, pg, STATUS_MAX_PEERS);
	size_t np = el_cluster_peers(d->el, now, pi, STATUS_MAX_PEERS);
	size_t i;
	int64_t age;
	char m[NET_MAC_STRLEN];

	json_arr_begin(j, "peers");
	for (i = 0; i < n; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "id", pg[i].id);
		json_bool(j, "alive", pg[i].alive);
		json_uint(j, "priority", pg[i].prio);
		json_str(j, "state", peer_state(pg[i].flags));
		json_str(j, "mac", net_mac_str(pg[i].mac, m, sizeof(m)));
		if ((age = peer_age(pi, np, pg[i].id, now)) >= 0)
			json_int(j, "last_seen_ms", age);
		else
			json_null(j, "last_seen_ms");
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void
group_conflicts(struct vipd *d, const struct vgroup *g, struct json *j)
{
	char a[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];
	size_t i;

	json_arr_begin(j, "conflicts");
	for (i = 0; i < g->nvips; i++) {
		const struct vip *v = &g->vips[i];

		if (v->conflict_count == 0)
			continue;
		json_obj_begin(j, NULL);
		json_str(j, "vip", net_addr_str(&v->addr, a, sizeof(a)));
		json_str(j, "mac", net_mac_str(v->conflict_mac, m, sizeof(m)));
		json_uint(j, "count", v->conflict_count);
		json_uint(j, "age_ms", ev_now(d->loop) - v->conflict_at);
		json_bool(j, "yielded", vip_yielded(g, v));
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void
status_group(struct vipd *d, const struct vgroup *g, struct json *j)
{
	struct el_group_info gi;
	char a[NET_ADDR_STRLEN];
	size_t i;

	el_cluster_group_info(d->el, g->el_idx, ev_now(d->loop), &gi);
	json_obj_begin(j, NULL);
	json_str(j, "name", g->cg.name);
	json_str(j, "interface", g->cg.interface);
	json_str(j, "state", el_state_name(gi.state));
	json_str(j, "leader", gi.leader);
	json_uint(j, "priority", gi.prio);
	json_uint(j, "configured_priority", g->cg.priority);
	json_bool(j, "preempt", g->cg.preempt);
	json_bool(j, "answering", g->leading);
	json_str(j, "fault", group_fault_name(g->fault));
	json_str(j, "fault_text", g->fault_text);
	json_bool(j, "link_up",
	          g->port && g->port->present && g->port->oper_up);
	json_uint(j, "in_state_ms", ev_now(d->loop) - gi.since_ms);
	json_uint(j, "transitions", gi.transitions);
	json_str(j, "last_reason", el_reason_name(gi.reason));
	json_str(j, "last_reason_text", g->last_text);
	json_str(j, "last_peer", gi.reason_peer);
	json_arr_begin(j, "vips");
	for (i = 0; i < g->nvips; i++)
		json_str(j, NULL, net_addr_str(&g->vips[i].addr, a, sizeof(a)));
	json_arr_end(j);
	json_str(j, "bind", conf_bind_name(g->cg.bind));
	json_obj_begin(j, "route");
	json_str(j, "pin", conf_route_pin_name(g->cg.route.pin));
	json_uint(j, "table", g->cg.route.table);
	json_uint(j, "priority", g->cg.route.priority);
	json_bool(j, "installed", pin_route_is_up(g->pin));
	json_obj_end(j);
	group_peers(d, g, j);
	group_conflicts(d, g, j);
	json_obj_begin(j, "counters");
	json_uint(j, "arp_answered", g->ctr.arp_answered);
	json_uint(j, "ndp_answered", g->ctr.ndp_answered);
	json_uint(j, "announcements", g->ctr.announcements);
	json_uint(j, "conflicts", g->ctr.conflicts);
	json_uint(j, "peer_claims", g->ctr.peer_claims);
	json_uint(j, "leader_probes", g->ctr.leader_probes);
	json_uint(j, "takeovers", g->ctr.takeovers);
	json_uint(j, "releases", g->ctr.releases);
	json_uint(j, "first_round_ms", g->first_round_ms);
	json_obj_end(j);
	json_obj_end(j);
}

void
status_json(struct vipd *d, struct json *j)
{
	char epoch[20];
	size_t i;

	snprintf(epoch, sizeof(epoch), "%016" PRIx64, d->epoch);
	json_obj_begin(j, NULL);
	json_bool(j, "ok", true);
	json_str(j, "version", PACKAGE_VERSION);
	json_str(j, "node", d->cfg->node_id);
	json_int(j, "pid", getpid());
	json_uint(j, "uptime_ms", ev_now(d->loop) - d->started_ms);
	json_str(j, "epoch", epoch);
	json_str(j, "config", d->cfg->path);
	json_uint(j, "interval_ms", d->cfg->interval_ms);
	json_uint(j, "dead_after", d->cfg->dead_after);
	json_bool(j, "stopping", d->stopping);
	status_peers(d, j);
	json_arr_begin(j, "groups");
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i])
			status_group(d, d->groups[i], j);
	json_arr_end(j);
	json_obj_end(j);
}

static void
metrics_capture(struct vipd *d, struct json *j)
{
	size_t i, e;

	json_arr_begin(j, "capture");
	for (i = 0; i < d->nports; i++) {
		const struct port *p = d->ports[i];
		const struct l2_counters *c;

		if (p->l2 == NULL)
			continue;
		c = l2_port_counters(p->l2);
		json_obj_begin(j, NULL);
		json_str(j, "interface", p->ifname);
		json_uint(j, "rx_frames", c->rx_frames);
		json_uint(j, "rx_dropped", c->rx_dropped);
		json_obj_begin(j, "rx_bad");
		for (e = 1; e < FRAME_ERR_MAX; e++)
			json_uint(j, frame_err_name((enum frame_err)e),
			          c->rx_bad[e]);
		json_obj_end(j);
		json_uint(j, "tx_frames", c->tx_frames);
		json_uint(j, "tx_errors", c->tx_errors);
		json_bool(j, "filter_fallback", p->filter_fallback);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void
metrics_json(struct vipd *d, struct json *j)
{
	const struct pin_counters *pc = pin_counters_get(d->pin);
	struct el_group_info gi;
	size_t i;

	json_obj_begin(j, NULL);
	json_bool(j, "ok", true);
	json_str(j, "node", d->cfg->node_id);
	json_arr_begin(j, "groups");
	for (i = 0; i < d->ngroups; i++) {
		const struct vgroup *g = d->groups[i];

		if (g == NULL)
			continue;
		el_cluster_group_info(d->el, g->el_idx, ev_now(d->loop), &gi);
		json_obj_begin(j, NULL);
		json_str(j, "name", g->cg.name);
		json_str(j, "state", el_state_name(gi.state));
		json_uint(j, "transitions", gi.transitions);
		json_uint(j, "arp_answered", g->ctr.arp_answered);
		json_uint(j, "ndp_answered", g->ctr.ndp_answered);
		json_uint(j, "announcements", g->ctr.announcements);
		json_uint(j, "conflicts", g->ctr.conflicts);
		json_uint(j, "peer_claims", g->ctr.peer_claims);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_begin(j, "heartbeats");
	json_uint(j, "sent", d->ctr.hb_sent);
	json_uint(j, "send_errors", d->ctr.hb_send_errors);
	json_uint(j, "received", d->ctr.hb_received);
	json_obj_begin(j, "rejected");
	for (i = 1; i < EL_VERDICT_MAX; i++)
		json_uint(j, el_verdict_name((enum el_verdict)i),
		          d->ctr.hb_rejected[i]);
	json_obj_end(j);
	json_obj_end(j);
	json_uint(j, "peer_unreachable", d->ctr.peer_unreachable);
	json_uint(j, "netlink_errors",
	          d->ctr.netlink_errors + pc->netlink_errors);
	json_uint(j, "reconciled", pc->reconciled);
	json_uint(j, "stalls", d->ctr.stalls);
	json_uint(j, "reloads", d->ctr.reloads);
	json_uint(j, "reload_failures", d->ctr.reload_failures);
	metrics_capture(d, j);
	json_obj_end(j);
}
