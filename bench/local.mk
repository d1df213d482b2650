# bench/: benchmarks that print numbers (not part of make check).
#
# bench/tools/: the probes that tests, the benchmark and the demo use to
# measure what a client sees (bench/README.tools.md): udpecho and tcpsvc
# run on every node, prober in the client.  Not installed: VIPD_TOOLS,
# built by make check and by make tools (the scripts find them in
# $(top_builddir)/bench/tools/).  They use no vipd module: the benchmark
# points them at keepalived as well.
BENCH_TOOLS_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/bench/tools
BENCH_TOOLS_UTIL = bench/tools/util.c bench/tools/util.h

VIPD_TOOLS += bench/tools/udpecho bench/tools/tcpsvc bench/tools/prober \
	bench/tools/spawncost
bench_tools_spawncost_CPPFLAGS = $(BENCH_TOOLS_CPPFLAGS)
bench_tools_spawncost_SOURCES = bench/tools/spawncost.c $(BENCH_TOOLS_UTIL)
bench_tools_udpecho_CPPFLAGS = $(BENCH_TOOLS_CPPFLAGS)
bench_tools_udpecho_SOURCES = bench/tools/udpecho.c $(BENCH_TOOLS_UTIL)
bench_tools_tcpsvc_CPPFLAGS = $(BENCH_TOOLS_CPPFLAGS)
bench_tools_tcpsvc_SOURCES = bench/tools/tcpsvc.c $(BENCH_TOOLS_UTIL)
bench_tools_prober_CPPFLAGS = $(BENCH_TOOLS_CPPFLAGS)
bench_tools_prober_SOURCES = bench/tools/prober.c bench/tools/prober_report.c \
	bench/tools/prober.h $(BENCH_TOOLS_UTIL)

# tests/netns/tools.sh: the three tools in a namespace lab (an emulated VIP
# move between two servers measured by prober, TCP to the VIP, replies from
# a VIP on lo, odd input, argument errors).  Needs root; skips otherwise.
TESTS += tests/netns/tools.sh
EXTRA_DIST += tests/netns/tools.sh bench/README.tools.md

# bench/arp.sh: the announcer's numbers (ARP reply latency next to the
# kernel's, CPU under an ARP flood, 1,000-VIP takeover burst); run by hand
# as root: sudo bench/arp.sh [--builddir DIR].
EXTRA_DIST += bench/arp.sh

# The failover and idle benchmarks (bench/README.md): root, keepalived, jq,
# python3; not part of make check.
EXTRA_DIST += bench/README.md bench/failover.sh bench/idle.sh \
	bench/lib_bench.sh

# bench/reload.sh: what a reload costs the traffic (lost 1 ms probes per
# reload kind, first answer of an added VIP, reload duration at 1,000 VIPs
# and 100 groups); run by hand as root: sudo bench/reload.sh [--builddir DIR].
EXTRA_DIST += bench/reload.sh
# bench/checks.sh: health checks (issue 10): the outage when the service
# dies on the leader (TCP check, process check, keepalived's vrrp_script),
# the CPU of 50 exec + 10 TCP checks, heartbeat gaps under 50 exec checks
# every 100 ms.  Root, jq, python3, tcpdump, keepalived.
EXTRA_DIST += bench/checks.sh
