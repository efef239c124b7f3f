#!/bin/sh
# The demo: installs what is missing, builds the module, starts the local
# providers (OpenID Connect, OAuth 1.0a, OAuth 2.0) and httpd on
# http://localhost:8080 with /app/ protected behind a provider chooser, logs
# in once through each provider with a scripted browser to show it works,
# then keeps running until Ctrl-C.
#   test/demo.sh --check   stops after the scripted logins.
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
    OAUTH1_PIDFILE="$demo/oauth1.pid" "$top/test/providers/oauth1/stop.sh" >/dev/null 2>&1 || true
    OAUTH2_PIDFILE="$demo/oauth2.pid" "$top/test/providers/oauth2/stop.sh" >/dev/null 2>&1 || true
}
trap stop EXIT
trap 'exit 130' INT TERM
stop

OIDC_PORT=3443 OIDC_CLAIMS_IN_ID_TOKEN=1 \
OIDC_TLS_CERT="$demo/certs/server.pem" OIDC_TLS_KEY="$demo/certs/server.key" \
OIDC_PIDFILE="$demo/oidc.pid" OIDC_LOG="$demo/oidc.log" \
    "$top/test/providers/oidc/start.sh"
OAUTH1_PORT=4501 OAUTH1_PIDFILE="$demo/oauth1.pid" OAUTH1_LOG="$demo/oauth1.log" \
    "$top/test/providers/oauth1/start.sh"
OAUTH2_PORT=4502 OAUTH2_PIDFILE="$demo/oauth2.pid" OAUTH2_LOG="$demo/oauth2.log" \
    "$top/test/providers/oauth2/start.sh"

sed -e "s|@DEMO@|$demo|g" -e "s|@TOP@|$top|g" \
    "$top/test/demo/httpd.conf.in" > "$demo/httpd.conf"
/usr/sbin/apache2 -t -f "$demo/httpd.conf"
/usr/sbin/apache2 -k start -f "$demo/httpd.conf"
sleep 1

# each login starts where the chooser's link for that provider leads
for provider in demo-oidc demo-twitter demo-github; do
    echo
    echo "Scripted login as alice through $provider, then http://localhost:8080/app/env.cgi:"
    perl "$top/test/demo/login.pl" \
        "http://localhost:8080/auth/callback?login=$provider&target=/app/env.cgi" \
        alice alice-pw "$demo/certs/ca.pem"
done

echo
echo "mod_auth_client demo running: http://localhost:8080/  (user alice, password alice-pw;"
echo "  /app/ offers the OpenID Connect, OAuth 1.0a and OAuth 2.0 providers)"
echo "httpd log: $demo/error.log   provider log: $demo/oidc.log"
if [ "$mode" = "--check" ]; then
    exit 0
fi
echo "Ctrl-C stops it."
while kill -0 "$(cat "$demo/httpd.pid")" 2>/dev/null; do
    sleep 2
done
