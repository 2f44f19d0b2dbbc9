#!/bin/sh
# replay_update_conf.sh: run every file of tests/fuzz/corpus/update_conf/
# through `dyndns-guard-update --check-config` with the oracle of
# fuzz_update_conf.py (exit 0 or 2 only, one "CONF:LINE: reason" message
# without control bytes or shell errors, nothing created or run from the
# file, within 5 s).  TAP output, closing with "N passed, N failed".
# Needs top_srcdir (exported by make check) and python3.
set -u
: "${top_srcdir:=.}"
UPD=$top_builddir/tools/dyndns-guard-update
FUZZ=$top_srcdir/tests/fuzz/fuzz_update_conf.py
CORPUS=$top_srcdir/tests/fuzz/corpus/update_conf
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed"; exit 77; }
[ -f "$UPD" ] && [ -f "$FUZZ" ] && [ -d "$CORPUS" ] || { echo "no $UPD, $FUZZ or $CORPUS"; exit 99; }

n=0
fails=0
for f in "$CORPUS"/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	name=$(basename "$f")
	if res=$(python3 "$FUZZ" --tool "$UPD" --one "$f" 2>&1); then
		echo "ok $n - $name ($res)"
	else
		fails=$((fails + 1))
		echo "not ok $n - $name"
		printf '%s\n' "$res" | sed 's/^/# /'
	fi
done
echo "1..$n"
echo "$(basename "$0" .sh): $((n - fails)) passed, $fails failed"
[ "$n" -gt 0 ] && [ "$fails" -eq 0 ] || exit 1
exit 0
