/*
 * Context for libconfig's bare "syntax error": the offending line's text
 * and, when the cause is a common one, a hint (an unquoted string, a
 * missing ';' or ',' at the end of the line before).  A keepalived.conf is
 * recognised by conf_file_read itself.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"

#define SHOW_MAX 60 /* characters of the line shown */

/* Line n (1-based) of text into buf, blanks at both ends trimmed. */
static void
line_of(const char *text, int n, char *buf, size_t len)
{
	const char *p = text, *e;
	size_t k;

	while (--n > 0 && (p = strchr(p, '\n')) != NULL)
		p++;
	buf[0] = '\0';
	if (p == NULL)
		return;
	while (*p == ' ' || *p == '\t')
		p++;
	e = strchr(p, '\n');
	k = e != NULL ? (size_t)(e - p) : strlen(p);
	while (k > 0 && isspace((unsigned char)p[k - 1]))
		k--;
	snprintf(buf, len, "%.*s", (int)k, p);
}

/* Some "= word" with word not quoted, not a number, not true/false. */
static bool
unquoted_string(const char *s)
{
	const char *eq;
	size_t n;

	for (eq = strchr(s, '='); eq != NULL; eq = strchr(eq, '=')) {
		for (eq++; *eq == ' ' || *eq == '\t'; eq++)
			;
		if (!isalpha((unsigned char)*eq))
			continue;
		n = strspn(eq, "abcdefghijklmnopqrstuvwxyz"
		               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-/");
		if (!((n == 4 && strncasecmp(eq, "true", 4) == 0) ||
		      (n == 5 && strncasecmp(eq, "false", 5) == 0)))
			return true;
	}
	return false;
}

void
conf_syntax_context(const char *text, int line, char *out, size_t len)
{
	char cur[256], prev[256], hint[160] = "";
	char last;
	int p = line;

	line_of(text, line, cur, sizeof(cur));
	prev[0] = '\0';
	while (--p > 0 && prev[0] == '\0')
		line_of(text, p, prev, sizeof(prev));
	last = prev[0] ? prev[strlen(prev) - 1] : '\0';
	if (unquoted_string(cur))
		snprintf(hint, sizeof(hint),
		         " (a string needs double quotes: name = \"web\";)");
	else if (last != '\0' && strchr("}])\"", last) != NULL &&
	         (cur[0] == '{' || cur[0] == '"' ||
	          isalpha((unsigned char)cur[0])))
		snprintf(hint, sizeof(hint),
		         " (is a ';' or a ',' missing at the end of line %d?)",
		         p + 1);
	if (cur[0] == '\0')
		snprintf(
		    out, len,
		    "syntax error: at an empty line or the end of the file "
		    "(is a '}', ')' or ']' missing?)");
	else if (strlen(cur) > SHOW_MAX)
		snprintf(out, len, "syntax error at: %.*s...%s", SHOW_MAX, cur,
		         hint);
	else
		snprintf(out, len, "syntax error at: %s%s", cur, hint);
}
