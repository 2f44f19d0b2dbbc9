#!/bin/sh
# build-unbound-upstream.sh: build a dynlib-enabled Unbound from an upstream
# release tarball (the newest Unbound line, 1.26 as shipped by Debian 13),
# with the configure flags of build-unbound.sh's Debian build plus
# --with-dynlibmodule, and install it into a private prefix in the cache.
#
# Why: Unbound has no stable module ABI (struct module_qstate, module_env and
# the callback signatures changed between 1.17 and 1.26), so the module is
# compiled and tested against each line it supports.
#
# The tarball is looked for in $UNBOUND_UPSTREAM_DIR (default: the folder
# shared/unbound beside the project's checkout, ../shared/unbound).  Without
# one the script says so and exits 3: the caller skips that build.
# The result is cached: a second run with the same tarball and the same
# script returns in seconds.  Compiling runs under nice -n 10 (it takes both
# cores for a few minutes).
#
# Environment:
#   DDG_CACHE_DIR        cache root (default: <project>/.cache)
#   UNBOUND_UPSTREAM_DIR folder holding unbound-X.Y.Z.tar.gz (the newest
#                        version there is built)
# Writes UNBOUND_SRC=, UNBOUND_BUILD=, UNBOUND_PREFIX= and UNBOUND_VERSION= to
# $DDG_CACHE_DIR/unbound-upstream.env and prints them on its last line.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${DDG_CACHE_DIR:-$here/.cache}
updir=${UNBOUND_UPSTREAM_DIR:-$here/../shared/unbound}

tarball=
if [ -d "$updir" ]; then
	tarball=$(ls "$updir"/unbound-[0-9]*.tar.gz 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$tarball" ]; then
	echo "build-unbound-upstream: no unbound-X.Y.Z.tar.gz in $updir: skipped" >&2
	exit 3
fi
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

ver=$(basename "$tarball" .tar.gz)
ver=${ver#unbound-}
tar_sum=$(sha256sum "$tarball" | cut -c1-16)
script_sum=$(sha256sum "$0" | cut -c1-16)
top=$cache/unbound-upstream-$ver
stamp=$top/stamp
src=$top/src/unbound-$ver
build=$top/build
prefix=$top/prefix

write_env() {
	cat > "$cache/unbound-upstream.env" <<EOT
UNBOUND_SRC=$src
UNBOUND_BUILD=$build
UNBOUND_PREFIX=$prefix
UNBOUND_VERSION=$ver
EOT
	echo "UNBOUND_SRC=$src UNBOUND_BUILD=$build UNBOUND_PREFIX=$prefix"
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver $tar_sum $script_sum" ] \
   && [ -x "$prefix/sbin/unbound" ] && [ -f "$build/config.h" ]; then
	echo "build-unbound-upstream: cached dynlib-enabled Unbound $ver in $prefix" >&2
	write_env
	exit 0
fi

rm -rf "$top"
mkdir -p "$top/src" "$build"
echo "build-unbound-upstream: unpacking $(basename "$tarball")" >&2
tar -xzf "$tarball" -C "$top/src"
[ -x "$src/configure" ] || { echo "build-unbound-upstream: $src/configure missing" >&2; exit 1; }

echo "build-unbound-upstream: configuring $ver with Debian's flags plus --with-dynlibmodule" >&2
cd "$build"
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
triplet=$(dpkg-architecture -qDEB_HOST_GNU_TYPE)
pyver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# the flags of Debian's debian/rules (as in build-unbound.sh), paths moved
# into the private prefix
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
	|| { tail -30 "$top/configure.log" >&2; echo "build-unbound-upstream: configure failed, see $top/configure.log" >&2; exit 1; }
grep -q '^#define WITH_DYNLIBMODULE 1' config.h || { echo "build-unbound-upstream: config.h lacks WITH_DYNLIBMODULE" >&2; exit 1; }

echo "build-unbound-upstream: compiling (nice -n 10 make -j$(nproc))" >&2
nice -n 10 make -j"$(nproc)" > "$top/make.log" 2>&1 \
	|| { tail -30 "$top/make.log" >&2; echo "build-unbound-upstream: make failed, see $top/make.log" >&2; exit 1; }
make install > "$top/install.log" 2>&1 \
	|| { tail -30 "$top/install.log" >&2; echo "build-unbound-upstream: make install failed" >&2; exit 1; }
"$prefix/sbin/unbound" -V | grep -q dynlib \
	|| { echo "build-unbound-upstream: built unbound does not list dynlib" >&2; exit 1; }
echo "$ver $tar_sum $script_sum" > "$stamp"
echo "build-unbound-upstream: installed dynlib-enabled Unbound $ver in $prefix" >&2
write_env
