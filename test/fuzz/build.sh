#!/bin/sh
# test/fuzz/build.sh [OUTDIR] - builds the libFuzzer targets (fuzz_*.c here)
# against the core library, with ASan and UBSan, into OUTDIR (default
# $AC_FUZZ_OUT, else /tmp/ac-fuzz): nothing is written to the source tree.
#
# The core's source files are read from src_libac_core_la_SOURCES in
# Makefile.am, so a file renamed or moved there needs no change here.
# Objects are rebuilt only when a source, a header or the flags changed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-${AC_FUZZ_OUT:-/tmp/ac-fuzz}}

die() {
    echo "fuzz build: $*" >&2
    exit 1
}

CC=${AC_FUZZ_CC:-clang}
command -v "$CC" >/dev/null 2>&1 ||
    die "$CC not found; install the Debian packages clang and libclang-rt-14-dev"
command -v make >/dev/null 2>&1 || die "make not found; install build-essential"
for tool in apr-1-config apu-1-config pkg-config; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool not found; install libapr1-dev, libaprutil1-dev and pkg-config"
done

mkdir -p "$out"
out=$(cd "$out" && pwd)

# libFuzzer ships in the compiler runtime package, which clang does not pull
# in on Debian: try a one-line target before anything else.
probe=$out/.probe
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    > "$probe.c"
"$CC" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" 2> "$probe.log" ||
    die "$CC cannot link -fsanitize=fuzzer,address,undefined ($(head -n 1 "$probe.log")); libFuzzer needs clang and the Debian package libclang-rt-14-dev"
rm -f "$probe" "$probe.c" "$probe.log"

# Every word ending in .c of src_libac_core_la_SOURCES (= and +=, with line
# continuations).
core=$(awk '
    /^[ \t]*src_libac_core_la_SOURCES[ \t]*\+?=/ { on = 1; sub(/^[^=]*=/, "") }
    on {
        cont = /\\[ \t]*$/
        sub(/\\[ \t]*$/, "")
        for (i = 1; i <= NF; i++) if ($i ~ /\.c$/) print $i
        if (!cont) on = 0
    }' "$top/Makefile.am" | tr '\n' ' ')
[ -n "$(echo $core)" ] || die "no .c files in src_libac_core_la_SOURCES of $top/Makefile.am"
for f in $core; do
    [ -f "$top/$f" ] || die "$f (from Makefile.am) does not exist"
done
# the core's headers sit next to its sources
incdirs=$(for f in $core; do dirname "$f"; done | sort -u | sed "s|^|-I$top/|" | tr '\n' ' ')

pkgs="libcurl libcrypto jansson cjose"
pkg-config --exists $pkgs ||
    die "pkg-config does not know all of $pkgs; install libcurl4-openssl-dev libssl-dev libjansson-dev libcjose-dev"
httpd_inc=""
if command -v apxs >/dev/null 2>&1; then
    httpd_inc="-I$(apxs -q INCLUDEDIR)"
fi

cppflags="$incdirs -I$top/test/fuzz $httpd_inc $(apr-1-config --cppflags --includes) $(apu-1-config --includes) $(pkg-config --cflags $pkgs)"
libs="$(pkg-config --libs $pkgs) $(apu-1-config --link-ld) $(apr-1-config --link-ld) -lpthread -ldl"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

targets=$(cd "$top/test/fuzz" && ls fuzz_*.c | sed -n 's/^fuzz_\(.*\)\.c$/\1/p' | tr '\n' ' ')
[ -n "$(echo $targets)" ] || die "no fuzz_*.c targets in $top/test/fuzz"

jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" -f "$top/test/fuzz/fuzz.mk" \
    TOP="$top" OUT="$out" CC="$CC" \
    CORE_SRCS="$core" TARGETS="$targets" \
    FZ_CPPFLAGS="$cppflags" FZ_SAN="$san" FZ_LIBS="$libs"
echo "fuzz build: $(echo $targets | wc -w) targets in $out"
