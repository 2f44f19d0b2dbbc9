# The core library: DNS names, the .dgl list, policy, config, events.
# No Unbound headers here.
noinst_LTLIBRARIES += libddgcore.la
libddgcore_la_SOURCES = \
	lib/err.c \
	lib/bytes.h \
	lib/image.h \
	lib/image.c \
	lib/name.c \
	lib/list.c \
	lib/sfilter.c \
	lib/list_write.c \
	lib/compile.c \
	lib/sign.c \
	include/dyndns-guard/err.h \
	include/dyndns-guard/name.h \
	include/dyndns-guard/list.h \
	include/dyndns-guard/sfilter.h \
	include/dyndns-guard/list_format.h \
	include/dyndns-guard/list_write.h \
	include/dyndns-guard/compile.h \
	include/dyndns-guard/sign.h
libddgcore_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
libddgcore_la_LIBADD = $(OPENSSL_LIBS) $(PTHREAD_LIBS)
