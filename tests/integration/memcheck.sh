#!/bin/sh
# memcheck.sh: run integration tests with Unbound under valgrind memcheck
# (`make memcheck`) and read valgrind's reports: no error, and no leak whose
# stack passes through the module (dyndns_guard.so), across start, queries,
# `unbound-control reload` and stop.  Prints valgrind's summary per run and
# ends with "N passed, N failed".
#   memcheck.sh [TEST...]   (default: t_foundation t_reload t_bypass t_metrics)
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
command -v valgrind >/dev/null 2>&1 || { echo "memcheck: valgrind not installed"; exit 1; }
tests=${*:-"t_foundation t_reload t_bypass t_metrics"}
out="$top_builddir/tests/integration/scratch/memcheck"
rm -rf "$out"
mkdir -p "$out"
pass=0
fail=0
for t in $tests; do
	mkdir -p "$out/$t"
	UB_WRAPPER="valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite --num-callers=30 --log-file=$out/$t/vg.%p.log"
	export UB_WRAPPER
	echo "memcheck: $t under valgrind"
	sh "$top_srcdir/tests/integration/$t.sh" > "$out/$t/test.out" 2>&1
	rc=$?
	tail -1 "$out/$t/test.out"
	if [ $rc -ne 0 ]; then
		echo "not ok - $t passes under valgrind (exit $rc)"; fail=$((fail + 1))
		grep '^not ok' "$out/$t/test.out" | head -5
	else
		echo "ok - $t passes under valgrind"; pass=$((pass + 1))
	fi
	for f in "$out/$t"/vg.*.log; do
		[ -f "$f" ] || continue
		grep -q "dyndns_guard\|libddg\|ddgm_\|ddg_" "$f" 2>/dev/null || true
		s=$(grep "ERROR SUMMARY" "$f" | tail -1 | sed 's/^==[0-9]*== //')
		l=$(grep "definitely lost:" "$f" | tail -1 | sed 's/^==[0-9]*== *//')
		echo "#   $(basename "$f"): $s; ${l:-no leak summary}"
		# errors (invalid reads/writes, uninitialised values) anywhere
		e=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -1)
		# leaks whose allocation stack passes through the module
		mod=$(awk '/are definitely lost|are indirectly lost/ { blk = 1; txt = "" }
			blk { txt = txt $0 "\n" }
			blk && /^==[0-9]*== $/ { if (txt ~ /dyndns_guard|ddgm_|ddg_/) n++; blk = 0 }
			END { print n + 0 }' "$f")
		if [ "${e:-1}" = 0 ] && [ "$mod" = 0 ]; then
			echo "ok - $t: $(basename "$f"): no error, no leak in the module"; pass=$((pass + 1))
		else
			echo "not ok - $t: $(basename "$f"): $e errors, $mod leaks through the module"; fail=$((fail + 1))
			grep -B2 -A25 "Invalid\|uninitialised\|definitely lost in" "$f" | head -80
		fi
	done
done
echo "memcheck: $pass passed, $fail failed"
[ $fail -eq 0 ]
