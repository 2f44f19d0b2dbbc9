# The dyndns-guard command.
bin_PROGRAMS += dyndns-guard
dyndns_guard_SOURCES = tools/dyndns-guard.c tools/commands.h tools/cmd_list.c tools/cmd_conf.c \
	tools/cmd_sign.c tools/cmd_export.c tools/cmd_report.c tools/report_out.c \
	tools/report.h tools/cmd_util.c
dyndns_guard_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
dyndns_guard_LDADD = libddgreport.la libddgcore.la $(OPENSSL_LIBS) $(ZLIB_LIBS)

# dyndns-guard-update, the update tool, and its systemd units (see
# docs/update.md)
#
# The timer is installed as it is; the script, the service and the sample
# configuration are generated in the build directory with the configured
# paths.

bin_SCRIPTS = tools/dyndns-guard-update

systemdunitdir = $(prefix)/lib/systemd/system
systemdunit_DATA = tools/systemd/dyndns-guard-update.service
dist_systemdunit_DATA = tools/systemd/dyndns-guard-update.timer

updateconfdir = $(sysconfdir)/unbound
updateconf_DATA = tools/dyndns-guard-update.conf.sample

update_listdir = $(localstatedir)/lib/unbound

update_subst = sed \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@DDG_SYSCONFDIR[@]|$(DDG_SYSCONFDIR)|g' \
	-e 's|@listdir[@]|$(update_listdir)|g' \
	-e 's|@docdir[@]|$(docdir)|g'

# its default configuration path comes from configure (DDG_SYSCONFDIR)
tools/dyndns-guard-update: tools/dyndns-guard-update.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tools && \
	sed -e 's|@DDG_SYSCONFDIR[@]|$(DDG_SYSCONFDIR)|g' \
		$(srcdir)/tools/dyndns-guard-update.in > $@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@

tools/systemd/dyndns-guard-update.service: tools/systemd/dyndns-guard-update.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tools/systemd && \
	$(update_subst) $(srcdir)/tools/systemd/dyndns-guard-update.service.in > $@.tmp && \
	mv $@.tmp $@

tools/dyndns-guard-update.conf.sample: tools/dyndns-guard-update.conf.sample.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tools && \
	$(update_subst) $(srcdir)/tools/dyndns-guard-update.conf.sample.in > $@.tmp && \
	mv $@.tmp $@

CLEANFILES += tools/dyndns-guard-update tools/systemd/dyndns-guard-update.service \
	tools/dyndns-guard-update.conf.sample

dist_doc_DATA += docs/update.md

TESTS += tests/update/t_update.sh
EXTRA_DIST += tests/update/t_update.sh tools/dyndns-guard-update.in \
	tools/systemd/dyndns-guard-update.service.in \
	tools/dyndns-guard-update.conf.sample.in
