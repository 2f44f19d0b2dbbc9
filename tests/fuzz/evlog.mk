# tests/fuzz: fuzz target of the event file writer's ring (lib/evlog.c):
# writes of every length, reopens and rotations with a small ring and a
# busy writer thread, then the file and the counters checked.  `make check`
# replays tests/fuzz/corpus/evlog/ through replay.c; `make fuzz-evlog`
# runs libFuzzer on it (clang; see docs/list-format.md, "Fuzzing").
check_PROGRAMS += tests/fuzz/replay_evlog
TESTS += tests/fuzz/replay_evlog

tests_fuzz_replay_evlog_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_evlog.c
tests_fuzz_replay_evlog_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/evlog"'
tests_fuzz_replay_evlog_LDADD = libddgcore.la $(PTHREAD_LIBS)

FUZZ_EVLOG_CORE = $(top_srcdir)/lib/err.c $(top_srcdir)/lib/evlog.c

tests/fuzz/fuzz_evlog: $(srcdir)/tests/fuzz/fuzz_evlog.c \
		$(srcdir)/tests/fuzz/fuzz_input.h $(FUZZ_EVLOG_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) -o $@ $(srcdir)/tests/fuzz/fuzz_evlog.c \
		$(FUZZ_EVLOG_CORE) -pthread

fuzz-evlog: tests/fuzz/fuzz_evlog
	rm -rf tests/fuzz/work-evlog; mkdir -p tests/fuzz/work-evlog
	cp $(srcdir)/tests/fuzz/corpus/evlog/* tests/fuzz/work-evlog/
	./tests/fuzz/fuzz_evlog -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		tests/fuzz/work-evlog

fuzz: fuzz-evlog
.PHONY: fuzz-evlog
CLEANFILES += tests/fuzz/fuzz_evlog
clean-local: clean-fuzz-evlog
clean-fuzz-evlog:
	rm -rf tests/fuzz/work-evlog
.PHONY: clean-fuzz-evlog
