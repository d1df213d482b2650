/*
 * election: vipd's leader election, as a pure state machine and a wire codec.
 *
 * Depends on libc and libsodium only.  No I/O, no clock, no logging: the
 * caller feeds decoded messages and the current time (now_ms, monotonic
 * milliseconds) in, and takes events (take over / release / re-announce, each
 * with a reason) and messages to send out.  Unit tests drive it with a fake
 * clock.
 *
 * Model (VRRP generalised to many groups, see doc/protocol.md):
 *  - every node sends one STATE message per interval to every peer, holding
 *    one record per group: its effective priority and whether it leads;
 *  - rank of a node for a group = (priority, rendezvous hash of (group,
 *    node id), node id), compared in that order; highest wins, identical on
 *    every node;
 *  - a backup takes over when no live node leads and it ranks best among
 *    live eligible nodes; a leader is dead after dead_after missed intervals
 *    of its own advertised interval plus a small priority-based skew, at
 *    once when the caller reports its port unreachable, at once when it
 *    resigns;
 *  - preemption of a live lower-ranked leader after preempt_delay_ms of
 *    stable eligibility; two leaders that hear each other: the lower yields.
 */
#ifndef VIPD_ELECTION_H
#define VIPD_ELECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- wire */

#define EL_PROTO_VERSION 1
#define EL_ID_MAX        64 /* node id with its NUL; 1..63 bytes on the wire */
#define EL_HMAC_LEN      32 /* HMAC-SHA256 */
#define EL_MSG_MAX       1400 /* largest datagram we send or accept */
#define EL_REC_LEN       12   /* bytes per group record */
#define EL_MSG_MAX_REC   100  /* records per datagram */
#define EL_MAC_LEN       6

enum el_msg_type {
	EL_MSG_STATE = 1, /* periodic: one record per group */
};

/* Record flags. */
#define EL_F_LEADER 0x01 /* sender leads this group */
#define EL_F_RESIGN 0x02 /* sender leads but is handing over; prio is 0 */
#define EL_F_FAULT  0x04 /* sender is ineligible (link down, ...) */
#define EL_F_LISTEN 0x08 /* sender is quiet after a stall */
#define EL_F_ASK                                                               \
	0x10 /* a backup that would preempt asks the leader to                 \
	        hand over (make-before-break preemption) */

struct el_rec {
	uint32_t group;          /* el_group_id(name) */
	uint8_t prio;            /* effective priority, 0 = ineligible */
	uint8_t flags;           /* EL_F_* */
	uint8_t mac[EL_MAC_LEN]; /* sender's MAC on the group's interface */
};

struct el_msg {
	uint8_t version;
	uint8_t type;
	uint16_t interval_ms; /* sender's heartbeat interval */
	uint64_t epoch;       /* sender's boot epoch */
	uint64_t seq;         /* per-epoch sequence number, starts at 1 */
	char node[EL_ID_MAX]; /* sender node id, NUL-terminated */
	size_t nrec;
	struct el_rec rec[EL_MSG_MAX_REC];
};

/* Why a datagram was rejected; EL_OK = accepted.  Counters index by it. */
enum el_verdict {
	EL_OK = 0,
	EL_REJ_TRUNCATED,      /* shorter than the fixed part or its lengths */
	EL_REJ_OVERSIZE,       /* longer than EL_MSG_MAX */
	EL_REJ_VERSION,        /* unknown protocol version */
	EL_REJ_TYPE,           /* unknown message type */
	EL_REJ_LENGTH,         /* length field disagrees with the datagram */
	EL_REJ_HMAC,           /* authentication failed */
	EL_REJ_MALFORMED,      /* bad node id, record count, ... */
	EL_REJ_UNKNOWN_SENDER, /* source address not a configured peer */
	EL_REJ_REPLAY,         /* old epoch, or sequence seen / too old */
	EL_REJ_SELF,           /* our own node id from another address */
	EL_VERDICT_MAX
};

/* "ok", "truncated", "oversize", ... (stable: used as metric labels). */
const char *el_verdict_name(enum el_verdict v);

/*
 * Encode msg into buf (capacity cap) and append the HMAC-SHA256 of the
 * whole datagram under key.  Returns the datagram length, or -1 with errno
 * EMSGSIZE when it does not fit, EINVAL when msg is invalid (empty or long
 * node id, too many records).
 */
int el_msg_encode(const struct el_msg *msg, const uint8_t *key, size_t keylen,
                  uint8_t *buf, size_t cap);

/*
 * Check and decode one datagram.  Never trusts a length field: every read is
 * bounds-checked against len, and the HMAC is verified (constant time)
 * before the body is parsed.  Returns EL_OK and fills out, or the reason of
 * the rejection (out is then unspecified).
 */
enum el_verdict el_msg_decode(const uint8_t *buf, size_t len,
                              const uint8_t *key, size_t keylen,
                              struct el_msg *out);

/* The 32-bit wire id of a group name (FNV-1a).  Id 0 is reserved for
 * control records (EL_CTL_GROUP): el_cluster_group_add refuses a name
 * that hashes to it. */
uint32_t el_group_id(const char *name);

/*
 * Control records (protocol.md section 2): a record whose group id is
 * EL_CTL_GROUP carries no group state but a kind (its prio byte) and a
 * 48-bit nonce (its MAC bytes).  Old nodes ignore it (an unknown group).
 * A CHALLENGE asks the receiver to answer at once with an ECHO of the
 * nonce, proving that it is alive now (not a replay, not a forgery).  A
 * HELLO in every message says that the sender answers challenges; its
 * nonce is the set of peers the sender hears (el_cluster_hears).
 * el_cluster_build leaves room for EL_CTL_MAX of them per message.
 */
#define EL_CTL_GROUP 0u
#define EL_CTL_MAX   3
enum el_ctl_kind {
	EL_CTL_CHALLENGE = 1,
	EL_CTL_ECHO = 2,
	EL_CTL_HELLO = 3,
};
#define EL_CTL_NONCE_MASK 0xffffffffffffull /* 48 bits */
/* Append a control record (nonce masked to 48 bits); 0, or -1 with
 * errno ENOSPC when the message is full. */
int el_msg_ctl_add(struct el_msg *msg, enum el_ctl_kind kind, uint64_t nonce);
/* The nonce of msg's first control record of that kind: true and *nonce,
 * or false when it has none. */
bool el_msg_ctl_find(const struct el_msg *msg, enum el_ctl_kind kind,
                     uint64_t *nonce);

/* Rendezvous weight of (group id, node id): a well-mixed 64-bit hash. */
uint64_t el_rendezvous(uint32_t group, const char *node);

/* ------------------------------------------------------- state machine */

enum el_state {
	EL_ST_BACKUP = 0,
	EL_ST_LEADER,
	EL_ST_FAULT,     /* ineligible: priority 0 (link down, ...) */
	EL_ST_RESIGNING, /* leader handing over: still answers, waits for the
	                  * successor (make-before-break) */
	EL_ST_LISTEN,    /* quiet after a stall, listening one dead interval */
};

/* "backup", "leader", "fault", "resigning", "listen". */
const char *el_state_name(enum el_state s);

enum el_action {
	EL_ACT_NONE = 0,
	EL_ACT_TAKEOVER,   /* start announcing/answering, bind, route */
	EL_ACT_RELEASE,    /* stop answering immediately, unbind */
	EL_ACT_REANNOUNCE, /* still leading: send a fresh GARP burst */
};

enum el_reason {
	EL_R_NONE = 0,
	EL_R_SOLO,               /* no peers configured: lead everything */
	EL_R_NO_LEADER,          /* start-up listen over, nobody leads */
	EL_R_LEADER_DEAD,        /* leader missed dead_after heartbeats */
	EL_R_LEADER_UNREACHABLE, /* leader's port unreachable (ICMP) */
	EL_R_LEADER_RESIGNED,    /* leader resigned (graceful stop/release) */
	EL_R_LEADER_FAULT,       /* leader reported itself ineligible */
	EL_R_PREEMPT,            /* we outrank the leader, stable long enough */
	EL_R_PREEMPTED,          /* a higher-ranked node took over */
	EL_R_SPLIT_YIELD,        /* two leaders: the other ranks higher */
	EL_R_SPLIT_WIN,          /* two leaders: we rank higher, re-announce */
	EL_R_DATAPLANE_YIELD,    /* a higher peer's MAC announces our VIP */
	EL_R_DATAPLANE_WIN,      /* a lower peer's MAC announces our VIP */
	EL_R_FAULT,              /* we became ineligible (priority 0) */
	EL_R_RECOVERED,          /* eligible again */
	EL_R_RESIGN,             /* we started a graceful handover */
	EL_R_RESIGN_DONE,        /* the successor took over */
	EL_R_RESIGN_TIMEOUT,     /* nobody took over in time */
	EL_R_STALL,              /* our loop stalled; going quiet */
	EL_R_STALL_REASSERT,     /* after the stall nobody better leads */
	EL_R_FALLBACK,           /* best candidate silent too long: claim */
	EL_R_PEER_RETURNED,      /* a peer we had lost is back: re-announce */
	EL_R_HANDOVER,           /* a better peer asked for the group: resign */
	EL_R_DEAF_PEER, /* a leading peer cannot hear us: yield to it */
	EL_REASON_MAX
};

/* A short stable name ("leader-dead", ...) for metrics and JSON. */
const char *el_reason_name(enum el_reason r);

/* Tunables of the whole cluster. */
struct el_config {
	const char *self_id;     /* copied */
	unsigned interval_ms;    /* our heartbeat interval */
	unsigned dead_after;     /* missed intervals before a peer is dead */
	bool solo;               /* no peers configured: lead every group */
	unsigned resign_wait_ms; /* bound of the make-before-break wait;
	                          * 0 = 3 * interval_ms */
};

struct el_group_config {
	const char *name; /* copied */
	uint8_t priority; /* 1..254 */
	bool preempt;
	unsigned preempt_delay_ms;
	uint8_t mac[EL_MAC_LEN]; /* our MAC on the group's interface */
};

/* One state change, with enough to log it and show it in status. */
struct el_event {
	size_t group; /* index from el_cluster_group_add() */
	enum el_state from, to;
	enum el_action action;
	enum el_reason reason;
	char peer[EL_ID_MAX]; /* the other node involved, "" if none */
	unsigned missed;      /* heartbeats missed, for EL_R_LEADER_DEAD */
};

/* What we know of one peer, for status output. */
struct el_peer_info {
	char id[EL_ID_MAX];
	uint64_t last_seen_ms; /* now_ms of its last accepted message */
	bool alive;
	unsigned interval_ms;
	uint64_t epoch;
};

/* What we know of one peer in one group, for status output. */
struct el_peer_group_info {
	char id[EL_ID_MAX];
	bool alive;
	uint8_t prio;
	uint8_t flags;
	uint8_t mac[EL_MAC_LEN];
};

struct el_group_info {
	const char *name;
	enum el_state state;
	uint8_t prio;           /* our effective priority */
	char leader[EL_ID_MAX]; /* current leader's id, "" if none known */
	uint64_t since_ms;      /* now_ms of the last state change */
	enum el_reason reason;  /* of the last state change */
	char reason_peer[EL_ID_MAX];
	uint64_t transitions;
};

struct el_cluster;

/*
 * Make a cluster with no groups at time now_ms.  epoch is this process's
 * random boot epoch (the caller draws it).  Returns NULL with errno EINVAL
 * (bad config) or ENOMEM.
 */
struct el_cluster *el_cluster_new(const struct el_config *cfg, uint64_t epoch,
                                  uint64_t now_ms);

/*
 * Reload: our heartbeat interval, dead_after and resign wait (0 = 3 *
 * interval_ms) change from now on; peers' liveness is judged with the new
 * dead_after at once.  0, or -1 with errno EINVAL (as el_cluster_new).
 */
int el_cluster_set_timing(struct el_cluster *cl, unsigned interval_ms,
                          unsigned dead_after, unsigned resign_wait_ms);

/* Free a cluster; el_cluster_free(NULL) is a no-op. */
void el_cluster_free(struct el_cluster *cl);

/*
 * Add a group; it starts in BACKUP listening for one dead interval (or
 * takes over on the next el_cluster_tick() when solo).  Returns its index
 * (0, 1, ... in order of addition), or -1 with errno EEXIST (same name or
 * same wire id as another group), EINVAL or ENOMEM.
 */
int el_cluster_group_add(struct el_cluster *cl,
                         const struct el_group_config *gc, uint64_t now_ms);

/*
 * Remove a group (reload).  Indexes of the other groups do not change; the
 * slot is dead.  If we led it, an EL_ACT_RELEASE event is queued.
 */
void el_cluster_group_remove(struct el_cluster *cl, size_t group,
                             uint64_t now_ms);

/* Change tunables of a group that keeps its state (reload). */
void el_cluster_group_update(struct el_cluster *cl, size_t group,
                             const struct el_group_config *gc, uint64_t now_ms);

/*
 * Set the group's fault state: a faulted group has effective priority 0
 * (link down).  A leader that faults resigns at once (its next message says
 * so) and releases; clearing the fault returns to BACKUP, which listens
 * one dead interval before claiming (heartbeats may have been lost with the
 * link), and preemption waits preempt_delay_ms.
 */
void el_cluster_group_set_fault(struct el_cluster *cl, size_t group, bool fault,
                                uint64_t now_ms);

/*
 * Feed one decoded, authenticated message.  Applies the replay window (per
 * peer: epoch must not be older than the newest seen, sequence within the
 * window and not seen before) and returns EL_OK or EL_REJ_REPLAY /
 * EL_REJ_SELF; accepted messages update the peer and may queue events.
 * Also EL_REJ_MALFORMED for a struct el_msg_decode() would not produce, and
 * EL_REJ_UNKNOWN_SENDER for a new node id when 256 peers are known and
 * alive (a dead one is forgotten to make room).
 */
enum el_verdict el_cluster_receive(struct el_cluster *cl,
                                   const struct el_msg *msg, uint64_t now_ms);

/* Advance timers to now_ms; may queue events. */
void el_cluster_tick(struct el_cluster *cl, uint64_t now_ms);

/* Earliest now_ms at which el_cluster_tick() has something to do. */
uint64_t el_cluster_next_deadline(const struct el_cluster *cl);

/*
 * The caller learned that peer id is gone (its heartbeat port answered
 * ICMP port unreachable): treat it as dead now.  Any message from it later
 * revives it.
 */
void el_cluster_peer_gone(struct el_cluster *cl, const char *id,
                          uint64_t now_ms);

/*
 * Our loop did not run for gap_ms (> dead interval): leaders go quiet
 * (RELEASE, state LISTEN) and re-assert after one dead interval unless a
 * better leader spoke; every peer gets a fresh dead interval.
 */
void el_cluster_stalled(struct el_cluster *cl, uint64_t gap_ms,
                        uint64_t now_ms);

/*
 * Start a graceful handover of one group (group = index) or of all groups
 * (group = SIZE_MAX).  A leader moves to RESIGNING: it keeps answering,
 * advertises EL_F_RESIGN with priority 0, and releases when it hears a
 * successor or after resign_wait_ms.  A released group does not preempt
 * its successor afterwards (it may take over again if that one fails).
 * With group = SIZE_MAX (the daemon stopping), a group that no live peer
 * is eligible to take over is skipped: there is nobody to wait for, and
 * the caller releases it at once.  Returns the number of groups that
 * started resigning.
 */
size_t el_cluster_resign(struct el_cluster *cl, size_t group, uint64_t now_ms);

/*
 * True when we lead the group and a live, eligible peer now outranks us
 * (our priority went down on reload): the caller resigns it, so that the
 * handover is make-before-break whatever the peer's preempt setting.
 */
bool el_cluster_outranked(const struct el_cluster *cl, size_t group,
                          uint64_t now_ms);

/* True while some group is RESIGNING (shutdown waits for this to end). */
bool el_cluster_resigning(const struct el_cluster *cl);

/*
 * True while some group still listens before it may claim: the start-up
 * listen of a new group (one dead interval; none when solo), the listen
 * after a cleared fault or a stall.  A faulted group does not count.  The
 * daemon reports itself ready once this is false.
 */
bool el_cluster_listening(const struct el_cluster *cl, uint64_t now_ms);

/* What a data-plane claim was (el_cluster_dataplane_claim). */
enum el_dp_verdict {
	EL_DP_FOREIGN = 0, /* not a peer's MAC */
	EL_DP_PEER,        /* a peer's: handled by the election */
	EL_DP_UNHEARD,     /* a peer's, while we lead, but no authenticated
	                      message of it is alive: the frame may be forged,
	                      the election ignores it (the caller defends) */
};

/*
 * Data plane: a captured ARP reply / gratuitous ARP / NA for a VIP of group
 * announced with mac, not ours.  Copies the id of the peer that owns mac
 * into owner ("" when unknown: a foreign conflict, the caller counts it).
 * When we lead and the owner is a peer heard within its dead interval plus
 * one interval, this acts as hearing that peer claim leadership: yield if
 * it ranks higher, else queue a REANNOUNCE; an unheard peer's frame decides
 * nothing (EL_DP_UNHEARD).  When we do not lead and the owner is the peer
 * whose last record claims leadership, its frame proves it alive, but only
 * up to one interval past its last authenticated message (anyone can send
 * its MAC), and not if the peer was reported gone.
 */
enum el_dp_verdict el_cluster_dataplane_claim(struct el_cluster *cl,
                                              size_t group,
                                              const uint8_t mac[EL_MAC_LEN],
                                              char owner[EL_ID_MAX],
                                              uint64_t now_ms);

/*
 * A backup's check on a quiet leader: true when we do not lead the group,
 * the peer we follow as its leader is still alive but its last record is
 * older than after_ms (heartbeats are being lost, or it is dead); its MAC is
 * copied into mac unless mac is NULL.  The caller then asks the data plane (an
 * ARP probe / DAD solicitation for a VIP): the leader's answer comes back
 * through el_cluster_dataplane_claim(), which counts as proof of life for
 * one interval past the leader's last heartbeat (a bounded postponement).
 */
bool el_cluster_leader_overdue(const struct el_cluster *cl, size_t group,
                               uint64_t now_ms, uint64_t after_ms,
                               uint8_t mac[EL_MAC_LEN]);

/*
 * Freshness on first contact (protocol.md section 4): a peer first heard
 * since our start, whose messages say it answers challenges (HELLO), may
 * be a replay of a capture.  Its records do not count (it is not alive)
 * until el_cluster_peer_verify() says it echoed a challenge of ours.  True
 * while peer id waits for that (the daemon then challenges it).
 */
bool el_cluster_peer_unverified(const struct el_cluster *cl, const char *id);
/* Peer id echoed our challenge: its records count as usual from now on. */
void el_cluster_peer_verify(struct el_cluster *cl, const char *id,
                            uint64_t now_ms);

/*
 * The peers we hear now (alive, verified), as a 48-bit set for our HELLO:
 * two bits per peer id (el_hears_bits).  A receiver whose bits are missing
 * from a peer's set knows for sure that the peer does not hear it (one-way
 * loss); a set of many peers may say "hears" wrongly, never "does not".
 */
uint64_t el_cluster_hears(const struct el_cluster *cl, uint64_t now_ms);
uint64_t el_hears_bits(const char *id);

/* True when mac belongs to a known peer (any group): not a foreign host. */
bool el_cluster_mac_is_peer(const struct el_cluster *cl,
                            const uint8_t mac[EL_MAC_LEN]);

/*
 * Pop the oldest queued event into ev.  Returns true if there was one.
 * Events are queued by every call above that takes now_ms.
 */
bool el_cluster_next_event(struct el_cluster *cl, struct el_event *ev);

/*
 * True when our records changed since the last el_cluster_build() (a state
 * change, a resign, a fault): the caller should send now rather than wait
 * for the next interval, so that handovers do not wait for a timer.
 */
bool el_cluster_send_due(const struct el_cluster *cl);

/*
 * Build the STATE messages describing all our groups into out[0..cap),
 * splitting across messages past EL_MSG_MAX_REC records; each message gets
 * the next sequence number.  Returns the number of messages.
 */
size_t el_cluster_build(struct el_cluster *cl, struct el_msg *out, size_t cap);

/* Status: our state of a group.  Returns -1 if the index is not a group. */
int el_cluster_group_info(const struct el_cluster *cl, size_t group,
                          uint64_t now_ms, struct el_group_info *out);

/* Status: the peers we know, in a stable order; returns how many. */
size_t el_cluster_peers(const struct el_cluster *cl, uint64_t now_ms,
                        struct el_peer_info *out, size_t cap);

/* True when any known peer was heard from within its dead time. */
bool el_cluster_any_peer_alive(const struct el_cluster *cl, uint64_t now_ms);

/* Status: what each known peer said about one group; returns how many. */
size_t el_cluster_group_peers(const struct el_cluster *cl, size_t group,
                              uint64_t now_ms, struct el_peer_group_info *out,
                              size_t cap);

#endif
