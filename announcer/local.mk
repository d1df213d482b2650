# announcer/: the daemon and vipctl.  The only module that sees all others.
ANNOUNCER_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer -I$(srcdir)/conf \
	-I$(srcdir)/election -I$(srcdir)/net -I$(srcdir)/pin

sbin_PROGRAMS += vipd
vipd_CPPFLAGS = $(ANNOUNCER_CPPFLAGS)
vipd_SOURCES = announcer/vipd.h announcer/main.c announcer/daemon.c \
	announcer/peers.c announcer/group.c announcer/port.c \
	announcer/announce.c announcer/burst.h announcer/burst.c announcer/vipmap.c \
	announcer/ctl.c announcer/ctlproto.h announcer/ctlproto.c \
	announcer/json.h announcer/json.c announcer/status.c \
	announcer/reload.c announcer/check.c announcer/sdnotify.c \
	announcer/privdrop.c
vipd_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CAPNG_CFLAGS)
vipd_LDADD = $(PIN_LIBS) $(CONF_LIBS) $(EL_LIBS) $(NET_LIBS) $(SYSTEMD_LIBS) \
	$(CAPNG_LIBS)

bin_PROGRAMS += vipctl
vipctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer -I$(srcdir)/conf
vipctl_SOURCES = announcer/vipctl.c announcer/json.h announcer/json.c \
	announcer/ctlproto.h announcer/ctlproto.c
vipctl_LDADD = $(CONF_LIBS)

dist_man_MANS += doc/vipd.8 doc/vipctl.8

# "proto vipd" in ip rule / ip route output.
rtprotosdir = $(sysconfdir)/iproute2/rt_protos.d
dist_rtprotos_DATA = doc/rt_protos.d/vipd.conf

# Control protocol: unit tests and fuzz targets link only json.c and
# ctlproto.c (pure code, no other module).
CTL_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer -I$(srcdir)/tests/unit
check_PROGRAMS += tests/unit/test_json tests/unit/test_ctlproto
TESTS += tests/unit/test_json tests/unit/test_ctlproto
tests_unit_test_json_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_test_json_SOURCES = tests/unit/test_json.c tests/unit/tap.h \
	announcer/json.h announcer/json.c
tests_unit_test_ctlproto_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_test_ctlproto_SOURCES = tests/unit/test_ctlproto.c \
	tests/unit/tap.h announcer/ctlproto.h announcer/ctlproto.c

check_PROGRAMS += tests/fuzz/fuzz_json tests/fuzz/fuzz_ctl
if !FUZZING
TESTS += tests/fuzz/fuzz_json tests/fuzz/fuzz_ctl
endif
tests_fuzz_fuzz_json_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/json"'
tests_fuzz_fuzz_json_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c announcer/json.h \
	announcer/json.c
tests_fuzz_fuzz_json_LDADD = $(FUZZ_DRIVER_LIB)
tests_fuzz_fuzz_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_ctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/ctl"'
tests_fuzz_fuzz_ctl_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_ctl_SOURCES = tests/fuzz/fuzz_ctl.c announcer/ctlproto.h \
	announcer/ctlproto.c
tests_fuzz_fuzz_ctl_LDADD = $(FUZZ_DRIVER_LIB)
tests_fuzz_fuzz_ctl_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)

# Unit tests of the daemon's pure parts (no root): they link the one
# announcer source under test and the libraries it calls.
check_PROGRAMS += tests/unit/test_vipmap
TESTS += tests/unit/test_vipmap
tests_unit_test_vipmap_CPPFLAGS = $(ANNOUNCER_CPPFLAGS) -I$(srcdir)/tests/unit
tests_unit_test_vipmap_SOURCES = tests/unit/test_vipmap.c tests/unit/tap.h \
	announcer/vipmap.c
tests_unit_test_vipmap_LDADD = $(NET_LIBS)
check_PROGRAMS += tests/unit/test_burst
TESTS += tests/unit/test_burst
tests_unit_test_burst_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer \
	-I$(srcdir)/tests/unit
tests_unit_test_burst_SOURCES = tests/unit/test_burst.c tests/unit/tap.h \
	announcer/burst.h announcer/burst.c
check_PROGRAMS += tests/unit/test_group
TESTS += tests/unit/test_group
tests_unit_test_group_CPPFLAGS = $(ANNOUNCER_CPPFLAGS) -I$(srcdir)/tests/unit
tests_unit_test_group_SOURCES = tests/unit/test_group.c tests/unit/tap.h \
	announcer/group.c announcer/vipmap.c
tests_unit_test_group_LDADD = $(CONF_LIBS) $(EL_LIBS) $(NET_LIBS)
