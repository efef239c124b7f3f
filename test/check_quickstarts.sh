#!/bin/sh
# check_quickstarts.sh - every file in conf/quickstart/ is a configuration
# that works as written.
#
#   1. Each *.conf, wrapped in a small httpd.conf that loads the module of
#      this tree (.libs/mod_auth_client.so, so run test/build.sh first) and
#      mod_socache_shmcb, must pass "apache2 -t" (what apachectl -t runs)
#      with no other output than "Syntax OK", twice: as it is, and with
#      every optional line enabled (a "#" directly followed by a directive,
#      as in "#Require user alice").  The file: secrets under /etc/apache2
#      are written to a temporary directory instead, each with the output
#      of "openssl rand -base64 32", the passphrase command the files give.
#      -t runs in a network namespace without network where the kernel
#      allows it: a preset that needs discovery fetches it at the first
#      login, not at -t.
#   2. Each provider file keeps what every quickstart has: the redirect
#      URI, the secret file made with umask 077, the passphrase command, a
#      Require line; each preset of src/presets.c has a quickstart using
#      it; and each file stays within 4 KiB, so that the Debian package
#      installs it uncompressed (dh_compress gzips larger docs).
#   3. reverse-proxy.conf is started (in its own network namespace where
#      possible, else on a free loopback port): with its ServerName
#      https://... and UseCanonicalName On, the login redirect carries the
#      https redirect URI and sets Secure __Host- cookies, and a logout
#      POST from the https origin is accepted; without those two lines
#      the redirect URI is http://, the cookies lack Secure and the logout
#      is refused with logout_cross_site - what the file says.
# Ends with one "N passed, N failed" line.
#   sh test/check_quickstarts.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
qs="$top/conf/quickstart"
so="$top/.libs/mod_auth_client.so"
mods=/usr/lib/apache2/modules
httpd=/usr/sbin/apache2
# the provider quickstarts the documentation promises
providers="google github twitter entra keycloak gitlab oidc"
passed=0
failed=0

ok() {
    passed=$((passed + 1))
}

fail() {
    failed=$((failed + 1))
    echo "FAIL $*"
}

# ---- the wrapper ----------------------------------------------------------------

wrapper() {
    # $1 the file to include, $2 the port to listen on
    cat <<CONF
ServerRoot "$work"
ServerName localhost
Listen 127.0.0.1:$2
PidFile "$work/httpd.pid"
ErrorLog "$work/error.log"
DefaultRuntimeDir "$work"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule authz_host_module $mods/mod_authz_host.so
LoadModule remoteip_module $mods/mod_remoteip.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule socache_memcache_module $mods/mod_socache_memcache.so
LoadModule socache_redis_module $mods/mod_socache_redis.so
LoadModule auth_client_module "$so"
Include "$1"
CONF
}

# prepare SRC DEST [all]: SRC with its /etc/apache2 secrets moved to the
# temporary directory (and made), and with "all" every optional line enabled
prepare() {
    src=$1 dest=$2
    if [ "${3:-}" = all ]; then
        sed -E 's/^([[:space:]]*)#([A-Z<])/\1\2/' "$src"
    else
        cat "$src"
    fi | sed "s#file:/etc/apache2/#file:$work/secrets/#g" > "$dest"
    for f in $(grep -oE "file:$work/secrets/[^[:space:]\"]+" "$dest" | sed 's/^file://' | sort -u); do
        [ -f "$f" ] && continue
        (umask 077 && openssl rand -base64 32 > "$f")
    done
}

# ---- 1. apache2 -t ----------------------------------------------------------------

configtest() {
    name=$1 variant=$2
    prepare "$qs/$name.conf" "$work/$name.$variant.conf" "$variant"
    wrapper "$work/$name.$variant.conf" 8999 > "$work/$name.$variant.httpd.conf"
    out=$($netns "$httpd" -t -f "$work/$name.$variant.httpd.conf" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && [ "$out" = "Syntax OK" ]; then
        ok
    else
        fail "$name.conf ($variant): apache2 -t exit $rc:"
        echo "$out" | sed 's/^/    /'
    fi
}

# ---- 2. what every quickstart has ----------------------------------------------

has() {
    # has NAME WHAT REGEX: NAME.conf has a line matching REGEX
    if grep -qE "$3" "$qs/$1.conf"; then
        ok
    else
        fail "$1.conf has no $2 (a line matching '$3')"
    fi
}

lint() {
    name=$1
    size=$(wc -c < "$qs/$name.conf")
    if [ "$size" -le 4096 ]; then
        ok
    else
        fail "$name.conf is $size bytes; keep it within 4096, or the package installs it gzipped"
    fi
    has "$name" "redirect URI" 'https://your\.host/auth/callback'
    has "$name" "secret file made with umask 077" '\(umask 077; cat > /etc/apache2/[a-z]+\.secret\)'
    has "$name" "passphrase command" 'openssl rand -base64 32 > /etc/apache2/auth_client\.key'
    has "$name" "shared-cache passphrase line" '^#AuthClientPassphrase file:/etc/apache2/auth_client\.key$'
    has "$name" "Require line" '^[[:space:]]+Require '
}

# ---- 3. reverse-proxy.conf on a running httpd ------------------------------------

# serve DIR PORT: runs in the namespace (or on the host's loopback); writes
# the answers to DIR/fixed.* and DIR/unfixed.* for the checks below
serve() {
    dir=$1 port=$2
    ip link set lo up 2> /dev/null || true
    for variant in fixed unfixed; do
        conf="$dir/proxy.$variant.httpd.conf"
        rm -f "$dir/httpd.pid"
        if ! "$httpd" -f "$conf" -k start > "$dir/$variant.start" 2>&1; then
            echo "httpd did not start" >> "$dir/$variant.start"
            continue
        fi
        i=0
        until curl -s -o /dev/null "http://127.0.0.1:$port/" || [ $i -ge 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        # what a proxy without ProxyPreserveHost sends
        curl -s -o /dev/null -D "$dir/$variant.login" -H "Host: app-backend.internal:8080" \
            "http://127.0.0.1:$port/app/"
        curl -s -o /dev/null -D "$dir/$variant.logout" -H "Host: app-backend.internal:8080" \
            -H "Origin: https://app.example.org" -H "Sec-Fetch-Site: same-origin" \
            --data "return=/" "http://127.0.0.1:$port/auth/logout"
        pid=$(cat "$dir/httpd.pid" 2> /dev/null)
        [ -z "$pid" ] || kill "$pid" 2> /dev/null
        i=0
        while [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
    done
}

# expect_header VARIANT WHICH WHAT REGEX [absent]
expect_header() {
    f="$work/$1.$2"
    if grep -qiE "$4" "$f" 2> /dev/null; then
        found=1
    else
        found=0
    fi
    want=1
    verb=lacks
    if [ "${5:-}" = absent ]; then
        want=0
        verb=has
    fi
    if [ $found = $want ]; then
        ok
    else
        fail "reverse-proxy.conf ($1): the $2 answer $verb $3 ('$4'):"
        sed 's/^/    /' "$f" 2> /dev/null || echo "    (no answer)"
    fi
}

proxy_check() {
    port=8080
    runner="sh"
    if [ -n "$netns" ]; then
        runner="$netns sh"
    else
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || {
            fail "reverse-proxy.conf: no network namespace and no python3 to find a free port"
            return
        }
    fi
    prepare "$qs/reverse-proxy.conf" "$work/proxy.fixed.conf"
    sed -i "s#<VirtualHost \*:80>#<VirtualHost 127.0.0.1:$port>#" "$work/proxy.fixed.conf"
    grep -q "<VirtualHost 127.0.0.1:$port>" "$work/proxy.fixed.conf" ||
        fail "reverse-proxy.conf has no <VirtualHost *:80> to run"
    # the same site without the two lines
    sed -e 's#^\([[:space:]]*\)ServerName[[:space:]]*https://#\1ServerName #' \
        -e '/^[[:space:]]*UseCanonicalName[[:space:]]*On/d' \
        "$work/proxy.fixed.conf" > "$work/proxy.unfixed.conf"
    for variant in fixed unfixed; do
        wrapper "$work/proxy.$variant.conf" "$port" > "$work/proxy.$variant.httpd.conf"
    done
    $runner "$0" --serve "$work" "$port"
    for variant in fixed unfixed; do
        if [ -s "$work/$variant.start" ]; then
            fail "reverse-proxy.conf ($variant): httpd did not start:"
            sed 's/^/    /' "$work/$variant.start" "$work/error.log" 2> /dev/null | tail -n 20
        fi
    done
    expect_header fixed login "the https redirect URI" \
        '^Location: .*redirect_uri=https%3A%2F%2Fapp\.example\.org%2Fauth%2Fcallback&'
    expect_header fixed login "a Secure __Host- flow cookie" \
        '^Set-Cookie: __Host-ac_flow=[^;]+; Path=/; .*; Secure'
    expect_header fixed logout "a 303 to https://app.example.org/" '^HTTP/1\.1 303'
    expect_header fixed logout "the https return URL" '^Location: https://app\.example\.org/'
    expect_header unfixed login "the internal http redirect URI" \
        '^Location: .*redirect_uri=http%3A%2F%2Fapp-backend\.internal%3A8080%2Fauth%2Fcallback&'
    expect_header unfixed login "a plain flow cookie" '^Set-Cookie: ac_flow='
    expect_header unfixed login "Secure" '^Set-Cookie: .*Secure' absent
    expect_header unfixed logout "logout_cross_site" '^X-Auth-Client-Error: logout_cross_site'
}

# ---- main ---------------------------------------------------------------------------

if [ "${1:-}" = --serve ]; then
    serve "$2" "$3"
    exit 0
fi

[ -f "$so" ] || {
    echo "check_quickstarts: $so is missing: build first (sh test/build.sh)"
    exit 1
}
[ -x "$httpd" ] || {
    echo "check_quickstarts: $httpd is missing (apt-get install apache2)"
    exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/secrets"
netns=""
if unshare --net true 2> /dev/null; then
    netns="unshare --net"
fi

for name in $providers; do
    if [ ! -f "$qs/$name.conf" ]; then
        fail "conf/quickstart/$name.conf is missing"
    fi
done
for f in "$qs"/*.conf; do
    name=$(basename "$f" .conf)
    configtest "$name" asis
    configtest "$name" all
done
for name in $providers; do
    [ -f "$qs/$name.conf" ] && lint "$name"
done
# every preset has its quickstart
presets=$(sed -n '/ac_preset_names(void)/,/^}/s/.*return "\([^"]*\)".*/\1/p' "$top/src/presets.c")
[ -n "$presets" ] || fail "no preset names found in src/presets.c (ac_preset_names)"
for p in $presets; do
    if grep -lqE "^[[:space:]]+Preset[[:space:]]+$p([[:space:]]|\$)" "$qs"/*.conf; then
        ok
    else
        fail "no quickstart uses Preset $p"
    fi
done
proxy_check

echo "check_quickstarts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
