# metrics-file: per-thread counters and the Prometheus text file (core, no
# Unbound header); see lib/local.mk
libddgcore_la_SOURCES += lib/metrics.c include/dyndns-guard/metrics.h
