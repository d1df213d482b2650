/*
 * Per-peer anti-replay window, as in IPsec (RFC 4303 3.4.3): a newer epoch
 * (a new boot of the peer) restarts the window; within an epoch, the 64
 * sequence numbers below the highest seen are tracked in a bitmap, so that
 * reordering is tolerated and every number is accepted at most once.
 */
#include "config.h"

#include "el_impl.h"

/* True when (epoch, seq) is new: the caller may then accept and commit. */
bool
el_replay_check(const struct el_replay *rp, uint64_t epoch, uint64_t seq)
{
	uint64_t diff;

	if (epoch != rp->epoch)
		return epoch > rp->epoch;
	if (seq > rp->top)
		return true;
	diff = rp->top - seq;
	if (diff >= EL_REPLAY_WINDOW)
		return false;
	return (rp->bitmap & (1ull << diff)) == 0;
}

void
el_replay_init(struct el_replay *rp, uint64_t epoch, uint64_t seq)
{
	rp->epoch = epoch;
	rp->top = seq;
	rp->bitmap = 1;
}

/* Record (epoch, seq), which el_replay_check() accepted. */
void
el_replay_commit(struct el_replay *rp, uint64_t epoch, uint64_t seq)
{
	uint64_t shift;

	if (epoch != rp->epoch) {
		el_replay_init(rp, epoch, seq);
		return;
	}
	if (seq > rp->top) {
		shift = seq - rp->top;
		rp->bitmap =
		    shift >= EL_REPLAY_WINDOW ? 1 : rp->bitmap << shift | 1;
		rp->top = seq;
		return;
	}
	rp->bitmap |= 1ull << (rp->top - seq);
}
