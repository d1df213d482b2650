/*
 * The pin's handle, its groups, and what it installs for them: VIP
 * addresses (bind), and the policy route pin — one rule "from VIP lookup
 * TABLE" per VIP, the table itself being pin_table.c's.
 *
 * Everything carries protocol RTNL_PROTO_VIPD, so start-up removes a
 * crashed run's leftovers and nothing else.  Start-up checks live in
 * pin_check.c, notifications, reconcile and fault retries in
 * pin_reconcile.c.
 */
#include "config.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pin_int.h"

struct pin *
pin_new(struct ev_loop *loop, struct rtnl *nl, const struct pin_callbacks *cb)
{
	struct pin *pin = calloc(1, sizeof(*pin));

	if (pin == NULL)
		return NULL;
	pin->loop = loop;
	pin->nl = nl;
	pin->cb = *cb;
	pin->retry_ms = PIN_RETRY_MIN_MS;
	ev_timer_init(&pin->timer, pin_reconcile_cb, pin);
	ev_timer_init(&pin->retry_timer, pin_retry_cb, pin);
	return pin;
}

static void
group_release(struct pin_group *pg)
{
	free(pg->vips);
	free(pg);
}

void
pin_free(struct pin *pin)
{
	size_t i;

	if (pin == NULL)
		return;
	ev_timer_stop(pin->loop, &pin->timer);
	ev_timer_stop(pin->loop, &pin->retry_timer);
	for (i = 0; i < pin->ngroups; i++)
		group_release(pin->groups[i]);
	free(pin->groups);
	for (i = 0; i < pin->nifs; i++)
		free(pin->ifs[i]);
	free(pin->ifs);
	free(pin->sysctls);
	free(pin->tables);
	free(pin);
}

const struct pin_counters *
pin_counters_get(const struct pin *pin)
{
	return &pin->ctr;
}

unsigned
pin_host_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

bool
pin_is_vip(const struct pin *pin, const struct net_addr *a)
{
	return pin->cb.is_vip(a, pin->cb.arg);
}

bool
pin_group_has_family(const struct pin_group *pg, int family)
{
	size_t i;

	for (i = 0; i < pg->nvips; i++)
		if (pg->vips[i].addr.family == family)
			return true;
	return false;
}

void
pin_failed(struct pin *pin, const char *what, const struct net_addr *a)
{
	char buf[NET_ADDR_STRLEN];

	pin->ctr.netlink_errors++;
	log_warnx("%s%s%s: %s", what, a ? " " : "",
	          a ? net_addr_str(a, buf, sizeof(buf)) : "",
	          rtnl_error(pin->nl));
}

/* ------------------------------------------------------------- groups */

struct pin_if *
pin_if_get(struct pin *pin, const char *name)
{
	struct pin_if *pi, **n;
	size_t i;

	for (i = 0; i < pin->nifs; i++)
		if (strcmp(pin->ifs[i]->name, name) == 0)
			return pin->ifs[i];
	if ((pi = calloc(1, sizeof(*pi))) == NULL)
		return NULL;
	n = realloc(pin->ifs, (pin->nifs + 1) * sizeof(*n));
	if (n == NULL) {
		free(pi);
		return NULL;
	}
	pin->ifs = n;
	snprintf(pi->name, sizeof(pi->name), "%s", name);
	pin->ifs[pin->nifs++] = pi;
	return pi;
}

struct pin_group *
pin_group_new(struct pin *pin, const struct pin_group_conf *gc,
              const struct pin_link *link, void *owner)
{
	struct pin_group *pg = calloc(1, sizeof(*pg)), **n;
	size_t i;

	if (pg == NULL)
		return NULL;
	pg->vips = calloc(gc->nvips ? gc->nvips : 1, sizeof(*pg->vips));
	n = realloc(pin->groups, (pin->ngroups + 1) * sizeof(*n));
	if (n != NULL)
		pin->groups = n;
	if (pg->vips == NULL || n == NULL ||
	    (pg->iface = pin_if_get(pin, gc->ifname)) == NULL) {
		group_release(pg);
		errno = ENOMEM;
		return NULL;
	}
	pg->pin = pin;
	pg->owner = owner;
	snprintf(pg->name, sizeof(pg->name), "%s", gc->name);
	pg->iface->link = *link;
	pg->bind = gc->bind;
	pg->route = gc->route;
	pg->nvips = gc->nvips;
	for (i = 0; i < gc->nvips; i++)
		pg->vips[i].addr = gc->vips[i];
	pin->groups[pin->ngroups++] = pg;
	return pg;
}

void
pin_group_free(struct pin_group *pg)
{
	struct pin *pin;
	size_t i;

	if (pg == NULL)
		return;
	pin = pg->pin;
	for (i = 0; i < pin->ngroups; i++) {
		if (pin->groups[i] != pg)
			continue;
		/* Keep the order: passes visit groups as registered. */
		memmove(&pin->groups[i], &pin->groups[i + 1],
		        (pin->ngroups - i - 1) * sizeof(pin->groups[0]));
		pin->ngroups--;
		break;
	}
	group_release(pg);
}

void
pin_group_set_fault(struct pin_group *pg, enum pin_fault f)
{
	pg->fault = f;
}

void
pin_vip_set_yielded(struct pin_group *pg, size_t i, bool yielded)
{
	if (i < pg->nvips)
		pg->vips[i].yielded = yielded;
}

bool
pin_route_is_up(const struct pin_group *pg)
{
	return pg->route_up;
}

/* ---------------------------------------------------- addresses, rules */

static int
bind_ifindex(const struct pin_group *pg)
{
	switch (pg->bind) {
	case CONF_BIND_LOCAL:
		return 1; /* lo is always ifindex 1 in a network namespace */
	case CONF_BIND_INTERFACE:
		return pg->iface->link.present ? pg->iface->link.ifindex : 0;
	case CONF_BIND_NONE:
		break;
	}
	return 0;
}

void
pin_vip_addr(const struct pin_group *pg, const struct pin_vip *v,
             struct rtnl_addr *ra)
{
	memset(ra, 0, sizeof(*ra));
	ra->ifindex = bind_ifindex(pg);
	ra->addr = v->addr;
	ra->prefixlen = (uint8_t)pin_host_len(v->addr.family);
	ra->scope = RT_SCOPE_UNIVERSE;
	ra->proto = RTNL_PROTO_VIPD;
	/* A host address needs its local route only: without this flag an
	 * IPv6 VIP would also get a /128 route in the main table. */
	ra->flags = IFA_F_NOPREFIXROUTE;
	if (v->addr.family == AF_INET6)
		ra->flags |= IFA_F_NODAD;
}

/* Whose is the address already there?  Ours only if it carries our tag. */
static bool
addr_is_ours(struct pin *pin, const struct rtnl_addr *ra)
{
	struct pin_vec va = PIN_VEC_INIT(struct rtnl_addr, true);
	size_t i;
	bool ours = false;

	if (pin_addr_dump(pin, ra->addr.family, ra->ifindex, &va) == 0)
		for (i = 0; i < va.n; i++)
			if (net_addr_eq(
			        &PIN_VEC_AT(&va, struct rtnl_addr, i)->addr,
			        &ra->addr))
				ours = true;
	free(va.p);
	return ours;
}

int
pin_vip_bind(struct pin_group *pg, struct pin_vip *v)
{
	struct pin *pin = pg->pin;
	struct rtnl_addr ra;

	if (v->bound || pg->bind == CONF_BIND_NONE)
		return 0;
	pin_vip_addr(pg, v, &ra);
	if (ra.ifindex == 0)
		return 0;
	if (rtnl_addr_add(pin->nl, &ra) == 0) {
		v->bound = true;
		v->adopted = false;
	} else if (errno == EEXIST) {
		/* Present already: adopt it, and never delete what we did not
		 * add (kube-vip once removed every address on a NIC).  The
		 * kernel ignores the protocol on delete, so this flag is what
		 * keeps a user's copy of the VIP in place. */
		v->bound = true;
		v->adopted = !addr_is_ours(pin, &ra);
	} else {
		pin_failed(pin, "adding address", &v->addr);
		return -1;
	}
	return 0;
}

void
pin_vip_unbind(const struct pin_group *pg, struct pin_vip *v)
{
	struct rtnl_addr ra;

	if (!v->bound)
		return;
	v->bound = false;
	if (v->adopted) {
		v->adopted = false;
		return;
	}
	pin_vip_addr(pg, v, &ra);
	if (ra.ifindex == 0)
		return; /* the interface went, and the address with it */
	if (rtnl_addr_del(pg->pin->nl, &ra) == -1 && errno != EADDRNOTAVAIL &&
	    errno != ENODEV)
		pin_failed(pg->pin, "removing address", &v->addr);
}

void
pin_vip_rule(const struct pin_group *pg, const struct pin_vip *v,
             struct rtnl_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->family = v->addr.family;
	r->src = v->addr;
	r->src_len = (uint8_t)pin_host_len(v->addr.family);
	r->table = pg->route.table;
	r->priority = pg->route.priority;
	r->proto = RTNL_PROTO_VIPD;
}

int
pin_vip_rule_add(struct pin_group *pg, struct pin_vip *v)
{
	struct rtnl_rule r;

	if (v->rule)
		return 0;
	pin_vip_rule(pg, v, &r);
	if (rtnl_rule_add(pg->pin->nl, &r) == -1 && errno != EEXIST) {
		pin_failed(pg->pin, "adding policy rule from", &v->addr);
		return -1;
	}
	v->rule = true;
	return 0;
}

void
pin_vip_rule_del(const struct pin_group *pg, struct pin_vip *v)
{
	struct rtnl_rule r;

	if (!v->rule)
		return;
	v->rule = false;
	pin_vip_rule(pg, v, &r);
	if (rtnl_rule_del(pg->pin->nl, &r) == -1 && errno != ENOENT)
		pin_failed(pg->pin, "removing policy rule from", &v->addr);
}

/* ------------------------------------------------------- group actions */

static int
tables_up(struct pin_group *pg, char *err, size_t errlen)
{
	if (pin_group_has_family(pg, AF_INET) &&
	    pin_table_ref(pg, AF_INET, err, errlen) == -1)
		return -1;
	if (pin_group_has_family(pg, AF_INET6) &&
	    pin_table_ref(pg, AF_INET6, err, errlen) == -1) {
		if (pin_group_has_family(pg, AF_INET))
			pin_table_unref(pg->pin, pg->route.table, AF_INET);
		return -1;
	}
	return 0;
}

int
pin_route_up(struct pin_group *pg)
{
	struct pin *pin = pg->pin;
	char err[256], a[NET_ADDR_STRLEN];
	size_t i;

	if (pg->route_up || pg->route.mode == CONF_ROUTE_OFF)
		return 0;
	/* No interface: the caller has the group in fault already. */
	if (!pg->iface->link.present)
		return -1;
	if (tables_up(pg, err, sizeof(err)) == -1) {
		pin->ctr.netlink_errors++;
		pin_fault(pg, err);
		return -1;
	}
	pg->route_up = true;
	for (i = 0; i < pg->nvips; i++) {
		if (pin_vip_rule_add(pg, &pg->vips[i]) == 0)
			continue;
		snprintf(err, sizeof(err), "policy rule from %s: %s",
		         net_addr_str(&pg->vips[i].addr, a, sizeof(a)),
		         rtnl_error(pin->nl));
		pin_route_down(pg);
		pin_fault(pg, err);
		return -1;
	}
	return 0;
}

void
pin_route_down(struct pin_group *pg)
{
	size_t i;

	if (!pg->route_up)
		return;
	for (i = 0; i < pg->nvips; i++)
		pin_vip_rule_del(pg, &pg->vips[i]);
	if (pin_group_has_family(pg, AF_INET))
		pin_table_unref(pg->pin, pg->route.table, AF_INET);
	if (pin_group_has_family(pg, AF_INET6))
		pin_table_unref(pg->pin, pg->route.table, AF_INET6);
	pg->route_up = false;
}

int
pin_group_up(struct pin_group *pg)
{
	char err[256], a[NET_ADDR_STRLEN];
	size_t i;

	for (i = 0; i < pg->nvips; i++) {
		struct pin_vip *v = &pg->vips[i];

		if (v->yielded)
			continue;
		if (pin_vip_bind(pg, v) == 0)
			continue;
		/* A leader that cannot hold its VIP would attract traffic
		 * and drop it: hand over instead. */
		snprintf(err, sizeof(err), "adding address %s: %s",
		         net_addr_str(&v->addr, a, sizeof(a)),
		         rtnl_error(pg->pin->nl));
		pin_fault(pg, err);
		return -1;
	}
	if (pg->route.mode == CONF_ROUTE_LEADER)
		return pin_route_up(pg);
	return 0;
}

void
pin_group_down(struct pin_group *pg)
{
	size_t i;

	for (i = 0; i < pg->nvips; i++)
		pin_vip_unbind(pg, &pg->vips[i]);
	if (pg->route.mode == CONF_ROUTE_LEADER)
		pin_route_down(pg);
}

void
pin_cleanup_all(struct pin *pin)
{
	uint64_t errors = pin->ctr.netlink_errors;
	bool kept = false;
	size_t i, j;

	for (i = 0; i < pin->ngroups; i++) {
		struct pin_group *pg = pin->groups[i];

		for (j = 0; j < pg->nvips; j++)
			kept |= pg->vips[j].bound && pg->vips[j].adopted;
		pin_group_down(pg);
		pin_route_down(pg);
	}
	for (i = 0; i < pin->ntables; i++) {
		pin->tables[i].refs = 0;
		pin_table_flush(pin, &pin->tables[i]);
	}
	/* The sysctls keep the kernel from answering ARP for a VIP on lo:
	 * only once none is left there. */
	if (pin->nsysctls == 0)
		return;
	if (kept || pin->ctr.netlink_errors != errors)
		log_warnx("sysctls left as vipd set them: %s",
		          kept ? "VIPs that were there before vipd stay on "
		                 "their interface"
		               : "a VIP could not be removed");
	else
		pin_restore_sysctls(pin);
}
