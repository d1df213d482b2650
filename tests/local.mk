# tests/: every test is registered under tests/ (this file and
# tests/unit/local.mk, tests/fuzz/local.mk): this one holds the tools the
# namespace tests drive and the namespace integration tests themselves
# (root; each skips without it, and with VIPD_TEST_NETNS=0).

# Tools driving l2_port and raw frames from the namespace tests and
# bench/arp.sh (VIPD_TOOLS: built by make check and by make tools).
VIPD_TOOLS += tests/tools/l2tool tests/tools/l2gen
tests_tools_l2tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_tools_l2tool_SOURCES = tests/tools/l2tool.c tests/unit/test_net_util.h
tests_tools_l2tool_LDADD = $(NET_LIBS)
tests_tools_l2gen_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/net -I$(srcdir)/tests/unit
tests_tools_l2gen_SOURCES = tests/tools/l2gen.c tests/unit/test_net_util.h
tests_tools_l2gen_LDADD = $(NET_LIBS)

# The L2 port on raw sockets, driven by l2tool/l2gen.
TESTS += tests/netns/l2_port.sh
EXTRA_DIST += tests/netns/l2_port.sh

EXTRA_DIST += tests/netns/lab.sh

# The README's main command, as a test.
TESTS += tests/netns/demo.sh
EXTRA_DIST += tests/netns/demo.sh tests/netns/vlab.sh tests/install-deps.sh \
	tests/run-all.sh

# The routing issue end to end (policy-route pin, bind, reconcile, faults)
# with real daemons in the Vagrant-like lab of vlab_vagrant.
TESTS += tests/netns/routing.sh tests/netns/routing_recover.sh \
	tests/netns/routing_faults.sh
EXTRA_DIST += tests/netns/routing.sh \
	tests/netns/routing_recover.sh tests/netns/routing_faults.sh

# No NIC uses a VIP as ARP sender address (all.arp_announce, restored).
TESTS += tests/netns/arp_announce.sh
EXTRA_DIST += tests/netns/arp_announce.sh

# The control socket under 40 status loops never delays a heartbeat.
TESTS += tests/netns/ctl_load.sh
EXTRA_DIST += tests/netns/ctl_load.sh

# vipd -t against the golden configs (no root), and the daemon/vipctl
# integration tests (root, namespaces; skipped with VIPD_TEST_NETNS=0).
TESTS += tests/conf/check.sh tests/netns/daemon.sh tests/netns/vipctl.sh \
	tests/netns/lifecycle.sh
EXTRA_DIST += tests/netns/daemon.sh tests/netns/vipctl.sh \
	tests/netns/lifecycle.sh

# Running as a service (issue 11): vipd -u USER in the namespace lab
# (privdrop.sh), and the systemd unit under a real systemd in the sandbox
# of ../shared/tools/sysd-sandbox.sh (systemd.sh; skipped without it).
TESTS += tests/netns/privdrop.sh tests/netns/systemd.sh
EXTRA_DIST += tests/netns/privdrop.sh tests/netns/systemd.sh

# Reload in place (issue 12): probes lose nothing while the config changes.
TESTS += tests/netns/reload_live.sh
EXTRA_DIST += tests/netns/reload_live.sh

# tests/conf is distributed as a whole folder: an in-tree `make check`
# leaves check.log/check.trs there, which must not reach the tarball (a
# VPATH build would take them for up-to-date results of its own run).
dist-hook:
	rm -f $(distdir)/tests/conf/*.log $(distdir)/tests/conf/*.trs

# Election end to end with the daemon (issue 4), each file its own lab:
# election_lib.sh holds their helpers, udpreplay.py re-sends captured
# heartbeats.  election_flap.sh runs for over a minute.
ELECTION_NETNS_TESTS = tests/netns/election_basic.sh \
	tests/netns/election_auth.sh tests/netns/election_partition.sh \
	tests/netns/election_dataplane.sh tests/netns/election_fault.sh \
	tests/netns/election_spread.sh tests/netns/election_mcast.sh \
	tests/netns/election_flap.sh tests/netns/peers_absent.sh \
	tests/netns/stall_short.sh tests/netns/auth_spoof.sh \
	tests/netns/stop_nosuccessor.sh
TESTS += $(ELECTION_NETNS_TESTS)
EXTRA_DIST += $(ELECTION_NETNS_TESTS) \
	tests/netns/election_lib.sh tests/tools/udpreplay.py

# The announcer end to end with vipd in namespaces (issue 3): answers,
# bursts and refresh, silent backups, takeover and release, frames checked
# with tshark (announce.sh); malformed frames, conflict probe, VIPs outside
# the subnets (announce_guard.sh); 1,000 IPv4 / 200 IPv6 VIPs
# (announce_scale.sh).  Need root; skip otherwise.
TESTS += tests/netns/announce.sh tests/netns/announce_guard.sh \
	tests/netns/announce_scale.sh
EXTRA_DIST += tests/netns/announce.sh tests/netns/announce_guard.sh \
	tests/netns/announce_scale.sh

# The Prometheus endpoint (issue 13): three nodes with metrics.listen, HTTP
# answers, an idle client, and a real Prometheus server scraping them
# through a failover.
TESTS += tests/netns/prometheus.sh
EXTRA_DIST += tests/netns/prometheus.sh
# vipctl doctor (issue 13): the seed's Vagrant topology, healthy, then each
# fault planted alone and removed (doctor --json must name exactly its
# code), then the configuration-only findings without a daemon.
TESTS += tests/netns/doctor.sh
EXTRA_DIST += tests/netns/doctor.sh
# Event history (issue 13): vipctl watch and vipctl events against real
# daemons (events.sh); notify hooks (issue 10, notify.sh).
NOTIFY_NETNS_TESTS = tests/netns/events.sh tests/netns/notify.sh
TESTS += $(NOTIFY_NETNS_TESTS)
EXTRA_DIST += $(NOTIFY_NETNS_TESTS)
# Issue 14, a hostile LAN: a stranger's claims on a led VIP are defended,
# a yielded VIP re-probed with backoff (conflict_defend.sh); forged ARP
# answers for a dead leader postpone the takeover by one interval at most
# (dataplane_forge.sh); a spoofed ICMP port-unreachable only draws an
# authenticated challenge (icmp_spoof.sh); preemption asks the leader to
# hand over (preempt_handover.sh); replays after a restart hold a
# failover off not at all (replay_restart.sh); one-way loss gives one
# answerer (oneway_loss.sh).
TESTS += tests/netns/conflict_defend.sh tests/netns/dataplane_forge.sh \
	tests/netns/icmp_spoof.sh tests/netns/preempt_handover.sh \
	tests/netns/replay_restart.sh tests/netns/oneway_loss.sh
EXTRA_DIST += tests/netns/conflict_defend.sh tests/netns/dataplane_forge.sh \
	tests/netns/icmp_spoof.sh tests/netns/preempt_handover.sh \
	tests/netns/replay_restart.sh tests/netns/oneway_loss.sh
# Health checks (issue 10): real services in the namespaces, tracked by
# the groups; checks_lib.sh holds their helpers.
CHECKS_NETNS_TESTS = tests/netns/checks.sh tests/netns/checks_weight.sh \
	tests/netns/checks_exec.sh tests/netns/checks_http.sh
TESTS += $(CHECKS_NETNS_TESTS)
EXTRA_DIST += $(CHECKS_NETNS_TESTS) tests/netns/checks_lib.sh
