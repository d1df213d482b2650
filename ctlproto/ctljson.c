/* The control protocol's JSON helpers on top of jansson.  See ctljson.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctljson.h"

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

json_t *
ctl_json_str(const char *s)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), i = 0, o = 0, n;
	json_t *v;
	char *out;

	while (i < left && (n = utf8_len(p + i, left - i)) != 0)
		i += n;
	/* Checked above (and stricter than jansson): no need to check twice. */
	if (i == left)
		return json_stringn_nocheck((const char *)p, left);
	/* Each bad byte becomes 3: the copy is at most 3 times as long. */
	if ((out = malloc(3 * left + 1)) == NULL)
		return NULL;
	memcpy(out, p, i);
	o = i;
	while (i < left) {
		if ((n = utf8_len(p + i, left - i)) == 0) {
			memcpy(out + o, fffd, 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	v = json_stringn_nocheck(out, o);
	free(out);
	return v;
}

json_t *
ctl_json_uint(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX
	                                            : (json_int_t)v);
}

json_t *
ctl_json_error(const char *msg)
{
	return json_pack("{s:b,s:o}", "ok", 0, "error", ctl_json_str(msg));
}

char *
ctl_json_line(const json_t *v, size_t *len)
{
	char *text, *line;
	size_t n;

	if (v == NULL)
		return NULL;
	text =
	    json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (text == NULL)
		return NULL;
	n = strlen(text);
	if ((line = realloc(text, n + 2)) == NULL) {
		free(text);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return line;
}

json_t *
ctl_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &je);

	if (v == NULL)
		snprintf(err, errlen, "line %d col %d: %s", je.line, je.column,
		         je.text);
	return v;
}

const char *
ctl_json_get_str(const json_t *obj, const char *key, const char *dflt)
{
	const json_t *m = json_object_get(obj, key);

	return json_is_string(m) ? json_string_value(m) : dflt;
}

int64_t
ctl_json_int_value(const json_t *v, int64_t dflt)
{
	double d;

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (!json_is_real(v))
		return dflt;
	/* Casting a double outside int64_t's range is undefined. */
	d = json_real_value(v);
	if (d != d)
		return dflt;
	if (d >= 9223372036854775807.0)
		return INT64_MAX;
	if (d <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)d;
}

int64_t
ctl_json_get_int(const json_t *obj, const char *key, int64_t dflt)
{
	return ctl_json_int_value(json_object_get(obj, key), dflt);
}

bool
ctl_json_get_bool(const json_t *obj, const char *key, bool dflt)
{
	const json_t *m = json_object_get(obj, key);

	return json_is_boolean(m) ? json_is_true(m) : dflt;
}
