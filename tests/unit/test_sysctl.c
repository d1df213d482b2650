/*
 * Interface sysctls in a private network namespace: read and write
 * arp_ignore on a veth, the IPv6 tree, and names that must be refused.
 */
#include "config.h"

#include <sys/socket.h>

#include "net.h"
#include "privns.h"
#include "tap.h"

static void
test_bad_names(void)
{
	static const char *const bad_if[] = {
	    "",         "..",   ".",   "../all",
	    "vrts0/..", "a..b", "x/y", "name-longer-than-ifnamsiz",
	};
	static const char *const bad_key[] = {"", "..", "../forwarding", "a/b"};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(bad_if) / sizeof(bad_if[0]); i++) {
		errno = 0;
		ok(sysctl_if_get(AF_INET, bad_if[i], "arp_ignore", buf,
		                 sizeof(buf)) == -1 &&
		       errno == EINVAL,
		   "get refuses ifname \"%s\"", bad_if[i]);
		errno = 0;
		ok(sysctl_if_set(AF_INET, bad_if[i], "arp_ignore", "1") == -1 &&
		       errno == EINVAL,
		   "set refuses ifname \"%s\"", bad_if[i]);
	}
	for (i = 0; i < sizeof(bad_key) / sizeof(bad_key[0]); i++) {
		errno = 0;
		ok(sysctl_if_get(AF_INET, "lo", bad_key[i], buf, sizeof(buf)) ==
		           -1 &&
		       errno == EINVAL,
		   "get refuses key \"%s\"", bad_key[i]);
	}
	errno = 0;
	ok(sysctl_if_get(AF_INET, NULL, "arp_ignore", buf, sizeof(buf)) == -1 &&
	       errno == EINVAL,
	   "NULL ifname refused");
	errno = 0;
	ok(sysctl_if_get(AF_UNIX, "lo", "arp_ignore", buf, sizeof(buf)) == -1 &&
	       errno == EAFNOSUPPORT,
	   "unknown family refused");
	errno = 0;
	ok(sysctl_if_set(AF_INET, "vrts0", "arp_ignore", "") == -1 &&
	       errno == EINVAL,
	   "empty value refused");
}

int
main(void)
{
	char buf[32], small[2];

	if (privns_enter() == -1)
		return 0;
	if (sh("ip link add vrts0 type veth peer name vrts1") != 0) {
		printf("1..0 # SKIP cannot create a veth pair\n");
		return 0;
	}
	ok(sysctl_if_get(AF_INET, "vrts0", "arp_ignore", buf, sizeof(buf)) ==
	           0 &&
	       strcmp(buf, "0") == 0,
	   "arp_ignore reads \"0\" without a newline (\"%s\")", buf);
	ok(sysctl_if_set(AF_INET, "vrts0", "arp_ignore", "1") == 0,
	   "set arp_ignore=1");
	ok(sysctl_if_get(AF_INET, "vrts0", "arp_ignore", buf, sizeof(buf)) ==
	           0 &&
	       strcmp(buf, "1") == 0,
	   "reads back 1");
	ok(sh("test \"$(sysctl -n net.ipv4.conf.vrts0.arp_ignore)\" = 1") == 0,
	   "sysctl(8) in the namespace agrees");
	ok(sysctl_if_get(AF_INET, "vrts1", "arp_ignore", buf, sizeof(buf)) ==
	           0 &&
	       strcmp(buf, "0") == 0,
	   "the peer is untouched");
	ok(sysctl_if_set(AF_INET, "vrts0", "arp_announce", "2") == 0 &&
	       sysctl_if_get(AF_INET, "vrts0", "arp_announce", buf,
	                     sizeof(buf)) == 0 &&
	       strcmp(buf, "2") == 0,
	   "arp_announce=2");
	ok(sysctl_if_get(AF_INET6, "vrts0", "accept_dad", buf, sizeof(buf)) ==
	       0,
	   "IPv6 tree: accept_dad=%s", buf);
	ok(sysctl_if_get(AF_INET, "all", "rp_filter", buf, sizeof(buf)) == 0,
	   "\"all\" is a valid name (rp_filter=%s)", buf);
	errno = 0;
	ok(sysctl_if_set(AF_INET, "vrts0", "arp_ignore", "junk") == -1 &&
	       errno == EINVAL,
	   "the kernel refuses a bad value: EINVAL");
	errno = 0;
	ok(sysctl_if_get(AF_INET, "vrtnope", "arp_ignore", buf, sizeof(buf)) ==
	           -1 &&
	       errno == ENOENT,
	   "unknown interface: ENOENT");
	errno = 0;
	ok(sysctl_if_get(AF_INET, "vrts0", "arp_ignore", small, 1) == -1 &&
	       errno == ERANGE,
	   "buffer too small: ERANGE");
	ok(sysctl_if_get(AF_INET, "vrts0", "arp_ignore", small, 2) == 0 &&
	       strcmp(small, "1") == 0,
	   "exactly big enough");
	test_bad_names();
	return tap_done();
}
