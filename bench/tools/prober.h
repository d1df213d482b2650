/*
 * prober's internal interface, shared by its two files: prober.c (options,
 * pacing, the receive path) and prober_report.c (the analysis and the
 * human and JSON summaries).
 */
#ifndef VIPD_BENCH_TOOLS_PROBER_H
#define VIPD_BENCH_TOOLS_PROBER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "util.h"

#define PR_NODES_MAX 64 /* distinct node names remembered; more map to "?" */

/* One probe; times are microseconds since the first probe was sent. */
struct pr_probe {
	uint32_t sent_us;
	uint16_t node;     /* 1-based index into pr->nodes; 0: no reply */
	uint8_t nrecv;     /* replies seen, saturating */
	uint8_t othernode; /* a later reply named another node */
};

struct pr_opts {
	char target[128];
	struct sockaddr_storage dst;
	socklen_t dstlen;
	long port, interval_us, duration_ms, count, wait_ms;
	bool json;
	const char *until_node;
	const char *mark_file;
};

struct prober {
	struct pr_opts o;
	int sock, sigfd;
	uint32_t runid;
	uint64_t t0;     /* ns, CLOCK_MONOTONIC: slot 0 of the schedule */
	uint64_t end_ns; /* when the last wait ended */
	struct pr_probe *p;
	uint32_t np, cap, limit; /* sent, allocated, most we may send */
	char nodes[PR_NODES_MAX][TU_NAME_MAX + 1];
	uint16_t nnodes;
	/* the receive path, in arrival order */
	uint32_t received, max_seq;
	uint64_t replies, bogus, rx_errors, send_errors, reordered;
	uint64_t last_rx_ns, max_rx_gap_ns;
	uint16_t live_node; /* node of the latest reply */
	bool saw_other;     /* a reply from a node other than until_node */
	bool until_hit;     /* ... followed by one from until_node */
	/* pacing */
	uint64_t late_sum_ns, late_max_ns, late_slots, skipped;
	/* stopping */
	int signals;
	bool failed; /* a system call failed: stop, report, exit 1 */
	const char *stop_reason;
	FILE *mark;
	unsigned mark_lines;
};

/* Prints the summary (human or JSON, per pr->o.json) to OUT. */
void pr_report(const struct prober *pr, FILE *out);

#endif
