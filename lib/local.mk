# The core library: DNS names, the .dgl list, policy, config, events.
# No Unbound headers here.
noinst_LTLIBRARIES += libddgcore.la
libddgcore_la_SOURCES = \
	lib/err.c
libddgcore_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
libddgcore_la_LIBADD = $(OPENSSL_LIBS)
