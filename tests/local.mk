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

# The announcer end to end with vipd in namespaces (issue 3): answers,
# bursts and refresh, silent backups, takeover and release, frames checked
# with tshark (announce.sh); malformed frames, conflict probe, VIPs outside
# the subnets (announce_guard.sh); 1,000 IPv4 / 200 IPv6 VIPs
# (announce_scale.sh).  Need root; skip otherwise.
TESTS += tests/netns/announce.sh tests/netns/announce_guard.sh \
	tests/netns/announce_scale.sh
EXTRA_DIST += tests/netns/announce.sh tests/netns/announce_guard.sh \
	tests/netns/announce_scale.sh tests/netns/vlab.sh
