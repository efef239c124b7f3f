#!/bin/sh
# Starts the GitHub-like OAuth 2.0 test provider in the background and
# waits until it answers.
#
#   OAUTH2_PORT     listen port (default 4502)
#   OAUTH2_PIDFILE  pid file (default /tmp/ac-oauth2.pid)
#   OAUTH2_LOG      log file, truncated on start (default /tmp/ac-oauth2.log)
#
# Exits non-zero, printing the end of the log, if it is not ready within
# 20 seconds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pidfile=${OAUTH2_PIDFILE:-/tmp/ac-oauth2.pid}
log=${OAUTH2_LOG:-/tmp/ac-oauth2.log}
port=${OAUTH2_PORT:-4502}
probe=http://127.0.0.1:$port/stats

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
    echo "start.sh: $probe already answers; is another OAuth 2.0 provider running?" >&2
    exit 1
fi

# Only now is the log ours to truncate.
: > "$log"

# The system python on purpose: python3-oauthlib comes from Debian, a
# pyenv python first on PATH does not have it.  -u: unbuffered log.
OAUTH2_PORT=$port /usr/bin/python3 -u "$here/github.py" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid" > "$pidfile"

deadline=$(($(date +%s) + 20))
while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidfile"
        fail "OAuth 2.0 provider exited during startup"
    fi
    if curl -sf -o /dev/null --max-time 2 "$probe"; then
        echo "OAuth 2.0 provider running: pid $pid, http://127.0.0.1:$port, log $log"
        exit 0
    fi
    sleep 0.2
done

kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
fail "no answer from $probe within 20 s"
