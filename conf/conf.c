/*
 * conf_load(): the file is read, parsed by libconfig, walked block by block
 * in file order (every key checked as it is met), then checked across
 * blocks.  Every error is collected; one error rejects the whole file.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf_int.h"

static void
node_id(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;

	conf_get_name(x, s, sizeof(c->node_id), "id", c->node_id);
}

static const struct conf_key node_keys[] = {
    {"id", CK_FN, 0, 0, 0, node_id},
    {"priority", CK_UINT, 1, 254, offsetof(struct conf, node_priority), NULL},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

static void
cluster_bind(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;
	const char *why;

	if (!conf_get_addr(x, s, &c->bind))
		return;
	if ((why = conf_addr_peer_reject(&c->bind)) != NULL) {
		conf_err(x, s, "'%s' cannot be a bind address (%s)",
		         config_setting_get_string(s), why);
		return;
	}
	c->has_bind = true;
}

/* The peers read so far, and the line of each: a duplicate names the first. */
struct peers_seen {
	struct conf *c;
	int lines[CONF_PEERS_MAX];
};

static int
peer_add(struct conf_ctx *x, const config_setting_t *e,
         const struct conf_addr *a, void *arg)
{
	struct peers_seen *p = arg;
	const struct conf *c = p->c;
	char buf[CONF_ADDR_STRLEN];
	size_t k;

	for (k = 0; k < c->npeers; k++)
		if (conf_addr_cmp(a, &c->peers[k]) == 0)
			break;
	if (k < c->npeers) {
		conf_err(x, e, "duplicate address %s (also at line %d)",
		         conf_addr_str(a, buf), p->lines[k]);
		return 0;
	}
	p->lines[k] = conf_line(e);
	return 1;
}

static const struct conf_addr_list peer_list = {
    "peer", CONF_PEERS_MAX, NULL, conf_addr_peer_reject, peer_add};

static void
cluster_peers(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct peers_seen p = {.c = obj};

	conf_get_addrs(x, s, &peer_list, &p, &p.c->peers, &p.c->npeers);
}

static void
cluster_multicast(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;

	if (!conf_get_addr(x, s, &c->multicast))
		return;
	if (!conf_addr_is_multicast(&c->multicast)) {
		conf_err(x, s, "'%s' is not a multicast address",
		         config_setting_get_string(s));
		return;
	}
	c->has_multicast = true;
}

static void
cluster_mif(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;

	conf_get_ifname(x, s, c->multicast_interface);
}

static void
cluster_secret(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	(void)obj;
	conf_read_secret(x, s);
}

static const struct conf_key cluster_keys[] = {
    {"port", CK_U16, 1, 65535, offsetof(struct conf, port), NULL},
    {"bind", CK_FN, 0, 0, 0, cluster_bind},
    {"peers", CK_FN, 0, 0, 0, cluster_peers},
    {"multicast", CK_FN, 0, 0, 0, cluster_multicast},
    {"multicast_interface", CK_FN, 0, 0, 0, cluster_mif},
    {"interval_ms", CK_UINT, 10, 10000, offsetof(struct conf, interval_ms),
     NULL},
    {"dead_after", CK_UINT, 2, 255, offsetof(struct conf, dead_after), NULL},
    {"secret_file", CK_FN, 0, 0, 0, cluster_secret},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* A socket bound to one family cannot reach the other. */
static void
cluster_check_family(struct conf_ctx *x, const config_setting_t *s)
{
	const struct conf *c = x->c;
	const config_setting_t *e;
	struct conf_addr a;
	const char *v;
	unsigned i;

	for (i = 0; (e = config_setting_get_elem(s, i)) != NULL; i++) {
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			continue;
		v = config_setting_get_string(e);
		if (conf_addr_parse(v, &a) == 0 && a.family != c->bind.family)
			conf_err(x, e, "'%s' is %s but cluster.bind is %s", v,
			         family_name(a.family),
			         family_name(c->bind.family));
	}
}

static void
cluster_check(struct conf_ctx *x, const config_setting_t *cl)
{
	const config_setting_t *peers = config_setting_get_member(cl, "peers");
	const config_setting_t *mc = config_setting_get_member(cl, "multicast");
	const config_setting_t *mif;
	bool has_peers;

	mif = config_setting_get_member(cl, "multicast_interface");
	has_peers = peers != NULL && config_setting_is_aggregate(peers) &&
	            config_setting_length(peers) > 0;
	if ((has_peers || mc != NULL) &&
	    config_setting_get_member(cl, "secret_file") == NULL)
		conf_err_under(x, cl, "secret_file",
		               "required when peers or multicast are set");
	if (mc != NULL && mif == NULL)
		conf_err_under(x, cl, "multicast_interface",
		               "required when multicast is set");
	if (mif != NULL && mc == NULL)
		conf_err(x, mif, "only used with multicast");
	if (x->c->has_bind && has_peers && config_setting_is_aggregate(peers))
		cluster_check_family(x, peers);
	if (x->c->has_bind && x->c->has_multicast &&
	    x->c->multicast.family != x->c->bind.family)
		conf_err(x, mc, "'%s' is %s but cluster.bind is %s",
		         config_setting_get_string(mc),
		         family_name(x->c->multicast.family),
		         family_name(x->c->bind.family));
}

static void
control_socket(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;

	conf_get_path(x, s, sizeof(c->socket_path), false, c->socket_path);
}

static void
control_pid(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;

	conf_get_path(x, s, sizeof(c->pid_file), false, c->pid_file);
}

static void
control_group(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;
	const char *v;

	if (!conf_get_str(x, s, &v))
		return;
	if (strlen(v) >= sizeof(c->socket_group)) {
		conf_err(x, s, "group name '%s' is longer than %zu characters",
		         v, sizeof(c->socket_group) - 1);
		return;
	}
	memcpy(c->socket_group, v, strlen(v) + 1);
}

static void
control_user(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;
	const char *v;

	if (!conf_get_str(x, s, &v))
		return;
	if (v[0] == '\0') {
		conf_err(x, s, "user name is empty");
		return;
	}
	if (strlen(v) >= sizeof(c->user)) {
		conf_err(x, s, "user name '%s' is longer than %zu characters",
		         v, sizeof(c->user) - 1);
		return;
	}
	memcpy(c->user, v, strlen(v) + 1);
}

static const struct conf_key control_keys[] = {
    {"socket", CK_FN, 0, 0, 0, control_socket},
    {"pid_file", CK_FN, 0, 0, 0, control_pid},
    {"socket_group", CK_FN, 0, 0, 0, control_group},
    {"user", CK_FN, 0, 0, 0, control_user},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

static void
top_node(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	if (conf_is_block(x, s))
		conf_walk(x, s, node_keys, obj);
}

static void
top_cluster(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	if (!conf_is_block(x, s))
		return;
	conf_walk(x, s, cluster_keys, obj);
	cluster_check(x, s);
}

static void
top_control(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	if (conf_is_block(x, s))
		conf_walk(x, s, control_keys, obj);
}

static void
top_include_dir(struct conf_ctx *x, const config_setting_t *s, void *obj)
{
	struct conf *c = obj;

	conf_get_path(x, s, sizeof(c->include_dir), true, c->include_dir);
}

static const struct conf_key top_keys[] = {
    {"node", CK_FN, 0, 0, 0, top_node},
    {"include_dir", CK_FN, 0, 0, 0, top_include_dir},
    {"cluster", CK_FN, 0, 0, 0, top_cluster},
    {"control", CK_FN, 0, 0, 0, top_control},
    {"groups", CK_FN, 0, 0, 0, conf_groups_parse},
    {"metrics", CK_FN, 0, 0, 0, conf_metrics_parse},
    {"notify", CK_FN, 0, 0, 0, conf_notify_top},
    {"notify_timeout_ms", CK_UINT, 100, 3600000,
     offsetof(struct conf, notify_timeout_ms), NULL},
    {"notify_fifo", CK_FN, 0, 0, 0, conf_notify_fifo},
    {"checks", CK_FN, 0, 0, 0, conf_checks_parse},
    {"process", CK_FN, 0, 0, 0, conf_process_parse},
    {NULL, CK_FN, 0, 0, 0, NULL},
};

/* node.id was not given: the host's name must be a valid id. */
static void
node_id_default(struct conf_ctx *x, const config_setting_t *root)
{
	const config_setting_t *node = config_setting_get_member(root, "node");
	const config_setting_t *at = node ? node : root;
	const char *key = node ? "id" : "node.id";
	const char *h = x->hostname;
	char host[256];

	if (node != NULL && (config_setting_type(node) != CONFIG_TYPE_GROUP ||
	                     config_setting_get_member(node, "id") != NULL))
		return;
	if (h == NULL) {
		if (gethostname(host, sizeof(host)) == -1) {
			conf_err_under(
			    x, at, key,
			    "cannot read the hostname: %s; set node.id",
			    strerror(errno));
			return;
		}
		host[sizeof(host) - 1] = '\0';
		h = host;
	}
	if (!conf_valid_name(h, sizeof(x->c->node_id))) {
		conf_err_under(x, at, key,
		               "hostname '%s' is not a valid id; set node.id",
		               h);
		return;
	}
	memcpy(x->c->node_id, h, strlen(h) + 1);
}

static struct conf *
conf_new(const char *path)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->node_priority = CONF_DEFAULT_PRIORITY;
	c->port = CONF_DEFAULT_PORT;
	c->interval_ms = CONF_DEFAULT_INTERVAL_MS;
	c->dead_after = CONF_DEFAULT_DEAD_AFTER;
	snprintf(c->socket_path, sizeof(c->socket_path), "%s",
	         CONF_DEFAULT_SOCKET);
	snprintf(c->pid_file, sizeof(c->pid_file), "%s", CONF_DEFAULT_PIDFILE);
	c->notify_timeout_ms = CONF_DEFAULT_NOTIFY_MS;
	return c;
}

/* (conf_int.h) False, with the error reported, when the file cannot be
 * read or is not valid libconfig syntax. */
bool
conf_file_read(struct conf_ctx *x, config_t *cfg)
{
	char *text;
	bool ok;

	config_init(cfg);
	if (strlen(x->path) >= CONF_PATH_MAX) {
		conf_err_file(x, 0, "cannot open: %s", strerror(ENAMETOOLONG));
		return false;
	}
	if ((text = conf_text_load(x)) == NULL)
		return false;
	/* libconfig's scanner works on its own copy of text. */
	ok = config_read_string(cfg, text) != CONFIG_FALSE;
	if (!ok) {
		const char *why = config_error_text(cfg);
		char ctx[512];

		if (why != NULL && strcmp(why, "syntax error") == 0) {
			/* libconfig says no more: show the line, hint. */
			conf_syntax_context(text, config_error_line(cfg), ctx,
			                    sizeof(ctx));
			conf_err_file(x, config_error_line(cfg), "%s", ctx);
		} else
			conf_err_file(x, config_error_line(cfg),
			              "syntax error: %s", why);
		/* The commonest mistake: a keepalived file given to vipd. */
		if (strstr(text, "vrrp_instance") != NULL ||
		    strstr(text, "virtual_ipaddress") != NULL)
			conf_err_file(x, 0,
			              "this looks like a keepalived.conf; "
			              "vipd's syntax is in vipd.conf(5)");
	}
	free(text);
	return ok;
}

struct conf *
conf_load(const char *path, const char *hostname, struct conf_errors *errs)
{
	struct conf_ctx x = {.path = path, .hostname = hostname, .errs = errs};
	const char *slash = strrchr(path, '/');
	const config_setting_t *root;
	config_t cfg;

	if (slash != NULL && strlen(path) < CONF_PATH_MAX)
		snprintf(x.dir, sizeof(x.dir), "%.*s", (int)(slash - path + 1),
		         path);
	if (conf_file_read(&x, &cfg)) {
		if ((x.c = conf_new(path)) == NULL) {
			conf_err_file(&x, 0, "%s", strerror(ENOMEM));
		} else {
			root = config_root_setting(&cfg);
			conf_walk(&x, root, top_keys, x.c);
			if (x.c->include_dir[0] != '\0')
				conf_dropins_load(&x, config_setting_get_member(
				                          root, "include_dir"));
			node_id_default(&x, root);
			conf_groups_check(&x, root);
			conf_checks_check(&x, root);
			conf_dropins_keep(&x);
		}
	}
	conf_dropins_free(&x);
	config_destroy(&cfg);
	free(x.vrefs);
	free(x.gset);
	free(x.cset);
	if (x.nerr > 0) {
		conf_free(x.c);
		errno = strlen(path) >= CONF_PATH_MAX ? ENAMETOOLONG
		        : x.nomem                     ? ENOMEM
		                                      : EINVAL;
		return NULL;
	}
	return x.c;
}

bool
conf_load_socket(const char *path, char out[CONF_SOCK_MAX],
                 struct conf_errors *errs)
{
	struct conf_ctx x = {.path = path, .errs = errs};
	const config_setting_t *ctl, *s;
	config_t cfg;

	snprintf(out, CONF_SOCK_MAX, "%s", CONF_DEFAULT_SOCKET);
	if (conf_file_read(&x, &cfg) &&
	    (ctl = config_lookup(&cfg, "control")) != NULL &&
	    conf_is_block(&x, ctl) &&
	    (s = config_setting_get_member(ctl, "socket")) != NULL &&
	    !conf_get_path(&x, s, CONF_SOCK_MAX, false, out))
		snprintf(out, CONF_SOCK_MAX, "%s", CONF_DEFAULT_SOCKET);
	config_destroy(&cfg);
	return x.nerr == 0;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	conf_checks_free(c);
	free(c->files);
	for (i = 0; i < c->ngroups; i++)
		free(c->groups[i].vips);
	free(c->groups);
	free(c->peers);
	explicit_bzero(c->secret, sizeof(c->secret));
	free(c);
}

void
conf_errors_clear(struct conf_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		free(errs->msg[i]);
	free(errs->msg);
	errs->msg = NULL;
	errs->n = 0;
}

bool
conf_group_has_family(const struct conf_group *g, int family)
{
	size_t i;

	for (i = 0; i < g->nvips; i++)
		if (g->vips[i].family == family)
			return true;
	return false;
}

size_t
conf_vip_count(const struct conf *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->ngroups; i++)
		n += c->groups[i].nvips;
	return n;
}

const char *
conf_bind_name(enum conf_bind b)
{
	switch (b) {
	case CONF_BIND_LOCAL:
		return "local";
	case CONF_BIND_INTERFACE:
		return "interface";
	case CONF_BIND_NONE:
		return "none";
	}
	return "?";
}

const char *
conf_route_pin_name(enum conf_route_pin p)
{
	switch (p) {
	case CONF_ROUTE_OFF:
		return "off";
	case CONF_ROUTE_LEADER:
		return "leader";
	case CONF_ROUTE_ALWAYS:
		return "always";
	}
	return "?";
}
