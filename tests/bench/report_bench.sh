#!/bin/sh
# report_bench.sh: time `dyndns-guard report` over generated events, not
# part of `make check` (`make bench-report`).  Writes N events (default
# 2,000,000; REPORT_EVENTS=N) as the module writes them: a JSON event file,
# its gzip copy, and Unbound's log with the text lines among as many other
# log lines; CLIENTS clients (default 5,000), NAMES names (default 20,000)
# in 200 zones, 20 beacon pairs.  Then runs the report (--json, --html)
# over each under /usr/bin/time -v and prints the elapsed time and the
# maximum resident set size, and once more with 200,000 clients against
# the default table bound (50,000 keys) to show the memory stays bounded.
# Needs python3, gzip and /usr/bin/time (Debian package time).
set -eu
: "${top_builddir:=.}"
DG="$top_builddir/dyndns-guard"
N=${REPORT_EVENTS:-2000000}
CLIENTS=${REPORT_CLIENTS:-5000}
NAMES=${REPORT_NAMES:-20000}
W=$(mktemp -d "${TMPDIR:-/tmp}/report_bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

gen() { # FILE FORM CLIENTS
	python3 - "$1" "$2" "$N" "$3" "$NAMES" <<'PY'
import random, sys, time
path, form, n, nclients, nnames = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
rng = random.Random(1)
t0 = 1767225600
span = 7 * 86400
zones = ["zone%d.example" % i for i in range(200)]
acts = ["log", "log", "log", "block", "sinkhole"]
names = ["h%d.%s" % (i, zones[i % 200]) for i in range(nnames)]
beacons = [("10.250.0.%d" % i, "c2-%d.%s" % (i, zones[i])) for i in range(20)]
out = open(path, "w", buffering=1 << 20)
t = t0 * 1000
step = span * 1000 // n
for i in range(n):
    t += step
    if i % 50 == 0:
        c, name = beacons[(i // 50) % 20]
    else:
        k = rng.randrange(nclients)
        c = "10.%d.%d.%d" % (k >> 16, (k >> 8) & 255, k & 255)
        name = names[int(nnames * rng.random() ** 3)]
    zone = name.split(".", 1)[1]
    a = acts[i % 5]
    if form == "json":
        ms = t % 1000
        s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 1000))
        out.write('{"@timestamp":"%s.%03dZ","event":{"kind":"alert",'
                  '"module":"dyndns_guard","action":"%s"},"source":{"ip":'
                  '"%s","port":53000},"dns":{"question":{"name":"%s",'
                  '"type":"A"},"response_code":"NOERROR"},"rule":{"name":'
                  '"%s","category":"ddns-service","ruleset":'
                  '"dyndns.dgl@4bb96e94cc9f"},"threat":{"framework":'
                  '"MITRE ATT&CK","technique":{"id":["T1568","T1071.004"]}},'
                  '"dyndns_guard":{"match":"qname","cname_chain":[],'
                  '"network":null,"cached":false}}\n'
                  % (s, ms, a, c, name, zone))
    else:
        out.write("[%d] unbound[4242:0] info: resolving %s. A IN\n"
                  % (t // 1000, name))
        out.write("[%d] unbound[4242:0] info: [dyndns-guard] action=%s "
                  "client=%s#53000 network=- qname=%s. qtype=A zone=%s "
                  "category=ddns-service match=qname cached=no "
                  "rcode=NOERROR list=dyndns.dgl@4bb96e94cc9f\n"
                  % (t // 1000, a, c, name, zone))
PY
}

run() { # LABEL FILE
	/usr/bin/time -v "$DG" report -q --json --html "$W/page.html" "$2" \
		>"$W/out.json" 2>"$W/time.txt"
	el=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$W/time.txt")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time.txt")
	usr=$(sed -n 's/.*User time (seconds): //p' "$W/time.txt")
	ev=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["events"], "bound hit" if s["bound_hit"] else "")' "$W/out.json")
	printf '| %s | %s MB | %s | %s s | %s MB | %s |\n' "$1" \
		"$(($(stat -c %s "$2") / 1048576))" "$el" "$usr" "$((rss / 1024))" "$ev"
}

echo "generating $N events ($CLIENTS clients, $NAMES names) in $W ..." >&2
gen "$W/events.json" json "$CLIENTS"
gzip -1 -k "$W/events.json"
gen "$W/unbound.log" text "$CLIENTS"
gen "$W/many.json" json 200000
echo "| input | size | elapsed | user | max RSS | events |"
echo "|---|---|---|---|---|---|"
run "JSON event file" "$W/events.json"
run "JSON, gzip" "$W/events.json.gz"
run "Unbound log (text lines among as many others)" "$W/unbound.log"
run "JSON, 200,000 clients (tables full)" "$W/many.json"
