#!/bin/sh
# Installs, from Debian 12 packages, everything mod_auth_client needs to
# build, test, benchmark and run its demo.  Safe to run again: it only asks
# apt for what is missing.  Run as root.
set -eu

# debhelper and dpkg-dev build the Debian package (test/package/check.sh);
# on Debian 12 dh_apache2 (the virtual package dh-apache2) is in apache2-dev.
PACKAGES="
    build-essential autoconf automake libtool pkg-config
    apache2 apache2-dev libapr1-dev libaprutil1-dev
    debhelper dpkg-dev
    libcurl4-openssl-dev libssl-dev libjansson-dev libcjose-dev
    check valgrind clang libclang-rt-14-dev
    libapache2-mod-perl2 libwww-perl liblwp-protocol-https-perl libhttp-cookies-perl
    libjson-perl libhtml-parser-perl
    memcached redis-server php-cgi
    nodejs npm python3 python3-cryptography python3-authlib python3-oauthlib
    openssl curl wrk chromium
    libapache2-mod-auth-openidc
"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
# A machine that already has node (not from Debian) keeps it.
case "$missing" in
    *nodejs*|*npm*)
        if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
            missing=$(echo "$missing" | sed 's/ nodejs//; s/ npm//')
        fi ;;
esac
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
    echo "install-deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    # mod_auth_openidc is here for the benchmark's comparison and the check
    # of the two modules side by side (test/config/check_errors.sh), both of
    # which load it by path; its package enables it system-wide, which is
    # not wanted on a machine that only runs these tests.
    case "$missing " in
        *" libapache2-mod-auth-openidc "*) a2dismod -q auth_openidc >/dev/null 2>&1 || true ;;
    esac
fi
# The tests start their own httpd, memcached and redis on their own ports,
# so the system's services are never touched - except those this script's
# own install just started (Debian starts a service when its package is
# installed): those are stopped again, and it says so.
for svc in apache2 memcached redis-server; do
    case "$missing " in
        *" $svc "*)
            if service "$svc" status >/dev/null 2>&1; then
                service "$svc" stop >/dev/null 2>&1 || true
                echo "install-deps: stopped $svc, which its package install had just started"
            fi ;;
    esac
done
echo "install-deps: all build and test dependencies present"
