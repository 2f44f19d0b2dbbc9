#!/bin/sh
# Lists over time: hot replacement by rename under a steady query loop (no
# query lost), a name cached while unlisted is blocked after the next
# replacement within reload-check + 1 s while an unrelated cached name stays
# a cache hit, corrupt lists are refused while the old list keeps deciding,
# and signed lists: unsigned, wrongly signed and other-key lists refused
# with require-signature: yes.
. "$(dirname "$0")/lib.sh"

write_root_zone
write_unbound_conf
write_test_list || fail "test list compiles"
cp "$WORK/ddns.txt" "$WORK/ddns-b.txt"
echo "unlisted.net" >> "$WORK/ddns-b.txt"
"$DDG" compile --created 1700000000 -o "$WORK/list-a.dgl" --category ddns-service "$WORK/ddns.txt" >/dev/null 2>&1 \
	&& "$DDG" compile --created 1700000001 -o "$WORK/list-b.dgl" --category ddns-service "$WORK/ddns-b.txt" >/dev/null 2>&1 \
	|| fail "variant lists compile"
cp "$WORK/list-a.dgl" "$WORK/dyndns.dgl"
write_ddg_conf '	list: "dyndns.dgl"
	mode: block
	reload-check: 1
	log-file: "events.json"'
ub_start || { fail "unbound starts"; finish; }
check "watcher configured" wait_log "reload-check 1s"

# install FILE as the list, the way operators and the update tool do it
install_list() {
	cp "$1" "$WORK/dyndns.dgl.tmp" && mv -f "$WORK/dyndns.dgl.tmp" "$WORK/dyndns.dgl"
}

# --- ten replacements under a steady query loop
rm -f "$WORK/stop"
python3 "$(dirname "$0")/dnsload.py" "$PORT" "$WORK/stop" 120 \
	www.example.com foo.duckdns.org second.example.com x.no-ip.biz \
	notduckdns.org www.unlisted.net > "$WORK/load.out" 2>&1 &
LOADPID=$!
sleep 0.5
gen=1
ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	if [ $((i % 2)) -eq 1 ]; then install_list "$WORK/list-b.dgl"; else install_list "$WORK/list-a.dgl"; fi
	gen=$((gen + 1))
	# files written in the same second with the same size still differ
	# by inode (rename), which the watcher compares
	if wait_log "list set $gen in force" 1 40; then ok=$((ok + 1)); fi
	sleep 0.3
done
touch "$WORK/stop"
wait $LOADPID
expect_eq "ten replacements published" 10 "$ok"
load=$(head -1 "$WORK/load.out")
expect_match "query loop ran during the replacements" '^sent [0-9]{3,}' "$load"
expect_match "no query failed or went unanswered" '^sent ([0-9]+) answered \1 failed 0$' "$load"
expect_eq "no replacement was refused" 0 "$(count_log 'new list refused')"

# --- cached while unlisted, blocked after the next replacement
a=$(q +short www.unlisted.net A)
expect_eq "unlisted name resolves and is cached" "192.0.2.99" "$a"
q +short www.example.com A >/dev/null
install_list "$WORK/list-b.dgl"
gen=$((gen + 1))
t0=$(date +%s.%N)
blocked=no
while :; do
	r=$(q www.unlisted.net A)
	if printf '%s' "$r" | grep -q 'status: NXDOMAIN'; then blocked=yes; break; fi
	el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	awk -v e="$el" 'BEGIN { exit !(e > 4) }' && break
	sleep 0.05
done
el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
expect_eq "name cached before the change is blocked after it" yes "$blocked"
expect_eq "... within reload-check + 1 s (took ${el}s)" 1 "$(awk -v e="$el" 'BEGIN { print (e <= 2) ? 1 : 0 }')"
check "cache expiry logged" wait_log "list set $gen in force.* [1-9][0-9]* cached answers expired"
hits0=$(uctl stats_noreset | sed -n 's/^total.num.cachehits=//p')
a=$(q +short www.example.com A)
hits1=$(uctl stats_noreset | sed -n 's/^total.num.cachehits=//p')
expect_eq "unrelated cached name still answered" "192.0.2.1" "$a"
expect_eq "... from the cache (one more cache hit)" 1 "$((hits1 - hits0))"

# --- corrupt lists are refused, the old list keeps deciding
head -c 200 "$WORK/list-a.dgl" > "$WORK/trunc.dgl"
install_list "$WORK/trunc.dgl"
check "truncated list refused with file and defect" wait_log "new list refused: .*dyndns.dgl: .*; the list loaded at .* keeps serving from memory" 1 40
r=$(q www.unlisted.net A)
expect_match "old list still decides after the truncated one" "status: NXDOMAIN" "$r"
python3 - "$WORK/list-a.dgl" "$WORK/flip.dgl" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) - 5] ^= 0x40
open(sys.argv[2], "wb").write(b)
PY
install_list "$WORK/flip.dgl"
check "bit-flipped list refused" wait_log "new list refused: .*dyndns.dgl:" 2 40
r=$(q www.unlisted.net A)
expect_match "old list still decides after the bit-flipped one" "status: NXDOMAIN" "$r"
printf 'garbage\n' > "$WORK/garbage.dgl"
install_list "$WORK/garbage.dgl"
check "garbage list refused" wait_log "new list refused: .*dyndns.dgl:" 3 40
check "unbound survived every bad list" kill -0 "$UB_PID"

# --- the event file is reopened after logrotate renamed it
mv "$WORK/events.json" "$WORK/events.json.1"
sleep 1.5
q bar.duckdns.org A >/dev/null
i=0; while [ ! -s "$WORK/events.json" ] && [ $i -lt 40 ]; do sleep 0.1; i=$((i + 1)); done
expect_match "events go to a new event file after logrotate" '"name":"bar\.duckdns\.org"' "$(cat "$WORK/events.json" 2>/dev/null)"
expect_nomatch "... and not to the rotated one" '"name":"bar\.duckdns\.org"' "$(cat "$WORK/events.json.1")"

# --- signed lists
"$DDG" keygen -o "$WORK/k" >/dev/null 2>&1 && "$DDG" keygen -o "$WORK/other" >/dev/null 2>&1 \
	|| fail "keygen"
check "sign list B" "$DDG" sign --key "$WORK/k.key" "$WORK/list-b.dgl"
check "verify with the public key" "$DDG" verify --public-key "$WORK/k.pub" "$WORK/list-b.dgl"
cp "$WORK/list-b.dgl.sig" "$WORK/dyndns.dgl.sig"
install_list "$WORK/list-b.dgl"
write_ddg_conf '	list: "dyndns.dgl"
	mode: block
	reload-check: 1
	public-key: "k.pub"
	require-signature: yes'
uctl reload >/dev/null || fail "reload"
check "signed list loaded after reload" wait_log "dyndns.dgl: 5 entries.*signature checked"
r=$(q www.unlisted.net A)
expect_match "signed list B decides" "status: NXDOMAIN" "$r"

n0=$(count_log 'new list refused')
install_list "$WORK/list-a.dgl"   # dyndns.dgl.sig is B's signature
check "list with a signature of other bytes refused" wait_log "new list refused: .*dyndns.dgl.sig: bad signature" 1 40
rm -f "$WORK/dyndns.dgl.sig"
check "unsigned list refused" wait_log "new list refused: .*dyndns.dgl.sig: no signature" 1 40
r=$(q www.unlisted.net A)
expect_match "old signed list keeps deciding" "status: NXDOMAIN" "$r"
"$DDG" sign --key "$WORK/other.key" "$WORK/list-a.dgl" >/dev/null 2>&1
cp "$WORK/list-a.dgl.sig" "$WORK/dyndns.dgl.sig"
check "list signed by another key refused" wait_log "new list refused: .*signed by another key" 1 40
r=$(q www.unlisted.net A)
expect_match "old signed list still decides" "status: NXDOMAIN" "$r"
"$DDG" sign --key "$WORK/k.key" "$WORK/list-a.dgl" >/dev/null 2>&1
n0=$(count_log "dyndns.dgl replaced: 4 entries")
cp "$WORK/list-a.dgl.sig" "$WORK/dyndns.dgl.sig"
check "properly signed list accepted once its signature arrives" wait_log "dyndns.dgl replaced: 4 entries" $((n0 + 1)) 40
r=$(q +short www.unlisted.net A)
expect_eq "new signed list A decides (unlisted.net no longer listed)" "192.0.2.99" "$r"
r=$("$DDG" verify --public-key "$WORK/other.pub" "$WORK/dyndns.dgl" 2>&1); rc=$?
expect_eq "verify with the wrong key exits 1" 1 "$rc"
check "unbound still running" kill -0 "$UB_PID"
finish
