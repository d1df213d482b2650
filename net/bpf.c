/*
 * Classic BPF filter for the capture socket: only ARP and ICMPv6 NS/NA that
 * concern our VIPs reach userspace, so a flood of requests for other
 * addresses costs the kernel a few instructions per frame and vipd nothing.
 *
 * Code is emitted with symbolic labels and resolved at the end, because
 * conditional jumps reach at most 255 instructions ahead (8-bit jt/jf).
 * Compares that accept jump to the nearest "accept pad" ahead of them: a
 * `ret ACCEPT` the emitter drops in (skipped by a `ja`) before any pending
 * accept jump would grow out of range.  Every other conditional jump is
 * local by construction; long distances use `ja` (32-bit offset).
 *
 * Layout (offsets in an untagged Ethernet II frame):
 *   ARP:  sender IP at 28, target IP at 38; a chain of compares for each,
 *         runs of 3+ consecutive addresses as one range compare.
 *   IPv6: next header at 20 must be 58, ICMPv6 type at 54 135 or 136; the
 *         target (62..77) is matched by a trie over its four 32-bit words,
 *         so VIPs sharing a /64 or /96 cost one compare each.
 *
 * The kernel translates the program to eBPF and charges the result to the
 * socket's option memory (net.core.optmem_max: 20 KB before Linux 6.9, 128
 * KB since).  A packet load (`ld [k]`) becomes about 14 eBPF instructions,
 * a scratch load (`ld M[i]`) or a compare one or two; so the target's words
 * are loaded from the packet once, into M[0..3], and the trie re-reads
 * those.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"

#define ACCEPT_LEN 0x40000    /* capture the whole frame (snaplen caps it) */
#define PAD_SPAN   250        /* max distance from an accept jump to its pad */
#define LBL_PAD    UINT32_MAX /* "the next accept pad" */
#define LBL_NEXT   0          /* fall through */

#define OFF_ETHERTYPE  12
#define OFF_ARP_SPA    28
#define OFF_ARP_TPA    38
#define OFF_IP6_NH     20
#define OFF_ICMP6_TYPE 54
#define OFF_NDP_TARGET 62

struct bpf_gen {
	struct sock_filter *prog;
	size_t cap, n;
	uint32_t *jt_lbl, *jf_lbl; /* per instruction, resolved at the end */
	uint32_t *pos;             /* label -> instruction index */
	uint32_t nlbl, caplbl;
	uint32_t pad_lbl; /* label of the next accept pad */
	size_t pad_first; /* first jump waiting for it, or SIZE_MAX */
	bool full;
};

struct ip6_key {
	uint8_t a[16];
};

static uint32_t
lbl_new(struct bpf_gen *g)
{
	if (g->nlbl >= g->caplbl) {
		g->full = true;
		return LBL_NEXT;
	}
	g->pos[g->nlbl] = UINT32_MAX;
	return g->nlbl++;
}

static void
lbl_bind(struct bpf_gen *g, uint32_t lbl)
{
	if (lbl != LBL_NEXT)
		g->pos[lbl] = (uint32_t)g->n;
}

static void
put(struct bpf_gen *g, uint16_t code, uint32_t k, uint32_t jt, uint32_t jf)
{
	if (g->n >= g->cap) {
		g->full = true;
		return;
	}
	g->prog[g->n] = (struct sock_filter){code, 0, 0, k};
	g->jt_lbl[g->n] = jt;
	g->jf_lbl[g->n] = jf;
	g->n++;
}

/* A `ret ACCEPT` for the pending accept jumps, stepped over by a `ja`. */
static void
pad_place(struct bpf_gen *g, bool after_ret)
{
	uint32_t skip = after_ret ? LBL_NEXT : lbl_new(g);

	if (!after_ret)
		put(g, BPF_JMP | BPF_JA, 0, skip, LBL_NEXT);
	lbl_bind(g, g->pad_lbl);
	put(g, BPF_RET | BPF_K, ACCEPT_LEN, LBL_NEXT, LBL_NEXT);
	lbl_bind(g, skip);
	g->pad_lbl = lbl_new(g);
	g->pad_first = SIZE_MAX;
}

static void
emit(struct bpf_gen *g, uint16_t code, uint32_t k, uint32_t jt, uint32_t jf)
{
	if (g->pad_first != SIZE_MAX && g->n - g->pad_first >= PAD_SPAN)
		pad_place(g, false);
	if (jt == LBL_PAD || jf == LBL_PAD) {
		if (g->pad_first == SIZE_MAX)
			g->pad_first = g->n;
		jt = jt == LBL_PAD ? g->pad_lbl : jt;
		jf = jf == LBL_PAD ? g->pad_lbl : jf;
	}
	put(g, code, k, jt, jf);
}

/* `ret 0`, then the pending pad if any (no `ja` needed after a ret). */
static void
emit_reject(struct bpf_gen *g)
{
	emit(g, BPF_RET | BPF_K, 0, LBL_NEXT, LBL_NEXT);
	if (g->pad_first != SIZE_MAX)
		pad_place(g, true);
}

static int
resolve_one(const struct bpf_gen *g, size_t i, uint32_t lbl, uint32_t *off)
{
	if (lbl == LBL_NEXT) {
		*off = 0;
		return 0;
	}
	if (g->pos[lbl] == UINT32_MAX || g->pos[lbl] <= i)
		return -1;
	*off = g->pos[lbl] - (uint32_t)i - 1;
	return 0;
}

static int
resolve(struct bpf_gen *g)
{
	uint32_t jt, jf;
	size_t i;

	for (i = 0; i < g->n; i++) {
		struct sock_filter *f = &g->prog[i];

		if (BPF_CLASS(f->code) != BPF_JMP)
			continue;
		if (resolve_one(g, i, g->jt_lbl[i], &jt) == -1 ||
		    resolve_one(g, i, g->jf_lbl[i], &jf) == -1)
			return -1;
		if (BPF_OP(f->code) == BPF_JA) {
			f->k = jt;
		} else {
			if (jt > 255 || jf > 255)
				return -1;
			f->jt = (uint8_t)jt;
			f->jf = (uint8_t)jf;
		}
	}
	return 0;
}

static uint32_t
word_at(const uint8_t *a, unsigned i)
{
	const uint8_t *p = a + 4 * i;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * A loads a word; accept when it is one of w[0..n) (sorted, unique), else
 * fall through.  Runs of three or more consecutive values are one range.
 */
static void
emit_word_set(struct bpf_gen *g, const uint32_t *w, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		for (j = i + 1; j < n && w[j] == w[j - 1] + 1; j++)
			;
		if (j - i >= 3) {
			uint32_t skip = lbl_new(g);

			emit(g, BPF_JMP | BPF_JGE | BPF_K, w[i], LBL_NEXT,
			     skip);
			emit(g, BPF_JMP | BPF_JGT | BPF_K, w[j - 1], LBL_NEXT,
			     LBL_PAD);
			lbl_bind(g, skip);
			i = j;
		} else {
			emit(g, BPF_JMP | BPF_JEQ | BPF_K, w[i], LBL_PAD,
			     LBL_NEXT);
			i++;
		}
	}
}

static void
emit_ld(struct bpf_gen *g, uint16_t size, uint32_t off)
{
	emit(g, BPF_LD | size | BPF_ABS, off, LBL_NEXT, LBL_NEXT);
}

static void
emit_ld_mem(struct bpf_gen *g, unsigned level)
{
	emit(g, BPF_LD | BPF_MEM, level, LBL_NEXT, LBL_NEXT);
}

/* One VIP below a trie node: compare its remaining words in a row. */
static void
trie_single(struct bpf_gen *g, const uint8_t *a, unsigned level)
{
	uint32_t fail = lbl_new(g);
	unsigned l;

	for (l = level; l < 4; l++) {
		if (l > level)
			emit_ld_mem(g, l);
		emit(g, BPF_JMP | BPF_JEQ | BPF_K, word_at(a, l),
		     l == 3 ? LBL_PAD : LBL_NEXT, fail);
	}
	lbl_bind(g, fail);
}

/* Match the NDP target against k[lo..hi), which share words < level. */
static void
trie(struct bpf_gen *g, const struct ip6_key *k, size_t lo, size_t hi,
     unsigned level)
{
	size_t i, j;

	if (level == 3) {
		uint32_t w[256];

		emit_ld_mem(g, 3);
		/* Level-3 groups are processed in slices to bound w[]. */
		for (i = lo; i < hi; i += j) {
			for (j = 0; j < 256 && i + j < hi; j++)
				w[j] = word_at(k[i + j].a, 3);
			emit_word_set(g, w, j);
		}
		return;
	}
	for (i = lo; i < hi; i = j) {
		uint32_t wi = word_at(k[i].a, level), next, child;

		for (j = i + 1; j < hi && word_at(k[j].a, level) == wi; j++)
			;
		emit_ld_mem(g, level);
		if (j - i == 1) {
			trie_single(g, k[i].a, level);
			continue;
		}
		next = lbl_new(g);
		child = lbl_new(g);
		emit(g, BPF_JMP | BPF_JEQ | BPF_K, wi, child, LBL_NEXT);
		emit(g, BPF_JMP | BPF_JA, 0, next, LBL_NEXT);
		lbl_bind(g, child);
		trie(g, k, i, j, level + 1);
		lbl_bind(g, next);
	}
}

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static int
cmp_ip6(const void *x, const void *y)
{
	return memcmp(x, y, 16);
}

static size_t
uniq(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	uint8_t *b = base;
	size_t i, m = 0;

	qsort(base, n, size, cmp);
	for (i = 0; i < n; i++)
		if (m == 0 || cmp(b + (m - 1) * size, b + i * size) != 0)
			memmove(b + m++ * size, b + i * size, size);
	return m;
}

static void
emit_arp(struct bpf_gen *g, const uint32_t *v4, size_t n4)
{
	emit_ld(g, BPF_W, OFF_ARP_SPA);
	emit_word_set(g, v4, n4);
	emit_ld(g, BPF_W, OFF_ARP_TPA);
	emit_word_set(g, v4, n4);
	emit_reject(g);
}

/*
 * IPv6 with next header ICMPv6 (no extension headers), type NS or NA; then
 * the target's four words into M[0..3].
 */
static void
emit_ndp_head(struct bpf_gen *g)
{
	uint32_t icmp = lbl_new(g), nsna = lbl_new(g);
	unsigned i;

	emit_ld(g, BPF_B, OFF_IP6_NH);
	emit(g, BPF_JMP | BPF_JEQ | BPF_K, 58, icmp, LBL_NEXT);
	emit_reject(g);
	lbl_bind(g, icmp);
	emit_ld(g, BPF_B, OFF_ICMP6_TYPE);
	emit(g, BPF_JMP | BPF_JEQ | BPF_K, 135, nsna, LBL_NEXT);
	emit(g, BPF_JMP | BPF_JEQ | BPF_K, 136, nsna, LBL_NEXT);
	emit_reject(g);
	lbl_bind(g, nsna);
	for (i = 0; i < 4; i++) {
		emit_ld(g, BPF_W, OFF_NDP_TARGET + 4 * i);
		emit(g, BPF_ST, i, LBL_NEXT, LBL_NEXT);
	}
}

/* Dispatch on the ethertype to the sections that exist. */
static void
emit_program(struct bpf_gen *g, const uint32_t *v4, size_t n4,
             const struct ip6_key *v6, size_t n6)
{
	uint32_t arp = lbl_new(g), ip6 = lbl_new(g), not_arp = lbl_new(g);
	uint32_t not_ip6 = lbl_new(g);

	if (n4 + n6 > 0)
		emit_ld(g, BPF_H, OFF_ETHERTYPE);
	if (n4 > 0) {
		emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0x0806, LBL_NEXT, not_arp);
		emit(g, BPF_JMP | BPF_JA, 0, arp, LBL_NEXT);
		lbl_bind(g, not_arp);
	}
	if (n6 > 0) {
		emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, LBL_NEXT, not_ip6);
		emit(g, BPF_JMP | BPF_JA, 0, ip6, LBL_NEXT);
		lbl_bind(g, not_ip6);
	}
	emit_reject(g);
	if (n4 > 0) {
		lbl_bind(g, arp);
		emit_arp(g, v4, n4);
	}
	if (n6 > 0) {
		lbl_bind(g, ip6);
		emit_ndp_head(g);
		trie(g, v6, 0, n6, 0);
		emit_reject(g);
	}
}

static int
gen_init(struct bpf_gen *g, struct sock_filter *prog, size_t cap)
{
	memset(g, 0, sizeof(*g));
	g->prog = prog;
	g->cap = cap < BPF_MAX_INSNS ? cap : BPF_MAX_INSNS;
	g->caplbl = (uint32_t)g->cap + 16;
	g->jt_lbl = calloc(g->cap + 1, sizeof(uint32_t));
	g->jf_lbl = calloc(g->cap + 1, sizeof(uint32_t));
	g->pos = calloc(g->caplbl, sizeof(uint32_t));
	g->pad_first = SIZE_MAX;
	g->nlbl = 1; /* 0 is LBL_NEXT */
	if (g->jt_lbl == NULL || g->jf_lbl == NULL || g->pos == NULL)
		return -1;
	g->pad_lbl = lbl_new(g);
	return 0;
}

/* Resolve and release; the instruction count, or -1 with errno. */
static int
gen_finish(struct bpf_gen *g, int err)
{
	int ret = -1;

	if (err == 0 && g->full)
		err = E2BIG;
	else if (err == 0 && resolve(g) == -1)
		err = EINVAL; /* a bug in the emitter; never seen in tests */
	if (err == 0)
		ret = (int)g->n;
	free(g->jt_lbl);
	free(g->jf_lbl);
	free(g->pos);
	errno = err;
	return ret;
}

int
bpf_filter_build(const struct net_addr *vips, size_t n,
                 struct sock_filter *prog, size_t cap)
{
	struct bpf_gen g;
	uint32_t *v4 = calloc(n + 1, sizeof(*v4));
	struct ip6_key *v6 = calloc(n + 1, sizeof(*v6));
	size_t i, n4 = 0, n6 = 0;
	int err = 0;

	if (gen_init(&g, prog, cap) == -1 || v4 == NULL || v6 == NULL) {
		err = ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (vips[i].family == AF_INET)
			v4[n4++] = word_at(vips[i].a, 0);
		else if (vips[i].family == AF_INET6)
			memcpy(v6[n6++].a, vips[i].a, 16);
	}
	n4 = uniq(v4, n4, sizeof(*v4), cmp_u32);
	n6 = uniq(v6, n6, sizeof(*v6), cmp_ip6);
	emit_program(&g, v4, n4, v6, n6);
out:
	free(v4);
	free(v6);
	return gen_finish(&g, err);
}

int
bpf_filter_build_any(struct sock_filter *prog, size_t cap)
{
	struct bpf_gen g;
	uint32_t ip6, icmp, acc;

	if (gen_init(&g, prog, cap) == -1)
		return gen_finish(&g, ENOMEM);
	ip6 = lbl_new(&g);
	icmp = lbl_new(&g);
	acc = lbl_new(&g);
	emit_ld(&g, BPF_H, OFF_ETHERTYPE);
	emit(&g, BPF_JMP | BPF_JEQ | BPF_K, 0x0806, acc, LBL_NEXT);
	emit(&g, BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, ip6, LBL_NEXT);
	emit_reject(&g);
	lbl_bind(&g, ip6);
	emit_ld(&g, BPF_B, OFF_IP6_NH);
	emit(&g, BPF_JMP | BPF_JEQ | BPF_K, 58, icmp, LBL_NEXT);
	emit_reject(&g);
	lbl_bind(&g, icmp);
	emit_ld(&g, BPF_B, OFF_ICMP6_TYPE);
	emit(&g, BPF_JMP | BPF_JEQ | BPF_K, 135, acc, LBL_NEXT);
	emit(&g, BPF_JMP | BPF_JEQ | BPF_K, 136, acc, LBL_NEXT);
	emit_reject(&g);
	lbl_bind(&g, acc);
	emit(&g, BPF_RET | BPF_K, ACCEPT_LEN, LBL_NEXT, LBL_NEXT);
	return gen_finish(&g, 0);
}
