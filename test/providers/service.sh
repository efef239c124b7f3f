# service.sh: sourced by the providers' start.sh scripts, which all start
# one background process the same way (stop-pid.sh stops it again).
#
# The caller sets, before calling the functions below:
#   name     what the messages call the provider ("hostile provider", ...)
#   pidfile  pid file to write
#   log      log file, truncated by service_claim
#   probe    URL that answers once the provider is ready
#
# Usage, after which the caller prints its own "running" line ($pid is set):
#   service_claim SHOWN        SHOWN names the URL in the "already answers" message
#   service_spawn COMMAND...
#   service_await

service_fail() {
    echo "start.sh: $*" >&2
    if [ -f "$log" ]; then
        echo "--- last lines of $log ---" >&2
        tail -n 30 "$log" >&2
    fi
    exit 1
}

# Refuses to start a second copy, then takes over the log.  Something
# else answering on the probe URL (a provider left over from another run)
# would make the readiness poll succeed for the wrong process.
service_claim() {
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "start.sh: already running as pid $(cat "$pidfile") (run stop.sh first)" >&2
        exit 1
    fi
    if curl -ksf -o /dev/null --max-time 2 "$probe"; then
        echo "start.sh: $1 already answers; is another $name running?" >&2
        exit 1
    fi
    # Only now is the log ours to truncate.
    : > "$log"
}

service_spawn() {
    "$@" </dev/null >>"$log" 2>&1 &
    pid=$!
    echo "$pid" > "$pidfile"
}

# Waits up to 20 s for the probe.  -k: this only checks liveness; clients
# that care about the certificate use the CA from gen-certs.sh.
service_await() {
    deadline=$(($(date +%s) + 20))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$pidfile"
            service_fail "$name exited during startup"
        fi
        if curl -ksf -o /dev/null --max-time 2 "$probe"; then
            return 0
        fi
        sleep 0.2
    done
    kill "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    service_fail "no answer from $probe within 20 s"
}
