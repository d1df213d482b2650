/*
 * l2tool: drive an l2_port from the command line, for the namespace tests
 * and benchmarks.  Prints "# ..." progress lines and one JSON object as the
 * last line of its output.
 *
 *   l2tool IFNAME announce VIP...
 *   l2tool IFNAME probe VIP [WAIT_MS]      probe, then report who answered
 *   l2tool IFNAME respond SECONDS VIP...   answer requests for the VIPs
 *   l2tool IFNAME bench-announce N         announce N VIPs of 10.200.0.0/16
 *   l2tool IFNAME set-vips N               filter for N scattered IPv4 VIPs
 *   l2tool IFNAME refilter VIP_A VIP_B     a frame queued under filter A is
 *                                          gone once filter B is installed
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "test_net_util.h"

#define MAX_VIPS 4096

static volatile sig_atomic_t stop_flag;

struct resp {
	struct l2_port *p;
	struct net_addr *vips;
	size_t nvips;
	uint64_t seen[5]; /* by frame_kind */
	uint64_t answered, answer_errors, foreign, matched;
	const struct net_addr *watch; /* refilter/probe: count frames for */
	uint8_t last_mac[NET_MAC_LEN];
};

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
parse_vips(char **argv, int n, struct net_addr *out)
{
	int i;

	for (i = 0; i < n; i++) {
		if (net_addr_parse(argv[i], &out[i]) == -1) {
			fprintf(stderr, "l2tool: bad address %s\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static bool
is_vip(const struct resp *r, const struct net_addr *a)
{
	size_t i;

	for (i = 0; i < r->nvips; i++)
		if (net_addr_eq(a, &r->vips[i]))
			return true;
	return false;
}

static void
print_counters(const struct l2_port *p)
{
	const struct l2_counters *c = l2_port_counters(p);
	int e;

	printf(
	    "\"rx_frames\":%llu,\"rx_dropped\":%llu,\"tx_frames\":%llu,"
	    "\"tx_errors\":%llu,\"rx_bad\":{",
	    (unsigned long long)c->rx_frames, (unsigned long long)c->rx_dropped,
	    (unsigned long long)c->tx_frames, (unsigned long long)c->tx_errors);
	for (e = 1; e < FRAME_ERR_MAX; e++)
		printf("%s\"%s\":%llu", e > 1 ? "," : "", frame_err_name(e),
		       (unsigned long long)c->rx_bad[e]);
	printf("}");
}

/* Answer ARP requests and NS for our VIPs; count everything seen. */
static void
on_request(const struct frame_info *fi, void *arg)
{
	struct resp *r = arg;

	r->seen[fi->kind]++;
	if (r->watch != NULL && (net_addr_eq(&fi->target, r->watch) ||
	                         net_addr_eq(&fi->sender, r->watch))) {
		r->matched++;
		memcpy(r->last_mac, fi->mac, NET_MAC_LEN);
	}
	if (r->vips == NULL || !is_vip(r, &fi->target))
		return;
	if (fi->kind == FRAME_ARP_REQUEST && fi->gratuitous) {
		r->foreign++; /* someone else announces our VIP */
		return;
	}
	if (fi->kind != FRAME_ARP_REQUEST && fi->kind != FRAME_NDP_NS) {
		r->foreign++;
		return;
	}
	if (l2_port_reply(r->p, &fi->target, fi) == 0)
		r->answered++;
	else
		r->answer_errors++;
}

/* Dispatch for up to ms milliseconds (or until a signal). */
static int
pump(struct resp *r, int ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	struct pollfd pfd = {l2_port_fd(r->p), POLLIN, 0};

	while (!stop_flag) {
		uint64_t now = now_us();
		int n;

		if (now >= end)
			break;
		n = poll(&pfd, 1, (int)((end - now) / 1000) + 1);
		if (n == -1 && errno != EINTR)
			return -1;
		if (n > 0 && l2_port_dispatch(r->p, 0, on_request, r) == -1)
			return -1;
	}
	return 0;
}

static double
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int
cmd_respond(struct l2_port *p, int argc, char **argv)
{
	static struct net_addr vips[MAX_VIPS];
	struct resp r = {.p = p, .vips = vips};
	bool fb = false;
	int secs;

	if (argc < 2 || argc - 1 > MAX_VIPS)
		return 2;
	secs = atoi(argv[0]);
	if (secs <= 0 || secs > 600 || parse_vips(argv + 1, argc - 1, vips))
		return 2;
	r.nvips = (size_t)argc - 1;
	if (l2_port_set_vips(p, vips, r.nvips, &fb) == -1) {
		fprintf(stderr, "l2tool: set_vips: %s\n", strerror(errno));
		return 1;
	}
	printf("# ready\n");
	fflush(stdout);
	if (pump(&r, secs * 1000) == -1)
		fprintf(stderr, "l2tool: dispatch: %s\n", strerror(errno));
	printf("{\"cpu_ms\":%.1f,\"fallback\":%s,\"answered\":%llu,"
	       "\"answer_errors\":%llu,"
	       "\"foreign\":%llu,\"arp_requests\":%llu,\"arp_replies\":%llu,"
	       "\"ns\":%llu,\"na\":%llu,",
	       cpu_ms(), fb ? "true" : "false", (unsigned long long)r.answered,
	       (unsigned long long)r.answer_errors,
	       (unsigned long long)r.foreign,
	       (unsigned long long)r.seen[FRAME_ARP_REQUEST],
	       (unsigned long long)r.seen[FRAME_ARP_REPLY],
	       (unsigned long long)r.seen[FRAME_NDP_NS],
	       (unsigned long long)r.seen[FRAME_NDP_NA]);
	print_counters(p);
	printf("}\n");
	return 0;
}

static int
cmd_announce(struct l2_port *p, int argc, char **argv)
{
	struct net_addr vip;
	int i, sent = 0, fails = 0;

	for (i = 0; i < argc; i++) {
		int n;

		if (parse_vips(argv + i, 1, &vip) == -1)
			return 2;
		n = l2_port_announce(p, &vip);
		if (n < 0) {
			fprintf(stderr, "l2tool: announce %s: %s\n", argv[i],
			        strerror(errno));
			fails++;
		} else {
			sent += n;
		}
	}
	printf("{\"sent\":%d,\"failed\":%d,", sent, fails);
	print_counters(p);
	printf("}\n");
	return fails ? 1 : 0;
}

static int
cmd_probe(struct l2_port *p, int argc, char **argv)
{
	struct net_addr vip;
	struct resp r = {.p = p, .watch = &vip};
	char mac[NET_MAC_STRLEN];
	int wait_ms = argc > 1 ? atoi(argv[1]) : 0;

	if (argc < 1 || parse_vips(argv, 1, &vip) == -1 || wait_ms < 0 ||
	    wait_ms > 10000)
		return 2;
	/* Listen for defenders: replies name the VIP as sender or target. */
	if (l2_port_set_vips(p, &vip, 1, NULL) == -1 ||
	    l2_port_probe(p, &vip) == -1) {
		fprintf(stderr, "l2tool: probe: %s\n", strerror(errno));
		return 1;
	}
	if (wait_ms > 0 && pump(&r, wait_ms) == -1)
		return 1;
	printf("{\"probed\":\"%s\",\"answers\":%llu,\"mac\":\"%s\",", argv[0],
	       (unsigned long long)(r.seen[FRAME_ARP_REPLY] +
	                            r.seen[FRAME_NDP_NA]),
	       net_mac_str(r.last_mac, mac, sizeof(mac)));
	print_counters(p);
	printf("}\n");
	return 0;
}

static int
cmd_bench(struct l2_port *p, int argc, char **argv)
{
	static struct net_addr vips[65536];
	uint64_t t0, t1;
	int n, i, sent = 0, fails = 0;

	if (argc < 1 || (n = atoi(argv[0])) <= 0 || n > 65534)
		return 2;
	for (i = 0; i < n; i++)
		tn_v4(&vips[i], 0x0ac80000u + (uint32_t)i + 1);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		int r = l2_port_announce(p, &vips[i]);

		if (r < 0)
			fails++;
		else
			sent += r;
	}
	t1 = now_us();
	printf("{\"vips\":%d,\"frames\":%d,\"failed\":%d,\"ms\":%.3f,", n, sent,
	       fails, (double)(t1 - t0) / 1000.0);
	print_counters(p);
	printf("}\n");
	return fails ? 1 : 0;
}

/* The filter the kernel holds on the capture socket, in instructions. */
static int
attached_len(const struct l2_port *p)
{
	socklen_t len = 0;

	if (getsockopt(l2_port_fd(p), SOL_SOCKET, SO_GET_FILTER, NULL, &len))
		return -1;
	return (int)len;
}

static int
cmd_set_vips(struct l2_port *p, int argc, char **argv)
{
	static struct net_addr vips[65536];
	bool fb = false;
	int n, i;

	if (argc < 1 || (n = atoi(argv[0])) < 0 || n > 65535)
		return 2;
	for (i = 0; i < n; i++) /* gaps: no ranges */
		tn_v4(&vips[i], 0x0a000000u + (uint32_t)i * 2 + 1);
	if (l2_port_set_vips(p, vips, (size_t)n, &fb) == -1) {
		fprintf(stderr, "l2tool: set_vips: %s\n", strerror(errno));
		return 1;
	}
	printf("{\"vips\":%d,\"fallback\":%s,\"attached_insns\":%d}\n", n,
	       fb ? "true" : "false", attached_len(p));
	return 0;
}

static int
wait_readable(const struct l2_port *p, int ms)
{
	struct pollfd pfd = {l2_port_fd(p), POLLIN, 0};

	return poll(&pfd, 1, ms) == 1 ? 0 : -1;
}

static int
cmd_refilter(struct l2_port *p, int argc, char **argv)
{
	struct net_addr ab[2];
	struct resp r = {.p = p};
	uint64_t stale, fresh;
	int queued;

	if (argc < 2 || parse_vips(argv, 2, ab) == -1)
		return 2;
	if (l2_port_set_vips(p, &ab[0], 1, NULL) == -1)
		return 1;
	printf("# ready-a\n");
	fflush(stdout);
	/* Leave the frame for A in the ring; then swap the filter. */
	queued = wait_readable(p, 5000) == 0;
	usleep(100000);
	if (l2_port_set_vips(p, &ab[1], 1, NULL) == -1)
		return 1;
	r.watch = &ab[0];
	if (l2_port_dispatch(p, 0, on_request, &r) == -1)
		return 1;
	stale = r.matched;
	printf("# ready-b\n");
	fflush(stdout);
	r.watch = &ab[1];
	r.matched = 0;
	if (pump(&r, 3000) == -1)
		return 1;
	fresh = r.matched;
	printf("{\"queued_a\":%s,\"a_after_switch\":%llu,\"b\":%llu,"
	       "\"attached_insns\":%d,",
	       queued ? "true" : "false", (unsigned long long)stale,
	       (unsigned long long)fresh, attached_len(p));
	print_counters(p);
	printf("}\n");
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct l2_port *p;
	char err[256];
	const char *cmd;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: l2tool IFNAME announce|probe|respond|"
		                "bench-announce|set-vips|refilter ARGS...\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	p = l2_port_new(argv[1], err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "l2tool: %s\n", err);
		return 1;
	}
	cmd = argv[2];
	argc -= 3;
	argv += 3;
	if (strcmp(cmd, "announce") == 0)
		rc = cmd_announce(p, argc, argv);
	else if (strcmp(cmd, "probe") == 0)
		rc = cmd_probe(p, argc, argv);
	else if (strcmp(cmd, "respond") == 0)
		rc = cmd_respond(p, argc, argv);
	else if (strcmp(cmd, "bench-announce") == 0)
		rc = cmd_bench(p, argc, argv);
	else if (strcmp(cmd, "set-vips") == 0)
		rc = cmd_set_vips(p, argc, argv);
	else if (strcmp(cmd, "refilter") == 0)
		rc = cmd_refilter(p, argc, argv);
	else
		rc = 2;
	if (rc == 2)
		fprintf(stderr, "l2tool: bad arguments for %s\n", cmd);
	l2_port_free(p);
	return rc;
}
