/*
 * pin: what vipd installs in the kernel for its groups.  The VIP addresses
 * (bind) and the routing pin: one policy rule "from VIP lookup TABLE" per
 * VIP, and in TABLE the interface's connected subnets plus a default route
 * via the group's gateway, so that replies to VIP traffic leave the
 * interface the VIP lives on.  Also the interface sysctls bind "local"
 * needs, the start-up checks of a group's interface, and keeping all of it
 * in place: netlink notifications trigger a reconcile pass, groups the pin
 * cannot serve are in a netlink fault and retried.
 *
 * Depends on conf/ (bind and route settings) and net/ (netlink, sysctls,
 * event loop, logging).  Knows nothing of elections, ports or
 * announcements.  The caller registers each group (pin_group_new), tells
 * the pin what it learns of interfaces (pin_link_set) and of its groups'
 * faults (pin_group_set_fault), routes netlink notifications to it, and
 * hears through callbacks of the netlink faults the pin puts groups in.
 *
 * The pin owns the per-VIP kernel state (bound, adopted, rule installed):
 * only the pin changes it, and its own timers (reconcile, fault retries)
 * need every group without asking the caller for them.
 *
 * Conventions as in net.h: actions return 0 or -1; constructors return
 * NULL with errno; _free(NULL) is a no-op.  Failed netlink requests are
 * logged with rtnl_error() and counted (pin_counters_get).
 */
#ifndef VIPD_PIN_H
#define VIPD_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "net.h"

struct pin;       /* the pin of one daemon */
struct pin_group; /* one group's part of it */

/* A group's route block, as the pin needs it. */
struct pin_route {
	enum conf_route_pin mode; /* off, leader, always */
	uint32_t table;           /* the policy table it pins into */
	uint32_t priority;        /* of its rules */
	/* Configured gateways; family 0: the interface's default route in
	 * the main table, followed when it changes. */
	struct net_addr gw4;
	struct net_addr gw6;
};

/* A group as the pin needs it; pin_group_new copies all of it. */
struct pin_group_conf {
	const char *name;   /* for messages */
	const char *ifname; /* the interface its VIPs live on */
	enum conf_bind bind;
	struct pin_route route;
	const struct net_addr *vips;
	size_t nvips;
};

/* An interface as the caller (who owns capture on it) last saw it. */
struct pin_link {
	bool present; /* the interface exists */
	bool up;      /* admin up, with carrier */
	bool ready;   /* usable by the caller too (present, up, capture
	                 open): a netlink fault is retried only then */
	int ifindex;  /* the last known index, also while not present */
	int master;   /* ifindex of a bond/bridge master, 0 if none */
};

/* A group's fault as the caller holds it: one slot, in which a fault of
 * another kind (interface, capture, authentication) replaces the pin's. */
enum pin_fault {
	PIN_FAULT_NONE,
	PIN_FAULT_NETLINK, /* put there by the pin's fault callback */
	PIN_FAULT_OTHER,
};

struct pin_counters {
	uint64_t netlink_errors; /* requests that failed */
	uint64_t reconciled; /* entries put back after someone removed them */
};

struct pin_callbacks {
	/* Put the group (owner as given to pin_group_new) in a netlink
	 * fault, text saying why, or take it out of it (text NULL).  May
	 * call back into the pin (pin_route_up when the fault clears). */
	void (*fault)(void *owner, const char *text, void *arg);
	/* Is a one of the caller's VIPs (of any group)?  Subnets are made
	 * of the interface's other addresses. */
	bool (*is_vip)(const struct net_addr *a, void *arg);
	/* A pass the pin ran from its own timers has ended: apply what the
	 * faults it reported changed (the daemon runs its election). */
	void (*settled)(void *arg);
	void *arg;
};

/*
 * A pin making its requests on nl and running its timers on loop; both
 * stay the caller's and must outlive the pin.  cb is copied.  NULL with
 * errno ENOMEM.
 */
struct pin *pin_new(struct ev_loop *loop, struct rtnl *nl,
                    const struct pin_callbacks *cb);

/*
 * Stop the pin's timers and free it with the groups still registered.
 * Touches nothing in the kernel: pin_cleanup_all first for that.
 */
void pin_free(struct pin *pin);

/*
 * The pin's counters (failed requests, repairs of what someone removed).
 * Owned by the pin, valid as long as it; the caller adds them to its own.
 */
const struct pin_counters *pin_counters_get(const struct pin *pin);

/*
 * Keep the original values of the sysctls the pin raises in the file at
 * path (rewritten on each change, removed once they are put back at a
 * clean stop), and first put back what a run that did not stop cleanly
 * left there: each value that still holds what that run set is restored,
 * then the file is removed.  Call once, before any group is up.  Returns
 * how many were restored, or -1 with errno (ENAMETOOLONG: nothing kept).
 */
int pin_sysctl_state(struct pin *pin, const char *path);

/*
 * Remove every address, rule and route tagged with vipd's protocol (what
 * a crashed run left behind); logs how many.  Run before any group is up.
 */
void pin_cleanup_stale(struct pin *pin);

/*
 * Clean shutdown: remove everything the pin installed for every group,
 * flush its tables, and put back the sysctls it raised unless a VIP could
 * not be removed (or was there before vipd, and stays).
 */
void pin_cleanup_all(struct pin *pin);

/*
 * Register a group: gc is copied, link is gc->ifname's state now, owner
 * is handed back to the fault callback.  Nothing is installed yet.  NULL
 * with errno ENOMEM.
 */
struct pin_group *pin_group_new(struct pin *pin,
                                const struct pin_group_conf *gc,
                                const struct pin_link *link, void *owner);

/*
 * Forget the group.  What is installed for it stays: pin_group_down and
 * pin_route_down first, unless pin_cleanup_all ran.
 */
void pin_group_free(struct pin_group *pg);

/*
 * The caller's fault slot for the group changed (to f).  The pin reconciles
 * only groups without a fault and retries only those in its own.
 */
void pin_group_set_fault(struct pin_group *pg, enum pin_fault f);

/*
 * VIP i (index in gc->vips) is yielded to a foreign owner, or no longer:
 * pin_group_up does not bind a yielded VIP.  One already bound stays.
 */
void pin_vip_set_yielded(struct pin_group *pg, size_t i, bool yielded);

/*
 * Start-up checks of the group's interface, if present: warnings (enslaved
 * interface, VIPs outside its subnets, ARP sysctls), the sysctls bind
 * "local" needs, and — for a group without a fault — the pin's
 * preconditions; a group whose pin could not go up is put in a netlink
 * fault (through the callback) and retried.
 */
void pin_group_check(struct pin_group *pg);

/*
 * Leader: bind the group's VIPs (except yielded ones), then the pin in
 * route mode "leader".  0, or -1 with the group put in a netlink fault.
 */
int pin_group_up(struct pin_group *pg);

/*
 * Release: unbind the VIPs — an adopted one (there before vipd) stays in
 * place — and take the pin down in mode "leader".  Failures are logged
 * and counted; nothing is returned.
 */
void pin_group_down(struct pin_group *pg);

/*
 * The pin alone: tables (shared by groups, reference-counted) and one rule
 * per VIP.  0 also when up already or in mode "off"; -1 when the
 * interface is not present, or with the group put in a netlink fault.
 */
int pin_route_up(struct pin_group *pg);

/*
 * Remove the group's rules and drop its table references (the last one
 * flushes the table).  No-op when the pin is not up; failures are logged
 * and counted.
 */
void pin_route_down(struct pin_group *pg);

/*
 * Reload: the group (same name) now is as gc says, its interface as link
 * says; up: the caller leads it (its VIPs are to be bound).  VIPs gc lacks
 * are unbound and lose their rule; new ones (state carried by address for
 * the others; order that of gc->vips, which pin_vip_set_yielded's index
 * follows from now on) are bound when up and get their rule when the pin
 * is up; a new bind mode binds the new way before unbinding the old; a new
 * table, rule priority, mode or interface re-pins the group; a new gateway
 * changes the routes of its table (shared with other groups, which keep
 * their rules).  0, or -1 (ENOMEM, or a failure logged and counted, the
 * group then possibly put in a netlink fault).
 */
int pin_group_update(struct pin_group *pg, const struct pin_group_conf *gc,
                     const struct pin_link *link, bool up);

/* Is the group's pin (rules, tables) installed?  For status: no request
 * is made. */
bool pin_route_is_up(const struct pin_group *pg);

/*
 * Interface ifname is now as link says (ignored if no group is on it).  A
 * change of presence, index or carrier makes a reconcile pass due; an
 * interface that appeared or was re-created gets its sysctl checks again
 * at the next pin_link_event.  Call it before the caller's own reaction
 * (a fault that clears brings the pin up on the new state).
 */
void pin_link_set(struct pin *pin, const char *ifname,
                  const struct pin_link *link);

/*
 * A link notification, after pin_link_set for the interfaces it changed:
 * runs the sysctl checks due, and a reconcile pass when a table's routes
 * go out of that link.
 */
void pin_link_event(struct pin *pin, const struct rtnl_link *l, bool deleted);

/*
 * Address, rule and route notifications: a pass is due when something the
 * pin installed may have gone, a table's subnets or discovered gateway may
 * have changed, or a group in a netlink fault may now be served (then the
 * pass also retries the faults).  The pass runs from the loop, once per
 * batch of notifications.
 */
void pin_addr_event(struct pin *pin, const struct rtnl_addr *a, bool deleted);
void pin_rule_event(struct pin *pin, const struct rtnl_rule *r, bool deleted);
void pin_route_event(struct pin *pin, const struct rtnl_route *r, bool deleted);

/*
 * Now: put back what someone removed, adapt the tables, retry the groups
 * in a netlink fault.  The caller applies the faults' consequences (the
 * settled callback is not called).
 */
void pin_reconcile(struct pin *pin);

/*
 * Notifications were lost (the caller has re-read its links): run a pass
 * and retry the faults from the loop.
 */
void pin_resync(struct pin *pin);

/*
 * The gateway for gc's pin in family: the configured one, or the lowest
 * metric default route via gc->ifname in the main table.  0, or -1 with
 * a reason naming the group and the setting to fix in err.
 */
int pin_gateway_find(struct rtnl *nl, const struct pin_group_conf *gc,
                     int family, struct net_addr *gw, char *err, size_t errlen);

/*
 * Does route table hold routes of family vipd did not make?  0 if not,
 * else -1 with a reason naming the table (or the failed dump) in err.
 */
int pin_table_check_free(struct rtnl *nl, uint32_t table, int family, char *err,
                         size_t errlen);

#endif
