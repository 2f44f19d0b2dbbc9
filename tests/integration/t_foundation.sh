#!/bin/sh
# Foundation: the module loads into the real Unbound, sees every client answer
# (cache hits included) with the client address, exports only the dynlib entry
# points, and keeps exactly one callback per reply across reload and SIGHUP.
. "$(dirname "$0")/lib.sh"

# exported symbols: exactly the six dynlib entry points
syms=$(nm -D --defined-only "$MODULE" | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ')
expect_eq "module exports only the six dynlib entry points" \
	"clear deinit get_mem inform_super init operate " "$syms"
check "module is linked with -z now" sh -c "readelf -d '$MODULE' | grep -q BIND_NOW"
check "unbound is dynlib-enabled" sh -c "'$UNBOUND_DAEMON' -V | grep -q dynlib"

write_root_zone
write_unbound_conf "	verbosity: 3"
ub_start || { fail "unbound starts with the module"; finish; }
pass "unbound starts with the module"
check "module start is logged" wait_log "dyndns-guard: module .* started"

a=$(q +short www.example.com A)
expect_eq "offline upstream resolves www.example.com" "192.0.2.1" "$a"
wait_log "answer client=127.0.0.1#[0-9]* qname=www.example.com. qtype=A cached=no"
expect_eq "resolver answer logged once with client address and port" 1 \
	"$(count_log 'answer client=127.0.0.1#[0-9]* qname=www.example.com. qtype=A cached=no')"

a=$(q +short www.example.com A)
expect_eq "second query answered" "192.0.2.1" "$a"
wait_log "qname=www.example.com. qtype=A cached=yes"
expect_eq "cache hit logged with client address" 1 \
	"$(count_log 'answer client=127.0.0.1#[0-9]* qname=www.example.com. qtype=A cached=yes')"

# a query over TCP from a fixed source port shows that port
a=$(q +short +tcp second.example.com A)
expect_eq "TCP query answered" "192.0.2.2" "$a"
wait_log "qname=second.example.com. qtype=A"
expect_match "TCP client logged" "client=127\.0\.0\.1#[0-9]+ qname=second\.example\.com\. qtype=A" \
	"$(grep 'qname=second.example.com.' "$LOG")"

# reload: deinit + init; callbacks must not be duplicated
if [ -n "$UNBOUND_CONTROL" ]; then
	check "unbound-control reload" uctl reload
	wait_log "dyndns-guard: module .* started" 2
	expect_eq "init ran again after reload" 2 "$(count_log 'dyndns-guard: module .* started')"
	q +short reload.example.com A >/dev/null
	q +short reload.example.com A >/dev/null
	wait_log "qname=reload.example.com. qtype=A" 2
	sleep 0.3
	expect_eq "after reload: exactly one line per answer (2 answers)" 2 \
		"$(count_log 'qname=reload.example.com. qtype=A')"
else
	fail "unbound-control available"
fi

kill -HUP "$UB_PID"
wait_log "dyndns-guard: module .* started" 3
expect_eq "init ran again after SIGHUP" 3 "$(count_log 'dyndns-guard: module .* started')"
q +short hup.example.com A >/dev/null
q +short hup.example.com A >/dev/null
q +short hup.example.com A >/dev/null
wait_log "qname=hup.example.com. qtype=A" 3
sleep 0.3
expect_eq "after SIGHUP: exactly one line per answer (3 answers)" 3 \
	"$(count_log 'qname=hup.example.com. qtype=A')"
expect_eq "one cache-hit line per cached answer after SIGHUP" 2 \
	"$(count_log 'qname=hup.example.com. qtype=A cached=yes')"

check "unbound still running" kill -0 "$UB_PID"
expect_eq "no module errors in the log" 0 "$(count_log 'error:.*dyndns')"
finish
