#!/bin/sh
# Starts the Twitter-like OAuth 1.0a test provider in the background and
# waits until it answers.
#
#   OAUTH1_PORT     listen port (default 4501)
#   OAUTH1_PIDFILE  pid file (default /tmp/ac-oauth1.pid)
#   OAUTH1_LOG      log file, truncated on start (default /tmp/ac-oauth1.log)
#
# Exits non-zero, printing the end of the log, if it is not ready within
# 20 seconds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../service.sh"
name="OAuth 1.0a provider"
pidfile=${OAUTH1_PIDFILE:-/tmp/ac-oauth1.pid}
log=${OAUTH1_LOG:-/tmp/ac-oauth1.log}
port=${OAUTH1_PORT:-4501}
probe=http://127.0.0.1:$port/stats

service_claim "$probe"
# The system python on purpose: python3-oauthlib and python3-jwt come from
# Debian, a pyenv python first on PATH has neither.  -u: unbuffered log.
service_spawn env OAUTH1_PORT="$port" /usr/bin/python3 -u "$here/twitter.py"
service_await
echo "OAuth 1.0a provider running: pid $pid, http://127.0.0.1:$port, log $log"
