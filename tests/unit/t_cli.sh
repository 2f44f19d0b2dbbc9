#!/bin/sh
# Shell tests of the dyndns-guard list subcommands: every input format,
# reject messages, --strict, exit codes, verify on corrupt files, lookup,
# dump round trip, determinism.
# Needs top_builddir (exported by make check); runs from any directory.
. "$(dirname "$0")/tap.sh"

# --- usage and exit codes
expect_rc 0 "--help" "$DG" --help
expect_in out.txt "compile" "--help lists compile"
expect_rc 0 "--version" "$DG" --version
expect_in out.txt "dyndns-guard " "--version prints the version"
expect_rc 2 "no command" "$DG"
expect_rc 2 "unknown command" "$DG" frobnicate
expect_rc 2 "compile without input" "$DG" compile -o x.dgl
expect_rc 2 "compile unknown option" "$DG" compile --bogus a.txt
expect_rc 2 "compile bad format" "$DG" compile --format nope a.txt
expect_rc 2 "compile bad category" "$DG" compile --category 'a b' a.txt
expect_rc 2 "compile -o without value" "$DG" compile a.txt -o
expect_rc 2 "compile bad --created" "$DG" compile --created yesterday a.txt
expect_rc 3 "compile missing input" "$DG" compile -o x.dgl nonexistent.txt
expect_rc 2 "verify without file" "$DG" verify
expect_rc 3 "verify missing file" "$DG" verify nonexistent.dgl
expect_rc 2 "lookup without names" "$DG" lookup x.dgl

# --- every input format
cat >plain.txt <<'EOF'
# plain list
duckdns.org
No-IP.com.
com
bad..name
http://x.example/
EOF
cat >hosts.txt <<'EOF'
127.0.0.1 localhost
0.0.0.0 ddns.net # comment
:: dynu.com
0.0.0.0
EOF
cat >adblock.txt <<'EOF'
[Adblock Plus 2.0]
! comment
||afraid.org^
@@||ok.afraid.org^
EOF
cat >rpz.txt <<'EOF'
$TTL 300
$ORIGIN rpz.example.
@ SOA ns.rpz.example. hostmaster.rpz.example. ( 1 3600 600
    86400 60 )
  NS ns.rpz.example.
changeip.com CNAME .
*.changeip.com CNAME .
ok.example CNAME rpz-passthru.
EOF
cat >dnsmasq.txt <<'EOF'
address=/dyndns.org/0.0.0.0
server=/3utilities.com/
no-resolv
EOF
cat >list.csv <<'EOF'
rank,domain
1,hopto.org
2,"zapto.org"
3
EOF
expect_rc 0 "compile all formats" "$DG" compile -o all.dgl \
	--format plain plain.txt --format hosts hosts.txt \
	--format adblock --category adblock-cat adblock.txt \
	--category ddns-service --format rpz rpz.txt --format dnsmasq dnsmasq.txt \
	--format csv --column 2 --category csv-cat list.csv
expect_in err.txt "plain.txt:4: single-label name 'com'" "TLD rejected with file:line"
expect_in err.txt "plain.txt:5: invalid name 'bad..name'" "invalid name rejected"
expect_in err.txt "plain.txt:6: invalid name 'http://x.example/'" "URL rejected"
expect_in err.txt "hosts.txt:4: not a hosts line" "bad hosts line rejected"
expect_in err.txt "adblock.txt:4: adblock exception rule" "adblock exception rejected"
expect_in err.txt "rpz.txt:8: rpz-passthru" "rpz passthru rejected"
expect_in err.txt "dnsmasq.txt:3: not a dnsmasq" "dnsmasq directive rejected"
expect_in err.txt "list.csv:4: no column 2" "csv missing column rejected"
expect_in err.txt "8 line(s) rejected" "reject summary"
expect_in err.txt "2 invalid name;" "reject summary by reason"
[ -s all.dgl ] && ok "output written" || bad "output written"

expect_rc 0 "verify" "$DG" verify all.dgl
expect_in out.txt "version: 3" "verify prints version"
expect_in out.txt "entries: 10" "verify prints entries"
expect_in out.txt "sha256: " "verify prints sha256"
expect_in out.txt "created: " "verify prints created"
expect_in out.txt "plain.txt format=plain" "verify prints sources"

expect_rc 0 "lookup" "$DG" lookup all.dgl x.DuckDNS.org notduckdns.org \
	a.b.changeip.com afraid.org hopto.org example.com
expect_in out.txt "x.DuckDNS.org zone=DuckDNS.org category=ddns-service" "lookup match"
expect_in out.txt "notduckdns.org no match" "lookup label boundary"
expect_in out.txt "a.b.changeip.com zone=changeip.com category=ddns-service" "lookup rpz entry"
expect_in out.txt "afraid.org zone=afraid.org category=adblock-cat" "lookup category"
expect_in out.txt "hopto.org zone=hopto.org category=csv-cat" "lookup csv entry"
expect_in out.txt "example.com no match" "lookup no match"
expect_rc 1 "lookup invalid name" "$DG" lookup all.dgl 'a..b'

expect_rc 0 "stats" "$DG" stats all.dgl
expect_in out.txt "entries: 10" "stats entries"
expect_in out.txt "adblock-cat" "stats categories"

# --- auto format
cat >mixed.txt <<'EOF'
duckdns.org
0.0.0.0 ddns.net
||afraid.org^
address=/dyndns.org/0.0.0.0
what is this
EOF
expect_rc 0 "compile auto" "$DG" compile -o auto.dgl mixed.txt
expect_in err.txt "mixed.txt:5: unrecognised line" "auto rejects unknown line"

# --- strict
rm -f strict.dgl
expect_rc 1 "compile --strict with rejects" "$DG" compile --strict -o strict.dgl plain.txt
[ -e strict.dgl ] && bad "--strict wrote output" || ok "--strict wrote no output"
printf 'duckdns.org\n0.0.0.0 ddns.net\n' >clean.txt
expect_rc 0 "compile --strict clean" "$DG" compile --strict -o strict.dgl clean.txt
expect_rc 3 "compile into missing directory" "$DG" compile -o nodir/x.dgl hosts.txt
printf 'x.example\n' >c1.txt
printf 'x.example\n' >c2.txt
expect_rc 0 "conflicting categories: first wins" "$DG" compile -o conflict.dgl \
	--category first c1.txt --category second c2.txt
expect_in err.txt "c2.txt:1: warning: x.example. given with category second, keeping first (first given at c1.txt:1)" "conflict warned with both places"
rm -f conflict2.dgl
expect_rc 1 "conflicting categories with --strict" "$DG" compile --strict \
	-o conflict2.dgl --category first c1.txt --category second c2.txt
[ -e conflict2.dgl ] && bad "--strict conflict wrote output" || ok "--strict conflict wrote no output"
# the writer's temporary files are .NAME.XXXXXX (lib/file.c)
ls -a | grep -E '^\..+\.[A-Za-z0-9]{6}$' >/dev/null && bad "temporary files left behind" || ok "no temporary files left behind"

# --- determinism and round trip
SOURCE_DATE_EPOCH=1700000000 "$DG" compile -q -o d1.dgl plain.txt rpz.txt 2>/dev/null
SOURCE_DATE_EPOCH=1700000000 "$DG" compile -q -o d2.dgl plain.txt rpz.txt 2>/dev/null
cmp -s d1.dgl d2.dgl && ok "compile is deterministic" || bad "compile is deterministic"
"$DG" compile -q --created 1700000000 -o d3.dgl plain.txt rpz.txt 2>/dev/null
cmp -s d1.dgl d3.dgl && ok "--created equals SOURCE_DATE_EPOCH" || bad "--created equals SOURCE_DATE_EPOCH"
expect_rc 0 "verify created" "$DG" verify d1.dgl
expect_in out.txt "created: 2023-11-14T22:13:20Z" "created in ISO 8601"
expect_rc 0 "dump" "$DG" dump all.dgl
cp out.txt dump.txt
expect_in dump.txt "# dyndns-guard list dump" "dump header"
expect_in dump.txt "duckdns.org	ddns-service" "dump entry"
expect_rc 0 "compile the dump" "$DG" compile -o round.dgl dump.txt
cmp -s all.dgl round.dgl && ok "dump round trip is byte-identical" || bad "dump round trip is byte-identical"
expect_rc 0 "compile the dump, --format dump" "$DG" compile -o round2.dgl --format dump dump.txt
cmp -s all.dgl round2.dgl && ok "dump round trip with --format dump" || bad "dump round trip with --format dump"
"$DG" compile -q -o stdin.dgl - <dump.txt 2>/dev/null
cmp -s all.dgl stdin.dgl && ok "compile from standard input" || bad "compile from standard input"

# --- names with escapes survive the dump round trip
printf 'a\\000b.example\na\\.b.example\nx\\032y.example\nUPPER.Example\n' >esc.txt
expect_rc 0 "compile escaped names" "$DG" compile -o esc.dgl --format plain esc.txt
expect_rc 0 "lookup escaped name" "$DG" lookup esc.dgl 'q.a\000b.example' 'c.a\.b.example' upper.example
expect_in out.txt 'q.a\000b.example zone=a\000b.example category=ddns-service' "escaped zero byte"
expect_in out.txt 'c.a\.b.example zone=a\.b.example category=ddns-service' "escaped dot"
expect_in out.txt 'upper.example zone=upper.example' "case folded"
"$DG" dump esc.dgl >esc.dump
"$DG" compile -q -o esc2.dgl esc.dump 2>/dev/null
cmp -s esc.dgl esc2.dgl && ok "escaped names round trip" || bad "escaped names round trip"

# --- corrupt files
size=$(wc -c <all.dgl)
cp all.dgl flip.dgl
printf 'Z' | dd of=flip.dgl bs=1 seek=$((size - 2)) conv=notrunc 2>/dev/null
expect_rc 1 "verify corrupt file" "$DG" verify flip.dgl
expect_in err.txt "flip.dgl: " "corrupt message names the file"
expect_in err.txt "at byte offset" "corrupt message has the offset"
head -c $((size - 1)) all.dgl >trunc.dgl
expect_rc 1 "verify truncated file" "$DG" verify trunc.dgl
expect_in err.txt "declared file size" "truncation detected"
head -c 50 all.dgl >short.dgl
expect_rc 1 "verify short file" "$DG" verify short.dgl
expect_in err.txt "truncated header" "short header detected"
printf 'not a list at all, no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no\n' >text.dgl
expect_rc 1 "verify a text file" "$DG" verify text.dgl
expect_in err.txt "bad magic" "magic checked"
expect_rc 1 "lookup on a corrupt file" "$DG" lookup flip.dgl duckdns.org
expect_rc 1 "dump of a corrupt file" "$DG" dump flip.dgl

tap_done
