/*
 * spawn: run commands as children of the event loop without ever blocking
 * it (notify scripts, exec checks).
 *
 * Each child runs in its own process group with stdin, stdout and stderr
 * on /dev/null (an output flood cannot block anything), every other fd
 * closed, signal mask and dispositions reset.  It is reaped through a
 * pidfd registered in the loop (from clone's CLONE_PIDFD, or pidfd_open
 * after a fork; Linux >= 5.3), so no SIGCHLD handler and no waitpid(-1)
 * are involved.  On timeout the whole process
 * group gets SIGKILL and the child is still reaped.  Exactly one
 * completion callback per child unless it is cancelled; no zombie and no
 * fd is left behind in any case.
 */
#ifndef VIPD_SPAWN_H
#define VIPD_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ev_loop;
struct spawn_set;   /* the children of one loop */
struct spawn_child; /* one command, from start to its callback */

enum spawn_status {
	SPAWN_EXITED,   /* code: exit status 0..255 */
	SPAWN_SIGNALED, /* code: the signal that killed it */
	SPAWN_TIMEOUT,  /* ran past its timeout, group killed; code 0 */
	SPAWN_FAILED,   /* could not start (fork, exec, uid...): code = errno */
};

struct spawn_result {
	enum spawn_status status;
	int code;
	pid_t pid;           /* 0 when no process was made */
	uint64_t runtime_ms; /* start to reap, loop time */
};

struct spawn_cmd {
	/* argv[0] is the program: a path, or a bare name looked up in
	 * /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin.
	 * NULL-terminated, non-empty. */
	const char *const *argv;
	/* The complete environment ("K=V", NULL-terminated); NULL = empty. */
	const char *const *envp;
	uint64_t timeout_ms; /* 0 = no timeout */
	/* Also when the child ends by itself, SIGKILL what is left of its
	 * process group (children it left running, e.g. a check's strays).
	 * Off: they run on, reparented (never our zombies). */
	bool kill_group;
	/* When set, the child drops supplementary groups and switches to
	 * gid then uid before exec (needs the privilege to do so; a failure
	 * is reported as SPAWN_FAILED with its errno). */
	bool set_ids;
	uid_t uid;
	gid_t gid;
};

typedef void (*spawn_done_cb)(struct spawn_child *child,
                              const struct spawn_result *res, void *arg);

/* A set of children driven by loop; NULL with errno on failure. */
struct spawn_set *spawn_set_new(struct ev_loop *loop);
/*
 * Kill (SIGKILL to the process group) and reap every child still alive,
 * waiting for each (a killed child dies at once), without callbacks, and
 * free the set.  Not from a spawn callback.  NULL is a no-op.
 */
void spawn_set_free(struct spawn_set *set);
/* Children not yet reaped, cancelled ones included. */
unsigned spawn_set_count(const struct spawn_set *set);

/*
 * Start cmd (argv and envp are copied by the fork; nothing is kept).  cb
 * is called once, from the loop, never from within spawn_start: also for a
 * start failure (SPAWN_FAILED: clone, pipe, fork, pidfd_open or exec errno).
 * The handle is valid until cb returns or spawn_cancel().  NULL with errno
 * only when the handle cannot be allocated (ENOMEM) or argv is empty
 * (EINVAL).
 */
struct spawn_child *spawn_start(struct spawn_set *set,
                                const struct spawn_cmd *cmd, spawn_done_cb cb,
                                void *arg);

/*
 * Give the handle up: a running child's process group gets SIGKILL and it
 * is reaped later by the set, without callback.  Safe from any callback,
 * including the child's own (then a no-op: the handle ends after it).
 */
void spawn_cancel(struct spawn_child *child);

/* "exit 3", "signal 9", "timeout", "failed: No such file or directory". */
const char *spawn_result_str(const struct spawn_result *res, char *buf,
                             size_t len);

#endif
