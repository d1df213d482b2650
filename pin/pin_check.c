/*
 * What the host must provide for a group, checked at start-up (and by
 * `vipd -t` through pin_gateway_find): a gateway for the route pin, a
 * table free of other people's routes, and interface sysctls that keep the
 * kernel from answering ARP for the VIPs behind vipd's back.  Problems the
 * daemon can live with are warnings that name the fix; a pin that cannot
 * go up puts the group in a netlink fault, retried by pin_reconcile.c.
 */
#include "config.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pin_int.h"

/* ------------------------------------------------------------ gateway */

struct gw_find {
	int ifindex;
	struct net_addr gw;
	uint32_t metric;
	bool found;
};

static void
gw_route(const struct rtnl_route *r, void *arg)
{
	struct gw_find *f = arg;

	if (r->dst_len != 0 || r->gw.family == 0 || r->oif != f->ifindex ||
	    r->type != RTN_UNICAST)
		return;
	if (!f->found || r->metric < f->metric) {
		f->gw = r->gw;
		f->metric = r->metric;
		f->found = true;
	}
}

int
pin_gw_discover(struct rtnl *nl, int ifindex, int family, struct net_addr *gw)
{
	struct gw_find f;
	int tries, rc = -1;

	for (tries = 0; tries < 3; tries++) {
		memset(&f, 0, sizeof(f));
		f.ifindex = ifindex;
		rc = rtnl_route_dump(nl, family, RT_TABLE_MAIN, gw_route, &f);
		if (rc == 0 || errno != EINTR)
			break;
	}
	if (rc == -1 || !f.found)
		return -1;
	*gw = f.gw;
	return 0;
}

int
pin_gateway_find(struct rtnl *nl, const struct pin_group_conf *gc, int family,
                 struct net_addr *gw, char *err, size_t errlen)
{
	bool v4 = family == AF_INET;
	const struct net_addr *cfg_gw = v4 ? &gc->route.gw4 : &gc->route.gw6;
	struct rtnl_link l;

	memset(gw, 0, sizeof(*gw));
	if (cfg_gw->family != 0) {
		*gw = *cfg_gw;
		return 0;
	}
	if (rtnl_link_get(nl, gc->ifname, &l) == -1) {
		snprintf(err, errlen, "group '%s': interface %s: %s", gc->name,
		         gc->ifname, rtnl_error(nl));
		return -1;
	}
	if (pin_gw_discover(nl, l.ifindex, family, gw) == 0)
		return 0;
	snprintf(err, errlen,
	         "group '%s': no %s gateway for the route pin: %s has no %s "
	         "default route in the main table; set route.%s in group "
	         "'%s' (or route.pin = \"off\")",
	         gc->name, v4 ? "IPv4" : "IPv6", gc->ifname,
	         v4 ? "IPv4" : "IPv6", v4 ? "gateway" : "gateway6", gc->name);
	return -1;
}

int
pin_group_gateway(const struct pin_group *pg, int family, struct net_addr *gw,
                  char *err, size_t errlen)
{
	struct pin_group_conf gc;

	memset(&gc, 0, sizeof(gc));
	gc.name = pg->name;
	gc.ifname = pg->iface->name;
	gc.bind = pg->bind;
	gc.route = pg->route;
	return pin_gateway_find(pg->pin->nl, &gc, family, gw, err, errlen);
}

/* Is gw on a subnet of the interface (or IPv6 link-local)? */
static int
gw_on_link(struct pin *pin, const struct pin_group *pg,
           const struct net_addr *gw, char *err, size_t errlen)
{
	struct pin_vec va = PIN_VEC_INIT(struct rtnl_addr, false);
	char a[NET_ADDR_STRLEN];
	bool ok = false;
	size_t i;

	if (gw->family == AF_INET6 && gw->a[0] == 0xfe &&
	    (gw->a[1] & 0xc0) == 0x80)
		return 0;
	if (pin_addr_dump(pin, gw->family, pg->iface->link.ifindex, &va) ==
	    -1) {
		free(va.p);
		return 0; /* adding the route will tell */
	}
	for (i = 0; i < va.n && !ok; i++) {
		const struct rtnl_addr *x =
		    PIN_VEC_AT(&va, struct rtnl_addr, i);

		ok = x->prefixlen < pin_host_len(x->addr.family) &&
		     !pin_is_vip(pin, &x->addr) &&
		     net_addr_in_prefix(gw, &x->addr, x->prefixlen);
	}
	free(va.p);
	if (ok)
		return 0;
	snprintf(err, errlen,
	         "route pin: gateway %s is on no subnet of %s; add the "
	         "interface's address or fix route.%s",
	         net_addr_str(gw, a, sizeof(a)), pg->iface->name,
	         gw->family == AF_INET ? "gateway" : "gateway6");
	return -1;
}

int
pin_group_can_pin(struct pin_group *pg, char *err, size_t errlen)
{
	static const int fams[] = {AF_INET, AF_INET6};
	struct pin *pin = pg->pin;
	struct net_addr gw;
	const struct pin_table *t;
	size_t f;

	if (pg->route.mode == CONF_ROUTE_OFF)
		return 0;
	if (!pg->iface->link.present) {
		snprintf(err, errlen, "route pin: %s is not present",
		         pg->iface->name);
		return -1;
	}
	for (f = 0; f < 2; f++) {
		if (!pin_group_has_family(pg, fams[f]))
			continue;
		if (pin_group_gateway(pg, fams[f], &gw, err, errlen) == -1 ||
		    gw_on_link(pin, pg, &gw, err, errlen) == -1)
			return -1;
		t = pin_table_find(pin, pg->route.table, fams[f]);
		if ((t == NULL || t->refs == 0) &&
		    pin_table_check_free(pin->nl, pg->route.table, fams[f], err,
		                         errlen) == -1)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ sysctls */

static int
sysctl_int(int family, const char *ifname, const char *key)
{
	char buf[32];

	if (sysctl_if_get(family, ifname, key, buf, sizeof(buf)) == -1)
		return -1;
	return atoi(buf);
}

/* The value the kernel acts on: the larger of "all" and the interface's
 * (true of arp_ignore, arp_announce and rp_filter). */
static int
sysctl_eff(const char *ifname, const char *key)
{
	int v = sysctl_int(AF_INET, ifname, key);
	int all = sysctl_int(AF_INET, "all", key);

	return v > all ? v : all;
}

/* Remember the first value vipd replaced, so that exit can restore it. */
/*
 * The state file holds one line per raised sysctl, "IFNAME KEY OLD SET", so
 * that a start after a crash (SIGKILL, power loss of the daemon, not of the
 * host: /run is a tmpfs) can put back what the dead daemon raised.  Written
 * to a temporary file and renamed, so a reader never sees half of it.
 */
static void
sysctl_state_write(struct pin *pin)
{
	char tmp[PIN_PATH_MAX + 8];
	FILE *f;
	size_t i;
	int ok;

	if (pin->state_path[0] == '\0')
		return;
	if (pin->nsysctls == 0) {
		if (unlink(pin->state_path) == -1 && errno != ENOENT)
			log_warn("%s", pin->state_path);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", pin->state_path);
	if ((f = fopen(tmp, "we")) == NULL) {
		log_warn("sysctl state %s", tmp);
		return;
	}
	for (i = 0; i < pin->nsysctls; i++) {
		const struct pin_sysctl *s = &pin->sysctls[i];

		fprintf(f, "%s %s %s %s\n", s->ifname, s->key, s->old, s->set);
	}
	ok = fflush(f) == 0 && !ferror(f);
	if (fclose(f) != 0 || !ok || rename(tmp, pin->state_path) == -1) {
		log_warn("sysctl state %s", pin->state_path);
		unlink(tmp);
	}
}

/* A field of the state file: short, and only [A-Za-z0-9_.@-] (an interface
 * name never holds '/', and a value of ours is a number). */
static bool
state_field_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789_.@-") == n;
}

int
pin_sysctl_state(struct pin *pin, const char *path)
{
	char line[128], ifn[IFNAMSIZ + 1], key[17], old[17], set[17];
	char cur[16];
	unsigned lineno = 0;
	int restored = 0;
	FILE *f;

	if ((size_t)snprintf(pin->state_path, sizeof(pin->state_path), "%s",
	                     path) >= sizeof(pin->state_path)) {
		pin->state_path[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (sscanf(line, "%16s %16s %16s %16s", ifn, key, old, set) !=
		        4 ||
		    !state_field_ok(ifn, IFNAMSIZ) ||
		    !state_field_ok(key, sizeof(key) - 1) ||
		    !state_field_ok(old, sizeof(cur)) ||
		    !state_field_ok(set, sizeof(cur))) {
			log_warnx("%s:%u: not a sysctl record; ignored", path,
			          lineno);
			continue;
		}
		/* Gone, or changed by someone since: theirs now. */
		if (sysctl_if_get(AF_INET, ifn, key, cur, sizeof(cur)) == -1 ||
		    strcmp(cur, set) != 0)
			continue;
		if (sysctl_if_set(AF_INET, ifn, key, old) == 0) {
			log_info("restored net.ipv4.conf.%s.%s=%s (raised by a "
			         "vipd that did not stop cleanly)",
			         ifn, key, old);
			restored++;
		} else {
			log_warn("cannot restore net.ipv4.conf.%s.%s=%s", ifn,
			         key, old);
		}
	}
	fclose(f);
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("%s", path);
	return restored;
}

static void
sysctl_record(struct pin *pin, const char *ifn, const char *key,
              const char *old, const char *value)
{
	struct pin_sysctl *s;
	size_t i;

	for (i = 0; i < pin->nsysctls; i++)
		if (strcmp(pin->sysctls[i].ifname, ifn) == 0 &&
		    strcmp(pin->sysctls[i].key, key) == 0) {
			snprintf(pin->sysctls[i].set, sizeof(s->set), "%s",
			         value);
			sysctl_state_write(pin);
			return;
		}
	s = realloc(pin->sysctls, (pin->nsysctls + 1) * sizeof(*s));
	if (s == NULL)
		return; /* not restored at exit: the safe side */
	pin->sysctls = s;
	s = &pin->sysctls[pin->nsysctls++];
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifn);
	snprintf(s->key, sizeof(s->key), "%s", key);
	snprintf(s->old, sizeof(s->old), "%s", old);
	snprintf(s->set, sizeof(s->set), "%s", value);
	sysctl_state_write(pin);
}

static void
sysctl_raise(struct pin *pin, const char *ifn, const char *key,
             const char *value, const char *why)
{
	char old[16];

	if (sysctl_if_get(AF_INET, ifn, key, old, sizeof(old)) == -1) {
		log_warn("%s: cannot read net.ipv4.conf.%s.%s", ifn, ifn, key);
		return;
	}
	if (sysctl_if_set(AF_INET, ifn, key, value) == 0) {
		log_info("%s: set net.ipv4.conf.%s.%s=%s (%s)", ifn, ifn, key,
		         value, why);
		sysctl_record(pin, ifn, key, old, value);
	} else if (errno == EPERM || errno == EACCES) {
		log_warn("%s: cannot set net.ipv4.conf.%s.%s=%s (needs "
		         "CAP_NET_ADMIN)",
		         ifn, ifn, key, value);
	} else {
		log_warn("%s: cannot set net.ipv4.conf.%s.%s=%s", ifn, ifn, key,
		         value);
	}
}

void
pin_restore_sysctls(struct pin *pin)
{
	char cur[16];
	size_t i;

	for (i = pin->nsysctls; i-- > 0;) {
		const struct pin_sysctl *s = &pin->sysctls[i];

		if (sysctl_if_get(AF_INET, s->ifname, s->key, cur,
		                  sizeof(cur)) == -1 ||
		    strcmp(cur, s->set) != 0)
			continue; /* gone, or changed by someone else: theirs */
		if (sysctl_if_set(AF_INET, s->ifname, s->key, s->old) == 0)
			log_info("restored net.ipv4.conf.%s.%s=%s", s->ifname,
			         s->key, s->old);
		else
			log_warn("cannot restore net.ipv4.conf.%s.%s=%s",
			         s->ifname, s->key, s->old);
	}
	free(pin->sysctls);
	pin->sysctls = NULL;
	pin->nsysctls = 0;
	sysctl_state_write(pin); /* none left: removes the file */
}

static void
check_arp_sysctls(const struct pin_group *pg)
{
	struct pin *pin = pg->pin;
	const char *ifn = pg->iface->name;
	int ign = sysctl_eff(ifn, "arp_ignore");
	int ann = sysctl_eff(ifn, "arp_announce");

	if (pg->bind == CONF_BIND_LOCAL) {
		/* The VIP sits on lo: without these, the kernel answers ARP
		 * for it on every NIC and a crashed vipd leaves a zombie
		 * answerer.  vipd must be the only one to answer — on the
		 * group's interface and on every other NIC too, hence "all"
		 * for arp_ignore (the kernel uses the larger value). */
		if (ign < 1)
			sysctl_raise(pin, ifn, "arp_ignore", "1",
			             "bind \"local\": only vipd answers ARP "
			             "for VIPs");
		if (sysctl_int(AF_INET, "all", "arp_ignore") < 1)
			sysctl_raise(pin, "all", "arp_ignore", "1",
			             "bind \"local\": no NIC answers ARP for "
			             "the VIPs on lo");
		if (ann < 2)
			sysctl_raise(pin, ifn, "arp_announce", "2",
			             "never use a VIP as ARP source");
		/* Traffic sourced from a VIP leaves by whatever route the
		 * kernel picks: with the route pin off, a reply to a client
		 * in another subnet leaves by the default route (often a
		 * management NIC), and the ARP request for its gateway would
		 * carry the VIP as sender address there, teaching that
		 * segment the VIP at this node's MAC.  Any interface may be
		 * that one, including one that appears later, and the kernel
		 * acts on the larger of "all" and the interface's value:
		 * hence "all", a single sysctl to restore at exit. */
		if (sysctl_int(AF_INET, "all", "arp_announce") < 2)
			sysctl_raise(pin, "all", "arp_announce", "2",
			             "bind \"local\": no NIC uses a VIP as ARP "
			             "source");
		return;
	}
	if (ign == 0)
		log_warnx("%s: arp_ignore=0: Linux answers ARP for any local "
		          "address on any NIC (ARP flux); fix: sysctl -w "
		          "net.ipv4.conf.%s.arp_ignore=1",
		          ifn, ifn);
	if (ann == 0)
		log_warnx("%s: arp_announce=0: ARP requests may carry another "
		          "NIC's address; fix: sysctl -w "
		          "net.ipv4.conf.%s.arp_announce=2",
		          ifn, ifn);
}

void
pin_check_sysctls(struct pin_group *pg)
{
	if (!pin_group_has_family(pg, AF_INET))
		return; /* IPv6 has no ARP and no rp_filter sysctl */
	check_arp_sysctls(pg);
	/* Strict reverse-path filtering drops a client's packet when the
	 * reply would leave another interface — unless the pin makes the
	 * reply leave this one. */
	if (sysctl_eff(pg->iface->name, "rp_filter") == 1 &&
	    pg->route.mode == CONF_ROUTE_OFF)
		log_warnx("group %s: strict rp_filter on %s drops VIP traffic "
		          "from clients routed via another interface; enable "
		          "the route pin (route block) or set "
		          "net.ipv4.conf.%s.rp_filter=2",
		          pg->name, pg->iface->name, pg->iface->name);
}

static void
check_subnets(struct pin *pin, const struct pin_group *pg)
{
	struct pin_vec va = PIN_VEC_INIT(struct rtnl_addr, false);
	char a[NET_ADDR_STRLEN];
	size_t i, j;

	if (pin_addr_dump(pin, 0, pg->iface->link.ifindex, &va) == -1) {
		free(va.p);
		return;
	}
	for (i = 0; i < pg->nvips; i++) {
		bool fits = false;

		for (j = 0; j < va.n && !fits; j++) {
			const struct rtnl_addr *x =
			    PIN_VEC_AT(&va, struct rtnl_addr, j);

			fits = x->prefixlen < pin_host_len(x->addr.family) &&
			       !pin_is_vip(pin, &x->addr) &&
			       net_addr_in_prefix(&pg->vips[i].addr, &x->addr,
			                          x->prefixlen);
		}
		if (!fits)
			log_warnx("group %s: VIP %s is outside every subnet of "
			          "%s: neighbours may ignore announcements "
			          "for it",
			          pg->name,
			          net_addr_str(&pg->vips[i].addr, a, sizeof(a)),
			          pg->iface->name);
	}
	free(va.p);
}

/*
 * At group creation: warnings for what the daemon can live with, sysctls
 * for bind "local", and the pin's preconditions — a group whose pin could
 * not go up starts in a netlink fault (it would otherwise take over, fail
 * and hand over again), and pin_reconcile.c retries it.
 */
void
pin_group_check(struct pin_group *pg)
{
	char err[256];

	if (!pg->iface->link.present)
		return;
	if (pg->iface->link.master != 0)
		log_warnx("group %s: %s is enslaved to another interface "
		          "(bond/bridge); configure the master instead",
		          pg->name, pg->iface->name);
	pin_check_sysctls(pg);
	check_subnets(pg->pin, pg);
	if (pg->fault == PIN_FAULT_NONE &&
	    pin_group_can_pin(pg, err, sizeof(err)) == -1)
		pin_fault(pg, err);
}
