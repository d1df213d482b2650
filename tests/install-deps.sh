#!/bin/sh
# Install what vipd needs to build, test, benchmark and run the demo on
# Debian 12 / Ubuntu 22.04+.  Idempotent; installs only what is missing.
set -e
PKGS="build-essential autoconf automake libtool pkg-config
libpcap-dev libnet1-dev libmnl-dev libconfig-dev libsodium-dev libjansson-dev
libsystemd-dev libcap-ng-dev libmicrohttpd-dev libcurl4-openssl-dev
libnftables-dev
iproute2 iputils-ping iputils-arping ndisc6 tcpdump tshark nftables
jq python3 keepalived prometheus curl procps psmisc cppcheck clang-format git
clang libclang-rt-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# tshark asks whether non-root users may capture: answer no, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The keepalived package starts a service; the benchmark runs its own.
# So does prometheus (on :9090, scraping itself); tests/netns/prometheus.sh
# runs its own in a namespace.
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now keepalived >/dev/null 2>&1 || true
	systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
