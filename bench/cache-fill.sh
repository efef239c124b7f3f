#!/bin/sh
# bench/cache-fill.sh [LOGINS] [ANONYMOUS] - how many sessions the embedded
# cache really keeps, and whether anonymous traffic ends them.
#
# Starts the benchmark httpd (bench/httpd.conf.in) with no AuthClientCache,
# i.e. the default shmcb cache, and the test OpenID provider; makes LOGINS
# (default 10000) real logins at the protected URL (bench/cache-fill.pl:
# each one the module's whole login path, ending in a new session); counts
# the sessions that are still valid; sends ANONYMOUS (default 60000)
# requests without a session to the protected URL, each of which starts a
# login; and counts the valid sessions again.  It prints counts, not
# timings, and is not part of the test run.  Start it under the lock the
# integration suite takes:
#
#   flock /tmp/ac-integration.lock sh bench/cache-fill.sh
#
#   AC_FILL_PARALLEL   clients at a time (default 8)
#   AC_FILL_MODULE     another mod_auth_client.so to load, for comparisons
#   AC_BENCH_DIR       scratch directory (default /tmp/mod_auth_client-cache-fill)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
run=${AC_BENCH_DIR:-/tmp/mod_auth_client-cache-fill}
logins=${1:-10000}
anonymous=${2:-60000}
parallel=${AC_FILL_PARALLEL:-8}
AC_BENCH_OPENIDC=0
. "$top/bench/common.sh"
configure shmcb
if [ -n "${AC_FILL_MODULE:-}" ]; then
    sed -i "s|^LoadModule auth_client_module .*|LoadModule auth_client_module \"$AC_FILL_MODULE\"|" \
        "$run/httpd.conf"
fi
rm -f "$run/error.log"
/usr/sbin/apache2 -k start -f "$run/httpd.conf"
await_httpd
url=http://127.0.0.1:8081/ours/index.html
sessions="$run/sessions"

echo "default cache (no AuthClientCache), $logins logins, $anonymous anonymous requests, $parallel clients"
perl "$top/bench/cache-fill.pl" login "$url" "$certs/ca.pem" "$logins" "$parallel" "$sessions"
made=$(wc -l < "$sessions")
valid=$(perl "$top/bench/cache-fill.pl" check "$url" "$certs/ca.pem" "$sessions" "$parallel")
echo "after the logins:    $valid of $made sessions valid ($(echo "$valid $made" | awk '{ printf "%.1f", $2 ? 100 * $1 / $2 : 0 }')%)"

redirects=$(ab -q -n "$anonymous" -c "$parallel" "$url" 2>/dev/null |
    awk '/^Non-2xx responses:/ { print $3 } END { }')
echo "anonymous requests:  $anonymous sent, ${redirects:-0} answered with a redirect to the provider"
still=$(perl "$top/bench/cache-fill.pl" check "$url" "$certs/ca.pem" "$sessions.valid" "$parallel")
echo "after the anonymous: $still of $valid sessions still valid"

# a full store logs at once, then at most once a minute per child process
echo "cache lines in the error log:"
grep -E 'mod_auth_client: .*\[cache_' "$run/error.log" | sed 's/^/    /' | tail -20 || echo "    none"
