#!/bin/sh
# Builds mod_auth_client in the source tree with warnings as errors (the test
# build).  Extra arguments go to configure.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    autoreconf -fi >/dev/null
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
    ./configure --enable-werror "$@" >/dev/null
fi
make -j"$(nproc)" >/dev/null
echo "build: .libs/mod_auth_client.so"
