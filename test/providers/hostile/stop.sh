#!/bin/sh
# Stops the hostile test provider started by start.sh (same
# HOSTILE_PIDFILE).  Succeeds if it is not running.
set -eu

pidfile=${HOSTILE_PIDFILE:-/tmp/ac-hostile.pid}
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../stop-pid.sh" "$pidfile"
