/*
 * vipctl metrics: the metrics answer in Prometheus text format, by the
 * formatter the daemon's HTTP endpoint uses too (ctlproto/ctlprom.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ctlprom.h"
#include "vipctl.h"

void
vipctl_print_metrics(json_t *v)
{
	size_t len;
	char *text = ctl_prom_format(v, &len);

	if (text == NULL) {
		fputs("vipctl: metrics: out of memory\n", stderr);
		return;
	}
	fwrite(text, 1, len, stdout);
	free(text);
}
