/*
 * exec: not yet (waits for net/spawn.c).  chk_new refuses it.
 */
#include "config.h"

#include "chk_int.h"

static void
exec_none(struct chk *c)
{
	chk_done(c, false, 0, "exec checks are not built");
}

const struct chk_ops chk_exec_ops = {exec_none, exec_none, NULL};
