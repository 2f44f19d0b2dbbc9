#!/bin/sh
# t_bypass.sh: a blocked name stays blocked against a client that behaves
# like malware.  A real authoritative server (NSD) behind stub-zones serves
# a blocked provider zone (dynserv.net), an unrelated zone whose name server
# lives under it (corp.example NS ns7.ops.dynserv.net), CNAME chains of 1,
# 16, 17 and 30 hops and a DNAME into it, and a log-listed shared domain
# whose name points into it.  The attacker first gets the iterator to look
# the blocked names up (name-server addresses, CNAME chasing, DNSKEY
# fetches), then asks for them directly with CD=1 and without, with RD=0,
# and after the TTLs ran out (serve-expired, prefetch).  Each scenario runs
# with and without the validator, and with subnetcache.  No blocked name's
# real data may reach the client, and every event states the answer the
# client really got.
. "$(dirname "$0")/lib.sh"

BEACON=203.0.113.66
X=203.0.113.67

# ---- zones -----------------------------------------------------------
write_provider_zones "beacon.ops	A	$BEACON
beacon.ops	TXT	\"c2 channel\"
x.ops		A	$X" "www		A	192.0.2.77"
{
	printf '$TTL 300\n'
	printf '@\tSOA\tns.lab.example. hostmaster.lab.example. 1 3600 600 86400 60\n'
	printf '@\tNS\tns.lab.example.\n'
	printf 'ns\tA\t%s\n' "$NSD_IP"
	for n in 1 16 17 30; do
		i=1
		while [ $i -lt $n ]; do
			printf 'c%s-%s\tCNAME\tc%s-%s\n' "$n" "$i" "$n" $((i + 1))
			i=$((i + 1))
		done
		printf 'c%s-%s\tCNAME\tbeacon.ops.dynserv.net.\n' "$n" "$n"
	done
	printf 'alias\tCNAME\tbeacon.ops.dynserv.net.\n'
	printf 'ok\tCNAME\tx.ops.dynserv.net.\n'
	printf 'dn\tDNAME\tops.dynserv.net.\n'
	printf 'plain\tA\t192.0.2.88\n'
} > "$NSD_DIR/lab.example.zone"
cat > "$NSD_DIR/sharedfree.org.zone" <<ZONE
\$TTL 300
@		SOA	ns.sharedfree.org. hostmaster.sharedfree.org. 1 3600 600 86400 60
@		NS	ns.sharedfree.org.
ns		A	$NSD_IP
files		CNAME	beacon.ops.dynserv.net.
ZONE

# dynserv.net signed, with its key as a trust anchor: the validator then
# fetches DNSKEY and DS records of the blocked zone itself
SIGNED=0
if command -v ldns-signzone >/dev/null 2>&1 && command -v ldns-keygen >/dev/null 2>&1; then
	(
		cd "$NSD_DIR" &&
		k=$(ldns-keygen -a ECDSAP256SHA256 -k dynserv.net 2>/dev/null) &&
		ldns-signzone -o dynserv.net dynserv.net.zone "$k" >/dev/null 2>&1 &&
		mv dynserv.net.zone.signed dynserv.net.zone &&
		grep -h DNSKEY "$k.key" > trust-anchor.key
	) && SIGNED=1
fi
[ "$SIGNED" = 1 ] || echo "# ldns-signzone not available: DNSKEY case not run"

nsd_start dynserv.net corp.example lab.example sharedfree.org ||
	{ fail "nsd serves the test zones"; finish; }

# ---- the list and the policy ------------------------------------------
printf 'dynserv.net\n' > "$WORK/ddns.txt"
printf 'sharedfree.org\n' > "$WORK/shared.txt"
compile_list --category ddns-service "$WORK/ddns.txt" \
	--category shared-domain "$WORK/shared.txt" || { fail "compile"; finish; }
write_ddg_conf "	list: \"$WORK/dyndns.dgl\"
	mode: log
	category: ddns-service block
	category: shared-domain log
	zone: \"ok.lab.example\" allow
	log-cache-hits: yes
	log-file: \"$WORK/events.json\"
	reload-check: 0"

STUBS=$(provider_stubs lab.example sharedfree.org)

# status and answer section of a query: "STATUS answer-records..."
ans() {
	out=$(q "$@" +noall +comments +answer +authority +additional 2>&1)
	st=$(printf '%s\n' "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)
	printf '%s %s\n' "${st:-NONE}" "$(printf '%s\n' "$out" | grep -v '^;' | grep -v '^$' | tr -s ' \t' ' ' | tr '\n' '|')"
}

# blocked NAME TYPE LABEL [dig options]: NXDOMAIN, none of the real data
blocked() {
	name=$1; type=$2; label=$3; shift 3
	r=$(ans "$name" "$type" "$@")
	case "$r" in
	NXDOMAIN*) ;;
	*) fail "$label: $name $type $* is blocked" "$r"; return ;;
	esac
	case "$r" in
	*"$BEACON"*|*"$X"*|*"$NSD_IP"*|*"c2 channel"*|*DNSKEY*)
		fail "$label: $name $type $*: no real data" "$r"; return ;;
	esac
	pass "$label: $name $type $* is blocked"
}

# no_real NAME TYPE LABEL [dig options]: whatever the status, no real data
# of a blocked name in any section
no_real() {
	name=$1; type=$2; label=$3; shift 3
	r=$(ans "$name" "$type" "$@")
	case "$r" in
	*"$BEACON"*|*"$X"*|*" $NSD_IP"*|*"c2 channel"*|*"dynserv.net. "[0-9]*" IN DNSKEY"*|*"IN NS ns1.dynserv.net"*)
		fail "$label: $name $type $*: no data of a blocked name" "$r" ;;
	*)	pass "$label: $name $type $*: no data of a blocked name" ;;
	esac
}

# the attacker's round: make the iterator resolve blocked names, then ask
round() {
	L=$1
	# an unrelated zone whose name server lives under the blocked zone
	r=$(ans www.corp.example A)
	expect_match "$L: www.corp.example resolves through ns7.ops.dynserv.net" \
		"^NOERROR .*192\.0\.2\.77" "$r"
	for fl in +cd +nocd; do
		# shellcheck disable=SC2086
		blocked ns7.ops.dynserv.net A "$L: name-server address" $fl
	done
	# RD=0 (allow_snoop): at most a referral, never the data
	for fl in +cd +nocd; do
		# shellcheck disable=SC2086
		no_real ns7.ops.dynserv.net A "$L: name-server address" $fl +norec
	done
	# shellcheck disable=SC2086
	no_real corp.example NS "$L: the delegation" +cd

	# CNAME chasing into the blocked zone, then the target itself
	blocked alias.lab.example A "$L: CNAME into the zone"
	for fl in +cd +nocd; do
		# shellcheck disable=SC2086
		blocked beacon.ops.dynserv.net A "$L: chased target" $fl
	done
	no_real beacon.ops.dynserv.net A "$L: chased target" +cd +norec
	blocked beacon.ops.dynserv.net TXT "$L: chased target, other type" +cd
	no_real dynserv.net NS "$L: the zone's delegation" +cd +norec

	# chains of every length end in the blocked zone
	for n in 1 16 17 30; do
		blocked "c$n-1.lab.example" A "$L: $n-hop chain"
		blocked "c$n-1.lab.example" A "$L: $n-hop chain again" +cd
	done

	# a log-listed name in front of a blocked target
	blocked files.sharedfree.org A "$L: log-listed owner"
	blocked files.sharedfree.org A "$L: log-listed owner again" +cd

	# DNAME into the zone
	blocked x.dn.lab.example A "$L: DNAME into the zone"

	# an explicit allow rule on the query name is final ...
	r=$(ans ok.lab.example A)
	expect_match "$L: zone allow on the query name stays final" \
		"^NOERROR .*$X" "$r"
	# ... but the target's own data is not kept for anyone else
	for fl in +cd +nocd; do
		# shellcheck disable=SC2086
		blocked x.ops.dynserv.net A "$L: target of an allowed name" $fl
	done

	if [ "$SIGNED" = 1 ] && [ "$VALIDATOR" = 1 ]; then
		# the validator fetched the blocked zone's keys
		for fl in +cd +nocd; do
			# shellcheck disable=SC2086
			blocked dynserv.net DNSKEY "$L: DNSKEY of the zone" $fl
			# shellcheck disable=SC2086
			blocked beacon.ops.dynserv.net DS "$L: DS below the zone" $fl
		done
	fi
	r=$(ans plain.lab.example A)
	expect_match "$L: an unlisted name resolves" "^NOERROR .*192\.0\.2\.88" "$r"
}

# every event states the answer the client got: a block is an NXDOMAIN
check_events() {
	L=$1
	ev=$(events)
	expect_nomatch "$L: no event claims a block the client did not get" \
		"action=(block|sinkhole) .*rcode=(NOERROR|SERVFAIL)" "$ev"
	expect_match "$L: blocked answers have events" \
		"action=block .*qname=ns7\.ops\.dynserv\.net\. .*rcode=NXDOMAIN" "$ev"
	expect_match "$L: the log-listed owner is blocked by its target" \
		"action=block .*qname=files\.sharedfree\.org\. .*zone=dynserv\.net .*match=cname" "$ev"
	expect_match "$L: a 30-hop chain is marked shortened in the event" \
		"action=block .*qname=c30-1\.lab\.example\. .*chain=.*,\.\.\. " "$ev"
	j=$(cat "$WORK/events.json" 2>/dev/null)
	expect_match "$L: JSON marks the shortened chain" \
		'"name":"c30-1\.lab\.example".*"cname_chain_truncated":true' "$j"
	expect_nomatch "$L: no bypass was ever seen" "reached client" "$(cat "$LOG")"
}

# scenario LABEL MODULE-CONFIG VALIDATOR EXTRA-SERVER-LINES
scenario() {
	L=$1; VALIDATOR=$3
	ub_stop
	rm -f "$WORK/events.json"
	ta=""
	[ "$SIGNED" = 1 ] && [ "$VALIDATOR" = 1 ] && ta="	trust-anchor-file: \"$NSD_DIR/trust-anchor.key\""
	write_unbound_conf "$4
	max-query-restarts: 40
$ta
$STUBS"
	sed -i -e "s|module-config: .*|module-config: \"$2\"|" \
		-e "s|access-control: 127.0.0.0/8 allow$|access-control: 127.0.0.0/8 allow_snoop|" \
		"$WORK/unbound.conf"
	ub_start || { fail "$L: unbound starts"; return; }
	round "$L"
	round "$L, cache warm"
	if [ -n "${AFTER_TTL:-}" ]; then
		sleep "$AFTER_TTL"
		round "$L, after the TTLs ran out"
	fi
	check_events "$L"
}

AFTER_TTL="" scenario "validator" "dynlib validator iterator" 1 ""
AFTER_TTL="" scenario "no validator" "dynlib iterator" 0 ""
AFTER_TTL=3 scenario "subnetcache, serve-expired, prefetch" \
	"dynlib subnetcache validator iterator" 1 "	serve-expired: yes
	serve-expired-ttl: 86400
	prefetch: yes
	cache-max-ttl: 2
	send-client-subnet: $NSD_IP
	client-subnet-always-forward: yes"

# a name blocked by its answer is decided again without being resolved
# again: with the authoritative server gone it is still blocked (one worker
# thread: the memo is per thread)
ub_stop
write_unbound_conf "	num-threads: 1
	max-query-restarts: 40
$STUBS"
sed -i "s|module-config: .*|module-config: \"dynlib iterator\"|" "$WORK/unbound.conf"
ub_start || fail "memo: unbound starts"
for n in alias.lab.example c30-1.lab.example; do
	r=$(ans $n A)
	expect_match "memo: $n is blocked by its answer" "^NXDOMAIN" "$r"
done
r=$(ans plain.lab.example A)
expect_match "memo: an unlisted name resolves" "^NOERROR .*192\.0\.2\.88" "$r"
nsd_stop
r=$(ans alias.lab.example A)
expect_match "memo: a name blocked by its CNAME stays blocked without resolving" "^NXDOMAIN" "$r"
r=$(ans c30-1.lab.example A)
expect_match "memo: ... also behind 30 hops" "^NXDOMAIN" "$r"
wait_log "qname=alias.lab.example. .*match=cname" 2 30
expect_match "memo: the event names the deciding target" \
	"action=block .*qname=alias\.lab\.example\. .*match=cname .*chain=beacon\.ops\.dynserv\.net\." "$(events | tail -3)"
r=$(ans plain.lab.example A)
expect_match "memo: an unlisted name is not affected (it is cached)" "^NOERROR .*192\.0\.2\.88" "$r"

finish
