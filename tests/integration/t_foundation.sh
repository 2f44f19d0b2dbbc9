#!/bin/sh
# Foundation: the module loads into the real Unbound, finds its configuration
# through $DYNDNS_GUARD_CONF, sees every client answer of a listed name (cache hits
# included) with the client address and port, exports only the dynlib entry
# points, and keeps exactly one callback per reply across reload and SIGHUP.
. "$(dirname "$0")/lib.sh"

syms=$(nm -D --defined-only "$MODULE" | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ')
expect_eq "module exports only the six dynlib entry points" \
	"clear deinit get_mem inform_super init operate " "$syms"
check "module is linked with -z now" sh -c "readelf -d '$MODULE' | grep -q BIND_NOW"
check "unbound is dynlib-enabled" sh -c "'$UNBOUND_DAEMON' -V | grep -q dynlib"

write_root_zone
write_unbound_conf
write_test_list || fail "test list compiles"
write_ddg_conf '	list: "dyndns.dgl"
	mode: log'
ub_start || { fail "unbound starts with the module"; finish; }
pass "unbound starts with the module"
check "module start is logged with its config" \
	wait_log "dyndns-guard: module .* started .*config $WORK/dyndns-guard.conf, mode log, 1 of 1 lists"
check "list load is logged" wait_log "dyndns-guard: list .*dyndns.dgl: 6 entries"

a=$(q +short www.example.com A)
expect_eq "offline upstream resolves www.example.com" "192.0.2.1" "$a"
a=$(q +short foo.duckdns.org A)
expect_eq "log mode: listed name resolves normally" "198.51.100.10" "$a"
wait_log "qname=foo.duckdns.org. qtype=A"
ev=$(events | grep 'qname=foo.duckdns.org. qtype=A')
expect_match "resolver answer: one event with client address and port" \
	'\[dyndns-guard\] action=log client=127\.0\.0\.1#[0-9]+ network=- qname=foo\.duckdns\.org\. qtype=A zone=duckdns\.org\.? category=ddns-service match=qname cached=no' "$ev"
expect_eq "exactly one event for one answer" 1 "$(echo "$ev" | wc -l)"
expect_eq "unlisted name gives no event" 0 "$(events | grep -c 'www.example.com')"

a=$(q +short foo.duckdns.org A)
expect_eq "second query answered (from cache)" "198.51.100.10" "$a"
wait_log "qname=foo.duckdns.org. qtype=A .*cached=yes"
expect_match "cache hit: event with client address and cached=yes" \
	'action=log client=127\.0\.0\.1#[0-9]+ .*qname=foo\.duckdns\.org\. qtype=A .*cached=yes' \
	"$(events | grep 'qname=foo.duckdns.org. qtype=A')"

a=$(q +short +tcp bar.duckdns.org A)
expect_eq "TCP query answered" "198.51.100.11" "$a"
wait_log "qname=bar.duckdns.org. qtype=A"
expect_match "TCP client logged" 'client=127\.0\.0\.1#[0-9]+ .*qname=bar\.duckdns\.org\.' \
	"$(events | grep 'qname=bar.duckdns.org.')"

if [ -n "$UNBOUND_CONTROL" ]; then
	check "unbound-control reload" uctl reload
	wait_log "dyndns-guard: module .* started" 2
	expect_eq "init ran again after reload" 2 "$(count_log 'dyndns-guard: module .* started')"
	q +short x.no-ip.biz A >/dev/null
	q +short x.no-ip.biz A >/dev/null
	wait_log "qname=x.no-ip.biz. qtype=A" 2
	sleep 0.3
	expect_eq "after reload: exactly one event per answer (2 answers)" 2 \
		"$(count_log 'qname=x.no-ip.biz. qtype=A')"
else
	fail "unbound-control available"
fi

kill -HUP "$UB_PID"
wait_log "dyndns-guard: module .* started" 3
expect_eq "init ran again after SIGHUP" 3 "$(count_log 'dyndns-guard: module .* started')"
q +short y.hopto.org A >/dev/null
q +short y.hopto.org A >/dev/null
q +short y.hopto.org A >/dev/null
wait_log "qname=y.hopto.org. qtype=A" 3
sleep 0.3
expect_eq "after SIGHUP: exactly one event per answer (3 answers)" 3 \
	"$(count_log 'qname=y.hopto.org. qtype=A')"
expect_eq "after SIGHUP: one cache-hit event per cached answer" 2 \
	"$(count_log 'qname=y.hopto.org. qtype=A .*cached=yes')"

check "unbound still running" kill -0 "$UB_PID"
expect_eq "no errors in the log" 0 "$(count_log 'error:')"
finish
