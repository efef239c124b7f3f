#!/bin/sh
# bench/compare.sh OTHER_TREE [CACHE] [ROUNDS] [SECONDS] - this tree's
# module against another tree's (an older checkout: git worktree add
# /tmp/old COMMIT), on the same configuration and the same provider, in
# alternating rounds: each round starts httpd with one module, logs in,
# runs wrk on the unprotected and the protected file, stops it, and does
# the same with the other module.  Prints each pair's protected share of
# unprotected and their means: "no worse than before" is a comparison of
# those means, measured side by side.  CACHE is shmcb (default) or
# memcache; OTHER_TREE is built in place (test/build.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OTHER_TREE [CACHE] [ROUNDS] [SECONDS]" >&2; exit 2; }
other=$(cd "$1" && pwd)
cache=${2:-shmcb}
rounds=${3:-3}
secs=${4:-5}
run=${AC_BENCH_DIR:-/tmp/mod_auth_client-compare}
AC_BENCH_OPENIDC=0
. "$top/bench/common.sh"
(cd "$other" && sh test/build.sh >/dev/null)
configure "$cache"
# an older module may not know the bearer location's directives
perl -0pi -e 's{\n\s*<Location /api/>.*?</Location>}{}s' "$run/httpd.conf"
sed "s|$top/.libs/mod_auth_client.so|$other/.libs/mod_auth_client.so|" \
    "$run/httpd.conf" > "$run/httpd-other.conf"
grep -q "$other/.libs/mod_auth_client.so" "$run/httpd-other.conf" ||
    { echo "compare: could not point the configuration at $other" >&2; exit 1; }

rps() {
    $pin_wrk wrk -t1 -c16 -d"${secs}s" "$@" | awk '/Requests\/sec/ { printf "%.0f", $2 }
                                             /Non-2xx/ { bad = 1 } END { exit bad }'
}

# one round with the configuration $1: prints "open ours share", the
# unprotected file measured before and after the protected one and the
# mean of the two taken, so a machine that drifts moves both sides alike
measure() {
    $pin_httpd /usr/sbin/apache2 -k start -f "$1"
    await_httpd 10
    cookie=$(perl "$top/bench/session-cookie.pl" http://127.0.0.1:8081/ours/index.html \
             "$certs/ca.pem" ac_session)
    open1=$(rps http://127.0.0.1:8081/open/index.html)
    ours=$(rps -H "Cookie: $cookie" http://127.0.0.1:8081/ours/index.html)
    open2=$(rps http://127.0.0.1:8081/open/index.html)
    stop_httpd
    open=$(( (open1 + open2) / 2 ))
    echo "$open $ours $(echo "$ours $open" | awk '{ printf "%.1f", 100 * $1 / $2 }')"
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
                                        printf "%s%% (%s-%s)", m, v[1], v[NR] }'
}

echo "wrk -t1 -c16 -d${secs}s, $cache, this tree $top against $other${pin_httpd:+, httpd on CPU 0, wrk on CPU 1}"
: > "$run/shares.this"
: > "$run/shares.other"
i=1
while [ $i -le "$rounds" ]; do
    set -- $(measure "$run/httpd.conf")
    echo "round $i  this:  unprotected $1 req/s, protected $2 req/s ($3%)"
    echo "$3" >> "$run/shares.this"
    set -- $(measure "$run/httpd-other.conf")
    echo "round $i  other: unprotected $1 req/s, protected $2 req/s ($3%)"
    echo "$3" >> "$run/shares.other"
    i=$((i + 1))
done
echo "median protected share over $rounds rounds: this $(median < "$run/shares.this"), other $(median < "$run/shares.other")"
