/*
 * Group state application (announcer/group.c) without root: the real group
 * code, election and VIP map, with the announcer and the routing pin
 * replaced by fakes that record what group.c asks of them.  Checks the
 * order of the takeover (bind, then announce) and of the release (stop
 * answering, then unbind), the conflict-probe deferral, re-announcements
 * only while leading, the transition text, counters and faults; and the
 * in-place change a reload makes (announcer/group_update.c): VIPs added
 * last with their own burst, removed ones out of the map, indexes in the
 * map following, tunables alone leaving the filter and the pin alone.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vipd.h"

static char calls[512]; /* "pin_up announce_start ..." */
static struct port fake_port;
static int fake_pin; /* its address is the fake pin_group handle */

static void
call(const char *what)
{
	size_t n = strlen(calls);

	snprintf(calls + n, sizeof(calls) - n, "%s%s", n ? " " : "", what);
}

/* ---- fakes: the event history (events.c) */
static unsigned n_events[EVK_MAX], n_state_events;

void
vipd_event(struct vipd *d, enum events_kind kind, const struct vgroup *g,
           int from, int to, const char *fmt, ...)
{
	(void)d, (void)g, (void)from, (void)to, (void)fmt;
	n_events[kind]++;
}
void
events_group_state(struct vgroup *g, enum el_state from, enum el_state to,
                   const char *why)
{
	(void)g, (void)from, (void)to, (void)why;
	n_state_events++;
}

/* ---- fakes: the L2 policy (announce.c) */
void
announce_start(struct vgroup *g)
{
	(void)g;
	call("announce_start");
}
void
announce_stop(struct vgroup *g)
{
	(void)g;
	call("announce_stop");
}
void
announce_reannounce(struct vgroup *g)
{
	(void)g;
	call("announce_reannounce");
}
void
announce_probe_start(struct vgroup *g)
{
	g->probed = true;
	call("probe_start");
}
void
announce_burst_cb(struct ev_loop *l, struct ev_timer *t, void *a)
{
	(void)l, (void)t, (void)a;
}
void
announce_refresh_cb(struct ev_loop *l, struct ev_timer *t, void *a)
{
	(void)l, (void)t, (void)a;
}
void
announce_probe_cb(struct ev_loop *l, struct ev_timer *t, void *a)
{
	(void)l, (void)t, (void)a;
}
void
announce_reprobe_cb(struct ev_loop *l, struct ev_timer *t, void *a)
{
	(void)l, (void)t, (void)a;
}
void
announce_defend_cb(struct ev_loop *l, struct ev_timer *t, void *a)
{
	(void)l, (void)t, (void)a;
}

void
announce_added(struct vgroup *g, size_t first)
{
	char b[32];

	snprintf(b, sizeof(b), "added %zu", first);
	(void)g;
	call(b);
}

/* ---- fakes: ports (port.c) */
void
port_refresh_filter(struct port *p)
{
	p->filter_dirty = false;
	call("filter");
}
struct port *
port_get(struct vipd *d, const char *ifname)
{
	fake_port.d = d;
	snprintf(fake_port.ifname, sizeof(fake_port.ifname), "%s", ifname);
	fake_port.refs++;
	return &fake_port;
}
void
port_put(struct port *p)
{
	p->refs--;
}
enum group_fault
port_fault(const struct port *p, const char **text)
{
	*text = "";
	if (!p->present) {
		*text = "interface missing";
		return GF_NO_INTERFACE;
	}
	return GF_NONE;
}
void
port_pin_link(const struct port *p, struct pin_link *out)
{
	(void)p;
	memset(out, 0, sizeof(*out));
}

/* ---- fakes: the routing pin (pin/) */
struct pin_group *
pin_group_new(struct pin *pin, const struct pin_group_conf *gc,
              const struct pin_link *link, void *owner)
{
	(void)pin, (void)gc, (void)link, (void)owner;
	return (struct pin_group *)&fake_pin;
}
void
pin_group_free(struct pin_group *pg)
{
	(void)pg;
}
void
pin_group_set_fault(struct pin_group *pg, enum pin_fault f)
{
	(void)pg;
	call(f == PIN_FAULT_NONE ? "pin_fault_none" : "pin_fault");
}
void
pin_group_check(struct pin_group *pg)
{
	(void)pg;
}
int
pin_group_up(struct pin_group *pg)
{
	(void)pg;
	call("pin_up");
	return 0;
}
void
pin_group_down(struct pin_group *pg)
{
	(void)pg;
	call("pin_down");
}
int
pin_route_up(struct pin_group *pg)
{
	(void)pg;
	call("route_up");
	return 0;
}

int
pin_group_update(struct pin_group *pg, const struct pin_group_conf *gc,
                 const struct pin_link *link, bool up)
{
	char b[32];

	(void)pg, (void)link;
	snprintf(b, sizeof(b), "pin_update %zu%s", gc->nvips, up ? " up" : "");
	call(b);
	return 0;
}
void
pin_vip_set_yielded(struct pin_group *pg, size_t i, bool yielded)
{
	(void)pg, (void)i, (void)yielded;
}

/* ---- fakes: the root (daemon.c) */
void
vipd_el_flush(struct vipd *dd)
{
	(void)dd;
	call("el_flush");
}

/* ---- the rig: a root with a real loop, election and map */
static struct vipd d;
static struct conf_addr vip_conf;

static struct vgroup *
rig(bool present)
{
	struct el_config ec = {"me", 100, 3, false, 0};
	struct conf_group cg;
	char err[256];
	struct vgroup *g;

	memset(&d, 0, sizeof(d));
	memset(&fake_port, 0, sizeof(fake_port));
	/* Each test counts its own events. */
	memset(n_events, 0, sizeof(n_events));
	n_state_events = 0;
	fake_port.present = present;
	fake_port.oper_up = present;
	d.loop = ev_loop_new();
	d.el = el_cluster_new(&ec, 1, 1000);
	d.map = vipmap_new();
	d.groups = calloc(1, sizeof(*d.groups));
	d.ngroups = 1;
	memset(&cg, 0, sizeof(cg));
	snprintf(cg.name, sizeof(cg.name), "web");
	snprintf(cg.interface, sizeof(cg.interface), "eth1");
	vip_conf.family = AF_INET;
	memcpy(vip_conf.a, "\x0a\x00\x00\x64", 4);
	cg.vips = &vip_conf;
	cg.nvips = 1;
	cg.priority = 100;
	cg.preempt = true;
	calls[0] = '\0';
	g = group_new(&d, &cg, err, sizeof(err));
	if (g == NULL) {
		printf("Bail out! group_new: %s\n", err);
		exit(1);
	}
	d.groups[0] = g;
	return g;
}

static void
unrig(struct vgroup *g)
{
	group_free(g);
	free(d.groups);
	vipmap_free(d.map);
	el_cluster_free(d.el);
	ev_loop_free(d.loop);
}

static struct el_event
event(enum el_state from, enum el_state to, enum el_action a, enum el_reason r,
      const char *peer)
{
	struct el_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.from = from;
	ev.to = to;
	ev.action = a;
	ev.reason = r;
	snprintf(ev.peer, sizeof(ev.peer), "%s", peer);
	ev.missed = 3;
	return ev;
}

static void
test_takeover_release(void)
{
	struct vgroup *g = rig(true);
	struct el_event ev;

	is_str(calls, "probe_start", "a new usable group starts its probe");
	ok(vipmap_find(d.map, &g->vips[0].addr, NULL) == g,
	   "its VIP is in the daemon's map");
	g->probe_until = 0; /* the probe window is over */
	calls[0] = '\0';
	ev = event(EL_ST_BACKUP, EL_ST_LEADER, EL_ACT_TAKEOVER,
	           EL_R_LEADER_DEAD, "n2");
	group_apply(g, &ev);
	is_str(calls, "pin_up announce_start",
	       "takeover: bind first, then announce");
	ok(g->leading, "leading (answering)");
	is_int(g->ctr[CTL_GC_TAKEOVERS], 1, "takeovers 1");
	is_str(g->last_text, "n2 missed 3 heartbeats",
	       "the transition's reason in words");
	calls[0] = '\0';
	group_apply(g, &ev);
	is_str(calls, "", "a second takeover while leading does nothing");
	is_int(g->ctr[CTL_GC_TAKEOVERS], 1, "... and counts nothing");
	ev = event(EL_ST_LEADER, EL_ST_LEADER, EL_ACT_REANNOUNCE,
	           EL_R_PEER_RETURNED, "n3");
	group_apply(g, &ev);
	is_str(calls, "announce_reannounce", "re-announce while leading");
	is_str(g->last_text, "n2 missed 3 heartbeats",
	       "no state change: the last transition's text stays");
	calls[0] = '\0';
	ev = event(EL_ST_LEADER, EL_ST_BACKUP, EL_ACT_RELEASE, EL_R_PREEMPTED,
	           "n2");
	group_apply(g, &ev);
	is_str(calls, "announce_stop pin_down",
	       "release: stop answering first, then unbind");
	ok(!g->leading, "not leading");
	is_int(g->ctr[CTL_GC_RELEASES], 1, "releases 1");
	is_str(g->last_text, "n2 ranks higher and took over", "release text");
	is_int(n_events[EVK_TAKEOVER], 1, "events: one takeover recorded");
	is_int(n_events[EVK_RELEASE], 1, "events: one release recorded");
	is_int(n_state_events, 3,
	       "events: every from != to applied is recorded");
	calls[0] = '\0';
	ev = event(EL_ST_BACKUP, EL_ST_BACKUP, EL_ACT_REANNOUNCE,
	           EL_R_PEER_RETURNED, "n3");
	group_apply(g, &ev);
	ev = event(EL_ST_BACKUP, EL_ST_BACKUP, EL_ACT_RELEASE, EL_R_NONE, "");
	group_apply(g, &ev);
	is_str(calls, "", "neither re-announce nor release while not leading");
	unrig(g);
}

/* A handover we asked for is done (resign-done): stop answering at once,
 * keep the VIPs on lo one interval more, then unbind; taken back
 * meanwhile, they stay. */
static void
test_handover_hold(void)
{
	struct vgroup *g = rig(true);
	struct conf cfg;
	struct el_event ev;
	int i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.interval_ms = 20;
	d.cfg = &cfg;
	g->probe_until = 0;
	ev = event(EL_ST_BACKUP, EL_ST_LEADER, EL_ACT_TAKEOVER,
	           EL_R_LEADER_DEAD, "n2");
	group_apply(g, &ev);
	calls[0] = '\0';
	ev = event(EL_ST_RESIGNING, EL_ST_BACKUP, EL_ACT_RELEASE,
	           EL_R_RESIGN_DONE, "n2");
	group_apply(g, &ev);
	is_str(calls, "announce_stop",
	       "handed over: stop answering, the VIPs stay bound");
	ok(!g->leading && group_holding(g), "... holding them");
	for (i = 0; i < 20 && group_holding(g); i++)
		ev_loop_run_once(d.loop, 50);
	is_str(calls, "announce_stop pin_down el_flush",
	       "an interval later: unbound (and a waiting stop checked)");
	ok(!group_holding(g), "... no longer holding");
	ev = event(EL_ST_BACKUP, EL_ST_LEADER, EL_ACT_TAKEOVER,
	           EL_R_LEADER_DEAD, "n2");
	group_apply(g, &ev);
	ev = event(EL_ST_RESIGNING, EL_ST_BACKUP, EL_ACT_RELEASE,
	           EL_R_RESIGN_DONE, "n2");
	group_apply(g, &ev);
	calls[0] = '\0';
	ev = event(EL_ST_BACKUP, EL_ST_LEADER, EL_ACT_TAKEOVER,
	           EL_R_LEADER_DEAD, "n2");
	group_apply(g, &ev);
	ok(!group_holding(g) && g->leading,
	   "taken back while holding: leading, the hold cancelled");
	is_str(calls, "pin_up announce_start",
	       "... bound (again) and announced");
	g->cg.bind = CONF_BIND_INTERFACE;
	calls[0] = '\0';
	ev = event(EL_ST_RESIGNING, EL_ST_BACKUP, EL_ACT_RELEASE,
	           EL_R_RESIGN_DONE, "n2");
	group_apply(g, &ev);
	is_str(
	    calls, "announce_stop pin_down",
	    "bind = interface: unbound at once (the kernel would answer ARP)");
	unrig(g);
}

static void
test_probe_deferral(void)
{
	struct vgroup *g = rig(true);
	struct el_event ev;

	g->probe_until = 5000; /* the conflict probe is still listening */
	calls[0] = '\0';
	ev = event(EL_ST_BACKUP, EL_ST_LEADER, EL_ACT_TAKEOVER, EL_R_NO_LEADER,
	           "");
	group_apply(g, &ev);
	is_str(calls, "", "takeover during the probe window: nothing yet");
	ok(g->takeover_pending && !g->leading, "... it is pending");
	is_str(g->last_text, "no leader heard after start-up", "reason text");
	g->probe_until = 0;
	group_takeover_now(g);
	is_str(calls, "pin_up announce_start",
	       "the window closed: the takeover runs");
	ok(!g->takeover_pending && g->leading, "leading, nothing pending");
	calls[0] = '\0';
	g->probe_until = 5000;
	g->leading = false;
	ev = event(EL_ST_BACKUP, EL_ST_LEADER, EL_ACT_TAKEOVER, EL_R_PREEMPT,
	           "n2");
	group_apply(g, &ev);
	ev = event(EL_ST_LEADER, EL_ST_BACKUP, EL_ACT_RELEASE, EL_R_SPLIT_YIELD,
	           "n2");
	group_apply(g, &ev);
	ok(!g->takeover_pending, "a release cancels a pending takeover");
	is_str(calls, "", "... without touching the pin or the wire");
	unrig(g);
}

static void
test_faults(void)
{
	struct vgroup *g = rig(false);
	struct el_group_info gi;

	is_int(g->fault, GF_NO_INTERFACE, "no interface: fault at creation");
	is_str(calls, "pin_fault", "the pin is told");
	ok(!g->probed, "no probe while in fault");
	el_cluster_group_info(d.el, g->el_idx, 1000, &gi);
	is_int(gi.state, EL_ST_FAULT, "the election has the group in fault");
	calls[0] = '\0';
	group_set_fault(g, GF_NO_INTERFACE, "interface missing");
	is_str(calls, "", "the same fault again changes nothing");
	group_set_fault(g, GF_NONE, "");
	ok(n_events[EVK_FAULT] == 1 && n_events[EVK_FAULT_CLEARED] == 1,
	   "events: fault set once, cleared once");
	is_str(calls, "pin_fault_none probe_start",
	       "fault cleared: the pin is told, the probe starts");
	el_cluster_group_info(d.el, g->el_idx, 1000, &gi);
	ok(gi.state != EL_ST_FAULT, "the election has it out of fault");
	ok(group_find(&d, "web") == g, "group_find by name");
	ok(group_find(&d, "db") == NULL, "group_find of an unknown name");
	unrig(g);
}

/* State changes counted by reason (vipd_transitions_total), not the
 * events that leave the state as it was; the fault names are ctlproto's. */
static void
test_transition_counts(void)
{
	struct vgroup *g = rig(true);
	struct el_event ev;
	int r;

	g->probe_until = 0;
	ev = event(EL_ST_BACKUP, EL_ST_LEADER, EL_ACT_TAKEOVER,
	           EL_R_LEADER_UNREACHABLE, "n2");
	group_apply(g, &ev);
	ev = event(EL_ST_LEADER, EL_ST_LEADER, EL_ACT_REANNOUNCE,
	           EL_R_SPLIT_WIN, "n3");
	group_apply(g, &ev);
	ev = event(EL_ST_LEADER, EL_ST_BACKUP, EL_ACT_RELEASE, EL_R_PREEMPTED,
	           "n2");
	group_apply(g, &ev);
	is_int(g->trans[CTL_TR_LEADER_LOST], 1,
	       "leader unreachable: leader_lost");
	is_int(g->trans[CTL_TR_PREEMPT], 1, "preempted: preempt");
	is_int(g->trans[CTL_TR_TWO_LEADERS], 0,
	       "a re-announce in the same state is not a transition");
	for (r = 0; r < EL_REASON_MAX; r++)
		if (group_transition_reason(r) >= CTL_TR_MAX)
			break;
	is_int(r, EL_REASON_MAX, "every election reason folds into the set");
	is_int(group_transition_reason(EL_R_STALL_REASSERT), CTL_TR_STALL,
	       "stall reassert: stall");
	is_int(group_transition_reason(EL_R_NO_LEADER), CTL_TR_STARTUP,
	       "no leader at start-up: startup");
	is_str(group_fault_name(GF_L2), ctl_fault_name(CTL_FAULT_CAPTURE),
	       "fault names are ctlproto's");
	is_str(group_fault_name(GF_NONE), "", "no fault: \"\"");
	unrig(g);
}

static struct conf_addr
v4(uint8_t last)
{
	struct conf_addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	memcpy(a.a, "\x0a\x00\x00", 3);
	a.a[3] = last;
	return a;
}

static void
test_update(void)
{
	struct vgroup *g = rig(true);
	struct conf_addr three[3] = {v4(101), v4(100), v4(102)};
	struct conf_addr two[2] = {v4(101), v4(102)};
	struct conf_group cg = g->cg;
	struct group_change ch;
	struct net_addr a;
	char err[256];
	size_t idx;

	g->probe_until = 0;
	group_takeover_now(g);
	cg.vips = three;
	cg.nvips = 3;
	cg.priority = 150;
	ok(group_diff(g, &cg, &ch), "two VIPs and the priority: changed");
	ok(ch.vips_added == 2 && ch.vips_removed == 0 && ch.prio_from == 100 &&
	       ch.prio_to == 150 && !ch.garp && !ch.bind && !ch.route,
	   "... +2 -0, priority 100 -> 150, nothing else");
	calls[0] = '\0';
	group_vips_drop(g, &cg);
	is_str(calls, "", "nothing to drop: nothing done");
	is_int(group_update(g, &cg, err, sizeof(err)), 0, "update applies");
	is_str(calls, "filter pin_update 3 up added 1",
	       "filter first, then the pin (bound: leading), then a burst for "
	       "the added VIPs only");
	a = vipd_addr(&three[1]);
	ok(g->nvips == 3 && net_addr_eq(&g->vips[0].addr, &a),
	   "the kept VIP stays first");
	a = vipd_addr(&three[0]);
	ok(vipmap_find(d.map, &a, &idx) == g && idx == 1,
	   "an added VIP is in the map at its index");
	ok(g->leading && g->ctr[CTL_GC_TAKEOVERS] == 1,
	   "still leading, no new takeover");
	is_int(g->cg.priority, 150, "the new priority");

	cg.vips = two;
	cg.nvips = 2;
	ok(group_diff(g, &cg, &ch) && ch.vips_removed == 1 &&
	       ch.vips_added == 0,
	   "one VIP less: -1");
	calls[0] = '\0';
	group_vips_drop(g, &cg);
	is_str(calls, "filter pin_update 2 up",
	       "the drop pass: out of the filter, unbound");
	a = vipd_addr(&three[1]);
	ok(vipmap_find(d.map, &a, NULL) == NULL, "the removed VIP is unmapped");
	a = vipd_addr(&two[0]);
	ok(vipmap_find(d.map, &a, &idx) == g && idx == 0,
	   "the others' indexes follow");
	calls[0] = '\0';
	is_int(group_update(g, &cg, err, sizeof(err)), 0, "then the update");
	is_str(calls, "", "... has nothing left to do");
	ok(g->cg.vips == two, "... but the group's VIPs point to the new conf");

	cg.priority = 120;
	cg.preempt_delay_ms = 500;
	calls[0] = '\0';
	is_int(group_update(g, &cg, err, sizeof(err)), 0, "tunables alone");
	is_str(calls, "", "... touch neither the filter nor the pin");
	is_int(g->cg.preempt_delay_ms, 500, "... and apply");

	snprintf(cg.interface, sizeof(cg.interface), "eth2");
	calls[0] = '\0';
	is_int(group_update(g, &cg, err, sizeof(err)), 0, "a new interface");
	is_str(calls, "filter pin_update 2 up announce_start",
	       "... re-filtered, re-bound there, everything announced anew");
	is_str(fake_port.ifname, "eth2", "... on the new interface's port");
	ok(g->leading && g->ctr[CTL_GC_TAKEOVERS] == 1,
	   "... still leading, no new takeover");
	unrig(g);
}

/* A change of the tracked checks or of the notify settings alone is a
 * change (reported as such) that touches neither the filter, the pin nor
 * the election: the group takes the new settings, where tracking
 * (track_reload) and notify read them. */
static void
test_update_track_notify(void)
{
	struct vgroup *g = rig(true);
	struct conf_track t1[2] = {{0, 0, "web"}, {1, -20, "api"}};
	struct conf_track t2[2] = {{3, 0, "web"}, {5, -20, "api"}};
	struct conf_track t3[2] = {{3, 0, "web"}, {5, -30, "api"}};
	struct conf_group cg = g->cg;
	struct group_change ch;
	char err[256];

	g->probe_until = 0;
	group_takeover_now(g);
	cg.track = t1;
	cg.ntrack = 2;
	ok(group_diff(g, &cg, &ch) && ch.track && !ch.notify &&
	       !ch.vips_added && !ch.vips_removed && ch.prio_from == ch.prio_to,
	   "a track list added: track, nothing else");
	calls[0] = '\0';
	is_int(group_update(g, &cg, err, sizeof(err)), 0, "update applies");
	is_str(calls, "", "... touches neither the filter nor the pin");
	ok(g->cg.track == t1 && g->cg.ntrack == 2, "... the group has it");
	ok(g->leading && g->ctr[CTL_GC_TAKEOVERS] == 1, "... still leading");

	cg.track = t2;
	ok(!group_diff(g, &cg, &ch) && !ch.track,
	   "same names and weights at other indices: unchanged");
	cg.track = t3;
	ok(group_diff(g, &cg, &ch) && ch.track, "a weight changed: track");
	cg.ntrack = 1;
	ok(group_diff(g, &cg, &ch) && ch.track, "one check fewer: track");
	is_int(group_update(g, &cg, err, sizeof(err)), 0, "applied");
	is_int(g->cg.ntrack, 1, "... one tracked");

	snprintf(cg.notify, sizeof(cg.notify), "/bin/true");
	ok(group_diff(g, &cg, &ch) && ch.notify && !ch.track,
	   "a notify script set: notify, nothing else");
	calls[0] = '\0';
	is_int(group_update(g, &cg, err, sizeof(err)), 0, "update applies");
	is_str(calls, "", "... touches neither the filter nor the pin");
	is_str(g->cg.notify, "/bin/true", "... the group has the script");
	cg.notify_timeout_ms = 7000;
	ok(group_diff(g, &cg, &ch) && ch.notify, "its timeout: notify");
	is_int(group_update(g, &cg, err, sizeof(err)), 0, "applied");
	is_int(g->cg.notify_timeout_ms, 7000, "... the group has it");
	ok(!group_diff(g, &cg, &ch), "the same again: unchanged");
	ok(g->leading && g->ctr[CTL_GC_TAKEOVERS] == 1, "still leading");
	unrig(g);
}

int
main(void)
{
	log_init(true, 0, "test_group");
	test_update();
	test_update_track_notify();
	test_takeover_release();
	test_handover_hold();
	test_probe_deferral();
	test_faults();
	test_transition_counts();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
