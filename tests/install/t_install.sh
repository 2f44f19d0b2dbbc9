#!/bin/sh
# t_install.sh: `make install DESTDIR=...` puts every part where
# docs/operations.md ("Installing") says, with the configured paths inside,
# the installed programs and module work from there, and `make uninstall`
# removes all of it.
#   $(bindir)            dyndns-guard, dyndns-guard-update
#   $(libdir)/unbound    dyndns_guard.so (when built against an Unbound tree)
#   $(sysconfdir)/unbound  dyndns-guard.conf.sample, dyndns-guard-update.conf.sample
#   $(localstatedir)/lib/unbound  dyndns.dgl (the shipped list)
#   $(prefix)/lib/systemd/system  dyndns-guard-update.service and .timer
#   $(docdir)            docs, apparmor/usr.sbin.unbound, examples/
# Other files (man pages, ...) may be installed too: only these are checked.
# Needs top_builddir (make check exports it); UNBOUND_DAEMON to load the
# installed module into the real Unbound.  Prints "N passed, N failed".
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}" "${UNBOUND_DAEMON:=}"
top_builddir=$(cd "$top_builddir" && pwd)
W=$top_builddir/tests/install/scratch
rm -rf "$W"; mkdir -p "$W"
D=$W/destdir
P=0; F=0
pass() { P=$((P + 1)); echo "ok - $1"; }
fail() { F=$((F + 1)); echo "not ok - $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'; return 0; }
check() { d=$1; shift; if "$@" >/dev/null 2>&1; then pass "$d"; else fail "$d"; fi; }
has() { # FILE TEXT DESCRIPTION
	if grep -qF -- "$2" "$1" 2>/dev/null; then pass "$3"; else fail "$3" "no '$2' in $1"; fi
}
finish() { echo "$P passed, $F failed"; [ $F -eq 0 ]; exit $?; }
# make check's jobserver is not ours: run the sub-makes on their own
unset MAKEFLAGS MFLAGS MAKELEVEL
MAKE=${MAKE:-make}

# the configured directories, as make expands them
eval "$($MAKE -s -C "$top_builddir" ddg-install-dirs)" \
	|| { fail "make ddg-install-dirs"; finish; }
for v in prefix bindir libdir sysconfdir localstatedir docdir ddg_sysconfdir build_module; do
	eval "[ -n \"\${$v:-}\" ]" || { fail "make ddg-install-dirs gives $v"; finish; }
done
expect_confdir="$sysconfdir/unbound"
if [ "$ddg_sysconfdir" = "$expect_confdir" ]; then
	pass "DDG_SYSCONFDIR is \$(sysconfdir)/unbound ($ddg_sysconfdir)"
else
	fail "DDG_SYSCONFDIR is \$(sysconfdir)/unbound" "$ddg_sysconfdir vs $expect_confdir"
fi

if $MAKE -C "$top_builddir" install DESTDIR="$D" > "$W/install.log" 2>&1; then
	pass "make install DESTDIR=..."
else
	fail "make install DESTDIR=..." "$(tail -20 "$W/install.log")"
	finish
fi

# --- the files ----------------------------------------------------------
B=$D$bindir
check "dyndns-guard in \$(bindir)" test -x "$B/dyndns-guard"
check "dyndns-guard-update in \$(bindir)" test -x "$B/dyndns-guard-update"
if [ "$build_module" = yes ]; then
	check "dyndns_guard.so in \$(libdir)/unbound" test -f "$D$libdir/unbound/dyndns_guard.so"
else
	echo "# configured without an Unbound tree: no module to install"
fi
C=$D$sysconfdir/unbound
check "dyndns-guard.conf.sample in \$(sysconfdir)/unbound" test -f "$C/dyndns-guard.conf.sample"
check "dyndns-guard-update.conf.sample in \$(sysconfdir)/unbound" test -f "$C/dyndns-guard-update.conf.sample"
check "no dyndns-guard.conf is installed (the operator writes it)" test ! -e "$C/dyndns-guard.conf"
L=$D$localstatedir/lib/unbound
check "the shipped list dyndns.dgl in \$(localstatedir)/lib/unbound" test -f "$L/dyndns.dgl"
check "the installed list is the built one" cmp "$L/dyndns.dgl" "$top_builddir/lists/dyndns.dgl"
check "the installed list verifies" "$B/dyndns-guard" verify "$L/dyndns.dgl"
S=$D$prefix/lib/systemd/system
check "dyndns-guard-update.service in \$(prefix)/lib/systemd/system" test -f "$S/dyndns-guard-update.service"
check "dyndns-guard-update.timer in \$(prefix)/lib/systemd/system" test -f "$S/dyndns-guard-update.timer"
check "the AppArmor snippet in \$(docdir)/apparmor" test -f "$D$docdir/apparmor/usr.sbin.unbound"
for e in ci-cd staging production; do
	check "examples/$e in \$(docdir)/examples" \
		test -f "$D$docdir/examples/$e/dyndns-guard.conf" -a -f "$D$docdir/examples/$e/unbound.conf"
done
check "docs/operations.md in \$(docdir)" test -f "$D$docdir/operations.md"

# --- the configured paths inside them ------------------------------------
has "$C/dyndns-guard.conf.sample" "list: \"$localstatedir/lib/unbound/dyndns.dgl\"" \
	"the sample's list: is the installed list"
has "$C/dyndns-guard-update.conf.sample" "output: \"$localstatedir/lib/unbound/dyndns.dgl\"" \
	"the update sample's output: is the installed list"
has "$S/dyndns-guard-update.service" "ExecStart=$bindir/dyndns-guard-update -c $ddg_sysconfdir/dyndns-guard-update.conf" \
	"the service runs the installed update tool with the configured configuration"
has "$B/dyndns-guard-update" "DEFAULT_CONF=$ddg_sysconfdir/dyndns-guard-update.conf" \
	"the installed update tool's default configuration is in \$(sysconfdir)/unbound"
has "$D$docdir/apparmor/usr.sbin.unbound" "$libdir/unbound/dyndns_guard.so mr," \
	"the AppArmor snippet maps the installed module"
has "$D$docdir/apparmor/usr.sbin.unbound" "$ddg_sysconfdir/dyndns-guard.conf r," \
	"the AppArmor snippet reads the configuration at the configured path"
has "$D$docdir/apparmor/usr.sbin.unbound" "$localstatedir/lib/unbound/*.dgl r," \
	"the AppArmor snippet reads the lists in the configured directory"
r=$(env -u DYNDNS_GUARD_CONF "$B/dyndns-guard" checkconf --help 2>&1)
case $r in
*"else $ddg_sysconfdir/dyndns-guard.conf"*) pass "the installed checkconf reads \$(sysconfdir)/unbound/dyndns-guard.conf by default" ;;
*) fail "the installed checkconf reads \$(sysconfdir)/unbound/dyndns-guard.conf by default" "$r" ;;
esac

# the installed sample, pointed at the installed (DESTDIR) list, is valid
sed "s|\"$localstatedir/lib/unbound/dyndns.dgl\"|\"$L/dyndns.dgl\"|" "$C/dyndns-guard.conf.sample" > "$W/dyndns-guard.conf"
r=$("$B/dyndns-guard" checkconf "$W/dyndns-guard.conf" 2>&1)
case $r in
*"configuration OK"*) pass "the installed checkconf accepts the installed sample" ;;
*) fail "the installed checkconf accepts the installed sample" "$r" ;;
esac

# --- the installed module in the real Unbound ----------------------------
if [ "$build_module" = yes ] && [ -n "$UNBOUND_DAEMON" ] && [ -x "$UNBOUND_DAEMON" ]; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat > "$W/unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: $port
	do-ip6: no
	num-threads: 1
	username: ""
	chroot: ""
	directory: "$W"
	pidfile: "$W/unbound.pid"
	logfile: "$W/unbound.log"
	use-syslog: no
	module-config: "dynlib iterator"
dynlib:
	dynlib-file: "$D$libdir/unbound/dyndns_guard.so"
CONF
	DYNDNS_GUARD_CONF="$W/dyndns-guard.conf" "$UNBOUND_DAEMON" -d -c "$W/unbound.conf" > "$W/unbound.stderr" 2>&1 &
	ub=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q "dyndns-guard: module .* started" "$W/unbound.log" 2>/dev/null \
		&& kill -0 $ub 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	if grep -q "dyndns-guard: module .* started .*config $W/dyndns-guard.conf, mode log, 1 of 1 lists loaded" "$W/unbound.log" 2>/dev/null; then
		pass "the installed module loads into Unbound with the installed sample and list"
	else
		fail "the installed module loads into Unbound with the installed sample and list" \
			"$(cat "$W/unbound.stderr" "$W/unbound.log" 2>/dev/null | tail -20)"
	fi
	kill $ub 2>/dev/null; wait $ub 2>/dev/null
else
	echo "# no module or no dynlib-enabled Unbound: the installed module is not loaded"
fi

# --- uninstall ---------------------------------------------------------------
if $MAKE -C "$top_builddir" uninstall DESTDIR="$D" > "$W/uninstall.log" 2>&1; then
	pass "make uninstall DESTDIR=..."
else
	fail "make uninstall DESTDIR=..." "$(tail -20 "$W/uninstall.log")"
fi
left=$(find "$D" -type f 2>/dev/null | sed "s|^$D||")
if [ -z "$left" ]; then
	pass "make uninstall removes every installed file"
else
	fail "make uninstall removes every installed file" "$left"
fi
[ $F -eq 0 ] && rm -rf "$W"
finish
