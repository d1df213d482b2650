# tests/unit/: unit tests, by module.  Each links only the module under
# test (and what that module itself links); the daemon's tests link the one
# announcer source under test with fakes for its collaborators.  Tests of
# pure code need no root; test_rtnl, test_udp and test_sysctl make a
# private network namespace (root, else they skip).

# ---- conf/
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
check_PROGRAMS += tests/unit/test_conf_checks
TESTS += tests/unit/test_conf_checks
tests_unit_test_conf_checks_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_unit_test_conf_checks_SOURCES = tests/unit/test_conf_checks.c \
	tests/unit/test_conf_util.h tests/unit/tap.h
tests_unit_test_conf_checks_LDADD = $(CONF_LIBS)
tests_unit_test_conf_golden_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_unit_test_conf_golden_SOURCES = tests/unit/test_conf_golden.c \
	tests/unit/test_conf_util.h tests/unit/tap.h
tests_unit_test_conf_golden_LDADD = $(CONF_LIBS)
# The metrics block (the Prometheus endpoint's address).
check_PROGRAMS += tests/unit/test_conf_metrics
TESTS += tests/unit/test_conf_metrics
tests_unit_test_conf_metrics_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_unit_test_conf_metrics_SOURCES = tests/unit/test_conf_metrics.c \
	tests/unit/test_conf_util.h tests/unit/tap.h
tests_unit_test_conf_metrics_LDADD = $(CONF_LIBS)
# The process block (the daemon's CPU scheduling).
check_PROGRAMS += tests/unit/test_conf_process
TESTS += tests/unit/test_conf_process
tests_unit_test_conf_process_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_unit_test_conf_process_SOURCES = tests/unit/test_conf_process.c \
	tests/unit/test_conf_util.h tests/unit/tap.h
tests_unit_test_conf_process_LDADD = $(CONF_LIBS)

# ---- election/
# Unit tests: each links the election library only.
EL_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/election -I$(srcdir)/tests/unit \
	$(SODIUM_CFLAGS)
EL_TESTS = tests/unit/test_el_msg tests/unit/test_el_replay \
	tests/unit/test_el_fsm tests/unit/test_el_guard \
	tests/unit/test_el_cluster tests/unit/test_el_resign \
	tests/unit/test_el_liveness
check_PROGRAMS += $(EL_TESTS)
TESTS += $(EL_TESTS)
# The harness most of them share (tests/unit/el_harness.h), built once.
check_LIBRARIES += tests/unit/libelharness.a
tests_unit_libelharness_a_CPPFLAGS = $(EL_TEST_CPPFLAGS)
tests_unit_libelharness_a_SOURCES = tests/unit/el_harness.c \
	tests/unit/el_harness.h
EL_HARNESS_LIBS = tests/unit/libelharness.a $(EL_LIBS)
tests_unit_test_el_msg_CPPFLAGS = $(EL_TEST_CPPFLAGS)
tests_unit_test_el_msg_SOURCES = tests/unit/test_el_msg.c tests/unit/tap.h
tests_unit_test_el_msg_LDADD = $(EL_LIBS)
tests_unit_test_el_replay_CPPFLAGS = $(EL_TEST_CPPFLAGS)
tests_unit_test_el_replay_SOURCES = tests/unit/test_el_replay.c \
	tests/unit/tap.h
tests_unit_test_el_replay_LDADD = $(EL_HARNESS_LIBS)
tests_unit_test_el_fsm_CPPFLAGS = $(EL_TEST_CPPFLAGS)
tests_unit_test_el_fsm_SOURCES = tests/unit/test_el_fsm.c \
	tests/unit/tap.h
tests_unit_test_el_fsm_LDADD = $(EL_HARNESS_LIBS)
tests_unit_test_el_guard_CPPFLAGS = $(EL_TEST_CPPFLAGS)
tests_unit_test_el_guard_SOURCES = tests/unit/test_el_guard.c \
	tests/unit/tap.h
tests_unit_test_el_guard_LDADD = $(EL_HARNESS_LIBS)
tests_unit_test_el_cluster_CPPFLAGS = $(EL_TEST_CPPFLAGS)
tests_unit_test_el_cluster_SOURCES = tests/unit/test_el_cluster.c \
	tests/unit/tap.h
tests_unit_test_el_cluster_LDADD = $(EL_HARNESS_LIBS)
tests_unit_test_el_resign_CPPFLAGS = $(EL_TEST_CPPFLAGS)
tests_unit_test_el_resign_SOURCES = tests/unit/test_el_resign.c \
	tests/unit/tap.h
tests_unit_test_el_resign_LDADD = $(EL_HARNESS_LIBS)
tests_unit_test_el_liveness_CPPFLAGS = $(EL_TEST_CPPFLAGS)
tests_unit_test_el_liveness_SOURCES = tests/unit/test_el_liveness.c \
	tests/unit/tap.h
tests_unit_test_el_liveness_LDADD = $(EL_HARNESS_LIBS)

# ---- net/: the event loop
check_PROGRAMS += tests/unit/test_ev
TESTS += tests/unit/test_ev
tests_unit_test_ev_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_unit_test_ev_SOURCES = tests/unit/test_ev.c tests/unit/tap.h
tests_unit_test_ev_LDADD = $(NET_LIBS)

# ARP/NDP frames: codec, BPF filter, L2 port (frames helper).
check_PROGRAMS += tests/unit/test_frame tests/unit/test_bpf
TESTS += tests/unit/test_frame tests/unit/test_bpf
tests_unit_test_frame_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_unit_test_frame_SOURCES = tests/unit/test_frame.c tests/unit/tap.h \
	tests/unit/test_net_util.h
tests_unit_test_frame_LDADD = $(NET_LIBS)
tests_unit_test_bpf_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_unit_test_bpf_SOURCES = tests/unit/test_bpf.c tests/unit/tap.h \
	tests/unit/test_net_util.h
tests_unit_test_bpf_LDADD = $(NET_LIBS)

# rtnl, udp, sysctl: root tests in a private network namespace (unshare).
check_PROGRAMS += tests/unit/test_rtnl tests/unit/test_udp tests/unit/test_sysctl
TESTS += tests/unit/test_rtnl tests/unit/test_udp tests/unit/test_sysctl
tests_unit_test_rtnl_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_NET_INTERNAL -I$(srcdir)/net -I$(srcdir)/tests/unit \
	$(MNL_CFLAGS)
tests_unit_test_rtnl_SOURCES = tests/unit/test_rtnl.c tests/unit/privns.h tests/unit/tap.h \
	tests/unit/test_net_util.h
tests_unit_test_rtnl_LDADD = $(NET_LIBS)
tests_unit_test_udp_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_unit_test_udp_SOURCES = tests/unit/test_udp.c tests/unit/privns.h tests/unit/tap.h \
	tests/unit/test_net_util.h
tests_unit_test_udp_LDADD = $(NET_LIBS)
tests_unit_test_sysctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_unit_test_sysctl_SOURCES = tests/unit/test_sysctl.c tests/unit/privns.h tests/unit/tap.h
tests_unit_test_sysctl_LDADD = $(NET_LIBS)

# ---- ctlproto/
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
# The Prometheus text of a metrics answer (promtool when on PATH).
check_PROGRAMS += tests/unit/test_ctlprom
TESTS += tests/unit/test_ctlprom
tests_unit_test_ctlprom_CPPFLAGS = $(CTLP_TEST_CPPFLAGS)
tests_unit_test_ctlprom_SOURCES = tests/unit/test_ctlprom.c tests/unit/tap.h
tests_unit_test_ctlprom_LDADD = $(CTLP_LIBS)

# ---- announcer/
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
	announcer/group.c announcer/vipmap.c \
	announcer/group_update.c
tests_unit_test_group_LDADD = $(CONF_LIBS) $(EL_LIBS) $(NET_LIBS) $(CTLP_LIBS)
check_PROGRAMS += tests/unit/test_reload
TESTS += tests/unit/test_reload
tests_unit_test_reload_CPPFLAGS = $(ANNOUNCER_CPPFLAGS) -I$(srcdir)/tests/unit
tests_unit_test_reload_SOURCES = tests/unit/test_reload.c tests/unit/tap.h \
	announcer/reload.c
tests_unit_test_reload_LDADD = $(CONF_LIBS) $(EL_LIBS) $(NET_LIBS) $(CTLP_LIBS)

# rtnl_route_get and rtnl_neigh_state (what doctor asks the kernel), root
# in a private network namespace like test_rtnl.
check_PROGRAMS += tests/unit/test_rtnl_lookup
TESTS += tests/unit/test_rtnl_lookup
tests_unit_test_rtnl_lookup_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net \
	-I$(srcdir)/tests/unit
tests_unit_test_rtnl_lookup_SOURCES = tests/unit/test_rtnl_lookup.c \
	tests/unit/privns.h tests/unit/tap.h
tests_unit_test_rtnl_lookup_LDADD = $(NET_LIBS)

# ---- doctor/
# The checks of vipctl doctor on recorded facts (no root, no netlink).
check_PROGRAMS += tests/unit/test_doctor
TESTS += tests/unit/test_doctor
tests_unit_test_doctor_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/doctor \
	-I$(srcdir)/conf -I$(srcdir)/tests/unit $(JANSSON_CFLAGS)
tests_unit_test_doctor_SOURCES = tests/unit/test_doctor.c tests/unit/tap.h
tests_unit_test_doctor_LDADD = $(DOCTOR_LIBS) $(CTLP_LIBS) $(CONF_LIBS) \
	$(NET_LIBS)

check_PROGRAMS += tests/unit/test_events
TESTS += tests/unit/test_events
tests_unit_test_events_CPPFLAGS = $(ANNOUNCER_CPPFLAGS) -I$(srcdir)/tests/unit
tests_unit_test_events_SOURCES = tests/unit/test_events.c tests/unit/tap.h \
	announcer/events.c
tests_unit_test_events_LDADD = $(CONF_LIBS) $(EL_LIBS) $(NET_LIBS) $(CTLP_LIBS)

# ---- checks/
# Unit tests: the pure state machine (no root), the runners on a real loop.
CHK_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/checks -I$(srcdir)/net \
	-I$(srcdir)/tests/unit
check_PROGRAMS += tests/unit/test_chk tests/unit/test_chk_run
TESTS += tests/unit/test_chk tests/unit/test_chk_run
tests_unit_test_chk_CPPFLAGS = $(CHK_TEST_CPPFLAGS)
tests_unit_test_chk_SOURCES = tests/unit/test_chk.c tests/unit/tap.h
tests_unit_test_chk_LDADD = $(CHK_LIBS)
tests_unit_test_chk_run_CPPFLAGS = $(CHK_TEST_CPPFLAGS)
tests_unit_test_chk_run_SOURCES = tests/unit/test_chk_run.c tests/unit/tap.h
tests_unit_test_chk_run_LDADD = $(CHK_LIBS) $(NET_LIBS)
