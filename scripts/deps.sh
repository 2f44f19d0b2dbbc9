#!/bin/sh
# deps.sh: install the Debian packages dyndns-guard needs to build Unbound,
# build itself and run its tests.  Installs only what is missing; needs root
# (or sudo) only when something is missing.
set -eu

PKGS="build-essential dpkg-dev pkg-config autoconf automake libtool bison flex
libssl-dev libexpat1-dev nettle-dev libevent-dev libnghttp2-dev
libprotobuf-c-dev protobuf-c-compiler libsystemd-dev python3-dev
libpython3-dev swig check bind9-dnsutils jq curl nsd ldnsutils dnsperf
valgrind clang dnsmasq-base man-db groff-base prometheus
prometheus-node-exporter rsyslog zlib1g-dev chromium apparmor"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "deps: these Debian packages are missing and I am not root:$missing" >&2
		exit 1
	}
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
