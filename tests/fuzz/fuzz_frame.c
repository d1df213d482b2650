/*
 * Fuzz target for frame_decode, cross-checked against the BPF programs run
 * by libpcap's interpreter: a frame that decodes must pass the fallback
 * filter, and a decoded frame passes the VIP filter exactly when it names
 * one of the VIPs.  Any disagreement aborts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"

const char *fuzz_corpus_dir = FUZZ_CORPUS;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* From <pcap/bpf.h>, whose macros clash with <linux/filter.h>. */
struct bpf_insn;
unsigned bpf_filter(const struct bpf_insn *pc, const unsigned char *pkt,
                    unsigned wirelen, unsigned buflen);

static const char *const vip_str[] = {
    "192.0.2.2",     "192.0.2.100",  "10.0.0.9",      "10.200.0.1",
    "10.200.0.2",    "10.200.0.3",   "10.200.0.4",    "2001:db8::2",
    "2001:db8::100", "2001:db8::99", "2001:db8::1:5", "2001:db8:0:1::7",
    "fe80::1",
};
#define NVIP (sizeof(vip_str) / sizeof(vip_str[0]))

static struct net_addr vips[NVIP];
static struct sock_filter vip_prog[BPF_MAX_INSNS], any_prog[BPF_MAX_INSNS];
static bool ready;

static void
setup(void)
{
	size_t i;

	for (i = 0; i < NVIP; i++)
		if (net_addr_parse(vip_str[i], &vips[i]) == -1)
			abort();
	if (bpf_filter_build(vips, NVIP, vip_prog, BPF_MAX_INSNS) < 0 ||
	    bpf_filter_build_any(any_prog, BPF_MAX_INSNS) < 0)
		abort();
	ready = true;
}

static bool
is_vip(const struct net_addr *a)
{
	size_t i;

	for (i = 0; i < NVIP; i++)
		if (net_addr_eq(a, &vips[i]))
			return true;
	return false;
}

static unsigned
run(const struct sock_filter *prog, const uint8_t *data, size_t size)
{
	return bpf_filter((const struct bpf_insn *)(const void *)prog, data,
	                  (unsigned)size, (unsigned)size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_info fi;
	enum frame_err e;
	bool named, pass_vip, pass_any;

	if (!ready)
		setup();
	e = frame_decode(data, size, &fi);
	if ((unsigned)e >= FRAME_ERR_MAX || frame_err_name(e) == NULL)
		abort();
	if (size > 0xffff)
		return 0;
	pass_vip = run(vip_prog, data, size) != 0;
	pass_any = run(any_prog, data, size) != 0;
	if (pass_vip && !pass_any)
		abort(); /* the fallback must be a superset */
	if (e != FRAME_OK)
		return 0;
	if (!pass_any)
		abort();
	if (fi.kind == FRAME_ARP_REQUEST || fi.kind == FRAME_ARP_REPLY)
		named = is_vip(&fi.sender) || is_vip(&fi.target);
	else
		named = is_vip(&fi.target);
	if (named != pass_vip)
		abort();
	return 0;
}
