#!/bin/sh
# bench/run.sh [SECONDS] - wrk against one httpd serving the same static file
# unprotected, behind mod_auth_client with a valid session, and (shmcb run)
# behind Debian's mod_auth_openidc with a valid session, and (shmcb run)
# behind "AuthClientBearer only" with a JWT access token, side by side in
# one run; then the same with mod_auth_client on memcached, without and
# with AuthClientSessionLocalCache 1.  Prints requests/s and each protected
# figure as a share of the unprotected one.  AC_BENCH_MUTEX_DEFAULT=1 adds
# "Mutex file:DIR default" to the configuration; AC_BENCH_CACHES picks the
# runs (default "shmcb memcache memcache+local").
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
run=${AC_BENCH_DIR:-/tmp/mod_auth_client-bench}
secs=${1:-10}
rounds=${AC_BENCH_ROUNDS:-2}
wrk_args="-t1 -c16 -d${secs}s"

. "$top/bench/common.sh"

rps() {
    # prints requests/s of one wrk run; fails unless every answer was 2xx;
    # $2 is a session cookie, $3 (instead) a whole request header
    out=$($pin_wrk wrk $wrk_args ${2:+-H "Cookie: $2"} ${3:+-H "$3"} "$1")
    if echo "$out" | grep -q "Non-2xx"; then
        echo "wrk $1: non-2xx answers, the session is not being accepted" >&2
        echo "$out" >&2
        return 1
    fi
    echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }'
}

share() {
    echo "$1 $2" | awk '{ printf "%.1f", 100 * $1 / $2 }'
}

# the median and the range of each figure over the rounds of cache $1
summary() {
    for what in mod_auth_client mod_auth_openidc ratio bearer; do
        grep "^$what " "$run/shares.$1" | awk '{ print $2 }' | sort -n | awk -v w="$what" -v c="$1" '
            { v[NR] = $1 }
            END {
                if (NR == 0) exit
                m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                unit = w == "ratio" ? "x" : "%"
                printf "%-14s %-16s median %s%s over %d rounds (%s-%s)\n", c, w, m, unit, NR, v[1], v[NR]
            }'
    done
}

check_protected() {
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1")
    [ "$code" = 302 ] || { echo "$1 without a session answered $code, not 302" >&2; exit 1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $2" "$1")
    [ "$code" = 200 ] || { echo "$1 with a session answered $code, not 200" >&2; exit 1; }
}

bench_cache() {
    cache=$1
    configure "$cache"
    $pin_httpd /usr/sbin/apache2 -k start -f "$run/httpd.conf"
    sleep 1
    ours=$(perl "$top/bench/session-cookie.pl" http://127.0.0.1:8081/ours/index.html "$certs/ca.pem" ac_session)
    check_protected http://127.0.0.1:8081/ours/index.html "$ours"
    theirs=""
    if grep -q auth_openidc_module "$run/httpd.conf"; then
        theirs=$(perl "$top/bench/session-cookie.pl" http://127.0.0.1:8080/theirs/index.html "$certs/ca.pem" mod_auth_openidc_session)
        check_protected http://127.0.0.1:8080/theirs/index.html "$theirs"
    fi
    # a JWT access token (RFC 9068) for the /api/ location (AuthClientBearer only)
    token=$(bearer_token)
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
        http://127.0.0.1:8081/api/index.html)
    [ "$code" = 200 ] || { echo "/api/ with a bearer token answered $code, not 200" >&2; exit 1; }
    wrk -t1 -c16 -d2s http://127.0.0.1:8081/open/index.html >/dev/null   # warm up
    r=1
    : > "$run/shares.$cache"
    while [ $r -le "$rounds" ]; do
        # the unprotected file before and after the others: their mean is
        # the round's baseline, so a machine that drifts within the round
        # (2 shared cores) moves both sides alike
        open1=$(rps http://127.0.0.1:8081/open/index.html "")
        mine=$(rps http://127.0.0.1:8081/ours/index.html "$ours")
        other="" api=""
        [ -n "$theirs" ] && other=$(rps http://127.0.0.1:8080/theirs/index.html "$theirs")
        # a fresh token each round: the provider's live 300 s, and one past
        # its exp (accepted within AuthClientClockSkew) is verified anew on
        # every request, as no verdict is kept beyond a token's exp
        if [ "$cache" = shmcb ]; then
            token=$(bearer_token)
            api=$(rps http://127.0.0.1:8081/api/index.html "" "Authorization: Bearer $token")
        fi
        open2=$(rps http://127.0.0.1:8081/open/index.html "")
        open=$(( (open1 + open2) / 2 ))
        line=$(printf '%-14s round %d  unprotected %7s req/s  mod_auth_client %7s req/s (%s%%)' \
            "$cache" "$r" "$open" "$mine" "$(share "$mine" "$open")")
        echo "mod_auth_client $(share "$mine" "$open")" >> "$run/shares.$cache"
        if [ -n "$other" ]; then
            line="$line  mod_auth_openidc $other req/s ($(share "$other" "$open")%)"
            echo "mod_auth_openidc $(share "$other" "$open")" >> "$run/shares.$cache"
            echo "ratio $(echo "$mine $other" | awk '{ printf "%.2f", $1 / $2 }')" >> "$run/shares.$cache"
        fi
        if [ -n "$api" ]; then
            line="$line  bearer JWT $api req/s ($(share "$api" "$open")%)"
            echo "bearer $(share "$api" "$open")" >> "$run/shares.$cache"
        fi
        echo "$line"
        r=$((r + 1))
    done
    summary "$cache"
    stop_httpd
}

if [ -n "$pin_httpd" ]; then
    echo "wrk $wrk_args, 2 KiB static file, httpd on CPU 0, wrk on CPU 1"
else
    echo "wrk $wrk_args, 2 KiB static file, $(nproc) cores shared by wrk and httpd"
fi
[ "${AC_BENCH_MUTEX_DEFAULT:-0}" = 1 ] && echo "with \"Mutex file:$run default\""
for c in ${AC_BENCH_CACHES:-shmcb memcache memcache+local}; do
    bench_cache "$c"
done
