/* Event loop: timer order, deletion from callbacks, fds, signals. */
#include "config.h"

#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

static uint64_t fake_now, fake_step;

/* Each reading advances by fake_step: a wait "takes" that long. */
static uint64_t
fake_clock(void *arg)
{
	uint64_t t = fake_now;

	(void)arg;
	fake_now += fake_step;
	return t;
}

static uint64_t stall_seen;

static void
on_stall(struct ev_loop *loop, uint64_t gap, void *arg)
{
	(void)loop;
	(void)arg;
	stall_seen = gap;
}

static int fired[8];
static int order[8], norder;
static struct ev_timer timers[8];

static void
on_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	int i = (int)(t - timers);

	(void)loop;
	(void)arg;
	fired[i]++;
	order[norder++] = i;
}

static void
on_timer_kill_next(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	on_timer(loop, t, arg);
	ev_timer_stop(loop, &timers[2]); /* due at the same time */
	ev_timer_stop(loop, t);          /* itself: already off the heap */
}

static void
on_timer_rearm(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	on_timer(loop, t, arg);
	if (fired[t - timers] < 3)
		ev_timer_start_in(loop, t, 10);
}

static void
on_timer_zero(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	on_timer(loop, t, arg);
	ev_timer_start_in(loop, t, 0);
}

static void
test_timers(void)
{
	struct ev_loop *loop = ev_loop_new();

	fake_now = 1000;
	ev_loop_set_clock(loop, fake_clock, NULL);
	is_int(ev_now(loop), 1000, "fake clock read at set-up");
	ev_timer_init(&timers[0], on_timer, NULL);
	ev_timer_init(&timers[1], on_timer_kill_next, NULL);
	ev_timer_init(&timers[2], on_timer, NULL);
	ev_timer_init(&timers[3], on_timer_rearm, NULL);
	ev_timer_start(loop, &timers[0], 1030);
	ev_timer_start(loop, &timers[1], 1010);
	ev_timer_start(loop, &timers[2], 1010);
	ev_timer_start(loop, &timers[3], 1005);

	ev_loop_run_once(loop, 0);
	is_int(norder, 0, "nothing fires before its time");
	fake_now = 1010;
	ev_loop_run_once(loop, 0);
	is_int(fired[3], 1, "earliest timer fired");
	is_int(fired[1], 1, "timer at 1010 fired");
	is_int(fired[2], 0, "timer stopped by another's callback did not fire");
	is_int(order[0], 3, "timers fire in deadline order");
	fake_now = 1100;
	ev_loop_run_once(loop, 0);
	is_int(fired[0], 1, "later timer fired");
	is_int(fired[3], 2, "re-armed timer fired again (at 1020)");
	ev_loop_run_once(loop, 0);
	is_int(fired[3], 2, "re-armed timer waits for its new deadline");
	fake_now = 1110;
	ev_loop_run_once(loop, 0);
	is_int(fired[3], 3, "re-armed timer fired at its new deadline");
	fake_now = 1200;
	ev_loop_run_once(loop, 0);
	is_int(fired[3], 3, "timer stopped re-arming itself");
	ok(!timers[3].active, "fired timer is inactive");
	ev_timer_init(&timers[4], on_timer_zero, NULL);
	ev_timer_start(loop, &timers[4], 1200);
	ev_loop_run_once(loop, 0);
	is_int(fired[4], 1,
	       "self re-arming timer with no delay fires once per run");
	ev_timer_stop(loop, &timers[4]);
	is_int(ev_loop_last_gap(loop), 0, "no gap without clock movement");
	fake_now = 1700;
	ev_loop_run_once(loop, 0);
	is_int(ev_loop_last_gap(loop), 0,
	       "time that passed between iterations (our own work) is no gap");
	ev_loop_set_stall_hook(loop, 100, on_stall, NULL);
	fake_step = 500; /* the wait below "lasts" 500 ms instead of 0 */
	ev_loop_run_once(loop, 0);
	fake_step = 0;
	is_int(ev_loop_last_gap(loop), 500, "a wait that overslept: gap 500");
	is_int(stall_seen, 500, "the stall hook saw it");
	stall_seen = 0;
	ev_timer_start(loop, &timers[4], fake_now + 1000);
	fake_step = 600; /* woke 600 ms after "before", timer due at +1000 */
	ev_loop_run_once(loop, 0);
	fake_step = 0;
	is_int(ev_loop_last_gap(loop), 600,
	       "gap is counted from the caller's bound (0 ms)");
	ev_timer_stop(loop, &timers[4]);
	ev_loop_run_once(loop, 50);
	is_int(stall_seen, 600, "hook called once per late wait");
	/* A pause that began mid-wait: a 100 ms wait that returned 350 ms
	 * after it began was paused 250-350 ms; peers heard nothing for 350. */
	stall_seen = 0;
	ev_loop_set_stall_hook(loop, 300, on_stall, NULL);
	fake_step = 350;
	ev_loop_run_once(loop, 100);
	fake_step = 0;
	is_int(ev_loop_last_gap(loop), 350,
	       "gap is the loop-to-loop time of an overslept wait (350)");
	is_int(stall_seen, 350, "a 350 ms gap over a 300 ms threshold stalls");
	stall_seen = 0;
	fake_step = 100;
	ev_loop_run_once(loop, 100);
	fake_step = 0;
	is_int(ev_loop_last_gap(loop), 0,
	       "a wait that lasted its bound is no gap");
	is_int(stall_seen, 0, "... and no stall");
	ev_loop_free(loop);
}

static int io_hits;
static struct ev_io ios[2];

static void
on_io(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	char buf[16];

	(void)revents;
	(void)arg;
	io_hits++;
	if (read(io->fd, buf, sizeof(buf)) < 0)
		return;
	/* Stop the other watcher, which is ready in the same batch. */
	ev_io_stop(loop, io == &ios[0] ? &ios[1] : &ios[0]);
}

static void
test_io(void)
{
	struct ev_loop *loop = ev_loop_new();
	int a[2], b[2];

	if (pipe(a) || pipe(b))
		return;
	ev_io_init(&ios[0], a[0], on_io, NULL);
	ev_io_init(&ios[1], b[0], on_io, NULL);
	ok(ev_io_start(loop, &ios[0], EPOLLIN) == 0, "io start");
	ok(ev_io_start(loop, &ios[1], EPOLLIN) == 0, "second io start");
	if (write(a[1], "x", 1) != 1 || write(b[1], "y", 1) != 1)
		return;
	ev_loop_run_once(loop, 100);
	is_int(io_hits, 1, "io stopped earlier in the batch is not called");
	ev_io_stop(loop, &ios[0]);
	ev_io_stop(loop, &ios[0]);
	ok(!ios[0].active, "double stop is harmless");
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	ev_loop_free(loop);
}

static int sig_seen;

static void
on_sig(struct ev_loop *loop, int signo, void *arg)
{
	(void)arg;
	sig_seen = signo;
	ev_loop_break(loop);
}

static struct ev_timer real_timer;
static uint64_t real_fired_at;

static void
on_real(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	real_fired_at = ev_now(loop);
	kill(getpid(), SIGUSR1);
}

static void
test_real_clock_and_signal(void)
{
	struct ev_loop *loop = ev_loop_new();
	uint64_t start = ev_now_update(loop);

	ok(ev_signal_add(loop, SIGUSR1, on_sig, NULL) == 0, "signal add");
	ev_timer_init(&real_timer, on_real, NULL);
	ev_timer_start_in(loop, &real_timer, 20);
	ok(ev_loop_run(loop) == 0, "loop runs until break");
	is_int(sig_seen, SIGUSR1, "signal delivered through signalfd");
	ok(real_fired_at >= start + 20,
	   "a real-clock timer fired no earlier than due");
	ev_loop_free(loop);
}

int
main(void)
{
	test_timers();
	test_io();
	test_real_clock_and_signal();
	return tap_done();
}
