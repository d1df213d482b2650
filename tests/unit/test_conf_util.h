/*
 * Helpers for the conf tests: a private temp dir that is the working
 * directory (so error messages name "t.conf"), files and secrets written
 * into it, and checks of the exact error lines conf_load() returns.
 * Header-only, like tap.h.
 */
#ifndef VIPD_TEST_CONF_UTIL_H
#define VIPD_TEST_CONF_UTIL_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

#define TC_HOST "testhost"

static char tc_dir[256];

/*
 * libconfig 1.5 leaks a string token's buffer (made by its scanner) when
 * the syntax error is at that token ("id = 0\"n1\";"): its bug, not conf's, and
 * not fixable from outside.  A conf that forgot config_destroy() still shows,
 * by the leaked settings themselves.
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

/* A 32-byte key as `head -c 32 /dev/urandom | base64` writes it. */
#define TC_KEY "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LWtleSE=\n"

static void
tc_write_mode(const char *name, const char *text, size_t len, mode_t mode)
{
	FILE *f = fopen(name, "w");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", name,
		       strerror(errno));
		exit(1);
	}
	/* git keeps no 0600 modes, and the umask may add bits: set them. */
	if (chmod(name, mode) != 0) {
		printf("Bail out! chmod %s: %s\n", name, strerror(errno));
		exit(1);
	}
}

__attribute__((unused)) static void
tc_write(const char *name, const char *text)
{
	tc_write_mode(name, text, strlen(text), 0644);
}

__attribute__((unused)) static void
tc_secret(const char *name, const char *text)
{
	tc_write_mode(name, text, strlen(text), 0600);
}

static int
tc_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
tc_cleanup(void)
{
	if (tc_dir[0] != '\0' && chdir("/") == 0)
		nftw(tc_dir, tc_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* Make a fresh temp dir, chdir into it, remove it at exit. */
__attribute__((unused)) static void
tc_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(tc_dir, sizeof(tc_dir), "%s/vcf-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tc_dir) == NULL || chdir(tc_dir) != 0) {
		printf("Bail out! temp dir: %s\n", strerror(errno));
		exit(1);
	}
	atexit(tc_cleanup);
}

/* All messages, one per line, each ending in "\n" ("" when none). */
static char *
tc_join(const struct conf_errors *e)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < e->n; i++)
		len += strlen(e->msg[i]) + 1;
	s = calloc(1, len);
	for (i = 0; s != NULL && i < e->n; i++) {
		strcat(s, e->msg[i]);
		strcat(s, "\n");
	}
	return s;
}

/* Write text to t.conf and load it with hostname TC_HOST. */
__attribute__((unused)) static struct conf *
tc_load(const char *text, struct conf_errors *e)
{
	tc_write("t.conf", text);
	return conf_load("t.conf", TC_HOST, e);
}

/* The load fails with exactly the error lines want ("a\nb\n"). */
#define tc_bad(text, want, ...)                                                \
	do {                                                                   \
		struct conf_errors e_ = {0};                                   \
		struct conf *c_ = tc_load((text), &e_);                        \
		char *got_ = tc_join(&e_);                                     \
		ok(c_ == NULL, __VA_ARGS__);                                   \
		is_str(got_, (want), __VA_ARGS__);                             \
		free(got_);                                                    \
		conf_free(c_);                                                 \
		conf_errors_clear(&e_);                                        \
	} while (0)

/* The load succeeds; the caller frees the result. */
__attribute__((unused)) static struct conf *
tc_good(const char *text, const char *what)
{
	struct conf_errors e = {0};
	struct conf *c = tc_load(text, &e);
	char *got = tc_join(&e);

	if (!ok(c != NULL, "%s: loads", what))
		printf("# errors:\n%s", got ? got : "");
	free(got);
	conf_errors_clear(&e);
	return c;
}

#endif
