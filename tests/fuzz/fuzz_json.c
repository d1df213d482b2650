/*
 * Fuzz target: the protocol's JSON helpers (ctljson.h) on any bytes.
 * - as an answer vipctl reads: ctl_json_parse() either refuses with a
 *   position ("line N col M: ...") or gives a tree that the getters read
 *   and that ctl_json_line() writes back to a line parsing to the same
 *   tree; `vipctl metrics` formats any tree (ctl_prom_format: members
 *   of any type or missing) into text of the length it says;
 * - as a string the daemon sends (an interface name, a kernel message):
 *   ctl_json_str() always makes a string, valid UTF-8 bytes are kept
 *   as they are, and its line parses back to the same string.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctljson.h"
#include "ctlprom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_corpus_dir = FUZZ_CORPUS;

static void
fuzz_answer(const uint8_t *data, size_t size)
{
	char err[160] = "";
	json_t *v, *back;
	char *line, *text;
	size_t len, tlen;

	v = ctl_json_parse((const char *)data, size, err, sizeof(err));
	if (v == NULL) {
		if (strncmp(err, "line ", 5) != 0)
			abort();
		return;
	}
	(void)ctl_json_get_str(v, "error", "");
	(void)ctl_json_get_int(v, "pid", 0);
	(void)ctl_json_get_bool(v, "ok", false);
	if ((line = ctl_json_line(v, &len)) == NULL)
		abort();
	if (strlen(line) != len || line[len - 1] != '\n')
		abort();
	back = ctl_json_parse(line, len, err, sizeof(err));
	if (back == NULL || !json_equal(v, back))
		abort();
	/* Parsed strings hold no NUL: the text is as long as it says. */
	text = ctl_prom_format(v, &tlen);
	if (text == NULL || strlen(text) != tlen)
		abort();
	free(text);
	json_decref(back);
	json_decref(v);
	free(line);
}

static void
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *line, err[160];
	json_t *v, *back;
	size_t len;

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if ((v = ctl_json_str(s)) == NULL)
		abort();
	/* Valid UTF-8 up to the first NUL is kept byte for byte. */
	if (json_string_length(v) == strlen(s) &&
	    strcmp(json_string_value(v), s) != 0)
		abort();
	if ((line = ctl_json_line(v, &len)) == NULL)
		abort();
	back = ctl_json_parse(line, len, err, sizeof(err));
	if (back == NULL || !json_equal(v, back))
		abort();
	json_decref(back);
	json_decref(v);
	free(line);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_answer(data, size);
	fuzz_string(data, size);
	return 0;
}
