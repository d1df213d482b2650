# conf/: the configuration, libconfig -> one frozen struct, every error
# with file:line; never logs.  Sees only its own folder.
noinst_LIBRARIES += conf/libvipconf.a
conf_libvipconf_a_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_CONF_INTERNAL -I$(srcdir)/conf $(LIBCONFIG_CFLAGS)
conf_libvipconf_a_SOURCES = conf/conf.h conf/conf_int.h conf/conf.c \
	conf/conf_util.c conf/conf_addr.c conf/conf_text.c conf/conf_group.c \
	conf/conf_metrics.c conf/conf_notify.c conf/conf_dropin.c \
	conf/conf_hint.c conf/conf_check.c conf/conf_process.c
CONF_LIBS = conf/libvipconf.a $(LIBCONFIG_LIBS)

dist_man_MANS += doc/vipd.conf.5
EXTRA_DIST += examples/vipd.conf tests/conf
