/* Control request lines: parse and format.  See ctlproto.h. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"

static const struct {
	const char *word;
	enum ctl_cmd cmd;
	int nargs;
} ctl_words[] = {
    {"status", CTL_STATUS, 0},   {"metrics", CTL_METRICS, 0},
    {"release", CTL_RELEASE, 1}, {"reload", CTL_RELOAD, 0},
    {"ping", CTL_PING, 0},
};

#define CTL_NWORDS (sizeof(ctl_words) / sizeof(ctl_words[0]))

static bool
name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static int
arg_check(const char *arg, size_t len, char *err, size_t errlen)
{
	size_t i;

	if (len == 0) {
		snprintf(err, errlen, "empty argument");
		return -1;
	}
	if (len >= CTL_ARG_MAX) {
		snprintf(err, errlen, "argument longer than %d characters",
		         CTL_ARG_MAX - 1);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (!name_char_ok(arg[i])) {
			snprintf(err, errlen,
			         "bad character in argument (allowed: "
			         "A-Z a-z 0-9 . _ -)");
			return -1;
		}
	}
	return 0;
}

int
ctl_arg_check(const char *arg, char *err, size_t errlen)
{
	return arg_check(arg, strnlen(arg, CTL_ARG_MAX), err, errlen);
}

/* The command word: lower-case letters only, so no NUL or control byte
 * can hide behind a known word. */
static int
parse_word(const char *line, size_t len, size_t *pos, char *err, size_t errlen)
{
	size_t w = 0, k;

	while (w < len && line[w] != ' ') {
		if (line[w] < 'a' || line[w] > 'z') {
			snprintf(err, errlen, "unknown command");
			return -1;
		}
		w++;
	}
	for (k = 0; k < CTL_NWORDS; k++)
		if (strlen(ctl_words[k].word) == w &&
		    memcmp(ctl_words[k].word, line, w) == 0)
			break;
	if (k == CTL_NWORDS) {
		snprintf(err, errlen, "unknown command '%.*s'",
		         (int)(w < 16 ? w : 16), line);
		return -1;
	}
	*pos = w;
	return (int)k;
}

int
ctl_req_parse(const char *line, size_t len, struct ctl_req *out, char *err,
              size_t errlen)
{
	size_t i, a, j;
	int k;

	memset(out, 0, sizeof(*out));
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > CTL_REQ_MAX) {
		snprintf(err, errlen, "request longer than %d bytes",
		         CTL_REQ_MAX);
		return -1;
	}
	if ((k = parse_word(line, len, &i, err, errlen)) < 0)
		return -1;
	out->cmd = ctl_words[k].cmd;
	while (i < len && line[i] == ' ')
		i++;
	for (a = i; a < len && line[a] != ' '; a++)
		;
	if (ctl_words[k].nargs == 0 && i < len) {
		snprintf(err, errlen, "%s takes no argument",
		         ctl_words[k].word);
		return -1;
	}
	if (ctl_words[k].nargs == 1 && i == len) {
		snprintf(err, errlen, "%s needs an argument",
		         ctl_words[k].word);
		return -1;
	}
	for (j = a; j < len && line[j] == ' '; j++)
		;
	if (j < len) {
		snprintf(err, errlen, "%s takes one argument",
		         ctl_words[k].word);
		return -1;
	}
	if (ctl_words[k].nargs == 1) {
		if (arg_check(line + i, a - i, err, errlen) == -1)
			return -1;
		memcpy(out->arg, line + i, a - i);
	}
	return 0;
}

int
ctl_req_format(const struct ctl_req *req, char *buf, size_t len)
{
	char err[64];
	size_t k;
	int n;

	for (k = 0; k < CTL_NWORDS; k++)
		if (ctl_words[k].cmd == req->cmd)
			break;
	if (k == CTL_NWORDS)
		return -1;
	if (ctl_words[k].nargs) {
		if (ctl_arg_check(req->arg, err, sizeof(err)) == -1)
			return -1;
		n = snprintf(buf, len, "%s %s\n", ctl_words[k].word, req->arg);
	} else {
		if (req->arg[0] != '\0')
			return -1;
		n = snprintf(buf, len, "%s\n", ctl_words[k].word);
	}
	return n < 0 || (size_t)n >= len ? -1 : n;
}
