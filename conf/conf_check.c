/*
 * The top-level checks list and the groups' track entries: each check's
 * keys (one kind per check), then what needs the whole file: unique names,
 * and every tracked name defined.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

#define WEIGHT_UNSET INT_MIN

static const char *const kind_keys[] = {"tcp",       "http", "exec", "process",
                                        "interface", "file", NULL};

const char *
conf_check_kind_name(enum conf_check_kind k)
{
	if ((unsigned)k < sizeof(kind_keys) / sizeof(kind_keys[0]) - 1)
		return kind_keys[k];
	return "?";
}

/* ------------------------------------------------------------ kinds */

/* "127.0.0.1:8080" or "[::1]:8080". */
static void
check_tcp(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;
	char host[CONF_ADDR_STRLEN + 2];
	const char *v, *colon, *h;
	size_t hl;
	char *end;
	long port;

	if (!conf_get_str(x, s, &v))
		return;
	colon = strrchr(v, ':');
	if (colon == NULL || colon == v) {
		conf_err(x, s, "'%s' is not ADDRESS:PORT", v);
		return;
	}
	h = v;
	hl = (size_t)(colon - v);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (hl >= sizeof(host) || colon[1] == '\0' || *end != '\0' ||
	    port < 1 || port > 65535) {
		conf_err(x, s, "'%s' is not ADDRESS:PORT", v);
		return;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (conf_addr_parse(host, &c->addr) == -1) {
		conf_err(x, s, "'%s' is not a numeric address", host);
		return;
	}
	c->port = (uint16_t)port;
}

static void
check_http(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;
	const char *v;

	if (!conf_get_str(x, s, &v))
		return;
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
		conf_err(x, s, "'%s' is not an http:// or https:// URL", v);
		return;
	}
	if (strlen(v) >= sizeof(c->url)) {
		conf_err(x, s, "URL is longer than %zu characters",
		         sizeof(c->url) - 1);
		return;
	}
	memcpy(c->url, v, strlen(v) + 1);
}

static void
check_exec(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;
	const config_setting_t *e;
	const char *v;
	unsigned n, i;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_err(x, s, "expected a list of strings [ \"/path\", ... ]");
		return;
	}
	n = (unsigned)config_setting_length(s);
	if (n == 0 || n > CONF_ARGV_MAX) {
		conf_err(x, s, "%u words; 1 to %d", n, CONF_ARGV_MAX);
		return;
	}
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if (!conf_get_str(x, e, &v))
			return;
		if (i == 0 && v[0] != '/') {
			conf_err(x, e, "'%s' is not an absolute path", v);
			return;
		}
	}
	if ((c->argv = calloc((size_t)n + 1, sizeof(*c->argv))) == NULL) {
		conf_err(x, s, "%s", strerror(ENOMEM));
		return;
	}
	for (i = 0; i < n; i++) {
		v = config_setting_get_string(config_setting_get_elem(s, i));
		if ((c->argv[i] = strdup(v)) == NULL) {
			conf_err(x, s, "%s", strerror(ENOMEM));
			return;
		}
		c->argc++;
	}
}

static void
check_process(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;
	const char *v;

	if (!conf_get_str(x, s, &v))
		return;
	if (v[0] == '\0' || strchr(v, '/') != NULL ||
	    strlen(v) >= sizeof(c->process)) {
		conf_err(x, s, "'%s' is not a process name", v);
		return;
	}
	memcpy(c->process, v, strlen(v) + 1);
}

static void
check_interface(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;

	conf_get_ifname(x, s, c->interface);
}

static void
check_file(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;

	conf_get_path(x, s, sizeof(c->path), true, c->path);
}

/* ------------------------------------------------------ other keys */

static void
check_name(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;

	conf_get_name(x, s, sizeof(c->name), "check name", c->name);
}

static void
check_weight(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;
	long long v;

	if (!conf_get_int(x, s, -CONF_WEIGHT_MAX, CONF_WEIGHT_MAX, &v))
		return;
	c->weight = (int)v;
	c->weight_set = true;
}

static void
check_expect(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;
	long long v;
	int n, i;

	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		if (conf_get_int(x, s, 100, 599, &v)) {
			c->expect[0] = (unsigned)v;
			c->nexpect = 1;
		}
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_err(x, s, "expected a status code or a list of them");
		return;
	}
	n = config_setting_length(s);
	if (n == 0 || n > CONF_EXPECT_MAX) {
		conf_err(x, s, "%d status codes; 1 to %d", n, CONF_EXPECT_MAX);
		return;
	}
	for (i = 0; i < n; i++)
		if (conf_get_int(x, config_setting_get_elem(s, (unsigned)i),
		                 100, 599, &v))
			c->expect[c->nexpect++] = (unsigned)v;
}

static void
check_ca_file(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;

	conf_get_path(x, s, sizeof(c->ca_file), true, c->ca_file);
}

static void
check_str(struct conf_ctx *x, const config_setting_t *s, char *out, size_t size,
          const char *what)
{
	const char *v;

	if (!conf_get_str(x, s, &v))
		return;
	if (v[0] == '\0' || strlen(v) >= size) {
		conf_err(x, s, "%s is empty or longer than %zu characters",
		         what, size - 1);
		return;
	}
	memcpy(out, v, strlen(v) + 1);
}

static void
check_host(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;

	check_str(x, s, c->host, sizeof(c->host), "host");
}

static void
check_user(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;

	check_str(x, s, c->user, sizeof(c->user), "user name");
}

static void
check_cmdline(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf_check *c = obj;

	check_str(x, s, c->cmdline, sizeof(c->cmdline), "command line");
}

static const struct conf_key check_keys[] = {
    {"name", CK_FN, 0, 0, 0, check_name},
    {"tcp", CK_FN, 0, 0, 0, check_tcp},
    {"http", CK_FN, 0, 0, 0, check_http},
    {"exec", CK_FN, 0, 0, 0, check_exec},
    {"process", CK_FN, 0, 0, 0, check_process},
    {"interface", CK_FN, 0, 0, 0, check_interface},
    {"file", CK_FN, 0, 0, 0, check_file},
    {"interval_ms", CK_UINT, CONF_CHECK_INTERVAL_MIN, CONF_CHECK_INTERVAL_MAX,
     offsetof(struct conf_check, interval_ms), NULL},
    {"timeout_ms", CK_UINT, CONF_CHECK_INTERVAL_MIN, CONF_CHECK_INTERVAL_MAX,
     offsetof(struct conf_check, timeout_ms), NULL},
    {"rise", CK_UINT, 1, 100, offsetof(struct conf_check, rise), NULL},
    {"fall", CK_UINT, 1, 100, offsetof(struct conf_check, fall), NULL},
    {"weight", CK_FN, 0, 0, 0, check_weight},
    {"expect", CK_FN, 0, 0, 0, check_expect},
    {"tls_verify", CK_BOOL, 0, 0, offsetof(struct conf_check, tls_verify),
     NULL},
    {"ca_file", CK_FN, 0, 0, 0, check_ca_file},
    {"host", CK_FN, 0, 0, 0, check_host},
    {"user", CK_FN, 0, 0, 0, check_user},
    {"cmdline", CK_FN, 0, 0, 0, check_cmdline},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

/* Keys that only one kind takes. */
static const struct {
	const char *key;
	enum conf_check_kind kind;
} kind_only[] = {
    {"expect", CONF_CHECK_HTTP},  {"tls_verify", CONF_CHECK_HTTP},
    {"ca_file", CONF_CHECK_HTTP}, {"host", CONF_CHECK_HTTP},
    {"user", CONF_CHECK_EXEC},    {"cmdline", CONF_CHECK_PROCESS},
};

/* Exactly one kind key (the first in the file counts); then no key of
 * another kind. */
static void
check_kind(struct conf_ctx *x, const config_setting_t *s, struct conf_check *c)
{
	const config_setting_t *k, *first = NULL;
	unsigned e;
	size_t i;

	for (e = 0; (k = config_setting_get_elem(s, e)) != NULL; e++) {
		for (i = 0; kind_keys[i] != NULL; i++)
			if (strcmp(config_setting_name(k), kind_keys[i]) == 0)
				break;
		if (kind_keys[i] == NULL)
			continue;
		if (first == NULL) {
			first = k;
			c->kind = (enum conf_check_kind)i;
		} else {
			conf_err(x, k,
			         "a check has one kind: %s is set at line %d",
			         config_setting_name(first), conf_line(first));
		}
	}
	if (first == NULL) {
		conf_err(x, s,
		         "one of tcp, http, exec, process, interface, file "
		         "is required");
		return;
	}
	for (i = 0; i < sizeof(kind_only) / sizeof(kind_only[0]); i++)
		if (kind_only[i].kind != c->kind &&
		    (k = config_setting_get_member(s, kind_only[i].key)))
			conf_err(x, k, "only used by %s checks",
			         kind_keys[kind_only[i].kind]);
}

static void
check_parse(struct conf_ctx *x, const config_setting_t *s, struct conf_check *c)
{
	c->line = conf_line(s);
	c->interval_ms = CONF_DEFAULT_CHECK_INTERVAL_MS;
	c->rise = CONF_DEFAULT_CHECK_RISE;
	c->fall = CONF_DEFAULT_CHECK_FALL;
	c->tls_verify = true;
	if (!conf_is_block(x, s))
		return;
	conf_walk(x, s, check_keys, c);
	if (config_setting_get_member(s, "name") == NULL)
		conf_err_under(x, s, "name", "required key missing");
	check_kind(x, s, c);
	if (config_setting_get_member(s, "timeout_ms") == NULL)
		c->timeout_ms = c->interval_ms;
}

void
conf_checks_parse(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;
	struct conf_check *nc;
	const config_setting_t **cs;
	int n, i;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_err(x, s, "expected a list of checks ( ... )");
		return;
	}
	n = config_setting_length(s);
	if (n > CONF_CHECKS_MAX) {
		conf_err(x, s, "%d checks; at most %d", n, CONF_CHECKS_MAX);
		return;
	}
	if (c->nchecks + (size_t)n > CONF_CHECKS_MAX) {
		conf_err(x, s, "%zu checks in all; at most %d",
		         c->nchecks + (size_t)n, CONF_CHECKS_MAX);
		return;
	}
	if (n == 0)
		return;
	/* Drop-in files append to the checks read so far. */
	nc = realloc(c->checks, (c->nchecks + (size_t)n) * sizeof(*nc));
	if (nc != NULL)
		c->checks = nc;
	cs = realloc(x->cset, (c->nchecks + (size_t)n) * sizeof(*cs));
	if (cs != NULL)
		x->cset = cs;
	if (nc == NULL || cs == NULL) {
		conf_err(x, s, "%s", strerror(ENOMEM));
		return;
	}
	memset(&c->checks[c->nchecks], 0, (size_t)n * sizeof(*nc));
	for (i = 0; i < n; i++) {
		size_t k = c->nchecks++;

		x->cset[k] = config_setting_get_elem(s, (unsigned)i);
		check_parse(x, x->cset[k], &c->checks[k]);
	}
}

/* ----------------------------------------------------------- track */

/* One entry: "name" or { check = "name"; weight = -60; }. */
static bool
track_entry(struct conf_ctx *x, const config_setting_t *e, struct conf_track *t)
{
	const config_setting_t *k;
	long long v;
	int i;

	t->weight = WEIGHT_UNSET;
	if (config_setting_type(e) == CONFIG_TYPE_STRING)
		return conf_get_name(x, e, sizeof(t->name), "check name",
		                     t->name);
	if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
		conf_err(x, e,
		         "expected a check name or { check = \"name\"; "
		         "weight = N; }");
		return false;
	}
	for (i = 0; (k = config_setting_get_elem(e, (unsigned)i)); i++) {
		if (strcmp(config_setting_name(k), "check") == 0) {
			if (!conf_get_name(x, k, sizeof(t->name), "check name",
			                   t->name))
				return false;
		} else if (strcmp(config_setting_name(k), "weight") == 0) {
			if (!conf_get_int(x, k, -CONF_WEIGHT_MAX,
			                  CONF_WEIGHT_MAX, &v))
				return false;
			t->weight = (int)v;
		} else {
			conf_err(x, k, "unknown key");
			return false;
		}
	}
	if (t->name[0] == '\0') {
		conf_err_under(x, e, "check", "required key missing");
		return false;
	}
	return true;
}

void
conf_track_parse(struct conf_ctx *x, const config_setting_t *s,
                 struct conf_group *g)
{
	int n, i;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_err(x, s, "expected a list of check names [ ... ]");
		return;
	}
	n = config_setting_length(s);
	if (n > CONF_TRACK_MAX) {
		conf_err(x, s, "%d checks; at most %d", n, CONF_TRACK_MAX);
		return;
	}
	if (n == 0)
		return;
	if ((g->track = calloc((size_t)n, sizeof(*g->track))) == NULL) {
		conf_err(x, s, "%s", strerror(ENOMEM));
		return;
	}
	for (i = 0; i < n; i++)
		if (track_entry(x, config_setting_get_elem(s, (unsigned)i),
		                &g->track[g->ntrack]))
			g->ntrack++;
}

/* ---------------------------------------------------- across the file */

/* A member of the i-th check block, or NULL. */
static const config_setting_t *
check_member(const struct conf_ctx *x, size_t i, const char *name)
{
	const config_setting_t *e = x->cset != NULL ? x->cset[i] : NULL;

	if (e == NULL || config_setting_type(e) != CONFIG_TYPE_GROUP)
		return NULL;
	return config_setting_get_member(e, name);
}

static void
check_names(struct conf_ctx *x)
{
	const struct conf *c = x->c;
	char where[CONF_PATH_MAX + 16];
	size_t i, j;

	for (j = 1; j < c->nchecks; j++) {
		if (c->checks[j].name[0] == '\0')
			continue;
		for (i = 0; i < j; i++)
			if (strcmp(c->checks[i].name, c->checks[j].name) == 0)
				break;
		if (i < j)
			conf_err(x, check_member(x, j, "name"),
			         "check name '%s' used twice (also at %s)",
			         c->checks[j].name,
			         conf_where(x, check_member(x, i, "name"),
			                    check_member(x, j, "name"), where,
			                    sizeof(where)));
	}
}

static long
check_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nchecks; i++)
		if (strcmp(c->checks[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* The setting naming check name for the nth time (0: first) in track. */
static const config_setting_t *
track_name_setting(const config_setting_t *track, const char *name,
                   unsigned nth)
{
	const config_setting_t *e, *k;
	unsigned i;

	for (i = 0; (e = config_setting_get_elem(track, i)) != NULL; i++) {
		k = config_setting_type(e) == CONFIG_TYPE_GROUP
		        ? config_setting_get_member(e, "check")
		        : e;
		if (k != NULL && config_setting_type(k) == CONFIG_TYPE_STRING &&
		    strcmp(config_setting_get_string(k), name) == 0 &&
		    nth-- == 0)
			return k;
	}
	return track;
}

static void
track_resolve(struct conf_ctx *x, struct conf_group *g,
              const config_setting_t *track)
{
	const struct conf_check *ck;
	size_t k, j;
	long i;

	for (k = 0; k < g->ntrack; k++) {
		struct conf_track *t = &g->track[k];

		for (j = 0; j < k; j++)
			if (strcmp(g->track[j].name, t->name) == 0)
				break;
		if (j < k) {
			conf_err(x, track_name_setting(track, t->name, 1),
			         "check '%s' tracked twice", t->name);
			continue;
		}
		if ((i = check_find(x->c, t->name)) < 0) {
			conf_err(x, track_name_setting(track, t->name, 0),
			         "unknown check '%s'", t->name);
			continue;
		}
		t->check = (size_t)i;
		ck = &x->c->checks[i];
		if (t->weight == WEIGHT_UNSET)
			t->weight = ck->weight_set ? ck->weight : 0;
	}
}

void
conf_checks_check(struct conf_ctx *x, const config_setting_t *root)
{
	const config_setting_t *g, *track;
	struct conf *c = x->c;
	size_t i;

	(void)root;
	check_names(x);
	/* Every group's block, in whichever file: a group may track a check
	 * of any file. */
	for (i = 0; i < c->ngroups && x->gset != NULL; i++) {
		g = x->gset[i];
		if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP ||
		    (track = config_setting_get_member(g, "track")) == NULL)
			continue;
		track_resolve(x, &c->groups[i], track);
	}
}

/* ----------------------------------------------------------- compare */

static bool
argv_same(const struct conf_check *a, const struct conf_check *b)
{
	size_t i;

	if (a->argc != b->argc)
		return false;
	for (i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]) != 0)
			return false;
	return true;
}

bool
conf_check_same(const struct conf_check *a, const struct conf_check *b)
{
	return strcmp(a->name, b->name) == 0 && a->kind == b->kind &&
	       a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->rise == b->rise &&
	       a->fall == b->fall && conf_addr_cmp(&a->addr, &b->addr) == 0 &&
	       a->port == b->port && strcmp(a->url, b->url) == 0 &&
	       a->nexpect == b->nexpect &&
	       memcmp(a->expect, b->expect, sizeof(a->expect)) == 0 &&
	       a->tls_verify == b->tls_verify &&
	       strcmp(a->ca_file, b->ca_file) == 0 &&
	       strcmp(a->host, b->host) == 0 && argv_same(a, b) &&
	       strcmp(a->user, b->user) == 0 &&
	       strcmp(a->process, b->process) == 0 &&
	       strcmp(a->cmdline, b->cmdline) == 0 &&
	       strcmp(a->interface, b->interface) == 0 &&
	       strcmp(a->path, b->path) == 0;
}

void
conf_checks_free(struct conf *c)
{
	size_t i, k;

	for (i = 0; i < c->nchecks; i++) {
		for (k = 0; k < c->checks[i].argc; k++)
			free(c->checks[i].argv[k]);
		free(c->checks[i].argv);
	}
	free(c->checks);
	for (i = 0; i < c->ngroups; i++)
		free(c->groups[i].track);
}
