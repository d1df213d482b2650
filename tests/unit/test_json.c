/*
 * json: the writer (escaping, nesting, numbers, sticky errors), the parser
 * (valid documents, every error path, the depth limit, surrogates, \u0000,
 * UTF-8, trailing garbage) and round trips between the two.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

/* The writer's text for one string value at the top level. */
static char *
write_str(const char *s)
{
	struct json *j = json_new();
	const char *t;
	char *out;

	json_str(j, NULL, s);
	t = json_text(j, NULL);
	out = t ? strdup(t) : NULL;
	json_free(j);
	return out;
}

static void
test_writer_escapes(void)
{
	static const struct {
		const char *in, *want, *what;
	} cases[] = {
	    {"", "\"\"", "empty string"},
	    {"plain", "\"plain\"", "plain text"},
	    {"a\"b", "\"a\\\"b\"", "quote"},
	    {"a\\b", "\"a\\\\b\"", "backslash"},
	    {"a\nb\tc\rd", "\"a\\nb\\tc\\rd\"", "newline, tab, CR"},
	    {"\x01\x08\x0c\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"",
	     "other control characters as \\u00XX"},
	    {"/\x7f", "\"/\x7f\"", "slash and DEL as they are"},
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	     "valid UTF-8 (2, 3, 4 bytes) as it is"},
	    {"a\xff"
	     "b",
	     "\"a\\ufffdb\"", "invalid byte as U+FFFD"},
	    {"\xc3", "\"\\ufffd\"", "truncated sequence as U+FFFD"},
	    {"\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong form as U+FFFD"},
	    {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"",
	     "UTF-8 surrogate as U+FFFD"},
	    {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	     "past U+10FFFF as U+FFFD"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = write_str(cases[i].in);

		is_str(got, cases[i].want, "writer: %s", cases[i].what);
		free(got);
	}
}

static void
test_writer_document(void)
{
	struct json *j = json_new();
	const char *t;
	size_t len = 0;

	json_obj_begin(j, NULL);
	json_bool(j, "ok", true);
	json_bool(j, "no", false);
	json_null(j, "nothing");
	json_int(j, "neg", -42);
	json_int(j, "min", INT64_MIN);
	json_int(j, "max", INT64_MAX);
	json_uint(j, "umax", UINT64_MAX);
	json_str(j, "null_str", NULL);
	json_str(j, "k\"ey", "v");
	json_arr_begin(j, "list");
	json_int(j, NULL, 1);
	json_obj_begin(j, NULL);
	json_obj_end(j);
	json_arr_begin(j, NULL);
	json_arr_end(j);
	json_str(j, NULL, "x");
	json_arr_end(j);
	json_obj_begin(j, "inner");
	json_arr_begin(j, "empty");
	json_arr_end(j);
	json_obj_end(j);
	json_obj_end(j);
	t = json_text(j, &len);
	is_str(t,
	       "{\"ok\":true,\"no\":false,\"nothing\":null,\"neg\":-42,"
	       "\"min\":-9223372036854775808,\"max\":9223372036854775807,"
	       "\"umax\":18446744073709551615,\"null_str\":\"\","
	       "\"k\\\"ey\":\"v\",\"list\":[1,{},[],\"x\"],"
	       "\"inner\":{\"empty\":[]}}",
	       "writer: nesting, separators, numbers, literals");
	is_int(len, t ? strlen(t) : 0, "writer: length matches the text");
	json_free(j);

	j = json_new();
	t = json_text(j, &len);
	ok(t != NULL && t[0] == '\0' && len == 0, "writer: empty document");
	json_free(j);
	json_free(NULL);
	ok(1, "json_free(NULL) is a no-op");
}

static void
test_writer_errors(void)
{
	struct json *j = json_new();
	int i;

	/* 63 levels fit; the 64th is refused, and the error is sticky. */
	for (i = 0; i < 63; i++)
		json_arr_begin(j, NULL);
	ok(json_text(j, NULL) != NULL, "writer: 63 levels of nesting");
	json_arr_begin(j, NULL);
	ok(json_text(j, NULL) == NULL, "writer: the 64th level fails");
	for (i = 0; i < 64; i++)
		json_arr_end(j);
	ok(json_text(j, NULL) == NULL, "writer: the failure is sticky");
	json_free(j);

	j = json_new();
	json_obj_begin(j, NULL);
	json_obj_end(j);
	json_obj_end(j);
	ok(json_text(j, NULL) == NULL, "writer: an end without a begin fails");
	json_free(j);
}

/* Parse text (NUL-terminated) and return the tree; err gets the reason. */
static struct jv *
parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return jv_parse(text, strlen(text), err, errlen);
}

static void
test_parser_valid(void)
{
	char err[128];
	struct jv *v;
	const struct jv *m;

	v = parse(" {\"a\": 1, \"b\": [true, false, null, \"s\", -2.5e1, {}],"
	          "\n \"c\": {\"d\": \"e\"}, \"a\": 2}\r\n\t",
	          err, sizeof(err));
	if (!ok(v != NULL, "parser: a document with every type (%s)", err))
		return;
	ok(v->type == JV_OBJ && v->n == 4, "parser: object with 4 members");
	is_int(jv_int(v, "a", 0), 1, "parser: duplicate key: first wins");
	m = jv_get(v, "b");
	ok(m && m->type == JV_ARR && m->n == 6, "parser: array of 6");
	if (m && m->n == 6) {
		ok(m->v[0]->type == JV_BOOL && m->v[0]->b, "parser: true");
		ok(m->v[1]->type == JV_BOOL && !m->v[1]->b, "parser: false");
		ok(m->v[2]->type == JV_NULL, "parser: null");
		is_str(m->v[3]->s, "s", "parser: string");
		ok(m->v[4]->type == JV_NUM && m->v[4]->num == -25.0 &&
		       m->v[4]->i == -25,
		   "parser: -2.5e1 is -25");
		ok(m->v[5]->type == JV_OBJ && m->v[5]->n == 0,
		   "parser: empty object");
	}
	is_str(jv_str(jv_get(v, "c"), "d", NULL), "e", "parser: nested get");
	is_str(jv_str(v, "missing", "dflt"), "dflt", "jv_str: absent member");
	is_str(jv_str(v, "a", "dflt"), "dflt", "jv_str: mistyped member");
	is_int(jv_int(v, "c", 7), 7, "jv_int: mistyped member");
	ok(jv_bool(v, "a", true), "jv_bool: mistyped member");
	ok(jv_get(m, "x") == NULL, "jv_get on an array is NULL");
	ok(jv_get(NULL, "x") == NULL, "jv_get on NULL is NULL");
	jv_free(v);
	jv_free(NULL);

	v = parse("\"x\"", err, sizeof(err));
	ok(v && v->type == JV_STR && strcmp(v->s, "x") == 0,
	   "parser: a bare string is a document");
	jv_free(v);
	v = parse("[]", err, sizeof(err));
	ok(v && v->type == JV_ARR && v->n == 0, "parser: empty array");
	jv_free(v);
}

static void
test_parser_numbers(void)
{
	static const struct {
		const char *text;
		double num;
		int64_t i;
	} cases[] = {
	    {"0", 0, 0},
	    {"-0", 0, 0},
	    {"123", 123, 123},
	    {"-7", -7, -7},
	    {"1.5", 1.5, 1},
	    {"-1.5", -1.5, -1},
	    {"1e3", 1000, 1000},
	    {"1E+2", 100, 100},
	    {"25e-1", 2.5, 2},
	    {"0.125", 0.125, 0},
	    {"9223372036854775807", 9223372036854775807.0, INT64_MAX},
	    {"-9223372036854775808", -9223372036854775808.0, INT64_MIN},
	    {"9223372036854775808", 9223372036854775808.0, INT64_MAX},
	    {"-9223372036854775809", -9223372036854775808.0, INT64_MIN},
	    {"18446744073709551615", 18446744073709551615.0, INT64_MAX},
	    {"1e300", 1e300, INT64_MAX},
	    {"-1e300", -1e300, INT64_MIN},
	    {"1e999", HUGE_VAL, INT64_MAX},
	};
	char err[128];
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct jv *v = parse(cases[k].text, err, sizeof(err));

		ok(v && v->type == JV_NUM && v->num == cases[k].num &&
		       v->i == cases[k].i,
		   "number %s: num %g, i %lld", cases[k].text, cases[k].num,
		   (long long)cases[k].i);
		jv_free(v);
	}
}

static void
test_parser_strings(void)
{
	static const struct {
		const char *text, *want, *what;
	} cases[] = {
	    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t",
	     "every short escape"},
	    {"\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac",
	     "\\u escapes (1, 2, 3 bytes; either case)"},
	    {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80",
	     "surrogate pair as one 4-byte character"},
	    {"\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", "U+10FFFF"},
	    {"\"caf\xc3\xa9\"", "caf\xc3\xa9", "raw UTF-8 kept"},
	    {"\"\x7f\"", "\x7f", "DEL is not a control character"},
	};
	char err[128];
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct jv *v = parse(cases[k].text, err, sizeof(err));

		ok(v && v->type == JV_STR && strcmp(v->s, cases[k].want) == 0,
		   "string: %s (%s)", cases[k].what, v ? "" : err);
		jv_free(v);
	}
}

/* Every refusal, with the reason and where it was found. */
static void
test_parser_errors(void)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
	    {"", "line 1 col 1: unexpected end of input"},
	    {"  \n ", "line 2 col 2: unexpected end of input"},
	    {"x", "line 1 col 1: unexpected character"},
	    {"tru", "line 1 col 1: unexpected character"},
	    {"nul", "line 1 col 1: unexpected character"},
	    {"[1,]", "line 1 col 4: unexpected character"},
	    {"[1 2]", "line 1 col 4: expected ',' or ']'"},
	    {"[1", "line 1 col 3: expected ',' or ']'"},
	    {"{\"a\":1 \"b\":2}", "line 1 col 8: expected ',' or '}'"},
	    {"{\"a\" 1}", "line 1 col 6: expected ':'"},
	    {"{a:1}", "line 1 col 2: expected a member name"},
	    {"{\"a\":1,}", "line 1 col 8: expected a member name"},
	    {"{\"a\":}", "line 1 col 6: unexpected character"},
	    {"{", "line 1 col 2: expected a member name"},
	    {"\"abc", "line 1 col 5: unterminated string"},
	    {"\"abc\\", "line 1 col 6: unterminated string"},
	    {"\"a\nb\"", "line 1 col 3: control character in string"},
	    {"\"a\tb\"", "line 1 col 3: control character in string"},
	    {"\"\\x\"", "line 1 col 4: bad escape in string"},
	    {"\"\\u12\"", "line 1 col 4: bad \\u escape"},
	    {"\"\\u12g4\"", "line 1 col 4: bad \\u escape"},
	    {"\"\\u0000\"", "line 1 col 8: \\u0000 in string"},
	    {"\"\\ud800\"", "line 1 col 8: unpaired surrogate in string"},
	    {"\"\\ud800x\"", "line 1 col 8: unpaired surrogate in string"},
	    {"\"\\ud800\\u0041\"",
	     "line 1 col 14: unpaired surrogate in string"},
	    {"\"\\ud800\\ud800\"",
	     "line 1 col 14: unpaired surrogate in string"},
	    {"\"\\udc00\"", "line 1 col 8: unpaired surrogate in string"},
	    {"\"\xff\"", "line 1 col 2: invalid UTF-8 in string"},
	    {"\"\xc3\"", "line 1 col 2: invalid UTF-8 in string"},
	    {"\"\xc0\xaf\"", "line 1 col 2: invalid UTF-8 in string"},
	    {"\"\xed\xa0\x80\"", "line 1 col 2: invalid UTF-8 in string"},
	    {"\"\xf4\x90\x80\x80\"", "line 1 col 2: invalid UTF-8 in string"},
	    {"01", "line 1 col 2: trailing characters after the value"},
	    {"-", "line 1 col 2: unexpected character"},
	    {"+1", "line 1 col 1: unexpected character"},
	    {".5", "line 1 col 1: unexpected character"},
	    {"1.", "line 1 col 3: bad number"},
	    {"1.e5", "line 1 col 3: bad number"},
	    {"1e", "line 1 col 3: bad number"},
	    {"1e+", "line 1 col 4: bad number"},
	    {"0x10", "line 1 col 2: trailing characters after the value"},
	    {"1234567890123456789012345678901234567890123456789012345678901234",
	     "line 1 col 65: number too long"},
	    {"{} {}", "line 1 col 4: trailing characters after the value"},
	    {"true false", "line 1 col 6: trailing characters after the value"},
	    {"\"a\" x", "line 1 col 5: trailing characters after the value"},
	    {"NaN", "line 1 col 1: unexpected character"},
	    {"[Infinity]", "line 1 col 2: unexpected character"},
	};
	char err[128];
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct jv *v = parse(cases[k].text, err, sizeof(err));

		ok(v == NULL, "refused %zu", k);
		is_str(err, cases[k].err, "reason %zu", k);
		jv_free(v);
	}
}

static void
test_parser_limits(void)
{
	char text[256], err[128];
	struct jv *v;
	size_t i;

	/* The length bounds the parse, not a NUL: "[1]" of "[1]x". */
	v = jv_parse("[1]x", 3, err, sizeof(err));
	ok(v && v->type == JV_ARR && v->n == 1, "parser: reads only len bytes");
	jv_free(v);
	v = jv_parse("[1]\0", 4, err, sizeof(err));
	ok(v == NULL, "parser: a NUL after the value is trailing garbage");
	jv_free(v);
	v = jv_parse("\"a\0b\"", 5, err, sizeof(err));
	ok(v == NULL, "parser: a raw NUL inside a string is refused");
	jv_free(v);

	/* JV_MAX_DEPTH nested containers parse; one more is refused. */
	for (i = 0; i < JV_MAX_DEPTH; i++) {
		text[i] = '[';
		text[2 * JV_MAX_DEPTH - 1 - i] = ']';
	}
	v = jv_parse(text, 2 * JV_MAX_DEPTH, err, sizeof(err));
	ok(v != NULL, "parser: %d nested arrays parse", JV_MAX_DEPTH);
	jv_free(v);
	for (i = 0; i < JV_MAX_DEPTH + 1; i++) {
		text[i] = '[';
		text[2 * (JV_MAX_DEPTH + 1) - 1 - i] = ']';
	}
	v = jv_parse(text, 2 * (JV_MAX_DEPTH + 1), err, sizeof(err));
	ok(v == NULL, "parser: %d nested arrays are refused", JV_MAX_DEPTH + 1);
	is_str(err, "line 1 col 33: nested too deeply", "reason: too deep");
	jv_free(v);
	text[0] = '\0';
	for (i = 0; i < JV_MAX_DEPTH + 1; i++)
		strcat(text, "{\"a\":");
	strcat(text, "1");
	for (i = 0; i < JV_MAX_DEPTH + 1; i++)
		strcat(text, "}");
	v = parse(text, err, sizeof(err));
	ok(v == NULL, "parser: %d nested objects are refused",
	   JV_MAX_DEPTH + 1);
	jv_free(v);
	/* A tiny error buffer is not overrun. */
	v = jv_parse("x", 1, err, 5);
	ok(v == NULL && strlen(err) == 4, "parser: the reason is truncated");
}

/* Many members: the arrays grow past several powers of two. */
static void
test_parser_large(void)
{
	struct json *j = json_new();
	const char *t;
	char err[128], key[16];
	struct jv *v;
	size_t len, i;
	int good = 1;

	json_obj_begin(j, NULL);
	json_arr_begin(j, "a");
	for (i = 0; i < 5000; i++)
		json_uint(j, NULL, i);
	json_arr_end(j);
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		json_uint(j, key, i * 3);
	}
	json_obj_end(j);
	t = json_text(j, &len);
	v = t ? jv_parse(t, len, err, sizeof(err)) : NULL;
	ok(v != NULL && v->n == 301, "large: 5000 items and 300 members parse");
	for (i = 0; v && i < 5000; i++)
		if (jv_get(v, "a")->v[i]->i != (int64_t)i)
			good = 0;
	for (i = 0; v && i < 300; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		if (jv_int(v, key, -1) != (int64_t)(i * 3))
			good = 0;
	}
	ok(good, "large: every value read back");
	jv_free(v);
	json_free(j);
}

/* What the writer writes, the parser reads back unchanged. */
static void
test_round_trip(void)
{
	static const char *strs[] = {
	    "",
	    "plain",
	    "\"quoted\" \\back\\",
	    "\x01\x02\x1f\n\r\t",
	    "caf\xc3\xa9 \xf0\x9f\x98\x80",
	    "/\x7f",
	};
	struct json *j = json_new();
	const char *t;
	char err[128], key[8];
	struct jv *v;
	size_t len, i;

	json_obj_begin(j, NULL);
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		snprintf(key, sizeof(key), "s%zu", i);
		json_str(j, key, strs[i]);
	}
	json_str(j, strs[2], "key escaped too");
	json_int(j, "min", INT64_MIN);
	json_int(j, "max", INT64_MAX);
	json_uint(j, "big", UINT64_MAX);
	json_bool(j, "t", true);
	json_null(j, "n");
	json_obj_end(j);
	t = json_text(j, &len);
	v = jv_parse(t, len, err, sizeof(err));
	if (!ok(v != NULL, "round trip: the writer's text parses (%s)", err)) {
		json_free(j);
		return;
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		snprintf(key, sizeof(key), "s%zu", i);
		is_str(jv_str(v, key, NULL), strs[i], "round trip: string %zu",
		       i);
	}
	is_str(jv_str(v, strs[2], NULL), "key escaped too",
	       "round trip: escaped key");
	ok(jv_int(v, "min", 0) == INT64_MIN, "round trip: INT64_MIN");
	ok(jv_int(v, "max", 0) == INT64_MAX, "round trip: INT64_MAX");
	ok(jv_get(v, "big")->num == 18446744073709551615.0,
	   "round trip: UINT64_MAX as a double");
	ok(jv_bool(v, "t", false), "round trip: bool");
	ok(jv_get(v, "n") && jv_get(v, "n")->type == JV_NULL,
	   "round trip: null");
	jv_free(v);
	json_free(j);

	/* Invalid UTF-8 in, U+FFFD out: the text is still valid JSON. */
	j = json_new();
	json_str(j, NULL, "a\xff\xc3");
	t = json_text(j, &len);
	v = jv_parse(t, len, err, sizeof(err));
	ok(v && strcmp(v->s, "a\xef\xbf\xbd\xef\xbf\xbd") == 0,
	   "round trip: invalid bytes read back as U+FFFD");
	jv_free(v);
	json_free(j);
}

int
main(void)
{
	test_writer_escapes();
	test_writer_document();
	test_writer_errors();
	test_parser_valid();
	test_parser_numbers();
	test_parser_strings();
	test_parser_errors();
	test_parser_limits();
	test_parser_large();
	test_round_trip();
	return tap_done();
}
