/*
 * conf internals shared by the conf_*.c files.  Not part of the module's
 * interface: only conf.h is.  Here libconfig's types meet vipd's.
 */
#ifndef VIPD_CONF_INT_H
#define VIPD_CONF_INT_H

/* Internal to its module: announcer/ sees the module's folder for the public
 * header only.  The module's own sources (and its tests) define
 * VIPD_CONF_INTERNAL. */
#ifndef VIPD_CONF_INTERNAL
#error "conf/conf_int.h is internal to its module; include its public header"
#endif

#include <libconfig.h>
#include <stdarg.h>

#include "conf.h"

#define CONF_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

/* One VIP as written, kept until the cross-group duplicate check. */
struct conf_vref {
	struct conf_addr addr;
	const config_setting_t *s; /* its array element, for the line */
	size_t group;              /* index in conf->groups */
	size_t seq;                /* order of appearance in the file */
};

/* State of one conf_load(): where errors go and what is being built. */
struct conf_ctx {
	const char *path;        /* the file as the caller named it */
	char dir[CONF_PATH_MAX]; /* its directory with a trailing '/', or "" */
	const char *hostname;    /* caller's, or NULL for gethostname() */
	struct conf_errors *errs;
	size_t nerr; /* errors added by this load */
	struct conf *c;
	struct conf_vref *vrefs;
	size_t nvrefs, capvrefs;
	bool nomem;
	/* Drop-in files (include_dir), parsed and kept until the checks
	 * across groups ran; and each group's own block, by group index. */
	struct conf_dropin *drops;
	size_t ndrops;
	const config_setting_t **gset;
	/* Each check's own block, by index in c->checks (any file). */
	const config_setting_t **cset;
};

/* One drop-in file, parsed. */
struct conf_dropin {
	config_t cfg;
	char path[CONF_PATH_MAX];
};

/*
 * A key of a { } block.  Integer and boolean keys are stored by the walker
 * at obj + off; CK_FN keys call fn(ctx, setting, obj).
 */
enum conf_kind { CK_FN, CK_UINT, CK_U16, CK_U32, CK_BOOL };

struct conf_key {
	const char *name;
	enum conf_kind kind;
	long long lo, hi;
	size_t off;
	void (*fn)(struct conf_ctx *x, const config_setting_t *s, void *obj);
};

/* conf_util.c: errors */
void conf_err_file(struct conf_ctx *x, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void conf_err(struct conf_ctx *x, const config_setting_t *s, const char *fmt,
              ...) __attribute__((format(printf, 3, 4)));
void conf_err_under(struct conf_ctx *x, const config_setting_t *parent,
                    const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int conf_line(const config_setting_t *s);
/* The file a setting was read from: a drop-in's path or x->path. */
const char *conf_path_of(const struct conf_ctx *x, const config_setting_t *s);
/* Where s is, for an error at setting near: "line N" when both are in
 * one file, else "FILE:N" (written into buf). */
const char *conf_where(const struct conf_ctx *x, const config_setting_t *s,
                       const config_setting_t *near, char *buf, size_t len);

/* conf_util.c: typed reads; each reports its own error and returns false */
bool conf_get_int(struct conf_ctx *x, const config_setting_t *s, long long lo,
                  long long hi, long long *out);
bool conf_get_str(struct conf_ctx *x, const config_setting_t *s,
                  const char **out);
bool conf_get_bool(struct conf_ctx *x, const config_setting_t *s, bool *out);
bool conf_is_block(struct conf_ctx *x, const config_setting_t *s);
bool conf_get_enum(struct conf_ctx *x, const config_setting_t *s,
                   const char *const *names, int *out);
bool conf_valid_name(const char *s, size_t size);
bool conf_get_name(struct conf_ctx *x, const config_setting_t *s, size_t size,
                   const char *what, char *out);
bool conf_get_ifname(struct conf_ctx *x, const config_setting_t *s,
                     char out[IFNAMSIZ]);
bool conf_get_path(struct conf_ctx *x, const config_setting_t *s, size_t size,
                   bool relative_to_conf, char *out);
int conf_list_len(struct conf_ctx *x, const config_setting_t *s, int max,
                  const char *none);
void conf_walk(struct conf_ctx *x, const config_setting_t *block,
               const struct conf_key *keys, void *obj);

/* conf_addr.c */
int conf_addr_parse(const char *s, struct conf_addr *out);
const char *conf_addr_str(const struct conf_addr *a,
                          char buf[CONF_ADDR_STRLEN]);
int conf_addr_cmp(const struct conf_addr *x, const struct conf_addr *y);
bool conf_addr_is_multicast(const struct conf_addr *a);
const char *conf_addr_vip_reject(const struct conf_addr *a);
const char *conf_addr_peer_reject(const struct conf_addr *a);
bool conf_get_addr(struct conf_ctx *x, const config_setting_t *s,
                   struct conf_addr *out);
void conf_read_secret(struct conf_ctx *x, const config_setting_t *s);

/*
 * An address list (cluster.peers, a group's vips): at most max elements;
 * none is the error for an empty list, or NULL if one is fine.  An element
 * that reject() gives a reason for is "'%s' cannot be a <noun> (<reason>)";
 * one that passes goes to add(), which returns 1 to keep it, 0 to drop it
 * (having reported why) or -1 to stop reading the list.
 */
struct conf_addr_list {
	const char *noun;
	int max;
	const char *none;
	const char *(*reject)(const struct conf_addr *a);
	int (*add)(struct conf_ctx *x, const config_setting_t *e,
	           const struct conf_addr *a, void *arg);
};

/* Read list s into a new *out of *n (still 0) kept addresses; arg: for add. */
void conf_get_addrs(struct conf_ctx *x, const config_setting_t *s,
                    const struct conf_addr_list *l, void *arg,
                    struct conf_addr **out, size_t *n);

/* conf_text.c: the file as libconfig 1.5 should read it, or NULL */
char *conf_text_load(struct conf_ctx *x);

/* conf_metrics.c: the metrics block (a top-level key's handler) */
void conf_metrics_parse(struct conf_ctx *x, const config_setting_t *s,
                        void *obj);

/* conf_process.c: the process block (a top-level key's handler) */
void conf_process_parse(struct conf_ctx *x, const config_setting_t *s,
                        void *obj);

/* conf.c: read and parse x->path into cfg (the caller destroys it in
 * any case); false with the error reported. */
bool conf_file_read(struct conf_ctx *x, config_t *cfg);

/* conf_hint.c: for libconfig's bare "syntax error" at line of text: the
 * message, with the line's text and a hint for a common cause. */
void conf_syntax_context(const char *text, int line, char *out, size_t len);

/* conf_dropin.c: the files of c->include_dir (s: the key), each adding
 * its groups and checks; parsed files stay in x->drops until
 * conf_dropins_free. */
void conf_dropins_load(struct conf_ctx *x, const config_setting_t *s);
void conf_dropins_free(struct conf_ctx *x);
/* Give every group and check of x->c its file and index there (the
 * drop-ins' paths copied into the conf). */
void conf_dropins_keep(struct conf_ctx *x);

/* conf_group.c */
void conf_groups_parse(struct conf_ctx *x, const config_setting_t *s,
                       void *obj);
void conf_groups_check(struct conf_ctx *x, const config_setting_t *root);

/* conf_notify.c: the notify keys (top level and per group) */
void conf_notify_top(struct conf_ctx *x, const config_setting_t *s, void *obj);
void conf_notify_fifo(struct conf_ctx *x, const config_setting_t *s, void *obj);
void conf_notify_group(struct conf_ctx *x, const config_setting_t *s,
                       void *obj);
/* Give each group without its own the top-level script and timeout. */
void conf_notify_defaults(struct conf *c);
/* conf_check.c: the checks list (the main file's, then each drop-in's,
 * appended), a group's track list, names across all files */
void conf_checks_parse(struct conf_ctx *x, const config_setting_t *s,
                       void *obj);
void conf_track_parse(struct conf_ctx *x, const config_setting_t *s,
                      struct conf_group *g);
void conf_checks_check(struct conf_ctx *x, const config_setting_t *root);
void conf_checks_free(struct conf *c);

#endif
