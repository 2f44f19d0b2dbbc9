# Integration tests: the real Unbound with the module, queried with dig.
INTEGRATION_TESTS = \
	tests/integration/t_foundation.sh \
	tests/integration/t_confpath.sh \
	tests/integration/t_policy.sh \
	tests/integration/t_reload.sh \
	tests/integration/t_merge.sh \
	tests/integration/t_ipv6.sh \
	tests/integration/t_listfile.sh \
	tests/integration/t_startfilter.sh \
	tests/integration/t_evlog.sh \
	tests/integration/t_bigconf.sh \
	tests/integration/t_bypass.sh \
	tests/integration/t_export.sh \
	tests/integration/t_metrics.sh \
	tests/integration/t_rsyslog.sh \
	tests/integration/t_soak.sh
if BUILD_MODULE
TESTS += $(INTEGRATION_TESTS)
endif
# examples/ (prometheus, rsyslog: t_metrics.sh, t_rsyslog.sh) is distributed
# file by file in examples/local.mk: a whole directory would also bring the
# build directory's examples/ (test logs, scratch) into the tarball
EXTRA_DIST += tests/integration/lib.sh tests/integration/dnsload.py tests/integration/slowauth.py $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/soakcheck.py tests/integration/memcheck.sh

# The soak test for 10 minutes (make check runs it for 30 s) and the
# integration tests with Unbound under valgrind.
SOAK_TIME = 600
soak: all
	$(AM_TESTS_ENVIRONMENT) SOAK_SECONDS=$(SOAK_TIME) sh $(srcdir)/tests/integration/t_soak.sh
memcheck: all
	$(AM_TESTS_ENVIRONMENT) sh $(srcdir)/tests/integration/memcheck.sh $(MEMCHECK_TESTS)
.PHONY: soak memcheck
EXTRA_DIST += tests/integration/bench_reload.sh

# Benchmark harness (prints figures; not part of make check).
bench-reload: all
	$(AM_TESTS_ENVIRONMENT) sh $(srcdir)/tests/integration/bench_reload.sh
.PHONY: bench-reload
EXTRA_DIST += tests/integration/bench_cost.sh
bench-cost: all
	$(AM_TESTS_ENVIRONMENT) sh $(srcdir)/tests/integration/bench_cost.sh
.PHONY: bench-cost

# the report over what the real Unbound with the module wrote
if BUILD_MODULE
TESTS += tests/integration/t_report.sh
endif
EXTRA_DIST += tests/integration/t_report.sh

# the tests' scratch directories (make distcheck's distcleancheck)
clean-local: clean-integration-scratch
clean-integration-scratch:
	rm -rf tests/integration/scratch
.PHONY: clean-integration-scratch
