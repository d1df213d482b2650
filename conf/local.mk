# conf/: the configuration, libconfig -> one frozen struct, every error
# with file:line; never logs.  Sees only its own folder.
noinst_LIBRARIES += conf/libvipconf.a
conf_libvipconf_a_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_CONF_INTERNAL -I$(srcdir)/conf $(LIBCONFIG_CFLAGS)
conf_libvipconf_a_SOURCES = conf/conf.h conf/conf_int.h conf/conf.c \
	conf/conf_util.c conf/conf_addr.c conf/conf_text.c conf/conf_group.c
CONF_LIBS = conf/libvipconf.a $(LIBCONFIG_LIBS)

dist_man_MANS += doc/vipd.conf.5
EXTRA_DIST += examples/vipd.conf tests/conf

# Unit tests: the parser with inline configs, and the golden files.
CONF_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/conf -I$(srcdir)/tests/unit \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"'
check_PROGRAMS += tests/unit/test_conf tests/unit/test_conf_groups \
	tests/unit/test_conf_golden
TESTS += tests/unit/test_conf tests/unit/test_conf_groups \
	tests/unit/test_conf_golden
tests_unit_test_conf_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c tests/unit/test_conf_util.h \
	tests/unit/tap.h
tests_unit_test_conf_LDADD = $(CONF_LIBS)
tests_unit_test_conf_groups_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_unit_test_conf_groups_SOURCES = tests/unit/test_conf_groups.c \
	tests/unit/test_conf_util.h tests/unit/tap.h
tests_unit_test_conf_groups_LDADD = $(CONF_LIBS)
tests_unit_test_conf_golden_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_unit_test_conf_golden_SOURCES = tests/unit/test_conf_golden.c \
	tests/unit/test_conf_util.h tests/unit/tap.h
tests_unit_test_conf_golden_LDADD = $(CONF_LIBS)

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
