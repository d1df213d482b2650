/* spawn: results, timeouts with grandchildren, cancel, no zombie, no fd. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "spawn.h"
#include "tap.h"

static struct ev_loop *loop;
static struct spawn_set *set;

struct got {
	int calls;
	struct spawn_result res;
};

static void
on_done(struct spawn_child *c, const struct spawn_result *res, void *arg)
{
	struct got *g = arg;

	(void)c;
	g->calls++;
	g->res = *res;
}

static int
fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/* Run the loop until the set is empty or max_ms passed. */
static void
run_until_idle(uint64_t max_ms)
{
	uint64_t end = ev_clock_monotonic_ms() + max_ms;

	while (spawn_set_count(set) > 0 && ev_clock_monotonic_ms() < end)
		ev_loop_run_once(loop, 50);
}

/* No child of ours left unreaped (zombie or running). */
static bool
no_children(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG) == -1 &&
	       errno == ECHILD;
}

/* pid gone, or only a zombie of someone else (init reaps it soon). */
static bool
pid_gone(pid_t pid, uint64_t max_ms)
{
	uint64_t end = ev_clock_monotonic_ms() + max_ms;
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (;;) {
		FILE *f = fopen(path, "r");
		char *p;

		if (f == NULL)
			return true;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (p != NULL && (p = strrchr(buf, ')')) != NULL &&
		    (p[2] == 'Z' || p[2] == 'X'))
			return true;
		if (ev_clock_monotonic_ms() >= end)
			return false;
		usleep(10000);
	}
}

static struct got
run_one(const char *const *argv, const char *const *envp, uint64_t timeout)
{
	struct spawn_cmd cmd = {
	    .argv = argv, .envp = envp, .timeout_ms = timeout};
	struct got g = {0};

	ok(spawn_start(set, &cmd, on_done, &g) != NULL, "start %s %s", argv[0],
	   argv[1] ? argv[1] : "");
	run_until_idle(5000);
	return g;
}

static void
test_results(void)
{
	const char *exit0[] = {"/bin/sh", "-c", "exit 0", NULL};
	const char *exit3[] = {"/bin/sh", "-c", "exit 3", NULL};
	const char *missing[] = {"/nonexistent/vipd-no-such", NULL};
	const char *bare[] = {"vipd-no-such-program", NULL};
	const char *bare_ok[] = {"true", NULL};
	const char *sig[] = {"/bin/sh", "-c", "kill -TERM $$; sleep 5", NULL};
	const char *env[] = {"/bin/sh", "-c", "test \"$FOO\" = bar", NULL};
	/* dash adds PWD by itself */
	const char *noenv[] = {"/bin/sh", "-c",
	                       "test \"$(/usr/bin/env | /usr/bin/grep -vc "
	                       "'^PWD=')\" = 0",
	                       NULL};
	char fdscript[256];
	const char *fds[] = {"/bin/sh", "-c", fdscript, NULL};
	const char *flood[] = {"/bin/sh", "-c",
	                       "head -c 20000000 /dev/zero; "
	                       "head -c 20000000 /dev/zero >&2",
	                       NULL};
	const char *sigmask[] = {"/bin/sh", "-c",
	                         "grep -q '^SigBlk:[[:space:]]*0*$' "
	                         "/proc/self/status",
	                         NULL};
	const char *fooenv[] = {"FOO=bar", NULL};
	const char *pathenv[] = {"PATH=/usr/bin:/bin", NULL};
	struct got g;
	char buf[64];
	int leak;

	g = run_one(exit0, NULL, 0);
	is_int(g.calls, 1, "exit 0: one callback");
	is_int(g.res.status, SPAWN_EXITED, "exit 0: exited");
	is_int(g.res.code, 0, "exit 0: code 0");
	ok(g.res.pid > 0, "exit 0: pid reported");
	is_str(spawn_result_str(&g.res, buf, sizeof(buf)), "exit 0",
	       "exit 0: text");

	g = run_one(exit3, NULL, 0);
	is_int(g.res.status, SPAWN_EXITED, "exit 3: exited");
	is_int(g.res.code, 3, "exit 3: code 3");

	g = run_one(missing, NULL, 0);
	is_int(g.calls, 1, "missing binary: one callback");
	is_int(g.res.status, SPAWN_FAILED, "missing binary: failed");
	is_int(g.res.code, ENOENT, "missing binary: ENOENT");
	is_str(spawn_result_str(&g.res, buf, sizeof(buf)),
	       "failed: No such file or directory", "missing binary: text");

	g = run_one(bare, NULL, 0);
	is_int(g.res.status, SPAWN_FAILED, "bare missing name: failed");
	is_int(g.res.code, ENOENT, "bare missing name: ENOENT");
	g = run_one(bare_ok, NULL, 0);
	is_int(g.res.status, SPAWN_EXITED, "bare name found in PATH");
	is_int(g.res.code, 0, "bare name: true exits 0");

	g = run_one(sig, NULL, 0);
	is_int(g.res.status, SPAWN_SIGNALED, "kill -TERM $$: signaled");
	is_int(g.res.code, SIGTERM, "kill -TERM $$: SIGTERM");
	is_str(spawn_result_str(&g.res, buf, sizeof(buf)), "signal 15",
	       "signaled: text");

	g = run_one(env, fooenv, 0);
	is_int(g.res.code, 0, "environment passed");
	g = run_one(noenv, NULL, 0);
	is_int(g.res.code, 0, "NULL envp: empty environment");
	/* An fd the parent left inheritable is closed anyway. */
	leak = open("/dev/null", O_RDONLY);
	snprintf(fdscript, sizeof(fdscript),
	         "[ ! -e /proc/$$/fd/%d ] || exit 9; for f in 0 1 2; do "
	         "[ \"$(/usr/bin/readlink /proc/$$/fd/$f)\" = /dev/null ] "
	         "|| exit 8; done",
	         leak);
	g = run_one(fds, NULL, 0);
	is_int(g.res.code, 0, "inheritable fd closed; 0-2 on /dev/null");
	close(leak);
	g = run_one(flood, pathenv, 5000);
	is_int(g.res.status, SPAWN_EXITED, "40 MB of output: not blocked");
	is_int(g.res.code, 0, "40 MB of output: exit 0");
	g = run_one(sigmask, pathenv, 0);
	is_int(g.res.code, 0, "signal mask reset in the child");
}

static void
test_timeout(void)
{
	char file[] = "/tmp/test_spawn.XXXXXX", script[256];
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	struct spawn_cmd cmd = {.argv = argv, .timeout_ms = 300};
	uint64_t t0 = ev_clock_monotonic_ms();
	struct got g = {0};
	int fd = mkstemp(file), gpid = 0;
	FILE *f;

	close(fd);
	snprintf(script, sizeof(script),
	         "sleep 30 & echo $! > %s; exec sleep 31", file);
	ok(spawn_start(set, &cmd, on_done, &g) != NULL, "start sleeper");
	run_until_idle(5000);
	is_int(g.calls, 1, "timeout: one callback");
	is_int(g.res.status, SPAWN_TIMEOUT, "timeout: reported as such");
	ok(g.res.runtime_ms >= 300 && ev_clock_monotonic_ms() - t0 < 2000,
	   "timeout: after 300 ms, well before the sleep (%llu ms)",
	   (unsigned long long)g.res.runtime_ms);
	if ((f = fopen(file, "r")) != NULL) {
		if (fscanf(f, "%d", &gpid) != 1)
			gpid = 0;
		fclose(f);
	}
	unlink(file);
	ok(gpid > 0, "grandchild pid recorded (%d)", gpid);
	ok(gpid > 0 && pid_gone(gpid, 2000),
	   "grandchild killed with the group");
	ok(pid_gone(g.res.pid, 0), "child reaped");
}

/* A child that exits leaving a grandchild: killed with kill_group only. */
static void
test_strays(void)
{
	char file[] = "/tmp/test_spawn.XXXXXX", script[256];
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	int fd = mkstemp(file), round;

	close(fd);
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; exit 0",
	         file);
	for (round = 0; round < 2; round++) {
		struct spawn_cmd cmd = {.argv = argv, .kill_group = round == 1};
		struct got g = {0};
		int gpid = 0;
		FILE *f;

		ok(spawn_start(set, &cmd, on_done, &g) != NULL,
		   "start a child that leaves a stray (kill_group %d)", round);
		run_until_idle(5000);
		is_int(g.res.status, SPAWN_EXITED, "it exited by itself");
		if ((f = fopen(file, "r")) != NULL) {
			if (fscanf(f, "%d", &gpid) != 1)
				gpid = 0;
			fclose(f);
		}
		if (round == 0) {
			ok(gpid > 0 && !pid_gone(gpid, 0),
			   "kill_group off: the stray runs on");
			if (gpid > 0)
				kill(gpid, SIGKILL);
		} else {
			ok(gpid > 0 && pid_gone(gpid, 2000),
			   "kill_group on: the stray is killed");
		}
	}
	unlink(file);
}

static void
test_concurrent(void)
{
	static const char *argv[100][4];
	static char scripts[100][32];
	static struct got g[100];
	struct timespec t0, t1;
	int i, bad = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 100; i++) {
		struct spawn_cmd cmd = {.argv = argv[i], .timeout_ms = 10000};

		snprintf(scripts[i], sizeof(scripts[i]), "exit %d", i % 7);
		argv[i][0] = "/bin/sh";
		argv[i][1] = "-c";
		argv[i][2] = scripts[i];
		argv[i][3] = NULL;
		if (spawn_start(set, &cmd, on_done, &g[i]) == NULL)
			bad++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The loop's cost of a start: the fork (page tables) in the caller. */
	printf("# 100 spawn_start calls: %.1f ms (%.3f ms each)\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	        (double)(t1.tv_nsec - t0.tv_nsec) / 1e6),
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	        (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) /
	           100);
	is_int(bad, 0, "100 children started");
	run_until_idle(20000);
	is_int(spawn_set_count(set), 0, "100 children reaped");
	for (i = 0; i < 100; i++)
		if (g[i].calls != 1 || g[i].res.status != SPAWN_EXITED ||
		    g[i].res.code != i % 7)
			bad++;
	is_int(bad, 0, "100 children: one callback each, right exit codes");
}

static struct spawn_child *victim;
static int victim_calls;

static void
on_victim(struct spawn_child *c, const struct spawn_result *res, void *arg)
{
	(void)c;
	(void)res;
	(void)arg;
	victim_calls++;
}

/* Cancels itself (a no-op) and another running child. */
static void
on_cancel_others(struct spawn_child *c, const struct spawn_result *res,
                 void *arg)
{
	on_done(c, res, arg);
	spawn_cancel(c);
	spawn_cancel(victim);
	victim = NULL;
}

static void
test_cancel(void)
{
	const char *quick[] = {"/bin/sh", "-c", "exit 0", NULL};
	const char *slow[] = {"/bin/sh", "-c", "sleep 30", NULL};
	const char *missing[] = {"/nonexistent/x", NULL};
	struct spawn_cmd cq = {.argv = quick}, cs = {.argv = slow},
	                 cm = {.argv = missing};
	struct spawn_child *c;
	struct got g = {0};

	/* Cancel a running child from outside any callback. */
	c = spawn_start(set, &cs, on_victim, NULL);
	ok(c != NULL, "start a sleeper");
	ev_loop_run_once(loop, 20);
	spawn_cancel(c);
	run_until_idle(3000);
	is_int(victim_calls, 0, "cancelled child: no callback");
	is_int(spawn_set_count(set), 0, "cancelled child reaped");

	/* Cancel another child and itself from a callback. */
	victim = spawn_start(set, &cs, on_victim, NULL);
	ok(spawn_start(set, &cq, on_cancel_others, &g) != NULL,
	   "start a child that cancels the sleeper");
	run_until_idle(3000);
	is_int(g.calls, 1, "canceller: one callback");
	is_int(victim_calls, 0, "cancelled from a callback: no callback");
	is_int(spawn_set_count(set), 0, "all reaped");

	/* Cancel before an exec failure is reported. */
	c = spawn_start(set, &cm, on_victim, NULL);
	spawn_cancel(c);
	run_until_idle(3000);
	is_int(victim_calls, 0, "cancelled failure: no callback");
	is_int(spawn_set_count(set), 0, "cancelled failure: gone");
	spawn_cancel(NULL);

	/* spawn_set_free with a child still running kills and reaps it. */
	{
		struct spawn_set *s2 = spawn_set_new(loop);
		struct got g2 = {0};

		ok(spawn_start(s2, &cs, on_done, &g2) != NULL,
		   "start a sleeper in a second set");
		ev_loop_run_once(loop, 20);
		spawn_set_free(s2);
		is_int(g2.calls, 0, "set freed: no callback");
	}
	spawn_set_free(NULL);
}

static void
test_ids(void)
{
	const char *argv[] = {"/bin/sh", "-c",
	                      "test \"$(id -u):$(id -g)\" = 65534:65534", NULL};
	const char *pathenv[] = {"PATH=/usr/bin:/bin", NULL};
	struct spawn_cmd cmd = {.argv = argv,
	                        .envp = pathenv,
	                        .set_ids = true,
	                        .uid = 65534,
	                        .gid = 65534};
	struct got g = {0};

	ok(spawn_start(set, &cmd, on_done, &g) != NULL, "start as 65534");
	run_until_idle(5000);
	if (geteuid() == 0) {
		is_int(g.res.status, SPAWN_EXITED, "as root: uid switched");
		is_int(g.res.code, 0, "runs as 65534:65534");
	} else {
		is_int(g.res.status, SPAWN_FAILED, "not root: cannot switch");
		is_int(g.res.code, EPERM, "not root: EPERM");
	}
}

int
main(void)
{
	int fds_before, fds_after;

	signal(SIGPIPE, SIG_IGN); /* the child must get it back to default */
	loop = ev_loop_new();
	set = spawn_set_new(loop);
	ok(loop != NULL && set != NULL, "loop and set");
	fds_before = fd_count();
	test_results();
	test_timeout();
	test_strays();
	test_concurrent();
	test_cancel();
	test_ids();
	ok(no_children(), "no child left unreaped (zombie or running)");
	fds_after = fd_count();
	is_int(fds_after, fds_before, "no fd left (/proc/self/fd)");
	spawn_set_free(set);
	ev_loop_free(loop);
	return tap_done();
}
