#!/bin/sh
# Installs what is missing, builds, and runs every test of mod_auth_client:
#   1. unit tests (libcheck), plain, under valgrind, and under ASan/UBSan
#   2. the fuzz targets (clang, libFuzzer) replayed over their corpora
#   3. the directive reference check and the apachectl -t checks
#   4. the Debian package: build, install, a2enmod, apachectl -t, purge
#   5. the demo, headless Chromium logins and the integration suite
#      (Apache::Test) on shmcb, memcached and redis
# Ends with one "N passed, N failed" line; exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
log_dir=${AC_TEST_LOGS:-$top/test/logs}
mkdir -p "$log_dir"
passed=0
failed=0
failures=""

step() {
    name=$1
    shift
    echo "=== $name"
    if "$@" > "$log_dir/$name.log" 2>&1; then
        passed=$((passed + 1))
        tail -n 3 "$log_dir/$name.log"
    else
        failed=$((failed + 1))
        failures="$failures $name"
        echo "--- $name FAILED; last lines of $log_dir/$name.log:"
        tail -n 40 "$log_dir/$name.log"
    fi
}

unit_plain() {
    make -j"$(nproc)" check && cat test/unit/run_unit.log
}

unit_valgrind() {
    CK_FORK=no ./libtool --mode=execute valgrind --error-exitcode=1 \
        --leak-check=full --errors-for-leak-kinds=definite \
        test/unit/run_unit
}

# a separate copy of the tree, so the sanitizer build does not disturb the
# one httpd loads
unit_sanitizers() {
    asan=/tmp/mod_auth_client-asan
    rm -rf "$asan"
    sh test/copy-source.sh "$asan"
    (cd "$asan" && autoreconf -fi >/dev/null &&
        ./configure --enable-werror --enable-sanitizers >/dev/null &&
        make -j"$(nproc)" >/dev/null &&
        ASAN_OPTIONS=detect_leaks=1:use_sigaltstack=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            make check && cat test/unit/run_unit.log)
}

integration() {
    cache=$1
    defines=""
    [ "$cache" = shmcb ] || defines="-defines AC_$(echo "$cache" | tr a-z A-Z)"
    # shellcheck disable=SC2086
    (cd test/t && ./TEST -apxs "$(command -v apxs)" $defines)
}

sh test/install-deps.sh || exit 1
sh test/build.sh || exit 1

step unit unit_plain
step unit-valgrind unit_valgrind
step unit-sanitizers unit_sanitizers
step fuzz-replay sh test/fuzz/replay.sh
step conf-reference sh test/check_conf_reference.sh
step config-errors sh test/config/check_errors.sh
step quickstarts sh test/check_quickstarts.sh
step troubleshooting sh test/check_troubleshooting.sh
step log-numbers python3 test/lognos.py
step package sh test/package/check.sh
step demo sh test/demo.sh --check
step browser sh test/browser/run.sh
step integration-shmcb integration shmcb
step integration-memcache integration memcache
step integration-redis integration redis

echo
[ -z "$failures" ] || echo "failed steps:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
