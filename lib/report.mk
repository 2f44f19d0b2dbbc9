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
