#!/bin/sh
# Client networks over IPv6: Unbound listens on 127.0.0.1 and ::1; an IPv6
# client-network decides for clients on ::1 while IPv4 clients keep the
# default, and events show the IPv6 client address.  Skipped (77) when the
# machine has no IPv6 loopback.
. "$(dirname "$0")/lib.sh"

if ! python3 -c "import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(('::1', $PORT))" 2>/dev/null; then
	echo "SKIP: no IPv6 loopback"
	exit 77
fi
write_root_zone
write_unbound_conf "	interface: ::1
	do-ip6: yes
	access-control: ::1/128 allow"
sed -i '/do-ip6: no/d' "$WORK/unbound.conf"
write_test_list || fail "test list compiles"
write_ddg_conf '	list: "dyndns.dgl"
	mode: log
	client-network: v6lab ::1/128,2001:db8::/32 block
	client-network: v4lab 127.0.0.0/8'
ub_start || { fail "unbound starts"; finish; }

r=$(dig @::1 -p "$PORT" +tries=1 +time=3 foo.duckdns.org A)
expect_match "IPv6 client in a block network: NXDOMAIN" "status: NXDOMAIN" "$r"
expect_match "... with EDE 15" "EDE: 15 \\(Blocked\\)" "$r"
r=$(q +short foo.duckdns.org A)
expect_eq "IPv4 client (log network): answered" "198.51.100.10" "$r"
r=$(dig @::1 -p "$PORT" +tries=1 +time=3 +tcp foo.duckdns.org AAAA)
expect_match "IPv6 client over TCP: NXDOMAIN" "status: NXDOMAIN" "$r"
wait_log "client=::1#" 2
expect_match "event with the IPv6 client and its network" \
	'action=block client=::1#[0-9]+ network=v6lab qname=foo\.duckdns\.org\. qtype=A' "$(events)"
expect_match "event for the IPv4 client" \
	'action=log client=127\.0\.0\.1#[0-9]+ network=v4lab qname=foo\.duckdns\.org\. qtype=A' "$(events)"
r=$("$DDG" explain -c "$WORK/dyndns-guard.conf" --client ::1 foo.duckdns.org 2>&1)
expect_match "explain agrees for the IPv6 client" "block" "$r"
finish
