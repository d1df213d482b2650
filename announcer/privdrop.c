/*
 * Least privilege (vipd -u USER, control.user): vipd started as root opens
 * everything that needs root (control socket, pid file, netlink, packet
 * and UDP sockets), then becomes USER keeping only CAP_NET_ADMIN
 * (addresses, rules, routes, net sysctls) and CAP_NET_RAW (capture and
 * injection on interfaces that appear later), through libcap-ng.
 */
#include "config.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vipd.h"

/* The name of the runtime directory vipd may hand over to its user. */
#define PRIV_OWN_DIR "vipd"

int
priv_user_lookup(const char *name, struct priv_user *u, char *err,
                 size_t errlen)
{
	struct passwd *pw;
	char *end;
	unsigned long id;

	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL && name[0] >= '0' && name[0] <= '9') {
		id = strtoul(name, &end, 10);
		if (*end == '\0' && id < UINT_MAX)
			pw = getpwuid((uid_t)id);
	}
	if (pw == NULL) {
		snprintf(err, errlen, "user '%s': %s", name,
		         errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (strlen(pw->pw_name) >= sizeof(u->name)) {
		snprintf(err, errlen, "user '%s': name too long", name);
		return -1;
	}
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

/*
 * Give path to u so that the dropped daemon can remove it at exit: the
 * file itself (the socket keeps its socket_group), and its directory when
 * that is vipd's own; otherwise warn when u cannot write the directory.
 */
static void
hand_over(const struct priv_user *u, const char *path, bool keep_group)
{
	char dir[CONF_PATH_MAX];
	const char *base;
	struct stat st;
	char *slash;

	if (lchown(path, u->uid, keep_group ? (gid_t)-1 : u->gid) == -1 &&
	    errno != ENOENT)
		log_warn("chown %s to %s", path, u->name);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return;
	*slash = '\0';
	if (dir[0] == '\0' || stat(dir, &st) == -1)
		return;
	base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	if (st.st_uid == u->uid)
		return;
	if (st.st_uid == 0 && strcmp(base, PRIV_OWN_DIR) == 0) {
		if (chown(dir, u->uid, u->gid) == -1)
			log_warn("chown %s to %s", dir, u->name);
		return;
	}
	if (!(st.st_mode & S_IWOTH) &&
	    !(st.st_gid == u->gid && (st.st_mode & S_IWGRP)))
		log_warnx("%s: user %s cannot write %s: %s will be left "
		          "behind at exit",
		          path, u->name, dir, path);
}

int
priv_drop(const struct priv_user *u, const char *const *paths,
          const char *socket_group, char *err, size_t errlen)
{
	size_t i;
	int rc;

	if (geteuid() != 0) {
		if (geteuid() == u->uid)
			return 0;
		snprintf(err, errlen,
		         "cannot become user %s: vipd was not started as root",
		         u->name);
		return -1;
	}
	for (i = 0; paths[i] != NULL; i++)
		hand_over(u, paths[i], i == 0 && socket_group[0] != '\0');
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	                  CAP_NET_ADMIN, CAP_NET_RAW, -1) != 0) {
		snprintf(err, errlen, "capabilities: capng_updatev failed");
		return -1;
	}
	rc = capng_change_id((int)u->uid, (int)u->gid,
	                     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc != 0) {
		snprintf(err, errlen,
		         "cannot become user %s keeping CAP_NET_ADMIN and "
		         "CAP_NET_RAW: capng_change_id %d: %s",
		         u->name, rc, strerror(errno));
		return -1;
	}
	log_info("running as user %s (uid %u, gid %u) with CAP_NET_ADMIN and "
	         "CAP_NET_RAW",
	         u->name, u->uid, u->gid);
	return 0;
}

void
priv_check_access(const struct conf *cfg)
{
	if (access(cfg->path, R_OK) == -1)
		log_warn("%s: unreadable for this user: reload will fail",
		         cfg->path);
	if (cfg->secret_file[0] != '\0' && access(cfg->secret_file, R_OK) == -1)
		log_warn("%s: unreadable for this user: reload will fail",
		         cfg->secret_file);
}
