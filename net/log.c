/*
 * Logging: a tiny OpenBSD-style API.  Foreground daemons log to stderr with
 * a monotonic-ish timestamp; background daemons log to syslog (and, while
 * they start, to the terminal too).  When stderr is the journal (systemd
 * sets JOURNAL_STREAM to its device:inode), lines carry their priority as
 * "<N>" instead of the time, which the journal records itself.  The
 * logger's four variables are the only mutable globals of vipd.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

static bool log_foreground = true;
static bool log_tee;
static int log_verbose;
static bool log_journal;

void
log_tee_stderr(bool on)
{
	log_tee = on;
}

/* JOURNAL_STREAM is "device:inode" of the journal's socket. */
static bool
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void
log_init(bool foreground, int verbose, const char *ident)
{
	log_foreground = foreground;
	log_verbose = verbose;
	log_journal = foreground && stderr_is_journal();
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
log_emit(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal) {
		fprintf(stderr, "<%d>%s%s\n", pri, msg, suffix ? suffix : "");
		fflush(stderr);
	} else if (log_foreground) {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s%s%s\n", when, ts.tv_nsec / 1000000,
		        pri <= LOG_ERR       ? "error: "
		        : pri == LOG_WARNING ? "warning: "
		        : pri == LOG_DEBUG   ? "debug: "
		                             : "",
		        msg, suffix ? suffix : "");
		fflush(stderr);
	} else {
		syslog(pri, "%s%s", msg, suffix ? suffix : "");
		if (log_tee) {
			fprintf(stderr, "vipd: %s%s\n", msg,
			        suffix ? suffix : "");
			fflush(stderr);
		}
	}
}

void
log_warn(const char *fmt, ...)
{
	char suffix[256];
	va_list ap;
	int saved = errno;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(saved));
	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, suffix);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char suffix[256];
	va_list ap;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(errno));
	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, suffix);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
