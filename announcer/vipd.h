/*
 * announcer: the vipd daemon.  The only module that knows conf/, election/,
 * net/ and pin/: it translates config into election parameters and pin
 * groups, election decisions into calls on net/ and the pin, and the pin's
 * faults into group faults.  Internal header shared by the announcer
 * sources.
 *
 * Ownership: main() makes one struct vipd (vipd_new) and frees it; the root
 * owns the loop, the sockets, the election, the groups and the current
 * config.  Groups and ports are owned by the root and refer back to it.
 */
#ifndef VIPD_ANNOUNCER_H
#define VIPD_ANNOUNCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "burst.h"
#include "chk.h"
#include "conf.h"
#include "ctljson.h"
#include "ctlproto.h"
#include "election.h"
#include "net.h"
#include "pin.h"

struct ctlsrv;
struct promsrv;
struct sdnotify;
struct events;
struct notify;
struct spawn_set;
struct track_chk;
struct track_plan;

/* The config's address type and net/'s are kept apart (conf/ and net/ do
 * not know each other); the daemon converts. */
static inline struct net_addr
vipd_addr(const struct conf_addr *c)
{
	struct net_addr a;

	a.family = c->family;
	memcpy(a.a, c->a, sizeof(a.a));
	return a;
}

/* Per-VIP runtime state; the address is a copy of the config's. */
struct vip {
	struct net_addr addr;
	bool conflict; /* a foreign host answered our probe: not ours */
	uint8_t conflict_mac[NET_MAC_LEN];
	uint64_t conflict_count;
	uint64_t conflict_at; /* now_ms of the last sighting */
	bool probe_answered;  /* a reply came during the probe window */
	uint8_t probe_mac[NET_MAC_LEN];
	uint64_t log_at;     /* rate limit for conflict log lines */
	uint64_t defend_at;  /* now_ms of our last defence (RFC 5227 2.4) */
	bool defend_pending; /* a claim came too soon after it: owed one */
};

/* One interface vipd captures and injects on, shared by its groups. */
struct port {
	struct vipd *d;
	char ifname[IFNAMSIZ];
	int ifindex;
	bool present; /* the interface exists */
	bool oper_up; /* carrier */
	struct l2_port *l2;
	struct ev_io io;
	int master;    /* bond/bridge master ifindex, 0 if none */
	unsigned refs; /* groups using it */
	bool filter_dirty;
	bool filter_fallback;
	char l2_error[256]; /* why capture/injection could not open */
};

enum group_fault {
	GF_NONE = 0,
	GF_NO_INTERFACE, /* the interface does not exist */
	GF_LINK_DOWN,    /* no carrier */
	GF_NETLINK,      /* routing setup failed (table in use, ...) */
	GF_L2,           /* capture/injection could not be opened */
	GF_CHECK,        /* a tracked check without weight fails, or
	                    maintenance (vipctl down / drain) */
};

struct vgroup {
	struct vipd *d;
	struct conf_group cg; /* copy; vips points into cfg-owned memory */
	size_t el_idx;        /* its index in the election (d->el) */
	struct vip *vips;
	size_t nvips;
	struct port *port;
	struct pin_group *pin; /* its addresses and route pin */
	enum group_fault fault;
	char fault_text[300];
	bool leading; /* answering and announcing */

	/* takeover burst: rounds of announcements, each round paced */
	struct ev_timer burst_timer;
	struct burst burst;      /* its pacing (burst.h) */
	bool burst_takeover;     /* this burst follows a takeover */
	uint64_t first_round_ms; /* first round of the last takeover burst */
	struct ev_timer refresh_timer;
	struct ev_timer reprobe_timer; /* conflicted VIPs, with backoff */
	uint64_t reprobe_ms;           /* its next delay, 0 = none yet */
	struct ev_timer defend_timer;  /* defences owed (defend_pending) */
	/* handed over (resign-done, bind = local): the VIPs stay on lo, with
	 * no ARP answer, until it fires */
	struct ev_timer unbind_timer;

	/* conflict probe before the first takeover */
	struct ev_timer probe_timer;
	uint64_t probe_until;  /* end of the probe window, 0 = done */
	bool probed;           /* a conflict probe went out at least once */
	unsigned probe_round;  /* 0: first probe sent, 1: second sent */
	bool takeover_pending; /* election said take over during the window */
	bool reprobe;          /* the window re-probes yielded VIPs only */

	uint64_t ctr[CTL_GC_MAX];   /* by enum ctl_group_ctr (ctlproto.h) */
	uint64_t trans[CTL_TR_MAX]; /* state changes, by enum ctl_transition */
	char last_text[400];        /* last transition, in words */
	uint64_t peer_claim_at;     /* now_ms of the last peer claim, 0: none */

	/* VIPs a reload added while leading: their own takeover burst, for
	 * vips[add_first..nvips) (group_update.c keeps them last). */
	struct ev_timer add_timer;
	struct burst add_burst;
	size_t add_first;

	/* health checks (track.c) */
	unsigned eff_priority; /* cg.priority with the weights; 0 = not yet */
	bool maint;            /* vipctl down GROUP */
	char check_fault[200]; /* why checks fault it; "" = they do not */
	char adjust_text[200]; /* what adjusted the priority, in words */
};

/* A VIP given up to a foreign owner: neither bound, announced nor answered. */
static inline bool
vip_yielded(const struct vgroup *g, const struct vip *v)
{
	return v->conflict && g->cg.conflict == CONF_CONFLICT_YIELD;
}

/* A configured peer address (our own addresses are dropped). */
struct peer_addr {
	struct net_addr addr;
	char id[EL_ID_MAX];  /* learned from its messages, "" until then */
	bool unreachable;    /* its heartbeat port answered ICMP unreachable */
	struct udp_sock *tx; /* sends to this peer only (udp_sock_new_tx) */
	struct ev_io tx_io;  /* its ICMP errors */
	struct vipd *d;
	uint64_t auth_fail_at; /* now_ms of its last datagram failing HMAC */
	uint64_t auth_log_at;  /* now_ms of its last auth warning, 0 = none */
	uint64_t auth_fails;   /* failures since that warning */
	/* An ICMP port-unreachable "from" it is only a suspicion (anyone
	 * can forge one): we challenge it, and it is gone only if no echo
	 * of confirm_nonce arrives by confirm_timer. */
	uint64_t confirm_nonce;
	bool confirming;
	struct ev_timer confirm_timer;
	/* First contact since our start: it must echo verify_nonce before
	 * the election stops counting it (el_cluster_peer_unverified). */
	uint64_t verify_nonce;
	uint64_t verify_sent; /* now_ms of the last such challenge */
};

struct vipd_opts {
	const char *conf_path;
	const char *socket_path; /* NULL = from config */
	const char *pid_file;    /* NULL = from config */
	const char *user;        /* -u: NULL = control.user, "" = none */
	bool foreground;
	int verbose;
};

struct vipd {
	struct ev_loop *loop;
	struct vipd_opts opts;
	struct conf *cfg;
	uint64_t started_ms;
	uint64_t epoch;

	struct rtnl *nl;
	struct ev_io nl_io;
	struct udp_sock *udp;
	struct ev_io udp_io;
	struct el_cluster *el;
	struct ev_timer hb_timer; /* heartbeat, every interval */
	struct ev_timer el_timer; /* the election's next deadline */
	struct ev_timer reconcile_timer;

	struct vgroup **groups; /* by election index; NULL = removed */
	size_t ngroups;
	struct port **ports;
	size_t nports;
	struct vipmap *map;

	struct peer_addr *peers;
	size_t npeers;
	bool solo;             /* no peer and no multicast: lead alone */
	struct el_msg *rx_msg; /* receive buffer (large) */
	struct el_msg *msgs;   /* send buffers */
	size_t msgs_cap;

	struct pin *pin;
	struct ctlsrv *ctl;
	struct promsrv *prom; /* NULL unless metrics.listen is set */
	int guard_fd; /* the namespace's instance claim (nsguard_claim) */
	struct ev_io guard_io;
	/* Counters of the whole daemon, by enum ctl_daemon_ctr (per-group
	 * ones live in struct vgroup); rejected heartbeats are counted by
	 * verdict in hb_rejected, so ctr[CTL_DC_HB_REJECTED] stays 0.  The
	 * pin keeps its own (pin_counters_get): netlink_errors here counts
	 * lost notifications only, reconciled is the pin's alone. */
	uint64_t ctr[CTL_DC_MAX];
	uint64_t hb_rejected[EL_VERDICT_MAX];
	struct sdnotify *sdn; /* NULL when systemd did not start us */

	struct events *events; /* the event history (events.c) */
	struct notify *notify; /* notify scripts and FIFO (notify.c) */
	/* health checks (track.c): one per cfg->checks entry, same order */
	struct track_chk **checks;
	size_t nchecks;
	struct spawn_set *chk_spawn; /* exec checks' children */
	struct chk_pace chk_pace;    /* exec checks' forks per loop ms */
	bool maint;                  /* vipctl drain */

	/* Key rotation (reload): the previous secret is still accepted, and
	 * sent with besides the new one, until prev_secret_until. */
	uint8_t prev_secret[CONF_SECRET_MAX];
	size_t prev_secret_len;
	uint64_t prev_secret_until;

	bool stopping;  /* SIGTERM: resigning, then exit */
	bool finishing; /* last step of the stop: releasing all */
	struct ev_timer stop_timer;
};

/* ---- daemon.c */
/* Build the daemon around cfg (owned from now on, even on failure): loop,
 * signals, netlink, the instance claim, control socket, peers, election and
 * groups.  NULL with the reason in err. */
struct vipd *vipd_new(const struct vipd_opts *opts, struct conf *cfg, char *err,
                      size_t errlen);
/* Free everything vipd_new made (not what it installed: vipd_run's stop
 * removes that).  NULL is a no-op. */
void vipd_free(struct vipd *d);
/* Run the loop until the graceful stop ends; returns the exit status (0, or
 * 1 when the loop itself failed). */
int vipd_run(struct vipd *d);
/* Start the graceful stop: resign, wait for successors, clean up, exit. */
void vipd_shutdown(struct vipd *d);
/* Apply election events queued so far; send at once if records changed. */
void vipd_el_flush(struct vipd *d);
/* Re-arm the election's deadline timer. */
void vipd_el_rearm(struct vipd *d);
/* Create the directory holding path (socket, pid file) if missing. */
void vipd_make_parent_dir(const char *path);

/* How long a reload that changes the secret keeps accepting (and sending
 * with) the previous one: time to roll the new secret out to every node. */
#define VIPD_SECRET_GRACE_MS 600000

/* ---- peers.c: heartbeats over UDP */
/* The configured peers minus our own addresses; 0 or -1 + err. */
int peers_configure(struct vipd *d, char *err, size_t errlen);
/* Open the heartbeat socket (receives on cluster.port) and one send socket
 * per peer, in d's loop; 0 or -1 with the reason in err. */
int peers_open(struct vipd *d, char *err, size_t errlen);
/* Close what peers_open made and free the message buffers; safe twice. */
void peers_close(struct vipd *d);
/* Build and send our STATE messages to every peer now. */
void peers_send(struct vipd *d);
/* Send our STATE messages to p alone now, the first carrying a control
 * record (a CHALLENGE p must echo at once, or the ECHO of p's). */
void peers_send_ctl(struct vipd *d, struct peer_addr *p, enum el_ctl_kind kind,
                    uint64_t nonce);
/* A datagram from p's address failed authentication within the last dead
 * interval (another secret there, or a forgery): a diagnosis only. */
bool peers_auth_failing(const struct vipd *d, const struct peer_addr *p,
                        uint64_t now);
/* The configured peer last heard as node id, or NULL. */
const struct peer_addr *peers_by_id(const struct vipd *d, const char *id);
/* The address a peer id was last heard from, "-" if unknown. */
const char *peers_addr_of(const struct vipd *d, const char *id, char *buf,
                          size_t len);

/* ---- group.c */
/* A group for cg (copied; its VIPs stay cfg-owned) registered with d's VIP
 * map, port, pin and election, in fault if its port is unusable, its
 * conflict probe started otherwise.  The caller stores it in d->groups at
 * g->el_idx.  NULL with the reason in err (a VIP already in another group,
 * no memory). */
struct vgroup *group_new(struct vipd *d, const struct conf_group *cg, char *err,
                         size_t errlen);
/* Stop its timers and unregister it everywhere (what is installed for it
 * stays: release first); clears its d->groups slot.  NULL is a no-op. */
void group_free(struct vgroup *g);
/* Carry out one election event (take over, release, re-announce). */
void group_apply(struct vgroup *g, const struct el_event *ev);
/* Run before the heartbeat that makes the old leader unbind the VIPs: if
 * ev takes g over and g binds them on lo (no ARP answer yet), bind them
 * now, so that they are here when the clients' packets follow our
 * gratuitous ARP (takeover() then only announces). */
void group_prebind(struct vgroup *g, const struct el_event *ev);
/* g handed over and still holds its VIPs bound for a moment (what is in
 * flight until the successor's gratuitous ARP reaches the clients). */
bool group_holding(const struct vgroup *g);
/* Take over now (the conflict probe that deferred it has ended). */
void group_takeover_now(struct vgroup *g);
/* Set or clear (GF_NONE) the group's fault; faults make it ineligible. */
void group_set_fault(struct vgroup *g, enum group_fault f, const char *text);
/* Push priority/preempt/MAC changes to the election. */
void group_update_election(struct vgroup *g);
/* One info line: interface, VIPs, priority, preempt, bind, route pin. */
void group_log_summary(const struct vgroup *g);
/* The fault's name in status output ("" for GF_NONE); static storage. */
const char *group_fault_name(enum group_fault f);
/* The metrics' reason for a state change the election made for r. */
enum ctl_transition group_transition_reason(enum el_reason r);
/* The group of that name, or NULL. */
struct vgroup *group_find(struct vipd *d, const char *name);
/* What the pin needs of cg: pointers into cg, and vips (cg's VIPs
 * converted, cg->nvips of them; NULL for none). */
void group_pin_conf(const struct conf_group *cg, const struct net_addr *vips,
                    struct pin_group_conf *pc);

/* ---- group_update.c: a group changed in place by a reload */
/* What a reload changes in a group that keeps its name. */
struct group_change {
	size_t vips_added, vips_removed;
	unsigned prio_from, prio_to; /* equal: unchanged */
	bool preempt, preempt_delay, garp, conflict, bind, route, interface;
	bool track;  /* tracked checks (names, order, weights) */
	bool notify; /* effective notify script or its timeout */
};
/* What differs between g's running settings and cg (g's name); true when
 * anything does (VIPs compared as sets). */
bool group_diff(const struct vgroup *g, const struct conf_group *cg,
                struct group_change *ch);
/*
 * Reload, first pass over changed groups: the VIPs cg lacks leave g at
 * once — no longer answered, out of the VIP map and the port's filter,
 * unbound and unpinned; the others keep their state.  Run on every changed
 * group before any group_update, so that a VIP moving between groups is
 * free when it is added.
 */
void group_vips_drop(struct vgroup *g, const struct conf_group *cg);
/*
 * Reload, second pass: g takes cg (copied; VIPs cfg-owned) in place, its
 * election state kept: new VIPs mapped, filtered, bound and pinned and,
 * when leading, announced at once with a takeover burst of their own;
 * bind, route, garp, conflict policy and interface applied; the election
 * told of priority and preemption; a leader a live peer now outranks
 * resigns (make-before-break).  0, or -1 with the reason in err (a VIP
 * that could not be mapped is left out).
 */
int group_update(struct vgroup *g, const struct conf_group *cg, char *err,
                 size_t errlen);

/* ---- port.c: shared capture/injection per interface */
/* The port for ifname, created on first use; NULL on ENOMEM. */
struct port *port_get(struct vipd *d, const char *ifname);
/* Drop one group's reference; the port stays in d->ports (closed when its
 * interface goes) until vipd_free. */
void port_put(struct port *p);
/* Close capture/injection and free it; NULL is a no-op. */
void port_free(struct port *p);
/* Rebuild the kernel filter from the VIPs of the groups on p (after groups
 * come or go); on failure p falls back to filtering in userspace. */
void port_refresh_filter(struct port *p);
/* The fault a port's state imposes on its groups (GF_NONE when usable),
 * with the reason in *text. */
enum group_fault port_fault(const struct port *p, const char **text);
/*
 * A link notification for p: open, close or re-flag it (capture, carrier,
 * index).  True if the notification was about p.  Its groups' faults are
 * left to port_groups_fault, so that the pin can learn the new state of
 * the interface first.
 */
bool port_link_event(struct port *p, const struct rtnl_link *l, bool deleted);
/* Put p's groups in or out of the faults p's state imposes (a netlink or
 * auth fault stays), and tell the election of p's MAC. */
void port_groups_fault(struct port *p);
/* p's interface as the pin needs to know it; p may be NULL (absent). */
void port_pin_link(const struct port *p, struct pin_link *out);

/* ---- announce.c: bursts, refresh, responder, conflict probes */
/* Takeover: a burst of garp.count rounds (burst.h), then the refresh. */
void announce_start(struct vgroup *g);
/* Release: stop the burst and the refresh (answers stop with g->leading). */
void announce_stop(struct vgroup *g);
/* Still leading, someone may hold a stale cache: a burst, not a takeover. */
void announce_reannounce(struct vgroup *g);
/* Before the first takeover: ask the LAN whether a foreign host owns one
 * of g's VIPs (RFC 5227 / DAD); a takeover meanwhile waits for the end. */
void announce_probe_start(struct vgroup *g);
/* Probe again the VIPs yielded to a foreign owner. */
void announce_reprobe(struct vgroup *g);
/* Backup: ask the data plane whether the quiet leader still answers. */
void announce_probe_leader(struct vgroup *g);
/* A captured ARP/NDP frame on p: answer it for a VIP we lead, note a
 * foreign or peer owner, count it. */
void announce_frame(struct port *p, const struct frame_info *fi);
/* Leading: a takeover burst (garp.count rounds) for vips[first..nvips)
 * only, the VIPs a reload just added; the group's own burst goes on. */
void announce_added(struct vgroup *g, size_t first);
/* Timer callbacks, armed by group.c and announce.c (arg: the group). */
void announce_burst_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void announce_refresh_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void announce_probe_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void announce_reprobe_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void announce_defend_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);

/* ---- vipmap.c: O(1) VIP lookup */
struct vipmap;
/* An empty map; NULL on ENOMEM. */
struct vipmap *vipmap_new(void);
/* NULL is a no-op; the groups it points to are not the map's. */
void vipmap_free(struct vipmap *m);
/* 0, or -1 with errno EEXIST (already mapped) or ENOMEM. */
int vipmap_add(struct vipmap *m, const struct net_addr *a, struct vgroup *g,
               size_t idx);
/* Forget a (nothing happens if it is not mapped). */
void vipmap_del(struct vipmap *m, const struct net_addr *a);
/* Returns the group holding a and sets *idx (may be NULL), or NULL. */
struct vgroup *vipmap_find(const struct vipmap *m, const struct net_addr *a,
                           size_t *idx);

/* ---- check.c: vipd -t */
/* Host checks; prints problems to stderr, returns the error count and
 * adds the warnings (VIP or gateway outside the interface's subnets, an
 * interface that is absent: the checks not made are named) to *warnings. */
int check_host(const struct conf *cfg, bool verbose, int *warnings);
/* Group names whose election wire ids collide; 0 or -1 + err. */
int check_election(const struct conf *cfg, char *err, size_t errlen);

/* ---- reload.c */
/*
 * Re-read the config file and apply it, or keep the running one.  Returns
 * 0 with a summary in msg, or -1 with the reason in msg and the config's
 * errors (if any) in errs (may be NULL).
 */
int vipd_reload(struct vipd *d, struct conf_errors *errs, char *msg,
                size_t msglen);
/* The same, with what changed added to rep (a JSON object, may be NULL):
 * arrays "added", "removed", "kept" of group names and "changed" of
 * objects (doc/vipctl.8), each present only when not empty. */
int vipd_reload_report(struct vipd *d, struct conf_errors *errs, json_t *rep,
                       char *msg, size_t msglen);

/* ---- status.c: the answers to status and metrics (ctlproto's words) */
/*
 * The answer to "status" / "metrics": a new jansson object (the caller
 * decrefs it), keys as doc/vipctl.8 documents them; NULL on ENOMEM.
 */
json_t *status_json(struct vipd *d);
json_t *metrics_json(struct vipd *d);
/* The protocol's name for an election state: the one mapping. */
enum ctl_state status_state(enum el_state s);
/* Daemon counter c as status and metrics report it: the pin's own netlink
 * counts (pin_counters_get) added in; the sum of rejections for
 * CTL_DC_HB_REJECTED. */
uint64_t status_daemon_counter(const struct vipd *d, enum ctl_daemon_ctr c);

/* ---- sdnotify.c: systemd's Type=notify protocol */
/* A handle when NOTIFY_SOCKET is set (the systemd watchdog, if enabled,
 * is then fed from d's loop), else NULL: every call below accepts NULL
 * and then does nothing. */
struct sdnotify *sdnotify_new(struct vipd *d);
void sdnotify_free(struct sdnotify *n);
/* After the election's events were applied (changed: some were): READY=1
 * once no group listens any more, then STATUS= when the summary changed. */
void sdnotify_update(struct sdnotify *n, bool changed);
/* Around a reload: RELOADING=1, then READY=1 (ok or not: a failed reload
 * keeps the running configuration). */
void sdnotify_reloading(struct sdnotify *n);
void sdnotify_reloaded(struct sdnotify *n, bool ok);
/* STOPPING=1 with a status line; once. */
void sdnotify_stopping(struct sdnotify *n, const char *status);

/* ---- privdrop.c: least privilege */
struct priv_user {
	char name[32];
	unsigned uid, gid;
};
/* Look up a user (name or number); 0, or -1 with the reason in err. */
int priv_user_lookup(const char *name, struct priv_user *u, char *err,
                     size_t errlen);
/*
 * Run as u from now on, keeping only CAP_NET_ADMIN and CAP_NET_RAW
 * (permitted and effective; bounding set cleared, supplementary groups
 * dropped).  Before that, the files vipd removes at exit (paths, NULL
 * ends the list) are given to u, and so is their directory when it is
 * vipd's own (named "vipd").  0, or -1 with the reason in err.
 */
int priv_drop(const struct priv_user *u, const char *const *paths,
              const char *socket_group, char *err, size_t errlen);
/* Warn about files the dropped daemon needs but cannot read (the config
 * and the secret, read again on reload). */
void priv_check_access(const struct conf *cfg);

/* ---- cpusched.c: the daemon's CPU scheduling (the process block) */
/*
 * Set process.realtime_priority (SCHED_RR) and process.nice for the
 * calling process, with SCHED_RESET_ON_FORK; what is already in effect is
 * left alone, an absent block changes nothing.  Once, at start-up, before
 * privileges are dropped.  0, or -1 with the reason (naming the key and
 * what vipd lacks) in err.
 */
int cpusched_apply(const struct conf *c, char *err, size_t errlen);
/* The policy in effect: {"policy", "priority", "nice", "reset_on_fork"}
 * (doc/vipctl.8); NULL on ENOMEM. */
json_t *cpusched_json(void);

/* ---- notify.c: notify hooks (keepalived-style scripts and FIFO) */
/* The hooks of d (a spawn set in d's loop; the FIFO, created if missing);
 * NULL on ENOMEM.  Nothing runs before notify_start. */
struct notify *notify_new(struct vipd *d);
/* Kill (process group) and reap scripts still running; NULL: no-op. */
void notify_free(struct notify *n);
/* At start: each group's state (BACKUP or FAULT). */
void notify_start(struct vipd *d);
/* A group changed state (events_group_state); a notification is queued
 * when its keepalived word (MASTER, BACKUP, FAULT, STOP) changes. */
void notify_group_state(struct vgroup *g, enum el_state to, const char *why);
/* Reload added g (its state now) or removes it (STOP). */
void notify_group_added(struct vgroup *g);
void notify_group_removed(struct vgroup *g);
/* Reload: d->cfg is the new configuration, old_fifo the previous
 * notify_fifo; a different path closes the old FIFO and makes the new
 * one (if missing), whose next line opens it. */
void notify_reload(struct vipd *d, const char *old_fifo);
/*
 * The stop's last step: STOP for every group not yet told, then break
 * the loop once every queued script ended (bounded by twice the longest
 * notify timeout), or at once when none is queued.
 */
void notify_stop(struct vipd *d);
/* Scripts queued or running, over all groups. */
size_t notify_pending(const struct notify *n);
/* vipd -t: every notify script is an executable regular file (errors,
 * counted) that only its owner may change (a warning); printed on
 * stderr as file:line: key: message.  Returns the error count. */
int notify_check(const struct conf *cfg);
/* ---- track.c: health checks and the groups that track them */
/* Make and start the config's checks (exec checks with a user are refused
 * when vipd drops its privileges); 0 or -1 with the reason in err. */
int track_start(struct vipd *d, char *err, size_t errlen);
/* Stop and free every check; safe twice. */
void track_stop(struct vipd *d);
/* A reload's first step, before anything is applied: make the checks of nc
 * that d->checks lacks (stopped).  NULL with the reason in err (e.g. an exec
 * user vipd cannot switch to): the reload must then be refused. */
struct track_plan *track_reload_prepare(struct vipd *d, const struct conf *nc,
                                        char *err, size_t errlen);
/* Free a plan not applied; NULL is a no-op. */
void track_plan_free(struct track_plan *p);
/* After the reload swapped d->cfg to the plan's config (the old one not yet
 * freed): keep the checks whose definition did not change (their state; exec
 * ones get the new VIPD_GROUPS/VIPD_VIPS), start the new ones (first run at
 * once; a group that ran before is not moved by one until its first result),
 * free the rest, re-evaluate every group.  Takes p. */
void track_reload(struct vipd *d, struct track_plan *p);
/* A link notification: interface checks take the link's new state. */
void track_link_event(struct vipd *d, const struct rtnl_link *l, bool deleted);
/* Recompute g's effective priority and check fault from its tracked
 * checks and maintenance marks; logs what moved it. */
void track_group_eval(struct vgroup *g);
/* vipd -t: exec checks on this host (a program others could change, a
 * user vipd cannot switch to); prints problems, returns the error count. */
int track_check_host(const struct conf *cfg, bool verbose);
/* Maintenance: mark g (NULL: the whole node) down or up; as a failing
 * check without weight, not persistent. */
void track_maint_set(struct vipd *d, struct vgroup *g, bool down);
/* Status: "checks" and "maintenance" into root; a group's
 * "effective_priority", "adjusted_by", "tracks", "maintenance" into o. */
int track_status(struct vipd *d, json_t *root);
int track_status_group(const struct vgroup *g, json_t *o);

/* ---- ctl.c: the control socket server (protocol: ctlproto.h) */
/*
 * Listen on the Unix socket path (mode 0660, owned by the Unix group
 * sock_group when not NULL or ""), replacing a stale socket file but not a
 * live daemon's.  NULL with the reason in err on failure.
 */
struct ctlsrv *ctlsrv_new(struct vipd *d, const char *path,
                          const char *sock_group, char *err, size_t errlen);
/* Drop every client, close the socket and remove its file.  NULL: no-op. */
void ctlsrv_free(struct ctlsrv *c);
/*
 * Queue line (len bytes, one JSON line with its "\n") to every `watch`
 * client, never waiting: a watcher with more than CTL_WATCH_BUF_MAX bytes
 * unread is disconnected and counted (CTL_DC_WATCHERS_DROPPED).  c may be
 * NULL.
 */
void ctlsrv_broadcast(struct ctlsrv *c, const char *line, size_t len);
/* Clients currently watching; 0 for NULL. */
size_t ctlsrv_watchers(const struct ctlsrv *c);
/* {answers_built, answers_deferred, heartbeat_delay_max_ms}: the shared
 * status/metrics answers built, those put off until after a heartbeat,
 * and the longest a build held up a due heartbeat (0 when none did);
 * NULL on ENOMEM. */
json_t *ctlsrv_status_json(const struct ctlsrv *c);

/* ---- events.c: the event history, a fixed ring, and its stream */
/* X(ID, name): what an entry records; name is its "kind" in answers. */
#define EVENTS_KINDS(X)                                                        \
	X(START, "start")                                                      \
	X(STOP, "stop")                                                        \
	X(STATE, "state")                                                      \
	X(TAKEOVER, "takeover")                                                \
	X(RELEASE, "release")                                                  \
	X(FAULT, "fault")                                                      \
	X(FAULT_CLEARED, "fault_cleared")                                      \
	X(CONFLICT, "conflict")                                                \
	X(CONFLICT_CLEARED, "conflict_cleared")                                \
	X(AUTH_FAILURE, "auth_failure")                                        \
	X(STALL, "stall")                                                      \
	X(RELOAD, "reload")                                                    \
	X(RELOAD_FAILED, "reload_failed")                                      \
	X(CHECK, "check")                                                      \
	X(NOTIFY_FAILED, "notify_failed")

#define EVENTS_KIND_ENUM_(id, name) EVK_##id,
enum events_kind { EVENTS_KINDS(EVENTS_KIND_ENUM_) EVK_MAX };
#undef EVENTS_KIND_ENUM_

#define EVENTS_CAPACITY   512 /* entries kept; the oldest are overwritten */
#define EVENTS_REASON_MAX 256

struct events_entry {
	uint64_t seq;     /* 1, 2, ... since the daemon started */
	uint64_t mono_ms; /* the loop's CLOCK_MONOTONIC time */
	int64_t wall_ms;  /* CLOCK_REALTIME, ms since the Unix epoch */
	enum events_kind kind;
	char group[CONF_NAME_MAX]; /* "" for the daemon as a whole */
	int from, to;              /* enum ctl_state, or -1 when none */
	char reason[EVENTS_REASON_MAX];
};

/* A history of capacity entries (allocated once, never grown); NULL on
 * ENOMEM or capacity 0. */
struct events *events_new(size_t capacity);
/* NULL is a no-op. */
void events_free(struct events *ev);
/* Record one entry (group may be NULL, reason is truncated), overwriting
 * the oldest when full; returns it (valid until the next push). */
const struct events_entry *events_push(struct events *ev, uint64_t mono_ms,
                                       enum events_kind kind, const char *group,
                                       int from, int to, const char *reason);
/* Entries held (<= capacity), and entry i of them, 0 = the oldest. */
size_t events_len(const struct events *ev);
const struct events_entry *events_at(const struct events *ev, size_t i);
/* Entries ever pushed (the last seq). */
uint64_t events_total(const struct events *ev);
/* The kind's name, a static string ("?" when out of range). */
const char *events_kind_name(enum events_kind k);
/* One entry as the object `events` lists and `watch` streams; NULL on
 * ENOMEM.  Keys in doc/vipctl.8. */
json_t *events_entry_json(const struct events_entry *e);
/* The answer to "events": ok, capacity, total, events (oldest first). */
json_t *events_json(const struct events *ev);
/*
 * Record an event of d (g: its group, or NULL), log nothing (the caller's
 * log line stays the log's), and stream it to watchers.  from/to are
 * enum ctl_state or -1.
 */
void vipd_event(struct vipd *d, enum events_kind kind, const struct vgroup *g,
                int from, int to, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A group changed state (group_apply): the event, and the notify hooks. */
void events_group_state(struct vgroup *g, enum el_state from, enum el_state to,
                        const char *why);

/* ---- promsrv.c: the Prometheus endpoint (metrics.listen) */
/*
 * Serve GET /metrics over HTTP on addr:port from d's loop (libmicrohttpd
 * in external epoll mode: no thread, nothing blocks).  Opened by vipd_new,
 * before privileges are dropped.  NULL with the reason in err (the address
 * in use, not on this host, ...).
 */
struct promsrv *promsrv_new(struct vipd *d, const struct net_addr *addr,
                            uint16_t port, char *err, size_t errlen);
/* Drop every client and close the socket.  NULL is a no-op. */
void promsrv_free(struct promsrv *p);

#endif
