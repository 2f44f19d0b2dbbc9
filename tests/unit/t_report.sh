#!/bin/sh
# Shell test of `dyndns-guard report` over a generated fixture
# (report_fixture.py: JSON events, a gzip copy, Unbound and syslog text
# lines, malformed lines, a baseline; the expected report computed in
# Python): the JSON numbers, the text form, the HTML page (checked, and
# rendered by headless Chromium), gzip and standard input, bounds, exit
# codes, the progress line.
# Needs top_builddir and top_srcdir (exported by make check), python3 and
# chromium (scripts/deps.sh installs them).  Set REPORT_SCREENSHOT=FILE to
# keep the screenshot of the page.
. "$(dirname "$0")/tap.sh"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
FIX="$top_srcdir/tests/unit/report_fixture.py"
CHK="$top_srcdir/tests/unit/report_check.py"
export TZ=UTC

python3 "$FIX" fx || { echo "fixture generation failed"; exit 99; }
SINCE=$(python3 -c 'import json; print(json.load(open("fx/expected.json"))["since"])')
UNTIL=$(python3 -c 'import json; print(json.load(open("fx/expected.json"))["until"])')
NOW=$(python3 -c 'import json; print(json.load(open("fx/expected.json"))["now"])')
cd fx || exit 99
W="--since $SINCE --until $UNTIL --now $NOW --baseline baseline.json"

# pycheck MODE FILE: the Python checks, one TAP line each
pycheck() {
	python3 "$CHK" "$1" expected.json "$2" >check.out 2>&1
	rc=$?
	while IFS= read -r l; do
		case "$l" in
		PASS:*) ok "$1: ${l#PASS: }" ;;
		FAIL:*) bad "$1: ${l#FAIL: }" ;;
		*) echo "# $l" ;;
		esac
	done <check.out
	[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || bad "$1: the checker failed (exit $rc)"
}

# --- the JSON document, over the gzip copy, the text logs and bad lines
# shellcheck disable=SC2086
expect_rc 0 "report --json" "$DG" report --json --top 0 $W \
	events.json.gz unbound.log syslog.log bad.log
cp out.txt gz.json
cp err.txt gz.err
pycheck json gz.json

# --- malformed lines on standard error: each of the first, and a summary
expect_in gz.err "bad.log:2: NUL byte (line skipped)" "stderr names FILE:LINE: reason"
expect_in gz.err "bad.log:8: line too long" "a line of 2 MiB is skipped"
expect_in gz.err "11 malformed line(s) skipped (first: bad.log:1: JSON" \
	"stderr: the count and the first malformed line"

# --- the plain file and standard input give the same report
strip_inputs() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["summary"].pop("inputs"); print(json.dumps(d, sort_keys=True))' "$1"
}
# shellcheck disable=SC2086
"$DG" report --json --top 0 $W events.json unbound.log syslog.log bad.log \
	>plain.json 2>/dev/null
# shellcheck disable=SC2086
"$DG" report --json --top 0 $W - unbound.log syslog.log bad.log \
	<events.json.gz >stdin.json 2>/dev/null
if [ "$(strip_inputs gz.json)" = "$(strip_inputs plain.json)" ]; then
	ok "gzip and plain input give the same report"
else bad "gzip and plain input differ"; fi
if [ "$(strip_inputs gz.json)" = "$(strip_inputs stdin.json)" ]; then
	ok "standard input (gzip) gives the same report"
else bad "standard input differs"; fi
# shellcheck disable=SC2086
"$DG" report --json --top 0 $W events.json.gz unbound.log syslog.log \
	bad.log >again.json 2>/dev/null
if cmp -s gz.json again.json; then ok "the output is deterministic"
else bad "two runs differ"; fi

# --- the text form
# shellcheck disable=SC2086
expect_rc 0 "report (text)" "$DG" report --top 0 $W events.json.gz \
	unbound.log syslog.log bad.log
cp out.txt all.txt
pycheck text all.txt
# shellcheck disable=SC2086
"$DG" report --top 3 $W events.json.gz unbound.log syslog.log >top3.txt \
	2>/dev/null
if awk '/^[A-Z]/ { sect = $0; n = -1; next } /^  / { n++; if (n > 3 && sect != "") { print sect; exit 1 } }' top3.txt \
	&& grep -q '^Clients (3 of 71 clients' top3.txt; then
	ok "--top 3: at most 3 rows per table"
else bad "--top 3"; sed 's/^/# /' top3.txt | head -40; fi

# --- the HTML page
rm -f page.html
# shellcheck disable=SC2086
expect_rc 0 "report --html" "$DG" report --top 0 $W --html page.html \
	events.json.gz unbound.log syslog.log bad.log
pycheck html page.html
# the writer's temporary files are .NAME.XXXXXX (lib/file.c)
if ls .page.html.* >/dev/null 2>&1; then bad "a temporary file is left"
else ok "no temporary file left next to the page"; fi
if grep -q '^Zones (' out.txt; then ok "--html also prints the text report"
else bad "--html: no text report"; fi
perm=$(stat -c %a page.html)
if [ "$perm" = 644 ] || [ "$perm" = 640 ] || [ "$perm" = 664 ]; then
	ok "the page is readable (mode $perm)"
else bad "page mode $perm"; fi
expect_rc 3 "--html into a missing directory" "$DG" report --top 0 $W \
	--html nodir/page.html events.json.gz
expect_in err.txt "nodir/page.html" "the page's write error names the file"

# render it in a real browser
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	bad "chromium not installed (scripts/deps.sh installs it)"
else
	printf '<!DOCTYPE html><html><body></body></html>\n' >blank.html
	for p in page blank; do
		rm -f "$p.png"
		timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
			--user-data-dir="$T/chromium" --screenshot="$T/fx/$p.png" \
			--window-size=1280,2000 "file://$T/fx/$p.html" \
			>"chromium-$p.log" 2>&1
	done
	if [ -s page.png ] && [ -s blank.png ] &&
		[ "$(head -c 8 page.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
		size=$(wc -c <page.png)
		blank=$(wc -c <blank.png)
		dims=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]))' page.png)
		if [ "$size" -gt 40000 ] && [ "$size" -gt $((blank * 5)) ] &&
			[ "$dims" = 1280x2000 ]; then
			ok "chromium renders the page: $dims PNG of $size bytes (blank page: $blank)"
		else
			bad "the screenshot looks empty: $dims, $size bytes (blank page: $blank)"
		fi
		[ -n "${REPORT_SCREENSHOT:-}" ] && cp page.png "$REPORT_SCREENSHOT"
	else
		bad "chromium made no screenshot"
		sed 's/^/# /' chromium-page.log | tail -20
	fi
fi

# --- bounds: tiny tables are said to be full
# shellcheck disable=SC2086
"$DG" report --json --top 0 --max-keys 16 $W events.json.gz >small.json \
	2>/dev/null
if python3 - small.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert s["bound_hit"] is True
assert s["bounds"]["clients"]["evicted"] > 0
assert len(d["clients"]) == 16
assert any("count_error" in c for c in d["clients"])
# every count is an upper bound of the true one, and
# count - count_error a lower bound
exp = json.load(open("expected.json"))["clients"]
for c in d["clients"]:
    true = exp[json.dumps(c["client"])]["count"]
    assert c["count"] - c.get("count_error", 0) <= true <= c["count"], c
EOF
then ok "--max-keys 16: bound hit reported, counts are bounds"
else bad "--max-keys 16"; fi
# shellcheck disable=SC2086
"$DG" report --max-keys 16 $W events.json.gz >small.txt 2>/dev/null
expect_in small.txt "bound hit: at most 16 kept" "text: the bound is named"

# --- relative times, epoch, RFC 3339
"$DG" report --json --now "$NOW" --since 24h events.json.gz >rel.json 2>/dev/null
"$DG" report --json --since 2026-01-01T00:00:00Z events.json.gz >abs.json 2>/dev/null
if python3 - rel.json abs.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["summary"]
a = json.load(open(sys.argv[2]))["summary"]
assert r["since"] == "2026-01-01T00:00:00.000Z", r["since"]
assert r["before_window"] == 0 and r["in_window"] == r["events"]
assert a["in_window"] == r["in_window"] and a["until"] is None
EOF
then ok "--since 24h (with --now) and --since RFC 3339"
else bad "relative --since"; fi

# --- exit codes and bad input
expect_rc 2 "unknown option" "$DG" report --bogus events.json
expect_rc 2 "bad --since" "$DG" report --since yesterday events.json
expect_rc 2 "bad --top" "$DG" report --top x events.json
expect_rc 2 "--until before --since" "$DG" report --since 2h --until 3h events.json
expect_rc 2 "--since without a value" "$DG" report events.json --since
expect_rc 2 "standard input twice" "$DG" report - - </dev/null
expect_rc 0 "--help" "$DG" report --help
expect_in out.txt "--baseline LOG" "--help shows the synopsis"
expect_rc 3 "a missing input" "$DG" report --json nonexistent.json events.json
expect_in err.txt "nonexistent.json: No such file or directory" \
	"the missing file is named"
if python3 -c 'import json,sys; d=json.load(open("out.txt")); assert d["summary"]["events"] > 0' 2>/dev/null; then
	ok "the other inputs are still reported"
else bad "no report after a missing input"; fi
head -c 9000 events.json.gz >cut.json.gz
expect_rc 3 "a truncated gzip file" "$DG" report --json cut.json.gz
expect_in err.txt "cut.json.gz: gzip data cut short" "the truncated file is named"
expect_rc 0 "an empty input" "$DG" report --json /dev/null
if [ -s err.txt ] && grep -q . err.txt; then bad "stderr not empty for an empty input"
else ok "no progress line when stderr is not a terminal"; fi

# --- the progress line, when standard error is a terminal
if command -v script >/dev/null 2>&1; then
	feed="(cat events.json; sleep 1.5; cat events.json events.json)"
	script -qec "sh -c '$feed | $DG report -q - >/dev/null'" /dev/null \
		>quiet.tty 2>&1 </dev/null
	script -qec "sh -c '$feed | $DG report - >/dev/null'" /dev/null \
		>tty.out 2>&1 </dev/null
	if grep -q 'dyndns-guard report: -: [0-9]* lines' tty.out &&
		! grep -q 'lines,' quiet.tty; then
		ok "a progress line on a terminal (none with -q)"
	else bad "no progress line on a terminal"; od -c tty.out | head; fi
fi

tap_done
