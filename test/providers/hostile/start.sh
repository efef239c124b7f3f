#!/bin/sh
# Starts the hostile test provider in the background and waits until it
# answers.
#
#   HOSTILE_PORT     listen port (default 3999)
#   HOSTILE_PIDFILE  pid file (default /tmp/ac-hostile.pid)
#   HOSTILE_LOG      log file, truncated on start (default /tmp/ac-hostile.log)
#
# Exits non-zero, printing the end of the log, if it is not ready within
# 20 seconds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pidfile=${HOSTILE_PIDFILE:-/tmp/ac-hostile.pid}
log=${HOSTILE_LOG:-/tmp/ac-hostile.log}
port=${HOSTILE_PORT:-3999}
probe=http://127.0.0.1:$port/good/.well-known/openid-configuration

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

# Something else answering there would fool the readiness poll.
if curl -sf -o /dev/null --max-time 2 "$probe"; then
    echo "start.sh: $probe already answers; is another hostile provider running?" >&2
    exit 1
fi

# Only now is the log ours to truncate.
: > "$log"

# The system python on purpose: it has python3-cryptography from Debian,
# a pyenv python first on PATH may not.  -u: unbuffered log lines.
/usr/bin/python3 -u "$here/hostile.py" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid" > "$pidfile"

deadline=$(($(date +%s) + 20))
while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidfile"
        fail "hostile provider exited during startup"
    fi
    if curl -sf -o /dev/null --max-time 2 "$probe"; then
        echo "hostile OP running: pid $pid, http://127.0.0.1:$port/<scenario>, log $log"
        exit 0
    fi
    sleep 0.2
done

kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
fail "no answer from $probe within 20 s"
