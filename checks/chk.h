/*
 * checks: health checks of the services a node offers, run from the event
 * loop without ever blocking it.
 *
 * Two parts.  The pure part (chk_sm.c) counts results into a state with
 * rise/fall damping and turns the states of a group's tracked checks into
 * an effective priority or a fault, keepalived's way; it reads no clock.
 * The runners (chk.c and one file per kind) schedule each check on the
 * loop (net/'s ev), run it asynchronously (non-blocking connect, pidfd,
 * children through net/spawn.h) and report state changes by callback.
 *
 * Depends on libc and net/ only; knows nothing of the config or the
 * election (announcer/ translates).  Conventions as in net.h: 0/-1 with
 * errno, constructors NULL, _free(NULL) a no-op.
 */
#ifndef VIPD_CHK_H
#define VIPD_CHK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* ------------------------------------------------------ the pure part */

#define CHK_PRIO_MIN 1   /* an effective priority is clamped to these: */
#define CHK_PRIO_MAX 254 /* the election's range (0 means ineligible) */

enum chk_state {
	CHK_UNKNOWN, /* no result yet: counts as failing */
	CHK_UP,
	CHK_DOWN,
};

/* "unknown", "up", "down". */
const char *chk_state_name(enum chk_state s);

/*
 * Rise/fall counting.  The first result sets the state at once (a daemon
 * starting does not wait rise results to offer a working service, nor
 * fall results to refuse a dead one); after that, rise consecutive
 * passes take a down check up and fall consecutive failures take an up
 * one down.  ok_run and fail_run are the current runs of equal results.
 */
struct chk_sm {
	unsigned rise, fall;
	enum chk_state state;
	unsigned ok_run, fail_run;
	uint64_t since_ms; /* now_ms of the last state change */
};

/* Initial state CHK_UNKNOWN; rise and fall >= 1 (0 is taken as 1). */
void chk_sm_init(struct chk_sm *sm, unsigned rise, unsigned fall,
                 uint64_t now_ms);
/* Count one result; true when the state changed. */
bool chk_sm_result(struct chk_sm *sm, bool ok, uint64_t now_ms);

/* One tracked check as a group sees it. */
struct chk_track_in {
	enum chk_state state;
	int weight; /* 0: failing faults the group; else keepalived's rule */
};

struct chk_prio {
	unsigned effective; /* base + adjust, clamped to CHK_PRIO_MIN..MAX */
	int adjust;         /* sum of the weights that apply */
	long fault;         /* index of the first failing check without
	                       weight, -1 when none */
};

/*
 * keepalived's rule: a check with a negative weight lowers the priority
 * by it while failing; one with a positive weight raises it by it while
 * passing; one without weight puts the group in fault while failing.
 * CHK_UNKNOWN fails.
 */
void chk_prio_compute(unsigned base, const struct chk_track_in *t, size_t n,
                      struct chk_prio *out);

/* ----------------------------------------------------------- runners */

struct ev_loop;
struct spawn_set;
struct chk;

enum chk_kind {
	CHK_TCP,
	CHK_HTTP,
	CHK_EXEC,
	CHK_PROCESS,
	CHK_INTERFACE,
	CHK_FILE,
};

/* What to check; every pointer is copied by chk_new. */
struct chk_def {
	const char *name;
	enum chk_kind kind;
	unsigned interval_ms, timeout_ms, rise, fall;
	/* The second run comes phase_ms later than interval_ms after the
	 * first: checks started together are spread over their interval
	 * instead of all running in one loop iteration (< interval_ms). */
	unsigned phase_ms;
	/* CHK_TCP */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	/* CHK_FILE: up while absent */
	const char *path;
	/* CHK_INTERFACE: fed by chk_link_set */
	const char *ifname;
	/* CHK_PROCESS: comm (or argv[0]'s base name), and a prefix of the
	 * command line (words joined by spaces), NULL or "" = any */
	const char *process, *cmdline;
	/* CHK_EXEC: argv[0] absolute; envp "K=V" (NULL = empty); run as
	 * uid/gid when set_ids */
	const char *const *argv;
	const char *const *envp;
	bool set_ids;
	uid_t uid;
	gid_t gid;
	/* CHK_HTTP */
	const char *url, *host, *ca_file;
	const unsigned *expect; /* nexpect codes; none = any 2xx */
	size_t nexpect;
	bool tls_verify;
};

/* The last result of a check. */
struct chk_result {
	bool ok;
	char reason[160]; /* "connected", "connect: Connection refused",
	                     "timeout", "exit 3", "HTTP 503", ... */
	int code;         /* exit code, HTTP status or errno; 0 if none */
	uint64_t at_ms;   /* when it came */
	unsigned took_ms; /* how long the run took */
};

/* Called after every result (chk_last()); changed: it changed the
 * check's state (chk_state()). */
typedef void (*chk_change_cb)(struct chk *c, bool changed, void *arg);

/* Children started within the current loop millisecond (exec pacing:
 * heartbeats due meanwhile wait for at most CHK_SPAWN_BURST forks). */
#define CHK_SPAWN_BURST 1
struct chk_pace {
	uint64_t at_ms;
	unsigned n;
};

/* Shared by the checks of one daemon: the loop, the children. */
struct chk_env {
	struct ev_loop *loop;
	struct spawn_set *spawn; /* for CHK_EXEC; may be NULL otherwise */
	struct chk_pace *pace;   /* caller-owned; NULL: no pacing */
};

/*
 * A check on env's loop, stopped until chk_start.  def is copied.  NULL
 * with errno: ENOMEM, EINVAL (a kind this build cannot run, a bad def),
 * ENOTSUP (CHK_HTTP without libcurl).
 */
struct chk *chk_new(const struct chk_env *env, const struct chk_def *def,
                    chk_change_cb cb, void *arg);
/* Stop it (a running child is killed, a socket closed) and free it. */
void chk_free(struct chk *c);
/* First run now, then every interval_ms (a run never overlaps itself);
 * no-op once started. */
void chk_start(struct chk *c);

const char *chk_name(const struct chk *c);
enum chk_kind chk_kind(const struct chk *c);
/* "tcp", "http", "exec", "process", "interface", "file". */
const char *chk_kind_name(enum chk_kind k);
enum chk_state chk_state(const struct chk *c);
/* The counters and the state; never NULL. */
const struct chk_sm *chk_counts(const struct chk *c);
/* The last result; at_ms 0 when none yet. */
const struct chk_result *chk_last(const struct chk *c);
/* Results so far: passed (ok) or failed. */
uint64_t chk_results(const struct chk *c, bool ok);

/* Start from state s instead of CHK_UNKNOWN (a check that replaces one of
 * the same name on reload: its groups do not blink); before chk_start. */
void chk_seed(struct chk *c, enum chk_state s);

/* CHK_EXEC: the environment of the next runs (a running child keeps its
 * own); envp is copied.  -1 with ENOMEM (the old one stays). */
int chk_env_set(struct chk *c, const char *const *envp);

/*
 * The exec rule (keepalived's script security): true, with "refused:
 * PATH is ..." in why, when program or a directory above it is writable
 * by others (sticky directories excepted), by a group other than root's,
 * or owned by someone else than root or runner.  A missing file is not
 * refused here (running it fails).
 */
bool chk_exec_unsafe(const char *program, uid_t runner, char *why, size_t len);

/* CHK_INTERFACE: the link's state changed (or is first known); the check
 * runs at once on it.  No-op for other kinds. */
void chk_link_set(struct chk *c, bool present, bool up);

#endif
