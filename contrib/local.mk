# contrib/apparmor: local rules for Debian's (and Ubuntu's) AppArmor profile
# of unbound, generated with the configured paths and installed as
# $(docdir)/apparmor/usr.sbin.unbound (docs/operations.md, "Installing").
# tests/install/t_apparmor.sh compiles it with apparmor_parser inside
# Debian's real profile.
apparmordir = $(docdir)/apparmor
apparmor_DATA = contrib/apparmor/usr.sbin.unbound

contrib/apparmor/usr.sbin.unbound: contrib/apparmor/usr.sbin.unbound.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/apparmor && \
	sed -e 's|@moddir[@]|$(libdir)/unbound|g' \
		-e 's|@DDG_SYSCONFDIR[@]|$(DDG_SYSCONFDIR)|g' \
		-e 's|@listdir[@]|$(localstatedir)/lib/unbound|g' \
		-e 's|@docdir[@]|$(docdir)|g' \
		$(srcdir)/contrib/apparmor/usr.sbin.unbound.in > $@.tmp && \
	mv $@.tmp $@

CLEANFILES += contrib/apparmor/usr.sbin.unbound
TESTS += tests/install/t_apparmor.sh
EXTRA_DIST += contrib/apparmor/usr.sbin.unbound.in tests/install/t_apparmor.sh
