# Integration tests: the real Unbound with the module, queried with dig.
INTEGRATION_TESTS = \
	tests/integration/t_foundation.sh
if BUILD_MODULE
TESTS += $(INTEGRATION_TESTS)
endif
EXTRA_DIST += tests/integration/lib.sh $(INTEGRATION_TESTS)
