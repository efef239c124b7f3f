#!/bin/sh
# Logs in through the demo with a real, headless Chromium (Debian's, driven
# by playwright-core): starts test/demo.sh in the background, runs
# login.test.mjs, stops the demo and checks that none of it is left
# running.  Exits with the tests' status (or 1 if the demo does not come
# up or does not go away).  Screenshots and the demo's output go to
# test/browser/out/.  Uses the demo's ports (8080, 3443, 4501, 4502), so
# it must not run while the demo does.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out="$here/out"
AC_DEMO_DIR=${AC_DEMO_DIR:-/tmp/mod_auth_client-demo}
export AC_DEMO_DIR
app=http://localhost:8080/
# the demo's first run installs packages, builds and runs npm ci
start_timeout=${AC_BROWSER_START_TIMEOUT:-600}
demo_pid=""

log() {
    echo "browser: $*"
}

# curl's status 7: nothing accepted the connection
listening() {
    curl -ks -o /dev/null --max-time 3 "$1" && return 0
    [ $? -ne 7 ]
}

stop_demo() {
    [ -n "$demo_pid" ] || return 0
    # demo.sh stops its services from its traps; a background job of a
    # script ignores SIGINT, so it gets SIGTERM
    kill -TERM "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
    demo_pid=""
}

# httpd's children may take a moment to go after their parent is told to
leftovers() {
    i=0
    while [ "$i" -lt 20 ]; do
        left=""
        for url in http://127.0.0.1:8080/ https://127.0.0.1:3443/ \
                http://127.0.0.1:4501/ http://127.0.0.1:4502/; do
            listening "$url" && left="$left $url"
        done
        for f in "$AC_DEMO_DIR"/httpd.pid "$AC_DEMO_DIR"/oidc.pid \
                "$AC_DEMO_DIR"/oauth1.pid "$AC_DEMO_DIR"/oauth2.pid; do
            [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && left="$left pid:$(cat "$f")"
        done
        [ -z "$left" ] && return 1
        sleep 0.5
        i=$((i + 1))
    done
    log "still running after the demo stopped:$left"
    return 0
}

finish() {
    trap - EXIT
    status=$1
    stop_demo
    if leftovers; then
        status=1
    else
        log "demo stopped, nothing left running"
    fi
    exit "$status"
}
trap 'finish $?' EXIT
trap 'exit 130' INT TERM

if [ ! -x /usr/bin/chromium ]; then
    log "installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if [ ! -d "$here/node_modules" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
fi

if listening "$app"; then
    trap - EXIT
    log "something already answers on $app (the demo?); stop it first"
    exit 1
fi
mkdir -p "$out"
rm -f "$out"/*.png

started=$(date +%s)
log "starting test/demo.sh (output in $out/demo.log)"
sh "$top/test/demo.sh" > "$out/demo.log" 2>&1 &
demo_pid=$!
# Ready once demo.sh has made its own scripted logins (it stops everything
# if one fails) and httpd answers.
while ! { grep -q '^Ctrl-C stops it' "$out/demo.log" && listening "$app"; }; do
    if ! kill -0 "$demo_pid" 2>/dev/null; then
        demo_pid=""
        log "the demo exited before it was ready; end of its output:"
        tail -n 30 "$out/demo.log"
        finish 1
    fi
    if [ $(($(date +%s) - started)) -ge "$start_timeout" ]; then
        log "the demo was not ready after ${start_timeout}s; end of its output:"
        tail -n 30 "$out/demo.log"
        finish 1
    fi
    sleep 1
done
ready=$(date +%s)
log "demo ready in $((ready - started))s"

status=0
(cd "$here" && node --test --test-timeout=120000 --test-reporter=spec login.test.mjs) || status=$?
log "browser tests took $(($(date +%s) - ready))s, status $status"
finish "$status"
