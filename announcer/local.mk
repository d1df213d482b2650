# announcer/: the daemon and vipctl.  The only module that sees all others.
ANNOUNCER_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer -I$(srcdir)/conf \
	-I$(srcdir)/election -I$(srcdir)/net

sbin_PROGRAMS += vipd
vipd_CPPFLAGS = $(ANNOUNCER_CPPFLAGS)
vipd_SOURCES = announcer/main.c
vipd_LDADD = $(NET_LIBS)
