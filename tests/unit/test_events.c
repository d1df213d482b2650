/*
 * The event history (announcer/events.c) without a daemon: the ring keeps
 * the last EVENTS_CAPACITY entries in order, 10,000 events do not grow
 * memory, the JSON of an entry, and vipd_event streams to watchers only
 * when there are some.  ctl.c and status.c are replaced by fakes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vipd.h"

/* ---- fakes: the control server (ctl.c) and status.c */
static size_t fake_watchers;
static char last_line[1024];
static unsigned n_broadcast;

size_t
ctlsrv_watchers(const struct ctlsrv *c)
{
	(void)c;
	return fake_watchers;
}
void
ctlsrv_broadcast(struct ctlsrv *c, const char *line, size_t len)
{
	(void)c;
	n_broadcast++;
	snprintf(last_line, sizeof(last_line), "%.*s", (int)len, line);
}
enum ctl_state
status_state(enum el_state s)
{
	return s == EL_ST_LEADER ? CTL_ST_LEADER : CTL_ST_BACKUP;
}

/* Under AddressSanitizer, freed blocks wait in a quarantine (256 MB by
 * default) and would show as growth of VmRSS: none here, so that the
 * measure sees what the ring itself keeps.  Leaks are still reported. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "quarantine_size_mb=0";
}

void
notify_group_state(struct vgroup *g, enum el_state to, const char *why)
{
	(void)g, (void)to, (void)why;
}

/* Resident memory in kB (/proc/self/status VmRSS), -1 if unknown. */
static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void
test_ring(void)
{
	struct events *ev = events_new(4);
	size_t i;

	ok(events_new(0) == NULL, "capacity 0 refused");
	ok(ev != NULL, "a ring of 4");
	is_int(events_len(ev), 0, "empty");
	ok(events_at(ev, 0) == NULL, "no entry 0 when empty");
	for (i = 1; i <= 6; i++) {
		char r[16];

		snprintf(r, sizeof(r), "r%zu", i);
		events_push(ev, 1000 + i, EVK_STATE, "web", CTL_ST_BACKUP,
		            CTL_ST_LEADER, r);
	}
	is_int(events_len(ev), 4, "full at 4");
	is_int(events_total(ev), 6, "6 pushed");
	is_int(events_at(ev, 0)->seq, 3, "oldest kept is seq 3");
	is_str(events_at(ev, 0)->reason, "r3", "... its reason");
	is_int(events_at(ev, 3)->seq, 6, "newest is seq 6");
	is_int(events_at(ev, 3)->mono_ms, 1006, "... its time");
	ok(events_at(ev, 4) == NULL, "past the end: NULL");
	events_free(ev);
	events_free(NULL);
}

static void
test_json(void)
{
	struct events *ev = events_new(8);
	const struct events_entry *e;
	json_t *o, *all;
	char *line;

	e = events_push(ev, 5, EVK_TAKEOVER, "web", -1, -1, "n2 missed 3");
	o = events_entry_json(e);
	line = ctl_json_line(o, NULL);
	ok(line && strstr(line, "\"seq\":1,\"time\":\"") == line + 1,
	   "entry JSON starts with seq and time");
	ok(line && strstr(line, "\"kind\":\"takeover\",\"group\":\"web\","
	                        "\"from\":null,\"to\":null,"
	                        "\"reason\":\"n2 missed 3\"}\n") != NULL,
	   "kind, group, null states, reason");
	free(line);
	json_decref(o);
	e = events_push(ev, 6, EVK_STATE, NULL, CTL_ST_BACKUP, CTL_ST_LEADER,
	                "x");
	o = events_entry_json(e);
	is_str(ctl_json_get_str(o, "from", ""), "backup", "from named");
	is_str(ctl_json_get_str(o, "to", ""), "leader", "to named");
	is_str(ctl_json_get_str(o, "group", "?"), "", "no group: \"\"");
	json_decref(o);
	all = events_json(ev);
	ok(ctl_json_get_bool(all, "ok", false), "events answer ok");
	is_int(ctl_json_get_int(all, "capacity", 0), 8, "capacity");
	is_int(ctl_json_get_int(all, "total", 0), 2, "total");
	is_int(json_array_size(json_object_get(all, "events")), 2,
	       "two entries");
	json_decref(all);
	is_str(events_kind_name(EVK_NOTIFY_FAILED), "notify_failed",
	       "kind names");
	is_str(events_kind_name(EVK_MAX), "?", "unknown kind");
	events_free(ev);
}

/* 10,000 events through vipd_event (with a watcher) into the daemon's
 * ring: bounded, and resident memory does not grow. */
static void
test_bounded(void)
{
	struct vipd d;
	long before, after;
	int i;

	memset(&d, 0, sizeof(d));
	d.loop = ev_loop_new();
	d.events = events_new(EVENTS_CAPACITY);
	fake_watchers = 1;
	/* Fill the ring, and the allocator's caches, first: what is
	 * measured is the steady state. */
	for (i = 0; i < 2000; i++)
		vipd_event(&d, EVK_STALL, NULL, -1, -1, "warm-up %d: %0200d", i,
		           i);
	before = rss_kb();
	for (i = 0; i < 10000; i++)
		vipd_event(&d, EVK_CHECK, NULL, -1, -1, "check %d: %0200d", i,
		           i);
	after = rss_kb();
	is_int(events_len(d.events), EVENTS_CAPACITY, "ring stays at capacity");
	is_int(events_total(d.events), 2000 + 10000, "all counted");
	is_int(d.ctr[CTL_DC_EVENTS], 2000 + 10000, "events counter");
	is_int(n_broadcast, 2000 + 10000, "each one streamed");
	ok(strstr(last_line, "check 9999") != NULL, "last line streamed");
	ok(before > 0 && after - before < 256,
	   "10,000 events: VmRSS %ld kB -> %ld kB (< 256 kB growth)", before,
	   after);
	fake_watchers = 0;
	vipd_event(&d, EVK_RELOAD, NULL, -1, -1, "no watcher");
	is_int(n_broadcast, 2000 + 10000,
	       "no watcher: nothing built or streamed");
	events_free(d.events);
	ev_loop_free(d.loop);
}

int
main(void)
{
	test_ring();
	test_json();
	test_bounded();
	return tap_done();
}
