/*
 * The election tests' harness (tests/unit/libelharness.a), two rigs on a
 * fake clock:
 *
 * - a simulated network (struct h_net): up to H_NODES el_cluster instances
 *   passing what el_cluster_build() produces to each other through the real
 *   codec (encode with h_key, decode, receive), over links that tests cut,
 *   each node's events logged for h_find() and h_count();
 * - one node "me" with group "web" (index 0) and fake peers p1..p3 whose
 *   messages tests write by hand (h_say); popped events land in h_evs.
 *
 * Set-up failures (no memory, a group that cannot be added, a message that
 * does not encode) print a TAP "Bail out!" and exit 1.  Single-threaded; the
 * "me" rig keeps its state in the globals below.
 */
#ifndef VIPD_EL_HARNESS_H
#define VIPD_EL_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "election.h"

/* ------------------------------------------------ the simulated network */

#define H_NODES  5
#define H_GROUPS 40
#define H_EVLOG  2048
#define H_STEP   10 /* ms per simulation step */

/* The cluster secret every node of an h_net uses. */
extern const uint8_t h_key[];
extern const size_t h_keylen;

/* One logged event of a node: when, and in which order across all nodes. */
struct h_ev {
	uint64_t at;
	uint64_t order; /* across all nodes: who acted first in a step */
	struct el_event ev;
};

struct h_node {
	struct el_cluster *cl; /* NULL while down */
	char id[EL_ID_MAX];
	bool up;
	bool paused; /* frozen process: no tick, no send, deaf */
	unsigned boots;
	uint64_t next_send;
	uint8_t prio[H_GROUPS];
	bool preempt;
	unsigned preempt_delay;
	struct h_ev log[H_EVLOG]; /* the first H_EVLOG events; more are lost */
	size_t nlog;
	unsigned verdicts[EL_VERDICT_MAX]; /* of what this node received */
};

struct h_net {
	struct h_node n[H_NODES];
	size_t nn, ng;
	bool link[H_NODES][H_NODES]; /* link[a][b]: a's messages reach b */
	uint64_t now;
	uint64_t order;
	unsigned interval, dead_after, resign_wait;
	struct el_msg msgs[4];
};

/* The name of group g in an h_net: "grp<g>", written to buf (len bytes). */
void h_group_name(size_t g, char *buf, size_t len);

/* Reset net: nn nodes "n1".."nN" (none started), ng groups "grp0".., all
 * priority 100 with preempt, full mesh, the clock at 1000. */
void h_setup(struct h_net *net, size_t nn, size_t ng, unsigned interval,
             unsigned dead_after);

/* Start (or restart) node i at the current time with a new, greater boot
 * epoch and every group of net added. */
void h_start(struct h_net *net, size_t i);

/* Crash node i: it stops sending and forgets everything (cluster freed). */
void h_stop(struct h_net *net, size_t i);

/* Stop every node that is up; net itself belongs to the caller. */
void h_teardown(struct h_net *net);

/* Three nodes, one group: n1 200, n2 150, n3 100, n1 with this
 * preempt_delay; all started at 1000 (nothing run yet). */
void h_three(struct h_net *net, unsigned n1_preempt_delay);

/* Move node i's pending events into its log. */
void h_drain(struct h_net *net, size_t i);

/* Send what is due (periodic or on change) until nothing more is; the clock
 * does not move. */
void h_exchange(struct h_net *net);

/* One step of the fake clock (H_STEP ms): every running node ticks, then
 * messages flow (h_exchange). */
void h_step(struct h_net *net);

/* Step until ms have passed. */
void h_run(struct h_net *net, uint64_t ms);

/* Node i's state in group g now; EL_ST_BACKUP for a node that is down. */
enum el_state h_state(const struct h_net *net, size_t i, size_t g);

/* The node leading group g (LEADER or RESIGNING): its index, -1 if none,
 * -2 if several. */
int h_leader(const struct h_net *net, size_t g);

/* True when every group has exactly one leader. */
bool h_all_led(const struct h_net *net);

/* The last event of node i for group g with this action (and reason, if
 * not EL_R_NONE) logged at or after since; NULL if none. */
const struct h_ev *h_find(const struct h_net *net, size_t i, size_t g,
                          enum el_action act, enum el_reason why,
                          uint64_t since);

/* Number of events of node i with this action since a time (any group). */
size_t h_count(const struct h_net *net, size_t i, enum el_action act,
               uint64_t since);

/* ---------------------------------------------- messages and events */

/* Reset m to an empty STATE message from node (epoch, seq, interval). */
void h_msg(struct el_msg *m, const char *node, uint64_t epoch, uint64_t seq,
           uint16_t interval);

/* Append a record for group (prio, flags, MAC 02:00:00:00:00:mac_last) to
 * m; the caller keeps m->nrec below EL_MSG_MAX_REC. */
void h_rec(struct el_msg *m, const char *group, uint8_t prio, uint8_t flags,
           uint8_t mac_last);

/* Pop every event of cl, the first cap into evs; returns how many. */
size_t h_events(struct el_cluster *cl, struct el_event *evs, size_t cap);

/* ------------------------------------ one node "me" and fake peers */

/* A fake peer: its id, boot epoch and the last sequence number it sent. */
struct h_peer {
	const char *id;
	uint64_t epoch, seq;
};

/* p1..p3, epoch 1 << 32; h_me_new() resets their sequence numbers. */
extern struct h_peer h_peers[3];

/* The events of the last h_pop() (at most 64; h_nev counts them all). */
extern struct el_event h_evs[64];
extern size_t h_nev;

/* Node "me" (interval 100 ms, dead_after 3, epoch 1 << 32) with group "web"
 * (this priority and preemption, MAC 02:00:00:00:00:ee) at now; h_nev 0.
 * The caller frees it with el_cluster_free(). */
struct el_cluster *h_me_new(uint8_t prio, bool preempt, unsigned delay,
                            uint64_t now);

/* The same in solo mode (no peers configured). */
struct el_cluster *h_me_new_solo(uint8_t prio, bool preempt, unsigned delay,
                                 uint64_t now);

/* Peer k (1..3) says (prio, flags) about group "web" at now, with its next
 * sequence number; returns cl's verdict. */
enum el_verdict h_say(struct el_cluster *cl, int k, uint8_t prio, uint8_t flags,
                      uint64_t now);

/* The state of cl's group 0; (enum el_state)-1 if it has none. */
enum el_state h_me_state(struct el_cluster *cl);

/* Pop every event of cl into h_evs; returns (and sets) h_nev. */
size_t h_pop(struct el_cluster *cl);

/* "me" (prio) following p1 (prio 200), heard every 100 ms from 1000 up to
 * 2000, events popped: p1 is dead at 2300. */
struct el_cluster *h_follow_p1(uint8_t prio);

/* Tick cl every 1 ms from t0 up to t1 included, popping events; returns
 * the time of the first tick that produced one, 0 if none did. */
uint64_t h_tick_until_event(struct el_cluster *cl, uint64_t t0, uint64_t t1);

#endif
