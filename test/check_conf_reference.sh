#!/bin/sh
# Compares conf/auth_client.conf.reference with the directive table
# (src/directives.c, with the bearer directives from src/bearer.h), the provider key table (src/config.c) and the Require
# names (src/authz.c): every directive, key and Require name must be
# documented, and nothing documented may be gone.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ref="$top/conf/auth_client.conf.reference"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -ohE '(AP_INIT_[A-Z0-9_]+|SRV_(PATH|INT))\("[<A-Za-z]+"' "$top/src/directives.c" \
    "$top/src/bearer.h" \
    | sed -E 's/.*\("//; s/"$//' > "$tmp/code"
grep -oE '\{ \{ "[A-Za-z]+", "' "$top/src/config.c" \
    | sed -E 's/\{ \{ "//; s/", "//' >> "$tmp/code"
# the Require names registered in src/authz.c, as "Require NAME"
grep -oE '#define (CLAIM|ALIAS)_NAME "[a-z-]+"' "$top/src/authz.c" \
    | sed -E 's/.*"(.*)"/Require \1/' >> "$tmp/code"
grep -E '^#{3,4} ' "$ref" | sed -E 's/^#+ //; s/>$//' \
    | grep -vE '^AuthType oauth$' > "$tmp/doc"
sort -u "$tmp/code" > "$tmp/code.s"
sort -u "$tmp/doc" > "$tmp/doc.s"
if ! diff -u "$tmp/code.s" "$tmp/doc.s" > "$tmp/diff"; then
    echo "conf reference and code disagree (- only in code, + only in the reference):"
    cat "$tmp/diff"
    echo "check_conf_reference: 0 passed, 1 failed"
    exit 1
fi
echo "check_conf_reference: $(wc -l < "$tmp/code.s") entries match"
