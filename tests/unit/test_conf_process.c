/*
 * conf: the process block (process.realtime_priority, process.nice): off
 * by default, the limits of each range, every error with its line.
 */
#include "config.h"

#include "test_conf_util.h"

#define G                                                                      \
	"groups = ( { name = \"web\"; interface = \"eth1\"; "                  \
	"vips = [ \"192.168.56.100\" ]; } );\n"

static void
test_off(void)
{
	struct conf *c = tc_good(G, "no process block");

	if (c) {
		is_int(c->rt_priority, 0, "no real-time priority by default");
		is_int(c->nice, 0, "nice left alone by default");
	}
	conf_free(c);
	c = tc_good(G "process = { };\n", "empty process block");
	if (c)
		ok(c->rt_priority == 0 && c->nice == 0, "empty block: off");
	conf_free(c);
}

/* The block's text loads with rt and nice. */
static void
good(const char *block, unsigned rt, int nice)
{
	char text[512];
	struct conf *c;

	snprintf(text, sizeof(text), G "process = {\n%s\n};\n", block);
	c = tc_good(text, block);
	if (c == NULL)
		return;
	is_int(c->rt_priority, rt, "%s: realtime_priority", block);
	is_int(c->nice, nice, "%s: nice", block);
	conf_free(c);
}

static void
test_good(void)
{
	good("realtime_priority = 10;", 10, 0);
	good("realtime_priority = 1;", 1, 0);
	good("realtime_priority = 99;", 99, 0);
	good("realtime_priority = 0;", 0, 0);
	good("nice = -20;", 0, -20);
	good("nice = 19;", 0, 19);
	good("realtime_priority = 5; nice = -5;", 5, -5);
}

/* The block's text (one line: line 3) is refused with want. */
static void
bad(const char *block, const char *want)
{
	char text[512], exp[512];

	snprintf(text, sizeof(text), G "process = {\n%s\n};\n", block);
	snprintf(exp, sizeof(exp), "t.conf:3: %s\n", want);
	tc_bad(text, exp, "%s refused", block);
}

static void
test_bad(void)
{
	bad("realtime_priority = 100;",
	    "process.realtime_priority: value 100 out of range 0-99");
	bad("realtime_priority = -1;",
	    "process.realtime_priority: value -1 out of range 0-99");
	bad("realtime_priority = \"10\";",
	    "process.realtime_priority: expected an integer");
	bad("realtime_priority = true;",
	    "process.realtime_priority: expected an integer");
	bad("nice = -21;", "process.nice: value -21 out of range -20 to 19");
	bad("nice = 20;", "process.nice: value 20 out of range -20 to 19");
	bad("nice = 1.5;", "process.nice: expected an integer");
	bad("priority = 10;", "process.priority: unknown key");
	tc_bad(G "process = 10;\n",
	       "t.conf:2: process: expected a group { ... }\n",
	       "process not a block");
	/* every error, in file order */
	tc_bad(G "process = {\n realtime_priority = 200;\n nice = 40;\n};\n",
	       "t.conf:3: process.realtime_priority: value 200 out of range "
	       "0-99\n"
	       "t.conf:4: process.nice: value 40 out of range -20 to 19\n",
	       "both keys wrong: both reported");
}

int
main(void)
{
	tc_setup();
	test_off();
	test_good();
	test_bad();
	return tap_done();
}
