#!/bin/sh
# The list file changed on disk in every way while Unbound runs.  Under a
# steady query loop the file in force is (b) written with garbage in place
# at several offsets, (c) partly overwritten in place by another valid
# list (a cp cut short), (a) truncated in place to 0 bytes and (d)
# deleted: each change is refused or reported, Unbound stays up, no query
# is lost, and list A, as read and validated at start-up, keeps deciding
# from memory, with log lines that say so.  Then (e) a valid list B renamed
# into place takes over, and (f) list A copied over it in place (a
# complete cp) is picked up.  Last, with fail-mode: closed, a list file
# truncated to 0 bytes at start-up gives SERVFAIL and says why, a garbage
# write in place then is reported truthfully (no list serves), and a valid
# list copied in is picked up.  Decisions are checked on names not asked
# before (the module's per-thread memo and the message cache would hide a
# list that is read from the changed file).  The old code (list mapped
# MAP_SHARED) answered wrongly after (b) and died of SIGBUS at (a).
. "$(dirname "$0")/lib.sh"

write_root_zone
write_unbound_conf
# A blocks duckdns.org, no-ip.biz, hopto.org; B blocks duckdns.org,
# no-ip.biz, unlisted.net.  Filler names make the lists span many pages.
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
fill = ["filler%05d.example.org\n" % i for i in range(5000)]
open(w + "/a.txt", "w").write("duckdns.org\nno-ip.biz\nhopto.org\n" + "".join(fill))
open(w + "/b.txt", "w").write("duckdns.org\nno-ip.biz\nunlisted.net\n" + "".join(fill))
PY
"$DDG" compile --created 1700000000 -o "$WORK/list-a.dgl" --category ddns-service "$WORK/a.txt" >/dev/null 2>&1 \
	&& "$DDG" compile --created 1700000001 -o "$WORK/list-b.dgl" --category ddns-service "$WORK/b.txt" >/dev/null 2>&1 \
	|| fail "lists compile"
sha_a=$("$DDG" verify "$WORK/list-a.dgl" | sed -n 's/^sha256: //p')
sha_b=$("$DDG" verify "$WORK/list-b.dgl" | sed -n 's/^sha256: //p')
sha_a16=$(printf '%s' "$sha_a" | cut -c1-16)
cp "$WORK/list-a.dgl" "$WORK/dyndns.dgl"
write_ddg_conf '	list: "dyndns.dgl"
	mode: block
	reload-check: 1'
ub_start || { fail "unbound starts"; finish; }
check "list A loaded" wait_log "dyndns.dgl: 5003 entries.*sha256 $sha_a"

# decisions TAG: block or pass for names below hopto.org (listed in A),
# unlisted.net (listed in B), duckdns.org (both) and example.com
# (neither), fresh names each time (TAG differs); a block answer carries
# EDE 15, an NXDOMAIN from the zone does not
decisions() {
	echo "hopto=$(decide "$1.hopto.org") unlisted=$(decide "$1.unlisted.net") duckdns=$(decide "$1.duckdns.org") example=$(decide "$1.example.com")"
}
DEC_A="hopto=block unlisted=pass duckdns=block example=pass"
DEC_B="hopto=pass unlisted=block duckdns=block example=pass"
expect_eq "list A decides" "$DEC_A" "$(decisions s0)"

# the log line of a change refused while list A serves from memory
SERVES_A="the list loaded at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z \\(sha256 $sha_a16\\.\\.\\.\\) keeps serving from memory"
# wait_log_re REGEX N: wait_log with an extended regular expression
wait_log_re() {
	i=0
	while [ $i -lt 40 ]; do
		c=$(grep -Ec -- "$1" "$LOG" 2>/dev/null || true)
		[ "${c:-0}" -ge "$2" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
# alive STEP: Unbound still runs; if not, say how it ended (128 + signal)
alive() {
	if kill -0 "$UB_PID" 2>/dev/null; then
		pass "unbound still running after: $1"
	else
		wait "$UB_PID" 2>/dev/null
		rc=$?
		fail "unbound still running after: $1" "unbound ended with status $rc$([ $rc -gt 128 ] && echo " (signal $((rc - 128)))")"
		UB_PID=""
	fi
}

rm -f "$WORK/stop"
python3 "$(dirname "$0")/dnsload.py" "$PORT" "$WORK/stop" 120 \
	www.example.com foo.duckdns.org y.hopto.org www.unlisted.net \
	x.no-ip.biz second.example.com > "$WORK/load.out" 2>&1 &
LOADPID=$!
sleep 0.5

# --- (b) garbage written in place at several offsets (the header's
# section table, the entry table, the search index, the keys, the end)
python3 - "$WORK/dyndns.dgl" <<'PY'
import struct, sys
f = open(sys.argv[1], "r+b")
h = f.read(128)
ent, = struct.unpack_from("<I", h, 64)
idx, = struct.unpack_from("<I", h, 112)
key, = struct.unpack_from("<I", h, 72)
size, = struct.unpack_from("<Q", h, 32)
junk = b"\xff\xff\xff\x7f\xff\xff\x00\x10\xff\xff\xff\xff\x55\xaa\x55\xaa"
for off in (64, 112, ent, ent + 12 * 1000, idx, idx + 8 * 2000, key + 100, size - 16):
    f.seek(off)
    f.write(junk)
f.close()
PY
check "(b) garbage in place: refused, and the log says list A serves from memory" \
	wait_log_re "list .*dyndns\\.dgl changed in place and was refused: .*dyndns\\.dgl: .* at byte offset [0-9]+; $SERVES_A" 1
alive "(b) garbage in place"
expect_eq "(b) list A still decides after garbage in place" "$DEC_A" "$(decisions s1)"

# --- (c) the first half of list B written over it in place (cp cut short)
half=$(($(wc -c < "$WORK/list-b.dgl") / 2))
dd if="$WORK/list-b.dgl" of="$WORK/dyndns.dgl" bs="$half" count=1 conv=notrunc 2>/dev/null
check "(c) partial rewrite in place: refused, list A serves from memory" \
	wait_log_re "list .*dyndns\\.dgl changed in place and was refused: .*; $SERVES_A" 2
alive "(c) partial rewrite in place"
expect_eq "(c) list A still decides after a partial rewrite" "$DEC_A" "$(decisions s2)"

# --- (a) truncated in place to 0 bytes (': > FILE', the start of cp or curl -o)
: > "$WORK/dyndns.dgl"
check "(a) truncation to 0 bytes: refused as such, list A serves from memory" \
	wait_log_re "list .*dyndns\\.dgl changed in place and was refused: .*dyndns\\.dgl: truncated header \\(0 of 128 bytes\\) at byte offset 0; $SERVES_A" 1
alive "(a) truncation"
expect_eq "(a) list A still decides after truncation" "$DEC_A" "$(decisions s3)"

# --- (d) deleted
rm -f "$WORK/dyndns.dgl"
check "(d) deletion reported, list A serves from memory" \
	wait_log_re "list .*dyndns\\.dgl is gone \\(deleted or renamed away\\); $SERVES_A" 1
alive "(d) deletion"
expect_eq "(d) list A still decides after deletion" "$DEC_A" "$(decisions s4)"

# --- (e) a valid list B renamed into place: B applies
cp "$WORK/list-b.dgl" "$WORK/dyndns.dgl.tmp" && mv -f "$WORK/dyndns.dgl.tmp" "$WORK/dyndns.dgl"
check "(e) list B renamed into place is loaded" wait_log_re "dyndns\\.dgl replaced: 5003 entries, sha256 $sha_b" 1
check "(e) ... and in force" wait_log "list set 2 in force"
alive "(e) rename"
expect_eq "(e) list B decides after the rename" "$DEC_B" "$(decisions s5)"

# --- (f) list A copied over it in place (a complete cp): picked up once
# it is whole, the log names the in-place change
cp "$WORK/list-a.dgl" "$WORK/dyndns.dgl"
check "(f) list A copied in place is loaded, noted as an in-place change" \
	wait_log_re "dyndns\\.dgl replaced: 5003 entries, sha256 $sha_a, .*changed in place" 1
check "(f) ... and in force" wait_log "list set 3 in force"
alive "(f) cp in place"
expect_eq "(f) list A decides again" "$DEC_A" "$(decisions s6)"

touch "$WORK/stop"
wait $LOADPID
load=$(head -1 "$WORK/load.out")
expect_match "query loop ran through all the changes" '^sent [0-9]{3,}' "$load"
expect_match "no query failed or went unanswered" '^sent ([0-9]+) answered \1 failed 0$' "$load"
expect_eq "no log line claims a 'previous list' serves" 0 "$(count_log 'previous list keeps serving')"

# --- fail-mode: closed, a list truncated to 0 bytes at start-up
ub_stop
cp "$LOG" "$WORK/unbound-1.log"	# ub_start empties the log
: > "$WORK/dyndns.dgl"
write_ddg_conf '	list: "dyndns.dgl"
	mode: block
	fail-mode: closed
	reload-check: 1'
ub_start || { fail "unbound starts with an empty list file"; finish; }
expect_match "empty list file at start-up: not loaded, with the defect" \
	"list not loaded: .*dyndns\\.dgl: truncated header \\(0 of 128 bytes\\)" "$(cat "$LOG")"
expect_match "fail-mode closed: SERVFAIL" "status: SERVFAIL" "$(q s7.example.com A)"
printf 'garbage\n' > "$WORK/dyndns.dgl"
check "garbage in place without a list in force: the log says none serves" \
	wait_log_re "list .*dyndns\\.dgl changed in place and was refused: .*; no list is in force from it, nor from any other file \\(fail-mode: closed: answering SERVFAIL\\)" 1
expect_match "... and SERVFAIL goes on" "status: SERVFAIL" "$(q s8.example.com A)"
cp "$WORK/list-b.dgl" "$WORK/dyndns.dgl"
check "a valid list copied in place is picked up" wait_log_re "dyndns\\.dgl replaced: 5003 entries, sha256 $sha_b" 1
check "... and in force" wait_log "list set 2 in force"
expect_eq "list B decides" "$DEC_B" "$(decisions s9)"
alive "all of it"
finish
