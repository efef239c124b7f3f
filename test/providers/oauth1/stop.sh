#!/bin/sh
# Stops the OAuth 1.0a test provider started by start.sh (same
# OAUTH1_PIDFILE).  Succeeds if it is not running.
set -eu

pidfile=${OAUTH1_PIDFILE:-/tmp/ac-oauth1.pid}
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../stop-pid.sh" "$pidfile"
