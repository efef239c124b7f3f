#!/bin/sh
# gen-certs.sh OUTDIR
#
# Creates a throwaway test CA and one server certificate signed by it, for the
# TLS-speaking test providers.  Nothing here is secret: keys are unencrypted
# and live only as long as the test run that made them.
#
#   OUTDIR/ca.pem, OUTDIR/ca.key          test CA (give ca.pem to clients)
#   OUTDIR/server.pem, OUTDIR/server.key  leaf for 127.0.0.1 and localhost
#
# Idempotent: if all four files exist the script does nothing, so parallel
# test scripts can call it without clobbering each other's trust anchors.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1

if [ -s "$out/ca.pem" ] && [ -s "$out/ca.key" ] &&
   [ -s "$out/server.pem" ] && [ -s "$out/server.key" ]; then
    exit 0
fi

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The CA: basicConstraints CA:TRUE and keyCertSign so that OpenSSL 3 and
# curl accept it as an issuer.
openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=mod_auth_client test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null

# The leaf: clients match on the SAN, not the CN, so both the IP literal and
# the DNS name must be listed there.
openssl req -new -newkey rsa:2048 -nodes -sha256 \
    -subj "/CN=127.0.0.1" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null

cat > "$work/leaf.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EOF

openssl x509 -req -sha256 -days 3650 \
    -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" \
    -extfile "$work/leaf.ext" -out "$work/server.pem" 2>/dev/null

# Move into place only once everything succeeded, so a failed run never
# leaves a half-made set that the idempotency check would then accept.
chmod 600 "$work/ca.key" "$work/server.key"
for f in ca.key ca.pem server.key server.pem; do
    mv "$work/$f" "$out/$f"
done
