# lib.sh: integration harness for dyndns-guard, sourced by tests/integration/t_*.sh.
#
# Starts the real dynlib-enabled Unbound with dyndns_guard.so on 127.0.0.1 on a
# free high port (num-threads: 2), with an offline upstream (an auth-zone for
# "." with for-upstream: yes, for-downstream: no), queries it with dig, counts
# assertions, and stops what it started by PID, also when a test fails.
#
# Environment (set by make check through AM_TESTS_ENVIRONMENT):
#   top_srcdir, top_builddir, UNBOUND_DAEMON, UNBOUND_CONTROL;
#   DDG_SKIP_INTEGRATION=1 skips every integration test (scripts/test.sh's
#   make distcheck: the normal build ran them already)
# Exit status: 0 all passed, 1 some failed, 77 skipped (no dynlib Unbound).

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${UNBOUND_DAEMON:=}"
: "${UNBOUND_CONTROL:=}"
T_NAME=$(basename "$0" .sh)
# timeouts stretch under a wrapper (valgrind runs Unbound many times slower)
T_SLOW=1
[ -n "${UB_WRAPPER:-}" ] && T_SLOW=10
T_PASS=0
T_FAIL=0
UB_PID=""
MODULE="$top_builddir/.libs/dyndns_guard.so"
DDG="$top_builddir/dyndns-guard"

if [ -n "${DDG_SKIP_INTEGRATION:-}" ]; then
	echo "SKIP: DDG_SKIP_INTEGRATION is set"
	exit 77
fi
if [ -z "$UNBOUND_DAEMON" ] || [ ! -x "$UNBOUND_DAEMON" ]; then
	echo "SKIP: no dynlib-enabled unbound (configure --with-unbound-source=DIR)"
	exit 77
fi
if [ ! -f "$MODULE" ]; then
	echo "FAIL: $MODULE not built"
	exit 1
fi
command -v dig >/dev/null 2>&1 || { echo "FAIL: dig not installed (bind9-dnsutils)"; exit 1; }

WORK="$top_builddir/tests/integration/scratch/$T_NAME"
rm -rf "$WORK"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
LOG="$WORK/unbound.log"
# the module finds its configuration through this (write_ddg_conf writes it)
DYNDNS_GUARD_CONF="$WORK/dyndns-guard.conf"
export DYNDNS_GUARD_CONF

ub_stop() {
	if [ -n "$UB_PID" ]; then
		kill "$UB_PID" 2>/dev/null
		i=0
		n=50
		[ -n "${UB_WRAPPER:-}" ] && n=1200
		while kill -0 "$UB_PID" 2>/dev/null && [ $i -lt $n ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$UB_PID" 2>/dev/null
		wait "$UB_PID" 2>/dev/null
		UB_PID=""
	fi
}
trap 'ub_stop' EXIT
trap 'ub_stop; exit 1' INT TERM HUP

# a free TCP+UDP port on 127.0.0.1
free_port() {
	python3 - <<'PY'
import socket
for _ in range(100):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close(); continue
    t.close(); u.close()
    if port > 1024:
        print(port); break
PY
}
PORT=$(free_port)

# The offline upstream: a small root zone served to the iterator.
# Callers may append records to $WORK/root.zone before ub_start.
write_root_zone() {
	cat > "$WORK/root.zone" <<'ZONE'
$TTL 3600
.			86400	IN SOA	a.root-servers.net. hostmaster.root. 1 1800 900 604800 60
.			518400	IN NS	a.root-servers.net.
a.root-servers.net.	518400	IN A	127.0.0.1
www.example.com.	300	IN A	192.0.2.1
www.example.com.	300	IN AAAA	2001:db8::1
second.example.com.	300	IN A	192.0.2.2
reload.example.com.	300	IN A	192.0.2.3
hup.example.com.	300	IN A	192.0.2.4
duckdns.org.		300	IN A	198.51.100.1
foo.duckdns.org.	300	IN A	198.51.100.10
foo.duckdns.org.	300	IN AAAA	2001:db8::10
foo.duckdns.org.	300	IN TXT	"hello"
bar.duckdns.org.	300	IN A	198.51.100.11
notduckdns.org.		300	IN A	198.51.100.20
x.no-ip.biz.		300	IN A	198.51.100.30
ok.no-ip.biz.		300	IN A	198.51.100.31
y.hopto.org.		300	IN A	198.51.100.40
router.myasustor.com.	300	IN A	198.51.100.50
z.freedns-shared.net.	300	IN A	198.51.100.60
cname.example.com.	300	IN CNAME foo.duckdns.org.
cname2.example.com.	300	IN CNAME cname3.example.net.
cname3.example.net.	300	IN CNAME bar.duckdns.org.
www.unlisted.net.	300	IN A	192.0.2.99
ZONE
}

# Write unbound.conf.  Extra server: lines may be passed as $1.
write_unbound_conf() {
	extra=${1:-}
	cat > "$WORK/unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: $PORT
	do-ip6: no
	num-threads: 2
	username: ""
	chroot: ""
	directory: "$WORK"
	pidfile: "$WORK/unbound.pid"
	logfile: "$LOG"
	use-syslog: no
	log-time-ascii: yes
	verbosity: 1
	module-config: "dynlib validator iterator"
	do-not-query-localhost: no
	local-zone: "test." nodefault
	access-control: 127.0.0.0/8 allow
	so-reuseport: no
$extra
dynlib:
	dynlib-file: "$MODULE"
auth-zone:
	name: "."
	zonefile: "$WORK/root.zone"
	for-upstream: yes
	for-downstream: no
	fallback-enabled: no
remote-control:
	control-enable: yes
	control-interface: "$WORK/control.sock"
	control-use-cert: no
CONF
}

# Start unbound; fail the test if it does not come up.
ub_start() {
	[ -f "$WORK/root.zone" ] || write_root_zone
	[ -f "$WORK/unbound.conf" ] || write_unbound_conf
	: > "$LOG"
	# UB_WRAPPER: a command to run Unbound under (make memcheck: valgrind)
	# shellcheck disable=SC2086
	${UB_WRAPPER:-} "$UNBOUND_DAEMON" -d -c "$WORK/unbound.conf" > "$WORK/unbound.stderr" 2>&1 &
	UB_PID=$!
	i=0
	n=100
	[ -n "${UB_WRAPPER:-}" ] && n=1200
	while [ $i -lt $n ]; do
		if ! kill -0 "$UB_PID" 2>/dev/null; then
			echo "unbound exited at start:"; cat "$WORK/unbound.stderr" "$LOG"
			UB_PID=""
			return 1
		fi
		if dig @127.0.0.1 -p "$PORT" +tries=1 +time=1 +short version.server CH TXT >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	echo "unbound did not answer on port $PORT"; cat "$LOG"
	return 1
}

# dig against the test server; extra dig options follow.
q() {
	dig @127.0.0.1 -p "$PORT" +tries=1 +time=$((3 * T_SLOW)) "$@"
}

uctl() {
	"$UNBOUND_CONTROL" -c "$WORK/unbound.conf" "$@"
}

# wait_log PATTERN [N [TENTHS]]: wait until the log has at least N lines
# matching PATTERN (events are written by the worker that answered, just
# after the answer goes out), at most TENTHS tenths of a second (default 30).
wait_log() {
	pat=$1; n=${2:-1}; max=$((${3:-30} * T_SLOW)); i=0
	while [ $i -lt "$max" ]; do
		c=$(grep -c -- "$pat" "$LOG" 2>/dev/null || true)
		[ "${c:-0}" -ge "$n" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

count_log() {
	grep -c -- "$1" "$LOG" 2>/dev/null || true
}

# decide NAME: what the resolver did with NAME A: block (NXDOMAIN with EDE
# 15, the module's answer), pass (an answer or the zone's own NXDOMAIN) or
# error(RCODE)
decide() {
	r=$(q "$1" A)
	case $r in
	*"status: NXDOMAIN"*"EDE: 15"*) echo block ;;
	*"status: NOERROR"*|*"status: NXDOMAIN"*) echo pass ;;
	*) echo "error($(printf '%s' "$r" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'))" ;;
	esac
}

pass() { T_PASS=$((T_PASS + 1)); echo "ok - $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'; return 0; }

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds
check() {
	d=$1; shift
	if out=$("$@" 2>&1); then pass "$d"; else fail "$d" "$out"; fi
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: [$2]
actual:   [$3]"; fi
}

# expect_match DESCRIPTION REGEX TEXT
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "no match for /$2/ in:
$3"; fi
}

expect_nomatch() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then fail "$1" "unexpected match for /$2/ in:
$3"; else pass "$1"; fi
}

finish() {
	ub_stop
	auth_stop
	nsd_stop
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	if [ "$T_FAIL" -ne 0 ]; then
		echo "--- unbound log ($LOG), last 40 lines:"; tail -40 "$LOG"
		exit 1
	fi
	[ "$T_PASS" -gt 0 ] || exit 1
	exit 0
}

# write_list FILE.txt: compile $WORK/FILE.txt (written by the caller) into
# $WORK/dyndns.dgl with the real compiler.
compile_list() {
	"$DDG" compile --created 1700000000 -o "$WORK/dyndns.dgl" "$@" \
		> "$WORK/compile.out" 2>&1 || { cat "$WORK/compile.out"; return 1; }
}

# The shared test list: categories as the shipped list uses them.
write_test_list() {
	cat > "$WORK/ddns.txt" <<'L'
duckdns.org
no-ip.biz
hopto.org
dynu.net
L
	cat > "$WORK/vendor.txt" <<'L'
myasustor.com
L
	cat > "$WORK/shared.txt" <<'L'
freedns-shared.net
L
	compile_list --category ddns-service "$WORK/ddns.txt" \
		--category vendor-ddns "$WORK/vendor.txt" \
		--category shared-domain "$WORK/shared.txt"
}

# write_ddg_conf LINES: dyndns-guard.conf next to unbound.conf (the module
# finds it through $DYNDNS_GUARD_CONF).
write_ddg_conf() {
	{ echo "dyndns-guard:"; printf '%s\n' "$1"; } > "$WORK/dyndns-guard.conf"
}

AUTH_PID=""
AUTH_PORT=""
# A second, plain Unbound acting as the authoritative server of a zone
# (for-downstream), on its own port: start_auth ZONE ZONEFILE
start_auth() {
	AUTH_PORT=$(free_port)
	mkdir -p "$WORK/auth"
	cat > "$WORK/auth/unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: $AUTH_PORT
	do-ip6: no
	num-threads: 1
	username: ""
	chroot: ""
	directory: "$WORK/auth"
	pidfile: "$WORK/auth/unbound.pid"
	logfile: "$WORK/auth/unbound.log"
	use-syslog: no
	module-config: "iterator"
	access-control: 127.0.0.0/8 allow
auth-zone:
	name: "$1"
	zonefile: "$2"
	for-downstream: yes
	for-upstream: no
CONF
	"$UNBOUND_DAEMON" -d -c "$WORK/auth/unbound.conf" > "$WORK/auth/stderr" 2>&1 &
	AUTH_PID=$!
	i=0
	while [ $i -lt 50 ]; do
		dig @127.0.0.1 -p "$AUTH_PORT" +tries=1 +time=1 +norec "$1" SOA >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
auth_stop() {
	if [ -n "$AUTH_PID" ]; then kill "$AUTH_PID" 2>/dev/null; wait "$AUTH_PID" 2>/dev/null; AUTH_PID=""; fi
}
trap 'ub_stop; auth_stop' EXIT

# the [dyndns-guard] event lines of the log
events() { grep '\[dyndns-guard\] action=' "$LOG"; }

# ---------------------------------------------------------------------------
# A real authoritative server: NSD (Debian's nsd package) on port 53 of an
# address of its own in 127.0.0.0/8, so that Unbound reaches it through
# stub-zones and also through name-server addresses it looks up itself (the
# iterator always sends to port 53).  The address is derived from the test's
# PID so that tests running in parallel do not meet.
NSD_PID=""
NSD_IP="127.53.$(( ($$ / 250) % 250 + 1 )).$(( $$ % 250 + 1 ))"
NSD_DIR="$WORK/nsd"

# nsd_start ZONE...: serve $NSD_DIR/ZONE.zone for each ZONE; fails the
# test when NSD does not answer for each of them.
nsd_start() {
	command -v nsd >/dev/null 2>&1 || { echo "FAIL: nsd not installed"; return 1; }
	mkdir -p "$NSD_DIR"
	{
		cat <<CONF
server:
	ip-address: $NSD_IP
	port: 53
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$NSD_DIR"
	pidfile: "$NSD_DIR/nsd.pid"
	logfile: "$NSD_DIR/nsd.log"
	database: ""
	xfrdfile: "$NSD_DIR/xfrd.state"
	zonelistfile: "$NSD_DIR/zone.list"
	server-count: ${NSD_SERVERS:-1}
	reuseport: yes
	verbosity: 1
	hide-version: yes
	# no response rate limiting: every test queries from one address
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
CONF
		for z in "$@"; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.zone"\n' "$z" "$z"
		done
	} > "$NSD_DIR/nsd.conf"
	nsd -d -c "$NSD_DIR/nsd.conf" > "$NSD_DIR/stderr" 2>&1 &
	NSD_PID=$!
	for z in "$@"; do
		i=0
		while ! dig @"$NSD_IP" +tries=1 +time=1 +norec "$z" SOA 2>/dev/null | grep -q 'status: NOERROR'; do
			i=$((i + 1))
			if [ $i -ge 50 ] || ! kill -0 "$NSD_PID" 2>/dev/null; then
				echo "nsd did not serve $z:"; cat "$NSD_DIR/stderr" "$NSD_DIR/nsd.log" 2>/dev/null
				return 1
			fi
			sleep 0.1
		done
	done
	return 0
}
# write_provider_zones EXTRA-DYNSERV-LINES: the blocked provider zone
# dynserv.net (its name servers, ns7.ops on $NSD_IP) and corp.example, an
# unrelated zone whose only name server is ns7.ops.dynserv.net
write_provider_zones() {
	mkdir -p "$NSD_DIR"
	cat > "$NSD_DIR/dynserv.net.zone" <<ZONE
\$TTL 300
@		SOA	ns1.dynserv.net. hostmaster.dynserv.net. 1 3600 600 86400 60
@		NS	ns1.dynserv.net.
ns1		A	$NSD_IP
ns7.ops		A	$NSD_IP
$1
ZONE
	cat > "$NSD_DIR/corp.example.zone" <<ZONE
\$TTL 300
@		SOA	ns7.ops.dynserv.net. hostmaster.corp.example. 1 3600 600 86400 60
@		NS	ns7.ops.dynserv.net.
$2
ZONE
}
# the stub-zones that lead Unbound to NSD for them, and for the zones given
provider_stubs() {
	printf 'stub-zone:\n\tname: "dynserv.net"\n\tstub-addr: %s\n' "$NSD_IP"
	printf 'stub-zone:\n\tname: "corp.example"\n\tstub-host: "ns7.ops.dynserv.net"\n'
	for z in "$@"; do
		printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: %s\n' "$z" "$NSD_IP"
	done
}
nsd_stop() {
	if [ -n "$NSD_PID" ]; then
		kill "$NSD_PID" 2>/dev/null
		i=0
		while kill -0 "$NSD_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$NSD_PID" 2>/dev/null
		wait "$NSD_PID" 2>/dev/null
		NSD_PID=""
	fi
}
trap 'ub_stop; auth_stop; nsd_stop' EXIT
