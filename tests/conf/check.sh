#!/bin/bash
# `vipd -t` (check mode) against the golden configs; no root needed.
#
# - every good/NAME.conf: exit 0, nothing but the one-line summary on
#   stdout, naming the file's node id;
# - every bad/NAME.conf: exit 1, stdout empty, stderr exactly the lines of
#   bad/NAME.expected followed by "bad/NAME.conf: N error(s)";
# - examples/vipd.conf and examples/three-nodes.conf check clean; a
#   missing file is an error;
# - --help/--version exit 0; a bad option or a stray argument exits 2 with
#   the usage on stderr.
#
# The configs are checked from a temp copy of tests/conf where
# tests/conf/mkkeys.sh makes the 0600 secrets (git keeps no modes).  Where
# a private network namespace can be had (root: unshare -n), the checks
# run in one, so that the host's interfaces cannot change the verdict of
# the host checks; elsewhere the golden files' interfaces (eth1, eth2, ...)
# are simply absent or not checked.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh" # TAP helpers only: no lab is made here
VIPD="$top_builddir/vipd"
GOLDEN="$top_srcdir/tests/conf"

if [ ! -x "$VIPD" ]; then
	echo "1..0 # SKIP $VIPD not built"
	exit 0
fi

TMP=$(mktemp -d /tmp/vtc-check.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# libconfig 1.5 leaks a scanner buffer on some syntax errors (see
# tests/fuzz/fuzz_conf.c): not vipd's leak, suppressed for LSan builds.
printf 'leak:strbuf_append\nleak:libconfig_yylex\n' >"$TMP/lsan.supp"
export LSAN_OPTIONS="suppressions=$TMP/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

NETNS=()
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	NETNS=(unshare -n)
fi

# run_vipd ARGS...: sets RC, OUT (stdout) and ERR (stderr).
run_vipd() { lab_run "$TMP" "${NETNS[@]}" "$VIPD" "$@"; }

{
	mkdir "$TMP/conf" &&
		cp -R "$GOLDEN/good" "$GOLDEN/bad" "$TMP/conf/" &&
		chmod -R u+w "$TMP/conf" &&
		sh "$GOLDEN/mkkeys.sh" "$TMP/conf"
} || lab_bail "cannot copy $GOLDEN"
cd "$TMP/conf" || exit 1

ngood=0
for f in good/*.conf; do
	[ -f "$f" ] || continue
	ngood=$((ngood + 1))
	id=$(sed -n 's/.*\<id *= *"\([^"]*\)".*/\1/p' "$f" | head -1)
	run_vipd -t -c "$f"
	tap_is "$RC" 0 "$f: vipd -t exits 0"
	tap_is "$(printf '%s\n' "$OUT" | wc -l)" 1 "$f: one line on stdout"
	tap_match "$OUT" "^$f: configuration OK: node $id, [0-9]+ groups?, [0-9]+ VIPs?, [0-9]+ peers?\$" \
		"$f: summary names node $id and counts"
	# Only host notes may appear on stderr: "(not checked)".
	if [ -z "$ERR" ] || ! printf '%s\n' "$ERR" | grep -vq 'not checked)$'; then
		tap_ok 0 "$f: no error on stderr"
	else
		tap_ok 1 "$f: no error on stderr"
		printf '%s\n' "$ERR" | sed 's/^/#   /'
	fi
done
tap_ok "$([ "$ngood" -ge 5 ] && echo 0 || echo 1)" "good configs found ($ngood)"

nbad=0
for f in bad/*.conf; do
	[ -f "$f" ] || continue
	nbad=$((nbad + 1))
	exp="${f%.conf}.expected"
	if [ ! -f "$exp" ]; then
		tap_ok 1 "$f: has $exp"
		continue
	fi
	n=$(grep -c '' "$exp")
	run_vipd -t -c "$f"
	tap_is "$RC" 1 "$f: vipd -t exits 1"
	tap_is "$OUT" "" "$f: nothing on stdout"
	want="$(cat "$exp")
$f: $n error$([ "$n" = 1 ] || echo s)"
	tap_is "$ERR" "$want" "$f: stderr is $exp and the count"
done
tap_ok "$([ "$nbad" -ge 20 ] && echo 0 || echo 1)" "bad configs found ($nbad)"

cd "$top_srcdir" || exit 1
run_vipd -t -c examples/vipd.conf
tap_is "$RC" 0 "examples/vipd.conf: vipd -t exits 0"
tap_match "$OUT" '^examples/vipd.conf: configuration OK: node [^,]+, 1 group, 2 VIPs, 0 peers$' \
	"examples/vipd.conf: summary line"

# The 3-node example, with the key it names beside it.
mkdir "$TMP/ex3" && cp examples/three-nodes.conf "$TMP/ex3/" &&
	head -c 32 /dev/urandom | base64 >"$TMP/ex3/vipd.key" &&
	chmod 600 "$TMP/ex3/vipd.key" || lab_bail "cannot copy the 3-node example"
run_vipd -t -c "$TMP/ex3/three-nodes.conf"
tap_is "$RC" 0 "examples/three-nodes.conf: vipd -t exits 0"
tap_match "$OUT" 'three-nodes.conf: configuration OK: node node1, 2 groups, 2 VIPs, 3 peers$' \
	"examples/three-nodes.conf: summary line"

run_vipd -t -c "$TMP/does-not-exist.conf"
tap_is "$RC" 1 "a missing file: exit 1"
tap_is "$ERR" "$TMP/does-not-exist.conf: cannot open: No such file or directory
$TMP/does-not-exist.conf: 1 error" "a missing file: says so"

# Host warnings (issue 12), in a private namespace whose lo holds
# 198.51.100.1/24 and fd00::9/64: a VIP outside every subnet of its
# interface, a gateway on none of them, an absent interface (naming the
# checks not made).  Exit 0; 1 with --strict.
if [ ${#NETNS[@]} -gt 0 ]; then
	cat >"$TMP/host.conf" <<'CONF'
node = { id = "n1"; };
cluster = { peers = []; };
groups = (
	{ name = "a"; interface = "lo";
	  vips = [ "198.51.100.50", "192.0.2.1", "fd00::5" ];
	  route = { pin = "leader"; gateway = "192.0.2.254";
	            gateway6 = "fd00::1"; }; },
	{ name = "b"; interface = "eth9"; vips = [ "192.0.2.2" ]; }
);
CONF
	host_t() {
		lab_run "$TMP" unshare -n sh -c 'ip link set lo up &&
			ip addr add 198.51.100.1/24 dev lo &&
			ip addr add fd00::9/64 dev lo && exec "$0" "$@"' \
			"$VIPD" -t "$@" -c "$TMP/host.conf"
	}
	W="$TMP/host.conf:4: groups[0].vips[1]: warning: 192.0.2.1 is outside every subnet of lo: neighbours will not ask for it there
$TMP/host.conf:4: groups[0].route.gateway: warning: 192.0.2.254 is on no subnet of lo: the pinned default route cannot use it
$TMP/host.conf:8: groups[1].interface: warning: eth9 is not present on this host (VIP subnets, gateway, route table: not checked)"
	host_t
	tap_is "$RC" 0 "host warnings: vipd -t exits 0"
	tap_is "$ERR" "$W" "host warnings: exact messages on stderr"
	tap_match "$OUT" 'configuration OK' "host warnings: the summary still says OK"
	host_t --strict
	tap_is "$RC" 1 "host warnings: vipd -t --strict exits 1"
	tap_is "$ERR" "$W
$TMP/host.conf: 3 errors" "host warnings: --strict counts them as errors"
fi

for opt in -h --help; do
	run_vipd "$opt"
	tap_is "$RC" 0 "vipd $opt exits 0"
	tap_match "$OUT" '^usage: vipd ' "vipd $opt prints the usage on stdout"
	tap_is "$ERR" "" "vipd $opt: nothing on stderr"
done
for opt in -V --version; do
	run_vipd "$opt"
	tap_is "$RC" 0 "vipd $opt exits 0"
	tap_match "$OUT" '^vipd [0-9]+\.[0-9]+\.[0-9]+$' "vipd $opt prints 'vipd X.Y.Z'"
done
for args in "--bogus" "-x" "-c" "-t extra"; do
	# shellcheck disable=SC2086 # the words are the arguments
	run_vipd $args
	tap_is "$RC" 2 "vipd $args exits 2"
	tap_is "$OUT" "" "vipd $args: nothing on stdout"
	tap_match "$ERR" '^usage: vipd ' "vipd $args: usage on stderr"
done
tap_done
