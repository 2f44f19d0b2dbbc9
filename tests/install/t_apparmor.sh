#!/bin/sh
# t_apparmor.sh: the generated AppArmor snippet (contrib/apparmor, installed
# as $(docdir)/apparmor/usr.sbin.unbound) compiles inside Debian's real
# unbound profile: the profile from Debian's unbound package, with the
# snippet as its local/usr.sbin.unbound, through `apparmor_parser -Q` (parse
# and compile, load nothing into the kernel).  A broken snippet must fail.
#
# The profile: $DDG_APPARMOR_PROFILE, else debian/apparmor-profile of the
# configured Unbound source tree (scripts/build-unbound.sh unpacks Debian's
# source package; its debian/rules installs that file unchanged as
# /etc/apparmor.d/usr.sbin.unbound), else /etc/apparmor.d/usr.sbin.unbound.
# Skipped (77) without apparmor_parser (Debian package apparmor) or a
# profile.  Prints "N passed, N failed".
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
SNIP=$top_builddir/contrib/apparmor/usr.sbin.unbound
W=$top_builddir/tests/install/scratch-apparmor
P=0; F=0
pass() { P=$((P + 1)); echo "ok - $1"; }
fail() { F=$((F + 1)); echo "not ok - $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'; return 0; }

PARSER=$(command -v apparmor_parser 2>/dev/null || true)
[ -n "$PARSER" ] || [ ! -x /sbin/apparmor_parser ] || PARSER=/sbin/apparmor_parser
if [ -z "$PARSER" ]; then
	echo "SKIP: no apparmor_parser (Debian package apparmor)"
	exit 77
fi
PROFILE=${DDG_APPARMOR_PROFILE:-}
if [ -z "$PROFILE" ]; then
	src=$(sed -n 's/^UNBOUND_SRC = //p' "$top_builddir/Makefile")
	if [ -n "$src" ] && [ -f "$src/debian/apparmor-profile" ]; then
		PROFILE=$src/debian/apparmor-profile
	elif [ -f /etc/apparmor.d/usr.sbin.unbound ]; then
		PROFILE=/etc/apparmor.d/usr.sbin.unbound
	fi
fi
if [ -z "$PROFILE" ] || [ ! -f "$PROFILE" ]; then
	echo "SKIP: no Debian unbound AppArmor profile (set DDG_APPARMOR_PROFILE)"
	exit 77
fi
echo "# profile: $PROFILE"
[ -f "$SNIP" ] || { echo "not ok - $SNIP built"; echo "0 passed, 1 failed"; exit 1; }

# an apparmor.d of our own: Debian's profile, our snippet as its local
# include, the system's tunables and abstractions
rm -rf "$W"
mkdir -p "$W/apparmor.d/local"
for d in tunables abstractions abi; do
	[ -e "/etc/apparmor.d/$d" ] && ln -s "/etc/apparmor.d/$d" "$W/apparmor.d/$d"
done
cp "$PROFILE" "$W/apparmor.d/usr.sbin.unbound"
if grep -q 'include.*<local/usr.sbin.unbound>' "$W/apparmor.d/usr.sbin.unbound"; then
	pass "Debian's profile includes local/usr.sbin.unbound"
else
	fail "Debian's profile includes local/usr.sbin.unbound"
fi
parse() { # -> parser output; status of apparmor_parser -Q
	"$PARSER" -Q -K --base "$W/apparmor.d" "$W/apparmor.d/usr.sbin.unbound" 2>&1
}

cp "$SNIP" "$W/apparmor.d/local/usr.sbin.unbound"
r=$(parse); rc=$?
if [ $rc -eq 0 ]; then
	pass "apparmor_parser -Q compiles Debian's profile with the snippet"
else
	fail "apparmor_parser -Q compiles Debian's profile with the snippet" "$r"
fi
# the rules are really in the compiled profile (the include was followed)
pre=$("$PARSER" -p --base "$W/apparmor.d" "$W/apparmor.d/usr.sbin.unbound" 2>/dev/null)
for rule in "dyndns_guard.so mr," "dyndns-guard.conf r," "*.dgl r," "dyndns-guard.json w," ".dyndns-guard.prom.* rw,"; do
	if printf '%s\n' "$pre" | grep -qF -- "$rule"; then
		pass "the profile has the rule '... $rule'"
	else
		fail "the profile has the rule '... $rule'"
	fi
done

# the same check refuses a broken snippet
{ cat "$SNIP"; echo "  /usr/lib/unbound/broken.so mrq,"; } > "$W/apparmor.d/local/usr.sbin.unbound"
r=$(parse); rc=$?
if [ $rc -ne 0 ]; then
	pass "apparmor_parser -Q refuses a snippet with a bad rule"
else
	fail "apparmor_parser -Q refuses a snippet with a bad rule" "$r"
fi

echo "$P passed, $F failed"
[ $F -eq 0 ] && rm -rf "$W"
[ $F -eq 0 ]
