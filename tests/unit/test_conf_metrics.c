/*
 * conf: the metrics block (metrics.listen, the Prometheus endpoint): off
 * by default, IPv4 and bracketed IPv6 forms, every error with its line.
 */
#include "config.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "test_conf_util.h"

#define G                                                                      \
	"groups = ( { name = \"web\"; interface = \"eth1\"; "                  \
	"vips = [ \"192.168.56.100\" ]; } );\n"

static void
test_off(void)
{
	struct conf *c = tc_good(G, "no metrics block");

	if (c)
		ok(!c->has_metrics, "metrics are off by default");
	conf_free(c);
}

/* listen = text loads as family, address (text) and port. */
static void
good(const char *listen, int family, const char *addr, unsigned port)
{
	char text[512], a[INET6_ADDRSTRLEN] = "";
	struct conf *c;

	snprintf(text, sizeof(text), G "metrics = {\n listen = \"%s\";\n};\n",
	         listen);
	c = tc_good(text, listen);
	if (c == NULL)
		return;
	ok(c->has_metrics, "%s: on", listen);
	is_int(c->metrics_addr.family, family, "%s: family", listen);
	inet_ntop(c->metrics_addr.family, c->metrics_addr.a, a, sizeof(a));
	is_str(a, addr, "%s: address", listen);
	is_int(c->metrics_port, port, "%s: port", listen);
	conf_free(c);
}

static void
test_good(void)
{
	good("127.0.0.1:9431", AF_INET, "127.0.0.1", 9431);
	good("0.0.0.0:1", AF_INET, "0.0.0.0", 1);
	good("[::1]:9431", AF_INET6, "::1", 9431);
	good("[::]:65535", AF_INET6, "::", 65535);
	good("[fd00:61::1]:80", AF_INET6, "fd00:61::1", 80);
}

/* listen = text is refused with want (the line-3 error's message). */
static void
bad(const char *listen, const char *want)
{
	char text[512], exp[512];

	snprintf(text, sizeof(text), G "metrics = {\n listen = \"%s\";\n};\n",
	         listen);
	snprintf(exp, sizeof(exp), "t.conf:3: metrics.listen: %s\n", want);
	tc_bad(text, exp, "listen = \"%s\" refused", listen);
}

static void
test_bad(void)
{
	bad("127.0.0.1", "'127.0.0.1' is not ADDRESS:PORT (an IPv6 address "
	                 "goes in brackets: [::1]:9431)");
	bad("::1:9431", "'::1:9431' is not ADDRESS:PORT (an IPv6 address "
	                "goes in brackets: [::1]:9431)");
	bad("[::1]", "'[::1]' is not [ADDRESS]:PORT");
	bad("[::1]9431", "'[::1]9431' is not [ADDRESS]:PORT");
	bad(":9431", "':9431': no usable address before the port");
	bad("[]:9431", "'[]:9431': no usable address before the port");
	bad("localhost:9431",
	    "'localhost:9431': 'localhost' is not a numeric IPv4 address");
	bad("[127.0.0.1]:9431",
	    "'[127.0.0.1]:9431': '127.0.0.1' is not a numeric IPv6 address");
	bad("[fe80::1%eth0]:9431", "'[fe80::1%eth0]:9431': 'fe80::1%eth0' is "
	                           "not a numeric IPv6 address");
	bad("224.0.0.1:9431",
	    "'224.0.0.1:9431': '224.0.0.1' is a multicast address");
	bad("127.0.0.1:0", "'127.0.0.1:0': the port must be a number from 1 "
	                   "to 65535");
	bad("127.0.0.1:65536", "'127.0.0.1:65536': the port must be a number "
	                       "from 1 to 65535");
	bad("127.0.0.1:94x", "'127.0.0.1:94x': the port must be a number "
	                     "from 1 to 65535");
	bad("127.0.0.1:", "'127.0.0.1:': the port must be a number from 1 "
	                  "to 65535");
	bad("[::1]:+80", "'[::1]:+80': the port must be a number from 1 "
	                 "to 65535");

	tc_bad(G "metrics = {\n listen = 9431;\n};\n",
	       "t.conf:3: metrics.listen: expected a string\n",
	       "listen not a string");
	tc_bad(G "metrics = { };\n",
	       "t.conf:2: metrics.listen: required in the metrics block (or "
	       "remove the block: metrics are off without it)\n",
	       "empty metrics block");
	tc_bad(G "metrics = {\n listen = \"127.0.0.1:1\";\n port = 5;\n};\n",
	       "t.conf:4: metrics.port: unknown key\n", "unknown metrics key");
	tc_bad(G "metrics = \"127.0.0.1:9431\";\n",
	       "t.conf:2: metrics: expected a group { ... }\n",
	       "metrics not a block");
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
