/*
 * The daemon's live view: its `status` answer (and `metrics`, for the
 * heartbeat counters) merged into the facts.  Keys are those of
 * doc/vipctl.8; missing or odd values leave the facts as they were.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ctljson.h"
#include "doctor.h"

static bool
parse_addr(const char *s, struct conf_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, s, out->a) == 1)
		out->family = AF_INET6;
	return out->family != 0;
}

static bool
addr_eq(const struct conf_addr *x, const struct conf_addr *y)
{
	size_t n = x->family == AF_INET ? 4 : 16;

	return x->family == y->family && memcmp(x->a, y->a, n) == 0;
}

/* Peers claimed the group's VIPs lately: while two nodes lead, each
 * defends at least once a second (RFC 5227 rate), so claims older than
 * this are from a transition that is over. */
#define DR_CLAIM_RECENT_MS 2000

static bool
dr_claims_recent(const struct dr_group *g)
{
	return g->peer_claims > 0 && g->peer_claim_age_ms >= 0 &&
	       g->peer_claim_age_ms <= DR_CLAIM_RECENT_MS;
}

static struct dr_group *
group_named(struct dr_facts *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->ngroups; i++)
		if (strcmp(f->groups[i].cg->name, name) == 0)
			return &f->groups[i];
	return NULL;
}

static void
add_group(struct dr_facts *f, const json_t *jg)
{
	struct dr_group *g = group_named(f, ctl_json_get_str(jg, "name", ""));
	const json_t *conf = json_object_get(jg, "conflicts");
	size_t i;

	if (g == NULL)
		return;
	g->have_status = true;
	snprintf(g->state, sizeof(g->state), "%s",
	         ctl_json_get_str(jg, "state", ""));
	snprintf(g->fault, sizeof(g->fault), "%s",
	         ctl_json_get_str(jg, "fault", ""));
	snprintf(g->fault_text, sizeof(g->fault_text), "%s",
	         ctl_json_get_str(jg, "fault_text", ""));
	g->route_installed =
	    ctl_json_get_bool(json_object_get(jg, "route"), "installed", false);
	g->rival[0] = g->rival_mac[0] = '\0';
	g->rival_alive = false;
	g->peer_claims = (uint64_t)ctl_json_get_int(
	    json_object_get(jg, "counters"), "peer_claims", 0);
	g->peer_claim_age_ms =
	    json_is_integer(json_object_get(jg, "peer_claim_age_ms"))
	        ? (int64_t)json_integer_value(
	              json_object_get(jg, "peer_claim_age_ms"))
	        : -1;
	for (i = 0; i < json_array_size(json_object_get(jg, "peers")); i++) {
		const json_t *p =
		    json_array_get(json_object_get(jg, "peers"), i);
		bool alive = ctl_json_get_bool(p, "alive", false);

		/* Alive and leading; or, when peers claimed our VIPs, one
		 * not heard (its heartbeats lost: it may lead unseen). */
		if (alive ? strcmp(ctl_json_get_str(p, "state", ""),
		                   "leader") != 0
		          : (!dr_claims_recent(g) || g->rival_alive ||
		             g->rival[0] != '\0'))
			continue;
		g->rival_alive = alive;
		snprintf(g->rival, sizeof(g->rival), "%s",
		         ctl_json_get_str(p, "id", "?"));
		snprintf(g->rival_mac, sizeof(g->rival_mac), "%s",
		         ctl_json_get_str(p, "mac", "?"));
	}
	g->nconflicts = 0;
	for (i = 0; i < json_array_size(conf) && g->nconflicts < DR_CONFLICTS;
	     i++) {
		const json_t *c = json_array_get(conf, i);
		struct dr_conflict *d = &g->conflicts[g->nconflicts];

		if (!parse_addr(ctl_json_get_str(c, "vip", ""), &d->vip))
			continue;
		snprintf(d->mac, sizeof(d->mac), "%s",
		         ctl_json_get_str(c, "mac", "?"));
		d->count = (uint64_t)ctl_json_get_int(c, "count", 0);
		d->yielded = ctl_json_get_bool(c, "yielded", false);
		g->nconflicts++;
	}
}

static void
add_peer(struct dr_facts *f, const json_t *jp)
{
	const json_t *seen = json_object_get(jp, "last_seen_ms");
	struct conf_addr a;
	size_t i;

	if (!parse_addr(ctl_json_get_str(jp, "address", ""), &a))
		return;
	for (i = 0; i < f->npeers; i++) {
		struct dr_peer *p = &f->peers[i];

		if (!addr_eq(&p->addr, &a))
			continue;
		p->known = true;
		snprintf(p->id, sizeof(p->id), "%s",
		         ctl_json_get_str(jp, "id", ""));
		p->alive = ctl_json_get_bool(jp, "alive", false);
		p->heard = json_is_integer(seen);
		p->last_seen_ms = p->heard ? json_integer_value(seen) : -1;
		p->auth_failing = ctl_json_get_bool(jp, "auth_failing", false);
	}
}

void
dr_facts_add_status(struct dr_facts *f, const json_t *status,
                    const json_t *metrics)
{
	const json_t *groups = json_object_get(status, "groups");
	const json_t *peers = json_object_get(status, "peers");
	const json_t *hb = json_object_get(metrics, "heartbeats");
	size_t i;

	f->daemon = true;
	snprintf(f->daemon_node, sizeof(f->daemon_node), "%s",
	         ctl_json_get_str(status, "node", ""));
	for (i = 0; i < json_array_size(groups); i++)
		add_group(f, json_array_get(groups, i));
	for (i = 0; i < json_array_size(peers); i++)
		add_peer(f, json_array_get(peers, i));
	f->hb_received = (uint64_t)ctl_json_get_int(hb, "received", 0);
	f->hb_rejected_hmac = (uint64_t)ctl_json_get_int(
	    json_object_get(hb, "rejected"), "hmac", 0);
}
