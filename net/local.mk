# net/: the kernel boundary: event loop, logging, UDP, ARP/NDP frames and
# capture, netlink, sysctls, the per-namespace instance guard.  Sees only
# its own folder.
noinst_LIBRARIES += net/libvipnet.a
net_libvipnet_a_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_NET_INTERNAL -I$(srcdir)/net \
	$(PCAP_CFLAGS) $(LIBNET_CFLAGS) $(MNL_CFLAGS)
net_libvipnet_a_SOURCES = net/net.h net/log.c net/addr.c net/ev.c
net_libvipnet_a_SOURCES += net/frame.c net/bpf.c net/l2.c
net_libvipnet_a_SOURCES += net/rtnl_int.h net/rtnl.c net/rtnl_parse.c \
	net/rtnl_obj.c net/rtnl_get.c \
	net/rtnl_neigh.c net/udp.c net/sysctl.c net/nsguard.c
NET_LIBS = net/libvipnet.a $(PCAP_LIBS) $(LIBNET_LIBS) $(MNL_LIBS)

# Children of the event loop (notify scripts, exec checks): net/spawn.h.
net_libvipnet_a_SOURCES += net/spawn.h net/spawn.c
check_PROGRAMS += tests/unit/test_spawn
TESTS += tests/unit/test_spawn
tests_unit_test_spawn_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_unit_test_spawn_SOURCES = tests/unit/test_spawn.c tests/unit/tap.h
tests_unit_test_spawn_LDADD = $(NET_LIBS)
