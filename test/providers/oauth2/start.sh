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
. "$here/../service.sh"
name="OAuth 2.0 provider"
pidfile=${OAUTH2_PIDFILE:-/tmp/ac-oauth2.pid}
log=${OAUTH2_LOG:-/tmp/ac-oauth2.log}
port=${OAUTH2_PORT:-4502}
probe=http://127.0.0.1:$port/stats

service_claim "$probe"
# The system python on purpose: python3-oauthlib comes from Debian, a
# pyenv python first on PATH does not have it.  -u: unbuffered log.
service_spawn env OAUTH2_PORT="$port" /usr/bin/python3 -u "$here/github.py"
service_await
echo "OAuth 2.0 provider running: pid $pid, http://127.0.0.1:$port, log $log"
