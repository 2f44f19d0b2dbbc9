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
#      event writer, the metrics counters, the list validation) under it,
#   6. prints one closing line: "N passed, N failed".
# Build trees live in .cache/ (ignored by git).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${DDG_CACHE_DIR:-$here/.cache}
jobs=$(nproc 2>/dev/null || echo 2)

"$here/scripts/deps.sh"
"$here/scripts/build-unbound.sh" >/dev/null
. "$cache/unbound.env"

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
TESTS_ONLY="tests/unit/check_evlog tests/unit/check_event tests/unit/check_metrics tests/unit/check_list" \
	run_build build-tsan --enable-tsan --enable-werror || status=1

# Summary over the builds: Check's own counts for unit tests, the harness's
# "N passed, N failed" for shell tests, else one per test program.
python3 - "$cache/build" "$cache/build-asan" "$cache/build-tsan" <<'PY' || status=1
import os, re, sys
passed = failed = 0
for root in sys.argv[1:]:
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
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
exit $status
