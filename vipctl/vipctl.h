/*
 * vipctl's internal header: the request helpers (request.c) and the
 * commands that format an answer (status.c, metrics.c).  main.c dispatches
 * from ctlproto's command table.
 */
#ifndef VIPD_VIPCTL_H
#define VIPD_VIPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctljson.h"
#include "ctlproto.h"

/* Exit status: 0 success, 1 the daemon refused or the request failed,
 * 2 bad usage, 3 the daemon could not be reached. */
enum { EX_OK = 0, EX_FAIL = 1, EX_USAGE = 2, EX_UNREACHABLE = 3 };

/*
 * Send req to the daemon at the socket path and parse its answer, which
 * must be a JSON object.  Returns it (the caller decrefs), with the raw
 * text in *raw when raw is not NULL (the caller frees it); or NULL with
 * the problem printed on stderr and the exit status in *ex.
 */
json_t *vipctl_request(const char *path, const struct ctl_req *req, char **raw,
                       int *ex);

/*
 * Connect to the daemon at the socket path (5 s send and receive
 * timeouts); the fd, or -1 with the problem printed and the exit status
 * in *ex.
 */
int vipctl_connect(const char *path, int *ex);

/*
 * Print a refused request (its "error", then each of its "errors") on
 * stderr.  Returns EX_FAIL.
 */
int vipctl_refused(const json_t *v);

/*
 * A duration in ms as vipctl shows it ("850ms", "4.2s", "3m05s",
 * "2h07m"; "-" when ms < 0), into buf.
 */
void vipctl_duration(int64_t ms, char *buf, size_t len);

/*
 * Commands that run their own exchange: status (the text summary) and
 * release (which follows the handover).  Each returns the exit status.
 */
int vipctl_status(const char *path, const struct ctl_req *req, bool json);
int vipctl_release(const char *path, const struct ctl_req *req, bool json);

/*
 * vipctl doctor [GROUP]: argv[0] is "doctor".  Loads the configuration at
 * conf_path, checks the host and, when a daemon answers on sock (NULL:
 * the configuration's control.socket), its live view.  Returns 0 when no
 * error was found, 1 when some were, 2 when doctor could not run.
 */
int vipctl_doctor(const char *conf_path, const char *sock, int argc,
                  char **argv, bool json);

/* The text form of a successful metrics answer (Prometheus text). */
void vipctl_print_metrics(json_t *v);

/* The text form of an events answer: one line per event (events.c). */
void vipctl_print_events(json_t *v);
/* watch: print each event the daemon streams as one JSON line, until the
 * daemon closes the connection (exit status EX_FAIL then). */
int vipctl_watch(const char *path, const struct ctl_req *req, bool json);

#endif
