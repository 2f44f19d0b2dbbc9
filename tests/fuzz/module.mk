# tests/fuzz: fuzz targets of what the module handles at run time from
# untrusted input: the event formatters (names and strings from answers),
# the signature file parser and the decision over an answer's chain.
# `make check` replays tests/fuzz/corpus/{event,sig,chain}/ through
# replay.c; `make fuzz-module` runs libFuzzer on each (clang; see
# docs/list-format.md, "Fuzzing").
check_PROGRAMS += tests/fuzz/replay_event tests/fuzz/replay_sig \
	tests/fuzz/replay_chain
TESTS += tests/fuzz/replay_event tests/fuzz/replay_sig \
	tests/fuzz/replay_chain
EXTRA_DIST += tests/fuzz/fuzz_input.h

tests_fuzz_replay_event_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_event.c
tests_fuzz_replay_event_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/event"'
tests_fuzz_replay_event_LDADD = libddgcore.la $(OPENSSL_LIBS)

tests_fuzz_replay_sig_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_sig.c
tests_fuzz_replay_sig_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/sig"'
tests_fuzz_replay_sig_LDADD = libddgcore.la $(OPENSSL_LIBS)

tests_fuzz_replay_chain_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_chain.c
tests_fuzz_replay_chain_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/chain"'
tests_fuzz_replay_chain_LDADD = libddgcore.la $(OPENSSL_LIBS)

FUZZ_EVENT_CORE = $(top_srcdir)/lib/err.c $(top_srcdir)/lib/name.c \
	$(top_srcdir)/lib/file.c \
	$(top_srcdir)/lib/conf.c $(top_srcdir)/lib/event.c
FUZZ_SIG_CORE = $(top_srcdir)/lib/err.c $(top_srcdir)/lib/image.c \
	$(top_srcdir)/lib/file.c \
	$(top_srcdir)/lib/sign.c
FUZZ_CHAIN_CORE = $(top_srcdir)/lib/err.c $(top_srcdir)/lib/name.c \
	$(top_srcdir)/lib/list.c $(top_srcdir)/lib/image.c \
	$(top_srcdir)/lib/list_write.c $(top_srcdir)/lib/conf.c \
	$(top_srcdir)/lib/file.c \
	$(top_srcdir)/lib/policy.c $(top_srcdir)/lib/chain.c

tests/fuzz/fuzz_event: $(srcdir)/tests/fuzz/fuzz_event.c \
		$(srcdir)/tests/fuzz/fuzz_input.h $(FUZZ_EVENT_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/fuzz_event.c $(FUZZ_EVENT_CORE) \
		$(OPENSSL_LIBS)

tests/fuzz/fuzz_sig: $(srcdir)/tests/fuzz/fuzz_sig.c $(FUZZ_SIG_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/fuzz_sig.c $(FUZZ_SIG_CORE) $(OPENSSL_LIBS)

tests/fuzz/fuzz_chain: $(srcdir)/tests/fuzz/fuzz_chain.c \
		$(srcdir)/tests/fuzz/fuzz_input.h $(FUZZ_CHAIN_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/fuzz_chain.c $(FUZZ_CHAIN_CORE) \
		$(OPENSSL_LIBS)

# run one for FUZZ_TIME seconds on a scratch copy of its corpus
fuzz-event: tests/fuzz/fuzz_event
	rm -rf tests/fuzz/work-event; mkdir -p tests/fuzz/work-event
	cp $(srcdir)/tests/fuzz/corpus/event/* tests/fuzz/work-event/
	./tests/fuzz/fuzz_event -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		tests/fuzz/work-event

fuzz-sig: tests/fuzz/fuzz_sig
	rm -rf tests/fuzz/work-sig; mkdir -p tests/fuzz/work-sig
	cp $(srcdir)/tests/fuzz/corpus/sig/* tests/fuzz/work-sig/
	./tests/fuzz/fuzz_sig -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		tests/fuzz/work-sig

fuzz-chain: tests/fuzz/fuzz_chain
	rm -rf tests/fuzz/work-chain; mkdir -p tests/fuzz/work-chain
	cp $(srcdir)/tests/fuzz/corpus/chain/* tests/fuzz/work-chain/
	./tests/fuzz/fuzz_chain -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		tests/fuzz/work-chain

# all three, one after the other
fuzz-module: fuzz-event fuzz-sig fuzz-chain

fuzz: fuzz-module
.PHONY: fuzz-module fuzz-event fuzz-sig fuzz-chain
CLEANFILES += tests/fuzz/fuzz_event tests/fuzz/fuzz_sig tests/fuzz/fuzz_chain
clean-local: clean-fuzz-module
clean-fuzz-module:
	rm -rf tests/fuzz/work-event tests/fuzz/work-sig tests/fuzz/work-chain
.PHONY: clean-fuzz-module
