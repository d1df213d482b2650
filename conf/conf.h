/*
 * conf: vipd's configuration, parsed from a libconfig file into one plain,
 * frozen struct.
 *
 * This module depends on libconfig and libc only.  It never logs: every
 * problem is collected as a "file:line: key: message" string and returned
 * to the caller, and a file with any error is rejected as a whole.  A bad
 * value is never replaced by a default.  libconfig types never leave this
 * module.  Runtime state never lives in struct conf.
 *
 * The schema and every default are documented in doc/vipd.conf.5.
 */
#ifndef VIPD_CONF_H
#define VIPD_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_DEFAULT_PATH             "/etc/vipd/vipd.conf"
#define CONF_DEFAULT_SOCKET           "/run/vipd/vipd.sock"
#define CONF_DEFAULT_PIDFILE          "/run/vipd/vipd.pid"
#define CONF_DEFAULT_PORT             7431
#define CONF_DEFAULT_INTERVAL_MS      100
#define CONF_DEFAULT_DEAD_AFTER       3
#define CONF_DEFAULT_PRIORITY         100
#define CONF_DEFAULT_GARP_COUNT       5
#define CONF_DEFAULT_GARP_INTERVAL_MS 1100
#define CONF_DEFAULT_GARP_REFRESH_S   60
#define CONF_DEFAULT_ROUTE_TABLE      7431
#define CONF_DEFAULT_ROUTE_PRIORITY   7431
#define CONF_DEFAULT_NOTIFY_MS        10000

#define CONF_ID_MAX     64   /* node id, with its NUL */
#define CONF_NAME_MAX   32   /* group name, with its NUL */
#define CONF_PATH_MAX   256  /* file paths, with the NUL */
#define CONF_SOCK_MAX   108  /* sizeof(sun_path) */
#define CONF_SECRET_MIN 16   /* shortest accepted shared secret, bytes */
#define CONF_SECRET_MAX 256  /* longest accepted shared secret, bytes */
#define CONF_VIPS_MAX   4096 /* VIPs in one group */
#define CONF_GROUPS_MAX 1024
#define CONF_PEERS_MAX  64

/* Health checks (conf_check.c; doc/vipd.conf.5, "CHECKS"). */
#define CONF_CHECKS_MAX                256
#define CONF_TRACK_MAX                 32 /* checks one group tracks */
#define CONF_ARGV_MAX                  32 /* words of an exec command */
#define CONF_EXPECT_MAX                8  /* HTTP status codes */
#define CONF_URL_MAX                   512
#define CONF_CHECK_INTERVAL_MIN        10
#define CONF_CHECK_INTERVAL_MAX        3600000
#define CONF_DEFAULT_CHECK_INTERVAL_MS 1000
#define CONF_DEFAULT_CHECK_RISE        1 /* keepalived's defaults */
#define CONF_DEFAULT_CHECK_FALL        1
#define CONF_WEIGHT_MAX                253

/* An IPv4 or IPv6 address; IPv4 uses the first 4 bytes of a. */
struct conf_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t a[16];
};

enum conf_bind {
	CONF_BIND_LOCAL, /* VIP on lo while leader; vipd alone answers ARP */
	CONF_BIND_INTERFACE, /* VIP on the group interface (keepalived-style) */
	CONF_BIND_NONE,      /* nothing added: announce, answer and route */
};

enum conf_route_pin {
	CONF_ROUTE_OFF,    /* no policy route */
	CONF_ROUTE_LEADER, /* installed while this node leads the group */
	CONF_ROUTE_ALWAYS, /* installed whatever the election says */
};

enum conf_conflict {
	CONF_CONFLICT_YIELD,    /* never announce a VIP a foreign host owns */
	CONF_CONFLICT_TAKEOVER, /* announce it anyway (operator override) */
};

struct conf_garp {
	unsigned count;       /* frames per VIP in a takeover burst, >= 1 */
	unsigned interval_ms; /* gap between burst rounds */
	unsigned refresh_s;   /* periodic re-announce while leading, 0 = off */
};

struct conf_route {
	enum conf_route_pin pin;
	uint32_t table;    /* routing table for the pin */
	uint32_t priority; /* ip rule priority */
	bool has_gateway;  /* IPv4 gateway given; else looked up at run time */
	struct conf_addr gateway;
	bool has_gateway6; /* IPv6 gateway given; else looked up at run time */
	struct conf_addr gateway6;
};

enum conf_check_kind {
	CONF_CHECK_TCP,       /* a TCP connect succeeds */
	CONF_CHECK_HTTP,      /* an HTTP(S) GET answers an expected status */
	CONF_CHECK_EXEC,      /* a command exits 0 */
	CONF_CHECK_PROCESS,   /* a process of that name runs */
	CONF_CHECK_INTERFACE, /* the link has carrier */
	CONF_CHECK_FILE,      /* up while the file is absent */
};

/* One entry of the top-level checks list. */
struct conf_check {
	char name[CONF_NAME_MAX];
	enum conf_check_kind kind;
	unsigned interval_ms;
	unsigned timeout_ms; /* default: interval_ms */
	unsigned rise, fall; /* consecutive results to change state */
	int weight;          /* weight_set: used by tracks without their own */
	bool weight_set;
	int line;
	/* where it was read (as for a group), its index in that file's list */
	const char *file;
	size_t index;
	/* tcp */
	struct conf_addr addr;
	uint16_t port;
	/* http */
	char url[CONF_URL_MAX];
	unsigned expect[CONF_EXPECT_MAX]; /* none given: any 2xx */
	size_t nexpect;
	bool tls_verify;
	char ca_file[CONF_PATH_MAX];
	char host[256];
	/* exec: argv[0] an absolute path; argv NULL-terminated, owned */
	char **argv;
	size_t argc;
	char user[32]; /* "" = the daemon's own user */
	/* process: comm or argv[0]'s base name; cmdline: a prefix of the
	 * command line (arguments joined by spaces), "" = any */
	char process[CONF_PATH_MAX];
	char cmdline[CONF_PATH_MAX];
	/* interface */
	char interface[IFNAMSIZ];
	/* file */
	char path[CONF_PATH_MAX];
};

/* A group's track entry: an index in conf->checks and its weight. */
struct conf_track {
	size_t check;
	int weight; /* 0: a failing check faults the group */
	char name[CONF_NAME_MAX];
};

struct conf_group {
	char name[CONF_NAME_MAX];
	char interface[IFNAMSIZ];
	struct conf_addr *vips;
	size_t nvips;
	unsigned priority; /* effective: group's own or node.priority */
	bool priority_set; /* the group set its own priority */
	bool preempt;
	unsigned preempt_delay_ms;
	enum conf_bind bind;
	struct conf_route route;
	struct conf_garp garp;
	enum conf_conflict conflict;
	int line; /* line of the group's block, for run-time messages */
	/* notify hook: effective (the group's own, else the top-level
	 * default); "" = none */
	char notify[CONF_PATH_MAX];
	bool notify_set;            /* the group set its own (maybe "") */
	unsigned notify_timeout_ms; /* effective */
	struct conf_track *track;   /* owned */
	size_t ntrack;
	/* where it was read, for messages: conf->path or a drop-in's path
	 * (owned by the conf), and its index in that file's groups list */
	const char *file;
	size_t index;
};

struct conf {
	char path[CONF_PATH_MAX];

	/* node */
	char node_id[CONF_ID_MAX];
	unsigned node_priority;

	/* cluster */
	uint16_t port;
	bool has_bind;
	struct conf_addr bind;
	struct conf_addr *peers; /* may include this node's own address */
	size_t npeers;
	bool has_multicast;
	struct conf_addr multicast;
	char multicast_interface[IFNAMSIZ];
	unsigned interval_ms;
	unsigned dead_after;
	char secret_file[CONF_PATH_MAX];
	uint8_t secret[CONF_SECRET_MAX];
	size_t secret_len;

	/* control */
	char socket_path[CONF_SOCK_MAX];
	char pid_file[CONF_PATH_MAX];
	char socket_group[32]; /* "" = the daemon's own group */
	char user[32];         /* "" = stay the user vipd started as */

	/* process: the daemon's CPU scheduling, set once at start-up */
	unsigned rt_priority; /* 0 = off, 1..99 = SCHED_RR at that priority */
	int nice;             /* -20..19; 0 = leave as started */

	/* metrics: the Prometheus endpoint, off unless has_metrics */
	bool has_metrics;
	struct conf_addr metrics_addr; /* numeric; may be 0.0.0.0 or :: */
	uint16_t metrics_port;
	/* notify hooks: the default script of the groups ("" = none), its
	 * timeout, and the FIFO that gets one line per change ("" = none) */
	char notify[CONF_PATH_MAX];
	unsigned notify_timeout_ms;
	char notify_fifo[CONF_PATH_MAX];

	struct conf_group *groups;
	size_t ngroups;

	/* include_dir: every *.conf in it (sorted) adds groups; "" = none */
	char include_dir[CONF_PATH_MAX];
	struct conf_check *checks;
	size_t nchecks;
	/* the drop-in files read, which groups' and checks' file point to */
	char (*files)[CONF_PATH_MAX];
	size_t nfiles;
};

/* A list of error messages, each "file:line: key: message". */
struct conf_errors {
	char **msg;
	size_t n;
};

/*
 * Parse and validate the libconfig file at path.  Returns a new struct conf
 * that the caller frees with conf_free(), or NULL when the file cannot be
 * read or holds any error; then every error found has been appended to errs
 * (which the caller clears with conf_errors_clear()).  When the node id is
 * not set, hostname is used; hostname may be NULL to use gethostname().
 */
struct conf *conf_load(const char *path, const char *hostname,
                       struct conf_errors *errs);

/*
 * Read only control.socket from the configuration file at path into out
 * (CONF_DEFAULT_SOCKET when the file does not set it): what vipctl needs to
 * find the daemon, without the rest of the checks (it may not be allowed
 * to read the secret file).  Returns false, with the errors appended to
 * errs, when the file cannot be read, is not valid libconfig syntax, or the
 * key is not a usable socket path.
 */
bool conf_load_socket(const char *path, char out[CONF_SOCK_MAX],
                      struct conf_errors *errs);

/* Free a config from conf_load(); conf_free(NULL) is a no-op. */
void conf_free(struct conf *c);

/* Free the messages of errs and reset it to empty. */
void conf_errors_clear(struct conf_errors *errs);

/* True when the group has a VIP of family (AF_INET, AF_INET6). */
bool conf_group_has_family(const struct conf_group *g, int family);

/* Count of VIPs over all groups. */
size_t conf_vip_count(const struct conf *c);

/* "tcp", "http", "exec", "process", "interface", "file". */
const char *conf_check_kind_name(enum conf_check_kind k);

/* True when a and b define the same check (name, kind, every key). */
bool conf_check_same(const struct conf_check *a, const struct conf_check *b);

/* "local", "interface", "none"; "leader", "always", "off". */
const char *conf_bind_name(enum conf_bind b);
const char *conf_route_pin_name(enum conf_route_pin p);

/*
 * True when the two groups are the same for the running daemon: same name,
 * interface, VIPs (in any order), bind, route and conflict policy.  Used by
 * reload to decide which groups keep their state.
 */
bool conf_group_same_vips(const struct conf_group *a,
                          const struct conf_group *b);

#endif
