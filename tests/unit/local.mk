# tests/unit: Check unit tests of names, the list reader/writer and the
# compiler, and the shell test of the dyndns-guard command.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_name tests/unit/check_list \
	tests/unit/check_compile tests/unit/check_sign tests/unit/check_sfilter
TESTS += tests/unit/check_name tests/unit/check_list \
	tests/unit/check_compile tests/unit/check_sign tests/unit/check_sfilter
endif
TESTS += tests/unit/t_cli.sh tests/unit/t_export.sh
EXTRA_DIST += tests/unit/t_cli.sh tests/unit/t_export.sh tests/unit/tap.sh

tests_unit_check_name_SOURCES = tests/unit/check_name.c
tests_unit_check_name_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_name_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_list_SOURCES = tests/unit/check_list.c
tests_unit_check_list_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_check_list_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_compile_SOURCES = tests/unit/check_compile.c
tests_unit_check_compile_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_compile_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_sfilter_SOURCES = tests/unit/check_sfilter.c
tests_unit_check_sfilter_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_sfilter_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)

tests_unit_check_sign_SOURCES = tests/unit/check_sign.c
tests_unit_check_sign_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_sign_LDADD = libddgcore.la $(CHECK_LIBS) $(OPENSSL_LIBS)
