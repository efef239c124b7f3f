#!/bin/sh
# common.sh - sourced by the benchmark scripts: builds, starts the test
# OpenID provider (and memcached), writes the benchmark httpd.conf
# (configure), and has the helpers the scripts share: await_httpd,
# bearer_token, provider_grants, httpd_cpu_ticks.
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
# a daemon must not keep a caller's lock file open (flock /tmp/...lock
# sh bench/run.sh would stay locked until memcached is stopped)
memcached -d -u nobody -l 127.0.0.1 -p 11811 -P "$run/memcached.pid" \
    3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-

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


# On two cores or more the wrk scripts run httpd on CPU 0 and wrk on CPU 1
# ($pin_httpd, $pin_wrk; AC_BENCH_PIN=0: neither is pinned).  Unpinned,
# wrk takes a share of httpd's CPU that changes from run to run, and the
# ratios with it; pinned, httpd is the bottleneck and its throughput the
# inverse of its cost per request.
pin_httpd="" pin_wrk=""
if [ "${AC_BENCH_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    pin_httpd="taskset -c 0" pin_wrk="taskset -c 1"
fi

# waits up to $1 seconds (default 10) for the benchmark httpd to answer
await_httpd() {
    tries=$(( ${1:-10} * 5 ))
    while [ "$tries" -gt 0 ]; do
        curl -s -o /dev/null http://127.0.0.1:8081/open/index.html 2>/dev/null && return 0
        sleep 0.2
        tries=$((tries - 1))
    done
    echo "the benchmark httpd did not answer on 127.0.0.1:8081" >&2
    return 1
}

# a client credentials JWT access token (RFC 9068) for https://api.test/,
# what the /api/ location (AuthClientBearer only) takes
bearer_token() {
    curl -s --cacert "$certs/ca.pem" -u ac-api:ac-api-secret \
        -d grant_type=client_credentials -d resource=https://api.test/ \
        -d scope=api:read https://127.0.0.1:3443/token |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# successful grants of type $2 (authorization_code, refresh_token, or with
# "_error" appended the refused ones) the provider counted for client $1
provider_grants() {
    curl -s --cacert "$certs/ca.pem" https://127.0.0.1:3443/test/stats |
        perl -MJSON::PP -e 'local $/; my $s = decode_json(<STDIN>);
                            print $s->{grants}{$ARGV[0]}{$ARGV[1]} // 0' "$1" "$2"
}

# CPU time the running httpd has used so far, in clock ticks (getconf
# CLK_TCK a second): user + system of the parent and of every live child,
# plus the parent's cutime + cstime, which keep what exited children used
httpd_cpu_ticks() {
    parent=$(cat "$run/httpd.pid")
    for pid in "$parent" $(pgrep -P "$parent"); do
        cat "/proc/$pid/stat" 2>/dev/null || true
    done | sed 's/^.*) //' | awk '{ t += $12 + $13 + $14 + $15 } END { print t }'
}
