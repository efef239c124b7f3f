#!/bin/sh
# bench/run.sh [SECONDS] - wrk against one httpd serving the same static file
# unprotected, behind mod_auth_client with a valid session, and (shmcb run)
# behind Debian's mod_auth_openidc with a valid session, side by side in one
# run; then the same with mod_auth_client on memcached.  Prints requests/s
# and each protected figure as a share of the unprotected one.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
run=${AC_BENCH_DIR:-/tmp/mod_auth_client-bench}
secs=${1:-10}
rounds=${AC_BENCH_ROUNDS:-2}
wrk_args="-t1 -c16 -d${secs}s"

sh "$top/test/install-deps.sh" >/dev/null
sh "$top/test/build.sh" >/dev/null
mkdir -p "$run/htdocs"
chmod 755 "$run" "$run/htdocs"
head -c 2048 /dev/zero | tr '\0' 'x' > "$run/htdocs/index.html"
certs="$run/certs"
"$top/test/providers/gen-certs.sh" "$certs" >/dev/null

stop_httpd() {
    if [ -f "$run/httpd.pid" ]; then
        kill "$(cat "$run/httpd.pid")" 2>/dev/null || true
        sleep 1
        rm -f "$run/httpd.pid"
    fi
}
stop_all() {
    stop_httpd
    OIDC_PIDFILE="$run/oidc.pid" "$top/test/providers/oidc/stop.sh" >/dev/null 2>&1 || true
    [ -f "$run/memcached.pid" ] && kill "$(cat "$run/memcached.pid")" 2>/dev/null || true
}
trap stop_all EXIT
stop_all

OIDC_PORT=3443 OIDC_CLAIMS_IN_ID_TOKEN=1 \
OIDC_TLS_CERT="$certs/server.pem" OIDC_TLS_KEY="$certs/server.key" \
OIDC_PIDFILE="$run/oidc.pid" OIDC_LOG="$run/oidc.log" \
    "$top/test/providers/oidc/start.sh" >/dev/null
memcached -d -u nobody -l 127.0.0.1 -p 11811 -P "$run/memcached.pid"

configure() {
    cache=$1
    openidc_load="" openidc_vhost="" cache_directives=""
    if [ "$cache" = shmcb ] && [ -f /usr/lib/apache2/modules/mod_auth_openidc.so ]; then
        openidc_load="LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so"
        openidc_vhost=$(sed "s|@CERTS@|$certs|g" "$top/bench/openidc.conf.in")
    fi
    if [ "$cache" = memcache ]; then
        cache_directives="AuthClientCache memcache:127.0.0.1:11811
AuthClientPassphrase bench-passphrase-0123456789abcdef"
    fi
    OPENIDC_LOAD="$openidc_load" OPENIDC_VHOST="$openidc_vhost" \
    CACHE_DIRECTIVES="$cache_directives" \
    perl -pe 's/\@RUN\@/'"$(printf %s "$run" | sed 's/\//\\\//g')"'/g;
              s/\@TOP\@/'"$(printf %s "$top" | sed 's/\//\\\//g')"'/g;
              s/\@CERTS\@/'"$(printf %s "$certs" | sed 's/\//\\\//g')"'/g;
              s/\@CACHE\@/'"$cache"'/g;
              s/\@OPENIDC_LOAD\@/$ENV{OPENIDC_LOAD}/g;
              s/\@OPENIDC_VHOST\@/$ENV{OPENIDC_VHOST}/g;
              s/\@CACHE_DIRECTIVES\@/$ENV{CACHE_DIRECTIVES}/g;' \
        "$top/bench/httpd.conf.in" > "$run/httpd.conf"
}

rps() {
    # prints requests/s of one wrk run; fails unless every answer was 2xx
    out=$(wrk $wrk_args ${2:+-H "Cookie: $2"} "$1")
    if echo "$out" | grep -q "Non-2xx"; then
        echo "wrk $1: non-2xx answers, the session is not being accepted" >&2
        echo "$out" >&2
        return 1
    fi
    echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }'
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
    /usr/sbin/apache2 -k start -f "$run/httpd.conf"
    sleep 1
    ours=$(perl "$top/bench/session-cookie.pl" http://127.0.0.1:8081/ours/index.html "$certs/ca.pem" ac_session)
    check_protected http://127.0.0.1:8081/ours/index.html "$ours"
    theirs=""
    if grep -q auth_openidc_module "$run/httpd.conf"; then
        theirs=$(perl "$top/bench/session-cookie.pl" http://127.0.0.1:8080/theirs/index.html "$certs/ca.pem" mod_auth_openidc_session)
        check_protected http://127.0.0.1:8080/theirs/index.html "$theirs"
    fi
    wrk -t1 -c16 -d2s http://127.0.0.1:8081/open/index.html >/dev/null   # warm up
    r=1
    while [ $r -le "$rounds" ]; do
        open=$(rps http://127.0.0.1:8081/open/index.html "")
        mine=$(rps http://127.0.0.1:8081/ours/index.html "$ours")
        line=$(printf '%-9s round %d  unprotected %7s req/s  mod_auth_client %7s req/s (%s%%)' \
            "$cache" "$r" "$open" "$mine" "$(echo "$mine $open" | awk '{ printf "%.1f", 100 * $1 / $2 }')")
        if [ -n "$theirs" ]; then
            other=$(rps http://127.0.0.1:8080/theirs/index.html "$theirs")
            line="$line  mod_auth_openidc $other req/s ($(echo "$other $open" | awk '{ printf "%.1f", 100 * $1 / $2 }')%)"
        fi
        echo "$line"
        r=$((r + 1))
    done
    stop_httpd
}

echo "wrk $wrk_args, 2 KiB static file, $(nproc) cores shared by wrk and httpd"
bench_cache shmcb
bench_cache memcache
