# ctlproto/: the control protocol both programs link: the command table
# (words, arguments, help), request lines, state and counter names, and the
# JSON of the answers on top of jansson.  Sees only its own folder.
noinst_LIBRARIES += ctlproto/libvipctlp.a
ctlproto_libvipctlp_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/ctlproto \
	$(JANSSON_CFLAGS)
ctlproto_libvipctlp_a_SOURCES = ctlproto/ctlproto.h ctlproto/ctlproto.c \
	ctlproto/names.c ctlproto/ctljson.h ctlproto/ctljson.c \
	ctlproto/ctlprom.h ctlproto/ctlprom.c
CTLP_LIBS = ctlproto/libvipctlp.a $(JANSSON_LIBS)
