# checks/: health checks.  The pure state machine (rise/fall, weights,
# effective priority) and the runners on net/'s loop (tcp, file,
# interface, process, exec, http on libcurl's multi-socket interface).
# Sees its own folder and net/; links libcurl.
noinst_LIBRARIES += checks/libvipchk.a
checks_libvipchk_a_CPPFLAGS = $(AM_CPPFLAGS) -DVIPD_CHK_INTERNAL \
	-I$(srcdir)/checks -I$(srcdir)/net $(CURL_CFLAGS)
checks_libvipchk_a_SOURCES = checks/chk.h checks/chk_int.h checks/chk_sm.c \
	checks/chk.c checks/chk_run.c checks/chk_proc.c checks/chk_exec.c \
	checks/chk_http.c
CHK_LIBS = checks/libvipchk.a $(CURL_LIBS)
