#!/bin/sh
# The module's decisions, answers and events, end to end: block (NXDOMAIN +
# SOA, REFUSED), sinkhole (A, AAAA, NODATA), EDE 15 over UDP and TCP, with and
# without EDNS; allow exceptions; zone rules; category actions; client
# networks in both orders with a warm cache; cache-hit events; CNAME chains;
# delegations to name servers under a listed zone; hostile names; JSON
# events; reload after a config edit; bad config and fail-mode at start-up.
. "$(dirname "$0")/lib.sh"

write_root_zone
cat >> "$WORK/root.zone" <<'Z'
a.dynu.net.		300	IN A	198.51.100.70
cname4.example.com.	300	IN CNAME y.hopto.org.
dn.example.net.		300	IN DNAME no-ip.biz.
ns1.duckdns.org.	300	IN A	127.0.0.1
Z
cat > "$WORK/delegated.zone" <<'Z'
delegated.example.org.	3600	IN SOA	ns1.duckdns.org. hostmaster.example.org. 1 3600 600 86400 60
delegated.example.org.	3600	IN NS	ns1.duckdns.org.
www.delegated.example.org. 300	IN A	192.0.2.77
Z
start_auth delegated.example.org "$WORK/delegated.zone" || fail "auth server starts"
write_unbound_conf "stub-zone:
	name: \"delegated.example.org\"
	stub-host: \"ns1.duckdns.org@$AUTH_PORT\""
write_test_list || fail "test list compiles"
CONF_BASE='	list: "dyndns.dgl"
	mode: log
	answer-ttl: 42
	category: vendor-ddns sinkhole
	category: shared-domain block
	zone: "duckdns.org" block
	zone: "ok.no-ip.biz" allow
	zone: "www.unlisted.net" block
	zone: "dynu.net" log
	client-network: ci-cd 127.0.0.2/32 block
	client-network: office 127.0.0.0/8
	log-file: "events.json"'
write_ddg_conf "$CONF_BASE"
ub_start || { fail "unbound starts"; finish; }

# --- block: NXDOMAIN with SOA and EDE 15, UDP / TCP / no EDNS
r=$(q foo.duckdns.org A)
expect_match "block: NXDOMAIN" "status: NXDOMAIN" "$r"
expect_match "block: SOA owned by the matched zone, TTL and minimum = answer-ttl" \
	'^duckdns\.org\.[[:space:]]+42[[:space:]]+IN[[:space:]]+SOA[[:space:]]+dyndns-guard\.invalid\. hostmaster\.dyndns-guard\.invalid\. 1 3600 600 86400 42$' "$r"
expect_match "block: EDE 15 naming the zone" 'EDE: 15 \(Blocked\): \(blocked by dyndns-guard: duckdns\.org\.\)' "$r"
r=$(q +tcp foo.duckdns.org A)
expect_match "block over TCP: NXDOMAIN" "status: NXDOMAIN" "$r"
expect_match "block over TCP: EDE 15" 'EDE: 15 \(Blocked\)' "$r"
r=$(q +noedns foo.duckdns.org A)
expect_match "block without EDNS: NXDOMAIN" "status: NXDOMAIN" "$r"
expect_nomatch "block without EDNS: no OPT record" "OPT PSEUDOSECTION" "$r"
r=$(q duckdns.org AAAA)
expect_match "zone apex is blocked too" "status: NXDOMAIN" "$r"
r=$(q +short notduckdns.org A)
expect_eq "notduckdns.org is not under duckdns.org" "198.51.100.20" "$r"
r=$(q foo.duckdns.org A)
expect_match "blocked answers are not cached (still NXDOMAIN, through the module)" "status: NXDOMAIN" "$r"
wait_log "qname=foo.duckdns.org. qtype=A" 4
expect_eq "every blocked answer is an event (4 queries), none cached" "4 0" \
	"$(count_log 'action=block .*qname=foo.duckdns.org. qtype=A') $(count_log 'qname=foo.duckdns.org. .*cached=yes')"
expect_match "block event fields" \
	'action=block client=127\.0\.0\.1#[0-9]+ network=office qname=foo\.duckdns\.org\. qtype=A zone=duckdns\.org\.? category=zone-rule match=qname cached=no rcode=NXDOMAIN' \
	"$(events | grep 'qname=foo.duckdns.org. qtype=A' | head -1)"

# --- category action
r=$(q z.freedns-shared.net A)
expect_match "category block: NXDOMAIN" "status: NXDOMAIN" "$r"
wait_log "qname=z.freedns-shared.net."
expect_match "category block event" 'action=block .*zone=freedns-shared\.net\.? category=shared-domain' \
	"$(events | grep 'qname=z.freedns-shared.net.')"

# --- sinkhole
r=$(q router.myasustor.com A)
expect_match "sinkhole A: 0.0.0.0 with answer-ttl" '^router\.myasustor\.com\.[[:space:]]+42[[:space:]]+IN[[:space:]]+A[[:space:]]+0\.0\.0\.0$' "$r"
expect_match "sinkhole A: EDE 15" 'EDE: 15 \(Blocked\): \(sinkholed by dyndns-guard: myasustor\.com\.\)' "$r"
r=$(q router.myasustor.com AAAA)
expect_match "sinkhole AAAA: ::" '^router\.myasustor\.com\.[[:space:]]+42[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+::$' "$r"
r=$(q router.myasustor.com TXT)
expect_match "sinkhole TXT: NOERROR" "status: NOERROR" "$r"
expect_match "sinkhole TXT: NODATA (no answer)" "ANSWER: 0," "$r"
expect_match "sinkhole TXT: SOA of the zone" '^myasustor\.com\.[[:space:]]+42[[:space:]]+IN[[:space:]]+SOA' "$r"
r=$(q +tcp +noedns router.myasustor.com A)
expect_match "sinkhole over TCP without EDNS" '0\.0\.0\.0$' "$r"

# --- allow exception and zone rule for a name in no list
r=$(q +short ok.no-ip.biz A)
expect_eq "allow exception under a listed zone resolves" "198.51.100.31" "$r"
r=$(q www.unlisted.net A)
expect_match "zone rule for a name in no list: blocked" "status: NXDOMAIN" "$r"

# --- client networks: the same name, both orders, cache warm
r1=$(q +short -b 127.0.0.1 x.no-ip.biz A)
r2=$(q -b 127.0.0.2 x.no-ip.biz A)
r3=$(q +short -b 127.0.0.1 x.no-ip.biz A)
r4=$(q -b 127.0.0.2 x.no-ip.biz A)
expect_eq "office client (log) gets the answer" "198.51.100.30" "$r1"
expect_match "ci-cd client (block) gets NXDOMAIN after the office client" "status: NXDOMAIN" "$r2"
expect_eq "office client still gets the answer" "198.51.100.30" "$r3"
expect_match "ci-cd client blocked again, cache warm" "status: NXDOMAIN" "$r4"
r1=$(q -b 127.0.0.2 y.hopto.org A)
r2=$(q +short -b 127.0.0.1 y.hopto.org A)
r3=$(q -b 127.0.0.2 y.hopto.org A)
expect_match "reverse order: ci-cd blocked first" "status: NXDOMAIN" "$r1"
expect_eq "reverse order: office answered" "198.51.100.40" "$r2"
expect_match "reverse order: ci-cd still blocked" "status: NXDOMAIN" "$r3"
wait_log "qname=y.hopto.org." 3
expect_match "network event for ci-cd" 'action=block client=127\.0\.0\.2#[0-9]+ network=ci-cd qname=x\.no-ip\.biz\. qtype=A zone=no-ip\.biz\.? category=ddns-service' "$(events)"
expect_match "network event for office" 'action=log client=127\.0\.0\.1#[0-9]+ network=office qname=x\.no-ip\.biz\.' "$(events)"
expect_eq "varying names are never answered from the cache" 0 "$(count_log 'qname=x.no-ip.biz. .*cached=yes')"

# --- cache hit event
q +short a.dynu.net A >/dev/null
r=$(q +short a.dynu.net A)
expect_eq "log zone resolves" "198.51.100.70" "$r"
wait_log "qname=a.dynu.net. .*cached=yes"
expect_match "a cache hit produces an event" 'action=log client=127\.0\.0\.1#[0-9]+ network=office qname=a\.dynu\.net\. .*cached=yes' "$(events)"

# --- CNAME chains
r=$(q cname.example.com A)
expect_match "CNAME into a blocked zone: NXDOMAIN" "status: NXDOMAIN" "$r"
expect_match "CNAME into a blocked zone: EDE" 'EDE: 15 \(Blocked\)' "$r"
r=$(q cname.example.com A)
expect_match "CNAME into a blocked zone: still blocked (not served from cache)" "status: NXDOMAIN" "$r"
wait_log "qname=cname.example.com."
expect_match "CNAME event: match=cname with the chain" \
	'action=block .*qname=cname\.example\.com\. qtype=A zone=duckdns\.org\.? .*match=cname .*chain=foo\.duckdns\.org\.' "$(events)"
r=$(q cname2.example.com A)
expect_match "two-step CNAME chain into a blocked zone" "status: NXDOMAIN" "$r"
r=$(q +short -b 127.0.0.1 cname4.example.com A)
expect_match "CNAME into a log zone resolves" "198\.51\.100\.40" "$r"
wait_log "qname=cname4.example.com."
expect_match "CNAME into a log zone: event match=cname" \
	'action=log client=127\.0\.0\.1#[0-9]+ network=office qname=cname4\.example\.com\. .*zone=hopto\.org\.? .*match=cname' "$(events)"
r=$(q -b 127.0.0.2 cname4.example.com A)
expect_match "CNAME into a zone blocked for ci-cd: NXDOMAIN for ci-cd" "status: NXDOMAIN" "$r"
r=$(q +short -b 127.0.0.1 cname4.example.com A)
expect_match "... and still resolves for office" "198\.51\.100\.40" "$r"

# DNAME: x.dn.example.net is x.no-ip.biz (log for office, block for ci-cd)
r=$(q -b 127.0.0.2 x.dn.example.net A)
expect_match "DNAME into a zone blocked for ci-cd: NXDOMAIN" "status: NXDOMAIN" "$r"
r=$(q +short -b 127.0.0.1 x.dn.example.net A)
expect_match "DNAME into a log zone resolves for office" "198\.51\.100\.30" "$r"
wait_log "qname=x.dn.example.net." 2
expect_match "DNAME event: match=cname" \
	'action=block client=127\.0\.0\.2#[0-9]+ network=ci-cd qname=x\.dn\.example\.net\. qtype=A zone=no-ip\.biz\.? .*match=cname' "$(events)"

# --- a zone whose name servers live under a blocked zone still resolves
r=$(q +short www.delegated.example.org A)
expect_eq "delegation to ns1.duckdns.org (blocked zone) resolves" "192.0.2.77" "$r"

# --- hostile names: one well-formed line per event
q 'a\010b\"c\\d\000e\013=x y.duckdns.org' A > "$WORK/hostile.out"
expect_match "hostile name blocked" "status: NXDOMAIN" "$(cat "$WORK/hostile.out")"
l63=$(printf '%063d' 0 | tr 0 a)
l49=$(printf '%049d' 0 | tr 0 b)
long="$l49.$l63.$l63.$l63.duckdns.org"
r=$(q "$long" A)
expect_match "255-byte name answered" "status: NXDOMAIN" "$r"
wait_log "qname=$l49"
ev=$(events | grep 'qname=a\\010b')
expect_eq "hostile name: exactly one event line" 1 "$(printf '%s\n' "$ev" | grep -c .)"
expect_match "hostile name: bytes escaped" 'qname=a\\010b\\034c\\\\d\\000e\\013\\061x\\032y\.duckdns\.org\. ' "$ev"
bad=$(grep -v -E '^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} unbound\[[0-9]+:[0-9]+\] ' "$LOG" | head -3)
expect_eq "every log line is a well-formed Unbound log line (no injection)" "" "$bad"
expect_match "255-byte name event" "qname=$l49\\.$l63\\.$l63\\.$l63\\.duckdns\\.org\\. qtype=A" "$(events)"

# --- JSON events
ub_stop
if command -v jq >/dev/null 2>&1; then
	n=$(wc -l < "$WORK/events.json")
	v=$(jq -c . "$WORK/events.json" 2>&1 | wc -l)
	expect_eq "every JSON event line is valid JSON" "$n" "$v"
	expect_eq "JSON lines = text events" "$(events | wc -l)" "$n"
	j=$(jq -r 'select(.source.ip=="127.0.0.2" and .dns.question.name=="x.no-ip.biz") | [.event.action, .event.kind, .dyndns_guard.network, .rule.category, (.threat.technique.id|join(","))] | join(" ")' "$WORK/events.json" | sort -u)
	expect_eq "JSON event fields (ECS)" "block alert ci-cd ddns-service T1568,T1071.004" "$j"
	j=$(jq -r 'select(.dns.question.name=="cname2.example.com") | [.dyndns_guard.match, (.dyndns_guard.cname_chain|join(","))] | join(" ")' "$WORK/events.json" | sort -u)
	expect_eq "JSON CNAME event with the whole chain" "cname cname3.example.net,bar.duckdns.org" "$j"
else
	fail "jq installed"
fi
ub_start || fail "unbound restarts"

# --- reload after a config edit applies it
r=$(q +short second.example.com A)
r=$(q +short second.example.com A)
expect_eq "unlisted name resolves (and is remembered as no match)" "192.0.2.2" "$r"
write_ddg_conf "$CONF_BASE
	block-rcode: refused
	ede: no
	zone: \"second.example.com\" block"
uctl reload >/dev/null || fail "reload"
wait_log "dyndns-guard: module .* started" 2
r=$(q foo.duckdns.org A)
expect_match "after reload: block-rcode refused applies" "status: REFUSED" "$r"
wait_log "qname=foo.duckdns.org. .*rcode=REFUSED"
expect_match "a REFUSED block answer is an event too" \
	'action=block client=127\.0\.0\.1#[0-9]+ network=office qname=foo\.duckdns\.org\. .*rcode=REFUSED' "$(events)"
expect_nomatch "after reload: ede: no applies" "EDE: 15" "$r"
r=$(q second.example.com A)
expect_match "after reload: a new zone rule applies to a name that matched nothing before" "status: REFUSED" "$r"

# --- a bad config stops Unbound at start-up with the file, line and reason
ub_stop
write_ddg_conf "	mode: blok"
: > "$LOG"
"$UNBOUND_DAEMON" -d -c "$WORK/unbound.conf" > "$WORK/bad.stderr" 2>&1 &
bp=$!
i=0; while kill -0 $bp 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $bp 2>/dev/null; then kill $bp; fail "bad config stops unbound"; else pass "bad config stops unbound"; fi
wait $bp 2>/dev/null
expect_match "bad config: message names file, line and reason" \
	"dyndns-guard\\.conf:2: .*blok" "$(cat "$LOG" "$WORK/bad.stderr")"
r=$("$DDG" checkconf "$WORK/dyndns-guard.conf" 2>&1); rc=$?
expect_eq "checkconf exits 1 on the bad config" 1 "$rc"
expect_match "checkconf says the same" "dyndns-guard\\.conf:2: .*blok" "$r"

# --- fail-mode with a missing list
write_ddg_conf '	list: "missing.dgl"
	fail-mode: closed
	reload-check: 1'
ub_start || fail "unbound starts with a missing list (fail-mode closed)"
r=$(q foo.duckdns.org A)
expect_match "fail-mode closed without a list: SERVFAIL" "status: SERVFAIL" "$r"
expect_match "missing list logged with its path" "list not loaded: .*missing\\.dgl" "$(cat "$LOG")"
cp "$WORK/dyndns.dgl" "$WORK/missing.dgl.tmp" && mv "$WORK/missing.dgl.tmp" "$WORK/missing.dgl"
check "the list is picked up once it appears" wait_log "missing.dgl replaced: 6 entries" 1 40
r=$(q +short foo.duckdns.org A)
expect_eq "fail-mode closed: resolution resumes with the list in force (log mode)" "198.51.100.10" "$r"
rm -f "$WORK/missing.dgl"
ub_stop

# --- fail-mode closed recovers with reload-check: 0, and serves no cache
write_ddg_conf '	list: "missing.dgl"
	fail-mode: closed
	reload-check: 0'
ub_start || fail "unbound starts with a missing list (closed, reload-check 0)"
r=$(q foo.duckdns.org A)
expect_match "closed, reload-check 0: SERVFAIL without a list" "status: SERVFAIL" "$r"
cp "$WORK/dyndns.dgl" "$WORK/missing.dgl.tmp" && mv "$WORK/missing.dgl.tmp" "$WORK/missing.dgl"
check "closed, reload-check 0: the list is picked up once it appears" \
	wait_log "missing.dgl replaced: 6 entries" 1 60
r=$(q +short foo.duckdns.org A)
expect_eq "closed, reload-check 0: resolution resumes" "198.51.100.10" "$r"
r=$(q +short www.example.com A)
expect_eq "closed, reload-check 0: an unlisted name resolves" "192.0.2.1" "$r"
ub_stop
# a cache dump with the list in force (fail-mode open) ...
cp "$WORK/dyndns.dgl" "$WORK/missing.dgl"
write_ddg_conf '	list: "missing.dgl"'
ub_start || fail "unbound starts with the list"
q www.example.com A > /dev/null
uctl dump_cache > "$WORK/cache.dump" 2>&1
ub_stop
# ... loaded while failing closed
rm -f "$WORK/missing.dgl"
write_ddg_conf '	list: "missing.dgl"
	fail-mode: closed
	reload-check: 0'
ub_start || fail "unbound starts again without the list (closed)"
uctl load_cache < "$WORK/cache.dump" > /dev/null 2>&1
# an answer that entered the cache after start is expired within a second
i=0
while [ $i -lt 30 ]; do
	r=$(q www.example.com A)
	case "$r" in *"status: SERVFAIL"*) break ;; esac
	sleep 0.1; i=$((i + 1))
done
expect_match "closed: a cached answer loaded after start is not served" "status: SERVFAIL" "$r"
r=$(q www.example.com A)
expect_match "closed: ... and stays so" "status: SERVFAIL" "$r"
ub_stop
write_ddg_conf '	list: "missing.dgl"'
ub_start || fail "unbound starts with a missing list (fail-mode open)"
r=$(q +short foo.duckdns.org A)
expect_eq "fail-mode open without a list: resolves" "198.51.100.10" "$r"
finish
