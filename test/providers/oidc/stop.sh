#!/bin/sh
# Stops the test OpenID Provider started by start.sh (same OIDC_PIDFILE).
# Succeeds if it is not running.
set -eu

pidfile=${OIDC_PIDFILE:-/tmp/ac-oidc.pid}
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../stop-pid.sh" "$pidfile"
