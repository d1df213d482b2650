/*
 * announcer: the vipd daemon.  The only module that knows conf/, election/
 * and net/: it translates config into election parameters and election
 * decisions into calls on net/.  Internal header shared by the announcer
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

#include "conf.h"
#include "ctljson.h"
#include "ctlproto.h"
#include "election.h"
#include "net.h"

struct ctlsrv;

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
	bool bound;    /* our address is on lo / the interface */
	bool adopted;  /* was present already; we must not delete it */
	bool rule;     /* our policy rule for it is installed */
	bool conflict; /* a foreign host answered our probe: not ours */
	uint8_t conflict_mac[NET_MAC_LEN];
	uint64_t conflict_count;
	uint64_t conflict_at; /* now_ms of the last sighting */
	bool probe_answered;  /* a reply came during the probe window */
	uint8_t probe_mac[NET_MAC_LEN];
	uint64_t log_at; /* rate limit for conflict log lines */
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
	GF_AUTH,         /* peers' heartbeats fail authentication */
};

struct vgroup {
	struct vipd *d;
	struct conf_group cg; /* copy; vips points into cfg-owned memory */
	size_t el;            /* index in the election */
	struct vip *vips;
	size_t nvips;
	struct port *port;
	enum group_fault fault;
	char fault_text[300];
	bool leading;  /* answering and announcing */
	bool route_up; /* our pin for this group is installed */

	/* takeover burst: rounds of announcements, each round paced */
	struct ev_timer burst_timer;
	unsigned burst_rounds;   /* rounds in this burst */
	bool burst_takeover;     /* this burst follows a takeover */
	unsigned burst_round;    /* rounds done */
	size_t burst_pos;        /* next VIP within the current round */
	uint64_t burst_started;  /* now_ms of the takeover */
	uint64_t first_round_ms; /* first round of the last takeover burst */
	struct ev_timer refresh_timer;
	struct ev_timer reprobe_timer; /* conflicted VIPs, every minute */

	/* conflict probe before the first takeover */
	struct ev_timer probe_timer;
	uint64_t probe_until;  /* end of the probe window, 0 = done */
	bool probed;           /* a conflict probe went out at least once */
	unsigned probe_round;  /* 0: first probe sent, 1: second sent */
	bool takeover_pending; /* election said take over during the window */

	uint64_t ctr[CTL_GC_MAX]; /* by enum ctl_group_ctr (ctlproto.h) */
	char last_text[400];      /* last transition, in words */
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
	char id[EL_ID_MAX]; /* learned from its messages, "" until then */
	bool unreachable;   /* its heartbeat port answered ICMP unreachable */
};

struct vipd_opts {
	const char *conf_path;
	const char *socket_path; /* NULL = from config */
	const char *pid_file;    /* NULL = from config */
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
	uint64_t auth_fail_at; /* last HMAC failure from a peer address */
	uint64_t auth_ok_at;   /* last accepted heartbeat */

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

	struct netcfg *nc;
	struct ctlsrv *ctl;
	/* Counters of the whole daemon, by enum ctl_daemon_ctr (per-group
	 * ones live in struct vgroup); rejected heartbeats are counted by
	 * verdict in hb_rejected, so ctr[CTL_DC_HB_REJECTED] stays 0. */
	uint64_t ctr[CTL_DC_MAX];
	uint64_t hb_rejected[EL_VERDICT_MAX];

	bool stopping;  /* SIGTERM: resigning, then exit */
	bool finishing; /* last step of the stop: releasing all */
	struct ev_timer stop_timer;
};

/* ---- daemon.c */
/* Build the daemon around cfg (owned from now on); NULL + reason in err. */
struct vipd *vipd_new(const struct vipd_opts *opts, struct conf *cfg, char *err,
                      size_t errlen);
void vipd_free(struct vipd *d);
/* Run until stopped; returns the exit status. */
int vipd_run(struct vipd *d);
/* Start the graceful stop: resign, wait for successors, clean up, exit. */
void vipd_shutdown(struct vipd *d);
/* Apply election events queued so far; send at once if records changed. */
void vipd_el_flush(struct vipd *d);
/* Re-arm the election's deadline timer. */
void vipd_el_rearm(struct vipd *d);
/* Create the directory holding path (socket, pid file) if missing. */
void vipd_make_parent_dir(const char *path);

/* ---- peers.c: heartbeats over UDP */
/* The configured peers minus our own addresses; 0 or -1 + err. */
int peers_configure(struct vipd *d, char *err, size_t errlen);
int peers_open(struct vipd *d, char *err, size_t errlen);
void peers_close(struct vipd *d);
/* Build and send our STATE messages to every peer now. */
void peers_send(struct vipd *d);
/* The address a peer id was last heard from, "-" if unknown. */
const char *peers_addr_of(const struct vipd *d, const char *id, char *buf,
                          size_t len);

/* ---- group.c */
struct vgroup *group_new(struct vipd *d, const struct conf_group *cg, char *err,
                         size_t errlen);
void group_free(struct vgroup *g);
/* Carry out one election event (take over, release, re-announce). */
void group_apply(struct vgroup *g, const struct el_event *ev);
/* Take over now (the conflict probe that deferred it has ended). */
void group_takeover_now(struct vgroup *g);
/* Set or clear (GF_NONE) the group's fault; faults make it ineligible. */
void group_set_fault(struct vgroup *g, enum group_fault f, const char *text);
/* Push priority/preempt/MAC changes to the election. */
void group_update_election(struct vgroup *g);
void group_log_summary(const struct vgroup *g);
const char *group_fault_name(enum group_fault f);
struct vgroup *group_find(struct vipd *d, const char *name);

/* ---- port.c: shared capture/injection per interface */
/* The port for ifname, created on first use; NULL on ENOMEM. */
struct port *port_get(struct vipd *d, const char *ifname);
void port_put(struct port *p);
void port_free(struct port *p);
void port_refresh_filter(struct port *p);
/* The fault a port's state imposes on its groups (GF_NONE when usable),
 * with the reason in *text. */
enum group_fault port_fault(const struct port *p, const char **text);
void port_link_event(struct vipd *d, const struct rtnl_link *l, bool deleted);

/* ---- announce.c: bursts, refresh, responder, conflict probes */
void announce_start(struct vgroup *g);
void announce_stop(struct vgroup *g);
void announce_reannounce(struct vgroup *g);
void announce_probe_start(struct vgroup *g);
void announce_reprobe(struct vgroup *g);
/* Backup: ask the data plane whether the quiet leader still answers. */
void announce_probe_leader(struct vgroup *g);
void announce_frame(struct port *p, const struct frame_info *fi);
void announce_burst_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void announce_refresh_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void announce_probe_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void announce_reprobe_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);

/* ---- vipmap.c: O(1) VIP lookup */
struct vipmap;
struct vipmap *vipmap_new(void);
void vipmap_free(struct vipmap *m);
/* 0, or -1 with errno EEXIST (already mapped) or ENOMEM. */
int vipmap_add(struct vipmap *m, const struct net_addr *a, struct vgroup *g,
               size_t idx);
void vipmap_del(struct vipmap *m, const struct net_addr *a);
/* Returns the group holding a and sets *idx (may be NULL), or NULL. */
struct vgroup *vipmap_find(const struct vipmap *m, const struct net_addr *a,
                           size_t *idx);

/* ---- netcfg.c (addresses, policy routes), netcheck.c (start-up checks),
 * reconcile.c (notifications, reconcile, fault retries) */
struct netcfg;
struct netcfg *netcfg_new(struct vipd *d);
void netcfg_free(struct netcfg *nc);
/* Remove every vipd-tagged rule, route and address (crash leftovers). */
void netcfg_cleanup_stale(struct netcfg *nc);
/* Remove everything this process installed (clean shutdown). */
void netcfg_cleanup_all(struct netcfg *nc);
/* Leader: bind the VIPs, and pin the route when pin = leader.  On failure
 * the group is in a netlink fault (retried later) and -1 is returned. */
int netcfg_group_up(struct netcfg *nc, struct vgroup *g);
void netcfg_group_down(struct netcfg *nc, struct vgroup *g);
/* The pin alone (rules + table); faults the group on failure. */
int netcfg_route_up(struct netcfg *nc, struct vgroup *g);
void netcfg_route_down(struct netcfg *nc, struct vgroup *g);
/* Netlink notification (an rtnl_event_cb). */
void netcfg_event(const struct rtnl_event *ev, void *arg);
/* Check everything we installed is there; retry netlink faults. */
void netcfg_reconcile(struct netcfg *nc);
/* Notifications were lost: re-read links and reconcile. */
void netcfg_resync(struct netcfg *nc);
/* Start-up checks and sysctls for the group's interface; a group whose
 * pin cannot go up (no gateway, table in use) is put in a netlink fault. */
void netcfg_check_interface(struct netcfg *nc, struct vgroup *g);
/* Gateway for the group's pin: configured, or the interface's default
 * route in the main table.  0, or -1 with a reason naming the group and
 * the setting to fix in err. */
int netcfg_gateway(struct rtnl *nl, const struct conf_group *cg, int family,
                   struct net_addr *gw, char *err, size_t errlen);

/* Does the pin's table hold routes vipd did not make?  0 if free, else -1
 * with a reason naming the table in err. */
int netcfg_table_check_free(struct rtnl *nl, uint32_t table, int family,
                            char *err, size_t errlen);

/* ---- check.c: vipd -t */
/* Host checks; prints problems to stderr, returns the error count. */
int check_host(const struct conf *cfg, bool verbose);
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

/* ---- status.c: the answers to status and metrics (ctlproto's words) */
/*
 * The answer to "status" / "metrics": a new jansson object (the caller
 * decrefs it), keys as doc/vipctl.8 documents them; NULL on ENOMEM.
 */
json_t *status_json(struct vipd *d);
json_t *metrics_json(struct vipd *d);
/* The protocol's name for an election state: the one mapping. */
enum ctl_state status_state(enum el_state s);

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

#endif
