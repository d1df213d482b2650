/*
 * Read the config file and prepare its text for libconfig.
 *
 * libconfig 1.5 (Debian 12) stores a decimal or hex integer literal that
 * does not fit an int as a truncated int: "table = 4294967295;" reads as -1
 * and "priority = 4294967396;" as 100, a bad value silently turned into a
 * good one.  So before parsing, every such literal gets the 'L' suffix that
 * makes libconfig read it as a 64-bit integer, and a literal beyond 64 bits
 * is an error.  Only characters are inserted within lines, so every line
 * number libconfig reports is still the file's.
 *
 * A group's track list mixes names and blocks ([ "web", { check = "api";
 * weight = -60; } ]), which libconfig refuses in an array: its brackets
 * become a list's parentheses, one character for one.
 *
 * @include is refused: an included file would skip this step, and a config
 * that is one file is one thing to check.  NUL bytes are refused too, since
 * libconfig would silently stop reading at the first one.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

/* Far above any real config (1024 groups of 4096 VIPs is ~100 MB). */
#define TEXT_MAX (256u << 20)

struct scan {
	struct conf_ctx *x;
	char *in;
	size_t len, i;
	char *out;
	size_t o;
	int line;
	bool bad;
};

static char *
read_fd(int fd, size_t *lenp)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t k;

	while (buf != NULL) {
		if (n + 1 == cap) {
			if (cap >= TEXT_MAX) {
				errno = EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		k = read(fd, buf + n, cap - n - 1);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			break;
		if (k == 0) {
			buf[n] = '\0';
			*lenp = n;
			return buf;
		}
		n += (size_t)k;
	}
	free(buf);
	return NULL;
}

static void
put(struct scan *sc, char ch)
{
	if (ch == '\n')
		sc->line++;
	sc->out[sc->o++] = ch;
}

/* Copy input up to (not including) index end. */
static void
copy_to(struct scan *sc, size_t end)
{
	while (sc->i < end)
		put(sc, sc->in[sc->i++]);
}

static void
skip_comment(struct scan *sc)
{
	const char *p = sc->in + sc->i;
	const char *e;

	if (p[0] == '/' && p[1] == '*') {
		e = strstr(p + 2, "*/");
		copy_to(sc, e ? (size_t)(e - sc->in) + 2 : sc->len);
		return;
	}
	e = strchr(p, '\n');
	copy_to(sc, e ? (size_t)(e - sc->in) : sc->len);
}

/* Index of the first byte at or after j that is not blank or comment. */
static size_t
next_token(const char *in, size_t j, bool *newline)
{
	const char *e;

	for (;;) {
		if (in[j] == '\n')
			*newline = true;
		if (in[j] != '\0' && strchr(" \t\r\f\v\n", in[j]) != NULL) {
			j++;
		} else if (in[j] == '#' || (in[j] == '/' && in[j + 1] == '/')) {
			e = strchr(in + j, '\n');
			j = e ? (size_t)(e - in) : j + strlen(in + j);
		} else if (in[j] == '/' && in[j + 1] == '*') {
			e = strstr(in + j + 2, "*/");
			if (e == NULL)
				return j;
			*newline |=
			    memchr(in + j, '\n', (size_t)(e - in) - j) != 0;
			j = (size_t)(e - in) + 2;
		} else {
			return j;
		}
	}
}

/*
 * libconfig reads one token past a string (adjacent strings concatenate),
 * so a string in a list gets the line of that next token: the last VIP of
 * a list written one per line would be blamed on the line of "]".  When
 * that token is a ] ) , or ; on a later line, it is moved up behind the
 * string: same tokens, and the string keeps its own line.
 */
static void
skip_string(struct scan *sc)
{
	size_t j = sc->i + 1;
	bool newline = false;

	while (j < sc->len && sc->in[j] != '"')
		j += sc->in[j] == '\\' && j + 1 < sc->len ? 2 : 1;
	copy_to(sc, j < sc->len ? j + 1 : sc->len);
	j = next_token(sc->in, sc->i, &newline);
	if (newline && sc->in[j] != '\0' && strchr("]),;", sc->in[j])) {
		put(sc, sc->in[j]);
		sc->in[j] = ' ';
	}
}

static bool
is_ident(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' ||
	       ch == '*';
}

/* A number at sc->i (an optional sign, then a digit). */
static void
scan_number(struct scan *sc)
{
	const char *s = sc->in + sc->i, *p = s;
	bool hex, neg = *p == '-';
	unsigned long long v;
	char *end;

	p += *p == '-' || *p == '+';
	hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	      isxdigit((unsigned char)p[2]);
	errno = 0;
	v = strtoull(hex ? p + 2 : p, &end, hex ? 16 : 10);
	if (!hex && (*end == '.' || *end == 'e' || *end == 'E')) {
		/* A float: copy its mantissa and exponent as they are. */
		while (isdigit((unsigned char)*end) || *end == '.' ||
		       *end == 'e' || *end == 'E' ||
		       ((*end == '+' || *end == '-') &&
		        (end[-1] == 'e' || end[-1] == 'E')))
			end++;
		copy_to(sc, (size_t)(end - sc->in));
		return;
	}
	if (errno == ERANGE || v > (unsigned long long)LLONG_MAX + neg) {
		conf_err_file(sc->x, sc->line,
		              "syntax error: integer %.*s is out of range",
		              (int)(end - s), s);
		sc->bad = true;
	}
	copy_to(sc, (size_t)(end - sc->in));
	/* "5L", or "5x" that libconfig will reject on its own. */
	if (*end == 'L' || is_ident(*end) || *end == '.')
		return;
	if (v > (unsigned long long)INT_MAX + neg)
		put(sc, 'L');
}

/* The index of the ] closing the [ at j (strings and comments skipped), or
 * 0 when there is none. */
static size_t
closing_bracket(const char *in, size_t j)
{
	bool newline = false;
	int depth = 0;

	for (;; j++) {
		j = next_token(in, j, &newline);
		if (in[j] == '\0')
			return 0;
		if (in[j] == '"') {
			for (j++; in[j] != '\0' && in[j] != '"'; j++)
				if (in[j] == '\\' && in[j + 1] != '\0')
					j++;
			if (in[j] == '\0')
				return 0;
		} else if (in[j] == '[') {
			depth++;
		} else if (in[j] == ']' && --depth == 0) {
			return j;
		}
	}
}

/* After the key "track": "= [ ... ]" becomes "= ( ... )". */
static void
track_to_list(struct scan *sc)
{
	bool newline = false;
	size_t j, end;

	j = next_token(sc->in, sc->i, &newline);
	if (sc->in[j] != '=' && sc->in[j] != ':')
		return;
	j = next_token(sc->in, j + 1, &newline);
	if (sc->in[j] != '[' || (end = closing_bracket(sc->in, j)) == 0)
		return;
	sc->in[j] = '(';
	sc->in[end] = ')';
}

static void
scan_text(struct scan *sc)
{
	const char *in = sc->in;
	char ch;

	while (sc->i < sc->len) {
		ch = in[sc->i];
		if (ch == '#' || (ch == '/' && (in[sc->i + 1] == '/' ||
		                                in[sc->i + 1] == '*')))
			skip_comment(sc);
		else if (ch == '"')
			skip_string(sc);
		else if (ch == '@' && strncmp(in + sc->i, "@include", 8) == 0) {
			conf_err_file(sc->x, sc->line,
			              "@include is not supported");
			sc->bad = true;
			copy_to(sc, sc->i + 8);
		} else if (isalpha((unsigned char)ch) || ch == '*') {
			size_t start = sc->i;

			while (sc->i < sc->len && is_ident(in[sc->i]))
				put(sc, in[sc->i++]);
			if (sc->i - start == 5 &&
			    strncmp(in + start, "track", 5) == 0)
				track_to_list(sc);
		} else if (isdigit((unsigned char)ch) ||
		           ((ch == '-' || ch == '+') &&
		            isdigit((unsigned char)in[sc->i + 1])))
			scan_number(sc);
		else
			put(sc, in[sc->i++]);
	}
}

static char *
open_text(struct conf_ctx *x, size_t *len)
{
	struct stat st;
	char *text = NULL;
	int fd;

	fd = open(x->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		conf_err_file(x, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		conf_err_file(x, 0, "cannot open: %s", strerror(errno));
	else if (S_ISDIR(st.st_mode))
		conf_err_file(x, 0, "cannot open: %s", strerror(EISDIR));
	else if ((text = read_fd(fd, len)) == NULL)
		conf_err_file(x, 0, "cannot open: %s", strerror(errno));
	close(fd);
	return text;
}

char *
conf_text_load(struct conf_ctx *x)
{
	struct scan sc = {.x = x, .line = 1};
	char *text, *nul, *p;

	text = open_text(x, &sc.len);
	if (text == NULL)
		return NULL;
	sc.in = text;
	nul = memchr(text, '\0', sc.len);
	if (nul != NULL) {
		for (p = text; p < nul; p++)
			sc.line += *p == '\n';
		conf_err_file(x, sc.line,
		              "syntax error: NUL character in file");
		free(text);
		return NULL;
	}
	/* At most one 'L' per number, and a number is at least one byte. */
	sc.out = malloc(sc.len * 2 + 1);
	if (sc.out == NULL) {
		conf_err_file(x, 0, "cannot open: %s", strerror(ENOMEM));
		free(text);
		return NULL;
	}
	scan_text(&sc);
	sc.out[sc.o] = '\0';
	free(text);
	if (sc.bad) {
		free(sc.out);
		return NULL;
	}
	return sc.out;
}
