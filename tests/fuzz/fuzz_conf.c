/*
 * Fuzz target: a config file's text.  The input is written to a file in a
 * private temp dir and loaded; a valid config is also walked through the
 * helpers.  Must never crash or leak, whatever the bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

const char *fuzz_corpus_dir = FUZZ_CORPUS;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks a string token's buffer (made by its scanner) when
 * the syntax error is at that token ("id = 0\"n1\";"): a bug of libconfig, not
 * of conf.  A conf that forgot config_destroy() still shows, by its settings'
 * allocations.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static char dir[64];
static char path[96];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors errs = {0};
	struct conf *c;
	FILE *f;
	size_t i;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/vcf-fuzz-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/fuzz.conf", dir);
		atexit(cleanup);
	}
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	c = conf_load(path, "fuzz-host", &errs);
	/* A rejected file always says why; an accepted one never does. */
	if ((c == NULL) != (errs.n > 0))
		abort();
	for (i = 0; i < errs.n; i++)
		if (strncmp(errs.msg[i], path, strlen(path)) != 0)
			abort();
	if (c != NULL) {
		(void)conf_vip_count(c);
		for (i = 0; i < c->ngroups; i++) {
			if (!conf_group_same_vips(&c->groups[i], &c->groups[i]))
				abort();
			(void)conf_bind_name(c->groups[i].bind);
			(void)conf_route_pin_name(c->groups[i].route.pin);
		}
	}
	conf_free(c);
	conf_errors_clear(&errs);
	return 0;
}
