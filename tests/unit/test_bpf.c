/*
 * BPF filter builder: run the programs with libpcap's userland interpreter
 * (pcap's struct bpf_insn has the layout of struct sock_filter) on crafted
 * frames, check the structure the kernel requires, let the kernel itself
 * validate them (SO_ATTACH_FILTER on a UDP socket needs no privilege), and
 * measure how many VIPs fit in BPF_MAX_INSNS.
 */
#include "config.h"

#include <sched.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"
#include "test_net_util.h"

/* From <pcap/bpf.h>, whose macros clash with <linux/filter.h>. */
struct bpf_insn;
unsigned bpf_filter(const struct bpf_insn *pc, const unsigned char *pkt,
                    unsigned wirelen, unsigned buflen);

#define MAXV 70000

static struct sock_filter prog[BPF_MAX_INSNS];
static struct net_addr vips[MAXV];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static unsigned
run(int n, const uint8_t *f, size_t len)
{
	(void)n;
	return bpf_filter((const struct bpf_insn *)(const void *)prog, f,
	                  (unsigned)len, (unsigned)len);
}

/* The rules of the kernel's bpf_check_classic for what we emit. */
static bool
valid(int n)
{
	int i;

	if (n < 1 || n > BPF_MAX_INSNS ||
	    BPF_CLASS(prog[n - 1].code) != BPF_RET)
		return false;
	for (i = 0; i < n; i++) {
		const struct sock_filter *f = &prog[i];

		if (BPF_CLASS(f->code) != BPF_JMP)
			continue;
		if (BPF_OP(f->code) == BPF_JA) {
			if (f->k >= (uint32_t)(n - i - 1))
				return false;
		} else if (i + 1 + f->jt >= n || i + 1 + f->jf >= n) {
			return false;
		}
	}
	return true;
}

static bool
kernel_accepts(int n)
{
	struct sock_fprog fp = {(unsigned short)n, prog};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	r = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
	close(fd);
	return r == 0;
}

static const uint8_t mac_1[6] = {2, 0, 0, 0, 0, 1};

/* An ARP frame from 02:00:00:00:00:01, padded to 60 bytes. */
static size_t
arp(uint8_t *f, uint16_t op, const struct net_addr *spa,
    const struct net_addr *tpa)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	memset(f, 0, 60);
	tn_arp(f, bcast, mac_1, op, spa->a, NULL, tpa->a);
	return 60;
}

/* An NS/NA (type) for target from fe80::1, with a zero SLLA option and
 * next header nh: 86 bytes. */
static size_t
ndp(uint8_t *f, uint8_t type, uint8_t nh, const struct net_addr *target)
{
	static const uint8_t mc[6] = {0x33, 0x33, 0xff, 0, 0, 1};
	static const uint8_t src[16] = {0xfe, 0x80, [15] = 1};
	static const uint8_t dst[16] = {0xff, 2, [11] = 1, [12] = 0xff};
	static const uint8_t slla[8] = {1, 1};
	size_t len;

	tn_eth(f, mc, mac_1, 0x86dd);
	len = tn_ndp(f, type, src, dst, target->a, 0, slla, sizeof(slla));
	f[20] = nh; /* after the checksum: the filter does not read it */
	return len;
}

static void
test_small(void)
{
	struct net_addr v[4], other, zero, other6;
	uint8_t f[128];
	int n;

	v[0] = tn_ip("192.0.2.10");
	v[1] = tn_ip("192.0.2.11");
	v[2] = tn_ip("2001:db8::10");
	v[3] = tn_ip("192.0.2.10"); /* duplicate */
	other = tn_ip("192.0.2.99");
	other6 = tn_ip("2001:db8::99");
	zero = tn_ip("0.0.0.0");
	n = bpf_filter_build(v, 4, prog, BPF_MAX_INSNS);
	ok(n > 0 && valid(n), "small program is valid (%d insns)", n);
	ok(kernel_accepts(n), "kernel accepts the small program");

	ok(run(n, f, arp(f, 1, &other, &v[0])) > 0, "request for a VIP");
	ok(run(n, f, arp(f, 1, &other, &v[1])) > 0, "request for another VIP");
	ok(run(n, f, arp(f, 1, &other, &other)) == 0,
	   "request for a non-VIP is dropped");
	ok(run(n, f, arp(f, 1, &zero, &v[0])) > 0, "probe for a VIP");
	ok(run(n, f, arp(f, 1, &zero, &other)) == 0, "probe for a non-VIP");
	ok(run(n, f, arp(f, 2, &v[0], &v[0])) > 0,
	   "gratuitous reply for a VIP");
	ok(run(n, f, arp(f, 2, &v[1], &other)) > 0,
	   "reply from a VIP (another owner)");
	ok(run(n, f, arp(f, 1, &v[0], &other)) > 0,
	   "request sent from a VIP (sender IP is ours)");
	ok(run(n, f, arp(f, 2, &other, &zero)) == 0, "reply between others");
	ok(run(n, f, arp(f, 1, &other, &v[0])) >= 1514,
	   "accept returns the whole frame");
	arp(f, 2, &v[0], &other);
	ok(run(n, f, 32) > 0 && run(n, f, 31) == 0,
	   "truncated ARP: accepted while the sender IP is there");

	ok(run(n, f, ndp(f, 135, 58, &v[2])) > 0, "NS for an IPv6 VIP");
	ok(run(n, f, ndp(f, 136, 58, &v[2])) > 0, "NA for an IPv6 VIP");
	ok(run(n, f, ndp(f, 135, 58, &other6)) == 0, "NS for a non-VIP");
	ok(run(n, f, ndp(f, 128, 58, &v[2])) == 0, "echo request");
	ok(run(n, f, ndp(f, 134, 58, &v[2])) == 0, "router advertisement");
	ok(run(n, f, ndp(f, 135, 0, &v[2])) == 0,
	   "NS behind a hop-by-hop header");
	ok(run(n, f, ndp(f, 135, 58, &v[2]) - 10) == 0,
	   "NS cut inside the target");
	arp(f, 1, &other, &v[0]);
	f[12] = 0x08, f[13] = 0x00;
	ok(run(n, f, 60) == 0, "IPv4 frame");
	f[12] = 0x81;
	ok(run(n, f, 60) == 0, "802.1Q frame");

	n = bpf_filter_build(v, 2, prog, BPF_MAX_INSNS);
	ok(run(n, f, ndp(f, 135, 58, &v[2])) == 0,
	   "IPv4-only program drops NDP");
	n = bpf_filter_build(v + 2, 1, prog, BPF_MAX_INSNS);
	ok(run(n, f, arp(f, 1, &other, &v[0])) == 0,
	   "IPv6-only program drops ARP");
	ok(run(n, f, ndp(f, 136, 58, &v[2])) > 0,
	   "IPv6-only program takes the NA");

	n = bpf_filter_build(NULL, 0, prog, BPF_MAX_INSNS);
	ok(n == 1 && valid(n) && kernel_accepts(n), "empty set: one insn");
	ok(run(n, f, arp(f, 1, &other, &v[0])) == 0 &&
	       run(n, f, ndp(f, 135, 58, &v[2])) == 0,
	   "empty set matches nothing");

	errno = 0;
	ok(bpf_filter_build(v, 4, prog, 5) == -1 && errno == E2BIG,
	   "cap too small: E2BIG");
}

static void
test_any(void)
{
	struct net_addr a, b;
	uint8_t f[128];
	int n = bpf_filter_build_any(prog, BPF_MAX_INSNS);

	a = tn_ip("198.51.100.1");
	b = tn_ip("2001:db8::77");
	ok(n > 0 && valid(n) && kernel_accepts(n), "fallback is valid (%d)", n);
	ok(run(n, f, arp(f, 1, &a, &a)) > 0, "fallback takes any ARP");
	ok(run(n, f, arp(f, 7, &a, &a)) > 0, "fallback takes ARP of any op");
	ok(run(n, f, ndp(f, 135, 58, &b)) > 0, "fallback takes any NS");
	ok(run(n, f, ndp(f, 136, 58, &b)) > 0, "fallback takes any NA");
	ok(run(n, f, ndp(f, 128, 58, &b)) == 0, "fallback drops echo");
	ok(run(n, f, ndp(f, 135, 0, &b)) == 0, "fallback drops hop-by-hop");
	f[12] = 0x08, f[13] = 0;
	ok(run(n, f, 60) == 0, "fallback drops IPv4");
	errno = 0;
	ok(bpf_filter_build_any(prog, 3) == -1 && errno == E2BIG,
	   "fallback with a tiny cap: E2BIG");
}

/* IPv4 VIPs with gaps (no runs), so each costs its two compares. */
static void
gen_v4_scattered(size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tn_v4(&vips[i], 0x0a000000u + (uint32_t)i * 2 + 1);
}

static void
gen_v4_range(size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tn_v4(&vips[i], 0x0ac80000u + (uint32_t)i);
}

/* IPv6 VIPs: random bits below prefix_words 32-bit words of 2001:db8::. */
static void
gen_v6(size_t n, unsigned prefix_words)
{
	size_t i;
	unsigned w;

	for (i = 0; i < n; i++) {
		vips[i] = tn_ip("2001:db8::");
		for (w = prefix_words; w < 4; w++) {
			uint32_t x = rnd() ^ rnd() << 16;

			vips[i].a[4 * w] = (uint8_t)(x >> 24);
			vips[i].a[4 * w + 1] = (uint8_t)(x >> 16);
			vips[i].a[4 * w + 2] = (uint8_t)(x >> 8);
			vips[i].a[4 * w + 3] = (uint8_t)(x | 1);
		}
	}
}

/* Every VIP passes as request target; its neighbour +1 does not. */
static void
check_all(const char *what, size_t nv)
{
	struct net_addr probe, src;
	uint8_t f[128];
	size_t i, bad_in = 0, bad_out = 0;
	int n = bpf_filter_build(vips, nv, prog, BPF_MAX_INSNS);

	src = tn_ip("172.16.0.1");
	ok(n > 0 && valid(n) && kernel_accepts(n),
	   "%s, %zu VIPs: %d insns, valid, kernel accepts", what, nv, n);
	for (i = 0; i < nv; i++) {
		probe = vips[i];
		if (probe.family == AF_INET) {
			if (run(n, f, arp(f, 1, &src, &probe)) == 0 ||
			    run(n, f, arp(f, 2, &probe, &src)) == 0)
				bad_in++;
			probe.a[3] ^= 1; /* the gap next to the VIP */
			if (what[0] == 's' &&
			    run(n, f, arp(f, 1, &src, &probe)) != 0)
				bad_out++;
		} else {
			if (run(n, f, ndp(f, 135, 58, &probe)) == 0)
				bad_in++;
			probe.a[15] ^= 1; /* generated VIPs are odd */
			if (run(n, f, ndp(f, 135, 58, &probe)) != 0)
				bad_out++;
		}
	}
	is_int(bad_in, 0, "%s: every VIP accepted", what);
	is_int(bad_out, 0, "%s: neighbours of VIPs dropped", what);
}

/*
 * Fits: at most BPF_MAX_INSNS classic instructions, and the kernel takes
 * it (its eBPF translation is charged to net.core.optmem_max).
 */
static bool
fits(size_t nv, bool *kernel_refused)
{
	int n = bpf_filter_build(vips, nv, prog, BPF_MAX_INSNS);

	if (n <= 0)
		return false;
	if (!kernel_accepts(n)) {
		*kernel_refused = true;
		return false;
	}
	return true;
}

/* Largest n for which gen(n) fits, by bisection. */
static size_t
max_fit(void (*gen)(size_t, unsigned), unsigned arg, size_t hi,
        const char *what)
{
	size_t lo = 1, mid;
	bool refused = false;

	gen(hi, arg);
	if (fits(hi, &refused)) {
		lo = hi;
		goto out;
	}
	while (lo + 1 < hi) {
		mid = (lo + hi) / 2;
		rng = 0x9e3779b97f4a7c15ull;
		gen(mid, arg);
		if (fits(mid, &refused))
			lo = mid;
		else
			hi = mid;
	}
out:
	printf("# max VIPs: %-34s %5zu (limit: %s)\n", what, lo,
	       lo == hi  ? "not reached"
	       : refused ? "kernel optmem"
	                 : "4096 insns");
	return lo;
}

static long
optmem_max(void)
{
	FILE *f = fopen("/proc/sys/net/core/optmem_max", "r");
	long v = -1;

	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void
gen_v4s(size_t n, unsigned arg)
{
	(void)arg;
	gen_v4_scattered(n);
}

static void
gen_v4r(size_t n, unsigned arg)
{
	(void)arg;
	gen_v4_range(n);
}

static void
gen_mixed(size_t n, unsigned arg)
{
	size_t i;

	gen_v6(n, arg);
	for (i = 0; i < n; i += 2)
		tn_v4(&vips[i], 0x0a000000u + (uint32_t)i * 2 + 1);
}

static void
measure(void)
{
	size_t m;

	printf("# net.core.optmem_max = %ld\n", optmem_max());
	m = max_fit(gen_v4s, 0, 5000, "IPv4 scattered");
	ok(m >= 1000, "at least 1,000 scattered IPv4 VIPs fit (%zu)", m);
	max_fit(gen_v4r, 0, 65536, "IPv4 consecutive (one range)");
	m = max_fit(gen_v6, 0, 5000, "IPv6 random");
	ok(m >= 200, "at least 200 random IPv6 VIPs fit (%zu)", m);
	m = max_fit(gen_v6, 2, 5000, "IPv6 random in one /64");
	ok(m >= 400, "at least 400 IPv6 VIPs of one /64 fit (%zu)", m);
	max_fit(gen_v6, 3, 10000, "IPv6 random in one /96");
	max_fit(gen_mixed, 2, 5000, "half IPv4, half IPv6 in one /64");
}

/*
 * Kernels before 6.9 default optmem_max to 20 KB; measure there too, in a
 * network namespace of our own (the sysctl is per namespace since 6.9).
 */
static void
measure_old_default(void)
{
	FILE *f;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) == -1) {
		printf("# skipped optmem_max 20480: needs root\n");
		return;
	}
	/* Only where a global sysctl is hidden here is a visible one ours:
	 * never write a value the host namespace would share. */
	if (access("/proc/sys/net/core/netdev_max_backlog", F_OK) == 0) {
		printf(
		    "# skipped optmem_max 20480: sysctls not per namespace\n");
		return;
	}
	f = fopen("/proc/sys/net/core/optmem_max", "w");
	if (f == NULL || fprintf(f, "20480\n") < 0 || fclose(f) != 0) {
		printf("# skipped optmem_max 20480: not per namespace here\n");
		return;
	}
	measure();
}

static void
test_scale(void)
{
	int n;

	gen_v4_scattered(1000);
	check_all("scattered IPv4", 1000);
	gen_v4_range(1000);
	check_all("range IPv4", 1000);
	n = bpf_filter_build(vips, 1000, prog, BPF_MAX_INSNS);
	ok(n > 0 && n < 20, "1,000 consecutive IPv4 VIPs: %d insns", n);
	gen_v6(400, 0);
	check_all("random IPv6", 400);
	gen_v6(900, 2);
	check_all("IPv6 in one /64", 900);
	gen_v6(3000, 3);
	check_all("IPv6 in one /96", 3000);
	gen_mixed(900, 2);
	check_all("mixed IPv4 + IPv6 /64", 900);

	gen_v4_scattered(5000);
	errno = 0;
	ok(bpf_filter_build(vips, 5000, prog, BPF_MAX_INSNS) == -1 &&
	       errno == E2BIG,
	   "5,000 scattered IPv4 VIPs: E2BIG");

	measure();
}

int
main(void)
{
	test_small();
	test_any();
	test_scale();
	measure_old_default();
	return tap_done();
}
