/*
 * Takeover burst pacing (announcer/burst.c) with plain numbers, no root:
 * rounds start interval_ms apart from the burst's start, a round of more
 * than BURST_CHUNK VIPs goes out in chunks BURST_PACE_MS apart, skipped
 * (yielded) VIPs do not count toward a chunk, the burst ends after its last
 * round.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "burst.h"
#include "tap.h"

#define MAXV 1000

static unsigned sends[MAXV]; /* times each VIP was announced */
static bool skip[MAXV];      /* yielded: not announced, not counted */
static size_t calls;

static bool
send_fake(size_t idx, void *arg)
{
	(void)arg;
	calls++;
	if (skip[idx])
		return false;
	sends[idx]++;
	return true;
}

static void
reset(void)
{
	memset(sends, 0, sizeof(sends));
	memset(skip, 0, sizeof(skip));
	calls = 0;
}

static bool
all_sent(size_t n, unsigned times)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!skip[i] && sends[i] != times)
			return false;
	return true;
}

static void
test_small(void)
{
	struct burst b;
	bool done;
	uint64_t next;

	reset();
	burst_start(&b, 3, 1100, 5000);
	next = burst_step(&b, 10, 5000, send_fake, NULL, &done);
	ok(done && all_sent(10, 1), "10 VIPs: the first round in one step");
	is_int(next, 6100, "round 2 is due at start + 1100");
	next = burst_step(&b, 10, 6103, send_fake, NULL, &done);
	is_int(next, 7200, "round 3 at start + 2200, not at now + 1100");
	next = burst_step(&b, 10, 7200, send_fake, NULL, &done);
	ok(done && all_sent(10, 3), "three rounds: each VIP announced 3 times");
	is_int(next, 0, "then the burst is over");
	is_int(b.round, 3, "rounds done: 3");
}

static void
test_chunks(void)
{
	struct burst b;
	bool done;
	uint64_t next, now = 100;
	unsigned steps = 0;

	reset();
	burst_start(&b, 1, 1000, now);
	do {
		next = burst_step(&b, MAXV, now, send_fake, NULL, &done);
		steps++;
		if (next != 0 && !done) {
			if (next != now + BURST_PACE_MS)
				break;
			now = next;
		}
	} while (next != 0 && steps < 100);
	is_int(steps, (MAXV + BURST_CHUNK - 1) / BURST_CHUNK,
	       "%d VIPs go out in %d chunks", MAXV,
	       (MAXV + BURST_CHUNK - 1) / BURST_CHUNK);
	ok(done && all_sent(MAXV, 1), "every VIP once");
	is_int(now - 100, (steps - 1) * BURST_PACE_MS,
	       "chunks BURST_PACE_MS apart: the round takes %d ms",
	       (steps - 1) * BURST_PACE_MS);
}

static void
test_skips(void)
{
	struct burst b;
	bool done;
	size_t i;

	reset();
	for (i = 0; i < 100; i++)
		skip[i] = true; /* the first 100 are yielded */
	burst_start(&b, 1, 1000, 0);
	burst_step(&b, 100 + BURST_CHUNK, 0, send_fake, NULL, &done);
	ok(done, "yielded VIPs do not count: 100 skipped + a full chunk in "
	         "one step");
	is_int(calls, 100 + BURST_CHUNK, "every VIP was looked at once");
	ok(all_sent(100 + BURST_CHUNK, 1), "the others announced once");
	reset();
	burst_start(&b, 2, 1000, 0);
	is_int(burst_step(&b, 0, 0, send_fake, NULL, &done), 1000,
	       "no VIPs: the round is done at once, the next due");
	ok(done && calls == 0, "... without a send");
}

int
main(void)
{
	test_small();
	test_chunks();
	test_skips();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
