# Integration tests: the real Unbound with the module, queried with dig.
INTEGRATION_TESTS = \
	tests/integration/t_foundation.sh \
	tests/integration/t_policy.sh \
	tests/integration/t_reload.sh \
	tests/integration/t_merge.sh \
	tests/integration/t_ipv6.sh \
	tests/integration/t_listfile.sh
if BUILD_MODULE
TESTS += $(INTEGRATION_TESTS)
endif
EXTRA_DIST += tests/integration/lib.sh tests/integration/dnsload.py tests/integration/slowauth.py $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/bench_reload.sh

# Benchmark harness (prints figures; not part of make check).
bench-reload: all
	$(AM_TESTS_ENVIRONMENT) sh $(srcdir)/tests/integration/bench_reload.sh
.PHONY: bench-reload
EXTRA_DIST += tests/integration/bench_cost.sh
bench-cost: all
	$(AM_TESTS_ENVIRONMENT) sh $(srcdir)/tests/integration/bench_cost.sh
.PHONY: bench-cost
