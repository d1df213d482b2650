/*
 * process: a process of that name runs.  A scan of /proc finds one (its
 * comm, the kernel's 15-character name, or its argv[0]'s base name;
 * optionally its command line's beginning), then a pidfd on it tells the
 * loop the moment it exits: the check runs at once and scans again (a
 * restart, or another instance).  While down, every run scans.  The proc
 * connector is not used: it does not work in network namespaces.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "chk_int.h"

#define COMM_LEN 15 /* TASK_COMM_LEN - 1 */

/* Read at most size - 1 bytes of a /proc file; -1 if it cannot be read. */
static ssize_t
read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static bool
name_match(const char *want, const char *comm)
{
	size_t n = strlen(want);

	if (n > COMM_LEN)
		return strncmp(want, comm, COMM_LEN) == 0 &&
		       strlen(comm) == COMM_LEN;
	return strcmp(want, comm) == 0;
}

/* The command line of pid as words joined by spaces; false if gone or a
 * kernel thread (no command line). */
static bool
cmdline_of(long pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n, i;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if ((n = read_small(path, buf, size)) <= 0)
		return false;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return true;
}

/* Does pid match c's name (and command line)?  Zombies do not. */
static bool
pid_matches(const struct chk *c, long pid)
{
	char path[64], buf[4096], *open_p, *close_p, *a0, *sp, *base;
	bool named;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (open_p == NULL || close_p == NULL || close_p < open_p ||
	    close_p[1] != ' ' || close_p[2] == 'Z' || close_p[2] == 'X')
		return false;
	*close_p = '\0';
	named = name_match(c->def.process, open_p + 1);
	if (!named || (c->def.cmdline && c->def.cmdline[0])) {
		if (!cmdline_of(pid, buf, sizeof(buf)))
			return false;
		if (!named) {
			/* argv[0]'s base name: scripts run by interpreters. */
			a0 = buf;
			if ((sp = strchr(a0, ' ')) != NULL)
				*sp = '\0';
			base = strrchr(a0, '/') ? strrchr(a0, '/') + 1 : a0;
			if (strcmp(base, c->def.process) != 0)
				return false;
			if (sp != NULL)
				*sp = ' ';
		}
		if (c->def.cmdline && c->def.cmdline[0] &&
		    strncmp(buf, c->def.cmdline, strlen(c->def.cmdline)) != 0)
			return false;
	}
	return true;
}

static void proc_release(struct chk *c);

static void
on_pidfd(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct chk *c = arg;

	(void)loop;
	(void)io;
	(void)revents;
	/* It exited: look again now rather than at the next interval. */
	proc_release(c);
	chk_run_soon(c);
}

/* Hold pid through a pidfd; false if it is gone or no pidfd can be had. */
static bool
proc_hold(struct chk *c, long pid)
{
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);

	if (fd == -1)
		return false;
	/* The pid may have been reused between the scan and the open. */
	if (!pid_matches(c, pid) || fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		close(fd);
		return false;
	}
	c->pidfd = fd;
	c->pid = (pid_t)pid;
	ev_io_init(&c->pid_io, fd, on_pidfd, c);
	if (ev_io_start(c->env.loop, &c->pid_io, EPOLLIN) == -1) {
		close(fd);
		c->pidfd = -1;
		return false;
	}
	return true;
}

static void
proc_release(struct chk *c)
{
	if (c->pidfd == -1)
		return;
	ev_io_stop(c->env.loop, &c->pid_io);
	close(c->pidfd);
	c->pidfd = -1;
	c->pid = 0;
}

static void
proc_run(struct chk *c)
{
	struct dirent *e;
	char *end;
	DIR *dir;
	long pid;
	int err;

	if (c->pidfd != -1) {
		chk_done(c, true, 0, "pid %ld", (long)c->pid);
		return;
	}
	if ((dir = opendir("/proc")) == NULL) {
		err = errno;
		chk_done(c, false, err, "/proc: %s", strerror(err));
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid == (long)getpid())
			continue;
		if (pid_matches(c, pid) && proc_hold(c, pid))
			break;
	}
	closedir(dir);
	if (c->pidfd != -1)
		chk_done(c, true, 0, "pid %ld", (long)c->pid);
	else
		chk_done(c, false, 0, "no process '%s'", c->def.process);
}

static void
proc_cancel(struct chk *c)
{
	(void)c;
}

const struct chk_ops chk_proc_ops = {proc_run, proc_cancel, proc_release};
