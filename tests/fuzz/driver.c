/*
 * Replays a fuzz target's corpus as a TAP test, so `make check` runs every
 * saved input (crashers included) through the parser under the sanitizers.
 * Built only without --enable-fuzzing; with it, libFuzzer provides main.
 *
 * Usage: fuzz_NAME [FILE|DIR ...]; with no arguments, the FUZZ_CORPUS
 * directory compiled into the target.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char *fuzz_corpus_dir;

static int n;

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0) {
		printf("not ok %d - cannot read %s\n", ++n, path);
		if (f)
			fclose(f);
		return 1;
	}
	rewind(f);
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		printf("not ok %d - cannot read %s\n", ++n, path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	printf("ok %d - %s\n", ++n,
	       strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	fflush(stdout);
	return 0;
}

static int
run_path(const char *path)
{
	struct stat st;
	struct dirent **ents;
	int i, k, fails = 0;

	if (stat(path, &st) == -1) {
		printf("not ok %d - no corpus at %s\n", ++n, path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	k = scandir(path, &ents, NULL, alphasort);
	for (i = 0; i < k; i++) {
		char full[4096];

		if (ents[i]->d_name[0] != '.') {
			snprintf(full, sizeof(full), "%s/%s", path,
			         ents[i]->d_name);
			fails += run_file(full);
		}
		free(ents[i]);
	}
	if (k >= 0)
		free(ents);
	return fails;
}

int
main(int argc, char **argv)
{
	int i, fails = 0;

	if (argc < 2)
		fails = run_path(fuzz_corpus_dir);
	for (i = 1; i < argc; i++)
		fails += run_path(argv[i]);
	printf("1..%d\n", n);
	return fails ? 1 : 0;
}
