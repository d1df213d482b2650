/*
 * The cluster object: configuration, groups, peers and the event queue, and
 * the inputs that feed the state machine (fsm.c).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "el_impl.h"

void
el_id_copy(char dst[EL_ID_MAX], const char *src)
{
	size_t n = strnlen(src, EL_ID_MAX - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void
el_now(struct el_cluster *cl, uint64_t now)
{
	if (now > cl->now)
		cl->now = now;
}

struct el_cluster *
el_cluster_new(const struct el_config *cfg, uint64_t epoch, uint64_t now_ms)
{
	struct el_cluster *cl;

	if (cfg == NULL || cfg->self_id == NULL ||
	    !el_id_valid(cfg->self_id, strnlen(cfg->self_id, EL_ID_MAX)) ||
	    cfg->interval_ms == 0 || cfg->interval_ms > UINT16_MAX ||
	    cfg->dead_after == 0 || cfg->dead_after > 1000) {
		errno = EINVAL;
		return NULL;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	el_id_copy(cl->self, cfg->self_id);
	cl->interval = cfg->interval_ms;
	cl->dead_after = cfg->dead_after;
	cl->resign_wait =
	    cfg->resign_wait_ms ? cfg->resign_wait_ms : 3 * cfg->interval_ms;
	cl->solo = cfg->solo;
	cl->epoch = epoch;
	cl->now = now_ms;
	return cl;
}

int
el_cluster_set_timing(struct el_cluster *cl, unsigned interval_ms,
                      unsigned dead_after, unsigned resign_wait_ms)
{
	if (interval_ms == 0 || interval_ms > UINT16_MAX || dead_after == 0 ||
	    dead_after > 1000) {
		errno = EINVAL;
		return -1;
	}
	cl->interval = interval_ms;
	cl->dead_after = dead_after;
	cl->resign_wait = resign_wait_ms ? resign_wait_ms : 3 * interval_ms;
	return 0;
}

void
el_cluster_free(struct el_cluster *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->ngroups; i++)
		free(cl->groups[i].name);
	for (i = 0; i < cl->npeers; i++) {
		free(cl->peers[i]->rec);
		free(cl->peers[i]);
	}
	free(cl->groups);
	free(cl->peers);
	free(cl->evq);
	free(cl);
}

/* Index of the first peer whose id is >= id (binary search). */
static size_t
peer_pos(const struct el_cluster *cl, const char *id)
{
	size_t lo = 0, hi = cl->npeers, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(cl->peers[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct el_peer *
el_peer_find(const struct el_cluster *cl, const char *id)
{
	size_t i = peer_pos(cl, id);

	if (i < cl->npeers && strcmp(cl->peers[i]->id, id) == 0)
		return cl->peers[i];
	return NULL;
}

static void
peer_remove(struct el_cluster *cl, size_t i)
{
	free(cl->peers[i]->rec);
	free(cl->peers[i]);
	memmove(&cl->peers[i], &cl->peers[i + 1],
	        (cl->npeers - i - 1) * sizeof(cl->peers[0]));
	cl->npeers--;
}

/* A full table makes room by forgetting the peer heard from least lately,
 * if it is dead: ids are authenticated, so this only bounds a
 * misconfiguration (ids changing at every restart). */
static bool
peer_make_room(struct el_cluster *cl, uint64_t now)
{
	size_t i, old = 0;

	for (i = 1; i < cl->npeers; i++)
		if (cl->peers[i]->last_seen < cl->peers[old]->last_seen)
			old = i;
	if (now < cl->peers[old]->last_seen +
	              (uint64_t)cl->dead_after * cl->peers[old]->interval)
		return false;
	peer_remove(cl, old);
	return true;
}

static struct el_peer *
peer_add(struct el_cluster *cl, const char *id, uint64_t now)
{
	struct el_peer *p, **np;
	size_t i;

	if (cl->npeers == EL_PEERS_MAX && !peer_make_room(cl, now))
		return NULL;
	if ((np = realloc(cl->peers, (cl->npeers + 1) * sizeof(*np))) == NULL)
		return NULL;
	cl->peers = np;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->rec = calloc(cl->capg ? cl->capg : 1, sizeof(*p->rec))) ==
	    NULL) {
		free(p);
		return NULL;
	}
	el_id_copy(p->id, id);
	i = peer_pos(cl, id);
	memmove(&cl->peers[i + 1], &cl->peers[i],
	        (cl->npeers - i) * sizeof(*np));
	cl->peers[i] = p;
	cl->npeers++;
	return p;
}

/* Room for one more group slot, in the cluster and in every peer. */
static int
groups_grow(struct el_cluster *cl)
{
	size_t cap = cl->capg ? 2 * cl->capg : 8, i;
	struct el_group *ng;

	if (cl->ngroups < cl->capg)
		return 0;
	if ((ng = realloc(cl->groups, cap * sizeof(*ng))) == NULL)
		return -1;
	cl->groups = ng;
	for (i = 0; i < cl->npeers; i++) {
		struct el_prec *nr;

		nr = realloc(cl->peers[i]->rec, cap * sizeof(*nr));
		if (nr == NULL)
			return -1;
		memset(nr + cl->capg, 0, (cap - cl->capg) * sizeof(*nr));
		cl->peers[i]->rec = nr;
	}
	cl->capg = cap;
	return 0;
}

static bool
group_config_valid(const struct el_group_config *gc)
{
	return gc != NULL && gc->name != NULL && gc->name[0] != '\0' &&
	       gc->priority >= 1 && gc->priority <= 254;
}

static void
group_apply(struct el_group *g, const struct el_group_config *gc)
{
	g->prio = gc->priority;
	g->preempt = gc->preempt;
	g->preempt_delay = gc->preempt_delay_ms;
	memcpy(g->mac, gc->mac, EL_MAC_LEN);
}

int
el_cluster_group_add(struct el_cluster *cl, const struct el_group_config *gc,
                     uint64_t now_ms)
{
	struct el_group *g;
	uint32_t id;
	size_t i;

	if (!group_config_valid(gc) || cl->ngroups >= INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	if ((id = el_group_id(gc->name)) == EL_CTL_GROUP) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < cl->ngroups; i++) {
		g = &cl->groups[i];
		if (g->used &&
		    (g->id == id || strcmp(g->name, gc->name) == 0)) {
			errno = EEXIST;
			return -1;
		}
	}
	if (groups_grow(cl) == -1)
		return -1;
	g = &cl->groups[cl->ngroups];
	memset(g, 0, sizeof(*g));
	if ((g->name = strdup(gc->name)) == NULL)
		return -1;
	g->used = true;
	g->id = id;
	g->weight = el_rendezvous(id, cl->self);
	group_apply(g, gc);
	g->state = EL_ST_BACKUP;
	/* Hear who leads before claiming anything. */
	g->listen_until = cl->solo ? now_ms : now_ms + el_dead_ms(cl);
	g->eligible_since = g->since = now_ms;
	for (i = 0; i < cl->npeers; i++)
		memset(&cl->peers[i]->rec[cl->ngroups], 0,
		       sizeof(struct el_prec));
	cl->dirty = true;
	return (int)cl->ngroups++;
}

static struct el_group *
group_get(struct el_cluster *cl, size_t gi)
{
	if (gi >= cl->ngroups || !cl->groups[gi].used)
		return NULL;
	return &cl->groups[gi];
}

void
el_cluster_group_remove(struct el_cluster *cl, size_t group, uint64_t now_ms)
{
	struct el_group *g = group_get(cl, group);
	size_t i;

	if (g == NULL)
		return;
	(void)now_ms; /* nothing timed here: no evaluation, no new "now" */
	if (g->state == EL_ST_LEADER || g->state == EL_ST_RESIGNING)
		el_event_push(cl, group, g->state, EL_ST_BACKUP, EL_ACT_RELEASE,
		              EL_R_NONE, "", 0);
	free(g->name);
	g->name = NULL;
	g->used = false;
	for (i = 0; i < cl->npeers; i++)
		cl->peers[i]->rec[group].known = false;
	cl->dirty = true;
}

void
el_cluster_group_update(struct el_cluster *cl, size_t group,
                        const struct el_group_config *gc, uint64_t now_ms)
{
	struct el_group *g = group_get(cl, group);

	if (g == NULL || !group_config_valid(gc))
		return;
	el_now(cl, now_ms);
	group_apply(g, gc);
	el_eval_all(cl, now_ms);
}

void
el_cluster_group_set_fault(struct el_cluster *cl, size_t group, bool fault,
                           uint64_t now_ms)
{
	struct el_group *g = group_get(cl, group);

	if (g == NULL || g->fault == fault)
		return;
	el_now(cl, now_ms);
	g->fault = fault;
	if (fault)
		el_set_state(cl, group, EL_ST_FAULT,
		             g->state == EL_ST_LEADER ||
		                     g->state == EL_ST_RESIGNING
		                 ? EL_ACT_RELEASE
		                 : EL_ACT_NONE,
		             EL_R_FAULT, "", 0, now_ms);
	else if (g->state == EL_ST_FAULT) {
		el_set_state(cl, group, EL_ST_BACKUP, EL_ACT_NONE,
		             EL_R_RECOVERED, "", 0, now_ms);
		g->eligible_since = now_ms;
		/* Heartbeats may not have reached us while we were out (the
		 * faulted link often carries them): listen a dead interval,
		 * as at start-up, before claiming anything. */
		g->listen_until = now_ms + el_dead_ms(cl);
	}
	el_eval_all(cl, now_ms);
}

static bool
msg_sane(const struct el_msg *msg)
{
	return msg->version == EL_PROTO_VERSION && msg->type == EL_MSG_STATE &&
	       msg->interval_ms > 0 && msg->nrec <= EL_MSG_MAX_REC &&
	       el_id_valid(msg->node, strnlen(msg->node, EL_ID_MAX));
}

static struct el_group *
group_by_id(struct el_cluster *cl, uint32_t id, size_t *gi)
{
	size_t i;

	for (i = 0; i < cl->ngroups; i++)
		if (cl->groups[i].used && cl->groups[i].id == id) {
			*gi = i;
			return &cl->groups[i];
		}
	return NULL;
}

/* Store the records of an accepted message (p still holds the old view). */
static void
peer_update(struct el_cluster *cl, struct el_peer *p, const struct el_msg *msg,
            bool reboot, uint64_t now)
{
	size_t i, gi;
	bool was_known;

	for (i = 0; i < msg->nrec; i++) {
		const struct el_rec *m = &msg->rec[i];
		struct el_prec *r;

		if (group_by_id(cl, m->group, &gi) == NULL)
			continue; /* not a group of ours */
		r = &p->rec[gi];
		was_known = r->known;
		r->prev_fresh = el_prec_alive(cl, p, r, now);
		r->prev_flags = r->known ? r->flags : 0;
		if (!r->known)
			r->weight = el_rendezvous(m->group, p->id);
		r->known = true;
		r->rebooted = reboot;
		r->prio = m->prio;
		r->flags = m->flags;
		memcpy(r->mac, m->mac, EL_MAC_LEN);
		r->seen = r->hb_seen = now;
		/* A peer we had lost is back (a healed partition): it may have
		 * led on its side and yielded before we ever heard it, so the
		 * neighbours there still point at it.  Announce again, once
		 * the evaluation has shown that we still lead. */
		/* A rival leader gave up (split brain resolved, a preempted
		 * leader released): its last gratuitous ARPs may have
		 * reached the neighbours after ours, so we want the last
		 * word, whatever the re-announce rate limit says. */
		if (r->prev_fresh && (r->prev_flags & EL_F_LEADER) &&
		    !(r->prev_flags & EL_F_RESIGN) &&
		    !(m->flags & EL_F_LEADER) &&
		    cl->groups[gi].state == EL_ST_LEADER) {
			cl->groups[gi].rival_yielded = true;
			el_id_copy(cl->groups[gi].rival, p->id);
		}
		if (was_known && !r->prev_fresh &&
		    cl->groups[gi].state == EL_ST_LEADER) {
			cl->groups[gi].returned = true;
			el_id_copy(cl->groups[gi].returned_peer, p->id);
		}
	}
	p->last_seen = now;
	p->interval = msg->interval_ms;
	p->gone = false;
}

enum el_verdict
el_cluster_receive(struct el_cluster *cl, const struct el_msg *msg,
                   uint64_t now_ms)
{
	struct el_peer *p;
	bool reboot = false;
	uint64_t hears;

	if (!msg_sane(msg))
		return EL_REJ_MALFORMED;
	if (strcmp(msg->node, cl->self) == 0)
		return EL_REJ_SELF;
	if ((p = el_peer_find(cl, msg->node)) != NULL) {
		if (!el_replay_check(&p->rp, msg->epoch, msg->seq))
			return EL_REJ_REPLAY;
		reboot = msg->epoch != p->rp.epoch;
		el_replay_commit(&p->rp, msg->epoch, msg->seq);
	} else {
		uint64_t hello;

		if ((p = peer_add(cl, msg->node, now_ms)) == NULL)
			return EL_REJ_UNKNOWN_SENDER;
		el_replay_init(&p->rp, msg->epoch, msg->seq);
		/* First contact: this could be a capture replayed to us.
		 * A peer that answers challenges counts only once it has
		 * echoed one (the daemon challenges it at once). */
		if (el_msg_ctl_find(msg, EL_CTL_HELLO, &hello))
			p->unverified = true;
	}
	/* Whom it hears (one-way loss), if it says. */
	p->hears_known = el_msg_ctl_find(msg, EL_CTL_HELLO, &hears);
	p->hears = p->hears_known ? hears : 0;
	if (p->hears_known &&
	    (hears & el_hears_bits(cl->self)) != el_hears_bits(cl->self)) {
		if (p->deaf_since == 0)
			p->deaf_since = now_ms;
	} else {
		p->deaf_since = 0;
	}
	peer_update(cl, p, msg, reboot, now_ms);
	el_now(cl, now_ms);
	el_eval_all(cl, now_ms);
	return EL_OK;
}

bool
el_cluster_peer_unverified(const struct el_cluster *cl, const char *id)
{
	const struct el_peer *p = el_peer_find(cl, id);

	return p != NULL && p->unverified;
}

void
el_cluster_peer_verify(struct el_cluster *cl, const char *id, uint64_t now_ms)
{
	struct el_peer *p = el_peer_find(cl, id);

	if (p == NULL || !p->unverified)
		return;
	p->unverified = false;
	p->gone = false; /* it answered: alive now */
	el_now(cl, now_ms);
	el_eval_all(cl, now_ms);
}

void
el_cluster_tick(struct el_cluster *cl, uint64_t now_ms)
{
	el_now(cl, now_ms);
	el_eval_all(cl, now_ms);
}

void
el_cluster_peer_gone(struct el_cluster *cl, const char *id, uint64_t now_ms)
{
	struct el_peer *p = el_peer_find(cl, id);

	el_now(cl, now_ms);
	if (p != NULL)
		p->gone = true;
	el_eval_all(cl, now_ms);
}

void
el_cluster_stalled(struct el_cluster *cl, uint64_t gap_ms, uint64_t now_ms)
{
	size_t i, gi;

	(void)gap_ms; /* the caller decided it was too long; we only react */
	el_now(cl, now_ms);
	for (gi = 0; gi < cl->ngroups; gi++) {
		struct el_group *g = &cl->groups[gi];

		if (!g->used)
			continue;
		if (g->state == EL_ST_LEADER || g->state == EL_ST_RESIGNING) {
			el_set_state(cl, gi, EL_ST_LISTEN, EL_ACT_RELEASE,
			             EL_R_STALL, "", 0, now_ms);
			g->listen_until = now_ms + el_dead_ms(cl);
		} else if (g->state == EL_ST_BACKUP) {
			g->lost = false; /* judge again with fresh timers */
		}
	}
	/* What we did not read during the gap is late, not missing. */
	for (i = 0; i < cl->npeers; i++) {
		struct el_peer *p = cl->peers[i];

		p->last_seen = now_ms;
		for (gi = 0; gi < cl->ngroups; gi++)
			if (p->rec[gi].known)
				p->rec[gi].seen = p->rec[gi].hb_seen = now_ms;
	}
	el_eval_all(cl, now_ms);
}

size_t
el_cluster_resign(struct el_cluster *cl, size_t group, uint64_t now_ms)
{
	size_t gi, n = 0;

	el_now(cl, now_ms);
	for (gi = 0; gi < cl->ngroups; gi++) {
		struct el_group *g = &cl->groups[gi];

		struct el_view v;

		if ((group != SIZE_MAX && gi != group) || !g->used ||
		    g->state != EL_ST_LEADER)
			continue;
		/* Stopping: a group no live peer can take over is left for the
		 * caller to release at once, not held for resign_wait. */
		el_view_get(cl, gi, now_ms, &v);
		if (group == SIZE_MAX && v.best == NULL)
			continue;
		el_set_state(cl, gi, EL_ST_RESIGNING, EL_ACT_NONE, EL_R_RESIGN,
		             "", 0, now_ms);
		g->resign_until = now_ms + cl->resign_wait;
		n++;
	}
	el_eval_all(cl, now_ms);
	return n;
}

bool
el_cluster_outranked(const struct el_cluster *cl, size_t group, uint64_t now_ms)
{
	const struct el_group *g;
	struct el_view v;

	if (group >= cl->ngroups || !cl->groups[group].used)
		return false;
	g = &cl->groups[group];
	if (g->state != EL_ST_LEADER)
		return false;
	el_view_get(cl, group, now_ms, &v);
	return v.best != NULL && el_peer_vs_self(cl, group, v.best) > 0;
}

bool
el_cluster_resigning(const struct el_cluster *cl)
{
	size_t gi;

	for (gi = 0; gi < cl->ngroups; gi++)
		if (cl->groups[gi].used &&
		    cl->groups[gi].state == EL_ST_RESIGNING)
			return true;
	return false;
}

bool
el_cluster_listening(const struct el_cluster *cl, uint64_t now_ms)
{
	size_t gi;

	for (gi = 0; gi < cl->ngroups; gi++) {
		const struct el_group *g = &cl->groups[gi];

		if (g->used && now_ms < g->listen_until &&
		    (g->state == EL_ST_BACKUP || g->state == EL_ST_LISTEN))
			return true;
	}
	return false;
}

/* The peer whose record in slot gi (any slot if gi is SIZE_MAX) has mac. */
static struct el_peer *
peer_by_mac(const struct el_cluster *cl, size_t gi,
            const uint8_t mac[EL_MAC_LEN])
{
	size_t i, s;

	for (i = 0; i < cl->npeers; i++)
		for (s = 0; s < cl->ngroups; s++) {
			const struct el_prec *r = &cl->peers[i]->rec[s];

			if ((gi == SIZE_MAX || s == gi) && cl->groups[s].used &&
			    r->known && memcmp(r->mac, mac, EL_MAC_LEN) == 0)
				return cl->peers[i];
		}
	return NULL;
}

enum el_dp_verdict
el_cluster_dataplane_claim(struct el_cluster *cl, size_t group,
                           const uint8_t mac[EL_MAC_LEN], char owner[EL_ID_MAX],
                           uint64_t now_ms)
{
	struct el_group *g = group_get(cl, group);
	struct el_peer *p;
	struct el_prec *r;
	uint64_t heard;

	owner[0] = '\0';
	if (g == NULL)
		return EL_DP_FOREIGN;
	if ((p = peer_by_mac(cl, group, mac)) == NULL &&
	    (p = peer_by_mac(cl, SIZE_MAX, mac)) == NULL)
		return EL_DP_FOREIGN;
	el_id_copy(owner, p->id);
	el_now(cl, now_ms);
	r = &p->rec[group];
	if (g->state != EL_ST_LEADER) {
		/* The leader we follow answers on the wire: alive, even if
		 * its heartbeats are being lost.  Anyone can forge that
		 * answer with its MAC, so it postpones the takeover by one
		 * interval at most past its last authenticated message. */
		if (r->known && (r->flags & EL_F_LEADER) &&
		    !(r->flags & EL_F_RESIGN) && !p->gone &&
		    memcmp(r->mac, mac, EL_MAC_LEN) == 0) {
			r->seen = el_dataplane_seen(p, r, now_ms);
			el_eval_all(cl, now_ms);
		}
		return EL_DP_PEER;
	}
	/* We lead: a peer's frames are its claim, but anyone can send its
	 * MAC.  Only a peer heard lately (a split brain) is weighed; a dead
	 * peer's frames must neither take the VIP from us nor make us flap
	 * or burst. */
	heard = r->known ? r->hb_seen : p->last_seen;
	if (p->gone || now_ms >= heard + el_dataplane_grace_ms(p) +
	                             (uint64_t)cl->dead_after * p->interval)
		return EL_DP_UNHEARD;
	if (el_peer_vs_self(cl, group, p) < 0) {
		el_group_reannounce(cl, group, EL_R_DATAPLANE_WIN, p->id,
		                    now_ms);
		el_eval_all(cl, now_ms);
		return EL_DP_PEER;
	}
	/* Follow it as a live leader for a dead interval rather than claim
	 * back at once. */
	if (r->known) {
		r->flags = (uint8_t)((r->flags | EL_F_LEADER) & ~EL_F_RESIGN);
		r->seen = el_dataplane_seen(p, r, now_ms);
	}
	el_group_yield(cl, group, EL_R_DATAPLANE_YIELD, p->id, now_ms);
	el_eval_all(cl, now_ms);
	return EL_DP_PEER;
}

bool
el_cluster_leader_overdue(const struct el_cluster *cl, size_t group,
                          uint64_t now_ms, uint64_t after_ms,
                          uint8_t mac[EL_MAC_LEN])
{
	const struct el_group *g;
	const struct el_peer *p;
	const struct el_prec *r;

	if (group >= cl->ngroups || !cl->groups[group].used)
		return false;
	g = &cl->groups[group];
	if (g->state != EL_ST_BACKUP || g->leader[0] == '\0' || g->lost ||
	    (p = el_peer_find(cl, g->leader)) == NULL)
		return false;
	r = &p->rec[group];
	if (!el_prec_alive(cl, p, r, now_ms) || !(r->flags & EL_F_LEADER) ||
	    now_ms < r->seen + after_ms)
		return false;
	if (mac != NULL)
		memcpy(mac, r->mac, EL_MAC_LEN);
	return true;
}

bool
el_cluster_mac_is_peer(const struct el_cluster *cl,
                       const uint8_t mac[EL_MAC_LEN])
{
	return peer_by_mac(cl, SIZE_MAX, mac) != NULL;
}

/*
 * Events are few (a handful per state change); the ring grows as needed.
 * Should an allocation fail the event is dropped: the group's state, which
 * el_cluster_group_info() reports, is still right.
 */
void
el_event_push(struct el_cluster *cl, size_t gi, enum el_state from,
              enum el_state to, enum el_action act, enum el_reason why,
              const char *peer, unsigned missed)
{
	struct el_event *ev;

	if (cl->evlen == cl->evcap) {
		size_t cap = cl->evcap ? 2 * cl->evcap : 16, i;
		struct el_event *nq = malloc(cap * sizeof(*nq));

		if (nq == NULL)
			return;
		for (i = 0; i < cl->evlen; i++)
			nq[i] = cl->evq[(cl->evhead + i) % cl->evcap];
		free(cl->evq);
		cl->evq = nq;
		cl->evcap = cap;
		cl->evhead = 0;
	}
	ev = &cl->evq[(cl->evhead + cl->evlen++) % cl->evcap];
	memset(ev, 0, sizeof(*ev));
	ev->group = gi;
	ev->from = from;
	ev->to = to;
	ev->action = act;
	ev->reason = why;
	el_id_copy(ev->peer, peer);
	ev->missed = missed;
}

bool
el_cluster_next_event(struct el_cluster *cl, struct el_event *ev)
{
	if (cl->evlen == 0)
		return false;
	*ev = cl->evq[cl->evhead];
	cl->evhead = (cl->evhead + 1) % cl->evcap;
	cl->evlen--;
	return true;
}
