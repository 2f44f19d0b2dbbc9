# dyndns_guard.so: the Unbound glue, compiled against the configured Unbound
# tree.  Only the six dynlib entry points are exported; undefined symbols are
# resolved from the unbound executable (linked -export-dynamic), and -z now
# makes a missing one fail at load time instead of at the first query.
if BUILD_MODULE
moddir = $(libdir)/unbound
mod_LTLIBRARIES = dyndns_guard.la
dyndns_guard_la_SOURCES = module/dyndns_guard.c module/listset.c module/answer.c module/ddg_module.h
dyndns_guard_la_CPPFLAGS = -I$(UNBOUND_BUILD) -I$(UNBOUND_SRC) $(AM_CPPFLAGS) \
	-DDDG_UNBOUND_VERSION='"$(UNBOUND_VERSION)"' $(DDG_MODULE_DEFS)
dyndns_guard_la_CFLAGS = -std=gnu11 $(WARN_CFLAGS) -fvisibility=hidden -pthread
dyndns_guard_la_LDFLAGS = -module -avoid-version -shared \
	-export-symbols-regex '^(init|deinit|operate|inform_super|clear|get_mem)$$' \
	-Wl,-z,now -Wl,-z,relro -pthread
dyndns_guard_la_LIBADD = libddgcore.la $(OPENSSL_LIBS)
# metrics-file: (module/metrics.c; the counters and the format in lib/metrics.c)
dyndns_guard_la_SOURCES += module/metrics.c module/ddgm_metrics.h
endif
EXTRA_DIST += module/ddg_module.h module/ddgm_metrics.h
