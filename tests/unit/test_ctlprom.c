/*
 * ctlprom: the metrics answer as Prometheus text.  A fixed answer (two
 * groups, a heard and a never-heard peer, a capture port whose name needs
 * escaping) gives the expected samples; every family has one HELP and one
 * TYPE line before its samples, contiguous samples, counters end in
 * _total; `promtool check metrics` accepts the text (when promtool is on
 * PATH); an empty answer still gives valid text.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctljson.h"
#include "ctlprom.h"
#include "tap.h"

static const char answer[] =
    "{\"ok\":true,\"version\":\"1.2.3\",\"node\":\"n1\","
    "\"interval_ms\":100,"
    "\"peers\":["
    "{\"id\":\"n2\",\"address\":\"10.0.0.2\",\"alive\":true,"
    "\"last_seen_ms\":1234,\"interval_ms\":250,\"auth_failing\":false},"
    "{\"id\":\"\",\"address\":\"10.0.0.3\",\"alive\":false,"
    "\"last_seen_ms\":null,\"interval_ms\":null,\"auth_failing\":true}],"
    "\"groups\":["
    "{\"name\":\"web\",\"state\":\"leader\",\"fault\":\"\","
    "\"answering\":true,\"transitions\":4,\"transitions_by_reason\":"
    "{\"startup\":1,\"leader_lost\":2,\"handover\":1},"
    "\"arp_answered\":7,\"ndp_answered\":0,\"announcements\":5,"
    "\"conflicts\":0,\"peer_claims\":0},"
    "{\"name\":\"db\",\"state\":\"fault\",\"fault\":\"link-down\","
    "\"answering\":false,\"transitions\":1,\"transitions_by_reason\":"
    "{\"fault\":1}}],"
    "\"heartbeats\":{\"sent\":10,\"send_errors\":0,\"received\":9,"
    "\"rejected\":{\"hmac\":3,\"replay\":0}},"
    "\"peer_unreachable\":1,\"netlink_errors\":0,\"reconciled\":0,"
    "\"stalls\":2,\"reloads\":0,\"reload_failures\":0,"
    "\"capture\":[{\"interface\":\"e\\\"t\\\\h\\n0\",\"rx_frames\":11,"
    "\"rx_dropped\":0,\"rx_bad\":{\"truncated\":1}}]}";

/* The text for the JSON text j (NULL on failure). */
static char *
format(const char *j, size_t *len)
{
	char err[128];
	json_t *v = ctl_json_parse(j, strlen(j), err, sizeof(err));
	char *t;

	if (v == NULL) {
		printf("# bad test input: %s\n", err);
		return NULL;
	}
	t = ctl_prom_format(v, len);
	json_decref(v);
	return t;
}

/* text holds line (whole, without its "\n"). */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/*
 * The text format as Prometheus reads it, strictly: "# HELP" then "# TYPE"
 * once per family before its samples, samples of a family contiguous,
 * counters named *_total, the text ending in "\n".  Returns the number of
 * families, or -1 with the reason printed.
 */
static int
check_structure(const char *text)
{
	char fam[64][64], cur[64] = "", name[64], type[16];
	int nfam = 0, i;
	const char *p = text, *nl;
	bool counter = false;

	if (text[0] == '\0' || text[strlen(text) - 1] != '\n')
		return printf("# text does not end in a newline\n"), -1;
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (strncmp(p, "# HELP ", 7) == 0) {
			if (sscanf(p + 7, "%63s", name) != 1)
				return printf("# bad HELP\n"), -1;
			for (i = 0; i < nfam; i++)
				if (strcmp(fam[i], name) == 0)
					return printf("# %s twice\n", name), -1;
			if (nfam == 64)
				return printf("# too many families\n"), -1;
			snprintf(fam[nfam++], sizeof(fam[0]), "%s", name);
			snprintf(cur, sizeof(cur), "%s", name);
			if (strncmp(nl + 1, "# TYPE ", 7) != 0 ||
			    sscanf(nl + 8, "%63s %15s", name, type) != 2 ||
			    strcmp(name, cur) != 0)
				return printf("# %s: no TYPE after HELP\n",
				              cur),
				       -1;
			counter = strcmp(type, "counter") == 0;
			if (counter &&
			    (strlen(cur) < 6 ||
			     strcmp(cur + strlen(cur) - 6, "_total")))
				return printf("# counter %s without _total\n",
				              cur),
				       -1;
			nl = strchr(nl + 1, '\n');
			continue;
		}
		if (strncmp(p, cur, strlen(cur)) != 0 ||
		    (p[strlen(cur)] != '{' && p[strlen(cur)] != ' '))
			return printf("# sample outside its family: %.*s\n",
			              (int)(nl - p), p),
			       -1;
	}
	return nfam;
}

/* promtool check metrics on text: 1 valid, 0 refused, -1 no promtool. */
static int
promtool(const char *text, size_t len)
{
	FILE *f;
	int st;

	if (system("command -v promtool >/dev/null 2>&1") != 0)
		return -1;
	if ((f = popen("promtool check metrics", "w")) == NULL)
		return 0;
	fwrite(text, 1, len, f);
	st = pclose(f);
	return st == 0;
}

static void
check_promtool(const char *text, size_t len, const char *what)
{
	int r = promtool(text, len);

	if (r < 0)
		printf("ok %d - # SKIP promtool not on PATH (%s)\n", ++tap_n,
		       what);
	else
		ok(r == 1, "%s: promtool check metrics accepts it", what);
}

static void
test_fixed(void)
{
	static const char *const lines[] = {
	    "vipd_build_info{version=\"1.2.3\"} 1",
	    "vipd_heartbeat_interval_seconds 0.100",
	    "vipd_peer_up{peer=\"n2\",address=\"10.0.0.2\"} 1",
	    "vipd_peer_up{peer=\"\",address=\"10.0.0.3\"} 0",
	    "vipd_peer_last_heard_seconds{peer=\"n2\",address=\"10.0.0.2\"} "
	    "1.234",
	    "vipd_peer_heartbeat_interval_seconds{peer=\"n2\",address=\"10.0."
	    "0.2\"} 0.250",
	    "vipd_peer_auth_failing{peer=\"\",address=\"10.0.0.3\"} 1",
	    "vipd_group_state{group=\"web\",state=\"leader\"} 1",
	    "vipd_group_state{group=\"web\",state=\"backup\"} 0",
	    "vipd_group_state{group=\"db\",state=\"fault\"} 1",
	    "vipd_group_fault{group=\"web\",reason=\"link-down\"} 0",
	    "vipd_group_fault{group=\"db\",reason=\"link-down\"} 1",
	    "vipd_group_answering{group=\"web\"} 1",
	    "vipd_group_answering{group=\"db\"} 0",
	    "vipd_transitions_total{group=\"web\",reason=\"leader_lost\"} 2",
	    "vipd_transitions_total{group=\"web\",reason=\"stall\"} 0",
	    "vipd_transitions_total{group=\"db\",reason=\"fault\"} 1",
	    "vipd_arp_requests_answered_total{group=\"web\"} 7",
	    "vipd_heartbeats_rejected_total{reason=\"hmac\"} 3",
	    "vipd_peer_unreachable_total 1",
	    "vipd_stalls_total 2",
	    "vipd_capture_frames_total{interface=\"e\\\"t\\\\h\\n0\"} 11",
	    "vipd_capture_bad_frames_total{interface=\"e\\\"t\\\\h\\n0\","
	    "reason=\"truncated\"} 1",
	};
	static const char *const absent[] = {
	    /* a peer never heard has no age and no interval */
	    "vipd_peer_last_heard_seconds{peer=\"\",address=\"10.0.0.3\"}",
	    "vipd_peer_heartbeat_interval_seconds{peer=\"\",address=\"10.0.0."
	    "3\"}",
	};
	size_t len = 0, i;
	char *text = format(answer, &len);
	int n;

	if (!ok(text != NULL, "fixed answer: formatted"))
		return;
	is_int(len, strlen(text), "fixed answer: the length returned");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!ok(has_line(text, lines[i]), "line %s", lines[i]))
			printf("# text:\n%s", text);
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		ok(strstr(text, absent[i]) == NULL, "no sample %s", absent[i]);
	ok(has_line(text, "# TYPE vipd_transitions_total counter") &&
	       has_line(text, "# TYPE vipd_group_state gauge") &&
	       has_line(text, "# TYPE vipd_peer_up gauge") &&
	       has_line(text, "# TYPE vipd_build_info gauge"),
	   "fixed answer: the families' types");
	n = check_structure(text);
	ok(n >= 25, "fixed answer: well-formed (%d families)", n);
	check_promtool(text, len, "fixed answer");
	free(text);
}

static void
test_empty(void)
{
	size_t len = 0;
	char *text = format("{}", &len);

	if (!ok(text != NULL, "empty answer: formatted"))
		return;
	ok(has_line(text, "vipd_build_info{version=\"\"} 1") &&
	       has_line(text, "vipd_heartbeat_interval_seconds 0.000") &&
	       has_line(text, "vipd_stalls_total 0"),
	   "empty answer: the node's samples, zero");
	ok(strstr(text, "vipd_group_state{") == NULL &&
	       strstr(text, "vipd_peer_up{") == NULL,
	   "empty answer: no group or peer sample");
	ok(check_structure(text) > 0, "empty answer: well-formed");
	check_promtool(text, len, "empty answer");
	free(text);
}

static void
test_null_len(void)
{
	json_t *v = json_object();
	char *text = ctl_prom_format(v, NULL);

	ok(text != NULL && strstr(text, "# HELP vipd_build_info ") == text,
	   "len may be NULL");
	free(text);
	json_decref(v);
}

int
main(void)
{
	test_fixed();
	test_empty();
	test_null_len();
	return tap_done();
}
