# tap.sh: the small TAP harness shared by the shell tests in tests/unit,
# sourced by them.  Sets DG (the dyndns-guard command, absolute), runs the
# test in a private temporary directory removed at exit, and provides
# ok/bad/expect_rc/expect_in and tap_done (the plan and the closing line).
# Needs top_builddir (exported by make check).
set -u
: "${top_builddir:=.}"
DG="$top_builddir/dyndns-guard"
[ -x "$DG" ] || { echo "no $DG"; exit 99; }
case "$DG" in /*) ;; *) DG="$(pwd)/$DG" ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$0" .sh).XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 99
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# expect_rc WANT DESCRIPTION CMD...: CMD's output goes to out.txt/err.txt
expect_rc() {
	want=$1; what=$2; shift 2
	"$@" >out.txt 2>err.txt
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"
	else bad "$what: exit $rc, want $want"; sed 's/^/# /' out.txt err.txt; fi
}
# expect_in FILE TEXT DESCRIPTION
expect_in() {
	if grep -F -- "$2" "$1" >/dev/null; then ok "$3"
	else bad "$3: '$2' not in $1"; sed 's/^/# /' "$1"; fi
}
# tap_done: the plan, "N passed, N failed", and the exit status
tap_done() {
	echo "1..$n"
	echo "$(basename "$0" .sh): $((n - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ] || exit 1
	exit 0
}
