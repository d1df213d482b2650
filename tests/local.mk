# tests/: unit tests are declared next to their module (in its local.mk);
# this fragment holds the fuzz driver and the namespace integration tests.
#
# Fuzz targets follow one pattern (see election/local.mk for an example):
#   tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput and
#   `const char *fuzz_corpus_dir = FUZZ_CORPUS;`, its corpus lives in
#   tests/fuzz/corpus/NAME/.  Without --enable-fuzzing the target links
#   $(FUZZ_DRIVER_LIB), which replays the corpus as a TAP test in make check;
#   with it (CC=clang), libFuzzer drives it and it is not run by make check.
if FUZZING
FUZZ_CFLAGS = -fsanitize=fuzzer
FUZZ_DRIVER_LIB =
else
FUZZ_CFLAGS =
FUZZ_DRIVER_LIB = tests/fuzz/libfuzzdriver.a
noinst_LIBRARIES += tests/fuzz/libfuzzdriver.a
tests_fuzz_libfuzzdriver_a_SOURCES = tests/fuzz/driver.c
endif
EXTRA_DIST += tests/fuzz/corpus

EXTRA_DIST += tests/netns/lab.sh

# Election end to end with the daemon (issue 4), each file its own lab:
# election_lib.sh holds their helpers, udpreplay.py re-sends captured
# heartbeats.  election_flap.sh runs for over a minute.
ELECTION_NETNS_TESTS = tests/netns/election_basic.sh \
	tests/netns/election_auth.sh tests/netns/election_partition.sh \
	tests/netns/election_dataplane.sh tests/netns/election_fault.sh \
	tests/netns/election_spread.sh tests/netns/election_flap.sh
TESTS += $(ELECTION_NETNS_TESTS)
EXTRA_DIST += $(ELECTION_NETNS_TESTS) tests/netns/vlab.sh \
	tests/netns/election_lib.sh tests/tools/udpreplay.py
