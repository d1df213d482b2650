#!/bin/sh
# Create the secret files the golden configs refer to, under DIR (a copy of
# tests/conf).  git keeps no 0600 modes, so keys are made at run time.
# Used by tests/unit/test_conf_golden and by the daemon's `vipd -t` test.
#   good/vipd.key  valid 44-byte key, 0600
#   bad/vipd.key   the same (for bad configs whose error is elsewhere)
#   bad/short.key  5 bytes, 0600         bad/empty.key  only a newline, 0600
#   bad/open.key   valid but 0644        bad/keydir     a directory
#   bad/missing.key is never created.
set -eu
dir=${1:?usage: mkkeys.sh DIR}
key='c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LWtleSE='
umask 077
printf '%s\n' "$key" >"$dir/good/vipd.key"
printf '%s\n' "$key" >"$dir/bad/vipd.key"
printf '12345\n' >"$dir/bad/short.key"
printf '\n' >"$dir/bad/empty.key"
printf '%s\n' "$key" >"$dir/bad/open.key"
chmod 600 "$dir/good/vipd.key" "$dir/bad/vipd.key" "$dir/bad/short.key" \
	"$dir/bad/empty.key"
chmod 644 "$dir/bad/open.key"
mkdir -p "$dir/bad/keydir"
