/* JSON writer and parser for the control protocol.  See json.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_NEST 64

struct json {
	char *buf;
	size_t len, cap;
	bool failed;
	int depth;
	bool first[JSON_MAX_NEST];
};

struct json *
json_new(void)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->first[0] = true;
	return j;
}

void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	free(j->buf);
	free(j);
}

static void
put(struct json *j, const char *s, size_t n)
{
	if (j->failed)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 1024;
		char *b;

		while (j->len + n + 1 > cap)
			cap *= 2;
		if ((b = realloc(j->buf, cap)) == NULL) {
			j->failed = true;
			return;
		}
		j->buf = b;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void
puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

/*
 * Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one:
 * overlong forms, surrogates and code points past U+10FFFF are invalid.
 */
static size_t
utf8_len(const unsigned char *p, size_t avail)
{
	unsigned cp;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff)
		return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD, so the output is
 * always valid JSON whatever the daemon was given (interface names, kernel
 * and library messages). */
static void
put_escaped(struct json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;

	put(j, "\"", 1);
	while (left > 0) {
		char esc[8];

		switch (*p) {
		case '"':
			puts_(j, "\\\"");
			break;
		case '\\':
			puts_(j, "\\\\");
			break;
		case '\n':
			puts_(j, "\\n");
			break;
		case '\t':
			puts_(j, "\\t");
			break;
		case '\r':
			puts_(j, "\\r");
			break;
		default:
			if (*p < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				puts_(j, esc);
			} else if ((n = utf8_len(p, left)) == 0) {
				puts_(j, "\\ufffd");
			} else {
				put(j, (const char *)p, n);
				p += n;
				left -= n;
				continue;
			}
		}
		p++;
		left--;
	}
	put(j, "\"", 1);
}

/* Separator and member name before a value. */
static void
member(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		put(j, ",", 1);
	j->first[j->depth] = false;
	if (key != NULL) {
		put_escaped(j, key);
		put(j, ":", 1);
	}
}

static void
open_(struct json *j, const char *key, const char *bracket)
{
	member(j, key);
	puts_(j, bracket);
	if (j->depth + 1 >= JSON_MAX_NEST) {
		j->failed = true;
		return;
	}
	j->first[++j->depth] = true;
}

static void
close_(struct json *j, const char *bracket)
{
	if (j->depth == 0) {
		j->failed = true; /* more ends than begins */
		return;
	}
	j->depth--;
	puts_(j, bracket);
}

void
json_obj_begin(struct json *j, const char *key)
{
	open_(j, key, "{");
}

void
json_obj_end(struct json *j)
{
	close_(j, "}");
}

void
json_arr_begin(struct json *j, const char *key)
{
	open_(j, key, "[");
}

void
json_arr_end(struct json *j)
{
	close_(j, "]");
}

void
json_str(struct json *j, const char *key, const char *val)
{
	member(j, key);
	put_escaped(j, val ? val : "");
}

void
json_int(struct json *j, const char *key, int64_t val)
{
	char b[32];

	member(j, key);
	snprintf(b, sizeof(b), "%" PRId64, val);
	puts_(j, b);
}

void
json_uint(struct json *j, const char *key, uint64_t val)
{
	char b[32];

	member(j, key);
	snprintf(b, sizeof(b), "%" PRIu64, val);
	puts_(j, b);
}

void
json_bool(struct json *j, const char *key, bool val)
{
	member(j, key);
	puts_(j, val ? "true" : "false");
}

void
json_null(struct json *j, const char *key)
{
	member(j, key);
	puts_(j, "null");
}

const char *
json_text(const struct json *j, size_t *len)
{
	if (j->failed)
		return NULL;
	if (len)
		*len = j->len;
	return j->buf ? j->buf : "";
}

/* ------------------------------------------------------------ parser */

struct jp {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	bool failed;
};

static void
jp_fail(struct jp *p, const char *what)
{
	size_t i, line = 1, col = 1;

	if (p->failed)
		return;
	p->failed = true;
	for (i = 0; i < p->pos && i < p->len; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(p->err, p->errlen, "line %zu col %zu: %s", line, col, what);
}

static void
jp_ws(struct jp *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
	        p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool
jp_lit(struct jp *p, const char *lit)
{
	size_t n = strlen(lit);

	if (p->len - p->pos >= n && memcmp(p->s + p->pos, lit, n) == 0) {
		p->pos += n;
		return true;
	}
	return false;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
jp_hex4(struct jp *p, unsigned *out)
{
	unsigned v = 0;
	int i, h;

	if (p->len - p->pos < 4)
		return false;
	for (i = 0; i < 4; i++) {
		if ((h = hexval(p->s[p->pos + (size_t)i])) < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	p->pos += 4;
	*out = v;
	return true;
}

static void
utf8_put(char *out, size_t *o, unsigned cp)
{
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xc0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*o)++] = (char)(0xe0 | (cp >> 12));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | (cp >> 18));
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* One escape after its backslash; NULL, or what is wrong with it. */
static const char *
jp_escape(struct jp *p, char *out, size_t *o)
{
	unsigned cp, lo;
	char c = p->s[p->pos++];

	switch (c) {
	case '"':
	case '\\':
	case '/':
		out[(*o)++] = c;
		return NULL;
	case 'b':
		out[(*o)++] = '\b';
		return NULL;
	case 'f':
		out[(*o)++] = '\f';
		return NULL;
	case 'n':
		out[(*o)++] = '\n';
		return NULL;
	case 'r':
		out[(*o)++] = '\r';
		return NULL;
	case 't':
		out[(*o)++] = '\t';
		return NULL;
	case 'u':
		if (!jp_hex4(p, &cp))
			return "bad \\u escape";
		if (cp >= 0xd800 && cp < 0xdc00) {
			if (!jp_lit(p, "\\u") || !jp_hex4(p, &lo) ||
			    lo < 0xdc00 || lo > 0xdfff)
				return "unpaired surrogate in string";
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp < 0xe000) {
			return "unpaired surrogate in string";
		}
		/* The tree holds C strings: a NUL would cut them short. */
		if (cp == 0)
			return "\\u0000 in string";
		utf8_put(out, o, cp);
		return NULL;
	default:
		return "bad escape in string";
	}
}

/* Parse a string at p->pos (on the opening quote). */
static char *
jp_string(struct jp *p)
{
	size_t start = ++p->pos, o = 0, n;
	const char *bad;
	char *out;

	/* Escapes never expand: the raw length bounds the decoded one. */
	while (p->pos < p->len && p->s[p->pos] != '"') {
		if (p->s[p->pos] == '\\')
			p->pos++;
		p->pos++;
	}
	if (p->pos >= p->len) {
		jp_fail(p, "unterminated string");
		return NULL;
	}
	if ((out = malloc(p->pos - start + 1)) == NULL) {
		jp_fail(p, "out of memory");
		return NULL;
	}
	p->pos = start;
	while (p->s[p->pos] != '"') {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c < 0x20) {
			jp_fail(p, "control character in string");
			goto fail;
		}
		if (c == '\\') {
			p->pos++;
			if ((bad = jp_escape(p, out, &o)) != NULL) {
				jp_fail(p, bad);
				goto fail;
			}
			continue;
		}
		n = utf8_len((const unsigned char *)p->s + p->pos,
		             p->len - p->pos);
		if (n == 0) {
			jp_fail(p, "invalid UTF-8 in string");
			goto fail;
		}
		memcpy(out + o, p->s + p->pos, n);
		o += n;
		p->pos += n;
	}
	p->pos++;
	out[o] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

static size_t
jp_digits(struct jp *p)
{
	size_t n = 0;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		p->pos++;
		n++;
	}
	return n;
}

/*
 * A number as RFC 8259 spells it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 * num is the double; i is the exact value of an integer that fits int64_t,
 * otherwise num truncated and clamped to int64_t's range.
 */
static const char *
jp_number(struct jp *p, struct jv *v)
{
	size_t start = p->pos;
	bool integral = true;
	char buf[64];

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0')
		p->pos++;
	else if (jp_digits(p) == 0)
		return "unexpected character";
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		integral = false;
		if (jp_digits(p) == 0)
			return "bad number";
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		integral = false;
		if (p->pos < p->len &&
		    (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (jp_digits(p) == 0)
			return "bad number";
	}
	if (p->pos - start >= sizeof(buf))
		return "number too long";
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	v->type = JV_NUM;
	v->num = strtod(buf, NULL);
	errno = 0;
	if (integral && ((v->i = strtoll(buf, NULL, 10)), errno == 0))
		return NULL;
	/* Casting a double outside int64_t's range is undefined. */
	if (v->num >= 9223372036854775807.0)
		v->i = INT64_MAX;
	else if (v->num <= -9223372036854775808.0)
		v->i = INT64_MIN;
	else
		v->i = (int64_t)v->num;
	return NULL;
}

static struct jv *jp_value(struct jp *p, int depth);

/* Append; the arrays grow to the next power of two (no capacity field:
 * n alone tells when the allocation is full). */
static bool
jp_push(struct jv *v, struct jv *item, char *key)
{
	size_t cap = v->n == 0 ? 1 : v->n * 2;
	struct jv **nv;
	char **nk;

	if (v->n == 0 || (v->n & (v->n - 1)) == 0) {
		if ((nv = realloc(v->v, cap * sizeof(*nv))) == NULL)
			return false;
		v->v = nv;
		if (v->type == JV_OBJ) {
			if ((nk = realloc(v->k, cap * sizeof(*nk))) == NULL)
				return false;
			v->k = nk;
		}
	}
	if (v->type == JV_OBJ)
		v->k[v->n] = key;
	v->v[v->n++] = item;
	return true;
}

static bool
jp_members(struct jp *p, struct jv *v, int depth)
{
	char close = v->type == JV_OBJ ? '}' : ']';

	p->pos++;
	jp_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return true;
	}
	for (;;) {
		char *key = NULL;
		struct jv *item;

		jp_ws(p);
		if (v->type == JV_OBJ) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				jp_fail(p, "expected a member name");
				return false;
			}
			if ((key = jp_string(p)) == NULL)
				return false;
			jp_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				jp_fail(p, "expected ':'");
				return false;
			}
			p->pos++;
		}
		if ((item = jp_value(p, depth + 1)) == NULL) {
			free(key);
			return false;
		}
		if (!jp_push(v, item, key)) {
			free(key);
			jv_free(item);
			jp_fail(p, "out of memory");
			return false;
		}
		jp_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return true;
		}
		jp_fail(p, v->type == JV_OBJ ? "expected ',' or '}'"
		                             : "expected ',' or ']'");
		return false;
	}
}

static struct jv *
jp_value(struct jp *p, int depth)
{
	const char *bad;
	struct jv *v;
	char c;

	jp_ws(p);
	if (p->pos >= p->len) {
		jp_fail(p, "unexpected end of input");
		return NULL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		jp_fail(p, "out of memory");
		return NULL;
	}
	c = p->s[p->pos];
	if ((c == '{' || c == '[') && depth >= JV_MAX_DEPTH) {
		jp_fail(p, "nested too deeply");
	} else if (c == '{' || c == '[') {
		v->type = c == '{' ? JV_OBJ : JV_ARR;
		if (jp_members(p, v, depth))
			return v;
	} else if (c == '"') {
		v->type = JV_STR;
		if ((v->s = jp_string(p)) != NULL)
			return v;
	} else if (jp_lit(p, "true") || jp_lit(p, "false")) {
		v->type = JV_BOOL;
		v->b = c == 't';
		return v;
	} else if (jp_lit(p, "null")) {
		return v;
	} else if ((bad = jp_number(p, v)) == NULL) {
		return v;
	} else {
		jp_fail(p, bad);
	}
	jv_free(v);
	return NULL;
}

struct jv *
jv_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct jp p = {text, len, 0, err, errlen, false};
	struct jv *v = jp_value(&p, 0);

	if (v == NULL)
		return NULL;
	jp_ws(&p);
	if (p.pos != p.len) {
		jp_fail(&p, "trailing characters after the value");
		jv_free(v);
		return NULL;
	}
	return v;
}

void
jv_free(struct jv *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		jv_free(v->v[i]);
		if (v->k)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
	free(v->s);
	free(v);
}

const struct jv *
jv_get(const struct jv *v, const char *key)
{
	size_t i;

	if (v == NULL || v->type != JV_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->k[i], key) == 0)
			return v->v[i];
	return NULL;
}

const char *
jv_str(const struct jv *v, const char *key, const char *dflt)
{
	const struct jv *m = jv_get(v, key);

	return m && m->type == JV_STR ? m->s : dflt;
}

int64_t
jv_int(const struct jv *v, const char *key, int64_t dflt)
{
	const struct jv *m = jv_get(v, key);

	return m && m->type == JV_NUM ? m->i : dflt;
}

bool
jv_bool(const struct jv *v, const char *key, bool dflt)
{
	const struct jv *m = jv_get(v, key);

	return m && m->type == JV_BOOL ? m->b : dflt;
}
