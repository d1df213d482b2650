/*
 * prober's summary.  Definitions (all on the probes' send times, so the
 * numbers describe the outage as the client saw it, not the network's
 * reply delay):
 *
 *   lost          probes without any reply by the end of the final wait.
 *   max_lost_run  the longest run of consecutive lost probes (by sequence).
 *   max_gap_ms    the longest time during which every probe went
 *                 unanswered: from the send time of the first lost probe of
 *                 a run to the send time of the next answered probe (for a
 *                 run at the very end: to one interval after the last
 *                 probe).  That is max_lost_run x interval up to pacing
 *                 jitter, and 0 when nothing was lost.  The true outage is
 *                 within one interval of it: the service was up at the
 *                 answered probe before the run and again at the one after.
 *   max_rx_gap_ms the longest time between two consecutive reply arrivals
 *                 (first replies only); with no loss, about one interval.
 *   changes       walking the answered probes in sequence order, each time
 *                 the answering node differs from the previous answered
 *                 probe's: t_ms is the send time of the first probe that
 *                 the new node answered, since the first probe.
 *   duplicates    probes answered more than once; dup_nodes: those of them
 *                 answered by two different nodes (two leaders at once).
 *   reordered     replies that arrived after a reply to a later probe.
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "prober.h"

#define PR_CHANGES_PRINTED 1000

struct pr_result {
	uint32_t lost, max_lost_run, changes, duplicates, dup_nodes;
	uint64_t max_gap_us;
	uint16_t first_node, last_node;
	uint32_t per_node[PR_NODES_MAX + 1];
	double iv_mean_us;
	uint64_t iv_max_dev_us;
	double cpu_ms;
};

static void
pr_gaps(const struct prober *pr, struct pr_result *r)
{
	const struct pr_probe *p = pr->p;
	uint32_t i, run = 0, first = 0;
	uint64_t gap;

	for (i = 0; i < pr->np; i++) {
		if (p[i].nrecv == 0) {
			if (run++ == 0)
				first = i;
			continue;
		}
		if (run > 0) {
			gap = p[i].sent_us - p[first].sent_us;
			if (gap > r->max_gap_us)
				r->max_gap_us = gap;
			if (run > r->max_lost_run)
				r->max_lost_run = run;
			run = 0;
		}
	}
	if (run > 0) {
		gap = p[pr->np - 1].sent_us - p[first].sent_us +
		      (uint64_t)pr->o.interval_us;
		if (gap > r->max_gap_us)
			r->max_gap_us = gap;
		if (run > r->max_lost_run)
			r->max_lost_run = run;
	}
}

static void
pr_nodes(const struct prober *pr, struct pr_result *r)
{
	const struct pr_probe *p = pr->p;
	uint32_t i;

	for (i = 0; i < pr->np; i++) {
		if (p[i].nrecv == 0)
			continue;
		r->per_node[p[i].node]++;
		if (p[i].nrecv > 1)
			r->duplicates++;
		if (p[i].othernode)
			r->dup_nodes++;
		if (r->first_node == 0)
			r->first_node = p[i].node;
		else if (p[i].node != r->last_node)
			r->changes++;
		r->last_node = p[i].node;
	}
}

static void
pr_pacing(const struct prober *pr, struct pr_result *r)
{
	const struct pr_probe *p = pr->p;
	uint64_t iv = (uint64_t)pr->o.interval_us, d, dev;
	struct rusage ru;
	uint32_t i;

	if (pr->np > 1)
		r->iv_mean_us = (double)(p[pr->np - 1].sent_us - p[0].sent_us) /
		                (pr->np - 1);
	for (i = 1; i < pr->np; i++) {
		d = p[i].sent_us - p[i - 1].sent_us;
		dev = d > iv ? d - iv : iv - d;
		if (dev > r->iv_max_dev_us)
			r->iv_max_dev_us = dev;
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		r->cpu_ms =
		    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static const char *
pr_name(const struct prober *pr, uint16_t node)
{
	return node == 0 ? NULL : pr->nodes[node - 1];
}

/* Prints S as a JSON string, or null.  Names are printable ASCII already
 * (prober sanitises them), so only quotes and backslashes need escaping. */
static void
pr_json_str(FILE *out, const char *s)
{
	if (s == NULL) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s < ' ')
			fprintf(out, "\\u%04x", (unsigned)(unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* Walks the node changes again (see the definition above) for printing. */
static void
pr_print_changes(const struct prober *pr, FILE *out, bool json)
{
	const struct pr_probe *p = pr->p;
	uint16_t prev = 0;
	uint32_t i, n = 0;

	for (i = 0; i < pr->np && n < PR_CHANGES_PRINTED; i++) {
		if (p[i].nrecv == 0)
			continue;
		if (prev != 0 && p[i].node != prev) {
			if (json) {
				fprintf(out, "%s{\"t_ms\":%.1f,\"from\":",
				        n > 0 ? "," : "", p[i].sent_us / 1e3);
				pr_json_str(out, pr_name(pr, prev));
				fputs(",\"to\":", out);
				pr_json_str(out, pr_name(pr, p[i].node));
				fputc('}', out);
			} else {
				fprintf(out, "change at %.1f ms: %s -> %s\n",
				        p[i].sent_us / 1e3, pr_name(pr, prev),
				        pr_name(pr, p[i].node));
			}
			n++;
		}
		prev = p[i].node;
	}
}

static void
pr_json(const struct prober *pr, const struct pr_result *r, FILE *out)
{
	uint16_t i;

	fputs("{\"target\":", out);
	pr_json_str(out, pr->o.target);
	fprintf(out,
	        ",\"port\":%ld,\"interval_us\":%ld,\"stopped\":\"%s\","
	        "\"elapsed_ms\":%.1f,\"sent\":%u,\"received\":%u,\"lost\":%u,"
	        "\"max_gap_ms\":%.1f,\"max_lost_run\":%u,"
	        "\"max_rx_gap_ms\":%.1f,\"first_node\":",
	        pr->o.port, pr->o.interval_us, pr->stop_reason,
	        (double)(pr->end_ns - pr->t0) / 1e6, pr->np, pr->received,
	        r->lost, r->max_gap_us / 1e3, r->max_lost_run,
	        (double)pr->max_rx_gap_ns / 1e6);
	pr_json_str(out, pr_name(pr, r->first_node));
	fputs(",\"last_node\":", out);
	pr_json_str(out, pr_name(pr, r->last_node));
	fputs(",\"nodes\":{", out);
	for (i = 1; i <= pr->nnodes; i++) {
		fputs(i > 1 ? "," : "", out);
		pr_json_str(out, pr_name(pr, i));
		fprintf(out, ":%u", r->per_node[i]);
	}
	fputs("},\"changes\":[", out);
	pr_print_changes(pr, out, true);
	fprintf(
	    out,
	    "],\"changes_total\":%u,\"duplicates\":%u,\"dup_nodes\":%u,"
	    "\"reordered\":%llu,\"bogus\":%llu,\"send_errors\":%llu,"
	    "\"rx_errors\":%llu,\"pacing\":{\"interval_mean_us\":%.1f,"
	    "\"interval_max_dev_us\":%llu,\"late_mean_us\":%.1f,"
	    "\"late_max_us\":%.1f,\"late_slots\":%llu,\"skipped\":%llu},"
	    "\"cpu_ms\":%.1f}\n",
	    r->changes, r->duplicates, r->dup_nodes,
	    (unsigned long long)pr->reordered, (unsigned long long)pr->bogus,
	    (unsigned long long)pr->send_errors,
	    (unsigned long long)pr->rx_errors, r->iv_mean_us,
	    (unsigned long long)r->iv_max_dev_us,
	    pr->np > 0 ? (double)pr->late_sum_ns / pr->np / 1e3 : 0.0,
	    (double)pr->late_max_ns / 1e3, (unsigned long long)pr->late_slots,
	    (unsigned long long)pr->skipped, r->cpu_ms);
}

static void
pr_text(const struct prober *pr, const struct pr_result *r, FILE *out)
{
	uint16_t i;

	fprintf(out,
	        "prober: %s port %ld, every %ld us, stopped by %s after "
	        "%.1f ms\n",
	        pr->o.target, pr->o.port, pr->o.interval_us, pr->stop_reason,
	        (double)(pr->end_ns - pr->t0) / 1e6);
	fprintf(out, "sent %u, received %u, lost %u (%.2f%%)\n", pr->np,
	        pr->received, r->lost,
	        pr->np > 0 ? 100.0 * r->lost / pr->np : 0.0);
	fprintf(out,
	        "max gap %.1f ms (%u probes lost in a row); longest time "
	        "between replies %.1f ms\n",
	        r->max_gap_us / 1e3, r->max_lost_run,
	        (double)pr->max_rx_gap_ns / 1e6);
	fputs("nodes:", out);
	for (i = 1; i <= pr->nnodes; i++)
		fprintf(out, " %s %u", pr_name(pr, i), r->per_node[i]);
	fprintf(out, "%s; first %s, last %s\n", pr->nnodes == 0 ? " none" : "",
	        r->first_node ? pr_name(pr, r->first_node) : "-",
	        r->last_node ? pr_name(pr, r->last_node) : "-");
	pr_print_changes(pr, out, false);
	fprintf(out,
	        "changes %u, duplicates %u (%u from two nodes), reordered "
	        "%llu, bogus %llu, send errors %llu, receive errors %llu\n",
	        r->changes, r->duplicates, r->dup_nodes,
	        (unsigned long long)pr->reordered,
	        (unsigned long long)pr->bogus,
	        (unsigned long long)pr->send_errors,
	        (unsigned long long)pr->rx_errors);
	fprintf(out,
	        "pacing: mean interval %.1f us, max deviation %llu us, late "
	        "max %.1f us, %llu over an interval late, %llu skipped; cpu "
	        "%.1f ms\n",
	        r->iv_mean_us, (unsigned long long)r->iv_max_dev_us,
	        (double)pr->late_max_ns / 1e3,
	        (unsigned long long)pr->late_slots,
	        (unsigned long long)pr->skipped, r->cpu_ms);
}

void
pr_report(const struct prober *pr, FILE *out)
{
	struct pr_result res, *r = &res;

	memset(r, 0, sizeof(*r));
	r->lost = pr->np - pr->received;
	pr_gaps(pr, r);
	pr_nodes(pr, r);
	pr_pacing(pr, r);
	if (pr->o.json)
		pr_json(pr, r, out);
	else
		pr_text(pr, r, out);
	fflush(out);
}
