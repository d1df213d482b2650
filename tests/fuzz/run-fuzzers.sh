#!/bin/bash
# Builds the fuzz targets with clang and libFuzzer in _build-fuzz (configure
# --enable-fuzzing --enable-werror: every library instrumented, ASan+UBSan)
# and runs each for a bounded time on a copy of its corpus, so that a broken
# fuzz build or a crash fails.  tests/run-all.sh calls it after the suite;
# it also runs alone (as any user, no root needed):
#
#     tests/fuzz/run-fuzzers.sh
#
# The targets are every tests/fuzz/fuzz_NAME.c with its corpus in
# tests/fuzz/corpus/NAME/ (which is only read: the run works on a copy in a
# temporary directory, and new inputs are thrown away).  Prints one line
# "PASS: fuzz NAME" or "FAIL: fuzz NAME" per target ("FAIL: fuzz build"
# when configure fails), with libFuzzer's final edge coverage.  Exit status
# 0 when every line is a PASS.
#
# Environment: VIPD_FUZZ_SECONDS  seconds per target (default 30)
#              VIPD_FUZZ_CC       the compiler (default clang)
set -u
cd "$(dirname "$0")/../.." || exit 1
src=$(pwd)
build="$src/_build-fuzz"
log="$build/fuzz-build.log"
secs=${VIPD_FUZZ_SECONDS:-30}
case "$secs" in
'' | *[!0-9]*)
	echo "run-fuzzers: VIPD_FUZZ_SECONDS must be a number of seconds" >&2
	exit 2
	;;
esac

rm -rf "$build"
mkdir -p "$build" || exit 1
[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi) >"$log" 2>&1
if ! (cd "$build" && CC=${VIPD_FUZZ_CC:-clang} "$src/configure" \
	--enable-fuzzing --enable-werror) >>"$log" 2>&1; then
	tail -5 "$log"
	echo "FAIL: fuzz build (configure, see $log)"
	exit 1
fi

tmp=$(mktemp -d /tmp/vipd-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
rc=0
for c in "$src"/tests/fuzz/fuzz_*.c; do
	name=${c##*/fuzz_}
	name=${name%.c}
	target=tests/fuzz/fuzz_$name
	out="$build/fuzz-$name.log"
	if ! make -C "$build" -j"$(nproc)" "$target" >>"$log" 2>&1; then
		tail -20 "$log"
		echo "FAIL: fuzz $name (build, see $log)"
		rc=1
		continue
	fi
	mkdir -p "$tmp/$name"
	if [ -d "$src/tests/fuzz/corpus/$name" ]; then
		cp -R "$src/tests/fuzz/corpus/$name/." "$tmp/$name/"
	fi
	# A crash, a leak, a timeout (-timeout s per input) or running out of
	# memory ends the run with a nonzero status and leaves the input in
	# $build as crash-*, leak-*, timeout-* or oom-*.
	if (cd "$tmp" && "$build/$target" -max_total_time="$secs" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$build/" "$tmp/$name") \
		>"$out" 2>&1; then
		cov=$(grep -a 'DONE' "$out" | grep -o 'cov: [0-9]* ft: [0-9]*')
		runs=$(grep -a 'stat::number_of_executed_units' "$out" |
			grep -o '[0-9]*$')
		echo "PASS: fuzz $name (${cov:-no cov}, ${runs:-?} runs in ${secs} s)"
	else
		tail -30 "$out"
		echo "FAIL: fuzz $name (see $out)"
		rc=1
	fi
done
exit $rc
