/*
 * election internals shared by its files (not part of the contract: only
 * election.h is).  The cluster owns groups (slots, never reused) and peers
 * (sorted by id); every peer keeps its last record per group slot.
 */
#ifndef VIPD_EL_IMPL_H
#define VIPD_EL_IMPL_H

/* Internal to its module: announcer/ sees the module's folder for the public
 * header only.  The module's own sources (and its tests) define
 * VIPD_ELECTION_INTERNAL. */
#ifndef VIPD_ELECTION_INTERNAL
#error "election/el_impl.h is internal to its module; include its public header"
#endif

#include "election.h"

/* Peers learned from authenticated messages; a full table evicts a dead one. */
#define EL_PEERS_MAX     256
#define EL_REPLAY_WINDOW 64

/* Per-peer anti-replay state (IPsec-style sliding window). */
struct el_replay {
	uint64_t epoch;  /* newest epoch seen */
	uint64_t top;    /* highest sequence seen in that epoch */
	uint64_t bitmap; /* bit i: sequence top - i seen */
};

/* What one peer last said about one of our groups. */
struct el_prec {
	bool known;
	uint8_t prio, flags, mac[EL_MAC_LEN];
	uint8_t prev_flags; /* flags of the record before this one */
	bool prev_fresh;    /* ... and whether that one was still alive */
	bool rebooted;      /* this record came with a newer epoch */
	uint64_t seen;      /* now_ms of the message that carried it, or of
	                       a data-plane proof of life (bounded) */
	uint64_t hb_seen;   /* now_ms of the message that carried it */
	uint64_t weight;    /* el_rendezvous(group, peer) */
};

struct el_peer {
	char id[EL_ID_MAX];
	uint64_t last_seen;
	unsigned interval;
	bool gone;           /* reported unreachable, until its next message */
	bool unverified;     /* first heard since our start with HELLO: may be
	                        a replay; does not count until it echoes */
	bool hears_known;    /* its last message carried HELLO ... */
	uint64_t hears;      /* ... with this set of peers it hears */
	uint64_t deaf_since; /* its messages say it does not hear us since,
	                        0 = it does (or does not say) */
	struct el_replay rp;
	struct el_prec *rec; /* [cl->capg], by group slot */
};

struct el_group {
	bool used;
	char *name;
	uint32_t id;
	uint64_t weight; /* our rendezvous weight */
	uint8_t prio;
	bool preempt;
	unsigned preempt_delay;
	uint8_t mac[EL_MAC_LEN];
	bool fault;

	enum el_state state;
	uint64_t listen_until; /* start-up listen (BACKUP) or stall (LISTEN) */
	uint64_t eligible_since;
	uint64_t resign_until;
	uint64_t reannounce_at; /* rate limit of REANNOUNCE */
	bool returned;          /* a lost peer came back (see peer_update) */
	bool rival_yielded;     /* a peer that claimed it just stopped */
	char rival[EL_ID_MAX];
	char returned_peer[EL_ID_MAX];

	/* Leader tracking while not leading. */
	char leader[EL_ID_MAX]; /* last leader heard, "" none */
	bool lost;              /* no leader now: the loss is latched */
	enum el_reason lost_reason;
	uint64_t lost_at;    /* when it was lost (fallback counts from it) */
	uint64_t lost_ready; /* earliest takeover (dead time + skew) */
	uint64_t lost_seen;  /* the lost leader's last record, for missed */
	unsigned lost_iv;
	char lost_peer[EL_ID_MAX];
	uint64_t ask_since;          /* asking the leader to hand over
	                                (EL_F_ASK), 0 = not asking */
	bool released;               /* we handed this group over ... */
	char released_to[EL_ID_MAX]; /* ... to it ("" = the next leader) */

	/* Status. */
	uint64_t since;
	enum el_reason reason;
	char reason_peer[EL_ID_MAX];
	uint64_t transitions;

	/* The record in the last el_cluster_build(). */
	bool adv_valid;
	uint8_t adv_prio, adv_flags, adv_mac[EL_MAC_LEN];
};

struct el_cluster {
	char self[EL_ID_MAX];
	unsigned interval, dead_after, resign_wait;
	bool solo;
	uint64_t epoch, seq;
	uint64_t now; /* latest now_ms evaluated: deadlines are after it */

	struct el_group *groups; /* [ngroups], capacity capg */
	size_t ngroups, capg;
	struct el_peer **peers; /* sorted by id */
	size_t npeers;

	struct el_event *evq; /* ring */
	size_t evhead, evlen, evcap;
	bool dirty; /* the set of groups changed since the last build */
};

/* The peers that matter for one group at one time. */
struct el_view {
	struct el_peer *leader;   /* best alive claimer, not resigning */
	struct el_peer *resigner; /* best alive resigning claimer */
	struct el_peer *best;     /* best alive eligible peer */
};

/* msg.c */
bool el_id_valid(const char *id, size_t len);

/* replay.c */
bool el_replay_check(const struct el_replay *rp, uint64_t epoch, uint64_t seq);
void el_replay_commit(struct el_replay *rp, uint64_t epoch, uint64_t seq);
void el_replay_init(struct el_replay *rp, uint64_t epoch, uint64_t seq);

/* rank.c */
uint64_t el_dead_ms(const struct el_cluster *cl);
uint64_t el_dataplane_grace_ms(const struct el_peer *p);
uint64_t el_dataplane_seen(const struct el_peer *p, const struct el_prec *r,
                           uint64_t now);
bool el_prec_alive(const struct el_cluster *cl, const struct el_peer *p,
                   const struct el_prec *r, uint64_t now);
bool el_prec_eligible(const struct el_prec *r);
int el_rank_cmp(uint8_t pa, uint64_t wa, const char *ida, uint8_t pb,
                uint64_t wb, const char *idb);
int el_peer_vs_self(const struct el_cluster *cl, size_t gi,
                    const struct el_peer *p);
void el_view_get(const struct el_cluster *cl, size_t gi, uint64_t now,
                 struct el_view *v);
uint8_t el_adv_prio(const struct el_group *g);
uint8_t el_adv_flags(const struct el_group *g);
uint64_t el_skew_ms(uint8_t prio, unsigned interval);

/* cluster.c */
void el_id_copy(char dst[EL_ID_MAX], const char *src);
struct el_peer *el_peer_find(const struct el_cluster *cl, const char *id);
void el_event_push(struct el_cluster *cl, size_t gi, enum el_state from,
                   enum el_state to, enum el_action act, enum el_reason why,
                   const char *peer, unsigned missed);
void el_now(struct el_cluster *cl, uint64_t now);

/* out.c */
bool el_peer_deaf(const struct el_cluster *cl, const struct el_peer *p,
                  uint64_t now);

/* fsm.c */
void el_set_state(struct el_cluster *cl, size_t gi, enum el_state to,
                  enum el_action act, enum el_reason why, const char *peer,
                  unsigned missed, uint64_t now);
void el_eval_all(struct el_cluster *cl, uint64_t now);
void el_group_reannounce(struct el_cluster *cl, size_t gi, enum el_reason why,
                         const char *peer, uint64_t now);
void el_group_yield(struct el_cluster *cl, size_t gi, enum el_reason why,
                    const char *peer, uint64_t now);

#endif
