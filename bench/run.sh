#!/bin/sh
# run.sh: dyndns-guard side by side with stock Unbound, one command.
#
#   bench/run.sh              the full run (prints its estimated duration first)
#   bench/run.sh --estimate   only print the estimate for these parameters
#   make bench-side           the same, from a configured build directory
#
# Stock Unbound, the module in log and in block mode, the same zones as
# local-zone always_nxdomain and as an RPZ zone, on the same Unbound build,
# behind NSD on loopback; list replacement; tests/bench/bench_list; and
# instructions per query.  Writes bench/results/<date>-<host>.md and .json.
# Needs root (NSD on port 53 of a 127.54.x.y address), dnsperf, nsd,
# taskset, and valgrind (or working perf counters) for the instruction
# counts.  Parameters (environment; see bench/README.md):
#   SIZES="100k 1M" QUERIES=100000 LISTED_PCTS="0 10" REPS=9 RUN_SECONDS=10
#   WARM_SECONDS=2 THREADS="1 2 4"
#   BENCH_ONLY="stock log block localzone rpz swap micro cost"
#   SWAP_KINDS="rename reload localzone rpz" SWAP_REPS=3 SWAP_QPS=5000
#   COST_CONFIGS="stock log block localzone rpz" COST_QUERIES=20000
#   COST_SIZE=<smallest size> COST_METHOD=auto UB_CPUS= LOAD_CPUS=
#   WORKDIR=<build>/bench/work RESULTS_DIR=bench/results OUT= KEEP=0
# The build directory: $top_builddir, else _build/ or .cache/build/ of this
# checkout; Unbound: $UNBOUND_DAEMON / $UNBOUND_CONTROL, else the ones that
# build was configured with.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
-h|--help)
	sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0;;
--estimate|-n|"") ;;
*) echo "usage: $0 [--estimate]   (parameters come from the environment; --help)" >&2; exit 2;;
esac

top_srcdir=${top_srcdir:-$here}
if [ -z "${top_builddir:-}" ]; then
	for d in "$here/_build" "$here/.cache/build" "$here"; do
		if [ -x "$d/dyndns-guard" ] && [ -f "$d/.libs/dyndns_guard.so" ]; then
			top_builddir=$d
			break
		fi
	done
fi
if [ -z "${top_builddir:-}" ]; then
	echo "run.sh: no build with the module found (_build/ or .cache/build/); build first" >&2
	echo "        (scripts/test.sh builds .cache/build/), or set top_builddir" >&2
	exit 2
fi
top_builddir=$(cd "$top_builddir" && pwd)
if [ -z "${UNBOUND_DAEMON:-}" ] && [ -f "$top_builddir/Makefile" ]; then
	UNBOUND_DAEMON=$(sed -n 's/^UNBOUND_DAEMON = //p' "$top_builddir/Makefile")
	UNBOUND_CONTROL=$(sed -n 's/^UNBOUND_CONTROL = //p' "$top_builddir/Makefile")
fi
if [ -z "${UNBOUND_DAEMON:-}" ] && [ -f "$here/.cache/unbound.env" ]; then
	# shellcheck disable=SC1091
	. "$here/.cache/unbound.env"
	UNBOUND_DAEMON=$UNBOUND_PREFIX/sbin/unbound
	UNBOUND_CONTROL=$UNBOUND_PREFIX/sbin/unbound-control
fi
: "${UNBOUND_CONTROL:=$(dirname "${UNBOUND_DAEMON:-.}")/unbound-control}"
: "${BENCH_CMD:=bench/run.sh}"
export top_srcdir top_builddir UNBOUND_DAEMON UNBOUND_CONTROL BENCH_CMD
exec python3 -B "$here/bench/side.py" "$@"
