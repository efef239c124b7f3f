#!/bin/sh
# bench/alternate.sh [ROUNDS] [SECONDS] - short wrk runs alternating between
# the unprotected file and the same file behind mod_auth_client (shmcb, a
# valid session) on one httpd, printing each pair: on a noisy machine the
# mean of many alternating pairs compares better than one long run.
#   EXTRA="Mutex sysvsem auth-client-cache" bench/alternate.sh   tries another lock
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
run=${AC_BENCH_DIR:-/tmp/mod_auth_client-alternate}
rounds=${1:-6}
secs=${2:-5}
AC_BENCH_OPENIDC=0
. "$top/bench/common.sh"
configure shmcb
[ -n "${EXTRA:-}" ] && echo "$EXTRA" >> "$run/httpd.conf"
/usr/sbin/apache2 -k start -f "$run/httpd.conf"
sleep 1
cookie=$(perl "$top/bench/session-cookie.pl" http://127.0.0.1:8081/ours/index.html "$certs/ca.pem" ac_session)

rps() {
    wrk -t1 -c16 -d"${secs}s" "$@" | awk '/Requests\/sec/ { printf "%.0f", $2 }'
}

sum_open=0 sum_ours=0 i=1
while [ $i -le "$rounds" ]; do
    open=$(rps http://127.0.0.1:8081/open/index.html)
    ours=$(rps -H "Cookie: $cookie" http://127.0.0.1:8081/ours/index.html)
    echo "round $i: unprotected $open req/s, mod_auth_client $ours req/s"
    sum_open=$((sum_open + open)) sum_ours=$((sum_ours + ours)) i=$((i + 1))
done
echo "mean: unprotected $((sum_open / rounds)), mod_auth_client $((sum_ours / rounds)) req/s ($((100 * sum_ours / sum_open))%)"
