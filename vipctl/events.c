/* vipctl events (the history as text) and vipctl watch (the stream). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "vipctl.h"

/* One event as a line: local time, group, kind, transition, reason. */
static void
print_event(const json_t *e)
{
	int64_t ms = ctl_json_get_int(e, "wall_ms", 0);
	const char *group = ctl_json_get_str(e, "group", "");
	const char *from = ctl_json_get_str(e, "from", NULL);
	const char *to = ctl_json_get_str(e, "to", NULL);
	time_t secs = (time_t)(ms / 1000);
	char when[32], move[40] = "";
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (from != NULL && to != NULL)
		snprintf(move, sizeof(move), "%s -> %s", from, to);
	printf("%s.%03d  %-12s %-16s %-22s %s\n", when, (int)(ms % 1000),
	       group[0] ? group : "-", ctl_json_get_str(e, "kind", "?"),
	       move[0] ? move : "-", ctl_json_get_str(e, "reason", ""));
}

void
vipctl_print_events(json_t *v)
{
	const json_t *list = json_object_get(v, "events");
	size_t i;

	for (i = 0; i < json_array_size(list); i++)
		print_event(json_array_get(list, i));
}

int
vipctl_watch(const char *path, const struct ctl_req *req, bool json)
{
	struct timeval forever = {0, 0};
	char line[CTL_REQ_MAX + 2], *buf = NULL, err[160];
	size_t cap = 0;
	ssize_t len;
	int fd, n, ex = EX_OK;
	json_t *v;
	FILE *f;

	(void)json; /* the stream is JSON lines either way */
	if ((n = ctl_req_format(req, line, sizeof(line))) < 0)
		return EX_USAGE;
	if ((fd = vipctl_connect(path, &ex)) == -1)
		return ex;
	if (write(fd, line, (size_t)n) != n || (f = fdopen(fd, "r")) == NULL) {
		fprintf(stderr, "vipctl: sending the request failed\n");
		close(fd);
		return EX_UNREACHABLE;
	}
	/* The first line answers the request; then one line per event. */
	if ((len = getline(&buf, &cap, f)) <= 0) {
		fprintf(stderr, "vipctl: the daemon closed the connection "
		                "without answering\n");
		ex = EX_FAIL;
		goto out;
	}
	v = ctl_json_parse(buf, (size_t)len, err, sizeof(err));
	if (v == NULL || !ctl_json_get_bool(v, "ok", false)) {
		ex = v ? vipctl_refused(v) : EX_FAIL;
		if (v == NULL)
			fprintf(stderr, "vipctl: bad answer: %s\n", err);
		json_decref(v);
		goto out;
	}
	json_decref(v);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof(forever));
	while ((len = getline(&buf, &cap, f)) > 0) {
		fwrite(buf, 1, (size_t)len, stdout);
		fflush(stdout);
	}
	fprintf(stderr, "vipctl: the daemon closed the event stream\n");
	ex = EX_FAIL;
out:
	free(buf);
	fclose(f);
	return ex;
}
