/*
 * A minimal TAP producer for unit tests (read by automake's tap-driver.sh).
 * Header-only so that each test links only the module under test.
 */
#ifndef VIPD_TAP_H
#define VIPD_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)

#define is_int(got, want, ...)                                                 \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		if (!tap_ok(g_ == w_, __VA_ARGS__))                            \
			printf("#   got %lld, want %lld (%s:%d)\n", g_, w_,    \
			       __FILE__, __LINE__);                            \
	} while (0)

#define is_str(got, want, ...)                                                 \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (!tap_ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))     \
			printf("#   got  \"%s\"\n#   want \"%s\" (%s:%d)\n",   \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)",         \
			       __FILE__, __LINE__);                            \
	} while (0)

/* Run fn in a child process: true when it returns there (the child exits
 * 0), false when it crashes, aborts or cannot be run.  For calls whose only
 * observable effect is not crashing, such as x_free(NULL). */
__attribute__((unused)) static int
tap_child_returns(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

__attribute__((unused)) static void
tap_diag(const char *msg)
{
	printf("# %s\n", msg);
}

__attribute__((unused)) static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
