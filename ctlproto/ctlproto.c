/* Commands and request lines: the table, parse and format.  See ctlproto.h. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"

#define CTL_CMD_ENTRY_(id, word, arg, help) [CTL_##id] = {word, arg, help},
static const struct ctl_cmd_info ctl_cmds[CTL_CMD_MAX] = {
    CTL_COMMANDS(CTL_CMD_ENTRY_)};
#undef CTL_CMD_ENTRY_

static const struct {
	const char *metavar, *what;
} ctl_args[] = {
    [CTL_ARG_NONE] = {"", ""},
    [CTL_ARG_GROUP] = {"GROUP", "group name"},
};

const struct ctl_cmd_info *
ctl_cmd_info(enum ctl_cmd cmd)
{
	return (unsigned)cmd < CTL_CMD_MAX ? &ctl_cmds[cmd] : NULL;
}

int
ctl_cmd_find(const char *name)
{
	int k;

	for (k = 0; k < CTL_CMD_MAX; k++)
		if (strcmp(ctl_cmds[k].word, name) == 0)
			return k;
	return -1;
}

const char *
ctl_arg_metavar(enum ctl_arg_kind kind)
{
	return (unsigned)kind <= CTL_ARG_GROUP ? ctl_args[kind].metavar : "";
}

const char *
ctl_arg_what(enum ctl_arg_kind kind)
{
	return (unsigned)kind <= CTL_ARG_GROUP ? ctl_args[kind].what : "";
}

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
	for (k = 0; k < CTL_CMD_MAX; k++)
		if (strlen(ctl_cmds[k].word) == w &&
		    memcmp(ctl_cmds[k].word, line, w) == 0)
			break;
	if (k == CTL_CMD_MAX) {
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
	out->cmd = (enum ctl_cmd)k;
	while (i < len && line[i] == ' ')
		i++;
	for (a = i; a < len && line[a] != ' '; a++)
		;
	if (ctl_cmds[k].arg == CTL_ARG_NONE && i < len) {
		snprintf(err, errlen, "%s takes no argument", ctl_cmds[k].word);
		return -1;
	}
	if (ctl_cmds[k].arg != CTL_ARG_NONE && i == len) {
		snprintf(err, errlen, "%s needs an argument", ctl_cmds[k].word);
		return -1;
	}
	for (j = a; j < len && line[j] == ' '; j++)
		;
	if (j < len) {
		snprintf(err, errlen, "%s takes one argument",
		         ctl_cmds[k].word);
		return -1;
	}
	if (ctl_cmds[k].arg != CTL_ARG_NONE) {
		if (arg_check(line + i, a - i, err, errlen) == -1)
			return -1;
		memcpy(out->arg, line + i, a - i);
	}
	return 0;
}

int
ctl_req_format(const struct ctl_req *req, char *buf, size_t len)
{
	const struct ctl_cmd_info *ci = ctl_cmd_info(req->cmd);
	char err[64];
	int n;

	if (ci == NULL)
		return -1;
	if (ci->arg != CTL_ARG_NONE) {
		if (ctl_arg_check(req->arg, err, sizeof(err)) == -1)
			return -1;
		n = snprintf(buf, len, "%s %s\n", ci->word, req->arg);
	} else {
		if (req->arg[0] != '\0')
			return -1;
		n = snprintf(buf, len, "%s\n", ci->word);
	}
	return n < 0 || (size_t)n >= len ? -1 : n;
}
