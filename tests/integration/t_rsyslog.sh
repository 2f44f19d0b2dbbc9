#!/bin/sh
# Shipping the JSON events with rsyslog (docs/operations.md, "Shipping
# events to Elastic or Splunk"): the real rsyslogd, in the foreground with a
# private configuration (no system socket, its own work directory and pid
# file), runs the documented examples/rsyslog/*.conf with only their paths,
# host and port replaced.  Events written by the real Unbound and module
# (names with escapes, a CNAME chain, block and log) arrive unchanged, byte
# for byte: through imfile and omfile, also across a logrotate rename of
# the event file, and through omfwd to a TCP listener.
# Waits are bounded polls (hang detectors), not timing assertions.
. "$(dirname "$0")/lib.sh"

command -v rsyslogd >/dev/null 2>&1 || { echo "FAIL: rsyslogd not installed (scripts/deps.sh: rsyslog)"; exit 1; }
EX="$top_srcdir/examples/rsyslog"

RS_PID=""
LS_PID=""
rs_stop() {
	if [ -n "$RS_PID" ]; then
		kill "$RS_PID" 2>/dev/null
		wait "$RS_PID" 2>/dev/null
		RS_PID=""
	fi
}
ls_stop() {
	if [ -n "$LS_PID" ]; then
		kill "$LS_PID" 2>/dev/null
		wait "$LS_PID" 2>/dev/null
		LS_PID=""
	fi
}
trap 'ub_stop; rs_stop; ls_stop' EXIT

# rs_start DIR EXAMPLE SED-SCRIPT: rsyslogd -n with DIR/rsyslog.conf, which
# sets the work directory and includes EXAMPLE edited by SED-SCRIPT
rs_start() {
	mkdir -p "$1/work"
	sed -e "$3" "$2" > "$1/dyndns-guard.conf"
	cat > "$1/rsyslog.conf" <<CONF
global(workDirectory="$1/work" maxMessageSize="64k")
include(file="$1/dyndns-guard.conf")
CONF
	if ! rsyslogd -N1 -f "$1/rsyslog.conf" > "$1/check.txt" 2>&1; then
		fail "rsyslogd -N1 accepts $(basename "$2")" "$(cat "$1/check.txt")"
		return 1
	fi
	pass "rsyslogd -N1 accepts $(basename "$2")"
	rsyslogd -n -f "$1/rsyslog.conf" -i "$1/rsyslogd.pid" > "$1/stderr.txt" 2>&1 &
	RS_PID=$!
	return 0
}

# wait_same A B: wait (20 s at most) until file B has as many bytes as A
wait_same() {
	i=0
	while [ $i -lt $((200 * T_SLOW)) ]; do
		[ -f "$2" ] && [ "$(wc -c < "$1")" -le "$(wc -c < "$2")" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# the configurations shown in docs/operations.md are these files
out=$(python3 - "$top_srcdir/docs/operations.md" "$EX/dyndns-guard.conf" "$EX/dyndns-guard-forward.conf" <<'PY'
import re, sys
doc = open(sys.argv[1]).read()
sec = doc[doc.index("### rsyslog (tested)"):doc.index("### Vector")]
blocks = re.findall(r"```\n(.*?)```", sec, re.S)
files = [open(f).read() for f in sys.argv[2:]]
if len(blocks) != 2:
    print("expected 2 configuration blocks, found %d" % len(blocks))
elif not files[0].endswith(blocks[0]):
    print("the first block is not the end of dyndns-guard.conf")
elif blocks[1] not in files[1]:
    print("the second block is not part of dyndns-guard-forward.conf")
PY
)
expect_eq "docs/operations.md shows the tested configurations" "" "$out"

# wait_written FILE...: wait (10 s at most) until the files hold as many
# lines as events were made ($N_EXPECTED, counted by events_round), and
# Unbound's log as many text lines (both writer threads append them within
# 50 ms of the answer, each on its own)
N_EXPECTED=0
wait_written() {
	i=0
	while [ $i -lt $((100 * T_SLOW)) ]; do
		[ "$(cat "$@" 2>/dev/null | wc -l)" -ge "$N_EXPECTED" ] &&
			[ "$(events | wc -l)" -ge "$N_EXPECTED" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

write_root_zone
cat >> "$WORK/root.zone" <<'ZONE'
we\"ird\\x\200.duckdns.org.	300	IN A	198.51.100.12
ZONE
write_unbound_conf
write_test_list || fail "test list compiles"
write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	zone: "no-ip.biz" block
	log-file: "events.json"
	reload-check: 1'
ub_start || { fail "unbound starts"; finish; }

# some events of every kind
events_round() {
	q "$1.duckdns.org" A > /dev/null
	q 'we\"ird\\x\200.duckdns.org' A > /dev/null
	q cname2.example.com A > /dev/null
	q "$1.no-ip.biz" A > /dev/null
	q "$1.hopto.org" TXT > /dev/null
	N_EXPECTED=$((N_EXPECTED + 5))
}
events_round r1
wait_written "$WORK/events.json"
expect_eq "the module wrote 5 events" 5 "$(wc -l < "$WORK/events.json")"
expect_match "... with escapes in a name" '"name":"we\\\\034ird\\\\\\\\x\\\\200\.duckdns\.org"' "$(cat "$WORK/events.json")"
expect_match "... and a CNAME chain" '"cname_chain":\["cname3\.example\.net","bar\.duckdns\.org"\]' "$(cat "$WORK/events.json")"

# ---- 1. imfile -> omfile, the documented configuration
R1="$WORK/rs1"
OUT="$WORK/shipped.json"
if rs_start "$R1" "$EX/dyndns-guard.conf" \
	"s|/var/log/unbound/dyndns-guard.json|$WORK/events.json|; s|/var/log/siem/dyndns-guard.json|$OUT|"; then
	check "rsyslog ships the events written before it started" wait_same "$WORK/events.json" "$OUT"
	expect_eq "rsyslogd has no socket open (no system log socket)" 0 \
		"$(ls -l "/proc/$RS_PID/fd" 2>/dev/null | grep -c 'socket:')"
	events_round r2
	wait_written "$WORK/events.json"
	check "... and those written after" wait_same "$WORK/events.json" "$OUT"
	check "... unchanged, byte for byte" cmp "$WORK/events.json" "$OUT"
	# logrotate's default: rename the file away; the module reopens its
	# path (reload-check: 1), imfile follows the new file
	mv "$WORK/events.json" "$WORK/events.json.1"
	i=0
	while [ ! -f "$WORK/events.json" ] && [ $i -lt 50 ]; do
		q "rot$i.duckdns.org" A > /dev/null
		sleep 0.1; i=$((i + 1))
	done
	check "the module reopened events.json after the rename" test -f "$WORK/events.json"
	events_round r3
	wait_written "$WORK/events.json.1" "$WORK/events.json"
	cat "$WORK/events.json.1" "$WORK/events.json" > "$WORK/all.json"
	check "after the rotation, every event of both files arrived" wait_same "$WORK/all.json" "$OUT"
	check "... unchanged and in order" cmp "$WORK/all.json" "$OUT"
	expect_eq "rsyslogd said nothing" "" "$(cat "$R1/stderr.txt")"
	rs_stop
fi

# ---- 2. imfile -> omfwd over TCP to a listener
R2="$WORK/rs2"
RECV="$WORK/received.json"
LPORT=$(free_port)
python3 - "$LPORT" "$RECV" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
out = open(sys.argv[2], "ab")
while True:
    c, _ = s.accept()
    while True:
        b = c.recv(65536)
        if not b:
            break
        out.write(b)
        out.flush()
    c.close()
PY
LS_PID=$!
i=0
while ! python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$LPORT" 2>/dev/null; do
	i=$((i + 1))
	[ $i -ge 50 ] && break
	sleep 0.1
done
if rs_start "$R2" "$EX/dyndns-guard-forward.conf" \
	"s|/var/log/unbound/dyndns-guard.json|$WORK/events.json|; s|collector.example.net|127.0.0.1|; s|port=\"5170\"|port=\"$LPORT\"|"; then
	events_round r4
	wait_written "$WORK/events.json.1" "$WORK/events.json"
	check "omfwd delivers every event over TCP" wait_same "$WORK/events.json" "$RECV"
	check "... unchanged, byte for byte" cmp "$WORK/events.json" "$RECV"
	rs_stop
fi
ls_stop

finish
