/*
 * checks: the runners on a real loop, no root: tcp (a listener, a closed
 * port), file (appears, disappears), interface (fed states), process (a
 * child of ours: its exit is noticed through the pidfd at once, long
 * before the next interval).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chk.h"
#include "net.h"
#include "spawn.h"
#include "tap.h"

static int changes;

static void
on_change(struct chk *c, bool changed, void *arg)
{
	(void)c;
	(void)arg;
	changes += changed;
}

/* Run the loop until c has n results or ms pass. */
static void
run_until(struct ev_loop *loop, struct chk *c, uint64_t n, unsigned ms)
{
	uint64_t end = ev_now_update(loop) + ms;

	while (chk_results(c, true) + chk_results(c, false) < n &&
	       ev_now_update(loop) < end)
		ev_loop_run_once(loop, 10);
}

static struct chk_def
def_of(const char *name, enum chk_kind k)
{
	struct chk_def d;

	memset(&d, 0, sizeof(d));
	d.name = name;
	d.kind = k;
	d.interval_ms = 50;
	d.timeout_ms = 200;
	d.rise = 1;
	d.fall = 1;
	return d;
}

static void
test_tcp(struct ev_loop *loop, const struct chk_env *env)
{
	struct sockaddr_in *sin;
	struct chk_def d = def_of("web", CHK_TCP);
	socklen_t len = sizeof(*sin);
	struct chk *c;
	int ls;

	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sin = (struct sockaddr_in *)&d.addr;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(ls, 16) == -1 ||
	    getsockname(ls, (struct sockaddr *)sin, &len) == -1) {
		printf("Bail out! listener: %m\n");
		exit(1);
	}
	d.addrlen = sizeof(*sin);
	c = chk_new(env, &d, on_change, NULL);
	ok(c != NULL, "tcp: created");
	chk_start(c);
	run_until(loop, c, 1, 3000);
	is_int(chk_state(c), CHK_UP, "tcp: listener up");
	is_str(chk_last(c)->reason, "connected", "tcp: reason");
	{
		/* The check closed with a reset (no TIME_WAIT on our side):
		 * the service reads ECONNRESET, not an end of file. */
		int as = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		char b;
		ssize_t n = as == -1 ? -2 : read(as, &b, 1);

		ok(n == -1 && errno == ECONNRESET,
		   "tcp: the check's connection ends with a reset");
		if (as != -1)
			close(as);
	}
	close(ls);
	run_until(loop, c, 2, 3000);
	is_int(chk_state(c), CHK_DOWN, "tcp: closed port down");
	is_str(chk_last(c)->reason, "connect: Connection refused",
	       "tcp: connect refused");
	is_int(changes, 2, "tcp: two changes");
	chk_free(c);
}

static void
test_file(struct ev_loop *loop, const struct chk_env *env)
{
	struct chk_def d = def_of("maint", CHK_FILE);
	char path[] = "/tmp/test_chk_run.XXXXXX";
	struct chk *c;
	int fd = mkstemp(path);

	d.path = path;
	c = chk_new(env, &d, on_change, NULL);
	chk_start(c);
	run_until(loop, c, 1, 3000);
	is_int(chk_state(c), CHK_DOWN, "file: present is down");
	unlink(path);
	close(fd);
	run_until(loop, c, 2, 3000);
	is_int(chk_state(c), CHK_UP, "file: absent is up");
	ok(strstr(chk_last(c)->reason, "absent") != NULL, "file: reason");
	chk_free(c);
}

static void
test_link(struct ev_loop *loop, const struct chk_env *env)
{
	struct chk_def d = def_of("uplink", CHK_INTERFACE);
	struct chk *c;

	d.ifname = "eth2";
	d.interval_ms = 10000;
	c = chk_new(env, &d, on_change, NULL);
	chk_start(c);
	run_until(loop, c, 1, 3000);
	is_int(chk_state(c), CHK_DOWN, "interface: unknown is down");
	chk_link_set(c, true, true);
	run_until(loop, c, 2, 3000);
	is_int(chk_state(c), CHK_UP, "interface: carrier, at once");
	chk_link_set(c, true, false);
	run_until(loop, c, 3, 3000);
	is_str(chk_last(c)->reason, "eth2: no carrier", "interface: reason");
	chk_free(c);
}

static void
test_process(struct ev_loop *loop, const struct chk_env *env)
{
	struct chk_def d = def_of("svc", CHK_PROCESS);
	uint64_t t0;
	struct chk *c;
	pid_t pid;
	int st;

	d.process = "sleep";
	d.cmdline = "sleep 7.25";
	d.interval_ms = 5000;
	pid = fork();
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "7.25", (char *)NULL);
		_exit(127);
	}
	usleep(100 * 1000);
	c = chk_new(env, &d, on_change, NULL);
	chk_start(c);
	run_until(loop, c, 1, 3000);
	is_int(chk_state(c), CHK_UP, "process: found");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	t0 = ev_now_update(loop);
	run_until(loop, c, 2, 2000);
	is_int(chk_state(c), CHK_DOWN, "process: exit noticed");
	ok(ev_now_update(loop) - t0 < 2500, "process: at once, not at 5 s");
	is_str(chk_last(c)->reason, "no process 'sleep'", "process: reason");
	chk_free(c);
}

static char exec_dir[] = "/tmp/test_chk_exec.XXXXXX";

static const char *
script(const char *name, const char *body, mode_t mode)
{
	static char path[4][128];
	static int k;
	char *p = path[k++ % 4];
	FILE *f;

	snprintf(p, 128, "%s/%s", exec_dir, name);
	f = fopen(p, "w");
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(p, mode);
	return p;
}

/* One run of argv0 (timeout_ms): its state and reason. */
static struct chk *
exec_once(struct ev_loop *loop, const struct chk_env *env, const char *argv0,
          unsigned timeout_ms)
{
	struct chk_def d = def_of("x", CHK_EXEC);
	const char *argv[] = {argv0, NULL};
	const char *envp[] = {"VIPD_CHECK=x", NULL};
	struct chk *c;

	d.argv = argv;
	d.envp = envp;
	d.timeout_ms = timeout_ms;
	d.interval_ms = 10000;
	c = chk_new(env, &d, on_change, NULL);
	chk_start(c);
	run_until(loop, c, 1, timeout_ms + 3000);
	return c;
}

/* No process of ours is left (children reaped, group killed). */
static int
children(void)
{
	char cmd[128], buf[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ps -o pid= --ppid %ld | wc -l",
	         (long)getpid());
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), p) == NULL)
		buf[0] = '\0';
	pclose(p);
	/* popen's own shell is one */
	return atoi(buf) - 1;
}

static void
test_exec(struct ev_loop *loop, const struct chk_env *env)
{
	char cmd[128];
	struct chk *c;
	uint64_t t0;

	if (mkdtemp(exec_dir) == NULL || chmod(exec_dir, 0755) == -1) {
		printf("Bail out! mkdtemp: %m\n");
		exit(1);
	}
	c = exec_once(loop, env,
	              script("ok.sh", "[ \"$VIPD_CHECK\" = x ]", 0755), 5000);
	is_int(chk_state(c), CHK_UP, "exec: exit 0 is up (env passed)");
	is_str(chk_last(c)->reason, "exit 0", "exec: reason exit 0");
	chk_free(c);
	{
		struct chk_def d = def_of("x", CHK_EXEC);
		const char *argv[] = {
		    script("env.sh", "[ \"$VIPD_CHECK\" = x ]", 0755), NULL};
		const char *envp[] = {"VIPD_CHECK=x", NULL};
		const char *envp2[] = {"VIPD_CHECK=y", NULL};

		d.argv = argv;
		d.envp = envp;
		d.timeout_ms = 5000;
		c = chk_new(env, &d, on_change, NULL);
		chk_start(c);
		run_until(loop, c, 1, 5000);
		is_int(chk_state(c), CHK_UP, "exec: up with its environment");
		is_int(chk_env_set(c, envp2), 0, "exec: chk_env_set");
		run_until(loop, c, 2, 5000);
		is_str(chk_last(c)->reason, "exit 1",
		       "exec: the next run sees the environment chk_env_set "
		       "gave");
		chk_free(c);
	}
	c = exec_once(loop, env, script("three.sh", "exit 3", 0755), 5000);
	is_str(chk_last(c)->reason, "exit 3", "exec: exit 3 fails");
	is_int(chk_last(c)->code, 3, "exec: code 3");
	chk_free(c);
	t0 = ev_now_update(loop);
	c = exec_once(loop, env,
	              script("hang.sh", "sleep 30 & sleep 30; exit 0", 0755),
	              300);
	is_str(chk_last(c)->reason,
	       "timeout after 300 ms, process group killed",
	       "exec: a hang past its timeout fails");
	ok(ev_now_update(loop) - t0 < 1500, "exec: ... at the timeout");
	chk_free(c);
	is_int(children(), 0, "exec: no child left (group killed, reaped)");
	c = exec_once(loop, env, script("kill.sh", "kill -9 $$", 0755), 5000);
	ok(strncmp(chk_last(c)->reason, "killed by signal 9", 18) == 0,
	   "exec: killed by a signal fails (%s)", chk_last(c)->reason);
	chk_free(c);
	c = exec_once(loop, env, script("ww.sh", "exit 0", 0777), 5000);
	ok(strstr(chk_last(c)->reason, "is writable by others") != NULL,
	   "exec: a world-writable script is refused (%s)",
	   chk_last(c)->reason);
	is_int(chk_state(c), CHK_DOWN, "exec: ... and counts as failed");
	chk_free(c);
	c = exec_once(loop, env, "/nonexistent/check", 5000);
	is_str(chk_last(c)->reason,
	       "cannot run /nonexistent/check: No such file or directory",
	       "exec: a missing binary fails");
	chk_free(c);
	is_int(children(), 0, "exec: no child left at the end");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", exec_dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", exec_dir);
}

int
main(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct chk_env env = {loop, NULL, NULL};
	struct chk_def d = def_of("x", CHK_EXEC);

	test_tcp(loop, &env);
	test_file(loop, &env);
	test_link(loop, &env);
	test_process(loop, &env);
	env.spawn = spawn_set_new(loop);
	test_exec(loop, &env);
	spawn_set_free(env.spawn);
	env.spawn = NULL;
	d.argv = (const char *const[]){"/bin/true", NULL};
	ok(chk_new(&env, &d, NULL, NULL) == NULL, "exec without spawn: EINVAL");
	ev_loop_free(loop);
	return tap_done();
}
