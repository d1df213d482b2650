/*
 * The golden configs: tests/conf/good/NAME.conf must load, and
 * tests/conf/bad/NAME.conf must fail with exactly the lines of NAME.expected
 * (one error per line, paths relative to tests/conf).  The tree is copied
 * into a temp dir, where tests/conf/mkkeys.sh makes the 0600 secrets.
 */
#include "config.h"

#include <dirent.h>

#include "test_conf_util.h"

#define GOLDEN TOP_SRCDIR "/tests/conf"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = calloc(1, (size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int
is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

static void
check_one(const char *dir, const char *name, bool good)
{
	struct conf_errors e = {0};
	char path[512], exp_path[512];
	char *want, *got;
	struct conf *c;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(exp_path, sizeof(exp_path), "%.*s.expected",
	         (int)strlen(path) - 5, path);
	want = slurp(exp_path);
	if (!ok(want != NULL, "%s: has %s", path, exp_path))
		return;
	c = conf_load(path, "golden-host", &e);
	got = tc_join(&e);
	ok(good ? c != NULL : c == NULL, "%s: %s", path,
	   good ? "loads" : "is rejected");
	is_str(got, want, "%s: errors as expected", path);
	free(got);
	free(want);
	conf_free(c);
	conf_errors_clear(&e);
}

static void
check_dir(const char *dir, bool good)
{
	struct dirent **ents;
	int i, n;

	n = scandir(dir, &ents, is_conf, alphasort);
	ok(n > 0, "%s: golden configs found", dir);
	for (i = 0; i < n; i++) {
		check_one(dir, ents[i]->d_name, good);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

int
main(void)
{
	tc_setup();
	/* srcdir is read-only under distcheck: make the copy writable. */
	if (system("cp -R '" GOLDEN "/good' '" GOLDEN "/bad' . && "
	           "chmod -R u+w . && sh '" GOLDEN "/mkkeys.sh' .") != 0) {
		printf("Bail out! cannot copy %s\n", GOLDEN);
		return 1;
	}
	check_dir("good", true);
	check_dir("bad", false);
	return tap_done();
}
