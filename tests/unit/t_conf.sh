#!/bin/sh
# Shell tests of dyndns-guard checkconf and explain: exit codes, messages
# naming file and line, the canonical print round trip, list checks, and
# the explained decision steps for clients of several networks.
# Needs top_builddir (exported by make check); runs from any directory.
. "$(dirname "$0")/tap.sh"

# --- lists
printf 'duckdns.org\nno-ip.com\n' >ddns.txt
printf 't.tunnel.example\n' >tunnel.txt
printf 'a.b.duckdns.org\n' >second.txt
if ! "$DG" compile -o ddns.dgl --category ddns-service ddns.txt >/dev/null 2>&1 ||
	! "$DG" compile -o tunnel.dgl --category tunnel tunnel.txt >/dev/null 2>&1 ||
	! "$DG" compile -o second.dgl --category other second.txt >/dev/null 2>&1; then
	echo "# dyndns-guard compile does not work: skipped"
	exit 77
fi

cat >dyndns-guard.conf <<'CONF'
# test configuration
dyndns-guard:
	list: ddns.dgl          # relative to this file
	list: "tunnel.dgl"
	list: second.dgl
	mode: log
	zone: "ok.duckdns.org" allow
	zone: "evil.example" block
	category: tunnel sinkhole
	client-network: ci-cd 10.0.0.0/8,2001:db8::/32 block
	client-network: staging 192.168.0.0/16
CONF

# --- checkconf
expect_rc 0 "checkconf good" "$DG" checkconf dyndns-guard.conf
expect_in out.txt "dyndns-guard.conf: configuration OK" "checkconf says OK"
expect_rc 0 "checkconf -p" "$DG" checkconf -p dyndns-guard.conf
expect_in out.txt "	client-network: ci-cd 10.0.0.0/8,2001:db8::/32 block" \
	"checkconf -p prints the networks"
expect_in out.txt "	list: \"$T/ddns.dgl\"" "checkconf -p prints absolute list paths"
expect_in err.txt "configuration OK" "checkconf -p: OK on stderr"
cp out.txt printed.conf
expect_rc 0 "checkconf of the printed config" "$DG" checkconf -p printed.conf
if cmp -s out.txt printed.conf; then ok "print round trip"
else bad "print round trip"; diff printed.conf out.txt | sed 's/^/# /'; fi
expect_rc 0 "checkconf via DYNDNS_GUARD_CONF" \
	env DYNDNS_GUARD_CONF="$T/dyndns-guard.conf" "$DG" checkconf
expect_in out.txt "$T/dyndns-guard.conf: configuration OK" "env path used"

printf 'dyndns-guard:\n\tmode: block\n\tmodee: log\n' >typo.conf
expect_rc 1 "checkconf unknown key" "$DG" checkconf typo.conf
expect_in err.txt "typo.conf:3: unknown key 'modee'" "message names file:line"
printf 'dyndns-guard:\n\tmode: blok\n' >badval.conf
expect_rc 1 "checkconf bad value" "$DG" checkconf badval.conf
expect_in err.txt "badval.conf:2: bad value 'blok' for mode: expected log, block, sinkhole or off" \
	"bad value message"
printf 'dyndns-guard:\n\tlist: missing.dgl\n' >nolist.conf
expect_rc 1 "checkconf missing list" "$DG" checkconf nolist.conf
expect_in err.txt "missing.dgl" "missing list named"
printf 'garbage\n' >corrupt.dgl
printf 'dyndns-guard:\n\tlist: corrupt.dgl\n' >corrupt.conf
expect_rc 1 "checkconf corrupt list" "$DG" checkconf corrupt.conf
expect_rc 3 "checkconf missing config" "$DG" checkconf nonexistent.conf
expect_rc 2 "checkconf bad option" "$DG" checkconf --bogus
expect_rc 2 "checkconf two files" "$DG" checkconf a.conf b.conf
expect_rc 0 "checkconf --help" "$DG" checkconf --help

# --- signatures (as the module checks them)
if "$DG" keygen -o k >/dev/null 2>&1 && "$DG" keygen -o k2 >/dev/null 2>&1; then
	cp ddns.dgl s.dgl
	printf 'dyndns-guard:\n\tlist: s.dgl\n\tpublic-key: k.pub\n' >sig.conf
	expect_rc 0 "checkconf unsigned, not required" "$DG" checkconf sig.conf
	expect_in err.txt "warning: list $T/s.dgl is not signed" "unsigned: warning"
	"$DG" sign --key k.key s.dgl >/dev/null 2>&1
	expect_rc 0 "checkconf signed" "$DG" checkconf sig.conf
	printf '\trequire-signature: yes\n' >>sig.conf
	expect_rc 0 "checkconf signed, required" "$DG" checkconf sig.conf
	"$DG" sign --key k2.key s.dgl >/dev/null 2>&1
	expect_rc 1 "checkconf signed by another key" "$DG" checkconf sig.conf
	expect_in err.txt "signature:" "wrong key reported"
	expect_rc 1 "explain: a list the module refuses by its signature" "$DG" explain -c sig.conf www.duckdns.org
	expect_in err.txt "list $T/s.dgl: signature: $T/s.dgl.sig: " "explain names the list and its signature"
	rm -f s.dgl.sig
	expect_rc 1 "checkconf unsigned, required" "$DG" checkconf sig.conf
	expect_in err.txt "error: list $T/s.dgl: signature: $T/s.dgl.sig: no signature" "unsigned, required: the file and the reason"
	"$DG" sign --key k.key s.dgl >/dev/null 2>&1
	expect_rc 0 "explain with a signed list" "$DG" explain -c sig.conf www.duckdns.org
	expect_in out.txt "list #1: $T/s.dgl (" "explain: the signed list is in force"
	printf 'dyndns-guard:\n\trequire-signature: yes\n' >nokey.conf
	expect_rc 1 "require-signature without public-key" "$DG" checkconf nokey.conf
	expect_in err.txt "require-signature: yes needs public-key:" "needs a key"
	printf 'dyndns-guard:\n\tpublic-key: missing.pub\n' >badkey.conf
	expect_rc 1 "checkconf missing public key" "$DG" checkconf badkey.conf
else
	echo "# dyndns-guard keygen does not work: signature checks skipped"
fi

# --- explain
expect_rc 0 "explain, no client" "$DG" explain -c dyndns-guard.conf www.duckdns.org
expect_in out.txt "client: none given" "no client"
expect_in out.txt "list #1: entry" "list 1 matched"
expect_in out.txt "list #2: no match" "list 2 did not"
expect_in out.txt "mode: log" "mode decides"
expect_in out.txt "varies by client: yes" "varies by client"
expect_in out.txt "result: log" "result log"
expect_in out.txt "event (for qtype A): [dyndns-guard] action=log client=- network=- qname=www.duckdns.org. qtype=A zone=duckdns.org category=ddns-service" \
	"event preview"

expect_rc 0 "explain, ci-cd client" "$DG" explain -c dyndns-guard.conf --client 10.9.8.7 www.duckdns.org
expect_in out.txt "client: 10.9.8.7 is in client network ci-cd (longest prefix 10.0.0.0/8), whose action is block" \
	"client network found"
expect_in out.txt "result: block" "network action wins"

expect_rc 0 "explain, IPv6 ci-cd client" "$DG" explain -c dyndns-guard.conf --client 2001:db8::7 x.duckdns.org
expect_in out.txt "result: block" "IPv6 network"

expect_rc 0 "explain, staging client" "$DG" explain -c dyndns-guard.conf --client 192.168.3.3 x.t.tunnel.example
expect_in out.txt "which has no action" "network without action"
expect_in out.txt "category tunnel has action sinkhole" "category decides"
expect_in out.txt "result: sinkhole" "result sinkhole"

expect_rc 0 "explain, allow rule" "$DG" explain -c dyndns-guard.conf --client 10.1.1.1 x.ok.duckdns.org
expect_in out.txt "zone rules: ok.duckdns.org. allow (line 7) matches" "zone rule found"
expect_in out.txt "a zone rule's own action is final: allow" "rule is final"
expect_in out.txt "result: allow" "result allow"

expect_rc 0 "explain, rule in no list" "$DG" explain -c dyndns-guard.conf a.evil.example
expect_in out.txt "winner: the zone rule (no list entry matches)" "rule only"
expect_in out.txt "result: block" "result block"

expect_rc 0 "explain, longer list entry" "$DG" explain -c dyndns-guard.conf z.a.b.duckdns.org
expect_in out.txt "winner: list #3 entry" "longest across lists"

expect_rc 0 "explain, no match" "$DG" explain -c dyndns-guard.conf www.example.org
expect_in out.txt "result: none" "no match"

expect_rc 0 "explain --list" "$DG" explain -c dyndns-guard.conf --list tunnel.dgl www.duckdns.org
expect_in out.txt "list #1: tunnel.dgl (" "--list replaces the lists"
expect_in out.txt "result: none" "only the given list"

expect_rc 1 "explain missing list" "$DG" explain -c nolist.conf www.duckdns.org
expect_in err.txt "missing.dgl" "missing list named"
expect_rc 2 "explain bad client" "$DG" explain -c dyndns-guard.conf --client 10.1 x.org
expect_rc 2 "explain bad name" "$DG" explain -c dyndns-guard.conf 'a..b'
expect_rc 2 "explain no name" "$DG" explain -c dyndns-guard.conf
expect_rc 1 "explain bad config" "$DG" explain -c typo.conf x.org
expect_in err.txt "typo.conf:3: unknown key 'modee'" "explain reports config errors"

tap_done
