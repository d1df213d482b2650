# net/: the kernel boundary: event loop, logging, UDP, ARP/NDP frames and
# capture, netlink, sysctls, the per-namespace instance guard.  Sees only
# its own folder.
noinst_LIBRARIES += net/libvipnet.a
net_libvipnet_a_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_NET_INTERNAL -I$(srcdir)/net \
	$(PCAP_CFLAGS) $(LIBNET_CFLAGS) $(MNL_CFLAGS)
net_libvipnet_a_SOURCES = net/net.h net/log.c net/addr.c net/ev.c
net_libvipnet_a_SOURCES += net/frame.c net/bpf.c net/l2.c
net_libvipnet_a_SOURCES += net/rtnl_int.h net/rtnl.c net/rtnl_parse.c \
	net/rtnl_obj.c net/udp.c net/sysctl.c net/nsguard.c
NET_LIBS = net/libvipnet.a $(PCAP_LIBS) $(LIBNET_LIBS) $(MNL_LIBS)

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

# Tools driving l2_port and raw frames from the namespace tests and
# bench/arp.sh (VIPD_TOOLS: built by make check and by make tools).
VIPD_TOOLS += tests/tools/l2tool tests/tools/l2gen
tests_tools_l2tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_tools_l2tool_SOURCES = tests/tools/l2tool.c tests/unit/test_net_util.h
tests_tools_l2tool_LDADD = $(NET_LIBS)
tests_tools_l2gen_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_tools_l2gen_SOURCES = tests/tools/l2gen.c tests/unit/test_net_util.h
tests_tools_l2gen_LDADD = $(NET_LIBS)

TESTS += tests/netns/l2_port.sh
EXTRA_DIST += tests/netns/l2_port.sh

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

# Fuzz target for the netlink message parser (pattern: tests/local.mk).
check_PROGRAMS += tests/fuzz/fuzz_rtnl
if !FUZZING
TESTS += tests/fuzz/fuzz_rtnl
endif
tests_fuzz_fuzz_rtnl_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_NET_INTERNAL -I$(srcdir)/net $(MNL_CFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/rtnl"'
tests_fuzz_fuzz_rtnl_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_rtnl_SOURCES = tests/fuzz/fuzz_rtnl.c
tests_fuzz_fuzz_rtnl_LDADD = $(FUZZ_DRIVER_LIB) $(NET_LIBS)
