/* doctor's output: the JSON answer (stable keys) and the text form. */
#include "config.h"

#include <stdio.h>

#include "ctljson.h"
#include "doctor.h"

static json_t *
finding_json(const struct dr_finding *fd)
{
	json_t *ev = json_array(), *o;
	size_t i;

	for (i = 0; ev != NULL && i < fd->nevidence; i++)
		if (json_array_append_new(ev, ctl_json_str(fd->evidence[i])) ==
		    -1) {
			json_decref(ev);
			return NULL;
		}
	o = json_pack(
	    "{s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "code", dr_code_name(fd->code),
	    "severity", dr_severity_name(dr_code_severity(fd->code)), "group",
	    ctl_json_str(fd->group), "subject", ctl_json_str(fd->subject),
	    "cause", ctl_json_str(fd->cause), "evidence", ev, "fix",
	    ctl_json_str(fd->fix));
	return o;
}

json_t *
dr_findings_json(const struct dr_facts *f, const struct dr_findings *list)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < list->n; i++)
		if (json_array_append_new(arr, finding_json(&list->v[i])) ==
		    -1) {
			json_decref(arr);
			arr = NULL;
		}
	return json_pack(
	    "{s:b,s:o,s:o,s:b,s:I,s:I,s:I,s:o}", "ok", 1, "node",
	    ctl_json_str(f->cfg->node_id), "config", ctl_json_str(f->cfg->path),
	    "daemon", (int)f->daemon, "errors",
	    (json_int_t)dr_findings_count(list, DR_ERROR), "warnings",
	    (json_int_t)dr_findings_count(list, DR_WARNING), "advice",
	    (json_int_t)dr_findings_count(list, DR_ADVICE), "findings", arr);
}

void
dr_findings_print(const struct dr_facts *f, const struct dr_findings *list,
                  FILE *out)
{
	size_t i, k;

	fprintf(out, "node %s, config %s, %s\n", f->cfg->node_id, f->cfg->path,
	        f->daemon ? "vipd running: its live view included"
	                  : "vipd not running: host and configuration only");
	for (i = 0; i < list->n; i++) {
		const struct dr_finding *fd = &list->v[i];

		fprintf(out, "\n%s %s",
		        dr_severity_name(dr_code_severity(fd->code)),
		        dr_code_name(fd->code));
		if (fd->group[0])
			fprintf(out, " [group %s]", fd->group);
		fprintf(out, " %s\n  cause:    %s\n", fd->subject, fd->cause);
		for (k = 0; k < fd->nevidence; k++)
			fprintf(out, "  %s %s\n",
			        k ? "         " : "evidence:", fd->evidence[k]);
		fprintf(out, "  fix:      %s\n", fd->fix);
	}
	if (list->n == 0)
		fprintf(out, "\nno problem found\n");
	fprintf(out, "\n%zu error(s), %zu warning(s), %zu advice\n",
	        dr_findings_count(list, DR_ERROR),
	        dr_findings_count(list, DR_WARNING),
	        dr_findings_count(list, DR_ADVICE));
}

void
dr_findings_prom(const struct dr_findings *list, const char *node, double now_s,
                 FILE *out)
{
	size_t n[DR_C_MAX] = {0}, i;
	int c;

	for (i = 0; i < list->n; i++)
		n[list->v[i].code]++;
	/* Every code has its series, 0 when not found, so that an alert
	 * on "> 0" has a series to compare from the first run on. */
	fprintf(out, "# HELP vipd_doctor_findings Problems vipctl doctor "
	             "found on this node, by code (0: not found).\n"
	             "# TYPE vipd_doctor_findings gauge\n");
	for (c = 0; c < DR_C_MAX; c++)
		fprintf(out,
		        "vipd_doctor_findings{node=\"%s\",code=\"%s\","
		        "severity=\"%s\"} %zu\n",
		        node, dr_code_name((enum dr_code)c),
		        dr_severity_name(dr_code_severity((enum dr_code)c)),
		        n[c]);
	fprintf(out,
	        "# HELP vipd_doctor_last_run_timestamp_seconds When "
	        "vipctl doctor wrote these findings (Unix time).\n"
	        "# TYPE vipd_doctor_last_run_timestamp_seconds gauge\n"
	        "vipd_doctor_last_run_timestamp_seconds{node=\"%s\"} "
	        "%.3f\n",
	        node, now_s);
}
