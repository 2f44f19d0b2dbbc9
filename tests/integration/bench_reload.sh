#!/bin/sh
# bench_reload.sh: benchmark harness (not part of the pass/fail suite).
# With a 1,000,000-entry list: start-up cost, hot replacement from rename to
# being in force (and queries lost during it, under a steady query loop),
# and, when dnsperf is installed, resolver throughput with the module and
# list against the same Unbound without the module.
#
#   make bench-reload   (or: top_builddir=... UNBOUND_DAEMON=... sh bench_reload.sh)
# Environment: BENCH_ENTRIES (default 1000000), BENCH_SECONDS (dnsperf run,
# default 10).
. "$(dirname "$0")/lib.sh"
N=${BENCH_ENTRIES:-1000000}
SECS=${BENCH_SECONDS:-10}

echo "== generating $N names"
python3 - "$WORK" "$N" <<'PY'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
tlds = ["com", "net", "org", "io", "biz", "info", "de", "xyz"]
def name():
    k = r.randint(1, 3)
    return ".".join("".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(r.randint(3, 12))) for _ in range(k)) + "." + r.choice(tlds)
with open(work + "/big.txt", "w") as f:
    for _ in range(n - 1):
        f.write(name() + "\n")
    f.write("duckdns.org\n")
PY
cp "$WORK/big.txt" "$WORK/big-b.txt"; echo "unlisted.net" >> "$WORK/big-b.txt"
t0=$(date +%s.%N)
"$DDG" compile --created 1700000000 -o "$WORK/big-a.dgl" "$WORK/big.txt" > /dev/null 2>&1
t1=$(date +%s.%N)
"$DDG" compile --created 1700000000 -o "$WORK/big-b.dgl" "$WORK/big-b.txt" > /dev/null 2>&1
echo "compile: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s", b - a }'), file $(stat -c %s "$WORK/big-a.dgl") bytes"
cp "$WORK/big-a.dgl" "$WORK/dyndns.dgl"

write_root_zone
write_unbound_conf
write_ddg_conf '	list: "dyndns.dgl"
	mode: block
	reload-check: 1'
ub_start || { echo "unbound did not start"; exit 1; }
grep -o 'dyndns.dgl validated in [0-9.]* ms' "$LOG" | sed 's/^/start-up: /'
ps -o rss= -p "$UB_PID" | awk '{ printf "unbound RSS with the list: %.1f MiB\n", $1 / 1024 }'

echo "== hot replacement under a steady query loop"
q +short www.unlisted.net A >/dev/null
rm -f "$WORK/stop"
python3 "$(dirname "$0")/dnsload.py" "$PORT" "$WORK/stop" 60 www.example.com foo.duckdns.org second.example.com > "$WORK/load.out" 2>&1 &
lp=$!
sleep 1
for variant in b a b; do
	cp "$WORK/big-$variant.dgl" "$WORK/dyndns.dgl.tmp"
	n0=$(count_log "in force")
	s=$(date +%s.%N)
	mv -f "$WORK/dyndns.dgl.tmp" "$WORK/dyndns.dgl"
	wait_log "in force" $((n0 + 1)) 100
	e=$(date +%s.%N)
	echo "rename -> in force: $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.0f ms", (b - a) * 1000 }') (includes up to reload-check = 1 s of detection)"
	grep 'replaced:' "$LOG" | tail -1 | sed 's/.*replaced: /  /'
	grep 'in force' "$LOG" | tail -1 | sed 's/.*in force/  in force/'
	sleep 1.5
done
touch "$WORK/stop"; wait $lp
echo "query loop: $(head -1 "$WORK/load.out") (lost = failed)"

if command -v dnsperf >/dev/null 2>&1; then
	echo "== throughput (dnsperf, $SECS s, one sender thread, cache-hit mix incl. a listed name)"
	for i in $(seq 1 200); do echo "www.example.com A"; echo "second.example.com A"; echo "notduckdns.org A"; echo "www.unlisted.net A"; done > "$WORK/perf.txt"
	# the module checks every answer, cache hits included, against the
	# 1M-entry list: the mix above is all unlisted names answered from
	# the cache, the common case of a resolver's traffic
	dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/perf.txt" -l "$SECS" -c 4 -T 1 2>/dev/null | grep -E "Queries per second|Queries lost" | sed 's/^/  with module: /'
	ub_stop
	sed -i 's/module-config: "dynlib validator iterator"/module-config: "validator iterator"/; /^dynlib:/,/dynlib-file/d' "$WORK/unbound.conf"
	ub_start
	dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/perf.txt" -l "$SECS" -c 4 -T 1 2>/dev/null | grep -E "Queries per second|Queries lost" | sed 's/^/  stock:       /'
	ps -o rss= -p "$UB_PID" | awk '{ printf "stock unbound RSS (no module): %.1f MiB\n", $1 / 1024 }'
fi
ub_stop
