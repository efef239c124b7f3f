#!/bin/sh
# common.sh - sourced by the benchmark scripts: builds, starts the test
# OpenID provider (and memcached), writes the benchmark httpd.conf.
# Expects $top and $run set by the caller.

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
    if [ "$cache" = shmcb ] && [ "${AC_BENCH_OPENIDC:-1}" = 1 ] && [ -f /usr/lib/apache2/modules/mod_auth_openidc.so ]; then
        openidc_load="LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so"
        openidc_vhost=$(sed "s|@CERTS@|$certs|g" "$top/bench/openidc.conf.in")
    fi
    case "$cache" in memcache*)
        cache_directives="AuthClientCache memcache:127.0.0.1:11811
AuthClientPassphrase bench-passphrase-0123456789abcdef"
    esac
    # memcache+local: the per-process cache of verified sessions, 1 s
    if [ "$cache" = memcache+local ]; then
        cache_directives="$cache_directives
AuthClientSessionLocalCache 1"
    fi
    # AC_BENCH_MUTEX_DEFAULT=1: the "Mutex file:DIR default" line many
    # configurations have, which sets every mutex not named on its own
    if [ "${AC_BENCH_MUTEX_DEFAULT:-0}" = 1 ]; then
        cache_directives="Mutex file:$run default
$cache_directives"
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

