/*
 * The reload's diff (announcer/reload.c) without root: the real reload code
 * and config parser against files in a temporary directory, with the group,
 * pin and peer code replaced by fakes that record what reload.c does.
 * Checks which groups are changed in place (the same object: state and
 * leadership survive), left untouched, removed and added, the summary and
 * the report vipctl prints, and that a broken file or a restart-only
 * change keeps the running configuration.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "vipd.h"

static unsigned n_drop_expected;

static unsigned n_new, n_free, n_update, n_pin_down, n_flush, n_drop, n_gupdate;

/* ---- fakes: groups (group.c) */
struct vgroup *
group_new(struct vipd *d, const struct conf_group *cg, char *err, size_t errlen)
{
	struct vgroup *g = calloc(1, sizeof(*g));
	struct el_group_config gc;
	int idx;

	(void)err, (void)errlen;
	g->d = d;
	g->cg = *cg;
	memset(&gc, 0, sizeof(gc));
	gc.name = cg->name;
	gc.priority = (uint8_t)cg->priority;
	idx = el_cluster_group_add(d->el, &gc, 1000);
	g->el_idx = (size_t)idx;
	n_new++;
	return g;
}
void
group_free(struct vgroup *g)
{
	if (g == NULL)
		return;
	if (g->el_idx < g->d->ngroups && g->d->groups[g->el_idx] == g)
		g->d->groups[g->el_idx] = NULL;
	free(g);
	n_free++;
}
struct vgroup *
group_find(struct vipd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] && strcmp(d->groups[i]->cg.name, name) == 0)
			return d->groups[i];
	return NULL;
}
void
group_update_election(struct vgroup *g)
{
	(void)g;
	n_update++;
}

/* ---- fakes: in-place changes (group_update.c) */
static bool
has_vip(const struct conf_group *cg, const struct conf_addr *a)
{
	size_t i;

	for (i = 0; i < cg->nvips; i++)
		if (memcmp(&cg->vips[i], a, sizeof(*a)) == 0)
			return true;
	return false;
}
bool
group_diff(const struct vgroup *g, const struct conf_group *cg,
           struct group_change *ch)
{
	size_t i;

	memset(ch, 0, sizeof(*ch));
	for (i = 0; i < cg->nvips; i++)
		ch->vips_added += !has_vip(&g->cg, &cg->vips[i]);
	for (i = 0; i < g->cg.nvips; i++)
		ch->vips_removed += !has_vip(cg, &g->cg.vips[i]);
	ch->prio_from = g->cg.priority;
	ch->prio_to = cg->priority;
	ch->garp = memcmp(&g->cg.garp, &cg->garp, sizeof(cg->garp)) != 0;
	ch->track = g->cg.ntrack != cg->ntrack;
	for (i = 0; !ch->track && i < cg->ntrack; i++)
		ch->track = strcmp(g->cg.track[i].name, cg->track[i].name) ||
		            g->cg.track[i].weight != cg->track[i].weight;
	ch->notify = strcmp(g->cg.notify, cg->notify) != 0 ||
	             g->cg.notify_timeout_ms != cg->notify_timeout_ms;
	return ch->vips_added || ch->vips_removed ||
	       ch->prio_from != ch->prio_to || ch->garp || ch->track ||
	       ch->notify;
}
void
group_vips_drop(struct vgroup *g, const struct conf_group *cg)
{
	(void)g, (void)cg;
	n_drop++;
}
int
group_update(struct vgroup *g, const struct conf_group *cg, char *err,
             size_t errlen)
{
	(void)err, (void)errlen;
	/* Every drop came before the first update (VIPs moving between
	 * groups are free when they are added). */
	ok(n_drop == n_drop_expected, "drops (%u) before updates", n_drop);
	g->cg = *cg;
	n_gupdate++;
	return 0;
}

/* ---- fakes: pin, ports, peers, daemon, systemd, vipd -t */
void
pin_group_down(struct pin_group *pg)
{
	(void)pg;
	n_pin_down++;
}
void
pin_route_down(struct pin_group *pg)
{
	(void)pg;
}
void
port_refresh_filter(struct port *p)
{
	(void)p;
}
int
peers_configure(struct vipd *d, char *err, size_t errlen)
{
	(void)d, (void)err, (void)errlen;
	return 0;
}
void
vipd_el_flush(struct vipd *d)
{
	(void)d;
	n_flush++;
}
void
vipd_event(struct vipd *d, enum events_kind kind, const struct vgroup *g,
           int from, int to, const char *fmt, ...)
{
	(void)d, (void)kind, (void)g, (void)from, (void)to, (void)fmt;
}
void
notify_group_added(struct vgroup *g)
{
	(void)g;
}
void
notify_group_removed(struct vgroup *g)
{
	(void)g;
}
void
notify_reload(struct vipd *d, const char *old_fifo)
{
	(void)d, (void)old_fifo;
}
void
sdnotify_reloading(struct sdnotify *n)
{
	(void)n;
}
void
sdnotify_reloaded(struct sdnotify *n, bool ok)
{
	(void)n, (void)ok;
}
/* track.c: the checks are made before anything is applied; a failure
 * (fail_checks) refuses the reload.  track_reload also records whether
 * every group had taken its new settings when tracking was re-evaluated
 * (track.c reads g->cg.track then). */
static bool fail_checks;
static unsigned n_track_reload, n_track_fresh;
struct track_plan *
track_reload_prepare(struct vipd *dd, const struct conf *nc, char *err,
                     size_t errlen)
{
	static char plan;

	(void)dd, (void)nc;
	if (!fail_checks)
		return (struct track_plan *)&plan;
	snprintf(err, errlen, "check db (line 7): unknown user \"nosuch\"");
	return NULL;
}
void
track_plan_free(struct track_plan *p)
{
	(void)p;
}
void
track_reload(struct vipd *dd, struct track_plan *p)
{
	size_t i, j;

	(void)p;
	n_track_reload++;
	for (i = 0; i < dd->ngroups; i++)
		for (j = 0; dd->groups[i] && j < dd->cfg->ngroups; j++)
			if (strcmp(dd->groups[i]->cg.name,
			           dd->cfg->groups[j].name) == 0 &&
			    dd->groups[i]->cg.track == dd->cfg->groups[j].track)
				n_track_fresh++;
}
int
check_election(const struct conf *cfg, char *err, size_t errlen)
{
	(void)cfg, (void)err, (void)errlen;
	return 0;
}

/* ---- the rig */
static char dir[] = "/tmp/vipd-test-reload.XXXXXX";
static char path[256];
static struct vipd d;

/* A config with node id, then group specs "name:vip:priority" ... */
static void
write_conf(const char *node, const char *const *groups, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	fprintf(f, "node = { id = \"%s\"; priority = 100; };\n", node);
	fprintf(f, "cluster = { peers = []; };\n");
	fprintf(f, "control = { socket = \"%s/s\"; };\ngroups = (\n", dir);
	for (i = 0; i < n; i++) {
		char name[32], vip[32];
		unsigned prio;

		sscanf(groups[i], "%31[^:]:%31[^:]:%u", name, vip, &prio);
		fprintf(f,
		        "%s{ name = \"%s\"; interface = \"eth1\"; "
		        "vips = [ \"%s\" ]; priority = %u; }\n",
		        i ? "," : "", name, vip, prio);
	}
	fprintf(f, ");\n");
	fclose(f);
}

static void
rig(void)
{
	static const char *const a[] = {"web:10.0.0.100:100",
	                                "db:10.0.0.101:100"};
	struct conf_errors errs = {NULL, 0};
	struct el_config ec = {"n1", 100, 3, true, 0};
	size_t i;
	char err[256];

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/vipd.conf", dir);
	write_conf("n1", a, 2);
	memset(&d, 0, sizeof(d));
	d.opts.conf_path = path;
	d.cfg = conf_load(path, NULL, &errs);
	if (d.cfg == NULL) {
		printf("Bail out! %s\n", errs.n ? errs.msg[0] : "conf_load");
		exit(1);
	}
	d.loop = ev_loop_new();
	d.el = el_cluster_new(&ec, 1, 1000);
	d.ngroups = d.cfg->ngroups;
	d.groups = calloc(d.ngroups, sizeof(*d.groups));
	for (i = 0; i < d.cfg->ngroups; i++)
		d.groups[i] =
		    group_new(&d, &d.cfg->groups[i], err, sizeof(err));
}

static void
test_diff(void)
{
	static const char *const b[] = {
	    "web:10.0.0.100:150", "db:10.0.0.102:100", "api:10.0.0.103:100"};
	static const char *const b2[] = {
	    "web:10.0.0.100:150", "db:10.0.0.102:100", "api:10.0.0.103:100"};
	json_t *rep = json_object();
	char msg[256], *js;

	/* Marks in runtime state: a kept group keeps its object and so its
	 * mark; a re-created one is a fresh object (the allocator may well
	 * hand it the old one's address, so addresses prove nothing). */
	group_find(&d, "web")->first_round_ms = 777;
	group_find(&d, "db")->first_round_ms = 888;
	write_conf("n1", b, 3);
	n_new = n_free = n_update = n_pin_down = n_drop = n_gupdate = 0;
	n_drop_expected = 2;
	is_int(vipd_reload_report(&d, NULL, rep, msg, sizeof(msg)), 0,
	       "reload applies");
	is_str(msg,
	       "configuration reloaded: 1 group added, 0 removed, 2 changed "
	       "in place, 0 kept",
	       "the summary counts added, removed, changed and kept groups");
	ok(group_find(&d, "web") != NULL &&
	       group_find(&d, "web")->first_round_ms == 777,
	   "web (priority changed) is the same object: its state is kept");
	is_int(group_find(&d, "web")->cg.priority, 150,
	       "... with the new priority");
	ok(group_find(&d, "db") != NULL &&
	       group_find(&d, "db")->first_round_ms == 888,
	   "db (VIP changed) is the same object too: changed in place");
	is_int(n_pin_down, 0, "... nothing was taken down");
	is_int(n_drop, 2, "both went through the drop pass");
	is_int(n_gupdate, 2, "... then were updated");
	ok(group_find(&d, "api") != NULL, "api is added");
	is_int(n_new, 1, "one group made (api)");
	is_int(n_free, 0, "none freed");
	js = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
	is_str(js,
	       "{\"added\":[\"api\"],\"changed\":[{\"group\":\"web\","
	       "\"priority_from\":100,\"priority_to\":150,\"vips_added\":0,"
	       "\"vips_removed\":0,\"what\":[\"priority\"]},{\"group\":"
	       "\"db\",\"priority_from\":100,\"priority_to\":100,"
	       "\"vips_added\":1,\"vips_removed\":1,\"what\":[\"vips\"]}]}",
	       "the report: api added, web's priority, db's VIPs");
	free(js);
	json_decref(rep);
	is_int(d.ctr[CTL_DC_RELOADS], 1, "reloads 1");
	is_int(d.ctr[CTL_DC_RELOAD_FAILURES], 0, "no failure");

	/* The same file again: nothing is touched. */
	write_conf("n1", b2, 3);
	n_drop = n_gupdate = n_new = n_free = 0;
	n_drop_expected = 0;
	is_int(vipd_reload(&d, NULL, msg, sizeof(msg)), 0, "same file again");
	is_str(msg,
	       "configuration reloaded: 0 groups added, 0 removed, 0 changed "
	       "in place, 3 kept",
	       "... every group kept");
	ok(n_drop + n_gupdate + n_new + n_free == 0, "... and none touched");
	ok(group_find(&d, "web")->cg.vips == d.cfg->groups[0].vips,
	   "a kept group's VIPs point into the new config");
}

static void
test_refused(void)
{
	static const char *const c[] = {"web:10.0.0.100:150"};
	struct conf_errors errs = {NULL, 0};
	const struct conf *before = d.cfg;
	FILE *f;
	char msg[512];

	write_conf("n9", c, 1);
	n_new = n_free = 0;
	is_int(vipd_reload(&d, NULL, msg, sizeof(msg)), -1,
	       "a new node id is refused");
	is_str(msg,
	       "node.id cannot change on reload; restart vipd; keeping the "
	       "running configuration",
	       "... saying so");
	ok(d.cfg == before && n_new == 0 && n_free == 0,
	   "... and nothing changed");
	ok(group_find(&d, "api") != NULL, "api still runs");

	f = fopen(path, "w");
	fprintf(f, "node = { id = \"n1\"; };\ngroups = ( { name = ; } );\n");
	fclose(f);
	is_int(vipd_reload(&d, &errs, msg, sizeof(msg)), -1,
	       "a broken file is refused");
	ok(errs.n >= 1 && strncmp(errs.msg[0], path, strlen(path)) == 0 &&
	       strstr(errs.msg[0], ":2: ") != NULL,
	   "its error names file:line (%s)", errs.n ? errs.msg[0] : "none");
	ok(strstr(msg, "keeping the running configuration") != NULL,
	   "the running configuration is kept");
	ok(d.cfg == before, "... the very same one");
	is_int(d.ctr[CTL_DC_RELOAD_FAILURES], 2, "reload_failures 2");
	conf_errors_clear(&errs);

	/* Checks that cannot be made (an exec user vipd cannot switch to):
	 * refused as a whole, before any group, peer or timing changes. */
	write_conf("n1", c, 1);
	fail_checks = true;
	n_new = n_free = n_drop = n_gupdate = n_flush = n_track_reload = 0;
	is_int(vipd_reload(&d, NULL, msg, sizeof(msg)), -1,
	       "checks that cannot be made: the reload is refused");
	is_str(msg,
	       "check db (line 7): unknown user \"nosuch\"; keeping the "
	       "running configuration",
	       "... saying why");
	ok(d.cfg == before &&
	       n_new + n_free + n_drop + n_gupdate + n_flush + n_track_reload ==
	           0,
	   "... and nothing of it was applied");
	ok(group_find(&d, "api") != NULL && group_find(&d, "db") != NULL,
	   "... every group still runs");
	is_int(d.ctr[CTL_DC_RELOAD_FAILURES], 3, "reload_failures 3");
	fail_checks = false;

	/* The CPU scheduling is set once, at start-up. */
	write_conf("n1", c, 1);
	f = fopen(path, "a");
	fprintf(f, "process = { realtime_priority = 10; };\n");
	fclose(f);
	n_new = n_free = 0;
	is_int(vipd_reload(&d, NULL, msg, sizeof(msg)), -1,
	       "a new process.realtime_priority is refused");
	is_str(msg,
	       "process.realtime_priority cannot change on reload; restart "
	       "vipd; keeping the running configuration",
	       "... naming the key");
	ok(d.cfg == before && n_new == 0 && n_free == 0,
	   "... and nothing changed");
	write_conf("n1", c, 1);
	f = fopen(path, "a");
	fprintf(f, "process = { nice = -5; };\n");
	fclose(f);
	is_int(vipd_reload(&d, NULL, msg, sizeof(msg)), -1,
	       "a new process.nice is refused");
	is_str(msg,
	       "process.nice cannot change on reload; restart vipd; keeping "
	       "the running configuration",
	       "... naming the key");
}

static void
test_removed(void)
{
	static const char *const e[] = {"web:10.0.0.100:150"};
	char msg[256];
	size_t i, live = 0;

	write_conf("n1", e, 1);
	n_new = n_free = 0;
	is_int(vipd_reload(&d, NULL, msg, sizeof(msg)), 0,
	       "reload with two groups gone");
	is_str(msg,
	       "configuration reloaded: 0 groups added, 2 removed, 0 changed "
	       "in place, 1 kept",
	       "summary: web kept, db and api removed");
	for (i = 0; i < d.ngroups; i++)
		live += d.groups[i] != NULL;
	ok(live == 1 && group_find(&d, "web") != NULL, "only web is left");
	is_int(n_free, 2, "db and api freed");
}

/* web and db, with checks and notify settings as given. */
static void
write_tracked(const char *web_track, const char *web_notify,
              const char *db_notify)
{
	FILE *f = fopen(path, "w");

	fprintf(f, "node = { id = \"n1\"; priority = 100; };\n");
	fprintf(f, "cluster = { peers = []; };\n");
	fprintf(f, "control = { socket = \"%s/s\"; };\n", dir);
	fprintf(f, "notify = \"/bin/true\";\n");
	fprintf(f, "checks = ( { name = \"a\"; file = \"/a\"; },\n"
	           "  { name = \"b\"; file = \"/b\"; weight = -10; } );\n");
	fprintf(f,
	        "groups = (\n{ name = \"web\"; interface = \"eth1\"; "
	        "vips = [ \"10.0.0.100\" ]; priority = 150; "
	        "track = [ %s ]; %s },\n",
	        web_track, web_notify);
	fprintf(f,
	        "{ name = \"db\"; interface = \"eth1\"; "
	        "vips = [ \"10.0.0.101\" ]; priority = 100; %s }\n);\n",
	        db_notify);
	fclose(f);
}

/* Reload, drops groups expected in the drop pass; the report as JSON. */
static char *
reload_json(unsigned drops, char *msg, size_t len)
{
	json_t *rep = json_object();
	char *js;

	n_drop_expected = drops;
	n_drop = 0;
	if (vipd_reload_report(&d, NULL, rep, msg, len) != 0)
		strcpy(msg, "reload failed");
	js = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(rep);
	return js;
}

static void
test_track_notify(void)
{
	struct vgroup *web, *db;
	char msg[256], *js;

	write_tracked("\"a\"", "", "");
	free(reload_json(1, msg, sizeof(msg)));
	web = group_find(&d, "web");
	db = group_find(&d, "db");
	if (!ok(web != NULL && db != NULL, "web and db run"))
		return;
	web->first_round_ms = 555;
	db->first_round_ms = 666;

	/* web tracks one more check; db gets its own notify script. */
	write_tracked("\"a\", \"b\"", "",
	              "notify = \"/usr/bin/true\"; notify_timeout_ms = 500;");
	n_track_reload = n_track_fresh = n_gupdate = 0;
	js = reload_json(2, msg, sizeof(msg));
	is_str(msg,
	       "configuration reloaded: 0 groups added, 0 removed, 2 changed "
	       "in place, 0 kept",
	       "a track or notify change is a change, not kept");
	is_str(js,
	       "{\"changed\":[{\"group\":\"web\",\"priority_from\":150,"
	       "\"priority_to\":150,\"vips_added\":0,\"vips_removed\":0,"
	       "\"what\":[\"track\"]},{\"group\":\"db\",\"priority_from\":"
	       "100,\"priority_to\":100,\"vips_added\":0,\"vips_removed\":0,"
	       "\"what\":[\"notify\"]}]}",
	       "the report: web's track, db's notify");
	free(js);
	is_int(n_gupdate, 2, "both updated in place");
	ok(group_find(&d, "web") == web && web->first_round_ms == 555 &&
	       group_find(&d, "db") == db && db->first_round_ms == 666,
	   "... the same objects: state kept");
	is_int(web->cg.ntrack, 2, "web tracks two checks now");
	is_str(db->cg.notify, "/usr/bin/true", "db's notify script is new");
	is_int(db->cg.notify_timeout_ms, 500, "... and its timeout");
	is_int(n_track_reload, 1, "tracking re-evaluated once");
	is_int(n_track_fresh, 2, "... with every group's new track list");

	/* A check's default weight changes web's tracking: track.  The
	 * top-level notify changes web's effective script: notify.  db's
	 * own script hides the default: db is kept. */
	write_tracked("\"a\", { check = \"b\"; weight = -20; }", "",
	              "notify = \"/usr/bin/true\"; notify_timeout_ms = 500;");
	js = reload_json(1, msg, sizeof(msg));
	ok(strstr(js, "\"what\":[\"track\"]") != NULL &&
	       strstr(js, "\"kept\":[\"db\"]") != NULL,
	   "a weight changed: track; db kept (%s)", js);
	free(js);
	write_tracked("\"a\", { check = \"b\"; weight = -20; }",
	              "notify = \"\";",
	              "notify = \"/usr/bin/true\"; notify_timeout_ms = 500;");
	js = reload_json(1, msg, sizeof(msg));
	ok(strstr(js, "\"what\":[\"notify\"]") != NULL &&
	       strstr(js, "\"kept\":[\"db\"]") != NULL,
	   "web's notify turned off: notify; db kept (%s)", js);
	free(js);
	is_str(web->cg.notify, "", "web runs no script now");
	js = reload_json(0, msg, sizeof(msg));
	is_str(msg,
	       "configuration reloaded: 0 groups added, 0 removed, 0 changed "
	       "in place, 2 kept",
	       "the same file again: both kept");
	free(js);
}

int
main(void)
{
	size_t i;

	log_init(true, 0, "test_reload");
	rig();
	test_diff();
	test_refused();
	test_removed();
	test_track_notify();
	for (i = 0; i < d.ngroups; i++)
		group_free(d.groups[i]);
	free(d.groups);
	conf_free(d.cfg);
	el_cluster_free(d.el);
	ev_loop_free(d.loop);
	unlink(path);
	rmdir(dir);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
