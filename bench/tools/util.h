/*
 * Helpers shared by the bench tools (udpecho, tcpsvc, prober): strict
 * number parsing, node names, signals as a file descriptor, and the
 * dual-stack listening sockets.  Every function follows the project's
 * convention: 0 (or a count / fd) on success, -1 with errno set on failure.
 */
#ifndef VIPD_BENCH_TOOLS_UTIL_H
#define VIPD_BENCH_TOOLS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Longest node name a tool sends or accepts (a hostname's limit). */
#define TU_NAME_MAX 64

/* Default port of udpecho, tcpsvc and prober. */
#define TU_PORT_DEFAULT 7777

/*
 * Parses S as a decimal integer in MIN..MAX into *OUT.  The whole string
 * must be digits (an optional leading '-' only when MIN < 0).  Returns 0, or
 * -1 with errno EINVAL (not a number) or ERANGE (outside MIN..MAX).
 */
int tu_parse_long(const char *s, long min, long max, long *out);

/*
 * Copies the node name S into BUF (TU_NAME_MAX + 1 bytes).  A name is 1 to
 * TU_NAME_MAX printable ASCII characters without spaces.  Returns 0, or -1
 * with errno EINVAL.
 */
int tu_name_set(char *buf, const char *s);

/*
 * Puts the host name into BUF (TU_NAME_MAX + 1 bytes), truncated to
 * TU_NAME_MAX and with unprintable bytes replaced by '?'.  Returns 0 or -1.
 */
int tu_name_default(char *buf);

/*
 * Blocks SIGINT and SIGTERM (and ignores SIGPIPE) and returns a
 * non-blocking, close-on-exec signalfd that reports the two signals, or -1.
 */
int tu_signalfd(void);

/*
 * Reads one pending signal from SFD.  Returns its number, 0 when none is
 * pending, -1 on error.
 */
int tu_signal_read(int sfd);

/*
 * Opens non-blocking, close-on-exec sockets of TYPE (SOCK_DGRAM or
 * SOCK_STREAM) bound to PORT: with ADDR NULL, one IPv4 and one IPv6-only
 * socket on the wildcard addresses (the IPv6 one is skipped if the host has
 * no IPv6); otherwise one socket bound to the numeric address ADDR.  Stream
 * sockets are listening.  Stores the fds in FDS (room for 2) and the family
 * of each in FAMS.  Returns the number of sockets (1 or 2), or -1 with
 * errno set and nothing left open.
 */
int tu_listen(int type, const char *addr, uint16_t port, int fds[2],
              int fams[2]);

/*
 * The command line shared by the servers udpecho and tcpsvc:
 * PROG [-p PORT] [-n NAME] [-b ADDR].  *PORT and *BIND keep their
 * defaults unless given; NAME (TU_NAME_MAX + 1 bytes) is the host name
 * unless -n gives one.  Prints the problem (and
 * USAGE) on stderr and returns -1 on bad arguments, 0 otherwise.
 */
int tu_server_args(const char *prog, const char *usage, int argc, char **argv,
                   long *port, char *name, const char **bind);

/*
 * The start shared by the servers udpecho and tcpsvc: the signal fd
 * (tu_signalfd) into *SIGFD, then the sockets (tu_listen) of TYPE on BIND
 * (NULL: the wildcards) and PORT into FDS and FAMS.  Prints the problem on
 * stderr, prefixed with PROG.  Returns the number of sockets, or -1 with
 * nothing left open.
 */
int tu_server_open(const char *prog, int type, const char *bind, long port,
                   int fds[2], int fams[2], int *sigfd);

/* The monotonic clock in nanoseconds. */
uint64_t tu_now_ns(void);

#endif
