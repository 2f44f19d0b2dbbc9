#!/bin/sh
# metrics-file: with the real Unbound and real clients.  Queries of every
# kind (resolved, cache hits, a local-data answer; log, block by zone
# rule, block by client network, sinkhole by category, a CNAME into a
# listed zone, names that match nothing) give exactly the expected counts
# in the file; a list replaced by rename and a bad list refused show in it;
# the real promtool accepts the file (check metrics), the example alert
# rules (check rules) and their unit tests (test rules); the real node
# exporter's textfile collector serves our metrics with
# node_textfile_scrape_error 0, also while the module rewrites the file;
# get_mem (unbound-control stats: mem.mod.dynlibmod) counts the list and
# the event ring; a metrics-file: that cannot be written stops Unbound with
# the path and the reason.
# Waits are bounded polls (hang detectors), not timing assertions.
. "$(dirname "$0")/lib.sh"

for p in promtool prometheus-node-exporter curl; do
	command -v "$p" >/dev/null 2>&1 || { echo "FAIL: $p not installed (scripts/deps.sh: prometheus, prometheus-node-exporter, curl)"; exit 1; }
done
RULES="$top_srcdir/examples/prometheus/dyndns-guard.rules.yml"
RULES_TEST="$top_srcdir/examples/prometheus/dyndns-guard.rules.test.yml"

NE_PID=""
ne_stop() {
	if [ -n "$NE_PID" ]; then
		kill "$NE_PID" 2>/dev/null
		wait "$NE_PID" 2>/dev/null
		NE_PID=""
	fi
}
trap 'ub_stop; ne_stop' EXIT

MDIR="$WORK/textfile"
MFILE="$MDIR/dyndns-guard.prom"
mkdir -p "$MDIR"

# metric NAME{LABELS}: the value of one sample of the metrics file ("" if
# absent); the argument is the sample's name and labels exactly
metric() {
	awk -v k="$1" '$1 == k { print $2 }' "$MFILE" 2>/dev/null
}
# wait_metric SAMPLE VALUE: wait (10 s at most) until the file says VALUE
wait_metric() {
	i=0
	while [ $i -lt $((100 * T_SLOW)) ]; do
		[ "$(metric "$1")" = "$2" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
# expect_metric SAMPLE VALUE: wait for it, then check it (the message
# shows what the file says)
expect_metric() {
	wait_metric "$1" "$2"
	expect_eq "metrics: $1" "$2" "$(metric "$1")"
}

write_root_zone
write_unbound_conf '	extended-statistics: yes
	local-zone: "local.example." static
	local-data: "h.local.example. A 192.0.2.9"'
write_test_list || fail "test list compiles"
list_sha=$("$DDG" verify "$WORK/dyndns.dgl" | sed -n 's/^sha256: //p')
list_size=$(wc -c < "$WORK/dyndns.dgl")
write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	zone: "no-ip.biz" block
	zone: "hopto.org" log
	category: vendor-ddns sinkhole
	client-network: lo 127.0.0.1/32
	client-network: lab 127.0.0.2/32 block
	log-file: "events.json"
	reload-check: 1
	metrics-file: "textfile/dyndns-guard.prom"
	metrics-interval: 1'
ub_start || { fail "unbound starts"; finish; }

# ---- 1. written at start, all zero
check "the metrics file is written at start" test -s "$MFILE"
expect_eq "... mode 0644" "644" "$(stat -c %a "$MFILE")"
expect_eq "... zero answers counted at start" "0" "$(metric 'dyndns_guard_queries_total{source="resolved"}')"
expect_eq "... no temporary file left" "dyndns-guard.prom" "$(ls -A "$MDIR")"

# ---- 2. queries of every kind, one after the other.  lab's block makes
# every list match vary by client network, so those are never cached
# (docs/configuration.md); a zone: rule's decision does not vary.
q foo.duckdns.org A > /dev/null                 # log, resolved
q foo.duckdns.org A > /dev/null                 # log, resolved again
q x.no-ip.biz A > /dev/null                     # block: zone rule
q router.myasustor.com A > /dev/null            # sinkhole: category
q www.example.com A > /dev/null                 # no match, resolved
q www.example.com A > /dev/null                 # no match, cache hit
q -b 127.0.0.2 bar.duckdns.org A > /dev/null    # block: network lab
q cname.example.com A > /dev/null               # log: CNAME target
q y.hopto.org A > /dev/null                     # log: zone rule
r=$(q y.hopto.org A)                            # ... a cache hit
expect_match "a cached answer" "198.51.100.40" "$r"
q h.local.example A > /dev/null                 # local-data, no match
r=$(q +short -b 127.0.0.2 foo.duckdns.org A)    # block for lab
expect_eq "lab is blocked" "" "$r"

expect_metric 'dyndns_guard_queries_total{source="resolved"}' 9
expect_metric 'dyndns_guard_queries_total{source="cache"}' 2
expect_metric 'dyndns_guard_queries_total{source="local"}' 1
expect_metric 'dyndns_guard_queries_total{source="servfail"}' 0
expect_metric 'dyndns_guard_matches_total{action="log"}' 5
expect_metric 'dyndns_guard_matches_total{action="block"}' 3
expect_metric 'dyndns_guard_matches_total{action="sinkhole"}' 1
expect_metric 'dyndns_guard_category_matches_total{category="ddns-service"}' 5
expect_metric 'dyndns_guard_category_matches_total{category="zone-rule"}' 3
expect_metric 'dyndns_guard_category_matches_total{category="vendor-ddns"}' 1
expect_metric 'dyndns_guard_network_matches_total{network="lo"}' 7
expect_metric 'dyndns_guard_network_matches_total{network="lab"}' 2
expect_metric 'dyndns_guard_zone_matches_total{zone="duckdns.org"}' 5
expect_metric 'dyndns_guard_zone_matches_total{zone="hopto.org"}' 2
expect_metric 'dyndns_guard_zone_matches_total{zone="no-ip.biz"}' 1
expect_metric 'dyndns_guard_zone_matches_total{zone="myasustor.com"}' 1
expect_metric 'dyndns_guard_zones_matched' 4
expect_metric 'dyndns_guard_zone_matches_untracked_total' 0
expect_metric 'dyndns_guard_events_written_total' 9
expect_metric 'dyndns_guard_events_dropped_total{reason="queue_full"}' 0
expect_metric 'dyndns_guard_event_write_errors_total' 0
expect_metric 'dyndns_guard_blocked_answers_served_total' 0
expect_metric 'dyndns_guard_metrics_write_errors_total' 0
# one match per event line in Unbound's log
expect_eq "matches = event lines in Unbound's log" 9 "$(events | wc -l)"
expect_eq "... of which cache hits" 1 "$(events | grep -c 'cached=yes')"
expect_eq "matches = event lines in log-file:" 9 "$(wc -l < "$WORK/events.json")"

# the list and its identity
expect_metric "dyndns_guard_list_up{list=\"$WORK/dyndns.dgl\"}" 1
expect_metric "dyndns_guard_list_entries{list=\"$WORK/dyndns.dgl\"}" 6
expect_metric "dyndns_guard_list_size_bytes{list=\"$WORK/dyndns.dgl\"}" "$list_size"
expect_metric "dyndns_guard_list_created_timestamp_seconds{list=\"$WORK/dyndns.dgl\"}" 1700000000
ruleset="dyndns.dgl@$(printf '%s' "$list_sha" | cut -c1-12)"
expect_metric "dyndns_guard_list_info{list=\"$WORK/dyndns.dgl\",ruleset=\"$ruleset\",sha256=\"$list_sha\",version=\"3\"}" 1
age=$(metric "dyndns_guard_list_age_seconds{list=\"$WORK/dyndns.dgl\"}")
now=$(date +%s)
expect_eq "list age is now - created (within 5 s)" 1 \
	"$(awk -v a="${age:-0}" -v n="$now" 'BEGIN { d = n - 1700000000 - a; print (d >= 0 && d <= 5) ? 1 : 0 }')"
expect_metric 'dyndns_guard_lists_configured' 1
expect_metric 'dyndns_guard_lists_loaded' 1
expect_metric 'dyndns_guard_list_set_generation' 1
expect_metric 'dyndns_guard_failing_closed' 0

# the decision time histogram: sampled; cumulative; +Inf = count
for c in operate reply; do
	n=$(metric "dyndns_guard_decision_duration_seconds_count{call=\"$c\"}")
	inf=$(metric "dyndns_guard_decision_duration_seconds_bucket{call=\"$c\",le=\"+Inf\"}")
	expect_match "decision time $c: timed calls counted" '^[1-9][0-9]*$' "$n"
	expect_eq "decision time $c: +Inf bucket = count" "$n" "$inf"
done

# ---- 3. promtool accepts the file
out=$(promtool check metrics < "$MFILE" 2>&1)
rc=$?
expect_eq "promtool check metrics: no complaint" "0:" "$rc:$out"

# ---- 4. get_mem: the list, the event ring (4 MiB), the counters
mem=$(uctl stats_noreset | sed -n 's/^mem\.mod\.dynlibmod=//p')
expect_match "mem.mod.dynlibmod reported" '^[0-9]+$' "$mem"
expect_eq "... counts the list and the event ring" 1 \
	"$(awk -v m="${mem:-0}" -v l="$list_size" 'BEGIN { print (m >= l + 4194304) ? 1 : 0 }')"
mb=$(metric dyndns_guard_memory_bytes)
expect_eq "... dyndns_guard_memory_bytes is the same (but the dynlib wrapper's bytes)" 1 \
	"$(awk -v m="${mem:-0}" -v b="${mb:-0}" 'BEGIN { d = m - b; print (d >= 0 && d < 1024) ? 1 : 0 }')"

# ---- 5. a list replaced by rename, then a bad one refused
cat >> "$WORK/ddns.txt" <<'L'
ddns.example
L
cp "$WORK/dyndns.dgl" "$WORK/dyndns.dgl.orig"
"$DDG" compile --created 1700000100 -o "$WORK/new.dgl" --category ddns-service "$WORK/ddns.txt" \
	--category vendor-ddns "$WORK/vendor.txt" --category shared-domain "$WORK/shared.txt" > /dev/null 2>&1 \
	|| fail "new list compiles"
mv -f "$WORK/new.dgl" "$WORK/dyndns.dgl"
expect_metric 'dyndns_guard_list_replacements_total' 1
expect_metric 'dyndns_guard_list_set_generation' 2
expect_metric "dyndns_guard_list_entries{list=\"$WORK/dyndns.dgl\"}" 7
expect_metric "dyndns_guard_list_created_timestamp_seconds{list=\"$WORK/dyndns.dgl\"}" 1700000100
head -c 300 "$WORK/dyndns.dgl.orig" > "$WORK/bad.dgl"
mv -f "$WORK/bad.dgl" "$WORK/dyndns.dgl"
expect_metric 'dyndns_guard_list_replacements_refused_total' 1
expect_metric 'dyndns_guard_list_replacements_total' 1
expect_metric "dyndns_guard_list_up{list=\"$WORK/dyndns.dgl\"}" 1

# ---- 6. the alert rules
out=$(promtool check rules "$RULES" 2>&1)
rc=$?
expect_match "promtool check rules: the example rules" "SUCCESS: [1-9][0-9]* rules found" "$rc $out"
expect_eq "... exit 0" 0 "$rc"
out=$(cd "$(dirname "$RULES_TEST")" && promtool test rules "$(basename "$RULES_TEST")" 2>&1)
rc=$?
expect_eq "promtool test rules: the alerts fire as their tests say" "0" "$rc"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'

# ---- 7. the node exporter's textfile collector
NE_PORT=$(python3 - <<'PY'
import socket
for p in range(24300, 24400):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    s.close()
    print(p)
    break
PY
)
prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$MDIR" > "$WORK/node-exporter.log" 2>&1 &
NE_PID=$!
i=0
while ! curl -fsS "http://127.0.0.1:$NE_PORT/metrics" > "$WORK/scrape.txt" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -ge 100 ] || ! kill -0 "$NE_PID" 2>/dev/null; then
		cat "$WORK/node-exporter.log"; break
	fi
	sleep 0.1
done
expect_match "the node exporter serves our metrics" '^dyndns_guard_queries_total\{source="resolved"\} 9$' "$(cat "$WORK/scrape.txt")"
expect_match "... the matches by zone" '^dyndns_guard_zone_matches_total\{zone="duckdns.org"\} 5$' "$(cat "$WORK/scrape.txt")"
expect_match "... the histogram" '^dyndns_guard_decision_duration_seconds_bucket\{call="operate",le="\+Inf"\} [1-9]' "$(cat "$WORK/scrape.txt")"
expect_match "... node_textfile_scrape_error 0" '^node_textfile_scrape_error 0$' "$(cat "$WORK/scrape.txt")"
expect_match "... and the file's mtime" '^node_textfile_mtime_seconds\{file="[^"]*dyndns-guard.prom"\} [0-9.e+]+$' "$(cat "$WORK/scrape.txt")"
# scrapes as fast as they come for 3.5 s, while the module renames a new
# file into place every second: every scrape has the whole file
out=$(python3 - "$NE_PORT" <<'PY'
import sys, time, urllib.request
url = "http://127.0.0.1:%s/metrics" % sys.argv[1]
n = bad = 0
end = time.monotonic() + 3.5
while time.monotonic() < end:
    body = urllib.request.urlopen(url, timeout=5).read().decode()
    lines = body.split("\n")
    n += 1
    if "node_textfile_scrape_error 0" not in lines or \
            "dyndns_guard_metrics_write_errors_total 0" not in lines:
        bad += 1
print("%d %d" % (n, bad))
PY
)
expect_match "scrapes during rewrites: never an error or a partial file" '^[0-9]{2,} 0$' "$out"
ne_stop

# ---- 8. a reload makes a new module instance: counters from zero (the
# worker threads count into the new instance's blocks, not the freed ones)
start1=$(metric dyndns_guard_start_time_seconds)
cp "$WORK/dyndns.dgl.orig" "$WORK/good.dgl" && mv -f "$WORK/good.dgl" "$WORK/dyndns.dgl"
sleep 1
uctl reload > /dev/null
i=0
while [ "$(metric dyndns_guard_start_time_seconds)" = "$start1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "after reload: a new start time" 1 "$([ "$(metric dyndns_guard_start_time_seconds)" != "$start1" ] && echo 1)"
for n in 1 2 3 4; do q "reload$n.duckdns.org" A > /dev/null; done
expect_metric 'dyndns_guard_queries_total{source="resolved"}' 4
expect_metric 'dyndns_guard_matches_total{action="log"}' 4
expect_metric 'dyndns_guard_zone_matches_total{zone="duckdns.org"}' 4
ub_stop

# ---- 9. the final counts are written at shutdown (an interval of an
# hour: the writer thread never wrote)
write_ddg_conf '	list: "dyndns.dgl.orig"
	metrics-file: "textfile/dyndns-guard.prom"
	metrics-interval: 3600'
if ub_start; then
	q foo.duckdns.org TXT > /dev/null
	q bar.duckdns.org A > /dev/null
	expect_eq "a new instance starts from zero" 0 "$(metric 'dyndns_guard_queries_total{source="resolved"}')"
	ub_stop
	expect_eq "the last file, written at shutdown, holds the last answers" 2 \
		"$(metric 'dyndns_guard_queries_total{source="resolved"}')"
else
	fail "unbound starts with metrics-interval: 3600"
fi

# ---- 10. a metrics-file: that cannot be written stops Unbound
write_ddg_conf '	list: "dyndns.dgl.orig"
	metrics-file: "no-such-dir/m.prom"'
if ub_start 2>/dev/null; then
	fail "unbound refuses a metrics-file: in a missing directory"
	ub_stop
else
	pass "unbound refuses a metrics-file: in a missing directory"
fi
expect_match "... naming the file and the reason" \
	"error: dyndns-guard: metrics-file: $WORK/no-such-dir/m.prom: cannot create a temporary file in its directory: No such file or directory" \
	"$(cat "$LOG" "$WORK/unbound.stderr")"

finish
