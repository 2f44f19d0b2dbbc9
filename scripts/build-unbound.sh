#!/bin/sh
# build-unbound.sh: build a dynlib-enabled Unbound from Debian's own source
# package, the same version and configure flags as the distribution's plus
# --with-dynlibmodule, and install it into a private prefix inside the project.
#
# Why: Debian's unbound is built without the dynlib module and exports no
# symbols, and Unbound has no public module ABI, so dyndns_guard.so must be
# compiled against the configured tree of the very Unbound that loads it.
#
# The machine's apt configuration is not changed: the deb-src indexes live in a
# private state directory under the cache.  The result is cached: a second run
# with the same version and the same script returns in seconds.
#
# Environment:
#   DDG_CACHE_DIR        cache root (default: <project>/.cache)
#   UNBOUND_DEB_VERSION  Debian version to build (default: apt's candidate
#                        or installed version of package unbound)
# Prints, on its last line, the shell assignments UNBOUND_SRC=, UNBOUND_BUILD=
# and UNBOUND_PREFIX= (also written to $DDG_CACHE_DIR/unbound.env).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${DDG_CACHE_DIR:-$here/.cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

ver=${UNBOUND_DEB_VERSION:-}
if [ -z "$ver" ]; then
	ver=$(dpkg-query -W -f='${Version}' unbound 2>/dev/null || true)
fi
if [ -z "$ver" ]; then
	ver=$(apt-cache policy unbound 2>/dev/null | awk '/Candidate:/ {print $2}')
fi
case "$ver" in
""|"(none)") echo "build-unbound: cannot tell which Debian unbound version to build (apt-cache policy unbound shows none); set UNBOUND_DEB_VERSION" >&2; exit 1;;
esac
upver=${ver#*:}
upver=${upver%%-*}

script_sum=$(sha256sum "$0" | cut -c1-16)
top=$cache/unbound-$ver
stamp=$top/stamp
src=$top/src/unbound-$upver
build=$top/build
prefix=$top/prefix

write_env() {
	cat > "$cache/unbound.env" <<EOT
UNBOUND_SRC=$src
UNBOUND_BUILD=$build
UNBOUND_PREFIX=$prefix
UNBOUND_VERSION=$upver
EOT
	echo "UNBOUND_SRC=$src UNBOUND_BUILD=$build UNBOUND_PREFIX=$prefix"
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver $script_sum" ] \
   && [ -x "$prefix/sbin/unbound" ] && [ -f "$build/config.h" ]; then
	echo "build-unbound: cached dynlib-enabled Unbound $ver in $prefix" >&2
	write_env
	exit 0
fi

rm -rf "$top"
mkdir -p "$top/apt/lists/partial" "$top/apt/cache/archives/partial" \
	"$top/apt/sources.list.d" "$top/src"

# deb-src twins of the machine's deb sources, in a private apt state.
: > "$top/apt/sources.list"
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list \
		>> "$top/apt/sources.list"
fi
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed 's/^Types:.*/Types: deb-src/' "$f" > "$top/apt/sources.list.d/$(basename "$f")"
done
for f in /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" \
		> "$top/apt/sources.list.d/$(basename "$f")"
done

aptopt="-o Dir::Etc::SourceList=$top/apt/sources.list
 -o Dir::Etc::SourceParts=$top/apt/sources.list.d
 -o Dir::State::Lists=$top/apt/lists
 -o Dir::Cache=$top/apt/cache
 -o Dir::State::status=/var/lib/dpkg/status
 -o Debug::NoLocking=1
 -o APT::Sandbox::User=root"

echo "build-unbound: fetching Debian source package unbound $ver" >&2
# shellcheck disable=SC2086
apt-get $aptopt -qq update
# shellcheck disable=SC2086
(cd "$top/src" && apt-get $aptopt -qq source --download-only "unbound=$ver")
dsc=$(ls "$top"/src/unbound_*.dsc)
# apt checked the package against the archive's signed index; dpkg-source's
# own check of the uploader's signature has no keyring here: keep its
# output for failures only
(cd "$top/src" && dpkg-source -q -x "$(basename "$dsc")" "unbound-$upver") \
	> "$top/dpkg-source.log" 2>&1 \
	|| { cat "$top/dpkg-source.log" >&2; echo "build-unbound: dpkg-source failed" >&2; exit 1; }
rm -rf "$top/apt"

echo "build-unbound: configuring with Debian's flags plus --with-dynlibmodule" >&2
mkdir -p "$build"
cd "$build"
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
triplet=$(dpkg-architecture -qDEB_HOST_GNU_TYPE)
pyver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
"$src/configure" --build="$triplet" --prefix="$prefix" --sysconfdir="$prefix/etc" \
	--localstatedir="$prefix/var" --runstatedir="$prefix/run" \
	--disable-option-checking --disable-silent-rules --disable-maintainer-mode \
	--disable-dependency-tracking --with-pythonmodule --with-pyunbound \
	--enable-subnet --enable-dnstap --enable-systemd --with-libnghttp2 \
	--with-chroot-dir= --with-dnstap-socket-path=/run/dnstap.sock \
	--disable-rpath --with-pidfile="$prefix/run/unbound.pid" \
	--with-libevent --enable-tfo-client --enable-tfo-server \
	--with-rootkey-file=/usr/share/dns/root.key \
	--with-dynlibmodule \
	PYTHON=/usr/bin/python3 PYTHON_VERSION="$pyver" \
	PYTHON_SITE_PKG="$prefix/lib/python3/dist-packages" > "$top/configure.log" 2>&1 \
	|| { tail -30 "$top/configure.log" >&2; echo "build-unbound: configure failed, see $top/configure.log" >&2; exit 1; }
grep -q '^#define WITH_DYNLIBMODULE 1' config.h || { echo "build-unbound: config.h lacks WITH_DYNLIBMODULE" >&2; exit 1; }

echo "build-unbound: compiling (make -j$(nproc))" >&2
make -j"$(nproc)" > "$top/make.log" 2>&1 \
	|| { tail -30 "$top/make.log" >&2; echo "build-unbound: make failed, see $top/make.log" >&2; exit 1; }
make install > "$top/install.log" 2>&1 \
	|| { tail -30 "$top/install.log" >&2; echo "build-unbound: make install failed" >&2; exit 1; }
"$prefix/sbin/unbound" -V | grep -q dynlib \
	|| { echo "build-unbound: built unbound does not list dynlib" >&2; exit 1; }
echo "$ver $script_sum" > "$stamp"
echo "build-unbound: installed dynlib-enabled Unbound $ver in $prefix" >&2
write_env
