/*
 * ctlprom: the metrics answer (the daemon's reply to "metrics", keys in
 * doc/vipctl.8) as Prometheus text exposition format, version 0.0.4.  One
 * formatter for both programs: vipctl prints it (`vipctl metrics`), vipd
 * serves it over HTTP (metrics.listen).  Families, help texts, states,
 * faults and counter keys come from ctlproto.h's tables; the family names
 * are listed in doc/vipd.8.  Pure: no I/O.
 */
#ifndef VIPD_CTLPROM_H
#define VIPD_CTLPROM_H

#include <stddef.h>

#include <jansson.h>

/* The Content-Type of the text, for an HTTP answer. */
#define CTL_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * The text for the metrics answer v (read, not consumed; missing members
 * count as 0 or empty): every family with its HELP and TYPE lines, then
 * its samples.  Returns a new NUL-terminated string the caller frees with
 * free(), its length without the NUL in *len (may be NULL); NULL on ENOMEM.
 */
char *ctl_prom_format(json_t *v, size_t *len);

#endif
