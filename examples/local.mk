# examples/: dyndns-guard.conf and the unbound.conf lines for CI/CD runners
# (block), staging (block and log) and production (log), installed under
# $(docdir)/examples/ and checked by examples/check-examples.sh.
EXAMPLE_FILES = \
	examples/ci-cd/dyndns-guard.conf examples/ci-cd/unbound.conf \
	examples/staging/dyndns-guard.conf examples/staging/unbound.conf \
	examples/production/dyndns-guard.conf examples/production/unbound.conf
# and the Prometheus alert rules and rsyslog configurations of
# docs/operations.md (tests/integration/t_metrics.sh, t_rsyslog.sh use them)
EXAMPLE_OTHER_FILES = \
	examples/prometheus/dyndns-guard.rules.yml \
	examples/prometheus/dyndns-guard.rules.test.yml \
	examples/rsyslog/dyndns-guard.conf examples/rsyslog/dyndns-guard-forward.conf
examplesdir = $(docdir)
nobase_dist_examples_DATA = $(EXAMPLE_FILES) $(EXAMPLE_OTHER_FILES)

TESTS += examples/check-examples.sh
EXTRA_DIST += examples/check-examples.sh
clean-local: clean-examples-scratch
clean-examples-scratch:
	rm -rf examples/scratch tests/install/scratch
.PHONY: clean-examples-scratch
