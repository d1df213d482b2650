/*
 * json: the control protocol's data format.  A writer used by the daemon
 * and a small DOM parser used by vipctl (and the fuzzer).  Pure: no I/O.
 */
#ifndef VIPD_JSON_H
#define VIPD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- writer */

struct json;

/* New empty writer; NULL on ENOMEM. */
struct json *json_new(void);
void json_free(struct json *j);

/*
 * Each call adds one value; key is its member name inside an object, NULL
 * inside an array or at the top level.  Strings are escaped; bytes that are
 * not valid UTF-8 are written as U+FFFD, so the text is always valid JSON.
 * Errors (memory, nesting past 63 levels, an end without a begin) are
 * sticky and reported by json_text().
 */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_int(struct json *j, const char *key, int64_t val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/* The text so far (NUL-terminated), or NULL after an error. */
const char *json_text(const struct json *j, size_t *len);

/* ---- parser */

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type type;
	bool b;
	double num;
	int64_t i;     /* exact for integers within int64_t, else num
	                  truncated and clamped to int64_t's range */
	char *s;       /* JV_STR, NUL-terminated (may hold no NUL inside) */
	struct jv **v; /* JV_ARR items / JV_OBJ values */
	char **k;      /* JV_OBJ keys */
	size_t n;
};

/* Arrays and objects nested deeper than this are refused. */
#define JV_MAX_DEPTH 32

/*
 * Parse exactly one JSON value (RFC 8259) from text[0..len); whitespace may
 * surround it, nothing else may follow.  Returns a tree to free with
 * jv_free(), or NULL with a reason ("line 1 col 7: expected ':'") in err.
 * Refused besides syntax errors: strings with \u0000 (the tree holds C
 * strings), unpaired surrogates or invalid UTF-8, numbers over 63
 * characters.  Duplicate keys are kept; jv_get() finds the first.
 */
struct jv *jv_parse(const char *text, size_t len, char *err, size_t errlen);
void jv_free(struct jv *v);

/* Member of an object (NULL if absent or v is not an object). */
const struct jv *jv_get(const struct jv *v, const char *key);
/* Typed getters with a fallback for absent or mistyped members. */
const char *jv_str(const struct jv *v, const char *key, const char *dflt);
int64_t jv_int(const struct jv *v, const char *key, int64_t dflt);
bool jv_bool(const struct jv *v, const char *key, bool dflt);

#endif
