#!/bin/sh
# Copies the source tree to DEST without version control data or build
# products, so that a step that builds its own copy (the sanitizer build,
# the Debian package check) works from a git checkout and from an unpacked
# release tarball alike, and leaves the developer's own build alone.
#   sh test/copy-source.sh DEST
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$1
mkdir -p "$dest"
tar -C "$top" -cf - \
    --exclude=.git --exclude=node_modules \
    --exclude='*.o' --exclude='*.lo' --exclude='*.la' --exclude=.libs \
    --exclude=.deps --exclude=.dirstamp --exclude=Makefile --exclude=Makefile.in \
    --exclude=./aclocal.m4 --exclude=./autom4te.cache --exclude=./build-aux \
    --exclude=./m4 --exclude=./config.log --exclude=./config.status \
    --exclude=./configure --exclude='./configure~' --exclude=./libtool \
    --exclude=./stamp-h1 --exclude=./mod_auth_client.so \
    --exclude=./test/unit/run_unit --exclude='./test/unit/*.log' \
    --exclude='./test/unit/*.trs' --exclude=./test-suite.log --exclude=./build \
    --exclude=./test/logs --exclude=./test/t/logs --exclude=./test/t/certs \
    --exclude=./debian/.debhelper --exclude=./debian/libapache2-mod-auth-client \
    --exclude=./debian/tmp --exclude=./debian/files --exclude='./debian/*.substvars' \
    --exclude='./debian/*.debhelper' --exclude='./debian/*.debhelper.log' \
    --exclude=./debian/debhelper-build-stamp --exclude='./debian/autoreconf.*' \
    . | tar -C "$dest" -xf -
