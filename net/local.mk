# net/: the kernel boundary.  Sees only its own folder.
noinst_LIBRARIES += net/libvipnet.a
net_libvipnet_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net \
	$(PCAP_CFLAGS) $(LIBNET_CFLAGS) $(MNL_CFLAGS)
net_libvipnet_a_SOURCES = net/net.h net/log.c net/addr.c net/ev.c
NET_LIBS = net/libvipnet.a $(PCAP_LIBS) $(LIBNET_LIBS) $(MNL_LIBS)

check_PROGRAMS += tests/unit/test_ev
TESTS += tests/unit/test_ev
tests_unit_test_ev_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_unit_test_ev_SOURCES = tests/unit/test_ev.c tests/unit/tap.h
tests_unit_test_ev_LDADD = $(NET_LIBS)
