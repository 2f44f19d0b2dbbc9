# unit tests of the metrics counters and their Prometheus text format
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_metrics
TESTS += tests/unit/check_metrics
endif

tests_unit_check_metrics_SOURCES = tests/unit/check_metrics.c
tests_unit_check_metrics_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_unit_check_metrics_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS) -lpthread
