#!/bin/sh
# Shell tests of "dyndns-guard export": usage and exit codes, the exact body
# of every format, exceptions for nested entries of another category, the
# selection by category and by a configuration's policy (zone: rules,
# category: actions, --client), escaping and skipping of names a format
# cannot carry, --strict, the atomic -o, read-back by compile, and the
# syntax checkers of the target programs: ldns-read-zone (RPZ),
# unbound-checkconf (local-zone:), dnsmasq --test.
# Loading the output into a real Unbound and dnsmasq and comparing their
# answers with the module's is tests/integration/t_export.sh.
# Needs top_builddir (exported by make check); runs from any directory.
. "$(dirname "$0")/tap.sh"

SOURCE_DATE_EPOCH=1700000100
export SOURCE_DATE_EPOCH

# body FILE: the lines that are not comments (# ; !) nor the adblock header
body() { grep -v -e '^#' -e '^;' -e '^!' -e '^\[Adblock' "$1"; }
# expect_body FILE DESCRIPTION: body of FILE equals want.txt
expect_body() {
	body "$1" >got.txt
	if cmp -s want.txt got.txt; then ok "$2"
	else bad "$2"; diff want.txt got.txt | sed 's/^/# /'; fi
}

printf 'duckdns.org\nno-ip.biz\nhopto.org\na\\032b.example\nunder_score.example\n' >ddns.txt
printf 'x.duckdns.org\n' >malware.txt
printf 'myasustor.com\n' >vendor.txt
"$DG" compile -q --created 1700000000 -o l.dgl --category ddns-service ddns.txt \
	--category malware malware.txt --category vendor-ddns vendor.txt ||
	bad "fixture list compiles"

# --- usage and exit codes
expect_rc 0 "export --help" "$DG" export --help
expect_in out.txt "--format F" "export --help names --format"
expect_rc 0 "--help lists export" "$DG" --help
expect_in out.txt "export --format" "the command's usage has export"
expect_rc 2 "export without --format" "$DG" export l.dgl
expect_rc 2 "export without FILE" "$DG" export --format rpz
expect_rc 2 "export with two FILEs" "$DG" export --format rpz l.dgl l.dgl
expect_rc 2 "export unknown format" "$DG" export --format bind l.dgl
expect_in err.txt "unknown format 'bind'" "unknown format named"
expect_rc 2 "export bad --mode" "$DG" export --format rpz --mode allow l.dgl
expect_rc 2 "export bad --category" "$DG" export --format rpz --category 'a b' l.dgl
expect_rc 2 "export bad --origin" "$DG" export --format rpz --origin 'a..b' l.dgl
expect_rc 2 "export --origin root" "$DG" export --format rpz --origin . l.dgl
expect_rc 2 "export bad --ttl" "$DG" export --format rpz --ttl -1 l.dgl
expect_rc 2 "export --client without a configuration" "$DG" export --format rpz --client 10.0.0.1 l.dgl
expect_rc 2 "export unknown option" "$DG" export --format rpz --bogus l.dgl
expect_rc 3 "export of a missing file" "$DG" export --format rpz nonexistent.dgl
cp l.dgl flip.dgl
size=$(wc -c <l.dgl)
printf 'Z' | dd of=flip.dgl bs=1 seek=$((size - 2)) conv=notrunc 2>/dev/null
expect_rc 1 "export of a corrupt list" "$DG" export --format rpz flip.dgl
expect_in err.txt "flip.dgl: " "the corrupt list is named"
expect_rc 3 "export -c with a missing configuration" "$DG" export --format rpz -c nonexistent.conf l.dgl
printf 'dyndns-guard:\n\tmode: blok\n' >bad.conf
expect_rc 1 "export -c with a bad configuration" "$DG" export --format rpz -c bad.conf l.dgl
expect_in err.txt "bad.conf:2: bad value 'blok'" "the configuration error names file and line"

# --- every format, all entries: x.duckdns.org (malware) lies in
# duckdns.org and is blocked anyway: not written again (hosts: written)
expect_rc 0 "export rpz" "$DG" export --format rpz l.dgl
cp out.txt all.rpz
cat >want.txt <<'EOF'
$TTL 60
$ORIGIN rpz.dyndns-guard.
@ SOA localhost. hostmaster.dyndns-guard.invalid. 1700000000 3600 600 86400 60
@ NS localhost.
no-ip.biz CNAME .
*.no-ip.biz CNAME .
myasustor.com CNAME .
*.myasustor.com CNAME .
a\032b.example CNAME .
*.a\032b.example CNAME .
under_score.example CNAME .
*.under_score.example CNAME .
duckdns.org CNAME .
*.duckdns.org CNAME .
hopto.org CNAME .
*.hopto.org CNAME .
EOF
expect_body all.rpz "rpz: SOA serial = created, NS, apex and wildcard per zone, escapes"
expect_in all.rpz "; list sha256: $(sed -n 's/^sha256: //p' <<EOF
$("$DG" verify l.dgl)
EOF
)" "rpz header: the list's sha256, as verify prints it"
expect_in all.rpz "; list created: 2023-11-14T22:13:20Z (1700000000)" "rpz header: created"
expect_in all.rpz "; exported: 2023-11-14T22:15:00Z by dyndns-guard" "header date from SOURCE_DATE_EPOCH"
expect_in err.txt "6 zone(s) blocked, 0 exception(s), 0 not written" "rpz summary"

expect_rc 0 "export unbound" "$DG" export --format unbound l.dgl
cp out.txt all.unbound
cat >want.txt <<'EOF'
server:
	local-zone: "no-ip.biz." always_nxdomain
	local-zone: "myasustor.com." always_nxdomain
	local-zone: "a\032b.example." always_nxdomain
	local-zone: "under_score.example." always_nxdomain
	local-zone: "duckdns.org." always_nxdomain
	local-zone: "hopto.org." always_nxdomain
EOF
expect_body all.unbound "unbound: a server: clause of always_nxdomain local zones"

expect_rc 0 "export hosts" "$DG" export --format hosts l.dgl
cp out.txt all.hosts
cat >want.txt <<'EOF'
0.0.0.0 no-ip.biz
0.0.0.0 myasustor.com
0.0.0.0 duckdns.org
0.0.0.0 x.duckdns.org
0.0.0.0 hopto.org
EOF
expect_body all.hosts "hosts: every blocked name, exact; only letters, digits, '-'"
expect_in all.hosts "NOT blocked" "hosts header says subdomains are not blocked"
expect_in err.txt "warning: blocked zone a\\032b.example. not written: a byte the hosts format cannot carry" \
	"hosts: a name with a space byte is skipped with a warning"
expect_in err.txt "warning: blocked zone under_score.example. not written" "hosts: underscore skipped"
expect_in err.txt "5 zone(s) blocked, 0 exception(s), 2 not written (2 of them blocked zones)" "hosts summary counts the skipped"

expect_rc 0 "export adblock" "$DG" export --format adblock l.dgl
cp out.txt all.adblock
cat >want.txt <<'EOF'
||no-ip.biz^
||myasustor.com^
||under_score.example^
||duckdns.org^
||hopto.org^
EOF
expect_body all.adblock "adblock: ||zone^ lines"
expect_in all.adblock "[Adblock Plus 2.0]" "adblock header line"
expect_in err.txt "1 not written" "adblock: the escaped name is skipped"

expect_rc 0 "export dnsmasq" "$DG" export --format dnsmasq l.dgl
cp out.txt all.dnsmasq
cat >want.txt <<'EOF'
address=/no-ip.biz/
address=/myasustor.com/
address=/under_score.example/
address=/duckdns.org/
address=/hopto.org/
EOF
expect_body all.dnsmasq "dnsmasq: address=/zone/ lines"

# --- category selection: x.duckdns.org (malware) inside a selected zone
# becomes an exception in every subtree format
expect_rc 0 "export rpz --category ddns-service" "$DG" export --format rpz --category ddns-service l.dgl
cp out.txt cat.rpz
cat >want.txt <<'EOF'
$TTL 60
$ORIGIN rpz.dyndns-guard.
@ SOA localhost. hostmaster.dyndns-guard.invalid. 1700000000 3600 600 86400 60
@ NS localhost.
no-ip.biz CNAME .
*.no-ip.biz CNAME .
a\032b.example CNAME .
*.a\032b.example CNAME .
under_score.example CNAME .
*.under_score.example CNAME .
duckdns.org CNAME .
*.duckdns.org CNAME .
x.duckdns.org CNAME rpz-passthru.
*.x.duckdns.org CNAME rpz-passthru.
hopto.org CNAME .
*.hopto.org CNAME .
EOF
expect_body cat.rpz "rpz --category: other categories left out, a nested one is passthru"
expect_in cat.rpz "; selection: every entry of the categories ddns-service" "the selection is in the header"
"$DG" export -q --format unbound --category ddns-service l.dgl >cat.unbound
expect_in cat.unbound '	local-zone: "x.duckdns.org." transparent' "unbound exception: transparent"
"$DG" export -q --format adblock --category ddns-service l.dgl >cat.adblock
expect_in cat.adblock '@@||x.duckdns.org^' "adblock exception: @@"
"$DG" export -q --format dnsmasq --category ddns-service l.dgl >cat.dnsmasq
expect_in cat.dnsmasq 'server=/x.duckdns.org/#' "dnsmasq exception: server=/zone/#"
"$DG" export -q --format hosts --category ddns-service l.dgl >cat.hosts
if grep -q 'x.duckdns.org' cat.hosts; then bad "hosts has no exceptions"; else ok "hosts has no exceptions"; fi
expect_rc 0 "export two categories" "$DG" export --format dnsmasq --category malware --category vendor-ddns l.dgl
printf 'address=/myasustor.com/\naddress=/x.duckdns.org/\n' >want.txt
expect_body out.txt "--category repeated: the union; a nested entry alone is a block"
expect_rc 0 "export an unknown category" "$DG" export --format rpz --category nosuch l.dgl
expect_in err.txt "warning: category 'nosuch' is not in l.dgl" "unknown category warned"

# --- selection by a configuration's policy
cat >g.conf <<'EOF'
dyndns-guard:
	list: "ignored-not-read.dgl"
	mode: log
	category: ddns-service block
	category: malware off
	category: vendor-ddns sinkhole
	zone: "ok.no-ip.biz" allow
	zone: "evil.example" block
	zone: "hopto.org" log
	client-network: lab 10.0.0.0/8 block
EOF
expect_rc 0 "export -c (--mode block)" "$DG" export --format adblock -c g.conf l.dgl
cp out.txt pol.adblock
cat >want.txt <<'EOF'
||no-ip.biz^
||under_score.example^
||duckdns.org^
@@||x.duckdns.org^
@@||ok.no-ip.biz^
||evil.example^
EOF
expect_body pol.adblock "-c: category block, zone: block rule, allow and off as exceptions, log rule left out"
expect_in pol.adblock "! selection: action block under g.conf for a client in no client-network" "policy selection in the header"
expect_rc 0 "export -c --client in a blocking network" "$DG" export --format adblock -c g.conf --client 10.1.2.3 l.dgl
cat >want.txt <<'EOF'
||no-ip.biz^
||myasustor.com^
||under_score.example^
||duckdns.org^
@@||ok.no-ip.biz^
||evil.example^
EOF
expect_body out.txt "--client: the network's block beats categories, not zone: rules"
expect_rc 0 "export --mode sinkhole" "$DG" export --format hosts --mode sinkhole -c g.conf l.dgl
printf '0.0.0.0 myasustor.com\n' >want.txt
expect_body out.txt "--mode sinkhole: the sinkholed category"
expect_rc 0 "export --mode log" "$DG" export --format dnsmasq --mode log -c g.conf l.dgl
printf 'address=/hopto.org/\n' >want.txt
expect_body out.txt "--mode log: the zone: rule with log"
expect_rc 0 "export --category zone-rule" "$DG" export --format dnsmasq --category zone-rule -c g.conf l.dgl
printf 'address=/evil.example/\n' >want.txt
expect_body out.txt "--category zone-rule: the configuration's zone: rules only"
DYNDNS_GUARD_CONF=$T/g.conf "$DG" export -q --format adblock --mode block l.dgl >env.adblock
if [ "$(body env.adblock)" = "$(body pol.adblock)" ]; then
	ok "--mode without -c reads \$DYNDNS_GUARD_CONF"
else bad "--mode without -c reads \$DYNDNS_GUARD_CONF"; fi

# --- names a format cannot carry, --strict, -o
l63=$(printf '%063d' 0 | tr 0 a)
printf '%s.%s.%s.%s.example\n' "$l63" "$l63" "$l63" "$(printf '%043d' 0 | tr 0 b)" >long.txt
"$DG" compile -q --created 1700000000 -o long.dgl long.txt ddns.txt || bad "long list compiles"
expect_rc 0 "export rpz of a 245-byte name" "$DG" export --format rpz long.dgl
expect_in err.txt "not written: longer than 255 bytes under the RPZ origin" "too long under the origin: skipped, warned"
expect_rc 0 "the same name under a short origin" "$DG" export --format rpz --origin r. long.dgl
expect_in out.txt "\$ORIGIN r." "--origin sets \$ORIGIN"
expect_in err.txt "0 not written" "a short origin fits"
echo old >out.hosts
expect_rc 1 "--strict refuses a skipped name" "$DG" export --strict --format hosts -o out.hosts l.dgl
expect_in err.txt "--strict: 2 name(s) cannot be written in format hosts; not writing out.hosts" "--strict message"
expect_in out.hosts "old" "--strict leaves the old output in place"
expect_rc 0 "--strict with nothing to skip" "$DG" export --strict --format rpz -o out.rpz l.dgl
if cmp -s out.rpz all.rpz; then ok "-o writes what standard output gets"; else bad "-o writes what standard output gets"; fi
expect_rc 0 "-o replaces a file" "$DG" export -q --format hosts -o out.hosts l.dgl
if cmp -s out.hosts all.hosts; then ok "-o replaced the old file"; else bad "-o replaced the old file"; fi
if ls | grep -q 'tmp'; then bad "no temporary file left"; ls | sed 's/^/# /'; else ok "no temporary file left"; fi
expect_rc 3 "-o into a missing directory" "$DG" export --format rpz -o nodir/x.rpz l.dgl
expect_rc 0 "-q is quiet" "$DG" export -q --format hosts l.dgl
if [ -s err.txt ]; then bad "-q: nothing on stderr"; else ok "-q: nothing on stderr"; fi
printf 'we\\010ird\\"n\\;\\\\x.example\nd\\.ot.example\n' >odd.txt
"$DG" compile -q --created 1700000000 -o odd.dgl odd.txt || bad "odd names compile"
"$DG" export -q --format rpz odd.dgl >odd.rpz
expect_in odd.rpz 'we\010ird\034n\059\092x.example CNAME .' "rpz: a newline byte, quote, semicolon and backslash escaped as DDD"
expect_in odd.rpz 'd\046ot.example CNAME .' "rpz: a dot inside a label is escaped as 046"
"$DG" export -q --format unbound odd.dgl >odd.unbound
expect_in odd.unbound '"we\010ird\034n\059\092x.example." always_nxdomain' "unbound: the same escapes inside the quotes"

# --- read back by compile (the subtree formats give the same lookups)
for f in rpz adblock dnsmasq hosts; do
	"$DG" compile -q --created 1700000000 --format $f -o back-$f.dgl all.$f 2>/dev/null
	for nm in duckdns.org x.duckdns.org y.no-ip.biz hopto.org notduckdns.org; do
		"$DG" lookup back-$f.dgl $nm | sed 's/ zone=.*/ matched/'
	done >back-$f.txt
done
for nm in duckdns.org x.duckdns.org y.no-ip.biz hopto.org notduckdns.org; do
	"$DG" lookup l.dgl $nm | sed 's/ zone=.*/ matched/'
done >orig.txt
for f in rpz adblock dnsmasq; do
	if cmp -s orig.txt back-$f.txt; then ok "compile --format $f reads the export back"
	else bad "compile --format $f reads the export back"; diff orig.txt back-$f.txt | sed 's/^/# /'; fi
done
expect_in back-hosts.txt "y.no-ip.biz matched" "compile --format hosts reads the hosts export"

# --- the target programs' own syntax checks
if command -v ldns-read-zone >/dev/null 2>&1; then
	for z in all.rpz cat.rpz odd.rpz; do
		if ldns-read-zone "$z" >ldns.out 2>&1; then ok "ldns-read-zone accepts $z"
		else bad "ldns-read-zone accepts $z"; sed 's/^/# /' ldns.out; fi
	done
	expect_in ldns.out "rpz.dyndns-guard.	60	IN	SOA	localhost. hostmaster.dyndns-guard.invalid. 1700000000" "ldns reads the SOA"
else
	bad "ldns-read-zone not installed (ldnsutils; scripts/deps.sh)"
fi
if command -v dnsmasq >/dev/null 2>&1; then
	for c in all.dnsmasq cat.dnsmasq; do
		if dnsmasq --test --conf-file="$c" >dm.out 2>&1; then ok "dnsmasq --test accepts $c"
		else bad "dnsmasq --test accepts $c"; sed 's/^/# /' dm.out; fi
	done
	printf 'address=/x/\nbogus-directive\n' >broken.dnsmasq
	if dnsmasq --test --conf-file=broken.dnsmasq >/dev/null 2>&1; then bad "dnsmasq --test can fail"
	else ok "dnsmasq --test can fail"; fi
else
	bad "dnsmasq not installed (dnsmasq-base; scripts/deps.sh)"
fi
UCC=
[ -n "${UNBOUND_DAEMON:-}" ] && UCC="$(dirname "$UNBOUND_DAEMON")/unbound-checkconf"
[ -x "$UCC" ] || UCC=$(command -v unbound-checkconf 2>/dev/null || true)
if [ -n "$UCC" ]; then
	for c in all.unbound cat.unbound odd.unbound; do
		printf 'server:\n\tusername: ""\n\tchroot: ""\n\tdirectory: "%s"\n\tpidfile: "%s/u.pid"\ninclude: "%s/%s"\n' "$T" "$T" "$T" "$c" >ucc.conf
		if "$UCC" ucc.conf >ucc.out 2>&1; then ok "unbound-checkconf accepts $c"
		else bad "unbound-checkconf accepts $c"; sed 's/^/# /' ucc.out; fi
	done
else
	ok "# SKIP no unbound-checkconf (tests/integration/t_export.sh loads the output)"
fi

tap_done
