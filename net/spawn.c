/*
 * Children of the event loop: clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD),
 * that is a vfork that hands back a pidfd (fork for a uid/gid switch, see
 * child_start), the pidfd registered in the loop, a timeout timer.
 *
 * Why not posix_spawn: a child may have to switch uid/gid, which
 * posix_spawn cannot do.  The child calls only async-signal-safe functions
 * between fork and exec.  An exec failure travels back as an errno: through
 * the memory the vfork child shares with us (we resume only once it has
 * exec'd or exited, so the value is final), or for a fork through a
 * close-on-exec pipe whose EOF means the exec happened, read from the loop
 * and drained once more when the pidfd says the child ended.
 *
 * The process group is killed while the child is still unreaped (a zombie
 * keeps its pid, so the group id cannot have been reused).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "spawn.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define SPAWN_PATH                                                             \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct spawn_set {
	struct ev_loop *loop;
	struct spawn_child *head;
	unsigned count;
};

struct spawn_child {
	struct spawn_set *set;
	struct spawn_child *prev, *next;
	pid_t pid;        /* 0: never made (a failure waits on the timer) */
	int pidfd, errfd; /* -1 when closed */
	struct ev_io pid_io, err_io;
	struct ev_timer timer; /* the timeout, or the deferred failure */
	int err;               /* errno from the child or the start */
	uint64_t start;
	bool timed_out, cancelled, in_cb, kill_group;
	spawn_done_cb cb;
	void *arg;
};

/* ------------------------------------------------------------ child */

/*
 * The child's functions are not instrumented by AddressSanitizer: the vfork
 * child runs them on its own stack (below), which ASan does not know; its
 * stack bookkeeping there (redzones left poisoned by functions that never
 * return, __asan_handle_no_return) reports false errors.
 */
#if defined(__SANITIZE_ADDRESS__)
#define CHILD_FN __attribute__((no_sanitize_address))
#else
#define CHILD_FN
#endif

/* What the child needs: the command, and where its exec errno goes (a
 * pipe for a fork, the shared err for a vfork, the other one -1/NULL). */
struct child_ctx {
	const struct spawn_cmd *cmd;
	int errfd;
	volatile int *err;
};

static void CHILD_FN __attribute__((noreturn))
child_fail(const struct child_ctx *x)
{
	int e = errno;

	if (x->err != NULL)
		*x->err = e != 0 ? e : EIO;
	else if (write(x->errfd, &e, sizeof(e)) < 0) {
		/* Nothing more to say: the parent sees exit 127. */
	}
	_exit(127);
}

static void CHILD_FN
child_close_fds(int errfd)
{
	/* errfd is -1 for a vfork: nothing to keep. */
	long fd;

	/* Everything above stderr closes at exec; the error pipe too. */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	for (fd = 3; fd < 65536; fd++)
		if (fd != errfd)
			fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

static void CHILD_FN
child_execvp(const struct child_ctx *x)
{
	const struct spawn_cmd *cmd = x->cmd;
	char *const *argv = (char *const *)cmd->argv;
	static char *const empty[] = {NULL};
	char *const *envp = cmd->envp ? (char *const *)cmd->envp : empty;
	const char *p = SPAWN_PATH, *name = cmd->argv[0];
	char buf[PATH_MAX];
	size_t nlen = strlen(name);
	bool eacces = false;

	if (strchr(name, '/') != NULL) {
		execve(name, argv, envp);
		child_fail(x);
	}
	while (*p != '\0') {
		const char *end = strchr(p, ':');
		size_t dlen = end ? (size_t)(end - p) : strlen(p);

		if (dlen + 1 + nlen + 1 <= sizeof(buf)) {
			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, name, nlen + 1);
			execve(buf, argv, envp);
			if (errno == EACCES)
				eacces = true;
		}
		p += dlen + (end ? 1 : 0);
	}
	errno = eacces ? EACCES : ENOENT;
	child_fail(x);
}

static void CHILD_FN __attribute__((noreturn)) child_run(struct child_ctx *x)
{
	const struct spawn_cmd *cmd = x->cmd;
	struct sigaction sa;
	sigset_t none;
	int s, fd;

	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL); /* SIGKILL, SIGSTOP: EINVAL, fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (x->errfd != -1 && x->errfd <= 2 &&
	    (x->errfd = fcntl(x->errfd, F_DUPFD_CLOEXEC, 3)) == -1)
		_exit(127);
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		child_fail(x);
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		child_fail(x);
	if (fd > 2)
		close(fd);
	child_close_fds(x->errfd);
	if (cmd->set_ids) {
		if (setgroups(0, NULL) == -1 || setgid(cmd->gid) == -1 ||
		    setuid(cmd->uid) == -1)
			child_fail(x);
	}
	child_execvp(x);
	_exit(127);
}

static int CHILD_FN
child_main(void *arg)
{
	child_run(arg);
}

/* ----------------------------------------------------------- parent */

/*
 * The vfork child's stack: clone with CLONE_VM needs one of its own (the
 * child must not run on ours, which we resume on).  One is enough: the
 * loop is one thread and CLONE_VFORK holds it until the child has exec'd.
 * Mapped on first use, a guard page below it.
 */
#define CHILD_STACK (256 * 1024)

static char *
child_stack_top(void)
{
	static char *top;
	char *base;
	long page = sysconf(_SC_PAGESIZE);

	if (top != NULL)
		return top;
	if (page <= 0)
		page = 4096;
	base = mmap(NULL, CHILD_STACK + (size_t)page, PROT_READ | PROT_WRITE,
	            MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mprotect(base, (size_t)page, PROT_NONE) == -1) {
		munmap(base, CHILD_STACK + (size_t)page);
		return NULL;
	}
	top = base + CHILD_STACK + (size_t)page;
	return top;
}

/*
 * The child, with no uid/gid switch: a vfork that also returns the pidfd.
 * vfork copies no page tables and leaves no copy-on-write faults to the
 * parent: a daemon running 50 exec checks a second spent about 1.1 ms of
 * its own CPU per fork on a 2-vCPU VM, 0.2 ms per vfork (bench/checks.sh);
 * folding pidfd_open, the error pipe and setpgid into it saves five more
 * system calls per run.  The child code above is vfork-safe: system calls
 * only, no allocation, no return (exec or _exit), its own fd table and
 * signal dispositions.  *pidfd is the child's pidfd; returns its pid, or -1
 * with errno (and the child's exec errno in *err, 0 if it exec'd).
 */
static pid_t
child_start_vfork(const struct spawn_cmd *cmd, int *pidfd, int *err)
{
	static volatile int child_err;
	struct child_ctx x = {cmd, -1, &child_err};
	char *top = child_stack_top();
	pid_t pid;

	if (top == NULL)
		return -1;
	child_err = 0;
	*pidfd = -1;
	pid = clone(child_main, top,
	            CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &x, pidfd);
	*err = child_err;
	return pid;
}

/*
 * True when this process runs a real-time policy (vipd's
 * process.realtime_priority, or chrt).  Its children start at SCHED_OTHER
 * (SCHED_RESET_ON_FORK); a vfork parent waits until the child has exec'd,
 * and a SCHED_OTHER child may wait behind every busy process for the CPU
 * to get there: the real-time parent with it (a 131 ms heartbeat gap under
 * 40 busy clients on 2 cores, tests/netns/ctl_load.sh).  Such a parent
 * forks instead.
 */
static bool
parent_realtime(void)
{
	int p = sched_getscheduler(0);

	if (p == -1)
		return false;
	p &= ~SCHED_RESET_ON_FORK;
	return p == SCHED_RR || p == SCHED_FIFO;
}

/*
 * The child with a uid/gid switch, or of a real-time parent (above): fork.
 * glibc's setuid in a process with threads (a library's) would signal
 * them, which a vfork child must not.  In its own function, so that no
 * variable of the caller lives across the fork.
 */
static pid_t __attribute__((noinline))
child_start_fork(const struct spawn_cmd *cmd, int rfd, int wfd)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct child_ctx x = {cmd, wfd, NULL};

		close(rfd);
		child_run(&x);
	}
	return pid;
}

static void
child_unlink(struct spawn_child *c)
{
	struct spawn_set *set = c->set;

	if (c->prev)
		c->prev->next = c->next;
	else
		set->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	set->count--;
}

static void
child_close(struct spawn_child *c)
{
	struct ev_loop *loop = c->set->loop;

	ev_timer_stop(loop, &c->timer);
	ev_io_stop(loop, &c->pid_io);
	ev_io_stop(loop, &c->err_io);
	if (c->pidfd != -1)
		close(c->pidfd);
	if (c->errfd != -1)
		close(c->errfd);
	c->pidfd = c->errfd = -1;
}

static void
child_free(struct spawn_child *c)
{
	child_close(c);
	child_unlink(c);
	free(c);
}

/* SIGKILL to the child's group and to the child (should it have left). */
static void
child_kill(const struct spawn_child *c)
{
	if (c->pid > 0) {
		kill(-c->pid, SIGKILL);
		kill(c->pid, SIGKILL);
	}
}

/* Read the errno the child left in the pipe, if any; close on EOF. */
static void
child_read_err(struct spawn_child *c)
{
	ssize_t n;
	int e;

	if (c->errfd == -1)
		return;
	n = read(c->errfd, &e, sizeof(e));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == (ssize_t)sizeof(e))
		c->err = e != 0 ? e : EIO;
	ev_io_stop(c->set->loop, &c->err_io);
	close(c->errfd);
	c->errfd = -1;
}

static void
child_finish(struct spawn_child *c, const struct spawn_result *res)
{
	if (!c->cancelled && c->cb != NULL) {
		c->in_cb = true;
		c->cb(c, res, c->arg);
	}
	child_free(c);
}

static void
on_err(struct ev_loop *loop, struct ev_io *io, uint32_t events, void *arg)
{
	(void)loop;
	(void)io;
	(void)events;
	child_read_err(arg);
}

static void
on_exit_ready(struct ev_loop *loop, struct ev_io *io, uint32_t events,
              void *arg)
{
	struct spawn_child *c = arg;
	struct spawn_result res;
	siginfo_t si;
	int rc, werr;

	(void)io;
	(void)events;
	/* Anything the group forked after the first kill dies too, while
	 * the unreaped child still holds the group id.  After a plain exit
	 * the child is a zombie: its group is all that can be left. */
	if (c->timed_out || c->cancelled)
		child_kill(c);
	else if (c->kill_group)
		kill(-c->pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	memset(&res, 0, sizeof(res));
	rc = waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG);
	werr = errno;
	if (rc == -1 && werr == EINTR)
		return;
	if (rc == 0 && si.si_pid == 0)
		return; /* not yet */
	child_read_err(c);
	if (rc == -1) {
		res.status = SPAWN_FAILED; /* ECHILD: reaped by someone else */
		res.code = werr;
	} else if (c->err != 0) {
		res.status = SPAWN_FAILED;
		res.code = c->err;
	} else if (c->timed_out) {
		res.status = SPAWN_TIMEOUT;
	} else if (si.si_code == CLD_EXITED) {
		res.status = SPAWN_EXITED;
		res.code = si.si_status;
	} else {
		res.status = SPAWN_SIGNALED;
		res.code = si.si_status;
	}
	res.pid = c->pid;
	res.runtime_ms = ev_now(loop) - c->start;
	c->pid = 0; /* reaped: never signal that pid again */
	child_finish(c, &res);
}

static void
on_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct spawn_child *c = arg;
	struct spawn_result res;

	(void)t;
	if (c->pid > 0) {
		c->timed_out = true;
		child_kill(c);
		return; /* reaped by on_exit_ready */
	}
	memset(&res, 0, sizeof(res));
	res.status = SPAWN_FAILED;
	res.code = c->err;
	res.runtime_ms = ev_now(loop) - c->start;
	child_finish(c, &res);
}

/* Report err through the callback on the next loop iteration. */
static void
child_fail_later(struct spawn_child *c, int err)
{
	child_close(c);
	c->pid = 0;
	c->err = err != 0 ? err : EIO;
	ev_timer_start_in(c->set->loop, &c->timer, 0);
}

/* After the start: the pidfd (opened here after a fork), the watchers (the
 * error pipe's only after a fork), the timeout. */
static void
child_watch(struct spawn_child *c, uint64_t timeout_ms)
{
	struct ev_loop *loop = c->set->loop;
	int e;

	if (c->pidfd == -1)
		c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	/* A pidfd is close-on-exec by the kernel. */
	ev_io_init(&c->pid_io, c->pidfd, on_exit_ready, c);
	ev_io_init(&c->err_io, c->errfd, on_err, c);
	if (c->pidfd == -1 || ev_io_start(loop, &c->pid_io, EPOLLIN) == -1 ||
	    (c->errfd != -1 && ev_io_start(loop, &c->err_io, EPOLLIN) == -1)) {
		/* Cannot watch it: kill it now and reap it here; a child
		 * killed this early dies at once. */
		e = errno;
		child_kill(c);
		while (waitpid(c->pid, NULL, 0) == -1 && errno == EINTR)
			;
		child_fail_later(c, e);
		return;
	}
	if (timeout_ms > 0)
		ev_timer_start_in(loop, &c->timer, timeout_ms);
}

struct spawn_child *
spawn_start(struct spawn_set *set, const struct spawn_cmd *cmd,
            spawn_done_cb cb, void *arg)
{
	struct spawn_child *c;
	int p[2];

	if (cmd->argv == NULL || cmd->argv[0] == NULL ||
	    cmd->argv[0][0] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->set = set;
	c->pidfd = c->errfd = -1;
	c->cb = cb;
	c->arg = arg;
	c->start = ev_now(set->loop);
	c->kill_group = cmd->kill_group;
	ev_timer_init(&c->timer, on_timer, c);
	ev_io_init(&c->pid_io, -1, on_exit_ready, c);
	ev_io_init(&c->err_io, -1, on_err, c);
	c->next = set->head;
	if (set->head)
		set->head->prev = c;
	set->head = c;
	set->count++;

	if (!cmd->set_ids && !parent_realtime()) {
		/* We resume once the child has exec'd or exited: its group
		 * exists, its exec errno (if any) is in c->err. */
		c->pid = child_start_vfork(cmd, &c->pidfd, &c->err);
		if (c->pid == -1) {
			child_fail_later(c, errno);
			return c;
		}
		child_watch(c, cmd->timeout_ms);
		return c;
	}
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		child_fail_later(c, errno);
		return c;
	}
	c->pid = child_start_fork(cmd, p[0], p[1]);
	if (c->pid == -1) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		child_fail_later(c, e);
		return c;
	}
	/* Also here, so that a timeout cannot signal a group that the
	 * child has not made yet (EACCES once it has exec'd: fine). */
	setpgid(c->pid, c->pid);
	close(p[1]);
	c->errfd = p[0];
	child_watch(c, cmd->timeout_ms);
	return c;
}

void
spawn_cancel(struct spawn_child *c)
{
	if (c == NULL || c->in_cb || c->cancelled)
		return;
	if (c->pid <= 0) {
		child_free(c);
		return;
	}
	c->cancelled = true;
	c->cb = NULL;
	ev_timer_stop(c->set->loop, &c->timer);
	child_kill(c);
}

struct spawn_set *
spawn_set_new(struct ev_loop *loop)
{
	struct spawn_set *set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	set->loop = loop;
	return set;
}

void
spawn_set_free(struct spawn_set *set)
{
	int saved = errno;

	if (set == NULL)
		return;
	while (set->head != NULL) {
		struct spawn_child *c = set->head;

		if (c->pid > 0) {
			child_kill(c);
			while (waitpid(c->pid, NULL, 0) == -1 && errno == EINTR)
				;
		}
		child_free(c);
	}
	free(set);
	errno = saved;
}

unsigned
spawn_set_count(const struct spawn_set *set)
{
	return set->count;
}

const char *
spawn_result_str(const struct spawn_result *res, char *buf, size_t len)
{
	switch (res->status) {
	case SPAWN_EXITED:
		snprintf(buf, len, "exit %d", res->code);
		break;
	case SPAWN_SIGNALED:
		snprintf(buf, len, "signal %d", res->code);
		break;
	case SPAWN_TIMEOUT:
		snprintf(buf, len, "timeout");
		break;
	default:
		snprintf(buf, len, "failed: %s", strerror(res->code));
		break;
	}
	return buf;
}
