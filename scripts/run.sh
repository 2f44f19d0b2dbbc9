#!/bin/sh
# run.sh: run dyndns-guard: a dynlib-enabled Unbound with dyndns_guard.so and
# the shipped dynamic-DNS list, on loopback.
#
#   scripts/run.sh [--demo] [--port N]   start it (in the background)
#   scripts/run.sh stop                  stop it
#
# Installs missing Debian packages, builds (or reuses) the dynlib-enabled
# Unbound and the project in .cache/, compiles the shipped list, writes a
# sample configuration into run/ and starts Unbound on 127.0.0.1.
# --demo answers from a small built-in zone instead of the Internet (for
# machines without network access); the listed names in it show the module
# at work.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${DDG_CACHE_DIR:-$here/.cache}
rundir=$here/run
port=${DDG_PORT:-5353}
demo=no

while [ $# -gt 0 ]; do
	case "$1" in
	stop)
		if [ -f "$rundir/unbound.pid" ] && kill "$(cat "$rundir/unbound.pid")" 2>/dev/null; then
			echo "stopped"
		else
			echo "not running"
		fi
		exit 0;;
	--demo) demo=yes;;
	--port) port=$2; shift;;
	*) echo "usage: $0 [--demo] [--port N] | stop" >&2; exit 2;;
	esac
	shift
done

"$here/scripts/deps.sh"
"$here/scripts/build-unbound.sh" >/dev/null
. "$cache/unbound.env"
(cd "$here" && { [ -x configure ] || autoreconf -fi >/dev/null 2>&1; })
b=$cache/build
mkdir -p "$b"
if [ ! -f "$b/Makefile" ]; then
	(cd "$b" && "$here/configure" -q --with-unbound-source="$UNBOUND_SRC" \
		--with-unbound-build="$UNBOUND_BUILD" \
		--with-unbound-daemon="$UNBOUND_PREFIX/sbin/unbound" >/dev/null)
fi
(cd "$b" && make -j"$(nproc)" >/dev/null)

mkdir -p "$rundir"
if [ -f "$rundir/unbound.pid" ] && kill -0 "$(cat "$rundir/unbound.pid")" 2>/dev/null; then
	kill "$(cat "$rundir/unbound.pid")"; sleep 1
fi

# the shipped list, compiled
list=""
if [ -f "$b/lists/dyndns.dgl" ]; then
	cp "$b/lists/dyndns.dgl" "$rundir/dyndns.dgl.tmp" && mv "$rundir/dyndns.dgl.tmp" "$rundir/dyndns.dgl"
	list="list: \"$rundir/dyndns.dgl\""
fi

# the shipped sample configuration, pointed at the list above; kept when it
# exists, so your edits survive a restart
if [ ! -f "$rundir/dyndns-guard.conf" ]; then
	sed "s|^\([[:space:]]*\)list: .*|\1$list|" "$b/lists/dyndns-guard.conf.sample" \
		> "$rundir/dyndns-guard.conf"
	cat >> "$rundir/dyndns-guard.conf" <<EOT

    # added by scripts/run.sh
    log-file: "$rundir/events.json"
    reload-check: 5
EOT
	if [ "$demo" = yes ]; then
		cat >> "$rundir/dyndns-guard.conf" <<EOT
    # demo: block one provider zone, log the rest
    zone: "no-ip.biz" block
EOT
	fi
fi

upstream=""
if [ "$demo" = yes ]; then
	cat > "$rundir/demo-root.zone" <<'EOT'
$TTL 3600
.			86400	IN SOA	a.root-servers.net. hostmaster.root. 1 1800 900 604800 60
.			518400	IN NS	a.root-servers.net.
a.root-servers.net.	518400	IN A	127.0.0.1
www.example.com.	300	IN A	192.0.2.1
c2.duckdns.org.		300	IN A	198.51.100.10
beacon.no-ip.biz.	300	IN A	198.51.100.30
cdn.example.com.	300	IN CNAME c2.duckdns.org.
EOT
	upstream="auth-zone:
	name: \".\"
	zonefile: \"$rundir/demo-root.zone\"
	for-upstream: yes
	for-downstream: no
	fallback-enabled: no"
fi

cat > "$rundir/unbound.conf" <<EOT
server:
	interface: 127.0.0.1
	port: $port
	do-ip6: no
	num-threads: 2
	username: ""
	chroot: ""
	directory: "$rundir"
	pidfile: "$rundir/unbound.pid"
	logfile: "$rundir/unbound.log"
	use-syslog: no
	log-time-ascii: yes
	module-config: "dynlib validator iterator"
	do-not-query-localhost: no
dynlib:
	dynlib-file: "$b/.libs/dyndns_guard.so"
remote-control:
	control-enable: yes
	control-interface: "$rundir/control.sock"
	control-use-cert: no
$upstream
EOT

DYNDNS_GUARD_CONF="$rundir/dyndns-guard.conf" \
	"$UNBOUND_PREFIX/sbin/unbound" -c "$rundir/unbound.conf"
sleep 1
if ! kill -0 "$(cat "$rundir/unbound.pid" 2>/dev/null)" 2>/dev/null; then
	echo "unbound did not start; its log:" >&2
	tail -20 "$rundir/unbound.log" >&2
	exit 1
fi
cat <<EOT
dyndns-guard is running: Unbound $UNBOUND_VERSION (dynlib) with dyndns_guard.so on 127.0.0.1 port $port
  query it:      dig @127.0.0.1 -p $port $( [ "$demo" = yes ] && echo c2.duckdns.org || echo example.duckdns.org )
  its log:       $rundir/unbound.log     (grep '\[dyndns-guard\]')
  JSON events:   $rundir/events.json
  configuration: $rundir/dyndns-guard.conf  (then: $UNBOUND_PREFIX/sbin/unbound-control -c $rundir/unbound.conf reload)
  stop it:       $0 stop
EOT
