# bench/: the side-by-side benchmark (stock Unbound, the module in log and
# block mode, local-zone, RPZ), not part of `make check`.  `make bench-side`
# runs bench/run.sh from this build (parameters from the environment or the
# make command line: make bench-side REPS=3 BENCH_ONLY="stock block").
EXTRA_DIST += bench/README.md bench/run.sh bench/side.py bench/gen.py bench/results/README.md \
	bench/results/2026-12-02-vm.md bench/results/2026-12-02-vm.json \
	bench/results/2026-12-02-late-filter-vm.md bench/results/2026-12-02-late-filter-vm.json

bench-side: all tests/bench/bench_list$(EXEEXT)
	$(AM_TESTS_ENVIRONMENT) BENCH_CMD='make bench-side'; export BENCH_CMD; \
	sh $(srcdir)/bench/run.sh
.PHONY: bench-side
