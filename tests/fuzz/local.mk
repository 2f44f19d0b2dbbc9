# tests/fuzz: fuzz targets of the list reader and the name parser.
# `make check` replays the committed corpora (tests/fuzz/corpus/<target>/)
# through replay.c; `make fuzz-list` builds libFuzzer binaries with clang
# (see docs/list-format.md, "Fuzzing").
check_PROGRAMS += tests/fuzz/replay_list tests/fuzz/replay_name \
	tests/fuzz/replay_compile
TESTS += tests/fuzz/replay_list tests/fuzz/replay_name \
	tests/fuzz/replay_compile

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

EXTRA_DIST += tests/fuzz/corpus

# libFuzzer builds (clang with libclang_rt.fuzzer; on Debian/Ubuntu it is
# in libclang-rt-14-dev or the clang-14 package).  Not part of `make check`.
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11
FUZZ_CORE = $(top_srcdir)/lib/err.c $(top_srcdir)/lib/name.c \
	$(top_srcdir)/lib/list.c $(top_srcdir)/lib/image.c \
	$(top_srcdir)/lib/list_write.c \
	$(top_srcdir)/lib/compile.c
FUZZ_TIME = 60

tests/fuzz/fuzz_list_open: $(srcdir)/tests/fuzz/fuzz_list_open.c $(FUZZ_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/fuzz_list_open.c $(FUZZ_CORE) $(OPENSSL_LIBS)

tests/fuzz/fuzz_name: $(srcdir)/tests/fuzz/fuzz_name.c $(FUZZ_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/fuzz_name.c $(FUZZ_CORE) $(OPENSSL_LIBS)

tests/fuzz/fuzz_compile: $(srcdir)/tests/fuzz/fuzz_compile.c $(FUZZ_CORE)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/include \
		-I$(top_builddir) $(OPENSSL_CFLAGS) -o $@ \
		$(srcdir)/tests/fuzz/fuzz_compile.c $(FUZZ_CORE) $(OPENSSL_LIBS)

# build all; run each for FUZZ_TIME seconds on a scratch copy of its corpus
fuzz-list: tests/fuzz/fuzz_list_open tests/fuzz/fuzz_name \
		tests/fuzz/fuzz_compile
	@for t in list_open name compile; do \
		rm -rf tests/fuzz/work-$$t; mkdir -p tests/fuzz/work-$$t; \
		cp $(srcdir)/tests/fuzz/corpus/$$t/* tests/fuzz/work-$$t/; \
		echo "fuzzing $$t for $(FUZZ_TIME) s"; \
		./tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
			-max_len=4096 tests/fuzz/work-$$t || exit 1; \
	done

fuzz: fuzz-list
.PHONY: fuzz fuzz-list
CLEANFILES += tests/fuzz/fuzz_list_open tests/fuzz/fuzz_name \
	tests/fuzz/fuzz_compile
clean-local: clean-fuzz-list
clean-fuzz-list:
	rm -rf tests/fuzz/work-list_open tests/fuzz/work-name \
		tests/fuzz/work-compile
.PHONY: clean-fuzz-list
