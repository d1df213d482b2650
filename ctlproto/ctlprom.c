/*
 * The metrics answer in Prometheus text format, written into a memory
 * stream.  Families, help texts, state and counter keys come from
 * ctlproto's tables.
 */
#include "config.h"

#include <inttypes.h>
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

static void
print_group_metrics(FILE *f, const json_t *groups)
{
	size_t i, c;
	int s;

	metric_head(f, "vipd_group_state", "gauge",
	            "1 for the group's current state on this node.");
	for (i = 0; i < json_array_size(groups); i++) {
		const json_t *g = json_array_get(groups, i);

		for (s = 0; s < CTL_ST_MAX; s++) {
			fputs("vipd_group_state{group=\"", f);
			label(f, ctl_json_get_str(g, "name", ""));
			fprintf(f, "\",state=\"%s\"} %d\n", ctl_state_name(s),
			        strcmp(ctl_json_get_str(g, "state", ""),
			               ctl_state_name(s)) == 0);
		}
	}
	/* The election's count, not one of the group's own counters. */
	group_metric(f, groups, "vipd_transitions_total", "transitions",
	             "State transitions of the group on this node.");
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
