# announcer/: the daemon vipd (main, root object and netlink event routing,
# groups, ports, bursts and responder, peers, reload, control socket
# server, status, systemd notification, privilege drop, vipd -t, the
# Prometheus endpoint on libmicrohttpd).  The only module that sees all
# others: conf/, election/, net/, pin/, ctlproto/.
ANNOUNCER_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/announcer -I$(srcdir)/conf \
	-I$(srcdir)/election -I$(srcdir)/net -I$(srcdir)/pin \
	-I$(srcdir)/ctlproto -I$(srcdir)/checks $(JANSSON_CFLAGS)

sbin_PROGRAMS += vipd
vipd_CPPFLAGS = $(ANNOUNCER_CPPFLAGS)
vipd_SOURCES = announcer/vipd.h announcer/main.c announcer/daemon.c \
	announcer/peers.c announcer/group.c announcer/port.c \
	announcer/announce.c announcer/burst.h announcer/burst.c \
	announcer/vipmap.c announcer/ctl.c announcer/status.c \
	announcer/reload.c announcer/group_update.c announcer/check.c \
	announcer/sdnotify.c announcer/privdrop.c announcer/promsrv.c \
	announcer/events.c announcer/notify.c announcer/track.c \
	announcer/cpusched.c
vipd_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CAPNG_CFLAGS) $(MHD_CFLAGS)
vipd_LDADD = $(PIN_LIBS) $(CONF_LIBS) $(EL_LIBS) $(CHK_LIBS) $(NET_LIBS) \
	$(CTLP_LIBS) $(SYSTEMD_LIBS) $(CAPNG_LIBS) $(MHD_LIBS)

dist_man_MANS += doc/vipd.8

# "proto vipd" in ip rule / ip route output.
rtprotosdir = $(sysconfdir)/iproute2/rt_protos.d
dist_rtprotos_DATA = doc/rt_protos.d/vipd.conf
