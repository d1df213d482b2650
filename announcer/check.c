/*
 * `vipd -t`: checks beyond the file itself.  The election's wire ids of the
 * group names must not collide, and on this host a route pin must have a
 * gateway (configured, or a default route on the group's interface).
 * Interfaces that do not exist here are reported as not checked: the file
 * may be meant for another node.
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
			         "wire id as group '%s' (line %d); rename one",
			         cfg->path, cfg->groups[i].line, i,
			         cfg->groups[i].name, cfg->groups[k].name,
			         cfg->groups[k].line);
			return -1;
		}
	}
	return 0;
}

/* Print problems found on this host; returns the number of errors. */
int
check_host(const struct conf *cfg, bool verbose)
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
				fprintf(stderr,
				        "%s:%d: groups[%zu].interface: %s is "
				        "not present on this host (not "
				        "checked)\n",
				        cfg->path, cg->line, i, cg->interface);
			continue;
		}
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
			        cfg->path, cg->line, i, err);
			errors++;
		}
	}
	rtnl_free(nl);
	return errors + notify_check(cfg) + track_check_host(cfg, verbose);
}
