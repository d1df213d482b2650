/*
 * spawncost: what starting and reaping one child costs the parent's CPU on
 * this machine, the floor under any health checker that runs a command per
 * check.  It runs PROGRAM (default /bin/true) N times, one at a time, with
 * each of three methods and prints the parent's own CPU (user + system, from
 * getrusage) per run:
 *
 *   clone-pidfd  clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD), what vipd's
 *                net/spawn.c does, then waitid on the pid
 *   vfork        vfork + execve, then waitid
 *   posix_spawn  glibc's posix_spawn, then waitid
 *
 *   spawncost [-n N] [PROGRAM]
 *
 * Output, one line per method: "METHOD US" (microseconds per run, one
 * decimal).  Exit 0, or 2 on a usage error, 1 when a child cannot start.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define STACK_SIZE (256 * 1024)

static char *child_argv[2];
static char *child_envp[] = {NULL};

/* Not instrumented by ASan: clone's child runs on a stack ASan does not
 * know (see net/spawn.c). */
#if defined(__SANITIZE_ADDRESS__)
__attribute__((no_sanitize_address))
#endif
static int
child_main(void *arg)
{
	(void)arg;
	execve(child_argv[0], child_argv, child_envp);
	_exit(127);
}

static double
cpu_us(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (double)r.ru_utime.tv_sec * 1e6 + (double)r.ru_utime.tv_usec +
	       (double)r.ru_stime.tv_sec * 1e6 + (double)r.ru_stime.tv_usec;
}

/* One child by method m; its exit status into *st; 0 or -1. */
static int
run_one(int m, char *stack_top, int *st)
{
	siginfo_t si;
	pid_t pid;
	int pidfd = -1;

	if (m == 0) {
		pid = clone(child_main, stack_top,
		            CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD,
		            NULL, &pidfd);
	} else if (m == 1) {
		pid = vfork();
		if (pid == 0)
			child_main(NULL);
	} else {
		int e = posix_spawn(&pid, child_argv[0], NULL, NULL, child_argv,
		                    child_envp);

		if (e != 0) {
			errno = e;
			return -1;
		}
	}
	if (pid == -1)
		return -1;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED) == -1)
		if (errno != EINTR)
			return -1;
	if (pidfd != -1)
		close(pidfd);
	*st = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *names[] = {"clone-pidfd", "vfork", "posix_spawn"};
	long n = 1000;
	char *stack;
	int opt, m;

	while ((opt = getopt(argc, argv, "n:h")) != -1) {
		switch (opt) {
		case 'n':
			if (tu_parse_long(optarg, 1, 1000000, &n) == -1) {
				fprintf(stderr,
				        "spawncost: -n: a number 1..1000000\n");
				return 2;
			}
			break;
		case 'h':
			printf("usage: spawncost [-n N] [PROGRAM]\n");
			return 0;
		default:
			fprintf(stderr, "usage: spawncost [-n N] [PROGRAM]\n");
			return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "usage: spawncost [-n N] [PROGRAM]\n");
		return 2;
	}
	child_argv[0] = optind < argc ? argv[optind] : "/bin/true";
	stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		perror("spawncost: mmap");
		return 1;
	}
	for (m = 0; m < 3; m++) {
		double t0 = cpu_us();
		long i;
		int st = 0;

		for (i = 0; i < n; i++) {
			if (run_one(m, stack + STACK_SIZE, &st) == -1) {
				fprintf(stderr, "spawncost: %s: %s\n", names[m],
				        strerror(errno));
				return 1;
			}
			if (st != 0) {
				fprintf(stderr,
				        "spawncost: %s: %s exited with %d\n",
				        names[m], child_argv[0], st);
				return 1;
			}
		}
		printf("%s %.1f\n", names[m], (cpu_us() - t0) / (double)n);
	}
	return 0;
}
