# tests/fuzz: fuzz targets of every parser of untrusted input and of what
# the module handles at run time: the list reader, the name parser, the
# text list compiler, the configuration parser (and the policy built from
# what it accepts), the event formatters, the signature file parser, the
# decision over an answer's chain, the event file writer's ring, the event
# line reader of `dyndns-guard report`, and the update tool's
# configuration reader.
#
# `make check` replays the committed corpora (tests/fuzz/corpus/<target>/)
# through replay.c; `make fuzz` builds libFuzzer binaries with clang and
# runs each for FUZZ_TIME seconds (see docs/list-format.md, "Fuzzing").

# -- corpus replays (make check) ------------------------------------------
check_PROGRAMS += tests/fuzz/replay_list tests/fuzz/replay_name \
	tests/fuzz/replay_compile tests/fuzz/replay_conf \
	tests/fuzz/replay_event tests/fuzz/replay_sig \
	tests/fuzz/replay_chain tests/fuzz/replay_evlog \
	tests/fuzz/replay_evparse
TESTS += tests/fuzz/replay_list tests/fuzz/replay_name \
	tests/fuzz/replay_compile tests/fuzz/replay_conf \
	tests/fuzz/replay_event tests/fuzz/replay_sig \
	tests/fuzz/replay_chain tests/fuzz/replay_evlog \
	tests/fuzz/replay_evparse tests/fuzz/replay_update_conf.sh
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz_input.h \
	tests/fuzz/replay_update_conf.sh tests/fuzz/fuzz_update_conf.py

tests_fuzz_replay_list_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_list_open.c
tests_fuzz_replay_list_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/list_open"'
tests_fuzz_replay_list_LDADD = libddgcore.la $(OPENSSL_LIBS)

tests_fuzz_replay_name_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_name.c
tests_fuzz_replay_name_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/name"'
tests_fuzz_replay_name_LDADD = libddgcore.la $(OPENSSL_LIBS)

tests_fuzz_replay_compile_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_compile.c
tests_fuzz_replay_compile_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/compile"'
tests_fuzz_replay_compile_LDADD = libddgcore.la $(OPENSSL_LIBS)

tests_fuzz_replay_conf_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_conf.c
tests_fuzz_replay_conf_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/conf"'
tests_fuzz_replay_conf_LDADD = libddgcore.la $(OPENSSL_LIBS)

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

tests_fuzz_replay_evlog_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_evlog.c
tests_fuzz_replay_evlog_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/evlog"'
tests_fuzz_replay_evlog_LDADD = libddgcore.la $(PTHREAD_LIBS)

tests_fuzz_replay_evparse_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_evparse.c
tests_fuzz_replay_evparse_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDDG_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/evparse"'
tests_fuzz_replay_evparse_LDADD = libddgreport.la libddgcore.la $(OPENSSL_LIBS)

# -- libFuzzer builds (make fuzz; not part of make check) -----------------
# clang with libclang_rt.fuzzer; on Debian/Ubuntu it is in
# libclang-rt-14-dev or the clang-14 package.  Each target is compiled
# with every C file of the core and of the report library, taken from
# libddgcore_la_SOURCES and libddgreport_la_SOURCES (lib/local.mk), so
# that no list of core files here can fall behind.
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11
FUZZ_TIME = 60
FUZZ_TARGETS = list_open name compile conf event sig chain evlog evparse
FUZZ_PROGS = tests/fuzz/fuzz_list_open tests/fuzz/fuzz_name \
	tests/fuzz/fuzz_compile tests/fuzz/fuzz_conf tests/fuzz/fuzz_event \
	tests/fuzz/fuzz_sig tests/fuzz/fuzz_chain tests/fuzz/fuzz_evlog \
	tests/fuzz/fuzz_evparse
# the compiler command up to the target's own file: the core's C files
# are picked from the libraries' sources by the shell
FUZZ_LINK = core=; \
	for f in $(libddgcore_la_SOURCES) $(libddgreport_la_SOURCES); do \
	case $$f in *.c) core="$$core $(top_srcdir)/$$f";; esac; done; \
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include -I$(top_srcdir)/lib \
	-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ $$core
FUZZ_LIBS = $(OPENSSL_LIBS) -pthread -lm
FUZZ_DEPS = $(libddgcore_la_SOURCES) $(libddgreport_la_SOURCES) \
	$(srcdir)/tests/fuzz/fuzz_input.h

tests/fuzz/fuzz_list_open: $(srcdir)/tests/fuzz/fuzz_list_open.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_list_open.c $(FUZZ_LIBS)
tests/fuzz/fuzz_name: $(srcdir)/tests/fuzz/fuzz_name.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_name.c $(FUZZ_LIBS)
tests/fuzz/fuzz_compile: $(srcdir)/tests/fuzz/fuzz_compile.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_compile.c $(FUZZ_LIBS)
tests/fuzz/fuzz_conf: $(srcdir)/tests/fuzz/fuzz_conf.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_conf.c $(FUZZ_LIBS)
tests/fuzz/fuzz_event: $(srcdir)/tests/fuzz/fuzz_event.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_event.c $(FUZZ_LIBS)
tests/fuzz/fuzz_sig: $(srcdir)/tests/fuzz/fuzz_sig.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_sig.c $(FUZZ_LIBS)
tests/fuzz/fuzz_chain: $(srcdir)/tests/fuzz/fuzz_chain.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_chain.c $(FUZZ_LIBS)
tests/fuzz/fuzz_evlog: $(srcdir)/tests/fuzz/fuzz_evlog.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_evlog.c $(FUZZ_LIBS)
tests/fuzz/fuzz_evparse: $(srcdir)/tests/fuzz/fuzz_evparse.c $(FUZZ_DEPS)
	$(AM_V_CC)$(FUZZ_LINK) $(srcdir)/tests/fuzz/fuzz_evparse.c $(FUZZ_LIBS)

# run target T for FUZZ_TIME seconds on a scratch copy of its corpus,
# inputs up to MAXLEN bytes
FUZZ_RUN = rm -rf tests/fuzz/work-$$t; mkdir -p tests/fuzz/work-$$t; \
	cp $(srcdir)/tests/fuzz/corpus/$$t/* tests/fuzz/work-$$t/; \
	echo "fuzzing $$t for $(FUZZ_TIME) s"; \
	./tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
		-max_len=$$maxlen tests/fuzz/work-$$t

# the list reader, the name parser and the compiler
fuzz-list: tests/fuzz/fuzz_list_open tests/fuzz/fuzz_name \
		tests/fuzz/fuzz_compile
	@maxlen=4096; for t in list_open name compile; do \
		$(FUZZ_RUN) || exit 1; done
# the configuration parser and the policy
fuzz-conf: tests/fuzz/fuzz_conf
	@maxlen=4096; t=conf; $(FUZZ_RUN)
# the event formatters, the signature file parser, the chain decision
fuzz-event: tests/fuzz/fuzz_event
	@maxlen=8192; t=event; $(FUZZ_RUN)
fuzz-sig: tests/fuzz/fuzz_sig
	@maxlen=8192; t=sig; $(FUZZ_RUN)
fuzz-chain: tests/fuzz/fuzz_chain
	@maxlen=8192; t=chain; $(FUZZ_RUN)
fuzz-module: fuzz-event fuzz-sig fuzz-chain
# the event file writer's ring: writes of every length, reopens and
# rotations with a small ring and a busy writer thread
fuzz-evlog: tests/fuzz/fuzz_evlog
	@maxlen=8192; t=evlog; $(FUZZ_RUN)
# the event line reader of `dyndns-guard report` (lib/evparse.c)
fuzz-evparse: tests/fuzz/fuzz_evparse
	@maxlen=8192; t=evparse; $(FUZZ_RUN)
# the update tool's configuration reader (a shell script, so no
# libFuzzer: a python3 mutation fuzzer runs `dyndns-guard-update
# --check-config` on mutated files; the replay uses the same oracle)
fuzz-update-conf: tools/dyndns-guard-update
	rm -rf tests/fuzz/work-update_conf
	python3 $(srcdir)/tests/fuzz/fuzz_update_conf.py \
		--tool tools/dyndns-guard-update \
		--corpus $(srcdir)/tests/fuzz/corpus/update_conf \
		--work tests/fuzz/work-update_conf --time $(FUZZ_TIME)

# all of them, one after the other
fuzz: fuzz-list fuzz-conf fuzz-module fuzz-evlog fuzz-evparse \
	fuzz-update-conf
.PHONY: fuzz fuzz-list fuzz-conf fuzz-module fuzz-event fuzz-sig \
	fuzz-chain fuzz-evlog fuzz-evparse fuzz-update-conf
CLEANFILES += $(FUZZ_PROGS)
clean-local: clean-fuzz
clean-fuzz:
	for t in $(FUZZ_TARGETS) update_conf; do \
		rm -rf tests/fuzz/work-$$t; done
.PHONY: clean-fuzz
