/*
 * Private to netcfg.c, netcheck.c and reconcile.c: the state behind
 * struct netcfg and the helpers the three files share.  The daemon's view
 * of netcfg is its section in vipd.h.
 */
#ifndef VIPD_NETCFG_INT_H
#define VIPD_NETCFG_INT_H

#include "vipd.h"

#define NC_MAX_ROUTES 32 /* per table: connected subnets + the default */

/* Retrying a group in a netlink fault: first after NC_RETRY_MIN_MS, then
 * doubling up to NC_RETRY_MAX_MS while some group stays in that fault.
 * Route notifications that may have removed the cause retry at once. */
#define NC_RETRY_MIN_MS 1000
#define NC_RETRY_MAX_MS 30000

/* A sysctl vipd raised (net.ipv4.conf.IFNAME.KEY), put back at a clean exit
 * if nobody changed it since. */
struct nc_sysctl {
	char ifname[IFNAMSIZ];
	char key[16];
	char old[16];
	char set[16];
};

/* One policy table of one family, shared by the groups that pin into it. */
struct nc_table {
	uint32_t table;
	int family;
	struct port *port; /* its routes go out of this interface */
	int ifindex;       /* the port's ifindex when routes were installed */
	unsigned refs;     /* groups with their pin up in it */
	struct net_addr gw;
	bool gw_configured; /* false: discovered, looked up again on sync */
	bool link_down;     /* the interface was down at the last sync */
	struct rtnl_route routes[NC_MAX_ROUTES]; /* what we installed */
	size_t nroutes;
};

struct netcfg {
	struct vipd *d;
	struct nc_table *tables;
	size_t ntables;
	bool dirty;                  /* a reconcile pass is due */
	bool retry_now;              /* ... and a retry of netlink faults */
	struct ev_timer timer;       /* runs that pass */
	struct ev_timer retry_timer; /* retry groups in a netlink fault */
	uint64_t retry_ms;           /* current back-off */
	struct nc_sysctl *sysctls;   /* raised by us, in order */
	size_t nsysctls;
};

/* A growable array of fixed-size items, filled by dump callbacks. */
struct vec {
	void *p;
	size_t n, cap, size;
	int ifindex; /* filter for address dumps, 0 = any */
	bool ours;   /* keep only entries tagged with our protocol */
};

#define VEC_INIT(type, only_ours)                                              \
	{                                                                      \
		NULL, 0, 0, sizeof(type), 0, only_ours                         \
	}
#define VEC_AT(v, type, i) (&((type *)(v)->p)[i])

/*
 * Dumps into a vec (emptied first).  A dump the kernel marks inconsistent
 * is retried; a table that does not exist yet reads as empty.  0, or -1
 * with the reason in rtnl_error().
 */
int nc_addr_dump(struct netcfg *nc, int family, int ifindex, struct vec *v);
int nc_rule_dump(struct netcfg *nc, int family, struct vec *v);
int nc_route_dump(struct netcfg *nc, int family, uint32_t table, struct vec *v);

unsigned nc_host_len(int family);
bool nc_is_vip(const struct vipd *d, const struct net_addr *a);
bool nc_group_has_family(const struct vgroup *g, int family);
/* Count a failed request and log it with rtnl_error(). */
void nc_failed(struct netcfg *nc, const char *what, const struct net_addr *a);

/* The table of that number and family, NULL if never used. */
struct nc_table *nc_table_find(struct netcfg *nc, uint32_t table, int family);
/* Bring the table's routes to what its interface needs now; 0, or -1 with
 * the reason in err.  log_restore: count and log the routes put back after
 * someone removed them. */
int nc_table_sync(struct netcfg *nc, struct nc_table *t, bool log_restore,
                  char *err, size_t errlen);
/* The address / rule vipd installs for VIP v of group g. */
void nc_vip_addr(const struct vgroup *g, const struct vip *v,
                 struct rtnl_addr *ra);
void nc_vip_rule(const struct vgroup *g, const struct vip *v,
                 struct rtnl_rule *r);
/* Add them (idempotent); 0, or -1 after logging the failure. */
int nc_vip_bind(struct netcfg *nc, struct vgroup *g, struct vip *v);
int nc_vip_rule_add(struct netcfg *nc, struct vgroup *g, struct vip *v);

/* Put g in a netlink fault and arm the retry timer. */
void nc_fault(struct netcfg *nc, struct vgroup *g, const char *text);
/* Arm the retry timer (at its current back-off) if it is not running. */
void nc_retry_arm(struct netcfg *nc);
void nc_retry_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);
void nc_reconcile_cb(struct ev_loop *loop, struct ev_timer *t, void *arg);

/* The gateway of the lowest-metric default route on ifindex in the main
 * table; 0, or -1 (none, or the dump failed). */
int nc_gw_discover(struct rtnl *nl, int ifindex, int family,
                   struct net_addr *gw);
/* Start-up checks that depend on the interface's sysctls (again when the
 * interface is re-created: a new one starts with the defaults). */
void nc_check_sysctls(struct vgroup *g);
/* At a clean exit, once the VIPs are off lo: put back the sysctls vipd
 * raised that still hold vipd's value. */
void nc_restore_sysctls(struct netcfg *nc);

/*
 * Could the group's pin go up now?  Its interface is there, every family
 * of its VIPs has a gateway, and its table holds nothing foreign (unless
 * we hold it already).  0, or -1 with the reason in err.
 */
int nc_pin_check(struct netcfg *nc, const struct vgroup *g, char *err,
                 size_t errlen);

#endif
