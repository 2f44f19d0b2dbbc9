# policy, config and events (core); see lib/local.mk
libddgcore_la_SOURCES += \
	lib/conf.c \
	lib/policy.c \
	lib/chain.c \
	lib/event.c \
	lib/evlog.c \
	include/dyndns-guard/conf.h \
	include/dyndns-guard/policy.h \
	include/dyndns-guard/chain.h \
	include/dyndns-guard/event.h \
	include/dyndns-guard/evlog.h
libddgcore_la_CFLAGS += -pthread
libddgcore_la_LIBADD += -lpthread
