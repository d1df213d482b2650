# ctlproto/: the control protocol both programs link: the command table
# (words, arguments, help), request lines, state and counter names, and the
# JSON of the answers on top of jansson.  Sees only its own folder.
noinst_LIBRARIES += ctlproto/libvipctlp.a
ctlproto_libvipctlp_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/ctlproto \
	$(JANSSON_CFLAGS)
ctlproto_libvipctlp_a_SOURCES = ctlproto/ctlproto.h ctlproto/ctlproto.c \
	ctlproto/names.c ctlproto/ctljson.h ctlproto/ctljson.c
CTLP_LIBS = ctlproto/libvipctlp.a $(JANSSON_LIBS)

# Unit tests and fuzz targets link only this library.
CTLP_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/ctlproto \
	-I$(srcdir)/tests/unit $(JANSSON_CFLAGS)
check_PROGRAMS += tests/unit/test_ctlproto tests/unit/test_ctljson
TESTS += tests/unit/test_ctlproto tests/unit/test_ctljson
tests_unit_test_ctlproto_CPPFLAGS = $(CTLP_TEST_CPPFLAGS)
tests_unit_test_ctlproto_SOURCES = tests/unit/test_ctlproto.c tests/unit/tap.h
tests_unit_test_ctlproto_LDADD = $(CTLP_LIBS)
tests_unit_test_ctljson_CPPFLAGS = $(CTLP_TEST_CPPFLAGS)
tests_unit_test_ctljson_SOURCES = tests/unit/test_ctljson.c tests/unit/tap.h
tests_unit_test_ctljson_LDADD = $(CTLP_LIBS)

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
