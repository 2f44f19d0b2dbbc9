#!/bin/sh
# check-examples.sh: the example configurations of examples/ (CI/CD runners,
# staging, production) are valid and do what their comments say:
#   - `dyndns-guard checkconf` accepts each dyndns-guard.conf, with its
#     list: pointed at the built shipped list and log-file: at a scratch
#     file (their Debian-style paths need not exist here),
#   - `dyndns-guard explain` gives each environment's decision for a
#     dynamic-DNS service name, a router-vendor name and an unlisted one,
#   - each unbound.conf snippet, included into a minimal unbound.conf, is
#     accepted by the real unbound-checkconf (when configure was given a
#     dynlib-enabled Unbound), and names the module in dynlib-file:.
# Needs top_srcdir, top_builddir (make check exports them), UNBOUND_DAEMON
# (optional).  Prints "N passed, N failed".
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}" "${UNBOUND_DAEMON:=}"
DDG=$top_builddir/dyndns-guard
LIST=$top_builddir/lists/dyndns.dgl
EX=$top_srcdir/examples
W=$top_builddir/examples/scratch
rm -rf "$W"; mkdir -p "$W"
W=$(cd "$W" && pwd)
LIST=$(cd "$(dirname "$LIST")" && pwd)/$(basename "$LIST")
P=0; F=0
pass() { P=$((P + 1)); echo "ok - $1"; }
fail() { F=$((F + 1)); echo "not ok - $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'; return 0; }

[ -x "$DDG" ] || { echo "not ok - $DDG not built"; echo "0 passed, 1 failed"; exit 1; }
[ -f "$LIST" ] || { echo "not ok - $LIST not built"; echo "0 passed, 1 failed"; exit 1; }
CHECKCONF=
if [ -n "$UNBOUND_DAEMON" ] && [ -x "$(dirname "$UNBOUND_DAEMON")/unbound-checkconf" ]; then
	CHECKCONF=$(dirname "$UNBOUND_DAEMON")/unbound-checkconf
fi

# environment, then the expected result for: x.duckdns.org (ddns-service),
# nas.synology.me (vendor-ddns), www.example.com (unlisted)
for spec in "ci-cd block block none" "staging block log none" "production log log none"; do
	set -- $spec
	env=$1; e_svc=$2; e_vendor=$3; e_none=$4
	src=$EX/$env/dyndns-guard.conf
	[ -f "$src" ] || { fail "$env: $src exists"; continue; }
	grep -q '^ *list: "/var/lib/unbound/dyndns.dgl"' "$src" \
		|| fail "$env: list: is the installed shipped list (/var/lib/unbound/dyndns.dgl)"
	conf=$W/$env.conf
	sed -e "s|\"/var/lib/unbound/dyndns.dgl\"|\"$LIST\"|" \
		-e "s|\"/var/log/unbound/dyndns-guard.json\"|\"$W/$env.json\"|" "$src" > "$conf"
	r=$("$DDG" checkconf "$conf" 2>&1); rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$r" | grep -q "configuration OK" \
		&& ! printf '%s\n' "$r" | grep -q "warning"; then
		pass "$env: dyndns-guard checkconf accepts dyndns-guard.conf without warnings"
	else
		fail "$env: dyndns-guard checkconf accepts dyndns-guard.conf without warnings" "rc=$rc: $r"
	fi
	for t in "x.duckdns.org $e_svc" "nas.synology.me $e_vendor" "www.example.com $e_none"; do
		n=${t% *}; want=${t#* }
		got=$("$DDG" explain -c "$conf" "$n" 2>&1 | sed -n 's/^result: //p')
		if [ "$got" = "$want" ]; then
			pass "$env: $n: $want"
		else
			fail "$env: $n: $want" "explain says: ${got:-nothing}"
		fi
	done

	snip=$EX/$env/unbound.conf
	[ -f "$snip" ] || { fail "$env: $snip exists"; continue; }
	if grep -q '^ *module-config: "[^"]*dynlib' "$snip" \
		&& grep -q '^ *dynlib-file: "/usr/lib/unbound/dyndns_guard.so"' "$snip"; then
		pass "$env: unbound.conf loads the module through dynlib"
	else
		fail "$env: unbound.conf loads the module through dynlib"
	fi
	if [ -n "$CHECKCONF" ]; then
		cat > "$W/$env.unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: 53
	username: ""
	chroot: ""
	directory: "$W"
	pidfile: "$W/unbound.pid"
	use-syslog: no
include: "$snip"
CONF
		r=$("$CHECKCONF" "$W/$env.unbound.conf" 2>&1); rc=$?
		if [ $rc -eq 0 ]; then
			pass "$env: unbound-checkconf accepts the snippet"
		else
			fail "$env: unbound-checkconf accepts the snippet" "$r"
		fi
	fi
done
[ -n "$CHECKCONF" ] || echo "# no unbound-checkconf (configure without a dynlib Unbound): snippets not checked by Unbound"

echo "$P passed, $F failed"
[ $F -eq 0 ]
