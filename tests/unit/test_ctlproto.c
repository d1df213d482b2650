/*
 * ctlproto: every command parses and formats, and every malformed line is
 * refused with its reason: unknown command, missing or extra argument, bad
 * characters (NUL and control bytes included), too long.  The tables: each
 * command, state and counter is found by its name and has its texts.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctlproto.h"
#include "tap.h"

static int
parse_str(const char *line, struct ctl_req *req, char *err, size_t errlen)
{
	err[0] = '\0';
	return ctl_req_parse(line, strlen(line), req, err, errlen);
}

static void
test_commands(void)
{
	static const struct {
		const char *line;
		enum ctl_cmd cmd;
		const char *arg;
	} cases[] = {
	    {"status\n", CTL_STATUS, ""},
	    {"metrics\n", CTL_METRICS, ""},
	    {"release web\n", CTL_RELEASE, "web"},
	    {"reload\n", CTL_RELOAD, ""},
	    {"ping\n", CTL_PING, ""},
	    {"status", CTL_STATUS, ""},
	    {"status\r\n", CTL_STATUS, ""},
	    {"status  ", CTL_STATUS, ""},
	    {"release  A-z_0.9\n", CTL_RELEASE, "A-z_0.9"},
	    {"release g1 \r\n", CTL_RELEASE, "g1"},
	};
	struct ctl_req req;
	char err[128];
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int rc = parse_str(cases[k].line, &req, err, sizeof(err));

		ok(rc == 0 && req.cmd == cases[k].cmd &&
		       strcmp(req.arg, cases[k].arg) == 0,
		   "parse %zu: command %d, argument '%s' %s", k, cases[k].cmd,
		   cases[k].arg, err);
	}
}

static void
test_refused(void)
{
	static const struct {
		const char *line, *err;
	} cases[] = {
	    {"", "unknown command ''"},
	    {"\n", "unknown command ''"},
	    {" status", "unknown command ''"},
	    {"stat", "unknown command 'stat'"},
	    {"statuses", "unknown command 'statuses'"},
	    {"STATUS", "unknown command"},
	    {"status\t", "unknown command"},
	    {"status\n\n", "unknown command"},
	    {"verylongcommandwordthatgoeson x",
	     "unknown command 'verylongcommandw'"},
	    {"status x", "status takes no argument"},
	    {"metrics all", "metrics takes no argument"},
	    {"reload now", "reload takes no argument"},
	    {"ping 1", "ping takes no argument"},
	    {"release", "release needs an argument"},
	    {"release \n", "release needs an argument"},
	    {"release a b", "release takes one argument"},
	    {"release a\tb", "bad character in argument (allowed: A-Z a-z "
	                     "0-9 . _ -)"},
	    {"release a/b", "bad character in argument (allowed: A-Z a-z "
	                    "0-9 . _ -)"},
	    {"release a\"b", "bad character in argument (allowed: A-Z a-z "
	                     "0-9 . _ -)"},
	    {"release \xc3\xa9", "bad character in argument (allowed: A-Z "
	                         "a-z 0-9 . _ -)"},
	    {"release "
	     "0123456789012345678901234567890123456789012345678901234567890"
	     "123",
	     "argument longer than 63 characters"},
	};
	struct ctl_req req;
	char err[128];
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int rc = parse_str(cases[k].line, &req, err, sizeof(err));

		ok(rc == -1, "refused %zu", k);
		is_str(err, cases[k].err, "reason %zu", k);
	}
}

/* Bytes strlen() cannot show: NUL behind or inside a word. */
static void
test_binary(void)
{
	struct ctl_req req;
	char err[128];

	ok(ctl_req_parse("status\0x\n", 9, &req, err, sizeof(err)) == -1,
	   "a NUL after a command word is refused");
	ok(ctl_req_parse("sta\0tus\n", 8, &req, err, sizeof(err)) == -1,
	   "a NUL inside a command word is refused");
	ok(ctl_req_parse("release g\0\n", 11, &req, err, sizeof(err)) == -1,
	   "a NUL inside the argument is refused");
	ok(ctl_req_parse("status\n", 6, &req, err, sizeof(err)) == 0 &&
	       req.cmd == CTL_STATUS,
	   "only len bytes are read");
	ok(ctl_req_parse("", 0, &req, err, sizeof(err)) == -1,
	   "an empty request is refused");
	ok(ctl_req_parse("x", 1, &req, err, 4) == -1 && strlen(err) == 3,
	   "the reason is truncated to the buffer");
}

static void
test_lengths(void)
{
	char line[CTL_REQ_MAX + 8], err[128];
	struct ctl_req req;
	size_t n;

	/* status + spaces: exactly CTL_REQ_MAX bytes is fine, one more not. */
	memset(line, ' ', sizeof(line));
	memcpy(line, "status", 6);
	line[CTL_REQ_MAX] = '\n';
	ok(ctl_req_parse(line, CTL_REQ_MAX + 1, &req, err, sizeof(err)) == 0,
	   "a line of %d bytes and its newline is accepted", CTL_REQ_MAX);
	ok(ctl_req_parse(line, CTL_REQ_MAX, &req, err, sizeof(err)) == 0,
	   "a line of %d bytes without newline is accepted", CTL_REQ_MAX);
	line[CTL_REQ_MAX] = ' ';
	line[CTL_REQ_MAX + 1] = '\n';
	ok(ctl_req_parse(line, CTL_REQ_MAX + 2, &req, err, sizeof(err)) == -1,
	   "a line of %d bytes is refused", CTL_REQ_MAX + 1);
	is_str(err, "request longer than 256 bytes", "reason: too long");

	/* The longest argument: CTL_ARG_MAX - 1 characters. */
	n = (size_t)snprintf(line, sizeof(line), "release ");
	memset(line + n, 'g', CTL_ARG_MAX - 1);
	line[n + CTL_ARG_MAX - 1] = '\n';
	ok(ctl_req_parse(line, n + CTL_ARG_MAX, &req, err, sizeof(err)) == 0 &&
	       strlen(req.arg) == CTL_ARG_MAX - 1,
	   "an argument of %d characters is accepted", CTL_ARG_MAX - 1);
}

static void
test_format(void)
{
	static const struct {
		enum ctl_cmd cmd;
		const char *arg, *line;
	} cases[] = {
	    {CTL_STATUS, "", "status\n"},
	    {CTL_METRICS, "", "metrics\n"},
	    {CTL_RELEASE, "web-1", "release web-1\n"},
	    {CTL_RELOAD, "", "reload\n"},
	    {CTL_PING, "", "ping\n"},
	};
	struct ctl_req req, back;
	char buf[CTL_REQ_MAX + 2], err[128];
	size_t k;
	int n;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		memset(&req, 0, sizeof(req));
		req.cmd = cases[k].cmd;
		snprintf(req.arg, sizeof(req.arg), "%s", cases[k].arg);
		n = ctl_req_format(&req, buf, sizeof(buf));
		ok(n == (int)strlen(cases[k].line) &&
		       strcmp(buf, cases[k].line) == 0,
		   "format: %.*s", (int)strlen(cases[k].line) - 1,
		   cases[k].line);
		ok(ctl_req_parse(buf, (size_t)n, &back, err, sizeof(err)) ==
		           0 &&
		       back.cmd == req.cmd && strcmp(back.arg, req.arg) == 0,
		   "format then parse: the same request");
	}

	memset(&req, 0, sizeof(req));
	req.cmd = CTL_RELEASE;
	ok(ctl_req_format(&req, buf, sizeof(buf)) == -1,
	   "format: release without a group is refused");
	snprintf(req.arg, sizeof(req.arg), "a b");
	ok(ctl_req_format(&req, buf, sizeof(buf)) == -1,
	   "format: a group with a space is refused");
	snprintf(req.arg, sizeof(req.arg), "a\nstatus");
	ok(ctl_req_format(&req, buf, sizeof(buf)) == -1,
	   "format: a group with a newline is refused (no injection)");
	memset(req.arg, 'g', sizeof(req.arg)); /* not NUL-terminated */
	ok(ctl_req_format(&req, buf, sizeof(buf)) == -1,
	   "format: an unterminated argument is refused");
	memset(&req, 0, sizeof(req));
	req.cmd = CTL_STATUS;
	snprintf(req.arg, sizeof(req.arg), "x");
	ok(ctl_req_format(&req, buf, sizeof(buf)) == -1,
	   "format: an argument to status is refused");
	req.arg[0] = '\0';
	ok(ctl_req_format(&req, buf, 7) == -1,
	   "format: a buffer too small is refused");
	ok(ctl_req_format(&req, buf, 8) == 7, "format: a buffer just enough");
	req.cmd = (enum ctl_cmd)99;
	ok(ctl_req_format(&req, buf, sizeof(buf)) == -1,
	   "format: an unknown command is refused");
}

static void
test_arg_check(void)
{
	char err[128], name[CTL_ARG_MAX + 1];

	ok(ctl_arg_check("web.prod_1-a", err, sizeof(err)) == 0,
	   "arg check: every allowed character");
	ok(ctl_arg_check("", err, sizeof(err)) == -1, "arg check: empty");
	is_str(err, "empty argument", "arg check: empty's reason");
	ok(ctl_arg_check("a b", err, sizeof(err)) == -1, "arg check: space");
	memset(name, 'x', sizeof(name));
	name[CTL_ARG_MAX] = '\0';
	ok(ctl_arg_check(name, err, sizeof(err)) == -1,
	   "arg check: %d characters", CTL_ARG_MAX);
	name[CTL_ARG_MAX - 1] = '\0';
	ok(ctl_arg_check(name, err, sizeof(err)) == 0,
	   "arg check: %d characters", CTL_ARG_MAX - 1);
}

static void
test_cmd_table(void)
{
	static const char *const words[] = {
	    "status", "metrics", "release", "reload", "ping",   "events",
	    "watch",  "down",    "up",      "drain",  "undrain"};
	const struct ctl_cmd_info *ci;
	size_t k;

	is_int(CTL_CMD_MAX, 11, "table: eleven commands");
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		ci = ctl_cmd_info((enum ctl_cmd)k);
		ok(ci && strcmp(ci->word, words[k]) == 0 &&
		       ctl_cmd_find(words[k]) == (int)k && ci->help[0] != '\0',
		   "table: %s, found by its word, has help", words[k]);
	}
	ok(ctl_cmd_info(CTL_CMD_MAX) == NULL, "table: past the end is NULL");
	ok(ctl_cmd_find("stat") == -1 && ctl_cmd_find("STATUS") == -1 &&
	       ctl_cmd_find("") == -1,
	   "table: only exact words are commands");
	ci = ctl_cmd_info(CTL_RELEASE);
	is_str(ctl_arg_metavar(ci->arg), "GROUP", "release takes a GROUP");
	is_str(ctl_arg_what(ci->arg), "group name", "... a group name");
	is_str(ctl_arg_metavar(ctl_cmd_info(CTL_STATUS)->arg), "",
	       "status takes nothing");
}

static void
test_names(void)
{
	static const char *const states[] = {"leader", "backup", "fault",
	                                     "resigning", "listen"};
	const struct ctl_counter *c;
	size_t k, j;
	int good;

	is_int(CTL_ST_MAX, 5, "states: five");
	for (k = 0; k < CTL_ST_MAX; k++)
		ok(strcmp(ctl_state_name((enum ctl_state)k), states[k]) == 0 &&
		       ctl_state_find(states[k]) == (int)k,
		   "state %s, found by its name", states[k]);
	is_str(ctl_state_name(CTL_ST_MAX), "unknown", "state past the end");
	is_int(ctl_state_find("Leader"), -1, "state names are exact");

	good = 1;
	for (k = 0; k < CTL_GC_MAX; k++) {
		c = ctl_group_counter((enum ctl_group_ctr)k);
		if (c->section != NULL || c->help[0] == '\0' ||
		    strncmp(c->family, "vipd_", 5) != 0 ||
		    strcmp(c->family + strlen(c->family) - 6, "_total") != 0)
			good = 0;
		for (j = 0; j < k; j++)
			if (strcmp(ctl_group_counter(j)->key, c->key) == 0)
				good = 0;
	}
	ok(good, "group counters: unique keys, vipd_*_total, help");
	is_str(ctl_group_counter(CTL_GC_ARP_ANSWERED)->key, "arp_answered",
	       "group counter key");
	ok(ctl_group_counter(CTL_GC_MAX) == NULL, "group counter past the end");
	good = 1;
	for (k = 0; k < CTL_DC_MAX; k++) {
		c = ctl_daemon_counter((enum ctl_daemon_ctr)k);
		if (c->help[0] == '\0' || strncmp(c->family, "vipd_", 5) != 0)
			good = 0;
		for (j = 0; j < k; j++)
			if (strcmp(ctl_daemon_counter(j)->family, c->family) ==
			    0)
				good = 0;
	}
	ok(good, "daemon counters: unique families, help");
	c = ctl_daemon_counter(CTL_DC_HB_REJECTED);
	ok(c && (c->flags & CTL_CF_REASONS) &&
	       strcmp(c->section, "heartbeats") == 0,
	   "rejected heartbeats: by reason, in heartbeats");
	ok(ctl_daemon_counter(CTL_DC_MAX) == NULL,
	   "daemon counter past the end");
}

int
main(void)
{
	test_commands();
	test_refused();
	test_binary();
	test_lengths();
	test_format();
	test_arg_check();
	test_cmd_table();
	test_names();
	return tap_done();
}
