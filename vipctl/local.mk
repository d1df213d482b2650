# vipctl/: the command-line client.  It formats what the daemon sends and
# dispatches from ctlproto's command table.  Sees ctlproto/ and conf/ (for
# -c FILE) only: the daemon's headers are out of its reach.
#
# The program is built as vipctl/vipctl (a file named vipctl cannot sit
# next to this folder in the build tree) and installed as vipctl.
bin_PROGRAMS += vipctl/vipctl
vipctl_vipctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/vipctl -I$(srcdir)/ctlproto \
	-I$(srcdir)/conf $(JANSSON_CFLAGS)
vipctl_vipctl_SOURCES = vipctl/vipctl.h vipctl/main.c vipctl/request.c \
	vipctl/status.c vipctl/metrics.c vipctl/events.c
vipctl_vipctl_LDADD = $(CTLP_LIBS) $(CONF_LIBS)

dist_man_MANS += doc/vipctl.8
