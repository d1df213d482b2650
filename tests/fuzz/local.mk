# tests/fuzz/: a fuzz target for every parser that faces the outside.
#
# Fuzz targets follow one pattern (fuzz_msg below is an example):
#   tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput and
#   `const char *fuzz_corpus_dir = FUZZ_CORPUS;`, its corpus lives in
#   tests/fuzz/corpus/NAME/.  Without --enable-fuzzing the target links
#   $(FUZZ_DRIVER_LIB), which replays the corpus as a TAP test in make check;
#   with it (CC=clang), libFuzzer drives it and it is not run by make check
#   (tests/fuzz/run-fuzzers.sh builds every tests/fuzz/fuzz_NAME.c and runs
#   it for a bounded time; tests/run-all.sh calls it).
#   One instrumentation for all: --enable-fuzzing puts the coverage flag
#   (FUZZ_COV_CFLAGS, -fsanitize=fuzzer-no-link) into AM_CFLAGS, so every
#   library and program is instrumented and a target sees the edges of the
#   modules it links; a new library needs nothing but, if it sets its own
#   _CFLAGS, to start them with $(AM_CFLAGS).  Only the targets add
#   $(FUZZ_CFLAGS) (libFuzzer's main) to their _CFLAGS, which automake also
#   passes to the link.
if FUZZING
FUZZ_CFLAGS = -fsanitize=fuzzer
FUZZ_DRIVER_LIB =
else
FUZZ_CFLAGS =
FUZZ_DRIVER_LIB = tests/fuzz/libfuzzdriver.a
check_LIBRARIES += tests/fuzz/libfuzzdriver.a
tests_fuzz_libfuzzdriver_a_SOURCES = tests/fuzz/driver.c
endif
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/run-fuzzers.sh

# Fuzz target: a config file's text.
check_PROGRAMS += tests/fuzz/fuzz_conf
if !FUZZING
TESTS += tests/fuzz/fuzz_conf
endif
tests_fuzz_fuzz_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/conf \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/conf"'
tests_fuzz_fuzz_conf_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c
tests_fuzz_fuzz_conf_LDADD = $(CONF_LIBS) $(FUZZ_DRIVER_LIB)

# Fuzz target: the peer message decoder and the cluster behind it.
check_PROGRAMS += tests/fuzz/fuzz_msg
if !FUZZING
TESTS += tests/fuzz/fuzz_msg
endif
tests_fuzz_fuzz_msg_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/election $(SODIUM_CFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/msg"'
tests_fuzz_fuzz_msg_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_msg_SOURCES = tests/fuzz/fuzz_msg.c
tests_fuzz_fuzz_msg_LDADD = $(FUZZ_DRIVER_LIB) $(EL_LIBS)
tests_fuzz_fuzz_msg_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)

# Fuzz target: ARP/NDP frames (codec and BPF filter).
check_PROGRAMS += tests/fuzz/fuzz_frame
tests_fuzz_fuzz_frame_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/frame"'
tests_fuzz_fuzz_frame_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_frame_SOURCES = tests/fuzz/fuzz_frame.c
tests_fuzz_fuzz_frame_LDADD = $(FUZZ_DRIVER_LIB) $(NET_LIBS)
tests_fuzz_fuzz_frame_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
if !FUZZING
TESTS += tests/fuzz/fuzz_frame
endif

# Fuzz target: the netlink message parser.
check_PROGRAMS += tests/fuzz/fuzz_rtnl
if !FUZZING
TESTS += tests/fuzz/fuzz_rtnl
endif
tests_fuzz_fuzz_rtnl_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_NET_INTERNAL -I$(srcdir)/net $(MNL_CFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/rtnl"'
tests_fuzz_fuzz_rtnl_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_rtnl_SOURCES = tests/fuzz/fuzz_rtnl.c
tests_fuzz_fuzz_rtnl_LDADD = $(FUZZ_DRIVER_LIB) $(NET_LIBS)

# Fuzz targets: the JSON helpers and control requests.
check_PROGRAMS += tests/fuzz/fuzz_json tests/fuzz/fuzz_ctl
if !FUZZING
TESTS += tests/fuzz/fuzz_json tests/fuzz/fuzz_ctl
endif
tests_fuzz_fuzz_json_CPPFLAGS = $(CTLP_TEST_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/json"'
tests_fuzz_fuzz_json_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c
tests_fuzz_fuzz_json_LDADD = $(CTLP_LIBS) $(FUZZ_DRIVER_LIB)
tests_fuzz_fuzz_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_ctl_CPPFLAGS = $(CTLP_TEST_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/ctl"'
tests_fuzz_fuzz_ctl_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_ctl_SOURCES = tests/fuzz/fuzz_ctl.c
tests_fuzz_fuzz_ctl_LDADD = $(CTLP_LIBS) $(FUZZ_DRIVER_LIB)
tests_fuzz_fuzz_ctl_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
