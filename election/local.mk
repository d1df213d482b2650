# election/: the election's pure state machine and wire codec (no I/O, no
# clock: tests drive it with now_ms).  Sees only its own folder.
noinst_LIBRARIES += election/libvipel.a
election_libvipel_a_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_ELECTION_INTERNAL -I$(srcdir)/election \
	$(SODIUM_CFLAGS)
election_libvipel_a_SOURCES = election/election.h election/el_impl.h \
	election/msg.c election/names.c election/replay.c election/rank.c \
	election/fsm.c election/cluster.c election/out.c
EL_LIBS = election/libvipel.a $(SODIUM_LIBS)
