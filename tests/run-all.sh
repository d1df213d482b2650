#!/bin/bash
# The whole test suite from a clean checkout: installs dependencies, builds
# with -Werror and ASan+UBSan, runs `make check` (unit tests, fuzz corpus
# replay, namespace integration tests), then `make distcheck`, then builds
# the fuzz targets with clang and runs each for VIPD_FUZZ_SECONDS (default
# 30) seconds (tests/fuzz/run-fuzzers.sh).  Ends with one line "N passed,
# N failed".  Needs root (network namespaces).
set -u
cd "$(dirname "$0")/.." || exit 1
src=$(pwd)
build="$src/_build-check"
log="$build/run-all.log"
fail_setup() {
	echo "run-all: $1" >&2
	echo "0 passed, 1 failed"
	exit 1
}

"$src/tests/install-deps.sh" || fail_setup "installing dependencies failed"
autoreconf -fi >/dev/null 2>&1 || fail_setup "autoreconf failed"
rm -rf "$build"
mkdir -p "$build"
cd "$build" || exit 1
"$src/configure" --enable-werror --enable-sanitizers >"$log" 2>&1 ||
	{ tail -20 "$log"; fail_setup "configure failed (see $log)"; }
make -j"$(nproc)" >>"$log" 2>&1 ||
	{ tail -40 "$log"; fail_setup "build failed"; }

# Integration tests share the machine's two cores with sanitized daemons:
# run the suite serially so that timing-sensitive scenarios stay honest.
make -j1 check 2>&1 | tee -a "$log" | grep -aE '^(PASS|FAIL|ERROR|XPASS|SKIP):'
check_rc=${PIPESTATUS[0]}

# Static analysis: cppcheck over every C source (warnings are failures).
cppcheck_rc=0
(cd "$src" && cppcheck --quiet --enable=warning,portability --inline-suppr \
	--error-exitcode=1 -I "$build/build-aux" -Iconf -Ielection -Inet \
	-Ipin -Ictlproto -Idoctor -Iannouncer -Ivipctl -Ichecks -D_GNU_SOURCE \
	-DVIPD_CONF_INTERNAL -DVIPD_ELECTION_INTERNAL -DVIPD_NET_INTERNAL \
	-DVIPD_PIN_INTERNAL -DVIPD_CHK_INTERNAL conf election net pin ctlproto \
	doctor announcer vipctl checks \
	bench/tools tests/tools) >>"$log" 2>&1 || cppcheck_rc=1
if [ $cppcheck_rc = 0 ]; then echo "PASS: cppcheck"; else echo "FAIL: cppcheck (see $log)"; fi

# Formatting: every C file as .clang-format says.
format_rc=0
make check-format >>"$log" 2>&1 || format_rc=1
if [ $format_rc = 0 ]; then echo "PASS: check-format"; else echo "FAIL: check-format (see $log)"; fi

# distcheck builds the tarball and re-runs the suite from it without the
# sanitizers; the namespace tests already ran above, so they skip there.
distcheck_rc=0
if [ "${VIPD_SKIP_DISTCHECK:-0}" != 1 ]; then
	VIPD_TEST_NETNS=0 make distcheck >>"$log" 2>&1 || distcheck_rc=1
	if [ $distcheck_rc = 0 ]; then
		echo "PASS: make distcheck"
	else
		echo "FAIL: make distcheck (see $log)"
	fi
fi

# The fuzzers, built with clang in _build-fuzz: one PASS/FAIL line each.
"$src/tests/fuzz/run-fuzzers.sh" 2>&1 | tee "$build/fuzz.log" |
	grep -aE '^(PASS|FAIL): fuzz'
fuzz_rc=${PIPESTATUS[0]}
fuzz_pass=$(grep -ac '^PASS: fuzz' "$build/fuzz.log")
fuzz_fail=$(grep -ac '^FAIL: fuzz' "$build/fuzz.log")
if [ "$fuzz_fail" = 0 ] && { [ "$fuzz_rc" != 0 ] || [ "$fuzz_pass" = 0 ]; }; then
	echo "FAIL: fuzz (see $build/fuzz.log)"
	fuzz_fail=1
fi

passed=$fuzz_pass
failed=$fuzz_fail
skipped=0
for trs in $(find "$build" -name '*.trs' -not -path '*/vipd-*/*'); do
	p=$(grep -c '^:test-result: PASS' "$trs")
	f=$(grep -Ec '^:test-result: (FAIL|ERROR|XPASS)' "$trs")
	s=$(grep -c '^:test-result: SKIP' "$trs")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
done
[ "$distcheck_rc" = 0 ] && [ "${VIPD_SKIP_DISTCHECK:-0}" != 1 ] &&
	passed=$((passed + 1))
[ "$distcheck_rc" != 0 ] && failed=$((failed + 1))
if [ "$cppcheck_rc" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if [ "$format_rc" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if [ "$check_rc" != 0 ] && [ "$failed" = 0 ]; then
	failed=1 # make check failed outside any test result
fi
[ "$skipped" != 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
