/*
 * Ranking and liveness: the pieces every node computes identically from the
 * same records, so that all of them agree on who should lead a group.
 */
#include "config.h"

#include <string.h>

#include "el_impl.h"

uint64_t
el_dead_ms(const struct el_cluster *cl)
{
	return (uint64_t)cl->dead_after * cl->interval;
}

/*
 * How long past its last authenticated message a leader's answer on the
 * data plane may keep it alive: one of its intervals.  The answer is
 * unauthenticated (anyone can send the leader's MAC), so it may postpone
 * a takeover by that much only: at the defaults (100 ms x 3) a dead
 * leader is taken over at most 400 ms + skew after its last heartbeat.
 */
uint64_t
el_dataplane_grace_ms(const struct el_peer *p)
{
	return p->interval;
}

/* A data-plane proof of life for r: now, but never later than one grace
 * past its last authenticated message. */
uint64_t
el_dataplane_seen(const struct el_peer *p, const struct el_prec *r,
                  uint64_t now)
{
	uint64_t cap = r->hb_seen + el_dataplane_grace_ms(p);

	if (now > cap)
		now = cap;
	return now > r->seen ? now : r->seen;
}

/*
 * A record is alive while its peer is not reported gone and it was
 * refreshed within dead_after of the peer's own interval.  Liveness is per
 * record, not per peer, so that a group the peer stopped advertising (a
 * reload) expires like a dead leader instead of lingering.
 */
bool
el_prec_alive(const struct el_cluster *cl, const struct el_peer *p,
              const struct el_prec *r, uint64_t now)
{
	return r->known && !p->gone && !p->unverified &&
	       now < r->seen + (uint64_t)cl->dead_after * p->interval;
}

bool
el_prec_eligible(const struct el_prec *r)
{
	return r->prio > 0 &&
	       (r->flags & (EL_F_RESIGN | EL_F_FAULT | EL_F_LISTEN)) == 0;
}

/* (priority, rendezvous weight, id), higher wins: >0 when a outranks b. */
int
el_rank_cmp(uint8_t pa, uint64_t wa, const char *ida, uint8_t pb, uint64_t wb,
            const char *idb)
{
	int c;

	if (pa != pb)
		return pa > pb ? 1 : -1;
	if (wa != wb)
		return wa > wb ? 1 : -1;
	c = strcmp(ida, idb);
	return (c > 0) - (c < 0);
}

/* >0 when peer p outranks us in group gi (by its last record). */
int
el_peer_vs_self(const struct el_cluster *cl, size_t gi, const struct el_peer *p)
{
	const struct el_group *g = &cl->groups[gi];
	const struct el_prec *r = &p->rec[gi];
	uint8_t pp = r->known ? r->prio : 0;
	uint8_t sp = g->fault ? 0 : g->prio;

	return el_rank_cmp(pp, r->weight, p->id, sp, g->weight, cl->self);
}

static bool
peer_better(size_t gi, const struct el_peer *a, const struct el_peer *b)
{
	const struct el_prec *ra = &a->rec[gi], *rb = &b->rec[gi];

	return el_rank_cmp(ra->prio, ra->weight, a->id, rb->prio, rb->weight,
	                   b->id) > 0;
}

void
el_view_get(const struct el_cluster *cl, size_t gi, uint64_t now,
            struct el_view *v)
{
	size_t i;

	v->leader = v->resigner = v->best = NULL;
	for (i = 0; i < cl->npeers; i++) {
		struct el_peer *p = cl->peers[i];
		const struct el_prec *r = &p->rec[gi];

		if (!el_prec_alive(cl, p, r, now))
			continue;
		if (r->flags & EL_F_RESIGN) {
			if (v->resigner == NULL ||
			    peer_better(gi, p, v->resigner))
				v->resigner = p;
		} else if (r->flags & EL_F_LEADER) {
			if (v->leader == NULL || peer_better(gi, p, v->leader))
				v->leader = p;
		}
		if (el_prec_eligible(r) &&
		    (v->best == NULL || peer_better(gi, p, v->best)))
			v->best = p;
	}
}

/* What we advertise: priority 0 whenever we must not be chosen. */
uint8_t
el_adv_prio(const struct el_group *g)
{
	switch (g->state) {
	case EL_ST_BACKUP:
	case EL_ST_LEADER:
		return g->prio;
	default:
		return 0;
	}
}

uint8_t
el_adv_flags(const struct el_group *g)
{
	switch (g->state) {
	case EL_ST_LEADER:
		return EL_F_LEADER;
	case EL_ST_RESIGNING:
		return EL_F_LEADER | EL_F_RESIGN;
	case EL_ST_FAULT:
		return EL_F_FAULT;
	case EL_ST_LISTEN:
		return EL_F_LISTEN;
	default:
		return g->ask_since != 0 ? EL_F_ASK : 0;
	}
}

/*
 * The extra wait of a backup after the leader's dead time: higher
 * priorities wait less, so that when backups do not hear each other the
 * best one still moves first.  Below half an interval (prio >= 1).
 */
uint64_t
el_skew_ms(uint8_t prio, unsigned interval)
{
	return (uint64_t)(256 - prio) * interval / 512;
}
