/*
 * Error collection, key paths and typed reads of libconfig settings.  Every
 * reader reports its own error, so callers only decide what to do next.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

#define KEY_MAX 512

static char *
vfmt(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

__attribute__((format(printf, 1, 2))) static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	s = vfmt(f, ap);
	va_end(ap);
	return s;
}

/* Append msg (owned) to the caller's list; a lost message still counts. */
static void
err_add(struct conf_ctx *x, char *msg)
{
	struct conf_errors *e = x->errs;
	char **v;

	x->nerr++;
	if (msg == NULL) {
		x->nomem = true;
		return;
	}
	v = realloc(e->msg, (e->n + 1) * sizeof(*v));
	if (v == NULL) {
		free(msg);
		x->nomem = true;
		return;
	}
	e->msg = v;
	e->msg[e->n++] = msg;
}

int
conf_line(const config_setting_t *s)
{
	/* The root block has line 0: point at the top of the file. */
	return config_setting_source_line(s) ? config_setting_source_line(s)
	                                     : 1;
}

/* groups[0].vips[2]: names for members, [index] for list elements. */
static size_t
key_path(const config_setting_t *s, char *buf, size_t size)
{
	const config_setting_t *p = config_setting_parent(s);
	const char *name = config_setting_name(s);
	size_t n;
	int k;

	if (p == NULL) {
		buf[0] = '\0';
		return 0;
	}
	n = key_path(p, buf, size);
	if (n >= size - 1)
		return n;
	if (name != NULL)
		k = snprintf(buf + n, size - n, "%s%s", n ? "." : "", name);
	else
		k = snprintf(buf + n, size - n, "[%d]",
		             config_setting_index(s));
	if (k < 0)
		return n;
	n += (size_t)k;
	return n < size ? n : size - 1;
}

const char *
conf_path_of(const struct conf_ctx *x, const config_setting_t *s)
{
	size_t i;

	for (i = 0; s != NULL && i < x->ndrops; i++)
		if (s->config == &x->drops[i].cfg)
			return x->drops[i].path;
	return x->path;
}

const char *
conf_where(const struct conf_ctx *x, const config_setting_t *s,
           const config_setting_t *near, char *buf, size_t len)
{
	const char *p = conf_path_of(x, s);

	if (p == conf_path_of(x, near))
		snprintf(buf, len, "line %d", conf_line(s));
	else
		snprintf(buf, len, "%s:%d", p, conf_line(s));
	return buf;
}

/*
 * What the conf_err* functions share: "path:line: key: message", without
 * "key: " when key is NULL and without ":line" when line is 0 as well.
 */
static void
err_vadd(struct conf_ctx *x, const char *path, int line, const char *key,
         const char *f, va_list ap)
{
	char *m;

	if ((m = vfmt(f, ap)) == NULL)
		err_add(x, NULL);
	else if (key != NULL)
		err_add(x, fmt("%s:%d: %s: %s", path, line, key, m));
	else if (line > 0)
		err_add(x, fmt("%s:%d: %s", path, line, m));
	else
		err_add(x, fmt("%s: %s", path, m));
	free(m);
}

void
conf_err_file(struct conf_ctx *x, int line, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	err_vadd(x, x->path, line, NULL, f, ap);
	va_end(ap);
}

void
conf_err(struct conf_ctx *x, const config_setting_t *s, const char *f, ...)
{
	char key[KEY_MAX];
	va_list ap;

	key_path(s, key, sizeof(key));
	va_start(ap, f);
	err_vadd(x, conf_path_of(x, s), conf_line(s), key, f, ap);
	va_end(ap);
}

void
conf_err_under(struct conf_ctx *x, const config_setting_t *parent,
               const char *name, const char *f, ...)
{
	char key[KEY_MAX];
	va_list ap;
	size_t n;

	n = key_path(parent, key, sizeof(key));
	snprintf(key + n, sizeof(key) - n, "%s%s", n ? "." : "", name);
	va_start(ap, f);
	err_vadd(x, conf_path_of(x, parent), conf_line(parent), key, f, ap);
	va_end(ap);
}

bool
conf_get_int(struct conf_ctx *x, const config_setting_t *s, long long lo,
             long long hi, long long *out)
{
	long long v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		conf_err(x, s, "expected an integer");
		return false;
	}
	if (v < lo || v > hi) {
		conf_err(x, s, "value %lld out of range %lld-%lld", v, lo, hi);
		return false;
	}
	*out = v;
	return true;
}

bool
conf_get_str(struct conf_ctx *x, const config_setting_t *s, const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_err(x, s, "expected a string");
		return false;
	}
	*out = config_setting_get_string(s);
	return true;
}

bool
conf_get_bool(struct conf_ctx *x, const config_setting_t *s, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_err(x, s, "expected a boolean");
		return false;
	}
	*out = config_setting_get_bool(s) != 0;
	return true;
}

bool
conf_is_block(struct conf_ctx *x, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		conf_err(x, s, "expected a group { ... }");
		return false;
	}
	return true;
}

bool
conf_get_enum(struct conf_ctx *x, const config_setting_t *s,
              const char *const *names, int *out)
{
	char list[128] = "";
	const char *v;
	int i;

	if (!conf_get_str(x, s, &v))
		return false;
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return true;
		}
		if (i > 0)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	conf_err(x, s, "'%s' is not one of %s", v, list);
	return false;
}

bool
conf_valid_name(const char *s, size_t size)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= size)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("._-", s[i]) == NULL)
			return false;
	return true;
}

bool
conf_get_name(struct conf_ctx *x, const config_setting_t *s, size_t size,
              const char *what, char *out)
{
	const char *v;

	if (!conf_get_str(x, s, &v))
		return false;
	if (!conf_valid_name(v, size)) {
		conf_err(x, s,
		         "'%s' is not a valid %s (1-%zu characters of A-Z a-z "
		         "0-9 . _ -)",
		         v, what, size - 1);
		return false;
	}
	memcpy(out, v, strlen(v) + 1);
	return true;
}

bool
conf_get_ifname(struct conf_ctx *x, const config_setting_t *s,
                char out[IFNAMSIZ])
{
	const char *v;
	size_t i, n;

	if (!conf_get_str(x, s, &v))
		return false;
	n = strlen(v);
	if (n == 0) {
		conf_err(x, s, "interface name is empty");
		return false;
	}
	if (n >= IFNAMSIZ) {
		conf_err(x, s,
		         "interface name '%s' is longer than %d characters", v,
		         IFNAMSIZ - 1);
		return false;
	}
	/* The kernel's own rule (dev_valid_name). */
	for (i = 0; i < n; i++)
		if (v[i] == '/' || v[i] == ':' || isspace((unsigned char)v[i]))
			break;
	if (i < n || strcmp(v, ".") == 0 || strcmp(v, "..") == 0) {
		conf_err(x, s, "'%s' is not a valid interface name", v);
		return false;
	}
	memcpy(out, v, n + 1);
	return true;
}

bool
conf_get_path(struct conf_ctx *x, const config_setting_t *s, size_t size,
              bool relative_to_conf, char *out)
{
	const char *v, *dir = "";
	size_t n;

	if (!conf_get_str(x, s, &v))
		return false;
	if (v[0] == '\0') {
		conf_err(x, s, "path is empty");
		return false;
	}
	if (relative_to_conf && v[0] != '/')
		dir = x->dir;
	n = strlen(dir) + strlen(v);
	if (n >= size) {
		conf_err(x, s, "path is %zu characters long; at most %zu", n,
		         size - 1);
		return false;
	}
	snprintf(out, size, "%s%s", dir, v);
	return true;
}

int
conf_list_len(struct conf_ctx *x, const config_setting_t *s, int max,
              const char *none)
{
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_err(x, s, "expected a list of addresses");
		return -1;
	}
	n = config_setting_length(s);
	if (n == 0 && none != NULL) {
		conf_err(x, s, "%s", none);
		return -1;
	}
	if (n > max) {
		conf_err(x, s, "%d addresses; at most %d", n, max);
		return -1;
	}
	return n;
}

static void
walk_store(struct conf_ctx *x, const config_setting_t *s,
           const struct conf_key *k, void *obj)
{
	char *p = (char *)obj + k->off;
	long long v;
	bool b;

	if (k->kind == CK_BOOL) {
		if (conf_get_bool(x, s, &b))
			*(bool *)p = b;
		return;
	}
	if (!conf_get_int(x, s, k->lo, k->hi, &v))
		return;
	if (k->kind == CK_UINT)
		*(unsigned *)p = (unsigned)v;
	else if (k->kind == CK_U16)
		*(uint16_t *)p = (uint16_t)v;
	else
		*(uint32_t *)p = (uint32_t)v;
}

void
conf_walk(struct conf_ctx *x, const config_setting_t *block,
          const struct conf_key *keys, void *obj)
{
	const struct conf_key *k;
	config_setting_t *s;
	int i;

	/* In file order, so that errors come out in file order too. */
	for (i = 0; (s = config_setting_get_elem(block, (unsigned)i)); i++) {
		for (k = keys; k->name != NULL; k++)
			if (strcmp(k->name, config_setting_name(s)) == 0)
				break;
		if (k->name == NULL)
			conf_err(x, s, "unknown key");
		else if (k->kind == CK_FN)
			k->fn(x, s, obj);
		else
			walk_store(x, s, k, obj);
	}
}
