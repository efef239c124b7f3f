#!/bin/sh
# The demo: installs what is missing, builds the module, starts the local
# OpenID provider and httpd on http://localhost:8080 with /app/ protected,
# logs in once with a scripted browser to show it works, then keeps running
# until Ctrl-C.   test/demo.sh --check   stops after the scripted login.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
demo=${AC_DEMO_DIR:-/tmp/mod_auth_client-demo}
mode=${1:-serve}

sh "$top/test/install-deps.sh"
sh "$top/test/build.sh"

mkdir -p "$demo"
chmod 755 "$demo"
"$top/test/providers/gen-certs.sh" "$demo/certs" >/dev/null

stop() {
    [ -f "$demo/httpd.pid" ] && kill "$(cat "$demo/httpd.pid")" 2>/dev/null || true
    OIDC_PIDFILE="$demo/oidc.pid" "$top/test/providers/oidc/stop.sh" >/dev/null 2>&1 || true
}
trap stop EXIT
trap 'exit 130' INT TERM
stop

OIDC_PORT=3443 OIDC_CLAIMS_IN_ID_TOKEN=1 \
OIDC_TLS_CERT="$demo/certs/server.pem" OIDC_TLS_KEY="$demo/certs/server.key" \
OIDC_PIDFILE="$demo/oidc.pid" OIDC_LOG="$demo/oidc.log" \
    "$top/test/providers/oidc/start.sh"

sed -e "s|@DEMO@|$demo|g" -e "s|@TOP@|$top|g" \
    "$top/test/demo/httpd.conf.in" > "$demo/httpd.conf"
/usr/sbin/apache2 -t -f "$demo/httpd.conf"
/usr/sbin/apache2 -k start -f "$demo/httpd.conf"
sleep 1

echo
echo "Scripted login as alice at http://localhost:8080/app/env.cgi:"
perl "$top/test/demo/login.pl" http://localhost:8080/app/env.cgi alice alice-pw "$demo/certs/ca.pem"

echo
echo "mod_auth_client demo running: http://localhost:8080/  (user alice, password alice-pw)"
echo "httpd log: $demo/error.log   provider log: $demo/oidc.log"
if [ "$mode" = "--check" ]; then
    exit 0
fi
echo "Ctrl-C stops it."
while kill -0 "$(cat "$demo/httpd.pid")" 2>/dev/null; do
    sleep 2
done
