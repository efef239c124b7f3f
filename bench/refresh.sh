#!/bin/sh
# bench/refresh.sh [REQUESTS] [ROUNDS] - what one transparent refresh costs
# httpd: token-endpoint calls, CPU time and wall time.
#
# One httpd (the benchmark server of bench/httpd.conf.in, default shmcb
# cache) built from this tree, the test OpenID provider (its client
# ac-refresh: access tokens that live 8 s, refresh tokens that rotate), and
# two locations on the same session that both export the access token
# (AuthClientPassAccessToken On):
#   /refresh/  AuthClientRefreshMargin 86400, longer than the token lives,
#              so every request refreshes first
#   /tokens/   AuthClientRefresh off: the same request without the refresh
# After one login, each round sends REQUESTS (default 500) sequential
# requests on one keep-alive connection to each location and prints, per
# request: the refresh grants the provider counted (GET /test/stats; must
# be exactly 1 at /refresh/ and 0 at /tokens/, or the script fails), the
# CPU time of all httpd processes (user + system from /proc/PID/stat, a
# clock tick is 1/CLK_TCK s, so the resolution per request is one tick
# divided by REQUESTS) and the wall time.  The difference of the two is
# the cost of one refresh.  Start it under the lock the integration suite
# takes:
#
#   flock /tmp/ac-integration.lock sh bench/refresh.sh
#
#   AC_BENCH_DIR   scratch directory (default /tmp/mod_auth_client-refresh)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
run=${AC_BENCH_DIR:-/tmp/mod_auth_client-refresh}
n=${1:-500}
rounds=${2:-3}
AC_BENCH_OPENIDC=0
. "$top/bench/common.sh"
configure shmcb
cat >> "$run/httpd.conf" <<EOF

# bench/refresh.sh: ac-refresh's access tokens live 8 s at the provider
<AuthClientProvider op-refresh>
    ServerMetadataURL https://127.0.0.1:3443/.well-known/openid-configuration
    ClientID          ac-refresh
    ClientSecret      ac-refresh-secret
    Scope             openid email profile
</AuthClientProvider>
Alias /refresh/ "$run/htdocs/"
Alias /tokens/  "$run/htdocs/"
<Location /refresh/>
    AuthType                  oauth
    AuthClientProvider        op-refresh
    AuthClientPassAccessToken On
    AuthClientRefreshMargin   86400
    Require                   valid-user
</Location>
<Location /tokens/>
    AuthType                  oauth
    AuthClientProvider        op-refresh
    AuthClientPassAccessToken On
    AuthClientRefresh         off
    Require                   valid-user
</Location>
EOF
rm -f "$run/error.log"
/usr/sbin/apache2 -k start -f "$run/httpd.conf"
await_httpd
cookie=$(perl "$top/bench/session-cookie.pl" http://127.0.0.1:8081/refresh/index.html \
         "$certs/ca.pem" ac_session)
tick_us=$((1000000 / $(getconf CLK_TCK)))

# $2 sequential requests to $1 on one connection (curl's URL range); fails
# unless every one answered 200; prints the wall time in microseconds
sequential() {
    t0=$(date +%s%N)
    curl -s -H "Cookie: $cookie" -w '%{stderr}%{http_code}\n' "$1?n=[1-$2]" \
        >/dev/null 2>"$run/codes"
    t1=$(date +%s%N)
    ok=$(grep -c '^200$' "$run/codes" || true)
    [ "$ok" = "$2" ] || { echo "$1: $ok of $2 requests answered 200" >&2; exit 1; }
    echo $(( (t1 - t0) / 1000 ))
}

# one batch at $1: prints "wall-us cpu-ticks grants refused" for $n requests
batch() {
    g0=$(provider_grants ac-refresh refresh_token)
    x0=$(provider_grants ac-refresh refresh_token_error)
    c0=$(httpd_cpu_ticks)
    wall=$(sequential "$1" "$n")
    c1=$(httpd_cpu_ticks)
    g1=$(provider_grants ac-refresh refresh_token)
    x1=$(provider_grants ac-refresh refresh_token_error)
    echo "$wall $((c1 - c0)) $((g1 - g0)) $((x1 - x0))"
}

# each child's first refresh opens its connection to the provider
n_saved=$n n=20
batch http://127.0.0.1:8081/refresh/index.html >/dev/null
batch http://127.0.0.1:8081/tokens/index.html >/dev/null
n=$n_saved

echo "$n sequential requests per location and round, one keep-alive connection," \
     "2 KiB static file, $(nproc) cores; httpd CPU resolution $((tick_us / n)) us per request"
results="$run/results"
: > "$results"
r=1
while [ "$r" -le "$rounds" ]; do
    set -- $(batch http://127.0.0.1:8081/tokens/index.html)
    plain_wall=$1 plain_cpu=$2
    [ "$3" = 0 ] || { echo "/tokens/ made $3 refresh grants, not 0" >&2; exit 1; }
    set -- $(batch http://127.0.0.1:8081/refresh/index.html)
    fresh_wall=$1 fresh_cpu=$2
    [ "$3" = "$n" ] && [ "$4" = 0 ] ||
        { echo "/refresh/: $3 refresh grants and $4 refused for $n requests, not $n and 0" >&2; exit 1; }
    echo "$plain_wall $plain_cpu $fresh_wall $fresh_cpu $3" | awk -v n="$n" -v tick="$tick_us" -v r="$r" '{
        pw = $1 / n; pc = $2 * tick / n; fw = $3 / n; fc = $4 * tick / n
        printf "round %d  /tokens/ wall %6.0f us  CPU %5.0f us   /refresh/ wall %6.0f us  CPU %5.0f us  " \
               "token calls %.2f   a refresh: +%.0f us CPU, +%.0f us wall\n", r, pw, pc, fw, fc, $5 / n, fc - pc, fw - pw
    }'
    echo "$plain_wall $plain_cpu $fresh_wall $fresh_cpu" >> "$results"
    r=$((r + 1))
done
awk -v n="$n" -v tick="$tick_us" '
    function keep(i, v) { lo[i] = (NR == 1 || v < lo[i]) ? v : lo[i]; hi[i] = (NR == 1 || v > hi[i]) ? v : hi[i]; sum[i] += v }
    { keep(1, $1 / n); keep(2, $2 * tick / n); keep(3, $3 / n); keep(4, $4 * tick / n)
      keep(5, ($4 - $2) * tick / n); keep(6, ($3 - $1) / n) }
    END {
        printf "mean of %d rounds (min-max), per request:\n", NR
        printf "  /tokens/  (no refresh)      wall %6.0f us (%.0f-%.0f)  httpd CPU %5.0f us (%.0f-%.0f)\n", sum[1] / NR, lo[1], hi[1], sum[2] / NR, lo[2], hi[2]
        printf "  /refresh/ (refresh each)    wall %6.0f us (%.0f-%.0f)  httpd CPU %5.0f us (%.0f-%.0f)\n", sum[3] / NR, lo[3], hi[3], sum[4] / NR, lo[4], hi[4]
        printf "  one refresh costs           wall %6.0f us (%.0f-%.0f)  httpd CPU %5.0f us (%.0f-%.0f), 1 token call\n", sum[6] / NR, lo[6], hi[6], sum[5] / NR, lo[5], hi[5]
    }' "$results"
echo "refresh failures in the error log: $(grep -c 'refresh: .*failed' "$run/error.log" || true)"
stop_httpd
