#!/bin/sh
# test/fuzz/replay.sh - builds the fuzz targets (build.sh) and runs each one
# once over its committed corpus, corpus/<target>/.  Fails on any crash,
# leak, sanitizer report or broken promise, on a target without a corpus,
# on a corpus without a target and on a seed listed in ./accepted that its
# parser no longer accepts (a format changed, the seeds were not remade).  A regression test, not a campaign:
# bench/fuzz.sh searches for new inputs.
#
# Needs clang and libclang-rt-14-dev; without them it fails, it does not
# skip.  Works from a tree that is not a git checkout.  Binaries and crash
# artifacts go to $AC_FUZZ_OUT (default /tmp/ac-fuzz).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${AC_FUZZ_OUT:-/tmp/ac-fuzz}

sh "$here/build.sh" "$out" || {
    echo "fuzz replay: FAILED: the fuzz targets could not be built (see above)" >&2
    exit 1
}
out=$(cd "$out" && pwd)
mkdir -p "$out/artifacts"

failed=""
ran=0
inputs=0
for src in "$here"/fuzz_*.c; do
    t=$(basename "$src" .c)
    t=${t#fuzz_}
    corpus=$here/corpus/$t
    if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
        echo "fuzz replay: $t has no corpus in $corpus" >&2
        failed="$failed $t"
        continue
    fi
    n=$(ls -A "$corpus" | wc -l)
    # -runs=0: execute the corpus, generate nothing new
    if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$out/fuzz_$t" -runs=0 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$out/artifacts/$t-" "$corpus" \
            > "$out/replay-$t.log" 2>&1; then
        echo "fuzz replay: $t: $n inputs ok"
    else
        echo "fuzz replay: $t FAILED; last lines of $out/replay-$t.log:" >&2
        tail -n 30 "$out/replay-$t.log" >&2
        failed="$failed $t"
    fi
    ran=$((ran + 1))
    inputs=$((inputs + n))
done
for d in "$here"/corpus/*/; do
    t=$(basename "$d")
    [ -f "$here/fuzz_$t.c" ] || {
        echo "fuzz replay: corpus/$t has no target fuzz_$t.c" >&2
        failed="$failed corpus/$t"
    }
done

# every "target seed" line of ./accepted
while read -r t seed rest; do
    case "$t" in ''|'#'*) continue ;; esac
    if [ ! -f "$here/corpus/$t/$seed" ] ||
        ! AC_FUZZ_DEBUG=1 "$out/fuzz_$t" -runs=1 "$here/corpus/$t/$seed" 2>&1 |
            grep -qx "$t: accepted"; then
        echo "fuzz replay: corpus/$t/$seed is no longer accepted (remake the seeds: see README)" >&2
        failed="$failed $t/$seed"
    fi
done < "$here/accepted"

if [ -n "$failed" ]; then
    echo "fuzz replay: FAILED:$failed"
    exit 1
fi
echo "fuzz replay: $ran targets, $inputs inputs, no crash"
