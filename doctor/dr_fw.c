/*
 * The namespace's nftables ruleset, for firewall-drop: libnftables lists
 * it as JSON (what is matched) and as text with handles (what the user
 * sees); dr_fw_parse keeps the drop/reject rules that match on the UDP
 * destination port or the destination address.  A simple reading: one
 * rule at a time, no jumps or policies followed; matches other than
 * those are ignored (the evidence shows the whole rule).
 */
#include "config.h"

#include <arpa/inet.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "doctor.h"

/* "list ruleset" with flags; a malloc'd copy of the output, or NULL. */
static char *
nft_list(unsigned flags)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *buf;
	char *out = NULL;

	if (ctx == NULL)
		return NULL;
	nft_ctx_output_set_flags(ctx, flags);
	if (nft_ctx_buffer_output(ctx) == 0 && nft_ctx_buffer_error(ctx) == 0 &&
	    nft_run_cmd_from_buffer(ctx, "list ruleset") == 0 &&
	    (buf = nft_ctx_get_output_buffer(ctx)) != NULL)
		out = strdup(buf);
	nft_ctx_free(ctx);
	return out;
}

void
dr_gather_firewall(struct dr_facts *f)
{
	char *json = nft_list(NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	char *text = json ? nft_list(NFT_CTX_OUTPUT_HANDLE) : NULL;

	f->nfw = 0;
	if (json != NULL)
		dr_fw_parse(f, json, text);
	free(json);
	free(text);
}

/* o[key] as a string, "" when it is not one. */
static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* A named set of the ruleset: its elements, or NULL. */
static const json_t *
set_elems(const json_t *all, const char *family, const char *table,
          const char *name)
{
	size_t i;

	for (i = 0; i < json_array_size(all); i++) {
		const json_t *s =
		    json_object_get(json_array_get(all, i), "set");

		if (s != NULL && strcmp(jstr(s, "family"), family) == 0 &&
		    strcmp(jstr(s, "table"), table) == 0 &&
		    strcmp(jstr(s, "name"), name) == 0)
			return json_object_get(s, "elem");
	}
	return NULL;
}

struct ctx {
	const json_t *all;
	const char *family, *table;
};

static void
add_port(struct dr_fw_rule *r, json_int_t lo, json_int_t hi)
{
	if (r->nports >= DR_FW_ITEMS || lo < 0 || hi > 65535 || lo > hi)
		return;
	r->port_lo[r->nports] = (uint16_t)lo;
	r->port_hi[r->nports] = (uint16_t)hi;
	r->nports++;
}

/* A port value: 7431, {"range": [a, b]}, {"set": [...]}, "@name". */
static void
ports(const struct ctx *c, struct dr_fw_rule *r, const json_t *v)
{
	const json_t *range = json_object_get(v, "range");
	size_t i;

	if (json_is_integer(v))
		add_port(r, json_integer_value(v), json_integer_value(v));
	else if (json_is_array(range) && json_array_size(range) == 2)
		add_port(r, json_integer_value(json_array_get(range, 0)),
		         json_integer_value(json_array_get(range, 1)));
	else if (json_is_array(json_object_get(v, "set")))
		for (i = 0; i < json_array_size(json_object_get(v, "set")); i++)
			ports(c, r,
			      json_array_get(json_object_get(v, "set"), i));
	else if (json_is_string(v) && json_string_value(v)[0] == '@') {
		const json_t *e = set_elems(c->all, c->family, c->table,
		                            json_string_value(v) + 1);

		for (i = 0; i < json_array_size(e); i++)
			ports(c, r, json_array_get(e, i));
	}
}

static void
add_daddr(struct dr_fw_rule *r, const char *s, json_int_t len)
{
	struct dr_prefix *p = &r->daddrs[r->ndaddrs];

	if (r->ndaddrs >= DR_FW_ITEMS || s == NULL)
		return;
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, p->addr.a) == 1)
		p->addr.family = AF_INET;
	else if (inet_pton(AF_INET6, s, p->addr.a) == 1)
		p->addr.family = AF_INET6;
	else
		return;
	if (len < 0)
		len = p->addr.family == AF_INET ? 32 : 128;
	if (len > (p->addr.family == AF_INET ? 32 : 128))
		return;
	p->plen = (unsigned)len;
	r->ndaddrs++;
}

/* An address value: "10.0.0.1", {"prefix": {addr, len}}, {"set": [...]},
 * "@name" (address ranges are not read). */
static void
daddrs(const struct ctx *c, struct dr_fw_rule *r, const json_t *v)
{
	const json_t *pfx = json_object_get(v, "prefix");
	size_t i;

	if (json_is_string(v) && json_string_value(v)[0] == '@') {
		const json_t *e = set_elems(c->all, c->family, c->table,
		                            json_string_value(v) + 1);

		for (i = 0; i < json_array_size(e); i++)
			daddrs(c, r, json_array_get(e, i));
	} else if (json_is_string(v))
		add_daddr(r, json_string_value(v), -1);
	else if (pfx != NULL)
		add_daddr(r, json_string_value(json_object_get(pfx, "addr")),
		          json_integer_value(json_object_get(pfx, "len")));
	else if (json_is_array(json_object_get(v, "set")))
		for (i = 0; i < json_array_size(json_object_get(v, "set")); i++)
			daddrs(c, r,
			       json_array_get(json_object_get(v, "set"), i));
}

/* One match expression: "==" or "in" on udp dport or ip/ip6 daddr. */
static void
match(const struct ctx *c, struct dr_fw_rule *r, const json_t *m)
{
	const char *op = json_string_value(json_object_get(m, "op"));
	const json_t *pl =
	    json_object_get(json_object_get(m, "left"), "payload");
	const char *proto = json_string_value(json_object_get(pl, "protocol"));
	const char *field = json_string_value(json_object_get(pl, "field"));
	const json_t *right = json_object_get(m, "right");

	if (op == NULL || proto == NULL || field == NULL ||
	    (strcmp(op, "==") != 0 && strcmp(op, "in") != 0))
		return;
	if (strcmp(proto, "udp") == 0 && strcmp(field, "dport") == 0)
		ports(c, r, right);
	else if ((strcmp(proto, "ip") == 0 || strcmp(proto, "ip6") == 0) &&
	         strcmp(field, "daddr") == 0)
		daddrs(c, r, right);
}

/* The text of rule r in `nft -a list ruleset` output: the line ending
 * "# handle N" in its table and chain, without the comment. */
static void
rule_text(struct dr_fw_rule *r, const char *text)
{
	char table[96], chain[96], want[40], line[512];
	const char *p = text, *nl;
	bool in_table = false, in_chain = false;
	size_t len;

	snprintf(table, sizeof(table), "table %s %s {", r->family, r->table);
	snprintf(chain, sizeof(chain), "chain %s {", r->chain);
	snprintf(want, sizeof(want), " # handle %llu",
	         (unsigned long long)r->handle);
	while (p != NULL && *p != '\0') {
		const char *s;
		char *h;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		for (s = line; *s == '\t' || *s == ' '; s++)
			;
		if (strncmp(s, "table ", 6) == 0)
			in_table = strncmp(s, table, strlen(table)) == 0;
		else if (strncmp(s, "chain ", 6) == 0)
			in_chain =
			    in_table && strncmp(s, chain, strlen(chain)) == 0;
		else if (in_chain && (h = strstr(line, want)) != NULL &&
		         h[strlen(want)] == '\0') {
			*h = '\0';
			snprintf(r->text, sizeof(r->text), "%.*s",
			         (int)sizeof(r->text) - 1, s);
			return;
		}
	}
}

static void
copy_str(char *dst, size_t len, const json_t *o, const char *key)
{
	snprintf(dst, len, "%s", jstr(o, key));
}

size_t
dr_fw_parse(struct dr_facts *f, const char *json, const char *text)
{
	json_t *root = json_loads(json, 0, NULL);
	const json_t *all = json_object_get(root, "nftables");
	size_t i, k;

	f->nfw = 0;
	for (i = 0; i < json_array_size(all) && f->nfw < DR_FW_RULES; i++) {
		const json_t *jr =
		    json_object_get(json_array_get(all, i), "rule");
		const json_t *expr = json_object_get(jr, "expr");
		struct dr_fw_rule *r = &f->fw[f->nfw];
		struct ctx c;

		if (jr == NULL)
			continue;
		memset(r, 0, sizeof(*r));
		for (k = 0; k < json_array_size(expr); k++) {
			const json_t *e = json_array_get(expr, k);

			if (json_object_get(e, "drop") != NULL)
				r->verdict = "drop";
			else if (json_object_get(e, "reject") != NULL)
				r->verdict = "reject";
		}
		if (r->verdict == NULL)
			continue;
		copy_str(r->family, sizeof(r->family), jr, "family");
		copy_str(r->table, sizeof(r->table), jr, "table");
		copy_str(r->chain, sizeof(r->chain), jr, "chain");
		r->handle =
		    (uint64_t)json_integer_value(json_object_get(jr, "handle"));
		c.all = all;
		c.family = r->family;
		c.table = r->table;
		for (k = 0; k < json_array_size(expr); k++)
			match(
			    &c, r,
			    json_object_get(json_array_get(expr, k), "match"));
		if (r->nports == 0 && r->ndaddrs == 0)
			continue;
		if (text != NULL)
			rule_text(r, text);
		f->nfw++;
	}
	json_decref(root);
	return f->nfw;
}
