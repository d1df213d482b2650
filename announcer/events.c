/*
 * The event history: a ring of EVENTS_CAPACITY entries allocated once
 * (memory stays bounded whatever the event rate), the answer to `events`,
 * and the JSON line each `watch` client receives (ctlsrv_broadcast).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vipd.h"

struct events {
	struct events_entry *ring;
	size_t cap;
	size_t head; /* next slot written */
	size_t len;
	uint64_t total;
};

#define EVENTS_KIND_NAME_(id, name) [EVK_##id] = name,
static const char *const kind_names[EVK_MAX] = {
    EVENTS_KINDS(EVENTS_KIND_NAME_)};
#undef EVENTS_KIND_NAME_

const char *
events_kind_name(enum events_kind k)
{
	return (unsigned)k < EVK_MAX ? kind_names[k] : "?";
}

struct events *
events_new(size_t capacity)
{
	struct events *ev;

	if (capacity == 0 || (ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	if ((ev->ring = calloc(capacity, sizeof(*ev->ring))) == NULL) {
		free(ev);
		return NULL;
	}
	ev->cap = capacity;
	return ev;
}

void
events_free(struct events *ev)
{
	if (ev == NULL)
		return;
	free(ev->ring);
	free(ev);
}

const struct events_entry *
events_push(struct events *ev, uint64_t mono_ms, enum events_kind kind,
            const char *group, int from, int to, const char *reason)
{
	struct events_entry *e = &ev->ring[ev->head];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	e->seq = ++ev->total;
	e->mono_ms = mono_ms;
	e->wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	e->kind = kind;
	snprintf(e->group, sizeof(e->group), "%s", group ? group : "");
	e->from = from;
	e->to = to;
	snprintf(e->reason, sizeof(e->reason), "%s", reason ? reason : "");
	ev->head = (ev->head + 1) % ev->cap;
	if (ev->len < ev->cap)
		ev->len++;
	return e;
}

size_t
events_len(const struct events *ev)
{
	return ev->len;
}

const struct events_entry *
events_at(const struct events *ev, size_t i)
{
	if (i >= ev->len)
		return NULL;
	return &ev->ring[(ev->head + ev->cap - ev->len + i) % ev->cap];
}

uint64_t
events_total(const struct events *ev)
{
	return ev->total;
}

/* A state name, or JSON null for -1. */
static json_t *
state_json(int s)
{
	return s < 0 ? json_null() : json_string(ctl_state_name(s));
}

json_t *
events_entry_json(const struct events_entry *e)
{
	char when[96]; /* room for any int the format may print */
	struct tm tm;
	time_t secs = (time_t)(e->wall_ms / 1000);

	gmtime_r(&secs, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, (int)(e->wall_ms % 1000));
	return json_pack(
	    "{s:o,s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:o}", "seq",
	    ctl_json_uint(e->seq), "time", when, "wall_ms",
	    ctl_json_uint((uint64_t)e->wall_ms), "mono_ms",
	    ctl_json_uint(e->mono_ms), "kind", events_kind_name(e->kind),
	    "group", ctl_json_str(e->group), "from", state_json(e->from), "to",
	    state_json(e->to), "reason", ctl_json_str(e->reason));
}

json_t *
events_json(const struct events *ev)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < ev->len; i++) {
		json_t *o = events_entry_json(events_at(ev, i));

		if (o == NULL || json_array_append_new(list, o) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	return json_pack("{s:b,s:o,s:o,s:o}", "ok", 1, "capacity",
	                 ctl_json_uint(ev->cap), "total",
	                 ctl_json_uint(ev->total), "events", list);
}

void
vipd_event(struct vipd *d, enum events_kind kind, const struct vgroup *g,
           int from, int to, const char *fmt, ...)
{
	char reason[EVENTS_REASON_MAX], *line;
	const struct events_entry *e;
	va_list ap;
	json_t *o;
	size_t len;

	if (d->events == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	e = events_push(d->events, ev_now(d->loop), kind, g ? g->cg.name : NULL,
	                from, to, reason);
	d->ctr[CTL_DC_EVENTS]++;
	if (ctlsrv_watchers(d->ctl) == 0)
		return;
	if ((o = events_entry_json(e)) == NULL)
		return;
	line = ctl_json_line(o, &len);
	json_decref(o);
	if (line != NULL)
		ctlsrv_broadcast(d->ctl, line, len);
	free(line);
}

void
events_group_state(struct vgroup *g, enum el_state from, enum el_state to,
                   const char *why)
{
	vipd_event(g->d, EVK_STATE, g, (int)status_state(from),
	           (int)status_state(to), "%s", why);
	notify_group_state(g, to, why);
}
