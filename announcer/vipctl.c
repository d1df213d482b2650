/*
 * vipctl: asks a running vipd what it is doing, and tells it to hand a
 * group over or to reload.  It only formats what the daemon sends (JSON
 * over the control socket, see ctlproto.h).
 *
 * Exit status: 0 success, 1 the daemon refused or the request failed,
 * 2 bad usage, 3 the daemon could not be reached.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conf.h" /* the daemon's defaults, and -c FILE */
#include "ctlproto.h"
#include "json.h"

#define VIPCTL_TIMEOUT_S 5
#define VIPCTL_MAX_REPLY (16 * 1024 * 1024)
#define RELEASE_WAIT_MS  5000

enum { EX_OK = 0, EX_FAIL = 1, EX_USAGE = 2, EX_UNREACHABLE = 3 };

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: vipctl [-s SOCKET | -c FILE] [--json] COMMAND\n"
	        "\n"
	        "Commands:\n"
	        "  status           groups, leaders, VIPs, peers, conflicts\n"
	        "  metrics          counters in Prometheus text format\n"
	        "  release GROUP    hand GROUP over to the best other node\n"
	        "  reload           re-read the configuration (like SIGHUP)\n"
	        "  ping             check that the daemon answers\n"
	        "\n"
	        "Options:\n"
	        "  -s, --socket PATH  control socket (default %s,\n"
	        "                     or $VIPD_SOCKET)\n"
	        "  -c, --config FILE  the socket set in vipd's configuration\n"
	        "                     FILE (control.socket)\n"
	        "  -j, --json         print the daemon's JSON answer\n"
	        "  -h, --help         this text\n"
	        "  -V, --version      print the version\n"
	        "\n"
	        "Exit status: 0 ok, 1 request failed, 2 usage, 3 daemon not "
	        "reachable.\n",
	        CONF_DEFAULT_SOCKET);
}

/* Connect to the daemon; the fd, or -1 with the message printed. */
static int
ctl_connect(const char *path, int *ex)
{
	struct sockaddr_un sun;
	struct timeval tv = {VIPCTL_TIMEOUT_S, 0};
	int fd, e;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "vipctl: socket path too long: %s\n", path);
		*ex = EX_USAGE;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "vipctl: socket: %s\n", strerror(errno));
		*ex = EX_FAIL;
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	e = errno;
	if (e == EACCES || e == EPERM)
		fprintf(stderr,
		        "vipctl: permission denied on %s: run as root or as a "
		        "member of the socket's group\n",
		        path);
	else if (e == ENOENT || e == ECONNREFUSED)
		fprintf(stderr,
		        "vipctl: vipd is not running (no daemon listening on "
		        "%s; see -s, -c or $VIPD_SOCKET)\n",
		        path);
	else
		fprintf(stderr, "vipctl: cannot reach vipd at %s: %s\n", path,
		        strerror(e));
	close(fd);
	*ex = EX_UNREACHABLE;
	return -1;
}

/* Read until the daemon closes; the NUL-terminated text or NULL. */
static char *
read_answer(int fd, size_t *lenp)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t r;

	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > VIPCTL_MAX_REPLY ||
			    (nb = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "vipctl: answer too large\n");
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "vipctl: reading the answer: %s\n",
			        errno == EAGAIN ? "timed out"
			                        : strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* Send one request, read the whole answer.  NULL + message on failure. */
static char *
request(const char *path, const struct ctl_req *req, int *ex)
{
	char line[CTL_REQ_MAX + 2], *buf;
	size_t len = 0;
	int fd, n;

	if ((n = ctl_req_format(req, line, sizeof(line))) < 0) {
		fprintf(stderr, "vipctl: not a valid request\n");
		*ex = EX_USAGE;
		return NULL;
	}
	if ((fd = ctl_connect(path, ex)) == -1)
		return NULL;
	if (write(fd, line, (size_t)n) != n) {
		fprintf(stderr, "vipctl: sending the request: %s\n",
		        strerror(errno));
		close(fd);
		*ex = EX_UNREACHABLE;
		return NULL;
	}
	buf = read_answer(fd, &len);
	close(fd);
	if (buf != NULL && len == 0) {
		fprintf(stderr, "vipctl: the daemon closed the connection "
		                "without answering\n");
		free(buf);
		buf = NULL;
	}
	if (buf == NULL)
		*ex = EX_FAIL;
	return buf;
}

static struct jv *
request_json(const char *path, const struct ctl_req *req, char **raw, int *ex)
{
	char err[128];
	char *text = request(path, req, ex);
	struct jv *v;

	if (text == NULL)
		return NULL;
	v = jv_parse(text, strlen(text), err, sizeof(err));
	if (v == NULL || v->type != JV_OBJ) {
		fprintf(stderr,
		        "vipctl: the daemon's answer is not valid JSON: "
		        "%s\n",
		        v ? "not an object" : err);
		jv_free(v);
		free(text);
		*ex = EX_FAIL;
		return NULL;
	}
	if (raw)
		*raw = text;
	else
		free(text);
	return v;
}

/* Report a refused request; returns EX_FAIL. */
static int
refused(const struct jv *v)
{
	const struct jv *errs = jv_get(v, "errors");
	size_t i;

	fprintf(stderr, "vipctl: %s\n", jv_str(v, "error", "request failed"));
	if (errs && errs->type == JV_ARR)
		for (i = 0; i < errs->n; i++)
			if (errs->v[i]->type == JV_STR)
				fprintf(stderr, "  %s\n", errs->v[i]->s);
	return EX_FAIL;
}

static void
fmt_duration(int64_t ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1000)
		snprintf(buf, len, "%" PRId64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%" PRId64 ".%01" PRId64 "s", ms / 1000,
		         (ms % 1000) / 100);
	else if (ms < 3600000)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", ms / 60000,
		         (ms / 1000) % 60);
	else
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", ms / 3600000,
		         (ms / 60000) % 60);
}

/* The group's peers, one per line: state, priority, last heard. */
static void
print_group_peers(const struct jv *peers)
{
	char seen[48], dur[32];
	size_t i, n = peers && peers->type == JV_ARR ? peers->n : 0;

	printf("  peers       %s", n ? "" : "(none heard)\n");
	for (i = 0; i < n; i++) {
		const struct jv *p = peers->v[i];
		int64_t age = jv_int(p, "last_seen_ms", -1);

		fmt_duration(age, dur, sizeof(dur));
		snprintf(seen, sizeof(seen),
		         age < 0 ? "not heard" : "seen %s ago", dur);
		printf("%s%s (%s, prio %" PRId64 ", %s%s)\n",
		       i ? "              " : "", jv_str(p, "id", "?"),
		       jv_str(p, "state", "?"), jv_int(p, "priority", 0), seen,
		       jv_bool(p, "alive", false) ? "" : ", dead");
	}
}

static void
print_conflicts(const struct jv *conf)
{
	char dur[32];
	size_t i, n = conf && conf->type == JV_ARR ? conf->n : 0;

	if (n == 0)
		printf("  conflicts   none\n");
	for (i = 0; i < n; i++) {
		const struct jv *c = conf->v[i];

		fmt_duration(jv_int(c, "age_ms", -1), dur, sizeof(dur));
		printf("  CONFLICT    %s claimed by %s (%" PRId64
		       " times, last %s ago, %s)\n",
		       jv_str(c, "vip", "?"), jv_str(c, "mac", "?"),
		       jv_int(c, "count", 0), dur,
		       jv_bool(c, "yielded", false) ? "not announced"
		                                    : "still announced");
	}
}

static void
print_group(const struct jv *g)
{
	const struct jv *vips = jv_get(g, "vips"), *peers = jv_get(g, "peers");
	const struct jv *conf = jv_get(g, "conflicts"),
	                *rt = jv_get(g, "route");
	const struct jv *ctr = jv_get(g, "counters");
	char dur[32];
	size_t i;

	fmt_duration(jv_int(g, "in_state_ms", -1), dur, sizeof(dur));
	printf("group %s: %s", jv_str(g, "name", "?"), jv_str(g, "state", "?"));
	if (jv_str(g, "fault", "")[0])
		printf(" (%s: %s)", jv_str(g, "fault", ""),
		       jv_str(g, "fault_text", ""));
	printf("\n  leader      %s\n",
	       jv_str(g, "leader", "")[0] ? jv_str(g, "leader", "") : "(none)");
	printf("  priority    %" PRId64 " (configured %" PRId64
	       ", preempt %s)\n",
	       jv_int(g, "priority", 0), jv_int(g, "configured_priority", 0),
	       jv_bool(g, "preempt", false) ? "on" : "off");
	printf("  interface   %s (link %s), bind %s\n",
	       jv_str(g, "interface", "?"),
	       jv_bool(g, "link_up", false) ? "up" : "down",
	       jv_str(g, "bind", "?"));
	printf("  VIPs        ");
	for (i = 0; vips && vips->type == JV_ARR && i < vips->n; i++) {
		if (i == 8) {
			printf(" ... (%zu in all)", vips->n);
			break;
		}
		printf("%s%s", i ? ", " : "",
		       vips->v[i]->type == JV_STR ? vips->v[i]->s : "?");
	}
	printf("\n  in state    %s, %" PRId64 " transitions; last: %s\n", dur,
	       jv_int(g, "transitions", 0),
	       jv_str(g, "last_reason_text", "")[0]
	           ? jv_str(g, "last_reason_text", "")
	           : jv_str(g, "last_reason", "-"));
	if (rt)
		printf("  route pin   %s, table %" PRId64
		       ", rule priority %" PRId64 "%s\n",
		       jv_str(rt, "pin", "?"), jv_int(rt, "table", 0),
		       jv_int(rt, "priority", 0),
		       jv_bool(rt, "installed", false) ? ", installed" : "");
	print_group_peers(peers);
	print_conflicts(conf);
	if (ctr)
		printf("  answered    %" PRId64 " ARP, %" PRId64
		       " NDP; %" PRId64 " announcements sent\n",
		       jv_int(ctr, "arp_answered", 0),
		       jv_int(ctr, "ndp_answered", 0),
		       jv_int(ctr, "announcements", 0));
}

static int
cmd_status(const char *path, bool json)
{
	struct ctl_req req = {CTL_STATUS, ""};
	char *raw = NULL, dur[32], seen[32];
	int ex = EX_OK;
	struct jv *v = request_json(path, &req, &raw, &ex);
	const struct jv *groups, *peers;
	size_t i;

	if (v == NULL)
		return ex;
	if (!jv_bool(v, "ok", false)) {
		ex = refused(v);
	} else if (json) {
		fputs(raw, stdout);
	} else {
		fmt_duration(jv_int(v, "uptime_ms", -1), dur, sizeof(dur));
		printf("node %s: vipd %s, pid %" PRId64 ", up %s%s\n",
		       jv_str(v, "node", "?"), jv_str(v, "version", "?"),
		       jv_int(v, "pid", 0), dur,
		       jv_bool(v, "stopping", false) ? " (stopping)" : "");
		peers = jv_get(v, "peers");
		for (i = 0; peers && peers->type == JV_ARR && i < peers->n;
		     i++) {
			const struct jv *p = peers->v[i];

			fmt_duration(jv_int(p, "last_seen_ms", -1), seen,
			             sizeof(seen));
			printf("peer %-12s %-18s %s, last heard %s ago\n",
			       jv_str(p, "id", "")[0] ? jv_str(p, "id", "")
			                              : "(unknown)",
			       jv_str(p, "address", "-"),
			       jv_bool(p, "alive", false) ? "alive" : "DEAD",
			       seen);
		}
		groups = jv_get(v, "groups");
		for (i = 0; groups && groups->type == JV_ARR && i < groups->n;
		     i++) {
			printf("\n");
			print_group(groups->v[i]);
		}
	}
	jv_free(v);
	free(raw);
	return ex;
}

/* Prometheus label values escape backslash, quote and newline. */
static void
label(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
}

static void
metric_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
group_metric(const struct jv *groups, const char *name, const char *key,
             const char *help)
{
	size_t i;

	metric_head(name, "counter", help);
	for (i = 0; groups && groups->type == JV_ARR && i < groups->n; i++) {
		printf("%s{group=\"", name);
		label(jv_str(groups->v[i], "name", ""));
		printf("\"} %" PRId64 "\n", jv_int(groups->v[i], key, 0));
	}
}

static void
print_group_metrics(const struct jv *groups)
{
	static const char *states[] = {"leader", "backup", "fault", "resigning",
	                               "listen"};
	size_t i, s;

	metric_head("vipd_group_state", "gauge",
	            "1 for the group's current state on this node.");
	for (i = 0; groups && groups->type == JV_ARR && i < groups->n; i++)
		for (s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
			printf("vipd_group_state{group=\"");
			label(jv_str(groups->v[i], "name", ""));
			printf("\",state=\"%s\"} %d\n", states[s],
			       strcmp(jv_str(groups->v[i], "state", ""),
			              states[s]) == 0);
		}
	group_metric(groups, "vipd_transitions_total", "transitions",
	             "State transitions of the group on this node.");
	group_metric(groups, "vipd_arp_requests_answered_total", "arp_answered",
	             "ARP requests for the group's VIPs answered.");
	group_metric(groups, "vipd_ndp_requests_answered_total", "ndp_answered",
	             "Neighbour solicitations for the group's VIPs answered.");
	group_metric(groups, "vipd_announcements_sent_total", "announcements",
	             "Gratuitous ARP and unsolicited NA frames sent.");
	group_metric(groups, "vipd_conflicts_total", "conflicts",
	             "Foreign hosts seen announcing or owning a VIP.");
	group_metric(groups, "vipd_peer_claims_total", "peer_claims",
	             "Other vipd nodes seen announcing our VIPs while we led.");
}

/* One counter of the node, without labels. */
static void
node_metric(const char *name, const struct jv *obj, const char *key,
            const char *help)
{
	metric_head(name, "counter", help);
	printf("%s %" PRId64 "\n", name, jv_int(obj, key, 0));
}

/* A counter per key of obj ({reason: count}), labelled reason. */
static void
reason_samples(const char *name, const char *iface, const struct jv *obj)
{
	size_t i;

	for (i = 0; obj && obj->type == JV_OBJ && i < obj->n; i++) {
		printf("%s{", name);
		if (iface != NULL) {
			printf("interface=\"");
			label(iface);
			printf("\",");
		}
		printf("reason=\"");
		label(obj->k[i]);
		printf("\"} %" PRId64 "\n", obj->v[i]->i);
	}
}

static void
capture_metric(const struct jv *cap, const char *name, const char *key,
               const char *help)
{
	size_t i;

	metric_head(name, "counter", help);
	for (i = 0; cap && cap->type == JV_ARR && i < cap->n; i++) {
		printf("%s{interface=\"", name);
		label(jv_str(cap->v[i], "interface", ""));
		printf("\"} %" PRId64 "\n", jv_int(cap->v[i], key, 0));
	}
}

static void
print_metrics(const struct jv *v)
{
	const struct jv *hb = jv_get(v, "heartbeats"),
	                *cap = jv_get(v, "capture");
	size_t i;

	print_group_metrics(jv_get(v, "groups"));
	node_metric("vipd_heartbeats_sent_total", hb, "sent",
	            "Heartbeat datagrams sent.");
	node_metric("vipd_heartbeat_send_errors_total", hb, "send_errors",
	            "Heartbeat datagrams that could not be sent.");
	node_metric("vipd_heartbeats_received_total", hb, "received",
	            "Heartbeat datagrams accepted.");
	metric_head("vipd_heartbeats_rejected_total", "counter",
	            "Heartbeat datagrams rejected, by reason.");
	reason_samples("vipd_heartbeats_rejected_total", NULL,
	               jv_get(hb, "rejected"));
	node_metric("vipd_peer_unreachable_total", v, "peer_unreachable",
	            "ICMP port-unreachable answers to our heartbeats.");
	node_metric("vipd_netlink_errors_total", v, "netlink_errors",
	            "Failed netlink requests.");
	node_metric("vipd_reconciled_total", v, "reconciled",
	            "Addresses, rules and routes put back after removal.");
	node_metric("vipd_stalls_total", v, "stalls",
	            "Times the daemon noticed its own loop had stalled.");
	node_metric("vipd_reloads_total", v, "reloads", "Reload attempts.");
	node_metric("vipd_reload_failures_total", v, "reload_failures",
	            "Reloads refused (the running configuration was kept).");
	capture_metric(cap, "vipd_capture_frames_total", "rx_frames",
	               "ARP/NDP frames the kernel filter passed to vipd.");
	metric_head("vipd_capture_bad_frames_total", "counter",
	            "Malformed frames dropped, by reason.");
	for (i = 0; cap && cap->type == JV_ARR && i < cap->n; i++)
		reason_samples("vipd_capture_bad_frames_total",
		               jv_str(cap->v[i], "interface", ""),
		               jv_get(cap->v[i], "rx_bad"));
	capture_metric(cap, "vipd_capture_dropped_total", "rx_dropped",
	               "Frames the kernel dropped before vipd read them.");
}

static int
cmd_simple(const char *path, const struct ctl_req *req, bool json)
{
	char *raw = NULL;
	int ex = EX_OK;
	struct jv *v = request_json(path, req, &raw, &ex);

	if (v == NULL)
		return ex;
	if (json)
		fputs(raw, stdout);
	if (!jv_bool(v, "ok", false)) {
		ex = json ? EX_FAIL : refused(v);
	} else if (!json) {
		switch (req->cmd) {
		case CTL_METRICS:
			print_metrics(v);
			break;
		case CTL_RELOAD:
			printf("%s\n", jv_str(v, "result", "reloaded"));
			break;
		case CTL_PING:
			printf("vipd is running (pid %" PRId64 ")\n",
			       jv_int(v, "pid", 0));
			break;
		default:
			break;
		}
	}
	jv_free(v);
	free(raw);
	return ex;
}

static const struct jv *
find_group(const struct jv *status, const char *name)
{
	const struct jv *groups = jv_get(status, "groups");
	size_t i;

	for (i = 0; groups && groups->type == JV_ARR && i < groups->n; i++)
		if (strcmp(jv_str(groups->v[i], "name", ""), name) == 0)
			return groups->v[i];
	return NULL;
}

/* The outcome of a release as one JSON object (vipctl's own answer). */
static void
print_release_json(const char *group, const char *state, const char *leader)
{
	struct json *j = json_new();
	const char *t;

	if (j == NULL)
		return;
	json_obj_begin(j, NULL);
	json_bool(j, "ok", strcmp(state, "leader") != 0);
	json_str(j, "group", group);
	json_str(j, "state", state);
	json_str(j, "leader", leader);
	json_obj_end(j);
	if ((t = json_text(j, NULL)) != NULL)
		printf("%s\n", t);
	json_free(j);
}

/* Release, then follow the handover until it ends (bounded). */
static int
cmd_release(const char *path, const char *group, bool json)
{
	struct ctl_req req = {CTL_RELEASE, ""}, st = {CTL_STATUS, ""};
	struct timespec pause = {0, 20 * 1000000};
	int ex = EX_OK, waited;
	char *raw = NULL;
	struct jv *v;

	snprintf(req.arg, sizeof(req.arg), "%s", group);
	if ((v = request_json(path, &req, &raw, &ex)) == NULL)
		return ex;
	if (!jv_bool(v, "ok", false)) {
		/* --json: the daemon's refusal as it is, like other commands */
		if (json)
			fputs(raw, stdout);
		ex = json ? EX_FAIL : refused(v);
		jv_free(v);
		free(raw);
		return ex;
	}
	jv_free(v);
	free(raw);
	for (waited = 0; waited <= RELEASE_WAIT_MS; waited += 20) {
		const struct jv *g;
		const char *state;

		if ((v = request_json(path, &st, NULL, &ex)) == NULL)
			return ex;
		g = find_group(v, group);
		state = jv_str(g, "state", "?");
		if (strcmp(state, "resigning") != 0) {
			if (json)
				print_release_json(group, state,
				                   jv_str(g, "leader", ""));
			else if (strcmp(state, "leader") == 0)
				fprintf(stderr,
				        "vipctl: group %s: no other node "
				        "took over; this node still "
				        "leads it\n",
				        group);
			else
				printf("group %s: handed over to %s\n", group,
				       jv_str(g, "leader", "")[0]
				           ? jv_str(g, "leader", "")
				           : "(unknown)");
			ex = strcmp(state, "leader") == 0 ? EX_FAIL : EX_OK;
			jv_free(v);
			return ex;
		}
		jv_free(v);
		nanosleep(&pause, NULL);
	}
	fprintf(stderr,
	        "vipctl: group %s: handover still in progress after "
	        "%d ms\n",
	        group, RELEASE_WAIT_MS);
	return EX_FAIL;
}

/* -c FILE: the socket it sets; -1 with its errors printed. */
static int
socket_from_conf(const char *file, char out[CONF_SOCK_MAX])
{
	struct conf_errors errs = {NULL, 0};
	size_t i;
	int rc = 0;

	if (!conf_load_socket(file, out, &errs)) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "vipctl: %s\n", errs.msg[i]);
		if (errs.n == 0)
			fprintf(stderr, "vipctl: %s: %s\n", file,
			        strerror(ENOMEM));
		rc = -1;
	}
	conf_errors_clear(&errs);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"config", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = NULL, *conf = NULL;
	char conf_sock[CONF_SOCK_MAX];
	struct ctl_req req = {CTL_PING, ""};
	bool json = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "+s:c:jhV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("vipctl %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	/* Accept --json after the command too ("vipctl status --json"). */
	if (optind < argc && argc - optind >= 2 &&
	    strcmp(argv[argc - 1], "--json") == 0) {
		json = true;
		argc--;
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	/* -s or -c FILE's control.socket, else $VIPD_SOCKET, the default. */
	if (path != NULL && conf != NULL) {
		fprintf(stderr, "vipctl: -s and -c both name the socket; give "
		                "one of them\n");
		return EX_USAGE;
	}
	if (conf != NULL) {
		if (socket_from_conf(conf, conf_sock) == -1)
			return EX_USAGE;
		path = conf_sock;
	}
	if (path == NULL && (path = getenv("VIPD_SOCKET")) != NULL &&
	    path[0] == '\0')
		path = NULL;
	if (path == NULL)
		path = CONF_DEFAULT_SOCKET;
	if (strcmp(argv[optind], "status") == 0 && argc - optind == 1)
		return cmd_status(path, json);
	if (strcmp(argv[optind], "metrics") == 0 && argc - optind == 1) {
		req.cmd = CTL_METRICS;
		return cmd_simple(path, &req, json);
	}
	if (strcmp(argv[optind], "reload") == 0 && argc - optind == 1) {
		req.cmd = CTL_RELOAD;
		return cmd_simple(path, &req, json);
	}
	if (strcmp(argv[optind], "ping") == 0 && argc - optind == 1)
		return cmd_simple(path, &req, json);
	if (strcmp(argv[optind], "release") == 0 && argc - optind == 2) {
		char err[96];

		if (ctl_arg_check(argv[optind + 1], err, sizeof(err)) == -1) {
			fprintf(stderr, "vipctl: bad group name '%.80s': %s\n",
			        argv[optind + 1], err);
			return EX_USAGE;
		}
		return cmd_release(path, argv[optind + 1], json);
	}
	fprintf(stderr, "vipctl: unknown command or wrong arguments: %s\n",
	        argv[optind]);
	usage(stderr);
	return EX_USAGE;
}
