#!/bin/sh
# bench_cost.sh: benchmark harness (not part of the pass/fail suite).
# The module's cost per answered query, counted in instructions with
# callgrind (deterministic, unlike wall time on a shared 2-core machine):
# the same Unbound, once with dyndns_guard.so and a large list, once
# without the module, answers the same cache-hit mix; each is run with and
# without N queries after the same start-up and warm-up, and the difference
# divided by N is the user-space cost of one query. Also prints where the
# module's instructions go.
#   make bench-cost   (BENCH_ENTRIES, default 1000000; BENCH_QUERIES, 20000)
. "$(dirname "$0")/lib.sh"
N=${BENCH_ENTRIES:-1000000}
NQ=${BENCH_QUERIES:-20000}
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 1; }
command -v dnsperf >/dev/null || { echo "dnsperf not installed (apt-get install dnsperf)"; exit 1; }

python3 - "$WORK" "$N" <<'PY'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
with open(work + "/big.txt", "w") as f:
    for _ in range(n):
        f.write("".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(r.randint(4, 12))) + "." + r.choice(["com", "net", "org", "io"]) + "\n")
    f.write("duckdns.org\n")
PY
"$DDG" compile -o "$WORK/dyndns.dgl" "$WORK/big.txt" >/dev/null 2>&1 || { echo "compile failed"; exit 1; }
write_root_zone
write_unbound_conf
sed -i 's/num-threads: 2/num-threads: 1/' "$WORK/unbound.conf"
write_ddg_conf '	list: "dyndns.dgl"
	mode: block'
sed 's/module-config: "dynlib validator iterator"/module-config: "validator iterator"/; /^dynlib:/,/dynlib-file/d' \
	"$WORK/unbound.conf" > "$WORK/stock.conf"
cp "$WORK/unbound.conf" "$WORK/mod.conf"
for i in $(seq 1 200); do echo "www.example.com A"; echo "second.example.com A"; echo "notduckdns.org A"; echo "www.example.com AAAA"; done > "$WORK/perf.txt"

run() { # conf queries -> total instructions
	rm -f "$WORK/cg.$1.$2"
	valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$1.$2" \
		"$UNBOUND_DAEMON" -d -c "$WORK/$1.conf" > "$WORK/vg.$1.$2" 2>&1 &
	vp=$!
	i=0; while [ $i -lt 300 ] && ! dig @127.0.0.1 -p "$PORT" +tries=1 +time=1 version.server CH TXT >/dev/null 2>&1; do sleep 0.2; i=$((i + 1)); done
	for n in 1 2 3; do for name in www.example.com second.example.com notduckdns.org; do
		dig @127.0.0.1 -p "$PORT" +time=5 +short "$name" A >/dev/null; done
		dig @127.0.0.1 -p "$PORT" +time=5 +short www.example.com AAAA >/dev/null; done
	[ "$2" -gt 0 ] && dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/perf.txt" -n $(($2 / 800)) -c 1 -T 1 -q 10 -t 10 >/dev/null 2>&1
	sleep 1; kill "$vp"; wait "$vp" 2>/dev/null
	callgrind_annotate "$WORK/cg.$1.$2" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
s0=$(run stock 0); s1=$(run stock "$NQ")
m0=$(run mod 0); m1=$(run mod "$NQ")
awk -v s0="$s0" -v s1="$s1" -v m0="$m0" -v m1="$m1" -v n="$NQ" -v e="$N" 'BEGIN {
	s = (s1 - s0) / n; m = (m1 - m0) / n
	printf "list entries: %d; cache-hit answers: %d\n", e, n
	printf "user-space instructions per query: stock %.0f, with module %.0f (+%.0f, +%.1f %% of user space)\n", s, m, m - s, (m - s) * 100 / s
	printf "module start-up (list validation included): %.1f M instructions\n", (m0 - s0) / 1e6
}'
echo "where the module's instructions go (whole run with queries):"
callgrind_annotate "$WORK/cg.mod.$NQ" 2>/dev/null | grep -E "dyndns_guard\.so|tls_get_addr|inplace_cb_reply_call_generic" | head -12
echo "(kernel time is not counted: with loopback UDP it is most of a query's cost; see docs/module.md)"
