# tests/unit: Check unit tests of the core (names, the list reader and
# writer, the compiler, signatures, the suffix filter, the configuration,
# the policy, events, the chain decision, the event file writer, the
# metrics counters and their text format, the list set: loading, change
# detection, publication) and the shell tests of the
# dyndns-guard command; then the tests of dyndns-guard report.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_name tests/unit/check_list \
	tests/unit/check_compile tests/unit/check_sign tests/unit/check_sfilter \
	tests/unit/check_conf tests/unit/check_policy \
	tests/unit/check_event tests/unit/check_chain \
	tests/unit/check_evlog tests/unit/check_metrics \
	tests/unit/check_listset
TESTS += tests/unit/check_name tests/unit/check_list \
	tests/unit/check_compile tests/unit/check_sign tests/unit/check_sfilter \
	tests/unit/check_conf tests/unit/check_policy \
	tests/unit/check_event tests/unit/check_chain \
	tests/unit/check_evlog tests/unit/check_metrics \
	tests/unit/check_listset
endif
TESTS += tests/unit/t_cli.sh tests/unit/t_export.sh tests/unit/t_conf.sh
EXTRA_DIST += tests/unit/t_cli.sh tests/unit/t_export.sh tests/unit/tap.sh \
	tests/unit/t_conf.sh

tests_unit_check_name_SOURCES = tests/unit/check_name.c
tests_unit_check_name_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_name_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_list_SOURCES = tests/unit/check_list.c
tests_unit_check_list_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS) -pthread
tests_unit_check_list_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS) -lpthread

tests_unit_check_compile_SOURCES = tests/unit/check_compile.c
tests_unit_check_compile_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_compile_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_sfilter_SOURCES = tests/unit/check_sfilter.c
tests_unit_check_sfilter_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_sfilter_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_sign_SOURCES = tests/unit/check_sign.c
tests_unit_check_sign_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_sign_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_conf_SOURCES = tests/unit/check_conf.c
tests_unit_check_conf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_conf_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_policy_SOURCES = tests/unit/check_policy.c
tests_unit_check_policy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_policy_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_event_SOURCES = tests/unit/check_event.c
tests_unit_check_event_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_unit_check_event_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS) -lpthread

tests_unit_check_chain_SOURCES = tests/unit/check_chain.c
tests_unit_check_chain_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_chain_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_evlog_SOURCES = tests/unit/check_evlog.c
tests_unit_check_evlog_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_unit_check_evlog_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS) -lpthread

tests_unit_check_metrics_SOURCES = tests/unit/check_metrics.c
tests_unit_check_metrics_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_unit_check_metrics_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS) -lpthread

tests_unit_check_listset_SOURCES = tests/unit/check_listset.c
tests_unit_check_listset_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_unit_check_listset_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS) -lpthread

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
