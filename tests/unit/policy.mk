# unit tests of policy, config and events
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_conf tests/unit/check_policy \
	tests/unit/check_event tests/unit/check_chain \
	tests/unit/check_evlog
TESTS += tests/unit/check_conf tests/unit/check_policy \
	tests/unit/check_event tests/unit/check_chain \
	tests/unit/check_evlog
endif
TESTS += tests/unit/t_conf.sh
EXTRA_DIST += tests/unit/t_conf.sh

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
