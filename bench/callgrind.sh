#!/bin/sh
# bench/callgrind.sh [REQUESTS] - instructions per request on the hot path,
# counted by callgrind (repeatable, unlike wall-clock figures).
#
# httpd -X runs under callgrind with collection limited to request
# processing (ap_process_async_request: event MPM).  Each case logs in
# (the session cases), sends 20 requests to warm up (the discovery
# document, the JWKS, the claims memo), then asks for the logout page
# without a session, where callgrind zeroes its counters
# (--zero-before=ac_logout), and sends the requests counted.  Each case
# runs twice, with N and with 2N of them; the difference divided by N is
# the cost of one request.  The zero point keeps the login and the
# heap state it leaves (whose malloc consolidations differ from run to
# run) out of both runs; the difference removes what is left of the
# logout page.  Cases: the unprotected file, the same file behind
# mod_auth_client with a valid session (shmcb), and behind
# "AuthClientBearer only" with a JWT access token from the provider.  The
# session cases are alice's default claims and the user "many"'s 1000
# groups of 40 bytes, whose cost must stay close to the default's.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
run=${AC_BENCH_DIR:-/tmp/mod_auth_client-callgrind}
n=${1:-100}
AC_BENCH_OPENIDC=0
. "$top/bench/common.sh"
# AC_CALLGRIND_CACHE=memcache: the same cases with the sessions on the
# memcached bench/common.sh starts (the local cache off)
configure "${AC_CALLGRIND_CACHE:-shmcb}"
# one worker thread: every request finds the same thread's crypto contexts
# and read buffer set up, and the same heap, so the figure is the steady
# cost of a request, not how many of 25 threads one run happened to warm
perl -pi -e 's/^ThreadsPerChild\s.*/ThreadsPerChild 1/; s/^MaxRequestWorkers\s.*/MaxRequestWorkers 1/;
             s/^(MinSpareThreads|MaxSpareThreads)\s.*/$1 1/' "$run/httpd.conf"
# httpd -X still switches to User nobody, who writes the profile
mkdir -p "$run/profiles"
chmod 1777 "$run/profiles"

# one callgrind run: login (when $2 is "protected" or "groups"), the
# warm-up, the zero point, then $1 requests; prints the instructions
# counted
one_run() {
    count=$1 case=$2 out="$run/profiles/callgrind.out.$2.$1"
    # valgrind checks the file as root at start and writes it as nobody
    rm -f "$out"
    touch "$out"
    chmod 666 "$out"
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        --toggle-collect=ap_process_async_request --zero-before=ac_logout \
        /usr/sbin/apache2 -X -f "$run/httpd.conf" > "$run/callgrind.log" 2>&1 &
    vg=$!
    await_httpd 60 || { kill $vg; exit 1; }
    url=http://127.0.0.1:8081/open/index.html
    cookie=""
    auth=""
    if [ "$case" = protected ] || [ "$case" = groups ]; then
        user=alice
        [ "$case" = groups ] && user=many
        url=http://127.0.0.1:8081/ours/index.html
        cookie=$(perl "$top/bench/session-cookie.pl" "$url" "$certs/ca.pem" ac_session $user)
    fi
    if [ "$case" = bearer ]; then
        url=http://127.0.0.1:8081/api/index.html
        auth="Authorization: Bearer $(bearer_token)"
    fi
    requests 20
    curl -s -o /dev/null http://127.0.0.1:8081/auth/logout
    requests "$count"
    kill -TERM $vg
    wait $vg 2>/dev/null || true
    callgrind_annotate "$out" 2>/dev/null |
        awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

# $1 requests to $url, each of which must answer 200
requests() {
    for _ in $(seq "$1"); do
        code=$(curl -s -o /dev/null -w '%{http_code}' ${cookie:+-H "Cookie: $cookie"} \
               ${auth:+-H "$auth"} "$url")
        [ "$code" = 200 ] || { echo "$url answered $code" >&2; kill $vg; exit 1; }
    done
}

per_request() {
    a=$(one_run "$n" "$1")
    b=$(one_run $((2 * n)) "$1")
    echo $(( (b - a) / n ))
}

# AC_CALLGRIND_CASES="open protected" measures an older tree that has no
# user "many" or bearer location (copy this script into it)
cases=${AC_CALLGRIND_CASES:-open protected groups bearer}
open=$(per_request open)
echo "unprotected:            $open instructions per request"
for c in $cases; do
    [ "$c" = open ] && continue
    v=$(per_request "$c")
    case $c in
        protected) label="with mod_auth_client:  " ;;
        groups)    label="  and 1000 groups:     " ;;
        bearer)    label="bearer JWT (only):     " ;;
        *)         label="$c:" ;;
    esac
    echo "$label $v instructions per request (+$((v - open)))"
done
echo
echo "most expensive functions of the module (inclusive, $((2 * n)) requests):"
callgrind_annotate --inclusive=yes "$run/profiles/callgrind.out.protected.$((2 * n))" 2>/dev/null \
    | grep -E "ac_|mod_auth_client|socache|EVP_|ap_cookie" | head -25
