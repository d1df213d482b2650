/*
 * checks: the pure part on a fake clock: rise/fall damping, the first
 * result deciding at once, and keepalived's weight rule with clamping.
 */
#include "config.h"

#include "chk.h"
#include "tap.h"

static void
test_rise_fall(void)
{
	struct chk_sm sm;
	uint64_t now = 1000;

	chk_sm_init(&sm, 3, 2, now);
	is_int(sm.state, CHK_UNKNOWN, "unknown before any result");
	ok(chk_sm_result(&sm, true, now += 100), "first pass decides");
	is_int(sm.state, CHK_UP, "up at once");
	is_int(sm.since_ms, 1100, "since the first result");
	ok(!chk_sm_result(&sm, false, now += 100), "one failure of fall 2");
	is_int(sm.fail_run, 1, "fail_run 1");
	ok(!chk_sm_result(&sm, true, now += 100), "a pass resets the run");
	is_int(sm.fail_run, 0, "fail_run back to 0");
	ok(!chk_sm_result(&sm, false, now += 100), "flap: one failure");
	ok(!chk_sm_result(&sm, true, now += 100), "flap: pass");
	is_int(sm.state, CHK_UP, "a flap shorter than fall: still up");
	ok(!chk_sm_result(&sm, false, now += 100), "failure 1");
	ok(chk_sm_result(&sm, false, now += 100), "failure 2: down");
	is_int(sm.state, CHK_DOWN, "down");
	is_int(sm.since_ms, 1700, "since the second failure");
	ok(!chk_sm_result(&sm, true, now += 100), "pass 1 of rise 3");
	ok(!chk_sm_result(&sm, true, now += 100), "pass 2 of rise 3");
	ok(chk_sm_result(&sm, true, now += 100), "pass 3: up");
	is_int(sm.ok_run, 3, "ok_run 3");

	chk_sm_init(&sm, 0, 0, 0);
	is_int(sm.rise, 1, "rise 0 taken as 1");
	ok(chk_sm_result(&sm, false, 1), "first failure decides");
	is_int(sm.state, CHK_DOWN, "down at once");
}

static void
test_prio(void)
{
	struct chk_track_in t[3] = {{CHK_UP, 0}, {CHK_DOWN, -60}, {CHK_UP, 20}};
	struct chk_prio p;

	chk_prio_compute(100, t, 3, &p);
	is_int(p.adjust, -40, "-60 failing, +20 passing");
	is_int(p.effective, 60, "100 - 60 + 20");
	is_int(p.fault, -1, "no fault");
	t[1].state = CHK_UP;
	chk_prio_compute(100, t, 3, &p);
	is_int(p.effective, 120, "negative weight passing: no effect");
	t[2].state = CHK_DOWN;
	chk_prio_compute(100, t, 3, &p);
	is_int(p.effective, 100, "positive weight failing: no effect");
	t[0].state = CHK_DOWN;
	chk_prio_compute(100, t, 3, &p);
	is_int(p.fault, 0, "unweighted failing: fault");
	t[0].state = CHK_UNKNOWN;
	chk_prio_compute(100, t, 3, &p);
	is_int(p.fault, 0, "unknown counts as failing");
	t[0] = (struct chk_track_in){CHK_DOWN, -253};
	chk_prio_compute(10, t, 1, &p);
	is_int(p.effective, CHK_PRIO_MIN, "clamped to 1");
	t[0] = (struct chk_track_in){CHK_UP, 253};
	chk_prio_compute(200, t, 1, &p);
	is_int(p.effective, CHK_PRIO_MAX, "clamped to 254");
	chk_prio_compute(77, NULL, 0, &p);
	is_int(p.effective, 77, "no checks: the base");
	is_str(chk_state_name(CHK_DOWN), "down", "state name");
}

int
main(void)
{
	test_rise_fall();
	test_prio();
	return tap_done();
}
