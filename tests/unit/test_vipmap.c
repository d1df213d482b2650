/*
 * The daemon's VIP -> group map (announcer/vipmap.c), without root: adds,
 * finds, deletes with tombstones, growth past many VIPs, IPv4 and IPv6 of
 * the same bytes kept apart, duplicates refused.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "tap.h"
#include "vipd.h"

static struct net_addr
v4(unsigned n)
{
	struct net_addr a;
	char s[32];

	snprintf(s, sizeof(s), "10.%u.%u.%u", (n >> 16) & 255, (n >> 8) & 255,
	         n & 255);
	net_addr_parse(s, &a);
	return a;
}

static struct net_addr
v6(unsigned n)
{
	struct net_addr a;
	char s[64];

	snprintf(s, sizeof(s), "fd00::%x:%x", (n >> 16) & 0xffff, n & 0xffff);
	net_addr_parse(s, &a);
	return a;
}

static void
test_basic(void)
{
	struct vipmap *m = vipmap_new();
	struct vgroup *g1 = (struct vgroup *)0x1000,
	              *g2 = (struct vgroup *)0x2000;
	struct net_addr a = v4(1), b = v4(2), c = v6(1);
	size_t idx = 99;

	ok(m != NULL, "vipmap_new");
	ok(vipmap_find(m, &a, &idx) == NULL, "empty map finds nothing");
	is_int(idx, 99, "idx untouched on a miss");
	is_int(vipmap_add(m, &a, g1, 0), 0, "add 10.0.0.1 -> g1[0]");
	is_int(vipmap_add(m, &b, g2, 3), 0, "add 10.0.0.2 -> g2[3]");
	errno = 0;
	is_int(vipmap_add(m, &a, g2, 1), -1, "adding a mapped VIP fails");
	is_int(errno, EEXIST, "... with EEXIST");
	ok(vipmap_find(m, &a, &idx) == g1 && idx == 0,
	   "10.0.0.1 still maps to g1[0]");
	ok(vipmap_find(m, &b, &idx) == g2 && idx == 3, "10.0.0.2 -> g2[3]");
	ok(vipmap_find(m, &b, NULL) == g2, "idx may be NULL");
	ok(vipmap_find(m, &c, NULL) == NULL, "fd00::1 not mapped");
	vipmap_del(m, &a);
	ok(vipmap_find(m, &a, NULL) == NULL, "deleted VIP is gone");
	ok(vipmap_find(m, &b, &idx) == g2 && idx == 3,
	   "the other survives the tombstone");
	vipmap_del(m, &a);
	ok(vipmap_find(m, &b, NULL) == g2, "deleting twice is harmless");
	is_int(vipmap_add(m, &a, g2, 7), 0, "re-add after delete");
	ok(vipmap_find(m, &a, &idx) == g2 && idx == 7, "... maps to g2[7]");
	vipmap_free(m);
}

/* IPv4 10.0.0.1 and an IPv6 address whose first bytes are the same must
 * not collide: family is part of the key. */
static void
test_families(void)
{
	struct vipmap *m = vipmap_new();
	struct vgroup *g1 = (struct vgroup *)0x1000,
	              *g2 = (struct vgroup *)0x2000;
	struct net_addr a4, a6;

	net_addr_parse("10.0.0.1", &a4);
	net_addr_parse("a00:1::", &a6); /* 0a 00 00 01 ... */
	is_int(vipmap_add(m, &a4, g1, 0), 0, "add the IPv4 VIP");
	is_int(vipmap_add(m, &a6, g2, 0), 0, "add the IPv6 VIP, same bytes");
	ok(vipmap_find(m, &a4, NULL) == g1, "IPv4 finds its group");
	ok(vipmap_find(m, &a6, NULL) == g2, "IPv6 finds its group");
	vipmap_free(m);
}

/* Many VIPs: growth keeps every entry; deleting every other one and
 * adding new ones (tombstone churn) never loses a live entry. */
static void
test_scale(void)
{
	enum { N = 5000 };
	struct vipmap *m = vipmap_new();
	struct vgroup *g = (struct vgroup *)0x3000;
	unsigned i, bad = 0;
	size_t idx;

	for (i = 0; i < N; i++) {
		struct net_addr a4 = v4(i), a6 = v6(i);

		if (vipmap_add(m, &a4, g, i) != 0 ||
		    vipmap_add(m, &a6, g, N + i) != 0)
			bad++;
	}
	is_int(bad, 0, "%d IPv4 and %d IPv6 VIPs added", N, N);
	for (i = 0, bad = 0; i < N; i++) {
		struct net_addr a4 = v4(i), a6 = v6(i);

		if (vipmap_find(m, &a4, &idx) != g || idx != i ||
		    vipmap_find(m, &a6, &idx) != g || idx != N + i)
			bad++;
	}
	is_int(bad, 0, "every VIP found with its index after growth");
	for (i = 0; i < N; i += 2) {
		struct net_addr a4 = v4(i);

		vipmap_del(m, &a4);
	}
	for (i = N; i < 2 * N; i++) {
		struct net_addr a4 = v4(i);

		if (vipmap_add(m, &a4, g, i) != 0)
			bad++;
	}
	is_int(bad, 0, "churn: %d new VIPs added over tombstones", N);
	for (i = 0, bad = 0; i < 2 * N; i++) {
		struct net_addr a4 = v4(i);
		struct vgroup *want = (i < N && i % 2 == 0) ? NULL : g;

		if (vipmap_find(m, &a4, NULL) != want)
			bad++;
	}
	is_int(bad, 0, "deleted ones gone, all others found");
	vipmap_free(m);
}

static void
free_null(void)
{
	vipmap_free(NULL);
}

int
main(void)
{
	test_basic();
	test_families();
	test_scale();
	ok(tap_child_returns(free_null), "vipmap_free(NULL) returns");
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
