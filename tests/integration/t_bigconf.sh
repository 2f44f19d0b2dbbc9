#!/bin/sh
# A large dyndns-guard.conf in the module: 100,000 client-network prefixes,
# 100,001 zone: rules and 1,000 categories load at Unbound's start and on
# reload and decide right (a zone rule near the end, a category action, a
# client network among 100,000); a repeated prefix among them stops Unbound
# with the line of the repeat and of the first definition.  No timing:
# make bench-conf measures the load.
. "$(dirname "$0")/lib.sh"

write_test_list || fail "test list compiles"

# gen_conf [dup]: the big configuration; with "dup", network n70000 repeats
# the prefix of network n4242.  Lines: zones 4..100004, categories
# 100005..101004, networks n0..n99998 101005..201003, lab 201004.
gen_conf() {
	awk -v dup="${1:-}" 'BEGIN {
		print "dyndns-guard:"
		print "\tlist: \"dyndns.dgl\""
		print "\tmode: log"
		split("block log sinkhole allow", act, " ")
		for (i = 0; i < 100000; i++)
			printf "\tzone: \"h%d.d%d.example\" %s\n", i, i % 997, act[i % 4 + 1]
		print "\tzone: \"www.unlisted.net\" block"
		for (i = 0; i < 999; i++)
			printf "\tcategory: cat-%d %s\n", i, act[i % 4 + 1]
		print "\tcategory: vendor-ddns sinkhole"
		for (i = 0; i < 99999; i++) {
			k = (dup != "" && i == 70000) ? 4242 : i
			if (k % 4 == 3)
				printf "\tclient-network: n%d 2001:db8:%x:%x::/64 %s\n", i, int(k / 65536), k % 65536, act[i % 4 + 1]
			else
				printf "\tclient-network: n%d %d.%d.%d.0/24 %s\n", i, 16 + int(k / 65536), int(k / 256) % 256, k % 256, act[i % 4 + 1]
		}
		print "\tclient-network: lab 127.0.0.0/8"
	}' > "$WORK/dyndns-guard.conf"
}

gen_conf
expect_eq "the configuration has 201,004 lines" 201004 "$(wc -l < "$WORK/dyndns-guard.conf" | tr -d ' ')"
r=$("$DDG" checkconf "$WORK/dyndns-guard.conf" 2>&1)
expect_match "checkconf accepts it" "configuration OK" "$r"
ub_start || { fail "unbound starts with the big configuration"; finish; }
pass "unbound starts with the big configuration"
expect_match "start-up log counts the rules and networks" \
	"module .* started .*100001 zone rules, 100000 client networks" "$(cat "$LOG")"

check_decisions() { # WHEN
	r=$(q www.unlisted.net A)
	expect_match "$1: the zone rule on line 100004 blocks" "status: NXDOMAIN" "$r"
	r=$(q +short h99998.d298.example A)
	expect_eq "$1: a sinkhole zone rule among 100,000" "0.0.0.0" "$r"
	r=$(q +short router.myasustor.com A)
	expect_eq "$1: the category action (vendor-ddns sinkhole)" "0.0.0.0" "$r"
	r=$(q +short foo.duckdns.org A)
	expect_eq "$1: no category action: mode log answers" "198.51.100.10" "$r"
	wait_log "action=log .*network=lab qname=foo.duckdns.org." "${2:-1}"
	expect_match "$1: the client's network is the last of 100,000" \
		"action=log client=127\\.0\\.0\\.1#[0-9]+ network=lab qname=foo\\.duckdns\\.org\\." "$(events)"
}
check_decisions "at start-up"

uctl reload > "$WORK/reload.out" 2>&1
check "the big configuration reloads" wait_log "dyndns-guard: module .* started" 2 100
q +short version.server CH TXT > /dev/null 2>&1
check_decisions "after reload" 2

# --- a repeat among 100,000 prefixes stops Unbound, naming both lines
ub_stop
gen_conf dup
: > "$LOG"
"$UNBOUND_DAEMON" -d -c "$WORK/unbound.conf" > "$WORK/dup.stderr" 2>&1 &
bp=$!
i=0; while kill -0 $bp 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $bp 2>/dev/null; then kill $bp; fail "a repeated prefix stops unbound"; else pass "a repeated prefix stops unbound"; fi
wait $bp 2>/dev/null
msg="dyndns-guard\\.conf:171005: duplicate network 16\\.16\\.146\\.0/24 \\(already in client-network n4242, line 105247\\)"
expect_match "the repeat is reported with both lines" "$msg" "$(cat "$LOG" "$WORK/dup.stderr")"
r=$("$DDG" checkconf "$WORK/dyndns-guard.conf" 2>&1); rc=$?
expect_eq "checkconf exits 1 on the repeat" 1 "$rc"
expect_match "checkconf says the same" "$msg" "$r"
finish
