/*
 * ctljson: the protocol's JSON on top of jansson.  Strings from outside
 * (invalid UTF-8 as U+FFFD, escapes), the answer line (compact, keys in
 * insertion order, one "\n"), unsigned clamping, the error answer, the
 * parser's refusals with their position, the typed getters with their
 * fallbacks, and round trips between the two sides.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctljson.h"
#include "tap.h"

/* The answer line of one string value, without its "\n". */
static char *
line_of_str(const char *s)
{
	json_t *v = ctl_json_str(s);
	char *line = ctl_json_line(v, NULL);

	json_decref(v);
	if (line != NULL)
		line[strlen(line) - 1] = '\0';
	return line;
}

static void
test_strings(void)
{
	static const struct {
		const char *in, *want, *what;
	} cases[] = {
	    {"", "\"\"", "empty string"},
	    {"plain", "\"plain\"", "plain text"},
	    {"a\"b", "\"a\\\"b\"", "quote"},
	    {"a\\b", "\"a\\\\b\"", "backslash"},
	    {"a\nb\tc\rd", "\"a\\nb\\tc\\rd\"", "newline, tab, CR"},
	    {"\x01\x08\x0c\x1f", "\"\\u0001\\b\\f\\u001F\"",
	     "other control characters escaped"},
	    {"/\x7f", "\"/\x7f\"", "slash and DEL as they are"},
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	     "valid UTF-8 (2, 3, 4 bytes) as it is"},
	    {"a\xff"
	     "b",
	     "\"a\xef\xbf\xbd"
	     "b\"",
	     "invalid byte as U+FFFD"},
	    {"\xc3", "\"\xef\xbf\xbd\"", "truncated sequence as U+FFFD"},
	    {"\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"",
	     "overlong form as U+FFFD"},
	    {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	     "UTF-8 surrogate as U+FFFD"},
	    {"\xf4\x90\x80\x80",
	     "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	     "past U+10FFFF as U+FFFD"},
	    {"ok\xe2\x82", "\"ok\xef\xbf\xbd\xef\xbf\xbd\"",
	     "a cut sequence at the end, byte by byte"},
	};
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = line_of_str(cases[i].in);

		is_str(got, cases[i].want, "string: %s", cases[i].what);
		free(got);
	}
	v = ctl_json_str(NULL);
	ok(v && strcmp(json_string_value(v), "") == 0, "string: NULL is \"\"");
	json_decref(v);
}

static void
test_line(void)
{
	json_t *v;
	char *line;
	size_t len = 0;

	v = json_pack("{s:b,s:b,s:n,s:I,s:I,s:I,s:o,s:o,s:s,s:[i,{},[],s],"
	              "s:{s:[]}}",
	              "ok", 1, "no", 0, "nothing", "neg", (json_int_t)-42,
	              "min", (json_int_t)INT64_MIN, "max",
	              (json_int_t)INT64_MAX, "umax", ctl_json_uint(UINT64_MAX),
	              "null_str", ctl_json_str(NULL), "k\"ey", "v", "list", 1,
	              "x", "inner", "empty");
	line = ctl_json_line(v, &len);
	is_str(line,
	       "{\"ok\":true,\"no\":false,\"nothing\":null,\"neg\":-42,"
	       "\"min\":-9223372036854775808,\"max\":9223372036854775807,"
	       "\"umax\":9223372036854775807,\"null_str\":\"\","
	       "\"k\\\"ey\":\"v\",\"list\":[1,{},[],\"x\"],"
	       "\"inner\":{\"empty\":[]}}\n",
	       "line: compact, insertion order, one newline; unsigned "
	       "values clamped to INT64_MAX");
	is_int(len, line ? strlen(line) : 0, "line: length matches the text");
	free(line);
	json_decref(v);

	/* Keys in the order they were set, whatever their hash. */
	v = json_object();
	json_object_set_new(v, "zeta", json_integer(1));
	json_object_set_new(v, "alpha", json_integer(2));
	json_object_set_new(v, "mid", json_integer(3));
	line = ctl_json_line(v, NULL);
	is_str(line, "{\"zeta\":1,\"alpha\":2,\"mid\":3}\n",
	       "line: keys in insertion order");
	free(line);
	json_decref(v);

	ok(ctl_json_line(NULL, &len) == NULL, "line: NULL has no line");
	v = ctl_json_error("unknown group 'a\xff'");
	line = ctl_json_line(v, NULL);
	is_str(line,
	       "{\"ok\":false,\"error\":\"unknown group 'a\xef\xbf\xbd'\"}\n",
	       "error answer: ok false, the message made valid UTF-8");
	free(line);
	json_decref(v);
}

static void
test_parse(void)
{
	static const struct {
		const char *text, *where;
	} bad[] = {
	    {"", "line 1 col 0: "},
	    {"x", "line 1 col 1: "},
	    {"[1,]", "line 1 col 4: "},
	    {"{\"a\" 1}", "line 1 col 6: "},
	    {"\"a\nb\"", "line 1 col "},
	    {"\"\\u0000\"", "line 1 col "},
	    {"\"\\ud800\"", "line 1 col "},
	    {"\"\xff\"", "line 1 col "},
	    {"\"\xc0\xaf\"", "line 1 col "},
	    {"{} {}", "line 1 col "},
	    {"NaN", "line 1 col "},
	    {"9223372036854775808", "line 1 col "},
	};
	char err[160];
	json_t *v;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		err[0] = '\0';
		v = ctl_json_parse(bad[k].text, strlen(bad[k].text), err,
		                   sizeof(err));
		ok(v == NULL, "parse: refused %zu", k);
		ok(strncmp(err, bad[k].where, strlen(bad[k].where)) == 0,
		   "parse: reason %zu says where (%s)", k, err);
		json_decref(v);
	}
	v = ctl_json_parse("\"a\0b\"", 5, err, sizeof(err));
	ok(v == NULL, "parse: a raw NUL inside a string is refused");
	v = ctl_json_parse("[1]x", 3, err, sizeof(err));
	ok(v && json_array_size(v) == 1, "parse: reads only len bytes");
	json_decref(v);
	v = ctl_json_parse("\"x\"", 3, err, sizeof(err));
	ok(json_is_string(v), "parse: a bare string is a value");
	json_decref(v);
	v = ctl_json_parse("x", 1, err, 5);
	ok(v == NULL && strlen(err) == 4, "parse: the reason is truncated");
}

static void
test_getters(void)
{
	static const char text[] =
	    " {\"a\": 1, \"s\": \"t\", \"b\": true, \"r\": -2.5e1,"
	    " \"big\": 1e300, \"small\": -1e300, \"o\": {\"d\": \"e\"}}\r\n";
	char err[160] = "";
	json_t *v = ctl_json_parse(text, strlen(text), err, sizeof(err));

	if (!ok(v != NULL, "getters: the document parses (%s)", err))
		return;
	is_int(ctl_json_get_int(v, "a", 0), 1, "get_int: an integer");
	is_int(ctl_json_get_int(v, "r", 0), -25, "get_int: a real, truncated");
	ok(ctl_json_get_int(v, "big", 0) == INT64_MAX,
	   "get_int: a huge real clamps to INT64_MAX");
	ok(ctl_json_get_int(v, "small", 0) == INT64_MIN,
	   "get_int: a huge negative real clamps to INT64_MIN");
	is_int(ctl_json_get_int(v, "s", 7), 7, "get_int: mistyped member");
	is_int(ctl_json_get_int(v, "none", 7), 7, "get_int: absent member");
	is_str(ctl_json_get_str(v, "s", NULL), "t", "get_str: a string");
	is_str(ctl_json_get_str(v, "a", "dflt"), "dflt",
	       "get_str: mistyped member");
	is_str(ctl_json_get_str(json_object_get(v, "o"), "d", NULL), "e",
	       "get_str: nested");
	ok(ctl_json_get_bool(v, "b", false), "get_bool: true");
	ok(ctl_json_get_bool(v, "a", true), "get_bool: mistyped member");
	is_str(ctl_json_get_str(NULL, "x", "d"), "d", "get_str on NULL");
	is_int(ctl_json_get_int(json_object_get(v, "s"), "x", 3), 3,
	       "get_int on a string");
	is_int(ctl_json_int_value(NULL, 9), 9, "int_value of NULL");
	json_decref(v);
}

/* What the daemon writes, vipctl reads back unchanged. */
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
	json_t *w = json_object(), *v;
	char err[160], key[8], *line;
	size_t len, i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		snprintf(key, sizeof(key), "s%zu", i);
		json_object_set_new(w, key, ctl_json_str(strs[i]));
	}
	json_object_set_new(w, "min", json_integer(INT64_MIN));
	json_object_set_new(w, "max", ctl_json_uint(INT64_MAX));
	json_object_set_new(w, "bad", ctl_json_str("a\xff\xc3"));
	line = ctl_json_line(w, &len);
	v = line ? ctl_json_parse(line, len, err, sizeof(err)) : NULL;
	if (!ok(v != NULL, "round trip: the line parses (%s)", err)) {
		free(line);
		json_decref(w);
		return;
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		snprintf(key, sizeof(key), "s%zu", i);
		is_str(ctl_json_get_str(v, key, NULL), strs[i],
		       "round trip: string %zu", i);
	}
	ok(ctl_json_get_int(v, "min", 0) == INT64_MIN, "round trip: INT64_MIN");
	ok(ctl_json_get_int(v, "max", 0) == INT64_MAX, "round trip: INT64_MAX");
	is_str(ctl_json_get_str(v, "bad", NULL), "a\xef\xbf\xbd\xef\xbf\xbd",
	       "round trip: invalid bytes read back as U+FFFD");
	ok(json_equal(v, w), "round trip: the same tree");
	json_decref(v);
	json_decref(w);
	free(line);
}

int
main(void)
{
	test_strings();
	test_line();
	test_parse();
	test_getters();
	test_round_trip();
	return tap_done();
}
