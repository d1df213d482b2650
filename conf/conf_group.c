/*
 * The groups list: each group's keys, then the checks that need all groups
 * at once (unique names, each VIP in one place, consistent route tables).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

static const char *const bind_names[] = {"local", "interface", "none", NULL};
static const char *const pin_names[] = {"leader", "always", "off", NULL};
static const enum conf_route_pin pin_values[] = {
    CONF_ROUTE_LEADER, CONF_ROUTE_ALWAYS, CONF_ROUTE_OFF};
static const char *const conflict_names[] = {"yield", "takeover", NULL};

/* ----------------------------------------------------------- route, garp */

static void
route_pin(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_route *r = obj;
	int i;

	if (conf_get_enum(x, s, pin_names, &i))
		r->pin = pin_values[i];
}

static void
route_table(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	static const char *const reserved[] = {"default", "main", "local"};
	struct conf_route *r = obj;
	long long v;

	if (!conf_get_int(x, s, 1, UINT32_MAX, &v))
		return;
	if (v >= 253 && v <= 255) {
		conf_err(x, s, "table %lld is reserved (%s)", v,
		         reserved[v - 253]);
		return;
	}
	r->table = (uint32_t)v;
}

static void
route_gateway_family(struct conf_ctx *x, const config_setting_t *s, int family,
                     struct conf_addr *out, bool *has)
{
	if (!conf_get_addr(x, s, out))
		return;
	if (out->family != family) {
		conf_err(x, s, "'%s' is not an %s address",
		         config_setting_get_string(s),
		         family == AF_INET ? "IPv4" : "IPv6");
		return;
	}
	*has = true;
}

static void
route_gateway(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_route *r = obj;

	route_gateway_family(x, s, AF_INET, &r->gateway, &r->has_gateway);
}

static void
route_gateway6(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_route *r = obj;

	route_gateway_family(x, s, AF_INET6, &r->gateway6, &r->has_gateway6);
}

static const struct conf_key route_keys[] = {
    {"pin", CK_FN, 0, 0, 0, route_pin},
    {"table", CK_FN, 0, 0, 0, route_table},
    {"priority", CK_U32, 1, 32765, offsetof(struct conf_route, priority), NULL},
    {"gateway", CK_FN, 0, 0, 0, route_gateway},
    {"gateway6", CK_FN, 0, 0, 0, route_gateway6},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

static const struct conf_key garp_keys[] = {
    {"count", CK_UINT, 1, 100, offsetof(struct conf_garp, count), NULL},
    {"interval_ms", CK_UINT, 10, 60000, offsetof(struct conf_garp, interval_ms),
     NULL},
    {"refresh_s", CK_UINT, 0, 86400, offsetof(struct conf_garp, refresh_s),
     NULL},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

/* ---------------------------------------------------------------- group */

static void
group_name(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_group *g = obj;

	conf_get_name(x, s, sizeof(g->name), "group name", g->name);
}

static void
group_interface(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_group *g = obj;

	conf_get_ifname(x, s, g->interface);
}

static bool
vref_add(struct conf_ctx *x, const struct conf_addr *a,
         const config_setting_t *s, size_t group)
{
	struct conf_vref *v;
	size_t cap;

	if (x->nvrefs == x->capvrefs) {
		cap = x->capvrefs ? x->capvrefs * 2 : 64;
		v = realloc(x->vrefs, cap * sizeof(*v));
		if (v == NULL)
			return false;
		x->vrefs = v;
		x->capvrefs = cap;
	}
	v = &x->vrefs[x->nvrefs];
	v->addr = *a;
	v->s = s;
	v->group = group;
	v->seq = x->nvrefs++;
	return true;
}

/* Duplicates, here and in other groups, are found later (vips_check). */
static int
vip_add(struct conf_ctx *x, const config_setting_t *e,
        const struct conf_addr *a, void *arg)
{
	struct conf_group *g = arg;

	if (vref_add(x, a, e, (size_t)(g - x->c->groups)))
		return 1;
	conf_err(x, e, "%s", strerror(ENOMEM));
	return -1;
}

static const struct conf_addr_list vip_list = {"VIP", CONF_VIPS_MAX,
                                               "at least one VIP is needed",
                                               conf_addr_vip_reject, vip_add};

static void
group_vips(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_group *g = obj;

	conf_get_addrs(x, s, &vip_list, g, &g->vips, &g->nvips);
}

static void
group_bind(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_group *g = obj;
	int i;

	if (conf_get_enum(x, s, bind_names, &i))
		g->bind = (enum conf_bind)i;
}

static void
group_route(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_group *g = obj;

	if (!conf_is_block(x, s))
		return;
	g->route.pin = CONF_ROUTE_LEADER;
	conf_walk(x, s, route_keys, &g->route);
}

static void
group_garp(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_group *g = obj;

	if (conf_is_block(x, s))
		conf_walk(x, s, garp_keys, &g->garp);
}

static void
group_conflict(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_group *g = obj;
	int i;

	if (conf_get_enum(x, s, conflict_names, &i))
		g->conflict = (enum conf_conflict)i;
}

static void
group_track(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	conf_track_parse(x, s, obj);
}

static const struct conf_key group_keys[] = {
    {"name", CK_FN, 0, 0, 0, group_name},
    {"interface", CK_FN, 0, 0, 0, group_interface},
    {"vips", CK_FN, 0, 0, 0, group_vips},
    {"priority", CK_UINT, 1, 254, offsetof(struct conf_group, priority), NULL},
    {"preempt", CK_BOOL, 0, 0, offsetof(struct conf_group, preempt), NULL},
    {"preempt_delay_ms", CK_UINT, 0, 3600000,
     offsetof(struct conf_group, preempt_delay_ms), NULL},
    {"bind", CK_FN, 0, 0, 0, group_bind},
    {"route", CK_FN, 0, 0, 0, group_route},
    {"garp", CK_FN, 0, 0, 0, group_garp},
    {"conflict", CK_FN, 0, 0, 0, group_conflict},
    {"notify", CK_FN, 0, 0, 0, conf_notify_group},
    {"notify_timeout_ms", CK_UINT, 100, 3600000,
     offsetof(struct conf_group, notify_timeout_ms), NULL},
    {"track", CK_FN, 0, 0, 0, group_track},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

static void
group_parse(struct conf_ctx *x, const config_setting_t *s, struct conf_group *g)
{
	static const char *const required[] = {"name", "interface", "vips"};
	size_t i;

	g->line = conf_line(s);
	g->preempt = true;
	g->bind = CONF_BIND_LOCAL;
	g->route.pin = CONF_ROUTE_OFF;
	g->route.table = CONF_DEFAULT_ROUTE_TABLE;
	g->route.priority = CONF_DEFAULT_ROUTE_PRIORITY;
	g->garp.count = CONF_DEFAULT_GARP_COUNT;
	g->garp.interval_ms = CONF_DEFAULT_GARP_INTERVAL_MS;
	g->garp.refresh_s = CONF_DEFAULT_GARP_REFRESH_S;
	g->conflict = CONF_CONFLICT_YIELD;
	if (!conf_is_block(x, s))
		return;
	conf_walk(x, s, group_keys, g);
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (config_setting_get_member(s, required[i]) == NULL)
			conf_err_under(x, s, required[i],
			               "required key missing");
	g->priority_set = config_setting_get_member(s, "priority") != NULL;
}

void
conf_groups_parse(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;
	struct conf_group *ng;
	const config_setting_t **gs;
	int n, i;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_err(x, s, "expected a list of groups ( ... )");
		return;
	}
	n = config_setting_length(s);
	if (n == 0) {
		conf_err(x, s, "at least one group is needed");
		return;
	}
	if (n > CONF_GROUPS_MAX) {
		conf_err(x, s, "%d groups; at most %d", n, CONF_GROUPS_MAX);
		return;
	}
	if (c->ngroups + (size_t)n > CONF_GROUPS_MAX) {
		conf_err(x, s, "%zu groups in all; at most %d",
		         c->ngroups + (size_t)n, CONF_GROUPS_MAX);
		return;
	}
	/* Drop-in files append to the groups read so far. */
	ng = realloc(c->groups, (c->ngroups + (size_t)n) * sizeof(*ng));
	if (ng != NULL)
		c->groups = ng;
	gs = realloc(x->gset, (c->ngroups + (size_t)n) * sizeof(*gs));
	if (gs != NULL)
		x->gset = gs;
	if (ng == NULL || gs == NULL) {
		conf_err(x, s, "%s", strerror(ENOMEM));
		return;
	}
	memset(&c->groups[c->ngroups], 0, (size_t)n * sizeof(*ng));
	for (i = 0; i < n; i++) {
		size_t k = c->ngroups++;

		x->gset[k] = config_setting_get_elem(s, (unsigned)i);
		group_parse(x, x->gset[k], &c->groups[k]);
	}
}

/* -------------------------------------------------------- across groups */

/* A member of the i-th group block, or NULL. */
static const config_setting_t *
member(const config_setting_t *const *groups, size_t i, const char *name)
{
	const config_setting_t *g;

	g = groups != NULL ? groups[i] : NULL;
	if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP)
		return NULL;
	return config_setting_get_member(g, name);
}

static void
names_check(struct conf_ctx *x, const config_setting_t *const *groups)
{
	const struct conf *c = x->c;
	char where[CONF_PATH_MAX + 16];
	size_t i, j;

	for (j = 1; j < c->ngroups; j++) {
		if (c->groups[j].name[0] == '\0')
			continue;
		for (i = 0; i < j; i++)
			if (strcmp(c->groups[i].name, c->groups[j].name) == 0)
				break;
		if (i < j)
			conf_err(x, member(groups, j, "name"),
			         "group name '%s' used twice (also at %s)",
			         c->groups[j].name,
			         conf_where(x, member(groups, i, "name"),
			                    member(groups, j, "name"), where,
			                    sizeof(where)));
	}
}

static int
vref_cmp(const void *pa, const void *pb)
{
	const struct conf_vref *a = pa, *b = pb;
	int d = conf_addr_cmp(&a->addr, &b->addr);

	if (d != 0)
		return d;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void
vip_dup_report(struct conf_ctx *x, const struct conf_vref *e,
               const struct conf_vref *first)
{
	char buf[CONF_ADDR_STRLEN], where[CONF_PATH_MAX + 16];
	const char *name = x->c->groups[first->group].name;

	conf_addr_str(&e->addr, buf);
	conf_where(x, first->s, e->s, where, sizeof(where));
	if (e->group == first->group)
		conf_err(x, e->s, "duplicate address %s (also at %s)", buf,
		         where);
	else
		conf_err(x, e->s, "VIP %s is also in group '%s' (%s)", buf,
		         name, where);
}

/*
 * Sorting finds every duplicate in O(n log n) (up to 4M VIPs); reports
 * then go out in file order, each naming the first occurrence.
 */
static void
vips_check(struct conf_ctx *x)
{
	struct conf_vref *v = x->vrefs;
	size_t n = x->nvrefs, i, r = 0, *pos, *first;

	if (n < 2)
		return;
	pos = calloc(n, sizeof(*pos));
	first = calloc(n, sizeof(*first));
	if (pos == NULL || first == NULL) {
		conf_err_file(x, 0, "%s", strerror(ENOMEM));
		goto out;
	}
	qsort(v, n, sizeof(*v), vref_cmp);
	for (i = 0; i < n; i++) {
		if (conf_addr_cmp(&v[i].addr, &v[r].addr) != 0)
			r = i;
		pos[v[i].seq] = i;
		first[v[i].seq] = r;
	}
	for (i = 0; i < n; i++)
		if (first[i] != pos[i])
			vip_dup_report(x, &v[pos[i]], &v[first[i]]);
out:
	free(pos);
	free(first);
}

/* Report where group j's route setting name is, or its route block. */
static void
route_err(struct conf_ctx *x, const config_setting_t *const *groups, size_t j,
          const char *name, const char *msg, const struct conf_group *gi,
          int line)
{
	const config_setting_t *r = member(groups, j, "route");
	const config_setting_t *s = config_setting_get_member(r, name);
	const struct conf_route *rt = &x->c->groups[j].route;

	if (s != NULL)
		conf_err(x, s, "%s group '%s' (line %d) in table %u", msg,
		         gi->name, line, rt->table);
	else
		conf_err_under(x, r, name,
		               "%s group '%s' (line %d) in table %u", msg,
		               gi->name, line, rt->table);
}

static int
route_line(const config_setting_t *const *groups, size_t i, const char *name)
{
	const config_setting_t *r = member(groups, i, "route");
	const config_setting_t *s = r ? config_setting_get_member(r, name) : 0;

	return s ? conf_line(s) : r ? conf_line(r) : 0;
}

/* Group j's name (gateway or gateway6) is gj, group i's gi: report a clash. */
static bool
gateway_pair_check(struct conf_ctx *x, const config_setting_t *const *groups,
                   size_t i, size_t j, const char *name,
                   const struct conf_addr *gi, const struct conf_addr *gj)
{
	char msg[160], a[CONF_ADDR_STRLEN], b[CONF_ADDR_STRLEN];

	if (conf_addr_cmp(gi, gj) == 0)
		return false;
	snprintf(msg, sizeof(msg), "%s %s contradicts %s %s of", name,
	         conf_addr_str(gj, a), name, conf_addr_str(gi, b));
	route_err(x, groups, j, name, msg, &x->c->groups[i],
	          route_line(groups, i, name));
	return true;
}

/*
 * Groups that pin routes into one table share that table's default route,
 * so they must agree on its interface and gateways.  One report per key.
 */
static void
route_pair_check(struct conf_ctx *x, const config_setting_t *const *groups,
                 size_t j)
{
	const struct conf_group *gj = &x->c->groups[j], *gi;
	bool ifc = false, gw = false, gw6 = false;
	char msg[160];
	size_t i;

	for (i = 0; i < j; i++) {
		gi = &x->c->groups[i];
		if (gi->route.pin == CONF_ROUTE_OFF ||
		    gi->route.table != gj->route.table)
			continue;
		if (!ifc && gi->interface[0] && gj->interface[0] &&
		    strcmp(gi->interface, gj->interface) != 0) {
			snprintf(msg, sizeof(msg),
			         "interface %s differs from interface %s of",
			         gj->interface, gi->interface);
			route_err(x, groups, j, "table", msg, gi,
			          conf_line(member(groups, i, "interface")));
			ifc = true;
		}
		if (!gw && gi->route.has_gateway && gj->route.has_gateway)
			gw = gateway_pair_check(x, groups, i, j, "gateway",
			                        &gi->route.gateway,
			                        &gj->route.gateway);
		if (!gw6 && gi->route.has_gateway6 && gj->route.has_gateway6)
			gw6 = gateway_pair_check(x, groups, i, j, "gateway6",
			                         &gi->route.gateway6,
			                         &gj->route.gateway6);
	}
}

void
conf_groups_check(struct conf_ctx *x, const config_setting_t *root)
{
	const config_setting_t *const *groups;
	struct conf *c = x->c;
	size_t i;

	groups = x->gset;
	if (config_setting_get_member(root, "groups") == NULL &&
	    (c->include_dir[0] == '\0' || c->ngroups == 0)) {
		conf_err_under(x, root, "groups",
		               c->include_dir[0] == '\0'
		                   ? "required key missing"
		                   : "required key missing (no drop-in file "
		                     "in include_dir defines a group either)");
		return;
	}
	for (i = 0; i < c->ngroups; i++)
		if (!c->groups[i].priority_set)
			c->groups[i].priority = c->node_priority;
	conf_notify_defaults(c);
	names_check(x, groups);
	vips_check(x);
	for (i = 1; i < c->ngroups; i++)
		if (c->groups[i].route.pin != CONF_ROUTE_OFF)
			route_pair_check(x, groups, i);
}

/* ------------------------------------------------------------- compare */

static bool
route_same(const struct conf_route *a, const struct conf_route *b)
{
	if (a->pin == CONF_ROUTE_OFF && b->pin == CONF_ROUTE_OFF)
		return true;
	if (a->pin != b->pin || a->table != b->table ||
	    a->priority != b->priority || a->has_gateway != b->has_gateway ||
	    a->has_gateway6 != b->has_gateway6)
		return false;
	if (a->has_gateway && conf_addr_cmp(&a->gateway, &b->gateway) != 0)
		return false;
	return !a->has_gateway6 ||
	       conf_addr_cmp(&a->gateway6, &b->gateway6) == 0;
}

static int
addr_qcmp(const void *a, const void *b)
{
	return conf_addr_cmp(a, b);
}

static bool
vips_same(const struct conf_group *a, const struct conf_group *b)
{
	struct conf_addr *x, *y;
	size_t n = a->nvips, i;
	bool same = false;

	if (n != b->nvips)
		return false;
	if (n == 0)
		return true;
	x = malloc(n * sizeof(*x));
	y = malloc(n * sizeof(*y));
	/* Out of memory answers "changed": the group restarts, never lies. */
	if (x != NULL && y != NULL) {
		memcpy(x, a->vips, n * sizeof(*x));
		memcpy(y, b->vips, n * sizeof(*y));
		qsort(x, n, sizeof(*x), addr_qcmp);
		qsort(y, n, sizeof(*y), addr_qcmp);
		for (i = 0; i < n && conf_addr_cmp(&x[i], &y[i]) == 0; i++)
			;
		same = i == n;
	}
	free(x);
	free(y);
	return same;
}

bool
conf_group_same_vips(const struct conf_group *a, const struct conf_group *b)
{
	return strcmp(a->name, b->name) == 0 &&
	       strcmp(a->interface, b->interface) == 0 && a->bind == b->bind &&
	       a->conflict == b->conflict && route_same(&a->route, &b->route) &&
	       vips_same(a, b);
}
