#!/bin/sh
# "dyndns-guard export" against the module, name by name: the same list is
# served by the real Unbound with the module (block mode), by a plain
# Unbound WITHOUT the module loading the rpz export (rpz: clause,
# module-config "respip validator iterator"), by a plain Unbound including
# the unbound export (local-zone:), by dnsmasq with the dnsmasq export and
# by dnsmasq with the hosts export.  On apexes, subdomains, nested entries
# of another category, zone: rules, allow exceptions and unlisted names,
# each must answer as the module does (hosts: only the exact names).
# Three scenarios: a category selection, a configuration's policy (--mode
# block -c), and the same policy for a client in a blocking network
# (--client, queried from that address).
. "$(dirname "$0")/lib.sh"

command -v dnsmasq >/dev/null 2>&1 || { fail "dnsmasq not installed (dnsmasq-base; scripts/deps.sh)"; finish; }

# --- the list: categories as the shipped list uses them, a nested entry of
# another category, a name with a space byte (zone-file formats only)
printf 'duckdns.org\nno-ip.biz\nhopto.org\ndynu.net\na\\032b.example\n' >"$WORK/ddns.txt"
printf 'myasustor.com\n' >"$WORK/vendor.txt"
printf 'freedns-shared.net\n' >"$WORK/shared.txt"
printf 'x.duckdns.org\n' >"$WORK/malware.txt"
compile_list --category ddns-service "$WORK/ddns.txt" \
	--category vendor-ddns "$WORK/vendor.txt" \
	--category shared-domain "$WORK/shared.txt" \
	--category malware "$WORK/malware.txt" || { fail "test list compiles"; finish; }

# --- the sample names, each with an address in the offline upstream:
# NAME ADDRESS FLAG (z: only for the zone-file formats, which can carry
# the name; the text formats skip it with a warning)
cat >"$WORK/samples" <<'S'
duckdns.org 192.0.2.1 -
foo.duckdns.org 192.0.2.2 -
deep.foo.duckdns.org 192.0.2.3 -
x.duckdns.org 192.0.2.4 -
y.x.duckdns.org 192.0.2.5 -
notduckdns.org 192.0.2.6 -
no-ip.biz 192.0.2.7 -
ok.no-ip.biz 192.0.2.8 -
w.ok.no-ip.biz 192.0.2.9 -
z.no-ip.biz 192.0.2.10 -
hopto.org 192.0.2.11 -
deep.hopto.org 192.0.2.12 -
q.deep.hopto.org 192.0.2.13 -
p.hopto.org 192.0.2.14 -
dynu.net 192.0.2.15 -
a.dynu.net 192.0.2.16 -
myasustor.com 192.0.2.17 -
router.myasustor.com 192.0.2.18 -
freedns-shared.net 192.0.2.19 -
z.freedns-shared.net 192.0.2.20 -
www.unlisted.net 192.0.2.21 -
x.www.unlisted.net 192.0.2.22 -
other.unlisted.net 192.0.2.23 -
www.example.com 192.0.2.24 -
a\032b.example 192.0.2.25 z
q.a\032b.example 192.0.2.26 z
S
{
	cat <<'ZONE'
$TTL 3600
.			86400	IN SOA	a.root-servers.net. hostmaster.root. 1 1800 900 604800 60
.			518400	IN NS	a.root-servers.net.
a.root-servers.net.	518400	IN A	127.0.0.1
ZONE
	while read -r nm ip fl; do printf '%s.\t300\tIN A\t%s\n' "$nm" "$ip"; done <"$WORK/samples"
} >"$WORK/root.zone"

# The upstream of both dnsmasq instances: a plain Unbound serving the root
# zone authoritatively (every sample name is in it).
start_auth . "$WORK/root.zone" || { fail "authoritative upstream starts"; finish; }

# --- plain Unbound and dnsmasq instances, stopped by PID
PIDS=""
stop_extra() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=""
}
trap 'stop_extra; ub_stop; auth_stop' EXIT
trap 'stop_extra; ub_stop; auth_stop; exit 1' INT TERM HUP

# wait_dns PORT PID LOGFILES: until a server answers
wait_dns() {
	i=0
	while [ $i -lt 100 ]; do
		if ! kill -0 "$2" 2>/dev/null; then
			echo "server on port $1 exited:"; shift 2; cat "$@"
			return 1
		fi
		dig @127.0.0.1 -p "$1" +tries=1 +time=1 www.example.com A 2>/dev/null |
			grep -q 'status: NOERROR' && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "no answer on port $1"
	return 1
}

# plain_start NAME EXTRA: an Unbound without the module (respip for RPZ),
# the same offline upstream as the module's; sets PLAIN_PORT
plain_start() {
	d="$WORK/$1"
	mkdir -p "$d"
	PLAIN_PORT=$(free_port)
	cat >"$d/unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: $PLAIN_PORT
	do-ip6: no
	num-threads: 1
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	logfile: "$d/unbound.log"
	use-syslog: no
	verbosity: 1
	module-config: "respip validator iterator"
	do-not-query-localhost: no
	access-control: 127.0.0.0/8 allow
	so-reuseport: no
$2
auth-zone:
	name: "."
	zonefile: "$WORK/root.zone"
	for-upstream: yes
	for-downstream: no
	fallback-enabled: no
CONF
	"$UNBOUND_DAEMON" -d -c "$d/unbound.conf" >"$d/stderr" 2>&1 &
	PIDS="$PIDS $!"
	wait_dns "$PLAIN_PORT" $! "$d/stderr" "$d/unbound.log"
}

# dnsmasq_start NAME OPTION: dnsmasq forwarding to the authoritative
# upstream, no cache, nothing read from /etc; sets DM_PORT
dnsmasq_start() {
	d="$WORK/$1"
	mkdir -p "$d"
	DM_PORT=$(free_port)
	u=
	[ "$(id -u)" = 0 ] && u=--user=root
	# shellcheck disable=SC2086
	dnsmasq -k $u --port="$DM_PORT" --listen-address=127.0.0.1 --bind-interfaces \
		--no-resolv --no-hosts --no-poll --cache-size=0 \
		--server="127.0.0.1#$AUTH_PORT" --pid-file="$d/dnsmasq.pid" \
		--log-facility="$d/dnsmasq.log" "$2" >"$d/stderr" 2>&1 &
	PIDS="$PIDS $!"
	wait_dns "$DM_PORT" $! "$d/stderr" "$d/dnsmasq.log"
}

# answers PORT FILE [DIG-OPTIONS]: one line per sample name (those usable
# in the text formats only, when FILE ends in .text): NAME STATUS ADDRESS
answers() {
	port=$1; out=$2; shift 2
	: >"$out"
	while read -r nm ip fl; do
		case $out in *.text) [ "$fl" = z ] && continue ;; esac
		r=$(dig @127.0.0.1 -p "$port" +tries=1 +time=3 "$@" "$nm" A |
			awk '/status:/ { s = $6; sub(/,$/, "", s) }
			     /^[^;]/ && $4 == "A" { a = a " " $5 }
			     END { print s a }')
		printf '%s %s\n' "$nm" "$r" >>"$out"
	done <"$WORK/samples"
}

# scenario NAME CONF-LINES BLOCKED EXPORT-OPTIONS [DIG-OPTIONS]: run the
# module with CONF-LINES, check it blocks exactly BLOCKED (so the
# comparison means something), export with EXPORT-OPTIONS, start the
# other servers with the exports and compare every answer
scenario() {
	sn=$1; lines=$2; blocked=$3; xopts=$4; shift 4
	dir="$WORK/$sn"
	mkdir -p "$dir"
	write_ddg_conf "$lines"
	write_unbound_conf
	ub_start || { fail "$sn: unbound with the module starts"; return; }
	answers "$PORT" "$dir/module.all" "$@"
	# the module's answers: blocked names NXDOMAIN, the others the address
	want=""
	while read -r nm ip fl; do
		case " $blocked " in
		*" $nm "*) want="$want$nm NXDOMAIN
" ;;
		*) want="$want$nm NOERROR $ip
" ;;
		esac
	done <"$WORK/samples"
	expect_eq "$sn: the module blocks exactly the expected names" "$want" "$(cat "$dir/module.all")
"
	ub_stop
	grep -v '\\' "$dir/module.all" >"$dir/module.text"

	for f in rpz unbound hosts dnsmasq; do
		# shellcheck disable=SC2086
		"$DDG" export -q --format $f $xopts -o "$dir/export.$f" "$WORK/dyndns.dgl" \
			2>"$dir/export.$f.err" || fail "$sn: export --format $f" "$(cat "$dir/export.$f.err")"
	done

	plain_start "$sn/rpz" "rpz:
	name: \"rpz.dyndns-guard.\"
	zonefile: \"$dir/export.rpz\"" || { fail "$sn: plain unbound with the RPZ export starts"; stop_extra; return; }
	answers "$PLAIN_PORT" "$dir/rpz.all" "$@"
	expect_eq "$sn: RPZ in a plain Unbound answers as the module, on every name" \
		"$(cat "$dir/module.all")" "$(cat "$dir/rpz.all")"

	plain_start "$sn/include" "include: \"$dir/export.unbound\"" ||
		{ fail "$sn: plain unbound including the local-zone export starts"; stop_extra; return; }
	answers "$PLAIN_PORT" "$dir/include.all" "$@"
	expect_eq "$sn: local-zone: in a plain Unbound answers as the module, on every name" \
		"$(cat "$dir/module.all")" "$(cat "$dir/include.all")"

	dnsmasq_start "$sn/dnsmasq" "--conf-file=$dir/export.dnsmasq" ||
		{ fail "$sn: dnsmasq with the export starts"; stop_extra; return; }
	answers "$DM_PORT" "$dir/dnsmasq.text" "$@"
	expect_eq "$sn: dnsmasq answers as the module, on every name it can carry" \
		"$(cat "$dir/module.text")" "$(cat "$dir/dnsmasq.text")"

	# hosts: 0.0.0.0 for exactly the blocked names that are list entries or
	# zone: rules, every other name resolves
	dnsmasq_start "$sn/hosts" "--addn-hosts=$dir/export.hosts" ||
		{ fail "$sn: dnsmasq with the hosts export starts"; stop_extra; return; }
	answers "$DM_PORT" "$dir/hosts.text" "$@"
	want=""
	while read -r nm ip fl; do
		[ "$fl" = z ] && continue
		point=no
		"$DDG" lookup "$WORK/dyndns.dgl" "$nm" | grep -q "^$nm zone=$nm " && point=yes
		grep -q "zone: \"$nm\"" "$WORK/dyndns-guard.conf" && case $xopts in *-c*) point=yes ;; esac
		if [ $point = yes ] && grep -q "^$nm NXDOMAIN" "$dir/module.text"; then
			want="$want$nm NOERROR 0.0.0.0
"
		else
			want="$want$nm NOERROR $ip
"
		fi
	done <"$WORK/samples"
	expect_eq "$sn: hosts blocks exactly the blocked list entries and zone: rules, not their subdomains" \
		"$want" "$(cat "$dir/hosts.text")
"
	stop_extra
}

# --- A: categories.  The module blocks everything (mode: block) except
# the categories switched off; the export selects the others by name.
scenario category "	list: \"dyndns.dgl\"
	mode: block
	category: shared-domain off
	category: malware off" \
	"duckdns.org foo.duckdns.org deep.foo.duckdns.org no-ip.biz ok.no-ip.biz w.ok.no-ip.biz z.no-ip.biz hopto.org deep.hopto.org q.deep.hopto.org p.hopto.org dynu.net a.dynu.net myasustor.com router.myasustor.com a\\032b.example q.a\\032b.example" \
	"--category ddns-service --category vendor-ddns"

# --- B: a configuration's policy, for a client in no client network
POLICY="	list: \"dyndns.dgl\"
	mode: log
	category: ddns-service block
	category: vendor-ddns block
	category: malware off
	zone: \"ok.no-ip.biz\" allow
	zone: \"www.unlisted.net\" block
	zone: \"deep.hopto.org\" log
	zone: \"dynu.net\" log
	client-network: ci-cd 127.0.0.2/32 block"
B_BLOCKED="duckdns.org foo.duckdns.org deep.foo.duckdns.org no-ip.biz z.no-ip.biz hopto.org p.hopto.org myasustor.com router.myasustor.com www.unlisted.net x.www.unlisted.net a\\032b.example q.a\\032b.example"
scenario policy "$POLICY" "$B_BLOCKED" "--mode block -c $WORK/dyndns-guard.conf"

# --- C: the same policy for the client 127.0.0.2 (network ci-cd, block):
# the network's action beats category: and mode:, not the zone: rules
scenario client "$POLICY" \
	"$B_BLOCKED x.duckdns.org y.x.duckdns.org freedns-shared.net z.freedns-shared.net" \
	"-c $WORK/dyndns-guard.conf --client 127.0.0.2" -b 127.0.0.2

finish
