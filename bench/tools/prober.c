/*
 * prober: measures an outage as a client sees it.  Sends a sequence-numbered
 * UDP probe to TARGET every INTERVAL_US, matches the replies of udpecho
 * (which name the answering node) and prints, at the end, what was lost,
 * the longest gap and which nodes answered when; see prober_report.c for
 * the exact definitions.
 *
 * Pacing: slot k is due at t0 + k * interval on CLOCK_MONOTONIC.  The wait
 * for the next slot is a ppoll() on a signalfd with the time left to that
 * absolute deadline (a clock_nanosleep that signals can end), so late
 * wake-ups never accumulate (no drift).  Replies are read once per slot,
 * with their kernel arrival stamps, so a probe costs one wake-up.  Slots missed
 * while the process was not scheduled are sent at once, back to back, so that
 * the number of probes does not depend on the machine's load (their real send
 * times are what the analysis uses); only after a stall of more than
 * PR_CATCHUP_MAX slots (SIGSTOP, a paused VM) are the missed slots skipped
 * rather than sent as a burst.
 *
 * Bounded by design: at most PR_DURATION_MAX_MS of sending and
 * PR_COUNT_MAX probes, then at most WAIT_MS for late replies.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "prober.h"

#define PR_DURATION_MAX_MS     600000L
#define PR_COUNT_MAX           10000000L
#define PR_INTERVAL_MIN_US     100L
#define PR_INTERVAL_MAX_US     10000000L
#define PR_WAIT_MAX_MS         60000L
#define PR_DURATION_DEFAULT_MS 10000L
#define PR_MAGIC               0x76707262u /* "vprb" */
#define PR_HDR                 12  /* magic, run id, sequence: 3 x 32 bits BE */
#define PR_RX_BATCH            256 /* replies read before checking the clock */
#define PR_MARK_LINES          100 /* lines written to the mark file at most */
#define PR_CATCHUP_MAX         64  /* missed slots sent late; beyond, skipped */

enum { OPT_JSON = 256, OPT_UNTIL, OPT_MARK };

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: prober -t TARGET [-p PORT] [-i INTERVAL_US] "
	        "[-d DURATION_MS | -c COUNT]\n"
	        "              [-w WAIT_MS] [--json] [--until-node NAME] "
	        "[--mark-file FILE]\n"
	        "  TARGET is a numeric IPv4 or IPv6 address; defaults: port "
	        "%d, interval 1000 us,\n"
	        "  duration %ld ms, wait 200 ms.  Caps: duration %ld ms, "
	        "count %ld, interval %ld..%ld us.\n",
	        TU_PORT_DEFAULT, PR_DURATION_DEFAULT_MS, PR_DURATION_MAX_MS,
	        PR_COUNT_MAX, PR_INTERVAL_MIN_US, PR_INTERVAL_MAX_US);
}

static int
pr_num(const char *opt, const char *arg, long min, long max, long *out)
{
	if (tu_parse_long(arg, min, max, out) == 0)
		return 0;
	fprintf(stderr, "prober: %s: '%s' is not a number in %ld..%ld\n", opt,
	        arg, min, max);
	return -1;
}

static int
pr_target(struct pr_opts *o, const char *arg)
{
	struct addrinfo hints, *ai;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(arg, NULL, &hints, &ai);
	if (rc != 0 || strlen(arg) >= sizeof(o->target)) {
		fprintf(stderr,
		        "prober: -t: '%s' is not a numeric IPv4 or IPv6 "
		        "address\n",
		        arg);
		if (rc == 0)
			freeaddrinfo(ai);
		return -1;
	}
	memcpy(&o->dst, ai->ai_addr, ai->ai_addrlen);
	o->dstlen = ai->ai_addrlen;
	strcpy(o->target, arg);
	freeaddrinfo(ai);
	return 0;
}

static int
pr_opt(struct pr_opts *o, int c, const char *arg)
{
	switch (c) {
	case 't':
		return pr_target(o, arg);
	case 'p':
		return pr_num("-p", arg, 1, 65535, &o->port);
	case 'i':
		return pr_num("-i", arg, PR_INTERVAL_MIN_US, PR_INTERVAL_MAX_US,
		              &o->interval_us);
	case 'd':
		return pr_num("-d", arg, 1, PR_DURATION_MAX_MS,
		              &o->duration_ms);
	case 'c':
		return pr_num("-c", arg, 1, PR_COUNT_MAX, &o->count);
	case 'w':
		return pr_num("-w", arg, 0, PR_WAIT_MAX_MS, &o->wait_ms);
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_UNTIL:
		if (*arg == '\0' || strlen(arg) > TU_NAME_MAX) {
			fprintf(stderr, "prober: --until-node: a name is "
			                "1..64 characters\n");
			return -1;
		}
		o->until_node = arg;
		return 0;
	case OPT_MARK:
		o->mark_file = arg;
		return 0;
	default:
		usage(stderr);
		return -1;
	}
}

/* Checks what single options cannot: presence and combinations. */
static int
pr_opts_check(struct pr_opts *o)
{
	if (o->dstlen == 0) {
		fprintf(stderr, "prober: -t TARGET is required\n");
		usage(stderr);
		return -1;
	}
	if (o->duration_ms > 0 && o->count > 0) {
		fprintf(stderr, "prober: -d and -c exclude each other\n");
		return -1;
	}
	if (o->count > 0 &&
	    o->count > PR_DURATION_MAX_MS * 1000 / o->interval_us) {
		fprintf(stderr,
		        "prober: -c %ld at -i %ld would run longer than the "
		        "%ld ms cap\n",
		        o->count, o->interval_us, PR_DURATION_MAX_MS);
		return -1;
	}
	if (o->count == 0 && o->duration_ms == 0)
		o->duration_ms = PR_DURATION_DEFAULT_MS;
	if (o->dst.ss_family == AF_INET)
		((struct sockaddr_in *)&o->dst)->sin_port =
		    htons((uint16_t)o->port);
	else
		((struct sockaddr_in6 *)&o->dst)->sin6_port =
		    htons((uint16_t)o->port);
	return 0;
}

static int
pr_args(struct pr_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"until-node", required_argument, NULL, OPT_UNTIL},
	    {"mark-file", required_argument, NULL, OPT_MARK},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	o->port = TU_PORT_DEFAULT;
	o->interval_us = 1000;
	o->wait_ms = 200;
	while ((c = getopt_long(argc, argv, "t:p:i:d:c:w:h", longopts, NULL)) !=
	       -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (pr_opt(o, c, optarg) < 0)
			return -1;
	}
	if (optind != argc) {
		fprintf(stderr, "prober: unexpected argument '%s'\n",
		        argv[optind]);
		return -1;
	}
	return pr_opts_check(o);
}

static int
pr_setup(struct prober *pr)
{
	struct pr_opts *o = &pr->o;
	long dlimit;
	int one = 1;

	/* Wake-ups as close to the deadline as the kernel can: the default
	 * 50 us timer slack would be 5% of a 1 ms interval. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	if (getrandom(&pr->runid, sizeof(pr->runid), 0) !=
	    (ssize_t)sizeof(pr->runid))
		pr->runid = (uint32_t)getpid() ^ (uint32_t)tu_now_ns();
	dlimit = o->duration_ms * 1000 / o->interval_us +
	         (o->duration_ms * 1000 % o->interval_us != 0);
	pr->limit = (uint32_t)(o->count > 0 ? o->count : dlimit);
	if (o->mark_file != NULL) {
		pr->mark = fopen(o->mark_file, "we");
		if (pr->mark == NULL) {
			fprintf(stderr, "prober: --mark-file %s: %s\n",
			        o->mark_file, strerror(errno));
			return -1;
		}
	}
	pr->sigfd = tu_signalfd();
	pr->sock = socket(o->dst.ss_family,
	                  SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* Connected: only replies from TARGET:PORT count, so a reply that
	 * leaves a node from the wrong address is seen as lost. */
	if (pr->sock >= 0)
		setsockopt(pr->sock, SOL_SOCKET, SO_TIMESTAMPNS, &one,
		           sizeof(one));
	if (pr->sigfd < 0 || pr->sock < 0 ||
	    connect(pr->sock, (struct sockaddr *)&o->dst, o->dstlen) < 0) {
		fprintf(stderr, "prober: %s: %s\n", o->target, strerror(errno));
		return -1;
	}
	return 0;
}

static void pr_mark(struct prober *pr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Tells a waiting script what happened (--mark-file), a bounded number of
 * lines, each flushed at once. */
static void
pr_mark(struct prober *pr, const char *fmt, ...)
{
	va_list ap;

	if (pr->mark == NULL || pr->mark_lines >= PR_MARK_LINES)
		return;
	pr->mark_lines++;
	va_start(ap, fmt);
	vfprintf(pr->mark, fmt, ap);
	va_end(ap);
	fflush(pr->mark);
}

/* Returns the 1-based index of the node named by NAME[0..len). */
static uint16_t
pr_node(struct prober *pr, const uint8_t *name, size_t len)
{
	char s[TU_NAME_MAX + 1];
	uint16_t i;
	size_t k;

	if (len > TU_NAME_MAX)
		len = TU_NAME_MAX;
	for (k = 0; k < len; k++)
		s[k] = (name[k] > ' ' && name[k] <= '~') ? (char)name[k] : '?';
	if (len == 0)
		s[len++] = '?';
	s[len] = '\0';
	for (i = 0; i < pr->nnodes; i++)
		if (strcmp(pr->nodes[i], s) == 0)
			return (uint16_t)(i + 1);
	if (pr->nnodes < PR_NODES_MAX - 1) {
		strcpy(pr->nodes[pr->nnodes++], s);
		return pr->nnodes;
	}
	/* The table is full: every further name shares one "?" entry. */
	for (i = 0; i < pr->nnodes; i++)
		if (strcmp(pr->nodes[i], "?") == 0)
			return (uint16_t)(i + 1);
	strcpy(pr->nodes[pr->nnodes++], "?");
	return pr->nnodes;
}

static uint32_t
pr_get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static void
pr_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* Follows the answering node live: --until-node and the mark file. */
static void
pr_live(struct prober *pr, uint16_t node, uint64_t now)
{
	double t_ms = (double)(now - pr->t0) / 1e6;
	const char *name = pr->nodes[node - 1];

	if (pr->live_node == 0)
		pr_mark(pr, "reply %.1f %s\n", t_ms, name);
	else if (pr->live_node != node)
		pr_mark(pr, "change %.1f %s %s\n", t_ms,
		        pr->nodes[pr->live_node - 1], name);
	pr->live_node = node;
	if (pr->o.until_node == NULL)
		return;
	if (strcmp(name, pr->o.until_node) != 0)
		pr->saw_other = true;
	else if (pr->saw_other)
		pr->until_hit = true;
}

/* Matches one reply (already length-checked) to its probe. */
static void
pr_reply(struct prober *pr, const uint8_t *buf, size_t len, uint64_t now)
{
	uint32_t seq = pr_get32(buf + 8);
	struct pr_probe *p;
	uint16_t node;

	if (pr_get32(buf) != PR_MAGIC || pr_get32(buf + 4) != pr->runid ||
	    seq >= pr->np) {
		pr->bogus++; /* another run's reply, or not ours at all */
		return;
	}
	node = pr_node(pr, buf + PR_HDR, len - PR_HDR);
	if (now < pr->t0)
		now = pr->t0; /* a receive stamp a hair off: not before t0 */
	p = &pr->p[seq];
	pr->replies++;
	if (p->nrecv == 0) {
		p->node = node;
		if (pr->received > 0) {
			if (seq < pr->max_seq)
				pr->reordered++;
			if (now > pr->last_rx_ns &&
			    now - pr->last_rx_ns > pr->max_rx_gap_ns)
				pr->max_rx_gap_ns = now - pr->last_rx_ns;
		}
		if (pr->received == 0 || seq > pr->max_seq)
			pr->max_seq = seq;
		pr->last_rx_ns = now;
		pr->received++;
	} else if (p->node != node) {
		p->othernode = 1;
	}
	if (p->nrecv < UINT8_MAX)
		p->nrecv++;
	pr_live(pr, node, now);
}

/*
 * When a datagram arrived, on the monotonic clock: the kernel's receive
 * stamp (SO_TIMESTAMPNS, wall clock) moved onto the monotonic clock, so that
 * reading replies only once per interval costs no precision.  NOW and REAL
 * are the two clocks read together; without a usable stamp, NOW.
 */
static uint64_t
pr_rx_time(struct msghdr *m, uint64_t now, const struct timespec *real)
{
	struct cmsghdr *c;
	struct timespec ts;
	int64_t age;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof(ts)))
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		age = ((int64_t)real->tv_sec - ts.tv_sec) * 1000000000 +
		      (real->tv_nsec - ts.tv_nsec);
		/* A wall-clock step makes the stamp useless, not harmful. */
		if (age >= 0 && age < 1000000000 && (uint64_t)age < now)
			return now - (uint64_t)age;
	}
	return now;
}

/* Reads the replies waiting on the socket (a bounded batch). */
static void
pr_drain(struct prober *pr)
{
	uint8_t buf[PR_HDR + TU_NAME_MAX + 1];
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct timespec)) + 64];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr m;
	struct timespec real;
	uint64_t now;
	ssize_t n;
	int k;

	now = tu_now_ns();
	clock_gettime(CLOCK_REALTIME, &real);
	for (k = 0; k < PR_RX_BATCH; k++) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		n = recvmsg(pr->sock, &m, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* ICMP errors (port or host unreachable) surface
			 * here on a connected socket: counted, not fatal. */
			if (errno != EINTR)
				pr->rx_errors++;
			continue;
		}
		if ((size_t)n < PR_HDR) {
			pr->bogus++;
			continue;
		}
		/* A name longer than TU_NAME_MAX arrives truncated. */
		pr_reply(pr, buf, (size_t)n, pr_rx_time(&m, now, &real));
	}
}

static void
pr_signal(struct prober *pr)
{
	int sig;

	while ((sig = tu_signal_read(pr->sigfd)) > 0) {
		/* The first signal stops sending, a second one the wait for
		 * late replies too; the summary is printed either way. */
		pr->signals++;
	}
}

/*
 * Waits until DEADLINE (ns, monotonic) for signals.  While sending (FINAL
 * false) replies are read only at the deadline, so that each probe costs
 * one wake-up; in the final wait they are read as they come and the wait
 * ends early once every probe sent has its reply.  Returns 1 when the run
 * should stop (signals, an error, --until-node while sending), else 0.
 */
static int
pr_wait(struct prober *pr, uint64_t deadline, bool final, int stop_signals)
{
	struct pollfd pfd[2];
	struct timespec ts;
	uint64_t now, left;

	pfd[0].fd = pr->sigfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = pr->sock;
	pfd[1].events = POLLIN;
	for (;;) {
		if (pr->signals >= stop_signals || pr->failed)
			return 1;
		if (final && pr->received == pr->np)
			return 0;
		now = tu_now_ns();
		if (now >= deadline) {
			if (final)
				return 0;
			pr_drain(pr);
			return pr->until_hit ? 1 : 0;
		}
		left = deadline - now;
		ts.tv_sec = (time_t)(left / 1000000000u);
		ts.tv_nsec = (long)(left % 1000000000u);
		if (ppoll(pfd, final ? 2 : 1, &ts, NULL) < 0 &&
		    errno != EINTR) {
			perror("prober: ppoll");
			pr->failed = true;
			return 1;
		}
		if (pfd[0].revents != 0)
			pr_signal(pr);
		if (final && pfd[1].revents != 0)
			pr_drain(pr);
	}
}

static int
pr_send(struct prober *pr, uint64_t now)
{
	uint8_t buf[PR_HDR];
	struct pr_probe *p;

	if (pr->np == pr->cap) {
		uint32_t cap = pr->cap == 0 ? 4096 : pr->cap * 2;

		if (cap > pr->limit)
			cap = pr->limit;
		p = realloc(pr->p, (size_t)cap * sizeof(*p));
		if (p == NULL) {
			perror("prober: probe table");
			return -1;
		}
		pr->p = p;
		pr->cap = cap;
	}
	p = &pr->p[pr->np];
	memset(p, 0, sizeof(*p));
	p->sent_us = (uint32_t)((now - pr->t0) / 1000u);
	pr_put32(buf, PR_MAGIC);
	pr_put32(buf + 4, pr->runid);
	pr_put32(buf + 8, pr->np);
	pr->np++;
	/* A failed send (no ARP entry yet, a route gone) is a lost probe. */
	if (send(pr->sock, buf, sizeof(buf), MSG_DONTWAIT) != sizeof(buf))
		pr->send_errors++;
	return 0;
}

static void
pr_run(struct prober *pr)
{
	uint64_t iv = (uint64_t)pr->o.interval_us * 1000u, slot = 0, due, now;
	uint64_t stop = (uint64_t)(pr->o.duration_ms > 0 ? pr->o.duration_ms
	                                                 : PR_DURATION_MAX_MS) *
	                1000000u;

	pr->t0 = tu_now_ns();
	pr->stop_reason = pr->o.count > 0 ? "count" : "duration";
	while (pr->np < pr->limit) {
		due = pr->t0 + slot * iv;
		if (due - pr->t0 >= stop)
			break;
		if (pr_wait(pr, due, false, 1) != 0) {
			pr->stop_reason = pr->failed        ? "error"
			                  : pr->signals > 0 ? "signal"
			                                    : "until-node";
			break;
		}
		now = tu_now_ns();
		if (now - due >= iv * PR_CATCHUP_MAX) {
			pr->skipped += (now - pr->t0) / iv - slot;
			slot = (now - pr->t0) / iv;
			due = pr->t0 + slot * iv;
			if (due - pr->t0 >= stop)
				break;
		}
		if (now - due >= iv)
			pr->late_slots++;
		pr->late_sum_ns += now - due;
		if (now - due > pr->late_max_ns)
			pr->late_max_ns = now - due;
		if (pr_send(pr, now) < 0) {
			pr->failed = true;
			pr->stop_reason = "error";
			break;
		}
		slot++;
	}
	now = tu_now_ns();
	pr_wait(pr, now + (uint64_t)pr->o.wait_ms * 1000000u, true, 2);
	pr->end_ns = tu_now_ns();
	pr_mark(pr, "end %.1f\n", (double)(pr->end_ns - pr->t0) / 1e6);
}

int
main(int argc, char **argv)
{
	struct prober *pr;
	int rc = 0;

	pr = calloc(1, sizeof(*pr));
	if (pr == NULL) {
		perror("prober");
		return 1;
	}
	pr->sock = pr->sigfd = -1;
	if (pr_args(&pr->o, argc, argv) < 0) {
		free(pr);
		return 2;
	}
	if (pr_setup(pr) < 0) {
		rc = 1;
	} else {
		pr_run(pr);
		pr_report(pr, stdout);
		rc = pr->failed ? 1 : 0;
	}
	if (pr->mark != NULL)
		fclose(pr->mark);
	if (pr->sock >= 0)
		close(pr->sock);
	if (pr->sigfd >= 0)
		close(pr->sigfd);
	free(pr->p);
	free(pr);
	return rc;
}
