#!/bin/sh
# stop-pid.sh PIDFILE
#
# Shared by the providers' stop.sh scripts: sends SIGTERM to the process in
# PIDFILE, waits up to 5 s, then SIGKILL, and removes PIDFILE.  A missing
# pid file or a process that is already gone is not an error, so test
# teardown can call this unconditionally.
set -eu

pidfile=$1
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")

# Guard against an empty or garbled pid file: "kill -- ''" or a negative
# number would signal far more than we meant.
case $pid in
    ''|*[!0-9]*) echo "stop-pid.sh: bad pid file $pidfile" >&2; rm -f "$pidfile"; exit 1 ;;
esac

if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    tries=0
    while kill -0 "$pid" 2>/dev/null && [ $tries -lt 25 ]; do
        sleep 0.2
        tries=$((tries + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
fi
rm -f "$pidfile"
