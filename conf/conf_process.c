/*
 * The process block: the daemon's own CPU scheduling (keepalived's
 * vrrp_rt_priority and vrrp_priority).  realtime_priority 1..99 asks for
 * SCHED_RR at that priority, 0 (the default) for none; nice -20..19, 0
 * (the default) leaves the nice value vipd was started with.  Applied once
 * at start-up (announcer/cpusched.c), never on reload.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>

#include "conf_int.h"

static void
process_rt(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;
	long long v;

	if (conf_get_int(x, s, 0, 99, &v))
		c->rt_priority = (unsigned)v;
}

static void
process_nice(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;
	long long v;

	if (!conf_get_int(x, s, LLONG_MIN, LLONG_MAX, &v))
		return;
	/* not conf_get_int's range: "-20-19" reads badly */
	if (v < -20 || v > 19)
		conf_err(x, s, "value %lld out of range -20 to 19", v);
	else
		c->nice = (int)v;
}

static const struct conf_key process_keys[] = {
    {"realtime_priority", CK_FN, 0, 0, 0, process_rt},
    {"nice", CK_FN, 0, 0, 0, process_nice},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

void
conf_process_parse(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	if (conf_is_block(x, s))
		conf_walk(x, s, process_keys, obj);
}
