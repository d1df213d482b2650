/*
 * Internal to pin/: the state behind struct pin and struct pin_group and
 * the helpers pin.c, pin_check.c and pin_reconcile.c share.  The module's
 * contract is pin.h.
 */
#ifndef VIPD_PIN_INT_H
#define VIPD_PIN_INT_H

/* Internal to its module: announcer/ sees the module's folder for the public
 * header only.  The module's own sources (and its tests) define
 * VIPD_PIN_INTERNAL. */
#ifndef VIPD_PIN_INTERNAL
#error "pin/pin_int.h is internal to its module; include its public header"
#endif

#include "pin.h"

#define PIN_MAX_ROUTES 32 /* per table: connected subnets + the default */

/* Retrying a group in a netlink fault: first after PIN_RETRY_MIN_MS, then
 * doubling up to PIN_RETRY_MAX_MS while some group stays in that fault.
 * Route notifications that may have removed the cause retry at once. */
#define PIN_RETRY_MIN_MS 1000
#define PIN_PATH_MAX     4096
#define PIN_RETRY_MAX_MS 30000

/* A sysctl vipd raised (net.ipv4.conf.IFNAME.KEY), put back at a clean exit
 * if nobody changed it since. */
struct pin_sysctl {
	char ifname[IFNAMSIZ];
	char key[16];
	char old[16];
	char set[16];
};

/* An interface of the pin's groups, as the caller last described it.
 * Kept until pin_free: there are few, and tables point to them. */
struct pin_if {
	char name[IFNAMSIZ];
	struct pin_link link;
	bool check_due; /* (re)appeared: sysctl checks at pin_link_event */
};

/* Per-VIP kernel state. */
struct pin_vip {
	struct net_addr addr;
	bool bound;   /* our address is on lo / the interface */
	bool adopted; /* was present already; we must not delete it */
	bool rule;    /* our policy rule for it is installed */
	bool yielded; /* given up to a foreign owner: not bound on up */
};

struct pin_group {
	struct pin *pin;
	void *owner; /* handed back to the fault callback */
	char name[CONF_NAME_MAX];
	struct pin_if *iface;
	enum conf_bind bind;
	struct pin_route route;
	struct pin_vip *vips;
	size_t nvips;
	enum pin_fault fault; /* the caller's fault slot */
	bool route_up;        /* our pin for this group is installed */
};

/* One policy table of one family, shared by the groups that pin into it. */
struct pin_table {
	uint32_t table;
	int family;
	struct pin_if *iface; /* its routes go out of this interface */
	int ifindex;          /* the interface's index when routes went in */
	unsigned refs;        /* groups with their pin up in it */
	struct net_addr gw;
	bool gw_configured; /* false: discovered, looked up again on sync */
	bool link_down;     /* the interface was down at the last sync */
	struct rtnl_route routes[PIN_MAX_ROUTES]; /* what we installed */
	size_t nroutes;
};

struct pin {
	struct ev_loop *loop;
	struct rtnl *nl;
	struct pin_callbacks cb;
	struct pin_counters ctr;
	struct pin_group **groups; /* in registration order */
	size_t ngroups;
	struct pin_if **ifs;
	size_t nifs;
	struct pin_table *tables;
	size_t ntables;
	bool dirty;                  /* a reconcile pass is due */
	bool retry_now;              /* ... and a retry of netlink faults */
	struct ev_timer timer;       /* runs that pass */
	struct ev_timer retry_timer; /* retry groups in a netlink fault */
	uint64_t retry_ms;           /* current back-off */
	struct pin_sysctl *sysctls;  /* raised by us, in order */
	size_t nsysctls;
	char state_path[PIN_PATH_MAX]; /* their originals, "" = not kept */
};

/* A growable array of fixed-size items, filled by dump callbacks. */
struct pin_vec {
	void *p;
	size_t n, cap, size;
	int ifindex; /* filter for address dumps, 0 = any */
	bool ours;   /* keep only entries tagged with our protocol */
};

#define PIN_VEC_INIT(type, only_ours)                                          \
	{                                                                      \
		NULL, 0, 0, sizeof(type), 0, only_ours                         \
	}
#define PIN_VEC_AT(v, type, i) (&((type *)(v)->p)[i])

/*
 * Dumps into a vec (emptied first).  A dump the kernel marks inconsistent
 * is retried; a table that does not exist yet reads as empty.  0, or -1
 * with the reason in rtnl_error().
 */
int pin_addr_dump(struct pin *pin, int family, int ifindex, struct pin_vec *v);
int pin_rule_dump(struct pin *pin, int family, struct pin_vec *v);
int pin_route_dump(struct pin *pin, int family, uint32_t table,
                   struct pin_vec *v);

unsigned pin_host_len(int family);
/* The record of interface name, made on first use.  NULL on ENOMEM. */
struct pin_if *pin_if_get(struct pin *pin, const char *name);
/* Is a one of the caller's VIPs (the is_vip callback)? */
bool pin_is_vip(const struct pin *pin, const struct net_addr *a);
bool pin_group_has_family(const struct pin_group *pg, int family);
/* Count a failed request and log it with rtnl_error(). */
void pin_failed(struct pin *pin, const char *what, const struct net_addr *a);

/* The table of that number and family, NULL if never used. */
struct pin_table *pin_table_find(struct pin *pin, uint32_t table, int family);
/* Bring the table's routes to what its interface needs now; 0, or -1 with
 * the reason in err.  log_restore: count and log the routes put back after
 * someone removed them. */
int pin_table_sync(struct pin *pin, struct pin_table *t, bool log_restore,
                   char *err, size_t errlen);
void pin_table_flush(struct pin *pin, struct pin_table *t);
/* Take a reference on the group's table of that family, filling it on
 * first use.  0, or -1 with the reason in err. */
int pin_table_ref(struct pin_group *pg, int family, char *err, size_t errlen);
/* Drop one; the last flushes the table's routes. */
void pin_table_unref(struct pin *pin, uint32_t table, int family);
/* The address / rule vipd installs for VIP v of group pg. */
void pin_vip_addr(const struct pin_group *pg, const struct pin_vip *v,
                  struct rtnl_addr *ra);
void pin_vip_rule(const struct pin_group *pg, const struct pin_vip *v,
                  struct rtnl_rule *r);
/* Add them (idempotent); 0, or -1 after logging the failure. */
int pin_vip_bind(struct pin_group *pg, struct pin_vip *v);
int pin_vip_rule_add(struct pin_group *pg, struct pin_vip *v);
/* Undo pin_vip_bind / pin_vip_rule_add for v, with pg's settings (a
 * reload passes the group as it was); failures are counted and retried
 * like the pin's others (pin_failed). */
void pin_vip_unbind(const struct pin_group *pg, struct pin_vip *v);
void pin_vip_rule_del(const struct pin_group *pg, struct pin_vip *v);

/* Report the group in (text) or out of (NULL) a netlink fault through the
 * callback, without arming the retry timer. */
void pin_fault_report(struct pin_group *pg, const char *text);
/* Put pg in a netlink fault and arm the retry timer. */
void pin_fault(struct pin_group *pg, const char *text);
/* Arm the retry timer (at its current back-off) if it is not running. */
void pin_retry_arm(struct pin *pin);
void pin_retry_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void pin_reconcile_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);

/* The gateway of the lowest-metric default route on ifindex in the main
 * table; 0, or -1 (none, or the dump failed). */
int pin_gw_discover(struct rtnl *nl, int ifindex, int family,
                    struct net_addr *gw);
/* pin_gateway_find for the group's settings. */
int pin_group_gateway(const struct pin_group *pg, int family,
                      struct net_addr *gw, char *err, size_t errlen);
/* Start-up checks that depend on the interface's sysctls (again when the
 * interface is re-created: a new one starts with the defaults). */
void pin_check_sysctls(struct pin_group *pg);
/* At a clean exit, once the VIPs are off lo: put back the sysctls vipd
 * raised that still hold vipd's value. */
void pin_restore_sysctls(struct pin *pin);

/*
 * Could the group's pin go up now?  Its interface is there, every family
 * of its VIPs has a gateway, and its table holds nothing foreign (unless
 * we hold it already).  0, or -1 with the reason in err.
 */
int pin_group_can_pin(struct pin_group *pg, char *err, size_t errlen);

#endif
