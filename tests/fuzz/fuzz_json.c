/*
 * Fuzz target: the JSON parser vipctl reads the daemon's answers with.
 * Whatever the bytes: no crash, no leak, a reason on refusal.  A parsed
 * tree is written back with the writer, and that text must parse to the
 * same tree (strings, keys, types, integers).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_corpus_dir = FUZZ_CORPUS;

static void
write_tree(struct json *j, const char *key, const struct jv *v)
{
	size_t i;

	switch (v->type) {
	case JV_NULL:
		json_null(j, key);
		break;
	case JV_BOOL:
		json_bool(j, key, v->b);
		break;
	case JV_NUM:
		json_int(j, key, v->i);
		break;
	case JV_STR:
		json_str(j, key, v->s);
		break;
	case JV_ARR:
		json_arr_begin(j, key);
		for (i = 0; i < v->n; i++)
			write_tree(j, NULL, v->v[i]);
		json_arr_end(j);
		break;
	case JV_OBJ:
		json_obj_begin(j, key);
		for (i = 0; i < v->n; i++)
			write_tree(j, v->k[i], v->v[i]);
		json_obj_end(j);
		break;
	}
}

/* a was parsed from the input, b from a's re-written text. */
static int
same_tree(const struct jv *a, const struct jv *b)
{
	size_t i;

	if (a->type != b->type || a->n != b->n)
		return 0;
	switch (a->type) {
	case JV_BOOL:
		return a->b == b->b;
	case JV_NUM:
		return a->i == b->i;
	case JV_STR:
		return strcmp(a->s, b->s) == 0;
	case JV_OBJ:
		for (i = 0; i < a->n; i++)
			if (strcmp(a->k[i], b->k[i]) != 0)
				return 0;
		/* fall through */
	case JV_ARR:
		for (i = 0; i < a->n; i++)
			if (!same_tree(a->v[i], b->v[i]))
				return 0;
		return 1;
	default:
		return 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128] = "";
	struct jv *v, *back;
	struct json *j;
	const char *text;
	size_t len;

	v = jv_parse((const char *)data, size, err, sizeof(err));
	if (v == NULL) {
		if (strncmp(err, "line ", 5) != 0)
			abort();
		return 0;
	}
	(void)jv_str(v, "error", "");
	(void)jv_int(v, "pid", 0);
	(void)jv_bool(v, "ok", false);
	if ((j = json_new()) == NULL)
		abort();
	write_tree(j, NULL, v);
	text = json_text(j, &len);
	if (text == NULL || strlen(text) != len)
		abort();
	back = jv_parse(text, len, err, sizeof(err));
	if (back == NULL || !same_tree(v, back))
		abort();
	jv_free(back);
	json_free(j);
	jv_free(v);
	return 0;
}
