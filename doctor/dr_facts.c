/*
 * The facts' plumbing and the findings list: set-up from the config,
 * look-ups, text forms of addresses and route lookups.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "doctor.h"

#define DR_CODE_ROW_(id, code, sev, meaning) {code, sev, meaning},
static const struct {
	const char *name;
	enum dr_severity sev;
	const char *meaning;
} dr_codes[DR_C_MAX] = {DR_CODES(DR_CODE_ROW_)};
#undef DR_CODE_ROW_

const char *
dr_code_name(enum dr_code c)
{
	return (unsigned)c < DR_C_MAX ? dr_codes[c].name : "unknown";
}

enum dr_severity
dr_code_severity(enum dr_code c)
{
	return (unsigned)c < DR_C_MAX ? dr_codes[c].sev : DR_ERROR;
}

const char *
dr_code_meaning(enum dr_code c)
{
	return (unsigned)c < DR_C_MAX ? dr_codes[c].meaning : "";
}

const char *
dr_severity_name(enum dr_severity s)
{
	switch (s) {
	case DR_ERROR:
		return "error";
	case DR_WARNING:
		return "warning";
	case DR_ADVICE:
		return "advice";
	}
	return "error";
}

struct dr_finding *
dr_findings_add(struct dr_findings *list, enum dr_code code, const char *group,
                const char *subject_fmt, ...)
{
	struct dr_finding *f;
	va_list ap;

	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		struct dr_finding *v = realloc(list->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		list->v = v;
		list->cap = cap;
	}
	f = &list->v[list->n++];
	memset(f, 0, sizeof(*f));
	f->code = code;
	snprintf(f->group, sizeof(f->group), "%s", group ? group : "");
	va_start(ap, subject_fmt);
	vsnprintf(f->subject, sizeof(f->subject), subject_fmt, ap);
	va_end(ap);
	return f;
}

void
dr_evidence(struct dr_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (f->nevidence == DR_EVIDENCE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(f->evidence[f->nevidence++], DR_TEXT, fmt, ap);
	va_end(ap);
}

void
dr_cause(struct dr_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->cause, sizeof(f->cause), fmt, ap);
	va_end(ap);
}

void
dr_fix(struct dr_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->fix, sizeof(f->fix), fmt, ap);
	va_end(ap);
}

void
dr_findings_clear(struct dr_findings *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}

size_t
dr_findings_count(const struct dr_findings *list, enum dr_severity s)
{
	size_t i, n = 0;

	for (i = 0; i < list->n; i++)
		if (dr_code_severity(list->v[i].code) == s)
			n++;
	return n;
}

const struct dr_iface *
dr_iface_find(const struct dr_facts *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nifaces; i++)
		if (strcmp(f->ifaces[i].name, name) == 0)
			return &f->ifaces[i];
	return NULL;
}

int
dr_sysctl_eff(const struct dr_facts *f, const struct dr_iface *ifc,
              const char *key)
{
	int v, all;

	if (strcmp(key, "rp_filter") == 0) {
		v = ifc->rp_filter;
		all = f->all_rp_filter;
	} else if (strcmp(key, "arp_ignore") == 0) {
		v = ifc->arp_ignore;
		all = f->all_arp_ignore;
	} else {
		v = ifc->arp_announce;
		all = f->all_arp_announce;
	}
	if (v == DR_UNKNOWN || all == DR_UNKNOWN)
		return DR_UNKNOWN;
	return v > all ? v : all;
}

const char *
dr_addr_str(const struct conf_addr *a, char *buf, size_t len)
{
	if (a->family == 0 ||
	    inet_ntop(a->family, a->a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "-");
	return buf;
}

void
dr_lookup_str(const struct dr_lookup *l, char *buf, size_t len)
{
	char d[64], s[64], gw[64], from[80] = "", table[16];

	dr_addr_str(&l->dst, d, sizeof(d));
	if (l->src.family != 0)
		snprintf(from, sizeof(from), " from %s",
		         dr_addr_str(&l->src, s, sizeof(s)));
	if (l->err != 0) {
		snprintf(buf, len, "ip route get %s%s: %s", d, from,
		         strerror(l->err));
		return;
	}
	if (l->table == 254)
		snprintf(table, sizeof(table), "main");
	else if (l->table == 255)
		snprintf(table, sizeof(table), "local");
	else
		snprintf(table, sizeof(table), "%u", (unsigned)l->table);
	snprintf(buf, len, "ip route get %s%s: %s%s%s dev %s table %s", d, from,
	         l->has_gw ? "via " : "",
	         l->has_gw ? dr_addr_str(&l->gw, gw, sizeof(gw)) : "",
	         l->has_gw ? "" : "on-link", l->oif[0] ? l->oif : "-", table);
}

int
dr_facts_init(struct dr_facts *f, const struct conf *cfg)
{
	size_t i, k;

	memset(f, 0, sizeof(*f));
	f->cfg = cfg;
	f->all_rp_filter = f->all_arp_ignore = f->all_arp_announce = DR_UNKNOWN;
	if (cfg->ngroups > 0) {
		f->groups = calloc(cfg->ngroups, sizeof(*f->groups));
		if (f->groups == NULL)
			return -1;
	}
	f->ngroups = cfg->ngroups;
	for (i = 0; i < cfg->ngroups; i++) {
		struct dr_group *g = &f->groups[i];

		g->cg = &cfg->groups[i];
		for (k = 0; k < g->cg->nvips && k < DR_VIPS_MAX; k++)
			g->vips[k].addr = g->cg->vips[k];
		g->nvips = k;
	}
	for (i = 0; i < cfg->npeers && i < DR_PEERS_MAX; i++) {
		f->peers[i].addr = cfg->peers[i];
		f->peers[i].last_seen_ms = -1;
	}
	f->npeers = i;
	return 0;
}

void
dr_facts_free(struct dr_facts *f)
{
	free(f->groups);
	f->groups = NULL;
	f->ngroups = 0;
}
