/*
 * The event loop: epoll for fds, a binary heap of timers whose earliest
 * deadline is epoll_pwait2's timeout (to the nanosecond, so a timer fires
 * in the millisecond it is due), one signalfd.  No timerfd: arming one and
 * reading it cost two system calls per timer wake-up, a fifth of the
 * loop's calls with 60 health checks (bench/checks.sh).  Watchers and timers
 * live in their owners; the loop allocates only its heap and fd table.
 *
 * Safety rule: anything may be stopped from any callback.  Timers are taken
 * off the heap before their callback runs; fd events are dispatched through
 * the fd table, re-read for every event, so an io stopped earlier in the
 * same batch is skipped rather than called through a stale pointer.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

#define EV_MAX_EVENTS 64
#define EV_NSIG       65

struct ev_loop {
	int epfd;
	int sfd;
	uint64_t now;
	uint64_t last_gap;
	uint64_t
	    gen; /* iteration counter: timers armed now wait for the next */
	bool stop;
	ev_clock_fn clock;
	void *clock_arg;

	struct ev_timer **heap;
	size_t nheap, capheap;

	struct ev_io **fds; /* fd -> watcher */
	size_t nfds;

	uint64_t stall_ms;
	ev_stall_cb stall_cb;
	void *stall_arg;

	sigset_t sigmask;
	ev_signal_cb sigcb[EV_NSIG];
	void *sigarg[EV_NSIG];
};

uint64_t
ev_clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
ev_clock_default(void *arg)
{
	(void)arg;
	return ev_clock_monotonic_ms();
}

struct ev_loop *
ev_loop_new(void)
{
	struct ev_loop *loop;

	if ((loop = calloc(1, sizeof(*loop))) == NULL)
		return NULL;
	loop->epfd = loop->sfd = -1;
	loop->clock = ev_clock_default;
	sigemptyset(&loop->sigmask);
	if ((loop->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		goto fail;
	loop->now = loop->clock(loop->clock_arg);
	return loop;
fail:
	ev_loop_free(loop);
	return NULL;
}

void
ev_loop_free(struct ev_loop *loop)
{
	int saved = errno;

	if (loop == NULL)
		return;
	if (loop->sfd != -1) {
		close(loop->sfd);
		sigprocmask(SIG_UNBLOCK, &loop->sigmask, NULL);
	}
	if (loop->epfd != -1)
		close(loop->epfd);
	free(loop->heap);
	free(loop->fds);
	free(loop);
	errno = saved;
}

void
ev_loop_set_clock(struct ev_loop *loop, ev_clock_fn fn, void *arg)
{
	loop->clock = fn ? fn : ev_clock_default;
	loop->clock_arg = fn ? arg : NULL;
	loop->now = loop->clock(loop->clock_arg);
}

uint64_t
ev_now(const struct ev_loop *loop)
{
	return loop->now;
}

uint64_t
ev_now_update(struct ev_loop *loop)
{
	uint64_t t = loop->clock(loop->clock_arg);

	if (t > loop->now)
		loop->now = t;
	return loop->now;
}

void
ev_loop_set_stall_hook(struct ev_loop *loop, uint64_t threshold_ms,
                       ev_stall_cb cb, void *arg)
{
	loop->stall_ms = cb ? threshold_ms : 0;
	loop->stall_cb = cb;
	loop->stall_arg = arg;
}

uint64_t
ev_loop_last_gap(const struct ev_loop *loop)
{
	return loop->last_gap;
}

/* ------------------------------------------------------------ timers */

static void
heap_swap(struct ev_loop *loop, size_t i, size_t j)
{
	struct ev_timer *t = loop->heap[i];

	loop->heap[i] = loop->heap[j];
	loop->heap[j] = t;
	loop->heap[i]->slot = i;
	loop->heap[j]->slot = j;
}

static void
heap_up(struct ev_loop *loop, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (loop->heap[parent]->when <= loop->heap[i]->when)
			break;
		heap_swap(loop, i, parent);
		i = parent;
	}
}

static void
heap_down(struct ev_loop *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < loop->nheap &&
		    loop->heap[l]->when < loop->heap[m]->when)
			m = l;
		if (r < loop->nheap &&
		    loop->heap[r]->when < loop->heap[m]->when)
			m = r;
		if (m == i)
			break;
		heap_swap(loop, i, m);
		i = m;
	}
}

void
ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

void
ev_timer_stop(struct ev_loop *loop, struct ev_timer *t)
{
	size_t i = t->slot, last;

	if (!t->active)
		return;
	t->active = false;
	last = --loop->nheap;
	if (i != last) {
		loop->heap[i] = loop->heap[last];
		loop->heap[i]->slot = i;
		heap_down(loop, i);
		heap_up(loop, i);
	}
}

void
ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t when_ms)
{
	ev_timer_stop(loop, t);
	if (loop->nheap == loop->capheap) {
		size_t cap = loop->capheap ? loop->capheap * 2 : 16;
		struct ev_timer **h = realloc(loop->heap, cap * sizeof(*h));

		/* Out of memory for a timer cannot be reported to the owner
		 * without breaking every caller; it is fatal by design. */
		if (h == NULL)
			fatal("timer heap");
		loop->heap = h;
		loop->capheap = cap;
	}
	t->when = when_ms;
	t->gen = loop->gen;
	t->active = true;
	t->slot = loop->nheap;
	loop->heap[loop->nheap++] = t;
	heap_up(loop, t->slot);
}

void
ev_timer_start_in(struct ev_loop *loop, struct ev_timer *t, uint64_t delay_ms)
{
	ev_timer_start(loop, t, loop->now + delay_ms);
}

/*
 * Fire the timers that are due.  A timer (re)armed by a callback of this run
 * waits for the next iteration even when already due, so a callback that
 * re-arms itself with no delay cannot starve the loop.
 */
static void
timers_run(struct ev_loop *loop)
{
	uint64_t gen = loop->gen++;

	while (loop->nheap > 0 && loop->heap[0]->when <= loop->now &&
	       loop->heap[0]->gen <= gen && !loop->stop) {
		struct ev_timer *t = loop->heap[0];

		ev_timer_stop(loop, t);
		t->cb(loop, t, t->arg);
	}
}

/* --------------------------------------------------------------- fds */

void
ev_io_init(struct ev_io *io, int fd, ev_io_cb cb, void *arg)
{
	memset(io, 0, sizeof(*io));
	io->fd = fd;
	io->cb = cb;
	io->arg = arg;
}

static int
fds_reserve(struct ev_loop *loop, int fd)
{
	size_t n;
	struct ev_io **p;

	if ((size_t)fd < loop->nfds)
		return 0;
	n = loop->nfds ? loop->nfds : 64;
	while (n <= (size_t)fd)
		n *= 2;
	if ((p = realloc(loop->fds, n * sizeof(*p))) == NULL)
		return -1;
	memset(p + loop->nfds, 0, (n - loop->nfds) * sizeof(*p));
	loop->fds = p;
	loop->nfds = n;
	return 0;
}

int
ev_io_start(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct epoll_event ee;

	if (io->fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (io->active)
		return ev_io_modify(loop, io, events);
	if (fds_reserve(loop, io->fd) == -1)
		return -1;
	memset(&ee, 0, sizeof(ee));
	ee.events = events;
	ee.data.fd = io->fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, io->fd, &ee) == -1)
		return -1;
	loop->fds[io->fd] = io;
	io->events = events;
	io->active = true;
	return 0;
}

int
ev_io_modify(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct epoll_event ee;

	if (!io->active)
		return ev_io_start(loop, io, events);
	memset(&ee, 0, sizeof(ee));
	ee.events = events;
	ee.data.fd = io->fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, io->fd, &ee) == -1)
		return -1;
	io->events = events;
	return 0;
}

void
ev_io_stop(struct ev_loop *loop, struct ev_io *io)
{
	if (!io->active)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	if ((size_t)io->fd < loop->nfds && loop->fds[io->fd] == io)
		loop->fds[io->fd] = NULL;
	io->active = false;
}

/* ----------------------------------------------------------- signals */

int
ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb cb, void *arg)
{
	struct epoll_event ee;
	int fd;

	if (signo <= 0 || signo >= EV_NSIG) {
		errno = EINVAL;
		return -1;
	}
	sigaddset(&loop->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &loop->sigmask, NULL) == -1)
		return -1;
	fd = signalfd(loop->sfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	if (loop->sfd == -1) {
		memset(&ee, 0, sizeof(ee));
		ee.events = EPOLLIN;
		ee.data.fd = fd;
		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ee) == -1) {
			close(fd);
			return -1;
		}
		loop->sfd = fd;
	}
	loop->sigcb[signo] = cb;
	loop->sigarg[signo] = arg;
	return 0;
}

static void
signals_run(struct ev_loop *loop)
{
	struct signalfd_siginfo si;

	while (read(loop->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int signo = (int)si.ssi_signo;

		if (signo > 0 && signo < EV_NSIG && loop->sigcb[signo])
			loop->sigcb[signo](loop, signo, loop->sigarg[signo]);
	}
}

/* -------------------------------------------------------------- run */

/*
 * Wait for events until the earliest timer of the default clock is due
 * (deadline_ms, 0 = none) or max_wait_ms (-1 = no bound) has passed.
 * epoll_pwait2 takes the timeout to the nanosecond, measured here from the
 * clock's present reading; kernels before 5.11 lack it and get epoll_wait
 * with the timeout rounded up to the millisecond (a timer then fires up to
 * a millisecond late, never early).
 */
static int
wait_events(struct ev_loop *loop, struct epoll_event *evs, int max_wait_ms,
            uint64_t deadline_ms)
{
	static bool no_pwait2;
	struct timespec now, ts;
	uint64_t wait_ns = UINT64_MAX, now_ns, due_ns, left_ns;
	int n;

	if (max_wait_ms >= 0)
		wait_ns = (uint64_t)max_wait_ms * 1000000u;
	if (deadline_ms != 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		now_ns =
		    (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
		due_ns = deadline_ms * 1000000u;
		left_ns = due_ns > now_ns ? due_ns - now_ns : 0;
		if (left_ns < wait_ns)
			wait_ns = left_ns;
	}
	if (!no_pwait2) {
		ts.tv_sec = (time_t)(wait_ns / 1000000000u);
		ts.tv_nsec = (long)(wait_ns % 1000000000u);
		n = (int)syscall(
		    SYS_epoll_pwait2, loop->epfd, evs, EV_MAX_EVENTS,
		    wait_ns == UINT64_MAX ? NULL : &ts, NULL, (size_t)0);
		if (n != -1 || errno != ENOSYS)
			return n;
		no_pwait2 = true;
	}
	return epoll_wait(
	    loop->epfd, evs, EV_MAX_EVENTS,
	    wait_ns == UINT64_MAX ? -1 : (int)((wait_ns + 999999u) / 1000000u));
}

int
ev_loop_run_once(struct ev_loop *loop, int max_wait_ms)
{
	struct epoll_event evs[EV_MAX_EVENTS];
	uint64_t before, expect = UINT64_MAX, deadline = 0;
	int n, i;

	if (loop->nheap > 0 && loop->clock != ev_clock_default &&
	    loop->heap[0]->when <= loop->clock(loop->clock_arg))
		max_wait_ms = 0;
	if (loop->nheap > 0 && loop->clock == ev_clock_default)
		deadline = loop->heap[0]->when;
	/* The latest we should wake up: the earliest timer or the caller's
	 * bound.  Waking later than that means we were not scheduled. */
	before = ev_now_update(loop);
	if (max_wait_ms >= 0)
		expect = before + (uint64_t)max_wait_ms;
	if (loop->nheap > 0) {
		uint64_t t =
		    loop->heap[0]->when > before ? loop->heap[0]->when : before;

		if (t < expect)
			expect = t;
	}
	n = wait_events(loop, evs, max_wait_ms, deadline);
	if (n == -1 && errno != EINTR)
		return -1;
	ev_now_update(loop);
	/* Overslept: the process was not scheduled for part of the wait.
	 * The pause may have begun anywhere in it, so its length is only
	 * known to lie between now - expect and now - before; what peers
	 * saw is silence since before (our last chance to send), so that
	 * loop-to-loop gap is the measure.  Measuring from expect missed
	 * pauses longer than the threshold that began mid-wait. */
	loop->last_gap =
	    expect != UINT64_MAX && loop->now > expect ? loop->now - before : 0;
	if (loop->stall_ms != 0 && loop->last_gap > loop->stall_ms)
		loop->stall_cb(loop, loop->last_gap, loop->stall_arg);
	for (i = 0; i < n && !loop->stop; i++) {
		int fd = evs[i].data.fd;
		struct ev_io *io;

		if (fd == loop->sfd) {
			signals_run(loop);
			continue;
		}
		if ((size_t)fd < loop->nfds && (io = loop->fds[fd]) != NULL)
			io->cb(loop, io, evs[i].events, io->arg);
	}
	timers_run(loop);
	return 0;
}

int
ev_loop_run(struct ev_loop *loop)
{
	loop->stop = false;
	while (!loop->stop)
		if (ev_loop_run_once(loop, -1) == -1)
			return -1;
	return 0;
}

void
ev_loop_break(struct ev_loop *loop)
{
	loop->stop = true;
}
