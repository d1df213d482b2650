/*
 * exec: a command that exits 0.  Run through net/spawn (own process
 * group, stdio on /dev/null, reaped by pidfd, the group killed at the
 * timeout and after the command exits), so a hang, an output flood or forked
 * children cannot block the loop nor leave anything behind.  Exit status 0
 * passes; any other status, a signal, a timeout or a failure to start fails.
 *
 * Before the first run, and again before a run at least every
 * CHK_SAFE_RECHECK_MS (three stat calls a run were a tenth of the daemon's
 * CPU with 50 checks a second), the command is refused, like keepalived's
 * enable_script_security, when it or a directory above it could be
 * changed by someone else than root or the user it runs as: writable by
 * others (a directory with the sticky bit excepted), writable by a group
 * other than root's, or owned by another user.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chk_int.h"
#include "spawn.h"

#define CHK_SAFE_RECHECK_MS 10000

/* Why path (a file or directory) is unsafe, into why; false if safe. */
static bool
unsafe(uid_t runner, const char *path, char *why, size_t len)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return false; /* spawn reports a missing file itself */
	if ((st.st_mode & S_IWOTH) &&
	    !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)))
		snprintf(why, len, "refused: %s is writable by others", path);
	else if ((st.st_mode & S_IWGRP) && st.st_gid != 0 &&
	         !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)))
		snprintf(why, len, "refused: %s is writable by group %u", path,
		         (unsigned)st.st_gid);
	else if (st.st_uid != 0 && st.st_uid != runner)
		snprintf(why, len, "refused: %s is owned by uid %u", path,
		         (unsigned)st.st_uid);
	else
		return false;
	return true;
}

bool
chk_exec_unsafe(const char *program, uid_t runner, char *why, size_t len)
{
	char path[PATH_MAX];
	char *slash;

	snprintf(path, sizeof(path), "%s", program);
	if (unsafe(runner, path, why, len))
		return true;
	while ((slash = strrchr(path, '/')) != NULL) {
		slash[slash == path ? 1 : 0] = '\0';
		if (unsafe(runner, path, why, len))
			return true;
		if (slash == path)
			break;
	}
	return false;
}

static void
on_exit_done(struct spawn_child *child, const struct spawn_result *res,
             void *arg)
{
	struct chk *c = arg;

	(void)child;
	c->child = NULL;
	switch (res->status) {
	case SPAWN_EXITED:
		chk_done(c, res->code == 0, res->code, "exit %d", res->code);
		break;
	case SPAWN_SIGNALED:
		chk_done(c, false, res->code, "killed by signal %d (%s)",
		         res->code, strsignal(res->code));
		break;
	case SPAWN_TIMEOUT:
		chk_done(c, false, 0,
		         "timeout after %u ms, process group killed",
		         c->def.timeout_ms);
		break;
	case SPAWN_FAILED:
		chk_done(c, false, res->code, "cannot run %s: %s",
		         c->def.argv[0], strerror(res->code));
		break;
	}
}

static void
exec_run(struct chk *c)
{
	struct spawn_cmd cmd;
	char why[PATH_MAX + 64];

	if (c->env.pace != NULL) {
		struct chk_pace *p = c->env.pace;
		uint64_t now = ev_now(c->env.loop);

		if (p->at_ms != now) {
			p->at_ms = now;
			p->n = 0;
		}
		if (p->n >= CHK_SPAWN_BURST) {
			/* A fork costs the loop; the next millisecond. */
			c->running = false;
			ev_timer_start(c->env.loop, &c->tick, now + 1);
			return;
		}
		p->n++;
	}
	if (ev_now(c->env.loop) >= c->safe_until) {
		if (chk_exec_unsafe(c->def.argv[0],
		                    c->def.set_ids ? c->def.uid : geteuid(),
		                    why, sizeof(why))) {
			c->safe_until = 0;
			chk_done(c, false, EPERM, "%s", why);
			return;
		}
		c->safe_until = ev_now(c->env.loop) + CHK_SAFE_RECHECK_MS;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.argv = c->def.argv;
	cmd.envp = c->def.envp;
	cmd.timeout_ms = c->def.timeout_ms;
	cmd.set_ids = c->def.set_ids;
	cmd.uid = c->def.uid;
	cmd.gid = c->def.gid;
	cmd.kill_group = true; /* what it left running dies with it */
	c->child = spawn_start(c->env.spawn, &cmd, on_exit_done, c);
	if (c->child == NULL)
		chk_done(c, false, errno, "cannot run %s: %s", c->def.argv[0],
		         strerror(errno));
}

static void
exec_cancel(struct chk *c)
{
	if (c->child != NULL)
		spawn_cancel(c->child);
	c->child = NULL;
}

const struct chk_ops chk_exec_ops = {exec_run, exec_cancel, NULL};
