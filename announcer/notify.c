/*
 * Notify hooks: on every change of a group's state as keepalived names it
 * (MASTER, BACKUP, FAULT, STOP), run the group's notify script with
 * keepalived's arguments ("GROUP" name STATE priority) and vipd's own
 * environment, and write one line to the notify FIFO.
 *
 * Scripts of one group run one at a time, in order, from a queue that
 * lives here by group name (a reload may free the group meanwhile): a
 * slow script delays the next notification of its group and nothing
 * else; the election and the announcements never wait (net/spawn.h runs
 * them from the loop).  Each run is bounded by the group's
 * notify_timeout_ms (its process group is then killed).  The FIFO is
 * written without blocking: no reader, or a full pipe, drops the line
 * (counted).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn.h"
#include "vipd.h"

#define NOTIFY_QUEUE_MAX 16          /* waiting per group, beyond: dropped */
#define NOTIFY_VIPS_MAX  (64 * 1024) /* VIPD_VIPS, truncated at a VIP */
#define NOTIFY_PATH                                                            \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum {
	NE_GROUP,
	NE_STATE,
	NE_PREV,
	NE_REASON,
	NE_VIPS,
	NE_IF,
	NE_NODE,
	NE_PRIO,
	NE_PATH,
	NE_MAX
};

struct notify_job {
	struct notify_job *next;
	char *argv[6]; /* script "GROUP" name WORD priority NULL */
	char *envp[NE_MAX + 1];
	uint64_t timeout_ms;
};

struct notify_queue {
	struct notify *n;
	struct notify_queue *next;
	char name[CONF_NAME_MAX];
	const char *word;  /* last keepalived word notified, NULL = none */
	const char *state; /* ... and vipd's */
	struct notify_job *head, *tail; /* waiting */
	size_t len;
	struct notify_job *cur; /* running */
	struct spawn_child *child;
};

struct notify {
	struct vipd *d;
	struct spawn_set *set;
	struct notify_queue *queues;
	int fifo_fd;
	bool fifo_failing; /* logged once per episode */
	bool draining;
	struct ev_timer drain_timer;
};

static void queue_run(struct notify *n, struct notify_queue *q);

/* ------------------------------------------------------------ names */

/* keepalived's word and vipd's for a state (STOP when stop). */
static void
state_words(enum el_state s, bool stop, const char **word, const char **state)
{
	if (stop) {
		*word = "STOP";
		*state = "stopping";
		return;
	}
	switch (s) {
	case EL_ST_LEADER:
	case EL_ST_RESIGNING: /* still answering until the successor does */
		*word = "MASTER";
		*state = "leader";
		return;
	case EL_ST_FAULT:
		*word = "FAULT";
		*state = "fault";
		return;
	case EL_ST_BACKUP:
	case EL_ST_LISTEN:
		break;
	}
	*word = "BACKUP";
	*state = "backup";
}

/* ------------------------------------------------------------- jobs */

static void
job_free(struct notify_job *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < 5; i++)
		free(j->argv[i]);
	for (i = 0; i < NE_MAX; i++)
		free(j->envp[i]);
	free(j);
}

static char *str_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *
str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	return s;
}

/* "VIPD_VIPS=a b c", cut at a VIP past NOTIFY_VIPS_MAX bytes. */
static char *
vips_env(const struct vgroup *g)
{
	size_t i, len = strlen("VIPD_VIPS=");
	char *s = malloc(NOTIFY_VIPS_MAX + NET_ADDR_STRLEN + 2);

	if (s == NULL)
		return NULL;
	memcpy(s, "VIPD_VIPS=", len + 1);
	for (i = 0; i < g->nvips && len < NOTIFY_VIPS_MAX; i++) {
		char a[NET_ADDR_STRLEN];

		net_addr_str(&g->vips[i].addr, a, sizeof(a));
		len += (size_t)sprintf(s + len, "%s%s", i ? " " : "", a);
	}
	return s;
}

/* The priority a script and the FIFO are told: the effective one (the
 * group's with its checks' weights, as keepalived passes it). */
static unsigned
prio_of(const struct vgroup *g)
{
	return g->eff_priority ? g->eff_priority : g->cg.priority;
}

static struct notify_job *
job_new(const struct vgroup *g, const char *word, const char *state,
        const char *prev, const char *why)
{
	struct notify_job *j = calloc(1, sizeof(*j));
	size_t i;

	if (j == NULL)
		return NULL;
	j->timeout_ms = g->cg.notify_timeout_ms;
	j->argv[0] = strdup(g->cg.notify);
	j->argv[1] = strdup("GROUP");
	j->argv[2] = strdup(g->cg.name);
	j->argv[3] = strdup(word);
	j->argv[4] = str_printf("%u", prio_of(g));
	j->envp[NE_GROUP] = str_printf("VIPD_GROUP=%s", g->cg.name);
	j->envp[NE_STATE] = str_printf("VIPD_STATE=%s", state);
	j->envp[NE_PREV] = str_printf("VIPD_PREV_STATE=%s", prev);
	j->envp[NE_REASON] = str_printf("VIPD_REASON=%s", why);
	j->envp[NE_VIPS] = vips_env(g);
	j->envp[NE_IF] = str_printf("VIPD_INTERFACE=%s", g->cg.interface);
	j->envp[NE_NODE] = str_printf("VIPD_NODE=%s", g->d->cfg->node_id);
	j->envp[NE_PRIO] = str_printf("VIPD_PRIORITY=%u", prio_of(g));
	j->envp[NE_PATH] = strdup(NOTIFY_PATH);
	for (i = 0; i < 5; i++)
		if (j->argv[i] == NULL)
			goto fail;
	for (i = 0; i < NE_MAX; i++)
		if (j->envp[i] == NULL)
			goto fail;
	return j;
fail:
	job_free(j);
	return NULL;
}

/* ----------------------------------------------------------- queues */

static struct notify_queue *
queue_get(struct notify *n, const char *name)
{
	struct notify_queue *q;

	for (q = n->queues; q != NULL; q = q->next)
		if (strcmp(q->name, name) == 0)
			return q;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->n = n;
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->next = n->queues;
	n->queues = q;
	return q;
}

/* Count on the group when it still exists (a reload may have freed it). */
static void
group_count(struct notify *n, const char *name, enum ctl_group_ctr c)
{
	struct vgroup *g = group_find(n->d, name);

	if (g != NULL)
		g->ctr[c]++;
}

size_t
notify_pending(const struct notify *n)
{
	const struct notify_queue *q;
	size_t k = 0;

	if (n == NULL)
		return 0;
	for (q = n->queues; q != NULL; q = q->next)
		k += q->len + (q->cur != NULL);
	return k;
}

static void
drain_check(struct notify *n)
{
	if (n->draining && notify_pending(n) == 0) {
		n->draining = false;
		ev_timer_stop(n->d->loop, &n->drain_timer);
		ev_loop_break(n->d->loop);
	}
}

static void
on_script_done(struct spawn_child *c, const struct spawn_result *res, void *arg)
{
	struct notify_queue *q = arg;
	struct notify *n = q->n;
	struct notify_job *j = q->cur;
	struct vgroup *g;
	char text[160];

	(void)c;
	q->child = NULL;
	q->cur = NULL;
	if (res->status != SPAWN_EXITED || res->code != 0) {
		spawn_result_str(res, text, sizeof(text));
		log_warnx("group %s: notify %s %s: %s", q->name, j->argv[0],
		          j->argv[3], text);
		group_count(n, q->name, CTL_GC_NOTIFY_FAILURES);
		g = group_find(n->d, q->name);
		vipd_event(n->d, EVK_NOTIFY_FAILED, g, -1, -1, "%s %s: %s",
		           j->argv[0], j->argv[3], text);
	} else {
		log_debug("group %s: notify %s %s: ok in %llu ms", q->name,
		          j->argv[0], j->argv[3],
		          (unsigned long long)res->runtime_ms);
	}
	job_free(j);
	queue_run(n, q);
	drain_check(n);
}

/* Start the next waiting script of q, unless one runs. */
static void
queue_run(struct notify *n, struct notify_queue *q)
{
	struct notify_job *j;
	struct spawn_cmd cmd;

	while (q->cur == NULL && (j = q->head) != NULL) {
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->len--;
		memset(&cmd, 0, sizeof(cmd));
		cmd.argv = (const char *const *)j->argv;
		cmd.envp = (const char *const *)j->envp;
		cmd.timeout_ms = j->timeout_ms;
		q->cur = j;
		group_count(n, q->name, CTL_GC_NOTIFY_RUNS);
		q->child = spawn_start(n->set, &cmd, on_script_done, q);
		if (q->child == NULL) {
			/* No memory for the handle: counted, next one. */
			log_warn("group %s: notify %s", q->name, j->argv[0]);
			group_count(n, q->name, CTL_GC_NOTIFY_FAILURES);
			q->cur = NULL;
			job_free(j);
		}
	}
}

static void
queue_push(struct notify *n, struct notify_queue *q, struct notify_job *j)
{
	if (q->len >= NOTIFY_QUEUE_MAX) {
		/* A script hangs while the group flaps: the oldest waiting
		 * change goes, the latest state is still told. */
		struct notify_job *old = q->head;

		q->head = old->next;
		q->len--;
		log_warnx("group %s: notify: %zu notifications waiting; "
		          "dropped %s",
		          q->name, (size_t)NOTIFY_QUEUE_MAX, old->argv[3]);
		group_count(n, q->name, CTL_GC_NOTIFY_DROPPED);
		job_free(old);
	}
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->len++;
	queue_run(n, q);
}

/* ------------------------------------------------------------- FIFO */

static void
fifo_failed(struct notify *n, const char *what)
{
	n->d->ctr[CTL_DC_NOTIFY_FIFO_DROPPED]++;
	if (!n->fifo_failing)
		log_warnx("notify FIFO %s: %s: %s; lines are dropped until "
		          "it is read",
		          n->d->cfg->notify_fifo, what, strerror(errno));
	n->fifo_failing = true;
}

/* One line, keepalived's format, never blocking. */
static void
fifo_write(struct notify *n, const struct vgroup *g, const char *word)
{
	const char *path = n->d->cfg->notify_fifo;
	char line[CONF_NAME_MAX + 64];
	int len;
	ssize_t w;

	if (path[0] == '\0')
		return;
	if (n->fifo_fd == -1) {
		n->fifo_fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (n->fifo_fd == -1) {
			fifo_failed(n, "open");
			return;
		}
	}
	len = snprintf(line, sizeof(line), "GROUP \"%s\" %s %u\n", g->cg.name,
	               word, prio_of(g));
	/* Shorter than PIPE_BUF: written whole or not at all. */
	w = write(n->fifo_fd, line, (size_t)len);
	if (w == len) {
		n->d->ctr[CTL_DC_NOTIFY_FIFO_LINES]++;
		n->fifo_failing = false;
		return;
	}
	if (w == -1 && errno != EAGAIN) {
		/* EPIPE: the reader left; open again next time. */
		close(n->fifo_fd);
		n->fifo_fd = -1;
	}
	fifo_failed(n, "write");
}

/* --------------------------------------------------------- the hooks */

/* Tell g's state (STOP when stop) when its keepalived word changed. */
static void
notify_state(struct vgroup *g, enum el_state s, bool stop, const char *why)
{
	struct notify *n = g->d->notify;
	struct notify_queue *q;
	struct notify_job *j;
	const char *word, *state;

	if (n == NULL)
		return;
	state_words(s, stop, &word, &state);
	if ((q = queue_get(n, g->cg.name)) == NULL) {
		log_warnx("group %s: notify: out of memory", g->cg.name);
		return;
	}
	if (q->word != NULL && strcmp(q->word, word) == 0)
		return;
	fifo_write(n, g, word);
	if (g->cg.notify[0] != '\0') {
		j = job_new(g, word, state, q->state ? q->state : "", why);
		if (j == NULL) {
			log_warnx("group %s: notify: out of memory",
			          g->cg.name);
			group_count(n, g->cg.name, CTL_GC_NOTIFY_FAILURES);
		} else {
			queue_push(n, q, j);
		}
	}
	q->word = word;
	q->state = state;
}

/* The group's state as the election has it now. */
static enum el_state
group_state(const struct vgroup *g)
{
	struct el_group_info gi;

	el_cluster_group_info(g->d->el, g->el_idx, ev_now(g->d->loop), &gi);
	return gi.state;
}

void
notify_group_state(struct vgroup *g, enum el_state to, const char *why)
{
	notify_state(g, to, g->d->finishing, why);
}

void
notify_start(struct vipd *d)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] != NULL)
			notify_state(d->groups[i], group_state(d->groups[i]),
			             false, "vipd started");
}

void
notify_group_added(struct vgroup *g)
{
	notify_state(g, group_state(g), false, "added by a reload");
}

void
notify_group_removed(struct vgroup *g)
{
	notify_state(g, EL_ST_FAULT, true, "removed by a reload");
}

static void
on_drain_timeout(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct notify *n = arg;

	(void)t;
	log_warnx("stop: %zu notify script%s still queued or running; "
	          "killing them",
	          notify_pending(n), notify_pending(n) == 1 ? "" : "s");
	n->draining = false;
	ev_loop_break(loop);
}

void
notify_stop(struct vipd *d)
{
	struct notify *n = d->notify;
	uint64_t longest = 0;
	size_t i;

	if (n == NULL) {
		ev_loop_break(d->loop);
		return;
	}
	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL)
			continue;
		notify_state(g, EL_ST_FAULT, true, "vipd is stopping");
		if (g->cg.notify_timeout_ms > longest)
			longest = g->cg.notify_timeout_ms;
	}
	if (notify_pending(n) == 0) {
		ev_loop_break(d->loop);
		return;
	}
	log_info("stop: waiting for %zu notify script%s", notify_pending(n),
	         notify_pending(n) == 1 ? "" : "s");
	n->draining = true;
	ev_timer_start_in(d->loop, &n->drain_timer, 2 * longest + 500);
}

/* keepalived creates its FIFO too; a consumer may then start after vipd.
 * Something else at the path is left alone. */
static void
fifo_make(const char *fifo)
{
	struct stat st;

	if (fifo[0] != '\0' && lstat(fifo, &st) == -1 && errno == ENOENT &&
	    mkfifo(fifo, 0600) == -1)
		log_warn("notify FIFO %s", fifo);
}

void
notify_reload(struct vipd *d, const char *old_fifo)
{
	struct notify *n = d->notify;

	if (n == NULL || strcmp(old_fifo, d->cfg->notify_fifo) == 0)
		return;
	if (n->fifo_fd != -1)
		close(n->fifo_fd);
	n->fifo_fd = -1;
	n->fifo_failing = false;
	fifo_make(d->cfg->notify_fifo);
	log_info("notify FIFO: %s (was %s)",
	         d->cfg->notify_fifo[0] ? d->cfg->notify_fifo : "none",
	         old_fifo[0] ? old_fifo : "none");
}

struct notify *
notify_new(struct vipd *d)
{
	struct notify *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->d = d;
	n->fifo_fd = -1;
	ev_timer_init(&n->drain_timer, on_drain_timeout, n);
	if ((n->set = spawn_set_new(d->loop)) == NULL) {
		free(n);
		return NULL;
	}
	fifo_make(d->cfg->notify_fifo);
	return n;
}

void
notify_free(struct notify *n)
{
	struct notify_queue *q;

	if (n == NULL)
		return;
	spawn_set_free(n->set);
	while ((q = n->queues) != NULL) {
		struct notify_job *j;

		n->queues = q->next;
		while ((j = q->head) != NULL) {
			q->head = j->next;
			job_free(j);
		}
		job_free(q->cur);
		free(q);
	}
	ev_timer_stop(n->d->loop, &n->drain_timer);
	if (n->fifo_fd != -1)
		close(n->fifo_fd);
	free(n);
}

/* One script: its problem on stderr; 1 for an error, else 0. */
static int
check_script(const struct conf_group *cg)
{
	struct stat st;
	const char *why = NULL;

	if (stat(cg->notify, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (access(cg->notify, X_OK) == -1)
		why = "not executable";
	if (why != NULL) {
		fprintf(stderr, "%s:%d: groups[%zu].notify: %s: %s\n", cg->file,
		        cg->line, cg->index, cg->notify, why);
		return 1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		fprintf(stderr,
		        "%s:%d: groups[%zu].notify: warning: %s is writable "
		        "by group or others, who could run code as vipd\n",
		        cg->file, cg->line, cg->index, cg->notify);
	return 0;
}

int
notify_check(const struct conf *cfg)
{
	int errors = 0;
	size_t i, k;

	for (i = 0; i < cfg->ngroups; i++) {
		const struct conf_group *cg = &cfg->groups[i];

		if (cg->notify[0] == '\0')
			continue;
		/* Each script once, at the first group using it. */
		for (k = 0; k < i; k++)
			if (strcmp(cfg->groups[k].notify, cg->notify) == 0)
				break;
		if (k == i)
			errors += check_script(cg);
	}
	return errors;
}
