#!/bin/sh
# The event file under adverse conditions, with the real Unbound: log-file:
# a FIFO nobody reads (Unbound starts and answers, the lost events are
# counted in its log, a reader that comes later gets whole lines), a reader
# that reads a little and then stops (reload and shutdown still finish; the
# stream holds whole lines only), and a full file system (the event file
# holds valid JSON lines only, the loss and the recovery are reported).
# The 20 s limits below are hang detectors, not timing assertions.
. "$(dirname "$0")/lib.sh"

READER_PID=""
reader_stop() {
	if [ -n "$READER_PID" ]; then
		kill "$READER_PID" 2>/dev/null
		wait "$READER_PID" 2>/dev/null
		READER_PID=""
	fi
}
MNT="$WORK/logdir"
trap 'ub_stop; reader_stop; umount "$MNT" 2>/dev/null' EXIT

# ub_term DESCRIPTION: stop unbound with SIGTERM; fails when it is still
# running after 20 s (then it is killed)
ub_term() {
	kill "$UB_PID" 2>/dev/null
	i=0
	while kill -0 "$UB_PID" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	if kill -0 "$UB_PID" 2>/dev/null; then
		fail "$1" "still running 20 s after SIGTERM"
		ub_stop
	else
		wait "$UB_PID" 2>/dev/null
		UB_PID=""
		pass "$1"
	fi
}

# json_lines FILE: "N" when FILE holds N whole lines, each valid JSON, else
# what is wrong
json_lines() {
	python3 - "$1" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
if data and not data.endswith(b"\n"):
    print("the data ends in the middle of a line: %r" % data[-80:])
    sys.exit(0)
n = 0
for i, line in enumerate(data.split(b"\n")[:-1]):
    try:
        json.loads(line)
    except ValueError as e:
        print("line %d is not JSON (%s): %r" % (i + 1, e, line[:200]))
        sys.exit(0)
    n += 1
print(n)
PY
}

# load SECONDS: a query loop that produces events
load() {
	rm -f "$WORK/stop"
	python3 "$(dirname "$0")/dnsload.py" "$PORT" "$WORK/stop" "$1" \
		foo.duckdns.org x.no-ip.biz bar.duckdns.org > "$WORK/load.out" 2>&1
}

write_root_zone
write_unbound_conf
write_test_list || fail "test list compiles"

# ---- 0. the text lines in Unbound's log: written by the module's writer
# thread (log-text: yes, the default), or not at all (log-text: no), the
# JSON file either way
write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	log-file: "events0.json"'
if ub_start; then
	q +short foo.duckdns.org A >/dev/null
	check "log-text: yes (default): the event as a text line in Unbound's log" \
		wait_log "info: \[dyndns-guard\] .*qname=foo.duckdns.org"
	# appended by the module's writer with the prefix Unbound gives its
	# own lines (log-time-ascii: yes here), the process id Unbound's
	pid=$(sed -n 's/^.* unbound\[\([0-9]*\):[0-9a-f]*\] .*module 0 started.*/\1/p' "$LOG" | head -1)
	expect_match "... with Unbound's line prefix and process id" \
		"^[A-Z][a-z][a-z] [0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] unbound\[$pid:0\] info: \[dyndns-guard\] action=log client=127\.0\.0\.1#[0-9]* " \
		"$(grep 'qname=foo.duckdns.org' "$LOG" | head -1)"
	expect_eq "... one line per event" 1 "$(count_log 'qname=foo.duckdns.org')"
	ub_stop
else
	fail "unbound starts (log-text default)"
	ub_stop
fi
# Unbound's log rotated (renamed, then unbound-control log_reopen): the
# module's writer follows it to the new file
write_unbound_conf "	log-time-ascii: no"
sed -i '/log-time-ascii: yes/d' "$WORK/unbound.conf"
write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	reload-check: 1'
: > "$LOG"
if ub_start; then
	q +short foo.duckdns.org A >/dev/null
	check "log-time-ascii: no: the text line with Unbound's epoch prefix" \
		wait_log "^\[[0-9]*\] unbound\[[0-9]*:0\] info: \[dyndns-guard\] action=log .*qname=foo.duckdns.org"
	mv "$LOG" "$LOG.1"
	uctl log_reopen >/dev/null 2>&1 || fail "unbound-control log_reopen"
	sleep 2.5
	q +short bar.duckdns.org A >/dev/null
	check "after the log was rotated, the text lines go to the new file" \
		wait_log "info: \[dyndns-guard\] action=log .*qname=bar.duckdns.org"
	expect_eq "... not to the renamed one" 0 "$(grep -c 'qname=bar.duckdns.org' "$LOG.1")"
	ub_stop
else
	fail "unbound starts (log-time-ascii: no)"
	ub_stop
fi
write_unbound_conf
write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	log-text: no
	log-file: "events0.json"'
: > "$LOG"
if ub_start; then
	q +short bar.duckdns.org A >/dev/null
	i=0
	while ! grep -q '"bar.duckdns.org' "$WORK/events0.json" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	check "log-text: no: the event is in the JSON file" grep -q '"bar.duckdns.org' "$WORK/events0.json"
	expect_eq "log-text: no: no text line in Unbound's log" 0 "$(count_log '\[dyndns-guard\] .*qname=bar.duckdns.org')"
	ub_stop
else
	fail "unbound starts (log-text: no)"
	ub_stop
fi

# ---- 1. a FIFO without reader
mkfifo "$WORK/events.fifo"
write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	log-file: "events.fifo"'
if ub_start; then
	pass "unbound starts with log-file: a FIFO nobody reads"
	r=$(q +short foo.duckdns.org A)
	expect_eq "... and answers" "198.51.100.10" "$r"
	check "the lost events are reported in Unbound's log" \
		wait_log "error: dyndns-guard: event file .*events.fifo: no reader on the FIFO: events are being lost"
	expect_match "... and counted" '[1-9][0-9]* lost \(not written\)' \
		"$(grep 'no reader on the FIFO' "$LOG")"
	# a reader comes: whole lines again
	python3 -c 'import sys; out = open(sys.argv[2], "wb")
for l in open(sys.argv[1], "rb"):
    out.write(l); out.flush()' "$WORK/events.fifo" "$WORK/fifo.out" &
	READER_PID=$!
	i=0
	while [ ! -s "$WORK/fifo.out" ] && [ $i -lt 100 ]; do
		q foo.duckdns.org A >/dev/null
		sleep 0.1; i=$((i + 1))
	done
	check "a reader that comes later gets the events" test -s "$WORK/fifo.out"
	check "the recovery is reported" \
		wait_log "warning: dyndns-guard: event file .*events.fifo: writing works again"
	ub_term "unbound stops"
	i=0
	while kill -0 "$READER_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	reader_stop
	cp "$LOG" "$WORK/unbound-1.log"
	n=$(json_lines "$WORK/fifo.out")
	expect_match "the reader got whole JSON lines only" '^[1-9][0-9]*$' "$n"
else
	fail "unbound starts with log-file: a FIFO nobody reads"
	ub_stop
fi

# ---- 2. a reader that reads a little, then stops
rm -f "$WORK/events.fifo" "$WORK/drain"
mkfifo "$WORK/events.fifo"
# has the FIFO open before unbound starts ($WORK/ready), reads 2000 bytes
# (ending mid-line), then nothing until $WORK/drain exists, then everything
# up to EOF
rm -f "$WORK/ready"
python3 - "$WORK/events.fifo" "$WORK/stalled.out" "$WORK/drain" "$WORK/ready" <<'PY' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
open(sys.argv[4], "w").close()
out = open(sys.argv[2], "wb")
got = b""
t = time.monotonic()
while len(got) < 2000 and time.monotonic() - t < 60:
    try:
        b = os.read(fd, 2000 - len(got))
    except BlockingIOError:
        b = b""
    if not b:
        time.sleep(0.01)  # no writer yet, or nothing written yet
    got += b
out.write(got); out.flush()
os.set_blocking(fd, True)
t = time.monotonic()
while not os.path.exists(sys.argv[3]) and time.monotonic() - t < 120:
    time.sleep(0.1)
while True:
    b = os.read(fd, 65536)
    if not b:
        break
    out.write(b)
out.close()
PY
READER_PID=$!
i=0
while [ ! -f "$WORK/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if ub_start; then
	pass "unbound starts with a FIFO reader"
	load 1
	expect_match "events flowed, then the reader stopped" '^sent [0-9]{3,}' "$(head -1 "$WORK/load.out")"
	n0=$(count_log "dyndns-guard: module .* started")
	uctl reload >/dev/null 2>&1
	i=0
	while [ "$(count_log "dyndns-guard: module .* started")" -le "$n0" ] && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	expect_eq "reload finishes although the reader does not read" 1 \
		"$([ "$(count_log "dyndns-guard: module .* started")" -gt "$n0" ] && echo 1 || echo 0)"
	r=$(q +short foo.duckdns.org A)
	expect_eq "... and unbound answers after it" "198.51.100.10" "$r"
	ub_term "shutdown finishes although the reader does not read"
	expect_match "the events the reader did not take are reported" \
		"event file .*events.fifo: closed \\([0-9]+ queued lines? not taken by the reader" "$(cat "$LOG")"
	cp "$LOG" "$WORK/unbound-2.log"
else
	fail "unbound starts with a FIFO reader"
	ub_stop
fi
touch "$WORK/drain"
i=0
while kill -0 "$READER_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
reader_stop
n=$(json_lines "$WORK/stalled.out")
expect_match "the stream holds whole JSON lines only (across reload and close)" '^[1-9][0-9]*$' "$n"

# ---- 3. a full file system
mkdir -p "$MNT"
if mount -t tmpfs -o size=64k tmpfs "$MNT" 2>"$WORK/mount.err"; then
	# 16 kB taken, to be given back later
	head -c 16384 /dev/zero > "$MNT/filler"
	write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	log-file: "logdir/events.json"'
	if ub_start; then
		pass "unbound starts with the event file on a small tmpfs"
		load 1
		check "the full disk is reported in Unbound's log" \
			wait_log "error: dyndns-guard: event file .*events.json: write failed: No space left on device: events are being lost"
		n=$(json_lines "$MNT/events.json")
		expect_match "the full event file holds whole JSON lines only" '^[1-9][0-9]*$' "$n"
		rm -f "$MNT/filler"
		load 0.5
		check "writing again is reported once there is space" \
			wait_log "warning: dyndns-guard: event file .*events.json: writing works again"
		ub_term "unbound stops"
		n2=$(json_lines "$MNT/events.json")
		expect_match "after the disk filled and freed: whole JSON lines only" '^[1-9][0-9]*$' "$n2"
		expect_eq "... and more of them" 1 "$([ "$n2" -gt "$n" ] 2>/dev/null && echo 1 || echo 0)"
	else
		fail "unbound starts with the event file on a small tmpfs"
		ub_stop
	fi
	umount "$MNT" || fail "unmount the tmpfs"
else
	echo "# SKIP full-disk part: cannot mount a tmpfs: $(cat "$WORK/mount.err")"
fi
finish
