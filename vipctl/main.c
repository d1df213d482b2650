/*
 * vipctl: asks a running vipd what it is doing, and tells it to hand a
 * group over or to reload.  It only formats what the daemon sends (JSON
 * over the control socket, see ctlproto.h), and takes its commands, their
 * arguments and its usage text from ctlproto's command table.
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

#include "conf.h" /* the daemon's defaults, and -c FILE */
#include "vipctl.h"

/*
 * How vipctl runs a command: its own exchange (run), or the common one
 * (one request; --json prints the answer as it is) with print for the
 * text of a successful answer.  A command of ctlproto's table without an
 * entry here gets the common exchange and prints the answer's "result".
 */
struct vipctl_cmd {
	int (*run)(const char *path, const struct ctl_req *req, bool json);
	void (*print)(json_t *v);
};

static void
print_ping(json_t *v)
{
	printf("vipd is running (pid %" PRId64 ")\n",
	       ctl_json_get_int(v, "pid", 0));
}

/* "  KEY: a, b" for a non-empty array of names. */
static void
print_names(json_t *v, const char *key)
{
	json_t *a = json_object_get(v, key);
	size_t i, n = json_is_array(a) ? json_array_size(a) : 0;

	if (n == 0)
		return;
	printf("  %s:", key);
	for (i = 0; i < n; i++)
		printf("%s %s", i ? "," : "",
		       json_string_value(json_array_get(a, i)));
	printf("\n");
}

/* One word of a changed group's "what", as vipctl prints it. */
static void
print_what(json_t *e, const char *k, const char *sep)
{
	if (strcmp(k, "vips") == 0)
		printf("%svips +%" PRId64 " -%" PRId64, sep,
		       ctl_json_get_int(e, "vips_added", 0),
		       ctl_json_get_int(e, "vips_removed", 0));
	else if (strcmp(k, "priority") == 0)
		printf("%spriority %" PRId64 " -> %" PRId64, sep,
		       ctl_json_get_int(e, "priority_from", 0),
		       ctl_json_get_int(e, "priority_to", 0));
	else
		printf("%s%s", sep, k);
}

/* "  changed: web (vips +1 -0, priority 100 -> 150, garp)" per group. */
static void
print_changed(json_t *v)
{
	json_t *a = json_object_get(v, "changed"), *e, *w;
	size_t i, j, n = json_is_array(a) ? json_array_size(a) : 0;

	for (i = 0; i < n; i++) {
		const char *sep = "";

		e = json_array_get(a, i);
		w = json_object_get(e, "what");
		printf("  changed: %s (", ctl_json_get_str(e, "group", "?"));
		for (j = 0; json_is_array(w) && j < json_array_size(w); j++) {
			const char *k = json_string_value(json_array_get(w, j));

			if (k == NULL)
				continue;
			print_what(e, k, sep);
			sep = ", ";
		}
		printf(")\n");
	}
}

static void
print_reload(json_t *v)
{
	printf("%s\n", ctl_json_get_str(v, "result", "reloaded"));
	print_names(v, "added");
	print_names(v, "removed");
	print_changed(v);
}

static const struct vipctl_cmd vipctl_cmds[CTL_CMD_MAX] = {
    [CTL_STATUS] = {vipctl_status, NULL},
    [CTL_METRICS] = {NULL, vipctl_print_metrics},
    [CTL_RELEASE] = {vipctl_release, NULL},
    [CTL_RELOAD] = {NULL, print_reload},
    [CTL_PING] = {NULL, print_ping},
    [CTL_EVENTS] = {NULL, vipctl_print_events},
    [CTL_WATCH] = {vipctl_watch, NULL},
};

/* The common exchange: one request, its answer printed. */
static int
run_simple(const char *path, const struct ctl_req *req, bool json,
           void (*print)(json_t *v))
{
	char *raw = NULL;
	int ex = EX_OK;
	json_t *v = vipctl_request(path, req, &raw, &ex);

	if (v == NULL)
		return ex;
	if (json)
		fputs(raw, stdout);
	if (!ctl_json_get_bool(v, "ok", false))
		ex = json ? EX_FAIL : vipctl_refused(v);
	else if (!json && print != NULL)
		print(v);
	else if (!json && json_is_string(json_object_get(v, "result")))
		printf("%s\n", ctl_json_get_str(v, "result", ""));
	json_decref(v);
	free(raw);
	return ex;
}

static void
usage(FILE *f)
{
	char col[64];
	int k;

	fprintf(f, "usage: vipctl [-s SOCKET | -c FILE] [--json] COMMAND\n"
	           "\n"
	           "Commands:\n");
	for (k = 0; k < CTL_CMD_MAX; k++) {
		const struct ctl_cmd_info *ci = ctl_cmd_info(k);
		const char *arg = ctl_arg_metavar(ci->arg);

		snprintf(col, sizeof(col), "%s%s%s", ci->word,
		         arg[0] ? " " : "", arg);
		fprintf(f, "  %-16s %s\n", col, ci->help);
	}
	fprintf(f, "  %-16s %s\n", "doctor [GROUP]",
	        "why a VIP does not answer: checks host, config, daemon");
	fprintf(f, "  %-16s %s\n", "",
	        "(--json, or --prometheus: the findings as metrics)");
	fprintf(f,
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
	        "reachable;\n"
	        "doctor: 0 no error found, 1 errors found, 2 could not run.\n",
	        CONF_DEFAULT_SOCKET);
}

/*
 * The request for the words argv[0..argc) (a command and its arguments, as
 * ctlproto's table says); 0, or -1 with the problem and usage printed.
 */
static int
parse_command(int argc, char **argv, struct ctl_req *req)
{
	int k = ctl_cmd_find(argv[0]);
	const struct ctl_cmd_info *ci = k < 0 ? NULL : ctl_cmd_info(k);
	char err[96];

	if (ci == NULL || argc - 1 != (ci->arg == CTL_ARG_NONE ? 0 : 1)) {
		fprintf(stderr,
		        "vipctl: unknown command or wrong arguments: %s\n",
		        argv[0]);
		usage(stderr);
		return -1;
	}
	memset(req, 0, sizeof(*req));
	req->cmd = (enum ctl_cmd)k;
	if (ci->arg == CTL_ARG_NONE)
		return 0;
	if (ctl_arg_check(argv[1], err, sizeof(err)) == -1) {
		fprintf(stderr, "vipctl: bad %s '%.80s': %s\n",
		        ctl_arg_what(ci->arg), argv[1], err);
		return -1;
	}
	snprintf(req->arg, sizeof(req->arg), "%s", argv[1]);
	return 0;
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
	struct ctl_req req;
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
	/* doctor is vipctl's own: it reads the configuration (-c FILE, else
	 * the default) and asks the daemon at -s, $VIPD_SOCKET or the
	 * configuration's control.socket. */
	if (strcmp(argv[optind], "doctor") == 0) {
		if (path == NULL && (path = getenv("VIPD_SOCKET")) != NULL &&
		    path[0] == '\0')
			path = NULL;
		return vipctl_doctor(conf ? conf : CONF_DEFAULT_PATH, path,
		                     argc - optind, argv + optind, json);
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
	if (parse_command(argc - optind, argv + optind, &req) == -1)
		return EX_USAGE;
	if (vipctl_cmds[req.cmd].run != NULL)
		return vipctl_cmds[req.cmd].run(path, &req, json);
	return run_simple(path, &req, json, vipctl_cmds[req.cmd].print);
}
