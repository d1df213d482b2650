# pin/: the routing pin — VIP addresses, policy rules and tables, interface
# sysctls, reconcile and netlink fault retries.  Sees pin/, conf/ and net/;
# never announcer/ (the daemon reaches it through pin.h and callbacks).
noinst_LIBRARIES += pin/libvippin.a
pin_libvippin_a_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_PIN_INTERNAL -I$(srcdir)/pin \
	-I$(srcdir)/conf -I$(srcdir)/net
pin_libvippin_a_SOURCES = pin/pin.h pin/pin_int.h pin/pin.c pin/pin_table.c \
	pin/pin_check.c pin/pin_reconcile.c pin/pin_update.c
PIN_LIBS = pin/libvippin.a
