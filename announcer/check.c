/*
 * `vipd -t`: checks beyond the file itself.  The election's wire ids of the
 * group names must not collide, and on this host a route pin must have a
 * gateway (configured, or a default route on the group's interface).
 * Warnings (errors with --strict): a VIP outside every subnet of its
 * interface, a configured gateway on none of them, an interface that does
 * not exist here (then the checks that could not be made are named: the
 * file may be meant for another node).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "vipd.h"

int
check_election(const struct conf *cfg, char *err, size_t errlen)
{
	size_t i, k;

	for (i = 0; i < cfg->ngroups; i++) {
		uint32_t id = el_group_id(cfg->groups[i].name);

		for (k = 0; k < i; k++) {
			if (el_group_id(cfg->groups[k].name) != id)
				continue;
			snprintf(err, errlen,
			         "%s:%d: groups[%zu].name: '%s' has the same "
			         "wire id as group '%s' (%s:%d); rename one",
			         cfg->groups[i].file, cfg->groups[i].line,
			         cfg->groups[i].index, cfg->groups[i].name,
			         cfg->groups[k].name, cfg->groups[k].file,
			         cfg->groups[k].line);
			return -1;
		}
	}
	return 0;
}

struct subnets {
	struct rtnl_addr a[64];
	size_t n;
};

static void
subnet_add(const struct rtnl_addr *a, void *arg)
{
	struct subnets *s = arg;

	if (s->n < sizeof(s->a) / sizeof(s->a[0]))
		s->a[s->n++] = *a;
}

/* Is x in the prefix of a (a host address /32, /128 has no subnet)? */
static bool
in_prefix(const struct rtnl_addr *a, const struct net_addr *x)
{
	unsigned host = a->addr.family == AF_INET ? 32 : 128, i, bits;

	if (a->addr.family != x->family || a->prefixlen >= host)
		return false;
	for (i = 0; i * 8 < a->prefixlen; i++) {
		bits = a->prefixlen - i * 8 >= 8 ? 8 : a->prefixlen - i * 8;
		if ((a->addr.a[i] ^ x->a[i]) & (uint8_t)(0xff << (8 - bits)))
			return false;
	}
	return true;
}

static bool
in_subnets(const struct subnets *s, const struct net_addr *x)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (in_prefix(&s->a[i], x))
			return true;
	return false;
}

/* Warnings about addresses the interface cannot reach on its own link. */
static int
subnet_warnings(const struct conf *cfg, size_t gi, struct rtnl *nl, int ifindex)
{
	const struct conf_group *cg = &cfg->groups[gi];
	struct subnets s = {.n = 0};
	char a[NET_ADDR_STRLEN];
	int warnings = 0;
	size_t i;

	if (rtnl_addr_dump(nl, AF_UNSPEC, ifindex, subnet_add, &s) == -1)
		return 0;
	for (i = 0; i < cg->nvips; i++) {
		struct net_addr v = vipd_addr(&cg->vips[i]);

		if (in_subnets(&s, &v))
			continue;
		fprintf(stderr,
		        "%s:%d: groups[%zu].vips[%zu]: warning: %s is outside "
		        "every subnet of %s: neighbours will not ask for it "
		        "there\n",
		        cg->file, cg->line, cg->index, i,
		        net_addr_str(&v, a, sizeof(a)), cg->interface);
		warnings++;
	}
	for (i = 0; i < 2; i++) {
		bool has =
		    i == 0 ? cg->route.has_gateway : cg->route.has_gateway6;
		struct net_addr gw = vipd_addr(i == 0 ? &cg->route.gateway
		                                      : &cg->route.gateway6);

		if (!has || cg->route.pin == CONF_ROUTE_OFF ||
		    in_subnets(&s, &gw))
			continue;
		fprintf(stderr,
		        "%s:%d: groups[%zu].route.%s: warning: %s is on no "
		        "subnet of %s: the pinned default route cannot use "
		        "it\n",
		        cg->file, cg->line, cg->index,
		        i == 0 ? "gateway" : "gateway6",
		        net_addr_str(&gw, a, sizeof(a)), cg->interface);
		warnings++;
	}
	return warnings;
}

/* Print problems found on this host; returns the number of errors. */
int
check_host(const struct conf *cfg, bool verbose, int *warnings)
{
	static const int fams[] = {AF_INET, AF_INET6};
	char err[256];
	struct rtnl *nl = rtnl_new(err, sizeof(err));
	int errors = 0;
	size_t i, f;

	if (nl == NULL) {
		fprintf(stderr, "%s: host checks skipped: %s\n", cfg->path,
		        err);
		return 0;
	}
	for (i = 0; i < cfg->ngroups; i++) {
		const struct conf_group *cg = &cfg->groups[i];
		struct rtnl_link l;
		struct pin_group_conf pc;
		struct net_addr gw;

		if (rtnl_link_get(nl, cg->interface, &l) == -1) {
			if (verbose)
				fprintf(
				    stderr,
				    "%s:%d: groups[%zu].interface: warning: "
				    "%s is not present on this host (VIP "
				    "subnets, gateway, route table: not "
				    "checked)\n",
				    cg->file, cg->line, cg->index,
				    cg->interface);
			(*warnings)++;
			continue;
		}
		*warnings += subnet_warnings(cfg, i, nl, l.ifindex);
		if (cg->route.pin == CONF_ROUTE_OFF)
			continue;
		group_pin_conf(cg, NULL, &pc);
		for (f = 0; f < 2; f++) {
			if (!conf_group_has_family(cg, fams[f]) ||
			    (pin_gateway_find(nl, &pc, fams[f], &gw, err,
			                      sizeof(err)) == 0 &&
			     pin_table_check_free(nl, cg->route.table, fams[f],
			                          err, sizeof(err)) == 0))
				continue;
			fprintf(stderr, "%s:%d: groups[%zu].route: %s\n",
			        cg->file, cg->line, cg->index, err);
			errors++;
		}
	}
	rtnl_free(nl);
	return errors + notify_check(cfg) + track_check_host(cfg, verbose);
}
