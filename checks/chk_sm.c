/*
 * The pure part of the checks: rise/fall counting and keepalived's weight
 * rule.  No I/O, no clock: callers pass now_ms.
 */
#include "config.h"

#include "chk.h"

const char *
chk_state_name(enum chk_state s)
{
	switch (s) {
	case CHK_UNKNOWN:
		return "unknown";
	case CHK_UP:
		return "up";
	case CHK_DOWN:
		return "down";
	}
	return "?";
}

void
chk_sm_init(struct chk_sm *sm, unsigned rise, unsigned fall, uint64_t now_ms)
{
	sm->rise = rise ? rise : 1;
	sm->fall = fall ? fall : 1;
	sm->state = CHK_UNKNOWN;
	sm->ok_run = 0;
	sm->fail_run = 0;
	sm->since_ms = now_ms;
}

bool
chk_sm_result(struct chk_sm *sm, bool ok, uint64_t now_ms)
{
	enum chk_state next = sm->state;

	if (ok) {
		sm->ok_run++;
		sm->fail_run = 0;
		if (sm->state == CHK_UNKNOWN || sm->ok_run >= sm->rise)
			next = CHK_UP;
	} else {
		sm->fail_run++;
		sm->ok_run = 0;
		if (sm->state == CHK_UNKNOWN || sm->fail_run >= sm->fall)
			next = CHK_DOWN;
	}
	if (next == sm->state)
		return false;
	sm->state = next;
	sm->since_ms = now_ms;
	return true;
}

void
chk_prio_compute(unsigned base, const struct chk_track_in *t, size_t n,
                 struct chk_prio *out)
{
	long p;
	size_t i;
	bool up;

	out->adjust = 0;
	out->fault = -1;
	for (i = 0; i < n; i++) {
		up = t[i].state == CHK_UP;
		if (t[i].weight == 0) {
			if (!up && out->fault < 0)
				out->fault = (long)i;
		} else if (t[i].weight > 0 && up) {
			out->adjust += t[i].weight;
		} else if (t[i].weight < 0 && !up) {
			out->adjust += t[i].weight;
		}
	}
	p = (long)base + out->adjust;
	if (p < CHK_PRIO_MIN)
		p = CHK_PRIO_MIN;
	if (p > CHK_PRIO_MAX)
		p = CHK_PRIO_MAX;
	out->effective = (unsigned)p;
}
