/* What leaves the cluster: the messages to send, and status for humans. */
#include "config.h"

#include <string.h>

#include "el_impl.h"

static bool
group_changed(const struct el_group *g)
{
	return !g->adv_valid || g->adv_prio != el_adv_prio(g) ||
	       g->adv_flags != el_adv_flags(g) ||
	       memcmp(g->adv_mac, g->mac, EL_MAC_LEN) != 0;
}

bool
el_cluster_send_due(const struct el_cluster *cl)
{
	size_t gi;

	if (cl->dirty)
		return true;
	for (gi = 0; gi < cl->ngroups; gi++)
		if (cl->groups[gi].used && group_changed(&cl->groups[gi]))
			return true;
	return false;
}

static void
msg_start(struct el_cluster *cl, struct el_msg *m)
{
	memset(m, 0, offsetof(struct el_msg, rec));
	m->version = EL_PROTO_VERSION;
	m->type = EL_MSG_STATE;
	m->interval_ms = (uint16_t)cl->interval;
	m->epoch = cl->epoch;
	m->seq = ++cl->seq;
	el_id_copy(m->node, cl->self);
	m->nrec = 0;
}

static void
msg_add(struct el_msg *m, struct el_group *g)
{
	struct el_rec *r = &m->rec[m->nrec++];

	r->group = g->id;
	r->prio = el_adv_prio(g);
	r->flags = el_adv_flags(g);
	memcpy(r->mac, g->mac, EL_MAC_LEN);
	g->adv_valid = true;
	g->adv_prio = r->prio;
	g->adv_flags = r->flags;
	memcpy(g->adv_mac, g->mac, EL_MAC_LEN);
}

/* Slot of the next live group at or after gi (ngroups if none). */
static size_t
next_used(const struct el_cluster *cl, size_t gi)
{
	while (gi < cl->ngroups && !cl->groups[gi].used)
		gi++;
	return gi;
}

size_t
el_cluster_build(struct el_cluster *cl, struct el_msg *out, size_t cap)
{
	size_t n = 0, gi = next_used(cl, 0);

	/* With no groups we still send one: peers must know we live. */
	do {
		struct el_msg *m;

		if (n == cap)
			return n;
		m = &out[n++];
		msg_start(cl, m);
		while (gi < cl->ngroups &&
		       m->nrec < EL_MSG_MAX_REC - EL_CTL_MAX) {
			msg_add(m, &cl->groups[gi]);
			gi = next_used(cl, gi + 1);
		}
	} while (gi < cl->ngroups);
	cl->dirty = false;
	return n;
}

int
el_cluster_group_info(const struct el_cluster *cl, size_t group,
                      uint64_t now_ms, struct el_group_info *out)
{
	const struct el_group *g;
	struct el_view v;

	if (group >= cl->ngroups || !cl->groups[group].used)
		return -1;
	g = &cl->groups[group];
	memset(out, 0, sizeof(*out));
	out->name = g->name;
	out->state = g->state;
	out->prio = el_adv_prio(g);
	if (g->state == EL_ST_LEADER || g->state == EL_ST_RESIGNING) {
		el_id_copy(out->leader, cl->self);
	} else {
		el_view_get(cl, group, now_ms, &v);
		if (v.leader != NULL)
			el_id_copy(out->leader, v.leader->id);
		else if (v.resigner != NULL)
			el_id_copy(out->leader, v.resigner->id);
	}
	out->since_ms = g->since;
	out->reason = g->reason;
	el_id_copy(out->reason_peer, g->reason_peer);
	out->transitions = g->transitions;
	return 0;
}

/* Heard from within its dead time, and not known gone. */
static bool
peer_alive(const struct el_cluster *cl, const struct el_peer *p,
           uint64_t now_ms)
{
	return !p->gone && !p->unverified &&
	       now_ms < p->last_seen + (uint64_t)cl->dead_after * p->interval;
}

uint64_t
el_hears_bits(const char *id)
{
	uint64_t h = el_rendezvous(0, id);

	return (1ull << (h % 48)) | (1ull << ((h >> 16) % 48));
}

uint64_t
el_cluster_hears(const struct el_cluster *cl, uint64_t now_ms)
{
	uint64_t set = 0;
	size_t i;

	for (i = 0; i < cl->npeers; i++)
		if (peer_alive(cl, cl->peers[i], now_ms))
			set |= el_hears_bits(cl->peers[i]->id);
	return set;
}

/* p's HELLOs have said for one interval of its own at least that it does
 * not hear us (one message could predate its hearing us: a healed
 * partition). */
bool
el_peer_deaf(const struct el_cluster *cl, const struct el_peer *p, uint64_t now)
{
	(void)cl;
	return p->deaf_since != 0 && now >= p->deaf_since + p->interval;
}

bool
el_cluster_any_peer_alive(const struct el_cluster *cl, uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < cl->npeers; i++)
		if (peer_alive(cl, cl->peers[i], now_ms))
			return true;
	return false;
}

size_t
el_cluster_peers(const struct el_cluster *cl, uint64_t now_ms,
                 struct el_peer_info *out, size_t cap)
{
	size_t i;

	for (i = 0; i < cl->npeers && i < cap; i++) {
		const struct el_peer *p = cl->peers[i];

		memset(&out[i], 0, sizeof(out[i]));
		el_id_copy(out[i].id, p->id);
		out[i].last_seen_ms = p->last_seen;
		out[i].alive = peer_alive(cl, p, now_ms);
		out[i].interval_ms = p->interval;
		out[i].epoch = p->rp.epoch;
	}
	return i;
}

size_t
el_cluster_group_peers(const struct el_cluster *cl, size_t group,
                       uint64_t now_ms, struct el_peer_group_info *out,
                       size_t cap)
{
	size_t i, n = 0;

	if (group >= cl->ngroups || !cl->groups[group].used)
		return 0;
	for (i = 0; i < cl->npeers && n < cap; i++) {
		const struct el_peer *p = cl->peers[i];
		const struct el_prec *r = &p->rec[group];

		if (!r->known)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		el_id_copy(out[n].id, p->id);
		out[n].alive = el_prec_alive(cl, p, r, now_ms);
		out[n].prio = r->prio;
		out[n].flags = r->flags;
		memcpy(out[n].mac, r->mac, EL_MAC_LEN);
		n++;
	}
	return n;
}
