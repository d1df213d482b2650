/*
 * Drop-in files: include_dir names a directory whose *.conf files (in
 * sorted order, after the main file's own groups and checks) each add
 * groups and checks, so that a tool can own one file per service without
 * editing the main file.  A drop-in holds a groups list and a checks list
 * and nothing else; its errors name the drop-in and its line.  Each parsed
 * file stays alive until the checks across groups (names, VIPs, tables,
 * tracked checks) ran, which point into it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

#define CONF_DROPINS_MAX 256

static void
main_only(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	(void)obj;
	conf_err(x, s,
	         "a drop-in file only adds groups and checks; set this in %s",
	         x->c->path);
}

static const struct conf_key dropin_keys[] = {
    {"groups", CK_FN, 0, 0, 0, conf_groups_parse},
    {"checks", CK_FN, 0, 0, 0, conf_checks_parse},
    {"node", CK_FN, 0, 0, 0, main_only},
    {"cluster", CK_FN, 0, 0, 0, main_only},
    {"control", CK_FN, 0, 0, 0, main_only},
    {"include_dir", CK_FN, 0, 0, 0, main_only},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

static int
is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	       strcmp(d->d_name + n - 5, ".conf") == 0;
}

static void
dropin_one(struct conf_ctx *x, const char *dir, const char *name)
{
	struct conf_dropin *d = &x->drops[x->ndrops];
	const char *main_path = x->path;
	int n;

	n = snprintf(d->path, sizeof(d->path), "%s/%s", dir, name);
	x->path = d->path;
	if (n < 0 || (size_t)n >= sizeof(d->path)) {
		conf_err_file(x, 0, "path too long");
		x->path = main_path;
		return;
	}
	x->ndrops++; /* its cfg is destroyed by conf_dropins_free */
	if (conf_file_read(x, &d->cfg))
		conf_walk(x, config_root_setting(&d->cfg), dropin_keys, x->c);
	x->path = main_path;
}

void
conf_dropins_load(struct conf_ctx *x, const config_setting_t *s)
{
	const char *dir = x->c->include_dir;
	struct dirent **ents = NULL;
	int n, i;

	n = scandir(dir, &ents, is_conf, alphasort);
	if (n < 0) {
		conf_err(x, s, "cannot read directory %s: %s", dir,
		         strerror(errno));
		return;
	}
	if (n > CONF_DROPINS_MAX) {
		conf_err(x, s, "%d files in %s; at most %d", n, dir,
		         CONF_DROPINS_MAX);
	} else if ((x->drops = calloc((size_t)n + 1, sizeof(*x->drops))) ==
	           NULL) {
		conf_err(x, s, "%s", strerror(ENOMEM));
	} else {
		for (i = 0; i < n; i++)
			dropin_one(x, dir, ents[i]->d_name);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}

/* The conf's copy of the path of the file s was read from. */
static const char *
file_of(struct conf_ctx *x, const config_setting_t *s, size_t *index)
{
	size_t i;

	*index = s != NULL && config_setting_index(s) >= 0
	             ? (size_t)config_setting_index(s)
	             : 0;
	for (i = 0; s != NULL && i < x->c->nfiles; i++)
		if (s->config == &x->drops[i].cfg)
			return x->c->files[i];
	return x->c->path;
}

void
conf_dropins_keep(struct conf_ctx *x)
{
	struct conf *c = x->c;
	size_t i;

	if (x->ndrops > 0 &&
	    (c->files = calloc(x->ndrops, sizeof(*c->files))) != NULL) {
		for (i = 0; i < x->ndrops; i++)
			memcpy(c->files[i], x->drops[i].path,
			       sizeof(c->files[i]));
		c->nfiles = x->ndrops;
	}
	for (i = 0; i < c->ngroups; i++)
		c->groups[i].file =
		    file_of(x, x->gset != NULL ? x->gset[i] : NULL,
		            &c->groups[i].index);
	for (i = 0; i < c->nchecks; i++)
		c->checks[i].file =
		    file_of(x, x->cset != NULL ? x->cset[i] : NULL,
		            &c->checks[i].index);
}

void
conf_dropins_free(struct conf_ctx *x)
{
	size_t i;

	for (i = 0; i < x->ndrops; i++)
		config_destroy(&x->drops[i].cfg);
	free(x->drops);
	x->drops = NULL;
	x->ndrops = 0;
}
