#!/bin/sh
# check-man.sh: the manual pages against the code, and their rendering.
#
# The lists are taken from the code, never copied by hand:
#  - the subcommands from the cmds[] table of tools/dyndns-guard.c (and
#    checked against what 'dyndns-guard --help' lists), each with the
#    options its own --help prints: each needs a .SS section in
#    dyndns-guard.1 that names all of those options;
#  - the keys of the parser table keys[] in lib/conf.c (each checked to be
#    a key the built parser knows, through 'dyndns-guard checkconf'): each
#    needs a tagged paragraph (.TP) of its own in dyndns-guard.conf.5;
#  - the keys of the case statement of tools/dyndns-guard-update's
#    configuration reader (each checked with --check-config) and the
#    options of its --help: each in dyndns-guard-update.8;
#  - the exit codes that both commands' --help print: each a .TP of the
#    EXIT STATUS section.
# (The reverse, a documented name the code lacks, is only noted.)
# Each page must render with groff -man -ww and man --warnings without a
# warning, fit 80 columns (MANWIDTH=80), carry the usual sections, and
# have a NAME line that lexgrog (man-db's whatis parser) reads.
# Needs top_srcdir and top_builddir (exported by make check).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
S=$top_srcdir
DG=$top_builddir/dyndns-guard
UPD=$top_builddir/tools/dyndns-guard-update
M1=$S/man/dyndns-guard.1
M5=$S/man/dyndns-guard.conf.5
M8=$S/man/dyndns-guard-update.8
[ -x "$DG" ] || { echo "no $DG"; exit 99; }
T=$(mktemp -d "${TMPDIR:-/tmp}/check-man.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT INT TERM
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'; return 0; }

# roff TEXT: TEXT as written in the pages' source (every '-' as '\-')
roff() { printf '%s' "$1" | sed 's/-/\\-/g'; }
# section PAGE NAME: the source lines of .SS NAME up to the next .SS/.SH
section() {
	awk -v name="$2" '
		/^\.S[SH] / { if (on) exit; h = $0; sub(/^\.S[SH] +/, "", h); gsub(/"/, "", h)
			if (h == name) on = 1; next }
		on' "$1"
}
# shsection PAGE NAME: the same for a .SH section
shsection() {
	awk -v name="$2" '
		/^\.SH / { if (on) exit; h = $0; sub(/^\.SH +/, "", h); gsub(/"/, "", h)
			if (h == name) on = 1; next }
		on' "$1"
}
# tags: the terms of the tagged paragraphs (.TP) on standard input, as
# plain text up to the first ':' or blank ('.BI "list: " path' -> list)
tags() {
	awk 'prev == ".TP" { t = $0; sub(/^\.(B|BI|BR|I|IB|IR) +/, "", t)
		gsub(/\\-/, "-", t); gsub(/"/, "", t); sub(/[: ].*/, "", t); print t }
		{ prev = $0 }'
}
# options TEXT-FILE: the options a --help text names (-x, --xy-z)
options() {
	grep -oE '(^|[][ |,(])--?[A-Za-z][A-Za-z0-9-]*' "$1" | sed 's/^[][ |,(]//' | sort -u
}

# --- subcommands: cmds[] of tools/dyndns-guard.c
awk '/^static const struct subcmd cmds\[\] = \{/ { on = 1; next }
	on && /^\};/ { exit }
	on' "$S/tools/dyndns-guard.c" |
	sed -n 's/^[[:space:]]*{ *"\([a-z][a-z0-9-]*\)",.*/\1/p' >"$T/cmds"
"$DG" --help | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' >"$T/cmds.help"
ncmd=$(wc -l <"$T/cmds")
if [ "$ncmd" -ge 9 ] && grep -qx compile "$T/cmds" && cmp -s "$T/cmds" "$T/cmds.help"; then
	ok "the $ncmd subcommands of cmds[] are those dyndns-guard --help lists"
else
	bad "subcommands extracted from tools/dyndns-guard.c match dyndns-guard --help" \
		"$(diff "$T/cmds" "$T/cmds.help")"
fi
while read -r c; do
	section "$M1" "$c" >"$T/sec"
	if [ ! -s "$T/sec" ]; then
		bad "dyndns-guard.1 has a section (.SS) for '$c'"
		continue
	fi
	"$DG" "$c" --help >"$T/help" 2>&1
	missing=""
	for o in $(options "$T/help"); do
		grep -qF -- "$(roff "$o")" "$T/sec" || missing="$missing $o"
	done
	if [ -z "$missing" ]; then
		ok "dyndns-guard.1: '$c' and every option of its --help ($(options "$T/help" | tr '\n' ' '| sed 's/ $//'))"
	else
		bad "dyndns-guard.1: section '$c' names every option of 'dyndns-guard $c --help'" "missing:$missing"
	fi
done <"$T/cmds"
extra=""
for c in $(sed -n 's/^\.SS "*\([a-z][a-z0-9-]*\)"*$/\1/p' "$M1"); do
	grep -qx "$c" "$T/cmds" || extra="$extra $c"
done
[ -z "$extra" ] || echo "# note: dyndns-guard.1 documents subcommands cmds[] does not have:$extra"

# --- dyndns-guard.conf keys: the keys[] table of lib/conf.c
awk '/^static const struct keydef keys\[\] = \{/ { on = 1; next }
	on && /\{ *NULL/ { exit }
	on' "$S/lib/conf.c" | sed -n 's/^[[:space:]]*{ *"\([a-z][a-z0-9-]*\)",.*/\1/p' >"$T/keys"
nkeys=$(wc -l <"$T/keys")
if [ "$nkeys" -ge 15 ] && grep -qx list "$T/keys" && grep -qx mode "$T/keys"; then
	ok "$nkeys keys extracted from the keys[] table of lib/conf.c"
else
	bad "keys extracted from lib/conf.c" "$(cat "$T/keys")"
fi
# every one is a key of the built parser, and the check can tell
printf 'dyndns-guard:\n\tno-such-key: x\n' >"$T/c.conf"
"$DG" checkconf "$T/c.conf" >"$T/out" 2>&1
if grep -q "unknown key 'no-such-key'" "$T/out"; then ok "checkconf names an unknown key"
else bad "checkconf names an unknown key" "$(cat "$T/out")"; fi
notparsed=""
while read -r k; do
	printf 'dyndns-guard:\n\t%s: x\n' "$k" >"$T/c.conf"
	"$DG" checkconf "$T/c.conf" >"$T/out" 2>&1
	grep -q "unknown key" "$T/out" && notparsed="$notparsed $k"
done <"$T/keys"
if [ -z "$notparsed" ]; then ok "the built parser knows every extracted key"
else bad "the built parser knows every extracted key" "unknown:$notparsed"; fi
shsection "$M5" KEYS | tags >"$T/tags5"
missing=""
while read -r k; do grep -qxF -- "$k" "$T/tags5" || missing="$missing $k"; done <"$T/keys"
if [ -z "$missing" ]; then ok "dyndns-guard.conf.5 KEYS has an entry for each of the $nkeys keys"
else bad "dyndns-guard.conf.5 KEYS has an entry for every key of lib/conf.c" "missing:$missing"; fi
# the other way round only informs: a page may document a key that a
# branch being merged adds (metrics-interval: of the metrics work)
extra=""
while read -r k; do grep -qxF -- "$k" "$T/keys" || extra="$extra $k"; done <"$T/tags5"
[ -z "$extra" ] || echo "# note: dyndns-guard.conf.5 documents keys lib/conf.c does not have:$extra"

# --- dyndns-guard-update: the case labels of its configuration reader
awk '/^while IFS=\$TAB read -r ln key/ { on = 1; next }
	on && /^done < "\$TMPD\/conf.tok"/ { exit }
	on' "$UPD" | sed -n 's/^	\([a-z][a-z|-]*\))\(.*\)*$/\1/p' | tr '|' '\n' >"$T/ukeys"
nukeys=$(wc -l <"$T/ukeys")
if [ "$nukeys" -ge 10 ] && grep -qx output "$T/ukeys" && grep -qx source "$T/ukeys"; then
	ok "$nukeys keys extracted from the configuration reader of dyndns-guard-update"
else
	bad "keys extracted from tools/dyndns-guard-update" "$(cat "$T/ukeys")"
fi
printf 'output: "%s/x.dgl"\nno-such-key: x\n' "$T" >"$T/u.conf"
sh "$UPD" -c "$T/u.conf" --check-config >"$T/out" 2>&1
if grep -q "unknown key 'no-such-key:'" "$T/out"; then ok "--check-config names an unknown key"
else bad "--check-config names an unknown key" "$(cat "$T/out")"; fi
notparsed=""
while read -r k; do
	printf '%s: x\n' "$k" >"$T/u.conf"
	sh "$UPD" -c "$T/u.conf" --check-config >"$T/out" 2>&1
	grep -q "unknown key" "$T/out" && notparsed="$notparsed $k"
done <"$T/ukeys"
if [ -z "$notparsed" ]; then ok "dyndns-guard-update knows every extracted key"
else bad "dyndns-guard-update knows every extracted key" "unknown:$notparsed"; fi
shsection "$M8" CONFIGURATION | tags >"$T/tags8"
missing=""
while read -r k; do grep -qxF -- "$k" "$T/tags8" || missing="$missing $k"; done <"$T/ukeys"
if [ -z "$missing" ]; then ok "dyndns-guard-update.8 CONFIGURATION has an entry for each of the $nukeys keys"
else bad "dyndns-guard-update.8 CONFIGURATION has an entry for every key" "missing:$missing"; fi
extra=""
while read -r k; do grep -qxF -- "$k" "$T/ukeys" || extra="$extra $k"; done <"$T/tags8"
[ -z "$extra" ] || echo "# note: dyndns-guard-update.8 documents keys the script does not have:$extra"
sh "$UPD" --help >"$T/uhelp" 2>&1
shsection "$M8" OPTIONS >"$T/sec"
missing=""
for o in $(options "$T/uhelp"); do
	grep -qF -- "$(roff "$o")" "$T/sec" || missing="$missing $o"
done
if [ -z "$missing" ] && [ -n "$(options "$T/uhelp")" ]; then
	ok "dyndns-guard-update.8 OPTIONS names every option of --help ($(options "$T/uhelp" | tr '\n' ' ' | sed 's/ $//'))"
else
	bad "dyndns-guard-update.8 OPTIONS names every option of --help" "missing:$missing"
fi

# --- exit codes: "exit status: 0 ..., 1 ..., ..." of each --help
# codes FILE: the numbers of the "exit status:" line
codes() {
	sed -n 's/^exit status: //p' "$1" | tr ',' '\n' | sed -n 's/^ *\([0-9][0-9]*\) .*/\1/p'
}
"$DG" --help >"$T/dghelp"
for pair in "$T/dghelp:$M1" "$T/uhelp:$M8"; do
	h=${pair%%:*}; p=${pair#*:}
	shsection "$p" "EXIT STATUS" | tags >"$T/tagsx"
	cs=$(codes "$h" | tr '\n' ' ')
	missing=""
	for c in $cs; do grep -qx "$c" "$T/tagsx" || missing="$missing $c"; done
	if [ -n "$cs" ] && [ -z "$missing" ]; then ok "$(basename "$p"): EXIT STATUS has $cs"
	else bad "$(basename "$p"): EXIT STATUS has every code of --help" "codes: $cs; missing:$missing"; fi
done

# --- rendering
command -v groff >/dev/null 2>&1 || bad "groff not installed (groff-base; scripts/deps.sh)"
command -v man >/dev/null 2>&1 || bad "man not installed (man-db; scripts/deps.sh)"
for p in "$M1" "$M5" "$M8"; do
	b=$(basename "$p")
	if groff -man -ww -z "$p" >"$T/gw" 2>&1 && [ ! -s "$T/gw" ]; then ok "$b: groff -man -ww: no warning"
	else bad "$b: groff -man -ww: no warning" "$(cat "$T/gw")"; fi
	if MANWIDTH=80 MAN_KEEP_FORMATTING= man --warnings -l "$p" >"$T/txt" 2>"$T/mw" && [ ! -s "$T/mw" ]; then
		ok "$b: man --warnings -l: no warning"
	else
		bad "$b: man --warnings -l: no warning" "$(cat "$T/mw")"
	fi
	w=$(wc -L <"$T/txt")
	lines=$(wc -l <"$T/txt")
	if [ "$lines" -gt 20 ] && [ "$w" -le 80 ]; then ok "$b: renders in 80 columns ($lines lines, widest $w)"
	else bad "$b: renders in 80 columns" "$lines lines, widest $w:
$(awk 'length > 80' "$T/txt")"; fi
	want="NAME SYNOPSIS DESCRIPTION FILES EXAMPLES SEE_ALSO"
	case $b in *.1|*.8) want="$want EXIT_STATUS" ;; esac
	missing=""
	for s in $want; do
		grep -qx "\.SH \"*$(printf '%s' "$s" | tr _ ' ')\"*" "$p" || missing="$missing $s"
	done
	if [ -z "$missing" ]; then ok "$b: has the sections $want"
	else bad "$b: has the usual sections" "missing:$missing"; fi
	if command -v lexgrog >/dev/null 2>&1; then
		if lexgrog "$p" >"$T/lg" 2>&1 && grep -q ' - ' "$T/lg"; then ok "$b: lexgrog reads the NAME line: $(sed 's/^[^:]*: *//' "$T/lg")"
		else bad "$b: lexgrog reads the NAME line" "$(cat "$T/lg")"; fi
	fi
done

echo "1..$n"
echo "check-man: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
