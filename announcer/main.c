/*
 * vipd: keeps virtual IP addresses reachable on a LAN by electing one owner
 * among peers and announcing the addresses from it.  main() parses the
 * command line, loads the configuration, and either checks it (-t) or runs
 * the daemon.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vipd.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: vipd [-fvdt] [-c FILE] [-s SOCKET] [-p PIDFILE] "
	        "[-u USER]\n"
	        "\n"
	        "Announces virtual IP addresses (gratuitous ARP, unsolicited\n"
	        "neighbour advertisements, ARP/NDP replies) from the node its\n"
	        "peers elect, and pins a policy route so replies leave the\n"
	        "VIP's interface.\n"
	        "\n"
	        "  -c, --config FILE   configuration file (default %s)\n"
	        "  -t, --check         check the configuration and exit:\n"
	        "                      0 = valid, 1 = errors (file:line: ...)\n"
	        "      --strict        with -t: host warnings are errors\n"
	        "  -f, --foreground    stay in the foreground, log to stderr\n"
	        "  -v, --verbose       also log debug messages\n"
	        "  -d, --debug         same as -v\n"
	        "  -s, --socket PATH   control socket (default from config,\n"
	        "                      %s)\n"
	        "  -p, --pidfile PATH  pid file (default from config, %s)\n"
	        "  -u, --user USER     started as root, run as USER with only\n"
	        "                      CAP_NET_ADMIN and CAP_NET_RAW\n"
	        "                      (default from config: control.user)\n"
	        "  -h, --help          this text\n"
	        "  -V, --version       print the version\n"
	        "\n"
	        "Signals: TERM/INT hand over and stop, HUP reloads, USR1 logs\n"
	        "the state of every group and peer, USR2 the counters.\n"
	        "See vipd(8), vipd.conf(5), vipctl(8).\n",
	        CONF_DEFAULT_PATH, CONF_DEFAULT_SOCKET, CONF_DEFAULT_PIDFILE);
}

static int
check_mode(const char *path, bool strict)
{
	struct conf_errors errs = {NULL, 0};
	struct conf *c = conf_load(path, NULL, &errs);
	char err[512];
	size_t i;
	int host_errors, warnings = 0;

	if (c == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		fprintf(stderr, "%s: %zu error%s\n", path, errs.n,
		        errs.n == 1 ? "" : "s");
		conf_errors_clear(&errs);
		return 1;
	}
	if (check_election(c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n%s: 1 error\n", err, path);
		conf_free(c);
		return 1;
	}
	host_errors = check_host(c, true, &warnings);
	if (strict)
		host_errors += warnings;
	if (host_errors > 0) {
		fprintf(stderr, "%s: %d error%s\n", path, host_errors,
		        host_errors == 1 ? "" : "s");
		conf_free(c);
		return 1;
	}
	printf("%s: configuration OK: node %s, %zu group%s, %zu VIP%s, "
	       "%zu peer%s\n",
	       path, c->node_id, c->ngroups, c->ngroups == 1 ? "" : "s",
	       conf_vip_count(c), conf_vip_count(c) == 1 ? "" : "s", c->npeers,
	       c->npeers == 1 ? "" : "s");
	conf_free(c);
	return 0;
}

/*
 * Paths given relative to where vipd was started: make them absolute, since
 * a detached daemon runs in / (reload re-reads the config, shutdown removes
 * the socket and the pid file).
 */
static const char *
abs_path(const char *path, char *buf, size_t len)
{
	char cwd[CONF_PATH_MAX];

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return path;
	if ((size_t)snprintf(buf, len, "%s/%s", cwd, path) >= len)
		return path;
	return buf;
}

static int
pidfile_write(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Detached start.  The parent waits until the child runs (one byte on a
 * pipe) or fails (the pipe closes unwritten: the child's exit status is
 * vipd's), so start-up errors reach the terminal and the exit status.  The
 * child builds the event loop itself: a signalfd watched by an epoll set
 * made before fork() is woken only for the process that made it, which
 * left a detached vipd deaf to every signal.  Returns the pipe's write end
 * in the child; the parent does not return.
 */
static int
detach(void)
{
	int p[2], st;
	pid_t pid;
	ssize_t n;
	char c;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(p[0]);
		if (setsid() == -1)
			fatal("setsid");
		if (chdir("/") == -1)
			fatal("chdir /");
		return p[1];
	}
	close(p[1]);
	do
		n = read(p[0], &c, 1);
	while (n == -1 && errno == EINTR);
	if (n == 1)
		_exit(0);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			_exit(1);
	_exit(WIFEXITED(st) && WEXITSTATUS(st) != 0 ? WEXITSTATUS(st) : 1);
}

/* The detached child is running: let go of the terminal, release the
 * waiting parent. */
static void
detach_done(int ready)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_tee_stderr(false);
	if (write(ready, "1", 1) != 1)
		log_warn("telling the parent we run");
	close(ready);
}

static int
run(struct vipd_opts *opts)
{
	struct conf_errors errs = {NULL, 0};
	struct conf *c;
	struct vipd *d;
	char pidfile[CONF_PATH_MAX], confpath[CONF_PATH_MAX];
	char sockpath[CONF_PATH_MAX], pidbuf[CONF_PATH_MAX];
	char err[512];
	const char *user;
	struct priv_user pu;
	size_t i;
	int rc, ready = -1;

	log_init(true, opts->verbose, "vipd");
	opts->conf_path = abs_path(opts->conf_path, confpath, sizeof(confpath));
	if ((c = conf_load(opts->conf_path, NULL, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			log_warnx("%s", errs.msg[i]);
		conf_errors_clear(&errs);
		fatalx("%s: configuration has errors; not starting",
		       opts->conf_path);
	}
	if (check_election(c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	opts->socket_path =
	    abs_path(opts->socket_path ? opts->socket_path : c->socket_path,
	             sockpath, sizeof(sockpath));
	snprintf(pidfile, sizeof(pidfile), "%s",
	         abs_path(opts->pid_file ? opts->pid_file : c->pid_file, pidbuf,
	                  sizeof(pidbuf)));
	user = opts->user ? opts->user : c->user;
	if (user[0] != '\0' && priv_user_lookup(user, &pu, err, sizeof(err)))
		fatalx("%s", err);
	if (!opts->foreground) {
		ready = detach();
		log_init(false, opts->verbose, "vipd");
		log_tee_stderr(true);
	}
	/* Here, in the process that runs: not inherited across fork. */
	if (cpusched_apply(c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	/* The pid file's directory also holds the sysctl state file. */
	opts->pid_file = pidfile;
	vipd_make_parent_dir(pidfile);
	if ((d = vipd_new(opts, c, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (pidfile_write(pidfile) == -1)
		log_warn("pid file %s", pidfile);
	if (user[0] != '\0') {
		const char *paths[] = {opts->socket_path, pidfile, NULL};

		if (priv_drop(&pu, paths, d->cfg->socket_group, err,
		              sizeof(err)) == -1) {
			vipd_free(d);
			unlink(pidfile);
			fatalx("%s", err);
		}
		priv_check_access(d->cfg);
	}
	if (ready != -1)
		detach_done(ready);
	rc = vipd_run(d);
	vipd_free(d);
	unlink(pidfile);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", no_argument, NULL, 't'},
	    {"strict", no_argument, NULL, 'S'},
	    {"foreground", no_argument, NULL, 'f'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"debug", no_argument, NULL, 'd'},
	    {"socket", required_argument, NULL, 's'},
	    {"pidfile", required_argument, NULL, 'p'},
	    {"user", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct vipd_opts opts;
	bool check = false, strict = false;
	int ch;

	memset(&opts, 0, sizeof(opts));
	opts.conf_path = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:tfvds:p:u:hV", longopts,
	                         NULL)) != -1) {
		switch (ch) {
		case 'c':
			opts.conf_path = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'S':
			strict = true;
			break;
		case 'f':
			opts.foreground = true;
			break;
		case 'v':
		case 'd':
			opts.verbose = 1;
			break;
		case 's':
			opts.socket_path = optarg;
			break;
		case 'p':
			opts.pid_file = optarg;
			break;
		case 'u':
			opts.user = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vipd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vipd: unexpected argument '%s'\n",
		        argv[optind]);
		usage(stderr);
		return 2;
	}
	if (check)
		return check_mode(opts.conf_path, strict);
	return run(&opts);
}
