/*
 * The daemon's CPU scheduling (process.realtime_priority, process.nice;
 * keepalived's vrrp_rt_priority and vrrp_priority).  Heartbeats are sent
 * from the one loop: when busy processes share the CPU (40 status clients
 * on 2 cores), a default-scheduled vipd waits its turn and its heartbeats
 * go out up to 130 ms late; at SCHED_RR it preempts them.
 *
 * Set once at start-up, before privileges are dropped, always with
 * SCHED_RESET_ON_FORK: children (exec checks, notify scripts) and threads
 * a library starts run SCHED_OTHER, and at nice 0 when vipd's is negative.
 * A setting already in effect (systemd's CPUSchedulingPolicy= and Nice=,
 * chrt, nice) is left alone, so no privilege is needed for it.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "vipd.h"

/* The hint after a refusal: what vipd lacks. */
static const char *
why_refused(int err)
{
	if (err != EPERM && err != EACCES)
		return "";
	return " (vipd needs root or CAP_SYS_NICE, and its cgroup real-time "
	       "CPU time; under systemd, set CPUSchedulingPolicy=, "
	       "CPUSchedulingPriority=, CPUSchedulingResetOnFork=yes and Nice= "
	       "in the unit instead, see vipd(8))";
}

/* The nice value, or 0 with errno set when it cannot be read. */
static int
nice_get(bool *ok)
{
	int v;

	errno = 0;
	v = getpriority(PRIO_PROCESS, 0);
	*ok = !(v == -1 && errno != 0);
	return *ok ? v : 0;
}

/* True when policy (without its flags), priority and reset on fork
 * already are what is asked. */
static bool
policy_in_effect(int policy, int prio)
{
	struct sched_param sp;
	int cur = sched_getscheduler(0);

	if (cur == -1 || !(cur & SCHED_RESET_ON_FORK) ||
	    (cur & ~SCHED_RESET_ON_FORK) != policy)
		return false;
	return sched_getparam(0, &sp) == 0 && sp.sched_priority == prio;
}

int
cpusched_apply(const struct conf *c, char *err, size_t errlen)
{
	int policy = c->rt_priority > 0 ? SCHED_RR : SCHED_OTHER;
	struct sched_param sp = {.sched_priority = (int)c->rt_priority};
	bool ok;

	if (c->rt_priority == 0 && c->nice == 0)
		return 0;
	if (c->nice != 0 && (nice_get(&ok) != c->nice || !ok) &&
	    setpriority(PRIO_PROCESS, 0, c->nice) == -1) {
		snprintf(err, errlen, "process.nice = %d: %s%s", c->nice,
		         strerror(errno),
		         c->nice < 0 ? why_refused(errno) : "");
		return -1;
	}
	if (!policy_in_effect(policy, sp.sched_priority) &&
	    sched_setscheduler(0, policy | SCHED_RESET_ON_FORK, &sp) == -1) {
		if (c->rt_priority > 0)
			snprintf(err, errlen,
			         "process.realtime_priority = %u: SCHED_RR "
			         "refused: %s%s",
			         c->rt_priority, strerror(errno),
			         why_refused(errno));
		else
			snprintf(err, errlen,
			         "process.nice = %d: SCHED_RESET_ON_FORK "
			         "refused: %s%s",
			         c->nice, strerror(errno), why_refused(errno));
		return -1;
	}
	log_info("CPU scheduling: %s priority %d, nice %d (children reset "
	         "to SCHED_OTHER)",
	         c->rt_priority ? "SCHED_RR" : "SCHED_OTHER", sp.sched_priority,
	         nice_get(&ok));
	return 0;
}

static const char *
policy_name(int policy)
{
	switch (policy) {
	case SCHED_OTHER:
		return "other";
	case SCHED_FIFO:
		return "fifo";
	case SCHED_RR:
		return "rr";
	case SCHED_BATCH:
		return "batch";
	case SCHED_IDLE:
		return "idle";
	}
	return "unknown";
}

json_t *
cpusched_json(void)
{
	struct sched_param sp = {0};
	int cur = sched_getscheduler(0);
	bool ok;
	int nice = nice_get(&ok);

	if (cur == -1 || sched_getparam(0, &sp) == -1)
		cur = -1;
	return json_pack(
	    "{s:s,s:I,s:I,s:b}", "policy",
	    cur == -1 ? "unknown" : policy_name(cur & ~SCHED_RESET_ON_FORK),
	    "priority", (json_int_t)sp.sched_priority, "nice", (json_int_t)nice,
	    "reset_on_fork", cur != -1 && (cur & SCHED_RESET_ON_FORK) != 0);
}
