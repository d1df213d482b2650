/*
 * conf: the file, syntax, node, cluster (secret included) and control
 * sections, defaults, and the shipped example.  Every error is checked by
 * its exact text and line.  Groups are in test_conf_groups.c.
 */
#include "config.h"

#include <sys/socket.h>

#include "test_conf_util.h"

/* One valid group, on one line, for tests about other sections. */
#define G                                                                      \
	"groups = ( { name = \"web\"; interface = \"eth1\"; "                  \
	"vips = [ \"192.168.56.100\" ]; } );\n"

static void
free_null(void)
{
	conf_free(NULL);
}

static void
test_file(void)
{
	struct conf_errors e = {0};
	char path[400];
	char *got;

	ok(conf_load("nope.conf", TC_HOST, &e) == NULL, "missing file");
	is_int(e.n, 1, "missing file: one error");
	is_str(e.n ? e.msg[0] : NULL,
	       "nope.conf: cannot open: No such file or directory",
	       "missing file: message");
	conf_errors_clear(&e);
	is_int(e.n, 0, "conf_errors_clear empties");
	ok(e.msg == NULL, "conf_errors_clear frees");

	ok(conf_load(".", TC_HOST, &e) == NULL, "directory");
	is_str(e.n ? e.msg[0] : NULL, ".: cannot open: Is a directory",
	       "directory: message");
	conf_errors_clear(&e);

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ok(conf_load(path, TC_HOST, &e) == NULL, "long path");
	got = tc_join(&e);
	ok(got && strstr(got, ": cannot open: File name too long\n"),
	   "long path: message");
	free(got);
	conf_errors_clear(&e);

	ok(tap_child_returns(free_null), "conf_free(NULL) is a no-op");
}

static void
test_syntax(void)
{
	tc_bad("node = { priority = 5; };\ngroups = (\n  { name = ; }\n);\n",
	       "t.conf:3: syntax error at: { name = ; }\n",
	       "syntax error: the line's text");
	tc_bad("node = { id = n1; };\n" G,
	       "t.conf:1: syntax error at: node = { id = n1; }; (a string "
	       "needs double quotes: name = \"web\";)\n",
	       "syntax error: unquoted string, with a hint");
	tc_bad("groups = (\n  { name = \"a\"; }\n  { name = \"b\"; }\n);\n",
	       "t.conf:3: syntax error at: { name = \"b\"; } (is a ';' or a "
	       "',' missing at the end of line 2?)\n",
	       "syntax error: missing separator, with a hint");
	tc_bad("node = { priority = 5;\n priority = 6; };\n" G,
	       "t.conf:2: syntax error: duplicate setting name\n",
	       "duplicate key is libconfig's syntax error");
	tc_bad("cluster = { peers = [ \"10.0.0.1\", 5 ]; };\n" G,
	       "t.conf:1: syntax error: mismatched element type in array\n",
	       "mixed array");
	tc_bad("node = { id = 0\"n1\"; };\n" G,
	       "t.conf:1: syntax error at: node = { id = 0\"n1\"; };\n",
	       "syntax error at a string (libconfig leaks it)");
	tc_bad("node = { id = 0\"\"; };\n" G,
	       "t.conf:1: syntax error at: node = { id = 0\"\"; };\n",
	       "syntax error at an empty string (libconfig leaks it)");
	tc_bad("@include \"other.conf\"\n" G,
	       "t.conf:1: @include is not supported\n", "@include refused");
	tc_bad(G "node = { priority = 99999999999999999999; };\n",
	       "t.conf:2: syntax error: integer 99999999999999999999 is out "
	       "of range\n",
	       "integer beyond 64 bits");
	tc_bad("cluster = { peers = [\n  \"10.0.0.2\",\n  \"10.0.0.300\" # x\n"
	       " /* y\n */\n ];\n};\n" G,
	       "t.conf:3: cluster.peers[1]: '10.0.0.300' is not an IPv4 or "
	       "IPv6 address\n"
	       "t.conf:1: cluster.secret_file: required when peers or "
	       "multicast are set\n",
	       "last string of a list keeps its own line, not the ]'s");
	tc_bad("cluster = { peers = [\n  \"10.0.0.2\"\n  , \"10.0.0.300\"\n"
	       "  , \"::1\" \"x\"\n ];\n};\n" G,
	       "t.conf:3: cluster.peers[1]: '10.0.0.300' is not an IPv4 or "
	       "IPv6 address\n"
	       "t.conf:4: cluster.peers[2]: '::1x' is not an IPv4 or IPv6 "
	       "address\n"
	       "t.conf:1: cluster.secret_file: required when peers or "
	       "multicast are set\n",
	       "leading commas; adjacent strings still join");
	tc_bad("", "t.conf:1: groups: required key missing\n", "empty file");
	tc_bad("# only a comment\n", "t.conf:1: groups: required key missing\n",
	       "only a comment");

	tc_write_mode("t.conf", "node = {};\n\0" G, sizeof("node = {};\n") + 10,
	              0644);
	{
		struct conf_errors e = {0};

		ok(conf_load("t.conf", TC_HOST, &e) == NULL, "NUL byte");
		is_str(e.n ? e.msg[0] : NULL,
		       "t.conf:2: syntax error: NUL character in file",
		       "NUL byte: message");
		conf_errors_clear(&e);
	}
}

static void
test_unknown_and_types(void)
{
	tc_bad("nodes = { id = \"a\"; };\n" G, "t.conf:1: nodes: unknown key\n",
	       "unknown top-level section");
	tc_bad("node = {\n id = \"a\";\n colour = \"blue\";\n};\n" G,
	       "t.conf:3: node.colour: unknown key\n", "unknown node key");
	tc_bad("node = 5;\n" G, "t.conf:1: node: expected a group { ... }\n",
	       "node not a block");
	tc_bad("cluster = ( 1 );\n" G,
	       "t.conf:1: cluster: expected a group { ... }\n",
	       "cluster not a block");
	tc_bad("control = \"x\";\n" G,
	       "t.conf:1: control: expected a group { ... }\n",
	       "control not a block");
	tc_bad("node = { priority = \"100\"; };\n" G,
	       "t.conf:1: node.priority: expected an integer\n",
	       "string for an integer");
	tc_bad("node = { priority = 100.0; };\n" G,
	       "t.conf:1: node.priority: expected an integer\n",
	       "float for an integer");
	tc_bad("node = { priority = true; };\n" G,
	       "t.conf:1: node.priority: expected an integer\n",
	       "bool for an integer");
	tc_bad("node = { id = 5; };\n" G,
	       "t.conf:1: node.id: expected a string\n", "int for a string");
	tc_bad("node = { priority = [ 1 ]; };\n" G,
	       "t.conf:1: node.priority: expected an integer\n",
	       "array for an integer");
	tc_bad("node = {\n priority = 0;\n};\ncluster = {\n port = 1.5;\n"
	       " interval_ms = 5;\n};\n" G,
	       "t.conf:2: node.priority: value 0 out of range 1-254\n"
	       "t.conf:5: cluster.port: expected an integer\n"
	       "t.conf:6: cluster.interval_ms: value 5 out of range "
	       "10-10000\n",
	       "all errors collected, in file order");
}

static void
test_integers(void)
{
	struct conf *c;

	c = tc_good("node = { priority = 200L; };\n" G, "int64 literal");
	if (c)
		is_int(c->node_priority, 200, "int64 literal: value");
	conf_free(c);
	c = tc_good("node = { priority = 0x10; };\n" G, "hex literal");
	if (c)
		is_int(c->node_priority, 16, "hex literal: value");
	conf_free(c);
	/* libconfig 1.5 would read this as 100: conf must not. */
	tc_bad("node = { priority = 4294967396; };\n" G,
	       "t.conf:1: node.priority: value 4294967396 out of range "
	       "1-254\n",
	       "literal past 32 bits is not truncated");
	tc_bad("node = { priority = 0x100000064; };\n" G,
	       "t.conf:1: node.priority: value 4294967396 out of range "
	       "1-254\n",
	       "hex literal past 32 bits is not truncated");
	tc_bad("node = { priority = -1; };\n" G,
	       "t.conf:1: node.priority: value -1 out of range 1-254\n",
	       "negative");
	tc_bad("node = { priority = -2147483649; };\n" G,
	       "t.conf:1: node.priority: value -2147483649 out of range "
	       "1-254\n",
	       "negative past 32 bits");
	c = tc_good("node = { id = \"a1\"; priority = 7; };  # 99999999999\n"
	            "/* 88888888888 */ // 77777777777\n" G,
	            "digits in names and comments untouched");
	if (c)
		is_int(c->node_priority, 7, "digits in comments: value");
	conf_free(c);
}

static void
test_node(void)
{
	struct conf_errors e = {0};
	struct conf *c;
	char host[256];

	tc_bad("node = { id = \"node 1\"; };\n" G,
	       "t.conf:1: node.id: 'node 1' is not a valid id (1-63 "
	       "characters of A-Z a-z 0-9 . _ -)\n",
	       "id with a space");
	tc_bad("node = { id = \"\"; };\n" G,
	       "t.conf:1: node.id: '' is not a valid id (1-63 characters of "
	       "A-Z a-z 0-9 . _ -)\n",
	       "empty id");
	tc_bad("node = { id = "
	       "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaa\"; };\n" G,
	       "t.conf:1: node.id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaa' is not a valid id (1-63 characters of "
	       "A-Z a-z 0-9 . _ -)\n",
	       "64-character id");
	c = tc_good(
	    "node = { id = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaa\"; };\n" G,
	    "63-character id");
	conf_free(c);
	tc_bad("node = { priority = 255; };\n" G,
	       "t.conf:1: node.priority: value 255 out of range 1-254\n",
	       "priority 255");

	c = tc_good("node = { id = \"n-1.a_b\"; priority = 254; };\n" G,
	            "id and priority");
	if (c) {
		is_str(c->node_id, "n-1.a_b", "id kept");
		is_int(c->node_priority, 254, "priority kept");
	}
	conf_free(c);

	/* The hostname is the default id, and must be a valid one. */
	c = tc_good(G, "no node block");
	if (c)
		is_str(c->node_id, TC_HOST, "hostname is the default id");
	conf_free(c);
	tc_write("t.conf", G);
	c = conf_load("t.conf", "db-2.example.com", &e);
	ok(c && strcmp(c->node_id, "db-2.example.com") == 0,
	   "FQDN hostname is a valid id");
	conf_free(c);
	c = conf_load("t.conf", "bad_host name", &e);
	ok(c == NULL, "invalid hostname rejected");
	is_str(e.n ? e.msg[0] : NULL,
	       "t.conf:1: node.id: hostname 'bad_host name' is not a valid "
	       "id; set node.id",
	       "invalid hostname: message at line 1 without a node block");
	conf_errors_clear(&e);
	tc_write("t.conf", G "\nnode = {\n  priority = 5;\n};\n");
	c = conf_load("t.conf", "", &e);
	is_str(e.n ? e.msg[0] : NULL,
	       "t.conf:3: node.id: hostname '' is not a valid id; set node.id",
	       "invalid hostname: message at the node block's line");
	conf_free(c);
	conf_errors_clear(&e);
	tc_write("t.conf", "node = { id = \"set\"; };\n" G);
	c = conf_load("t.conf", "bad host", &e);
	ok(c && strcmp(c->node_id, "set") == 0,
	   "node.id wins over an invalid hostname");
	conf_free(c);
	tc_write("t.conf", G);
	c = conf_load("t.conf", NULL, &e);
	if (gethostname(host, sizeof(host)) == 0 && c != NULL)
		is_str(c->node_id, host, "NULL hostname: gethostname()");
	else
		ok(c == NULL && e.n == 1, "NULL hostname: gethostname()");
	conf_free(c);
	conf_errors_clear(&e);
}

static void
test_defaults(void)
{
	struct conf *c = tc_good(G, "minimal config");

	if (c == NULL)
		return;
	is_str(c->path, "t.conf", "path");
	is_int(c->node_priority, CONF_DEFAULT_PRIORITY, "node.priority");
	is_int(c->port, 7431, "cluster.port");
	ok(!c->has_bind, "no cluster.bind");
	is_int(c->npeers, 0, "no peers");
	ok(c->peers == NULL, "peers NULL");
	ok(!c->has_multicast, "no multicast");
	is_str(c->multicast_interface, "", "no multicast_interface");
	is_int(c->interval_ms, 100, "cluster.interval_ms");
	is_int(c->dead_after, 3, "cluster.dead_after");
	is_str(c->secret_file, "", "no secret file");
	is_int(c->secret_len, 0, "no secret");
	is_str(c->socket_path, "/run/vipd/vipd.sock", "control.socket");
	is_str(c->pid_file, "/run/vipd/vipd.pid", "control.pid_file");
	is_str(c->socket_group, "", "control.socket_group");
	is_int(c->ngroups, 1, "one group");
	is_int(conf_vip_count(c), 1, "one VIP");
	conf_free(c);
}

static void
test_cluster(void)
{
	struct conf *c;

	tc_bad("cluster = { port = 0; };\n" G,
	       "t.conf:1: cluster.port: value 0 out of range 1-65535\n",
	       "port 0");
	tc_bad("cluster = { port = 65536; };\n" G,
	       "t.conf:1: cluster.port: value 65536 out of range 1-65535\n",
	       "port 65536");
	tc_bad("cluster = { interval_ms = 10001; };\n" G,
	       "t.conf:1: cluster.interval_ms: value 10001 out of range "
	       "10-10000\n",
	       "interval_ms 10001");
	tc_bad("cluster = { dead_after = 1; };\n" G,
	       "t.conf:1: cluster.dead_after: value 1 out of range 2-255\n",
	       "dead_after 1");
	tc_bad("cluster = { dead_after = 256; };\n" G,
	       "t.conf:1: cluster.dead_after: value 256 out of range 2-255\n",
	       "dead_after 256");
	tc_bad("cluster = { bind = \"10.0.0.300\"; };\n" G,
	       "t.conf:1: cluster.bind: '10.0.0.300' is not an IPv4 or IPv6 "
	       "address\n",
	       "bad bind address");
	tc_bad("cluster = { bind = \"localhost\"; };\n" G,
	       "t.conf:1: cluster.bind: 'localhost' is not an IPv4 or IPv6 "
	       "address\n",
	       "names are not addresses");
	tc_bad("cluster = { bind = \"239.1.1.1\"; };\n" G,
	       "t.conf:1: cluster.bind: '239.1.1.1' cannot be a bind address "
	       "(multicast)\n",
	       "multicast bind");
	tc_bad("cluster = { foo = 1; };\n" G,
	       "t.conf:1: cluster.foo: unknown key\n", "unknown cluster key");

	c = tc_good("cluster = {\n port = 9999;\n bind = \"fd00::1\";\n"
	            " interval_ms = 10;\n dead_after = 255;\n};\n" G,
	            "solo with bind");
	if (c) {
		is_int(c->port, 9999, "port");
		ok(c->has_bind && c->bind.family == AF_INET6 &&
		       c->bind.a[0] == 0xfd && c->bind.a[15] == 1,
		   "bind address");
		is_int(c->interval_ms, 10, "interval_ms");
		is_int(c->dead_after, 255, "dead_after");
		is_int(c->secret_len, 0, "solo needs no secret");
	}
	conf_free(c);
}

static void
test_peers(void)
{
	struct conf *c;
	char text[4096];
	size_t n;
	int i;

	tc_secret("k", TC_KEY);
	tc_bad("cluster = { peers = \"10.0.0.1\"; secret_file = \"k\"; };\n" G,
	       "t.conf:1: cluster.peers: expected a list of addresses\n",
	       "peers not a list");
	tc_bad("cluster = { peers = [ 1, 2 ]; secret_file = \"k\"; };\n" G,
	       "t.conf:1: cluster.peers[0]: expected a string\n"
	       "t.conf:1: cluster.peers[1]: expected a string\n",
	       "peers of integers");
	tc_bad("cluster = {\n secret_file = \"k\";\n peers = [\n  \"10.0.0.5\","
	       "\n  \"10.0.0.300\",\n  \"fd00::3\",\n  \"10.0.0.5\",\n"
	       "  \"fd00:0:0::3\",\n  \"fe80::1%eth0\",\n  \"0.0.0.0\",\n"
	       "  \"ff02::1\"\n ];\n};\n" G,
	       "t.conf:5: cluster.peers[1]: '10.0.0.300' is not an IPv4 or "
	       "IPv6 address\n"
	       "t.conf:7: cluster.peers[3]: duplicate address 10.0.0.5 (also "
	       "at line 4)\n"
	       "t.conf:8: cluster.peers[4]: duplicate address fd00::3 (also at "
	       "line 6)\n"
	       "t.conf:9: cluster.peers[5]: 'fe80::1%eth0' is not an IPv4 or "
	       "IPv6 address\n"
	       "t.conf:10: cluster.peers[6]: '0.0.0.0' cannot be a peer "
	       "(unspecified)\n"
	       "t.conf:11: cluster.peers[7]: 'ff02::1' cannot be a peer "
	       "(multicast)\n",
	       "bad peers");
	tc_bad("cluster = {\n peers = [ \"10.0.0.1\" ];\n};\n" G,
	       "t.conf:1: cluster.secret_file: required when peers or "
	       "multicast are set\n",
	       "peers need a secret");
	tc_bad("cluster = { bind = \"10.0.0.1\"; secret_file = \"k\";\n"
	       " peers = ( \"10.0.0.1\", \"fd00::3\" ); };\n" G,
	       "t.conf:2: cluster.peers[1]: 'fd00::3' is IPv6 but cluster.bind "
	       "is IPv4\n",
	       "peer family differs from bind");

	n = (size_t)snprintf(text, sizeof(text),
	                     "cluster = { secret_file = \"k\"; peers = [");
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		                      "%s\"10.0.1.%d\"", i ? ", " : "", i + 1);
	snprintf(text + n, sizeof(text) - n, "]; };\n" G);
	tc_bad(text, "t.conf:1: cluster.peers: 65 addresses; at most 64\n",
	       "65 peers");

	c = tc_good(
	    "cluster = {\n secret_file = \"k\";\n peers = ( "
	    "\"10.0.0.1\", \"10.0.0.2\", \"fd00::3\", \"127.0.0.1\" );\n"
	    "};\n" G,
	    "peers as a list, mixed families, own address, loopback");
	if (c) {
		is_int(c->npeers, 4, "four peers");
		ok(c->peers[2].family == AF_INET6 && c->peers[2].a[15] == 3,
		   "IPv6 peer");
		ok(c->peers[0].family == AF_INET && c->peers[0].a[3] == 1,
		   "IPv4 peer");
	}
	conf_free(c);
	c = tc_good("cluster = { peers = []; };\n" G, "empty peers: solo");
	if (c)
		is_int(c->npeers, 0, "empty peers");
	conf_free(c);
}

static void
test_multicast(void)
{
	struct conf *c;

	tc_secret("k", TC_KEY);
	tc_bad("cluster = {\n multicast = \"239.255.74.31\";\n"
	       " secret_file = \"k\";\n};\n" G,
	       "t.conf:1: cluster.multicast_interface: required when multicast "
	       "is set\n",
	       "multicast needs an interface");
	tc_bad("cluster = {\n multicast = \"239.255.74.31\";\n"
	       " multicast_interface = \"eth1\";\n};\n" G,
	       "t.conf:1: cluster.secret_file: required when peers or "
	       "multicast are set\n",
	       "multicast needs a secret");
	tc_bad("cluster = { multicast = \"10.0.0.1\"; secret_file = \"k\";\n"
	       " multicast_interface = \"eth1\"; };\n" G,
	       "t.conf:1: cluster.multicast: '10.0.0.1' is not a multicast "
	       "address\n",
	       "unicast multicast");
	tc_bad("cluster = { multicast_interface = \"eth1\"; };\n" G,
	       "t.conf:1: cluster.multicast_interface: only used with "
	       "multicast\n",
	       "interface without multicast");
	tc_bad("cluster = { multicast = \"ff02::4a\"; secret_file = \"k\";\n"
	       " multicast_interface = \"eth1eth1eth1eth1\"; };\n" G,
	       "t.conf:2: cluster.multicast_interface: interface name "
	       "'eth1eth1eth1eth1' is longer than 15 characters\n",
	       "long multicast interface");
	tc_bad("cluster = { multicast = \"ff02::4a\"; secret_file = \"k\";\n"
	       " multicast_interface = \"eth1\"; bind = \"10.0.0.1\"; };\n" G,
	       "t.conf:1: cluster.multicast: 'ff02::4a' is IPv6 but "
	       "cluster.bind is IPv4\n",
	       "multicast family differs from bind");

	c = tc_good(
	    "cluster = { multicast = \"239.255.74.31\";\n"
	    " multicast_interface = \"eth1\"; secret_file = \"k\"; };\n" G,
	    "multicast");
	if (c) {
		ok(c->has_multicast && c->multicast.family == AF_INET &&
		       c->multicast.a[0] == 239 && c->multicast.a[3] == 31,
		   "multicast group");
		is_str(c->multicast_interface, "eth1", "multicast interface");
		is_int(c->secret_len, 44, "secret read, newline stripped");
		ok(memcmp(c->secret, TC_KEY, 44) == 0, "secret bytes");
	}
	conf_free(c);
}

static void
test_secret(void)
{
	struct conf *c;
	char big[400];

	tc_bad("cluster = { secret_file = \"/nonexistent/k\"; };\n" G,
	       "t.conf:1: cluster.secret_file: cannot read secret file "
	       "'/nonexistent/k': No such file or directory\n",
	       "missing secret");
	tc_bad("cluster = { secret_file = \"\"; };\n" G,
	       "t.conf:1: cluster.secret_file: path is empty\n",
	       "empty secret path");
	tc_bad("cluster = { secret_file = 5; };\n" G,
	       "t.conf:1: cluster.secret_file: expected a string\n",
	       "secret path not a string");
	tc_secret("empty", " \n\n");
	tc_bad("cluster = { secret_file = \"empty\"; };\n" G,
	       "t.conf:1: cluster.secret_file: secret file 'empty' is empty\n",
	       "empty secret");
	tc_write("open", TC_KEY);
	tc_bad("cluster = { secret_file = \"open\"; };\n" G,
	       "t.conf:1: cluster.secret_file: secret file 'open' is "
	       "accessible by group or others (mode 0644): chmod 600 it\n",
	       "secret readable by others");
	tc_write_mode("grp", TC_KEY, strlen(TC_KEY), 0640);
	tc_bad("cluster = { secret_file = \"grp\"; };\n" G,
	       "t.conf:1: cluster.secret_file: secret file 'grp' is "
	       "accessible by group or others (mode 0640): chmod 600 it\n",
	       "secret readable by the group");
	tc_secret("short", "12345\n");
	tc_bad("cluster = { secret_file = \"short\"; };\n" G,
	       "t.conf:1: cluster.secret_file: secret is 5 bytes; at least 16 "
	       "needed\n",
	       "short secret");
	memset(big, 'k', sizeof(big) - 1);
	big[257] = '\0';
	tc_secret("long", big);
	tc_bad("cluster = { secret_file = \"long\"; };\n" G,
	       "t.conf:1: cluster.secret_file: secret is 257 bytes; at most "
	       "256 allowed\n",
	       "long secret");
	mkdir("kdir", 0700);
	tc_bad("cluster = { secret_file = \"kdir\"; };\n" G,
	       "t.conf:1: cluster.secret_file: secret file 'kdir' is not a "
	       "regular file\n",
	       "secret is a directory");

	big[256] = '\0';
	tc_secret("max", big);
	c = tc_good("cluster = { secret_file = \"max\"; };\n" G,
	            "256-byte secret; a solo node's secret is checked too");
	if (c)
		is_int(c->secret_len, 256, "256-byte secret");
	conf_free(c);
	tc_secret("min", "0123456789abcdef \t\r\n");
	c = tc_good("cluster = { secret_file = \"min\"; };\n" G,
	            "16-byte secret");
	if (c)
		ok(c->secret_len == 16 &&
		       memcmp(c->secret, "0123456789abcdef", 16) == 0,
		   "16-byte secret, trailing whitespace stripped");
	conf_free(c);
}

/* A relative secret_file is relative to the config file's directory. */
static void
test_secret_relative(void)
{
	struct conf_errors e = {0};
	struct conf *c;

	mkdir("etc", 0755);
	tc_secret("etc/vipd.key", TC_KEY);
	tc_write("etc/vipd.conf",
	         "cluster = { peers = [ \"10.0.0.2\" ]; secret_file = "
	         "\"vipd.key\"; };\n" G);
	c = conf_load("etc/vipd.conf", TC_HOST, &e);
	ok(c != NULL, "relative secret found next to the config");
	if (c) {
		is_str(c->secret_file, "etc/vipd.key", "resolved secret path");
		is_int(c->secret_len, 44, "relative secret read");
	}
	conf_free(c);
	tc_write("etc/vipd.conf",
	         "cluster = { secret_file = \"nokey\"; };\n" G);
	c = conf_load("etc/vipd.conf", TC_HOST, &e);
	ok(c == NULL, "missing relative secret");
	is_str(e.n ? e.msg[0] : NULL,
	       "etc/vipd.conf:1: cluster.secret_file: cannot read secret file "
	       "'etc/nokey': No such file or directory",
	       "missing relative secret: resolved path in the message");
	conf_errors_clear(&e);
}

static void
test_control(void)
{
	struct conf *c;
	char text[512];

	snprintf(text, sizeof(text),
	         "control = {\n socket = \"/%0107d\";\n};\n" G, 0);
	tc_bad(text,
	       "t.conf:2: control.socket: path is 108 characters long; at most "
	       "107\n",
	       "socket path too long");
	snprintf(text, sizeof(text),
	         "control = { pid_file = \"/%0255d\"; };\n" G, 0);
	tc_bad(text,
	       "t.conf:1: control.pid_file: path is 256 characters long; at "
	       "most 255\n",
	       "pid_file path too long");
	tc_bad("control = { socket = \"\"; };\n" G,
	       "t.conf:1: control.socket: path is empty\n",
	       "empty socket path");
	tc_bad("control = { socket_group = "
	       "\"abcdefghijklmnopqrstuvwxyz012345\"; };\n" G,
	       "t.conf:1: control.socket_group: group name "
	       "'abcdefghijklmnopqrstuvwxyz012345' is longer than 31 "
	       "characters\n",
	       "socket group too long");
	tc_bad("control = { socket_group = 0; };\n" G,
	       "t.conf:1: control.socket_group: expected a string\n",
	       "socket group not a string");
	tc_bad("control = { sock = \"/x\"; };\n" G,
	       "t.conf:1: control.sock: unknown key\n", "unknown control key");

	snprintf(text, sizeof(text),
	         "control = { socket = \"/%0106d\"; pid_file = \"p.pid\";\n"
	         " socket_group = \"vipd\"; };\n" G,
	         0);
	c = tc_good(text, "control");
	if (c) {
		is_int(strlen(c->socket_path), 107,
		       "107-character socket path");
		is_str(c->pid_file, "p.pid", "pid_file kept as written");
		is_str(c->socket_group, "vipd", "socket_group");
	}
	conf_free(c);
}

/* vipctl -c: control.socket alone, whatever else the file holds. */
static void
test_socket_only(void)
{
	struct conf_errors e = {0};
	char sock[CONF_SOCK_MAX], text[256];
	char *got;

	tc_write("t.conf", "control = { socket = \"/run/a.sock\"; };\n"
	                   "cluster = { secret_file = \"/nonexistent\"; };\n");
	ok(conf_load_socket("t.conf", sock, &e), "socket: read");
	is_str(sock, "/run/a.sock", "socket: the path set");
	is_int(e.n, 0, "socket: no error (the rest is not checked)");
	tc_write("t.conf", "node = { id = \"a\"; };\n");
	ok(conf_load_socket("t.conf", sock, &e), "socket: not set");
	is_str(sock, CONF_DEFAULT_SOCKET, "socket: not set: the default");
	tc_write("t.conf", "control = 5;\n");
	ok(!conf_load_socket("t.conf", sock, &e),
	   "socket: control not a block");
	got = tc_join(&e);
	is_str(got, "t.conf:1: control: expected a group { ... }\n",
	       "socket: control not a block: message");
	free(got);
	conf_errors_clear(&e);
	snprintf(text, sizeof(text), "\ncontrol = { socket = \"/%0107d\"; };\n",
	         0);
	tc_write("t.conf", text);
	ok(!conf_load_socket("t.conf", sock, &e), "socket: too long");
	got = tc_join(&e);
	is_str(got,
	       "t.conf:2: control.socket: path is 108 characters long; at most "
	       "107\n",
	       "socket: too long: message");
	is_str(sock, CONF_DEFAULT_SOCKET,
	       "socket: too long: out is the default");
	free(got);
	conf_errors_clear(&e);
	tc_write("t.conf", "control = { socket = \"/x\"\n");
	ok(!conf_load_socket("t.conf", sock, &e), "socket: syntax error");
	got = tc_join(&e);
	ok(got && strncmp(got, "t.conf:2: syntax error: ", 24) == 0,
	   "socket: syntax error: file:line");
	free(got);
	conf_errors_clear(&e);
	ok(!conf_load_socket("nope.conf", sock, &e), "socket: missing file");
	is_str(e.n ? e.msg[0] : NULL,
	       "nope.conf: cannot open: No such file or directory",
	       "socket: missing file: message");
	conf_errors_clear(&e);
}

static void
test_example(void)
{
	struct conf_errors e = {0};
	struct conf *c;
	char *got;

	c = conf_load(TOP_SRCDIR "/examples/vipd.conf", TC_HOST, &e);
	got = tc_join(&e);
	if (!ok(c != NULL, "examples/vipd.conf is valid"))
		printf("# errors:\n%s", got ? got : "");
	free(got);
	if (c) {
		is_str(c->node_id, TC_HOST, "example: id is the hostname");
		is_int(c->npeers, 0, "example: solo");
		ok(c->ngroups >= 1 && c->groups[0].route.has_gateway,
		   "example: a route with a gateway");
	}
	conf_free(c);
	conf_errors_clear(&e);
}

int
main(void)
{
	tc_setup();
	test_file();
	test_syntax();
	test_unknown_and_types();
	test_integers();
	test_node();
	test_defaults();
	test_cluster();
	test_peers();
	test_multicast();
	test_secret();
	test_secret_relative();
	test_control();
	test_socket_only();
	test_example();
	return tap_done();
}
