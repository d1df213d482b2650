/*
 * The metrics answer in Prometheus text format, written into a memory
 * stream.  Families, help texts, state and counter keys come from
 * ctlproto's tables.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctljson.h"
#include "ctlprom.h"
#include "ctlproto.h"

/* Prometheus label values escape backslash, quote and newline. */
static void
label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			putc(*s, f);
	}
}

static void
metric_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A counter per item of arr (groups, capture ports): arr[].key, labelled
 * by the item's member lkey (name, interface) as label. */
static void
array_metric(FILE *f, const json_t *arr, const char *label_name,
             const char *lkey, const char *name, const char *key,
             const char *help)
{
	size_t i;

	metric_head(f, name, "counter", help);
	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i);

		fprintf(f, "%s{%s=\"", name, label_name);
		label(f, ctl_json_get_str(o, lkey, ""));
		fprintf(f, "\"} %" PRId64 "\n", ctl_json_get_int(o, key, 0));
	}
}

/* A counter per group: groups[].key, labelled group. */
static void
group_metric(FILE *f, const json_t *groups, const char *name, const char *key,
             const char *help)
{
	array_metric(f, groups, "group", "name", name, key, help);
}

/* A milliseconds member as seconds; false when it is not a number. */
static bool
seconds(const json_t *o, const char *key, double *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return false;
	*out = (double)ctl_json_int_value(v, 0) / 1000.0;
	return true;
}

/* The daemon itself: its version, its own heartbeat interval. */
static void
print_node_metrics(FILE *f, const json_t *v)
{
	double s = 0;

	metric_head(f, "vipd_build_info", "gauge",
	            "Always 1; the version of the running vipd as a label.");
	fputs("vipd_build_info{version=\"", f);
	label(f, ctl_json_get_str(v, "version", ""));
	fputs("\"} 1\n", f);
	metric_head(f, "vipd_heartbeat_interval_seconds", "gauge",
	            "Interval between the heartbeats this node sends.");
	seconds(v, "interval_ms", &s);
	fprintf(f, "vipd_heartbeat_interval_seconds %.3f\n", s);
}

/* The labels of peer p (its id, "" until heard, and its address). */
static void
peer_sample(FILE *f, const char *name, const json_t *p)
{
	fprintf(f, "%s{peer=\"", name);
	label(f, ctl_json_get_str(p, "id", ""));
	fputs("\",address=\"", f);
	label(f, ctl_json_get_str(p, "address", ""));
	fputs("\"} ", f);
}

/* A gauge per peer from its member key: a boolean (0/1) or, with ms, a
 * duration in ms shown in seconds (peers without one have no sample). */
static void
peer_metric(FILE *f, const json_t *peers, const char *name, const char *key,
            bool ms, const char *help)
{
	size_t i;
	double s;

	metric_head(f, name, "gauge", help);
	for (i = 0; i < json_array_size(peers); i++) {
		const json_t *p = json_array_get(peers, i);

		if (!ms) {
			peer_sample(f, name, p);
			fprintf(f, "%d\n", ctl_json_get_bool(p, key, false));
		} else if (seconds(p, key, &s)) {
			peer_sample(f, name, p);
			fprintf(f, "%.3f\n", s);
		}
	}
}

static void
print_peer_metrics(FILE *f, const json_t *peers)
{
	peer_metric(f, peers, "vipd_peer_up", "alive", false,
	            "1 while the peer's heartbeats arrive in time.");
	peer_metric(f, peers, "vipd_peer_last_heard_seconds", "last_seen_ms",
	            true,
	            "Seconds since the last accepted heartbeat of the peer "
	            "(none for a peer never heard).");
	peer_metric(f, peers, "vipd_peer_heartbeat_interval_seconds",
	            "interval_ms", true,
	            "Heartbeat interval the peer announces.");
	peer_metric(f, peers, "vipd_peer_auth_failing", "auth_failing", false,
	            "1 while datagrams from the peer's address fail "
	            "authentication (another secret there).");
}

/* A 0/1 gauge per group and name in names[0..n), labelled group and
 * lname; 1 where the group's member key equals the name. */
static void
group_enum_metric(FILE *f, const json_t *groups, const char *name,
                  const char *key, const char *lname, const char *(*names)(int),
                  int n, const char *help)
{
	size_t i;
	int k;

	metric_head(f, name, "gauge", help);
	for (i = 0; i < json_array_size(groups); i++) {
		const json_t *g = json_array_get(groups, i);

		for (k = 0; k < n; k++) {
			fprintf(f, "%s{group=\"", name);
			label(f, ctl_json_get_str(g, "name", ""));
			fprintf(f, "\",%s=\"", lname);
			label(f, names(k));
			fprintf(f, "\"} %d\n",
			        strcmp(ctl_json_get_str(g, key, ""),
			               names(k)) == 0);
		}
	}
}

static const char *
state_name(int s)
{
	return ctl_state_name((enum ctl_state)s);
}

static const char *
fault_name(int s)
{
	return ctl_fault_name((enum ctl_fault)s);
}

/* vipd_transitions_total: each group's state changes, by reason. */
static void
print_transitions(FILE *f, const json_t *groups)
{
	size_t i;
	int t;

	metric_head(f, "vipd_transitions_total", "counter",
	            "State changes of the group on this node, by reason.");
	for (i = 0; i < json_array_size(groups); i++) {
		const json_t *g = json_array_get(groups, i);
		const json_t *by = json_object_get(g, "transitions_by_reason");

		for (t = 0; t < CTL_TR_MAX; t++) {
			fputs("vipd_transitions_total{group=\"", f);
			label(f, ctl_json_get_str(g, "name", ""));
			fprintf(
			    f, "\",reason=\"%s\"} %" PRId64 "\n",
			    ctl_transition_name(t),
			    ctl_json_get_int(by, ctl_transition_name(t), 0));
		}
	}
}

static void
print_group_metrics(FILE *f, const json_t *groups)
{
	size_t i, c;

	group_enum_metric(f, groups, "vipd_group_state", "state", "state",
	                  state_name, CTL_ST_MAX,
	                  "1 for the group's current state on this node.");
	group_enum_metric(f, groups, "vipd_group_fault", "fault", "reason",
	                  fault_name, CTL_FAULT_MAX,
	                  "1 for the reason the group is in fault on this "
	                  "node (all 0: no fault).");
	metric_head(f, "vipd_group_answering", "gauge",
	            "1 while this node holds the group's VIPs: bound, "
	            "announced and answered.");
	for (i = 0; i < json_array_size(groups); i++) {
		const json_t *g = json_array_get(groups, i);

		fputs("vipd_group_answering{group=\"", f);
		label(f, ctl_json_get_str(g, "name", ""));
		fprintf(f, "\"} %d\n",
		        ctl_json_get_bool(g, "answering", false));
	}
	print_transitions(f, groups);
	for (c = 0; c < CTL_GC_MAX; c++) {
		const struct ctl_counter *cc = ctl_group_counter(c);

		if (cc->flags & CTL_CF_METRICS)
			group_metric(f, groups, cc->family, cc->key, cc->help);
	}
}

/* A counter per key of obj ({reason: count}), labelled reason. */
static void
reason_samples(FILE *f, const char *name, const char *iface, json_t *obj)
{
	const char *key;
	json_t *val;

	if (!json_is_object(obj))
		return;
	json_object_foreach(obj, key, val)
	{
		fprintf(f, "%s{", name);
		if (iface != NULL) {
			fputs("interface=\"", f);
			label(f, iface);
			fputs("\",", f);
		}
		fputs("reason=\"", f);
		label(f, key);
		fprintf(f, "\"} %" PRId64 "\n", ctl_json_int_value(val, 0));
	}
}

/* The daemon's own counters, each read from its section of v. */
static void
print_daemon_metrics(FILE *f, json_t *v)
{
	size_t c;

	for (c = 0; c < CTL_DC_MAX; c++) {
		const struct ctl_counter *cc = ctl_daemon_counter(c);
		json_t *obj = cc->section ? json_object_get(v, cc->section) : v;

		if (!(cc->flags & CTL_CF_METRICS))
			continue;
		metric_head(f, cc->family, "counter", cc->help);
		if (cc->flags & CTL_CF_REASONS)
			reason_samples(f, cc->family, NULL,
			               json_object_get(obj, cc->key));
		else
			fprintf(f, "%s %" PRId64 "\n", cc->family,
			        ctl_json_get_int(obj, cc->key, 0));
	}
}

/* A counter per capture port: capture[].key, labelled interface. */
static void
capture_metric(FILE *f, const json_t *cap, const char *name, const char *key,
               const char *help)
{
	array_metric(f, cap, "interface", "interface", name, key, help);
}

static void
print_capture_metrics(FILE *f, json_t *cap)
{
	size_t i;

	capture_metric(f, cap, "vipd_capture_frames_total", "rx_frames",
	               "ARP/NDP frames the kernel filter passed to vipd.");
	metric_head(f, "vipd_capture_bad_frames_total", "counter",
	            "Malformed frames dropped, by reason.");
	for (i = 0; i < json_array_size(cap); i++)
		reason_samples(
		    f, "vipd_capture_bad_frames_total",
		    ctl_json_get_str(json_array_get(cap, i), "interface", ""),
		    json_object_get(json_array_get(cap, i), "rx_bad"));
	capture_metric(f, cap, "vipd_capture_dropped_total", "rx_dropped",
	               "Frames the kernel dropped before vipd read them.");
}

char *
ctl_prom_format(json_t *v, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (f == NULL)
		return NULL;
	print_node_metrics(f, v);
	print_peer_metrics(f, json_object_get(v, "peers"));
	print_group_metrics(f, json_object_get(v, "groups"));
	print_daemon_metrics(f, v);
	print_capture_metrics(f, json_object_get(v, "capture"));
	/* A stream that failed to grow reports it here (ENOMEM). */
	if (ferror(f) | fclose(f)) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return buf;
}
