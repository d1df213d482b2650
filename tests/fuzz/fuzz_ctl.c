/*
 * Fuzz target: the control request parser, the daemon's first contact with
 * any local client.  No crash whatever the bytes; an accepted request has
 * a valid argument and formats back to a line that parses to the same
 * request; a refused one says why.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_corpus_dir = FUZZ_CORPUS;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128] = "", line[CTL_REQ_MAX + 2];
	struct ctl_req req, back;
	int n;

	if (ctl_req_parse((const char *)data, size, &req, err, sizeof(err)) ==
	    -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (memchr(req.arg, '\0', sizeof(req.arg)) == NULL)
		abort();
	if (req.cmd == CTL_RELEASE &&
	    ctl_arg_check(req.arg, err, sizeof(err)) == -1)
		abort();
	n = ctl_req_format(&req, line, sizeof(line));
	if (n <= 0 || (size_t)n > size + 1)
		abort();
	if (ctl_req_parse(line, (size_t)n, &back, err, sizeof(err)) == -1 ||
	    back.cmd != req.cmd || strcmp(back.arg, req.arg) != 0)
		abort();
	return 0;
}
