# service/: what runs vipd as a system service: the systemd unit (made from
# vipd.service.in with the install paths), sysusers.d and tmpfiles.d
# entries, bash completion for vipctl; the example configurations and
# /etc/vipd go in at `make install` too.
service_edit = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@docdir[@]|$(docdir)|g'

service/vipd.service: $(srcdir)/service/vipd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) service && $(service_edit) \
		$(srcdir)/service/vipd.service.in >$@.tmp && mv $@.tmp $@

if SYSTEMD_UNIT
systemdsystemunit_DATA = service/vipd.service
endif
noinst_DATA = service/vipd.service
CLEANFILES += service/vipd.service

# Installed under their standard names (vipd.conf, vipctl).
install-data-local: install-service-extras
uninstall-local: uninstall-service-extras
install-service-extras:
	$(MKDIR_P) $(DESTDIR)$(sysusersdir) $(DESTDIR)$(tmpfilesdir) \
		$(DESTDIR)$(bashcompletiondir) $(DESTDIR)$(docdir)/examples
	$(INSTALL_DATA) $(srcdir)/service/vipd.sysusers \
		$(DESTDIR)$(sysusersdir)/vipd.conf
	$(INSTALL_DATA) $(srcdir)/service/vipd.tmpfiles \
		$(DESTDIR)$(tmpfilesdir)/vipd.conf
	$(INSTALL_DATA) $(srcdir)/service/vipctl.bash-completion \
		$(DESTDIR)$(bashcompletiondir)/vipctl
	$(INSTALL_DATA) $(srcdir)/examples/vipd.conf \
		$(DESTDIR)$(docdir)/examples/vipd.conf
	$(INSTALL_DATA) $(srcdir)/examples/three-nodes.conf \
		$(DESTDIR)$(docdir)/examples/three-nodes.conf
	$(INSTALL) -d -m 0755 $(DESTDIR)$(sysconfdir)/vipd
uninstall-service-extras:
	rm -f $(DESTDIR)$(sysusersdir)/vipd.conf \
		$(DESTDIR)$(tmpfilesdir)/vipd.conf \
		$(DESTDIR)$(bashcompletiondir)/vipctl \
		$(DESTDIR)$(docdir)/examples/vipd.conf \
		$(DESTDIR)$(docdir)/examples/three-nodes.conf
	-rmdir $(DESTDIR)$(docdir)/examples $(DESTDIR)$(sysconfdir)/vipd
.PHONY: install-service-extras uninstall-service-extras

EXTRA_DIST += service/vipd.service.in service/vipd.sysusers \
	service/vipd.tmpfiles service/vipctl.bash-completion

# The unit's directory is absolute (/lib/systemd/system): keep distcheck's
# install under its own prefix.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir='$$(prefix)/lib/systemd/system'
