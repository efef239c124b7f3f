#!/bin/sh
# Stops the OAuth 2.0 test provider started by start.sh (same
# OAUTH2_PIDFILE).  Succeeds if it is not running.
set -eu

pidfile=${OAUTH2_PIDFILE:-/tmp/ac-oauth2.pid}
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../stop-pid.sh" "$pidfile"
