#!/bin/sh
# dyndns-guard report over what the real Unbound with the module wrote:
# the JSON event file (log-file:) and Unbound's own log, with
# log-time-ascii: yes and with Unbound's default "[EPOCH]" prefix, plain
# and gzip.  Both forms of the same events must give the same counts, and
# they must be those of the queries sent.
. "$(dirname "$0")/lib.sh"

write_test_list || exit 1
write_ddg_conf "	list: \"$WORK/dyndns.dgl\"
	mode: log
	zone: \"no-ip.biz\" block
	category: vendor-ddns sinkhole
	client-network: loopback 127.0.0.0/8
	log-file: \"$WORK/events.json\""

# counts_of FILE...: zone, category, client and network counts of a report
counts_of() {
	"$DDG" report --json --top 0 "$@" 2>"$WORK/report.err" | python3 -c '
import json, sys
d = json.load(sys.stdin)
out = []
for k, key in (("zones", "zone"), ("categories", "category"),
               ("clients", "client"), ("networks", "network")):
    for o in sorted(d[k], key=lambda o: str(o[key])):
        a = o["actions"]
        out.append("%s %s %d log=%d block=%d sinkhole=%d names=%d" % (
            key, o[key], o["count"], a["log"], a["block"], a["sinkhole"],
            o["distinct_names"]))
for o in d["would_block"]:
    out.append("would_block %s %d clients=%d" % (o["zone"], o["count"],
                                                 o["distinct_clients"]))
out.append("malformed %d" % d["summary"]["malformed"])
print("\n".join(out))'
}

queries() {
	for n in foo.duckdns.org foo.duckdns.org foo.duckdns.org bar.duckdns.org \
		x.no-ip.biz x.no-ip.biz router.myasustor.com y.hopto.org \
		www.example.com; do
		q "$n" A >/dev/null
	done
}

for ascii in yes no; do
	rm -f "$WORK/unbound.conf" "$WORK/events.json"
	write_unbound_conf "	log-time-ascii: $ascii"
	ub_start || { fail "unbound starts (log-time-ascii: $ascii)"; finish; }
	queries
	wait_log "\[dyndns-guard\] action=" 8 || fail "8 events in the log"
	ub_stop
	case $ascii in
	yes) expect_match "log-time-ascii prefix" '^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]{8} unbound\[' "$(grep -m1 'dyndns-guard\] action' "$LOG")" ;;
	no) expect_match "epoch prefix" '^\[[0-9]+\] unbound\[' "$(grep -m1 'dyndns-guard\] action' "$LOG")" ;;
	esac
	json=$(counts_of "$WORK/events.json")
	text=$(counts_of "$LOG")
	gzip -c "$LOG" >"$WORK/unbound.log.gz"
	gz=$(counts_of "$WORK/unbound.log.gz")
	if [ "$json" = "$text" ] && [ "$text" = "$gz" ]; then
		pass "JSON events, Unbound's log and its gzip copy agree (log-time-ascii: $ascii)"
	else
		fail "the forms disagree (log-time-ascii: $ascii)" "json:
$json
text:
$text
gzip:
$gz"
	fi
	# what the module decided: the counts of the queries sent
	if printf '%s\n' "$json" | grep -q '^zone duckdns.org 4 log=4' &&
		printf '%s\n' "$json" | grep -q '^zone no-ip.biz 2 log=0 block=2' &&
		printf '%s\n' "$json" | grep -q '^zone myasustor.com 1 log=0 block=0 sinkhole=1' &&
		printf '%s\n' "$json" | grep -q '^zone hopto.org 1 log=1' &&
		printf '%s\n' "$json" | grep -q '^category ddns-service 5 log=5 block=0 sinkhole=0 names=3' &&
		printf '%s\n' "$json" | grep -q '^category zone-rule 2 log=0 block=2' &&
		printf '%s\n' "$json" | grep -q '^client 127.0.0.1 8 log=5 block=2 sinkhole=1 names=5' &&
		printf '%s\n' "$json" | grep -q '^network loopback 8 ' &&
		printf '%s\n' "$json" | grep -q '^would_block duckdns.org 4 clients=1' &&
		! printf '%s\n' "$json" | grep -q '^would_block no-ip.biz' &&
		printf '%s\n' "$json" | grep -q '^malformed 0'; then
		pass "the report counts the queries sent (log-time-ascii: $ascii)"
	else
		fail "report counts (log-time-ascii: $ascii)" "$json"
	fi
done
finish
