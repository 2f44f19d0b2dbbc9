# tests/bench: list benchmark, not part of `make check`.  `make bench`
# builds and runs it (1,000,000 generated names).
EXTRA_PROGRAMS = tests/bench/bench_list
tests_bench_bench_list_SOURCES = tests/bench/bench_list.c
tests_bench_bench_list_CFLAGS = $(AM_CFLAGS) -O2
tests_bench_bench_list_LDADD = libddgcore.la $(OPENSSL_LIBS)
CLEANFILES += tests/bench/bench_list$(EXEEXT)
EXTRA_DIST += tests/bench/README.md

bench: tests/bench/bench_list$(EXEEXT)
	./tests/bench/bench_list$(EXEEXT) $(BENCH_ARGS)
.PHONY: bench

# Configuration benchmark, not part of `make check`: `make bench-conf`
# builds and runs it (100,000 client-network: CIDRs, 100,000 zone: rules,
# 1,000 categories; BENCH_CONF_ARGS="-n N -z N -c N -r RUNS" to change).
EXTRA_PROGRAMS += tests/bench/bench_conf
tests_bench_bench_conf_SOURCES = tests/bench/bench_conf.c
tests_bench_bench_conf_CFLAGS = $(AM_CFLAGS) -O2
tests_bench_bench_conf_LDADD = libddgcore.la $(OPENSSL_LIBS)
CLEANFILES += tests/bench/bench_conf$(EXEEXT)

bench-conf: tests/bench/bench_conf$(EXEEXT) dyndns-guard$(EXEEXT)
	./tests/bench/bench_conf$(EXEEXT) -x ./dyndns-guard$(EXEEXT) $(BENCH_CONF_ARGS)
.PHONY: bench-conf

# timing of the report over generated events, not part of make check
EXTRA_DIST += tests/bench/report_bench.sh
bench-report: dyndns-guard$(EXEEXT)
	top_builddir=. sh $(srcdir)/tests/bench/report_bench.sh
.PHONY: bench-report
