#!/bin/sh
# test.sh: the whole dyndns-guard test suite, from a fresh clone.
#   1. installs missing Debian packages (scripts/deps.sh),
#   2. builds (or reuses) the dynlib-enabled Unbound (scripts/build-unbound.sh),
#   3. builds the project against it and runs `make check`: Check unit tests,
#      command-line tests, fuzz corpus replays and the integration tests with
#      the real Unbound,
#   4. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs
#      the unit tests, command-line tests and fuzz replays under them,
#   5. builds again with ThreadSanitizer and runs the threaded unit tests (the
#      event writer, the metrics counters, the list validation, the list
#      set's publication) under it,
#   6. when the upstream Unbound source is there (../shared/unbound, or
#      $UNBOUND_UPSTREAM_DIR), builds that Unbound too
#      (scripts/build-unbound-upstream.sh, cached like the Debian build),
#      builds the module against it in .cache/build-<version> and runs the
#      integration, install and example tests against that daemon
#      (but the soak; $DDG_UPSTREAM_TESTS overrides that set),
#   7. makes the release tarball and checks that it holds every tracked
#      file (DDG_TEST_DISTCHECK=1: through make distcheck),
#   8. prints one closing line: "N passed, N failed".
# Build trees live in .cache/ (ignored by git).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${DDG_CACHE_DIR:-$here/.cache}
jobs=$(nproc 2>/dev/null || echo 2)

"$here/scripts/deps.sh"
"$here/scripts/build-unbound.sh" >/dev/null
. "$cache/unbound.env"
# the newest Unbound line, from the upstream tarball (exit 3: none there)
up_status=0
DDG_CACHE_DIR=$cache "$here/scripts/build-unbound-upstream.sh" >/dev/null || up_status=$?

if [ -f "$here/config.status" ]; then
	echo "test.sh: the source tree is configured in place; run 'make distclean' there first" >&2
	exit 2
fi
echo "test.sh: autoreconf" >&2
(cd "$here" && autoreconf -fi >/dev/null 2>&1) || (cd "$here" && autoreconf -fi)

status=0
run_build() { # name, configure args...  ($TESTS_ONLY: run only these tests)
	name=$1; shift
	dir=$cache/$name
	mkdir -p "$dir"
	# results of an earlier run must not count in the summary
	find "$dir" -name '*.trs' -exec rm -f {} + 2>/dev/null || true
	echo "test.sh: [$name] configure $*" >&2
	(cd "$dir" && "$here/configure" -q "$@" >configure.out 2>&1) \
		|| { cat "$dir/configure.out" >&2; return 1; }
	echo "test.sh: [$name] make" >&2
	(cd "$dir" && make -j"$jobs" >make.out 2>&1) \
		|| { tail -40 "$dir/make.out" >&2; return 1; }
	echo "test.sh: [$name] make check" >&2
	(cd "$dir" && make -j"$jobs" check ${TESTS_ONLY:+"TESTS=$TESTS_ONLY"} >check.out 2>&1) || {
		grep -E '^(FAIL|ERROR|XPASS)' "$dir/check.out" >&2 || true
		for f in $(grep -l -E '^:test-result: (FAIL|ERROR)' $(find "$dir" -name '*.trs') 2>/dev/null); do
			echo "---- ${f%.trs}.log" >&2; tail -60 "${f%.trs}.log" >&2
		done
		return 1
	}
}

run_build build --with-unbound-source="$UNBOUND_SRC" --with-unbound-build="$UNBOUND_BUILD" \
	--with-unbound-daemon="$UNBOUND_PREFIX/sbin/unbound" --enable-werror || status=1
run_build build-asan --enable-sanitizers --enable-werror || status=1
# ThreadSanitizer runs code 5-15 times slower: Check's time limits scale
CK_TIMEOUT_MULTIPLIER=10 \
TESTS_ONLY="tests/unit/check_evlog tests/unit/check_event tests/unit/check_metrics tests/unit/check_list tests/unit/check_listset" \
	run_build build-tsan --enable-tsan --enable-werror || status=1
builds="$cache/build $cache/build-asan $cache/build-tsan"
case $up_status in
0)
	up_src=$(sed -n 's/^UNBOUND_SRC=//p' "$cache/unbound-upstream.env")
	up_build=$(sed -n 's/^UNBOUND_BUILD=//p' "$cache/unbound-upstream.env")
	up_prefix=$(sed -n 's/^UNBOUND_PREFIX=//p' "$cache/unbound-upstream.env")
	up_ver=$(sed -n 's/^UNBOUND_VERSION=//p' "$cache/unbound-upstream.env")
	up_line=$(echo "$up_ver" | cut -d. -f1-2)
	# make expands $(...) in the TESTS= argument.  The soak is left out by
	# default (3 minutes of both cores; the Debian build runs it): the whole
	# command stays near 15 minutes on 2 cores
	TESTS_ONLY=${DDG_UPSTREAM_TESTS:-'$(filter-out tests/integration/t_soak.sh,$(INTEGRATION_TESTS)) tests/install/t_install.sh examples/check-examples.sh'} \
		run_build "build-$up_line" --with-unbound-source="$up_src" --with-unbound-build="$up_build" \
		--with-unbound-daemon="$up_prefix/sbin/unbound" --enable-werror || status=1
	builds="$builds $cache/build-$up_line"
	;;
3)	echo "test.sh: no upstream Unbound source: the module is tested against Debian's Unbound only" >&2 ;;
*)	echo "test.sh: building the upstream Unbound failed" >&2; status=1 ;;
esac

# The release tarball (make dist in the first build directory) holds every
# file git tracks in the project's folders (but .gitignore files and
# m4/.keep), also those no test reads; files at the top are named in
# Makefile.am one by one.  With DDG_TEST_DISTCHECK=1 the tarball comes from
# make distcheck instead: it builds (with the module) and passes make check
# from its read-only tree, installs, uninstalls and cleans, the integration
# tests skipped (the build above ran them); 1 to 2.5 minutes more, so not
# by default.  One result each in the summary.
dc=$cache/distcheck
rm -rf "$dc"; mkdir -p "$dc"
rm -f "$cache/build"/dyndns-guard-*.tar.gz
if [ "${DDG_TEST_DISTCHECK:-0}" = 1 ]; then
	echo "test.sh: [build] make distcheck" >&2
	target=distcheck
else
	echo "test.sh: [build] make dist" >&2
	target=dist
fi
if (cd "$cache/build" && DDG_SKIP_INTEGRATION=1 make -j"$jobs" $target) \
	> "$dc/$target.log" 2>&1; then
	echo ":test-result: PASS" > "$dc/$target.trs"
else
	echo ":test-result: FAIL" > "$dc/$target.trs"
	tail -40 "$dc/$target.log" >&2
	status=1
fi
tarball=$(ls "$cache/build"/dyndns-guard-*.tar.gz 2>/dev/null | tail -n 1)
if [ -n "$tarball" ] && git -C "$here" rev-parse --git-dir >/dev/null 2>&1; then
	tar -tzf "$tarball" | sed 's|^[^/]*/||' | sort > "$dc/tarball.txt"
	git -C "$here" ls-files | grep / | grep -v -e '\.gitignore$' -e '^m4/\.keep$' | sort > "$dc/git.txt"
	missing=$(comm -23 "$dc/git.txt" "$dc/tarball.txt")
	if [ -z "$missing" ]; then
		echo ":test-result: PASS" > "$dc/dist-files.trs"
	else
		echo ":test-result: FAIL" > "$dc/dist-files.trs"
		echo "test.sh: tracked by git, missing from $tarball (EXTRA_DIST):" >&2
		printf '%s\n' "$missing" | head -20 >&2
		status=1
	fi
fi
builds="$builds $dc"

# Summary over the builds: Check's own counts for unit tests, the harness's
# "N passed, N failed" for shell tests, else one per test program.
# shellcheck disable=SC2086
python3 - $builds <<'PY' || status=1
import os, re, sys
passed = failed = 0
for root in sys.argv[1:]:
    p0, f0 = passed, failed
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".trs"):
                continue
            trs = open(os.path.join(d, f)).read()
            res = re.search(r":test-result: (\w+)", trs)
            res = res.group(1) if res else "ERROR"
            try:
                log = open(os.path.join(d, f[:-4] + ".log"), errors="replace").read()
            except OSError:
                log = ""
            m = re.search(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)", log)
            h = re.findall(r"^\S*:? ?(\d+) passed, (\d+) failed", log, re.M)
            if res == "SKIP":
                continue
            if m:
                n, fl, er = map(int, m.groups())
                passed += n - fl - er; failed += fl + er
                if res not in ("PASS",) and fl + er == 0: failed += 1
            elif h:
                p, fl = map(int, h[-1])
                passed += p; failed += fl
                if res != "PASS" and fl == 0: failed += 1
            elif res == "PASS":
                passed += 1
            else:
                failed += 1
    sys.stderr.write("test.sh: [%s] %d passed, %d failed\n"
                     % (os.path.basename(root), passed - p0, failed - f0))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
exit $status
