/*
 * vipctl doctor [GROUP]: why a VIP does not answer.  Reads the
 * configuration, gathers the host's facts (doctor/), adds the daemon's
 * live view when one answers on the control socket, runs the checks and
 * prints one finding per problem.
 *
 * Exit status: 0 no error found (warnings and advice may be printed),
 * 1 errors found, 2 doctor could not run (usage, a configuration that
 * does not load, netlink refused).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "doctor.h"
#include "vipctl.h"

static int
load_conf(const char *path, struct conf **out)
{
	struct conf_errors errs = {NULL, 0};
	size_t i;

	*out = conf_load(path, NULL, &errs);
	if (*out == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "vipctl: %s\n", errs.msg[i]);
		if (errs.n == 0)
			fprintf(stderr, "vipctl: %s: cannot be read\n", path);
		fprintf(stderr, "vipctl: doctor needs a configuration that "
		                "loads (vipd -t -c FILE)\n");
	}
	conf_errors_clear(&errs);
	return *out != NULL ? 0 : -1;
}

/* The daemon's answer to cmd, or NULL when it does not run there. */
static json_t *
ask(const char *sock, enum ctl_cmd cmd)
{
	struct ctl_req req = {.cmd = cmd};
	struct stat st;
	json_t *v;
	int ex = EX_OK;

	if (stat(sock, &st) == -1 || !S_ISSOCK(st.st_mode))
		return NULL;
	v = vipctl_request(sock, &req, NULL, &ex);
	if (v != NULL && !ctl_json_get_bool(v, "ok", false)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

static bool
has_group(const struct conf *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ngroups; i++)
		if (strcmp(cfg->groups[i].name, name) == 0)
			return true;
	return false;
}

/* Gather, check and print; the exit status. */
static int
run(struct dr_facts *f, const char *sock, const char *group, bool json,
    bool prom)
{
	struct dr_findings list = {NULL, 0, 0};
	json_t *status, *metrics;
	char err[256];
	int ex;

	if (dr_gather_host(f, err, sizeof(err)) == -1) {
		fprintf(stderr, "vipctl: doctor: %s\n", err);
		return EX_USAGE;
	}
	if ((status = ask(sock, CTL_STATUS)) != NULL) {
		metrics = ask(sock, CTL_METRICS);
		dr_facts_add_status(f, status, metrics);
		json_decref(metrics);
		json_decref(status);
	}
	if (dr_check_all(f, group, &list) == -1) {
		fprintf(stderr, "vipctl: doctor: out of memory\n");
		dr_findings_clear(&list);
		return EX_USAGE;
	}
	if (prom) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		dr_findings_prom(&list, f->cfg->node_id,
		                 (double)ts.tv_sec + ts.tv_nsec / 1e9, stdout);
	} else if (json) {
		json_t *v = dr_findings_json(f, &list);
		char *line = ctl_json_line(v, NULL);

		if (line != NULL)
			fputs(line, stdout);
		free(line);
		json_decref(v);
	} else {
		dr_findings_print(f, &list, stdout);
	}
	ex = dr_findings_count(&list, DR_ERROR) > 0 ? EX_FAIL : EX_OK;
	dr_findings_clear(&list);
	return ex;
}

int
vipctl_doctor(const char *conf_path, const char *sock, int argc, char **argv,
              bool json)
{
	struct dr_facts *f;
	struct conf *cfg;
	const char *group = NULL;
	bool prom = false;
	char err[256];
	int ex, i;

	/* doctor [GROUP] [--prometheus] (--json is main's) */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--prometheus") == 0 && !prom && !json)
			prom = true;
		else if (group == NULL && argv[i][0] != '-')
			group = argv[i];
		else
			break;
	}
	if (i < argc ||
	    (group != NULL && ctl_arg_check(group, err, sizeof(err)) == -1)) {
		fprintf(stderr, "vipctl: usage: vipctl doctor [GROUP] "
		                "[--json | --prometheus]\n");
		return EX_USAGE;
	}
	if (load_conf(conf_path, &cfg) == -1)
		return EX_USAGE;
	if (group != NULL && !has_group(cfg, group)) {
		fprintf(stderr, "vipctl: %s has no group \"%s\"\n", cfg->path,
		        group);
		conf_free(cfg);
		return EX_USAGE;
	}
	/* Large (every interface with its addresses): not on the stack. */
	f = calloc(1, sizeof(*f));
	if (f == NULL || dr_facts_init(f, cfg) == -1) {
		fprintf(stderr, "vipctl: doctor: out of memory\n");
		ex = EX_USAGE;
	} else {
		ex = run(f, sock ? sock : cfg->socket_path, group, json, prom);
	}
	if (f != NULL)
		dr_facts_free(f);
	free(f);
	conf_free(cfg);
	return ex;
}
