/*
 * conf: the groups list, its checks across groups, good configs end to end,
 * conf_group_same_vips() and the name helpers.
 */
#include "config.h"

#include <sys/socket.h>

#include "test_conf_util.h"

#define VIP "vips = [ \"192.168.56.100\" ];"

static void
test_list(void)
{
	char *text;
	size_t n, i, cap = 1100 * 96;

	tc_bad("node = { id = \"a\"; };\n",
	       "t.conf:1: groups: required key missing\n", "no groups");
	tc_bad("groups = ();\n",
	       "t.conf:1: groups: at least one group is needed\n",
	       "empty groups");
	tc_bad("groups = [];\n",
	       "t.conf:1: groups: expected a list of groups ( ... )\n",
	       "groups as an array");
	tc_bad("groups = { name = \"web\"; };\n",
	       "t.conf:1: groups: expected a list of groups ( ... )\n",
	       "groups as a block");
	tc_bad("groups = (\n 5,\n { name = \"web\"; interface = \"eth1\"; " VIP
	       " }\n);\n",
	       "t.conf:2: groups[0]: expected a group { ... }\n",
	       "a group that is not a block");

	text = malloc(cap);
	n = (size_t)snprintf(text, cap, "groups = (\n");
	for (i = 0; i < 1025; i++)
		n += (size_t)snprintf(
		    text + n, cap - n,
		    "%s{ name = \"g%zu\"; interface = \"eth1\"; "
		    "vips = [ \"10.%zu.%zu.1\" ]; }\n",
		    i ? "," : "", i, i / 256, i % 256);
	snprintf(text + n, cap - n, ");\n");
	tc_bad(text, "t.conf:1: groups: 1025 groups; at most 1024\n",
	       "1025 groups");
	free(text);
}

static void
test_group_keys(void)
{
	tc_bad("groups = (\n {\n  interface = \"eth1\";\n }\n);\n",
	       "t.conf:2: groups[0].name: required key missing\n"
	       "t.conf:2: groups[0].vips: required key missing\n",
	       "missing name and vips at the group's line");
	tc_bad("groups = ( { name = \"web\"; " VIP " } );\n",
	       "t.conf:1: groups[0].interface: required key missing\n",
	       "missing interface");
	tc_bad("groups = ( { name = \"w b\"; interface = \"eth1\"; " VIP
	       " } );\n",
	       "t.conf:1: groups[0].name: 'w b' is not a valid group name "
	       "(1-31 characters of A-Z a-z 0-9 . _ -)\n",
	       "bad group name");
	tc_bad("groups = ( { name = \"abcdefghijklmnopqrstuvwxyz012345\"; "
	       "interface = \"eth1\"; " VIP " } );\n",
	       "t.conf:1: groups[0].name: 'abcdefghijklmnopqrstuvwxyz012345' "
	       "is not a valid group name (1-31 characters of A-Z a-z 0-9 . _ "
	       "-)\n",
	       "32-character group name");
	tc_bad("groups = ( { name = \"web\"; interface = "
	       "\"xxxxxxxxxxxxxxxxx\"; " VIP " } );\n",
	       "t.conf:1: groups[0].interface: interface name "
	       "'xxxxxxxxxxxxxxxxx' is longer than 15 characters\n",
	       "long interface name");
	tc_bad("groups = ( { name = \"web\"; interface = \"\"; " VIP " } );\n",
	       "t.conf:1: groups[0].interface: interface name is empty\n",
	       "empty interface name");
	tc_bad("groups = ( { name = \"web\"; interface = \"eth1:0\"; " VIP
	       " } );\n",
	       "t.conf:1: groups[0].interface: 'eth1:0' is not a valid "
	       "interface name\n",
	       "alias is not an interface");
	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	       "\n  weight = 1; } );\n",
	       "t.conf:2: groups[0].weight: unknown key\n",
	       "unknown group key");
	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	       "\n priority = 0;\n preempt = 1;\n preempt_delay_ms = 3600001;\n"
	       " bind = \"lo\";\n conflict = \"fight\"; } );\n",
	       "t.conf:2: groups[0].priority: value 0 out of range 1-254\n"
	       "t.conf:3: groups[0].preempt: expected a boolean\n"
	       "t.conf:4: groups[0].preempt_delay_ms: value 3600001 out of "
	       "range 0-3600000\n"
	       "t.conf:5: groups[0].bind: 'lo' is not one of local, interface, "
	       "none\n"
	       "t.conf:6: groups[0].conflict: 'fight' is not one of yield, "
	       "takeover\n",
	       "bad group values");
	tc_bad("groups = (\n { name = \"web\"; interface = \"eth1\"; " VIP
	       " },\n { name = \"db\"; interface = \"eth1\"; vips = [ "
	       "\"10.0.0.9\" ]; },"
	       "\n { name = \"web\"; interface = \"eth2\"; vips = [ "
	       "\"10.0.0.8\" ]; }"
	       "\n);\n",
	       "t.conf:4: groups[2].name: group name 'web' used twice (also at "
	       "line 2)\n",
	       "duplicate group name");
}

static void
test_vips(void)
{
	char *text;
	size_t n, i, cap = 4200 * 20;

	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; vips = [];"
	       " } );\n",
	       "t.conf:1: groups[0].vips: at least one VIP is needed\n",
	       "no VIPs");
	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; vips = "
	       "\"10.0.0.1\"; } );\n",
	       "t.conf:1: groups[0].vips: expected a list of addresses\n",
	       "VIPs not a list");
	tc_bad(
	    "groups = ( { name = \"web\"; interface = \"eth1\";\n vips = [\n"
	    "  \"10.0.0.5\",\n  \"10.0.0.300\",\n  \"0.0.0.0\",\n  \"::\",\n"
	    "  \"127.0.0.1\",\n  \"::1\",\n  \"224.0.0.1\",\n  \"ff02::1\",\n"
	    "  \"255.255.255.255\",\n  \"fe80::1\",\n  \"::ffff:10.0.0.1\",\n"
	    "  \"10.0.0.5\",\n  \"127.255.0.1\"\n ]; } );\n",
	    "t.conf:4: groups[0].vips[1]: '10.0.0.300' is not an IPv4 or "
	    "IPv6 address\n"
	    "t.conf:5: groups[0].vips[2]: '0.0.0.0' cannot be a VIP "
	    "(unspecified)\n"
	    "t.conf:6: groups[0].vips[3]: '::' cannot be a VIP "
	    "(unspecified)\n"
	    "t.conf:7: groups[0].vips[4]: '127.0.0.1' cannot be a VIP "
	    "(loopback)\n"
	    "t.conf:8: groups[0].vips[5]: '::1' cannot be a VIP (loopback)\n"
	    "t.conf:9: groups[0].vips[6]: '224.0.0.1' cannot be a VIP "
	    "(multicast)\n"
	    "t.conf:10: groups[0].vips[7]: 'ff02::1' cannot be a VIP "
	    "(multicast)\n"
	    "t.conf:11: groups[0].vips[8]: '255.255.255.255' cannot be a VIP "
	    "(broadcast)\n"
	    "t.conf:12: groups[0].vips[9]: 'fe80::1' cannot be a VIP "
	    "(link-local)\n"
	    "t.conf:13: groups[0].vips[10]: '::ffff:10.0.0.1' cannot be a "
	    "VIP (IPv4-mapped)\n"
	    "t.conf:15: groups[0].vips[12]: '127.255.0.1' cannot be a VIP "
	    "(loopback)\n"
	    "t.conf:14: groups[0].vips[11]: duplicate address 10.0.0.5 (also "
	    "at line 3)\n",
	    "bad VIPs");
	tc_bad(
	    "groups = (\n { name = \"web\"; interface = \"eth1\";\n"
	    "   vips = [ \"10.0.0.5\", \"fd00::5\" ]; },\n"
	    " { name = \"db\"; interface = \"eth1\";\n"
	    "   vips = [ \"10.0.0.6\",\n     \"FD00:0::5\" ]; },\n"
	    " { name = \"app\"; interface = \"eth2\";\n"
	    "   vips = ( \"10.0.0.5\", \"10.0.0.7\", \"10.0.0.7\" ); }\n);\n",
	    "t.conf:6: groups[1].vips[1]: VIP fd00::5 is also in group 'web' "
	    "(line 3)\n"
	    "t.conf:8: groups[2].vips[0]: VIP 10.0.0.5 is also in group "
	    "'web' (line 3)\n"
	    "t.conf:8: groups[2].vips[2]: duplicate address 10.0.0.7 (also "
	    "at line 8)\n",
	    "VIPs in two groups");

	text = malloc(cap);
	n = (size_t)snprintf(text, cap,
	                     "groups = ( { name = \"web\"; "
	                     "interface = \"eth1\"; vips = [");
	for (i = 0; i < 4097; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s\"10.1.%zu.%zu\"",
		                      i ? "," : "", i / 250, i % 250 + 1);
	snprintf(text + n, cap - n, "]; } );\n");
	tc_bad(text, "t.conf:1: groups[0].vips: 4097 addresses; at most 4096\n",
	       "4097 VIPs");
	text[n - strlen(",\"10.1.16.97\"")] = '\0';
	strcat(text, "]; } );\n");
	{
		struct conf *c = tc_good(text, "4096 VIPs");

		if (c)
			is_int(conf_vip_count(c), 4096, "4096 VIPs counted");
		conf_free(c);
	}
	free(text);
}

static void
test_route(void)
{
	struct conf *c;

	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	       "\n route = 1; } );\n",
	       "t.conf:2: groups[0].route: expected a group { ... }\n",
	       "route not a block");
	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	       "\n route = {\n  pin = \"sometimes\";\n  table = 0;\n"
	       "  priority = 32766;\n  gateway = \"fd00::1\";\n"
	       "  gateway6 = \"192.168.56.1\";\n  via = 1;\n }; } );\n",
	       "t.conf:3: groups[0].route.pin: 'sometimes' is not one of "
	       "leader, always, off\n"
	       "t.conf:4: groups[0].route.table: value 0 out of range "
	       "1-4294967295\n"
	       "t.conf:5: groups[0].route.priority: value 32766 out of range "
	       "1-32765\n"
	       "t.conf:6: groups[0].route.gateway: 'fd00::1' is not an IPv4 "
	       "address\n"
	       "t.conf:7: groups[0].route.gateway6: '192.168.56.1' is not an "
	       "IPv6 address\n"
	       "t.conf:8: groups[0].route.via: unknown key\n",
	       "bad route values");
	tc_bad(
	    "groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	    "\n route = { table = 254; }; } );\n",
	    "t.conf:2: groups[0].route.table: table 254 is reserved (main)\n",
	    "main table");
	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	       "\n route = { table = 253; }; } );\n",
	       "t.conf:2: groups[0].route.table: table 253 is reserved "
	       "(default)\n",
	       "default table");
	tc_bad(
	    "groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	    "\n route = { table = 255; }; } );\n",
	    "t.conf:2: groups[0].route.table: table 255 is reserved (local)\n",
	    "local table");
	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	       "\n route = { table = 4294967296; }; } );\n",
	       "t.conf:2: groups[0].route.table: value 4294967296 out of range "
	       "1-4294967295\n",
	       "table past 32 bits");

	c = tc_good("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	            "\n route = {}; },\n"
	            " { name = \"db\"; interface = \"eth1\"; vips = "
	            "[ \"10.0.0.9\" ];\n route = { pin = \"always\"; table = "
	            "4294967295; priority = 1;\n gateway = \"10.0.0.1\"; "
	            "gateway6 = \"fe80::1\"; }; },\n"
	            " { name = \"app\"; interface = \"eth2\"; vips = "
	            "[ \"10.0.0.8\" ]; } );\n",
	            "routes");
	if (c) {
		const struct conf_route *r0 = &c->groups[0].route;
		const struct conf_route *r1 = &c->groups[1].route;

		is_int(r0->pin, CONF_ROUTE_LEADER, "route block: pin leader");
		is_int(r0->table, 7431, "default table");
		is_int(r0->priority, 7431, "default rule priority");
		ok(!r0->has_gateway && !r0->has_gateway6, "no gateways");
		is_int(r1->pin, CONF_ROUTE_ALWAYS, "pin always");
		is_int(r1->table, 4294967295u, "table 4294967295");
		is_int(r1->priority, 1, "rule priority 1");
		ok(r1->has_gateway && r1->gateway.family == AF_INET &&
		       r1->gateway.a[3] == 1,
		   "gateway");
		ok(r1->has_gateway6 && r1->gateway6.family == AF_INET6 &&
		       r1->gateway6.a[0] == 0xfe,
		   "link-local gateway6");
		is_int(c->groups[2].route.pin, CONF_ROUTE_OFF,
		       "no route block: pin off");
	}
	conf_free(c);
}

static void
test_route_tables(void)
{
	struct conf *c;

	tc_bad(
	    "groups = (\n { name = \"web\";\n   interface = \"eth1\";\n   " VIP
	    "\n   route = { gateway = \"192.168.56.1\";\n"
	    "     gateway6 = \"fd00::1\"; }; },\n"
	    " { name = \"db\"; interface = \"eth2\"; vips = [ \"10.0.0.9\" ];"
	    "\n   route = {\n     table = 7431;\n"
	    "     gateway = \"10.0.0.1\";\n     gateway6 = \"fd00::2\"; }; }"
	    "\n);\n",
	    "t.conf:9: groups[1].route.table: interface eth2 differs from "
	    "interface eth1 of group 'web' (line 3) in table 7431\n"
	    "t.conf:10: groups[1].route.gateway: gateway 10.0.0.1 "
	    "contradicts gateway 192.168.56.1 of group 'web' (line 5) in "
	    "table 7431\n"
	    "t.conf:11: groups[1].route.gateway6: gateway6 fd00::2 "
	    "contradicts gateway6 fd00::1 of group 'web' (line 6) in table "
	    "7431\n",
	    "two groups disagree on one table");
	tc_bad(
	    "groups = (\n { name = \"web\"; interface = \"eth1\"; " VIP
	    " route = { table = 9; }; },\n"
	    " { name = \"db\"; interface = \"eth2\"; vips = [ \"10.0.0.9\" ];"
	    "\n   route = { priority = 9; table = 9; }; }\n);\n",
	    "t.conf:4: groups[1].route.table: interface eth2 differs from "
	    "interface eth1 of group 'web' (line 2) in table 9\n",
	    "table set in both");
	tc_bad(
	    "groups = (\n { name = \"web\"; interface = \"eth1\"; " VIP
	    " route = { }; },\n"
	    " { name = \"db\"; interface = \"eth2\"; vips = [ \"10.0.0.9\" ];"
	    "\n   route = { priority = 9; }; }\n);\n",
	    "t.conf:4: groups[1].route.table: interface eth2 differs from "
	    "interface eth1 of group 'web' (line 2) in table 7431\n",
	    "default table: error at the route block");

	c = tc_good("groups = (\n { name = \"web\"; interface = \"eth1\"; " VIP
	            " route = { gateway = \"192.168.56.1\"; }; },\n"
	            " { name = \"db\"; interface = \"eth1\"; vips = [ "
	            "\"10.0.0.9\" ];\n   route = { gateway = \"192.168.56.1\";"
	            " gateway6 = \"fd00::1\"; }; },\n"
	            " { name = \"app\"; interface = \"eth2\"; vips = [ "
	            "\"10.0.0.8\" ];\n   route = { pin = \"off\"; }; },\n"
	            " { name = \"ext\"; interface = \"eth3\"; vips = [ "
	            "\"10.0.0.7\" ];\n   route = { table = 100; }; }\n);\n",
	            "tables shared consistently; pin off and other tables "
	            "ignored");
	conf_free(c);
}

static void
test_group_values(void)
{
	struct conf *c;

	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	       "\n garp = { count = 0; interval_ms = 9; refresh_s = 86401;\n"
	       " burst = 1; }; } );\n",
	       "t.conf:2: groups[0].garp.count: value 0 out of range 1-100\n"
	       "t.conf:2: groups[0].garp.interval_ms: value 9 out of range "
	       "10-60000\n"
	       "t.conf:2: groups[0].garp.refresh_s: value 86401 out of range "
	       "0-86400\n"
	       "t.conf:3: groups[0].garp.burst: unknown key\n",
	       "bad garp");
	tc_bad("groups = ( { name = \"web\"; interface = \"eth1\"; " VIP
	       "\n garp = 5; } );\n",
	       "t.conf:2: groups[0].garp: expected a group { ... }\n",
	       "garp not a block");

	c = tc_good("groups = ( { name = \"web\"; interface = \"eth1\";\n"
	            " vips = [ \"192.168.56.100\", \"fd00:56::100\" ]; },\n"
	            " { name = \"db\"; interface = \"eth1\"; vips = [ "
	            "\"10.0.0.9\" ];\n priority = 150; preempt = false; "
	            "preempt_delay_ms = 3600000;\n bind = \"interface\"; "
	            "conflict = \"takeover\";\n garp = { count = 100; "
	            "interval_ms = 60000; refresh_s = 0; }; },\n"
	            " { name = \"k8s\"; interface = \"eth1\"; vips = [ "
	            "\"10.0.0.8\" ]; bind = \"none\"; } );\n"
	            "node = { priority = 42; };\n",
	            "group values");
	if (c) {
		const struct conf_group *g0 = &c->groups[0],
		                        *g1 = &c->groups[1];

		is_str(g0->name, "web", "name");
		is_str(g0->interface, "eth1", "interface");
		is_int(g0->nvips, 2, "two VIPs");
		ok(g0->vips[0].family == AF_INET && g0->vips[0].a[3] == 100,
		   "IPv4 VIP");
		ok(g0->vips[1].family == AF_INET6 && g0->vips[1].a[15] == 0 &&
		       g0->vips[1].a[14] == 1,
		   "IPv6 VIP");
		is_int(g0->priority, 42, "priority from node, set later");
		ok(!g0->priority_set, "priority not set");
		ok(g0->preempt, "preempt default true");
		is_int(g0->preempt_delay_ms, 0, "preempt_delay_ms default");
		is_int(g0->bind, CONF_BIND_LOCAL, "bind default local");
		is_int(g0->conflict, CONF_CONFLICT_YIELD, "conflict default");
		is_int(g0->garp.count, 5, "garp.count default");
		is_int(g0->garp.interval_ms, 1100, "garp.interval_ms default");
		is_int(g0->garp.refresh_s, 60, "garp.refresh_s default");
		is_int(g0->line, 1, "line of group 0");
		is_int(g1->line, 3, "line of group 1");
		is_int(g1->priority, 150, "own priority");
		ok(g1->priority_set, "priority set");
		ok(!g1->preempt, "preempt false");
		is_int(g1->preempt_delay_ms, 3600000, "preempt_delay_ms");
		is_int(g1->bind, CONF_BIND_INTERFACE, "bind interface");
		is_int(g1->conflict, CONF_CONFLICT_TAKEOVER, "takeover");
		is_int(g1->garp.count, 100, "garp.count");
		is_int(g1->garp.interval_ms, 60000, "garp.interval_ms");
		is_int(g1->garp.refresh_s, 0, "garp.refresh_s 0 = off");
		is_int(c->groups[2].bind, CONF_BIND_NONE, "bind none");
		is_int(conf_vip_count(c), 4, "VIP count");
	}
	conf_free(c);
}

/* notify keys: the top-level default, a group's own, "" = none. */
static void
test_notify(void)
{
	struct conf *c;

	c = tc_good("groups = ( { name = \"web\"; interface = \"eth1\";\n"
	            " vips = [ \"10.0.0.1\" ]; },\n"
	            " { name = \"db\"; interface = \"eth1\"; vips = [ "
	            "\"10.0.0.2\" ];\n notify = \"/bin/db\"; "
	            "notify_timeout_ms = 100; },\n"
	            " { name = \"k8s\"; interface = \"eth1\"; vips = [ "
	            "\"10.0.0.3\" ]; notify = \"\"; } );\n"
	            "notify = \"/bin/all\"; notify_timeout_ms = 2500;\n"
	            "notify_fifo = \"/run/n.fifo\";\n",
	            "notify values");
	if (c) {
		is_str(c->groups[0].notify, "/bin/all", "notify: the default");
		is_int(c->groups[0].notify_timeout_ms, 2500,
		       "notify_timeout_ms: the default");
		is_str(c->groups[1].notify, "/bin/db", "notify: the group's");
		is_int(c->groups[1].notify_timeout_ms, 100,
		       "notify_timeout_ms: the group's");
		is_str(c->groups[2].notify, "", "notify = \"\": none");
		is_str(c->notify_fifo, "/run/n.fifo", "notify_fifo");
	}
	conf_free(c);
	c = tc_good("groups = ( { name = \"web\"; interface = \"eth1\";\n"
	            " vips = [ \"10.0.0.1\" ]; } );\n",
	            "notify defaults");
	if (c) {
		is_str(c->groups[0].notify, "", "no notify by default");
		is_int(c->groups[0].notify_timeout_ms, CONF_DEFAULT_NOTIFY_MS,
		       "default timeout");
		is_str(c->notify_fifo, "", "no FIFO by default");
	}
	conf_free(c);
}

static struct conf_group
mkgroup(struct conf_addr *vips, size_t n)
{
	struct conf_group g;

	memset(&g, 0, sizeof(g));
	strcpy(g.name, "web");
	strcpy(g.interface, "eth1");
	g.vips = vips;
	g.nvips = n;
	g.route.table = 7431;
	return g;
}

static void
test_same_vips(void)
{
	struct conf_addr va[3], vb[3];
	struct conf_group a, b;
	int i;

	memset(va, 0, sizeof(va));
	for (i = 0; i < 3; i++) {
		va[i].family = i == 2 ? AF_INET6 : AF_INET;
		va[i].a[0] = 10;
		va[i].a[3] = (uint8_t)i;
		vb[2 - i] = va[i];
	}
	a = mkgroup(va, 3);
	b = mkgroup(vb, 3);
	ok(conf_group_same_vips(&a, &b), "same VIPs in another order");
	b.priority = 7;
	b.priority_set = true;
	b.preempt = true;
	b.preempt_delay_ms = 5;
	b.garp.count = 9;
	b.line = 40;
	ok(conf_group_same_vips(&a, &b), "priority, preempt, garp may differ");
	b.route.table = 9;
	ok(conf_group_same_vips(&a, &b), "route off in both: table ignored");
	a.route.pin = b.route.pin = CONF_ROUTE_LEADER;
	ok(!conf_group_same_vips(&a, &b), "route table differs");
	b.route.table = 7431;
	ok(conf_group_same_vips(&a, &b), "same route");
	b.route.has_gateway = true;
	ok(!conf_group_same_vips(&a, &b), "gateway differs");
	b.route.has_gateway = false;
	b.route.pin = CONF_ROUTE_ALWAYS;
	ok(!conf_group_same_vips(&a, &b), "pin differs");
	b = mkgroup(vb, 2);
	ok(!conf_group_same_vips(&a, &b), "one VIP fewer");
	vb[0].a[3] = 9;
	b = mkgroup(vb, 3);
	ok(!conf_group_same_vips(&a, &b), "one VIP changed");
	vb[0] = va[2];
	b = mkgroup(vb, 3);
	strcpy(b.name, "db");
	ok(!conf_group_same_vips(&a, &b), "name differs");
	b = mkgroup(vb, 3);
	strcpy(b.interface, "eth2");
	ok(!conf_group_same_vips(&a, &b), "interface differs");
	b = mkgroup(vb, 3);
	b.bind = CONF_BIND_NONE;
	ok(!conf_group_same_vips(&a, &b), "bind differs");
	b = mkgroup(vb, 3);
	b.conflict = CONF_CONFLICT_TAKEOVER;
	ok(!conf_group_same_vips(&a, &b), "conflict differs");
}

static void
test_names(void)
{
	is_str(conf_bind_name(CONF_BIND_LOCAL), "local", "bind local");
	is_str(conf_bind_name(CONF_BIND_INTERFACE), "interface",
	       "bind interface");
	is_str(conf_bind_name(CONF_BIND_NONE), "none", "bind none");
	is_str(conf_route_pin_name(CONF_ROUTE_LEADER), "leader", "pin leader");
	is_str(conf_route_pin_name(CONF_ROUTE_ALWAYS), "always", "pin always");
	is_str(conf_route_pin_name(CONF_ROUTE_OFF), "off", "pin off");
}

/* A full three-node cluster file, as the daemon would read it. */
static void
test_cluster_file(void)
{
	struct conf *c;

	tc_secret("vipd.key", TC_KEY);
	c = tc_good("node = { id = \"node1\"; priority = 200; };\n"
	            "cluster = {\n port = 7431;\n bind = \"10.0.0.1\";\n"
	            " peers = [ \"10.0.0.1\", \"10.0.0.2\", \"10.0.0.3\" ];\n"
	            " interval_ms = 50;\n dead_after = 4;\n"
	            " secret_file = \"vipd.key\";\n};\n"
	            "control = { socket = \"/tmp/v.sock\"; };\n"
	            "groups = ( { name = \"web\"; interface = \"eth1\";\n"
	            " vips = [ \"192.168.56.100\", \"fd00:56::100\" ];\n"
	            " route = { gateway = \"192.168.56.1\"; gateway6 = "
	            "\"fd00:56::1\"; }; } );\n",
	            "three-node cluster, IPv4 and IPv6");
	if (c) {
		is_str(c->node_id, "node1", "node id");
		is_int(c->npeers, 3, "three peers");
		is_int(c->groups[0].priority, 200, "group priority from node");
		is_int(c->secret_len, 44, "secret");
		is_str(c->secret_file, "vipd.key", "secret path");
	}
	conf_free(c);
}

int
main(void)
{
	tc_setup();
	test_list();
	test_group_keys();
	test_vips();
	test_route();
	test_route_tables();
	test_group_values();
	test_notify();
	test_same_vips();
	test_names();
	test_cluster_file();
	return tap_done();
}
