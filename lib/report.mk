# events read back, bounded-memory sketches and the beacon test (core),
# for `dyndns-guard report`; see lib/local.mk
libddgcore_la_SOURCES += \
	lib/evparse.c \
	lib/sketch.c \
	lib/beacon.c \
	include/dyndns-guard/evparse.h \
	include/dyndns-guard/sketch.h \
	include/dyndns-guard/beacon.h
