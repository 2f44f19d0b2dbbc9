# tests/install: `make install DESTDIR=...` layout test (docs/operations.md,
# "Installing").  ddg-install-dirs prints the configured directories, as make
# expands them, for the test to compare with.
TESTS += tests/install/t_install.sh
EXTRA_DIST += tests/install/t_install.sh

if BUILD_MODULE
ddg_build_module = yes
else
ddg_build_module = no
endif
ddg-install-dirs:
	@echo "prefix='$(prefix)' bindir='$(bindir)' libdir='$(libdir)'" \
		"sysconfdir='$(sysconfdir)' localstatedir='$(localstatedir)'" \
		"docdir='$(docdir)' ddg_sysconfdir='$(DDG_SYSCONFDIR)'" \
		"build_module='$(ddg_build_module)'"
.PHONY: ddg-install-dirs

# make distcheck builds the module too, against the same Unbound tree
if BUILD_MODULE
AM_DISTCHECK_CONFIGURE_FLAGS = --with-unbound-source='$(UNBOUND_SRC)' \
	--with-unbound-build='$(UNBOUND_BUILD)' \
	--with-unbound-daemon='$(UNBOUND_DAEMON)'
endif
