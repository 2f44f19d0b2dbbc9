# tests/fuzz: mutation fuzzer of the update tool's configuration reader
# (tools/dyndns-guard-update is a shell script, so no libFuzzer: a python3
# fuzzer runs `dyndns-guard-update --check-config` on mutated files).
# `make check` replays tests/fuzz/corpus/update_conf/ with the same oracle;
# `make fuzz-update-conf` fuzzes for FUZZ_TIME seconds (see
# docs/list-format.md, "Fuzzing").
TESTS += tests/fuzz/replay_update_conf.sh
EXTRA_DIST += tests/fuzz/replay_update_conf.sh tests/fuzz/fuzz_update_conf.py

fuzz-update-conf: tools/dyndns-guard-update
	rm -rf tests/fuzz/work-update_conf
	python3 $(srcdir)/tests/fuzz/fuzz_update_conf.py \
		--tool tools/dyndns-guard-update \
		--corpus $(srcdir)/tests/fuzz/corpus/update_conf \
		--work tests/fuzz/work-update_conf --time $(FUZZ_TIME)

fuzz: fuzz-update-conf
.PHONY: fuzz-update-conf
clean-local: clean-fuzz-update-conf
clean-fuzz-update-conf:
	rm -rf tests/fuzz/work-update_conf
.PHONY: clean-fuzz-update-conf
