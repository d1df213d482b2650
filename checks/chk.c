/*
 * A check's life on the loop: one timer for the next run, one for the
 * running one's timeout; a run never overlaps the previous one; each result
 * goes through the rise/fall counter.  The kinds are in chk_run.c,
 * chk_proc.c, chk_exec.c and chk_http*.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chk_int.h"

static const struct chk_ops *
ops_of(enum chk_kind k)
{
	switch (k) {
	case CHK_TCP:
		return &chk_tcp_ops;
	case CHK_HTTP:
		return &chk_http_ops;
	case CHK_EXEC:
		return &chk_exec_ops;
	case CHK_PROCESS:
		return &chk_proc_ops;
	case CHK_INTERFACE:
		return &chk_link_ops;
	case CHK_FILE:
		return &chk_file_ops;
	}
	return NULL;
}

const char *
chk_kind_name(enum chk_kind k)
{
	static const char *const names[] = {"tcp",     "http",      "exec",
	                                    "process", "interface", "file"};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static void
on_deadline(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct chk *c = arg;

	(void)loop;
	(void)t;
	if (!c->running)
		return;
	ops_of(c->def.kind)->cancel(c);
	chk_done(c, false, 0, "timeout after %u ms", c->def.timeout_ms);
}

static void
on_tick(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
	struct chk *c = arg;

	(void)t;
	if (c->running)
		return;
	c->running = true;
	c->run_start = ev_now(loop);
	/* exec has the child's own timeout (its process group is killed). */
	if (c->def.kind != CHK_EXEC)
		ev_timer_start_in(loop, &c->deadline, c->def.timeout_ms);
	ops_of(c->def.kind)->run(c);
}

void
chk_run_soon(struct chk *c)
{
	if (!c->running)
		ev_timer_start_in(c->env.loop, &c->tick, 0);
}

void
chk_done(struct chk *c, bool ok, int code, const char *fmt, ...)
{
	uint64_t now = ev_now(c->env.loop), next;
	va_list ap;
	bool changed;

	if (!c->running)
		return;
	c->running = false;
	ev_timer_stop(c->env.loop, &c->deadline);
	c->last.ok = ok;
	c->last.code = code;
	c->last.at_ms = now;
	c->last.took_ms = (unsigned)(now - c->run_start);
	va_start(ap, fmt);
	vsnprintf(c->last.reason, sizeof(c->last.reason), fmt, ap);
	va_end(ap);
	if (ok)
		c->nok++;
	else
		c->nfail++;
	next = c->run_start + c->def.interval_ms;
	if (c->nok + c->nfail == 1)
		next += c->def.phase_ms % c->def.interval_ms;
	ev_timer_start(c->env.loop, &c->tick, next > now ? next : now);
	changed = chk_sm_result(&c->sm, ok, now);
	if (c->cb != NULL)
		c->cb(c, changed, c->arg);
}

/* ---------------------------------------------------------- copies */

static char *
dup_or_null(const char *s, bool *bad)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*bad = true;
	return d;
}

static const char *const *
dup_vec(const char *const *v, bool *bad)
{
	size_t n = 0, i;
	char **d;

	if (v == NULL)
		return NULL;
	while (v[n] != NULL)
		n++;
	if ((d = calloc(n + 1, sizeof(*d))) == NULL) {
		*bad = true;
		return NULL;
	}
	for (i = 0; i < n; i++)
		d[i] = dup_or_null(v[i], bad);
	return (const char *const *)d;
}

static void
free_vec(const char *const *v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free((char *)v[i]);
	free((void *)v);
}

static void
def_free(struct chk_def *d)
{
	free((char *)d->name);
	free((char *)d->path);
	free((char *)d->ifname);
	free((char *)d->process);
	free((char *)d->cmdline);
	free((char *)d->url);
	free((char *)d->host);
	free((char *)d->ca_file);
	free((unsigned *)d->expect);
	free_vec(d->argv);
	free_vec(d->envp);
}

static bool
def_copy(struct chk_def *d, const struct chk_def *s)
{
	bool bad = false;

	*d = *s;
	d->name = dup_or_null(s->name ? s->name : "", &bad);
	d->path = dup_or_null(s->path, &bad);
	d->ifname = dup_or_null(s->ifname, &bad);
	d->process = dup_or_null(s->process, &bad);
	d->cmdline = dup_or_null(s->cmdline, &bad);
	d->url = dup_or_null(s->url, &bad);
	d->host = dup_or_null(s->host, &bad);
	d->ca_file = dup_or_null(s->ca_file, &bad);
	d->expect = NULL;
	if (s->nexpect > 0) {
		unsigned *e = calloc(s->nexpect, sizeof(*e));

		if (e != NULL)
			memcpy(e, s->expect, s->nexpect * sizeof(*e));
		else
			bad = true;
		d->expect = e;
	}
	d->argv = dup_vec(s->argv, &bad);
	d->envp = dup_vec(s->envp, &bad);
	return !bad;
}

static bool
def_valid(const struct chk_def *d)
{
	if (d->interval_ms == 0 || d->timeout_ms == 0)
		return false;
	switch (d->kind) {
	case CHK_TCP:
		return d->addrlen > 0 && d->addrlen <= sizeof(d->addr);
	case CHK_FILE:
		return d->path != NULL;
	case CHK_INTERFACE:
		return d->ifname != NULL;
	case CHK_PROCESS:
		return d->process != NULL && d->process[0] != '\0';
	case CHK_EXEC:
		return d->argv != NULL && d->argv[0] != NULL &&
		       d->argv[0][0] == '/';
	case CHK_HTTP:
		return d->url != NULL;
	}
	return false;
}

struct chk *
chk_new(const struct chk_env *env, const struct chk_def *def, chk_change_cb cb,
        void *arg)
{
	struct chk *c;

	if (!def_valid(def) || (def->kind == CHK_EXEC && env->spawn == NULL)) {
		errno = EINVAL;
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->env = *env;
	c->cb = cb;
	c->arg = arg;
	c->fd = -1;
	c->pidfd = -1;
	if (!def_copy(&c->def, def)) {
		def_free(&c->def);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	chk_sm_init(&c->sm, def->rise, def->fall, ev_now(env->loop));
	ev_timer_init(&c->tick, on_tick, c);
	ev_timer_init(&c->deadline, on_deadline, c);
	if (def->kind == CHK_HTTP && chk_http_init(c) == -1) {
		int e = errno;

		def_free(&c->def);
		free(c);
		errno = e;
		return NULL;
	}
	return c;
}

void
chk_free(struct chk *c)
{
	const struct chk_ops *ops;

	if (c == NULL)
		return;
	ops = ops_of(c->def.kind);
	if (c->running)
		ops->cancel(c);
	if (ops->free != NULL)
		ops->free(c);
	ev_timer_stop(c->env.loop, &c->tick);
	ev_timer_stop(c->env.loop, &c->deadline);
	def_free(&c->def);
	free(c);
}

void
chk_start(struct chk *c)
{
	if (c->started)
		return;
	c->started = true;
	chk_run_soon(c);
}

const char *
chk_name(const struct chk *c)
{
	return c->def.name;
}

enum chk_kind
chk_kind(const struct chk *c)
{
	return c->def.kind;
}

enum chk_state
chk_state(const struct chk *c)
{
	return c->sm.state;
}

const struct chk_sm *
chk_counts(const struct chk *c)
{
	return &c->sm;
}

const struct chk_result *
chk_last(const struct chk *c)
{
	return &c->last;
}

uint64_t
chk_results(const struct chk *c, bool ok)
{
	return ok ? c->nok : c->nfail;
}

void
chk_seed(struct chk *c, enum chk_state s)
{
	c->sm.state = s;
}

int
chk_env_set(struct chk *c, const char *const *envp)
{
	const char *const *v;
	bool bad = false;

	v = dup_vec(envp, &bad);
	if (bad) {
		free_vec(v);
		errno = ENOMEM;
		return -1;
	}
	free_vec(c->def.envp);
	c->def.envp = v;
	return 0;
}

void
chk_link_set(struct chk *c, bool present, bool up)
{
	bool changed;

	if (c->def.kind != CHK_INTERFACE)
		return;
	changed =
	    !c->link_known || c->link_present != present || c->link_up != up;
	c->link_known = true;
	c->link_present = present;
	c->link_up = up;
	if (changed)
		chk_run_soon(c);
}
