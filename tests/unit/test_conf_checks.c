/*
 * conf: the checks list and the groups' track entries: values and
 * defaults, the track list's mixed shape, weights falling back to the
 * check's, and the errors, each with its file:line.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include "test_conf_util.h"

#define GROUP(track)                                                           \
	"groups = ( { name = \"web\"; interface = \"eth1\"; "                  \
	"vips = [ \"192.168.56.100\" ]; " track " } );\n"

static void
test_values(void)
{
	struct conf *c = tc_good(
	    "checks = (\n"
	    " { name = \"web\"; tcp = \"[::1]:8080\"; interval_ms = 100;"
	    "   fall = 2; rise = 3; },\n"
	    " { name = \"api\"; http = \"https://127.0.0.1:6443/readyz\";"
	    "   expect = [ 200, 204 ]; tls_verify = false;"
	    "   host = \"api.local\"; weight = -30; },\n"
	    " { name = \"db\"; exec = [ \"/usr/bin/check-db\", \"-q\" ];"
	    "   timeout_ms = 5000; user = \"nobody\"; },\n"
	    " { name = \"px\"; process = \"haproxy\"; cmdline = \"haproxy "
	    "-f\"; }"
	    ");\n" GROUP("track = [ \"web\", { check = \"api\"; },"
	                 " { check = \"db\"; weight = 10; }, \"px\" ];"),
	    "every kind's keys");

	if (c == NULL)
		return;
	is_int(c->nchecks, 4, "four checks");
	is_int(c->checks[0].kind, CONF_CHECK_TCP, "tcp");
	is_int(c->checks[0].addr.family, AF_INET6, "tcp: IPv6 in brackets");
	is_int(c->checks[0].port, 8080, "tcp: port");
	is_int(c->checks[0].interval_ms, 100, "interval_ms");
	is_int(c->checks[0].timeout_ms, 100, "timeout defaults to interval");
	is_int(c->checks[0].rise, 3, "rise");
	is_int(c->checks[0].fall, 2, "fall");
	is_int(c->checks[1].kind, CONF_CHECK_HTTP, "http");
	is_int(c->checks[1].nexpect, 2, "expect: two codes");
	is_int(c->checks[1].expect[1], 204, "expect: 204");
	ok(!c->checks[1].tls_verify, "tls_verify off");
	is_str(c->checks[1].host, "api.local", "host");
	is_int(c->checks[2].argc, 2, "exec: two words");
	is_str(c->checks[2].argv[1], "-q", "exec: argv[1]");
	ok(c->checks[2].argv[2] == NULL, "exec: argv NULL-terminated");
	is_int(c->checks[2].timeout_ms, 5000, "timeout beyond interval");
	is_int(c->checks[2].interval_ms, 1000, "interval default 1 s");
	is_int(c->checks[2].rise, 1, "rise default 1");
	is_int(c->checks[2].fall, 1, "fall default 1");
	is_str(c->checks[2].user, "nobody", "user");
	is_str(c->checks[3].cmdline, "haproxy -f", "cmdline");
	is_int(c->groups[0].ntrack, 4, "four tracked");
	is_int(c->groups[0].track[0].weight, 0, "no weight: faults");
	is_int(c->groups[0].track[1].weight, -30, "the check's weight");
	is_int(c->groups[0].track[2].weight, 10, "the entry's weight");
	is_int(c->groups[0].track[3].check, 3, "index of px");
	ok(conf_check_same(&c->checks[2], &c->checks[2]), "same as itself");
	ok(!conf_check_same(&c->checks[0], &c->checks[1]), "differ");
	conf_free(c);
}

static void
test_shape(void)
{
	struct conf *c;

	c = tc_good("checks = ( { name = \"a\"; file = \"/x\"; } );\n" GROUP(
	                "track = [\n \"a\" # ] not the end\n ];"),
	            "a list of one name with a comment");
	if (c != NULL)
		is_int(c->groups[0].ntrack, 1, "one tracked");
	conf_free(c);
	c = tc_good("checks = ( { name = \"a\"; file = \"m\"; } );\n" GROUP(
	                "track = ( \"a\" );"),
	            "track as a list");
	if (c != NULL)
		is_str(c->checks[0].path, "m", "relative file path kept");
	conf_free(c);
	c = tc_good(GROUP(""), "no checks at all");
	if (c != NULL)
		is_int(c->nchecks, 0, "none");
	conf_free(c);
}

static void
test_errors(void)
{
	tc_bad("checks = ( { name = \"a\"; file = \"/x\"; } );\n" GROUP(
	           "track = [ \"b\" ];"),
	       "t.conf:2: groups[0].track[0]: unknown check 'b'\n",
	       "unknown check");
	tc_bad(GROUP("track = [ \"b\" ];"),
	       "t.conf:1: groups[0].track[0]: unknown check 'b'\n",
	       "unknown check without a checks list");
	tc_bad("checks = (\n { name = \"a\"; file = \"/x\";\n"
	       "   interface = \"eth0\"; }\n);\n" GROUP(""),
	       "t.conf:3: checks[0].interface: a check has one kind: file is "
	       "set at line 2\n",
	       "two kinds");
	tc_bad("checks = ( { name = \"a\"; file = \"/x\"; timeout_ms = 9; } "
	       ");\n" GROUP(""),
	       "t.conf:1: checks[0].timeout_ms: value 9 out of range "
	       "10-3600000\n",
	       "timeout out of range");
	tc_bad("checks = ( { file = \"/x\"; } );\n" GROUP(""),
	       "t.conf:1: checks[0].name: required key missing\n",
	       "name missing");
	tc_bad("checks = ( { name = \"a\"; tcp = \"1.2.3.4\"; },\n"
	       " { name = \"b\"; tcp = \"1.2.3.4:0\"; },\n"
	       " { name = \"c\"; http = \"ftp://x\"; },\n"
	       " { name = \"d\"; exec = []; },\n"
	       " { name = \"e\"; process = \"a/b\"; } );\n" GROUP(""),
	       "t.conf:1: checks[0].tcp: '1.2.3.4' is not ADDRESS:PORT\n"
	       "t.conf:2: checks[1].tcp: '1.2.3.4:0' is not ADDRESS:PORT\n"
	       "t.conf:3: checks[2].http: 'ftp://x' is not an http:// or "
	       "https:// URL\n"
	       "t.conf:4: checks[3].exec: 0 words; 1 to 32\n"
	       "t.conf:5: checks[4].process: 'a/b' is not a process name\n",
	       "bad kind values");
	tc_bad("checks = ( { name = \"a\"; file = \"/x\"; } );\n" GROUP(
	           "track = [ 5 ];"),
	       "t.conf:2: groups[0].track[0]: expected a check name or { "
	       "check = \"name\"; weight = N; }\n",
	       "a number in track");
	tc_bad("checks = ( { name = \"a\"; file = \"/x\"; } );\n" GROUP(
	           "track = [ { weight = 5; } ];"),
	       "t.conf:2: groups[0].track[0].check: required key missing\n",
	       "a block without check");
}

/* Drop-in files hold checks too: appended after the main file's (files in
 * sorted order); a group in any file tracks a check of any file; a name
 * defined twice across files names both places. */
static void
test_dropins(void)
{
	struct conf *c;

	mkdir("ck.d", 0755);
	tc_write("ck.d/20-b.conf",
	         "checks = ( { name = \"b\"; file = \"/b\"; weight = -7; } );\n"
	         "groups = ( { name = \"gb\"; interface = \"eth1\";\n"
	         " vips = [ \"192.168.56.102\" ]; track = [ \"m\", \"a\" ]; } "
	         ");\n");
	tc_write("ck.d/10-a.conf",
	         "checks = ( { name = \"a\"; file = \"/a\"; } );\n");
	c = tc_good("include_dir = \"ck.d\";\n"
	            "checks = ( { name = \"m\"; file = \"/m\"; } );\n" GROUP(
	                "track = [ \"b\", \"a\" ];"),
	            "checks in drop-ins");
	if (c != NULL) {
		is_int(c->nchecks, 3, "three checks across three files");
		is_str(c->checks[0].name, "m", "the main file's first");
		is_str(c->checks[1].name, "a", "then 10-a.conf's");
		is_str(c->checks[2].name, "b", "then 20-b.conf's");
		is_int(c->groups[0].track[0].check, 2, "main group tracks b");
		is_int(c->groups[0].track[0].weight, -7, "with b's weight");
		is_int(c->groups[0].track[1].check, 1, "main group tracks a");
		is_int(c->groups[1].ntrack, 2, "drop-in group tracks two");
		is_int(c->groups[1].track[0].check, 0,
		       "drop-in group tracks m");
		is_int(c->groups[1].track[1].check, 1, "... and a");
		/* Where each was read, for vipd -t's host messages. */
		is_str(c->checks[0].file, "t.conf", "m: read from t.conf");
		is_str(c->checks[2].file, "ck.d/20-b.conf",
		       "b: read from ck.d/20-b.conf");
		is_int(c->checks[2].index, 0, "... its first check");
		is_str(c->groups[0].file, "t.conf", "web: read from t.conf");
		is_str(c->groups[1].file, "ck.d/20-b.conf",
		       "gb: read from ck.d/20-b.conf");
		is_int(c->groups[1].index, 0, "... its first group");
	}
	conf_free(c);
	tc_write("ck.d/10-a.conf",
	         "checks = (\n { name = \"a\"; file = \"/a\"; },\n"
	         " { name = \"m\"; file = \"/m2\"; }\n);\n");
	tc_bad("include_dir = \"ck.d\";\n"
	       "checks = ( { name = \"m\"; file = \"/m\"; } );\n" GROUP(
	           "track = [ \"b\", \"zz\" ];"),
	       "ck.d/10-a.conf:3: checks[1].name: check name 'm' used twice "
	       "(also at t.conf:2)\n"
	       "t.conf:3: groups[0].track[1]: unknown check 'zz'\n",
	       "a check defined in two files");
	tc_write("ck.d/20-b.conf",
	         "checks = ( { name = \"b\"; file = \"/b\"; },\n"
	         " { name = \"b\"; file = \"/b\"; } );\n");
	tc_write("ck.d/10-a.conf", "");
	tc_bad("include_dir = \"ck.d\";\n" GROUP(""),
	       "ck.d/20-b.conf:2: checks[1].name: check name 'b' used twice "
	       "(also at line 1)\n",
	       "twice in one drop-in: line only");
}

int
main(void)
{
	tc_setup();
	test_values();
	test_shape();
	test_errors();
	test_dropins();
	return tap_done();
}
