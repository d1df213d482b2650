/*
 * The metrics block: where the Prometheus endpoint listens.  Off unless
 * metrics.listen is set; the address is numeric (no names: the daemon
 * never resolves), IPv6 in brackets so that its colons are not the port's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

/* The port after the address: 1 to 65535, decimal digits only. */
static bool
listen_port(const char *p, uint16_t *out)
{
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (unsigned long)(*p - '0')) > 65535)
			return false;
	if (*p != '\0' || v == 0)
		return false;
	*out = (uint16_t)v;
	return true;
}

/*
 * "ADDRESS:PORT" or "[ADDRESS6]:PORT" into c; false with the error
 * reported.
 */
static bool
listen_parse(struct conf_ctx *x, const config_setting_t *s, const char *v,
             struct conf *c)
{
	char host[CONF_ADDR_STRLEN + 1];
	const char *colon, *start = v, *end;

	if (v[0] == '[') {
		start = v + 1;
		if ((end = strchr(start, ']')) == NULL || end[1] != ':') {
			conf_err(x, s, "'%s' is not [ADDRESS]:PORT", v);
			return false;
		}
		colon = end + 1;
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL || strchr(v, ':') != colon) {
			conf_err(x, s,
			         "'%s' is not ADDRESS:PORT (an IPv6 address "
			         "goes in brackets: [::1]:9431)",
			         v);
			return false;
		}
		end = colon;
	}
	if ((size_t)(end - start) >= sizeof(host) || end == start) {
		conf_err(x, s, "'%s': no usable address before the port", v);
		return false;
	}
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	if (conf_addr_parse(host, &c->metrics_addr) == -1 ||
	    (v[0] == '[') != (c->metrics_addr.family == AF_INET6)) {
		conf_err(x, s, "'%s': '%s' is not a numeric %s address", v,
		         host, v[0] == '[' ? "IPv6" : "IPv4");
		return false;
	}
	if (conf_addr_is_multicast(&c->metrics_addr)) {
		conf_err(x, s, "'%s': '%s' is a multicast address", v, host);
		return false;
	}
	if (!listen_port(colon + 1, &c->metrics_port)) {
		conf_err(x, s,
		         "'%s': the port must be a number from 1 to 65535", v);
		return false;
	}
	return true;
}

static void
metrics_listen(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;
	const char *v;

	if (conf_get_str(x, s, &v) && listen_parse(x, s, v, c))
		c->has_metrics = true;
}

static const struct conf_key metrics_keys[] = {
    {"listen", CK_FN, 0, 0, 0, metrics_listen},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

void
conf_metrics_parse(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	if (!conf_is_block(x, s))
		return;
	conf_walk(x, s, metrics_keys, obj);
	if (config_setting_get_member(s, "listen") == NULL)
		conf_err_under(x, s, "listen",
		               "required in the metrics block (or remove the "
		               "block: metrics are off without it)");
}
