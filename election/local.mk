# election/: the election's pure state machine and wire codec (no I/O, no
# clock: tests drive it with now_ms).  Sees only its own folder.
noinst_LIBRARIES += election/libvipel.a
election_libvipel_a_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_ELECTION_INTERNAL -I$(srcdir)/election \
	$(SODIUM_CFLAGS)
election_libvipel_a_SOURCES = election/election.h election/el_impl.h \
	election/msg.c election/names.c election/replay.c election/rank.c \
	election/fsm.c election/cluster.c election/out.c
EL_LIBS = election/libvipel.a $(SODIUM_LIBS)

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
