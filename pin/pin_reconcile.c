/*
 * Keeping what vipd installed in place: netlink notifications that say
 * one of our addresses, rules or table routes went (someone ran `ip rule
 * del`, an interface was re-created) trigger a reconcile pass that puts
 * back what is missing, at once; the daemon also runs one periodically in
 * case notifications were lost.  Groups in a netlink fault (table in use,
 * no gateway) are retried when a route or address change may have removed
 * the cause, and on a back-off timer.
 */
#include "config.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pin_int.h"

static bool
addr_present(const struct pin_vec *va, const struct rtnl_addr *ra)
{
	size_t i;

	for (i = 0; i < va->n; i++) {
		const struct rtnl_addr *a = PIN_VEC_AT(va, struct rtnl_addr, i);

		if (a->ifindex == ra->ifindex &&
		    net_addr_eq(&a->addr, &ra->addr))
			return true;
	}
	return false;
}

/* Our rule only: a user's rule with the same selector does not stand in
 * for it (we would not be able to remove it). */
static bool
rule_present(const struct pin_vec *vr, const struct rtnl_rule *r)
{
	size_t i;

	for (i = 0; i < vr->n; i++) {
		const struct rtnl_rule *x = PIN_VEC_AT(vr, struct rtnl_rule, i);

		if (x->family == r->family && x->src_len == r->src_len &&
		    net_addr_eq(&x->src, &r->src) && x->table == r->table &&
		    x->priority == r->priority && x->proto == r->proto)
			return true;
	}
	return false;
}

/* Put back the group's addresses and rules; one that cannot be put back
 * faults the group (a leader without its VIP or pin must hand over). */
static void
reconcile_group(struct pin_group *pg, const struct pin_vec *va,
                const struct pin_vec *vr)
{
	struct pin *pin = pg->pin;
	char a[NET_ADDR_STRLEN], err[256];
	size_t i;

	for (i = 0; i < pg->nvips; i++) {
		struct pin_vip *v = &pg->vips[i];
		struct rtnl_addr ra;
		struct rtnl_rule r;

		net_addr_str(&v->addr, a, sizeof(a));
		pin_vip_addr(pg, v, &ra);
		if (v->bound && ra.ifindex != 0 && !addr_present(va, &ra)) {
			log_warnx("group %s: address %s was removed by someone "
			          "else; restoring it",
			          pg->name, a);
			v->bound = v->adopted = false;
			if (pin_vip_bind(pg, v) == -1) {
				snprintf(err, sizeof(err),
				         "restoring address %s: %s", a,
				         rtnl_error(pin->nl));
				pin_fault(pg, err);
				return;
			}
			pin->ctr.reconciled++;
		}
		pin_vip_rule(pg, v, &r);
		if (v->rule && !rule_present(vr, &r)) {
			log_warnx(
			    "group %s: policy rule from %s was removed by "
			    "someone else; restoring it",
			    pg->name, a);
			v->rule = false;
			if (pin_vip_rule_add(pg, v) == -1) {
				snprintf(err, sizeof(err),
				         "restoring policy rule from %s: %s", a,
				         rtnl_error(pin->nl));
				pin_route_down(pg);
				pin_fault(pg, err);
				return;
			}
			pin->ctr.reconciled++;
		}
	}
}

/*
 * A table cannot be brought back (the interface lost the gateway's subnet,
 * ...): its groups' pins are down in effect, so take them down and fault
 * the groups — a leader hands over to a node whose pin works — until a
 * retry finds the cause gone.
 */
static void
table_failed(struct pin *pin, const struct pin_table *t, const char *err)
{
	uint32_t table = t->table;
	int family = t->family;
	size_t i;

	for (i = 0; i < pin->ngroups; i++) {
		struct pin_group *pg = pin->groups[i];

		if (!pg->route_up || pg->route.table != table ||
		    !pin_group_has_family(pg, family))
			continue;
		pin_route_down(pg);
		pin_fault(pg, err);
	}
}

/* Put back what someone removed, adapt tables to subnet changes. */
static void
reconcile(struct pin *pin)
{
	struct pin_vec va = PIN_VEC_INIT(struct rtnl_addr, false);
	struct pin_vec vr = PIN_VEC_INIT(struct rtnl_rule, false);
	char err[256];
	size_t i;

	pin->dirty = false;
	for (i = 0; i < pin->ntables; i++)
		if (pin->tables[i].refs > 0 &&
		    pin_table_sync(pin, &pin->tables[i], true, err,
		                   sizeof(err)) == -1)
			table_failed(pin, &pin->tables[i], err);
	if (pin_addr_dump(pin, 0, 0, &va) == -1 ||
	    pin_rule_dump(pin, 0, &vr) == -1) {
		pin_failed(pin, "reconcile: reading addresses and rules", NULL);
		goto out;
	}
	for (i = 0; i < pin->ngroups; i++)
		if (pin->groups[i]->fault == PIN_FAULT_NONE)
			reconcile_group(pin->groups[i], &va, &vr);
out:
	free(va.p);
	free(vr.p);
}

/* --------------------------------------------------------------- faults */

static bool
any_netlink_fault(const struct pin *pin)
{
	size_t i;

	for (i = 0; i < pin->ngroups; i++)
		if (pin->groups[i]->fault == PIN_FAULT_NETLINK)
			return true;
	return false;
}

/* Clear the netlink fault of groups whose pin could go up now; the others
 * get the current reason as their fault text. */
static void
retry_faults(struct pin *pin)
{
	char err[256];
	size_t i;

	for (i = 0; i < pin->ngroups; i++) {
		struct pin_group *pg = pin->groups[i];

		if (pg->fault != PIN_FAULT_NETLINK || !pg->iface->link.ready)
			continue;
		if (pin_group_can_pin(pg, err, sizeof(err)) == 0)
			pin_fault_report(pg, NULL);
		else
			pin_fault_report(pg, err);
	}
}

void
pin_fault_report(struct pin_group *pg, const char *text)
{
	struct pin *pin = pg->pin;

	pg->fault = text != NULL ? PIN_FAULT_NETLINK : PIN_FAULT_NONE;
	pin->cb.fault(pg->owner, text, pin->cb.arg);
}

void
pin_fault(struct pin_group *pg, const char *text)
{
	pin_fault_report(pg, text);
	pin_retry_arm(pg->pin);
}

void
pin_retry_arm(struct pin *pin)
{
	if (!pin->retry_timer.active)
		ev_timer_start_in(pin->loop, &pin->retry_timer, pin->retry_ms);
}

void
pin_retry_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct pin *pin = arg;

	retry_faults(pin);
	/* A cleared group may take over, and fail. */
	pin->cb.settled(pin->cb.arg);
	if (!any_netlink_fault(pin)) {
		pin->retry_ms = PIN_RETRY_MIN_MS;
		ev_timer_stop(loop, t);
		return;
	}
	pin->retry_ms = pin->retry_ms * 2 > PIN_RETRY_MAX_MS
	                    ? PIN_RETRY_MAX_MS
	                    : pin->retry_ms * 2;
	ev_timer_start_in(loop, t, pin->retry_ms);
}

/* ------------------------------------------------------------ triggers */

void
pin_reconcile_cb(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct pin *pin = arg;

	(void)loop;
	(void)t;
	reconcile(pin);
	if (pin->retry_now) {
		pin->retry_now = false;
		retry_faults(pin);
	}
	pin->cb.settled(pin->cb.arg);
}

void
pin_reconcile(struct pin *pin)
{
	reconcile(pin);
	retry_faults(pin);
}

static void
mark_dirty(struct pin *pin)
{
	if (!pin->dirty) {
		pin->dirty = true;
		/* Coalesce a batch of notifications into one pass, run as
		 * soon as the batch is read. */
		ev_timer_start_in(pin->loop, &pin->timer, 0);
	}
}

/* Is some group in a netlink fault waiting for this route change?  Only
 * changes by others count (ours would make a failing retry loop). */
static bool
route_may_unblock(const struct pin *pin, const struct rtnl_route *r)
{
	size_t i;

	if (r->proto == RTNL_PROTO_VIPD)
		return false;
	for (i = 0; i < pin->ngroups; i++) {
		const struct pin_group *pg = pin->groups[i];

		if (pg->fault == PIN_FAULT_NETLINK &&
		    (r->table == pg->route.table ||
		     (r->table == RT_TABLE_MAIN && r->dst_len == 0)))
			return true;
	}
	return false;
}

static bool
addr_may_unblock(const struct pin *pin, const struct rtnl_addr *a)
{
	size_t i;

	if (a->proto == RTNL_PROTO_VIPD || pin_is_vip(pin, &a->addr))
		return false;
	for (i = 0; i < pin->ngroups; i++) {
		const struct pin_group *pg = pin->groups[i];

		if (pg->fault == PIN_FAULT_NETLINK && pg->iface->link.present &&
		    pg->iface->link.ifindex == a->ifindex)
			return true;
	}
	return false;
}

/* A default route in main changed on an interface whose table follows a
 * discovered gateway. */
static bool
gw_may_change(const struct pin *pin, const struct rtnl_route *r)
{
	size_t i;

	if (r->table != RT_TABLE_MAIN || r->dst_len != 0 ||
	    r->proto == RTNL_PROTO_VIPD)
		return false;
	for (i = 0; i < pin->ntables; i++) {
		const struct pin_table *t = &pin->tables[i];

		if (t->refs > 0 && !t->gw_configured &&
		    t->family == r->family && t->ifindex == r->oif)
			return true;
	}
	return false;
}

static bool
table_uses_if(const struct pin *pin, int ifindex)
{
	size_t i;

	for (i = 0; i < pin->ntables; i++)
		if (pin->tables[i].refs > 0 &&
		    pin->tables[i].ifindex == ifindex)
			return true;
	return false;
}

static bool
table_ours(const struct pin *pin, uint32_t table)
{
	size_t i;

	for (i = 0; i < pin->ntables; i++)
		if (pin->tables[i].refs > 0 && pin->tables[i].table == table)
			return true;
	return false;
}

/*
 * Any change of presence, index or carrier is a reason to sync the tables
 * (routes go out of the new index; setting a link down removed them).  An
 * interface that appeared, or was re-created under a new index, has the
 * default sysctls again: its groups are checked at pin_link_event, after
 * the caller has reacted to the change.
 */
void
pin_link_set(struct pin *pin, const char *ifname, const struct pin_link *link)
{
	struct pin_link *was;
	size_t i;

	for (i = 0; i < pin->nifs; i++)
		if (strcmp(pin->ifs[i]->name, ifname) == 0)
			break;
	if (i == pin->nifs)
		return;
	was = &pin->ifs[i]->link;
	if (link->present != was->present || link->up != was->up ||
	    link->ifindex != was->ifindex) {
		mark_dirty(pin);
		if (link->present &&
		    (!was->present || link->ifindex != was->ifindex))
			pin->ifs[i]->check_due = true;
	}
	*was = *link;
}

void
pin_link_event(struct pin *pin, const struct rtnl_link *l, bool deleted)
{
	size_t i, j;

	for (i = 0; i < pin->nifs; i++) {
		if (!pin->ifs[i]->check_due)
			continue;
		pin->ifs[i]->check_due = false;
		for (j = 0; j < pin->ngroups; j++)
			if (pin->groups[j]->iface == pin->ifs[i])
				pin_check_sysctls(pin->groups[j]);
	}
	if (!deleted && table_uses_if(pin, l->ifindex))
		mark_dirty(pin);
}

void
pin_resync(struct pin *pin)
{
	pin->retry_now = true;
	mark_dirty(pin);
}

void
pin_addr_event(struct pin *pin, const struct rtnl_addr *a, bool deleted)
{
	if ((deleted && pin_is_vip(pin, &a->addr)) ||
	    table_uses_if(pin, a->ifindex))
		mark_dirty(pin);
	if (!deleted && addr_may_unblock(pin, a)) {
		pin->retry_now = true;
		mark_dirty(pin);
	}
}

void
pin_rule_event(struct pin *pin, const struct rtnl_rule *r, bool deleted)
{
	if (deleted && r->proto == RTNL_PROTO_VIPD)
		mark_dirty(pin);
}

void
pin_route_event(struct pin *pin, const struct rtnl_route *r, bool deleted)
{
	if ((deleted && table_ours(pin, r->table)) || gw_may_change(pin, r))
		mark_dirty(pin);
	if (route_may_unblock(pin, r)) {
		pin->retry_now = true;
		mark_dirty(pin);
	}
}
