#!/bin/bash
# The Debian package's life cycle, by hand (not part of make check: it
# needs two built .debs):
#   unshare -m tests/deb-lifecycle.sh OLD.deb NEW.deb
# In this private mount namespace /etc, /usr and /var become overlays on a
# tmpfs, so dpkg's database, the vipd user and the unit vanish with it;
# the package is installed, configured, started, upgraded, removed and
# purged inside a systemd sandbox (../shared/tools/sysd-sandbox.sh, or
# $SYSD_SANDBOX) started from here.  Read the output: install creates the
# user and enables the unit without starting it (no /etc/vipd/vipd.conf);
# with a config it starts as vipd with CAP_NET_ADMIN|CAP_NET_RAW; the
# upgrade restarts it (new PID); remove stops it; purge removes the
# conffiles and keeps the user and the administrator's vipd.conf.
set -u
[ $# = 2 ] && [ -f "$1" ] && [ -f "$2" ] || { sed -n '2,14p' "$0"; exit 2; }
OLD=$(realpath "$1") NEW=$(realpath "$2")
SB=${SYSD_SANDBOX:-$(dirname "$(realpath "$0")")/../../shared/tools/sysd-sandbox.sh}
W=$(mktemp -d /tmp/deb-lifecycle.XXXXXX)
S=""
cleanup() {
	[ -n "$S" ] && "$SB" stop "$S"
	umount -l /etc /usr /var "$W" 2>/dev/null
	rmdir "$W"
}
trap cleanup EXIT
mount --make-rprivate / && mount -t tmpfs ov "$W" || exit 1
for d in etc usr var; do
	mkdir -p "$W/u/$d" "$W/w/$d"
	mount -t overlay overlay \
		-o "lowerdir=/$d,upperdir=$W/u/$d,workdir=$W/w/$d" "/$d" || exit 1
done
cp "$OLD" /var/cache/old.deb && cp "$NEW" /var/cache/new.deb || exit 1
S=$("$SB" start) || exit 1
x() { "$SB" exec "$S" "$@"; }
x ip link set lo up
# A container image's policy-rc.d (exit 101) forbids service actions in
# maintainer scripts; in the overlay it can go.
x rm -f /usr/sbin/policy-rc.d
echo "== install OLD"; x dpkg -i /var/cache/old.deb; echo "rc=$?"
echo "== user: $(x getent passwd vipd)"
echo "== enabled: $(x systemctl is-enabled vipd) active: $(x systemctl is-active vipd)"
x systemctl status vipd --no-pager 2>&1 | sed -n 1,5p
x ls -ld /etc/vipd /run/vipd
echo "== configure and start"
x sh -c 'sed "s/interface = \"eth1\"/interface = \"lo\"/" /usr/share/doc/vipd/examples/vipd.conf > /etc/vipd/vipd.conf'
x /usr/sbin/vipd -t; echo "vipd -t rc=$?"
x systemctl start vipd; echo "start rc=$?"
x systemctl status vipd --no-pager 2>&1 | sed -n 1,12p
M=$(x systemctl show -p MainPID --value vipd)
x grep -E "^(Uid|CapEff|CapPrm)" /proc/$M/status
x vipctl status | head -5
echo "== upgrade to NEW"; x dpkg -i /var/cache/new.deb; echo "rc=$?"
M2=$(x systemctl show -p MainPID --value vipd)
echo "== after upgrade: active $(x systemctl is-active vipd), pid $M -> $M2, version $(x dpkg-query -W -f='${Version}' vipd)"
x systemctl reload vipd; echo "reload rc=$?"
echo "== remove"; x dpkg -r vipd; echo "rc=$?"; echo "active: $(x systemctl is-active vipd)"; x ls /etc/vipd /usr/sbin/vipd 2>&1
echo "== purge"; x dpkg --purge vipd; echo "rc=$?"
x ls -la /etc/vipd /etc/iproute2/rt_protos.d/vipd.conf /lib/systemd/system/vipd.service 2>&1
x sh -c 'ls /etc/systemd/system/multi-user.target.wants/ | grep vipd'
echo "== user after purge: $(x getent passwd vipd)"
x dpkg -l vipd 2>&1 | tail -1
