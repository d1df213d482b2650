/*
 * Health checks and the groups that track them: the config's checks made
 * into checks/ runners, their results turned into each tracking group's
 * effective priority (weights, keepalived's rule) or its check fault (a
 * failing check without weight, maintenance), status and counters.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chk.h"
#include "spawn.h"
#include "vipd.h"

#define ENV_MAX 8

/* One check of the config at run time. */
struct track_chk {
	struct vipd *d;
	size_t idx;    /* in d->cfg->checks */
	struct chk *c; /* the runner */
	char why[200]; /* why it is down, in words; "" while up */
	char *env[ENV_MAX];
	/* Made by a reload and no result yet: a group that ran before the
	 * reload is not moved by it until its first result. */
	bool fresh;
};

/* A reload's checks, made before anything of the reload is applied. */
struct track_plan {
	struct track_chk **nc; /* per new check; NULL: kept (from[i]) */
	size_t *from;          /* index in d->checks kept, or SIZE_MAX */
	size_t n;
};

static const char *
why_of(const struct track_chk *tc)
{
	return tc->why[0] ? tc->why : "no result yet";
}

static bool
group_tracks(const struct vgroup *g, size_t idx)
{
	size_t k;

	for (k = 0; k < g->cg.ntrack; k++)
		if (g->cg.track[k].check == idx)
			return true;
	return false;
}

/* ------------------------------------------------------- evaluation */

static void
adjust_describe(const struct vgroup *g, const struct chk_track_in *in,
                char *buf, size_t len)
{
	const struct vipd *d = g->d;
	size_t k, n = 0;
	int w;

	buf[0] = '\0';
	for (k = 0; k < g->cg.ntrack && n < len; k++) {
		const struct track_chk *tc = d->checks[g->cg.track[k].check];
		bool up = in[k].state == CHK_UP;

		w = g->cg.track[k].weight;
		if ((w > 0 && up) || (w < 0 && !up))
			n += (size_t)snprintf(
			    buf + n, len - n, "%scheck %s %s %+d",
			    n ? ", " : "", chk_name(tc->c),
			    chk_state_name(chk_state(tc->c)), w);
	}
}

void
track_group_eval(struct vgroup *g)
{
	struct chk_track_in in[CONF_TRACK_MAX];
	struct vipd *d = g->d;
	const char *why = NULL;
	struct chk_prio p;
	size_t k;

	if (d->checks == NULL && g->cg.ntrack > 0)
		return;
	for (k = 0; k < g->cg.ntrack; k++) {
		const struct track_chk *tc = d->checks[g->cg.track[k].check];

		in[k].state = chk_state(tc->c);
		in[k].weight = g->cg.track[k].weight;
		/* A check a reload added changes nothing until its first
		 * result (it runs at once) in a group evaluated before: no
		 * fault, no weight; a group new to the run (start-up, added
		 * by the reload) counts it as failing. */
		if (in[k].state == CHK_UNKNOWN && tc->fresh &&
		    g->eff_priority != 0)
			in[k].state = in[k].weight > 0 ? CHK_DOWN : CHK_UP;
	}
	chk_prio_compute(g->cg.priority, in, g->cg.ntrack, &p);
	if (d->maint)
		why = "maintenance: node drained (vipctl drain)";
	else if (g->maint)
		why = "maintenance: group marked down (vipctl down)";
	else if (p.fault >= 0)
		why = why_of(d->checks[g->cg.track[p.fault].check]);
	adjust_describe(g, in, g->adjust_text, sizeof(g->adjust_text));
	if (p.effective !=
	    (g->eff_priority ? g->eff_priority : g->cg.priority)) {
		log_info("group %s: priority %u -> %u (%s)", g->cg.name,
		         g->eff_priority ? g->eff_priority : g->cg.priority,
		         p.effective,
		         g->adjust_text[0] ? g->adjust_text : "no adjustment");
		g->eff_priority = p.effective;
		group_update_election(g);
	}
	g->eff_priority = p.effective;
	if (strcmp(why ? why : "", g->check_fault) == 0)
		return;
	snprintf(g->check_fault, sizeof(g->check_fault), "%s", why ? why : "");
	if (why != NULL && (g->fault == GF_NONE || g->fault == GF_CHECK))
		group_set_fault(g, GF_CHECK, why);
	else if (why == NULL && g->fault == GF_CHECK)
		group_set_fault(g, GF_NONE, "");
}

static void
eval_tracking(struct vipd *d, size_t idx)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] &&
		    (idx == SIZE_MAX || group_tracks(d->groups[i], idx)))
			track_group_eval(d->groups[i]);
}

static void
on_result(struct chk *c, bool changed, void *arg)
{
	struct track_chk *tc = arg;
	struct vipd *d = tc->d;
	const struct chk_result *r = chk_last(c);
	const struct chk_sm *sm = chk_counts(c);

	d->ctr[r->ok ? CTL_DC_CHECKS_PASSED : CTL_DC_CHECKS_FAILED]++;
	if (tc->fresh) {
		tc->fresh = false; /* held groups take its first state */
		changed = true;
	}
	if (!changed)
		return;
	if (sm->state == CHK_DOWN) {
		snprintf(tc->why, sizeof(tc->why),
		         "check %s failed %u time%s: %s", chk_name(c),
		         sm->fail_run, sm->fail_run == 1 ? "" : "s", r->reason);
		log_info("%s", tc->why);
		vipd_event(d, EVK_CHECK, NULL, -1, -1, "%s", tc->why);
	} else {
		tc->why[0] = '\0';
		log_info("check %s passed %u time%s: %s", chk_name(c),
		         sm->ok_run, sm->ok_run == 1 ? "" : "s", r->reason);
		vipd_event(d, EVK_CHECK, NULL, -1, -1,
		           "check %s passed %u time%s: %s", chk_name(c),
		           sm->ok_run, sm->ok_run == 1 ? "" : "s", r->reason);
	}
	eval_tracking(d, tc->idx);
	vipd_el_flush(d);
}

/* ----------------------------------------------------------- making */

static void
sockaddr_of(const struct conf_check *cc, struct chk_def *def)
{
	memset(&def->addr, 0, sizeof(def->addr));
	if (cc->addr.family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&def->addr;

		s->sin_family = AF_INET;
		s->sin_port = htons(cc->port);
		memcpy(&s->sin_addr, cc->addr.a, 4);
		def->addrlen = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&def->addr;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(cc->port);
		memcpy(&s->sin6_addr, cc->addr.a, 16);
		def->addrlen = sizeof(*s);
	}
}

/* The exec environment: the check, the node, the groups tracking it and
 * their VIPs (a list cut at 2000 bytes). */
static int
exec_env(struct track_chk *tc, const struct conf *cfg)
{
	const struct conf_check *cc = &cfg->checks[tc->idx];
	char groups[1024] = "", vips[2048] = "", a[NET_ADDR_STRLEN];
	size_t i, k, ng = 0, nv = 0;

	for (i = 0; i < ENV_MAX; i++) {
		free(tc->env[i]);
		tc->env[i] = NULL;
	}
	for (i = 0; i < cfg->ngroups; i++) {
		const struct conf_group *g = &cfg->groups[i];

		for (k = 0; k < g->ntrack && g->track[k].check != tc->idx; k++)
			;
		if (k == g->ntrack)
			continue;
		ng += (size_t)snprintf(groups + ng, sizeof(groups) - ng, "%s%s",
		                       ng ? " " : "", g->name);
		for (k = 0; k < g->nvips && nv < 2000; k++) {
			struct net_addr na = vipd_addr(&g->vips[k]);

			nv += (size_t)snprintf(vips + nv, sizeof(vips) - nv,
			                       "%s%s", nv ? " " : "",
			                       net_addr_str(&na, a, sizeof(a)));
		}
		if (ng >= sizeof(groups))
			ng = sizeof(groups) - 1;
		if (nv >= sizeof(vips))
			nv = sizeof(vips) - 1;
	}
	if (asprintf(&tc->env[0], "PATH=/usr/local/sbin:/usr/local/bin:"
	                          "/usr/sbin:/usr/bin:/sbin:/bin") == -1 ||
	    asprintf(&tc->env[1], "VIPD_CHECK=%s", cc->name) == -1 ||
	    asprintf(&tc->env[2], "VIPD_NODE=%s", cfg->node_id) == -1 ||
	    asprintf(&tc->env[3], "VIPD_GROUPS=%s", groups) == -1 ||
	    asprintf(&tc->env[4], "VIPD_VIPS=%s", vips) == -1)
		return -1;
	return 0;
}

/* Will the daemon give up root (control.user or -u)? */
static bool
drops_privileges(const struct vipd *d)
{
	const char *u = d->opts.user ? d->opts.user : d->cfg->user;

	return u[0] != '\0';
}

static int
exec_user(const struct vipd *d, const struct conf_check *cc,
          struct chk_def *def, char *err, size_t errlen)
{
	struct priv_user pu;
	char why[200];

	if (cc->user[0] == '\0')
		return 0;
	if (drops_privileges(d) || geteuid() != 0) {
		snprintf(err, errlen,
		         "check %s (line %d): user \"%s\" needs vipd to run "
		         "as root, but it %s; remove user (the command then "
		         "runs as vipd's own user)",
		         cc->name, cc->line, cc->user,
		         geteuid() != 0 ? "does not run as root"
		                        : "drops its privileges (control.user "
		                          "or -u)");
		return -1;
	}
	if (priv_user_lookup(cc->user, &pu, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "check %s (line %d): %s", cc->name,
		         cc->line, why);
		return -1;
	}
	def->set_ids = true;
	def->uid = pu.uid;
	def->gid = pu.gid;
	return 0;
}

static void
tc_free(struct track_chk *tc)
{
	size_t i;

	if (tc == NULL)
		return;
	chk_free(tc->c);
	for (i = 0; i < ENV_MAX; i++)
		free(tc->env[i]);
	free(tc);
}

/* A check of cfg (d->cfg, or the config a reload is about to apply). */
static struct track_chk *
tc_new(struct vipd *d, const struct conf *cfg, size_t idx, char *err,
       size_t errlen)
{
	const struct conf_check *cc = &cfg->checks[idx];
	struct track_chk *tc = calloc(1, sizeof(*tc));
	struct chk_env env = {d->loop, d->chk_spawn, &d->chk_pace};
	struct chk_def def;
	struct rtnl_link l;

	if (tc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	tc->d = d;
	tc->idx = idx;
	memset(&def, 0, sizeof(def));
	def.name = cc->name;
	def.kind = (enum chk_kind)cc->kind;
	def.interval_ms = cc->interval_ms;
	def.timeout_ms = cc->timeout_ms;
	def.rise = cc->rise;
	def.fall = cc->fall;
	/* Spread the exec checks over their interval: 50 due at once would
	 * fork 50 times in a row, late heartbeats.  The others run together
	 * when their intervals agree: one wake-up for ten TCP checks instead
	 * of ten (a connect costs the loop microseconds, a wake-up more). */
	def.phase_ms = cc->kind == CONF_CHECK_EXEC
	                   ? (unsigned)(idx * cc->interval_ms / cfg->nchecks)
	                   : 0;
	switch (cc->kind) {
	case CONF_CHECK_TCP:
		sockaddr_of(cc, &def);
		break;
	case CONF_CHECK_HTTP:
		def.url = cc->url;
		def.host = cc->host[0] ? cc->host : NULL;
		def.ca_file = cc->ca_file[0] ? cc->ca_file : NULL;
		def.expect = cc->expect;
		def.nexpect = cc->nexpect;
		def.tls_verify = cc->tls_verify;
		break;
	case CONF_CHECK_EXEC:
		def.argv = (const char *const *)cc->argv;
		if (exec_env(tc, cfg) == -1) {
			snprintf(err, errlen, "out of memory");
			tc_free(tc);
			return NULL;
		}
		def.envp = (const char *const *)tc->env;
		if (exec_user(d, cc, &def, err, errlen) == -1) {
			tc_free(tc);
			return NULL;
		}
		break;
	case CONF_CHECK_PROCESS:
		def.process = cc->process;
		def.cmdline = cc->cmdline;
		break;
	case CONF_CHECK_INTERFACE:
		def.ifname = cc->interface;
		break;
	case CONF_CHECK_FILE:
		def.path = cc->path;
		break;
	}
	if ((tc->c = chk_new(&env, &def, on_result, tc)) == NULL) {
		snprintf(err, errlen, "check %s (line %d): %s", cc->name,
		         cc->line,
		         errno == ENOTSUP ? "http checks are not in this build"
		                          : strerror(errno));
		tc_free(tc);
		return NULL;
	}
	if (cc->kind == CONF_CHECK_INTERFACE) {
		if (rtnl_link_get(d->nl, cc->interface, &l) == 0)
			chk_link_set(tc->c, true, l.admin_up && l.oper_up);
		else
			chk_link_set(tc->c, false, false);
	}
	return tc;
}

void
track_plan_free(struct track_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		tc_free(p->nc[i]);
	free(p->nc);
	free(p->from);
	free(p);
}

/* The checks of nc: each one of d->checks (made for d->cfg) whose
 * definition is the same is kept (from[i]); the others are made now,
 * stopped.  Nothing running changes. */
static struct track_plan *
plan_make(struct vipd *d, const struct conf *nc, char *err, size_t errlen)
{
	struct track_plan *p = calloc(1, sizeof(*p));
	size_t i, j, n = nc->nchecks ? nc->nchecks : 1;
	bool *taken = calloc(d->nchecks ? d->nchecks : 1, sizeof(*taken));

	if (p == NULL || taken == NULL ||
	    (p->nc = calloc(n, sizeof(*p->nc))) == NULL ||
	    (p->from = calloc(n, sizeof(*p->from))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	p->n = nc->nchecks;
	for (i = 0; i < nc->nchecks; i++) {
		p->from[i] = SIZE_MAX;
		for (j = 0; j < d->nchecks; j++)
			if (!taken[j] &&
			    conf_check_same(&d->cfg->checks[d->checks[j]->idx],
			                    &nc->checks[i]))
				break;
		if (j < d->nchecks) {
			taken[j] = true;
			p->from[i] = j;
		} else if ((p->nc[i] = tc_new(d, nc, i, err, errlen)) == NULL) {
			goto fail;
		}
	}
	free(taken);
	return p;
fail:
	free(taken);
	track_plan_free(p);
	return NULL;
}

/* d->cfg is the plan's config now: take the kept checks over (with their
 * new place and environment), seed the changed ones from the old ones of
 * the same name, free the rest, start the new ones. */
static void
plan_commit(struct vipd *d, struct track_plan *p, bool reload)
{
	struct track_chk **old = d->checks, **nc = p->nc;
	size_t nold = d->nchecks, i, j;

	for (i = 0; i < p->n; i++) {
		if (p->from[i] != SIZE_MAX) {
			nc[i] = old[p->from[i]];
			old[p->from[i]] = NULL;
			nc[i]->idx = i;
			if (chk_kind(nc[i]->c) == CHK_EXEC &&
			    (exec_env(nc[i], d->cfg) == -1 ||
			     chk_env_set(nc[i]->c,
			                 (const char *const *)nc[i]->env) ==
			         -1))
				log_warnx("check %s: its environment is not "
				          "refreshed: out of memory",
				          chk_name(nc[i]->c));
			continue;
		}
		nc[i]->fresh = reload;
		/* Changed on reload: go on from the old one's state. */
		for (j = 0; j < nold; j++)
			if (old[j] != NULL &&
			    strcmp(chk_name(old[j]->c),
			           d->cfg->checks[i].name) == 0) {
				chk_seed(nc[i]->c, chk_state(old[j]->c));
				memcpy(nc[i]->why, old[j]->why,
				       sizeof(nc[i]->why));
				nc[i]->fresh = false;
			}
	}
	for (j = 0; j < nold; j++)
		tc_free(old[j]);
	free(old);
	d->checks = nc;
	d->nchecks = p->n;
	p->nc = NULL;
	p->n = 0;
	track_plan_free(p);
	for (i = 0; i < d->nchecks; i++)
		chk_start(d->checks[i]->c); /* a no-op for kept ones */
}

int
track_start(struct vipd *d, char *err, size_t errlen)
{
	struct track_plan *p;
	size_t i;

	/* Made whether or not exec checks exist: a reload may add some. */
	if ((d->chk_spawn = spawn_set_new(d->loop)) == NULL) {
		snprintf(err, errlen, "checks: %s", strerror(errno));
		return -1;
	}
	if ((p = plan_make(d, d->cfg, err, errlen)) == NULL)
		return -1;
	plan_commit(d, p, false);
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i])
			track_group_eval(d->groups[i]);
	if (d->nchecks > 0)
		log_info("%zu health check%s started", d->nchecks,
		         d->nchecks == 1 ? "" : "s");
	return 0;
}

void
track_stop(struct vipd *d)
{
	size_t i;

	for (i = 0; i < d->nchecks; i++)
		tc_free(d->checks[i]);
	free(d->checks);
	d->checks = NULL;
	d->nchecks = 0;
	spawn_set_free(d->chk_spawn);
	d->chk_spawn = NULL;
}

struct track_plan *
track_reload_prepare(struct vipd *d, const struct conf *nc, char *err,
                     size_t errlen)
{
	return plan_make(d, nc, err, errlen);
}

void
track_reload(struct vipd *d, struct track_plan *p)
{
	plan_commit(d, p, true);
	eval_tracking(d, SIZE_MAX);
}

void
track_link_event(struct vipd *d, const struct rtnl_link *l, bool deleted)
{
	const struct conf_check *cc;
	size_t i;

	for (i = 0; i < d->nchecks; i++) {
		cc = &d->cfg->checks[i];
		if (cc->kind == CONF_CHECK_INTERFACE &&
		    strcmp(cc->interface, l->name) == 0)
			chk_link_set(d->checks[i]->c, !deleted,
			             !deleted && l->admin_up && l->oper_up);
	}
}

void
track_maint_set(struct vipd *d, struct vgroup *g, bool down)
{
	if (g == NULL) {
		if (d->maint != down)
			log_info("node marked %s over the control socket",
			         down ? "down" : "up");
		d->maint = down;
		eval_tracking(d, SIZE_MAX);
	} else {
		if (g->maint != down)
			log_info("group %s: marked %s over the control socket",
			         g->cg.name, down ? "down" : "up");
		g->maint = down;
		track_group_eval(g);
	}
	vipd_el_flush(d);
}

/* --------------------------------------------------------- vipd -t */

int
track_check_host(const struct conf *cfg, bool verbose)
{
	char why[PATH_MAX + 64], err[200];
	struct priv_user pu;
	int errors = 0;
	size_t i;

	for (i = 0; i < cfg->nchecks; i++) {
		const struct conf_check *cc = &cfg->checks[i];
		uid_t runner = geteuid();

		if (cc->kind != CONF_CHECK_EXEC)
			continue;
		if (cc->user[0] != '\0') {
			if (cfg->user[0] != '\0') {
				fprintf(
				    stderr,
				    "%s:%d: checks[%zu].user: needs vipd to "
				    "run as root, but control.user drops its "
				    "privileges\n",
				    cc->file, cc->line, cc->index);
				errors++;
				continue;
			}
			if (priv_user_lookup(cc->user, &pu, err, sizeof(err)) ==
			    -1) {
				fprintf(stderr, "%s:%d: checks[%zu].user: %s\n",
				        cc->file, cc->line, cc->index, err);
				errors++;
				continue;
			}
			runner = pu.uid;
		}
		if (access(cc->argv[0], X_OK) == -1) {
			if (verbose)
				fprintf(
				    stderr,
				    "%s:%d: checks[%zu].exec: %s: %s on this "
				    "host (not checked)\n",
				    cc->file, cc->line, cc->index, cc->argv[0],
				    strerror(errno));
			continue;
		}
		if (chk_exec_unsafe(cc->argv[0], runner, why, sizeof(why))) {
			fprintf(stderr, "%s:%d: checks[%zu].exec: %s\n",
			        cc->file, cc->line, cc->index, why);
			errors++;
		}
	}
	return errors;
}

/* ----------------------------------------------------------- status */

static json_t *
check_json(const struct vipd *d, const struct track_chk *tc)
{
	const struct chk_result *r = chk_last(tc->c);
	const struct chk_sm *sm = chk_counts(tc->c);
	const struct conf_check *cc = &d->cfg->checks[tc->idx];
	uint64_t now = ev_now(d->loop);

	return json_pack(
	    "{s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,"
	    "s:o}",
	    "name", ctl_json_str(cc->name), "kind",
	    conf_check_kind_name(cc->kind), "state", chk_state_name(sm->state),
	    "result",
	    r->at_ms ? ctl_json_str(r->ok ? "ok" : "failed") : json_null(),
	    "reason", ctl_json_str(r->reason), "fault_reason",
	    ctl_json_str(tc->why), "age_ms",
	    r->at_ms ? ctl_json_uint(now - r->at_ms) : json_null(), "took_ms",
	    ctl_json_uint(r->took_ms), "code", (json_int_t)r->code,
	    "in_state_ms", ctl_json_uint(now - sm->since_ms), "rise",
	    ctl_json_uint(sm->rise), "fall", ctl_json_uint(sm->fall), "ok_run",
	    ctl_json_uint(sm->ok_run), "fail_run", ctl_json_uint(sm->fail_run),
	    "passed", ctl_json_uint(chk_results(tc->c, true)), "failed",
	    ctl_json_uint(chk_results(tc->c, false)));
}

int
track_status(struct vipd *d, json_t *root)
{
	json_t *arr = json_array(), *o;
	size_t i;

	if (arr == NULL)
		return -1;
	for (i = 0; i < d->nchecks; i++) {
		if ((o = check_json(d, d->checks[i])) == NULL ||
		    json_array_append_new(arr, o) == -1) {
			json_decref(arr);
			return -1;
		}
	}
	if (json_object_set_new(root, "checks", arr) == -1 ||
	    json_object_set_new(root, "maintenance", json_boolean(d->maint)) ==
	        -1)
		return -1;
	return 0;
}

int
track_status_group(const struct vgroup *g, json_t *o)
{
	json_t *arr = json_array(), *t;
	size_t k;

	if (arr == NULL)
		return -1;
	for (k = 0; k < g->cg.ntrack && g->d->checks != NULL; k++) {
		const struct track_chk *tc = g->d->checks[g->cg.track[k].check];

		t = json_pack("{s:o,s:I,s:s}", "check",
		              ctl_json_str(chk_name(tc->c)), "weight",
		              (json_int_t)g->cg.track[k].weight, "state",
		              chk_state_name(chk_state(tc->c)));
		if (t == NULL || json_array_append_new(arr, t) == -1) {
			json_decref(arr);
			return -1;
		}
	}
	if (json_object_set_new(o, "tracks", arr) == -1 ||
	    json_object_set_new(o, "effective_priority",
	                        json_integer(g->eff_priority
	                                         ? g->eff_priority
	                                         : g->cg.priority)) == -1 ||
	    json_object_set_new(o, "adjusted_by",
	                        ctl_json_str(g->adjust_text)) == -1 ||
	    json_object_set_new(o, "maintenance", json_boolean(g->maint)) == -1)
		return -1;
	return 0;
}
