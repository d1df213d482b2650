/*
 * ctlproto: the control protocol between vipctl and vipd, over a Unix
 * stream socket, and its vocabulary (commands, state names, counter names).
 *
 * The client sends one request line ("status\n", "metrics\n",
 * "release GROUP\n", "reload\n", "ping\n"), at most CTL_REQ_MAX bytes
 * before its "\n" (or "\r\n").  Words are separated by spaces; GROUP is
 * 1 to CTL_ARG_MAX - 1 characters of A-Z a-z 0-9 . _ -.  The daemon
 * answers with one JSON object followed by "\n" and closes the
 * connection.  Every answer has "ok" (boolean); a failed request has
 * "error" (a sentence) and, for reload, "errors" (the config errors, each
 * "file:line: key: message").  The keys of each answer are documented in
 * doc/vipctl.8.  Pure: no I/O here.  The JSON side is in ctljson.h.
 *
 * Both programs take their words from the tables below: a new command is
 * one line in CTL_COMMANDS, its handler in the daemon's server (ctl.c) and,
 * when the generic output does not suit it, its formatter in vipctl.
 */
#ifndef VIPD_CTLPROTO_H
#define VIPD_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_REQ_MAX 256
#define CTL_ARG_MAX 64

/* ------------------------------------------------------------ commands */

/* What a command takes after its word. */
enum ctl_arg_kind {
	CTL_ARG_NONE,  /* nothing */
	CTL_ARG_GROUP, /* one group name (see ctl_arg_check) */
};

/*
 * X(ID, word, argument kind, help): the commands, in the order vipctl's
 * usage lists them.  The help text is vipctl's, one line.
 */
#define CTL_COMMANDS(X)                                                        \
	X(STATUS, "status", CTL_ARG_NONE,                                      \
	  "groups, leaders, VIPs, peers, conflicts")                           \
	X(METRICS, "metrics", CTL_ARG_NONE,                                    \
	  "counters in Prometheus text format")                                \
	X(RELEASE, "release", CTL_ARG_GROUP,                                   \
	  "hand GROUP over to the best other node")                            \
	X(RELOAD, "reload", CTL_ARG_NONE,                                      \
	  "re-read the configuration (like SIGHUP)")                           \
	X(PING, "ping", CTL_ARG_NONE, "check that the daemon answers")         \
	X(EVENTS, "events", CTL_ARG_NONE,                                      \
	  "the last state changes and notable events")                         \
	X(WATCH, "watch", CTL_ARG_NONE,                                        \
	  "stream new events as JSON lines until interrupted")                 \
	X(DOWN, "down", CTL_ARG_GROUP,                                         \
	  "maintenance: GROUP down on this node (as a failing check)")         \
	X(UP, "up", CTL_ARG_GROUP, "end the maintenance of GROUP")             \
	X(DRAIN, "drain", CTL_ARG_NONE,                                        \
	  "maintenance: every group down on this node (not persistent)")       \
	X(UNDRAIN, "undrain", CTL_ARG_NONE, "end the node's maintenance")

#define CTL_CMD_ENUM_(id, word, arg, help) CTL_##id,
enum ctl_cmd { CTL_COMMANDS(CTL_CMD_ENUM_) CTL_CMD_MAX };
#undef CTL_CMD_ENUM_

struct ctl_cmd_info {
	const char *word; /* on the wire and on vipctl's command line */
	enum ctl_arg_kind arg;
	const char *help; /* vipctl's usage line */
};

/*
 * The table entry of cmd, or NULL when cmd is not a command (at or past
 * CTL_CMD_MAX).  The entry is static: never freed.
 */
const struct ctl_cmd_info *ctl_cmd_info(enum ctl_cmd cmd);

/*
 * The command whose word is name (NUL-terminated), or -1 when there is
 * none.  Exact match: "stat" and "STATUS" are not commands.
 */
int ctl_cmd_find(const char *name);

/*
 * How an argument of kind shows in vipctl's usage: "GROUP"; "" for
 * CTL_ARG_NONE or an unknown kind.  A static string.
 */
const char *ctl_arg_metavar(enum ctl_arg_kind kind);

/*
 * What an argument of kind is, for messages: "group name"; "" for
 * CTL_ARG_NONE or an unknown kind.  A static string.
 */
const char *ctl_arg_what(enum ctl_arg_kind kind);

/* ------------------------------------------------------------ requests */

struct ctl_req {
	enum ctl_cmd cmd;
	char arg[CTL_ARG_MAX]; /* "" for commands without an argument */
};

/*
 * Parse one request line (without or with its trailing newline); only len
 * bytes are read.  Returns 0 and fills out, or -1 with a readable reason
 * in err (unknown command, missing or extra argument, bad character, too
 * long), truncated to errlen.
 */
int ctl_req_parse(const char *line, size_t len, struct ctl_req *out, char *err,
                  size_t errlen);

/*
 * The request line for req ("word[ arg]\n", NUL-terminated) into buf;
 * returns its length without the NUL, or -1 when req is not a valid
 * request (an argument that ctl_req_parse() would refuse, or one given to
 * a command without) or buf is too small.
 */
int ctl_req_format(const struct ctl_req *req, char *buf, size_t len);

/*
 * Check arg (NUL-terminated, read up to CTL_ARG_MAX bytes) as a GROUP
 * argument.  Returns 0 when valid, or -1 with the reason in err.
 */
int ctl_arg_check(const char *arg, char *err, size_t errlen);

/* ---------------------------------------------------------- state names */

/*
 * X(ID, name): a group's state on a node, as "state" in answers and as the
 * label of vipd_group_state; this order is the order of its series.
 */
#define CTL_STATES(X)                                                          \
	X(LEADER, "leader")                                                    \
	X(BACKUP, "backup")                                                    \
	X(FAULT, "fault")                                                      \
	X(RESIGNING, "resigning")                                              \
	X(LISTEN, "listen")

#define CTL_STATE_ENUM_(id, name) CTL_ST_##id,
enum ctl_state { CTL_STATES(CTL_STATE_ENUM_) CTL_ST_MAX };
#undef CTL_STATE_ENUM_

/*
 * The name of state s, a static string; "unknown" when s is not a state.
 */
const char *ctl_state_name(enum ctl_state s);

/*
 * The state named name (NUL-terminated, exact match), or -1 when no state
 * has that name.
 */
int ctl_state_find(const char *name);

/* ---------------------------------------------------------- fault names */

/*
 * X(ID, name): why a group is in fault on a node, as "fault" in answers
 * ("" when it is not) and as the reason label of vipd_group_fault; this
 * order is the order of its series.
 */
#define CTL_FAULTS(X)                                                          \
	X(NO_INTERFACE, "no-interface")                                        \
	X(LINK_DOWN, "link-down")                                              \
	X(NETLINK, "netlink")                                                  \
	X(CAPTURE, "capture")                                                  \
	X(CHECK, "check")

#define CTL_FAULT_ENUM_(id, name) CTL_FAULT_##id,
enum ctl_fault { CTL_FAULTS(CTL_FAULT_ENUM_) CTL_FAULT_MAX };
#undef CTL_FAULT_ENUM_

/* The name of fault f, a static string; "" when f is not a fault. */
const char *ctl_fault_name(enum ctl_fault f);

/* ------------------------------------------------- transition reasons */

/*
 * X(ID, name): the few reasons a group's state changes for, as the keys
 * of "transitions_by_reason" in the metrics answer and the reason label
 * of vipd_transitions_total.  A small fixed set (the daemon folds the
 * election's finer reasons into it), so that the series stay few:
 * startup (alone, or nobody led at start-up), leader_lost (the leader
 * died, faulted or went mute), handover (a graceful release, ours or
 * theirs), preempt (a higher priority took its place), two_leaders (two
 * leaders met: one yields), fault (this node became ineligible),
 * recovered (eligible again), stall (our loop stalled, and after), other.
 */
#define CTL_TRANSITIONS(X)                                                     \
	X(STARTUP, "startup")                                                  \
	X(LEADER_LOST, "leader_lost")                                          \
	X(HANDOVER, "handover")                                                \
	X(PREEMPT, "preempt")                                                  \
	X(TWO_LEADERS, "two_leaders")                                          \
	X(FAULT, "fault")                                                      \
	X(RECOVERED, "recovered")                                              \
	X(STALL, "stall")                                                      \
	X(OTHER, "other")

#define CTL_TR_ENUM_(id, name) CTL_TR_##id,
enum ctl_transition { CTL_TRANSITIONS(CTL_TR_ENUM_) CTL_TR_MAX };
#undef CTL_TR_ENUM_

/* The name of transition reason t, a static string; "" when t is not one. */
const char *ctl_transition_name(enum ctl_transition t);

/* ------------------------------------------------------------- counters */

/* struct ctl_counter.flags */
#define CTL_CF_METRICS 0x01 /* in the metrics answer and vipctl metrics */
#define CTL_CF_REASONS 0x02 /* an object {reason: count}, not a number */

/*
 * One counter: its JSON key, the object it sits in within the metrics
 * answer (NULL: at the top level or, for group counters, in the group's
 * object), its Prometheus family (a counter: "_total") and HELP text.
 */
struct ctl_counter {
	const char *key;
	const char *section;
	const char *family;
	const char *help;
	unsigned flags; /* CTL_CF_* */
};

/*
 * X(ID, key, flags, family, help): each group's counters, in the order of
 * the status answer's "counters" object and of the metrics answer.
 */
#define CTL_GROUP_COUNTERS(X)                                                  \
	X(ARP_ANSWERED, "arp_answered", CTL_CF_METRICS,                        \
	  "vipd_arp_requests_answered_total",                                  \
	  "ARP requests for the group's VIPs answered.")                       \
	X(NDP_ANSWERED, "ndp_answered", CTL_CF_METRICS,                        \
	  "vipd_ndp_requests_answered_total",                                  \
	  "Neighbour solicitations for the group's VIPs answered.")            \
	X(ANNOUNCEMENTS, "announcements", CTL_CF_METRICS,                      \
	  "vipd_announcements_sent_total",                                     \
	  "Gratuitous ARP and unsolicited NA frames sent.")                    \
	X(CONFLICTS, "conflicts", CTL_CF_METRICS, "vipd_conflicts_total",      \
	  "Foreign hosts seen announcing or owning a VIP.")                    \
	X(PEER_CLAIMS, "peer_claims", CTL_CF_METRICS,                          \
	  "vipd_peer_claims_total",                                            \
	  "Other vipd nodes seen announcing our VIPs while we led.")           \
	X(DEFENCES, "defences", CTL_CF_METRICS, "vipd_defences_total",         \
	  "Announcements answering a foreign claim on a VIP we lead.")         \
	X(LEADER_PROBES, "leader_probes", 0, "vipd_leader_probes_total",       \
	  "Probes asking a quiet leader whether it still answers.")            \
	X(TAKEOVERS, "takeovers", 0, "vipd_takeovers_total",                   \
	  "Times this node took the group over.")                              \
	X(RELEASES, "releases", 0, "vipd_releases_total",                      \
	  "Times this node let the group go.")                                 \
	X(NOTIFY_RUNS, "notify_runs", CTL_CF_METRICS,                          \
	  "vipd_notify_runs_total",                                            \
	  "Notify scripts run (started, whatever their result).")              \
	X(NOTIFY_FAILURES, "notify_failures", CTL_CF_METRICS,                  \
	  "vipd_notify_failures_total",                                        \
	  "Notify scripts that failed: exit status not 0, killed, timed "      \
	  "out or not started.")                                               \
	X(NOTIFY_DROPPED, "notify_dropped", CTL_CF_METRICS,                    \
	  "vipd_notify_dropped_total",                                         \
	  "Notifications dropped unrun: too many waited behind a slow "        \
	  "script.")

#define CTL_GC_ENUM_(id, key, flags, family, help) CTL_GC_##id,
enum ctl_group_ctr { CTL_GROUP_COUNTERS(CTL_GC_ENUM_) CTL_GC_MAX };
#undef CTL_GC_ENUM_

/*
 * X(ID, section, key, flags, family, help): the daemon's own counters, in
 * the order of the metrics answer.  HB_REJECTED is the object of rejected
 * heartbeats by reason (the election's verdict names).
 */
#define CTL_DAEMON_COUNTERS(X)                                                 \
	X(HB_SENT, "heartbeats", "sent", CTL_CF_METRICS,                       \
	  "vipd_heartbeats_sent_total", "Heartbeat datagrams sent.")           \
	X(HB_SEND_ERRORS, "heartbeats", "send_errors", CTL_CF_METRICS,         \
	  "vipd_heartbeat_send_errors_total",                                  \
	  "Heartbeat datagrams that could not be sent.")                       \
	X(HB_RECEIVED, "heartbeats", "received", CTL_CF_METRICS,               \
	  "vipd_heartbeats_received_total", "Heartbeat datagrams accepted.")   \
	X(HB_REJECTED, "heartbeats", "rejected",                               \
	  CTL_CF_METRICS | CTL_CF_REASONS, "vipd_heartbeats_rejected_total",   \
	  "Heartbeat datagrams rejected, by reason.")                          \
	X(PEER_UNREACHABLE, NULL, "peer_unreachable", CTL_CF_METRICS,          \
	  "vipd_peer_unreachable_total",                                       \
	  "ICMP port-unreachable answers to our heartbeats.")                  \
	X(UNREACHABLE_REFUTED, NULL, "peer_unreachable_refuted",               \
	  CTL_CF_METRICS, "vipd_peer_unreachable_refuted_total",               \
	  "ICMP port-unreachable errors the peer refuted (it answered our "    \
	  "challenge).")                                                       \
	X(NETLINK_ERRORS, NULL, "netlink_errors", CTL_CF_METRICS,              \
	  "vipd_netlink_errors_total", "Failed netlink requests.")             \
	X(RECONCILED, NULL, "reconciled", CTL_CF_METRICS,                      \
	  "vipd_reconciled_total",                                             \
	  "Addresses, rules and routes put back after removal.")               \
	X(STALLS, NULL, "stalls", CTL_CF_METRICS, "vipd_stalls_total",         \
	  "Times the daemon noticed its own loop had stalled.")                \
	X(RELOADS, NULL, "reloads", CTL_CF_METRICS, "vipd_reloads_total",      \
	  "Reload attempts.")                                                  \
	X(RELOAD_FAILURES, NULL, "reload_failures", CTL_CF_METRICS,            \
	  "vipd_reload_failures_total",                                        \
	  "Reloads refused (the running configuration was kept).")             \
	X(EVENTS, "events", "recorded", CTL_CF_METRICS, "vipd_events_total",   \
	  "Entries recorded in the event history.")                            \
	X(WATCHERS_DROPPED, "events", "watchers_dropped", CTL_CF_METRICS,      \
	  "vipd_event_watchers_dropped_total",                                 \
	  "Event watchers disconnected for not reading.")                      \
	X(NOTIFY_FIFO_LINES, "notify_fifo", "lines", CTL_CF_METRICS,           \
	  "vipd_notify_fifo_lines_total", "Lines written to the notify FIFO.") \
	X(NOTIFY_FIFO_DROPPED, "notify_fifo", "dropped", CTL_CF_METRICS,       \
	  "vipd_notify_fifo_dropped_total",                                    \
	  "Lines not written to the notify FIFO: no reader, or it is full.")   \
	X(CHECKS_PASSED, "checks", "passed", CTL_CF_METRICS,                   \
	  "vipd_check_results_passed_total", "Health check runs that passed.") \
	X(CHECKS_FAILED, "checks", "failed", CTL_CF_METRICS,                   \
	  "vipd_check_results_failed_total", "Health check runs that failed.")

#define CTL_DC_ENUM_(id, section, key, flags, family, help) CTL_DC_##id,
enum ctl_daemon_ctr { CTL_DAEMON_COUNTERS(CTL_DC_ENUM_) CTL_DC_MAX };
#undef CTL_DC_ENUM_

/*
 * The table entry of group counter c (its section is NULL), or NULL when
 * c is at or past CTL_GC_MAX.  Entries are static: never freed.
 */
const struct ctl_counter *ctl_group_counter(enum ctl_group_ctr c);

/*
 * The table entry of daemon counter c, or NULL when c is at or past
 * CTL_DC_MAX.  Entries are static: never freed.
 */
const struct ctl_counter *ctl_daemon_counter(enum ctl_daemon_ctr c);

#endif
