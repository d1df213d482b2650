/*
 * burst: the pacing of a takeover burst, without clock or I/O, so that it is
 * unit-tested with plain numbers (tests/unit/test_burst.c).
 *
 * A burst is `rounds` rounds; a round announces every VIP of the group once;
 * round k starts at started + k * interval_ms (the Linux ARP lock time is
 * one second: rounds spaced past it are believed by every neighbour).  A
 * large round goes out in chunks of BURST_CHUNK announced VIPs every
 * BURST_PACE_MS, at most ~64,000 frames/s, so that 1,000 VIPs fit well under
 * 100 ms while a switch's ARP rate limiter or a small receive queue is not
 * hit by one solid wall of frames.
 */
#ifndef VIPD_BURST_H
#define VIPD_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BURST_CHUNK   128
#define BURST_PACE_MS 4

/* Plain data, owned by its group; all fields are the planner's. */
struct burst {
	unsigned rounds;      /* rounds in this burst */
	unsigned round;       /* rounds done */
	size_t pos;           /* next VIP within the current round */
	uint64_t started;     /* now_ms of the burst's start */
	unsigned interval_ms; /* from one round's start to the next's */
};

/* Announce VIP idx; true when a frame went out for it (it counts toward
 * the chunk), false when it was skipped (a VIP yielded to its owner). */
typedef bool (*burst_send_fn)(size_t idx, void *arg);

/* Start a burst of rounds rounds at now; the first step is due at once. */
void burst_start(struct burst *b, unsigned rounds, unsigned interval_ms,
                 uint64_t now);

/*
 * One step at now: call send for the next VIPs of the current round, up to
 * BURST_CHUNK that count.  Returns when the next step is due, or 0 when the
 * burst is over (its last round done; a burst of 0 rounds still sends one).
 * *round_done (may be NULL) tells whether this step finished a round.
 */
uint64_t burst_step(struct burst *b, size_t nvips, uint64_t now,
                    burst_send_fn send, void *arg, bool *round_done);

#endif
