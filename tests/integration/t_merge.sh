#!/bin/sh
# Identical in-flight queries of clients with different policies: Unbound
# merges them into one query state, and the stricter action wins for every
# client attached to it (docs/module.md).  Unbound keeps one mesh per worker
# thread, so queries are only merged when the same thread takes them both;
# this scenario therefore runs one worker thread, the others run two.  A
# deliberately slow authoritative server keeps the first query in flight
# while the second arrives.
. "$(dirname "$0")/lib.sh"

write_root_zone
write_test_list || fail "test list compiles"
SLOW_PORT=$(free_port)
python3 "$(dirname "$0")/slowauth.py" "$SLOW_PORT" 0.3 198.51.100.99 60 &
SLOW_PID=$!
trap 'ub_stop; kill $SLOW_PID 2>/dev/null' EXIT
write_unbound_conf "stub-zone:
	name: \"slow.hopto.org\"
	stub-addr: 127.0.0.1@$SLOW_PORT"
sed -i 's/num-threads: 2/num-threads: 1/' "$WORK/unbound.conf"
write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	client-network: ci-cd 127.0.0.2/32 block
	client-network: office 127.0.0.0/8'
ub_start || { fail "unbound starts"; finish; }

# alone, each client gets its own policy
r=$(q +short -b 127.0.0.1 b.slow.hopto.org A)
expect_eq "alone, the log-mode client gets the real answer" "198.51.100.99" "$r"
r=$(q -b 127.0.0.2 c.slow.hopto.org A)
expect_match "alone, the block-mode client is blocked" "status: NXDOMAIN" "$r"

# together: the log-mode client asks first, the block-mode client joins
# the same query state while it waits for the slow server
for n in 1 2 3; do
	q -b 127.0.0.1 m$n.slow.hopto.org A > "$WORK/merge1.$n" &
	m1=$!
	sleep 0.1
	q -b 127.0.0.2 m$n.slow.hopto.org A > "$WORK/merge2.$n"
	wait $m1
	expect_match "merged query $n: the block-mode client is blocked" "status: NXDOMAIN" "$(cat "$WORK/merge2.$n")"
	expect_match "merged query $n: the log-mode client sharing the state gets the stricter answer" \
		"status: NXDOMAIN" "$(cat "$WORK/merge1.$n")"
done
wait_log "qname=m3.slow.hopto.org." 2
expect_match "each client's event names its own network" \
	'action=block client=127\.0\.0\.1#[0-9]+ network=office qname=m1\.slow\.hopto\.org\.' "$(events)"
expect_match "... and the block-mode client's" \
	'action=block client=127\.0\.0\.2#[0-9]+ network=ci-cd qname=m1\.slow\.hopto\.org\.' "$(events)"
finish
