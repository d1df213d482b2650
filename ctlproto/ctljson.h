/*
 * ctljson: the control protocol's JSON, on top of jansson.  The daemon
 * builds each answer as a jansson tree and sends it with ctl_json_line();
 * vipctl reads answers with ctl_json_parse() and the typed getters.
 *
 * Strings that come from outside (interface names, kernel and library
 * messages) go through ctl_json_str(), which turns bytes that are not
 * UTF-8 into U+FFFD: jansson refuses invalid UTF-8, and an answer must
 * never be lost to one bad byte.
 */
#ifndef VIPD_CTLJSON_H
#define VIPD_CTLJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * A new JSON string holding s, where every byte that does not start a
 * valid UTF-8 sequence (overlong forms, surrogates and code points past
 * U+10FFFF included) is replaced by U+FFFD; NULL s is "".  Returns a new
 * reference, or NULL on ENOMEM.
 */
json_t *ctl_json_str(const char *s);

/*
 * A new JSON integer for an unsigned value, clamped to INT64_MAX (the
 * largest json_int_t).  Returns a new reference, or NULL on ENOMEM.
 */
json_t *ctl_json_uint(uint64_t v);

/*
 * A new answer {"ok":false,"error":msg} (msg passes through
 * ctl_json_str()).  Returns a new reference, or NULL on ENOMEM.
 */
json_t *ctl_json_error(const char *msg);

/*
 * v as one answer line: compact JSON (no spaces), object keys in the order
 * they were added, then "\n"; NUL-terminated.  The caller frees the text
 * with free(); *len (may be NULL) gets its length without the NUL.
 * Returns NULL when v is NULL or on ENOMEM.  v is not consumed.
 */
char *ctl_json_line(const json_t *v, size_t *len);

/*
 * Parse exactly one JSON value from text[0..len); whitespace may surround
 * it.  Returns a new reference (free with json_decref()), or NULL with a
 * reason ("line 1 col 7: ...") in err.  Strings with \u0000 or invalid
 * UTF-8 are refused.
 */
json_t *ctl_json_parse(const char *text, size_t len, char *err, size_t errlen);

/*
 * The string member key of obj, borrowed from obj (valid while obj
 * lives); dflt when obj is not an object or the member is absent or not a
 * string.
 */
const char *ctl_json_get_str(const json_t *obj, const char *key,
                             const char *dflt);

/*
 * The number member key of obj as an integer (a real is truncated and
 * clamped to int64_t); dflt when obj is not an object or the member is
 * absent or not a number.
 */
int64_t ctl_json_get_int(const json_t *obj, const char *key, int64_t dflt);

/*
 * The boolean member key of obj; dflt when obj is not an object or the
 * member is absent or not a boolean.
 */
bool ctl_json_get_bool(const json_t *obj, const char *key, bool dflt);

/*
 * The integer value of v (truncated and clamped when v is a real), or dflt
 * when v is NULL or not a number.
 */
int64_t ctl_json_int_value(const json_t *v, int64_t dflt);

#endif
