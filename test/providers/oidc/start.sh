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
pidfile=${OIDC_PIDFILE:-/tmp/ac-oidc.pid}
log=${OIDC_LOG:-/tmp/ac-oidc.log}
port=${OIDC_PORT:-3443}

fail() {
    echo "start.sh: $*" >&2
    if [ -f "$log" ]; then
        echo "--- last lines of $log ---" >&2
        tail -n 30 "$log" >&2
    fi
    exit 1
}

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "start.sh: already running as pid $(cat "$pidfile") (run stop.sh first)" >&2
    exit 1
fi

if [ -n "${OIDC_TLS_CERT:-}" ] && [ -n "${OIDC_TLS_KEY:-}" ]; then
    scheme=https
else
    scheme=http
fi
issuer=${OIDC_ISSUER:-$scheme://127.0.0.1:$port}

# Something else answering there (a provider left over from another run)
# would make the readiness poll below succeed for the wrong process.
if curl -ksf -o /dev/null --max-time 2 "$issuer/.well-known/openid-configuration"; then
    echo "start.sh: $issuer already answers; is another provider running?" >&2
    exit 1
fi

# Only now is the log ours to truncate.
: > "$log"

# A fresh checkout has no node_modules; install exactly the locked versions.
if [ ! -d "$here/node_modules" ]; then
    (cd "$here" && npm ci --no-audit --no-fund) >>"$log" 2>&1 ||
        fail "npm ci failed"
fi

node "$here/server.js" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid" > "$pidfile"

# Poll discovery.  -k: this only checks liveness; clients that care about
# the certificate use the CA from gen-certs.sh.
deadline=$(($(date +%s) + 20))
while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidfile"
        fail "provider exited during startup"
    fi
    if curl -ksf -o /dev/null --max-time 2 "$issuer/.well-known/openid-configuration"; then
        echo "test OP running: pid $pid, issuer $issuer, log $log"
        exit 0
    fi
    sleep 0.2
done

kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
fail "no answer from $issuer/.well-known/openid-configuration within 20 s"
