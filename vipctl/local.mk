# vipctl/: the command-line client.  It formats what the daemon sends and
# dispatches from ctlproto's command table.  Sees ctlproto/, conf/ (for
# -c FILE) and doctor/ (vipctl doctor) only: the daemon's headers are out
# of its reach.
#
# The program is built as vipctl/vipctl (a file named vipctl cannot sit
# next to this folder in the build tree) and installed as vipctl.
bin_PROGRAMS += vipctl/vipctl
vipctl_vipctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/vipctl -I$(srcdir)/ctlproto \
	-I$(srcdir)/conf -I$(srcdir)/doctor $(JANSSON_CFLAGS)
vipctl_vipctl_SOURCES = vipctl/vipctl.h vipctl/main.c vipctl/request.c \
	vipctl/status.c vipctl/metrics.c vipctl/doctor.c vipctl/events.c
# doctor needs only the netlink and sysctl parts of net/: no pcap, no libnet.
vipctl_vipctl_LDADD = $(DOCTOR_LIBS) $(CTLP_LIBS) $(CONF_LIBS) net/libvipnet.a \
	$(MNL_LIBS)

dist_man_MANS += doc/vipctl.8
