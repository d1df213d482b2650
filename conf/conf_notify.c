/*
 * The notify keys: `notify` (a script run on every state change of a
 * group, keepalived's arguments), `notify_timeout_ms` and `notify_fifo`
 * at the top level (the defaults of every group, and the FIFO), `notify`
 * and `notify_timeout_ms` in a group (its own; notify = "" turns the
 * default off for that group).  Paths must be absolute: the daemon runs
 * them from anywhere.
 */
#include "config.h"

#include <string.h>

#include "conf_int.h"

/* An absolute path, or (allow_empty) "" for none, into out. */
static void
notify_path(struct conf_ctx *x, const config_setting_t *s, bool allow_empty,
            char out[CONF_PATH_MAX])
{
	const char *v;

	if (!conf_get_str(x, s, &v))
		return;
	if (v[0] == '\0' && allow_empty) {
		out[0] = '\0';
		return;
	}
	if (v[0] != '\0' && v[0] != '/') {
		conf_err(x, s, "'%s' is not an absolute path", v);
		return;
	}
	conf_get_path(x, s, CONF_PATH_MAX, false, out);
}

void
conf_notify_top(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;

	notify_path(x, s, false, c->notify);
}

void
conf_notify_fifo(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;

	notify_path(x, s, false, c->notify_fifo);
}

void
conf_notify_group(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_group *g = obj;

	g->notify_set = true;
	notify_path(x, s, true, g->notify);
}

void
conf_notify_defaults(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++) {
		struct conf_group *g = &c->groups[i];

		if (!g->notify_set)
			memcpy(g->notify, c->notify, sizeof(g->notify));
		if (g->notify_timeout_ms == 0)
			g->notify_timeout_ms = c->notify_timeout_ms;
	}
}
