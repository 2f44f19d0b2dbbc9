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
