# tests/fuzz: fuzz target of the config parser (and of the policy built
# from what it accepts).  `make check` replays tests/fuzz/corpus/conf/
# through replay.c; `make fuzz-conf` runs libFuzzer on it (clang).
check_PROGRAMS += tests/fuzz/replay_conf
TESTS += tests/fuzz/replay_conf

tests_fuzz_replay_conf_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_conf.c
tests_fuzz_replay_conf_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/conf"'
tests_fuzz_replay_conf_LDADD = libddgcore.la $(OPENSSL_LIBS)

FUZZ_CONF_CORE = $(top_srcdir)/lib/err.c $(top_srcdir)/lib/name.c \
	$(top_srcdir)/lib/list.c $(top_srcdir)/lib/image.c $(top_srcdir)/lib/conf.c \
	$(top_srcdir)/lib/file.c $(top_srcdir)/lib/policy.c

tests/fuzz/fuzz_conf: $(srcdir)/tests/fuzz/fuzz_conf.c $(FUZZ_CONF_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/fuzz_conf.c $(FUZZ_CONF_CORE) $(OPENSSL_LIBS)

fuzz-conf: tests/fuzz/fuzz_conf
	rm -rf tests/fuzz/work-conf; mkdir -p tests/fuzz/work-conf
	cp $(srcdir)/tests/fuzz/corpus/conf/* tests/fuzz/work-conf/
	./tests/fuzz/fuzz_conf -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		tests/fuzz/work-conf

fuzz: fuzz-conf
.PHONY: fuzz-conf
CLEANFILES += tests/fuzz/fuzz_conf
clean-local: clean-fuzz-conf
clean-fuzz-conf:
	rm -rf tests/fuzz/work-conf
.PHONY: clean-fuzz-conf
