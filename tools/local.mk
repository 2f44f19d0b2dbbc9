# The dyndns-guard command.
bin_PROGRAMS += dyndns-guard
dyndns_guard_SOURCES = tools/dyndns-guard.c tools/commands.h tools/cmd_list.c tools/cmd_conf.c \
	tools/cmd_sign.c tools/cmd_export.c
dyndns_guard_LDADD = libddgcore.la $(OPENSSL_LIBS)
