/*
 * The pacing of takeover bursts (burst.h): which VIPs to announce in this
 * step and when the next one is due.  Pure.
 */
#include "config.h"

#include "burst.h"

void
burst_start(struct burst *b, unsigned rounds, unsigned interval_ms,
            uint64_t now)
{
	b->rounds = rounds;
	b->round = 0;
	b->pos = 0;
	b->started = now;
	b->interval_ms = interval_ms;
}

uint64_t
burst_step(struct burst *b, size_t nvips, uint64_t now, burst_send_fn send,
           void *arg, bool *round_done)
{
	size_t sent = 0;

	if (round_done != NULL)
		*round_done = false;
	while (b->pos < nvips && sent < BURST_CHUNK)
		if (send(b->pos++, arg))
			sent++;
	if (b->pos < nvips)
		return now + BURST_PACE_MS;
	if (round_done != NULL)
		*round_done = true;
	b->round++;
	b->pos = 0;
	if (b->round < b->rounds)
		return b->started + (uint64_t)b->round * b->interval_ms;
	return 0;
}
