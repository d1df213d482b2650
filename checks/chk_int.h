/*
 * checks internals shared by the chk_*.c runners.  Not part of the
 * module's interface: only chk.h is.
 */
#ifndef VIPD_CHK_INT_H
#define VIPD_CHK_INT_H

#ifndef VIPD_CHK_INTERNAL
#error "checks/chk_int.h is internal to its module; include chk.h"
#endif

#include "chk.h"
#include "net.h"

struct spawn_child;

struct chk {
	struct chk_env env;
	struct chk_def def; /* its strings and arrays are owned copies */
	chk_change_cb cb;
	void *arg;
	struct chk_sm sm;
	struct chk_result last;
	uint64_t nok, nfail;
	struct ev_timer tick;     /* next run */
	struct ev_timer deadline; /* timeout of the running one */
	bool started;             /* chk_start was called */
	bool running;
	uint64_t run_start;
	uint64_t safe_until; /* CHK_EXEC: the script passed its safety check */

	int fd; /* CHK_TCP: the connecting socket, or -1 */
	struct ev_io io;

	int pidfd; /* CHK_PROCESS: the matched process, or -1 */
	pid_t pid;
	struct ev_io pid_io;

	bool link_known, link_present, link_up; /* CHK_INTERFACE */

	struct spawn_child *child; /* CHK_EXEC: the running command */

	void *http; /* CHK_HTTP: the runner's own state */
};

/* Each kind's runner: start a run (finished by chk_done, possibly from
 * within), and stop a run in progress (timeout, free). */
struct chk_ops {
	void (*run)(struct chk *c);
	void (*cancel)(struct chk *c);
	void (*free)(struct chk *c); /* NULL: nothing of its own */
};

extern const struct chk_ops chk_tcp_ops, chk_file_ops, chk_link_ops,
    chk_proc_ops, chk_exec_ops, chk_http_ops;

/* The run ended: record the result, count it, schedule the next run and
 * call the owner's callback if the state changed.  Not after a cancel. */
void chk_done(struct chk *c, bool ok, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Run now (next loop iteration) unless a run is in progress. */
void chk_run_soon(struct chk *c);

/* CHK_HTTP: 0, or -1 with errno (ENOTSUP without libcurl). */
int chk_http_init(struct chk *c);

#endif
