#!/bin/sh
# Tests of tools/dyndns-guard-update against local sources: file:// sources
# (plain and hosts) and an HTTP source served by python3 -m http.server on
# 127.0.0.1; the installed list verified and looked up; "unchanged" on an
# identical run; the shrink guard (refusal leaves the installed file
# untouched, --force installs); failed fetches install nothing; signed-list
# with good and bad signatures; sign-key; config errors naming file:line; no
# temporary files left behind.
# Needs top_srcdir and top_builddir (exported by make check), curl, python3.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
DDG_BIN=${DDG_BIN:-$top_builddir/dyndns-guard}
export DDG_BIN
DDG=$DDG_BIN
UPD=$top_builddir/tools/dyndns-guard-update
# the shell that runs the tool (UPD_SHELL=bash to try another)
UPD_SHELL=${UPD_SHELL:-sh}
[ -x "$DDG" ] || { echo "no $DDG"; exit 99; }
[ -f "$UPD" ] || { echo "no $UPD"; exit 99; }
command -v curl >/dev/null 2>&1 || { echo "curl is needed"; exit 99; }
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed"; exit 99; }

W=$(mktemp -d "${TMPDIR:-/tmp}/t_update.XXXXXX") || exit 99
HTTPPID=
SLOWPID=
STREAMPID=
cleanup() {
	[ -n "$HTTPPID" ] && kill "$HTTPPID" 2>/dev/null && wait "$HTTPPID" 2>/dev/null
	[ -n "$SLOWPID" ] && kill "$SLOWPID" 2>/dev/null && wait "$SLOWPID" 2>/dev/null
	[ -n "$STREAMPID" ] && kill "$STREAMPID" 2>/dev/null && wait "$STREAMPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
# the tool's own temporary directories go here, so we can check they are gone
mkdir "$W/tmp" "$W/src" "$W/www" "$W/out" "$W/keys"
TMPDIR=$W/tmp
export TMPDIR
unset SOURCE_DATE_EPOCH

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1"; }
show() { sed 's/^/#   /' "$@"; }

# run WANT DESCRIPTION ARGS...: run the tool (stdout in $W/out.txt, stderr
# in $W/err.txt) and check its exit status
run() {
	want=$1; what=$2; shift 2
	$UPD_SHELL "$UPD" "$@" > "$W/out.txt" 2> "$W/err.txt"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$what (exit $rc)"
	else
		bad "$what: exit $rc, want $want"
		echo "#  stdout:"; show "$W/out.txt"
		echo "#  stderr:"; show "$W/err.txt"
	fi
}
# has FILE TEXT DESCRIPTION: fixed text present
has() {
	if grep -F -e "$2" "$1" >/dev/null; then ok "$3"
	else bad "$3: '$2' not in $(basename "$1")"; show "$1"; fi
}
# lacks FILE REGEX DESCRIPTION
lacks() {
	if grep -E -e "$2" "$1" >/dev/null; then bad "$3: '$2' found"; show "$1"
	else ok "$3"; fi
}
eq() { # DESCRIPTION WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"
	else bad "$1: got '$3', want '$2'"; fi
}
# the list's SHA-256 as verify prints it (the checksum stored in the file,
# its identity); sha() is the file's
lsha() { "$DDG" verify "$1" 2>/dev/null | sed -n 's/^sha256: *//p'; }
sha() { if [ -e "$1" ]; then sha256sum "$1" | cut -d' ' -f1; else echo none; fi; }
entries() { "$DDG" verify "$1" 2>/dev/null | sed -n 's/^entries: *//p'; }
created() { "$DDG" verify "$1" 2>/dev/null | sed -n 's/^created:.*(\([0-9]*\)).*/\1/p'; }
# only the named files in a directory (no temporary files)
only() { # DESCRIPTION DIR FILE...
	what=$1; dir=$2; shift 2
	want=
	[ $# -gt 0 ] && want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	got=$(ls -A "$dir" | sort | tr '\n' ' ')
	eq "$what" "$want" "$got"
}

# ---------------------------------------------------------------- sources
cat > "$W/src/plain.txt" <<'EOF'
# plain list
duckdns.org
no-ip.com
dynu.com
freedns.afraid.org
ddns.example-a.com
ddns.example-b.com
ddns.example-c.com
ddns.example-d.com
EOF
cat > "$W/src/list.hosts" <<'EOF'
# hosts list
127.0.0.1 localhost
0.0.0.0 ddns.net
0.0.0.0 hopto.org zapto.org
0.0.0.0 vendor-a.example
EOF
cat > "$W/www/extra.txt" <<'EOF'
shared-a.example
shared-b.example
shared-c.example
shared-d.example
EOF
: > "$W/src/empty.txt"

# every curl the tool runs goes through this wrapper, which logs its
# arguments (one line per run) to $W/curl.args
REAL_CURL=$(command -v curl)
mkdir "$W/bin"
cat > "$W/bin/curl" <<WRAPPER
#!/bin/sh
printf '%s\\n' "\$*" >> "$W/curl.args"
exec "$REAL_CURL" "\$@"
WRAPPER
chmod +x "$W/bin/curl"
PATH=$W/bin:$PATH
export PATH

# ---------------------------------------------------------------- HTTP server
PORT=
start_http() {
	for try in 1 2 3; do
		PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		if command -v timeout >/dev/null 2>&1; then
			timeout 900 python3 -m http.server --bind 127.0.0.1 --directory "$W/www" "$PORT" \
				> "$W/http.log" 2>&1 &
		else
			python3 -m http.server --bind 127.0.0.1 --directory "$W/www" "$PORT" \
				> "$W/http.log" 2>&1 &
		fi
		HTTPPID=$!
		i=0
		while [ $i -lt 50 ]; do
			if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/extra.txt" 2>/dev/null; then
				return 0
			fi
			kill -0 "$HTTPPID" 2>/dev/null || break
			sleep 0.2
			i=$((i + 1))
		done
		kill "$HTTPPID" 2>/dev/null; wait "$HTTPPID" 2>/dev/null; HTTPPID=
	done
	return 1
}
if start_http; then ok "HTTP server on 127.0.0.1:$PORT"
else bad "HTTP server starts"; show "$W/http.log"; exit 1; fi
HTTP=http://127.0.0.1:$PORT

OUT=$W/out/dyndns.dgl
# conf FILE LINES...: a config file with the given lines
conf() { f=$1; shift; printf '%s\n' "$@" > "$f"; }

conf "$W/full.conf" \
	"# all three sources" \
	"dyndns-guard-update:" \
	"output: $OUT" \
	"source: ddns-service file://$W/src/plain.txt plain" \
	"source: vendor-ddns \"file://$W/src/list.hosts\" hosts   # quoted URL" \
	"source: shared-domain $HTTP/extra.txt" \
	"insecure-http: yes    # the local test server has no TLS" \
	"timeout: 20" \
	"max-shrink: 0.25"
conf "$W/small.conf" \
	"output: $OUT" \
	"source: ddns-service file://$W/src/plain.txt plain"

# ---------------------------------------------------------------- first install
run 0 "first run installs" -c "$W/full.conf"
has "$W/out.txt" "dyndns-guard-update: installed $OUT: 16 entries (was none), sha256 $(lsha "$OUT")" \
	"summary line: installed, 16 entries, was none, sha256 of the file"
eq "exactly one summary line on stdout" 1 "$(wc -l < "$W/out.txt" | tr -d ' ')"
has "$W/err.txt" "fetching $HTTP/extra.txt" "the HTTP fetch is logged on stderr"
has "$W/err.txt" "warning: fetching $HTTP/extra.txt over plain http (insecure-http: yes)" \
	"insecure-http: yes: the unauthenticated fetch is warned about"
has "$W/http.log" "GET /extra.txt" "the HTTP server was asked for the source"
"$DDG" verify "$OUT" > "$W/verify.txt" 2>&1
eq "installed list verifies" 0 $?
has "$W/verify.txt" "entries: 16" "verify counts 16 entries"
has "$W/verify.txt" "format=plain" "source recorded with its format"
has "$W/verify.txt" "format=hosts" "hosts source recorded"
"$DDG" lookup "$OUT" x.duckdns.org www.hopto.org shared-c.example localhost example.org > "$W/lookup.txt" 2>&1
has "$W/lookup.txt" "x.duckdns.org zone=duckdns.org category=ddns-service" "plain file:// source: match and category"
has "$W/lookup.txt" "www.hopto.org zone=hopto.org category=vendor-ddns" "hosts file:// source: match and category"
has "$W/lookup.txt" "shared-c.example zone=shared-c.example category=shared-domain" "HTTP source: match and category"
has "$W/lookup.txt" "localhost no match" "hosts 'localhost' not listed"
has "$W/lookup.txt" "example.org no match" "unlisted name: no match"
perm=$(ls -l "$OUT" | cut -c1-10)
eq "installed list is world-readable (0644)" "-rw-r--r--" "$perm"
only "no temporary files in the output directory" "$W/out" dyndns.dgl
only "no temporary directory left" "$W/tmp"

# ---------------------------------------------------------------- unchanged
sha1=$(sha "$OUT")
ino1=$(stat -c %i "$OUT")
run 0 "second identical run" -c "$W/full.conf"
has "$W/out.txt" "dyndns-guard-update: unchanged $OUT: 16 entries, sha256 $(lsha "$OUT")" "second run says unchanged"
eq "unchanged: file not replaced (same inode)" "$ino1" "$(stat -c %i "$OUT")"
eq "unchanged: same sha256" "$sha1" "$(sha "$OUT")"

# same content compiled later (a different creation time) is still unchanged
SOURCE_DATE_EPOCH=1700000000 $UPD_SHELL "$UPD" -c "$W/full.conf" > "$W/out.txt" 2> "$W/err.txt"
eq "SOURCE_DATE_EPOCH run: exit 0" 0 $?
has "$W/out.txt" "unchanged" "same content with SOURCE_DATE_EPOCH: unchanged"

# ---------------------------------------------------------------- shrink guard
run 1 "shrink to 8 of 16 entries (50%) refused" -c "$W/small.conf"
has "$W/err.txt" "refused" "refusal says refused"
has "$W/err.txt" "16 -> 8 entries" "refusal names the counts"
has "$W/err.txt" "max-shrink 0.25" "refusal names max-shrink"
eq "refused: installed file untouched (sha256)" "$sha1" "$(sha "$OUT")"
eq "refused: nothing on stdout" "" "$(cat "$W/out.txt")"
only "refused: no temporary files" "$W/out" dyndns.dgl

run 0 "--dry-run --force" -c "$W/small.conf" --dry-run --force
has "$W/out.txt" "dry run: would install $OUT: 8 entries (was 16)" "dry run says what it would do"
eq "dry run: installed file untouched" "$sha1" "$(sha "$OUT")"

conf "$W/half.conf" \
	"output: $OUT" \
	"source: ddns-service file://$W/src/plain.txt plain" \
	"max-shrink: 50%"
run 0 "max-shrink 50% allows exactly halving, 16 -> 8" -c "$W/half.conf" --dry-run
conf "$W/tight.conf" \
	"output: $OUT" \
	"source: ddns-service file://$W/src/plain.txt plain" \
	"max-shrink: 0.4"
run 1 "max-shrink 0.4 refuses 16 -> 8" -c "$W/tight.conf"

run 0 "--force installs the smaller list" -c "$W/small.conf" --force
has "$W/out.txt" "installed $OUT: 8 entries (was 16)" "--force: installed 8 entries (was 16)"
has "$W/err.txt" "--force" "--force: the override is logged"
eq "--force: installed list has 8 entries" 8 "$(entries "$OUT")"
only "--force: no temporary files" "$W/out" dyndns.dgl

run 0 "growing back is always accepted" -c "$W/full.conf"
has "$W/out.txt" "16 entries (was 8)" "grown: 16 entries (was 8)"
sha2=$(sha "$OUT")

# ---------------------------------------------------------------- failed fetches
conf "$W/404.conf" \
	"output: $OUT" \
	"source: ddns-service file://$W/src/plain.txt plain" \
	"source: shared-domain $HTTP/missing.txt" \
	"insecure-http: yes"
run 1 "HTTP 404 refused" -c "$W/404.conf"
has "$W/err.txt" "$HTTP/missing.txt" "404: message names the URL"
has "$W/err.txt" "404" "404: message carries curl's error"
eq "404: installed file untouched" "$sha2" "$(sha "$OUT")"
only "404: no temporary files" "$W/out" dyndns.dgl

conf "$W/nofile.conf" \
	"output: $OUT" \
	"source: ddns-service file://$W/src/no-such-file.txt"
run 1 "missing file:// source refused" -c "$W/nofile.conf"
has "$W/err.txt" "file://$W/src/no-such-file.txt" "missing file: message names the URL"
has "$W/err.txt" "curl: (37)" "missing file: message carries curl's error"
eq "missing file: installed file untouched" "$sha2" "$(sha "$OUT")"

conf "$W/fresh-404.conf" \
	"output: $W/out/fresh.dgl" \
	"source: ddns-service $HTTP/missing.txt" \
	"insecure-http: yes"
run 1 "404 with nothing installed yet" -c "$W/fresh-404.conf"
only "404: nothing installed" "$W/out" dyndns.dgl

conf "$W/empty.conf" \
	"output: $W/out/empty.dgl" \
	"source: ddns-service file://$W/src/empty.txt"
run 1 "an empty result is refused" -c "$W/empty.conf"
has "$W/err.txt" "no entries" "empty result: reason given"
only "empty result: nothing installed" "$W/out" dyndns.dgl

# a server that accepts connections and never answers
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True); time.sleep(120)' > "$W/slow.port" 2>/dev/null &
SLOWPID=$!
i=0
while [ ! -s "$W/slow.port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
SLOW=http://127.0.0.1:$(cat "$W/slow.port")
conf "$W/slow.conf" \
	"output: $OUT" \
	"source: ddns-service $SLOW/list.txt" \
	"insecure-http: yes" \
	"timeout: 1"
run 1 "a source that never answers: refused after timeout" -c "$W/slow.conf"
has "$W/err.txt" "curl: (28)" "timeout: curl's time-out error given"
eq "timeout: installed file untouched" "$sha2" "$(sha "$OUT")"

# stopped (as systemd stops a service: SIGTERM to the process group) while
# fetching: the trap removes the temporary directory
conf "$W/slow.conf" \
	"output: $OUT" \
	"source: ddns-service $SLOW/list.txt" \
	"insecure-http: yes" \
	"timeout: 60"
if command -v setsid >/dev/null 2>&1; then
	setsid $UPD_SHELL "$UPD" -c "$W/slow.conf" > /dev/null 2>&1 &
	pid=$!
	i=0
	while [ -z "$(ls -A "$W/tmp")" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.3
	eq "stopped run: temporary directory existed while fetching" 1 "$(ls -A "$W/tmp" | wc -l | tr -d ' ')"
	env kill -s TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" -ne 0 ]; eq "stopped run: exit status not 0 (was $rc)" 0 $?
	only "stopped run: temporary directory removed" "$W/tmp"
	only "stopped run: output directory untouched" "$W/out" dyndns.dgl
else
	ok "stopped run # SKIP no setsid"
fi

# ---------------------------------------------------------------- hardened fetching
# curl's arguments: --globoff, the size cap, only the URL's own scheme
: > "$W/curl.args"
run 0 "file:// and plain http (insecure-http: yes) sources" -c "$W/full.conf" --dry-run
has "$W/curl.args" "--globoff" "curl runs with --globoff"
lacks "$W/curl.args" "^-fsS -L --proto" "every curl run has --globoff"
has "$W/curl.args" "--max-filesize 268435456 " "default max-download-size: 256M (268435456 bytes)"
has "$W/curl.args" "--proto =file --proto-redir =file " "a file:// source is read as a file only"
has "$W/curl.args" "--proto =http,https --proto-redir =http,https " "insecure-http: plain http may go to https"
# an https:// source: nothing listens on that port; only the arguments matter
CLOSED=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
conf "$W/https.conf" \
	"output: $OUT" \
	"source: ddns-service https://127.0.0.1:$CLOSED/list.txt" \
	"timeout: 5"
: > "$W/curl.args"
run 1 "an https:// source that cannot be reached" -c "$W/https.conf"
has "$W/curl.args" "--proto =https --proto-redir =https " "an https:// source: https only, redirects included"
lacks "$W/curl.args" "=https,|=http,|[=,]file" "an https:// source: no other protocol allowed"
eq "unreachable https: installed file untouched" "$sha2" "$(sha "$OUT")"

# a file name with [ ] { }: curl's URL globbing is off
mkdir "$W/out6"
cp "$W/src/plain.txt" "$W/src/g[1]{a,b}.txt"
conf "$W/glob.conf" \
	"output: $W/out6/glob.dgl" \
	"source: ddns-service \"file://$W/src/g[1]{a,b}.txt\" plain"
run 0 "a source named g[1]{a,b}.txt is fetched as it is (--globoff)" -c "$W/glob.conf"
eq "globoff: the list has the source's 8 entries" 8 "$(entries "$W/out6/glob.dgl")"

# max-download-size: a source over the cap is refused, announced or not
awk 'BEGIN { for (i = 0; i < 200; i++) printf "big-%03d.example\n", i }' > "$W/src/big.txt"
cp "$W/src/big.txt" "$W/www/big.txt"
conf "$W/cap.conf" \
	"output: $OUT" \
	"source: ddns-service file://$W/src/big.txt" \
	"max-download-size: 1K"
run 1 "a file:// source over max-download-size: 1K refused" -c "$W/cap.conf"
has "$W/err.txt" "fetching file://$W/src/big.txt failed: larger than max-download-size (1024 bytes); nothing installed" \
	"over the cap: the URL and the cap named"
eq "over the cap: installed file untouched" "$sha2" "$(sha "$OUT")"
conf "$W/cap.conf" \
	"output: $OUT" \
	"source: ddns-service $HTTP/big.txt" \
	"insecure-http: yes" \
	"max-download-size: 3199"
: > "$W/curl.args"
run 1 "an HTTP source of 3200 bytes with max-download-size: 3199 refused" -c "$W/cap.conf"
has "$W/curl.args" "--max-filesize 3199 " "max-download-size is curl's --max-filesize"
has "$W/err.txt" "fetching $HTTP/big.txt failed: larger than max-download-size (3199 bytes)" \
	"HTTP over the cap: the URL and the cap named"
conf "$W/cap.conf" \
	"output: $W/out6/cap.dgl" \
	"source: ddns-service $HTTP/big.txt" \
	"insecure-http: yes" \
	"max-download-size: 3200"
run 0 "exactly max-download-size is accepted" -c "$W/cap.conf"
# a server that streams 64 MiB without announcing a size (no
# Content-Length): curl cannot know the size before, the download stops
# at the cap anyway
python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(4); s.settimeout(120)
print(s.getsockname()[1], flush=True)
c, a = s.accept(); c.settimeout(60); c.recv(65536)
sent = 0
chunk = b"".join(b"s%07d.example\n" % i for i in range(4096))
try:
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    while sent < 64 << 20:
        c.sendall(chunk); sent += len(chunk)
except OSError:
    pass
open(sys.argv[1], "w").write("%d\n" % sent)' "$W/stream.sent" > "$W/stream.port" 2>/dev/null &
STREAMPID=$!
i=0
while [ ! -s "$W/stream.port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
conf "$W/stream.conf" \
	"output: $OUT" \
	"source: ddns-service http://127.0.0.1:$(cat "$W/stream.port")/list.txt" \
	"insecure-http: yes" \
	"max-download-size: 64K" \
	"timeout: 60"
run 1 "a stream of unannounced size over max-download-size refused" -c "$W/stream.conf"
has "$W/err.txt" "larger than max-download-size (65536 bytes)" "unannounced size: the cap named"
wait "$STREAMPID" 2>/dev/null
STREAMPID=
sent=$(cat "$W/stream.sent" 2>/dev/null)
if [ -n "$sent" ] && [ "$sent" -lt 33554432 ]; then
	ok "unannounced size: the download stopped near the cap ($sent of 67108864 bytes sent)"
else
	bad "unannounced size: the download stopped near the cap: ${sent:-?} of 67108864 bytes sent"
fi
eq "unannounced size: installed file untouched" "$sha2" "$(sha "$OUT")"
only "unannounced size: no temporary directory left" "$W/tmp"

# ---------------------------------------------------------------- creation time
mkdir "$W/out2"
conf "$W/sde.conf" \
	"output: \"out2/sp ace.dgl\"    # relative to this file, quoted" \
	"source: ddns-service file://$W/src/plain.txt plain"
SOURCE_DATE_EPOCH=1700000000 $UPD_SHELL "$UPD" -c "$W/sde.conf" > "$W/out.txt" 2> "$W/err.txt"
eq "relative quoted output path with a blank: exit 0" 0 $?
eq "SOURCE_DATE_EPOCH sets the creation time" 1700000000 "$(created "$W/out2/sp ace.dgl")"
sha3=$(sha "$W/out2/sp ace.dgl")
SOURCE_DATE_EPOCH=1700000000 $UPD_SHELL "$UPD" -c "$W/sde.conf" > /dev/null 2>&1
eq "deterministic: same sources and time, same bytes" "$sha3" "$(sha "$W/out2/sp ace.dgl")"
touch -d @1600000000 "$W/src/plain.txt"
touch -d @1650000000 "$W/src/list.hosts"
conf "$W/srcdate.conf" \
	"output: $W/out2/srcdate.dgl" \
	"source: ddns-service file://$W/src/plain.txt plain" \
	"source: vendor-ddns file://$W/src/list.hosts hosts" \
	"created: source-date"
run 0 "created: source-date" -c "$W/srcdate.conf"
eq "source-date: creation time is the newest source's" 1650000000 "$(created "$W/out2/srcdate.dgl")"

# ---------------------------------------------------------------- signatures
if "$DDG" keygen -o "$W/keys/pub" > "$W/keygen.out" 2>&1 &&
	"$DDG" keygen -o "$W/keys/other" >> "$W/keygen.out" 2>&1; then
	ok "keygen: two key pairs"
else
	bad "keygen: two key pairs"; show "$W/keygen.out"
fi

# a centrally published list and its signature
"$DDG" compile -q -o "$W/www/central.dgl" --category ddns-service "$W/src/plain.txt" \
	--format hosts --category vendor-ddns "$W/src/list.hosts" > /dev/null 2>&1
"$DDG" sign --key "$W/keys/pub.key" "$W/www/central.dgl" > "$W/sign.out" 2>&1
eq "sign: central list signed" 0 $?
mkdir "$W/out3"
SOUT=$W/out3/signed.dgl
conf "$W/signed.conf" \
	"output: $SOUT" \
	"signed-list: $HTTP/central.dgl" \
	"public-key: $W/keys/pub.pub"
run 0 "signed-list with a good signature installed" -c "$W/signed.conf"
has "$W/out.txt" "installed $SOUT: 12 entries (was none)" "signed-list: summary"
has "$W/http.log" "GET /central.dgl.sig" "signed-list: the .sig was fetched"
eq "signed-list: the list installed byte for byte" "$(sha "$W/www/central.dgl")" "$(sha "$SOUT")"
eq "signed-list: the signature installed next to it" "$(sha "$W/www/central.dgl.sig")" "$(sha "$SOUT.sig")"
"$DDG" verify --public-key "$W/keys/pub.pub" "$SOUT" > /dev/null 2>&1
eq "signed-list: installed pair verifies with the key" 0 $?
only "signed-list: no temporary files" "$W/out3" signed.dgl signed.dgl.sig
run 0 "signed-list: second run" -c "$W/signed.conf"
has "$W/out.txt" "unchanged $SOUT" "signed-list: unchanged"
sha4=$(sha "$SOUT")

# the signature URL: ".sig" goes after the path, before ?query and #fragment
: > "$W/curl.args"
conf "$W/query.conf" \
	"output: $W/out6/q.dgl" \
	"signed-list: \"$HTTP/central.dgl?v=1#top\"" \
	"public-key: $W/keys/pub.pub"
run 0 "signed-list URL with a ?query and a #fragment installed" -c "$W/query.conf"
has "$W/http.log" "GET /central.dgl?v=1 HTTP" "query: the list fetched with its query"
has "$W/http.log" "GET /central.dgl.sig?v=1 HTTP" "query: the signature is path.sig?query"
eq "query: the signature installed" "$(sha "$W/www/central.dgl.sig")" "$(sha "$W/out6/q.dgl.sig")"
has "$W/curl.args" "--proto =http,https " "a signed list may be fetched over plain http"
has "$W/curl.args" "--max-filesize 65536 " "the signature is capped at 64 KiB"
# or named explicitly
mkdir "$W/www/sigs"
cp "$W/www/central.dgl.sig" "$W/www/sigs/central-signature"
conf "$W/sigurl.conf" \
	"output: $W/out6/s.dgl" \
	"signed-list: $HTTP/central.dgl" \
	"signature-url: $HTTP/sigs/central-signature" \
	"public-key: $W/keys/pub.pub"
run 0 "signed-list with signature-url: installed" -c "$W/sigurl.conf"
has "$W/http.log" "GET /sigs/central-signature HTTP" "signature-url: the signature fetched from there"
eq "signature-url: the signature installed as OUTPUT.sig" "$(sha "$W/www/central.dgl.sig")" "$(sha "$W/out6/s.dgl.sig")"

conf "$W/otherkey.conf" \
	"output: $SOUT" \
	"signed-list: $HTTP/central.dgl" \
	"public-key: $W/keys/other.pub"
run 1 "signed-list signed by another key refused" -c "$W/otherkey.conf"
has "$W/err.txt" "does not verify" "other key: reason given"
eq "other key: installed list untouched" "$sha4" "$(sha "$SOUT")"

# the published list replaced, the old signature left: a bad signature
cp "$W/www/central.dgl.sig" "$W/keep.sig"
"$DDG" compile -q -o "$W/www/central.dgl" --category ddns-service "$W/src/plain.txt" \
	--format hosts --category vendor-ddns "$W/src/list.hosts" \
	--category shared-domain "$W/www/extra.txt" > /dev/null 2>&1
cp "$W/keep.sig" "$W/www/central.dgl.sig"
run 1 "signed-list with a bad signature refused" -c "$W/signed.conf"
has "$W/err.txt" "does not verify" "bad signature: reason given"
eq "bad signature: installed list untouched" "$sha4" "$(sha "$SOUT")"
eq "bad signature: installed .sig untouched" "$(sha "$W/keep.sig")" "$(sha "$SOUT.sig")"
only "bad signature: no temporary files" "$W/out3" signed.dgl signed.dgl.sig

rm -f "$W/www/central.dgl.sig"
run 1 "signed-list without a .sig refused" -c "$W/signed.conf"
has "$W/err.txt" "$HTTP/central.dgl.sig" "missing .sig: message names its URL"
eq "missing .sig: installed list untouched" "$sha4" "$(sha "$SOUT")"

# signing locally with sign-key
mkdir "$W/out4"
LOUT=$W/out4/local.dgl
conf "$W/signkey.conf" \
	"output: $LOUT" \
	"source: ddns-service file://$W/src/plain.txt plain" \
	"sign-key: $W/keys/pub.key" \
	"public-key: $W/keys/pub.pub"
run 0 "sign-key: installed" -c "$W/signkey.conf"
[ -f "$LOUT.sig" ]; eq "sign-key: OUTPUT.sig written" 0 $?
"$DDG" verify --public-key "$W/keys/pub.pub" "$LOUT" > "$W/v.txt" 2>&1
eq "sign-key: verify --public-key accepts OUTPUT" 0 $?
"$DDG" verify --public-key "$W/keys/other.pub" "$LOUT" > "$W/v.txt" 2>&1
eq "sign-key: verify with another key refuses it" 1 $?
only "sign-key: no temporary files" "$W/out4" local.dgl local.dgl.sig
rm -f "$LOUT.sig"
run 0 "sign-key: unchanged list without a .sig" -c "$W/signkey.conf"
has "$W/out.txt" "unchanged $LOUT" "sign-key: unchanged"
has "$W/out.txt" "signature added" "sign-key: missing signature added"
"$DDG" verify --public-key "$W/keys/pub.pub" "$LOUT" > /dev/null 2>&1
eq "sign-key: re-added signature verifies" 0 $?
conf "$W/nosign.conf" \
	"output: $LOUT" \
	"source: ddns-service file://$W/src/plain.txt plain" \
	"source: vendor-ddns file://$W/src/list.hosts hosts"
run 0 "new list without sign-key" -c "$W/nosign.conf"
only "stale signature removed with the new unsigned list" "$W/out4" local.dgl
conf "$W/mismatch.conf" \
	"output: $LOUT" \
	"source: ddns-service file://$W/src/plain.txt plain" \
	"sign-key: $W/keys/pub.key" \
	"public-key: $W/keys/other.pub"
sha5=$(sha "$LOUT")
run 1 "sign-key not matching public-key refused" -c "$W/mismatch.conf" --force
eq "mismatched keys: installed list untouched" "$sha5" "$(sha "$LOUT")"
only "mismatched keys: no temporary files" "$W/out4" local.dgl

# a corrupt installed list is replaced (no shrink guard against it)
mkdir "$W/out5"
echo "not a list" > "$W/out5/c.dgl"
conf "$W/corrupt.conf" \
	"output: $W/out5/c.dgl" \
	"source: ddns-service file://$W/src/plain.txt plain"
run 0 "a corrupt installed list is replaced" -c "$W/corrupt.conf"
has "$W/err.txt" "does not verify" "corrupt installed list: warned about"
has "$W/out.txt" "installed $W/out5/c.dgl: 8 entries (was none)" "corrupt installed list: summary"
eq "corrupt installed list: the new one verifies" 8 "$(entries "$W/out5/c.dgl")"
conf "$W/dir.conf" \
	"output: $W/out5" \
	"source: ddns-service file://$W/src/plain.txt plain"
run 2 "output naming a directory" -c "$W/dir.conf"
conf "$W/nodir.conf" \
	"output: $W/no-such-dir/x.dgl" \
	"source: ddns-service file://$W/src/plain.txt plain"
run 1 "output directory missing" -c "$W/nodir.conf"
has "$W/err.txt" "does not exist" "missing output directory: reason given"

# ---------------------------------------------------------------- config and usage errors
# cerr DESCRIPTION EXPECTED-TEXT LINES...: a config that must fail with exit 2
cerr() {
	cwhat=$1; text=$2; shift 2
	conf "$W/bad.conf" "$@"
	run 2 "config error: $cwhat" -c "$W/bad.conf"
	has "$W/err.txt" "$text" "config error: $cwhat: file:line and reason"
	eq "config error: $cwhat: installed file untouched" "$sha2" "$(sha "$OUT")"
}
cerr "unknown key" "$W/bad.conf:3: unknown key 'colour:'" \
	"output: $OUT" "source: ddns-service file://$W/src/plain.txt" "colour: blue"
cerr "bad max-shrink" "$W/bad.conf:3: bad max-shrink 'lots'" \
	"output: $OUT" "# comment" "max-shrink: lots" "source: ddns-service file://$W/src/plain.txt"
cerr "max-shrink above 1" "$W/bad.conf:2: bad max-shrink '1.5'" \
	"output: $OUT" "max-shrink: 1.5" "source: ddns-service file://$W/src/plain.txt"
cerr "unsupported URL scheme" "$W/bad.conf:2: bad URL 'ftp://example.com/x'" \
	"output: $OUT" "source: ddns-service ftp://example.com/x"
cerr "bad format" "$W/bad.conf:2: bad format 'xml'" \
	"output: $OUT" "source: ddns-service file://$W/src/plain.txt xml"
cerr "bad category" "$W/bad.conf:2: bad category 'a/b'" \
	"output: $OUT" "source: a/b file://$W/src/plain.txt"
cerr "source without URL" "$W/bad.conf:2: 'source:' expects CATEGORY URL [FORMAT]" \
	"output: $OUT" "source: ddns-service"
cerr "duplicate output" "$W/bad.conf:3: duplicate key 'output:'" \
	"output: $OUT" "source: ddns-service file://$W/src/plain.txt" "output: $OUT"
cerr "bad timeout" "$W/bad.conf:2: bad timeout '0'" \
	"output: $OUT" "timeout: 0" "source: ddns-service file://$W/src/plain.txt"
cerr "bad created" "$W/bad.conf:2: bad created 'yesterday'" \
	"output: $OUT" "created: yesterday" "source: ddns-service file://$W/src/plain.txt"
cerr "unterminated quote" "$W/bad.conf:2: unterminated quote" \
	"output: $OUT" "source: ddns-service \"file://$W/src/plain.txt"
cerr "line without a key" "$W/bad.conf:1: expected \"key: value\"" \
	"output $OUT" "source: ddns-service file://$W/src/plain.txt"
cerr "unreadable public-key" "$W/bad.conf:3: 'public-key:' file '$W/keys/nope.pub' cannot be read" \
	"output: $OUT" "signed-list: $HTTP/central.dgl" "public-key: $W/keys/nope.pub"
cerr "signed-list without public-key" "$W/bad.conf:2: 'signed-list:' needs 'public-key:'" \
	"output: $OUT" "signed-list: $HTTP/central.dgl"
cerr "signed-list with sources" "$W/bad.conf:3: 'signed-list:' and 'source:' exclude each other" \
	"output: $OUT" "source: ddns-service file://$W/src/plain.txt" \
	"signed-list: $HTTP/central.dgl" "public-key: $W/keys/pub.pub"
cerr "no output" "$W/bad.conf: no 'output:' configured" \
	"source: ddns-service file://$W/src/plain.txt"
cerr "unsigned http:// source" \
	"$W/bad.conf:3: source URL '$HTTP/extra.txt' is plain http:// and not signed: anyone on the path could add or remove entries; use https://, a signed-list:, or set 'insecure-http: yes' to accept it" \
	"output: $OUT" "source: ddns-service file://$W/src/plain.txt" "source: shared-domain $HTTP/extra.txt" \
	"source: other $HTTP/other.txt"
cerr "unsigned http:// source with insecure-http: no" "$W/bad.conf:2: source URL '$HTTP/extra.txt' is plain http://" \
	"output: $OUT" "source: shared-domain $HTTP/extra.txt" "insecure-http: no"
cerr "bad insecure-http" "$W/bad.conf:2: bad insecure-http 'maybe' (yes or no)" \
	"output: $OUT" "insecure-http: maybe" "source: ddns-service file://$W/src/plain.txt"
cerr "bad max-download-size" "$W/bad.conf:2: bad max-download-size '10X' (bytes, or a number with K, M or G; 1 byte to 16G)" \
	"output: $OUT" "max-download-size: 10X" "source: ddns-service file://$W/src/plain.txt"
cerr "max-download-size 0" "$W/bad.conf:2: bad max-download-size '0'" \
	"output: $OUT" "max-download-size: 0" "source: ddns-service file://$W/src/plain.txt"
cerr "max-download-size over 16G" "$W/bad.conf:2: bad max-download-size '17G'" \
	"output: $OUT" "max-download-size: 17G" "source: ddns-service file://$W/src/plain.txt"
cerr "signature-url without signed-list" "$W/bad.conf:3: 'signature-url:' needs 'signed-list:'" \
	"output: $OUT" "source: ddns-service file://$W/src/plain.txt" "signature-url: $HTTP/x.sig"
cerr "bad signature-url" "$W/bad.conf:4: bad URL 'ftp://h/x.sig'" \
	"output: $OUT" "signed-list: $HTTP/central.dgl" "public-key: $W/keys/pub.pub" "signature-url: ftp://h/x.sig"
cerr "no source" "$W/bad.conf: no 'source:' or 'signed-list:' configured" \
	"output: $OUT"

run 2 "missing config file" -c "$W/nonexistent.conf"
has "$W/err.txt" "$W/nonexistent.conf" "missing config file named"
run 2 "unknown option" -c "$W/full.conf" --bogus
run 0 "--help" --help
has "$W/out.txt" "usage:" "--help prints the usage"
DDG_BIN=$W/nonexistent
run 2 "DDG_BIN not executable" -c "$W/full.conf"
has "$W/err.txt" "DDG_BIN" "DDG_BIN not executable: named"
DDG_BIN=$DDG

# ---------------------------------------------------------------- nothing left behind
only "output directory: only the list" "$W/out" dyndns.dgl
only "no temporary directories left at all" "$W/tmp"

echo "t_update: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
