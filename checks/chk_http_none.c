/*
 * CHK_HTTP in a build without libcurl: a config with an http check is
 * refused when the daemon starts (chk_new fails with ENOTSUP).
 */
#include "config.h"

#include <errno.h>

#include "chk_int.h"

int
chk_http_init(struct chk *c)
{
	(void)c;
	errno = ENOTSUP;
	return -1;
}

static void
http_none(struct chk *c)
{
	(void)c;
}

const struct chk_ops chk_http_ops = {http_none, http_none, NULL};
