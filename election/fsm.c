/*
 * The per-group state machine.  Every input (a message, a tick, a fault, a
 * gone peer, a stall) ends in el_eval_all(), which re-evaluates each group
 * from the records we hold and the clock; evaluation is idempotent, so
 * calling it more often than needed changes nothing.
 *
 * While not leading, a group tracks the leader it last heard.  When that
 * leader disappears, the loss is latched once with its reason and the
 * earliest time we may act (dead time + skew for a timeout, at once for a
 * resign, a fault or an unreachable port), so that the reason reported
 * with a later takeover is the one that started it.
 */
#include "config.h"

#include <string.h>

#include "el_impl.h"

static bool
leading(enum el_state s)
{
	return s == EL_ST_LEADER || s == EL_ST_RESIGNING;
}

void
el_set_state(struct el_cluster *cl, size_t gi, enum el_state to,
             enum el_action act, enum el_reason why, const char *peer,
             unsigned missed, uint64_t now)
{
	struct el_group *g = &cl->groups[gi];
	enum el_state from = g->state;

	g->state = to;
	g->since = now;
	g->ask_since = 0;
	g->reason = why;
	el_id_copy(g->reason_peer, peer);
	g->transitions++;
	if (leading(from) != leading(to)) {
		/* Leader tracking starts afresh on either side. */
		g->leader[0] = '\0';
		g->lost = false;
	}
	if (to == EL_ST_LEADER && act == EL_ACT_TAKEOVER)
		g->released = false;
	el_event_push(cl, gi, from, to, act, why, peer, missed);
}

static void
takeover(struct el_cluster *cl, size_t gi, enum el_reason why, const char *peer,
         unsigned missed, uint64_t now)
{
	el_set_state(cl, gi, EL_ST_LEADER, EL_ACT_TAKEOVER, why, peer, missed,
	             now);
}

/* We heard leader id: remember it; a handover mark binds to or clears. */
static void
leader_seen(struct el_group *g, const char *id)
{
	if (!g->lost && strcmp(g->leader, id) == 0)
		return;
	if (g->released && g->released_to[0] == '\0')
		el_id_copy(g->released_to, id);
	else if (g->released && strcmp(g->released_to, id) != 0)
		g->released = false;
	el_id_copy(g->leader, id);
	g->lost = false;
}

void
el_group_yield(struct el_cluster *cl, size_t gi, enum el_reason why,
               const char *peer, uint64_t now)
{
	struct el_peer *p = el_peer_find(cl, peer);

	/* We follow it now: whatever said it was gone is outdated. */
	if (p != NULL)
		p->gone = false;
	el_set_state(cl, gi, EL_ST_BACKUP, EL_ACT_RELEASE, why, peer, 0, now);
	leader_seen(&cl->groups[gi], peer);
}

void
el_group_reannounce(struct el_cluster *cl, size_t gi, enum el_reason why,
                    const char *peer, uint64_t now)
{
	struct el_group *g = &cl->groups[gi];

	if (now < g->reannounce_at)
		return;
	g->reannounce_at = now + el_dead_ms(cl);
	el_event_push(cl, gi, g->state, g->state, EL_ACT_REANNOUNCE, why, peer,
	              0);
}

/* Why the leader we followed is gone, and from when we may act. */
static void
latch_loss(struct el_cluster *cl, size_t gi, uint64_t now)
{
	struct el_group *g = &cl->groups[gi];
	struct el_peer *p = g->leader[0] ? el_peer_find(cl, g->leader) : NULL;
	const struct el_prec *r;

	g->lost = true;
	g->released = false;
	el_id_copy(g->lost_peer, g->leader);
	g->lost_at = g->lost_ready = g->lost_seen = now;
	g->lost_iv = 0;
	if (g->leader[0] == '\0') {
		g->lost_reason = EL_R_NO_LEADER;
		if (g->listen_until > now)
			g->lost_at = g->lost_ready = g->listen_until;
		return;
	}
	g->lost_reason = EL_R_LEADER_DEAD;
	if (p == NULL)
		return;
	r = &p->rec[gi];
	if (p->gone) {
		g->lost_reason = EL_R_LEADER_UNREACHABLE;
	} else if (!el_prec_alive(cl, p, r, now)) {
		g->lost_seen = r->seen;
		g->lost_iv = p->interval;
		g->lost_at = r->seen + (uint64_t)cl->dead_after * p->interval;
		g->lost_ready = g->lost_at + el_skew_ms(g->prio, p->interval);
	} else if (r->flags & EL_F_RESIGN) {
		g->lost_reason = EL_R_LEADER_RESIGNED;
	} else if (r->rebooted) {
		/* Restarted within its dead time: it died, heard or not. */
		g->lost_reason = EL_R_LEADER_DEAD;
	} else if (!el_prec_eligible(r)) {
		g->lost_reason = EL_R_LEADER_FAULT;
	} else {
		g->lost_reason = EL_R_LEADER_RESIGNED;
	}
}

/* Follow the leader of a group we do not lead. */
static void
track(struct el_cluster *cl, size_t gi, const struct el_view *v, uint64_t now)
{
	struct el_group *g = &cl->groups[gi];

	if (v->leader != NULL) {
		leader_seen(g, v->leader->id);
		return;
	}
	if (g->lost)
		return;
	/* A leader first heard while resigning is lost at once. */
	if (v->resigner != NULL)
		el_id_copy(g->leader, v->resigner->id);
	latch_loss(cl, gi, now);
}

static void
try_preempt(struct el_cluster *cl, size_t gi, const struct el_peer *leader,
            uint64_t now)
{
	struct el_group *g = &cl->groups[gi];

	if (!g->preempt || now < g->listen_until ||
	    now < g->eligible_since + g->preempt_delay ||
	    (g->released && strcmp(g->released_to, leader->id) == 0) ||
	    el_peer_vs_self(cl, gi, leader) >= 0 || leader->deaf_since != 0) {
		g->ask_since = 0;
		return;
	}
	/* Make-before-break: ask the leader to hand over (EL_F_ASK in our
	 * record); it resigns and we take over from its resign, as after
	 * `vipctl release`.  A leader that does not (an older version)
	 * is preempted the old way after resign_wait. */
	if (g->ask_since == 0)
		g->ask_since = now;
	else if (now >= g->ask_since + cl->resign_wait)
		takeover(cl, gi, EL_R_PREEMPT, leader->id, 0, now);
}

static void
backup_eval(struct el_cluster *cl, size_t gi, const struct el_view *v,
            uint64_t now)
{
	struct el_group *g = &cl->groups[gi];
	unsigned missed = 0;

	if (cl->solo) {
		takeover(cl, gi, EL_R_SOLO, "", 0, now);
		return;
	}
	track(cl, gi, v, now);
	if (v->leader != NULL) {
		try_preempt(cl, gi, v->leader, now);
		return;
	}
	g->ask_since = 0;
	if (now < g->listen_until || now < g->lost_ready)
		return;
	if (v->best == NULL || el_peer_vs_self(cl, gi, v->best) < 0) {
		if (g->lost_reason == EL_R_LEADER_DEAD && g->lost_iv > 0)
			missed = (unsigned)((now - g->lost_seen) / g->lost_iv);
		takeover(cl, gi, g->lost_reason, g->lost_peer, missed, now);
		return;
	}
	/* A better candidate that stays silent sees something we do not. */
	if (now >=
	    (g->lost_at > g->listen_until ? g->lost_at : g->listen_until) +
	        el_dead_ms(cl))
		takeover(cl, gi, EL_R_FALLBACK, v->best->id, 0, now);
}

/* An alive, eligible peer that outranks us asks for the group: the
 * best such one, or NULL. */
static const struct el_peer *
asker(const struct el_cluster *cl, size_t gi, uint64_t now)
{
	const struct el_peer *best = NULL;
	size_t i;

	for (i = 0; i < cl->npeers; i++) {
		const struct el_peer *p = cl->peers[i];
		const struct el_prec *r = &p->rec[gi];

		if (el_prec_alive(cl, p, r, now) && (r->flags & EL_F_ASK) &&
		    el_prec_eligible(r) && el_peer_vs_self(cl, gi, p) > 0 &&
		    (best == NULL ||
		     el_rank_cmp(r->prio, r->weight, p->id, best->rec[gi].prio,
		                 best->rec[gi].weight, best->id) > 0))
			best = p;
	}
	return best;
}

static void
leader_eval(struct el_cluster *cl, size_t gi, const struct el_view *v,
            uint64_t now)
{
	struct el_group *g = &cl->groups[gi];
	const struct el_peer *a;
	const struct el_prec *r;

	if (v->leader == NULL) {
		/* A better node asks for the group: hand it over as a
		 * release does (make-before-break). */
		if ((a = asker(cl, gi, now)) != NULL) {
			el_set_state(cl, gi, EL_ST_RESIGNING, EL_ACT_NONE,
			             EL_R_HANDOVER, a->id, 0, now);
			g->resign_until = now + cl->resign_wait;
		}
		return;
	}
	if (el_peer_vs_self(cl, gi, v->leader) < 0) {
		/* One-way loss: it cannot hear us, so it will never yield;
		 * we hear it, so we do (one answerer). */
		if (el_peer_deaf(cl, v->leader, now)) {
			el_group_yield(cl, gi, EL_R_DEAF_PEER, v->leader->id,
			               now);
			return;
		}
		el_group_reannounce(cl, gi, EL_R_SPLIT_WIN, v->leader->id, now);
		return;
	}
	/* It was a live backup a message ago: it took over from us. */
	r = &v->leader->rec[gi];
	el_group_yield(cl, gi,
	               r->prev_fresh && !(r->prev_flags & EL_F_LEADER)
	                   ? EL_R_PREEMPTED
	                   : EL_R_SPLIT_YIELD,
	               v->leader->id, now);
}

static void
resigning_eval(struct el_cluster *cl, size_t gi, const struct el_view *v,
               uint64_t now)
{
	struct el_group *g = &cl->groups[gi];
	/* A handover a better node asked for is a preemption, not an
	 * operator's release: we may take the group back by the usual rules
	 * (its checks fail, say), so it is not marked released. */
	bool asked = g->reason == EL_R_HANDOVER;

	if (v->leader != NULL) {
		el_group_yield(cl, gi, EL_R_RESIGN_DONE, v->leader->id, now);
		g->released = !asked;
		el_id_copy(g->released_to, v->leader->id);
		return;
	}
	if (now < g->resign_until)
		return;
	if (v->best == NULL) {
		/* Nobody can take over: keep the VIP. */
		el_set_state(cl, gi, EL_ST_LEADER, EL_ACT_NONE,
		             EL_R_RESIGN_TIMEOUT, "", 0, now);
		return;
	}
	el_set_state(cl, gi, EL_ST_BACKUP, EL_ACT_RELEASE, EL_R_RESIGN_TIMEOUT,
	             "", 0, now);
	/* Give the eligible peers a dead interval to claim before we
	 * would take the group back; do not preempt whoever does. */
	latch_loss(cl, gi, now);
	g->lost_ready = now + el_dead_ms(cl);
	g->released = !asked;
	g->released_to[0] = '\0';
}

static void
listen_eval(struct el_cluster *cl, size_t gi, const struct el_view *v,
            uint64_t now)
{
	struct el_group *g = &cl->groups[gi];

	if (v->leader != NULL && el_peer_vs_self(cl, gi, v->leader) > 0) {
		el_set_state(cl, gi, EL_ST_BACKUP, EL_ACT_NONE, EL_R_PREEMPTED,
		             v->leader->id, 0, now);
		leader_seen(g, v->leader->id);
		return;
	}
	if (now < g->listen_until)
		return;
	if (v->leader != NULL) {
		el_set_state(cl, gi, EL_ST_BACKUP, EL_ACT_NONE, EL_R_STALL,
		             v->leader->id, 0, now);
		leader_seen(g, v->leader->id);
	} else if (v->best == NULL || el_peer_vs_self(cl, gi, v->best) < 0) {
		takeover(cl, gi, EL_R_STALL_REASSERT, "", 0, now);
	} else {
		el_set_state(cl, gi, EL_ST_BACKUP, EL_ACT_NONE, EL_R_STALL, "",
		             0, now);
	}
}

static void
eval_group(struct el_cluster *cl, size_t gi, uint64_t now)
{
	struct el_group *g = &cl->groups[gi];
	struct el_view v;
	uint64_t before;
	int round;

	/* A change may enable the next one (listen -> backup -> preempt);
	 * the chain is short, the bound only guards against a bug. */
	for (round = 0; round < 4; round++) {
		before = g->transitions;
		el_view_get(cl, gi, now, &v);
		switch (g->state) {
		case EL_ST_BACKUP:
			backup_eval(cl, gi, &v, now);
			break;
		case EL_ST_LEADER:
			leader_eval(cl, gi, &v, now);
			break;
		case EL_ST_RESIGNING:
			resigning_eval(cl, gi, &v, now);
			break;
		case EL_ST_LISTEN:
			listen_eval(cl, gi, &v, now);
			break;
		case EL_ST_FAULT:
			track(cl, gi, &v, now);
			break;
		}
		if (g->transitions == before)
			break;
	}
	if (g->rival_yielded) {
		g->rival_yielded = false;
		if (g->state == EL_ST_LEADER) {
			g->reannounce_at = 0;
			el_group_reannounce(cl, gi, EL_R_SPLIT_WIN, g->rival,
			                    now);
		}
	}
	if (g->returned) {
		const struct el_peer *p = el_peer_find(cl, g->returned_peer);

		/* Only a peer we outrank can have yielded to us unheard; one
		 * that outranks us is about to preempt or to win the split,
		 * and our announcements would only delay the neighbours. */
		g->returned = false;
		if (g->state == EL_ST_LEADER && p != NULL &&
		    el_peer_vs_self(cl, gi, p) < 0)
			el_group_reannounce(cl, gi, EL_R_PEER_RETURNED,
			                    g->returned_peer, now);
	}
}

void
el_eval_all(struct el_cluster *cl, uint64_t now)
{
	size_t gi;

	for (gi = 0; gi < cl->ngroups; gi++)
		if (cl->groups[gi].used)
			eval_group(cl, gi, now);
}

static void
dl_min(uint64_t *best, uint64_t t, uint64_t now)
{
	if (t > now && t < *best)
		*best = t;
}

/* Every time at which a BACKUP's decision may change without input. */
static void
backup_deadline(const struct el_cluster *cl, size_t gi, uint64_t *best)
{
	const struct el_group *g = &cl->groups[gi];
	uint64_t now = cl->now, base;
	size_t i;

	if (cl->solo) {
		*best = now < *best ? now : *best; /* due at once */
		return;
	}
	dl_min(best, g->listen_until, now);
	if (g->preempt)
		dl_min(best, g->eligible_since + g->preempt_delay, now);
	if (g->ask_since != 0)
		dl_min(best, g->ask_since + cl->resign_wait, now);
	if (g->lost) {
		dl_min(best, g->lost_ready, now);
		base =
		    g->lost_at > g->listen_until ? g->lost_at : g->listen_until;
		dl_min(best, base + el_dead_ms(cl), now);
	}
	for (i = 0; i < cl->npeers; i++) {
		const struct el_peer *p = cl->peers[i];
		const struct el_prec *r = &p->rec[gi];

		if (el_prec_alive(cl, p, r, now)) {
			dl_min(best,
			       r->seen + (uint64_t)cl->dead_after * p->interval,
			       now);
		}
	}
}

uint64_t
el_cluster_next_deadline(const struct el_cluster *cl)
{
	uint64_t best = UINT64_MAX;
	size_t gi;

	for (gi = 0; gi < cl->ngroups; gi++) {
		const struct el_group *g = &cl->groups[gi];

		if (!g->used)
			continue;
		switch (g->state) {
		case EL_ST_BACKUP:
			backup_deadline(cl, gi, &best);
			break;
		case EL_ST_RESIGNING:
			dl_min(&best, g->resign_until, cl->now);
			break;
		case EL_ST_LISTEN:
			dl_min(&best, g->listen_until, cl->now);
			break;
		default:
			break;
		}
	}
	return best;
}
