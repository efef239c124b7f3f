#!/bin/sh
# bench/fuzz.sh [MINUTES] [TARGET...] - a libFuzzer campaign: every target
# of test/fuzz (or those named, e.g. "jwks form"), one after the other,
# MINUTES each (default 10), at nice 19.  One at a time on purpose: the
# numbers stay comparable and the machine stays usable.  Without names the
# targets that read what any client sends come first, then those that read
# a provider's answers, then the rest: a campaign cut short has spent its
# time where an attacker needs no account.
#
# Each target works in $AC_FUZZ_WORK/<target> (default /tmp/ac-fuzz-campaign):
# corpus/ starts as a copy of test/fuzz/corpus/<target> and keeps what earlier
# campaigns found (rm -rf the work directory to start over); crashes/ gets
# the crash, leak, timeout and out-of-memory inputs; log is libFuzzer's
# output.  Prints executions, speed, corpus growth and coverage per target,
# then every crash file; exits non-zero if there was one.
#
# Keeping what a campaign found is done by hand, so that the committed seeds
# stay small and named for what they test: merge into a copy of the
# committed corpus keeps only the inputs that add coverage to it (the first
# directory is what is already had; -use_counters=0 counts new edges only,
# not new hit counts of old ones, which keeps the set a few files),
#     mkdir /tmp/new && cp test/fuzz/corpus/<target>/* /tmp/new/
#     /tmp/ac-fuzz/fuzz_<target> -merge=1 -use_counters=0 /tmp/new \
#         /tmp/ac-fuzz-campaign/<target>/corpus
# (the files of /tmp/new named by a hash are the new coverage), then copy
# the few worth keeping into test/fuzz/corpus/<target>/ under a name that
# says what they are.  A crash input goes there too once the bug is fixed; replay.sh then
# guards against its return.  Reproduce one with
#     /tmp/ac-fuzz/fuzz_<target> /tmp/ac-fuzz-campaign/<target>/crashes/crash-...
#
# Two campaigns side by side (one per core) must not both build into
# $AC_FUZZ_OUT: build.sh's probe and flags files would race.  Build once
# with test/fuzz/build.sh, then start each with AC_FUZZ_NO_BUILD=1 and its
# own list of targets.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
minutes=10
if [ $# -gt 0 ]; then
    minutes=$1
    shift
fi
case "$minutes" in
    ''|*[!0-9]*|0) echo "usage: bench/fuzz.sh [MINUTES (1 or more)] [TARGET...]" >&2; exit 2 ;;
esac
out=${AC_FUZZ_OUT:-/tmp/ac-fuzz}
work=${AC_FUZZ_WORK:-/tmp/ac-fuzz-campaign}

[ -n "${AC_FUZZ_NO_BUILD:-}" ] || sh "$top/test/fuzz/build.sh" "$out"
targets="$*"
if [ -z "$targets" ]; then
    first="cookie form redirect decode session_record flow_entry token_record
        unseal token_response oauth1_token idtoken jwks discovery profile"
    first=" $(echo $first) "
    all=" $(cd "$top/test/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//' | tr '\n' ' ')"
    for t in $first; do
        case "$all" in *" $t "*) targets="$targets $t" ;; esac
    done
    for t in $all; do
        case "$first" in *" $t "*) ;; *) targets="$targets $t" ;; esac
    done
fi
for t in $targets; do
    [ -x "$out/fuzz_$t" ] || { echo "bench/fuzz.sh: no target $t" >&2; exit 2; }
done

summary=""
crashed=0
for t in $targets; do
    dir=$work/$t
    mkdir -p "$dir/corpus" "$dir/crashes"
    cp "$top/test/fuzz/corpus/$t/"* "$dir/corpus/" 2>/dev/null || true
    before=$(ls "$dir/corpus" | wc -l)
    echo "=== $t: $minutes min"
    rc=0
    nice -n 19 "$out/fuzz_$t" -max_total_time=$((minutes * 60)) \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/crashes/" "$dir/corpus" > "$dir/log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -n 1 | sed 's/cov: //')
    after=$(ls "$dir/corpus" | wc -l)
    if [ "$rc" -ne 0 ]; then
        crashed=1
        echo "--- $t stopped with status $rc; last lines of $dir/log:"
        tail -n 25 "$dir/log"
    fi
    line=$(printf '%-16s %12s execs %8s/s  corpus %5s -> %-5s cov %6s  %s' "$t" \
        "${execs:-?}" "${speed:-?}" "$before" "$after" "${cov:-?}" \
        "$([ "$rc" -eq 0 ] && echo ok || echo "FAILED ($rc)")")
    echo "$line"
    summary="$summary$line
"
done

echo
echo "=== summary ($minutes min per target, work in $work)"
printf '%s' "$summary"
found=$(find "$work" -path '*/crashes/*' -type f 2>/dev/null | sort)
if [ -n "$found" ]; then
    echo "=== crash files (reproduce: $out/fuzz_<target> FILE)"
    echo "$found"
fi
[ "$crashed" -eq 0 ] && [ -z "$found" ]
