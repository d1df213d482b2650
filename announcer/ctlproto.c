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

static bool
name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int
ctl_req_parse(const char *line, size_t len, struct ctl_req *out, char *err,
	      size_t errlen)
{
	char word[16];
	size_t i = 0, w = 0, a = 0, k;

	memset(out, 0, sizeof(*out));
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > CTL_REQ_MAX) {
		snprintf(err, errlen, "request longer than %d bytes", CTL_REQ_MAX);
		return -1;
	}
	while (i < len && line[i] != ' ') {
		if (w + 1 >= sizeof(word)) {
			snprintf(err, errlen, "unknown command");
			return -1;
		}
		word[w++] = line[i++];
	}
	word[w] = '\0';
	for (k = 0; k < sizeof(ctl_words) / sizeof(ctl_words[0]); k++)
		if (strcmp(word, ctl_words[k].word) == 0)
			break;
	if (k == sizeof(ctl_words) / sizeof(ctl_words[0])) {
		snprintf(err, errlen, "unknown command '%.15s'", word);
		return -1;
	}
	out->cmd = ctl_words[k].cmd;
	while (i < len && line[i] == ' ')
		i++;
	while (i < len) {
		if (!name_char_ok(line[i])) {
			snprintf(err, errlen, "bad character in argument");
			return -1;
		}
		if (a + 1 >= sizeof(out->arg)) {
			snprintf(err, errlen, "argument too long");
			return -1;
		}
		out->arg[a++] = line[i++];
	}
	out->arg[a] = '\0';
	if (ctl_words[k].nargs == 1 && a == 0) {
		snprintf(err, errlen, "%s needs an argument", word);
		return -1;
	}
	if (ctl_words[k].nargs == 0 && a != 0) {
		snprintf(err, errlen, "%s takes no argument", word);
		return -1;
	}
	return 0;
}

int
ctl_req_format(const struct ctl_req *req, char *buf, size_t len)
{
	size_t k;
	int n;

	for (k = 0; k < sizeof(ctl_words) / sizeof(ctl_words[0]); k++)
		if (ctl_words[k].cmd == req->cmd)
			break;
	if (k == sizeof(ctl_words) / sizeof(ctl_words[0]))
		return -1;
	if (ctl_words[k].nargs)
		n = snprintf(buf, len, "%s %s\n", ctl_words[k].word, req->arg);
	else
		n = snprintf(buf, len, "%s\n", ctl_words[k].word);
	return n < 0 || (size_t)n >= len ? -1 : n;
}
