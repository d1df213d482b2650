# announcer/: the daemon vipd.  The only module that sees all others.
ANNOUNCER_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer -I$(srcdir)/conf \
	-I$(srcdir)/election -I$(srcdir)/net -I$(srcdir)/ctlproto \
	$(JANSSON_CFLAGS)

sbin_PROGRAMS += vipd
vipd_CPPFLAGS = $(ANNOUNCER_CPPFLAGS)
vipd_SOURCES = announcer/vipd.h announcer/main.c announcer/daemon.c \
	announcer/peers.c announcer/group.c announcer/port.c \
	announcer/announce.c announcer/vipmap.c announcer/netcfg_int.h \
	announcer/netcfg.c announcer/netcheck.c announcer/reconcile.c \
	announcer/ctl.c announcer/status.c announcer/reload.c \
	announcer/check.c
vipd_LDADD = $(CONF_LIBS) $(EL_LIBS) $(NET_LIBS) $(CTLP_LIBS)

dist_man_MANS += doc/vipd.8

# "proto vipd" in ip rule / ip route output.
rtprotosdir = $(sysconfdir)/iproute2/rt_protos.d
dist_rtprotos_DATA = doc/rt_protos.d/vipd.conf
