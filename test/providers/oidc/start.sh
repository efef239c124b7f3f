#!/bin/sh
# Starts the test OpenID Provider in the background and waits until its
# discovery document answers.  All OIDC_* variables of server.js pass
# through; in addition:
#
#   OIDC_PIDFILE  pid file (default /tmp/ac-oidc.pid)
#   OIDC_LOG      log file, truncated on start (default /tmp/ac-oidc.log)
#
# Exits non-zero, printing the end of the log, if the provider is not ready
# within 20 seconds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../service.sh"
name=provider
pidfile=${OIDC_PIDFILE:-/tmp/ac-oidc.pid}
log=${OIDC_LOG:-/tmp/ac-oidc.log}
port=${OIDC_PORT:-3443}

if [ -n "${OIDC_TLS_CERT:-}" ] && [ -n "${OIDC_TLS_KEY:-}" ]; then
    scheme=https
else
    scheme=http
fi
issuer=${OIDC_ISSUER:-$scheme://127.0.0.1:$port}
probe=$issuer/.well-known/openid-configuration

service_claim "$issuer"

# A fresh checkout has no node_modules; install exactly the locked versions.
if [ ! -d "$here/node_modules" ]; then
    (cd "$here" && npm ci --no-audit --no-fund) >>"$log" 2>&1 ||
        service_fail "npm ci failed"
fi

service_spawn node "$here/server.js"
service_await
echo "test OP running: pid $pid, issuer $issuer, log $log"
