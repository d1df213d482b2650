# doctor/: `vipctl doctor` — facts about the host, the configuration and
# the daemon's live view, and the pure checks that turn them into
# findings.  Sees doctor/, conf/, net/ and ctlproto/; only vipctl/
# includes doctor.h (which names no net/ type).
noinst_LIBRARIES += doctor/libvipdoctor.a
doctor_libvipdoctor_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/doctor \
	-I$(srcdir)/conf -I$(srcdir)/net -I$(srcdir)/ctlproto $(JANSSON_CFLAGS) \
	$(NFTABLES_CFLAGS)
doctor_libvipdoctor_a_SOURCES = doctor/doctor.h doctor/dr_facts.c \
	doctor/dr_check.c doctor/dr_gather.c doctor/dr_status.c doctor/dr_out.c \
	doctor/dr_fw.c
DOCTOR_LIBS = doctor/libvipdoctor.a $(NFTABLES_LIBS)
