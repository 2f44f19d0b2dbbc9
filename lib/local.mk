# The core library: DNS names, the .dgl list (reader, writer, compiler),
# the list set (loader, change detection, publication to readers),
# signatures, files, configuration, policy, events, the event file writer
# and the metrics counters with their Prometheus text file.  No Unbound
# headers here.
noinst_LTLIBRARIES += libddgcore.la
libddgcore_la_SOURCES = \
	lib/err.c \
	lib/fail.h \
	lib/file.c \
	lib/bytes.h \
	lib/civil.h \
	lib/image.h \
	lib/image.c \
	lib/name.c \
	lib/list_int.h \
	lib/list.c \
	lib/list_valid.c \
	lib/sfilter.c \
	lib/list_write.c \
	lib/listset.c \
	lib/compile.c \
	lib/sign.c \
	lib/conf.c \
	lib/policy.c \
	lib/chain.c \
	lib/event.c \
	lib/evlog.c \
	lib/metrics.c \
	include/dyndns-guard/err.h \
	include/dyndns-guard/file.h \
	include/dyndns-guard/name.h \
	include/dyndns-guard/list.h \
	include/dyndns-guard/sfilter.h \
	include/dyndns-guard/list_format.h \
	include/dyndns-guard/list_write.h \
	include/dyndns-guard/listset.h \
	include/dyndns-guard/compile.h \
	include/dyndns-guard/sign.h \
	include/dyndns-guard/conf.h \
	include/dyndns-guard/policy.h \
	include/dyndns-guard/chain.h \
	include/dyndns-guard/event.h \
	include/dyndns-guard/evlog.h \
	include/dyndns-guard/metrics.h
libddgcore_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) -pthread
libddgcore_la_LIBADD = $(OPENSSL_LIBS) $(PTHREAD_LIBS) -lpthread

# events read back, bounded-memory sketches and the beacon test, for
# `dyndns-guard report`: core code (no Unbound header) in a library of its
# own, so that dyndns_guard.so, which links libddgcore.la, does not carry it
noinst_LTLIBRARIES += libddgreport.la
libddgreport_la_SOURCES = \
	lib/evparse.c \
	lib/sketch.c \
	lib/beacon.c \
	include/dyndns-guard/evparse.h \
	include/dyndns-guard/sketch.h \
	include/dyndns-guard/beacon.h
libddgreport_la_LIBADD = libddgcore.la
