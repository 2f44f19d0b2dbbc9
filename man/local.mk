# man/: the manual pages, written by hand (man(7) macros), installed by
# make install; check-man.sh checks them against the code (subcommands,
# options, configuration keys, exit codes) and renders them.
dist_man_MANS = man/dyndns-guard.1 man/dyndns-guard.conf.5 \
	man/dyndns-guard-update.8
TESTS += man/check-man.sh
EXTRA_DIST += man/check-man.sh
