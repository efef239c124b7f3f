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
. "$here/../service.sh"
name="hostile provider"
pidfile=${HOSTILE_PIDFILE:-/tmp/ac-hostile.pid}
log=${HOSTILE_LOG:-/tmp/ac-hostile.log}
port=${HOSTILE_PORT:-3999}
probe=http://127.0.0.1:$port/good/.well-known/openid-configuration

service_claim "$probe"
# The system python on purpose: it has python3-cryptography from Debian,
# a pyenv python first on PATH may not.  -u: unbuffered log lines.
service_spawn env HOSTILE_PORT="$port" /usr/bin/python3 -u "$here/hostile.py"
service_await
echo "hostile OP running: pid $pid, http://127.0.0.1:$port/<scenario>, log $log"
