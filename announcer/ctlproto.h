/*
 * The control protocol between vipctl and vipd, over a Unix stream socket.
 *
 * The client sends one request line ("status\n", "metrics\n",
 * "release GROUP\n", "reload\n", "ping\n"), at most CTL_REQ_MAX bytes
 * before its "\n" (or "\r\n").  Words are separated by spaces; GROUP is
 * 1 to CTL_ARG_MAX - 1 characters of A-Z a-z 0-9 . _ -.  The daemon
 * answers with one JSON object followed by "\n" and closes the
 * connection.  Every answer has "ok" (boolean); a failed request has
 * "error" (a sentence) and, for reload, "errors" (the config errors, each
 * "file:line: key: message").  The keys of each answer are documented in
 * doc/vipctl.8.  Pure: no I/O here.
 */
#ifndef VIPD_CTLPROTO_H
#define VIPD_CTLPROTO_H

#include <stddef.h>

#define CTL_REQ_MAX 256
#define CTL_ARG_MAX 64

enum ctl_cmd {
	CTL_STATUS,
	CTL_METRICS,
	CTL_RELEASE,
	CTL_RELOAD,
	CTL_PING,
};

struct ctl_req {
	enum ctl_cmd cmd;
	char arg[CTL_ARG_MAX];
};

/*
 * Parse one request line (without or with its trailing newline).  Returns 0
 * and fills out, or -1 with a readable reason in err (unknown command,
 * missing or extra argument, bad character, too long).
 */
int ctl_req_parse(const char *line, size_t len, struct ctl_req *out, char *err,
                  size_t errlen);

/*
 * The request line for req, into buf; returns its length, or -1 when req
 * is not a valid request (an argument that ctl_req_parse() would refuse,
 * or one given to a command without) or buf is too small.
 */
int ctl_req_format(const struct ctl_req *req, char *buf, size_t len);

/* 0 when arg is a valid GROUP argument, or -1 with the reason in err. */
int ctl_arg_check(const char *arg, char *err, size_t errlen);

#endif
