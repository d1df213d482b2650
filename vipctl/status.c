/* vipctl status (the text summary) and vipctl release (follows the
 * handover to its end). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vipctl.h"

#define RELEASE_WAIT_MS 5000

/* The group's peers, one per line: state, priority, last heard. */
static void
print_group_peers(const json_t *peers)
{
	char seen[48], dur[32];
	size_t i, n = json_array_size(peers);

	printf("  peers       %s", n ? "" : "(none heard)\n");
	for (i = 0; i < n; i++) {
		const json_t *p = json_array_get(peers, i);
		int64_t age = ctl_json_get_int(p, "last_seen_ms", -1);

		vipctl_duration(age, dur, sizeof(dur));
		snprintf(seen, sizeof(seen),
		         age < 0 ? "not heard" : "seen %s ago", dur);
		printf("%s%s (%s, prio %" PRId64 ", %s%s)\n",
		       i ? "              " : "",
		       ctl_json_get_str(p, "id", "?"),
		       ctl_json_get_str(p, "state", "?"),
		       ctl_json_get_int(p, "priority", 0), seen,
		       ctl_json_get_bool(p, "alive", false) ? "" : ", dead");
	}
}

static void
print_conflicts(const json_t *conf)
{
	char dur[32];
	size_t i, n = json_array_size(conf);

	if (n == 0)
		printf("  conflicts   none\n");
	for (i = 0; i < n; i++) {
		const json_t *c = json_array_get(conf, i);

		vipctl_duration(ctl_json_get_int(c, "age_ms", -1), dur,
		                sizeof(dur));
		printf("  CONFLICT    %s claimed by %s (%" PRId64
		       " times, last %s ago, %s)\n",
		       ctl_json_get_str(c, "vip", "?"),
		       ctl_json_get_str(c, "mac", "?"),
		       ctl_json_get_int(c, "count", 0), dur,
		       ctl_json_get_bool(c, "yielded", false)
		           ? "not announced"
		           : "still announced");
	}
}

/* A group counter by its ctlproto name, 0 when absent. */
static int64_t
counter(const json_t *ctr, enum ctl_group_ctr c)
{
	return ctl_json_get_int(ctr, ctl_group_counter(c)->key, 0);
}

/* The group's tracked checks and what they did to its priority. */
static void
print_tracks(const json_t *g)
{
	const json_t *tracks = json_object_get(g, "tracks");
	const char *adj = ctl_json_get_str(g, "adjusted_by", "");
	size_t i;

	if (json_array_size(tracks) == 0)
		return;
	printf("  checks     ");
	for (i = 0; i < json_array_size(tracks); i++) {
		const json_t *t = json_array_get(tracks, i);
		int64_t w = ctl_json_get_int(t, "weight", 0);

		printf("%s %s %s", i ? "," : "",
		       ctl_json_get_str(t, "check", "?"),
		       ctl_json_get_str(t, "state", "?"));
		if (w != 0)
			printf(" (weight %+" PRId64 ")", w);
	}
	printf("\n  effective   %" PRId64 "%s%s%s\n",
	       ctl_json_get_int(g, "effective_priority", 0), adj[0] ? " (" : "",
	       adj, adj[0] ? ")" : "");
}

/* Every check of the node: state and last result. */
static void
print_checks(const json_t *v)
{
	const json_t *checks = json_object_get(v, "checks");
	size_t i;

	if (ctl_json_get_bool(v, "maintenance", false))
		printf("node drained (vipctl undrain ends it)\n");
	for (i = 0; i < json_array_size(checks); i++) {
		const json_t *c = json_array_get(checks, i);

		printf("check %-12s %-9s %-7s %s (runs: %" PRId64
		       " passed, %" PRId64 " failed)\n",
		       ctl_json_get_str(c, "name", "?"),
		       ctl_json_get_str(c, "kind", "?"),
		       ctl_json_get_str(c, "state", "?"),
		       ctl_json_get_str(c, "reason", ""),
		       ctl_json_get_int(c, "passed", 0),
		       ctl_json_get_int(c, "failed", 0));
	}
}

static void
print_group(const json_t *g)
{
	const json_t *vips = json_object_get(g, "vips");
	const json_t *rt = json_object_get(g, "route");
	const json_t *ctr = json_object_get(g, "counters");
	const char *fault = ctl_json_get_str(g, "fault", "");
	const char *leader = ctl_json_get_str(g, "leader", "");
	const char *reason = ctl_json_get_str(g, "last_reason_text", "");
	int64_t runs, dropped;
	char dur[32];
	size_t i;

	vipctl_duration(ctl_json_get_int(g, "in_state_ms", -1), dur,
	                sizeof(dur));
	printf("group %s: %s", ctl_json_get_str(g, "name", "?"),
	       ctl_json_get_str(g, "state", "?"));
	if (fault[0])
		printf(" (%s: %s)", fault,
		       ctl_json_get_str(g, "fault_text", ""));
	printf("\n  leader      %s\n", leader[0] ? leader : "(none)");
	printf("  priority    %" PRId64 " (configured %" PRId64
	       ", preempt %s)\n",
	       ctl_json_get_int(g, "priority", 0),
	       ctl_json_get_int(g, "configured_priority", 0),
	       ctl_json_get_bool(g, "preempt", false) ? "on" : "off");
	print_tracks(g);
	printf("  interface   %s (link %s), bind %s\n",
	       ctl_json_get_str(g, "interface", "?"),
	       ctl_json_get_bool(g, "link_up", false) ? "up" : "down",
	       ctl_json_get_str(g, "bind", "?"));
	printf("  VIPs        ");
	for (i = 0; i < json_array_size(vips); i++) {
		const json_t *v = json_array_get(vips, i);

		if (i == 8) {
			printf(" ... (%zu in all)", json_array_size(vips));
			break;
		}
		printf("%s%s", i ? ", " : "",
		       json_is_string(v) ? json_string_value(v) : "?");
	}
	printf("\n  in state    %s, %" PRId64 " transitions; last: %s\n", dur,
	       ctl_json_get_int(g, "transitions", 0),
	       reason[0] ? reason : ctl_json_get_str(g, "last_reason", "-"));
	if (rt)
		printf("  route pin   %s, table %" PRId64
		       ", rule priority %" PRId64 "%s\n",
		       ctl_json_get_str(rt, "pin", "?"),
		       ctl_json_get_int(rt, "table", 0),
		       ctl_json_get_int(rt, "priority", 0),
		       ctl_json_get_bool(rt, "installed", false) ? ", installed"
		                                                 : "");
	print_group_peers(json_object_get(g, "peers"));
	print_conflicts(json_object_get(g, "conflicts"));
	if (ctr)
		printf("  answered    %" PRId64 " ARP, %" PRId64
		       " NDP; %" PRId64 " announcements sent\n",
		       counter(ctr, CTL_GC_ARP_ANSWERED),
		       counter(ctr, CTL_GC_NDP_ANSWERED),
		       counter(ctr, CTL_GC_ANNOUNCEMENTS));
	/* Only where notify hooks ran (or were dropped). */
	runs = ctr ? counter(ctr, CTL_GC_NOTIFY_RUNS) : 0;
	dropped = ctr ? counter(ctr, CTL_GC_NOTIFY_DROPPED) : 0;
	if (runs + dropped > 0)
		printf("  notify      %" PRId64 " script runs, %" PRId64
		       " failed, %" PRId64 " dropped\n",
		       runs, counter(ctr, CTL_GC_NOTIFY_FAILURES), dropped);
}

/* "scheduling rr priority 10, nice 0": the daemon's CPU scheduling. */
static void
print_scheduling(const json_t *sc)
{
	int64_t prio = ctl_json_get_int(sc, "priority", 0);

	if (sc == NULL)
		return;
	printf("scheduling %s", ctl_json_get_str(sc, "policy", "?"));
	if (prio > 0)
		printf(" priority %" PRId64, prio);
	printf(", nice %" PRId64 "\n", ctl_json_get_int(sc, "nice", 0));
}

static void
print_status(const json_t *v)
{
	const json_t *groups = json_object_get(v, "groups");
	const json_t *peers = json_object_get(v, "peers");
	char dur[32], seen[32];
	size_t i;

	vipctl_duration(ctl_json_get_int(v, "uptime_ms", -1), dur, sizeof(dur));
	printf("node %s: vipd %s, pid %" PRId64 ", up %s%s\n",
	       ctl_json_get_str(v, "node", "?"),
	       ctl_json_get_str(v, "version", "?"),
	       ctl_json_get_int(v, "pid", 0), dur,
	       ctl_json_get_bool(v, "stopping", false) ? " (stopping)" : "");
	print_scheduling(json_object_get(v, "scheduling"));
	for (i = 0; i < json_array_size(peers); i++) {
		const json_t *p = json_array_get(peers, i);
		const char *id = ctl_json_get_str(p, "id", "");

		vipctl_duration(ctl_json_get_int(p, "last_seen_ms", -1), seen,
		                sizeof(seen));
		printf("peer %-12s %-18s %s, last heard %s ago\n",
		       id[0] ? id : "(unknown)",
		       ctl_json_get_str(p, "address", "-"),
		       ctl_json_get_bool(p, "alive", false) ? "alive" : "DEAD",
		       seen);
	}
	print_checks(v);
	for (i = 0; i < json_array_size(groups); i++) {
		printf("\n");
		print_group(json_array_get(groups, i));
	}
}

int
vipctl_status(const char *path, const struct ctl_req *req, bool json)
{
	char *raw = NULL;
	int ex = EX_OK;
	json_t *v = vipctl_request(path, req, &raw, &ex);

	if (v == NULL)
		return ex;
	if (!ctl_json_get_bool(v, "ok", false))
		ex = vipctl_refused(v);
	else if (json)
		fputs(raw, stdout);
	else
		print_status(v);
	json_decref(v);
	free(raw);
	return ex;
}

static const json_t *
find_group(const json_t *status, const char *name)
{
	const json_t *groups = json_object_get(status, "groups");
	size_t i;

	for (i = 0; i < json_array_size(groups); i++)
		if (strcmp(
		        ctl_json_get_str(json_array_get(groups, i), "name", ""),
		        name) == 0)
			return json_array_get(groups, i);
	return NULL;
}

/* The outcome of a release as one JSON object (vipctl's own answer). */
static void
print_release_json(const char *group, const char *state, const char *leader)
{
	json_t *v =
	    json_pack("{s:b,s:o,s:o,s:o}", "ok",
	              strcmp(state, ctl_state_name(CTL_ST_LEADER)) != 0,
	              "group", ctl_json_str(group), "state",
	              ctl_json_str(state), "leader", ctl_json_str(leader));
	char *line = ctl_json_line(v, NULL);

	if (line != NULL)
		fputs(line, stdout);
	free(line);
	json_decref(v);
}

/* Release, then follow the handover until it ends (bounded). */
int
vipctl_release(const char *path, const struct ctl_req *req, bool json)
{
	const char *group = req->arg;
	const char *leading = ctl_state_name(CTL_ST_LEADER);
	struct ctl_req st = {CTL_STATUS, ""};
	struct timespec pause = {0, 20 * 1000000};
	int ex = EX_OK, waited;
	char *raw = NULL;
	json_t *v;

	if ((v = vipctl_request(path, req, &raw, &ex)) == NULL)
		return ex;
	if (!ctl_json_get_bool(v, "ok", false)) {
		/* --json: the daemon's refusal as it is, like other commands */
		if (json)
			fputs(raw, stdout);
		ex = json ? EX_FAIL : vipctl_refused(v);
		json_decref(v);
		free(raw);
		return ex;
	}
	json_decref(v);
	free(raw);
	for (waited = 0; waited <= RELEASE_WAIT_MS; waited += 20) {
		const json_t *g;
		const char *state, *leader;

		if ((v = vipctl_request(path, &st, NULL, &ex)) == NULL)
			return ex;
		g = find_group(v, group);
		state = ctl_json_get_str(g, "state", "?");
		leader = ctl_json_get_str(g, "leader", "");
		if (strcmp(state, ctl_state_name(CTL_ST_RESIGNING)) != 0) {
			if (json)
				print_release_json(group, state, leader);
			else if (strcmp(state, leading) == 0)
				fprintf(stderr,
				        "vipctl: group %s: no other node "
				        "took over; this node still "
				        "leads it\n",
				        group);
			else
				printf("group %s: handed over to %s\n", group,
				       leader[0] ? leader : "(unknown)");
			ex = strcmp(state, leading) == 0 ? EX_FAIL : EX_OK;
			json_decref(v);
			return ex;
		}
		json_decref(v);
		nanosleep(&pause, NULL);
	}
	fprintf(stderr,
	        "vipctl: group %s: handover still in progress after "
	        "%d ms\n",
	        group, RELEASE_WAIT_MS);
	return EX_FAIL;
}
