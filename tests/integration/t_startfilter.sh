#!/bin/sh
# At start the module serves a list before its suffix filter is checked:
# the filter is rebuilt from the entries and compared on a thread of its
# own, at nice 10, while the workers answer.  Every listed
# name is blocked from the first answer on (until the check ends, lookups
# search the list for every suffix of a name), the log says when the
# check ended, and a list whose filter section is not the one its entries
# give (checksum made to match) still blocks every listed name: the
# rebuilt filter serves and the log names the byte.  `dyndns-guard verify`
# refuses that file, as the module does when such a file replaces a list
# later.  The old code refused the list at start, so nothing was blocked.
. "$(dirname "$0")/lib.sh"

write_root_zone
write_unbound_conf
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
fill = ["filler%05d.example.org\n" % i for i in range(20000)]
open(w + "/l.txt", "w").write("duckdns.org\nno-ip.biz\nhopto.org\n" + "".join(fill))
PY
"$DDG" compile --created 1700000000 -o "$WORK/good.dgl" --category ddns-service "$WORK/l.txt" >/dev/null 2>&1 \
	|| fail "list compiles"
# bad.dgl: the same list with a stretch of its filter cleared, resealed
python3 - "$WORK/good.dgl" "$WORK/bad.dgl" <<'PY'
import hashlib, struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
off, size = struct.unpack_from("<II", b, 120)
assert size >= 64 * 40
b[off:off + size] = bytes(size)
b[80:112] = hashlib.sha256(bytes(b[:80]) + bytes(b[112:])).digest()
open(sys.argv[2], "wb").write(bytes(b))
PY

out=$("$DDG" verify "$WORK/bad.dgl" 2>&1); rc=$?
expect_eq "verify refuses the bad filter (exit 1)" 1 "$rc"
expect_match "verify names the filter byte" "suffix filter byte [0-9]* differs" "$out"

decisions() {
	echo "hopto=$(decide "$1.hopto.org") duckdns=$(decide "$1.duckdns.org") filler=$(decide "$1.filler00017.example.org") example=$(decide "$1.www.example.com")"
}
WANT="hopto=block duckdns=block filler=block example=pass"

for which in good bad; do
	cp "$WORK/$which.dgl" "$WORK/dyndns.dgl"
	write_ddg_conf '	list: "dyndns.dgl"
	mode: block
	reload-check: 1'
	ub_start || { fail "unbound starts ($which)"; finish; }
	# the first answers may come before the check ends
	expect_eq "$which: listed names blocked from the first answer" "$WANT" "$(decisions "$which-first")"
	if [ "$which" = good ]; then
		check "good: the filter check ends" wait_log "dyndns.dgl suffix filter checked in"
		expect_nomatch "good: no filter error" "suffix filter byte" "$(cat "$LOG")"
	else
		check "bad: the filter error is logged" wait_log "dyndns.dgl: suffix filter byte [0-9]* differs from the filter its entries give.*rebuilt"
		expect_nomatch "bad: the list is not refused" "list not loaded" "$(cat "$LOG")"
	fi
	expect_eq "$which: listed names blocked after the check" "$WANT" "$(decisions "$which-after")"
	ub_stop
done
finish
