# tests of dyndns-guard report: Check unit tests of the event reader, the
# sketches and the beacon test; the shell test of the command over a
# generated fixture (JSON, text and HTML output; the page rendered by
# headless Chromium).
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_report
TESTS += tests/unit/check_report
endif
TESTS += tests/unit/t_report.sh
EXTRA_DIST += tests/unit/t_report.sh tests/unit/report_fixture.py \
	tests/unit/report_check.py

tests_unit_check_report_SOURCES = tests/unit/check_report.c
tests_unit_check_report_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_report_LDADD = libddgreport.la libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

# the report over what the real Unbound with the module wrote
if BUILD_MODULE
TESTS += tests/integration/t_report.sh
endif
EXTRA_DIST += tests/integration/t_report.sh

# timing of the report over generated events, not part of make check
EXTRA_DIST += tests/bench/report_bench.sh
bench-report: dyndns-guard$(EXEEXT)
	top_builddir=. sh $(srcdir)/tests/bench/report_bench.sh
.PHONY: bench-report
