# The dyndns-guard command.
bin_PROGRAMS += dyndns-guard
dyndns_guard_SOURCES = tools/dyndns-guard.c tools/commands.h tools/cmd_list.c tools/cmd_conf.c \
	tools/cmd_sign.c tools/cmd_export.c tools/cmd_report.c tools/report_out.c \
	tools/report.h
dyndns_guard_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
dyndns_guard_LDADD = libddgreport.la libddgcore.la $(OPENSSL_LIBS) $(ZLIB_LIBS)
