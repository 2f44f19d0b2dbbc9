# tests/fuzz: fuzz target of the event line reader of `dyndns-guard
# report` (lib/evparse.c).  `make check` replays tests/fuzz/corpus/evparse/
# through replay.c; `make fuzz-evparse` runs libFuzzer on it (clang; see
# docs/list-format.md, "Fuzzing").
check_PROGRAMS += tests/fuzz/replay_evparse
TESTS += tests/fuzz/replay_evparse

tests_fuzz_replay_evparse_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_evparse.c
tests_fuzz_replay_evparse_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/evparse"'
tests_fuzz_replay_evparse_LDADD = libddgreport.la libddgcore.la $(OPENSSL_LIBS)

FUZZ_EVPARSE_CORE = $(top_srcdir)/lib/err.c $(top_srcdir)/lib/name.c \
	$(top_srcdir)/lib/list.c $(top_srcdir)/lib/image.c \
	$(top_srcdir)/lib/conf.c $(top_srcdir)/lib/policy.c \
	$(top_srcdir)/lib/event.c $(top_srcdir)/lib/evparse.c

tests/fuzz/fuzz_evparse: $(srcdir)/tests/fuzz/fuzz_evparse.c \
		$(FUZZ_EVPARSE_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/fuzz_evparse.c $(FUZZ_EVPARSE_CORE) \
		$(OPENSSL_LIBS)

fuzz-evparse: tests/fuzz/fuzz_evparse
	rm -rf tests/fuzz/work-evparse; mkdir -p tests/fuzz/work-evparse
	cp $(srcdir)/tests/fuzz/corpus/evparse/* tests/fuzz/work-evparse/
	./tests/fuzz/fuzz_evparse -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		tests/fuzz/work-evparse

fuzz: fuzz-evparse
.PHONY: fuzz-evparse
CLEANFILES += tests/fuzz/fuzz_evparse
clean-local: clean-fuzz-evparse
clean-fuzz-evparse:
	rm -rf tests/fuzz/work-evparse
.PHONY: clean-fuzz-evparse
